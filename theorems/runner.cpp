#include "theorems/runner.hpp"

#include <cmath>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "lib/common/error.hpp"
#include "lib/common/parallel.hpp"
#include "lib/common/rng.hpp"
#include "theorems/tolerances.hpp"

namespace nrc {

namespace {

template <class Input>
Evidence measure(const std::function<Evidence(const Input&)>& evaluate, const Input& input) {
  try {
    return evaluate(input);
  } catch (const std::invalid_argument&) {
    throw;   // malformed parameters or data: the caller's input is wrong
  } catch (const std::exception& ex) {
    Evidence e;
    e.inconclusive = std::string("numerical failure: ") + ex.what();
    return e;
  }
}

// lhs − rhs as the evidence computed it.
double difference(const Evidence& e) { return e.difference.value_or(e.lhs - e.rhs); }

// The runner's estimate of err for a check that omits it, from the same instance at reference
// precision (see runner.hpp): the double result's distance from the reference result, plus the
// reference's own error, taken as that distance scaled by the ratio of the two unit roundoffs (the
// error of a backward-stable computation is proportional to its unit roundoff), twice over for
// safety; an estimate, not a bound. Sets both evidences' err.
void estimate_err(Evidence& dbl, Evidence& ref) {
  constexpr double kUnitRoundoffRatio = 1e-34;   // cpp_bin_float_50: u ≈ 1e-50, against double's 1.1e-16
  const double distance = std::abs(difference(dbl) - difference(ref));
  ref.err = ref.err.value_or(2 * kUnitRoundoffRatio * distance);
  dbl.err = (2 * distance + *ref.err) * (1 + 4 * tol::unit_roundoff);   // the sum's own rounding
}

// Measures in double, escalates to the reference path when double cannot decide, judges, records.
// Without `escalate` (a mutant: wrong by a margin, not by rounding) double decides; the reference
// evaluation then serves only to estimate an omitted err.
template <class Input>
Record decide(const Check& check, const nlohmann::json& params, const std::function<Evidence(const Input&)>& evaluate,
              const std::function<Evidence(const Input&)>& reference, const Input& input, bool escalate = true) {
  Record r;
  r.check = check.id;
  r.paper_ref = check.paper_ref;
  r.params = params;
  Evidence e = measure(evaluate, input);
  std::optional<Evidence> ref;
  std::string precision_notes;
  const bool measured = e.not_applicable.empty() && e.inconclusive.empty();
  if (measured && !e.err && reference) {
    ref = measure(reference, input);
    if (ref->not_applicable.empty() && ref->inconclusive.empty()) {
      estimate_err(e, *ref);
      precision_notes = fmt::format("err estimated by the runner from a {} re-evaluation", kReferencePrecision);
    } else {
      e.inconclusive = "err omitted, and the reference evaluation that would estimate it failed: " +
                       (ref->inconclusive.empty() ? ref->not_applicable : ref->inconclusive);
    }
  }
  Judgement j = judge(e);
  if (j.within_rounding && reference && escalate) {
    precision_notes += fmt::format("{}double precision undecided (|lhs - rhs| <= err = {:.3g}); decided at {}",
                                   precision_notes.empty() ? "" : "; ", *e.err, kReferencePrecision);
    // The double measurement's metrics stay (summaries read them on every record); those the
    // reference path measured again replace theirs.
    nlohmann::json metrics = std::move(e.metrics);
    e = ref ? std::move(*ref) : measure(reference, input);
    metrics.update(e.metrics);
    e.metrics = std::move(metrics);
    j = judge(e);
    r.precision = kReferencePrecision;
  }
  r.lhs = e.lhs;
  r.rhs = e.rhs;
  r.err = e.err.value_or(std::numeric_limits<double>::quiet_NaN());   // none: Inconclusive, said in notes
  r.rhs_upper = e.rhs_upper;
  r.ratio = j.ratio;
  r.slack = e.difference ? -*e.difference : j.slack;
  r.verdict = j.verdict;
  for (const std::string* part : {&precision_notes, &j.note, &e.notes})
    if (!part->empty()) r.notes += (r.notes.empty() ? "" : "; ") + *part;
  r.metrics = e.metrics;
  return r;
}

}  // namespace

Record evaluate_params(const Check& check, const nlohmann::json& params) {
  return decide(check, params, check.evaluate, check.evaluate_reference, params);
}

void require_known_params(const Check& check, const nlohmann::json& params) {
  if (!params.is_object() || !check.draw) return;   // evaluate says what is wrong with a non-object
  // The generator's names: over enough draws to see every conditional branch (the rarest, e.g.
  // prop_4_1's "decades" or thm_5_1's "sigma_x", appear in about half of all draws).
  std::set<std::string> known(check.optional_params.begin(), check.optional_params.end());
  for (std::uint64_t i = 0; i < 64; ++i) {
    EngineDraw draw(derive_seed(0x6b657973, i));
    const nlohmann::json drawn = check.draw(draw);   // kept alive: items() only refers to it
    for (const auto& [key, value] : drawn.items()) known.insert(key);
  }
  for (const auto& [key, value] : params.items())
    if (!known.count(key)) {
      std::string names;
      for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
      invalid_arg(check.id, fmt::format("unknown parameter '{}' (this check takes: {})", key, names));
    }
}

Record evaluate_user_data(const Check& check, const UserData& data) {
  if (!check.evaluate_data) {
    std::string takes;
    for (const Check& c : registry())
      if (c.evaluate_data) takes += (takes.empty() ? "" : ", ") + c.id;
    throw std::invalid_argument(fmt::format("nrc::evaluate_user_data(): check '{}' does not take user data (these do: {})",
                                            check.id, takes));
  }
  return decide(check, data.source, check.evaluate_data, check.evaluate_data_reference, data);
}

Record evaluate_mutant(const Check& check, const Mutant& mutant) {
  const auto& evaluate = mutant.evaluate ? mutant.evaluate : check.evaluate;
  const auto& reference = mutant.evaluate ? mutant.evaluate_reference : check.evaluate_reference;
  Record r = decide(check, mutant.params, evaluate, reference, mutant.params, /*escalate=*/false);
  r.metrics["mutant"] = mutant.name;
  return r;
}

Record evaluate_seed(const Check& check, std::uint64_t instance_seed) {
  EngineDraw draw(instance_seed);
  Record r = evaluate_params(check, check.draw(draw));
  r.seed = instance_seed;
  return r;
}

void run_check(const Check& check, const RunSpec& spec, const std::set<std::uint64_t>& done,
               const std::function<void(const Record&)>& sink) {
  std::vector<std::uint64_t> todo;
  for (std::uint64_t i = 0; i < spec.trials; ++i)
    if (!done.count(i)) todo.push_back(i);
  std::mutex sink_mutex;
  parallel_for(todo.size(), spec.threads, [&](std::size_t k) {
    Record r = evaluate_seed(check, derive_seed(spec.seed, todo[k]));
    r.run_seed = spec.seed;
    r.index = todo[k];
    const std::lock_guard<std::mutex> lock(sink_mutex);
    sink(r);
  });
}

Reusable reusable_records(const std::vector<Record>& records, const Provenance& here, bool any) {
  Reusable out;
  for (const Record& r : records) {
    const bool same_commit = r.build.commit == here.commit, same_threads = r.build.blas_threads == here.blas_threads;
    out.other_commit += !same_commit;
    out.other_threads += same_commit && !same_threads;
    if (any || (same_commit && same_threads)) out.records.push_back(r);
  }
  return out;
}

}  // namespace nrc
