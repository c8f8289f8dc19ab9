#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fresh-check.sh: the install step tested. Makes a new, minimal Debian 12
# root (mmdebstrap --variant=minbase bookworm, from the machine's own
# mirror), puts a clean clone of the repository's HEAD in it (committed
# work only), and runs there as root, with nothing else installed, what
# `make check` runs first: scripts/deps.sh, the host tests
# (tests/host/run.sh), and the packaging path's scripts/deps.sh --deb.
# After each deps.sh the root must have the tools that the steps of make
# check which cannot run here (kernel builds, guest boots, the package
# build) use. The root is removed afterwards; the logs stay.
#
# It fails if a step fails, and if the host tests in the root have any
# failure: a skip that tests/expected-skips does not expect (such as
# "lintian not installed") is one. Results: build/results/fresh/fresh.tap
# (one result per step; the host tests' failures are subtests of theirs),
# host/ (the host tests' TAP and summary from the root) and summary.txt,
# whose last line "fresh: N passed, N failed, ..." check.sh counts. Logs:
# build/logs/fresh-*.log.
#
#   FRESH_TMPFS=1|0 the root on a tmpfs (by default when 4 GiB of memory
#                   are available; it takes about 1 GB) or under build/
#   FRESH_KEEP=1    keep the root (build/fresh/root) to look into
#   MIRROR=, SECURITY_MIRROR=, APT_ETC=   as for scripts/apt-sources.py
#
# Needs root (mmdebstrap's root mode, chroot) and mmdebstrap.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

SUITE=bookworm
self=$CCHEAP_TOP/scripts/fresh-check.sh
out=$BUILD/results/fresh
work=$BUILD/fresh
root=$work/root
# The clone's place in the root: where a user's clone would be.
clone=/root/ccheap

# The steps, in order: ID and the result's name.
STEPS=(root clone deps tools host deb debtools)
declare -A NAME=(
	[root]="root: mmdebstrap --variant=minbase $SUITE"
	[clone]="a clean clone of HEAD in the root"
	[deps]="scripts/deps.sh installs its packages (a second run finds none missing)"
	[tools]="after scripts/deps.sh: the tools of the kernel builds and guest boots"
	[host]="tests/host/run.sh in the root (no failure, no unexpected skip)"
	[deb]="scripts/deps.sh --deb installs its packages (a second run finds none missing)"
	[debtools]="after scripts/deps.sh --deb: the tools of the package build"
)

# What the steps of make check that cannot run in the root use, after
# scripts/deps.sh: commands, or files (absolute paths). The kernel build
# (tinyconfig and kernel/configs/*.config), headers_install, the static
# guest tests and CLI, the initramfs and QEMU boots (run-guest.sh,
# deb-check.sh's boot), the harness self-test.
TOOLS=(make gcc git python3 perl bc flex bison xz gzip tar rsync ccache flock
	timeout qemu-system-x86_64 /usr/share/qemu/qboot.rom /bin/busybox
	/usr/include/libelf.h /usr/include/openssl/ssl.h)
# ... and after scripts/deps.sh --deb: make bindeb-pkg (deb.sh, deb-check.sh)
DEBTOOLS=(dpkg-buildpackage dpkg-deb dpkg-shlibdeps dh pahole depmod openssl
	cpio /usr/include/elfutils/libdw.h)

# record ID RC [WHY]: the result of step ID (RC 0, 1 or skip)
record() {
	printf '%s\n%s\n' "$2" "${3:-}" >"$work/steps/$1"
}

# run_step NAME LOG CMD...: lib.sh's step (one line with the time), which
# turns errexit on when it returns; this script runs without it.
run_step() {
	local rc=0
	step "$@" || rc=$?
	set +e
	return "$rc"
}

