#include "property_tests/support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

#include <armadillo>

#include "lib/cluster/cluster.hpp"
#include "lib/common/rng.hpp"

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

arma::mat line(std::initializer_list<double> xs) { return arma::rowvec(std::vector<double>(xs)); }

// Every label in [0, blocks) and every block used: the compact form the API promises.
bool is_compact(const nrc::Clustering& c, arma::uword N) {
  if (c.labels.n_elem != N || c.blocks == 0) return false;
  std::vector<bool> used(c.blocks, false);
  for (arma::uword l : c.labels) {
    if (l >= c.blocks) return false;
    used[l] = true;
  }
  return std::all_of(used.begin(), used.end(), [](bool u) { return u; });
}

// Rounding scale of a WCSS computed on P: every partition's WCSS is ≤ TCV_1 = total variance.
double wcss_scale(const arma::mat& P) {
  return nrc::wcss(P, arma::uvec(P.n_cols, arma::fill::zeros)) +
         arma::accu(arma::square(P)) / static_cast<double>(P.n_cols) + 1e-300;
}

// Rounding bound of one WCSS evaluation (the two-pass formula of lib/cluster) on P, N points of d
// coordinates, S = wcss_scale(P): a centroid carries ≤ γ_{N}·|p| per entry, so each δ_i = p_i − c
// carries e_i ≤ γ_{N+1}(‖p_i‖ + ‖c‖); then |‖δ̂‖² − ‖δ‖²| ≤ 2‖δ‖‖e‖ + ‖e‖² + γ_d‖δ‖², and the mean
// adds γ_N: in all ≤ γ_{N+d}·W + 2γ_{N+1}√(W·A) + γ_{N+1}²·A with A = (1/N)Σ(‖p_i‖ + ‖c‖)² ≤ 4S,
// i.e. ≤ 6γ_{N+d+1}·S. Two evaluations of the same exact value agree within twice that.
double wcss_rounding(const arma::mat& P) {
  return 6 * nrc::tol::gamma(P.n_cols + P.n_rows + 1) * wcss_scale(P);
}

// Points drawn on a small integer grid so that ties and duplicates are common, as are clean
// clusters: the cases where partition enumeration and k-means are most likely to disagree.
arma::mat gen_grid_points(arma::uword d, arma::uword N) {
  const auto v = *rc::gen::container<std::vector<int>>(d * N, rc::gen::inRange(-3, 4));
  arma::mat P(d, N);
  for (arma::uword i = 0; i < d * N; ++i) P(i) = v[i];
  return P;
}

