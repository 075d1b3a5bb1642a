#pragma once
// The extreme eigenvalues of a symmetric operator known only through products v ↦ Av: Lanczos
// with full reorthogonalisation (Golub & Van Loan, Matrix Computations, 4th ed., §10.1).
//
// After k steps from a unit start q₁, A Q_k = Q_k T_k + β_k q_{k+1} e_kᵀ with T_k tridiagonal;
// each eigenpair (θ, s) of T_k gives a Ritz pair (θ, y = Q_k s) with
//   θ = yᵀAy  (a Rayleigh quotient, so λ_min(A) ≤ θ_min and θ_max ≤ λ_max(A)), and
//   ‖Ay − θy‖ = β_k |e_kᵀ s|  (so A has an eigenvalue within that residual of θ).
// What the residual cannot say is that no eigenvalue lies beyond θ_min or θ_max: an extreme
// eigenvector nearly orthogonal to the random start is found late. For a Gaussian start the chance
// of that after k steps is small (Kuczyński & Woźniakowski 1992), but it is a probability, not a
// bound. Full reorthogonalisation costs O(n·k²) flops and n·k doubles, negligible beside the
// products for the sizes here (n ≤ ~10⁶, k ≤ ~100).
#include <cstdint>
#include <functional>

#include <armadillo>

namespace nrc {

struct LanczosResult {
  double min = 0, max = 0;                    // θ_min and θ_max
  double min_residual = 0, max_residual = 0;  // ‖Ay − θy‖ of their Ritz vectors
  int steps = 0;                              // products with A (fewer than asked: invariant subspace)
  arma::vec min_vector;                       // the unit Ritz vector of θ_min
};

// At most k = min(steps, n) Lanczos steps on the n×n operator A from a Gaussian start drawn from
// seed; with `enough`, the Ritz values are formed every 10 steps and the run ends as soon as it
// returns true for them (min_vector is then not formed for the check, only for the result).
// Throws invalid_argument on n = 0, steps < 1, a product of the wrong length or a non-finite one.
LanczosResult lanczos_extremes(const std::function<arma::vec(const arma::vec&)>& A, arma::uword n, int steps,
                               std::uint64_t seed,
                               const std::function<bool(const LanczosResult&)>& enough = {});

}  // namespace nrc
