#include "theorems/record.hpp"

#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "lib/common/blas.hpp"
#include "lib/common/error.hpp"
#include "lib/common/files.hpp"
#include "nrc_build_info.hpp"

namespace nrc {

namespace {
constexpr std::string_view kVerdictNames[] = {"Pass", "Fail", "Inconclusive", "NotApplicable"};

nlohmann::json number(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }
double number_from(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::numeric_limits<double>::quiet_NaN();
  return j.at(key).get<double>();
}

// Records nest a few levels (metrics → chain → values); far deeper nesting is not a record, and
// refusing it keeps the recursion below bounded.
constexpr int kMaxDepth = 32;

// Writer side: NaN and ±Inf become null at any depth (JSON has no such numbers).
void nonfinite_to_null(nlohmann::json& j, int depth = 0) {
  if (depth > kMaxDepth) invalid_arg("to_json", "metrics nested deeper than 32 levels");
  if (j.is_number_float() && !std::isfinite(j.get<double>())) {
    j = nullptr;
  } else if (j.is_structured()) {
    for (auto& v : j) nonfinite_to_null(v, depth + 1);
  }
}

// Reader side: every null in metrics was a non-finite number (the writer writes no other null).
void null_to_nan(nlohmann::json& j, int depth = 0) {
  if (depth > kMaxDepth) invalid_arg("record_from_json", "metrics nested deeper than 32 levels");
  if (j.is_null()) {
    j = std::numeric_limits<double>::quiet_NaN();
  } else if (j.is_structured()) {
    for (auto& v : j) null_to_nan(v, depth + 1);
  }
}

// A count or seed: a non-negative integer as JSON stores it (a double, even 1e300, or -1 is not one;
// converting those would be undefined or wrap).
std::uint64_t unsigned_from(const nlohmann::json& j, const char* key) {
  const auto& v = j.at(key);
  require(v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0), "record_from_json",
          "'{}': expected a non-negative integer", key);
  return v.get<std::uint64_t>();
}

std::uint32_t crc(std::string_view a, std::string_view b = {}) {
  uLong c = crc32(0L, Z_NULL, 0);
  c = crc32(c, reinterpret_cast<const Bytef*>(a.data()), static_cast<uInt>(a.size()));
  c = crc32(c, reinterpret_cast<const Bytef*>(b.data()), static_cast<uInt>(b.size()));
  return static_cast<std::uint32_t>(c);
}

constexpr std::string_view kChecksumKey = ",\"checksum\":\"";
}  // namespace

std::string_view name(Verdict v) { return kVerdictNames[static_cast<int>(v)]; }

Verdict parse_verdict(std::string_view s) {
  for (int i = 0; i < 4; ++i)
    if (kVerdictNames[i] == s) return static_cast<Verdict>(i);
  invalid_arg("parse_verdict", fmt::format("unknown verdict '{}'", s));
}

Provenance current_provenance() {
  return {build::version, build::git_commit, blas_threads(), blas_core()};
}

nlohmann::json to_json(const Record& r) {
  nlohmann::json j;
  j["check"] = r.check;
  j["paper_ref"] = r.paper_ref;
  j["params"] = r.params;
  if (r.seed) j["seed"] = *r.seed;
  if (r.run_seed) j["run_seed"] = *r.run_seed;
  if (r.index) j["index"] = *r.index;
  j["lhs"] = number(r.lhs);
  j["rhs"] = number(r.rhs);
  j["err"] = number(r.err);
  if (r.rhs_upper) j["rhs_upper"] = number(*r.rhs_upper);
  j["ratio"] = number(r.ratio);
  j["slack"] = number(r.slack);
  j["verdict"] = name(r.verdict);
  j["precision"] = r.precision;
  j["notes"] = r.notes;
  nlohmann::json metrics = r.metrics;
  nonfinite_to_null(metrics);
  j["metrics"] = std::move(metrics);
  j["build"] = {{"nrc", r.build.version},
                {"commit", r.build.commit},
                {"blas_threads", r.build.blas_threads},
                {"blas_core", r.build.blas_core}};
  return j;
}

Record record_from_json(const nlohmann::json& j) {
  try {
    require(j.is_object(), "record_from_json", "expected a JSON object, got {}", j.type_name());
    Record r;
    r.check = j.at("check").get<std::string>();
    r.paper_ref = j.value("paper_ref", "");
    r.params = j.at("params");
    if (j.contains("seed")) r.seed = unsigned_from(j, "seed");
    if (j.contains("run_seed")) r.run_seed = unsigned_from(j, "run_seed");
    if (j.contains("index")) r.index = unsigned_from(j, "index");
    r.lhs = number_from(j, "lhs");
    r.rhs = number_from(j, "rhs");
    r.err = number_from(j, "err");
    if (j.contains("rhs_upper")) r.rhs_upper = number_from(j, "rhs_upper");
    r.ratio = number_from(j, "ratio");
    r.slack = number_from(j, "slack");
    r.verdict = parse_verdict(j.at("verdict").get<std::string>());
    r.precision = j.value("precision", "double");
    r.notes = j.value("notes", "");
    r.metrics = j.value("metrics", nlohmann::json::object());
    require(r.metrics.is_object(), "record_from_json", "expected metrics as an object, got {}", r.metrics.type_name());
    null_to_nan(r.metrics);
    r.build = {};
    if (const auto b = j.find("build"); b != j.end()) {
      r.build.version = b->value("nrc", "");
      r.build.commit = b->value("commit", "");
      if (b->contains("blas_threads"))
        r.build.blas_threads = static_cast<int>(std::min<std::uint64_t>(unsigned_from(*b, "blas_threads"), 1 << 20));
      r.build.blas_core = b->value("blas_core", "");
    }
    return r;
  } catch (const nlohmann::json::exception& e) {
    invalid_arg("record_from_json", fmt::format("malformed record: {}", e.what()));
  }
}

