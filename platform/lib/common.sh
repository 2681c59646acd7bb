# Helpers shared by the platform parts.

# pid_alive PIDFILE [MARK]: the process in the pid file runs and is the one that wrote it: its
# command line holds MARK (default: the pid file's folder, which every daemon here is started
# with). Pids wrap (pid_max is 32768 here): after the machine's processes were killed, a stale pid
# file may name an unrelated process, which must be neither taken for the daemon nor killed.
pid_alive() {
  local pid
  [[ -f $1 ]] && pid=$(head -n1 "$1" 2>/dev/null) && [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null \
    && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "${2:-$(dirname "$1")}"
}

# clear_stale_pidfile PIDFILE: removes a pid file whose process is gone (or is another one), so a
# daemon that refuses to start beside a live pid in its lock file (PostgreSQL) starts.
clear_stale_pidfile() { [[ -f $1 ]] && ! pid_alive "$1" && rm -f "$1"; true; }

# dir_lock LOCKDIR: waits (up to 15 minutes) until this process holds LOCKDIR (mkdir is atomic);
# a lock whose holder died is taken over. dir_unlock LOCKDIR releases it.
dir_lock() {
  local lock="$1" holder=
  for _ in $(seq 1 900); do
    if mkdir "$lock" 2>/dev/null; then echo $$ > "$lock/pid"; return 0; fi
    holder=$(cat "$lock/pid" 2>/dev/null || true)
    if [[ -n $holder && ! -d /proc/$holder ]]; then rm -rf "$lock"; continue; fi
    sleep 1
  done
  cmw_die "$lock is still held (pid ${holder:-unknown})"
}
dir_unlock() { rm -rf "$1"; }

# write_file FILE < CONTENT: replaces FILE (mode 600) by a rename, and only when the content
# differs, so a process reading it meanwhile never sees half a file.
write_file() {
  local tmp; tmp=$(mktemp "$1.XXXXXX")
  cat > "$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv -f "$tmp" "$1"; fi
}

# stop_pid NAME PIDFILE [MARK]: TERM, wait up to 30 s, then KILL (MARK: see pid_alive).
stop_pid() {
  local name="$1" pidfile="$2" pid
  pid_alive "$pidfile" "${@:3}" || { rm -f "$pidfile"; return 0; }
  pid=$(head -n1 "$pidfile")
  cmw_say "stopping $name (pid $pid)"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

# wait_for DESCRIPTION SECONDS COMMAND...: polls until the command succeeds.
# The wait is wall-clock bounded (COMMAND may be a shell function: it bounds its own tries).
wait_for() {
  local desc="$1" secs="$2"; shift 2
  local deadline=$((SECONDS + secs))
  while ((SECONDS < deadline)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 1
  done
  cmw_die "$desc did not come up within ${secs}s"
}

# A password made once and kept (0600) in the state's secrets folder.
ensure_secret() {
  local file="$CMW_STATE/secrets/$1"
  if [[ ! -s $file ]]; then
    (umask 077; head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32 > "$file")
  fi
  printf '%s' "$file"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

platform_env() {
  printf '%s\n' \
    "CMW_STATE=$CMW_STATE" \
    "KAFKA_BOOTSTRAP=$(kafka_bootstrap)" \
    "KAFKA_BROKERS=$KAFKA_BROKERS" \
    "KAFKA_ADMIN_USER=admin" \
    "KAFKA_ADMIN_PASSWORD_FILE=$CMW_STATE/secrets/kafka-admin-password" \
    "KAFKA_ADMIN_PROPERTIES=$CMW_STATE/kafka/admin.properties" \
    "KAFKA_LIB=$KAFKA_LIB" \
    "PG_HOST=127.0.0.1" \
    "PG_PORT=$PG_PORT" \
    "PG_ADMIN_USER=warehouse_admin" \
    "PG_ADMIN_PASSWORD_FILE=$CMW_STATE/secrets/postgres-admin-password" \
    "SSH_HOST_URL=ssh://root@127.0.0.1:$SSH_PORT" \
    "SSH_OPTS_FILE=$CMW_STATE/ssh/ssh-opts" \
    "SSH_CONFIG=$CMW_STATE/ssh/config" \
    "PLATFORM_TLS=$(tls_enabled && echo on || echo off)" \
    "CA_FILE=$(tls_enabled && echo "$TLS_DIR/ca.pem")" \
    "PG_SSLMODE=$(tls_enabled && echo verify-full || echo disable)"
}

platform_status() {
  local down=0
  printf '%-10s %-8s %-22s %s\n' PART STATE ADDRESS "HOW TO CONNECT"
  if docker info >/dev/null 2>&1; then
    printf '%-10s %-8s %-22s %s\n' docker up "unix:///var/run/docker.sock" "docker info$(pid_alive "$DOCKERD_PID" && echo ' (started by the platform)' || echo ' (the machine'"'"'s own engine)')"
  else printf '%-10s %-8s\n' docker DOWN; down=1; fi
  local node
  for node in $(kafka_nodes); do
    if pid_alive "$(kafka_node_dir "$node")/kafka.pid" && port_open "$(kafka_node_port "$node")"; then
      printf '%-10s %-8s %-22s %s\n' "kafka-$node" up "127.0.0.1:$(kafka_node_port "$node")" "$(tls_enabled && echo SASL_SSL || echo SASL_PLAINTEXT) SCRAM-SHA-512, user admin, client config $CMW_STATE/kafka/admin.properties (pid $(cat "$(kafka_node_dir "$node")/kafka.pid"))"
    else printf '%-10s %-8s %-22s\n' "kafka-$node" DOWN "127.0.0.1:$(kafka_node_port "$node")"; down=1; fi
  done
  if postgres_running; then
    printf '%-10s %-8s %-22s %s\n' postgres up "127.0.0.1:$PG_PORT" "PGPASSWORD=\$(cat $CMW_STATE/secrets/postgres-admin-password) psql 'host=127.0.0.1 port=$PG_PORT user=warehouse_admin dbname=postgres sslmode=$(tls_enabled && echo "verify-full sslrootcert=$TLS_DIR/ca.pem" || echo disable)'"
  else printf '%-10s %-8s %-22s\n' postgres DOWN "127.0.0.1:$PG_PORT"; down=1; fi
  if pid_alive "$SSHD_PID" && port_open "$SSH_PORT"; then
    printf '%-10s %-8s %-22s %s\n' sshd up "127.0.0.1:$SSH_PORT" "docker -H ssh://root@127.0.0.1:$SSH_PORT ps (ssh config $CMW_STATE/ssh/config)"
  else printf '%-10s %-8s %-22s\n' sshd DOWN "127.0.0.1:$SSH_PORT"; down=1; fi
  return $down
}
