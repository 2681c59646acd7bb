#!/usr/bin/env bash
# End to end on a private platform, with facilities on MariaDB and PostgreSQL sources: the initial
# snapshot equals the sources (counts and checksums per facility and table); schema evolution
# (a column added, a table added); a poison record goes to sink-dlq with its reason and origin
# while the rest flows, and lands once replayed fixed; restarts of a facility agent, the sink
# worker while changes flow lose and duplicate nothing; on three Kafka brokers, the one leading the
# most data partitions killed, two killed, and a rolling restart lose nothing either; rotating a
# facility's and the sink's passwords (and B's signing key) while changes flow loses nothing;
# records spoofed by one facility under another's code never reach the warehouse; a second up and refresh +
# preview change nothing.
source "$(dirname "$0")/../../scripts/env.sh" && source "$CMW_ROOT/tests/lib/suite.sh"
SUITE=e2e KAFKA_PORT=26092 KAFKA_CONTROLLER_PORT=26093 PG_PORT=26432 SSH_PORT=2622
# The production shape: three Kafka brokers (nodes on 26092, 26102, 26112), replication factor 3,
# min.insync.replicas 2.
export KAFKA_BROKERS=3
SRC_A_PORT=26306 SRC_B_PORT=26433 REST_A=26083 REST_B=26084 SINK_REST=26183
facilities_up

timer "pulumi up"
check "pulumi up: central stack and facilities A (MariaDB) and B (PostgreSQL)" pc up --yes --skip-preview --non-interactive
both_running() { wait_running "$REST_A" cmw-facility-fac-a-source && wait_running "$REST_B" cmw-facility-fac-b-source; }
check "both agents' connectors run" both_running
timer "initial snapshot"
check "snapshot: every table of A has the source's row count and checksum" wait_same_checksums fac-a FAC-A
check "snapshot: every table of B has the source's row count and checksum" wait_same_checksums fac-b FAC-B

# Schema evolution: a column added at a source appears, nullable, older rows intact; a table added
# at a source becomes a warehouse table.
timer "schema evolution"
visits_a=$(as_admin "$(count_for Visits FAC-A)")
sources sql fac-a <<'SQL' >/dev/null
ALTER TABLE Visits ADD COLUMN Ward VARCHAR(30);
INSERT INTO Visits (VisitNo, PatientNo, VisitType, Notes, Ward) VALUES ('V-WARD-1', 'P2024-000001', 'IPD', 'admitted', 'Maternity');
CREATE TABLE Referrals (ReferralID INT PRIMARY KEY, VisitNo VARCHAR(20), ReferredTo VARCHAR(100));
INSERT INTO Referrals VALUES (1, 'V2024-000001', 'Gulu Regional Referral Hospital');
SQL
check "a column added at a source appears in its warehouse table" wait_value "select \"Ward\" from \"Visits\" where \"VisitNo\" = 'V-WARD-1' and facility_dhis2_code = 'FAC-A'" Maternity
check "the new column is nullable and older rows are intact" test "$(as_admin "select (select is_nullable from information_schema.columns where table_name = 'Visits' and column_name = 'Ward') || ',' || count(*) filter (where \"Ward\" is null) from \"Visits\" where facility_dhis2_code = 'FAC-A'")" = "YES,$visits_a"
check "a table added at a source becomes a warehouse table" wait_value "select \"ReferredTo\" || ',' || facility_dhis2_code from \"Referrals\"" "Gulu Regional Referral Hospital,FAC-A"
check "A still matches its source table by table" wait_same_checksums fac-a FAC-A

