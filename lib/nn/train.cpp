// Training to stationarity (see train.hpp).
//
// Divergence. GD/SGD with a step η above 2/(local curvature) are unstable: the unstable modes grow
// by a factor |1 − ηh| > 1 per step, so the loss grows geometrically and crosses any fixed multiple
// of its start within tens of steps, long before it overflows. A stable run never comes near: GD
// with a small enough step is monotone, and an SGD step on a batch of B samples moves the full
// loss by at most what the batch loss allows, (N/B)·(data loss), a factor ≤ N/B ≤ 1e6 for any
// data set here. Hence kTrainBlowup = 1e6 on the full-batch loss; NaN/Inf anywhere stops at once.
// L-BFGS needs no blow-up rule: its line search only accepts decreasing steps.
//
// Resume identity. Every quantity that shapes the trajectory after a checkpoint is in it: Θ and
// the iteration count (all methods), L_λ(Θ_0) (the blow-up reference), and for SGD the engine
// state, the current epoch's permutation and the position in it. L-BFGS runs in chunks of
// checkpoint_every iterations, each a fresh minimize_lbfgs from the current point, checkpointed or
// not, so a resumed run repeats exactly what the uninterrupted one did from that boundary.
//
// Checkpoint file (native byte order, checked by a marker word):
//   "NRCTRAIN" | u32 version | u32 0 | u64 total bytes | u64 0x0102030405060708
//   u32 method | u32 loss | u64 N | u64 L | u64 widths[L+1] | u32 acts[L]
//   u64 data hash | u64 initial-parameter hash | u64 options hash
//   u32 phase | u64 iteration | f64 L_λ(Θ_0) | f64 trust radius | u64 P | f64 Θ[P]
//   SGD only: u64 position | u64 perm[N] | u64 len | char engine state[len] (mt19937_64 operator<<)
//   u64 checksum of all preceding bytes
// The total length in the header makes a truncated file recognisable as such; the checksum catches
// any other damage. Both are refused (never silently ignored): resuming from the wrong state would
// break the identity promise without anyone noticing.
#include "lib/nn/train.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "lib/common/error.hpp"
#include "lib/common/files.hpp"
#include "lib/common/memory.hpp"
#include "lib/common/rng.hpp"
#include "lib/optim/lbfgs.hpp"
#include "lib/optim/newton.hpp"
#include "lib/spectral/lanczos.hpp"

namespace nrc {

std::string_view name(TrainMethod m) {
  switch (m) {
    case TrainMethod::Newton: return "newton";
    case TrainMethod::LBFGS: return "lbfgs";
    case TrainMethod::GradientDescent: return "gd";
    case TrainMethod::SGD: return "sgd";
  }
  return "unknown";
}

std::string_view name(CurvatureKind k) {
  switch (k) {
    case CurvatureKind::Undecided: return "undecided";
    case CurvatureKind::Minimum: return "minimum";
    case CurvatureKind::Saddle: return "saddle";
  }
  return "unknown";
}

Curvature certify_curvature(const Mlp& net, Loss loss, const arma::mat& X, const arma::mat& Y, double lambda,
                            int steps, std::uint64_t seed) {
  require(steps >= 1, "certify_curvature", "expected steps ≥ 1, got {}", steps);
  const HessianOperator H(net, loss, X, Y, lambda);
  arma::uword width = 0;
  for (const auto& W : net.W) width = std::max(width, W.n_rows);
  const double inner = 4.0 * static_cast<double>(net.depth()) *
                       static_cast<double>(X.n_cols + std::max(width, X.n_rows)) *
                       std::numeric_limits<double>::epsilon();
  const auto kind = [&](const LanczosResult& r) {
    const double rounding = inner * std::max(std::abs(r.min), std::abs(r.max));
    if (r.min < -rounding) return CurvatureKind::Saddle;
    if (r.min - r.min_residual > rounding) return CurvatureKind::Minimum;
    return CurvatureKind::Undecided;
  };
  const LanczosResult r = lanczos_extremes([&](const arma::vec& v) { return H.apply(v); }, H.size(), steps, seed,
                                           [&](const LanczosResult& q) { return kind(q) == CurvatureKind::Saddle; });
  Curvature c;
  c.min = r.min;
  c.max = r.max;
  c.min_residual = r.min_residual;
  c.max_residual = r.max_residual;
  c.products = r.steps;
  c.rounding = inner * std::max(std::abs(r.min), std::abs(r.max));
  c.kind = kind(r);
  return c;
}

std::string_view name(TrainStatus s) {
  switch (s) {
    case TrainStatus::Stationary: return "stationary";
    case TrainStatus::MaxIterations: return "max_iterations";
    case TrainStatus::Diverged: return "diverged";
    case TrainStatus::Stalled: return "stalled";
  }
  return "unknown";
}

namespace {

constexpr std::string_view kFn = "train";
constexpr char kMagic[8] = {'N', 'R', 'C', 'T', 'R', 'A', 'I', 'N'};
constexpr std::uint32_t kVersion = 2;   // 2: the trust radius of the Newton phase
constexpr std::uint64_t kByteOrderMark = 0x0102030405060708ULL;

// ---------------------------------------------------------------------------------------------
// Hashing (fingerprints and the checksum): the SplitMix64 finalizer over 64-bit words. Not
// cryptographic; it only has to tell runs apart and catch damaged files.
std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

struct Hasher {
  std::uint64_t h = 0x6A09E667F3BCC908ULL;
  void word(std::uint64_t w) { h = mix(h ^ w) + 0x9E3779B97F4A7C15ULL; }
  void real(double x) { word(std::bit_cast<std::uint64_t>(x)); }
  void bytes(const void* p, std::size_t n) {
    const auto* c = static_cast<const unsigned char*>(p);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, c + i, 8);
      word(w);
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, c + i, n - i);
    word(tail);
    word(n);
  }
  void matrix(const arma::mat& M) {
    word(M.n_rows);
    word(M.n_cols);
    bytes(M.memptr(), M.n_elem * sizeof(double));
  }
};

