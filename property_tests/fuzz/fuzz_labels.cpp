// libFuzzer target: label files through load_labels' path after the file is opened (the same
// detection and parsers as load_matrix, then one row or column of non-negative integers < 2^32).
#include <cstdint>

#include "lib/data/io_detail.hpp"
#include "property_tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nrc;
  fuzz::run_twice("nrc::load_labels(): fuzz-input: ", data, size, [](const std::uint8_t* d, std::size_t n) {
    data_detail::MemoryReader raw(d, n);
    const arma::uvec labels = data_detail::load_labels_from(raw, fuzz::kPath);
    fuzz::require(labels.n_elem > 0, "at least one label");
    for (const arma::uword l : labels) fuzz::require(l <= 0xffffffffu, "labels below 2^32");
  });
  return 0;
}
