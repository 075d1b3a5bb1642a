#include "theorems/search.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>

#include "lib/common/parallel.hpp"
#include "lib/common/rng.hpp"
#include "theorems/runner.hpp"

namespace nrc {

namespace {

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (const unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

bool ends_with_seed(const std::string& key) { return key.size() >= 4 && key.compare(key.size() - 4, 4, "seed") == 0; }

// Tighter: a Fail beats any non-Fail; otherwise the larger finite ratio.
bool tighter(const Record& a, const Record& b) {
  const bool fa = a.verdict == Verdict::Fail, fb = b.verdict == Verdict::Fail;
  if (fa != fb) return fa;
  return a.ratio > b.ratio;
}

bool rankable(const Record& r) {
  return r.verdict != Verdict::NotApplicable && r.verdict != Verdict::Inconclusive && std::isfinite(r.ratio);
}

nlohmann::json perturb(const nlohmann::json& params, Engine& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  auto step = [&](std::int64_t v) { return unit(rng) < 0.3 ? v + (unit(rng) < 0.5 ? -1 : 1) : v; };
  nlohmann::json out = params;
  for (auto& [key, value] : out.items()) {
    if (ends_with_seed(key)) continue;
    if (value.is_number_float()) {
      value = value.get<double>() * std::exp(0.3 * normal(rng));
    } else if (value.is_number_integer()) {
      value = step(value.get<std::int64_t>());
    } else if (value.is_array()) {
      for (auto& item : value)
        if (item.is_number_integer()) item = step(item.get<std::int64_t>());
    }
  }
  return out;
}

}  // namespace

SearchResult tightness_search(const Check& check, const std::vector<Record>& run_records,
                              const std::vector<Record>& existing, const SearchSpec& spec,
                              const std::function<void(const Record&)>& sink) {
  SearchResult result;
  std::vector<const Record*> ranked;
  for (const Record& r : run_records)
    if (r.check == check.id && rankable(r)) ranked.push_back(&r);
  std::stable_sort(ranked.begin(), ranked.end(), [](const Record* a, const Record* b) { return tighter(*a, *b); });
  if (ranked.empty()) return result;
  result.start_ratio = ranked.front()->ratio;
  result.best = *ranked.front();

  std::map<std::string, Record> reuse;
  for (const Record& r : existing)
    if (r.check == check.id && r.metrics.contains("search")) reuse[r.params.dump()] = r;

  Engine rng(derive_seed(spec.seed, fnv1a(check.id)));
  std::mutex lock;
  for (std::size_t s = 0; s < std::min(spec.starts, ranked.size()); ++s) {
    Record current = *ranked[s];
    for (std::size_t round = 0; round < spec.rounds; ++round) {
      std::vector<nlohmann::json> candidates;
      for (std::size_t c = 0; c < spec.per_round; ++c) candidates.push_back(perturb(current.params, rng));
      std::vector<std::optional<Record>> found(candidates.size());
      parallel_for(candidates.size(), spec.threads, [&](std::size_t c) {
        const std::string key = candidates[c].dump();
        std::optional<Record> r;
        {
          const std::lock_guard<std::mutex> guard(lock);
          if (const auto it = reuse.find(key); it != reuse.end()) r = it->second;
        }
        if (!r) {
          try {
            r = evaluate_params(check, candidates[c]);
          } catch (const std::invalid_argument&) {
            const std::lock_guard<std::mutex> guard(lock);
            ++result.rejected;
            return;
          }
          r->metrics["search"] = {{"start", s}, {"round", round}};
          const std::lock_guard<std::mutex> guard(lock);
          reuse[key] = *r;
          sink(*r);
        }
        found[c] = std::move(r);
      });
      for (auto& r : found) {
        if (!r) continue;
        ++result.evaluated;
        if (rankable(*r) && tighter(*r, current)) current = *r;
      }
    }
    if (tighter(current, *result.best)) result.best = current;
  }
  return result;
}

}  // namespace nrc
