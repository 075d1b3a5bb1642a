#include "property_tests/support.hpp"
// lib/nn/train: training to the relative stationarity ‖∇L_λ‖ ≤ tol·‖2λΘ‖ of eq. (3), divergence
// handling, and checkpoint/resume with bit-identical results.

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <armadillo>
#include <fmt/format.h>

#include "lib/common/rng.hpp"
#include "lib/data/gaussian_mixture.hpp"
#include "lib/nn/mlp.hpp"
#include "lib/nn/train.hpp"

namespace {

namespace fs = std::filesystem;
using nrc::TrainMethod;
using nrc::TrainStatus;

// A 4-3-4 tanh autoencoder (identity output) on 20 points of a 3-blob mixture, Y = X.
struct Problem {
  nrc::Mlp net;
  arma::mat X, Y;
};

Problem problem(std::uint64_t seed = 7) {
  nrc::Engine rng(seed);
  nrc::MixtureSpec spec;
  spec.K = 3;
  spec.d = 4;
  spec.N = 20;
  spec.sigma = 0.1;
  spec.targets = nrc::Targets::Autoencode;
  const nrc::Dataset data = nrc::sample_gaussian_mixture(spec, rng);
  Problem p;
  p.X = data.X;
  p.Y = data.Y;
  p.net = nrc::make_mlp({4, 3, 4}, {nrc::Activation::Tanh, nrc::Activation::Identity}, rng);
  return p;
}

nrc::TrainOptions options(TrainMethod m) {
  nrc::TrainOptions o;
  o.method = m;
  o.lambda = 1e-2;
  switch (m) {
    case TrainMethod::Newton:
    case TrainMethod::LBFGS: break;
    case TrainMethod::GradientDescent:
      o.learning_rate = 0.2;
      o.stationarity_tol = 1e-3;
      o.max_iterations = 3000;
      break;
    case TrainMethod::SGD:
      o.learning_rate = 0.05;
      o.batch_size = 6;   // epochs of 6, 6, 6, 2: checkpoints fall mid-epoch
      o.stationarity_tol = 1e-9;
      o.max_iterations = 1000;
      break;
  }
  return o;
}

// ‖∇L_λ‖/‖2λΘ‖ recomputed from scratch for a network.
double stationarity_of(const nrc::Mlp& net, const Problem& p, double lambda) {
  const nrc::LossAndGradient r = nrc::regularized_loss(net, nrc::Loss::SquaredError, p.X, p.Y, lambda);
  return arma::norm(nrc::flatten(r.grad)) / (2 * lambda * arma::norm(nrc::flatten(net)));
}

// How far two evaluations of the stationarity ‖∇L_λ‖/‖2λΘ‖ at the same network can differ (the
// trainer's and stationarity_of's: the same formulas, possibly other GEMM blockings): each gradient
// within gradient_rounding (support.hpp) of the exact one, then two norms and a quotient (γ_{P+3}).
double stationarity_rounding(const nrc::Mlp& net, const Problem& p, double lambda, double st) {
  const double theta2 = 2 * lambda * arma::norm(nrc::flatten(net));
  return 2 * nrc::test::gradient_rounding(net, nrc::Loss::SquaredError, p.X, p.Y, lambda) / theta2 +
         2 * nrc::test::rounding(net.parameter_count() + 3, st);
}

// Likewise for two evaluations of L_λ: a forward pass each (ρ of the data terms), sums of c·N
// squares and the penalty's P squares.
double loss_rounding(const nrc::Mlp& net, const Problem& p, double lambda) {
  const nrc::Forward fw = nrc::forward(net, p.X);
  const double N = static_cast<double>(p.X.n_cols);
  const double data = std::pow(arma::norm(fw.Z.back(), "fro") + arma::norm(p.Y, "fro"), 2) / N;
  const arma::vec theta = nrc::flatten(net);
  return 2 * ((nrc::test::pass_rounding(net) + nrc::tol::gamma(p.Y.n_elem + 2)) * data +
              nrc::test::rounding(theta.n_elem + 2, lambda * arma::dot(theta, theta)));
}

bool bit_identical(const arma::vec& a, const arma::vec& b) {
  return a.n_elem == b.n_elem && std::memcmp(a.memptr(), b.memptr(), a.n_elem * sizeof(double)) == 0;
}

using nrc::test::TempDir;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<no invalid_argument>";
}

