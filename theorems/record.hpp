#pragma once
// The result record: what one instance of one check measured and how the judge decided it.
// Records are the only thing reports/ reads (JSON Lines, one record per line).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace nrc {

enum class Verdict { Pass, Fail, Inconclusive, NotApplicable };
std::string_view name(Verdict v);
Verdict parse_verdict(std::string_view s);

// Where a record was computed: bit-identical results need the same code and the same BLAS thread
// count (OpenBLAS splits sums differently); the kernel family is stated as well (it rounds
// differently from CPU to CPU).
struct Provenance {
  std::string version;    // nrc version
  std::string commit;     // git commit of the build; "<commit>-dirty.<hash of the diff>" for a modified tree
  int blas_threads = 0;   // OpenBLAS threads when computed (0: unknown)
  std::string blas_core;  // OpenBLAS kernel family ("Haswell", …)
  bool operator==(const Provenance&) const = default;
};
// This process, now.
Provenance current_provenance();

struct Record {
  std::string check;            // registry id, e.g. "thm_5_4"
  std::string paper_ref;        // e.g. "Theorem 5.4, eq. (43)"
  nlohmann::json params;        // the instance, complete: `nrc replay ID --params` rebuilds it
  std::optional<std::uint64_t> seed;      // instance seed when drawn by the seeded sampler
  std::optional<std::uint64_t> run_seed;  // the run's seed and this instance's index in it
  std::optional<std::uint64_t> index;
  double lhs = 0, rhs = 0;      // the claim is lhs ≤ rhs
  double err = 0;               // estimated rounding error of lhs − rhs
  std::optional<double> rhs_upper;   // rhs with a rigorous upper bound of an estimated constant (Evidence)
  double ratio = 0;             // lhs / rhs (0 when both are 0)
  double slack = 0;             // rhs − lhs
  Verdict verdict = Verdict::Inconclusive;
  std::string precision = "double";   // which arithmetic decided the verdict
  std::string notes;
  nlohmann::json metrics = nlohmann::json::object();   // further named measurements
  Provenance build = current_provenance();
};

// Non-finite numbers (anywhere, metrics included) are written as null; reading turns every null
// in metrics back into NaN, so a value the writer produced always reads back as a number.
nlohmann::json to_json(const Record& r);
// Throws invalid_argument on a malformed record.
Record record_from_json(const nlohmann::json& j);
// The record as the records file gives it back (±∞ read back as NaN): what a report renders from, so
// that it reads the same whether its records were computed in this run, read from the file or sent
// by another MPI rank.
inline Record as_stored(const Record& r) { return record_from_json(to_json(r)); }

// One line of a records file: the record's JSON with a last member "checksum" (CRC-32 of the bytes
// before it), so that an edited or damaged line is recognised. No newline.
std::string record_line(const Record& r);
// The inverse: throws invalid_argument (and nothing else) when the line is not JSON, has no or a
// wrong checksum, or is not a record.
Record parse_record_line(std::string_view line);

// Appends records as JSON Lines to a file it holds an exclusive lock on (a second writer gets a
// one-line error). Each record is one write of a whole line; a failed write throws WriteError
// naming the file, the reason and how many records this writer had written, and leaves the file
// ending on a complete line. Before the first append, a torn last line (a run killed mid-write) is
// cut off, or completed with its newline when it is a whole record.
class JsonlWriter {
 public:
  explicit JsonlWriter(const std::string& path);   // appends; creates parent folders
  ~JsonlWriter();
  JsonlWriter(const JsonlWriter&) = delete;
  JsonlWriter& operator=(const JsonlWriter&) = delete;
  void write(const Record& r);
  void close();                                     // fsync and close, checked (WriteError)
  std::size_t written() const;                      // records this writer wrote
  std::size_t torn_bytes_cut() const;               // size of the torn last line cut off on opening
 private:
  struct Impl;
  Impl* impl_;
};

struct JsonlContents {
  std::vector<Record> records;
  std::vector<std::size_t> rejected;   // 1-based line numbers of complete lines that are not valid records
  std::size_t torn_bytes = 0;          // a last line without newline that is not a record (a killed write)
};
// Throws invalid_argument if the file cannot be opened or is not a regular file.
JsonlContents read_jsonl(const std::string& path);

}  // namespace nrc
