// lib/optim: L-BFGS (liblbfgs) with an absolute gradient stop, best-point return and status mapping;
// trust-region Newton–CG (Steihaug) on Hessian products.
#include "property_tests/support.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <armadillo>

#include "lib/common/rng.hpp"
#include "lib/optim/lbfgs.hpp"
#include "lib/optim/newton.hpp"

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Chained Rosenbrock: Σ_{i<n−1} 100(x_{i+1} − x_i²)² + (1 − x_i)², minimum 0 at x = 1.
double rosenbrock(const arma::vec& x, arma::vec& g) {
  const arma::uword n = x.n_elem;
  double f = 0;
  g.zeros();
  for (arma::uword i = 0; i + 1 < n; ++i) {
    const double a = x(i + 1) - x(i) * x(i), b = 1 - x(i);
    f += 100 * a * a + b * b;
    g(i) += -400 * a * x(i) - 2 * b;
    g(i + 1) += 200 * a;
  }
  return f;
}

// The Hessian of the chained Rosenbrock function at its minimizer x* = 1: each term 100·u² with
// u = x_{i+1} − x_i² (u = 0 there, ∇u = −2e_i + e_{i+1}) gives 200·∇u∇uᵀ, each (1 − x_i)² gives 2e_ie_iᵀ.
// Near x*, ‖x − x*‖ ≈ ‖H⁻¹∇f‖ ≤ ‖∇f‖/λ_min(H) and f ≈ ½(x − x*)ᵀH(x − x*) ≤ ½‖∇f‖²/λ_min(H).
double rosenbrock_min_curvature(arma::uword n) {
  arma::mat H(n, n, arma::fill::zeros);
  for (arma::uword i = 0; i + 1 < n; ++i) {
    arma::vec v(n, arma::fill::zeros);
    v(i) = -2;
    v(i + 1) = 1;
    H += 200 * v * v.t();
    H(i, i) += 2;
  }
  return arma::eig_sym(H).min();
}

arma::vec rosenbrock_start(arma::uword n) {
  arma::vec x(n);
  for (arma::uword i = 0; i < n; ++i) x(i) = i % 2 == 0 ? -1.2 : 1.0;
  return x;
}

// ½ (x − a)ᵀ H (x − a) with H SPD: minimizer a, gradient H (x − a).
struct Quadratic {
  arma::mat H;
  arma::vec a;
  double operator()(const arma::vec& x, arma::vec& g) const {
    const arma::vec r = x - a;
    g = H * r;
    return 0.5 * arma::dot(r, g);
  }
};

Quadratic random_quadratic(arma::uword n, double condition, nrc::Engine& rng) {
  arma::mat Qm, R;
  arma::qr(Qm, R, nrc::randn(n, n, rng));
  arma::vec ev = arma::logspace(0, std::log10(condition), n);
  return {Qm * arma::diagmat(ev) * Qm.t(), nrc::randn(n, 1, rng)};
}

RC_GTEST_PROP(OptimLbfgs, QuadraticReachesItsMinimizer, ()) {
  const auto n = *rc::gen::inRange<arma::uword>(1, 40);
  const double condition = std::pow(10.0, *rc::gen::inRange(0, 9) / 2.0);   // 1 … 1e4
  nrc::Engine rng(*rc::gen::inRange<std::uint64_t>(0, 1u << 30));
  const Quadratic q = random_quadratic(n, condition, rng);
  arma::vec x = nrc::randn(n, 1, rng);
  nrc::LbfgsOptions o;
  o.gradient_tol = 1e-9;
  const nrc::LbfgsResult r = nrc::minimize_lbfgs(q, x, o);
  RC_ASSERT(r.status == nrc::OptimStatus::Converged);
  RC_ASSERT(r.gradient_norm <= 1e-9);
  // ‖x − a‖ ≤ ‖H⁻¹‖‖∇f(x)‖ for the H the function uses (its smallest eigenvalue 1 up to the rounding
  // of forming Q diag Qᵀ: computed, less LAPACK's n·ε·‖H‖₂), with ∇f(x) = H(x − a) exactly within the
  // evaluation's rounding: x − a (u(|x| + |a|) per entry, times ‖H‖₂) and an n-term product γ_n.
  const double h2 = arma::norm(q.H, 2), lam_min = arma::eig_sym(q.H).min() - nrc::tol::svd_abs_error(h2, n, n);
  const double g_err = h2 * nrc::test::rounding(1, arma::norm(arma::abs(x) + arma::abs(q.a))) +
                       nrc::test::rounding(n, h2 * arma::norm(x - q.a));
  RC_ASSERT(arma::norm(x - q.a) <= (r.gradient_norm + g_err) / lam_min);
  // The reported value and gradient norm are those of the returned x: the same function evaluated
  // at the same x, and arma::norm of the same gradient (lib/optim), bit for bit.
  arma::vec g(n);
  RC_ASSERT(q(x, g) == r.value);
  RC_ASSERT(arma::norm(g) == r.gradient_norm);
  RC_ASSERT(r.iterations >= 1);
  RC_ASSERT(r.evaluations >= r.iterations);
}

