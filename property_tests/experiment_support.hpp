#pragma once
// Shared helpers for the experiments' property tests (fig1_2_test, fig3_4_5_test), so that both
// find experiments and claims, and run a default preset, the same way.
#include <chrono>
#include <cstdio>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>

#include "experiments/experiment.hpp"
#include "property_tests/support.hpp"
#include "theorems/judge.hpp"

namespace nrc::test {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline const Experiment& experiment(const std::string& id) {
  for (const auto& e : experiments())
    if (e.id == id) return e;
  throw std::runtime_error("no experiment " + id);
}

inline const Claim& claim(const Conclusion& c, const std::string& name) {
  for (const auto& cl : c.claims)
    if (cl.name == name) return cl;
  throw std::runtime_error("no claim " + name);
}

inline Verdict verdict(const Conclusion& c, const std::string& name) { return judge(claim(c, name).evidence).verdict; }

inline bool mentions(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// Runs the default preset of `id` end to end on 2 threads, printing its wall time, every point
// (through print_point) and every claim; expects a record per point and some claims.
inline ExperimentResult run_default(const std::string& id, const std::function<void(const Record&)>& print_point) {
  const auto& exp = experiment(id);
  const auto t0 = std::chrono::steady_clock::now();
  const auto res = run_experiment(exp, Preset::Default, 1, {}, 2, [](const Record&) {});
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s default preset: %.1f s wall on 2 threads, %zu points\n", id.c_str(), wall, res.points.size());
  for (const auto& p : res.points) print_point(p);
  for (const auto& c : res.claims)
    std::printf("  claim %-42s %-13s lhs %.4g rhs %.4g | %s\n", c.params["claim"].get<std::string>().c_str(),
                std::string(name(c.verdict)).c_str(), c.lhs, c.rhs, c.notes.c_str());
  EXPECT_EQ(res.points.size(), exp.points(Preset::Default, 1).size());
  EXPECT_FALSE(res.claims.empty());
  return res;
}

}  // namespace nrc::test
