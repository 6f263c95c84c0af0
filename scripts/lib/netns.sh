# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# The private network that scripts/test and bench/run make (design.md section 4): loopback plus
# a veth pair, so WebRTC media has a non-loopback path that reaches nothing outside.
#   va 10.99.0.1/24  <->  vb 10.99.0.2/24
# Janus gathers on va (ONAIR_MEDIA_IFACE); browsers and other peers use both ends.
#
# Outside the namespace, source it and call run_in_netns; the script it runs inside sources it
# again and calls netns_up first.

# netns_up: inside a fresh `unshare --net`: brings the links up and exports where media goes.
netns_up() {
    ip link set lo up
    ip link add va type veth peer name vb
    ip addr add 10.99.0.1/24 dev va
    ip addr add 10.99.0.2/24 dev vb
    ip link set va up
    ip link set vb up

    export ONAIR_NETNS=1
    export ONAIR_MEDIA_IP=10.99.0.1 ONAIR_MEDIA_IFACE=va
    export ONAIR_PEER_IP=10.99.0.2 ONAIR_PEER_IFACE=vb
    # To load the ASan-built plugin into Janus (not built with ASan itself) the runtime must come first.
    ONAIR_ASAN_RUNTIME="$(g++ -print-file-name=libasan.so)"
    export ONAIR_ASAN_RUNTIME
    printf '    namespace: lo up, va %s <-> vb %s\n' "$ONAIR_MEDIA_IP" "$ONAIR_PEER_IP"
}

# run_in_netns LIMIT SCRIPT ARGS...: runs bash SCRIPT in a new network, PID and mount namespace,
# stopped after LIMIT seconds. --pid + --mount-proc: when the namespace's first process exits,
# the kernel ends every process left in it (Janus, nginx, Chromium), so a failure leaves nothing
# running. On timeout: TERM to everything (unshare itself ignores it while it waits), then KILL to
# unshare, whose --kill-child takes the whole namespace down. Returns SCRIPT's status (124 or 137
# on timeout).
run_in_netns() {
    local limit="$1" script="$2"
    shift 2
    timeout -k 15 "$limit" \
        unshare --net --pid --mount --fork --mount-proc --kill-child \
        env ONAIR_ROOT="$ONAIR_ROOT" ONAIR_BUILD_ASAN="$BUILD_ASAN" ONAIR_BUILD_RELEASE="$BUILD_RELEASE" \
        bash "$script" "$@"
}
