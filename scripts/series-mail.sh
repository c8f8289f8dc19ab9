#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# series-mail.sh BASE: the posting kit. The fixes of kernel/BASE (the
# product patches that carry a Fixes: tag), as a numbered series with a
# cover letter against the base, in build/mail/BASE/:
#   0000-cover-letter.patch, 0001-*.patch ...  git format-patch output
#   to, cc                                     addresses from get_maintainer.pl
#   checkpatch.log                             checkpatch.pl --strict, all clean
#   send.sh                                    the git send-email command
#   rfc/                                       the other product patches on
#                                              top, as [RFC PATCH] (no
#                                              hardware numbers yet)
# The patches carry the project's Signed-off-by: a real submitter must
# replace it with their own before posting (Documentation/process/
# submitting-patches.rst, "Developer's Certificate of Origin").
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base=${1:?usage: series-mail.sh BASE}
variant_base "$base" >/dev/null
tree=$BUILD/src/$base
out=$BUILD/mail/$base
"$CCHEAP_TOP/scripts/prepare-tree.sh" "$base" >&2 || die "cannot prepare build/src/$base"
git_t() { git -C "$tree" -c user.name=ccheap -c user.email=ccheap@invalid "$@"; }

# fill_cover COVER BLURB: put BLURB's first line as the cover letter's
# subject and the rest as its text, then remove BLURB.
fill_cover() {
	python3 - "$1" "$2" <<'EOF'
import sys
cover, blurb = sys.argv[1], open(sys.argv[2]).read()
subject, body = blurb.split('\n', 1)
s = open(cover).read()
s = s.replace('*** SUBJECT HERE ***', subject, 1)
s = s.replace('*** BLURB HERE ***', body.strip('\n'), 1)
open(cover, 'w').write(s)
EOF
	rm -f "$2"
}

# The fixes, in series order: product commits with a Fixes: tag.
mapfile -t fixes < <(git_t log --reverse --format=%H test-infra..product |
	while read -r c; do
		git_t log -1 --format=%B "$c" | grep -q '^Fixes: ' && echo "$c"
	done)
[ ${#fixes[@]} -gt 0 ] || die "kernel/$base has no patch with a Fixes: tag"

# Apply them alone to the base, in a scratch worktree: the series must
# stand on its own, without the test infrastructure or other patches.
wt=$BUILD/mail/.wt-$base
rm -rf "$wt"
git_t worktree prune
git_t worktree add -q -f --detach "$wt" base
trap 'git -C "$tree" worktree remove -f "$wt" >/dev/null 2>&1 || true' EXIT
for c in "${fixes[@]}"; do
	git -C "$wt" -c user.name=ccheap -c user.email=ccheap@invalid \
		cherry-pick --allow-empty-message "$c" >"$LOGS/mail-$base.log" 2>&1 ||
		die "$(git_t log -1 --format=%s "$c") does not apply to the base without the patches before it (see build/logs/mail-$base.log)"
done

rm -rf "$out"
mkdir -p "$out"
# Recipients: maintainers of what the series touches are To, lists and
# reviewers Cc. stable@ is Cc'd per patch by the patches' own tags.
range=base..HEAD
git -C "$wt" diff base HEAD >"$out/series.diff"
(cd "$wt" && ./scripts/get_maintainer.pl --no-rolestats --no-git --no-git-fallback \
	--m --no-r --no-l "$out/series.diff") |
	sort -u >"$out/to"
(cd "$wt" && ./scripts/get_maintainer.pl --no-rolestats --no-git --no-git-fallback \
	--no-m --r --l "$out/series.diff") |
	sort -u | grep -v -x -F -f "$out/to" >"$out/cc" || true
rm -f "$out/series.diff"
[ -s "$out/to" ] || die "get_maintainer.pl found no maintainer for the series"

args=()
while read -r a; do args+=(--to "$a"); done <"$out/to"
while read -r a; do args+=(--cc "$a"); done <"$out/cc"
git -C "$wt" -c core.abbrev=12 -c format.signature= \
	-c user.name='ccheap developers' -c user.email=dev@ccheap.example format-patch -q -n \
	--cover-letter --base=base --subject-prefix=PATCH "${args[@]}" \
	-o "$out" "$range"

# The cover letter: what each fix fixes, and how it was tested.
n=${#fixes[@]}
ver=$(cat "$tree/.git/ccheap-version")
{
	echo "dma-buf: heaps: system: fixes for system_cc_shared and bouncing"
	echo
	cat <<EOF
These $n patches fix defects in the system_cc_shared dma-buf heap, in the
system heap's mappings when DMA is bounced, and in DMA_ATTR_CC_SHARED's
scatterlist path. Each says what goes wrong on SEV-SNP and TDX guests,
and each that can hurt a user is marked for stable.

EOF
	i=0
	for c in "${fixes[@]}"; do
		i=$((i + 1))
		printf ' %d. %s\n' "$i" "$(git_t log -1 --format=%s "$c")"
		git_t log -1 --format=%B "$c" | sed -n 's/^Fixes: /    Fixes: /p'
	done
	for c in "${fixes[@]}"; do
		case $(git_t log -1 --format=%s "$c") in
		*"OOM killer"*) ;;
		*) continue ;;
		esac
		cat <<EOF

On the patch that keeps the heap away from the OOM killer: it allocates
order-0 chunks with __GFP_RETRY_MAYFAIL, so that a request fails with
-ENOMEM where it invoked the OOM killer. That alone does not keep the
system away from its last pages while a request holds them, nor stop
concurrent requests from keeping it there: checks of MemAvailable that
do are in the RFC series that follows, for system_cc_shared, and as a
question for system (MemAvailable leaves out what zram can give back).
We considered set_current_oom_origin() around the loop, as the ring
buffer does, but it still invokes the OOM killer (it only makes the
allocating task its victim).
EOF
	done
	cat <<EOF

Testing. No SEV-SNP or TDX hardware was used. The series was tested in
QEMU (TCG) x86_64 guests on Linux ${ver%%-*} (Debian's linux-source-$base
$ver, the base below), booted as an emulated confidential guest: a test-only
platform that reports guest memory encryption, tracks the private/shared
state of every page frame, overwrites frames on conversion as hardware
does, injects conversion failures in both the TDX-like (half converted)
and SNP-like (all converted) shapes, and reports misuse (a shared frame
freed, a DMA_ATTR_CC_SHARED mapping of a private frame). A test-only
dma-buf importer plays the device through dma-direct. The emulator,
the importer and the tests are not part of this series.

Each patch has a test that fails without it and passes with it, and the
whole suite ran on the base with and without the series:
EOF
	res=$BUILD/results
	for v in "$base" "$base-stock"; do
		if [ -f "$res/$v/summary.txt" ]; then
			printf '  %-10s %s\n' "$v:" "$(tail -n 1 "$res/$v/summary.txt" | sed 's/^[^:]*: //')"
		else
			printf '  %-10s %s\n' "$v:" "(no results: run make check first)"
		fi
	done
	cat <<EOF
On the unpatched base the failures are exactly the defects fixed here
(expected failures, one ledger ID each). Patch 1..$n also pass
checkpatch.pl --strict and build one by one.
EOF
} >"$out/.blurb"
fill_cover "$out/0000-cover-letter.patch" "$out/.blurb"

# Every patch checkpatch-clean; the cover letter is not a patch.
rc=0
: >"$out/checkpatch.log"
# checkpatch_dir DIR: every patch in DIR, in both modes; rc=1 if one is not clean
checkpatch_dir() {
	local p mode
	for p in "$1"/0*.patch; do
		case $p in *0000-cover-letter.patch) continue ;; esac
		for mode in tree no-tree; do
			if ! checkpatch "$wt" "$p" $mode >>"$out/checkpatch.log" 2>&1; then
				echo "checkpatch ($mode): ${p#"$out"/} is not clean" >&2
				rc=1
			fi
		done
	done
}
checkpatch_dir "$out"
missing=$(grep -L '^Fixes: ' "$out"/0*.patch | grep -v cover-letter || true)
[ -z "$missing" ] || { echo "no Fixes: tag in $missing" >&2; rc=1; }

