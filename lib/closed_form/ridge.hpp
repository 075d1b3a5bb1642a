#pragma once
// Section 5: the linear model θ ∈ R^{c×d}, L_λ(θ) = (1/N)‖Y − θX‖_F² + λ‖θ‖_F² (eq. 19) and its
// closed-form minimizers (Theorem 5.1 with Remark 5.2, eqs. 18, 20, 21, 35, 36).
#include <armadillo>

namespace nrc {

// X_λ = [X, √(Nλ) I] (d×(N+d)) and Y_λ = [Y, 0] (c×(N+d)), eq. (18). augmented_inputs needs λ > 0.
arma::mat augmented_inputs(const arma::mat& X, double lambda);
arma::mat augmented_targets(const arma::mat& Y, arma::uword d);

// Everything Section 5 derives from one (X, Y, λ), computed once.
struct RidgeSystem {
  arma::mat X, Y;
  double lambda = 0;
  arma::mat gram;            // X_λ X_λᵀ = X Xᵀ + NλI  (d×d, SPD)
  arma::mat gram_inv_sqrt;   // (X_λ X_λᵀ)^{-1/2}
  double gram_condition = 0; // κ₂(X_λ X_λᵀ)
  arma::mat Q;               // Q_λ = Y_λ X_λᵀ (X_λ X_λᵀ)^{-1/2} = Y Xᵀ (XXᵀ + NλI)^{-1/2}  (c×d), eq. (36)
  arma::mat U, V;            // Q_λ = U diag(s) Vᵀ (thin SVD)
  arma::vec s;
  arma::mat theta;           // θ* = Y Xᵀ (X Xᵀ + NλI)^{-1}, eq. (21)
};
// Throws invalid_argument if X, Y have different column counts, N = 0, an entry is non-finite,
// or λ ≤ 0 (or non-finite).
RidgeSystem solve_ridge(const arma::mat& X, const arma::mat& Y, double lambda);

// θ*_K = [Q_λ]_K (X_λ X_λᵀ)^{-1/2}: global minimizer of L_λ on rank ≤ K (eq. 35). K ≥ 1.
arma::mat rank_constrained_solution(const RidgeSystem& sys, arma::uword K);
// Its loss by Theorem 5.1 (Remark 5.2, with the 1/N of eq. 19): (1/N)(‖Y‖_F² − Σ_{j≤K} s_j²).
double rank_constrained_min_loss(const RidgeSystem& sys, arma::uword K);

// θ*_C: minimizer of the centroid loss (eq. 8 with squared loss), i.e. ridge on the replicated
// centroids X̄, Ȳ (eqs. 20–21): Ȳ X̄ᵀ (X̄ X̄ᵀ + NλI)^{-1}. rank ≤ number of blocks.
arma::mat centroid_solution(const arma::mat& X, const arma::mat& Y, const arma::uvec& labels,
                            double lambda);

// L_λ(θ) of eq. (19) and its gradient −(2/N)(Y − θX)Xᵀ + 2λθ. λ = 0 is allowed here (L_0, the
// unregularized loss); θ must be c×d.
double ridge_loss(const arma::mat& theta, const arma::mat& X, const arma::mat& Y, double lambda);
arma::mat ridge_gradient(const arma::mat& theta, const arma::mat& X, const arma::mat& Y, double lambda);

}  // namespace nrc
