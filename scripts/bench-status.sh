#!/usr/bin/env bash
# Benchmark of `npm run status` on the local stack of scripts/up.sh: wall time and peak memory
# (RSS) of one look at the fleet, for the demo facilities and with N more facility files whose
# hosts refuse SSH (what each facility adds: an SSH attempt, a status-topic read, a heartbeat
# offset). Prints numbers; judges nothing.
#   bash scripts/bench-status.sh [N ...]     default: 0 25 100
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CMW_ROOT"
bash platform/platform.sh status >/dev/null 2>&1 || cmw_die "the local platform is not running: bash scripts/up.sh first"
export PULUMI_BACKEND_URL="file://$CMW_STATE/pulumi/backend" PULUMI_CONFIG_PASSPHRASE_FILE="$CMW_STATE/secrets/pulumi-passphrase"
npx tsc -p . >/dev/null
work=$(mktemp -d); cmw_on_exit rm -rf "$work"

# look DIR: "seconds peak-RSS-MiB" of one status run over the facility files of DIR (median of 3).
look() {
  local runs=() i
  for i in 1 2 3; do
    /usr/bin/time -f '%e %M' -o "$work/time" node bin/ops/status/cli.js --stack local --dir "$1" --state-file "$work/state.json" >/dev/null 2>&1 || true
    runs+=("$(tail -n1 "$work/time")") # the last line: time adds one when the status is unhealthy
  done
  printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p | awk '{printf "%s %.0f\n", $1, $2 / 1024}'
}

printf '%-12s %-10s %-10s %s\n' facilities seconds rss_mib "(median of 3; extra facilities on hosts that refuse SSH)"
for extra in "${@:-0 25 100}"; do
  for n in $extra; do
    dir="$work/facilities-$n"; mkdir -p "$dir"; cp demo/facilities/*.yaml "$dir/"
    for i in $(seq 1 "$n"); do
      jq -n --arg code "BENCH-$i" --argjson rest $((30000 + i)) \
        '{name: "Bench clinic", dhis2Code: $code, host: "ssh://root@127.0.0.1:1", restPort: $rest,
          source: {engine: "mariadb", host: "127.0.0.1", database: "ClinicMaster", user: "debezium", passwordSecret: "demo-kyaka-db-password"}}' \
        > "$dir/bench-$i.yaml"
    done
    read -r secs rss < <(look "$dir")
    printf '%-12s %-10s %-10s\n' "$((n + $(ls demo/facilities/*.yaml | wc -l)))" "$secs" "$rss"
  done
done
