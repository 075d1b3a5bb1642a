#pragma once
// Preconditions of Section 5's closed forms, shared word for word by the double path
// (lib/closed_form) and the 50-digit path (lib/mp), which pass their own function names.
#include <cmath>
#include <limits>

#include <armadillo>

#include "lib/common/error.hpp"

namespace nrc::closed_form_detail {

inline void require_lambda(double lambda, const char* fn) {
  require(std::isfinite(lambda) && lambda > 0, fn, "expected finite λ > 0, got λ = {}", lambda);
}

inline void require_data(const arma::mat& X, const arma::mat& Y, const char* fn) {
  require(X.n_cols == Y.n_cols, fn,
          "expected X and Y with the same number of columns N, got {} and {}", X.n_cols, Y.n_cols);
  require(X.n_cols >= 1, fn, "expected N ≥ 1 samples, got N = 0");
  require(X.n_rows >= 1 && Y.n_rows >= 1, fn, "expected d ≥ 1 and c ≥ 1, got d = {}, c = {}",
          X.n_rows, Y.n_rows);
  require(X.is_finite(), fn, "expected finite entries in X, got a non-finite entry");
  require(Y.is_finite(), fn, "expected finite entries in Y, got a non-finite entry");
}

// Whitened inputs X Xᵀ = N·I, up to the rounding of forming X Xᵀ: |fl(XXᵀ) − XXᵀ| ≤ γ_N|X||X|ᵀ entrywise
// (Higham, Thm 3.5), doubled for margin. Otherwise invalid_argument naming the largest deviation.
inline void require_whitened(const arma::mat& X, const char* fn) {
  const double N = static_cast<double>(X.n_cols);
  const arma::mat G = X * X.t(), absG = arma::abs(X) * arma::abs(X).t();
  const double nu = N * std::numeric_limits<double>::epsilon() / 2, gamma_n = nu / (1 - nu);
  const arma::mat excess = arma::abs(G - N * arma::eye(G.n_rows, G.n_cols)) - 2 * gamma_n * absG;
  if (excess.max() <= 0) return;
  const arma::uword k = excess.index_max(), i = k % G.n_rows, j = k / G.n_rows;
  invalid_arg(fn, fmt::format("expected whitened inputs X Xᵀ = N·I (N = {}), got (X Xᵀ)_{{{},{}}} = {} against {}",
                              X.n_cols, i + 1, j + 1, G(k), i == j ? N : 0.0));
}

}  // namespace nrc::closed_form_detail
