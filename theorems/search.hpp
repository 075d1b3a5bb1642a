#pragma once
// Tightness search: the largest lhs/rhs a check reaches, by local refinement around the tightest
// instances of a random run. A ratio above 1 found here is a counterexample like any other.
#include <cstdint>
#include <string>
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
// check, same params, a search record of the same start) is reused, so a rerun after an interruption
// repeats the same path without recomputing. Deterministic for a given spec and check.
SearchResult tightness_search(const Check& check, const std::vector<Record>& run_records,
                              const std::vector<Record>& existing, const SearchSpec& spec,
                              const std::function<void(const Record&)>& sink);

// The pieces of tightness_search, for spreading its starts over processes: the run's `spec.starts`
// tightest rankable instances of the check (tightest first), and the refinement from start number
// `s`. Each start draws its perturbations from its own stream (derived from the seed, the check and
// s) and reuses only records of the same start number, so a start computed anywhere, alone, gives
// the records tightness_search gives it.
std::vector<Record> search_starts(const Check& check, const std::vector<Record>& run_records, const SearchSpec& spec);
SearchResult refine_start(const Check& check, const Record& start, std::size_t s, const std::vector<Record>& existing,
                          const SearchSpec& spec, const std::function<void(const Record&)>& sink);

// ---------------------------------------------------------------------------------------------
// Nelder–Mead: derivative-free maximization (the objectives below are ratios of closed forms with
// kinks — partitions switch, singular values cross — where gradients mislead). NLopt's
// NLOPT_LN_NELDERMEAD (Debian's libnlopt-dev; its Nelder–Mead is MIT-licensed), restarted with a
// fresh simplex around the best point while a run ends early, within one evaluation budget.
struct NelderMeadOptions {
  std::size_t max_evaluations = 2000;
  double initial_step = 0.5;   // simplex edge along each coordinate axis
  double value_tol = 1e-12;    // a run ends when the simplex's values agree to this (relative) …
  double size_tol = 1e-10;     // … and its vertices to this (absolute, max-norm)
  std::size_t restarts = 4;    // fresh simplices around the best point after a run ends early
};

struct NelderMeadResult {
  arma::vec x;             // the best point found
  double value = 0;        // f(x)
  std::size_t evaluations = 0;
  std::size_t runs = 0;    // simplices started (1 + restarts used)
};

// Maximizes f from x0. f may return −∞ or NaN for an infeasible point (never accepted as better).
// Deterministic. Throws invalid_argument on an empty x0, a zero budget or a non-positive step.
NelderMeadResult maximize_nelder_mead(const std::function<double(const arma::vec&)>& f, const arma::vec& x0,
                                      const NelderMeadOptions& options = {});

// ---------------------------------------------------------------------------------------------
// Sharpness on data: an adversarial search over the instance's own numbers. For the checks that take
// explicit data in their parameters ({"data": "explicit", "X", "Y", "lambda", "K"}: thm_5_3,
// thm_5_3_refined, thm_5_4, thm_5_4_refined), Nelder–Mead maximizes (lhs − err)/rhs of the check's
// double-precision measurement over the entries of X (d×N) and Y (c×N) and λ, for small shapes
// (d, c, N, K), from several seeded starts. Subtracting the rounding estimate err keeps the search
// from climbing on rounding noise (a ratio that only rounding makes large is worth nothing). The
// data are parametrized as in the theorems: K balanced blocks (sample i in block i mod K), each
// sample its block's centroid plus a deviation with zero block mean, and four log-scales (X
// centroids, X deviations, Y centroids, Y deviations) so that the search reaches the regimes where
// one part dominates another by orders of magnitude:
//     x = [log λ, 4 log-scales, X centroids (d×K), Y centroids (c×K), X deviations (d×N), Y deviations (c×N)].
// (The block structure only parametrizes the data: the checks choose their own partition — exact
// enumeration, N ≤ 10.) The best point of all starts becomes an ordinary record whose params hold the
// explicit data (`nrc replay ID --params '…'` reproduces it), judged by the runner (50 digits when
// double cannot decide), with metrics["search"] = {"kind": "data", "shape", "seed", "starts",
// "budget", "evaluations", "objective", "start_values"}.
struct DataShape {
  arma::uword d = 1, c = 1, N = 2, K = 1;
  std::string label() const;   // "d=2 c=1 N=2 K=1"
};

// The shapes searched for a check (empty: the check is not searched over data).
std::vector<DataShape> data_search_shapes(const Check& check);

// The explicit-data parameters of search point x (layout above) for a shape. Throws
// invalid_argument when x has the wrong length.
nlohmann::json data_search_params(const DataShape& shape, const arma::vec& x);
std::size_t data_search_dimension(const DataShape& shape);

struct DataSearchSpec {
  std::size_t starts = 4;          // seeded random starts per shape
  std::size_t evaluations = 1500;  // objective evaluations per start
  std::uint64_t seed = 1;          // start randomness (per check and shape: derived from this)
  unsigned threads = 1;            // starts run concurrently (results identical for any count)
};

struct DataSearchResult {
  DataShape shape;
  std::optional<Record> best;      // the best instance (none: no feasible point, e.g. NotApplicable)
  bool reused = false;             // taken from the records (a rerun after an interruption)
};

// The search for one check and shape. A record of an identical earlier search (same check, shape,
// seed, starts and budget; metrics["search"]["kind"] = "data") among `existing` is reused instead of
// searching again; otherwise the new record goes to `sink`.
DataSearchResult data_search(const Check& check, const DataShape& shape, const std::vector<Record>& existing,
                             const DataSearchSpec& spec, const std::function<void(const Record&)>& sink);

// The record of an identical earlier search among `records` (what data_search reuses), or null.
const Record* find_data_search(const std::vector<Record>& records, const std::string& check, const DataShape& shape,
                               const DataSearchSpec& spec);

}  // namespace nrc
