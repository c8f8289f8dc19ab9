#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# series-suite.sh [--cross] BASE...: run check-series.sh (or, with --cross,
# cross-build.sh) for each BASE, save the TAP under build/results/series/
# and print a summary line per base; exit 1 if anything failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

script=check-series.sh
kind=series
if [ "${1:-}" = --cross ]; then
	script=cross-build.sh
	kind=cross
	shift
fi
[ $# -gt 0 ] || die "usage: series-suite.sh [--cross] BASE..."
out=$BUILD/results/series
mkdir -p "$out"
rc=0
for base in "$@"; do
	t0=$(date +%s)
	"$CCHEAP_TOP/scripts/$script" "$base" >"$out/$kind-$base.tap" 2>"$LOGS/$kind-$base.err" || rc=1
	python3 "$CCHEAP_TOP/scripts/results.py" summary --verbose --variant "$kind-$base" \
		"$out/$kind-$base.tap" >"$out/$kind-$base.summary" || rc=1
	cat "$out/$kind-$base.summary"
	echo "  ($(($(date +%s) - t0))s; TAP in build/results/series/$kind-$base.tap)"
done
exit $rc
