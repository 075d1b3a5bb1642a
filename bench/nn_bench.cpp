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

// The GEMMs of one forward + backward step alone, same shapes and operand layouts (A_l = W_l Z_{l−1};
// ∇W_l = D_l Z_{l−1}ᵀ; T_{l−1} = W_lᵀ D_l for l ≥ 2): the floor the step's time is compared with.
void run_step_gemms(benchmark::State& state, const std::vector<arma::uword>& widths, arma::uword N) {
  nrc::Engine rng(20261129);
  const std::size_t L = widths.size() - 1;
  std::vector<arma::mat> W(L), Z(L + 1), D(L), G(L), T(L);
  Z[0] = nrc::randn(widths[0], N, rng);
  for (std::size_t l = 0; l < L; ++l) {
    W[l] = nrc::randn(widths[l + 1], widths[l], rng);
    Z[l + 1] = nrc::randn(widths[l + 1], N, rng);
    D[l] = nrc::randn(widths[l + 1], N, rng);
  }
  for (auto _ : state) {
    for (std::size_t l = 0; l < L; ++l) Z[l + 1] = W[l] * Z[l];
    for (std::size_t l = L; l-- > 0;) {
      G[l] = D[l] * Z[l].t();
      if (l > 0) T[l] = W[l].t() * D[l];
    }
    benchmark::DoNotOptimize(G[0].memptr());
  }
  state.SetLabel(fmt::format("{} N={}, the step's {} GEMMs", fmt::join(widths, "-"), N, 3 * L - 1));
}

// Hessian-vector products of the same network (HessianOperator: rebinding it to Θ is one forward and
// backward pass; apply() the R-passes, about two gradients).
void run_hessian(benchmark::State& state, const std::vector<arma::uword>& widths, arma::uword N, bool build) {
  nrc::Engine rng(20261129);
  std::vector<nrc::Activation> acts(widths.size() - 1, nrc::Activation::Tanh);
  acts.back() = nrc::Activation::Identity;
  const nrc::Mlp net = nrc::make_mlp(widths, acts, rng);
  const arma::mat X = nrc::randn(widths.front(), N, rng);
  const arma::vec v = nrc::randn(net.parameter_count(), 1, rng);
  nrc::HessianOperator H(net, nrc::Loss::SquaredError, X, X, 1e-3);
  const arma::vec theta = nrc::flatten(net);
  for (auto _ : state) {
    if (build) {
      H.rebind(theta);   // as training does at each new iterate
      benchmark::DoNotOptimize(&H);
    } else {
      arma::vec hv = H.apply(v);
      benchmark::DoNotOptimize(hv.memptr());
    }
  }
  state.SetLabel(fmt::format("{} N={}, identity output, {}", fmt::join(widths, "-"), N,
                             build ? "operator at Θ" : "one product"));
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

void BM_StepGemmsSmall(benchmark::State& state) { run_step_gemms(state, {64, 48, 32, 48, 64}, 1000); }
void BM_StepGemmsPaper(benchmark::State& state) { run_step_gemms(state, {784, 400, 300, 400, 784}, 10000); }
void BM_HessianOperatorSmall(benchmark::State& state) { run_hessian(state, {64, 48, 32, 48, 64}, 1000, true); }
void BM_HessianProductSmall(benchmark::State& state) { run_hessian(state, {64, 48, 32, 48, 64}, 1000, false); }
void BM_HessianProductPaper(benchmark::State& state) { run_hessian(state, {784, 400, 300, 400, 784}, 10000, false); }

BENCHMARK(BM_AutoencoderSmall)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AutoencoderSmallLinearOut)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AutoencoderPaper)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_AutoencoderPaperLinearOut)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_AutoencoderPaperCold)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_StepGemmsSmall)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StepGemmsPaper)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_HessianOperatorSmall)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HessianProductSmall)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HessianProductPaper)->Unit(benchmark::kMillisecond)->UseRealTime();
