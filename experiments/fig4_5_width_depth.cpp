// Figures 4 and 5 (Section 6.4): the soft rank rk(0.1) of trained layers against the width and the
// depth of a tanh network on real MNIST digits, for several weight decays λ. Experiment fig4_5.
//
// Paper setup: fully connected tanh networks trained on MNIST to stationary points; Figure 4 plots
// rk(0.1) = min{r : e(r) ≤ 0.1} (eq. 22; it keeps rk − 1 singular values) "of the intermediate
// matrix of a four hidden layer network" against the hidden width n, one line per λ; Figure 5 the
// rk(0.1) averaged over every layer's matrix against the number of hidden layers at fixed width
// "twice the input dimension", one line per λ. The paper gives neither the widths, the depths nor
// the λ values. We read "intermediate matrix" as the hidden-to-hidden n×n matrices W_2 … W_{L−1}
// (averaged when there are several), and Figure 5's average as the mean over all L matrices,
// input and output layers included (its caption: "each layer's matrix").
//
// Presets. Both train to the checks' stationarity tolerance, ‖∇L_λ‖ ≤ 1e-9·‖2λΘ‖, by method newton
// (L-BFGS, then trust-region Newton–CG from stationarity 1e-3). On the default preset it met the
// tolerance on 8 of 15 runs in 3 minutes, as L-BFGS alone did in 5 minutes with a budget of 20,000;
// the runs short of it were still in the L-BFGS phase, where Lanczos finds negative curvature
// (bench/README.md, 2026-12-06). "paper": the full 10,000 digits; width sweep 784-n-n-n-n-10 (four
// hidden layers), n ∈ {64, 128, 256, 512, 1024}; depth sweep at width 1568 = 2·784 with 1 … 5
// hidden layers; budget 100,000 (not run here: days).
// "default": N = 1,000 digits (a seeded uniform subset), average-pooled 4×4 to 49 pixels; width
// sweep 49-n-n-n-10 (three hidden layers, two intermediate matrices), n ∈ {24, 49, 98}; depth sweep
// at width 98 = 2·49 with 1, 2, 3 hidden layers; budget kDefaultMaxIterations (gradient-sized
// units, lib/nn/train.hpp), which keeps the default report within 10 minutes on 2 cores. Runs short
// of the tolerance are measurements flagged with the stationarity they reached; claims resting on
// them are Inconclusive. The (n = 98, 3 hidden layers) network belongs to both sweeps and is trained
// once. Pixels in [0, 1] (no PCA: the input layer's rank is part of Figure 5's average, and a PCA
// input would change it). Both presets: λ ∈ {1e-4, 1e-3, 1e-2}. Every point uses the same subset
// and the same initialization seed (derive_seed(seed, 0) and (seed, 1)): the λ of one architecture share Θ_0.
//
// Objective trained (eq. 3 with biases; softmax cross-entropy on one-hot labels, the natural loss
// for classification — the paper does not say which it used):
//     L_λ(Θ) = (1/N) Σ_i −log softmax(f(Θ, x_i))_{y_i} + λ Σ_l (‖W_l‖_F² + ‖b_l‖²),
// f with tanh hidden layers and an identity output layer (logits), W_l ~ N(0, 1/n_{l−1}),
// b_l ~ N(0, 0.1²), by method newton (lib/nn/train) until ‖∇L_λ‖ ≤ tol·‖2λΘ‖ (eq. (4) up to
// its factor 2 holds to a relative tol) or the iteration cap. A diverged run is Inconclusive; a run
// stopped at the cap short of tol is still a measurement, flagged (its status and stationarity in
// the record, and counted in every claim's notes). On the default sizes the intermediate rk(0.1)
// settles long before the tolerance: it was the same at stationarity 0.2 and 0.03 in a trial run.
//
// Claims (thresholds declared here, before any run, and never adjusted to a result). rk_int(n, λ)
// is the mean rk(0.1) of the intermediate matrices in the width sweep, rk_avg(h, λ) the mean over
// all matrices in the depth sweep (h hidden layers); spread(v) = (max v − min v)/max v.
//   rank_decreasing_in_lambda_width: mean_n rk_int(n, λ_max) ≤ mean_n rk_int(n, λ_min)
//   rank_decreasing_in_lambda_depth: mean_h rk_avg(h, λ_max) ≤ mean_h rk_avg(h, λ_min)
//                              — "the rank is a decreasing function of λ" (non-increasing: ties hold).
//   mild_width_dependence:     max_λ spread_n rk_int(n, λ) ≤ kMildSpread = 0.5  — "when λ is fixed,
//                              the rank of stationary points depends only very mildly on the width".
//   mild_depth_dependence:     spread_h rk_avg(h, λ_max) ≤ kMildSpread = 0.5  — "we do not observe a
//                              dependence of the average rank on the depth, at least for large enough
//                              λ": checked at the largest λ, the spreads at every λ in the notes.
// 0.5 is our reading of "mild": the rank varies by less than a factor 2 over the sweep. A claim
// needing a point without a measurement is Inconclusive; one whose comparison does not exist (one
// λ, one width or depth) is NotApplicable.
//
// Plotted: Figure 4, rk_int against n (log x), one line per λ; Figure 5, rk_avg against the number
// of hidden layers, one line per λ; on both the points short of the tolerance circled.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "experiments/experiment.hpp"
#include "experiments/mnist_subset.hpp"
#include "lib/common/error.hpp"
#include "lib/nn/mlp.hpp"
#include "lib/nn/train.hpp"
#include "lib/spectral/spectral.hpp"
#include "theorems/params.hpp"

