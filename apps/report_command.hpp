#pragma once
// `nrc report`: runs every check, the tightness search and the experiments (resumably, appending
// records as they finish), renders the figures and writes REPORT.md.
#include <cstdint>
#include <string>
#include <vector>

#include "experiments/experiment.hpp"

namespace nrc::cli {

struct ReportOptions {
  std::string dir;
  std::uint64_t trials = 0;   // instances per check; 0: the preset's (2,000 default, 10,000 paper)
  std::uint64_t seed = 1;
  bool fresh = false;         // delete the folder's records and figures first
  bool reuse_any = false;     // reuse records of other commits and BLAS thread counts too
  Preset preset = Preset::Default;
  unsigned threads = 0;       // worker threads; 0: every core
  bool search = true;         // the tightness search
  std::vector<std::string> only;   // check and experiment ids to run (empty: all)
  std::string command;             // the command line as typed, for the report's header
  // Shard `shard` of `shards` (job arrays): computes only the units whose index ≡ shard (mod shards)
  // — check instances, mutants, experiment points — writes them and SHARD.json, and renders nothing.
  std::uint64_t shard = 0, shards = 1;
  // Folders holding every shard of one run (same seed, preset, trials, --only and commit; refused
  // otherwise): their records are merged into `dir` and the report is rendered there, the tightness
  // search and the experiments' conclusions computed over all of them — the records of a serial run.
  std::vector<std::string> merge;
};

std::uint64_t default_trials(Preset p);

// Returns 0 once REPORT.md is written, whatever it found. Throws invalid_argument on bad options.
int run_report(const ReportOptions& options, const std::string& blas_threads);

}  // namespace nrc::cli
