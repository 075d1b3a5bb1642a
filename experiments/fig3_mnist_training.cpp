// Figure 3 (Section 6.3): how the layers' singular-value tails and the class-wise within-cluster
// variation evolve while a tanh network is trained on real MNIST digits. Experiment fig3.
//
// Paper setup: a fully connected network trained on MNIST for several weight decays λ; every 100
// epochs, per layer l, the relative tail of W_l's singular values (eq. 22)
//     e(r) = Σ_{i≥r} σ_i(W_l) / Σ_{i≥1} σ_i(W_l),   r = 1 … min(m, n),
// and the "estimated TCV": the WCSS (eq. 6) of the stacked layer outputs (z_i^l, y_i) for the
// partition of the samples by class (Definition 3.2's TCV is a minimum over all partitions into
// ≤ K sets; the class partition is one of them, so this is an upper bound on TCV_{10,l}, and it is
// what the paper computes). Since y_i is constant on a class, the y part adds nothing to it.
// The paper gives neither the architecture, the λ values nor the epoch count.
//
// Presets. "paper": the full 10,000 digits, 784-256-256-256-10, 5,000 epochs, snapshots every 100
// epochs (not run here: hours). "default": N = 2,000 digits (a seeded uniform subset),
// 784-64-64-10, 500 epochs with snapshots every 50 — the whole experiment in about a minute on 2
// cores (3 trainings of ≈ 25 s), and enough steps for weight decay to act (the decay factor per
// step is 1 − 2ηλ, so (1 − 2ηλ)^500 = e^{−5} at λ = 1e-2, e^{−0.05} at λ = 1e-4).
// Both presets: λ ∈ {1e-4, 1e-3, 1e-2}; raw pixels in [0, 1] (no PCA, no centring).
// Every λ starts from the same initial parameters and the same subset (seeds derive_seed(seed, 1)
// and derive_seed(seed, 0)), so the curves of different λ differ by λ alone.
//
// Objective trained (eq. 3 with biases; softmax cross-entropy on one-hot labels, the natural loss
// for classification — the paper does not say which it used):
//     L_λ(Θ) = (1/N) Σ_i −log softmax(f(Θ, x_i))_{y_i} + λ Σ_l (‖W_l‖_F² + ‖b_l‖²),
// f with tanh hidden layers and an identity output layer (logits), W_l ~ N(0, 1/n_{l−1}),
// b_l ~ N(0, 0.1²). Full-batch gradient descent as in the paper, η = 0.5 (no divergence on the
// default net; η = 1 made the λ = 1e-2 loss oscillate; untried on the paper net), one step per epoch. Training runs in chunks of
// `snapshot_every` steps (lib/nn/train with max_iterations = the chunk): GD keeps no state besides
// Θ, so the chunks make exactly the iterates of one uninterrupted run, and each chunk's end is a
// snapshot (the trainer's progress callback sees only scalars, not Θ). The one difference: the
// divergence rule (loss > 1e6 × the loss at the start) refers to each chunk's start. A diverged
// run is Inconclusive (its snapshots so far kept, not used).
//
// Per snapshot (epoch 0 included) we record, per layer l = 1 … L: e(r) for r = 1 … min(m, n), the
// class WCSS of (z^l, y) and its scale-free form WCSS/TSS (TSS = the WCSS of the one-block
// partition: the within-class share of the stacked points' total variance, which a mere growth of
// the activations cannot decrease); and L_λ, the data loss and the training accuracy.
//
// Claims (thresholds declared here, before any run, and never adjusted to a result). Write E for
// the last snapshot, S₁ for the first one after epoch 0, and for each layer
//     r₀ := min{r ≤ p : e_0(r) ≤ kTailEps = 0.1} (p = min(m, n); r₀ = p if there is none),
// the initial 10% soft rank rk(0.1) of eq. (22), taken from the epoch-0 curve (of the smallest λ
// for comparisons across λ; all λ share the initialization). Each claim counts its violations
// and lists every compared case in its notes:
//   tail_lightens:             #{(l, λ) : e_E(r₀) > e_0(r₀)} ≤ 0   — "the tail lightens up as the
//                              epoch increases", across all layers and λ.
//   lighter_with_larger_lambda: #{l : e_E(r₀) at λ_max > e_E(r₀) at λ_min} ≤ 0   — "more
//                              accentuated for bigger λ".
//   tcv_decreases_after_first_epochs: #{(l, λ) : WCSS_l(E) > WCSS_l(S₁)} ≤ 0   — "the estimated TCV
//                              decreasing after the initial epochs", in the paper's (raw) units.
//   relative_tcv_decreases_after_first_epochs: the same for WCSS/TSS (our scale-free reading).
//   tcv_decreases_with_lambda: #{l : WCSS_l(E) at λ_max > WCSS_l(E) at λ_min} ≤ 0   — "at
//                              convergence, the computed TCV seems to decrease as a function of λ".
// Stationarity. The first four claims are about the training trajectory (the tails and the WCSS
// "as the epoch increases", compared at equal epochs), not about stationary points, and are decided
// on the GD iterates whatever their stationarity. tcv_decreases_with_lambda is about the end points
// "at convergence": it is decided only when the last snapshots of λ_min and λ_max are stationary to
// the checks' tolerance (‖∇L_λ‖ ≤ 1e-9·‖2λΘ‖), and is otherwise Inconclusive with the stationarity
// reached (experiments/experiment.hpp, require_stationary). Fixed-epoch GD on the default preset
// ends at stationarity ~0.6–4 (η = 0.5, 500 epochs): the claim is Inconclusive there; reaching
// 1e-9 would need an L-BFGS continuation of thousands of iterations per λ (trainer work).
// A claim needing a run without a measurement is Inconclusive; one whose comparison does not
// exist (a single λ; fewer than 3 snapshots for the S₁ claims) is NotApplicable.
//
// Plotted: per (λ, layer) the curves e(r) against r, one series per snapshot ("epoch 50", …, log
// y); per λ the class WCSS against the epoch, one line per layer (log y), its last points circled
// when the run's end is not stationary to kConvergedTol.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "experiments/experiment.hpp"
#include "experiments/mnist_subset.hpp"
#include "lib/cluster/cluster.hpp"
#include "lib/nn/mlp.hpp"
#include "lib/nn/train.hpp"
#include "lib/spectral/spectral.hpp"
#include "theorems/params.hpp"

