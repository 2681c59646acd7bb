#!/usr/bin/env bash
# Ships an image built centrally to a facility's Docker host over the same SSH path Pulumi uses:
#   platform/push-image.sh IMAGE ssh://user@host[:port]
# No registry needed (many facility networks cannot reach one); skipped when the host already has
# the exact same image id.
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
image="${1:?usage: push-image.sh IMAGE ssh://user@host[:port]}"
host="${2:?usage: push-image.sh IMAGE ssh://user@host[:port]}"
[[ $host == ssh://* ]] || cmw_die "host must be ssh://user@host[:port], got '$host'"

local_id=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null) || cmw_die "image $image is not built here"
remote_id=$(docker -H "$host" image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
if [[ $local_id == "$remote_id" ]]; then
  cmw_say "$host already has $image"
  exit 0
fi
cmw_say "sending $image to $host"
docker save "$image" | docker -H "$host" load >/dev/null
