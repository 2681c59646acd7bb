# Docker engine: use the one that answers; otherwise start Debian's dockerd and remember that we did.
DOCKERD_PID="$CMW_STATE/docker/dockerd.pid"

docker_start() {
  if docker info >/dev/null 2>&1; then return 0; fi
  command -v dockerd >/dev/null || cmw_die "no Docker engine answers and dockerd is missing: run scripts/bootstrap.sh (installs docker.io)"
  mkdir -p "$CMW_STATE/docker"
  cmw_say "starting dockerd (log: $CMW_STATE/docker/dockerd.log)"
  # Images stay in Docker's default data-root so a purge of the platform does not throw away
  # the (slow to build) Connect image; the engine itself is started and stopped by us.
  nohup dockerd --host unix:///var/run/docker.sock --pidfile "$DOCKERD_PID" \
    > "$CMW_STATE/docker/dockerd.log" 2>&1 &
  wait_for "dockerd" 60 docker info
}

docker_stop() {
  pid_alive "$DOCKERD_PID" || return 0
  stop_pid dockerd "$DOCKERD_PID"
}