TEST(OptimLbfgs, ChainedRosenbrockToAbsoluteGradient1e10) {
  arma::vec x = rosenbrock_start(100);
  const nrc::LbfgsResult r = nrc::minimize_lbfgs(rosenbrock, x, {});   // defaults: tol 1e-10, m = 10
  EXPECT_EQ(r.status, nrc::OptimStatus::Converged) << r.message;
  EXPECT_LT(r.gradient_norm, 1e-10);
  // Local quadratic model at x* (rosenbrock_min_curvature): first-order estimates, with a factor 2 for
  // the model's error this close to x* (‖x − x*‖ ~ 1e-9: cubic terms are ~1e-9 relative).
  const double lam = rosenbrock_min_curvature(100);
  EXPECT_LE(arma::norm(x - arma::ones(100)), 2 * r.gradient_norm / lam);
  EXPECT_LE(r.value, 2 * 0.5 * r.gradient_norm * r.gradient_norm / lam);
  // shared/notes/toolchain.md measured 647 evaluations for liblbfgs at this target.
  EXPECT_LT(r.evaluations, 2000);
  RecordProperty("evaluations", r.evaluations);
  RecordProperty("iterations", r.iterations);
  std::printf("chained Rosenbrock n=100: %d iterations, %d evaluations, |g| = %.3g, f = %.3g\n", r.iterations,
              r.evaluations, r.gradient_norm, r.value);
}

TEST(OptimLbfgs, StallsAtRoundingLevelWithTheBestPoint) {
  // tol 0 can only be met by an exactly zero gradient: the line search eventually fails at rounding
  // level. The returned x must be the best point evaluated, with its own value and gradient.
  arma::vec x = rosenbrock_start(20);
  nrc::LbfgsOptions o;
  o.gradient_tol = 0;
  const nrc::LbfgsResult r = nrc::minimize_lbfgs(rosenbrock, x, o);
  EXPECT_TRUE(r.status == nrc::OptimStatus::Stalled || r.status == nrc::OptimStatus::Converged) << r.message;
  arma::vec g(20);
  EXPECT_EQ(rosenbrock(x, g), r.value);
  EXPECT_EQ(arma::norm(g), r.gradient_norm);   // arma::norm of the same gradient (best point), bit for bit
  EXPECT_LT(r.gradient_norm, 1e-10);
  EXPECT_FALSE(r.message.empty());
}

TEST(OptimLbfgs, MaxIterationsIsRespected) {
  for (const int limit : {1, 5, 37}) {
    arma::vec x = rosenbrock_start(100);
    nrc::LbfgsOptions o;
    o.max_iterations = limit;
    int calls = 0, last = 0;
    o.progress = [&](int k, double, double) {
      ++calls;
      EXPECT_EQ(k, last + 1);
      last = k;
    };
    const nrc::LbfgsResult r = nrc::minimize_lbfgs(rosenbrock, x, o);
    EXPECT_EQ(r.status, nrc::OptimStatus::MaxIterations) << r.message;
    EXPECT_EQ(r.iterations, limit);
    EXPECT_EQ(calls, limit);
    arma::vec g(100);
    EXPECT_EQ(rosenbrock(x, g), r.value);
  }
}