// ---------------------------------------------------------------------------------------------
// The run's identity, as stored in and compared against a checkpoint.
struct Identity {
  std::uint32_t method = 0, loss = 0;
  std::uint64_t N = 0;
  std::vector<std::uint64_t> widths;
  std::vector<std::uint32_t> acts;
  std::uint64_t data_hash = 0, init_hash = 0, options_hash = 0;
};

Identity identity_of(const Mlp& net, const arma::vec& theta0, const arma::mat& X, const arma::mat& Y,
                     const TrainOptions& o) {
  Identity id;
  id.method = static_cast<std::uint32_t>(o.method);
  id.loss = static_cast<std::uint32_t>(o.loss);
  id.N = X.n_cols;
  id.widths.push_back(net.input_dim());
  for (arma::uword l = 0; l < net.depth(); ++l) {
    id.widths.push_back(net.W[l].n_rows);
    id.acts.push_back(static_cast<std::uint32_t>(net.act[l]));
  }
  Hasher d;
  d.matrix(X);
  d.matrix(Y);
  id.data_hash = d.h;
  Hasher p;
  p.bytes(theta0.memptr(), theta0.n_elem * sizeof(double));
  id.init_hash = p.h;
  Hasher h;
  h.word(id.method);
  h.word(id.loss);
  h.real(o.lambda);
  switch (o.method) {
    case TrainMethod::Newton:
    case TrainMethod::LBFGS: h.word(o.checkpoint_every); break;
    case TrainMethod::GradientDescent: h.real(o.learning_rate); break;
    case TrainMethod::SGD:
      h.real(o.learning_rate);
      h.word(o.batch_size);
      h.word(o.seed);
      break;
  }
  id.options_hash = h.h;
  return id;
}

struct State {
  // L-BFGS and Newton: 0 liblbfgs; L-BFGS: 1 the gradient-only polish after a stall; Newton: 2 the
  // trust-region Newton–CG phase.
  std::uint32_t phase = 0;
  std::uint64_t iteration = 0;
  double initial_loss = 0;
  double radius = 0;         // Newton phase: Δ to continue with (0 before its first iteration)
  arma::vec theta;
  // SGD only.
  std::uint64_t position = 0;
  std::vector<std::uint64_t> perm;   // empty before the first epoch
  Engine engine;
};

// ---------------------------------------------------------------------------------------------
// Serialization.
class Writer {
 public:
  template <typename T>
  void put(const T& v) {
    const auto* p = reinterpret_cast<const char*>(&v);
    buf_.insert(buf_.end(), p, p + sizeof(T));
  }
  void raw(const void* p, std::size_t n) {
    const auto* c = static_cast<const char*>(p);
    buf_.insert(buf_.end(), c, c + n);
  }
  std::vector<char>& buffer() { return buf_; }

 private:
  std::vector<char> buf_;
};

class Reader {
 public:
  Reader(const std::vector<char>& buf, std::size_t end, const std::string& path) : buf_(buf), end_(end), path_(path) {}
  template <typename T>
  T get() {
    T v;
    raw(&v, sizeof(T));
    return v;
  }
  void raw(void* p, std::size_t n) {
    // The checksum has passed, so running out means an inconsistent (not truncated) file.
    require(n <= end_ - pos_, kFn, "expected a consistent checkpoint in '{}', got one whose fields overrun it", path_);
    std::memcpy(p, buf_.data() + pos_, n);
    pos_ += n;
  }
  std::size_t position() const { return pos_; }

 private:
  const std::vector<char>& buf_;
  std::size_t end_, pos_ = 0;
  const std::string& path_;
};

std::uint64_t checksum(const char* p, std::size_t n) {
  Hasher h;
  h.bytes(p, n);
  return h.h;
}

