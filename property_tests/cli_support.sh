# Sourced by the CLI contract scripts; needs $nrc and $tmp. Counts failures in `failures`; a script
# ends with: [ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# expect_error "what it should mention" args…: `nrc args…` must exit 2 with one stderr line naming it
# (within 60 s: a hang is a failure too).
expect_error() {
  local want=$1; shift
  timeout 60 "$nrc" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null   # a hang fails (exit 124), it does not stall ctest
  local rc=$? lines
  lines=$(wc -l <"$tmp/err")
  if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -qi -- "$want" "$tmp/err"; then
    echo "FAIL: nrc $* -> exit $rc, $lines stderr line(s), expected exit 2 and one line mentioning '$want':"
    sed 's/^/  | /' "$tmp/err"
    failures=$((failures + 1))
  else
    echo "ok: nrc $* -> $(cat "$tmp/err")"
  fi
}
