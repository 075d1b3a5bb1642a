#pragma once
// `nrc report`: runs every check, the tightness search and the experiments (resumably, appending
// records as they finish), renders the figures and writes REPORT.md.
#include <cstdint>
#include <string>
#include <vector>

#include "apps/distributed.hpp"
#include "experiments/experiment.hpp"

namespace nrc::cli {

struct ReportOptions {
  std::string dir;
  std::uint64_t trials = 0;   // instances per check; 0: the preset's (2,000 default, 10,000 paper)
  std::uint64_t seed = 1;
  bool fresh = false;         // delete the folder's records and figures first
  bool reuse_any = false;     // reuse records of other commits and BLAS thread counts too
  Preset preset = Preset::Default;
  bool search = true;         // the tightness search
  std::vector<std::string> only;   // check and experiment ids to run (empty: all)
  std::string command;             // the command line as typed, for the report's header
  // Shard `shard` of `shards` (job arrays): computes only the units (apps/units.hpp) at positions
  // ≡ shard (mod shards) of phase 1's list, writes their records and SHARD.json, and renders nothing.
  std::uint64_t shard = 0, shards = 1;
  // Folders holding every shard of one run (same seed, preset, trials, --only and commit; refused
  // otherwise): their records are merged into `dir` and the report is rendered there, the tightness
  // search and the experiments' conclusions computed over all of them — the records of a serial run.
  std::vector<std::string> merge;
};

std::uint64_t default_trials(Preset p);

// Computes the units `runner` is given (here, or over MPI ranks) and assembles the report from the
// records. Returns 0 once REPORT.md is written, whatever it found. Throws invalid_argument on bad options.
int run_report(const ReportOptions& options, const std::string& blas_threads, UnitRunner& runner);

}  // namespace nrc::cli