std::vector<char> encode(const Identity& id, const State& s, TrainMethod method) {
  Writer w;
  w.raw(kMagic, sizeof kMagic);
  w.put(kVersion);
  w.put(std::uint32_t{0});
  w.put(std::uint64_t{0});   // total length, patched below
  w.put(kByteOrderMark);
  w.put(id.method);
  w.put(id.loss);
  w.put(id.N);
  w.put(static_cast<std::uint64_t>(id.acts.size()));
  for (auto v : id.widths) w.put(v);
  for (auto v : id.acts) w.put(v);
  w.put(id.data_hash);
  w.put(id.init_hash);
  w.put(id.options_hash);
  w.put(s.phase);
  w.put(s.iteration);
  w.put(s.initial_loss);
  w.put(s.radius);
  w.put(static_cast<std::uint64_t>(s.theta.n_elem));
  w.raw(s.theta.memptr(), s.theta.n_elem * sizeof(double));
  if (method == TrainMethod::SGD) {
    w.put(s.position);
    w.put(static_cast<std::uint64_t>(s.perm.size()));
    w.raw(s.perm.data(), s.perm.size() * sizeof(std::uint64_t));
    std::ostringstream os;
    os << s.engine;
    const std::string e = os.str();
    w.put(static_cast<std::uint64_t>(e.size()));
    w.raw(e.data(), e.size());
  }
  std::vector<char>& buf = w.buffer();
  const std::uint64_t total = buf.size() + sizeof(std::uint64_t);
  std::memcpy(buf.data() + 16, &total, sizeof total);
  const std::uint64_t sum = checksum(buf.data(), buf.size());
  w.put(sum);
  return std::move(w.buffer());
}

std::string widths_text(const std::vector<std::uint64_t>& w) {
  std::string s;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (i > 0) s.push_back('-');
    s.append(std::to_string(w[i]));
  }
  return s;
}

