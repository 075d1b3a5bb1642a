// Theorem 5.4: ‖θ* − θ*_K‖_F² ≤ d·min(d, c)·TCV_K(Y)/λ for clustered labels.
#include "property_tests/support.hpp"

#include "lib/closed_form/ridge.hpp"
#include "lib/cluster/cluster.hpp"
#include "theorems/registry.hpp"

namespace {

const nrc::Check& check() { return nrc::find_check("thm_5_4"); }

nlohmann::json base_params() {
  return {{"d", 4}, {"c", 3}, {"N", 12}, {"K", 2}, {"clusters", 2}, {"lambda", 0.1},
          {"sigma_x", 0.5}, {"sigma_y", 0.01}, {"centres", "gaussian"}, {"data_seed", 5}};
}

const nrc::Check& refined() { return nrc::find_check("thm_5_4_refined"); }

RC_GTEST_PROP(Thm54, BoundHoldsOnRandomInstances, ()) {
  const nrc::Record r = nrc::test::check_property(check());
  RC_ASSERT(r.verdict == nrc::Verdict::Pass);
}

RC_GTEST_PROP(Thm54, RefinedBoundHoldsAndIsTighter, ()) {
  const nrc::Record r = nrc::test::check_property(refined());
  RC_TAG(r.precision);
  RC_ASSERT(r.verdict == nrc::Verdict::Pass);
  // Refined rhs = Σ_{j>K}σ_j(Y)²/(Nλ) ≤ TCV/λ (Eckart–Young) ≤ paper rhs = d·min(d, c)·TCV/λ, so the
  // paper's ratio is the smaller. Compared on the right-hand sides (the ratios share lhs): the tail's
  // and TCV's rounding estimates, p·u·‖Y‖²/(Nλ) each (thm_5_4_clustered_labels.cpp), are both terms
  // of the record's err, so the computed sides compare within 2·err. (Records decided at 50 digits
  // carry these metrics at 50 digits, and err ≥ 1e-35·rhs there.)
  RC_ASSERT(r.rhs <= r.metrics.at("tcv_over_lambda").get<double>() + 2 * r.err);
  RC_ASSERT(r.rhs <= r.metrics.at("paper_rhs").get<double>() + 2 * r.err);
}

// The refined bound by hand: X = [[1, 1, −1, −1], [1, −1, 1, −1]] has XXᵀ = 4I, so with Y = X and
// K = 1: G = 4(1 + λ)I, θ* = I/(1 + λ), Q = 2I/√(1 + λ), θ*_K keeps one of its two (tied) directions:
// lhs = ‖θ* − θ*_K‖² = 1/(1 + λ)². Refined rhs = Σ_{j>1} σ_j(Y)²/(Nλ) = 4/(4λ) = 1/λ, so the ratio is
// λ/(1 + λ)², largest (1/4) at λ = 1: a tail direction of Y with singular value s_x of X contributes
// s_x²Nλ/(s_x² + Nλ)² ≤ 1/4 of its bound, so along one direction the bound is loose by 4 at least.
TEST(Thm54, RefinedBoundByHand) {
  const arma::mat X = {{1, 1, -1, -1}, {1, -1, 1, -1}};
  for (double lambda : {0.1, 1.0, 100.0}) {
    nrc::UserData u;
    u.X = X;
    u.Y = X;
    u.lambda = lambda;
    u.K = 1;
    const nrc::Record r = nrc::evaluate_user_data(refined(), u);
    EXPECT_EQ(r.verdict, nrc::Verdict::Pass);
    // The record's err estimates the rounding of lhs and of rhs (thm_5_4_clustered_labels.cpp); the
    // hand values round a few times (γ_4); the ratio inherits both sides' relative errors.
    const double lhs = 1.0 / ((1 + lambda) * (1 + lambda)), rhs = 1.0 / lambda;
    EXPECT_NEAR(r.lhs, lhs, r.err + nrc::test::rounding(4, lhs));
    EXPECT_NEAR(r.rhs, rhs, r.err + nrc::test::rounding(4, rhs));
    const double ratio = lambda / ((1 + lambda) * (1 + lambda));
    EXPECT_NEAR(r.ratio, ratio, ratio * (r.err / lhs + r.err / rhs) + nrc::test::rounding(6, ratio));
  }
}

// By hand, d = c = 2, N = 4, K = 1: X = [[1, 1, −1, −1], [1, −1, 1, −1]] has XXᵀ = 4I, so with
// λ = 1 the Gram matrix is 8I: θ* = YXᵀ/8 and θ*_K = [YXᵀ]_1/8, hence ‖θ* − θ*_K‖² = σ_2(YXᵀ)²/64.
// Y = [[1, 1, 0, 0], [0, 0, 1, 1]]·… take Y = X: YXᵀ = 4I, σ_2 = 4, lhs = 16/64 = 1/4.
// TCV_1(Y) = mean ‖y_i − ȳ‖² = 2 (ȳ = 0), rhs = d·min(d,c)·TCV/λ = 4·2 = 8.
TEST(Thm54, HandInstance) {
  const arma::mat X = {{1, 1, -1, -1}, {1, -1, 1, -1}};
  const nrc::RidgeSystem sys = nrc::solve_ridge(X, X, 1.0);
  const arma::mat thetaK = nrc::rank_constrained_solution(sys, 1);
  // G = 8I exactly; its eigendecomposition within 2ε·8 (tolerances.hpp), then G^{-1/2}, θ* and a 2×2
  // SVD of tied values: short chains on O(1) numbers, γ_32 of them, and the SVD's 2ε·‖Q‖.
  EXPECT_NEAR(std::pow(arma::norm(sys.theta - thetaK, "fro"), 2), 0.25,
              nrc::test::rounding(32, 1.0) + nrc::tol::svd_abs_error(2, 2, 2));
  EXPECT_EQ(nrc::tcv_exact(X, 1).wcss, 2.0);   // mean 0, squares 1: exact
}

TEST(Thm54, OutsideTheHypothesisIsNotApplicable) {
  auto p = base_params();
  p["d"] = 20;   // max{c, d} > N = 12
  EXPECT_EQ(nrc::evaluate_params(check(), p).verdict, nrc::Verdict::NotApplicable);
}

TEST(Thm54, BadParametersAreRejected) {
  auto p = base_params();
  EXPECT_EQ(nrc::evaluate_params(check(), p).verdict, nrc::Verdict::Pass);
  p["lambda"] = -1.0;
  EXPECT_THROW(nrc::evaluate_params(check(), p), std::invalid_argument);
  p = base_params();
  p["K"] = 13;   // K > N
  EXPECT_THROW(nrc::evaluate_params(check(), p), std::invalid_argument);
}

TEST(Thm54, ExactTcvForSmallN) {
  auto p = base_params();
  p["N"] = 8;
  const nrc::Record r = nrc::evaluate_params(check(), p);
  EXPECT_EQ(r.metrics.at("tcv_method"), "exact (enumeration)");
  EXPECT_EQ(r.verdict, nrc::Verdict::Pass);
}

TEST(Thm54, ReplayIsBitIdentical) {
  const nrc::Record a = nrc::evaluate_seed(check(), 99), b = nrc::evaluate_seed(check(), 99);
  EXPECT_EQ(a.lhs, b.lhs);
  EXPECT_EQ(a.rhs, b.rhs);
}

TEST(Thm54Slow, TwoThousandInstances) {
  NRC_REQUIRE_SLOW();
  for (const nrc::Check* c : {&check(), &refined()}) {
    std::vector<nrc::Record> rs;
    nrc::run_check(*c, {2000, 77}, {}, [&](const nrc::Record& r) { rs.push_back(r); });
    for (const auto& r : rs) EXPECT_EQ(r.verdict, nrc::Verdict::Pass) << nrc::replay_command(r);
  }
}

}  // namespace
