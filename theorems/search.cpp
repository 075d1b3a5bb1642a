#include "theorems/search.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>

#include <fmt/format.h>
#include <nlopt.h>

#include "lib/common/error.hpp"
#include "lib/common/parallel.hpp"
#include "lib/common/rng.hpp"
#include "theorems/runner.hpp"
#include "theorems/section5.hpp"

namespace nrc {

namespace {

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (const unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

bool ends_with_seed(const std::string& key) { return key.size() >= 4 && key.compare(key.size() - 4, 4, "seed") == 0; }

// Tighter: a Fail beats any non-Fail; otherwise the larger finite ratio.
bool tighter(const Record& a, const Record& b) {
  const bool fa = a.verdict == Verdict::Fail, fb = b.verdict == Verdict::Fail;
  if (fa != fb) return fa;
  return a.ratio > b.ratio;
}

bool rankable(const Record& r) {
  return r.verdict != Verdict::NotApplicable && r.verdict != Verdict::Inconclusive && std::isfinite(r.ratio);
}

nlohmann::json perturb(const nlohmann::json& params, Engine& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  auto step = [&](std::int64_t v) { return unit(rng) < 0.3 ? v + (unit(rng) < 0.5 ? -1 : 1) : v; };
  nlohmann::json out = params;
  for (auto& [key, value] : out.items()) {
    if (ends_with_seed(key)) continue;
    if (value.is_number_float()) {
      value = value.get<double>() * std::exp(0.3 * normal(rng));
    } else if (value.is_number_integer()) {
      value = step(value.get<std::int64_t>());
    } else if (value.is_array()) {
      for (auto& item : value)
        if (item.is_number_integer()) item = step(item.get<std::int64_t>());
    }
  }
  return out;
}

}  // namespace

std::vector<Record> search_starts(const Check& check, const std::vector<Record>& run_records, const SearchSpec& spec) {
  std::vector<const Record*> ranked;
  for (const Record& r : run_records)
    if (r.check == check.id && rankable(r)) ranked.push_back(&r);
  // Ties (ratios of counts often tie) go to the lower instance index, then the lower seed: the starts
  // must not depend on the order the records arrived in (threads and MPI ranks finish in any order).
  std::sort(ranked.begin(), ranked.end(), [](const Record* a, const Record* b) {
    if (tighter(*a, *b) || tighter(*b, *a)) return tighter(*a, *b);
    return std::make_tuple(a->index.value_or(UINT64_MAX), a->seed.value_or(0), a->params.dump()) <
           std::make_tuple(b->index.value_or(UINT64_MAX), b->seed.value_or(0), b->params.dump());
  });
  std::vector<Record> starts;
  for (std::size_t s = 0; s < std::min(spec.starts, ranked.size()); ++s) starts.push_back(*ranked[s]);
  return starts;
}

SearchResult refine_start(const Check& check, const Record& start, std::size_t s, const std::vector<Record>& existing,
                          const SearchSpec& spec, const std::function<void(const Record&)>& sink) {
  SearchResult result;
  result.start_ratio = start.ratio;
  std::map<std::string, Record> reuse;
  for (const Record& r : existing)
    if (r.check == check.id && r.metrics.contains("search") && r.metrics.at("search").is_object() &&
        r.metrics.at("search").value("start", std::uint64_t{s + 1}) == s)
      reuse[r.params.dump()] = r;
  Engine rng(derive_seed(derive_seed(spec.seed, fnv1a(check.id)), s));
  std::mutex lock;
  Record current = start;
  for (std::size_t round = 0; round < spec.rounds; ++round) {
    std::vector<nlohmann::json> candidates;
    for (std::size_t c = 0; c < spec.per_round; ++c) candidates.push_back(perturb(current.params, rng));
    std::vector<std::optional<Record>> found(candidates.size());
    parallel_for(candidates.size(), spec.threads, [&](std::size_t c) {
      const std::string key = candidates[c].dump();
      std::optional<Record> r;
      {
        const std::lock_guard<std::mutex> guard(lock);
        if (const auto it = reuse.find(key); it != reuse.end()) r = it->second;
      }
      if (!r) {
        try {
          r = evaluate_params(check, candidates[c]);
        } catch (const std::invalid_argument&) {
          const std::lock_guard<std::mutex> guard(lock);
          ++result.rejected;
          return;
        }
        r->metrics["search"] = {{"start", s}, {"round", round}};
        const std::lock_guard<std::mutex> guard(lock);
        reuse[key] = *r;
        sink(*r);
      }
      found[c] = std::move(r);
    });
    for (auto& r : found) {
      if (!r) continue;
      ++result.evaluated;
      if (rankable(*r) && tighter(*r, current)) current = *r;
    }
  }
  result.best = std::move(current);
  return result;
}

SearchResult tightness_search(const Check& check, const std::vector<Record>& run_records,
                              const std::vector<Record>& existing, const SearchSpec& spec,
                              const std::function<void(const Record&)>& sink) {
  SearchResult result;
  const std::vector<Record> starts = search_starts(check, run_records, spec);
  if (starts.empty()) return result;
  result.start_ratio = starts.front().ratio;
  result.best = starts.front();
  for (std::size_t s = 0; s < starts.size(); ++s) {
    const SearchResult one = refine_start(check, starts[s], s, existing, spec, sink);
    result.evaluated += one.evaluated;
    result.rejected += one.rejected;
    if (tighter(*one.best, *result.best)) result.best = one.best;
  }
  return result;
}

}  // namespace nrc

// ---------------------------------------------------------------------------------------------
// Nelder–Mead: NLopt's NLOPT_LN_NELDERMEAD, restarted around the best point while runs end early

namespace nrc {

namespace {

// NLopt maximizes what this returns; NaN and −∞ of f become −HUGE_VAL (never better than a
// feasible point). The best feasible point is kept here, whatever NLopt reports. An exception from f
// must not unwind through NLopt's C frames: it is kept, NLopt is told to stop, and it is rethrown.
struct NmContext {
  const std::function<double(const arma::vec&)>* f = nullptr;
  nlopt_opt opt = nullptr;
  std::exception_ptr error;
  std::size_t evaluations = 0;
  arma::vec best_x;
  double best = -std::numeric_limits<double>::infinity();
};

double nm_objective(unsigned n, const double* x, double* /*grad: derivative-free*/, void* data) {
  auto& c = *static_cast<NmContext*>(data);
  ++c.evaluations;
  const arma::vec v(x, n);
  double y = 0;
  try {
    y = (*c.f)(v);
  } catch (...) {
    c.error = std::current_exception();
    nlopt_force_stop(c.opt);
    return -HUGE_VAL;
  }
  if (std::isnan(y) || y == -std::numeric_limits<double>::infinity()) return -HUGE_VAL;
  if (y > c.best) {
    c.best = y;
    c.best_x = v;
  }
  return y;
}

}  // namespace

NelderMeadResult maximize_nelder_mead(const std::function<double(const arma::vec&)>& f, const arma::vec& x0,
                                      const NelderMeadOptions& o) {
  require(!x0.is_empty(), "maximize_nelder_mead", "expected a non-empty start point");
  require(o.max_evaluations >= 1, "maximize_nelder_mead", "expected max_evaluations ≥ 1, got 0");
  require(std::isfinite(o.initial_step) && o.initial_step > 0, "maximize_nelder_mead",
          "expected a finite initial_step > 0, got {}", o.initial_step);
  const auto n = static_cast<unsigned>(x0.n_elem);
  NmContext ctx;
  ctx.f = &f;
  ctx.best_x = x0;
  NelderMeadResult out;
  for (std::size_t run = 0; run <= o.restarts && ctx.evaluations < o.max_evaluations; ++run) {
    ++out.runs;
    const std::unique_ptr<nlopt_opt_s, void (*)(nlopt_opt)> opt(nlopt_create(NLOPT_LN_NELDERMEAD, n), nlopt_destroy);
    if (!opt) throw std::bad_alloc();
    ctx.opt = opt.get();
    nlopt_set_max_objective(opt.get(), nm_objective, &ctx);
    nlopt_set_maxeval(opt.get(), static_cast<int>(std::min<std::size_t>(o.max_evaluations - ctx.evaluations, INT_MAX)));
    nlopt_set_initial_step1(opt.get(), o.initial_step);
    nlopt_set_ftol_rel(opt.get(), o.value_tol);
    nlopt_set_xtol_abs1(opt.get(), o.size_tol);
    std::vector<double> x(ctx.best_x.begin(), ctx.best_x.end());
    double value = 0;
    const nlopt_result r = nlopt_optimize(opt.get(), x.data(), &value);
    if (ctx.error) std::rethrow_exception(ctx.error);
    // A restart helps only after a run that converged (a simplex collapsed early); not after the
    // budget is spent, a failure, or a run that found nothing feasible.
    const bool converged = r == NLOPT_FTOL_REACHED || r == NLOPT_XTOL_REACHED || r == NLOPT_SUCCESS;
    if (!converged || !std::isfinite(ctx.best)) break;
  }
  out.x = ctx.best_x;
  out.value = ctx.best;
  out.evaluations = ctx.evaluations;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sharpness on data

std::string DataShape::label() const { return fmt::format("d={} c={} N={} K={}", d, c, N, K); }

std::vector<DataShape> data_search_shapes(const Check& check) {
  const auto& opt = check.optional_params;
  if (std::find(opt.begin(), opt.end(), "data") == opt.end()) return {};
  // Theorem 5.3's bound scales with d (√d and d): one shape per d = 1..4 with the smallest data that
  // has a within-block spread (N = 2, one block), and one with two blocks.
  if (check.id.rfind("thm_5_3", 0) == 0)
    return {{1, 1, 2, 1}, {2, 1, 2, 1}, {3, 1, 2, 1}, {4, 1, 2, 1}, {2, 2, 4, 2}};
  // Theorem 5.4 needs K < min(c, d) (else θ*_K = θ*); d·min(d, c) varies, and N < max(c, d) is outside
  // the paper's hypothesis but not the refined bound's (the paper's check is NotApplicable there).
  return {{2, 2, 2, 1}, {3, 2, 3, 1}, {2, 3, 4, 1}, {3, 3, 2, 1}};
}

std::size_t data_search_dimension(const DataShape& s) { return 5 + (s.d + s.c) * (s.K + s.N); }

nlohmann::json data_search_params(const DataShape& s, const arma::vec& x) {
  require(x.n_elem == data_search_dimension(s), "data_search_params", "expected a point of length {} for shape {}, got {}",
          data_search_dimension(s), s.label(), x.n_elem);
  const double lambda = std::exp(x(0));
  const double sxc = std::exp(x(1)), sxd = std::exp(x(2)), syc = std::exp(x(3)), syd = std::exp(x(4));
  std::size_t k = 5;
  auto take = [&](arma::uword rows, arma::uword cols) {
    arma::mat M(rows, cols);
    for (arma::uword j = 0; j < cols; ++j)
      for (arma::uword i = 0; i < rows; ++i) M(i, j) = x(k++);
    return M;
  };
  const arma::mat Mx = take(s.d, s.K), My = take(s.c, s.K), Dx = take(s.d, s.N), Dy = take(s.c, s.N);
  arma::uvec block(s.N);
  for (arma::uword i = 0; i < s.N; ++i) block(i) = i % s.K;
  // Deviations with zero mean in each block, so the blocks' centroids are exactly the centroid part.
  auto centred = [&](const arma::mat& D) {
    arma::mat out = D;
    for (arma::uword b = 0; b < s.K; ++b) {
      const arma::uvec members = arma::find(block == b);
      const arma::vec mean = arma::mean(D.cols(members), 1);
      for (const arma::uword i : members) out.col(i) -= mean;
    }
    return out;
  };
  const arma::mat X = sxc * Mx.cols(block) + sxd * centred(Dx);
  const arma::mat Y = syc * My.cols(block) + syd * centred(Dy);
  return {{"data", "explicit"}, {"X", section5::matrix_json(X)}, {"Y", section5::matrix_json(Y)}, {"lambda", lambda},
          {"K", s.K}};
}

namespace {

// Log-scales (and log λ) beyond this are no data a user has; the search stays inside.
constexpr double kLogBox = 30;

double objective(const Check& check, const DataShape& shape, const arma::vec& x) {
  for (arma::uword i = 0; i < 5; ++i)
    if (!(std::abs(x(i)) <= kLogBox)) return -std::numeric_limits<double>::infinity();
  try {
    const Evidence e = check.evaluate(data_search_params(shape, x));
    // An omitted err counts as 0 here: the objective only steers the search; the candidates it finds
    // are judged by the runner, which estimates err for them.
    const double err = e.err.value_or(0);
    if (!e.not_applicable.empty() || !e.inconclusive.empty() || !std::isfinite(e.lhs) || !std::isfinite(e.rhs) ||
        !std::isfinite(err) || !(e.rhs > 0))
      return -std::numeric_limits<double>::infinity();
    return (e.lhs - err) / e.rhs;
  } catch (const std::exception&) {   // singular systems at extreme scales, malformed shapes
    return -std::numeric_limits<double>::infinity();
  }
}

arma::vec random_start(const DataShape& shape, Engine& rng) {
  std::uniform_real_distribution<double> log_lambda(-3.0, 1.0), log_scale(-2.0, 2.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  arma::vec x(data_search_dimension(shape));
  x(0) = log_lambda(rng);
  for (arma::uword i = 1; i < 5; ++i) x(i) = log_scale(rng);
  for (arma::uword i = 5; i < x.n_elem; ++i) x(i) = normal(rng);
  return x;
}

bool same_search(const Record& r, const std::string& check, const DataShape& shape, const DataSearchSpec& spec) {
  if (r.check != check || !r.metrics.contains("search")) return false;
  const auto& s = r.metrics.at("search");
  return s.is_object() && s.value("kind", "") == "data" && s.value("shape", "") == shape.label() &&
         s.value("seed", std::uint64_t{0}) == spec.seed && s.value("starts", std::uint64_t{0}) == spec.starts &&
         s.value("budget", std::uint64_t{0}) == spec.evaluations;
}

}  // namespace

const Record* find_data_search(const std::vector<Record>& records, const std::string& check, const DataShape& shape,
                               const DataSearchSpec& spec) {
  for (const Record& r : records)
    if (same_search(r, check, shape, spec)) return &r;
  return nullptr;
}

DataSearchResult data_search(const Check& check, const DataShape& shape, const std::vector<Record>& existing,
                             const DataSearchSpec& spec, const std::function<void(const Record&)>& sink) {
  DataSearchResult result;
  result.shape = shape;
  if (const Record* r = find_data_search(existing, check.id, shape, spec)) {
    result.best = *r;
    result.reused = true;
    return result;
  }
  std::vector<NelderMeadResult> runs(spec.starts);
  NelderMeadOptions options;
  options.max_evaluations = spec.evaluations;
  parallel_for(spec.starts, spec.threads, [&](std::size_t s) {
    Engine rng(derive_seed(derive_seed(spec.seed, fnv1a(check.id + " " + shape.label())), s));
    const arma::vec x0 = random_start(shape, rng);
    runs[s] = maximize_nelder_mead([&](const arma::vec& x) { return objective(check, shape, x); }, x0, options);
  });
  std::size_t best = 0, evaluations = 0;
  nlohmann::json values = nlohmann::json::array();
  for (std::size_t s = 0; s < runs.size(); ++s) {
    evaluations += runs[s].evaluations;
    values.push_back(std::isfinite(runs[s].value) ? nlohmann::json(runs[s].value) : nlohmann::json());
    if (runs[s].value > runs[best].value) best = s;
  }
  if (runs.empty() || !std::isfinite(runs[best].value)) return result;
  Record r = evaluate_params(check, data_search_params(shape, runs[best].x));
  r.metrics["search"] = {{"kind", "data"},       {"shape", shape.label()}, {"d", shape.d},
                         {"c", shape.c},         {"N", shape.N},           {"K", shape.K},
                         {"seed", spec.seed},    {"starts", spec.starts},  {"budget", spec.evaluations},
                         {"evaluations", evaluations}, {"objective", runs[best].value}, {"start_values", values}};
  sink(r);
  result.best = std::move(r);
  return result;
}

}  // namespace nrc
