#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# prepare-tree.sh VARIANT: make build/src/BASE a git tree of the pinned base
# with kernel/BASE's series applied; for a stock variant, also make
# build/stock/src/BASE a worktree of the same repository at the end of the
# test-infrastructure part.
#
# Branches in the tree:  base        one commit, the unpacked Debian source
#                        test-infra  base + the series' test-infrastructure part
#                        product     test-infra + the product part
#                        ours        product + the product tests (checked out)
#
# An existing tree is left alone when it already carries the current series.
# A tree with commits that were not exported is never reset: the command
# stops and says so (export them, or FORCE=1 to discard).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:?usage: prepare-tree.sh VARIANT}
base=$(variant_base "$variant")
tree=$BUILD/src/$base
series=$KDIR/$base/series
[ -f "$series" ] || die "no series file kernel/$base/series"
read_pin "$base"

git_t() { git -C "$tree" -c user.name=ccheap -c user.email=ccheap@invalid "$@"; }

unpack() {
	local deb ver tmp
	deb=$("$CCHEAP_TOP/scripts/fetch-base.sh" "$base")
	ver=$(dpkg-deb -f "$deb" Version)
	tmp=$(mktemp -d "$BUILD/src/.unpack.XXXXXX")
	step "unpack $PIN_PACKAGE $ver" "$LOGS/unpack-$base.log" \
		sh -c "dpkg -x '$deb' '$tmp/deb' && tar -C '$tmp' -xf '$tmp'/deb/usr/src/$PIN_PACKAGE.tar.xz && rm -rf '$tmp/deb'"
	rm -rf "$tree"
	mv "$tmp/$PIN_PACKAGE" "$tree"
	rmdir "$tmp"
	# One base commit with a fixed identity and date, so that commit ids
	# (and thus the exported patches) do not depend on when it was made.
	# Debian's tarball ends .gitignore with an ignore-everything block for
	# its packaging repository; it is cut so that new files can be added.
	# -f: the base holds every file of the tarball, dotfiles included.
	step "git base commit" "$LOGS/git-base-$base.log" sh -c "
		cd '$tree' && git init -q -b base && git config gc.auto 0 &&
		git config core.abbrev 12 && git config user.name ccheap &&
		git config user.email ccheap@invalid &&
		sed -i '/^# Debian packaging: ignore everything/,\$d' .gitignore &&
		git -c core.compression=1 add -A -f &&
		GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' GIT_COMMITTER_DATE='2000-01-01T00:00:00Z' \
		git commit -q -m 'Debian $PIN_PACKAGE $ver'"
	echo "$ver" >"$tree/.git/ccheap-version"
}

apply_series() {
	local p
	git_t checkout -q -B ours base
	git_t am --abort >/dev/null 2>&1 || true
	for part in test product product-tests; do
		for p in $(series_patches "$series" $part); do
			[ -f "$KDIR/$base/$p" ] || die "series lists $p, which is not in kernel/$base/"
			if ! git_t am -q --committer-date-is-author-date "$KDIR/$base/$p" >"$LOGS/am-$base.log" 2>&1; then
				git_t am --abort >/dev/null 2>&1 || true
				sed 's/^/    | /' "$LOGS/am-$base.log" >&2
				die "patch kernel/$base/$p does not apply to $PIN_PACKAGE $(cat "$tree/.git/ccheap-version")"
			fi
		done
		[ $part = test ] && git_t branch -f test-infra HEAD
		[ $part = product ] && git_t branch -f product HEAD
	done
	series_id "$base" >"$tree/.git/ccheap-series"
	git_t rev-parse HEAD >"$tree/.git/ccheap-head"
}

mkdir -p "$BUILD/src"
if [ ! -d "$tree/.git" ] || ! git_t rev-parse -q --verify base >/dev/null; then
	unpack
elif [ "$(cat "$tree/.git/ccheap-version")" != "$PIN_VERSION" ] &&
	[ "${REUNPACK:-0}" = 1 ]; then
	unpack
fi

if [ "$(cat "$tree/.git/ccheap-series" 2>/dev/null)" != "$(series_id "$base")" ]; then
	if [ -f "$tree/.git/ccheap-head" ] && [ "${FORCE:-0}" != 1 ] &&
		[ "$(git_t rev-parse HEAD)" != "$(cat "$tree/.git/ccheap-head")" ]; then
		die "build/src/$base has commits that are not in kernel/$base (run scripts/export-series.sh $base, or FORCE=1 to discard them)"
	fi
	step "apply series kernel/$base ($(series_patches "$series" all | wc -l) patches)" "$LOGS/apply-$base.log" true
	apply_series
fi

# The stock variant's source: a worktree at the end of the test part.
[ "$(variant_part "$variant")" = test ] || exit 0
stock=$(variant_src "$variant")
if [ ! -e "$stock/.git" ]; then
	step "worktree $base-stock" "$LOGS/worktree-$base.log" \
		git_t worktree add -f --detach "$stock" test-infra
elif [ "$(git -C "$stock" rev-parse HEAD)" != "$(git_t rev-parse test-infra)" ]; then
	git -C "$stock" checkout -q --detach "$(git_t rev-parse test-infra)"
fi
