# Helpers of toolchain.sh: versions, stamps, Go builds (talking and timing come from
# scripts/lib/cmw.sh). Sourced, not executed. Expects CMW_BIN, CMW_LOGS, CMW_STAMPS set.

# version_ge A B: true when version A >= B (leading "v" ignored).
version_ge() {
  local a="${1#v}" b="${2#v}"
  [ "$(printf '%s\n%s\n' "$a" "$b" | sort -V | head -n1)" = "$b" ]
}

# hash_module DIR: sha256 over the module's *.go, go.mod and go.sum (paths included,
# so a rename counts as a change). Used as the rebuild stamp of our plugins.
hash_module() {
  local dir="$1"
  (
    cd "$dir"
    find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -not -path './vendor/*' -print0 \
      | LC_ALL=C sort -z \
      | xargs -0 sha256sum
  ) | sha256sum | cut -d' ' -f1
}

# Stamps record what a binary was built from; a binary is reused only when its
# stamp matches the current inputs (sources, pins and Go version).
stamp_matches() { [ -f "$CMW_STAMPS/$1" ] && [ "$(cat "$CMW_STAMPS/$1")" = "$2" ]; }
stamp_write() { mkdir -p "$CMW_STAMPS"; printf '%s\n' "$2" >"$CMW_STAMPS/$1"; }

# run_logged NAME CMD...: runs CMD with output to $CMW_LOGS/NAME.log; on failure
# shows the log's tail and returns the command's status.
run_logged() {
  local name="$1"; shift
  local logfile="$CMW_LOGS/$name.log"
  local rc=0
  "$@" >>"$logfile" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    cmw_say "'$*' failed (exit $rc); last lines of $logfile:"
    tail -n 30 "$logfile" >&2
    return 1
  fi
}

# go_build OUTPUT LDFLAGS PKG [extra go build flags...]: builds PKG in the current
# directory's module, atomically replacing OUTPUT. Flags are passed explicitly
# (not via GOFLAGS) so the user's `go env GOFLAGS` defaults still apply.
go_build() {
  local out="$1" ldflags="$2" pkg="$3"; shift 3
  local name; name="$(basename "$out")"
  CGO_ENABLED=0 run_logged "$name" go build -buildvcs=false -trimpath "$@" -ldflags "$ldflags" -o "$out.tmp" "$pkg" \
    && mv -f "$out.tmp" "$out"
}

# throwaway_module DIR MODULE TOOL_IMPORT REQUIRE... [-- REPLACE...]: writes a fresh
# go.mod with `go mod init` + `go mod edit` (no templating) and a tools.go that
# imports the command to build, then runs `go mod tidy`.
throwaway_module() {
  local dir="$1" module="$2" import="$3"; shift 3
  local -a edits=()
  local mode=require arg
  for arg in "$@"; do
    if [ "$arg" = "--" ]; then mode=replace; continue; fi
    edits+=("-$mode=$arg")
  done
  rm -rf "$dir"; mkdir -p "$dir"
  (
    cd "$dir"
    run_logged "$(basename "$dir")" go mod init "$module"
    run_logged "$(basename "$dir")" go mod edit "${edits[@]}"
    printf '//go:build tools\n\n// Package tools only pins the command this module builds.\npackage tools\n\nimport _ "%s"\n' "$import" >tools.go
    run_logged "$(basename "$dir")" go mod tidy
  )
}

# first_on_path NAME: first executable NAME on PATH outside our own bin dir.
first_on_path() {
  local name="$1" d own
  own="$(realpath -m "$CMW_BIN")"
  local IFS=:
  for d in $PATH; do
    [ -n "$d" ] || continue
    [ "$(realpath -m "$d")" = "$own" ] && continue
    if [ -x "$d/$name" ] && [ ! -d "$d/$name" ]; then
      # A symlink into our bin dir is ours too.
      case "$(realpath -m "$d/$name")" in "$own"/*) continue ;; esac
      printf '%s\n' "$d/$name"
      return 0
    fi
  done
  return 1
}
