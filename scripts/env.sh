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

# Our toolchain first: the CLI, the language host and the dynamic-provider plugin beside it (where
# the engine looks for plugins bundled with the CLI). Resource plugins are not on PATH: the engine
# takes them from PULUMI_HOME, at the versions the npm packages ask for (a plugin found on PATH
# would win over those, with a warning at every run).
case ":$PATH:" in
  *":$CMW_CACHE/bin:"*) ;;
  *) export PATH="$CMW_CACHE/bin:$PATH" ;;
esac

# Always ours: the toolchain installs the plugins here, so the engine must look here too.
export PULUMI_HOME="$CMW_CACHE/pulumi-home"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true

source "$CMW_ROOT/scripts/lib/cmw.sh"
