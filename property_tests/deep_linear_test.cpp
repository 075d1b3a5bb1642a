// Deep linear networks (theorems/deep_linear.cpp): balancedness at trained stationary points, the
// closed-form global minimum against training from several starts, and the closed-form rank against
// depth; every mutant of the three checks Fails.
#include "property_tests/support.hpp"

#include <cmath>

#include "lib/closed_form/deep_linear.hpp"
#include "theorems/registry.hpp"

namespace {

const nrc::Check& balanced() { return nrc::find_check("deep_linear_balanced"); }
const nrc::Check& minimum() { return nrc::find_check("deep_linear_minimum"); }
const nrc::Check& rank_depth() { return nrc::find_check("deep_linear_rank_depth"); }

RC_GTEST_PROP(DeepLinearBalanced, HoldsAtTrainedStationaryPoints, ()) {
  const nrc::Record r = nrc::test::check_property(balanced());
  RC_TAG(std::string(nrc::name(r.verdict)));
  RC_ASSERT(r.verdict == nrc::Verdict::Pass);
}

// The value part cannot fail unless training beats the global minimum; the location part holds
// wherever the best run sits at W*'s configuration.
RC_GTEST_PROP(DeepLinearMinimum, ClosedFormIsTheMinimumTrainingReaches, ()) {
  const nrc::Record r = nrc::test::check_property(minimum());
  RC_TAG(std::string(nrc::name(r.verdict)));
  RC_ASSERT(r.verdict == nrc::Verdict::Pass);
  RC_ASSERT(r.metrics.at("gap").get<double>() >= -r.err);
}

// Pass below λ_c(L), NotApplicable above it; the trained ranks, where recorded, agree.
RC_GTEST_PROP(DeepLinearRankDepth, DeeperIsLowerRankBelowTheCrossover, ()) {
  const nrc::Record r = nrc::test::check_property(rank_depth());
  const double lambda = r.params.at("lambda").get<double>();
  const auto L = r.params.at("depth").get<unsigned>();
  RC_TAG(std::string(nrc::name(r.verdict)));
  RC_ASSERT(r.verdict == (lambda < nrc::deep_linear_depth_crossover(L) ? nrc::Verdict::Pass
                                                                        : nrc::Verdict::NotApplicable));
  if (r.metrics.contains("trained_agrees")) RC_ASSERT(r.metrics.at("trained_agrees").get<int>() == 1);
}

// a*(3, 1) = 2·1^{3/4} = 2 exactly: a mode one ulp above it has its two candidate values within
// rounding in double (gap ≈ 2s_t·δa ≈ 1e-15 < 16u·a²), so it is decided again in 50 digits, where it is
// on (a > a*). At depth 2 its threshold is λ = 1 < a, so both ranks are 1.
TEST(DeepLinearRankDepth, ModeAtTheThresholdIsDecidedInFiftyDigits) {
  const double a = std::nextafter(2.0, 3.0);
  const nrc::Record r = nrc::evaluate_params(
      rank_depth(), {{"depth", 2}, {"lambda", 1.0}, {"singular_values", {a}}, {"data_seed", 4}});
  EXPECT_EQ(r.verdict, nrc::Verdict::Pass) << r.notes;
  EXPECT_EQ(r.metrics.at("modes_in_50_digits").get<int>(), 1);
  EXPECT_EQ(r.metrics.at("rank_L1").get<int>(), 1);
  EXPECT_EQ(r.metrics.at("rank_L").get<int>(), 1);
  // One ulp below, the mode is off at depth 3.
  const nrc::Record below = nrc::evaluate_params(
      rank_depth(), {{"depth", 2}, {"lambda", 1.0}, {"singular_values", {std::nextafter(2.0, 1.0)}}, {"data_seed", 4}});
  EXPECT_EQ(below.metrics.at("rank_L1").get<int>(), 0);
}

TEST(DeepLinearMutants, FailClearly) {
  nrc::test::expect_mutants_fail_clearly(balanced(), 2, 10.0);
  nrc::test::expect_mutants_fail_clearly(minimum(), 3, 1.0);
  nrc::test::expect_mutants_fail_clearly(rank_depth(), 2, 1.0);
}

}  // namespace
