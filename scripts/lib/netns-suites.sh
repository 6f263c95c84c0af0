#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs inside the private network namespace scripts/test makes (scripts/lib/netns.sh).
# Arguments: the test files for node --test.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/netns.sh"
netns_up

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
