# A MariaDB source: a private mariadbd (own datadir, socket and pid under the source's folder),
# on 127.0.0.1:PORT only, with the row-based binlog Debezium reads. The admin is the OS user
# running us, over the socket only (unix_socket auth: no admin password exists, none listens on
# TCP); the connector's login `debezium` has only what Debezium's MariaDB connector asks for.

maria_sock() { printf '%s/mariadbd.sock' "$(dir_of "$1")"; }
maria_pid() { printf '%s/mariadbd.pid' "$(dir_of "$1")"; }
maria_running() { pid_alive "$(maria_pid "$1")"; }
maria_admin() {
  mariadb --no-defaults --default-character-set=utf8mb4 -S "$(maria_sock "$1")" -u "$(id -un)" -N -B "${@:2}"
}

# MariaDB 10.6 renamed expire_logs_days to binlog_expire_logs_seconds (the old name still works
# there, but warns). Debezium's default is 30 days; three are plenty for a demo source.
maria_expire_option() {
  local v; v=$(mariadbd --version | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n1)
  if printf '%s\n' 10.6.0 "$v" | sort -C -V; then echo --binlog-expire-logs-seconds=259200; else echo --expire-logs-days=3; fi
}

maria_start() {
  local name="$1" port="$2" d user; d=$(dir_of "$name"); user=$(owner mysql)
  command -v mariadbd >/dev/null || cmw_die "mariadbd is missing: run scripts/bootstrap.sh (installs mariadb-server)"
  maria_running "$name" && return 0
  if [[ $(id -u) == 0 ]] && ! id mysql >/dev/null 2>&1; then useradd --system --shell /usr/sbin/nologin mysql; fi
  if [[ ! -d $d/data/mysql ]]; then
    cmw_say "initialising MariaDB source $name"
    mkdir -p "$d/data"; chown -R "$user" "$d"; chmod 700 "$d"
    # Two admins, both socket-only: root (for OS root) and the OS user the server runs as.
    mariadb-install-db --no-defaults --user="$user" --datadir="$d/data" --skip-test-db \
      --auth-root-authentication-method=socket --auth-root-socket-user="$(id -un)" > "$d/install.log" 2>&1 \
      || cmw_die "mariadb-install-db failed: $d/install.log"
  fi
  cmw_say "starting MariaDB source $name on 127.0.0.1:$port"
  # server_id is the port: unique among the sources of one host, and never one of the ids the
  # facility connectors take (100000 and up).
  nohup mariadbd --no-defaults --user="$user" --datadir="$d/data" --socket="$(maria_sock "$name")" \
    --pid-file="$(maria_pid "$name")" --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
    --log-error="$d/error.log" --server-id="$port" --log-bin="$d/data/binlog" --binlog-format=ROW \
    --binlog-row-image=FULL "$(maria_expire_option)" --innodb-buffer-pool-size=64M \
    --character-set-server=utf8mb4 > "$d/stdout.log" 2>&1 &
  local pid=$! i
  for i in $(seq 1 60); do
    maria_admin "$name" -e 'select 1' >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || cmw_die "MariaDB source $name stopped while starting: $d/error.log"
    ((i < 60)) || cmw_die "MariaDB source $name did not answer within 60s: $d/error.log"
    sleep 1
  done
  maria_setup "$name"
}

# The database and the connector's login. Debezium's MariaDB connector asks for SELECT, RELOAD,
# SHOW DATABASES, REPLICATION SLAVE and REPLICATION CLIENT (which MariaDB 10.5.2 and later store
# as BINLOG MONITOR: SHOW BINLOG STATUS, SHOW BINARY LOGS). RELOAD lets the snapshot take the
# global read lock, so LOCK TABLES (only for hosts without one, such as RDS) is not granted;
# REPLICATION SLAVE ADMIN (START/STOP SLAVE) is not needed by a binlog reader. Re-run at every
# start, so the login always has the stored password and exactly these privileges.
maria_setup() {
  local pw host; pw=$(cat "$(ensure_secret "sources-$1-password")")
  {
    echo "CREATE DATABASE IF NOT EXISTS $SOURCE_DB CHARACTER SET utf8mb4;"
    for host in 127.0.0.1 localhost; do
      echo "CREATE USER IF NOT EXISTS 'debezium'@'$host' IDENTIFIED BY '$pw';"
      echo "ALTER USER 'debezium'@'$host' IDENTIFIED BY '$pw';"
      echo "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'debezium'@'$host';"
      echo "REVOKE LOCK TABLES ON *.* FROM 'debezium'@'$host';"
    done
  } | maria_admin "$1"
}

maria_stop() { stop_pid "MariaDB source $1" "$(maria_pid "$1")"; }
