#include "lib/cluster/cluster.hpp"

#include <algorithm>
#include <limits>
#include <random>
#include <vector>

#include "lib/common/error.hpp"

namespace nrc {

namespace {

struct CompactLabels {
  arma::uvec labels;      // in [0, blocks)
  arma::uword blocks = 0;
};

// Blocks are the distinct label values, whatever they are; ranks in sorted order give a
// deterministic 0 … B−1 numbering.
CompactLabels compact(const arma::uvec& labels) {
  CompactLabels out;
  const arma::uvec values = arma::unique(labels);   // sorted ascending
  out.blocks = values.n_elem;
  out.labels.set_size(labels.n_elem);
  const arma::uword* first = values.memptr();
  const arma::uword* last = first + values.n_elem;
  for (arma::uword i = 0; i < labels.n_elem; ++i) {
    out.labels(i) = static_cast<arma::uword>(std::lower_bound(first, last, labels(i)) - first);
  }
  return out;
}

void require_partition_input(const arma::mat& P, const arma::uvec& labels, const char* fn) {
  require(P.n_cols >= 1, fn, "expected at least one point (column), got N = 0");
  require(labels.n_elem == P.n_cols, fn, "expected one label per point (N = {}), got {} labels",
          P.n_cols, labels.n_elem);
  require(P.is_finite(), fn, "expected finite point coordinates, got a non-finite entry");
}

// Four partial sums: one accumulator would chain every addition on the previous one (the
// compiler may not reassociate), and this loop dominates k-means++ seeding and the WCSS.
double squared_distance(const double* a, const double* b, arma::uword d) {
  double acc[4] = {0, 0, 0, 0};
  arma::uword j = 0;
  for (; j + 4 <= d; j += 4) {
    for (int u = 0; u < 4; ++u) {
      const double t = a[j + u] - b[j + u];
      acc[u] += t * t;
    }
  }
  for (; j < d; ++j) {
    const double t = a[j] - b[j];
    acc[0] += t * t;
  }
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

// Block means as columns (d × B). Empty blocks, which only k-means can produce, keep `fallback`.
arma::mat block_means(const arma::mat& P, const arma::uvec& labels, arma::uword blocks,
                      std::vector<arma::uword>& counts, const arma::mat* fallback = nullptr) {
  const arma::uword d = P.n_rows;
  arma::mat sums(d, blocks, arma::fill::zeros);
  counts.assign(blocks, 0);
  for (arma::uword i = 0; i < P.n_cols; ++i) {
    const arma::uword b = labels(i);
    const double* x = P.colptr(i);
    double* s = sums.colptr(b);
    for (arma::uword j = 0; j < d; ++j) s[j] += x[j];
    ++counts[b];
  }
  for (arma::uword b = 0; b < blocks; ++b) {
    if (counts[b] > 0) {
      sums.col(b) /= static_cast<double>(counts[b]);
    } else if (fallback != nullptr) {
      sums.col(b) = fallback->col(b);
    }
  }
  return sums;
}

// Deviations from the block means (two passes) rather than Σ‖p‖² − N_k‖p̄‖²: the one-pass
// identity cancels catastrophically for tight clusters far from the origin, which is exactly
// the collapsed regime whose small WCSS the theorems need.
double wcss_compact(const arma::mat& P, const arma::uvec& labels, arma::uword blocks) {
  std::vector<arma::uword> counts;
  const arma::mat C = block_means(P, labels, blocks, counts);
  double acc = 0;
  for (arma::uword i = 0; i < P.n_cols; ++i) {
    acc += squared_distance(P.colptr(i), C.colptr(labels(i)), P.n_rows);
  }
  return acc / static_cast<double>(P.n_cols);
}

// k-means++ (Arthur & Vassilvitskii 2007): each new seed drawn with probability ∝ D², the squared
// distance to the nearest seed so far. Distances are taken directly (not by the GEMM expansion)
// so that a duplicate of a chosen seed has D² exactly 0 and is never drawn while other points
// remain.
arma::mat kmeanspp_seeds(const arma::mat& X, arma::uword K, Engine& rng) {
  const arma::uword N = X.n_cols, d = X.n_rows;
  arma::mat C(d, K);
  std::uniform_int_distribution<arma::uword> uniform_index(0, N - 1);
  C.col(0) = X.col(uniform_index(rng));
  std::vector<double> d2(N);
  for (arma::uword i = 0; i < N; ++i) d2[i] = squared_distance(X.colptr(i), C.colptr(0), d);
  for (arma::uword k = 1; k < K; ++k) {
    double total = 0;
    for (double v : d2) total += v;
    arma::uword next = N;
    if (total > 0) {
      const double u = std::uniform_real_distribution<double>(0.0, total)(rng);
      // The running sum below repeats the summation order of `total`, so it ends at exactly
      // `total` > u; the guard only protects against a non-conforming distribution.
      double acc = 0;
      for (arma::uword i = 0; i < N; ++i) {
        if (d2[i] == 0) continue;
        acc += d2[i];
        next = i;
        if (acc > u) break;
      }
    } else {
      // Every point coincides with a seed: there are fewer than K distinct points. Any point
      // will do; Lloyd's step leaves the duplicate centre's cluster empty.
      next = uniform_index(rng);
    }
    C.col(k) = X.col(next);
    for (arma::uword i = 0; i < N; ++i) {
      d2[i] = std::min(d2[i], squared_distance(X.colptr(i), C.colptr(k), d));
    }
  }
  return C;
}

// Lloyd's iterations from centres C. Returns labels in [0, K) (some blocks may be empty when
// the data have fewer than K distinct points).
arma::uvec lloyd(const arma::mat& X, const arma::rowvec& xnorm2, arma::mat C, arma::uword max_iter) {
  const arma::uword N = X.n_cols, K = C.n_cols;
  arma::uvec labels(N);
  labels.fill(K);   // no point starts in a valid block, so the first assignment counts as a change
  std::vector<double> dist(N);
  std::vector<arma::uword> counts(K);
  for (arma::uword it = 0; it < max_iter; ++it) {
    // ‖x − c‖² = ‖x‖² − 2cᵀx + ‖c‖²: one GEMM for all N·K distances. ‖x‖² does not change
    // the argmin and is added back only for the empty-cluster rule.
    const arma::rowvec cnorm2 = arma::sum(arma::square(C), 0);
    const arma::mat G = C.t() * X;
    bool changed = false;
    for (arma::uword i = 0; i < N; ++i) {
      const double* g = G.colptr(i);
      arma::uword best = 0;
      double best_val = cnorm2(0) - 2 * g[0];
      for (arma::uword k = 1; k < K; ++k) {
        const double v = cnorm2(k) - 2 * g[k];
        if (v < best_val) {
          best_val = v;
          best = k;
        }
      }
      // The expansion can dip below zero by rounding; a distance is never negative.
      dist[i] = std::max(0.0, xnorm2(i) + best_val);
      if (labels(i) != best) {
        labels(i) = best;
        changed = true;
      }
    }
    if (!changed) break;

    std::fill(counts.begin(), counts.end(), 0);
    for (arma::uword i = 0; i < N; ++i) ++counts[labels(i)];
    // An empty cluster wastes a centre; moving the point worst served by its centre into it
    // strictly lowers the WCSS. Only points from clusters with ≥ 2 members may move, so no
    // cluster is emptied in turn.
    for (arma::uword k = 0; k < K; ++k) {
      if (counts[k] > 0) continue;
      arma::uword far = N;
      double far_dist = 0;
      for (arma::uword i = 0; i < N; ++i) {
        if (counts[labels(i)] >= 2 && dist[i] > far_dist) {
          far_dist = dist[i];
          far = i;
        }
      }
      if (far == N) continue;   // every point sits on its centre: nothing left to split
      --counts[labels(far)];
      labels(far) = k;
      counts[k] = 1;
      dist[far] = 0;
    }
    const arma::mat previous = C;
    std::vector<arma::uword> unused;
    C = block_means(X, labels, K, unused, &previous);
  }
  return labels;
}

struct PartitionSearch {
  const arma::mat& D;   // pairwise squared distances
  arma::uword N, K;
  std::vector<arma::uword> current;
  std::vector<double> pair_sum;   // Σ_{i<j in block} D_ij
  std::vector<arma::uword> size;
  std::vector<arma::uword> best;
  double best_sse = std::numeric_limits<double>::infinity();

  // Restricted growth strings: point i joins one of the blocks used by points 0 … i−1 or opens
  // the next one (if fewer than K are open), which lists each set partition exactly once.
  void visit(arma::uword i, arma::uword used) {
    if (i == N) {
      // Within-block SSE = (1/n_b) Σ_{i<j in b} ‖p_i − p_j‖²: a sum of non-negative terms, so
      // it cannot cancel the way Σ‖p‖² − n‖p̄‖² can.
      double sse = 0;
      for (arma::uword b = 0; b < used; ++b) sse += pair_sum[b] / static_cast<double>(size[b]);
      if (sse < best_sse) {
        best_sse = sse;
        best = current;
      }
      return;
    }
    const arma::uword limit = std::min(used + 1, K);
    for (arma::uword b = 0; b < limit; ++b) {
      double added = 0;
      for (arma::uword j = 0; j < i; ++j) {
        if (current[j] == b) added += D(i, j);
      }
      current[i] = b;
      pair_sum[b] += added;
      ++size[b];
      visit(i + 1, std::max(used, b + 1));
      --size[b];
      pair_sum[b] -= added;
    }
  }
};

}  // namespace

arma::mat stack_points(const arma::mat& Z, const arma::mat& Y) {
  require(Z.n_cols == Y.n_cols, "stack_points",
          "expected Z and Y with the same number of columns, got {} and {}", Z.n_cols, Y.n_cols);
  return arma::join_cols(Z, Y);
}

double wcss(const arma::mat& P, const arma::uvec& labels) {
  require_partition_input(P, labels, "wcss");
  const CompactLabels c = compact(labels);
  return wcss_compact(P, c.labels, c.blocks);
}

arma::mat replicate_centroids(const arma::mat& P, const arma::uvec& labels) {
  require_partition_input(P, labels, "replicate_centroids");
  const CompactLabels c = compact(labels);
  std::vector<arma::uword> counts;
  const arma::mat C = block_means(P, c.labels, c.blocks, counts);
  arma::mat out(P.n_rows, P.n_cols);
  for (arma::uword i = 0; i < P.n_cols; ++i) out.col(i) = C.col(c.labels(i));
  return out;
}

Clustering tcv_exact(const arma::mat& P, arma::uword K) {
  const arma::uword N = P.n_cols;
  require(N >= 1 && N <= 10, "tcv_exact",
          "expected 1 ≤ N ≤ 10 points for exact enumeration, got N = {}", N);
  require(K >= 1 && K <= N, "tcv_exact", "expected 1 ≤ K ≤ N = {}, got K = {}", N, K);
  require(P.is_finite(), "tcv_exact", "expected finite point coordinates, got a non-finite entry");

  arma::mat D(N, N, arma::fill::zeros);
  for (arma::uword i = 0; i < N; ++i) {
    for (arma::uword j = 0; j < i; ++j) {
      D(i, j) = D(j, i) = squared_distance(P.colptr(i), P.colptr(j), P.n_rows);
    }
  }
  PartitionSearch search{D, N, K, std::vector<arma::uword>(N, 0), std::vector<double>(K, 0.0),
                         std::vector<arma::uword>(K, 0), {}};
  search.visit(0, 0);

  Clustering out;
  out.labels = arma::conv_to<arma::uvec>::from(search.best);
  out.blocks = out.labels.max() + 1;   // restricted growth strings are already compact
  out.wcss = wcss_compact(P, out.labels, out.blocks);
  return out;
}

Clustering tcv_kmeans(const arma::mat& P, arma::uword K, Engine& rng, arma::uword restarts,
                      arma::uword max_iter) {
  const arma::uword N = P.n_cols;
  require(N >= 1, "tcv_kmeans", "expected at least one point (column), got N = 0");
  require(K >= 1 && K <= N, "tcv_kmeans", "expected 1 ≤ K ≤ N = {}, got K = {}", N, K);
  require(restarts >= 1, "tcv_kmeans", "expected restarts ≥ 1, got {}", restarts);
  require(max_iter >= 1, "tcv_kmeans", "expected max_iter ≥ 1, got {}", max_iter);
  require(P.is_finite(), "tcv_kmeans", "expected finite point coordinates, got a non-finite entry");

  // Distances are translation invariant, and the GEMM expansion loses about ε·‖x‖² in absolute
  // terms; centring first stops a common offset from swamping small within-cluster distances.
  const arma::mat X = P.each_col() - arma::mean(P, 1);
  const arma::rowvec xnorm2 = arma::sum(arma::square(X), 0);

  Clustering best;
  best.wcss = std::numeric_limits<double>::infinity();
  for (arma::uword r = 0; r < restarts; ++r) {
    const arma::uvec raw = lloyd(X, xnorm2, kmeanspp_seeds(X, K, rng), max_iter);
    const CompactLabels c = compact(raw);
    // Scored on the caller's points with the two-pass WCSS, as wcss() would.
    const double w = wcss_compact(P, c.labels, c.blocks);
    if (w < best.wcss) {
      best.labels = c.labels;
      best.blocks = c.blocks;
      best.wcss = w;
    }
  }
  return best;
}

}  // namespace nrc
