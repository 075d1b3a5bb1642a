#pragma once
// Deep linear networks with per-layer weight decay: eq. (3) with identity activations and no biases,
//     L_λ(W_1, …, W_L) = (1/N)‖Y − W_L⋯W_1 X‖_F² + λ Σ_l ‖W_l‖_F²,
// and its closed forms (derived in theorems/deep_linear.cpp's header):
//  - variational form: min{Σ_l ‖W_l‖_F² : W_L⋯W_1 = W} = L Σ_i σ_i(W)^{2/L}, attained by the balanced
//    factorisation of W (balanced_factors), so min L_λ = min_W (1/N)‖Y − WX‖² + λL Σ_i σ_i(W)^{2/L};
//  - whitened inputs (XXᵀ = N·I): with A = YXᵀ/N = U diag(a) Vᵀ, a minimiser is W* = U diag(s*) Vᵀ,
//    s*_i the global minimiser of the scalar problem φ(s) = (s − a_i)² + λL s^{2/L} on s ≥ 0;
//  - the scalar problem's threshold a*(L, λ) = inf{a : s*(a) > 0}: 0 for L = 1, λ for L = 2 and
//    (L−1)/(L−2)·(λ(L−2))^{L/(2(L−1))} for L ≥ 3, where s* jumps from 0 to (λ(L−2))^{L/(2(L−1))}.
// The scalar solver is a template, so that lib/mp runs the same code in 50 digits.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <armadillo>
#include <boost/math/tools/roots.hpp>

#include "lib/common/error.hpp"

