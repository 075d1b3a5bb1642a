#include "theorems/draw.hpp"

namespace nrc {

// Hand-rolled mappings instead of std::uniform_*_distribution: those are implementation-defined,
// and a seed must give the same instance with every standard library.
std::int64_t EngineDraw::integer(std::int64_t lo, std::int64_t hi) {
  const std::uint64_t span = static_cast<std::uint64_t>(hi - lo) + 1;
  return lo + static_cast<std::int64_t>(span == 0 ? rng_() : rng_() % span);
}

double EngineDraw::uniform(double lo, double hi) {
  const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;   // [0, 1) with 53 random bits
  return lo + (hi - lo) * u;
}

std::uint64_t EngineDraw::seed() { return rng_(); }

}  // namespace nrc
