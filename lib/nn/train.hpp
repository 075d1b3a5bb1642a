#pragma once
// Training an eq. (1) network to a stationary point of L_λ, eq. (3):
//   L_λ(Θ) = (1/N) Σ_i ℓ(f(Θ, x_i), y_i) + λ Σ_l (‖W_l‖_F² + ‖b_l‖²),
// stopping on the relative criterion of the checks, ‖∇L_λ(Θ)‖ ≤ tol·‖2λΘ‖: at a stationary point
// ∇L_0 = −2λΘ (eq. (4) up to its factor 2), so the ratio measures how far that identity fails.
//
// Runs are resumable: with a checkpoint path, a run killed at any moment and restarted with the
// same net (initial parameters), data and options continues from its last checkpoint and ends with
// parameters bit-identical to an uninterrupted run (same machine and BLAS threading).
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <armadillo>

#include "lib/nn/mlp.hpp"

namespace nrc {

enum class TrainMethod {
  Newton,            // L-BFGS as below until a chunk of checkpoint_every iterations ends at
                     // stationarity ≤ 1e-3 (or its line search stalls), then trust-region Newton–CG
                     // on exact Hessian products (lib/optim/newton.hpp) to the end: quadratic
                     // convergence in the last digits, below L-BFGS' rounding stall, and no stall
                     // at saddles. The default.
  LBFGS,             // liblbfgs on the flattened Θ, restarted every checkpoint_every iterations;
                     // once its line search stalls (L_λ's decrease below rounding), a gradient-only
                     // L-BFGS polish takes over (train.cpp)
  GradientDescent,   // Θ ← Θ − η∇L_λ(Θ), full batch
  SGD                // Θ ← Θ − η∇[(1/B)Σ_{i∈batch} ℓ_i + λ‖Θ‖²], per-epoch reshuffle
};

struct TrainProgress {
  std::uint64_t iteration = 0;   // iterations completed (≥ 1)
  double loss = 0;               // full-batch L_λ at the current Θ
  double grad_norm = 0;          // full-batch ‖∇L_λ‖₂
  double stationarity = 0;       // ‖∇L_λ‖ / max(‖2λΘ‖, DBL_MIN)
};

struct TrainOptions {
  TrainMethod method = TrainMethod::Newton;
  Loss loss = Loss::SquaredError;
  double lambda = 1e-3;              // > 0: the stopping rule divides by ‖2λΘ‖
  double stationarity_tol = 1e-9;    // stop when ‖∇L_λ(Θ)‖ ≤ tol·‖2λΘ‖ (0: run to the budget/stall)
  // In total, counting those before a resume. Method newton's trust-region iterations count 1 plus
  // their Hessian products each, so its budget is in gradient-sized units like L-BFGS' (its last
  // chunk may end a few units past it).
  std::uint64_t max_iterations = 100000;
  double learning_rate = 1e-2;       // GD and SGD
  arma::uword batch_size = 32;       // SGD (the last batch of an epoch holds the N mod B rest)
  std::uint64_t seed = 1;            // SGD sample order (its own Engine; no global state)
  std::string checkpoint_path;       // empty: no checkpoints
  // Iterations between checkpoints, and between L-BFGS restarts whether or not checkpoints are
  // written (liblbfgs' memory cannot be saved, so every run restarts at the same iterations).
  // The Newton phase checkpoints every max(1, checkpoint_every/20) trust-region iterations (each
  // costs up to 250 Hessian products); its trust radius is in the checkpoint, so chunks do not
  // change its trajectory.
  std::uint64_t checkpoint_every = 200;
  // Lanczos steps (Hessian products) for the second-order certificate at the returned Θ (see
  // Curvature); a saddle ends it early (checked every 10 steps: a Rayleigh quotient below zero is
  // final), a minimum is only called after all of them (θ_min falls as steps are added, so an early
  // positive θ_min proves nothing). 0 skips it. Not part of the trajectory.
  int curvature_steps = 300;
  // After every iteration (L-BFGS, GD) or after each full-batch check (SGD: once per epoch), with
  // full-batch values; may be empty. An exception thrown here aborts train() (checkpoints already
  // written stay valid) and propagates.
  std::function<void(const TrainProgress&)> progress;
};

enum class TrainStatus {
  Stationary,      // ‖∇L_λ‖ ≤ stationarity_tol·‖2λΘ‖
  MaxIterations,   // budget spent
  Diverged,        // non-finite loss/gradient, or L_λ > kTrainBlowup·L_λ(Θ_0)
  Stalled          // L-BFGS: the polish could not move from a fresh restart (∇L_λ at rounding level)
};

// GD/SGD divergence threshold on the full-batch loss, relative to the loss at iteration 0 (see
// train.cpp for why 1e6).
inline constexpr double kTrainBlowup = 1e6;

// The second-order certificate of a trained point: the extreme eigenvalues of ∇²L_λ(Θ) by Lanczos
// on exact Hessian products (lib/spectral/lanczos.hpp, from a Gaussian start seeded by the
// options' seed). θ_min is a Rayleigh quotient, so λ_min ≤ θ_min up to the rounding of the
// products, `rounding` = 4L·(N + max_l n_l)·ε·max|θ| (the GEMMs' inner dimensions, L layers, the
// forward and backward pass). Hence:
//   Saddle    θ_min < −rounding: a direction of negative curvature, exactly so up to rounding;
//   Minimum   θ_min − residual_min > rounding: Lanczos' smallest eigenvalue is positive beyond its
//             residual. Lanczos could still miss a smaller eigenvalue (a probability, not a bound,
//             lanczos.hpp); with ‖∇L_λ‖ = g small and the Hessian positive definite near Θ, a strict
//             local minimum lies within about g/θ_min of Θ;
//   Undecided otherwise (θ_min within its residual of 0, or not computed).
enum class CurvatureKind { Undecided, Minimum, Saddle };
std::string_view name(CurvatureKind k);   // "undecided", "minimum", "saddle"

struct Curvature {
  CurvatureKind kind = CurvatureKind::Undecided;
  double min = 0, max = 0;                    // θ_min, θ_max (Ritz values)
  double min_residual = 0, max_residual = 0;  // their Lanczos residuals
  double rounding = 0;                        // error of a Rayleigh quotient from rounding
  int products = 0;                           // Hessian products spent (0: not computed)
};

// The certificate at net's parameters (steps Lanczos steps from a start drawn from seed, fewer at
// a saddle). Throws
// invalid_argument as regularized_loss does, and on steps < 1.
Curvature certify_curvature(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y, double lambda,
                            int steps, std::uint64_t seed);

struct TrainResult {
  TrainStatus status = TrainStatus::MaxIterations;
  std::uint64_t iterations = 0;    // in total, including those before a resume (budget units, above)
  std::uint64_t evaluations = 0;   // loss+gradient evaluations in this call (full or mini-batch)
  double loss = 0;                 // full-batch L_λ, ‖∇L_λ‖ and stationarity at the returned Θ
  double grad_norm = 0;
  double stationarity = 0;
  bool resumed = false;            // started from a checkpoint
  std::uint64_t hessian_products = 0;   // in this call, the certificate's excluded
  Curvature curvature;             // at the returned Θ (products = 0 if not computed or Diverged)
  std::string message;             // one line, for records
};

std::string_view name(TrainMethod m);   // "newton", "lbfgs", "gd", "sgd"
std::string_view name(TrainStatus s);   // "stationary", "max_iterations", "diverged", "stalled"

// Minimizes L_λ from net's parameters. On entry net holds the initial parameters (part of the
// checkpoint fingerprint); on return the final ones — on Diverged the last iterate whose loss and
// gradient were finite. If train() throws, net is unchanged.
// With a checkpoint path: an existing checkpoint of this run (same network shape and initial
// parameters, X, Y, loss, λ, method and the options that shape the trajectory: learning_rate for
// GD/SGD, batch_size and seed for SGD, checkpoint_every for L-BFGS) is resumed; one of a different
// run, a truncated or corrupted one is refused (invalid_argument; delete it to start afresh).
// stationarity_tol and max_iterations may change between a run and its resume. The last
// checkpoint is kept on completion, so a rerun returns at once (resumed = true). Writes are atomic
// (lib/common/files.hpp: a temporary file beside it, fsync, rename).
// Throws invalid_argument on a bad network (from flatten), X/Y shapes not matching it, N = 0,
// non-finite X, Y or parameters, λ ≤ 0 or non-finite, tol < 0 or non-finite, max_iterations = 0,
// checkpoint_every = 0, curvature_steps < 0, and for GD/SGD learning_rate ≤ 0 or non-finite, for SGD batch_size 0 or
// > N, a checkpoint path that is not a regular file, or sizes that cannot fit in this machine's
// memory; WriteError if a checkpoint cannot be written.
TrainResult train(Mlp& net, const arma::mat& X, const arma::mat& Y, const TrainOptions& options);

}  // namespace nrc
