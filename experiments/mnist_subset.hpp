#pragma once
// The real-image experiments' data (a seeded uniform subset of a named data set, lib/data) and
// the classifier they train on it: Figures 3 and 4–5 read, load and build these alike, so one
// definition keeps their points comparable.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <armadillo>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lib/common/error.hpp"
#include "lib/common/rng.hpp"
#include "lib/data/datasets.hpp"
#include "lib/data/gaussian_mixture.hpp"
#include "lib/nn/mlp.hpp"
#include "lib/nn/train.hpp"
#include "theorems/params.hpp"

namespace nrc {

// A seeded uniform subset of N samples of a named data set (lib/data seeded_subset).
struct Subset {
  arma::mat X, Y;
  arma::uvec labels;
};

// p×p average pooling of images stored as columns of row-major rows×cols pixels: an image of
// (rows/p)×(cols/p) pixels, each the mean of its p×p block (values stay in [0, 1]). p = 1 returns X.
// Throws invalid_argument unless p ≥ 1 divides both rows and cols.
inline arma::mat average_pool(const arma::mat& X, arma::uword rows, arma::uword cols, arma::uword p) {
  require(p >= 1 && rows % p == 0 && cols % p == 0 && X.n_rows == rows * cols, "average_pool",
          "expected a pooling size dividing the {}×{} images ({} pixels per column), got {}", rows, cols, X.n_rows, p);
  if (p == 1) return X;
  const arma::uword r2 = rows / p, c2 = cols / p;
  arma::mat out(r2 * c2, X.n_cols, arma::fill::zeros);
  for (arma::uword r = 0; r < rows; ++r)
    for (arma::uword c = 0; c < cols; ++c) out.row((r / p) * c2 + c / p) += X.row(r * cols + c);
  return out / static_cast<double>(p * p);
}

// nullopt with `why` set when the data is not installed (or unreadable); invalid_argument when
// N exceeds the data set or `pool` does not divide its images.
inline std::optional<Subset> load_subset(const std::string& dataset, arma::uword N, std::uint64_t seed,
                                         std::string& why, const std::string& check_id, arma::uword pool = 1) {
  LabelledImages all;
  try {
    all = load_named_dataset(dataset, data_dir());
  } catch (const std::invalid_argument& ex) {
    why = fmt::format("{} data unavailable, run `bash scripts/setup`: {}", dataset, ex.what());
    return std::nullopt;
  }
  const arma::uword n = all.X.n_cols;
  require(N <= n, check_id, "parameter 'N': expected at most {} (the samples of {}), got {}", n, dataset, N);
  const arma::uvec idx = seeded_subset(n, N, seed);
  Subset s;
  s.X = average_pool(all.X.cols(idx), all.rows, all.cols, pool);
  s.labels = all.labels(idx);
  s.Y = one_hot(s.labels, all.labels.max() + 1);
  return s;
}

// A classifier point's keys shared by the real-image experiments: MNIST pixels (raw, or averaged
// over pool×pool blocks), tanh hidden layers, identity logits, cross-entropy,
// Θ_0 ~ (N(0, 1/n_{l−1}), N(0, 0.1²)); every point on the same subset and initialization seed
// (derive_seed(seed, 0) and (seed, 1)), so that λ differs alone.
inline nlohmann::json classifier_point(std::int64_t N, const std::vector<std::int64_t>& widths, double lambda,
                                       std::size_t lambda_index, std::uint64_t seed, std::int64_t pool = 1) {
  return {{"dataset", "mnist"},
          {"N", N},
          {"pool", pool},
          {"subset_seed", derive_seed(seed, 0)},
          {"widths", widths},
          {"hidden_activation", "tanh"},
          {"output_activation", "identity"},
          {"loss", "cross_entropy"},
          {"lambda", lambda},
          {"lambda_index", lambda_index},
          {"init_seed", derive_seed(seed, 1)},
          {"init_scale", 1.0},
          {"init_bias_scale", 0.1}};
}

// Those keys read and checked (invalid_argument naming `id` and the parameter).
struct ClassifierPoint {
  std::string dataset;
  arma::uword N = 0;
  arma::uword pool = 1;   // p×p average pooling of the images
  std::uint64_t subset_seed = 0, init_seed = 0;
  std::vector<arma::uword> widths;
  Activation hidden = Activation::Tanh, output = Activation::Identity;
  double init_scale = 0, init_bias_scale = 0;
  TrainOptions training;   // method, loss and λ; the budget is each experiment's
};

inline ClassifierPoint read_classifier_point(const nlohmann::json& p, const std::string& id, std::size_t max_widths,
                                             TrainMethod method) {
  static const std::vector<std::string> datasets = {"mnist", "fashion-mnist"};
  static const std::vector<std::string> activations = {"identity", "tanh", "relu", "sigmoid", "softplus"};
  ClassifierPoint c;
  c.dataset = params::choice(p, id, "dataset", datasets);
  c.N = static_cast<arma::uword>(params::integer(p, id, "N", 2, 100000000));
  c.pool = static_cast<arma::uword>(params::integer(p, id, "pool", 1, 28));
  c.subset_seed = params::seed(p, id, "subset_seed");
  const auto widths = params::integers(p, id, "widths", 1, 100000, 2, max_widths);
  c.widths.assign(widths.begin(), widths.end());
  c.hidden = parse_activation(params::choice(p, id, "hidden_activation", activations));
  c.output = parse_activation(params::choice(p, id, "output_activation", activations));
  c.training.loss = parse_loss(params::choice(p, id, "loss", {"cross_entropy", "squared"}));
  c.training.lambda = params::real(p, id, "lambda", 0, 1e6, true);
  params::integer(p, id, "lambda_index", 0, 1000);   // read by the conclusion
  params::choice(p, id, "method", {std::string(name(method))});
  c.training.method = method;
  c.init_seed = params::seed(p, id, "init_seed");
  c.init_scale = params::real(p, id, "init_scale", 0, 1e6);
  c.init_bias_scale = params::real(p, id, "init_bias_scale", 0, 1e6);
  return c;
}

// The point's subset and its initial network; nullopt with `why` set when the data is not
// installed, invalid_argument when the widths do not fit the data.
struct Classifier {
  Subset data;
  Mlp net;
};

inline std::optional<Classifier> load_classifier(const ClassifierPoint& c, const std::string& id, std::string& why) {
  std::optional<Subset> data = load_subset(c.dataset, c.N, c.subset_seed, why, id, c.pool);
  if (!data) return std::nullopt;
  require(c.widths.front() == data->X.n_rows, id,
          "parameter 'widths': expected the input width {} (the pixels of {} pooled {}×{}), got {}", data->X.n_rows,
          c.dataset, c.pool, c.pool, c.widths.front());
  require(c.widths.back() == data->Y.n_rows, id,
          "parameter 'widths': expected the output width {} (the classes of {}), got {}", data->Y.n_rows, c.dataset,
          c.widths.back());
  std::vector<Activation> acts(c.widths.size() - 1, c.hidden);
  acts.back() = c.output;
  Engine init_rng(c.init_seed);
  Mlp net = make_mlp(c.widths, acts, init_rng, c.init_scale, c.init_bias_scale);
  return Classifier{std::move(*data), std::move(net)};
}

// The share of samples whose largest logit is their label.
inline double accuracy(const arma::mat& logits, const arma::uvec& labels) {
  const arma::uvec predicted = arma::index_max(logits, 0).t();
  return static_cast<double>(arma::accu(predicted == labels)) / static_cast<double>(labels.n_elem);
}

}  // namespace nrc
