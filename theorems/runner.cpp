#include "theorems/runner.hpp"

#include <stdexcept>

#include "lib/common/rng.hpp"

namespace nrc {

Record evaluate_params(const Check& check, const nlohmann::json& params) {
  Record r;
  r.check = check.id;
  r.paper_ref = check.paper_ref;
  r.params = params;
  Evidence e;
  try {
    e = check.evaluate(params);
  } catch (const std::invalid_argument&) {
    throw;   // malformed parameters: the caller's input is wrong
  } catch (const std::exception& ex) {
    e = Evidence{};
    e.inconclusive = std::string("numerical failure: ") + ex.what();
  }
  const Judgement j = judge(e);
  r.lhs = e.lhs;
  r.rhs = e.rhs;
  r.err = e.err;
  r.ratio = j.ratio;
  r.slack = j.slack;
  r.verdict = j.verdict;
  r.notes = e.notes;
  if (!j.note.empty()) r.notes = r.notes.empty() ? j.note : j.note + "; " + r.notes;
  r.metrics = e.metrics;
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
  for (std::uint64_t i = 0; i < spec.trials; ++i) {
    if (done.count(i)) continue;
    Record r = evaluate_seed(check, derive_seed(spec.seed, i));
    r.run_seed = spec.seed;
    r.index = i;
    sink(r);
  }
}

std::set<std::uint64_t> finished_indices(const std::vector<Record>& records, const std::string& check_id,
                                         std::uint64_t seed) {
  std::set<std::uint64_t> done;
  for (const Record& r : records)
    if (r.check == check_id && r.run_seed == seed && r.index) done.insert(*r.index);
  return done;
}

}  // namespace nrc
