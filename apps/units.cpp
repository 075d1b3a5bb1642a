#include "apps/units.hpp"

#include <map>
#include <set>

#include <fmt/format.h>

#include "lib/common/error.hpp"
#include "lib/common/rng.hpp"
#include "theorems/runner.hpp"

namespace nrc::cli {

namespace {

const Experiment& find_experiment(const std::string& id) {
  for (const Experiment& e : experiments())
    if (e.id == id) return e;
  invalid_arg("compute_unit", fmt::format("unknown experiment id '{}'", id));
}

DataShape shape_of(const Unit& u) {
  const auto s = u.at("shape").get<std::vector<arma::uword>>();
  require(s.size() == 4, "compute_unit", "a data search's shape is [d, c, N, K], got {}", u.at("shape").dump());
  return {s[0], s[1], s[2], s[3]};
}

DataSearchSpec data_spec_of(const Unit& u) {
  DataSearchSpec spec;
  spec.seed = u.at("seed").get<std::uint64_t>();
  spec.starts = u.at("starts").get<std::size_t>();
  spec.evaluations = u.at("evaluations").get<std::size_t>();
  return spec;
}

SearchSpec search_spec_of(const Unit& u) {
  SearchSpec spec;
  spec.seed = u.at("seed").get<std::uint64_t>();
  spec.rounds = u.at("rounds").get<std::size_t>();
  spec.per_round = u.at("per_round").get<std::size_t>();
  return spec;
}

std::string kind_of(const Unit& u) {
  require(u.is_object() && u.contains("kind") && u.at("kind").is_string(), "compute_unit",
          "a unit is an object with a \"kind\", got {}", u.dump().substr(0, 80));
  return u.at("kind").get<std::string>();
}

}   // namespace

void compute_unit(const Unit& u, const RecordSink& sink) {
  const std::string kind = kind_of(u);
  try {
    if (kind == "instances") {
      const Check& check = find_check(u.at("check").get<std::string>());
      const auto seed = u.at("seed").get<std::uint64_t>();
      for (const auto& i : u.at("indices")) {
        Record r = evaluate_seed(check, derive_seed(seed, i.get<std::uint64_t>()));
        r.run_seed = seed;
        r.index = i.get<std::uint64_t>();
        sink(r);
      }
    } else if (kind == "mutant") {
      const Check& check = find_check(u.at("check").get<std::string>());
      const auto k = u.at("mutant").get<std::size_t>();
      require(k < check.mutants.size(), "compute_unit", "{} has {} mutants, not a mutant #{}", check.id,
              check.mutants.size(), k);
      sink(evaluate_mutant(check, check.mutants[k]));
    } else if (kind == "point") {
      const Experiment& exp = find_experiment(u.at("experiment").get<std::string>());
      sink(evaluate_point(exp, u.at("params"), u.at("seed").get<std::uint64_t>(), u.at("index").get<std::size_t>()));
    } else if (kind == "data_search") {
      data_search(find_check(u.at("check").get<std::string>()), shape_of(u), {}, data_spec_of(u), sink);
    } else if (kind == "search_start") {
      std::vector<Record> reuse;
      for (const auto& r : u.at("reuse")) reuse.push_back(record_from_json(r));
      refine_start(find_check(u.at("check").get<std::string>()), record_from_json(u.at("record")),
                   u.at("start").get<std::size_t>(), reuse, search_spec_of(u), sink);
    } else {
      invalid_arg("compute_unit", fmt::format("unknown unit kind '{}'", kind));
    }
  } catch (const nlohmann::json::exception& e) {
    invalid_arg("compute_unit", fmt::format("malformed {} unit ({})", kind, e.what()));
  }
}

std::string describe_unit(const Unit& u) {
  const std::string kind = kind_of(u);
  if (kind == "instances") {
    const auto& ix = u.at("indices");
    return fmt::format("instances {} {}–{}", u.at("check").get<std::string>(), ix.front().get<std::uint64_t>(),
                       ix.back().get<std::uint64_t>());
  }
  if (kind == "mutant") return fmt::format("mutant {} #{}", u.at("check").get<std::string>(), u.at("mutant").dump());
  if (kind == "point") return fmt::format("point {} #{}", u.at("experiment").get<std::string>(), u.at("index").dump());
  if (kind == "data_search")
    return fmt::format("data search {} {}", u.at("check").get<std::string>(), shape_of(u).label());
  return fmt::format("{} {} #{}", kind, u.value("check", ""), u.value("start", std::size_t{0}));
}

SearchSpec report_search_spec(const ReportPlan& plan) {
  SearchSpec spec;
  spec.seed = plan.seed;
  if (plan.preset == Preset::Paper) spec.rounds = 30;
  return spec;
}

DataSearchSpec report_data_search_spec(const ReportPlan& plan) {
  DataSearchSpec spec;
  spec.seed = plan.seed;
  if (plan.preset == Preset::Paper) {
    spec.starts = 8;
    spec.evaluations = 6000;
  }
  return spec;
}

std::vector<Unit> independent_units(const ReportPlan& plan) {
  std::vector<Unit> units;
  for (const Experiment* e : plan.experiments) {
    const std::vector<nlohmann::json> pts = experiment_points(*e, plan.preset, plan.seed);
    for (std::size_t i = 0; i < pts.size(); ++i)
      units.push_back(
          {{"kind", "point"}, {"experiment", e->id}, {"seed", plan.seed}, {"index", i}, {"params", pts[i]}});
  }
  const DataSearchSpec dspec = report_data_search_spec(plan);
  for (const Check* c : plan.checks)
    for (const DataShape& s : data_search_shapes(*c))
      units.push_back({{"kind", "data_search"},
                       {"check", c->id},
                       {"shape", {s.d, s.c, s.N, s.K}},
                       {"seed", dspec.seed},
                       {"starts", dspec.starts},
                       {"evaluations", dspec.evaluations}});
  for (const Check* c : plan.checks)
    for (std::size_t k = 0; k < c->mutants.size(); ++k)
      units.push_back({{"kind", "mutant"}, {"check", c->id}, {"mutant", k}});
  for (const Check* c : plan.checks)
    for (std::uint64_t first = 0; first < plan.trials; first += kInstancesPerUnit) {
      std::vector<std::uint64_t> indices;
      for (std::uint64_t i = first; i < std::min<std::uint64_t>(plan.trials, first + kInstancesPerUnit); ++i)
        indices.push_back(i);
      units.push_back({{"kind", "instances"}, {"check", c->id}, {"seed", plan.seed}, {"indices", indices}});
    }
  return units;
}

std::vector<Unit> search_units(const ReportPlan& plan, const std::vector<Record>& records) {
  const SearchSpec spec = report_search_spec(plan);
  std::vector<Unit> units;
  for (const Check* c : plan.checks) {
    std::vector<Record> run;                       // this run's instances of the check
    std::map<std::size_t, nlohmann::json> reuse;   // start → its search records among `records`
    for (const Record& r : records) {
      if (r.check != c->id) continue;
      if (r.run_seed == plan.seed && r.index && *r.index < plan.trials) run.push_back(r);
      if (r.metrics.contains("search") && r.metrics.at("search").contains("start"))
        reuse[r.metrics.at("search").at("start").get<std::size_t>()].push_back(to_json(r));
    }
    const std::vector<Record> starts = search_starts(*c, run, spec);
    for (std::size_t s = 0; s < starts.size(); ++s)
      units.push_back({{"kind", "search_start"},
                       {"check", c->id},
                       {"start", s},
                       {"record", to_json(starts[s])},
                       {"seed", spec.seed},
                       {"rounds", spec.rounds},
                       {"per_round", spec.per_round},
                       {"reuse", reuse.count(s) ? reuse[s] : nlohmann::json::array()}});
  }
  return units;
}

std::vector<Unit> remaining_units(const std::vector<Unit>& units, const std::vector<Record>& records) {
  // Indexes of what `records` hold, built once: instance indices per (check, run seed); the params of
  // mutants and points per check; the data searches.
  std::map<std::pair<std::string, std::uint64_t>, std::set<std::uint64_t>> instances;
  std::set<std::string> keyed;   // "check\nmutant\nparams" and "experiment\nparams"
  std::vector<Record> data_searches;
  for (const Record& r : records) {
    if (r.index && r.run_seed) instances[std::make_pair(r.check, *r.run_seed)].insert(*r.index);
    if (r.metrics.contains("mutant") && r.metrics.at("mutant").is_string())
      keyed.insert(r.check + "\n" + r.metrics.at("mutant").get<std::string>() + "\n" + r.params.dump());
    if (r.params.contains("point")) keyed.insert(r.check + "\n" + r.params.dump());
    if (r.metrics.contains("search") && r.metrics.at("search").is_object() &&
        r.metrics.at("search").value("kind", "") == "data")
      data_searches.push_back(r);
  }
  std::vector<Unit> out;
  for (const Unit& u : units) {
    const std::string kind = kind_of(u);
    if (kind == "instances") {
      const auto it =
          instances.find(std::make_pair(u.at("check").get<std::string>(), u.at("seed").get<std::uint64_t>()));
      Unit rest = u;
      rest["indices"] = nlohmann::json::array();
      for (const auto& i : u.at("indices"))
        if (it == instances.end() || !it->second.count(i.get<std::uint64_t>())) rest["indices"].push_back(i);
      if (!rest["indices"].empty()) out.push_back(std::move(rest));
    } else if (kind == "mutant") {
      const Check& check = find_check(u.at("check").get<std::string>());
      const Mutant& m = check.mutants.at(u.at("mutant").get<std::size_t>());
      if (!keyed.count(check.id + "\n" + m.name + "\n" + m.params.dump())) out.push_back(u);
    } else if (kind == "point") {
      if (!keyed.count(u.at("experiment").get<std::string>() + "\n" + u.at("params").dump())) out.push_back(u);
    } else if (kind == "data_search") {
      if (!find_data_search(data_searches, u.at("check").get<std::string>(), shape_of(u), data_spec_of(u)))
        out.push_back(u);
    } else {
      out.push_back(u);
    }
  }
  return out;
}

}   // namespace nrc::cli
