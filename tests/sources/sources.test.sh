#!/usr/bin/env bash
# The demo sources on their own state directory and ports: a MariaDB and a PostgreSQL source start
# from nothing on loopback only, set up for Debezium (row binlog, logical decoding); a second start
# changes nothing; the debezium login can do what the connectors need and no more; a seed fills
# 10*ROWS rows with the same keys in every source; checksums are stable, follow the checked columns
# only, are the same on both engines for the same rows, and equal the warehouse form of the same
# rows; the trickle changes rows; data survives stop and start.
set -uo pipefail
source "$(dirname "$0")/../../scripts/env.sh"
source "$CMW_ROOT/tests/lib/tap.sh"
source "$CMW_ROOT/platform/lib/sources/clinicmaster.sh"
export CMW_STATE; CMW_STATE=$(mktemp -d /var/tmp/cmw-sources-test.XXXXXX 2>/dev/null || mktemp -d)
M_PORT=36306 P_PORT=36433
sources() { bash "$CMW_ROOT/platform/sources.sh" "$@"; }
trap 'sources stop-all >/dev/null 2>&1; rm -rf "$CMW_STATE"' EXIT

secs_since() { printf '%.1f' "$(echo "$(date +%s.%N) - $1" | bc)"; }
password() { cat "$CMW_STATE/secrets/sources-$1-password"; }
as_debezium_m() { mariadb --no-defaults -h 127.0.0.1 -P "$M_PORT" -u debezium -p"$(password src-m)" -N -B -e "$1"; }
as_debezium_p() { PGPASSWORD=$(password src-p) psql -h 127.0.0.1 -p "$P_PORT" -U debezium -d ClinicMaster -v ON_ERROR_STOP=1 -qAtc "$1"; }
pids() { cat "$CMW_STATE/sources/src-m/mariadbd.pid"; head -n1 "$CMW_STATE/sources/src-p/data/postmaster.pid"; }
counts() { sources checksum "$1" | awk '{printf "%s %s ", $1, $2}'; }
line_of() { sources checksum "$1" | grep "^$2 "; }
# same_but TABLE BEFORE AFTER: the checksums differ in TABLE's line and in no other.
same_but() { local d; d=$(diff <(echo "$2") <(echo "$3")); [[ $(grep -c '^[<>]' <<<"$d") == 2 ]] && grep -q "^> $1 " <<<"$d"; }

t=$(date +%s.%N)
check "a MariaDB source starts from nothing" sources start mariadb src-m "$M_PORT"
echo "# start mariadb: $(secs_since "$t") s"; t=$(date +%s.%N)
check "a PostgreSQL source starts from nothing" sources start postgres src-p "$P_PORT"
echo "# start postgres: $(secs_since "$t") s"
check "status reports both up" sources status
before=$(pids)
check "a second start of each changes nothing" bash -c "bash '$CMW_ROOT/platform/sources.sh' start mariadb src-m $M_PORT && bash '$CMW_ROOT/platform/sources.sh' start postgres src-p $P_PORT"
check "same processes after the second start" test "$before" = "$(pids)"
check_fails "a running source is not started again on another port" sources start postgres src-p 36434
check_fails "a name keeps its engine" sources start mariadb src-p "$P_PORT"
check "both listen on loopback only" bash -c "ss -Hltn | awk '{print \$4}' | grep -qE ':$M_PORT\$' && ! ss -Hltn | awk '{print \$4}' | grep -E ':($M_PORT|$P_PORT)\$' | grep -vE '^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):'"
check "env names the engine, port, database, login and a private password file" bash -c "eval \"\$(bash '$CMW_ROOT/platform/sources.sh' env src-p)\"; [[ \$SOURCE_ENGINE == postgres && \$SOURCE_PORT == $P_PORT && \$SOURCE_DATABASE == ClinicMaster && \$SOURCE_USER == debezium && \$(stat -c %a \"\$SOURCE_PASSWORD_FILE\") == 600 ]]"

# What Debezium needs, checked with the connector's own login over TCP.
check "MariaDB: row binlog, full row images, a server id" test "$(as_debezium_m 'select concat_ws(" ", @@log_bin, @@binlog_format, @@binlog_row_image, @@server_id > 0)')" = "ON ROW FULL 1"
check "MariaDB: debezium holds exactly the privileges Debezium documents" \
  bash -c "[[ \$(mariadb --no-defaults -h 127.0.0.1 -P $M_PORT -u debezium -p'$(password src-m)' -N -B -e 'show grants' | sed 's/ IDENTIFIED BY.*//') == 'GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO \`debezium\`@\`127.0.0.1\`' ]]"
