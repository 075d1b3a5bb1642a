#include "lib/mp/reference.hpp"

#include <algorithm>
#include <cmath>
#include <ios>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/SVD>
#include <fmt/format.h>

#include "lib/closed_form/deep_linear.hpp"
#include "lib/closed_form/preconditions.hpp"
#include "lib/common/error.hpp"

// The one translation unit that instantiates Eigen's decompositions for Real: JacobiSVD (thin U
// and V) is the only one used, so callers pay its compile time once.
namespace nrc::mp {

namespace {

using Index = Eigen::Index;

std::string show(const Real& x) { return x.str(6, std::ios_base::scientific); }

Real sq(const Real& x) { return x * x; }

using closed_form_detail::require_data;
using closed_form_detail::require_lambda;

bool all_finite(const Matrix& A) {
  for (Index j = 0; j < A.cols(); ++j) {
    for (Index i = 0; i < A.rows(); ++i) {
      if (!boost::multiprecision::isfinite(A(i, j))) return false;
    }
  }
  return true;
}

void require_solved(const RidgeSystem& sys, const char* fn) {
  require(sys.s.size() >= 1 && sys.gram_inv_sqrt.rows() == sys.X.rows() && sys.X.rows() >= 1 &&
              sys.U.cols() == sys.s.size() && sys.V.cols() == sys.s.size(),
          fn, "expected a RidgeSystem returned by solve_ridge(), got an unsolved one");
}

void require_rank(arma::uword K, const char* fn) {
  require(K >= 1, fn, "expected rank K ≥ 1, got K = 0");
}

// min(K, min(c, d)): a rank bound above the size of Q_λ keeps everything.
Index kept_rank(const RidgeSystem& sys, arma::uword K) {
  return static_cast<Index>(std::min<arma::uword>(K, static_cast<arma::uword>(sys.s.size())));
}

void require_partition_input(const arma::mat& P, const arma::uvec& labels, const char* fn) {
  require(P.n_cols >= 1, fn, "expected at least one point (column), got N = 0");
  require(labels.n_elem == P.n_cols, fn, "expected one label per point (N = {}), got {} labels",
          P.n_cols, labels.n_elem);
  require(P.is_finite(), fn, "expected finite point coordinates, got a non-finite entry");
}

// Blocks are the distinct label values, numbered 0 … B−1 in ascending order of value (as
// lib/cluster does), with their sizes.
struct Blocks {
  std::vector<Index> of;        // block of each sample
  std::vector<Index> size;      // N_k
};

Blocks compact(const arma::uvec& labels) {
  std::vector<arma::uword> values(labels.begin(), labels.end());
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  Blocks b;
  b.of.resize(labels.n_elem);
  b.size.assign(values.size(), 0);
  for (arma::uword i = 0; i < labels.n_elem; ++i) {
    const auto k = static_cast<Index>(std::lower_bound(values.begin(), values.end(), labels(i)) -
                                      values.begin());
    b.of[i] = k;
    ++b.size[static_cast<std::size_t>(k)];
  }
  return b;
}

// Block means as columns (rows × B), summed and divided in Real.
Matrix block_means(const Matrix& P, const Blocks& b) {
  Matrix C = Matrix::Zero(P.rows(), static_cast<Index>(b.size.size()));
  for (Index i = 0; i < P.cols(); ++i) C.col(b.of[static_cast<std::size_t>(i)]) += P.col(i);
  for (Index k = 0; k < C.cols(); ++k) C.col(k) /= Real(b.size[static_cast<std::size_t>(k)]);
  return C;
}

// Thin SVD of X_λ = [X, √(Nλ) I] (d×(n+d), full row rank d): X_λ = U_x diag(σ) V_xᵀ. Only the
// first n rows of V_x are kept: Y_λ = [Y, 0] never meets the others. Then
//   (X_λX_λᵀ)^{-1/2} = U_x diag(1/σ) U_xᵀ,   Y_λ X_λ⁺ = Y V_top diag(1/σ) U_xᵀ,
//   Q_λ = Y_λ X_λᵀ (X_λX_λᵀ)^{-1/2} = Y V_top U_xᵀ   (eq. 38),
// without forming X Xᵀ + NλI, whose condition number is the square of X_λ's.
struct AugmentedSvd {
  Matrix U;      // d×d
  Vector sigma;  // d, descending, σ_j² = λ_j(X Xᵀ) + Nλ
  Matrix V_top;  // n×d
};

AugmentedSvd augmented_svd(const Matrix& X, const Real& n_lambda, const char* fn) {
  const Index d = X.rows(), n = X.cols();
  Matrix Xl(d, n + d);
  Xl.leftCols(n) = X;
  Xl.rightCols(d) = Matrix::Identity(d, d) * Real(sqrt(n_lambda));
  Eigen::JacobiSVD<Matrix> svd(Xl, Eigen::ComputeThinU | Eigen::ComputeThinV);
  if (svd.info() != Eigen::Success) {
    throw std::runtime_error(fmt::format("nrc::mp::{}(): Jacobi SVD of X_λ = [X, √(Nλ) I] failed", fn));
  }
  AugmentedSvd out{svd.matrixU(), svd.singularValues(), svd.matrixV().topRows(n)};
  // In exact arithmetic σ_min ≥ √(Nλ) > 0, but the SVD's absolute error is a small multiple of
  // ε·σ_max (measured: 0.35ε·σ_max for a 2×4 X_λ whose true σ_min is 10⁻⁴⁶² σ_max). A σ_min at
  // that level carries no correct digit and (X_λX_λᵀ)^{-1/2} would be noise: refuse, as the
  // double path does when an eigenvalue of X Xᵀ + NλI comes out ≤ 0.
  const Real floor = Real(8 * (n + 2 * d)) * std::numeric_limits<Real>::epsilon() * out.sigma(0);
  if (!(out.sigma(d - 1) > floor)) {
    throw std::runtime_error(fmt::format(
        "nrc::mp::{}(): X Xᵀ + NλI is numerically singular at 50 digits (σ_min(X_λ) = {}, "
        "σ_max(X_λ) = {})",
        fn, show(out.sigma(d - 1)), show(out.sigma(0))));
  }
  return out;
}

Vector reciprocal(const Vector& v) {
  Vector r(v.size());
  for (Index i = 0; i < v.size(); ++i) r(i) = Real(1) / v(i);
  return r;
}

Real squared_norm(const Matrix& A) {
  Real acc = 0;
  for (Index j = 0; j < A.cols(); ++j) {
    for (Index i = 0; i < A.rows(); ++i) acc += sq(A(i, j));
  }
  return acc;
}

}  // namespace

Matrix from_arma(const arma::mat& A) {
  Matrix M(static_cast<Index>(A.n_rows), static_cast<Index>(A.n_cols));
  for (arma::uword j = 0; j < A.n_cols; ++j) {
    for (arma::uword i = 0; i < A.n_rows; ++i) {
      M(static_cast<Index>(i), static_cast<Index>(j)) = Real(A(i, j));
    }
  }
  return M;
}

arma::mat to_arma(const Matrix& A) {
  arma::mat M(static_cast<arma::uword>(A.rows()), static_cast<arma::uword>(A.cols()));
  for (Index j = 0; j < A.cols(); ++j) {
    for (Index i = 0; i < A.rows(); ++i) {
      M(static_cast<arma::uword>(i), static_cast<arma::uword>(j)) = A(i, j).convert_to<double>();
    }
  }
  return M;
}

Vector singular_values(const Matrix& A) {
  require(all_finite(A), "mp::singular_values", "expected finite entries, got a non-finite entry");
  if (A.size() == 0) return Vector(0);
  Eigen::JacobiSVD<Matrix> svd(A);
  if (svd.info() != Eigen::Success) {
    throw std::runtime_error("nrc::mp::singular_values(): Jacobi SVD failed");
  }
  return svd.singularValues();
}

Real frobenius(const Matrix& A) { return sqrt(squared_norm(A)); }

RidgeSystem solve_ridge(const arma::mat& X, const arma::mat& Y, double lambda) {
  require_data(X, Y, "mp::solve_ridge");
  require_lambda(lambda, "mp::solve_ridge");

  RidgeSystem sys;
  sys.X = from_arma(X);
  sys.Y = from_arma(Y);
  sys.lambda = Real(lambda);
  // N·λ is exact in Real (64 + 53 bits ≤ 168); the square root is the first rounding.
  const Real n_lambda = Real(X.n_cols) * sys.lambda;
  const AugmentedSvd a = augmented_svd(sys.X, n_lambda, "solve_ridge");

  sys.gram_inv_sqrt = a.U * reciprocal(a.sigma).asDiagonal() * a.U.transpose();
  // Exactly symmetric, as the double path makes it.
  sys.gram_inv_sqrt = (sys.gram_inv_sqrt + sys.gram_inv_sqrt.transpose()).eval() / Real(2);

  const Matrix YV = sys.Y * a.V_top;   // Y_λ V_x (c×d)
  sys.Q = YV * a.U.transpose();
  sys.theta = (YV * reciprocal(a.sigma).asDiagonal()) * a.U.transpose();

  Eigen::JacobiSVD<Matrix> svd(sys.Q, Eigen::ComputeThinU | Eigen::ComputeThinV);
  if (svd.info() != Eigen::Success) {
    throw std::runtime_error("nrc::mp::solve_ridge(): Jacobi SVD of Q_λ failed");
  }
  sys.U = svd.matrixU();
  sys.s = svd.singularValues();
  sys.V = svd.matrixV();
  return sys;
}

Matrix rank_constrained_solution(const RidgeSystem& sys, arma::uword K) {
  require_solved(sys, "mp::rank_constrained_solution");
  require_rank(K, "mp::rank_constrained_solution");
  const Index k = kept_rank(sys, K);
  // Through a k-dimensional inner space, so rank ≤ k up to one product's rounding.
  const Matrix left = sys.U.leftCols(k) * sys.s.head(k).asDiagonal();
  const Matrix right = sys.V.leftCols(k).transpose() * sys.gram_inv_sqrt;
  return left * right;
}

Real rank_constrained_min_loss(const RidgeSystem& sys, arma::uword K) {
  require_solved(sys, "mp::rank_constrained_min_loss");
  require_rank(K, "mp::rank_constrained_min_loss");
  const Index k = kept_rank(sys, K);
  Real kept = 0;
  for (Index j = 0; j < k; ++j) kept += sq(sys.s(j));
  return (squared_norm(sys.Y) - kept) / Real(sys.Y.cols());
}

Matrix critical_point(const RidgeSystem& sys, const std::vector<arma::uword>& indices) {
  require_solved(sys, "mp::critical_point");
  const auto q = static_cast<arma::uword>(sys.s.size());
  std::vector<bool> seen(q, false);
  for (const arma::uword i : indices) {
    require(i < q, "mp::critical_point", "expected indices in [0, {}) (0-based), got {}", q, i);
    require(!seen[i], "mp::critical_point", "expected distinct indices, got {} twice", i);
    seen[i] = true;
  }
  // An empty index set is the critical point θ = 0 of the rank-0 manifold (loss ‖Y‖²/N).
  const auto r = static_cast<Index>(indices.size());
  Matrix left(sys.U.rows(), r), Vr(sys.V.rows(), r);
  for (Index j = 0; j < r; ++j) {
    const auto i = static_cast<Index>(indices[static_cast<std::size_t>(j)]);
    left.col(j) = sys.U.col(i) * sys.s(i);
    Vr.col(j) = sys.V.col(i);
  }
  const Matrix right = Vr.transpose() * sys.gram_inv_sqrt;
  return left * right;
}

Matrix centroid_solution(const arma::mat& X, const arma::mat& Y, const arma::uvec& labels,
                         double lambda) {
  require_data(X, Y, "mp::centroid_solution");
  require_lambda(lambda, "mp::centroid_solution");
  require(labels.n_elem == X.n_cols, "mp::centroid_solution",
          "expected one label per sample (N = {}), got {} labels", X.n_cols, labels.n_elem);
  const Blocks b = compact(labels);
  const auto B = static_cast<Index>(b.size.size());
  // With E the B×N block indicator, X̄ = C_X E and E Eᵀ = diag(N_k), so
  //   X̄X̄ᵀ = A Aᵀ and ȲX̄ᵀ = B_Y Aᵀ,  A = C_X diag(√N_k),  B_Y = C_Y diag(√N_k):
  // ridge on the replicated centroids (eq. 21, full-data N in NλI) is ridge on the B weighted
  // centroids with the same Nλ. θ*_C = B_Y A_λ⁺ = (B_Y V_top) diag(1/σ) U_xᵀ goes through the
  // B-dimensional inner space of B_Y, so rank ≤ B holds up to one product's rounding.
  Vector root(B);
  for (Index k = 0; k < B; ++k) root(k) = sqrt(Real(b.size[static_cast<std::size_t>(k)]));
  const Matrix A = block_means(from_arma(X), b) * root.asDiagonal();
  const Matrix BY = block_means(from_arma(Y), b) * root.asDiagonal();
  const Real n_lambda = Real(X.n_cols) * Real(lambda);
  const AugmentedSvd a = augmented_svd(A, n_lambda, "centroid_solution");
  const Matrix left = BY * a.V_top;                                        // c×d, rank ≤ B
  const Matrix right = reciprocal(a.sigma).asDiagonal() * a.U.transpose(); // d×d
  return left * right;
}

Real ridge_loss(const Matrix& theta, const arma::mat& X, const arma::mat& Y, double lambda) {
  require_data(X, Y, "mp::ridge_loss");
  require(theta.rows() == static_cast<Index>(Y.n_rows) && theta.cols() == static_cast<Index>(X.n_rows),
          "mp::ridge_loss", "expected θ of shape c×d = {}×{}, got {}×{}", Y.n_rows, X.n_rows,
          theta.rows(), theta.cols());
  require(all_finite(theta), "mp::ridge_loss", "expected finite entries in θ, got a non-finite entry");
  require(std::isfinite(lambda) && lambda >= 0, "mp::ridge_loss", "expected finite λ ≥ 0, got λ = {}",
          lambda);
  const Matrix R = from_arma(Y) - theta * from_arma(X);
  return squared_norm(R) / Real(X.n_cols) + Real(lambda) * squared_norm(theta);
}

Real wcss(const arma::mat& P, const arma::uvec& labels) {
  require_partition_input(P, labels, "mp::wcss");
  const Blocks b = compact(labels);
  const Matrix M = from_arma(P);
  const Matrix C = block_means(M, b);
  // Deviations from the block means (two passes), as lib/cluster does.
  Real acc = 0;
  for (Index i = 0; i < M.cols(); ++i) {
    const Index k = b.of[static_cast<std::size_t>(i)];
    for (Index r = 0; r < M.rows(); ++r) acc += sq(M(r, i) - C(r, k));
  }
  return acc / Real(P.n_cols);
}

Matrix replicate_centroids(const arma::mat& P, const arma::uvec& labels) {
  require_partition_input(P, labels, "mp::replicate_centroids");
  const Blocks b = compact(labels);
  const Matrix C = block_means(from_arma(P), b);
  Matrix out(C.rows(), static_cast<Index>(P.n_cols));
  for (Index i = 0; i < out.cols(); ++i) out.col(i) = C.col(b.of[static_cast<std::size_t>(i)]);
  return out;
}

Real tail_energy(const Matrix& A, arma::uword K) {
  require(all_finite(A), "mp::tail_energy", "expected finite entries, got a non-finite entry");
  const Vector s = singular_values(A);
  // Summed from the singular values themselves, never as ‖A‖² − Σ_{j≤K} s_j², which cancels.
  Real acc = 0;
  for (Index j = static_cast<Index>(std::min<arma::uword>(K, static_cast<arma::uword>(s.size())));
       j < s.size(); ++j) {
    acc += sq(s(j));
  }
  return acc;
}

Real deep_linear_min_value(const arma::mat& X, const arma::mat& Y, double lambda, unsigned L, arma::uword max_rank) {
  const char* fn = "mp::deep_linear_min_value";
  require_data(X, Y, fn);
  require_lambda(lambda, fn);
  require(L >= 1 && max_rank >= 1, fn, "expected depth L ≥ 1 and max_rank ≥ 1, got {} and {}", L, max_rank);
  closed_form_detail::require_whitened(X, fn);
  const Matrix Yr = from_arma(Y);
  const Matrix A = Yr * from_arma(X).transpose() / Real(X.n_cols);
  const Vector a = singular_values(A);
  // Each mode's gain min φ − a² (nonincreasing in a, so the best max_rank modes are the first ones);
  // a mode off contributes φ(0) = a², i.e. nothing beyond −a² + a².
  Real value = squared_norm(Yr) / Real(X.n_cols);
  arma::uword on = 0;
  for (Index i = 0; i < a.size(); ++i) {
    const ScalarSolution<Real> r = solve_deep_linear_scalar(a(i), Real(lambda), L);
    if (r.s > 0 && on < max_rank) {
      value += r.value - sq(a(i));
      ++on;
    }
  }
  return value;
}

Real linear_network_loss(const std::vector<arma::mat>& W, const std::vector<arma::vec>& b, const arma::mat& X,
                         const arma::mat& Y, double lambda) {
  const char* fn = "mp::linear_network_loss";
  require_data(X, Y, fn);
  require(!W.empty() && (b.empty() || b.size() == W.size()), fn,
          "expected L ≥ 1 weight matrices and no biases or one per layer, got {} and {}", W.size(), b.size());
  require(std::isfinite(lambda) && lambda >= 0, fn, "expected finite λ ≥ 0, got λ = {}", lambda);
  Matrix Z = from_arma(X);
  Real penalty = 0;
  for (std::size_t l = 0; l < W.size(); ++l) {
    require(W[l].n_cols == static_cast<arma::uword>(Z.rows()) && (b.empty() || b[l].n_elem == W[l].n_rows), fn,
            "expected layer {} of shape ·×{} with a matching bias, got {}×{}", l + 1, Z.rows(), W[l].n_rows,
            W[l].n_cols);
    const Matrix Wl = from_arma(W[l]);
    require(all_finite(Wl), fn, "expected finite weights, got a non-finite entry in W_{}", l + 1);
    Z = Wl * Z;
    penalty += squared_norm(Wl);
    if (!b.empty()) {
      const Matrix bl = from_arma(arma::mat(b[l]));
      require(all_finite(bl), fn, "expected finite biases, got a non-finite entry in b_{}", l + 1);
      Z.colwise() += bl.col(0);
      penalty += squared_norm(bl);
    }
  }
  require(Z.rows() == static_cast<Index>(Y.n_rows), fn, "expected {} outputs (the rows of Y), got {}", Y.n_rows,
          Z.rows());
  return squared_norm(from_arma(Y) - Z) / Real(X.n_cols) + Real(lambda) * penalty;
}

}  // namespace nrc::mp
