#!/usr/bin/env bash
# ClinicMaster-shaped source databases for tests and the local demo (SQL Server cannot run here):
# private MariaDB and PostgreSQL instances on loopback, set up for Debezium (binlog / logical
# decoding), with ClinicMaster's tables filled deterministically. Patient and visit numbers are
# the same in every source, as they are across hospitals.
#
#   sources.sh start mariadb|postgres NAME PORT   start (create on first use); no-op when running
#   sources.sh seed NAME ROWS SEED                 create the tables if absent and fill them (ROWS patients)
#   sources.sh trickle NAME [SECONDS]              a few inserts, updates and deletes per second
#   sources.sh trickle-background NAME             the same until the source stops (log beside it)
#   sources.sh sql NAME                            run SQL from stdin as the source's admin
#   sources.sh checksum NAME                       per table: rows and a content checksum
#   sources.sh warehouse-checksum PGURL CODE       the same, from the warehouse rows of facility CODE
#                                                  (the password in PGPASSWORD or PGPASSFILE, not the URL)
#   sources.sh env NAME                            SOURCE_* settings (engine, port, user, password file)
#   sources.sh stop NAME | stop-all | status
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
source "$CMW_ROOT/platform/lib/common.sh"
source "$CMW_ROOT/platform/lib/postgres.sh"
SOURCES="$CMW_STATE/sources"
DB=ClinicMaster
TABLES=(Patients Visits Triage LabRequests LabResults Diagnosis Appointments)

# Columns whose text is the same at the source and in the warehouse (dates, times, decimals and
# images change representation on the way), first the primary key.
declare -A CHECKED=(
  [Patients]="PatientNo FirstName LastName Gender Phone"
  [Visits]="VisitNo PatientNo VisitType Notes"
  [Triage]="TriageID VisitNo BloodPressure"
  [LabRequests]="RequestID VisitNo TestCode"
  [LabResults]="ResultID RequestID Result"
  [Diagnosis]="DiagnosisID VisitNo ICD10Code Description"
  [Appointments]="AppointmentID PatientNo Status"
)

dir_of() { printf '%s/%s' "$SOURCES" "$1"; }
engine_of() { cat "$(dir_of "$1")/engine" 2>/dev/null || cmw_die "no source named $1: start it first"; }
port_of() { cat "$(dir_of "$1")/port"; }
owner() { [[ $(id -u) == 0 ]] && echo "$1" || id -un; }
as_user() { if [[ $(id -u) == 0 ]]; then runuser -u "$1" -- "${@:2}"; else "${@:2}"; fi; }

# --- MariaDB ---------------------------------------------------------------------------------
maria_running() { pid_alive "$(dir_of "$1")/mariadbd.pid"; }
maria_admin() { mariadb --no-defaults -S "$(dir_of "$1")/mariadbd.sock" -uroot -N -B "${@:2}"; }
maria_start() {
  local name="$1" port="$2" d; d=$(dir_of "$name")
  maria_running "$name" && return 0
  if [[ ! -d $d/data/mysql ]]; then
    mkdir -p "$d/data"; chown -R "$(owner mysql)" "$d"
    mariadb-install-db --no-defaults --user="$(owner mysql)" --datadir="$d/data" \
      --auth-root-authentication-method=normal --skip-test-db > "$d/install.log" 2>&1 \
      || cmw_die "mariadb-install-db failed: $d/install.log"
  fi
  cmw_say "starting MariaDB source $name on 127.0.0.1:$port"
  mariadbd --no-defaults --user="$(owner mysql)" --datadir="$d/data" --socket="$d/mariadbd.sock" \
    --pid-file="$d/mariadbd.pid" --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
    --log-error="$d/error.log" --server-id=1 --log-bin="$d/data/binlog" --binlog-format=ROW \
    --binlog-row-image=FULL --binlog-expire-logs-seconds=259200 --innodb-buffer-pool-size=64M \
    --character-set-server=utf8mb4 >/dev/null 2>&1 &
  wait_for "MariaDB source $name" 120 maria_admin "$name" -e 'select 1'
  local pw; pw=$(cat "$(ensure_secret "sources-$name-password")")
  maria_admin "$name" <<SQL
CREATE DATABASE IF NOT EXISTS $DB CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS 'debezium'@'127.0.0.1' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS 'debezium'@'localhost' IDENTIFIED BY '$pw';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, LOCK TABLES ON *.* TO 'debezium'@'127.0.0.1';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, LOCK TABLES ON *.* TO 'debezium'@'localhost';
SQL
}
maria_stop() { stop_pid "MariaDB source $1" "$(dir_of "$1")/mariadbd.pid"; }

