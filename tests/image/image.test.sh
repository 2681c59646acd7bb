#!/usr/bin/env bash
# The Kafka Connect image: builds (idempotently), five Debezium connectors, Java 17+, non-root,
# heap from the container's memory limit, worker properties escaped safely, a health check; the
# record signing transforms: their unit tests (Maven), a worker from the image lists them, and a
# JDBC sink with VerifyRecord (its signing master from the worker's secrets file) dead-letters
# unsigned, forged, other-facility and retired-key records with the reason, and writes records
# signed as an agent signs them: with a key derived by openssl (an independent implementation of
# the derivation), and by SignLines inside the worker.
# (A worker from it listing the five connector classes over REST is in the smoke suite.)
set -uo pipefail
source "$(dirname "$0")/../../scripts/env.sh"
source "$CMW_ROOT/tests/lib/tap.sh"
source "$CMW_ROOT/tests/lib/platform.sh"
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

# The transforms' unit tests: the key derivation's vectors, round trip of every column type, every
# refusal, rotation, SignLines, and the 100,000-record timing of sign and verify (its line is
# printed here).
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
signing_master=$(head -c 36 /dev/urandom | base64)
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
  # The sink's signing master (a throwaway one), as signing.master in the same secrets file.
  echo "CONNECT_SECRET_SIGNING_MASTER=$signing_master"
} > "$work/worker.env")
ca_mount=()
[[ $PLATFORM_TLS == on ]] && ca_mount=(-v "$CA_FILE:$container_ca:ro")
docker run -d --name "$worker" --network host --memory 1g --env-file "$work/worker.env" \
  "${ca_mount[@]}" "$image" >/dev/null
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

# A JDBC sink with VerifyRecord first, as the central sink runs it: the master from the secrets
# file (FileConfigProvider), FAC-A rotated to g3 so its g1 key is retired (min.generations); records
# that are unsigned, forged, signed with another facility's key or a retired one go to its DLQ,
# the reason in the context headers.
data_topic="$worker-data"
dlq_topic="$worker-dlq"
kafka_topics "$KAFKA_ADMIN_PROPERTIES" --create --topic "$data_topic" --partitions 1 --replication-factor 1 >/dev/null
table="cmw_image_test_$$"
sink_config=$(jq -n --arg table "$table" --arg topic "$data_topic" --arg dlq "$dlq_topic" \
  --arg master "\${file:$secrets_file:signing.master}" \
  --arg url "jdbc:postgresql://$PG_HOST:$PG_PORT/postgres?sslmode=$PG_SSLMODE$([[ $PLATFORM_TLS == on ]] && echo "&sslrootcert=$container_ca")" --arg user "$PG_ADMIN_USER" \
  --arg password "\${file:$secrets_file:pg.password}" '{
    "connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector",
    "tasks.max": "1", "topics": $topic,
    "connection.url": $url, "connection.username": $user, "connection.password": $password,
    "insert.mode": "upsert", "primary.key.mode": "record_key", "delete.enabled": "true",
    "schema.evolution": "basic", "collection.name.format": $table,
    "transforms": "verify",
    "transforms.verify.type": "org.clinicmaster.warehouse.connect.transforms.VerifyRecord",
    "transforms.verify.master": $master,
    "transforms.verify.min.generations": "FAC-A=2",
    "errors.tolerance": "all", "errors.deadletterqueue.topic.name": $dlq,
    "errors.deadletterqueue.topic.replication.factor": "1",
    "errors.deadletterqueue.context.headers.enable": "true"}')
check "the sink with VerifyRecord is accepted" curl -fsS -X PUT -H 'Content-Type: application/json' \
  --data "$sink_config" "http://127.0.0.1:$rest_port/connectors/$worker-sink/config"