// invalid_argument "nrc::train(): expected …", one line, holding every part.
void expect_error(const std::function<void()>& f, std::initializer_list<std::string> parts) {
  const std::string msg = error_of(f);
  EXPECT_EQ(msg.rfind("nrc::train(): expected", 0), 0u) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "missing '" << p << "' in: " << msg;
}

struct Kill {};   // thrown from the progress callback to simulate a killed process

constexpr TrainMethod kMethods[] = {TrainMethod::Newton, TrainMethod::LBFGS, TrainMethod::GradientDescent,
                                    TrainMethod::SGD};

// ---------------------------------------------------------------------------------------------

void reaches_relative_stationarity_1e9(TrainMethod m) {
  Problem p = problem();
  nrc::TrainOptions o = options(m);
  o.checkpoint_every = 20;   // Newton: L-BFGS slows within the first chunks, Newton finishes
  const arma::vec theta0 = nrc::flatten(p.net);
  const nrc::TrainResult r = nrc::train(p.net, p.X, p.Y, o);
  EXPECT_EQ(r.status, TrainStatus::Stationary) << r.message;
  EXPECT_LE(r.stationarity, 1e-9);
  EXPECT_FALSE(r.resumed);
  EXPECT_GT(r.iterations, 0u);
  EXPECT_GE(r.evaluations + r.hessian_products, r.iterations);   // newton's budget counts its products
  // The returned network really is stationary, and the reported figures are its own: a fresh
  // evaluation agrees within two evaluations' rounding (stationarity_rounding, loss_rounding).
  const double st = stationarity_of(p.net, p, o.lambda), st_err = stationarity_rounding(p.net, p, o.lambda, st);
  EXPECT_LE(st, 1e-9 + st_err);
  EXPECT_NEAR(st, r.stationarity, st_err);
  const nrc::LossAndGradient lg = nrc::regularized_loss(p.net, o.loss, p.X, p.Y, o.lambda);
  EXPECT_NEAR(lg.value, r.loss, loss_rounding(p.net, p, o.lambda));
  EXPECT_FALSE(bit_identical(nrc::flatten(p.net), theta0));
  // Stationarity is ∇L_0 = −2λΘ (the paper's eq. (4) has λ where the factor is 2λ): ∇L_0 + 2λΘ is the
  // gradient the trainer certified, formed once more (∇L_0 separately, then 2λΘ added: γ_2 of both).
  const nrc::LossAndGradient l0 = nrc::regularized_loss(p.net, o.loss, p.X, p.Y, 0.0);
  const arma::vec theta = nrc::flatten(p.net), g0 = nrc::flatten(l0.grad);
  const double two_l_theta = arma::norm(2 * o.lambda * theta);
  EXPECT_LE(arma::norm(g0 + 2 * o.lambda * theta),
            (1e-9 + st_err) * two_l_theta + nrc::test::rounding(2, arma::norm(g0) + two_l_theta));
  // Not a tolerance: with λ in place of 2λ the residual is λ‖Θ‖ (= half of ‖∇L_0‖), far from 0.
  EXPECT_GT(arma::norm(g0 + o.lambda * theta), 0.1 * arma::norm(o.lambda * theta));
  // The certificate: this small autoencoder's end point is a local minimum (λ_min > 0 beyond its
  // Lanczos residual; P = 31 ≤ 50 steps, so Lanczos is exact here).
  EXPECT_EQ(r.curvature.kind, nrc::CurvatureKind::Minimum) << r.curvature.min << " ± " << r.curvature.min_residual;
  EXPECT_EQ(r.curvature.products, 31);
  EXPECT_EQ(m == TrainMethod::Newton, r.hessian_products > 0);
}