# --- PostgreSQL --------------------------------------------------------------------------------
pgs_data() { printf '%s/data' "$(dir_of "$1")"; }
pgs_running() { pid_alive "$(pgs_data "$1")/postmaster.pid" && pg_as "$(pg_bin pg_ctl)" -D "$(pgs_data "$1")" status >/dev/null 2>&1; }
pgs_admin() { psql -h "$(dir_of "$1")" -p "$(port_of "$1")" -U postgres -d "${PGS_DB:-$DB}" -qAt -v ON_ERROR_STOP=1 "${@:2}"; }
pgs_start() {
  local name="$1" port="$2" d; d=$(dir_of "$name")
  pgs_running "$name" && return 0
  if [[ $(id -u) == 0 ]] && ! id postgres >/dev/null 2>&1; then useradd --system --shell /usr/sbin/nologin postgres; fi
  if [[ ! -f $d/data/PG_VERSION ]]; then
    mkdir -p "$d"; chown "$(owner postgres)" "$d"; chmod 700 "$d"
    as_user postgres "$(pg_bin initdb)" -D "$d/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 > "$d/initdb.log" 2>&1 || cmw_die "initdb failed: $d/initdb.log"
    printf '%s\n' "listen_addresses = '127.0.0.1'" "port = $port" "unix_socket_directories = '$d'" \
      "wal_level = logical" "max_replication_slots = 10" "max_wal_senders = 10" "password_encryption = scram-sha-256" \
      | as_user postgres tee -a "$d/data/postgresql.conf" >/dev/null
  fi
  clear_stale_pidfile "$d/data/postmaster.pid"; clear_stale_pidfile "$d/.s.PGSQL.$port.lock"
  cmw_say "starting PostgreSQL source $name on 127.0.0.1:$port"
  as_user postgres "$(pg_bin pg_ctl)" -D "$d/data" -l "$d/server.log" -w -t 60 start >/dev/null \
    || cmw_die "PostgreSQL source $name did not start: $d/server.log"
  local pw; pw=$(cat "$(ensure_secret "sources-$name-password")")
  PGS_DB=postgres pgs_admin "$name" -c "select 1 from pg_database where datname = '$DB'" | grep -q 1 \
    || PGS_DB=postgres pgs_admin "$name" -c "create database \"$DB\""
  # The connector's login replicates and owns the ClinicMaster tables (Debezium's filtered
  # publication needs ownership), and is no superuser.
  pgs_admin "$name" <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'debezium') THEN CREATE ROLE debezium LOGIN REPLICATION; END IF;
END \$\$;
ALTER ROLE debezium PASSWORD '$pw';
GRANT CREATE ON DATABASE "$DB" TO debezium;
CREATE SCHEMA IF NOT EXISTS dbo AUTHORIZATION debezium;
SQL
}
pgs_stop() { pgs_running "$1" || return 0; as_user postgres "$(pg_bin pg_ctl)" -D "$(pgs_data "$1")" -m fast -w stop >/dev/null; }

# --- schema and data ---------------------------------------------------------------------------
# schema_sql ENGINE: ClinicMaster's tables (same names and columns in both engines).
schema_sql() {
  local blob=LONGBLOB ts=DATETIME q='`'
  [[ $1 == postgres ]] && { blob=BYTEA; ts=TIMESTAMP; q='"'; }
  local t="${q}"
  cat <<SQL
CREATE TABLE IF NOT EXISTS ${t}Patients${t} (${t}PatientNo${t} VARCHAR(20) PRIMARY KEY, ${t}FirstName${t} VARCHAR(50), ${t}LastName${t} VARCHAR(50), ${t}Gender${t} CHAR(1), ${t}BirthDate${t} DATE, ${t}Phone${t} VARCHAR(20), ${t}Photo${t} $blob, ${t}FingerPrint${t} $blob, ${t}CreatedAt${t} $ts);
CREATE TABLE IF NOT EXISTS ${t}Visits${t} (${t}VisitNo${t} VARCHAR(20) PRIMARY KEY, ${t}PatientNo${t} VARCHAR(20), ${t}VisitDate${t} DATE, ${t}VisitType${t} VARCHAR(20), ${t}Notes${t} VARCHAR(200));
CREATE TABLE IF NOT EXISTS ${t}Triage${t} (${t}TriageID${t} INT PRIMARY KEY, ${t}VisitNo${t} VARCHAR(20), ${t}Temperature${t} DECIMAL(4,1), ${t}Weight${t} DECIMAL(5,1), ${t}BloodPressure${t} VARCHAR(10));
CREATE TABLE IF NOT EXISTS ${t}LabRequests${t} (${t}RequestID${t} INT PRIMARY KEY, ${t}VisitNo${t} VARCHAR(20), ${t}TestCode${t} VARCHAR(10), ${t}RequestedAt${t} $ts);
CREATE TABLE IF NOT EXISTS ${t}LabResults${t} (${t}ResultID${t} INT PRIMARY KEY, ${t}RequestID${t} INT, ${t}Result${t} VARCHAR(100), ${t}ResultAt${t} $ts);
CREATE TABLE IF NOT EXISTS ${t}Diagnosis${t} (${t}DiagnosisID${t} INT PRIMARY KEY, ${t}VisitNo${t} VARCHAR(20), ${t}ICD10Code${t} VARCHAR(10), ${t}Description${t} VARCHAR(200));
CREATE TABLE IF NOT EXISTS ${t}Appointments${t} (${t}AppointmentID${t} INT PRIMARY KEY, ${t}PatientNo${t} VARCHAR(20), ${t}AppointmentDate${t} DATE, ${t}Status${t} VARCHAR(20));
SQL
}

