// Data files by content, and the dense-matrix formats read without Armadillo's lenient loaders:
// CSV, whitespace-separated text and Armadillo's arma_ascii / arma_binary.
#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <system_error>

#include <fmt/format.h>

#include "lib/data/io_detail.hpp"

namespace nrc::data_detail {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Token shown in a message: long tokens are cut (at a character boundary, the text may be UTF-8),
// and control characters are written as \xNN, so that the message stays one printable line
// whatever bytes the file holds.
std::string shown(std::string_view token) {
  if (token.size() > 40) {
    std::size_t n = 40;
    while (n > 0 && (static_cast<unsigned char>(token[n]) & 0xC0) == 0x80) --n;
    token = token.substr(0, n);
  }
  std::string out;
  for (const char c : token) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f)
      out += fmt::format("\\x{:02x}", u);
    else
      out += c;
  }
  return out;
}

enum class Parsed { Ok, NotNumber, OutOfRange };

// std::from_chars rather than strtod: it does not depend on the C locale's decimal point and is
// bounded by the token, not by a terminating NUL. It rejects a leading '+', which data files do
// use, and hex, which they do not.
Parsed parse_number(std::string_view t, double& v) {
  if (t.size() > 1 && t[0] == '+' && t[1] != '+' && t[1] != '-') t.remove_prefix(1);
  const char* end = t.data() + t.size();
  const auto [ptr, ec] = std::from_chars(t.data(), end, v);
  if (ptr != end || ec == std::errc::invalid_argument) return Parsed::NotNumber;
  // from_chars also reports underflow here (1e-400); strict, and such values do not occur in data.
  if (ec == std::errc::result_out_of_range) return Parsed::OutOfRange;
  return Parsed::Ok;
}

bool parse_uword(std::string_view t, arma::uword& v) {
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  return !t.empty() && ec == std::errc() && ptr == t.data() + t.size();
}

void split_fields(std::string_view line, bool csv, std::vector<std::string_view>& fields) {
  fields.clear();
  if (csv) {
    for (std::size_t start = 0;;) {
      const std::size_t comma = line.find(',', start);
      fields.push_back(trim(line.substr(start, comma == std::string_view::npos ? comma : comma - start)));
      if (comma == std::string_view::npos) return;
      start = comma + 1;
    }
  }
  while (true) {
    std::size_t b = 0;
    while (b < line.size() && is_space(line[b])) ++b;
    if (b == line.size()) return;
    std::size_t e = b;
    while (e < line.size() && !is_space(line[e])) ++e;
    fields.push_back(line.substr(b, e - b));
    line.remove_prefix(e);
  }
}

// The line starting at pos, advancing pos past its end. A line ends at LF, CRLF or a lone CR: files
// saved on classic Mac OS, and by some spreadsheet exporters, end lines with CR alone, and reading
// those as one long line would silently turn a 3×6 matrix into 1×18. Returns false at the end.
bool next_line(std::string_view text, std::size_t& pos, std::string_view& line) {
  if (pos >= text.size()) return false;
  const std::size_t end = text.find_first_of("\r\n", pos);
  if (end == std::string_view::npos) {
    line = text.substr(pos);
    pos = text.size();
    return true;
  }
  line = text.substr(pos, end - pos);
  pos = end + 1;
  if (text[end] == '\r' && pos < text.size() && text[pos] == '\n') ++pos;
  return true;
}

// Armadillo's element type codes (diskio::gen_txt_header): signed/unsigned integers and floats of
// 1 to 8 bytes, then complex.
struct ArmaType {
  std::string_view code;
  std::size_t bytes;
  void (*to_double)(const char* src, std::size_t n, double* dst);
};

template <typename T>
void convert(const char* src, std::size_t n, double* dst) {
  for (std::size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, src + i * sizeof(T), sizeof(T));   // the data need not be aligned
    dst[i] = static_cast<double>(v);
  }
}

