#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# verify-series.sh BASE: check that kernel/BASE applies with `git am` to a
# clean base and that exporting the result reproduces kernel/BASE byte for
# byte (the round trip is lossless).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base=${1:?usage: verify-series.sh BASE}
variant_base "$base" >/dev/null
"$CCHEAP_TOP/scripts/prepare-tree.sh" "$base" >/dev/null 2>&1 || true
tree=$BUILD/src/$base
dest=$KDIR/$base
[ -d "$tree/.git" ] || die "no tree build/src/$base"
wt=$BUILD/src/.verify-$base
out=$(mktemp -d)
cleanup() {
	git -C "$tree" worktree remove --force "$wt" >/dev/null 2>&1 || rm -rf "$wt"
	git -C "$tree" worktree prune
	rm -rf "$out"
}
trap cleanup EXIT
cleanup
# A sparse worktree: only the directories the series touches are checked
# out (seconds, instead of the whole tree).
dirs=$(cd "$dest" && series_patches series all | xargs -r grep -h -E '^(\+\+\+ b|--- a)/' |
	sed -E 's#^(\+\+\+ b|--- a)/##; s#/?[^/]*$##' | sort -u | grep . || true)
step "sparse worktree of base" "$LOGS/verify-$base.log" sh -c '
	git -C "$0" worktree add -q -f --no-checkout --detach "$1" base &&
	git -C "$1" sparse-checkout set --cone $2 &&
	git -C "$1" checkout -q --detach base' "$tree" "$wt" "$dirs"
ntest=0
nprod=0
for part in test product product-tests; do
	for p in $(series_patches "$dest/series" $part); do
		git -C "$wt" -c user.name=ccheap -c user.email=ccheap@invalid \
			am -q --committer-date-is-author-date "$dest/$p" >>"$LOGS/verify-$base.log" 2>&1 ||
			die "kernel/$base/$p does not apply (see build/logs/verify-$base.log)"
		[ $part = test ] && ntest=$((ntest + 1))
		[ $part = product ] && nprod=$((nprod + 1))
	done
done
format_patches "$wt" base..HEAD 1 "$out"
# shellcheck disable=SC2046
write_series "$base" "$ntest" "$nprod" $(ls "$out" | sort) >"$out/series"
if ! diff -r -x '*.orig' "$dest" "$out" -x pin >"$LOGS/verify-$base.diff"; then
	die "round trip of kernel/$base is not byte-stable (build/logs/verify-$base.diff)"
fi
echo "kernel/$base: $(series_patches "$dest/series" all | wc -l) patches apply to the clean base and round-trip byte for byte"
