#pragma once
// Sizes checked against the machine before allocating: a request that cannot fit is bad input, said
// in one line ("needs 476.8 GiB …"), not a std::bad_alloc, an overcommitted crash or a swap storm.
#include <unistd.h>

#include <string_view>

#include "lib/common/error.hpp"

namespace nrc {

// Physical memory of this machine in bytes.
inline double physical_memory_bytes() {
  return static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
}

// Throws invalid_argument "nrc::<fn>(): <what>: needs X GiB, this machine has Y GiB" when `doubles`
// values of 8 bytes exceed physical memory. Counts are doubles (not integers) so products of huge
// sizes cannot overflow before the comparison.
inline void require_memory(double doubles, std::string_view fn, std::string_view what) {
  const double need = doubles * 8.0, have = physical_memory_bytes();
  constexpr double GiB = 1024.0 * 1024.0 * 1024.0;
  require(need <= have, fn, "{}: needs {:.1f} GiB, this machine has {:.1f} GiB", what, need / GiB, have / GiB);
}

}  // namespace nrc