constexpr ArmaType kArmaTypes[] = {
    {"IU001", 1, convert<std::uint8_t>},  {"IS001", 1, convert<std::int8_t>},
    {"IU002", 2, convert<std::uint16_t>}, {"IS002", 2, convert<std::int16_t>},
    {"IU004", 4, convert<std::uint32_t>}, {"IS004", 4, convert<std::int32_t>},
    {"IU008", 8, convert<std::uint64_t>}, {"IS008", 8, convert<std::int64_t>},
    {"FN004", 4, convert<float>},         {"FN008", 8, convert<double>},
};

}  // namespace

DataFile read_data(ByteReader& raw, std::string_view fn, const std::string& path) {
  DataFile out;
  ContentReader content(raw, fn, path);
  const std::span<const std::uint8_t> head = content.head();
  if (head.empty()) fail(fn, path, "empty file");
  if (content.gzipped() || (head.size() >= 2 && head[0] == 0 && head[1] == 0)) {   // IDX magic: two zero bytes
    out.format = content.gzipped() ? Format::IdxGzip : Format::Idx;
    out.idx = parse_idx(content, fn, path);
    return out;
  }
  out.content = read_all(content);
  const std::string& text = out.content;
  const std::size_t first = text.find_first_not_of(" \t\r\n\v\f");
  if (first != std::string::npos && (text[first] == '{' || text[first] == '[')) {
    out.format = Format::MnistJson;
    return out;
  }
  if (text.starts_with("ARMA_")) {
    const std::string_view header = std::string_view(text).substr(0, std::min(text.find_first_of(" \t\r\n"), std::size_t{20}));
    if (header.starts_with("ARMA_MAT_TXT_") || header.starts_with("ARMA_MAT_BIN_")) {
      out.format = header[9] == 'B' ? Format::ArmaBinary : Format::ArmaAscii;
      return out;
    }
    fail(fn, path, fmt::format("Armadillo header '{}': only dense matrices (ARMA_MAT_TXT, ARMA_MAT_BIN) are "
                               "supported", shown(header)));
  }
  const bool binary = std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\n' && !is_space(c)) || u == 0x7f;
  });
  if (binary) fail(fn, path, "unrecognised data file format (binary, and not IDX or gzip)");
  out.format = text.find(',') != std::string::npos ? Format::Csv : Format::Text;
  return out;
}

std::string parse_text_matrix(std::string_view text, bool csv, std::size_t first_line, arma::mat& out) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  // The values, row after row, grow with the lines parsed: sizing by the number of line ends would
  // let a file of one long line and many blank ones (1×200,000 then 200,000 newlines, 600 KB) ask
  // for 320 GB.
  std::vector<double> values;
  arma::uword rows = 0, cols = 0;
  std::size_t blank_line = 0;   // the first blank line seen, an error if data follows it
  std::vector<std::string_view> fields;
  std::vector<double> row;
  std::size_t line_no = first_line;
  std::string_view line;
  for (std::size_t pos = 0; next_line(text, pos, line); ++line_no) {
    if (trim(line).empty()) {
      if (blank_line == 0) blank_line = line_no;
      continue;
    }
    if (blank_line != 0)
      return fmt::format("blank line {} {} the data", blank_line, rows == 0 ? "before" : "inside");
    split_fields(line, csv, fields);
    row.resize(fields.size());
    for (std::size_t j = 0; j < fields.size(); ++j) {
      if (fields[j].empty()) return fmt::format("line {}, field {} is empty", line_no, j + 1);
      switch (parse_number(fields[j], row[j])) {
        case Parsed::Ok: break;
        case Parsed::NotNumber:
          return fmt::format("line {}, field {} '{}' is not a number", line_no, j + 1, shown(fields[j]));
        case Parsed::OutOfRange:
          return fmt::format("line {}, field {} '{}' is outside the range of a double", line_no, j + 1,
                             shown(fields[j]));
      }
    }
    if (rows == 0) {
      cols = fields.size();
    } else if (fields.size() != cols) {
      return fmt::format("line {} has {} fields, line {} has {}", line_no, fields.size(), first_line, cols);
    }
    values.insert(values.end(), row.begin(), row.end());
    ++rows;
  }
  if (rows == 0) return "no values";
  // Row-major values are the column-major cols×rows matrix: viewed in place, then transposed.
  out = arma::mat(values.data(), cols, rows, /*copy_aux_mem=*/false, /*strict=*/true).t();
  return {};
}

