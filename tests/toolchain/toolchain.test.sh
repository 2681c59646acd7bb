#!/usr/bin/env bash
# Toolchain suite: the CLI is the pinned version, the language host starts,
# `docker compose` answers at the pinned version, and every resource plugin (kafka +
# each providers/<name> that exists) is installed at the npm package's version and
# answers the engine with that name and version.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/../../scripts/env.sh"
source "$CMW_ROOT/tests/lib/tap.sh"
source "$CMW_ROOT/toolchain/versions.env"
source "$CMW_ROOT/toolchain/lib/common.sh"  # version_ge
cd "$CMW_ROOT"

TMP="$(mktemp -d)"
cmw_on_exit rm -rf "$TMP"

# --- toolchain.sh itself: succeeds, and a second (warm) run rebuilds nothing, in seconds.
check "toolchain.sh runs" bash toolchain/toolchain.sh
# compose_answers_pin: `docker compose version` prints the pin when our build answers (installed
# into the user's cli-plugins), or a version >= the pin when the machine had its own.
compose_answers_pin() {
  local out ver
  out="$(docker compose version 2>&1)" || { echo "$out"; return 1; }
  ver="$(docker compose version --short)"; ver="${ver#v}"
  if cmp -s "$CMW_CACHE/bin/docker-compose" "${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins/docker-compose"; then
    [ "$out" = "Docker Compose version v$COMPOSE_VERSION" ] || { echo "ours installed, but: $out"; return 1; }
  else
    version_ge "$ver" "$COMPOSE_VERSION" \
      || { echo "the machine's compose is older than v$COMPOSE_VERSION: $out"; return 1; }
  fi
}
check "docker compose answers at the pinned version (v$COMPOSE_VERSION)" compose_answers_pin
check "cmw-kafka-ops (the operations tools' Kafka helper) is built and answers" bash -c "'$CMW_CACHE/bin/cmw-kafka-ops' --version | grep -q '^cmw-kafka-ops src-'"
check "Go unit tests of cmw-kafka-ops (topic selection, read ranges, bad requests)" bash -c "cd tools/kafka-ops && go test ./..."
start=$(date +%s)
bash toolchain/toolchain.sh >"$TMP/warm.out" 2>&1; rc=$?
secs=$(( $(date +%s) - start ))
if [ $rc -eq 0 ] && ! grep -qE '(^[a-z]+ +[0-9.]+ +built )|(, built \()|(^\[toolchain\] building )' "$TMP/warm.out" && [ "$secs" -le 15 ]; then
  ok "warm toolchain.sh rebuilds nothing (${secs}s)"
else
  not_ok "warm toolchain.sh rebuilds nothing (rc=$rc, ${secs}s)"; sed 's/^/    # /' "$TMP/warm.out"
fi

