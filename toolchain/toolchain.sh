#!/usr/bin/env bash
# Builds or finds the offline Pulumi toolchain: the pulumi CLI, the Node.js
# language host, every resource plugin the stack uses, `docker compose` and the
# operations tools' Kafka helper (cmw-kafka-ops), from
# package registries only (the Go module proxy). Idempotent: a warm run takes seconds.
#
# Usage: toolchain/toolchain.sh [--require-all]
#   --require-all  fail when a provider under providers/ is missing (CI, releases)
# Env:   CMW_CACHE (default ~/.cache/clinicmaster-warehouse)
# Why this way: /work/shared/notes/offline-toolchain.md
set -euo pipefail

TOOLCHAIN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(dirname "$TOOLCHAIN_DIR")"

REQUIRE_ALL=false
for arg in "$@"; do
  case "$arg" in
    --require-all) REQUIRE_ALL=true ;;
    -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "toolchain.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

# shellcheck source=versions.env
source "$TOOLCHAIN_DIR/versions.env"
CMW_CACHE="${CMW_CACHE:-$HOME/.cache/clinicmaster-warehouse}"
CMW_BIN="$CMW_CACHE/bin"
CMW_LOGS="$CMW_CACHE/logs/toolchain"
CMW_STAMPS="$CMW_CACHE/stamps"
export PULUMI_HOME="$CMW_CACHE/pulumi-home"
# The engine must never reach the network (update checks, plugin downloads).
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true

source "$TOOLCHAIN_DIR/lib/common.sh"
source "$TOOLCHAIN_DIR/lib/cli.sh"
source "$TOOLCHAIN_DIR/lib/plugins.sh"
source "$TOOLCHAIN_DIR/lib/compose.sh"
source "$TOOLCHAIN_DIR/lib/ops.sh"

command -v go >/dev/null || die "Go is not installed: install Go >= 1.26 (https://go.dev/dl or Debian 'golang') and rerun"
mkdir -p "$CMW_BIN" "$CMW_LOGS" "$CMW_STAMPS" "$PULUMI_HOME"

# Two runs at once (tests, the lead, CI) would race on the same binaries.
exec 9>"$CMW_CACHE/toolchain.lock"
flock -n 9 || { log "another toolchain.sh is running; waiting for it"; flock 9; }

# Logs describe the latest run only.
find "$CMW_LOGS" -name "*.log" -delete
T0="$(now)"

t="$(now)"; ensure_cli;             CLI_TIME="$(elapsed "$t")"
t="$(now)"; ensure_language_nodejs; LANG_TIME="$(elapsed "$t")"
ensure_kafka_plugin
ensure_own_plugins
t="$(now)"; install_plugins;        INSTALL_TIME="$(elapsed "$t")"
t="$(now)"; ensure_compose;         COMPOSE_TIME="$(elapsed "$t")"
t="$(now)"; ensure_kafka_ops;       OPS_TIME="$(elapsed "$t")"

echo "== Pulumi toolchain (cache: $CMW_CACHE)"
printf '%-22s %-10s %s, %s (%s)\n' "pulumi CLI" "$CLI_VERSION" "$CLI_PATH" "$CLI_HOW" "$CLI_TIME"
printf '%-22s %-10s %s (%s)\n' "docker compose" "$COMPOSE_SEEN" "$COMPOSE_HOW" "$COMPOSE_TIME"
printf '%-22s %-10s %s, %s (%s)\n' "cmw-kafka-ops" "" "$OPS_PATH" "$OPS_HOW" "$OPS_TIME"
printf '%-22s %-10s %s, %s (%s)\n' "pulumi-language-nodejs" "v$PULUMI_LANGUAGE_NODEJS_SDK_VERSION" "$LANG_PATH" "$LANG_HOW" "$LANG_TIME"
echo "-- resource plugins (name version how binary (time)); installed in $PULUMI_HOME (${INSTALL_TIME})"
printf '%s\n' "${PLUGIN_REPORT[@]}"
echo "-- pulumi plugin ls"
"$CLI_PATH" plugin ls
echo "-- put $CMW_BIN first on PATH (scripts/env.sh does); total $(elapsed "$T0")"

if [ "${#FAILED_PLUGINS[@]}" -gt 0 ]; then
  die "plugin build failed: ${FAILED_PLUGINS[*]} (see the logs named above)"
fi
if [ "${#MISSING_PROVIDERS[@]}" -gt 0 ]; then
  if $REQUIRE_ALL; then
    die "--require-all: missing providers/${MISSING_PROVIDERS[*]} (each must be a Go module with a main package at its root)"
  fi
  log "note: providers not built (missing): ${MISSING_PROVIDERS[*]}"
fi
