// libFuzzer target: users' matrices through load_matrix's path after the file is opened (format
// detection; CSV, whitespace text, arma_ascii, arma_binary, and also IDX and npm JSON, which
// load_matrix accepts), and the same bytes through inspect_data_file's.
#include <cstdint>

#include "lib/data/io_detail.hpp"
#include "property_tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nrc;
  fuzz::run_twice("nrc::load_matrix(): fuzz-input: ", data, size, [](const std::uint8_t* d, std::size_t n) {
    data_detail::MemoryReader raw(d, n);
    const arma::mat M = data_detail::load_matrix_from(raw, fuzz::kPath);
    fuzz::require(!M.is_empty() && M.is_finite(), "a non-empty matrix of finite values");
  });
  fuzz::run("nrc::inspect_data_file(): fuzz-input: ", data, size, [&] {
    data_detail::MemoryReader raw(data, size);
    const DataFileInfo info = data_detail::inspect_data_from(raw, fuzz::kPath);
    fuzz::require(!info.format.empty() && !info.shape.empty(), "a format and a shape");
  });
  return 0;
}