TEST(NnTrain, NewtonReachesRelativeStationarity1e9) { reaches_relative_stationarity_1e9(TrainMethod::Newton); }
TEST(NnTrain, LbfgsReachesRelativeStationarity1e9) { reaches_relative_stationarity_1e9(TrainMethod::LBFGS); }

// The certificate by hand. A two-layer identity network d-h-c at Θ = 0 with centred Y: along
// v = (V₁, c₁, V₂, c₂), L_λ(tv) = (1/N)Σ‖y − tc₂ − t²V₂(V₁x + c₁)‖² + λt²‖v‖², whose t² coefficient
// gives vᵀ∇²L_λv = 2‖c₂‖² + 2λ‖v‖² − 4⟨V₂V₁, M⟩ (M = YXᵀ/N; the c₁ term is 4ȳᵀV₂c₁ = 0). Over unit v
// the bilinear term is largest for V₂ = u e₁ᵀ/√2, V₁ = e₁wᵀ/√2 (u, w M's top singular vectors), so
// λ_min = 2λ − 2σ_max(M): a saddle for λ < σ_max(M), a strict minimum for λ > σ_max(M).
TEST(NnCurvature, OriginOfATwoLayerLinearNetByHand) {
  nrc::Engine rng(5);
  arma::mat X = nrc::randn(3, 12, rng), Y = nrc::randn(2, 12, rng);
  Y.each_col() -= arma::mean(Y, 1);
  nrc::Mlp net = nrc::make_mlp({3, 4, 2}, {nrc::Activation::Identity, nrc::Activation::Identity}, rng);
  for (auto& W : net.W) W.zeros();
  for (auto& b : net.b) b.zeros();
  const double smax = arma::norm(Y * X.t() / 12.0, 2);
  const int P = static_cast<int>(net.parameter_count());   // 26: Lanczos with P steps is exact
  for (const double lambda : {0.5 * smax, 2 * smax}) {
    const nrc::Curvature c = nrc::certify_curvature(net, nrc::Loss::SquaredError, X, Y, lambda, P, 1);
    const double expected = 2 * lambda - 2 * smax;
    EXPECT_NEAR(c.min, expected, 1e-12 * (1 + smax)) << "λ = " << lambda;
    EXPECT_EQ(c.kind, lambda < smax ? nrc::CurvatureKind::Saddle : nrc::CurvatureKind::Minimum) << "λ = " << lambda;
    // The top: 2 + 2λ (c₂) or 2λ + 2σ_max(M) (the other sign of the bilinear term).
    EXPECT_NEAR(c.max, 2 * lambda + 2 * std::max(1.0, smax), 1e-12 * (1 + smax)) << "λ = " << lambda;
    EXPECT_GT(c.rounding, 0);
    EXPECT_LT(c.rounding, 1e-10);
  }
  // A mutant the test must catch: λ in place of 2λ in the penalty's curvature would put λ_min at
  // λ − 2σ_max, a saddle at λ = 1.5σ_max where the truth is a minimum.
  const nrc::Curvature c = nrc::certify_curvature(net, nrc::Loss::SquaredError, X, Y, 1.5 * smax, P, 1);
  EXPECT_EQ(c.kind, nrc::CurvatureKind::Minimum);
  EXPECT_THROW(nrc::certify_curvature(net, nrc::Loss::SquaredError, X, Y, 1.0, 0, 1), std::invalid_argument);
}

