#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The checks of `make deb-test-dkms`, run at boot by ccheap-deb-test.service
# in a Debian trixie root with trixie-backports' own cloud kernel, where
# ccheap-dkms and ccheap were installed with dpkg -i. This VM is an
# ordinary one: the module must refuse, say why, and leave nothing. TAP on
# the console, each line prefixed "ccheap-deb-test| ", then
# "ccheap-deb-test| done"; the unit powers the VM off afterwards.
#
# /opt/ccheap-test/expect sets KREL (Debian's kernel release) and
# DKMS_VERSION.
set -u
# shellcheck source=/dev/null # written by scripts/deb-test-dkms.sh
. /opt/ccheap-test/expect
P='ccheap-deb-test| '
n=0
tmp=$(mktemp -d)

say() {
	printf '%s%s\n' "$P" "$*"
}

ok() { # ok STATUS NAME
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		say "ok $n $2"
	else
		say "not ok $n $2"
	fi
}

diag() { # diag FILE
	sed "s/^/$P#   /" "$1"
}

say "TAP version 13"

got=$(uname -r)
[ "$got" = "$KREL" ]
ok $? "uname -r is Debian's kernel $KREL (got $got)"

grep -q '^# CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED is not set' "/boot/config-$KREL"
ok $? "Debian's $KREL leaves the heap out (CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED is not set)"

modinfo -F vermagic system_cc_shared >"$tmp/vermagic" 2>&1
grep -q "^$KREL " "$tmp/vermagic"
ok $? "modinfo: system_cc_shared was built for $KREL"
diag "$tmp/vermagic"
modinfo -F filename system_cc_shared | sed "s/^/$P# filename: /"
modinfo -F signer system_cc_shared >"$tmp/signer" 2>&1
[ -s "$tmp/signer" ]
ok $? "DKMS signed the module with its MOK key (modinfo -F signer), as Secure Boot needs"
diag "$tmp/signer"

systemctl show -p ActiveState -p ConditionResult ccheap-cc-shared.service >"$tmp/unit" 2>&1
grep -qx 'ConditionResult=no' "$tmp/unit" && grep -qx 'ActiveState=inactive' "$tmp/unit"
ok $? "ccheap-cc-shared.service was skipped at boot (ConditionSecurity=cvm: not a confidential VM)"
diag "$tmp/unit"
systemctl is-enabled ccheap-cc-shared.service >"$tmp/enabled" 2>&1
grep -qx enabled "$tmp/enabled"
ok $? "ccheap-cc-shared.service is enabled"

[ ! -e /sys/module/system_cc_shared ] && [ ! -e /dev/dma_heap/system_cc_shared ]
ok $? "the module is not loaded and there is no /dev/dma_heap/system_cc_shared"
[ -c /dev/dma_heap/system ]
ok $? "Debian's own system heap is there"

modprobe system_cc_shared >"$tmp/modprobe" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q 'No such device' "$tmp/modprobe"
ok $? "modprobe system_cc_shared fails with ENODEV"
diag "$tmp/modprobe"

dmesg | sed -n 's/^\[[^]]*\] //; /^system_cc_shared: /p' |
	grep -v -e 'loading out-of-tree module taints kernel' \
		-e 'module verification failed: signature and/or required key missing' | sort -u >"$tmp/lines"
[ "$(wc -l <"$tmp/lines")" -eq 1 ] &&
	grep -qx 'system_cc_shared: not registered: not a confidential guest (no guest memory encryption)' "$tmp/lines"
ok $? "the kernel log says why, in one line"
diag "$tmp/lines"

ccheap info >"$tmp/info" 2>&1
grep -q 'ccheap-dkms installed, not loaded: not a CoCo guest' "$tmp/info"
ok $? "ccheap info says the module is installed and why it is not loaded"
diag "$tmp/info"

dmesg | grep -E 'BUG:|WARNING:|Oops|Call Trace|general protection|kernel BUG|UBSAN|KASAN' >"$tmp/bad"
[ ! -s "$tmp/bad" ]
ok $? "dmesg is clean (no BUG, WARNING, Oops or call trace)"
diag "$tmp/bad"

systemctl --failed --no-legend --plain >"$tmp/failed" 2>&1
! grep -q ccheap-cc-shared "$tmp/failed"
ok $? "no failed ccheap unit"
diag "$tmp/failed"

say "done"
rm -rf "$tmp"
