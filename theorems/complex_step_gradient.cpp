// The complex-step gradient of L_0 with respect to every W_l, in extended precision (header).
#include "theorems/complex_step_gradient.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "lib/common/error.hpp"
#include "theorems/lemma_3_3_centroid_gradients.hpp"
#include "theorems/tolerances.hpp"

namespace nrc::complex_step {

namespace {

using real = long double;
using cx = std::complex<long double>;
using rvec = std::vector<real>;

static_assert(LDBL_MANT_DIG >= 64, "the complex step's error estimate assumes x87 extended precision");

// γ_n of extended precision, u_x = 2⁻⁶⁴.
double gamma_x(std::uint64_t n) {
  const long double nu = static_cast<long double>(n) * (LDBL_EPSILON / 2);
  return static_cast<double>(nu / (1 - nu));
}

// (a + ib)(c + id) without the C99 Annex G recovery of infinities (the values here are finite).
inline cx mul(cx x, cx y) {
  return {x.real() * y.real() - x.imag() * y.imag(), x.real() * y.imag() + x.imag() * y.real()};
}

// σ on a complex argument: the analytic extension of each activation, in forms that avoid exp
// overflow as the real ones do (lib/nn/mlp.cpp): sigmoid by the sign of Re a, softplus as
// max(a, 0) + log(1 + e^{−|a|}).
cx activate(Activation act, cx a) {
  switch (act) {
    case Activation::Identity: return a;
    case Activation::Tanh: return std::tanh(a);
    case Activation::Sigmoid: {
      if (a.real() >= 0) return 1.0L / (1.0L + std::exp(-a));
      const cx e = std::exp(a);
      return e / (1.0L + e);
    }
    case Activation::Softplus:
      if (a.real() >= 0) return a + std::log(1.0L + std::exp(-a));
      return std::log(1.0L + std::exp(a));
    case Activation::ReLU: break;
  }
  invalid_arg("complex_step", fmt::format("expected an analytic activation (identity, tanh, sigmoid, softplus), got {}",
                                          name(act)));
}
real activate_real(Activation act, real a) {
  switch (act) {
    case Activation::Identity: return a;
    case Activation::Tanh: return std::tanh(a);
    case Activation::Sigmoid: return a >= 0 ? 1 / (1 + std::exp(-a)) : std::exp(a) / (1 + std::exp(a));
    case Activation::Softplus: return a >= 0 ? a + std::log1p(std::exp(-a)) : std::log1p(std::exp(a));
    case Activation::ReLU: break;
  }
  invalid_arg("complex_step", "expected an analytic activation");
}

// ℓ(ŷ, y) for one sample: ‖ŷ − y‖² as Σ (ŷ_k − y_k)² (the analytic square, not |·|²), or the softmax
// cross-entropy Σ_k y_k (log Σ_j e^{ŷ_j − m} − (ŷ_k − m)) with m = max_k Re ŷ_k.
cx sample_loss(Loss loss, const std::vector<cx>& yh, const double* y) {
  cx total = 0;
  if (loss == Loss::SquaredError) {
    for (std::size_t k = 0; k < yh.size(); ++k) {
      const cx r = yh[k] - static_cast<real>(y[k]);
      total += mul(r, r);
    }
    return total;
  }
  real m = yh[0].real();
  for (const cx& v : yh) m = std::max(m, v.real());
  cx s = 0;
  for (const cx& v : yh) s += std::exp(v - m);
  const cx log_s = std::log(s);
  for (std::size_t k = 0; k < yh.size(); ++k) total += static_cast<real>(y[k]) * (log_s - (yh[k] - m));
  return total;
}

void check_args(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y) {
  const char* fn = "complex_step::weight_gradients";
  require(net.depth() >= 1, fn, "expected a network with at least one layer, got 0");
  require(X.n_cols > 0 && X.n_cols == Y.n_cols, fn, "expected X and Y with the same N ≥ 1 columns, got {} and {}",
          X.n_cols, Y.n_cols);
  require(X.n_rows == net.input_dim() && Y.n_rows == net.output_dim(), fn,
          "expected X with {} rows and Y with {} rows, got {} and {}", net.input_dim(), net.output_dim(), X.n_rows,
          Y.n_rows);
  require(loss == Loss::SquaredError || loss == Loss::SoftmaxCrossEntropy, fn, "expected a known loss");
  for (Activation a : net.act) activate(a, 0.0L);   // rejects ReLU
}

// The real pass of one sample in extended precision: Z[m] = z^m (m = 0..L), A[m] = a^{m+1}.
struct RealPass {
  std::vector<rvec> Z, A;
};
RealPass real_pass(const Mlp& net, const double* x) {
  const arma::uword L = net.depth();
  RealPass r;
  r.Z.resize(L + 1);
  r.A.resize(L);
  r.Z[0].assign(x, x + net.input_dim());
  for (arma::uword m = 0; m < L; ++m) {
    const arma::mat& W = net.W[m];
    r.A[m].assign(W.n_rows, 0);
    r.Z[m + 1].assign(W.n_rows, 0);
    for (arma::uword k = 0; k < W.n_rows; ++k) {
      real acc = net.b[m](k);
      for (arma::uword c = 0; c < W.n_cols; ++c) acc += static_cast<real>(W(k, c)) * r.Z[m][c];
      r.A[m][k] = acc;
      r.Z[m + 1][k] = activate_real(net.act[m], acc);
    }
  }
  return r;
}

// ℓ of one sample with a^l's unit a moved by i·h·z^{l−1}_b (l 1-based), from its real pass.
cx stepped_sample_loss(const Mlp& net, Loss loss, const RealPass& r, const double* y, arma::uword l, arma::uword a,
                       arma::uword b, real h) {
  const arma::uword L = net.depth();
  std::vector<cx> u(r.A[l - 1].size()), next;
  for (std::size_t k = 0; k < u.size(); ++k) u[k] = r.Z[l][k];
  u[a] = activate(net.act[l - 1], cx(r.A[l - 1][a], h * r.Z[l - 1][b]));
  for (arma::uword m = l; m < L; ++m) {
    const arma::mat& W = net.W[m];
    next.assign(W.n_rows, 0);
    for (arma::uword k = 0; k < W.n_rows; ++k) {
      cx acc = static_cast<real>(net.b[m](k));
      for (arma::uword c = 0; c < W.n_cols; ++c) acc += static_cast<real>(W(k, c)) * u[c];
      next[k] = activate(net.act[m], acc);
    }
    u.swap(next);
  }
  return sample_loss(loss, u, y);
}

}  // namespace

cx loss_with_step(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y, arma::uword l, arma::uword a,
                  arma::uword b, real h) {
  check_args(net, loss, X, Y);
  require(l >= 1 && l <= net.depth() && a < net.W[l - 1].n_rows && b < net.W[l - 1].n_cols,
          "complex_step::loss_with_step", "expected an entry of a weight matrix, got l = {}, ({}, {})", l, a, b);
  cx total = 0;
  for (arma::uword i = 0; i < X.n_cols; ++i)
    total += stepped_sample_loss(net, loss, real_pass(net, X.colptr(i)), Y.colptr(i), l, a, b, h);
  return total / static_cast<real>(X.n_cols);
}

WeightGradients weight_gradients(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y,
                                 double residual_factor) {
  check_args(net, loss, X, Y);
  const arma::uword L = net.depth(), N = X.n_cols;
  std::vector<RealPass> passes;
  passes.reserve(N);
  for (arma::uword i = 0; i < N; ++i) passes.push_back(real_pass(net, X.colptr(i)));

  WeightGradients g;
  for (arma::uword l = 1; l <= L; ++l) {
    const arma::mat& W = net.W[l - 1];
    arma::mat G(W.n_rows, W.n_cols);
    real res2 = 0;
    for (arma::uword c = 0; c < W.n_cols; ++c)
      for (arma::uword r = 0; r < W.n_rows; ++r) {
        real total = 0;
        for (arma::uword i = 0; i < N; ++i)
          total += stepped_sample_loss(net, loss, passes[i], Y.colptr(i), l, r, c, kStep).imag();
        const real d = total / static_cast<real>(N) / kStep;
        G(r, c) = static_cast<double>(d);
        const real e = static_cast<real>(residual_factor) * static_cast<real>(W(r, c)) + d;
        res2 += e * e;
      }
    g.W.push_back(std::move(G));
    g.residual.push_back(static_cast<double>(std::sqrt(res2)));
  }
  // Rounding estimate (header): (γˣ_N + ρˣ)·(1/N)Σ_i ‖d̃_i‖‖z_i‖ per layer, plus the rounding to double.
  const Forward fw = forward(net, X);
  const std::vector<arma::mat> Dt = lemma_3_3::delta_term_sizes(net, fw, loss, Y);
  arma::uword widest = net.input_dim();
  for (const auto& W : net.W) widest = std::max({widest, W.n_rows, W.n_cols});
  const double rho = gamma_x(4 * L * (widest + 2));
  for (arma::uword l = 0; l < L; ++l) {
    const arma::rowvec dn = arma::sqrt(arma::sum(arma::square(Dt[l]), 0));
    const arma::rowvec zn = arma::sqrt(arma::sum(arma::square(fw.Z[l]), 0));
    g.err.push_back((gamma_x(N) + rho) * arma::dot(dn, zn) / static_cast<double>(N) +
                    tol::unit_roundoff * arma::norm(g.W[l], "fro"));
  }
  return g;
}

}  // namespace nrc::complex_step
