#pragma once
// Figures of the experiments as files: the plotted numbers as CSV, a gnuplot script, and the SVG
// gnuplot renders from it (gnuplot-nox, installed by scripts/setup). Reads figures, computes nothing.
#include <string>

#include "experiments/experiment.hpp"
#include "theorems/registry.hpp"

namespace nrc {

struct RenderedFigure {
  std::string csv, script, svg;   // file names (relative to the output folder)
  std::string title;              // the figure's
  bool rendered = false;          // the SVG exists
  std::string error;              // why not (gnuplot missing or failed), one line
};

// Writes <dir>/<id>.csv (lines: "series,x,y"; heatmaps: "x,y,z"), <dir>/<id>.gp and runs gnuplot
// on it to produce <dir>/<id>.svg, each file replaced atomically. A line plot gives its data series
// distinct colours (the k-th dashed one the k-th solid one's), draws reference lines grey and dashed
// and not-converged markers as black open circles, and keeps its key below the plot. A heatmap is
// drawn on its grid's index positions with the values as tick labels and each cell's value printed
// (log-spaced grids stay square), its not-converged cells outlined in black (the key, for them
// alone, above the plot). Throws WriteError if the CSV or script cannot be written; a gnuplot failure (including an
// incomplete SVG) is reported in `error`, and the previous SVG, if any, stays.
RenderedFigure render_figure(const Figure& figure, const std::string& dir);

// A check's two figures, from its records (empty when fewer than two have what a figure needs):
//  - check_<id>_ratio: the distribution of lhs/rhs over the judged instances (fraction of instances
//    with ratio ≤ x, log x axis), with the line ratio = 1 where a bound stops holding;
//  - check_<id>_sides: lhs against rhs (instances with both positive and finite, log–log) with the
//    line lhs = rhs: points above it are counterexamples.
std::vector<Figure> check_figures(const Check& check, const std::vector<Record>& records);

}  // namespace nrc
