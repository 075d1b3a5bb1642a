// thm_5_4_excess_loss: L_λ(θ*_K) − L_λ(θ*) ≤ (1/N)Σ_{j>K}σ_j(Y)², with err estimated by the runner.
#include "property_tests/support.hpp"
#include "theorems/registry.hpp"

namespace {

// The hand instances are 2×2 with σ(X) ≤ 2: what the double path can get wrong is the SVDs' error on
// values up to σ₁² = 4 (LAPACK's bound, tolerances.hpp) plus a chain of ~32 roundings on values ≤ 4.
const double kHandTol = nrc::tol::svd_abs_error(4.0, 2, 2) + nrc::test::rounding(32, 4.0);

const nrc::Check& check() { return nrc::find_check("thm_5_4_excess_loss"); }

nlohmann::json explicit_data(const arma::mat& X, const arma::mat& Y, double lambda, int K) {
  auto rows = [](const arma::mat& M) {
    nlohmann::json r = nlohmann::json::array();
    for (arma::uword i = 0; i < M.n_rows; ++i) r.push_back(arma::conv_to<std::vector<double>>::from(M.row(i)));
    return r;
  };
  return {{"data", "explicit"}, {"X", rows(X)}, {"Y", rows(Y)}, {"lambda", lambda}, {"K", K}};
}

RC_GTEST_PROP(Thm54ExcessLoss, BoundHoldsOnRandomInstances, ()) {
  const nrc::Record r = nrc::test::check_property(check());
  RC_TAG(r.precision);
  RC_ASSERT(r.verdict == nrc::Verdict::Pass);
  // The runner estimated err from a 50-digit re-evaluation, and said so.
  RC_ASSERT(r.notes.find("err estimated by the runner") != std::string::npos);
}

// By hand (header): X = Y = diag(2, 1), N = 2, K = 1: lhs = ½/(1 + 2λ), rhs = ½.
TEST(Thm54ExcessLoss, ByHand) {
  const arma::mat X = {{2, 0}, {0, 1}};
  for (double lambda : {1e-6, 0.5, 10.0}) {
    const nrc::Record r = nrc::evaluate_params(check(), explicit_data(X, X, lambda, 1));
    EXPECT_EQ(r.verdict, nrc::Verdict::Pass) << r.notes;
    EXPECT_NEAR(r.lhs, 0.5 / (1 + 2 * lambda), kHandTol);
    EXPECT_NEAR(r.rhs, 0.5, kHandTol);
    EXPECT_NEAR(r.metrics.at("excess_closed_form").get<double>(), 0.5 / (1 + 2 * lambda), kHandTol);   // (★)
    // err is the distance of the double result from the 50-digit one: tiny here, never zero by design
    // unless both are exact.
    EXPECT_LE(r.err, 2 * kHandTol);   // err = 2·|δ_double − δ_reference|
  }
}

// Where double cannot decide: λ = 1e-20 makes lhs − rhs ≈ −λ while its rounding is ~1e-17 (the tail
// σ_3(Y)² ~ 1e-6 formed from O(1) data): the estimated err exceeds |lhs − rhs|, 50 digits decide.
TEST(Thm54ExcessLoss, NearTieIsDecidedInFiftyDigits) {
  const arma::mat X = {{3, 1, 0.5}, {1, -2, 0.25}, {0.5, 0.25, 1e-3}};
  const nrc::Record r = nrc::evaluate_params(check(), explicit_data(X, X, 1e-20, 2));
  EXPECT_EQ(r.precision, nrc::kReferencePrecision) << r.notes;
  EXPECT_EQ(r.verdict, nrc::Verdict::Pass) << r.notes;
  EXPECT_NE(r.notes.find("decided at"), std::string::npos);
}

TEST(Thm54ExcessLoss, MutantsFailClearly) { nrc::test::expect_mutants_fail_clearly(check(), 3, 1.2); }

TEST(Thm54ExcessLoss, BadInputIsRejected) {
  nlohmann::json p = explicit_data(arma::eye(2, 2), arma::eye(2, 2), 0.0, 1);
  EXPECT_THROW(nrc::evaluate_params(check(), p), std::invalid_argument);   // λ = 0
  p = explicit_data(arma::eye(2, 2), arma::eye(2, 2), 0.1, 3);
  EXPECT_THROW(nrc::evaluate_params(check(), p), std::invalid_argument);   // K > N
  nrc::EngineDraw draw(1);
  p = check().draw(draw);
  p["y_model"] = "labels";
  EXPECT_THROW(nrc::evaluate_params(check(), p), std::invalid_argument);
}

}   // namespace
