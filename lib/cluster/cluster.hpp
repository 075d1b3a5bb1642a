#pragma once
// Within-cluster sum of squares (eq. 6) and the total cluster variation TCV (eq. 7).
// Points are the columns of P (for eq. 6 stack (z, y) with stack_points). A partition is a label
// per point; its blocks are the distinct label values.
#include <armadillo>

#include "lib/common/rng.hpp"

namespace nrc {

// [Z; Y]: column i is the stacked vector (z_i, y_i). Throws if the column counts differ.
arma::mat stack_points(const arma::mat& Z, const arma::mat& Y);

// Eq. (6): (1/N) Σ_k Σ_{i∈C_k} ‖p_i − p̄_k‖². Throws if labels.n_elem ≠ P.n_cols or N = 0.
double wcss(const arma::mat& P, const arma::uvec& labels);

// Each column replaced by its block's centroid: the replicated-centroid matrices X̄, Ȳ of eq. (20).
arma::mat replicate_centroids(const arma::mat& P, const arma::uvec& labels);

struct Clustering {
  arma::uvec labels;        // in [0, blocks)
  arma::uword blocks = 0;   // non-empty blocks used
  double wcss = 0;          // WCSS of this partition (eq. 6)
};

// Exact TCV_K: minimum WCSS over all partitions into at most K sets, by enumeration.
// Needs 1 ≤ K ≤ N ≤ 10 (invalid_argument otherwise).
Clustering tcv_exact(const arma::mat& P, arma::uword K);

// Upper bound on TCV_K: best of `restarts` runs of Lloyd's k-means from k-means++ seeds.
// Needs 1 ≤ K ≤ N, restarts ≥ 1.
Clustering tcv_kmeans(const arma::mat& P, arma::uword K, Engine& rng, arma::uword restarts = 10,
                      arma::uword max_iter = 100);

}  // namespace nrc