TEST(NnTrain, GradientDescentDecreasesLossAndReachesLooseTolerance) {
  Problem p = problem();
  nrc::TrainOptions o = options(TrainMethod::GradientDescent);
  const double loss0 = nrc::regularized_loss(p.net, o.loss, p.X, p.Y, o.lambda).value;
  std::vector<double> losses;
  o.progress = [&](const nrc::TrainProgress& q) { losses.push_back(q.loss); };
  const nrc::TrainResult r = nrc::train(p.net, p.X, p.Y, o);
  EXPECT_EQ(r.status, TrainStatus::Stationary) << r.message << " (stationarity " << r.stationarity << ")";
  EXPECT_LE(r.stationarity, 1e-3);
  const double st = stationarity_of(p.net, p, o.lambda);
  EXPECT_LE(st, 1e-3 + stationarity_rounding(p.net, p, o.lambda, st));
  EXPECT_LT(r.loss, 0.5 * loss0);
  ASSERT_EQ(losses.size(), r.iterations);
  // A small fixed step on a smooth loss: monotone.
  for (std::size_t i = 1; i < losses.size(); ++i) ASSERT_LE(losses[i], losses[i - 1]) << "at iteration " << i + 1;
}

TEST(NnTrain, SgdDecreasesFullBatchLoss) {
  Problem p = problem();
  nrc::TrainOptions o = options(TrainMethod::SGD);
  const double loss0 = nrc::regularized_loss(p.net, o.loss, p.X, p.Y, o.lambda).value;
  std::vector<std::uint64_t> its;
  o.progress = [&](const nrc::TrainProgress& q) { its.push_back(q.iteration); };
  const nrc::TrainResult r = nrc::train(p.net, p.X, p.Y, o);
  EXPECT_EQ(r.status, TrainStatus::MaxIterations) << r.message;
  EXPECT_EQ(r.iterations, o.max_iterations);
  EXPECT_LT(r.loss, 0.5 * loss0);
  EXPECT_NEAR(r.loss, nrc::regularized_loss(p.net, o.loss, p.X, p.Y, o.lambda).value, loss_rounding(p.net, p, o.lambda));
  // Full-batch checks once per epoch: ⌈20/6⌉ = 4 iterations.
  ASSERT_FALSE(its.empty());
  for (std::size_t i = 0; i < its.size(); ++i) EXPECT_EQ(its[i], 4 * (i + 1));
  // Another seed, another sample order.
  Problem q = problem();
  o.seed = 2;
  o.progress = {};
  nrc::train(q.net, q.X, q.Y, o);
  EXPECT_FALSE(bit_identical(nrc::flatten(p.net), nrc::flatten(q.net)));
}

TEST(NnTrain, AbsurdLearningRateDivergesWithFiniteParameters) {
  for (const TrainMethod m : {TrainMethod::GradientDescent, TrainMethod::SGD}) {
    for (const double lr : {1e3, 1e150}) {   // blow-up rule, then overflow to Inf/NaN
      Problem p = problem();
      nrc::TrainOptions o = options(m);
      o.learning_rate = lr;
      const nrc::TrainResult r = nrc::train(p.net, p.X, p.Y, o);
      EXPECT_EQ(r.status, TrainStatus::Diverged) << name(m) << " lr " << lr << ": " << r.message;
      EXPECT_TRUE(nrc::flatten(p.net).is_finite()) << name(m) << " lr " << lr;
      EXPECT_LT(r.iterations, 100u) << name(m) << " lr " << lr;
      EXPECT_FALSE(r.message.empty());
    }
  }
}