namespace nrc {

namespace {

const std::string kId = "fig4_5";
const std::vector<std::string> kSweeps = {"width", "depth"};
constexpr double kMildSpread = 0.5;
// The checks' stationarity tolerance (theorems/network_instances.hpp): ‖∇L_λ‖ ≤ 1e-9·‖2λΘ‖.
constexpr double kStationarityTol = 1e-9;
// The default preset's pooling (7×7 = 49 pixels) and training budget (header).
constexpr std::int64_t kDefaultPool = 4;
constexpr std::int64_t kDefaultMaxIterations = 12000;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<std::int64_t> network(std::int64_t input, std::int64_t width, std::int64_t hidden) {
  std::vector<std::int64_t> w(static_cast<std::size_t>(hidden) + 2, width);
  w.front() = input;
  w.back() = 10;
  return w;
}

std::vector<nlohmann::json> make_points(Preset preset, std::uint64_t seed) {
  const bool paper = preset == Preset::Paper;
  const std::int64_t pool = paper ? 1 : kDefaultPool, input = 784 / (pool * pool);
  const std::vector<std::int64_t> widths =
      paper ? std::vector<std::int64_t>{64, 128, 256, 512, 1024} : std::vector<std::int64_t>{24, 49, 98};
  const std::vector<std::int64_t> depths = paper ? std::vector<std::int64_t>{1, 2, 3, 4, 5}
                                                 : std::vector<std::int64_t>{1, 2, 3};
  // Figure 5's width, "twice the input dimension": 1568 (paper), 98 (default, 49 pooled pixels).
  const std::int64_t width_sweep_depth = paper ? 4 : 3, depth_sweep_width = 2 * input;
  const std::vector<double> lambdas = {1e-4, 1e-3, 1e-2};
  // (width, hidden layers) → the sweeps it belongs to; largest networks first, so that 2 threads
  // finish together.
  std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::string>> nets;
  for (std::int64_t n : widths) nets[{n, width_sweep_depth}].push_back("width");
  for (std::int64_t h : depths) nets[{depth_sweep_width, h}].push_back("depth");
  std::vector<nlohmann::json> pts;
  for (auto it = nets.rbegin(); it != nets.rend(); ++it)
    for (std::size_t i = 0; i < lambdas.size(); ++i) {
      pts.push_back(classifier_point(paper ? 10000 : 1000, network(input, it->first.first, it->first.second),
                                     lambdas[i], i, seed, pool));
      pts.back().update({{"sweeps", it->second},
                         {"method", "newton"},
                         {"stationarity_tol", kStationarityTol},
                         {"max_iterations", paper ? 100000 : kDefaultMaxIterations},
                         {"eps", 0.1}});
    }
  return pts;
}


double mean(const std::vector<double>& v) {
  if (v.empty()) return kNaN;
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

Evidence evaluate(const nlohmann::json& p) {
  const ClassifierPoint pt = read_classifier_point(p, kId, 64, TrainMethod::Newton);
  require(p.contains("sweeps") && p["sweeps"].is_array() && !p["sweeps"].empty(), kId,
          "parameter 'sweeps': expected a non-empty list of {{width, depth}}");
  for (const auto& s : p["sweeps"])
    require(s.is_string() && std::find(kSweeps.begin(), kSweeps.end(), s.get<std::string>()) != kSweeps.end(), kId,
            "parameter 'sweeps': expected entries 'width' or 'depth', got {}", s.dump());
  TrainOptions o = pt.training;
  o.stationarity_tol = params::real(p, kId, "stationarity_tol", 0, 1, true);
  o.max_iterations = static_cast<std::uint64_t>(params::integer(p, kId, "max_iterations", 1, 1000000000));
  const double eps = params::real(p, kId, "eps", 0, 1);

  Evidence unavailable;
  std::optional<Classifier> run = load_classifier(pt, kId, unavailable.inconclusive);
  if (!run) return unavailable;
  Mlp& net = run->net;
  const auto t0 = std::chrono::steady_clock::now();
  const TrainResult r = train(net, run->data.X, run->data.Y, o);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double acc = accuracy(forward(net, run->data.X).Z.back(), run->data.labels);
  release_nn_workspace();

  Evidence e = training_evidence(r, seconds, o.stationarity_tol);
  e.metrics["accuracy"] = acc;
  if (!e.inconclusive.empty()) return e;
  std::vector<double> rk, intermediate;
  for (arma::uword l = 0; l < net.depth(); ++l) {
    rk.push_back(static_cast<double>(soft_rank(singular_values(net.W[l]), eps)));
    if (l > 0 && l + 1 < net.depth()) intermediate.push_back(rk.back());
  }
  e.metrics["rk"] = rk;
  e.metrics["rk_intermediate"] = mean(intermediate);   // NaN (null) without a hidden-to-hidden matrix
  e.metrics["rk_mean"] = mean(rk);
  return e;
}

// ---------------------------------------------------------------------------------------------
// Conclusion.

// One sweep as the conclusion sees it: per λ index and x, the value (NaN where no measurement) and
// the point's stationarity.
struct Cell {
  double value = kNaN;
  PointUse use;
};
struct Sweep {
  std::map<std::size_t, double> lambdas;                    // λ index → λ
  std::map<std::size_t, std::map<double, Cell>> cells;     // λ index → (x → cell)
  std::vector<std::string> missing, not_stationary;
};

double metric_number(const nlohmann::json& m, const char* key) {
  return m.contains(key) && m[key].is_number() ? m[key].get<double>() : kNaN;
}

bool in_sweep(const Record& rec, const std::string& sweep) {
  const auto& s = rec.params.at("sweeps");
  return std::find(s.begin(), s.end(), sweep) != s.end();
}

// x = the hidden width (width sweep) or the number of hidden layers (depth sweep).
Sweep read_sweep(const std::vector<Record>& recs, const std::string& sweep) {
  Sweep g;
  const bool width = sweep == "width";
  for (const Record& rec : recs) {
    if (!in_sweep(rec, sweep)) continue;
    const auto& w = rec.params.at("widths");
    const double x = width ? w.at(1).get<double>() : static_cast<double>(w.size() - 2);
    const auto il = rec.params.at("lambda_index").get<std::size_t>();
    const double lambda = rec.params.at("lambda").get<double>();
    g.lambdas[il] = lambda;
    const std::string at = fmt::format("(λ = {:.3g}, {} = {})", lambda, width ? "n" : "hidden layers", x);
    Cell cell;
    cell.value = rec.verdict == Verdict::NotApplicable ? metric_number(rec.metrics, width ? "rk_intermediate" : "rk_mean")
                                                       : kNaN;
    cell.use = {at, rec.metrics.contains("train_status") && rec.metrics["train_status"] == "stationary",
                metric_number(rec.metrics, "stationarity"), metric_number(rec.params, "stationarity_tol")};
    if (std::isnan(cell.value)) g.missing.push_back(at);
    if (!cell.use.stationary) g.not_stationary.push_back(describe(cell.use));
    g.cells[il][x] = cell;
  }
  return g;
}

std::string list(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

Figure plot(const Sweep& g, const std::string& id, const std::string& title, const std::string& xlabel,
            const std::string& ylabel, bool logx) {
  Figure f;
  f.id = id;
  f.title = title;
  f.xlabel = xlabel;
  f.ylabel = ylabel;
  f.logx = logx;
  for (const auto& [il, line] : g.cells) {
    Series s{fmt::format("λ = {:.3g}", g.lambdas.at(il)), {}, {}};
    for (const auto& [x, cell] : line) {
      s.x.push_back(x);
      s.y.push_back(cell.value);
    }
    f.series.push_back(std::move(s));
  }
  for (const auto& [il, line] : g.cells)
    for (const auto& [x, cell] : line)
      if (!cell.use.stationary) mark_not_converged(f, x, cell.value);
  return f;
}

double spread(const std::map<double, Cell>& line) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& [x, cell] : line) {
    lo = std::min(lo, cell.value);
    hi = std::max(hi, cell.value);
  }
  return hi > 0 ? (hi - lo) / hi : 0.0;
}

std::vector<PointUse> uses(const std::map<double, Cell>& line) {
  std::vector<PointUse> u;
  for (const auto& [x, cell] : line) u.push_back(cell.use);
  return u;
}

bool all_stationary(const std::map<double, Cell>& line) {
  return std::all_of(line.begin(), line.end(), [](const auto& kv) { return kv.second.use.stationary; });
}

Conclusion conclude(const std::vector<Record>& recs) {
  Conclusion c;
  const Sweep ws = read_sweep(recs, "width"), ds = read_sweep(recs, "depth");
  c.figures.push_back(plot(ws, "fig4_rank_vs_width",
                           "rk(0.1) of the intermediate (hidden-to-hidden) matrices against the hidden width",
                           "hidden width n", "rk(0.1), mean over the intermediate matrices", true));
  c.figures.push_back(plot(ds, "fig5_rank_vs_depth", "rk(0.1) averaged over every layer's matrix against the depth",
                           "hidden layers", "rk(0.1), mean over the layers", false));

  auto notes_of = [](const Sweep& g, std::size_t points) {
    return fmt::format("{} of {} points not stationary{}{}", g.not_stationary.size(), points,
                       g.not_stationary.empty() ? "" : ": ", list(g.not_stationary));
  };
  auto points_of = [](const Sweep& g) {
    std::size_t n = 0;
    for (const auto& [il, line] : g.cells) n += line.size();
    return n;
  };
  // Inconclusive when a needed point has no measurement, NotApplicable when the comparison does not exist.
  auto precondition = [](const Sweep& g, bool applicable, const std::string& why) -> std::optional<Evidence> {
    Evidence e;
    if (!g.missing.empty())
      e.inconclusive = "no measurement at " + list(g.missing);
    else if (!applicable)
      e.not_applicable = why;
    else
      return std::nullopt;
    return e;
  };

  // Restricted to stationary points: compared at every x where both λ ends are stationary (a
  // subset of the architectures says the same thing: the rank falls with λ at each of them).
  auto decreasing = [&](const Sweep& g, const std::string& claim_name, const std::string& what) {
    const std::string statement = fmt::format(
        "mean over the {} where both ends are stationary of rk(0.1) at the largest λ ≤ at the smallest λ", what);
    const bool two = g.cells.size() >= 2;
    std::optional<Evidence> pre = precondition(g, two, "needs two λ");
    Evidence e;
    if (pre) {
      e = *pre;
    } else {
      const auto& lo = g.cells.begin()->second;
      const auto& hi = g.cells.rbegin()->second;
      std::vector<double> vlo, vhi;
      std::vector<PointUse> skipped;
      std::string cases;
      for (const auto& [x, cell] : lo) {
        if (!hi.count(x)) continue;   // compare like with like
        if (!cell.use.stationary || !hi.at(x).use.stationary) {
          for (const Cell* cl : {&cell, &hi.at(x)})
            if (!cl->use.stationary) skipped.push_back(cl->use);
          continue;
        }
        vlo.push_back(cell.value);
        vhi.push_back(hi.at(x).value);
        cases += fmt::format("{}{}: {:.3g} vs {:.3g}", cases.empty() ? "" : ", ", x, hi.at(x).value, cell.value);
      }
      if (vlo.empty() && skipped.empty()) {
        e.not_applicable = "no width/depth trained at both ends of λ";
      } else {
        if (vlo.empty()) {
          require_stationary(e, skipped);   // nothing left to compare: Inconclusive, listing them
        } else {
          e.lhs = mean(vhi);
          e.rhs = mean(vlo);
          e.notes = fmt::format("λ_max = {:.3g} vs λ_min = {:.3g} at {}", g.lambdas.rbegin()->second,
                                g.lambdas.begin()->second, cases);
          if (!skipped.empty()) {
            std::string s;
            for (const auto& u : skipped) s += (s.empty() ? "" : ", ") + describe(u);
            e.notes += "; left out (not stationary): " + s;
          }
        }
      }
    }
    const std::string common = notes_of(g, points_of(g));
    e.notes += (e.notes.empty() ? "" : "; ") + common;
    c.claims.push_back(exact_claim(claim_name, statement, std::move(e)));
  };
  decreasing(ws, "rank_decreasing_in_lambda_width", "widths (intermediate matrices)");
  decreasing(ds, "rank_decreasing_in_lambda_depth", "depths (all layers)");

  auto spreads = [](const Sweep& g) {
    std::string s;
    for (const auto& [il, line] : g.cells)
      s += fmt::format("{}λ = {:.3g}: {:.3g}{}", s.empty() ? "" : ", ", g.lambdas.at(il), spread(line),
                       all_stationary(line) ? "" : " (not all stationary)");
    return s;
  };
  {
    // "For every λ": a λ whose widths are all stationary and whose spread exceeds the threshold
    // refutes it; a Pass needs every λ's widths stationary (a spread over fewer widths would say less).
    const std::string statement =
        fmt::format("for every λ, (max − min)/max of the intermediate rk(0.1) over the widths ≤ {} (declared)",
                    kMildSpread);
    const bool several = !ws.cells.empty() && std::all_of(ws.cells.begin(), ws.cells.end(), [](const auto& kv) {
      return kv.second.size() >= 2;
    });
    Evidence e;
    if (auto pre = precondition(ws, several, "needs two widths at every λ")) {
      e = *pre;
    } else {
      double settled = 0, all = 0;
      std::vector<PointUse> unsettled;
      for (const auto& [il, line] : ws.cells) {
        all = std::max(all, spread(line));
        if (all_stationary(line)) {
          settled = std::max(settled, spread(line));
        } else {
          for (const auto& u : uses(line)) unsettled.push_back(u);
        }
      }
      e.rhs = kMildSpread;
      e.notes = "spreads " + spreads(ws);
      if (settled > kMildSpread || unsettled.empty()) {
        e.lhs = settled;   // decided on the stationary lines alone
      } else {
        e.lhs = all;
        require_stationary(e, unsettled);
      }
    }
    e.notes += (e.notes.empty() ? "" : "; ") + notes_of(ws, points_of(ws));
    c.claims.push_back(exact_claim("mild_width_dependence", statement, std::move(e)));
  }
  {
    const std::string statement = fmt::format(
        "at the largest λ, (max − min)/max of the layer-averaged rk(0.1) over the depths ≤ {} (declared)", kMildSpread);
    Evidence e;
    if (auto pre = precondition(ds, !ds.cells.empty() && ds.cells.rbegin()->second.size() >= 2,
                                "needs two depths at the largest λ")) {
      e = *pre;
    } else {
      e.lhs = spread(ds.cells.rbegin()->second);
      e.rhs = kMildSpread;
      e.notes = "spreads " + spreads(ds);
      require_stationary(e, uses(ds.cells.rbegin()->second));
    }
    e.notes += (e.notes.empty() ? "" : "; ") + notes_of(ds, points_of(ds));
    c.claims.push_back(exact_claim("mild_depth_dependence", statement, std::move(e)));
  }
  return c;
}

}  // namespace

Experiment make_fig4_5_experiment() {
  return {kId, "Figures 4 and 5",
          "tanh networks on real MNIST digits trained by L-BFGS then Newton–CG: rk(0.1) against the hidden width "
          "and the depth, for several λ",
          make_points, evaluate, conclude};
}

}  // namespace nrc
