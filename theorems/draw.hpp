#pragma once
// Instance generators draw their parameters through Draw, so that one generator definition serves
// the seeded sampler of the CLI/report (EngineDraw) and the RapidCheck properties (a Draw over
// rapidcheck generators, in property_tests/support.hpp, which shrinks failures).
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "lib/common/rng.hpp"

namespace nrc {

class Draw {
 public:
  virtual ~Draw() = default;
  virtual std::int64_t integer(std::int64_t lo, std::int64_t hi) = 0;   // uniform on [lo, hi]
  virtual double uniform(double lo, double hi) = 0;                     // uniform on [lo, hi]
  virtual std::uint64_t seed() = 0;                                     // a data seed
  double log_uniform(double lo, double hi) { return std::exp(uniform(std::log(lo), std::log(hi))); }
  std::string pick(const std::vector<std::string>& options) {
    return options[static_cast<std::size_t>(integer(0, static_cast<std::int64_t>(options.size()) - 1))];
  }
};

class EngineDraw final : public Draw {
 public:
  explicit EngineDraw(std::uint64_t seed) : rng_(seed) {}
  std::int64_t integer(std::int64_t lo, std::int64_t hi) override;
  double uniform(double lo, double hi) override;
  std::uint64_t seed() override;
 private:
  Engine rng_;
};

}  // namespace nrc
