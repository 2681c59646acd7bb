#!/usr/bin/env bash
# Operating the fleet on a private platform: three facilities (MariaDB, PostgreSQL, and a third on
# a second "host" with an SSH daemon of its own) through `pulumi up`; `npm run status` healthy,
# then with one agent stopped and one host unreachable (both reported, the rest still reported,
# exit 1); lag and DLQ figures equal to what the test produced; `npm run dlq` lists a poison
# record with its reason and origin, replays it once fixed, and it is then in the warehouse once;
# `npm run pr-preview` (what the pull-request workflow runs) shows a new facility file as exactly
# that facility's new resources, and fails a malformed file with its one-line message.
source "$(dirname "$0")/../../scripts/env.sh" && source "$CMW_ROOT/tests/lib/suite.sh"
SUITE=ops KAFKA_PORT=21092 KAFKA_CONTROLLER_PORT=21093 PG_PORT=21432 SSH_PORT=2722
SRC_A_PORT=21306 SRC_B_PORT=21433 REST_A=21083 REST_B=21084 REST_C=21085 SINK_REST=21183 SSH_PORT_C=2723
PROMETHEUS_PORT=21190 METRICS_PORT=21191
facilities_up

# Facility C's host: a second SSH daemon (same keys as the platform's) that can go away alone.
sshd_c_dir="$CMW_STATE/ssh-host-c"
# At exit the host may be down (the drill): the stack's cleanup removes C's agent by name then.
cmw_on_exit sshd_c_stop
check "facility C's host (a second SSH daemon) answers" sshd_c_start
jq -n --arg host "ssh://root@127.0.0.1:$SSH_PORT_C" --argjson port "$SRC_A_PORT" --argjson rest "$REST_C" \
  '{name: "Third Clinic on its own host", dhis2Code: "FAC-C", host: $host, restPort: $rest, memoryLimitMb: 1024,
    source: {engine: "mariadb", host: "127.0.0.1", port: $port, database: "ClinicMaster", user: "debezium", passwordSecret: "fac-c-db-password"}}' \
  > "$facilities/fac-c.yaml"
facility_secret_config fac-c fac-a
state_file="$PULUMI_TEST_WORK/status-state.json"
status() { (cd "$CMW_ROOT" && npm run -s status -- --stack "$PULUMI_TEST_STACK" --config-file "$cfgfile" --state-file "$state_file" "$@"); }
dlq() { (cd "$CMW_ROOT" && npm run -s dlq -- --stack "$PULUMI_TEST_STACK" --config-file "$cfgfile" "$@"); }
status_json() { status --json "$@" 2>/dev/null; }

timer "pulumi up: three facilities"
check "pulumi up (preview included): the central stack and facilities A, B and C (C on its own host)" pc up --yes --non-interactive
three_running() { wait_running "$REST_A" cmw-facility-fac-a-source && wait_running "$REST_B" cmw-facility-fac-b-source && wait_running "$REST_C" cmw-facility-fac-c-source; }
check "the three connectors run" three_running
check "facility A's rows are in the warehouse" wait_same_checksums fac-a FAC-A
check "facility B's rows are in the warehouse" wait_same_checksums fac-b FAC-B
check "facility C's rows are in the warehouse" wait_same_checksums fac-a FAC-C

# Healthy: every agent runs, every connector too, every facility has sent a heartbeat lately.
timer "status, healthy"
wait_healthy() { for _ in $(seq 1 40); do status >/dev/null 2>&1 && return 0; sleep 5; done; status; }
check "npm run status exits 0 when everything is healthy" wait_healthy
out="$PULUMI_TEST_WORK/status.txt"
status --prometheus "$PULUMI_TEST_WORK/cmw.prom" > "$out" 2>&1; rc=$?
check "the table reports HEALTHY, every facility and the sink (exit $rc)" bash -c "[[ $rc == 0 ]] && grep -q HEALTHY '$out' && grep -qE '^fac-a +FAC-A +mariadb .* running +RUNNING +1/1 ' '$out' && grep -qE '^fac-c +FAC-C ' '$out' && grep -q '^SINK clinicmaster-warehouse-sink: RUNNING' '$out'"
json="$PULUMI_TEST_WORK/status.json"
status_json > "$json"
patients_b=$(echo 'select count(*) from dbo."Patients"' | sources sql fac-b | tail -n1 | tr -d ' ')
check "JSON: warehouse rows per table match the sources (B's Patients: $patients_b)" \
  jq -e --argjson n "$patients_b" '.facilities[] | select(.slug == "fac-b") | .rows.Patients == $n' "$json"
