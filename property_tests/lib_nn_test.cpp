// lib/nn: eq. (1) networks, the losses of eq. (3) and backpropagation.
// Hand-computed instances pin down the conventions (no ½ in the squared loss, 1/N on the data term,
// 2λ on the penalty); the central property checks the analytic ∇L_λ against finite differences
// on random networks of every activation and both losses.
#include "property_tests/support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <armadillo>

#include "lib/common/rng.hpp"
#include "lib/nn/mlp.hpp"

namespace {

using arma::uword;
using nrc::Activation;
using nrc::Loss;

constexpr Activation kAllActivations[] = {Activation::Identity, Activation::Tanh, Activation::ReLU,
                                          Activation::Sigmoid, Activation::Softplus};

double scalar_act(Activation a, double x) { return nrc::activate(a, arma::mat{x})(0, 0); }
double scalar_deriv(Activation a, double x) { return nrc::activation_derivative(a, arma::mat{x})(0, 0); }

// A one-layer identity network ŷ = W x + b with W = [1 2], b = 0.5 on x_1 = (1, −1), x_2 = (0, 2),
// y = (1, 4): ŷ = (−0.5, 4.5), residuals r = (−1.5, 0.5).
nrc::Mlp tiny_linear_net() {
  nrc::Mlp net;
  net.W = {arma::mat{{1.0, 2.0}}};
  net.b = {arma::vec{0.5}};
  net.act = {Activation::Identity};
  return net;
}
const arma::mat kTinyX = {{1.0, 0.0}, {-1.0, 2.0}};
const arma::mat kTinyY = {{1.0, 4.0}};

// Throws std::invalid_argument whose message starts "nrc::<fn>(): expected".
void expect_invalid(const std::string& fn, const std::function<void()>& f) {
  try {
    f();
    ADD_FAILURE() << "no exception from nrc::" << fn;
  } catch (const std::invalid_argument& e) {
    const std::string prefix = "nrc::" + fn + "(): expected";
    EXPECT_EQ(std::string(e.what()).rfind(prefix, 0), 0u) << e.what();
  } catch (...) {
    ADD_FAILURE() << "nrc::" << fn << " threw something other than std::invalid_argument";
  }
}

// ---------------------------------------------------------------------------------------------
// Random instances for the properties.
struct Instance {
  nrc::Mlp net;
  Loss loss;
  arma::mat X, Y;
  double lambda;
};

Instance gen_instance() {
  const int depth = *rc::gen::inRange(1, 6);
  const auto widths = *rc::gen::container<std::vector<uword>>(static_cast<std::size_t>(depth) + 1,
                                                             rc::gen::inRange<uword>(1, 13));
  // 0–4: every layer has that activation (so each is exercised alone); 5: a random mix.
  const int mode = *rc::gen::element(0, 1, 2, 3, 4, 5);
  std::vector<Activation> acts(static_cast<std::size_t>(depth));
  for (auto& a : acts) a = kAllActivations[mode < 5 ? mode : *rc::gen::element(0, 1, 2, 3, 4)];
  const Loss loss = *rc::gen::element(Loss::SquaredError, Loss::SoftmaxCrossEntropy);
  const double lambda =
      *rc::gen::oneOf(rc::gen::just(0.0), rc::gen::map(rc::gen::inRange(0, 1000001), [](int k) { return k / 1e6; }));
  const uword N = *rc::gen::inRange<uword>(1, 9);
  const double scale = *rc::gen::element(0.5, 1.0, 2.0);
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  RC_TAG(mode < 5 ? std::string(nrc::name(acts.front())) : std::string("mixed"), std::string(nrc::name(loss)));

  nrc::Engine rng(seed);
  Instance in{nrc::make_mlp(widths, acts, rng, scale, 0.5), loss, {}, {}, lambda};
  in.X = nrc::randn(widths.front(), N, rng);
  if (loss == Loss::SquaredError) {
    in.Y = nrc::randn(widths.back(), N, rng);
  } else {
    // Non-negative targets that need not sum to 1 (the loss is defined for any y).
    in.Y = arma::abs(nrc::randn(widths.back(), N, rng));
  }
  return in;
}

// Smallest |pre-activation| over the ReLU layers (∞ if there are none).
double min_relu_margin(const nrc::Mlp& net, const arma::mat& X) {
  const nrc::Forward fw = nrc::forward(net, X);
  double m = std::numeric_limits<double>::infinity();
  for (uword l = 0; l < net.depth(); ++l)
    if (net.act[l] == Activation::ReLU) m = std::min(m, arma::abs(fw.A[l]).min());
  return m;
}

// The size of what the data loss (1/N)Σℓ(ŷ_i, y_i) is formed of: per sample (‖ŷ_i‖ + ‖y_i‖₁ + ‖y_i‖
// + log(c + 1))² bounds ℓ's terms for both losses (squared: ‖ŷ − y‖²; cross-entropy: Σy·(lse − ŷ_j),
// |lse| ≤ ‖ŷ‖∞ + log c) and, times ρ, the effect of ŷ's rounding on ℓ.
double loss_terms(const arma::mat& Yhat, const arma::mat& Y) {
  double S = 0;
  const double logc = std::log(static_cast<double>(Y.n_rows) + 1);
  for (uword i = 0; i < Y.n_cols; ++i)
    S += std::pow(arma::norm(Yhat.col(i)) + arma::norm(Y.col(i), 1) + arma::norm(Y.col(i)) + logc, 2);
  return S / static_cast<double>(Y.n_cols);
}

// ---------------------------------------------------------------------------------------------

TEST(NnHandComputed, OneLayerIdentitySquaredLoss) {
  const nrc::Mlp net = tiny_linear_net();
  const double lambda = 0.1;
  const nrc::LossAndGradient r = nrc::regularized_loss(net, Loss::SquaredError, kTinyX, kTinyY, lambda);
  // (1/N)Σ‖ŷ−y‖² = (2.25 + 0.25)/2; penalty = 1 + 4 + 0.25: dyadic numbers, exact. L = 1.25 + 0.1·5.25
  // rounds twice (0.1 is not a double): γ_2 of the value.
  EXPECT_EQ(r.data_loss, 1.25);
  EXPECT_EQ(r.penalty, 5.25);
  EXPECT_NEAR(r.value, 1.775, nrc::test::rounding(2, 1.775));
  // ∇W = (1/N)Σ 2 r_i x_iᵀ + 2λW = ½[(−3, 3) + (0, 2)] + (0.2, 0.4) = (−1.3, 2.9);
  // ∇b = ½(−3 + 1) + 0.2·0.5 = −0.9. Dyadic data terms (exact) plus 2λW (2λ = 0.2 rounded, then a
  // product and a sum): γ_3 of |data term| + |2λW|.
  ASSERT_EQ(r.grad.W.size(), 1u);
  EXPECT_NEAR(r.grad.W[0](0, 0), -1.3, nrc::test::rounding(3, 1.5 + 0.2));
  EXPECT_NEAR(r.grad.W[0](0, 1), 2.9, nrc::test::rounding(3, 2.5 + 0.4));
  EXPECT_NEAR(r.grad.b[0](0), -0.9, nrc::test::rounding(3, 1.0 + 0.1));

  // The same without the 1/N and the penalty: dyadic throughout, exact.
  const nrc::Gradient s = nrc::sum_loss_gradient(net, Loss::SquaredError, kTinyX, kTinyY);
  EXPECT_EQ(s.W[0](0, 0), -3.0);
  EXPECT_EQ(s.W[0](0, 1), 5.0);
  EXPECT_EQ(s.b[0](0), -2.0);
  EXPECT_EQ(nrc::loss_sum(Loss::SquaredError, nrc::forward(net, kTinyX).Z[1], kTinyY), 2.5);
}

// W_L⋯W_1 by hand for a 3-2-2-1 identity net (integers: exact).
TEST(NnHandComputed, WeightProduct) {
  nrc::Engine rng(1);
  nrc::Mlp net = nrc::make_mlp({3, 2, 2, 1}, std::vector<nrc::Activation>(3, nrc::Activation::Identity), rng);
  net.W[0] = {{1, 0, 2}, {0, 1, 1}};
  net.W[1] = {{1, 0}, {0, 3}};
  net.W[2] = {{1, 2}};
  const arma::mat P = nrc::weight_product(net);   // [[1, 6]]·W_1 = [[1, 6, 8]], exact in integers
  ASSERT_EQ(P.n_rows, 1u);
  ASSERT_EQ(P.n_cols, 3u);
  EXPECT_EQ(P(0, 0), 1.0);
  EXPECT_EQ(P(0, 1), 6.0);
  EXPECT_EQ(P(0, 2), 8.0);
}

TEST(NnHandComputed, SoftmaxCrossEntropyValues) {
  // ŷ = 0: softmax = (½, ½); ℓ = −Σ y_j log ½ = (Σy) log 2; ∇ = ½Σy − y.
  const arma::mat Yhat(2, 1, arma::fill::zeros);
  // exp(0) = 1 and the softmax (½, ½) are exact; log 2 comes from libm (≤ 1 ulp, within γ_1), and
  // Σy·log 2 is one more product: γ_2.
  const arma::mat Y1 = arma::vec{1.0, 0.0};
  EXPECT_NEAR(nrc::loss_sum(Loss::SoftmaxCrossEntropy, Yhat, Y1), std::log(2.0), nrc::test::rounding(2, std::log(2.0)));
  const arma::mat g1 = nrc::loss_gradient(Loss::SoftmaxCrossEntropy, Yhat, Y1);
  EXPECT_EQ(g1(0, 0), -0.5);   // exact: ½·1 − 1
  EXPECT_EQ(g1(1, 0), 0.5);
  const arma::mat Y3 = arma::vec{2.0, 1.0};   // Σy = 3
  EXPECT_NEAR(nrc::loss_sum(Loss::SoftmaxCrossEntropy, Yhat, Y3), 3.0 * std::log(2.0),
              nrc::test::rounding(4, 3.0 * std::log(2.0)));
  const arma::mat g3 = nrc::loss_gradient(Loss::SoftmaxCrossEntropy, Yhat, Y3);
  EXPECT_EQ(g3(0, 0), -0.5);   // exact: ½·3 − 2
  EXPECT_EQ(g3(1, 0), 0.5);
  // Squared loss: gradient 2(ŷ − y), no ½ (exact).
  const arma::mat gs = nrc::loss_gradient(Loss::SquaredError, arma::mat{3.0}, arma::mat{1.0});
  EXPECT_EQ(gs(0, 0), 4.0);
}

TEST(NnHandComputed, EmptyBatchGivesZeroSumGradient) {
  nrc::Engine rng(2);
  const nrc::Mlp net = nrc::make_mlp({3, 4, 5, 2}, {Activation::Tanh, Activation::ReLU, Activation::Identity}, rng);
  for (Loss loss : {Loss::SquaredError, Loss::SoftmaxCrossEntropy}) {
    const nrc::Gradient g = nrc::sum_loss_gradient(net, loss, arma::mat(3, 0), arma::mat(2, 0));
    const arma::vec flat = nrc::flatten(g);
    EXPECT_EQ(flat.n_elem, net.parameter_count());
    EXPECT_TRUE(arma::all(flat == 0.0));
    EXPECT_EQ(nrc::loss_sum(loss, arma::mat(2, 0), arma::mat(2, 0)), 0.0);
  }
}

TEST(NnHandComputed, WorkspaceReleaseKeepsResults) {
  nrc::Engine rng(5);
  const nrc::Mlp net = nrc::make_mlp({6, 5, 6}, {Activation::Softplus, Activation::Sigmoid}, rng);
  const arma::mat X = nrc::randn(6, 9, rng);
  const nrc::LossAndGradient a = nrc::regularized_loss(net, Loss::SquaredError, X, X, 0.3);
  // A call of other shapes in between, then a release: the buffers are reshaped or rebuilt.
  nrc::sum_loss_gradient(net, Loss::SoftmaxCrossEntropy, X.cols(0, 2), arma::abs(X.cols(0, 2)));
  const nrc::LossAndGradient b = nrc::regularized_loss(net, Loss::SquaredError, X, X, 0.3);
  nrc::release_nn_workspace();
  const nrc::LossAndGradient c = nrc::regularized_loss(net, Loss::SquaredError, X, X, 0.3);
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.value, c.value);
  EXPECT_TRUE(arma::approx_equal(nrc::flatten(a.grad), nrc::flatten(c.grad), "absdiff", 0.0));
  EXPECT_TRUE(arma::approx_equal(nrc::flatten(a.grad), nrc::flatten(b.grad), "absdiff", 0.0));
}

