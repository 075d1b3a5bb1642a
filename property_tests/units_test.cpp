// The report's units (apps/units.hpp): a unit gives the records the serial code gives for the same
// work, the list depends on the plan only, finished work is left out, and a malformed unit is refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "apps/distributed.hpp"
#include "apps/units.hpp"
#include "theorems/runner.hpp"

namespace {

using nrc::Record;
using nrc::cli::Unit;

std::vector<std::string> lines(const std::vector<Record>& rs) {
  std::vector<std::string> out;
  for (const Record& r : rs) out.push_back(nrc::to_json(r).dump());
  std::sort(out.begin(), out.end());
  return out;
}

nrc::cli::ReportPlan plan(std::uint64_t trials) {
  nrc::cli::ReportPlan p;
  p.checks = {&nrc::find_check("ridge_norm"), &nrc::find_check("thm_5_4")};
  p.seed = 5;
  p.trials = trials;
  return p;
}

std::vector<Record> compute(const std::vector<Unit>& units, unsigned threads = 1) {
  std::vector<Record> out;
  nrc::cli::local_runner(threads)->run(units, [&](const Record& r) { out.push_back(r); }, {});
  return out;
}

TEST(Units, InstanceUnitsGiveTheRecordsOfRunCheck) {
  const auto p = plan(40);
  std::vector<Unit> units = nrc::cli::independent_units(p);
  std::erase_if(units, [](const Unit& u) { return u.at("kind") != "instances"; });
  ASSERT_EQ(units.size(), 2u * 3u);   // 40 instances in blocks of 16: 16, 16, 8 per check
  EXPECT_EQ(units[2].at("indices").size(), 8u);
  std::vector<Record> serial;
  for (const nrc::Check* c : p.checks)
    nrc::run_check(*c, {40, 5, 1}, {}, [&](const Record& r) { serial.push_back(r); });
  EXPECT_EQ(lines(compute(units, 2)), lines(serial));
}

TEST(Units, TheListDependsOnThePlanOnlyAndOrdersTheLongestFirst) {
  auto p = plan(20);
  for (const nrc::Experiment& e : nrc::experiments())
    if (e.id == "fig2") p.experiments = {&e};
  const auto a = nrc::cli::independent_units(p), b = nrc::cli::independent_units(p);
  EXPECT_EQ(nlohmann::json(a), nlohmann::json(b));
  EXPECT_EQ(a.front().at("kind"), "point");
  EXPECT_EQ(a.back().at("kind"), "instances");
  std::size_t points = 0, searches = 0, mutants = 0;
  for (const Unit& u : a) {
    points += u.at("kind") == "point";
    searches += u.at("kind") == "data_search";
    mutants += u.at("kind") == "mutant";
  }
  EXPECT_EQ(points, nrc::experiment_points(*p.experiments[0], p.preset, p.seed).size());
  EXPECT_EQ(searches, nrc::data_search_shapes(*p.checks[0]).size() + nrc::data_search_shapes(*p.checks[1]).size());
  EXPECT_EQ(mutants, p.checks[0]->mutants.size() + p.checks[1]->mutants.size());
}

TEST(Units, FinishedWorkIsLeftOut) {
  const auto p = plan(20);
  std::vector<Unit> units = nrc::cli::independent_units(p);
  std::erase_if(units, [](const Unit& u) { return u.at("kind") == "data_search"; });   // seconds each
  const std::vector<Record> all = compute(units);
  EXPECT_TRUE(nrc::cli::remaining_units(units, all).empty());
  // Half of one block's instances and one mutant missing: exactly those remain.
  std::vector<Record> some;
  for (const Record& r : all)
    if (!(r.check == "thm_5_4" && r.index && *r.index >= 16 && *r.index % 2 == 0) &&
        r.metrics.value("mutant", std::string()) != p.checks[0]->mutants[0].name)
      some.push_back(r);
  const auto rest = nrc::cli::remaining_units(units, some);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].at("kind"), "mutant");
  EXPECT_EQ(rest[1].at("indices"), nlohmann::json({16, 18}));
  std::vector<Record> again = some;
  for (const Record& r : compute(rest)) again.push_back(r);
  EXPECT_EQ(lines(again), lines(all));
  // Another seed's instances are not this run's (mutants are the same in every run).
  auto other = p;
  other.seed = 6;
  std::vector<Unit> instances = nrc::cli::independent_units(other);
  std::erase_if(instances, [](const Unit& u) { return u.at("kind") != "instances"; });
  EXPECT_EQ(nlohmann::json(nrc::cli::remaining_units(instances, all)), nlohmann::json(instances));
}

