# Two facilities on a private platform, for the suites that run the whole pipeline. Source after
# scripts/env.sh and tests/lib/{tap,platform,pulumi}.sh, with these set:
#   SUITE            name of the suite (state folder and config file names)
#   KAFKA_PORT KAFKA_CONTROLLER_PORT PG_PORT SSH_PORT   the private platform's ports
#   SRC_A_PORT SRC_B_PORT      the MariaDB (fac-a) and PostgreSQL (fac-b) sources
#   REST_A REST_B SINK_REST    REST ports of the agents and of the first sink worker
# facilities_up makes it all (platform, sources seeded with overlapping ids, a stack with
# facilities fac-a and fac-b) and removes it at exit; then `pc up ...` deploys. A suite's own
# cleanups (cmw_on_exit) run before those.

sources() { bash "$CMW_ROOT/platform/sources.sh" "$@"; }
sources_stop_all() { sources stop-all >/dev/null 2>&1; }
# source_password_file NAME: the file that holds the source's password.
source_password_file() { (eval "$(sources env "$1")"; echo "$SOURCE_PASSWORD_FILE"); }
source_password() { cat "$(source_password_file "$1")"; }
pc() { pulumi "$@" --config-file "$cfgfile"; }
on_host() { docker -H "$SSH_HOST_URL" "$@"; }
agent_name() { echo "cmw-$PULUMI_TEST_STACK-facility-$1"; }

# facility_yaml SLUG CODE NAME ENGINE PORT REST_PORT: a facility file, written as JSON (which is
# YAML) by jq, so names with quotes and ampersands need no escaping by hand.
facility_yaml() {
  jq -n --arg name "$3" --arg code "$2" --arg host "$SSH_HOST_URL" --arg engine "$4" --argjson port "$5" \
    --argjson rest "$6" --arg secret "$1-db-password" \
    '{name: $name, dhis2Code: $code, host: $host, restPort: $rest, memoryLimitMb: 1024,
      source: {engine: $engine, host: "127.0.0.1", port: $port, database: "ClinicMaster", user: "debezium", passwordSecret: $secret}}' \
    > "$facilities/$1.yaml"
}

facilities_up() {
  private_platform_up "$SUITE"
  # Cleanups run last registered first: the stack (destroy), then the sources, then the platform.
  cmw_on_exit sources_stop_all
  pulumi_stack_init "$CMW_ROOT"
  cfgfile="$PULUMI_TEST_WORK/Pulumi.$SUITE-test.yaml"
  cp "$CMW_ROOT/Pulumi.central.yaml" "$cfgfile"
  PULUMI_TEST_ARGS=(--config-file "$cfgfile")

  sources start mariadb fac-a "$SRC_A_PORT" >/dev/null || cmw_die "MariaDB source did not start"
  sources start postgres fac-b "$SRC_B_PORT" >/dev/null || cmw_die "PostgreSQL source did not start"
  sources seed fac-a 150 1 >/dev/null && sources seed fac-b 150 2 >/dev/null || cmw_die "seeding the sources failed"

  facilities="$PULUMI_TEST_WORK/facilities"
  mkdir -p "$facilities"
  facility_yaml fac-a "FAC-A" "St. Mary's \"Lacor\" Hospital & Maternity / Gulu\\East" mariadb "$SRC_A_PORT" "$REST_A"
  facility_yaml fac-b "FAC-B" "Kyaka Health Centre Ⅳ — Ölüm" postgres "$SRC_B_PORT" "$REST_B"

  # Where Kafka and PostgreSQL listen here, the platform's CA and admin passwords, its ssh arguments.
  bash "$CMW_ROOT/platform/stack-config.sh" --config-file "$cfgfile" >/dev/null || cmw_die "platform/stack-config.sh failed"
  head -c 32 /dev/urandom | base64 | pc config set --secret credentialSeed
  pc config set connectImage "$(bash "$CMW_ROOT/platform/connect-image/build.sh" | tail -n1)"
  pc config set sinkRestPortBase "$SINK_REST"
  pc config set facilitiesDir "$facilities"
  facility_secret_config fac-a fac-a
  facility_secret_config fac-b fac-b
}

