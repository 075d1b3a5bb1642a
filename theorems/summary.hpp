#pragma once
// Aggregates the records of one check: verdict counts, ratio statistics, the worst instance.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "theorems/record.hpp"

namespace nrc {

struct Summary {
  std::string check, paper_ref;
  std::size_t count = 0, pass = 0, fail = 0, inconclusive = 0, not_applicable = 0;
  // Over records with a finite ratio that were decided (Pass or Fail) or left Inconclusive.
  std::size_t ratio_count = 0;
  double ratio_min = 0, ratio_median = 0, ratio_max = 0;
  std::optional<Record> worst;                  // the largest ratio (a Fail first, if any)
  std::map<std::string, std::size_t> decided_by;   // precision → count of decided records
  struct Stat {
    std::string name;
    std::size_t count = 0;   // records with a finite value
    double min = 0, median = 0, max = 0;
  };
  std::vector<Stat> metrics;   // one per requested metric name, in the order asked
  // Checks with a chain (Check::chain_links; records carry metrics["chain"]): per layer, the
  // tightness values[k]/values[k+1] of each link k, over the records where it is finite.
  struct ChainLayer {
    std::uint64_t layer = 0;
    std::vector<Stat> links;   // links[k].name = "k"
  };
  std::vector<ChainLayer> chain;   // by layer, ascending
  // What was sampled: per parameter of the records (seeds excluded), the range of a number, the
  // values of a string (up to 8) or the lengths of a list. The generator's actual draws, not its
  // documentation.
  struct Sampled {
    std::string name;
    bool numeric = false, list = false;
    double min = 0, max = 0;                // numbers; list lengths
    std::vector<std::string> values;        // strings (distinct, sorted; at most 8 kept)
    bool more_values = false;
  };
  std::vector<Sampled> sampled;   // by parameter name
  // The hypotheses as the records state them: the reason of each NotApplicable instance with its
  // numbers written "#" (so the instances of one hypothesis group together), and how many.
  std::map<std::string, std::size_t> outside;
};

// Records of other checks are ignored. `metric_names`: numeric metrics to summarize.
Summary summarize(const std::string& check_id, const std::vector<Record>& records,
                  const std::vector<std::string>& metric_names = {});

}  // namespace nrc
