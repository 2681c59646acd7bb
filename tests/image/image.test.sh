#!/usr/bin/env bash
# The Kafka Connect image: builds (idempotently), five Debezium connectors, Java 17+, non-root,
# heap from the container's memory limit, worker properties escaped safely, a health check.
# (A worker from it listing the five connector classes over REST is in the smoke suite.)
set -uo pipefail
source "$(dirname "$0")/../../scripts/env.sh"
source "$CMW_ROOT/tests/lib/tap.sh"
source "$CMW_ROOT/tests/lib/platform.sh"
platform_up

image=$(bash "$CMW_ROOT/platform/connect-image/build.sh" | tail -n1)
check "the image builds: $image" docker image inspect "$image"
start=$(date +%s)
check "a second build reuses it" bash -c "[[ \$(bash '$CMW_ROOT/platform/connect-image/build.sh' 2>/dev/null | tail -n1) == '$image' ]]"
echo "# warm build check took $(( $(date +%s) - start )) s"
check "runs as a non-root user" bash -c "[[ \$(docker run --rm --entrypoint id '$image' -u) != 0 ]]"
check "Java 17 or newer" bash -c "docker run --rm --entrypoint java '$image' -version 2>&1 | grep -qE 'version \"(1[7-9]|2[0-9])'"
for plugin in debezium-connector-sqlserver debezium-connector-mysql debezium-connector-mariadb debezium-connector-postgres debezium-connector-jdbc; do
  check "plugin directory $plugin is installed" docker run --rm --entrypoint test "$image" -d "/opt/connect/plugins/$plugin"
done
check "heap follows the memory limit (1 GiB → max heap 55-65 % of it)" bash -c "
  max=\$(docker run --rm --memory 1g --entrypoint java '$image' -XX:MaxRAMPercentage=60.0 -XX:+PrintFlagsFinal -version 2>/dev/null | awk '/ MaxHeapSize /{print \$4}')
  (( max > 590000000 && max < 700000000 ))"
check "the entrypoint uses that percentage unless told otherwise" grep -q 'MaxRAMPercentage=60.0' "$CMW_ROOT/platform/connect-image/entrypoint.sh"
# Every character a value may hold, read back by java.util.Properties exactly as it was given.
tricky=$' lead=x:y#z!w \\ back\ttab "q" \'s A&E — Hôpital 𝄞 end '
worker_properties_round_trip() {
  local file; file=$(mktemp)
  docker run --rm -e CONNECT_CLIENT_ID="$tricky" --entrypoint /opt/connect/worker-properties.sh "$image" > "$file" \
    && [[ $(java "$CMW_ROOT/tests/lib/ReadProperties.java" "$file" client.id) == "$tricky" ]]
  local rc=$?; cat "$file"; rm -f "$file"; return $rc
}
check "worker properties give back any value exactly (separators, backslashes, quotes, non-ASCII)" worker_properties_round_trip
check "a health check is declared on the REST API" bash -c "docker image inspect -f '{{json .Config.Healthcheck.Test}}' '$image' | grep -q 'curl'"
tap_summary
