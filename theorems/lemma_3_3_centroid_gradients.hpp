#pragma once
// Lemma 3.3 measured on a network: the gap R between the full gradient and the centroid-based
// gradient of layer l, computed exactly, and the links of the bound on ‖R‖ (derivation in
// lemma_3_3_centroid_gradients.cpp). Shared by the checks lemma_3_3 and thm_3_4.
#include <vector>

#include <armadillo>

#include "lib/common/rng.hpp"
#include "lib/nn/mlp.hpp"

namespace nrc::lemma_3_3 {

struct Options {
  arma::uword grid = 17;          // points t_m = m/(grid−1) on each segment [c_k, p_i]
  double step = 1e-3;             // finite-difference step η in (z, y) space (absolute)
  arma::uword hull_points = 4;    // random points of each hull H_k (and of H^j) where ‖D²G‖ is sampled
  arma::uword directions = 6;     // random unit directions per sampled hull point
};

// One pair (l, j), j < l: G(z, y) := ∇_{W_l} ℓ(f_j(Θ_j, z), y) on the layer-j data (z^j_i, y_i).
struct PairMeasure {
  arma::uword l = 0;             // weight matrix W_l (1-based, as in the paper)
  arma::uword j = 0;             // data layer z^j (0: the inputs x)
  double R = 0;                  // ‖∇_{W_l}L_0 − ∇_{W_l}L_0^{j,C}‖_F, computed directly
  double R_err = 0;              // first-order rounding estimate of R
  double pointwise = 0;          // (1/N) Σ_i ‖R_i‖_F, R_i the Taylor remainder of sample i (FD)
  double pointwise_err = 0;      // finite-difference error estimate of `pointwise` (its h_i'(0))
  double taylor = 0;             // (1/N) Σ_i ½ max_t ‖D²G(c_k + tδ_i)[δ_i, δ_i]‖_F (FD, on the grid)
  double taylor_err = 0;         // finite-difference error estimate of `taylor`
  double M_est = 0;              // sampled max of ‖D²G‖ over the hulls H_k: M_{l,j}(Θ, C) from below
  double M_err = 0;              // finite-difference error estimate of M_est (largest over its stencils)
  double M_global_est = 0;       // the same over the hull of all points: M_{l,j}(Θ) from below
  double M_global_err = 0;       // finite-difference error estimate of M_global_est
  // Rigorous upper bounds (gradient_curvature_bound.hpp): M̄ of M_{l,j}(Θ, C) — the largest of the
  // bounds over each block's hull H_k — and M̄_global of M_{l,j}(Θ), over the hull of all samples H^j.
  double M_bar = 0;
  double M_bar_global = 0;
  double wcss = 0;               // WCSS_j(C), eq. (6), of the stacked (z^j, y), from the segments' δ_i
  // Rounding estimate of `wcss` against the WCSS of the exact centroids: each δ_i = p_i − c_k is formed
  // from a centroid rounded by ≤ γ_{N+1}(|p| + |c|) entrywise, so |wcss − WCSS| ≤ 2g√(WCSS·A) + g²A +
  // γ_{N+dim}·WCSS, g = γ_{N+1}, A = (1/N)Σ_i(‖p_i‖ + ‖c_k‖)².
  double wcss_err = 0;
  arma::mat centroid_gradient;   // ∇_{W_l}L_0^{j,C} = Σ_k π_k G(z̄_k, ȳ_k): rank ≤ #blocks
};

// Every pair (l, j) with l = j+1..L, for the partition `labels` (one label per sample, blocks = the
// distinct values) of the layer-j data. L_0 = (1/N) Σ ℓ (eq. 3). Throws invalid_argument on shape
// mismatches, j ≥ L, or a label count ≠ N.
std::vector<PairMeasure> measure(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y,
                                 arma::uword j, const arma::uvec& labels, Engine& rng, const Options& options = {});

// The layer-j data z^j of X (j = 0: X itself).
arma::mat layer_data(const Mlp& net, const arma::mat& X, arma::uword j);

// The sizes of the terms the backprop deltas of `net` at the forward pass `fw` (targets Y) are computed
// from, ≥ |backprop_deltas(…)| entrywise: the scale of their rounding (a first-order estimate). The
// output delta ∂ℓ/∂ŷ is a difference (2(ŷ − y); softmax·Σy − y) that cancels at a good fit while its
// rounding does not, so it is replaced by the size of its terms — 2(|ŷ| + |y|) with |ŷ| taken as its own
// terms |σ(a)| + σ'(a)(|W||z| + |b|); |softmax·Σy − y| + 2|y| + Σ|y|·max(ŷ terms) for cross-entropy —
// and backpropagated through |W|ᵀ and the sizes of σ''s terms (1 + tanh², s + s² for the sigmoid's
// s(1 − s): both cancel where the unit saturates; 1 for identity, softplus' = s and ReLU's 0/1).
std::vector<arma::mat> delta_term_sizes(const Mlp& net, const Forward& fw, Loss loss, const arma::mat& Y);

}  // namespace nrc::lemma_3_3
