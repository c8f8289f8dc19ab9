#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# selftest.sh VARIANT: the workbench tests itself against a built kernel.
# A failing guest test, a kernel WARN during a test and a hung guest must
# each make `make test` fail and name the cause; a patch that does not apply
# must be named; the real series must round-trip byte for byte.
# Prints TAP; writes build/results/harness/summary.txt via results.py.
set -uo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

variant=${1:-6.12}
base=$(variant_base "$variant")
out=$BUILD/results/harness
rm -rf "$out"
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0

result() { # OK NAME [REASON]
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2 # $3"; fi
}

# guest_fails NAME PATTERN SCRIPT [TIMEOUT]: an extra guest test made of
# SCRIPT must make `make test` exit nonzero with PATTERN in its output.
guest_fails() {
	local name=$1 pat=$2 rc
	rm -rf "$tmp/extra" && mkdir -p "$tmp/extra"
	printf '#!/bin/sh\n%s\n' "$3" >"$tmp/extra/$name"
	chmod +x "$tmp/extra/$name"
	RESULTS=$BUILD/results/harness-$name make -s -C "$CCHEAP_TOP" test VARIANT="$variant" \
		EXTRA_TESTS="$tmp/extra" TESTS="plain/extra-$name" TIMEOUT="${4:-120}" \
		>"$tmp/log" 2>&1
	rc=$?
	cp "$tmp/log" "$out/$name.log"
	if [ $rc -ne 0 ] && grep -qE "$pat" "$tmp/log"; then
		result 0 "$name makes make test fail and names the cause"
	else
		result 1 "$name makes make test fail and names the cause" \
			"status $rc, no /$pat/ in build/results/harness/$name.log"
	fi
}

{
	echo "TAP version 13"
	echo "1..7"
	guest_fails failing-test 'FAIL +plain/extra-failing-test \(exit status 3\)' 'exit 3'
	guest_fails kernel-warn 'FAIL +plain/extra-kernel-warn \(dmesg: .*WARNING:' \
		'echo WARNING > /sys/kernel/debug/provoke-crash/DIRECT'
	guest_fails guest-hang 'FAIL +plain/extra-guest-hang \(guest hung \(timeout\)\)' \
		'echo SOFTLOCKUP > /sys/kernel/debug/provoke-crash/DIRECT' 40

	# A kernel built without a required option (here the heap) fails to
	# build, naming the option, before anything is compiled.
	echo '# CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED is not set' >"$tmp/broken.config"
	OBJ=$tmp/obj-broken EXTRA_CONFIG=$tmp/broken.config \
		"$CCHEAP_TOP/scripts/build-kernel.sh" "$variant" >"$tmp/log" 2>&1
	rc=$?
	grep -q "required option CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED is not set" "$tmp/log" &&
		[ $rc -ne 0 ]
	result $? "a kernel without the heap fails its build, naming the option" \
		"status $rc: $(tail -n 2 "$tmp/log" | tr '\n' ' ')"
	rm -rf "$tmp/obj-broken"

	# A patch that does not apply, in a scratch copy of the queue.
	cp -r "$KDIR" "$tmp/kernel"
	printf 'From: x <x@invalid>\nSubject: [PATCH] broken\n\n---\n--- a/Makefile\n+++ b/Makefile\n@@ -1,1 +1,1 @@\n-no such line\n+x\n' \
		>"$tmp/kernel/$base/9999-broken.patch"
	echo 9999-broken.patch >>"$tmp/kernel/$base/series"
	CCHEAP_KERNEL=$tmp/kernel "$CCHEAP_TOP/scripts/verify-series.sh" "$base" >"$tmp/log" 2>&1
	rc=$?
	grep -q "error: kernel/$base/9999-broken.patch does not apply" "$tmp/log" && [ $rc -ne 0 ]
	result $? "a patch that does not apply is named" "status $rc: $(tail -n 2 "$tmp/log" | tr '\n' ' ')"

	for b in 6.12 7.3; do
		"$CCHEAP_TOP/scripts/verify-series.sh" "$b" >"$tmp/log" 2>&1
		result $? "series kernel/$b applies and round-trips byte for byte" "$(tail -n 2 "$tmp/log" | tr '\n' ' ')"
	done
} >"$out/harness.tap"
cat "$out/harness.tap"
python3 "$CCHEAP_TOP/scripts/results.py" summary --variant harness "$out/harness.tap" | tee "$out/summary.txt"
