#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# export-series.sh BASE: regenerate kernel/BASE (patch files and series)
# from the commits in build/src/BASE: base..test-infra is the
# test-infrastructure part, test-infra..product the product part and
# product..ours the product tests (without a branch "product", the product
# part ends at ours).
# The output is byte-stable: exporting an unchanged tree changes nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base=${1:?usage: export-series.sh BASE}
variant_base "$base" >/dev/null
tree=$BUILD/src/$base
dest=$KDIR/$base
[ -d "$tree/.git" ] || die "no tree build/src/$base (run: scripts/prepare-tree.sh $base)"
git -C "$tree" merge-base --is-ancestor test-infra ours ||
	die "test-infra is not an ancestor of ours in build/src/$base"
[ "$(git -C "$tree" symbolic-ref -q --short HEAD)" = ours ] ||
	die "build/src/$base: check out branch 'ours' before exporting"
git -C "$tree" diff --quiet HEAD -- ||
	die "build/src/$base has uncommitted changes; commit them first"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prod=ours
git -C "$tree" rev-parse -q --verify product >/dev/null && prod=product
{ git -C "$tree" merge-base --is-ancestor test-infra "$prod" &&
	git -C "$tree" merge-base --is-ancestor "$prod" ours; } ||
	die "build/src/$base: need base <= test-infra <= product <= ours"
ntest=$(git -C "$tree" rev-list --count base..test-infra)
nprod=$(git -C "$tree" rev-list --count test-infra.."$prod")
format_patches "$tree" base..test-infra 1 "$tmp"
format_patches "$tree" test-infra.."$prod" $((ntest + 1)) "$tmp"
format_patches "$tree" "$prod"..ours $((ntest + nprod + 1)) "$tmp"
rm -f "$dest"/*.patch
# shellcheck disable=SC2046
[ -n "$(ls "$tmp")" ] && cp "$tmp"/*.patch "$dest"/
write_series "$base" "$ntest" "$nprod" $(ls "$tmp" | sort) >"$dest/series"
n=$(ls "$tmp" | wc -l)
# The tree now matches kernel/: record it so prepare-tree.sh leaves it be.
series_id "$base" >"$tree/.git/ccheap-series"
git -C "$tree" rev-parse HEAD >"$tree/.git/ccheap-head"
echo "kernel/$base: $n patches ($ntest test-infra, $nprod product, $((n - ntest - nprod)) product tests)"
git -C "$CCHEAP_TOP" status --short -- "kernel/$base"
# The files kept once (kernel/common/MANIFEST): this base's copies, then
# whether the other base's queue still agrees.
"$CCHEAP_TOP/scripts/common.sh" pull "$base"
"$CCHEAP_TOP/scripts/common.sh" check | grep '^not ok' || true
git -C "$CCHEAP_TOP" status --short -- kernel/common