# seed_sql ENGINE ROWS SEED: deterministic rows; keys depend on ROWS only, content on SEED too.
seed_sql() {
  local e="$1" n="$2" s="$3"
  if [[ $e == postgres ]]; then
    cat <<SQL
INSERT INTO "Patients" SELECT 'P2024-' || lpad(i::text, 6, '0'), 'Name' || ((i * $s) % 97), 'Family' || ((i + $s) % 89), CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END, DATE '1960-01-01' + (i * 37 % 20000), '+2567' || lpad(((i * 7919 + $s) % 100000000)::text, 8, '0'), decode(md5(i::text || 'photo'), 'hex'), decode(md5(i::text || 'finger'), 'hex'), TIMESTAMP '2024-01-01' + i * INTERVAL '1 hour' FROM generate_series(1, $n) i ON CONFLICT DO NOTHING;
INSERT INTO "Visits" SELECT 'V2024-' || lpad(i::text, 6, '0'), 'P2024-' || lpad((((i - 1) % $n) + 1)::text, 6, '0'), DATE '2024-01-01' + (i % 300), (ARRAY['OPD','IPD','ANC','EMERGENCY'])[1 + (i + $s) % 4], 'Visit ' || i || ' seen by clinician ' || ((i * $s) % 13) FROM generate_series(1, 2 * $n) i ON CONFLICT DO NOTHING;
INSERT INTO "Triage" SELECT i, 'V2024-' || lpad(i::text, 6, '0'), 36 + (i % 40) / 10.0, 3 + (i * $s % 900) / 10.0, (100 + i % 60) || '/' || (60 + i % 30) FROM generate_series(1, 2 * $n) i ON CONFLICT DO NOTHING;
INSERT INTO "LabRequests" SELECT i, 'V2024-' || lpad((2 * i)::text, 6, '0'), (ARRAY['MAL','CBC','HIV','TB','UA'])[1 + (i + $s) % 5], TIMESTAMP '2024-01-01' + i * INTERVAL '90 minutes' FROM generate_series(1, $n) i ON CONFLICT DO NOTHING;
INSERT INTO "LabResults" SELECT i, i, (ARRAY['Negative','Positive','Normal','See notes'])[1 + (i * $s) % 4], TIMESTAMP '2024-01-02' + i * INTERVAL '90 minutes' FROM generate_series(1, $n) i ON CONFLICT DO NOTHING;
INSERT INTO "Diagnosis" SELECT i, 'V2024-' || lpad(i::text, 6, '0'), (ARRAY['B54','J06.9','A09','O80','I10'])[1 + (i + $s) % 5], 'Diagnosis ' || i || ' variant ' || $s FROM generate_series(1, 2 * $n) i ON CONFLICT DO NOTHING;
INSERT INTO "Appointments" SELECT i, 'P2024-' || lpad(i::text, 6, '0'), DATE '2025-01-01' + (i % 200), (ARRAY['Booked','Attended','Missed'])[1 + (i + $s) % 3] FROM generate_series(1, $n) i ON CONFLICT DO NOTHING;
SQL
  else
    cat <<SQL
INSERT IGNORE INTO Patients SELECT CONCAT('P2024-', LPAD(seq, 6, '0')), CONCAT('Name', (seq * $s) % 97), CONCAT('Family', (seq + $s) % 89), IF(seq % 2 = 0, 'F', 'M'), DATE_ADD('1960-01-01', INTERVAL (seq * 37 % 20000) DAY), CONCAT('+2567', LPAD((seq * 7919 + $s) % 100000000, 8, '0')), UNHEX(MD5(CONCAT(seq, 'photo'))), UNHEX(MD5(CONCAT(seq, 'finger'))), DATE_ADD('2024-01-01', INTERVAL seq HOUR) FROM seq_1_to_$n;
INSERT IGNORE INTO Visits SELECT CONCAT('V2024-', LPAD(seq, 6, '0')), CONCAT('P2024-', LPAD(((seq - 1) % $n) + 1, 6, '0')), DATE_ADD('2024-01-01', INTERVAL (seq % 300) DAY), ELT(1 + (seq + $s) % 4, 'OPD', 'IPD', 'ANC', 'EMERGENCY'), CONCAT('Visit ', seq, ' seen by clinician ', (seq * $s) % 13) FROM seq_1_to_$((2 * n));
INSERT IGNORE INTO Triage SELECT seq, CONCAT('V2024-', LPAD(seq, 6, '0')), 36 + (seq % 40) / 10.0, 3 + (seq * $s % 900) / 10.0, CONCAT(100 + seq % 60, '/', 60 + seq % 30) FROM seq_1_to_$((2 * n));
INSERT IGNORE INTO LabRequests SELECT seq, CONCAT('V2024-', LPAD(2 * seq, 6, '0')), ELT(1 + (seq + $s) % 5, 'MAL', 'CBC', 'HIV', 'TB', 'UA'), DATE_ADD('2024-01-01', INTERVAL seq * 90 MINUTE) FROM seq_1_to_$n;
INSERT IGNORE INTO LabResults SELECT seq, seq, ELT(1 + (seq * $s) % 4, 'Negative', 'Positive', 'Normal', 'See notes'), DATE_ADD('2024-01-02', INTERVAL seq * 90 MINUTE) FROM seq_1_to_$n;
INSERT IGNORE INTO Diagnosis SELECT seq, CONCAT('V2024-', LPAD(seq, 6, '0')), ELT(1 + (seq + $s) % 5, 'B54', 'J06.9', 'A09', 'O80', 'I10'), CONCAT('Diagnosis ', seq, ' variant ', $s) FROM seq_1_to_$((2 * n));
INSERT IGNORE INTO Appointments SELECT seq, CONCAT('P2024-', LPAD(seq, 6, '0')), DATE_ADD('2025-01-01', INTERVAL (seq % 200) DAY), ELT(1 + (seq + $s) % 3, 'Booked', 'Attended', 'Missed') FROM seq_1_to_$n;
SQL
  fi
}