std::string record_line(const Record& r) {
  std::string s = to_json(r).dump();
  s.pop_back();   // the closing brace: the checksum member goes last
  const std::uint32_t c = crc(s, "}");
  return fmt::format("{}{}{:08x}\"}}", s, kChecksumKey, c);
}

Record parse_record_line(std::string_view line) {
  constexpr std::string_view fn = "parse_record_line";
  const std::size_t at = line.rfind(kChecksumKey);
  require(at != std::string_view::npos && line.size() == at + kChecksumKey.size() + 8 + 2 &&
              line.substr(line.size() - 2) == "\"}",
          fn, "expected a record line ending in its checksum, got none");
  const std::string_view hex = line.substr(at + kChecksumKey.size(), 8);
  std::uint32_t stored = 0;
  for (const char ch : hex) {
    const int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
    require(v >= 0, fn, "expected a checksum of 8 lowercase hexadecimal digits");
    stored = stored << 4 | static_cast<std::uint32_t>(v);
  }
  require(crc(line.substr(0, at), "}") == stored, fn,
          "checksum mismatch: the line was changed after it was written");
  nlohmann::json j;
  // Records nest a few levels; refusing deeper nesting while parsing keeps every later copy and
  // traversal (recursive in nlohmann-json) from overflowing the stack on a hostile line.
  const auto shallow = [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > kMaxDepth) throw std::invalid_argument("nested deeper than 32 levels");
    return true;
  };
  try {
    j = nlohmann::json::parse(line, shallow);
  } catch (const nlohmann::json::exception& e) {
    invalid_arg(fn, fmt::format("not JSON: {}", e.what()));
  } catch (const std::invalid_argument& e) {
    invalid_arg(fn, e.what());
  }
  return record_from_json(j);
}

struct JsonlWriter::Impl {
  AppendFile file;
  std::size_t written = 0, torn = 0;
};

JsonlWriter::JsonlWriter(const std::string& path) : impl_(new Impl) {
  try {
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    impl_->file = AppendFile(path, /*lock=*/true, "JsonlWriter");
    AppendFile& f = impl_->file;
    if (!f.regular()) return;
    // A last line without its newline is a write cut short. Appending to it would glue the next
    // record onto the fragment and lose both: complete it when it is a whole record, else cut it.
    const std::uint64_t size = f.size();
    std::string tail;
    for (std::uint64_t n = 4096; size > 0; n *= 2) {
      tail = f.read_back(size, n);
      if (tail.back() == '\n') return;   // ends on a complete line
      const std::size_t nl = tail.rfind('\n');
      if (nl != std::string::npos) {
        tail.erase(0, nl + 1);
        break;
      }
      if (n >= size) break;   // one line, no newline at all
    }
    if (tail.empty()) return;
    bool whole = true;
    try {
      parse_record_line(tail);
    } catch (const std::invalid_argument&) {
      whole = false;
    }
    if (whole) {
      f.write("\n");
    } else {
      f.truncate(size - tail.size());
      impl_->torn = tail.size();
    }
  } catch (...) {
    delete impl_;
    throw;
  }
}

JsonlWriter::~JsonlWriter() { delete impl_; }

void JsonlWriter::write(const Record& r) {
  try {
    // One write of the whole line: a kill leaves at worst one torn last line, cut off next time.
    impl_->file.write(record_line(r) + "\n");
  } catch (const WriteError& e) {
    throw WriteError(fmt::format("{}; {} record(s) of this run were written to it before", e.what(), impl_->written));
  }
  ++impl_->written;
}

void JsonlWriter::close() {
  try {
    impl_->file.close();
  } catch (const WriteError& e) {
    throw WriteError(fmt::format("{}; {} record(s) of this run may not have reached the disk", e.what(),
                                 impl_->written));
  }
}

std::size_t JsonlWriter::written() const { return impl_->written; }
std::size_t JsonlWriter::torn_bytes_cut() const { return impl_->torn; }

JsonlContents read_jsonl(const std::string& path) {
  std::error_code ec;
  require(std::filesystem::is_regular_file(path, ec), "read_jsonl", "expected '{}' to be a regular file", path);
  std::ifstream in(path, std::ios::binary);
  if (!in) invalid_arg("read_jsonl", fmt::format("cannot open '{}'", path));
  JsonlContents c;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    const bool complete = !in.eof();   // getline stopped at a newline
    if (line.empty()) continue;
    try {
      c.records.push_back(parse_record_line(line));
    } catch (const std::invalid_argument&) {
      if (complete)
        c.rejected.push_back(n);
      else
        c.torn_bytes = line.size();
    }
  }
  return c;
}

}  // namespace nrc