TEST(NnLoss, CrossEntropyStableAtLargeLogits) {
  const arma::mat Yhat = {{1000.0, 1000.0, -1000.0}, {0.0, 1000.0, -1000.0}, {-1000.0, -1000.0, 1000.0}};
  const arma::mat Y = {{0.0, 1.0, 0.0}, {1.0, 0.0, 0.0}, {0.0, 0.0, 1.0}};
  // Columns: ℓ = 1000 + log(1 + e^−1000 + e^−2000) = 1000; ℓ = log 2; ℓ = log(1 + 2e^−2000) = 0.
  // e^−1000 and e^−2000 underflow to 0, so the shifted sums are exactly 1, 2, 1: the only rounding
  // is libm's log 2 (≤ 1 ulp) and the sum over columns (γ_2 of it).
  EXPECT_EQ(nrc::loss_sum(Loss::SoftmaxCrossEntropy, Yhat.col(0), Y.col(0)), 1000.0);
  EXPECT_NEAR(nrc::loss_sum(Loss::SoftmaxCrossEntropy, Yhat.col(1), Y.col(1)), std::log(2.0),
              nrc::test::rounding(1, std::log(2.0)));
  EXPECT_EQ(nrc::loss_sum(Loss::SoftmaxCrossEntropy, Yhat.col(2), Y.col(2)), 0.0);
  EXPECT_NEAR(nrc::loss_sum(Loss::SoftmaxCrossEntropy, Yhat, Y), 1000.0 + std::log(2.0),
              nrc::test::rounding(2, 1000.0 + std::log(2.0)));
  const arma::mat G = nrc::loss_gradient(Loss::SoftmaxCrossEntropy, Yhat, Y);
  ASSERT_TRUE(G.is_finite());
  // Softmax of (0, −1000, −2000), (0, 0, −2000), (−2000, −2000, 0) after the shift: (1, 0, 0),
  // (½, ½, 0), (0, 0, 1) exactly, so the gradient softmax·Σy − y is exact.
  const arma::mat expected = {{1.0, -0.5, 0.0}, {-1.0, 0.5, 0.0}, {0.0, 0.0, 0.0}};
  EXPECT_TRUE(arma::approx_equal(G, expected, "absdiff", 0.0)) << G;
}

