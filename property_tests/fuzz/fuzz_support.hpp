#pragma once
// Shared by the libFuzzer targets. The documented answer to bad input is std::invalid_argument with
// one line "nrc::<fn>(): <path>: <problem>"; only that is caught. Any other exception escapes
// LLVMFuzzerTestOneInput (std::terminate: libFuzzer reports a crash); a message of another shape, a
// result that breaks the reader's documented contract, or an allocation far beyond what the input
// justifies abort as well.
#include <sanitizer/allocator_interface.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

namespace nrc::fuzz {

// The path the readers name in their messages.
inline const std::string kPath = "fuzz-input";

[[noreturn]] inline void die(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "fuzz: %.*s: %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

inline void require(bool ok, std::string_view what) {
  if (!ok) die("broken contract", what);
}

// The largest single allocation a reader may make for an input of `size` bytes: what its values
// can take (a value costs at least 1 byte of text and at most 8 bytes as a double or 16 as a
// field's string_view, twice that while a vector doubles) and 16 KiB for small fixed needs; for
// gzip content, times deflate's maximum ratio of 1032, plus the inflate buffers. An allocation
// sized from a header or a count before the data is there (an IDX or Armadillo header, a number
// of line ends) exceeds it.
inline std::size_t memory_bound(const std::uint8_t* data, std::size_t size) {
  const bool gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  return gzip ? 32 * 1032 * size + (std::size_t{256} << 10) : 32 * size + (std::size_t{16} << 10);
}

namespace detail {
inline bool watching = false;
inline std::size_t largest = 0;
inline void on_malloc(const volatile void*, std::size_t size) {
  if (watching && size > largest) largest = size;
}
inline void on_free(const volatile void*) {}
struct Watch {
  Watch() {
    // AddressSanitizer calls these hooks on every allocation (libFuzzer's -malloc_limit_mb uses the
    // same mechanism; up to 5 hooks may be installed).
    static const bool installed = __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free) != 0;
    if (!installed) die("setup", "cannot install the sanitizer's malloc hooks");
    largest = 0;
    watching = true;
  }
  ~Watch() { watching = false; }
};
}  // namespace detail

// Runs f, which reads an input of `size` bytes at `data`. An invalid_argument must start with
// `prefix` (e.g. "nrc::load_matrix(): fuzz-input: ") and be one line; no single allocation may
// exceed memory_bound().
template <typename F>
void run(std::string_view prefix, const std::uint8_t* data, std::size_t size, F&& f) {
  {
    detail::Watch watch;
    try {
      f();
    } catch (const std::invalid_argument& e) {
      const std::string_view msg = e.what();
      if (!msg.starts_with(prefix)) die("invalid_argument without the expected prefix", msg);
      if (msg.find_first_of("\n\r") != std::string_view::npos) die("invalid_argument message is not one line", msg);
    }
  }
  if (detail::largest > memory_bound(data, size))
    die("allocation beyond what the input justifies",
        std::to_string(detail::largest) + " bytes at once for an input of " + std::to_string(size) + " bytes");
}

// The input with its last byte repeated 8 KiB more times. A reader that sizes a buffer by a count of
// some character (line ends, commas, blanks) before the values are there allocates in proportion
// to that count times something else (the width of a row); repeating the character makes such an
// allocation outgrow memory_bound() even when libFuzzer's own inputs are small, since mutations
// have no coverage reason to grow a run of blank lines.
inline std::string amplified(const std::uint8_t* data, std::size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  if (size > 0) s.append(std::size_t{8} << 10, s.back());
  return s;
}

// run() on the input as it is and on its amplified() form.
template <typename F>
void run_twice(std::string_view prefix, const std::uint8_t* data, std::size_t size, F&& f) {
  run(prefix, data, size, [&] { f(data, size); });
  const std::string more = amplified(data, size);
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(more.data());
  run(prefix, bytes, more.size(), [&] { f(bytes, more.size()); });
}

}  // namespace nrc::fuzz
