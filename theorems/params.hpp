#pragma once
// Reading a check's parameters from JSON with one-line errors naming the parameter.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nrc::params {

// Each throws invalid_argument("nrc::<check>(): parameter 'key': expected …, got …").
std::int64_t integer(const nlohmann::json& p, const std::string& check, const std::string& key,
                     std::int64_t lo, std::int64_t hi);
// hi may be +inf (no upper bound); the value must be finite.
double real(const nlohmann::json& p, const std::string& check, const std::string& key, double lo,
            double hi, bool lo_open = false);
std::uint64_t seed(const nlohmann::json& p, const std::string& check, const std::string& key);
std::string choice(const nlohmann::json& p, const std::string& check, const std::string& key,
                   const std::vector<std::string>& options);
// A list of integers in [lo, hi] with between min_len and max_len entries.
std::vector<std::int64_t> integers(const nlohmann::json& p, const std::string& check, const std::string& key,
                                   std::int64_t lo, std::int64_t hi, std::size_t min_len, std::size_t max_len);
// A list of finite numbers in [lo, hi] with between min_len and max_len entries.
std::vector<double> reals(const nlohmann::json& p, const std::string& check, const std::string& key, double lo,
                          double hi, std::size_t min_len, std::size_t max_len);
std::vector<std::string> choices(const nlohmann::json& p, const std::string& check, const std::string& key,
                                 const std::vector<std::string>& options, std::size_t len);

}  // namespace nrc::params
