#!/usr/bin/env bash
# Facilities through a real `pulumi up` on the local platform: two ClinicMaster-shaped sources
# (MariaDB and PostgreSQL, overlapping ids) become facilities from two YAML files, their agents
# run on the "remote" host over ssh://, their rows reach the warehouse with their codes and names;
# a third file adds only its own resources, removing one removes only its own and keeps its rows;
# credentials are least privilege; the REST API shows no password; the SQL Server config passes
# Debezium's own validation; the compose bundle runs the same facility with `docker compose`.
source "$(dirname "$0")/../../scripts/env.sh" && source "$CMW_ROOT/tests/lib/suite.sh"
SUITE=facility KAFKA_PORT=24092 KAFKA_CONTROLLER_PORT=24093 PG_PORT=24432 SSH_PORT=2522
SRC_A_PORT=24306 SRC_B_PORT=24433 REST_A=24083 REST_B=24084 SINK_REST=24183
facilities_up
bundle_dir="$PULUMI_TEST_WORK/bundle-fac-b"
compose_down() { [[ ! -d $bundle_dir ]] || (cd "$bundle_dir" && docker compose down --timeout 5) >/dev/null 2>&1; }
cmw_on_exit compose_down

# Every byte on the Kafka and warehouse ports during the first snapshot, to look for patient data
# in clear; the MariaDB source's port (the facility's own LAN, not encrypted here) proves the
# search finds it where it is.
capture="$PULUMI_TEST_WORK/capture"
mkdir -p "$capture"
tcpdump -i lo -U -s 0 -w "$capture/central.pcap" "tcp port $KAFKA_PORT or tcp port $PG_PORT" >/dev/null 2>&1 &
tcpdump_central=$!
tcpdump -i lo -U -s 0 -w "$capture/source.pcap" "tcp port $SRC_A_PORT" >/dev/null 2>&1 &
tcpdump_source=$!
stop_captures() { kill "$tcpdump_central" "$tcpdump_source" 2>/dev/null; wait "$tcpdump_central" "$tcpdump_source" 2>/dev/null; }
cmw_on_exit stop_captures
sleep 1
check "pulumi up: the central stack and two facilities" pc up --yes --skip-preview --non-interactive
agents_on_host() { on_host ps --filter label=clinicmaster.role=facility-agent --filter "name=cmw-$PULUMI_TEST_STACK-facility-" --format '{{.Names}}' | sort | tr '\n' ' '; }
check "the agents run on the facility host, reached over ssh://" test "$(agents_on_host)" = "$(agent_name fac-a) $(agent_name fac-b) "

check "facility A's agent registered its connector and it runs" wait_running 24083 cmw-facility-fac-a-source
check "facility B's agent registered its connector and it runs" wait_running 24084 cmw-facility-fac-b-source