TEST(OptimLbfgs, NonFiniteObjectiveStopsWithTheBestFinitePoint) {
  // Σ x_i is unbounded below; it turns NaN (or its gradient Inf) once some x_i < −10.
  for (const bool nan_value : {true, false}) {
    int evaluations = 0;
    const nrc::Objective f = [&](const arma::vec& x, arma::vec& g) {
      ++evaluations;
      g.ones();
      if (x.min() < -10) {
        if (nan_value) return kNaN;
        g(0) = kInf;
      }
      return arma::accu(x);
    };
    arma::vec x = arma::zeros(5);
    const nrc::LbfgsResult r = nrc::minimize_lbfgs(f, x, {});
    EXPECT_EQ(r.status, nrc::OptimStatus::NonFinite) << r.message;
    EXPECT_TRUE(x.is_finite());
    EXPECT_GE(x.min(), -10);
    EXPECT_TRUE(std::isfinite(r.value));
    arma::vec g(5);
    EXPECT_EQ(f(x, g), r.value);
    EXPECT_EQ(r.evaluations + 1, evaluations);   // + the check above
    EXPECT_LT(r.evaluations, 200);
  }
}

TEST(OptimLbfgs, NonFiniteAtTheStartPoint) {
  arma::vec x = {1.0, 2.0};
  const nrc::LbfgsResult r = nrc::minimize_lbfgs([](const arma::vec&, arma::vec& g) { g.zeros(); return kNaN; }, x, {});
  EXPECT_EQ(r.status, nrc::OptimStatus::NonFinite);
  EXPECT_EQ(r.evaluations, 1);
  EXPECT_EQ(r.iterations, 0);
  EXPECT_EQ(x(0), 1.0);
}

TEST(OptimLbfgs, CustomConvergedRule) {
  // A relative rule: ‖∇f‖ ≤ 1e-6·max(1, |f|); also one on the value.
  arma::vec x = rosenbrock_start(10);
  nrc::LbfgsOptions o;
  o.gradient_tol = 0;
  int rule_calls = 0;
  o.converged = [&](const arma::vec& xi, const arma::vec& g, double f) {
    ++rule_calls;
    EXPECT_EQ(xi.n_elem, 10u);
    return arma::norm(g) <= 1e-6 * std::max(1.0, std::abs(f));
  };
  nrc::LbfgsResult r = nrc::minimize_lbfgs(rosenbrock, x, o);
  EXPECT_EQ(r.status, nrc::OptimStatus::Converged);
  // The rule itself, on the same numbers the optimizer tested it with (arma::norm of the same g).
  EXPECT_LE(r.gradient_norm, 1e-6 * std::max(1.0, std::abs(r.value)));
  EXPECT_GT(r.gradient_norm, 1e-14);   // not a tolerance: stopped by the rule, not at rounding level
  EXPECT_GE(rule_calls, r.iterations);
  arma::vec g(10);
  EXPECT_EQ(rosenbrock(x, g), r.value);

  x = rosenbrock_start(10);
  o.converged = [](const arma::vec&, const arma::vec&, double f) { return f < 1.0; };
  r = nrc::minimize_lbfgs(rosenbrock, x, o);
  EXPECT_EQ(r.status, nrc::OptimStatus::Converged);
  EXPECT_LT(r.value, 1.0);
  EXPECT_GT(r.value, 1e-3);   // not a tolerance: it stopped early, far from the minimum 0
}

TEST(OptimLbfgs, AlreadyConvergedStartCostsOneEvaluation) {
  arma::vec x = arma::ones(4);
  const nrc::LbfgsResult r = nrc::minimize_lbfgs(rosenbrock, x, {});
  EXPECT_EQ(r.status, nrc::OptimStatus::Converged);
  EXPECT_EQ(r.evaluations, 1);
  EXPECT_EQ(r.iterations, 0);
  EXPECT_EQ(r.value, 0.0);
}

TEST(OptimLbfgs, WorksInPlaceOnTheCallersMemory) {
  arma::vec x = rosenbrock_start(6);
  const double* mem = x.memptr();
  bool same = true;
  const nrc::Objective f = [&](const arma::vec& xi, arma::vec& g) {
    same = same && xi.memptr() == mem;
    return rosenbrock(xi, g);
  };
  nrc::minimize_lbfgs(f, x, {});
  EXPECT_TRUE(same);
}

