#include "theorems/record.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "lib/common/error.hpp"
#include "nrc_build_info.hpp"

namespace nrc {

namespace {
constexpr std::string_view kVerdictNames[] = {"Pass", "Fail", "Inconclusive", "NotApplicable"};

nlohmann::json number(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }
double number_from(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::numeric_limits<double>::quiet_NaN();
  return j.at(key).get<double>();
}
}  // namespace

std::string_view name(Verdict v) { return kVerdictNames[static_cast<int>(v)]; }

Verdict parse_verdict(std::string_view s) {
  for (int i = 0; i < 4; ++i)
    if (kVerdictNames[i] == s) return static_cast<Verdict>(i);
  invalid_arg("parse_verdict", fmt::format("unknown verdict '{}'", s));
}

nlohmann::json to_json(const Record& r) {
  nlohmann::json j;
  j["check"] = r.check;
  j["paper_ref"] = r.paper_ref;
  j["params"] = r.params;
  if (r.seed) j["seed"] = *r.seed;
  if (r.run_seed) j["run_seed"] = *r.run_seed;
  if (r.index) j["index"] = *r.index;
  j["lhs"] = number(r.lhs);
  j["rhs"] = number(r.rhs);
  j["err"] = number(r.err);
  j["ratio"] = number(r.ratio);
  j["slack"] = number(r.slack);
  j["verdict"] = name(r.verdict);
  j["precision"] = r.precision;
  j["notes"] = r.notes;
  // Metrics may hold NaN/Inf (e.g. an undefined ratio): store them as null like the fields above.
  nlohmann::json metrics = r.metrics;
  for (auto& [key, value] : metrics.items())
    if (value.is_number_float() && !std::isfinite(value.get<double>())) value = nullptr;
  j["metrics"] = metrics;
  j["build"] = {{"nrc", build::version}, {"commit", build::git_commit}};
  return j;
}

Record record_from_json(const nlohmann::json& j) {
  Record r;
  r.check = j.at("check").get<std::string>();
  r.paper_ref = j.value("paper_ref", "");
  r.params = j.at("params");
  if (j.contains("seed")) r.seed = j.at("seed").get<std::uint64_t>();
  if (j.contains("run_seed")) r.run_seed = j.at("run_seed").get<std::uint64_t>();
  if (j.contains("index")) r.index = j.at("index").get<std::uint64_t>();
  r.lhs = number_from(j, "lhs");
  r.rhs = number_from(j, "rhs");
  r.err = number_from(j, "err");
  r.ratio = number_from(j, "ratio");
  r.slack = number_from(j, "slack");
  r.verdict = parse_verdict(j.at("verdict").get<std::string>());
  r.precision = j.value("precision", "double");
  r.notes = j.value("notes", "");
  r.metrics = j.value("metrics", nlohmann::json::object());
  return r;
}

struct JsonlWriter::Impl {
  std::ofstream out;
};

JsonlWriter::JsonlWriter(const std::string& path) : impl_(new Impl) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  impl_->out.open(path, std::ios::app);
  if (!impl_->out) {
    delete impl_;
    invalid_arg("JsonlWriter", fmt::format("cannot open '{}' for appending", path));
  }
}

JsonlWriter::~JsonlWriter() { delete impl_; }

void JsonlWriter::write(const Record& r) {
  // One write of the whole line then a flush: a kill leaves at worst one torn last line.
  impl_->out << to_json(r).dump() + "\n";
  impl_->out.flush();
}

JsonlContents read_jsonl(const std::string& path) {
  std::ifstream in(path);
  if (!in) invalid_arg("read_jsonl", fmt::format("cannot open '{}'", path));
  JsonlContents c;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    try {
      c.records.push_back(record_from_json(nlohmann::json::parse(line)));
    } catch (const std::exception&) {
      c.skipped.push_back(n);
    }
  }
  return c;
}

}  // namespace nrc
