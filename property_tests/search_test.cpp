// The searches of theorems/search.hpp: Nelder–Mead on functions with a known maximum, and the
// adversarial search over data (parametrization, records, replay, reuse, and the ratios it reaches).
#include "property_tests/support.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "theorems/registry.hpp"
#include "theorems/search.hpp"

namespace {

using nrc::maximize_nelder_mead;
using nrc::NelderMeadOptions;

// −‖x − a‖²: maximum 0 at a. Nelder–Mead on a quadratic contracts the simplex geometrically; its
// stopping rule (values agreeing to value_tol = 1e-12 relative, vertices to size_tol) leaves the best
// vertex within ~√(1e-12)·scale of a, and the restarts tighten it further. The assertion allows
// 1e-5: the stopping rule's √value_tol with a factor 10 for the simplex's shape — a convergence
// target, not rounding.
TEST(NelderMead, FindsTheMaximumOfAConcaveQuadratic) {
  const arma::vec a = {1.5, -2.0, 0.25, 3.0};
  const auto f = [&](const arma::vec& x) { return -arma::accu(arma::square(x - a)); };
  NelderMeadOptions o;
  o.max_evaluations = 20000;
  const auto r = maximize_nelder_mead(f, arma::zeros(4), o);
  EXPECT_LE(arma::abs(r.x - a).max(), 1e-5);
  EXPECT_LE(-r.value, 1e-10);
  EXPECT_LE(r.evaluations, o.max_evaluations);
  EXPECT_GE(r.runs, 1u);
}

// The negated Rosenbrock function: maximum 0 at (1, 1), a curved valley that defeats coordinate
// search; the standard test of simplex methods.
TEST(NelderMead, FollowsTheRosenbrockValley) {
  const auto f = [](const arma::vec& x) {
    return -(100 * std::pow(x(1) - x(0) * x(0), 2) + std::pow(1 - x(0), 2));
  };
  NelderMeadOptions o;
  o.max_evaluations = 20000;
  const auto r = maximize_nelder_mead(f, arma::vec{-1.2, 1.0}, o);
  EXPECT_NEAR(r.x(0), 1.0, 1e-5);
  EXPECT_NEAR(r.x(1), 1.0, 1e-5);
}

// Infeasible points (−∞, NaN) are never taken: the maximum of −‖x − a‖² over x_0 ≤ 0 with a_0 > 0 lies
// on the boundary x_0 = 0, and the search stays feasible.
TEST(NelderMead, NeverAcceptsAnInfeasiblePoint) {
  const arma::vec a = {1.0, 2.0};
  const auto f = [&](const arma::vec& x) {
    if (x(0) > 0) return x(1) > 0 ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
    return -arma::accu(arma::square(x - a));
  };
  NelderMeadOptions o;
  o.max_evaluations = 5000;
  const auto r = maximize_nelder_mead(f, arma::vec{-1.0, 0.0}, o);
  EXPECT_LE(r.x(0), 0.0);
  EXPECT_TRUE(std::isfinite(r.value));
  EXPECT_NEAR(r.x(1), 2.0, 1e-3);   // along the boundary the optimum is x_1 = 2 (convergence target)
  EXPECT_NEAR(r.x(0), 0.0, 1e-3);
}

TEST(NelderMead, IsDeterministicAndRespectsItsBudget) {
  const auto f = [](const arma::vec& x) { return -arma::accu(arma::abs(x)) + std::cos(3 * x(0)); };
  NelderMeadOptions o;
  o.max_evaluations = 137;
  const auto a = maximize_nelder_mead(f, arma::vec{0.7, -0.3, 0.2}, o);
  const auto b = maximize_nelder_mead(f, arma::vec{0.7, -0.3, 0.2}, o);
  EXPECT_EQ(a.value, b.value);
  EXPECT_TRUE(arma::all(a.x == b.x));
  EXPECT_LE(a.evaluations, 137u);
}

TEST(NelderMead, RejectsBadInput) {
  const auto f = [](const arma::vec& x) { return -arma::accu(x % x); };
  EXPECT_THROW(maximize_nelder_mead(f, arma::vec()), std::invalid_argument);
  NelderMeadOptions o;
  o.max_evaluations = 0;
  EXPECT_THROW(maximize_nelder_mead(f, arma::vec{1.0}, o), std::invalid_argument);
  o = {};
  o.initial_step = 0;
  EXPECT_THROW(maximize_nelder_mead(f, arma::vec{1.0}, o), std::invalid_argument);
  // An exception from the objective reaches the caller (not through NLopt's C frames), after 3 calls.
  int calls = 0;
  const auto throws = [&](const arma::vec& x) {
    if (++calls == 3) throw std::runtime_error("objective failed");
    return -arma::accu(x % x);
  };
  EXPECT_THROW(maximize_nelder_mead(throws, arma::vec{1.0, 2.0}), std::runtime_error);
  EXPECT_EQ(calls, 3);
}

// ---------------------------------------------------------------------------------------------
// The data search

TEST(DataSearch, ShapesForTheChecksThatTakeExplicitData) {
  for (const char* id : {"thm_5_3", "thm_5_3_refined", "thm_5_4", "thm_5_4_refined"})
    EXPECT_FALSE(nrc::data_search_shapes(nrc::find_check(id)).empty()) << id;
  for (const char* id : {"thm_5_1_minimum", "prop_3_1"}) EXPECT_TRUE(nrc::data_search_shapes(nrc::find_check(id)).empty()) << id;
  // Theorem 5.3: one shape per d = 1..4.
  std::vector<arma::uword> ds;
  for (const auto& s : nrc::data_search_shapes(nrc::find_check("thm_5_3"))) ds.push_back(s.d);
  for (arma::uword d = 1; d <= 4; ++d) EXPECT_NE(std::find(ds.begin(), ds.end(), d), ds.end()) << d;
}

// The parametrization: each block's centroid is exactly the centroid part (the deviations have zero
// block mean up to the rounding of a mean of N/K numbers), with the four scales applied.
TEST(DataSearch, ParametrizationSeparatesCentroidsAndDeviations) {
  const nrc::DataShape shape{2, 1, 4, 2};
  arma::vec x = arma::linspace(-1, 1, nrc::data_search_dimension(shape));
  x.head(5) = arma::vec{std::log(0.3), std::log(2.0), std::log(0.5), std::log(4.0), std::log(0.25)};
  const nlohmann::json p = nrc::data_search_params(shape, x);
  EXPECT_EQ(p.at("data"), "explicit");
  EXPECT_EQ(p.at("K"), 2);
  EXPECT_NEAR(p.at("lambda").get<double>(), 0.3, nrc::test::rounding(2, 0.3));
  arma::mat X(2, 4);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j) X(i, j) = p.at("X").at(i).at(j).get<double>();
  // Block 0 = samples {0, 2}, block 1 = {1, 3}; X centroids are 2·x(5..8) (d×K, column-major).
  for (int b = 0; b < 2; ++b)
    for (int i = 0; i < 2; ++i) {
      const double centroid = 0.5 * (X(i, b) + X(i, b + 2));
      const double expected = 2.0 * x(5 + static_cast<arma::uword>(b * 2 + i));
      // exp of a log (γ_2), a product, the deviation's mean subtracted and added back: γ_8 of the
      // entries' size (≤ 2 + 0.5·2).
      EXPECT_NEAR(centroid, expected, nrc::test::rounding(8, 3.0)) << b << " " << i;
    }
  EXPECT_THROW(nrc::data_search_params(shape, arma::vec(3)), std::invalid_argument);
}

