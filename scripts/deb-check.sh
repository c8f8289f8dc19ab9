#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deb-check.sh [BASE]: the packaging path, as `make check` runs it, on the
# minimal test config so that it is fast (BASE 6.12, the default, or 7.3).
# Each step is a result:
#   package/build           MINIMAL=1 CCACHE=1 scripts/deb.sh BASE builds the
#                           packages, linux-image-KREL last (KREL ends in
#                           -ccheap-minimal)
#   package/vmlinuz         `dpkg-deb -c` lists ./boot/vmlinuz-KREL
#   package/config-heap     its ./boot/config-KREL (`dpkg-deb --fsys-tarfile`)
#                           has CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED=y
#   package/no-test-infra   and none of the test infrastructure's symbols
#                           (the last block of kernel/configs/base.config:
#                           emulator, test device, the series' KUnit suites),
#                           neither set nor "is not set"
#   package/dpkg-x          `dpkg -x` unpacks it, ./boot/vmlinuz-KREL included
#   plain/...               that vmlinuz boots in QEMU (TCG; KVM=1 for KVM)
#                           with the workbench's initramfs (guest/init,
#                           busybox, the static ccheap) and runs
#                           tests/deb/minimal.plan: `ccheap info` and
#                           tests/deb/minimal-check
# The package has no emulator: the boot is an ordinary VM, and the shared
# heap is shown absent, with the reason; never present.
#
# Results: build/results/deb/package.tap, plain.tap, plain.console.log and
# summary.txt, whose last line "deb: N passed, N failed, ..." check.sh
# counts; exit status 1 on any failure. Logs: build/logs/deb-check-BASE.log
# and deb.sh's build/logs/deb-*. A second run is quick: deb.sh reuses its
# packages when their inputs (config, patches, versions) did not change,
# and a rebuild goes through ccache.
#
#   deb-check.sh --inspect DEB   the package checks alone, on DEB; TAP on
#                                stdout (the host tests use fake packages)
#   deb-check.sh --build [BASE]  the packages alone (deb.sh as above), no
#                                results: make check runs it ahead
#   TIMEOUT=180                  seconds for the boot (it takes a few)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# deb.sh's local version for MINIMAL=1 (LOCALVERSION unset)
MINIMAL_LOCALVERSION=-ccheap-minimal
PLAN_FILE=$CCHEAP_TOP/tests/deb/minimal.plan

# The names of the package checks (failed or not, the same)
T_VMLINUZ="package/vmlinuz (dpkg-deb -c lists /boot/vmlinuz-KREL)"
T_CONFIG="package/config-heap (/boot/config-KREL has CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED=y)"
T_NOINFRA="package/no-test-infra (no test infrastructure symbol in /boot/config-KREL)"
T_DPKGX="package/dpkg-x (dpkg -x unpacks it, with the vmlinuz)"

n=0
fails=0
lines=()

# result RC NAME [WHY]: one TAP result; WHY is the reason of a failure
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		lines+=("ok $n $2")
	else
		lines+=("not ok $n $2${3:+ # $3}")
		fails=$((fails + 1))
	fi
}

# comment TEXT: a TAP comment line
comment() {
	lines+=("# $*")
}

# write_tap: the results so far as a TAP document on stdout
write_tap() {
	echo "TAP version 13"
	echo "1..$n"
	printf '%s\n' "${lines[@]}"
}

# one_line TEXT: TEXT on one line, runs of white space as one space
one_line() {
	tr -s '\n\t ' '   ' <<<"$1" | sed 's/^ //; s/ $//'
}

# test_symbols: the test infrastructure's config symbols, from the last
# block of base.config (as deb.sh and deb-test.sh read them)
test_symbols() {
	sed -n '/^# Test infrastructure/,$s/^\(CONFIG_[A-Z0-9_]*\)=.*/\1/p' \
		"$KDIR/configs/base.config"
}