# A poison record (no schema: the sink cannot convert it; from a producer other than the agents,
# under a code of its own so the facilities' checksums stay exact) goes to the DLQ with why and where from;
# the rest keeps flowing; fixed and replayed, it lands.
timer "poison record"
visits_topic=clinicmasterwarehouse-sqlserver.ClinicMasterMOH.dbo.Visits
dlq_before=$(kafka_topic_depth "$KAFKA_ADMIN_PROPERTIES" sink-dlq)
poison='{"VisitNo":"V-POISON-1","PatientNo":"P2024-000002","VisitType":"OPD","Notes":"sent without schema","facility_dhis2_code":"FAC-Z","facility_name":"A producer outside the agents"}'
kafka_produce_keyed "$KAFKA_ADMIN_PROPERTIES" "$visits_topic" '{"VisitNo":"V-POISON-1","facility_dhis2_code":"FAC-Z"}' "$poison" >/dev/null
echo "INSERT INTO dbo.\"Visits\" (\"VisitNo\", \"PatientNo\", \"VisitType\", \"Notes\") VALUES ('V-AFTER-POISON', 'P2024-000003', 'OPD', 'after the poison')" | sources sql fac-b >/dev/null
check "records after the poison keep flowing" wait_value "select count(*) from \"Visits\" where \"VisitNo\" = 'V-AFTER-POISON'" 1
wait_dlq_depth() { for _ in $(seq 1 30); do [[ $(kafka_topic_depth "$KAFKA_ADMIN_PROPERTIES" sink-dlq) == "$1" ]] && return 0; sleep 2; done; return 1; }
check "the poison record is in sink-dlq" wait_dlq_depth "$((dlq_before + 1))"
dlq_file="$PULUMI_TEST_WORK/dlq.txt"
dlq_dump "$((dlq_before + 1))" > "$dlq_file"
check "its headers say why it failed and where it came from" bash -c "grep -q 'V-POISON-1' '$dlq_file' && grep -q '__connect.errors.topic:$visits_topic,' '$dlq_file' && grep -q '__connect.errors.exception.class.name:org.apache.kafka.connect.errors.DataException' '$dlq_file'"
# The fix: the same row with its schema, as a facility agent sends it; replayed to its topic.
schema_of() { jq -c '{type: "struct", optional: false, fields: [keys[] | {field: ., type: "string", optional: true}]}'; }
fixed_value=$(jq -c --argjson s "$(schema_of <<<"$poison")" '{schema: $s, payload: .}' <<<"$poison")
fixed_key=$(jq -c '{schema: {type: "struct", optional: false, fields: [{field: "VisitNo", type: "string", optional: false}, {field: "facility_dhis2_code", type: "string", optional: false}]}, payload: .}' <<<'{"VisitNo":"V-POISON-1","facility_dhis2_code":"FAC-Z"}')
kafka_produce_signed "$KAFKA_ADMIN_PROPERTIES" "$visits_topic" "$fixed_key" "$fixed_value" >/dev/null
check "replayed after the fix (signed again), it lands once" wait_value "select count(*) || ',' || max(\"Notes\") from \"Visits\" where \"VisitNo\" = 'V-POISON-1'" "1,sent without schema"

# Row integrity: facility A's host turned hostile. With A's own Kafka login (which may write the
# shared topics) it sends one of B's Visits rows changed, and a tombstone of it, each carrying the
# signature of one of A's genuine records. Neither reaches the warehouse: both land in the DLQ,
# and B still equals its source.
timer "spoofed records"
kafka_client_properties cmw-facility-fac-a "$(pulumi_password_of fac-a-user)" > "$PULUMI_TEST_WORK/a.properties"
kafka_java org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$KAFKA_BOOTSTRAP" --consumer.config "$KAFKA_ADMIN_PROPERTIES" \
  --topic "$visits_topic" --from-beginning --max-messages 1000 --timeout-ms 20000 \
  --property print.headers=true --property print.key=true --property key.separator=$'\t' > "$PULUMI_TEST_WORK/visits.txt" 2>/dev/null
a_header=$(grep -m1 -F '"facility_dhis2_code":"FAC-A"' "$PULUMI_TEST_WORK/visits.txt" | cut -f1)
b_record=$(grep -m1 -F '"facility_dhis2_code":"FAC-B"' "$PULUMI_TEST_WORK/visits.txt")
b_key=$(cut -f2 <<<"$b_record")
b_visit=$(jq -r '.payload.VisitNo' <<<"$(cut -f3 <<<"$b_record")")
spoofed_value=$(cut -f3 <<<"$b_record" | jq -c '.payload.Notes = "spoofed by facility A"')
# (Debezium's own context headers come with the signature: the spoof copies them all.)
check "A's records are signed by its agent, B's key names FAC-B ($b_visit)" bash -c "[[ '$a_header' == *cmw.sig:v1:g1:* && '$b_key' == *'\"facility_dhis2_code\":\"FAC-B\"'* ]]"
dlq_spoof=$(kafka_topic_depth "$KAFKA_ADMIN_PROPERTIES" sink-dlq)
printf '%s\t%s|%s\n' "$a_header" "$b_key" "$spoofed_value" "$a_header" "$b_key" NULL | kafka_produce_lines "$PULUMI_TEST_WORK/a.properties" "$visits_topic" >/dev/null
check "A's login may write the shared topic, but the spoofed upsert and tombstone land in the DLQ" wait_dlq_depth "$((dlq_spoof + 2))"
dlq_dump "$((dlq_spoof + 2))" > "$dlq_file"
check "with the reason: not signed with FAC-B's keys" test "$(dlq_reason_count "$dlq_file" "signature does not match facility FAC-B's keys")" = 2
check "B's row is untouched" wait_value "select count(*) || ',' || count(*) filter (where \"Notes\" = 'spoofed by facility A') from \"Visits\" where \"VisitNo\" = '$b_visit' and facility_dhis2_code = 'FAC-B'" "1,0"
check "and B still equals its source" wait_same_checksums fac-b FAC-B

