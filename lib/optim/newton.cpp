// Trust-region Newton–CG (see newton.hpp).
#include "lib/optim/newton.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "lib/common/error.hpp"

namespace nrc {

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
// Decreases of f below kNoise·ε·|f| are rounding: a sum of N terms through a network carries a
// relative error of a few hundred ε at the sizes used here (see newton.hpp).
constexpr double kNoise = 1e3;
constexpr double kAccept = 1e-4;   // η₁ of Alg. 4.1
// Judged on the gradient, steps that do not halve ‖∇f‖ within this many iterations mean its
// rounding level is reached: Stalled (else accepted noise would walk on forever).
constexpr int kRoundingPatience = 20;

// τ ≥ 0 with ‖z + τd‖ = Δ (z inside the region).
double to_boundary(const arma::vec& z, const arma::vec& d, double delta) {
  const double a = arma::dot(d, d), b = 2 * arma::dot(z, d), c = arma::dot(z, z) - delta * delta;
  const double disc = std::sqrt(std::max(b * b - 4 * a * c, 0.0));
  // The positive root, in the form that does not cancel.
  return b >= 0 ? (-2 * c) / (b + disc) : (disc - b) / (2 * a);
}

struct Step {
  arma::vec p, Hp;   // the step and ∇²f·p (kept incrementally: no extra product for the model)
  bool boundary = false, negative_curvature = false;
  int products = 0;
};

// Steihaug–Toint CG on ∇²f p = −g within ‖p‖ ≤ Δ.
Step steihaug(const HessianProduct& H, const arma::vec& g, double delta, double eta, int max_cg) {
  Step s;
  s.p.zeros(g.n_elem);
  s.Hp.zeros(g.n_elem);
  arma::vec r = g, d = -g;
  double rr = arma::dot(r, r);
  const double stop = eta * std::sqrt(rr);
  for (int j = 0; j < max_cg; ++j) {
    const arma::vec Hd = H(d);
    ++s.products;
    const double kappa = arma::dot(d, Hd);
    if (!(kappa > 0)) {
      const double tau = to_boundary(s.p, d, delta);
      s.p += tau * d;
      s.Hp += tau * Hd;
      s.boundary = s.negative_curvature = true;
      return s;
    }
    const double alpha = rr / kappa;
    if (arma::norm(s.p + alpha * d) >= delta) {
      const double tau = to_boundary(s.p, d, delta);
      s.p += tau * d;
      s.Hp += tau * Hd;
      s.boundary = true;
      return s;
    }
    s.p += alpha * d;
    s.Hp += alpha * Hd;
    r += alpha * Hd;
    const double rr_next = arma::dot(r, r);
    if (std::sqrt(rr_next) <= stop) return s;
    d = -r + (rr_next / rr) * d;
    rr = rr_next;
  }
  return s;
}

}  // namespace

