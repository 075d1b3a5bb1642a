// L-BFGS on liblbfgs 1.10 (see lbfgs.hpp). Which point comes back: on Converged by a stopping rule,
// the iterate that met it; otherwise (MaxIterations, Stalled, NonFinite, or liblbfgs' own
// zero-gradient stop) the point of lowest finite f among all evaluations.
#include "lib/optim/lbfgs.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <new>
#include <stdexcept>

#include <lbfgs.h>

#include "lib/common/error.hpp"

namespace nrc {

namespace {

// Why we stopped, when it was our decision rather than liblbfgs'.
enum class Stop { None, Gradient, Rule, NonFinite, Exception };

// State shared with liblbfgs' C callbacks through its `instance` pointer.
struct Session {
  const Objective* f = nullptr;
  const LbfgsOptions* opt = nullptr;
  arma::uword n = 0;
  // The first evaluation (at the start point) is done before liblbfgs runs, so that a start that
  // already meets a stopping rule, or is not finite, costs nothing more; liblbfgs' own first call
  // (step 0, same x) is answered from this cache.
  bool start_cached = true;
  double f0 = 0;
  arma::vec g0;
  // Lowest finite f evaluated, with its point and gradient: liblbfgs reverts a failed line search
  // to the previous iterate but reports the last trial's f, and a trial may have been lower.
  double best_f = std::numeric_limits<double>::infinity();
  arma::vec best_x, best_g;
  int evaluations = 0, iterations = 0;
  double last_f = 0, last_gnorm = 0;   // at the latest iterate (progress callback)
  Stop stop = Stop::None;
  std::exception_ptr error;
};

bool finite_all(const double* p, arma::uword n) {
  for (arma::uword i = 0; i < n; ++i)
    if (!std::isfinite(p[i])) return false;
  return true;
}

// Once a stop is decided inside an evaluation (liblbfgs offers no way to abort from there), every
// further evaluation returns this without calling f: f = +huge never satisfies the sufficient
// decrease test, so the line search fails within max_linesearch cheap calls and lbfgs() returns.
double refuse(double* g, arma::uword n) {
  for (arma::uword i = 0; i < n; ++i) g[i] = 0;
  return std::numeric_limits<double>::max();
}

lbfgsfloatval_t evaluate(void* instance, const lbfgsfloatval_t* x, lbfgsfloatval_t* g, const int,
                         const lbfgsfloatval_t step) {
  auto& s = *static_cast<Session*>(instance);
  if (s.stop != Stop::None) return refuse(g, s.n);
  if (s.start_cached && step == 0) {
    s.start_cached = false;
    for (arma::uword i = 0; i < s.n; ++i) g[i] = s.g0(i);
    return s.f0;
  }
  s.start_cached = false;
  // Zero-copy views: x is the caller's own memory (liblbfgs works in place), g liblbfgs' buffer.
  // strict = true: the objective may assign into grad but not resize it.
  const arma::vec xv(const_cast<double*>(x), s.n, false, true);
  arma::vec gv(g, s.n, false, true);
  double fx;
  try {
    ++s.evaluations;
    fx = (*s.f)(xv, gv);
  } catch (...) {
    s.error = std::current_exception();
    s.stop = Stop::Exception;
    return refuse(g, s.n);
  }
  if (!std::isfinite(fx) || !finite_all(g, s.n)) {
    s.stop = Stop::NonFinite;
    return refuse(g, s.n);
  }
  if (fx < s.best_f) {
    s.best_f = fx;
    std::copy(x, x + s.n, s.best_x.memptr());
    std::copy(g, g + s.n, s.best_g.memptr());
  }
  return fx;
}

int progress(void* instance, const lbfgsfloatval_t* x, const lbfgsfloatval_t* g, const lbfgsfloatval_t fx,
             const lbfgsfloatval_t, const lbfgsfloatval_t gnorm, const lbfgsfloatval_t, int, int k, int) {
  auto& s = *static_cast<Session*>(instance);
  s.iterations = k;
  s.last_f = fx;
  // liblbfgs' gnorm is sqrt(Σg²), which underflows to 0 below ~1e-154 per entry; Armadillo's norm
  // rescales. Every decision here uses the rescaled norm.
  const arma::vec gv(const_cast<double*>(g), s.n, false, true);
  s.last_gnorm = arma::norm(gv);
  (void)gnorm;
  try {
    if (s.opt->progress) s.opt->progress(k, fx, s.last_gnorm);
    if (s.last_gnorm <= s.opt->gradient_tol) {
      s.stop = Stop::Gradient;
    } else if (s.opt->converged) {
      const arma::vec xv(const_cast<double*>(x), s.n, false, true);
      if (s.opt->converged(xv, gv, fx)) s.stop = Stop::Rule;
    }
  } catch (...) {
    s.error = std::current_exception();
    s.stop = Stop::Exception;
  }
  return s.stop == Stop::None ? 0 : 1;
}

// liblbfgs' status codes, as records show them.
const char* code_name(int code) {
  switch (code) {
    case LBFGS_SUCCESS: return "LBFGS_SUCCESS";
    case LBFGS_STOP: return "LBFGS_STOP";
    case LBFGS_ALREADY_MINIMIZED: return "LBFGS_ALREADY_MINIMIZED";
    case LBFGSERR_UNKNOWNERROR: return "LBFGSERR_UNKNOWNERROR";
    case LBFGSERR_LOGICERROR: return "LBFGSERR_LOGICERROR";
    case LBFGSERR_OUTOFMEMORY: return "LBFGSERR_OUTOFMEMORY";
    case LBFGSERR_CANCELED: return "LBFGSERR_CANCELED";
    case LBFGSERR_OUTOFINTERVAL: return "LBFGSERR_OUTOFINTERVAL: the line-search step went out of the interval of uncertainty";
    case LBFGSERR_INCORRECT_TMINMAX: return "LBFGSERR_INCORRECT_TMINMAX: the interval of uncertainty became too small";
    case LBFGSERR_ROUNDING_ERROR: return "LBFGSERR_ROUNDING_ERROR: no step satisfies the line-search conditions (rounding level)";
    case LBFGSERR_MINIMUMSTEP: return "LBFGSERR_MINIMUMSTEP: the line-search step became smaller than min_step";
    case LBFGSERR_MAXIMUMSTEP: return "LBFGSERR_MAXIMUMSTEP: the line-search step became larger than max_step";
    case LBFGSERR_MAXIMUMLINESEARCH: return "LBFGSERR_MAXIMUMLINESEARCH: the line search reached its evaluation limit";
    case LBFGSERR_MAXIMUMITERATION: return "LBFGSERR_MAXIMUMITERATION: the iteration limit was reached";
    case LBFGSERR_WIDTHTOOSMALL: return "LBFGSERR_WIDTHTOOSMALL: the interval of uncertainty is at most xtol";
    case LBFGSERR_INVALIDPARAMETERS: return "LBFGSERR_INVALIDPARAMETERS: negative line-search step";
    case LBFGSERR_INCREASEGRADIENT: return "LBFGSERR_INCREASEGRADIENT: the search direction is not a descent direction";
    default: return "liblbfgs parameter error";
  }
}

}  // namespace

LbfgsResult minimize_lbfgs(const Objective& f, arma::vec& x, const LbfgsOptions& options) {
  constexpr const char* fn = "minimize_lbfgs";
  require(static_cast<bool>(f), fn, "expected an objective function, got an empty one");
  require(!x.is_empty(), fn, "expected a non-empty start point, got 0 variables");
  require(x.n_elem <= static_cast<arma::uword>(std::numeric_limits<int>::max()), fn,
          "expected at most {} variables (liblbfgs counts in int), got {}", std::numeric_limits<int>::max(), x.n_elem);
  require(x.is_finite(), fn, "expected a finite start point, got a non-finite entry");
  require(options.gradient_tol >= 0, fn, "expected gradient_tol ≥ 0, got {}", options.gradient_tol);
  require(options.max_iterations >= 1, fn, "expected max_iterations ≥ 1, got {}", options.max_iterations);
  require(options.memory >= 1, fn, "expected memory ≥ 1, got {}", options.memory);

  const arma::uword n = x.n_elem;
  Session s;
  s.f = &f;
  s.opt = &options;
  s.n = n;
  s.g0.set_size(n);
  s.best_x = x;
  s.best_g.set_size(n);
  LbfgsResult r;

  // The start point: liblbfgs would evaluate it anyway (its first call is answered from here).
  s.g0.zeros();
  ++s.evaluations;
  s.f0 = f(x, s.g0);
  r.evaluations = s.evaluations;
  if (!std::isfinite(s.f0) || !s.g0.is_finite()) {
    r.status = OptimStatus::NonFinite;
    r.value = s.f0;
    r.gradient_norm = arma::norm(s.g0);
    r.message = "f or its gradient is not finite at the start point";
    return r;
  }
  s.best_f = s.f0;
  s.best_g = s.g0;
  const double g0_norm = arma::norm(s.g0);
  const bool start_done = g0_norm <= options.gradient_tol || (options.converged && options.converged(x, s.g0, s.f0));
  if (start_done) {
    r.status = OptimStatus::Converged;
    r.value = s.f0;
    r.gradient_norm = g0_norm;
    r.message = g0_norm <= options.gradient_tol ? "gradient norm ≤ gradient_tol at the start point"
                                                : "the converged rule holds at the start point";
    return r;
  }

  lbfgs_parameter_t param;
  lbfgs_parameter_init(&param);
  param.m = options.memory;
  // liblbfgs' own test is relative (‖g‖ < ε·max(1, ‖x‖)); ε = 0 disables it except at an exactly
  // zero gradient, and the absolute test runs in the progress callback.
  param.epsilon = 0;
  param.max_iterations = options.max_iterations;

  double fx = s.f0;
  const int code = lbfgs(static_cast<int>(n), x.memptr(), &fx, evaluate, progress, &s, &param);
  if (s.error) std::rethrow_exception(s.error);
  if (code == LBFGSERR_OUTOFMEMORY) throw std::bad_alloc();

  r.iterations = s.iterations;
  r.evaluations = s.evaluations;
  if (s.stop == Stop::Gradient || s.stop == Stop::Rule) {
    // x is the iterate at which the rule was met (liblbfgs leaves it in place).
    r.status = OptimStatus::Converged;
    r.value = s.last_f;
    r.gradient_norm = s.last_gnorm;
    r.message = s.stop == Stop::Gradient ? "gradient norm ≤ gradient_tol" : "the converged rule holds";
    return r;
  }
  if (s.stop == Stop::NonFinite) {
    r.status = OptimStatus::NonFinite;
    r.message = "f or its gradient became non-finite at an evaluated point; x is the best finite point";
  } else if (code == LBFGS_SUCCESS || code == LBFGS_ALREADY_MINIMIZED) {
    // With ε = 0 liblbfgs stops only where its own ‖g‖ is 0 — exactly zero, or underflowed (entries
    // below ~1e-154). The callbacks already ran at that point with the rescaled norm and did not
    // stop, so an underflow is not convergence by our rules.
    const double gn = code == LBFGS_SUCCESS ? s.last_gnorm : g0_norm;
    const bool zero = gn == 0 || gn <= options.gradient_tol;
    r.status = zero ? OptimStatus::Converged : OptimStatus::Stalled;
    r.message = zero ? code_name(code)
                     : fmt::format("{}, but only because liblbfgs' ‖g‖ underflowed (‖g‖ = {:.3g})", code_name(code), gn);
  } else if (code == LBFGSERR_MAXIMUMITERATION) {
    r.status = OptimStatus::MaxIterations;
    r.message = code_name(code);
  } else if (code == LBFGSERR_ROUNDING_ERROR || code == LBFGSERR_MINIMUMSTEP || code == LBFGSERR_MAXIMUMSTEP ||
             code == LBFGSERR_MAXIMUMLINESEARCH || code == LBFGSERR_WIDTHTOOSMALL ||
             code == LBFGSERR_OUTOFINTERVAL || code == LBFGSERR_INCORRECT_TMINMAX ||
             code == LBFGSERR_INVALIDPARAMETERS || code == LBFGSERR_INCREASEGRADIENT) {
    r.status = OptimStatus::Stalled;
    r.message = code_name(code);
  } else {
    // Parameter and logic errors: the options were validated above, so this is a bug.
    throw std::logic_error(fmt::format("nrc::minimize_lbfgs(): liblbfgs returned {} ({})", code, code_name(code)));
  }
  // The best point evaluated: liblbfgs reverts a failed line search to the previous iterate, and a
  // trial point may lie below the last iterate.
  x = s.best_x;
  r.value = s.best_f;
  r.gradient_norm = arma::norm(s.best_g);
  return r;
}

}  // namespace nrc
