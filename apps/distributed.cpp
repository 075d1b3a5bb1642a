#include "apps/distributed.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "lib/common/error.hpp"
#include "lib/common/parallel.hpp"

#ifdef NRC_WITH_MPI
#include <mpi.h>
#endif

namespace nrc::cli {

namespace {

class LocalRunner final : public UnitRunner {
 public:
  explicit LocalRunner(unsigned threads) : threads_(std::max(1u, threads)) {}
  void run(const std::vector<Unit>& units, const RecordSink& sink,
           const std::function<void(std::size_t)>& progress) override {
    std::mutex lock;
    std::size_t done = 0;
    parallel_for(units.size(), threads_, [&](std::size_t k) {
      compute_unit(units[k], [&](const Record& r) {
        const std::lock_guard<std::mutex> guard(lock);
        sink(r);
      });
      const std::lock_guard<std::mutex> guard(lock);
      if (progress) progress(++done);
    });
  }
  std::string describe() const override { return fmt::format("{} worker thread(s)", threads_); }

 private:
  unsigned threads_;
};

// The size of the job this process was launched into, from the launcher's environment (0: none).
int launched_size() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const char* v = std::getenv(var)) return std::max(1, std::atoi(v));
  return std::getenv("PMIX_RANK") != nullptr ? 1 : 0;
}

}   // namespace

std::unique_ptr<UnitRunner> local_runner(unsigned threads) { return std::make_unique<LocalRunner>(threads); }

#ifndef NRC_WITH_MPI

bool built_with_mpi() { return false; }

struct MpiJob::State {};

MpiJob::MpiJob() {
  if (launched_size() > 1)
    invalid_arg("mpi", fmt::format("started by mpirun with {} processes, but this nrc was built without MPI; install "
                                   "libopenmpi-dev (scripts/setup does) and rebuild, or use nrc report --shard",
                                   launched_size()));
}
MpiJob::~MpiJob() = default;
int MpiJob::serve() { return 0; }
std::unique_ptr<UnitRunner> MpiJob::runner() { return local_runner(1); }

#else

bool built_with_mpi() { return true; }

namespace {

// Message tags. A rank ≥ 1 sends kRequest (empty) when it wants a unit and kRecord (a record's JSON)
// for each record it makes, or kError (the text) when a unit throws; rank 0 answers a request with
// kUnit (a unit's JSON) or kStop.
enum Tag : int { kRequest = 1, kUnit = 2, kStop = 3, kRecord = 4, kError = 5 };

void check_mpi(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw std::runtime_error(fmt::format("MPI: {} failed (code {})", what, rc));
}

void send(int to, Tag tag, const std::string& text) {
  check_mpi(MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, to, tag, MPI_COMM_WORLD), "MPI_Send");
}

struct Message {
  int from = 0, tag = 0;
  std::string text;
};

