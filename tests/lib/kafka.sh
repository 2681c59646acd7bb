# Kafka client helpers for the bash suites, on the Kafka CLI tools' main classes from the
# platform's Maven jars. Needs KAFKA_BOOTSTRAP and KAFKA_LIB (from `platform.sh env`).

# kafka_client_properties USER PASSWORD: SASL/SCRAM client settings on stdout.
kafka_client_properties() {
  printf '%s\n' \
    "security.protocol=SASL_PLAINTEXT" \
    "sasl.mechanism=SCRAM-SHA-512" \
    "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$1\" password=\"$2\";"
}

kafka_java() {
  java -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j2.level=WARN -cp "$KAFKA_LIB/*" "$@"
}

# kafka_produce PROPS TOPIC MESSAGE: fails when the broker refuses (auth, ACL) or the send fails.
kafka_produce() {
  local out
  out=$(printf '%s\n' "$3" | timeout 60 java -Xmx256m -XX:TieredStopAtLevel=1 -cp "$KAFKA_LIB/*" \
    org.apache.kafka.tools.ConsoleProducer --bootstrap-server "$KAFKA_BOOTSTRAP" \
    --producer.config "$1" --topic "$2" --producer-property acks=all \
    --producer-property max.block.ms=15000 --producer-property delivery.timeout.ms=20000 \
    --producer-property request.timeout.ms=10000 2>&1)
  local rc=$?
  printf '%s\n' "$out"
  ((rc == 0)) && ! grep -qE 'Exception|ERROR' <<<"$out"
}

# kafka_topics PROPS ARGS...: TopicCommand as the client in PROPS, failing fast on bad credentials.
kafka_topics() {
  local props="$1"; shift
  timeout 60 java -Xmx256m -XX:TieredStopAtLevel=1 -cp "$KAFKA_LIB/*" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$props" "$@"
}

# kafka_scram_user ADMIN_PROPS add|delete USER [PASSWORD]
kafka_scram_user() {
  local props="$1" op="$2" user="$3" password="${4:-}"
  local change=(--add-config "SCRAM-SHA-512=[iterations=8192,password=$password]")
  [[ $op == delete ]] && change=(--delete-config SCRAM-SHA-512)
  timeout 60 java -Xmx256m -XX:TieredStopAtLevel=1 -cp "$KAFKA_LIB/*" kafka.admin.ConfigCommand \
    --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$props" --alter "${change[@]}" \
    --entity-type users --entity-name "$user"
}

# kafka_produce_keyed PROPS TOPIC KEY VALUE: one keyed record; VALUE "NULL" sends a tombstone.
kafka_produce_keyed() {
  local out
  out=$(printf '%s|%s\n' "$3" "$4" | timeout 60 java -Xmx256m -XX:TieredStopAtLevel=1 -cp "$KAFKA_LIB/*" \
    org.apache.kafka.tools.ConsoleProducer --bootstrap-server "$KAFKA_BOOTSTRAP" \
    --producer.config "$1" --topic "$2" --property parse.key=true --property 'key.separator=|' \
    --property null.marker=NULL --producer-property acks=all --producer-property max.block.ms=15000 2>&1)
  local rc=$?
  printf '%s\n' "$out"
  ((rc == 0)) && ! grep -qE 'Exception|ERROR' <<<"$out"
}
