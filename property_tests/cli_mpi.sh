#!/usr/bin/env bash
# MPI: `mpirun -np 2 nrc report …` gives the records of a serial run with the same seed (as sets, up to
# the training runs' timing fields) and the same REPORT.md below its header, which names the ranks. A
# job whose worker rank is killed midway, then one whose rank 0 (the writer) is killed, then a third
# run of the same command: no record written before a kill is lost, none is computed twice, and the
# end is the serial run's records. About 60 s on 2 cores.
# Usage: cli_mpi.sh path/to/nrc path/to/mpirun
set -u
nrc=$1
mpirun=$2
tmp=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/cli_support.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
mpi2() { "$mpirun" -np 2 --oversubscribe "$nrc" "$@"; }
run=(--only thm_5_4 ridge_norm thm_5_4_excess_loss fig2 --trials 60)   # fig2: 20 training runs

"$nrc" report "${run[@]}" --out "$tmp/serial" >/dev/null 2>&1 || fail "serial report exited $?"
mpi2 report "${run[@]}" --out "$tmp/mpi" >"$tmp/mpi.log" 2>&1 || { fail "mpirun report exited $?"; tail -5 "$tmp/mpi.log"; }

untimed() { sed -E 's/"[a-z_]*seconds":[-+0-9.eE]+,?//g; s/,?"checksum":"[^"]*"//g' "$1" | sort; }
untimed "$tmp/serial/records.jsonl" >"$tmp/a"
same_as_serial() {   # folder, what
  untimed "$1/records.jsonl" >"$tmp/b"
  if cmp -s "$tmp/a" "$tmp/b"; then echo "ok: $2 records = serial records up to timing ($(wc -l <"$tmp/a") lines)"; else
    fail "$2 records differ from the serial run's: $(comm -3 "$tmp/a" "$tmp/b" | wc -l) lines"; fi
}
same_as_serial "$tmp/mpi" "mpirun -np 2"
body() { sed -e '1,/^Records: /d' "$1"; }
if diff <(body "$tmp/serial/REPORT.md") <(body "$tmp/mpi/REPORT.md") >"$tmp/diff"; then
  echo "ok: mpirun REPORT.md = serial REPORT.md below the header"; else
  fail "mpirun REPORT.md differs:"; head -20 "$tmp/diff"; fi
grep -q "computed by 2 MPI ranks" "$tmp/mpi/REPORT.md" || fail "REPORT.md's header does not name the 2 MPI ranks"

# The pid of rank $1 of the running job (its environment names the rank).
rank_pid() {
  for p in $(pgrep -f "$nrc report"); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$1" && { echo "$p"; return; }
  done
}
# Starts the job, waits for `more` new records, kills rank $1 and waits for mpirun to end.
killed_run() {
  local rank=$1 more=$2 before after pid
  before=$(cat "$tmp/k/records.jsonl" 2>/dev/null | wc -l)
  mpi2 report "${run[@]}" --out "$tmp/k" >"$tmp/k$rank.log" 2>&1 &
  local job=$!
  for _ in $(seq 600); do
    after=$(cat "$tmp/k/records.jsonl" 2>/dev/null | wc -l)
    [ "$after" -ge $((before + more)) ] && break
    sleep 0.1
  done
  pid=$(rank_pid "$rank")
  [ -n "$pid" ] || { fail "no process of rank $rank found"; wait $job; return; }
  kill -9 "$pid"
  wait $job && fail "the job whose rank $rank was killed exited 0"
  head -n "$(wc -l <"$tmp/k/records.jsonl")" "$tmp/k/records.jsonl" >>"$tmp/written"   # its complete lines
  echo "ok: rank $rank killed after $(wc -l <"$tmp/k/records.jsonl") record(s)"
}
killed_run 1 30
killed_run 0 60
mpi2 report "${run[@]}" --out "$tmp/k" >"$tmp/k.log" 2>&1 || { fail "the rerun exited $?"; tail -5 "$tmp/k.log"; }
grep -q "reused" "$tmp/k.log" || fail "the rerun reused nothing"
same_as_serial "$tmp/k" "killed twice and rerun:"
lost=$(sort -u "$tmp/written" | comm -23 - <(sort "$tmp/k/records.jsonl") | wc -l)
[ "$lost" -eq 0 ] && echo "ok: every record written before the kills is in the final file" ||
  fail "$lost record(s) written before a kill are gone"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
