// The check framework: judge, records and JSON Lines, summaries, the seeded sampler, the registry.
#include "property_tests/support.hpp"

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <set>

#include "experiments/experiment.hpp"
#include "lib/common/files.hpp"
#include "reports/format.hpp"
#include "theorems/judge.hpp"
#include "theorems/params.hpp"
#include "theorems/record.hpp"
#include "theorems/registry.hpp"
#include "theorems/runner.hpp"
#include "theorems/search.hpp"
#include "theorems/summary.hpp"

namespace {

using nrc::Evidence;
using nrc::Verdict;
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

Evidence ev(double lhs, double rhs, double err = 0) {
  Evidence e;
  e.lhs = lhs;
  e.rhs = rhs;
  e.err = err;
  return e;
}


TEST(Judge, DecidesByTheSignOfTheSlackBeyondTheErrorEstimate) {
  EXPECT_EQ(nrc::judge(ev(1, 2)).verdict, Verdict::Pass);
  EXPECT_EQ(nrc::judge(ev(2, 1)).verdict, Verdict::Fail);
  EXPECT_EQ(nrc::judge(ev(1.05, 1, 0.1)).verdict, Verdict::Inconclusive);   // within rounding, above
  EXPECT_EQ(nrc::judge(ev(0.95, 1, 0.1)).verdict, Verdict::Inconclusive);   // within rounding, below
  EXPECT_EQ(nrc::judge(ev(0.5, 1, 0.1)).verdict, Verdict::Pass);
  EXPECT_EQ(nrc::judge(ev(1.5, 1, 0.1)).verdict, Verdict::Fail);
}

TEST(Judge, NonFiniteIsNeverAPass) {
  EXPECT_EQ(nrc::judge(ev(kNaN, 1)).verdict, Verdict::Inconclusive);
  EXPECT_EQ(nrc::judge(ev(1, kNaN)).verdict, Verdict::Inconclusive);
  EXPECT_EQ(nrc::judge(ev(1, kInf)).verdict, Verdict::Inconclusive);
  EXPECT_EQ(nrc::judge(ev(-kInf, 1)).verdict, Verdict::Inconclusive);
  EXPECT_EQ(nrc::judge(ev(0, 1, kNaN)).verdict, Verdict::Inconclusive);
}

TEST(Judge, HypothesesAndFailuresComeFirst) {
  Evidence e = ev(5, 1);
  e.not_applicable = "outside";
  EXPECT_EQ(nrc::judge(e).verdict, Verdict::NotApplicable);
  e = ev(0, 1);
  e.inconclusive = "SVD failed";
  EXPECT_EQ(nrc::judge(e).verdict, Verdict::Inconclusive);
}

TEST(Judge, RatioAndSlack) {
  const auto j = nrc::judge(ev(1, 4));
  EXPECT_DOUBLE_EQ(j.ratio, 0.25);
  EXPECT_DOUBLE_EQ(j.slack, 3);
  EXPECT_EQ(nrc::judge(ev(0, 0)).ratio, 0);
  EXPECT_EQ(nrc::judge(ev(0, 0)).verdict, Verdict::Pass);   // equality holds the claim when err = 0
  EXPECT_TRUE(std::isinf(nrc::judge(ev(1, 0)).ratio));
}

// A bracketed constant: Pass below rhs (lower estimate), Fail only above rhs_upper (rigorous bound),
// Inconclusive in between.
TEST(Judge, BracketedConstantsDecideOnlyOutsideTheBracket) {
  Evidence e = ev(1.5, 1);
  e.rhs_upper = 2;
  EXPECT_EQ(nrc::judge(e).verdict, Verdict::Inconclusive);
  e.lhs = 2.5;
  EXPECT_EQ(nrc::judge(e).verdict, Verdict::Fail);
  e.lhs = 0.5;
  EXPECT_EQ(nrc::judge(e).verdict, Verdict::Pass);
  e.rhs_upper = 0.9;   // not an upper bound of rhs: nothing can be decided
  EXPECT_EQ(nrc::judge(e).verdict, Verdict::Inconclusive);
  e.rhs_upper = kNaN;
  EXPECT_EQ(nrc::judge(e).verdict, Verdict::Inconclusive);
}

TEST(Judge, UsesTheReferenceDifferenceWhenGiven) {
  Evidence e = ev(1, 1, 1e-40);   // both sides round to the same double…
  e.difference = 3e-30;           // …but lhs − rhs, computed at 50 digits, is clearly positive
  EXPECT_EQ(nrc::judge(e).verdict, Verdict::Fail);
  e.difference = -3e-30;
  EXPECT_EQ(nrc::judge(e).verdict, Verdict::Pass);
}

// A double-precision verdict within rounding is recomputed at reference precision and decided there.
TEST(Runner, EscalatesUndecidedInstancesToTheReferencePath) {
  nrc::Check c;
  c.id = "fake";
  c.evaluate = [](const nlohmann::json&) { return ev(1.0, 1.0 + 1e-16, 1e-14); };
  const nrc::Record plain = nrc::evaluate_params(c, nlohmann::json::object());
  EXPECT_EQ(plain.verdict, Verdict::Inconclusive);   // no reference path: stays undecided
  EXPECT_EQ(plain.precision, "double");
  c.evaluate_reference = [](const nlohmann::json&) {
    Evidence e = ev(1.0, 1.0, 1e-45);
    e.difference = -2e-17;
    return e;
  };
  const nrc::Record decided = nrc::evaluate_params(c, nlohmann::json::object());
  EXPECT_EQ(decided.verdict, Verdict::Pass);
  EXPECT_EQ(decided.precision, nrc::kReferencePrecision);
  EXPECT_NE(decided.notes.find("decided at"), std::string::npos);
}

// A check that omits err: the runner estimates it from the reference evaluation,
// err = 2·|δ_double − δ_reference| + the reference's own (2·10⁻³⁴ of that distance when omitted too).
TEST(Runner, EstimatesAnOmittedErrFromTheReferenceEvaluation) {
  auto sides = [](double lhs, double rhs, std::optional<double> difference = std::nullopt) {
    Evidence e;   // err omitted
    e.lhs = lhs;
    e.rhs = rhs;
    e.difference = difference;
    return e;
  };
  nrc::Check c;
  c.id = "fake";
  c.evaluate = [&](const nlohmann::json&) { return sides(1.0, 1.5); };
  // No reference: nothing to estimate err from, never a verdict.
  const nrc::Record none = nrc::evaluate_params(c, nlohmann::json::object());
  EXPECT_EQ(none.verdict, Verdict::Inconclusive);
  EXPECT_NE(none.notes.find("no rounding-error estimate"), std::string::npos) << none.notes;
  EXPECT_TRUE(std::isnan(none.err));
  // Double decides: δ = −0.5, the reference δ = −0.5 + 2⁻⁵², err = 2·2⁻⁵² (+ the reference's share).
  c.evaluate_reference = [&](const nlohmann::json&) { return sides(1.0, 1.5, -0.5 + 0x1p-52); };
  const nrc::Record decided = nrc::evaluate_params(c, nlohmann::json::object());
  EXPECT_EQ(decided.verdict, Verdict::Pass);
  EXPECT_EQ(decided.precision, "double");
  EXPECT_NEAR(decided.err, 2 * 0x1p-52, 1e-30);
  EXPECT_NE(decided.notes.find("err estimated by the runner"), std::string::npos) << decided.notes;
  // Double cannot decide (δ = −3e-16, the reference is 5e-16 away and on the other side): the reference
  // decides, exactly as with a hand estimate, and it says Fail.
  c.evaluate = [&](const nlohmann::json&) { return sides(1.0, 1.0, -3e-16); };
  c.evaluate_reference = [&](const nlohmann::json&) { return sides(1.0, 1.0, 2e-16); };
  const nrc::Record escalated = nrc::evaluate_params(c, nlohmann::json::object());
  EXPECT_EQ(escalated.verdict, Verdict::Fail) << escalated.notes;
  EXPECT_EQ(escalated.precision, nrc::kReferencePrecision);
  EXPECT_NEAR(escalated.err, 2 * 1e-34 * 5e-16, 1e-62);
  // A reference that fails leaves the instance Inconclusive, saying why.
  c.evaluate_reference = [&](const nlohmann::json&) {
    Evidence e;
    e.inconclusive = "SVD did not converge";
    return e;
  };
  const nrc::Record failed = nrc::evaluate_params(c, nlohmann::json::object());
  EXPECT_EQ(failed.verdict, Verdict::Inconclusive);
  EXPECT_NE(failed.notes.find("SVD did not converge"), std::string::npos) << failed.notes;
  // A mutant that omits err gets its estimate from its own reference evaluation; double decides it.
  nrc::Mutant m{.name = "wrong",
                .what = "lhs doubled",
                .params = nlohmann::json::object(),
                .evaluate = [&](const nlohmann::json&) { return sides(2.0, 1.5); },
                .evaluate_reference = [&](const nlohmann::json&) { return sides(2.0, 1.5); }};
  const nrc::Record caught = nrc::evaluate_mutant(c, m);
  EXPECT_EQ(caught.verdict, Verdict::Fail);
  EXPECT_EQ(caught.err, 0);   // both arithmetics agree exactly
  m.evaluate_reference = {};
  EXPECT_EQ(nrc::evaluate_mutant(c, m).verdict, Verdict::Inconclusive);
}

TEST(Record, JsonRoundTripKeepsEveryFieldAndMapsNonFiniteToNull) {
  nrc::Record r;
  r.check = "x";
  r.paper_ref = "Thm";
  r.params = {{"a", 1}};
  r.seed = 42;
  r.run_seed = 7;
  r.index = 3;
  r.lhs = 0.1;
  r.rhs = kInf;
  r.ratio = kNaN;
  r.verdict = Verdict::Fail;
  r.notes = "n";
  r.metrics["m"] = 2.5;
  r.metrics["bad"] = kNaN;
  const auto j = nrc::to_json(r);
  EXPECT_TRUE(j["rhs"].is_null());
  EXPECT_TRUE(j["metrics"]["bad"].is_null());
  const nrc::Record back = nrc::record_from_json(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(back.check, "x");
  EXPECT_EQ(back.params, r.params);
  EXPECT_EQ(back.seed, r.seed);
  EXPECT_EQ(back.run_seed, r.run_seed);
  EXPECT_EQ(back.index, r.index);
  EXPECT_EQ(back.lhs, 0.1);
  EXPECT_TRUE(std::isnan(back.rhs));
  EXPECT_EQ(back.verdict, Verdict::Fail);
  EXPECT_EQ(back.metrics["m"], 2.5);
}

nrc::Record small_record(double lhs = 1) {
  nrc::Record r;
  r.check = "c";
  r.params = {{"a", 1}};
  r.lhs = lhs;
  return r;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The writer cannot produce a value the reader refuses: non-finite numbers at any depth of metrics
// (a chain's values, a figure's series) come back as NaN, never as a type error.
TEST(Record, NestedNonFiniteMetricsReadBackAsNaN) {
  nrc::Record r = small_record();
  r.metrics["chain"] = {{{"layer", 1}, {"values", {1.0, kNaN, kInf, -kInf}}}};
  r.metrics["figure"] = {{"series", {{{"y", {kNaN, 2.0}}}}}};
  const nrc::Record back = nrc::parse_record_line(nrc::record_line(r));
  const auto v = back.metrics.at("chain").at(0).at("values").get<std::vector<double>>();
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0], 1.0);
  EXPECT_TRUE(std::isnan(v[1]) && std::isnan(v[2]) && std::isnan(v[3]));
  EXPECT_TRUE(std::isnan(back.metrics.at("figure").at("series").at(0).at("y").at(0).get<double>()));
  EXPECT_EQ(back.metrics.at("chain").at(0).at("layer").get<int>(), 1);
}

// Each line carries a CRC-32 of its content: an edit ("Pass" → "Fail"), a removed or a damaged
// checksum is recognised; only invalid_argument is thrown.
TEST(Record, ChecksumRejectsEditedLines) {
  nrc::Record r = small_record();
  r.verdict = Verdict::Pass;
  const std::string line = nrc::record_line(r);
  EXPECT_EQ(nrc::parse_record_line(line).verdict, Verdict::Pass);
  std::string edited = line;
  edited.replace(edited.find("\"Pass\""), 6, "\"Fail\"");
  EXPECT_THROW(nrc::parse_record_line(edited), std::invalid_argument);
  EXPECT_THROW(nrc::parse_record_line(nrc::to_json(r).dump()), std::invalid_argument);   // no checksum
  std::string bad_hex = line;
  bad_hex[bad_hex.size() - 3] = 'z';
  EXPECT_THROW(nrc::parse_record_line(bad_hex), std::invalid_argument);
  EXPECT_THROW(nrc::parse_record_line(""), std::invalid_argument);
  EXPECT_THROW(nrc::parse_record_line(line.substr(0, line.size() - 1)), std::invalid_argument);
}

// Records state where they were computed: version, commit, BLAS thread count and kernels.
TEST(Record, StatesItsProvenance) {
  const nrc::Record back = nrc::parse_record_line(nrc::record_line(small_record()));
  EXPECT_EQ(back.build, nrc::current_provenance());
  EXPECT_FALSE(back.build.commit.empty());
  EXPECT_GE(back.build.blas_threads, 1);   // OpenBLAS is the BLAS here (scripts/setup installs it)
  nrc::Record old = small_record();
  nlohmann::json j = nrc::to_json(old);
  j.erase("build");   // a record of a version before provenance: unknown, never "this build"
  EXPECT_EQ(nrc::record_from_json(j).build, nrc::Provenance{});
}

TEST(Record, JsonlRejectsInvalidLinesAndSeparatesATornTail) {
  nrc::test::TempDir dir;
  const std::string path = dir.file("r.jsonl");
  {
    nrc::JsonlWriter w(path);
    w.write(small_record(1));
    w.write(small_record(2));
    w.close();
    EXPECT_EQ(w.written(), 2u);
  }
  std::string text = file_text(path);
  text.replace(text.find("\"lhs\":2"), 7, "\"lhs\":3");    // line 2 edited by hand
  text += "not a record\n{\"check\": \"c\", \"par";           // line 3 garbage, then a kill mid-line
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  const auto contents = nrc::read_jsonl(path);
  ASSERT_EQ(contents.records.size(), 1u);
  EXPECT_EQ(contents.records[0].lhs, 1.0);
  EXPECT_EQ(contents.rejected, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(contents.torn_bytes, std::string("{\"check\": \"c\", \"par").size());
  EXPECT_THROW(nrc::read_jsonl(dir.file("does_not_exist.jsonl")), std::invalid_argument);
  EXPECT_THROW(nrc::read_jsonl(dir.path().string()), std::invalid_argument);   // a folder
}

// A torn last line is cut off before appending (else the next record would be glued onto it and
// both lost); a whole record that only lacks its newline is completed instead.
TEST(Record, WriterCutsATornTailAndCompletesAWholeLastRecord) {
  nrc::test::TempDir dir;
  const std::string path = dir.file("r.jsonl");
  const std::string first = nrc::record_line(small_record(1)) + "\n";
  std::ofstream(path, std::ios::binary) << first << "{\"check\":\"c\",\"lh";
  {
    nrc::JsonlWriter w(path);
    EXPECT_EQ(w.torn_bytes_cut(), std::string("{\"check\":\"c\",\"lh").size());
    w.write(small_record(2));
  }
  auto contents = nrc::read_jsonl(path);
  ASSERT_EQ(contents.records.size(), 2u);
  EXPECT_TRUE(contents.rejected.empty());
  EXPECT_EQ(contents.torn_bytes, 0u);
  EXPECT_EQ(contents.records[1].lhs, 2.0);

  std::ofstream(path, std::ios::binary | std::ios::trunc) << nrc::record_line(small_record(5));   // no newline
  EXPECT_EQ(nrc::read_jsonl(path).records.size(), 1u);   // a whole record, read as one
  {
    nrc::JsonlWriter w(path);
    EXPECT_EQ(w.torn_bytes_cut(), 0u);
    w.write(small_record(6));
  }
  contents = nrc::read_jsonl(path);
  ASSERT_EQ(contents.records.size(), 2u);
  EXPECT_EQ(contents.records[0].lhs, 5.0);
  EXPECT_EQ(contents.records[1].lhs, 6.0);
}

// A failed write is an error naming the file, the reason and the records kept — never a silent
// loss (/dev/full: every write fails with ENOSPC).
TEST(Record, FailedWritesThrowNamingTheFileAndTheRecordsKept) {
  nrc::JsonlWriter w("/dev/full");
  try {
    w.write(small_record());
    FAIL() << "expected WriteError";
  } catch (const nrc::WriteError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'/dev/full'"), std::string::npos) << what;
    EXPECT_NE(what.find("No space left on device"), std::string::npos) << what;
    EXPECT_NE(what.find("0 record(s)"), std::string::npos) << what;
  }
  EXPECT_EQ(w.written(), 0u);
}

// Two writers on one records file would interleave and duplicate: the second is refused.
TEST(Record, SecondWriterOnTheSameFileIsRefused) {
  nrc::test::TempDir dir;
  nrc::JsonlWriter first(dir.file("r.jsonl"));
  EXPECT_THROW(nrc::JsonlWriter second(dir.file("r.jsonl")), std::invalid_argument);
}

TEST(Files, AtomicWriteReplacesWholeOrNotAtAll) {
  nrc::test::TempDir dir;
  const std::string path = dir.file("REPORT.md");
  nrc::write_file_atomic(path, "old");
  nrc::write_file_atomic(path, "new contents");
  EXPECT_EQ(file_text(path), "new contents");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);   // no temporaries left
  EXPECT_THROW(nrc::write_file_atomic(dir.file("missing/x.md"), "x"), nrc::WriteError);
  EXPECT_EQ(file_text(path), "new contents");
}

TEST(Files, FolderLockRefusesASecondHolderNamingTheProcess) {
  nrc::test::TempDir dir;
  {
    const nrc::FolderLock lock(dir.path().string());
    try {
      const nrc::FolderLock again(dir.path().string());   // another open file description: refused
      FAIL() << "expected invalid_argument";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(std::to_string(::getpid())), std::string::npos) << e.what();
    }
  }
  EXPECT_NO_THROW(nrc::FolderLock(dir.path().string()));   // released with its holder
}

