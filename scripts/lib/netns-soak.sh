#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs inside the private network namespace scripts/soak makes (scripts/lib/netns.sh).
# Argument: the minutes of churn.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/netns.sh"
netns_up

cd "$ONAIR_ROOT"
exec node test/soak/soak.mjs "$@"
