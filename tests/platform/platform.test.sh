#!/usr/bin/env bash
# The local platform on its own state directory and ports (the shared Docker engine is left
# alone): start from nothing, status, idempotent start, credentials enforced, the SCRAM restart
# defect guarded against, stop/start keeps data, purge leaves nothing.
set -uo pipefail
source "$(dirname "$0")/../../scripts/env.sh"
source "$CMW_ROOT/tests/lib/tap.sh"
source "$CMW_ROOT/tests/lib/platform.sh"
# Like private_platform_up (same state folder, purged at exit), but starting it is the test.
export CMW_STATE; CMW_STATE=$(mktemp -d "/var/tmp/cmw-platform-test-$$.XXXXXX") && rmdir "$CMW_STATE" || cmw_die "no state directory in /var/tmp"
export KAFKA_PORT=29092 KAFKA_CONTROLLER_PORT=29093 PG_PORT=25432 SSH_PORT=2322
cmw_on_exit private_platform_purge
platform() { bash "$CMW_ROOT/platform/platform.sh" "$@"; }

check "start from nothing" platform start
check "status reports every part up" platform status
eval "$(platform env)"
pids_before=$(cat "$CMW_STATE"/kafka/kafka.pid "$CMW_STATE"/ssh/sshd.pid "$CMW_STATE"/postgres/data/postmaster.pid 2>/dev/null | head -n 3 | tr '\n' ' ')
check "a second start changes nothing" platform start
pids_after=$(cat "$CMW_STATE"/kafka/kafka.pid "$CMW_STATE"/ssh/sshd.pid "$CMW_STATE"/postgres/data/postmaster.pid 2>/dev/null | head -n 3 | tr '\n' ' ')
check "same processes after the second start" test "$pids_before" = "$pids_after"
# ps shows every process's command line to every user: no password may be in one.
# On a match it names the process (pid, parent, command with the password masked).
no_password_in_command_lines() {
  local kafka pg p cmd found=0
  kafka=$(<"$KAFKA_ADMIN_PASSWORD_FILE") && pg=$(<"$PG_ADMIN_PASSWORD_FILE") || return 1
  [[ -n $kafka && -n $pg ]] || { echo "a password file is empty"; return 1; }
  for p in /proc/[0-9]*; do
    cmd=$(tr '\0' ' ' 2>/dev/null < "$p/cmdline") || continue
    [[ $cmd == *"$kafka"* || $cmd == *"$pg"* ]] || continue
    found=1
    cmd=${cmd//"$kafka"/<kafka-admin-password>}
    echo "pid ${p#/proc/} (parent $(awk '/^PPid:/ {print $2}' "$p/status" 2>/dev/null)): ${cmd//"$pg"/<postgres-admin-password>}"
  done
  ((found == 0))
}
check "no running process has a platform password in its command line" no_password_in_command_lines
check "every listener is on loopback only" bash -c "! ss -Hltn | awk '{print \$4}' | grep -E ':(29092|29093|25432|2322)\$' | grep -vE '^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):'"

work=$(mktemp -d)
printf '%s\n' security.protocol=PLAINTEXT request.timeout.ms=5000 default.api.timeout.ms=10000 > "$work/anonymous.properties"
kafka_client_properties admin wrong-password > "$work/wrong.properties"
# With the right CA but sent to the wrong-host server below.
{ cat "$KAFKA_ADMIN_PROPERTIES"; printf '%s\n' request.timeout.ms=5000 default.api.timeout.ms=10000; } > "$work/right-ca.properties"
echo "default.api.timeout.ms=10000" >> "$work/wrong.properties"
check_fails "the broker refuses a client without credentials" kafka_topics "$work/anonymous.properties" --list
check_fails "the broker refuses a wrong password" kafka_topics "$work/wrong.properties" --list
check "the admin can create a topic" kafka_topics "$KAFKA_ADMIN_PROPERTIES" --create --topic platform-test --partitions 1 --replication-factor 1
# The library's escaping end to end: ConfigCommand reads the password from its file, the client
# from its properties (properties escaping, then JAAS quoting), and the broker lets it in.
tricky_password=$'q"u\\o=t:e#s!, [x] \u2014 H\u00f4pital end'
kafka_client_properties tricky "$tricky_password" > "$work/tricky.properties"
check "a SCRAM user whose password has quotes, backslashes, separators and non-ASCII is created" kafka_scram_user "$KAFKA_ADMIN_PROPERTIES" add tricky "$tricky_password"
check "and logs in with the client properties the library writes" kafka_topics "$work/tricky.properties" --list
check "Docker answers over ssh:// through the loopback sshd" docker -H "$SSH_HOST_URL" version

# The Kafka defect: a SCRAM user created then deleted after the last metadata snapshot breaks every
# SCRAM login at the next restart. Frequent snapshots (platform/lib/kafka.sh) avoid it.
check "a SCRAM user that stays is created" kafka_scram_user "$KAFKA_ADMIN_PROPERTIES" add keeper keeper-password
check "a SCRAM user is created" kafka_scram_user "$KAFKA_ADMIN_PROPERTIES" add leaver leaver-password
check "and deleted right before the stop" kafka_scram_user "$KAFKA_ADMIN_PROPERTIES" delete leaver
kafka_client_properties keeper keeper-password > "$work/keeper.properties"
check "stop" platform stop
check_fails "status says the platform is down after stop" platform status
check "start again" platform start
check "the admin still logs in after the restart" kafka_topics "$KAFKA_ADMIN_PROPERTIES" --list
check "another SCRAM user still logs in after the restart (it may list no topic)" kafka_topics "$work/keeper.properties" --list
check "data survives stop and start (the topic is still there)" kafka_topic_exists "$KAFKA_ADMIN_PROPERTIES" platform-test
pg_login() { pg_psql "$PG_ADMIN_PASSWORD_FILE" "host=127.0.0.1 port=$PG_PORT user=warehouse_admin dbname=postgres $1" -Atc 'select 1'; }
check "PostgreSQL admin logs in with its password, over TLS with the host name verified" pg_login "sslmode=verify-full sslrootcert=$CA_FILE"

# TLS by default: plaintext and clients that trust another CA or meet a certificate for another
# host name are refused, by Kafka's Java clients and by libpq alike.
check_fails "PostgreSQL refuses a plaintext login" pg_login "sslmode=disable"
check_fails "a PostgreSQL client that trusts another CA is refused" pg_login "sslmode=verify-full sslrootcert=$CMW_STATE/tls/other-ca.pem"
sed -e "s|^security.protocol=.*|security.protocol=SASL_PLAINTEXT|" -e "/^ssl\./d" "$KAFKA_ADMIN_PROPERTIES" > "$work/plaintext.properties"
printf '%s\n' request.timeout.ms=5000 default.api.timeout.ms=10000 >> "$work/plaintext.properties"
check_fails "Kafka refuses a plaintext client, even with the admin's password" kafka_topics "$work/plaintext.properties" --list
sed -e "s|^ssl.truststore.location=.*|ssl.truststore.location=$CMW_STATE/tls/other-ca.pem|" "$KAFKA_ADMIN_PROPERTIES" > "$work/other-ca.properties"
printf '%s\n' request.timeout.ms=5000 default.api.timeout.ms=10000 >> "$work/other-ca.properties"
handshake_refused() { local out; out=$("$@" 2>&1) && return 1; grep -qE "$HANDSHAKE_ERROR" <<<"$out" || { printf '%s\n' "$out" | tail -n 5; return 1; }; }
HANDSHAKE_ERROR="SSLHandshakeException|PKIX path building failed|unable to find valid certification path"
check "a Kafka client that trusts another CA is refused in the TLS handshake" handshake_refused kafka_topics "$work/other-ca.properties" --list
# A server of the right CA whose certificate names another host: the client must refuse it.
openssl s_server -quiet -accept 127.0.0.1:29094 -cert "$CMW_STATE/tls/wrong-host.pem" -key "$CMW_STATE/tls/wrong-host.key" >/dev/null 2>&1 &
wrong_host_pid=$!
sleep 1
HANDSHAKE_ERROR="No subject alternative names|No subject alternative DNS name|SSLHandshakeException"
list_on_wrong_host() { local KAFKA_BOOTSTRAP=127.0.0.1:29094; kafka_topics "$work/right-ca.properties" --list; }
check "a Kafka client refuses a certificate for another host name" handshake_refused list_on_wrong_host
kill "$wrong_host_pid" 2>/dev/null

check "purge" platform purge
check "purge leaves nothing behind" bash -c "[[ ! -e '$CMW_STATE' ]] && ! grep -qF '$CMW_STATE' ~/.ssh/config && ! ss -Hltn | awk '{print \$4}' | grep -qE ':(29092|29093|25432|2322)\$'"
rm -rf "$work"
tap_summary
