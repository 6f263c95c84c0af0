#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs inside the private network namespace scripts/test makes (design.md section 4): loopback
# plus a veth pair, so WebRTC media has a non-loopback path that reaches nothing outside.
#   va 10.99.0.1/24  <->  vb 10.99.0.2/24
# Janus gathers on va (ONAIR_MEDIA_IFACE); browsers and other peers use both ends.
# Arguments: the test files for node --test.
set -euo pipefail

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
cd "$ONAIR_ROOT"
# One test file at a time: each starts its own Janus, and two cores are the budget.
# (--test-concurrency is Node >= 20.10; Debian's own Node 18 runs files one by one anyway.)
# --test-force-exit: a test file whose tests are done must not hold the run until the timeout
# because a helper left a socket or timer open (Node >= 20.14).
options=()
node_help="$(node --help)"
if grep -q -- --test-concurrency <<<"$node_help"; then
    options+=(--test-concurrency="${ONAIR_TEST_CONCURRENCY:-1}")
fi
if grep -q -- --test-force-exit <<<"$node_help"; then
    options+=(--test-force-exit)
fi
exec node --test "${options[@]}" "$@"
