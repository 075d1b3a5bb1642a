// Proposition 3.1 (small batches yield low-rank gradients), proof in Appendix A.2, with eq. (5) and
// the paragraph after it (data with K distinct points: the gradient has rank ≤ K). Check prop_3_1.
//
// Claim (exact arithmetic): for any network (1) and differentiable ℓ, ∇_{W_l} Σ_i ℓ(f(Θ, x_i), y_i) =
// Σ_i δ_i (z_i^{l−1})ᵀ; if the (z_i^j, y_i) take only K distinct values at some layer j < l (j = 0: the
// data itself), the terms of equal (z^j, y) are equal (eq. 5: G_i depends on the sample only through
// (z_i^j, y_i)), so the sum has rank ≤ K — whatever N.
// The rank is not imposed by how the matrix is formed: the check draws N = K·copies ≫ K samples, only
// K distinct (z^j, y) among them, in shuffled order, and forms the gradient sample by sample — N
// independent forward/backward passes (single columns), each term Ĝ_i = fl(δ_i z_iᵀ) a full matrix,
// added in the shuffled order. A gradient code that mixed samples, a term that depended on more than
// (z^j, y), or data with more distinct points would all show as σ_{K+1} far above rounding.
//
// As code states it, for every layer l > j with K < min(m, n):
//     lhs = σ̂_{K+1}(Σ_i Ĝ_i^l)  ≤  rhs = ρ·Σ_i ‖d̃_i‖‖z_i‖ + γ_N·Σ_i ‖Ĝ_i‖_F + max(m,n)·ε·σ̂_1,
// the a-priori budget of prop_3_1_low_rank_gradients.hpp (the rounding of each term against its exact
// value, of the sum, and LAPACK's singular-value error); no measured spread of the data or of the
// computed factors. By Weyl, σ_{K+1} of the computed sum is at most its distance to the exact sum,
// which has rank ≤ K. The deciding layer is a failing one if any, else the largest lhs/rhs.
// Layers with K ≥ min(m, n) hold trivially and are skipped; an instance whose checked layers are all
// trivial is NotApplicable.
// Collapse at a hidden layer j ≥ 1 (eq. 5), by construction: the inputs are x = (s, r) with s decided
// by the sample's cluster and r free noise; layers before j are block diagonal (signal units read only
// signal units) and W_j reads signal units only, so z^j depends on the cluster alone in exact
// arithmetic. (The measured within-cluster spread of z^j is recorded as a metric, not used.)
// Reported: σ_{K+1}/σ_1 (rounding level) and σ_K/σ_1 (whether rank K is attained: the claim is not
// vacuous).
// Where tight: the budget is an a-priori rounding bound, so ratios are ≪ 1 on true instances; values
// near 1 would mean the rounding analysis is too optimistic, values ≫ 1 a rank excess.
// Mutants (each must Fail): noisy_point — one sample with a fresh (x, y) added, K + 1 distinct points;
// wrong_k — the claim rank ≤ K − 1 for K distinct points.
#include "theorems/prop_3_1_low_rank_gradients.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "lib/common/error.hpp"
#include "lib/common/memory.hpp"
#include "lib/spectral/spectral.hpp"
#include "theorems/lemma_3_3_centroid_gradients.hpp"
#include "theorems/network_instances.hpp"
#include "theorems/params.hpp"
#include "theorems/registry.hpp"
#include "theorems/tolerances.hpp"

