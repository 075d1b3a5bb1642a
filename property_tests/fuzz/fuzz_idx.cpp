// libFuzzer target: IDX content, raw or gzip, through read_idx's path after the file is opened
// (gzip detection, inflate, parse_idx), then load_matrix's conversion of 3-D images.
#include <cstdint>

#include "lib/data/io_detail.hpp"
#include "property_tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nrc;
  fuzz::run("nrc::read_idx(): fuzz-input: ", data, size, [&] {
    data_detail::MemoryReader raw(data, size);
    const IdxArray a = data_detail::read_idx_from(raw, "read_idx", fuzz::kPath);
    std::uint64_t n = 1;
    for (const std::uint32_t d : a.dims) n *= d;   // unsigned: wraps only if a zero dim follows
    fuzz::require(!a.dims.empty() && a.data.size() == n, "data holds the product of the dims");
    if (a.dims.size() == 3)
      fuzz::require(data_detail::idx_images_as_columns(a).n_elem == a.data.size(), "one pixel per byte");
  });
  return 0;
}
