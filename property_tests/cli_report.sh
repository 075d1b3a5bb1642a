#!/usr/bin/env bash
# `nrc report` is resumable: a run killed midway (SIGKILL, no chance to clean up) and started again
# ends with the same records as an uninterrupted run — no finished record lost, none duplicated —
# and the same REPORT.md tables. Usage: cli_report.sh path/to/nrc
set -eu
nrc=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=(report --only thm_5_4 lemma_3_3 thm_3_4 --trials 300 --seed 5 --threads 2)

"$nrc" "${args[@]}" --out "$tmp/full" >/dev/null 2>&1

"$nrc" "${args[@]}" --out "$tmp/cut" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 500); do   # until some records are written, then kill without warning
  [ -s "$tmp/cut/records.jsonl" ] && [ "$(wc -l <"$tmp/cut/records.jsonl")" -ge 50 ] && break
  sleep 0.01
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
before=$(wc -l <"$tmp/cut/records.jsonl")
[ -f "$tmp/cut/REPORT.md" ] && { echo "FAIL: the run finished before it could be killed (make it longer)"; exit 1; }
"$nrc" "${args[@]}" --out "$tmp/cut" >/dev/null 2>&1

# The same set of records (the order differs with 2 workers); a torn last line may be skipped.
sorted() { grep -v '^$' "$1" | python3 -c 'import sys, json
for l in sys.stdin:
    try: print(json.dumps(json.loads(l), sort_keys=True))
    except ValueError: pass' | sort; }
if ! diff <(sorted "$tmp/full/records.jsonl") <(sorted "$tmp/cut/records.jsonl") >/dev/null; then
  echo "FAIL: records after kill + rerun differ from an uninterrupted run"
  diff <(sorted "$tmp/full/records.jsonl") <(sorted "$tmp/cut/records.jsonl") | head -5
  exit 1
fi
# Tables agree (the header's date, wall time and torn-line note differ).
body() { sed -n '/^## Summary/,$p' "$1"; }
diff <(body "$tmp/full/REPORT.md") <(body "$tmp/cut/REPORT.md") || { echo "FAIL: REPORT.md tables differ"; exit 1; }
echo "ok: killed after $before records, resumed to the same $(wc -l <"$tmp/full/records.jsonl") records"

# --fresh starts over; a second run on a finished folder computes nothing new.
"$nrc" "${args[@]}" --out "$tmp/full" >/dev/null 2>&1
[ "$(wc -l <"$tmp/full/records.jsonl")" -eq "$(wc -l <"$tmp/cut/records.jsonl")" ] || { echo "FAIL: rerun added records"; exit 1; }
echo "ok: rerun of a finished report adds no record"
