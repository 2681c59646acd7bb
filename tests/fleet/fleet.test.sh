#!/usr/bin/env bash
# A fleet where some sites are always down, on a private platform: three facilities (the third on
# a second "host" with an SSH daemon of its own). `npm run rollout` deploys them; then the third
# facility's agent is cut off from Kafka for 5 minutes by a real partition (its packets to the
# broker dropped) while its source changes, and meanwhile its host stops answering SSH and a new
# Connect image is rolled out: the two reachable agents run it and rows keep flowing, the report
# names the third as failed with its reason (exit 1); `npm run status` shows it stale within its
# heartbeat threshold. Once the partition ends the agent catches up by itself (same container, no
# restart); `rollout --facility` upgrades it alone while another facility's change waits; the
# re-run applies that one; every facility's rows equal its source's.
source "$(dirname "$0")/../../scripts/env.sh" && source "$CMW_ROOT/tests/lib/suite.sh"
SUITE=fleet KAFKA_PORT=27092 KAFKA_CONTROLLER_PORT=27093 PG_PORT=27432 SSH_PORT=2822
SRC_A_PORT=27306 SRC_B_PORT=27433 REST_A=27083 REST_B=27084 REST_C=27085 SINK_REST=27183 SSH_PORT_C=2823
PARTITION_SECONDS=${PARTITION_SECONDS:-300}
suite_start=$(date +%s)
timer() { echo "# $(date -u +%T) (+$(( $(date +%s) - suite_start )) s) $*"; }
# Outside $CMW_STATE: the platform's purge removes that before fleet_after stops this daemon.
sshd_c_dir=$(mktemp -d /var/tmp/cmw-fleet-host-c.XXXXXX)
partition_rule=()
trickle_pid=
lift_pid=
next_image=
# Registered first, so it runs last: after the stack, the sources and the platform are gone.
cmw_on_exit fleet_after
facilities_up

# At exit, even on failure: the partition rule and the trickle go first; C's host must answer
# while the stack is destroyed (else its agent would outlive the stack), then it goes too, with
# the image made here. The EXIT traps are chained, never replaced.
fleet_before() {
  [[ -n $lift_pid ]] && kill "$lift_pid" 2>/dev/null
  partition_off
  [[ -n $trickle_pid ]] && kill "$trickle_pid" 2>/dev/null
  [[ -f $sshd_c_dir/sshd.pid ]] || sshd_c_start
}
fleet_after() {
  sshd_c_stop
  rm -rf "$sshd_c_dir"
  local left; left=$(docker ps -aq --filter "name=^cmw-$PULUMI_TEST_STACK-")
  [[ -n $left ]] && docker rm -f $left
  [[ -n $next_image ]] && docker image rm "$next_image"
}
# Registered last, so it runs first: before the stack's destroy.
cmw_on_exit fleet_before


