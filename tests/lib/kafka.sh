# Kafka client helpers for the bash suites, on the Kafka CLI tools' main classes from the
# platform's Maven jars. Needs KAFKA_BOOTSTRAP and KAFKA_LIB (from `platform.sh env`).

# kafka_client_properties USER PASSWORD: SASL/SCRAM client settings on stdout.
kafka_client_properties() {
  printf '%s\n' \
    "security.protocol=$([[ ${PLATFORM_TLS:-on} == on ]] && echo SASL_SSL || echo SASL_PLAINTEXT)" \
    "sasl.mechanism=SCRAM-SHA-512" \
    "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$1\" password=\"$2\";"
  [[ ${PLATFORM_TLS:-on} == on ]] && printf '%s\n' "ssl.truststore.type=PEM" "ssl.truststore.location=$CA_FILE"
  return 0
}

# kafka_java MAIN_CLASS ARGS...: one Kafka CLI tool, small heap, bounded in time.
kafka_java() {
  timeout 60 java -Xmx256m -XX:TieredStopAtLevel=1 -cp "$KAFKA_LIB/*" "$@"
}

# kafka_console_produce PROPS TOPIC [ARGS...] < records: fails when the broker refuses (auth,
# ACL) or a send fails (the console producer logs those and may still exit 0).
kafka_console_produce() {
  local props="$1" topic="$2" out rc; shift 2
  out=$(kafka_java org.apache.kafka.tools.ConsoleProducer --bootstrap-server "$KAFKA_BOOTSTRAP" \
    --producer.config "$props" --topic "$topic" --producer-property acks=all \
    --producer-property max.block.ms=15000 "$@" 2>&1)
  rc=$?
  printf '%s\n' "$out"
  ((rc == 0)) && ! grep -qE 'Exception|ERROR' <<<"$out"
}

# kafka_produce PROPS TOPIC MESSAGE: one unkeyed record.
kafka_produce() {
  printf '%s\n' "$3" | kafka_console_produce "$1" "$2" \
    --producer-property delivery.timeout.ms=20000 --producer-property request.timeout.ms=10000
}

# kafka_produce_keyed PROPS TOPIC KEY VALUE: one keyed record; VALUE "NULL" sends a tombstone.
kafka_produce_keyed() {
  printf '%s|%s\n' "$3" "$4" | kafka_console_produce "$1" "$2" \
    --property parse.key=true --property 'key.separator=|' --property null.marker=NULL
}

# kafka_topics PROPS ARGS...: TopicCommand as the client in PROPS.
kafka_topics() {
  local props="$1"; shift
  kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$props" "$@"
}

# kafka_topic_exists PROPS TOPIC
kafka_topic_exists() {
  kafka_topics "$1" --list | grep -qxF "$2"
}

# kafka_topic_depth PROPS TOPIC: records in the topic (sum of end offsets over partitions).
kafka_topic_depth() {
  kafka_java org.apache.kafka.tools.GetOffsetShell --bootstrap-server "$KAFKA_BOOTSTRAP" \
    --command-config "$1" --topic "$2" 2>/dev/null | awk -F: '{s += $3} END {print s + 0}'
}

# kafka_scram_user ADMIN_PROPS add|delete USER [PASSWORD]
kafka_scram_user() {
  local props="$1" op="$2" user="$3" password="${4:-}"
  local change=(--add-config "SCRAM-SHA-512=[iterations=8192,password=$password]")
  [[ $op == delete ]] && change=(--delete-config SCRAM-SHA-512)
  kafka_java kafka.admin.ConfigCommand --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$props" \
    --alter "${change[@]}" --entity-type users --entity-name "$user"
}

# kafka_consume_one PROPS TOPIC GROUP: reads at most one record from the start; fails when the
# broker refuses (topic or group authorization) or nothing can be read.
kafka_consume_one() {
  local out rc
  out=$(kafka_java org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$KAFKA_BOOTSTRAP" \
    --consumer.config "$1" --topic "$2" --group "$3" --from-beginning --max-messages 1 --timeout-ms 15000 2>&1)
  rc=$?
  printf '%s\n' "$out"
  ((rc == 0)) && ! grep -qE 'AuthorizationException|ERROR' <<<"$out"
}