arma::mat parse_armadillo(std::string_view content, bool binary, std::string_view fn, const std::string& path) {
  // Armadillo writes "<header>\n<rows> <cols>\n" and then the values (diskio::save_arma_*). The
  // text form's lines may end as any text's (LF, CRLF, CR); the binary form's header ends at LF
  // exactly, since the byte after it is data.
  std::string_view header, dims_line, body;
  bool complete = false;
  if (binary) {
    const std::size_t eol1 = content.find('\n');
    const std::size_t eol2 = eol1 == std::string_view::npos ? eol1 : content.find('\n', eol1 + 1);
    if (eol2 != std::string_view::npos) {
      complete = true;
      header = content.substr(0, eol1);
      dims_line = content.substr(eol1 + 1, eol2 - eol1 - 1);
      body = content.substr(eol2 + 1);
    }
  } else {
    std::size_t pos = 0;
    complete = next_line(content, pos, header) && next_line(content, pos, dims_line);
    body = content.substr(std::min(pos, content.size()));
  }
  if (!complete) fail(fn, path, "truncated Armadillo header: expected a header line and a '<rows> <cols>' line");
  header = trim(header);
  dims_line = trim(dims_line);
  const std::string_view code = header.size() == 18 ? header.substr(13) : std::string_view();
  if (code == "FC008" || code == "FC016")
    fail(fn, path, fmt::format("Armadillo header '{}': complex matrices are not supported", shown(header)));
  const auto type = std::find_if(std::begin(kArmaTypes), std::end(kArmaTypes),
                                 [&](const ArmaType& t) { return t.code == code; });
  if (type == std::end(kArmaTypes))
    fail(fn, path, fmt::format("Armadillo header '{}': unknown element type", shown(header)));
  const std::size_t space = dims_line.find(' ');
  arma::uword n_rows = 0, n_cols = 0;
  if (space == std::string_view::npos || !parse_uword(dims_line.substr(0, space), n_rows) ||
      !parse_uword(trim(dims_line.substr(space + 1)), n_cols))
    fail(fn, path, fmt::format("Armadillo line 2 '{}': expected '<rows> <cols>'", shown(dims_line)));

  if (binary) {
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() / type->bytes;
    if (n_cols != 0 && n_rows > limit / n_cols)
      fail(fn, path, fmt::format("Armadillo dimensions {}×{} are implausibly large", n_rows, n_cols));
    const std::uint64_t expected = std::uint64_t{n_rows} * n_cols * type->bytes;
    if (body.size() < expected)
      fail(fn, path, fmt::format("truncated: the header says {}×{} ({} data bytes), got {} bytes", n_rows,
                                 n_cols, expected, body.size()));
    if (body.size() > expected)
      fail(fn, path, fmt::format("{} trailing bytes after the {} data bytes", body.size() - expected, expected));
    arma::mat M(n_rows, n_cols);   // stored column-major, as arma::mat
    type->to_double(body.data(), M.n_elem, M.memptr());
    return M;
  }

  if (n_rows == 0 || n_cols == 0) {
    if (body.find_first_not_of(" \t\r\n\v\f") != std::string_view::npos)
      fail(fn, path, fmt::format("values after a header of {}×{}", n_rows, n_cols));
    return arma::mat(n_rows, n_cols);
  }
  arma::mat M;
  if (const std::string why = parse_text_matrix(body, false, kArmaAsciiFirstLine, M); !why.empty())
    fail(fn, path, fmt::format("as Armadillo text: {}", why));
  if (M.n_rows != n_rows || M.n_cols != n_cols)
    fail(fn, path, fmt::format("the header says {}×{} but the values form a {}×{} matrix{}", n_rows, n_cols,
                               M.n_rows, M.n_cols, M.n_rows < n_rows && M.n_cols == n_cols ? " (truncated)" : ""));
  return M;
}

}  // namespace nrc::data_detail