check "JSON: every heartbeat is recent, every facility healthy" jq -e '[.facilities[] | .healthy and .heartbeatAgeSeconds < 180] | length == 3 and all' "$json"
check "JSON: every agent runs the stack's connectImage, read over SSH (no drift)" \
  jq -e '.fleet.agents == 3 and .fleet.current == 3 and .fleet.behind == [] and ([.facilities[] | .imageDrift == "current" and (.image == $image)] | all)' --arg image "$(pc config get connectImage)" "$json"
check "Prometheus text for the textfile collector" bash -c "grep -q '^cmw_status_healthy 1$' '$PULUMI_TEST_WORK/cmw.prom' && grep -q '^cmw_facility_agent_running{dhis2_code=\"FAC-C\",facility=\"fac-c\"} 1$' '$PULUMI_TEST_WORK/cmw.prom' && grep -q '^cmw_warehouse_rows{dhis2_code=\"FAC-B\",facility=\"fac-b\",table=\"Patients\"} $patients_b$' '$PULUMI_TEST_WORK/cmw.prom'"

# Poison records (no schema envelope: the sink cannot convert them) from a producer outside the
# agents, under a code of their own: the DLQ figures of `status`, then the DLQ tool.
timer "DLQ: two poison records"
visits_topic=clinicmasterwarehouse-sqlserver.ClinicMasterMOH.dbo.Visits
dlq_before=$(jq '.sink.dlqDepth' "$json")
for n in 1 2; do
  kafka_produce_keyed "$KAFKA_ADMIN_PROPERTIES" "$visits_topic" "{\"VisitNo\":\"V-POISON-$n\",\"facility_dhis2_code\":\"FAC-Z\"}" \
    "{\"VisitNo\":\"V-POISON-$n\",\"PatientNo\":\"P2024-000002\",\"Notes\":\"sent without schema\",\"facility_dhis2_code\":\"FAC-Z\"}" >/dev/null
done
wait_dlq() { for _ in $(seq 1 30); do [[ $(kafka_topic_depth "$KAFKA_ADMIN_PROPERTIES" sink-dlq) == "$1" ]] && return 0; sleep 2; done; return 1; }
check "both land in sink-dlq" wait_dlq "$((dlq_before + 2))"
status_json > "$json"; rc=$?
check "status: exit 1, the DLQ grew by exactly 2 since the last look, depth $((dlq_before + 2))" \
  jq -e --argjson rc "$rc" --argjson d "$((dlq_before + 2))" '$rc == 1 and .sink.dlqGrowth == 2 and .sink.dlqDepth == $d and (.problems | any(test("^sink: DLQ grew by 2 records since ")))' "$json"
status_json > "$json"; rc=$?
check "the next look sees no growth and is healthy again (exit $rc)" jq -e --argjson rc "$rc" '$rc == 0 and .sink.dlqGrowth == 0' "$json"

list="$PULUMI_TEST_WORK/dlq-list.txt"
dlq list > "$list" 2>&1
check "npm run dlq -- list shows both with facility, table, origin and why" bash -c "
  [[ \$(grep -cE '^0:[0-9]+ +[0-9T:.Z-]+ +FAC-Z +Visits +$visits_topic\[[0-5]\]@[0-9]+ +KEY_CONVERTER: DataException: JsonConverter with schemas.enable requires' '$list') == 2 ]]"
