#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run-guest.sh VARIANT: build VARIANT's kernel and guest, boot it once per
# boot in tests/plan, and write TAP to build/results/VARIANT[-debug]/.
#
# Environment:
#   TESTS=glob[,glob]  only tests whose NAME or BOOT/NAME matches
#   EXTRA_TESTS=dir    static executables in dir are added to every boot
#   CMDLINE="..."      extra kernel arguments for every boot
#   TIMEOUT=seconds    hard limit per boot (default: the sum of its tests'
#                      limits plus 120 s, at least 600)
#   KVM=1              use KVM instead of TCG (nested KVM hangs here)
#   DEBUG=1            the debug variant (debug.config on top)
#   RESULTS=dir        write results there instead (the harness self-test)
#   PLAN=file          another plan than tests/plan (make demo)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:?usage: run-guest.sh VARIANT}
PLAN=${PLAN:-$CCHEAP_TOP/tests/plan}
[ -f "$PLAN" ] || die "no test plan $PLAN"
base=$(variant_base "$variant")
flavour=$variant
[ "${DEBUG:-0}" = 1 ] && flavour=$variant-debug
echo "== $flavour" >&2
obj=$(variant_obj "$variant" "${DEBUG:-0}")
# One build at a time per object tree: two runs of the same variant (e.g. a
# test loop next to make check) would otherwise both reconfigure it.
mkdir -p "$(dirname "$obj")"
kernel=$(flock "$obj.lock" "$CCHEAP_TOP/scripts/build-kernel.sh" "$variant")
src=$(variant_src "$variant")
results=${RESULTS:-$BUILD/results/$flavour}
guest=$BUILD/guest/$flavour-$(basename "$results")
rm -rf "$results" "$guest"
mkdir -p "$results" "$guest/tests"

# build-kernel.sh installed the UAPI headers in $obj/usr/include (or the
# kernel cache did).
# Built once per flavour and kept (make rebuilds what a change of the
# tests or of the tree's headers touches): make check boots a variant
# more than once (the harness self-test's three boots).
bins=$BUILD/guest/bin-$flavour
step "guest test binaries" "$LOGS/guest-cc-$flavour.log" \
	make -C "$CCHEAP_TOP/tests/guest" OUT="$bins" \
	KSRC="$src" KHDR="$obj/usr/include" || die "guest tests do not build"
