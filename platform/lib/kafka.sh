# Kafka 4.1.1 broker from Maven Central jars: KRaft (one node, broker + controller), SCRAM-SHA-512
# for clients, the standard ACL authorizer, no access without an ACL, one super user `admin`.
KAFKA_LIB="$CMW_CACHE/kafka-$KAFKA_VERSION/lib"
KAFKA_DIR="$CMW_STATE/kafka"
KAFKA_PID="$KAFKA_DIR/kafka.pid"

kafka_fetch() {
  [[ -f $KAFKA_LIB/.complete ]] && return 0
  cmw_say "fetching Kafka $KAFKA_VERSION jars from Maven Central"
  rm -rf "$KAFKA_LIB"
  mvn -q -B -f "$CMW_ROOT/platform/kafka/pom.xml" dependency:copy-dependencies \
    -Dkafka.version="$KAFKA_VERSION" -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIB" \
    || cmw_die "could not fetch the Kafka jars with Maven (see the output above)"
  touch "$KAFKA_LIB/.complete"
}

kafka_write_config() {
  local password; password=$(cat "$(ensure_secret kafka-admin-password)")
  mkdir -p "$KAFKA_DIR/data" "$KAFKA_DIR/logs"
  (umask 077; {
    printf '%s\n' \
      "# Written by platform/lib/kafka.sh; rewritten at every start." \
      "process.roles=broker,controller" \
      "node.id=1" \
      "controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT" \
      "listeners=SASL_PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT" \
      "advertised.listeners=SASL_PLAINTEXT://127.0.0.1:$KAFKA_PORT" \
      "listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT" \
      "controller.listener.names=CONTROLLER" \
      "inter.broker.listener.name=SASL_PLAINTEXT" \
      "sasl.enabled.mechanisms=SCRAM-SHA-512" \
      "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512" \
      "# SCRAM credentials live in the metadata log, which the controller must serve before it can" \
      "# check them: the controller listener uses PLAIN with a static admin entry instead." \
      "sasl.mechanism.controller.protocol=PLAIN" \
      "listener.name.controller.sasl.enabled.mechanisms=PLAIN" \
      "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer" \
      "allow.everyone.if.no.acl.found=false" \
      "super.users=User:admin" \
      "auto.create.topics.enable=false" \
      "num.partitions=1" \
      "offsets.topic.replication.factor=1" \
      "transaction.state.log.replication.factor=1" \
      "transaction.state.log.min.isr=1" \
      "share.coordinator.state.topic.replication.factor=1" \
      "share.coordinator.state.topic.min.isr=1" \
      "group.initial.rebalance.delay.ms=0" \
      "log.dirs=$KAFKA_DIR/data" \
      "# Kafka defect (4.1.1, 4.3.1): a SCRAM user created and then deleted after the last metadata" \
      "# snapshot makes the next restart reject every SCRAM login. The stacks delete SCRAM users when" \
      "# a facility leaves, so snapshot often: a snapshot taken after the change avoids the defect." \
      "metadata.log.max.snapshot.interval.ms=5000"
    props_line listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config \
      "$(jaas_login org.apache.kafka.common.security.scram.ScramLoginModule username admin password "$password")"
    props_line listener.name.controller.plain.sasl.jaas.config \
      "$(jaas_login org.apache.kafka.common.security.plain.PlainLoginModule username admin password "$password" user_admin "$password")"
  } > "$KAFKA_DIR/server.properties")
  (umask 077; kafka_client_properties admin "$password" > "$KAFKA_DIR/admin.properties")
}

kafka_admin_ok() {
  kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
    --command-config "$KAFKA_DIR/admin.properties" --list
}

kafka_start() {
  kafka_fetch
  if pid_alive "$KAFKA_PID"; then return 0; fi
  kafka_write_config
  if [[ ! -f $KAFKA_DIR/data/meta.properties ]]; then
    cmw_say "formatting Kafka storage (KRaft) with the admin SCRAM user"
    local cluster_id args="$KAFKA_DIR/format.args" rc=0
    cluster_id=$(kafka_java kafka.tools.StorageTool random-uuid)
    # The admin's SCRAM record holds its password: StorageTool reads its arguments from a file
    # (one per line, "@FILE"), so the password is in no command line.
    (umask 077; printf '%s\n' format -t "$cluster_id" -c "$KAFKA_DIR/server.properties" \
      --add-scram "SCRAM-SHA-512=[name=admin,password=$(<"$CMW_STATE/secrets/kafka-admin-password")]" > "$args")
    kafka_java kafka.tools.StorageTool "@$args" >> "$KAFKA_DIR/logs/format.log" 2>&1 || rc=$?
    rm -f "$args"
    ((rc == 0)) || cmw_die "Kafka storage format failed: $KAFKA_DIR/logs/format.log"
  fi
  cmw_say "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (logs: $KAFKA_DIR/logs)"
  nohup java -Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dkafka.logs.dir="$KAFKA_DIR/logs" -Dlog4j2.configurationFile="$CMW_ROOT/platform/kafka/log4j2.properties" \
    -cp "$KAFKA_LIB/*" kafka.Kafka "$KAFKA_DIR/server.properties" > "$KAFKA_DIR/logs/stdout.log" 2>&1 &
  echo $! > "$KAFKA_PID"
  wait_for "Kafka (admin login on 127.0.0.1:$KAFKA_PORT)" 120 kafka_admin_ok
}

kafka_stop() { stop_pid kafka "$KAFKA_PID"; }