check "filters by facility, table and error find them" bash -c "[[ \$(cd '$CMW_ROOT' && npm run -s dlq -- list --stack '$PULUMI_TEST_STACK' --config-file '$cfgfile' --facility fac-z --table Visits --error 'schemas\.enable' --json | jq length) == 2 ]]"
check "and nothing of facility A" bash -c "cd '$CMW_ROOT' && npm run -s dlq -- list --stack '$PULUMI_TEST_STACK' --config-file '$cfgfile' --facility FAC-A | grep -q 'no dead-lettered records match'"
first=$(dlq list --json 2>/dev/null | jq -r '[.[] | select(.key | contains("V-POISON-1"))][0].id')
dlq show --record "$first" > "$PULUMI_TEST_WORK/poison.json" 2>/dev/null
check "show gives the whole record: its value and Connect's headers" jq -e '(.value | contains("sent without schema")) and .headers["__connect.errors.topic"] != null and .origin.offset >= 0' "$PULUMI_TEST_WORK/poison.json"
check_fails "replay without a selection replays nothing" dlq replay
# The fix: the producer's bug was the missing schema envelope; the fixed copy carries it.
envelope() { jq -c '{schema: {type: "struct", optional: false, fields: [keys_unsorted[] | {field: ., type: "string", optional: true}]}, payload: .}'; }
jq -r '.key' "$PULUMI_TEST_WORK/poison.json" | envelope > "$PULUMI_TEST_WORK/fixed-key.json"
jq -r '.value' "$PULUMI_TEST_WORK/poison.json" | jq -c '.Notes = "fixed and replayed"' | envelope > "$PULUMI_TEST_WORK/fixed-value.json"
# replay_says PATTERN: replays the fixed copy of the first poison record; its output matches PATTERN.
replay_says() {
  local out; out=$(dlq replay --record "$first" --key-file "$PULUMI_TEST_WORK/fixed-key.json" --value-file "$PULUMI_TEST_WORK/fixed-value.json" 2>&1)
  printf '%s\n' "$out"; grep -qE "$1" <<<"$out"
}
check "replay sends the fixed record, signed again, to its original topic and partition" replay_says "^replayed $first to $visits_topic\\[$(jq '.origin.partition' "$PULUMI_TEST_WORK/poison.json")\\] offset "
check "the replayed record is in the warehouse once" wait_value "select count(*) || ',' || max(\"Notes\") from \"Visits\" where \"VisitNo\" = 'V-POISON-1'" "1,fixed and replayed"
check "a second replay of it is skipped as already replayed" replay_says "^skip $first: already replayed"
sleep 5
check "and the row is still there once" wait_value "select count(*) from \"Visits\" where \"VisitNo\" = 'V-POISON-1'" 1
check "the DLQ keeps both records (nothing is deleted)" test "$(kafka_topic_depth "$KAFKA_ADMIN_PROPERTIES" sink-dlq)" = "$((dlq_before + 2))"

# Lag: with the sink paused, records the test sends are exactly the lag status reports.
# The monitoring login: cron runs status and the DLQ list as a read-only principal and role of
# their own, without the stack's passphrase or any admin credential.
timer "monitoring login"
login_file="$PULUMI_TEST_WORK/monitor-login.json"
check "npm run monitoring -- login writes the read-only login, mode 600" bash -c "cd '$CMW_ROOT' && npm run -s monitoring -- login --stack '$PULUMI_TEST_STACK' --config-file '$cfgfile' --out '$login_file' >/dev/null && [[ \$(stat -c %a '$login_file') == 600 ]]"
# No passphrase: the stack's secrets cannot be read at all, only its plain settings.
as_cron() { (unset PULUMI_CONFIG_PASSPHRASE PULUMI_CONFIG_PASSPHRASE_FILE; cd "$CMW_ROOT" && "$@"); }
cron_status_ok() {
  local out
  out=$(as_cron npm run -s status -- --stack "$PULUMI_TEST_STACK" --config-file "$cfgfile" --state-file "$PULUMI_TEST_WORK/cron-state.json" --login "$login_file" --json)
  jq -e --argjson n "$patients_b" '(.facilities[] | select(.slug == "fac-b") | .rows.Patients == $n) and .sink.dlqDepth >= 2
    and ([.problems[] | select(test("^(kafka|warehouse):"))] | length == 0)' <<<"$out" || { jq '.problems' <<<"$out"; return 1; }
}
check "status with the monitoring login and no passphrase: every facility's rows and the sink's figures" cron_status_ok
cron_dlq_list() { as_cron npm run -s dlq -- list --stack "$PULUMI_TEST_STACK" --config-file "$cfgfile" --login "$login_file" --facility FAC-Z --json | jq -e 'length >= 2'; }
check "the DLQ list with the monitoring login" cron_dlq_list
check_fails "but no replay with it" as_cron npm run -s dlq -- replay --all --stack "$PULUMI_TEST_STACK" --config-file "$cfgfile" --login "$login_file"
monitor_props="$PULUMI_TEST_WORK/monitor.properties"
kafka_client_properties "$(jq -r .kafka.user "$login_file")" "$(jq -r .kafka.password "$login_file")" > "$monitor_props"
check_fails "the monitoring login is denied writing a data topic" kafka_produce "$monitor_props" "$visits_topic" '{"probe":1}'
check_fails "the monitoring login is denied reading a data topic's records" kafka_consume_one "$monitor_props" "$visits_topic" cmw-monitor-probe
check_fails "the monitoring login is denied a facility's offsets topic" kafka_consume_one "$monitor_props" cmw-facility.fac-a.connect-offsets cmw-monitor-probe
check_fails "the monitoring login is denied creating a topic" kafka_topics "$monitor_props" --create --topic cmw-monitor-probe --partitions 1 --replication-factor 1
check_fails "the monitoring login is denied writing the DLQ" kafka_produce "$monitor_props" sink-dlq probe
monitor_pw="$PULUMI_TEST_WORK/monitor-pg-password"
secret_file "$monitor_pw" "$(jq -r .warehouse.password "$login_file")"
as_monitor() { pg_psql "$monitor_pw" -h 127.0.0.1 -p "$PG_PORT" -U "$(jq -r .warehouse.user "$login_file")" -d warehouse -v ON_ERROR_STOP=1 -qAtc "$1"; }
check "the monitoring role reads the warehouse" as_monitor 'select count(*) from "Patients"'
check_fails "the monitoring role is denied writing a row" as_monitor "delete from \"Patients\" where facility_dhis2_code = 'FAC-A'"
check_fails "the monitoring role is denied creating a table" as_monitor 'create table monitor_probe(id int)'

