#!/usr/bin/env bash
# Time to stationarity: nrc train (newton and lbfgs) against PyTorch's L-BFGS, same problem, same start.
#
# For each λ (arguments; default 1e-1 1e-2 1e-3) this trains the 64-48-32-48-64 tanh autoencoder on
# the Gaussian mixture (d = 64, N = 1000, K = 10, σ = 0.1, seed 1) to ‖∇L_λ‖ ≤ 1e-9·‖2λΘ‖ three ways:
#   1. nrc train --method newton   (L-BFGS, then trust-region Newton–CG on exact Hessian products)
#   2. nrc train --method lbfgs    (liblbfgs, restarted every 200 iterations, then a polish)
#   3. bench/pytorch_lbfgs.py      (torch.optim.LBFGS, strong-Wolfe line search, history 10)
# and prints a Markdown table of the wall seconds each took to reach 1e-9, then the details.
#
# Fairness: nrc writes its data and initial Θ (--save-start) and PyTorch starts from exactly those
# bytes; the objective, float64 arithmetic and stopping test are the same (pytorch_lbfgs.py checks
# its L_λ and ∇L_λ against an independent numpy computation with --check); every run gets one BLAS
# thread (OPENBLAS_NUM_THREADS=1, torch --threads 1; both use the system OpenBLAS, whose kernel
# choice is printed); times run from the start of optimisation, data loading excluded; every run
# gets the same wall-clock budget. Runs are sequential: on a shared machine, other jobs still add noise.
#
# Usage (from the repository root):
#   bash bench/compare_pytorch.sh                    # λ = 1e-1 1e-2 1e-3, 120 s per run
#   NRC_COMPARE_LIMIT=30 bash bench/compare_pytorch.sh 1e-1 1e-2
# Environment: NRC_COMPARE_LIMIT (seconds per run, default 120), PYTHON (interpreter with torch;
# default python3, then /usr/bin/python3), NRC_COMPARE_LOGS (directory to keep the runs' output in;
# default a temporary directory, removed at the end).
set -euo pipefail

