#pragma once
// Proposition 3.1's measurement, shared with degenerate_rank (eq_4_stationary_points.cpp) and exposed
// so tests can feed it matrices of known rank: the gradient of Σ_i ℓ_i formed sample by sample, each
// term G_i = δ_i z_iᵀ from its own forward and backward pass and added to the sum as a full matrix,
// so that nothing in how the sum is formed limits its rank (the N terms are N independent matrices).
#include <vector>

#include <armadillo>

#include "lib/nn/mlp.hpp"

namespace nrc::prop_3_1 {

// Σ_i G_i^l for every layer l (index l−1), and the a-priori rounding budget of each sum:
//   budget[l] = ρ·Σ_i ‖d̃_i‖‖z_i‖ + γ_N·Σ_i ‖Ĝ_i‖_F
// where ρ = γ_{4L(w+2)} (w the widest layer) is the first-order relative rounding of one pass,
// relative to the sizes of the terms it adds (d̃ = lemma_3_3::delta_term_sizes ≥ |δ|, which hold the
// cancellation of ∂ℓ/∂ŷ and of saturated σ'), so ‖Ĝ_i − G_i‖_F ≤ ρ‖d̃_i‖‖z_i‖ (an estimate, first
// order); and γ_N Σ_i |Ĝ_i| bounds the rounding of the N-term sum entrywise (Higham Thm 3.5: any order),
// whose Frobenius norm is ≤ γ_N Σ_i ‖Ĝ_i‖_F. No measured spread of the data enters.
struct SampleSums {
  std::vector<arma::mat> G;        // Σ_i Ĝ_i^l
  std::vector<double> budget;      // the budget above
  std::vector<double> term_norms;  // Σ_i ‖Ĝ_i^l‖_F
};
SampleSums per_sample_gradient_sums(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y);

struct LayerRank {
  bool trivial = false;          // K ≥ min(m, n): rank ≤ K holds without measuring
  double lhs = 0;                // σ̂_{K+1}(G)
  double rhs = 0;                // `budget` + LAPACK's singular-value error max(m,n)·ε·σ̂_1
  double sigma_1 = 0, sigma_k = 0, sigma_k1 = 0;
};
// σ̂_{K+1}(G) against an a-priori bound `budget` on ‖Ĝ − G‖₂ for an exact G of rank ≤ K (Weyl:
// σ_{K+1}(Ĝ) ≤ σ_{K+1}(G) + ‖Ĝ − G‖₂ = ‖Ĝ − G‖₂), plus the SVD's own error (tolerances.hpp).
LayerRank layer_rank(const arma::mat& G, double budget, arma::uword K);

}  // namespace nrc::prop_3_1