config_shows_reference() {
  local config; config=$(curl -fsS "http://127.0.0.1:$rest_port/connectors/$worker-sink/config") || return 1
  jq -e --arg ref "\${file:$secrets_file:signing.master}" '."transforms.verify.master" == $ref' <<<"$config" >/dev/null &&
    no_secret_in "$signing_master" <<<"$config"
}
check "its config shows the master's reference, never the master" config_shows_reference

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
produce_lines() {
  kafka_console_produce "$KAFKA_ADMIN_PROPERTIES" "$data_topic" --property parse.headers=true \
    --property parse.key=true --property 'key.separator=|' >/dev/null
}
# facility_key CODE N: the facility's key of generation N as its agent is given it, derived from
# the master here with openssl (the transforms derive it in Java). The master on openssl's
# command line is this suite's throwaway one.
facility_key() {
  printf 'cmw.sign.key.v1\n%s\ng%s' "$1" "$2" | openssl dgst -sha256 -hmac "$signing_master" -binary | base64
}
# signed_fixture CODE KEY_ID ID NAMES < KEY: the console-producer line of a record signed as an
# agent signs it (SignRecord, then the agent's JsonConverter); the fixture runs in the image, on
# its Connect jars, the key on its stdin.
signed_fixture() {
  docker run --rm -i --user 0 -e LANG=C.UTF-8 --entrypoint java -v "$work/transforms-build:/fixture:ro" "$image" \
    -cp '/opt/connect/lib/*:/fixture/classes:/fixture/test-classes' \
    org.clinicmaster.warehouse.connect.transforms.SignedRecordLine "$@" 2>>"$work/fixture.err"
}
# sign_lines_in_worker ARGS... < JSON lines: SignLines inside the worker, with the master from
# its secrets file (no key leaves the container); stdout its JSON lines, stderr to a file.
sign_lines_cp='/opt/connect/lib/*:/opt/connect/plugins/cmw-connect-transforms/*'
sign_lines_in_worker() {
  docker exec -i "$worker" java -cp "$sign_lines_cp" org.clinicmaster.warehouse.connect.transforms.SignLines "$@" \
    2>>"$work/sign-lines.err"
}
# as_producer_lines: SignLines' JSON lines → console-producer lines `cmw.sig:<signature>TAB key|value`.
as_producer_lines() { jq -r '"\(.header):\(.signature)\t\(.key)|\(.value)"'; }

# FAC-A's g3 key, as FAC-A's agent holds it after its second rotation.
fac_a_key=$(facility_key FAC-A 3)
# 1: forged; 2: FAC-B's host signing a FAC-A row with its own key (SignRecord's check bypassed);
# 3: unsigned; 5: signed by SignLines with FAC-A's retired g1 key.
forged="cmw.sig:v1:g3:$(head -c 16 /dev/zero | base64 | tr -d =)"
printf '%s\t%s\n' "$forged" "$(kafka_record 1 FAC-A)" | produce_lines
facility_key FAC-B 3 | signed_fixture FAC-A g3 2 "Okello" | produce_lines
printf '%s\n' "$(kafka_record 3 FAC-A)" |
  kafka_console_produce "$KAFKA_ADMIN_PROPERTIES" "$data_topic" --property parse.key=true --property 'key.separator=|' >/dev/null
sign_lines_retired() {
  kafka_record 5 FAC-A | jq -Rc 'index("|") as $i | {key: .[:$i], value: .[$i + 1:], generation: 1}' |
    sign_lines_in_worker --master-file "$secrets_file" > "$work/retired.json" || { cat "$work/sign-lines.err"; return 1; }
  jq -e '.signature | startswith("v1:g1:")' "$work/retired.json" >/dev/null && as_producer_lines < "$work/retired.json" | produce_lines
}
check "SignLines in the worker signs a record with FAC-A's g1 key (the master from the secrets file)" sign_lines_retired
kafka_java org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$KAFKA_BOOTSTRAP" \
  --consumer.config "$KAFKA_ADMIN_PROPERTIES" --topic "$dlq_topic" --from-beginning --max-messages 4 \
  --timeout-ms 50000 --property print.headers=true --property print.key=true --property print.value=false \
  --property line.separator=@@END-OF-RECORD@@ > "$work/dlq.txt" 2>/dev/null
