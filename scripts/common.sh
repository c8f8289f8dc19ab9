#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# common.sh check|pull BASE|push BASE: kernel/common, the files of the
# patch queues kept once as plain source (kernel/common/MANIFEST).
#   check       every queue named for a file ends with exactly the copy in
#               kernel/common: the blob id that the last patch touching the
#               file gives its new version ("index OLD..NEW") is the copy's
#               git blob id. Needs no kernel tree. Prints TAP.
#   pull BASE   write the copies of BASE's files from build/src/BASE
#               (branch ours); export-series.sh runs it after exporting.
#   push BASE   write the copies into build/src/BASE's work tree, to be
#               committed there (as fixups of the patches that add them).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

common=$KDIR/common
manifest=$common/MANIFEST
[ -f "$manifest" ] || die "no ${manifest#"$CCHEAP_TOP"/}"

# entries: "PATH BASE..." lines of the manifest
entries() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$manifest"
}

# last_index BASE PATH: the new blob id of PATH in the last patch of
# kernel/BASE/series that changes it, or nothing
last_index() {
	local base=$1 path=$2 p id=
	while read -r p; do
		case $p in '' | '#'* | '['*) continue ;; esac
		# format-patch: "diff --git a/P b/P", then (mode lines) "index A..B[ MODE]"
		local got
		got=$(awk -v path="$path" '
			/^diff --git / { cur = ($3 == "a/" path && $4 == "b/" path) ; next }
			cur && /^index / { split($2, ab, "\\.\\."); print ab[2]; cur = 0 }
		' "$KDIR/$base/$p")
		[ -n "$got" ] && id=$got
	done <"$KDIR/$base/series"
	echo "$id"
}

case ${1:-} in
check)
	n=0 fails=0 out=()
	while read -r path bases; do
		for base in $bases; do
			n=$((n + 1))
			name="kernel/common/$path is kernel/$base's last version"
			if [ ! -f "$common/$path" ]; then
				out+=("not ok $n $name" "#   no copy in kernel/common")
				fails=$((fails + 1))
				continue
			fi
			want=$(last_index "$base" "$path")
			have=$(git hash-object --no-filters "$common/$path")
			if [ -z "$want" ]; then
				out+=("not ok $n $name" "#   no patch in kernel/$base/series changes it")
				fails=$((fails + 1))
			elif [ "${have:0:${#want}}" != "$want" ]; then
				out+=("not ok $n $name" "#   the queue ends with blob $want, the copy is ${have:0:${#want}}: export the base (scripts/export-series.sh $base pulls it) or push the copy into its tree (scripts/common.sh push $base)")
				fails=$((fails + 1))
			else
				out+=("ok $n $name")
			fi
		done
	done < <(entries)
	echo "TAP version 13"
	echo "1..$n"
	printf '%s\n' "${out[@]}"
	[ "$fails" = 0 ]
	;;
pull | push)
	base=${2:?usage: common.sh $1 BASE}
	tree=$BUILD/src/$base
	[ -d "$tree/.git" ] || die "no tree build/src/$base (scripts/prepare-tree.sh $base)"
	while read -r path bases; do
		case " $bases " in *" $base "*) ;; *) continue ;; esac
		if [ "$1" = pull ]; then
			mkdir -p "$(dirname "$common/$path")"
			git -C "$tree" show "ours:$path" >"$common/$path.tmp" ||
				die "build/src/$base: no $path on branch ours"
			mv "$common/$path.tmp" "$common/$path"
		else
			cp "$common/$path" "$tree/$path"
		fi
	done < <(entries)
	;;
*)
	echo "usage: common.sh check | pull BASE | push BASE" >&2
	exit 2
	;;
esac
