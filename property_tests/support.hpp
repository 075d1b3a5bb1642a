#pragma once
// Shared helpers for the property tests.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <gtest/gtest.h>   // rapidcheck/gtest.h needs gtest first
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "lib/nn/mlp.hpp"
#include "reports/format.hpp"
#include "theorems/draw.hpp"
#include "theorems/lemma_3_3_centroid_gradients.hpp"
#include "theorems/runner.hpp"
#include "theorems/tolerances.hpp"

// Long sweeps run only with NRC_SLOW=1 (they carry the ctest label `slow`).
#define NRC_REQUIRE_SLOW()                                                     \
  do {                                                                         \
    if (std::getenv("NRC_SLOW") == nullptr) GTEST_SKIP() << "set NRC_SLOW=1";  \
  } while (0)

namespace nrc::test {

// A fresh folder under the system temp directory, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("nrc_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Tolerances of the assertions (issue 9): every floating-point comparison allows exactly the error
// its computation can make, with the reason beside it. rounding(n, scale) = γ_n·scale bounds the
// rounding of a value formed by a chain of n floating-point operations, or an n-term sum or dot
// product, on terms of total size `scale` (Higham, Accuracy and Stability, §3.1; tolerances.hpp).
inline double rounding(std::uint64_t n, double scale) { return tol::gamma(n) * scale; }

// A first-order estimate of the relative rounding of a forward or backward pass through `net` (the
// convention of theorems/lemma_3_3_centroid_gradients.cpp): ρ = γ_{4L(w+2)}, w the widest layer.
inline double pass_rounding(const Mlp& net) {
  arma::uword widest = 1;
  for (const auto& W : net.W) widest = std::max({widest, W.n_rows, W.n_cols});
  return tol::gamma(4 * net.depth() * (widest + 2));
}

// The sizes of the terms the backprop deltas are computed from, the scale of their rounding:
// theorems/lemma_3_3_centroid_gradients.hpp (one definition for the checks and the tests).
inline std::vector<arma::mat> delta_terms(const Mlp& net, const Forward& fw, Loss loss, const arma::mat& Y) {
  return lemma_3_3::delta_term_sizes(net, fw, loss, Y);
}

// Σ_l Σ_i ‖d̃_i^l‖(‖z_i^{l−1}‖ + 1): the size of the terms the gradient's sums add (weights and
// biases), from the delta term sizes Dt (delta_terms) and the forward pass fw.
inline double gradient_terms(const Forward& fw, const std::vector<arma::mat>& Dt) {
  double S = 0;
  for (std::size_t l = 0; l < Dt.size(); ++l) {
    const arma::rowvec dn = arma::sqrt(arma::sum(arma::square(Dt[l]), 0));
    const arma::rowvec zn = arma::sqrt(arma::sum(arma::square(fw.Z[l]), 0));
    S += arma::dot(dn, zn + 1.0);
  }
  return S;
}

// Rounding estimate of one evaluation of ∇L_λ (eq. 3) at `net`: the N-term sums Σ_i d_i z_iᵀ and the
// passes they come from, (γ_N + ρ)·gradient_terms/N, plus forming 2λΘ and adding it, γ_2·2λ‖Θ‖.
inline double gradient_rounding(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y, double lambda) {
  const Forward fw = forward(net, X);
  const double N = static_cast<double>(X.n_cols);
  return (tol::gamma(X.n_cols) + pass_rounding(net)) * gradient_terms(fw, delta_terms(net, fw, loss, Y)) / N +
         rounding(2, 2 * lambda * arma::norm(flatten(net)));
}

// The checks' generators driven by RapidCheck: same definition as the seeded sampler, but every
// drawn number is a rapidcheck value, so failures shrink to a small instance. Use it only inside
// draw_instance (below): drawn directly in a property, its numbers would be reported as unlabelled
// `long: 2` lines instead of the instance they make.
class RcDraw final : public Draw {
 public:
  std::int64_t integer(std::int64_t lo, std::int64_t hi) override {
    return *rc::gen::inRange<std::int64_t>(lo, hi + 1);
  }
  double uniform(double lo, double hi) override {
    constexpr std::int64_t steps = 1 << 20;
    return lo + (hi - lo) * static_cast<double>(*rc::gen::inRange<std::int64_t>(0, steps + 1)) / steps;
  }
  std::uint64_t seed() override { return *rc::gen::inRange<std::uint64_t>(0, 1ULL << 32); }
};

// One drawn instance of a check: a single generated value, so that a failing property reports it
// (shrunk) as the check id, its complete parameters and the command that replays it.
struct Instance {
  std::string check;
  nlohmann::json params;
};

inline std::string replay_line(const Instance& instance) {
  Record r;
  r.check = instance.check;
  r.params = instance.params;
  return replay_command(r);   // the project's one format (reports/format.hpp)
}

// RapidCheck's printer for Instance (found by argument-dependent lookup from rc::show).
inline void showValue(const Instance& instance, std::ostream& os) {
  os << "check " << instance.check << "\nparams " << instance.params.dump() << "\nreplay: " << replay_line(instance);
}

// Draws an instance of `check` as one RapidCheck value (its numbers shrink together).
inline Instance draw_instance(const Check& check) {
  // By value: RapidCheck re-runs the callable lazily while shrinking, after `check` may be gone.
  return *rc::gen::exec([id = check.id, draw_params = check.draw] {
    RcDraw draw;
    return Instance{id, draw_params(draw)};
  });
}

// Draws an instance of `check` with RapidCheck, evaluates it and fails the property (printing the
// replay command) if the judge says Fail. Returns the record for further assertions; a later
// failing assertion prints the same instance and replay line (RapidCheck shows the drawn Instance).
inline Record check_property(const Check& check) {
  const Instance instance = draw_instance(check);
  const Record r = evaluate_params(check, instance.params);
  if (r.verdict == Verdict::Fail)
    RC_FAIL(fmt::format("bound violated: lhs {:.17g} > rhs {:.17g} (err {:.3g}; {})\nreplay: {}", r.lhs, r.rhs,
                        r.err, r.notes, replay_line(instance)));
  return r;
}

// Every mutant of `c` Fails, in double, by a clear margin: δ = lhs − rhs beyond 100 times its
// rounding estimate (the runner decides mutants in double only) and lhs/rhs above min_ratio — against
// the Fail side, rhs_upper, when the record brackets its rhs.
inline void expect_mutants_fail_clearly(const Check& c, std::size_t at_least, double min_ratio) {
  EXPECT_GE(c.mutants.size(), at_least) << c.id;
  for (const Mutant& m : c.mutants) {
    const Record r = evaluate_mutant(c, m);
    const double rhs = r.rhs_upper.value_or(r.rhs);
    EXPECT_EQ(r.verdict, Verdict::Fail) << c.id << " " << m.name << ": " << r.notes;
    EXPECT_EQ(r.precision, "double");
    EXPECT_GT(r.lhs - rhs, 100 * r.err) << c.id << " " << m.name;
    EXPECT_GT(r.lhs, min_ratio * rhs) << c.id << " " << m.name;
  }
}

}  // namespace nrc::test
