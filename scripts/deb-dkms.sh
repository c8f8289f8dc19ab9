#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deb-dkms.sh: build build/deb/ccheap-dkms_VERSION_all.deb, the
# system_cc_shared heap as a DKMS module for kernels from 7.1 on whose
# configuration leaves the heap out, with dpkg-deb alone. Prints the path.
#
# Contents: the module's source in /usr/src/ccheap-VERSION
# (scripts/dkms-source.sh: kernel/common's heap files and dkms/), which
# the postinst hands to DKMS (add, build, install for the running kernel
# and each kernel with headers; kernels dkms.conf excludes are skipped,
# saying why); the unit ccheap-cc-shared.service, which loads the module
# at boot in a confidential VM only (ConditionSecurity=cvm); the
# copyright file and changelog. DEB_MAINTAINER and SOURCE_DATE_EPOCH as
# for deb-cli.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

version=$(cat "$CCHEAP_TOP/tools/ccheap/VERSION")
out=$BUILD/deb
root=$out/dkms-root
deb=$out/ccheap-dkms_${version}_all.deb
log=$LOGS/deb-dkms.log
mkdir -p "$out"
: >"$log"

for t in dpkg-deb gzip md5sum; do
	command -v "$t" >/dev/null || die "deb-dkms needs $t (apt-get install dpkg-dev gzip)"
done
maint=$(deb_maintainer) || exit 1
paths=(dkms kernel/common tools/ccheap/VERSION scripts/dkms-source.sh scripts/deb-dkms.sh)
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$CCHEAP_TOP" log -1 --format=%ct -- "${paths[@]}" 2>/dev/null || true)
	[ -n "$SOURCE_DATE_EPOCH" ] || SOURCE_DATE_EPOCH=$(date +%s)
fi
export SOURCE_DATE_EPOCH
commit=$(git -C "$CCHEAP_TOP" log -1 --format=%h -- "${paths[@]}" 2>/dev/null || true)
commit=${commit:-unknown}
last=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y)

rm -rf "$root"
src=$root/usr/src/ccheap-$version
doc=$root/usr/share/doc/ccheap-dkms
unit=$root/usr/lib/systemd/system
"$CCHEAP_TOP/scripts/dkms-source.sh" "$src" >>"$log" 2>&1 ||
	die "the DKMS source could not be assembled (log: ${log#"$CCHEAP_TOP"/})"
install -d -m 0755 "$root/DEBIAN" "$doc" "$unit"
install -m 0644 "$CCHEAP_TOP/dkms/ccheap-cc-shared.service" "$unit/"

cat >"$doc/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: ccheap
Comment: The system_cc_shared dma-buf heap of the ccheap kernel series,
 built as a module by DKMS.

Files: *
Copyright: $last the ccheap contributors
License: GPL-2
 This program is free software; you can redistribute it and/or modify it
 under the terms of the GNU General Public License version 2 as published
 by the Free Software Foundation.
 .
 On Debian systems, the full text of the GNU General Public License
 version 2 can be found in /usr/share/common-licenses/GPL-2.
COPYRIGHT
{
	printf 'ccheap-dkms (%s) unstable; urgency=medium\n\n' "$version"
	printf '  * Built from dkms/ and kernel/common of the ccheap workbench, commit %s.\n\n' "$commit"
	printf ' -- %s  %s\n' "$maint" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/copyright" "$doc/changelog.gz"

# Maintainer scripts: DKMS's own helper does add, build and install; the
# unit is enabled, and started at once (in a confidential VM the heap then
# appears without a reboot; elsewhere its condition skips it).
cat >"$root/DEBIAN/postinst" <<POSTINST
#!/bin/sh
set -e

if [ "\$1" = configure ]; then
	/usr/lib/dkms/common.postinst ccheap $version "" "" "\$2"
	if command -v deb-systemd-helper >/dev/null; then
		deb-systemd-helper unmask ccheap-cc-shared.service >/dev/null || true
		deb-systemd-helper enable ccheap-cc-shared.service >/dev/null || true
	fi
	if [ -d /run/systemd/system ] && command -v deb-systemd-invoke >/dev/null; then
		systemctl --system daemon-reload >/dev/null || true
		deb-systemd-invoke start ccheap-cc-shared.service >/dev/null || true
	fi
fi
POSTINST
cat >"$root/DEBIAN/prerm" <<PRERM
#!/bin/sh
set -e

case "\$1" in
remove | upgrade | deconfigure)
	if command -v dkms >/dev/null && dkms status -m ccheap -v $version | grep -q .; then
		dkms remove -m ccheap -v $version --all
	fi
	;;
esac
PRERM
cat >"$root/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
set -e

if [ -d /run/systemd/system ]; then
	systemctl --system daemon-reload >/dev/null || true
fi
if [ "$1" = remove ] && command -v deb-systemd-helper >/dev/null; then
	deb-systemd-helper mask ccheap-cc-shared.service >/dev/null || true
fi
if [ "$1" = purge ] && command -v deb-systemd-helper >/dev/null; then
	deb-systemd-helper purge ccheap-cc-shared.service >/dev/null || true
	deb-systemd-helper unmask ccheap-cc-shared.service >/dev/null || true
fi
POSTRM
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: ccheap-dkms
Version: $version
Architecture: all
Maintainer: $maint
Installed-Size: $size
Depends: dkms (>= 3.0.10), kmod
Recommends: ccheap, openssl
Section: kernel
Priority: optional
Description: shared dma-buf heap for confidential VMs (DKMS)
 Adds /dev/dma_heap/system_cc_shared to kernels from 7.1 on that have
 DMA_ATTR_CC_SHARED but not the heap (Debian's 7.3 leaves it out): memory
 shared with the hypervisor once, at allocation, that devices reach
 without swiotlb bouncing, as rdma-core 64 and later use it. It is
 ccheap's heap, with its fixes and its pool of shared 2 MiB blocks,
 built from the same source as ccheap's kernel series.
 .
 The module loads at boot in a confidential VM (AMD SEV-SNP, Intel TDX)
 and refuses to load elsewhere. DKMS builds it for each installed kernel
 with headers and signs it with the machine's MOK key for Secure Boot.
CONTROL
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
find "$root" -type d -exec chmod 0755 {} +
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

step "dpkg-deb --build $(basename "$deb")" "$LOGS/deb-dkms-build.log" \
	dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" ||
	die "dpkg-deb failed"
echo "$deb"
