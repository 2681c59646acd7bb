# Kafka 4.1.1 from Maven Central jars: KRaft, each node broker and controller, one node or a
# cluster of three (KAFKA_BROKERS=3, or `platform.sh start --brokers 3`: one controller quorum of
# three, replication factor 3, min.insync.replicas 2). SCRAM-SHA-512 for clients, the standard
# ACL authorizer, no access without an ACL, one super user `admin`.
# Node i listens on KAFKA_PORT + 10*(i-1) (clients) and KAFKA_CONTROLLER_PORT + 10*(i-1).
KAFKA_LIB="$CMW_CACHE/kafka-$KAFKA_VERSION/lib"
KAFKA_DIR="$CMW_STATE/kafka"
# The size of a formatted cluster is kept with it: a later start needs no flag.
if [[ -f $KAFKA_DIR/brokers ]]; then KAFKA_BROKERS=$(cat "$KAFKA_DIR/brokers"); else KAFKA_BROKERS="${KAFKA_BROKERS:-1}"; fi
[[ $KAFKA_BROKERS == 1 || $KAFKA_BROKERS == 3 ]] || cmw_die "KAFKA_BROKERS=$KAFKA_BROKERS: the platform runs 1 or 3 brokers"
# One node keeps the layout of earlier platforms ($KAFKA_DIR itself); a cluster has node-<i>.
kafka_node_dir() { if ((KAFKA_BROKERS == 1)); then echo "$KAFKA_DIR"; else echo "$KAFKA_DIR/node-$1"; fi; }
kafka_node_port() { echo $((KAFKA_PORT + 10 * ($1 - 1))); }
kafka_node_controller_port() { echo $((KAFKA_CONTROLLER_PORT + 10 * ($1 - 1))); }
kafka_nodes() { seq 1 "$KAFKA_BROKERS"; }
kafka_bootstrap() { local i out=(); for i in $(kafka_nodes); do out+=("127.0.0.1:$(kafka_node_port "$i")"); done; (IFS=,; echo "${out[*]}"); }
KAFKA_PID="$(kafka_node_dir 1)/kafka.pid"

kafka_fetch() {
  [[ -f $KAFKA_LIB/.complete ]] && return 0
  cmw_say "fetching Kafka $KAFKA_VERSION jars from Maven Central"
  rm -rf "$KAFKA_LIB"
  mvn -q -B -f "$CMW_ROOT/platform/kafka/pom.xml" dependency:copy-dependencies \
    -Dkafka.version="$KAFKA_VERSION" -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIB" \
    || cmw_die "could not fetch the Kafka jars with Maven (see the output above)"
  touch "$KAFKA_LIB/.complete"
}

