// Full-batch forward + backward of L_λ (regularized_loss) for the tanh autoencoders of the paper,
// float64, squared loss: the inner step of every training run. The peer is PyTorch 1.13 (CPU,
// float64) doing the same step (shared/notes/toolchain.md, "Performance facts").
// Run with OPENBLAS_NUM_THREADS=1 (or 2 for scaling): OpenBLAS spins its threads otherwise.
#include <benchmark/benchmark.h>

#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "lib/common/rng.hpp"
#include "lib/nn/mlp.hpp"

namespace {

// Autoencoder with widths d-h1-…-d (tanh hidden layers; the output activation is given).
// Warm: one untimed call first, so the timed calls reuse the thread's layer buffers as a training
// loop does. Cold: the buffers are released before every call (allocation and page faults
// included, ~0.1 s at the paper's size on this machine).
void run_autoencoder(benchmark::State& state, const std::vector<arma::uword>& widths, arma::uword N,
                     nrc::Activation output, bool cold = false) {
  nrc::Engine rng(20261129);
  std::vector<nrc::Activation> acts(widths.size() - 1, nrc::Activation::Tanh);
  acts.back() = output;
  const nrc::Mlp net = nrc::make_mlp(widths, acts, rng);
  const arma::mat X = nrc::randn(widths.front(), N, rng);
  const double lambda = 1e-3;
  benchmark::DoNotOptimize(nrc::regularized_loss(net, nrc::Loss::SquaredError, X, X, lambda).value);
  for (auto _ : state) {
    if (cold) {
      state.PauseTiming();
      nrc::release_nn_workspace();
      state.ResumeTiming();
    }
    nrc::LossAndGradient r = nrc::regularized_loss(net, nrc::Loss::SquaredError, X, X, lambda);
    benchmark::DoNotOptimize(r.value);
    benchmark::DoNotOptimize(r.grad.W.front().memptr());
  }
  state.SetLabel(fmt::format("{} N={}, {} output{}", fmt::join(widths, "-"), N, nrc::name(output),
                             cold ? ", cold buffers" : ""));
}

void BM_AutoencoderSmall(benchmark::State& state) {
  run_autoencoder(state, {64, 48, 32, 48, 64}, 1000, nrc::Activation::Tanh);
}
void BM_AutoencoderSmallLinearOut(benchmark::State& state) {
  run_autoencoder(state, {64, 48, 32, 48, 64}, 1000, nrc::Activation::Identity);
}
void BM_AutoencoderPaper(benchmark::State& state) {
  run_autoencoder(state, {784, 400, 300, 400, 784}, 10000, nrc::Activation::Tanh);
}
void BM_AutoencoderPaperLinearOut(benchmark::State& state) {
  run_autoencoder(state, {784, 400, 300, 400, 784}, 10000, nrc::Activation::Identity);
}
void BM_AutoencoderPaperCold(benchmark::State& state) {
  run_autoencoder(state, {784, 400, 300, 400, 784}, 10000, nrc::Activation::Tanh, true);
}

}  // namespace

BENCHMARK(BM_AutoencoderSmall)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AutoencoderSmallLinearOut)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AutoencoderPaper)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_AutoencoderPaperLinearOut)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_AutoencoderPaperCold)->Unit(benchmark::kMillisecond)->UseRealTime();
