#pragma once
// The one place where verdicts are decided.
#include <string>

#include "theorems/record.hpp"

namespace nrc {

// What a check measured for the claim lhs ≤ rhs.
struct Evidence {
  double lhs = 0, rhs = 0;
  double err = 0;                 // estimated bound on the rounding error of the computed lhs − rhs
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
};

// Rules, in order:
//  1. outside the hypotheses → NotApplicable; a failed computation → Inconclusive;
//  2. NaN or Inf in lhs, rhs or err → Inconclusive (never a Pass);
//  3. lhs − rhs > err → Fail;  lhs − rhs ≤ −err → Pass (so with err = 0, lhs ≤ rhs passes);
//  4. −err < lhs − rhs ≤ err: double precision cannot decide → Inconclusive until a reference-precision
//     recomputation decides it.
Judgement judge(const Evidence& e);

}  // namespace nrc