# in_root CMD...: CMD in the root as root, with the environment of a login
# on a fresh machine, not this one's
in_root() {
	chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root \
		SHELL=/bin/bash LANG=C.UTF-8 TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# missing_tools TOOL...: prints those of TOOL the root lacks
# shellcheck disable=SC2016 # positional arguments of sh -c
missing_tools() {
	local t miss=()
	for t in "$@"; do
		case $t in
		/*) [ -e "$root$t" ] || miss+=("$t") ;;
		*) in_root sh -c 'command -v "$1"' sh "$t" >/dev/null || miss+=("$t") ;;
		esac
	done
	# The guest tests and the guest's ccheap are linked statically.
	t=$(in_root gcc -print-file-name=libc.a 2>/dev/null)
	case $t in
	/*) [ -f "$root$t" ] || miss+=(libc.a) ;;
	*) miss+=(libc.a) ;;
	esac
	echo "${miss[*]}"
}

# deps_step ID [ARG]: scripts/deps.sh [ARG] in the root, then once more,
# which must find nothing missing (make check runs it on every start)
# shellcheck disable=SC2016 # positional arguments of bash -c
deps_step() {
	local id=$1 log=$LOGS/fresh-$1.log rc
	shift
	run_step "scripts/deps.sh${1:+ $1} in the root" "$log" \
		in_root bash -c 'cd "$1" && shift && scripts/deps.sh "$@"' sh "$clone" "$@"
	rc=$?
	cp "$root$clone/build/logs/deps.log" "$LOGS/fresh-$id-apt.log" 2>/dev/null
	if [ $rc -ne 0 ]; then
		record "$id" 1 "exit status $rc: $(grep -m1 '^error: ' "$log" || tail -n 1 "$log")"
		return 1
	fi
	in_root bash -c 'cd "$1" && shift && scripts/deps.sh "$@"' sh "$clone" "$@" \
		>"$log.again" 2>&1
	rc=$?
	if [ $rc -ne 0 ] || [ -s "$log.again" ]; then
		record "$id" 1 "a second run (exit status $rc) did not find everything installed: $(head -c 300 "$log.again" | tr '\n' ' ')"
		return 1
	fi
	record "$id" 0
}

# tools_step ID TOOL...
tools_step() {
	local id=$1 miss
	shift
	miss=$(missing_tools "$@")
	if [ -n "$miss" ]; then
		record "$id" 1 "missing: $miss"
	else
		record "$id" 0
	fi
}

# host_tap SUMMARY RC: the host tests' step as TAP, from their summary
# (results.py summary) and run.sh's exit status RC: every failure in it
# (FAIL, XPASS, STALE) as a subtest, then the step's own line, numbered 1.
# With failures the step's reason is "exit status 1", which results.py
# does not count again next to its subtests; without a summary line the
# step itself fails.
host_tap() {
	local sum=$1 rc=$2 line k=0
	if [ -f "$sum" ]; then
		while IFS= read -r line; do
			case $line in
			'  FAIL  '* | '  XPASS '* | '  STALE '*)
				k=$((k + 1))
				line=${line:8}
				echo "    not ok $k ${line//#/ }"
				;;
			esac
		done <"$sum"
	fi
	line=$(grep -E '^host: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$sum" 2>/dev/null | tail -n 1)
	if [ -z "$line" ]; then
		echo "not ok 1 ${NAME[host]} # no summary line in ${sum#"$CCHEAP_TOP"/} (exit status $rc)"
	elif [ $k -gt 0 ]; then
		echo "not ok 1 ${NAME[host]} # exit status 1"
	elif [ "$rc" -ne 0 ] || ! grep -qE '^host: [0-9]+ passed, 0 failed' <<<"$line"; then
		echo "not ok 1 ${NAME[host]} # exit status $rc, $line"
	else
		echo "ok 1 ${NAME[host]}"
	fi
	[ -z "$line" ] || echo "# in the root: $line"
}

# -- in the root: mmdebstrap's customize hook ----------------------------------
# fresh-check.sh --hook ROOT T0 runs the steps in ROOT, with /proc, /sys and
# /dev mounted by mmdebstrap; T0 is when mmdebstrap started. Step lines go
# to file descriptor 3 (the terminal), mmdebstrap's output to its log.
# Always exits 0: the results are in build/fresh/steps.
hook() {
	local t0=$2 head rc
	root=$1
	{ true >&3; } 2>/dev/null && exec 2>&3
	printf '  %-44s %3ss\n' "mmdebstrap $SUITE minbase (on $3)" "$(($(date +%s) - t0))" >&2
	record root 0

	head=$(git -C "$CCHEAP_TOP" rev-parse HEAD)
	if run_step "clean clone of HEAD ($(git -C "$CCHEAP_TOP" rev-parse --short HEAD))" \
		"$LOGS/fresh-clone.log" git clone --no-hardlinks "$CCHEAP_TOP" "$root$clone" &&
		[ "$(git -C "$root$clone" rev-parse HEAD)" = "$head" ]; then
		record clone 0
		echo "$head" >"$work/commit"
	else
		record clone 1 "git clone of $CCHEAP_TOP failed (log: build/logs/fresh-clone.log)"
		return 0
	fi
	deps_step deps || return 0
	tools_step tools "${TOOLS[@]}"

	# shellcheck disable=SC2016 # positional arguments of bash -c
	run_step "tests/host/run.sh in the root" "$LOGS/fresh-host.log" \
		in_root bash -c 'cd "$1" && tests/host/run.sh' sh "$clone"
	rc=$?
	rm -rf "$out/host"
	cp -r "$root$clone/build/results/host" "$out/host" 2>/dev/null || mkdir -p "$out/host"
	host_tap "$out/host/summary.txt" "$rc" >"$work/steps/host.tap"

	deps_step deb --deb || return 0
	tools_step debtools "${DEBTOOLS[@]}"
	return 0
}

# mounted_below DIR: is anything mounted at or below DIR?
mounted_below() {
	awk -v d="$1" '$2 == d || index($2, d "/") == 1 { found = 1 } END { exit !found }' /proc/mounts
}

# remove_root: the root, unless something is still mounted in it (but
# its own tmpfs)
remove_root() {
	[ -e "$root" ] || return 0
	if awk -v d="$root" '$2 == d && $1 == "ccheap-fresh" { found = 1 } END { exit !found }' /proc/mounts; then
		umount "$root" || return 1
	fi
	if mounted_below "$root"; then
		echo "something is still mounted below $root; not removing it"
		return 1
	fi
	rm -rf "$root"
}

# use_tmpfs: put the root on a tmpfs? FRESH_TMPFS=1 or 0; by default when
# the machine has 4 GiB of memory available (the root takes about 1 GB)
use_tmpfs() {
	case ${FRESH_TMPFS:-} in
	1) return 0 ;;
	0) return 1 ;;
	esac
	awk '$1 == "MemAvailable:" { exit !($2 >= 4 * 1024 * 1024) }' /proc/meminfo
}

# write_results: fresh.tap from the recorded steps, summary.txt from it
write_results() {
	local id n=0 first="" rc why
	{
		echo "TAP version 13"
		echo "1..${#STEPS[@]}"
		[ -f "$work/commit" ] && echo "# commit $(cat "$work/commit")"
		for id in "${STEPS[@]}"; do
			n=$((n + 1))
			if [ "$id" = host ] && [ -f "$work/steps/host.tap" ]; then
				sed "s/^not ok 1 /not ok $n /; s/^ok 1 /ok $n /" "$work/steps/host.tap"
				continue
			fi
			if [ ! -f "$work/steps/$id" ]; then
				echo "not ok $n ${NAME[$id]} # not run: ${first:-the root was not made}"
				continue
			fi
			{
				read -r rc
				read -r why
			} <"$work/steps/$id"
			if [ "$rc" = 0 ]; then
				echo "ok $n ${NAME[$id]}"
			elif [ "$rc" = skip ]; then
				echo "ok $n ${NAME[$id]} # SKIP $why"
			else
				echo "not ok $n ${NAME[$id]} # ${why//#/ }"
				[ -n "$first" ] || first="$id failed"
			fi
		done
		echo "# times: $times"
	} >"$out/fresh.tap"
	python3 "$CCHEAP_TOP/scripts/results.py" summary --verbose --variant fresh \
		"$out/fresh.tap" >"$out/summary.txt"
}

case ${1:-} in
--hook)
	shift
	hook "$@"
	exit 0
	;;
--host-tap)
	host_tap "$2" "$3"
	exit 0
	;;
'') ;;
*) die "usage: fresh-check.sh (no arguments)" ;;
esac

# -- the run ------------------------------------------------------------------
t0=$(date +%s)
times=
echo "== fresh: scripts/deps.sh and the host tests in a new Debian 12 root" >&2
mkdir -p "$work" "$out"
exec 9>"$work.lock"
flock -n 9 || die "another fresh-check.sh is running (lock: ${work#"$CCHEAP_TOP"/}.lock)"
rm -rf "$work/steps" "$work/commit" "$out"
mkdir -p "$work/steps" "$out"
fail_early() {
	record root 1 "$1"
	times="0s"
	write_results
	grep -v '^  SKIP ' "$out/summary.txt"
	exit 1
}
# Without root there is no chroot: every step is a skip, which
# tests/expected-skips expects (make check works without root when the
# packages are installed).
if [ "$(id -u)" != 0 ]; then
	for id in "${STEPS[@]}"; do
		record "$id" skip "needs root (mmdebstrap's root mode, chroot): sudo scripts/fresh-check.sh"
	done
	times="0s"
	write_results
	cat "$out/summary.txt"
	exit 0
fi
command -v mmdebstrap >/dev/null || fail_early "mmdebstrap is not installed (scripts/deps.sh installs it)"
remove_root >"$LOGS/fresh-remove.log" 2>&1 || fail_early "$(cat "$LOGS/fresh-remove.log")"
mirrors=$(python3 "$CCHEAP_TOP/scripts/apt-sources.py" mirrors 2>"$LOGS/fresh-mirrors.log") ||
	fail_early "$(cat "$LOGS/fresh-mirrors.log")"
mirror=$(awk '$1 == "debian" { print $2 }' <<<"$mirrors")
security=$(awk '$1 == "debian-security" && $2 != "none" { print $2 }' <<<"$mirrors")
# The apt sources of a Debian 12 installation: the release, its updates
# and its security updates.
sources=("deb $mirror $SUITE main" "deb $mirror $SUITE-updates main")
[ -z "$security" ] || sources+=("deb $security $SUITE-security main")

where=disk
if use_tmpfs; then
	mkdir -p "$root"
	mount -t tmpfs -o mode=0755,size=6G ccheap-fresh "$root" ||
		fail_early "could not mount a tmpfs on ${root#"$CCHEAP_TOP"/} (FRESH_TMPFS=0 puts the root on disk)"
	where=tmpfs
fi
# mmdebstrap's output is its log; the hook's step lines go to fd 3. The
# hook finds build/ through BUILD.
export BUILD
exec 3>&2
mmdebstrap --variant=minbase --format=directory \
	--customize-hook="'$self' --hook \"\$1\" $t0 $where" \
	"$SUITE" "$root" "${sources[@]}" >"$LOGS/fresh-mmdebstrap.log" 2>&1
rc=$?
exec 3>&-
t1=$(date +%s)
[ $rc -eq 0 ] ||
	record root 1 "mmdebstrap failed, exit status $rc (log: build/logs/fresh-mmdebstrap.log)"
if [ "${FRESH_KEEP:-0}" = 1 ]; then
	note "FRESH_KEEP=1: the root stays in ${root#"$CCHEAP_TOP"/} ($where)"
else
	run_step "remove the root ($(du -sm "$root" 2>/dev/null | cut -f1) MB, $where)" \
		"$LOGS/fresh-remove.log" remove_root
fi
t2=$(date +%s)
times="$((t1 - t0))s in mmdebstrap (hooks included), $((t2 - t1))s removing the root, $((t2 - t0))s in all"
write_results
rc=0
grep -q '^fresh: [0-9]* passed, 0 failed' "$out/summary.txt" || rc=1
echo "  fresh root: $((t2 - t0))s; results: ${out#"$CCHEAP_TOP"/}" >&2
grep -v '^  SKIP ' "$out/summary.txt"
exit $rc