TEST(Files, WritableFileIsCheckedBeforeWork) {
  nrc::test::TempDir dir;
  EXPECT_NO_THROW(nrc::require_writable_file(dir.file("theta.bin"), "train", "--out"));
  EXPECT_THROW(nrc::require_writable_file(dir.path().string(), "train", "--out"), std::invalid_argument);
  EXPECT_THROW(nrc::require_writable_file(dir.file("no/such/theta.bin"), "train", "--out"), std::invalid_argument);
}

TEST(Summary, CountsMedianAndWorstInstance) {
  nrc::Record proto;
  proto.check = "c";
  std::vector<nrc::Record> rs(5, proto);
  const double ratios[] = {0.1, 0.5, 0.3, 0.2, 0.4};
  for (int i = 0; i < 5; ++i) {
    rs[i].ratio = ratios[i];
    rs[i].verdict = Verdict::Pass;
    rs[i].seed = i;
  }
  rs[4].verdict = Verdict::NotApplicable;   // excluded from the ratios
  auto s = nrc::summarize("c", rs);
  EXPECT_EQ(s.count, 5u);
  EXPECT_EQ(s.pass, 4u);
  EXPECT_EQ(s.not_applicable, 1u);
  EXPECT_EQ(s.ratio_count, 4u);
  EXPECT_DOUBLE_EQ(s.ratio_min, 0.1);
  EXPECT_DOUBLE_EQ(s.ratio_median, 0.25);
  EXPECT_DOUBLE_EQ(s.ratio_max, 0.5);
  ASSERT_TRUE(s.worst);
  EXPECT_EQ(*s.worst->seed, 1u);
  rs[0].verdict = Verdict::Fail;   // a failure is the worst instance whatever its ratio
  s = nrc::summarize("c", rs);
  EXPECT_EQ(s.fail, 1u);
  EXPECT_EQ(*s.worst->seed, 0u);
  EXPECT_EQ(nrc::summarize("other", rs).count, 0u);
}