// min over all K^N label vectors, the definition of TCV_K with nothing clever about it.
double brute_force_tcv(const arma::mat& P, arma::uword K) {
  const arma::uword N = P.n_cols;
  arma::uvec labels(N, arma::fill::zeros);
  double best = std::numeric_limits<double>::infinity();
  while (true) {
    best = std::min(best, nrc::wcss(P, labels));
    arma::uword i = 0;
    while (i < N && labels(i) == K - 1) labels(i++) = 0;
    if (i == N) return best;
    ++labels(i);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// stack_points / wcss / replicate_centroids

TEST(ClusterStackPoints, StacksColumnwise) {
  const arma::mat Z = {{1, 2, 3}};
  const arma::mat Y = {{4, 5, 6}, {7, 8, 9}};
  const arma::mat P = nrc::stack_points(Z, Y);
  ASSERT_EQ(P.n_rows, 3u);
  ASSERT_EQ(P.n_cols, 3u);
  EXPECT_TRUE(arma::approx_equal(P.col(1), arma::vec{2, 5, 8}, "absdiff", 0.0));
  EXPECT_THROW(nrc::stack_points(Z, arma::mat(2, 2)), std::invalid_argument);
}

TEST(ClusterWcss, HandComputedOnALine) {
  const arma::mat P = line({0, 2, 10, 12});
  // Exact: small integers, and means and the 1/N over blocks of 2 and 4 points are dyadic.
  // Blocks {0, 2} and {10, 12}: centroids 1 and 11, four unit deviations, N = 4.
  EXPECT_EQ(nrc::wcss(P, arma::uvec{7, 7, 3, 3}), 1.0);
  // One block: mean 6, deviations² 36 + 16 + 16 + 36 = 104.
  EXPECT_EQ(nrc::wcss(P, arma::uvec{5, 5, 5, 5}), 26.0);
  EXPECT_EQ(nrc::wcss(P, arma::uvec{0, 1, 2, 3}), 0.0);
}

TEST(ClusterWcss, StacksFeaturesAndLabelsAsInEquationSix) {
  // z = (0, 2), y = (0, 4) in one block: centroid (1, 2), deviations² (1 + 4)·2 = 10, N = 2.
  const arma::mat P = nrc::stack_points(arma::mat{{0, 2}}, arma::mat{{0, 4}});
  EXPECT_EQ(nrc::wcss(P, arma::uvec{1, 1}), 5.0);   // exact: integers and halves
}

TEST(ClusterWcss, LabelValuesNeedNotBeContiguous) {
  const arma::mat P = {{0, 1, 5, 6, 20}, {1, 0, 3, 3, -1}};
  const double ref = nrc::wcss(P, arma::uvec{0, 0, 1, 1, 2});
  EXPECT_EQ(nrc::wcss(P, arma::uvec{100, 100, 4, 4, 9999}), ref);
  EXPECT_EQ(nrc::wcss(P, arma::uvec{2, 2, 0, 0, 1}), ref);
}

TEST(ClusterWcss, TightClusterFarFromOrigin) {
  // Σ‖p‖² − N‖p̄‖² would lose every digit here (1e16 vs 0.5); deviations from the mean do not.
  const arma::mat P = line({1e8, 1e8 + 1, 1e8, 1e8 + 1});
  // Exact: the sum 4e8 + 2 and its quarter 1e8 + 0.5 are representable, so are the deviations ±0.5.
  EXPECT_EQ(nrc::wcss(P, arma::uvec{0, 0, 0, 0}), 0.25);
}

TEST(ClusterWcss, RejectsBadInput) {
  const arma::mat P = line({0, 1, 2});
  EXPECT_THROW(nrc::wcss(P, arma::uvec{0, 1}), std::invalid_argument);
  EXPECT_THROW(nrc::wcss(arma::mat(2, 0), arma::uvec()), std::invalid_argument);
  EXPECT_THROW(nrc::wcss(line({0, kNaN, 2}), arma::uvec{0, 0, 1}), std::invalid_argument);
  EXPECT_THROW(nrc::replicate_centroids(P, arma::uvec{0}), std::invalid_argument);
}

TEST(ClusterReplicateCentroids, HandComputed) {
  const arma::mat P = {{0, 4, 1, 3}, {2, 0, 0, 2}};
  const arma::mat R = nrc::replicate_centroids(P, arma::uvec{9, 2, 9, 2});
  // Block 9 = columns {0, 2}: centroid (0.5, 1); block 2 = columns {1, 3}: centroid (3.5, 1).
  const arma::mat expected = {{0.5, 3.5, 0.5, 3.5}, {1, 1, 1, 1}};
  // Exact: integer data in blocks of 2 (dyadic means).
  EXPECT_TRUE(arma::approx_equal(R, expected, "absdiff", 0.0));
  // The WCSS is the mean squared distance to the replicated centroids (exact here too).
  EXPECT_EQ(nrc::wcss(P, arma::uvec{9, 2, 9, 2}), arma::accu(arma::square(P - R)) / 4.0);
}

// ---------------------------------------------------------------------------------------------
// tcv_exact

TEST(ClusterTcvExact, FourPointsOnALine) {
  const arma::mat P = line({0, 1, 5, 6});
  const nrc::Clustering k1 = nrc::tcv_exact(P, 1);
  // Exact throughout: integer data, block sizes 1, 2 and 4 (dyadic means), N = 4.
  EXPECT_EQ(k1.wcss, 26.0 / 4.0);   // mean 3: 9 + 4 + 4 + 9
  EXPECT_EQ(k1.blocks, 1u);
  const nrc::Clustering k2 = nrc::tcv_exact(P, 2);
  // {0, 1} | {5, 6}: four deviations of 1/2; every other 2-partition costs ≥ 14/4.
  EXPECT_EQ(k2.wcss, 1.0 / 4.0);
  EXPECT_EQ(k2.blocks, 2u);
  EXPECT_TRUE(arma::all(k2.labels == arma::uvec({0, 0, 1, 1})));
  EXPECT_EQ(nrc::tcv_exact(P, 3).wcss, 0.5 / 4.0);
  EXPECT_EQ(nrc::tcv_exact(P, 4).wcss, 0.0);
}

TEST(ClusterTcvExact, UnevenBlocks) {
  // {0, 1, 2} | {10}: 1 + 0 + 1 = 2 over N = 4; splitting elsewhere puts 10 with a close point.
  const nrc::Clustering c = nrc::tcv_exact(line({10, 0, 2, 1}), 2);
  EXPECT_EQ(c.wcss, 0.5);   // exact: the mean of {0, 1, 2} is 3/3 = 1, deviations are integers
  EXPECT_TRUE(arma::all(c.labels == arma::uvec({0, 1, 1, 1})));
}

TEST(ClusterTcvExact, TenPointsIsTheLimit) {
  nrc::Engine rng(3);
  const arma::mat P = nrc::randn(2, 10, rng);
  const nrc::Clustering c = nrc::tcv_exact(P, 3);
  EXPECT_TRUE(is_compact(c, 10));
  EXPECT_EQ(c.blocks, 3u);
  EXPECT_DOUBLE_EQ(c.wcss, nrc::wcss(P, c.labels));
  EXPECT_THROW(nrc::tcv_exact(nrc::randn(2, 11, rng), 3), std::invalid_argument);
}

TEST(ClusterTcvExact, RejectsBadInput) {
  const arma::mat P = line({0, 1, 2});
  EXPECT_THROW(nrc::tcv_exact(P, 0), std::invalid_argument);
  EXPECT_THROW(nrc::tcv_exact(P, 4), std::invalid_argument);
  EXPECT_THROW(nrc::tcv_exact(arma::mat(1, 0), 1), std::invalid_argument);
  EXPECT_THROW(nrc::tcv_exact(line({0, kNaN, 2}), 2), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// tcv_kmeans

TEST(ClusterTcvKmeans, SeparatedBlobsGiveTheGeneratingPartition) {
  nrc::Engine rng(17);
  const arma::uword K = 4, per = 25, d = 6;
  arma::mat P(d, K * per);
  arma::uvec truth(K * per);
  const arma::mat centres = 50.0 * nrc::randn(d, K, rng);
  for (arma::uword i = 0; i < K * per; ++i) {
    truth(i) = i % K;
    P.col(i) = centres.col(i % K) + 0.1 * nrc::randn(d, 1, rng);
  }
  const nrc::Clustering c = nrc::tcv_kmeans(P, K, rng, 5);
  EXPECT_TRUE(is_compact(c, K * per));
  EXPECT_EQ(c.blocks, K);
  // The same partition (the generating blocks, found up to labels): two evaluations of one value.
  EXPECT_NEAR(c.wcss, nrc::wcss(P, truth), 2 * wcss_rounding(P));
}

TEST(ClusterTcvKmeans, SameSeedSameResult) {
  nrc::Engine data_rng(5);
  const arma::mat P = nrc::randn(3, 60, data_rng);
  nrc::Engine a(99), b(99);
  const nrc::Clustering ca = nrc::tcv_kmeans(P, 5, a, 3);
  const nrc::Clustering cb = nrc::tcv_kmeans(P, 5, b, 3);
  EXPECT_TRUE(arma::all(ca.labels == cb.labels));
  EXPECT_EQ(ca.wcss, cb.wcss);
}

TEST(ClusterTcvKmeans, FewerDistinctPointsThanK) {
  // Two distinct points, five copies each: K = 4 can use only two blocks, at zero cost.
  arma::mat P(2, 10);
  for (arma::uword i = 0; i < 10; ++i) P.col(i) = (i % 2 == 0) ? arma::vec{1, 2} : arma::vec{-3, 7};
  nrc::Engine rng(1);
  const nrc::Clustering c = nrc::tcv_kmeans(P, 4, rng, 3);
  EXPECT_TRUE(is_compact(c, 10));
  EXPECT_EQ(c.blocks, 2u);
  EXPECT_EQ(c.wcss, 0.0);
}

TEST(ClusterTcvKmeans, KEqualsNAndKEqualsOne) {
  nrc::Engine rng(8);
  const arma::mat P = nrc::randn(3, 7, rng);
  const nrc::Clustering all = nrc::tcv_kmeans(P, 7, rng, 2);
  EXPECT_EQ(all.blocks, 7u);
  EXPECT_EQ(all.wcss, 0.0);
  const nrc::Clustering one = nrc::tcv_kmeans(P, 1, rng, 1);
  EXPECT_EQ(one.blocks, 1u);
  // The one-block partition, evaluated by the same wcss() on the same labels (k-means returns
  // wcss(P, labels): ClusterProps.ExactIsBelowKmeans): bit-identical.
  EXPECT_EQ(one.wcss, nrc::wcss(P, arma::uvec(7, arma::fill::zeros)));
}

TEST(ClusterTcvKmeans, RejectsBadInput) {
  nrc::Engine rng(0);
  const arma::mat P = line({0, 1, 2});
  EXPECT_THROW(nrc::tcv_kmeans(P, 0, rng), std::invalid_argument);
  EXPECT_THROW(nrc::tcv_kmeans(P, 4, rng), std::invalid_argument);
  EXPECT_THROW(nrc::tcv_kmeans(P, 2, rng, 0), std::invalid_argument);
  EXPECT_THROW(nrc::tcv_kmeans(P, 2, rng, 1, 0), std::invalid_argument);
  EXPECT_THROW(nrc::tcv_kmeans(arma::mat(2, 0), 1, rng), std::invalid_argument);
  EXPECT_THROW(nrc::tcv_kmeans(line({0, std::numeric_limits<double>::infinity()}), 1, rng),
               std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// Properties

// The enumeration visits every partition into ≤ K blocks: it must match the definition taken
// literally (all K^N labelings). Both sides are WCSS values of minimizing partitions computed
// by the same two-pass formula; they can differ only when distinct partitions tie in exact
// arithmetic and round differently.
RC_GTEST_PROP(ClusterProps, ExactMatchesBruteForce, ()) {
  const auto N = *rc::gen::inRange<arma::uword>(1, 7);
  const auto K = *rc::gen::inRange<arma::uword>(1, std::min<arma::uword>(N, 3) + 1);
  const auto d = *rc::gen::inRange<arma::uword>(1, 3);
  const arma::mat P = gen_grid_points(d, N);
  const nrc::Clustering c = nrc::tcv_exact(P, K);
  RC_ASSERT(is_compact(c, N));
  RC_ASSERT(c.blocks <= K);
  RC_ASSERT(std::abs(c.wcss - brute_force_tcv(P, K)) <= 2 * wcss_rounding(P));
}

RC_GTEST_PROP(ClusterProps, ExactIsBelowKmeans, ()) {
  const auto N = *rc::gen::inRange<arma::uword>(1, 9);
  const auto K = *rc::gen::inRange<arma::uword>(1, N + 1);
  const auto d = *rc::gen::inRange<arma::uword>(1, 4);
  const arma::mat P = gen_grid_points(d, N);
  nrc::Engine rng(*rc::gen::arbitrary<std::uint64_t>());
  const nrc::Clustering exact = nrc::tcv_exact(P, K);
  const nrc::Clustering km = nrc::tcv_kmeans(P, K, rng, 2);
  RC_ASSERT(is_compact(km, N));
  RC_ASSERT(km.blocks <= K);
  RC_ASSERT(km.wcss == nrc::wcss(P, km.labels));
  RC_ASSERT(exact.wcss <= km.wcss + 2 * wcss_rounding(P));
}

RC_GTEST_PROP(ClusterProps, ExactIsNonIncreasingInK, ()) {
  const auto N = *rc::gen::inRange<arma::uword>(2, 9);
  const auto d = *rc::gen::inRange<arma::uword>(1, 4);
  const arma::mat P = gen_grid_points(d, N);
  const double tol = 2 * wcss_rounding(P);
  double previous = nrc::tcv_exact(P, 1).wcss;
  for (arma::uword K = 2; K <= N; ++K) {
    const double current = nrc::tcv_exact(P, K).wcss;
    RC_ASSERT(current <= previous + tol);
    previous = current;
  }
  RC_ASSERT(previous == 0.0);   // K = N: singletons
}

// Relabelling with any injective map leaves the blocks, and the order in which each block's
// points are summed, unchanged: the value is bit-identical.
RC_GTEST_PROP(ClusterProps, WcssInvariantUnderRelabelling, ()) {
  const auto N = *rc::gen::inRange<arma::uword>(1, 30);
  const auto d = *rc::gen::inRange<arma::uword>(1, 5);
  const auto B = *rc::gen::inRange<arma::uword>(1, 6);
  nrc::Engine rng(*rc::gen::arbitrary<std::uint64_t>());
  const arma::mat P = nrc::randn(d, N, rng);
  const auto raw = *rc::gen::container<std::vector<arma::uword>>(N, rc::gen::inRange<arma::uword>(0, B));
  const arma::uvec labels(raw);
  // Injective map b ↦ 1000·π(b) + 7 with a random permutation π.
  std::vector<arma::uword> perm(B);
  std::iota(perm.begin(), perm.end(), 0);
  std::shuffle(perm.begin(), perm.end(), rng);
  arma::uvec relabelled(N);
  for (arma::uword i = 0; i < N; ++i) relabelled(i) = 1000 * perm[labels(i)] + 7;
  RC_ASSERT(nrc::wcss(P, relabelled) == nrc::wcss(P, labels));
  RC_ASSERT(arma::approx_equal(nrc::replicate_centroids(P, relabelled),
                               nrc::replicate_centroids(P, labels), "absdiff", 0.0));
}

// Permuting points together with their labels only reorders the sums.
RC_GTEST_PROP(ClusterProps, WcssInvariantUnderPointPermutation, ()) {
  const auto N = *rc::gen::inRange<arma::uword>(1, 30);
  const auto d = *rc::gen::inRange<arma::uword>(1, 5);
  const auto B = *rc::gen::inRange<arma::uword>(1, 6);
  nrc::Engine rng(*rc::gen::arbitrary<std::uint64_t>());
  const arma::mat P = nrc::randn(d, N, rng);
  const auto raw = *rc::gen::container<std::vector<arma::uword>>(N, rc::gen::inRange<arma::uword>(0, B));
  const arma::uvec labels(raw);
  std::vector<arma::uword> order(N);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  const arma::uvec idx(order);
  const double a = nrc::wcss(P, labels);
  const double b = nrc::wcss(arma::mat(P.cols(idx)), arma::uvec(labels(idx)));
  RC_ASSERT(std::abs(a - b) <= 2 * wcss_rounding(P));
}

// With at most K distinct points the partition by point identity has WCSS 0, and both methods
// must find it: exact by enumeration, k-means because D² sampling never picks a duplicate of a
// seed while an unseeded point remains. What is left is the rounding of a mean of equal values.
RC_GTEST_PROP(ClusterProps, ZeroOnAtMostKDistinctPoints, ()) {
  const auto K = *rc::gen::inRange<arma::uword>(1, 6);
  const auto m = *rc::gen::inRange<arma::uword>(1, K + 1);
  const auto d = *rc::gen::inRange<arma::uword>(1, 5);
  const auto N = *rc::gen::inRange<arma::uword>(K, 40);
  nrc::Engine rng(*rc::gen::arbitrary<std::uint64_t>());
  const arma::mat distinct = 10.0 * nrc::randn(d, m, rng) + 100.0;
  const auto which = *rc::gen::container<std::vector<arma::uword>>(N, rc::gen::inRange<arma::uword>(0, m));
  arma::mat P(d, N);
  for (arma::uword i = 0; i < N; ++i) P.col(i) = distinct.col(which[i]);
  const double tol = wcss_rounding(P);   // one evaluation of an exact 0
  RC_ASSERT(nrc::tcv_kmeans(P, K, rng, 1).wcss <= tol);
  if (N <= 10) RC_ASSERT(nrc::tcv_exact(P, K).wcss <= tol);
}

// With at least K distinct points an empty cluster can always take the farthest point, so the
// returned partition uses all K blocks.
RC_GTEST_PROP(ClusterProps, KmeansUsesAllBlocksOnGenericData, ()) {
  const auto N = *rc::gen::inRange<arma::uword>(1, 80);
  const auto K = *rc::gen::inRange<arma::uword>(1, std::min<arma::uword>(N, 12) + 1);
  const auto d = *rc::gen::inRange<arma::uword>(1, 6);
  nrc::Engine rng(*rc::gen::arbitrary<std::uint64_t>());
  const arma::mat P = nrc::randn(d, N, rng);
  const auto max_iter = *rc::gen::inRange<arma::uword>(1, 30);
  const nrc::Clustering c = nrc::tcv_kmeans(P, K, rng, 2, max_iter);
  RC_ASSERT(is_compact(c, N));
  RC_ASSERT(c.blocks == K);
  RC_ASSERT(c.wcss == nrc::wcss(P, c.labels));
}
