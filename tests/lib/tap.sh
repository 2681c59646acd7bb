# Tiny TAP-style helpers for the bash suites: "ok - ..." / "not ok - ...", and a summary line.
TAP_PASSED=0
TAP_FAILED=0
ok()     { TAP_PASSED=$((TAP_PASSED + 1)); echo "ok - $*"; }
not_ok() { TAP_FAILED=$((TAP_FAILED + 1)); echo "not ok - $*"; }
# check "description" command...: runs the command, records the outcome, shows output on failure.
check() {
  local desc="$1"; shift
  local out
  if out=$("$@" 2>&1); then ok "$desc"; else not_ok "$desc"; printf '%s\n' "$out" | tail -n 30 | sed 's/^/    # /'; fi
}
# check_fails "description" command...: the command must fail.
check_fails() {
  local desc="$1"; shift
  local out
  if out=$("$@" 2>&1); then not_ok "$desc (it succeeded)"; printf '%s\n' "$out" | tail -n 10 | sed 's/^/    # /'; else ok "$desc"; fi
}
tap_summary() {
  echo "$TAP_PASSED passed, $TAP_FAILED failed"
  ((TAP_FAILED == 0))
}
# timer "phase": a time-stamped comment line, so a slow phase shows in the log.
timer() { echo "# $(date -u +%T) $*"; }
# no_secret_in SECRET... < text: none of the secrets occurs in the text. The secrets go to grep
# as a pattern file, never as arguments; an empty one matches everything, so it fails safe.
no_secret_in() { ! grep -qFf <(printf '%s\n' "$@"); }
