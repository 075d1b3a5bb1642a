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

// nullopt with `why` set when the data is not installed (or unreadable); invalid_argument when
// N exceeds the data set.
inline std::optional<Subset> load_subset(const std::string& dataset, arma::uword N, std::uint64_t seed,
                                         std::string& why, const std::string& check_id) {
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
  s.X = all.X.cols(idx);
  s.labels = all.labels(idx);
  s.Y = one_hot(s.labels, all.labels.max() + 1);
  return s;
}

// A classifier point's keys shared by the real-image experiments: raw MNIST pixels, tanh hidden
// layers, identity logits, cross-entropy, Θ_0 ~ (N(0, 1/n_{l−1}), N(0, 0.1²)); every point on the
// same subset and initialization seed (derive_seed(seed, 0) and (seed, 1)), so that λ differs alone.
inline nlohmann::json classifier_point(std::int64_t N, const std::vector<std::int64_t>& widths, double lambda,
                                       std::size_t lambda_index, std::uint64_t seed) {
  return {{"dataset", "mnist"},
          {"N", N},
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
  std::optional<Subset> data = load_subset(c.dataset, c.N, c.subset_seed, why, id);
  if (!data) return std::nullopt;
  require(c.widths.front() == data->X.n_rows, id,
          "parameter 'widths': expected the input width {} (the pixels of {}), got {}", data->X.n_rows, c.dataset,
          c.widths.front());
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
