#pragma once
// No global random state: everything random takes an Engine seeded by the caller.
#include <cstdint>
#include <random>

#include <armadillo>

namespace nrc {

using Engine = std::mt19937_64;

// Seed of the index-th instance of a run seeded with base (SplitMix64 finalizer): well mixed,
// so neighbouring indices give unrelated instances, and stable across platforms.
std::uint64_t derive_seed(std::uint64_t base, std::uint64_t index);

// rows×cols matrix of independent N(0, 1) entries drawn from rng, column by column.
arma::mat randn(arma::uword rows, arma::uword cols, Engine& rng);

}  // namespace nrc
