#pragma once
// Every tolerance the judge and the checks use, each with its reason. Nothing else in theorems/
// may compare against a literal threshold.
#include <cstdint>
#include <limits>

namespace nrc::tol {

// Unit roundoff of IEEE double, u = ε/2.
inline constexpr double unit_roundoff = std::numeric_limits<double>::epsilon() / 2;

// γ_n = n·u / (1 − n·u) (Higham, Accuracy and Stability, §3.1): |fl(Σ_{k≤n} a_k b_k) − Σ a_k b_k|
// ≤ γ_n Σ |a_k b_k| for any summation order, with or without FMA. Bounds GEMM entrywise.
inline double gamma(std::uint64_t n) {
  const double nu = static_cast<double>(n) * unit_roundoff;
  return nu / (1 - nu);
}

// LAPACK's singular values are exact for A + E with ‖E‖₂ ≤ p(m,n)·ε·‖A‖₂, p "a modestly growing
// function" (LAPACK Users' Guide, §4.9). We take p(m,n) = max(m,n), the usual conservative choice
// (also the numerical-rank policy of lib/spectral).
inline double svd_abs_error(double s1, std::uint64_t m, std::uint64_t n) {
  return static_cast<double>(m > n ? m : n) * std::numeric_limits<double>::epsilon() * s1;
}

}  // namespace nrc::tol
