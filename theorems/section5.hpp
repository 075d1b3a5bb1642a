#pragma once
// Section 5's quantities in two arithmetics with one interface, so each linear-case check writes
// its lhs and rhs once (as a template) and gets both the fast double path and the 50-digit
// reference path that the judge escalates to:
//   Double    — lib/closed_form (Armadillo, LAPACK), Real = double;
//   Reference — lib/mp (Boost.Multiprecision cpp_bin_float_50 + Eigen), Real = mp::Real.
// Data (X, Y, labels, λ) are always the double inputs; Reference converts them exactly.
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <utility>

#include <armadillo>
#include <nlohmann/json.hpp>

#include "lib/closed_form/ridge.hpp"
#include "lib/cluster/cluster.hpp"
#include "lib/mp/reference.hpp"
#include "lib/common/error.hpp"
#include "lib/common/memory.hpp"
#include "lib/common/rng.hpp"
#include "lib/data/gaussian_mixture.hpp"
#include "lib/spectral/spectral.hpp"
#include "theorems/judge.hpp"
#include "theorems/params.hpp"
#include "theorems/registry.hpp"

namespace nrc::section5 {

struct Double {
  using Real = double;
  using Matrix = arma::mat;
  using System = RidgeSystem;
  static System solve(const arma::mat& X, const arma::mat& Y, double lambda) { return solve_ridge(X, Y, lambda); }
  static const Matrix& theta(const System& s) { return s.theta; }
  static Matrix theta_k(const System& s, arma::uword K) { return rank_constrained_solution(s, K); }
  static Matrix theta_c(const arma::mat& X, const arma::mat& Y, const arma::uvec& labels, double lambda) {
    return centroid_solution(X, Y, labels, lambda);
  }
  static Real distance(const Matrix& A, const Matrix& B) { return arma::norm(A - B, "fro"); }
  static Real loss(const Matrix& theta, const arma::mat& X, const arma::mat& Y, double lambda) {
    return ridge_loss(theta, X, Y, lambda);
  }
  // Σ_{j>K} σ_j(Q_λ)²: N·(L_λ(θ*_K) − L_λ(θ*)) by Theorem 5.1.
  static Real value_tail(const System& s, arma::uword K) {
    return K < s.s.n_elem ? arma::accu(arma::square(s.s.tail(s.s.n_elem - K))) : 0.0;
  }
  static Real norm(const Matrix& A) { return arma::norm(A, "fro"); }
  static Real frobenius(const arma::mat& A) { return arma::norm(A, "fro"); }
  // σ(A) of double data, descending, and ‖A‖₂ (0 for an empty matrix).
  static arma::vec singular_values(const arma::mat& A) { return nrc::singular_values(A); }
  static Real spectral_norm(const Matrix& A) { return A.is_empty() ? 0.0 : nrc::singular_values(A).max(); }
  static Real wcss(const arma::mat& P, const arma::uvec& labels) { return nrc::wcss(P, labels); }
  static Real tail_energy(const arma::mat& A, arma::uword K) {
    const arma::vec s = singular_values(A);
    return K < s.n_elem ? arma::accu(arma::square(s.tail(s.n_elem - K))) : 0.0;
  }
  // ‖P̄‖_F of the replicated centroids (eq. 20): Σ_k N_k‖p̄_k‖² = Σ_k ‖Σ_{i∈C_k} p_i‖²/N_k.
  static Real centroid_norm(const arma::mat& P, const arma::uvec& labels) {
    return arma::norm(replicate_centroids(P, labels), "fro");
  }
};

struct Reference {
  using Real = mp::Real;
  using Matrix = mp::Matrix;
  using Vector = mp::Vector;
  using System = mp::RidgeSystem;
  static System solve(const arma::mat& X, const arma::mat& Y, double lambda) { return mp::solve_ridge(X, Y, lambda); }
  static const Matrix& theta(const System& s) { return s.theta; }
  static Matrix theta_k(const System& s, arma::uword K) { return mp::rank_constrained_solution(s, K); }
  static Matrix theta_c(const arma::mat& X, const arma::mat& Y, const arma::uvec& labels, double lambda) {
    return mp::centroid_solution(X, Y, labels, lambda);
  }
  static Real distance(const Matrix& A, const Matrix& B) { return mp::frobenius(A - B); }
  static Real loss(const Matrix& theta, const arma::mat& X, const arma::mat& Y, double lambda) {
    return mp::ridge_loss(theta, X, Y, lambda);
  }
  static Real value_tail(const System& s, arma::uword K) {
    Real sum = 0;
    for (Eigen::Index j = static_cast<Eigen::Index>(K); j < s.s.size(); ++j) sum += s.s(j) * s.s(j);
    return sum;
  }
  static Real norm(const Matrix& A) { return mp::frobenius(A); }
  static Real frobenius(const arma::mat& A) { return mp::frobenius(mp::from_arma(A)); }
  static Vector singular_values(const arma::mat& A) { return mp::singular_values(mp::from_arma(A)); }
  static Real spectral_norm(const Matrix& A) {
    return A.size() == 0 ? Real(0) : Real(mp::singular_values(A).maxCoeff());
  }
  static Real spectral_norm(const arma::mat& A) { return spectral_norm(mp::from_arma(A)); }
  static Real wcss(const arma::mat& P, const arma::uvec& labels) { return mp::wcss(P, labels); }
  static Real tail_energy(const arma::mat& A, arma::uword K) { return mp::tail_energy(mp::from_arma(A), K); }
  static Real centroid_norm(const arma::mat& P, const arma::uvec& labels) {
    return mp::frobenius(mp::replicate_centroids(P, labels));
  }
};

// The 50-digit path runs JacobiSVD on X_λ (d × (N + d)); beyond this many entries it would take
// hours, so larger (user) instances stay Inconclusive rather than pretend.
inline constexpr double kReferenceMaxEntries = 2e5;

// Relative accuracy claimed for the reference path's lhs − rhs: 50 significant digits, minus a
// generous allowance for the conditioning of the small systems solved (κ ≤ 1e10 here).
inline constexpr double kReferenceRelErr = 1e-35;

// Validates a user's data for the linear-case checks (one-line errors naming the problem) and
// returns the partition it gives, checked against N and K.
inline void validate_user_data(const UserData& u, const std::string& id) {
  require(u.X.n_cols == u.Y.n_cols, id, "expected inputs and targets with the same number of columns (samples), got {} and {}",
          u.X.n_cols, u.Y.n_cols);
  require(u.X.n_cols >= 1 && u.X.n_rows >= 1 && u.Y.n_rows >= 1, id, "expected non-empty inputs and targets, got {}×{} and {}×{}",
          u.X.n_rows, u.X.n_cols, u.Y.n_rows, u.Y.n_cols);
  require(u.X.is_finite() && u.Y.is_finite(), id, "expected finite entries in the inputs and targets, got NaN or Inf");
  require(std::isfinite(u.lambda) && u.lambda > 0, id, "expected finite λ > 0, got {}", u.lambda);
  require(u.K >= 1 && u.K <= u.X.n_cols, id, "expected 1 ≤ K ≤ N = {}, got K = {}", u.X.n_cols, u.K);
  if (u.partition) {
    require(u.partition->n_elem == u.X.n_cols, id, "expected a partition with one label per sample (N = {}), got {} labels",
            u.X.n_cols, u.partition->n_elem);
    const arma::uword blocks = arma::unique(*u.partition).eval().n_elem;
    require(blocks <= u.K, id, "expected a partition into at most K = {} sets, got {}", u.K, blocks);
  }
}

// Fills a check's four entry points (sampled parameters or user data; double or reference) from
// one pair of Instance-based measurements.
template <class Build, class FromData, class Double, class Ref>
void wire(Check& c, Build build, FromData from_data, Double dbl, Ref ref) {
  c.evaluate = [build, dbl](const nlohmann::json& p) { return dbl(build(p)); };
  c.evaluate_reference = [build, ref](const nlohmann::json& p) { return ref(build(p)); };
  c.evaluate_data = [from_data, dbl](const UserData& u) { return dbl(from_data(u)); };
  c.evaluate_data_reference = [from_data, ref](const UserData& u) { return ref(from_data(u)); };
}

// Evidence for an undecided instance too large for the reference path.
inline Evidence too_large_for_reference() {
  Evidence e;
  e.inconclusive = fmt::format("the instance is too large for the 50-digit path (X_λ has more than {:.0e} entries)",
                               kReferenceMaxEntries);
  return e;
}

inline bool reference_feasible(const arma::mat& X) {
  return static_cast<double>(X.n_rows) * static_cast<double>(X.n_cols + X.n_rows) <= kReferenceMaxEntries;
}

// Evidence from sides computed in either arithmetic, err omitted (the runner estimates it from the
// 50-digit evaluation, runner.hpp); the difference is taken before rounding, so the 50-digit path
// decides even where both sides round to the same double.
template <class R>
Evidence sides_evidence(const R& lhs, const R& rhs) {
  Evidence e;
  e.lhs = static_cast<double>(lhs);
  e.rhs = static_cast<double>(rhs);
  e.difference = static_cast<double>(R(lhs - rhs));
  return e;
}

// A check's two entry points from one measurement written as a template over the arithmetic:
// `measure(arithmetic, instance)` is called with Double{} or Reference{} (beyond kReferenceMaxEntries
// the 50-digit one is Inconclusive); `build(params)` makes the instance.
template <class Build, class Measure>
std::pair<std::function<Evidence(const nlohmann::json&)>, std::function<Evidence(const nlohmann::json&)>> entry_points(
    Build build, Measure measure) {
  return {[build, measure](const nlohmann::json& p) { return measure(Double{}, build(p)); },
          [build, measure](const nlohmann::json& p) {
            const auto in = build(p);
            if (!reference_feasible(in.X)) return too_large_for_reference();
            return measure(Reference{}, in);
          }};
}

// A mutant whose wrong measurement is given in both arithmetics (entry_points of the wrong form): the
// runner needs the 50-digit one to estimate an omitted err.
template <class EntryPoints>
Mutant mutant(std::string name, std::string what, nlohmann::json params, const EntryPoints& wrong) {
  return Mutant{.name = std::move(name),
                .what = std::move(what),
                .params = std::move(params),
                .evaluate = wrong.first,
                .evaluate_reference = wrong.second};
}

// Evidence from sides computed at reference precision: the difference is taken in Real before
// rounding, so a verdict is decided even when both sides round to the same double. `scale` is the
// size of the quantities whose difference forms the lhs (e.g. ‖θ*‖ + ‖θ*_C‖): the lhs is then
// accurate to kReferenceRelErr·scale in absolute terms, however small it is; `squared` says the lhs
// is that difference squared.
inline Evidence reference_evidence(const mp::Real& lhs, const mp::Real& rhs, const mp::Real& scale, bool squared) {
  Evidence e;
  e.lhs = static_cast<double>(lhs);
  e.rhs = static_cast<double>(rhs);
  e.difference = static_cast<double>(mp::Real(lhs - rhs));
  const mp::Real delta = kReferenceRelErr * scale;
  const mp::Real lhs_err = squared ? mp::Real(2 * sqrt(abs(lhs)) * delta + delta * delta) : delta;
  e.err = static_cast<double>(mp::Real(lhs_err + kReferenceRelErr * (abs(lhs) + abs(rhs))));
  return e;
}

// Explicit data in a check's parameters (the form the data search writes, and `nrc replay --params`
// reads): a matrix as a list of rows, each a list of finite numbers. nlohmann-json writes doubles in
// their shortest round-trip form, so a matrix read back is bit-identical to the one written.
inline arma::mat read_matrix(const nlohmann::json& p, const std::string& id, const std::string& key) {
  require(p.contains(key), id, "parameter '{}' is missing (explicit data needs X and Y)", key);
  const auto& v = p.at(key);
  require(v.is_array() && !v.empty() && v.at(0).is_array() && !v.at(0).empty(), id,
          "parameter '{}': expected a non-empty list of rows (lists of numbers), got {}", key, v.dump());
  const std::size_t rows = v.size(), cols = v.at(0).size();
  arma::mat M(rows, cols);
  for (std::size_t i = 0; i < rows; ++i) {
    require(v.at(i).is_array() && v.at(i).size() == cols, id,
            "parameter '{}': expected rows of equal length {}, row {} is {}", key, cols, i, v.at(i).dump());
    for (std::size_t j = 0; j < cols; ++j) {
      const auto& x = v.at(i).at(j);
      require(x.is_number() && std::isfinite(x.get<double>()), id,
              "parameter '{}': expected finite numbers, got {} at row {}, column {}", key, x.dump(), i, j);
      M(i, j) = x.get<double>();
    }
  }
  return M;
}

inline nlohmann::json matrix_json(const arma::mat& M) {
  nlohmann::json rows = nlohmann::json::array();
  for (arma::uword i = 0; i < M.n_rows; ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (arma::uword j = 0; j < M.n_cols; ++j) row.push_back(M(i, j));
    rows.push_back(std::move(row));
  }
  return rows;
}

// A partition as one non-negative integer label per sample.
inline arma::uvec read_labels(const nlohmann::json& p, const std::string& id, const std::string& key, arma::uword n) {
  const auto& v = p.at(key);
  require(v.is_array() && v.size() == n, id, "parameter '{}': expected a list of {} labels (one per sample), got {}", key,
          n, v.dump());
  arma::uvec labels(n);
  for (arma::uword i = 0; i < n; ++i) {
    require(v.at(i).is_number_integer() && v.at(i).get<std::int64_t>() >= 0, id,
            "parameter '{}': expected non-negative integer labels, got {} at position {}", key, v.at(i).dump(), i);
    labels(i) = static_cast<arma::uword>(v.at(i).get<std::int64_t>());
  }
  return labels;
}

// The explicit-data form of the linear-case checks' parameters, {"data": "explicit", "X": rows,
// "Y": rows, "lambda": λ, "K": K[, "labels": partition]}, as the UserData the checks already take.
inline UserData read_explicit_data(const nlohmann::json& p, const std::string& id) {
  params::choice(p, id, "data", {"explicit"});
  UserData u;
  u.X = read_matrix(p, id, "X");
  u.Y = read_matrix(p, id, "Y");
  require(u.X.n_cols == u.Y.n_cols, id, "parameters 'X' and 'Y': expected the same number of columns N, got {} and {}",
          u.X.n_cols, u.Y.n_cols);
  u.lambda = params::real(p, id, "lambda", 0, std::numeric_limits<double>::infinity(), /*lo_open=*/true);
  u.K = static_cast<arma::uword>(params::integer(p, id, "K", 1, static_cast<std::int64_t>(u.X.n_cols)));
  if (p.contains("labels")) u.partition = read_labels(p, id, "labels", u.X.n_cols);
  u.source = p;
  return u;
}

inline bool explicit_data(const nlohmann::json& p) { return p.is_object() && p.contains("data"); }

// Section 5's sampled data: the one generator of every linear-case check (each chooses its ranges in
// its own `draw`). Parameters:
//   d, c, N        X is d×N, Y is c×N (c = d for autoencode; c is then not read)
//   x_model        "gaussian": i.i.d. N(0, 1) entries, sample i in cluster i mod clusters;
//                  "mixture": lib/data's Gaussian mixture, `clusters` balanced clusters in order,
//                  centres μ_k ~ N(0, I), noise σ_x (sigma_x)
//   y_model        "generic": i.i.d. N(0, 1); "clustered": a centre ν_k ~ N(0, I) per cluster plus noise
//                  σ_y; "one_hot": e_{k mod c} per cluster plus noise σ_y (no noise drawn at σ_y = 0);
//                  "autoencode": Y = X
//   clusters       read when a model uses clusters; sigma_x, sigma_y when their model does
//   data_seed      the random stream: X first (centres, then noise), then Y's centres, then its noise
// Throws invalid_argument (one line naming the parameter) on bad values.
struct Data {
  arma::mat X, Y;
  arma::uvec labels;   // the generating cluster of each sample
};

inline Data sample_data(const nlohmann::json& p, const std::string& id) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  const auto count = [&](const char* key, std::int64_t hi) {
    return static_cast<arma::uword>(params::integer(p, id, key, 1, hi));
  };
  const auto x_model = params::choice(p, id, "x_model", {"gaussian", "mixture"});
  const auto y_model = params::choice(p, id, "y_model", {"generic", "clustered", "one_hot", "autoencode"});
  const arma::uword d = count("d", 100000), N = count("N", 10000000);
  const arma::uword c = y_model == "autoencode" ? d : count("c", 100000);
  const bool clustered = x_model == "mixture" || y_model == "clustered" || y_model == "one_hot";
  const arma::uword clusters = clustered ? count("clusters", static_cast<std::int64_t>(N)) : 1;
  require_memory(3.0 * static_cast<double>(d + c) * static_cast<double>(N), id, "the data X and Y");
  Engine rng(params::seed(p, id, "data_seed"));
  Data data;
  data.labels.set_size(N);
  if (x_model == "mixture") {
    MixtureSpec spec;
    spec.K = clusters;
    spec.d = d;
    spec.N = N;
    spec.sigma = params::real(p, id, "sigma_x", 0, inf);
    Dataset mixture = sample_gaussian_mixture(spec, rng);
    data.X = std::move(mixture.X);
    data.labels = std::move(mixture.labels);
  } else {
    data.X = randn(d, N, rng);
    for (arma::uword i = 0; i < N; ++i) data.labels(i) = i % clusters;
  }
  if (y_model == "generic") {
    data.Y = randn(c, N, rng);
  } else if (y_model == "autoencode") {
    data.Y = data.X;
  } else {
    const double sigma_y = params::real(p, id, "sigma_y", 0, inf);
    arma::uvec cls(clusters);
    for (arma::uword k = 0; k < clusters; ++k) cls(k) = k % c;
    const arma::mat centres = y_model == "clustered" ? randn(c, clusters, rng) : one_hot(cls, c);
    data.Y = centres.cols(data.labels);
    if (sigma_y > 0) data.Y += sigma_y * randn(c, N, rng);
  }
  return data;
}

}  // namespace nrc::section5
