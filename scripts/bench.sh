#!/usr/bin/env bash
# The pipeline's speed and memory on this machine: `npm run bench` prints numbers and judges
# nothing (no timed test). It runs on a private platform of its own (ports 28xxx), with the two
# demo facilities (A on MariaDB, B on PostgreSQL) and up to three more (C, D, E on MariaDB, each
# its own source) deployed by `pulumi up`, and removes it all at exit. Figures, each from this run:
#   bulk        N new Visits rows at A's source → warehouse, rows/s; and the raw-upsert ceiling of
#               the same warehouse (psql, 500-row INSERT … ON CONFLICT statements), and their ratio;
#               the CPU time A's agent and the sink used for them
#   split       with the sink paused: source → Kafka rows/s; then the sink alone draining them
#   bytes       Kafka bytes per row change on the facility link (the bulk rows' batches)
#   freshness   source commit → warehouse row, p50/p99, at each RATE changes/s spread over the facilities
#   memory      steady RSS of each agent and sink container
#   snapshot    a new facility whose source holds M Visits rows: `pulumi up` to the last row in the warehouse
# Usage: bash scripts/bench.sh [--rows N] [--rates "1000 3000"] [--seconds S] [--facilities F] [--snapshot-rows M]
#   defaults: 100000 rows, rates 1000 and 3000, 30 s per rate, 5 facilities, 1000000 snapshot rows
#   (0: no snapshot). Preview and rollout times at scale are scripts/bench-rollout.sh's.
source "$(dirname "$0")/env.sh" && source "$CMW_ROOT/tests/lib/suite.sh"
SUITE=bench KAFKA_PORT=28092 KAFKA_CONTROLLER_PORT=28093 PG_PORT=28432 SSH_PORT=2922
SRC_A_PORT=28306 SRC_B_PORT=28433 REST_A=28083 REST_B=28084 SINK_REST=28183
rows=100000 rates="1000 3000" seconds=30 fleet=5 snapshot_rows=1000000
while (($#)); do
  case $1 in
    --rows) rows=$2; shift 2 ;;
    --rates) rates=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --facilities) fleet=$2; shift 2 ;;
    --snapshot-rows) snapshot_rows=$2; shift 2 ;;
    *) cmw_die "unknown argument: $1 (see the header of $0)" ;;
  esac
done
[[ $rows =~ ^[1-9][0-9]*$ && $seconds =~ ^[1-9][0-9]*$ && $rates =~ ^[0-9\ ]+$ && $snapshot_rows =~ ^[0-9]+$ ]] || cmw_die "--rows, --seconds, --rates and --snapshot-rows take whole numbers"
[[ $fleet =~ ^[2-5]$ ]] || cmw_die "--facilities takes 2 to 5"

say() { printf '%-44s %s\n' "$1" "$2"; }
now_ms() { date +%s%3N; }
facilities_up >/dev/null
# Facilities beyond A and B: fac-c, fac-d, fac-e, each with a MariaDB source of its own.
slugs=(fac-a fac-b) rests=("$REST_A" "$REST_B")
for ((i = 2; i < fleet; i++)); do
  slug="fac-$(cut -c$((i + 1)) <<<abcde)" port=$((28307 + i)) rest=$((28083 + i))
  sources start mariadb "$slug" "$port" >/dev/null && sources seed "$slug" 150 $((i + 1)) >/dev/null || cmw_die "source $slug did not start"
  facility_yaml "$slug" "${slug^^}" "Bench clinic ${slug#fac-}" mariadb "$port" "$rest"
  facility_secret_config "$slug" "$slug"
  slugs+=("$slug") rests+=("$rest")
done
pc up --yes --skip-preview --non-interactive >/dev/null || cmw_die "pulumi up failed"
for i in "${!slugs[@]}"; do
  wait_running "${rests[$i]}" "cmw-facility-${slugs[$i]}-source" >/dev/null && wait_same_checksums "${slugs[$i]}" "${slugs[$i]^^}" >/dev/null 2>&1 \
    || cmw_die "facility ${slugs[$i]} did not reach the warehouse"