TEST(NnTrain, InvalidOptionsThrow) {
  const Problem p = problem();
  const auto run = [&](const std::function<void(nrc::TrainOptions&)>& edit, TrainMethod m = TrainMethod::SGD) {
    return [=] {
      nrc::Mlp net = p.net;
      nrc::TrainOptions o = options(m);
      edit(o);
      nrc::train(net, p.X, p.Y, o);
    };
  };
  expect_error(run([](auto& o) { o.lambda = 0; }), {"λ > 0", "got 0"});
  expect_error(run([](auto& o) { o.lambda = -1; }), {"λ > 0", "got -1"});
  expect_error(run([](auto& o) { o.lambda = NAN; }), {"λ > 0"});
  expect_error(run([](auto& o) { o.batch_size = 0; }), {"batch_size", "got 0"});
  expect_error(run([](auto& o) { o.batch_size = 21; }), {"batch_size ≤ N = 20", "got 21"});
  expect_error(run([](auto& o) { o.learning_rate = 0; }), {"learning_rate > 0", "got 0"});
  expect_error(run([](auto& o) { o.learning_rate = -1; }, TrainMethod::GradientDescent), {"learning_rate"});
  expect_error(run([](auto& o) { o.max_iterations = 0; }, TrainMethod::LBFGS), {"max_iterations ≥ 1", "got 0"});
  expect_error(run([](auto& o) { o.checkpoint_every = 0; }), {"checkpoint_every"});
  expect_error(run([](auto& o) { o.stationarity_tol = -1; }), {"stationarity_tol"});
  expect_error(run([](auto& o) { o.checkpoint_path = "/nonexistent_dir_nrc/x.ckpt"; }), {"existing directory"});
  // The learning rate and batch size are not L-BFGS' business.
  EXPECT_NO_THROW(run([](auto& o) { o.learning_rate = -1; o.batch_size = 0; o.max_iterations = 2; },
                      TrainMethod::LBFGS)());
  // Shapes and data.
  expect_error([&] { nrc::Mlp net = p.net; nrc::train(net, p.X.rows(0, 2), p.Y, {}); }, {"X with 4 rows", "got 3"});
  expect_error([&] { nrc::Mlp net = p.net; nrc::train(net, p.X, p.Y.cols(0, 9), {}); }, {"same number of columns"});
  expect_error([&] { nrc::Mlp net = p.net; nrc::train(net, arma::mat(4, 0), arma::mat(4, 0), {}); }, {"N ≥ 1"});
  expect_error([&] {
    nrc::Mlp net = p.net;
    arma::mat X = p.X;
    X(0, 0) = NAN;
    nrc::train(net, X, p.Y, {});
  }, {"finite X and Y"});
}

TEST(NnTrain, ProgressReportsIncreasingIterationsWithFullBatchFigures) {
  for (const TrainMethod m : kMethods) {
    Problem p = problem();
    nrc::TrainOptions o = options(m);
    o.max_iterations = 60;
    o.stationarity_tol = 0;
    std::vector<nrc::TrainProgress> seen;
    o.progress = [&](const nrc::TrainProgress& q) { seen.push_back(q); };
    const nrc::TrainResult r = nrc::train(p.net, p.X, p.Y, o);
    ASSERT_FALSE(seen.empty()) << name(m);
    for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GT(seen[i].iteration, seen[i - 1].iteration) << name(m);
    // Every iteration reports, except SGD (once an epoch) and Newton's rejected trust-region steps.
    if (m == TrainMethod::LBFGS || m == TrainMethod::GradientDescent) {
      for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i].iteration, i + 1) << name(m);
    }
    EXPECT_LE(seen.back().iteration, r.iterations) << name(m);
    for (const auto& q : seen) {
      EXPECT_TRUE(std::isfinite(q.loss) && q.loss > 0) << name(m);
      EXPECT_TRUE(std::isfinite(q.grad_norm) && q.grad_norm > 0 && std::isfinite(q.stationarity)) << name(m);
    }
    // Final figures agree with a fresh evaluation of the returned network.
    EXPECT_NEAR(r.stationarity, stationarity_of(p.net, p, o.lambda),
                stationarity_rounding(p.net, p, o.lambda, r.stationarity))
        << name(m);
  }
}

