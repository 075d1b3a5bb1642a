#!/usr/bin/env bash
# Job arrays without MPI: `nrc report --shard i/n` computes shard i's units (apps/units.hpp: the
# training runs, data searches, mutants and instance blocks at positions ≡ i mod n of the run's list),
# `nrc report --merge DIR…` renders one report from them. The merged records are those of a serial
# run with the same seed (as sets: the order differs), and so is REPORT.md but for its header; shards
# of different runs, missing or repeated shards are refused in one line with exit 2. About 40 s on 2
# cores (Figure 2's training runs, twice).
# Usage: cli_shard.sh path/to/nrc
set -u
nrc=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/cli_support.sh"
run=(--only thm_5_4 ridge_norm thm_5_4_excess_loss fig2 --trials 60)   # fig2: 20 training runs, ~12 s

"$nrc" report "${run[@]}" --out "$tmp/serial" >/dev/null 2>&1 || fail "serial report exited $?"
for i in 0 1 2; do
  "$nrc" report "${run[@]}" --shard "$i/3" --out "$tmp/s$i" >"$tmp/s$i.log" 2>&1 || fail "shard $i/3 exited $?"
  [ -f "$tmp/s$i/REPORT.md" ] && fail "shard $i/3 rendered a report"
done
# Shard 1 killed midway and rerun: nothing lost, nothing twice (the records file resumes).
head -n 10 "$tmp/s1/records.jsonl" >"$tmp/s1/cut" && mv "$tmp/s1/cut" "$tmp/s1/records.jsonl"
"$nrc" report "${run[@]}" --shard 1/3 --out "$tmp/s1" >/dev/null 2>&1 || fail "shard 1/3 rerun exited $?"
"$nrc" report --merge "$tmp/s0" "$tmp/s1" "$tmp/s2" --out "$tmp/merged" >/dev/null 2>&1 || fail "merge exited $?"

# Records as sets, up to the training runs' timing fields ("seconds") and the checksum covering them.
untimed() { sed -E 's/"[a-z_]*seconds":[-+0-9.eE]+,?//g; s/,?"checksum":"[^"]*"//g' "$1" | sort; }
untimed "$tmp/serial/records.jsonl" >"$tmp/a"
untimed "$tmp/merged/records.jsonl" >"$tmp/b"
if cmp -s "$tmp/a" "$tmp/b"; then echo "ok: merged records = serial records up to timing ($(wc -l <"$tmp/a") lines)"; else
  fail "merged records differ from the serial run's: $(comm -3 "$tmp/a" "$tmp/b" | wc -l) lines"; fi
# REPORT.md equal but for the header (command, date and wall time, the records account, the shards).
body() { sed -e '1,/^Records: /d' -e '/^Distributed: /d' "$1"; }
if diff <(body "$tmp/serial/REPORT.md") <(body "$tmp/merged/REPORT.md") >"$tmp/diff"; then
  echo "ok: merged REPORT.md = serial REPORT.md below the header"; else
  fail "merged REPORT.md differs:"; head -20 "$tmp/diff"; fi
grep -q '^Distributed: .* 3 shards' "$tmp/merged/REPORT.md" || fail "merged REPORT.md does not say it was sharded"

"$nrc" report --only thm_5_4 --trials 60 --seed 2 --shard 1/3 --out "$tmp/t1" >/dev/null 2>&1
expect_error "shards of different runs (seed 2 against 1)" report --merge "$tmp/s0" "$tmp/t1" "$tmp/s2" --out "$tmp/m"
expect_error "shard(s) 2/3 missing" report --merge "$tmp/s0" "$tmp/s1" --out "$tmp/m"
expect_error "given twice" report --merge "$tmp/s0" "$tmp/s0" "$tmp/s2" --out "$tmp/m"
expect_error "holds no SHARD.json" report --merge "$tmp/serial" --out "$tmp/m"
expect_error "takes --seed from the shards" report --merge "$tmp/s0" "$tmp/s1" "$tmp/s2" --seed 3 --out "$tmp/m"
expect_error "expected i/n with 0 ≤ i < n" report --shard 3/3 --out "$tmp/x"
expect_error "holds another shard or run" report "${run[@]}" --shard 2/3 --out "$tmp/s0"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
