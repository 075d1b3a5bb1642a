#include "theorems/summary.hpp"

#include <algorithm>
#include <cmath>
#include <regex>

namespace nrc {

namespace {
// min, median, max of a non-empty list (sorted in place).
void order_stats(std::vector<double>& v, double& min, double& median, double& max) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  min = v.front();
  max = v.back();
  median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
}  // namespace

Summary summarize(const std::string& check_id, const std::vector<Record>& records,
                  const std::vector<std::string>& metric_names) {
  Summary s;
  s.check = check_id;
  std::vector<double> ratios;
  for (const Record& r : records) {
    if (r.check != check_id) continue;
    if (s.paper_ref.empty()) s.paper_ref = r.paper_ref;
    ++s.count;
    switch (r.verdict) {
      case Verdict::Pass: ++s.pass; break;
      case Verdict::Fail: ++s.fail; break;
      case Verdict::Inconclusive: ++s.inconclusive; break;
      case Verdict::NotApplicable: ++s.not_applicable; break;
    }
    if (r.verdict == Verdict::Pass || r.verdict == Verdict::Fail) ++s.decided_by[r.precision];
    if (r.verdict == Verdict::NotApplicable) {
      // The runner puts the check's reason first in the notes.
      static const std::regex number(R"([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)");
      ++s.outside[std::regex_replace(r.notes.substr(0, r.notes.find("; ")), number, "#")];
      continue;
    }
    if (r.verdict == Verdict::Fail && (!s.worst || s.worst->verdict != Verdict::Fail || r.ratio > s.worst->ratio)) {
      s.worst = r;   // a failure is always the worst instance, even with a non-finite ratio
    }
    if (!std::isfinite(r.ratio)) continue;
    ratios.push_back(r.ratio);
    if (!s.worst || (s.worst->verdict != Verdict::Fail && r.ratio > s.worst->ratio)) s.worst = r;
  }
  s.ratio_count = ratios.size();
  if (!ratios.empty()) order_stats(ratios, s.ratio_min, s.ratio_median, s.ratio_max);
  // Per-layer chain tightness: (layer, link) → values.
  std::map<std::uint64_t, std::vector<std::vector<double>>> chain;
  for (const Record& r : records) {
    if (r.check != check_id || !r.metrics.contains("chain") || !r.metrics.at("chain").is_array()) continue;
    for (const auto& entry : r.metrics.at("chain")) {
      const auto values = entry.at("values").get<std::vector<double>>();
      auto& links = chain[entry.at("layer").get<std::uint64_t>()];
      if (values.size() > 1 && links.size() < values.size() - 1) links.resize(values.size() - 1);
      for (std::size_t k = 0; k + 1 < values.size(); ++k) {
        const double t = values[k] / values[k + 1];
        if (std::isfinite(t)) links[k].push_back(t);
      }
    }
  }
  for (auto& [layer, links] : chain) {
    Summary::ChainLayer cl{layer, {}};
    for (std::size_t k = 0; k < links.size(); ++k) {
      Summary::Stat st{std::to_string(k)};
      st.count = links[k].size();
      if (!links[k].empty()) order_stats(links[k], st.min, st.median, st.max);
      cl.links.push_back(st);
    }
    s.chain.push_back(cl);
  }
  std::map<std::string, Summary::Sampled> sampled;
  for (const Record& r : records) {
    if (r.check != check_id || !r.params.is_object()) continue;
    for (const auto& [key, v] : r.params.items()) {
      if (key.find("seed") != std::string::npos) continue;
      auto [it, fresh] = sampled.try_emplace(key);
      Summary::Sampled& p = it->second;
      p.name = key;
      const bool num = v.is_number(), list = v.is_array();
      if (!num && !list && !v.is_string()) continue;
      const double x = num ? v.get<double>() : list ? static_cast<double>(v.size()) : 0.0;
      if (fresh || (num != p.numeric || list != p.list)) {
        p.numeric = num;
        p.list = list;
        p.min = p.max = x;
      }
      p.min = std::min(p.min, x);
      p.max = std::max(p.max, x);
      if (v.is_string()) {
        const std::string value = v.get<std::string>();
        if (std::find(p.values.begin(), p.values.end(), value) == p.values.end()) {
          if (p.values.size() < 8) {
            p.values.push_back(value);
            std::sort(p.values.begin(), p.values.end());
          } else {
            p.more_values = true;
          }
        }
      }
    }
  }
  for (auto& [key, p] : sampled) s.sampled.push_back(std::move(p));
  for (const std::string& name : metric_names) {
    Summary::Stat st{name};
    std::vector<double> values;
    for (const Record& r : records) {
      if (r.check != check_id || !r.metrics.contains(name) || !r.metrics.at(name).is_number()) continue;
      const double x = r.metrics.at(name).get<double>();
      if (std::isfinite(x)) values.push_back(x);
    }
    st.count = values.size();
    if (!values.empty()) order_stats(values, st.min, st.median, st.max);
    s.metrics.push_back(st);
  }
  return s;
}

}  // namespace nrc
