#pragma once
// The real-image experiments' data: a seeded uniform subset of a named data set (lib/data).
#include <cstdint>
#include <optional>
#include <string>

#include <armadillo>
#include <fmt/format.h>

#include "lib/common/error.hpp"
#include "lib/common/rng.hpp"
#include "lib/data/datasets.hpp"
#include "lib/data/gaussian_mixture.hpp"

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

}  // namespace nrc
