// lib/closed_form/deep_linear: the scalar problem and its threshold, the variational form, the
// whitened-input minimiser (L = 1 is ridge, L = 2 singular-value soft-thresholding), and the 50-digit
// path of lib/mp.
#include "property_tests/support.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <armadillo>

#include "lib/closed_form/deep_linear.hpp"
#include "lib/closed_form/ridge.hpp"
#include "lib/common/rng.hpp"
#include "lib/mp/reference.hpp"
#include "lib/spectral/spectral.hpp"

namespace {

constexpr double kU = std::numeric_limits<double>::epsilon() / 2;

// Rows of the 8×8 Sylvester–Hadamard matrix other than the all-ones one: X Xᵀ = 8·I and X1 = 0 exactly.
arma::mat hadamard_rows(arma::uword d) {
  arma::mat X(d, 8);
  for (arma::uword r = 0; r < d; ++r)
    for (arma::uword j = 0; j < 8; ++j) X(r, j) = __builtin_popcountll((r + 1) & j) % 2 == 0 ? 1.0 : -1.0;
  return X;
}

// L = 1: ridge shrinkage; L = 2: soft-thresholding; both closed forms exact up to one division or
// subtraction (u each).
TEST(DeepLinearScalar, DepthsOneAndTwoByHand) {
  for (double a : {0.0, 0.3, 1.0, 7.5})
    for (double lambda : {0.1, 1.0, 4.0}) {
      EXPECT_NEAR(nrc::solve_deep_linear_scalar(a, lambda, 1).s, a / (1 + lambda), 2 * kU * a);
      EXPECT_NEAR(nrc::solve_deep_linear_scalar(a, lambda, 2).s, std::max(a - lambda, 0.0), 2 * kU * a);
      EXPECT_FALSE(nrc::solve_deep_linear_scalar(a, lambda, 2).two_minima);
    }
}

// The measured values, a*(3, 10) = 2·10^{3/4} = 11.2468… and a*(4, 10) = 1.5·20^{2/3} = 11.0521…,
// and the closed form against the solver: just below a* the minimiser is 0, just above it the jump
// s_t = (λ(L−2))^{L/(2(L−1))}. At a = a*(1 ± 1e-9) the two candidate values differ by ≈ 2s_t·1e-9·a*,
// far above their rounding (a few u·a²), so the solver's decision is exact there.
TEST(DeepLinearScalar, ThresholdClosedFormAgreesWithSolver) {
  EXPECT_NEAR(nrc::deep_linear_threshold(10.0, 3), 11.2468, 1e-4);
  EXPECT_NEAR(nrc::deep_linear_threshold(10.0, 4), 11.0521, 1e-4);
  for (unsigned L = 3; L <= 7; ++L)
    for (double lambda : {1e-3, 0.1, 1.0, 10.0, 300.0}) {
      const double t = nrc::deep_linear_threshold(lambda, L);
      const double s_t = std::pow(lambda * (L - 2.0), L / (2.0 * (L - 1)));
      const auto below = nrc::solve_deep_linear_scalar(t * (1 - 1e-9), lambda, L);
      const auto above = nrc::solve_deep_linear_scalar(t * (1 + 1e-9), lambda, L);
      EXPECT_EQ(below.s, 0.0) << "L " << L << " λ " << lambda;
      EXPECT_TRUE(below.two_minima);
      EXPECT_NEAR(below.other, s_t, 1e-6 * s_t) << "L " << L << " λ " << lambda;
      EXPECT_NEAR(above.s, s_t, 1e-6 * s_t) << "L " << L << " λ " << lambda;
      EXPECT_GT(above.local_max, 0.0);
      EXPECT_LT(above.local_max, above.s);
      // Both minima are stationary: g(s) = s + λs^{2/L−1} = a at s₂ (TOMS 748 to 2 bits of full
      // precision, so within a few u·a).
      const double a = t * (1 + 1e-9);
      EXPECT_NEAR(above.s + lambda * std::pow(above.s, 2.0 / L - 1), a, 16 * kU * a);
      EXPECT_NEAR(above.local_max + lambda * std::pow(above.local_max, 2.0 / L - 1), a, 16 * kU * a);
    }
}

// λ/a tiny: the left bracket of the local maximiser, (λ/a)^{L/(L−2)} = 1e-15 for L = 3, lies below the
// rounding of g(s) − a (u·a ≈ 1e-13); the solver still brackets it and finds s₁ with g(s₁) = a within a
// few u·a: the bracket's relative width 2⁻⁵⁰ moves g by ≤ (1/3)(a/s)·4u·s, the pow and the sum by ~3u·a.
// g is evaluated with the solver's own exponent 2/L − 1 (rounded): −1/3 rounded differently would move
// s^p by |δp·ln s| ≈ 5e-17·35, i.e. 2e-15·a.
TEST(DeepLinearScalar, TinyLambdaOverA) {
  const auto r = nrc::solve_deep_linear_scalar(1000.0, 0.01, 3);
  EXPECT_TRUE(r.two_minima);
  EXPECT_GT(r.local_max, 0.0);
  EXPECT_NEAR(r.local_max + 0.01 * std::pow(r.local_max, 2.0 / 3 - 1), 1000.0, 16 * kU * 1000.0);
  EXPECT_NEAR(r.s, 1000.0, 1.0);
}

// Far from the threshold φ has one minimum (small a: no positive stationary point) or two.
TEST(DeepLinearScalar, OneOrTwoMinima) {
  const auto small = nrc::solve_deep_linear_scalar(0.01, 1.0, 3);
  EXPECT_FALSE(small.two_minima);
  EXPECT_EQ(small.s, 0.0);
  EXPECT_EQ(small.value, 0.01 * 0.01);
  const auto big = nrc::solve_deep_linear_scalar(20.0, 1.0, 3);
  EXPECT_TRUE(big.two_minima);
  EXPECT_GT(big.s, 19.0);
  EXPECT_EQ(big.other, 0.0);
  EXPECT_GT(big.gap, 0.0);
  EXPECT_THROW(nrc::solve_deep_linear_scalar(-1.0, 1.0, 3), std::invalid_argument);
  EXPECT_THROW(nrc::solve_deep_linear_scalar(1.0, 0.0, 3), std::invalid_argument);
  EXPECT_THROW(nrc::solve_deep_linear_scalar(1.0, 1.0, 0), std::invalid_argument);
}

// λ_c(2) = 16: a*(2, λ) = λ and a*(3, λ) = 2λ^{3/4} meet at λ^{1/4} = 2. At λ_c(L) the thresholds agree
// (to the rounding of exp, log and pow on O(1) numbers, a few tens of u), below it the deeper one is
// higher, above it lower.
TEST(DeepLinearScalar, DepthCrossover) {
  EXPECT_NEAR(nrc::deep_linear_depth_crossover(2), 16.0, 64 * kU * 16);
  EXPECT_EQ(nrc::deep_linear_depth_crossover(1), std::numeric_limits<double>::infinity());
  for (unsigned L = 2; L <= 8; ++L) {
    const double c = nrc::deep_linear_depth_crossover(L);
    const double t = nrc::deep_linear_threshold(c, L);
    EXPECT_NEAR(nrc::deep_linear_threshold(c, L + 1), t, 64 * kU * t) << "L " << L;
    EXPECT_GT(nrc::deep_linear_threshold(c / 2, L + 1), nrc::deep_linear_threshold(c / 2, L)) << "L " << L;
    EXPECT_LT(nrc::deep_linear_threshold(2 * c, L + 1), nrc::deep_linear_threshold(2 * c, L)) << "L " << L;
  }
}

// The 50-digit path runs the same template: its minimiser rounds to the double one within the double
// solver's accuracy, and it decides a mode 1e-30 above the threshold, where double cannot.
TEST(DeepLinearScalar, FiftyDigits) {
  using nrc::mp::Real;
  for (unsigned L = 1; L <= 5; ++L) {
    const double s = nrc::solve_deep_linear_scalar(3.0, 0.5, L).s;
    const Real sr = nrc::solve_deep_linear_scalar(Real(3), Real(0.5), L).s;
    EXPECT_NEAR(static_cast<double>(sr), s, 16 * kU * 3) << "L " << L;
  }
  const Real lambda = 10;
  const Real t = 2 * pow(lambda, Real(3) / 4);   // a*(3, 10) = 2·10^{3/4}
  EXPECT_GT(nrc::solve_deep_linear_scalar(Real(t * (1 + Real(1e-30))), lambda, 3).s, 0);
  EXPECT_EQ(nrc::solve_deep_linear_scalar(Real(t * (1 - Real(1e-30))), lambda, 3).s, 0);
}

// Variational form: the balanced factorisation has product W and penalty L Σσ^{2/L} (equality), every
// W_{l+1}ᵀW_{l+1} = W_lW_lᵀ; rescaling W_1 by t and W_2 by 1/t keeps the product and raises the penalty
// by (t² − 1)‖W_1‖² + (t⁻² − 1)‖W_2‖², > 0 at a balanced point (‖W_1‖ = ‖W_2‖). Tolerances: an SVD
// (max(m,n)·ε = 4·2u relative to ‖W‖ per value and vector, tolerances.hpp), amplified by the L factors'
// roots and products: 16·L·8u·(1 + ‖W‖_F²).
TEST(DeepLinearVariational, EqualityAtBalancedStrictAboveElsewhere) {
  nrc::Engine rng(11);
  for (unsigned L = 1; L <= 5; ++L) {
    const arma::mat W = nrc::randn(3, 4, rng);
    std::vector<arma::uword> widths = {4};
    for (unsigned l = 1; l < L; ++l) widths.push_back(3 + l % 2);
    widths.push_back(3);
    const std::vector<arma::mat> F = nrc::balanced_factors(W, widths);
    ASSERT_EQ(F.size(), L);
    arma::mat P = F[0];
    double penalty = 0;
    for (const arma::mat& f : F) penalty += arma::accu(arma::square(f));
    for (unsigned l = 1; l < L; ++l) P = F[l] * P;
    const double scale = arma::norm(W, "fro"), tol = 16 * L * 4 * 2 * kU * (1 + scale * scale);
    EXPECT_LT(arma::norm(P - W, "fro"), tol) << "L " << L;
    EXPECT_NEAR(penalty, nrc::balanced_penalty(W, L), tol) << "L " << L;
    for (unsigned l = 0; l + 1 < L; ++l)
      EXPECT_LT(arma::norm(F[l + 1].t() * F[l + 1] - F[l] * F[l].t(), "fro"), tol) << "L " << L << " l " << l;
    if (L >= 2) {
      std::vector<arma::mat> G = F;
      G[0] *= 2.0;
      G[1] /= 2.0;
      double unbalanced = 0;
      for (const arma::mat& g : G) unbalanced += arma::accu(arma::square(g));
      const double w1 = arma::accu(arma::square(F[0])), w2 = arma::accu(arma::square(F[1]));
      EXPECT_NEAR(unbalanced - penalty, 3 * w1 - 0.75 * w2, tol);
      EXPECT_GT(unbalanced, penalty + 1);
    }
  }
  EXPECT_THROW(nrc::balanced_factors(arma::mat(3, 4, arma::fill::ones) + arma::eye(3, 4), {4, 1, 3}),
               std::invalid_argument);   // rank 2 > hidden width 1
}

// L = 1 is Section 5's ridge θ* = YXᵀ(XXᵀ + NλI)⁻¹ = A/(1 + λ) on whitened X; L = 2 is soft-thresholding
// of A's singular values by λ. Compared with solve_ridge and with an independent SVD: both within a
// few SVD errors of ‖A‖ (max(m,n)·ε·‖A‖ each).
TEST(DeepLinearMinimum, RidgeAndSoftThresholdByHand) {
  nrc::Engine rng(3);
  const arma::mat X = hadamard_rows(3);
  const arma::mat Y = nrc::randn(2, 8, rng);
  const arma::mat A = Y * X.t() / 8.0;
  const double tol = 16 * 3 * 2 * kU * arma::norm(A, 2);
  for (double lambda : {0.05, 0.3, 2.0}) {
    const nrc::DeepLinearMinimum one = nrc::deep_linear_minimum(X, Y, lambda, 1, 8);
    EXPECT_LT(arma::norm(one.W - nrc::solve_ridge(X, Y, lambda).theta, "fro"), tol);
    const nrc::DeepLinearMinimum two = nrc::deep_linear_minimum(X, Y, lambda, 2, 8);
    arma::mat U, V;
    arma::vec a;
    arma::svd(U, a, V, A);
    const arma::vec s = arma::clamp(a - lambda, 0.0, arma::datum::inf);
    const arma::mat svt = U.head_cols(s.n_elem) * arma::diagmat(s) * V.head_cols(s.n_elem).t();
    EXPECT_LT(arma::norm(two.W - svt, "fro"), tol) << "λ " << lambda;
    EXPECT_EQ(two.rank, arma::accu(a > lambda));
    // The value is the loss at the balanced factorisation of W*.
    const std::vector<arma::mat> F = nrc::balanced_factors(two.W, {3, 2, 2});
    EXPECT_NEAR(nrc::deep_linear_loss(F, X, Y, lambda), two.value, 64 * kU * (two.value + arma::accu(Y % Y)));
  }
}

// A hidden width below the number of surviving modes keeps those of largest a (soft-thresholding at
// L = 2: s = (a₁ − λ, 0)); margin and value_gap are then unknown (+∞: the other configurations swap
// modes), never negative. Y = A X with A = diag(2, 1) (exact): the value is Σ_i a_i² − a₁² + φ₁(s₁).
TEST(DeepLinearMinimum, RankLimitKeepsTheLargestModes) {
  const arma::mat X = hadamard_rows(2);
  const arma::mat Y = arma::diagmat(arma::vec{2.0, 1.0}) * X;
  const nrc::DeepLinearMinimum m = nrc::deep_linear_minimum(X, Y, 0.1, 2, 1);
  EXPECT_EQ(m.rank, 1u);
  EXPECT_NEAR(m.s(0), 1.9, 4 * kU * 2);
  EXPECT_EQ(m.s(1), 0.0);
  EXPECT_EQ(m.value_gap, std::numeric_limits<double>::infinity());
  EXPECT_EQ(m.margin, std::numeric_limits<double>::infinity());
  EXPECT_NEAR(m.value, 1.0 + 0.1 * 0.1 + 2 * 0.1 * 1.9, 64 * kU * 5);
  const nrc::DeepLinearMinimum free = nrc::deep_linear_minimum(X, Y, 0.1, 2, 2);
  EXPECT_EQ(free.rank, 2u);
  EXPECT_NEAR(free.value_gap, 0.9 * 0.9, 64 * kU);   // the smaller mode switched off: (a₂ − λ)²
  EXPECT_NEAR(free.margin, 0.9, 8 * kU);
}

// The closed form is the minimum: random factorisations (balanced or not) of random maps, and small
// perturbations of W*'s balanced factors, never go below it (up to the rounding of the two losses).
RC_GTEST_PROP(DeepLinearMinimum, NoFactorisationBeatsTheClosedForm, ()) {
  const auto seed = *rc::gen::inRange<std::uint64_t>(0, 1u << 30);
  const auto L = *rc::gen::inRange<unsigned>(1, 5);
  const double lambda = std::exp(*rc::gen::inRange<int>(-40, 10) / 10.0);
  nrc::Engine rng(seed);
  const arma::mat X = hadamard_rows(3);
  const arma::mat Y = nrc::randn(3, 8, rng);
  const nrc::DeepLinearMinimum m = nrc::deep_linear_minimum(X, Y, lambda, L, 3);
  const std::vector<arma::uword> widths(L + 1, 3);
  const double slack = 256 * kU * (m.value + arma::accu(Y % Y));
  std::vector<arma::mat> F = nrc::balanced_factors(m.W, widths);
  RC_ASSERT(std::abs(nrc::deep_linear_loss(F, X, Y, lambda) - m.value) <= slack);
  for (arma::mat& f : F) f += 1e-3 * nrc::randn(f.n_rows, f.n_cols, rng);
  RC_ASSERT(nrc::deep_linear_loss(F, X, Y, lambda) >= m.value - slack);
  std::vector<arma::mat> R;
  for (unsigned l = 0; l < L; ++l) R.push_back(nrc::randn(3, 3, rng));
  RC_ASSERT(nrc::deep_linear_loss(R, X, Y, lambda) >= m.value - slack);
  // The 50-digit value agrees with the double one within the double one's rounding.
  RC_ASSERT(std::abs(static_cast<double>(nrc::mp::deep_linear_min_value(X, Y, lambda, L, 3)) - m.value) <= slack);
}

// Whitening is a hypothesis: enforced, with the deviation named. C = I makes the autoencoder's aligned
// minimiser the whitened one (Y = X: A = I).
TEST(DeepLinearMinimum, HypothesesAndAlignedAutoencoder) {
  const arma::mat X = hadamard_rows(3);
  EXPECT_THROW(nrc::deep_linear_minimum(0.5 * X, X, 0.1, 3, 3), std::invalid_argument);
  EXPECT_THROW(nrc::deep_linear_minimum(X, X, 0.0, 3, 3), std::invalid_argument);
  EXPECT_THROW(nrc::deep_linear_minimum(X, X, 0.1, 0, 3), std::invalid_argument);
  EXPECT_THROW(nrc::mp::deep_linear_min_value(0.5 * X, X, 0.1, 3, 3), std::invalid_argument);
  try {
    nrc::deep_linear_minimum(0.5 * X, X, 0.1, 3, 3);
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("whitened"), std::string::npos) << e.what();
  }
  for (unsigned L = 1; L <= 4; ++L) {
    const nrc::DeepLinearMinimum m = nrc::deep_linear_minimum(X, X, 0.2, L, 3);
    const arma::mat W = nrc::aligned_autoencoder_minimiser(arma::eye(3, 3), 0.2, L, 3);
    EXPECT_LT(arma::norm(W - m.W, "fro"), 64 * kU) << "L " << L;
  }
  // One hidden unit keeps the one mode of largest gain (C's largest eigenvalue).
  const arma::mat W1 = nrc::aligned_autoencoder_minimiser(arma::diagmat(arma::vec{1.0, 4.0, 2.0}), 0.1, 2, 1);
  EXPECT_EQ(nrc::numerical_rank(nrc::singular_values(W1), 3, 3), 1u);
  EXPECT_GT(W1(1, 1), 0.9);
}

}  // namespace
