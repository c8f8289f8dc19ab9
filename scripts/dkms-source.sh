#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# dkms-source.sh DEST: write the source of ccheap-dkms to DEST, as DKMS
# finds it in /usr/src/ccheap-VERSION: dkms.conf (VERSION from
# tools/ccheap/VERSION), dkms/'s Kbuild, Makefile and cc_shared_pool.c,
# and the heap's files as kernel/common keeps them for the 7.3 series
# (system_heap.c, system_cc_shared.c and .h): one source for the series
# and the module. Fails if kernel/common does not match the queues.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dest=${1:?usage: dkms-source.sh DEST}
version=$(cat "$CCHEAP_TOP/tools/ccheap/VERSION")
heaps=$KDIR/common/drivers/dma-buf/heaps
"$CCHEAP_TOP/scripts/common.sh" check >/dev/null ||
	die "kernel/common does not match the patch queues (scripts/common.sh check)"
rm -rf "$dest"
mkdir -p "$dest"
for f in Kbuild Makefile cc_shared_pool.c; do
	install -m 0644 "$CCHEAP_TOP/dkms/$f" "$dest/$f"
done
for f in system_heap.c system_cc_shared.c system_cc_shared.h; do
	install -m 0644 "$heaps/$f" "$dest/$f"
done
sed "s/@VERSION@/$version/" "$CCHEAP_TOP/dkms/dkms.conf.in" >"$dest/dkms.conf"
chmod 0644 "$dest/dkms.conf"
echo "$dest"
