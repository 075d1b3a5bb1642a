#include "reports/figures.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "lib/common/files.hpp"
#include "reports/format.hpp"

namespace nrc {

namespace {

std::string num(double x) { return std::isfinite(x) ? fmt::format("{:.10g}", x) : std::string("NaN"); }

// A gnuplot string literal in single quotes ('' escapes a quote).
std::string gp_string(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// gnuplot exits 0 even when the disk filled up under it: a complete SVG ends with its closing tag.
bool complete_svg(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::streamoff>(in.tellg());
  const std::streamoff n = std::min<std::streamoff>(size, 64);
  std::string tail(static_cast<std::size_t>(n), '\0');
  in.seekg(size - n);
  in.read(tail.data(), n);
  return in && tail.find("</svg>") != std::string::npos;
}

// The reference lines' and the not-converged markers' colours: no data series is grey or black.
constexpr const char* kReferenceColour = "#808080";
constexpr const char* kNotConvergedColour = "#000000";

// n distinct colours for the data series, none grey or black: Tableau 10 without its grey while it
// lasts (gnuplot's own 8 line colours repeat beyond 8 series, and fig3's paper preset draws 51),
// else n hues evenly spaced over 300° of the colour wheel (stopping short of the red they start from).
std::vector<std::string> palette(std::size_t n) {
  static const std::vector<std::string> tableau = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                                   "#8c564b", "#e377c2", "#bcbd22", "#17becf"};
  if (n <= tableau.size()) return tableau;
  std::vector<std::string> out;
  for (std::size_t k = 0; k < n; ++k) {
    // HSV with saturation 0.85 and value 0.8, the hue h in sextants of the wheel (h < 5)
    const double h = 5.0 * static_cast<double>(k) / static_cast<double>(n), v = 0.8, lo = v * (1 - 0.85);
    const double f = h - std::floor(h), rise = lo + (v - lo) * f, fall = v - (v - lo) * f;
    const double sextants[5][3] = {{v, rise, lo}, {fall, v, lo}, {lo, v, rise}, {lo, fall, v}, {rise, lo, v}};
    const double* rgb = sextants[static_cast<std::size_t>(h)];
    auto byte = [](double c) { return static_cast<int>(std::lround(c * 255)); };
    out.push_back(fmt::format("#{:02x}{:02x}{:02x}", byte(rgb[0]), byte(rgb[1]), byte(rgb[2])));
  }
  return out;
}

std::string ticks(const std::vector<double>& values) {
  std::string out = "(";
  for (std::size_t i = 0; i < values.size(); ++i) out += fmt::format("{}\"{:.3g}\" {}", i ? ", " : "", values[i], i);
  return out + ")";
}

}  // namespace

RenderedFigure render_figure(const Figure& f, const std::string& dir) {
  const std::filesystem::path base(dir);
  RenderedFigure out{f.id + ".csv", f.id + ".gp", f.id + ".svg", f.title, false, ""};
  const bool heatmap = !f.z.empty();

  std::string csv, data;
  if (heatmap) {
    csv = "x,y,z\n";
    data = "$grid << EOD\n";
    for (std::size_t iy = 0; iy < f.y.size(); ++iy) {
      for (std::size_t ix = 0; ix < f.x.size(); ++ix) {
        csv += fmt::format("{},{},{}\n", num(f.x[ix]), num(f.y[iy]), num(f.z[iy][ix]));
        data += fmt::format("{} {} {}\n", ix, iy, num(f.z[iy][ix]));
      }
    }
    data += "EOD\n";
    // The cells the markers name, at the index positions the grid is drawn on.
    auto index = [](const std::vector<double>& grid, double v) {
      return static_cast<std::size_t>(std::find(grid.begin(), grid.end(), v) - grid.begin());
    };
    for (std::size_t s = 0; s < f.series.size(); ++s) {
      if (f.series[s].role != Series::Role::NotConverged) continue;
      data += fmt::format("$s{} << EOD\n", s);
      for (std::size_t i = 0; i < f.series[s].x.size(); ++i) {
        const std::size_t ix = index(f.x, f.series[s].x[i]), iy = index(f.y, f.series[s].y[i]);
        if (ix < f.x.size() && iy < f.y.size()) data += fmt::format("{} {}\n", ix, iy);
      }
      data += "EOD\n";
    }
  } else {
    csv = "series,x,y\n";
    for (std::size_t s = 0; s < f.series.size(); ++s) {
      data += fmt::format("$s{} << EOD\n", s);
      for (std::size_t i = 0; i < f.series[s].x.size(); ++i) {
        csv += fmt::format("{},{},{}\n", csv_field(f.series[s].name), num(f.series[s].x[i]), num(f.series[s].y[i]));
        data += fmt::format("{} {}\n", num(f.series[s].x[i]), num(f.series[s].y[i]));
      }
      data += "EOD\n";
    }
  }
  write_file_atomic((base / out.csv).string(), csv);

  std::string gp = fmt::format(
      "# {} — rendered by nrc report; data also in {}\n"
      "set terminal svg size 720,480 dynamic enhanced font 'sans,11' background rgb 'white'\n"
      "set output {}\nset title {} noenhanced\nset xlabel {} noenhanced\nset ylabel {} noenhanced\n"
      "set datafile missing 'NaN'\n",
      f.title, out.csv, gp_string(out.svg), gp_string(f.title), gp_string(f.xlabel), gp_string(f.ylabel));
  gp += data;
  if (heatmap) {
    gp += fmt::format("set xtics {}\nset ytics {}\nset xrange [-0.5:{}]\nset yrange [-0.5:{}]\n", ticks(f.x),
                      ticks(f.y), num(static_cast<double>(f.x.size()) - 0.5), num(static_cast<double>(f.y.size()) - 0.5));
    gp += fmt::format("set cblabel {} noenhanced\nset palette rgb 33,13,10\nset tics out\n", gp_string(f.zlabel));
    // boxes, not `with image`: SVG viewers smooth images, which blurs a coarse grid
    // The key (only markers have an entry) above the plot: the colour box holds the right margin,
    // and below it would sit on the x label.
    gp += "set key outside top center horizontal noenhanced\nset style fill solid 1.0 noborder\n"
          "plot $grid using 1:2:(0.5):(0.5):3 with boxxyerror fillcolor palette notitle, "
          "$grid using 1:2:(sprintf('%.2g', $3)) with labels font 'sans,9' textcolor rgb 'white' notitle";
    for (std::size_t s = 0; s < f.series.size(); ++s)
      if (f.series[s].role == Series::Role::NotConverged)
        // an outline just inside the cell: a marker over the cell would hide its printed value
        gp += fmt::format(", $s{} using 1:2:(0.46):(0.46) with boxxyerror lc rgb '{}' lw 3 fs empty title {}", s,
                          kNotConvergedColour, gp_string(f.series[s].name));
    gp += "\n";
  } else {
    if (f.logx) gp += "set logscale x\nset format x '%.0e'\n";
    if (f.logy) gp += "set logscale y\nset format y '%.0e'\n";
    // The key below the plot, never over the data: in the right margin long titles ("closed form
    // (aligned), λ = 0.0001") would leave the plot half the width.
    gp += "set key outside below center horizontal Left reverse noenhanced\nset grid\nplot ";
    std::size_t solids = 0, dasheds = 0;
    for (const Series& s : f.series)
      if (s.role == Series::Role::Data) ++(s.dashed ? dasheds : solids);
    const std::vector<std::string> colours = palette(std::max(solids, dasheds));
    std::size_t solid = 0, dashed = 0;
    for (std::size_t s = 0; s < f.series.size(); ++s) {
      const Series& se = f.series[s];
      std::string style;
      if (se.role == Series::Role::Reference) {
        style = fmt::format("lines lc rgb '{}' dt 2 lw 1.5", kReferenceColour);
      } else if (se.role == Series::Role::NotConverged) {
        // open circles, larger than the data's dots, so the point stays visible inside
        style = fmt::format("points pt 6 ps 1.5 lw 1.5 lc rgb '{}'", kNotConvergedColour);
      } else {
        style = fmt::format("{} lc rgb '{}' dt {}", se.points ? "points pt 7 ps 0.5" : "linespoints pt 7 ps 0.6",
                            colours[se.dashed ? dashed++ : solid++], se.dashed ? 2 : 1);
      }
      gp += fmt::format("{}$s{} using 1:2 with {} title {}", s ? ", " : "", s, style, gp_string(se.name));
    }
    if (f.series.empty()) gp += "NaN notitle";
    gp += "\n";
  }
  write_file_atomic((base / out.script).string(), gp);

  // gnuplot draws into a temporary file (the script read from stdin names it), renamed over the SVG
  // only when complete: an interrupted or failed render (a full disk) leaves the previous figure.
  const std::string tmp_svg = "." + out.svg + ".tmp";
  const std::string set_output = "set output " + gp_string(out.svg);
  std::string render = gp;
  render.replace(render.find(set_output), set_output.size(), "set output " + gp_string(tmp_svg));
  const std::string cmd = fmt::format("cd {} && gnuplot > {} 2>&1", shell_quoted(base.string()),
                                      shell_quoted(f.id + ".log"));
  int rc = -1;
  if (FILE* pipe = popen(cmd.c_str(), "w")) {
    const bool sent = std::fwrite(render.data(), 1, render.size(), pipe) == render.size();
    rc = pclose(pipe);
    if (!sent && rc == 0) rc = -1;
  }
  std::error_code ec;
  out.rendered = rc == 0 && complete_svg(base / tmp_svg);
  if (out.rendered) std::filesystem::rename(base / tmp_svg, base / out.svg, ec);
  out.rendered = out.rendered && !ec;
  std::filesystem::remove(base / tmp_svg, ec);
  if (out.rendered) {
    std::filesystem::remove(base / (f.id + ".log"), ec);
  } else {
    out.error = rc == 127 * 256 || rc == 127 ? "gnuplot not found (bash scripts/setup installs gnuplot-nox)"
                                             : fmt::format("gnuplot failed (exit status {}), see {}.log", rc, f.id);
  }
  return out;
}

std::vector<Figure> check_figures(const Check& check, const std::vector<Record>& records) {
  std::vector<double> ratios, lhs, rhs;
  for (const Record& r : records) {
    if (r.check != check.id || r.verdict == Verdict::NotApplicable) continue;
    if (std::isfinite(r.ratio) && r.ratio > 0) ratios.push_back(r.ratio);
    if (std::isfinite(r.lhs) && std::isfinite(r.rhs) && r.lhs > 0 && r.rhs > 0) {
      lhs.push_back(r.lhs);
      rhs.push_back(r.rhs);
    }
  }
  std::vector<Figure> out;
  if (ratios.size() >= 2) {
    std::sort(ratios.begin(), ratios.end());
    std::vector<double> frac;
    for (std::size_t i = 0; i < ratios.size(); ++i) frac.push_back(static_cast<double>(i + 1) / ratios.size());
    Figure f;
    f.id = "check_" + check.id + "_ratio";
    f.title = fmt::format("{}: distribution of lhs/rhs over {} judged instances", check.id, ratios.size());
    f.xlabel = "ratio lhs/rhs";
    f.ylabel = "fraction of instances with ratio ≤ x";
    f.logx = true;
    f.series.push_back({"instances", ratios, frac});
    f.series.push_back({"ratio = 1 (the bound)", {1.0, 1.0}, {0.0, 1.0}, true, false, Series::Role::Reference});
    out.push_back(std::move(f));
  }
  if (lhs.size() >= 2) {
    const double lo = std::min(*std::min_element(lhs.begin(), lhs.end()), *std::min_element(rhs.begin(), rhs.end()));
    const double hi = std::max(*std::max_element(lhs.begin(), lhs.end()), *std::max_element(rhs.begin(), rhs.end()));
    Figure f;
    f.id = "check_" + check.id + "_sides";
    f.title = fmt::format("{}: lhs against rhs ({} instances with both positive)", check.id, lhs.size());
    f.xlabel = "rhs: " + check.rhs;
    f.ylabel = "lhs: " + check.lhs;
    f.logx = f.logy = true;
    f.series.push_back({"instances", rhs, lhs, false, true});
    f.series.push_back({"lhs = rhs", {lo, hi}, {lo, hi}, true, false, Series::Role::Reference});
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace nrc
