#!/usr/bin/env bash
# Removes everything scripts/up.sh made: the stack's resources, then the local platform and its state.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CMW_ROOT"
work="$CMW_STATE/pulumi"
if [[ -d $work/backend ]] && bash platform/platform.sh status >/dev/null 2>&1; then
  export PULUMI_BACKEND_URL="file://$work/backend" PULUMI_CONFIG_PASSPHRASE_FILE="$CMW_STATE/secrets/pulumi-passphrase"
  if pulumi stack select local --non-interactive >/dev/null 2>&1; then
    cmw_say "pulumi destroy: the local stack"
    pulumi destroy -s local --yes --skip-preview --non-interactive
    pulumi stack rm -s local --yes >/dev/null
  fi
fi
bash platform/sources.sh stop-all
bash platform/platform.sh purge