// The state of an existing checkpoint of this run; nullopt if there is no file.
std::optional<State> load(const std::string& path, const Identity& id, TrainMethod method, arma::uword P) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  // A folder or a FIFO would fail deep in the stream (or block): say what is wrong instead.
  require(std::filesystem::is_regular_file(path, ec), kFn, "expected the checkpoint '{}' to be a regular file", path);
  std::ifstream f(path, std::ios::binary);
  require(f.good(), kFn, "expected a readable checkpoint at '{}', got one that cannot be opened", path);
  const std::vector<char> buf((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  require(buf.size() >= 8 && std::memcmp(buf.data(), kMagic, 8) == 0, kFn,
          "expected an nrc training checkpoint (magic NRCTRAIN) at '{}', got another file ({} bytes)", path, buf.size());
  require(buf.size() >= 32, kFn, "expected a complete checkpoint at '{}', got a truncated file ({} bytes)", path,
          buf.size());
  std::uint32_t version;
  std::uint64_t total, bom;
  std::memcpy(&version, buf.data() + 8, 4);
  std::memcpy(&total, buf.data() + 16, 8);
  std::memcpy(&bom, buf.data() + 24, 8);
  require(bom == kByteOrderMark, kFn, "expected a checkpoint written in this machine's byte order at '{}', got another",
          path);
  require(version == kVersion, kFn, "expected checkpoint format version {} at '{}', got {}", kVersion, path, version);
  require(buf.size() >= total, kFn,
          "expected a complete checkpoint at '{}', got a truncated file ({} of {} bytes); delete it to start afresh",
          path, buf.size(), total);
  require(buf.size() == total, kFn, "expected a checkpoint of {} bytes at '{}', got {} bytes; delete it to start afresh",
          total, path, buf.size());
  std::uint64_t stored_sum;
  std::memcpy(&stored_sum, buf.data() + total - 8, 8);
  require(checksum(buf.data(), total - 8) == stored_sum, kFn,
          "expected an intact checkpoint at '{}', got one whose checksum does not match (corrupted); delete it to "
          "start afresh",
          path);

  Reader r(buf, total - 8, path);
  char skip[32];
  r.raw(skip, 32);
  Identity got;
  got.method = r.get<std::uint32_t>();
  got.loss = r.get<std::uint32_t>();
  got.N = r.get<std::uint64_t>();
  const auto L = r.get<std::uint64_t>();
  require(L < 1'000'000, kFn, "expected a consistent checkpoint in '{}', got depth {}", path, L);
  for (std::uint64_t l = 0; l <= L; ++l) got.widths.push_back(r.get<std::uint64_t>());
  for (std::uint64_t l = 0; l < L; ++l) got.acts.push_back(r.get<std::uint32_t>());
  got.data_hash = r.get<std::uint64_t>();
  got.init_hash = r.get<std::uint64_t>();
  got.options_hash = r.get<std::uint64_t>();

  const std::string other = fmt::format("expected a checkpoint of this run at '{}' (or none), got one of another run", path);
  require(got.method == id.method, kFn, "{} (method {}, this run {})", other,
          name(static_cast<TrainMethod>(got.method)), name(method));
  require(got.widths == id.widths && got.acts == id.acts, kFn, "{} (network {}, this run {})", other,
          widths_text(got.widths), widths_text(id.widths));
  require(got.N == id.N && got.data_hash == id.data_hash, kFn, "{} (different data X, Y)", other);
  require(got.init_hash == id.init_hash, kFn, "{} (different initial parameters)", other);
  require(got.loss == id.loss && got.options_hash == id.options_hash, kFn,
          "{} (different loss, λ or trajectory options)", other);

  State s;
  s.phase = r.get<std::uint32_t>();
  require(s.phase <= 2, kFn, "expected a consistent checkpoint in '{}', got phase {}", path, s.phase);
  s.iteration = r.get<std::uint64_t>();
  s.initial_loss = r.get<double>();
  s.radius = r.get<double>();
  require(std::isfinite(s.radius) && s.radius >= 0, kFn, "expected a consistent checkpoint in '{}', got radius {}",
          path, s.radius);
  const auto n = r.get<std::uint64_t>();
  require(n == P, kFn, "expected a checkpoint with {} parameters at '{}', got {}", P, path, n);
  s.theta.set_size(P);
  r.raw(s.theta.memptr(), P * sizeof(double));
  if (method == TrainMethod::SGD) {
    s.position = r.get<std::uint64_t>();
    const auto m = r.get<std::uint64_t>();
    require((m == 0 && s.position == 0) || (m == id.N && s.position < m), kFn,
            "expected a consistent SGD state in '{}', got position {} in a permutation of {}", path, s.position, m);
    s.perm.resize(m);
    r.raw(s.perm.data(), m * sizeof(std::uint64_t));
    for (auto i : s.perm) require(i < id.N, kFn, "expected sample indices < {} in '{}', got {}", id.N, path, i);
    const auto len = r.get<std::uint64_t>();
    require(len <= total, kFn, "expected a consistent checkpoint in '{}', got an engine state of {} bytes", path, len);
    std::string e(len, '\0');
    r.raw(e.data(), len);
    std::istringstream is(e);
    is >> s.engine;
    require(!is.fail(), kFn, "expected a valid mt19937_64 state in '{}', got an unreadable one", path);
  }
  require(r.position() == total - 8, kFn, "expected a consistent checkpoint in '{}', got {} unread bytes", path,
          total - 8 - r.position());
  return s;
}

// ---------------------------------------------------------------------------------------------
// Evaluation of L_λ on Θ (flattened) for the full data or a batch.
class Evaluator {
 public:
  Evaluator(const Mlp& net, Loss loss, double lambda) : work_(net), loss_(loss), lambda_(lambda) {}
  double operator()(const arma::vec& theta, const arma::mat& X, const arma::mat& Y, arma::vec& grad) {
    unflatten(work_, theta);
    LossAndGradient r = regularized_loss(work_, loss_, X, Y, lambda_);
    grad = flatten(r.grad);
    ++evaluations;
    return r.value;
  }
  // ∇²L_λ at theta on the full data X, Y (the same on every call). One operator, rebound to each new
  // Θ so that its buffers are reused: a product returned earlier then applies the new Hessian.
  HessianProduct hessian(const arma::vec& theta, const arma::mat& X, const arma::mat& Y) {
    if (hessian_) {
      hessian_->rebind(theta);
    } else {
      unflatten(work_, theta);
      hessian_.emplace(work_, loss_, X, Y, lambda_);
    }
    return [this](const arma::vec& v) { return hessian_->apply(v); };
  }
  std::uint64_t evaluations = 0;

 private:
  Mlp work_;
  Loss loss_;
  double lambda_;
  std::optional<HessianOperator> hessian_;
};

double stationarity(const arma::vec& theta, double grad_norm, double lambda) {
  return grad_norm / std::max(2 * lambda * arma::norm(theta), std::numeric_limits<double>::min());
}

bool finite(double f, const arma::vec& g) { return std::isfinite(f) && g.is_finite(); }

// Uniform integer in [0, n) by rejection (portable, unlike std::uniform_int_distribution).
std::uint64_t bounded(Engine& e, std::uint64_t n) {
  const std::uint64_t threshold = (0 - n) % n;   // 2^64 mod n
  for (;;) {
    const std::uint64_t x = e();
    if (x >= threshold) return x % n;
  }
}

void shuffle(std::vector<std::uint64_t>& perm, std::uint64_t N, Engine& e) {
  perm.resize(N);
  for (std::uint64_t i = 0; i < N; ++i) perm[i] = i;
  for (std::uint64_t i = N - 1; i > 0; --i) std::swap(perm[i], perm[bounded(e, i + 1)]);
}

// What one run needs besides the method-specific loop.
struct Run {
  const arma::mat& X;
  const arma::mat& Y;
  const TrainOptions& o;
  const Identity& id;
  Evaluator& f;
  State s;
  TrainResult result;

  void checkpoint() {
    if (!o.checkpoint_path.empty()) {
      const std::vector<char> bytes = encode(id, s, o.method);
      write_file_atomic(o.checkpoint_path, std::string_view(bytes.data(), bytes.size()));
    }
  }
  void report(std::uint64_t it, double loss, double gnorm, double stat) const {
    if (o.progress) o.progress(TrainProgress{it, loss, gnorm, stat});
  }
  // Full-batch statistics of the returned Θ into result.
  void finish(TrainStatus status, double loss, double gnorm, std::string message) {
    result.status = status;
    result.iterations = s.iteration;
    result.loss = loss;
    result.grad_norm = gnorm;
    result.stationarity = stationarity(s.theta, gnorm, o.lambda);
    result.message = std::move(message);
  }
  void finish_evaluating(TrainStatus status, std::string message) {
    arma::vec g;
    const double loss = f(s.theta, X, Y, g);
    finish(status, loss, arma::norm(g), std::move(message));
  }
};

// The gradient-only polish. Near a minimum L_λ changes by ~‖∇L‖²/(2h) per step, and once that is
// below the rounding noise of L_λ itself (~1e-16·L_λ·√N) liblbfgs' line search, which needs a
// measurable decrease of f, stalls: on the 4-3-4 test net at ‖∇L‖ ≈ 4e-9, i.e. stationarity
// ~1e-7, two decades short of 1e-9. The gradient stays accurate far below that, so the polish
// continues with L-BFGS directions (two-loop recursion, same memory 10) and a line search on the
// directional derivative φ'(α) = ∇L(Θ+αd)ᵀd only: secant steps toward φ' = 0, accepting α when
// |φ'(α)| ≤ c₂|φ'(0)| with φ'(0) < 0. On the quadratic model that holds iff 0 < α < 2α*, which
// is exactly where L_λ decreases, so this is still descent; a guard also refuses any step whose
// L_λ rises above rounding noise. Memory restarts every chunk, as for liblbfgs.
struct PolishResult {
  OptimStatus status = OptimStatus::Stalled;
  int iterations = 0;
  double value = 0, gradient_norm = 0;
  std::string message;
};

PolishResult polish(Run& run, std::uint64_t base, std::uint64_t max_iterations) {
  constexpr std::size_t kMemory = 10;
  constexpr int kMaxSearch = 12;       // φ' evaluations per line search
  constexpr double kCurvature = 0.5;   // c₂
  const TrainOptions& o = run.o;
  arma::vec& theta = run.s.theta;
  arma::vec g, g_trial;
  double f = run.f(theta, run.X, run.Y, g);
  PolishResult r;
  std::vector<arma::vec> S, Yd;
  std::vector<double> rho;
  for (;;) {
    const double gn = arma::norm(g);
    r.value = f;
    r.gradient_norm = gn;
    if (stationarity(theta, gn, o.lambda) <= o.stationarity_tol) {
      r.status = OptimStatus::Converged;
      r.message = "gradient-only polish: stationarity tolerance met";
      return r;
    }
    if (static_cast<std::uint64_t>(r.iterations) >= max_iterations) {
      r.status = OptimStatus::MaxIterations;
      r.message = "gradient-only polish: chunk done";
      return r;
    }
    // Two-loop recursion; without memory d = −∇L (the first secant step fixes the scale).
    arma::vec d = -g;
    std::vector<double> a(S.size());
    for (std::size_t i = S.size(); i-- > 0;) {
      a[i] = rho[i] * arma::dot(S[i], d);
      d -= a[i] * Yd[i];
    }
    if (!S.empty()) d *= arma::dot(S.back(), Yd.back()) / arma::dot(Yd.back(), Yd.back());
    for (std::size_t i = 0; i < S.size(); ++i) d += (a[i] - rho[i] * arma::dot(Yd[i], d)) * S[i];
    const double dphi0 = arma::dot(g, d);
    if (!(dphi0 < 0)) {
      r.message = "gradient-only polish: no descent direction";
      return r;
    }
    // Secant on φ' from the bracket end α = 0 (φ'(0) < 0); α = 1 is the quasi-Newton step.
    double lo = 0, dphi_lo = dphi0, hi = -1, dphi_hi = 0, alpha = 1;
    bool accepted = false;
    double f_trial = 0;
    for (int k = 0; k < kMaxSearch && !accepted; ++k) {
      const arma::vec trial = theta + alpha * d;
      f_trial = run.f(trial, run.X, run.Y, g_trial);
      if (!finite(f_trial, g_trial)) {
        hi = alpha;   // treat as beyond the minimum along d
        dphi_hi = std::numeric_limits<double>::infinity();
        alpha = 0.5 * (lo + hi);
        continue;
      }
      const double dphi = arma::dot(g_trial, d);
      const bool no_rise = f_trial <= f + 1e-10 * std::abs(f);
      if (std::abs(dphi) <= kCurvature * std::abs(dphi0) && no_rise) {
        accepted = true;
        break;
      }
      if (dphi < 0 && no_rise) {
        lo = alpha;
        dphi_lo = dphi;
      } else {
        hi = alpha;
        dphi_hi = dphi;
      }
      if (hi < 0) {
        // No sign change yet: extrapolate by the secant, at most ×10.
        const double denom = dphi_lo - dphi0;
        const double next = denom < 0 ? lo * dphi0 / denom : 10 * lo;
        alpha = std::clamp(std::isfinite(next) ? next : 10 * lo, 1.1 * lo, 10 * lo);
      } else {
        const double next = std::isfinite(dphi_hi) ? lo - dphi_lo * (hi - lo) / (dphi_hi - dphi_lo) : 0.5 * (lo + hi);
        // Safeguard: stay inside the bracket, away from its ends.
        alpha = std::clamp(std::isfinite(next) ? next : 0.5 * (lo + hi), lo + 0.1 * (hi - lo), hi - 0.1 * (hi - lo));
      }
    }
    if (!accepted) {
      r.message = "gradient-only polish: line search on ∇L·d failed (rounding level of the gradient)";
      return r;
    }
    arma::vec step = alpha * d, y = g_trial - g;
    theta += step;
    g.swap(g_trial);
    f = f_trial;
    ++r.iterations;
    const double sy = arma::dot(step, y);
    if (sy > 0) {
      if (S.size() == kMemory) {
        S.erase(S.begin());
        Yd.erase(Yd.begin());
        rho.erase(rho.begin());
      }
      S.push_back(std::move(step));
      Yd.push_back(std::move(y));
      rho.push_back(1 / sy);
    }
    const double gn_new = arma::norm(g);
    run.report(base + static_cast<std::uint64_t>(r.iterations), f, gn_new, stationarity(theta, gn_new, o.lambda));
  }
}

// L-BFGS (method LBFGS: then the gradient-only polish) or L-BFGS then Newton (method Newton).
// Where the Newton method leaves L-BFGS: a chunk ending at stationarity ≤ this. Near a minimum
// Newton converges quadratically; farther out its trust region crawls along curved valleys where
// L-BFGS' cheap steps go faster (measured on the 64-48-32-48-64 autoencoder, bench/README.md).
constexpr double kNewtonSwitch = 1e-3;

void train_lbfgs(Run& run) {
  State& s = run.s;
  const TrainOptions& o = run.o;
  const nrc::Objective obj = [&](const arma::vec& x, arma::vec& g) { return run.f(x, run.X, run.Y, g); };
  const auto is_stationary = [&](const arma::vec& x, const arma::vec& g) {
    return stationarity(x, arma::norm(g), o.lambda) <= o.stationarity_tol;
  };
  for (;;) {
    if (s.iteration >= o.max_iterations) {
      run.finish_evaluating(TrainStatus::MaxIterations, fmt::format("iteration budget {} spent", o.max_iterations));
      return;
    }
    const std::uint64_t base = s.iteration;
    const std::uint64_t every = s.phase == 2 ? std::max<std::uint64_t>(1, o.checkpoint_every / 20) : o.checkpoint_every;
    const std::uint64_t chunk = std::min({every, o.max_iterations - base, static_cast<std::uint64_t>(INT_MAX)});
    OptimStatus status;
    int iterations;
    double value, gnorm;
    std::string message;
    double last_stationarity = -1;   // of this chunk's last iterate (L-BFGS)
    if (s.phase == 0) {
      int pending = 0;   // the iteration the wrapper just reported, for the rule called right after it
      LbfgsOptions lo;
      lo.gradient_tol = 0;   // the relative rule below is the stop
      lo.max_iterations = static_cast<int>(chunk);
      lo.progress = [&](int k, double, double) { pending = k; };
      lo.converged = [&](const arma::vec& x, const arma::vec& g, double fx) {
        const double gn = arma::norm(g);
        const double st = stationarity(x, gn, o.lambda);
        last_stationarity = st;
        if (pending > 0) run.report(base + static_cast<std::uint64_t>(pending), fx, gn, st);
        pending = 0;
        return st <= o.stationarity_tol;
      };
      const LbfgsResult r = minimize_lbfgs(obj, s.theta, lo);
      status = r.status;
      iterations = r.iterations;
      value = r.value;
      gnorm = r.gradient_norm;
      message = r.message;
    } else if (s.phase == 1) {
      const PolishResult r = polish(run, base, chunk);
      status = r.status;
      iterations = r.iterations;
      value = r.value;
      gnorm = r.gradient_norm;
      message = r.message;
    } else {
      NewtonOptions no;
      no.converged = [&](const arma::vec& x, const arma::vec& g, double) { return is_stationary(x, g); };
      no.max_iterations = static_cast<int>(chunk);
      // The budget counts a trust-region iteration as 1 plus its Hessian products (gradient-sized
      // units: a product costs ~1.8 gradients), so a Newton phase cannot outlast an L-BFGS budget
      // by the 250 products a CG solve may take.
      no.max_products = static_cast<long long>(std::min<std::uint64_t>(o.max_iterations - base, LLONG_MAX));
      no.radius = s.radius;
      std::uint64_t products = 0;   // so far in this chunk: progress counts in budget units too
      no.progress = [&](int k, double fx, double gn) {
        run.report(base + static_cast<std::uint64_t>(k) + products, fx, gn, stationarity(s.theta, gn, o.lambda));
      };
      const NewtonResult r = minimize_trust_newton(
          obj,
          [&](const arma::vec& x) -> HessianProduct {
            HessianProduct H = run.f.hessian(x, run.X, run.Y);
            return [H = std::move(H), &products](const arma::vec& v) {
              ++products;
              return H(v);
            };
          },
          s.theta, no);
      s.radius = r.radius;
      run.result.hessian_products += static_cast<std::uint64_t>(r.hessian_products);
      status = r.status;
      iterations = r.iterations + r.hessian_products;
      value = r.value;
      gnorm = r.gradient_norm;
      message = r.message;
    }
    s.iteration += static_cast<std::uint64_t>(iterations);
    constexpr const char* kPhase[] = {"L-BFGS", "polish", "Newton"};
    const std::string where = fmt::format("{} chunk {}–{}: {}", kPhase[s.phase], base, s.iteration, message);
    switch (status) {
      case OptimStatus::Converged:
        run.finish(TrainStatus::Stationary, value, gnorm, where);
        return;
      case OptimStatus::NonFinite:
        run.finish(TrainStatus::Diverged, value, gnorm, where);
        return;
      case OptimStatus::Stalled:
        // liblbfgs stalls where L_λ's decrease drowns in rounding: the polish (or Newton) takes over.
        // A polish chunk that stalls after some progress is retried fresh (its memory may be the
        // problem); one that cannot move from a fresh start is at the gradient's rounding level, as
        // is a Newton phase whose trust radius reached the rounding level of Θ.
        if (s.phase == 0) {
          s.phase = o.method == TrainMethod::Newton ? 2 : 1;
        } else if (s.phase == 2 || iterations == 0) {
          run.finish(TrainStatus::Stalled, value, gnorm, where);
          return;
        }
        break;
      case OptimStatus::MaxIterations:
        // Newton takes over near a minimum: once a chunk ended at stationarity ≤ the switch level.
        if (s.phase == 0 && o.method == TrainMethod::Newton && last_stationarity <= kNewtonSwitch) s.phase = 2;
        break;
    }
    run.checkpoint();
  }
}

void train_gd(Run& run) {
  State& s = run.s;
  const TrainOptions& o = run.o;
  arma::vec g, g_new;
  double loss = run.f(s.theta, run.X, run.Y, g);
  if (!finite(loss, g)) {
    run.finish(TrainStatus::Diverged, loss, arma::norm(g),
               fmt::format("non-finite loss or gradient at iteration {}", s.iteration));
    return;
  }
  for (;;) {
    const double gnorm = arma::norm(g);
    if (stationarity(s.theta, gnorm, o.lambda) <= o.stationarity_tol) {
      run.finish(TrainStatus::Stationary, loss, gnorm, "stationarity tolerance met");
      return;
    }
    if (s.iteration >= o.max_iterations) {
      run.finish(TrainStatus::MaxIterations, loss, gnorm, fmt::format("iteration budget {} spent", o.max_iterations));
      return;
    }
    arma::vec next = s.theta - o.learning_rate * g;
    const double loss_new = run.f(next, run.X, run.Y, g_new);
    if (!next.is_finite() || !finite(loss_new, g_new)) {
      run.finish(TrainStatus::Diverged, loss, gnorm,
                 fmt::format("non-finite loss or gradient at iteration {}; iteration {} returned", s.iteration + 1,
                             s.iteration));
      return;
    }
    s.theta = std::move(next);
    g.swap(g_new);
    loss = loss_new;
    ++s.iteration;
    if (loss > kTrainBlowup * s.initial_loss) {
      run.finish(TrainStatus::Diverged, loss, arma::norm(g),
                 fmt::format("loss {:.6g} > {:g}·initial loss {:.6g} at iteration {}", loss, kTrainBlowup,
                             s.initial_loss, s.iteration));
      return;
    }
    if (s.iteration % o.checkpoint_every == 0) run.checkpoint();
    const double gn = arma::norm(g);
    run.report(s.iteration, loss, gn, stationarity(s.theta, gn, o.lambda));
  }
}

// Stationarity (and the blow-up rule) on the full batch at every epoch boundary, i.e. every
// ⌈N/B⌉ iterations: it costs about one more epoch's worth of evaluations per epoch.
void train_sgd(Run& run) {
  State& s = run.s;
  const TrainOptions& o = run.o;
  const std::uint64_t N = run.X.n_cols, B = o.batch_size;
  arma::vec theta_prev;   // Θ before the last step: the last iterate with a finite evaluation
  arma::vec g;
  const auto diverged_nonfinite = [&](const std::string& what) {
    if (!theta_prev.is_empty()) s.theta = theta_prev;
    run.finish_evaluating(TrainStatus::Diverged,
                          fmt::format("non-finite {} at iteration {}; the previous iterate returned", what, s.iteration));
  };
  for (;;) {
    if (s.position == 0) {
      const double loss = run.f(s.theta, run.X, run.Y, g);
      if (!finite(loss, g)) return diverged_nonfinite("full-batch loss or gradient");
      const double gnorm = arma::norm(g);
      const double st = stationarity(s.theta, gnorm, o.lambda);
      if (s.iteration > 0) run.report(s.iteration, loss, gnorm, st);
      if (loss > kTrainBlowup * s.initial_loss) {
        run.finish(TrainStatus::Diverged, loss, gnorm,
                   fmt::format("loss {:.6g} > {:g}·initial loss {:.6g} at iteration {}", loss, kTrainBlowup,
                               s.initial_loss, s.iteration));
        return;
      }
      if (st <= o.stationarity_tol) {
        run.finish(TrainStatus::Stationary, loss, gnorm, "stationarity tolerance met (full batch, epoch boundary)");
        return;
      }
      if (s.iteration >= o.max_iterations) {
        run.finish(TrainStatus::MaxIterations, loss, gnorm, fmt::format("iteration budget {} spent", o.max_iterations));
        return;
      }
      shuffle(s.perm, N, s.engine);
    } else if (s.iteration >= o.max_iterations) {
      run.finish_evaluating(TrainStatus::MaxIterations, fmt::format("iteration budget {} spent", o.max_iterations));
      return;
    }
    const std::uint64_t end = std::min(s.position + B, N);
    arma::uvec idx(end - s.position);
    for (std::uint64_t i = s.position; i < end; ++i) idx(i - s.position) = s.perm[i];
    const arma::mat Xb = run.X.cols(idx), Yb = run.Y.cols(idx);
    const double fb = run.f(s.theta, Xb, Yb, g);
    if (!finite(fb, g)) return diverged_nonfinite("mini-batch loss or gradient");
    theta_prev = s.theta;
    s.theta -= o.learning_rate * g;
    s.position = end == N ? 0 : end;
    ++s.iteration;
    if (s.iteration % o.checkpoint_every == 0) run.checkpoint();
  }
}

}  // namespace

