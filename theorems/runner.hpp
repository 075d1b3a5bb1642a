#pragma once
// Runs checks: the seeded sampler (instance i of a run with seed S has seed derive_seed(S, i)),
// replay of one instance, and resumption from records already written.
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "theorems/record.hpp"
#include "theorems/registry.hpp"

namespace nrc {

// Evaluates the check on explicit parameters and judges it. Throws invalid_argument on bad
// parameters; a numerical failure (std::runtime_error from LAPACK, …) becomes Inconclusive. A
// double-precision verdict within rounding of the bound is recomputed with the check's
// evaluate_reference, when it has one, and decided there (Record::precision says which).
// When the double evidence omits err, the runner estimates it: evaluate_reference runs on the
// instance too, δ = lhs − rhs from both, and err = 2·|δ_double − δ_reference| + the reference's own
// err (its hand estimate, or 2·10⁻³⁴·|δ_double − δ_reference|, the ratio of the unit roundoffs); then
// double decides or the reference does, exactly as with a hand estimate. This is an estimate, not a
// bound: it assumes the reference is accurate to well below the double result's error (true of
// backward-stable computations). The record's notes say the err was estimated. Without an
// evaluate_reference, an omitted err leaves the instance Inconclusive.
Record evaluate_params(const Check& check, const nlohmann::json& params);

// Rejects (invalid_argument naming the parameter and the known ones) a parameter object with a name
// the check does not take: one its generator never draws and that is not among its optional_params.
// For parameters a user typed (`nrc replay --params`): a misspelt name would otherwise run as an
// ordinary instance with the parameter silently ignored.
void require_known_params(const Check& check, const nlohmann::json& params);

// The check on a user's data (throws invalid_argument if the check takes none, or on bad data);
// escalates to the reference path like evaluate_params. Record::params holds data.source.
Record evaluate_user_data(const Check& check, const UserData& data);

// A mutant of the check, evaluated and judged like an instance (double precision decides: a mutant
// is wrong by a margin, not by rounding). metrics["mutant"] holds its name.
Record evaluate_mutant(const Check& check, const Mutant& mutant);

// The instance drawn from `instance_seed` by the seeded sampler, evaluated.
Record evaluate_seed(const Check& check, std::uint64_t instance_seed);

struct RunSpec {
  std::uint64_t trials = 100;
  std::uint64_t seed = 1;
  unsigned threads = 1;   // instances evaluated concurrently (records identical for any count)
};

// Runs indices 0..trials−1 of the run, skipping those in `done`; each finished record goes to
// `sink` at once (write it there, so an interruption loses nothing finished). With threads > 1
// records arrive in completion order; `sink` is called under a lock, never concurrently.
void run_check(const Check& check, const RunSpec& spec, const std::set<std::uint64_t>& done,
               const std::function<void(const Record&)>& sink);

// The records a run may reuse: those this build computes identically (same commit and BLAS thread
// count), or all of them with `any`; the others are counted.
struct Reusable {
  std::vector<Record> records;
  std::size_t other_commit = 0;    // made by another commit (or an unknown one)
  std::size_t other_threads = 0;   // same commit, another BLAS thread count
};
Reusable reusable_records(const std::vector<Record>& records, const Provenance& here, bool any);

}  // namespace nrc
