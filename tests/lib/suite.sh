# Everything a platform suite uses: source first thing, as
#   source "$(dirname "$0")/../../scripts/env.sh" && source "$CMW_ROOT/tests/lib/suite.sh"
set -uo pipefail
for lib in tap platform kafka pulumi facilities; do source "$CMW_ROOT/tests/lib/$lib.sh"; done
