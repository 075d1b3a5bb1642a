#pragma once
// Pieces shared by the checks that draw random networks and data (prop_3_1, eq_4, degenerate_rank,
// lemma_3_3, thm_3_4).
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include <armadillo>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lib/common/rng.hpp"
#include "lib/data/gaussian_mixture.hpp"
#include "lib/nn/mlp.hpp"
#include "lib/nn/train.hpp"
#include "theorems/draw.hpp"
#include "theorems/judge.hpp"
#include "theorems/lemma_3_3_centroid_gradients.hpp"
#include "theorems/params.hpp"
#include "theorems/tolerances.hpp"

namespace nrc {

// The activations the trained-network checks draw: C² ones (ReLU's kinks have no gradient at a
// stationary point's data and no second derivative for Lemma 3.3), and the losses of eq. (3).
inline const std::vector<std::string> kSmoothActivations = {"identity", "tanh", "sigmoid", "softplus"};
inline const std::vector<std::string> kNetworkLosses = {"squared", "cross_entropy"};

// Draws, in this order, a depth L in 1..3, L + 1 widths in [min_width, 8], L activations and a loss.
inline void draw_network(Draw& d, nlohmann::json& p, std::int64_t min_width = 2) {
  const auto L = d.integer(1, 3);
  std::vector<std::int64_t> widths;
  for (std::int64_t l = 0; l <= L; ++l) widths.push_back(d.integer(min_width, 8));
  std::vector<std::string> acts;
  for (std::int64_t l = 0; l < L; ++l) acts.push_back(d.pick(kSmoothActivations));
  p["widths"] = widths;
  p["activations"] = acts;
  p["loss"] = d.pick(kNetworkLosses);
}

struct NetworkParams {
  std::vector<arma::uword> widths;   // d, n_1, …, n_L
  std::vector<Activation> acts;
  Loss loss = Loss::SquaredError;
  arma::uword depth() const { return acts.size(); }
};

// What draw_network wrote, validated (one-line invalid_argument naming the parameter).
inline NetworkParams read_network(const nlohmann::json& p, const std::string& id) {
  NetworkParams n;
  const auto widths = params::integers(p, id, "widths", 1, 256, 2, 6);
  n.widths.assign(widths.begin(), widths.end());
  for (const auto& a : params::choices(p, id, "activations", kSmoothActivations, widths.size() - 1))
    n.acts.push_back(parse_activation(a));
  n.loss = parse_loss(params::choice(p, id, "loss", kNetworkLosses));
  return n;
}

// Targets of one sample: N(0, I) for squared loss, a random probability vector for cross-entropy.
inline arma::vec random_target(Loss loss, arma::uword c, Engine& rng) {
  arma::vec y = randn(c, 1, rng);
  if (loss == Loss::SoftmaxCrossEntropy) {
    y = arma::exp(y - y.max());
    y /= arma::accu(y);
  }
  return y;
}

// Inputs from K isotropic Gaussian blobs (σ, unit-scale means, N/K points each) and per-blob targets:
// ȳ_k + σ·N(0, I) for squared loss, one random probability vector per blob for cross-entropy.
inline Dataset blob_data(arma::uword K, arma::uword d, arma::uword N, double sigma, Loss loss, arma::uword c,
                         Engine& rng) {
  MixtureSpec spec;
  spec.K = K;
  spec.d = d;
  spec.N = N;
  spec.sigma = sigma;
  Dataset data = sample_gaussian_mixture(spec, rng);
  data.Y.set_size(c, N);
  for (arma::uword k = 0; k < K; ++k) {
    const arma::vec yk = random_target(loss, c, rng);
    for (arma::uword i : arma::uvec(arma::find(data.labels == k)))
      data.Y.col(i) = loss == Loss::SquaredError ? arma::vec(yk + sigma * randn(c, 1, rng)) : yk;
  }
  return data;
}

// The trainer's outcome in a record's metrics.
inline void record_training(Evidence& e, const TrainResult& r) {
  e.metrics["train_status"] = std::string(name(r.status));
  e.metrics["train_iterations"] = r.iterations;
  e.metrics["stationarity"] = r.stationarity;
  e.metrics["grad_norm"] = r.grad_norm;
}

// A check speaks of stationary points: an instance the trainer did not bring there is Inconclusive
// (with the trainer's status), never judged. Returns true when that happened.
inline bool not_stationary(Evidence& e, const TrainResult& r) {
  if (r.status == TrainStatus::Stationary) return false;
  e.inconclusive = fmt::format("trainer did not reach stationarity: {} after {} iterations (‖∇L_λ‖/‖2λΘ‖ = {:.3g}) {}",
                               name(r.status), r.iterations, r.stationarity, r.message);
  return true;
}

// Theorem 3.4 speaks of stationary points only: an instance the trainer did not bring there is outside
// its hypotheses (NotApplicable, with the trainer's status as the reason). Returns true when that happened.
inline bool outside_stationarity(Evidence& e, const TrainResult& r) {
  if (r.status == TrainStatus::Stationary) return false;
  e.not_applicable = fmt::format("not a stationary point: the trainer ended {} after {} iterations "
                                 "(‖∇L_λ‖/‖2λΘ‖ = {:.3g}) {}",
                                 name(r.status), r.iterations, r.stationarity, r.message);
  return true;
}

// The part of an instance that decides its verdict, among several judged parts (layers, pairs (l, j)):
// a Fail if any part fails, else an undecided part if any, else the part with the largest lhs/rhs.
// Among parts of the same verdict, the largest lhs/rhs (for Fails: the largest lhs/rhs_upper when
// bracketed). Parts that are NotApplicable are skipped; returns parts.size() when all are.
inline std::size_t deciding_part(const std::vector<Evidence>& parts) {
  auto severity = [](Verdict v) { return v == Verdict::Fail ? 3 : v == Verdict::Inconclusive ? 2 : 1; };
  auto ratio = [](const Evidence& e, double rhs) {
    return rhs > 0 ? e.lhs / rhs : (e.lhs > 0 ? std::numeric_limits<double>::infinity() : 0.0);
  };
  std::size_t best = parts.size();
  int best_sev = 0;
  double best_ratio = -1;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const Judgement j = judge(parts[k]);
    if (j.verdict == Verdict::NotApplicable) continue;
    const int sev = severity(j.verdict);
    const double r = ratio(parts[k], j.verdict == Verdict::Fail && parts[k].rhs_upper ? *parts[k].rhs_upper : parts[k].rhs);
    if (sev > best_sev || (sev == best_sev && r > best_ratio)) {
      best = k;
      best_sev = sev;
      best_ratio = r;
    }
  }
  return best;
}