TEST(Units, SearchStartsComputedAsUnitsAreTheSearchsRecords) {
  const auto p = plan(30);
  std::vector<Unit> units = nrc::cli::independent_units(p);
  std::erase_if(units, [](const Unit& u) { return u.at("kind") != "instances"; });
  const std::vector<Record> run = compute(units);
  const auto starts = nrc::cli::search_units(p, run);
  ASSERT_EQ(starts.size(), 2u * nrc::cli::report_search_spec(p).starts);
  const std::vector<Record> found = compute(starts, 2);
  std::vector<Record> serial;
  for (const nrc::Check* c : p.checks)
    nrc::tightness_search(*c, run, {}, nrc::cli::report_search_spec(p), [&](const Record& r) { serial.push_back(r); });
  EXPECT_EQ(lines(found), lines(serial));
  // Rerun: the units carry their records and compute nothing new.
  std::vector<Record> all = run;
  all.insert(all.end(), found.begin(), found.end());
  EXPECT_TRUE(compute(nrc::cli::search_units(p, all)).empty());
}

TEST(Units, MalformedUnitsAreRefusedInOneLine) {
  auto refused = [](const Unit& u, const std::string& says) {
    try {
      nrc::cli::compute_unit(u, [](const Record&) {});
      ADD_FAILURE() << "accepted " << u.dump();
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  };
  refused(nlohmann::json::array(), "a unit is an object with a \"kind\"");
  refused({{"kind", "nap"}}, "unknown unit kind 'nap'");
  refused({{"kind", "instances"}, {"check", "thm_9_9"}, {"seed", 1}, {"indices", {1}}}, "unknown check id 'thm_9_9'");
  refused({{"kind", "instances"}, {"check", "thm_5_4"}}, "malformed instances unit");
  refused({{"kind", "mutant"}, {"check", "thm_5_4"}, {"mutant", 99}}, "not a mutant #99");
  refused({{"kind", "point"}, {"experiment", "fig9"}, {"seed", 1}, {"index", 0}, {"params", {}}},
          "unknown experiment id 'fig9'");
  refused({{"kind", "data_search"},
           {"check", "thm_5_4"},
           {"shape", {1, 2}},
           {"seed", 1},
           {"starts", 1},
           {"evaluations", 1}},
          "shape is [d, c, N, K]");
}

TEST(Units, DescribeNamesTheWork) {
  auto p = plan(40);
  for (const nrc::Experiment& e : nrc::experiments())
    if (e.id == "fig2") p.experiments = {&e};
  const auto units = nrc::cli::independent_units(p);
  EXPECT_EQ(nrc::cli::describe_unit(units.front()), "point fig2 #0");
  EXPECT_EQ(nrc::cli::describe_unit(units.back()), "instances thm_5_4 32–39");
  for (const Unit& u : units)
    if (u.at("kind") == "data_search") {
      EXPECT_EQ(nrc::cli::describe_unit(u).rfind("data search ", 0), 0u);
      EXPECT_NE(nrc::cli::describe_unit(u).find(" d="), std::string::npos) << nrc::cli::describe_unit(u);
      break;
    }
}

TEST(Units, TheLocalRunnerRethrowsAUnitsError) {
  std::vector<Unit> units = {{{"kind", "mutant"}, {"check", "thm_5_4"}, {"mutant", 0}}, {{"kind", "nap"}}};
  EXPECT_THROW(compute(units, 2), std::invalid_argument);
}

}   // namespace
