#!/usr/bin/env bash
# Benchmark of the fleet at scale, on a private platform (the fleet suite's ports: do not run
# both at once): wall time and peak memory (summed RSS of pulumi, the program and the plugins)
# of `pulumi preview` with N new compose facility files, of `npm run rollout` creating M new
# compose facilities, and of the rollout removing them. Compose sites have no host, so what is
# measured is the engine, the program and Kafka (user, topics and ACLs per facility). Prints
# numbers; judges nothing.
#   bash scripts/bench-rollout.sh [PREVIEW_N [UP_M [PARALLEL]]]     default: 500 100 8
# PARALLEL is pulumi's --parallel for the preview and the rollouts (8 is Pulumi's default here:
# 4 per core).
source "$(dirname "$0")/env.sh" && source "$CMW_ROOT/tests/lib/suite.sh"
SUITE=bench-rollout KAFKA_PORT=27092 KAFKA_CONTROLLER_PORT=27093 PG_PORT=27432 SSH_PORT=2822
SRC_A_PORT=27306 SRC_B_PORT=27433 REST_A=27083 REST_B=27084 SINK_REST=27183
preview_n=${1:-500} up_m=${2:-100} parallel=${3:-8}
[[ $preview_n =~ ^[0-9]+$ && $up_m =~ ^[0-9]+$ && $parallel =~ ^[1-9][0-9]*$ ]] || cmw_die "PREVIEW_N, UP_M and PARALLEL take whole numbers"
facilities_up >/dev/null

# measure LABEL COMMAND...: "LABEL seconds peak-MiB exit" of the command, RSS of its whole
# process group sampled every 0.5 s.
measure() {
  local label=$1; shift
  local start peak=0 rss pgid rc
  start=$(date +%s.%N)
  setsid "$@" > "$PULUMI_TEST_WORK/$label.out" 2>&1 &
  pgid=$!
  while kill -0 "$pgid" 2>/dev/null; do
    rss=$(ps -o rss= -g "$pgid" 2>/dev/null | awk '{s += $1} END {print s + 0}')
    ((rss > peak)) && peak=$rss
    sleep 0.5
  done
  wait "$pgid"; rc=$?
  printf '%-28s %8.1f s %8d MiB  exit %s\n' "$label" "$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {print e - s}')" $((peak / 1024)) "$rc"
}
# compose_files N: N compose facility files (no host: nothing for Pulumi to reach but Kafka),
# each with its database password secret (set in one `pulumi config set-all`).
compose_files() {
  local i secrets=()
  for i in $(seq 1 "$1"); do
    jq -n --arg code "BENCH-$i" --argjson rest $((28000 + i)) --arg secret "bench-$i-db-password" \
      '{name: "Bench clinic", dhis2Code: $code, agent: "compose", restPort: $rest,
        source: {engine: "mariadb", host: "127.0.0.1", port: 3306, database: "ClinicMaster", user: "debezium", passwordSecret: $secret}}' \
      > "$facilities/bench-$i.yaml"
    secrets+=(--secret "bench-$i-db-password=bench-only")
  done
  pc config set-all "${secrets[@]}"
}

(cd "$CMW_ROOT" && npx tsc -p tsconfig.cli.json)
pc up --yes --non-interactive >/dev/null || cmw_die "the base stack (central, two facilities) did not come up"
echo "# $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, load $(cut -d' ' -f1 /proc/loadavg); base stack: central + 2 facilities; --parallel $parallel"
compose_files "$preview_n"
measure "preview +$preview_n facilities" pulumi preview --non-interactive --parallel "$parallel" --stack "$PULUMI_TEST_STACK" --config-file "$cfgfile"
rm -f "$facilities"/bench-*.yaml
compose_files "$up_m"
measure "rollout +$up_m facilities" node bin/ops/rollout/cli.js --parallel "$parallel" --stack "$PULUMI_TEST_STACK" --config-file "$cfgfile"
grep -E '^facilities:' "$PULUMI_TEST_WORK/rollout +$up_m facilities.out"
rm -f "$facilities"/bench-*.yaml
measure "rollout -$up_m facilities" node bin/ops/rollout/cli.js --parallel "$parallel" --stack "$PULUMI_TEST_STACK" --config-file "$cfgfile"
grep -E '^facilities:' "$PULUMI_TEST_WORK/rollout -$up_m facilities.out"
