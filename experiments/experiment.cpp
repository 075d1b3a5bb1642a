#include "experiments/experiment.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <mutex>
#include <utility>

#include <fmt/format.h>

#include "lib/common/error.hpp"
#include "lib/common/parallel.hpp"
#include "lib/nn/train.hpp"
#include "theorems/runner.hpp"

namespace nrc {

std::string_view name(Preset p) { return p == Preset::Paper ? "paper" : "default"; }

Preset parse_preset(std::string_view s) {
  if (s == "default") return Preset::Default;
  if (s == "paper") return Preset::Paper;
  invalid_arg("parse_preset", fmt::format("expected a preset 'default' or 'paper', got '{}'", s));
}

void record_training(nlohmann::json& metrics, const TrainResult& r, const std::string& tag) {
  const std::string suffix = tag.empty() ? "" : "_" + tag;
  metrics["train_status" + suffix] = std::string(name(r.status));
  metrics["train_iterations" + suffix] = r.iterations;
  metrics["stationarity" + suffix] = r.stationarity;
  metrics["loss" + suffix] = r.loss;
  metrics["hessian_products" + suffix] = r.hessian_products;
  if (r.curvature.products > 0) {   // the second-order certificate (lib/nn/train.hpp, Curvature)
    metrics["curvature" + suffix] = std::string(name(r.curvature.kind));
    metrics["hessian_min" + suffix] = r.curvature.min;
    metrics["hessian_min_residual" + suffix] = r.curvature.min_residual;
    metrics["hessian_max" + suffix] = r.curvature.max;
  }
}

Evidence training_evidence(const TrainResult& r, double seconds, double tol) {
  Evidence e;
  record_training(e.metrics, r, "");
  e.metrics["stationary"] = r.status == TrainStatus::Stationary;
  e.metrics["seconds"] = seconds;
  if (r.status == TrainStatus::Diverged) {
    e.inconclusive = fmt::format("trainer diverged after {} iterations: {}", r.iterations, r.message);
    return e;
  }
  e.not_applicable = "measurement";
  if (r.status != TrainStatus::Stationary)
    e.notes = fmt::format("not stationary: {} after {} iterations (‖∇L_λ‖/‖2λΘ‖ = {:.3g} > tol {:.3g})",
                          name(r.status), r.iterations, r.stationarity, tol);
  return e;
}

std::string describe(const PointUse& p) {
  return fmt::format("{}: stationarity {:.3g} {} tol {:.3g}", p.at, p.stationarity, p.stationary ? "≤" : ">", p.tol);
}

std::size_t require_stationary(Evidence& e, const std::vector<PointUse>& used) {
  std::vector<const PointUse*> short_of;
  for (const PointUse& p : used)
    if (!p.stationary) short_of.push_back(&p);
  if (short_of.empty()) return 0;
  std::string list;
  for (const PointUse* p : short_of) list += (list.empty() ? "" : ", ") + describe(*p);
  const std::string what = fmt::format("rests on {} of {} points that did not reach stationarity ({})",
                                       short_of.size(), used.size(), list);
  if (e.inconclusive.empty() && e.not_applicable.empty())
    e.inconclusive = what + ": a claim about stationary points is not decided on them";
  else
    e.notes += (e.notes.empty() ? "" : "; ") + what;
  return short_of.size();
}

namespace {

constexpr std::array<std::pair<Series::Role, std::string_view>, 3> kRoles = {
    {{Series::Role::Data, "data"},
     {Series::Role::Reference, "reference"},
     {Series::Role::NotConverged, "not_converged"}}};

std::string_view name(Series::Role r) {
  for (const auto& [role, text] : kRoles)
    if (role == r) return text;
  return "data";
}

}  // namespace

Series slope_reference(const std::vector<Series>& data, double slope) {
  double lo = INFINITY, hi = -INFINITY, log_c = 0;
  std::size_t n = 0;
  for (const Series& s : data) {
    if (s.role != Series::Role::Data || s.dashed) continue;
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!(s.x[i] > 0 && s.y[i] > 0 && std::isfinite(s.x[i]) && std::isfinite(s.y[i]))) continue;
      lo = std::min(lo, s.x[i]);
      hi = std::max(hi, s.x[i]);
      log_c += std::log(s.y[i]) - slope * std::log(s.x[i]);
      ++n;
    }
  }
  Series ref{fmt::format("slope {} (claimed)", slope), {}, {}, true, false, Series::Role::Reference};
  if (n == 0) return ref;
  const double c = std::exp(log_c / static_cast<double>(n));
  ref.x = {lo, hi};
  ref.y = {c * std::pow(lo, slope), c * std::pow(hi, slope)};
  return ref;
}

void mark_not_converged(Figure& f, double x, double y) {
  if (!std::isfinite(x) || !std::isfinite(y)) return;
  auto it = std::find_if(f.series.begin(), f.series.end(),
                         [](const Series& s) { return s.role == Series::Role::NotConverged; });
  if (it == f.series.end()) {
    f.series.push_back({"not converged", {}, {}, false, true, Series::Role::NotConverged});
    it = std::prev(f.series.end());
  }
  it->x.push_back(x);
  it->y.push_back(y);
}

nlohmann::json to_json(const Figure& f) {
  nlohmann::json series = nlohmann::json::array();
  for (const auto& s : f.series)
    series.push_back({{"name", s.name},
                      {"x", s.x},
                      {"y", s.y},
                      {"dashed", s.dashed},
                      {"points", s.points},
                      {"role", std::string(name(s.role))}});
  return {{"id", f.id},     {"title", f.title}, {"xlabel", f.xlabel}, {"ylabel", f.ylabel}, {"zlabel", f.zlabel},
          {"logx", f.logx}, {"logy", f.logy},   {"series", series},   {"x", f.x},           {"y", f.y},
          {"z", f.z}};
}

