// Gaussian mixtures of Section 4: x_i^k = μ_k + Σ_k^{1/2} v_i^k with Σ_k^{1/2} the unique PSD root.
#include "lib/data/gaussian_mixture.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "lib/common/error.hpp"
#include "lib/common/memory.hpp"

namespace nrc {
namespace {

constexpr std::string_view kFn = "sample_gaussian_mixture";

// Rounding level for a d×d symmetric eigenproblem: asymmetry and negative eigenvalues below
// tol·‖Σ‖ are what floating point leaves in a covariance that is exactly PSD (e.g. B·Bᵀ).
double rounding_tolerance(arma::uword d) {
  return std::max(1e-12, 16.0 * static_cast<double>(d) * std::numeric_limits<double>::epsilon());
}

// The unique symmetric PSD root via eig_sym. sqrtmat_sympd rejects singular Σ, which the theory
// allows (a degenerate Gaussian). Eigenvalues within tol·‖Σ‖₂ of 0 carry no correct digits, so
// they are taken as 0 on either side: otherwise a rounding-level 1e-16 would enter the root as
// 1e-8 and smear a singular Gaussian off its subspace. Clearly negative ones are an error.
arma::mat psd_root(const arma::mat& S, arma::uword k) {
  require(S.is_finite(), kFn, "covariance {} has a non-finite entry", k);
  const double tol = rounding_tolerance(S.n_rows);
  const double scale = arma::abs(S).max();
  const double asym = arma::abs(S - S.t()).max();
  require(asym <= tol * scale, kFn, "covariance {} is not symmetric: max |Σ − Σᵀ| = {:g}", k, asym);
  if (scale == 0.0) return arma::zeros(S.n_rows, S.n_cols);
  const arma::mat sym = 0.5 * (S + S.t());
  arma::vec lambda;
  arma::mat Q;
  require(arma::eig_sym(lambda, Q, sym, "dc"), kFn, "eigendecomposition of covariance {} failed", k);
  const double norm2 = arma::abs(lambda).max();
  require(lambda.min() >= -tol * norm2, kFn,
          "covariance {} is not positive semidefinite: eigenvalue {:g} (‖Σ‖₂ = {:g})", k, lambda.min(), norm2);
  arma::vec root(lambda.n_elem);
  for (arma::uword i = 0; i < lambda.n_elem; ++i) root(i) = lambda(i) > tol * norm2 ? std::sqrt(lambda(i)) : 0.0;
  const arma::mat R = Q * arma::diagmat(root) * Q.t();
  return 0.5 * (R + R.t());
}

std::vector<arma::uword> cluster_counts(const MixtureSpec& spec) {
  if (spec.counts.empty()) {
    std::vector<arma::uword> counts(spec.K, spec.N / spec.K);
    for (arma::uword k = 0; k < spec.N % spec.K; ++k) ++counts[k];
    return counts;
  }
  require(spec.counts.size() == spec.K, kFn, "expected K = {} counts, got {}", spec.K, spec.counts.size());
  arma::uword sum = 0;
  for (arma::uword k = 0; k < spec.K; ++k) {
    require(spec.counts[k] >= 1, kFn, "count of cluster {} is 0 (every cluster needs a sample)", k);
    sum += spec.counts[k];
  }
  require(sum == spec.N, kFn, "counts sum to {}, expected N = {}", sum, spec.N);
  return spec.counts;
}

}  // namespace

arma::mat one_hot(const arma::uvec& labels, arma::uword classes) {
  arma::mat Y(classes, labels.n_elem, arma::fill::zeros);
  for (arma::uword i = 0; i < labels.n_elem; ++i) {
    require(labels[i] < classes, "one_hot", "label {} at index {} is not < classes = {}", labels[i], i, classes);
    Y(labels[i], i) = 1.0;
  }
  return Y;
}

Dataset sample_gaussian_mixture(const MixtureSpec& spec, Engine& rng) { return MixtureSampler(spec).draw(rng); }

MixtureSampler::MixtureSampler(MixtureSpec spec) : spec_(std::move(spec)) {
  // Validation, cluster sizes and the covariances' roots: once per mixture.
  require(spec_.K >= 1, kFn, "expected K ≥ 1, got {}", spec_.K);
  require(spec_.K <= spec_.N, kFn, "expected K ≤ N (every cluster needs a sample), got K = {}, N = {}", spec_.K,
          spec_.N);
  require(spec_.d >= 1, kFn, "expected d ≥ 1, got {}", spec_.d);
  require(std::isfinite(spec_.sigma) && spec_.sigma >= 0.0, kFn, "expected finite σ ≥ 0, got {}", spec_.sigma);
  require(std::isfinite(spec_.mean_scale) && spec_.mean_scale >= 0.0, kFn, "expected finite mean_scale ≥ 0, got {}",
          spec_.mean_scale);
  const double ydim = spec_.targets == Targets::OneHot ? static_cast<double>(spec_.K) : static_cast<double>(spec_.d);
  require_memory((static_cast<double>(spec_.d) + ydim) * static_cast<double>(spec_.N), kFn,
                 fmt::format("the samples (X and Y, N = {}, d = {})", spec_.N, spec_.d));
  counts_ = cluster_counts(spec_);
  if (!spec_.covariances.empty()) {
    require(spec_.covariances.size() == spec_.K, kFn, "expected K = {} covariances, got {}", spec_.K,
            spec_.covariances.size());
    for (arma::uword k = 0; k < spec_.K; ++k) {
      const arma::mat& S = spec_.covariances[k];
      require(S.n_rows == spec_.d && S.n_cols == spec_.d, kFn, "covariance {} is {}×{}, expected {}×{}", k, S.n_rows,
              S.n_cols, spec_.d, spec_.d);
      roots_.push_back(psd_root(S, k));
    }
  }
}

Dataset MixtureSampler::draw(Engine& rng) const {
  // Draw order (part of the reproducibility contract): μ (d×K), then v (d×N), column by column.
  Dataset out;
  out.means = spec_.mean_scale * randn(spec_.d, spec_.K, rng);
  out.X = randn(spec_.d, spec_.N, rng);
  out.labels.set_size(spec_.N);
  arma::uword start = 0;
  for (arma::uword k = 0; k < spec_.K; ++k) {
    const arma::span cols(start, start + counts_[k] - 1);
    if (roots_.empty())
      out.X.cols(cols) *= spec_.sigma;
    else
      out.X.cols(cols) = roots_[k] * out.X.cols(cols);
    out.X.cols(cols).each_col() += out.means.col(k);
    out.labels(cols).fill(k);
    start += counts_[k];
  }
  out.Y = spec_.targets == Targets::OneHot ? one_hot(out.labels, spec_.K) : out.X;
  return out;
}

}  // namespace nrc
