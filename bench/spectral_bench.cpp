// Costs at the paper's sizes (Section 6.1): spectra of 784×400 weight matrices, and TCV upper
// bounds by k-means on N = 10,000 points in R^784 with K = 10. Run with OPENBLAS_NUM_THREADS=1
// unless measuring scaling (toolchain notes: values-only SVD of 784×400 ≈ 19.5 ms on 1 thread).
#include <benchmark/benchmark.h>

#include <armadillo>

#include "lib/cluster/cluster.hpp"
#include "lib/common/rng.hpp"
#include "lib/spectral/spectral.hpp"

namespace {

const arma::mat& weight_matrix() {
  static const arma::mat W = [] {
    nrc::Engine rng(20261129);
    return nrc::randn(784, 400, rng);
  }();
  return W;
}

// K = 10 Gaussian blobs as in Section 6.1: centres N(0, I), within-blob spread σ = 0.1.
const arma::mat& blobs() {
  static const arma::mat P = [] {
    nrc::Engine rng(7);
    const arma::uword d = 784, N = 10000, K = 10;
    const arma::mat centres = nrc::randn(d, K, rng);
    arma::mat out = 0.1 * nrc::randn(d, N, rng);
    for (arma::uword i = 0; i < N; ++i) out.col(i) += centres.col(i % K);
    return out;
  }();
  return P;
}

void BM_SingularValues_784x400(benchmark::State& state) {
  const arma::mat& W = weight_matrix();
  for (auto _ : state) benchmark::DoNotOptimize(nrc::singular_values(W));
}
BENCHMARK(BM_SingularValues_784x400)->Unit(benchmark::kMillisecond);

void BM_ThinSvd_784x400(benchmark::State& state) {
  const arma::mat& W = weight_matrix();
  for (auto _ : state) benchmark::DoNotOptimize(nrc::thin_svd(W));
}
BENCHMARK(BM_ThinSvd_784x400)->Unit(benchmark::kMillisecond);

void BM_TcvKmeans_10000x784_K10(benchmark::State& state) {
  const arma::mat& P = blobs();
  const auto restarts = static_cast<arma::uword>(state.range(0));
  nrc::Engine rng(1);
  double wcss = 0;
  for (auto _ : state) {
    const nrc::Clustering c = nrc::tcv_kmeans(P, 10, rng, restarts);
    // DoNotOptimize on a double lvalue lets GCC pick a general register for the "+m,r" operand
    // in benchmark 1.7.1 and corrupts the value; a pointer is safe.
    benchmark::DoNotOptimize(c.labels.memptr());
    wcss = c.wcss;
  }
  state.counters["wcss"] = wcss;   // ≈ 784·0.01 = 7.84 when the blobs are recovered
}
BENCHMARK(BM_TcvKmeans_10000x784_K10)->Arg(1)->Arg(10)->Unit(benchmark::kMillisecond);

}  // namespace
