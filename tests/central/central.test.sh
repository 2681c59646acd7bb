#!/usr/bin/env bash
# The central stack (index.ts) through a real `pulumi up` against the local platform: topics,
# the sink principal and its ACLs; idempotent; refresh clean; one setting changes one resource;
# the sink user's rights are exactly what the plan says.
source "$(dirname "$0")/../../scripts/env.sh" && source "$CMW_ROOT/tests/lib/suite.sh"
# A private platform on its own ports: the central stack's topic and user names are fixed by
# design, so a local `scripts/up.sh` run on the main platform must not collide with this test.
KAFKA_PORT=23092 KAFKA_CONTROLLER_PORT=23093 PG_PORT=23432 SSH_PORT=2422
private_platform_up central

pulumi_stack_init "$CMW_ROOT"
# The committed Pulumi.central.yaml stays untouched: the test works on a copy.
cfgfile="$PULUMI_TEST_WORK/Pulumi.central-test.yaml"
cp "$CMW_ROOT/Pulumi.central.yaml" "$cfgfile"
PULUMI_TEST_ARGS=(--config-file "$cfgfile")
# Where Kafka and PostgreSQL listen here, the platform's CA and admin passwords.
bash "$CMW_ROOT/platform/stack-config.sh" --config-file "$cfgfile" >/dev/null || cmw_die "platform/stack-config.sh failed"
head -c 32 /dev/urandom | base64 | pc config set --secret credentialSeed
pc config set connectImage "$(bash "$CMW_ROOT/platform/connect-image/build.sh" | tail -n1)"
pc config set sinkRestPortBase 23083
# A district reader of two facility codes, and one of a single facility (row-level security).
pc config set --path 'warehouseReaders.reader_f3[0]' F3
pc config set --path 'warehouseReaders.reader_f2f4[0]' F2
pc config set --path 'warehouseReaders.reader_f2f4[1]' F4

# With its preview: a new stack's passwords are known to the preview (derived from the seed).
check "pulumi preview of the new central stack" pc preview --non-interactive
check "pulumi up of the central stack" pc up --yes --non-interactive
check "a second up changes nothing" pc up --yes --expect-no-changes --non-interactive
check "refresh then preview shows no diff" bash -c "pulumi refresh --yes --non-interactive --config-file '$cfgfile' >/dev/null && pulumi preview --expect-no-changes --non-interactive --config-file '$cfgfile'"
check "the data topics exist" kafka_topic_exists "$KAFKA_ADMIN_PROPERTIES" clinicmasterwarehouse-sqlserver.ClinicMasterMOH.dbo.Visits

