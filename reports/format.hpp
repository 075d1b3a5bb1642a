#pragma once
// Text and Markdown renderings of records and summaries. Reads, never computes mathematics.
#include <cstdint>
#include <string>
#include <vector>

#include "theorems/record.hpp"
#include "theorems/registry.hpp"
#include "theorems/summary.hpp"

namespace nrc {

// The command that reproduces one record: by seed when the seeded sampler drew it, else by params.
std::string replay_command(const Record& r);

// Several lines: counts, verdicts, ratio statistics, the worst instance and its replay command.
std::string summary_text(const Summary& s);

// One record in full detail, every number with 17 significant digits (replays compare equal).
std::string record_text(const Record& r);

struct ReportSection {
  const Check* check;
  Summary summary;
};

struct ReportMeta {
  std::string version, commit, date, threads;
  std::uint64_t seed = 0, trials = 0;
  double wall_seconds = 0;
  std::size_t skipped_lines = 0;   // torn lines found in the records file
};

std::string report_markdown(const std::vector<ReportSection>& sections, const ReportMeta& meta);

}  // namespace nrc
