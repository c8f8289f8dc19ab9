#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The checks of `make deb-test`, run at boot by ccheap-deb-test.service in
# a Debian root file system where our kernel package and the ccheap package
# were installed with dpkg -i. Writes TAP to the console, each line
# prefixed "ccheap-deb-test| ", then "ccheap-deb-test| done"; the unit
# powers the VM off afterwards.
#
# /opt/ccheap-test/expect sets KREL (the kernel release of our package),
# CCHEAP_VERSION and TESTSYMS (config symbols of the test infrastructure).
set -u
# shellcheck source=/dev/null # written by scripts/deb-test.sh
. /opt/ccheap-test/expect
P='ccheap-deb-test| '
n=0

say() {
	printf '%s%s\n' "$P" "$*"
}

# ok STATUS NAME: one TAP result
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		say "ok $n $2"
	else
		say "not ok $n $2"
	fi
}

# diag FILE: the file as TAP comments
diag() {
	sed "s/^/$P#   /" "$1"
}

say "TAP version 13"
cfg=/boot/config-$KREL

got=$(uname -r)
[ "$got" = "$KREL" ]
ok $? "uname -r is our kernel $KREL (got $got)"

dpkg-query -W -f='${Status}\n' "linux-image-$KREL" 2>/dev/null | grep -qx 'install ok installed'
ok $? "linux-image-$KREL is installed (dpkg)"

grep -qx 'CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED=y' "$cfg"
ok $? "$cfg has CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED=y"

found=
for s in $TESTSYMS; do
	grep -q "^$s=" "$cfg" && found="$found $s"
done
[ -z "$found" ] && [ ! -e /dev/test_dmabuf ] && [ ! -e /sys/kernel/debug/cc_emu ]
ok $? "no test infrastructure (config:${found:- none}; /dev/test_dmabuf, debugfs cc_emu absent)"

[ -c /dev/dma_heap/system ]
ok $? "/dev/dma_heap/system exists"

[ ! -e /dev/dma_heap/system_cc_shared ]
ok $? "/dev/dma_heap/system_cc_shared is absent (not a confidential guest)"

got=$(ccheap --version 2>&1)
[ "$got" = "ccheap $CCHEAP_VERSION" ]
ok $? "ccheap --version is $CCHEAP_VERSION (got $got)"

ccheap info >/tmp/info.txt 2>&1
rc=$?
diag /tmp/info.txt
[ $rc -eq 0 ] && grep -q '^shared heap: *none: not a CoCo guest' /tmp/info.txt
ok $? "ccheap info says why there is no shared heap: not a CoCo guest"

ccheap info --json >/tmp/info.json 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q '"reason": "not_coco_guest"' /tmp/info.json
ok $? "ccheap info --json: shared_heap_missing.reason is not_coco_guest"

# Upstream's selftest; vgem (DRM) is optional and the import test skips
# without it.
modprobe vgem >/dev/null 2>&1
/opt/ccheap-test/dmabuf-heap >/tmp/selftest.txt 2>&1
rc=$?
diag /tmp/selftest.txt
[ $rc -eq 0 ]
ok $? "upstream dmabuf-heaps selftest passes (exit status $rc)"

dmesg >/tmp/dmesg.txt 2>&1
grep -E 'BUG:|WARNING:|Oops|Call Trace:|general protection' /tmp/dmesg.txt >/tmp/reports.txt
[ ! -s /tmp/reports.txt ]
ok $? "no kernel warnings, BUGs or oopses in dmesg"
[ -s /tmp/reports.txt ] && diag /tmp/reports.txt

say "1..$n"
say "done"
