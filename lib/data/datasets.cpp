// The data folder and the named data sets laid out in it by scripts/setup.
#include <algorithm>
#include <cstdlib>
#include <utility>
#include <vector>
#include <filesystem>

#include <fmt/format.h>

#include "lib/common/error.hpp"
#include "lib/common/rng.hpp"
#include "lib/data/datasets.hpp"

#ifndef NRC_DEFAULT_DATA_DIR
#define NRC_DEFAULT_DATA_DIR "data"
#endif

namespace nrc {

std::string data_dir(const std::optional<std::string>& override_dir) {
  if (override_dir) {
    require(!override_dir->empty(), "data_dir", "expected a data folder, got an empty path");
    return *override_dir;
  }
  if (const char* env = std::getenv("NRC_DATA_DIR"); env != nullptr && *env != '\0') return env;
  return NRC_DEFAULT_DATA_DIR;
}

namespace {

void require_file(const std::string& name, const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    invalid_arg("load_named_dataset",
                fmt::format("{}: missing {}; run scripts/setup (or point NRC_DATA_DIR at a data folder)", name,
                            file.string()));
}

}  // namespace

LabelledImages load_named_dataset(const std::string& name, const std::string& dir) {
  const std::filesystem::path root(dir);
  if (name == "mnist") {
    const auto digits = root / "mnist" / "digits";
    for (int d = 0; d < 10; ++d) require_file(name, digits / fmt::format("{}.json", d));
    return load_mnist_json_dir(digits.string());
  }
  if (name == "fashion-mnist" || name == "fashion-mnist-test") {
    const std::string split = name == "fashion-mnist" ? "train" : "t10k";
    const auto images = root / "fashion-mnist" / fmt::format("{}-images-idx3-ubyte.gz", split);
    const auto labels = root / "fashion-mnist" / fmt::format("{}-labels-idx1-ubyte.gz", split);
    require_file(name, images);
    require_file(name, labels);
    return load_idx_dataset(images.string(), labels.string());
  }
  invalid_arg("load_named_dataset",
              fmt::format("unknown data set '{}' (expected mnist, fashion-mnist or fashion-mnist-test)", name));
}

arma::uvec seeded_subset(arma::uword n, arma::uword N, std::uint64_t seed) {
  require(N <= n, "seeded_subset", "expected N ≤ n = {}, got N = {}", n, N);
  if (N == 0) return {};
  std::vector<std::pair<std::uint64_t, arma::uword>> keys(n);
  for (arma::uword i = 0; i < n; ++i) keys[i] = {derive_seed(seed, i), i};
  std::nth_element(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(N - 1), keys.end());
  arma::uvec idx(N);
  for (arma::uword i = 0; i < N; ++i) idx(i) = keys[i].second;
  return arma::sort(idx);
}

}  // namespace nrc
