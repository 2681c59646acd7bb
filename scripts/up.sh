#!/usr/bin/env bash
# The main job on local defaults: installs what is missing, starts the local platform, builds the
# Connect image and ships it to the "facility host", then runs `pulumi up` of the central stack
# against it, and prints where to look. Re-running reuses everything that is there.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CMW_ROOT"

cmw_say "1/5 system packages and npm dependencies"
bash scripts/bootstrap.sh
cmw_say "2/5 Pulumi toolchain (the first run builds the CLI and plugins from Go modules: minutes)"
bash toolchain/toolchain.sh --require-all | tail -n 8
cmw_say "3/5 local platform: Docker, Kafka, PostgreSQL, facility host over SSH"
bash platform/platform.sh start >/dev/null
eval "$(bash platform/platform.sh env)"
cmw_say "4/5 Kafka Connect image (Debezium 3.5.0.Final)"
image=$(bash platform/connect-image/build.sh | tail -n1)
bash platform/push-image.sh "$image" "$SSH_HOST_URL"

cmw_say "5/5 pulumi up: the local stack (central settings of Pulumi.central.yaml, on the local platform)"
work="$CMW_STATE/pulumi"
mkdir -p "$work/backend"
export PULUMI_BACKEND_URL="file://$work/backend"
export PULUMI_CONFIG_PASSPHRASE_FILE="$CMW_STATE/secrets/pulumi-passphrase"
[[ -s $PULUMI_CONFIG_PASSPHRASE_FILE ]] || (umask 077; head -c 32 /dev/urandom | base64 > "$PULUMI_CONFIG_PASSPHRASE_FILE")
# The `local` stack's own config (git-ignored: it holds this machine's encrypted secrets):
# the central stack's settings, refreshed every run, keeping the stack's encryption salt.
salt=$(grep '^encryptionsalt:' Pulumi.local.yaml 2>/dev/null || true)
cp Pulumi.central.yaml Pulumi.local.yaml
[[ -z $salt ]] || echo "$salt" >> Pulumi.local.yaml
pulumi stack select --create local --non-interactive >/dev/null
pulumi config set -s local --secret kafkaAdminPassword "$(cat "$KAFKA_ADMIN_PASSWORD_FILE")"
pulumi config set -s local --secret pgAdminPassword "$(cat "$PG_ADMIN_PASSWORD_FILE")"
pulumi config set -s local connectImage "$image"
pulumi up -s local --yes --skip-preview --non-interactive

echo
bash platform/platform.sh status || true
echo
echo "Pulumi state:   $PULUMI_BACKEND_URL (stack local; config $CMW_ROOT/Pulumi.local.yaml)"
echo "Stack outputs:  PULUMI_BACKEND_URL=$PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE_FILE=$PULUMI_CONFIG_PASSPHRASE_FILE pulumi stack output -s local"
echo "Warehouse:      PGPASSWORD=\$(cat $PG_ADMIN_PASSWORD_FILE) psql -h $PG_HOST -p $PG_PORT -U $PG_ADMIN_USER warehouse   (analysts: a login role in group warehouse_analyst)"
echo "Sink:           curl -s http://127.0.0.1:18083/connectors?expand=status | jq"
echo "Topics:         java -cp '$KAFKA_LIB/*' org.apache.kafka.tools.TopicCommand --bootstrap-server $KAFKA_BOOTSTRAP --command-config $KAFKA_ADMIN_PROPERTIES --list"
echo "Remove it all:  bash scripts/down.sh"
