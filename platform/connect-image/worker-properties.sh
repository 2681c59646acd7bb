#!/usr/bin/env bash
# Prints worker.properties from the environment: every CONNECT_FOO_BAR=value becomes
# foo.bar=value (the convention of Kafka Connect images), values escaped so java.util.Properties
# reads them back exactly, so no character in a value can break the file. Defaults first; env wins.
#   worker-properties.sh --secrets   prints the secrets handed over as CONNECT_SECRET_FOO_BAR, or
#                                    as files in CONNECT_SECRETS_FROM_DIR (compose secrets:
#                                    foo_bar), instead (foo.bar=value), for the config provider's file
set -euo pipefail
# props_line: the project's one properties escaping (scripts/lib/cmw.sh, copied beside this file).
source "$(dirname "$0")/cmw.sh"

# env_to_props PREFIX SKIP: every variable PREFIX<NAME> (not matching the regex SKIP) as name.lower=value.
env_to_props() {
  local strip="$1" skip="$2" name key
  while IFS='=' read -r name _; do
    [[ $name == "$strip"* && ! $name =~ $skip ]] || continue
    key="${name#"$strip"}"; key="${key,,}"; key="${key//_/.}"
    props[$key]="${!name}"
  done < <(env)
}

print_props() {
  local key
  for key in $(printf '%s\n' "${!props[@]}" | sort); do
    props_line "$key" "${props[$key]}"
  done
}

# files_to_props DIR: every file DIR/<name> (compose secrets) as name.lower=content, `_` → `.`.
files_to_props() {
  local file key
  for file in "$1"/*; do
    [[ -f $file ]] || continue
    key="${file##*/}"; key="${key,,}"; key="${key//_/.}"
    props[$key]="$(cat "$file")"
  done
}

if [[ ${1:-} == --secrets ]]; then
  declare -A props=()
  env_to_props CONNECT_SECRET_ '^$'
  [[ -n ${CONNECT_SECRETS_FROM_DIR:-} ]] && files_to_props "$CONNECT_SECRETS_FROM_DIR"
  print_props
  exit 0
fi

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
env_to_props CONNECT_ '^CONNECT_(REST_PORT|LOG_LEVEL|HEAP_OPTS|AGENT_.*|SECRET_.*|SECRETS_FILE|SECRETS_FROM_DIR)$'
print_props
