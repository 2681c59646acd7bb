# Docker Compose v2 CLI plugin (sourced by toolchain.sh): facilities without SSH run their agent
# with `docker compose up -d`, and the facility suite proves the bundle that way. Debian's
# docker.io has no compose plugin; the Go module proxy has compose itself.

# compose_answers: the version `docker compose` reports ("2.40.3"), or fails when it has none.
compose_answers() { docker compose version --short 2>/dev/null | sed -n '1{s/^v//;p}' | grep .; }

# ensure_compose: sets COMPOSE_SEEN (version that answers) and COMPOSE_HOW; installs
# `docker compose` for the current user unless one that is new enough already answers.
ensure_compose() {
  local want="v$COMPOSE_VERSION" plugins="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins" ver
  local key="docker/compose/v2@$want $(go env GOVERSION)" how
  local ours=false
  [ -x "$CMW_BIN/docker-compose" ] && cmp -s "$CMW_BIN/docker-compose" "$plugins/docker-compose" && ours=true
  ver="$(compose_answers || true)"
  # 1. Our own build of exactly the pin, already installed.
  if $ours && stamp_matches docker-compose "$key" && [ "$ver" = "$COMPOSE_VERSION" ]; then
    COMPOSE_SEEN="v$ver" COMPOSE_HOW="reused (built earlier, installed in $plugins)"
    return 0
  fi
  # 2. A compose of the machine's (system package, Docker Desktop) that is new enough: leave it.
  if ! $ours && [ -n "$ver" ] && version_ge "$ver" "$want"; then
    COMPOSE_SEEN="v$ver" COMPOSE_HOW="reused (the machine's own docker compose)"
    return 0
  fi
  [ -z "$ver" ] || $ours || cmw_say "docker compose answers v$ver, older than $want: installing $want for this user"
  # 3. Build exactly the pin from the Go module proxy (go.mod says go 1.24.9: builds with our Go).
  if [ -x "$CMW_BIN/docker-compose" ] && stamp_matches docker-compose "$key"; then
    how="reused (built earlier)"
  else
    cmw_say "building docker compose $want from Go modules (cold: ~4 min)"
    rm -f "$CMW_BIN/docker-compose"
    throwaway_module "$CMW_CACHE/build/docker-compose" cmw.local/docker-compose \
      github.com/docker/compose/v2/cmd "github.com/docker/compose/v2@$want" \
      || cmw_die "could not resolve the compose modules; see $CMW_LOGS/docker-compose.log"
    (cd "$CMW_CACHE/build/docker-compose" && go_build "$CMW_BIN/docker-compose" \
      "-s -w -X github.com/docker/compose/v2/internal.Version=$want" github.com/docker/compose/v2/cmd -mod=mod) \
      || cmw_die "building docker compose failed; see $CMW_LOGS/docker-compose.log"
    stamp_write docker-compose "$key"
    how="built"
  fi
  # The user's cli-plugins directory comes before the system ones, so this copy answers.
  mkdir -p "$plugins"
  install -m 755 "$CMW_BIN/docker-compose" "$plugins/docker-compose"
  COMPOSE_HOW="$how, installed into $plugins"
  if ! command -v docker >/dev/null; then
    COMPOSE_SEEN="$want" COMPOSE_HOW="$COMPOSE_HOW (no docker CLI on PATH: not checked)"
    return 0
  fi
  ver="$(compose_answers || true)"
  [ "$ver" = "$COMPOSE_VERSION" ] \
    || cmw_die "after installing into $plugins, docker compose answers '${ver:-nothing}', expected $want"
  COMPOSE_SEEN="v$ver"
}