Figure figure_from_json(const nlohmann::json& j) {
  try {
    Figure f;
    f.id = j.at("id").get<std::string>();
    f.title = j.value("title", "");
    f.xlabel = j.value("xlabel", "");
    f.ylabel = j.value("ylabel", "");
    f.zlabel = j.value("zlabel", "");
    f.logx = j.value("logx", false);
    f.logy = j.value("logy", false);
    for (const auto& s : j.value("series", nlohmann::json::array())) {
      Series se{s.at("name").get<std::string>(), {}, {}, s.value("dashed", false), s.value("points", false)};
      const std::string role = s.value("role", "data");   // records older than roles hold data series only
      const auto r = std::find_if(kRoles.begin(), kRoles.end(), [&](const auto& kv) { return kv.second == role; });
      require(r != kRoles.end(), "figure_from_json", "series '{}' has an unknown role '{}'", se.name, role);
      se.role = r->first;
      // null (a non-finite value written by the records) reads back as NaN
      for (const auto& v : s.at("x")) se.x.push_back(v.is_null() ? NAN : v.get<double>());
      for (const auto& v : s.at("y")) se.y.push_back(v.is_null() ? NAN : v.get<double>());
      require(se.x.size() == se.y.size(), "figure_from_json", "series '{}' has {} x and {} y values", se.name,
              se.x.size(), se.y.size());
      f.series.push_back(std::move(se));
    }
    for (const auto& v : j.value("x", nlohmann::json::array())) f.x.push_back(v.get<double>());
    for (const auto& v : j.value("y", nlohmann::json::array())) f.y.push_back(v.get<double>());
    for (const auto& row : j.value("z", nlohmann::json::array())) {
      std::vector<double> r;
      for (const auto& v : row) r.push_back(v.is_null() ? NAN : v.get<double>());
      require(r.size() == f.x.size(), "figure_from_json", "heatmap '{}': a row has {} values for {} x", f.id, r.size(),
              f.x.size());
      f.z.push_back(std::move(r));
    }
    require(f.z.empty() || f.z.size() == f.y.size(), "figure_from_json", "heatmap '{}': {} rows for {} y", f.id,
            f.z.size(), f.y.size());
    return f;
  } catch (const nlohmann::json::exception& e) {
    invalid_arg("figure_from_json", fmt::format("malformed figure: {}", e.what()));
  }
}

namespace {

Record judged(const Experiment& exp, nlohmann::json params, const Evidence& e) {
  Check c;
  c.id = exp.id;
  c.paper_ref = exp.paper_ref;
  c.evaluate = [&e](const nlohmann::json&) { return e; };
  return evaluate_params(c, params);
}

}  // namespace

std::vector<nlohmann::json> experiment_points(const Experiment& exp, Preset preset, std::uint64_t seed) {
  std::vector<nlohmann::json> pts = exp.points(preset, seed);
  for (std::size_t i = 0; i < pts.size(); ++i) {
    pts[i]["point"] = i;
    pts[i]["preset"] = std::string(name(preset));
  }
  return pts;
}

Record evaluate_point(const Experiment& exp, const nlohmann::json& params, std::uint64_t seed, std::size_t index) {
  Check point_check;
  point_check.id = exp.id;
  point_check.paper_ref = exp.paper_ref;
  point_check.evaluate = exp.evaluate_point;
  Record r = evaluate_params(point_check, params);
  r.run_seed = seed;
  r.index = index;
  return r;
}

ExperimentResult run_experiment(const Experiment& exp, Preset preset, std::uint64_t seed,
                                const std::vector<Record>& existing, unsigned threads,
                                const std::function<void(const Record&)>& sink,
                                const std::function<void(std::size_t, std::size_t)>& progress) {
  const std::vector<nlohmann::json> pts = experiment_points(exp, preset, seed);
  ExperimentResult out;
  out.points.resize(pts.size());
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    bool found = false;
    for (const Record& r : existing)
      if (r.check == exp.id && r.params == pts[i]) {
        out.points[i] = r;
        found = true;
      }
    if (!found) todo.push_back(i);
  }
  std::mutex lock;
  std::size_t done = pts.size() - todo.size();
  if (progress) progress(done, pts.size());
  parallel_for(todo.size(), threads, [&](std::size_t k) {
    const std::size_t i = todo[k];
    Record r = evaluate_point(exp, pts[i], seed, i);
    const std::lock_guard<std::mutex> guard(lock);
    out.points[i] = r;
    sink(r);
    if (progress) progress(++done, pts.size());
  });

  const Conclusion c = exp.conclude(out.points);
  // A conclusion is recomputed on every run; it is written only when no identical record is there
  // already, so rerunning a finished report adds nothing to the records file.
  auto emit = [&](const Record& r) {
    const std::string line = to_json(r).dump();
    for (const Record& old : existing)
      if (old.check == r.check && old.params == r.params && to_json(old).dump() == line) return;
    sink(r);
  };
  const nlohmann::json tag = {{"preset", std::string(name(preset))}, {"seed", seed}};
  for (const Claim& claim : c.claims) {
    nlohmann::json params = tag;
    params["claim"] = claim.name;
    Evidence e = claim.evidence;
    e.metrics["statement"] = claim.statement;
    Record r = judged(exp, params, e);
    emit(r);
    out.claims.push_back(std::move(r));
  }
  for (const Figure& f : c.figures) {
    nlohmann::json params = tag;
    params["figure"] = f.id;
    Evidence e;
    e.not_applicable = "plotted series";
    e.metrics["figure"] = to_json(f);
    Record r = judged(exp, params, e);
    emit(r);
    out.figures.push_back(std::move(r));
  }
  return out;
}

}  // namespace nrc
