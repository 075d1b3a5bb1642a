// ridge_norm: ‖θ*‖₂ ≤ ‖Y‖₂/(2√(Nλ)), with err estimated by the runner.
#include "property_tests/support.hpp"
#include "theorems/registry.hpp"

namespace {

// The hand instances are 2×2 with σ(X) ≤ 2: what the double path can get wrong is the SVDs' error on
// values up to σ₁² = 4 (LAPACK's bound, tolerances.hpp) plus a chain of ~32 roundings on values ≤ 4.
const double kHandTol = nrc::tol::svd_abs_error(4.0, 2, 2) + nrc::test::rounding(32, 4.0);

const nrc::Check& check() { return nrc::find_check("ridge_norm"); }

nlohmann::json explicit_data(const arma::mat& X, const arma::mat& Y, double lambda) {
  auto rows = [](const arma::mat& M) {
    nlohmann::json r = nlohmann::json::array();
    for (arma::uword i = 0; i < M.n_rows; ++i) r.push_back(arma::conv_to<std::vector<double>>::from(M.row(i)));
    return r;
  };
  return {{"data", "explicit"}, {"X", rows(X)}, {"Y", rows(Y)}, {"lambda", lambda}};
}

RC_GTEST_PROP(RidgeNorm, BoundHoldsOnRandomInstances, ()) {
  const nrc::Record r = nrc::test::check_property(check());
  RC_TAG(r.precision);
  RC_ASSERT(r.verdict == nrc::Verdict::Pass);
  RC_ASSERT(r.notes.find("err estimated by the runner") != std::string::npos);
}

// By hand (header): X = Y = diag(2, 1), N = 2: lhs = 2/(2 + λ), rhs = 1/√(2λ).
TEST(RidgeNorm, ByHand) {
  const arma::mat X = {{2, 0}, {0, 1}};
  for (double lambda : {1e-6, 0.5, 8.0}) {
    const nrc::Record r = nrc::evaluate_params(check(), explicit_data(X, X, lambda));
    EXPECT_EQ(r.verdict, nrc::Verdict::Pass) << r.notes;
    EXPECT_NEAR(r.lhs, 2 / (2 + lambda), kHandTol);
    EXPECT_NEAR(r.rhs, 1 / std::sqrt(2 * lambda), kHandTol * r.rhs);   // ‖Y‖₂ / (2√(Nλ)): relative
    EXPECT_LE(r.err, 2 * kHandTol);                                    // err = 2·|δ_double − δ_reference|
  }
  // λ = ½ and λ = 8 exactly as in the header.
  EXPECT_NEAR(nrc::evaluate_params(check(), explicit_data(X, X, 0.5)).lhs, 0.8, kHandTol);
  EXPECT_NEAR(nrc::evaluate_params(check(), explicit_data(X, X, 8.0)).rhs, 0.25, kHandTol);
}

// The tight case, Nλ = s_1² = 4: lhs = rhs = ½ in exact arithmetic. A tie is never a Fail (the 50-digit
// path decides or leaves it Inconclusive), and the AM–GM step is at its peak.
TEST(RidgeNorm, TightCaseIsATieNotAFail) {
  const arma::mat X = {{2, 0}, {0, 1}};
  const nrc::Record r = nrc::evaluate_params(check(), explicit_data(X, X, 2.0));
  EXPECT_NE(r.verdict, nrc::Verdict::Fail) << r.notes;
  EXPECT_NEAR(r.lhs, 0.5, kHandTol);
  EXPECT_NEAR(r.rhs, 0.5, kHandTol);
  EXPECT_NEAR(r.metrics.at("filter_peak").get<double>(), 1.0, kHandTol);
}

TEST(RidgeNorm, MutantsFailClearly) { nrc::test::expect_mutants_fail_clearly(check(), 3, 1.2); }

TEST(RidgeNorm, BadInputIsRejected) {
  const arma::mat I = arma::eye(2, 2);
  EXPECT_THROW(nrc::evaluate_params(check(), explicit_data(I, I, 0.0)), std::invalid_argument);    // λ = 0
  EXPECT_THROW(nrc::evaluate_params(check(), explicit_data(I, I, -1.0)), std::invalid_argument);   // λ < 0
  EXPECT_THROW(nrc::evaluate_params(check(), explicit_data(I, arma::eye(2, 3), 0.1)), std::invalid_argument);   // N ≠ N
  nrc::EngineDraw draw(1);
  nlohmann::json p = check().draw(draw);
  p["y_model"] = "labels";
  EXPECT_THROW(nrc::evaluate_params(check(), p), std::invalid_argument);
  p = check().draw(draw);
  p.erase("lambda");
  EXPECT_THROW(nrc::evaluate_params(check(), p), std::invalid_argument);
}

}   // namespace
