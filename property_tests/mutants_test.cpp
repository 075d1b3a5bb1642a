// Every registered check can fail: each of its mutants (Check::mutants — a deliberately wrong input
// or formula) is judged Fail. One ctest case per mutant, named Mutants/RegisteredMutant.Fails/<check>__<mutant>.
#include "property_tests/support.hpp"

#include <string>
#include <utility>
#include <vector>

namespace {

struct MutantCase {
  const nrc::Check* check;
  const nrc::Mutant* mutant;
};

std::vector<MutantCase> all_mutants() {
  std::vector<MutantCase> out;
  for (const auto& c : nrc::registry())
    for (const auto& m : c.mutants) out.push_back({&c, &m});
  return out;
}

class RegisteredMutant : public ::testing::TestWithParam<MutantCase> {};

TEST_P(RegisteredMutant, Fails) {
  const auto& [check, mutant] = GetParam();
  const nrc::Record r = nrc::evaluate_mutant(*check, *mutant);
  EXPECT_EQ(r.verdict, nrc::Verdict::Fail)
      << check->id << " mutant '" << mutant->name << "' (" << mutant->what << ") was " << nrc::name(r.verdict)
      << ": lhs " << r.lhs << ", rhs " << r.rhs << ", err " << r.err << "; " << r.notes
      << "\nreplay: " << nrc::replay_command(r);
}

INSTANTIATE_TEST_SUITE_P(Mutants, RegisteredMutant, ::testing::ValuesIn(all_mutants()),
                         [](const ::testing::TestParamInfo<MutantCase>& info) {
                           return info.param.check->id + "__" + info.param.mutant->name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(RegisteredMutant);

// A check without a mutant has a verdict nothing shows can fail. Names are test names: unique per
// check, [A-Za-z0-9_] only.
TEST(Mutants, EveryCheckHasMutantsWithDistinctNames) {
  for (const auto& c : nrc::registry()) {
    EXPECT_FALSE(c.mutants.empty()) << c.id << " has no mutant";
    for (std::size_t i = 0; i < c.mutants.size(); ++i) {
      const std::string& n = c.mutants[i].name;
      EXPECT_FALSE(n.empty()) << c.id;
      EXPECT_EQ(n.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"), std::string::npos) << c.id << " " << n;
      EXPECT_FALSE(c.mutants[i].what.empty()) << c.id << " " << n;
      for (std::size_t k = 0; k < i; ++k) EXPECT_NE(n, c.mutants[k].name) << c.id;
    }
  }
}

}  // namespace
