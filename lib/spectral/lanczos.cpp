// Lanczos extremes (see lanczos.hpp).
#include "lib/spectral/lanczos.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "lib/common/error.hpp"
#include "lib/common/rng.hpp"

namespace nrc {

namespace {

// The extreme Ritz pairs of the first k steps (α, β of the recurrence); the vector only if asked.
LanczosResult ritz(const arma::vec& alpha, const arma::vec& beta, const arma::mat& Q, arma::uword k, bool vector) {
  arma::mat T(k, k, arma::fill::zeros);
  for (arma::uword i = 0; i < k; ++i) {
    T(i, i) = alpha(i);
    if (i + 1 < k) T(i, i + 1) = T(i + 1, i) = beta(i);
  }
  arma::vec theta;
  arma::mat S;
  require(arma::eig_sym(theta, S, T), "lanczos_extremes",
          "expected the tridiagonal eigenproblem to converge, got a LAPACK failure");
  LanczosResult r;
  r.steps = static_cast<int>(k);
  const arma::uword lo = 0, hi = k - 1;   // eig_sym sorts ascending
  r.min = theta(lo);
  r.max = theta(hi);
  r.min_residual = beta(k - 1) * std::abs(S(k - 1, lo));
  r.max_residual = beta(k - 1) * std::abs(S(k - 1, hi));
  if (vector) r.min_vector = arma::mat(const_cast<double*>(Q.memptr()), Q.n_rows, k, false, true) * S.col(lo);
  return r;
}

}  // namespace

LanczosResult lanczos_extremes(const std::function<arma::vec(const arma::vec&)>& A, arma::uword n, int steps,
                               std::uint64_t seed, const std::function<bool(const LanczosResult&)>& enough) {
  constexpr std::string_view fn = "lanczos_extremes";
  require(n >= 1, fn, "expected an operator of size n ≥ 1, got 0");
  require(steps >= 1, fn, "expected steps ≥ 1, got {}", steps);
  const arma::uword k_max = std::min<arma::uword>(static_cast<arma::uword>(steps), n);
  Engine rng(seed);
  arma::mat Q(n, k_max + 1, arma::fill::none);
  Q.col(0) = randn(n, 1, rng);
  Q.col(0) /= arma::norm(Q.col(0));
  arma::vec alpha(k_max, arma::fill::zeros), beta(k_max, arma::fill::zeros);
  arma::uword k = 0;
  double scale = 0;   // max |α|, |β| so far: what "β = 0" is measured against
  while (k < k_max) {
    arma::vec w = A(Q.col(k));
    require(w.n_elem == n, fn, "expected products of length {}, got {}", n, w.n_elem);
    require(w.is_finite(), fn, "expected finite products, got a non-finite entry at step {}", k + 1);
    alpha(k) = arma::dot(Q.col(k), w);
    // Full reorthogonalisation, twice ("twice is enough", Parlett), on an alias of the first k + 1
    // columns (a subview would be copied into each product).
    const arma::mat Qk(Q.memptr(), n, k + 1, false, true);
    for (int pass = 0; pass < 2; ++pass) w -= Qk * (Qk.t() * w);
    beta(k) = arma::norm(w);
    scale = std::max({scale, std::abs(alpha(k)), beta(k)});
    ++k;
    if (beta(k - 1) <= 64 * std::numeric_limits<double>::epsilon() * scale) break;   // invariant subspace
    if (enough && k % 10 == 0 && k < k_max && enough(ritz(alpha, beta, Q, k, false))) break;
    Q.col(k) = w / beta(k - 1);
  }
  return ritz(alpha, beta, Q, k, true);
}

}  // namespace nrc