// The hypotheses as the records state them: NotApplicable reasons grouped with their numbers masked.
TEST(Summary, GroupsTheReasonsInstancesWereOutsideTheHypotheses) {
  nrc::Record proto;
  proto.check = "c";
  proto.verdict = Verdict::NotApplicable;
  std::vector<nrc::Record> rs(4, proto);
  rs[0].notes = "hypothesis max{c, d} ≤ N fails: c = 5, d = 3, N = 4";
  rs[1].notes = "hypothesis max{c, d} ≤ N fails: c = 2, d = 8, N = 7; trained 3 starts";
  rs[2].notes = "λ = 1.5e+01 ≥ λ_c(3) = 8.11: one more layer lowers the threshold";
  rs[3].verdict = Verdict::Pass;
  rs[3].notes = "not a reason";
  const auto s = nrc::summarize("c", rs);
  ASSERT_EQ(s.outside.size(), 2u);
  EXPECT_EQ(s.outside.at("hypothesis max{c, d} ≤ N fails: c = #, d = #, N = #"), 2u);
  EXPECT_EQ(s.outside.at("λ = # ≥ λ_c(#) = #: one more layer lowers the threshold"), 1u);
}

TEST(Sampler, SeedsAreDeterministicAndDistinct) {
  EXPECT_EQ(nrc::derive_seed(1, 0), nrc::derive_seed(1, 0));
  EXPECT_NE(nrc::derive_seed(1, 0), nrc::derive_seed(1, 1));
  EXPECT_NE(nrc::derive_seed(1, 0), nrc::derive_seed(2, 0));
  nrc::EngineDraw a(5), b(5);
  for (int i = 0; i < 100; ++i) {
    const auto x = a.integer(-3, 3);
    EXPECT_EQ(x, b.integer(-3, 3));
    EXPECT_GE(x, -3);
    EXPECT_LE(x, 3);
    const double u = a.uniform(2, 3);
    EXPECT_EQ(u, b.uniform(2, 3));
    EXPECT_GE(u, 2);
    EXPECT_LT(u, 3);
  }
}

