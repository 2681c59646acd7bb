#!/usr/bin/env bash
# The worker's agent: once the REST API answers, creates or updates every connector described in
# $CONNECT_AGENT_CONNECTORS_DIR/<name>.json (a flat config object; PUT is idempotent), then keeps
# watching and restarts FAILED connectors and tasks with exponential backoff, so a database or
# network outage heals by itself once the cause is gone.
set -uo pipefail
DIR="${CONNECT_AGENT_CONNECTORS_DIR:-/etc/connect-agent/connectors}"
POLL="${CONNECT_AGENT_POLL_SECONDS:-15}"
BACKOFF_MIN="${CONNECT_AGENT_BACKOFF_MIN_SECONDS:-10}"
BACKOFF_MAX="${CONNECT_AGENT_BACKOFF_MAX_SECONDS:-300}"
API="http://127.0.0.1:${CONNECT_REST_PORT:-8083}"

log() { echo "[$(date -u +%FT%TZ)] agent: $*"; }

until curl -fsS "$API/" >/dev/null 2>&1; do sleep 2; done
log "REST API is up at $API"

register() {
  local file name
  for file in "$DIR"/*.json; do
    [[ -e $file ]] || continue
    name="$(basename "$file" .json)"
    # Connect validates the config (and reaches the database) before accepting it: until the
    # database answers, say why and try again.
    until reply=$(curl -sS -X PUT -H 'Content-Type: application/json' --data-binary "@$file" \
        -w '\n%{http_code}' "$API/connectors/$name/config" 2>&1) && [[ ${reply##*$'\n'} == 20? ]]; do
      log "could not register connector $name yet ($(jq -r '.message // empty' <<<"${reply%$'\n'*}" 2>/dev/null | head -c 400 || true)); retrying in 10 s"
      sleep 10
    done
    log "connector $name registered (create or update)"
  done
}
register

declare -A next_try=() delay=()
while sleep "$POLL"; do
  status=$(curl -fsS "$API/connectors?expand=status" 2>/dev/null) || continue
  now=$(date +%s)
  while read -r name failed; do
    [[ -n $name ]] || continue
    if [[ $failed == 0 ]]; then unset "delay[$name]" "next_try[$name]"; continue; fi
    (( now < ${next_try[$name]:-0} )) && continue
    d=${delay[$name]:-$BACKOFF_MIN}
    log "connector $name has failed parts; restarting them (next try in ${d}s if it fails again)"
    curl -fsS -X POST "$API/connectors/$name/restart?includeTasks=true&onlyFailed=true" >/dev/null || true
    next_try[$name]=$((now + d))
    delay[$name]=$(( d * 2 > BACKOFF_MAX ? BACKOFF_MAX : d * 2 ))
  done < <(jq -r 'to_entries[] | "\(.key) \([.value.status.connector.state, (.value.status.tasks[]?.state)] | map(select(. == "FAILED")) | length)"' <<<"$status")
done
