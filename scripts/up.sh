#!/usr/bin/env bash
# The main job on local defaults: installs what is missing, starts the local platform and two
# demo ClinicMaster sources (MariaDB and PostgreSQL, overlapping patient and visit numbers),
# builds the Connect image and ships it to the "facility host", runs `pulumi up` of the `local`
# stack (the central stack plus the facilities of demo/facilities/), keeps a trickle of changes
# going at both sources, and prints where to look. Re-running reuses everything that is there.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CMW_ROOT"

cmw_say "1/6 system packages and npm dependencies"
bash scripts/bootstrap.sh
cmw_say "2/6 Pulumi toolchain (the first run builds the CLI and plugins from Go modules: minutes)"
bash toolchain/toolchain.sh --require-all | tail -n 8
cmw_say "3/6 local platform: Docker, Kafka, PostgreSQL, facility host over SSH"
bash platform/platform.sh start >/dev/null
eval "$(bash platform/platform.sh env)"
cmw_say "4/6 demo sources: MariaDB (Kyaka) and PostgreSQL (Lacor), ClinicMaster-shaped"
bash platform/sources.sh start mariadb demo-kyaka 13306 >/dev/null
bash platform/sources.sh start postgres demo-lacor 15433 >/dev/null
bash platform/sources.sh seed demo-kyaka 300 1 >/dev/null
bash platform/sources.sh seed demo-lacor 300 2 >/dev/null
cmw_say "5/6 Kafka Connect image (Debezium 3.5.0.Final)"
image=$(bash platform/connect-image/build.sh | tail -n1)
bash platform/push-image.sh "$image" "$SSH_HOST_URL"

cmw_say "6/6 pulumi up: the local stack (central settings of Pulumi.central.yaml, facilities of demo/facilities)"
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
# The local platform's differences from the production shape (ports, its CA, its passwords).
bash platform/stack-config.sh -s local
# The seed every generated password derives from: made once, kept with the platform's secrets.
seed_file="$CMW_STATE/secrets/credential-seed"
[[ -s $seed_file ]] || (umask 077; head -c 32 /dev/urandom | base64 > "$seed_file")
pulumi_config_secret credentialSeed "$seed_file" -s local
pulumi config set -s local connectImage "$image"
pulumi config set -s local facilitiesDir demo/facilities
for source in demo-kyaka demo-lacor; do
  pulumi_config_secret "$source-db-password" "$(eval "$(bash platform/sources.sh env "$source")"; echo "$SOURCE_PASSWORD_FILE")" -s local
done
pulumi up -s local --yes --non-interactive

# A small trickle of inserts, updates and deletes at both sources, until `down`.
for source in demo-kyaka demo-lacor; do bash platform/sources.sh trickle-background "$source"; done

echo
bash platform/platform.sh status || true
echo
echo "Pulumi state:   $PULUMI_BACKEND_URL (stack local; config $CMW_ROOT/Pulumi.local.yaml)"
echo "Stack outputs:  PULUMI_BACKEND_URL=$PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE_FILE=$PULUMI_CONFIG_PASSPHRASE_FILE pulumi stack output -s local"
echo "Warehouse:      PGPASSWORD=\$(cat $PG_ADMIN_PASSWORD_FILE) psql 'host=$PG_HOST port=$PG_PORT user=$PG_ADMIN_USER dbname=warehouse sslmode=$PG_SSLMODE${CA_FILE:+ sslrootcert=$CA_FILE}'   (analysts: a login role in group warehouse_analyst)"
echo "Sink:           curl -s http://127.0.0.1:18083/connectors?expand=status | jq"
echo "Agents:         curl -s http://127.0.0.1:18093/connectors?expand=status | jq   (Kyaka; Lacor on 18094)"
echo "Trickle:        tail -f $CMW_STATE/sources/demo-*/trickle.log"
echo "Topics:         java -cp '$KAFKA_LIB/*' org.apache.kafka.tools.TopicCommand --bootstrap-server $KAFKA_BOOTSTRAP --command-config $KAFKA_ADMIN_PROPERTIES --list"
echo "Status:         PULUMI_BACKEND_URL=$PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE_FILE=$PULUMI_CONFIG_PASSPHRASE_FILE npm run status -- --stack local   (docs/runbook.md)"
echo "Remove it all:  bash scripts/down.sh"
echo
# The fleet's status (the same command operators run): every facility's agent, connector,
# heartbeat and warehouse rows per table, and the sink's lag and DLQ. Right after a first deploy
# the snapshots and first heartbeats take a minute or two.
cmw_say "status: npm run status -- --stack local"
for _ in $(seq 1 36); do npm run -s status -- --stack local >/dev/null 2>&1 && break; sleep 5; done
npm run -s status -- --stack local || echo "(not healthy yet: the problems above say why; run it again in a minute)"
