# Everything a platform suite uses: source first thing, as
#   source "$(dirname "$0")/../../scripts/env.sh" && source "$CMW_ROOT/tests/lib/suite.sh"
# Private platforms listen below 32768: the kernel's ephemeral range (32768-60999) may have lent
# a port above it to an outgoing connection, and the platform would not start (it happened).
set -uo pipefail
for lib in tap platform pulumi facilities signing; do source "$CMW_ROOT/tests/lib/$lib.sh"; done
