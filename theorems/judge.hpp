#pragma once
// The one place where verdicts are decided.
#include <optional>
#include <string>

#include "theorems/record.hpp"

namespace nrc {

// What a check measured for the claim lhs ≤ rhs.
struct Evidence {
  double lhs = 0, rhs = 0;
  // Bound on the rounding error of the computed lhs − rhs. Omitted (nullopt): the runner estimates it
  // by evaluating the instance again at reference precision (Check::evaluate_reference, the same
  // templated code in 50 digits) and taking the two results' distance; see runner.hpp. Exact
  // arithmetic (counts, integers) says err = 0 explicitly. Building blocks for a hand-written bound:
  // theorems/tolerances.hpp.
  std::optional<double> err;
  // For a bound whose constant can only be estimated (a sup over a set, sampled from below): `rhs`
  // is computed with the lower estimate and `rhs_upper` with a rigorous upper bound of the constant.
  // lhs ≤ rhs proves the statement (Pass); lhs > rhs_upper refutes it (Fail); in between it is
  // Inconclusive, with the bracket [rhs, rhs_upper] in the record.
  std::optional<double> rhs_upper;
  // lhs − rhs when it was computed more accurately than the difference of the rounded lhs and rhs
  // (reference precision: both sides may round to the same double while their difference does not).
  std::optional<double> difference;
  std::string not_applicable;     // non-empty: the instance is outside the hypotheses (why)
  std::string inconclusive;       // non-empty: the computation failed (why), e.g. SVD did not converge
  std::string notes;
  nlohmann::json metrics = nlohmann::json::object();
};

struct Judgement {
  Verdict verdict;
  double ratio;   // lhs / rhs; 0 when both are 0, +inf when only rhs is 0
  double slack;   // rhs − lhs
  std::string note;
  bool within_rounding = false;   // rule 4: a reference-precision recomputation may decide it
};

// Rules, in order:
//  1. outside the hypotheses → NotApplicable; a failed computation → Inconclusive;
//  2. NaN or Inf in lhs, rhs or err, or no err at all → Inconclusive (never a Pass);
//  3. with δ = lhs − rhs (or Evidence::difference when given):
//     δ > err → Fail;  δ ≤ −err → Pass (so with err = 0, lhs ≤ rhs passes);
//  4. −err < δ ≤ err: this precision cannot decide → Inconclusive until a reference-precision
//     recomputation decides it.
//  With rhs_upper (a bracketed constant): a Fail needs lhs − rhs_upper > err as well; a lhs above
//  rhs but not above rhs_upper is Inconclusive ("between the bracket").
Judgement judge(const Evidence& e);

}  // namespace nrc
