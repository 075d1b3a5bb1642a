// Proposition 3.1 (small batches yield low-rank gradients), proof in Appendix A.2, with eq. (5).
//
// Claim (exact arithmetic): for any network (1), differentiable ℓ and K samples,
//     rank ∇_{W_l} Σ_{i≤K} ℓ(f(Θ, x_i), y_i) ≤ K   for every layer l,
// because ∇_{W_l} Σ_i ℓ = Σ_i δ_i (z_i^{l−1})ᵀ = D_l (Z^{l−1})ᵀ with δ_i = ∂ℓ_i/∂a_i^l: K outer products.
// Consequence checked too (the paragraph after eq. (5)): if N ≫ K samples have only K distinct
// (z^j, y) at a layer j, every layer l > j has rank ∇_{W_l} Σ_{i≤N} ℓ ≤ K.
//
// As code states it, per checked layer l with G = D_l Z_{l−1}ᵀ computed in double precision:
//     lhs = σ̂_{K+1}(G)  ≤  rhs = rounding budget
//         = γ_N Σ_i ‖d_i‖‖z_i‖          GEMM rounding: |fl(DZᵀ) − DZᵀ| ≤ γ_N |D||Z|ᵀ entrywise
//                                       (Higham, Thm 3.5), and ‖|D||Z|ᵀ‖_F ≤ Σ_i ‖d_i‖‖z_i‖;
//         + ‖ΔD‖_F‖Z‖_F + ‖D̄‖_F‖ΔZ‖_F  collapsed data only: OpenBLAS rounds identical columns
//                                       differently by their position, so the computed factors are
//                                       only collapsed to rounding; with D̄, Z̄ the factors whose
//                                       columns are replaced by their cluster's first column (rank
//                                       D̄Z̄ᵀ ≤ K), σ_{K+1}(DZᵀ) ≤ ‖DZᵀ − D̄Z̄ᵀ‖₂ ≤ that (measured);
//         + max(m,n)·ε·σ̂_1                 backward error of LAPACK's SVD (tolerances.hpp).
// By Weyl's inequality σ_{K+1} of the exact product is 0, so the computed σ̂_{K+1} is at most the
// budget. The record keeps the layer with the largest lhs/rhs; a genuine rank excess (a wrong
// gradient) gives σ̂_{K+1} ~ σ_1 and a ratio ≫ 1. Layers with K ≥ min(m, n) hold trivially and are
// skipped; an instance whose checked layers are all trivial is NotApplicable.
// Hypothesis of the collapsed scenario, enforced by construction and measured: the inputs are
// x = (s, r) with s decided by the cluster and r free noise; layers before j are block diagonal
// (signal units read only signal units), and W_j reads signal units only, so z^j depends on the
// cluster alone in exact arithmetic. The measured within-cluster spread of z^j must stay at
// rounding level (tolerance collapse_rel below) or the instance is NotApplicable.
// Reported: σ_{K+1}/σ_1 (should be rounding level) and σ_K/σ_1 (whether rank K is attained).
// Tight where: the budget is an a-priori rounding bound, so ratios are ≪ 1; values near 1 would mean
// the rounding analysis is too optimistic, values ≫ 1 a rank violation.
#include <algorithm>
#include <cmath>
#include <limits>

#include "lib/common/error.hpp"
#include "lib/nn/mlp.hpp"
#include "lib/spectral/spectral.hpp"
#include "theorems/network_instances.hpp"
#include "theorems/params.hpp"
#include "theorems/prop_3_1_low_rank_gradients.hpp"
#include "theorems/registry.hpp"
#include "theorems/tolerances.hpp"

