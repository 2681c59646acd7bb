#!/usr/bin/env bash
# Prints worker.properties from the environment: every CONNECT_FOO_BAR=value becomes
# foo.bar=value (the convention of Kafka Connect images), values escaped as java.util.Properties
# reads them, so no character in a value can break the file. Defaults first; env wins.
set -euo pipefail

escape_value() {
  local v="$1"
  v="${v//\\/\\\\}"
  v="${v//$'\n'/\\n}"
  [[ $v == [[:space:]]* ]] && v="\\$v"
  printf '%s' "$v"
}

declare -A props=(
  [listeners]="http://127.0.0.1:${CONNECT_REST_PORT:-8083}"
  [rest.advertised.host.name]="127.0.0.1"
  [rest.advertised.port]="${CONNECT_REST_PORT:-8083}"
  [plugin.path]="/opt/connect/plugins"
  [key.converter]="org.apache.kafka.connect.json.JsonConverter"
  [value.converter]="org.apache.kafka.connect.json.JsonConverter"
  [key.converter.schemas.enable]="true"
  [value.converter.schemas.enable]="true"
  # Secrets reach connectors and the worker as ${file:/etc/kafka-connect/secrets/<file>:<key>}:
  # GET /connectors/<name>/config shows the reference, never the value.
  [config.providers]="file"
  [config.providers.file.class]="org.apache.kafka.common.config.provider.FileConfigProvider"
  [config.providers.file.param.allowed.paths]="/etc/kafka-connect/secrets"
)
while IFS='=' read -r name value; do
  case "$name" in
    CONNECT_REST_PORT|CONNECT_LOG_LEVEL|CONNECT_HEAP_OPTS|CONNECT_AGENT_*) continue ;;
    CONNECT_*) ;;
    *) continue ;;
  esac
  key="${name#CONNECT_}"; key="${key,,}"; key="${key//_/.}"
  props[$key]="${!name}"
done < <(env)

for key in $(printf '%s\n' "${!props[@]}" | sort); do
  printf '%s=%s\n' "$key" "$(escape_value "${props[$key]}")"
done
