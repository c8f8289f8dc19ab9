#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check.sh [VARIANT...]: the full suite. Host-side tests, the install step
# (deps.sh and the host tests in a new Debian 12 root), then every variant
# built, booted and tested, then the packaging path (the minimal kernel
# package); a comparison table; and, as the very last line,
# "N passed, N failed[, N skipped]". Exit status 1 on any failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

t0=$(date +%s)
variants=${*:-$VARIANTS}
summaries=()

# Builds overlap the tests. A guest boot runs on one core under TCG (two
# in the SMP boots), the host tests on about one: the next variant's
# kernel is built meanwhile, in the background at the lowest priority, so
# that the tests keep their core and their timing. run-guest.sh then
# finds it built (or waits for it: build-kernel.sh runs under the object
# tree's lock, as run-guest.sh's own build does). Its output is in
# build/logs/prebuild-VARIANT.log; a failure shows again, with its
# cause, when run-guest.sh builds the variant.
prebuild_pid=
prebuild() { # VARIANT
	local obj flavour=$1
	[ "${DEBUG:-0}" = 1 ] && flavour=$1-debug
	obj=$(variant_obj "$1" "${DEBUG:-0}")
	mkdir -p "$(dirname "$obj")"
	nice -n 19 flock "$obj.lock" "$CCHEAP_TOP/scripts/build-kernel.sh" "$1" \
		>"$LOGS/prebuild-$flavour.log" 2>&1 &
	prebuild_pid=$!
}
prebuild_wait() {
	[ -n "$prebuild_pid" ] && wait "$prebuild_pid"
	prebuild_pid=
}
# shellcheck disable=SC2086 # a list of words
set -- $variants
prebuild "$1"

# The install step: scripts/deps.sh, then the host tests, in a new minimal
# Debian 12 root (scripts/fresh-check.sh): every tool they use installed.
# Beside the host tests (each keeps about one core; neither needs the
# other's files), its report printed after theirs. Not beside the
# variants: with the host loaded by it, the oom boot's concurrent requests
# were once more met by the OOM killer on 7.3 (ledger: rel-oom-concurrent,
# reopened).
rm -f "$BUILD/results/fresh/summary.txt"
"$CCHEAP_TOP/scripts/fresh-check.sh" >"$LOGS/check-fresh.out" 2>&1 &
fresh_pid=$!
echo "== host tests" >&2
"$CCHEAP_TOP/tests/host/run.sh"
summaries+=("$BUILD/results/host/summary.txt")
wait "$fresh_pid" || true
cat "$LOGS/check-fresh.out" >&2
summaries+=("$BUILD/results/fresh/summary.txt")

dirs=()
# shellcheck disable=SC2086
set -- $variants
for v in $variants; do
	shift
	flavour=$v
	[ "${DEBUG:-0}" = 1 ] && flavour=$v-debug
	rm -f "$BUILD/results/$flavour/summary.txt"
	# One tree, one git at a time: the next variant's prepare-tree.sh
	# starts only when this one's build is done.
	prebuild_wait || true
	"$CCHEAP_TOP/scripts/build-kernel.sh" "$v" >"$LOGS/build-$flavour-check.log" 2>&1 || true
	if [ $# -gt 0 ]; then
		prebuild "$1"
	else
		# After the last variant's build: the minimal package's.
		nice -n 19 "$CCHEAP_TOP/scripts/deb-check.sh" --build \
			>"$LOGS/prebuild-deb.log" 2>&1 &
		prebuild_pid=$!
	fi
	"$CCHEAP_TOP/scripts/run-guest.sh" "$v" || true
	summaries+=("$BUILD/results/$flavour/summary.txt")
	[ -d "$BUILD/results/$flavour" ] && dirs+=("$BUILD/results/$flavour")
done
prebuild_wait || true
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
