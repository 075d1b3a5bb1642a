#pragma once
// Shared helpers for the property tests.
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>   // rapidcheck/gtest.h needs gtest first
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "reports/format.hpp"
#include "theorems/draw.hpp"
#include "theorems/runner.hpp"

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

// The checks' generators driven by RapidCheck: same definition as the seeded sampler, but every
// drawn number is a rapidcheck value, so failures shrink to a small instance.
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

// Draws an instance of `check` with RapidCheck, evaluates it and fails the property (printing the
// replay command) if the judge says Fail. Returns the record for further assertions.
inline Record check_property(const Check& check) {
  RcDraw draw;
  const Record r = evaluate_params(check, check.draw(draw));
  if (r.verdict == Verdict::Fail)
    RC_FAIL("bound violated: lhs " + std::to_string(r.lhs) + " > rhs " + std::to_string(r.rhs) +
            "\nreplay: " + replay_command(r));
  return r;
}

}  // namespace nrc::test
