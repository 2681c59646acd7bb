# Resource plugins: the Kafka bridge and our own providers (sourced by toolchain.sh).
# Each build_* appends one line per plugin to PLUGIN_REPORT and sets PLUGIN_BUILT_<name>.

PLUGIN_REPORT=()
PLUGINS_READY=()    # "name version binary" for every plugin to install
MISSING_PROVIDERS=()
FAILED_PLUGINS=()

# build_go_plugin NAME VERSION MODULE_DIR [extra go build flags...]: builds the
# module's root main package to $CMW_PLUGINS/pulumi-resource-NAME unless the stamp
# (hash of *.go/go.mod/go.sum + Go version) says the binary is current.
build_go_plugin() {
  local name="$1" version="$2" dir="$3"; shift 3
  local bin="$CMW_PLUGINS/pulumi-resource-$name" start key how
  # Earlier toolchains built plugins on PATH, where the engine prefers them over PULUMI_HOME
  # and warns at every run: move such a binary out of PATH (its stamp still says what it is).
  if [ -e "$CMW_BIN/pulumi-resource-$name" ]; then mv -f "$CMW_BIN/pulumi-resource-$name" "$bin"; fi
  start="$(cmw_now)"
  key="$(hash_module "$dir") $(go env GOVERSION)"
  # Our plugins also build the shared providers/pluginkit module (a replace in their go.mod).
  case "$dir" in "$CMW_ROOT"/providers/*) key="$key $(hash_module "$CMW_ROOT/providers/pluginkit")" ;; esac
  if [ -x "$bin" ] && stamp_matches "pulumi-resource-$name" "$key"; then
    how="reused"
  else
    cmw_say "building pulumi-resource-$name from ${dir#"$CMW_ROOT"/}"
    if ! (cd "$dir" && go_build "$bin" "-s -w" . "$@"); then
      FAILED_PLUGINS+=("$name")
      PLUGIN_REPORT+=("$(printf '%-10s %-8s FAILED to build from %s (log: %s)' "$name" "$version" "$dir" "$CMW_LOGS/pulumi-resource-$name.log")")
      return 0
    fi
    stamp_write "pulumi-resource-$name" "$key"
    how="built"
  fi
  PLUGINS_READY+=("$name $version $bin")
  PLUGIN_REPORT+=("$(printf '%-10s %-8s %-7s %s (%s)' "$name" "$version" "$how" "$bin" "$(cmw_elapsed "$start")")")
}

ensure_kafka_plugin() {
  # The committed go.mod/go.sum are complete for the build: never let go edit them.
  build_go_plugin kafka "$PLUGIN_KAFKA_VERSION" "$TOOLCHAIN_DIR/kafka-bridge" -mod=readonly
}

# ensure_own_plugins: providers/<name> are Go modules of the project with a main
# package at their root. A missing one is reported, not fatal (see --require-all).
ensure_own_plugins() {
  local name var dir
  for name in command postgresql docker; do
    var="PLUGIN_${name^^}_VERSION"
    dir="$CMW_ROOT/providers/$name"
    if [ ! -f "$dir/go.mod" ]; then
      MISSING_PROVIDERS+=("$name")
      PLUGIN_REPORT+=("$(printf '%-10s %-8s MISSING: %s has no go.mod yet, skipped' "$name" "${!var}" "providers/$name")")
      continue
    fi
    build_go_plugin "$name" "${!var}" "$dir"
  done
}

# ensure_dynamic_provider: sets DYNAMIC_HOW. Dynamic providers run through
# pulumi-resource-pulumi-nodejs, a script at the root of the @pulumi/pulumi npm package. The
# engine counts it among the plugins bundled with the CLI and looks for it next to the CLI's
# executable (as the official install ships it), so that is where it goes; a system CLI
# linked from elsewhere brings its own.
ensure_dynamic_provider() {
  local name=pulumi-resource-pulumi-nodejs src="$CMW_ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  if [ -L "$CMW_BIN/pulumi" ]; then
    rm -f "$CMW_BIN/$name"
    DYNAMIC_HOW="the system CLI's own, next to $(realpath "$CMW_BIN/pulumi")"
    return 0
  fi
  [ -f "$src" ] || cmw_die "$src is missing: run npm ci first (scripts/bootstrap.sh does)"
  cmp -s "$src" "$CMW_BIN/$name" || install -m 755 "$src" "$CMW_BIN/$name"
  DYNAMIC_HOW="$CMW_BIN/$name, from @pulumi/pulumi"
}

# install_plugins: put every ready plugin into PULUMI_HOME at exactly the npm
# package's version, so the engine finds it locally and never downloads.
install_plugins() {
  local entry name version bin dest
  for entry in "${PLUGINS_READY[@]}"; do
    read -r name version bin <<<"$entry"
    dest="$PULUMI_HOME/plugins/resource-$name-v$version/pulumi-resource-$name"
    if [ -x "$dest" ] && cmp -s "$bin" "$dest"; then
      continue
    fi
    cmw_say "installing plugin resource $name v$version into $PULUMI_HOME"
    run_logged plugin-install "$CLI_PATH" plugin install resource "$name" "$version" --file "$bin" --reinstall \
      || cmw_die "pulumi plugin install of $name $version failed; see $CMW_LOGS/plugin-install.log"
    cmp -s "$bin" "$dest" || cmw_die "plugin install did not put $bin at $dest; check $CMW_LOGS/plugin-install.log"
  done
}
