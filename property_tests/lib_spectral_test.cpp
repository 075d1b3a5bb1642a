#include "property_tests/support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include <armadillo>

#include "lib/common/rng.hpp"
#include "lib/spectral/lanczos.hpp"
#include "lib/spectral/spectral.hpp"

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

// Random m×p matrix with orthonormal columns (p ≤ m), from nrc::randn so the draw is seeded.
arma::mat random_orthonormal(arma::uword m, arma::uword p, nrc::Engine& rng) {
  arma::mat Q, R;
  const bool ok = arma::qr_econ(Q, R, nrc::randn(m, p, rng));
  if (!ok) throw std::runtime_error("qr_econ failed in test helper");
  return Q;
}

// Descending singular values 10^(k/1000) for k drawn by RapidCheck: six decades, repeats allowed.
arma::vec gen_spectrum(arma::uword p) {
  const auto exps = *rc::gen::container<std::vector<int>>(p, rc::gen::inRange(-3000, 3001));
  arma::vec s(p);
  for (arma::uword j = 0; j < p; ++j) s(j) = std::pow(10.0, exps[j] / 1000.0);
  return arma::sort(s, "descend");
}

const arma::vec kS4 = {4.0, 3.0, 2.0, 1.0};

}  // namespace

// ---------------------------------------------------------------------------------------------
// singular_values / thin_svd

TEST(SpectralSingularValues, DiagonalMatrixGivesSortedAbsoluteDiagonal) {
  arma::mat A(4, 3, arma::fill::zeros);
  A(0, 0) = 3.0;
  A(1, 1) = -5.0;
  A(2, 2) = 1.0;
  const arma::vec s = nrc::singular_values(A);
  ASSERT_EQ(s.n_elem, 3u);
  // LAPACK's singular values of an exact matrix: within max(m, n)·ε·σ_1 each (tolerances.hpp).
  const double tol = nrc::tol::svd_abs_error(5, 4, 3);
  EXPECT_NEAR(s(0), 5.0, tol);
  EXPECT_NEAR(s(1), 3.0, tol);
  EXPECT_NEAR(s(2), 1.0, tol);
}

TEST(SpectralSingularValues, RankOneOuterProduct) {
  const arma::vec u = {1.0, 2.0, 2.0};        // ‖u‖ = 3
  const arma::vec v = {3.0, 0.0, 4.0, 0.0};   // ‖v‖ = 5
  const arma::vec s = nrc::singular_values(u * v.t());   // small integers: u vᵀ is exact
  ASSERT_EQ(s.n_elem, 3u);
  const double tol = nrc::tol::svd_abs_error(15, 3, 4);
  EXPECT_NEAR(s(0), 15.0, tol);
  EXPECT_LE(s(1), tol);
  EXPECT_LE(s(2), tol);
}

TEST(SpectralSingularValues, EdgeShapes) {
  EXPECT_EQ(nrc::singular_values(arma::mat(0, 3)).n_elem, 0u);
  const arma::vec s = nrc::singular_values(arma::mat(1, 1, arma::fill::value(-2.0)));
  ASSERT_EQ(s.n_elem, 1u);
  EXPECT_NEAR(s(0), 2.0, nrc::tol::svd_abs_error(2, 1, 1));
}

TEST(SpectralSingularValues, RejectsNonFiniteEntries) {
  arma::mat A(3, 3, arma::fill::eye);
  A(1, 2) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(nrc::singular_values(A), std::invalid_argument);
  EXPECT_THROW(nrc::thin_svd(A), std::invalid_argument);
  A(1, 2) = std::numeric_limits<double>::infinity();
  EXPECT_THROW(nrc::singular_values(A), std::invalid_argument);
}

