#pragma once
// Proposition 3.1's per-layer measurement, exposed so tests can feed it matrices of known rank.
#include <armadillo>

namespace nrc::prop_3_1 {

struct LayerRank {
  bool trivial = false;          // K ≥ min(m, n): rank ≤ K holds without measuring
  double lhs = 0;                // σ̂_{K+1}(G)
  double rhs = 0;                // rounding budget (see the .cpp header)
  double sigma_1 = 0, sigma_k = 0, sigma_k1 = 0;
};

// G = D Zᵀ as computed (one GEMM over the N columns). With `collapsed`, column i belongs to cluster
// i mod K and the measured within-cluster spread of D and Z enters the budget.
LayerRank layer_rank(const arma::mat& G, const arma::mat& D, const arma::mat& Z, arma::uword K, bool collapsed);

}  // namespace nrc::prop_3_1
