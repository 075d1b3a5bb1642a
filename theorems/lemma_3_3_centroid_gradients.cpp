// Lemma 3.3 (centroid-based gradients approximate full gradients): the measurement shared with
// thm_3_4, and the check lemma_3_3.
//
// Setting. Fix j < l ≤ L and a partition C = {C_k} of the samples. f_j(Θ_j, z) is the network from
// layer j+1 on, applied to a layer-j vector z (j = 0: the input). For a point p = (z, y) of the
// stacked layer-j data let
//     G(p) := ∇_{W_l} ℓ(f_j(Θ_j, z), y) = δ_l(p) z^{l−1}(p)ᵀ        (a rank-one n_l × n_{l−1} matrix),
// δ_l the backpropagated delta of layer l for this one sample. With the centroids c_k = (z̄_k, ȳ_k),
// π_k = N_k/N and L_0 = (1/N) Σ_i ℓ (eq. 3):
//     ∇_{W_l}L_0 = (1/N) Σ_i G(p_i),   ∇_{W_l}L_0^{j,C} = Σ_k π_k G(c_k)           (eq. 8, λ = 0)
//     R := ∇_{W_l}L_0 − ∇_{W_l}L_0^{j,C} = (1/N) Σ_k Σ_{i∈C_k} (G(p_i) − G(c_k)).
// Taylor with integral remainder along the segment h_i(t) := G(c_k + tδ_i), δ_i := p_i − c_k:
//     G(p_i) − G(c_k) = h_i'(0) + R_i,   R_i = ∫_0^1 (1 − t) h_i''(t) dt,   h_i''(t) = D²G(c_k + tδ_i)[δ_i, δ_i].
// Σ_{i∈C_k} h_i'(0) = DG(c_k)[Σ_{i∈C_k} δ_i] = 0 (definition of the centroid), so R = (1/N) Σ_i R_i and
//     ‖R‖ ≤ (1/N) Σ_i ‖R_i‖ ≤ (1/N) Σ_i ½ max_{t∈[0,1]} ‖h_i''(t)‖            ("pointwise", "taylor")
//         ≤ ½ M_{l,j}(Θ, C) · (1/N) Σ_i ‖δ_i‖² = ½ M_{l,j}(Θ, C) · WCSS_j(C)      (eq. 6)
// with M_{l,j}(Θ, C) = sup_k sup_{p∈H_k} ‖D²G(p)‖, the norm of the symmetric bilinear map D²G(p) into
// (matrices, Frobenius) — which equals sup_{‖u‖=1} ‖D²G(p)[u, u]‖ (a Hilbert-space-valued symmetric
// bilinear map attains its norm on the diagonal: apply the scalar case to ⟨w, D²G[·,·]⟩, ‖w‖ = 1).
// The lemma states ‖R‖ ≤ M·WCSS; its proof (Appendix A.3) gives ½M·WCSS: the statement drops the ½.
//
// What is computed (all in double):
//  * R exactly as written, from one batched forward/backward pass over the samples and one over the
//    centroids: R = (1/N)(D Zᵀ − D_c diag(N_k) Z_cᵀ). R_err = (γ_N + ρ)(S + S_c), S = (1/N)Σ‖d̃_i‖‖z_i‖,
//    S_c = Σ π_k‖d̃_k‖‖z_k‖ — γ_N for the GEMMs (Higham Thm 3.5), ρ := γ_{4L(w+2)} (w the widest layer)
//    a first-order estimate of the relative error of a forward/backward pass, relative to the size of
//    the terms it adds: d̃ = delta_term_sizes ≥ |d| (header file) — because ∂ℓ/∂ŷ cancels at a good fit,
//    and σ' where a unit saturates, while their rounding does not (a trained linear layer on tight
//    clusters has ‖d‖ ~ σ but rounding ~ u(|Wx| + |b| + |y|)). The stencils' rounding terms below use
//    the same sizes: max‖h‖ stands for max‖d̃‖‖z‖. An estimate, not a proof.
//  * h_i''(t_m) on the grid t_m = m/(T−1) by the five-point rule (Richardson on central differences)
//      h'' ≈ (−h(t−s) + 16h(t−s/2) − 30h(t) + 16h(t+s/2) − h(t+s)) / (3s²),   s := η/‖δ_i‖
//    (a step η in (z, y) space), error estimate ‖D_{s/2} − D_s‖/3 (the plain central differences with
//    steps s/2, s) + (64/3)ρ·max‖h‖/s² (rounding). h_i'(0) by the four-point first-derivative rule
//    (Richardson on central differences), error estimate ‖D¹_{s/2} − D¹_s‖/3 + 3ρ·max‖h‖/s (rounding).
//    taylor := (1/N) Σ_i ½ max_m ‖h_i''(t_m)‖, a sampled maximum (T = 17 points); taylor_err the
//    matching sum of error estimates (the error of a maximum is at most the largest error). pointwise
//    := (1/N) Σ ‖h_i(1) − h_i(0) − h_i'(0)‖, pointwise_err := (1/N) Σ (error of h_i'(0) + 2ρ·max‖h‖ + the
//    effect of fl(c_k + δ_i) ≠ p_i), so that ‖R‖ ≤ pointwise + pointwise_err + R_err (triangle inequality).
//  * M_est: the largest ‖D²G(p)[u, u]‖ over (a) the segment grid points with u = δ_i/‖δ_i‖ and (b)
//    random points of each hull H_k (Dirichlet(1) weights of the block's points) × random unit u.
//    A sampled supremum: M_{l,j}(Θ, C) ≥ M_est (up to the FD error M_err, the largest error estimate
//    of the stencils it is the maximum of). M_global_est adds random points of the hull of all samples,
//    H^j (Theorem 3.4's M_{l,j}(Θ)), with M_global_err likewise. WCSS is (1/N)Σ‖δ_i‖² of the same δ_i
//    the segments use, so (a) makes taylor ≤ ½·M_est·WCSS hold up to the rounding of these sums
//    (relative γ_{N+4}: each ‖h_i''‖ ≤ M̂‖δ_i‖²(1 + u), then two sums of N terms and two products).
//
// Check lemma_3_3 (a random network: the lemma holds for any Θ; C² activations only — identity,
// tanh, sigmoid, softplus — since ReLU's G is not C²): Gaussian-mixture inputs (K blobs, σ drawn),
// targets ȳ_k + σ·noise (squared loss) or a per-blob probability vector (cross-entropy); partition =
// the generating blobs or k-means (K blocks) on the stacked layer-j data. For every pair (l, j):
//     lhs = ‖R‖ ≤ rhs = taylor,  err = R_err + taylor_err,   worst pair decides.
// Recorded as well: ‖R‖/pointwise (≤ 1 by the triangle inequality) and the statement's ratio
// ‖R‖/(M_est·WCSS) — "estimated": M_est ≤ M, so a value ≤ 1 proves the statement on that instance
// and a value > 1 would be suggestive only. By the ½, it cannot exceed ½ + FD error.
//
// Known answer (property_tests/lemma_3_3_test.cpp): one linear layer, squared loss, j = 0, l = 1:
// G(x, y) = 2(Wx + b − y)xᵀ, h'' ≡ 4(Wδ_x − δ_y)δ_xᵀ, so R = (2/N) Σ_i (Wδ_x,i − δ_y,i)δ_x,iᵀ exactly and
// the Taylor bound is (2/N) Σ_i ‖Wδ_x,i − δ_y,i‖‖δ_x,i‖; a two-point block (δ, −δ) makes them equal.
#include "theorems/lemma_3_3_centroid_gradients.hpp"

