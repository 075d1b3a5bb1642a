// Theorem 5.3: ‖θ* − θ*_C‖_F ≤ (WCSS_0(C)/λ)(d‖Ȳ‖‖X̄‖/(Nλ) + √d).
#include "property_tests/support.hpp"

#include "lib/closed_form/ridge.hpp"
#include "lib/cluster/cluster.hpp"
#include "theorems/registry.hpp"

namespace {

const nrc::Check& check() { return nrc::find_check("thm_5_3"); }

nlohmann::json base_params() {
  return {{"d", 3}, {"K", 3}, {"N", 30}, {"lambda", 0.1}, {"sigma", 0.05}, {"targets", "autoencode"},
          {"partition", "generating"}, {"data_seed", 4}};
}

RC_GTEST_PROP(Thm53, BoundHoldsOnRandomInstances, ()) {
  const nrc::Record r = nrc::test::check_property(check());
  RC_ASSERT(r.verdict == nrc::Verdict::Pass);
  // rank θ*_C ≤ |C|, up to the rounding budget the check derives (thm_5_3_centroid_minimizers.cpp).
  RC_ASSERT(r.metrics.at("theta_c_rank_gap").get<double>() <= r.metrics.at("theta_c_rank_gap_budget").get<double>());
  RC_TAG(r.precision);
}

// By hand, d = c = 1, N = 2, one block: x = (1, −1), y = x. X̄ = Ȳ = 0, so θ*_C = 0 and
// θ* = Σxy/(Σx² + Nλ) = 2/(2 + 2λ); WCSS = (1/N)Σ‖(x, y) − 0‖² = 2, and the bound is (2/λ)(0 + 1).
TEST(Thm53, HandInstance) {
  const arma::mat X = {{1.0, -1.0}};
  const double lambda = 0.5;
  const arma::uvec one_block = {0, 0};
  const nrc::RidgeSystem sys = nrc::solve_ridge(X, X, lambda);
  // Σxy = 2 and Σx² + Nλ = 3 are exact; the solve through the 1×1 eigendecomposition rounds a few
  // times (a square root, products, a quotient): γ_8 of 2/3.
  EXPECT_NEAR(sys.theta(0, 0), 2.0 / 3.0, nrc::test::rounding(8, 2.0 / 3.0));
  // X̄ = Ȳ = 0 exactly (the mean of ±1), so θ*_C = 0·(…) and WCSS = (1 + 1)/2 are exact.
  EXPECT_EQ(arma::norm(nrc::centroid_solution(X, X, one_block, lambda)), 0.0);
  EXPECT_EQ(nrc::wcss(nrc::stack_points(X, X), one_block), 2.0);
  nrc::UserData u;
  u.X = X;
  u.Y = X;
  u.partition = one_block;
  u.lambda = lambda;
  u.K = 1;
  const nrc::Record r = nrc::evaluate_user_data(check(), u);
  EXPECT_NEAR(r.lhs, 2.0 / 3.0, nrc::test::rounding(8, 2.0 / 3.0));   // ‖θ* − 0‖ = |θ*|
  EXPECT_EQ(r.rhs, 4.0);   // (2/0.5)·(1·0·0/(Nλ) + √1): exact
  EXPECT_EQ(r.verdict, nrc::Verdict::Pass);
}

// Both sides vanish like σ²; at σ = 1e-6 and small λ the double difference θ* − θ*_C loses most of
// its digits, and no instance may fail for that reason.
TEST(Thm53, TinySigmaNeverFailsByRounding) {
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    auto p = base_params();
    p["sigma"] = 1e-6;
    p["lambda"] = 1e-4;
    p["targets"] = seed % 2 ? "one_hot" : "autoencode";
    p["data_seed"] = seed;
    const nrc::Record r = nrc::evaluate_params(check(), p);
    EXPECT_EQ(r.verdict, nrc::Verdict::Pass) << r.notes << "\n" << nrc::replay_command(r);
  }
}

TEST(Thm53, EveryPartitionKind) {
  for (const char* kind : {"generating", "kmeans", "exact"}) {
    auto p = base_params();
    p["N"] = 9;
    p["partition"] = kind;
    const nrc::Record r = nrc::evaluate_params(check(), p);
    EXPECT_EQ(r.verdict, nrc::Verdict::Pass) << kind;
    EXPECT_NE(r.notes.find(kind), std::string::npos);
  }
}

TEST(Thm53, BadInputIsRejected) {
  auto p = base_params();
  p["lambda"] = 0.0;
  EXPECT_THROW(nrc::evaluate_params(check(), p), std::invalid_argument);
  p = base_params();
  p["partition"] = "exact";   // N = 30 > 10: enumeration refused
  EXPECT_THROW(nrc::evaluate_params(check(), p), std::invalid_argument);
  nrc::UserData u;
  u.X = arma::ones(2, 5);
  u.Y = arma::ones(2, 4);   // 5 vs 4 samples
  u.lambda = 1;
  u.K = 2;
  EXPECT_THROW(nrc::evaluate_user_data(check(), u), std::invalid_argument);
  u.Y = arma::ones(2, 5);
  u.K = 6;   // K > N
  EXPECT_THROW(nrc::evaluate_user_data(check(), u), std::invalid_argument);
  u.K = 2;
  u.partition = arma::uvec{0, 1, 2, 0, 1};   // 3 blocks > K
  EXPECT_THROW(nrc::evaluate_user_data(check(), u), std::invalid_argument);
  u.partition.reset();
  u.X(0, 0) = arma::datum::nan;
  EXPECT_THROW(nrc::evaluate_user_data(check(), u), std::invalid_argument);
}

TEST(Thm53Slow, TwoThousandInstances) {
  NRC_REQUIRE_SLOW();
  std::vector<nrc::Record> rs;
  nrc::run_check(check(), {2000, 77}, {}, [&](const nrc::Record& r) { rs.push_back(r); });
  for (const auto& r : rs) EXPECT_EQ(r.verdict, nrc::Verdict::Pass) << nrc::replay_command(r);
}

}  // namespace
