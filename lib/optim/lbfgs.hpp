#pragma once
// Unconstrained minimization by L-BFGS (liblbfgs, MIT: zero-copy on Armadillo memory, and it reaches
// gradient norms of 1e-10 where NLopt and GSL stall; see shared/notes/toolchain.md).
#include <functional>
#include <string>

#include <armadillo>

#include "lib/optim/status.hpp"

namespace nrc {

// f(x, grad): returns f(x) and writes ∇f(x) into grad (already sized like x).
using Objective = std::function<double(const arma::vec& x, arma::vec& grad)>;

struct LbfgsOptions {
  double gradient_tol = 1e-10;   // stop when ‖∇f(x)‖₂ ≤ gradient_tol (absolute)
  // Optional further stopping rule, checked after every iteration (e.g. a relative criterion):
  // return true to stop with status Converged.
  std::function<bool(const arma::vec& x, const arma::vec& grad, double f)> converged = {};
  int max_iterations = 10000;
  int memory = 10;               // correction pairs kept
  // Called after every iteration (for progress display); may be empty.
  std::function<void(int iteration, double f, double grad_norm)> progress = {};
};

struct LbfgsResult {
  OptimStatus status = OptimStatus::Stalled;
  double value = 0;          // f at the returned x
  double gradient_norm = 0;  // ‖∇f‖₂ at the returned x
  int iterations = 0;
  int evaluations = 0;
  std::string message;       // liblbfgs' own status, for records
};

// Minimizes f from x (overwritten with the best point reached). Throws invalid_argument on an empty
// x, non-finite start, gradient_tol < 0, max_iterations < 1 or memory < 1.
LbfgsResult minimize_lbfgs(const Objective& f, arma::vec& x, const LbfgsOptions& options = {});

}  // namespace nrc