# kafka_write_config I: node I's server.properties, and the shared admin client properties.
kafka_write_config() {
  local node="$1" dir port cport voters=() i rf=$KAFKA_BROKERS min_isr=1
  dir=$(kafka_node_dir "$node"); port=$(kafka_node_port "$node"); cport=$(kafka_node_controller_port "$node")
  for i in $(kafka_nodes); do voters+=("$i@127.0.0.1:$(kafka_node_controller_port "$i")"); done
  ((rf == 3)) && min_isr=2
  local password; password=$(cat "$(ensure_secret kafka-admin-password)")
  # Clients (and the broker itself) over SASL_SSL with the platform's certificate; plaintext only
  # as the explicit opt-out CMW_PLATFORM_TLS=off. The controller listener stays on loopback.
  local proto=SASL_SSL tls_lines=()
  if tls_enabled; then
    tls_ensure
    tls_lines=(
      "ssl.keystore.type=PEM"
      "ssl.keystore.location=$TLS_DIR/kafka-keystore.pem"
      "ssl.truststore.type=PEM"
      "ssl.truststore.location=$TLS_DIR/ca.pem"
      "ssl.endpoint.identification.algorithm=https"
    )
  else
    proto=SASL_PLAINTEXT
  fi
  local lname="${proto,,}"
  mkdir -p "$dir/data" "$dir/logs"
  (umask 077; {
  printf '%s\n' \
    "# Written by platform/lib/kafka.sh; rewritten at every start." \
    "process.roles=broker,controller" \
    "node.id=$node" \
    "controller.quorum.voters=$(IFS=,; echo "${voters[*]}")" \
    "listeners=$proto://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport" \
    "advertised.listeners=$proto://127.0.0.1:$port" \
    "listener.security.protocol.map=$proto:$proto,CONTROLLER:SASL_PLAINTEXT" \
    "controller.listener.names=CONTROLLER" \
    "inter.broker.listener.name=$proto" \
    "sasl.enabled.mechanisms=SCRAM-SHA-512" \
    "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512" \
    "${tls_lines[@]}" \
    "# SCRAM credentials live in the metadata log, which the controller must serve before it can" \
    "# check them: the controller listener uses PLAIN with a static admin entry instead." \
    "sasl.mechanism.controller.protocol=PLAIN" \
    "listener.name.controller.sasl.enabled.mechanisms=PLAIN" \
    "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer" \
    "allow.everyone.if.no.acl.found=false" \
    "super.users=User:admin" \
    "auto.create.topics.enable=false" \
    "num.partitions=1" \
    "# On three brokers every internal topic has three replicas and needs two in sync to write." \
    "default.replication.factor=$rf" \
    "min.insync.replicas=$min_isr" \
    "offsets.topic.replication.factor=$rf" \
    "transaction.state.log.replication.factor=$rf" \
    "transaction.state.log.min.isr=$min_isr" \
    "share.coordinator.state.topic.replication.factor=$rf" \
    "share.coordinator.state.topic.min.isr=$min_isr" \
    "group.initial.rebalance.delay.ms=0" \
    "# A restarted broker takes its leaderships back soon, so the drills see a balanced cluster." \
    "leader.imbalance.check.interval.seconds=30" \
    "log.dirs=$dir/data" \
    "# Kafka defect (4.1.1, 4.3.1): a SCRAM user created and then deleted after the last metadata" \
    "# snapshot makes the next restart reject every SCRAM login. The stacks delete SCRAM users when" \
    "# a facility leaves, so snapshot often: a snapshot taken after the change avoids the defect." \
    "metadata.log.max.snapshot.interval.ms=5000"
  # The admin's password only through the library's escaping (properties, then JAAS quoting).
  props_line "listener.name.$lname.scram-sha-512.sasl.jaas.config" \
    "$(jaas_login org.apache.kafka.common.security.scram.ScramLoginModule username admin password "$password")"
  props_line listener.name.controller.plain.sasl.jaas.config \
    "$(jaas_login org.apache.kafka.common.security.plain.PlainLoginModule username admin password "$password" user_admin "$password")"
  } > "$dir/server.properties")
  (umask 077; PLATFORM_TLS=$(tls_enabled && echo on || echo off) CA_FILE="$TLS_DIR/ca.pem" kafka_client_properties admin "$password" | write_file "$KAFKA_DIR/admin.properties")
}

kafka_admin_ok() {
  kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$(kafka_bootstrap)" \
    --command-config "$KAFKA_DIR/admin.properties" --list
}

# kafka_dead_node: the first started node that no longer runs, with the reason from its log.
kafka_dead_node() {
  local i dir
  for i in $(kafka_nodes); do
    dir=$(kafka_node_dir "$i")
    if [[ -f $dir/kafka.pid ]] && ! pid_alive "$dir/kafka.pid"; then
      echo "node $i stopped: $(grep -oE '(Exception|Error): .*' "$dir/logs/server.log" 2>/dev/null | tail -n1) (logs: $dir/logs)"
      return 0
    fi
  done
  return 1
}

