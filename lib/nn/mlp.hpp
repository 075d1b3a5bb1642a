#pragma once
// Fully connected networks of eq. (1): z^0 = x, z^l = σ_l(W_l z^{l-1} + b_l); samples as columns.
// Layer l (1-based, as in the paper) is stored at index l−1.
#include <string>
#include <string_view>
#include <vector>

#include <armadillo>

#include "lib/common/rng.hpp"

namespace nrc {

enum class Activation { Identity, Tanh, ReLU, Sigmoid, Softplus };
enum class Loss {
  SquaredError,          // ℓ(ŷ, y) = ‖ŷ − y‖² (no ½), eq. (3)
  SoftmaxCrossEntropy    // ℓ(ŷ, y) = −Σ_j y_j log softmax(ŷ)_j
};

std::string_view name(Activation a);
std::string_view name(Loss l);
Activation parse_activation(std::string_view s);   // "identity", "tanh", "relu", "sigmoid", "softplus"
Loss parse_loss(std::string_view s);               // "squared", "cross_entropy"

// σ(A), σ'(A) and σ''(A) entrywise (ReLU'(0) := 0, ReLU'' := 0: piecewise linear).
arma::mat activate(Activation a, const arma::mat& A);
arma::mat activation_derivative(Activation a, const arma::mat& A);
arma::mat activation_second_derivative(Activation a, const arma::mat& A);

struct Mlp {
  std::vector<arma::mat> W;        // W[l-1] = W_l, widths[l] × widths[l-1]
  std::vector<arma::vec> b;        // b[l-1] = b_l
  std::vector<Activation> act;     // act[l-1] = σ_l
  arma::uword depth() const { return W.size(); }
  arma::uword input_dim() const;
  arma::uword output_dim() const;
  arma::uword parameter_count() const;
};

// widths = {d, n_1, …, n_L}; acts.size() = L. W_l ~ N(0, scale²/n_{l−1}), b_l ~ N(0, bias_scale²).
Mlp make_mlp(const std::vector<arma::uword>& widths, const std::vector<Activation>& acts, Engine& rng,
             double scale = 1.0, double bias_scale = 0.1);

struct Forward {
  std::vector<arma::mat> Z;   // Z[0] = X, Z[l] = z^l for l = 1..L (L+1 entries)
  std::vector<arma::mat> A;   // A[l-1] = W_l z^{l-1} + b_l (L entries)
};
Forward forward(const Mlp& net, const arma::mat& X);

// Σ_i ℓ(ŷ_i, y_i) over the columns (a sum: no 1/N).
double loss_sum(Loss loss, const arma::mat& Yhat, const arma::mat& Y);
// Column i = ∇_ŷ ℓ(ŷ_i, y_i).
arma::mat loss_gradient(Loss loss, const arma::mat& Yhat, const arma::mat& Y);

struct Gradient {
  std::vector<arma::mat> W;   // same layout as Mlp
  std::vector<arma::vec> b;
};

// Backprop: D[l-1] = ∂(Σ_i ℓ)/∂A_l given dYhat = loss_gradient(…) (one column per sample).
std::vector<arma::mat> backprop_deltas(const Mlp& net, const Forward& fw, const arma::mat& dYhat);
// ∇_{W_l} = D_l (z^{l-1})ᵀ, ∇_{b_l} = D_l 1.
Gradient gradient_from_deltas(const Forward& fw, const std::vector<arma::mat>& D);

// Gradient of Σ_i ℓ(f(Θ, x_i), y_i) (no 1/N, no weight decay): the object of Proposition 3.1.
Gradient sum_loss_gradient(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y);

struct LossAndGradient {
  double data_loss = 0;   // (1/N) Σ_i ℓ
  double penalty = 0;     // Σ_l ‖W_l‖_F² + ‖b_l‖²
  double value = 0;       // L_λ = data_loss + λ·penalty, eq. (3)
  Gradient grad;          // ∇L_λ: (1/N) Σ_i ∇ℓ_i + 2λ(W_l, b_l)
};
// Throws invalid_argument on shape mismatch, N = 0, λ < 0 or non-finite.
LossAndGradient regularized_loss(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y,
                                 double lambda);

// The exact Hessian ∇²L_λ(Θ) of eq. (3) as an operator v ↦ ∇²L_λ(Θ)·v (v laid out as
// flatten(net)), by the R-operator (Pearlmutter 1994): the directional derivative
// R{·} = d/dt|₀ (·)(Θ + t v) carried through the forward pass and the backward pass, batched over
// the samples like the gradient. With V_l, c_l the parts of v, A_l = W_l z^{l−1} + b_l 1ᵀ and T_l
// the backward signal (T_L = ∇_ŷℓ, T_{l−1} = W_lᵀ D_l, D_l = σ'(A_l)⊙T_l):
//   R{A_l} = V_l z^{l−1} + W_l R{z^{l−1}} + c_l 1ᵀ,   R{z^l} = σ'(A_l)⊙R{A_l},   R{z^0} = 0;
//   R{T_L} = 2R{ŷ} (squared error), (diag(s) − s sᵀ)R{ŷ}·Σ_j y_j per sample (softmax s);
//   R{D_l} = σ''(A_l)⊙R{A_l}⊙T_l + σ'(A_l)⊙R{T_l},   R{T_{l−1}} = V_lᵀD_l + W_lᵀR{D_l};
//   Hv = ((R{D_l} z^{l−1}ᵀ + D_l R{z^{l−1}}ᵀ)/N + 2λV_l,  R{D_l}1/N + 2λc_l)_l.
// The constructor (and rebind) runs the forward and backward pass at Θ once and keeps z^l, σ'(A_l),
// σ''(A_l)⊙T_l and D_l (≈ 4·Σ_l n_l·N doubles); each apply() then costs the R-passes only, six
// GEMMs per layer, about two gradients (bench/README.md). ReLU contributes σ'' = 0 (its kinks have measure zero).
// The operator copies the network; X and Y must outlive it. apply() reuses buffers of the
// operator's: one operator serves one thread at a time. Throws invalid_argument as
// regularized_loss does, and (apply) on a v of the wrong length.
class HessianOperator {
 public:
  HessianOperator(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y, double lambda);
  arma::vec apply(const arma::vec& v) const;
  arma::uword size() const { return net_.parameter_count(); }
  // The operator at other parameters Θ (flatten's layout) of the same network, reusing the buffers.
  void rebind(const arma::vec& theta);

