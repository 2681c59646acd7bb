#!/usr/bin/env bash
# Builds or finds the offline Pulumi toolchain: the pulumi CLI, the Node.js
# language host, every resource plugin the stack uses, `docker compose` and the
# operations tools' Kafka helper (cmw-kafka-ops), from
# package registries only (the Go module proxy). Idempotent: a warm run takes seconds.
#
# Usage: toolchain/toolchain.sh [--require-all]
#   --require-all  fail when a provider under providers/ is missing (CI, releases)
# Env:   CMW_CACHE (default ~/.cache/clinicmaster-warehouse)
# Why each part is made this way, and every pin: toolchain/README.md
set -euo pipefail
# CMW_ROOT, CMW_CACHE, PULUMI_HOME and the engine's no-network settings.
source "$(dirname "$0")/../scripts/env.sh"
TOOLCHAIN_DIR="$CMW_ROOT/toolchain"

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
# On PATH (scripts/env.sh): the CLI, the language host, the dynamic-provider plugin, our tools.
CMW_BIN="$CMW_CACHE/bin"
# Off PATH: resource plugins are built here and installed into PULUMI_HOME.
CMW_PLUGINS="$CMW_CACHE/plugins"
CMW_LOGS="$CMW_CACHE/logs/toolchain"
CMW_STAMPS="$CMW_CACHE/stamps"

source "$TOOLCHAIN_DIR/lib/common.sh"
source "$TOOLCHAIN_DIR/lib/cli.sh"
source "$TOOLCHAIN_DIR/lib/plugins.sh"
source "$TOOLCHAIN_DIR/lib/compose.sh"
source "$TOOLCHAIN_DIR/lib/ops.sh"

command -v go >/dev/null || cmw_die "Go is not installed: install the Go version the go.mod files ask for (scripts/bootstrap.sh checks it) and rerun"
mkdir -p "$CMW_BIN" "$CMW_PLUGINS" "$CMW_LOGS" "$CMW_STAMPS" "$PULUMI_HOME"

# Two runs at once (tests, the lead, CI) would race on the same binaries.
exec 9>"$CMW_CACHE/toolchain.lock"
flock -n 9 || { cmw_say "another toolchain.sh is running; waiting for it"; flock 9; }

# Logs describe the latest run only.
find "$CMW_LOGS" -name "*.log" -delete
T0="$(cmw_now)"

t="$(cmw_now)"; ensure_cli;             CLI_TIME="$(cmw_elapsed "$t")"
t="$(cmw_now)"; ensure_language_nodejs; LANG_TIME="$(cmw_elapsed "$t")"
ensure_kafka_plugin
ensure_own_plugins
ensure_dynamic_provider
t="$(cmw_now)"; install_plugins;        INSTALL_TIME="$(cmw_elapsed "$t")"
t="$(cmw_now)"; ensure_compose;         COMPOSE_TIME="$(cmw_elapsed "$t")"
t="$(cmw_now)"; ensure_kafka_ops;       OPS_TIME="$(cmw_elapsed "$t")"

echo "== Pulumi toolchain (cache: $CMW_CACHE)"
printf '%-22s %-10s %s, %s (%s)\n' "pulumi CLI" "$CLI_VERSION" "$CLI_PATH" "$CLI_HOW" "$CLI_TIME"
printf '%-22s %-10s %s (%s)\n' "docker compose" "$COMPOSE_SEEN" "$COMPOSE_HOW" "$COMPOSE_TIME"
printf '%-22s %-10s %s, %s (%s)\n' "cmw-kafka-ops" "" "$OPS_PATH" "$OPS_HOW" "$OPS_TIME"
printf '%-22s %-10s %s\n' "pulumi-nodejs (dynamic)" "" "$DYNAMIC_HOW"
printf '%-22s %-10s %s, %s (%s)\n' "pulumi-language-nodejs" "v$PULUMI_LANGUAGE_NODEJS_SDK_VERSION" "$LANG_PATH" "$LANG_HOW" "$LANG_TIME"
echo "-- resource plugins (name version how binary (time)); installed in $PULUMI_HOME (${INSTALL_TIME})"
printf '%s\n' "${PLUGIN_REPORT[@]}"
echo "-- pulumi plugin ls"
"$CLI_PATH" plugin ls
echo "-- put $CMW_BIN first on PATH (scripts/env.sh does); total $(cmw_elapsed "$T0")"

if [ "${#FAILED_PLUGINS[@]}" -gt 0 ]; then
  cmw_die "plugin build failed: ${FAILED_PLUGINS[*]} (see the logs named above)"
fi
if [ "${#MISSING_PROVIDERS[@]}" -gt 0 ]; then
  if $REQUIRE_ALL; then
    cmw_die "--require-all: missing providers/${MISSING_PROVIDERS[*]} (each must be a Go module with a main package at its root)"
  fi
  cmw_say "note: providers not built (missing): ${MISSING_PROVIDERS[*]}"
fi
