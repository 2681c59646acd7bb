# Sourced by every project script: where the toolchain and the platform live, and the Pulumi
# settings that keep the CLI off the network (only package registries answer here).
# Usage: source "$(dirname "$0")/../scripts/env.sh"
CMW_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CMW_ROOT
export CMW_CACHE="${CMW_CACHE:-$HOME/.cache/clinicmaster-warehouse}"
# Root's home is private, and PostgreSQL must run as another user: as root, state lives in /var/lib.
if [[ $(id -u) == 0 ]]; then
  export CMW_STATE="${CMW_STATE:-/var/lib/clinicmaster-warehouse}"
else
  export CMW_STATE="${CMW_STATE:-$HOME/.local/state/clinicmaster-warehouse}"
fi

# Our toolchain first; @pulumi/pulumi's root holds pulumi-resource-pulumi-nodejs (dynamic providers).
case ":$PATH:" in
  *":$CMW_CACHE/bin:"*) ;;
  *) export PATH="$CMW_CACHE/bin:$CMW_ROOT/node_modules/@pulumi/pulumi:$PATH" ;;
esac

# Always ours: the toolchain installs the plugins here, so the engine must look here too.
export PULUMI_HOME="$CMW_CACHE/pulumi-home"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true

# Prints a progress line on stderr: scripts talk to people while they work.
cmw_say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
cmw_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# pulumi_config_ssh_opts KEY [PULUMI ARGS...]: the local platform's ssh arguments (SSH_OPTS_FILE, from `platform.sh env`) as the list config KEY
# of the current stack (for a Docker provider's sshOpts); `--` keeps "-i" and "-o" from being
# read as flags.
pulumi_config_ssh_opts() {
  local i=0 opt
  while IFS= read -r opt; do
    pulumi config set "${@:2}" --path "$1[$i]" -- "$opt"
    i=$((i + 1))
  done < "$SSH_OPTS_FILE"
}
