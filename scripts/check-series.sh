#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check-series.sh BASE: the patch queue's own checks.
#  1. the series applies to a clean base and round-trips (verify-series.sh);
#  2. scripts/checkpatch.pl --strict is clean on every patch, run both
#     inside the tree and from outside it with --no-tree;
#  3. every patch builds on its own: each commit of the series, in order,
#     configured with kernel/configs/base.config and built (incrementally,
#     with ccache) in a worktree under build/series/.
# Prints TAP; exit status 1 if anything failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

base=${1:?usage: check-series.sh BASE}
variant_base "$base" >/dev/null
tree=$BUILD/src/$base
"$CCHEAP_TOP/scripts/prepare-tree.sh" "$base" >&2 || die "cannot prepare build/src/$base"
mapfile -t patches < <(series_patches "$KDIR/$base/series" all)
n=0
fails=0
result() { # STATUS NAME [REASON]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2 # $3"
		fails=$((fails + 1))
	fi
}

echo "TAP version 13"
echo "1..$((1 + 3 * ${#patches[@]}))"
"$CCHEAP_TOP/scripts/verify-series.sh" "$base" >"$LOGS/series-verify-$base.log" 2>&1
result $? "kernel/$base applies to a clean base and round-trips" "see build/logs/series-verify-$base.log"

# checkpatch runs scripts/spdxcheck.py with whatever python3 is first in
# PATH; Debian's has the ply module it needs.
for p in "${patches[@]}"; do
	checkpatch "$tree" "$KDIR/$base/$p" >"$LOGS/checkpatch-$p.log" 2>&1
	result $? "checkpatch --strict $p" "$(grep -m1 -E '^(ERROR|WARNING|CHECK)' "$LOGS/checkpatch-$p.log")"
	checkpatch "$tree" "$KDIR/$base/$p" no-tree >"$LOGS/checkpatch-no-tree-$p.log" 2>&1
	result $? "checkpatch --strict --no-tree $p" "$(grep -m1 -E '^(ERROR|WARNING|CHECK)' "$LOGS/checkpatch-no-tree-$p.log")"
done

# Each patch builds: walk the series' commits in a worktree laid out like
# build/src and build/obj so that ccache shares objects with them.
wt=$BUILD/series/src/$base
obj=$BUILD/series/obj/$base
mkdir -p "$obj"
git -C "$tree" worktree prune
[ -e "$wt/.git" ] || git -C "$tree" worktree add -f --detach "$wt" base >"$LOGS/series-wt-$base.log" 2>&1 ||
	die "cannot create worktree $wt"
ccache_env
mk=(make -C "$wt" O="$obj" ARCH=x86_64 -j"$(nproc)" CC="ccache gcc" HOSTCC="ccache gcc")
mapfile -t commits < <(git -C "$tree" rev-list --reverse base..ours)
[ ${#commits[@]} -eq ${#patches[@]} ] ||
	die "build/src/$base has ${#commits[@]} commits but kernel/$base lists ${#patches[@]} patches; export first"
i=0
for c in "${commits[@]}"; do
	p=${patches[$i]}
	i=$((i + 1))
	log=$LOGS/series-build-$base-$i.log
	t0=$(date +%s)
	{
		git -C "$wt" checkout -q --detach "$c" &&
			"${mk[@]}" tinyconfig &&
			"$wt"/scripts/kconfig/merge_config.sh -m -O "$obj" "$obj/.config" \
				"$CCHEAP_TOP/kernel/configs/base.config" &&
			"${mk[@]}" olddefconfig && "${mk[@]}" bzImage
	} >"$log" 2>&1
	rc=$?
	echo "# $p: built in $(($(date +%s) - t0))s" >&2
	result $rc "builds after $p" "see ${log#"$CCHEAP_TOP"/}"
done
exit $((fails > 0))
