// Theorem 5.1 (Theorem 32 of Bah et al. 2022) with Remark 5.2 (the regularized case), eqs. (16)–(19):
// the critical points of L_λ on the rank-K manifold, the global minimum among them, the strict
// saddles, the value at the critical points, and the "only if". Six checks share this file:
// thm_5_1_minimum, thm_5_1_critical, thm_5_1_saddle, thm_5_1_value_paper, thm_5_1_value,
// thm_5_1_only_if.
//
// Setting (eq. 19): L_λ(θ) = (1/N)‖Y − θX‖_F² + λ‖θ‖_F² = (1/N)‖Y_λ − θX_λ‖_F², θ ∈ R^{c×d},
// X_λ = [X, √(Nλ) I], Y_λ = [Y, 0] (eq. 18); G = X_λX_λᵀ = XXᵀ + NλI, W = G^{-1/2},
// Q_λ = Y_λX_λᵀW = YXᵀW = Σ_j s_j u_j v_jᵀ (eq. 16 with X_λ, Y_λ). The paper states the theorem for
// ½‖Y − θX‖²; the factor (1/N) of eq. (19) scales values, not critical points.
//
// The identity behind all three (derived here, not quoted): P = W X_λ has orthonormal rows
// (P Pᵀ = W G W = I), and Y_λPᵀ = Q_λ. With Z(θ) = θ W^{-1} = θ G^{1/2} (rank Z = rank θ),
//     N·L_λ(θ) = ‖Y_λ − Z P‖² = ‖Y_λ(I − PᵀP)‖² + ‖Q_λ − Z‖² = ‖Y‖² − ‖Q_λ‖² + ‖Q_λ − Z‖².      (★)
// So on rank ≤ K, L_λ is Eckart–Young on Q_λ: minimum (1/N)(‖Y‖² − Σ_{j≤K} s_j²) at θ*_K (eq. 17);
// θ_I = Σ_{j∈I} s_j u_j v_jᵀ W has L_λ(θ_I) = (1/N)(‖Y‖² − Σ_{j∈I} s_j²); its Euclidean gradient
// ∇L_λ(θ) = (2/N)(θG − YXᵀ) = (2/N)(Z − Q_λ)G^{1/2} = −(2/N)Σ_{j∉I} s_j u_j v_jᵀ G^{1/2} is not 0,
// but it is orthogonal to the tangent space of the rank-K manifold at θ_I: with P_U the projector
// onto span{u_i : i ∈ I} (θ_I's column space) and P_V the one onto span{W v_i : i ∈ I} (its row
// space), P_U∇L = 0 (u_j ⊥ u_i) and ∇L·W v_i = −(2/N)Σ_{j∉I} s_j u_j v_jᵀ v_i = 0, so
// P_T(∇L) = P_U∇L + ∇L P_V − P_U∇L P_V = 0: θ_I is critical. And θ_I is a strict saddle when some
// m ∉ I has s_m > s_i for an i ∈ I: the rank-K curve Z(t) = Σ_{j∈I∖i} s_j u_j v_jᵀ + w wᵀQ_λ,
// w = cos t·u_i + sin t·u_m, is the projection of Q_λ onto a K-dimensional column space, so by (★)
//     L_λ(θ(t)) = L_λ(θ_I) − (1/N) sin²t (s_m² − s_i²),   θ(t) = Z(t) W,                       (★★)
// and d²/dt² L_λ(θ(t))|₀ = ⟨∇²L ξ, ξ⟩ + ⟨∇L, θ''(0)⟩ = (2/N)(s_i² + s_m²) − (4/N)s_m² =
// −(2/N)(s_m² − s_i²) < 0 with ξ = θ'(0): a negative Riemannian Hessian direction (θ_I critical).
//
// thm_5_1_minimum — lhs = (1/N)(‖Y‖² − Σ_{j≤K} s_j²) (closed form)  ≤  rhs = min over R random
//   starts of L_λ(A Bᵀ) after L-BFGS on F(A, B) = L_λ(A Bᵀ) + (μ/4)‖AᵀA − BᵀB‖², A ∈ R^{c×K},
//   B ∈ R^{d×K} (rank A Bᵀ ≤ K exactly; the balancing term changes no minimum value, see
//   run_minimum). Tight by design: at convergence rhs − lhs is at rounding level, so err is the derived
//   rounding bound below and the judge escalates to 50 digits (lib/mp), where A Bᵀ is formed exactly
//   from the double factors and both sides are recomputed. An optimizer stalled above the minimum is
//   no failure (rhs is just larger); a found loss below the closed form beyond err would be a Fail.
//   Negative control (optional parameter factor_rank > K): the search runs over rank factor_rank,
//   the claim is then false and the check must Fail.
// thm_5_1_critical — lhs = ‖P_T ∇L_λ(θ_I)‖_F  ≤  rhs = a-priori rounding budget (below), for an
//   index set I (1-based, |I| = K, max I ≤ numerical rank of Q_λ, else NotApplicable). Euclidean
//   ‖∇L_λ(θ_I)‖ is recorded against its prediction (2/N)‖Σ_{j∉I} s_j u_j v_jᵀ G^{1/2}‖, and
//   L_λ(θ_I) against (1/N)(‖Y‖² − Σ_{j∈I} s_j²). Negative control (optional parameter twist ≠ 0):
//   u_i (i = max I) is rotated by `twist` toward u_m (m = min ∉ I); the point keeps rank K but is not
//   critical and the check must Fail.
// thm_5_1_saddle — lhs = L_λ(θ(t)) at the rank-K point θ(t) = left·right of (★★) (double factors,
//   so rank ≤ K exactly)  <  rhs = L_λ(θ_I) = (1/N)(‖Y‖² − Σ_{j∈I} s_j²): Pass needs rhs − lhs > err
//   (a strict decrease beyond rounding). Hypotheses: I ≠ {1..K} and s_m > s_i beyond rounding for
//   the swapped pair (default i = max I, m = min ∉ I: the largest available gap), else
//   NotApplicable (lhs, rhs still measured). Recorded: measured vs predicted decrease (★★), and the
//   curvature of the curve at t = 0 from the Euclidean Hessian and gradient vs −(2/N)(s_m² − s_i²).
//   A reference path (50 digits) decides near-ties the double path cannot.
// thm_5_1_value_paper — the theorem's "moreover" as written, against the paper's own loss (eq. 19):
//   lhs = |L_λ(θ_I) − ½(‖Y‖² − Σ_{j∈I} s_j²)| ≤ rhs = rounding budget (below), any index set I (top
//   set included). Finding: Theorem 5.1 is quoted from Bah et al., whose loss is ½‖Y − θX‖²; with the
//   paper's L_λ = (1/N)‖·‖² + λ‖·‖² (eqs. 3, 19) the value is (1/N)(‖Y‖² − Σ s_j²), and the ½ formula
//   is N/2 times it: the check fails on every instance with N ≠ 2 (relative discrepancy |N/2 − 1|)
//   and passes at N = 2. The critical points themselves are unaffected (a positive factor).
// thm_5_1_value — the corrected value (refines thm_5_1_value_paper): lhs = |L_λ(θ_I) − (1/N)(‖Y‖² −
//   Σ_{j∈I} s_j²)| ≤ the same budget. L_λ(θ_I) is evaluated from eq. (19) at θ_I, the formula from the
//   singular values: two independent computations. Budget (derived in evaluate_value, no singular gap
//   enters because both use the same computed Û, Ŝ, V̂): identity (★) at θ̃ = Û_IŜ_IV̂_IᵀŴ, the
//   orthogonality defects e_U, e_V, the residual e_E = e_svd + e_Q of Q = ÛŜV̂ᵀ + E, η_W, the forming of
//   θ̂ and the evaluation of L (loss_at), and the formula's own rounding (closed_form).
// thm_5_1_only_if — "θ is a critical point of L_λ on M_K only if θ = θ_I": rank-K zeros of the first-
//   order conditions ∇L(ABᵀ)B = 0, ∇L(ABᵀ)ᵀA = 0 (with the balancing AᵀA = BᵀB) are found by
//   Levenberg–Marquardt from random starts, independently of Q_λ and its SVD (saddles included: a
//   minimizer of L would find only the minimum). For each, in Z = θG^{1/2} (by (★) the critical points
//   are those of ‖Q_λ − Z‖² on rank K), with Z's singular bases (U_Z, V_Z) and complements:
//   ρ1 = ‖U_⊥ᵀQV_Z‖, ρ2 = ‖U_ZᵀQV_⊥‖, ρ3 = ‖Z − P_UQP_V‖ (all 0 exactly at a critical point: this IS
//   the "only if" — Q then maps span V_Z into span U_Z and back, so they are singular subspaces of Q
//   and Z = P_UQP_V = Σ_{j∈I} s_j u_j v_jᵀ). Perturbation form (Wedin): with I the positions of
//   U_ZᵀQV_Z's singular values in the spectrum of the block-diagonal part of Q, and δ_W their gap to
//   Q's other singular values (and to 0 when c ≠ d), ‖P_UQP_V − Z_I‖ ≤ 2s_1ρ_W/δ_W, ρ_W = √(ρ1² + ρ2²).
//   Measured from Q, the ρ's would make this Wedin's theorem, true at ANY θ. So they are bounded by
//   the point's stationarity instead, measured without Q: ∇L(θ) = (2/N)(θG − YXᵀ) = (2/N)(Z − Q)G^{1/2}
//   (YXᵀ = QG^{1/2}), so Z − Q = (N/2)∇L G^{-1/2}. θ's column space is span U_Z and its row space is
//   span G^{-1/2}V_Z, so with r = P_U∇L + ∇L P_Vθ − P_U∇L P_Vθ the Riemannian gradient on rank K:
//     U_⊥ᵀQV_Z = −(N/2)U_⊥ᵀ∇L P_Vθ G^{-1/2}V_Z = −(N/2)U_⊥ᵀ r G^{-1/2}V_Z,
//     U_ZᵀQV_⊥ = (N/2)U_Zᵀ r G^{-1/2}V_⊥,   Z − P_UQP_V = P_U(Z − Q)P_V = (N/2)P_U r G^{-1/2}P_V,
//   and since (I − P_U)r and P_U r are orthogonal, ρ_W ≤ ρ̄ and ρ3 ≤ ρ̄ with ρ̄ = (N/2)‖r‖/√λ_min(G).
//   The hypothesis "θ is critical" is admitted a priori: a found point counts only when its computed
//   Riemannian gradient is at the rounding level e_r of an exact critical point (‖r̂‖ ≤ e_r, from the
//   sizes of θ, G, X, Y: riemannian_gradient()), and then ‖r‖ ≤ 2e_r enters ρ̄ — never the measured
//   ‖r̂‖, with which the bound would hold at every θ (Wedin). So
//     lhs = min_I ‖θ − θ_I‖_F ≤ rhs = [ρ̄ + 2s_1ρ̄/δ_W + e_s + 2√2 s_1 e_s/δ_I]/√λ_min(G) + forming,
//   which fails when a point of small Riemannian gradient is far from every θ_I (the mutant: the θ_I
//   of the unregularised problem). The ρ's measured from Q̂ are recorded beside (rho_from_Q).
//   over the worst start (δ_I: the gap of ŝ_I, for the computed candidates θ̂_I). A start whose bound
//   is vacuous (ρ_W ≥ δ_W: not converged, or a zero of lower rank — θ_I with |I| < K padded with zero
//   columns, θ = 0 — which attract some starts) does not count; up to 4× the starts are tried until
//   `starts` rank-K critical points are found, else Inconclusive. Recorded: how many critical points
//   and saddles were found, the index sets, and per start the nearest I and the I the spectrum gives.
// Mutants (each must Fail, decided in double): minimum — factor_rank 2 > K (the search finds L = 5 <
//   5.5), the closed form with K − 1 singular values, the closed form with the paper's ½; critical —
//   u_i twisted by 0.3 toward u_m, θ = 1.01·θ_I (the optional parameter scale); saddle — the swap
//   curve from the global minimum and an uphill swap (s_m < s_i) with the hypotheses not checked;
//   value_paper — at N = 2 (where the ½ is right) a wrong index set, and ¼ for ½; value — the paper's
//   ½, a wrong index set; only_if — candidates θ_I of eq. (16) without Remark 5.2 (λ = 0), and
//   passed_off: iterates after 2 Levenberg–Marquardt steps admitted as critical (ρ̄ from 2e_r).
//
// Rounding model (first order; u = ε/2, γ_n = nu/(1 − nu), norms Frobenius unless noted; M, m =
// extreme eigenvalues of G). The errors of the closed forms are MEASURED a posteriori in long double
// (64-bit significand, 2048× finer than double, so each measurement is exact to ~3 digits; its own
// rounding is added as γ^{ld} terms), instead of LAPACK's notional p(n)·ε backward-error constants,
// which at these sizes leave only a factor ~4 of margin (seen: ratio 0.25 over 5·10⁴ instances):
//   η_W ≥ ‖G^{1/2}(Ŵ − W)‖ for the computed Ŵ ≈ W = G^{-1/2}: with Ŵ = W + δ (δ symmetric),
//     ŴGŴ − I = G^{1/2}δ + δG^{1/2} + O(δ²), i.e. (√λ_i + √λ_j)δ_ij in G's eigenbasis, while
//     (G^{1/2}δ)_ij = √λ_i δ_ij; so ‖G^{1/2}δ‖ ≤ ‖ŴGŴ − I‖ =: η_W, G = XXᵀ + NλI formed in long double.
//   e_Q ≥ ‖Q̂ − Q‖ = ‖Q̂ − YXᵀŴ‖ (measured) + ŝ_1·η_W (as YXᵀ(Ŵ − W) = Q·G^{1/2}δ).
//   e_svd = ‖Q̂ − Û diag(ŝ) V̂ᵀ‖, e_U = ‖ÛᵀÛ − I‖, e_V = ‖V̂ᵀV̂ − I‖ (measured). e_s = e_Q + e_svd +
//     ŝ_1(e_U + e_V) bounds every |ŝ_j − s_j| (Weyl; the last term because Û, V̂ are orthonormal
//     only to e_U, e_V). A closed-form value (1/N)(‖Y‖² − Σ_{j∈J} ŝ_j²) is then off by
//     at most [γ_{cN}‖Y‖² + Σ_J(2ŝ_j e_s + e_s²) + γ_|J| Σ_J ŝ_j²]/N + 2u·value.
//   A loss at a point given by double factors left·right (the certificate; the exact product has
//     rank ≤ the inner dimension k): θ̂ = fl(left·right) is off by Δ = γ_k‖left‖‖right‖, which moves L
//     by ≤ ‖∇L‖Δ + (M/N)Δ²; ridge_loss forms R̂ = Y − fl(θ̂X) with ‖R̂ − R‖ ≤ e_R = γ_d‖θ̂‖‖X‖ +
//     u(‖Y‖ + ‖θ̂X‖), so its value is off by [2‖R̂‖e_R + e_R² + γ_{cN}‖R̂‖²]/N + γ_{cd}λ‖θ̂‖² + 3u·L
//     (a-priori: these only decide whether double suffices; the reference path decides the rest).
//   Riemannian-gradient budget (thm_5_1_critical): with θ̃ = Û_IŜ_IV̂_IᵀŴ (exact product of the
//     computed factors) and F = ŴG^{1/2} − I (‖F‖ ≤ η_W), ∇L(θ̃) = (2/N)[−Û_JŜ_JV̂_Jᵀ − E_svd +
//     (Q̂ − Q) + Z̃F]G^{1/2}, J = complement of I, E_svd = Q̂ − ÛŜV̂ᵀ. The exact tangent projector 𝒫 at
//     (span Û_I, span ŴV̂_I) has norm 1; P_U kills Û_J up to e_U, and ∇L·ŴV̂_I = −(2/N)Û_JŜ_JV̂_Jᵀ(I +
//     Fᵀ)V̂_I up to e_V + η_W, divided by σ_min(ŴV̂_I) ≥ 1/√M for P_V: ‖𝒫 ∇L(θ̃)‖ ≤ (2/N)√M·
//     [‖Ŝ_J‖(e_U + e_V + η_W) + e_svd + e_Q + ‖Ŝ_I‖η_W]. Then, by the triangle inequality, the measured
//     ‖∇L(θ̂) − ∇L(θ̃)‖ = (2/N)‖(θ̂ − θ̃)G‖ (forming θ̂) and ‖ĝ − ∇L(θ̂)‖ (the gradient's rounding;
//     ∇L(θ) = (2/N)(θG − YXᵀ) in long double), and a-priori: the arithmetic of applying the
//     projectors 4γ_{c+d+K}·K·‖ĝ‖, and the projectors' own error (e_U + dε + 2dε√(Kκ) +
//     γ_d√K‖Ŵ‖√M)‖ĝ‖ (P_V from a Householder QR of fl(ŴV̂_I), whose columns have σ_min ≥ 1/√M).
// Generators: d, c ∈ 2..6, N ∈ max(c, d)..30, K ∈ 1..min(c, d) − 1, λ log-uniform on [1e-3, 1],
// X Gaussian or a Gaussian mixture (Section 4), Y generic Gaussian or clustered around per-cluster
// centres (section5::sample_data, the generator the linear-case checks share); or explicit X, Y in
// the parameters (x_model "explicit").
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <set>
#include <functional>
#include <string>
#include <vector>