TEST(OptimLbfgs, ExceptionsFromTheObjectivePropagate) {
  int calls = 0;
  const nrc::Objective f = [&](const arma::vec& x, arma::vec& g) {
    if (++calls == 4) throw std::runtime_error("objective failed");
    return rosenbrock(x, g);
  };
  arma::vec x = rosenbrock_start(6);
  EXPECT_THROW(nrc::minimize_lbfgs(f, x, {}), std::runtime_error);
  EXPECT_EQ(calls, 4);   // no further evaluation after the throw
  nrc::LbfgsOptions o;
  o.progress = [](int k, double, double) {
    if (k == 2) throw std::out_of_range("progress failed");
  };
  x = rosenbrock_start(6);
  EXPECT_THROW(nrc::minimize_lbfgs(rosenbrock, x, o), std::out_of_range);
}

TEST(OptimLbfgs, InvalidInputThrows) {
  arma::vec x = {1.0, 2.0};
  nrc::LbfgsOptions o;
  arma::vec empty;
  EXPECT_THROW(nrc::minimize_lbfgs(rosenbrock, empty, o), std::invalid_argument);
  arma::vec bad = {1.0, kNaN};
  EXPECT_THROW(nrc::minimize_lbfgs(rosenbrock, bad, o), std::invalid_argument);
  bad = {kInf, 0.0};
  EXPECT_THROW(nrc::minimize_lbfgs(rosenbrock, bad, o), std::invalid_argument);
  EXPECT_THROW(nrc::minimize_lbfgs(nrc::Objective{}, x, o), std::invalid_argument);
  o.gradient_tol = -1;
  EXPECT_THROW(nrc::minimize_lbfgs(rosenbrock, x, o), std::invalid_argument);
  o.gradient_tol = kNaN;
  EXPECT_THROW(nrc::minimize_lbfgs(rosenbrock, x, o), std::invalid_argument);
  o = {};
  o.max_iterations = 0;
  EXPECT_THROW(nrc::minimize_lbfgs(rosenbrock, x, o), std::invalid_argument);
  o = {};
  o.memory = 0;
  EXPECT_THROW(nrc::minimize_lbfgs(rosenbrock, x, o), std::invalid_argument);
  try {
    o = {};
    o.memory = -3;
    nrc::minimize_lbfgs(rosenbrock, x, o);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "nrc::minimize_lbfgs(): expected memory ≥ 1, got -3");
  }
  EXPECT_EQ(x(0), 1.0);   // untouched on rejection
}

}  // namespace

// liblbfgs measures ‖g‖ as sqrt(Σg²), which is 0 for entries below ~1e-154; its "converged" there is
// an underflow, not a stationary point by our rule (found by the tightness search: a softmax with one
// output makes L_0 constant, the trainer drove Θ to 1e-160 and was certified stationary).
TEST(OptimLbfgs, UnderflowedGradientNormIsNotConvergence) {
  auto f = [](const arma::vec& x, arma::vec& g) {
    g = 2 * x;
    return arma::dot(x, x);   // underflows to 0 as well: liblbfgs sees a flat zero
  };
  arma::vec x(8, arma::fill::ones);
  x *= 1e-170;
  nrc::LbfgsOptions o;
  o.gradient_tol = 0;
  o.converged = [](const arma::vec& xx, const arma::vec& g, double) { return arma::norm(g) <= 1e-9 * arma::norm(xx); };
  const nrc::LbfgsResult r = nrc::minimize_lbfgs(f, x, o);
  EXPECT_EQ(r.status, nrc::OptimStatus::Stalled) << r.message;
  EXPECT_GT(r.gradient_norm, 0);
}

// ---------------------------------------------------------------------------------------------
// Trust-region Newton–CG.

namespace {

nrc::NewtonOptions gradient_below(double tol) {
  nrc::NewtonOptions o;
  o.converged = [tol](const arma::vec&, const arma::vec& g, double) { return arma::norm(g) <= tol; };
  return o;
}

// The chained Rosenbrock Hessian at x, applied to v (tridiagonal).
nrc::HessianProduct rosenbrock_hessian(const arma::vec& x) {
  return [x](const arma::vec& v) {
    const arma::uword n = x.n_elem;
    arma::vec h(n, arma::fill::zeros);
    for (arma::uword i = 0; i + 1 < n; ++i) {
      // Term 100a² + (1 − x_i)²: ∂²/∂x_i² = 1200x_i² − 400x_{i+1} + 2, ∂²/∂x_i∂x_{i+1} = −400x_i, ∂²/∂x_{i+1}² = 200.
      const double hii = 1200 * x(i) * x(i) - 400 * x(i + 1) + 2, hij = -400 * x(i), hjj = 200;
      h(i) += hii * v(i) + hij * v(i + 1);
      h(i + 1) += hij * v(i) + hjj * v(i + 1);
    }
    return h;
  };
}

}  // namespace