TEST(Registry, UnknownIdNamesTheKnownOnes) {
  try {
    nrc::find_check("nope");
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown check id 'nope'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("thm_5_4"), std::string::npos);
  }
  for (const auto& c : nrc::registry()) EXPECT_EQ(&nrc::find_check(c.id), &c);
}

TEST(Params, ErrorsNameTheParameter) {
  const nlohmann::json p = {{"k", 3}, {"x", -1.0}, {"s", "b"}};
  EXPECT_EQ(nrc::params::integer(p, "c", "k", 1, 5), 3);
  EXPECT_THROW(nrc::params::integer(p, "c", "k", 4, 5), std::invalid_argument);
  EXPECT_THROW(nrc::params::integer(p, "c", "missing", 1, 5), std::invalid_argument);
  EXPECT_THROW(nrc::params::real(p, "c", "x", 0, 1, true), std::invalid_argument);
  EXPECT_THROW(nrc::params::choice(p, "c", "s", {"a"}), std::invalid_argument);
  try {
    nrc::params::real(p, "c", "x", 0, 1, true);
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("parameter 'x'"), std::string::npos);
  }
}

// `nrc replay --params` with a misspelt name must not run as an ordinary instance. The generator's
// names are collected from 64 draws: as many as from 1,024 (no rarer conditional key is missed).
TEST(Params, UnknownNamesAreRejectedDrawnAndOptionalOnesAccepted) {
  for (const auto& c : nrc::registry()) {
    std::set<std::string> few, many;
    for (std::uint64_t i = 0; i < 1024; ++i) {
      nrc::EngineDraw d(nrc::derive_seed(99, i));
      const nlohmann::json drawn = c.draw(d);
      for (const auto& [k, v] : drawn.items()) (i < 64 ? few : many).insert(k);
    }
    for (const auto& k : many) EXPECT_TRUE(few.count(k)) << c.id << ": '" << k << "' is rare";
    nrc::EngineDraw d(5);
    nlohmann::json p = c.draw(d);
    EXPECT_NO_THROW(nrc::require_known_params(c, p)) << c.id;
    for (const auto& opt : c.optional_params) {
      nlohmann::json q = p;
      q[opt] = 1;
      EXPECT_NO_THROW(nrc::require_known_params(c, q)) << c.id << " " << opt;
    }
    p["lamda"] = 0.1;
    try {
      nrc::require_known_params(c, p);
      ADD_FAILURE() << c.id << " accepted an unknown parameter";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("unknown parameter 'lamda'"), std::string::npos) << e.what();
    }
  }
}

