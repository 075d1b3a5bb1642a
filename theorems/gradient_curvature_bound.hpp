#pragma once
// A rigorous upper bound M̄ on the constant M of Lemma 3.3 and Theorem 3.4:
//     M = sup_{p ∈ H} sup_{‖v‖=1} ‖D²G(p)[v, v]‖_F,   G(z, y) := ∇_{W_l} ℓ(f_j(Θ_j, z), y) = δ_l(z, y)·u^{l−1}(z)ᵀ,
// H the convex hull of some stacked layer-j points p_i = (z_i, y_i). The lemma's M̂ is a sampled
// maximum (finite differences at points of H): a lower estimate. M̄ brackets it from above, so that a
// bound judged with M̂ that Passes is proved, and one that fails with M̄ is refuted.
//
// Derivation. Write v = (v_z, v_y), c := ‖v_z‖, s := ‖v_y‖, c² + s² = 1. Every bound below is a
// polynomial in (c, s) with non-negative coefficients: a value bound is a number, a first-derivative
// bound a linear form a_c·c + a_s·s, a second-derivative bound a quadratic form q_cc·c² + q_cs·cs +
// q_ss·s². Products of bounds are products of polynomials (all terms ≥ 0), and at the end
// sup_{c²+s²=1} Q(c, s) = λ_max([[q_cc, q_cs/2], [q_cs/2, q_ss]]) exactly.
// Tail layers m = 1..L' (the network from layer j+1 on), u^0 = z, a^m = W_m u^{m−1} + b_m, u^m = σ_m(a^m).
//  1. Enclosures over H. a^1 is affine in z, so each unit's range over H is exactly [min_i, max_i] of
//     its values at the points p_i. Every σ here is non-decreasing, so u^m lies in the box
//     [σ(lo), σ(hi)]; a^{m+1} in the box W(mid) + b ± |W|(rad) (interval arithmetic). Each interval is
//     widened by its rounding (γ_{n+2} of the sizes of the terms it adds, and 8u of σ's value).
//     On each unit's interval [lo_k, hi_k]: s1_k, s2_k, s3_k := sup |σ'|, |σ''|, |σ'''| (derivative_sups,
//     from the shape of each derivative: see the .cpp), never more than the sups over ℝ — identity 1, 0,
//     0; tanh 1, 4/(3√3), 2; sigmoid ¼, 1/(6√3), ⅛; softplus 1, ¼, 1/(6√3).
//     Values: ‖u^0‖ ≤ max_i ‖z_i‖ (a convex function's sup over H is at a point p_i), ‖u^m‖ ≤ the norm
//     of the box's largest magnitudes; ‖y‖ ≤ max_i ‖y_i‖, |1ᵀy| ≤ Σ := max_i |1ᵀy_i|.
//  2. Per layer, with ρ_k the row norms of W_m and S1 = diag(s1):
//       P_m = ‖S1·W_m‖₂ (Du^m = S1'·W_m·Du^{m−1} with |σ'(a_k)| ≤ s1_k: ‖Du^m‖ ≤ P_m‖Du^{m−1}‖),
//       Q_m = ‖S1·W_{m+1}ᵀ‖₂ (δ_m = σ'(a^m)⊙W_{m+1}ᵀδ_{m+1}: ‖δ_m‖ ≤ Q_m‖δ_{m+1}‖),
//       c2_m = max_k s2_k ρ_k,   c3_m = max_k s3_k ρ_k²   (|Da_k| ≤ ρ_k‖Du^{m−1}‖, |D²a_k| ≤ ρ_k‖D²u^{m−1}‖),
//       e2_m = min(c2_m‖W_m‖₂, (Σ_k s2_k²ρ_k⁴)^{1/2})   (‖σ''⊙Da⊙Da‖ ≤ ‖s2⊙Da‖_∞‖Da‖, or entrywise).
//  3. Forward (derivatives of u, from Du^0 = v_z, D²u^0 = 0): D²u = σ''⊙Da⊙Da + σ'⊙D²a, so
//       ‖Du^m‖ ≤ P_m‖Du^{m−1}‖,   ‖D²u^m‖ ≤ e2_m‖Du^{m−1}‖² + P_m‖D²u^{m−1}‖.
//  4. Output gradient t = ∇_ŷℓ(ŷ, y), ŷ = u^{L'}:
//     squared loss, t = 2(ŷ − y): ‖t‖ ≤ 2‖ŷ − y‖ (ŷ's box minus y's box), ‖Dt‖ ≤ 2(‖Dŷ‖ + s), ‖D²t‖ ≤ 2‖D²ŷ‖;
//     softmax cross-entropy, t = S(ŷ)·1ᵀy − y with S = softmax, J := ∂S/∂ŷ = diag(S) − SSᵀ:
//       Dt = J·Dŷ·1ᵀy + S·1ᵀv_y − v_y,   D²t = DJ[Dŷ]Dŷ·1ᵀy + J·D²ŷ·1ᵀy + 2J·Dŷ·1ᵀv_y.
//       S lies in the simplex: ‖S‖₂ ≤ 1, |Sᵀh| ≤ ‖h‖_∞; J is symmetric with Gershgorin discs
//       S_k(1 − S_k) ± S_k(1 − S_k), so ‖J‖₂ ≤ ½; DJ[h]h = (Jh)⊙h − (Jh)(Sᵀh) − S(Jh)ᵀh, so
//       ‖DJ[h]h‖ ≤ (3/2)‖h‖²; |1ᵀv_y| ≤ √c_out·s. Hence
//       ‖t‖ ≤ Σ + ‖y‖,  ‖Dt‖ ≤ ½Σ‖Dŷ‖ + (1 + √c_out)s,  ‖D²t‖ ≤ (3/2)Σ‖Dŷ‖² + ½Σ‖D²ŷ‖ + √c_out‖Dŷ‖s.
//  5. Backward, δ_m = σ'(a^m)⊙t_m with t_{L'} = t and t_m = W_{m+1}ᵀδ_{m+1} (‖t_m‖ ≤ ‖W_{m+1}‖₂‖δ_{m+1}‖,
//     its derivatives likewise, W constant):
//       Dδ = σ''⊙Da⊙t + σ'⊙Dt,   D²δ = σ'''⊙Da⊙Da⊙t + σ''⊙D²a⊙t + 2σ''⊙Da⊙Dt + σ'⊙D²t,
//       ‖δ_m‖ ≤ Q_m‖δ_{m+1}‖,  ‖Dδ_m‖ ≤ c2_m‖Du‖‖t_m‖ + Q_m‖Dδ_{m+1}‖,
//       ‖D²δ_m‖ ≤ c3_m‖Du‖²‖t_m‖ + c2_m‖D²u‖‖t_m‖ + 2c2_m‖Du‖‖Dt_m‖ + Q_m‖D²δ_{m+1}‖
//     (u = u^{m−1}; at the top layer max_k s1_k‖t‖ etc. in place of Q·‖δ_{m+1}‖).
//  6. Leibniz on the outer product, ‖xyᵀ‖_F = ‖x‖‖y‖:
//       ‖D²G[v,v]‖_F ≤ ‖D²δ_l‖‖u^{l−1}‖ + 2‖Dδ_l‖‖Du^{l−1}‖ + ‖δ_l‖‖D²u^{l−1}‖,
//     a quadratic form in (c, s) whose λ_max is M̄.
// Exactness: one identity layer, squared loss (G = 2(Wz + b − y)zᵀ, D²G[v,v] = 4(Wv_z − v_y)v_zᵀ):
// M̄ = λ_max([[4‖W‖₂, 2], [2, 0]]) = 2(‖W‖₂ + √(‖W‖₂² + 1)) = M exactly (property_tests/lemma_3_3_test).
// Where loose: the triangle inequality over the terms of D²δ (their maxima need not coincide), the
// operator norms along directions that the next layers do not stretch, and the boxes of deeper layers
// (interval arithmetic over-covers the image of the hull).
// Rounding: every operation above adds or multiplies non-negative numbers (the one difference, in
// λ_max, is squared), so the computed value is within a relative (1 + γ_k) of the exact one, k the
// number of operations; spectral norms min(LAPACK's σ₁ + its error bound, ‖·‖_F(1 + γ)), the other
// norms sums of squares within γ_{n+1}, the sups of σ^{(k)} computed from exp(−|a|) without
// cancellation and widened by γ_32 plus 16u of their sup over ℝ (libm's exp; a sup near 0). The
// result is multiplied by 1 + γ_k with k = 64(L' + 2) + the largest dimension, above all of it.
// ReLU has no second derivative: rejected (invalid_argument).
#include <vector>

#include <armadillo>

#include "lib/nn/mlp.hpp"

namespace nrc::curvature {

// sup of |σ'|, |σ''|, |σ'''| over an interval of pre-activations (upper bounds).
struct DerivativeSups {
  double s1 = 0, s2 = 0, s3 = 0;
};
// Over [lo, hi] (lo ≤ hi; ±inf allowed: the sups over ℝ). Throws invalid_argument for ReLU (not C²).
DerivativeSups derivative_sups(Activation a, double lo, double hi);

// M̄ for every weight matrix of `tail` (the network from layer j+1 on, as lemma_3_3 builds it): entry
// m bounds M_{l,j} with l = j + m + 1, over the convex hull of the columns of P = [Z; Y] (Z: nz rows),
// stacked layer-j points. Throws invalid_argument for ReLU, an empty network, no points or shapes that
// do not match.
std::vector<double> second_derivative_bounds(const Mlp& tail, Loss loss, const arma::mat& P, arma::uword nz);

}  // namespace nrc::curvature