# facility_secret_config SLUG SOURCE: SLUG's database password secret, the password of SOURCE.
facility_secret_config() { pulumi_config_secret "$1-db-password" "$(source_password_file "$2")" --config-file "$cfgfile"; }

connector_state() { curl -fsS "http://127.0.0.1:$1/connectors/$2/status" 2>/dev/null | jq -r '.connector.state + " " + ([.tasks[].state] | join(","))'; }
# wait_running PORT CONNECTOR: the connector and every one of its tasks RUNNING (bounded wait).
wait_running() { for _ in $(seq 1 100); do [[ $(connector_state "$1" "$2") =~ ^RUNNING\ RUNNING(,RUNNING)*$ ]] && return 0; sleep 3; done; connector_state "$1" "$2"; return 1; }
# as_admin SQL: one statement in the warehouse as the platform's PostgreSQL admin.
as_admin() { pg_admin warehouse "$1"; }
wait_value() { local got; for _ in $(seq 1 90); do got=$(as_admin "$1" 2>/dev/null); [[ $got == "$2" ]] && return 0; sleep 2; done; echo "expected: $2"; echo "got: $got"; return 1; }
count_for() { echo "select count(*) from \"$1\" where facility_dhis2_code = '$2'"; }
# The admin's password reaches psql through the environment of that one command only.
same_checksums() { diff <(sources checksum "$1") <(PGPASSWORD=$(<"$PG_ADMIN_PASSWORD_FILE") sources warehouse-checksum "postgresql://$PG_ADMIN_USER@$PG_HOST:$PG_PORT/warehouse" "$2"); }
wait_same_checksums() { for _ in $(seq 1 60); do same_checksums "$1" "$2" >/dev/null && return 0; sleep 3; done; same_checksums "$1" "$2"; }

# Facility C's host in the fleet and ops suites: a second SSH daemon (the platform's keys) on
# SSH_PORT_C that a drill can take away alone. Its files live in sshd_c_dir, set by the suite.
sshd_c_start() {
  mkdir -p "$sshd_c_dir"
  sed -e "s/^Port .*/Port $SSH_PORT_C/" -e "s|^PidFile .*|PidFile $sshd_c_dir/sshd.pid|" "$CMW_STATE/ssh/sshd_config" > "$sshd_c_dir/sshd_config"
  /usr/sbin/sshd -f "$sshd_c_dir/sshd_config" -E "$sshd_c_dir/sshd.log"
  for _ in $(seq 1 40); do ssh -p "$SSH_PORT_C" -o BatchMode=yes root@127.0.0.1 true 2>/dev/null && return 0; sleep 0.5; done
  return 1
}
# The platform's stop_pid: only the daemon started from sshd_c_dir is stopped (a pid file's pid
# may have been reused), and it is gone, its port free, when this returns.
sshd_c_stop() { (source "$CMW_ROOT/platform/lib/common.sh" && stop_pid "facility C's sshd" "$sshd_c_dir/sshd.pid"); }

# dlq_dump N: the first N records of sink-dlq as the admin reads them: headers (Connect's error
# headers say why and where from; a stack trace spans lines), then key and value.
dlq_dump() {
  kafka_java org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$KAFKA_BOOTSTRAP" --consumer.config "$KAFKA_ADMIN_PROPERTIES" \
    --topic sink-dlq --from-beginning --max-messages "$1" --timeout-ms 20000 --property print.headers=true --property print.key=true 2>/dev/null
}
# dlq_reason_count FILE REASON: how many records in FILE (a dlq_dump) failed with a message starting with REASON.
dlq_reason_count() { grep -oF "__connect.errors.exception.message:$2" "$1" | wc -l; }
