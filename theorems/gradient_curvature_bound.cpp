// M̄: a rigorous upper bound on sup over a hull of ‖D²_{(z,y)} ∇_{W_l} ℓ(f_j(Θ_j, z), y)‖ (derivation in
// the header).
#include "theorems/gradient_curvature_bound.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "lib/common/error.hpp"
#include "lib/spectral/spectral.hpp"
#include "theorems/tolerances.hpp"

namespace nrc::curvature {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// a_c·c + a_s·s, c = ‖v_z‖, s = ‖v_y‖.
struct Lin {
  double c = 0, s = 0;
};
// q_cc·c² + q_cs·cs + q_ss·s².
struct Quad {
  double cc = 0, cs = 0, ss = 0;
};

Lin operator*(double k, const Lin& a) { return {k * a.c, k * a.s}; }
Lin operator+(const Lin& a, const Lin& b) { return {a.c + b.c, a.s + b.s}; }
Quad operator*(double k, const Quad& q) { return {k * q.cc, k * q.cs, k * q.ss}; }
Quad operator+(const Quad& a, const Quad& b) { return {a.cc + b.cc, a.cs + b.cs, a.ss + b.ss}; }
Quad operator*(const Lin& a, const Lin& b) { return {a.c * b.c, a.c * b.s + a.s * b.c, a.s * b.s}; }

// sup_{c²+s²=1} q(c, s) = λ_max of the symmetric 2×2 matrix [[cc, cs/2], [cs/2, ss]].
double sup_on_circle(const Quad& q) {
  const double d = q.cc - q.ss, h = q.cs / 2;
  return (q.cc + q.ss) / 2 + std::sqrt(d * d / 4 + h * h);
}

// ‖A‖₂ from above: LAPACK's σ₁ plus its backward-error bound (tolerances.hpp), and, not resting on
// that constant, ‖A‖_F (a sum of squares, within γ_{mn+1}): the smaller of the two.
double spectral_norm_above(const arma::mat& A) {
  if (A.is_empty()) return 0;
  const double s1 = singular_values(A)(0);
  return std::min(s1 + tol::svd_abs_error(s1, A.n_rows, A.n_cols),
                  arma::norm(A, "fro") * (1 + tol::gamma(A.n_elem + 1)));
}

// The sups are computed from exp(−|a|) without cancellation (1 − tanh² and 1 − 4w are never formed
// by subtraction), so each is within a few ulps relatively; libm's exp (≤ 2 ulp) and the operations
// after it are covered by γ_32, and an absolute 16u of the sup over ℝ covers what a relative bound
// cannot (a derivative that vanishes at a point of the interval).
double widen(double x, double sup_over_r) { return x * (1 + tol::gamma(32)) + 16 * tol::unit_roundoff * sup_over_r; }

// At |a|, with e = exp(−|a|): sigmoid's w = σ(1 − σ) = e/(1 + e)² and √(1 − 4w) = |tanh(a/2)| =
// (1 − e)/(1 + e). With e = exp(−2|a|): tanh|a| = (1 − e)/(1 + e) and sech²a = 4e/(1 + e)².
struct SigmoidAt {
  double w, root;   // w, √(1 − 4w)
};
SigmoidAt sigmoid_at(double abs_a) {
  const double e = std::exp(-abs_a);
  return {e / ((1 + e) * (1 + e)), (1 - e) / (1 + e)};
}
struct TanhAt {
  double t, sech2;   // tanh|a|, 1 − tanh²a
};
TanhAt tanh_at(double abs_a) {
  const double e = std::exp(-2 * abs_a);
  return {(1 - e) / (1 + e), 4 * e / ((1 + e) * (1 + e))};
}

// sup of |σ''| and |σ'''| of the sigmoid over pre-activations with |a| ∈ [p, q] (w decreasing in
// |a|, so w ∈ [w(q), w(p)]): |σ''| = w√(1 − 4w), unimodal in w with its peak 1/(6√3) at w = 1/6;
// |σ'''| = |w(1 − 6w)|, whose maxima on (0, ¼] are 1/24 at w = 1/12 and ⅛ at w = ¼ (an endpoint).
// Off the peaks, each sup is at an end of the interval.
double sigmoid_s2(double p, double q) {
  if (sigmoid_at(q).w <= 1.0 / 6 && 1.0 / 6 <= sigmoid_at(p).w) return 0.0962250448649377;   // 1/(6√3) rounded up
  auto g = [](double a) {
    const SigmoidAt v = sigmoid_at(a);
    return v.w * v.root;
  };
  return std::max(g(p), g(q));
}
double sigmoid_s3(double p, double q) {
  auto g = [](double a) {
    const double w = sigmoid_at(a).w;
    return std::fabs(w * (1 - 6 * w));
  };
  const double ends = std::max(g(p), g(q));
  return (sigmoid_at(q).w <= 1.0 / 12 && 1.0 / 12 <= sigmoid_at(p).w) ? std::max(1.0 / 24, ends) : ends;
}

// Row k of M's absolute values times v, and the interval arithmetic W·[mid ± rad] + b, widened.
struct Box {
  arma::vec lo, hi;
};
Box affine_box(const arma::mat& W, const arma::vec& b, const Box& in) {
  const arma::vec mid = (in.lo + in.hi) / 2, rad = (in.hi - in.lo) / 2 + tol::unit_roundoff * (arma::abs(in.lo) + arma::abs(in.hi));
  const arma::mat Wa = arma::abs(W);
  const arma::vec c = W * mid + b, r = Wa * rad;
  const arma::vec pad = tol::gamma(W.n_cols + 3) * (Wa * arma::abs(mid) + r + arma::abs(b));
  return {c - r - pad, c + r + pad};
}

Box activate_box(Activation act, const Box& a) {
  Box u{activate(act, a.lo), activate(act, a.hi)};
  // σ's own rounding (≤ a few ulp; 8u of the value) and the smallest subnormal step.
  const double tiny = std::numeric_limits<double>::denorm_min();
  u.lo -= 8 * tol::unit_roundoff * arma::abs(u.lo) + tiny;
  u.hi += 8 * tol::unit_roundoff * arma::abs(u.hi) + tiny;
  return u;
}

// The norm of the largest magnitudes of a box.
double box_norm(const Box& b) { return arma::norm(arma::max(arma::abs(b.lo), arma::abs(b.hi))); }

}  // namespace

