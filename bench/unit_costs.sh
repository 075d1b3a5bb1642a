#!/usr/bin/env bash
# The cost of nrc report's units on one process with one BLAS thread, in Markdown: seconds per
# instance of every check (`nrc check ID --trials N`; a check's instances are the same in every
# preset), seconds per training run of each experiment (from the "seconds" of the point records of a
# finished report), and the projected wall time of a report with T instances per check on P ranks:
# max(Σ costs / P, the longest unit) — what dynamic load balancing reaches when the short units come
# last, as nrc report orders them. The searches and the rendering (a few percent) are not included.
#
#   bench/unit_costs.sh [--nrc build/apps/nrc] [--trials N] [--report-trials T] [--ranks P]
#                       [--records DIR/records.jsonl]
set -euo pipefail
nrc=build/apps/nrc trials=200 report_trials=2000 ranks=2 records=""
while [ $# -gt 0 ]; do
  case $1 in
    --nrc) nrc=$2; shift 2 ;;
    --trials) trials=$2; shift 2 ;;
    --report-trials) report_trials=$2; shift 2 ;;
    --ranks) ranks=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unit_costs.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
export OPENBLAS_NUM_THREADS=1
now() { date +%s.%N; }
costs=$(mktemp)
trap 'rm -f "$costs"' EXIT

echo "| check | s / instance | × $report_trials instances |"
echo "|---|---|---|"
for id in $("$nrc" list --json | python3 -c 'import json,sys; print(" ".join(c["id"] for c in json.load(sys.stdin)["checks"]))'); do
  t0=$(now)
  "$nrc" check "$id" --trials "$trials" --threads 1 >/dev/null 2>&1 || true   # exit 1: some bound failed
  t1=$(now)
  python3 -c "import sys; per = ($t1 - $t0) / $trials; print(f'| \`$id\` | {per:.2g} | {per * $report_trials:.0f} s |'); open('$costs', 'a').write(f'{per * $report_trials} {per * 16}\n')"
done

if [ -n "$records" ]; then
  echo
  echo "| experiment | training runs | s / run: mean | max | total |"
  echo "|---|---|---|---|---|"
  python3 - "$records" "$costs" <<'EOF'
import json, sys
runs = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "point" in r.get("params", {}) and isinstance(r.get("metrics", {}).get("seconds"), (int, float)):
        runs.setdefault(r["check"], []).append(r["metrics"]["seconds"])
with open(sys.argv[2], "a") as out:
    for exp, s in sorted(runs.items()):
        print(f"| {exp} | {len(s)} | {sum(s) / len(s):.1f} | {max(s):.1f} | {sum(s):.0f} s |")
        out.write(f"{sum(s)} {max(s)}\n")
EOF
fi
python3 - "$costs" "$ranks" <<'EOF'
import sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
total, longest, p = sum(r[0] for r in rows), max(r[1] for r in rows), int(sys.argv[2])
wall = max(total / p, longest)
print(f"\nProjected: {total:.0f} s of computation; on {p} rank(s) {wall:.0f} s ({wall / 3600:.2f} h), "
      f"the longest unit {longest:.0f} s.")
EOF
