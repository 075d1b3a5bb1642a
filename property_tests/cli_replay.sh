#!/usr/bin/env bash
# `nrc replay ID --seed S` reproduces the record that `nrc check` wrote for that instance, number
# for number, and twice in a row. Usage: cli_replay.sh path/to/nrc
set -eu
nrc=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for id in thm_5_4 prop_3_1; do
  "$nrc" check "$id" --trials 5 --seed 3 --out "$tmp/$id.jsonl" >/dev/null
  [ "$(wc -l <"$tmp/$id.jsonl")" -eq 5 ] || { echo "FAIL: expected 5 records for $id"; exit 1; }
  while IFS= read -r line; do
    seed=$(grep -o '"seed":[0-9]*' <<<"$line" | head -1 | cut -d: -f2)
    fields() { grep -o '"\(lhs\|rhs\|ratio\|verdict\|params\)":\("[^"]*"\|{[^}]*}\|[^,}]*\)' <<<"$1"; }
    a=$("$nrc" replay "$id" --seed "$seed" --json || true)
    b=$("$nrc" replay "$id" --seed "$seed" --json || true)
    if [ "$(fields "$a")" != "$(fields "$line")" ] || [ "$a" != "$b" ]; then
      echo "FAIL: replay of $id seed $seed differs from its record"
      diff <(fields "$line") <(fields "$a")
      exit 1
    fi
  done <"$tmp/$id.jsonl"
  echo "ok: $id: 5 records replayed identically"
done