TEST(NnActivation, ValuesAndDerivativesAtKnownPoints) {
  const double t1 = 0.76159415595576488812;   // tanh(1)
  // The tanh kernel is within 4ε of libm (TanhKernelMatchesLibm), libm within 1 ulp of tanh: 5ε
  // relative. exp- and log1p-based activations: libm's ≤ 1 ulp per call plus one or two operations.
  const double eps = std::numeric_limits<double>::epsilon();
  EXPECT_EQ(scalar_act(Activation::Identity, -3.5), -3.5);
  EXPECT_EQ(scalar_deriv(Activation::Identity, -3.5), 1.0);
  EXPECT_EQ(scalar_act(Activation::Tanh, 0.0), 0.0);
  EXPECT_NEAR(scalar_act(Activation::Tanh, 1.0), t1, 5 * eps * t1);
  EXPECT_NEAR(scalar_act(Activation::Tanh, -1.0), -t1, 5 * eps * t1);
  EXPECT_EQ(scalar_act(Activation::Tanh, 30.0), 1.0);
  EXPECT_EQ(scalar_act(Activation::Tanh, -1e300), -1.0);
  EXPECT_EQ(scalar_deriv(Activation::Tanh, 0.0), 1.0);
  // 1 − t²: t within 5ε relative, then a square and a difference (|d(1 − t²)/dt|·5ε·t = 10ε·t²).
  EXPECT_NEAR(scalar_deriv(Activation::Tanh, 1.0), 1.0 - t1 * t1, 10 * eps * t1 * t1 + nrc::test::rounding(2, 1.0));
  EXPECT_EQ(scalar_act(Activation::ReLU, -1.0), 0.0);
  EXPECT_EQ(scalar_act(Activation::ReLU, 2.5), 2.5);
  EXPECT_EQ(scalar_deriv(Activation::ReLU, 0.0), 0.0);   // the convention ReLU'(0) := 0
  EXPECT_EQ(scalar_deriv(Activation::ReLU, -1.0), 0.0);
  EXPECT_EQ(scalar_deriv(Activation::ReLU, 1e-300), 1.0);
  EXPECT_EQ(scalar_act(Activation::Sigmoid, 0.0), 0.5);
  EXPECT_EQ(scalar_deriv(Activation::Sigmoid, 0.0), 0.25);
  EXPECT_EQ(scalar_act(Activation::Sigmoid, 800.0), 1.0);
  EXPECT_EQ(scalar_act(Activation::Sigmoid, -800.0), 0.0);
  EXPECT_NEAR(scalar_act(Activation::Sigmoid, -40.0), 4.2483542552915889e-18,   // e^−40/(1+e^−40)
              nrc::test::rounding(4, 4.2483542552915889e-18));
  EXPECT_EQ(scalar_deriv(Activation::Sigmoid, 800.0), 0.0);
  EXPECT_NEAR(scalar_act(Activation::Softplus, 0.0), std::log(2.0), nrc::test::rounding(2, std::log(2.0)));
  EXPECT_EQ(scalar_deriv(Activation::Softplus, 0.0), 0.5);   // σ(0) = 1/(1 + e⁰): exact
  EXPECT_EQ(scalar_act(Activation::Softplus, 800.0), 800.0);
  EXPECT_EQ(scalar_act(Activation::Softplus, -800.0), 0.0);
  EXPECT_NEAR(scalar_act(Activation::Softplus, -40.0), 4.2483542552915889e-18,   // log1p(e^−40)
              nrc::test::rounding(4, 4.2483542552915889e-18));
  EXPECT_NEAR(scalar_act(Activation::Softplus, 40.0), 40.0, nrc::test::rounding(4, 40.0));   // 40 + 4e-18
  EXPECT_EQ(scalar_deriv(Activation::Softplus, 800.0), 1.0);
  // NaN propagates (a NaN must never turn into a finite loss), and no overflow to ∞ or NaN
  // from exp of large arguments.
  for (Activation a : kAllActivations)
    EXPECT_TRUE(std::isnan(scalar_act(a, std::numeric_limits<double>::quiet_NaN()))) << nrc::name(a);
  for (Activation a : kAllActivations) {
    const arma::mat big = {{1e308, -1e308, 710.0, -710.0}};
    EXPECT_TRUE(nrc::activate(a, big).is_finite()) << nrc::name(a);
    EXPECT_TRUE(nrc::activation_derivative(a, big).is_finite()) << nrc::name(a);
  }
}

