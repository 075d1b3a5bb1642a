#pragma once
// The report's computation as units: independent pieces of work, each giving one or more records and
// described by a JSON object, so that a unit computed in another process (an MPI rank) or another job
// (a shard) gives exactly the records it gives here. Every record a unit gives depends on the unit's
// description only, never on where, when or beside what it runs.
//
//   {"kind": "point", "experiment": id, "seed": S, "index": i, "params": {…}}        one training run
//   {"kind": "data_search", "check": id, "shape": [d, c, N, K], "seed": S, "starts": n, "evaluations": m}
//   {"kind": "mutant", "check": id, "mutant": k}                                     the check's k-th mutant
//   {"kind": "instances", "check": id, "seed": S, "indices": [i, …]}                 instances of run S
//   {"kind": "search_start", "check": id, "start": s, "record": {…}, "rounds": r, "per_round": p, "seed": S,
//    "reuse": [records]}                           start s of the tightness search (theorems/search.hpp)
//
// nrc report computes in two phases. Phase 1, the units that need nothing else: training runs first
// (the longest, so that the short ones fill the gaps at the end), then data searches, mutants and
// check instances in blocks of at most kInstancesPerUnit. Phase 2, the tightness search's starts, which
// start from phase 1's tightest instances. What remains (the search results, the experiments'
// conclusions, the figures, REPORT.md) is assembled from the records, computing nothing.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "experiments/experiment.hpp"
#include "theorems/record.hpp"
#include "theorems/registry.hpp"
#include "theorems/search.hpp"

namespace nrc::cli {

using Unit = nlohmann::json;
using RecordSink = std::function<void(const Record&)>;

inline constexpr std::size_t kInstancesPerUnit = 16;

// Computes the unit, giving each record to `sink` as soon as it is made. Throws invalid_argument on a
// malformed unit (unknown kind, check or experiment, missing fields).
void compute_unit(const Unit& unit, const RecordSink& sink);

// A one-line description for messages: "instances thm_5_4 32–47", "point fig2 #3".
std::string describe_unit(const Unit& unit);

// What one run of nrc report computes.
struct ReportPlan {
  std::vector<const Check*> checks;
  std::vector<const Experiment*> experiments;
  Preset preset = Preset::Default;
  std::uint64_t seed = 1;
  std::uint64_t trials = 0;
};

// The searches' settings for a preset (the paper preset searches longer).
SearchSpec report_search_spec(const ReportPlan& plan);
DataSearchSpec report_data_search_spec(const ReportPlan& plan);

// Phase 1: every unit of the plan, finished or not, in the order they are handed out. The list
// depends on the plan only (a shard takes the units at positions ≡ i mod n of it).
std::vector<Unit> independent_units(const ReportPlan& plan);

// Phase 2: one unit per start of each check's tightness search, from the run's records of phase 1;
// each carries the records of its start already among `records`, which it reuses.
std::vector<Unit> search_units(const ReportPlan& plan, const std::vector<Record>& records);

// The parts of `units` that `records` do not hold yet: instance blocks lose their finished indices,
// finished points, mutants and data searches are dropped (search starts are kept: they reuse).
std::vector<Unit> remaining_units(const std::vector<Unit>& units, const std::vector<Record>& records);

}   // namespace nrc::cli
