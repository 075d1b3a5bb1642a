#pragma once
// Figures of the experiments as files: the plotted numbers as CSV, a gnuplot script, and the SVG
// gnuplot renders from it (gnuplot-nox, installed by scripts/setup). Reads figures, computes nothing.
#include <string>

#include "experiments/experiment.hpp"

namespace nrc {

struct RenderedFigure {
  std::string csv, script, svg;   // file names (relative to the output folder)
  bool rendered = false;          // the SVG exists
  std::string error;              // why not (gnuplot missing or failed), one line
};

// Writes <dir>/<id>.csv (lines: "series,x,y"; heatmaps: "x,y,z"), <dir>/<id>.gp and runs gnuplot
// on it to produce <dir>/<id>.svg, each file replaced atomically. A heatmap is drawn on its grid's
// index positions with the values as tick labels and each cell's value printed (log-spaced grids
// stay square). Throws WriteError if the CSV or script cannot be written; a gnuplot failure
// (including an incomplete SVG) is reported in `error`, and the previous SVG, if any, stays.
RenderedFigure render_figure(const Figure& figure, const std::string& dir);

}  // namespace nrc
