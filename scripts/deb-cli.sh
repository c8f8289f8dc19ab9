#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deb-cli.sh: build build/deb/ccheap_VERSION_ARCH.deb, the ccheap CLI as a
# Debian binary package, with dpkg-deb alone (no debhelper): /usr/bin/ccheap,
# its man page and the copyright file, owned by root. Prints the path.
#
# VERSION comes from tools/ccheap/VERSION. Depends is computed from the
# binary by dpkg-shlibdeps. The compiler flags are Debian's
# (dpkg-buildflags: hardening, fortify). DEB_MAINTAINER="Name <mail>" sets
# the Maintainer field (default: git's user.name and user.email).
# SOURCE_DATE_EPOCH (default: the last commit of tools/ccheap) makes the
# package reproducible.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$CCHEAP_TOP/tools/ccheap
version=$(make -s -C "$src" version)
arch=$(dpkg --print-architecture)
out=$BUILD/deb
obj=$out/cli-obj
root=$out/cli-root
deb=$out/ccheap_${version}_$arch.deb
log=$LOGS/deb-cli.log
mkdir -p "$out"
: >"$log"

for t in dpkg-deb dpkg-shlibdeps dpkg-buildflags gzip strip; do
	command -v "$t" >/dev/null || die "deb-cli needs $t (apt-get install dpkg-dev binutils gzip)"
done
maint=$(deb_maintainer) || exit 1
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$CCHEAP_TOP" log -1 --format=%ct -- tools/ccheap 2>/dev/null || true)
	[ -n "$SOURCE_DATE_EPOCH" ] || SOURCE_DATE_EPOCH=$(date +%s)
fi
export SOURCE_DATE_EPOCH
commit=$(git -C "$CCHEAP_TOP" log -1 --format=%h -- tools/ccheap 2>/dev/null || true)
commit=${commit:-unknown}
first=$(git -C "$CCHEAP_TOP" log --reverse --format=%cd --date=format:%Y -- tools/ccheap 2>/dev/null | sed -n 1p)
last=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y)
years=${first:-$last}
[ "$years" = "$last" ] || years=$years-$last

# Debian's flags, all hardening on; run from the top so that its
# -ffile-prefix-map keeps build paths out of the binary.
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
flags() { (cd "$CCHEAP_TOP" && dpkg-buildflags --get "$1"); }
step "build ccheap $version (dpkg-buildflags)" "$log" \
	make -C "$src" OUT="$obj" all CFLAGS="$(flags CFLAGS)" \
	CPPFLAGS="$(flags CPPFLAGS)" LDFLAGS="$(flags LDFLAGS)" ||
	die "build of ccheap failed (log: ${log#"$CCHEAP_TOP"/})"

stage() {
	rm -rf "$root"
	install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" \
		"$root/usr/share/man/man1" "$root/usr/share/doc/ccheap"
	install -m 0755 "$obj/ccheap" "$root/usr/bin/ccheap"
	strip --strip-unneeded --remove-section=.comment --remove-section=.note \
		"$root/usr/bin/ccheap"
	gzip -9n <"$src/ccheap.1" >"$root/usr/share/man/man1/ccheap.1.gz"
	chmod 0644 "$root/usr/share/man/man1/ccheap.1.gz"
	cat >"$root/usr/share/doc/ccheap/copyright" <<-'EOF'
	Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
	Upstream-Name: ccheap
	Comment: Built from tools/ccheap of the ccheap workbench.

	Files: *
	Copyright: YEARS the ccheap contributors
	License: GPL-2
	 This program is free software; you can redistribute it and/or modify it
	 under the terms of the GNU General Public License version 2 as published
	 by the Free Software Foundation.
	 .
	 On Debian systems, the full text of the GNU General Public License
	 version 2 can be found in /usr/share/common-licenses/GPL-2.
	EOF
	sed -i "s/^Copyright: YEARS /Copyright: $years /" "$root/usr/share/doc/ccheap/copyright"
	chmod 0644 "$root/usr/share/doc/ccheap/copyright"
	# A native package's changelog: one entry, for this build
	{
		printf 'ccheap (%s) unstable; urgency=medium\n\n' "$version"
		printf '  * Built from tools/ccheap of the ccheap workbench, commit %s.\n\n' "$commit"
		printf ' -- %s  %s\n' "$maint" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
	} | gzip -9n >"$root/usr/share/doc/ccheap/changelog.gz"
	chmod 0644 "$root/usr/share/doc/ccheap/changelog.gz"
}
stage

# Depends from the libraries the binary links (libc only): dpkg-shlibdeps
# wants a debian/control naming the package, so it runs in a scratch dir.
shl=$(mktemp -d)
trap 'rm -rf "$shl"' EXIT
mkdir "$shl/debian"
printf 'Source: ccheap\n\nPackage: ccheap\nArchitecture: any\n' >"$shl/debian/control"
depends=$(cd "$shl" && dpkg-shlibdeps -O "$root/usr/bin/ccheap" 2>>"$log" |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || die "dpkg-shlibdeps found no dependencies (log: ${log#"$CCHEAP_TOP"/})"

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<EOF
Package: ccheap
Version: $version
Architecture: $arch
Maintainer: $maint
Installed-Size: $size
Depends: $depends
Section: utils
Priority: optional
Description: shared dma-buf heaps in confidential VMs
 ccheap shows which dma-buf heaps the running kernel offers and why the
 shared heap (/dev/dma_heap/system_cc_shared) is there or not, allocates
 from the heaps and checks that new buffers read zero, and compares their
 speed and page conversions. It is for confidential VMs (AMD SEV-SNP,
 Intel TDX, Arm CCA) whose kernel has the system_cc_shared heap, and runs
 on any Linux system.
EOF
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
find "$root" -type d -exec chmod 0755 {} +

step "dpkg-deb --build $(basename "$deb")" "$LOGS/deb-cli-build.log" \
	dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" ||
	die "dpkg-deb failed"
echo "$deb"
