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

# expect_ok NAME CMD...: CMD succeeds and prints nothing
expect_ok() {
	local name=$1 rc
	shift
	n=$((n + 1))
	"$@" >"$tmp/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && [ ! -s "$tmp/out" ]; then
		echo "ok $n $name"
	else
		echo "not ok $n $name # status $rc, output: $(head -c 300 "$tmp/out" | tr '\n' ' ')"
		fails=$((fails + 1))
	fi
}

echo "TAP version 13"
echo "1..9"
expect_error "bad VARIANT is named" "^error: unknown VARIANT 'nope' \(known: 6.12 7.3 7.3-stock 7.3-dkms\)" \
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

# Required kernel options (config/kconfig-required), as build-kernel.sh
# checks them in the .config it built.
grep -v '^[[:space:]]*\(#\|$\)' "$top/config/kconfig-required" | sed 's/[[:space:]].*//; s/$/=y/' \
	>"$tmp/full.config"
req() { bash -c '. "$1/scripts/lib.sh" && require_options "$2" "$3"' req "$top" "$@"; }
expect_ok "a .config with every required option passes" req 7.3 "$tmp/full.config"
expect_error "7.3-dkms: the heap built in is an error (the module is the heap there)" \
	"^error: 7.3-dkms-debug: CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED must be off in $tmp/full.config\$" \
	req 7.3-dkms-debug "$tmp/full.config"
grep -v '^CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED=' "$tmp/full.config" >"$tmp/dkms.config"
echo "# CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED is not set" >>"$tmp/dkms.config"
expect_ok "7.3-dkms: every other required option and the heap off passes" req 7.3-dkms "$tmp/dkms.config"
expect_error "7.3: the heap off is a missing option" \
	"^error: 7.3: required option CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED is not set in $tmp/dkms.config\$" \
	req 7.3 "$tmp/dkms.config"
grep -v '^CONFIG_TEST_DMABUF=' "$tmp/full.config" >"$tmp/one.config"
echo "# CONFIG_TEST_DMABUF is not set" >>"$tmp/one.config"
expect_error "a missing required option is named with the variant" \
	"^error: 7.3-stock: required option CONFIG_TEST_DMABUF is not set in $tmp/one.config\$" \
	req 7.3-stock "$tmp/one.config"
grep -v '^CONFIG_X86_CC_EMULATION' "$tmp/full.config" | sed '/^CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED=/s/=y$/=m/' \
	>"$tmp/three.config"
expect_error "every missing required option is named" \
	"^error: 6.12-debug: required options CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED CONFIG_X86_CC_EMULATION CONFIG_X86_CC_EMULATION_KUNIT_TEST are not set in " \
	req 6.12-debug "$tmp/three.config"
expect_error "a missing .config is an error" "^error: 7.3: no kernel configuration " \
	req 7.3 "$tmp/nonexistent"
exit $((fails > 0))