timer "lag"
curl -fsS -X PUT "http://127.0.0.1:$SINK_REST/connectors/clinicmaster-warehouse-sink/pause" >/dev/null
sleep 15 # the last offsets the sink commits before pausing (every 10 s) land
lag0=$(status_json | jq '.sink.lagTotal')
key_schema='{"type":"struct","optional":false,"fields":[{"field":"VisitNo","type":"string","optional":false},{"field":"facility_dhis2_code","type":"string","optional":false}]}'
value_schema='{"type":"struct","optional":false,"fields":[{"field":"VisitNo","type":"string","optional":false},{"field":"Notes","type":"string","optional":true},{"field":"facility_dhis2_code","type":"string","optional":false}]}'
for n in $(seq 1 25); do
  printf '%s|%s\n' "$(jq -c --argjson s "$key_schema" --arg v "V-LAG-$n" '{schema: $s, payload: {VisitNo: $v, facility_dhis2_code: "FAC-Z"}}' <<<null)" \
    "$(jq -c --argjson s "$value_schema" --arg v "V-LAG-$n" '{schema: $s, payload: {VisitNo: $v, Notes: "lag probe", facility_dhis2_code: "FAC-Z"}}' <<<null)"
done | signed_lines | kafka_produce_lines "$KAFKA_ADMIN_PROPERTIES" "$visits_topic" >/dev/null
status_json > "$json"; rc=$?
check "status reports the sink paused (exit 1) and a lag of exactly the 25 records sent (before: $lag0)" \
  jq -e --argjson rc "$rc" --argjson l "$((lag0 + 25))" '$rc == 1 and .sink.lagTotal == $l and .sink.connectorState == "PAUSED"' "$json"
pc config set --path statusThresholds.sinkMaxLag 10
curl -fsS -X PUT "http://127.0.0.1:$SINK_REST/connectors/clinicmaster-warehouse-sink/resume" >/dev/null
check "resumed, the records land" wait_value "select count(*) from \"Visits\" where \"Notes\" = 'lag probe'" 25
wait_lag_zero() { for _ in $(seq 1 20); do [[ $(status_json | jq '.sink.lagTotal') == 0 ]] && return 0; sleep 3; done; status_json | jq '.sink'; return 1; }
check "and the lag goes back to 0" wait_lag_zero
check "a threshold in stack config (statusThresholds.sinkMaxLag 10) is what status applies" jq -e '.thresholds.sinkMaxLag == 10' <(status_json)

# Throughput: rows added at A's source since the previous look are A's rows per second.
echo "INSERT INTO Visits (VisitNo, PatientNo, VisitType, Notes) SELECT CONCAT('V-RATE-', seq), 'P2024-000001', 'OPD', 'rate probe' FROM seq_1_to_30" | sources sql fac-a >/dev/null
check "30 new Visits rows at A's source land" wait_value "select count(*) from \"Visits\" where \"VisitNo\" like 'V-RATE-%' and facility_dhis2_code = 'FAC-A'" 30
status_json --prometheus "$PULUMI_TEST_WORK/rate.prom" > "$json"
check "status shows them as A's Visits rows per second since the previous look, and none at B" \
  jq -e '(.facilities[] | select(.slug == "fac-a") | .rowsPerSecond.Visits > 0) and (.facilities[] | select(.slug == "fac-b") | .rowsPerSecond.Visits == 0)' "$json"