done
# The set-up (snapshot, Pulumi, JIT warm-up) loads the machine: measure once it has settled
# (one-minute load under 1.5, or after 3 minutes).
for _ in $(seq 1 36); do awk '{exit !($1 < 1.5)}' /proc/loadavg && break; sleep 5; done
echo "# $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); load $(cut -d' ' -f1-3 /proc/loadavg) at the start"

visits_topic=clinicmasterwarehouse-sqlserver.ClinicMasterMOH.dbo.Visits
sink_url="http://127.0.0.1:$SINK_REST/connectors/clinicmaster-warehouse-sink"
# wait_count SQL TARGET: polls (every 0.1 s, up to 30 min) until the warehouse count reaches TARGET.
wait_count() { local n; for _ in $(seq 1 18000); do n=$(as_admin "$1") && ((n >= $2)) && return 0; sleep 0.1; done; return 1; }
topic_offsets() { kafka_topic_depth "$KAFKA_ADMIN_PROPERTIES" "$visits_topic"; }
topic_bytes() {
  kafka_java org.apache.kafka.tools.LogDirsCommand --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$KAFKA_ADMIN_PROPERTIES" \
    --describe --topic-list "$visits_topic" 2>/dev/null | grep '^{' | jq '[.brokers[].logDirs[].partitions[].size] | add'
}
# bulk_at_a FIRST LAST TAG: Visits rows TAG-FIRST..TAG-LAST at A's source, in one statement.
bulk_at_a() {
  echo "INSERT INTO Visits (VisitNo, PatientNo, VisitDate, VisitType, Notes) SELECT CONCAT('$3-', seq), 'P2024-000001', '2024-06-01', 'OPD', CONCAT('bulk row ', seq) FROM seq_$1_to_$2" \
    | sources sql fac-a >/dev/null
}
rate() { awk -v n="$1" -v ms="$2" 'BEGIN {printf "%.0f rows/s (%d rows in %.1f s)", n * 1000 / ms, n, ms / 1000}'; }
# cpu_ticks CONTAINER: CPU time its processes used so far (user + system, with waited-for
# children), in clock ticks, from the host's /proc: cgroup v1 or v2 alike.
cpu_ticks() {
  local pid total=0
  for pid in $(docker top "$1" -eo pid | tail -n +2); do
    total=$((total + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
agent_a=$(agent_name fac-a) sink_worker=$(sink_worker_of_stack)

# Bulk, end to end.
offsets0=$(topic_offsets) bytes0=$(topic_bytes) agent_cpu0=$(cpu_ticks "$agent_a") sink_cpu0=$(cpu_ticks "$sink_worker")
start=$(now_ms)
bulk_at_a 1 "$rows" BULK
wait_count "select count(*) from \"Visits\" where \"VisitNo\" like 'BULK-%' and facility_dhis2_code = 'FAC-A'" "$rows" || cmw_die "the bulk rows did not all arrive"
bulk_ms=$(( $(now_ms) - start ))
offsets1=$(topic_offsets) bytes1=$(topic_bytes) agent_cpu1=$(cpu_ticks "$agent_a") sink_cpu1=$(cpu_ticks "$sink_worker")
say "bulk, source → warehouse" "$(rate "$rows" "$bulk_ms")"
say "CPU per 1,000 bulk rows: A's agent, sink" "$(awk -v a=$((agent_cpu1 - agent_cpu0)) -v s=$((sink_cpu1 - sink_cpu0)) -v n="$rows" -v hz="$(getconf CLK_TCK)" \
  'BEGIN {printf "%.0f ms, %.0f ms", a / hz * 1e6 / n, s / hz * 1e6 / n}')"
say "Kafka bytes per row change (Visits topic)" "$(awk -v b=$((bytes1 - bytes0)) -v n=$((offsets1 - offsets0)) 'BEGIN {printf "%.1f B (%d B for %d records)", b / n, b, n}')"

# The raw-upsert ceiling: the same rows, sent again by psql in 500-row upserts of literal values
# into a copy of the warehouse table (same columns, types and primary key).
raw="$PULUMI_TEST_WORK/raw.sql"
as_admin 'set client_min_messages = warning; drop table if exists bench_raw; create table bench_raw (like "Visits" including all)' >/dev/null
pk=$(as_admin "select string_agg(quote_ident(a.attname), ', ') from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey) where i.indrelid = 'bench_raw'::regclass and i.indisprimary")
sets=$(as_admin "select string_agg(format('%1\$I = excluded.%1\$I', column_name), ', ') from information_schema.columns where table_name = 'bench_raw' and column_name not in (select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey) where i.indrelid = 'bench_raw'::regclass and i.indisprimary)")
PGPASSWORD=$(<"$PG_ADMIN_PASSWORD_FILE") psql -X -q -At -F $'\t' -v ON_ERROR_STOP=1 -P 'null=\N' \
  "host=$PG_HOST port=$PG_PORT user=$PG_ADMIN_USER dbname=warehouse" \
  -c "select * from \"Visits\" where \"VisitNo\" like 'BULK-%' and facility_dhis2_code = 'FAC-A'" \
  | awk -F'\t' -v pk="$pk" -v sets="$sets" '
      function lit(v) { if (v == "\\N") return "NULL"; gsub("\x27", "\x27\x27", v); return "\x27" v "\x27" }
      { row = "("; for (i = 1; i <= NF; i++) row = row (i > 1 ? "," : "") lit($i); row = row ")"
        batch = batch (n++ % 500 ? "," : "insert into bench_raw values ") row
        if (n % 500 == 0) { print batch " on conflict (" pk ") do update set " sets ";"; batch = "" } }
      END { if (n % 500) print batch " on conflict (" pk ") do update set " sets ";" }' > "$raw"
start=$(now_ms)
PGPASSWORD=$(<"$PG_ADMIN_PASSWORD_FILE") psql -X -q -v ON_ERROR_STOP=1 "host=$PG_HOST port=$PG_PORT user=$PG_ADMIN_USER dbname=warehouse" -f "$raw" >/dev/null \
  || cmw_die "the raw upsert failed"
raw_ms=$(( $(now_ms) - start ))
as_admin 'drop table bench_raw' >/dev/null
say "raw upsert ceiling (psql, 500-row upserts)" "$(rate "$rows" "$raw_ms")"
say "ratio, pipeline / raw ceiling" "$(awk -v a="$bulk_ms" -v b="$raw_ms" 'BEGIN {printf "%.2f", b / a}')"

# Split: the sink paused, the source alone into Kafka; then the sink alone drains it.
curl -fsS -X PUT "$sink_url/pause" >/dev/null || cmw_die "could not pause the sink"
sleep 5
offsets0=$(topic_offsets)
start=$(now_ms)
bulk_at_a 1 "$rows" SPLIT
for _ in $(seq 1 3600); do (( $(topic_offsets) - offsets0 >= rows )) && break; sleep 0.5; done
source_ms=$(( $(now_ms) - start ))
say "source alone, source → Kafka" "$(rate "$rows" "$source_ms")"
start=$(now_ms)
curl -fsS -X PUT "$sink_url/resume" >/dev/null || cmw_die "could not resume the sink"
wait_count "select count(*) from \"Visits\" where \"VisitNo\" like 'SPLIT-%' and facility_dhis2_code = 'FAC-A'" "$rows" || cmw_die "the sink did not drain the rows"
say "sink alone, Kafka → warehouse" "$(rate "$rows" "$(( $(now_ms) - start ))")"

# Freshness: every row of the load carries its source commit time (ms, the source's clock; both
# on this machine); a warehouse trigger notes when the sink wrote it.
as_admin "create table if not exists bench_arrivals (code text, visit text, sent bigint, arrived bigint, primary key (code, visit));
create or replace function bench_arrival() returns trigger language plpgsql security definer set search_path = public as \$\$
begin
  if new.\"VisitNo\" like 'F%-%' then
    insert into bench_arrivals values (new.facility_dhis2_code, new.\"VisitNo\", new.\"Notes\"::bigint, (extract(epoch from clock_timestamp()) * 1000)::bigint) on conflict do nothing;
  end if;
  return new;
end \$\$;
set client_min_messages = warning; drop trigger if exists bench_arrival on \"Visits\";
create trigger bench_arrival after insert on \"Visits\" for each row execute function bench_arrival();" >/dev/null || cmw_die "could not set up the freshness trigger"
# insert_rows SOURCE TAG FIRST LAST: Visits rows TAG-FIRST..TAG-LAST in one statement, each
# carrying its source's clock (ms) at the statement, in that source's SQL dialect.
insert_rows() {
  case $1 in
    fac-b) echo "INSERT INTO \"Visits\" (\"VisitNo\", \"PatientNo\", \"VisitType\", \"Notes\") SELECT '$2-' || g, 'P2024-000001', 'OPD', (extract(epoch from clock_timestamp()) * 1000)::bigint::text FROM generate_series($3, $4) g;" ;;
    *) echo "INSERT INTO Visits (VisitNo, PatientNo, VisitType, Notes) SELECT CONCAT('$2-', seq), 'P2024-000001', 'OPD', CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS UNSIGNED) FROM seq_$3_to_$4;" ;;
  esac
}
# load SOURCE TAG PER_TICK TICKS: one client; a multi-row insert every 0.1 s.
load() {
  local i
  for ((i = 0; i < $4; i++)); do
    insert_rows "$1" "$2" $((i * $3 + 1)) $(((i + 1) * $3))
    sleep 0.1
  done | sources sql "$1" >/dev/null
}
for r in $rates; do
  # Every facility's source takes its share, a multi-row insert every 0.1 s.
  tag="F$r" per_tick=$(( (r + 10 * fleet - 1) / (10 * fleet) )) ticks=$((seconds * 10)) loads=()
  for slug in "${slugs[@]}"; do load "$slug" "$tag" "$per_tick" "$ticks" & loads+=($!); done
  wait "${loads[@]}"
  wait_count "select count(*) from bench_arrivals where visit like '$tag-%'" $((fleet * per_tick * ticks)) || cmw_die "the load at $r/s did not all arrive"
  say "freshness at $r changes/s ($fleet facilities)" "$(as_admin "select format('p50 %s s, p99 %s s, max %s s; %s rows at %s rows/s', round(percentile_cont(0.5) within group (order by arrived - sent)::numeric / 1000, 2), round(percentile_cont(0.99) within group (order by arrived - sent)::numeric / 1000, 2), round(max(arrived - sent)::numeric / 1000, 2), count(*), round(count(*) * 1000.0 / greatest(max(sent) - min(sent), 1))) from bench_arrivals where visit like '$tag-%'")"
done
as_admin 'drop trigger bench_arrival on "Visits"; drop function bench_arrival(); drop table bench_arrivals' >/dev/null

# Steady memory: a minute after the load, each container's RSS (Docker's cgroup figure).
sleep 60
docker stats --no-stream --format '{{.Name}} {{.MemUsage}}' | grep "^cmw-$PULUMI_TEST_STACK-" | while read -r name usage _; do
  say "memory ${name#cmw-"$PULUMI_TEST_STACK"-}" "$usage"
done

# Snapshot: a new facility whose source already holds M Visits rows, from `pulumi up` to its last
# row in the warehouse (the agent's container and connector start included).
if ((snapshot_rows)); then
  sources start mariadb fac-s 28313 >/dev/null && sources seed fac-s 150 9 >/dev/null || cmw_die "the snapshot source did not start"
  echo "INSERT INTO Visits (VisitNo, PatientNo, VisitDate, VisitType, Notes) SELECT CONCAT('SNAP-', seq), 'P2024-000001', '2024-06-01', 'OPD', CONCAT('snapshot row ', seq) FROM seq_1_to_$snapshot_rows" \
    | sources sql fac-s >/dev/null || cmw_die "filling the snapshot source failed"
  visits_s=$(echo 'SELECT COUNT(*) FROM Visits' | sources sql fac-s | tail -n1 | tr -d ' ')
  facility_yaml fac-s FAC-S "Bench snapshot clinic" mariadb 28313 28089
  facility_secret_config fac-s fac-s
  start=$(now_ms)
  pc up --yes --skip-preview --non-interactive >/dev/null || cmw_die "pulumi up of the snapshot facility failed"
  wait_count "$(count_for Visits FAC-S)" "$visits_s" || cmw_die "the snapshot did not all arrive"
  say "snapshot of a new facility (up included)" "$(rate "$visits_s" "$(( $(now_ms) - start ))")"
fi
echo "# load $(cut -d' ' -f1-3 /proc/loadavg) at the end"