# run_sql NAME: stdin as the source's admin, in the ClinicMaster database (PostgreSQL: schema dbo,
# as the connector's login so it owns what it creates).
run_sql() {
  case "$(engine_of "$1")" in
    mariadb) maria_admin "$1" "$DB" ;;
    postgres) { echo "SET search_path = dbo; SET ROLE debezium;"; cat; } | pgs_admin "$1" ;;
  esac
}

# checksum_sql ENGINE TABLE [FILTER]: "<Table> <rows> <md5>": md5 over the rows' own md5s in
# sorted order, so collation and row order cannot differ between engines.
checksum_sql() {
  local e="$1" t="$2" where="${3:-}" cols=() c q='"'
  [[ $e == mariadb ]] && q='`'
  for c in ${CHECKED[$t]}; do cols+=("${q}${c}${q}"); done
  local row; row="md5(concat_ws('|', $(IFS=,; echo "${cols[*]}")))"
  if [[ $e == mariadb ]]; then
    echo "SET SESSION group_concat_max_len = 1073741824; SELECT '$t', count(*), md5(coalesce(group_concat(h ORDER BY h SEPARATOR ''), '')) FROM (SELECT $row AS h FROM \`$t\` $where) x;"
  else
    echo "SELECT '$t' || ' ' || count(*) || ' ' || md5(coalesce(string_agg(h, '' ORDER BY h COLLATE \"C\"), '')) FROM (SELECT $row AS h FROM \"$t\" $where) x;"
  fi
}