# Restarts while changes flow: a facility agent, the sink worker, the Kafka broker.
timer "restarts while changes flow"
sources trickle fac-a 45 > "$PULUMI_TEST_WORK/trickle-a.log" 2>&1 &
sources trickle fac-b 45 > "$PULUMI_TEST_WORK/trickle-b.log" 2>&1 &
sleep 5
check "facility B's agent restarts" on_host restart "$(agent_name fac-b)"
sleep 5
check "the sink worker restarts" docker restart "cmw-$PULUMI_TEST_STACK-sink-worker-0"
sleep 5
wait
check "after $(grep -c '^trickle' "$PULUMI_TEST_WORK/trickle-a.log") rounds of changes and two restarts, A matches its source" wait_same_checksums fac-a FAC-A
check "and B matches its source" wait_same_checksums fac-b FAC-B

# The three-broker cluster while changes flow: the broker leading the most data partitions killed
# (-9), then restarted; then two killed so that one is left (producers block, none loses); both
# back; then a rolling restart of all three. A probe row every second at facility A measures how
# long rows stalled (source commit to warehouse).
timer "three brokers: kills and a rolling restart while changes flow"
cluster() {
  (source "$CMW_ROOT/toolchain/versions.env"
   for part in common tls docker kafka postgres sshd; do source "$CMW_ROOT/platform/lib/$part.sh"; done
   "$@")
}
data_leaders() {
  kafka_topics "$KAFKA_ADMIN_PROPERTIES" --describe --topic 'clinicmasterwarehouse-sqlserver.ClinicMasterMOH.dbo.*' 2>/dev/null \
    | grep -oE 'Leader: [0-9-]+' | awk '{print $2}' | sort | uniq -c | sort -rn
}
# In sync: the describe answered and lists no under-replicated partition (a failed describe is not).
in_sync_everywhere() {
  local out; out=$(kafka_topics "$KAFKA_ADMIN_PROPERTIES" --describe --under-replicated-partitions 2>/dev/null) || return 1
  ! grep -q Topic <<<"$out"
}
wait_in_sync() { for _ in $(seq 1 90); do in_sync_everywhere && return 0; sleep 2; done; return 1; }
# restart_nodes NODE...: starts each, then waits for the admin login and for every partition in
# sync (which cannot happen while any of them is still down, so all start before the wait).
restart_nodes() {
  local n; for n in "$@"; do cluster kafka_node_start "$n" || return 1; done
  cluster wait_for "Kafka node(s) $*" 120 kafka_admin_ok && wait_in_sync
}
probes="$PULUMI_TEST_WORK/probes"
probe_writer() {
  local n=0
  while [[ -e $probes.write ]]; do
    n=$((n + 1))
    echo "INSERT INTO Visits (VisitNo, PatientNo, VisitType, Notes) VALUES ('PROBE-$n', 'P2024-000001', 'OPD', '$(date +%s%3N)')" | sources sql fac-a >/dev/null 2>&1 \
      && echo "PROBE-$n" >> "$probes.sent"
    sleep 1
  done
}
# probe_reader: every second, when each probe was first seen in the warehouse (epoch ms).
probe_reader() {
  while [[ -e $probes.read ]]; do
    as_admin "select \"VisitNo\" || ' ' || \"Notes\" from \"Visits\" where \"VisitNo\" like 'PROBE-%' and facility_dhis2_code = 'FAC-A'" \
      | while read -r id sent; do grep -q "^$id " "$probes.seen" 2>/dev/null || echo "$id $sent $(date +%s%3N)" >> "$probes.seen"; done
    sleep 1
  done
}
dlq_expected=$(kafka_topic_depth "$KAFKA_ADMIN_PROPERTIES" sink-dlq)
touch "$probes.write" "$probes.read" "$probes.seen" "$probes.sent"
probe_writer & probe_pids=($!)
probe_reader & probe_pids+=($!)
sources trickle fac-a 150 > "$PULUMI_TEST_WORK/trickle-cluster-a.log" 2>&1 & trickle_pids=($!)
sources trickle fac-b 150 > "$PULUMI_TEST_WORK/trickle-cluster-b.log" 2>&1 & trickle_pids+=($!)
sleep 10
leader=$(data_leaders | head -n1 | awk '{print $2}')
# Each drill's window (epoch ms): the stall is reported per drill, by when a probe was written.
phase_one=$(date +%s%3N)
check "the broker leading the most data partitions (node $leader: $(data_leaders | head -n1 | awk '{print $1}')) is killed with -9" cluster kafka_node_stop "$leader" KILL
sleep 25
rows_at() { as_admin "select count(*) from \"Visits\" where \"VisitNo\" like 'PROBE-%'"; }
before=$(rows_at); sleep 10
check "with one broker down, rows keep arriving ($before, then $(rows_at) probes)" test "$(rows_at)" -gt "$before"
one_down_end=$(date +%s%3N)
check "the killed broker comes back and catches up (every partition in sync)" restart_nodes "$leader"
others=($(cluster kafka_nodes | grep -vx "$leader"))
phase_two=$(date +%s%3N)
cluster kafka_node_stop "${others[0]}" KILL
cluster kafka_node_stop "${others[1]}" KILL
sleep 30
# One broker of three: fewer than min.insync.replicas, so producers wait (acks=all) and retry;
# what they could not write is neither acknowledged nor committed, so it is sent again.
sleep 30
check "both come back" restart_nodes "${others[@]}"
sleep 10
rolling() { local i; for i in $(cluster kafka_nodes); do cluster kafka_node_stop "$i" && sleep 3 && restart_nodes "$i" || return 1; done; }
phase_rolling=$(date +%s%3N)
check "a rolling restart of the three brokers, one at a time, each back in sync before the next" rolling
# The trickles end by themselves; the probes when told to, once the last ones had time to land.
wait "${trickle_pids[@]}"
# The writer first; the reader goes on until it has seen every probe written (or 3 minutes).
rm -f "$probes.write"; wait "${probe_pids[0]}"
for _ in $(seq 1 90); do (( $(wc -l < "$probes.seen") >= $(wc -l < "$probes.sent") )) && break; sleep 2; done
rm -f "$probes.read"; wait "${probe_pids[1]}"
stall=$(awk '{d = $3 - $2; if (d > m) m = d} END {print m / 1000}' "$probes.seen")
# stall_between FROM TO: the longest stall of the probes written in [FROM, TO) (epoch ms).
stall_between() { awk -v a="$1" -v b="$2" '$2 >= a && $2 < b {d = $3 - $2; if (d > m) m = d} END {print m / 1000}' "$probes.seen"; }
check "every probe row written arrived ($(wc -l < "$probes.sent") written, $(wc -l < "$probes.seen") seen); the longest stall a row saw: ${stall} s" \
  test "$(wc -l < "$probes.sent")" = "$(as_admin "select count(*) from \"Visits\" where \"VisitNo\" like 'PROBE-%' and facility_dhis2_code = 'FAC-A'")"
