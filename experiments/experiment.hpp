#pragma once
// The paper's experiments (Figures 1–5). Each experiment is a list of measurement points (one
// training run each: resumable, one record per point) and a conclusion drawn from the finished
// points: the plotted series (figure records) and a verdict on each of the figure's claims (claim
// records, decided by the same judge as the checks). reports/ renders these records; nothing here
// formats or plots.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "theorems/judge.hpp"
#include "theorems/record.hpp"

namespace nrc {

enum class Preset {
  Default,   // reduced sizes: the whole report in about 10 minutes on 2 cores
  Paper      // the paper's sizes (784-400-300-400-784, N = 10,000, K = 10, full MNIST digits)
};
std::string_view name(Preset p);             // "default", "paper"
Preset parse_preset(std::string_view s);     // throws invalid_argument naming the presets

struct Series {
  // What a series is to the reader; reports/figures.cpp draws each role apart, in colours no other
  // role uses, so a guide or a warning is never mistaken for data.
  enum class Role {
    Data,           // measured or computed values
    Reference,      // a guide a claim is read against (a claimed slope, ratio = 1): grey, dashed
    NotConverged,   // markers at points whose training stopped short of its tolerance: black open circles
                    // (on a heatmap, black cell outlines)
  };
  std::string name;
  std::vector<double> x, y;
  // A reference curve (a closed form beside measured runs): drawn dashed, in the colour of the solid
  // series of the same rank (the k-th dashed series pairs with the k-th solid one).
  bool dashed = false;
  bool points = false;   // markers only, no line: a scatter
  Role role = Role::Data;
};

// One plot. A line plot when `series` is non-empty; a heatmap when `z` is (z[iy][ix] at (x[ix], y[iy])),
// which draws only NotConverged series over its cells.
struct Figure {
  std::string id;                 // file stem, unique in the report: "fig1_layer2"
  std::string title, xlabel, ylabel, zlabel;
  bool logx = false, logy = false;
  std::vector<Series> series;
  std::vector<double> x, y;
  std::vector<std::vector<double>> z;
};
nlohmann::json to_json(const Figure& f);
Figure figure_from_json(const nlohmann::json& j);   // throws invalid_argument on a malformed figure

// The line y = c·x^slope over the x range of `data`'s solid Data series, c putting it through the
// geometric mean of their positive finite points (so it sits among the lines it is compared with),
// named "slope <slope> (claimed)": a claim about a log–log slope is read against it. No points when
// `data` has none.
Series slope_reference(const std::vector<Series>& data, double slope);

// Adds (x, y) to `f`'s "not converged" series (created on first use; non-finite y left out): on a
// heatmap (x, y) is a cell's grid values.
void mark_not_converged(Figure& f, double x, double y);

struct Claim {
  std::string name;        // short key, unique in the experiment: "quadratic_in_sigma"
  std::string statement;   // the paper's claim as checked, lhs ≤ rhs stated in words
  Evidence evidence;
};

// A claim whose statistic (a slope, a count, a rank) is compared with a threshold set far from where
// rounding could move it: an omitted err is 0 (a given one is kept).
inline Claim exact_claim(std::string name, std::string statement, Evidence evidence) {
  if (!evidence.err) evidence.err = 0;
  return {std::move(name), std::move(statement), std::move(evidence)};
}

struct Conclusion {
  std::vector<Figure> figures;
  std::vector<Claim> claims;
};

struct Experiment {
  std::string id;          // "fig1"
  std::string paper_ref;   // "Figure 1"
  std::string title;       // one line: what is trained on what
  // The points of a preset, each a complete JSON parameter object (seeds included, derived from
  // the run seed): the same (preset, seed) always gives the same list.
  std::function<std::vector<nlohmann::json>(Preset, std::uint64_t seed)> points;
  // Trains and measures one point; metrics carry the measured values. A point is a measurement,
  // not a claim: not_applicable = "measurement" when it trained (a run that stopped short of its
  // tolerance is still measured, flagged in its metrics, and the claims say what they do with it),
  // inconclusive = why when it did not (diverged, data missing); never throw for a numerical failure.
  std::function<Evidence(const nlohmann::json&)> evaluate_point;
  // From the point records, in the order of points(); pure (no training), so it is cheap to redo.
  std::function<Conclusion(const std::vector<Record>&)> conclude;
};

struct TrainResult;
// A point's evidence from a run trained to a tolerance: the trainer's status, iterations,
// stationarity, loss and seconds; Inconclusive when it diverged, else a measurement, flagged in the
// notes when it stopped short of tol. One wording, so that every experiment flags its runs alike.
Evidence training_evidence(const TrainResult& r, double seconds, double tol);
// The same record of one of several runs of a point, its keys suffixed "_" + tag
// (train_status_full, stationarity_full, curvature_full, …). The report finds every run of a
// record by its train_status[_tag] key (reports/format.cpp, certificate_markdown).
void record_training(nlohmann::json& metrics, const TrainResult& r, const std::string& tag);

// A point a claim uses, as the conclusion reads it from the point's record.
struct PointUse {
  std::string at;               // where it sits, e.g. "(λ = 0.0001, σ = 1)"
  bool stationary = false;      // its training reached its stationarity tolerance
  double stationarity = 0;      // ‖∇L_λ‖/‖2λΘ‖ reached (NaN when not recorded)
  double tol = 0;               // the tolerance it was trained to (NaN when not recorded)
};
// "(λ = …): stationarity 57.8 > tol 1e-06".
std::string describe(const PointUse& p);

// The figures' claims are about stationary points (the paper's layers "at convergence", "the rank
// of stationary points"), so a claim decided on a point that stopped short of its tolerance is
// evidence of nothing: require_stationary makes such a claim Inconclusive — never Pass, never Fail —
// with a reason that counts those points and lists the stationarity each reached; lhs and rhs stay
// as measured. Evidence already Inconclusive or NotApplicable keeps its reason (the points are
// still counted in the notes). Returns how many of `used` were not stationary.
std::size_t require_stationary(Evidence& e, const std::vector<PointUse>& used);

// The registered experiments, in report order.
const std::vector<Experiment>& experiments();

struct ExperimentResult {
  std::vector<Record> points;    // in points() order
  std::vector<Record> claims;    // params {"claim": name, "preset": …, "seed": …}; metrics["statement"]
  std::vector<Record> figures;   // params {"figure": id, …}; metrics["figure"] = to_json(Figure)
};

// The parameters of the experiment's points for a preset and seed, in points() order, each with
// "point": its index and "preset" added: what a point record's params hold.
std::vector<nlohmann::json> experiment_points(const Experiment& exp, Preset preset, std::uint64_t seed);

// Point `index` of run `seed` (its params from experiment_points), trained and measured: its record.
Record evaluate_point(const Experiment& exp, const nlohmann::json& params, std::uint64_t seed, std::size_t index);

// Evaluates the points that `existing` does not already hold (a record of this experiment with
// identical params), `threads` at a time, giving each finished point record to `sink` at once
// (under a lock), and `progress(done, total)` after each; then concludes and gives the claim and
// figure records to `sink` too, unless `existing` holds them already, identical.
ExperimentResult run_experiment(const Experiment& exp, Preset preset, std::uint64_t seed,
                                const std::vector<Record>& existing, unsigned threads,
                                const std::function<void(const Record&)>& sink,
                                const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace nrc
