#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# demo.sh [VARIANT]: build the 7.3 variant (or VARIANT), boot it as an
# ordinary and as an emulated confidential guest, and show the ccheap CLI
# telling the story (guest/demo). Full logs: build/results/demo/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:-${VARIANT:-7.3}}
results=$BUILD/results/demo
cat <<'EOT'
ccheap demo: shared dma-buf memory for confidential VMs
=======================================================
Building a test kernel (7.3 + the ccheap series) and booting it in QEMU,
first as an ordinary VM, then as an emulated confidential VM. The first
build takes a few minutes; later runs take well under a minute.

EOT
rc=0
PLAN=$CCHEAP_TOP/guest/demo.plan RESULTS=$results TESTS= EXTRA_TESTS= \
	"$CCHEAP_TOP/scripts/run-guest.sh" "$variant" >"$LOGS/demo.log" 2>&1 || rc=$?
echo
for boot in plain emu; do
	log=$results/$boot.console.log
	[ -f "$log" ] || continue
	# The demo's output is the indented block of its test in the TAP stream.
	sed -n '/^TAP version 13/,/^ccheap-runner: done/p' "$log" |
		sed -n 's/^    //p' | tr -d '\r'
done
if [ $rc -ne 0 ]; then
	echo "The demo did not run to the end; see build/logs/demo.log and $results." >&2
	grep -E 'FAIL|error' "$LOGS/demo.log" >&2 || true
	exit 1
fi
echo "Everything above ran in the guest; full console logs are in build/results/demo/."