// Full batch, L-BFGS then trust-region Newton (lib/nn/train, TrainMethod::Newton), to
// ‖∇L_λ‖ ≤ tol·‖2λΘ‖, at most max_iterations iterations. No second-order certificate: the checks
// judge first-order statements, and their records have no place for it (the figures' runs keep it).
inline TrainResult train_to_stationarity(Mlp& net, const arma::mat& X, const arma::mat& Y, Loss loss, double lambda,
                                         double tol, std::uint64_t max_iterations) {
  TrainOptions o;
  o.method = TrainMethod::Newton;
  o.curvature_steps = 0;
  o.loss = loss;
  o.lambda = lambda;
  o.stationarity_tol = tol;
  o.max_iterations = max_iterations;
  return train(net, X, Y, o);
}

// What the trainer's stopping test certifies, a priori. train() stopped on its computed gradient ĝ
// with ‖ĝ‖ ≤ tol·‖2λΘ‖ (lib/nn/train), so the exact gradient of eq. (3) at the returned Θ has
//     ‖∇L_λ(Θ)‖ ≤ tol·‖2λΘ‖(1 + 2γ_{P+2}) + δ_g,
// γ_{P+2} for the test's two norms and quotient, and δ_g the rounding of one gradient evaluation,
// (γ_{N+1} + ρ)·Σ_l Σ_i ‖d̃_i^l‖(‖z_i^{l−1}‖ + 1)/N + γ_2·2λ‖Θ‖ (d̃ the delta term sizes and
// ρ = γ_{4L(w+2)} of lemma_3_3_centroid_gradients.hpp: the convention of every backprop estimate here).
// Nothing in it is measured from the gradient: where stationarity is a hypothesis, a point passed off
// as stationary that is not shows up as a Fail of the check using this bound.
inline double certified_gradient_norm(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y,
                                      double lambda, double tol) {
  const Forward fw = forward(net, X);
  const std::vector<arma::mat> Dt = lemma_3_3::delta_term_sizes(net, fw, loss, Y);
  double terms = 0;
  arma::uword widest = X.n_rows;
  for (arma::uword l = 0; l < net.depth(); ++l) {
    const arma::rowvec dn = arma::sqrt(arma::sum(arma::square(Dt[l]), 0));
    const arma::rowvec zn = arma::sqrt(arma::sum(arma::square(fw.Z[l]), 0));
    terms += arma::dot(dn, zn + 1.0);
    widest = std::max({widest, net.W[l].n_rows, net.W[l].n_cols});
  }
  const double N = static_cast<double>(X.n_cols), decay = 2 * lambda * arma::norm(flatten(net));
  const double rho = tol::gamma(4 * net.depth() * (widest + 2));
  return tol * decay * (1 + 2 * tol::gamma(net.parameter_count() + 2)) + (tol::gamma(X.n_cols + 1) + rho) * terms / N +
         tol::gamma(2) * decay;
}

}  // namespace nrc
