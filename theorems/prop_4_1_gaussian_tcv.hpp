#pragma once
// Proposition 4.1's pure statistical pieces, exposed so the tests can check them on known values.
// The derivations are in the header of prop_4_1_gaussian_tcv.cpp.
#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "theorems/judge.hpp"

namespace nrc::prop_4_1 {

// Exact mean and variance of W = Σ_k π_k W_k for a Gaussian mixture: per cluster, Tr Σ_k, ‖Σ_k‖_F², N_k.
std::array<double, 2> wcss_moments(const std::vector<double>& trace, const std::vector<double>& fro2,
                                   const std::vector<std::int64_t>& counts);
// Laurent–Massart (2000, Lemma 1) upper deviation of Σ a_i(ξ_i² − 1) at x: 2‖a‖₂√x + 2‖a‖_∞x
// (a2 = ‖a‖₂, a_inf = ‖a‖_∞, a_i ≥ 0); it is exceeded with probability ≤ e^{−x}.
double laurent_massart_deviation(double a2, double a_inf, double x);
// Its inverse: e^{−x} for the x at which the deviation equals delta (1 for delta = 0).
double laurent_massart_tail(double delta, double a2, double a_inf);
// Wilson score interval for v successes in M trials at normal quantile z (metrics only).
std::array<double, 2> wilson_interval(std::int64_t v, std::int64_t M, double z);
// Chernoff (binomial KL) confidence interval with error probability ≤ e^{−x} per side: for the
// true p, P(p < lo) ≤ e^{−x} and P(p > hi) ≤ e^{−x}, for every M (no normal approximation).
std::array<double, 2> chernoff_interval(std::int64_t v, std::int64_t M, double x);
// The largest C with 2Σ_k e^{−C m_k} ≥ p (+inf when p = 0).
double c_max(const std::vector<double>& m, double p);
// Evidence of prop_4_1_mean from draws w of W with exact mean and variance.
Evidence mean_evidence(const std::vector<double>& w, double mean, double var, double a_inf);

// Deciding P(W > t) ≤ allowed from finitely many draws of W (sequential, see the .cpp header).
enum class Decision {
  Certified,   // the upper confidence bound is ≤ allowed: a Pass is evidence
  Refuted,     // the lower confidence bound is > allowed: a real violation
  Open         // the interval contains allowed: these draws cannot decide
};
Decision decide(std::int64_t violations, std::int64_t draws, double allowed, double exponent);
// The draw counts at which the sequential test looks: 100, 200, 400, … (doubling), max_draws last;
// just max_draws when it is ≤ 100.
std::vector<std::int64_t> look_sizes(std::int64_t max_draws);
// The per-look, per-probability, per-side exponent that keeps each verdict's error ≤ e^{−base}
// (Bonferroni over the looks and the judged probabilities): base + ln(looks·probabilities).
double look_exponent(double base, std::size_t looks, std::size_t probabilities);

struct Tally {
  double threshold = 0, allowed = 0;
  std::int64_t violations = 0;      // draws with W > threshold
  std::array<double, 2> interval{};  // Chernoff interval at the test's exponent, after `draws`
  Decision decision = Decision::Open;
};
struct SequentialResult {
  std::int64_t draws = 0;       // draws used (the look at which it stopped)
  std::size_t looks = 0;        // looks planned (for the exponent)
  double exponent = 0;          // per-look, per-probability, per-side exponent used
  std::vector<Tally> tallies;   // one per threshold
  Decision decision = Decision::Open;   // Refuted if any is, Certified if all are, else Open
  std::vector<double> w;        // every draw, in order
};
// Draws W from `draw` and, at each look, decides every P(W > thresholds[j]) ≤ allowed[j]; stops at
// the first look where one is refuted or all are certified, or at max_draws. Each verdict (a Fail:
// some allowed[j] exceeded; a Pass: all certified) is wrong with probability ≤ e^{−base}.
SequentialResult sequential_test(const std::function<double()>& draw, const std::vector<double>& thresholds,
                                 const std::vector<double>& allowed, std::int64_t max_draws, double base);

}  // namespace nrc::prop_4_1
