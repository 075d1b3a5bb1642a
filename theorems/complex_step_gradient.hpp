#pragma once
// ∇_{W_l} L_0 computed independently of backpropagation, by the complex step (Squire & Trapp 1998):
// for a function f real-analytic near x, f(x + ih) = f(x) + ih f'(x) − h²f''(x)/2 − ih³f'''(x)/6 + …, so
//     ∂L_0/∂(W_l)_{ab} = Im L_0(Θ + ih·E_ab)/h + O(h²),
// with no subtraction of nearby values (the flaw of finite differences: their rounding grows like u/h).
// L_0 = (1/N) Σ_i ℓ(f(Θ, x_i), y_i) (eq. 3) is evaluated here from eq. (1) by plain loops over
// std::complex<long double> (x87 extended precision, unit roundoff u_x = 2⁻⁶⁴; no BLAS, no lib/nn
// code), one evaluation per entry of every W_l: the layers below l in real arithmetic once per sample,
// then unit a of layer l moved by i·h·z_b and the layers above it in complex arithmetic.
//
// Error estimate (per layer, Frobenius), for the gradient rounded to double:
//  * truncation: the relative error of Im f(x + ih)/h is h²|f'''/f'|/6 + O(h⁴); with h = 1e-40 (the
//    parameters are O(1)) it is below 1e-80·|f'''/f'|: no finite evaluation of these networks comes
//    near (|f'''/f'| would have to exceed 1e60).
//  * rounding in extended precision: the imaginary parts are a forward-mode derivative, the products of
//    the per-layer Jacobians that backpropagation multiplies in the other order, each entry
//    Σ_i d_{i,a} z_{i,b}/N; its rounding is estimated as for backprop (lemma_3_3::measure's R_err), with
//    u_x in place of u: (γˣ_N + ρˣ)·S_l, S_l = (1/N)Σ_i ‖d̃_i‖‖z_i‖ (d̃ the delta term sizes,
//    lemma_3_3::delta_term_sizes: they hold the cancellation of ∂ℓ/∂ŷ and of σ' at saturated units),
//    ρˣ = γˣ_{4L(w+2)}, γˣ_n = n·u_x/(1 − n·u_x) — and the few ulps of the complex elementary
//    functions (ctanhl, cexpl, clogl) inside ρˣ's allowance. That a-priori estimate can exceed the
//    actual rounding by orders of magnitude (large weights make S_l large); in double it would exceed
//    the ~1e-11 stationarity budget of eq_4 on some instances, which is why the step runs in extended
//    precision (2048× smaller).
//  * rounding to double: u·‖G_l‖ (u = 2⁻⁵³).
// An estimate, not a proof. Only C² activations (identity, tanh, sigmoid, softplus) are accepted:
// ReLU is not analytic.
#include <complex>
#include <vector>

#include <armadillo>

#include "lib/nn/mlp.hpp"

namespace nrc::complex_step {

struct WeightGradients {
  std::vector<arma::mat> W;      // ∇_{W_l} L_0 rounded to double, same layout as Mlp::W
  std::vector<double> err;       // the error estimate above, per layer (Frobenius)
  // ‖c·W_l + ∇_{W_l}L_0‖_F for the factor `residual_factor` passed (e.g. 2λ), formed in extended
  // precision before rounding (an error below err + u·value).
  std::vector<double> residual;
};

// The imaginary step used (absolute; Θ's entries are O(1) in every instance the checks draw).
inline constexpr long double kStep = 1e-40L;

// Throws invalid_argument for ReLU, shape mismatches or N = 0.
WeightGradients weight_gradients(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y,
                                 double residual_factor = 0);

// L_0 at Θ with entry (a, b) of W_l (l 1-based) moved by i·h, in extended precision (for tests).
std::complex<long double> loss_with_step(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y,
                                         arma::uword l, arma::uword a, arma::uword b, long double h);

}  // namespace nrc::complex_step