echo "# longest stall (source commit to warehouse row): ${stall} s in all; one broker killed: $(stall_between "$phase_one" "$one_down_end") s; two killed (writes wait for min.insync.replicas): $(stall_between "$phase_two" "$phase_rolling") s; rolling restart: $(stall_between "$phase_rolling" 99999999999999) s"
check "after $(grep -c '^trickle' "$PULUMI_TEST_WORK/trickle-cluster-a.log") rounds of changes through the broker drills, A matches its source" wait_same_checksums fac-a FAC-A
check "and B matches its source (nothing lost, nothing duplicated)" wait_same_checksums fac-b FAC-B
check "nothing went to the DLQ during the broker drills" test "$(kafka_topic_depth "$KAFKA_ADMIN_PROPERTIES" sink-dlq)" = "$dlq_expected"

# (A facility cut off from Kafka for five minutes, its link dropping packets, is the fleet suite's drill.)
check "nothing went to the DLQ but the poison record and the two spoofed ones" test "$(kafka_topic_depth "$KAFKA_ADMIN_PROPERTIES" sink-dlq)" = "$((dlq_before + 3))"

# Credential rotation while changes flow: facility B's and the sink's generations bumped, one
# `up`; the old passwords are refused, the agent and the sink work on with the new ones.
timer "rotation while changes flow"
old_b=$(pulumi_password_of fac-b-user)
old_sink=$(pulumi_password_of sink-user)
sources trickle fac-b 40 > "$PULUMI_TEST_WORK/trickle-rotate.log" 2>&1 &
pc config set --path 'facilityPasswordGenerations["fac-b"]' 2
pc config set sinkPasswordGeneration 2
check "pulumi up (with its preview) rotates facility B's and the sink's passwords" pc up --yes --non-interactive
wait
new_b=$(pulumi_password_of fac-b-user)
new_sink=$(pulumi_password_of sink-user)
both_new() { [[ -n $new_b && -n $new_sink && $new_b != "$old_b" && $new_sink != "$old_sink" ]]; }
check "both passwords are new" both_new
kafka_client_properties cmw-facility-fac-b "$old_b" > "$PULUMI_TEST_WORK/old-b.properties"
kafka_client_properties cmw-facility-fac-b "$new_b" > "$PULUMI_TEST_WORK/new-b.properties"
kafka_client_properties clinicmaster-sink "$old_sink" > "$PULUMI_TEST_WORK/old-sink.properties"
check_fails "facility B's old password is refused" kafka_produce "$PULUMI_TEST_WORK/old-b.properties" cmw-facility.fac-b.signal '{"probe":"old"}'
check_fails "the sink's old password is refused" kafka_produce "$PULUMI_TEST_WORK/old-sink.properties" sink-dlq probe
check "facility B's new password works" kafka_produce "$PULUMI_TEST_WORK/new-b.properties" cmw-facility.fac-b.signal '{"probe":"new"}'
check "facility B's agent runs on the new password" wait_running "$REST_B" cmw-facility-fac-b-source
check "the sink runs on its new passwords" wait_running "$SINK_REST" clinicmaster-warehouse-sink
check "after $(grep -c '^trickle' "$PULUMI_TEST_WORK/trickle-rotate.log") rounds of changes across the rotation, B matches its source" wait_same_checksums fac-b FAC-B
check "and A too" wait_same_checksums fac-a FAC-A
check "no record signed before the rotation was refused: nothing more in the DLQ" test "$(kafka_topic_depth "$KAFKA_ADMIN_PROPERTIES" sink-dlq)" = "$((dlq_before + 3))"
# The last of B's records on the shared Visits topic, as the admin reads it: signed with B's key of generation 2.
echo "INSERT INTO dbo.\"Visits\" (\"VisitNo\", \"PatientNo\", \"VisitType\", \"Notes\") VALUES ('V-AFTER-ROTATION', 'P2024-000003', 'OPD', 'signed g2')" | sources sql fac-b >/dev/null
check "a change after the rotation lands" wait_value "select count(*) from \"Visits\" where \"VisitNo\" = 'V-AFTER-ROTATION'" 1
signed_g2() {
  local line
  line=$(kafka_java org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$KAFKA_BOOTSTRAP" --consumer.config "$KAFKA_ADMIN_PROPERTIES" \
    --topic "$visits_topic" --from-beginning --timeout-ms 15000 --property print.headers=true 2>/dev/null | grep -F 'V-AFTER-ROTATION')
  [[ $line == *cmw.sig:v1:g2:* ]] || { echo "${line:0:300}"; return 1; }
}
check "its record carries B's new key id, g2" signed_g2

timer "idempotence"
check "a second up changes nothing" pc up --yes --expect-no-changes --non-interactive
check "refresh then preview shows no diff" bash -c "pulumi refresh --yes --non-interactive --config-file '$cfgfile' >/dev/null && pulumi preview --expect-no-changes --non-interactive --config-file '$cfgfile'"
timer "done"
tap_summary
