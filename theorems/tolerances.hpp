#pragma once
// Every tolerance the judge and the checks use, each with its reason. Nothing else in theorems/
// may compare against a literal threshold.
//
// Rounding-error building blocks. Each returns a double that bounds the rounding error of one
// double-precision computation (Armadillo 11/12 on OpenBLAS + LAPACK), so a check can sum them into
// the err of its computed lhs − rhs. Common assumptions: IEEE double, round to nearest, no overflow
// and no underflow (no product or square below 2^-1022 in magnitude unless noted), finite inputs
// (a non-finite input gives a non-finite bound, which is never a Pass).
//
// The bounds themselves are computed in floating point; round_up() turns each computed value into a
// rigorous upper bound, so the product/dot/Gram/norm/solve bounds are rigorous under the model above.
// svd_abs_error() and the two built on it rest on LAPACK's documented but unquantified p(m, n).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include <armadillo>

namespace nrc::tol {

// Unit roundoff of IEEE double, u = ε/2.
inline constexpr double unit_roundoff = std::numeric_limits<double>::epsilon() / 2;

// γ_n = n·u / (1 − n·u) (Higham, Accuracy and Stability, §3.1): |fl(Σ_{k≤n} a_k b_k) − Σ a_k b_k|
// ≤ γ_n Σ |a_k b_k| for any summation order, with or without FMA. Bounds GEMM entrywise.
inline double gamma(std::uint64_t n) {
  const double nu = static_cast<double>(n) * unit_roundoff;
  return nu / (1 - nu);
}

// LAPACK's singular values are exact for A + E with ‖E‖₂ ≤ p(m,n)·ε·‖A‖₂, p "a modestly growing
// function" (LAPACK Users' Guide, §4.9), hence |σ̂_i − σ_i| ≤ p·ε·‖A‖₂ (Weyl). We take
// p(m,n) = max(m, n, 32): max(m,n) alone, the usual conservative choice, is violated for small
// matrices on OpenBLAS 0.3.21 (measured up to 22ε‖A‖₂ for 7×7 with clustered values through
// values-only arma::svd = dgesdd JOBZ='N', 8.3ε‖A‖₂ through svd_econ, 8.6ε‖S‖₂ through eig_sym; see
// tolerances_test.cpp). The floor is empirical, not a theorem. (Also the numerical-rank policy of
// lib/spectral.) Pass s1 = σ̂₁: it understates ‖A‖₂ by a relative p·ε at most.
inline double svd_abs_error(double s1, std::uint64_t m, std::uint64_t n) {
  const std::uint64_t p = std::max<std::uint64_t>({m, n, 32});
  return static_cast<double>(p) * std::numeric_limits<double>::epsilon() * s1;
}

// An upper bound on a nonnegative exact x from its computed value x_hat ≥ (1 − γ_k)·x (k roundings
// of nonnegative quantities, Higham Lemma 3.1/3.3). x ≤ x_hat/(1 − γ_k) ≤ x_hat·(1 + 2γ_k) for γ_k ≤ ½;
// γ_{k+2} instead of γ_k absorbs the rounding of the factor (≤ u) and of the final product.
inline double round_up(double x_hat, std::uint64_t k) { return x_hat * (1 + 2 * gamma(k + 2)); }

// |fl(Σ_k a_k b_k) − Σ_k a_k b_k| ≤ γ_n Σ_k |a_k b_k|, n = length (Higham, Accuracy and Stability,
// 2nd ed., eq. (3.5)/Lemma 3.1; any order, blocking or FMA, so it covers arma::dot and BLAS ddot).
// For a plain sum pass b = ones (γ_n instead of γ_{n−1}). Computing Σ|a_k b_k| (n roundings of
// nonnegative terms), γ_n (2) and the product (1) is absorbed by round_up(·, n + 3).
inline double dot_error(const arma::vec& a, const arma::vec& b) {
  if (a.n_elem != b.n_elem) {
    throw std::invalid_argument("nrc::tol::dot_error(): expected vectors of equal length, got " +
                                std::to_string(a.n_elem) + " and " + std::to_string(b.n_elem));
  }
  return round_up(gamma(a.n_elem) * arma::dot(arma::abs(a), arma::abs(b)), a.n_elem + 3);
}

// Relative error of fl(‖A‖_F) as arma::norm(A, "fro") computes it, for A with N = n_elem entries:
// |fl(‖A‖_F) − ‖A‖_F| ≤ γ_{N+4}·‖A‖_F. Armadillo 11.4 takes a plain sum of squares then sqrt (own loop
// for N < 32; OpenBLAS dnrm2 otherwise, which on x86-64 accumulates in x87 extended precision without
// scaling), and only if that gives 0 or Inf rescales by max|a| (vec_norm_2_direct_robust).
// Derivation: Σa² gets relative error θ_N (squares + N−1 additions, no cancellation); |√(1+θ) − 1|
// ≤ |θ|; the sqrt adds θ_1 → γ_{N+1}; the rescaled path adds a division and a product → γ_{N+3}.
// Not covered: a scaled (LAPACK-style scale/ssq) dnrm2, as OpenBLAS uses on some non-x86 targets.
inline double frobenius_rel_error(std::uint64_t n_elem) { return gamma(n_elem + 4); }

// ‖fl(A·B) − A·B‖_F ≤ γ_k ‖ |A|·|B| ‖_F, k = A.n_cols: each entry is a length-k dot product (Higham
// §3.5, eq. (3.13)), whatever OpenBLAS's blocking, kernel, threading or FMA use. |A||B| is computed
// with entrywise relative error ≤ γ_k (nonnegative), its norm with γ_{mn+4}, plus γ_k (2) and the
// product (1): round_up(·, k + mn + 7).
inline double product_error(const arma::mat& A, const arma::mat& B) {
  if (A.n_cols != B.n_rows) {
    throw std::invalid_argument("nrc::tol::product_error(): expected A.n_cols == B.n_rows, got " +
                                std::to_string(A.n_cols) + " and " + std::to_string(B.n_rows));
  }
  const arma::mat C = arma::abs(A) * arma::abs(B);
  return round_up(gamma(A.n_cols) * arma::norm(C, "fro"), A.n_cols + C.n_elem + 7);
}

// ‖fl(X·Xᵀ) − X·Xᵀ‖_F ≤ γ_n ‖ |X|·|X|ᵀ ‖_F, n = X.n_cols: as product_error (Armadillo calls dsyrk or
// dgemm; each entry is a length-n dot product either way).
inline double gram_error(const arma::mat& X) { return product_error(X, X.t()); }

// Forward error of any approximate solution x_hat of G x = b (G, b as stored; G need not be
// symmetric): ‖x_hat − G⁻¹b‖₂ ≤ ‖r‖₂ / σ_min(G), r = b − G x_hat, since x_hat − x = −G⁻¹r (a posteriori
// bound, Higham §7.2 / Thm 7.2 with E = 0). lambda_min_lower must be a rigorous lower bound on σ_min(G)
// (= λ_min(G) for symmetric positive definite G). For a ridge Gram formed in double,
// G = fl(fl(XXᵀ) + fl(Nλ)·I): σ_min(G) ≥ Nλ(1 − u) − gram_error(X) − u·max_i G_ii (Weyl).
// The residual is computed here in long double (x87: u_L = 2^-64) as one sum of n+1 terms per row, so
// |r̂_i − r_i| ≤ γ^L_{n+1} s_i, s_i = |b_i| + Σ_j |G_ij x_j| (Higham eq. (3.5)); then
// ‖r‖ ≤ ‖r̂‖ + γ^L_{n+1}‖s‖, with ‖r̂‖, ‖s‖ computed from below by ≤ γ^L_{n+1} each (plain sums of
// squares), ŝ by γ^L_{n+1}, γ^L by γ^L_2, and three roundings in (R + gS)/λ: total γ^L_{2n+7}, absorbed
// by the factor 1 + 2γ^L_{2n+9}; the last nextafter makes the conversion to double round upwards.
inline double spd_solve_error(const arma::mat& G, const arma::vec& b, const arma::vec& x_hat, double lambda_min_lower) {
  const arma::uword n = G.n_rows;
  if (G.n_cols != n || b.n_elem != n || x_hat.n_elem != n) {
    throw std::invalid_argument(
        "nrc::tol::spd_solve_error(): expected square G (n×n) and b, x_hat of length n, got G " +
        std::to_string(G.n_rows) + "×" + std::to_string(G.n_cols) + ", b " + std::to_string(b.n_elem) + ", x_hat " +
        std::to_string(x_hat.n_elem));
  }
  if (!(lambda_min_lower > 0) || !std::isfinite(lambda_min_lower)) {
    throw std::invalid_argument("nrc::tol::spd_solve_error(): expected 0 < lambda_min_lower < ∞, got " +
                                std::to_string(lambda_min_lower));
  }
  using L = long double;
  const auto gamma_l = [](std::uint64_t k) {
    const L ku = static_cast<L>(k) * (std::numeric_limits<L>::epsilon() / 2);
    return ku / (1 - ku);
  };
  L r2 = 0, s2 = 0;
  for (arma::uword i = 0; i < n; ++i) {
    L r = b(i), s = std::fabs(static_cast<L>(b(i)));
    for (arma::uword j = 0; j < n; ++j) {
      const L p = static_cast<L>(G(i, j)) * static_cast<L>(x_hat(j));
      r -= p;
      s += std::fabs(p);
    }
    r2 += r * r;
    s2 += s * s;
  }
  const L bound = (std::sqrt(r2) + gamma_l(n + 1) * std::sqrt(s2)) / static_cast<L>(lambda_min_lower);
  return std::nextafter(static_cast<double>(bound * (1 + 2 * gamma_l(2 * n + 9))),
                        std::numeric_limits<double>::infinity());
}

// Symmetric eigenvalues from LAPACK (arma::eig_sym: dsyev / dsyevd) are exact for S + E with
// ‖E‖₂ ≤ p(n)·ε·‖S‖₂ (LAPACK Users' Guide §4.7), hence |λ̂_i − λ_i| ≤ p(n)·ε·‖S‖₂ (Weyl). Same policy
// p(n) = max(n, 32) as svd_abs_error; pass ‖S‖₂ = max_i |λ̂_i| (understated by a relative p·ε at most).
inline double eig_sym_abs_error(double norm2, std::uint64_t n) { return svd_abs_error(norm2, n, n); }

// ‖sin Θ(Û, U)‖₂ between a computed invariant (or singular) subspace and the exact one, given
// gap = computed separation between the kept values and the others (min |σ̂_i − σ̂_j|, i kept, j not;
// the kept values must form a contiguous run of the sorted values, e.g. the top k) and abs_error =
// the backward error bound of the decomposition (svd_abs_error / eig_sym_abs_error). Wedin (1972) for
// singular subspaces, Davis–Kahan (1970) sinΘ for eigenspaces: ‖sin Θ‖ ≤ ‖E‖₂ / δ, δ the exact
// separation, as LAPACK Users' Guide §4.7/§4.9.1 state it (θ ≤ p·ε·‖A‖₂ / gap). Each value moves by
// ≤ abs_error (Weyl), so δ ≥ gap − 2·abs_error. Returns 1 (no information: sin Θ ≤ 1 always) when that
// is not positive. For left singular subspaces of a tall m×n matrix (m > n) the discarded values
// include m − n zeros: use gap = min(σ̂_k − σ̂_{k+1}, σ̂_k) there. norm2 = ‖A‖₂ (σ̂₁, or max|λ̂|): the
// computed vectors are orthonormal only to p·ε = abs_error/norm2 (LAPACK Users' Guide §4.9.1), which adds
// to the angle however wide the gap — without that term the first-order bound failed on well-separated
// values (41ε measured against 32ε, tolerances_test.cpp).
inline double subspace_error(double gap, double abs_error, double norm2) {
  if (!(abs_error >= 0) || std::isnan(gap) || !(norm2 >= 0)) {
    throw std::invalid_argument(
        "nrc::tol::subspace_error(): expected abs_error ≥ 0, a gap and norm2 ≥ 0, got abs_error = " +
        std::to_string(abs_error) + ", gap = " + std::to_string(gap) + ", norm2 = " + std::to_string(norm2));
  }
  const double delta = gap - 2 * abs_error;   // rounded; the factor below covers it
  if (!(delta > 0)) return 1;                 // (so from here gap > 0, hence norm2 > 0 for consistent arguments)
  return std::min(1.0, round_up(abs_error / delta + abs_error / norm2, 6));
}

}   // namespace nrc::tol
