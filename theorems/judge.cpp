#include "theorems/judge.hpp"

#include <cmath>
#include <limits>

namespace nrc {

Judgement judge(const Evidence& e) {
  const double inf = std::numeric_limits<double>::infinity();
  const double ratio = (e.lhs == 0 && e.rhs == 0) ? 0.0 : (e.rhs == 0 ? inf : e.lhs / e.rhs);
  Judgement j{Verdict::Inconclusive, ratio, e.rhs - e.lhs, {}};
  if (!e.not_applicable.empty()) {
    j.verdict = Verdict::NotApplicable;
    j.note = e.not_applicable;
  } else if (!e.inconclusive.empty()) {
    j.note = e.inconclusive;
  } else if (!e.err) {
    j.note = "no rounding-error estimate (err omitted, and no reference evaluation to estimate it from)";
  } else if (!std::isfinite(e.lhs) || !std::isfinite(e.rhs) || !std::isfinite(*e.err) || *e.err < 0 ||
             (e.difference && !std::isfinite(*e.difference))) {
    j.note = "non-finite lhs, rhs or error estimate";
  } else {
    const double delta = e.difference.value_or(e.lhs - e.rhs), err = *e.err;
    if (e.rhs_upper && !(std::isfinite(*e.rhs_upper) && *e.rhs_upper >= e.rhs)) {
      j.note = "rhs_upper is not a finite value ≥ rhs";
    } else if (delta > err && e.rhs_upper && e.lhs - *e.rhs_upper <= err) {
      j.note = "lhs lies between rhs with the constant's lower estimate and rhs with its rigorous upper bound";
    } else if (delta > err) {
      j.verdict = Verdict::Fail;
    } else if (delta <= -err) {
      j.verdict = Verdict::Pass;
    } else {
      j.within_rounding = true;
      j.note = "|lhs - rhs| is within the rounding error estimate: this precision cannot decide";
    }
  }
  return j;
}

}  // namespace nrc
