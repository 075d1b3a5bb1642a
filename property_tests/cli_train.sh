#!/usr/bin/env bash
# `nrc train`: (a) bad input exits 2 with one line on stderr; (b) a run killed with SIGKILL after
# it wrote a checkpoint and rerun with the same command ends with parameters bit-identical to an
# uninterrupted run (same Θ hash, same --out bytes). Usage: cli_train.sh path/to/nrc
set -u
nrc=$1
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

source "$(dirname "$0")/cli_support.sh"

# (a) Bad input. A 3-image stand-in for Fashion-MNIST's test split makes "N > available" independent
# of the real data.
mkdir -p "$tmp/data/fashion-mnist"
{ printf '\x00\x00\x08\x03\x00\x00\x00\x03\x00\x00\x00\x1c\x00\x00\x00\x1c'; head -c 2352 /dev/zero; } |
  gzip -c >"$tmp/data/fashion-mnist/t10k-images-idx3-ubyte.gz"
printf '\x00\x00\x08\x01\x00\x00\x00\x03\x00\x01\x02' | gzip -c >"$tmp/data/fashion-mnist/t10k-labels-idx1-ubyte.gz"
small=(--widths 6,5,6 --N 40 --K 4)
expect_error "λ > 0" train "${small[@]}" --lambda 0
expect_error "λ > 0" train "${small[@]}" --lambda -1
expect_error "λ > 0" train "${small[@]}" --lambda nan
expect_error "widths" train --widths 64
expect_error "widths" train --widths 6,0,6
expect_error "widths" train --widths 6,,6
expect_error "widths" train --widths six,5
expect_error "output width" train --widths 6,5,7 --N 40 --K 4
expect_error "K ≤ N" train --widths 6,5,6 --N 5 --K 6
expect_error "N ≤ 3" train --data fashion-mnist-test --data-dir "$tmp/data" --widths 784,10 --N 4
expect_error "784" train --data fashion-mnist-test --data-dir "$tmp/data" --widths 780,10 --N 3
expect_error "missing" train --data mnist --data-dir "$tmp/data" --widths 784,10
expect_error "unknown data set" train --data cifar
expect_error "apply to --data mixture" train --data fashion-mnist-test --data-dir "$tmp/data" --widths 784,10 --K 3
expect_error "tanh" train "${small[@]}" --activation swish
expect_error "cross_entropy" train "${small[@]}" --loss hinge
expect_error "lbfgs, gd or sgd" train "${small[@]}" --method adam
expect_error "stationarity_tol" train "${small[@]}" --tol -1
expect_error "stationarity_tol" train "${small[@]}" --tol nan
expect_error "σ" train "${small[@]}" --sigma nan
expect_error "learning_rate" train "${small[@]}" --method gd --lr 0
expect_error "batch_size" train "${small[@]}" --method sgd --batch 41
expect_error "existing folder" train "${small[@]}" --out "$tmp/no/such/dir/theta.bin"
expect_error "existing folder" train "${small[@]}" --checkpoint "$tmp/no/such/dir/ck"

# A checkpoint of another run (here: another λ) is refused, not resumed.
"$nrc" train "${small[@]}" --max-iterations 50 --checkpoint "$tmp/other.ck" >/dev/null 2>&1
expect_error "another run" train "${small[@]}" --max-iterations 50 --checkpoint "$tmp/other.ck" --lambda 0.5

# (b) Kill and resume. Large enough to take about a second, so the kill lands mid-run.
run=(--widths 16,12,8,12,16 --N 1000 --K 4 --lambda 1e-3 --tol 0 --max-iterations 3000 --checkpoint-every 100)
hash_of() { grep '^theta hash:' "$1" | awk '{print $3}'; }
"$nrc" train "${run[@]}" --out "$tmp/straight.bin" >"$tmp/straight.txt" 2>/dev/null
straight=$(hash_of "$tmp/straight.txt")
"$nrc" train "${run[@]}" --checkpoint "$tmp/ck" --out "$tmp/resumed.bin" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 1000); do [ -e "$tmp/ck" ] && break; sleep 0.01; done
sleep 0.2   # a few more checkpoints
if ! [ -e "$tmp/ck" ] || ! kill -9 "$pid" 2>/dev/null; then
  echo "FAIL: the run finished (or wrote no checkpoint) before it could be killed; make it longer"
  failures=$((failures + 1))
fi
wait "$pid" 2>/dev/null
pid=
[ -e "$tmp/resumed.bin" ] && { echo "FAIL: the killed run got as far as writing --out"; failures=$((failures + 1)); }
"$nrc" train "${run[@]}" --checkpoint "$tmp/ck" --out "$tmp/resumed.bin" >"$tmp/resumed.txt" 2>/dev/null
resumed=$(hash_of "$tmp/resumed.txt")
# Once more: the final checkpoint is kept, so this returns at once with the same parameters.
"$nrc" train "${run[@]}" --checkpoint "$tmp/ck" >"$tmp/again.txt" 2>/dev/null
again=$(hash_of "$tmp/again.txt")
if [ -z "$straight" ] || ! grep -q '^iterations: *3000 (resumed' "$tmp/resumed.txt" || [ "$resumed" != "$straight" ] ||
   [ "$again" != "$straight" ] || ! cmp -s "$tmp/straight.bin" "$tmp/resumed.bin"; then
  echo "FAIL: kill/resume: uninterrupted Θ hash '$straight', resumed '$resumed', rerun '$again'"
  sed 's/^/  | /' "$tmp/resumed.txt"
  failures=$((failures + 1))
else
  echo "ok: killed at a checkpoint and resumed: Θ hash $resumed, as uninterrupted (and --out identical)"
fi

if [ "$failures" -gt 0 ]; then
  echo "$failures train case(s) misbehaved"
  exit 1
fi
echo "all train cases behaved"
