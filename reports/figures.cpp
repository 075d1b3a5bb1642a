#include "reports/figures.hpp"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace nrc {

namespace {

std::string num(double x) { return std::isfinite(x) ? fmt::format("{:.10g}", x) : std::string("NaN"); }

// A gnuplot string literal in single quotes ('' escapes a quote).
std::string gp_string(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  if (!f) throw std::runtime_error(fmt::format("cannot write '{}'", path.string()));
}

std::string ticks(const std::vector<double>& values) {
  std::string out = "(";
  for (std::size_t i = 0; i < values.size(); ++i) out += fmt::format("{}\"{:.3g}\" {}", i ? ", " : "", values[i], i);
  return out + ")";
}

}  // namespace

RenderedFigure render_figure(const Figure& f, const std::string& dir) {
  const std::filesystem::path base(dir);
  RenderedFigure out{f.id + ".csv", f.id + ".gp", f.id + ".svg", false, ""};
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
  write_file(base / out.csv, csv);

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
    gp += "set style fill solid 1.0 noborder\n"
          "plot $grid using 1:2:(0.5):(0.5):3 with boxxyerror fillcolor palette notitle, "
          "$grid using 1:2:(sprintf('%.2g', $3)) with labels font 'sans,9' textcolor rgb 'white' notitle\n";
  } else {
    if (f.logx) gp += "set logscale x\nset format x '%.0e'\n";
    if (f.logy) gp += "set logscale y\nset format y '%.0e'\n";
    gp += "set key outside right top noenhanced\nset grid\nplot ";
    for (std::size_t s = 0; s < f.series.size(); ++s)
      gp += fmt::format("{}$s{} using 1:2 with linespoints title {}", s ? ", " : "", s, gp_string(f.series[s].name));
    if (f.series.empty()) gp += "NaN notitle";
    gp += "\n";
  }
  write_file(base / out.script, gp);

  std::filesystem::remove(base / out.svg);
  const std::string cmd =
      fmt::format("cd {} && gnuplot {} > {} 2>&1", shell_quoted(base.string()), shell_quoted(out.script),
                  shell_quoted(f.id + ".log"));
  const int rc = std::system(cmd.c_str());
  out.rendered = rc == 0 && std::filesystem::exists(base / out.svg) && std::filesystem::file_size(base / out.svg) > 0;
  if (out.rendered) {
    std::filesystem::remove(base / (f.id + ".log"));
  } else {
    out.error = rc == 127 * 256 || rc == 127 ? "gnuplot not found (bash scripts/setup installs gnuplot-nox)"
                                             : fmt::format("gnuplot failed (exit status {}), see {}.log", rc, f.id);
  }
  return out;
}

}  // namespace nrc