# inspect DEB DIR: the package checks of DEB (5 results). Unpacks it into
# DIR/root and its config into DIR/config; sets krel to the package's
# kernel release, empty if DEB is not a linux-image package.
inspect() {
	local deb=$1 dir=$2 pkg why="" list cfg syms s l found=()
	krel=
	pkg=$(dpkg-deb -f "$deb" Package 2>"$dir/err")
	case $pkg in
	linux-image-*-dbg) why="$pkg is a debug symbols package, not a kernel" ;;
	linux-image-?*) krel=${pkg#linux-image-} ;;
	'') why="dpkg-deb cannot read it: $(one_line "$(head -n 3 "$dir/err")")" ;;
	*) why="$pkg is not a linux-image-KERNELRELEASE package" ;;
	esac
	if [ -z "$krel" ]; then
		comment "package: ${deb#"$CCHEAP_TOP"/}"
		for s in "$T_VMLINUZ" "$T_CONFIG" "$T_NOINFRA" "$T_DPKGX"; do
			result 1 "$s" "$why"
		done
		return
	fi
	comment "package: ${deb#"$CCHEAP_TOP"/}: $pkg $(dpkg-deb -f "$deb" Version), $(stat -c %s "$deb") bytes"

	# The path is the sixth field; kernel packages have no spaces in
	# their paths, and "-> TARGET" follows it only for links.
	list=$(dpkg-deb -c "$deb" 2>"$dir/err" | awk '{ print $6 }')
	if grep -qxF "./boot/vmlinuz-$krel" <<<"$list"; then
		result 0 "$T_VMLINUZ"
	else
		why=$(grep '^\./boot/.' <<<"$list" | paste -sd' ')
		result 1 "$T_VMLINUZ" \
			"no ./boot/vmlinuz-$krel; ./boot has: ${why:-nothing}$([ -s "$dir/err" ] && echo "; dpkg-deb: $(one_line "$(head -n 3 "$dir/err")")")"
	fi

	cfg=$dir/config
	rm -f "$cfg"
	dpkg-deb --fsys-tarfile "$deb" 2>"$dir/err" | tar -xOf - "./boot/config-$krel" >"$cfg" 2>>"$dir/err"
	if [ ! -s "$cfg" ]; then
		why="no ./boot/config-$krel in the package"
		result 1 "$T_CONFIG" "$why"
		result 1 "$T_NOINFRA" "$why"
	else
		if grep -qx 'CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED=y' "$cfg"; then
			result 0 "$T_CONFIG"
		else
			why=$(grep -E '^(# )?CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED[= ]' "$cfg" | head -n 1)
			result 1 "$T_CONFIG" \
				"${why:-CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED is not in it}"
		fi
		syms=$(test_symbols)
		for s in $syms; do
			while IFS= read -r l; do
				found+=("$l")
			done < <(grep -E "^$s=|^# $s is not set$" "$cfg")
		done
		if [ -z "$syms" ]; then
			result 1 "$T_NOINFRA" \
				"kernel/configs/base.config has no '# Test infrastructure' block to check against"
		elif [ ${#found[@]} -eq 0 ]; then
			comment "absent from /boot/config-$krel: $(paste -sd' ' <<<"$syms")"
			result 0 "$T_NOINFRA"
		else
			result 1 "$T_NOINFRA" \
				"$(printf '%s; ' "${found[@]}" | sed 's/; $//')"
		fi
	fi

	rm -rf "$dir/root"
	mkdir -p "$dir/root"
	if ! dpkg -x "$deb" "$dir/root" 2>"$dir/err"; then
		result 1 "$T_DPKGX" \
			"dpkg -x failed: $(one_line "$(head -n 3 "$dir/err")")"
	elif [ ! -s "$dir/root/boot/vmlinuz-$krel" ]; then
		result 1 "$T_DPKGX" \
			"no boot/vmlinuz-$krel after dpkg -x"
	else
		result 0 "$T_DPKGX"
	fi
}

if [ "${1:-}" = --inspect ]; then
	deb=${2:?usage: deb-check.sh --inspect DEB}
	[ -f "$deb" ] || die "no package $deb"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	inspect "$deb" "$tmp"
	write_tap
	exit $((fails > 0))
fi

build_only=0
if [ "${1:-}" = --build ]; then
	build_only=1
	shift
fi
base=${1:-6.12}
case $base in
6.12 | 7.3) ;;
*) die "unknown BASE '$base' (known: 6.12 7.3)" ;;
esac
results=$BUILD/results/deb
work=$BUILD/deb/check-$base
log=$LOGS/deb-check-$base.log
mkdir -p "$work"

# -- 1. the package ----------------------------------------------------------
# The packages are a test here, not a release: without DEB_MAINTAINER or
# git's user, they get a placeholder maintainer instead of failing.
if ! (deb_maintainer) >/dev/null 2>&1; then
	export DEB_MAINTAINER="ccheap make check <ccheap@invalid>"
fi
build() {
	"$CCHEAP_TOP/scripts/deps.sh" --deb &&
		env -u FLAVOUR -u EXCLUDE -u LOCALVERSION -u DEB_REVISION -u DBG \
			-u CONFIG_ONLY MINIMAL=1 CCACHE=1 \
			"$CCHEAP_TOP/scripts/deb.sh" "$base" >"$work/debs.txt"
}
# --build: the packages only, no checks (make check builds them ahead,
# while guests run; the run that checks them then finds them up to date).
if [ $build_only = 1 ]; then
	build
	exit
fi
rm -rf "$results"
mkdir -p "$results"
t0=$(date +%s)
echo "== packaging: the minimal $base kernel package" >&2
: >"$log"
rm -f "$work/debs.txt"
# deb.sh's steps are shown as they run, and kept in the log.
build 2> >(tee "$log" >&2)
rc=$?
wait $! 2>/dev/null
build_time=$(($(date +%s) - t0))
image=$(tail -n 1 "$work/debs.txt" 2>/dev/null)
if [ $rc -eq 0 ] && [ -n "$image" ] && [ -f "$image" ]; then
	result 0 "package/build (MINIMAL=1 deb.sh $base builds linux-image-KREL)"
	while IFS= read -r d; do
		[ -f "$d" ] && comment "built: ${d#"$CCHEAP_TOP"/} ($(stat -c %s "$d") bytes)"
	done <"$work/debs.txt"
