#include "property_tests/support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include <armadillo>

#include "lib/closed_form/ridge.hpp"
#include "lib/cluster/cluster.hpp"
#include "lib/common/rng.hpp"
#include "lib/spectral/spectral.hpp"

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double fro(const arma::mat& A) { return arma::norm(A, "fro"); }

arma::uword rank_of(const arma::mat& A) {
  return nrc::numerical_rank(nrc::singular_values(A), A.n_rows, A.n_cols);
}

// A random ridge problem: sizes and λ ∈ [1e-2, 10] from RapidCheck, entries from a seeded
// engine. κ₂(XXᵀ + NλI) ≤ 1 + ‖X‖₂²/(Nλ) stays below ~1e4 at these sizes.
struct Problem {
  arma::mat X, Y;
  double lambda;
  arma::uword c, d, N;
};

Problem gen_problem(nrc::Engine& rng) {
  Problem p;
  p.c = *rc::gen::inRange<arma::uword>(1, 5);
  p.d = *rc::gen::inRange<arma::uword>(1, 6);
  p.N = *rc::gen::inRange<arma::uword>(1, 13);
  p.lambda = std::pow(10.0, *rc::gen::inRange(-8, 5) / 4.0);
  p.X = nrc::randn(p.d, p.N, rng);
  // Targets partly explained by the inputs, so θ* is neither ≈ 0 nor a perfect fit.
  p.Y = nrc::randn(p.c, p.d, rng) * p.X + 0.5 * nrc::randn(p.c, p.N, rng);
  return p;
}

// Rounding scale of L_λ and of ∇L_λ near θ: every term the evaluation forms, in absolute value.
// (2/N)‖θ‖‖X‖² bounds the rounding of θX·Xᵀ, which ‖(2/N)YXᵀ‖ alone does not when θ leans on
// weak directions of X.
double gradient_scale(const arma::mat& theta, const arma::mat& X, const arma::mat& Y, double lambda) {
  const double N = static_cast<double>(X.n_cols);
  return 2 * lambda * fro(theta) + (2 / N) * (fro(Y) * fro(X) + fro(theta) * fro(X) * fro(X));
}

// Forward-error allowance for anything built from G⁻¹ or G^{-1/2} (a solve or an
// eigendecomposition): a few units of (size)·ε·κ₂(G) relative to ‖Y‖‖X‖‖G⁻¹‖ ≥ ‖θ*‖. ‖Y‖‖X‖,
// not ‖YXᵀ‖: forming Σ_i y_i x_iᵀ rounds at ε‖Y‖‖X‖ even when the sum cancels (seed=119).
double solution_tol(const nrc::RidgeSystem& sys) {
  const double size = static_cast<double>(sys.X.n_cols + sys.X.n_rows + sys.Y.n_rows);
  const double lambda_min = 1.0 / std::pow(arma::norm(sys.gram_inv_sqrt, 2), 2);
  return 16 * size * kEps * sys.gram_condition * fro(sys.Y) * fro(sys.X) / lambda_min;
}

// Rounding of one evaluation of L_λ(θ) (ridge_loss): residuals y − θx are d-term products, then
// c·N squares summed, the 1/N and the penalty: γ_{cN+d+4} of (‖Y‖ + ‖θ‖‖X‖)²/N + λ‖θ‖².
double loss_rounding(const arma::mat& theta, const arma::mat& X, const arma::mat& Y, double lambda) {
  const double N = static_cast<double>(X.n_cols);
  return nrc::test::rounding(Y.n_rows * X.n_cols + X.n_rows + 4,
                             std::pow(fro(Y) + fro(theta) * fro(X), 2) / N + lambda * std::pow(fro(theta), 2));
}