// The next message (from `from`, or any rank), waiting without spinning: MPI's blocking receive
// polls at full speed, which would take a core from a rank that computes on it.
std::optional<Message> poll(int from = MPI_ANY_SOURCE) {
  int flag = 0;
  MPI_Status status;
  check_mpi(MPI_Iprobe(from, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
  if (!flag) return std::nullopt;
  int count = 0;
  check_mpi(MPI_Get_count(&status, MPI_CHAR, &count), "MPI_Get_count");
  Message m{status.MPI_SOURCE, status.MPI_TAG, std::string(static_cast<std::size_t>(count), '\0')};
  check_mpi(
      MPI_Recv(m.text.data(), count, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
      "MPI_Recv");
  return m;
}

Message wait(int from = MPI_ANY_SOURCE) {
  for (;;) {
    if (auto m = poll(from)) return *m;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

}   // namespace

// On rank 0: whether each rank's request for a unit has been received and not yet answered.
struct MpiJob::State {
  std::vector<bool> waiting;
};

namespace {

class MpiRunner final : public UnitRunner {
 public:
  MpiRunner(int size, std::shared_ptr<MpiJob::State> state) : size_(size), state_(std::move(state)) {}

  void run(const std::vector<Unit>& units, const RecordSink& sink,
           const std::function<void(std::size_t)>& progress) override {
    std::mutex lock;   // guards next, error and the sink
    std::size_t next = 0;
    std::exception_ptr error;
    std::atomic<std::size_t> done{0};
    auto fail = [&](std::exception_ptr e) {   // under lock
      if (!error) error = e;
      next = units.size();   // start nothing more
    };
    auto take = [&]() -> std::optional<std::size_t> {
      const std::lock_guard<std::mutex> guard(lock);
      if (next >= units.size()) return std::nullopt;
      return next++;
    };
    auto keep = [&](const Record& r) {
      const std::lock_guard<std::mutex> guard(lock);
      if (!error) sink(r);   // after an error the sink may be what failed: records are dropped
    };
    // Rank 0's share: one thread computing units while this one serves the other ranks.
    std::atomic<bool> computing{true};
    std::thread local([&] {
      while (const auto k = take()) {
        try {
          compute_unit(units[*k], keep);
        } catch (...) {
          const std::lock_guard<std::mutex> guard(lock);
          fail(std::current_exception());
        }
        ++done;
      }
      computing = false;
    });
    std::vector<bool>& waiting = state_->waiting;
    std::vector<bool> busy(static_cast<std::size_t>(size_), false);
    auto busy_ranks = [&] { return std::count(busy.begin(), busy.end(), true); };
    auto serve_waiting = [&] {
      for (int w = 1; w < size_; ++w)
        if (waiting[w])
          if (const auto k = take()) {
            send(w, kUnit, units[*k].dump());
            waiting[w] = false;
            busy[w] = true;
          }
    };
    try {
      for (;;) {
        serve_waiting();
        bool idle = true;
        while (const auto m = poll()) {
          idle = false;
          const auto w = static_cast<std::size_t>(m->from);
          if (m->tag == kRequest) {
            if (busy[w]) ++done;
            busy[w] = false;
            waiting[w] = true;
            serve_waiting();
          } else if (m->tag == kRecord) {
            try {
              keep(record_from_json(nlohmann::json::parse(m->text)));
            } catch (...) {
              const std::lock_guard<std::mutex> guard(lock);
              fail(std::current_exception());
            }
          } else if (m->tag == kError) {
            const std::lock_guard<std::mutex> guard(lock);
            fail(std::make_exception_ptr(std::runtime_error(fmt::format("rank {}: {}", w, m->text))));
          }
        }
        if (progress) progress(done);
        if (!computing && busy_ranks() == 0) break;
        if (idle) std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    } catch (...) {   // MPI itself failed: nothing more can be served
      {
        const std::lock_guard<std::mutex> guard(lock);
        fail(std::current_exception());
      }
      local.join();
      throw;
    }
    local.join();
    if (progress) progress(done);
    if (error) std::rethrow_exception(error);
  }

  std::string describe() const override { return fmt::format("{} MPI ranks", size_); }
  unsigned ranks() const override { return static_cast<unsigned>(size_); }

 private:
  int size_;
  std::shared_ptr<MpiJob::State> state_;
};

}   // namespace

MpiJob::MpiJob() {
  if (launched_size() == 0) return;
  int provided = 0;
  // Only the main thread calls MPI (rank 0's computing thread never does).
  check_mpi(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  initialized_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  state_ = std::make_shared<State>();
  state_->waiting.assign(static_cast<std::size_t>(size_), false);
}

MpiJob::~MpiJob() {
  if (!initialized_) return;
  if (rank_ == 0) {
    // Every other rank is waiting for a unit, or about to ask for one: answer it with stop. Records of
    // a unit still under way (only after an error) are dropped.
    try {
      for (int w = 1; w < size_; ++w) {
        while (!state_->waiting[w])
          if (wait(w).tag == kRequest) state_->waiting[w] = true;
        send(w, kStop, "");
      }
    } catch (const std::exception& e) {
      fmt::print(stderr, "nrc: could not stop the other MPI ranks ({}): aborting the job\n", e.what());
      MPI_Abort(MPI_COMM_WORLD, 3);
    }
  }
  MPI_Finalize();
}

int MpiJob::serve() {
  for (;;) {
    send(0, kRequest, "");
    const Message m = wait(0);
    if (m.tag == kStop) return 0;
    std::string what = "a unit";
    try {
      const Unit unit = nlohmann::json::parse(m.text);
      what = describe_unit(unit);
      compute_unit(unit, [](const Record& r) { send(0, kRecord, to_json(r).dump()); });
    } catch (const std::exception& e) {
      send(0, kError, fmt::format("{}: {}", what, e.what()));
    }
  }
}

std::unique_ptr<UnitRunner> MpiJob::runner() { return std::make_unique<MpiRunner>(size_, state_); }

#endif

}   // namespace nrc::cli
