// IDX files (LeCun's MNIST format, also Fashion-MNIST), raw or gzip-compressed.
// Layout: magic 0x0000 TT NN (big-endian; TT type code, NN number of dimensions), NN big-endian
// uint32 sizes, then the row-major data. Only unsigned bytes (TT = 0x08) occur in these data sets.
#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <zlib.h>

#include "lib/common/error.hpp"
#include "lib/data/datasets.hpp"
#include "lib/data/io_detail.hpp"

namespace nrc {
namespace data_detail {

void fail(std::string_view fn, const std::string& path, std::string_view what) {
  invalid_arg(fn, fmt::format("{}: {}", path, what));
}

FilePtr open_file(std::string_view fn, const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(fn, path, "is a directory, not a file");
  FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f) fail(fn, path, fmt::format("cannot open: {}", std::strerror(errno)));
  return f;
}

std::uint64_t file_size(std::FILE* f, std::string_view fn, const std::string& path) {
  const long here = std::ftell(f);
  if (here < 0 || std::fseek(f, 0, SEEK_END) != 0) fail(fn, path, "cannot determine the file size");
  const long end = std::ftell(f);
  if (end < 0 || std::fseek(f, here, SEEK_SET) != 0) fail(fn, path, "cannot determine the file size");
  return static_cast<std::uint64_t>(end);
}

bool has_gzip_magic(const std::uint8_t* bytes, std::size_t n) {
  return n >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

namespace {

class RawReader final : public ByteReader {
 public:
  RawReader(FilePtr file, std::string_view fn, const std::string& path)
      : file_(std::move(file)), fn_(fn), path_(path) {
    size_ = file_size(file_.get(), fn_, path_);
  }
  std::size_t read(std::uint8_t* dst, std::size_t n) override {
    const std::size_t got = std::fread(dst, 1, n, file_.get());
    if (got < n && std::ferror(file_.get())) fail(fn_, path_, fmt::format("read error: {}", std::strerror(errno)));
    consumed_ += got;
    return got;
  }
  std::int64_t remaining() const override {
    return consumed_ >= size_ ? 0 : static_cast<std::int64_t>(size_ - consumed_);
  }

 private:
  FilePtr file_;
  std::string_view fn_;
  std::string path_;
  std::uint64_t size_ = 0, consumed_ = 0;
};

// zlib's inflate over the file in chunks; gzread would silently ignore bytes after the last
// member and hides where a truncated stream ends, so the stream is driven by hand.
class GzipReader final : public ByteReader {
 public:
  GzipReader(FilePtr file, std::string_view fn, const std::string& path)
      : file_(std::move(file)), fn_(fn), path_(path), in_(kChunk) {
    std::memset(&strm_, 0, sizeof strm_);
    if (inflateInit2(&strm_, 16 + MAX_WBITS) != Z_OK) fail(fn_, path_, "zlib inflateInit2 failed");
  }
  ~GzipReader() override { inflateEnd(&strm_); }
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  std::size_t read(std::uint8_t* dst, std::size_t n) override {
    std::size_t got = 0;
    while (got < n && !done_) {
      if (member_ended_) {
        // Another member may follow (gzip allows concatenation); anything else is garbage.
        fill(2);
        if (strm_.avail_in == 0) {
          done_ = true;
          break;
        }
        if (!has_gzip_magic(strm_.next_in, strm_.avail_in))
          fail(fn_, path_, fmt::format("trailing garbage after the gzip stream (at compressed byte {})",
                                       compressed_offset()));
        if (inflateReset(&strm_) != Z_OK) fail(fn_, path_, "zlib inflateReset failed");
        member_ended_ = false;
      }
      if (strm_.avail_in == 0) {
        fill(1);
        if (strm_.avail_in == 0) {
          truncated_ = done_ = true;
          break;
        }
      }
      const std::size_t want = std::min<std::size_t>(n - got, UINT_MAX);
      strm_.next_out = dst + got;
      strm_.avail_out = static_cast<uInt>(want);
      const int rc = inflate(&strm_, Z_NO_FLUSH);
      got += want - strm_.avail_out;
      if (rc == Z_STREAM_END) {
        member_ended_ = true;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        fail(fn_, path_, fmt::format("corrupt gzip stream: {}", strm_.msg != nullptr ? strm_.msg : zError(rc)));
      }
    }
    return got;
  }
  bool stream_truncated() const override { return truncated_; }

 private:
  static constexpr std::size_t kChunk = 1 << 18;

  // Ensures at least `need` unread compressed bytes when the file has them.
  void fill(std::size_t need) {
    if (strm_.avail_in >= need || eof_) return;
    if (strm_.avail_in > 0) std::memmove(in_.data(), strm_.next_in, strm_.avail_in);
    const std::size_t kept = strm_.avail_in;
    const std::size_t got = std::fread(in_.data() + kept, 1, in_.size() - kept, file_.get());
    if (got < in_.size() - kept) {
      if (std::ferror(file_.get())) fail(fn_, path_, fmt::format("read error: {}", std::strerror(errno)));
      eof_ = true;
    }
    read_total_ += got;
    strm_.next_in = in_.data();
    strm_.avail_in = static_cast<uInt>(kept + got);
  }
  std::uint64_t compressed_offset() const { return read_total_ - strm_.avail_in; }

  FilePtr file_;
  std::string_view fn_;
  std::string path_;
  std::vector<std::uint8_t> in_;
  z_stream strm_;
  std::uint64_t read_total_ = 0;
  bool eof_ = false, member_ended_ = false, done_ = false, truncated_ = false;
};

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

std::unique_ptr<ByteReader> raw_reader(FilePtr file, std::string_view fn, const std::string& path) {
  return std::make_unique<RawReader>(std::move(file), fn, path);
}

std::unique_ptr<ByteReader> gzip_reader(FilePtr file, std::string_view fn, const std::string& path) {
  return std::make_unique<GzipReader>(std::move(file), fn, path);
}

std::unique_ptr<ByteReader> open_content(std::string_view fn, const std::string& path, bool* gzipped) {
  FilePtr f = open_file(fn, path);
  std::uint8_t head[2] = {0, 0};
  const std::size_t n = std::fread(head, 1, 2, f.get());
  if (std::ferror(f.get()) || std::fseek(f.get(), 0, SEEK_SET) != 0)
    fail(fn, path, fmt::format("read error: {}", std::strerror(errno)));
  const bool gz = has_gzip_magic(head, n);
  if (gzipped != nullptr) *gzipped = gz;
  return gz ? gzip_reader(std::move(f), fn, path) : raw_reader(std::move(f), fn, path);
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

  // Raw files: compare sizes before reading anything.
  if (const std::int64_t left = reader.remaining(); left >= 0) {
    const auto have = static_cast<std::uint64_t>(left);
    if (have < expected)
      fail(fn, path, fmt::format("truncated: expected {} data bytes, got {}", expected, have));
    if (have > expected)
      fail(fn, path, fmt::format("{} trailing bytes after the {} data bytes", have - expected, expected));
  }

  // Grow in chunks so a corrupt header in a compressed file cannot demand a huge allocation.
  constexpr std::uint64_t kChunk = std::uint64_t{1} << 24;
  out.data.reserve(static_cast<std::size_t>(std::min(expected, kChunk)));
  std::uint64_t have = 0;
  while (have < expected) {
    const std::uint64_t want = std::min(expected - have, kChunk);
    out.data.resize(static_cast<std::size_t>(have + want));
    const std::size_t got = reader.read(out.data.data() + have, static_cast<std::size_t>(want));
    have += got;
    if (got < want) break;
  }
  if (have < expected)
    fail(fn, path, fmt::format("truncated: expected {} data bytes, got {}{}", expected, have,
                               reader.stream_truncated() ? gz_note : ""));

  std::array<std::uint8_t, 4096> extra{};
  std::uint64_t trailing = 0;
  for (std::size_t got; (got = reader.read(extra.data(), extra.size())) > 0;) trailing += got;
  if (trailing > 0)
    fail(fn, path, fmt::format("{} trailing bytes after the {} data bytes", trailing, expected));
  if (reader.stream_truncated())
    fail(fn, path, "truncated gzip stream (the data is complete but the stream ends before its trailer)");
  return out;
}

namespace {

IdxArray read_idx_as(std::string_view fn, const std::string& path) {
  auto reader = open_content(fn, path, nullptr);
  return parse_idx(*reader, fn, path);
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
