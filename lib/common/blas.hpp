#pragma once
// What the BLAS behind Armadillo is doing, for records and headers: bit-identical replay needs the
// same thread count, and OpenBLAS' kernels (chosen by CPU model) round differently. Looked up at
// run time, since the BLAS may not be OpenBLAS; then the answers say "unknown".
#include <string>

namespace nrc {

// OpenBLAS' thread count, or 0 when the BLAS is not OpenBLAS.
int blas_threads();
// Sets OpenBLAS' thread count (no effect on another BLAS).
void set_blas_threads(int n);
// The kernel family OpenBLAS chose ("Haswell", "Prescott", …), or "unknown".
std::string blas_core();
// OpenBLAS' build configuration string, or "BLAS unknown".
std::string blas_config();

}  // namespace nrc