pa=$(echo 'select count(*) from Patients' | sources sql fac-a | tail -n1 | tr -d ' ')
pb=$(echo 'select count(*) from dbo."Patients"' | sources sql fac-b | tail -n1 | tr -d ' ')
check "every patient of facility A is in the warehouse under FAC-A ($pa)" wait_value "$(count_for Patients FAC-A)" "$pa"
check "every patient of facility B is in the warehouse under FAC-B ($pb)" wait_value "$(count_for Patients FAC-B)" "$pb"
check "the same patient number exists once per facility" wait_value "select count(distinct facility_dhis2_code) from \"Patients\" where \"PatientNo\" = (select min(\"PatientNo\") from \"Patients\")" 2
check "rows carry the facility names exactly" wait_value "select string_agg(distinct facility_name, '|' order by facility_name) from \"Visits\"" "Kyaka Health Centre Ⅳ — Ölüm|St. Mary's \"Lacor\" Hospital & Maternity / Gulu\\East"
check "facility A's tables in the warehouse have the source's row counts and checksums" wait_same_checksums fac-a FAC-A
check "facility B's tables in the warehouse have the source's row counts and checksums" wait_same_checksums fac-b FAC-B
stop_captures
known=$(echo "select concat(FirstName, '|', LastName, '|', Phone) from Patients where Phone is not null order by PatientNo limit 20" | sources sql fac-a | tail -n +2)
# Only values of 8 characters or more: a short one could turn up in ciphertext by chance.
in_clear() { local f; while IFS='|' read -r first last phone; do for f in "$first" "$last" "$phone"; do ((${#f} >= 8)) && grep -aqF -- "$f" "$1" && return 0; done; done <<<"$known"; return 1; }
check "the capture of the source's port finds patient names in clear (the search works)" in_clear "$capture/source.pcap"
check "the capture of the Kafka and warehouse ports during the snapshot holds $(stat -c %s "$capture/central.pcap") bytes" test "$(stat -c %s "$capture/central.pcap")" -gt 100000
check_fails "and no known patient name or phone number in it (TLS on every central link)" in_clear "$capture/central.pcap"
check "the photo and fingerprint columns never reach the warehouse" test "$(as_admin "select count(*) from information_schema.columns where table_name = 'Patients' and column_name in ('Photo', 'FingerPrint')")" = 0

# Streaming: a delete at facility A removes A's row only, though B has the same visit number.
victim=$(echo 'select min(VisitNo) from Visits' | sources sql fac-a | tail -n1 | tr -d ' ')
echo "delete from Visits where VisitNo = '$victim'" | sources sql fac-a >/dev/null
check "a delete at facility A removes A's row and keeps B's with the same number" wait_value "select string_agg(facility_dhis2_code, ',') from \"Visits\" where \"VisitNo\" = '$victim'" FAC-B

# Least privilege, with the facility's own generated credentials.
pa_kafka=$(pulumi_password_of fac-a-user)
props_a="$PULUMI_TEST_WORK/fac-a.properties"
kafka_client_properties cmw-facility-fac-a "$pa_kafka" > "$props_a"
check "facility A may write its own private topics" kafka_produce "$props_a" cmw-facility.fac-a.signal '{"probe":1}'
check_fails "facility A is denied reading a shared data topic" kafka_consume_one "$props_a" clinicmasterwarehouse-sqlserver.ClinicMasterMOH.dbo.Visits cmw-facility.fac-a.probe
check_fails "facility A is denied writing facility B's private topics" kafka_produce "$props_a" cmw-facility.fac-b.signal '{"probe":1}'
check_fails "facility A is denied reading facility B's offsets" kafka_consume_one "$props_a" cmw-facility.fac-b.connect-offsets cmw-facility.fac-a.probe
db_a=$(source_password fac-a)
rest_shows_no_password() {
  local out; out=$(curl -fsS http://127.0.0.1:24083/connectors/cmw-facility-fac-a-source/config)
  [[ -n $out ]] && no_secret_in "$pa_kafka" "$db_a" <<<"$out" && grep -q 'file:' <<<"$out"
}
check "the agent's REST API shows no password" rest_shows_no_password
env_has_no_password() { on_host inspect "$(agent_name fac-a)" | no_secret_in "$pa_kafka" "$db_a"; }
check "no password in the agent's environment" env_has_no_password

# SQL Server: the planned config passes Debezium's own validation on the agent's worker; the
# only errors are about reaching the database (there is no SQL Server here).
sqlserver_dir="$PULUMI_TEST_WORK/sqlserver"
mkdir -p "$sqlserver_dir"
jq -n --arg host "$SSH_HOST_URL" '{name: "ClinicMaster SQL Server site", dhis2Code: "FAC-SQL", host: $host,
  source: {host: "127.0.0.1", port: 1, database: "ClinicMaster", user: "debezium", passwordSecret: "fac-sql-db-password"}}' > "$sqlserver_dir/fac-sql.yaml"
(cd "$CMW_ROOT" && npm run -s facility -- plan fac-sql --dir "$sqlserver_dir" --bootstrap "$KAFKA_BOOTSTRAP" --tls false) 2>/dev/null \
  | jq '. + {name: "cmw-facility-fac-sql-source"}' > "$sqlserver_dir/config.json"
validation=$(curl -fsS -X PUT -H 'Content-Type: application/json' --data @"$sqlserver_dir/config.json" \
  http://127.0.0.1:24083/connector-plugins/io.debezium.connector.sqlserver.SqlServerConnector/config/validate)
bad_keys=$(jq -r '[.configs[] | select(.value.errors | length > 0) | .value.name] | join(",")' <<<"$validation")
check "SQL Server config: Debezium's validation finds only the unreachable database ($bad_keys)" \
  bash -c "[[ '$bad_keys' == 'database.hostname' ]]"

check "a second up changes nothing" pc up --yes --expect-no-changes --non-interactive
check "refresh then preview shows no diff" bash -c "pulumi refresh --yes --non-interactive --config-file '$cfgfile' >/dev/null && pulumi preview --expect-no-changes --non-interactive --config-file '$cfgfile'"

# Inserts, updates and deletes at both sources while facility A's agent restarts: afterwards
# every table matches its source again (nothing lost, nothing left over).
sources trickle fac-a 20 > "$PULUMI_TEST_WORK/trickle-a.log" 2>&1 &
sources trickle fac-b 20 > "$PULUMI_TEST_WORK/trickle-b.log" 2>&1 &
sleep 6
check "facility A's agent restarts while changes flow" on_host restart "$(agent_name fac-a)"
wait
check "after $(grep -c '^trickle' "$PULUMI_TEST_WORK/trickle-a.log") rounds of changes and the restart, A matches its source" wait_same_checksums fac-a FAC-A
check "after $(grep -c '^trickle' "$PULUMI_TEST_WORK/trickle-b.log") rounds of changes, B matches its source" wait_same_checksums fac-b FAC-B

# A third facility: its own resources only.
facility_yaml fac-c "FAC-C" "Third Clinic" mariadb 24306 24085
facility_secret_config fac-c fac-a
# preview_only OP SLUG [MIN]: the preview succeeds and changes more than MIN (default 10)
# resources, every one an OP of SLUG's.
preview_only() {
  local out="$PULUMI_TEST_WORK/preview.json"
  pc preview --non-interactive --json > "$out" 2>/dev/null || { jq -r '.diagnostics[]?.message' "$out" | tail -n 20; return 1; }
  jq -e --arg op "$1" --arg slug "$2" --argjson min "${3:-10}" '[.steps[] | select(.op != "same")]
    | length > $min and all(.op == $op and (.urn | contains($slug)))' "$out" \
    || jq -c '[.steps[] | select(.op != "same") | {op, urn}]' "$out"
}
check "adding a third file previews only that facility's new resources" preview_only create fac-c
check "and comes up (preview included)" pc up --yes --non-interactive
check "facility C's connector runs" wait_running 24085 cmw-facility-fac-c-source

# Removing facility A: its credentials, ACLs, topics and container go; its rows stay.
rows_a=$(as_admin "$(count_for Patients FAC-A)")
rm "$facilities/fac-a.yaml"
check "removing a file previews only deletes of that facility's resources" preview_only delete fac-a
check "and removes them" pc up --yes --skip-preview --non-interactive
check_fails "facility A's container is gone" on_host inspect "$(agent_name fac-a)"
check_fails "facility A's credentials no longer work" kafka_produce "$props_a" cmw-facility.fac-a.signal '{"probe":2}'
acls_name() { kafka_java kafka.admin.AclCommand --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$KAFKA_ADMIN_PROPERTIES" --list 2>/dev/null | grep -q "$1"; }
check_fails "no ACL names facility A any more" acls_name "User:cmw-facility-fac-a"
check "facility A's rows stay in the warehouse ($rows_a)" test "$(as_admin "$(count_for Patients FAC-A)")" = "$rows_a"

# The compose bundle: facility B becomes a site whose local IT runs its agent with
# `docker compose up -d` (same credentials): its file says `agent: compose`, and `pulumi up`
# removes only the agent Pulumi ran on its host.
jq '. + {agent: "compose"} | del(.host)' "$facilities/fac-b.yaml" > "$facilities/fac-b.json" && mv "$facilities/fac-b.json" "$facilities/fac-b.yaml"
check "agent: compose previews only the removal of B's Docker host, image and agent" preview_only delete fac-b 2
check "and pulumi up removes them" pc up --yes --non-interactive
check_fails "facility B's Pulumi-run agent is gone" on_host inspect "$(agent_name fac-b)"
check "npm run facility -- bundle writes facility B's bundle and a filled .env" bash -c "cd '$CMW_ROOT' && npm run -s facility -- bundle fac-b --out '$bundle_dir' --write-env '$bundle_dir/filled.env' --stack '$PULUMI_TEST_STACK' --config-file '$cfgfile'"
bundle_has_no_password() {
  [[ -f $bundle_dir/docker-compose.yml && -f $bundle_dir/.env.sample && -f $bundle_dir/connectors/cmw-facility-fac-b-source.json ]] &&
    cat "$bundle_dir/docker-compose.yml" "$bundle_dir/.env.sample" "$bundle_dir"/connectors/* | no_secret_in "$(source_password fac-b)"
}
check "the bundle holds compose file, .env.sample and connector config, and no password" bundle_has_no_password
check "the filled .env is readable by its owner only" bash -c "[[ \$(stat -c %a '$bundle_dir/filled.env') == 600 ]]"
check "and holds B's signing key, which is not in the bundle" bash -c "key=\$(sed -n \"s/^SIGNING_KEY='\\(.*\\)'\$/\\1/p\" '$bundle_dir/filled.env'); [[ \${#key} == 44 ]] && ! grep -rqF \"\$key\" '$bundle_dir/docker-compose.yml' '$bundle_dir/.env.sample' '$bundle_dir/connectors'"
cp "$bundle_dir/filled.env" "$bundle_dir/.env"
check "docker compose up -d brings facility B's agent up" bash -c "cd '$bundle_dir' && docker compose up -d"
check "the compose agent runs the same connector" wait_running 24084 cmw-facility-fac-b-source
echo "insert into dbo.\"Patients\" (\"PatientNo\", \"FirstName\", \"LastName\") values ('P-COMPOSE-1', 'Via', 'Compose')" | sources sql fac-b >/dev/null
check "a change at facility B arrives through the compose agent, signed with B's key (the sink verifies)" wait_value "select count(*) from \"Patients\" where \"PatientNo\" = 'P-COMPOSE-1' and facility_dhis2_code = 'FAC-B'" 1
# The central team sees the compose site through Kafka: what its agent wrote there, and its heartbeats.
compose_status_running() {
  local j
  for _ in $(seq 1 20); do
    j=$(cd "$CMW_ROOT" && npm run -s status -- --stack "$PULUMI_TEST_STACK" --config-file "$cfgfile" --state-file "$PULUMI_TEST_WORK/status.json" --json 2>/dev/null)
    jq -e '.facilities[] | select(.slug == "fac-b") | .agentState == "compose" and .host == "compose" and .connectorState == "RUNNING" and .connectorStateFrom == "kafka" and .heartbeatAgeSeconds < 180' <<<"$j" >/dev/null && return 0
    sleep 5
  done
  jq '.facilities[] | select(.slug == "fac-b")' <<<"$j"; return 1
}
check "npm run status shows B as a compose site, its connector RUNNING as its agent wrote it to Kafka" compose_status_running
(cd "$bundle_dir" && docker compose down --timeout 10 >/dev/null 2>&1)

check "a bad facility file fails the preview with its one-line message" bash -c "
  echo 'name: [' > '$facilities/broken.yaml'
  out=\$(pulumi preview --non-interactive --config-file '$cfgfile' 2>&1); rm -f '$facilities/broken.yaml'
  grep -q 'broken.yaml: not valid YAML at line 2' <<<\"\$out\""
check "destroy removes it all" pc destroy --yes --skip-preview --non-interactive
tap_summary