check "so does the Prometheus text" grep -qE '^cmw_warehouse_rows_per_second\{dhis2_code="FAC-A",facility="fac-a",table="Visits"\} [0-9.]*[1-9]' "$PULUMI_TEST_WORK/rate.prom"

# One agent stopped, one host unreachable: both reported, the rest still reported, exit 1.
timer "status: agent B stopped, host C unreachable"
check "facility B's agent is stopped" on_host stop "$(agent_name fac-b)"
sshd_c_stop
start=$(date +%s)
status_json --prometheus "$PULUMI_TEST_WORK/cmw.prom" --html "$PULUMI_TEST_WORK/status.html" > "$json"; rc=$?
took=$(( $(date +%s) - start ))
check "status exits 1 (exit $rc) and does not hang on the dead host (${took}s)" bash -c "[[ $rc == 1 && $took -lt 60 ]]"
check "B is reported with its agent exited" jq -e '.facilities[] | select(.slug == "fac-b") | .agentState == "exited" and (.healthy | not)' "$json"
check "C is reported with its host unreachable and the SSH error" jq -e '.facilities[] | select(.slug == "fac-c") | .hostReachable == false and .agentState == "unreachable" and (.lastError | test("Connection refused|connect"))' "$json"
check "C's connector is shown as its agent last wrote it to Kafka: RUNNING behind the dead host" jq -e '.facilities[] | select(.slug == "fac-c") | .connectorState == "RUNNING" and .connectorStateFrom == "kafka" and .heartbeatAgeSeconds < 180' "$json"
check "A is still reported, healthy, with its rows" jq -e '.facilities[] | select(.slug == "fac-a") | .healthy and .rowsTotal > 0' "$json"
check "the problems name both" jq -e '(.problems | any(test("^fac-b: agent container is exited"))) and (.problems | any(test("^fac-c: host ssh://root@127.0.0.1:'"$SSH_PORT_C"' unreachable")))' "$json"
check "so do the metrics" bash -c "grep -q '^cmw_facility_host_reachable{dhis2_code=\"FAC-C\",facility=\"fac-c\"} 0$' '$PULUMI_TEST_WORK/cmw.prom' && grep -q '^cmw_facility_agent_running{dhis2_code=\"FAC-B\",facility=\"fac-b\"} 0$' '$PULUMI_TEST_WORK/cmw.prom' && grep -q '^cmw_status_healthy 0$' '$PULUMI_TEST_WORK/cmw.prom'"
check "C's image is unknown behind its dead host, not counted as current; B's stopped agent still shows its image" \
  jq -e '(.facilities[] | select(.slug == "fac-c") | .imageDrift == "unknown" and .imageUnknownReason == "host unreachable") and (.facilities[] | select(.slug == "fac-b") | .imageDrift == "current") and .fleet.current == 2 and .fleet.unknown == ["fac-c"]' "$json"
check "the page puts the two unhealthy facilities first, with the problem list on top" bash -c "
  [[ \$(grep -o 'data-facility=\"[^\"]*\"' '$PULUMI_TEST_WORK/status.html' | head -n2 | sort | tr '\n' ' ') == 'data-facility=\"fac-b\" data-facility=\"fac-c\" ' ]] && grep -q '<h2>Problems</h2>' '$PULUMI_TEST_WORK/status.html'"
status > "$out" 2>&1
check "the table shows them too" bash -c "grep -qE '^fac-b +FAC-B .* exited ' '$out' && grep -qE '^fac-c +FAC-C .* unreachable ' '$out' && grep -q UNHEALTHY '$out'"

# The shipped alert rules against these live figures: a real Prometheus scrapes the textfile each
# second and evaluates ops/monitoring/alerts.yml unchanged. An alert whose expression holds is
# active at once ("pending"), and fires after its for: (5 to 15 minutes, too long to wait here).
prom="$PULUMI_TEST_WORK/prometheus"
mkdir -p "$prom"
node "$CMW_ROOT/tests/ops/metrics-server.js" "$PULUMI_TEST_WORK/cmw.prom" "$METRICS_PORT" & metrics_pid=$!
jq -n --arg rules "$CMW_ROOT/ops/monitoring/alerts.yml" --arg target "127.0.0.1:$METRICS_PORT" \
  '{global: {scrape_interval: "1s", evaluation_interval: "1s"}, rule_files: [$rules], scrape_configs: [{job_name: "cmw-status", static_configs: [{targets: [$target]}]}]}' \
  > "$prom/prometheus.yml"
