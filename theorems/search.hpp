#pragma once
// Tightness search: the largest lhs/rhs a check reaches, by local refinement around the tightest
// instances of a random run. A ratio above 1 found here is a counterexample like any other.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "theorems/record.hpp"
#include "theorems/registry.hpp"

namespace nrc {

struct SearchSpec {
  std::size_t starts = 2;      // refine around this many of the run's highest-ratio instances
  std::size_t rounds = 8;      // rounds per start
  std::size_t per_round = 4;   // perturbed candidates per round
  std::uint64_t seed = 1;      // perturbation randomness (per check: derived from this and the id)
  unsigned threads = 1;        // candidates of a round evaluated concurrently
};

struct SearchResult {
  std::optional<Record> best;        // the tightest instance found (a Fail first), with params
  double start_ratio = 0;            // the best ratio of the random run the search started from
  std::size_t evaluated = 0;         // candidates evaluated (reused ones included)
  std::size_t rejected = 0;          // perturbations the check refused as invalid parameters
};

// Perturbs the params of the current best: real numbers × exp(0.3·N(0,1)); integers (and integer
// list entries) ±1 with probability 0.3; keys ending in "seed" and strings are kept, so the
// refinement stays near the same data. Candidates the check rejects (invalid_argument) are counted
// and dropped. Each evaluated candidate's record (replayable by --params; metrics["search"] =
// {"start", "round"}) goes to `sink`, under a lock; a candidate already among `existing` (same
// check, same params, a search record) is reused, so a rerun after an interruption repeats the
// same path without recomputing. Deterministic for a given spec and check.
SearchResult tightness_search(const Check& check, const std::vector<Record>& run_records,
                              const std::vector<Record>& existing, const SearchSpec& spec,
                              const std::function<void(const Record&)>& sink);

}  // namespace nrc
