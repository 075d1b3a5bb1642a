#pragma once
// Gaussian mixtures of Section 4: x_i^k = μ_k + Σ_k^{1/2} v_i^k, v ~ N(0, I), Σ_k^{1/2} the SPD root.
#include <vector>

#include <armadillo>

#include "lib/common/rng.hpp"

namespace nrc {

enum class Targets { OneHot, Autoencode };  // Y = one-hot cluster labels (c = K), or Y = X (c = d)

struct MixtureSpec {
  arma::uword K = 10, d = 2, N = 100;
  double sigma = 0.1;                   // isotropic Σ_k = σ² I, used when `covariances` is empty
  std::vector<arma::mat> covariances;   // optional: K symmetric PSD d×d matrices Σ_k
  std::vector<arma::uword> counts;      // optional: N_k (sum N, each ≥ 1); empty → balanced
  double mean_scale = 1.0;              // μ_k ~ N(0, mean_scale² I)
  Targets targets = Targets::OneHot;
};

struct Dataset {
  arma::mat X;          // d×N, samples as columns
  arma::mat Y;          // c×N targets
  arma::uvec labels;    // generating cluster of each sample, in [0, K)
  arma::mat means;      // d×K, the μ_k
};

// Samples are grouped by cluster (cluster 0 first). Throws invalid_argument on K = 0, K > N,
// d = 0, σ < 0 or non-finite, covariances of the wrong count/shape/not symmetric PSD, counts not
// summing to N or with an empty cluster.
// Also throws on mean_scale < 0 or non-finite. Draws from rng: μ (d×K) then v (d×N), column by
// column (nrc::randn). "Symmetric PSD" up to rounding: asymmetry and |eigenvalues| below
// max(1e-12, 16·d·ε)·‖Σ‖ count as 0 (so B·Bᵀ of rank r < d gives samples on its range).
Dataset sample_gaussian_mixture(const MixtureSpec& spec, Engine& rng);

// Repeated draws from one mixture (Proposition 4.1's checks draw thousands of data sets from it):
// the spec is validated and the covariances' roots are computed once. draw(rng) returns exactly what
// sample_gaussian_mixture(spec, rng) returns from the same engine state (that function is
// MixtureSampler(spec).draw(rng)), without an eigendecomposition per covariance per call.
class MixtureSampler {
 public:
  explicit MixtureSampler(MixtureSpec spec);   // throws as sample_gaussian_mixture does
  Dataset draw(Engine& rng) const;
  const MixtureSpec& spec() const { return spec_; }

 private:
  MixtureSpec spec_;
  std::vector<arma::uword> counts_;
  std::vector<arma::mat> roots_;   // empty: isotropic σ
};

// c×N one-hot matrix: column i is e_{labels[i]}; throws if a label is ≥ classes.
arma::mat one_hot(const arma::uvec& labels, arma::uword classes);

}  // namespace nrc