 private:
  void refresh();
  Mlp net_;
  Loss loss_;
  const arma::mat& X_;
  const arma::mat& Y_;
  double lambda_;
  std::vector<arma::mat> A_;                  // A_l, kept for activations other than tanh and identity
  std::vector<arma::mat> Z_, S1_, S2T_, D_;   // z^l; σ'(A_l); σ''(A_l)⊙T_l; D_l
  arma::mat softmax_;                         // s per column (cross-entropy)
  arma::rowvec label_mass_;                   // Σ_j y_j per column (cross-entropy)
  mutable std::vector<arma::mat> RA_, RZ_, RT_;   // apply()'s buffers: one operator, one thread
};

// One product ∇²L_λ(Θ)·v (HessianOperator(net, loss, X, Y, λ).apply(v)).
arma::vec hessian_vector_product(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y, double lambda,
                                 const arma::vec& v);

// sum_loss_gradient and regularized_loss keep their layer buffers (≈ Σ_l n_l·N doubles plus one
// max_l n_l·N scratch) in a per-thread cache, reused by the next call of the same shapes; this
// frees the calling thread's cache.
void release_nn_workspace();

// All parameters as one vector: W_1 (column-major), b_1, W_2, b_2, …
arma::vec flatten(const Mlp& net);
// W_L⋯W_1: the linear part of an all-identity network's end-to-end map x ↦ W_L⋯W_1 x + β.
arma::mat weight_product(const Mlp& net);
arma::vec flatten(const Gradient& g);
void unflatten(Mlp& net, const arma::vec& theta);   // throws if the length differs

}  // namespace nrc