prometheus --config.file="$prom/prometheus.yml" --storage.tsdb.path="$prom/data" --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" > "$prom/log" 2>&1 & prometheus_pid=$!
cmw_on_exit kill "$metrics_pid" "$prometheus_pid"
# active_alerts: "ALERT FACILITY" per active alert, sorted.
active_alerts() { curl -fsS "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/alerts" | jq -r '.data.alerts[] | "\(.labels.alertname) \(.labels.facility // "-")"' | sort -u; }
# wait_alerts EXPECTED: polls (60 s) until the active alerts are exactly EXPECTED (lines).
wait_alerts() { local got; for _ in $(seq 1 60); do got=$(active_alerts 2>/dev/null) && [[ $got == "$1" ]] && return 0; sleep 1; done; echo "expected: $1"; echo "active: $got"; tail -n 5 "$prom/log"; return 1; }
check "Prometheus on the live figures: exactly B's agent-down and C's host-unreachable alerts are active" \
  wait_alerts "$(printf '%s\n' 'CmwFacilityAgentDown fac-b' 'CmwFacilityHostUnreachable fac-c')"

on_host start "$(agent_name fac-b)" >/dev/null
sshd_c_start
check "back up, status is healthy again" wait_healthy
status --prometheus "$PULUMI_TEST_WORK/cmw.prom" >/dev/null 2>&1
check "and on its new figures every alert clears" wait_alerts ""

# The pull-request path: what .github/workflows/facilities.yml runs.
timer "pull-request preview"
pr_preview() { (cd "$CMW_ROOT" && npm run -s pr-preview -- --stack "$PULUMI_TEST_STACK" --config-file "$cfgfile" "$@"); }
facility_yaml fac-d "FAC-D" "Fourth Clinic" mariadb "$SRC_A_PORT" 21086
facility_secret_config fac-d fac-a
pr_out="$PULUMI_TEST_WORK/pr.md"
# pr_new_facility: the check passes (--strict) and previews fac-d's creates only, and its
# Markdown summary (for the pull request) says the same.
pr_new_facility() {
  pr_preview --changed "$facilities/fac-d.yaml" --strict --markdown "$PULUMI_TEST_WORK/summary.md" > "$pr_out" 2>&1 || { cat "$pr_out"; return 1; }
  cat "$pr_out"
  grep -qE '^- \*\*fac-d\*\*: [0-9]+ to create$' "$pr_out" && grep -q '^No change outside these facilities.$' "$pr_out" \
    && grep -qF "$(grep -- '- **fac-d**' "$pr_out")" "$PULUMI_TEST_WORK/summary.md"
}
check "a new facility file previews as that facility's new resources only, nothing elsewhere" pr_new_facility
# The resources every facility has: its user, topics, ACLs, Docker host, image and agent.
pr_lists_facility_parts() {
  local n; n=$(grep -oE '^- \*\*fac-d\*\*: [0-9]+' "$pr_out" | grep -oE '[0-9]+$')
  [[ ${n:-0} -gt 10 ]] && grep -q 'Container::fac-d-agent' "$pr_out" && grep -q 'UserScramCredential::fac-d-user' "$pr_out" && grep -q 'Acl::acl-cmw-facility-fac-d' "$pr_out"
}
check "and names them: user, ACLs, topics, host, image, agent" pr_lists_facility_parts
echo 'name: [' > "$facilities/broken.yaml"
pr_preview --changed "$facilities/broken.yaml" > "$pr_out" 2>&1; rc=$?
check "a malformed file fails the check (exit $rc) with its one-line message" bash -c "[[ $rc == 2 ]] && grep -qx '$facilities/broken.yaml: not valid YAML at line 2: .*; fix the syntax' '$pr_out'"
validate_fails_naming() {
  local out; out=$(cd "$CMW_ROOT" && npm run -s facility -- validate --stack "$PULUMI_TEST_STACK" --config-file "$cfgfile" 2>&1) && return 1
  printf '%s\n' "$out"; grep -q "$1" <<<"$out"
}
check "npm run facility -- validate fails on it too, naming it" validate_fails_naming "broken.yaml: not valid YAML at line 2"
rm -f "$facilities/broken.yaml" "$facilities/fac-d.yaml"
check "nothing was deployed by the checks: a preview changes nothing" pc preview --expect-no-changes --non-interactive
timer "done"
tap_summary