TEST(SpectralThinSvd, ReconstructsWideAndTallMatrices) {
  nrc::Engine rng(7);
  for (const auto& [m, n] : {std::pair<arma::uword, arma::uword>{7, 4}, {4, 7}, {5, 5}}) {
    const arma::mat A = nrc::randn(m, n, rng);
    const nrc::ThinSvd f = nrc::thin_svd(A);
    const arma::uword p = std::min(m, n);
    ASSERT_EQ(f.U.n_rows, m);
    ASSERT_EQ(f.U.n_cols, p);
    ASSERT_EQ(f.V.n_rows, n);
    ASSERT_EQ(f.V.n_cols, p);
    ASSERT_EQ(f.s.n_elem, p);
    // Backward stability (LAPACK Users' Guide §4.9, tolerances.hpp): U Σ Vᵀ = A + E with
    // ‖E‖₂ ≤ max(m, n)·ε·σ_1, U and V orthonormal to max(m, n)·ε; forming U Σ Vᵀ or UᵀU adds p-term
    // sums (γ_{p+1} of √p·σ_1, resp. of p). Frobenius norms: ≤ √p times the 2-norm bounds.
    const double sp = std::sqrt(static_cast<double>(p)), s1 = f.s(0);
    EXPECT_LE(arma::norm(f.U * arma::diagmat(f.s) * f.V.t() - A, "fro"),
              sp * nrc::tol::svd_abs_error(s1, m, n) + nrc::test::rounding(p + 1, sp * s1));
    const double orth = sp * nrc::tol::svd_abs_error(1, m, n) + nrc::test::rounding(std::max(m, n), sp);
    EXPECT_LE(arma::norm(f.U.t() * f.U - arma::eye(p, p), "fro"), orth);
    EXPECT_LE(arma::norm(f.V.t() * f.V - arma::eye(p, p), "fro"), orth);
    // Two LAPACK runs (values only / with vectors): each within max(m, n)·ε·σ_1 of the exact values.
    EXPECT_LE(arma::norm(f.s - nrc::singular_values(A), "inf"), 2 * nrc::tol::svd_abs_error(s1, m, n));
  }
  const nrc::ThinSvd empty = nrc::thin_svd(arma::mat(0, 3));
  EXPECT_EQ(empty.V.n_rows, 3u);
  EXPECT_EQ(empty.s.n_elem, 0u);
}

// ---------------------------------------------------------------------------------------------
// Diagnostics on the hand-known spectrum s = (4, 3, 2, 1): Σs = 10, Σs² = 30.

// distance_to_rank(s, K) = s_1·sqrt(Σ_{j>K} (s_j/s_1)²): with s_1 = 4 every quotient, square and sum is
// exact (small dyadic numbers) and the one rounding is the square root's, which scaling by a power of
// 2 does not change — so the results are the correctly rounded square roots, bit for bit.
TEST(SpectralDistanceToRank, HandComputed) {
  EXPECT_EQ(nrc::distance_to_rank(kS4, 0), std::sqrt(30.0));
  EXPECT_EQ(nrc::distance_to_rank(kS4, 1), std::sqrt(14.0));
  EXPECT_EQ(nrc::distance_to_rank(kS4, 2), std::sqrt(5.0));
  EXPECT_EQ(nrc::distance_to_rank(kS4, 3), 1.0);
  EXPECT_EQ(nrc::distance_to_rank(kS4, 4), 0.0);
  EXPECT_EQ(nrc::distance_to_rank(kS4, 9), 0.0);
  EXPECT_EQ(nrc::distance_to_rank(arma::vec{0.0, 0.0}, 0), 0.0);
  EXPECT_EQ(nrc::distance_to_rank(arma::vec(), 0), 0.0);
}

TEST(SpectralDistanceToRank, ScalesWithoutOverflow) {
  // Squaring 1e200 overflows; the scaled sum must not. The inputs are decimal (rounded), so 3/4 is
  // not exact: a quotient, a square, a sum, a square root, a product and the check's division: γ_6.
  EXPECT_NEAR(nrc::distance_to_rank(arma::vec{4e200, 3e200, 0.0}, 0) / 5e200, 1.0, nrc::test::rounding(6, 1));
  EXPECT_NEAR(nrc::distance_to_rank(arma::vec{4e-200, 3e-200, 0.0}, 0) / 5e-200, 1.0, nrc::test::rounding(6, 1));
}

TEST(SpectralDistanceToRank, EqualsTruncationErrorOfADiagonalMatrix) {
  // A = diag(4, 3, 2, 1) padded to 5×4; its best rank-2 approximation is diag(4, 3, 0, 0).
  arma::mat A(5, 4, arma::fill::zeros);
  A.diag() = kS4;
  arma::mat A2 = A;
  A2(2, 2) = A2(3, 3) = 0.0;
  // The two tail singular values within LAPACK's max(m, n)·ε·σ_1 each (√2 of it in the norm), the
  // square roots and sums within γ_4 of √5.
  EXPECT_NEAR(nrc::distance_to_rank(nrc::singular_values(A), 2), arma::norm(A - A2, "fro"),
              std::sqrt(2.0) * nrc::tol::svd_abs_error(4, 5, 4) + nrc::test::rounding(4, std::sqrt(5.0)));
}

