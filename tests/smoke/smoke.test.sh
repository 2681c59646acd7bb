#!/usr/bin/env bash
# Smoke stack through a real `pulumi up`: Kafka topic + SCRAM user + ACLs, a PostgreSQL role and
# database, a Connect worker container on the "remote" host over ssh://, a local command.
# Then: a second `up` changes nothing, the SCRAM user logs in and its ACLs hold, the worker lists
# the five Debezium connectors and runs as non-root, and `destroy` removes it all.
set -uo pipefail
source "$(dirname "$0")/../../scripts/env.sh"
source "$CMW_ROOT/tests/lib/tap.sh"
source "$CMW_ROOT/tests/lib/platform.sh"
source "$CMW_ROOT/tests/lib/pulumi.sh" # remove_containers_of

platform_up
image=$(bash "$CMW_ROOT/platform/connect-image/build.sh" | tail -n1) || cmw_die "image build failed"
bash "$CMW_ROOT/platform/push-image.sh" "$image" "$SSH_HOST_URL" || cmw_die "image push to $SSH_HOST_URL failed"

work=$(mktemp -d)
cmw_on_exit rm -rf "$work"
export PULUMI_BACKEND_URL="file://$work/backend"
export PULUMI_CONFIG_PASSPHRASE="smoke-test-passphrase"
mkdir -p "$work/backend"
cd "$CMW_ROOT/tests/smoke"
stack="smoke-$$"
pulumi stack init "$stack" --non-interactive >/dev/null || cmw_die "stack init failed"
# Whatever happens below: destroy, remove the container by name if the destroy could not, drop the stack.
smoke_cleanup() {
  pulumi destroy --yes --skip-preview --non-interactive >/dev/null 2>&1
  remove_containers_of cmw-smoke-
  pulumi stack rm --yes --force "$stack" >/dev/null 2>&1
}
cmw_on_exit smoke_cleanup
rest_port=18099
pulumi config set kafkaBootstrap "$KAFKA_BOOTSTRAP"
pulumi config set kafkaAdminUser "$KAFKA_ADMIN_USER"
pulumi_config_secret kafkaAdminPassword "$KAFKA_ADMIN_PASSWORD_FILE"
head -c 32 /dev/urandom | base64 | pulumi config set --secret credentialSeed
pulumi config set pgHost "$PG_HOST"
pulumi config set pgPort "$PG_PORT"
pulumi config set pgAdminUser "$PG_ADMIN_USER"
pulumi_config_secret pgAdminPassword "$PG_ADMIN_PASSWORD_FILE"
pulumi config set dockerHost "$SSH_HOST_URL"
pulumi_config_ssh_opts sshOpts
pulumi config set connectImage "$image"
pulumi config set restPort "$rest_port"
[[ -z $CA_FILE ]] || pulumi config set caFile "$CA_FILE"

# The engine takes resource plugins from PULUMI_HOME at the npm packages' versions: one on PATH
# would be used instead, with a "using pulumi-resource-... from $PATH" warning.
up_log="$work/up.log"
up_without_plugin_warnings() {
  pulumi up --yes --skip-preview --non-interactive > "$up_log" 2>&1 || { tail -n 30 "$up_log"; return 1; }
  ! grep -E 'pulumi-resource-[a-z-]+ from \$PATH' "$up_log"
}
check "pulumi up creates the smoke stack" up_without_plugin_warnings
check "a second pulumi up changes nothing" pulumi up --yes --expect-no-changes --non-interactive
check "pulumi preview after refresh shows no diff" bash -c 'pulumi refresh --yes --non-interactive >/dev/null && pulumi preview --expect-no-changes --non-interactive'
check "the local command ran" bash -c '[[ $(pulumi stack output commandStdout) == smoke-ok ]]'

user_password=$(pulumi stack output --show-secrets userPassword)
check "the generated password is a secret in stack outputs" bash -c '[[ $(pulumi stack output userPassword) == "[secret]" ]]'
state_file=$(find "$work/backend" -name "$stack.json" | head -n1)
check "no secret appears in plain text in the state file" no_secret_in "$user_password" "$(<"$KAFKA_ADMIN_PASSWORD_FILE")" < "$state_file"

# The SCRAM user the stack created logs in, and its ACLs hold.
smoke_props="$work/smoke-client.properties"
kafka_client_properties cmw-smoke-user "$user_password" > "$smoke_props"
check "the stack's SCRAM user can produce to its own topic" kafka_produce "$smoke_props" cmw-smoke-topic "hello"
check_fails "the stack's SCRAM user is denied a topic outside its ACLs" kafka_produce "$smoke_props" cmw-not-granted-topic "hello"

# The Connect worker on the "remote" host: five Debezium connectors, non-root.
plugins=""
for _ in $(seq 1 90); do
  plugins=$(curl -fsS "http://127.0.0.1:$rest_port/connector-plugins?connectorsOnly=true" 2>/dev/null) && break
  sleep 2
done
for class in io.debezium.connector.sqlserver.SqlServerConnector io.debezium.connector.mysql.MySqlConnector \
  io.debezium.connector.mariadb.MariaDbConnector io.debezium.connector.postgresql.PostgresConnector \
  io.debezium.connector.jdbc.JdbcSinkConnector; do
  check "the worker lists $class" grep -qF "\"$class\"" <<<"$plugins"
done
check "the worker runs as a non-root user" bash -c "[[ \$(docker -H '$SSH_HOST_URL' exec cmw-smoke-connect id -u) != 0 ]]"

check "pulumi destroy removes everything" pulumi destroy --yes --skip-preview --non-interactive
check "the container is gone" bash -c "! docker -H '$SSH_HOST_URL' container inspect cmw-smoke-connect >/dev/null 2>&1"
check_fails "the SCRAM user is gone" kafka_produce "$smoke_props" cmw-smoke-topic gone
check "the PostgreSQL role is gone" test -z "$(pg_admin postgres "select 1 from pg_roles where rolname = 'cmw_smoke_role'")"
tap_summary
