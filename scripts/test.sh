#!/usr/bin/env bash
# The README's test command: sets up everything a fresh machine lacks, then runs every test.
#   bash scripts/test.sh            all suites
#   bash scripts/test.sh unit       only the fast unit tests (no platform)
#   bash scripts/test.sh SUITE...   named suites (see SUITES below)
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$CMW_ROOT"

# Order matters: later suites use what earlier ones proved (toolchain → plugins → platform → image → stacks).
SUITES=(unit toolchain providers/command providers/postgresql providers/docker platform image smoke central facility ops fleet e2e)

bash scripts/bootstrap.sh || exit 1

selected=("$@")
((${#selected[@]})) || selected=("${SUITES[@]}")

needs_setup=false
for s in "${selected[@]}"; do [[ $s != unit ]] && needs_setup=true; done
if $needs_setup; then
  cmw_say "toolchain"
  bash toolchain/toolchain.sh --require-all || cmw_die "toolchain failed"
fi

passed=0; failed=0; failed_names=()
run_suite() {
  local name="$1" start rc
  start=$(date +%s)
  cmw_say "suite: $name"
  if [[ $name == unit ]]; then
    npx tsc --noEmit -p . && npx jest --ci
  else
    local script
    script=$(ls "tests/$name"/*.test.sh 2>/dev/null | head -n1)
    [[ -n $script ]] || { echo "not ok - no test script under tests/$name"; return 1; }
    bash "$script"
  fi
  rc=$?
  echo "suite $name: $([[ $rc == 0 ]] && echo ok || echo FAILED) in $(( $(date +%s) - start )) s"
  return $rc
}
for s in "${selected[@]}"; do
  if run_suite "$s"; then passed=$((passed + 1)); else failed=$((failed + 1)); failed_names+=("$s"); fi
done

((failed)) && echo "failed suites: ${failed_names[*]}"
echo "suites: $passed passed, $failed failed"
((failed == 0))
