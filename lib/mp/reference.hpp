#pragma once
// The reference-precision path: Section 5's closed forms in 50 significant digits
// (Boost.Multiprecision cpp_bin_float_50 scalars, Eigen 3.4 decompositions; JacobiSVD only, since
// Debian's Boost 1.74 cannot instantiate Eigen's BDCSVD or SelfAdjointEigenSolver for it).
// Inputs are double matrices, converted exactly; every later operation is in Real. Used by the
// judge to decide instances whose double-precision verdict lies within rounding of the bound.
#include <vector>

#include <armadillo>
#include <boost/multiprecision/cpp_bin_float.hpp>
#include <boost/multiprecision/eigen.hpp>
#include <Eigen/Core>

namespace nrc::mp {

using Real = boost::multiprecision::cpp_bin_float_50;
using Matrix = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>;
using Vector = Eigen::Matrix<Real, Eigen::Dynamic, 1>;

Matrix from_arma(const arma::mat& A);   // exact
arma::mat to_arma(const Matrix& A);     // each entry rounded to the nearest double

// Singular values, descending (JacobiSVD).
Vector singular_values(const Matrix& A);
Real frobenius(const Matrix& A);

// Mirrors lib/closed_form/ridge.hpp (same definitions, same preconditions and errors).
struct RidgeSystem {
  Matrix X, Y;
  Real lambda;
  Matrix gram_inv_sqrt;   // (X_λ X_λᵀ)^{-1/2}
  Matrix Q;               // Q_λ = U diag(s) Vᵀ (thin)
  Matrix U, V;
  Vector s;
  Matrix theta;           // θ*
};
RidgeSystem solve_ridge(const arma::mat& X, const arma::mat& Y, double lambda);
Matrix rank_constrained_solution(const RidgeSystem& sys, arma::uword K);
Real rank_constrained_min_loss(const RidgeSystem& sys, arma::uword K);
// Theorem 5.1's critical points: Σ_j s_{i_j} u_{i_j} v_{i_j}ᵀ (X_λX_λᵀ)^{-1/2}, indices 0-based, distinct.
Matrix critical_point(const RidgeSystem& sys, const std::vector<arma::uword>& indices);
Matrix centroid_solution(const arma::mat& X, const arma::mat& Y, const arma::uvec& labels, double lambda);
// L_λ(θ) = (1/N)‖Y − θX‖_F² + λ‖θ‖_F² for a θ given in double (converted exactly) or in Real.
Real ridge_loss(const Matrix& theta, const arma::mat& X, const arma::mat& Y, double lambda);
// Eq. (6) over the columns of P, blocks = distinct labels.
Real wcss(const arma::mat& P, const arma::uvec& labels);
// Each column replaced by its block's centroid, computed in Real: X̄, Ȳ of eq. (20) (for
// Theorem 5.3's ‖X̄‖_F‖Ȳ‖_F). Same preconditions as wcss.
Matrix replicate_centroids(const arma::mat& P, const arma::uvec& labels);
// Σ_{j>K} σ_j(A)².
Real tail_energy(const Matrix& A, arma::uword K);

// Deep linear networks (lib/closed_form/deep_linear.hpp): the minimum value of deep_linear_minimum()
// (same preconditions, whitened X), as (1/N)‖Y‖² − Σ_i a_i² + Σ_i φ_i(s_i) with the scalar problems
// solved by the same template in Real.
Real deep_linear_min_value(const arma::mat& X, const arma::mat& Y, double lambda, unsigned L, arma::uword max_rank);
// L_λ of eq. (3), squared loss, for the identity-activation network z^l = W_l z^{l−1} + b_l (b empty:
// no biases; else one per layer): (1/N)‖Y − z^L‖² + λ Σ_l (‖W_l‖² + ‖b_l‖²).
Real linear_network_loss(const std::vector<arma::mat>& W, const std::vector<arma::vec>& b, const arma::mat& X,
                         const arma::mat& Y, double lambda);

}  // namespace nrc::mp
