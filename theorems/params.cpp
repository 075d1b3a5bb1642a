#include "theorems/params.hpp"

#include <cmath>

#include "lib/common/error.hpp"

namespace nrc::params {

namespace {
const nlohmann::json& field(const nlohmann::json& p, const std::string& check, const std::string& key) {
  require(p.is_object(), check, "expected the parameters as a JSON object, got {}", p.dump());
  require(p.contains(key), check, "parameter '{}' is missing", key);
  return p.at(key);
}

std::int64_t as_integer(const nlohmann::json& v, const std::string& check, const std::string& key,
                        std::int64_t lo, std::int64_t hi) {
  require(v.is_number_integer(), check, "parameter '{}': expected an integer, got {}", key, v.dump());
  const auto x = v.get<std::int64_t>();
  require(x >= lo && x <= hi, check, "parameter '{}': expected {} ≤ {} ≤ {}, got {}", key, lo, key, hi, x);
  return x;
}

std::string as_choice(const nlohmann::json& v, const std::string& check, const std::string& key,
                      const std::vector<std::string>& options) {
  std::string all;
  for (const auto& o : options) all += (all.empty() ? "" : ", ") + o;
  require(v.is_string(), check, "parameter '{}': expected one of {}, got {}", key, all, v.dump());
  const auto s = v.get<std::string>();
  for (const auto& o : options)
    if (o == s) return s;
  invalid_arg(check, fmt::format("parameter '{}': expected one of {}, got '{}'", key, all, s));
}

double as_real(const nlohmann::json& v, const std::string& check, const std::string& key, double lo, double hi,
               bool lo_open) {
  require(v.is_number(), check, "parameter '{}': expected a number, got {}", key, v.dump());
  const double x = v.get<double>();
  const bool above = lo_open ? x > lo : x >= lo;
  if (!(std::isfinite(x) && above && x <= hi)) {
    const std::string range = std::isinf(hi) ? fmt::format("{} {} {}", key, lo_open ? ">" : "≥", lo)
                                             : fmt::format("{} {} {} ≤ {}", lo, lo_open ? "<" : "≤", key, hi);
    invalid_arg(check, fmt::format("parameter '{}': expected finite {}, got {}", key, range, x));
  }
  return x;
}

const nlohmann::json& list(const nlohmann::json& p, const std::string& check, const std::string& key,
                           std::size_t min_len, std::size_t max_len) {
  const auto& v = field(p, check, key);
  require(v.is_array() && v.size() >= min_len && v.size() <= max_len, check,
          "parameter '{}': expected a list of {} to {} entries, got {}", key, min_len, max_len, v.dump());
  return v;
}
}  // namespace

std::int64_t integer(const nlohmann::json& p, const std::string& check, const std::string& key,
                     std::int64_t lo, std::int64_t hi) {
  return as_integer(field(p, check, key), check, key, lo, hi);
}

double real(const nlohmann::json& p, const std::string& check, const std::string& key, double lo,
            double hi, bool lo_open) {
  return as_real(field(p, check, key), check, key, lo, hi, lo_open);
}

std::vector<double> reals(const nlohmann::json& p, const std::string& check, const std::string& key, double lo,
                          double hi, std::size_t min_len, std::size_t max_len) {
  std::vector<double> out;
  for (const auto& v : list(p, check, key, min_len, max_len)) out.push_back(as_real(v, check, key, lo, hi, false));
  return out;
}

std::uint64_t seed(const nlohmann::json& p, const std::string& check, const std::string& key) {
  const auto& v = field(p, check, key);
  require(v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0), check,
          "parameter '{}': expected a non-negative integer seed, got {}", key, v.dump());
  return v.get<std::uint64_t>();
}

std::string choice(const nlohmann::json& p, const std::string& check, const std::string& key,
                   const std::vector<std::string>& options) {
  return as_choice(field(p, check, key), check, key, options);
}

std::vector<std::int64_t> integers(const nlohmann::json& p, const std::string& check, const std::string& key,
                                   std::int64_t lo, std::int64_t hi, std::size_t min_len, std::size_t max_len) {
  std::vector<std::int64_t> out;
  for (const auto& v : list(p, check, key, min_len, max_len)) out.push_back(as_integer(v, check, key, lo, hi));
  return out;
}

std::vector<std::string> choices(const nlohmann::json& p, const std::string& check, const std::string& key,
                                 const std::vector<std::string>& options, std::size_t len) {
  std::vector<std::string> out;
  for (const auto& v : list(p, check, key, len, len)) out.push_back(as_choice(v, check, key, options));
  return out;
}

}  // namespace nrc::params