// tanh comes from the library's own SIMD kernel (libm's is ~4× slower): compare it with libm
// over many magnitudes, special values included, and check that a value does not depend on its
// position in the matrix (the 4-wide body and the padded tail run the same code).
TEST(NnActivation, TanhKernelMatchesLibm) {
  std::vector<double> xs = {0.0, -0.0, 1e-310, -5e-324, 1e-20, 0.1, 0.25, 0.3465, 0.3466, 0.5, 0.6931, 1.0,
                            2.0, 5.0, 9.5, 18.9, 19.1, 20.0, 21.0, 700.0, 1e300,
                            std::numeric_limits<double>::infinity()};
  nrc::Engine rng(7);
  const arma::mat r = nrc::randn(1, 4000, rng);
  for (uword k = 0; k < r.n_elem; ++k) xs.push_back(r(k) * std::pow(10.0, (k % 12) - 8.0));
  const uword n = xs.size();
  arma::mat A(n, 2);
  for (uword k = 0; k < n; ++k) {
    A(k, 0) = xs[k];
    A(k, 1) = -xs[k];
  }
  const arma::mat T = nrc::activate(Activation::Tanh, A);
  for (uword k = 0; k < n; ++k)
    for (uword j = 0; j < 2; ++j) {
      const double ref = std::tanh(A(k, j));
      ASSERT_LE(std::abs(T(k, j) - ref), 4 * std::numeric_limits<double>::epsilon() * std::abs(ref))
          << "x = " << A(k, j);
      ASSERT_EQ(std::signbit(T(k, j)), std::signbit(A(k, j))) << "x = " << A(k, j);
      // Same value computed alone (a 1×1 matrix goes through the padded tail).
      ASSERT_EQ(T(k, j), scalar_act(Activation::Tanh, A(k, j))) << "x = " << A(k, j);
    }
  EXPECT_TRUE(std::isnan(scalar_act(Activation::Tanh, std::numeric_limits<double>::quiet_NaN())));
}

TEST(NnNames, ParseRoundTrip) {
  for (Activation a : kAllActivations) EXPECT_EQ(nrc::parse_activation(nrc::name(a)), a);
  for (Loss l : {Loss::SquaredError, Loss::SoftmaxCrossEntropy}) EXPECT_EQ(nrc::parse_loss(nrc::name(l)), l);
  EXPECT_EQ(nrc::parse_loss("squared"), Loss::SquaredError);
  EXPECT_EQ(nrc::parse_loss("cross_entropy"), Loss::SoftmaxCrossEntropy);
  EXPECT_EQ(nrc::parse_activation("relu"), Activation::ReLU);
}

TEST(NnMakeMlp, ShapesAndSeedDeterminism) {
  nrc::Engine a(3), b(3);
  const std::vector<uword> widths = {5, 7, 2};
  const std::vector<Activation> acts = {Activation::Tanh, Activation::Identity};
  const nrc::Mlp n1 = nrc::make_mlp(widths, acts, a), n2 = nrc::make_mlp(widths, acts, b);
  ASSERT_EQ(n1.depth(), 2u);
  EXPECT_EQ(n1.input_dim(), 5u);
  EXPECT_EQ(n1.output_dim(), 2u);
  EXPECT_EQ(n1.W[0].n_rows, 7u);
  EXPECT_EQ(n1.W[0].n_cols, 5u);
  EXPECT_EQ(n1.b[1].n_elem, 2u);
  EXPECT_EQ(n1.parameter_count(), 7u * 5 + 7 + 2 * 7 + 2);
  EXPECT_TRUE(arma::approx_equal(nrc::flatten(n1), nrc::flatten(n2), "absdiff", 0.0));
  // Variance scale²/n_{l−1}: on a wide layer the sample variance is close. Not rounding but sampling:
  // the sample variance of n Gaussian draws has standard deviation σ²·√(2/(n − 1)); allow 5 of them
  // (a false alarm below 1e-6; the draw is seeded, so this is one fixed number anyway).
  nrc::Engine c(4);
  const nrc::Mlp wide = nrc::make_mlp({400, 300}, {Activation::Tanh}, c, 2.0, 0.0);
  EXPECT_NEAR(arma::var(arma::vectorise(wide.W[0])), 4.0 / 400, 5 * (4.0 / 400) * std::sqrt(2.0 / (400 * 300 - 1)));
  EXPECT_TRUE(arma::all(wide.b[0] == 0.0));
}

TEST(NnErrors, PreconditionsThrowInvalidArgument) {
  nrc::Engine rng(1);
  const nrc::Mlp net = tiny_linear_net();
  const arma::mat X2(2, 3, arma::fill::ones), Y1(1, 3, arma::fill::ones);
  expect_invalid("make_mlp", [&] { nrc::make_mlp({}, {}, rng); });
  expect_invalid("make_mlp", [&] { nrc::make_mlp({3}, {}, rng); });
  expect_invalid("make_mlp", [&] { nrc::make_mlp({3, 0, 2}, {Activation::Tanh, Activation::Tanh}, rng); });
  expect_invalid("make_mlp", [&] { nrc::make_mlp({3, 2}, {Activation::Tanh, Activation::Tanh}, rng); });
  expect_invalid("make_mlp", [&] { nrc::make_mlp({3, 2}, {}, rng); });
  expect_invalid("make_mlp", [&] { nrc::make_mlp({3, 2}, {Activation::Tanh}, rng, -1.0); });
  expect_invalid("make_mlp", [&] { nrc::make_mlp({3, 2}, {Activation::Tanh}, rng, 1.0, std::nan("")); });
  expect_invalid("make_mlp", [&] { nrc::make_mlp({3, 2}, {static_cast<Activation>(42)}, rng); });
  expect_invalid("parse_activation", [] { nrc::parse_activation("gelu"); });
  expect_invalid("parse_activation", [] { nrc::parse_activation("Tanh"); });
  expect_invalid("parse_loss", [] { nrc::parse_loss("hinge"); });
  expect_invalid("activate", [] { nrc::activate(static_cast<Activation>(42), arma::mat(2, 2)); });
  expect_invalid("activation_derivative",
                 [] { nrc::activation_derivative(static_cast<Activation>(-1), arma::mat(2, 2)); });

  auto reg = [&](const arma::mat& X, const arma::mat& Y, double lambda) {
    return [&net, X, Y, lambda] { nrc::regularized_loss(net, Loss::SquaredError, X, Y, lambda); };
  };
  expect_invalid("regularized_loss", reg(arma::mat(3, 3, arma::fill::ones), Y1, 0.1));   // X rows ≠ d
  expect_invalid("regularized_loss", reg(X2, arma::mat(2, 3, arma::fill::ones), 0.1));   // Y rows ≠ out
  expect_invalid("regularized_loss", reg(X2, arma::mat(1, 2, arma::fill::ones), 0.1));   // N differs
  expect_invalid("regularized_loss", reg(arma::mat(2, 0), arma::mat(1, 0), 0.1));        // N = 0
  expect_invalid("regularized_loss", reg(X2, Y1, -1e-9));
  expect_invalid("regularized_loss", reg(X2, Y1, std::nan("")));
  expect_invalid("regularized_loss", reg(X2, Y1, std::numeric_limits<double>::infinity()));
  expect_invalid("regularized_loss",
                 [&] { nrc::regularized_loss(net, static_cast<Loss>(9), X2, Y1, 0.0); });
  expect_invalid("sum_loss_gradient",
                 [&] { nrc::sum_loss_gradient(net, Loss::SquaredError, X2, arma::mat(1, 4)); });
  expect_invalid("forward", [&] { nrc::forward(net, arma::mat(3, 2)); });
  expect_invalid("loss_sum", [] { nrc::loss_sum(Loss::SquaredError, arma::mat(2, 2), arma::mat(2, 3)); });
  expect_invalid("loss_gradient",
                 [] { nrc::loss_gradient(Loss::SoftmaxCrossEntropy, arma::mat(3, 2), arma::mat(2, 2)); });
  expect_invalid("backprop_deltas", [&] {
    const nrc::Forward fw = nrc::forward(net, X2);
    nrc::backprop_deltas(net, fw, arma::mat(1, 2));
  });

  nrc::Mlp broken = net;
  broken.act.clear();   // acts.size() ≠ L
  expect_invalid("regularized_loss", [&] { nrc::regularized_loss(broken, Loss::SquaredError, X2, Y1, 0.0); });
  nrc::Mlp copy = net;
  expect_invalid("unflatten", [&] { nrc::unflatten(copy, arma::vec(net.parameter_count() + 1)); });
  expect_invalid("unflatten", [&] { nrc::unflatten(copy, arma::vec()); });
}

