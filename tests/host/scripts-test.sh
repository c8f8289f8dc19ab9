#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Error handling of the workbench scripts that needs no kernel tree: each
# bad input must end with a clear one-line error and a nonzero status.
# Prints TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0

# expect_error NAME PATTERN CMD...: CMD fails and its stderr matches PATTERN
expect_error() {
	local name=$1 pat=$2 rc
	shift 2
	n=$((n + 1))
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ] && grep -qE "$pat" "$tmp/err"; then
		echo "ok $n $name"
	else
		echo "not ok $n $name # status $rc, stderr: $(head -c 300 "$tmp/err" | tr '\n' ' ')"
		fails=$((fails + 1))
	fi
}

echo "TAP version 13"
echo "1..5"
expect_error "bad VARIANT is named" "^error: unknown VARIANT 'nope' \(known: 6.12 7.3 7.3-stock\)" \
	"$top/scripts/run-guest.sh" nope
expect_error "bad VARIANT via make" "^error: unknown VARIANT 'x'" \
	make -s -C "$top" test VARIANT=x
expect_error "export of an unknown base" "^error: unknown VARIANT '5.4'" \
	"$top/scripts/export-series.sh" 5.4

mkdir -p "$tmp/kernel/6.12"
echo "PIN_PACKAGE=linux-source-6.12" >"$tmp/kernel/6.12/pin"
expect_error "pin without version" "must set PIN_PACKAGE and PIN_VERSION" \
	env CCHEAP_KERNEL="$tmp/kernel" "$top/scripts/fetch-base.sh" 6.12
# A version the archive does not have. Needs the network for apt-get update;
# without it the error names that instead, which is also a clear error.
printf 'PIN_PACKAGE=linux-source-6.12\nPIN_VERSION=6.12.0-999\n' >"$tmp/kernel/6.12/pin"
expect_error "missing base version" "base version linux-source-6.12=6.12.0-999 is not available|apt-get update failed" \
	env CCHEAP_KERNEL="$tmp/kernel" CCHEAP_CACHE="$tmp/cache" STRICT_PIN=1 \
	"$top/scripts/fetch-base.sh" 6.12
exit $((fails > 0))
