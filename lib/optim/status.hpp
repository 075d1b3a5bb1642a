#pragma once
// How an optimiser of lib/optim ended.

namespace nrc {

enum class OptimStatus {
  Converged,        // a stopping rule was met
  MaxIterations,    // iteration budget exhausted
  Stalled,          // no further progress possible (rounding level reached, or worse)
  NonFinite,        // f or ∇f became NaN/Inf (divergence)
};

}  // namespace nrc