// Records of another commit or BLAS thread count would not be computed identically by this build:
// not reused unless asked for, and counted either way.
TEST(Runner, ReusesOnlyRecordsThisBuildWouldComputeIdentically) {
  const nrc::Provenance here{"0.1.0", "abc", 1, "Haswell"};
  std::vector<nrc::Record> rs(4, small_record());
  rs[0].build = here;
  rs[1].build = {"0.1.0", "def", 1, "Haswell"};
  rs[2].build = {"0.1.0", "abc", 2, "Haswell"};
  rs[3].build = {"0.1.0", "abc", 1, "Prescott"};   // other kernels: same code and threads, reused
  const nrc::Reusable strict = nrc::reusable_records(rs, here, false);
  EXPECT_EQ(strict.records.size(), 2u);
  EXPECT_EQ(strict.other_commit, 1u);
  EXPECT_EQ(strict.other_threads, 1u);
  const nrc::Reusable any = nrc::reusable_records(rs, here, true);
  EXPECT_EQ(any.records.size(), 4u);
  EXPECT_EQ(any.other_commit + any.other_threads, 2u);
}

// A mutant runs the check's own evaluate on wrong inputs, or its own wrong formula; either way it is
// judged like any instance and its record names it (and replays by --mutant).
TEST(Runner, MutantsAreJudgedAndNamed) {
  nrc::Check c;
  c.id = "toy_mutants";
  c.evaluate = [](const nlohmann::json& p) { return ev(p.at("x").get<double>(), 1); };
  c.mutants = {{"big_input", "x beyond the bound", {{"x", 2.0}}},
               {"halved_rhs", "rhs / 2", {{"x", 0.8}}, [](const nlohmann::json& p) { return ev(p.at("x"), 0.5); }}};
  const nrc::Record a = nrc::evaluate_mutant(c, c.mutants[0]);
  nrc::Record b = nrc::evaluate_mutant(c, c.mutants[1]);
  b.build.blas_threads = 1;   // the replay line then needs no --blas-threads, whatever this process runs
  EXPECT_EQ(a.verdict, Verdict::Fail);
  EXPECT_EQ(b.verdict, Verdict::Fail);
  EXPECT_EQ(nrc::evaluate_params(c, c.mutants[1].params).verdict, Verdict::Pass);   // the right formula holds
  EXPECT_EQ(b.metrics.at("mutant"), "halved_rhs");
  EXPECT_EQ(nrc::replay_command(b), "nrc replay toy_mutants --mutant halved_rhs");
}

