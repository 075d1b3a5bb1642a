#pragma once
// One way to report a violated precondition: std::invalid_argument("nrc::fn(): expected …, got …").
// The CLI turns it into a one-line message and exit code 2 (DESIGN.md, house style).
#include <stdexcept>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace nrc {

[[noreturn]] inline void invalid_arg(std::string_view fn, std::string_view what) {
  throw std::invalid_argument(fmt::format("nrc::{}(): {}", fn, what));
}

// Throws invalid_argument with the formatted message unless cond holds.
template <typename... Args>
inline void require(bool cond, std::string_view fn, fmt::format_string<Args...> fmt_str, Args&&... args) {
  if (!cond) invalid_arg(fn, fmt::format(fmt_str, std::forward<Args>(args)...));
}

}  // namespace nrc
