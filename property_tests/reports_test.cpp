// reports/: replay commands, summaries and the Markdown report render what the records say.
#include "property_tests/support.hpp"

#include "reports/format.hpp"
#include "theorems/summary.hpp"

namespace {

nrc::Record record(const std::string& check, nrc::Verdict v, double ratio, std::uint64_t seed) {
  nrc::Record r;
  r.check = check;
  r.paper_ref = "Ref";
  r.params = {{"a", 1}};
  r.seed = seed;
  r.verdict = v;
  r.ratio = ratio;
  return r;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(Reports, ReplayCommandBySeedParamsOrUserData) {
  nrc::Record r = record("thm_5_4", nrc::Verdict::Pass, 0.1, 42);
  EXPECT_EQ(nrc::replay_command(r), "nrc replay thm_5_4 --seed 42");
  r.seed.reset();
  EXPECT_EQ(nrc::replay_command(r), "nrc replay thm_5_4 --params '{\"a\":1}'");
  r.params = {{"inputs", "/d/X.csv"}, {"targets", "/d/Y.csv"}, {"lambda", 0.5}, {"K", 2}, {"partition", "/d/P.csv"}};
  EXPECT_EQ(nrc::replay_command(r),
            "nrc check thm_5_4 --inputs '/d/X.csv' --targets '/d/Y.csv' --lambda 0.5 --K 2 --partition '/d/P.csv'");
}

TEST(Reports, SummaryTextStatesCountsRatiosAndTheWorstInstance) {
  const std::vector<nrc::Record> rs = {record("c", nrc::Verdict::Pass, 0.25, 1), record("c", nrc::Verdict::Pass, 0.5, 2)};
  const std::string text = nrc::summary_text(nrc::summarize("c", rs));
  EXPECT_TRUE(contains(text, "2 instances: 2 Pass, 0 Fail")) << text;
  EXPECT_TRUE(contains(text, "median 0.375")) << text;
  EXPECT_TRUE(contains(text, "nrc replay c --seed 2")) << text;
}

TEST(Reports, MarkdownPutsCounterexamplesFirstEscapesPipesAndPairsRefinements) {
  nrc::Check paper, refined;
  paper.id = "paper";
  paper.paper_ref = "Thm";
  paper.statement = "|x| ≤ 1";
  refined.id = "refined";
  refined.paper_ref = "Thm, refined";
  refined.statement = "|x| ≤ 2";
  refined.refines = "paper";
  const std::vector<nrc::Record> rs = {record("paper", nrc::Verdict::Fail, 3.0, 7),
                                       record("refined", nrc::Verdict::Pass, 0.5, 7)};
  const std::vector<nrc::ReportSection> sections = {{&paper, nrc::summarize("paper", rs)},
                                                    {&refined, nrc::summarize("refined", rs)}};
  nrc::ReportMeta meta;
  meta.commit = "abc";
  const std::string md = nrc::report_markdown(sections, meta);
  const auto counterexamples = md.find("## Counterexamples"), summary = md.find("## Summary");
  ASSERT_NE(counterexamples, std::string::npos);
  EXPECT_LT(counterexamples, summary);
  EXPECT_TRUE(contains(md, "`nrc replay paper --seed 7`"));
  EXPECT_TRUE(contains(md, "\\|x\\| ≤ 1"));   // a raw | would split the table cell
  EXPECT_TRUE(contains(md, "side by side"));
  EXPECT_TRUE(contains(md, "`abc`"));
}

}  // namespace
