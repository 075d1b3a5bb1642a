// The benchmarks' main: Google Benchmark's, plus the BLAS facts that decide the timings in the
// context block it prints (and writes to --benchmark_out JSON): OpenBLAS' kernel family, chosen by
// CPU model unless OPENBLAS_CORETYPE names one, and its thread count.
#include <string>

#include <benchmark/benchmark.h>

#include "lib/common/blas.hpp"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("openblas_kernels", nrc::blas_core());
  benchmark::AddCustomContext("blas_threads", std::to_string(nrc::blas_threads()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