TEST(Runner, ResumesSkippingFinishedIndicesWithIdenticalRecords) {
  const auto& check = nrc::find_check("thm_5_4");
  std::vector<nrc::Record> first;
  nrc::run_check(check, {4, 9}, {}, [&](const nrc::Record& r) { first.push_back(r); });
  ASSERT_EQ(first.size(), 4u);
  const std::set<std::uint64_t> done = {0, 2};
  std::vector<nrc::Record> rest;
  nrc::run_check(check, {4, 9}, done, [&](const nrc::Record& r) { rest.push_back(r); });
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(*rest[0].index, 1u);
  EXPECT_EQ(rest[0].lhs, first[1].lhs);   // bit-identical: the same instance seed
  EXPECT_EQ(rest[1].rhs, first[3].rhs);
}

}  // namespace

// Tightness search: local refinement climbs a known ratio landscape (lhs/rhs = x), counts the
// perturbations the check rejects, reports a ratio above 1 as a Fail, and reuses its own records.
TEST(TightnessSearch, ClimbsRejectsAndResumes) {
  nrc::Check c;
  c.id = "toy_search";
  c.paper_ref = "toy";
  c.evaluate = [](const nlohmann::json& p) {
    const double x = p.at("x").get<double>();
    if (x > 1.5) throw std::invalid_argument("nrc::toy(): x > 1.5");
    nrc::Evidence e;
    e.lhs = x;
    e.rhs = 1;
    e.err = 0;   // exact
    return e;
  };
  const nrc::Record start = nrc::evaluate_params(c, {{"x", 0.5}, {"data_seed", 7}});
  nrc::SearchSpec spec;
  spec.starts = 1;
  spec.rounds = 30;
  std::vector<nrc::Record> written;
  const nrc::SearchResult first = nrc::tightness_search(c, {start}, {}, spec, [&](const nrc::Record& r) { written.push_back(r); });
  ASSERT_TRUE(first.best.has_value());
  EXPECT_DOUBLE_EQ(first.start_ratio, 0.5);
  EXPECT_GT(first.best->ratio, 1.0);   // climbs past the bound: a counterexample of the toy claim
  EXPECT_EQ(first.best->verdict, nrc::Verdict::Fail);
  EXPECT_EQ(first.best->params.at("data_seed"), 7);   // seeds are kept
  EXPECT_GT(first.rejected, 0u);
  EXPECT_EQ(first.evaluated, written.size());
  for (const auto& r : written) EXPECT_TRUE(r.metrics.contains("search"));

  std::size_t again = 0;
  const nrc::SearchResult second = nrc::tightness_search(c, {start}, written, spec, [&](const nrc::Record&) { ++again; });
  EXPECT_EQ(again, 0u);
  EXPECT_EQ(second.best->params, first.best->params);
}

