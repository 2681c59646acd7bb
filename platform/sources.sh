#!/usr/bin/env bash
# ClinicMaster-shaped source databases for tests and the local demo (SQL Server cannot run here):
# private MariaDB and PostgreSQL instances on loopback, set up for Debezium (row binlog / logical
# decoding, a least-privilege `debezium` login), with ClinicMaster's tables filled
# deterministically. Patient and visit numbers are the same in every source, as they are across
# hospitals. Each source keeps its state under $CMW_STATE/sources/NAME; its login's password is
# $CMW_STATE/secrets/sources-NAME-password.
#
#   sources.sh start mariadb|postgres NAME PORT  start (create on first use); no-op when it runs
#   sources.sh seed NAME ROWS SEED                create the tables if absent and fill them: ROWS
#                                                 patients, 10*ROWS rows; SEED varies the content,
#                                                 never the keys; rows already there are kept
#   sources.sh trickle NAME [SECONDS]             about four changes a second (insert, updates,
#                                                 delete), each round printed, until killed or SECONDS
#   sources.sh sql NAME                           run SQL from stdin as the source's admin, in
#                                                 ClinicMaster (PostgreSQL: schema dbo, role debezium)
#   sources.sh checksum NAME                      per table: "<Table> <rows> <md5>"
#   sources.sh warehouse-checksum PGURL CODE [SCHEMA]  the same, from the warehouse rows of facility
#                                                 CODE (tables in SCHEMA, default public)
#   sources.sh env NAME                           SOURCE_* KEY=VALUE lines: eval "$(sources.sh env NAME)"
#   sources.sh stop NAME | stop-all | status      (status exits 1 if a source is down)
#
# What the checksum covers and why: platform/lib/sources/clinicmaster.sh (SOURCE_CHECKED).
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
source "$CMW_ROOT/platform/lib/common.sh"
source "$CMW_ROOT/platform/lib/postgres.sh"
for part in clinicmaster mariadb postgres; do source "$CMW_ROOT/platform/lib/sources/$part.sh"; done
SOURCES="$CMW_STATE/sources"

dir_of() { printf '%s/%s' "$SOURCES" "$1"; }
engine_of() {
  [[ -f $(dir_of "$1")/engine ]] || cmw_die "no source named '$1' under $SOURCES: start it first"
  cat "$(dir_of "$1")/engine"
}
port_of() { cat "$(dir_of "$1")/port"; }
# owner USER: who owns a server's files: USER when we are root, else ourselves.
owner() { if [[ $(id -u) == 0 ]]; then echo "$1"; else id -un; fi; }

source_running() { case "$(engine_of "$1")" in mariadb) maria_running "$1" ;; postgres) pgs_running "$1" ;; esac; }
need_running() { source_running "$1" || cmw_die "source $1 is not running: sources.sh start $(engine_of "$1") $1 $(port_of "$1")"; }
need_name() { [[ ${1:-} =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$ ]] || cmw_die "bad source name '${1:-}': letters, digits, - and _"; }
need_number() { [[ ${2:-} =~ ^[0-9]{1,9}$ ]] || cmw_die "$1 must be a number, not '${2:-}'"; }

# run_sql NAME: stdin as the source's admin, in the ClinicMaster database. On PostgreSQL in
# schema dbo and as the connector's login (SET ROLE, the session stays the admin's: RESET ROLE
# undoes it), so that tables made here belong to debezium, as its publication needs.
run_sql() {
  need_running "$1"
  case "$(engine_of "$1")" in
    mariadb) maria_admin "$1" "$SOURCE_DB" ;;
    postgres) { echo "SET client_min_messages = warning; SET search_path = dbo; SET ROLE debezium;"; cat; } | pgs_admin "$1" ;;
  esac
}

trickle() {
  local name="$1" secs="${2:-0}" e k=0 new old run made=(); e=$(engine_of "$name")
  need_running "$name"
  # Visit numbers of this run: T + time + pid, at most 20 characters.
  run="T$(( $(date +%s) % 10000000 ))$(printf '%02d' $(($$ % 100)))"
  local start=$SECONDS
  while ((secs == 0 || SECONDS - start < secs)); do
    k=$((k + 1)); new="$run-$k"; made[k]=$new; old=
    ((k > 5)) && { old=${made[k - 5]}; unset 'made[k - 5]'; }
    trickle_sql "$e" "$k" "$new" "$old" | run_sql "$name" >/dev/null
    echo "trickle $name #$k: insert Visits $new; update Patients P2024-$(printf '%06d' $((k % 50 + 1))) Phone;" \
      "update Appointments $((k % 50 + 1)) Status;${old:+ delete Visits $old}"
    sleep 1
  done
}

