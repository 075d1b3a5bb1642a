#pragma once
// Text and Markdown renderings of records and summaries. Reads, never computes mathematics.
#include <cstdint>
#include <string>
#include <vector>

#include "experiments/experiment.hpp"
#include "reports/figures.hpp"
#include "theorems/record.hpp"
#include "theorems/registry.hpp"
#include "theorems/search.hpp"
#include "theorems/summary.hpp"

namespace nrc {

// The command that reproduces one record: by seed when the seeded sampler drew it, else by params
// (shell-quoted); with --blas-threads N when the record was computed with N > 1 BLAS threads.
std::string replay_command(const Record& r);

// `s` as one single-quoted shell word.
std::string shell_quoted(const std::string& s);

// Several lines: counts, verdicts, ratio statistics, the worst instance and its replay command.
std::string summary_text(const Summary& s);

// One record in full detail, every number with 17 significant digits (replays compare equal).
std::string record_text(const Record& r);

struct ReportSection {
  const Check* check;
  Summary summary;
  std::vector<Record> mutants = {};   // the check's mutants, evaluated (metrics["mutant"] = name)
  std::vector<RenderedFigure> figures = {};   // check_figures(), rendered
};

struct SearchSection {
  const Check* check;
  SearchResult result;
};

// The adversarial search over one check's data (theorems/search.hpp): one result per shape.
struct DataSearchSection {
  const Check* check;
  std::vector<DataSearchResult> results;
};

struct ExperimentSection {
  const Experiment* experiment;
  ExperimentResult result;
  std::vector<RenderedFigure> figures;   // one per result.figures record, same order
};

struct ReportMeta {
  std::string command;   // the command line that produced the report, as typed (shell-quoted)
  std::string version, commit, date, preset, libraries;
  std::string threads;   // who computed: "2 MPI ranks, 1 BLAS thread(s) each (Haswell kernels)"
  std::string machine;   // rank 0's: "AMD EPYC, 2 cores, 23.5 GiB"
  std::uint64_t seed = 0, trials = 0;
  double wall_seconds = 0;
  // What the records file held when the report started.
  std::size_t reused = 0;          // records reused (same commit and BLAS thread count, or --reuse-any)
  std::size_t rejected = 0;        // lines that are not valid records (checksum mismatch, malformed): unused
  std::size_t other_commit = 0;    // records of another commit, recomputed (unless --reuse-any)
  std::size_t other_threads = 0;   // records of another BLAS thread count, recomputed (unless --reuse-any)
  bool reuse_any = false;
  std::size_t torn_bytes = 0;      // a torn last line (an interrupted write), cut off before appending
  std::vector<std::string> shards;   // the shard folders merged into the records (nrc report --merge), if any
};

// The stationarity and curvature line of an experiment's section: how many of its training runs
// (one per train_status[_tag] metric of a record) met the trainer's tolerance, how many of those
// Lanczos certified local minima, saddles or left undecided, then one line per run short of the
// tolerance with the stationarity it reached. Empty when no record holds a run.
// The README's check table (`nrc list --markdown`; a test keeps the README equal to it): id, paper
// reference, statement, and "double / 50 digits" for checks with a reference path the runner
// escalates to, else "double".
std::string checks_table_markdown(const std::vector<Check>& checks);

// A ratio lhs/rhs with 3 significant digits, or as many as show its distance to 1 when it is within
// 1% of 1 (0.99998, not "1"); exactly 1 prints as 1.
std::string ratio_text(double x);

std::string certificate_markdown(const std::vector<Record>& points);

// Sections, in order: counterexamples (any Fail: checks, searches, experiment claims), the summary
// table, statements vs their refinements, the tightness search, sharpness on data (the adversarial
// search over data), one section per experiment
// (claims with verdicts, figures, CSV links), findings, then each check in detail.
std::string report_markdown(const std::vector<ReportSection>& sections, const ReportMeta& meta,
                            const std::vector<SearchSection>& searches = {},
                            const std::vector<ExperimentSection>& experiments = {},
                            const std::vector<DataSearchSection>& data_searches = {});

}  // namespace nrc
