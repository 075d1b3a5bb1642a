#!/usr/bin/env bash
# No record is lost or rendered silently wrong: failed writes are errors (exit 2, naming the file,
# the reason and the records kept), REPORT.md is replaced atomically, a torn tail is cut off before
# appending, edited lines are not used, one report per folder at a time, records of another BLAS
# thread count are recomputed, and replay states the thread count. Usage: cli_records.sh path/to/nrc
set -u
nrc=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/cli_support.sh"

# 1. `nrc check --out /dev/full`: every write fails with ENOSPC.
expect_error "cannot write '/dev/full': No space left on device; 0 record" check prop_4_1 --trials 20 --out /dev/full
# Standard output on a full disk: the summary is lost, so the command fails.
"$nrc" check thm_5_4 --trials 3 >/dev/full 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] && grep -q "cannot write to standard output: No space left on device" "$tmp/err" &&
  ok "stdout on a full disk: exit 2" || fail "stdout on a full disk: exit $rc, $(tail -1 "$tmp/err")"

# 2. A full disk under `nrc report` (a 64 KiB tmpfs in a private mount namespace): exit 2 naming the
#    records file and the records kept; the complete records stay, the old REPORT.md is untouched.
if unshare -m true 2>/dev/null; then
  mkdir "$tmp/small"
  unshare -m bash -c "mount -t tmpfs -o size=64k none '$tmp/small' && echo old >'$tmp/small/REPORT.md' &&
    '$nrc' report --out '$tmp/small' --only prop_4_1 --trials 150 --no-search >'$tmp/out' 2>'$tmp/err';
    echo \$? >'$tmp/rc'; cp '$tmp/small/REPORT.md' '$tmp/small/records.jsonl' '$tmp/'" || fail "tmpfs mount"
  kept=$(grep -o '[0-9]* record(s) of this run were written' "$tmp/err" | cut -d' ' -f1)
  if [ "$(cat "$tmp/rc")" != 2 ] || ! grep -q "No space left on device" "$tmp/err" || [ -z "$kept" ]; then
    fail "full disk: exit $(cat "$tmp/rc"), stderr:"; sed 's/^/  | /' "$tmp/err"
  elif [ "$(cat "$tmp/REPORT.md")" != old ]; then
    fail "full disk: the old REPORT.md was changed"
  elif [ "$(wc -l <"$tmp/records.jsonl")" != "$kept" ] || [ -n "$(tail -c1 "$tmp/records.jsonl")" ]; then
    fail "full disk: $kept records reported kept, file has $(wc -l <"$tmp/records.jsonl") lines (or ends mid-line)"
  else
    ok "full disk: exit 2, $kept records kept whole, old REPORT.md intact: $(tail -1 "$tmp/err")"
  fi
else
  echo "SKIP: full-disk case (unshare -m is not permitted here)"
fi

# 3. A torn tail is cut off (and counted), an edited line is not used and its instance recomputed.
args=(report --only thm_5_4 --trials 20 --no-search --threads 1 --out "$tmp/r")
"$nrc" "${args[@]}" >/dev/null 2>&1 || fail "first report"
n0=$(wc -l <"$tmp/r/records.jsonl")   # the 20 instances and the check's mutants
line=$(grep -n '"index":.*"verdict":"Pass"' "$tmp/r/records.jsonl" | head -1 | cut -d: -f1)   # an instance that Passes
sed -i "${line}s/\"Pass\"/\"Fail\"/" "$tmp/r/records.jsonl"
printf '{"check":"thm_5_4","par' >>"$tmp/r/records.jsonl"
"$nrc" "${args[@]}" >/dev/null 2>&1 || fail "second report"
if ! grep -q "1 line(s) of the records file are not valid records" "$tmp/r/REPORT.md" ||
   ! grep -q "torn last line (23 bytes" "$tmp/r/REPORT.md" || ! grep -qE "\| 20 \| [0-9]+ \| 0 \| 0 \|" "$tmp/r/REPORT.md"; then
  fail "edited line / torn tail not accounted for:"; grep "Records:\|thm_5_4" "$tmp/r/REPORT.md" | head -3
elif [ "$(wc -l <"$tmp/r/records.jsonl")" != $((n0 + 1)) ] || [ -n "$(tail -c1 "$tmp/r/records.jsonl")" ]; then
  fail "expected $((n0 + 1)) complete lines ($n0 + the recomputed one), got $(wc -l <"$tmp/r/records.jsonl")"
else
  ok "torn tail cut, edited record rejected and recomputed, no instance Fails or is Inconclusive"
fi

# 4. Records of another BLAS thread count are recomputed (counted in the header); --reuse-any keeps them.
OPENBLAS_NUM_THREADS=2 "$nrc" "${args[@]}" >/dev/null 2>&1 || fail "2-thread report"
grep -q "$n0 with another BLAS thread count were computed again" "$tmp/r/REPORT.md" ||
  fail "2-thread run: $(grep Records: "$tmp/r/REPORT.md")"
[ "$(wc -l <"$tmp/r/records.jsonl")" = $((2 * n0 + 1)) ] || fail "2-thread run: expected $((2 * n0 + 1)) lines"
"$nrc" "${args[@]}" --reuse-any >/dev/null 2>&1 || fail "--reuse-any report"
[ "$(wc -l <"$tmp/r/records.jsonl")" = $((2 * n0 + 1)) ] && grep -q "kept: \`--reuse-any\`" "$tmp/r/REPORT.md" &&
  ok "another BLAS thread count: recomputed by default, kept with --reuse-any" ||
  fail "--reuse-any: $(grep Records: "$tmp/r/REPORT.md")"

# 5. One report per folder: the second exits 2 naming the process that holds it.
"$nrc" report --only prop_4_1 --trials 400 --no-search --out "$tmp/busy" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 200); do [ -s "$tmp/busy/.lock" ] && break; sleep 0.02; done
expect_error "in use by process $pid" report --only prop_4_1 --trials 400 --no-search --out "$tmp/busy"
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null

# 6. Replay runs with the record's BLAS thread count, and warns when the environment imposes another.
line=$(OPENBLAS_NUM_THREADS=2 "$nrc" check thm_5_4 --trials 1 --seed 4 --out "$tmp/t2.jsonl" 2>/dev/null | grep "worst instance")
cmd=${line#*: nrc }
[[ $cmd == *"--blas-threads 2"* ]] || fail "replay line without the thread count: $cmd"
json=$(eval "env -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS \"$nrc\" $cmd --json" 2>"$tmp/err")
[[ $json == *'"blas_threads":2'* ]] && [ ! -s "$tmp/err" ] && ok "replay ran with the record's 2 BLAS threads" ||
  fail "replay: $json / $(cat "$tmp/err")"
eval "OPENBLAS_NUM_THREADS=1 \"$nrc\" $cmd" >/dev/null 2>"$tmp/err"
grep -q "computed with 2 BLAS thread(s), this replay runs 1" "$tmp/err" && ok "replay on another count warns" ||
  fail "no warning: $(cat "$tmp/err")"

if [ "$failures" -gt 0 ]; then
  echo "$failures records case(s) misbehaved"
  exit 1
fi
echo "all records cases behaved"