sink_password=$(pulumi_password_of sink-user)
db_password=$(pulumi_password_of sink-role)
secret_file "$PULUMI_TEST_WORK/sink-db-password" "$db_password"
as_sink() { pg_psql "$PULUMI_TEST_WORK/sink-db-password" -h 127.0.0.1 -p "$PG_PORT" -U clinicmaster_sink -d warehouse -v ON_ERROR_STOP=1 -qAtc "$1"; }
generated_and_hidden() { ((${#sink_password} >= 32 && ${#db_password} >= 32)) && state_lacks "$sink_password" "$db_password"; }
check "the sink passwords are generated and are not in plain text in the state" generated_and_hidden
props="$PULUMI_TEST_WORK/sink.properties"
kafka_client_properties clinicmaster-sink "$sink_password" > "$props"
check "the sink principal may write the DLQ" kafka_produce "$props" sink-dlq "probe"
check_fails "the sink principal is denied producing to a data topic" kafka_produce "$props" clinicmasterwarehouse-sqlserver.ClinicMasterMOH.dbo.Visits "probe"
check_fails "the sink principal is denied a topic outside its grants" kafka_produce "$props" cmw-sink-connect-not-granted "probe"

# The sink connector: composite keys (id + facility code) upsert, a tombstone deletes one row.
state=""
for _ in $(seq 1 60); do state=$(curl -fsS http://127.0.0.1:23083/connectors/clinicmaster-warehouse-sink/status 2>/dev/null | jq -r '.connector.state + " " + ([.tasks[].state] | join(","))'); [[ $state == "RUNNING RUNNING"* ]] && break; sleep 3; done
check "the sink connector and its tasks are RUNNING ($state)" bash -c "[[ '$state' == 'RUNNING RUNNING'* && '$state' != *FAILED* ]]"
check "the connector config over REST shows no password" bash -c "curl -fsS http://127.0.0.1:23083/connectors/clinicmaster-warehouse-sink/config | jq -e '.\"connection.password\" | startswith(\"\${file:\")' >/dev/null"
# Records as Debezium's unwrap + InsertField make them: JSON with schemas, built by jq (no templating).
key() {
  jq -nc --argjson id "$1" --arg code "$2" '{schema: {type: "struct", optional: false, fields: [
    {field: "VisitID", type: "int32", optional: false}, {field: "facility_dhis2_code", type: "string", optional: false}]},
    payload: {VisitID: $id, facility_dhis2_code: $code}}'
}
value() {
  jq -nc --argjson id "$1" --arg no "$2" --arg code "$3" --arg name "$4" '{schema: {type: "struct", optional: true, fields: [
    {field: "VisitID", type: "int32", optional: false}, {field: "VisitNo", type: "string", optional: true},
    {field: "facility_dhis2_code", type: "string", optional: false}, {field: "facility_name", type: "string", optional: true}]},
    payload: {VisitID: $id, VisitNo: $no, facility_dhis2_code: $code, facility_name: $name}}'
}
topic=clinicmasterwarehouse-sqlserver.ClinicMasterMOH.dbo.Visits
dlq_depth() { kafka_topic_depth "$KAFKA_ADMIN_PROPERTIES" sink-dlq; }
dlq_before=$(dlq_depth)
rows() { as_admin "$1" 2>/dev/null; }
# wait_rows SQL VALUE [TRIES]: polls every 2 s (60 tries unless told).
wait_rows() { for _ in $(seq 1 "${3:-60}"); do [[ $(rows "$1") == "$2" ]] && return 0; sleep 2; done; echo "got: $(rows "$1")"; return 1; }
kafka_produce_signed "$KAFKA_ADMIN_PROPERTIES" "$topic" "$(key 1 F1)" "$(value 1 'VN-2024-1' F1 "St. Mary's \"Lacor\" A&E")" >/dev/null
check "a record keyed (id, facility) becomes a row in the warehouse" wait_rows 'select count(*) from "Visits"' 1
kafka_produce_signed "$KAFKA_ADMIN_PROPERTIES" "$topic" "$(key 1 F2)" "$(value 1 'VN-2024-1' F2 'Gulu Regional')" >/dev/null
check "the same id from another facility is a second row" wait_rows 'select count(*) from "Visits"' 2
check "facility names with quotes and ampersands arrive intact" wait_rows "select \"facility_name\" from \"Visits\" where facility_dhis2_code = 'F1'" "St. Mary's \"Lacor\" A&E"
kafka_produce_signed "$KAFKA_ADMIN_PROPERTIES" "$topic" "$(key 1 F1)" NULL >/dev/null
check "a tombstone deletes exactly that facility's row" wait_rows "select string_agg(facility_dhis2_code, ',') from \"Visits\"" F2
check "no record went to the DLQ" test "$(dlq_depth)" = "$dlq_before"

# Row integrity: the sink writes a record only when it is signed with the key of the facility its
# key names. Unsigned, altered, or signed as another facility: the row stays, the record goes to
# the DLQ with the reason in its headers.
f2_row() { rows "select \"VisitNo\" || '/' || facility_name from \"Visits\" where facility_dhis2_code = 'F2'"; }
f2_before=$(f2_row)
kafka_produce_keyed "$KAFKA_ADMIN_PROPERTIES" "$topic" "$(key 1 F2)" "$(value 1 'VN-UNSIGNED' F2 'Spoofed')" >/dev/null
# F1's genuine signature on a record, then the record changed: a copy under F2's code, and F1's
# own record with another value.
f1_line=$(printf '%s|%s\n' "$(key 1 F1)" "$(value 1 'VN-2024-1' F1 'Genuine')" | signed_lines)
f1_sig=${f1_line%%$'\t'*}
printf '%s\t%s|%s\n' "$f1_sig" "$(key 1 F2)" "$(value 1 'VN-AS-F2' F2 'Spoofed')" "$f1_sig" "$(key 1 F2)" NULL "$f1_sig" "$(key 1 F1)" "$(value 1 'VN-TAMPERED' F1 'Genuine')" |
  kafka_produce_lines "$KAFKA_ADMIN_PROPERTIES" "$topic" >/dev/null
