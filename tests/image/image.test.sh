#!/usr/bin/env bash
# The Kafka Connect image: builds (idempotently), five Debezium connectors, Java 17+, non-root,
# heap from the container's memory limit, worker properties escaped safely, a health check; the
# record signing transforms: their unit tests (Maven), and a worker from the image lists them.
# (A worker from it listing the five connector classes over REST is in the smoke suite.)
set -uo pipefail
source "$(dirname "$0")/../../scripts/env.sh"
source "$CMW_ROOT/tests/lib/tap.sh"
source "$CMW_ROOT/tests/lib/platform.sh"
source "$CMW_ROOT/tests/lib/kafka.sh"
platform_up

work=$(mktemp -d)
worker="cmw-image-test-$$"
cleanup() {
  docker rm -f "$worker" >/dev/null 2>&1
  for t in configs offsets status; do
    kafka_topics "$KAFKA_ADMIN_PROPERTIES" --delete --if-exists --topic "$worker-$t" >/dev/null 2>&1
  done
  rm -rf "$work"
}
trap cleanup EXIT

# The transforms' unit tests: round trip of every column type, every refusal, rotation, and the
# 100,000-record timing of sign and verify (its line is printed here).
transforms_tests() {
  mvn -B -f "$CMW_ROOT/platform/connect-image/transforms/pom.xml" -Dmaven.repo.local="$CMW_CACHE/maven" \
    -Dcmw.build.dir="$work/transforms-build" test >"$work/transforms-tests.log" 2>&1
  local rc=$?
  ((rc == 0)) || { grep -E 'FAIL|ERROR\]' "$work/transforms-tests.log" | head -n 20; return 1; }
}
start=$(date +%s)
check "the signing transforms' unit tests pass" transforms_tests
echo "# transforms unit tests took $(( $(date +%s) - start )) s: $(grep -E 'Tests run: [0-9]+, Failures' "$work/transforms-tests.log" | tail -n1 | sed 's/^\[[A-Z]*\] //')"
grep -E '^signing cost:' "$work/transforms-tests.log" | sed 's/^/# /'

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
check "the signing transforms are alone in their plugin folder" bash -c "
  [[ \$(docker run --rm --entrypoint ls '$image' /opt/connect/plugins/cmw-connect-transforms) == cmw-connect-transforms-*.jar ]]"

# A worker from the image, on the platform's broker, lists both transforms. The admin password
# reaches it through the secrets file (an env file, mode 600), never a command line.
rest_port=18097
secrets_file=/etc/kafka-connect/secrets/image-test.properties
(umask 077; {
  echo "CONNECT_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP"
  echo "CONNECT_REST_PORT=$rest_port"
  echo "CONNECT_GROUP_ID=$worker"
  for t in config offset status; do
    echo "CONNECT_${t^^}_STORAGE_TOPIC=$worker-${t}s"
    echo "CONNECT_${t^^}_STORAGE_REPLICATION_FACTOR=1"
  done
  for prefix in "" PRODUCER_ CONSUMER_ ADMIN_; do
    echo "CONNECT_${prefix}SECURITY_PROTOCOL=SASL_PLAINTEXT"
    echo "CONNECT_${prefix}SASL_MECHANISM=SCRAM-SHA-512"
    echo "CONNECT_${prefix}SASL_JAAS_CONFIG=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$KAFKA_ADMIN_USER\" password=\"\${file:$secrets_file:kafka.password}\";"
  done
  echo "CONNECT_SECRETS_FILE=$secrets_file"
  echo "CONNECT_SECRET_KAFKA_PASSWORD=$(cat "$KAFKA_ADMIN_PASSWORD_FILE")"
} > "$work/worker.env")
docker run -d --name "$worker" --network host --memory 1g --env-file "$work/worker.env" "$image" >/dev/null
plugins=""
for _ in $(seq 1 90); do
  plugins=$(curl -fsS "http://127.0.0.1:$rest_port/connector-plugins?connectorsOnly=false" 2>/dev/null) && break
  sleep 2
done
for class in org.clinicmaster.warehouse.connect.transforms.SignRecord org.clinicmaster.warehouse.connect.transforms.VerifyRecord; do
  check "the worker lists the transformation $class" \
    jq -e --arg c "$class" 'any(.[]; .class == $c and .type == "transformation")' <<<"$plugins"
done
tap_summary
