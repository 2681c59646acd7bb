# PostgreSQL for the warehouse: its own cluster under the state, scram-sha-256 on loopback only,
# one admin role for the stacks (`warehouse_admin`), nothing else pre-made.
PG_DIR="$CMW_STATE/postgres"
PG_DATA="$PG_DIR/data"

pg_bin() {
  local dir
  for dir in /usr/local/bin /usr/lib/postgresql/*/bin; do
    [[ -x $dir/$1 ]] && { echo "$dir/$1"; return 0; }
  done
  cmw_die "PostgreSQL's $1 is missing: run scripts/bootstrap.sh (installs postgresql)"
}

# initdb and postgres refuse to run as root: as root, the cluster belongs to the `postgres` user.
pg_as() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

postgres_running() { pid_alive "$PG_DATA/postmaster.pid" && pg_as "$(pg_bin pg_ctl)" -D "$PG_DATA" status >/dev/null 2>&1; }

postgres_start() {
  if [[ $(id -u) == 0 ]] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir "$PG_DIR" --shell /usr/sbin/nologin postgres
  fi
  mkdir -p "$PG_DIR"
  [[ $(id -u) == 0 ]] && chown postgres: "$PG_DIR" && chmod 700 "$PG_DIR" && chmod 711 "$CMW_STATE"
  if [[ ! -f $PG_DATA/PG_VERSION ]]; then
    cmw_say "initialising the warehouse PostgreSQL cluster"
    local pwfile; pwfile=$(ensure_secret postgres-admin-password)
    install -m 600 -o "$( [[ $(id -u) == 0 ]] && echo postgres || id -un)" "$pwfile" "$PG_DIR/.pwfile"
    pg_as "$(pg_bin initdb)" -D "$PG_DATA" -U warehouse_admin --pwfile="$PG_DIR/.pwfile" \
      --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 > "$PG_DIR/initdb.log" 2>&1 \
      || cmw_die "initdb failed: $PG_DIR/initdb.log"
    rm -f "$PG_DIR/.pwfile"
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "port = $PG_PORT"
      echo "unix_socket_directories = '$PG_DIR'"
      echo "max_connections = 200"
      echo "password_encryption = scram-sha-256"
      echo "logging_collector = on"
      echo "log_directory = '$PG_DIR/log'"
    } | pg_as tee -a "$PG_DATA/postgresql.conf" >/dev/null
  fi
  # A running server keeps running unless its TLS settings change (a platform started plaintext,
  # or by an older version, is switched over by a restart).
  local before; before=$(postgres_tls_fingerprint)
  postgres_write_tls
  if postgres_running; then
    [[ $(postgres_tls_fingerprint) == "$before" ]] && return 0
    cmw_say "restarting PostgreSQL: its TLS settings changed"
    pg_as "$(pg_bin pg_ctl)" -D "$PG_DATA" -m fast -w stop >/dev/null
  fi
  # PostgreSQL refuses to start while its lock files name a live pid, even an unrelated one.
  clear_stale_pidfile "$PG_DATA/postmaster.pid"; clear_stale_pidfile "$PG_DIR/.s.PGSQL.$PG_PORT.lock"
  cmw_say "starting PostgreSQL on 127.0.0.1:$PG_PORT$(tls_enabled && echo " (TLS only)")"
  pg_as "$(pg_bin pg_ctl)" -D "$PG_DATA" -l "$PG_DIR/server.log" -o "-p $PG_PORT" -w -t 60 start >/dev/null \
    || cmw_die "PostgreSQL did not start: $PG_DIR/server.log"
}

postgres_stop() {
  postgres_running || return 0
  cmw_say "stopping PostgreSQL"
  pg_as "$(pg_bin pg_ctl)" -D "$PG_DATA" -m fast -w stop >/dev/null
}

# TLS on by default: the server's certificate from the platform's CA, and pg_hba accepting
# loopback logins over TLS only (hostssl; plaintext ones are rejected). CMW_PLATFORM_TLS=off
# is the explicit opt-out. Rewritten at every start, so a platform can switch either way.
postgres_write_tls() {
  local owner; owner=$( [[ $(id -u) == 0 ]] && echo postgres || id -un)
  grep -qxF "include_if_exists = 'cmw-tls.conf'" "$PG_DATA/postgresql.conf" \
    || echo "include_if_exists = 'cmw-tls.conf'" | pg_as tee -a "$PG_DATA/postgresql.conf" >/dev/null
  if tls_enabled; then
    tls_ensure
    install -m 600 -o "$owner" "$TLS_DIR/server.key" "$PG_DIR/server.key"
    install -m 644 -o "$owner" "$TLS_DIR/server.pem" "$PG_DIR/server.pem"
    printf '%s\n' "ssl = on" "ssl_cert_file = '$PG_DIR/server.pem'" "ssl_key_file = '$PG_DIR/server.key'" "ssl_min_protocol_version = 'TLSv1.2'" \
      | pg_as tee "$PG_DATA/cmw-tls.conf" >/dev/null
    printf '%s\n' "local all all scram-sha-256" "hostssl all all 127.0.0.1/32 scram-sha-256" "hostnossl all all 127.0.0.1/32 reject" \
      | pg_as tee "$PG_DATA/pg_hba.conf" >/dev/null
  else
    echo "ssl = off" | pg_as tee "$PG_DATA/cmw-tls.conf" >/dev/null
    printf '%s\n' "local all all scram-sha-256" "host all all 127.0.0.1/32 scram-sha-256" | pg_as tee "$PG_DATA/pg_hba.conf" >/dev/null
  fi
}

# (Files not written yet fingerprint as empty: not an error under set -e and pipefail.)
postgres_tls_fingerprint() { { cat "$PG_DATA/cmw-tls.conf" "$PG_DATA/pg_hba.conf" 2>/dev/null || true; } | sha256sum; }
