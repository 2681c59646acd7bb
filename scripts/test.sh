#!/usr/bin/env bash
# The README's test command: sets up everything a fresh machine lacks, then runs every test.
#   bash scripts/test.sh            all suites
#   bash scripts/test.sh unit       only the fast unit tests (no platform)
#   bash scripts/test.sh SUITE...   named suites (see SUITES below)
# A suite that leaves a container, a private platform's state folder or one of its processes
# behind fails, naming what it left.
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$CMW_ROOT"

# Order matters: later suites use what earlier ones proved (toolchain → plugins → platform → image → stacks).
SUITES=(unit monitoring toolchain providers/command providers/postgresql providers/docker platform image smoke central facility fleet ops e2e)
# Suites that start in the background at their place and run beside the next ones; their output
# is printed whole when they end, and their verdict counts like any other's. fleet spends most of
# its time waiting (a five-minute partition) on its own platform and ports; the Docker and
# PostgreSQL plugin suites share the default platform with the suites after them (starts are
# serialized by its lock) under names of their own.
BESIDE=(providers/postgresql providers/docker fleet)

bash scripts/bootstrap.sh || exit 1

selected=("$@")
((${#selected[@]})) || selected=("${SUITES[@]}")

needs_setup=false
# unit and monitoring need no Pulumi toolchain.
for s in "${selected[@]}"; do [[ $s != unit && $s != monitoring ]] && needs_setup=true; done
if $needs_setup; then
  cmw_say "toolchain"
  bash toolchain/toolchain.sh --require-all || cmw_die "toolchain failed"
fi

# processes_matching GLOB: "PID COMMAND-LINE" of every process whose command line matches GLOB.
processes_matching() {
  local p cmd
  for p in /proc/[0-9]*; do
    cmd=$(tr '\0' ' ' 2>/dev/null < "$p/cmdline") || continue
    # shellcheck disable=SC2053 # $1 is a glob on purpose
    [[ $cmd == $1 ]] && echo "${p#/proc/} $cmd"
  done
  true
}

# leftovers_of PID: what the suite that ran as PID left behind: its stack's containers
# (cmw-t<pid>-...), its private platform's state folder (/var/tmp/cmw-<suite>-test-<pid>.*) and
# processes started from it (Kafka, PostgreSQL, MariaDB, sshd). The pid in every name keeps
# another run on the same machine out of it.
leftovers_of() {
  local pid="$1" d p cmd
  docker ps -a --format '{{.Names}}' 2>/dev/null | grep -E "^cmw-t$pid-" | sed 's/^/container /'
  for d in /var/tmp/cmw-*-test-"$pid".*; do [[ -e $d ]] && echo "state folder $d"; done
  processes_matching "*/var/tmp/cmw-*-test-$pid.*" | while read -r p cmd; do echo "process $p: ${cmd:0:160}"; done
  true
}

# clear_dead_runs: what a run killed before its cleanups (a session stopped, a machine reset)
# left: the containers, state folders and processes of suite pids that no longer run, and the
# fleet drill's packet rules tagged with such a pid. Left running, an old agent would keep
# connecting to the ports the next run's suites use.
clear_dead_runs() {
  local name pid d p rule words
  for name in $(docker ps -a --format '{{.Names}}' 2>/dev/null | grep -E '^cmw-t[0-9]+-'); do
    pid=${name#cmw-t}; pid=${pid%%-*}
    [[ -d /proc/$pid ]] || { echo "removing container $name (its run $pid ended)"; docker rm -f "$name" >/dev/null; }
  done
  for d in /var/tmp/cmw-*-test-[0-9]*.*; do
    [[ -e $d ]] || continue
    pid=${d##*-test-}; pid=${pid%%.*}
    [[ -d /proc/$pid ]] && continue
    for p in $(processes_matching "*$d*" | cut -d' ' -f1); do kill -9 "$p" 2>/dev/null; done
    echo "removing state folder $d (its run $pid ended)"; rm -rf "$d"
  done
  iptables -w 5 -S OUTPUT 2>/dev/null | grep -E -- '--comment "?cmw-test-[0-9]+' | while read -r rule; do
    pid=$(grep -oE 'cmw-test-[0-9]+' <<<"$rule"); pid=${pid#cmw-test-}
    # The rule's words, unquoted (none has a space): "-A OUTPUT ..." becomes "-D OUTPUT ...".
    read -ra words <<<"${rule//\"/}"
    [[ -d /proc/$pid ]] || iptables -w 5 -D "${words[@]:1}"
  done
  true
}
clear_dead_runs

passed=0; failed=0; failed_names=()
run_suite() {
  local name="$1" start rc pidfile left
  start=$(date +%s)
  cmw_say "suite: $name"
  if [[ $name == unit ]]; then
    npx tsc --noEmit -p . && npx jest --ci
    rc=$?
  else
    local script
    script=$(ls "tests/$name"/*.test.sh 2>/dev/null | head -n1)
    [[ -n $script ]] || { echo "not ok - no test script under tests/$name"; return 1; }
    # The suite keeps this shell's pid (exec), so its leftovers can be found by it afterwards.
    pidfile=$(mktemp)
    bash -c 'echo $$ > "$1"; exec bash "$2"' suite "$pidfile" "$script"
    rc=$?
    left=$(leftovers_of "$(<"$pidfile")")
    rm -f "$pidfile"
    [[ $name != smoke ]] || left+=$(docker ps -a --format '{{.Names}}' 2>/dev/null | grep '^cmw-smoke-' | sed 's/^/container /')
    if [[ -n $left ]]; then
      echo "not ok - suite $name left these behind:"; sed 's/^/    /' <<<"$left"
      rc=1
    fi
  fi
  echo "suite $name: $([[ $rc == 0 ]] && echo ok || echo FAILED) in $(( $(date +%s) - start )) s"
  return $rc
}
beside_pids=(); beside_names=(); beside_logs=()
for s in "${selected[@]}"; do
  if [[ " ${BESIDE[*]} " == *" $s "* && ${#selected[@]} -gt 1 ]]; then
    log=$(mktemp)
    run_suite "$s" > "$log" 2>&1 &
    beside_pids+=($!); beside_names+=("$s"); beside_logs+=("$log")
    cmw_say "suite: $s runs beside the next ones (its output follows when it ends)"
    continue
  fi
  if run_suite "$s"; then passed=$((passed + 1)); else failed=$((failed + 1)); failed_names+=("$s"); fi
done
for i in "${!beside_pids[@]}"; do
  wait "${beside_pids[i]}"; rc=$?
  cat "${beside_logs[i]}"; rm -f "${beside_logs[i]}"
  if ((rc == 0)); then passed=$((passed + 1)); else failed=$((failed + 1)); failed_names+=("${beside_names[i]}"); fi
done

((failed)) && echo "failed suites: ${failed_names[*]}"
echo "suites: $passed passed, $failed failed"
((failed == 0))
