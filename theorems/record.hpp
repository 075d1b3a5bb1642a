#pragma once
// The result record: what one instance of one check measured and how the judge decided it.
// Records are the only thing reports/ reads (JSON Lines, one record per line).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nrc {

enum class Verdict { Pass, Fail, Inconclusive, NotApplicable };
std::string_view name(Verdict v);
Verdict parse_verdict(std::string_view s);

struct Record {
  std::string check;            // registry id, e.g. "thm_5_4"
  std::string paper_ref;        // e.g. "Theorem 5.4, eq. (43)"
  nlohmann::json params;        // the instance, complete: `nrc replay ID --params` rebuilds it
  std::optional<std::uint64_t> seed;      // instance seed when drawn by the seeded sampler
  std::optional<std::uint64_t> run_seed;  // the run's seed and this instance's index in it
  std::optional<std::uint64_t> index;
  double lhs = 0, rhs = 0;      // the claim is lhs ≤ rhs
  double err = 0;               // estimated rounding error of lhs − rhs
  double ratio = 0;             // lhs / rhs (0 when both are 0)
  double slack = 0;             // rhs − lhs
  Verdict verdict = Verdict::Inconclusive;
  std::string precision = "double";   // which arithmetic decided the verdict
  std::string notes;
  nlohmann::json metrics = nlohmann::json::object();   // further named measurements
};

// Non-finite numbers are written as null and read back as NaN.
nlohmann::json to_json(const Record& r);
Record record_from_json(const nlohmann::json& j);

// Appends records as JSON Lines, one flushed line per record, so a killed run loses no finished
// record (a torn last line is skipped on reading, with its line number in `skipped`).
class JsonlWriter {
 public:
  explicit JsonlWriter(const std::string& path);   // appends; creates parent folders
  ~JsonlWriter();
  JsonlWriter(const JsonlWriter&) = delete;
  JsonlWriter& operator=(const JsonlWriter&) = delete;
  void write(const Record& r);
 private:
  struct Impl;
  Impl* impl_;
};

struct JsonlContents {
  std::vector<Record> records;
  std::vector<std::size_t> skipped;   // 1-based line numbers that did not parse
};
// Throws invalid_argument if the file cannot be opened.
JsonlContents read_jsonl(const std::string& path);

}  // namespace nrc
