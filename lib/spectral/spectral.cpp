#include "lib/spectral/spectral.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "lib/common/error.hpp"

namespace nrc {

namespace {

void require_finite_matrix(const arma::mat& A, const char* fn) {
  require(A.is_finite(), fn, "expected a matrix with finite entries, got a non-finite entry");
}

// Every diagnostic below relies on s being a spectrum; a vector in the wrong order would give
// plausible-looking but wrong numbers, so it is rejected rather than sorted.
void require_spectrum(const arma::vec& s, const char* fn) {
  for (arma::uword j = 0; j < s.n_elem; ++j) {
    require(std::isfinite(s(j)) && s(j) >= 0, fn,
            "expected finite non-negative singular values, got s[{}] = {}", j, s(j));
    if (j > 0) {
      require(s(j) <= s(j - 1), fn,
              "expected singular values in non-increasing order, got s[{}] = {} > s[{}] = {}", j,
              s(j), j - 1, s(j - 1));
    }
  }
}

// Σ_{j ≥ from} (s_j / s_0)², summed from the smallest term up. Scaling by s_0 keeps squares of
// very large or very small singular values representable; summing upward keeps small tails
// from being absorbed one by one into a large partial sum.
double scaled_tail_energy(const arma::vec& s, arma::uword from) {
  double acc = 0;
  for (arma::uword j = s.n_elem; j > from; --j) {
    const double t = s(j - 1) / s(0);
    acc += t * t;
  }
  return acc;
}

// suffix[r-1] = Σ_{i ≥ r} s_i (1-based r, 1 ≤ r ≤ n+1), accumulated from the back. The same
// accumulation serves tail_error and soft_rank so that rk(ε) agrees with e(r) bit for bit, and
// each suffix sum is ≥ the next one in floating point, so e(r) is non-increasing as computed.
std::vector<double> suffix_sums(const arma::vec& s) {
  std::vector<double> suffix(s.n_elem + 1, 0.0);
  for (arma::uword j = s.n_elem; j > 0; --j) suffix[j - 1] = suffix[j] + s(j - 1);
  return suffix;
}

}  // namespace

arma::vec singular_values(const arma::mat& A) {
  require_finite_matrix(A, "singular_values");
  arma::vec s;
  // Armadillo 11's values-only svd() calls LAPACK gesdd (divide and conquer) with jobz = 'N'.
  if (!arma::svd(s, A)) {
    throw std::runtime_error("nrc::singular_values(): LAPACK gesdd failed to converge");
  }
  return s;
}

ThinSvd thin_svd(const arma::mat& A) {
  require_finite_matrix(A, "thin_svd");
  ThinSvd out;
  if (A.is_empty()) {
    out.U.zeros(A.n_rows, 0);
    out.V.zeros(A.n_cols, 0);
    return out;
  }
  if (!arma::svd_econ(out.U, out.s, out.V, A, "both", "dc")) {
    throw std::runtime_error("nrc::thin_svd(): LAPACK gesdd failed to converge");
  }
  return out;
}

double distance_to_rank(const arma::vec& s, arma::uword K) {
  require_spectrum(s, "distance_to_rank");
  if (K >= s.n_elem || s(0) == 0) return 0.0;
  return s(0) * std::sqrt(scaled_tail_energy(s, K));
}

double tail_energy_ratio(const arma::vec& s, arma::uword K) {
  require_spectrum(s, "tail_energy_ratio");
  if (K >= s.n_elem || s(0) == 0) return 0.0;
  return scaled_tail_energy(s, K) / scaled_tail_energy(s, 0);
}

double tail_error(const arma::vec& s, arma::uword r) {
  require_spectrum(s, "tail_error");
  require(r >= 1 && r <= s.n_elem + 1, "tail_error", "expected 1 ≤ r ≤ n + 1 = {}, got r = {}",
          s.n_elem + 1, r);
  const std::vector<double> suffix = suffix_sums(s);
  if (suffix[0] == 0) return 0.0;
  return suffix[r - 1] / suffix[0];
}

arma::uword soft_rank(const arma::vec& s, double eps) {
  require_spectrum(s, "soft_rank");
  require(eps >= 0 && eps <= 1, "soft_rank", "expected ε ∈ [0, 1], got ε = {}", eps);
  const std::vector<double> suffix = suffix_sums(s);
  if (suffix[0] == 0) return 1;
  // e(n+1) = 0 ≤ ε, so the loop always returns; the search is over r = 1 … n+1.
  for (arma::uword r = 1; r <= s.n_elem; ++r) {
    if (suffix[r - 1] / suffix[0] <= eps) return r;
  }
  return s.n_elem + 1;
}

double stable_rank(const arma::vec& s) {
  require_spectrum(s, "stable_rank");
  if (s.is_empty() || s(0) == 0) return 0.0;
  return scaled_tail_energy(s, 0);
}

double numerical_rank_tolerance(const arma::vec& s, arma::uword m, arma::uword n) {
  require_spectrum(s, "numerical_rank_tolerance");
  require(s.n_elem <= std::min(m, n), "numerical_rank_tolerance",
          "expected at most min(m, n) = {} singular values, got {}", std::min(m, n), s.n_elem);
  if (s.is_empty()) return 0.0;
  return s(0) * static_cast<double>(std::max(m, n)) * std::numeric_limits<double>::epsilon();
}

arma::uword numerical_rank(const arma::vec& s, arma::uword m, arma::uword n) {
  const double tol = numerical_rank_tolerance(s, m, n);
  // s is non-increasing, so the count is the length of the prefix above the tolerance.
  arma::uword r = 0;
  while (r < s.n_elem && s(r) > tol) ++r;
  return r;
}

}  // namespace nrc
