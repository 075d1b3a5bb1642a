// Proposition 4.1: WCSS_0 of Gaussian mixtures — its exact law, the probability statement as
// written (which fails for large clusters; in the autoencoder reading almost always), its
// corrected Laurent–Massart form, the sequential decision from draws, and every mutant.
#include "property_tests/support.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "lib/cluster/cluster.hpp"
#include "lib/data/gaussian_mixture.hpp"
#include "theorems/judge.hpp"
#include "theorems/prop_4_1_gaussian_tcv.hpp"
#include "theorems/registry.hpp"


namespace {

namespace p41 = nrc::prop_4_1;
using nrc::Verdict;

constexpr double kTailExponent = 15;   // as in the check
constexpr double kCRef = 1.0 / 16.0;   // as in the check
constexpr double kZ95 = 1.959963984540054;
const std::vector<std::string> kIds = {"prop_4_1_mean", "prop_4_1", "prop_4_1_autoencoder", "prop_4_1_corrected"};

const nrc::Check& check(const std::string& id) { return nrc::find_check(id); }

// The same generator with smaller clusters (and, for the mean, fewer draws), so 500 RapidCheck
// cases of each property stay within seconds: N_k ≤ nk_max and d ≤ d_max. Every bound here holds
// for any M ≥ 2 and N_k ≥ 2; the probability checks keep their draw budget.
nrc::Check rc_sized(const nrc::Check& c, std::int64_t nk_max, std::int64_t d_max) {
  nrc::Check small = c;
  small.draw = [orig = c.draw, nk_max, d_max](nrc::Draw& d) {
    nlohmann::json p = orig(d);
    if (p.contains("draws")) p["draws"] = 60;
    p["n_per_cluster"] = std::min<std::int64_t>(p["n_per_cluster"].get<std::int64_t>(), nk_max);
    p["d"] = std::min<std::int64_t>(p["d"].get<std::int64_t>(), d_max);
    return p;
  };
  return small;
}

nlohmann::json base_params(const std::string& id) {
  nlohmann::json p = {{"K", 1},          {"d", 3},          {"n_per_cluster", 20},   {"covariance", "isotropic"},
                      {"sigma", 0.7},    {"mean_scale", 2}, {"targets", "one_hot"}, {"data_seed", 17}};
  if (id == "prop_4_1_mean") p["draws"] = 100;
  if (id != "prop_4_1_mean") p["max_draws"] = 400;
  if (id == "prop_4_1_autoencoder") p["targets"] = "autoencode";
  if (id == "prop_4_1_corrected") p["x"] = {1.0, 2.0, 3.0};
  return p;
}

double metric(const nrc::Record& r, const std::string& name) { return r.metrics.at(name).get<double>(); }

// Rounding bound of one WCSS evaluation on P (as lib_cluster_test.cpp derives it): with S the total
// variance plus the mean squared norm, ≤ 6γ_{N+d+1}·S.
double wcss_rounding(const arma::mat& P) {
  const double S = nrc::wcss(P, arma::uvec(P.n_cols, arma::fill::zeros)) +
                   arma::accu(arma::square(P)) / static_cast<double>(P.n_cols);
  return 6 * nrc::tol::gamma(P.n_cols + P.n_rows + 1) * S;
}

// ---- Properties over the shared generator -------------------------------------------------------

RC_GTEST_PROP(Prop41, MeanOfWcssIsTheExactChiSquareMean, ()) {
  const nrc::Record r = nrc::test::check_property(rc_sized(check("prop_4_1_mean"), 120, 64));
  RC_ASSERT(r.verdict == Verdict::Pass);
}

// The corrected statement never Fails; where it Passes every x is certified; and for isotropic
// data the exact probability (W = σ²χ²_ν/N) is ≤ e^{−x} at every x — Laurent–Massart applied to
// the law, which a wrong ‖a‖₂, ‖a‖_∞, E[W] or c_y would break.
RC_GTEST_PROP(Prop41, CorrectedStatementHolds, ()) {
  const nrc::Record r = nrc::test::check_property(rc_sized(check("prop_4_1_corrected"), 30, 6));
  RC_TAG(std::string(nrc::name(r.verdict)));
  RC_ASSERT(r.verdict == Verdict::Pass || r.verdict == Verdict::Inconclusive);
  for (const auto& row : r.metrics.at("per_x")) {
    const double allowed = row.at("allowed").get<double>();
    RC_ASSERT(allowed == std::exp(-row.at("x").get<double>()));
    if (r.verdict == Verdict::Pass) RC_ASSERT(row.at("p_hi").get<double>() <= allowed);
    if (row.contains("p_exact")) RC_ASSERT(row.at("p_exact").get<double>() <= allowed);
  }
}

// prop_4_1 as written is false for large clusters (StatedBoundFailsForLargeClusters below), so its
// property cannot be "never Fail"; instead: the statistics are coherent, a Fail is exactly an
// instance whose data exclude C_ref, and in the isotropic case the exact χ² tail lies in the
// verdict's interval (each side wrong with probability ≤ e^{−15} per case).
RC_GTEST_PROP(Prop41, StatedCheckIsCoherent, ()) {
  // Clusters up to N_k d = 120·24 (K = 1): m up to 54 and 2e^{−54/16} ≈ 0.07 below P(W > B) ≈ 0.2,
  // so Fails are among the cases.
  const nrc::Check c = rc_sized(check("prop_4_1"), 120, 24);
  const nrc::Record r = nrc::evaluate_params(c, nrc::test::draw_instance(c).params);
  RC_TAG(std::string(nrc::name(r.verdict)));
  RC_ASSERT(r.verdict != Verdict::NotApplicable);
  const double p_hat = metric(r, "p_hat");
  RC_ASSERT(metric(r, "p_lo") <= p_hat);
  RC_ASSERT(p_hat <= metric(r, "p_hi"));
  // The verdict's interval is the more conservative one (e^{−15−ln L} against 95%).
  RC_ASSERT(metric(r, "p_lo_verdict") <= metric(r, "p_lo"));
  RC_ASSERT(metric(r, "p_hi") <= metric(r, "p_hi_verdict"));
  if (r.verdict == Verdict::Fail) {
    RC_ASSERT(r.lhs == metric(r, "p_lo_verdict"));
    RC_ASSERT(metric(r, "c_max") < kCRef);
  } else {
    RC_ASSERT(r.lhs == metric(r, "p_hi_verdict"));
  }
  if (r.metrics.contains("p_exact")) {
    RC_ASSERT(metric(r, "p_lo_verdict") <= metric(r, "p_exact"));
    RC_ASSERT(metric(r, "p_exact") <= metric(r, "p_hi_verdict"));
  }
}

// The autoencoder reading: E[W_s] > B for N_k ≥ 5 (header), so the per-copy threshold B/2 lies
// below the mean (z < 0); the verdict follows its interval as in prop_4_1.
RC_GTEST_PROP(Prop41, AutoencoderReadingHasItsMeanAboveTheBound, ()) {
  const nrc::Check c = rc_sized(check("prop_4_1_autoencoder"), 120, 24);
  const nrc::Record r = nrc::evaluate_params(c, nrc::test::draw_instance(c).params);
  RC_TAG(std::string(nrc::name(r.verdict)) + (r.rhs >= 1 ? " (vacuous)" : ""));
  RC_ASSERT(metric(r, "z") < 0);
  RC_ASSERT(metric(r, "expected_w") > metric(r, "bound"));
  if (r.verdict == Verdict::Pass) RC_ASSERT(metric(r, "p_hi_verdict") <= r.rhs);
  if (r.verdict == Verdict::Fail) RC_ASSERT(metric(r, "p_lo_verdict") > r.rhs);
}

// ---- The exact law of W -------------------------------------------------------------------------

// K = d = 1, N = 2: W = (x_1 − x_2)²/4 = σ²χ²_1/2, so E = σ²/2 and Var = σ⁴/2.
TEST(Prop41, MomentsByHandTwoPoints) {
  const double s2 = 3;
  const auto mv = p41::wcss_moments({s2}, {s2 * s2}, {2});
  // A few products and quotients of small numbers (the moments' closed forms): γ_8 of the value.
  EXPECT_NEAR(mv[0], s2 / 2, nrc::test::rounding(8, s2 / 2));
  EXPECT_NEAR(mv[1], s2 * s2 / 2, nrc::test::rounding(8, s2 * s2 / 2));
}

// K = 1, d = 2, N = 3, Σ = diag(1, 4): W = (χ²_2 + 4χ²_2')/3, E = (2 + 8)/3, Var = (2·2 + 16·2·2)/9.
// K = 2, N = (2, 3), Tr = (1, 2), ‖Σ‖_F² = (1, 4): E = (2/5)(1/2)·1 + (3/5)(2/3)·2 = 1,
// Var = (2/5)²·2·1/4·1 + (3/5)²·2·2/9·4 = 0.08 + 0.64.
TEST(Prop41, MomentsByHandMixtures) {
  // Closed forms of a few products, quotients and a 2-term sum: γ_12 of the terms' size.
  auto mv = p41::wcss_moments({5}, {17}, {3});
  EXPECT_NEAR(mv[0], 10.0 / 3, nrc::test::rounding(12, 10.0 / 3));
  EXPECT_NEAR(mv[1], 68.0 / 9, nrc::test::rounding(12, 68.0 / 9));
  mv = p41::wcss_moments({1, 2}, {1, 4}, {2, 3});
  EXPECT_NEAR(mv[0], 1.0, nrc::test::rounding(12, 0.2 + 0.8));
  EXPECT_NEAR(mv[1], 0.72, nrc::test::rounding(12, 0.08 + 0.64));
  EXPECT_THROW(p41::wcss_moments({1}, {1}, {2, 3}), std::invalid_argument);
}

// The lib sampler and WCSS agree with the law on a direct computation: for K = d = 1, N = 2 the
// WCSS is (x_1 − x_2)²/4 sample by sample.
TEST(Prop41, WcssOfTwoPointsIsTheSquaredDifferenceOverFour) {
  nrc::Engine rng(4);
  nrc::MixtureSpec spec;
  spec.K = 1;
  spec.d = 1;
  spec.N = 2;
  spec.sigma = 1.5;
  for (int r = 0; r < 10; ++r) {
    const nrc::Dataset ds = nrc::sample_gaussian_mixture(spec, rng);
    const double diff = ds.X(0, 0) - ds.X(0, 1);
    // Both are a handful of roundings on terms of size ≤ x_1² + x_2² (the centroid's cancellation);
    // the one-hot label rows add exact zeros.
    const double x2 = ds.X(0, 0) * ds.X(0, 0) + ds.X(0, 1) * ds.X(0, 1);
    EXPECT_NEAR(nrc::wcss(nrc::stack_points(ds.X, ds.Y), ds.labels), diff * diff / 4, nrc::test::rounding(12, x2));
  }
}

// Eq. (6) stacks (x, y); with one-hot labels the label rows add exact zeros, so the check's WCSS of
// the inputs is the stacked WCSS bit for bit. With y = x the stacked WCSS is 2W in exact arithmetic;
// computed, each side within one WCSS evaluation's rounding (twice for the doubled points).
TEST(Prop41, StackedWcssOfBothReadings) {
  nrc::Engine rng(8);
  nrc::MixtureSpec spec;
  spec.K = 7;
  spec.d = 5;
  spec.N = 7 * 13;
  spec.sigma = 0.3;
  spec.mean_scale = 10;
  for (int r = 0; r < 5; ++r) {
    const nrc::Dataset ds = nrc::sample_gaussian_mixture(spec, rng);
    EXPECT_EQ(nrc::wcss(nrc::stack_points(ds.X, ds.Y), ds.labels), nrc::wcss(ds.X, ds.labels));
    const arma::mat S = nrc::stack_points(ds.X, ds.X);
    EXPECT_NEAR(nrc::wcss(S, ds.labels), 2 * nrc::wcss(ds.X, ds.labels),
                wcss_rounding(S) + 2 * wcss_rounding(ds.X));
  }
}

// The repeated-draw sampler gives exactly what the one-shot sampler gives from the same engine state.
TEST(Prop41, MixtureSamplerMatchesTheOneShotSampler) {
  nrc::Engine cov_rng(3);
  nrc::MixtureSpec spec;
  spec.K = 3;
  spec.d = 4;
  spec.N = 3 * 7;
  spec.mean_scale = 2;
  for (int k = 0; k < 3; ++k) {
    const arma::mat B = nrc::randn(4, 4, cov_rng);
    spec.covariances.push_back(B * B.t());
  }
  for (const auto targets : {nrc::Targets::OneHot, nrc::Targets::Autoencode}) {
    spec.targets = targets;
    const nrc::MixtureSampler sampler(spec);
    nrc::Engine a(11), b(11);
    for (int r = 0; r < 3; ++r) {
      const nrc::Dataset x = nrc::sample_gaussian_mixture(spec, a), y = sampler.draw(b);
      EXPECT_TRUE(arma::approx_equal(x.X, y.X, "absdiff", 0.0));
      EXPECT_TRUE(arma::approx_equal(x.Y, y.Y, "absdiff", 0.0));
      EXPECT_TRUE(arma::approx_equal(x.means, y.means, "absdiff", 0.0));
      EXPECT_TRUE(arma::all(x.labels == y.labels));
    }
  }
  spec.covariances.pop_back();
  EXPECT_THROW(nrc::MixtureSampler{spec}, std::invalid_argument);
}

// ---- Statistics helpers -------------------------------------------------------------------------

// Textbook Wilson score intervals at 95% (e.g. Brown, Cai & DasGupta 2001; Newcombe 1998). The
// tolerance is the sources' precision: values quoted to 4 decimals, ±0.5e-4 (plus nothing measurable).
TEST(Prop41, WilsonIntervalTextbookValues) {
  auto w = p41::wilson_interval(0, 10, kZ95);
  EXPECT_EQ(w[0], 0.0);
  EXPECT_NEAR(w[1], 0.2775, 0.5e-4);
  w = p41::wilson_interval(5, 10, kZ95);
  EXPECT_NEAR(w[0], 0.2366, 0.5e-4);
  EXPECT_NEAR(w[1], 0.7634, 0.5e-4);
  w = p41::wilson_interval(10, 10, kZ95);
  EXPECT_NEAR(w[0], 0.7225, 0.5e-4);
  EXPECT_EQ(w[1], 1.0);
  w = p41::wilson_interval(81, 263, kZ95);   // Newcombe (1998), example: 0.2553–0.3662
  EXPECT_NEAR(w[0], 0.2553, 0.5e-4);
  EXPECT_NEAR(w[1], 0.3662, 0.5e-4);
  EXPECT_THROW(p41::wilson_interval(11, 10, kZ95), std::invalid_argument);
}

// At v = 0, M·KL(0‖p) = −M ln(1 − p), so the upper end is 1 − e^{−x/M}; symmetrically at v = M.
// Tolerance: the bisection runs to adjacent doubles of the root of M·KL = x, whose evaluation rounds
// within γ_4·x (a log, a product); the root moves by that over |d(M·KL)/dp| = M/(1 − p) ≥ 1, so by
// ≤ γ_4·x; the closed form 1 − e^{−x/M} rounds within γ_4 (of 1).
TEST(Prop41, ChernoffIntervalClosedForms) {
  const double tol = nrc::test::rounding(4, kTailExponent + 1);
  for (std::int64_t M : {10, 200, 5000}) {
    const double edge = 1 - std::exp(-kTailExponent / static_cast<double>(M));
    auto ci = p41::chernoff_interval(0, M, kTailExponent);
    EXPECT_EQ(ci[0], 0.0);
    EXPECT_NEAR(ci[1], edge, tol);
    ci = p41::chernoff_interval(M, M, kTailExponent);
    EXPECT_NEAR(ci[0], 1 - edge, tol);
    EXPECT_EQ(ci[1], 1.0);
  }
  // Inside: more conservative than Wilson 95% and containing p̂.
  const auto ci = p41::chernoff_interval(48, 200, kTailExponent);
  const auto w = p41::wilson_interval(48, 200, kZ95);
  EXPECT_LT(ci[0], w[0]);
  EXPECT_GT(ci[1], w[1]);
  EXPECT_LT(ci[0], 0.24);
  EXPECT_GT(ci[1], 0.24);
}

TEST(Prop41, CMaxClosedFormAndBisection) {
  // Equal exponents: 2K e^{−C m} = p ⇔ C = ln(2K/p)/m. The bisection runs to adjacent doubles of
  // the root of f(C) = 2Σe^{−C m_k} − p, whose evaluation rounds within γ_{K+3}·p near the root; the
  // root moves by that over |f'| = m·p, i.e. by γ_{K+3}/m; the closed form rounds within γ_3 of C.
  for (double p : {0.5, 0.1, 1e-3}) {
    const double c1 = std::log(2 / p) / 40, c10 = std::log(20 / p) / 7;
    EXPECT_NEAR(p41::c_max({40.0}, p), c1, nrc::tol::gamma(4) / 40 + nrc::test::rounding(3, c1));
    EXPECT_NEAR(p41::c_max(std::vector<double>(10, 7.0), p), c10, nrc::tol::gamma(13) / 7 + nrc::test::rounding(3, c10));
  }
  // Unequal exponents: the bisection's root solves 2Σ e^{−C m_k} = p: within one step of the root
  // (|f'|·ulp(C) ≤ m_max·p·2u·C) plus f's evaluation, γ_{K+3}·p, twice (here and in c_max).
  const std::vector<double> m = {3.0, 17.0, 120.0};
  const double c = p41::c_max(m, 0.05);
  double f = 0;
  for (double mk : m) f += 2 * std::exp(-c * mk);
  EXPECT_NEAR(f, 0.05, 120 * 0.05 * 2 * nrc::tol::unit_roundoff * c + 2 * nrc::test::rounding(6, 0.05));
  EXPECT_GT(c, std::log(6 / 0.05) / 120);
  EXPECT_LT(c, std::log(6 / 0.05) / 3);
  EXPECT_EQ(p41::c_max({5.0}, 0.0), std::numeric_limits<double>::infinity());
}

// The Laurent–Massart deviation by hand: a = (1, 1, 1, 1): ‖a‖₂ = 2, ‖a‖_∞ = 1, so dev(1) = 4 + 2 = 6
// and dev(4) = 8 + 8 = 16 — small integers, exact in double. Its inverse solves the same equation.
TEST(Prop41, LaurentMassartDeviationAndTail) {
  EXPECT_EQ(p41::laurent_massart_deviation(2, 1, 1), 6.0);
  EXPECT_EQ(p41::laurent_massart_deviation(2, 1, 4), 16.0);
  EXPECT_EQ(p41::laurent_massart_deviation(2, 1, 0), 0.0);
  EXPECT_THROW(p41::laurent_massart_deviation(-1, 1, 1), std::invalid_argument);
  const double a2 = 0.3, a_inf = 0.05;
  // x = −log(exp(−root²)) returns root² within γ_3(1 + x) (exp and log ≤ 1 ulp each, the square);
  // the deviation moves by (a2/√x + 2a_∞) per unit of x, and its own evaluation rounds within γ_4·Δ.
  for (double delta : {0.01, 0.5, 4.0}) {
    const double x = -std::log(p41::laurent_massart_tail(delta, a2, a_inf));
    EXPECT_NEAR(p41::laurent_massart_deviation(a2, a_inf, x), delta,
                (a2 / std::sqrt(x) + 2 * a_inf) * nrc::test::rounding(3, 1 + x) + nrc::test::rounding(4, delta));
  }
  EXPECT_EQ(p41::laurent_massart_tail(0, a2, a_inf), 1.0);
}

// ---- The sequential decision --------------------------------------------------------------------

TEST(Prop41, LooksAndExponents) {
  EXPECT_EQ(p41::look_sizes(3200), (std::vector<std::int64_t>{100, 200, 400, 800, 1600, 3200}));
  EXPECT_EQ(p41::look_sizes(1000), (std::vector<std::int64_t>{100, 200, 400, 800, 1000}));
  EXPECT_EQ(p41::look_sizes(100), (std::vector<std::int64_t>{100}));
  EXPECT_EQ(p41::look_sizes(7), (std::vector<std::int64_t>{7}));
  EXPECT_THROW(p41::look_sizes(0), std::invalid_argument);
  // 15 + ln 18: a log and a sum, γ_2 of the value.
  EXPECT_NEAR(p41::look_exponent(15, 6, 3), 15 + std::log(18.0), nrc::test::rounding(2, 18));
}

// By hand at exponent t = 15 + ln 6 and M = 100: v = 0 gives p_hi = 1 − e^{−t/100} ≈ 0.155
// (certifies 0.368 = e^{−1}); v = 100 gives p_lo = e^{−t/100} ≈ 0.845 (refutes 0.5); v = 50 leaves
// 0.5 inside the interval.
TEST(Prop41, DecisionsByHand) {
  const double t = 15 + std::log(6.0);
  EXPECT_EQ(p41::decide(0, 100, std::exp(-1.0), t), p41::Decision::Certified);
  EXPECT_EQ(p41::decide(0, 100, 0.1, t), p41::Decision::Open);   // 0.155 > 0.1
  EXPECT_EQ(p41::decide(100, 100, 0.5, t), p41::Decision::Refuted);
  EXPECT_EQ(p41::decide(100, 100, 0.9, t), p41::Decision::Open);   // 0.845 < 0.9
  EXPECT_EQ(p41::decide(50, 100, 0.5, t), p41::Decision::Open);
  EXPECT_EQ(p41::decide(3, 100, 2.0, t), p41::Decision::Certified);   // vacuous allowance
}

TEST(Prop41, SequentialTestStopsAtTheFirstDecidingLook) {
  // Every draw above the threshold: refuted at the first look.
  auto high = p41::sequential_test([] { return 2.0; }, {1.0}, {0.5}, 3200, kTailExponent);
  EXPECT_EQ(high.decision, p41::Decision::Refuted);
  EXPECT_EQ(high.draws, 100);
  EXPECT_EQ(high.w.size(), 100u);
  EXPECT_EQ(high.looks, 6u);
  // Below every threshold: certified at the first look when both allowances exceed 1 − e^{−t/100},
  // with t = 15 + ln(6·2).
  auto low = p41::sequential_test([] { return 0.0; }, {1.0, 2.0}, {0.3, 0.5}, 3200, kTailExponent);
  EXPECT_EQ(low.decision, p41::Decision::Certified);
  EXPECT_EQ(low.draws, 100);
  EXPECT_NEAR(low.exponent, 15 + std::log(12.0), nrc::test::rounding(2, 15 + std::log(12.0)));
  // An allowance of 0.05 needs 1 − e^{−t/M} ≤ 0.05, M ≥ t/0.0513 ≈ 340: the look at 400.
  auto later = p41::sequential_test([] { return 0.0; }, {1.0}, {0.05}, 3200, kTailExponent);
  EXPECT_EQ(later.decision, p41::Decision::Certified);
  EXPECT_EQ(later.draws, 400);
  // Exactly half above a threshold whose allowance is 1/2: never decided, the whole budget drawn.
  int i = 0;
  auto half = p41::sequential_test([&] { return static_cast<double>(i++ % 2); }, {0.5}, {0.5}, 800, kTailExponent);
  EXPECT_EQ(half.decision, p41::Decision::Open);
  EXPECT_EQ(half.draws, 800);
  EXPECT_EQ(half.tallies[0].violations, 400);
  // One refuted probability refutes, whatever the others.
  int j = 0;
  auto mixed = p41::sequential_test([&] { return j++ % 4 == 0 ? 3.0 : 0.0; }, {2.0, 4.0}, {0.01, 0.5}, 3200,
                                    kTailExponent);
  EXPECT_EQ(mixed.decision, p41::Decision::Refuted);
  EXPECT_EQ(mixed.tallies[0].decision, p41::Decision::Refuted);
  EXPECT_EQ(mixed.tallies[1].decision, p41::Decision::Certified);
}

// ---- The corrected statement by hand --------------------------------------------------------------

// K = d = 1, N = 2, σ = 1: W = χ²_1/2 with a = (1/2): E = ‖a‖₂ = ‖a‖_∞ = 1/2, so the threshold at
// x is (1 + 2√x + 2x)/2 — 2.5 at x = 1, 6.5 at x = 4 — and P(W > t) = P(χ²_1 > 2t) = erfc(√t):
// erfc(√2.5) = 0.0253473 ≤ e^{−1}, erfc(√6.5) = 3.1149e-4 ≤ e^{−4} = 0.0183 (7 and 5 digits quoted).
// Autoencoding doubles the threshold (c_y = 2) and leaves the probabilities.
TEST(Prop41, CorrectedThresholdsByHand) {
  nlohmann::json p = {{"K", 1},        {"d", 1},         {"n_per_cluster", 2}, {"covariance", "isotropic"},
                      {"sigma", 1.0},  {"mean_scale", 1.0}, {"targets", "one_hot"}, {"max_draws", 1600},
                      {"x", {1.0, 4.0}}, {"data_seed", 5}};
  for (const double copies : {1.0, 2.0}) {
    p["targets"] = copies == 1 ? "one_hot" : "autoencode";
    const nrc::Record r = nrc::evaluate_params(check("prop_4_1_corrected"), p);
    const auto& rows = r.metrics.at("per_x");
    // (1 + 2√x + 2x)/2 from E, ‖a‖₂ = √(Var/2), ‖a‖_∞ (each a few exact operations on 1/2, √0.25 exact).
    EXPECT_NEAR(rows[0].at("threshold").get<double>(), copies * 2.5, nrc::test::rounding(8, copies * 2.5));
    EXPECT_NEAR(rows[1].at("threshold").get<double>(), copies * 6.5, nrc::test::rounding(8, copies * 6.5));
    EXPECT_NEAR(rows[0].at("p_exact").get<double>(), 0.0253473, 0.5e-7);
    EXPECT_NEAR(rows[1].at("p_exact").get<double>(), 3.1149e-4, 0.5e-8);
    EXPECT_EQ(r.verdict, Verdict::Pass) << r.notes;
  }
}

// ---- Negative controls: the mean check catches wrong samplers and a wrong WCSS -----------------

// M draws of W for one cluster with covariance `sample_cov` (what the buggy sampler really uses).
std::vector<double> draws_of_w(const arma::mat& sample_cov, arma::uword N, int M, bool centre_at_mean,
                               std::uint64_t seed) {
  nrc::Engine rng(seed);
  nrc::MixtureSpec spec;
  spec.K = 1;
  spec.d = sample_cov.n_rows;
  spec.N = N;
  spec.covariances = {sample_cov};
  spec.mean_scale = 3;
  std::vector<double> w;
  for (int r = 0; r < M; ++r) {
    const nrc::Dataset ds = nrc::sample_gaussian_mixture(spec, rng);
    if (centre_at_mean) {
      w.push_back(nrc::wcss(ds.X, ds.labels));
    } else {   // the bug: distances to μ instead of the sample centroid
      w.push_back(arma::accu(arma::square(ds.X.each_col() - ds.means.col(0))) / static_cast<double>(N));
    }
  }
  return w;
}

TEST(Prop41, MeanCheckCatchesTheCovarianceUsedAsItsRoot) {
  const arma::mat S = arma::diagmat(arma::vec{2.0, 0.5, 1.5});
  const arma::uword N = 10;
  const auto mv = p41::wcss_moments({arma::trace(S)}, {arma::accu(arma::square(S))}, {10});
  const double a_inf = 2.0 / N;
  const auto right = p41::mean_evidence(draws_of_w(S, N, 200, true, 1), mv[0], mv[1], a_inf);
  EXPECT_EQ(nrc::judge(right).verdict, Verdict::Pass);
  // x = μ + Σ v has covariance Σ², not Σ.
  const auto wrong = p41::mean_evidence(draws_of_w(S * S, N, 200, true, 1), mv[0], mv[1], a_inf);
  EXPECT_EQ(nrc::judge(wrong).verdict, Verdict::Fail);
}

TEST(Prop41, MeanCheckCatchesAWcssAboutTheTrueMean) {
  const arma::mat S = arma::eye(4, 4);
  const arma::uword N = 5;   // the centring removes one of the N degrees of freedom: 20% of the mean
  const auto mv = p41::wcss_moments({4.0}, {4.0}, {5});
  const auto wrong = p41::mean_evidence(draws_of_w(S, N, 200, false, 2), mv[0], mv[1], 1.0 / N);
  EXPECT_EQ(nrc::judge(wrong).verdict, Verdict::Fail);
  const auto right = p41::mean_evidence(draws_of_w(S, N, 200, true, 2), mv[0], mv[1], 1.0 / N);
  EXPECT_EQ(nrc::judge(right).verdict, Verdict::Pass);
}

// ---- Mutants ------------------------------------------------------------------------------------

// Every check has mutants, each a complete instance. The check's own evaluate on a mutant's
// instance does not Fail (so the mutant's error, not the instance, makes it Fail); the registered
// parametrized test asserts the Fail itself, and it is asserted here too for these checks.
TEST(Prop41, EveryMutantFailsAndItsInstanceDoesNot) {
  for (const auto& id : kIds) {
    const nrc::Check& c = check(id);
    EXPECT_GE(c.mutants.size(), 2u) << id;
    for (const nrc::Mutant& m : c.mutants) {
      const nrc::Record wrong = nrc::evaluate_mutant(c, m);
      EXPECT_EQ(wrong.verdict, Verdict::Fail) << id << "/" << m.name << ": " << wrong.notes;
      EXPECT_GT(wrong.lhs, wrong.rhs) << id << "/" << m.name;
      const nrc::Record right = nrc::evaluate_params(c, m.params);
      EXPECT_EQ(right.verdict, Verdict::Pass) << id << "/" << m.name << ": " << right.notes;
    }
  }
}

// ---- The probability statement as written, and corrected ----------------------------------------

// K = 1, N = 500, d = 24: m = min(500, √(500·24)) ≈ 110, the claim allows P(W > B) ≤ 2e^{−110/16}
// ≈ 2e-3, while Δ/sd = (√24 + √500)/√998 ≈ 0.86 puts the exact χ² tail near 1 − Φ(0.86) ≈ 0.19:
// the statement as written fails.
TEST(Prop41, StatedBoundFailsForLargeClusters) {
  auto p = base_params("prop_4_1");
  p["n_per_cluster"] = 500;
  p["d"] = 24;
  const nrc::Record r = nrc::evaluate_params(check("prop_4_1"), p);
  EXPECT_EQ(r.verdict, Verdict::Fail) << r.metrics.dump();
  // Not rounding tolerances: 0.19 is the normal approximation 1 − Φ(0.86) quoted above, which the
  // exact χ² tail and the check's normal approximation p_norm match only up to the χ²'s skewness.
  EXPECT_NEAR(metric(r, "p_exact"), 0.19, 0.02);
  EXPECT_NEAR(metric(r, "p_norm"), metric(r, "p_exact"), 0.03);
  EXPECT_LT(metric(r, "c_max"), kCRef);
  EXPECT_NEAR(metric(r, "m_min"), std::sqrt(500.0 * 24), nrc::test::rounding(2, std::sqrt(500.0 * 24)));
  // The rigorous bound on the same probability is above the truth and below 2/3 (Cantelli, header).
  EXPECT_GE(metric(r, "p_bound"), metric(r, "p_exact"));
  EXPECT_LT(metric(r, "p_bound"), 2.0 / 3.0);
  // The corrected statement holds on the same data, at each x.
  auto pc = base_params("prop_4_1_corrected");
  pc["n_per_cluster"] = 500;
  pc["d"] = 24;
  pc["max_draws"] = 3200;
  const nrc::Record c = nrc::evaluate_params(check("prop_4_1_corrected"), pc);
  EXPECT_EQ(c.verdict, Verdict::Pass) << c.notes;
  // …and the exact mean too.
  auto pm = base_params("prop_4_1_mean");
  pm["n_per_cluster"] = 500;
  pm["d"] = 24;
  EXPECT_EQ(nrc::evaluate_params(check("prop_4_1_mean"), pm).verdict, Verdict::Pass);
}

// Small clusters: the stated probability is vacuous (≥ 1), so the statement cannot fail; it is
// certified at the first look (p_hi ≤ 1 ≤ rhs).
TEST(Prop41, StatedBoundIsVacuousForSmallClusters) {
  auto p = base_params("prop_4_1");
  p["n_per_cluster"] = 5;
  p["d"] = 2;
  const nrc::Record r = nrc::evaluate_params(check("prop_4_1"), p);
  EXPECT_EQ(r.verdict, Verdict::Pass);
  EXPECT_GT(r.rhs, 1.0);
  EXPECT_EQ(metric(r, "draws_used"), 100);
}

// The autoencoder reading on the same large clusters: W_s = 2W sits near 2E ≈ 2B, so every draw
// violates B (p_exact = 1 to double precision) and the lower bound refutes at the first look.
TEST(Prop41, AutoencoderReadingFailsAlmostSurely) {
  auto p = base_params("prop_4_1_autoencoder");
  p["n_per_cluster"] = 500;
  p["d"] = 24;
  const nrc::Record r = nrc::evaluate_params(check("prop_4_1_autoencoder"), p);
  EXPECT_EQ(r.verdict, Verdict::Fail);
  EXPECT_EQ(metric(r, "draws_used"), 100);
  EXPECT_EQ(metric(r, "violations"), 100);
  EXPECT_FALSE(r.metrics.contains("p_bound"));   // B/2 < E[W]: no tail bound applies
}

// Ten balanced clusters: violations are rarer (Δ/sd grows like √K) but their probability does not
// vanish with N either.
TEST(Prop41, TenClustersViolateRarelyButNotVanishingly) {
  auto p = base_params("prop_4_1");
  p["K"] = 10;
  p["n_per_cluster"] = 200;
  p["d"] = 8;
  const nrc::Record iso = nrc::evaluate_params(check("prop_4_1"), p);
  EXPECT_NEAR(metric(iso, "p_exact"), 0.013, 0.01);   // the finding's order of magnitude, not a rounding bound
  p["covariance"] = "anisotropic";
  p["decades"] = 1.5;
  const nrc::Record r = nrc::evaluate_params(check("prop_4_1"), p);
  EXPECT_FALSE(r.metrics.contains("p_exact"));
  // Not rounding tolerances: the finding's range (rare, but not vanishing).
  EXPECT_GT(metric(r, "p_norm"), 1e-3);
  EXPECT_LT(metric(r, "p_norm"), 0.05);
}

TEST(Prop41, BadParametersAreRejected) {
  for (const std::string& id : kIds) {
    EXPECT_NO_THROW(nrc::evaluate_params(check(id), base_params(id)));
    auto p = base_params(id);
    p["sigma"] = 0.0;
    EXPECT_THROW(nrc::evaluate_params(check(id), p), std::invalid_argument);
    p = base_params(id);
    p["n_per_cluster"] = 1;
    EXPECT_THROW(nrc::evaluate_params(check(id), p), std::invalid_argument);
    p = base_params(id);
    if (id == "prop_4_1_mean") {
      p["draws"] = 1;
    } else {
      p["max_draws"] = 0;
    }
    EXPECT_THROW(nrc::evaluate_params(check(id), p), std::invalid_argument);
    p = base_params(id);
    p["K"] = 0;
    EXPECT_THROW(nrc::evaluate_params(check(id), p), std::invalid_argument);
    p = base_params(id);
    p["targets"] = "labels";
    EXPECT_THROW(nrc::evaluate_params(check(id), p), std::invalid_argument);
    p = base_params(id);
    p["covariance"] = "diagonal";
    EXPECT_THROW(nrc::evaluate_params(check(id), p), std::invalid_argument);
    p = base_params(id);
    p["covariance"] = "anisotropic";   // needs 'decades'
    EXPECT_THROW(nrc::evaluate_params(check(id), p), std::invalid_argument);
    p["decades"] = -1.0;
    EXPECT_THROW(nrc::evaluate_params(check(id), p), std::invalid_argument);
    p["decades"] = 2.0;
    EXPECT_NO_THROW(nrc::evaluate_params(check(id), p));
    p = base_params(id);
    p.erase("data_seed");
    EXPECT_THROW(nrc::evaluate_params(check(id), p), std::invalid_argument);
  }
  auto p = base_params("prop_4_1_corrected");
  for (const nlohmann::json& bad : {nlohmann::json::array(), nlohmann::json({0.0}), nlohmann::json({-1.0}),
                                   nlohmann::json({"one"}), nlohmann::json(3.0)}) {
    p["x"] = bad;
    EXPECT_THROW(nrc::evaluate_params(check("prop_4_1_corrected"), p), std::invalid_argument) << bad.dump();
  }
}

TEST(Prop41, ReplayIsBitIdentical) {
  for (const std::string& id : kIds) {
    const nrc::Record a = nrc::evaluate_seed(check(id), 31), b = nrc::evaluate_seed(check(id), 31);
    EXPECT_EQ(a.params, b.params);
    EXPECT_EQ(a.lhs, b.lhs);
    EXPECT_EQ(a.rhs, b.rhs);
  }
}

// ---- Full-size sweeps (NRC_SLOW=1) --------------------------------------------------------------

TEST(Prop41Slow, TwoThousandInstancesOfTheTrueStatements) {
  NRC_REQUIRE_SLOW();
  std::size_t n = 0;
  nrc::run_check(check("prop_4_1_mean"), {2000, 41}, {}, [&](const nrc::Record& r) {
    ++n;
    EXPECT_EQ(r.verdict, Verdict::Pass) << nrc::replay_command(r);
  });
  EXPECT_EQ(n, 2000u);
  std::size_t inconclusive = 0;
  nrc::run_check(check("prop_4_1_corrected"), {2000, 41}, {}, [&](const nrc::Record& r) {
    EXPECT_NE(r.verdict, Verdict::Fail) << nrc::replay_command(r);
    inconclusive += r.verdict == Verdict::Inconclusive;
  });
  std::printf("prop_4_1_corrected: %zu of 2000 instances undecided within the draw budget\n", inconclusive);
}

// The statement as written: Fails occur, all with c_max below C_ref, and the smallest c_max over
// the run is far below it (no universal C fits all instances).
TEST(Prop41Slow, TwoThousandInstancesOfTheStatedBound) {
  NRC_REQUIRE_SLOW();
  std::size_t fails = 0;
  double min_c = std::numeric_limits<double>::infinity();
  nrc::run_check(check("prop_4_1"), {2000, 41}, {}, [&](const nrc::Record& r) {
    ASSERT_NE(r.verdict, Verdict::NotApplicable) << nrc::replay_command(r);
    if (r.verdict == Verdict::Fail) {
      ++fails;
      EXPECT_LT(metric(r, "c_max"), kCRef) << nrc::replay_command(r);
    }
    if (r.metrics.at("c_max").is_number()) min_c = std::min(min_c, metric(r, "c_max"));
  });
  EXPECT_GT(fails, 0u);
  EXPECT_LT(min_c, kCRef / 2);
  std::printf("prop_4_1: %zu of 2000 instances fail; smallest c_max %.4g\n", fails, min_c);
}

}  // namespace
