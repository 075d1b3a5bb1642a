// Proposition 3.1: gradients of K-sample losses, and of collapsed data sets, have rank ≤ K.
#include "property_tests/support.hpp"

#include "lib/nn/mlp.hpp"
#include "lib/spectral/spectral.hpp"
#include "theorems/judge.hpp"
#include "theorems/prop_3_1_low_rank_gradients.hpp"
#include "theorems/registry.hpp"

namespace {

const nrc::Check& check() { return nrc::find_check("prop_3_1"); }

// Every drawn instance (random depth, widths, activations, losses; batch or collapsed data) holds.
RC_GTEST_PROP(Prop31, EveryLayerGradientHasRankAtMostK, ()) {
  const nrc::Record r = nrc::test::check_property(check());
  RC_ASSERT(r.verdict != nrc::Verdict::Inconclusive);
  RC_TAG(std::string(nrc::name(r.verdict)));
}

// By hand: one identity layer, W = I, b = 0, x = (1, 2), y = 0, ℓ = ‖ŷ − y‖²:
// ∇_W ℓ = 2(Wx − y)xᵀ = [[2, 4], [4, 8]], singular values (10, 0): rank 1 = K.
TEST(Prop31, SingleSampleGradientByHand) {
  nrc::Mlp net;
  net.W = {arma::eye(2, 2)};
  net.b = {arma::zeros(2)};
  net.act = {nrc::Activation::Identity};
  const arma::mat X = arma::vec{1.0, 2.0}, Y = arma::zeros(2, 1);
  const nrc::Gradient g = nrc::sum_loss_gradient(net, nrc::Loss::SquaredError, X, Y);
  const arma::mat expected = {{2, 4}, {4, 8}};
  // Small integers throughout: every product and sum is exact in double, in any order.
  EXPECT_TRUE(arma::approx_equal(g.W[0], expected, "absdiff", 0.0)) << g.W[0];
  const arma::vec s = nrc::singular_values(g.W[0]);
  // LAPACK's singular values of an exact matrix: within max(m, n)·ε·σ_1 (tolerances.hpp).
  EXPECT_NEAR(s(0), 10, nrc::tol::svd_abs_error(10, 2, 2));
  EXPECT_LE(s(1), nrc::tol::svd_abs_error(10, 2, 2));
}

// The measurement can fail: K + 1 generic rank-one terms claimed to have rank ≤ K are caught, by
// orders of magnitude, while the true rank passes. Budget: D·Zᵀ as one GEMM of K + 1 rank-one terms,
// entrywise error ≤ γ_{K+1}·Σ_i |d_i||z_i|ᵀ (Higham Thm 3.5), in Frobenius norm ≤ γ_{K+1}·Σ_i ‖d_i‖‖z_i‖.
TEST(Prop31, RankExcessIsAFailure) {
  nrc::Engine rng(3);
  for (arma::uword K : {1u, 3u, 7u}) {
    const arma::mat D = nrc::randn(20, K + 1, rng), Z = nrc::randn(15, K + 1, rng);
    double terms = 0;
    for (arma::uword i = 0; i <= K; ++i) terms += arma::norm(D.col(i)) * arma::norm(Z.col(i));
    const double budget = nrc::tol::gamma(K + 1) * terms;
    const auto wrong = nrc::prop_3_1::layer_rank(D * Z.t(), budget, K);
    nrc::Evidence e;
    e.lhs = wrong.lhs;
    e.rhs = wrong.rhs;
    e.err = 0;   // the rounding budget is rhs
    EXPECT_EQ(nrc::judge(e).verdict, nrc::Verdict::Fail) << "K = " << K;
    // Not a tolerance: a genuine rank excess misses the rounding budget by orders of magnitude.
    EXPECT_GT(wrong.lhs / wrong.rhs, 1e6);
    const auto right = nrc::prop_3_1::layer_rank(D * Z.t(), budget, K + 1);
    e.lhs = right.lhs;
    e.rhs = right.rhs;
    EXPECT_EQ(nrc::judge(e).verdict, nrc::Verdict::Pass) << "K = " << K;
  }
}

TEST(Prop31, TrivialLayersAreSkipped) {
  const arma::mat G = arma::ones(3, 2) * arma::ones(2, 4);
  EXPECT_TRUE(nrc::prop_3_1::layer_rank(G, 0, 3).trivial);
  EXPECT_FALSE(nrc::prop_3_1::layer_rank(G, 0, 2).trivial);
}

// The sample-by-sample sum is the gradient: it equals the batched gradient of lib/nn within the
// budget (both are within the budget's first-order estimate of the exact sum; the batched GEMM's own
// error is ≤ γ_N·Σ_i‖Ĝ_i‖_F, the same form as the sum's term).
TEST(Prop31, PerSampleSumIsTheBatchGradient) {
  nrc::Engine rng(5);
  const nrc::Mlp net = nrc::make_mlp({6, 9, 7, 4}, {nrc::Activation::Tanh, nrc::Activation::Softplus,
                                                    nrc::Activation::Identity}, rng);
  const arma::mat X = nrc::randn(6, 25, rng), Y = nrc::randn(4, 25, rng);
  const auto sums = nrc::prop_3_1::per_sample_gradient_sums(net, nrc::Loss::SquaredError, X, Y);
  const nrc::Gradient g = nrc::sum_loss_gradient(net, nrc::Loss::SquaredError, X, Y);
  ASSERT_EQ(sums.G.size(), 3u);
  for (std::size_t l = 0; l < 3; ++l) {
    EXPECT_LE(arma::norm(sums.G[l] - g.W[l], "fro"), 2 * sums.budget[l]) << "layer " << l + 1;
    // Not vacuous: the budget is a rounding-level fraction of the terms it bounds.
    EXPECT_LT(sums.budget[l], 1e-10 * sums.term_norms[l]);
  }
}

// Collapsed data: N = 40 samples with 4 distinct (z^1, y) give rank ≤ 4 after layer 1 even though
// the inputs are all distinct; the layers before the collapse are not constrained.
TEST(Prop31, CollapsedDataConstrainsOnlyLaterLayers) {
  const nlohmann::json p = {{"widths", {12, 10, 10, 9}}, {"activations", {"tanh", "relu", "softplus"}},
                            {"loss", "squared"},         {"K", 4},
                            {"copies", 10},              {"collapse_layer", 1},
                            {"data_seed", 11}};
  const nrc::Record r = nrc::evaluate_params(check(), p);
  EXPECT_EQ(r.verdict, nrc::Verdict::Pass) << r.notes;
  ASSERT_EQ(r.metrics.at("layers").size(), 2u);   // layers 2 and 3 only
  EXPECT_EQ(r.metrics.at("layers")[0].at("layer"), 2);
  // Every layer (not only the deciding one): σ_{K+1} within its rounding budget.
  for (const auto& layer : r.metrics.at("layers"))
    EXPECT_LE(layer.at("lhs").get<double>(), layer.at("rhs").get<double>()) << layer.dump();
  // Not a tolerance: rank K is attained, σ_K/σ_1 far above the rounding level (the claim is not vacuous).
  EXPECT_GT(r.metrics.at("min_sigma_k_over_sigma_1").get<double>(), 1e-6);
}

TEST(Prop31, ReplayIsBitIdentical) {
  const nrc::Record a = nrc::evaluate_seed(check(), 123), b = nrc::evaluate_seed(check(), 123);
  EXPECT_EQ(a.params, b.params);
  EXPECT_EQ(a.lhs, b.lhs);
  EXPECT_EQ(a.rhs, b.rhs);
  EXPECT_EQ(nrc::evaluate_params(check(), a.params).lhs, a.lhs);
}

TEST(Prop31, MalformedParametersAreRejected) {
  const nlohmann::json p = {{"widths", {3, 4, 5}}, {"activations", {"tanh", "relu"}}, {"loss", "squared"},
                            {"K", 2},              {"copies", 3},                     {"collapse_layer", 1},
                            {"data_seed", 1}};
  EXPECT_NO_THROW(nrc::evaluate_params(check(), p));
  auto bad = p;
  bad["activations"] = {"tanh"};   // one per layer
  EXPECT_THROW(nrc::evaluate_params(check(), bad), std::invalid_argument);
  bad = p;
  bad["collapse_layer"] = 2;   // j < L
  EXPECT_THROW(nrc::evaluate_params(check(), bad), std::invalid_argument);
  bad = p;
  bad["widths"] = {1, 4, 5};   // signal and noise need a unit each before the collapse layer
  EXPECT_THROW(nrc::evaluate_params(check(), bad), std::invalid_argument);
  bad = p;
  bad["loss"] = "hinge";
  EXPECT_THROW(nrc::evaluate_params(check(), bad), std::invalid_argument);
}

TEST(Prop31Slow, TwoThousandInstances) {
  NRC_REQUIRE_SLOW();
  std::vector<nrc::Record> rs;
  nrc::run_check(check(), {2000, 77}, {}, [&](const nrc::Record& r) { rs.push_back(r); });
  for (const auto& r : rs) EXPECT_NE(r.verdict, nrc::Verdict::Fail) << nrc::replay_command(r);
}

}  // namespace
