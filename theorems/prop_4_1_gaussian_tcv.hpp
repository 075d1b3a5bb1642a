#pragma once
// Proposition 4.1's pure statistical pieces, exposed so the tests can check them on known values.
#include <array>
#include <cstdint>
#include <vector>

#include "theorems/judge.hpp"

namespace nrc::prop_4_1 {

// Exact mean and variance of W = Σ_k π_k W_k for a Gaussian mixture: per cluster, Tr Σ_k, ‖Σ_k‖_F², N_k.
std::array<double, 2> wcss_moments(const std::vector<double>& trace, const std::vector<double>& fro2,
                                   const std::vector<std::int64_t>& counts);
// Wilson score interval for v successes in M trials at normal quantile z.
std::array<double, 2> wilson_interval(std::int64_t v, std::int64_t M, double z);
// Chernoff (binomial KL) confidence interval with tail probability e^{−x} per side.
std::array<double, 2> chernoff_interval(std::int64_t v, std::int64_t M, double x);
// The largest C with 2Σ_k e^{−C m_k} ≥ p (+inf when p = 0).
double c_max(const std::vector<double>& m, double p);
// Laurent–Massart upper tail of a weighted χ² sum at deviation delta (a2 = Σa², a_inf = max a).
double laurent_massart_tail(double delta, double a2, double a_inf);
// Evidence of prop_4_1_mean from draws w of W with exact mean and variance.
Evidence mean_evidence(const std::vector<double>& w, double mean, double var, double a_inf);

}  // namespace nrc::prop_4_1