// Ratios of counts tie often: the starts (and so the search's records) must not depend on the order
// the run's records arrived in, which threads and MPI ranks change.
TEST(TightnessSearch, StartsDoNotDependOnTheOrderOfTheRecords) {
  nrc::Check c;
  c.id = "toy_ties";
  c.paper_ref = "toy";
  c.evaluate = [](const nlohmann::json& p) {
    nrc::Evidence e;
    e.lhs = p.at("k").get<int>() < 3 ? 1 : 2;   // two ratios only
    e.rhs = 4;
    e.err = 0;
    return e;
  };
  std::vector<nrc::Record> run;
  for (int k = 0; k < 6; ++k) {
    run.push_back(nrc::evaluate_params(c, {{"k", k}}));
    run.back().index = static_cast<std::uint64_t>(k);
  }
  nrc::SearchSpec spec;
  spec.starts = 2;
  const auto forward = nrc::search_starts(c, run, spec);
  std::reverse(run.begin(), run.end());
  const auto backward = nrc::search_starts(c, run, spec);
  ASSERT_EQ(forward.size(), 2u);
  EXPECT_EQ(*forward[0].index, 3u);   // the tightest (ratio 0.5), lowest index first
  EXPECT_EQ(*forward[1].index, 4u);
  for (std::size_t s = 0; s < 2; ++s) EXPECT_EQ(*backward[s].index, *forward[s].index);
}

// The starts of a tightness search computed apart (as MPI ranks do: search_starts, then refine_start
// on each, in any order, each with no other start's records) write the records tightness_search
// writes, and a tightness_search over them computes nothing.
TEST(TightnessSearch, StartsComputedApartGiveTheSameRecords) {
  nrc::Check c;
  c.id = "toy_starts";
  c.paper_ref = "toy";
  c.evaluate = [](const nlohmann::json& p) {
    nrc::Evidence e;
    e.lhs = p.at("x").get<double>() * static_cast<double>(p.at("k").get<int>());
    e.rhs = 10;
    e.err = 0;
    return e;
  };
  std::vector<nrc::Record> run;
  for (int k = 1; k <= 4; ++k) run.push_back(nrc::evaluate_params(c, {{"x", 0.25 * k}, {"k", k}, {"data_seed", k}}));
  nrc::SearchSpec spec;
  spec.starts = 3;
  spec.rounds = 5;
  std::vector<std::string> serial, apart;
  const auto whole =
      nrc::tightness_search(c, run, {}, spec, [&](const nrc::Record& r) { serial.push_back(nrc::to_json(r).dump()); });
  const std::vector<nrc::Record> starts = nrc::search_starts(c, run, spec);
  ASSERT_EQ(starts.size(), 3u);
  EXPECT_EQ(starts[0].params.at("k"), 4);   // the tightest first
  std::vector<nrc::Record> kept;
  for (std::size_t s = starts.size(); s-- > 0;)
    nrc::refine_start(c, starts[s], s, {}, spec, [&](const nrc::Record& r) {
      apart.push_back(nrc::to_json(r).dump());
      kept.push_back(r);
    });
  std::sort(serial.begin(), serial.end());
  std::sort(apart.begin(), apart.end());
  EXPECT_EQ(apart, serial);
  std::size_t again = 0;
  const auto reused = nrc::tightness_search(c, run, kept, spec, [&](const nrc::Record&) { ++again; });
  EXPECT_EQ(again, 0u);
  EXPECT_EQ(nrc::to_json(*reused.best).dump(), nrc::to_json(*whole.best).dump());
  EXPECT_EQ(reused.evaluated, whole.evaluated);
}

