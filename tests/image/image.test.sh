#!/usr/bin/env bash
# The Kafka Connect image: builds (idempotently), five Debezium connectors, Java 17+, non-root,
# heap from the container's memory limit, worker properties escaped safely, a health check; the
# record signing transforms: their unit tests (Maven), a worker from the image lists them, and a
# JDBC sink with VerifyRecord dead-letters unsigned and forged records with the reason, and writes
# a record signed as an agent signs it.
# (A worker from it listing the five connector classes over REST is in the smoke suite.)
set -uo pipefail
source "$(dirname "$0")/../../scripts/env.sh"
source "$CMW_ROOT/tests/lib/tap.sh"
source "$CMW_ROOT/tests/lib/platform.sh"
source "$CMW_ROOT/tests/lib/kafka.sh"
platform_up

work=$(mktemp -d)
worker="cmw-image-test-$$"
warehouse() { PGPASSWORD=$(cat "$PG_ADMIN_PASSWORD_FILE") psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_ADMIN_USER" -d postgres -Atc "$1"; }
delete_sink_group() {
  kafka_java org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --bootstrap-server "$KAFKA_BOOTSTRAP" \
    --command-config "$KAFKA_ADMIN_PROPERTIES" --delete --group "connect-$worker-sink" 2>&1 | grep -q 'was successful'
}
cleanup() {
  # The sink's task leaves its consumer group when the connector is deleted; a killed worker's
  # member would keep the group until its session times out.
  if curl -fsS -X DELETE "http://127.0.0.1:${rest_port:-0}/connectors/$worker-sink" >/dev/null 2>&1; then
    for _ in $(seq 1 15); do delete_sink_group && break; sleep 1; done
  fi
  docker rm -f "$worker" >/dev/null 2>&1
  [[ -n ${table:-} ]] && warehouse "drop table if exists $table" >/dev/null 2>&1
  for t in config offset status data dlq; do
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
transforms_version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$CMW_ROOT/platform/connect-image/transforms/pom.xml")
secrets_file=/etc/kafka-connect/secrets/image-test.properties
container_ca=/etc/kafka-connect/tls/kafka-ca.pem
(umask 077; {
  echo "CONNECT_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP"
  echo "CONNECT_REST_PORT=$rest_port"
  echo "CONNECT_GROUP_ID=$worker"
  for t in config offset status; do
    echo "CONNECT_${t^^}_STORAGE_TOPIC=$worker-$t"
    echo "CONNECT_${t^^}_STORAGE_REPLICATION_FACTOR=1"
  done
  for prefix in "" PRODUCER_ CONSUMER_ ADMIN_; do
    # The platform's TLS (its CA mounted beside the secrets), or its explicit plaintext opt-out.
    if [[ $PLATFORM_TLS == on ]]; then
      echo "CONNECT_${prefix}SECURITY_PROTOCOL=SASL_SSL"
      echo "CONNECT_${prefix}SSL_TRUSTSTORE_TYPE=PEM"
      echo "CONNECT_${prefix}SSL_TRUSTSTORE_LOCATION=$container_ca"
    else
      echo "CONNECT_${prefix}SECURITY_PROTOCOL=SASL_PLAINTEXT"
    fi
    echo "CONNECT_${prefix}SASL_MECHANISM=SCRAM-SHA-512"
    echo "CONNECT_${prefix}SASL_JAAS_CONFIG=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$KAFKA_ADMIN_USER\" password=\"\${file:$secrets_file:kafka.password}\";"
  done
  echo "CONNECT_SECRETS_FILE=$secrets_file"
  echo "CONNECT_SECRET_KAFKA_PASSWORD=$(cat "$KAFKA_ADMIN_PASSWORD_FILE")"
  echo "CONNECT_SECRET_PG_PASSWORD=$(cat "$PG_ADMIN_PASSWORD_FILE")"
} > "$work/worker.env")
# The sink's keys file: one test facility with a throwaway key (readable by the worker's user).
keys_file=/etc/cmw-image-test/facility-keys.properties
fac_a_secret=$(head -c 32 /dev/urandom | base64)
printf 'FAC-A=g1=%s\n' "$fac_a_secret" > "$work/facility-keys.properties"
chmod 644 "$work/facility-keys.properties"
ca_mount=()
[[ $PLATFORM_TLS == on ]] && ca_mount=(-v "$CA_FILE:$container_ca:ro")
docker run -d --name "$worker" --network host --memory 1g --env-file "$work/worker.env" \
  -v "$work/facility-keys.properties:$keys_file:ro" "${ca_mount[@]}" "$image" >/dev/null
plugins=""
for _ in $(seq 1 90); do
  plugins=$(curl -fsS "http://127.0.0.1:$rest_port/connector-plugins?connectorsOnly=false" 2>/dev/null) && break
  sleep 2
done
[[ -n $plugins ]] || docker logs --tail 30 "$worker" 2>&1 | sed 's/^/    # /'
for class in org.clinicmaster.warehouse.connect.transforms.SignRecord org.clinicmaster.warehouse.connect.transforms.VerifyRecord; do
  check "the worker lists the transformation $class at the module's version" \
    jq -e --arg c "$class" --arg v "$transforms_version" \
      'any(.[]; .class == $c and .type == "transformation" and .version == $v)' <<<"$plugins"
done

# A JDBC sink with VerifyRecord first, as the central sink runs it: records that are unsigned,
# forged, or claim a facility without a key go to its DLQ, the reason in the context headers.
data_topic="$worker-data"
dlq_topic="$worker-dlq"
kafka_topics "$KAFKA_ADMIN_PROPERTIES" --create --topic "$data_topic" --partitions 1 --replication-factor 1 >/dev/null
table="cmw_image_test_$$"
sink_config=$(jq -n --arg table "$table" --arg topic "$data_topic" --arg dlq "$dlq_topic" --arg keys "$keys_file" \
  --arg url "jdbc:postgresql://$PG_HOST:$PG_PORT/postgres?sslmode=$PG_SSLMODE$([[ $PLATFORM_TLS == on ]] && echo "&sslrootcert=$container_ca")" --arg user "$PG_ADMIN_USER" \
  --arg password "\${file:$secrets_file:pg.password}" '{
    "connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector",
    "tasks.max": "1", "topics": $topic,
    "connection.url": $url, "connection.username": $user, "connection.password": $password,
    "insert.mode": "upsert", "primary.key.mode": "record_key", "delete.enabled": "true",
    "schema.evolution": "basic", "collection.name.format": $table,
    "transforms": "verify",
    "transforms.verify.type": "org.clinicmaster.warehouse.connect.transforms.VerifyRecord",
    "transforms.verify.keys.file": $keys,
    "errors.tolerance": "all", "errors.deadletterqueue.topic.name": $dlq,
    "errors.deadletterqueue.topic.replication.factor": "1",
    "errors.deadletterqueue.context.headers.enable": "true"}')
check "the sink with VerifyRecord is accepted" curl -fsS -X PUT -H 'Content-Type: application/json' \
  --data "$sink_config" "http://127.0.0.1:$rest_port/connectors/$worker-sink/config"
# kafka_record ID CODE: a Debezium-shaped key and value (schemas enabled), "key|value".
kafka_record() {
  local key value
  key=$(jq -nc --argjson id "$1" --arg code "$2" '{schema: {type: "struct", optional: false, fields: [
    {field: "id", type: "int32", optional: false}, {field: "facility_dhis2_code", type: "string", optional: false}]},
    payload: {id: $id, facility_dhis2_code: $code}}')
  value=$(jq -nc --argjson id "$1" --arg code "$2" '{schema: {type: "struct", optional: false, fields: [
    {field: "id", type: "int32", optional: false}, {field: "facility_dhis2_code", type: "string", optional: false},
    {field: "names", type: "string", optional: true}]}, payload: {id: $id, facility_dhis2_code: $code, names: "Okello"}}')
  printf '%s|%s' "$key" "$value"
}
forged="cmw.sig:v1:g1:$(head -c 32 /dev/zero | base64)"
{ printf '%s\t%s\n' "$forged" "$(kafka_record 1 FAC-A)"; printf '%s\t%s\n' "$forged" "$(kafka_record 2 FAC-Z)"; } |
  kafka_console_produce "$KAFKA_ADMIN_PROPERTIES" "$data_topic" --property parse.headers=true \
    --property parse.key=true --property 'key.separator=|' >/dev/null
