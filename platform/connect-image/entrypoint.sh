#!/usr/bin/env bash
# Starts one Kafka Connect worker (distributed mode) and, beside it, the agent that registers the
# connectors found in /etc/connect-agent/connectors and restarts failed ones.
set -euo pipefail
: "${CONNECT_BOOTSTRAP_SERVERS:?set CONNECT_BOOTSTRAP_SERVERS}"
: "${CONNECT_GROUP_ID:?set CONNECT_GROUP_ID (unique per Connect cluster)}"
: "${CONNECT_CONFIG_STORAGE_TOPIC:?set CONNECT_CONFIG_STORAGE_TOPIC}"
: "${CONNECT_OFFSET_STORAGE_TOPIC:?set CONNECT_OFFSET_STORAGE_TOPIC}"
: "${CONNECT_STATUS_STORAGE_TOPIC:?set CONNECT_STATUS_STORAGE_TOPIC}"

/opt/connect/worker-properties.sh > /opt/connect/run/worker.properties

# Sites run without Pulumi (docker compose) hand secrets over as files (compose secrets, in
# CONNECT_SECRETS_FROM_DIR) or as CONNECT_SECRET_<KEY>=value: they go to the file the connector
# configs reference, and leave the environment of the worker.
if env | grep -q '^CONNECT_SECRET_' || [[ -n ${CONNECT_SECRETS_FROM_DIR:-} ]]; then
  : "${CONNECT_SECRETS_FILE:?set CONNECT_SECRETS_FILE to the secrets file the connector configs reference}"
  (umask 077; /opt/connect/worker-properties.sh --secrets > "$CONNECT_SECRETS_FILE")
  while IFS='=' read -r name _; do [[ $name == CONNECT_SECRET_* ]] && unset "$name"; done < <(env)
fi

# Heap from the container's memory limit (the JVM reads the cgroup limit), leaving room for
# metaspace, threads and direct buffers; CONNECT_HEAP_OPTS sets it explicitly instead.
HEAP_OPTS="${CONNECT_HEAP_OPTS:--XX:MaxRAMPercentage=60.0 -XX:InitialRAMPercentage=25.0}"

/opt/connect/agent.sh &

# shellcheck disable=SC2086 # HEAP_OPTS is a list of JVM flags
exec java $HEAP_OPTS -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
  -Dlog4j2.configurationFile=/opt/connect/log4j2.properties \
  -cp '/opt/connect/lib/*' org.apache.kafka.connect.cli.ConnectDistributed /opt/connect/run/worker.properties