// Experiments: points are evaluated once, reused from earlier records after an interruption, and
// the conclusion (claims judged, figures recorded) is the same either way.
TEST(Experiments, PointsResumeAndConclusionsAreJudged) {
  std::atomic<int> calls{0};
  nrc::Experiment toy;
  toy.id = "toy_fig";
  toy.paper_ref = "Figure 0";
  toy.points = [](nrc::Preset, std::uint64_t seed) {
    std::vector<nlohmann::json> p;
    for (int i = 0; i < 5; ++i) p.push_back({{"x", i}, {"seed", seed}});
    return p;
  };
  toy.evaluate_point = [&calls](const nlohmann::json& p) {
    ++calls;
    nrc::Evidence e;
    e.not_applicable = "measurement";
    e.metrics["y"] = p.at("x").get<double>() * p.at("x").get<double>();
    return e;
  };
  toy.conclude = [](const std::vector<nrc::Record>& pts) {
    nrc::Conclusion c;
    nrc::Figure f;
    f.id = "toy";
    nrc::Series s{"y = x²", {}, {}};
    double sum = 0;
    for (const auto& r : pts) {
      s.x.push_back(r.params.at("x").get<double>());
      s.y.push_back(r.metrics.at("y").get<double>());
      sum += s.y.back();
    }
    f.series.push_back(s);
    c.figures.push_back(f);
    nrc::Evidence e;
    e.lhs = sum;
    e.rhs = 20;
    c.claims.push_back(nrc::exact_claim("sum", "Σ y ≤ 20", e));
    return c;
  };
  std::vector<nrc::Record> first;
  const auto a = nrc::run_experiment(toy, nrc::Preset::Default, 3, {}, 2, [&](const nrc::Record& r) { first.push_back(r); });
  EXPECT_EQ(calls.load(), 5);
  ASSERT_EQ(a.claims.size(), 1u);
  EXPECT_EQ(a.claims[0].verdict, nrc::Verdict::Fail);   // 0 + 1 + 4 + 9 + 16 = 30 > 20
  EXPECT_DOUBLE_EQ(a.claims[0].lhs, 30);
  ASSERT_EQ(a.figures.size(), 1u);
  EXPECT_EQ(nrc::figure_from_json(a.figures[0].metrics.at("figure")).series[0].y[4], 16);
  EXPECT_EQ(a.points[2].params.at("point"), 2);
  EXPECT_EQ(a.points[2].params.at("preset"), "default");

  // "Killed" after three points: a rerun evaluates only the two missing ones.
  std::vector<nrc::Record> kept;
  for (const auto& r : first)
    if (r.params.contains("x") && r.params.at("x").get<int>() < 3) kept.push_back(r);
  calls = 0;
  const auto b = nrc::run_experiment(toy, nrc::Preset::Default, 3, kept, 1, [](const nrc::Record&) {});
  EXPECT_EQ(calls.load(), 2);
  EXPECT_DOUBLE_EQ(b.claims[0].lhs, a.claims[0].lhs);
  EXPECT_EQ(nrc::to_json(b.points[4]).dump(), nrc::to_json(a.points[4]).dump());
  // Points computed one by one elsewhere (a shard or an MPI rank: evaluate_point on the params of
  // experiment_points) are the serial run's points, and concluding over them gives the serial claim.
  std::vector<nrc::Record> shards;
  calls = 0;
  const auto params = nrc::experiment_points(toy, nrc::Preset::Default, 3);
  for (std::size_t i = params.size(); i-- > 0;) shards.push_back(nrc::evaluate_point(toy, params[i], 3, i));
  EXPECT_EQ(calls.load(), 5);
  for (const auto& r : shards) EXPECT_EQ(nrc::to_json(r).dump(), nrc::to_json(a.points[*r.index]).dump());
  ASSERT_EQ(shards.size(), 5u);
  calls = 0;
  const auto merged = nrc::run_experiment(toy, nrc::Preset::Default, 3, shards, 1, [](const nrc::Record&) {});
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(nrc::to_json(merged.claims[0]).dump(), nrc::to_json(a.claims[0]).dump());
  // Rerun on the complete records: nothing is evaluated and nothing is written again.
  calls = 0;
  std::size_t written = 0;
  nrc::run_experiment(toy, nrc::Preset::Default, 3, first, 1, [&](const nrc::Record&) { ++written; });
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(written, 0u);
  // A different preset is a different set of points.
  calls = 0;
  nrc::run_experiment(toy, nrc::Preset::Paper, 3, first, 1, [](const nrc::Record&) {});
  EXPECT_EQ(calls.load(), 5);
  EXPECT_THROW(nrc::parse_preset("huge"), std::invalid_argument);
}
