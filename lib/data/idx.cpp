// IDX files (LeCun's MNIST format, also Fashion-MNIST), raw or gzip-compressed.
// Layout: magic 0x0000 TT NN (big-endian; TT type code, NN number of dimensions), NN big-endian
// uint32 sizes, then the row-major data. Only unsigned bytes (TT = 0x08) occur in these data sets.
#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "lib/common/error.hpp"
#include "lib/data/datasets.hpp"
#include "lib/data/io_detail.hpp"

namespace nrc {
namespace data_detail {
namespace {

std::string_view idx_type_name(unsigned code) {
  switch (code) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "int16";
    case 0x0C: return "int32";
    case 0x0D: return "float32";
    case 0x0E: return "float64";
    default: return {};
  }
}

std::uint32_t big_endian_u32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

std::string dims_text(const std::vector<std::uint32_t>& dims) {
  return fmt::format("{}", fmt::join(dims, "×"));
}

arma::mat idx_images_as_columns(const IdxArray& images) {
  // IDX is row-major n×rows×cols, so image i is one contiguous block: column i.
  arma::mat X(arma::uword{images.dims[1]} * images.dims[2], images.dims[0]);
  double* x = X.memptr();
  for (std::size_t j = 0; j < images.data.size(); ++j) x[j] = images.data[j] / 255.0;
  return X;
}

IdxArray parse_idx(ByteReader& reader, std::string_view fn, const std::string& path) {
  const std::string_view gz_note = " (the gzip stream ends early)";
  std::array<std::uint8_t, 4> magic{};
  const std::size_t got_magic = reader.read(magic.data(), 4);
  if (got_magic < 4)
    fail(fn, path, fmt::format("truncated header: expected at least 4 bytes, got {}{}", got_magic,
                               reader.stream_truncated() ? gz_note : ""));
  const std::uint32_t magic_value = big_endian_u32(magic.data());
  const unsigned type = magic[2], ndims = magic[3];
  if (magic[0] != 0 || magic[1] != 0 || ndims == 0 || idx_type_name(type).empty())
    fail(fn, path, fmt::format("bad magic 0x{:08x} (expected 0x00000801 or 0x00000803)", magic_value));
  if (type != 0x08)
    fail(fn, path, fmt::format("unsupported IDX type code 0x{:02x} ({}); only unsigned bytes (0x08) are supported",
                               type, idx_type_name(type)));

  std::vector<std::uint8_t> header(4 * std::size_t{ndims});
  const std::size_t got_header = reader.read(header.data(), header.size());
  if (got_header < header.size())
    fail(fn, path, fmt::format("truncated header: expected {} bytes, got {}{}", 4 + header.size(), 4 + got_header,
                               reader.stream_truncated() ? gz_note : ""));
  IdxArray out;
  out.dims.resize(ndims);
  std::uint64_t expected = 1;
  constexpr std::uint64_t kMaxBytes = std::uint64_t{1} << 40;  // far beyond any real data set
  for (unsigned i = 0; i < ndims; ++i) out.dims[i] = big_endian_u32(header.data() + 4 * i);
  if (std::find(out.dims.begin(), out.dims.end(), 0u) != out.dims.end()) {
    expected = 0;
  } else {
    for (const std::uint32_t dim : out.dims) {
      if (expected > kMaxBytes / dim)
        fail(fn, path, fmt::format("dimensions {} are implausibly large", dims_text(out.dims)));
      expected *= dim;
    }
  }

  // Raw content: compare sizes before reading anything.
  const std::int64_t left = reader.remaining();
  if (left >= 0) {
    const auto have = static_cast<std::uint64_t>(left);
    if (have < expected)
      fail(fn, path, fmt::format("truncated: expected {} data bytes, got {}", expected, have));
    if (have > expected)
      fail(fn, path, fmt::format("{} trailing bytes after the {} data bytes", have - expected, expected));
    out.data.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(expected, kTrustedSizeHint)));
  }

  // Compressed content's size is known only by inflating it: the buffer grows with the bytes that
  // arrive (doubling from 64 KiB), so a header claiming 4e9×28×28 in a small .gz costs at most
  // twice what the stream actually holds before the truncation is found.
  constexpr std::uint64_t kFirstChunk = std::uint64_t{1} << 16;
  std::uint64_t have = 0;
  while (have < expected) {
    const std::uint64_t want = std::min(expected - have, std::max(kFirstChunk, have));
    out.data.resize(static_cast<std::size_t>(have + want));
    const std::size_t got = reader.read(out.data.data() + have, static_cast<std::size_t>(want));
    have += got;
    if (got < want) break;
  }
  if (have < expected)
    fail(fn, path, fmt::format("truncated: expected {} data bytes, got {}{}", expected, have,
                               reader.stream_truncated() ? gz_note : ""));

  // Counted up to a bound: a gzip bomb after the data would otherwise take minutes to inflate just
  // to say how many bytes are too many.
  constexpr std::uint64_t kTrailingCounted = std::uint64_t{1} << 20;
  std::array<std::uint8_t, 4096> extra{};
  std::uint64_t trailing = 0;
  for (std::size_t got; trailing <= kTrailingCounted && (got = reader.read(extra.data(), extra.size())) > 0;)
    trailing += got;
  if (trailing > kTrailingCounted)
    fail(fn, path, fmt::format("more than {} trailing bytes after the {} data bytes", kTrailingCounted, expected));
  if (trailing > 0)
    fail(fn, path, fmt::format("{} trailing bytes after the {} data bytes", trailing, expected));
  if (reader.stream_truncated())
    fail(fn, path, "truncated gzip stream (the data is complete but the stream ends before its trailer)");
  return out;
}

IdxArray read_idx_from(ByteReader& raw, std::string_view fn, const std::string& path) {
  ContentReader content(raw, fn, path);
  return parse_idx(content, fn, path);
}

namespace {

IdxArray read_idx_as(std::string_view fn, const std::string& path) {
  return read_idx_from(*open_regular_file(fn, path), fn, path);
}

}  // namespace
}  // namespace data_detail

IdxArray read_idx(const std::string& path) { return data_detail::read_idx_as("read_idx", path); }

LabelledImages load_idx_dataset(const std::string& images_path, const std::string& labels_path) {
  using data_detail::fail;
  constexpr std::string_view fn = "load_idx_dataset";
  IdxArray images = data_detail::read_idx_as(fn, images_path);
  IdxArray labels = data_detail::read_idx_as(fn, labels_path);
  if (images.dims.size() != 3)
    fail(fn, images_path, fmt::format("expected 3-D images (n×rows×cols), got dims {}",
                                      data_detail::dims_text(images.dims)));
  if (labels.dims.size() != 1)
    fail(fn, labels_path, fmt::format("expected 1-D labels, got dims {}", data_detail::dims_text(labels.dims)));
  if (images.dims[0] != labels.dims[0])
    invalid_arg(fn, fmt::format("{} has {} images but {} has {} labels", images_path, images.dims[0], labels_path,
                                labels.dims[0]));

  LabelledImages out;
  out.rows = images.dims[1];
  out.cols = images.dims[2];
  const arma::uword n = images.dims[0];
  out.labels.set_size(n);
  for (arma::uword i = 0; i < n; ++i) {
    if (labels.data[i] >= 10)
      fail(fn, labels_path, fmt::format("label {} at index {} is not in [0, 10)", labels.data[i], i));
    out.labels[i] = labels.data[i];
  }
  out.X = data_detail::idx_images_as_columns(images);
  return out;
}

}  // namespace nrc