else
	why=$(grep '^error: ' "$log" | tail -n 1)
	[ $rc -eq 0 ] && why="deb.sh printed no package"
	result 1 "package/build (MINIMAL=1 deb.sh $base builds linux-image-KREL)" \
		"${why:-exit status $rc}; log: ${log#"$CCHEAP_TOP"/}"
	image=
fi
comment "package/build: ${build_time}s"

# -- 2. what is in it --------------------------------------------------------
krel=
if [ -n "$image" ]; then
	inspect "$image" "$work"
else
	for s in "$T_VMLINUZ" "$T_CONFIG" "$T_NOINFRA" "$T_DPKGX"; do
		result 1 "$s" "no package: the build failed"
	done
fi
write_tap >"$results/package.tap"

# -- 3. its kernel boots -----------------------------------------------------
vmlinuz=$work/root/boot/vmlinuz-$krel
guest=$work/guest
tap=$results/plain.tap
console=$results/plain.console.log
tests=$(grep -v '^[[:space:]]*\(#\|$\)' "$PLAN_FILE" | awk '{ print $1 }')

# not_booted WHY: the boot's results, all failed for WHY
not_booted() {
	local i=1 t
	{
		echo "TAP version 13"
		echo "1..$(($(wc -w <<<"$tests") + 1))"
		echo "not ok 1 plain/boot # not booted: $1"
		for t in $tests; do
			i=$((i + 1))
			echo "not ok $i plain/$t # not booted: $1"
		done
	} >"$tap"
}

# initramfs: the workbench's guest, as scripts/run-guest.sh makes it
# (guest_initramfs), with the package's config and minimal-check instead
# of the tests, and /etc/ccheap/deb-expect: the release minimal-check wants
initramfs() {
	local gen=$BUILD/deb/obj-$base-minimal/usr/gen_init_cpio
	if [ ! -x "$gen" ]; then
		gen=$work/gen_init_cpio
		gcc -O2 -o "$gen" "$BUILD/deb/src-$base/usr/gen_init_cpio.c" || return 1
	fi
	[ -x /bin/busybox ] || {
		echo "no /bin/busybox (busybox-static)"
		return 1
	}
	make -C "$CCHEAP_TOP/tools/ccheap" static OUT="$BUILD/guest/ccheap" || return 1
	rm -rf "$guest"
	mkdir -p "$guest/tests"
	cp "$BUILD/guest/ccheap/ccheap-static" "$guest/tests/ccheap"
	cp "$CCHEAP_TOP/tests/deb/minimal-check" "$guest/tests/"
	: >"$guest/dmesg-allow"
	cp "$PLAN_FILE" "$guest/plan"
	{
		echo "variant deb"
		echo "package $(dpkg-deb -f "$image" Package) $(dpkg-deb -f "$image" Version)"
	} >"$guest/info"
	printf "KREL='%s'\nLOCALVERSION='%s'\n" "$krel" "$MINIMAL_LOCALVERSION" >"$guest/deb-expect"
	guest_initramfs "$gen" "$guest/initramfs.cpio.gz" "$guest/tests" "$guest/dmesg-allow" \
		"$guest/plan" "$guest/info" "$work/config" deb-expect "$guest/deb-expect"
}

boot_time=0
if [ -z "$krel" ] || [ ! -s "$vmlinuz" ]; then
	not_booted "no vmlinuz from the package"
elif ! initramfs >"$LOGS/deb-check-initramfs-$base.log" 2>&1; then
	not_booted "the initramfs could not be made: $(one_line "$(tail -n 3 "$LOGS/deb-check-initramfs-$base.log")")"
else
	accel=$(guest_accel 1)
	guest_boot "boot vmlinuz-$krel ($accel)" "$vmlinuz" "$guest/initramfs.cpio.gz" \
		"$guest/plan" "$console" "${TIMEOUT:-180}" "$accel" max 1
	boot_time=$GUEST_SECS
	python3 "$CCHEAP_TOP/scripts/results.py" collect --boot plain --plan "$PLAN_FILE" \
		"$console" >"$tap" || not_booted "results.py collect failed on ${console#"$CCHEAP_TOP"/}"
fi

# summary.txt, like a variant's: skips listed too; the console the rest
rc=0
python3 "$CCHEAP_TOP/scripts/results.py" summary --verbose --variant deb \
	"$results/package.tap" "$tap" >"$results/summary.txt" || rc=$?
echo "  packaging path: $(($(date +%s) - t0))s (package ${build_time}s, boot ${boot_time}s); results: ${results#"$CCHEAP_TOP"/}" >&2
grep -v '^  SKIP ' "$results/summary.txt"
exit $rc
