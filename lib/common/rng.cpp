#include "lib/common/rng.hpp"

namespace nrc {

std::uint64_t derive_seed(std::uint64_t base, std::uint64_t index) {
  std::uint64_t z = base + 0x9E3779B97F4A7C15ULL * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

arma::mat randn(arma::uword rows, arma::uword cols, Engine& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  arma::mat M(rows, cols);
  for (double& x : M) x = normal(rng);
  return M;
}

}  // namespace nrc