TEST(NnTrain, KilledRunResumesToBitIdenticalParameters) {
  for (const TrainMethod m : kMethods) {
    SCOPED_TRACE(std::string(name(m)));
    nrc::TrainOptions o = options(m);
    o.checkpoint_every = 30;
    // A: uninterrupted, without checkpoints (they must not change the trajectory).
    Problem a = problem();
    const nrc::TrainResult ra = nrc::train(a.net, a.X, a.Y, o);
    ASSERT_NE(ra.status, TrainStatus::Diverged) << ra.message;
    ASSERT_GT(ra.iterations, 70u) << "too short a run to kill in the middle";
    // L-BFGS ends in the gradient-only polish, Newton in its trust-region phase (checkpoints every
    // 30/20 = 1 iteration there): the late kill resumes inside them.
    if (m == TrainMethod::LBFGS) {
      EXPECT_NE(ra.message.find("polish"), std::string::npos) << ra.message;
    }
    if (m == TrainMethod::Newton) {
      EXPECT_NE(ra.message.find("Newton"), std::string::npos) << ra.message;
      EXPECT_GT(ra.hessian_products, 0u);
    }
    // B: killed early (checkpoints at 30 and 60 written) or just before the end.
    for (const std::uint64_t kill_at : {std::uint64_t{70}, ra.iterations - 3}) {
      SCOPED_TRACE("killed at iteration " + std::to_string(kill_at));
      TempDir dir;
      o.checkpoint_path = dir.file("run.ckpt");
      const Problem b0 = problem();
      nrc::Mlp b = b0.net;
      bool killed = false;
      o.progress = [&](const nrc::TrainProgress& q) {
        if (q.iteration >= kill_at) {
          killed = true;
          throw Kill{};
        }
      };
      EXPECT_THROW(nrc::train(b, b0.X, b0.Y, o), Kill);
      ASSERT_TRUE(killed);
      EXPECT_TRUE(bit_identical(nrc::flatten(b), nrc::flatten(b0.net))) << "net changed by a failed call";
      ASSERT_TRUE(fs::exists(o.checkpoint_path));
      // A torn write left behind must not matter.
      std::ofstream(o.checkpoint_path + ".tmp") << "torn";
      // Restart with the same options.
      o.progress = {};
      const nrc::TrainResult rb = nrc::train(b, b0.X, b0.Y, o);
      EXPECT_TRUE(rb.resumed);
      EXPECT_EQ(rb.status, ra.status);
      EXPECT_EQ(rb.iterations, ra.iterations);
      EXPECT_TRUE(bit_identical(nrc::flatten(b), nrc::flatten(a.net)));
      EXPECT_EQ(rb.loss, ra.loss);
      EXPECT_LT(rb.evaluations, ra.evaluations);
      // A rerun after completion returns at once from the kept final checkpoint.
      nrc::Mlp c = b0.net;
      const nrc::TrainResult rc = nrc::train(c, b0.X, b0.Y, o);
      EXPECT_TRUE(rc.resumed);
      EXPECT_EQ(rc.status, ra.status);
      EXPECT_EQ(rc.iterations, ra.iterations);
      EXPECT_LE(rc.evaluations, 2u);
      EXPECT_TRUE(bit_identical(nrc::flatten(c), nrc::flatten(a.net)));
    }
  }
}

TEST(NnTrain, LbfgsWithZeroToleranceStallsAtTheGradientsRoundingLevel) {
  Problem p = problem();
  nrc::TrainOptions o = options(TrainMethod::LBFGS);
  o.stationarity_tol = 0;
  o.max_iterations = 5000;
  const nrc::TrainResult r = nrc::train(p.net, p.X, p.Y, o);
  EXPECT_EQ(r.status, TrainStatus::Stalled) << r.message;
  EXPECT_LT(r.iterations, o.max_iterations);
  // Far below where liblbfgs' own line search stalls (~1e-7 here), and reported truthfully (a fresh
  // evaluation agrees within two evaluations' rounding).
  const double st_err = stationarity_rounding(p.net, p, o.lambda, r.stationarity);
  EXPECT_LE(r.stationarity, 1e-12);   // not a tolerance: the claim (~1e-7 is where liblbfgs stops)
  EXPECT_NEAR(r.stationarity, stationarity_of(p.net, p, o.lambda), st_err);
  EXPECT_TRUE(nrc::flatten(p.net).is_finite());
}