// Rounding of Theorem 5.1's predicted value (‖Y‖² − Σ_{j≤K} s_j²)/N: two sums of ≤ N·c + d terms
// bounded by ‖Y‖² (Σ s_j² ≤ ‖Y‖²) and one subtraction.
double prediction_rounding(const nrc::RidgeSystem& sys) {
  return nrc::test::rounding(sys.Y.n_elem + sys.X.n_rows + 4, 2 * arma::accu(arma::square(sys.Y))) /
         static_cast<double>(sys.Y.n_cols);
}

// How far L_λ of a computed rank-K solution can sit above the exact minimum over rank ≤ K. With
// L_λ(θ) = (1/N)(‖Y‖² − ‖Q_λ‖² + ‖Q_λ − θG^{1/2}‖²) (eq. 19 on the augmented data), the computed
// θ̂_K G^{1/2} is within η := solution_tol·‖G‖₂^{1/2} of [Q̂]_K, the best rank-K approximation of a Q̂
// within η of Q_λ, so ‖Q_λ − θ̂_K G^{1/2}‖ ≤ ‖Q_λ − [Q_λ]_K‖ + 3η (Mirsky) and the excess is at most
// (1/N)(2‖Y‖·3η + 9η²) — whatever the gap s_K − s_{K+1} (no first-order term in the rotation).
double rank_k_excess(const nrc::RidgeSystem& sys) {
  const double eta = solution_tol(sys) * std::sqrt(arma::norm(sys.gram, 2));
  return (6 * fro(sys.Y) * eta + 9 * eta * eta) / static_cast<double>(sys.Y.n_cols);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Hand-computed cases

TEST(ClosedFormAugmented, BlocksOfEquation18) {
  const arma::mat X = {{1, 2, 3}, {0, -1, 4}};   // d = 2, N = 3
  const arma::mat Xl = nrc::augmented_inputs(X, 0.5);
  ASSERT_EQ(Xl.n_rows, 2u);
  ASSERT_EQ(Xl.n_cols, 5u);
  EXPECT_TRUE(arma::approx_equal(Xl.cols(0, 2), X, "absdiff", 0.0));
  const double r = std::sqrt(1.5);   // √(Nλ)
  EXPECT_TRUE(arma::approx_equal(Xl.cols(3, 4), arma::mat{{r, 0}, {0, r}}, "absdiff", 0.0));
  const arma::mat Yl = nrc::augmented_targets(arma::mat{{7, 8, 9}}, 2);
  EXPECT_TRUE(arma::approx_equal(Yl, arma::mat{{7, 8, 9, 0, 0}}, "absdiff", 0.0));
  EXPECT_THROW(nrc::augmented_inputs(X, 0.0), std::invalid_argument);
  EXPECT_THROW(nrc::augmented_inputs(X, -1.0), std::invalid_argument);
}

TEST(ClosedFormAugmented, GramAndCrossTermsOfEquation28) {
  nrc::Engine rng(4);
  const arma::mat X = nrc::randn(3, 6, rng), Y = nrc::randn(2, 6, rng);
  const nrc::RidgeSystem sys = nrc::solve_ridge(X, Y, 0.3);
  const arma::mat Xl = nrc::augmented_inputs(X, 0.3), Yl = nrc::augmented_targets(Y, 3);
  // Both sides are (N + d)-term products of the same numbers, √(Nλ)² = Nλ up to 2u: each within
  // γ_{N+d+2}(‖X‖_F² + Nλ√d) of the exact Gram matrix (Higham Thm 3.5), so within twice it of each other.
  const double n_x = fro(X), nl = 6 * 0.3;
  EXPECT_LE(fro(Xl * Xl.t() - sys.gram), 2 * nrc::test::rounding(6 + 3 + 2, n_x * n_x + nl * std::sqrt(3.0)));
  // Y_λX_λᵀ adds zero terms to YXᵀ's sums, which may still be blocked in another order.
  EXPECT_LE(fro(Yl * Xl.t() - Y * X.t()), 2 * nrc::test::rounding(6 + 3, fro(Y) * n_x));
  // Eq. (19): the augmented problem has the same loss. Each side forms residuals y − θx (d-term
  // products), squares and sums c(N + d) terms: within γ_{c(N+d)+d+3} of ‖|Y| + |θ||X_λ|‖²/N + λ‖θ‖².
  const arma::mat theta = nrc::randn(2, 3, rng);
  const double scale = std::pow(fro(Y) + fro(theta) * fro(Xl), 2) / 6.0 + 0.3 * std::pow(fro(theta), 2);
  EXPECT_NEAR(nrc::ridge_loss(theta, X, Y, 0.3), arma::accu(arma::square(Yl - theta * Xl)) / 6.0,
              2 * nrc::test::rounding(2 * (6 + 3) + 3 + 3, scale));
}

TEST(ClosedFormRidge, ScalarByHand) {
  // d = c = 1, N = 3, λ = 1/2: XXᵀ = 14, Nλ = 3/2, G = 31/2, YXᵀ = 2 + 8 + 21 = 31, θ* = 2.
  const arma::mat X = {{1, 2, 3}}, Y = {{2, 4, 7}};
  const nrc::RidgeSystem sys = nrc::solve_ridge(X, Y, 0.5);
  // Allowances: each value is a chain of a few roundings (an eigenvalue of a 1×1 matrix, a square
  // root, products and quotients of O(1) numbers, 3-term sums): γ_k of its size, k counting them.
  EXPECT_EQ(sys.gram(0, 0), 15.5);   // exact: 1 + 4 + 9 + 3·0.5
  const double g = 1 / std::sqrt(15.5), q = 31 / std::sqrt(15.5);
  EXPECT_NEAR(sys.gram_inv_sqrt(0, 0), g, nrc::test::rounding(4, g));
  EXPECT_EQ(sys.gram_condition, 1.0);   // λ_max/λ_min of a 1×1 matrix: x/x
  EXPECT_NEAR(sys.theta(0, 0), 2.0, nrc::test::rounding(12, 2.0));
  EXPECT_NEAR(sys.Q(0, 0), q, nrc::test::rounding(8, q));
  EXPECT_NEAR(sys.s(0), q, nrc::test::rounding(8, q) + nrc::tol::svd_abs_error(q, 1, 1));
  // Residual Y − 2X = (0, 0, 1): L = 1/3 + λ·4 = 7/3; Theorem 5.1: (‖Y‖² − s²)/N = (69 − 62)/3, a
  // difference of terms of size 69/3 (so its allowance is relative to those).
  const double l_scale = (69.0 + 62.0) / 3;
  EXPECT_NEAR(nrc::ridge_loss(sys.theta, X, Y, 0.5), 7.0 / 3.0, nrc::test::rounding(16, l_scale));
  EXPECT_NEAR(nrc::rank_constrained_min_loss(sys, 1), 7.0 / 3.0, nrc::test::rounding(16, l_scale));
  EXPECT_NEAR(nrc::rank_constrained_solution(sys, 1)(0, 0), 2.0, nrc::test::rounding(16, 2.0));
  // ∇(θ) = (2/N)(θXXᵀ − YXᵀ) + 2λθ = (31/3)(θ − 2): at the computed θ* (within γ_12·2 of 2) that much,
  // plus its evaluation's rounding, 3-term sums of products of size |Y||X| + |θ||X|² = 31 + 28, and 2λθ.
  EXPECT_NEAR(nrc::ridge_gradient(sys.theta, X, Y, 0.5)(0, 0), 0.0,
              (31.0 / 3) * nrc::test::rounding(12, 2.0) + nrc::test::rounding(16, (2.0 / 3) * (31 + 28) + 2));
}

TEST(ClosedFormRidge, OrthogonalDesignByHand) {
  // XXᵀ = diag(8, 2), N = 4, λ = 1/2 → G = diag(10, 4), κ₂ = 2.5; YXᵀ = diag(4, 6);
  // θ* = diag(0.4, 1.5); Q = diag(4/√10, 3), so s = (3, 4/√10) and [Q]_1 keeps the (2,2) entry.
  const arma::mat X = {{2, 0, -2, 0}, {0, 1, 0, -1}};
  const arma::mat Y = {{1, 0, -1, 0}, {0, 3, 0, -3}};
  const nrc::RidgeSystem sys = nrc::solve_ridge(X, Y, 0.5);
  // G is exactly diag(10, 4); its eigendecomposition (LAPACK) is backward stable: eigenvalues within
  // 2·ε·‖G‖₂ = 20ε (tolerances.hpp's p·ε·‖A‖ with p = 2), eigenvectors exact up to rotations of
  // that size over the gap 6. Every derived value is a short chain on O(1) numbers: γ_k of a scale
  // that covers its terms, with k counting the roundings plus the eigen-error (≤ 20ε/4 relative = 10u).
  const double e_eig = nrc::tol::svd_abs_error(10, 2, 2) / 4;
  EXPECT_NEAR(sys.gram_condition, 2.5, 2.5 * (2 * e_eig) + nrc::test::rounding(2, 2.5));
  EXPECT_TRUE(arma::approx_equal(sys.theta, arma::mat{{0.4, 0}, {0, 1.5}}, "absdiff",
                                 nrc::test::rounding(32, 1.5)));
  EXPECT_TRUE(arma::approx_equal(sys.s, arma::vec{3, 4 / std::sqrt(10.0)}, "absdiff",
                                 nrc::test::rounding(32, 3) + nrc::tol::svd_abs_error(3, 2, 2)));
  EXPECT_TRUE(arma::approx_equal(nrc::rank_constrained_solution(sys, 1), arma::mat{{0, 0}, {0, 1.5}},
                                 "absdiff", nrc::test::rounding(48, 1.5)));
  // ‖Y‖² = 20: (20 − 9)/4; directly, residual rows have ‖·‖² 2 and 4.5, plus λ·1.5² = 1.125. The
  // closed forms subtract Σs² ≤ ‖Y‖² from ‖Y‖²: allowances relative to ‖Y‖²/N = 5.
  EXPECT_NEAR(nrc::rank_constrained_min_loss(sys, 1), 11.0 / 4.0, nrc::test::rounding(48, 5));
  EXPECT_NEAR(nrc::ridge_loss(arma::mat{{0, 0}, {0, 1.5}}, X, Y, 0.5), 11.0 / 4.0, nrc::test::rounding(16, 5));
  EXPECT_NEAR(nrc::rank_constrained_min_loss(sys, 2), (20 - 9 - 1.6) / 4.0, nrc::test::rounding(48, 5));
  // K ≥ min(c, d) returns θ* itself: the same computation, no rounding between them.
  EXPECT_TRUE(arma::approx_equal(nrc::rank_constrained_solution(sys, 5), sys.theta, "absdiff",
                                 nrc::test::rounding(48, 1.5)));
}

TEST(ClosedFormRidge, RejectsBadInput) {
  const arma::mat X = {{1, 2, 3}}, Y = {{2, 4, 7}};
  EXPECT_THROW(nrc::solve_ridge(X, Y, 0.0), std::invalid_argument);
  EXPECT_THROW(nrc::solve_ridge(X, Y, -1.0), std::invalid_argument);
  EXPECT_THROW(nrc::solve_ridge(X, Y, kNaN), std::invalid_argument);
  EXPECT_THROW(nrc::solve_ridge(X, Y, std::numeric_limits<double>::infinity()), std::invalid_argument);
  EXPECT_THROW(nrc::solve_ridge(X, arma::mat{{1, 2}}, 1.0), std::invalid_argument);
  EXPECT_THROW(nrc::solve_ridge(arma::mat(1, 0), arma::mat(1, 0), 1.0), std::invalid_argument);
  EXPECT_THROW(nrc::solve_ridge(arma::mat{{1, kNaN, 3}}, Y, 1.0), std::invalid_argument);
  EXPECT_THROW(nrc::solve_ridge(X, arma::mat{{1, 2, kNaN}}, 1.0), std::invalid_argument);
  const nrc::RidgeSystem sys = nrc::solve_ridge(X, Y, 1.0);
  EXPECT_THROW(nrc::rank_constrained_solution(sys, 0), std::invalid_argument);
  EXPECT_THROW(nrc::rank_constrained_min_loss(sys, 0), std::invalid_argument);
  EXPECT_THROW(nrc::rank_constrained_solution(nrc::RidgeSystem{}, 1), std::invalid_argument);
}

TEST(ClosedFormCentroid, ScalarByHand) {
  // Blocks {1, 3} | {10}: X̄ = (2, 2, 10), Ȳ = (1, 1, 5); N = 3, λ = 1:
  // θ*_C = ȲX̄ᵀ / (X̄X̄ᵀ + 3) = 54 / 111.
  const arma::mat X = {{1, 3, 10}}, Y = {{1, 1, 5}};
  // Integer data, dyadic centroids: ȲX̄ᵀ = 54 and X̄X̄ᵀ + 3 = 111 exact; the SPD solve of a 1×1 system
  // then rounds a few times (a Cholesky factor, two triangular solves): γ_6 of the quotient.
  const double q = 54.0 / 111.0;
  EXPECT_NEAR(nrc::centroid_solution(X, Y, arma::uvec{0, 0, 1}, 1.0)(0, 0), q, nrc::test::rounding(6, q));
  EXPECT_NEAR(nrc::centroid_solution(X, Y, arma::uvec{9, 9, 4}, 1.0)(0, 0), q, nrc::test::rounding(6, q));
  EXPECT_THROW(nrc::centroid_solution(X, Y, arma::uvec{0, 0}, 1.0), std::invalid_argument);
  EXPECT_THROW(nrc::centroid_solution(X, Y, arma::uvec{0, 0, 1}, 0.0), std::invalid_argument);
  EXPECT_THROW(nrc::centroid_solution(X, arma::mat{{1, 1}}, arma::uvec{0, 0, 1}, 1.0),
               std::invalid_argument);
}

TEST(ClosedFormLoss, ByHandAndGradientAgainstCentralDifferences) {
  const arma::mat X = {{1, 0, 2}, {0, 1, 1}}, Y = {{1, 2, 3}};
  const arma::mat theta = {{1, -1}};
  // θX = (1, −1, 1), residual (0, 3, 2): 13/3, plus λ‖θ‖² = 0.25·2. Integer residuals and squares
  // are exact; the 1/N and the penalty round: γ_4 of the value.
  EXPECT_NEAR(nrc::ridge_loss(theta, X, Y, 0.25), 13.0 / 3.0 + 0.5, nrc::test::rounding(4, 13.0 / 3.0 + 0.5));
  EXPECT_NEAR(nrc::ridge_loss(theta, X, Y, 0.0), 13.0 / 3.0, nrc::test::rounding(4, 13.0 / 3.0));
  // For a quadratic, central differences are exact; only rounding remains: each loss value within
  // γ_16 of its size L ≤ 7 (perturbed residuals are no longer integers), so the quotient within
  // 2γ_16·7/(2h), plus the perturbed θ ± h (u·|θ|, moving L by |∂L|·u ≤ 10u).
  const arma::mat g = nrc::ridge_gradient(theta, X, Y, 0.25);
  const double h = 1e-3;
  for (arma::uword j = 0; j < 2; ++j) {
    arma::mat tp = theta, tm = theta;
    tp(0, j) += h;
    tm(0, j) -= h;
    const double fd = (nrc::ridge_loss(tp, X, Y, 0.25) - nrc::ridge_loss(tm, X, Y, 0.25)) / (2 * h);
    EXPECT_NEAR(g(0, j), fd, 2 * (nrc::test::rounding(16, 7) + nrc::test::rounding(1, 10)) / (2 * h));
  }
  // By hand: −(2/3)(0, 3, 2)Xᵀ + 0.5θ = −(2/3)(4, 5) + (0.5, −0.5): integers, then ×(2/3) and one sum.
  EXPECT_NEAR(g(0, 0), -8.0 / 3.0 + 0.5, nrc::test::rounding(4, 8.0 / 3.0 + 0.5));
  EXPECT_NEAR(g(0, 1), -10.0 / 3.0 - 0.5, nrc::test::rounding(4, 10.0 / 3.0 + 0.5));
}

TEST(ClosedFormLoss, RejectsBadInput) {
  const arma::mat X = {{1, 0, 2}, {0, 1, 1}}, Y = {{1, 2, 3}};
  EXPECT_THROW(nrc::ridge_loss(arma::mat{{1, 2, 3}}, X, Y, 1.0), std::invalid_argument);
  EXPECT_THROW(nrc::ridge_loss(arma::mat{{1, 2}}, X, Y, -1.0), std::invalid_argument);
  EXPECT_THROW(nrc::ridge_loss(arma::mat{{1, kNaN}}, X, Y, 1.0), std::invalid_argument);
  EXPECT_THROW(nrc::ridge_gradient(arma::mat(2, 1, arma::fill::ones), X, Y, 1.0), std::invalid_argument);
  EXPECT_THROW(nrc::ridge_gradient(arma::mat{{1, 2}}, X, arma::mat{{1, 2}}, 1.0), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// Properties

// θ* is stationary. A backward-stable solve leaves a residual θ̂G − YXᵀ of size ~ε‖G‖‖θ̂‖, and
// evaluating the gradient adds rounding of the same order: both are bounded by gradient_scale.
RC_GTEST_PROP(ClosedFormProps, GradientVanishesAtTheta, ()) {
  nrc::Engine rng(*rc::gen::arbitrary<std::uint64_t>());
  const Problem p = gen_problem(rng);
  const nrc::RidgeSystem sys = nrc::solve_ridge(p.X, p.Y, p.lambda);
  const double g = fro(nrc::ridge_gradient(sys.theta, p.X, p.Y, p.lambda));
  const double size = static_cast<double>(p.N + p.d + p.c);
  // Not ‖2λθ*‖ + ‖(2/N)YXᵀ‖ alone: when Y is nearly orthogonal to the rows of X, YXᵀ is small
  // by cancellation while the rounding of (Y − θX)Xᵀ is still ~ε‖Y‖‖X‖ (seen at seed=1).
  RC_ASSERT(g <= 8 * size * kEps * gradient_scale(sys.theta, p.X, p.Y, p.lambda));
}

// Eq. (21) against eq. (35) with K = min(c, d): θ* = Q_λ G^{-1/2} = YXᵀ G^{-1/2} G^{-1/2}.
RC_GTEST_PROP(ClosedFormProps, ThetaEqualsQTimesGramInvSqrt, ()) {
  nrc::Engine rng(*rc::gen::arbitrary<std::uint64_t>());
  const Problem p = gen_problem(rng);
  const nrc::RidgeSystem sys = nrc::solve_ridge(p.X, p.Y, p.lambda);
  RC_ASSERT(fro(sys.theta - sys.Q * sys.gram_inv_sqrt) <= solution_tol(sys));
  RC_ASSERT(fro(sys.gram_inv_sqrt * sys.gram * sys.gram_inv_sqrt - arma::eye(p.d, p.d)) <=
            16 * p.d * kEps * sys.gram_condition);
  RC_ASSERT(fro(sys.U * arma::diagmat(sys.s) * sys.V.t() - sys.Q) <= 16 * (p.c + p.d) * kEps * fro(sys.Q));
  const auto K = *rc::gen::inRange<arma::uword>(std::min(p.c, p.d), std::min(p.c, p.d) + 4);
  RC_ASSERT(fro(nrc::rank_constrained_solution(sys, K) - sys.theta) <= solution_tol(sys));
}

// θ*_K = (U_K diag s_K)(V_Kᵀ G^{-1/2}) has rank ≤ K, and its loss is the value Theorem 5.1
// predicts: within the prediction's rounding, the loss evaluation's, and the computed θ*_K's excess
// over the exact minimum (rank_k_excess).
RC_GTEST_PROP(ClosedFormProps, RankConstrainedSolutionHasRankKAndPredictedLoss, ()) {
  nrc::Engine rng(*rc::gen::arbitrary<std::uint64_t>());
  const Problem p = gen_problem(rng);
  const nrc::RidgeSystem sys = nrc::solve_ridge(p.X, p.Y, p.lambda);
  const auto K = *rc::gen::inRange<arma::uword>(1, std::min(p.c, p.d) + 2);
  const arma::mat thetaK = nrc::rank_constrained_solution(sys, K);
  RC_ASSERT(thetaK.n_rows == p.c);
  RC_ASSERT(thetaK.n_cols == p.d);
  RC_ASSERT(rank_of(thetaK) <= K);
  const double predicted = nrc::rank_constrained_min_loss(sys, K);
  RC_ASSERT(std::abs(nrc::ridge_loss(thetaK, p.X, p.Y, p.lambda) - predicted) <=
            prediction_rounding(sys) + loss_rounding(thetaK, p.X, p.Y, p.lambda) + rank_k_excess(sys));
  // More rank never hurts (two predictions), and the unconstrained minimum is the K ≥ min(c, d)
  // value (θ* is a rank-min(c, d) solution: the same allowances).
  if (K > 1) RC_ASSERT(predicted <= nrc::rank_constrained_min_loss(sys, K - 1) + 2 * prediction_rounding(sys));
  RC_ASSERT(nrc::ridge_loss(sys.theta, p.X, p.Y, p.lambda) <=
            predicted + prediction_rounding(sys) + loss_rounding(sys.theta, p.X, p.Y, p.lambda) + rank_k_excess(sys));
}

// θ*_K is the global minimizer on rank ≤ K: no random rank-K matrix, and no rank-K perturbation
// of its own factors, does better (beyond the two loss evaluations' rounding and the computed
// θ*_K's excess over the exact minimum, rank_k_excess).
RC_GTEST_PROP(ClosedFormProps, RankConstrainedSolutionBeatsOtherRankKMatrices, ()) {
  nrc::Engine rng(*rc::gen::arbitrary<std::uint64_t>());
  const Problem p = gen_problem(rng);
  const nrc::RidgeSystem sys = nrc::solve_ridge(p.X, p.Y, p.lambda);
  const auto K = *rc::gen::inRange<arma::uword>(1, std::min(p.c, p.d) + 1);
  const arma::mat thetaK = nrc::rank_constrained_solution(sys, K);
  const double best = nrc::ridge_loss(thetaK, p.X, p.Y, p.lambda);
  const double base = loss_rounding(thetaK, p.X, p.Y, p.lambda) + rank_k_excess(sys);
  const auto tol_against = [&](const arma::mat& other) { return base + loss_rounding(other, p.X, p.Y, p.lambda); };
  const double size = fro(sys.theta) + 1e-3;
  for (int trial = 0; trial < 5; ++trial) {
    arma::mat R = nrc::randn(p.c, K, rng) * nrc::randn(K, p.d, rng);
    R *= size / std::max(fro(R), 1e-300);
    RC_ASSERT(best <= nrc::ridge_loss(R, p.X, p.Y, p.lambda) + tol_against(R));
  }
  const arma::mat left = sys.U.head_cols(K) * arma::diagmat(sys.s.head(K));
  const arma::mat right = sys.V.head_cols(K).t() * sys.gram_inv_sqrt;
  for (const double delta : {1e-1, 1e-3}) {
    const arma::mat L = left + delta * (fro(left) + 1e-3) * nrc::randn(p.c, K, rng);
    const arma::mat Rt = right + delta * (fro(right) + 1e-3) * nrc::randn(K, p.d, rng);
    RC_ASSERT(best <= nrc::ridge_loss(L * Rt, p.X, p.Y, p.lambda) + tol_against(L * Rt));
  }
}

// θ*_C = ȲX̄ᵀ(X̄X̄ᵀ + NλI)⁻¹ has rank ≤ #blocks, agrees with the push-through form
// Ȳ_c (W X_cᵀX_c + NλI)⁻¹ W X_cᵀ on the centroid matrices (W = diag N_k), and with singleton
// blocks it is θ* itself.
RC_GTEST_PROP(ClosedFormProps, CentroidSolution, ()) {
  nrc::Engine rng(*rc::gen::arbitrary<std::uint64_t>());
  const Problem p = gen_problem(rng);
  const auto B = *rc::gen::inRange<arma::uword>(1, p.N + 1);
  const auto raw = *rc::gen::container<std::vector<arma::uword>>(p.N, rc::gen::inRange<arma::uword>(0, B));
  const arma::uvec labels(raw);
  const arma::mat thetaC = nrc::centroid_solution(p.X, p.Y, labels, p.lambda);
  const arma::uvec blocks = arma::unique(labels);
  RC_ASSERT(rank_of(thetaC) <= blocks.n_elem);

  arma::mat Xc(p.d, blocks.n_elem, arma::fill::zeros), Yc(p.c, blocks.n_elem, arma::fill::zeros);
  arma::vec w(blocks.n_elem, arma::fill::zeros);
  for (arma::uword i = 0; i < p.N; ++i) {
    const arma::uword k = arma::as_scalar(arma::find(blocks == labels(i), 1));
    Xc.col(k) += p.X.col(i);
    Yc.col(k) += p.Y.col(i);
    w(k) += 1;
  }
  Xc.each_row() /= w.t();
  Yc.each_row() /= w.t();
  const double nl = static_cast<double>(p.N) * p.lambda;
  const arma::mat M = arma::diagmat(w) * Xc.t() * Xc + nl * arma::eye(blocks.n_elem, blocks.n_elem);
  const arma::mat other = Yc * arma::solve(M, arma::diagmat(w) * Xc.t());
  const nrc::RidgeSystem sysC = nrc::solve_ridge(nrc::replicate_centroids(p.X, labels),
                                                 nrc::replicate_centroids(p.Y, labels), p.lambda);
  // The push-through form's own forward error, in solution_tol's form for its system M (B × B):
  // 16·size·ε·κ₂(M)·‖Ȳ_c‖‖W X_cᵀ‖‖M⁻¹‖₂.
  const double size_c = static_cast<double>(blocks.n_elem + p.d + p.c + p.N);
  const double other_tol = 16 * size_c * kEps * arma::cond(M) * fro(Yc) * fro(arma::diagmat(w) * Xc.t()) *
                           arma::norm(arma::inv(M), 2);
  RC_ASSERT(fro(thetaC - other) <= solution_tol(sysC) + other_tol);
  RC_ASSERT(fro(thetaC - sysC.theta) <= solution_tol(sysC));

  arma::uvec singletons = arma::regspace<arma::uvec>(0, p.N - 1);
  const nrc::RidgeSystem sys = nrc::solve_ridge(p.X, p.Y, p.lambda);
  RC_ASSERT(fro(nrc::centroid_solution(p.X, p.Y, singletons * 3 + 1, p.lambda) - sys.theta) <=
            solution_tol(sys));
}