wait_dlq() { for _ in $(seq 1 60); do [[ $(dlq_depth) == "$1" ]] && return 0; sleep 2; done; echo "DLQ depth $(dlq_depth), expected $1"; return 1; }
check "an unsigned record, a spoofed upsert and tombstone under F2's code, and an altered record go to the DLQ" wait_dlq "$((dlq_before + 4))"
check "F2's row is untouched" test "$(f2_row)" = "$f2_before"
check "and no row of F1 came back" test "$(rows "select count(*) from \"Visits\" where facility_dhis2_code = 'F1'")" = 0
dlq_dump "$((dlq_before + 4))" > "$PULUMI_TEST_WORK/dlq.txt"
reason_count() { dlq_reason_count "$PULUMI_TEST_WORK/dlq.txt" "$1"; }
check "their headers say why: unsigned (1), not F2's keys (2), not F1's keys (1)" \
  test "$(reason_count 'unsigned record')/$(reason_count "signature does not match facility F2's keys")/$(reason_count "signature does not match facility F1's keys")" = 1/2/1
dlq_before=$(dlq_depth)

# PostgreSQL stopped for 60 s while records flow: the sink task fails, the worker's agent
# restarts it with backoff, and every record arrives once the database is back; none in the DLQ.
pg_ctl_as_owner() { runuser -u postgres -- "$(ls /usr/lib/postgresql/*/bin/pg_ctl | head -n1)" -D "$CMW_STATE/postgres/data" "$@"; }
before=$(rows 'select count(*) from "Visits"')
check "PostgreSQL stops" pg_ctl_as_owner -m fast -w stop
sink_failed() { curl -fsS http://127.0.0.1:23083/connectors/clinicmaster-warehouse-sink/status | jq -e '[.tasks[].state] | index("FAILED")' >/dev/null; }
seen_failed=no
for i in $(seq 100 119); do
  kafka_produce_signed "$KAFKA_ADMIN_PROPERTIES" "$topic" "$(key "$i" F3)" "$(value "$i" "VN-2024-$i" F3 'Outage Clinic')" >/dev/null
  sink_failed && seen_failed=yes
  sleep 2
done
check "the sink task failed while the database was away" test "$seen_failed" = yes
check "PostgreSQL starts again after 60 s" bash "$CMW_ROOT/platform/platform.sh" start
check "every record sent during the outage arrives, restarted by the agent" wait_rows 'select count(*) from "Visits"' "$((before + 20))" 90
check "no record went to the DLQ because of the outage" test "$(dlq_depth)" = "$dlq_before"

# The warehouse: the sink creates tables in its schema only; analysts read, also later tables.
check "the sink role creates and alters a table in the warehouse schema" as_sink 'create table "Probe"(id int, facility_dhis2_code text, primary key (id, facility_dhis2_code)); alter table "Probe" add column note text; insert into "Probe" values (1, '"'"'F1'"'"', null)'
check_fails "the sink role cannot create a schema of its own" as_sink 'create schema elsewhere'
superusers() { as_admin "select count(*) from pg_roles where rolname in ('clinicmaster_sink', 'warehouse_analyst') and rolsuper"; }
check "no superuser in the data path" test "$(superusers)" = 0
# The role's password goes to psql on stdin, not in a -c argument.
pg_psql "$PG_ADMIN_PASSWORD_FILE" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_ADMIN_USER" -d warehouse -qAt -v ON_ERROR_STOP=1 \
  <<<"create role analyst_alice login password 'alice-pw' in role warehouse_analyst" >/dev/null
secret_file "$PULUMI_TEST_WORK/alice-password" alice-pw
as_alice() { pg_psql "$PULUMI_TEST_WORK/alice-password" -h 127.0.0.1 -p "$PG_PORT" -U analyst_alice -d warehouse -v ON_ERROR_STOP=1 -qAtc "$1"; }
check "an analyst reads tables the sink created after the grants" test "$(as_alice 'select (select count(*) from "Probe") || '"'"','"'"' || (select count(*) from "Visits")')" = "1,$(rows 'select count(*) from "Visits"')"
check_fails "an analyst cannot write" as_alice 'insert into "Probe" values (2, '"'"'F1'"'"', null)'
check "grants do not diff after the sink created tables (refresh, then preview)" bash -c "pulumi refresh --yes --non-interactive --config-file '$cfgfile' >/dev/null && pulumi preview --expect-no-changes --non-interactive --config-file '$cfgfile'"

# Facility-scoped readers (row-level security): each reads only its facilities' rows, in a table
# that existed before its grant and in one the sink creates afterwards (no up in between), cannot
# write nor turn the security off; analysts still read every row.
reader_password() { pulumi stack output warehouseReaderPasswords --show-secrets --json | jq -r --arg r "$1" '.[$r]'; }
secret_file "$PULUMI_TEST_WORK/reader-f3" "$(reader_password reader_f3)"
secret_file "$PULUMI_TEST_WORK/reader-f2f4" "$(reader_password reader_f2f4)"
as_reader() { pg_psql "$PULUMI_TEST_WORK/$1" -h 127.0.0.1 -p "$PG_PORT" -U "${1/-/_}" -d warehouse -v ON_ERROR_STOP=1 -qAtc "$2"; }
check "a facility reader sees only its facility's rows ($(as_admin "select count(*) from \"Visits\" where facility_dhis2_code = 'F3'") of F3)" \
  test "$(as_reader reader-f3 'select string_agg(distinct facility_dhis2_code, '"','"') || '"' '"' || count(*) from "Visits"')" = "F3 $(as_admin "select count(*) from \"Visits\" where facility_dhis2_code = 'F3'")"