NewtonResult minimize_trust_newton(const Objective& f, const HessianAt& hessian, arma::vec& x,
                                   const NewtonOptions& o) {
  constexpr std::string_view fn = "minimize_trust_newton";
  require(!x.is_empty(), fn, "expected a non-empty start point");
  require(x.is_finite(), fn, "expected a finite start point, got a non-finite entry");
  require(static_cast<bool>(o.converged), fn, "expected a stopping rule (converged), got none");
  require(o.max_iterations >= 1, fn, "expected max_iterations ≥ 1, got {}", o.max_iterations);
  require(o.max_cg_iterations >= 1, fn, "expected max_cg_iterations ≥ 1, got {}", o.max_cg_iterations);
  require(o.max_products >= 1, fn, "expected max_products ≥ 1, got {}", o.max_products);
  require(std::isfinite(o.radius) && o.radius >= 0, fn, "expected a finite radius ≥ 0, got {}", o.radius);

  NewtonResult r;
  arma::vec g(x.n_elem), g_trial(x.n_elem);
  double fx = f(x, g);
  ++r.evaluations;
  const auto done = [&](OptimStatus status, std::string message) {
    r.status = status;
    r.value = fx;
    r.gradient_norm = arma::norm(g);
    r.message = std::move(message);
    return r;
  };
  if (!std::isfinite(fx) || !g.is_finite()) return done(OptimStatus::NonFinite, "non-finite f or gradient at the start");
  const double g0 = arma::norm(g);
  double delta = o.radius;
  HessianProduct H = hessian(x);
  if (delta == 0) {
    const arma::vec Hg = H(g);
    ++r.hessian_products;
    const double curv = arma::dot(g, Hg);
    delta = curv > 0 ? g0 * g0 * g0 / curv : 0.1 * std::max(arma::norm(x), 1.0);
  }
  r.radius = delta;
  int rounding_streak = 0;   // consecutive gradient-judged iterations since ‖∇f‖ last halved
  double streak_gradient = g0;
  for (;;) {
    const double gn = arma::norm(g);
    if (o.converged(x, g, fx)) return done(OptimStatus::Converged, "trust-region Newton–CG: stopping rule met");
    if (gn == 0) return done(OptimStatus::Stalled, "trust-region Newton–CG: zero gradient before the stopping rule");
    if (r.iterations >= o.max_iterations)
      return done(OptimStatus::MaxIterations, "trust-region Newton–CG: iteration budget spent");
    if (r.hessian_products >= o.max_products)
      return done(OptimStatus::MaxIterations, "trust-region Newton–CG: Hessian-product budget spent");
    if (delta <= 16 * kEps * std::max(arma::norm(x), 1.0))
      return done(OptimStatus::Stalled, "trust-region Newton–CG: radius at the rounding level of x");
    ++r.iterations;
    const double eta = std::min(0.5, std::sqrt(gn / g0));
    const int cg = static_cast<int>(std::min<long long>(o.max_cg_iterations, o.max_products - r.hessian_products));
    const Step s = steihaug(H, g, delta, eta, cg);
    r.hessian_products += s.products;
    const double predicted = -(arma::dot(g, s.p) + 0.5 * arma::dot(s.p, s.Hp));
    const arma::vec trial = x + s.p;
    const double f_trial = f(trial, g_trial);
    ++r.evaluations;
    bool accept, judged_on_gradient = false;
    double rho;
    if (!std::isfinite(f_trial) || !g_trial.is_finite()) {
      accept = false;
      rho = -1;
    } else if (const double noise = kNoise * kEps * std::max(std::abs(fx), std::abs(f_trial));
               !(predicted > noise)) {
      accept = arma::norm(g_trial) < gn && f_trial <= fx + noise;
      judged_on_gradient = true;
      rho = accept ? 1 : -1;   // as a model that fits (Δ may grow) or fails
      if (accept && arma::norm(g_trial) <= 0.5 * streak_gradient) {
        rounding_streak = 0;
        streak_gradient = arma::norm(g_trial);
      } else if (++rounding_streak >= kRoundingPatience) {
        return done(OptimStatus::Stalled, "trust-region Newton–CG: the gradient stopped falling at its rounding level");
      }
    } else {
      rho = (fx - f_trial) / predicted;
      accept = rho > kAccept;
      rounding_streak = 0;
      streak_gradient = gn;
    }
    const double pn = arma::norm(s.p);
    if (rho < 0.25) {
      delta = 0.25 * pn;
    } else if (rho > 0.75 && s.boundary) {
      delta = 2 * delta;
    }
    if (judged_on_gradient && accept) delta = std::max(delta, 0.1 * std::max(arma::norm(x), 1.0));   // newton.hpp
    r.radius = delta;
    if (accept) {
      x = trial;
      g.swap(g_trial);
      fx = f_trial;
      H = hessian(x);
      if (o.progress) o.progress(r.iterations, fx, arma::norm(g));
    }
  }
}

}  // namespace nrc
