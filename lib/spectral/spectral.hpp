#pragma once
// Spectral diagnostics of weight matrices. `s` is always a vector of singular values in
// non-increasing order, as returned by singular_values().
#include <armadillo>

namespace nrc {

// Singular values, descending (LAPACK divide and conquer). Throws std::runtime_error if LAPACK
// fails and invalid_argument on non-finite entries.
arma::vec singular_values(const arma::mat& A);

// Thin SVD A = U diag(s) Vᵀ with U m×p, V n×p, p = min(m, n), s descending (LAPACK divide and
// conquer). Same failure behaviour as singular_values().
struct ThinSvd {
  arma::mat U, V;
  arma::vec s;
};
ThinSvd thin_svd(const arma::mat& A);

// Eckart–Young: min_{rank Z ≤ K} ‖A − Z‖_F = sqrt(Σ_{j>K} s_j²).
double distance_to_rank(const arma::vec& s, arma::uword K);
// Figure 1's Σ_{j>K} s_j² / Σ_j s_j² (0 for the zero matrix).
double tail_energy_ratio(const arma::vec& s, arma::uword K);
// Eq. (22): e(r) = Σ_{i≥r} s_i / Σ_i s_i, r 1-based, 1 ≤ r ≤ n+1 (e(n+1) = 0; 0 for the zero matrix).
double tail_error(const arma::vec& s, arma::uword r);
// rk(ε) = min{r ≥ 1 : e(r) ≤ ε}, exactly as the paper defines it; note that it keeps rk(ε) − 1
// singular values (s_1 … s_{r−1}). ε ∈ [0, 1].
arma::uword soft_rank(const arma::vec& s, double eps);
// Σ s_j² / s_1² (0 for the zero matrix).
double stable_rank(const arma::vec& s);
// Tolerance policy of numerical rank: s_1 · max(m, n) · ε_machine (as MATLAB/NumPy).
double numerical_rank_tolerance(const arma::vec& s, arma::uword m, arma::uword n);
// #{j : s_j > numerical_rank_tolerance(s, m, n)}.
arma::uword numerical_rank(const arma::vec& s, arma::uword m, arma::uword n);

}  // namespace nrc
