// Lemma 3.3 (centroid-based gradients) and Theorem 3.4 (the chain at trained stationary points).
#include "property_tests/support.hpp"

#include "lib/nn/mlp.hpp"
#include "lib/spectral/spectral.hpp"
#include "theorems/lemma_3_3_centroid_gradients.hpp"
#include "theorems/registry.hpp"

namespace {

using nrc::Verdict;

const nrc::Check& check(const std::string& id) { return nrc::find_check(id); }

// One identity layer, squared loss, j = 0, l = 1, by hand (header of lemma_3_3_centroid_gradients.cpp):
// G(x, y) = 2(Wx + b − y)xᵀ, h_i'' ≡ 4(Wδx_i − δy_i)δx_iᵀ, hence
//   R = (2/N) Σ_i (Wδx_i − δy_i)δx_iᵀ,   taylor = (2/N) Σ_i ‖Wδx_i − δy_i‖‖δx_i‖,
//   M(Θ, C) = sup_{‖u‖=1} ‖4(Wu_x − u_y)u_xᵀ‖ = 4·max_{‖u‖=1} ‖Wu_x − u_y‖‖u_x‖ ≥ every sampled value.
TEST(Lemma33, LinearLayerMatchesTheHandComputation) {
  nrc::Engine rng(4);
  const arma::uword d = 3, c = 2, N = 7;
  nrc::Mlp net = nrc::make_mlp({d, c}, {nrc::Activation::Identity}, rng);
  const arma::mat X = nrc::randn(d, N, rng), Y = nrc::randn(c, N, rng);
  const arma::uvec labels = {0, 0, 1, 1, 1, 2, 2};
  const auto pm = nrc::lemma_3_3::measure(net, nrc::Loss::SquaredError, X, Y, 0, labels, rng);
  ASSERT_EQ(pm.size(), 1u);
  arma::mat R(c, d, arma::fill::zeros);
  double taylor = 0, wcss = 0;
  for (arma::uword k = 0; k < 3; ++k) {
    const arma::uvec idx = arma::find(labels == k);
    const arma::vec xb = arma::mean(X.cols(idx), 1), yb = arma::mean(Y.cols(idx), 1);
    for (arma::uword i : idx) {
      const arma::vec dx = X.col(i) - xb, dy = Y.col(i) - yb;
      const arma::vec r = net.W[0] * dx - dy;
      R += 2.0 / N * r * dx.t();
      taylor += 2.0 / N * arma::norm(r) * arma::norm(dx);
      wcss += (arma::dot(dx, dx) + arma::dot(dy, dy)) / N;
    }
  }
  EXPECT_NEAR(pm[0].R, arma::norm(R, "fro"), 1e-12 * arma::norm(R, "fro"));
  EXPECT_NEAR(pm[0].taylor, taylor, 1e-7 * taylor);
  EXPECT_LE(pm[0].taylor_err, 1e-6 * taylor);
  EXPECT_NEAR(pm[0].pointwise, taylor, 1e-7 * taylor);   // R_i = ½h'' exactly: ‖R_i‖ = ½‖h''‖
  EXPECT_NEAR(pm[0].wcss, wcss, 1e-12 * wcss);
  // M ≤ 4·max_{‖u‖=1}‖Wu_x − u_y‖‖u_x‖ ≤ 4·(‖W‖₂ + 1): the sampled M̂ cannot exceed it.
  EXPECT_LE(pm[0].M_est, 4 * (arma::norm(net.W[0], 2) + 1) * (1 + 1e-6));
  EXPECT_LE(pm[0].M_est, pm[0].M_global_est);
  EXPECT_LE(pm[0].taylor, 0.5 * pm[0].M_est * pm[0].wcss * (1 + 1e-9));
}

// A block of two points is symmetric about its centroid (δ, −δ): with G quadratic the two remainders
// are equal, so ‖R‖ = (1/N)Σ‖R_i‖ = taylor — the lemma's bound is attained.
TEST(Lemma33, TwoPointBlocksAttainTheBound) {
  nrc::Engine rng(8);
  nrc::Mlp net = nrc::make_mlp({4, 3}, {nrc::Activation::Identity}, rng);
  const arma::mat X = nrc::randn(4, 2, rng), Y = nrc::randn(3, 2, rng);
  const auto pm = nrc::lemma_3_3::measure(net, nrc::Loss::SquaredError, X, Y, 0, arma::uvec{0, 0}, rng);
  EXPECT_NEAR(pm[0].R / pm[0].taylor, 1.0, 1e-7);
}

// Degenerate data (every sample at its block's centroid): R vanishes up to rounding, the Taylor
// bound and WCSS are 0 up to rounding, and the centroid gradient — then the full gradient — has rank ≤ #blocks.
TEST(Lemma33, DegenerateDataHasNoRemainder) {
  nrc::Engine rng(2);
  nrc::Mlp net = nrc::make_mlp({5, 6, 6, 4}, {nrc::Activation::Tanh, nrc::Activation::Softplus, nrc::Activation::Identity}, rng);
  const arma::mat xs = nrc::randn(5, 2, rng), ys = nrc::randn(4, 2, rng);
  const arma::uvec labels = {0, 1, 0, 1, 1, 0};
  arma::mat X(5, 6), Y(4, 6);
  for (arma::uword i = 0; i < 6; ++i) {
    X.col(i) = xs.col(labels(i));
    Y.col(i) = ys.col(labels(i));
  }
  for (arma::uword j = 0; j < 3; ++j) {
    for (const auto& pm : nrc::lemma_3_3::measure(net, nrc::Loss::SquaredError, X, Y, j, labels, rng)) {
      EXPECT_LE(pm.R, pm.R_err) << "l = " << pm.l << ", j = " << pm.j;
      // The centroid of identical columns is that column up to an ulp (and BLAS may round equal
      // columns differently by position), so WCSS and the Taylor bound are at the (ε·‖p‖)² level.
      EXPECT_LT(pm.wcss, 1e-28);
      EXPECT_LT(pm.taylor, 1e-28);
      EXPECT_LE(nrc::numerical_rank(nrc::singular_values(pm.centroid_gradient), 6, 6), 2u);
    }
  }
}

TEST(Lemma33, RejectsBadShapes) {
  nrc::Engine rng(1);
  const nrc::Mlp net = nrc::make_mlp({3, 2}, {nrc::Activation::Tanh}, rng);
  const arma::mat X = nrc::randn(3, 4, rng), Y = nrc::randn(2, 4, rng);
  EXPECT_THROW(nrc::lemma_3_3::measure(net, nrc::Loss::SquaredError, X, Y, 1, arma::uvec(4, arma::fill::zeros), rng),
               std::invalid_argument);   // j must be < L
  EXPECT_THROW(nrc::lemma_3_3::measure(net, nrc::Loss::SquaredError, X, Y, 0, arma::uvec(3, arma::fill::zeros), rng),
               std::invalid_argument);   // one label per sample
  EXPECT_THROW(nrc::lemma_3_3::measure(net, nrc::Loss::SquaredError, X.rows(0, 1), Y, 0,
                                       arma::uvec(4, arma::fill::zeros), rng),
               std::invalid_argument);
}

// Every drawn instance: ‖R‖ ≤ the Taylor bound; ‖R‖ ≤ (1/N)Σ‖R_i‖ (triangle inequality); and the
// statement's ratio with the sampled M̂ stays ≤ ½ (the ½ the statement drops) up to the FD error.
RC_GTEST_PROP(Lemma33, RemainderWithinTaylorBound, ()) {
  const nrc::Record r = nrc::test::check_property(check("lemma_3_3"));
  RC_TAG(std::string(nrc::name(r.verdict)));
  RC_ASSERT(r.verdict == Verdict::Pass || r.verdict == Verdict::Inconclusive);
  for (const auto& pair : r.metrics["pairs"]) {
    const double R = pair["R"].get<double>(), tay = pair["taylor"].get<double>();
    RC_ASSERT(R <= pair["pointwise"].get<double>() * (1 + 1e-6) + 1e-14);
    RC_ASSERT(tay <= 0.5 * pair["M_est"].get<double>() * pair["wcss"].get<double>() * (1 + 1e-9) + 1e-300);
  }
}

// Theorem 3.4: link 1 holds at every trained stationary point; the later links are ordered (2 ≤ 3
// by construction of M̂, 3 ≤ 4 since M̂(Θ) ≥ M̂(Θ, C) and 1/λ ≥ ½/(2λ)) up to the FD error, and the
// lemma's bound (link 1 ≤ link 2) holds as well.
RC_GTEST_PROP(Thm34, ChainHoldsAtTrainedStationaryPoints, ()) {
  const nrc::Record r = nrc::test::check_property(check("thm_3_4"));
  RC_TAG(std::string(nrc::name(r.verdict)));
  if (r.verdict == Verdict::Inconclusive) {
    RC_ASSERT(r.metrics["train_status"].get<std::string>() != "stationary");
    return;
  }
  RC_ASSERT(r.verdict == Verdict::Pass);
  for (const auto& layer : r.metrics["chain"]) {
    const auto v = layer["values"].get<std::vector<double>>();
    RC_ASSERT(v.size() == 5u);
    for (std::size_t k = 1; k + 1 < v.size(); ++k) RC_ASSERT(v[k] <= v[k + 1] * (1 + 1e-6));
  }
}

// Degenerate data at the input (σ = 0: K distinct pairs): R = 0, so dist(W_l, rank ≤ K) is at the
// level of the stationarity residual ‖∇L_λ‖/(2λ) on every layer.
TEST(Thm34, DegenerateDataGivesRankKToTheResidual) {
  const nlohmann::json p = {{"widths", {5, 6, 6, 4}}, {"activations", {"tanh", "sigmoid", "identity"}},
                            {"loss", "squared"},      {"K", 2},
                            {"per_cluster", 3},       {"sigma", 0.0},
                            {"lambda", 0.01},         {"stationarity_tol", 1e-9},
                            {"data_seed", 12}};
  const nrc::Record r = nrc::evaluate_params(check("thm_3_4"), p);
  ASSERT_EQ(r.verdict, Verdict::Pass) << r.notes;
  for (const auto& layer : r.metrics["chain"]) {
    const auto v = layer["values"].get<std::vector<double>>();
    EXPECT_LE(v[0], v[1]);
    EXPECT_LT(v[1], 1e-6);   // (‖R‖ + ‖∇L_λ‖)/(2λ) with R ≈ 0 and ‖∇L_λ‖ ≤ 1e-9·‖2λΘ‖
  }
}

TEST(Thm34, RejectsBadParameters) {
  nlohmann::json p = {{"widths", {3}}, {"activations", nlohmann::json::array()}, {"loss", "squared"},
                      {"K", 1},        {"per_cluster", 2},                          {"sigma", 0.1},
                      {"lambda", 0.01}, {"stationarity_tol", 1e-9},                 {"data_seed", 1}};
  EXPECT_THROW(check("thm_3_4").evaluate(p), std::invalid_argument);   // one width: no layer
  p["widths"] = {3, 4};
  p["activations"] = {"tanh"};
  p["lambda"] = 0.0;
  EXPECT_THROW(check("thm_3_4").evaluate(p), std::invalid_argument);   // λ ≤ 0
}

// Larger networks and data (k-means partitions, N = 60): NRC_SLOW=1. Every instance must reach
// stationarity (measured: 700–1,800 L-BFGS iterations) at a non-trivial point (W_l ≠ 0).
TEST(Thm34Slow, WiderNetworksKeepTheChain) {
  NRC_REQUIRE_SLOW();
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const nlohmann::json p = {{"widths", {10, 16, 16, 10}}, {"activations", {"tanh", "tanh", "identity"}},
                              {"loss", "squared"},          {"K", 4},
                              {"per_cluster", 15},          {"sigma", 0.05},
                              {"lambda", 0.003},            {"stationarity_tol", 1e-9},
                              {"data_seed", seed}};
    const nrc::Record r = nrc::evaluate_params(check("thm_3_4"), p);
    ASSERT_EQ(r.verdict, Verdict::Pass) << nrc::replay_command(r) << " " << r.notes;
    for (const auto& layer : r.metrics["chain"]) {
      const auto v = layer["values"].get<std::vector<double>>();
      for (std::size_t k = 1; k + 1 < v.size(); ++k) EXPECT_LE(v[k], v[k + 1] * (1 + 1e-6));
      EXPECT_GT(layer["W_norm"].get<double>(), 0.1);
    }
  }
}

}  // namespace