TEST(NnTrain, CheckpointOfAnotherRunIsRefused) {
  TempDir dir;
  const Problem p = problem();
  nrc::TrainOptions o = options(TrainMethod::SGD);
  o.max_iterations = 40;
  o.checkpoint_path = dir.file("run.ckpt");
  nrc::Mlp net = p.net;
  nrc::train(net, p.X, p.Y, o);
  const auto retrain = [&](const arma::mat& X, const arma::mat& Y, const nrc::TrainOptions& oo,
                           const nrc::Mlp& start) {
    return [=] {
      nrc::Mlp n = start;
      nrc::train(n, X, Y, oo);
    };
  };
  arma::mat X2 = p.X;
  X2(1, 1) += 1e-12;
  expect_error(retrain(X2, p.Y, o, p.net), {"another run", "data"});
  nrc::TrainOptions o2 = o;
  o2.seed = 99;
  expect_error(retrain(p.X, p.Y, o2, p.net), {"another run", "options"});
  o2 = o;
  o2.lambda = 2e-2;
  expect_error(retrain(p.X, p.Y, o2, p.net), {"another run"});
  o2 = o;
  o2.method = TrainMethod::GradientDescent;
  expect_error(retrain(p.X, p.Y, o2, p.net), {"another run", "method sgd"});
  expect_error(retrain(p.X, p.Y, o, problem(8).net), {"another run", "initial parameters"});
  nrc::Engine rng(1);
  const nrc::Mlp wide = nrc::make_mlp({4, 5, 4}, {nrc::Activation::Tanh, nrc::Activation::Identity}, rng);
  expect_error(retrain(p.X, p.Y, o, wide), {"another run", "network 4-3-4"});
  // A longer budget and another tolerance are the same run, continued.
  o2 = o;
  o2.max_iterations = 80;
  nrc::Mlp n = p.net;
  const nrc::TrainResult r = nrc::train(n, p.X, p.Y, o2);
  EXPECT_TRUE(r.resumed);
  EXPECT_EQ(r.iterations, 80u);
}

TEST(NnTrain, TruncatedOrCorruptedCheckpointIsRefused) {
  TempDir dir;
  const Problem p = problem();
  nrc::TrainOptions o = options(TrainMethod::GradientDescent);
  o.max_iterations = 10;
  o.checkpoint_path = dir.file("run.ckpt");
  nrc::Mlp net = p.net;
  nrc::train(net, p.X, p.Y, o);
  std::vector<char> bytes;
  {
    std::ifstream f(o.checkpoint_path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(bytes.size(), 100u);
  const auto write = [&](const std::vector<char>& b) {
    std::ofstream f(o.checkpoint_path, std::ios::binary | std::ios::trunc);
    f.write(b.data(), static_cast<std::streamsize>(b.size()));
  };
  const auto rerun = [&] {
    nrc::Mlp n = p.net;
    nrc::train(n, p.X, p.Y, o);
  };
  for (const std::size_t keep : {bytes.size() - 1, bytes.size() / 2, std::size_t{40}, std::size_t{10}}) {
    write(std::vector<char>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(keep)));
    expect_error(rerun, {"truncated", o.checkpoint_path});
  }
  std::vector<char> bad = bytes;
  bad[bad.size() / 2] ^= 1;
  write(bad);
  expect_error(rerun, {"checksum", "corrupted"});
  write({'h', 'e', 'l', 'l', 'o'});
  expect_error(rerun, {"magic"});
  // Deleting it starts afresh.
  fs::remove(o.checkpoint_path);
  nrc::Mlp n = p.net;
  EXPECT_FALSE(nrc::train(n, p.X, p.Y, o).resumed);
}

}  // namespace
