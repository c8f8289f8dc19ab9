# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the ccheap workbench scripts. Source, do not execute.

CCHEAP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$CCHEAP_TOP/build}
LOGS=$BUILD/logs
# The patch queue; tests point it at a scratch copy.
KDIR=${CCHEAP_KERNEL:-$CCHEAP_TOP/kernel}
mkdir -p "$LOGS"

# Variants the harness knows: name -> base and series part. 7.3-dkms is
# 7.3-stock's tree configured as Debian's 7.3 (the heap option off) with
# ccheap-dkms's module built against it and loaded by the guest.
VARIANTS="6.12 7.3 7.3-stock 7.3-dkms"

die() {
	echo "error: $*" >&2
	exit 1
}

# require_options FLAVOUR CONFIG: every option in config/kconfig-required
# is =y in the kernel configuration CONFIG, or die naming those that are
# not. An option's line may end in off=GLOB: flavours that GLOB matches
# must have it off instead (7.3-dkms: the heap a module adds).
require_options() {
	local flavour=$1 config=$2 sym rest missing=() on=()
	[ -f "$config" ] || die "$flavour: no kernel configuration ${config#"$CCHEAP_TOP"/}"
	while read -r sym rest; do
		case $sym in '' | '#'*) continue ;; esac
		# shellcheck disable=SC2053 # the glob is the point
		if [[ $rest == off=* && $flavour == ${rest#off=} ]]; then
			grep -q "^$sym=" "$config" && on+=("$sym")
			continue
		fi
		grep -qx "$sym=y" "$config" || missing+=("$sym")
	done <"$CCHEAP_TOP/config/kconfig-required"
	[ ${#on[@]} -eq 0 ] ||
		die "$flavour: ${on[*]} must be off in ${config#"$CCHEAP_TOP"/}"
	case ${#missing[@]} in
	0) return 0 ;;
	1) die "$flavour: required option ${missing[0]} is not set in ${config#"$CCHEAP_TOP"/}" ;;
	*) die "$flavour: required options ${missing[*]} are not set in ${config#"$CCHEAP_TOP"/}" ;;
	esac
}

note() {
	echo "  $*" >&2
}

# variant_base VARIANT -> prints the base (6.12 or 7.3), or dies
variant_base() {
	case "$1" in
	6.12) echo 6.12 ;;
	7.3 | 7.3-stock | 7.3-dkms) echo 7.3 ;;
	*) die "unknown VARIANT '$1' (known: $VARIANTS)" ;;
	esac
}

# Source and object trees. A stock variant's source is a worktree under
# build/stock/ laid out like build/src and build/obj, so that the relative
# paths the compiler sees (with CCACHE_BASEDIR) are the same for stock and
# ours, and ccache shares every object that the series does not change.
variant_src() {
	case "$1" in
	*-stock | *-dkms) echo "$BUILD/stock/src/$(variant_base "$1")" ;;
	*) echo "$BUILD/src/$(variant_base "$1")" ;;
	esac
}

# variant_obj VARIANT [DEBUG]: object directory of the (debug) flavour
variant_obj() {
	local d=
	[ "${2:-0}" = 1 ] && d=-debug
	case "$1" in
	*-stock) echo "$BUILD/stock/obj/$(variant_base "$1")$d" ;;
	# Beside the stock tree's, at the same depth: the same relative
	# paths, so that ccache shares its objects.
	*-dkms) echo "$BUILD/stock/obj/$1$d" ;;
	*) echo "$BUILD/obj/$1$d" ;;
	esac
}

# ccache_env: how the kernel builds use ccache. Paths relative to the
# top (CCACHE_BASEDIR), so that clean clones and the stock trees share
# objects; and depend mode, which takes a miss's include files from the
# compiler's own -MMD output (kbuild's -Wp,-MMD) instead of running the
# preprocessor a second time: a cold build of mm/ and kernel/sched/ took
# 36-41 s instead of 51-54 s here, and hits are direct-mode hits, which
# were all but 2 of 2788 in a make check (2026-12-04).
ccache_env() {
	export CCACHE_BASEDIR=$CCHEAP_TOP CCACHE_DEPEND=1
}