# --- CLI
cli="$(command -v pulumi || true)"
if [ "$cli" = "$CMW_CACHE/bin/pulumi" ]; then ok "pulumi on PATH is $cli"; else not_ok "pulumi on PATH is $CMW_CACHE/bin/pulumi (got '${cli:-none}')"; fi
ver="$(pulumi version 2>&1)"
if [ -L "$CMW_CACHE/bin/pulumi" ]; then
  # toolchain.sh links a system CLI only when it is at least the pinned version.
  if [ "$(printf '%s\n%s\n' "${ver#v}" "$PULUMI_VERSION" | sort -V | head -n1)" = "$PULUMI_VERSION" ]; then
    ok "system pulumi $ver >= v$PULUMI_VERSION"; else not_ok "system pulumi $ver >= v$PULUMI_VERSION"; fi
else
  if [ "$ver" = "v$PULUMI_VERSION" ]; then ok "pulumi version is v$PULUMI_VERSION"; else not_ok "pulumi version is v$PULUMI_VERSION (got '$ver')"; fi
fi

# started_port BINARY: launches a plugin the way the engine does (no engine
# address = attach mode) and checks it prints its gRPC port on stdout.
started_port() {
  local bin="$1" out="$TMP/port.$$" pid i
  "$bin" >"$out" 2>"$out.err" &
  pid=$!
  for i in $(seq 1 100); do
    if grep -qE '^[0-9]+$' "$out" 2>/dev/null; then break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  if grep -qE '^[0-9]+$' "$out"; then return 0; fi
  echo "stdout: $(head -c 300 "$out")"; echo "stderr: $(head -c 600 "$out.err")"; return 1
}

# --- language host
lang="$(command -v pulumi-language-nodejs || true)"
if [ -n "$lang" ]; then ok "pulumi-language-nodejs found ($lang)"; else not_ok "pulumi-language-nodejs on PATH"; fi
[ -n "$lang" ] && check "pulumi-language-nodejs starts and prints its port" started_port "$lang"
# The engine warns "using pulumi-resource-... from $PATH" for any plugin it takes from PATH that
# is not the one bundled next to the CLI; only those bundled ones may be there.
check "pulumi-resource-pulumi-nodejs (dynamic providers) is next to the CLI" test -x "$(dirname "$(realpath "$(command -v pulumi)")")/pulumi-resource-pulumi-nodejs"
resource_plugins_on_path() { compgen -c pulumi-resource- | sort -u | grep -vx pulumi-resource-pulumi-nodejs; }
check_fails "no resource plugin is on PATH (the engine takes them from PULUMI_HOME)" resource_plugins_on_path

# --- resource plugins
plugins=("kafka $PLUGIN_KAFKA_VERSION")
for name in command postgresql docker; do
  var="PLUGIN_${name^^}_VERSION"
  if [ -f "providers/$name/go.mod" ]; then plugins+=("$name ${!var}"); else echo "# providers/$name missing: not tested"; fi
done

pulumi plugin ls --json >"$TMP/plugins.json" 2>"$TMP/plugins.err" || { not_ok "pulumi plugin ls --json"; cat "$TMP/plugins.err"; }

# installed KIND NAME VERSION: `pulumi plugin ls` lists exactly that plugin.
installed() {
  node -e '
    const [file, kind, name, version] = process.argv.slice(1);
    const list = JSON.parse(require("fs").readFileSync(file, "utf8"));
    const hit = list.some((p) => p.kind === kind && p.name === name && p.version === version);
    if (!hit) { console.log(JSON.stringify(list.map((p) => `${p.kind} ${p.name} ${p.version}`))); process.exit(1); }
  ' "$TMP/plugins.json" "$@"
}
# schema_reports NAME VERSION: the engine launches the installed plugin, handshakes
# and calls GetSchema; the schema must carry the npm package's name and version.
schema_reports() {
  local name="$1" version="$2"
  pulumi package get-schema "$name@$version" >"$TMP/schema-$name.json" || return 1
  node -e '
    const [file, name, version] = process.argv.slice(1);
    const s = JSON.parse(require("fs").readFileSync(file, "utf8"));
    if (s.name !== name || s.version !== version) { console.log(`schema says name=${s.name} version=${s.version}`); process.exit(1); }
  ' "$TMP/schema-$name.json" "$name" "$version"
}

for entry in "${plugins[@]}"; do
  read -r name version <<<"$entry"
  bin="$PULUMI_HOME/plugins/resource-$name-v$version/pulumi-resource-$name"
  check "$name: pulumi plugin ls shows resource $name $version" installed resource "$name" "$version"
  check "$name: installed binary is the one toolchain.sh built" cmp "$CMW_CACHE/plugins/pulumi-resource-$name" "$bin"
  check "$name: plugin starts and prints its port" started_port "$bin"
  check "$name: engine gets name $name and version $version from the plugin (get-schema)" schema_reports "$name" "$version"
done

# --- kafka: the bridged provider serves every token and property of @pulumi/kafka.
if pulumi package get-mapping terraform "kafka@$PLUGIN_KAFKA_VERSION" -o "$TMP/kafka-mapping.json" >"$TMP/mapping.out" 2>&1; then
  ok "kafka: engine gets the terraform mapping from the plugin"
  out="$(node "$HERE/check-kafka-mapping.js" "$TMP/kafka-mapping.json")"; rc=$?
  printf '%s\n' "$out"
  TAP_PASSED=$((TAP_PASSED + $(grep -c '^ok - ' <<<"$out")))
  TAP_FAILED=$((TAP_FAILED + $(grep -c '^not ok - ' <<<"$out")))
  [ $rc -eq 0 ] || [ "$(grep -c '^not ok - ' <<<"$out")" -gt 0 ] || not_ok "kafka mapping check crashed (exit $rc)"
else
  not_ok "kafka: engine gets the terraform mapping from the plugin"; sed 's/^/    # /' "$TMP/mapping.out"
fi

# --- --require-all fails exactly when a provider is missing.
if [ "${#plugins[@]}" -lt 4 ]; then
  check_fails "toolchain.sh --require-all fails while a provider is missing" bash toolchain/toolchain.sh --require-all
else
  check "toolchain.sh --require-all succeeds with all providers present" bash toolchain/toolchain.sh --require-all
fi

tap_summary
