#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fetch-base.sh BASE: make sure the Debian kernel source package named by
# kernel/BASE/pin is in the download cache; print the path of the .deb.
#
# The .deb is fetched with `apt-get download` through a project-local apt
# configuration (the suites of config/apt/suites on the machine's own Debian
# mirrors, see scripts/apt-sources.py; lists under build/apt), and kept in
# $CCHEAP_CACHE/debs so that clean clones on one machine share it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base=${1:?usage: fetch-base.sh BASE}
read_pin "$base"
cache=${CCHEAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ccheap}/debs
mkdir -p "$cache"

deb_of() { # version -> cached file name (apt escapes ':' as %3a)
	echo "$cache/${PIN_PACKAGE}_${1//:/%3a}_all.deb"
}

if [ -f "$(deb_of "$PIN_VERSION")" ]; then
	deb_of "$PIN_VERSION"
	exit 0
fi

apt_sources || exit 1 # apt-sources.py said why
step "apt update (project-local lists)" "$LOGS/apt-update.log" \
	apt_local apt-get update || die "apt-get update failed (network?)"

versions=$(apt_local apt-cache madison "$PIN_PACKAGE" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}')
use=
if grep -qxF "$PIN_VERSION" <<<"$versions"; then
	use=$PIN_VERSION
elif [ "${STRICT_PIN:-0}" != 1 ] && [ -n "${PIN_ACCEPT:-}" ]; then
	# Newest available version matching the accepted glob.
	for v in $versions; do
		# shellcheck disable=SC2053
		if [[ $v == $PIN_ACCEPT ]]; then
			use=$v
			break
		fi
	done
	[ -n "$use" ] && note "pinned $PIN_PACKAGE $PIN_VERSION is gone from the archive; using $use (STRICT_PIN=1 forbids this)"
fi
[ -n "$use" ] || die "base version $PIN_PACKAGE=$PIN_VERSION is not available (archive has: $(echo "$versions" | tr '\n' ' ')); update kernel/$base/pin"

tmp=$(mktemp -d "$cache/.dl.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && step "download $PIN_PACKAGE $use" "$LOGS/download-$base.log" \
	apt_local apt-get download "$PIN_PACKAGE=$use") || die "download of $PIN_PACKAGE=$use failed"
mv "$tmp"/*.deb "$(deb_of "$use")"
deb_of "$use"