// Exact sums of exact dyadic squares (s_j/4)², then one correctly rounded division: bit for bit the
// quotients written here.
TEST(SpectralTailEnergyRatio, HandComputed) {
  EXPECT_EQ(nrc::tail_energy_ratio(kS4, 0), 1.0);
  EXPECT_EQ(nrc::tail_energy_ratio(kS4, 1), 14.0 / 30.0);
  EXPECT_EQ(nrc::tail_energy_ratio(kS4, 2), 5.0 / 30.0);
  EXPECT_EQ(nrc::tail_energy_ratio(kS4, 3), 1.0 / 30.0);
  EXPECT_EQ(nrc::tail_energy_ratio(kS4, 4), 0.0);
  EXPECT_EQ(nrc::tail_energy_ratio(arma::vec{0.0, 0.0, 0.0}, 1), 0.0);
}

// Integer suffix sums (exact), one correctly rounded division each: bit for bit fl(0.6) etc.
TEST(SpectralTailError, HandComputedOneBased) {
  EXPECT_EQ(nrc::tail_error(kS4, 1), 1.0);
  EXPECT_EQ(nrc::tail_error(kS4, 2), 6.0 / 10.0);
  EXPECT_EQ(nrc::tail_error(kS4, 3), 3.0 / 10.0);
  EXPECT_EQ(nrc::tail_error(kS4, 4), 1.0 / 10.0);
  EXPECT_EQ(nrc::tail_error(kS4, 5), 0.0);
  EXPECT_THROW(nrc::tail_error(kS4, 0), std::invalid_argument);
  EXPECT_THROW(nrc::tail_error(kS4, 6), std::invalid_argument);
  // Zero matrix and empty spectrum: e ≡ 0 by convention.
  EXPECT_EQ(nrc::tail_error(arma::vec{0.0, 0.0}, 1), 0.0);
  EXPECT_EQ(nrc::tail_error(arma::vec(), 1), 0.0);
  EXPECT_THROW(nrc::tail_error(arma::vec(), 2), std::invalid_argument);
}

