#pragma once
// Pieces shared by the checks that draw random networks and data (prop_3_1, eq_4, degenerate_rank).
#include <armadillo>

#include "lib/common/rng.hpp"
#include "lib/nn/mlp.hpp"

namespace nrc {

// Targets of one sample: N(0, I) for squared loss, a random probability vector for cross-entropy.
inline arma::vec random_target(Loss loss, arma::uword c, Engine& rng) {
  arma::vec y = randn(c, 1, rng);
  if (loss == Loss::SoftmaxCrossEntropy) {
    y = arma::exp(y - y.max());
    y /= arma::accu(y);
  }
  return y;
}

}  // namespace nrc
