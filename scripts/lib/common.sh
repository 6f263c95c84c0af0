# SPDX-License-Identifier: GPL-3.0-or-later
# Shared helpers for scripts/setup, scripts/run and scripts/test. Source it; don't run it.

ONAIR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ONAIR_ROOT

# Which Janus the builds, the tests and scripts/run use: Debian's package, or the `make install`
# under $ONAIR_JANUS_PREFIX (scripts/janus-from-source makes one). Each ONAIR_JANUS_* below can
# also be set on its own. A prefix gets its own build folders, so switching Janus never reuses
# objects compiled against another release's headers.
if [[ -n "${ONAIR_JANUS_PREFIX:-}" ]]; then
    ONAIR_JANUS_BIN="${ONAIR_JANUS_BIN:-$ONAIR_JANUS_PREFIX/bin/janus}"
    ONAIR_JANUS_PLUGINS="${ONAIR_JANUS_PLUGINS:-$ONAIR_JANUS_PREFIX/lib/janus/plugins}"
    ONAIR_JANUS_TRANSPORTS="${ONAIR_JANUS_TRANSPORTS:-$ONAIR_JANUS_PREFIX/lib/janus/transports}"
    ONAIR_JANUS_INCLUDEDIR="${ONAIR_JANUS_INCLUDEDIR:-$ONAIR_JANUS_PREFIX/include/janus}"
    ONAIR_JANUS_CONFDIR="${ONAIR_JANUS_CONFDIR:-$ONAIR_JANUS_PREFIX/etc/janus}"
    build_root="$ONAIR_ROOT/build/with-$(basename "$ONAIR_JANUS_PREFIX")"
else
    ONAIR_JANUS_BIN="${ONAIR_JANUS_BIN:-/usr/bin/janus}"
    ONAIR_JANUS_PLUGINS="${ONAIR_JANUS_PLUGINS:-/usr/lib/x86_64-linux-gnu/janus/plugins}"
    ONAIR_JANUS_TRANSPORTS="${ONAIR_JANUS_TRANSPORTS:-/usr/lib/x86_64-linux-gnu/janus/transports}"
    ONAIR_JANUS_INCLUDEDIR="${ONAIR_JANUS_INCLUDEDIR:-/usr/include/janus}"
    ONAIR_JANUS_CONFDIR="${ONAIR_JANUS_CONFDIR:-/etc/janus}"
    build_root="$ONAIR_ROOT/build"
fi
export ONAIR_JANUS_BIN ONAIR_JANUS_PLUGINS ONAIR_JANUS_TRANSPORTS ONAIR_JANUS_INCLUDEDIR ONAIR_JANUS_CONFDIR
BUILD_RELEASE="$build_root/release"
BUILD_ASAN="$build_root/asan"

if [[ -t 1 ]]; then
    C_BOLD=$'\e[1m' C_RED=$'\e[31m' C_GREEN=$'\e[32m' C_YELLOW=$'\e[33m' C_OFF=$'\e[0m'
else
    C_BOLD='' C_RED='' C_GREEN='' C_YELLOW='' C_OFF=''
fi

step() { printf '%s==> %s%s\n' "$C_BOLD" "$*" "$C_OFF"; }
note() { printf '    %s\n' "$*"; }
warn() { printf '%swarning:%s %s\n' "$C_YELLOW" "$C_OFF" "$*" >&2; }
die() {
    printf '%serror:%s %s\n' "$C_RED" "$C_OFF" "$*" >&2
    exit 1
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Runs a command as root: directly when we are root (CI), through sudo otherwise.
as_root() {
    if is_root; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        die "need root for: $* (run as root or install sudo)"
    fi
}

# render TEMPLATE OUTPUT NAME=VALUE...
# Copies TEMPLATE to OUTPUT replacing every @NAME@ with VALUE, and fails if a placeholder is left,
# so a template and its caller can't silently drift apart.
render() {
    local template="$1" output="$2" text pair
    shift 2
    text="$(<"$template")"
    for pair in "$@"; do
        text="${text//@${pair%%=*}@/${pair#*=}}"
    done
    if [[ "$text" =~ @[A-Z][A-Z0-9_]*@ ]]; then
        die "$template: placeholder ${BASH_REMATCH[0]} has no value"
    fi
    printf '%s\n' "$text" >"$output"
}

# The built plugin of a build folder (libtool puts the real .so in .libs/).
plugin_so() { printf '%s/.libs/libjanus_onair.so' "$1"; }

# "IFACE IP" of the interface browsers on this machine will also use for media: the one of the
# default route, else the first with a global IPv4 address; empty when there is only loopback
# (Janus never gathers loopback candidates, and Chromium doesn't either).
default_media_address() {
    local dev addresses
    addresses="$(ip -4 -o addr show scope global 2>/dev/null | awk '{ split($4, a, "/"); print $2, a[1] }')"
    dev="$(ip -4 route show default 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }')"
    if [[ -n "$dev" ]] && grep -q "^$dev " <<<"$addresses"; then
        grep -m1 "^$dev " <<<"$addresses"
    else
        head -n1 <<<"$addresses"
    fi
}

# Exits with a message when PORT on 127.0.0.1 is already taken.
require_free_port() {
    local port="$1" what="$2"
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "port $port ($what) is already in use; stop what holds it or set the port variable (see README)"
    fi
}

# install_apt_list FILE: installs the Debian packages FILE lists (one a line, # comments) that are
# missing.
install_apt_list() {
    local wanted=() missing=() package
    mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$1")
    for package in "${wanted[@]}"; do
        # npm ships inside Node.js' own packages (nodesource) on some machines, which conflict with
        # Debian's npm: a working npm command is as good as the package.
        if [[ "$package" == npm ]] && command -v npm >/dev/null; then
            continue
        fi
        if [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null)" != ii* ]]; then
            missing+=("$package")
        fi
    done
    if ((${#missing[@]} == 0)); then
        note "all ${#wanted[@]} installed"
        return
    fi
    note "installing: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}
