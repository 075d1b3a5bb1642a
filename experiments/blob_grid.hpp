#pragma once
// Figures 1 and 2 train autoencoders over one kind of (λ, σ) grid on Gaussian blobs: one
// definition of its points, their reading and the grid's axes keeps the two on the same footing.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <armadillo>
#include <nlohmann/json.hpp>

#include "experiments/experiment.hpp"
#include "lib/common/error.hpp"
#include "lib/common/rng.hpp"
#include "lib/data/gaussian_mixture.hpp"
#include "lib/nn/train.hpp"
#include "theorems/params.hpp"

namespace nrc {

inline std::vector<double> log_grid(double lo, double hi, int n) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i)
    v.push_back(n == 1 ? lo : std::pow(10.0, std::log10(lo) + (std::log10(hi) - std::log10(lo)) * i / (n - 1)));
  v.front() = lo;   // exact ends, whatever pow rounds to
  v.back() = hi;
  return v;
}

// The grid's points, σ outer and λ inner: K = 10 blobs (mean_scale 1) autoencoded by the preset's
// net, every point on the same data seed and initialization (derive_seed(seed, 0) and (seed, 1)).
inline std::vector<nlohmann::json> blob_grid_points(Preset preset, const std::vector<double>& lambdas,
                                                    const std::vector<double>& sigmas, double tol,
                                                    std::int64_t max_iterations, std::uint64_t seed) {
  const bool paper = preset == Preset::Paper;
  const std::vector<std::int64_t> widths =
      paper ? std::vector<std::int64_t>{784, 400, 300, 400, 784} : std::vector<std::int64_t>{32, 24, 20, 24, 32};
  std::vector<nlohmann::json> pts;
  for (std::size_t is = 0; is < sigmas.size(); ++is)
    for (std::size_t il = 0; il < lambdas.size(); ++il)
      pts.push_back({{"K", 10},
                     {"N", paper ? 10000 : 250},
                     {"widths", widths},
                     {"mean_scale", 1.0},
                     {"lambda", lambdas[il]},
                     {"sigma", sigmas[is]},
                     {"lambda_index", il},
                     {"sigma_index", is},
                     {"stationarity_tol", tol},
                     {"max_iterations", max_iterations},
                     {"data_seed", derive_seed(seed, 0)},
                     {"init_seed", derive_seed(seed, 1)}});
  return pts;
}

// A grid point's parameters, checked (invalid_argument naming `id` and the parameter).
struct BlobGridPoint {
  std::vector<arma::uword> widths;   // an autoencoder's: input width = output width = d
  MixtureSpec blobs;                 // K blobs of spread σ in d dimensions, Y = X
  TrainOptions training;             // full batch, L-BFGS then Newton (lib/nn/train), squared loss at λ, to tol
  std::uint64_t data_seed = 0, init_seed = 0;
  Dataset sample() const {
    Engine rng(data_seed);
    return sample_gaussian_mixture(blobs, rng);
  }
};

inline BlobGridPoint read_blob_grid_point(const nlohmann::json& p, const std::string& id) {
  const auto widths_i = params::integers(p, id, "widths", 1, 100000, 2, 16);
  require(widths_i.front() == widths_i.back(), id,
          "parameter 'widths': an autoencoder needs input width = output width, got {} and {}", widths_i.front(),
          widths_i.back());
  BlobGridPoint g;
  g.widths.assign(widths_i.begin(), widths_i.end());
  g.blobs.K = static_cast<arma::uword>(params::integer(p, id, "K", 1, 100000));
  g.blobs.d = g.widths.front();
  g.blobs.N = static_cast<arma::uword>(params::integer(p, id, "N", static_cast<std::int64_t>(g.blobs.K), 100000000));
  g.blobs.mean_scale = params::real(p, id, "mean_scale", 0, 1e6);
  g.blobs.targets = Targets::Autoencode;
  g.training.method = TrainMethod::Newton;
  g.training.loss = Loss::SquaredError;
  g.training.lambda = params::real(p, id, "lambda", 0, 1e6, true);
  g.blobs.sigma = params::real(p, id, "sigma", 0, 1e6);
  params::integer(p, id, "lambda_index", 0, 1000);   // grid position, read by the conclusion
  params::integer(p, id, "sigma_index", 0, 1000);
  g.training.stationarity_tol = params::real(p, id, "stationarity_tol", 0, 1e-2, true);
  g.training.max_iterations = static_cast<std::uint64_t>(params::integer(p, id, "max_iterations", 1, 1000000000));
  g.data_seed = params::seed(p, id, "data_seed");
  g.init_seed = params::seed(p, id, "init_seed");
  return g;
}

// The grid as the point records span it: the axes' values (NaN where no record sits) and each
// record's cell (σ index, λ index).
struct GridAxes {
  std::vector<double> lambdas, sigmas;
  std::vector<std::pair<std::size_t, std::size_t>> cells;
};

inline void read_grid_axes(const std::vector<Record>& recs, GridAxes& g) {
  for (const Record& rec : recs)
    g.cells.emplace_back(rec.params.at("sigma_index").get<std::size_t>(),
                         rec.params.at("lambda_index").get<std::size_t>());
  std::size_t nl = 0, ns = 0;
  for (const auto& [is, il] : g.cells) {
    nl = std::max(nl, il + 1);
    ns = std::max(ns, is + 1);
  }
  g.lambdas.assign(nl, std::numeric_limits<double>::quiet_NaN());
  g.sigmas.assign(ns, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t i = 0; i < recs.size(); ++i) {
    g.lambdas[g.cells[i].second] = recs[i].params.at("lambda").get<double>();
    g.sigmas[g.cells[i].first] = recs[i].params.at("sigma").get<double>();
  }
}

}  // namespace nrc