#include <algorithm>
#include <cmath>

#include "lib/cluster/cluster.hpp"
#include "lib/common/error.hpp"
#include "lib/data/gaussian_mixture.hpp"
#include "theorems/network_instances.hpp"
#include "theorems/params.hpp"
#include "theorems/registry.hpp"
#include "theorems/tolerances.hpp"

namespace nrc::lemma_3_3 {

namespace {

// The network from layer j+1 on.
Mlp tail(const Mlp& net, arma::uword j) {
  Mlp s;
  s.W.assign(net.W.begin() + static_cast<std::ptrdiff_t>(j), net.W.end());
  s.b.assign(net.b.begin() + static_cast<std::ptrdiff_t>(j), net.b.end());
  s.act.assign(net.act.begin() + static_cast<std::ptrdiff_t>(j), net.act.end());
  return s;
}

// Per-column factors of G at the points P = [z; y] (columns): for the tail's layer m (global layer
// l = j + m + 1), G(P.col(i)) = D[m].col(i) · Z[m].col(i)ᵀ. Dt[m] ≥ |D[m]| entrywise is the size of
// the terms D is computed from — the scale of its rounding (delta_term_sizes).
struct Factors {
  std::vector<arma::mat> D, Z, Dt;
};
arma::mat derivative_term_sizes(Activation act, const arma::mat& A);
Factors factors(const Mlp& sub, Loss loss, const arma::mat& P, arma::uword nz) {
  const Forward fw = forward(sub, P.rows(0, nz - 1));
  const arma::mat Y = P.rows(nz, P.n_rows - 1);
  Factors f;
  f.D = backprop_deltas(sub, fw, loss_gradient(loss, fw.Z.back(), Y));
  f.Z.assign(fw.Z.begin(), fw.Z.end() - 1);
  f.Dt = delta_term_sizes(sub, fw, loss, Y);
  return f;
}

// The size of the terms σ'(A) is computed from (header of delta_term_sizes).
arma::mat derivative_term_sizes(Activation act, const arma::mat& A) {
  switch (act) {
    case Activation::Tanh: return 1 + arma::square(activate(Activation::Tanh, A));
    case Activation::Sigmoid: {
      const arma::mat s = activate(Activation::Sigmoid, A);
      return s + arma::square(s);
    }
    case Activation::Softplus: return activate(Activation::Sigmoid, A);
    default: return arma::abs(activation_derivative(act, A));   // identity: 1; ReLU: 0 or 1 (exact)
  }
}

// The five evaluation offsets of every finite-difference stencil, in units of the step.
constexpr double kOffsets[5] = {-1.0, -0.5, 0.0, 0.5, 1.0};

struct Stencil {
  arma::mat d2, d1;        // second and first derivative (Richardson)
  double d2_err = 0;       // error estimate of d2
  double d1_err = 0;       // error estimate of d1
  double hmax = 0;         // largest size of h's terms over the five points (the rounding terms' scale)
  arma::mat h0;            // value at the centre
};

// Columns a..a+4 of (D, Z) hold G at the offsets kOffsets·s around a centre; Dt the sizes of D's terms.
Stencil stencil(const arma::mat& D, const arma::mat& Dt, const arma::mat& Z, arma::uword a, double s, double rho) {
  arma::mat h[5];
  double hmax = 0;
  for (arma::uword o = 0; o < 5; ++o) {
    h[o] = D.col(a + o) * Z.col(a + o).t();
    hmax = std::max(hmax, arma::norm(Dt.col(a + o)) * arma::norm(Z.col(a + o)));   // ‖d̃ zᵀ‖_F = ‖d̃‖‖z‖
  }
  const arma::mat ds = (h[4] - 2 * h[2] + h[0]) / (s * s);
  const arma::mat dh = (h[3] - 2 * h[2] + h[1]) / (s * s / 4);
  Stencil r;
  r.d2 = (4 * dh - ds) / 3;
  r.d2_err = arma::norm(dh - ds, "fro") / 3 + 64.0 / 3 * rho * hmax / (s * s);
  const arma::mat d1s = (h[4] - h[0]) / (2 * s), d1h = (h[3] - h[1]) / s;
  r.d1 = (4 * d1h - d1s) / 3;
  // Rounding: each h carries ≤ ρ·hmax, so (4·d1h − d1s)/3 carries ≤ (4·2/s + 2/(2s))ρ·hmax/3 = 3ρ·hmax/s.
  r.d1_err = arma::norm(d1h - d1s, "fro") / 3 + 3 * rho * hmax / s;
  r.hmax = hmax;
  r.h0 = h[2];
  return r;
}

// Columns p + off·s·u for the five offsets, appended at column `at` of Q.
void put_stencil(arma::mat& Q, arma::uword at, const arma::vec& p, const arma::vec& u, double s) {
  for (arma::uword o = 0; o < 5; ++o) Q.col(at + o) = p + kOffsets[o] * s * u;
}

// A random point of the convex hull of the columns of P indexed by `members` (Dirichlet(1) weights).
arma::vec hull_point(const arma::mat& P, const arma::uvec& members, Engine& rng) {
  std::exponential_distribution<double> e(1.0);
  arma::vec w(members.n_elem);
  for (auto& x : w) x = e(rng);
  return P.cols(members) * (w / arma::accu(w));
}

arma::vec random_direction(arma::uword n, Engine& rng) {
  arma::vec u = randn(n, 1, rng);
  const double nu = arma::norm(u);
  return nu > 0 ? arma::vec(u / nu) : arma::vec(arma::ones(n) / std::sqrt(static_cast<double>(n)));
}

}  // namespace

std::vector<arma::mat> delta_term_sizes(const Mlp& net, const Forward& fw, Loss loss, const arma::mat& Y) {
  const arma::uword L = net.depth();
  arma::mat a_terms = arma::abs(net.W[L - 1]) * arma::abs(fw.Z[L - 1]);
  a_terms.each_col() += arma::abs(net.b[L - 1]);
  const arma::mat yhat_terms = arma::abs(fw.Z.back()) + derivative_term_sizes(net.act[L - 1], fw.A[L - 1]) % a_terms;
  arma::mat T;
  if (loss == Loss::SquaredError) {
    T = 2 * (yhat_terms + arma::abs(Y));
  } else {   // softmax·Σy − y: terms softmax·Σy + |y|, and ŷ's rounding moves it by ≤ Σ|y|·max|δŷ|
    T = arma::abs(loss_gradient(loss, fw.Z.back(), Y)) + 2 * arma::abs(Y);
    const arma::rowvec shift = arma::sum(arma::abs(Y), 0) % arma::max(yhat_terms, 0);
    T.each_row() += shift;
  }
  std::vector<arma::mat> Dt(L);
  Dt[L - 1] = T % derivative_term_sizes(net.act[L - 1], fw.A[L - 1]);
  for (arma::uword l = L - 1; l >= 1; --l)
    Dt[l - 1] = (arma::abs(net.W[l]).t() * Dt[l]) % derivative_term_sizes(net.act[l - 1], fw.A[l - 1]);
  return Dt;
}

arma::mat layer_data(const Mlp& net, const arma::mat& X, arma::uword j) {
  require(j <= net.depth(), "lemma_3_3::layer_data", "j = {} > depth {}", j, net.depth());
  if (j == 0) return X;
  Mlp head;
  head.W.assign(net.W.begin(), net.W.begin() + static_cast<std::ptrdiff_t>(j));
  head.b.assign(net.b.begin(), net.b.begin() + static_cast<std::ptrdiff_t>(j));
  head.act.assign(net.act.begin(), net.act.begin() + static_cast<std::ptrdiff_t>(j));
  return forward(head, X).Z.back();
}

std::vector<PairMeasure> measure(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y,
                                 arma::uword j, const arma::uvec& labels, Engine& rng, const Options& o) {
  const char* fn = "lemma_3_3::measure";
  const arma::uword L = net.depth(), N = X.n_cols;
  require(j < L, fn, "expected a data layer j < depth {}, got j = {}", L, j);
  require(N > 0 && Y.n_cols == N && labels.n_elem == N, fn,
          "expected X, Y and labels with the same number of samples, got {}, {}, {}", N, Y.n_cols, labels.n_elem);
  require(X.n_rows == net.input_dim() && Y.n_rows == net.output_dim(), fn,
          "expected X with {} rows and Y with {} rows, got {} and {}", net.input_dim(), net.output_dim(), X.n_rows,
          Y.n_rows);
  require(o.grid >= 2 && o.step > 0, fn, "expected grid ≥ 2 and step > 0");

  const arma::mat Zj = layer_data(net, X, j);
  const Mlp sub = tail(net, j);
  const arma::uword nz = Zj.n_rows, dim = nz + Y.n_rows, pairs = L - j, T = o.grid;
  const arma::mat P = stack_points(Zj, Y);

  // Blocks of the partition: compact indices, members, centroids.
  const arma::uvec ids = arma::unique(labels);
  const arma::uword B = ids.n_elem;
  std::vector<arma::uvec> members(B);
  arma::uvec block(N);
  arma::mat C(dim, B);
  arma::vec counts(B);
  for (arma::uword k = 0; k < B; ++k) {
    members[k] = arma::find(labels == ids(k));
    block.elem(members[k]).fill(k);
    C.col(k) = arma::mean(P.cols(members[k]), 1);
    counts(k) = static_cast<double>(members[k].n_elem);
  }

  arma::uword widest = Y.n_rows;
  for (const auto& W : net.W) widest = std::max({widest, W.n_rows, W.n_cols});
  const double rho = tol::gamma(4 * L * (widest + 2));
  const double eta = o.step;

  // Segment stencils: sample i, grid point m → columns 5(iT + m) … +4.
  arma::mat Q(dim, N * T * 5);
  arma::vec delta_norm(N), s_of(N);
  for (arma::uword i = 0; i < N; ++i) {
    const arma::vec c = C.col(block(i));
    const arma::vec delta = P.col(i) - c;
    delta_norm(i) = arma::norm(delta);
    s_of(i) = delta_norm(i) > 0 ? eta / delta_norm(i) : 1.0;
    for (arma::uword m = 0; m < T; ++m) {
      const double t = static_cast<double>(m) / static_cast<double>(T - 1);
      put_stencil(Q, 5 * (i * T + m), c + t * delta, delta, s_of(i));
    }
  }
  // Hull samples: each block's hull, then the hull of all samples; `directions` unit vectors each.
  const arma::uword per_hull = o.hull_points * o.directions;
  arma::mat H(dim, (B + 1) * per_hull * 5);
  const arma::uvec all = arma::regspace<arma::uvec>(0, N - 1);
  for (arma::uword k = 0; k <= B; ++k) {
    for (arma::uword q = 0; q < o.hull_points; ++q) {
      const arma::vec p = hull_point(P, k < B ? members[k] : all, rng);
      for (arma::uword r = 0; r < o.directions; ++r)
        put_stencil(H, 5 * (k * per_hull + q * o.directions + r), p, random_direction(dim, rng), eta);
    }
  }

  const Factors fd = factors(sub, loss, P, nz), fc = factors(sub, loss, C, nz);
  const Factors fs = factors(sub, loss, Q, nz), fh = factors(sub, loss, H, nz);
  const double Nd = static_cast<double>(N);
  const arma::vec pi = counts / Nd;
  // WCSS_j(C) (eq. 6) from the δ_i the segments use (header): the same number as wcss(P, block) up to
  // rounding, and exactly the one the segment bound ½·M̂·WCSS speaks of.
  const double wcss_j = arma::accu(arma::square(delta_norm)) / Nd;

  std::vector<PairMeasure> out;
  for (arma::uword m = 0; m < pairs; ++m) {
    PairMeasure pm;
    pm.l = j + m + 1;
    pm.j = j;
    pm.wcss = wcss_j;
    pm.centroid_gradient = fc.D[m] * arma::diagmat(pi) * fc.Z[m].t();
    const arma::mat R = (fd.D[m] * fd.Z[m].t()) / Nd - pm.centroid_gradient;
    pm.R = arma::norm(R, "fro");
    const arma::rowvec dn = arma::sqrt(arma::sum(arma::square(fd.Dt[m]), 0));
    const arma::rowvec zn = arma::sqrt(arma::sum(arma::square(fd.Z[m]), 0));
    const arma::rowvec dcn = arma::sqrt(arma::sum(arma::square(fc.Dt[m]), 0));
    const arma::rowvec zcn = arma::sqrt(arma::sum(arma::square(fc.Z[m]), 0));
    const double S = arma::dot(dn, zn) / Nd, Sc = arma::dot(dcn % zcn, pi.t());
    pm.R_err = (tol::gamma(N) + rho) * (S + Sc);

    double M = 0, M_err = 0, taylor = 0, taylor_err = 0, pointwise = 0, pointwise_err = 0;
    for (arma::uword i = 0; i < N; ++i) {
      if (delta_norm(i) == 0) continue;   // the sample is its block's centroid: R_i = 0
      const double s = s_of(i), dd = delta_norm(i) * delta_norm(i);
      double hmax = 0, emax = 0, h_scale = 0;
      arma::mat h0, d1, h1;
      double d1_err = 0;
      for (arma::uword g = 0; g < T; ++g) {
        const Stencil st = stencil(fs.D[m], fs.Dt[m], fs.Z[m], 5 * (i * T + g), s, rho);
        const double v = arma::norm(st.d2, "fro");
        if (v > hmax) hmax = v;
        emax = std::max(emax, st.d2_err);
        M = std::max(M, v / dd);
        M_err = std::max(M_err, st.d2_err / dd);
        if (g == 0) {
          h0 = st.h0;
          d1 = st.d1;
          d1_err = st.d1_err;
          h_scale = st.hmax;
        }
        if (g == T - 1) {
          h1 = st.h0;
          h_scale = std::max(h_scale, st.hmax);
        }
      }
      taylor += 0.5 * hmax;
      taylor_err += 0.5 * emax;
      pointwise += arma::norm(h1 - h0 - d1, "fro");
      // + the rounding of h_i's ends themselves, and of the end point fl(c_k + δ_i) ≠ p_i (by ≲ 2u(‖c_k‖ + ‖δ_i‖),
      // moving G by ≈ ‖h_i'(0)‖/‖δ_i‖ per unit length).
      pointwise_err += d1_err + 2 * rho * h_scale +
                       arma::norm(d1, "fro") * 2 * tol::unit_roundoff * (arma::norm(C.col(block(i))) + delta_norm(i)) /
                           delta_norm(i);
    }
    pm.taylor = taylor / Nd;
    pm.taylor_err = taylor_err / Nd;
    pm.pointwise = pointwise / Nd;
    pm.pointwise_err = pointwise_err / Nd;
    double M_global = M, M_global_err = M_err;
    for (arma::uword k = 0; k <= B; ++k)
      for (arma::uword q = 0; q < per_hull; ++q) {
        const Stencil st = stencil(fh.D[m], fh.Dt[m], fh.Z[m], 5 * (k * per_hull + q), eta, rho);
        const double v = arma::norm(st.d2, "fro");
        if (k < B) {
          M = std::max(M, v);
          M_err = std::max(M_err, st.d2_err);
        }
        M_global = std::max(M_global, v);
        M_global_err = std::max(M_global_err, st.d2_err);
      }
    pm.M_est = M;
    pm.M_err = M_err;
    pm.M_global_est = M_global;
    pm.M_global_err = M_global_err;
    out.push_back(std::move(pm));
  }
  return out;
}

}  // namespace nrc::lemma_3_3

