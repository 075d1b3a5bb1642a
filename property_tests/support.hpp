#pragma once
// Shared helpers for the property tests.
#include <cstdlib>

#include <gtest/gtest.h>   // rapidcheck/gtest.h needs gtest first
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

// Long sweeps run only with NRC_SLOW=1 (they carry the ctest label `slow`).
#define NRC_REQUIRE_SLOW()                                                     \
  do {                                                                         \
    if (std::getenv("NRC_SLOW") == nullptr) GTEST_SKIP() << "set NRC_SLOW=1";  \
  } while (0)
