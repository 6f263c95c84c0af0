#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a command inside a fresh private network namespace, like the test suites
# (scripts/lib/netns-suites.sh, design.md section 4): loopback plus a veth pair
#   va 10.99.0.1/24  <->  vb 10.99.0.2/24
# so benchmark media never leaves the machine and never touches its real interfaces.
#
#   bench/lib/netns.sh COMMAND [ARG...]
#
# Needs root. --pid + --mount-proc: when COMMAND exits, the kernel ends whatever it left behind
# (Janus, load generators).
set -euo pipefail

if [[ "${ONAIR_NETNS_INSIDE:-}" != 1 ]]; then
    [[ "$(id -u)" -eq 0 ]] || { echo "bench/lib/netns.sh: needs root (unshare --net)" >&2; exit 1; }
    exec unshare --net --pid --mount --fork --mount-proc --kill-child \
        env ONAIR_NETNS_INSIDE=1 bash "${BASH_SOURCE[0]}" "$@"
fi

ip link set lo up
ip link add va type veth peer name vb
ip addr add 10.99.0.1/24 dev va
ip addr add 10.99.0.2/24 dev vb
ip link set va up
ip link set vb up

export ONAIR_NETNS=1
export ONAIR_MEDIA_IP=10.99.0.1 ONAIR_MEDIA_IFACE=va
export ONAIR_PEER_IP=10.99.0.2 ONAIR_PEER_IFACE=vb
exec "$@"
