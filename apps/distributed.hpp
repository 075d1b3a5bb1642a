#pragma once
// Where a report's units (apps/units.hpp) are computed: in this process on worker threads, or spread
// over the ranks of an MPI job (`mpirun -np P nrc report …`) with dynamic load balancing.
//
// Under MPI, rank 0 runs the command; it alone reads and writes the output folder. Ranks 1…P−1 only
// compute: each asks rank 0 for a unit, computes it and sends every record back as it is made, then
// asks again, until rank 0 says stop. Rank 0 hands the units out in their list's order, one at a
// time, and computes units itself between serving requests (one thread computes, the main thread
// serves), so no rank idles while units remain; records arrive one message each and rank 0 writes
// them at once, so a rank killed midway loses only the unit it was computing. Nothing but units and
// records crosses between ranks: the output folder need not be visible to the other ranks' nodes.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "apps/units.hpp"

namespace nrc::cli {

class UnitRunner {
 public:
  virtual ~UnitRunner() = default;
  // Computes every unit, giving each record to `sink` as soon as it is made (never two calls at
  // once) and calling progress(units finished) from the calling thread now and then. Returns once
  // every unit is finished; if a unit or the sink throws, no further unit is started, those under
  // way are finished, and the first error is rethrown.
  virtual void run(const std::vector<Unit>& units, const RecordSink& sink,
                   const std::function<void(std::size_t)>& progress) = 0;
  // For the report's header: "2 worker threads", "4 MPI ranks".
  virtual std::string describe() const = 0;
  virtual unsigned ranks() const { return 1; }
};

// Units `threads` at a time in this process.
std::unique_ptr<UnitRunner> local_runner(unsigned threads);

// The MPI job this process belongs to, if any. Construct it first thing in main: when the process was
// started by an MPI launcher (mpirun, mpiexec, srun: it sets OMPI_COMM_WORLD_SIZE, PMIX_RANK or
// PMI_SIZE) it initializes MPI, otherwise it does nothing and the program runs alone as ever. A rank
// other than 0 then calls serve() and exits with what it returns; rank 0 runs the command and, when
// it ends (the destructor), stops the other ranks and finalizes MPI. Without MPI support in the
// build, a launch by mpirun with more than one process is refused (one line, exit 2): P copies of
// the same report would each compute everything.
class MpiJob {
 public:
  MpiJob();
  ~MpiJob();
  MpiJob(const MpiJob&) = delete;
  MpiJob& operator=(const MpiJob&) = delete;

  bool active() const { return size_ > 1; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  // Ranks ≥ 1: computes the units rank 0 sends until it says stop. Returns the exit code.
  int serve();
  // Rank 0 of an active job: the runner that spreads units over every rank.
  std::unique_ptr<UnitRunner> runner();

  struct State;   // the protocol's bookkeeping on rank 0 (which ranks wait for a unit)

 private:
  int rank_ = 0, size_ = 1;
  bool initialized_ = false;
  std::shared_ptr<State> state_;
};

// Whether this nrc was built with MPI (NRC_MPI), for --version and messages.
bool built_with_mpi();

}   // namespace nrc::cli
