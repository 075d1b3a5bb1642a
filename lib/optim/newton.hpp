#pragma once
// Trust-region Newton–CG (Steihaug–Toint) for the last digits of a stationary point.
//
// Each iteration solves the Newton system ∇²f(x) p = −∇f(x) approximately by conjugate gradients
// inside a trust region ‖p‖ ≤ Δ (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 7.2),
// needing only Hessian-vector products: CG stops at the boundary when it meets a direction of
// non-positive curvature dᵀHd ≤ 0 (so saddles are left along it, never stalled at), when its
// iterate leaves the region, or when ‖Hp + g‖ ≤ η‖g‖ with the forcing term
// η = min(1/2, √(‖g‖/‖g₀‖)) (g₀ the gradient at the call's start: superlinear convergence). The
// step is accepted when the actual decrease is at least 1e-4 of the model's; Δ shrinks to ‖p‖/4
// when the ratio ρ = actual/predicted is below 1/4 and doubles when ρ > 3/4 on the boundary
// (Alg. 4.1).
//
// Rounding. Near the minimum both decreases fall below the rounding noise of f (the ratio ρ
// becomes meaningless; this is where liblbfgs' line search stalls). When the predicted decrease is
// below kNoise·ε·|f|, the step is judged on the gradient instead: accepted iff ‖∇f(x + p)‖ < ‖∇f(x)‖
// and f did not rise beyond that noise, and Δ then updated as for ρ = 1 (grown on the boundary) or
// ρ < 0; an accepted step also raises Δ to at least max(‖x‖, 1)/10. f can no longer calibrate the
// radius there, and the radius it left (often the Cauchy step's length, ~‖g‖/λ_max) would confine
// CG to its first direction: steepest descent on ‖∇f‖, crawling ~1% an iteration (measured: 4,000
// such iterations on two thm_3_4 instances, 12 with the raise). With room, CG runs to its forcing
// term and the step is an inexact Newton step, judged on the gradient. The gradient stays accurate
// far below the point where f's differences drown, so the stopping rule (typically relative
// stationarity) can be met there. Stalled means Δ fell below the
// spacing of the doubles around x, or 20 gradient-judged iterations in a row did not halve ‖∇f‖
// (its rounding level: accepted noise would otherwise walk on forever).
#include <functional>
#include <limits>
#include <string>

#include <armadillo>

#include "lib/optim/lbfgs.hpp"
#include "lib/optim/status.hpp"

namespace nrc {

// v ↦ ∇²f(x)·v at one fixed x.
using HessianProduct = std::function<arma::vec(const arma::vec& v)>;
// The Hessian operator at x (called once per accepted iterate, so it may cache x's forward pass;
// the product it returned before is not used after the next call, so the two may share buffers).
using HessianAt = std::function<HessianProduct(const arma::vec& x)>;

struct NewtonOptions {
  // Stopping rule, checked at every iterate (e.g. relative stationarity): true stops with
  // Converged. Required.
  std::function<bool(const arma::vec& x, const arma::vec& grad, double f)> converged;
  int max_iterations = 1000;     // trust-region iterations (one CG solve each)
  int max_cg_iterations = 250;   // Hessian products per CG solve
  // Hessian products in all (the Cauchy radius' one included); once spent: MaxIterations. A CG
  // solve cut short by it still yields its step, which is judged as any other.
  long long max_products = std::numeric_limits<long long>::max();
  double radius = 0;             // initial Δ; 0: the length of the Cauchy step −(‖g‖²/gᵀHg)g
  // Called after every accepted step (for progress display); may be empty.
  std::function<void(int iteration, double f, double grad_norm)> progress;
};

struct NewtonResult {
  OptimStatus status = OptimStatus::Stalled;
  double value = 0;            // f and ‖∇f‖₂ at the returned x
  double gradient_norm = 0;
  double radius = 0;           // Δ at the end (to continue a run where it stopped)
  int iterations = 0;          // trust-region iterations, accepted or not
  int evaluations = 0;         // f+∇f evaluations
  int hessian_products = 0;
  std::string message;
};

// Minimizes f from x (overwritten with the last accepted iterate). Throws invalid_argument on an
// empty or non-finite x, a missing converged rule, max_iterations < 1, max_cg_iterations < 1,
// max_products < 1 or a radius < 0 or non-finite; exceptions from f or the Hessian propagate (x holds the last accepted
// iterate).
NewtonResult minimize_trust_newton(const Objective& f, const HessianAt& hessian, arma::vec& x,
                                   const NewtonOptions& options);

}  // namespace nrc