# The partition: agents use the host's network, so the rule matches the agent container's own
# cgroup (its processes, not the host's; cgroup v2 path, as /proc shows it) and drops its
# packets to the broker. The container
# keeps running; nothing tells it.
partition_on() {
  local pid cgroup
  pid=$(on_host inspect -f '{{.State.Pid}}' "$(agent_name "$1")") && cgroup=$(sed -n 's/^0:://p' "/proc/$pid/cgroup") && [[ -n $cgroup ]] || return 1
  # Tagged with the suite's pid: scripts/test.sh removes the rule of a run killed before its cleanup.
  partition_rule=(OUTPUT -m cgroup --path "${cgroup#/}" -p tcp -d 127.0.0.1 --dport "$KAFKA_PORT" -m comment --comment "cmw-test-$$" -j DROP)
  iptables -w 5 -I "${partition_rule[@]}"
}
# Removes the rule until it is gone: a delete can fail while Docker changes the same tables.
partition_off() {
  ((${#partition_rule[@]})) || return 0
  local i
  for i in {1..30}; do
    iptables -w 5 -C "${partition_rule[@]}" 2>/dev/null || { partition_rule=(); return 0; }
    iptables -w 5 -D "${partition_rule[@]}" || sleep 1
  done
  return 1
}

check "facility C's host (a second SSH daemon) answers" sshd_c_start
jq -n --arg host "ssh://root@127.0.0.1:$SSH_PORT_C" --argjson port "$SRC_A_PORT" --argjson rest "$REST_C" \
  '{name: "Third Clinic on its own host", dhis2Code: "FAC-C", host: $host, restPort: $rest, memoryLimitMb: 1024,
    source: {engine: "mariadb", host: "127.0.0.1", port: $port, database: "ClinicMaster", user: "debezium", passwordSecret: "fac-c-db-password"}}' \
  > "$facilities/fac-c.yaml"
pc config set --secret fac-c-db-password "$(source_password fac-a)"
pc config set --path statusThresholds.heartbeatMaxAgeSeconds 90
state_file="$PULUMI_TEST_WORK/status-state.json"
status_json() { (cd "$CMW_ROOT" && npm run -s status -- --stack "$PULUMI_TEST_STACK" --config-file "$cfgfile" --state-file "$state_file" --json 2>/dev/null); }
report="$PULUMI_TEST_WORK/rollout.txt"
# rollout ARGS...: npm run rollout; its report in $report, its exit status in $rc.
rollout() { (cd "$CMW_ROOT" && npm run -s rollout -- --stack "$PULUMI_TEST_STACK" --config-file "$cfgfile" "$@") > "$report" 2>&1; rc=$?; }
# says OUTCOME-LINE...: every pattern is a line of the last report.
says() { local p; for p in "$@"; do grep -qE "$p" "$report" || { echo "no line matches: $p"; cat "$report"; return 1; }; done; }
image_of() { on_host inspect -f '{{.Image}}' "$(agent_name "$1")"; }
started_of() { on_host inspect -f '{{.Id}} {{.State.StartedAt}} {{.RestartCount}}' "$(agent_name "$1")"; }

timer "rollout: central stack and three facilities"
rollout
# A busy host may drop an SSH connection now and then (sshd's MaxStartups): what the re-run is for.
if [[ $rc != 0 ]]; then echo "# first rollout: $(grep -E '^facilities:' "$report"); running it again"; rollout; fi
check "npm run rollout creates the central stack and the three facilities (exit $rc)" \
  says '^central +applied ' '^fac-a +applied ' '^fac-b +applied ' '^fac-c +applied ' '^facilities: 3 applied, 0 unchanged, 0 failed$'
[[ $rc == 0 ]] || not_ok "the first rollout exits 0 (exit $rc)"
three_running() { wait_running "$REST_A" cmw-facility-fac-a-source && wait_running "$REST_B" cmw-facility-fac-b-source && wait_running "$REST_C" cmw-facility-fac-c-source; }
check "the three connectors run" three_running
check "facility A's rows are in the warehouse" wait_same_checksums fac-a FAC-A
check "facility B's rows are in the warehouse" wait_same_checksums fac-b FAC-B
check "facility C's rows are in the warehouse" wait_same_checksums fac-a FAC-C
rollout
check "a second rollout changes nothing and exits 0 (exit $rc)" bash -c "[[ $rc == 0 ]] && grep -qx 'facilities: 0 applied, 3 unchanged, 0 failed' '$report' && grep -qE '^central +unchanged$' '$report'"

# The partition (5 minutes) starts; the rollout drill runs on the other facilities during it.
timer "facility C's agent cut off from Kafka for $PARTITION_SECONDS s, its source changing"
c_before=$(started_of fac-c)
old_image=$(image_of fac-c)
# Not through check (a subshell): the rule must be known here to be removed at exit.
partition_on fac-c
check "C's packets to the broker are dropped (iptables on the agent container's cgroup)" iptables -C "${partition_rule[@]}"
partition_start=$(date +%s)
# The cut ends on time whatever the checks below cost on a busy host.
(sleep "$PARTITION_SECONDS"; partition_off) &
lift_pid=$!
sources trickle fac-a 120 > "$PULUMI_TEST_WORK/trickle.log" 2>&1 &
trickle_pid=$!

timer "rollout of a new Connect image with C's host down"
sshd_c_stop
# A new image id under a new tag, made here (nothing is pulled or pushed): the project's image
# with one more label. Every host of this suite shares this Docker engine, as push-image.sh
# would have shipped it to each.
base_image=$(pc config get connectImage)
next_image="$base_image-next"
make_next_image() { local c; c=$(docker create "$base_image") && docker commit --change 'LABEL clinicmaster.rollout-test=next' "$c" "$next_image" >/dev/null; local s=$?; docker rm "$c" >/dev/null; return $s; }
check "a new image tag is built from the project's image ($next_image)" make_next_image
next_id=$(docker image inspect -f '{{.Id}}' "$next_image")
pc config set facilityImage "$next_image"
rollout
check "the rollout exits 1 (exit $rc) and reports A and B applied, C failed with its reason" \
  says '^central +unchanged$' '^fac-a +applied +replace Container::fac-a-agent, RemoteImage::fac-a-image$' '^fac-b +applied +replace Container::fac-b-agent, RemoteImage::fac-b-image$' \
    '^fac-c +failed +RemoteImage::fac-c-image: ssh: connect to host 127.0.0.1 port '"$SSH_PORT_C"': Connection refused$' '^facilities: 2 applied, 0 unchanged, 1 failed \(fac-c\)$'
[[ $rc == 1 ]] || not_ok "the rollout with a site down exits 1 (exit $rc)"
check "A's and B's agents run the new image" bash -c "[[ '$(image_of fac-a)' == '$next_id' && '$(image_of fac-b)' == '$next_id' ]]"
a_and_b_running() { wait_running "$REST_A" cmw-facility-fac-a-source && wait_running "$REST_B" cmw-facility-fac-b-source; }
check "and their connectors run" a_and_b_running
echo "insert into dbo.\"Patients\" (\"PatientNo\", \"FirstName\", \"LastName\") values ('P-ROLLOUT-1', 'After', 'Rollout')" | sources sql fac-b >/dev/null
check "rows keep flowing: a new row at B arrives through its new agent" wait_value "$(count_for Patients FAC-B) and \"PatientNo\" = 'P-ROLLOUT-1'" 1
check "C's agent was not touched: same container, old image" bash -c "[[ '$(started_of fac-c)' == '$c_before' && '$(image_of fac-c)' == '$old_image' ]]"
check "C's host answers again (the partition goes on)" sshd_c_start

# Stale: the agent runs and its host answers, but no heartbeat reaches Kafka.
timer "status while C is cut off"
wait_stale() {
  local j
  for _ in $(seq 1 40); do
    j=$(status_json)
    if jq -e '.facilities[] | select(.slug == "fac-c") | (.healthy | not) and .heartbeatAgeSeconds > 90 and (.problems | any(test("^last heartbeat [0-9]+ s ago \\(more than 90 s\\)")))' <<<"$j" >/dev/null; then
      echo "$(jq '.facilities[] | select(.slug == "fac-c") | .heartbeatAgeSeconds' <<<"$j") $(( $(date +%s) - partition_start ))" > "$PULUMI_TEST_WORK/stale.txt"
      return 0
    fi
    sleep 5
  done
  jq '.facilities[] | select(.slug == "fac-c")' <<<"$j"; return 1
}
check "npm run status shows C stale (last heartbeat over the 90 s threshold)" wait_stale
stale_age=unknown stale_elapsed=0
[[ -f $PULUMI_TEST_WORK/stale.txt ]] && read -r stale_age stale_elapsed < "$PULUMI_TEST_WORK/stale.txt"
# Heartbeats every 30 s: the newest one C sent was at most 30 s old when the cut began. Status
# shows the age of the newest heartbeat in Kafka, so as soon as the cut passes the threshold,
# C is stale: the age it shows is the time since the cut plus at most one interval, and up to
# 15 s more: a heartbeat is sent at the connector's next poll after it is due, which on a loaded
# host comes late (36 s over the cut was seen with CI's suites running beside).
check "the heartbeat age status shows (${stale_age} s) is the time since the cut (${stale_elapsed} s) plus at most one 30 s interval (and 15 s of lateness)" \
  bash -c "[[ '$stale_age' =~ ^[0-9]+$ ]] && (( $stale_age >= $stale_elapsed - 5 && $stale_age <= $stale_elapsed + 45 ))"

timer "partition ends"
wait "$lift_pid"; lift_pid=
wait "$trickle_pid"; trickle_pid=
rule_gone() { ! iptables -w 5 -C "${partition_rule[@]}" 2>/dev/null || { iptables -w 5 -S OUTPUT; return 1; }; }
check "the rule is gone" rule_gone
partition_off
timer "partition lifted after $(( $(date +%s) - partition_start )) s"
check "C's connector runs again by itself" wait_running "$REST_C" cmw-facility-fac-c-source
check "after $(grep -c '^trickle' "$PULUMI_TEST_WORK/trickle.log") rounds of changes during the cut, C caught up: its rows equal the source's" wait_same_checksums fac-a FAC-C
check "no restart by hand: the same container, never restarted" bash -c "[[ '$(started_of fac-c)' == '$c_before' ]]"
check "A (upgraded during the cut) has the same rows too" wait_same_checksums fac-a FAC-A
wait_fresh() { for _ in $(seq 1 24); do status_json | jq -e '.facilities[] | select(.slug == "fac-c") | .heartbeatAgeSeconds < 90' >/dev/null && return 0; sleep 5; done; status_json | jq '.facilities[] | select(.slug == "fac-c")'; return 1; }
check "status sees C's heartbeats again" wait_fresh
# The upgraded agents send their first heartbeat once started (a minute or two on a busy host).
others_healthy() {
  for _ in $(seq 1 24); do status_json | jq -e '[.facilities[] | select(.slug != "fac-c") | .healthy] | all' >/dev/null && return 0; sleep 5; done
  status_json | jq .problems; return 1
}
check "A and B, on the new image, are healthy" others_healthy

# One facility alone: B's memory limit is raised (a change pending for B), C is upgraded alone.
timer "rollout --facility fac-c"
jq '.memoryLimitMb = 1100' "$facilities/fac-b.yaml" > "$facilities/fac-b.json" && mv "$facilities/fac-b.json" "$facilities/fac-b.yaml"
b_memory=$(on_host inspect -f '{{.HostConfig.Memory}}' "$(agent_name fac-b)")
rollout --facility fac-c --preview
check "--preview shows C's upgrade only (exit $rc)" bash -c "[[ $rc == 0 ]] && grep -qE '^fac-c +applied +replace Container::fac-c-agent, RemoteImage::fac-c-image$' '$report' && ! grep -qE '^fac-(a|b) ' '$report' && grep -qE '^central +unchanged$' '$report'"
check "--preview applied nothing" bash -c "[[ '$(image_of fac-c)' == '$old_image' ]]"
rollout --facility fac-c
check "--facility fac-c upgrades C (exit $rc)" bash -c "[[ $rc == 0 ]] && grep -qE '^fac-c +applied +replace Container::fac-c-agent, RemoteImage::fac-c-image$' '$report' && grep -qx 'facilities: 1 applied, 0 unchanged, 0 failed' '$report'"
check "C now runs the new image" bash -c "[[ '$(image_of fac-c)' == '$next_id' ]]"
check "and touched nothing else: B's memory limit is still the old one" test "$(on_host inspect -f '{{.HostConfig.Memory}}' "$(agent_name fac-b)")" = "$b_memory"
rollout --facility fac-c --refresh
check "--facility fac-c --refresh reads C's resources back: nothing drifted (exit $rc)" bash -c "[[ $rc == 0 ]] && grep -qE '^fac-c +unchanged$' '$report'"

timer "the re-run finishes what was left"
rollout
# A's line may show its RemoteImage record replaced (same image id, kept on the host): seen
# after the rollout that failed at C; the agent container is what must not change.
check "a full rollout applies B's change, C unchanged, nothing failed (exit $rc)" \
  says '^central +unchanged$' '^fac-b +applied .*update Container::fac-b-agent' '^fac-c +unchanged$' '^facilities: [12] applied, [12] unchanged, 0 failed$'
check "and A's agent was not touched" bash -c "! grep -E '^fac-a .*Container::fac-a-agent' '$report'"
check "B has its new memory limit" test "$(on_host inspect -f '{{.HostConfig.Memory}}' "$(agent_name fac-b)")" = "$((1100 * 1024 * 1024))"
check "nothing is left to do" pc preview --expect-no-changes --non-interactive
check "the three connectors run" three_running
check "every facility's rows equal its source's: A" wait_same_checksums fac-a FAC-A
check "B" wait_same_checksums fac-b FAC-B
check "C" wait_same_checksums fac-a FAC-C
timer "done"
tap_summary