// ---------------------------------------------------------------------------------------------
// Properties.

RC_GTEST_PROP(NnFlatten, UnflattenRoundTrip, ()) {
  const Instance in = gen_instance();
  const arma::vec theta0 = nrc::flatten(in.net);
  RC_ASSERT(theta0.n_elem == in.net.parameter_count());
  nrc::Engine rng(*rc::gen::arbitrary<std::uint64_t>());
  const arma::vec theta = nrc::randn(theta0.n_elem, 1, rng);
  nrc::Mlp net = in.net;
  nrc::unflatten(net, theta);
  RC_ASSERT(arma::approx_equal(nrc::flatten(net), theta, "absdiff", 0.0));
  // Layout W_1 (column-major), b_1, W_2, …: the first entries are W_1(0,0), W_1(1,0).
  RC_ASSERT(net.W[0](0, 0) == theta(0));
  if (net.W[0].n_rows > 1) RC_ASSERT(net.W[0](1, 0) == theta(1));
  RC_ASSERT(net.b[0](0) == theta(net.W[0].n_elem));
  nrc::unflatten(net, theta0);
  RC_ASSERT(arma::approx_equal(nrc::flatten(net), theta0, "absdiff", 0.0));
  // A Gradient flattens in the same layout.
  nrc::Gradient g{net.W, net.b};
  RC_ASSERT(arma::approx_equal(nrc::flatten(g), theta0, "absdiff", 0.0));
}

// ReLU activation pattern (which pre-activations are > 0) of every ReLU layer.
std::vector<arma::umat> relu_pattern(const nrc::Mlp& net, const arma::mat& X) {
  const nrc::Forward fw = nrc::forward(net, X);
  std::vector<arma::umat> p;
  for (uword l = 0; l < net.depth(); ++l)
    if (net.act[l] == Activation::ReLU) p.push_back(fw.A[l] > 0.0);
  return p;
}

// THE key property: ∇L_λ from backprop equals the finite-difference gradient of L_λ (eq. 3).
// Difference quotient: the fourth-order central stencil
//   ∂_i L ≈ D4_i := [8(L(θ+h e_i) − L(θ−h e_i)) − (L(θ+2h e_i) − L(θ−2h e_i))] / (12h),
// truncation error h⁴|∂⁵L|/30, with h = 1e-4·max(1, |θ_i|) (a relative step, so large parameters
// are perturbed proportionally). Allowance per coordinate, both parts estimated from this instance:
//  * truncation: |D4_i − D2_i|, D2_i := (L(θ+h e_i) − L(θ−h e_i))/(2h) the plain central difference;
//    its own error h²|∂³L|/6 dwarfs D4's, so the difference estimates (over-estimates) D4's error;
//  * rounding: each L value within δ_L of its exact value, so D4_i within (8·2 + 2)δ_L/(12h) = 1.5δ_L/h,
//    δ_L = ρ·(loss_terms + λ‖θ‖²) + γ_{P}·λ‖θ‖² (ρ = pass_rounding; P parameters in the penalty).
// backprop's own rounding (support.hpp's gradient_rounding) is added for g. The test fails if
// ‖g_fd − g‖ exceeds the sum of these (Euclidean over coordinates).
// ReLU is not differentiable at 0: instances with a ReLU pre-activation within 1e-3 of the kink
// are discarded (the gradient is undefined or FD straddles the kink), and so are the (so far
// never seen) instances where some step θ ± 2h changes a ReLU pattern.
RC_GTEST_PROP(NnGradient, MatchesFiniteDifferences, ()) {
  const Instance in = gen_instance();
  if (min_relu_margin(in.net, in.X) < 1e-3) RC_DISCARD("a ReLU pre-activation within 1e-3 of the kink");
  const bool has_relu = std::find(in.net.act.begin(), in.net.act.end(), Activation::ReLU) != in.net.act.end();
  const std::vector<arma::umat> pattern = relu_pattern(in.net, in.X);

  const nrc::LossAndGradient r = nrc::regularized_loss(in.net, in.loss, in.X, in.Y, in.lambda);
  const arma::vec g = nrc::flatten(r.grad);
  const arma::vec theta = nrc::flatten(in.net);
  RC_ASSERT(g.n_elem == theta.n_elem);
  RC_ASSERT(g.is_finite());

  nrc::Mlp probe = in.net;
  arma::vec th = theta;
  arma::vec g_fd(theta.n_elem);
  bool crossed = false;
  auto value_at = [&](double v, uword i) {
    th(i) = v;
    nrc::unflatten(probe, th);
    if (has_relu) {
      const std::vector<arma::umat> p = relu_pattern(probe, in.X);
      for (std::size_t k = 0; k < p.size(); ++k) crossed = crossed || arma::any(arma::vectorise(p[k] != pattern[k]));
    }
    return nrc::regularized_loss(probe, in.loss, in.X, in.Y, in.lambda).value;
  };
  const nrc::Forward fw = nrc::forward(in.net, in.X);
  const double rho = nrc::test::pass_rounding(in.net);
  const double pen = in.lambda * arma::dot(theta, theta), gP = nrc::tol::gamma(theta.n_elem + 2);
  const double delta_L = rho * (loss_terms(fw.Z.back(), in.Y) + pen) + gP * pen;
  arma::vec allowance(theta.n_elem);
  for (uword i = 0; i < theta.n_elem; ++i) {
    const double h = 1e-4 * std::max(1.0, std::abs(theta(i)));
    const double d1 = value_at(theta(i) + h, i) - value_at(theta(i) - h, i);
    const double d2 = value_at(theta(i) + 2 * h, i) - value_at(theta(i) - 2 * h, i);
    g_fd(i) = (8 * d1 - d2) / (12 * h);
    allowance(i) = std::abs(g_fd(i) - d1 / (2 * h)) + 1.5 * delta_L / h;
    th(i) = theta(i);
  }
  if (crossed) RC_DISCARD("a finite-difference step crossed a ReLU kink");
  const double g_rounding = nrc::test::gradient_rounding(in.net, in.loss, in.X, in.Y, in.lambda);
  const double err = arma::norm(g_fd - g), tol = arma::norm(allowance) + g_rounding;
  RC_LOG() << "‖g_fd − g‖ = " << err << ", allowance " << tol << " (FD " << arma::norm(allowance)
           << ", backprop " << g_rounding << "), ‖g‖ = " << arma::norm(g) << ", L = " << r.value << "\n";
  RC_ASSERT(err <= tol);
}

