#!/usr/bin/env bash
# The local platform's differences from Pulumi.central.yaml (which shows the production shape:
# TLS, verify-full, three replicas), written into a stack's config: where Kafka and PostgreSQL
# listen here, the platform's CA, its admin passwords (as secrets), one replica per topic on the
# single broker, and the ssh arguments of the "remote" facility host.
#   bash platform/stack-config.sh [pulumi config flags: --stack S, --config-file F]
# The platform must run (platform.sh start); CMW_STATE and the port variables select which one.
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
eval "$(bash "$CMW_ROOT/platform/platform.sh" env)"
set_cfg() { pulumi config set "$@" "${FLAGS[@]}" >/dev/null; }
FLAGS=("$@")

set_cfg --path 'kafkaBootstrapServers[0]' "$KAFKA_BOOTSTRAP"
pulumi config rm --path 'kafkaBootstrapServers[1]' "${FLAGS[@]}" >/dev/null 2>&1 || true
pulumi config rm --path 'kafkaBootstrapServers[1]' "${FLAGS[@]}" >/dev/null 2>&1 || true
set_cfg kafkaAdminUser "$KAFKA_ADMIN_USER"
set_cfg --secret kafkaAdminPassword "$(cat "$KAFKA_ADMIN_PASSWORD_FILE")"
set_cfg replicationFactor 1
set_cfg pgHost "$PG_HOST"
set_cfg pgPort "$PG_PORT"
set_cfg pgAdminUser "$PG_ADMIN_USER"
set_cfg --secret pgAdminPassword "$(cat "$PG_ADMIN_PASSWORD_FILE")"
if [[ $PLATFORM_TLS == on ]]; then
  set_cfg kafkaTlsEnabled true
  set_cfg kafkaCaCertificate -- "$(cat "$CA_FILE")"
  set_cfg pgSslMode verify-full
  set_cfg pgCaCertificate -- "$(cat "$CA_FILE")"
else
  # The explicit plaintext opt-out (CMW_PLATFORM_TLS=off): loopback only.
  set_cfg kafkaTlsEnabled false
  set_cfg pgSslMode disable
  pulumi config rm kafkaCaCertificate "${FLAGS[@]}" >/dev/null 2>&1 || true
  pulumi config rm pgCaCertificate "${FLAGS[@]}" >/dev/null 2>&1 || true
fi
pulumi_config_ssh_opts facilityDockerSshOpts "${FLAGS[@]}" >/dev/null
