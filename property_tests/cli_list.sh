#!/usr/bin/env bash
# `nrc list`: the README's check table is the registry's (`nrc list --markdown`, between its markers),
# `--json` names every check and experiment, and `nrc check --threads N` gives the same summary for any N.
# Usage: cli_list.sh path/to/nrc path/to/README.md
set -u
nrc=$1
readme=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/cli_support.sh"

"$nrc" list --markdown >"$tmp/generated" || fail "nrc list --markdown exited $?"
sed -n '/^<!-- generated: build\/apps\/nrc list --markdown/,/^<!-- end of nrc list --markdown -->/p' "$readme" \
  | sed '1d;$d' >"$tmp/readme"
if ! diff -u "$tmp/readme" "$tmp/generated" >"$tmp/diff"; then
  fail "README.md's check table differs from 'nrc list --markdown' (paste its output between the markers):"
  sed 's/^/  | /' "$tmp/diff"
else
  echo "ok: README check table = nrc list --markdown ($(($(wc -l <"$tmp/generated") - 2)) checks)"
fi

checks=$(grep -c '^| `' "$tmp/generated")
"$nrc" list --json >"$tmp/json" || fail "nrc list --json exited $?"
ids=$(grep -c '^      "id": ' "$tmp/json")   # checks and experiments, 6-space indent (dump(2))
experiments=$("$nrc" list | sed -n '/^experiments/,$p' | tail -n +2 | grep -c .)
if [ "$ids" -ne $((checks + experiments)) ]; then
  fail "nrc list --json has $ids ids, expected $checks checks + $experiments experiments"
else
  echo "ok: nrc list --json names $checks checks and $experiments experiments"
fi

# The summary is the same for any number of worker threads (records sorted by index before it).
"$nrc" check thm_5_4 --trials 60 --seed 3 --threads 1 >"$tmp/one" 2>/dev/null || fail "check --threads 1 exited $?"
"$nrc" check thm_5_4 --trials 60 --seed 3 --threads 3 >"$tmp/three" 2>/dev/null || fail "check --threads 3 exited $?"
if ! diff -u "$tmp/one" "$tmp/three"; then fail "nrc check --threads 1 and --threads 3 print different summaries"; else
  echo "ok: nrc check --threads 1 and 3 agree"; fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