namespace nrc {

namespace {

const std::string kId = "fig3";
constexpr double kTailEps = 0.1;
// "At convergence" (tcv_decreases_with_lambda): the checks' stationarity tolerance, ‖∇L_λ‖ ≤ 1e-9·‖2λΘ‖
// (theorems/network_instances.hpp).
constexpr double kConvergedTol = 1e-9;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<nlohmann::json> make_points(Preset preset, std::uint64_t seed) {
  const bool paper = preset == Preset::Paper;
  const std::vector<std::int64_t> widths =
      paper ? std::vector<std::int64_t>{784, 256, 256, 256, 10} : std::vector<std::int64_t>{784, 64, 64, 10};
  const std::vector<double> lambdas = {1e-4, 1e-3, 1e-2};
  std::vector<nlohmann::json> pts;
  for (std::size_t i = 0; i < lambdas.size(); ++i) {
    pts.push_back(classifier_point(paper ? 10000 : 2000, widths, lambdas[i], i, seed));
    pts.back().update({{"method", "gd"},
                       {"learning_rate", 0.5},
                       {"epochs", paper ? 5000 : 500},
                       {"snapshot_every", paper ? 100 : 50}});
  }
  return pts;
}


// One snapshot of the run: per layer e(r), class WCSS and WCSS/TSS; loss and accuracy.
nlohmann::json snapshot(std::uint64_t epoch, const Mlp& net, const Subset& d, Loss loss, double lambda) {
  const Forward fw = forward(net, d.X);
  const double data_loss = loss_sum(loss, fw.Z.back(), d.Y) / static_cast<double>(d.labels.n_elem);
  double penalty = 0;
  for (arma::uword l = 0; l < net.depth(); ++l)
    penalty += arma::accu(arma::square(net.W[l])) + arma::accu(arma::square(net.b[l]));
  const arma::uvec one_block(d.labels.n_elem, arma::fill::zeros);
  nlohmann::json e = nlohmann::json::array(), w = nlohmann::json::array(), rel = nlohmann::json::array();
  for (arma::uword l = 0; l < net.depth(); ++l) {
    const arma::vec s = singular_values(net.W[l]);
    std::vector<double> tail;
    for (arma::uword r = 1; r <= s.n_elem; ++r) tail.push_back(tail_error(s, r));
    e.push_back(tail);
    const arma::mat P = stack_points(fw.Z[l + 1], d.Y);
    const double within = wcss(P, d.labels), total = wcss(P, one_block);
    w.push_back(within);
    rel.push_back(total > 0 ? within / total : kNaN);
  }
  return {{"epoch", epoch},
          {"loss", data_loss + lambda * penalty},
          {"data_loss", data_loss},
          {"accuracy", accuracy(fw.Z.back(), d.labels)},
          {"e", e},
          {"wcss", w},
          {"relative_wcss", rel}};
}

Evidence evaluate(const nlohmann::json& p) {
  const ClassifierPoint pt = read_classifier_point(p, kId, 16, TrainMethod::GradientDescent);
  TrainOptions o = pt.training;
  o.learning_rate = params::real(p, kId, "learning_rate", 0, 1e6, true);
  o.stationarity_tol = 0;   // a fixed number of epochs, as the paper
  const auto epochs = static_cast<std::uint64_t>(params::integer(p, kId, "epochs", 1, 1000000000));
  const auto every = static_cast<std::uint64_t>(params::integer(p, kId, "snapshot_every", 1, 1000000000));

  Evidence e;
  std::optional<Classifier> run = load_classifier(pt, kId, e.inconclusive);
  if (!run) return e;
  const Subset& data = run->data;
  Mlp& net = run->net;
  const auto t0 = std::chrono::steady_clock::now();
  nlohmann::json snaps = nlohmann::json::array();
  std::uint64_t epoch = 0;
  TrainResult r;
  for (;;) {
    snaps.push_back(snapshot(epoch, net, data, o.loss, o.lambda));
    if (epoch >= epochs) break;
    o.max_iterations = std::min(every, epochs - epoch);
    r = train(net, data.X, data.Y, o);
    if (r.status == TrainStatus::Diverged) {
      e.inconclusive = fmt::format("gradient descent diverged in epochs {}–{}: {}", epoch, epoch + o.max_iterations,
                                   r.message);
      break;
    }
    epoch += r.iterations;
  }
  release_nn_workspace();
  e.metrics["snapshots"] = snaps;
  e.metrics["train_status"] = std::string(name(r.status));
  e.metrics["stationarity"] = r.stationarity;
  e.metrics["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (e.inconclusive.empty()) e.not_applicable = "measurement";
  return e;
}

// ---------------------------------------------------------------------------------------------
// Conclusion.

struct Run {
  double lambda = kNaN;
  std::size_t lambda_index = 0;
  double stationarity = kNaN;   // ‖∇L_λ‖/‖2λΘ‖ at the last snapshot
  std::vector<double> epochs;
  std::vector<std::vector<std::vector<double>>> e;   // e[snapshot][layer][r − 1]
  std::vector<std::vector<double>> wcss, rel;        // [snapshot][layer]
  std::size_t layers() const { return e.empty() ? 0 : e.front().size(); }
};

std::optional<Run> read_run(const Record& rec) {
  if (rec.verdict != Verdict::NotApplicable || !rec.metrics.contains("snapshots")) return std::nullopt;
  Run run;
  run.lambda = rec.params.at("lambda").get<double>();
  run.lambda_index = rec.params.at("lambda_index").get<std::size_t>();
  if (rec.metrics.contains("stationarity") && rec.metrics["stationarity"].is_number())
    run.stationarity = rec.metrics["stationarity"].get<double>();
  auto numbers = [](const nlohmann::json& a) {
    std::vector<double> v;
    for (const auto& x : a) v.push_back(x.is_number() ? x.get<double>() : kNaN);
    return v;
  };
  for (const auto& s : rec.metrics["snapshots"]) {
    run.epochs.push_back(s.at("epoch").get<double>());
    std::vector<std::vector<double>> curves;
    for (const auto& c : s.at("e")) curves.push_back(numbers(c));
    run.e.push_back(std::move(curves));
    run.wcss.push_back(numbers(s.at("wcss")));
    run.rel.push_back(numbers(s.at("relative_wcss")));
  }
  if (run.epochs.empty()) return std::nullopt;
  return run;
}

// r₀ = min{r ≤ p : e(r) ≤ kTailEps}, else p (1-based).
std::size_t initial_soft_rank(const std::vector<double>& e) {
  for (std::size_t r = 1; r <= e.size(); ++r)
    if (e[r - 1] <= kTailEps) return r;
  return e.size();
}

// Counted comparisons lower ≤ upper: lhs = violations, rhs = 0, every case listed in the notes.
struct Tally {
  Evidence e;
  std::size_t compared = 0, violations = 0;
  std::string cases;
  void add(const std::string& what, double lower, double upper) {
    ++compared;
    const bool holds = lower <= upper;   // NaN never holds
    if (!holds) ++violations;
    cases += fmt::format("{}{}: {:.4g} {} {:.4g}", cases.empty() ? "" : ", ", what, lower, holds ? "≤" : ">", upper);
    e.metrics["cases"].push_back({{"case", what}, {"lhs", lower}, {"rhs", upper}, {"holds", holds}});
  }
  Evidence done() {
    e.lhs = static_cast<double>(violations);
    e.rhs = 0;
    e.metrics["compared"] = compared;
    e.metrics["holding"] = compared - violations;
    if (compared > 0) e.notes = fmt::format("{} of {} cases hold ({})", compared - violations, compared, cases);
    return e;
  }
};

Conclusion conclude(const std::vector<Record>& recs) {
  Conclusion c;
  std::vector<Run> runs;
  std::string missing;
  for (const Record& rec : recs) {
    if (std::optional<Run> run = read_run(rec))
      runs.push_back(std::move(*run));
    else
      missing += fmt::format("{}λ = {:.3g} ({})", missing.empty() ? "" : ", ", rec.params.at("lambda").get<double>(),
                             rec.notes.empty() ? std::string(name(rec.verdict)) : rec.notes);
  }
  std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.lambda < b.lambda; });