check "a district reader sees its two facilities' rows" test "$(as_reader reader-f2f4 'select string_agg(distinct facility_dhis2_code, '"','"' order by facility_dhis2_code) from "Visits"')" = "F2"
as_sink 'create table "LaterTable"(id int, facility_dhis2_code text, primary key (id, facility_dhis2_code)); insert into "LaterTable" values (1, '"'"'F3'"'"'), (2, '"'"'F1'"'"'), (3, '"'"'F4'"'"')' >/dev/null
check "a table the sink creates later is covered at once: each reader sees only its rows" test "$(as_reader reader-f3 'select string_agg(id::text, '"','"') from "LaterTable"')/$(as_reader reader-f2f4 'select string_agg(id::text, '"','"') from "LaterTable"')" = "1/3"
check "an analyst still reads every row of it" test "$(as_alice 'select count(*) from "LaterTable"')" = 3
check_fails "a reader cannot write" as_reader reader-f3 "insert into \"LaterTable\" values (9, 'F3')"
check_fails "a reader cannot turn row-level security off" as_reader reader-f3 'alter table "Visits" disable row level security'
check_fails "nor read who reads what" as_reader reader-f3 'select * from cmw_security.cmw_reader_scope'
as_admin "drop role analyst_alice" >/dev/null 2>&1 || true

