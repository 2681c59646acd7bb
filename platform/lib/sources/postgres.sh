# A PostgreSQL source: a private cluster (own datadir; its socket in the source's folder, which
# only the cluster's owner can enter) on 127.0.0.1:PORT only, with logical decoding for
# Debezium's pgoutput plugin. The admin is the `postgres` role over that socket; every TCP login,
# replication included, is scram-sha-256. The connector's login `debezium` replicates and owns the
# ClinicMaster tables (the `filtered` publication autocreate mode needs ownership), no superuser.
# Uses pg_bin and pg_as from platform/lib/postgres.sh.

pgs_data() { printf '%s/data' "$(dir_of "$1")"; }
pgs_running() { [[ -f $(pgs_data "$1")/postmaster.pid ]] && pg_as "$(pg_bin pg_ctl)" -D "$(pgs_data "$1")" status >/dev/null 2>&1; }
pgs_admin() {
  psql -h "$(dir_of "$1")" -p "$(port_of "$1")" -U postgres -d "${PGS_DB:-$SOURCE_DB}" -qAt -v ON_ERROR_STOP=1 "${@:2}"
}

pgs_start() {
  local name="$1" port="$2" d; d=$(dir_of "$name")
  pgs_running "$name" && return 0
  if [[ $(id -u) == 0 ]] && ! id postgres >/dev/null 2>&1; then useradd --system --shell /usr/sbin/nologin postgres; fi
  if [[ ! -f $d/data/PG_VERSION ]]; then
    cmw_say "initialising PostgreSQL source $name"
    mkdir -p "$d"; chown "$(owner postgres)" "$d"; chmod 700 "$d"
    pg_as "$(pg_bin initdb)" -D "$d/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 > "$d/initdb.log" 2>&1 || cmw_die "initdb failed: $d/initdb.log"
    printf '%s\n' "listen_addresses = '127.0.0.1'" "unix_socket_directories = '$d'" \
      "wal_level = logical" "max_replication_slots = 10" "max_wal_senders = 10" \
      "password_encryption = scram-sha-256" \
      | pg_as tee -a "$d/data/postgresql.conf" >/dev/null
  fi
  cmw_say "starting PostgreSQL source $name on 127.0.0.1:$port"
  pg_as "$(pg_bin pg_ctl)" -D "$d/data" -l "$d/server.log" -o "-p $port" -w -t 60 start >/dev/null \
    || cmw_die "PostgreSQL source $name did not start: $d/server.log"
  pgs_setup "$name"
}

# The database, the dbo schema (ClinicMaster's tables live in dbo, as on SQL Server) and the
# connector's login. Re-run at every start, so the login always has the stored password.
pgs_setup() {
  local pw; pw=$(cat "$(ensure_secret "sources-$1-password")")
  [[ $(PGS_DB=postgres pgs_admin "$1" -c "select 1 from pg_database where datname = '$SOURCE_DB'") == 1 ]] \
    || PGS_DB=postgres pgs_admin "$1" -c "create database \"$SOURCE_DB\""
  pgs_admin "$1" <<SQL
SET client_min_messages = warning;
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'debezium') THEN CREATE ROLE debezium; END IF;
END \$\$;
ALTER ROLE debezium LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$pw';
-- CREATE on the database: Debezium creates its publication there.
GRANT CONNECT, CREATE ON DATABASE "$SOURCE_DB" TO debezium;
CREATE SCHEMA IF NOT EXISTS dbo AUTHORIZATION debezium;
SQL
}

pgs_stop() {
  pgs_running "$1" || return 0
  cmw_say "stopping PostgreSQL source $1"
  pg_as "$(pg_bin pg_ctl)" -D "$(pgs_data "$1")" -m fast -w stop >/dev/null
}
