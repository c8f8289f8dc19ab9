#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh: ours (VARIANT 7.3) and mainline (7.3-stock) side by side. Build
# and boot each as an emulated confidential guest (run-guest.sh builds
# incrementally), run the same `ccheap bench` there (guest/bench.plan),
# cut its JSON out of each console log, and print one table
# (scripts/bench-table.py), also written to build/results/bench.md.
# Logs: build/logs/bench-VARIANT.log; consoles, TAP and JSON:
# build/results/bench/.
#
# Environment: BENCH_OURS, BENCH_STOCK (the two variants, default 7.3 and
# 7.3-stock), TIMEOUT (per boot, default 900 s), KVM=1.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ours=${BENCH_OURS:-7.3}
stock=${BENCH_STOCK:-7.3-stock}
out=$BUILD/results/bench
table=$BUILD/results/bench.md
mkdir -p "$out"
inputs=()
for v in "$ours" "$stock"; do
	variant_base "$v" >/dev/null
	# bench-VARIANT: run-guest.sh names the guest's scratch directory after
	# it, which must differ from that of `make test VARIANT=...`.
	res=$out/bench-$v
	log=$LOGS/bench-$v.log
	printf 'bench: %-12s build, boot, ccheap bench (log: %s)\n' "$v" "${log#"$CCHEAP_TOP"/}" >&2
	rc=0
	PLAN=$CCHEAP_TOP/guest/bench.plan RESULTS=$res TESTS='' EXTRA_TESTS='' DEBUG='' \
		TIMEOUT=${TIMEOUT:-900} "$CCHEAP_TOP/scripts/run-guest.sh" "$v" >"$log" 2>&1 || rc=$?
	console=$res/emu.console.log
	if [ ! -f "$console" ]; then
		tail -n 15 "$log" | sed 's/^/    | /' >&2
		die "$v: no console log, the guest did not boot (see ${log#"$CCHEAP_TOP"/})"
	fi
	# A failed test (e.g. a kernel report during the bench) is worth
	# knowing, but the table is still made if the JSON is there.
	[ $rc -eq 0 ] || note "$v: the bench boot did not pass cleanly (see ${res#"$CCHEAP_TOP"/}/summary.txt)"
	inputs+=("$v=$console")
done
python3 "$CCHEAP_TOP/scripts/bench-table.py" --out "$table" --json-dir "$out" "${inputs[@]}" ||
	die "no table: see the console logs in ${out#"$CCHEAP_TOP"/}"
echo "${table#"$CCHEAP_TOP"/}" >&2