DerivativeSups derivative_sups(Activation act, double lo, double hi) {
  require(!(hi < lo), "curvature::derivative_sups", "expected lo ≤ hi, got [{}, {}]", lo, hi);
  // |a| over the interval: [p, q].
  const double p = (lo <= 0 && 0 <= hi) ? 0.0 : std::min(std::fabs(lo), std::fabs(hi));
  const double q = std::max(std::fabs(lo), std::fabs(hi));
  switch (act) {
    case Activation::Identity: return {1, 0, 0};
    case Activation::Tanh: {
      // t = tanh|a| increasing in |a|. |σ'| = sech² (decreasing: its sup at p); |σ''| = 2t·sech², one
      // peak 4/(3√3) at t = 1/√3; |σ'''| = 2sech²·|1 − 3t²| = 2|(1 − x)(1 − 3x)|, x = t², whose maxima are
      // at the ends and at x = 2/3 (value 2/3).
      const TanhAt at_p = tanh_at(p), at_q = tanh_at(q);
      const double t_star = 0.57735026918962573;   // 1/√3
      const double s2 = (at_p.t <= t_star && t_star <= at_q.t)
                            ? 0.76980035891950105   // 4/(3√3) rounded up
                            : std::max(2 * at_p.t * at_p.sech2, 2 * at_q.t * at_q.sech2);
      auto g3 = [](const TanhAt& v) { return 2 * v.sech2 * std::fabs(3 * v.sech2 - 2); };   // 1 − 3t² = 3sech² − 2
      double s3 = std::max(g3(at_p), g3(at_q));
      if (at_p.t * at_p.t <= 2.0 / 3 && 2.0 / 3 <= at_q.t * at_q.t) s3 = std::max(s3, 2.0 / 3);
      return {widen(at_p.sech2, 1), widen(s2, 0.77), widen(s3, 2)};
    }
    case Activation::Sigmoid:   // σ' = w, decreasing in |a|
      return {widen(sigmoid_at(p).w, 0.25), widen(sigmoid_s2(p, q), 0.1), widen(sigmoid_s3(p, q), 0.125)};
    case Activation::Softplus: {
      // σ' = sigmoid (increasing: its sup at hi), σ'' = sigmoid' = w, σ''' = sigmoid''.
      const double s1 = hi >= 0 ? 1 / (1 + std::exp(-hi)) : std::exp(hi) / (1 + std::exp(hi));
      return {widen(s1, 1), widen(sigmoid_at(p).w, 0.25), widen(sigmoid_s2(p, q), 0.1)};
    }
    case Activation::ReLU:
      break;
  }
  invalid_arg("curvature::derivative_sups", "expected a C² activation (identity, tanh, sigmoid, softplus), got relu");
}