TrainResult train(Mlp& net, const arma::mat& X, const arma::mat& Y, const TrainOptions& o) {
  const arma::vec theta0 = flatten(net);   // validates the network
  require(X.n_rows == net.input_dim(), kFn, "expected X with {} rows (the input dimension), got {}", net.input_dim(),
          X.n_rows);
  require(Y.n_rows == net.output_dim(), kFn, "expected Y with {} rows (the output dimension), got {}",
          net.output_dim(), Y.n_rows);
  require(X.n_cols == Y.n_cols, kFn, "expected X and Y with the same number of columns, got {} and {}", X.n_cols,
          Y.n_cols);
  require(X.n_cols > 0, kFn, "expected N ≥ 1 samples, got 0");
  require(X.is_finite() && Y.is_finite(), kFn, "expected finite X and Y, got a non-finite entry");
  require(theta0.is_finite(), kFn, "expected finite initial parameters, got a non-finite entry");
  require(std::isfinite(o.lambda) && o.lambda > 0, kFn,
          "expected a finite λ > 0 (the stopping rule divides by ‖2λΘ‖), got {}", o.lambda);
  require(o.loss == Loss::SquaredError || o.loss == Loss::SoftmaxCrossEntropy, kFn, "expected a known loss, got code {}",
          static_cast<int>(o.loss));
  require(o.method == TrainMethod::Newton || o.method == TrainMethod::LBFGS ||
              o.method == TrainMethod::GradientDescent || o.method == TrainMethod::SGD,
          kFn, "expected a known method, got code {}", static_cast<int>(o.method));
  require(std::isfinite(o.stationarity_tol) && o.stationarity_tol >= 0, kFn,
          "expected a finite stationarity_tol ≥ 0, got {}", o.stationarity_tol);
  require(o.max_iterations >= 1, kFn, "expected max_iterations ≥ 1, got {}", o.max_iterations);
  require(o.checkpoint_every >= 1, kFn, "expected checkpoint_every ≥ 1, got {}", o.checkpoint_every);
  require(o.curvature_steps >= 0, kFn, "expected curvature_steps ≥ 0, got {}", o.curvature_steps);
  if (o.method == TrainMethod::GradientDescent || o.method == TrainMethod::SGD)
    require(std::isfinite(o.learning_rate) && o.learning_rate > 0, kFn,
            "expected a finite learning_rate > 0 for {}, got {}", name(o.method), o.learning_rate);
  if (o.method == TrainMethod::SGD)
    require(o.batch_size >= 1 && o.batch_size <= X.n_cols, kFn, "expected 1 ≤ batch_size ≤ N = {}, got {}",
            X.n_cols, o.batch_size);
  if (!o.checkpoint_path.empty()) {
    const auto parent = std::filesystem::path(o.checkpoint_path).parent_path();
    std::error_code ec;
    require(parent.empty() || std::filesystem::is_directory(parent, ec), kFn,
            "expected a checkpoint path in an existing directory, got '{}'", o.checkpoint_path);
  }

  // The full batch's forward values, pre-activations and deltas (3 per unit and sample; SGD too
  // evaluates the full batch once an epoch); the Hessian operator (Newton and the certificate)
  // keeps 4 more and its products' R-values 4; the optimiser's vectors (L-BFGS' correction pairs,
  // CG's and Lanczos' vectors).
  double units = 0;
  for (const auto& W : net.W) units += static_cast<double>(W.n_rows);
  const bool hessian = o.method == TrainMethod::Newton || o.curvature_steps > 0;
  require_memory((hessian ? 11 : 3) * units * static_cast<double>(X.n_cols) +
                     (2.0 * LbfgsOptions{}.memory + 12 + o.curvature_steps) * static_cast<double>(theta0.n_elem),
                 kFn, fmt::format("training ({} samples through {:.4g} units)", X.n_cols, units));
  const Identity id = identity_of(net, theta0, X, Y, o);
  Evaluator f(net, o.loss, o.lambda);
  Run run{X, Y, o, id, f, {}, {}};
  if (!o.checkpoint_path.empty()) {
    if (std::optional<State> s = load(o.checkpoint_path, id, o.method, theta0.n_elem)) {
      run.s = std::move(*s);
      run.result.resumed = true;
    }
  }
  if (!run.result.resumed) {
    run.s.theta = theta0;
    run.s.engine.seed(o.seed);
    arma::vec g;
    run.s.initial_loss = f(theta0, X, Y, g);
  }

  switch (o.method) {
    case TrainMethod::Newton:
    case TrainMethod::LBFGS: train_lbfgs(run); break;
    case TrainMethod::GradientDescent: train_gd(run); break;
    case TrainMethod::SGD: train_sgd(run); break;
  }
  // The final state is kept (a rerun returns at once); a diverged run keeps its last periodic
  // checkpoint, from which a rerun diverges again identically.
  if (run.result.status != TrainStatus::Diverged) run.checkpoint();
  run.result.evaluations = f.evaluations;
  unflatten(net, run.s.theta);
  if (o.curvature_steps > 0 && run.result.status != TrainStatus::Diverged)
    run.result.curvature = certify_curvature(net, o.loss, X, Y, o.lambda, o.curvature_steps, derive_seed(o.seed, 7));
  return run.result;
}

}  // namespace nrc