namespace nrc {

template <class T>
struct ScalarSolution {
  T s = 0;                  // the global minimiser of φ on s ≥ 0 (the larger one at an exact tie)
  T value = 0;              // φ(s)
  bool two_minima = false;  // L ≥ 3 with a positive local minimiser beside s = 0
  T other = 0;              // with two_minima: the local minimiser that is not s
  T local_max = 0;          // with two_minima: the positive local maximiser between 0 and the other root
  T gap = 0;                // with two_minima: φ(other) − φ(s) ≥ 0
};

// φ(s) = (s − a)² + λL s^{2/L}.
template <class T>
T deep_linear_phi(const T& s, const T& a, const T& lambda, unsigned L) {
  using std::pow;
  const T Lt = static_cast<T>(L);
  return (s - a) * (s - a) + lambda * Lt * (s == 0 ? T(0) : T(pow(s, T(2) / Lt)));
}

// The global minimiser of φ on s ≥ 0 for a ≥ 0, λ > 0, L ≥ 1. L = 1: a/(1 + λ); L = 2: max(a − λ, 0);
// L ≥ 3: φ'(s) = 2(g(s) − a) with g(s) = s + λs^{2/L−1}, convex on s > 0 with its minimum at
// s_m = (λ(L−2)/L)^{L/(2(L−1))}; positive stationary points exist iff g(s_m) < a, the larger root
// s₂ ∈ (s_m, a) is the local minimiser (bracketed, TOMS 748 to full precision) and is compared
// with the boundary value φ(0) = a²; the smaller root s₁ ∈ ((λ/a)^{L/(L−2)}, s_m) (at the left end
// λs^{2/L−1} = a, so g(s) − a = s > 0, halved while rounding hides that) is the local maximiser between
// them.
template <class T>
ScalarSolution<T> solve_deep_linear_scalar(const T& a, const T& lambda, unsigned L) {
  using std::pow;
  require(a >= 0 && lambda > 0 && L >= 1, "solve_deep_linear_scalar", "expected a ≥ 0, λ > 0 and L ≥ 1");
  ScalarSolution<T> r;
  if (L == 1) {
    r.s = a / (1 + lambda);
  } else if (L == 2) {
    r.s = a > lambda ? T(a - lambda) : T(0);
  } else {
    const T Lt = static_cast<T>(L), p = T(2) / Lt - 1;
    const T s_m = pow(lambda * (Lt - 2) / Lt, Lt / (2 * (Lt - 1)));
    auto g = [&](const T& s) { return T(s + lambda * pow(s, p) - a); };
    if (g(s_m) < 0) {
      auto root = [&](const T& lo, const T& hi) {
        std::uintmax_t iterations = 400;
        const auto bracket = boost::math::tools::toms748_solve(
            g, lo, hi, boost::math::tools::eps_tolerance<T>(std::numeric_limits<T>::digits - 2), iterations);
        return T((bracket.first + bracket.second) / 2);
      };
      const T s2 = root(s_m, a);
      // g(s) − a = s > 0 at s_lo in exact arithmetic; where s_lo is below the rounding of g's terms the
      // computed sign may not show it, and g → +∞ as s → 0⁺, so halving reaches a positive value.
      T s_lo = pow(lambda / a, Lt / (Lt - 2));
      for (int k = 0; k < 2000 && !(g(s_lo) > 0); ++k) s_lo /= 2;
      r.local_max = root(s_lo, s_m);
      const T at_s2 = deep_linear_phi(s2, a, lambda, L), at_0 = a * a;
      r.two_minima = true;
      r.s = at_s2 <= at_0 ? s2 : T(0);
      r.other = at_s2 <= at_0 ? T(0) : s2;
      r.gap = at_s2 <= at_0 ? T(at_0 - at_s2) : T(at_s2 - at_0);
    }
  }
  r.value = deep_linear_phi(r.s, a, lambda, L);
  return r;
}

// a*(L, λ), the closed form above.
template <class T>
T deep_linear_threshold(const T& lambda, unsigned L) {
  using std::pow;
  require(lambda > 0 && L >= 1, "deep_linear_threshold", "expected λ > 0 and L ≥ 1");
  if (L == 1) return T(0);
  if (L == 2) return lambda;
  const T Lt = static_cast<T>(L);
  return (Lt - 1) / (Lt - 2) * pow(lambda * (Lt - 2), Lt / (2 * (Lt - 1)));
}

// λ_c(L): a*(L + 1, λ) > a*(L, λ) exactly for λ < λ_c(L) (one more layer raises the threshold), and
// a*(L + 1, λ) < a*(L, λ) for λ > λ_c(L). +∞ for L = 1 (a*(1, λ) = 0 < λ). For L ≥ 2, log a*(L, λ) is
// affine in log λ, κ_L + e_L log λ with e_L = L/(2(L−1)) decreasing in L, so the lines cross once.
double deep_linear_depth_crossover(unsigned L);

// L Σ_i σ_i(W)^{2/L}: the least Σ_l ‖W_l‖_F² over factorisations W = W_L⋯W_1 (L ≥ 1).
double balanced_penalty(const arma::mat& W, unsigned L);

// The balanced factorisation W = W_L⋯W_1 through widths = {d, n_1, …, n_{L−1}, c} (W is c×d): with
// W = U_r Σ_r V_rᵀ (r = numerical rank), W_1 = [Σ_r^{1/L} V_rᵀ; 0], W_l = diag(Σ_r^{1/L}, 0) for
// 1 < l < L, W_L = [U_r Σ_r^{1/L}, 0]. Every W_{l+1}ᵀW_{l+1} = W_lW_lᵀ and Σ_l ‖W_l‖_F² =
// balanced_penalty(W, L). Throws invalid_argument when a hidden width is below r or the shapes differ.
std::vector<arma::mat> balanced_factors(const arma::mat& W, const std::vector<arma::uword>& widths);

// (1/N)‖Y − W_L⋯W_1 X‖_F² + λ Σ_l ‖W_l‖_F² (λ ≥ 0). Throws invalid_argument on mismatched shapes.
double deep_linear_loss(const std::vector<arma::mat>& W, const arma::mat& X, const arma::mat& Y, double lambda);

struct DeepLinearMinimum {
  arma::mat A;          // YXᵀ/N
  arma::mat U, V;       // A = U diag(a) Vᵀ (thin SVD)
  arma::vec a;
  arma::vec s;          // σ_i(W*) in the order of a (modes beyond max_rank switched off)
  arma::mat W;          // W* = U diag(s) Vᵀ
  arma::uword rank = 0; // #{i : s_i > 0}
  double value = 0;     // min L_λ = (1/N)‖Y − W*X‖² + λL Σ s_i^{2/L}
  // The other stationary points of the depth-L problem (L ≥ 2) set some modes to another stationary
  // value of their scalar problem: 0 (every layer's factor of the mode zero: a saddle or, for L ≥ 3, a
  // local minimum) or, with two minima, s₁ or s₂. margin: the least distance |s_i − t| to such a value
  // t over the modes; value_gap: the least increase φ_i(t) − φ_i(s_i) (≥ 0). +∞ when no mode has one
  // (L = 1: convex). A map within margin/2 of W* in spectral norm has W*'s rank counted above margin/2;
  // a stationary point within value_gap of the minimum value sits at W*'s configuration. Both +∞
  // (not known) when max_rank binds: the other configurations then swap modes, which a per-mode
  // minimum cannot bound.
  double margin = std::numeric_limits<double>::infinity();
  double value_gap = std::numeric_limits<double>::infinity();
  // ½·min(margin, the least positive s_i, max_i a_i): the singular values of a map near W* (a trained
  // stationary point) above it are its switched-on modes. Without the third term a W* with every mode off
  // and no alternative would count rounding-level singular values.
  double rank_threshold = 0;
};

// The global minimum of L_λ over depth-L factorisations whose narrowest hidden width is max_rank, for
// whitened inputs: |XXᵀ − N·I| ≤ γ_N |X||X|ᵀ entrywise (exact up to the rounding of forming XXᵀ),
// otherwise invalid_argument naming the largest deviation. With fewer than rank-many hidden units the
// max_rank modes of largest a are kept (a mode's gain min φ − a² is nonincreasing in a). Throws
// invalid_argument on λ ≤ 0, L = 0, max_rank = 0, mismatched or non-finite data.
DeepLinearMinimum deep_linear_minimum(const arma::mat& X, const arma::mat& Y, double lambda, unsigned L,
                                      arma::uword max_rank);

// The same scalar problems for the autoencoder loss tr((I − W)C(I − W)ᵀ) + λL Σ σ_i(W)^{2/L} (C a
// covariance, symmetric PSD), restricted to maps W = Q diag(s) Qᵀ sharing C's eigenvectors: per
// eigenvalue c_i, c_i(1 − s)² + λL s^{2/L}, the scalar problem with a = 1 and λ/c_i. Exact for C = I
// (whitened data); otherwise an upper bound on the minimum (Figure 2's closed-form curve). Keeps the
// max_rank modes of most negative gain c_i(min φ − 1). Throws invalid_argument on a non-square or non-finite C, λ ≤ 0, L = 0.
arma::mat aligned_autoencoder_minimiser(const arma::mat& C, double lambda, unsigned L, arma::uword max_rank);

}  // namespace nrc