  for (const Run& run : runs) {
    for (std::size_t l = 0; l < run.layers(); ++l) {
      Figure f;
      f.id = fmt::format("fig3_tails_lambda{}_layer{}", run.lambda_index, l + 1);
      f.title = fmt::format("Tail e(r) of W_{}'s singular values during training, λ = {:.3g}", l + 1, run.lambda);
      f.xlabel = "r";
      f.ylabel = "e(r) = Σ_{i≥r} σ_i / Σ_i σ_i";
      f.logy = true;
      for (std::size_t k = 0; k < run.epochs.size(); ++k) {
        Series s{fmt::format("epoch {}", run.epochs[k]), {}, run.e[k][l]};
        for (std::size_t r = 1; r <= s.y.size(); ++r) s.x.push_back(static_cast<double>(r));
        f.series.push_back(std::move(s));
      }
      c.figures.push_back(std::move(f));
    }
    Figure t;
    t.id = fmt::format("fig3_tcv_lambda{}", run.lambda_index);
    t.title = fmt::format("Estimated TCV (class WCSS of (z^l, y), eq. 6) during training, λ = {:.3g}", run.lambda);
    t.xlabel = "epoch";
    t.ylabel = "WCSS_l(classes)";
    t.logy = true;
    for (std::size_t l = 0; l < run.layers(); ++l) {
      Series s{fmt::format("layer {}", l + 1), run.epochs, {}};
      for (const auto& w : run.wcss) s.y.push_back(w[l]);
      t.series.push_back(std::move(s));
    }
    // The last snapshot is the run's end point, what tcv_decreases_with_lambda takes "at convergence";
    // the earlier ones are a trajectory, which no claim asks to be stationary.
    if (!(run.stationarity <= kConvergedTol))
      for (std::size_t l = 0; l < run.layers(); ++l) mark_not_converged(t, run.epochs.back(), run.wcss.back()[l]);
    c.figures.push_back(std::move(t));
  }