# The sink connector: one setting is one change; the declared state is applied.
pc config set --path 'sinkConnectorOverrides["batch.size"]' 2000
out=$(pulumi preview --non-interactive --json --config-file "$cfgfile" 2>/dev/null)
check "changing one sink setting previews as exactly that change" bash -c "[[ -n '$out' ]] && jq -e '.changeSummary.update == 1 and ((.changeSummary | keys) - [\"same\", \"update\"] | length) == 0' <<<'$out' >/dev/null"
sink_key_named() {
  local out; out=$(pc preview --diff --non-interactive 2>&1)
  grep -E 'batch\.size' <<<"$out" | grep -q '2000' || { grep -nE 'batch|config|sink-connector' <<<"$out" | head -n 20; return 1; }
}
check "and the preview names the connector key that changes, with both values" sink_key_named
check "and applies to the connector's config" bash -c "pulumi up --yes --skip-preview --non-interactive --config-file '$cfgfile' >/dev/null && [[ \$(curl -fsS http://127.0.0.1:23083/connectors/clinicmaster-warehouse-sink/config | jq -r '.\"batch.size\"') == 2000 ]]"
pc config set sinkState paused
check "a declared paused state pauses the connector" bash -c "pulumi up --yes --skip-preview --non-interactive --config-file '$cfgfile' >/dev/null && [[ \$(curl -fsS http://127.0.0.1:23083/connectors/clinicmaster-warehouse-sink/status | jq -r .connector.state) == PAUSED ]]"
pc config set sinkState running
check "and running resumes it" bash -c "pulumi up --yes --skip-preview --non-interactive --config-file '$cfgfile' >/dev/null && [[ \$(curl -fsS http://127.0.0.1:23083/connectors/clinicmaster-warehouse-sink/status | jq -r .connector.state) == RUNNING ]]"
check "then nothing to change" pulumi preview --expect-no-changes --non-interactive --config-file "$cfgfile"

pc config set dlqRetentionDays 14
out=$(pulumi preview --non-interactive --json --config-file "$cfgfile" 2>/dev/null)
check "changing one setting previews as exactly that change" bash -c "[[ -n '$out' ]] && jq -e '.changeSummary.update == 1 and ((.changeSummary | keys) - [\"same\", \"update\"] | length) == 0' <<<'$out' >/dev/null"
pc config set dataTopicPartitions 0
check "a bad setting fails the preview with a message naming it" bash -c "pulumi preview --non-interactive --config-file '$cfgfile' 2>&1 | grep -q 'setting dataTopicPartitions: 0 is out of range'"
pc config rm dataTopicPartitions

# Two workers share the load: the connector's tasks run on both.
pc config set sinkWorkers 2
check "a second sink worker joins" pc up --yes --skip-preview --non-interactive
check "the sink's tasks run on both workers" bash -c "for _ in \$(seq 1 60); do [[ \$(curl -fsS http://127.0.0.1:23083/connectors/clinicmaster-warehouse-sink/status | jq -r '[.tasks[] | select(.state == \"RUNNING\") | .worker_id] | unique | length') == 2 ]] && exit 0; sleep 3; done; exit 1"
kafka_produce_signed "$KAFKA_ADMIN_PROPERTIES" "$topic" "$(key 500 F4)" "$(value 500 'VN-2024-500' F4 'Two Workers')" >/dev/null
check "records still arrive with two workers" wait_rows "select count(*) from \"Visits\" where facility_dhis2_code = 'F4'" 1

# The operations tools trust only the stack's CA: one that trusts another CA is refused, in one line.
other_cfg="$PULUMI_TEST_WORK/Pulumi.other-ca.yaml"
cp "$cfgfile" "$other_cfg"
pulumi config set --config-file "$other_cfg" kafkaCaCertificate -- "$(cat "$CMW_STATE/tls/other-ca.pem")"
status_refused() {
  local out rc
  out=$(cd "$CMW_ROOT" && npm run -s status -- --stack "$PULUMI_TEST_STACK" --config-file "$other_cfg" --state-file "$PULUMI_TEST_WORK/status.json" 2>&1); rc=$?
  printf '%s\n' "$out" | tail -n 5
  [[ $rc == 1 ]] && [[ $(grep -c "^  - kafka: TLS: the broker's certificate was refused" <<<"$out") == 1 ]]
}
check "npm run status with a CA that did not sign the broker: exit 1, and one line says why" status_refused
check "destroy removes it all" pc destroy --yes --skip-preview --non-interactive
check_fails "the sink user is gone" kafka_produce "$props" sink-dlq "after destroy"
tap_summary
