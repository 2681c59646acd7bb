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
FLAGS=("$@")
# The stack flags first: values after `--` (a PEM starts with dashes) must be the last arguments.
set_cfg() { pulumi config set "${FLAGS[@]}" "$@" >/dev/null; }

# Production lists three brokers; the platform has one node or three.
for _ in 1 2 3; do pulumi config rm "${FLAGS[@]}" --path 'kafkaBootstrapServers[1]' >/dev/null 2>&1 || break; done
i=0
for server in ${KAFKA_BOOTSTRAP//,/ }; do set_cfg --path "kafkaBootstrapServers[$i]" "$server"; i=$((i + 1)); done
set_cfg kafkaAdminUser "$KAFKA_ADMIN_USER"
# Secrets through stdin, never on a command line.
pulumi_config_secret kafkaAdminPassword "$KAFKA_ADMIN_PASSWORD_FILE" "${FLAGS[@]}" >/dev/null
# One replica per topic on a single broker, three on the three-broker cluster.
set_cfg replicationFactor "$KAFKA_BROKERS"
set_cfg pgHost "$PG_HOST"
set_cfg pgPort "$PG_PORT"
set_cfg pgAdminUser "$PG_ADMIN_USER"
pulumi_config_secret pgAdminPassword "$PG_ADMIN_PASSWORD_FILE" "${FLAGS[@]}" >/dev/null
if [[ $PLATFORM_TLS == on ]]; then
  set_cfg kafkaTlsEnabled true
  set_cfg kafkaCaCertificate -- "$(cat "$CA_FILE")"
  set_cfg pgSslMode verify-full
  set_cfg pgCaCertificate -- "$(cat "$CA_FILE")"
else
  # The explicit plaintext opt-out (CMW_PLATFORM_TLS=off): loopback only.
  set_cfg kafkaTlsEnabled false
  set_cfg pgSslMode disable
  pulumi config rm "${FLAGS[@]}" kafkaCaCertificate >/dev/null 2>&1 || true
  pulumi config rm "${FLAGS[@]}" pgCaCertificate >/dev/null 2>&1 || true
fi
pulumi_config_ssh_opts facilityDockerSshOpts "${FLAGS[@]}" >/dev/null
echo "wrote the local platform's settings (Kafka $KAFKA_BOOTSTRAP, PostgreSQL 127.0.0.1:$PG_PORT, TLS $PLATFORM_TLS) into the stack"