  // Every claim needs every run (Inconclusive, naming the missing ones), then its comparison must
  // exist (NotApplicable otherwise).
  auto precondition = [&](bool applicable, const std::string& why) -> std::optional<Evidence> {
    Evidence e;
    if (!missing.empty())
      e.inconclusive = "no measurement for " + missing;
    else if (!applicable)
      e.not_applicable = why;
    else
      return std::nullopt;
    return e;
  };
  std::string common;
  for (const Run& run : runs)
    common += fmt::format("{}λ = {:.3g}: {} epochs", common.empty() ? "" : "; ", run.lambda, run.epochs.back());

  auto add_claim = [&](const std::string& claim_name, const std::string& statement, Evidence e) {
    if (!common.empty()) e.notes += (e.notes.empty() ? "" : "; ") + common;
    c.claims.push_back(exact_claim(claim_name, statement, std::move(e)));
  };
  {  // (a) the tail lightens with training
    const std::string statement =
        fmt::format("for every layer and λ, e(r₀) at the last snapshot ≤ e(r₀) at epoch 0, r₀ = the initial rk({}) "
                    "(first r with e₀(r) ≤ {}): number of (layer, λ) cases violating it ≤ 0",
                    kTailEps, kTailEps);
    if (auto e = precondition(!runs.empty(), "no runs")) {
      add_claim("tail_lightens", statement, *e);
    } else {
      Tally t;
      for (const Run& run : runs)
        for (std::size_t l = 0; l < run.layers(); ++l) {
          const std::size_t r0 = initial_soft_rank(run.e.front()[l]);
          t.add(fmt::format("λ = {:.3g}, layer {}, r₀ = {}", run.lambda, l + 1, r0), run.e.back()[l][r0 - 1],
                run.e.front()[l][r0 - 1]);
        }
      add_claim("tail_lightens", statement, t.done());
    }
  }
  const bool two_lambdas = runs.size() >= 2 && runs.front().lambda < runs.back().lambda;
  // at_convergence: the claim is about the end points as stationary points (require_stationary).
  auto across_lambda = [&](const std::string& claim_name, const std::string& statement, bool at_convergence,
                           auto value) {
    if (auto e = precondition(two_lambdas, "needs runs at two λ")) {
      add_claim(claim_name, statement, *e);
      return;
    }
    Tally t;
    const Run &lo = runs.front(), &hi = runs.back();
    for (std::size_t l = 0; l < std::min(lo.layers(), hi.layers()); ++l)
      t.add(fmt::format("layer {}", l + 1), value(hi, l), value(lo, l));
    Evidence e = t.done();
    if (at_convergence) {
      auto use = [](const Run& r) {
        return PointUse{fmt::format("λ = {:.3g} after {} epochs", r.lambda, r.epochs.back()),
                        r.stationarity <= kConvergedTol, r.stationarity, kConvergedTol};
      };
      require_stationary(e, {use(lo), use(hi)});
    }
    add_claim(claim_name, statement, std::move(e));
  };
  across_lambda("lighter_with_larger_lambda",
                fmt::format("for every layer, e(r₀) at the last snapshot for the largest λ ≤ for the smallest λ, r₀ "
                            "= the initial rk({}) of the smallest λ's run: number of layers violating it ≤ 0",
                            kTailEps),
                false, [&](const Run& run, std::size_t l) {
                  const std::size_t r0 = initial_soft_rank(runs.front().e.front()[l]);
                  return run.e.back()[l][r0 - 1];
                });
  across_lambda("tcv_decreases_with_lambda",
                "for every layer, the class WCSS at the last snapshot for the largest λ ≤ for the smallest λ: number "
                "of layers violating it ≤ 0 (\"at convergence\": the last snapshots must be stationary)",
                true, [](const Run& run, std::size_t l) { return run.wcss.back()[l]; });