# The kernel cache: test kernels kept by the inputs they were built from,
# as ccache keeps objects, in KCACHE_DIR (default ~/.cache/ccheap/kernels),
# so that a clean clone of a commit already built here (the clone that
# make check is run from, then CI's) boots those kernels instead of
# building them again. A fresh machine has none and builds everything.
# The key is what the build reads: the source tree's commit (a clean tree
# only), the configuration after olddefconfig (the fragments, and what
# Kconfig found of the toolchain: compiler, linker and pahole versions),
# build-kernel.sh and this file, and for a dkms variant the module's
# source. An entry holds what the guests use: bzImage, .config, the
# installed UAPI headers, usr/gen_init_cpio and the dkms module. deb.sh
# keeps the minimal package (make check's) there too, by its own key.
# KCACHE=0 turns it off; the newest KCACHE_KEEP (24) entries are kept.
kcache_on() {
	[ "${KCACHE:-1}" != 0 ]
}
kcache_dir() {
	echo "${KCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ccheap/kernels}"
}
KCACHE_FILES="arch/x86/boot/bzImage .config .ccheap-missing usr/include usr/gen_init_cpio ccheap-dkms/system_cc_shared.ko"
# kcache_key FLAVOUR VARIANT SRC OBJ: the key of the kernel built from SRC
# in OBJ; fails (no key: no cache) if a dkms variant's module source cannot
# be made
kcache_key() {
	local flavour=$1 variant=$2 src=$3 obj=$4 tmp module=
	case $variant in *-dkms)
		tmp=$(mktemp -d) || return 1
		if "$CCHEAP_TOP/scripts/dkms-source.sh" "$tmp/src" >/dev/null 2>&1; then
			module=$(tar -C "$tmp/src" -c --sort=name --mtime=@0 --owner=0 --group=0 \
				--numeric-owner . | sha256sum)
		fi
		rm -rf "$tmp"
		[ -n "$module" ] || return 1
		;;
	esac
	{
		echo "ccheap kernel cache 1 $flavour"
		git -C "$src" rev-parse HEAD
		sha256sum <"$obj/.config"
		cat "$CCHEAP_TOP/scripts/build-kernel.sh" "$CCHEAP_TOP/scripts/lib.sh" \
			"$CCHEAP_TOP/config/kconfig-required" | sha256sum
		echo "$module"
	} | sha256sum | cut -c1-40
}
# kcache_restore KEY DIR: copy the entry KEY's files into DIR (each path
# replaced whole); false if there is no finished entry
kcache_restore() {
	local e f
	e=$(kcache_dir)/$1
	[ -f "$e/.complete" ] && [ -f "$e/.files" ] || return 1
	while read -r f; do
		mkdir -p "$2/$(dirname "$f")"
		rm -rf "${2:?}/$f"
		cp -a "$e/$f" "$2/$f" || return 1
	done <"$e/.files"
	touch "$e"
}
# kcache_store KEY DIR [PATH...]: keep DIR's PATHs (default: the kernel's
# KCACHE_FILES that exist) as the entry KEY, written aside and renamed, so
# that a concurrent build of the same key keeps its own; then the oldest
# entries beyond KCACHE_KEEP go
kcache_store() {
	local dir tmp f key=$1 from=$2
	shift 2
	# shellcheck disable=SC2086 # a list of words
	[ $# -gt 0 ] || set -- $KCACHE_FILES
	dir=$(kcache_dir)
	[ -f "$dir/$key/.complete" ] && return 0
	mkdir -p "$dir"
	tmp=$(mktemp -d "$dir/.new.XXXXXX") || return 1
	for f in "$@"; do
		[ -e "$from/$f" ] || continue
		mkdir -p "$tmp/$(dirname "$f")"
		cp -a "$from/$f" "$tmp/$f" || {
			rm -rf "$tmp"
			return 1
		}
		echo "$f" >>"$tmp/.files"
	done
	touch "$tmp/.files" "$tmp/.complete"
	mv -T "$tmp" "$dir/$key" 2>/dev/null || rm -rf "$tmp"
	# shellcheck disable=SC2012 # the names are hex keys
	ls -1t "$dir" | tail -n +$((${KCACHE_KEEP:-24} + 1)) |
		while read -r f; do rm -rf "${dir:?}/$f"; done
}

# variant_part VARIANT -> "all" or "test" (stock and dkms get only test
# infra; the dkms variant's product is the module)
variant_part() {
	case "$1" in
	*-stock | *-dkms) echo test ;;
	*) echo all ;;
	esac
}