namespace nrc {

namespace {

const std::string kId = "prop_3_1";
const std::vector<std::string> kActivations = {"identity", "tanh", "relu", "sigmoid", "softplus"};
const std::vector<std::string> kLosses = {"squared", "cross_entropy"};

// Relative within-cluster spread of z^j allowed for the collapsed scenario. In exact arithmetic it is
// 0; in double precision only position-dependent GEMM summation order perturbs it, by a few ulps per
// layer (≤ 5 layers here), while the generator's noise that is cut off has amplitude ~1. 1e-12 is
// ~4500 ulps: far above rounding, far below any genuine spread.
constexpr double kCollapseRel = 1e-12;

nlohmann::json draw_instance(Draw& d) {
  nlohmann::json p;
  const auto L = d.integer(1, 5);
  std::vector<std::int64_t> widths;
  for (std::int64_t l = 0; l <= L; ++l) widths.push_back(d.integer(1, 40));
  std::vector<std::string> acts;
  for (std::int64_t l = 0; l < L; ++l) acts.push_back(d.pick(kActivations));
  p["loss"] = d.pick(kLosses);
  p["scenario"] = d.pick({"batch", "collapsed"});
  const bool batch = p["scenario"] == "batch";
  const std::int64_t j = batch ? 0 : d.integer(0, L - 1);
  // Signal and noise need one unit each up to the collapse layer j.
  for (std::int64_t l = 0; j >= 1 && l < j; ++l) widths[l] = std::max<std::int64_t>(widths[l], 2);
  // K below min(m, n) in at least one checked layer (l > j), so that the instance says something.
  std::int64_t room = 1;
  for (std::int64_t l = j + 1; l <= L; ++l) room = std::max(room, std::min(widths[l - 1], widths[l]));
  if (room < 2) {
    widths[L - 1] = std::max<std::int64_t>(widths[L - 1], 2);
    widths[L] = std::max<std::int64_t>(widths[L], 2);
    room = 2;
  }
  const auto K = d.integer(1, std::min<std::int64_t>(batch ? 12 : 6, room - 1));
  p["K"] = K;
  if (batch) {
    p["N"] = K;
  } else {
    p["collapse_layer"] = j;
    p["N"] = K * d.integer(2, 10);
  }
  p["widths"] = widths;
  p["activations"] = acts;
  p["data_seed"] = d.seed();
  return p;
}

arma::uword signal_units(arma::uword n) { return (n + 1) / 2; }

// Frobenius norm of M minus its columns replaced by their cluster's first column (cluster of
// column i: i mod K), and of those representatives.
struct Spread { double deviation, representative_norm; };
Spread cluster_spread(const arma::mat& M, arma::uword K) {
  arma::mat rep(M.n_rows, M.n_cols);
  for (arma::uword i = 0; i < M.n_cols; ++i) rep.col(i) = M.col(i % K);
  return {arma::norm(M - rep, "fro"), arma::norm(rep, "fro")};
}

Evidence evaluate(const nlohmann::json& p) {
  const auto scenario = params::choice(p, kId, "scenario", {"batch", "collapsed"});
  const auto widths_i = params::integers(p, kId, "widths", 1, 4096, 2, 65);
  const auto L = static_cast<arma::uword>(widths_i.size() - 1);
  const auto act_names = params::choices(p, kId, "activations", kActivations, L);
  const Loss loss = parse_loss(params::choice(p, kId, "loss", kLosses));
  const auto K = static_cast<arma::uword>(params::integer(p, kId, "K", 1, 100000));
  const auto N = static_cast<arma::uword>(params::integer(p, kId, "N", 1, 10000000));
  const bool collapsed = scenario == "collapsed";
  arma::uword j = 0;
  if (collapsed) {
    j = static_cast<arma::uword>(params::integer(p, kId, "collapse_layer", 0, static_cast<std::int64_t>(L) - 1));
    require(N % K == 0 && N >= K, kId, "parameter 'N': expected a multiple of K = {}, got {}", K, N);
    for (arma::uword l = 0; j >= 1 && l < j; ++l)
      require(widths_i[l] >= 2, kId, "parameter 'widths': collapse at layer {} needs widths ≥ 2 before it, got {}",
              j, widths_i[l]);
  } else {
    require(N == K, kId, "parameter 'N': the batch scenario has N = K = {}, got {}", K, N);
  }
  Engine rng(params::seed(p, kId, "data_seed"));

  std::vector<arma::uword> widths(widths_i.begin(), widths_i.end());
  std::vector<Activation> acts;
  for (const auto& a : act_names) acts.push_back(parse_activation(a));
  Mlp net = make_mlp(widths, acts, rng);
  const arma::uword d = widths[0], c = widths[L];

  arma::mat X(d, N), Y(c, N);
  if (!collapsed) {
    X = randn(d, N, rng);
    for (arma::uword i = 0; i < N; ++i) Y.col(i) = random_target(loss, c, rng);
  } else {
    // Cluster of sample i is i mod K; signal coordinates come from the cluster, noise from the sample.
    const arma::uword ds = j == 0 ? d : signal_units(d);
    const arma::mat signal = randn(ds, K, rng);
    arma::mat targets(c, K);
    for (arma::uword k = 0; k < K; ++k) targets.col(k) = random_target(loss, c, rng);
    const arma::mat noise = randn(d - ds, N, rng);
    for (arma::uword i = 0; i < N; ++i) {
      X.col(i).head(ds) = signal.col(i % K);
      if (ds < d) X.col(i).tail(d - ds) = noise.col(i);
      Y.col(i) = targets.col(i % K);
    }
    for (arma::uword l = 1; l <= j; ++l) {   // block structure of layers 1..j (1-based)
      arma::mat& W = net.W[l - 1];
      const arma::uword in_sig = signal_units(widths[l - 1]);
      if (l < j) {
        const arma::uword out_sig = signal_units(widths[l]);
        W.submat(0, in_sig, out_sig - 1, W.n_cols - 1).zeros();
        W.submat(out_sig, 0, W.n_rows - 1, in_sig - 1).zeros();
      } else {
        W.cols(in_sig, W.n_cols - 1).zeros();
      }
    }
  }

  const Forward fw = forward(net, X);
  const std::vector<arma::mat> D = backprop_deltas(net, fw, loss_gradient(loss, fw.Z[L], Y));
  const Gradient g = gradient_from_deltas(fw, D);

  Evidence e;
  if (collapsed) {
    const Spread s = cluster_spread(arma::join_cols(fw.Z[j], Y), K);
    const double rel = s.representative_norm > 0 ? s.deviation / s.representative_norm : s.deviation;
    e.metrics["collapse_spread_rel"] = rel;
    if (!(rel <= kCollapseRel)) {
      e.not_applicable = fmt::format("(z^{}, y) not collapsed to K = {} points: relative spread {:.3g}", j, K, rel);
      return e;
    }
  }

  double worst_ratio = -1;
  double max_k1 = 0, min_k = std::numeric_limits<double>::infinity();
  nlohmann::json per_layer = nlohmann::json::array();
  for (arma::uword l = j + 1; l <= L; ++l) {
    const prop_3_1::LayerRank r = prop_3_1::layer_rank(g.W[l - 1], D[l - 1], fw.Z[l - 1], K, collapsed);
    if (r.trivial) continue;
    const double ratio = r.rhs > 0 ? r.lhs / r.rhs : (r.lhs == 0 ? 0 : std::numeric_limits<double>::infinity());
    const double k1 = r.sigma_1 > 0 ? r.sigma_k1 / r.sigma_1 : 0, kk = r.sigma_1 > 0 ? r.sigma_k / r.sigma_1 : 0;
    max_k1 = std::max(max_k1, k1);
    min_k = std::min(min_k, kk);
    per_layer.push_back({{"layer", l}, {"sigma_k1_over_sigma_1", k1}, {"sigma_k_over_sigma_1", kk},
                         {"lhs", r.lhs}, {"rhs", r.rhs}});
    if (ratio > worst_ratio) {
      worst_ratio = ratio;
      e.lhs = r.lhs;
      e.rhs = r.rhs;
      e.notes = fmt::format("worst layer {}", l);
    }
  }
  if (per_layer.empty()) {
    e.not_applicable = fmt::format("K = {} ≥ min(m, n) in every checked layer: rank ≤ K trivially", K);
    return e;
  }
  e.metrics["layers"] = per_layer;
  e.metrics["max_sigma_k1_over_sigma_1"] = max_k1;
  e.metrics["min_sigma_k_over_sigma_1"] = min_k;
  return e;
}

}  // namespace

prop_3_1::LayerRank prop_3_1::layer_rank(const arma::mat& G, const arma::mat& D, const arma::mat& Z,
                                         arma::uword K, bool collapsed) {
  LayerRank r;
  const arma::uword m = G.n_rows, n = G.n_cols, N = D.n_cols;
  if (K >= std::min(m, n)) {
    r.trivial = true;
    return r;
  }
  const arma::vec s = singular_values(G);
  const arma::rowvec dn = arma::sqrt(arma::sum(arma::square(D), 0));
  const arma::rowvec zn = arma::sqrt(arma::sum(arma::square(Z), 0));
  r.rhs = tol::gamma(N) * arma::dot(dn, zn) + tol::svd_abs_error(s(0), m, n);
  if (collapsed) {
    const Spread sd = cluster_spread(D, K), sz = cluster_spread(Z, K);
    r.rhs += sd.deviation * arma::norm(Z, "fro") + sd.representative_norm * sz.deviation;
  }
  r.sigma_1 = s(0);
  r.sigma_k = s(K - 1);
  r.sigma_k1 = s(K);   // σ_{K+1}, 0-based
  r.lhs = r.sigma_k1;
  return r;
}

Check make_prop_3_1_check() {
  return Check{kId, "Proposition 3.1 (and eq. 5)",
               "σ_{K+1}(∇_{W_l} Σ_i ℓ) ≤ rounding budget, every layer l (after the collapse layer)",
               "σ_{K+1} of the layer gradient", "a-priori rounding bound of GEMM + SVD",
               {"max_sigma_k1_over_sigma_1", "min_sigma_k_over_sigma_1"}, draw_instance, evaluate};
}

}  // namespace nrc
