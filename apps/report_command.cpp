#include "apps/report_command.hpp"

#include <algorithm>
#include <armadillo>
#include <atomic>
#include <boost/version.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "apps/progress.hpp"
#include "apps/units.hpp"
#include "lib/common/blas.hpp"
#include "lib/common/error.hpp"
#include "lib/common/files.hpp"
#include "nrc_build_info.hpp"
#include "reports/figures.hpp"
#include "reports/format.hpp"
#include "theorems/runner.hpp"
#include "theorems/search.hpp"
#include "theorems/summary.hpp"

namespace nrc::cli {

namespace {

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
  return buf;
}

std::string command_output(const char* cmd) {
  std::string out;
  if (FILE* p = popen(cmd, "r")) {
    char buf[256];
    while (fgets(buf, sizeof buf, p)) out += buf;
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string libraries() {
  const std::string blas = fmt::format("{} ({} kernels)", blas_config(), blas_core());
  std::string gnuplot = command_output("gnuplot --version 2>/dev/null");
  return fmt::format("Armadillo {}, {}, Boost {}, fmt {}, nlohmann-json {}.{}.{}, {}", arma::arma_version::as_string(),
                     blas, BOOST_LIB_VERSION, FMT_VERSION, NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR,
                     NLOHMANN_JSON_VERSION_PATCH, gnuplot.empty() ? "gnuplot not found" : gnuplot);
}

// The machine, for the header: "AMD EPYC, 2 cores, 23.5 GiB" (what Linux tells; "unknown" elsewhere).
std::string machine() {
  std::string cpu = "unknown CPU";
  std::ifstream info("/proc/cpuinfo");
  for (std::string line; std::getline(info, line);)
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  double gib = 0;
  std::ifstream mem("/proc/meminfo");
  for (std::string key; mem >> key;)
    if (key == "MemTotal:") {
      mem >> gib;
      gib /= 1024.0 * 1024.0;   // kB → GiB
      break;
    }
  return fmt::format("{}, {} cores, {:.1f} GiB", cpu, std::thread::hardware_concurrency(), gib);
}

void remove_outputs(const std::filesystem::path& dir) {
  if (!std::filesystem::exists(dir)) return;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto ext = entry.path().extension().string();
    const std::string file = entry.path().filename().string();
    // Hidden files are temporaries of an interrupted atomic write (".REPORT.md.x1Y2z3"), except the lock.
    const bool temporary = file.size() > 1 && file[0] == '.' && file != ".lock";
    if (file == "records.jsonl" || file == "REPORT.md" || file == "SHARD.json" || ext == ".svg" || ext == ".csv" ||
        ext == ".gp" || ext == ".log" || temporary)
      std::filesystem::remove(entry.path());
  }
}

// What a shard folder holds (SHARD.json): enough to refuse merging shards of different runs.
nlohmann::json shard_manifest(const ReportOptions& o, std::uint64_t trials) {
  return {{"shard", o.shard},
          {"shards", o.shards},
          {"seed", o.seed},
          {"preset", std::string(name(o.preset))},
          {"trials", trials},
          {"only", o.only},
          {"commit", build::git_commit}};
}

// The options of the run whose shards `o.merge` names, after checking they are one run's complete set.
ReportOptions merged_options(const ReportOptions& o) {
  std::vector<nlohmann::json> shards;
  for (const std::string& d : o.merge) {
    const auto path = std::filesystem::path(d) / "SHARD.json";
    if (!std::filesystem::exists(path))
      invalid_arg("report", fmt::format("--merge: '{}' holds no SHARD.json (not a folder of nrc report --shard)", d));
    std::ifstream in(path);
    nlohmann::json m = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!m.is_object() || !m.contains("shard") || !m.contains("shards") || !m.contains("commit"))
      invalid_arg("report", fmt::format("--merge: '{}' is not a valid shard manifest", path.string()));
    shards.push_back(std::move(m));
  }
  const nlohmann::json& first = shards.front();
  for (std::size_t k = 0; k < shards.size(); ++k)
    for (const char* key : {"seed", "preset", "trials", "only", "shards", "commit"})
      if (shards[k].value(key, nlohmann::json()) != first.value(key, nlohmann::json()))
        invalid_arg("report", fmt::format("--merge: '{}' and '{}' are shards of different runs ({} {} against {})",
                                          o.merge[k], o.merge[0], key, shards[k].value(key, nlohmann::json()).dump(),
                                          first.value(key, nlohmann::json()).dump()));
  if (first.at("commit") != build::git_commit)
    invalid_arg("report", fmt::format("--merge: the shards were computed by commit {}, this nrc is {}",
                                      first.at("commit").dump(), build::git_commit));
  const auto n = first.at("shards").get<std::uint64_t>();
  std::set<std::uint64_t> have;
  for (std::size_t k = 0; k < shards.size(); ++k)
    if (!have.insert(shards[k].at("shard").get<std::uint64_t>()).second)
      invalid_arg("report", fmt::format("--merge: shard {}/{} given twice ('{}')",
                                        shards[k].at("shard").get<std::uint64_t>(), n, o.merge[k]));
  std::string missing;
  for (std::uint64_t i = 0; i < n; ++i)
    if (!have.count(i)) missing += fmt::format("{}{}/{}", missing.empty() ? "" : ", ", i, n);
  if (!missing.empty()) invalid_arg("report", fmt::format("--merge: shard(s) {} missing", missing));
  ReportOptions m = o;
  m.seed = first.at("seed").get<std::uint64_t>();
  m.preset = parse_preset(first.at("preset").get<std::string>());
  m.trials = first.at("trials").get<std::uint64_t>();
  m.only = first.at("only").get<std::vector<std::string>>();
  return m;
}

// Appends the shards' records to `records_path`, each once (a rerun of the merge adds nothing).
void merge_records(const std::vector<std::string>& dirs, const std::string& records_path) {
  std::set<std::string> have;
  if (std::filesystem::exists(records_path))
    for (const Record& r : read_jsonl(records_path).records) have.insert(to_json(r).dump());
  JsonlWriter out(records_path);
  for (const std::string& d : dirs) {
    const std::string path = (std::filesystem::path(d) / "records.jsonl").string();
    if (!std::filesystem::exists(path)) continue;   // a shard with nothing to compute
    const JsonlContents shard = read_jsonl(path);
    if (!shard.rejected.empty())
      invalid_arg("report",
                  fmt::format("--merge: '{}' has {} invalid line(s) (rerun that shard)", path, shard.rejected.size()));
    for (const Record& r : shard.records)
      if (have.insert(to_json(r).dump()).second) out.write(r);
  }
  out.close();
}

}  // namespace