// On a quadratic the first CG solve is Newton's step (CG is exact in ≤ n products); with a radius
// that contains it, one iteration lands on the minimizer up to CG's forcing term and rounding.
RC_GTEST_PROP(OptimNewton, QuadraticReachesItsMinimizer, ()) {
  const auto n = *rc::gen::inRange<arma::uword>(1, 30);
  nrc::Engine rng(*rc::gen::arbitrary<std::uint64_t>());
  const Quadratic q = random_quadratic(n, 1e4, rng);
  arma::vec x = nrc::randn(n, 1, rng);
  nrc::NewtonOptions o = gradient_below(1e-9);
  o.max_cg_iterations = 10 * static_cast<int>(n);
  const nrc::NewtonResult r =
      nrc::minimize_trust_newton(q, [&](const arma::vec&) { return [&](const arma::vec& v) { arma::vec h = q.H * v; return h; }; }, x, o);
  RC_ASSERT(r.status == nrc::OptimStatus::Converged);
  RC_ASSERT(r.gradient_norm <= 1e-9);
  // ‖x − a‖ ≤ ‖g‖/λ_min(H) = ‖g‖ (the spectrum starts at 1).
  RC_ASSERT(arma::norm(x - q.a) <= 1e-9 * (1 + 1e-12));
  RC_ASSERT(r.hessian_products >= 1);
}

// The chained Rosenbrock function from its classic start, to the absolute gradient 1e-10 that
// L-BFGS also reaches, in far fewer iterations (quadratic convergence at the end).
TEST(OptimNewton, ChainedRosenbrockToAbsoluteGradient1e10) {
  arma::vec x = rosenbrock_start(50);
  const nrc::NewtonResult r = nrc::minimize_trust_newton(rosenbrock, rosenbrock_hessian, x, gradient_below(1e-10));
  ASSERT_EQ(r.status, nrc::OptimStatus::Converged) << r.message;
  EXPECT_LE(r.gradient_norm, 1e-10);
  // Within ‖∇f‖/λ_min(H*) of x* = 1 (to first order; 2× for the second-order remainder).
  EXPECT_LE(arma::norm(x - 1), 2 * 1e-10 / rosenbrock_min_curvature(50));
  EXPECT_LT(r.iterations, 200);
}

// Below f's rounding level steps are judged on the gradient, and an accepted one gives CG room: on
// f = 10⁶ + ½xᵀHx (H = diag 1 … 10⁶) with ∇f ~ 1e-6, every decrease is under f's noise (~2e-7), so
// only the gradient can judge; Newton steps reach ‖∇f‖ ≤ 1e-13 in a few iterations. Left in the
// Cauchy radius it started with (which ρ can no longer grow), CG's truncated steps stopped
// halving ‖∇f‖ and the run ended Stalled (measured with the raise removed).
TEST(OptimNewton, BelowTheRoundingLevelOfFStepsAreNewtonSteps) {
  constexpr arma::uword n = 50;
  const arma::vec h = arma::logspace(0, 6, n);
  const nrc::Objective f = [&](const arma::vec& x, arma::vec& g) {
    g = h % x;
    return 1e6 + 0.5 * arma::dot(x, g);
  };
  const nrc::HessianAt H = [&](const arma::vec&) { return [&](const arma::vec& v) -> arma::vec { return h % v; }; };
  nrc::Engine rng(11);
  arma::vec x = 1e-6 * nrc::randn(n, 1, rng) / h;   // ∇f = 1e-6·randn: every curvature scale present
  nrc::NewtonOptions o = gradient_below(1e-13);
  o.max_iterations = 500;
  const nrc::NewtonResult r = nrc::minimize_trust_newton(f, H, x, o);
  EXPECT_EQ(r.status, nrc::OptimStatus::Converged) << r.message;
  EXPECT_LE(r.iterations, 10);
  EXPECT_LE(arma::norm(h % x), 1e-13);
}