sources_status() {
  local d n e down=0
  printf '%-14s %-8s %-5s %-16s %s\n' NAME ENGINE STATE ADDRESS "HOW TO CONNECT"
  for d in "$SOURCES"/*/; do
    [[ -f $d/engine ]] || continue
    n=$(basename "$d"); e=$(engine_of "$n")
    if source_running "$n"; then
      printf '%-14s %-8s %-5s %-16s %s\n' "$n" "$e" up "127.0.0.1:$(port_of "$n")" \
        "user debezium, password file $CMW_STATE/secrets/sources-$n-password; admin: sources.sh sql $n"
    else printf '%-14s %-8s %-5s %s\n' "$n" "$e" DOWN "127.0.0.1:$(port_of "$n")"; down=1; fi
  done
  return $down
}

cmd="${1:-status}"
case "$cmd" in
  start)
    [[ $# == 4 ]] || cmw_die "usage: sources.sh start mariadb|postgres NAME PORT"
    engine="$2" name="$3" port="$4"
    [[ $engine == mysql ]] && engine=mariadb
    [[ $engine == mariadb || $engine == postgres ]] || cmw_die "unknown engine '$2': use mariadb or postgres"
    need_name "$name"; need_number PORT "$port"; port=$((10#$port)); ((port > 1023 && port < 65536)) || cmw_die "port $port: use 1024-65535"
    mkdir -p "$SOURCES" "$CMW_STATE/secrets"
    chmod 711 "$CMW_STATE" "$SOURCES"; chmod 700 "$CMW_STATE/secrets"
    d=$(dir_of "$name")
    if [[ -f $d/engine ]]; then
      [[ $(engine_of "$name") == "$engine" ]] || cmw_die "source $name is a $(engine_of "$name") source, not $engine"
      if source_running "$name"; then
        [[ $(port_of "$name") == "$port" ]] || cmw_die "source $name already runs on port $(port_of "$name")"
        exit 0
      fi
    fi
    port_open "$port" && cmw_die "port $port on 127.0.0.1 is taken by another program"
    mkdir -p "$d"; echo "$engine" > "$d/engine"; echo "$port" > "$d/port"
    case "$engine" in mariadb) maria_start "$name" "$port" ;; postgres) pgs_start "$name" "$port" ;; esac ;;
  seed)
    [[ $# == 4 ]] || cmw_die "usage: sources.sh seed NAME ROWS SEED"
    need_number ROWS "$3"; need_number SEED "$4"
    rows=$((10#$3)) seed=$((10#$4)); ((rows >= 1)) || cmw_die "ROWS must be at least 1"
    e=$(engine_of "$2")
    { schema_sql "$e"; seed_sql "$e" "$rows" "$seed"; } | run_sql "$2" >/dev/null
    cmw_say "seeded $2 ($e): $rows patients, $((10 * rows)) rows in ${#SOURCE_TABLES[@]} tables (seed $seed)" ;;
  trickle)
    [[ $# == 2 || $# == 3 ]] || cmw_die "usage: sources.sh trickle NAME [SECONDS]"
    need_number SECONDS "${3:-0}"; trickle "$2" "${3:-0}" ;;
  sql)
    [[ $# == 2 ]] || cmw_die "usage: sources.sh sql NAME < file.sql"
    run_sql "$2" ;;
  checksum)
    [[ $# == 2 ]] || cmw_die "usage: sources.sh checksum NAME"
    e=$(engine_of "$2")
    for t in "${SOURCE_TABLES[@]}"; do checksum_sql "$e" "$t"; done | run_sql "$2" | tr '\t' ' ' ;;
  warehouse-checksum)
    [[ $# == 3 || $# == 4 ]] || cmw_die "usage: sources.sh warehouse-checksum PGURL FACILITY_CODE [SCHEMA]"
    code=${3//\'/\'\'} schema=${4:-public}
    { echo "SET search_path = \"${schema//\"/\"\"}\";"
      for t in "${SOURCE_TABLES[@]}"; do checksum_sql postgres "$t" "WHERE facility_dhis2_code = '$code'"; done
    } | psql "$2" -qAt -v ON_ERROR_STOP=1 ;;
  env)
    [[ $# == 2 ]] || cmw_die "usage: sources.sh env NAME"
    e=$(engine_of "$2")
    printf '%s\n' "SOURCE_ENGINE=$e" "SOURCE_HOST=127.0.0.1" "SOURCE_PORT=$(port_of "$2")" \
      "SOURCE_DATABASE=$SOURCE_DB" "SOURCE_USER=debezium" "SOURCE_PASSWORD_FILE=$CMW_STATE/secrets/sources-$2-password"
    [[ $e == postgres ]] && echo "SOURCE_SCHEMA=dbo"; true ;;
  stop)
    [[ $# == 2 ]] || cmw_die "usage: sources.sh stop NAME"
    case "$(engine_of "$2")" in mariadb) maria_stop "$2" ;; postgres) pgs_stop "$2" ;; esac ;;
  stop-all)
    for d in "$SOURCES"/*/; do
      [[ -f $d/engine ]] || continue
      case "$(engine_of "$(basename "$d")")" in mariadb) maria_stop "$(basename "$d")" ;; postgres) pgs_stop "$(basename "$d")" ;; esac
    done ;;
  status) sources_status ;;
  *) cmw_die "unknown command '$cmd': use start, seed, trickle, sql, checksum, warehouse-checksum, env, stop, stop-all or status" ;;
esac