namespace nrc {

namespace {

const std::string kId = "lemma_3_3";
const std::vector<std::string> kPartitions = {"generating", "kmeans"};

nlohmann::json draw_lemma(Draw& d) {
  nlohmann::json p;
  draw_network(d, p);
  p["K"] = d.integer(1, 4);
  p["per_cluster"] = d.integer(2, 5);
  p["sigma"] = d.log_uniform(1e-3, 1.0);
  p["partition"] = d.pick(kPartitions);
  p["data_seed"] = d.seed();
  return p;
}

Evidence evaluate_lemma(const nlohmann::json& p) {
  const NetworkParams n = read_network(p, kId);
  const Loss loss = n.loss;
  const arma::uword L = n.depth();
  const auto K = static_cast<arma::uword>(params::integer(p, kId, "K", 1, 100));
  const auto m = static_cast<arma::uword>(params::integer(p, kId, "per_cluster", 1, 1000));
  const double sigma = params::real(p, kId, "sigma", 0, 1e3);
  const bool kmeans = params::choice(p, kId, "partition", kPartitions) == "kmeans";
  Engine rng(params::seed(p, kId, "data_seed"));

  const Mlp net = make_mlp(n.widths, n.acts, rng);
  const Dataset data = blob_data(K, n.widths[0], K * m, sigma, loss, n.widths[L], rng);
  const arma::mat& Y = data.Y;

  Evidence e;
  nlohmann::json pairs = nlohmann::json::array();
  double worst = -1, max_statement = 0, max_pointwise = 0;
  for (arma::uword j = 0; j < L; ++j) {
    arma::uvec labels = data.labels;
    if (kmeans) labels = tcv_kmeans(stack_points(lemma_3_3::layer_data(net, data.X, j), Y), K, rng).labels;
    for (const auto& pm : lemma_3_3::measure(net, loss, data.X, Y, j, labels, rng)) {
      const double statement = pm.R > 0 ? pm.R / (pm.M_est * pm.wcss) : 0;
      const double by_pointwise = pm.R > 0 ? pm.R / pm.pointwise : 0;
      max_statement = std::max(max_statement, statement);
      max_pointwise = std::max(max_pointwise, by_pointwise);
      pairs.push_back({{"l", pm.l}, {"j", pm.j}, {"R", pm.R}, {"R_err", pm.R_err}, {"pointwise", pm.pointwise},
                       {"pointwise_err", pm.pointwise_err}, {"taylor", pm.taylor}, {"taylor_err", pm.taylor_err},
                       {"M_est", pm.M_est}, {"M_err", pm.M_err}, {"wcss", pm.wcss},
                       {"R_over_statement_estimated", statement}});
      const double ratio = pm.taylor > 0 ? pm.R / pm.taylor : (pm.R > 0 ? INFINITY : 0);
      if (ratio > worst) {
        worst = ratio;
        e.lhs = pm.R;
        e.rhs = pm.taylor;
        e.err = pm.R_err + pm.taylor_err;
        e.notes = fmt::format("worst pair l = {}, j = {}; ‖R‖/(M̂·WCSS) = {:.3g} (M̂ estimated from below)", pm.l,
                              pm.j, statement);
      }
    }
  }
  e.metrics["pairs"] = pairs;
  e.metrics["max_R_over_statement_estimated"] = max_statement;
  e.metrics["max_R_over_pointwise"] = max_pointwise;
  return e;
}

}  // namespace

Check make_lemma_3_3_check() {
  return Check{kId, "Lemma 3.3",
               "‖∇_{W_l}L_0 − ∇_{W_l}L_0^{j,C}‖ ≤ (1/N)Σ_i ½max_t‖D²G(c_k+tδ_i)[δ_i,δ_i]‖, every j < l",
               "‖R‖_F, R = ∇_{W_l}L_0 − ∇_{W_l}L_0^{j,C} (worst pair)",
               "per-point Taylor remainder bound (finite differences)",
               {"max_R_over_statement_estimated", "max_R_over_pointwise"}, draw_lemma, evaluate_lemma};
}

}  // namespace nrc
