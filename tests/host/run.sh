#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host-side tests: the harness's own parsing and summary (results.py), the
# CLI's unit tests, and the scripts' error handling that needs no kernel.
# Writes build/results/host/*.tap and summary.txt.
set -uo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

out=$BUILD/results/host
rm -rf "$out"
mkdir -p "$out"
python3 "$CCHEAP_TOP/tests/host/taprunner.py" >"$out/results-py.tap" 2>"$out/results-py.err"
"$CCHEAP_TOP/tests/host/scripts-test.sh" >"$out/scripts.tap" 2>&1
for t in "$CCHEAP_TOP"/tests/host/*.tapgen; do
	[ -x "$t" ] && "$t" >"$out/$(basename "$t" .tapgen).tap" 2>&1
done
python3 "$CCHEAP_TOP/scripts/results.py" summary --variant host "$out"/*.tap | tee "$out/summary.txt"
