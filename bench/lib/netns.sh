#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs one command inside the private network of scripts/lib/netns.sh (loopback plus the veth
# pair va 10.99.0.1 <-> vb 10.99.0.2), for a benchmark started on its own rather than by bench/run.
#
#   bench/lib/netns.sh COMMAND [ARG...]
#
# Needs root. When COMMAND exits, the kernel ends whatever it left behind (Janus, load generators).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
source "$ONAIR_ROOT/scripts/lib/netns.sh"

if [[ "${1:-}" == --inside ]]; then
    shift
    netns_up >&2
    exec "$@"
fi
is_root || die "bench/lib/netns.sh needs root (unshare --net)"
run_in_netns "${ONAIR_BENCH_TIMEOUT:-3600}" "${BASH_SOURCE[0]}" --inside "$@"