# kafka_node_start I: formats node I once (every node with the cluster's one id and the admin
# SCRAM user), then starts it; does not wait.
kafka_node_start() {
  local node="$1" dir before; dir=$(kafka_node_dir "$node")
  before=$(sha256sum "$dir/server.properties" 2>/dev/null || true)
  kafka_write_config "$node"
  if pid_alive "$dir/kafka.pid"; then
    # A running node keeps running unless its configuration changed (TLS turned on, say).
    [[ $(sha256sum "$dir/server.properties") == "$before" ]] && return 0
    cmw_say "restarting Kafka node $node: its configuration changed"
    kafka_node_stop "$node"
  fi
  if [[ ! -f $dir/data/meta.properties ]]; then
    [[ -s $KAFKA_DIR/cluster-id ]] || kafka_java kafka.tools.StorageTool random-uuid > "$KAFKA_DIR/cluster-id"
    cmw_say "formatting Kafka node $node storage (KRaft) with the admin SCRAM user"
    local args="$dir/format.args" rc=0
    # The admin's SCRAM record holds its password: StorageTool reads its arguments from a file
    # (one per line, "@FILE"), so the password is in no command line.
    (umask 077; printf '%s\n' format -t "$(cat "$KAFKA_DIR/cluster-id")" -c "$dir/server.properties" \
      --add-scram "SCRAM-SHA-512=[name=admin,password=$(<"$CMW_STATE/secrets/kafka-admin-password")]" > "$args")
    kafka_java kafka.tools.StorageTool "@$args" >> "$dir/logs/format.log" 2>&1 || rc=$?
    rm -f "$args"
    ((rc == 0)) || cmw_die "Kafka storage format failed: $dir/logs/format.log"
    echo "$KAFKA_BROKERS" > "$KAFKA_DIR/brokers"
  fi
  cmw_say "starting Kafka $KAFKA_VERSION node $node on 127.0.0.1:$(kafka_node_port "$node") (logs: $dir/logs)"
  # A node of three gets a smaller heap: the three share the machine with everything else.
  local heap="-Xms256m -Xmx768m"; ((KAFKA_BROKERS == 3)) && heap="-Xms192m -Xmx448m"
  # shellcheck disable=SC2086 # heap is a list of JVM flags
  nohup java $heap -XX:+UseG1GC -Djava.awt.headless=true \
    -Dkafka.logs.dir="$dir/logs" -Dlog4j2.configurationFile="$CMW_ROOT/platform/kafka/log4j2.properties" \
    -cp "$KAFKA_LIB/*" kafka.Kafka "$dir/server.properties" > "$dir/logs/stdout.log" 2>&1 &
  echo $! > "$dir/kafka.pid"
}

kafka_start() {
  kafka_fetch
  mkdir -p "$KAFKA_DIR"
  local i; for i in $(kafka_nodes); do kafka_node_start "$i"; done
  local deadline=$((SECONDS + 240)) dead
  # Up means every node listens and the admin logs in (a cluster answers before its last node does).
  until kafka_all_listening && kafka_admin_ok >/dev/null 2>&1; do
    # A node that cannot start (a port taken, a bad config) says why at once.
    dead=$(kafka_dead_node) && cmw_die "Kafka $dead"
    ((SECONDS < deadline)) || cmw_die "Kafka (admin login on $(kafka_bootstrap)) did not come up within 240s"
    sleep 1
  done
}

kafka_all_listening() { local i; for i in $(kafka_nodes); do port_open "$(kafka_node_port "$i")" || return 1; done; }

# kafka_node_stop I [KILL]: stops node I (TERM, then KILL after 30 s), or kills it at once (-9).
kafka_node_stop() {
  local pidfile; pidfile="$(kafka_node_dir "$1")/kafka.pid"
  if [[ ${2:-} == KILL ]]; then
    pid_alive "$pidfile" && kill -9 "$(cat "$pidfile")" 2>/dev/null
    rm -f "$pidfile"
  else
    stop_pid "kafka node $1" "$pidfile"
  fi
}

kafka_stop() { local i; for i in $(kafka_nodes); do kafka_node_stop "$i"; done; }
