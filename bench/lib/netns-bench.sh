#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs inside the private network namespace bench/run makes (scripts/lib/netns.sh): each named
# benchmark in turn, each with its own time limit, then a summary. Fails when any benchmark
# could not run or measure.
# Arguments: RESULTS_DIR SMOKE(0|1) NAME...
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/netns.sh"
netns_up

results="$1" smoke="$2"
shift 2
# Thousands of handles, sockets and PeerConnections: lift the open-files limit to the maximum.
ulimit -n "$(ulimit -Hn)"
cd "$ONAIR_ROOT" || exit 1

options=(--out "$results")
((smoke)) && options+=(--smoke)
each="${ONAIR_BENCH_EACH_TIMEOUT:-$( ((smoke)) && echo 300 || echo 900)}"
declare -a lines=()
failures=0
for name in "$@"; do
    printf '\n==> bench/%s%s\n' "$name" "$( ((smoke)) && echo ' (smoke)')"
    started=$SECONDS
    timeout -k 10 "$each" node "bench/$name/run.mjs" "${options[@]}"
    code=$?
    verdict=ok
    if ((code != 0)); then
        verdict="FAILED (exit $code$( ((code == 124)) && echo ", over $each s"))"
        ((failures++))
    fi
    lines+=("$(printf '    %-16s %-28s %5ss' "$name" "$verdict" "$((SECONDS - started))")")
done
printf '\n==> Benchmarks\n'
printf '%s\n' "${lines[@]}"
((failures == 0))
