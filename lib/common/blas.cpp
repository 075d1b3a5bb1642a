#include "lib/common/blas.hpp"

#include <dlfcn.h>

namespace nrc {

namespace {
template <class F>
F* symbol(const char* name) {
  return reinterpret_cast<F*>(dlsym(RTLD_DEFAULT, name));
}
}  // namespace

int blas_threads() {
  if (auto* get = symbol<int()>("openblas_get_num_threads")) return get();
  return 0;
}

void set_blas_threads(int n) {
  if (auto* set = symbol<void(int)>("openblas_set_num_threads")) set(n);
}

std::string blas_core() {
  if (auto* core = symbol<char*()>("openblas_get_corename")) return core();
  return "unknown";
}

std::string blas_config() {
  if (auto* config = symbol<char*()>("openblas_get_config")) return config();
  return "BLAS unknown";
}

}  // namespace nrc
