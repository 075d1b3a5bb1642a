// libFuzzer target: one line of a records file through nrc::parse_record_line (theorems/record.hpp),
// which must answer any malformed line with std::invalid_argument.
//
// A line carries a CRC-32 of its own text, which random mutations almost never match, so each input
// is tried twice: as it is, and (when it ends in '}') as a record body with the checksum member
// appended the way record_line() writes it — CRC-32 of the text before ,"checksum":" followed by
// "}" — so that mutated JSON reaches the record checks behind the checksum.
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "property_tests/fuzz/fuzz_support.hpp"
#include "theorems/record.hpp"

namespace {

std::string with_checksum(std::string_view json) {
  const std::string body(json.substr(0, json.size() - 1));   // without the closing brace
  uLong c = crc32(0L, Z_NULL, 0);
  c = crc32(c, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
  c = crc32(c, reinterpret_cast<const Bytef*>("}"), 1);
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08lx", c & 0xffffffffUL);
  return body + ",\"checksum\":\"" + hex + "\"}";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  nrc::fuzz::run("nrc::", data, size, [&] { nrc::parse_record_line(line); });
  if (line.size() >= 2 && line.back() == '}') {
    const std::string sealed = with_checksum(line);
    nrc::fuzz::run("nrc::", reinterpret_cast<const std::uint8_t*>(sealed.data()), sealed.size(),
                   [&] { nrc::parse_record_line(sealed); });
  }
  return 0;
}