check "MariaDB: debezium reads the binlog position and takes the snapshot's global read lock" as_debezium_m 'SHOW MASTER STATUS; SHOW BINARY LOGS; FLUSH TABLES WITH READ LOCK; UNLOCK TABLES'
check_fails "MariaDB: a wrong password is refused" mariadb --no-defaults -h 127.0.0.1 -P "$M_PORT" -u debezium -pwrong -e 'select 1'
check_fails "MariaDB: no admin login over TCP" mariadb --no-defaults -h 127.0.0.1 -P "$M_PORT" -u root -e 'select 1'
check "PostgreSQL: logical decoding with room for slots and senders" test "$(as_debezium_p "select concat_ws(' ', current_setting('wal_level'), current_setting('max_replication_slots'), current_setting('max_wal_senders'))")" = "logical 10 10"
check "PostgreSQL: debezium replicates and is no superuser" test "$(as_debezium_p "select rolreplication, rolsuper from pg_roles where rolname = current_user")" = "t|f"
check "PostgreSQL: debezium opens a pgoutput slot over a replication connection" \
  bash -c "PGPASSWORD='$(password src-p)' psql 'host=127.0.0.1 port=$P_PORT user=debezium dbname=ClinicMaster replication=database' -v ON_ERROR_STOP=1 -c 'CREATE_REPLICATION_SLOT sources_test LOGICAL pgoutput' -c 'DROP_REPLICATION_SLOT sources_test'"
check_fails "PostgreSQL: a wrong password is refused" env PGPASSWORD=wrong psql -h 127.0.0.1 -p "$P_PORT" -U debezium -d ClinicMaster -Atc 'select 1'
check_fails "PostgreSQL: no admin login over TCP" psql -w -h 127.0.0.1 -p "$P_PORT" -U postgres -d ClinicMaster -Atc 'select 1'

# Seed: 500 patients each, a different facility seed.
t=$(date +%s.%N)
check "seed 500 patients into MariaDB" sources seed src-m 500 11
echo "# seed 500 mariadb: $(secs_since "$t") s"; t=$(date +%s.%N)
check "seed 500 patients into PostgreSQL" sources seed src-p 500 22
echo "# seed 500 postgres: $(secs_since "$t") s"
expected="Patients 500 Visits 1000 Triage 1000 LabRequests 500 LabResults 500 Diagnosis 1000 Appointments 500 "
check "MariaDB: rows per table" test "$(counts src-m)" = "$expected"
check "PostgreSQL: rows per table" test "$(counts src-p)" = "$expected"
check "the 'sql' command pipes SQL to the source" test "$(echo 'select count(*) from "Patients"' | sources sql src-p)" = 500
check "PostgreSQL: debezium owns the seven tables and publishes them (filtered publication mode)" \
  bash -c "[[ \$(PGPASSWORD='$(password src-p)' psql -h 127.0.0.1 -p $P_PORT -U debezium -d ClinicMaster -qAt -c \"select count(*) from pg_tables where schemaname = 'dbo' and tableowner = 'debezium'\" -c 'create publication sources_test for table dbo.\"Patients\", dbo.\"Visits\", dbo.\"Triage\", dbo.\"LabRequests\", dbo.\"LabResults\", dbo.\"Diagnosis\", dbo.\"Appointments\"' -c 'drop publication sources_test') == 7 ]]"
check_fails "MariaDB: debezium cannot write" as_debezium_m "insert into ClinicMaster.Visits (VisitNo) values ('NOPE')"
keys_m=$(echo "select concat(md5(group_concat(PatientNo order by PatientNo separator ',')), ' ', (select md5(group_concat(VisitNo order by VisitNo separator ',')) from Visits)) from Patients" | sources sql src-m)
keys_p=$(echo "select md5(string_agg(\"PatientNo\", ',' order by \"PatientNo\" collate \"C\")) || ' ' || (select md5(string_agg(\"VisitNo\", ',' order by \"VisitNo\" collate \"C\")) from \"Visits\") from \"Patients\"" | sources sql src-p)
check "patient and visit numbers are the same in both sources" test "$keys_m" = "$keys_p"
check "the facility seed varies the content: patients differ" test "$(line_of src-m Patients)" != "$(line_of src-p Patients)"
sum_m=$(sources checksum src-m); sum_p=$(sources checksum src-p)
check "a second seed adds and changes nothing" bash -c "bash '$CMW_ROOT/platform/sources.sh' seed src-m 500 11 2>/dev/null && [[ \$(bash '$CMW_ROOT/platform/sources.sh' checksum src-m) == '$sum_m' ]]"
t=$(date +%s.%N)
check "checksums are stable (MariaDB)" test "$(sources checksum src-m)" = "$sum_m"
echo "# checksum mariadb: $(secs_since "$t") s"; t=$(date +%s.%N)
check "checksums are stable (PostgreSQL)" test "$(sources checksum src-p)" = "$sum_p"
echo "# checksum postgres: $(secs_since "$t") s"

