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

struct SearchSection {
  const Check* check;
  SearchResult result;
};

struct ExperimentSection {
  const Experiment* experiment;
  ExperimentResult result;
  std::vector<RenderedFigure> figures;   // one per result.figures record, same order
};

struct ReportMeta {
  std::string version, commit, date, threads, preset, libraries;
  std::uint64_t seed = 0, trials = 0;
  double wall_seconds = 0;
  std::size_t skipped_lines = 0;   // torn lines found in the records file
};

// Sections, in order: counterexamples (any Fail: checks, search, experiment claims), the summary
// table, statements vs their refinements, the tightness search, one section per experiment
// (claims with verdicts, figures, CSV links), findings, then each check in detail.
std::string report_markdown(const std::vector<ReportSection>& sections, const ReportMeta& meta,
                            const std::vector<SearchSection>& searches = {},
                            const std::vector<ExperimentSection>& experiments = {});

}  // namespace nrc