# step NAME LOG CMD...: run CMD with output to LOG, printing the step
# name, then its elapsed time; on failure print the log tail and fail.
step() {
	local name=$1 log=$2 t0 rc
	shift 2
	t0=$(date +%s)
	printf '  %-44s ' "$name" >&2
	set +e
	"$@" >"$log" 2>&1
	rc=$?
	set -e
	if [ "$rc" -ne 0 ]; then
		printf 'FAILED after %ss (log: %s)\n' "$(($(date +%s) - t0))" "${log#"$CCHEAP_TOP"/}" >&2
		tail -n 25 "$log" | sed 's/^/    | /' >&2
		return "$rc"
	fi
	printf '%3ss\n' "$(($(date +%s) - t0))" >&2
}

# The guest: one initramfs layout and one QEMU command line, for
# scripts/run-guest.sh (a variant's kernel, per boot of the plan) and
# scripts/deb-check.sh (the minimal package's vmlinuz).

# guest_initramfs GEN_CPIO INITRD TESTS ALLOW PLAN INFO KCONFIG [NAME FILE]...:
# write the guest's initramfs INITRD, X.cpio.gz, with the kernel's
# usr/gen_init_cpio GEN_CPIO from the list of its files, X.cpio-list next
# to it: busybox-static's /bin/busybox as /bin/sh, guest/init as /init,
# every file of the directory TESTS as an executable in /tests, and in
# /etc/ccheap what guest/init and the tests read: guest/dmesg-fail, ALLOW
# (dmesg-allow: the reports each test provokes on purpose), PLAN (the
# boot's tests), INFO (lines about the kernel, printed as comments),
# KCONFIG (the kernel's .config), then each FILE as /etc/ccheap/NAME.
guest_initramfs() {
	local gen=$1 initrd=$2 tests=$3 allow=$4 plan=$5 info=$6 kconfig=$7 list d f
	shift 7
	if [ $(($# % 2)) -ne 0 ]; then
		echo "guest_initramfs: /etc/ccheap/$1 without a file" >&2
		return 2
	fi
	list=${initrd%.cpio.gz}.cpio-list
	{
		echo "dir /dev 755 0 0"
		echo "nod /dev/console 600 0 0 c 5 1"
		for d in bin proc sys tmp etc etc/ccheap tests; do echo "dir /$d 755 0 0"; done
		echo "file /bin/busybox /bin/busybox 755 0 0"
		echo "slink /bin/sh busybox 777 0 0"
		echo "file /init $CCHEAP_TOP/guest/init 755 0 0"
		echo "file /etc/ccheap/dmesg-fail $CCHEAP_TOP/guest/dmesg-fail 644 0 0"
		echo "file /etc/ccheap/dmesg-allow $allow 644 0 0"
		echo "file /etc/ccheap/plan $plan 644 0 0"
		echo "file /etc/ccheap/info $info 644 0 0"
		echo "file /etc/ccheap/kconfig $kconfig 644 0 0"
		while [ $# -gt 0 ]; do
			echo "file /etc/ccheap/$1 $2 644 0 0"
			shift 2
		done
		for f in "$tests"/*; do
			echo "file /tests/$(basename "$f") $f 755 0 0"
		done
	} >"$list" || return 1
	"$gen" "$list" | gzip -1 >"$initrd"
}

# guest_accel SMP: QEMU's accelerator for a guest of SMP vCPUs: TCG, or
# KVM with KVM=1 (nested KVM hangs on our machines, so TCG is the default)
guest_accel() {
	local accel=tcg
	[ "${KVM:-0}" = 1 ] && accel=kvm
	# More than one vCPU under TCG runs a host thread per vCPU.
	if [ "$accel" = tcg ] && [ "$1" -gt 1 ]; then
		accel=tcg,thread=multi
	fi
	echo "$accel"
}

# guest_boot LABEL KERNEL INITRD PLAN CONSOLE LIMIT ACCEL CPU SMP [ARG]...:
# boot KERNEL with the initramfs INITRD (guest_initramfs, PLAN in it) in
# QEMU: -accel ACCEL (guest_accel), -cpu CPU, SMP vCPUs, 1 GiB, the serial
# console into the file CONSOLE. -no-reboot: guest/init ends the run by
# rebooting, and panic=-1 (oops=panic) makes a crash do the same.
# The kernel command line: console, panic and tsc=reliable, each ARG,
# kunit.enable=1 if PLAN reads a KUnit suite's result (kunit:SUITE),
# else 0, and CMDLINE last. At most LIMIT seconds (a QEMU that ignores
# SIGTERM is killed 5 s later); then the line
# "ccheap-host: timeout after LIMITs" ends CONSOLE, for results.py.
# Prints LABEL as a step line and the seconds the boot took, which it
# leaves in GUEST_SECS; returns timeout's status (124: LIMIT ran out).
guest_boot() {
	local label=$1 kernel=$2 initrd=$3 plan=$4 console=$5 limit=$6 accel=$7 cpu=$8 smp=$9
	local append="" a t0 rc=0
	shift 9
	for a in "$@"; do append+=" $a"; done
	if grep -q '^kunit:' "$plan"; then
		append+=" kunit.enable=1"
	else
		append+=" kunit.enable=0"
	fi
	t0=$(date +%s)
	printf '  %-44s ' "$label" >&2
	timeout -k 5 "$limit" qemu-system-x86_64 -accel "$accel" -cpu "$cpu" \
		-m 1G -smp "$smp" -nographic -no-reboot -bios /usr/share/qemu/qboot.rom \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 oops=panic tsc=reliable$append ${CMDLINE:-}" \
		</dev/null >"$console" 2>&1 || rc=$?
	GUEST_SECS=$(($(date +%s) - t0))
	printf '%3ss\n' "$GUEST_SECS" >&2
	if [ $rc -eq 124 ]; then
		echo "ccheap-host: timeout after ${limit}s" >>"$console"
	fi
	return $rc
}

# read_pin BASE: sets PIN_PACKAGE, PIN_VERSION, PIN_ACCEPT
read_pin() {
	local pin=$KDIR/$1/pin
	[ -f "$pin" ] || die "no pin file $pin for base '$1'"
	PIN_PACKAGE= PIN_VERSION= PIN_ACCEPT=
	# shellcheck disable=SC1090
	. "$pin"
	[ -n "$PIN_PACKAGE" ] && [ -n "$PIN_VERSION" ] ||
		die "$pin must set PIN_PACKAGE and PIN_VERSION"
}

# apt_sources: write build/apt/sources.list, the suites of config/apt/suites
# on the machine's own Debian mirrors (scripts/apt-sources.py; APT_ETC,
# MIRROR and SECURITY_MIRROR override), or fail saying why.
apt_sources() {
	local tmp
	mkdir -p "$BUILD/apt"
	tmp=$(mktemp "$BUILD/apt/.sources.XXXXXX")
	if ! python3 "$CCHEAP_TOP/scripts/apt-sources.py" list \
		"$CCHEAP_TOP/config/apt/suites" >"$tmp"; then
		rm -f "$tmp"
		return 1
	fi
	mv "$tmp" "$BUILD/apt/sources.list"
}

# apt_local CMD ARGS...: apt-get or apt-cache with the project-local sources
# list, lists and cache under build/apt; never the system's.
apt_local() {
	local cmd=$1
	shift
	apt_sources || return 1
	mkdir -p "$BUILD/apt/lists/partial" "$BUILD/apt/cache/archives/partial"
	"$cmd" -o Dir::Etc::SourceList="$BUILD/apt/sources.list" \
		-o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::State::Lists="$BUILD/apt/lists" \
		-o Dir::Cache="$BUILD/apt/cache" \
		-o APT::Architecture=amd64 -o Acquire::Languages=none \
		-o APT::Sandbox::User=root "$@"
}

# deb_maintainer: "Name <mail>" for the packages we build: DEB_MAINTAINER,
# else git's user.name and user.email; dies without either.
deb_maintainer() {
	local name mail
	if [ -n "${DEB_MAINTAINER:-}" ]; then
		echo "$DEB_MAINTAINER"
		return
	fi
	name=$(git -C "$CCHEAP_TOP" config user.name || true)
	mail=$(git -C "$CCHEAP_TOP" config user.email || true)
	if [ -z "$name" ] || [ -z "$mail" ]; then
		die "no maintainer: set DEB_MAINTAINER='Name <mail>' (or git's user.name and user.email)"
	fi
	echo "$name <$mail>"
}

# format_patches TREE RANGE START OUTDIR: git format-patch with every option
# that affects the bytes pinned, so that export is byte-stable.
# The diff drivers (hunk headers) come from config/gitattributes, not from
# whatever .gitattributes a worktree happens to have checked out.
format_patches() {
	git -C "$1" -c core.attributesFile="$CCHEAP_TOP/config/gitattributes" \
		-c core.abbrev=12 -c diff.noprefix=false \
		-c diff.mnemonicPrefix=false -c diff.algorithm=myers \
		-c diff.renames=true -c format.useAutoBase=false \
		-c format.signature= -c format.thread=false \
		format-patch -q --zero-commit --no-signature -N --no-cover-letter \
		--start-number "$3" -o "$4" "$2"
}

# series_patches SERIES PART: patch files of PART (test, product or all)
series_patches() {
	awk -v want="$2" '
		/^\[test-infra\]/ { part = "test"; next }
		/^\[product\]/ { part = "product"; next }
		/^\[product-tests\]/ { part = "product-tests"; next }
		/^[ \t]*(#|$)/ { next }
		{ if (want == "all" || want == part) print }
	' "$1"
}

# series_id BASE: identity of kernel/BASE as files (series and patches);
# prepare-tree.sh re-applies the series when it changes.
series_id() {
	(cd "$KDIR/$1" && cat series && series_patches series all | xargs -r cat) |
		sha1sum | cut -c1-40
}

# write_series BASE NTEST FILE...: the series file, first NTEST files in
# the test-infra part
write_series() {
	local base=$1 ntest=$2 nprod=$3 i=0 f
	shift 3
	printf '# ccheap patch series for the %s base. Generated by scripts/export-series.sh.\n' "$base"
	printf '# Patch files in apply order. The [test-infra] part is all that the\n'
	printf '# stock variant gets; the [product] part follows it and is all that\n'
	printf '# the kernel packages get; [product-tests] are test-only patches that\n'
	printf '# need the product (checks of a backported interface).\n'
	echo "[test-infra]"
	for f in "$@"; do
		[ $i -eq "$ntest" ] && echo "[product]"
		[ $i -eq $((ntest + nprod)) ] && [ $i -gt "$ntest" ] && echo "[product-tests]"
		basename "$f"
		i=$((i + 1))
	done
	[ $i -gt "$ntest" ] || echo "[product]"
}

# checkpatch TREE PATCH [MODE]: scripts/checkpatch.pl --strict of TREE on
# PATCH, output on stdout, status 1 if it is not clean. MODE "tree" (the
# default) runs it inside TREE, as a maintainer does; "no-tree" runs it
# from outside any tree with --no-tree, as a reviewer with only the mail
# does: some checks differ between the two (the form of commit references
# in the message among them), so the patch queue must pass both. Our
# trees hold one base commit and no upstream history, so checkpatch
# cannot find the commits that Fixes: tags name (UNKNOWN_COMMIT_ID): that
# lookup alone is left out; the form of the tags is still checked
# (GIT_COMMIT_ID), and the ids are recorded with their evidence in
# kernel/STATUS.md. checkpatch runs scripts/spdxcheck.py with whatever
# python3 is first in PATH; Debian's has the ply module it needs.
checkpatch() {
	local tree patch
	tree=$(cd "$1" && pwd) || return 1
	patch=$(realpath "$2") || return 1
	case ${3:-tree} in
	tree)
		(cd "$tree" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl --strict -q \
			--ignore UNKNOWN_COMMIT_ID "$patch")
		;;
	no-tree)
		(cd / && PATH=/usr/bin:$PATH "$tree"/scripts/checkpatch.pl --strict -q \
			--no-tree --ignore UNKNOWN_COMMIT_ID "$patch")
		;;
	*)
		echo "checkpatch: unknown mode '$3' (tree or no-tree)" >&2
		return 2
		;;
	esac
}
