#include "lib/closed_form/ridge.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "lib/cluster/cluster.hpp"
#include "lib/closed_form/preconditions.hpp"
#include "lib/common/error.hpp"
#include "lib/spectral/spectral.hpp"

namespace nrc {

namespace {

using closed_form_detail::require_data;
using closed_form_detail::require_lambda;

void require_theta(const arma::mat& theta, const arma::mat& X, const arma::mat& Y, const char* fn) {
  require(theta.n_rows == Y.n_rows && theta.n_cols == X.n_rows, fn,
          "expected θ of shape c×d = {}×{}, got {}×{}", Y.n_rows, X.n_rows, theta.n_rows,
          theta.n_cols);
  require(theta.is_finite(), fn, "expected finite entries in θ, got a non-finite entry");
}

void require_solved(const RidgeSystem& sys, arma::uword K, const char* fn) {
  require(!sys.s.is_empty() && sys.gram_inv_sqrt.n_rows == sys.X.n_rows, fn,
          "expected a RidgeSystem returned by solve_ridge(), got an unsolved one");
  require(K >= 1, fn, "expected rank K ≥ 1, got K = 0");
}

// G = A Aᵀ + NλI, made exactly symmetric: eig_sym and the Cholesky solve read one triangle,
// and both triangles should describe the same matrix.
arma::mat regularized_gram(const arma::mat& A, double n_lambda) {
  arma::mat G = A * A.t();
  G = 0.5 * (G + G.t());
  G.diag() += n_lambda;
  return G;
}

// G⁻¹ B for SPD G via a Cholesky-based solve (never an explicit inverse). no_approx makes a
// numerically singular G an error instead of a silent least-squares answer.
arma::mat solve_spd(const arma::mat& G, const arma::mat& B, const char* fn) {
  arma::mat Z;
  const bool ok = arma::solve(Z, G, B, arma::solve_opts::likely_sympd + arma::solve_opts::no_approx);
  if (!ok) {
    throw std::runtime_error(fmt::format(
        "nrc::{}(): X Xᵀ + NλI is numerically singular (reciprocal condition below machine ε)", fn));
  }
  return Z;
}

}  // namespace

arma::mat augmented_inputs(const arma::mat& X, double lambda) {
  require_lambda(lambda, "augmented_inputs");
  require(X.is_finite(), "augmented_inputs", "expected finite entries in X, got a non-finite entry");
  const double scale = std::sqrt(static_cast<double>(X.n_cols) * lambda);
  return arma::join_rows(X, scale * arma::eye(X.n_rows, X.n_rows));
}

arma::mat augmented_targets(const arma::mat& Y, arma::uword d) {
  return arma::join_rows(Y, arma::zeros(Y.n_rows, d));
}

RidgeSystem solve_ridge(const arma::mat& X, const arma::mat& Y, double lambda) {
  require_data(X, Y, "solve_ridge");
  require_lambda(lambda, "solve_ridge");
  const double N = static_cast<double>(X.n_cols);

  RidgeSystem sys;
  sys.X = X;
  sys.Y = Y;
  sys.lambda = lambda;
  sys.gram = regularized_gram(X, N * lambda);

  arma::vec evals;
  arma::mat evecs;
  if (!arma::eig_sym(evals, evecs, sys.gram, "dc")) {
    throw std::runtime_error("nrc::solve_ridge(): LAPACK eigendecomposition of X Xᵀ + NλI failed");
  }
  // In exact arithmetic every eigenvalue is ≥ Nλ > 0; a non-positive computed one means Nλ is
  // below the rounding level of ‖X Xᵀ‖ and G^{-1/2} would be meaningless.
  if (!(evals(0) > 0)) {
    throw std::runtime_error(fmt::format(
        "nrc::solve_ridge(): X Xᵀ + NλI is numerically singular (λ_min = {}, λ_max = {})", evals(0),
        evals(evals.n_elem - 1)));
  }
  sys.gram_condition = evals(evals.n_elem - 1) / evals(0);
  sys.gram_inv_sqrt = evecs * arma::diagmat(1.0 / arma::sqrt(evals)) * evecs.t();
  sys.gram_inv_sqrt = 0.5 * (sys.gram_inv_sqrt + sys.gram_inv_sqrt.t());

  // Y_λ X_λᵀ = Y Xᵀ (the zero block of Y_λ meets the √(Nλ) I block of X_λ).
  const arma::mat YXt = Y * X.t();
  sys.Q = YXt * sys.gram_inv_sqrt;
  ThinSvd svd = thin_svd(sys.Q);
  sys.U = std::move(svd.U);
  sys.s = std::move(svd.s);
  sys.V = std::move(svd.V);
  // θ*ᵀ = G⁻¹ (Y Xᵀ)ᵀ, G symmetric.
  sys.theta = solve_spd(sys.gram, YXt.t(), "solve_ridge").t();
  return sys;
}

arma::mat rank_constrained_solution(const RidgeSystem& sys, arma::uword K) {
  require_solved(sys, K, "rank_constrained_solution");
  const arma::uword k = std::min<arma::uword>(K, sys.s.n_elem);
  // (U_k diag(s_k)) (V_kᵀ G^{-1/2}): the product goes through a k-dimensional inner space, so
  // the result has rank ≤ k up to the rounding of one GEMM.
  const arma::mat left = sys.U.head_cols(k) * arma::diagmat(sys.s.head(k));
  const arma::mat right = sys.V.head_cols(k).t() * sys.gram_inv_sqrt;
  return left * right;
}

double rank_constrained_min_loss(const RidgeSystem& sys, arma::uword K) {
  require_solved(sys, K, "rank_constrained_min_loss");
  const arma::uword k = std::min<arma::uword>(K, sys.s.n_elem);
  const double kept = arma::accu(arma::square(sys.s.head(k)));
  return (arma::accu(arma::square(sys.Y)) - kept) / static_cast<double>(sys.Y.n_cols);
}

arma::mat centroid_solution(const arma::mat& X, const arma::mat& Y, const arma::uvec& labels,
                            double lambda) {
  require_data(X, Y, "centroid_solution");
  require_lambda(lambda, "centroid_solution");
  require(labels.n_elem == X.n_cols, "centroid_solution",
          "expected one label per sample (N = {}), got {} labels", X.n_cols, labels.n_elem);
  const arma::mat Xbar = replicate_centroids(X, labels);
  const arma::mat Ybar = replicate_centroids(Y, labels);
  // Eq. (21) keeps the full-data N in NλI: the centroid loss weights block k by π_k = N_k/N.
  const double N = static_cast<double>(X.n_cols);
  const arma::mat G = regularized_gram(Xbar, N * lambda);
  // Ȳ (G⁻¹X̄)ᵀ rather than (Ȳ X̄ᵀ) G⁻¹: Ȳ has only as many distinct columns as blocks, so the
  // product has rank ≤ blocks whatever the solve's rounding; the other order spreads the solve's
  // O(ε·κ₂(G)) error over all d directions and the rank bound fails numerically.
  return Ybar * solve_spd(G, Xbar, "centroid_solution").t();
}

double ridge_loss(const arma::mat& theta, const arma::mat& X, const arma::mat& Y, double lambda) {
  require_data(X, Y, "ridge_loss");
  require_theta(theta, X, Y, "ridge_loss");
  require(std::isfinite(lambda) && lambda >= 0, "ridge_loss", "expected finite λ ≥ 0, got λ = {}",
          lambda);
  const double N = static_cast<double>(X.n_cols);
  return arma::accu(arma::square(Y - theta * X)) / N + lambda * arma::accu(arma::square(theta));
}

arma::mat ridge_gradient(const arma::mat& theta, const arma::mat& X, const arma::mat& Y, double lambda) {
  require_data(X, Y, "ridge_gradient");
  require_theta(theta, X, Y, "ridge_gradient");
  require(std::isfinite(lambda) && lambda >= 0, "ridge_gradient",
          "expected finite λ ≥ 0, got λ = {}", lambda);
  const double N = static_cast<double>(X.n_cols);
  return (-2.0 / N) * (Y - theta * X) * X.t() + 2.0 * lambda * theta;
}

}  // namespace nrc
