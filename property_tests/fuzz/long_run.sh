#!/usr/bin/env bash
# Long fuzz runs of the readers, one target after the other, for the figures in README.md here:
#
#   property_tests/fuzz/long_run.sh [RUNS] [TARGET…]     (default: 1000000 runs of each of the five)
#
# Needs the fuzz build (cmake --preset fuzz && cmake --build --preset fuzz). Each target starts from
# a copy of its seed corpus in build-fuzz/long/<target>/corpus (the repository's stays as committed)
# and runs RUNS inputs with the ctest limits (10 s per input, 2 GB RSS, 256 MB per malloc). Writes
# build-fuzz/long/<target>.log (libFuzzer's output, then GNU time's) and a line per target in
# build-fuzz/long/summary.txt; a reproducer, if any, is build-fuzz/long/<target>/crash-… (or leak-,
# timeout-, oom-…). Exit status: the number of targets that failed.
set -u
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fuzz=$repo/property_tests/fuzz
bin=$repo/build-fuzz/property_tests/fuzz
out=$repo/build-fuzz/long
runs=${1:-1000000}
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_idx fuzz_mnist_json fuzz_matrix fuzz_labels fuzz_records)
mkdir -p "$out"
failed=0
for t in "${targets[@]}"; do
  case $t in
    fuzz_idx) dict=idx.dict ;;
    fuzz_mnist_json) dict=json.dict ;;
    fuzz_records) dict=records.dict ;;
    *) dict=matrix.dict ;;
  esac
  rm -rf "${out:?}/$t" && mkdir -p "$out/$t/corpus" && cp "$fuzz/corpus/$t"/* "$out/$t/corpus/"
  start=$(date +%s)
  /usr/bin/time -v "$bin/$t" -runs="$runs" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=256 \
    -print_final_stats=1 -dict="$fuzz/$dict" -artifact_prefix="$out/$t/" "$out/$t/corpus" >"$out/$t.log" 2>&1
  rc=$?
  [ "$rc" -eq 0 ] || failed=$((failed + 1))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/$t.log")
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$out/$t.log")
  echo "$t: exit $rc, ${execs:-?} executions in $(( $(date +%s) - start )) s (${rate:-?}/s), peak RSS ${rss:-?} MB," \
       "corpus $(ls "$out/$t/corpus" | wc -l) files / $(du -sb "$out/$t/corpus" | cut -f1) bytes" | tee -a "$out/summary.txt"
done
exit "$failed"