// ---------------------------------------------------------------------------------------------
// Hessian-vector products (hessian_vector_product, the R-operator).

// A first-order rounding estimate of the computed Hv: every intermediate of the R-passes is within
// a relative ρ = pass_rounding of the size of the terms it adds (the convention of support.hpp), and
// each entry of Hv_W = (R{D}zᵀ + D R{z}ᵀ)/N + 2λV adds N products of each kind. The term sizes
// follow the recursion of lib/nn/mlp.hpp with absolute values (|σ'|, |σ''|, |W|, |V|, and the output
// gradient's terms 2(|ŷ| + |y|) or s·Σy + |y|), so cancellation costs no accuracy in the estimate.
double hv_rounding(const Instance& in, const arma::vec& v) {
  nrc::Mlp dir = in.net;
  nrc::unflatten(dir, v);
  const uword L = in.net.depth();
  const double N = static_cast<double>(in.X.n_cols);
  const nrc::Forward fw = nrc::forward(in.net, in.X);
  std::vector<arma::mat> RZ(L + 1), RA(L), S1(L), S2(L);
  RZ[0].zeros(in.X.n_rows, in.X.n_cols);
  for (uword l = 1; l <= L; ++l) {
    RA[l - 1] = arma::abs(dir.W[l - 1]) * arma::abs(fw.Z[l - 1]) + arma::abs(in.net.W[l - 1]) * RZ[l - 1];
    RA[l - 1].each_col() += arma::abs(dir.b[l - 1]);
    S1[l - 1] = arma::abs(nrc::activation_derivative(in.net.act[l - 1], fw.A[l - 1]));
    S2[l - 1] = arma::abs(nrc::activation_second_derivative(in.net.act[l - 1], fw.A[l - 1]));
    RZ[l] = S1[l - 1] % RA[l - 1];
  }
  const arma::mat& Yh = fw.Z[L];
  arma::mat T, RT;
  if (in.loss == Loss::SquaredError) {
    T = 2 * (arma::abs(Yh) + arma::abs(in.Y));
    RT = 2 * RZ[L];
  } else {
    arma::mat P = Yh;
    P.each_row() -= arma::max(P, 0);
    P = arma::exp(P);
    P.each_row() /= arma::sum(P, 0);
    const arma::rowvec ysum = arma::sum(arma::abs(in.Y), 0);
    T = P.each_row() % ysum + arma::abs(in.Y);
    RT = (P % RZ[L] + P.each_row() % arma::sum(P % RZ[L], 0)).eval().each_row() % ysum;
  }
  double S = 0;
  for (uword l = L; l >= 1; --l) {
    const arma::mat D = S1[l - 1] % T;
    const arma::mat RD = S2[l - 1] % RA[l - 1] % T + S1[l - 1] % RT;
    const double wl = arma::norm(RD * arma::abs(fw.Z[l - 1]).t() + D * RZ[l - 1].t(), "fro") / N +
                      arma::norm(arma::sum(RD, 1), 2) / N + 2 * in.lambda * arma::norm(nrc::flatten(dir));
    S += wl;
    if (l > 1) {
      RT = arma::abs(dir.W[l - 1]).t() * D + arma::abs(in.net.W[l - 1]).t() * RD;
      T = arma::abs(in.net.W[l - 1]).t() * D;
    }
  }
  return (nrc::tol::gamma(in.X.n_cols + 2) + nrc::test::pass_rounding(in.net)) * S;
}

// A random unit direction in parameter space.
arma::vec unit_direction(uword n) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  nrc::Engine rng(seed);
  const arma::vec v = nrc::randn(n, 1, rng);
  return v / arma::norm(v);
}

// Hv against the directional derivative of the exact gradient along v, by the fourth-order central
// stencil D4 = [8(g(θ+hv) − g(θ−hv)) − (g(θ+2hv) − g(θ−2hv))]/(12h), h = 1e-4·max(1, ‖θ‖∞), ‖v‖ = 1.
// Allowance, as in NnGradient.MatchesFiniteDifferences: truncation ‖D4 − D2‖ (D2 the plain central
// difference, whose error dwarfs D4's), rounding 1.5δ_g/h with δ_g = gradient_rounding (each gradient
// within δ_g), and Hv's own rounding (hv_rounding). ReLU instances near a kink are discarded.
RC_GTEST_PROP(NnHessian, MatchesDifferencesOfTheGradient, ()) {
  const Instance in = gen_instance();
  if (min_relu_margin(in.net, in.X) < 1e-3) RC_DISCARD("a ReLU pre-activation within 1e-3 of the kink");
  const arma::vec theta = nrc::flatten(in.net);
  const arma::vec v = unit_direction(theta.n_elem);
  const arma::vec hv = nrc::hessian_vector_product(in.net, in.loss, in.X, in.Y, in.lambda, v);
  RC_ASSERT(hv.n_elem == theta.n_elem);
  RC_ASSERT(hv.is_finite());
  const bool has_relu = std::find(in.net.act.begin(), in.net.act.end(), Activation::ReLU) != in.net.act.end();
  const std::vector<arma::umat> pattern = relu_pattern(in.net, in.X);
  bool crossed = false;
  nrc::Mlp probe = in.net;
  auto grad_at = [&](double t) {
    nrc::unflatten(probe, theta + t * v);
    if (has_relu) {
      const std::vector<arma::umat> p = relu_pattern(probe, in.X);
      for (std::size_t k = 0; k < p.size(); ++k) crossed = crossed || arma::any(arma::vectorise(p[k] != pattern[k]));
    }
    return arma::vec(nrc::flatten(nrc::regularized_loss(probe, in.loss, in.X, in.Y, in.lambda).grad));
  };
  const double h = 1e-4 * std::max(1.0, arma::abs(theta).max());
  const arma::vec d1 = grad_at(h) - grad_at(-h), d2 = grad_at(2 * h) - grad_at(-2 * h);
  if (crossed) RC_DISCARD("a finite-difference step crossed a ReLU kink");
  const arma::vec d4 = (8 * d1 - d2) / (12 * h);
  const double delta_g = nrc::test::gradient_rounding(in.net, in.loss, in.X, in.Y, in.lambda);
  const double tol = arma::norm(d4 - d1 / (2 * h)) + 1.5 * delta_g / h + hv_rounding(in, v);
  RC_LOG() << "‖Hv − D4‖ = " << arma::norm(hv - d4) << ", allowance " << tol << ", ‖Hv‖ = " << arma::norm(hv) << "\n";
  RC_ASSERT(arma::norm(hv - d4) <= tol);
}