printf '%s\n' "$(kafka_record 3 FAC-A)" |
  kafka_console_produce "$KAFKA_ADMIN_PROPERTIES" "$data_topic" --property parse.key=true --property 'key.separator=|' >/dev/null
kafka_java org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$KAFKA_BOOTSTRAP" \
  --consumer.config "$KAFKA_ADMIN_PROPERTIES" --topic "$dlq_topic" --from-beginning --max-messages 3 \
  --timeout-ms 50000 --property print.headers=true > "$work/dlq.txt" 2>/dev/null
for reason in "signature does not match facility FAC-A's keys (altered, or signed by another facility)" \
  "no key for facility FAC-Z" "unsigned record"; do
  check "the DLQ has a record refused with: $reason" grep -qF "__connect.errors.exception.message:$reason" "$work/dlq.txt"
done

# A record signed as FAC-A's agent signs it (SignRecord, then the agent's JsonConverter) passes and
# becomes a row; the fixture runs in the image, on its Connect jars, the secret on its stdin.
names="Akello — Hôpital St. Mary's"
signed_row_arrives() {
  local row=""
  for _ in $(seq 1 30); do
    row=$(warehouse "select names from $table where id = 4 and facility_dhis2_code = 'FAC-A'" 2>&1)
    [[ $row == "$names" ]] && return 0
    sleep 2
  done
  echo "row: $row"; cat "$work/fixture.err"
  return 1
}
printf '%s\n' "$fac_a_secret" | docker run --rm -i --user 0 -e LANG=C.UTF-8 --entrypoint java -v "$work/transforms-build:/fixture:ro" "$image" \
  -cp '/opt/connect/lib/*:/fixture/classes:/fixture/test-classes' \
  org.clinicmaster.warehouse.connect.transforms.SignedRecordLine FAC-A g1 4 "$names" 2>"$work/fixture.err" |
  kafka_console_produce "$KAFKA_ADMIN_PROPERTIES" "$data_topic" --property parse.headers=true \
    --property parse.key=true --property 'key.separator=|' >/dev/null
check "a record signed with FAC-A's key becomes a row, intact" signed_row_arrives
dlq_depth_is() {
  local depth; depth=$(kafka_topic_depth "$KAFKA_ADMIN_PROPERTIES" "$dlq_topic")
  [[ $depth == "$1" ]] || { echo "DLQ depth $depth"; return 1; }
}
check "and nothing more went to the DLQ" dlq_depth_is 3
tap_summary