trickle() {
  local name="$1" secs="${2:-0}" start i=0 e; start=$(date +%s); e=$(engine_of "$name")
  local q='`'; [[ $e == postgres ]] && q='"'
  while (( secs == 0 || $(date +%s) - start < secs )); do
    i=$((i + 1))
    local no="T$(date +%s)-$i"
    run_sql "$name" <<SQL >/dev/null
INSERT INTO ${q}Visits${q} (${q}VisitNo${q}, ${q}PatientNo${q}, ${q}VisitType${q}, ${q}Notes${q}) VALUES ('$no', 'P2024-000001', 'OPD', 'trickle $i');
UPDATE ${q}Patients${q} SET ${q}Phone${q} = '+256700$((i % 1000000))' WHERE ${q}PatientNo${q} = 'P2024-$(printf '%06d' $(( (i % 50) + 1 )))';
DELETE FROM ${q}Visits${q} WHERE ${q}Notes${q} = 'trickle $((i - 5))';
SQL
    echo "trickle $name: insert $no, update P2024-$(printf '%06d' $(( (i % 50) + 1 ))), delete visit of trickle $((i - 5))"
    sleep 1
  done
}

# A trickle in the background (scripts/up.sh): one per source, logged beside it, stopped with it.
trickle_background() {
  local d; d=$(dir_of "$1"); engine_of "$1" >/dev/null
  pid_alive "$d/trickle.pid" " trickle $1 " && return 0
  setsid nohup bash "$0" trickle "$1" > "$d/trickle.log" 2>&1 < /dev/null &
  echo $! > "$d/trickle.pid"
}

stop_source() {
  stop_pid "trickle of $1" "$(dir_of "$1")/trickle.pid" " trickle $1 "
  case "$(engine_of "$1")" in mariadb) maria_stop "$1" ;; postgres) pgs_stop "$1" ;; esac
}

cmd="${1:-status}"
case "$cmd" in
  start)
    [[ $# == 4 ]] || cmw_die "usage: sources.sh start mariadb|postgres NAME PORT"
    mkdir -p "$SOURCES" "$CMW_STATE/secrets"; chmod 711 "$CMW_STATE" "$SOURCES"; chmod 700 "$CMW_STATE/secrets"
    d=$(dir_of "$3"); mkdir -p "$d"; echo "$2" > "$d/engine"; echo "$4" > "$d/port"
    case "$2" in
      mariadb|mysql) echo mariadb > "$d/engine"; maria_start "$3" "$4" ;;
      postgres) pgs_start "$3" "$4" ;;
      *) cmw_die "unknown engine '$2': use mariadb or postgres" ;;
    esac ;;
  seed)
    [[ $# == 4 ]] || cmw_die "usage: sources.sh seed NAME ROWS SEED"
    e=$(engine_of "$2")
    { schema_sql "$e"; seed_sql "$e" "$3" "$4"; } | run_sql "$2"
    cmw_say "seeded $2 ($e): $3 patients, $((10 * $3)) rows in ${#TABLES[@]} tables" ;;
  trickle) trickle "$2" "${3:-0}" ;;
  trickle-background) trickle_background "$2" ;;
  sql) run_sql "$2" ;;
  checksum)
    e=$(engine_of "$2")
    for t in "${TABLES[@]}"; do checksum_sql "$e" "$t"; done | run_sql "$2" | tr '\t' ' ' ;;
  warehouse-checksum)
    for t in "${TABLES[@]}"; do checksum_sql postgres "$t" "WHERE facility_dhis2_code = '$3'"; done \
      | psql "$2" -qAt -v ON_ERROR_STOP=1 ;;
  env)
    printf '%s\n' "SOURCE_ENGINE=$(engine_of "$2")" "SOURCE_HOST=127.0.0.1" "SOURCE_PORT=$(port_of "$2")" \
      "SOURCE_DATABASE=$DB" "SOURCE_USER=debezium" "SOURCE_PASSWORD_FILE=$CMW_STATE/secrets/sources-$2-password" ;;
  stop) stop_source "$2" ;;
  stop-all)
    for d in "$SOURCES"/*/; do [[ -d $d ]] && stop_source "$(basename "$d")"; done; true ;;
  status)
    for d in "$SOURCES"/*/; do
      [[ -d $d ]] || continue
      n=$(basename "$d"); e=$(engine_of "$n")
      if { [[ $e == mariadb ]] && maria_running "$n"; } || { [[ $e == postgres ]] && pgs_running "$n"; }; then s=up; else s=down; fi
      printf '%-12s %-9s %-5s 127.0.0.1:%s\n' "$n" "$e" "$s" "$(port_of "$n")"
    done ;;
  *) cmw_die "unknown command '$cmd': see the head of platform/sources.sh" ;;
esac
