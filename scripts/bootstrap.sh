#!/usr/bin/env bash
# Installs what a fresh machine lacks, from package registries only: Debian packages for the local
# platform, then the npm dependencies from the committed lockfile. Safe to re-run: it installs
# only what is missing.
set -euo pipefail
source "$(dirname "$0")/env.sh"

# command → Debian package that provides it
declare -A NEEDED=(
  [dockerd]=docker.io
  [mmdebstrap]=mmdebstrap
  [sshd]=openssh-server
  [ssh]=openssh-client
  [mariadbd]=mariadb-server
  [mvn]=maven
  [java]=openjdk-17-jdk-headless
  [jq]=jq
  [curl]=curl
  # TLS: the platform's CA and certificates; the capture test looks for patient data on the wire
  [openssl]=openssl
  [tcpdump]=tcpdump
  # the monitoring suite: promtool checks the alert rules, headless Chromium renders the status page
  [promtool]=prometheus
  [chromium]=chromium
)
missing=()
for cmd in "${!NEEDED[@]}"; do
  path_cmd="$cmd"
  [[ $cmd == sshd ]] && path_cmd=/usr/sbin/sshd
  [[ $cmd == mariadbd ]] && path_cmd=/usr/sbin/mariadbd
  [[ $cmd == tcpdump ]] && path_cmd=/usr/bin/tcpdump
  command -v "$path_cmd" >/dev/null 2>&1 || missing+=("${NEEDED[$cmd]}")
done
if ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  missing+=(postgresql)
fi
# Go builds the Pulumi toolchain, our plugins and cmw-kafka-ops; Debian's golang-go is too old for
# them, so it must come with the machine. The newest `go` line of their go.mod files is the minimum.
go_needed=$(awk '$1 == "go" { print $2 }' "$CMW_ROOT"/providers/*/go.mod "$CMW_ROOT"/tools/*/go.mod "$CMW_ROOT"/toolchain/*/go.mod | sort -V | tail -n1)
command -v go >/dev/null 2>&1 || cmw_die "Go $go_needed or newer is needed to build the Pulumi toolchain (not found on PATH)"
go_have=$(go env GOVERSION); go_have=${go_have#go}
[[ $(printf '%s\n' "$go_needed" "$go_have" | sort -V | head -n1) == "$go_needed" ]] \
  || cmw_die "Go $go_needed or newer is needed (the go.mod files ask for it); this machine has Go $go_have"
if ((${#missing[@]})); then
  cmw_say "installing Debian packages: ${missing[*]}"
  [[ $(id -u) == 0 ]] || cmw_die "installing ${missing[*]} needs root (apt-get); run as root or install them first"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm dependencies: reinstall only when the lockfile changed since the last install.
cd "$CMW_ROOT"
stamp="node_modules/.cmw-lock-sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  cmw_say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
