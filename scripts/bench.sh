#!/usr/bin/env bash
# The pipeline's speed and memory on this machine: `npm run bench` prints numbers and judges
# nothing (no timed test). It runs on a private platform of its own (ports 28xxx), with the two
# demo facilities (A on MariaDB, B on PostgreSQL) deployed by `pulumi up`, and removes it all at
# exit. Figures, each from this one run:
#   bulk        N new Visits rows at A's source → warehouse, rows/s; and the raw-upsert ceiling of
#               the same warehouse (psql, 500-row INSERT … ON CONFLICT statements), and their ratio
#   split       with the sink paused: source → Kafka rows/s; then the sink alone draining them
#   bytes       Kafka bytes per row change on the facility link (the bulk rows' batches)
#   freshness   source commit → warehouse row, p50/p99, at each RATE changes/s spread over A and B
#   memory      steady RSS of each agent and sink container
# Usage: bash scripts/bench.sh [--rows N] [--rates "1000 3000"] [--seconds S]
#   defaults: 100000 rows, rates 1000 and 3000, 30 s per rate. Preview and rollout times at scale
#   are scripts/bench-rollout.sh's.
source "$(dirname "$0")/env.sh" && source "$CMW_ROOT/tests/lib/suite.sh"
SUITE=bench KAFKA_PORT=28092 KAFKA_CONTROLLER_PORT=28093 PG_PORT=28432 SSH_PORT=2922
SRC_A_PORT=28306 SRC_B_PORT=28433 REST_A=28083 REST_B=28084 SINK_REST=28183
rows=100000 rates="1000 3000" seconds=30
while (($#)); do
  case $1 in
    --rows) rows=$2; shift 2 ;;
    --rates) rates=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) cmw_die "unknown argument: $1 (see the header of $0)" ;;
  esac
done
[[ $rows =~ ^[1-9][0-9]*$ && $seconds =~ ^[1-9][0-9]*$ && $rates =~ ^[0-9\ ]+$ ]] || cmw_die "--rows, --seconds and --rates take whole numbers"

say() { printf '%-44s %s\n' "$1" "$2"; }
now_ms() { date +%s%3N; }
facilities_up >/dev/null
pc up --yes --skip-preview --non-interactive >/dev/null || cmw_die "pulumi up failed"
wait_running "$REST_A" cmw-facility-fac-a-source >/dev/null && wait_running "$REST_B" cmw-facility-fac-b-source >/dev/null \
  && wait_same_checksums fac-a FAC-A >/dev/null && wait_same_checksums fac-b FAC-B >/dev/null || cmw_die "the demo facilities did not reach the warehouse"
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

# Bulk, end to end.
offsets0=$(topic_offsets) bytes0=$(topic_bytes)
start=$(now_ms)
bulk_at_a 1 "$rows" BULK
wait_count "select count(*) from \"Visits\" where \"VisitNo\" like 'BULK-%' and facility_dhis2_code = 'FAC-A'" "$rows" || cmw_die "the bulk rows did not all arrive"
bulk_ms=$(( $(now_ms) - start ))
offsets1=$(topic_offsets) bytes1=$(topic_bytes)
say "bulk, source → warehouse" "$(rate "$rows" "$bulk_ms")"
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
    fac-a) echo "INSERT INTO Visits (VisitNo, PatientNo, VisitType, Notes) SELECT CONCAT('$2-', seq), 'P2024-000001', 'OPD', CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS UNSIGNED) FROM seq_$3_to_$4;" ;;
    fac-b) echo "INSERT INTO \"Visits\" (\"VisitNo\", \"PatientNo\", \"VisitType\", \"Notes\") SELECT '$2-' || g, 'P2024-000001', 'OPD', (extract(epoch from clock_timestamp()) * 1000)::bigint::text FROM generate_series($3, $4) g;" ;;
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
  tag="F$r" per_tick=$(( (r + 19) / 20 )) ticks=$((seconds * 10))
  load fac-a "$tag" "$per_tick" "$ticks" & la=$!
  load fac-b "$tag" "$per_tick" "$ticks" & lb=$!
  wait "$la" "$lb"
  wait_count "select count(*) from bench_arrivals where visit like '$tag-%'" $((2 * per_tick * ticks)) || cmw_die "the load at $r/s did not all arrive"
  say "freshness at $r changes/s (2 facilities)" "$(as_admin "select format('p50 %s s, p99 %s s, max %s s; %s rows at %s rows/s', round(percentile_cont(0.5) within group (order by arrived - sent)::numeric / 1000, 2), round(percentile_cont(0.99) within group (order by arrived - sent)::numeric / 1000, 2), round(max(arrived - sent)::numeric / 1000, 2), count(*), round(count(*) * 1000.0 / greatest(max(sent) - min(sent), 1))) from bench_arrivals where visit like '$tag-%'")"
done
as_admin 'drop trigger bench_arrival on "Visits"; drop function bench_arrival(); drop table bench_arrivals' >/dev/null

# Steady memory: a minute after the load, each container's RSS (Docker's cgroup figure).
sleep 60
docker stats --no-stream --format '{{.Name}} {{.MemUsage}}' | grep "^cmw-$PULUMI_TEST_STACK-" | while read -r name usage _; do
  say "memory ${name#cmw-"$PULUMI_TEST_STACK"-}" "$usage"
done
echo "# load $(cut -d' ' -f1-3 /proc/loadavg) at the end"