#include "lib/closed_form/ridge.hpp"
#include "lib/common/error.hpp"
#include "lib/common/rng.hpp"
#include "lib/data/gaussian_mixture.hpp"
#include "lib/mp/reference.hpp"
#include "lib/optim/lbfgs.hpp"
#include "lib/spectral/spectral.hpp"
#include "theorems/params.hpp"
#include "theorems/registry.hpp"
#include "theorems/section5.hpp"
#include "theorems/tolerances.hpp"

namespace nrc {

namespace {

const std::string kMinId = "thm_5_1_minimum";
const std::string kCritId = "thm_5_1_critical";
const std::string kSaddleId = "thm_5_1_saddle";
const std::string kValuePaperId = "thm_5_1_value_paper";
const std::string kValueId = "thm_5_1_value";
const std::string kOnlyIfId = "thm_5_1_only_if";

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kU = tol::unit_roundoff;
constexpr double kEps = 2 * tol::unit_roundoff;

// L-BFGS stops when ‖∇F‖ ≤ kGradientRel·(gradient scale of F): ~5e3 ulps of the terms that form ∇F.
// In practice the line search usually meets the rounding floor of F first (its sufficient-decrease
// test cannot see decreases below u·F, i.e. ‖∇F‖ below ~√(u·F·curvature) ≈ 1e-8 relative) and
// liblbfgs reports a stall there: F − min F is then itself at rounding level (the 50-digit gap
// reference_gap_rel measures it), which is as tight as double precision can make rhs.
constexpr double kGradientRel = 1e-12;
constexpr int kMaxIterations = 10000;
// Levenberg–Marquardt iterations per start (thm_5_1_only_if): it converges quadratically near a zero
// of the first-order conditions (measured: ≤ 20 iterations from random starts); the cap only stops a
// start that wanders.
constexpr int kMaxLmIterations = 200;
constexpr std::size_t kAttemptsPerStart = 4;
// Relative accuracy claimed for lhs − rhs on the 50-digit path, before the conditioning factor:
// cpp_bin_float_50 carries ~1e-50 relative; 1e-40·scale leaves 10 digits for κ and accumulation
// (the Jacobi SVD of X_λ loses at most ~p·κ(X_λ) ulps).
constexpr double kReferenceRel = 1e-40;

// ---------------------------------------------------------------------------------------------
// A-posteriori residuals in long double (header, "Rounding model"), with plain loops: the
// matrices are small (≤ 6×30 from the generators).

static_assert(std::numeric_limits<long double>::digits >= 64, "the residuals need a wider long double than double");
using LD = long double;
constexpr double kULd = std::numeric_limits<long double>::epsilon() / 2;

// γ_n in long double's unit roundoff, for the measurements' own rounding.
double gamma_ld(arma::uword n) { return static_cast<double>(n) * kULd / (1 - static_cast<double>(n) * kULd); }

struct Ld {
  arma::uword rows = 0, cols = 0;
  std::vector<LD> a;   // column-major
  Ld(arma::uword r, arma::uword c) : rows(r), cols(c), a(r * c, 0) {}
  explicit Ld(const arma::mat& M) : rows(M.n_rows), cols(M.n_cols), a(M.begin(), M.end()) {}
  LD& operator()(arma::uword i, arma::uword j) { return a[i + j * rows]; }
  LD operator()(arma::uword i, arma::uword j) const { return a[i + j * rows]; }
};

Ld mul(const Ld& A, const Ld& B) {
  Ld C(A.rows, B.cols);
  for (arma::uword j = 0; j < B.cols; ++j)
    for (arma::uword k = 0; k < A.cols; ++k)
      for (arma::uword i = 0; i < A.rows; ++i) C(i, j) += A(i, k) * B(k, j);
  return C;
}

Ld transpose(const Ld& A) {
  Ld T(A.cols, A.rows);
  for (arma::uword j = 0; j < A.cols; ++j)
    for (arma::uword i = 0; i < A.rows; ++i) T(j, i) = A(i, j);
  return T;
}

// ‖A − scale·B‖_F (A, B of the same shape).
double fro_diff(const Ld& A, const Ld& B, LD scale = 1) {
  LD acc = 0;
  for (std::size_t k = 0; k < A.a.size(); ++k) acc += (A.a[k] - scale * B.a[k]) * (A.a[k] - scale * B.a[k]);
  return static_cast<double>(std::sqrt(acc));
}

double fro_minus_identity(const Ld& A) {
  Ld I(A.rows, A.cols);
  for (arma::uword i = 0; i < std::min(A.rows, A.cols); ++i) I(i, i) = 1;
  return fro_diff(A, I);
}

// ---------------------------------------------------------------------------------------------
// Data: one instance of X (d×N), Y (c×N), λ, K.

struct Instance {
  arma::mat X, Y;
  double lambda = 0;
  arma::uword K = 0;
};

arma::uword count(std::int64_t v) { return static_cast<arma::uword>(v); }

void draw_data(Draw& dr, nlohmann::json& p) {
  const auto d = dr.integer(2, 6), c = dr.integer(2, 6);
  const auto N = dr.integer(std::max(c, d), 30);
  p["d"] = d;
  p["c"] = c;
  p["N"] = N;
  p["K"] = dr.integer(1, std::min(c, d) - 1);
  p["lambda"] = dr.log_uniform(1e-3, 1);
  p["x_model"] = dr.pick({"gaussian", "mixture"});
  p["y_model"] = dr.pick({"generic", "clustered"});
  if (p["x_model"] == "mixture" || p["y_model"] == "clustered") p["clusters"] = dr.integer(1, std::min<std::int64_t>(N, 6));
  if (p["x_model"] == "mixture") p["sigma_x"] = dr.log_uniform(1e-2, 1);
  if (p["y_model"] == "clustered") p["sigma_y"] = dr.log_uniform(1e-3, 1);
  p["data_seed"] = dr.seed();
}

Instance read_instance(const nlohmann::json& p, const std::string& id) {
  Instance in;
  const auto x_model = params::choice(p, id, "x_model", {"gaussian", "mixture", "explicit"});
  in.lambda = params::real(p, id, "lambda", 0, kInf, /*lo_open=*/true);
  if (x_model == "explicit") {
    in.X = section5::read_matrix(p, id, "X");
    in.Y = section5::read_matrix(p, id, "Y");
    require(in.X.n_cols == in.Y.n_cols, id, "parameters 'X' and 'Y': expected the same number of columns N, got {} and {}",
            in.X.n_cols, in.Y.n_cols);
  } else {
    section5::Data data = section5::sample_data(p, id);
    in.X = std::move(data.X);
    in.Y = std::move(data.Y);
  }
  const arma::uword rmax = std::min(in.X.n_rows, in.Y.n_rows);
  in.K = count(params::integer(p, id, "K", 1, static_cast<std::int64_t>(rmax)));
  return in;
}

// Draws a 1-based index set I ⊂ {1..p}, |I| = K < p, other than {1..K}.
std::vector<std::int64_t> draw_indices(Draw& dr, std::int64_t p, std::int64_t K) {
  std::vector<std::int64_t> pool(static_cast<std::size_t>(p));
  std::iota(pool.begin(), pool.end(), 1);
  for (std::int64_t j = 0; j < K; ++j) std::swap(pool[static_cast<std::size_t>(j)], pool[static_cast<std::size_t>(dr.integer(j, p - 1))]);
  std::vector<std::int64_t> I(pool.begin(), pool.begin() + K);
  std::sort(I.begin(), I.end());
  if (I.back() == K) I.back() = dr.integer(K + 1, p);   // was {1..K}: move its last index out
  return I;
}

// 0-based, sorted, distinct, size K, each < min(c, d).
std::vector<arma::uword> read_indices(const nlohmann::json& p, const std::string& id, const Instance& in) {
  const auto pdim = static_cast<std::int64_t>(std::min(in.X.n_rows, in.Y.n_rows));
  const auto raw = params::integers(p, id, "indices", 1, pdim, in.K, in.K);
  std::vector<arma::uword> I;
  for (const auto i : raw) I.push_back(static_cast<arma::uword>(i - 1));
  std::sort(I.begin(), I.end());
  require(std::adjacent_find(I.begin(), I.end()) == I.end(), id, "parameter 'indices': expected distinct indices, got {}",
          p.at("indices").dump());
  return I;
}

std::vector<arma::uword> complement(const std::vector<arma::uword>& I, arma::uword p) {
  std::vector<arma::uword> J;
  for (arma::uword j = 0; j < p; ++j)
    if (!std::binary_search(I.begin(), I.end(), j)) J.push_back(j);
  return J;
}

arma::uvec as_uvec(const std::vector<arma::uword>& v) { return arma::uvec(v); }

// ---------------------------------------------------------------------------------------------
// The solved system with its rounding model (see the header).

struct Analysis {
  Instance in;
  RidgeSystem sys;
  arma::uword c = 0, d = 0, N = 0, p = 0, q = 0;   // q: numerical rank of Q̂
  double Nd = 0;                                   // N as a double
  double M = 0, m = 0, kappa = 0;                  // eigenvalues of G, κ₂(G)
  double nX = 0, nY = 0, nY2 = 0, nW = 0;          // ‖X‖, ‖Y‖, ‖Y‖² (as computed), ‖Ŵ‖
  double eta_W = 0, e_Q = 0, e_svd = 0, e_s = 0;
  double e_U = 0, e_V = 0;                         // orthogonality defects of Û, V̂
  Ld G{0, 0}, YXt{0, 0};                           // XXᵀ + NλI and YXᵀ in long double
};

Analysis analyse(const Instance& in) {
  Analysis a;
  a.in = in;
  a.sys = solve_ridge(in.X, in.Y, in.lambda);
  const RidgeSystem& s = a.sys;
  a.d = in.X.n_rows;
  a.c = in.Y.n_rows;
  a.N = in.X.n_cols;
  a.Nd = static_cast<double>(a.N);
  a.p = s.s.n_elem;
  a.q = numerical_rank(s.s, a.c, a.d);
  const arma::vec ev = arma::eig_sym(s.gram);
  a.M = ev.max();
  a.m = ev.min();
  a.kappa = a.M / a.m;
  a.nX = arma::norm(in.X, "fro");
  a.nY = arma::norm(in.Y, "fro");
  a.nY2 = arma::accu(arma::square(in.Y));
  a.nW = arma::norm(s.gram_inv_sqrt, "fro");
  // Long-double G = XXᵀ + NλI and YXᵀ: exact to γ^{ld}_{N+1}·(‖X‖² + Nλ√d), γ^{ld}_N·‖Y‖‖X‖.
  const Ld Xl(in.X), Yl(in.Y);
  a.G = mul(Xl, transpose(Xl));
  for (arma::uword i = 0; i < a.d; ++i) a.G(i, i) += static_cast<LD>(a.N) * static_cast<LD>(in.lambda);
  a.YXt = mul(Yl, transpose(Xl));
  const double nG = a.nX * a.nX + a.Nd * in.lambda * std::sqrt(static_cast<double>(a.d));
  const Ld W(s.gram_inv_sqrt);
  const double w2 = a.nW * a.nW;
  a.eta_W = fro_minus_identity(mul(mul(W, a.G), W)) + gamma_ld(a.N + 2 * a.d + 1) * w2 * nG;
  const double nQ = arma::norm(s.Q, "fro");
  a.e_Q = fro_diff(Ld(s.Q), mul(a.YXt, W)) + gamma_ld(a.N + a.d + 1) * (a.nY * a.nX * a.nW + nQ) + s.s(0) * a.eta_W;
  const Ld U(s.U), V(s.V);
  Ld US = U;
  for (arma::uword j = 0; j < a.p; ++j)
    for (arma::uword i = 0; i < a.c; ++i) US(i, j) *= s.s(j);
  const double pd = static_cast<double>(a.p);
  a.e_svd = fro_diff(Ld(s.Q), mul(US, transpose(V))) + gamma_ld(a.p + 2) * (arma::norm(s.s) * pd + nQ);
  a.e_U = fro_minus_identity(mul(transpose(U), U)) + gamma_ld(a.c + 1) * pd;
  a.e_V = fro_minus_identity(mul(transpose(V), V)) + gamma_ld(a.d + 1) * pd;
  // Q = ÛŜV̂ᵀ + E_svd − (Q̂ − Q), and ÛŜV̂ᵀ has singular values within ŝ_j(e_U + e_V) of ŝ_j.
  a.e_s = a.e_Q + a.e_svd + s.s(0) * (a.e_U + a.e_V);
  return a;
}

// (1/N)(‖Y‖² − Σ_{j∈J} ŝ_j²) and its rounding bound.
struct Value {
  double value = 0, err = 0;
};

Value closed_form(const Analysis& a, const std::vector<arma::uword>& J) {
  double kept = 0, spread = 0;
  for (const arma::uword j : J) {
    const double sj = a.sys.s(j);
    kept += sj * sj;
    spread += 2 * sj * a.e_s + a.e_s * a.e_s;
  }
  Value v;
  v.value = (a.nY2 - kept) / a.Nd;
  v.err = (tol::gamma(a.c * a.N) * a.nY2 + spread + tol::gamma(J.size()) * kept) / a.Nd + 2 * kU * std::abs(v.value);
  return v;
}

std::vector<arma::uword> top(arma::uword K) {
  std::vector<arma::uword> J(K);
  std::iota(J.begin(), J.end(), arma::uword{0});
  return J;
}

// L_λ at the exact product of double factors left (c×k) · right (k×d), as computed, with its bound.
struct PointLoss {
  double value = 0, err = 0;
  arma::mat theta, grad;
};

PointLoss loss_at(const Analysis& a, const arma::mat& left, const arma::mat& right) {
  const Instance& in = a.in;
  PointLoss r;
  r.theta = left * right;
  r.value = ridge_loss(r.theta, in.X, in.Y, in.lambda);
  r.grad = ridge_gradient(r.theta, in.X, in.Y, in.lambda);
  const arma::mat TX = r.theta * in.X;
  const double nT = arma::norm(r.theta, "fro"), nTX = arma::norm(TX, "fro"), nR = arma::norm(in.Y - TX, "fro");
  const double e_R = tol::gamma(a.d) * nT * a.nX + kU * (a.nY + nTX);
  const double e_eval = (2 * nR * e_R + e_R * e_R + tol::gamma(a.c * a.N) * nR * nR) / a.Nd +
                        tol::gamma(a.c * a.d) * in.lambda * nT * nT + 3 * kU * std::abs(r.value);
  const double delta = tol::gamma(left.n_cols) * arma::norm(left, "fro") * arma::norm(right, "fro");
  r.err = e_eval + arma::norm(r.grad, "fro") * delta + a.M / a.Nd * delta * delta;
  return r;
}

// Natural scale of the losses compared: L_λ(0) plus the terms ridge_loss forms at θ.
double loss_scale(const Analysis& a, const arma::mat& theta) {
  const double nTX = arma::norm(theta * a.in.X, "fro");
  return a.nY2 / a.Nd + a.in.lambda * arma::accu(arma::square(theta)) + (a.nY + nTX) * (a.nY + nTX) / a.Nd;
}

double reference_err(const Analysis& a, double scale) {
  const double pdim = static_cast<double>(a.N + a.c + a.d);
  const double eps50 = static_cast<double>(std::numeric_limits<mp::Real>::epsilon());
  return std::max(kReferenceRel, 1e3 * pdim * eps50 * a.kappa) * scale;
}

// ---------------------------------------------------------------------------------------------
// thm_5_1_minimum

nlohmann::json draw_minimum(Draw& dr) {
  nlohmann::json p;
  draw_data(dr, p);
  p["restarts"] = dr.integer(2, 4);
  p["start_seed"] = dr.seed();
  return p;
}

struct MinimumRun {
  Analysis a;
  arma::uword k = 0;   // factor rank searched
  Value closed;        // lhs
  arma::mat A, B;      // best factors found
  PointLoss best;      // rhs
  Evidence e;          // double-precision evidence
};

MinimumRun run_minimum(const nlohmann::json& p) {
  const Instance in = read_instance(p, kMinId);
  const auto restarts = count(params::integer(p, kMinId, "restarts", 1, 64));
  const std::uint64_t start_seed = params::seed(p, kMinId, "start_seed");
  MinimumRun run;
  run.k = in.K;
  if (p.contains("factor_rank"))
    run.k = count(params::integer(p, kMinId, "factor_rank", 1, static_cast<std::int64_t>(std::min(in.X.n_rows, in.Y.n_rows))));
  run.a = analyse(in);
  const Analysis& a = run.a;
  const arma::uword c = a.c, d = a.d, k = run.k;
  run.closed = closed_form(a, top(in.K));

  const arma::mat& X = in.X;
  const arma::mat& Y = in.Y;
  const double lambda = in.lambda, N = a.Nd;
  // F(A, B) = L_λ(A Bᵀ) + (μ/4)‖AᵀA − BᵀB‖²: the balancing term removes the flat directions
  // (A M, B M^{-ᵀ}) along which L-BFGS otherwise drifts into ever worse conditioning (seen: K = 1
  // starts still at ‖∇F‖ ~ 1e2 after 10⁴ iterations). It changes no minimum value: every θ of rank
  // ≤ k has a balanced factorization (A = U√S, B = V√S), and rhs is L_λ(A Bᵀ) without it. μ matches
  // the curvature (2/N)·eig(G) of L_λ in θ.
  const double mu = (a.M + a.m) / N;
  const Objective F = [&](const arma::vec& x, arma::vec& g) {
    const arma::mat A(const_cast<double*>(x.memptr()), c, k, false, true);
    const arma::mat B(const_cast<double*>(x.memptr()) + c * k, d, k, false, true);
    const arma::mat theta = A * B.t();
    const arma::mat R = Y - theta * X;
    const arma::mat Gt = (-2.0 / N) * R * X.t() + 2.0 * lambda * theta;
    const arma::mat D = A.t() * A - B.t() * B;
    arma::mat gA(g.memptr(), c, k, false, true), gB(g.memptr() + c * k, d, k, false, true);
    gA = Gt * B + mu * A * D;
    gB = Gt.t() * A - mu * B * D;
    return arma::accu(arma::square(R)) / N + lambda * arma::accu(arma::square(theta)) + 0.25 * mu * arma::accu(arma::square(D));
  };
  // Starts with A Bᵀ of the size of θ*: entries N(0, α²), α² = ‖θ*‖/√(cdk).
  const double nTheta = arma::norm(a.sys.theta, "fro");
  const double alpha = std::sqrt(std::max(nTheta, 1e-12) / std::sqrt(static_cast<double>(c * d * k)));
  // Gradient scale of F near θ*: ‖∇L‖-terms times ‖A‖ ≈ ‖B‖ ≈ √‖θ*‖.
  const double gscale = ((2 / N) * (a.nY * a.nX + nTheta * a.nX * a.nX) + 2 * lambda * nTheta) * std::sqrt(std::max(nTheta, 1e-12));
  LbfgsOptions opt;
  opt.gradient_tol = kGradientRel * gscale;
  opt.max_iterations = kMaxIterations;

  nlohmann::json starts = nlohmann::json::array();
  std::vector<double> values;
  double best = kInf, max_grad_rel = 0;
  int evaluations = 0, iterations = 0;
  for (arma::uword r = 0; r < restarts; ++r) {
    Engine rng(derive_seed(start_seed, r));
    arma::vec x = alpha * randn((c + d) * k, 1, rng);
    const LbfgsResult res = minimize_lbfgs(F, x, opt);
    evaluations += res.evaluations;
    iterations += res.iterations;
    const char* status = res.status == OptimStatus::Converged       ? "converged"
                         : res.status == OptimStatus::MaxIterations ? "max_iterations"
                         : res.status == OptimStatus::Stalled       ? "stalled"
                                                                    : "non_finite";
    nlohmann::json start = {{"status", status}, {"iterations", res.iterations}, {"evaluations", res.evaluations},
                            {"gradient_norm", res.gradient_norm}};
    if (std::isfinite(res.value)) {
      // Compared by L_λ(A Bᵀ) itself (F adds the balancing term, ≈ 0 at convergence).
      const arma::mat A = arma::reshape(x.head(c * k), c, k), B = arma::reshape(x.tail(d * k), d, k);
      const double loss = ridge_loss(A * B.t(), X, Y, lambda);
      start["loss"] = loss;
      max_grad_rel = std::max(max_grad_rel, res.gradient_norm / gscale);
      values.push_back(loss);
      if (loss < best) {
        best = loss;
        run.A = A;
        run.B = B;
      }
    }
    starts.push_back(start);
  }
  Evidence& e = run.e;
  e.metrics["starts"] = starts;
  e.metrics["evaluations_per_start"] = static_cast<double>(evaluations) / static_cast<double>(restarts);
  e.metrics["iterations_per_start"] = static_cast<double>(iterations) / static_cast<double>(restarts);
  e.metrics["gram_condition"] = a.kappa;
  if (values.empty()) {
    e.inconclusive = "every L-BFGS start diverged (non-finite loss)";
    return run;
  }
  run.best = loss_at(a, run.A, run.B.t());
  e.lhs = run.closed.value;
  e.rhs = run.best.value;
  e.err = run.closed.err + run.best.err;
  const double scale = loss_scale(a, run.best.theta);
  const arma::mat thetaK = rank_constrained_solution(a.sys, in.K);
  const double direct = ridge_loss(thetaK, X, Y, lambda);
  e.metrics["identity_residual"] = std::abs(direct - run.closed.value) / run.closed.value;
  e.metrics["best_gap_rel"] = (e.rhs - e.lhs) / scale;
  e.metrics["start_spread_rel"] = (*std::max_element(values.begin(), values.end()) - best) / scale;
  e.metrics["starts_within_err"] =
      std::count_if(values.begin(), values.end(), [&](double v) { return v - e.lhs <= *e.err; });
  e.metrics["max_gradient_rel"] = max_grad_rel;
  e.metrics["err_rel"] = *e.err / scale;
  e.notes = fmt::format("best of {} L-BFGS starts over rank-{} factors", restarts, k);
  if (k != in.K) e.notes += fmt::format(" (negative control: factor_rank {} ≠ K = {}, the claim is false)", k, in.K);
  return run;
}

Evidence evaluate_minimum(const nlohmann::json& p) { return run_minimum(p).e; }

// The same instance at 50 digits: the closed form from lib/mp, and L_λ(A Bᵀ) with A Bᵀ formed in
// Real from the exact double factors (so its rank is ≤ K exactly).
Evidence evaluate_minimum_reference(const nlohmann::json& p) {
  MinimumRun run = run_minimum(p);
  Evidence e = run.e;
  if (!e.inconclusive.empty() || !e.not_applicable.empty()) return e;
  const Instance& in = run.a.in;
  const mp::RidgeSystem sys = mp::solve_ridge(in.X, in.Y, in.lambda);
  const mp::Real lhs = mp::rank_constrained_min_loss(sys, in.K);
  const mp::Matrix theta = mp::from_arma(run.A) * mp::from_arma(run.B).transpose();
  const mp::Real rhs = mp::ridge_loss(theta, in.X, in.Y, in.lambda);
  const double scale = loss_scale(run.a, run.best.theta);
  e.lhs = static_cast<double>(lhs);
  e.rhs = static_cast<double>(rhs);
  e.difference = static_cast<double>(mp::Real(lhs - rhs));
  e.err = reference_err(run.a, scale);
  e.metrics["reference_gap_rel"] = static_cast<double>(mp::Real(rhs - lhs)) / scale;
  return e;
}

// ---------------------------------------------------------------------------------------------
// Critical points θ_I (shared by thm_5_1_critical and thm_5_1_saddle)

nlohmann::json draw_with_indices(Draw& dr) {
  nlohmann::json p;
  draw_data(dr, p);
  const auto pdim = std::min(p["c"].get<std::int64_t>(), p["d"].get<std::int64_t>());
  p["indices"] = draw_indices(dr, pdim, p["K"].get<std::int64_t>());
  return p;
}

// NotApplicable reason when θ_I would not have rank K (an index beyond the numerical rank of Q̂).
std::string rank_deficiency(const Analysis& a, const std::vector<arma::uword>& I) {
  if (I.back() < a.q) return {};
  return fmt::format("index {} exceeds the numerical rank {} of Q_λ: θ_I would have rank < K", I.back() + 1, a.q);
}

// ---------------------------------------------------------------------------------------------
// thm_5_1_critical

Evidence evaluate_critical(const nlohmann::json& p) {
  const Instance in = read_instance(p, kCritId);
  const std::vector<arma::uword> I = read_indices(p, kCritId, in);
  const double twist = p.contains("twist") ? params::real(p, kCritId, "twist", -std::numbers::pi, std::numbers::pi) : 0.0;
  // Negative control: θ = scale·θ_I (rank K, critical only at scale 1: the radial direction is tangent).
  const double scale = p.contains("scale") ? params::real(p, kCritId, "scale", 0, kInf, /*lo_open=*/true) : 1.0;
  const Analysis a = analyse(in);
  const RidgeSystem& s = a.sys;
  const std::vector<arma::uword> J = complement(I, a.p);
  Evidence e;
  if (const std::string why = rank_deficiency(a, I); !why.empty()) {
    e.not_applicable = why;
    return e;
  }
  const arma::uword K = in.K;
  const double N = a.Nd;
  arma::mat Ub = s.U.cols(as_uvec(I));   // orthonormal basis of θ's column space
  if (twist != 0) {
    require(!J.empty(), kCritId, "parameter 'twist' needs an index outside I, but I = {{1..{}}}", a.p);
    Ub.col(K - 1) = std::cos(twist) * s.U.col(I.back()) + std::sin(twist) * s.U.col(J.front());
  }
  const arma::vec sI = scale * s.s.elem(as_uvec(I));
  const arma::vec sJ = J.empty() ? arma::vec() : arma::vec(s.s.elem(as_uvec(J)));
  const arma::mat left = Ub * arma::diagmat(sI);
  const arma::mat right = s.V.cols(as_uvec(I)).t() * s.gram_inv_sqrt;
  const arma::mat theta = left * right;
  const arma::mat g = ridge_gradient(theta, in.X, in.Y, in.lambda);

  // P_T(g) = P_U g + g P_V − P_U g P_V, P_U = Ub Ubᵀ, P_V = Qv Qvᵀ with Qv an orthonormal basis of
  // the row space span{W v_i} (Householder QR).
  arma::mat Qv, Rv;
  if (!arma::qr_econ(Qv, Rv, s.gram_inv_sqrt * s.V.cols(as_uvec(I))))
    throw std::runtime_error("nrc::thm_5_1_critical(): QR of the row-space basis failed");
  const arma::mat Ug = Ub.t() * g;
  const arma::mat gQ = g * Qv;
  const arma::mat PTg = Ub * Ug + gQ * Qv.t() - Ub * (Ug * Qv) * Qv.t();
  e.lhs = arma::norm(PTg, "fro");

  // Budget (header, "Riemannian-gradient budget").
  const double nI = arma::norm(sI), nJ = sJ.is_empty() ? 0.0 : arma::norm(sJ), sqrtM = std::sqrt(a.M);
  const double ng = arma::norm(g, "fro"), nT = arma::norm(theta, "fro");
  const double Kd = static_cast<double>(K), dd = static_cast<double>(a.d);
  const double main = (2 / N) * sqrtM * (nJ * (a.e_U + a.e_V + a.eta_W) + a.e_svd + a.e_Q + nI * a.eta_W);
  // Measured in long double: θ̃ = (Ub Ŝ_I)(V̂_IᵀŴ) exactly, then (2/N)‖(θ̂ − θ̃)G‖ and ‖ĝ − (2/N)(θ̂G − YXᵀ)‖.
  Ld US(Ub);
  for (arma::uword j = 0; j < K; ++j)
    for (arma::uword i = 0; i < a.c; ++i) US(i, j) *= sI(j);
  const Ld theta_exact = mul(US, mul(transpose(Ld(arma::mat(s.V.cols(as_uvec(I))))), Ld(s.gram_inv_sqrt)));
  Ld diff(theta);
  for (std::size_t k = 0; k < diff.a.size(); ++k) diff.a[k] -= theta_exact.a[k];
  const double nG = a.nX * a.nX + N * in.lambda * std::sqrt(dd);
  const double forming = (2 / N) * fro_diff(mul(diff, a.G), Ld(arma::zeros(a.c, a.d))) +
                         (2 / N) * gamma_ld(a.d + K + 2) * (nI * std::sqrt(Kd) * a.nW + nT) * nG;
  Ld exact_g = mul(Ld(theta), a.G);
  for (std::size_t k = 0; k < exact_g.a.size(); ++k) exact_g.a[k] = (exact_g.a[k] - a.YXt.a[k]) * (2 / static_cast<LD>(N));
  const double gradient = fro_diff(Ld(g), exact_g) + (2 / N) * gamma_ld(a.N + a.d + 2) * (nT * nG + a.nY * a.nX);
  const double arithmetic = 4 * tol::gamma(a.c + a.d + K) * Kd * ng;
  const double projectors =
      (a.e_U + dd * kEps + 2 * dd * kEps * std::sqrt(Kd * a.kappa) + tol::gamma(a.d) * std::sqrt(Kd) * a.nW * sqrtM) * ng;
  e.rhs = main + forming + gradient + arithmetic + projectors;
  e.err = 0;   // rhs is itself the rounding budget of lhs, whose exact value is 0

  // The Euclidean gradient is not 0: (2/N)‖Σ_{j∉I} s_j u_j v_jᵀ G^{1/2}‖ (exact for twist = 0).
  double predicted = 0;
  if (!J.empty()) {
    const arma::mat G_half = arma::sqrtmat_sympd(s.gram);
    predicted = (2 / N) * arma::norm(s.U.cols(as_uvec(J)) * arma::diagmat(sJ) * s.V.cols(as_uvec(J)).t() * G_half, "fro");
  }
  const Value closed = closed_form(a, I);
  const PointLoss at = loss_at(a, left, right);
  e.metrics["euclidean_gradient"] = ng;
  e.metrics["predicted_euclidean_gradient"] = predicted;
  e.metrics["euclidean_gradient_rel_error"] = predicted > 0 ? std::abs(ng - predicted) / predicted : ng;
  e.metrics["riemannian_over_euclidean"] = ng > 0 ? e.lhs / ng : 0.0;
  e.metrics["euclidean_over_budget"] = e.rhs > 0 ? ng / e.rhs : kInf;
  e.metrics["loss_identity_residual"] = std::abs(at.value - closed.value) / closed.value;
  // |L(θ̂_I) − closed form| over its first-order bound: the evaluation's rounding (at.err), the closed
  // form's (closed.err), and the move from θ_I to θ̃ = Û_IŜ_IV̂_IᵀŴ. At a critical point tangent moves
  // (rotated singular vectors) change L only to second order (~ s_i s_j (e_s/gap)², not bounded
  // without singular gaps, hence reported rather than judged); the normal part is
  // (2/N)⟨Σ_J s_j u_j v_jᵀ, Z̃F⟩ ≤ (2/N)‖Ŝ_J‖‖Ŝ_I‖η_W.
  e.metrics["loss_identity_over_err"] =
      std::abs(at.value - closed.value) / (closed.err + at.err + (2 / N) * nJ * nI * a.eta_W);
  e.metrics["gram_condition"] = a.kappa;
  const double front = (2 / N) * sqrtM;
  e.metrics["budget_terms"] = {{"orthogonality", front * nJ * (a.e_U + a.e_V + a.eta_W)},
                               {"svd_residual", front * a.e_svd},
                               {"q_formation", front * a.e_Q},
                               {"inverse_sqrt", front * nI * a.eta_W},
                               {"forming_theta", forming},
                               {"gradient", gradient},
                               {"projection_arithmetic", arithmetic},
                               {"projectors", projectors}};
  if (twist != 0) e.notes = fmt::format("negative control: u_{} rotated by {} toward u_{}, θ is not critical", I.back() + 1, twist, J.front() + 1);
  if (scale != 1) e.notes = fmt::format("negative control: θ = {}·θ_I, not critical", scale);
  return e;
}

// ---------------------------------------------------------------------------------------------
// thm_5_1_saddle

nlohmann::json draw_saddle(Draw& dr) {
  nlohmann::json p = draw_with_indices(dr);
  p["t"] = dr.uniform(0.05, 1.5);
  return p;
}

struct SaddleRun {
  Analysis a;
  arma::mat left, right;   // the certificate θ(t) = left·right, rank ≤ K
  std::vector<arma::uword> I;
  Evidence e;
};

SaddleRun run_saddle(const nlohmann::json& p) {
  const Instance in = read_instance(p, kSaddleId);
  SaddleRun run;
  run.I = read_indices(p, kSaddleId, in);
  const std::vector<arma::uword>& I = run.I;
  const double t = params::real(p, kSaddleId, "t", 0, std::numbers::pi / 2);
  run.a = analyse(in);
  const Analysis& a = run.a;
  const RidgeSystem& s = a.sys;
  const std::vector<arma::uword> J = complement(I, a.p);
  if (J.empty()) {
    run.e.not_applicable = fmt::format("K = min(c, d) = {}: I holds every index, θ_I is the global minimizer", in.K);
    return run;
  }
  // The swapped pair: default the largest available gap (i = max I, m = min ∉ I).
  arma::uword i = I.back(), m = J.front();
  if (p.contains("swap_out")) i = count(params::integer(p, kSaddleId, "swap_out", 1, static_cast<std::int64_t>(a.p))) - 1;
  if (p.contains("swap_in")) m = count(params::integer(p, kSaddleId, "swap_in", 1, static_cast<std::int64_t>(a.p))) - 1;
  require(std::binary_search(I.begin(), I.end(), i), kSaddleId, "parameter 'swap_out': expected an index in I, got {}", i + 1);
  require(!std::binary_search(I.begin(), I.end(), m), kSaddleId, "parameter 'swap_in': expected an index outside I, got {}", m + 1);
  Evidence& e = run.e;
  if (const std::string why = rank_deficiency(a, I); !why.empty()) {
    e.not_applicable = why;
    return run;
  }
  if (m >= a.q) {
    e.not_applicable = fmt::format("swap_in {} exceeds the numerical rank {} of Q_λ", m + 1, a.q);
    return run;
  }
  const double N = a.Nd, si = s.s(i), sm = s.s(m);

  // θ(t) = [Û_{I∖i} Ŝ_{I∖i}, w] · [V̂_{I∖i}ᵀ; cos t·ŝ_i v̂_iᵀ + sin t·ŝ_m v̂_mᵀ] Ŵ, w = cos t û_i + sin t û_m.
  std::vector<arma::uword> rest;
  for (const arma::uword j : I)
    if (j != i) rest.push_back(j);
  const arma::uvec R = as_uvec(rest);
  const arma::vec w = std::cos(t) * s.U.col(i) + std::sin(t) * s.U.col(m);
  const arma::rowvec wQ = std::cos(t) * si * s.V.col(i).t() + std::sin(t) * sm * s.V.col(m).t();
  run.left = arma::join_rows(s.U.cols(R) * arma::diagmat(s.s.elem(R)), w);
  run.right = arma::join_cols(s.V.cols(R).t(), wQ) * s.gram_inv_sqrt;
  const PointLoss curve = loss_at(a, run.left, run.right);
  const Value critical = closed_form(a, I);
  e.lhs = curve.value;
  e.rhs = critical.value;
  e.err = curve.err + critical.err;

  const double predicted = std::sin(t) * std::sin(t) * (sm * sm - si * si) / N;
  const double pred_err = std::sin(t) * std::sin(t) * 2 * (sm + si + a.e_s) * a.e_s / N;
  const double measured = e.rhs - e.lhs;
  e.metrics["predicted_decrease"] = predicted;
  e.metrics["measured_decrease"] = measured;
  e.metrics["decrease_rel_error"] = predicted != 0 ? std::abs(measured - predicted) / std::abs(predicted) : kInf;
  e.metrics["decrease_over_err"] = std::abs(measured - predicted) / (*e.err + pred_err);
  e.metrics["swap"] = {{"out", i + 1}, {"in", m + 1}, {"s_out", si}, {"s_in", sm}};

  // θ_I itself, its loss against the closed form, and the curvature of the curve at t = 0:
  // ⟨∇²L ξ, ξ⟩ + ⟨∇L(θ_I), θ''(0)⟩ with ξ = (û_m ŝ_i v̂_iᵀ + û_i ŝ_m v̂_mᵀ)Ŵ and
  // θ''(0) = 2(ŝ_m û_m v̂_mᵀ − ŝ_i û_i v̂_iᵀ)Ŵ; ⟨∇²L ξ, ξ⟩ = (2/N)(‖ξX‖² + Nλ‖ξ‖²).
  const arma::uvec Iv = as_uvec(I);
  const arma::mat thetaI = (s.U.cols(Iv) * arma::diagmat(s.s.elem(Iv))) * (s.V.cols(Iv).t() * s.gram_inv_sqrt);
  const double LI = ridge_loss(thetaI, in.X, in.Y, in.lambda);
  const arma::mat xi = (s.U.col(m) * (si * s.V.col(i).t()) + s.U.col(i) * (sm * s.V.col(m).t())) * s.gram_inv_sqrt;
  const arma::mat acc = 2 * (s.U.col(m) * (sm * s.V.col(m).t()) - s.U.col(i) * (si * s.V.col(i).t())) * s.gram_inv_sqrt;
  const double hess = (2 / N) * (arma::accu(arma::square(xi * in.X)) + N * in.lambda * arma::accu(arma::square(xi)));
  const double curvature = hess + arma::accu(ridge_gradient(thetaI, in.X, in.Y, in.lambda) % acc);
  const double curvature_pred = -(2 / N) * (sm * sm - si * si);
  e.metrics["direct_loss_residual"] = std::abs(LI - critical.value) / critical.value;
  e.metrics["curvature"] = curvature;
  e.metrics["predicted_curvature"] = curvature_pred;
  e.metrics["curvature_rel_error"] = std::abs(curvature - curvature_pred) / std::abs(curvature_pred);
  e.metrics["distance_rel"] = arma::norm(curve.theta - thetaI, "fro") / arma::norm(thetaI, "fro");
  e.metrics["gram_condition"] = a.kappa;

  // Hypotheses: I is not the top-K set, and the pair is a strict gap beyond rounding (a tie, or the
  // reverse order, makes the curve flat or uphill: no certificate, so NotApplicable — the measured
  // sides are kept).
  if (I.back() + 1 == I.size()) {
    e.not_applicable = "I = {1..K}: θ_I is the global minimizer, no descent curve exists";
  } else if (!(sm - si > 2 * a.e_s)) {
    e.not_applicable = fmt::format("s_{} = {} does not exceed s_{} = {} beyond rounding (2e_s = {:.3g}): not a strict gap",
                                   m + 1, sm, i + 1, si, 2 * a.e_s);
  }
  return run;
}

Evidence evaluate_saddle(const nlohmann::json& p) { return run_saddle(p).e; }

Evidence evaluate_saddle_reference(const nlohmann::json& p) {
  SaddleRun run = run_saddle(p);
  Evidence e = run.e;
  if (!e.inconclusive.empty() || !e.not_applicable.empty()) return e;
  const Instance& in = run.a.in;
  const mp::RidgeSystem sys = mp::solve_ridge(in.X, in.Y, in.lambda);
  mp::Real kept = 0;
  for (const arma::uword j : run.I) kept += sys.s(static_cast<Eigen::Index>(j)) * sys.s(static_cast<Eigen::Index>(j));
  const mp::Real rhs = (mp::frobenius(sys.Y) * mp::frobenius(sys.Y) - kept) / mp::Real(in.X.n_cols);
  const mp::Matrix theta = mp::from_arma(run.left) * mp::from_arma(run.right);
  const mp::Real lhs = mp::ridge_loss(theta, in.X, in.Y, in.lambda);
  e.lhs = static_cast<double>(lhs);
  e.rhs = static_cast<double>(rhs);
  e.difference = static_cast<double>(mp::Real(lhs - rhs));
  e.err = reference_err(run.a, loss_scale(run.a, run.left * run.right));
  return e;
}

// ---------------------------------------------------------------------------------------------
// thm_5_1_value_paper / thm_5_1_value: the value of L_λ at θ_I

// A K-subset of {1..p} (1-based, sorted), the top set included.
std::vector<std::int64_t> draw_subset(Draw& dr, std::int64_t p, std::int64_t K) {
  std::vector<std::int64_t> pool(static_cast<std::size_t>(p));
  std::iota(pool.begin(), pool.end(), 1);
  for (std::int64_t j = 0; j < K; ++j) std::swap(pool[static_cast<std::size_t>(j)], pool[static_cast<std::size_t>(dr.integer(j, p - 1))]);
  std::vector<std::int64_t> I(pool.begin(), pool.begin() + K);
  std::sort(I.begin(), I.end());
  return I;
}

nlohmann::json draw_value(Draw& dr) {
  nlohmann::json p;
  draw_data(dr, p);
  const auto pdim = std::min(p["c"].get<std::int64_t>(), p["d"].get<std::int64_t>());
  p["indices"] = draw_subset(dr, pdim, p["K"].get<std::int64_t>());
  return p;
}

// Which formula the value is compared with: Theorem 5.1's ½(‖Y‖² − Σ_{j∈I} s_j²) as written, the
// corrected (1/N)(‖Y‖² − Σ_{j∈I} s_j²) of eq. (19), or (mutants) either with a wrong index set (the
// largest index of I swapped for the smallest outside) or with ¼ for the paper's ½.
enum class ValueForm { Paper, Corrected, PaperWrongIndices, CorrectedWrongIndices, Quarter };

Evidence evaluate_value(const nlohmann::json& p, const std::string& id, ValueForm form) {
  const Instance in = read_instance(p, id);
  const std::vector<arma::uword> I = read_indices(p, id, in);
  const Analysis a = analyse(in);
  const RidgeSystem& s = a.sys;
  Evidence e;
  if (const std::string why = rank_deficiency(a, I); !why.empty()) {
    e.not_applicable = why;
    return e;
  }
  const std::vector<arma::uword> J = complement(I, a.p);
  const arma::uvec Iv = as_uvec(I);
  const arma::mat left = s.U.cols(Iv) * arma::diagmat(s.s.elem(Iv));
  const arma::mat right = s.V.cols(Iv).t() * s.gram_inv_sqrt;
  const PointLoss at = loss_at(a, left, right);   // L_λ(θ_I) from its definition, eq. (19)

  std::vector<arma::uword> If = I;
  if (form == ValueForm::PaperWrongIndices || form == ValueForm::CorrectedWrongIndices) {
    require(!J.empty(), id, "a wrong index set needs an index outside I, but I = {{1..{}}}", a.p);
    If.back() = J.front();
    std::sort(If.begin(), If.end());
  }
  const Value v = closed_form(a, If);   // (1/N)(‖Y‖² − Σ_{j∈I} ŝ_j²) with its rounding bound
  const bool corrected = form == ValueForm::Corrected || form == ValueForm::CorrectedWrongIndices;
  const double factor = corrected ? 1.0 : (form == ValueForm::Quarter ? a.Nd / 4 : a.Nd / 2);   // ½ = (N/2)·(1/N)
  const double formula = factor * v.value;
  e.lhs = std::abs(at.value - formula);

  // Budget (derived; no gap enters): with θ̃ = Û_IŜ_IV̂_IᵀŴ, Z̃ = θ̃G^{1/2} = M_I(I + F), Q = M + E
  // (M = ÛŜV̂ᵀ = M_I + M_J, ‖E‖ ≤ e_E = e_svd + e_Q, ‖F‖ ≤ η_W), identity (★) gives
  //   N·L(θ̃) − (‖Y‖² − Σ_I ŝ_j²) = [Σ_I ŝ² − ‖M_I‖²] − 2⟨M_I, M_J⟩ − 2⟨M_I, E⟩ − ‖E‖² + ‖E − M_IF‖² − 2⟨M_J, M_IF⟩,
  // and |Σ_I ŝ² − ‖M_I‖²| ≤ ‖Ŝ_I‖²(e_U + e_V + e_Ue_V), |⟨M_I, M_J⟩| ≤ ‖Ŝ_I‖‖Ŝ_J‖e_Ue_V (off-diagonal
  // blocks of ÛᵀÛ − I and V̂ᵀV̂ − I), ‖M_I‖ ≤ ‖Ŝ_I‖(1 + e_U)(1 + e_V) =: m_I. Forming left = fl(Û_IŜ_I)
  // and right = fl(V̂_IᵀŴ) moves θ by Δ ≤ u·m_I‖right‖ + γ_d‖left‖√(K(1 + e_V))‖Ŵ‖, hence L by
  // ‖∇L‖Δ + (M/N)Δ². loss_at adds the product left·right and the evaluation of L; closed_form the
  // formula's own rounding (scaled by the formula's factor).
  const double nI = arma::norm(s.s.elem(Iv)), nJ = J.empty() ? 0.0 : arma::norm(s.s.elem(as_uvec(J)));
  const double fUV = (1 + a.e_U) * (1 + a.e_V), mI = nI * fUV, mJ = nJ * fUV, eE = a.e_svd + a.e_Q;
  const double structural = (nI * nI * (a.e_U + a.e_V + a.e_U * a.e_V) + 2 * nI * nJ * a.e_U * a.e_V + 2 * mI * eE +
                             eE * eE + std::pow(eE + mI * a.eta_W, 2) + 2 * mJ * mI * a.eta_W) /
                            a.Nd;
  const double Kd = static_cast<double>(I.size());
  const double Delta = kU * mI * arma::norm(right, "fro") +
                       tol::gamma(a.d) * arma::norm(left, "fro") * std::sqrt(Kd * (1 + a.e_V)) * a.nW;
  const double forming = arma::norm(at.grad, "fro") * Delta + a.M / a.Nd * Delta * Delta;
  e.rhs = factor * v.err + at.err + structural + forming;
  e.err = 0;   // rhs is itself the rounding budget of lhs, whose exact value is 0 when the formula holds

  e.metrics["loss"] = at.value;
  e.metrics["corrected_value"] = v.value;
  e.metrics["paper_value"] = a.Nd / 2 * v.value;
  e.metrics["relative_discrepancy"] = at.value != 0 ? e.lhs / std::abs(at.value) : e.lhs;
  e.metrics["top_set"] = I.back() + 1 == I.size();
  e.metrics["gram_condition"] = a.kappa;
  if (!corrected && a.N != 2)
    e.notes = fmt::format("the paper's ½ is (1/N)·N/2 = {}·(1/N): its value is {}× eq. (19)'s", a.Nd / 2, a.Nd / 2);
  if (If != I) e.notes = "mutant: the formula's index set differs from θ_I's";
  return e;
}

// ---------------------------------------------------------------------------------------------
// thm_5_1_only_if: every critical point of L_λ on the rank-K manifold is some θ_I

nlohmann::json draw_only_if(Draw& dr) {
  nlohmann::json p;
  draw_data(dr, p);
  p["starts"] = dr.integer(3, 5);
  p["start_seed"] = dr.seed();
  return p;
}

// Levenberg–Marquardt on the first-order conditions of L_λ(A Bᵀ), A ∈ R^{c×K}, B ∈ R^{d×K}:
//   r(A, B) = [∇L(ABᵀ)·B; ∇L(ABᵀ)ᵀ·A; w·(AᵀA − BᵀB)] = 0,   ∇L(θ) = (2/N)(θG − YXᵀ).
// For A, B of rank K the first two blocks vanish iff P_U∇L = 0 and ∇L·P_V = 0, i.e. iff θ is critical
// on the rank-K manifold; the third fixes the GL(K) freedom (A M, B M^{-ᵀ}) up to rotations (every
// θ of rank K has a balanced factorization), w matching the first blocks' scale. Independent of
// Theorem 5.1: nothing here uses Q_λ or its SVD. Zeros of r are all critical points, saddles
// included (a minimizer of L would find only the minimum).
struct Zero {
  arma::mat A, B;
  double residual = 0;   // ‖r‖ at the end
  int iterations = 0;
};

Zero solve_first_order(const Analysis& a, arma::mat A, arma::mat B, double w, int max_iterations = kMaxLmIterations) {
  const arma::mat& G = a.sys.gram;
  const arma::mat C = a.in.Y * a.in.X.t();
  const double alpha = 2 / a.Nd;
  const arma::uword c = a.c, d = a.d, K = A.n_cols, n = (c + d) * K, m = (c + d) * K + K * K;
  auto residual = [&](const arma::mat& A_, const arma::mat& B_) {
    const arma::mat g = alpha * (A_ * (B_.t() * G) - C);
    arma::vec r(m);
    r.subvec(0, c * K - 1) = arma::vectorise(g * B_);
    r.subvec(c * K, (c + d) * K - 1) = arma::vectorise(g.t() * A_);
    r.subvec((c + d) * K, m - 1) = w * arma::vectorise(A_.t() * A_ - B_.t() * B_);
    return r;
  };
  // Exact Jacobian, column by column: d g = α(dA BᵀG + A dBᵀG), d(gB) = dg B + g dB, d(gᵀA) = dgᵀA + gᵀdA,
  // d(AᵀA − BᵀB) = dAᵀA + AᵀdA − dBᵀB − BᵀdB.
  auto jacobian = [&](const arma::mat& A_, const arma::mat& B_) {
    const arma::mat BtG = B_.t() * G, g = alpha * (A_ * BtG - C);
    arma::mat Jm(m, n);
    for (arma::uword k = 0; k < n; ++k) {
      arma::mat dA = arma::zeros(c, K), dB = arma::zeros(d, K);
      if (k < c * K) dA(k % c, k / c) = 1;
      else dB((k - c * K) % d, (k - c * K) / d) = 1;
      const arma::mat dg = alpha * (dA * BtG + A_ * (dB.t() * G));
      arma::vec col(m);
      col.subvec(0, c * K - 1) = arma::vectorise(dg * B_ + g * dB);
      col.subvec(c * K, (c + d) * K - 1) = arma::vectorise(dg.t() * A_ + g.t() * dA);
      col.subvec((c + d) * K, m - 1) = w * arma::vectorise(dA.t() * A_ + A_.t() * dA - dB.t() * B_ - B_.t() * dB);
      Jm.col(k) = col;
    }
    return Jm;
  };
  Zero z;
  arma::vec r = residual(A, B);
  double nu = -1;
  for (z.iterations = 0; z.iterations < max_iterations; ++z.iterations) {
    const arma::mat Jm = jacobian(A, B);
    const arma::mat JtJ = Jm.t() * Jm;
    const arma::vec Jtr = Jm.t() * r;
    if (nu < 0) nu = 1e-3 * JtJ.diag().max();
    bool improved = false;
    while (!improved && nu < 1e300) {
      arma::vec step;
      if (!arma::solve(step, JtJ + nu * arma::eye(n, n), -Jtr, arma::solve_opts::likely_sympd + arma::solve_opts::no_approx)) {
        nu *= 4;
        continue;
      }
      const arma::mat A2 = A + arma::reshape(step.head(c * K), c, K), B2 = B + arma::reshape(step.tail(d * K), d, K);
      const arma::vec r2 = residual(A2, B2);
      if (r2.is_finite() && arma::norm(r2) < arma::norm(r)) {
        const double gain = arma::norm(r) - arma::norm(r2);
        A = A2;
        B = B2;
        r = r2;
        nu = std::max(nu / 3, 1e-300);
        improved = true;
        if (gain <= kU * arma::norm(r)) z.iterations = max_iterations;   // at the rounding floor
      } else {
        nu *= 4;
      }
    }
    if (!improved) break;   // no step lowers ‖r‖: a zero to rounding, or a stall
  }
  z.A = A;
  z.B = B;
  z.residual = arma::norm(r);
  return z;
}

// All K-subsets of {0..q−1}.
std::vector<std::vector<arma::uword>> subsets(arma::uword q, arma::uword K) {
  std::vector<std::vector<arma::uword>> out;
  std::vector<arma::uword> cur;
  std::function<void(arma::uword)> rec = [&](arma::uword from) {
    if (cur.size() == K) {
      out.push_back(cur);
      return;
    }
    for (arma::uword i = from; i < q; ++i) {
      cur.push_back(i);
      rec(i + 1);
      cur.pop_back();
    }
  };
  rec(0);
  return out;
}

// The candidates θ_I = Σ_{j∈I} s_j u_j v_jᵀ W of Theorem 5.1 — or, for the mutant, those of eq. (16)
// without Remark 5.2 (Q = YXᵀ(XXᵀ)^{-1/2}, W = (XXᵀ)^{-1/2}: the critical points of L_0, not L_λ).
struct Candidates {
  std::vector<std::vector<arma::uword>> sets;
  std::vector<arma::mat> theta;
};

Candidates candidates(const Analysis& a, bool unregularized) {
  Candidates out;
  arma::mat U = a.sys.U, V = a.sys.V, W = a.sys.gram_inv_sqrt;
  arma::vec sv = a.sys.s;
  if (unregularized) {
    arma::vec ev;
    arma::mat E;
    const arma::mat XXt = a.in.X * a.in.X.t();
    if (!arma::eig_sym(ev, E, XXt) || !(ev.min() > 0))
      throw std::invalid_argument("nrc::thm_5_1_only_if(): the eq. (16) mutant needs X Xᵀ of full rank");
    W = E * arma::diagmat(1 / arma::sqrt(ev)) * E.t();
    const ThinSvd svd = thin_svd(a.in.Y * a.in.X.t() * W);
    U = svd.U;
    V = svd.V;
    sv = svd.s;
  }
  for (const auto& I : subsets(a.q, a.in.K)) {
    const arma::uvec Iv = as_uvec(I);
    out.sets.push_back(I);
    out.theta.push_back((U.cols(Iv) * arma::diagmat(sv.elem(Iv))) * (V.cols(Iv).t() * W));
  }
  return out;
}

// The Riemannian gradient of L_λ at θ on the rank-K manifold, r = P_U∇L + ∇L P_V − P_U∇L P_V, with
// ∇L(θ) = (2/N)(θG − YXᵀ) and P_U, P_V the projectors on θ's column and row spaces (θ's own SVD):
// the stationarity measure of thm_5_1_only_if, computed without Q_λ or its SVD. err bounds ‖r̂ − r‖
// to first order: the gradient's products (γ terms, G formed in double against XXᵀ + NλI), and the
// projectors' errors sinΘ ≤ e_svd/(s_K − s_{K+1}) (Wedin on θ's computed SVD; infinite when θ's K-th
// singular value is not separated), each moving r by at most 2‖∇L‖ sinΘ.
struct Stationarity {
  double norm = 0, err = 0;
};

Stationarity riemannian_gradient(const Analysis& a, const arma::mat& theta, arma::uword K) {
  const arma::mat& G = a.sys.gram;
  const arma::mat g = (2 / a.Nd) * (theta * G - a.in.Y * a.in.X.t());
  arma::mat U, V;
  arma::vec sv;
  Stationarity st;
  if (!arma::svd(U, sv, V, theta) || sv.n_elem < K) {
    st.norm = st.err = kInf;
    return st;
  }
  const arma::mat Uk = U.head_cols(K), Vk = V.head_cols(K);
  const arma::mat Pg = Uk * (Uk.t() * g);
  const arma::mat r = Pg + (g - Pg) * Vk * Vk.t();
  const arma::uword c = a.c, d = a.d, N = a.N;
  const double nT = arma::norm(theta, "fro"), nG = arma::norm(G, "fro"), ng = arma::norm(g, "fro");
  const double e_g = (2 / a.Nd) * (tol::gamma(d + 1) * nT * nG + tol::gamma(N) * a.nY * a.nX +
                                   tol::gamma(N + 1) * nT * (a.nX * a.nX + nG));
  const double next = sv.n_elem > K ? sv(K) : 0.0;
  const double e_svd = tol::svd_abs_error(sv(0), c, d), sep = sv(K - 1) - next - 2 * e_svd;
  const double sin_theta = sep > 0 ? e_svd / sep : kInf;
  st.norm = arma::norm(r, "fro");
  st.err = 2 * e_g + 4 * ng * sin_theta + 4 * tol::gamma(c + d + K) * ng;
  return st;
}

// The passed_off mutant's Levenberg–Marquardt budget: 2 iterations, far from any critical point.
constexpr int kPassedOffIterations = 2;

Evidence evaluate_only_if(const nlohmann::json& p, bool unregularized, bool pass_off = false) {
  const Instance in = read_instance(p, kOnlyIfId);
  const auto starts = count(params::integer(p, kOnlyIfId, "starts", 1, 64));
  const std::uint64_t start_seed = params::seed(p, kOnlyIfId, "start_seed");
  const Analysis a = analyse(in);
  const RidgeSystem& s = a.sys;
  const arma::uword K = in.K, c = a.c, d = a.d;
  Evidence e;
  if (a.q < K) {
    e.not_applicable = fmt::format("Q_λ has numerical rank {} < K = {}: no rank-K critical point", a.q, K);
    return e;
  }
  const Candidates cand = candidates(a, unregularized);
  arma::vec ev;
  arma::mat E;
  arma::eig_sym(ev, E, s.gram);
  const arma::mat G_half = E * arma::diagmat(arma::sqrt(ev)) * E.t();
  const double s1 = s.s(0), nTheta = arma::norm(s.theta, "fro"), nQ = arma::norm(s.s);
  const double alpha = std::sqrt(std::max(nTheta, 1e-12) / std::sqrt(static_cast<double>(c * d * K)));
  const double w = (2 / a.Nd) * a.M * std::sqrt(std::max(nTheta, 1e-12));

  // Singular values of Q̂ (all min(c, d), padded with the zeros of the larger side when c ≠ d).
  std::vector<double> spectrum(s.s.begin(), s.s.end());
  if (c != d) spectrum.push_back(0.0);
  auto gap = [&](const std::vector<double>& inside, const std::vector<arma::uword>& I) {
    double g = kInf;   // min over σ ∈ inside, j ∉ I of |σ − s_j|, and min σ (rectangular: zero singular values)
    for (const double sig : inside) {
      for (arma::uword j = 0; j < spectrum.size(); ++j)
        if (!std::binary_search(I.begin(), I.end(), j)) g = std::min(g, std::abs(sig - spectrum[j]));
      g = std::min(g, sig);
    }
    return g;
  };

  nlohmann::json found = nlohmann::json::array();
  double worst = -1;
  std::size_t converged = 0, saddles = 0, lower_rank = 0;
  std::set<std::vector<arma::uword>> sets_found;
  // Zeros of r include the lower-rank critical points (θ_I with |I| < K, padded with zero columns,
  // and θ = 0), which attract some starts: up to 4·starts attempts, until `starts` rank-K critical
  // points are found.
  std::size_t attempts = 0;
  for (arma::uword r = 0; r < kAttemptsPerStart * starts && converged < starts; ++r) {
    ++attempts;
    Engine rng(derive_seed(start_seed, r));
    const Zero z = solve_first_order(a, alpha * randn(c, K, rng), alpha * randn(d, K, rng), w,
                                     pass_off ? kPassedOffIterations : kMaxLmIterations);
    nlohmann::json start = {{"residual", z.residual}, {"iterations", z.iterations}};
    const arma::mat theta = z.A * z.B.t();
    // Z = θG^{1/2}: the critical points of L_λ on rank K are those of ‖Q − Z‖² (identity ★).
    const arma::mat Z = theta * G_half;
    arma::mat Uz, Vz;
    arma::vec sz;
    if (!arma::svd(Uz, sz, Vz, Z) || sz.n_elem < K || !(sz(K - 1) > 0)) {
      ++lower_rank;
      start["status"] = "rank below K";
      found.push_back(start);
      continue;
    }
    const arma::mat U1 = Uz.head_cols(K), V1 = Vz.head_cols(K), U2 = Uz.tail_cols(c - K), V2 = Vz.tail_cols(d - K);
    const arma::mat A11 = U1.t() * s.Q * V1, A22 = U2.t() * s.Q * V2;
    // ρ1, ρ2, ρ3 (all 0 at a critical point) are bounded by the point's own stationarity, measured
    // independently of Q and its SVD: ρ̄ = (N/2)‖r‖/√λ_min(G) with r the Riemannian gradient (header).
    // Admission: θ is a critical point (the hypothesis) when its computed Riemannian gradient is at the
    // rounding level of an exact one, ‖r̂‖ ≤ st.err (a priori, from the sizes of θ, G, X, Y); the bound
    // then rests on ‖r‖ ≤ 2·st.err, never on the measured ‖r̂‖ — with it, Wedin would make the
    // inequality hold at any θ. The passed_off mutant admits unfinished iterates with the same bound.
    const Stationarity st = riemannian_gradient(a, theta, K);
    start["riemannian_gradient"] = st.norm;
    start["rounding_level"] = st.err;
    if (!pass_off && !(st.norm <= st.err)) {
      start["status"] = "not critical to rounding (‖r̂‖ above its rounding level)";
      found.push_back(start);
      continue;
    }
    const double nZ = arma::norm(Z, "fro");
    const double e_res = 4 * tol::gamma(c + d + K) * (nQ + nZ) + tol::svd_abs_error(std::max(nZ, nQ), c, d);
    const double rhoW = (a.Nd / 2) * (2 * st.err) / std::sqrt(a.m) * (1 + tol::gamma(4));
    const double rho3 = rhoW;
    // Diagnostic (not the verdict's): the same residuals measured against Q̂.
    start["rho_from_Q"] = std::hypot(arma::norm(U2.t() * s.Q * V1, "fro"), arma::norm(U1.t() * s.Q * V2, "fro"));
    // I_true: the positions of A11's singular values in the merged spectrum of Q' = P_UQP_V +
    // (I − P_U)Q(I − P_V) (block diagonal; Q = Q' + the two off-diagonal blocks).
    const arma::vec s11 = arma::svd(A11), s22 = A22.is_empty() ? arma::vec() : arma::vec(arma::svd(A22));
    std::vector<std::pair<double, int>> merged;
    for (const double v : s11) merged.push_back({v, 1});
    for (const double v : s22) merged.push_back({v, 0});
    std::stable_sort(merged.begin(), merged.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
    std::vector<arma::uword> I_true;
    for (arma::uword j = 0; j < merged.size() && j < a.p; ++j)
      if (merged[j].second == 1) I_true.push_back(j);
    const std::vector<double> inside(s11.begin(), s11.end());
    // Wedin: √(‖sinΘ_U‖² + ‖sinΘ_V‖²) ≤ ρ_W/δ_W, δ_W = gap between A11's values and Q's others (and 0),
    // less e_s for using ŝ. Then ‖P_UQP_V − Z_I‖ ≤ √2 s_1(‖sinΘ_U‖ + ‖sinΘ_V‖) ≤ 2 s_1 ρ_W/δ_W, and the
    // candidate Ẑ_I computed from Û, Ŝ, V̂ is within e_s + 2 s_1·√2 e_s/δ_I of Z_I (same argument,
    // residual √2 e_s, δ_I the gap of ŝ_I in ŝ less 2e_s).
    const double dW = gap(inside, I_true) - a.e_s - e_res;   // A11's values computed from Q̂ and Z's computed bases
    std::vector<double> sI_true;
    for (const auto j : I_true) sI_true.push_back(s.s(j));
    const double dI = I_true.size() == K ? gap(sI_true, I_true) - 2 * a.e_s : -1;
    if (I_true.size() != K || !(dW > 0) || !(dI > 0) || !(rhoW < dW)) {
      // Vacuous bound: either Z's K-th singular value is within the residual of 0 (a zero of r of
      // lower rank) or the start stalled away from a zero.
      start["status"] = s11.min() <= rhoW ? "rank below K (a lower-rank critical point)"
                                          : "not converged (the perturbation bound is vacuous)";
      lower_rank += s11.min() <= rhoW;
      start["residual_rel"] = rhoW / s1;
      found.push_back(start);
      continue;
    }
    const double bound_Z = rho3 + 2 * s1 * rhoW / dW + a.e_s + 2 * std::sqrt(2.0) * s1 * a.e_s / dI;
    // θ-space: ‖(Z − Z_I)G^{-1/2}‖ ≤ ‖Z − Z_I‖/√λ_min(G), plus forming θ = ABᵀ, Z and the candidates.
    const double e_theta = tol::gamma(K) * arma::norm(z.A, "fro") * arma::norm(z.B, "fro") +
                           tol::gamma(d + K) * (nTheta + arma::norm(theta, "fro")) * (1 + std::sqrt(a.kappa));
    const double bound = bound_Z / std::sqrt(a.m) + e_theta;
    // The nearest candidate (any index set, not only I_true).
    double best = kInf;
    std::size_t best_k = 0;
    for (std::size_t k = 0; k < cand.theta.size(); ++k) {
      const double dist = arma::norm(theta - cand.theta[k], "fro");
      if (dist < best) {
        best = dist;
        best_k = k;
      }
    }
    ++converged;
    std::vector<std::int64_t> one_based;
    for (const auto j : cand.sets[best_k]) one_based.push_back(static_cast<std::int64_t>(j) + 1);
    std::vector<std::int64_t> true_based;
    for (const auto j : I_true) true_based.push_back(static_cast<std::int64_t>(j) + 1);
    const bool top = cand.sets[best_k].back() + 1 == K;
    saddles += !top;
    sets_found.insert(cand.sets[best_k]);
    start["status"] = "critical point";
    start["nearest_I"] = one_based;
    start["I_from_spectrum"] = true_based;
    start["distance"] = best;
    start["bound"] = bound;
    start["residual_rel"] = rhoW / s1;
    found.push_back(start);
    if (best / bound > worst) {
      worst = best / bound;
      e.lhs = best;
      e.rhs = bound;
    }
  }
  e.metrics["starts"] = found;
  e.metrics["critical_points_found"] = converged;
  e.metrics["attempts"] = attempts;
  e.metrics["saddles_found"] = saddles;
  e.metrics["index_sets_found"] = sets_found.size();
  e.metrics["lower_rank"] = lower_rank;
  e.metrics["gram_condition"] = a.kappa;
  if (converged == 0) {
    e.inconclusive = fmt::format("none of {} starts reached a rank-{} critical point (Levenberg–Marquardt on the "
                                 "first-order conditions; {} reached one of lower rank)", attempts, K, lower_rank);
    return e;
  }
  e.err = 0;   // rhs is the derived perturbation-and-rounding bound itself
  e.notes = fmt::format("{} of {} starts reached a rank-{} critical point ({} of lower rank); {} distinct index sets, {} saddle(s)",
                        converged, attempts, K, lower_rank, sets_found.size(), saddles);
  if (unregularized) e.notes += "; mutant: candidates θ_I of eq. (16) without Remark 5.2 (critical points of L_0)";
  return e;
}

// ---------------------------------------------------------------------------------------------
// Mutants of the three original checks

// The closed form with K − 1 terms, or with the paper's ½ for eq. (19)'s 1/N, against the same search.
Evidence minimum_with_wrong_lhs(const nlohmann::json& p, bool paper_half) {
  MinimumRun run = run_minimum(p);
  Evidence e = run.e;
  if (!e.inconclusive.empty()) return e;
  const arma::uword K = run.a.in.K;
  require(paper_half || K >= 2, kMinId, "mutant wrong_K needs K ≥ 2, got K = {}", K);
  Value v = closed_form(run.a, top(paper_half ? K : K - 1));
  if (paper_half) {
    v.value *= run.a.Nd / 2;
    v.err *= run.a.Nd / 2;
  }
  e.lhs = v.value;
  e.err = v.err + run.best.err;
  return e;
}

// The saddle measurement without its hypotheses (I not the top set, s_m > s_i): the claim "every
// critical point is a strict saddle", false at the minimum and along an uphill swap.
Evidence saddle_without_hypotheses(const nlohmann::json& p) {
  Evidence e = run_saddle(p).e;
  e.not_applicable.clear();
  return e;
}

nlohmann::json random_instance(nlohmann::json extra) {
  nlohmann::json p = {{"x_model", "gaussian"}, {"y_model", "generic"}, {"d", 4}, {"c", 3}, {"N", 12},
                      {"K", 2}, {"lambda", 0.5}, {"data_seed", 7}};
  p.update(extra);
  return p;
}

// Theorem 5.1's instance with N = 2, where the paper's ½ equals eq. (19)'s 1/N: X = [[2, 0], [0, 1]],
// Y = [[1, 0], [0, 3]], λ = ½ (Nλ = 1): G = diag(5, 2), Q = diag(2/√5, 3/√2), I = {2}: θ_I = diag(0.4, 0),
// L = ½(0.04 + 9) + ½·0.16 = 4.6 = ½(10 − 0.8).
nlohmann::json two_samples() {
  return {{"x_model", "explicit"}, {"X", {{2.0, 0.0}, {0.0, 1.0}}}, {"Y", {{1.0, 0.0}, {0.0, 3.0}}},
          {"lambda", 0.5}, {"K", 1}, {"indices", nlohmann::json::array({2})}};
}

}  // namespace

void add_thm_5_1_mutants(Check& c);

Check make_thm_5_1_minimum_check() {
  Check c{
      .id = kMinId,
      .paper_ref = "Theorem 5.1 with Remark 5.2 (eqs. 17, 19): global minimum on rank ≤ K",
      .statement = "(1/N)(‖Y‖² − Σ_{j≤K} s_j(Q_λ)²) ≤ L_λ(A Bᵀ), A ∈ R^{c×K}, B ∈ R^{d×K} (best of R L-BFGS starts)",
      .lhs = "closed-form minimum of L_λ on rank ≤ K",
      .rhs = "lowest L_λ(A Bᵀ) found by L-BFGS",
      .summary_metrics = {"identity_residual", "reference_gap_rel", "start_spread_rel", "evaluations_per_start",
                          "max_gradient_rel"},
      .draw = draw_minimum,
      .evaluate = evaluate_minimum};
  c.evaluate_reference = evaluate_minimum_reference;
  c.optional_params = {"X", "Y", "factor_rank"};
  add_thm_5_1_mutants(c);
  return c;
}

Check make_thm_5_1_critical_check() {
  Check c{.id = kCritId,
          .paper_ref = "Theorem 5.1 with Remark 5.2 (eqs. 16, 18, 19): critical points θ_I",
          .statement = "‖P_T ∇L_λ(θ_I)‖_F ≤ rounding budget, θ_I = Σ_{j∈I} s_j u_j v_jᵀ (X_λX_λᵀ)^{-1/2}",
          .lhs = "norm of the Riemannian gradient at θ_I",
          .rhs = "a-priori rounding budget of θ_I, ∇L_λ and P_T",
          .summary_metrics = {"riemannian_over_euclidean", "euclidean_gradient_rel_error", "loss_identity_residual"},
          .draw = draw_with_indices,
          .evaluate = evaluate_critical};
  c.optional_params = {"X", "Y", "twist", "scale"};
  add_thm_5_1_mutants(c);
  return c;
}

Check make_thm_5_1_saddle_check() {
  Check c{
      .id = kSaddleId,
      .paper_ref = "Theorem 5.1 with Remark 5.2 (Prop. 33 of Bah et al.): non-top critical points are strict saddles",
      .statement = "L_λ(θ(t)) < L_λ(θ_I) on the rank-K curve swapping u_i for u_m (s_m > s_i)",
      .lhs = "L_λ(θ(t)) at the rank-K curve point",
      .rhs = "L_λ(θ_I) = (1/N)(‖Y‖² − Σ_{j∈I} s_j²)",
      .summary_metrics = {"decrease_rel_error", "curvature_rel_error", "direct_loss_residual"},
      .draw = draw_saddle,
      .evaluate = evaluate_saddle};
  c.evaluate_reference = evaluate_saddle_reference;
  c.optional_params = {"X", "Y", "swap_out", "swap_in"};
  add_thm_5_1_mutants(c);
  return c;
}

}  // namespace nrc

namespace nrc {

namespace {
nlohmann::json hand_instance(nlohmann::json extra) {
  nlohmann::json p = {{"x_model", "explicit"},
                      {"X", {{1, 1, -1, -1}, {1, -1, 1, -1}}},
                      {"Y", {{3, 3, -3, -3}, {1, -1, 1, -1}}},
                      {"lambda", 1.0},
                      {"K", 1}};
  p.update(extra);
  return p;
}
}  // namespace

void add_thm_5_1_mutants(Check& c) {
  if (c.id == kMinId) {
    c.mutants = {{.name = "factor_rank_above_K",
                  .what = "the search over rank-2 factors against the rank-1 closed form (finds L = 5 < 5.5)",
                  .params = hand_instance({{"restarts", 2}, {"start_seed", 1}, {"factor_rank", 2}})},
                 {.name = "wrong_K",
                  .what = "the closed form with K − 1 singular values (lhs too large by s_K²/N)",
                  .params = random_instance({{"restarts", 2}, {"start_seed", 1}}),
                  .evaluate = [](const nlohmann::json& p) { return minimum_with_wrong_lhs(p, false); }},
                 {.name = "paper_half",
                  .what = "the closed form with Theorem 5.1's ½ for eq. (19)'s 1/N (N = 12)",
                  .params = random_instance({{"restarts", 2}, {"start_seed", 1}}),
                  .evaluate = [](const nlohmann::json& p) { return minimum_with_wrong_lhs(p, true); }}};
  } else if (c.id == kCritId) {
    c.mutants = {{.name = "twist",
                  .what = "u_3 of θ_{1,3} rotated by 0.3 toward u_2 (rank K, not critical)",
                  .params = random_instance({{"indices", {1, 3}}, {"twist", 0.3}})},
                 {.name = "scaled_point",
                  .what = "θ = 1.01·θ_{1,3} (rank K, not critical: the radial direction is tangent)",
                  .params = random_instance({{"indices", {1, 3}}, {"scale", 1.01}})}};
  } else if (c.id == kSaddleId) {
    c.mutants = {{.name = "top_set",
                  .what = "the swap curve from the global minimum θ_{1,2} (goes uphill), hypotheses not checked",
                  .params = random_instance({{"indices", {1, 2}}, {"t", 0.5}}),
                  .evaluate = saddle_without_hypotheses},
                 {.name = "uphill_swap",
                  .what = "I = {1, 3}, u_1 swapped for u_2 (s_2 < s_1: uphill), hypotheses not checked",
                  .params = random_instance({{"indices", {1, 3}}, {"t", 0.5}, {"swap_out", 1}, {"swap_in", 2}}),
                  .evaluate = saddle_without_hypotheses}};
  }
}

Check make_thm_5_1_value_paper_check() {
  Check c{.id = kValuePaperId,
          .paper_ref = "Theorem 5.1 as written: the value at θ_I (with eq. 19's L_λ)",
          .statement = "|L_λ(θ_I) − ½(‖Y‖² − Σ_{j∈I} s_j(Q_λ)²)| ≤ rounding budget",
          .lhs = "|L_λ(θ_I) − ½(Tr YYᵀ − Σ_{j∈I} s_j²)|, L_λ of eq. (19) evaluated at θ_I",
          .rhs = "derived rounding budget of θ_I, L_λ and the formula",
          .summary_metrics = {"relative_discrepancy"},
          .draw = draw_value,
          .evaluate = [](const nlohmann::json& p) { return evaluate_value(p, kValuePaperId, ValueForm::Paper); }};
  c.optional_params = {"X", "Y"};
  c.mutants = {
      {.name = "wrong_indices",
       .what = "the formula with I's largest index swapped for the smallest outside (N = 2)",
       .params = two_samples(),
       .evaluate =
           [](const nlohmann::json& p) { return evaluate_value(p, kValuePaperId, ValueForm::PaperWrongIndices); }},
      {.name = "quarter_for_half",
       .what = "¼ in place of the ½, at N = 2 where the ½ is right",
       .params = two_samples(),
       .evaluate = [](const nlohmann::json& p) { return evaluate_value(p, kValuePaperId, ValueForm::Quarter); }}};
  return c;
}

Check make_thm_5_1_value_check() {
  Check c{.id = kValueId,
          .paper_ref = "Theorem 5.1, value corrected to eq. (19)'s 1/N (nrc)",
          .statement = "|L_λ(θ_I) − (1/N)(‖Y‖² − Σ_{j∈I} s_j(Q_λ)²)| ≤ rounding budget",
          .lhs = "|L_λ(θ_I) − (1/N)(Tr YYᵀ − Σ_{j∈I} s_j²)|, L_λ of eq. (19) evaluated at θ_I",
          .rhs = "derived rounding budget of θ_I, L_λ and the formula",
          .summary_metrics = {"relative_discrepancy"},
          .draw = draw_value,
          .evaluate = [](const nlohmann::json& p) { return evaluate_value(p, kValueId, ValueForm::Corrected); }};
  c.refines = kValuePaperId;
  c.optional_params = {"X", "Y"};
  c.mutants = {{.name = "paper_half",
                .what = "the paper's ½ in place of 1/N (N = 12)",
                .params = random_instance({{"indices", {1, 3}}}),
                .evaluate = [](const nlohmann::json& p) { return evaluate_value(p, kValueId, ValueForm::Paper); }},
               {.name = "wrong_indices",
                .what = "the formula with I = {1, 2} for θ_{1,3}",
                .params = random_instance({{"indices", {1, 3}}}),
                .evaluate = [](const nlohmann::json& p) {
                  return evaluate_value(p, kValueId, ValueForm::CorrectedWrongIndices);
                }}};
  return c;
}

Check make_thm_5_1_only_if_check() {
  Check c{.id = kOnlyIfId,
          .paper_ref = "Theorem 5.1, \"only if\": every critical point on rank K is a θ_I",
          .statement =
              "min_I ‖θ − θ_I‖_F ≤ Wedin bound from θ's Riemannian gradient + rounding, θ a rank-K zero of the "
              "first-order conditions "
              "(Levenberg–Marquardt from random starts), worst start",
          .lhs = "distance of a found critical point to the nearest θ_I",
          .rhs =
              "Wedin bound from the point's Riemannian gradient r: (ρ̄ + 2s_1ρ̄/δ)/√λ_min(G) + rounding, ρ̄ = "
              "(N/2)‖r‖/√λ_min(G)",
          .summary_metrics = {"critical_points_found", "saddles_found", "index_sets_found"},
          .draw = draw_only_if,
          .evaluate = [](const nlohmann::json& p) { return evaluate_only_if(p, false); }};
  c.optional_params = {"X", "Y"};
  c.mutants = {
      {.name = "unregularized_candidates",
       .what =
           "candidates θ_I of eq. (16) without Remark 5.2 (Q = YXᵀ(XXᵀ)^{-1/2}, the critical points of L_0), λ = 0.5",
       .params = random_instance({{"starts", 3}, {"start_seed", 1}}),
       .evaluate = [](const nlohmann::json& p) { return evaluate_only_if(p, true); }},
      {.name = "passed_off",
       .what = "2 Levenberg–Marquardt iterations, the iterates passed off as critical points (the bound as for a "
               "point critical to rounding)",
       .params = random_instance({{"starts", 3}, {"start_seed", 1}}),
       .evaluate = [](const nlohmann::json& p) { return evaluate_only_if(p, false, true); }}};
  return c;
}

}  // namespace nrc
