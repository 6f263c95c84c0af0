# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# Debian's own Janus source package, unpacked (unmodified) under build/janus-source/ for the fuzz
# targets that link Janus' rtp.c, sdp-utils.c and friends (fuzz/Makefile, JANUS_SRC). Source it
# after common.sh; then call janus_source_dir, which prints the unpacked tree (fetching it first
# when it is missing) or dies saying why it could not.
#
# The version is the installed janus package's, so the fuzzed Janus code is the code the plugin
# runs against. apt-get source needs a deb-src entry: when apt has none, one is written to
# /etc/apt/sources.list.d/onair-deb-src.sources from the deb entries of
# /etc/apt/sources.list.d/debian.sources (Debian's main repositories), and apt's lists are updated.
# ONAIR_JANUS_SOURCE=DIR uses another Janus source tree instead (the one scripts/janus-from-source
# built, say, for an ONAIR_JANUS_PREFIX Janus).

JANUS_SOURCE_ROOT="$ONAIR_ROOT/build/janus-source"
JANUS_DEB_SRC_LIST=/etc/apt/sources.list.d/onair-deb-src.sources

# Whether apt can already name janus' source package at this version.
janus_source_known() {
    apt-get source --print-uris "janus=$1" >/dev/null 2>&1
}

# Writes the deb-src entry (deb822) mirroring debian.sources' deb stanzas.
janus_write_deb_src() {
    local debian=/etc/apt/sources.list.d/debian.sources
    [[ -r "$debian" ]] || die "no deb-src entry for Janus' source and no $debian to derive one from: add a deb-src line for Debian's main repositories"
    local text
    text="$(awk '
        BEGIN { RS = ""; ORS = "\n\n" }
        /(^|\n)Types:[^\n]*deb([ \t]|\n|$)/ {
            gsub(/(^|\n)#[^\n]*/, "")          # the stanza comments (snapshot mirrors)
            sub(/Types:[^\n]*/, "Types: deb-src")
            sub(/^\n/, "")
            print
        }' "$debian")"
    [[ -n "$text" ]] || die "$debian has no deb entries to derive a deb-src entry from"
    note "writing $JANUS_DEB_SRC_LIST"
    printf '# Written by OnAir'\''s scripts (scripts/lib/janus-source.sh, for scripts/fuzz): the deb entries\n# of %s as deb-src, so that apt-get source janus works.\n\n%s\n' \
        "$debian" "$text" | as_root tee "$JANUS_DEB_SRC_LIST" >/dev/null ||
        die "could not write $JANUS_DEB_SRC_LIST"
}

# Unpacks build/janus-source/janus_UPSTREAM.orig.tar.* when its SHA-256 is the one the .dsc lists.
janus_unpack_orig() {
    local dscs=("$JANUS_SOURCE_ROOT"/janus_*.dsc) origs=("$JANUS_SOURCE_ROOT/janus_$1".orig.tar.*)
    local dsc="${dscs[0]}" orig="${origs[0]}" sum
    [[ -f "$dsc" && -f "$orig" ]] || return 1
    sum="$(sha256sum "$orig" | cut -d' ' -f1)"
    awk '/^Checksums-Sha256:/ { on = 1; next } /^[^ ]/ { on = 0 } on { print $1, $3 }' "$dsc" |
        grep -qx "$sum $(basename "$orig")" || return 1
    tar -xf "$orig" -C "$JANUS_SOURCE_ROOT" || return 1
    # Upstream's tarball unpacks as janus-gateway-VERSION; dpkg-source would name it janus-VERSION.
    if [[ -d "$JANUS_SOURCE_ROOT/janus-gateway-$1" ]]; then
        mv "$JANUS_SOURCE_ROOT/janus-gateway-$1" "$JANUS_SOURCE_ROOT/janus-$1"
    fi
}

janus_source_dir() {
    if [[ -n "${ONAIR_JANUS_SOURCE:-}" ]]; then
        [[ -f "$ONAIR_JANUS_SOURCE/src/rtp.c" ]] || die "ONAIR_JANUS_SOURCE=$ONAIR_JANUS_SOURCE is not a Janus source tree (no src/rtp.c)"
        printf '%s\n' "$ONAIR_JANUS_SOURCE"
        return
    fi
    local version
    version="$(dpkg-query -W -f='${Version}' janus 2>/dev/null)" ||
        die "the janus package is not installed (scripts/setup installs it): the fuzz targets need its source"
    local upstream="${version#*:}"
    upstream="${upstream%-*}"
    local tree="$JANUS_SOURCE_ROOT/janus-$upstream"
    if [[ -f "$tree/src/rtp.c" && -f "$JANUS_SOURCE_ROOT/.version" && "$(cat "$JANUS_SOURCE_ROOT/.version")" == "$version" ]]; then
        printf '%s\n' "$tree"
        return
    fi
    step "Fetching Debian's Janus source package ($version) into build/janus-source" >&2
    command -v dpkg-source >/dev/null || die "dpkg-source is missing: scripts/setup installs dpkg-dev (scripts/deps/apt.txt)"
    if ! janus_source_known "$version"; then
        [[ -e "$JANUS_DEB_SRC_LIST" ]] || janus_write_deb_src >&2
        note "apt-get update" >&2
        as_root apt-get update -qq >&2 || die "apt-get update failed"
        janus_source_known "$version" ||
            die "apt cannot find Janus' source package janus=$version (is a deb-src entry for Debian's main repositories present? see $JANUS_DEB_SRC_LIST)"
    fi
    rm -rf "$JANUS_SOURCE_ROOT"
    mkdir -p "$JANUS_SOURCE_ROOT"
    if ! (cd "$JANUS_SOURCE_ROOT" && apt-get source -qq "janus=$version" >&2); then
        # Some mirrors (a caching proxy) serve the upstream tarball but not the Debian part. The
        # files under test are upstream's: unpack the tarball apt fetched, once its checksum matches
        # the .dsc's, without Debian's packaging patches.
        janus_unpack_orig "$upstream" ||
            die "apt-get source janus=$version failed, and no verified upstream tarball was left to unpack"
        warn "Debian's packaging part of janus=$version could not be fetched: using its upstream tarball without Debian's patches" >&2
    fi
    [[ -f "$tree/src/rtp.c" ]] || die "Janus' source package did not unpack into $tree"
    printf '%s\n' "$version" >"$JANUS_SOURCE_ROOT/.version"
    printf '%s\n' "$tree"
}