// The Hessian is symmetric: ⟨u, Hv⟩ = ⟨Hu, v⟩ up to the rounding of both products (hv_rounding,
// times the unit other vector) and of the two P-term dot products, γ_P(|u|ᵀ|Hv| + |Hu|ᵀ|v|). And it
// is linear in v: H(2v) = 2Hv exactly (a power of two scales every term of the passes exactly).
RC_GTEST_PROP(NnHessian, IsSymmetricAndLinear, ()) {
  const Instance in = gen_instance();
  const uword P = in.net.parameter_count();
  const arma::vec u = unit_direction(P), v = unit_direction(P);
  const arma::vec hu = nrc::hessian_vector_product(in.net, in.loss, in.X, in.Y, in.lambda, u);
  const arma::vec hv = nrc::hessian_vector_product(in.net, in.loss, in.X, in.Y, in.lambda, v);
  const double tol = hv_rounding(in, u) + hv_rounding(in, v) +
                     nrc::tol::gamma(P) * (arma::dot(arma::abs(u), arma::abs(hv)) + arma::dot(arma::abs(hu), arma::abs(v)));
  RC_ASSERT(std::abs(arma::dot(u, hv) - arma::dot(hu, v)) <= tol);
  RC_ASSERT(arma::all(nrc::hessian_vector_product(in.net, in.loss, in.X, in.Y, in.lambda, 2 * v) == 2 * hv));
}

// By hand: ŷ = Wx + b (one identity layer), squared loss, λ: L = (1/N)Σ‖Wx_i + b − y_i‖² + λ(‖W‖² + ‖b‖²)
// is quadratic, with Hv = ((2/N)Σ_i (V x_i + c)x_iᵀ + 2λV, (2/N)Σ_i (V x_i + c) + 2λc) — exact in
// binary for these small integers and λ = 1/4.
TEST(NnHessian, OneLayerIdentitySquaredLossByHand) {
  const nrc::Mlp net = tiny_linear_net();
  const arma::vec v = {1.0, -1.0, 2.0};   // V = [1 −1], c = 2
  const arma::vec hv = nrc::hessian_vector_product(net, Loss::SquaredError, kTinyX, kTinyY, 0.25, v);
  // V x_1 + c = 1 + 1 + 2 = 4, V x_2 + c = 0 − 2 + 2 = 0; (2/2)(4·x_1ᵀ + 0) = (4, −4); + 2·¼·V = (0.5, −0.5).
  EXPECT_EQ(hv(0), 4.5);
  EXPECT_EQ(hv(1), -4.5);
  EXPECT_EQ(hv(2), 4.0 + 0.0 + 1.0);   // (2/2)(4 + 0) + 2·¼·2
  expect_invalid("HessianOperator", [&] {
    nrc::hessian_vector_product(net, Loss::SquaredError, kTinyX, kTinyY, 0.25, arma::vec(2, arma::fill::zeros));
  });
  expect_invalid("HessianOperator", [&] {
    nrc::hessian_vector_product(net, Loss::SquaredError, kTinyX, kTinyY, -1.0, v);
  });
}

TEST(NnActivation, SecondDerivativesAtKnownPoints) {
  const arma::mat a = {{-1.0, 0.0, 0.5}};
  const arma::mat t = arma::tanh(a), s = 1 / (1 + arma::exp(-a));
  // One libm evaluation and a few products each: within 8u of the value's scale (≤ 1).
  const double tol = 8 * nrc::tol::unit_roundoff;
  EXPECT_TRUE(arma::approx_equal(nrc::activation_second_derivative(Activation::Tanh, a), -2 * t % (1 - t % t), "absdiff", tol));
  EXPECT_TRUE(arma::approx_equal(nrc::activation_second_derivative(Activation::Sigmoid, a), s % (1 - s) % (1 - 2 * s), "absdiff", tol));
  EXPECT_TRUE(arma::approx_equal(nrc::activation_second_derivative(Activation::Softplus, a), s % (1 - s), "absdiff", tol));
  EXPECT_TRUE(arma::all(arma::vectorise(nrc::activation_second_derivative(Activation::Identity, a)) == 0));
  EXPECT_TRUE(arma::all(arma::vectorise(nrc::activation_second_derivative(Activation::ReLU, a)) == 0));
}