TEST(SpectralSoftRank, LiteralPaperDefinition) {
  // e = (1, 0.6, 0.3, 0.1, 0) for r = 1 … 5.
  EXPECT_EQ(nrc::soft_rank(kS4, 1.0), 1u);
  EXPECT_EQ(nrc::soft_rank(kS4, 0.99), 2u);
  EXPECT_EQ(nrc::soft_rank(kS4, 0.6), 2u);    // e(2) ≤ ε holds with equality
  EXPECT_EQ(nrc::soft_rank(kS4, 0.59), 3u);
  EXPECT_EQ(nrc::soft_rank(kS4, 0.3), 3u);
  EXPECT_EQ(nrc::soft_rank(kS4, 0.1), 4u);
  EXPECT_EQ(nrc::soft_rank(kS4, 0.05), 5u);   // keeps all four singular values
  EXPECT_EQ(nrc::soft_rank(kS4, 0.0), 5u);
  EXPECT_EQ(nrc::soft_rank(arma::vec{2.0, 0.0, 0.0}, 0.0), 2u);   // exact rank 1 → rk(0) − 1 = 1
  EXPECT_EQ(nrc::soft_rank(arma::vec{0.0, 0.0}, 0.0), 1u);
  EXPECT_EQ(nrc::soft_rank(arma::vec(), 0.5), 1u);
  EXPECT_THROW(nrc::soft_rank(kS4, -0.1), std::invalid_argument);
  EXPECT_THROW(nrc::soft_rank(kS4, 1.1), std::invalid_argument);
  EXPECT_THROW(nrc::soft_rank(kS4, std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
}

TEST(SpectralStableRank, HandComputed) {
  EXPECT_EQ(nrc::stable_rank(kS4), 30.0 / 16.0);   // exact: dyadic squares and sums
  EXPECT_EQ(nrc::stable_rank(arma::vec{5.0}), 1.0);
  EXPECT_EQ(nrc::stable_rank(arma::vec{1.0, 1.0, 1.0}), 3.0);
  EXPECT_EQ(nrc::stable_rank(arma::vec{0.0, 0.0}), 0.0);
  EXPECT_EQ(nrc::stable_rank(arma::vec()), 0.0);
  EXPECT_EQ(nrc::stable_rank(arma::vec{1e300, 1e300}), 2.0);   // no overflow; (x/x)² = 1 exactly
}

TEST(SpectralNumericalRank, ToleranceAndCount) {
  EXPECT_EQ(nrc::numerical_rank_tolerance(kS4, 4, 6), 4.0 * 6.0 * kEps);   // exact: powers of 2 and 6
  EXPECT_EQ(nrc::numerical_rank_tolerance(arma::vec(), 0, 3), 0.0);
  EXPECT_EQ(nrc::numerical_rank(kS4, 4, 6), 4u);
  EXPECT_EQ(nrc::numerical_rank(arma::vec{1.0, 1e-20}, 2, 2), 1u);
  EXPECT_EQ(nrc::numerical_rank(arma::vec{1.0, 1e-10}, 2, 2), 2u);
  EXPECT_EQ(nrc::numerical_rank(arma::vec{0.0, 0.0}, 2, 2), 0u);
  EXPECT_THROW(nrc::numerical_rank_tolerance(kS4, 3, 6), std::invalid_argument);
  EXPECT_THROW(nrc::numerical_rank(kS4, 6, 3), std::invalid_argument);
}

TEST(SpectralNumericalRank, RankTwoProduct) {
  nrc::Engine rng(11);
  const arma::mat A = nrc::randn(8, 2, rng) * nrc::randn(2, 6, rng);
  EXPECT_EQ(nrc::numerical_rank(nrc::singular_values(A), 8, 6), 2u);
}

TEST(SpectralValidation, RejectsVectorsThatAreNotSpectra) {
  const arma::vec increasing = {1.0, 2.0};
  const arma::vec negative = {1.0, -0.5};
  const arma::vec nan = {1.0, std::numeric_limits<double>::quiet_NaN()};
  for (const arma::vec& bad : {increasing, negative, nan}) {
    EXPECT_THROW(nrc::distance_to_rank(bad, 1), std::invalid_argument);
    EXPECT_THROW(nrc::tail_energy_ratio(bad, 1), std::invalid_argument);
    EXPECT_THROW(nrc::tail_error(bad, 1), std::invalid_argument);
    EXPECT_THROW(nrc::soft_rank(bad, 0.5), std::invalid_argument);
    EXPECT_THROW(nrc::stable_rank(bad), std::invalid_argument);
    EXPECT_THROW(nrc::numerical_rank(bad, 2, 2), std::invalid_argument);
  }
}

// ---------------------------------------------------------------------------------------------
// Properties

// A = U diag(s) Vᵀ with orthonormal U, V has exactly the singular values s. gesdd is backward
// stable: |σ̂_j − σ_j| ≤ ‖δA‖₂ with ‖δA‖₂ ≲ p(m,n)·ε·‖A‖₂, and forming A costs another few ε·‖A‖₂.
RC_GTEST_PROP(SpectralProps, RecoversChosenSingularValues, ()) {
  const auto m = *rc::gen::inRange<arma::uword>(1, 9);
  const auto n = *rc::gen::inRange<arma::uword>(1, 9);
  const arma::uword p = std::min(m, n);
  const arma::vec s = gen_spectrum(p);
  nrc::Engine rng(*rc::gen::arbitrary<std::uint64_t>());
  const arma::mat A = random_orthonormal(m, p, rng) * arma::diagmat(s) * random_orthonormal(n, p, rng).t();
  const arma::vec got = nrc::singular_values(A);
  RC_ASSERT(got.n_elem == p);
  const double tol = 16.0 * static_cast<double>(m + n) * kEps * s(0);
  RC_ASSERT(arma::norm(got - s, "inf") <= tol);
  // The thin SVD agrees on the values and reconstructs A to the same backward-error scale.
  const nrc::ThinSvd f = nrc::thin_svd(A);
  RC_ASSERT(arma::norm(f.s - s, "inf") <= tol);
  RC_ASSERT(arma::norm(f.U * arma::diagmat(f.s) * f.V.t() - A, "fro") <= tol * std::sqrt(double(p)));
}

// Eckart–Young: the truncated SVD attains distance_to_rank, and tail_energy_ratio is its square
// over ‖A‖_F².
RC_GTEST_PROP(SpectralProps, DistanceIsAttainedByTruncatedSvd, ()) {
  const auto m = *rc::gen::inRange<arma::uword>(1, 9);
  const auto n = *rc::gen::inRange<arma::uword>(1, 9);
  const auto K = *rc::gen::inRange<arma::uword>(0, std::min(m, n) + 2);
  nrc::Engine rng(*rc::gen::arbitrary<std::uint64_t>());
  const arma::mat A = nrc::randn(m, n, rng);
  const nrc::ThinSvd f = nrc::thin_svd(A);
  const arma::uword k = std::min<arma::uword>(K, f.s.n_elem);
  arma::mat AK(m, n, arma::fill::zeros);
  if (k > 0) AK = f.U.head_cols(k) * arma::diagmat(f.s.head(k)) * f.V.head_cols(k).t();
  const double fro = arma::norm(A, "fro");
  const double dist = nrc::distance_to_rank(f.s, K);
  RC_ASSERT(std::abs(dist - arma::norm(A - AK, "fro")) <= 64 * kEps * fro);
  RC_ASSERT(std::abs(nrc::tail_energy_ratio(f.s, K) - dist * dist / (fro * fro)) <= 64 * kEps);
}

// e(r) is non-increasing from e(1) = 1 to e(n+1) = 0, and rk(ε) is the first r with e(r) ≤ ε.
RC_GTEST_PROP(SpectralProps, SoftRankIsFirstIndexBelowEps, ()) {
  const auto p = *rc::gen::inRange<arma::uword>(1, 12);
  arma::vec s = gen_spectrum(p);
  const auto zeros = *rc::gen::inRange<arma::uword>(0, p);   // exact trailing zeros
  s.tail(zeros).zeros();
  const double eps = *rc::gen::inRange(0, 1001) / 1000.0;
  RC_ASSERT(nrc::tail_error(s, 1) == 1.0);
  RC_ASSERT(nrc::tail_error(s, p + 1) == 0.0);
  for (arma::uword r = 1; r <= p; ++r) RC_ASSERT(nrc::tail_error(s, r + 1) <= nrc::tail_error(s, r));
  const arma::uword rk = nrc::soft_rank(s, eps);
  RC_ASSERT(rk >= 1u);
  RC_ASSERT(rk <= p + 1);
  RC_ASSERT(nrc::tail_error(s, rk) <= eps);
  if (rk > 1) RC_ASSERT(nrc::tail_error(s, rk - 1) > eps);
  RC_ASSERT(nrc::stable_rank(s) >= 1.0);
  RC_ASSERT(nrc::stable_rank(s) <= static_cast<double>(p - zeros) * (1 + 4 * kEps));
}

// U diag(s) Vᵀ with r chosen singular values ≥ 1e-6·s_1: forming it and the SVD add singular
// values of order ε·s_1, which the tolerance s_1·max(m, n)·ε must classify as zero.
RC_GTEST_PROP(SpectralProps, NumericalRankOfLowRankProducts, ()) {
  const auto m = *rc::gen::inRange<arma::uword>(1, 10);
  const auto n = *rc::gen::inRange<arma::uword>(1, 10);
  const auto r = *rc::gen::inRange<arma::uword>(0, std::min(m, n) + 1);
  nrc::Engine rng(*rc::gen::arbitrary<std::uint64_t>());
  arma::mat A(m, n, arma::fill::zeros);
  if (r > 0) A = random_orthonormal(m, r, rng) * arma::diagmat(gen_spectrum(r)) * random_orthonormal(n, r, rng).t();
  RC_ASSERT(nrc::numerical_rank(nrc::singular_values(A), m, n) == r);
}

// ---------------------------------------------------------------------------------------------
// Lanczos extremes.

// With n steps on an n×n matrix Lanczos is exact: θ_min, θ_max are λ_min, λ_max up to the rounding
// of the reorthogonalised recurrence (a few hundred ε·‖A‖ for n ≤ 40), residuals at that level.
RC_GTEST_PROP(SpectralLanczos, FullLengthRunIsExact, ()) {
  const auto n = *rc::gen::inRange<arma::uword>(1, 40);
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  nrc::Engine rng(seed);
  const arma::mat Q = random_orthonormal(n, n, rng);
  const arma::vec ev = nrc::randn(n, 1, rng) * 3;
  const arma::mat A = Q * arma::diagmat(ev) * Q.t();
  // Another seed for the start: with the matrix's own, the start is Q's first column, an
  // eigenvector (an invariant subspace: one step, one eigenvalue).
  const nrc::LanczosResult r = nrc::lanczos_extremes([&](const arma::vec& v) { arma::vec w = A * v; return w; }, n,
                                                     static_cast<int>(n), seed + 1);
  const double scale = arma::abs(ev).max(), tol = 1e3 * kEps * scale * static_cast<double>(n);
  RC_ASSERT(std::abs(r.min - ev.min()) <= tol);
  RC_ASSERT(std::abs(r.max - ev.max()) <= tol);
  RC_ASSERT(r.min_residual <= tol);
  RC_ASSERT(std::abs(arma::norm(r.min_vector) - 1) <= tol / std::max(scale, 1e-300) + 1e-12);
}

// Short runs: θ_min and θ_max are Rayleigh quotients (inside [λ_min, λ_max]) and each has an
// eigenvalue of A within its residual; the known spectrum shows both, and that the extremes of a
// spectrum with gaps are found in a few dozen steps.
TEST(SpectralLanczos, ShortRunBracketsAndLocatesTheExtremes) {
  nrc::Engine rng(11);
  const arma::uword n = 400;
  arma::vec ev = arma::linspace(0.5, 2, n);
  ev(0) = -1;        // an isolated negative eigenvalue (a saddle's direction)
  ev(n - 1) = 10;    // and an isolated top
  const arma::mat Q = random_orthonormal(n, n, rng);
  const arma::mat A = Q * arma::diagmat(ev) * Q.t();
  const nrc::LanczosResult r = nrc::lanczos_extremes([&](const arma::vec& v) { arma::vec w = A * v; return w; }, n, 40, 3);
  EXPECT_EQ(r.steps, 40);
  const double tol = 1e3 * kEps * 10;
  EXPECT_GE(r.min, -1 - tol);
  EXPECT_LE(r.max, 10 + tol);
  const auto nearest = [&](double t) { return arma::abs(ev - t).min(); };
  EXPECT_LE(nearest(r.min), r.min_residual + tol);
  EXPECT_LE(nearest(r.max), r.max_residual + tol);
  EXPECT_NEAR(r.min, -1, 1e-8);
  EXPECT_NEAR(r.max, 10, 1e-8);
  // The Ritz vector is the eigenvector (up to sign).
  EXPECT_NEAR(std::abs(arma::dot(r.min_vector, Q.col(0))), 1, 1e-8);
}

// A start inside an invariant subspace ends early with exact values (β = 0), not with garbage.
TEST(SpectralLanczos, InvariantSubspaceEndsEarly) {
  const nrc::LanczosResult r =
      nrc::lanczos_extremes([](const arma::vec& v) { arma::vec w = 5 * v; return w; }, 3, 10, 1);   // A = 5I
  EXPECT_EQ(r.steps, 1);
  EXPECT_NEAR(r.min, 5, 1e-14);
  EXPECT_NEAR(r.max, 5, 1e-14);
}

TEST(SpectralLanczos, InvalidInputThrows) {
  const auto id = [](const arma::vec& v) { return v; };
  EXPECT_THROW(nrc::lanczos_extremes(id, 0, 5, 1), std::invalid_argument);
  EXPECT_THROW(nrc::lanczos_extremes(id, 3, 0, 1), std::invalid_argument);
  EXPECT_THROW(nrc::lanczos_extremes([](const arma::vec&) { return arma::vec(2, arma::fill::zeros); }, 3, 5, 1),
               std::invalid_argument);
  EXPECT_THROW(nrc::lanczos_extremes([](const arma::vec& v) { arma::vec w = v; w(0) = NAN; return w; }, 3, 5, 1),
               std::invalid_argument);
}