# A warehouse in miniature, in the PostgreSQL source's database (schema public): the same tables
# without Photo and FingerPrint, facility_dhis2_code and facility_name added, no primary key;
# FAC-P holds a copy of src-p's rows, FAC-M the rows PostgreSQL writes for src-m's ROWS and SEED.
{
  echo "RESET ROLE; SET search_path = public;"
  schema_sql postgres
  for tb in "${SOURCE_TABLES[@]}"; do
    echo "ALTER TABLE \"$tb\" DROP CONSTRAINT \"${tb}_pkey\", ADD facility_dhis2_code text, ADD facility_name text;"
  done
  seed_sql postgres 500 11
  for tb in "${SOURCE_TABLES[@]}"; do
    echo "UPDATE \"$tb\" SET facility_dhis2_code = 'FAC-M', facility_name = 'St. Mary''s';"
    echo "INSERT INTO \"$tb\" SELECT *, 'FAC-P', 'Lacor' FROM dbo.\"$tb\";"
  done
  echo 'ALTER TABLE "Patients" DROP COLUMN "Photo", DROP COLUMN "FingerPrint";'
  echo "GRANT SELECT ON ALL TABLES IN SCHEMA public TO debezium;"
} | sources sql src-p >/dev/null
warehouse="postgresql://debezium:$(password src-p)@127.0.0.1:$P_PORT/ClinicMaster"
check "warehouse form: FAC-P's warehouse rows sum as the PostgreSQL source" test "$(sources warehouse-checksum "$warehouse" FAC-P)" = "$sum_p"
check "warehouse form: FAC-M's rows, written by PostgreSQL, sum as the MariaDB source (engine independent)" \
  test "$(sources warehouse-checksum "$warehouse" FAC-M)" = "$sum_m"
check "warehouse form: a facility without rows sums as empty tables" \
  test "$(sources warehouse-checksum "$warehouse" FAC-NONE | awk '{print $2, $3}' | sort -u)" = "0 d41d8cd98f00b204e9800998ecf8427e"

check "non-ASCII text is the same bytes on both engines (the admin client speaks utf8mb4)" \
  test "$(echo "select md5('Kyaka Health Centre Ⅳ — Ölüm')" | sources sql src-m)" = "$(echo "select md5('Kyaka Health Centre Ⅳ — Ölüm')" | sources sql src-p)"

# What changes a checksum and what does not.
echo "update Patients set FirstName = 'Changed' where PatientNo = 'P2024-000007'" | sources sql src-m
check "an update of a checked column changes that table's line only (MariaDB)" same_but Patients "$sum_m" "$(sources checksum src-m)"
echo "update \"Visits\" set \"Notes\" = 'Changed' where \"VisitNo\" = 'V2024-000007'" | sources sql src-p
after=$(sources checksum src-p)
check "an update of a checked column changes that table's line only (PostgreSQL)" same_but Visits "$sum_p" "$after"
echo "update \"Patients\" set \"Photo\" = '\\x00', \"FingerPrint\" = NULL, \"BirthDate\" = DATE '2000-01-01', \"CreatedAt\" = now() where \"PatientNo\" = 'P2024-000008'" | sources sql src-p
check "photo, fingerprint, dates and timestamps are not part of the checksum" test "$(sources checksum src-p)" = "$after"
echo "update \"Visits\" set \"Notes\" = NULL where \"VisitNo\" = 'V2024-000007'" | sources sql src-p
null_sum=$(line_of src-p Visits)
echo "update \"Visits\" set \"Notes\" = '' where \"VisitNo\" = 'V2024-000007'" | sources sql src-p
check "a NULL and an empty string sum differently" test "$null_sum" != "$(line_of src-p Visits)"

# The trickle: a few changes a second, each round printed.
before_m=$(sources checksum src-m)
trickle_out=$(sources trickle src-m 3 2>&1)
check "the trickle runs rounds of insert, updates and delete and prints them" grep -q '^trickle src-m #2: insert Visits' <<<"$trickle_out"
after_m=$(sources checksum src-m)
check "the trickle changed patients, visits and appointments" bash -c "for tb in Patients Visits Appointments; do [[ \$(grep \"^\$tb \" <<<'$before_m') != \$(grep \"^\$tb \" <<<'$after_m') ]] || exit 1; done"
check "the trickle on PostgreSQL" bash -c "bash '$CMW_ROOT/platform/sources.sh' trickle src-p 2 | grep -q '^trickle src-p #1: insert Visits'"

# Stop, start: the data stays.
sum_m=$(sources checksum src-m); sum_p=$(sources checksum src-p)
check "stop both" bash -c "bash '$CMW_ROOT/platform/sources.sh' stop src-m && bash '$CMW_ROOT/platform/sources.sh' stop src-p"
check_fails "status says they are down" sources status
check_fails "SQL on a stopped source fails" bash -c "echo 'select 1' | bash '$CMW_ROOT/platform/sources.sh' sql src-m"
check "start both again" bash -c "bash '$CMW_ROOT/platform/sources.sh' start mariadb src-m $M_PORT && bash '$CMW_ROOT/platform/sources.sh' start postgres src-p $P_PORT"
check "the data survives stop and start" test "$(sources checksum src-m)$(sources checksum src-p)" = "$sum_m$sum_p"
check "the password survives too" test "$(as_debezium_p 'select 1')" = 1
check "stop-all" sources stop-all
check "nothing listens after stop-all" bash -c "! ss -Hltn | awk '{print \$4}' | grep -qE ':($M_PORT|$P_PORT)\$'"
rm -rf "$CMW_STATE"
trap - EXIT
tap_summary