// The fused path (regularized_loss, sum_loss_gradient) agrees with the public building blocks
// forward → loss_gradient → backprop_deltas → gradient_from_deltas, and with eq. (3)'s pieces.
RC_GTEST_PROP(NnGradient, FusedPathMatchesBuildingBlocks, ()) {
  const Instance in = gen_instance();
  const double N = static_cast<double>(in.X.n_cols);
  const nrc::Forward fw = nrc::forward(in.net, in.X);
  const arma::mat& Yhat = fw.Z.back();
  const nrc::Gradient blocks =
      nrc::gradient_from_deltas(fw, nrc::backprop_deltas(in.net, fw, nrc::loss_gradient(in.loss, Yhat, in.Y)));
  const arma::vec gb = nrc::flatten(blocks);
  const arma::vec gs = nrc::flatten(nrc::sum_loss_gradient(in.net, in.loss, in.X, in.Y));
  // Two evaluations of the same sums Σ_i d_i z_iᵀ (GEMMs possibly blocked differently) on forward and
  // backward passes each within ρ of their terms' size (pass_rounding, delta_terms): within
  // 2(γ_N + ρ)·gradient_terms.
  const double tol = 2 * (nrc::tol::gamma(in.X.n_cols) + nrc::test::pass_rounding(in.net)) *
                     nrc::test::gradient_terms(fw, nrc::test::delta_terms(in.net, fw, in.loss, in.Y));
  RC_ASSERT(arma::norm(gs - gb) <= tol);

  const nrc::LossAndGradient r = nrc::regularized_loss(in.net, in.loss, in.X, in.Y, in.lambda);
  const arma::vec theta = nrc::flatten(in.net);
  const arma::vec expected = gb / N + 2.0 * in.lambda * theta;
  // The same, scaled by 1/N, plus 2λθ formed twice (γ_2 each).
  RC_ASSERT(arma::norm(nrc::flatten(r.grad) - expected) <=
            tol / N + nrc::test::rounding(4, 2 * in.lambda * arma::norm(theta)) + nrc::test::rounding(2, arma::norm(expected)));

  // Two evaluations of (1/N)Σℓ from forward passes within ρ each, and sums of c·N terms.
  const double data = nrc::loss_sum(in.loss, Yhat, in.Y) / N;
  const double terms = loss_terms(Yhat, in.Y);
  RC_ASSERT(std::abs(r.data_loss - data) <=
            2 * (nrc::test::pass_rounding(in.net) + nrc::tol::gamma(in.Y.n_elem + 2)) * terms);
  // Σθ² in two orders: each within γ_P of it.
  RC_ASSERT(std::abs(r.penalty - arma::dot(theta, theta)) <= 2 * nrc::test::rounding(theta.n_elem, r.penalty));
  // The same expression data + λ·penalty: at most its two roundings apart (with -march flags the
  // compiler may fuse λ·penalty + data_loss into an FMA, skipping the product's rounding).
  RC_ASSERT(std::abs(r.value - (r.data_loss + in.lambda * r.penalty)) <= nrc::test::rounding(2, std::abs(r.value)));
  // A second call reuses the thread's buffers and must give the same bits.
  const nrc::LossAndGradient again = nrc::regularized_loss(in.net, in.loss, in.X, in.Y, in.lambda);
  RC_ASSERT(again.value == r.value);
  RC_ASSERT(arma::approx_equal(nrc::flatten(again.grad), nrc::flatten(r.grad), "absdiff", 0.0));
}

// forward() is eq. (1) sample by sample, written here with Armadillo/libm elementwise functions.
RC_GTEST_PROP(NnForward, MatchesEquationOnePerSample, ()) {
  const Instance in = gen_instance();
  const nrc::Forward fw = nrc::forward(in.net, in.X);
  RC_ASSERT(fw.Z.size() == in.net.depth() + 1);
  RC_ASSERT(fw.A.size() == in.net.depth());
  RC_ASSERT(arma::approx_equal(fw.Z[0], in.X, "absdiff", 0.0));
  // Both paths approximate eq. (1); per layer their pre-activations differ by at most both products'
  // rounding, 2γ_{n+1}‖|W||z| + |b|‖, plus ‖W‖₂ times the inputs' difference so far; activations are
  // 1-Lipschitz (tanh, sigmoid, softplus, ReLU, identity) and their two implementations (the library's
  // kernels, Armadillo/libm here) agree within 5ε relative (tanh: NnActivation.TanhKernelMatchesLibm;
  // libm ≤ 1 ulp per call, a few operations each).
  const double eps = std::numeric_limits<double>::epsilon();
  for (uword i = 0; i < in.X.n_cols; ++i) {
    arma::vec z = in.X.col(i);
    double dz = 0;   // bound on ‖fw.Z[l].col(i) − z‖
    for (uword l = 0; l < in.net.depth(); ++l) {
      const arma::vec a = in.net.W[l] * z + in.net.b[l];
      const double da = 2 * nrc::test::rounding(in.net.W[l].n_cols + 1, arma::norm(arma::abs(in.net.W[l]) * arma::abs(z) +
                                                                                   arma::abs(in.net.b[l]))) +
                        arma::norm(in.net.W[l], 2) * dz;
      switch (in.net.act[l]) {
        case Activation::Identity: z = a; break;
        case Activation::Tanh: z = arma::tanh(a); break;
        case Activation::ReLU: z = arma::clamp(a, 0.0, arma::datum::inf); break;
        case Activation::Sigmoid: z = 1.0 / (1.0 + arma::exp(-a)); break;
        case Activation::Softplus: z = arma::log1p(arma::exp(a)); break;
      }
      dz = da + 5 * eps * arma::norm(z);
      RC_ASSERT(arma::norm(fw.A[l].col(i) - a) <= da);
      RC_ASSERT(arma::norm(fw.Z[l + 1].col(i) - z) <= dz);
    }
  }
}

// Softmax cross-entropy is invariant under adding a constant to every logit of a sample, and
// its gradient sums to 0 over each column when y sums to 1 (softmax·Σy − y).
RC_GTEST_PROP(NnLoss, CrossEntropyShiftInvariance, ()) {
  const uword c = *rc::gen::inRange<uword>(1, 10);
  const uword N = *rc::gen::inRange<uword>(1, 6);
  const double shift = *rc::gen::element(-1e3, -10.0, 0.5, 700.0);
  nrc::Engine rng(*rc::gen::arbitrary<std::uint64_t>());
  const arma::mat Yhat = 3.0 * nrc::randn(c, N, rng);
  arma::mat Y = arma::abs(nrc::randn(c, N, rng));
  Y.each_row() /= arma::sum(Y, 0);
  const double l0 = nrc::loss_sum(Loss::SoftmaxCrossEntropy, Yhat, Y);
  const double l1 = nrc::loss_sum(Loss::SoftmaxCrossEntropy, Yhat + shift, Y);
  RC_ASSERT(std::isfinite(l1));
  // ℓ = Σ_j y_j(lse(ŷ) − ŷ_j) with Σy = 1: adding the shift rounds every logit by ≤ u(|ŷ_j| + |shift|),
  // moving ℓ by twice that at most; lse's own evaluation (a c-term sum of exponentials, a log, the
  // max) rounds within γ_{c+4} of ‖ŷ‖∞ + |shift| + log c + 1 per sample, in each of the two sums.
  const double logits = arma::abs(Yhat).max() + std::abs(shift);
  const double tol = static_cast<double>(N) *
                     (2 * nrc::test::rounding(1, logits) + 2 * nrc::test::rounding(c + 4, logits + std::log(c) + 1));
  RC_ASSERT(std::abs(l0 - l1) <= tol);
  // Each column is softmax·Σy − y with Σ softmax = 1 within γ_{c+1} and Σy = 1 within γ_c: summing its
  // c entries (each ≤ softmax_j + y_j in size) leaves ≤ γ_{2c+3}·2.
  const arma::mat G = nrc::loss_gradient(Loss::SoftmaxCrossEntropy, Yhat + shift, Y);
  RC_ASSERT(arma::abs(arma::sum(G, 0)).max() <= nrc::test::rounding(2 * c + 3, 2.0));
}

}  // namespace