  auto after_first_epochs = [&](const std::string& claim_name, const std::string& statement, bool relative) {
    const bool enough = !runs.empty() && std::all_of(runs.begin(), runs.end(), [](const Run& r) {
      return r.epochs.size() >= 3;
    });
    if (auto e = precondition(enough, "needs ≥ 3 snapshots per run (epoch 0, S₁, a later one)")) {
      add_claim(claim_name, statement, *e);
      return;
    }
    Tally t;
    for (const Run& run : runs) {
      const auto& v = relative ? run.rel : run.wcss;
      for (std::size_t l = 0; l < run.layers(); ++l)
        t.add(fmt::format("λ = {:.3g}, layer {}", run.lambda, l + 1), v.back()[l], v[1][l]);
    }
    add_claim(claim_name, statement, t.done());
  };
  after_first_epochs("tcv_decreases_after_first_epochs",
                     "for every layer and λ, the class WCSS of (z^l, y) at the last snapshot ≤ at the first snapshot "
                     "after epoch 0: number of (layer, λ) cases violating it ≤ 0",
                     false);
  after_first_epochs("relative_tcv_decreases_after_first_epochs",
                     "for every layer and λ, the class WCSS of (z^l, y) divided by its total variance, at the last "
                     "snapshot ≤ at the first snapshot after epoch 0: number of (layer, λ) cases violating it ≤ 0",
                     true);
  return c;
}

}  // namespace

Experiment make_fig3_experiment() {
  return {kId, "Figure 3",
          "tanh network on real MNIST digits, full-batch GD for several λ: per-layer singular-value tails e(r) and "
          "class WCSS during training",
          make_points, evaluate, conclude};
}

}  // namespace nrc
