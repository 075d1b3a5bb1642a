// Fully connected networks of eq. (1), the losses of eq. (3) and exact batch backpropagation.
//
// Two paths compute the same mathematics:
//  - the public building blocks (forward, backprop_deltas, gradient_from_deltas) keep every
//    intermediate (A_l and z^l), for callers that inspect them;
//  - sum_loss_gradient and regularized_loss run a fused path that keeps only z^l, applies the
//    bias and σ_l in one pass after each GEMM, overwrites z^l with the delta D_l on the way back
//    (σ_l' is a function of z^l for every activation here) and accumulates ∇b_l in that same
//    pass. This is what a training loop calls thousands of times, so it avoids temporaries.
#include "lib/nn/mlp.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "lib/common/error.hpp"
#include "lib/common/memory.hpp"

// GCC/Clang vector extensions give the elementwise kernels 8-wide SIMD without -ffast-math or
// -fno-trapping-math. On x86-64 the hot loops are also compiled for AVX-512 and AVX2+FMA and the
// variant is picked at load time (ifunc), so the library still runs on any x86-64 CPU. The
// variants may differ in the last bit (FMA contraction), as OpenBLAS's kernels already do.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define NRC_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define NRC_SIMD_CLONES
#endif

namespace nrc {

namespace {

using arma::uword;

// ---------------------------------------------------------------------------------------------
// Scalar kernels.
// glibc's tanh costs ~20 ns per call on this machine: at the paper's 784-400-300-400-784 size
// with N = 10,000 that is ~0.4 s of a ~1 s gradient evaluation. tanh is therefore evaluated by
// the SIMD kernel below (max error 2.5 ulp against a long-double reference, glibc's own is 2.1);
// the other activations use libm.

constexpr unsigned kLanes = 8;   // one AVX-512 register, two AVX2 ones, four SSE2 ones
using vd = double __attribute__((vector_size(8 * kLanes)));
using vu = std::uint64_t __attribute__((vector_size(8 * kLanes)));
// vd values are passed by reference only: by value, the default (SSE2) clone would draw GCC's
// -Wpsabi note about the AVX calling convention.

[[gnu::always_inline]] inline void loadv(vd& v, const double* p) { std::memcpy(&v, p, sizeof v); }
[[gnu::always_inline]] inline void storev(double* p, const vd& v) { std::memcpy(p, &v, sizeof v); }
// Pairwise sum of the lanes, in a fixed order.
[[gnu::always_inline]] inline double hsum(const vd& v) {
  double a[kLanes];
  std::memcpy(a, &v, sizeof a);
  for (unsigned w = kLanes / 2; w >= 1; w /= 2)
    for (unsigned i = 0; i < w; ++i) a[i] += a[i + w];
  return a[0];
}

// tanh(x) = sign(x)·e/(e + 2) with e = expm1(2|x|). expm1(y) for y ∈ [0, 40]: y = n·ln2 + r with
// |r| ≤ ln2/2 (Cody–Waite split of ln2, n·ln2_hi exact for n < 2^11), expm1(r) by its Taylor
// polynomial to degree 13 (remainder < r^14/14! ≤ 4e-18, below half an ulp of expm1(r) ≈ r),
// then expm1(y) = 2^n·expm1(r) + (2^n − 1), where 2^n − 1 is exact and the sum cancels at most
// by a factor ~2.4. |x| ≥ 20 gives tanh = ±1 in double anyway, so |x| is clamped there (which
// keeps 2^n in range); NaN is passed through.
[[gnu::always_inline]] inline void tanhv(vd& x) {
  constexpr std::uint64_t sign_bit = 0x8000000000000000ULL;
  constexpr double log2e = 1.4426950408889634074;
  constexpr double ln2_hi = 6.93147180369123816490e-01;   // 0x3fe62e42fee00000
  constexpr double ln2_lo = 1.90821492927058770002e-10;
  constexpr double shifter = 0x1.8p52;                      // adding it rounds to an integer
  const vu xb = (vu)x;   // vector casts reinterpret the bits
  const vd ax = (vd)(xb & ~sign_bit);
  const vd y = 2.0 * (ax < 20.0 ? ax : 20.0);   // NaN lands on 20 here and is restored below
  const vd t = y * log2e + shifter;
  const vd n = t - shifter;
  const vd r = (y - n * ln2_hi) - n * ln2_lo;
  vd q = r * (1.0 / 6227020800.0) + 1.0 / 479001600.0;
  q = q * r + 1.0 / 39916800.0;
  q = q * r + 1.0 / 3628800.0;
  q = q * r + 1.0 / 362880.0;
  q = q * r + 1.0 / 40320.0;
  q = q * r + 1.0 / 5040.0;
  q = q * r + 1.0 / 720.0;
  q = q * r + 1.0 / 120.0;
  q = q * r + 1.0 / 24.0;
  q = q * r + 1.0 / 6.0;
  q = q * r + 0.5;
  const vd em1r = r + (r * r) * q;
  const vu nbits = (vu)t - std::bit_cast<std::uint64_t>(shifter);
  const vd scale = (vd)((nbits + 1023) << 52);   // 2^n, n ∈ [0, 58]
  const vd e = scale * em1r + (scale - 1.0);
  const vd th = e / (e + 2.0);
  const vd res = (vd)((vu)th | (xb & sign_bit));
  x = x == x ? res : x;
}

// Stable for large |a|: never forms exp of a large positive number.
inline double sigmoid(double a) {
  if (a >= 0) return 1.0 / (1.0 + std::exp(-a));
  const double e = std::exp(a);
  return e / (1.0 + e);
}
inline double softplus(double a) { return std::log1p(std::exp(-std::fabs(a))) + std::max(a, 0.0); }

// ---------------------------------------------------------------------------------------------
// Loops over whole matrices (column-major, n rows). Every column goes through the same 8-wide
// code, the tail through a padded copy, so results do not depend on the position in a column.

// b = null means no bias: the matrix is then one long column (and −0 stays −0).
template <class Kernel>
[[gnu::always_inline]] inline void map_bias_cols(double* __restrict z, const double* __restrict b, uword n,
                                                 uword cols, Kernel k) {
  if (b == nullptr) {
    n *= cols;
    cols = n > 0 ? 1 : 0;
  }
  for (uword j = 0; j < cols; ++j, z += n) {
    uword i = 0;
    for (; i + kLanes <= n; i += kLanes) {
      vd v, w;
      loadv(v, z + i);
      if (b != nullptr) {
        loadv(w, b + i);
        v += w;
      }
      k(v);
      storev(z + i, v);
    }
    if (i < n) {
      double zt[kLanes] = {}, bt[kLanes] = {};
      std::memcpy(zt, z + i, (n - i) * sizeof(double));
      vd v, w;
      loadv(v, zt);
      if (b != nullptr) {
        std::memcpy(bt, b + i, (n - i) * sizeof(double));
        loadv(w, bt);
        v += w;
      }
      k(v);
      storev(zt, v);
      std::memcpy(z + i, zt, (n - i) * sizeof(double));
    }
  }
}

// z ← tanh(z + b) column by column (b = 0 gives plain tanh).
NRC_SIMD_CLONES void tanh_bias_cols(double* z, const double* b, uword n, uword cols) {
  map_bias_cols(z, b, n, cols, [](vd& v) { tanhv(v); });
}
NRC_SIMD_CLONES void relu_bias_cols(double* z, const double* b, uword n, uword cols) {
  map_bias_cols(z, b, n, cols, [](vd& v) { v = v < 0.0 ? vd{} : v; });   // NaN stays NaN
}
NRC_SIMD_CLONES void identity_bias_cols(double* z, const double* b, uword n, uword cols) {
  map_bias_cols(z, b, n, cols, [](vd&) {});
}
void scalar_bias_cols(Activation a, double* z, const double* b, uword n, uword cols) {
  for (uword j = 0; j < cols; ++j, z += n)
    for (uword i = 0; i < n; ++i) {
      const double v = b != nullptr ? z[i] + b[i] : z[i];
      z[i] = a == Activation::Sigmoid ? sigmoid(v) : softplus(v);
    }
}

// z ← σ(z + b) column by column; b may be null (no bias).
void apply_activation(Activation a, double* z, const double* b, uword n, uword cols) {
  switch (a) {
    case Activation::Identity:
      if (b != nullptr) identity_bias_cols(z, b, n, cols);
      return;
    case Activation::Tanh: tanh_bias_cols(z, b, n, cols); return;
    case Activation::ReLU: relu_bias_cols(z, b, n, cols); return;
    case Activation::Sigmoid:
    case Activation::Softplus: scalar_bias_cols(a, z, b, n, cols); return;
  }
  invalid_arg("activate", fmt::format("expected a known activation, got code {}", static_cast<int>(a)));
}

// σ'(a) written as a function of z = σ(a). ReLU: z > 0 ⇔ a > 0 (so ReLU'(0) = 0); softplus:
// σ'(a) = sigmoid(a) = 1 − e^{−z}, computed as −expm1(−z) (condition number ≤ 1 in z).
// d ← t ∘ σ'(z) and gb += d·1 (row sums), one pass; d may alias t or z.
template <class Deriv>
[[gnu::always_inline]] inline void delta_cols(double* d, const double* t, const double* z, double* __restrict gb,
                                              uword n, uword cols, Deriv deriv) {
  for (uword j = 0; j < cols; ++j, d += n, t += n, z += n)
    for (uword i = 0; i < n; ++i) {
      const double v = t[i] * deriv(z[i]);
      d[i] = v;
      gb[i] += v;
    }
}
NRC_SIMD_CLONES void delta_tanh(double* d, const double* t, const double* z, double* gb, uword n, uword cols) {
  delta_cols(d, t, z, gb, n, cols, [](double zz) { return 1.0 - zz * zz; });
}
NRC_SIMD_CLONES void delta_sigmoid(double* d, const double* t, const double* z, double* gb, uword n, uword cols) {
  delta_cols(d, t, z, gb, n, cols, [](double zz) { return zz * (1.0 - zz); });
}
NRC_SIMD_CLONES void delta_identity(double* d, const double* t, const double* z, double* gb, uword n,
                                    uword cols) {
  delta_cols(d, t, z, gb, n, cols, [](double) { return 1.0; });
}
void delta_relu(double* d, const double* t, const double* z, double* gb, uword n, uword cols) {
  delta_cols(d, t, z, gb, n, cols, [](double zz) { return zz > 0.0 ? 1.0 : 0.0; });
}
void delta_softplus(double* d, const double* t, const double* z, double* gb, uword n, uword cols) {
  delta_cols(d, t, z, gb, n, cols, [](double zz) { return -std::expm1(-zz); });
}
void delta_from_output(Activation a, double* d, const double* t, const double* z, double* gb, uword n,
                       uword cols) {
  switch (a) {
    case Activation::Identity: delta_identity(d, t, z, gb, n, cols); return;
    case Activation::Tanh: delta_tanh(d, t, z, gb, n, cols); return;
    case Activation::ReLU: delta_relu(d, t, z, gb, n, cols); return;
    case Activation::Sigmoid: delta_sigmoid(d, t, z, gb, n, cols); return;
    case Activation::Softplus: delta_softplus(d, t, z, gb, n, cols); return;
  }
  invalid_arg("activation_derivative",
              fmt::format("expected a known activation, got code {}", static_cast<int>(a)));
}

// ---------------------------------------------------------------------------------------------
// Losses, one column at a time. ce_column returns ℓ and, if g ≠ null, writes ∇_ŷ ℓ · gscale.

// ℓ = −Σ_j y_j log softmax(ŷ)_j = Σ_j y_j (log s − (ŷ_j − m)) with m = max_j ŷ_j and
// s = Σ_j e^{ŷ_j − m} ∈ [1, n]: no exponential overflows, m is never added back (so |ŷ| ~ 1e3
// costs no absolute accuracy), and each term is ≥ 0 when y ≥ 0.
// ∇ = softmax(ŷ)·Σ_j y_j − y with softmax_j = e^{ŷ_j − m}/s (sums to 1 to rounding).
inline double ce_column(const double* yh, const double* y, uword n, double* g, double gscale) {
  double m = yh[0];
  for (uword i = 1; i < n; ++i) m = std::max(m, yh[i]);
  double s = 0;
  for (uword i = 0; i < n; ++i) s += std::exp(yh[i] - m);
  const double log_s = std::log(s);
  double loss = 0, ysum = 0;
  for (uword i = 0; i < n; ++i) {
    loss += y[i] * (log_s - (yh[i] - m));
    ysum += y[i];
  }
  if (g != nullptr) {
    const double c = ysum / s;
    for (uword i = 0; i < n; ++i) g[i] = gscale * (std::exp(yh[i] - m) * c - y[i]);
  }
  return loss;
}

void check_loss_args(std::string_view fn, Loss loss, const arma::mat& Yhat, const arma::mat& Y) {
  require(loss == Loss::SquaredError || loss == Loss::SoftmaxCrossEntropy, fn,
          "expected a known loss, got code {}", static_cast<int>(loss));
  require(Yhat.n_rows == Y.n_rows && Yhat.n_cols == Y.n_cols, fn,
          "expected Yhat and Y of the same shape, got {}x{} and {}x{}", Yhat.n_rows, Yhat.n_cols, Y.n_rows,
          Y.n_cols);
  require(loss != Loss::SoftmaxCrossEntropy || Yhat.n_rows > 0 || Yhat.n_cols == 0, fn,
          "expected at least one output row for cross-entropy, got {}", Yhat.n_rows);
}

// Squared loss: Σ r² is accumulated in kLanes interleaved partial sums (so the loop vectorizes
// without reassociation flags; the order is fixed).
// z ← c·(z − y) with ∇b += z row-wise; returns Σ (z − y)².
NRC_SIMD_CLONES double squared_identity_delta(double* z, const double* y, double* __restrict gb, uword n,
                                              uword cols, double c) {
  vd acc{};
  double tail = 0;
  for (uword j = 0; j < cols; ++j, z += n, y += n) {
    uword i = 0;
    for (; i + kLanes <= n; i += kLanes) {
      vd r, yy, bb;
      loadv(r, z + i);
      loadv(yy, y + i);
      loadv(bb, gb + i);
      r -= yy;
      acc += r * r;
      r *= c;
      storev(z + i, r);
      bb += r;
      storev(gb + i, bb);
    }
    for (; i < n; ++i) {
      const double r = z[i] - y[i];
      tail += r * r;
      z[i] = c * r;
      gb[i] += z[i];
    }
  }
  return hsum(acc) + tail;
}
// t ← c·(z − y) over k entries; returns Σ (z − y)².
NRC_SIMD_CLONES double squared_residual(const double* z, const double* y, double* __restrict t, uword k,
                                        double c) {
  vd acc{};
  double tail = 0;
  uword i = 0;
  for (; i + kLanes <= k; i += kLanes) {
    vd r, yy;
    loadv(r, z + i);
    loadv(yy, y + i);
    r -= yy;
    acc += r * r;
    r *= c;
    storev(t + i, r);
  }
  for (; i < k; ++i) {
    const double r = z[i] - y[i];
    tail += r * r;
    t[i] = c * r;
  }
  return hsum(acc) + tail;
}

// ---------------------------------------------------------------------------------------------
// Argument checks shared by the entry points.

void check_net(std::string_view fn, const Mlp& net) {
  const uword L = net.W.size();
  require(L >= 1, fn, "expected a network with at least one layer, got {}", L);
  require(net.b.size() == L && net.act.size() == L, fn,
          "expected as many biases and activations as weight matrices ({}), got {} and {}", L, net.b.size(),
          net.act.size());
  for (uword l = 0; l < L; ++l) {
    const arma::mat& W = net.W[l];
    require(W.n_rows > 0 && W.n_cols > 0, fn, "expected a non-empty W_{}, got {}x{}", l + 1, W.n_rows,
            W.n_cols);
    require(net.b[l].n_elem == W.n_rows, fn, "expected b_{} of length {}, got {}", l + 1, W.n_rows,
            net.b[l].n_elem);
    require(l == 0 || W.n_cols == net.W[l - 1].n_rows, fn, "expected W_{} with {} columns, got {}", l + 1,
            l == 0 ? 0 : net.W[l - 1].n_rows, W.n_cols);
    const auto code = static_cast<int>(net.act[l]);
    require(code >= static_cast<int>(Activation::Identity) && code <= static_cast<int>(Activation::Softplus),
            fn, "expected a known activation for layer {}, got code {}", l + 1, code);
  }
}

void check_data(std::string_view fn, const Mlp& net, const arma::mat& X, const arma::mat& Y) {
  require(X.n_rows == net.input_dim(), fn, "expected X with {} rows (the input dimension), got {}",
          net.input_dim(), X.n_rows);
  require(Y.n_rows == net.output_dim(), fn, "expected Y with {} rows (the output dimension), got {}",
          net.output_dim(), Y.n_rows);
  require(X.n_cols == Y.n_cols, fn, "expected X and Y with the same number of columns, got {} and {}",
          X.n_cols, Y.n_cols);
}

// ---------------------------------------------------------------------------------------------
// Per-thread buffers of the fused path. At the paper's size they total ~220 MB; allocating them
// afresh costs ~2 µs per 4 KiB page in page faults here (~0.1 s per call), so a training loop
// keeps them. release_nn_workspace() gives the memory back.
struct Workspace {
  std::vector<arma::mat> Z;
  arma::mat scratch;
};
Workspace& workspace() {
  thread_local Workspace ws;
  return ws;
}

// ---------------------------------------------------------------------------------------------
// The fused path. Returns Σ_i ℓ_i and fills g with dscale·Σ_i ∇ℓ_i + 2λ(W_l, b_l).
double fused_loss_gradient(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y, double dscale,
                           double lambda, Gradient& g) {
  const uword L = net.depth();
  const uword N = X.n_cols;
  // Z[l] holds z^l (l = 1..L), later D_l. One scratch buffer holds ∇_ŷℓ, then each W_lᵀ D_l.
  // Both live in the thread's workspace: same shapes as the last call, no allocation.
  Workspace& ws = workspace();
  std::vector<arma::mat>& Z = ws.Z;
  if (Z.size() < L + 1) Z.resize(L + 1);
  for (uword l = L + 1; l < Z.size(); ++l) Z[l].reset();   // left over from a deeper network
  uword max_width = 0;
  for (uword l = 1; l <= L; ++l) {
    Z[l].set_size(net.W[l - 1].n_rows, N);
    max_width = std::max(max_width, net.W[l - 1].n_rows);
  }
  arma::mat& scratch = ws.scratch;
  scratch.set_size(max_width * N, 1);
  auto z = [&](uword l) -> const arma::mat& { return l == 0 ? X : Z[l]; };

  for (uword l = 1; l <= L; ++l) {
    Z[l] = net.W[l - 1] * z(l - 1);
    apply_activation(net.act[l - 1], Z[l].memptr(), net.b[l - 1].memptr(), Z[l].n_rows, N);
  }

  g.W.resize(L);
  g.b.resize(L);
  for (uword l = 0; l < L; ++l) {
    if (lambda > 0) {
      g.W[l] = (2.0 * lambda) * net.W[l];
      g.b[l] = (2.0 * lambda) * net.b[l];
    } else {
      g.W[l].zeros(net.W[l].n_rows, net.W[l].n_cols);
      g.b[l].zeros(net.b[l].n_elem);
    }
  }

  // D_L = dscale·∇_ŷℓ ∘ σ_L'(A_L), written over z^L (and ∇b_L accumulated in the same pass).
  double total = 0;
  arma::mat& ZL = Z[L];
  const uword out = ZL.n_rows;
  double* gbL = g.b[L - 1].memptr();
  if (loss == Loss::SquaredError && net.act[L - 1] == Activation::Identity) {
    total = squared_identity_delta(ZL.memptr(), Y.memptr(), gbL, out, N, 2.0 * dscale);
  } else {
    double* tp = scratch.memptr();
    if (loss == Loss::SquaredError) {
      total = squared_residual(ZL.memptr(), Y.memptr(), tp, out * N, 2.0 * dscale);
    } else {
      for (uword j = 0; j < N; ++j) total += ce_column(ZL.colptr(j), Y.colptr(j), out, tp + j * out, dscale);
    }
    delta_from_output(net.act[L - 1], ZL.memptr(), tp, ZL.memptr(), gbL, out, N);
  }

  for (uword l = L; l >= 1; --l) {
    const arma::mat& D = Z[l];
    g.W[l - 1] += D * z(l - 1).t();   // one GEMM with β = 1 (Armadillo's in-place plus)
    if (l == 1) break;
    const uword n = Z[l - 1].n_rows;
    arma::mat T(scratch.memptr(), n, N, false, true);
    T = net.W[l - 1].t() * D;
    delta_from_output(net.act[l - 2], Z[l - 1].memptr(), T.memptr(), Z[l - 1].memptr(), g.b[l - 2].memptr(), n,
                      N);
  }
  return total;
}

double penalty_of(const Mlp& net) {
  double p = 0;
  for (uword l = 0; l < net.depth(); ++l) p += arma::dot(net.W[l], net.W[l]) + arma::dot(net.b[l], net.b[l]);
  return p;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string_view name(Activation a) {
  switch (a) {
    case Activation::Identity: return "identity";
    case Activation::Tanh: return "tanh";
    case Activation::ReLU: return "relu";
    case Activation::Sigmoid: return "sigmoid";
    case Activation::Softplus: return "softplus";
  }
  invalid_arg("name", fmt::format("expected a known activation, got code {}", static_cast<int>(a)));
}

std::string_view name(Loss l) {
  switch (l) {
    case Loss::SquaredError: return "squared";
    case Loss::SoftmaxCrossEntropy: return "cross_entropy";
  }
  invalid_arg("name", fmt::format("expected a known loss, got code {}", static_cast<int>(l)));
}

Activation parse_activation(std::string_view s) {
  for (Activation a : {Activation::Identity, Activation::Tanh, Activation::ReLU, Activation::Sigmoid,
                       Activation::Softplus})
    if (name(a) == s) return a;
  invalid_arg("parse_activation",
              fmt::format("expected one of identity, tanh, relu, sigmoid, softplus, got \"{}\"", s));
}

Loss parse_loss(std::string_view s) {
  for (Loss l : {Loss::SquaredError, Loss::SoftmaxCrossEntropy})
    if (name(l) == s) return l;
  invalid_arg("parse_loss", fmt::format("expected one of squared, cross_entropy, got \"{}\"", s));
}

arma::mat activate(Activation a, const arma::mat& A) {
  arma::mat Z = A;
  apply_activation(a, Z.memptr(), nullptr, Z.n_rows, Z.n_cols);
  return Z;
}

arma::mat activation_derivative(Activation a, const arma::mat& A) {
  arma::mat S(A.n_rows, A.n_cols, arma::fill::none);
  const double* ap = A.memptr();
  double* sp = S.memptr();
  const uword n = A.n_elem;
  switch (a) {
    case Activation::Identity: S.ones(); return S;
    case Activation::Tanh:
      S = A;
      apply_activation(a, S.memptr(), nullptr, S.n_rows, S.n_cols);
      for (uword k = 0; k < n; ++k) sp[k] = 1.0 - sp[k] * sp[k];
      return S;
    case Activation::ReLU:
      for (uword k = 0; k < n; ++k) sp[k] = ap[k] > 0.0 ? 1.0 : 0.0;
      return S;
    case Activation::Sigmoid:
      for (uword k = 0; k < n; ++k) {
        const double s = sigmoid(ap[k]);
        sp[k] = s * (1.0 - s);
      }
      return S;
    case Activation::Softplus:
      for (uword k = 0; k < n; ++k) sp[k] = sigmoid(ap[k]);
      return S;
  }
  invalid_arg("activation_derivative",
              fmt::format("expected a known activation, got code {}", static_cast<int>(a)));
}

// From the first derivatives (no second copy of their kernels): tanh'' = −2 tanh·tanh',
// sigmoid'' = sigmoid'·(1 − 2 sigmoid), softplus'' = sigmoid'.
arma::mat activation_second_derivative(Activation a, const arma::mat& A) {
  switch (a) {
    case Activation::Identity:
    case Activation::ReLU: return arma::zeros(A.n_rows, A.n_cols);
    case Activation::Tanh: return -2.0 * activate(a, A) % activation_derivative(a, A);
    case Activation::Sigmoid: return activation_derivative(a, A) % (1.0 - 2.0 * activate(a, A));
    case Activation::Softplus: return activation_derivative(Activation::Sigmoid, A);
  }
  invalid_arg("activation_second_derivative",
              fmt::format("expected a known activation, got code {}", static_cast<int>(a)));
}

arma::uword Mlp::input_dim() const {
  require(!W.empty(), "Mlp::input_dim", "expected a network with at least one layer, got 0");
  return W.front().n_cols;
}

arma::uword Mlp::output_dim() const {
  require(!W.empty(), "Mlp::output_dim", "expected a network with at least one layer, got 0");
  return W.back().n_rows;
}

arma::uword Mlp::parameter_count() const {
  uword p = 0;
  for (const auto& w : W) p += w.n_elem;
  for (const auto& v : b) p += v.n_elem;
  return p;
}

Mlp make_mlp(const std::vector<arma::uword>& widths, const std::vector<Activation>& acts, Engine& rng,
             double scale, double bias_scale) {
  constexpr std::string_view fn = "make_mlp";
  require(widths.size() >= 2, fn, "expected at least 2 widths {{d, n_1, …}}, got {}", widths.size());
  for (std::size_t l = 0; l < widths.size(); ++l)
    require(widths[l] > 0, fn, "expected positive widths, got widths[{}] = 0", l);
  require(acts.size() == widths.size() - 1, fn, "expected {} activations (one per layer), got {}",
          widths.size() - 1, acts.size());
  require(std::isfinite(scale) && scale >= 0, fn, "expected a finite scale ≥ 0, got {}", scale);
  require(std::isfinite(bias_scale) && bias_scale >= 0, fn, "expected a finite bias_scale ≥ 0, got {}",
          bias_scale);
  double parameters = 0;
  for (std::size_t l = 1; l < widths.size(); ++l)
    parameters += static_cast<double>(widths[l]) * (static_cast<double>(widths[l - 1]) + 1);
  require_memory(parameters, fn, fmt::format("a network of {:.4g} parameters", parameters));
  Mlp net;
  net.act = acts;
  // Draw order W_1, b_1, W_2, b_2, … (each column by column), whatever the scales.
  for (std::size_t l = 1; l < widths.size(); ++l) {
    net.W.push_back(randn(widths[l], widths[l - 1], rng) * (scale / std::sqrt(double(widths[l - 1]))));
    net.b.push_back(arma::vec(randn(widths[l], 1, rng) * bias_scale));
  }
  check_net(fn, net);   // rejects unknown activation codes
  return net;
}

Forward forward(const Mlp& net, const arma::mat& X) {
  check_net("forward", net);
  require(X.n_rows == net.input_dim(), "forward", "expected X with {} rows (the input dimension), got {}",
          net.input_dim(), X.n_rows);
  const uword L = net.depth();
  Forward fw;
  fw.Z.resize(L + 1);
  fw.A.resize(L);
  fw.Z[0] = X;
  for (uword l = 1; l <= L; ++l) {
    arma::mat& A = fw.A[l - 1];
    A = net.W[l - 1] * fw.Z[l - 1];
    A.each_col() += net.b[l - 1];
    fw.Z[l] = A;
    apply_activation(net.act[l - 1], fw.Z[l].memptr(), nullptr, A.n_rows, A.n_cols);
  }
  return fw;
}

double loss_sum(Loss loss, const arma::mat& Yhat, const arma::mat& Y) {
  check_loss_args("loss_sum", loss, Yhat, Y);
  if (loss == Loss::SquaredError) {
    double s = 0;
    const double* a = Yhat.memptr();
    const double* y = Y.memptr();
    for (uword k = 0; k < Y.n_elem; ++k) s += (a[k] - y[k]) * (a[k] - y[k]);
    return s;
  }
  double s = 0;
  for (uword j = 0; j < Y.n_cols; ++j) s += ce_column(Yhat.colptr(j), Y.colptr(j), Y.n_rows, nullptr, 1.0);
  return s;
}

arma::mat loss_gradient(Loss loss, const arma::mat& Yhat, const arma::mat& Y) {
  check_loss_args("loss_gradient", loss, Yhat, Y);
  arma::mat G(Y.n_rows, Y.n_cols, arma::fill::none);
  if (loss == Loss::SquaredError) {
    const double* a = Yhat.memptr();
    const double* y = Y.memptr();
    double* gp = G.memptr();
    for (uword k = 0; k < Y.n_elem; ++k) gp[k] = 2.0 * (a[k] - y[k]);
  } else {
    for (uword j = 0; j < Y.n_cols; ++j) ce_column(Yhat.colptr(j), Y.colptr(j), Y.n_rows, G.colptr(j), 1.0);
  }
  return G;
}

std::vector<arma::mat> backprop_deltas(const Mlp& net, const Forward& fw, const arma::mat& dYhat) {
  constexpr std::string_view fn = "backprop_deltas";
  check_net(fn, net);
  const uword L = net.depth();
  require(fw.Z.size() == L + 1 && fw.A.size() == L, fn,
          "expected a Forward with {} Z and {} A matrices, got {} and {}", L + 1, L, fw.Z.size(), fw.A.size());
  const uword N = fw.Z[0].n_cols;
  for (uword l = 1; l <= L; ++l)
    require(fw.A[l - 1].n_rows == net.W[l - 1].n_rows && fw.A[l - 1].n_cols == N, fn,
            "expected A_{} of shape {}x{}, got {}x{}", l, net.W[l - 1].n_rows, N, fw.A[l - 1].n_rows,
            fw.A[l - 1].n_cols);
  require(dYhat.n_rows == net.output_dim() && dYhat.n_cols == N, fn, "expected dYhat of shape {}x{}, got {}x{}",
          net.output_dim(), N, dYhat.n_rows, dYhat.n_cols);
  std::vector<arma::mat> D(L);
  D[L - 1] = dYhat % activation_derivative(net.act[L - 1], fw.A[L - 1]);
  for (uword l = L - 1; l >= 1; --l) {
    D[l - 1] = net.W[l].t() * D[l];
    D[l - 1] %= activation_derivative(net.act[l - 1], fw.A[l - 1]);
  }
  return D;
}

Gradient gradient_from_deltas(const Forward& fw, const std::vector<arma::mat>& D) {
  constexpr std::string_view fn = "gradient_from_deltas";
  const uword L = D.size();
  require(fw.Z.size() == L + 1, fn, "expected a Forward with {} Z matrices (one more than deltas), got {}",
          L + 1, fw.Z.size());
  Gradient g;
  g.W.resize(L);
  g.b.resize(L);
  for (uword l = 0; l < L; ++l) {
    require(D[l].n_cols == fw.Z[l].n_cols, fn, "expected D_{} with {} columns, got {}", l + 1, fw.Z[l].n_cols,
            D[l].n_cols);
    g.W[l] = D[l] * fw.Z[l].t();
    g.b[l] = arma::sum(D[l], 1);
  }
  return g;
}

Gradient sum_loss_gradient(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y) {
  constexpr std::string_view fn = "sum_loss_gradient";
  check_net(fn, net);
  check_data(fn, net, X, Y);
  require(loss == Loss::SquaredError || loss == Loss::SoftmaxCrossEntropy, fn, "expected a known loss, got code {}",
          static_cast<int>(loss));
  Gradient g;
  fused_loss_gradient(net, loss, X, Y, 1.0, 0.0, g);
  return g;
}

namespace {
// The preconditions of L_λ and its derivatives (regularized_loss, hessian_vector_product).
void check_regularized_args(std::string_view fn, const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y,
                            double lambda) {
  check_net(fn, net);
  check_data(fn, net, X, Y);
  require(X.n_cols > 0, fn, "expected N ≥ 1 samples, got 0");
  require(std::isfinite(lambda) && lambda >= 0, fn, "expected a finite λ ≥ 0, got {}", lambda);
  require(loss == Loss::SquaredError || loss == Loss::SoftmaxCrossEntropy, fn, "expected a known loss, got code {}",
          static_cast<int>(loss));
}
}  // namespace

LossAndGradient regularized_loss(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y,
                                 double lambda) {
  constexpr std::string_view fn = "regularized_loss";
  check_regularized_args(fn, net, loss, X, Y, lambda);
  LossAndGradient r;
  const double N = static_cast<double>(X.n_cols);
  r.data_loss = fused_loss_gradient(net, loss, X, Y, 1.0 / N, lambda, r.grad) / N;
  r.penalty = penalty_of(net);
  r.value = r.data_loss + lambda * r.penalty;
  return r;
}

HessianOperator::HessianOperator(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y, double lambda)
    : net_(net), loss_(loss), X_(X), Y_(Y), lambda_(lambda) {
  check_regularized_args("HessianOperator", net, loss, X, Y, lambda);
  refresh();
}

void HessianOperator::rebind(const arma::vec& theta) {
  unflatten(net_, theta);
  refresh();
}

// The pass at Θ into the kept buffers. z^l = σ(A_l) + bias folded in (apply_activation), so the
// tanh derivatives come from z^l itself: σ' = 1 − z², σ'' = −2zσ'; the others from A_l.
void HessianOperator::refresh() {
  const uword L = net_.depth();
  Z_.resize(L + 1);
  S1_.resize(L);
  S2T_.resize(L);
  D_.resize(L);
  A_.resize(L);
  Z_[0] = X_;
  for (uword l = 1; l <= L; ++l) {
    const Activation a = net_.act[l - 1];
    Z_[l] = net_.W[l - 1] * Z_[l - 1];
    if (a == Activation::Tanh || a == Activation::Identity) {
      apply_activation(a, Z_[l].memptr(), net_.b[l - 1].memptr(), Z_[l].n_rows, Z_[l].n_cols);
    } else {
      Z_[l].each_col() += net_.b[l - 1];
      A_[l - 1] = Z_[l];
      apply_activation(a, Z_[l].memptr(), nullptr, Z_[l].n_rows, Z_[l].n_cols);
    }
  }
  const arma::mat& Yhat = Z_[L];
  arma::mat T = loss_gradient(loss_, Yhat, Y_);
  if (loss_ == Loss::SoftmaxCrossEntropy) {
    softmax_ = Yhat;   // shifted by the column max
    softmax_.each_row() -= arma::max(softmax_, 0);
    softmax_ = arma::exp(softmax_);
    softmax_.each_row() /= arma::sum(softmax_, 0);
    label_mass_ = arma::sum(Y_, 0);
  }
  for (uword l = L; l >= 1; --l) {
    const Activation a = net_.act[l - 1];
    switch (a) {
      case Activation::Identity:
        S1_[l - 1].ones(T.n_rows, T.n_cols);
        S2T_[l - 1].zeros(T.n_rows, T.n_cols);
        break;
      case Activation::Tanh:
        S1_[l - 1] = 1.0 - arma::square(Z_[l]);
        S2T_[l - 1] = -2.0 * (Z_[l] % S1_[l - 1] % T);
        break;
      default:
        S1_[l - 1] = activation_derivative(a, A_[l - 1]);
        S2T_[l - 1] = activation_second_derivative(a, A_[l - 1]) % T;
        break;
    }
    D_[l - 1] = S1_[l - 1] % T;
    if (l > 1) T = net_.W[l - 1].t() * D_[l - 1];
  }
}

arma::vec HessianOperator::apply(const arma::vec& v) const {
  require(v.n_elem == size(), "HessianOperator", "expected a direction of {} entries (the parameters), got {}", size(),
          v.n_elem);
  const uword L = net_.depth();
  const double N = static_cast<double>(X_.n_cols);
  // The direction's V_l, c_l and the result's parts as views into v and hv (flatten's layout): no
  // copies. R-values go to buffers kept between calls (fresh N×n_l temporaries cost more in page
  // faults than the GEMMs at the sizes here).
  arma::vec hv(v.n_elem, arma::fill::none);
  std::vector<arma::mat> V, HW;
  std::vector<arma::vec> c, hb;
  V.reserve(L), HW.reserve(L), c.reserve(L), hb.reserve(L);
  uword k = 0;
  for (uword l = 0; l < L; ++l) {
    const uword r = net_.W[l].n_rows, q = net_.W[l].n_cols;
    V.emplace_back(const_cast<double*>(v.memptr()) + k, r, q, false, true);
    HW.emplace_back(hv.memptr() + k, r, q, false, true);
    k += r * q;
    c.emplace_back(const_cast<double*>(v.memptr()) + k, r, false, true);
    hb.emplace_back(hv.memptr() + k, r, false, true);
    k += r;
  }
  RA_.resize(L);
  RZ_.resize(L + 1);
  RT_.resize(L + 1);
  // Forward: R{A_l} and R{z^l} (R{z^0} = 0).
  for (uword l = 1; l <= L; ++l) {
    RA_[l - 1] = V[l - 1] * Z_[l - 1];
    if (l > 1) RA_[l - 1] += net_.W[l - 1] * RZ_[l - 1];
    RA_[l - 1].each_col() += c[l - 1];
    RZ_[l] = S1_[l - 1] % RA_[l - 1];
  }
  // Output: R{T_L}.
  if (loss_ == Loss::SquaredError) {
    RT_[L] = 2.0 * RZ_[L];
  } else {
    RT_[L] = softmax_ % RZ_[L];
    RT_[L] -= softmax_.each_row() % arma::sum(RT_[L], 0);
    RT_[L].each_row() %= label_mass_;
  }
  // Backward: R{D_l} overwrites R{A_l}, no longer needed.
  for (uword l = L; l >= 1; --l) {
    arma::mat& RD = RA_[l - 1];
    RD = S2T_[l - 1] % RD + S1_[l - 1] % RT_[l];
    HW[l - 1] = RD * Z_[l - 1].t();
    if (l > 1) HW[l - 1] += D_[l - 1] * RZ_[l - 1].t();
    HW[l - 1] *= 1 / N;
    HW[l - 1] += 2 * lambda_ * V[l - 1];
    hb[l - 1] = arma::sum(RD, 1) / N + 2 * lambda_ * c[l - 1];
    if (l > 1) {
      RT_[l - 1] = V[l - 1].t() * D_[l - 1];
      RT_[l - 1] += net_.W[l - 1].t() * RD;
    }
  }
  return hv;
}

arma::vec hessian_vector_product(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y, double lambda,
                                 const arma::vec& v) {
  return HessianOperator(net, loss, X, Y, lambda).apply(v);
}

void release_nn_workspace() {
  Workspace& ws = workspace();
  ws.Z.clear();
  ws.Z.shrink_to_fit();
  ws.scratch.reset();
}

arma::mat weight_product(const Mlp& net) {
  require(net.depth() >= 1, "weight_product", "expected a network of depth ≥ 1, got none");
  arma::mat P = net.W[0];
  for (arma::uword l = 1; l < net.depth(); ++l) P = net.W[l] * P;
  return P;
}

arma::vec flatten(const Mlp& net) {
  check_net("flatten", net);
  arma::vec theta(net.parameter_count(), arma::fill::none);
  uword k = 0;
  for (uword l = 0; l < net.W.size(); ++l) {
    std::copy(net.W[l].begin(), net.W[l].end(), theta.begin() + k);
    k += net.W[l].n_elem;
    std::copy(net.b[l].begin(), net.b[l].end(), theta.begin() + k);
    k += net.b[l].n_elem;
  }
  return theta;
}

arma::vec flatten(const Gradient& g) {
  require(g.W.size() == g.b.size(), "flatten", "expected as many bias as weight gradients, got {} and {}",
          g.b.size(), g.W.size());
  uword p = 0;
  for (uword l = 0; l < g.W.size(); ++l) p += g.W[l].n_elem + g.b[l].n_elem;
  arma::vec theta(p, arma::fill::none);
  uword k = 0;
  for (uword l = 0; l < g.W.size(); ++l) {
    std::copy(g.W[l].begin(), g.W[l].end(), theta.begin() + k);
    k += g.W[l].n_elem;
    std::copy(g.b[l].begin(), g.b[l].end(), theta.begin() + k);
    k += g.b[l].n_elem;
  }
  return theta;
}

void unflatten(Mlp& net, const arma::vec& theta) {
  constexpr std::string_view fn = "unflatten";
  check_net(fn, net);
  require(theta.n_elem == net.parameter_count(), fn, "expected a vector of length {} (the parameter count), got {}",
          net.parameter_count(), theta.n_elem);
  uword k = 0;
  for (uword l = 0; l < net.W.size(); ++l) {
    std::copy(theta.begin() + k, theta.begin() + k + net.W[l].n_elem, net.W[l].begin());
    k += net.W[l].n_elem;
    std::copy(theta.begin() + k, theta.begin() + k + net.b[l].n_elem, net.b[l].begin());
    k += net.b[l].n_elem;
  }
}

}  // namespace nrc
