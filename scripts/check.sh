#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check.sh [VARIANT...]: the full suite. Host-side tests, then every variant
# built, booted and tested, then the packaging path (the minimal kernel
# package); a comparison table; and, as the very last line,
# "N passed, N failed[, N skipped]". Exit status 1 on any failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

t0=$(date +%s)
variants=${*:-$VARIANTS}
summaries=()

echo "== host tests" >&2
"$CCHEAP_TOP/tests/host/run.sh"
summaries+=("$BUILD/results/host/summary.txt")

dirs=()
for v in $variants; do
	flavour=$v
	[ "${DEBUG:-0}" = 1 ] && flavour=$v-debug
	rm -f "$BUILD/results/$flavour/summary.txt"
	"$CCHEAP_TOP/scripts/run-guest.sh" "$v" || true
	summaries+=("$BUILD/results/$flavour/summary.txt")
	[ -d "$BUILD/results/$flavour" ] && dirs+=("$BUILD/results/$flavour")
done
# The packaging path: the minimal 6.12 kernel package built, inspected
# with dpkg-deb and its kernel booted (scripts/deb-check.sh).
rm -f "$BUILD/results/deb/summary.txt"
"$CCHEAP_TOP/scripts/deb-check.sh" || true
summaries+=("$BUILD/results/deb/summary.txt")
# The harness tests itself on the first variant (kernel already built).
echo "== harness self-test" >&2
set -- $variants
"$CCHEAP_TOP/tests/harness/selftest.sh" "$1" >/dev/null
summaries+=("$BUILD/results/harness/summary.txt")
cat "$BUILD/results/harness/summary.txt" >&2

if [ ${#dirs[@]} -gt 0 ]; then
	python3 "$CCHEAP_TOP/scripts/results.py" table --out "$BUILD/results/table.md" "${dirs[@]}"
	echo "table: build/results/table.md" >&2
fi
echo "time: $(($(date +%s) - t0))s" >&2
python3 "$CCHEAP_TOP/scripts/results.py" final "${summaries[@]}"