# The RFC series: the other product patches, on top of the fixes, as
# [RFC PATCH] until they have numbers from SEV-SNP and TDX hardware (the
# pool's conversion counts are the emulator's, its costs a model). In
# build/mail/BASE/rfc/, checkpatch-clean like the fixes.
mapfile -t rfcs < <(git_t log --reverse --format=%H test-infra..product |
	while read -r c; do
		git_t log -1 --format=%B "$c" | grep -q '^Fixes: ' || echo "$c"
	done)
if [ ${#rfcs[@]} -gt 0 ]; then
	fixes_head=$(git -C "$wt" rev-parse HEAD)
	for c in "${rfcs[@]}"; do
		git -C "$wt" -c user.name=ccheap -c user.email=ccheap@invalid \
			cherry-pick --allow-empty-message "$c" >>"$LOGS/mail-$base.log" 2>&1 ||
			die "$(git_t log -1 --format=%s "$c") does not apply on top of the fixes (see build/logs/mail-$base.log)"
	done
	mkdir -p "$out/rfc"
	git -C "$wt" -c core.abbrev=12 -c format.signature= \
		-c user.name='ccheap developers' -c user.email=dev@ccheap.example format-patch -q -n \
		--cover-letter --base="$fixes_head" --subject-prefix="RFC PATCH" "${args[@]}" \
		-o "$out/rfc" "$fixes_head..HEAD"
	{
		echo "dma-buf: heaps: system: system_cc_shared hardening, MemAvailable gates, 2 MiB blocks"
		echo
		cat <<EOF
These ${#rfcs[@]} patches go on top of the $n fixes. They are RFC: they change
behaviour on purpose (when large requests fail, how shared memory is
kept), or harden against what no tree does today, and the pool's gain is
measured in an emulator, not on SEV-SNP or TDX hardware. Comments on the
design are what we ask for; numbers from hardware come before a posting
without RFC.

EOF
		i=0
		for c in "${rfcs[@]}"; do
			i=$((i + 1))
			printf ' %d. %s\n' "$i" "$(git_t log -1 --format=%s "$c")"
		done
	} >"$out/rfc/.blurb"
	fill_cover "$out/rfc/0000-cover-letter.patch" "$out/rfc/.blurb"
	checkpatch_dir "$out/rfc"
fi

cat >"$out/send.sh" <<'EOF'
#!/bin/sh
# Review, replace the Signed-off-by of every patch with your own, then:
exec git send-email --confirm=always "$(dirname "$0")"/0*.patch
EOF
chmod +x "$out/send.sh"
echo "build/mail/$base: cover letter + $n patches, To: $(paste -sd, "$out/to"), Cc: $(wc -l <"$out/cc") more"
echo "build/mail/$base/rfc: cover letter + ${#rfcs[@]} RFC patches on top"
echo "  (replace the Signed-off-by: ccheap developers line with a real submitter's before posting)"
exit $rc