std::uint64_t default_trials(Preset p) { return p == Preset::Paper ? 10000 : 2000; }

int run_report(const ReportOptions& given, const std::string& blas_threads, UnitRunner& runner) {
  const auto start = std::chrono::steady_clock::now();
  const ReportOptions o = given.merge.empty() ? given : merged_options(given);
  const bool sharded = o.shards > 1;
  const std::uint64_t trials = o.trials > 0 ? o.trials : default_trials(o.preset);
  std::vector<const Check*> checks;
  std::vector<const Experiment*> exps_to_run;
  {
    std::set<std::string> wanted(o.only.begin(), o.only.end()), known;
    for (const auto& c : registry()) {
      known.insert(c.id);
      if (wanted.empty() || wanted.count(c.id)) checks.push_back(&c);
    }
    for (const auto& e : experiments()) {
      known.insert(e.id);
      if (wanted.empty() || wanted.count(e.id)) exps_to_run.push_back(&e);
    }
    for (const auto& w : wanted)
      if (!known.count(w)) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        invalid_arg("report", fmt::format("--only: unknown id '{}' (known: {})", w, list));
      }
  }
  const std::filesystem::path dir(o.dir);
  const std::string records_path = (dir / "records.jsonl").string();
  std::filesystem::create_directories(dir);
  // One report per folder at a time: two would both compute everything and duplicate every record.
  const FolderLock lock(dir.string());
  if (o.fresh) remove_outputs(dir);
  const auto manifest_path = dir / "SHARD.json";
  if (sharded && std::filesystem::exists(manifest_path)) {
    std::ifstream in(manifest_path);
    const nlohmann::json there = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (there != shard_manifest(o, trials))
      invalid_arg("report", fmt::format("--shard: '{}' holds another shard or run ({}); use another --out, or --fresh",
                                        dir.string(), there.dump()));
  }
  if (!o.merge.empty()) merge_records(o.merge, records_path);
  ReportMeta meta;
  meta.reuse_any = o.reuse_any;
  // Reused: records this build would compute identically (same commit and BLAS thread count), or
  // any valid record with --reuse-any. Lines failing their checksum are never used.
  std::vector<Record> existing;
  if (std::filesystem::exists(records_path)) {
    const JsonlContents file = read_jsonl(records_path);
    meta.rejected = file.rejected.size();
    Reusable reuse = reusable_records(file.records, current_provenance(), o.reuse_any);
    existing = std::move(reuse.records);
    meta.other_commit = reuse.other_commit;
    meta.other_threads = reuse.other_threads;
  }
  meta.reused = existing.size();
  fmt::print(stderr, "nrc report: preset {}, seed {}, {} instances per check, {}; records: {}{}{}\n", name(o.preset),
             o.seed, trials, runner.describe(), records_path,
             existing.empty() ? "" : fmt::format(" ({} reused)", existing.size()),
             meta.rejected > 0 ? fmt::format(", {} invalid line(s) not used", meta.rejected) : "");
  if (!o.reuse_any && meta.other_commit + meta.other_threads > 0)
    fmt::print(stderr, "nrc report: {} record(s) of another commit or BLAS thread count will be computed again "
                       "(--reuse-any keeps them)\n",
               meta.other_commit + meta.other_threads);

  std::vector<Record> all = existing;
  JsonlWriter writer(records_path);
  meta.torn_bytes = writer.torn_bytes_cut();
  std::atomic<std::size_t> failed{0};
  auto keep = [&](const Record& r) {
    writer.write(r);
    all.push_back(as_stored(r));
    failed += r.index && r.verdict == Verdict::Fail;
  };
  auto compute = [&](const std::string& label, const std::vector<Unit>& units, const std::string& what) {
    if (units.empty()) return;
    failed = 0;
    Progress progress(label, units.size(), what);
    progress.tick(0);
    runner.run(units, keep, [&](std::size_t done) {
      progress.tick(done, failed > 0 ? fmt::format("{} instance(s) failed", failed.load()) : "");
    });
  };

  // 1. The units that need nothing else: training runs, data searches, mutants, check instances.
  const ReportPlan plan{checks, exps_to_run, o.preset, o.seed, trials};
  {
    std::vector<Unit> units = independent_units(plan);
    if (sharded) {
      std::vector<Unit> share;
      for (std::size_t k = o.shard; k < units.size(); k += o.shards) share.push_back(std::move(units[k]));
      units = std::move(share);
    }
    if (!o.search) std::erase_if(units, [](const Unit& u) { return u.at("kind") == "data_search"; });
    compute("training runs, data searches, mutants, instances", remaining_units(units, all), "units");
  }
  if (sharded) {
    // The shard's units; the tightness search, the conclusions and the report are the merge's.
    writer.close();
    write_file_atomic(manifest_path.string(), shard_manifest(o, trials).dump(2) + "\n");
    fmt::print(
        "shard {}/{}: {} record(s) in {} ({:.0f} s); when every shard is done: nrc report --merge DIR… --out OUT\n",
        o.shard, o.shards, all.size(), records_path,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return 0;
  }
  // 2. The tightness search's starts, from the run's tightest instances.
  if (o.search) compute("tightness search", search_units(plan, all), "starts");

  // 3. The report, assembled from the records: every search and conclusion below finds its records
  // among them and computes nothing; only the experiments' conclusions (claims, figures) are new.
  auto write = [&](const Record& r) { writer.write(r); };   // `all` stays as it is
  std::vector<const Record*> mutant_records;
  for (const Record& r : all)
    if (r.metrics.contains("mutant")) mutant_records.push_back(&r);
  std::vector<ReportSection> sections;
  for (std::size_t c = 0; c < checks.size(); ++c) {
    const Check& check = *checks[c];
    std::vector<Record> mine;   // this run's records only (seed and index range), each index once
    std::set<std::uint64_t> seen;
    for (const Record& r : all)
      if (r.check == check.id && r.run_seed == o.seed && r.index && *r.index < trials && seen.insert(*r.index).second)
        mine.push_back(r);
    // In index order: records arrive in any order (threads, ranks), the summary's ties must not depend on it.
    std::sort(mine.begin(), mine.end(), [](const Record& a, const Record& b) { return *a.index < *b.index; });
    std::vector<Record> mutants;
    for (const Mutant& m : check.mutants) {
      const Record* found = nullptr;
      for (const Record* r : mutant_records)
        if (r->check == check.id && r->metrics.value("mutant", std::string()) == m.name && r->params == m.params)
          found = r;
      if (!found) throw std::logic_error(fmt::format("mutant {} of {} missing after its unit", m.name, check.id));
      mutants.push_back(*found);
    }
    ReportSection sec{&check, summarize(check.id, mine, check.summary_metrics), std::move(mutants)};
    for (const Figure& f : check_figures(check, mine)) sec.figures.push_back(render_figure(f, dir.string()));
    sections.push_back(std::move(sec));
  }
  std::vector<SearchSection> searches;
  std::vector<DataSearchSection> data_searches;
  if (o.search) {
    for (const Check* cp : checks) {
      std::vector<Record> run;
      for (const Record& r : all)
        if (r.check == cp->id && r.run_seed == o.seed && r.index && *r.index < trials) run.push_back(r);
      searches.push_back({cp, tightness_search(*cp, run, all, report_search_spec(plan), write)});
      const std::vector<DataShape> shapes = data_search_shapes(*cp);
      if (shapes.empty()) continue;
      DataSearchSection sec{cp, {}};
      for (const DataShape& shape : shapes)
        sec.results.push_back(data_search(*cp, shape, all, report_data_search_spec(plan), write));
      data_searches.push_back(std::move(sec));
    }
  }

  // The experiments' conclusions and figures.
  std::vector<ExperimentSection> exps;
  for (const Experiment* ep : exps_to_run) {
    ExperimentSection sec{ep, {}, {}};
    sec.result = run_experiment(*ep, o.preset, o.seed, all, 1, write);
    for (const Record& r : sec.result.figures)
      sec.figures.push_back(render_figure(figure_from_json(r.metrics.at("figure")), dir.string()));
    exps.push_back(std::move(sec));
  }

  writer.close();   // every record on disk, checked, before the report that summarises them
  meta.command = o.command;
  meta.version = build::version;
  meta.commit = build::git_commit;
  meta.date = now_utc();
  meta.threads = fmt::format("{}, {} BLAS thread(s) each ({} kernels)", runner.describe(), blas_threads, blas_core());
  meta.shards = o.merge;
  meta.preset = std::string(name(o.preset));
  meta.libraries = libraries();
  meta.machine = machine();
  meta.seed = o.seed;
  meta.trials = trials;
  meta.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string report_path = (dir / "REPORT.md").string();
  try {
    write_file_atomic(report_path, report_markdown(sections, meta, searches, exps, data_searches));
  } catch (const WriteError& e) {
    throw WriteError(fmt::format("{} (every record is kept in '{}': rerun the same command to render the report)",
                                 e.what(), records_path));
  }
  std::size_t failing = 0;
  for (const auto& sec : sections) {
    fmt::print("{}", summary_text(sec.summary));
    failing += sec.summary.fail > 0;
  }
  for (const auto& ex : exps)
    for (const Record& r : ex.result.claims)
      fmt::print("{} claim {}: {} (lhs {:.3g}, rhs {:.3g})\n", ex.experiment->paper_ref, r.params.value("claim", ""),
                 name(r.verdict), r.lhs, r.rhs);
  if (failing > 0) fmt::print("{} check(s) have failing instances: findings, listed first in the report\n", failing);
  fmt::print("report: {} ({:.0f} s)\n", report_path, meta.wall_seconds);
  return 0;
}

}  // namespace nrc::cli
