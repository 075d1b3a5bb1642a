#include "lib/closed_form/deep_linear.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "lib/closed_form/preconditions.hpp"
#include "lib/spectral/spectral.hpp"

namespace nrc {

namespace {

using closed_form_detail::require_data;
using closed_form_detail::require_lambda;
using closed_form_detail::require_whitened;

// log a*(L, λ) = κ_L + e_L log λ (L ≥ 2).
double threshold_slope(unsigned L) { return L == 2 ? 1.0 : L / (2.0 * (L - 1)); }
double threshold_offset(unsigned L) {
  return L == 2 ? 0.0 : std::log((L - 1.0) / (L - 2.0)) + threshold_slope(L) * std::log(L - 2.0);
}

// Mode indices ordered by their gain min φ − a² (most negative first), the first max_rank switched on
// when their minimiser is positive.
arma::vec keep_best_modes(const std::vector<ScalarSolution<double>>& sol, const arma::vec& gains,
                          arma::uword max_rank) {
  arma::vec s(sol.size(), arma::fill::zeros);
  const arma::uvec order = arma::stable_sort_index(gains, "ascend");
  arma::uword on = 0;
  for (arma::uword k = 0; k < order.n_elem && on < max_rank; ++k) {
    const arma::uword i = order(k);
    if (sol[i].s > 0) {
      s(i) = sol[i].s;
      ++on;
    }
  }
  return s;
}

}  // namespace

double deep_linear_depth_crossover(unsigned L) {
  require(L >= 1, "deep_linear_depth_crossover", "expected L ≥ 1, got L = 0");
  if (L == 1) return std::numeric_limits<double>::infinity();
  return std::exp((threshold_offset(L + 1) - threshold_offset(L)) / (threshold_slope(L) - threshold_slope(L + 1)));
}

double balanced_penalty(const arma::mat& W, unsigned L) {
  require(L >= 1, "balanced_penalty", "expected depth L ≥ 1, got L = 0");
  require(W.is_finite(), "balanced_penalty", "expected finite entries in W, got a non-finite entry");
  const arma::vec s = singular_values(W);
  return L * arma::accu(arma::pow(s, 2.0 / L));
}

std::vector<arma::mat> balanced_factors(const arma::mat& W, const std::vector<arma::uword>& widths) {
  require(widths.size() >= 2, "balanced_factors", "expected widths {{d, …, c}} of depth L ≥ 1, got {} entries",
          widths.size());
  const unsigned L = static_cast<unsigned>(widths.size() - 1);
  require(W.n_rows == widths.back() && W.n_cols == widths.front(), "balanced_factors",
          "expected W of shape c×d = {}×{}, got {}×{}", widths.back(), widths.front(), W.n_rows, W.n_cols);
  require(W.is_finite(), "balanced_factors", "expected finite entries in W, got a non-finite entry");
  if (L == 1) return {W};
  const ThinSvd svd = thin_svd(W);
  const arma::mat &U = svd.U, &V = svd.V;
  const arma::vec& s = svd.s;
  const arma::uword r = numerical_rank(s, W.n_rows, W.n_cols);
  for (unsigned l = 1; l < L; ++l)
    require(widths[l] >= r, "balanced_factors", "expected hidden widths ≥ rank(W) = {}, got n_{} = {}", r, l,
            widths[l]);
  const arma::vec root = arma::pow(s.head(r), 1.0 / L);
  std::vector<arma::mat> F(L);
  F[0].zeros(widths[1], widths[0]);
  if (r > 0) F[0].head_rows(r) = arma::diagmat(root) * V.head_cols(r).t();
  for (unsigned l = 1; l + 1 < L; ++l) {
    F[l].zeros(widths[l + 1], widths[l]);
    if (r > 0) F[l].submat(0, 0, r - 1, r - 1) = arma::diagmat(root);
  }
  F[L - 1].zeros(widths[L], widths[L - 1]);
  if (r > 0) F[L - 1].head_cols(r) = U.head_cols(r) * arma::diagmat(root);
  return F;
}

double deep_linear_loss(const std::vector<arma::mat>& W, const arma::mat& X, const arma::mat& Y, double lambda) {
  require(!W.empty(), "deep_linear_loss", "expected depth L ≥ 1, got no layers");
  require(std::isfinite(lambda) && lambda >= 0, "deep_linear_loss", "expected finite λ ≥ 0, got λ = {}", lambda);
  require_data(X, Y, "deep_linear_loss");
  arma::mat Z = X;
  double penalty = 0;
  for (std::size_t l = 0; l < W.size(); ++l) {
    require(W[l].n_cols == Z.n_rows, "deep_linear_loss", "expected W_{} with {} columns, got {}", l + 1, Z.n_rows,
            W[l].n_cols);
    Z = W[l] * Z;
    penalty += arma::accu(arma::square(W[l]));
  }
  require(Z.n_rows == Y.n_rows, "deep_linear_loss", "expected W_L with {} rows (the rows of Y), got {}", Y.n_rows,
          Z.n_rows);
  return arma::accu(arma::square(Y - Z)) / static_cast<double>(X.n_cols) + lambda * penalty;
}

DeepLinearMinimum deep_linear_minimum(const arma::mat& X, const arma::mat& Y, double lambda, unsigned L,
                                      arma::uword max_rank) {
  const char* fn = "deep_linear_minimum";
  require_data(X, Y, fn);
  require_lambda(lambda, fn);
  require(L >= 1, fn, "expected depth L ≥ 1, got L = 0");
  require(max_rank >= 1, fn, "expected hidden widths ≥ 1, got max_rank = 0");
  require_whitened(X, fn);
  const double N = static_cast<double>(X.n_cols);
  DeepLinearMinimum m;
  m.A = Y * X.t() / N;
  ThinSvd svd = thin_svd(m.A);
  m.U = std::move(svd.U);
  m.V = std::move(svd.V);
  m.a = std::move(svd.s);
  std::vector<ScalarSolution<double>> sol;
  arma::vec gains(m.a.n_elem);
  for (arma::uword i = 0; i < m.a.n_elem; ++i) {
    sol.push_back(solve_deep_linear_scalar(m.a(i), lambda, L));
    gains(i) = sol[i].value - m.a(i) * m.a(i);
  }
  m.s = keep_best_modes(sol, gains, max_rank);
  m.rank = arma::accu(m.s > 0);
  arma::uword positive = 0;
  for (const auto& r : sol) positive += r.s > 0 ? 1 : 0;
  for (arma::uword i = 0; i < m.a.n_elem && L >= 2 && positive <= max_rank; ++i) {
    const ScalarSolution<double>& r = sol[i];
    const double si = m.s(i), at = deep_linear_phi(si, m.a(i), lambda, L);
    std::vector<double> alternatives;
    if (si > 0) alternatives.push_back(0);
    if (r.two_minima) alternatives.insert(alternatives.end(), {r.local_max, si > 0 ? r.local_max : r.other});
    for (double t : alternatives) {
      if (t == si) continue;
      m.margin = std::min(m.margin, std::abs(si - t));
      m.value_gap = std::min(m.value_gap, deep_linear_phi(t, m.a(i), lambda, L) - at);
    }
  }
  double least_on = m.a.is_empty() ? 0.0 : m.a.max();
  for (double si : m.s)
    if (si > 0) least_on = std::min(least_on, si);
  m.rank_threshold = std::min(m.margin, least_on) / 2;
  m.W = m.U * arma::diagmat(m.s) * m.V.t();
  m.value = arma::accu(arma::square(Y - m.W * X)) / N + lambda * L * arma::accu(arma::pow(m.s, 2.0 / L));
  return m;
}

arma::mat aligned_autoencoder_minimiser(const arma::mat& C, double lambda, unsigned L, arma::uword max_rank) {
  const char* fn = "aligned_autoencoder_minimiser";
  require(C.is_square() && !C.is_empty(), fn, "expected a square covariance C, got {}×{}", C.n_rows, C.n_cols);
  require(C.is_finite(), fn, "expected finite entries in C, got a non-finite entry");
  require_lambda(lambda, fn);
  require(L >= 1, fn, "expected depth L ≥ 1, got L = 0");
  arma::vec c;
  arma::mat Q;
  if (!arma::eig_sym(c, Q, arma::symmatu(C)))
    throw std::runtime_error("nrc::aligned_autoencoder_minimiser(): LAPACK eigendecomposition of C failed");
  std::vector<ScalarSolution<double>> sol;
  arma::vec gains(c.n_elem);
  for (arma::uword i = 0; i < c.n_elem; ++i) {
    // c_i(1 − s)² + λL s^{2/L} = c_i φ(s) with a = 1 and λ/c_i; a non-positive eigenvalue: s = 0.
    sol.push_back(c(i) > 0 ? solve_deep_linear_scalar(1.0, lambda / c(i), L) : ScalarSolution<double>{});
    gains(i) = c(i) > 0 ? c(i) * (sol[i].value - 1) : 0.0;
  }
  const arma::vec s = keep_best_modes(sol, gains, max_rank);
  return Q * arma::diagmat(s) * Q.t();
}

}  // namespace nrc
