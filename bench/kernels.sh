#!/usr/bin/env bash
# Step time per OpenBLAS kernel family on this machine, as a Markdown table.
#
# OpenBLAS 0.3.21 chooses its kernels by CPU model when the library loads, and gets recent CPUs
# wrong (generic Prescott kernels on Sapphire Rapids, Haswell's AVX2 kernels on AVX-512 AMD EPYC);
# OPENBLAS_CORETYPE overrides the choice. This runs build/bench/nn_bench's 64-48-32-48-64 autoencoder
# (N = 1,000, float64, 1 BLAS thread) under the automatic choice and under each family named as an
# argument (default: Haswell SkylakeX Cooperlake Zen Prescott), and prints, per family, the kernels
# OpenBLAS reports it ran, the forward+backward step (BM_AutoencoderSmallLinearOut: the L_λ of
# eq. (3)), the same step's GEMMs alone, their ratio, and one Hessian-vector product. A family the
# CPU cannot run (an illegal instruction) is reported as such, not skipped. Choose the fastest that
# passes the tests: export OPENBLAS_CORETYPE=<family> (README.md, Performance).
#
# Usage (from the repository root, after building): bash bench/kernels.sh [FAMILY…]
# Environment: NRC_BENCH_MIN_TIME (seconds per benchmark, default 0.5).
set -euo pipefail

cd "$(dirname "$0")/.."
BENCH=build/bench/nn_bench
MIN_TIME=${NRC_BENCH_MIN_TIME:-0.5}
if (($# > 0)); then FAMILIES=("$@"); else FAMILIES=(Haswell SkylakeX Cooperlake Zen Prescott); fi

die() { echo "kernels.sh: error: $*" >&2; exit 1; }
[[ -x $BENCH ]] || die "$BENCH not found: build the project first (cmake --preset release && cmake --build --preset release)"
[[ $MIN_TIME =~ ^[0-9]+([.][0-9]+)?$ ]] || die "NRC_BENCH_MIN_TIME must be a number of seconds, got '$MIN_TIME'"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

FILTER='^BM_(AutoencoderSmallLinearOut|StepGemmsSmall|HessianProductSmall)$'
echo "CPU: $(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo), OpenBLAS threads: 1"
echo
echo "| OPENBLAS_CORETYPE | kernels OpenBLAS ran | step (ms) | its GEMMs (ms) | step / GEMMs | Hessian product (ms) |"
echo "|---|---|---|---|---|---|"
for family in "" "${FAMILIES[@]}"; do
  label=${family:-"(unset: automatic)"}
  rc=0
  env ${family:+OPENBLAS_CORETYPE=$family} OPENBLAS_NUM_THREADS=1 "$BENCH" --benchmark_filter="$FILTER" \
    --benchmark_min_time="$MIN_TIME" --benchmark_format=csv >"$TMP/out.csv" 2>"$TMP/err.txt" || rc=$?
  if ((rc != 0)); then
    echo "| $label | cannot run here (exit $rc$( ((rc == 132)) && echo ': illegal instruction')) | | | | |"
    continue
  fi
  ran=$(awk -F': ' '/^openblas_kernels:/{print $2}' "$TMP/err.txt")
  ms() { awk -F, -v n="\"$1\"" '$1 == n {printf "%.3f", $3}' "$TMP/out.csv"; }
  step=$(ms BM_AutoencoderSmallLinearOut) gemm=$(ms BM_StepGemmsSmall) hv=$(ms BM_HessianProductSmall)
  [[ -n $step && -n $gemm && -n $hv ]] || die "nn_bench printed no time for family '$label' (see its output: $(head -c 300 "$TMP/err.txt"))"
  ratio=$(awk -v a="$step" -v b="$gemm" 'BEGIN {printf "%.2f", a / b}')
  echo "| $label | ${ran:-unknown} | $step | $gemm | $ratio | $hv |"
done
