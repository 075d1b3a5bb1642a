#include "reports/format.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

namespace nrc {

namespace {
std::string g3(double x) { return std::isfinite(x) ? fmt::format("{:.3g}", x) : fmt::format("{}", x); }
std::string g17(double x) { return fmt::format("{:.17g}", x); }

// A file's path from the project's top folder (theorems/…), for the report's pointers to derivations.
std::string project_path(const std::string& file) {
  for (const char* top : {"theorems/", "experiments/", "lib/"}) {
    const auto at = file.rfind(top);
    if (at != std::string::npos) return file.substr(at);
  }
  return file;
}

std::string sampled_text(const Summary& s) {
  std::string out;
  for (const auto& p : s.sampled) {
    std::string v;
    if (p.list) {
      v = p.min == p.max ? fmt::format("lists of {}", p.min) : fmt::format("lists of {} to {}", p.min, p.max);
    } else if (p.numeric) {
      v = p.min == p.max ? fmt::format("{:.4g}", p.min) : fmt::format("[{:.4g}, {:.4g}]", p.min, p.max);
    } else {
      for (const auto& x : p.values) v += (v.empty() ? "" : ", ") + x;
      v = "{" + v + (p.more_values ? ", …}" : "}");
    }
    out += fmt::format("{}{} {}", out.empty() ? "" : "; ", p.name, v);
  }
  return out;
}

// The NotApplicable reasons, most frequent first: "482× “hypothesis … fails: c = #, …”; …" (at most 4).
std::string outside_text(const Summary& s) {
  std::vector<std::pair<std::size_t, std::string>> by_count;
  for (const auto& [reason, n] : s.outside) by_count.emplace_back(n, reason);
  std::stable_sort(by_count.begin(), by_count.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string out;
  for (std::size_t i = 0; i < by_count.size() && i < 4; ++i)
    out += fmt::format("{}{}× “{}”", out.empty() ? "" : "; ", by_count[i].first, by_count[i].second);
  if (by_count.size() > 4) out += fmt::format("; {} more reasons", by_count.size() - 4);
  return out;
}

// A Markdown table cell: a literal | would end the cell.
std::string cell(const std::string& text) {
  std::string out;
  for (const char ch : text) out += ch == '|' ? std::string("\\|") : std::string(1, ch);
  return out;
}

// The measured answer for a statement as written and its refined form.
std::string which_holds(const ReportSection& paper, const ReportSection& refined) {
  const Summary &p = paper.summary, &r = refined.summary;
  const std::string head = fmt::format("**{}**: as written (`{}`) {} of {} instances fail; the refined form (`{}`) {} "
                                       "of {} fail", paper.check->paper_ref, paper.check->id, p.fail, p.count,
                                       refined.check->id, r.fail, r.count);
  if (p.fail > 0 && r.fail == 0) return head + ": the numbers support the refined form, " + refined.check->statement + ".";
  if (p.fail == 0 && r.fail == 0) return head + ": both hold on these instances.";
  return head + ".";
}

// Per-layer tightness of every link of a chain (Check::chain_links), and the worst instance's chain.
std::string chain_markdown(const ReportSection& sec) {
  const auto& names = sec.check->chain_links;
  const Summary& s = sec.summary;
  if (names.size() < 2 || s.chain.empty()) return "";
  std::string md = "Chain of bounds, tightness of each link per layer (value / next value; median, max over "
                   "instances; a link above 1 is violated):\n\n| link |";
  for (const auto& cl : s.chain) md += fmt::format(" layer {} |", cl.layer);
  md += "\n|---|";
  for (std::size_t i = 0; i < s.chain.size(); ++i) md += "---|";
  md += "\n";
  for (std::size_t k = 0; k + 1 < names.size(); ++k) {
    md += fmt::format("| {} ≤ {} |", cell(names[k]), cell(names[k + 1]));
    for (const auto& cl : s.chain) {
      if (k < cl.links.size() && cl.links[k].count > 0)
        md += fmt::format(" {}, {} (n = {}) |", g3(cl.links[k].median), g3(cl.links[k].max), cl.links[k].count);
      else
        md += " – |";
    }
    md += "\n";
  }
  if (s.worst && s.worst->metrics.contains("chain")) {
    md += fmt::format("\nThe worst instance's chain (`{}`):\n\n| layer |", replay_command(*s.worst));
    for (const auto& n : names) md += fmt::format(" {} |", cell(n));
    md += "\n|---|";
    for (std::size_t i = 0; i < names.size(); ++i) md += "---|";
    md += "\n";
    for (const auto& entry : s.worst->metrics.at("chain")) {
      md += fmt::format("| {} |", entry.at("layer").get<std::uint64_t>());
      for (const double v : entry.at("values").get<std::vector<double>>()) md += fmt::format(" {} |", g3(v));
      md += "\n";
    }
  }
  return md + "\n";
}

std::string verdict_counts(const Summary& s) {
  return fmt::format("{} Pass, {} Fail, {} Inconclusive, {} NotApplicable", s.pass, s.fail, s.inconclusive,
                     s.not_applicable);
}

std::string decided_by(const Summary& s) {
  std::string out;
  for (const auto& [precision, n] : s.decided_by) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", n, precision);
  return out.empty() ? "none" : out;
}
}  // namespace

std::string checks_table_markdown(const std::vector<Check>& checks) {
  std::string md = "| id | paper | inequality as checked (lhs ≤ rhs) | decided in |\n|---|---|---|---|\n";
  for (const auto& c : checks)
    md += fmt::format("| `{}` | {} | {} | {} |\n", c.id, cell(c.paper_ref), cell(c.statement),
                      c.evaluate_reference ? "double / 50 digits" : "double");
  return md;
}

std::string ratio_text(double x) {
  if (!std::isfinite(x) || x == 1 || std::abs(x - 1) >= 0.01) return g3(x);
  const int digits = static_cast<int>(std::ceil(-std::log10(std::abs(x - 1)))) + 2;
  return fmt::format("{:.{}g}", x, std::min(digits, 17));
}

std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string replay_command(const Record& r) {
  const std::string threads =
      r.build.blas_threads > 1 ? fmt::format(" --blas-threads {}", r.build.blas_threads) : std::string();
  if (r.seed) return fmt::format("nrc replay {} --seed {}{}", r.check, *r.seed, threads);
  if (r.metrics.contains("mutant") && r.metrics.at("mutant").is_string())
    return fmt::format("nrc replay {} --mutant {}{}", r.check, r.metrics.at("mutant").get<std::string>(), threads);
  if (r.params.contains("inputs")) {   // a user's data (nrc check ID --inputs …)
    const auto& p = r.params;
    return fmt::format("nrc check {} --inputs '{}' --targets '{}' --lambda {:.17g} --K {}{}", r.check,
                       p.at("inputs").get<std::string>(), p.at("targets").get<std::string>(),
                       p.at("lambda").get<double>(), p.at("K").dump(),
                       p.contains("partition") ? fmt::format(" --partition '{}'", p.at("partition").get<std::string>()) : "");
  }
  return fmt::format("nrc replay {} --params {}{}", r.check, shell_quoted(r.params.dump()), threads);
}

std::string summary_text(const Summary& s) {
  std::string out = fmt::format("{} ({}): {} instances: {}\n", s.check, s.paper_ref, s.count, verdict_counts(s));
  if (s.ratio_count > 0)
    out += fmt::format("  ratio lhs/rhs: min {}  median {}  max {}  (over {} instances)\n", ratio_text(s.ratio_min),
                       ratio_text(s.ratio_median), ratio_text(s.ratio_max), s.ratio_count);
  for (const auto& m : s.metrics)
    if (m.count > 0)
      out += fmt::format("  {}: min {}  median {}  max {}\n", m.name, g3(m.min), g3(m.median), g3(m.max));
  out += fmt::format("  decided in: {}\n", decided_by(s));
  if (s.worst)
    out += fmt::format("  worst instance: {} ratio {}: {}\n", name(s.worst->verdict), ratio_text(s.worst->ratio),
                       replay_command(*s.worst));
  return out;
}

std::string record_text(const Record& r) {
  std::string out = fmt::format("check:     {} ({})\n", r.check, r.paper_ref);
  if (r.seed) out += fmt::format("seed:      {}\n", *r.seed);
  out += fmt::format("params:    {}\n", r.params.dump());
  out += fmt::format("lhs:       {}\nrhs:       {}\n", g17(r.lhs), g17(r.rhs));
  if (r.rhs_upper) out += fmt::format("rhs upper: {} (with the constant's rigorous upper bound)\n", g17(*r.rhs_upper));
  out += fmt::format("ratio:     {}\nslack:     {}\nerr est.:  {}\n", g17(r.ratio), g17(r.slack), g17(r.err));
  out += fmt::format("verdict:   {} ({} {})\n", name(r.verdict),
                     r.verdict == Verdict::Inconclusive ? "undecided at" : "decided in", r.precision);
  if (!r.notes.empty()) out += fmt::format("notes:     {}\n", r.notes);
  out += fmt::format("computed:  nrc {} at {}, {} BLAS thread(s), {} kernels\n", r.build.version, r.build.commit,
                     r.build.blas_threads, r.build.blas_core);
  for (const auto& [key, value] : r.metrics.items()) {
    if (value.is_number_float()) {
      out += fmt::format("  {}: {}\n", key, g17(value.get<double>()));
    } else if (value.is_array()) {
      out += fmt::format("  {}:\n", key);
      for (const auto& item : value) out += fmt::format("    {}\n", item.dump());
    } else {
      out += fmt::format("  {}: {}\n", key, value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
  out += fmt::format("replay:    {}\n", replay_command(r));
  return out;
}

// How many of an experiment's training runs are certified stationary (the trainer's test met) and,
// of those, certified local minima, saddles or undecided by the Lanczos certificate
// (lib/nn/train.hpp, Curvature); every run short of the tolerance listed with what it reached. A
// record holds one run per train_status[_tag] key (experiments/experiment.hpp, record_training).
std::string certificate_markdown(const std::vector<Record>& points) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  const std::string kStatus = "train_status";
  std::size_t runs = 0, stationary = 0, minima = 0, saddles = 0, undecided = 0, uncertified = 0;
  std::string short_of;
  for (const Record& r : points) {
    const nlohmann::json& m = r.metrics;
    for (const auto& [key, status] : m.items()) {
      if (key.rfind(kStatus, 0) != 0 || !status.is_string()) continue;
      const std::string suffix = key.substr(kStatus.size());
      ++runs;
      if (status.get<std::string>() != "stationary") {
        short_of += fmt::format("- point {}{} not stationary: ‖∇L_λ‖/‖2λΘ‖ = {} > tol {} ({}) (`{}`)\n",
                                r.index ? *r.index : 0, suffix.empty() ? "" : fmt::format(" ({} run)", suffix.substr(1)),
                                g3(m.value("stationarity" + suffix, kNaN)),
                                g3(r.params.value("stationarity_tol", kNaN)), status.get<std::string>(), r.params.dump());
        continue;
      }
      ++stationary;
      const std::string kind = m.value("curvature" + suffix, std::string());
      minima += kind == "minimum";
      saddles += kind == "saddle";
      undecided += kind == "undecided";
      uncertified += kind.empty();
    }
  }
  if (runs == 0) return {};
  return fmt::format("Stationarity and curvature: **{} of {}** runs certified stationary (the trainer's test met); of "
                     "those, **{} local minima** (Lanczos λ_min(∇²L_λ) > 0 beyond its residual), {} saddles "
                     "(λ_min < 0), {} undecided{}.\n\n{}{}",
                     stationary, runs, minima, saddles, undecided,
                     uncertified > 0 ? fmt::format(", {} without a certificate", uncertified) : "", short_of,
                     short_of.empty() ? "" : "\n");
}

namespace {

std::string statement(const Record& r) {
  return r.metrics.contains("statement") ? r.metrics.at("statement").get<std::string>() : std::string();
}

// Each figure as an image (its title the alt text) with links to its data and script.
std::string figures_markdown(const std::vector<RenderedFigure>& figures) {
  std::string md;
  for (const RenderedFigure& f : figures) {
    if (f.rendered)
      md += fmt::format("![{}]({})\n\n", f.title, f.svg);
    else
      md += fmt::format("> figure `{}` not rendered: {}\n\n", f.svg, f.error);
    md += fmt::format("Data: [{}]({}), script: [{}]({})\n\n", f.csv, f.csv, f.script, f.script);
  }
  return md;
}

std::string experiment_markdown(const ExperimentSection& ex) {
  const Experiment& e = *ex.experiment;
  std::string md = fmt::format("## {}: {}\n\n", e.paper_ref, e.title);
  std::size_t measured = 0, failed = 0;
  for (const Record& r : ex.result.points) {
    measured += r.verdict == Verdict::NotApplicable;
    failed += r.verdict == Verdict::Inconclusive;
  }
  md += fmt::format("{} training runs ({} measured, {} inconclusive); `{}` in the records.\n\n", ex.result.points.size(),
                    measured, failed, e.id);
  for (const Record& r : ex.result.points)
    if (r.verdict == Verdict::Inconclusive)
      md += fmt::format("- inconclusive point {}: {} (`{}`)\n", r.index ? *r.index : 0, r.notes, r.params.dump());
  md += certificate_markdown(ex.result.points);
  if (!ex.result.claims.empty()) {
    md += "\n| claim | as checked (lhs ≤ rhs) | lhs | rhs | verdict |\n|---|---|---|---|---|\n";
    for (const Record& r : ex.result.claims)
      md += fmt::format("| `{}` | {} | {} | {} | **{}** |\n", r.params.value("claim", ""), cell(statement(r)), g3(r.lhs),
                        g3(r.rhs), name(r.verdict));
    md += "\nWhat the numbers say:\n\n";
    for (const Record& r : ex.result.claims)
      if (!r.notes.empty()) md += fmt::format("- `{}`: {}\n", r.params.value("claim", ""), r.notes);
    md += "\n";
  }
  md += figures_markdown(ex.figures);
  return md;
}

std::string search_markdown(const std::vector<SearchSection>& searches) {
  if (searches.empty()) return "";
  std::string md = "## Tightness search\n\nFor each bound: local refinement (perturbed parameters, same data seeds) "
                   "around the random run's tightest instances. A ratio above 1 is a counterexample.\n\n"
                   "| check | random run max ratio | search max ratio | verdict | candidates (rejected) | tightest instance |\n"
                   "|---|---|---|---|---|---|\n";
  for (const auto& s : searches) {
    const auto& b = s.result.best;
    md += fmt::format("| `{}` | {} | {} | {} | {} ({}) | {} |\n", s.check->id, ratio_text(s.result.start_ratio),
                      b ? ratio_text(b->ratio) : "–", b ? std::string(name(b->verdict)) : "–", s.result.evaluated,
                      s.result.rejected, b ? fmt::format("`{}`", replay_command(*b)) : "–");
  }
  return md + "\n";
}

// The adversarial search over data: per check and shape, the best ratio and its replayable instance;
// then per check the best ratio per input dimension d.
std::string data_search_markdown(const std::vector<DataSearchSection>& searches) {
  if (searches.empty()) return "";
  std::string md =
      "## Sharpness on data\n\nAn adversarial search over the data themselves (`theorems/search.hpp`): Nelder–Mead "
      "maximizes (lhs − err)/rhs over the entries of X (d×N), Y (c×N), λ and four log-scales (centroids and "
      "within-block deviations of X and Y), from seeded random starts per shape. The best instance is an "
      "ordinary record (explicit data in its parameters, judged like any other: a ratio above 1 is a "
      "counterexample). \"other form\" is the ratio the paper's statement (for a refined check) or the "
      "refined one (for a paper check) has on the same data.\n\n"
      "| check | shape | best ratio | verdict | other form | evaluations (starts) | instance |\n"
      "|---|---|---|---|---|---|---|\n";
  std::string per_d;
  for (const auto& sec : searches) {
    std::map<std::uint64_t, double> best_by_d;
    for (const auto& res : sec.results) {
      const auto& b = res.best;
      if (!b) {
        md += fmt::format("| `{}` | {} | – | – | – | – | no feasible instance (outside the hypotheses) |\n",
                          sec.check->id, res.shape.label());
        continue;
      }
      std::string other = "–";
      if (b->metrics.contains("paper_ratio") && b->metrics.at("paper_ratio").is_number())
        other = "paper " + g3(b->metrics.at("paper_ratio").get<double>());
      else if (b->metrics.contains("refined_ratio") && b->metrics.at("refined_ratio").is_number())
        other = "refined " + g3(b->metrics.at("refined_ratio").get<double>());
      const auto& info = b->metrics.at("search");
      md += fmt::format("| `{}` | {} | {} | {} | {} | {} ({}){} | `{}` |\n", sec.check->id, res.shape.label(),
                        ratio_text(b->ratio), name(b->verdict), other, info.value("evaluations", std::uint64_t{0}),
                        info.value("starts", std::uint64_t{0}), res.reused ? ", reused" : "", replay_command(*b));
      if (std::isfinite(b->ratio)) {
        auto [it, fresh] = best_by_d.emplace(res.shape.d, b->ratio);
        if (!fresh) it->second = std::max(it->second, b->ratio);
      }
    }
    if (best_by_d.size() > 1) {
      per_d += fmt::format("- `{}`, best ratio per d:", sec.check->id);
      for (const auto& [d, r] : best_by_d) per_d += fmt::format(" d = {}: {};", d, g3(r));
      per_d.back() = '\n';
    }
  }
  if (!per_d.empty()) md += "\n" + per_d;
  return md + "\n";
}

// "k of n": how many of the check's mutants it Fails on; "**none**" for a check without mutants.
std::string mutants_caught(const ReportSection& sec) {
  if (sec.mutants.empty()) return "**none**";
  std::size_t caught = 0;
  for (const Record& m : sec.mutants) caught += m.verdict == Verdict::Fail;
  const std::string text = fmt::format("{} of {}", caught, sec.mutants.size());
  return caught == sec.mutants.size() ? text : "**" + text + "**";
}

// Each mutant with its verdict: a check must Fail on all of them.
std::string mutants_markdown(const ReportSection& sec) {
  if (sec.mutants.empty()) return "- mutants: none; nothing shows that this verdict can fail\n";
  std::string md = "- mutants (deliberately wrong versions; each must Fail):\n";
  for (const Record& m : sec.mutants) {
    const std::string name = m.metrics.value("mutant", std::string("?"));
    std::string what;
    for (const Mutant& mu : sec.check->mutants)
      if (mu.name == name) what = mu.what;
    md += fmt::format("  - `{}` ({}): **{}**, ratio {}{}\n", name, what, nrc::name(m.verdict), ratio_text(m.ratio),
                      m.verdict == Verdict::Fail ? "" : fmt::format(" — not caught: `{}`", replay_command(m)));
  }
  return md;
}

// What the report reused of the records file, and what it did not use.
std::string records_account(const ReportMeta& m) {
  std::string md = fmt::format("Records: {} reused from `records.jsonl`", m.reused);
  const std::size_t stale = m.other_commit + m.other_threads;
  if (stale > 0)
    md += fmt::format("; {} made by another commit and {} with another BLAS thread count {}", m.other_commit,
                      m.other_threads,
                      m.reuse_any ? "were among them (kept: `--reuse-any`)"
                                  : "were computed again (`--reuse-any` keeps them)");
  md += ".";
  if (m.rejected > 0)
    md += fmt::format(" **{} line(s) of the records file are not valid records** (checksum mismatch: edited or "
                      "damaged, or malformed) and were not used.",
                      m.rejected);
  if (m.torn_bytes > 0)
    md += fmt::format(" A torn last line ({} bytes, a write cut short) was cut off before appending.", m.torn_bytes);
  return md + "\n\n";
}

}  // namespace

std::string report_markdown(const std::vector<ReportSection>& sections, const ReportMeta& meta,
                            const std::vector<SearchSection>& searches,
                            const std::vector<ExperimentSection>& experiments,
                            const std::vector<DataSearchSection>& data_searches) {
  std::string md = "# nrc report: Neural Rank Collapse, checked\n\n";
  if (!meta.command.empty()) md += fmt::format("Command: `{}`\n\n", meta.command);
  md += fmt::format(
      "nrc {} at commit `{}`, {}. Preset `{}`, seed {}, {} instances per check, computed by {}, wall time {:.1f} "
      "s.\n\n",
      meta.version, meta.commit, meta.date, meta.preset.empty() ? "default" : meta.preset, meta.seed, meta.trials,
      meta.threads, meta.wall_seconds);
  if (!meta.machine.empty()) md += fmt::format("Machine: {}.\n\n", meta.machine);
  if (!meta.libraries.empty()) md += fmt::format("Libraries: {}.\n\n", meta.libraries);
  if (!meta.shards.empty()) {
    std::string dirs;
    for (const auto& d : meta.shards) dirs += (dirs.empty() ? "`" : "`, `") + d;
    md += fmt::format(
        "Distributed: the instances, mutants and training runs were computed by {} shards "
        "(`nrc report --shard i/{}`, folders {}`) and merged; the search and the conclusions here.\n\n",
        meta.shards.size(), meta.shards.size(), dirs);
  }
  md += records_account(meta);

  std::string counter;
  for (const auto& sec : sections)
    if (sec.summary.fail > 0)
      counter += fmt::format("- **{}** ({}): {} instance(s) fail; worst ratio {}: `{}`\n", sec.check->id,
                             sec.check->paper_ref, sec.summary.fail, ratio_text(sec.summary.worst->ratio),
                             replay_command(*sec.summary.worst));
  for (const auto& s : searches)
    if (s.result.best && s.result.best->verdict == Verdict::Fail && s.result.best->metrics.contains("search"))
      counter += fmt::format("- **{}** (tightness search): ratio {}: `{}`\n", s.check->id, ratio_text(s.result.best->ratio),
                             replay_command(*s.result.best));
  for (const auto& ds : data_searches)
    for (const auto& res : ds.results)
      if (res.best && res.best->verdict == Verdict::Fail)
        counter += fmt::format("- **{}** (search over data, {}): ratio {}: `{}`\n", ds.check->id, res.shape.label(),
                               ratio_text(res.best->ratio), replay_command(*res.best));
  for (const auto& ex : experiments)
    for (const Record& r : ex.result.claims)
      if (r.verdict == Verdict::Fail)
        counter += fmt::format("- **{}** claim `{}` does not hold: {} (lhs {} > rhs {})\n", ex.experiment->paper_ref,
                               r.params.value("claim", ""), statement(r), g3(r.lhs), g3(r.rhs));
  if (!counter.empty()) md += "## Counterexamples\n\n" + counter + "\n";

  md += "## Summary\n\n";
  md += "ratio = lhs/rhs: at most 1 where the bound holds, the room it leaves below; near 1, tight (printed with "
        "the digits that show the distance to 1); above 1 with verdict Fail, a counterexample. Verdict: Pass or Fail "
        "beyond the rounding error of lhs − rhs; Inconclusive when that error or a failed computation cannot decide; "
        "N/A outside the statement's hypotheses. Decided in: the arithmetic that decided (double, or 50 digits "
        "where double could not). Mutants caught: deliberately wrong versions of the check that it Fails on.\n\n";
  md += "| check | statement (lhs ≤ rhs) | instances | Pass | Fail | Inconclusive | N/A | ratio min | median | "
        "max | decided in | mutants caught | worst instance |\n";
  md += "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& sec : sections) {
    const Summary& s = sec.summary;
    const bool any = s.ratio_count > 0;
    md += fmt::format("| `{}` {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", sec.check->id,
                      sec.check->paper_ref, cell(sec.check->statement), s.count, s.pass, s.fail, s.inconclusive,
                      s.not_applicable, any ? ratio_text(s.ratio_min) : "–", any ? ratio_text(s.ratio_median) : "–",
                      any ? ratio_text(s.ratio_max) : "–", decided_by(s), mutants_caught(sec),
                      s.worst ? fmt::format("`{}`", replay_command(*s.worst)) : "–");
  }
  md += "\n";

  // Statements as written next to their refined or corrected forms.
  std::string pairs, answers;
  for (const auto& refined : sections) {
    if (refined.check->refines.empty()) continue;
    for (const auto& paper : sections) {
      if (paper.check->id != refined.check->refines) continue;
      answers += fmt::format("- {}\n", which_holds(paper, refined));
      for (const ReportSection* sec : {&paper, &refined}) {
        const Summary& s = sec->summary;
        const bool any = s.ratio_count > 0;
        pairs += fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", sec->check->id, cell(sec->check->statement), s.fail,
                             s.count, any ? ratio_text(s.ratio_median) : "–", any ? ratio_text(s.ratio_max) : "–");
      }
    }
  }
  if (!pairs.empty()) {
    md += "## Paper's statements and their refinements, side by side\n\n";
    md += "| check | statement (lhs ≤ rhs) | Fail | instances | ratio median | ratio max |\n|---|---|---|---|---|---|\n";
    md += pairs + "\n" + answers + "\n";
  }

  md += search_markdown(searches);
  md += data_search_markdown(data_searches);
  for (const auto& ex : experiments) md += experiment_markdown(ex);

  std::string findings = answers;
  for (const auto& ex : experiments) {
    std::size_t held = 0;
    std::string missed;
    for (const Record& r : ex.result.claims) {
      if (r.verdict == Verdict::Pass) {
        ++held;
        continue;
      }
      missed += fmt::format("  - `{}` {}: {} (lhs {}, rhs {})\n", r.params.value("claim", ""),
                            r.verdict == Verdict::Fail ? "**not reproduced**" : "undecided", statement(r), g3(r.lhs),
                            g3(r.rhs));
    }
    if (!ex.result.claims.empty())
      findings += fmt::format("- {}: {} of {} claims reproduced{}\n{}", ex.experiment->paper_ref, held,
                              ex.result.claims.size(), missed.empty() ? "." : "; the others:", missed);
  }
  for (const auto& sec : sections)
    if (!sec.check->chain_links.empty() && sec.summary.worst)
      findings += fmt::format("- `{}`: tightest instance at ratio {} (`{}`); the per-layer chain of the proof's links below.\n",
                              sec.check->id, ratio_text(sec.summary.ratio_max), replay_command(*sec.summary.worst));
  if (!findings.empty() || !counter.empty()) {
    md += "## Findings\n\n";
    if (!counter.empty()) md += "Counterexamples: see the top of this report.\n\n";
    md += findings + "\n";
  }

  md += "## The checks in detail\n\n";
  for (const auto& sec : sections) {
    const Summary& s = sec.summary;
    md += fmt::format("### `{}`: {}\n\n", sec.check->id, sec.check->paper_ref);
    md += fmt::format("Claim as checked: {}.\n\n- lhs: {}\n- rhs: {}\n", sec.check->statement, sec.check->lhs,
                      sec.check->rhs);
    md += fmt::format("- derived in `{}` (its header: hypotheses, both sides, where it is tight)\n",
                      project_path(sec.check->source));
    if (!s.sampled.empty()) md += fmt::format("- sampled parameters (over these records): {}\n", sampled_text(s));
    md += fmt::format("- {} instances: {}\n", s.count, verdict_counts(s));
    if (!s.outside.empty())
      md += fmt::format("- outside the hypotheses (N/A), as the records say: {}\n", outside_text(s));
    if (s.ratio_count > 0)
      md += fmt::format("- ratio lhs/rhs over {} instances: min {}, median {}, max {}\n", s.ratio_count,
                        ratio_text(s.ratio_min), ratio_text(s.ratio_median), ratio_text(s.ratio_max));
    for (const auto& m : s.metrics)
      if (m.count > 0)
        md += fmt::format("- {} over {} instances: min {}, median {}, max {}\n", m.name, m.count, g3(m.min),
                          g3(m.median), g3(m.max));
    if (s.worst)
      md += fmt::format("- worst instance ({}, ratio {}): `{}`{}\n", name(s.worst->verdict), ratio_text(s.worst->ratio),
                        replay_command(*s.worst), s.worst->notes.empty() ? "" : " — " + s.worst->notes);
    md += mutants_markdown(sec);
    md += fmt::format("\n{}", chain_markdown(sec));
    md += figures_markdown(sec.figures);
  }
  return md;
}

}  // namespace nrc
