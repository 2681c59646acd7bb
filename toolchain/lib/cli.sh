# Pulumi CLI and Node.js language host (sourced by toolchain.sh).

# ensure_cli: sets CLI_PATH, CLI_VERSION, CLI_HOW.
ensure_cli() {
  local want="v$PULUMI_VERSION" sys ver
  # 1. A system pulumi that is new enough: link it, build nothing.
  if sys="$(first_on_path pulumi)"; then
    ver="$("$sys" version 2>/dev/null || true)"
    if [ -n "$ver" ] && version_ge "$ver" "$want"; then
      ln -sfn "$(realpath "$sys")" "$CMW_BIN/pulumi"
      rm -f "$CMW_STAMPS/pulumi"
      CLI_PATH="$(realpath "$sys")" CLI_VERSION="$ver" CLI_HOW="reused (system, linked into $CMW_BIN)"
      return 0
    fi
    cmw_say "system pulumi at $sys is ${ver:-unusable}, older than $want: building $want instead"
  fi
  # 2. Our own build of exactly the pinned version.
  local key="pulumi/pkg/v3@$want clipboard=$CLIPBOARD_REPLACE_VERSION $(go env GOVERSION)"
  if [ -x "$CMW_BIN/pulumi" ] && [ ! -L "$CMW_BIN/pulumi" ] && stamp_matches pulumi "$key"; then
    CLI_PATH="$CMW_BIN/pulumi" CLI_VERSION="$("$CMW_BIN/pulumi" version)" CLI_HOW="reused (built earlier)"
    return 0
  fi
  # 3. Build it from the Go module proxy (toolchain/README.md, "Pulumi CLI").
  cmw_say "building pulumi $want from Go modules (cold: ~20 s tidy + ~3 min build)"
  rm -f "$CMW_BIN/pulumi"
  throwaway_module "$CMW_CACHE/build/pulumi-cli" cmw.local/pulumi-cli \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "github.com/pulumi/pulumi/pkg/v3@$want" "github.com/pulumi/pulumi/sdk/v3@$want" \
    -- "github.com/atotto/clipboard=$CLIPBOARD_REPLACE_MODULE@$CLIPBOARD_REPLACE_VERSION" \
    || cmw_die "could not resolve the Pulumi CLI modules; see $CMW_LOGS/pulumi-cli.log"
  (cd "$CMW_CACHE/build/pulumi-cli" && go_build "$CMW_BIN/pulumi" \
    "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$want" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi -mod=mod) \
    || cmw_die "building the Pulumi CLI failed; see $CMW_LOGS/pulumi.log"
  stamp_write pulumi "$key"
  CLI_PATH="$CMW_BIN/pulumi" CLI_VERSION="$("$CMW_BIN/pulumi" version)" CLI_HOW="built"
  [ "$CLI_VERSION" = "$want" ] || cmw_die "built pulumi reports '$CLI_VERSION', expected $want"
}

# ensure_language_nodejs: sets LANG_PATH, LANG_HOW. The CLI finds the host on PATH
# or next to its own executable.
ensure_language_nodejs() {
  local name=pulumi-language-nodejs sys
  # A host shipped next to a system CLI, or on PATH, is already what that CLI expects.
  if [ -L "$CMW_BIN/pulumi" ] && [ -x "$(dirname "$(realpath "$CMW_BIN/pulumi")")/$name" ]; then
    LANG_PATH="$(dirname "$(realpath "$CMW_BIN/pulumi")")/$name" LANG_HOW="reused (next to the system CLI)"
    return 0
  fi
  if sys="$(first_on_path "$name")"; then
    LANG_PATH="$sys" LANG_HOW="reused (on PATH)"
    return 0
  fi
  local want="v$PULUMI_LANGUAGE_NODEJS_SDK_VERSION"
  local key="pulumi/sdk/v3@$want $(go env GOVERSION)"
  if [ -x "$CMW_BIN/$name" ] && stamp_matches "$name" "$key"; then
    LANG_PATH="$CMW_BIN/$name" LANG_HOW="reused (built earlier)"
    return 0
  fi
  # The host left sdk/v3 for a module the proxy does not serve; sdk/v3@v3.68.0
  # still has it as a package and it works with CLI 3.259 (toolchain/README.md).
  cmw_say "building $name from github.com/pulumi/pulumi/sdk/v3@$want (cold: ~1 min)"
  throwaway_module "$CMW_CACHE/build/language-nodejs" cmw.local/language-nodejs \
    github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
    "github.com/pulumi/pulumi/sdk/v3@$want" \
    || cmw_die "could not resolve the language host modules; see $CMW_LOGS/language-nodejs.log"
  (cd "$CMW_CACHE/build/language-nodejs" && go_build "$CMW_BIN/$name" \
    "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$want" \
    github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs -mod=mod) \
    || cmw_die "building $name failed; see $CMW_LOGS/$name.log"
  stamp_write "$name" "$key"
  LANG_PATH="$CMW_BIN/$name" LANG_HOW="built"
}