namespace nrc {

prop_3_1::SampleSums prop_3_1::per_sample_gradient_sums(const Mlp& net, Loss loss, const arma::mat& X,
                                                        const arma::mat& Y) {
  const arma::uword L = net.depth(), N = X.n_cols;
  require(N >= 1 && Y.n_cols == N, "prop_3_1::per_sample_gradient_sums",
          "expected X and Y with the same N ≥ 1 columns, got {} and {}", N, Y.n_cols);
  arma::uword widest = net.input_dim();
  for (const auto& W : net.W) widest = std::max({widest, W.n_rows, W.n_cols});
  const double rho = tol::gamma(4 * L * (widest + 2));
  SampleSums s;
  std::vector<double> pass(L, 0);
  s.term_norms.assign(L, 0);
  for (arma::uword l = 0; l < L; ++l) s.G.push_back(arma::zeros(net.W[l].n_rows, net.W[l].n_cols));
  for (arma::uword i = 0; i < N; ++i) {
    const arma::mat x = X.col(i), y = Y.col(i);
    const Forward fw = forward(net, x);
    const std::vector<arma::mat> D = backprop_deltas(net, fw, loss_gradient(loss, fw.Z[L], y));
    const std::vector<arma::mat> Dt = lemma_3_3::delta_term_sizes(net, fw, loss, y);
    for (arma::uword l = 0; l < L; ++l) {
      const arma::mat Gi = D[l] * fw.Z[l].t();
      s.G[l] += Gi;
      s.term_norms[l] += arma::norm(Gi, "fro");
      pass[l] += arma::norm(Dt[l]) * arma::norm(fw.Z[l]);
    }
  }
  for (arma::uword l = 0; l < L; ++l) s.budget.push_back(rho * pass[l] + tol::gamma(N) * s.term_norms[l]);
  return s;
}

prop_3_1::LayerRank prop_3_1::layer_rank(const arma::mat& G, double budget, arma::uword K) {
  LayerRank r;
  const arma::uword m = G.n_rows, n = G.n_cols;
  if (K >= std::min(m, n)) {
    r.trivial = true;
    return r;
  }
  const arma::vec s = singular_values(G);
  r.rhs = budget + tol::svd_abs_error(s(0), m, n);
  r.sigma_1 = s(0);
  r.sigma_k = K >= 1 ? s(K - 1) : s(0);
  r.sigma_k1 = s(K);   // σ_{K+1}, 0-based
  r.lhs = r.sigma_k1;
  return r;
}

namespace {

const std::string kId = "prop_3_1";
const std::vector<std::string> kActivations = {"identity", "tanh", "relu", "sigmoid", "softplus"};
const std::vector<std::string> kLosses = {"squared", "cross_entropy"};

enum class Mutation { None, WrongK };

nlohmann::json draw_instance(Draw& d) {
  nlohmann::json p;
  const auto L = d.integer(1, 5);
  std::vector<std::int64_t> widths;
  for (std::int64_t l = 0; l <= L; ++l) widths.push_back(d.integer(1, 40));
  std::vector<std::string> acts;
  for (std::int64_t l = 0; l < L; ++l) acts.push_back(d.pick(kActivations));
  p["loss"] = d.pick(kLosses);
  const std::int64_t j = d.integer(0, L - 1);
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
  p["K"] = d.integer(1, std::min<std::int64_t>(6, room - 1));
  p["copies"] = d.integer(2, 20);
  p["collapse_layer"] = j;
  p["widths"] = widths;
  p["activations"] = acts;
  p["data_seed"] = d.seed();
  return p;
}

arma::uword signal_units(arma::uword n) { return (n + 1) / 2; }

// Relative within-cluster spread of the columns of M (clusters given by `cluster`), a metric.
double cluster_spread(const arma::mat& M, const arma::uvec& cluster, const arma::uvec& first) {
  double dev = 0, norm = 0;
  for (arma::uword i = 0; i < M.n_cols; ++i) {
    const arma::vec rep = M.col(first(cluster(i)));
    dev += arma::accu(arma::square(M.col(i) - rep));
    norm += arma::accu(arma::square(rep));
  }
  return norm > 0 ? std::sqrt(dev / norm) : std::sqrt(dev);
}

Evidence evaluate(const nlohmann::json& p, Mutation mutation) {
  const auto widths_i = params::integers(p, kId, "widths", 1, 4096, 2, 65);
  const auto L = static_cast<arma::uword>(widths_i.size() - 1);
  const auto act_names = params::choices(p, kId, "activations", kActivations, L);
  const Loss loss = parse_loss(params::choice(p, kId, "loss", kLosses));
  const auto K = static_cast<arma::uword>(params::integer(p, kId, "K", 1, 100000));
  const auto copies = static_cast<arma::uword>(params::integer(p, kId, "copies", 1, 100000));
  const auto j =
      static_cast<arma::uword>(params::integer(p, kId, "collapse_layer", 0, static_cast<std::int64_t>(L) - 1));
  const auto noisy = static_cast<arma::uword>(p.contains("noisy_points") ? params::integer(p, kId, "noisy_points", 0, 100) : 0);
  for (arma::uword l = 0; j >= 1 && l < j; ++l)
    require(widths_i[l] >= 2, kId, "parameter 'widths': collapse at layer {} needs widths ≥ 2 before it, got {}", j,
            widths_i[l]);
  require(mutation != Mutation::WrongK || K >= 2, kId, "the wrong_k mutant needs K ≥ 2, got {}", K);
  const arma::uword N = K * copies + noisy;
  require_memory(static_cast<double>(N) * static_cast<double>(widths_i[0] + widths_i[L]), kId,
                 fmt::format("{} samples", N));
  Engine rng(params::seed(p, kId, "data_seed"));

  std::vector<arma::uword> widths(widths_i.begin(), widths_i.end());
  std::vector<Activation> acts;
  for (const auto& a : act_names) acts.push_back(parse_activation(a));
  Mlp net = make_mlp(widths, acts, rng);
  const arma::uword d = widths[0], c = widths[L];

  // Sample i is a copy of cluster `cluster(i)`: every cluster `copies` times, in shuffled order; the
  // noisy points (mutant) form clusters K, K+1, … of their own.
  arma::uvec cluster(N);
  for (arma::uword i = 0; i < N; ++i) cluster(i) = i < K * copies ? i % K : K + (i - K * copies);
  std::shuffle(cluster.begin(), cluster.end(), rng);
  const arma::uword clusters = K + noisy;
  const arma::uword ds = j == 0 ? d : signal_units(d);
  const arma::mat signal = randn(ds, clusters, rng);
  arma::mat targets(c, clusters);
  for (arma::uword k = 0; k < clusters; ++k) targets.col(k) = random_target(loss, c, rng);
  const arma::mat noise = randn(d - ds, N, rng);
  arma::mat X(d, N), Y(c, N);
  for (arma::uword i = 0; i < N; ++i) {
    X.col(i).head(ds) = signal.col(cluster(i));
    if (ds < d) X.col(i).tail(d - ds) = noise.col(i);
    Y.col(i) = targets.col(cluster(i));
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

  Evidence e;
  {
    arma::uvec first(clusters);
    for (arma::uword i = N; i-- > 0;) first(cluster(i)) = i;
    const Forward fw = forward(net, X);
    e.metrics["collapse_spread_rel"] = cluster_spread(arma::join_cols(fw.Z[j], Y), cluster, first);
  }

  const prop_3_1::SampleSums sums = prop_3_1::per_sample_gradient_sums(net, loss, X, Y);
  const arma::uword K_claim = mutation == Mutation::WrongK ? K - 1 : K;
  std::vector<Evidence> parts;
  std::vector<arma::uword> part_layer;
  double max_k1 = 0, min_k = std::numeric_limits<double>::infinity();
  nlohmann::json per_layer = nlohmann::json::array();
  for (arma::uword l = j + 1; l <= L; ++l) {
    const prop_3_1::LayerRank r = prop_3_1::layer_rank(sums.G[l - 1], sums.budget[l - 1], K_claim);
    if (r.trivial) continue;
    const double k1 = r.sigma_1 > 0 ? r.sigma_k1 / r.sigma_1 : 0, kk = r.sigma_1 > 0 ? r.sigma_k / r.sigma_1 : 0;
    max_k1 = std::max(max_k1, k1);
    min_k = std::min(min_k, kk);
    Evidence part;
    part.lhs = r.lhs;
    part.rhs = r.rhs;
    part.err = 0;   // rhs is the a-priori rounding budget of lhs, whose exact value is 0 (header)
    parts.push_back(part);
    part_layer.push_back(l);
    per_layer.push_back({{"layer", l}, {"sigma_k1_over_sigma_1", k1}, {"sigma_k_over_sigma_1", kk},
                         {"lhs", r.lhs}, {"rhs", r.rhs}, {"term_norms", sums.term_norms[l - 1]}});
  }
  if (parts.empty()) {
    e.not_applicable = fmt::format("K = {} ≥ min(m, n) in every checked layer: rank ≤ K trivially", K_claim);
    return e;
  }
  const std::size_t k = deciding_part(parts);
  e.lhs = parts[k].lhs;
  e.rhs = parts[k].rhs;
  e.err = parts[k].err;
  e.notes = fmt::format("deciding layer {} (N = {} samples, {} distinct (z^{}, y))", part_layer[k], N, clusters, j);
  e.metrics["layers"] = per_layer;
  e.metrics["max_sigma_k1_over_sigma_1"] = max_k1;
  e.metrics["min_sigma_k_over_sigma_1"] = min_k;
  return e;
}

nlohmann::json mutant_instance(std::int64_t noisy) {
  nlohmann::json p = {{"widths", {8, 10, 9, 6}}, {"activations", {"tanh", "softplus", "identity"}},
                      {"loss", "squared"},       {"K", 3},
                      {"copies", 10},            {"collapse_layer", 1},
                      {"data_seed", 17}};
  if (noisy > 0) p["noisy_points"] = noisy;
  return p;
}

}  // namespace

Check make_prop_3_1_check() {
  Check c{.id = kId,
          .paper_ref = "Proposition 3.1 (and eq. 5)",
          .statement =
              "σ_{K+1}(Σ_i ∇_{W_l}ℓ_i) ≤ a-priori rounding budget, N ≫ K samples with K distinct (z^j, y), every layer "
              "l > j",
          .lhs = "σ_{K+1} of the layer gradient formed sample by sample",
          .rhs = "a-priori rounding bound (passes, sum, SVD)",
          .summary_metrics = {"max_sigma_k1_over_sigma_1", "min_sigma_k_over_sigma_1"},
          .draw = draw_instance,
          .evaluate = [](const nlohmann::json& p) { return evaluate(p, Mutation::None); }};
  c.optional_params = {"noisy_points"};
  c.mutants = {
      {.name = "noisy_point",
       .what = "one sample with a fresh (x, y) added: K + 1 distinct points",
       .params = mutant_instance(1)},
      {.name = "wrong_k",
       .what = "the claim rank ≤ K − 1 for K distinct points",
       .params = mutant_instance(0),
       .evaluate = [](const nlohmann::json& p) { return evaluate(p, Mutation::WrongK); }},
  };
  return c;
}

}  // namespace nrc