// The best instance is an ordinary record whose params replay it bit for bit, and a second search
// with the same spec reuses it instead of searching again.
TEST(DataSearch, BestInstanceIsAReplayableRecordAndIsReused) {
  const nrc::Check& check = nrc::find_check("thm_5_3_refined");
  const nrc::DataShape shape{1, 1, 2, 1};
  nrc::DataSearchSpec spec;
  spec.starts = 2;
  spec.evaluations = 200;
  spec.seed = 3;
  std::vector<nrc::Record> sunk;
  const auto result = nrc::data_search(check, shape, {}, spec, [&](const nrc::Record& r) { sunk.push_back(r); });
  ASSERT_TRUE(result.best.has_value());
  ASSERT_EQ(sunk.size(), 1u);
  EXPECT_FALSE(result.reused);
  const nrc::Record& best = *result.best;
  EXPECT_EQ(best.metrics.at("search").at("kind"), "data");
  EXPECT_EQ(best.metrics.at("search").at("shape"), shape.label());
  EXPECT_EQ(best.params.at("data"), "explicit");
  // Replay from the params (as `nrc replay ID --params` does): the same numbers.
  nrc::require_known_params(check, best.params);
  const nrc::Record again = nrc::evaluate_params(check, best.params);
  EXPECT_EQ(again.lhs, best.lhs);
  EXPECT_EQ(again.rhs, best.rhs);
  EXPECT_EQ(again.verdict, best.verdict);
  // The same search again, given the records: reused, nothing new written.
  std::vector<nrc::Record> sunk2;
  const auto reused = nrc::data_search(check, shape, sunk, spec, [&](const nrc::Record& r) { sunk2.push_back(r); });
  EXPECT_TRUE(reused.reused);
  EXPECT_TRUE(sunk2.empty());
  EXPECT_EQ(reused.best->lhs, best.lhs);
  // Deterministic: the same spec from scratch finds the same instance.
  const auto fresh = nrc::data_search(check, shape, {}, spec, [](const nrc::Record&) {});
  EXPECT_EQ(fresh.best->params, best.params);
}

// Where the claims are decided: the refined bounds are attained on data (Theorem 5.3's at
// ≥ 0.99, Theorem 5.4's at ≥ 0.95 on tiny instances), and the paper's Theorem 5.3 ratio reaches
// beyond ½ in d = 1 (its centroid term is attained there, header of thm_5_3_centroid_minimizers.cpp).
// These thresholds are the targets for the search (what it must find), not tolerances.
TEST(DataSearch, ReachesTheAttainedRatios) {
  nrc::DataSearchSpec spec;   // the default report's budget
  const auto best = [&](const char* id, const nrc::DataShape& shape) {
    const auto r = nrc::data_search(nrc::find_check(id), shape, {}, spec, [](const nrc::Record&) {});
    EXPECT_TRUE(r.best.has_value()) << id;
    EXPECT_EQ(r.best->verdict, nrc::Verdict::Pass) << id << " " << nrc::replay_command(*r.best);
    return r.best ? r.best->ratio : 0.0;
  };
  EXPECT_GE(best("thm_5_3_refined", {1, 1, 2, 1}), 0.99);
  EXPECT_GE(best("thm_5_4_refined", {2, 2, 2, 1}), 0.95);
  EXPECT_GT(best("thm_5_3", {1, 1, 2, 1}), 0.5);
}

}  // namespace