# dlq_has ID REASON: the DLQ has the record with key id ID, refused with REASON (records are
# separated by a marker: the stack trace header spans lines).
dlq_has() {
  ID="\"payload\":{\"id\":$1," REASON="__connect.errors.exception.message:$2" awk 'BEGIN { RS = "@@END-OF-RECORD@@" }
    index($0, ENVIRON["ID"]) && index($0, ENVIRON["REASON"]) { found = 1 } END { exit !found }' "$work/dlq.txt" ||
    { grep -oE '__connect.errors.exception.message:[^,]*|"payload":\{"id":[0-9]+' "$work/dlq.txt"; return 1; }
}
mismatch="signature does not match facility FAC-A's keys (altered, or signed by another facility)"
check "the DLQ has the forged record, refused with: $mismatch" dlq_has 1 "$mismatch"
check "the DLQ has FAC-A's row signed with FAC-B's key, refused with: $mismatch" dlq_has 2 "$mismatch"
check "the DLQ has the unsigned record, refused with: unsigned record" dlq_has 3 "unsigned record"
retired="key g1 of facility FAC-A is retired (signatures from g2 on are accepted)"
check "the DLQ has the record signed with a retired key, refused with: $retired" dlq_has 5 "$retired"

# Records signed as FAC-A's and FAC-B's agents sign them pass and become rows: FAC-A's with the
# key openssl derived (the agent's SignRecord in the fixture), FAC-B's (a facility the sink's
# config does not name) by SignLines; a missing master file is SignLines' exit 2.
names="Akello — Hôpital St. Mary's"
printf '%s\n' "$fac_a_key" | signed_fixture FAC-A g3 4 "$names" | produce_lines
sign_lines_fac_b() {
  kafka_record 6 FAC-B | jq -Rc 'index("|") as $i | {key: .[:$i], value: .[$i + 1:]}' |
    sign_lines_in_worker --master-file "$secrets_file" > "$work/fac-b.json" || { cat "$work/sign-lines.err"; return 1; }
  jq -e 'keys == ["header", "key", "signature", "value"] and .header == "cmw.sig"
    and (.signature | test("^v1:g1:[A-Za-z0-9+/]{22}$")) and (.key | fromjson | .payload.facility_dhis2_code == "FAC-B")' \
    "$work/fac-b.json" >/dev/null || { cat "$work/fac-b.json"; return 1; }
  as_producer_lines < "$work/fac-b.json" | produce_lines
}
check "SignLines signs FAC-B's record: one JSON line, sorted keys, header cmw.sig, a g1 signature" sign_lines_fac_b
row_arrives() {
  local row=""
  for _ in $(seq 1 30); do
    row=$(warehouse "select names from $table where id = $1 and facility_dhis2_code = '$2'" 2>&1)
    [[ $row == "$3" ]] && return 0
    sleep 2
  done
  echo "row: $row"; cat "$work/fixture.err" "$work/sign-lines.err" 2>/dev/null
  return 1
}
check "a record signed with FAC-A's g3 key (derived by openssl) becomes a row, intact" row_arrives 4 FAC-A "$names"
check "a record signed by SignLines as FAC-B becomes a row" row_arrives 6 FAC-B "Okello"
dlq_depth_is() {
  local depth; depth=$(kafka_topic_depth "$KAFKA_ADMIN_PROPERTIES" "$dlq_topic")
  [[ $depth == "$1" ]] || { echo "DLQ depth $depth"; return 1; }
}
check "and nothing more went to the DLQ" dlq_depth_is 4
sign_lines_without_master() {
  local rc=0
  sign_lines_in_worker --master-file /etc/kafka-connect/secrets/absent.properties </dev/null >/dev/null || rc=$?
  ((rc == 2)) && tail -n1 "$work/sign-lines.err" | grep -qF '/etc/kafka-connect/secrets/absent.properties' || { echo "exit $rc"; cat "$work/sign-lines.err"; return 1; }
}
check "SignLines without its master file exits 2, naming the file" sign_lines_without_master
secrets_not_printed() {
  cat "$work/retired.json" "$work/fac-b.json" "$work/sign-lines.err" "$work/fixture.err" "$work/dlq.txt" |
    no_secret_in "$signing_master" "$fac_a_key" "$(facility_key FAC-A 1)" "$(facility_key FAC-B 1)"
}
check "neither SignLines, the fixture nor the DLQ shows the master or a facility's key" secrets_not_printed
tap_summary