std::vector<double> second_derivative_bounds(const Mlp& tail, Loss loss, const arma::mat& P, arma::uword nz) {
  const char* fn = "curvature::second_derivative_bounds";
  const arma::uword L = tail.depth();
  require(L >= 1, fn, "expected a network with at least one layer, got 0");
  require(P.n_cols >= 1 && nz == tail.input_dim() && P.n_rows == nz + tail.output_dim(), fn,
          "expected points with {} + {} rows, got {} rows, {} columns", tail.input_dim(), tail.output_dim(), P.n_rows,
          P.n_cols);
  for (Activation a : tail.act) derivative_sups(a, 0, 0);   // rejects ReLU
  const arma::mat Z = P.rows(0, nz - 1), Y = P.rows(nz, P.n_rows - 1);
  arma::uword widest = nz + Y.n_rows;
  for (const auto& W : tail.W) widest = std::max({widest, W.n_rows, W.n_cols});

  // 1. Enclosures: pre-activation boxes A[m] of tail layer m, output box.
  std::vector<Box> A(L);
  {
    const arma::mat& W = tail.W[0];
    arma::mat V = W * Z;
    V.each_col() += tail.b[0];
    arma::mat T = arma::abs(W) * arma::abs(Z);
    T.each_col() += arma::abs(tail.b[0]);
    const arma::vec pad = tol::gamma(W.n_cols + 2) * arma::max(T, 1);
    A[0] = {arma::min(V, 1) - pad, arma::max(V, 1) + pad};
  }
  std::vector<Box> Ubox(L + 1);   // Ubox[m]: u^m's box (m ≥ 1)
  for (arma::uword m = 0; m < L; ++m) {
    Ubox[m + 1] = activate_box(tail.act[m], A[m]);
    if (m + 1 < L) A[m + 1] = affine_box(tail.W[m + 1], tail.b[m + 1], Ubox[m + 1]);
  }

  // 2. Per-layer constants.
  std::vector<double> P_(L), Q_(L, 0), c2(L), c3(L), e2(L), wn(L), s1max(L);
  for (arma::uword m = 0; m < L; ++m) {
    const arma::mat& W = tail.W[m];
    arma::vec s1(W.n_rows), s2(W.n_rows), s3(W.n_rows);
    for (arma::uword k = 0; k < W.n_rows; ++k) {
      const DerivativeSups d = derivative_sups(tail.act[m], A[m].lo(k), A[m].hi(k));
      s1(k) = d.s1;
      s2(k) = d.s2;
      s3(k) = d.s3;
    }
    const arma::vec rho = arma::sqrt(arma::sum(arma::square(W), 1)) * (1 + tol::gamma(W.n_cols + 1));
    wn[m] = spectral_norm_above(W);
    P_[m] = spectral_norm_above(arma::diagmat(s1) * W);
    if (m + 1 < L) Q_[m] = spectral_norm_above(tail.W[m + 1] * arma::diagmat(s1));
    s1max[m] = s1.max();
    c2[m] = arma::max(s2 % rho);
    c3[m] = arma::max(s3 % arma::square(rho));
    e2[m] = std::min(c2[m] * wn[m], std::sqrt(arma::accu(arma::square(s2) % arma::pow(rho, 4))));
  }

  // 3. Forward: U[m], U1[m], U2[m] bound u^m and its derivatives (m = 0: the input z).
  std::vector<double> U(L + 1);
  std::vector<Lin> U1(L + 1);
  std::vector<Quad> U2(L + 1);
  U[0] = arma::max(arma::sqrt(arma::sum(arma::square(Z), 0)));
  U1[0] = Lin{1, 0};
  U2[0] = Quad{};
  for (arma::uword m = 0; m < L; ++m) {
    U[m + 1] = box_norm(Ubox[m + 1]);
    U1[m + 1] = P_[m] * U1[m];
    U2[m + 1] = e2[m] * (U1[m] * U1[m]) + P_[m] * U2[m];
  }

  // 4. Output gradient t = ∇_ŷℓ.
  const arma::vec y_lo = arma::min(Y, 1), y_hi = arma::max(Y, 1);
  const double y_norm = arma::max(arma::sqrt(arma::sum(arma::square(Y), 0)));
  const double y_sum = arma::max(arma::abs(arma::sum(Y, 0)));
  double T = 0;
  Lin T1;
  Quad T2;
  const Lin vy{0, 1};
  if (loss == Loss::SquaredError) {
    const Box& yh = Ubox[L];
    const arma::vec diff = arma::max(arma::abs(yh.lo - y_hi), arma::abs(yh.hi - y_lo));
    T = 2 * std::min(arma::norm(diff), U[L] + y_norm);
    T1 = 2.0 * (U1[L] + vy);
    T2 = 2.0 * U2[L];
  } else {
    const double rc = std::sqrt(static_cast<double>(tail.output_dim()));
    T = y_sum + y_norm;
    T1 = (0.5 * y_sum) * U1[L] + (1 + rc) * vy;
    T2 = (1.5 * y_sum) * (U1[L] * U1[L]) + (0.5 * y_sum) * U2[L] + rc * (U1[L] * vy);
  }

  // 5–6. Backward: δ of tail layer m from t_m; M̄ of W_m from δ_m and u^{m−1} (index m here).
  std::vector<double> out(L);
  const double margin = 1 + tol::gamma(64 * (L + 2) + widest);
  double D = 0;
  Lin D1;
  Quad D2;
  for (arma::uword m = L; m-- > 0;) {
    const Lin& u1 = U1[m];
    const Quad& u2 = U2[m];
    if (m + 1 == L) {
      D = s1max[m] * T;
      D1 = (c2[m] * T) * u1 + s1max[m] * T1;
      D2 = (c3[m] * T) * (u1 * u1) + (c2[m] * T) * u2 + (2 * c2[m]) * (u1 * T1) + s1max[m] * T2;
    } else {
      // t_m = W_{m+1}ᵀ δ_{m+1}: ‖t_m‖ ≤ ‖W_{m+1}‖δ, and σ'⊙t_m through Q_m.
      const double t = wn[m + 1] * D;
      const Lin t1 = wn[m + 1] * D1;
      const double nD = Q_[m] * D;
      const Lin nD1 = (c2[m] * t) * u1 + Q_[m] * D1;
      const Quad nD2 = (c3[m] * t) * (u1 * u1) + (c2[m] * t) * u2 + (2 * c2[m]) * (u1 * t1) + Q_[m] * D2;
      D = nD;
      D1 = nD1;
      D2 = nD2;
    }
    const Quad G2 = U[m] * D2 + 2.0 * (D1 * u1) + D * u2;
    out[m] = sup_on_circle(G2) * margin;
  }
  return out;
}

}  // namespace nrc::curvature