cp "$bins"/* "$guest/tests/"
# The CLI (static) and the demo, check and bench scripts go into every guest.
step "ccheap CLI (static)" "$LOGS/guest-ccheap-$flavour.log" \
	make -C "$CCHEAP_TOP/tools/ccheap" static OUT="$BUILD/guest/ccheap" ||
	die "the ccheap CLI does not build"
cp "$BUILD/guest/ccheap/ccheap-static" "$guest/tests/ccheap"
cp "$CCHEAP_TOP/guest/demo" "$CCHEAP_TOP/guest/cli-check" "$CCHEAP_TOP/guest/bench" \
	"$CCHEAP_TOP/guest/dkms-check" "$guest/tests/"
if [ -n "${EXTRA_TESTS:-}" ]; then
	[ -d "$EXTRA_TESTS" ] || die "EXTRA_TESTS=$EXTRA_TESTS is not a directory"
	for f in "$EXTRA_TESTS"/*; do
		[ -f "$f" ] && [ -x "$f" ] && cp "$f" "$guest/tests/"
	done
fi

ver=$(cat "$BUILD/src/$base/.git/ccheap-version")
{
	echo "variant $flavour"
	echo "base $(sed -n 's/^PIN_PACKAGE=//p' "$KDIR/$base/pin") $ver"
	echo "series $(git -C "$src" rev-list --count base..HEAD) patches on top"
} >"$results/info"

# plan_boots: the boots of the plan that this variant runs.
# in_list ITEM LIST: awk helper source, true if ITEM is in comma-list LIST
IN_LIST='function in_list(x, l,   a, i) { split(l, a, ","); for (i in a) if (a[i] == x) return 1; return 0 }'
plan_boots() {
	awk -v v="$variant" -v f="$flavour" "$IN_LIST"'
		$1 == "boot" {
			ok = 1
			if ($3 ~ /^VARIANTS=/)
				ok = in_list(v, substr($3, 10)) || in_list(f, substr($3, 10))
			if (ok) print $2
		}' "$PLAN"
}
boot_cmdline() {
	awk -v b="$1" '$1 == "boot" && $2 == b {
		s = ""
		for (i = 3; i <= NF; i++) if ($i !~ /^(VARIANTS|SMP)=/) s = s " " $i
		print s
	}' "$PLAN"
}
# boot_smp BOOT: the vCPUs of BOOT (SMP=N on its line; default 1, and 2
# for debug kernels, so that lockdep and KASAN see real concurrency)
boot_smp() {
	awk -v b="$1" -v d="$([ "${DEBUG:-0}" = 1 ] && echo 2 || echo 1)" '$1 == "boot" && $2 == b {
		n = d
		for (i = 3; i <= NF; i++) if ($i ~ /^SMP=[0-9]+$/) n = substr($i, 5)
		print n
	}' "$PLAN"
}
# boot_tests BOOT: "NAME TIMEOUT COMMAND" for each test of BOOT this variant runs
boot_tests() {
	awk -v b="$1" -v v="$variant" -v f="$flavour" "$IN_LIST"'
		$1 == "boot" { cur = $2; next }
		$1 == "test" && cur == b {
			out = $2 " " $3
			ok = 1
			for (i = 4; i <= NF; i++) {
				if ($i ~ /^ONLY=/) {
					l = substr($i, 6)
					ok = ok && (in_list(v, l) || in_list(f, l))
				} else if ($i ~ /^NOT=/) {
					l = substr($i, 5)
					ok = ok && !in_list(v, l) && !in_list(f, l)
				} else {
					out = out " " $i
				}
			}
			if (ok) print out
		}' "$PLAN"
	if [ -n "${EXTRA_TESTS:-}" ]; then
		for f in "$EXTRA_TESTS"/*; do
			[ -f "$f" ] && [ -x "$f" ] && echo "extra-$(basename "$f") 300 $(basename "$f")"
		done
	fi
}
selected() { # NAME BOOT
	local g
	[ -z "${TESTS:-}" ] && return 0
	for g in ${TESTS//,/ }; do
		# shellcheck disable=SC2053
		[[ $1 == $g || $2/$1 == $g ]] && return 0
	done
	return 1
}

# Kernel reports a test provokes on purpose: "allow NAME REGEX" in the plan.
awk '$1 == "allow" { n = $2; $1 = ""; $2 = ""; sub(/^  /, ""); print n "\t" $0 }' \
	"$PLAN" >"$guest/dmesg-allow"

# Debug kernels run without 5-level paging: 7.3 clears the boot CPU's
# feature bits while it re-reads CPUID with interrupts on, and KASAN, which
# asks whether LA57 is on to find its shadow, then reports an interrupt's
# access to a 5-level direct-map address as wild (ledger: base-kasan-la57).
cpu=max
[ "${DEBUG:-0}" = 1 ] && cpu=max,la57=off

# The dkms variant's guest gets ccheap-dkms's module (guest/init loads it).
modules=()
case $variant in *-dkms)
	ko=$obj/ccheap-dkms/system_cc_shared.ko
	[ -f "$ko" ] || die "$ko missing (scripts/build-kernel.sh $variant builds it)"
	modules=(system_cc_shared.ko "$ko")
	;;
esac
gen_cpio=$obj/usr/gen_init_cpio
[ -x "$gen_cpio" ] || die "$gen_cpio missing (CONFIG_BLK_DEV_INITRD?)"
ran=0
for boot in $(plan_boots); do
	boot_tests "$boot" | while read -r name _; do
		if selected "$name" "$boot"; then echo "$name"; fi
	done >"$guest/$boot.sel"
	[ -s "$guest/$boot.sel" ] || continue
	ran=1
	boot_tests "$boot" | grep -F -w -f "$guest/$boot.sel" >"$guest/$boot.plan" || true
	guest_initramfs "$gen_cpio" "$guest/$boot.cpio.gz" "$guest/tests" "$guest/dmesg-allow" \
		"$guest/$boot.plan" "$results/info" "$obj/.config" "${modules[@]}"

	smp=$(boot_smp "$boot")
	accel=$(guest_accel "$smp")
	read -ra args <<<"$(boot_cmdline "$boot")"
	# The boot's hard limit: TIMEOUT, else its tests' limits and two
	# minutes for booting, at least 600 s.
	limit=${TIMEOUT:-$(awk '{ s += $2 } END { s += 120; print (s > 600 ? s : 600) }' "$guest/$boot.plan")}
	console=$results/$boot.console.log
	# A failed boot is in its console log (a timeout in the line
	# guest_boot adds), which results.py turns into failed tests.
	guest_boot "boot '$boot' ($(wc -l <"$guest/$boot.plan") tests, $accel, $smp CPU)" \
		"$kernel" "$guest/$boot.cpio.gz" "$guest/$boot.plan" "$console" "$limit" \
		"$accel" "$cpu" "$smp" "${args[@]}" || true
	python3 "$CCHEAP_TOP/scripts/results.py" collect --boot "$boot" \
		--plan "$guest/$boot.plan" "$console" >"$results/$boot.tap"
done
[ -n "$(ls "$results"/*.tap 2>/dev/null)" ] || die "TESTS='${TESTS:-}' selects no test in ${PLAN#"$CCHEAP_TOP"/} for $variant"
# summary.txt lists skips with their reasons too; the console shows the rest.
# A selection of the plan (TESTS=, another PLAN) is partial: expected
# failures of tests that did not run are not stale.
partial=()
if [ -n "${TESTS:-}" ] || [ "$PLAN" != "$CCHEAP_TOP/tests/plan" ]; then
	partial=(--partial)
fi
rc=0
python3 "$CCHEAP_TOP/scripts/results.py" summary --verbose "${partial[@]}" --variant "$flavour" \
	"$results"/*.tap >"$results/summary.txt" || rc=$?
grep -v '^  SKIP ' "$results/summary.txt"
exit $rc