// The product budget is exact, CG solves cut short by it included, and the run it stops has still
// made progress (the Rosenbrock run above needs far more than 40 products).
TEST(OptimNewton, HessianProductBudgetIsRespected) {
  const arma::vec start = rosenbrock_start(50);
  arma::vec x = start;
  std::uint64_t counted = 0;
  const nrc::HessianAt H = [&](const arma::vec& at) {
    return [&counted, Hx = rosenbrock_hessian(at)](const arma::vec& v) {
      ++counted;
      return Hx(v);
    };
  };
  nrc::NewtonOptions o = gradient_below(1e-10);
  o.max_products = 40;
  const nrc::NewtonResult r = nrc::minimize_trust_newton(rosenbrock, H, x, o);
  EXPECT_EQ(r.status, nrc::OptimStatus::MaxIterations) << r.message;
  EXPECT_EQ(r.hessian_products, 40);
  EXPECT_EQ(counted, 40u);
  arma::vec g0(start.n_elem);
  EXPECT_LT(r.value, rosenbrock(start, g0));
}

// f(x, y) = x² − y² + y⁴/4: a saddle at 0 and minima at (0, ±√2), f = −1. Started beside the
// saddle, where the gradient points at it, CG meets the negative curvature −2 along y and leaves.
TEST(OptimNewton, LeavesASaddleAlongNegativeCurvature) {
  const nrc::Objective f = [](const arma::vec& z, arma::vec& g) {
    const double x = z(0), y = z(1);
    g = {2 * x, -2 * y + y * y * y};
    return x * x - y * y + 0.25 * y * y * y * y;
  };
  const nrc::HessianAt H = [](const arma::vec& z) {
    const double y = z(1);
    return [y](const arma::vec& v) { return arma::vec{2 * v(0), (3 * y * y - 2) * v(1)}; };
  };
  arma::vec z = {1.0, 1e-6};
  const nrc::NewtonResult r = nrc::minimize_trust_newton(f, H, z, gradient_below(1e-12));
  ASSERT_EQ(r.status, nrc::OptimStatus::Converged) << r.message;
  EXPECT_NEAR(r.value, -1, 1e-15);
  EXPECT_NEAR(std::abs(z(1)), std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(z(0), 0, 1e-12);
}

// A rule that cannot be met ends (stalled at the rounding level, or the budget), never loops.
TEST(OptimNewton, UnreachableRuleEndsStalledOrAtTheBudget) {
  nrc::Engine rng(3);
  const Quadratic q = random_quadratic(5, 1e2, rng);
  arma::vec x = nrc::randn(5, 1, rng);
  nrc::NewtonOptions o = gradient_below(-1);
  o.max_iterations = 500;
  const auto H = [&](const arma::vec&) { return [&](const arma::vec& v) { arma::vec h = q.H * v; return h; }; };
  const nrc::NewtonResult r = nrc::minimize_trust_newton(q, H, x, o);
  EXPECT_TRUE(r.status == nrc::OptimStatus::Stalled || r.status == nrc::OptimStatus::MaxIterations) << r.message;
  EXPECT_LE(arma::norm(x - q.a), 1e-12);
  EXPECT_FALSE(r.message.empty());
}

TEST(OptimNewton, NonFiniteStartAndInvalidOptions) {
  const auto H = [](const arma::vec&) { return [](const arma::vec& v) { return v; }; };
  arma::vec x = {1.0};
  const nrc::Objective nan_f = [](const arma::vec&, arma::vec& g) { g = {1.0}; return kNaN; };
  EXPECT_EQ(nrc::minimize_trust_newton(nan_f, H, x, gradient_below(0)).status, nrc::OptimStatus::NonFinite);
  const nrc::Objective sq = [](const arma::vec& z, arma::vec& g) { g = z; return 0.5 * arma::dot(z, z); };
  const auto throws = [&](nrc::NewtonOptions o, arma::vec start) {
    EXPECT_THROW(nrc::minimize_trust_newton(sq, H, start, o), std::invalid_argument);
  };
  throws(nrc::NewtonOptions{}, {1.0});                // no stopping rule
  throws(gradient_below(0), arma::vec{});             // empty
  throws(gradient_below(0), {kInf});                  // non-finite
  nrc::NewtonOptions o = gradient_below(0);
  o.max_iterations = 0;
  throws(o, {1.0});
  o = gradient_below(0);
  o.max_cg_iterations = 0;
  throws(o, {1.0});
  o = gradient_below(0);
  o.radius = -1;
  throws(o, {1.0});
  o = gradient_below(0);
  o.max_products = 0;
  throws(o, {1.0});
}
