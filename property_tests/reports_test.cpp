// reports/: replay commands, summaries and the Markdown report render what the records say.
#include "property_tests/support.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "reports/figures.hpp"
#include "reports/format.hpp"
#include "theorems/registry.hpp"
#include "theorems/summary.hpp"

namespace {

nrc::Record record(const std::string& check, nrc::Verdict v, double ratio, std::uint64_t seed) {
  nrc::Record r;
  r.check = check;
  r.paper_ref = "Ref";
  r.params = {{"a", 1}};
  r.seed = seed;
  r.verdict = v;
  r.ratio = ratio;
  return r;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
std::string slurp(const std::string& path);

TEST(Reports, ReplayCommandBySeedParamsOrUserData) {
  nrc::Record r = record("thm_5_4", nrc::Verdict::Pass, 0.1, 42);
  EXPECT_EQ(nrc::replay_command(r), "nrc replay thm_5_4 --seed 42");
  r.seed.reset();
  EXPECT_EQ(nrc::replay_command(r), "nrc replay thm_5_4 --params '{\"a\":1}'");
  r.params = {{"s", "it's"}};   // a quote inside single quotes: closed, escaped, reopened
  EXPECT_EQ(nrc::replay_command(r), "nrc replay thm_5_4 --params '{\"s\":\"it'\\''s\"}'");
  r.params = {{"a", 1}};
  r.build.blas_threads = 2;    // bit-identical replay needs the record's BLAS thread count
  EXPECT_EQ(nrc::replay_command(r), "nrc replay thm_5_4 --params '{\"a\":1}' --blas-threads 2");
  r.build.blas_threads = 1;
  r.params = {{"inputs", "/d/X.csv"}, {"targets", "/d/Y.csv"}, {"lambda", 0.5}, {"K", 2}, {"partition", "/d/P.csv"}};
  EXPECT_EQ(nrc::replay_command(r),
            "nrc check thm_5_4 --inputs '/d/X.csv' --targets '/d/Y.csv' --lambda 0.5 --K 2 --partition '/d/P.csv'");
}

TEST(Reports, SummaryTextStatesCountsRatiosAndTheWorstInstance) {
  const std::vector<nrc::Record> rs = {record("c", nrc::Verdict::Pass, 0.25, 1), record("c", nrc::Verdict::Pass, 0.5, 2)};
  const std::string text = nrc::summary_text(nrc::summarize("c", rs));
  EXPECT_TRUE(contains(text, "2 instances: 2 Pass, 0 Fail")) << text;
  EXPECT_TRUE(contains(text, "median 0.375")) << text;
  EXPECT_TRUE(contains(text, "nrc replay c --seed 2")) << text;
}

// Ratios near 1 show their distance to 1; elsewhere 3 significant digits.
TEST(Reports, RatiosNearOneShowTheirDistanceToOne) {
  EXPECT_EQ(nrc::ratio_text(0.99998), "0.99998");
  EXPECT_EQ(nrc::ratio_text(1.0000123), "1.000012");
  EXPECT_EQ(nrc::ratio_text(0.999), "0.999");
  EXPECT_EQ(nrc::ratio_text(1.0), "1");
  EXPECT_EQ(nrc::ratio_text(0.123456), "0.123");
  EXPECT_EQ(nrc::ratio_text(250.0), "250");
  EXPECT_EQ(nrc::ratio_text(std::numeric_limits<double>::infinity()), "inf");
}

// The report says what was sampled (from the records' parameters, seeds left out), which file
// derives each check, and the command that made it.
TEST(Reports, StatesCommandSampledParametersAndDerivation) {
  std::vector<nrc::Record> rs = {record("c", nrc::Verdict::Pass, 0.25, 1), record("c", nrc::Verdict::Pass, 0.5, 2)};
  rs[0].params = {{"lambda", 0.1}, {"loss", "squared"}, {"widths", {1, 2}}, {"data_seed", 5}};
  rs[1].params = {{"lambda", 0.3}, {"loss", "ce"}, {"widths", {1, 2, 3}}, {"data_seed", 6}};
  const nrc::Summary s = nrc::summarize("c", rs);
  ASSERT_EQ(s.sampled.size(), 3u);   // lambda, loss, widths; no seed
  EXPECT_EQ(s.sampled[0].name, "lambda");
  EXPECT_EQ(s.sampled[0].min, 0.1);
  EXPECT_EQ(s.sampled[0].max, 0.3);
  EXPECT_EQ(s.sampled[1].values, (std::vector<std::string>{"ce", "squared"}));
  EXPECT_TRUE(s.sampled[2].list);
  EXPECT_EQ(s.sampled[2].max, 3.0);
  const nrc::Check c{.id = "c"};   // aggregate-initialised here: its source is this file
  EXPECT_TRUE(contains(c.source, "reports_test.cpp")) << c.source;
  EXPECT_TRUE(contains(nrc::find_check("thm_5_4").source, "theorems/thm_5_4_clustered_labels.cpp"));
  nrc::ReportMeta meta;
  meta.command = "nrc report --trials 2";
  const std::string md = nrc::report_markdown({{&c, s}}, meta);
  EXPECT_TRUE(contains(md, "Command: `nrc report --trials 2`")) << md;
  EXPECT_TRUE(contains(md, "lambda [0.1, 0.3]; loss {ce, squared}; widths lists of 2 to 3")) << md;
  EXPECT_TRUE(contains(md, "derived in `")) << md;
}

// A check's figures: the ratio distribution (fraction ≤ x at the sorted ratios, with ratio = 1 drawn)
// and lhs against rhs as a scatter with lhs = rhs drawn; N/A records and non-positive sides left out.
TEST(Reports, CheckFiguresShowTheRatioDistributionAndBothSides) {
  std::vector<nrc::Record> rs = {record("c", nrc::Verdict::Pass, 0.5, 1), record("c", nrc::Verdict::Pass, 0.25, 2),
                                 record("c", nrc::Verdict::Fail, 2.0, 3), record("c", nrc::Verdict::NotApplicable, 0.1, 4)};
  for (nrc::Record& r : rs) {
    r.rhs = 4;
    r.lhs = r.ratio * 4;
  }
  const nrc::Check c{.id = "c", .lhs = "L", .rhs = "R"};
  const std::vector<nrc::Figure> figs = nrc::check_figures(c, rs);
  ASSERT_EQ(figs.size(), 2u);
  EXPECT_EQ(figs[0].id, "check_c_ratio");
  EXPECT_EQ(figs[0].series[0].x, (std::vector<double>{0.25, 0.5, 2.0}));
  EXPECT_EQ(figs[0].series[0].y[2], 1.0);
  EXPECT_TRUE(figs[0].series[1].dashed);
  EXPECT_EQ(figs[0].series[1].role, nrc::Series::Role::Reference);   // a guide: grey, no data colour
  EXPECT_EQ(figs[1].series[1].role, nrc::Series::Role::Reference);
  EXPECT_EQ(figs[1].id, "check_c_sides");
  EXPECT_TRUE(figs[1].series[0].points);
  EXPECT_EQ(figs[1].series[0].y, (std::vector<double>{2.0, 1.0, 8.0}));   // lhs, in record order
  EXPECT_EQ(figs[1].series[1].x, (std::vector<double>{1.0, 8.0}));        // lhs = rhs over the range
  const nrc::test::TempDir dir;
  const nrc::RenderedFigure r = nrc::render_figure(figs[1], dir.path().string());
  EXPECT_TRUE(contains(slurp(dir.file(r.script)), "with points")) << slurp(dir.file(r.script));
  EXPECT_TRUE(nrc::check_figures(c, {rs[3]}).empty());   // nothing judged: no figure
}

TEST(Reports, MarkdownPutsCounterexamplesFirstEscapesPipesAndPairsRefinements) {
  nrc::Check paper, refined;
  paper.id = "paper";
  paper.paper_ref = "Thm";
  paper.statement = "|x| ≤ 1";
  refined.id = "refined";
  refined.paper_ref = "Thm, refined";
  refined.statement = "|x| ≤ 2";
  refined.refines = "paper";
  const std::vector<nrc::Record> rs = {record("paper", nrc::Verdict::Fail, 3.0, 7),
                                       record("refined", nrc::Verdict::Pass, 0.5, 7)};
  const std::vector<nrc::ReportSection> sections = {{&paper, nrc::summarize("paper", rs)},
                                                    {&refined, nrc::summarize("refined", rs)}};
  nrc::ReportMeta meta;
  meta.commit = "abc";
  const std::string md = nrc::report_markdown(sections, meta);
  const auto counterexamples = md.find("## Counterexamples"), summary = md.find("## Summary");
  ASSERT_NE(counterexamples, std::string::npos);
  EXPECT_LT(counterexamples, summary);
  EXPECT_TRUE(contains(md, "`nrc replay paper --seed 7`"));
  EXPECT_TRUE(contains(md, "\\|x\\| ≤ 1"));   // a raw | would split the table cell
  EXPECT_TRUE(contains(md, "side by side"));
  EXPECT_TRUE(contains(md, "1 of 1 instances fail; the refined form (`refined`) 0 of 1 fail: the numbers support "
                           "the refined form"));
  EXPECT_TRUE(contains(md, "`abc`"));
}

// A chain lhs ≤ b1 ≤ b2 recorded per layer: the summary takes value/next-value per layer and link,
// the report shows them in a table and lists the worst instance's chain.
TEST(Reports, CertificateCountsEveryRunOfAPointAndListsThoseShortOfTheTolerance) {
  nrc::Record one = record("fig", nrc::Verdict::NotApplicable, 0, 1);
  one.index = 0;
  one.metrics = {{"train_status", "stationary"}, {"stationarity", 3e-10}, {"curvature", "minimum"}};
  nrc::Record two = record("fig", nrc::Verdict::NotApplicable, 0, 1);   // two runs (fig2: full, centroid)
  two.index = 7;
  two.params = {{"stationarity_tol", 1e-9}};
  two.metrics = {{"train_status_full", "stationary"}, {"stationarity_full", 1e-10}, {"curvature_full", "saddle"},
                 {"train_status_centroid", "max_iterations"}, {"stationarity_centroid", 3.25e-5}};
  nrc::Record none = record("fig", nrc::Verdict::NotApplicable, 0, 1);   // no training run recorded
  none.metrics = {{"stationary", true}};
  const std::string md = nrc::certificate_markdown({one, two, none});
  EXPECT_TRUE(contains(md, "**2 of 3** runs certified stationary")) << md;
  EXPECT_TRUE(contains(md, "**1 local minima**")) << md;
  EXPECT_TRUE(contains(md, "1 saddles")) << md;
  EXPECT_TRUE(contains(md, "- point 7 (centroid run) not stationary: ‖∇L_λ‖/‖2λΘ‖ = 3.25e-05 > tol 1e-09 (max_iterations)"))
      << md;
  EXPECT_FALSE(contains(md, "point 7 (full run)")) << md;
  EXPECT_TRUE(nrc::certificate_markdown({none}).empty());
}

TEST(Reports, ChainTightnessPerLayer) {
  nrc::Check c;
  c.id = "chain";
  c.paper_ref = "Thm";
  c.chain_links = {"dist", "b1", "b2"};
  std::vector<nrc::Record> rs = {record("chain", nrc::Verdict::Pass, 0.5, 1), record("chain", nrc::Verdict::Pass, 0.25, 2)};
  rs[0].metrics["chain"] = {{{"layer", 1}, {"values", {1.0, 2.0, 8.0}}}, {{"layer", 2}, {"values", {0.0, 1.0, 1.0}}}};
  rs[1].metrics["chain"] = {{{"layer", 1}, {"values", {1.0, 4.0, 8.0}}}};
  const nrc::Summary s = nrc::summarize("chain", rs);
  ASSERT_EQ(s.chain.size(), 2u);
  EXPECT_EQ(s.chain[0].layer, 1u);
  EXPECT_DOUBLE_EQ(s.chain[0].links[0].median, 0.375);   // 1/2 and 1/4
  EXPECT_DOUBLE_EQ(s.chain[0].links[1].max, 0.5);        // 2/8 and 4/8
  EXPECT_EQ(s.chain[1].links[0].count, 1u);
  const std::string md = nrc::report_markdown({{&c, s}}, {});
  EXPECT_TRUE(contains(md, "| dist ≤ b1 | 0.375, 0.5 (n = 2) | 0, 0 (n = 1) |")) << md;
  EXPECT_TRUE(contains(md, "The worst instance's chain (`nrc replay chain --seed 1`)")) << md;
  EXPECT_TRUE(contains(md, "| 1 | 1 | 2 | 8 |")) << md;
}

// A chain value that is not finite is written as null; the record reads back, summarises and renders
// (it used to stop every later report with a JSON type error).
TEST(Reports, NonFiniteChainValuesRoundTripThroughTheRecordsFile) {
  nrc::Check c;
  c.id = "chain";
  c.chain_links = {"dist", "b1", "b2"};
  nrc::Record r = record("chain", nrc::Verdict::Pass, 0.5, 1);
  r.metrics["chain"] = {{{"layer", 1}, {"values", {1.0, std::numeric_limits<double>::infinity(), NAN}}}};
  const nrc::Record back = nrc::parse_record_line(nrc::record_line(r));
  const nrc::Summary s = nrc::summarize("chain", {back});
  ASSERT_EQ(s.chain.size(), 1u);
  EXPECT_EQ(s.chain[0].links[0].count, 0u);   // JSON has no Inf: it reads back as NaN, no tightness
  EXPECT_EQ(s.chain[0].links[1].count, 0u);
  const std::string md = nrc::report_markdown({{&c, s}}, {});
  EXPECT_TRUE(contains(md, "| 1 | 1 | nan | nan |")) << md;
}

// The header accounts for the records file: reused, rejected, recomputed, a torn tail cut off.
TEST(Reports, HeaderAccountsForTheRecordsFile) {
  nrc::ReportMeta meta;
  meta.reused = 10;
  meta.rejected = 2;
  meta.other_commit = 3;
  meta.other_threads = 1;
  meta.torn_bytes = 57;
  const std::string md = nrc::report_markdown({}, meta);
  EXPECT_TRUE(contains(md, "Records: 10 reused")) << md;
  EXPECT_TRUE(contains(md, "3 made by another commit and 1 with another BLAS thread count were computed again")) << md;
  EXPECT_TRUE(contains(md, "2 line(s) of the records file are not valid records")) << md;
  EXPECT_TRUE(contains(md, "torn last line (57 bytes")) << md;
}

}  // namespace

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Figures become a CSV of the plotted numbers, a gnuplot script and (gnuplot present, as
// scripts/setup installs it) an SVG.
TEST(Reports, FiguresRenderToCsvScriptAndSvg) {
  const nrc::test::TempDir dir;
  nrc::Figure lines;
  lines.id = "lines";
  lines.title = "it's a title";
  lines.logy = true;
  lines.series = {{"σ = 0.1", {1, 2, 3}, {1, 4, 9}}, {"a, b", {1, 2}, {2, NAN}}, {"ref", {1, 2}, {1, 1}, true}};
  nrc::Figure heat;
  heat.id = "heat";
  heat.x = {1e-3, 1e-2};
  heat.y = {0.1, 1.0, 10.0};
  heat.z = {{0.1, 0.2}, {0.3, 0.4}, {0.5, 0.6}};
  const bool have_gnuplot = std::system("command -v gnuplot > /dev/null 2>&1") == 0;
  for (const auto* f : {&lines, &heat}) {
    const nrc::RenderedFigure r = nrc::render_figure(*f, dir.path().string());
    EXPECT_EQ(r.rendered, have_gnuplot) << r.error;
    if (have_gnuplot) {
      EXPECT_TRUE(contains(slurp(dir.file(r.svg)), "<svg"));
    } else {
      EXPECT_TRUE(contains(r.error, "scripts/setup")) << r.error;
    }
  }
  EXPECT_EQ(slurp(dir.file("lines.csv")),
            "series,x,y\nσ = 0.1,1,1\nσ = 0.1,2,4\nσ = 0.1,3,9\n\"a, b\",1,2\n\"a, b\",2,NaN\nref,1,1\nref,2,1\n");
  const std::string heat_csv = slurp(dir.file("heat.csv"));
  EXPECT_TRUE(contains(heat_csv, "x,y,z\n0.001,0.1,0.1\n0.01,0.1,0.2\n0.001,1,0.3\n")) << heat_csv;
  const std::string gp = slurp(dir.file("lines.gp"));
  EXPECT_TRUE(contains(gp, "set logscale y"));
  // Solid series take colours of their own; the k-th dashed series the k-th solid one's colour.
  EXPECT_TRUE(contains(gp, "$s0 using 1:2 with linespoints pt 7 ps 0.6 lc rgb '#1f77b4' dt 1")) << gp;
  EXPECT_TRUE(contains(gp, "$s1 using 1:2 with linespoints pt 7 ps 0.6 lc rgb '#ff7f0e' dt 1")) << gp;
  EXPECT_TRUE(contains(gp, "$s2 using 1:2 with linespoints pt 7 ps 0.6 lc rgb '#1f77b4' dt 2")) << gp;
  // The flag survives the records (figures are stored as JSON).
  EXPECT_TRUE(nrc::figure_from_json(nrc::to_json(lines)).series[2].dashed);
  EXPECT_FALSE(nrc::figure_from_json(nrc::to_json(lines)).series[0].dashed);
}

// Each plot element of a line plot's script: its datablock index, plot style and colour.
struct Drawn {
  std::size_t series;
  std::string style, colour;
};
std::vector<Drawn> drawn(const std::string& gp) {
  static const std::regex element(R"(\$s(\d+) using 1:2 with (\w+)[^']*lc rgb '(#[0-9a-f]{6})')");
  std::vector<Drawn> out;
  for (auto it = std::sregex_iterator(gp.begin(), gp.end(), element); it != std::sregex_iterator(); ++it)
    out.push_back({std::stoul((*it)[1]), (*it)[2], (*it)[3]});
  return out;
}

// The figures' rules: no two solid data series share a colour, however many (gnuplot's own line
// colours repeat after 8; fig3's paper preset draws 51), the k-th dashed one takes the k-th solid
// one's; reference lines and not-converged markers have colours no data series uses; keys sit
// below the plot (in the right margin long titles squeezed it), and a heatmap outlines its
// not-converged cells.
TEST(Reports, FiguresKeepDataReferencesAndMarkersApart) {
  const nrc::test::TempDir dir;
  const bool have_gnuplot = std::system("command -v gnuplot > /dev/null 2>&1") == 0;
  for (const std::size_t n : {3u, 12u, 51u}) {
    nrc::Figure f;
    f.id = fmt::format("many{}", n);
    f.logx = f.logy = true;
    for (std::size_t k = 0; k < n; ++k) {
      const auto level = static_cast<double>(k);
      f.series.push_back({fmt::format("line {}", k), {1, 2}, {1 + level, 2 + level}});
    }
    f.series.push_back({"closed form 0", {1, 2}, {1, 3}, true});
    f.series.push_back({"closed form 1", {1, 2}, {2, 4}, true});
    f.series.push_back(nrc::slope_reference(f.series, 2));
    nrc::mark_not_converged(f, 2, 3);
    const nrc::RenderedFigure r = nrc::render_figure(f, dir.path().string());
    EXPECT_EQ(r.rendered, have_gnuplot) << r.error;
    const std::string gp = slurp(dir.file(r.script));
    const std::vector<Drawn> d = drawn(gp);
    ASSERT_EQ(d.size(), n + 4) << gp;
    std::set<std::string> solid;
    for (std::size_t k = 0; k < n; ++k) solid.insert(d[k].colour);
    EXPECT_EQ(solid.size(), n) << gp;
    EXPECT_EQ(d[n].colour, d[0].colour) << gp;
    EXPECT_EQ(d[n + 1].colour, d[1].colour) << gp;
    const Drawn &ref = d[n + 2], &marker = d[n + 3];
    EXPECT_EQ(ref.style, "lines") << gp;
    EXPECT_EQ(marker.style, "points") << gp;
    EXPECT_TRUE(contains(gp, fmt::format("$s{} using 1:2 with points pt 6", n + 3))) << gp;   // open circles
    EXPECT_EQ(solid.count(ref.colour), 0u) << ref.colour;
    EXPECT_EQ(solid.count(marker.colour), 0u) << marker.colour;
    EXPECT_NE(ref.colour, marker.colour);
    EXPECT_TRUE(contains(gp, "set key outside below")) << gp;
    EXPECT_LT(gp.find("set key outside below"), gp.find("\nplot ")) << gp;
  }
  // A scatter's key is outside too.
  nrc::Figure scatter;
  scatter.id = "scatter";
  scatter.series = {{"instances", {1, 2}, {2, 1}, false, true}};
  const std::string sgp = slurp(dir.file(nrc::render_figure(scatter, dir.path().string()).script));
  EXPECT_TRUE(contains(sgp, "set key outside below")) << sgp;
  // A heatmap: the marked cell (x[1], y[2]) outlined at its index position, the key above the plot.
  nrc::Figure heat;
  heat.id = "heat_marked";
  heat.x = {1e-3, 1e-2};
  heat.y = {0.1, 1.0, 10.0};
  heat.z = {{0.1, 0.2}, {0.3, 0.4}, {0.5, 0.6}};
  nrc::mark_not_converged(heat, 1e-2, 10.0);
  const nrc::RenderedFigure hr = nrc::render_figure(heat, dir.path().string());
  EXPECT_EQ(hr.rendered, have_gnuplot) << hr.error;
  const std::string hgp = slurp(dir.file(hr.script));
  EXPECT_TRUE(contains(hgp, "$s0 << EOD\n1 2\nEOD\n")) << hgp;
  EXPECT_TRUE(contains(hgp, "$s0 using 1:2:(0.46):(0.46) with boxxyerror lc rgb '#000000' lw 3 fs empty title "
                           "'not converged'"))
      << hgp;
  EXPECT_TRUE(contains(hgp, "set key outside top")) << hgp;
}

// A series' role survives the records; records older than roles read as data; an unknown role is
// a malformed figure.
TEST(Reports, SeriesRolesRoundTripThroughTheRecords) {
  nrc::Figure f;
  f.id = "roles";
  f.series = {{"data", {1}, {1}}, {"ref", {1, 2}, {1, 4}, true, false, nrc::Series::Role::Reference}};
  nrc::mark_not_converged(f, 1, 1);
  nrc::mark_not_converged(f, 2, NAN);   // nothing to circle
  const nrc::Figure back = nrc::figure_from_json(nrc::to_json(f));
  ASSERT_EQ(back.series.size(), 3u);
  EXPECT_EQ(back.series[0].role, nrc::Series::Role::Data);
  EXPECT_EQ(back.series[1].role, nrc::Series::Role::Reference);
  EXPECT_EQ(back.series[2].role, nrc::Series::Role::NotConverged);
  EXPECT_EQ(back.series[2].name, "not converged");
  EXPECT_EQ(back.series[2].x, (std::vector<double>{1}));
  nlohmann::json old = nrc::to_json(f);
  for (auto& s : old["series"]) s.erase("role");
  EXPECT_EQ(nrc::figure_from_json(old).series[1].role, nrc::Series::Role::Data);
  old["series"][0]["role"] = "guide";
  EXPECT_THROW(nrc::figure_from_json(old), std::invalid_argument);
}

}  // namespace
