# Docker Compose v2 CLI plugin (sourced by toolchain.sh): facilities without SSH run their agent
# with `docker compose up -d`, and the facility suite proves the bundle that way. Debian's
# docker.io has no compose plugin; the Go module proxy has compose itself.

# ensure_compose: sets COMPOSE_HOW; installs `docker compose` for the current user.
ensure_compose() {
  local want="v$COMPOSE_VERSION" plugins="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
  local key="docker/compose/v2@$want $(go env GOVERSION)"
  if docker compose version 2>/dev/null | grep -q "$want"; then
    COMPOSE_HOW="reused (docker compose $want answers)"
    return 0
  fi
  if ! { [ -x "$CMW_BIN/docker-compose" ] && stamp_matches docker-compose "$key"; }; then
    log "building docker compose $want from Go modules (cold: ~3 min)"
    throwaway_module "$CMW_CACHE/build/docker-compose" cmw.local/docker-compose \
      github.com/docker/compose/v2/cmd "github.com/docker/compose/v2@$want" \
      || die "could not resolve the compose modules; see $CMW_LOGS/docker-compose.log"
    (cd "$CMW_CACHE/build/docker-compose" && go_build "$CMW_BIN/docker-compose" \
      "-s -w -X github.com/docker/compose/v2/internal.Version=$want" github.com/docker/compose/v2/cmd -mod=mod) \
      || die "building docker compose failed; see $CMW_LOGS/docker-compose.log"
    stamp_write docker-compose "$key"
  fi
  mkdir -p "$plugins"
  install -m 755 "$CMW_BIN/docker-compose" "$plugins/docker-compose"
  COMPOSE_HOW="installed into $plugins"
}
