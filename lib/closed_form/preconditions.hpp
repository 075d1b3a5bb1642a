#pragma once
// Preconditions of Section 5's closed forms, shared word for word by the double path
// (lib/closed_form) and the 50-digit path (lib/mp), which pass their own function names.
#include <cmath>

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

}  // namespace nrc::closed_form_detail
