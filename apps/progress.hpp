#pragma once
// Progress of long runs on stderr: on a terminal one line rewritten in place (at most 5 times a
// second), otherwise (logs, CI) a full line at most every 15 s and at the end.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace nrc::cli {

class Progress {
 public:
  Progress(std::string label, std::uint64_t total, std::string unit = "instances")
      : label_(std::move(label)), unit_(std::move(unit)), total_(total), tty_(isatty(2) != 0),
        start_(std::chrono::steady_clock::now()) {}
  // `extra`: a short status appended to the line (e.g. "3 failed").
  void tick(std::uint64_t done, const std::string& extra = "") {
    const auto now = std::chrono::steady_clock::now();
    const auto gap = tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(15000);
    if (done < total_ && now - last_ < gap) return;
    last_ = now;
    const double s = std::chrono::duration<double>(now - start_).count();
    // The rate counts only this process' work: a resumed run's first tick reports what it reused.
    if (!started_) {
      started_ = true;
      first_ = done;
    }
    std::string eta;
    if (done > first_ && done < total_)
      eta = fmt::format(", ~{:.0f} s left", s / static_cast<double>(done - first_) * static_cast<double>(total_ - done));
    fmt::print(stderr, "{}{}: {}/{} {}{}{}, {:.1f} s{}{}", tty_ ? "\r" : "", label_, done, total_, unit_,
               extra.empty() ? "" : ", ", extra, s, eta, tty_ && done < total_ ? "   " : "\n");
  }

 private:
  std::string label_, unit_;
  std::uint64_t total_;
  bool tty_;
  bool started_ = false;
  std::uint64_t first_ = 0;
  std::chrono::steady_clock::time_point start_, last_{};
};

}  // namespace nrc::cli