cd "$(dirname "$0")/.."
NRC=build/apps/nrc
LIMIT=${NRC_COMPARE_LIMIT:-120}
TOL=1e-9
WIDTHS=64,48,32,48,64
if (($# > 0)); then LAMBDAS=("$@"); else LAMBDAS=(1e-1 1e-2 1e-3); fi

die() { echo "compare_pytorch.sh: error: $*" >&2; exit 1; }
note() { echo "$*" >&2; }

[[ -x $NRC ]] || die "$NRC not found: build the project first (cmake --preset release && cmake --build --preset release)"
[[ $LIMIT =~ ^[0-9]+([.][0-9]+)?$ ]] || die "NRC_COMPARE_LIMIT must be a number of seconds, got '$LIMIT'"
PY=
for cand in "${PYTHON:-python3}" /usr/bin/python3; do   # a pyenv python3 may shadow Debian's
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import torch, numpy' >/dev/null 2>&1; then
    PY=$cand
    break
  fi
done
[[ -n $PY ]] || die "PyTorch not found for python3: apt-get install python3-torch"

if [[ -n ${NRC_COMPARE_LOGS:-} ]]; then
  LOGS=$NRC_COMPARE_LOGS
  mkdir -p "$LOGS"
else
  LOGS=$(mktemp -d)
  trap 'rm -rf "$LOGS"' EXIT
fi

CORES=$(getconf _NPROCESSORS_ONLN)   # before OMP_NUM_THREADS=1, which nproc would report
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

# --- environment, once -------------------------------------------------------------------------
# nrc prints its BLAS line only in the summary of a finished run: a one-iteration toy run gives it.
nrc_blas=$("$NRC" train --widths 2,2 --N 4 --K 2 --lambda 1e-2 --max-iterations 1 --tol 0 \
  --curvature-steps 0 2>/dev/null | sed -n 's/^BLAS: *//p' || true)
echo "# nrc train vs PyTorch L-BFGS: seconds to ‖∇L_λ‖ ≤ $TOL·‖2λΘ‖"
echo
echo "- problem: ${WIDTHS//,/-} tanh autoencoder, Gaussian mixture d = 64, N = 1000, K = 10, σ = 0.1, seed 1"
echo "- nrc: ${nrc_blas:-BLAS line not found}"
echo "- PyTorch ($PY): $("$PY" bench/pytorch_lbfgs.py --info --threads 1)"
echo "- budget: $LIMIT s wall per run; $CORES cores, load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# --- helpers -------------------------------------------------------------------------------------
# The value after a given field in the last nrc progress line ("train: iteration 414  L_λ 6.28e+00
# ‖∇L_λ‖/‖2λΘ‖ 2.130e-03  1.0 s …"), for a run that timeout killed before its summary.
last_progress() {   # file field
  grep '^train: iteration' "$1" | tail -n 1 |
    awk -v f="$2" '{ for (i = 1; i < NF; i++) if ($i == f) { print $(i + 1); exit } }'
}

# Runs one nrc train method; sets cell (the table entry), secs (seconds to tol, empty if not
# reached) and detail (one line).
run_nrc() {   # method lambda
  local method=$1 lam=$2 out=$LOGS/nrc_${1}_$2.out err=$LOGS/nrc_${1}_$2.err rc=0
  note "λ = $lam: nrc train --method $method (up to $LIMIT s)…"
  timeout "$LIMIT" "$NRC" train --widths "$WIDTHS" --activation tanh --data mixture --N 1000 --K 10 \
    --sigma 0.1 --tol "$TOL" --seed 1 --lambda "$lam" --method "$method" --max-iterations 100000000 \
    --curvature-steps 0 --save-start "$LOGS/start_${method}_$lam" >"$out" 2>"$err" || rc=$?
  secs=
  if ((rc == 0)); then
    secs=$(awk '$1 == "1e-09" && $3 == "s" { print $2 }' "$out")
    [[ -n $secs ]] || die "nrc --method $method, λ = $lam: no '1e-09 … s' line in its output ($out)"
    cell=$secs
    detail="stationary after $(sed -n 's/^iterations: *\([0-9]*\).*/\1/p' "$out") iterations, ratio $(awk '/^stationarity:/ { print $2 }' "$out"), L_λ = $(awk '/^loss:/ { print $4 }' "$out")"
  elif ((rc == 124)); then   # killed by timeout: no summary; the last progress line (≤ 1 s old)
    local ratio loss
    ratio=$(last_progress "$err" '‖∇L_λ‖/‖2λΘ‖')
    loss=$(last_progress "$err" 'L_λ')
    cell="not in $LIMIT s (ratio ${ratio:-?})"
    detail="time limit, last progress line: ratio ${ratio:-?}, L_λ = ${loss:-?}"
  elif ((rc == 1)); then     # ended short of tol on its own (stalled, diverged)
    local status ratio
    status=$(awk '/^status:/ { print $2 }' "$out")
    ratio=$(awk '/^stationarity:/ { print $2 }' "$out")
    cell="$status after $(sed -n 's/^wall time: *\([0-9.]*\) s.*/\1/p' "$out") s (ratio $ratio)"
    detail="$(sed -n 's/^status: *//p' "$out"), L_λ = $(awk '/^loss:/ { print $4 }' "$out")"
  else
    die "nrc --method $method, λ = $lam failed (exit $rc): $(tail -n 1 "$err")"
  fi
}

# --- the runs -----------------------------------------------------------------------------------
rows=() details=()
for lam in "${LAMBDAS[@]}"; do
  run_nrc newton "$lam"
  newton_cell=$cell newton_secs=$secs newton_detail=$detail
  run_nrc lbfgs "$lam"
  lbfgs_cell=$cell lbfgs_detail=$detail
  for part in X Y theta0; do
    cmp -s "$LOGS/start_newton_$lam.$part.bin" "$LOGS/start_lbfgs_$lam.$part.bin" ||
      die "λ = $lam: the two nrc runs saved different starting points ($part)"
  done

  note "λ = $lam: PyTorch L-BFGS (up to $LIMIT s)…"
  start=$LOGS/start_newton_$lam
  py_out=$LOGS/pytorch_$lam.out py_err=$LOGS/pytorch_$lam.err
  "$PY" bench/pytorch_lbfgs.py --start "$start" --widths "$WIDTHS" --lambda "$lam" --check >"$LOGS/check_$lam.out" ||
    die "λ = $lam: pytorch_lbfgs.py --check failed: torch and numpy disagree ($(tail -n 1 "$LOGS/check_$lam.out"))"
  "$PY" bench/pytorch_lbfgs.py --start "$start" --widths "$WIDTHS" --lambda "$lam" --tol "$TOL" \
    --time-limit "$LIMIT" --threads 1 >"$py_out" 2>"$py_err" || true
  result=$(grep '^RESULT ' "$py_out" || true)
  [[ -n $result ]] || die "λ = $lam: pytorch_lbfgs.py printed no RESULT line: $(tail -n 1 "$py_err")"
  reached=$(sed -n 's/.* reached=\([^ ]*\).*/\1/p' <<<"$result")
  py_secs=$(sed -n 's/.* seconds=\([^ ]*\).*/\1/p' <<<"$result")
  py_ratio=$(sed -n 's/.* ratio=\([^ ]*\).*/\1/p' <<<"$result")
  py_loss=$(sed -n 's/.* loss=\([^ ]*\).*/\1/p' <<<"$result")
  py_status=$(sed -n 's/^status: *//p' "$py_out")
  py_iters=$(sed -n 's/^iterations: *\([0-9]*\).*/\1/p' "$py_out")
  if [[ $reached == 1 ]]; then
    py_cell=$(printf '%.2f' "$py_secs")
  elif [[ $py_status == "time limit" ]]; then
    py_cell="not in $LIMIT s (ratio $(printf '%.3e' "$py_ratio"))"
  else
    py_cell="${py_status%% *} after $(printf '%.2f' "$py_secs") s (ratio $(printf '%.3e' "$py_ratio"))"
  fi
  # PyTorch / nrc-newton: a plain ratio when both reached tol; a lower bound when only nrc did and
  # PyTorch ran out of time; otherwise undefined.
  if [[ $reached == 1 && -n $newton_secs ]]; then
    speed=$(awk -v p="$py_secs" -v n="$newton_secs" 'BEGIN { printf "%.2f", p / n }')
  elif [[ $py_status == "time limit" && -n $newton_secs ]]; then
    speed=$(awk -v p="$py_secs" -v n="$newton_secs" 'BEGIN { printf "> %.1f", p / n }')
  else
    speed="—"
  fi
  rows+=("| $lam | $newton_cell | $lbfgs_cell | $py_cell | $speed |")
  details+=("- λ = $lam, nrc newton: $newton_detail"
    "- λ = $lam, nrc lbfgs: $lbfgs_detail"
    "- λ = $lam, PyTorch: $py_status after $py_iters iterations, ratio $py_ratio, L_λ = $py_loss")
done

# --- the report ---------------------------------------------------------------------------------
echo "| λ | nrc newton (s) | nrc lbfgs (s) | PyTorch L-BFGS (s) | PyTorch / nrc newton |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "Seconds of wall time from the start of optimisation until the ratio ‖∇L_λ‖/‖2λΘ‖ first fell"
echo "to $TOL; otherwise why the run ended and its last ratio (for a timed-out nrc run, its last"
echo "progress line, at most 1 s old). Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
printf '%s\n' "${details[@]}"
