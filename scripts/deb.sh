#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deb.sh BASE: Debian packages of BASE (6.12 or 7.3) with the product part
# of kernel/BASE, built with Debian's own configuration of that version.
# Prints the packages' paths, the linux-image package last.
#
#   FLAVOUR=cloud-amd64   Debian's flavour whose config is used (amd64,
#                         cloud-amd64, rt-amd64: whatever linux-config has)
#   MINIMAL=1             the workbench's minimal config instead
#                         (tinyconfig + the package's part of
#                         kernel/configs/base.config, before its line
#                         "# --- test kernels only"): a fast packaging
#                         test, not a kernel to install
#   EXCLUDE='0006 0011'   product patches (number or file name) to leave out
#   LOCALVERSION=-ccheap  kernel release suffix: linux-image-VER-ccheap
#   DEB_REVISION=1        package version VER-ccheapN
#   DBG=1                 also the -dbg package (gigabytes; off by default)
#   CONFIG_ONLY=1         stop after writing the configuration
#   CCACHE=1              compile through ccache (off: a distribution
#                         config would evict the workbench's objects)
#
# The source is a shared clone of build/src/BASE at its `base` branch (the
# unpacked Debian source) under build/deb/src-BASE, with only the
# [product] patches applied: the packages carry no test infrastructure.
# Debian's config comes from its linux-config-X.Y package of the same
# version (fetched like the base, cached in ~/.cache/ccheap/debs);
# CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED=y is set, and, so that it builds
# outside Debian's signing infrastructure, CONFIG_SYSTEM_TRUSTED_KEYS="",
# CONFIG_SYSTEM_REVOCATION_KEYS="" and CONFIG_MODULE_SIG_KEY at the
# kernel's default (a key generated at build time signs the modules).
# Everything else is Debian's; what olddefconfig changed anyway (options
# this toolchain lacks) is listed in build/deb/config-BASE-FLAVOUR.diff.
# Output: build/deb/*.deb; logs: build/logs/deb-*.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base=${1:?usage: deb.sh BASE (6.12 or 7.3)}
case $base in
6.12 | 7.3) ;;
*) die "unknown BASE '$base' (known: 6.12 7.3)" ;;
esac
series=$KDIR/$base/series
[ -f "$series" ] || die "no series file kernel/$base/series"
read_pin "$base"
minimal=${MINIMAL:-0}
flavour=${FLAVOUR:-cloud-amd64}
[ "$minimal" = 1 ] && flavour=minimal
localversion=${LOCALVERSION-}
if [ -z "${LOCALVERSION+set}" ]; then
	localversion=-ccheap
	[ "$minimal" = 1 ] && localversion=-ccheap-minimal
fi
out=$BUILD/deb
tree=$BUILD/src/$base
src=$out/src-$base
obj=$out/obj-$base-$flavour
tag=$base-$flavour
cache=${CCHEAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ccheap}/debs
mkdir -p "$out" "$cache"

# -- the unpacked base ------------------------------------------------------
if ! git -C "$tree" rev-parse -q --verify refs/heads/base >/dev/null 2>&1; then
	"$CCHEAP_TOP/scripts/prepare-tree.sh" "$base" >&2 ||
		die "no source tree build/src/$base"
fi
version=$(cat "$tree/.git/ccheap-version" 2>/dev/null) ||
	die "build/src/$base has no .git/ccheap-version (unpack it again: REUNPACK=1 scripts/prepare-tree.sh $base)"

# -- Debian's configuration -------------------------------------------------
# fetch_deb PACKAGE VERSION: path of the cached .deb, downloaded if needed
fetch_deb() {
	local pkg=$1 ver=$2 arch file have tmp
	arch=$(dpkg --print-architecture)
	file=$cache/${pkg}_${ver//:/%3a}_$arch.deb
	if [ ! -f "$file" ]; then
		apt_sources || exit 1
		step "apt update (project-local lists)" "$LOGS/apt-update.log" \
			apt_local apt-get update || die "apt-get update failed (network?)"
		have=$(apt_local apt-cache madison "$pkg" 2>/dev/null |
			awk -F'|' '{ gsub(/ /, "", $2); print $2 }')
		if [ -z "$have" ]; then
			die "the archive has no package $pkg (found: $(apt_local apt-cache search --names-only '^linux-config-' 2>/dev/null | cut -d' ' -f1 | paste -sd' '))"
		fi
		grep -qxF "$ver" <<<"$have" ||
			die "$pkg $ver (the version of build/src/$base) is not in the archive (it has: $(paste -sd' ' <<<"$have"))"
		tmp=$(mktemp -d "$cache/.dl.XXXXXX")
		(cd "$tmp" && step "download $pkg $ver" "$LOGS/download-$pkg.log" \
			apt_local apt-get download "$pkg=$ver") || {
			rm -rf "$tmp"
			die "download of $pkg=$ver failed"
		}
		mv "$tmp"/*.deb "$file"
		rmdir "$tmp"
	fi
	echo "$file"
}

# The flavour of a config file name: config.amd64_none_cloud-amd64.xz is
# cloud-amd64, config.amd64_rt_amd64.xz (a featureset) is rt-amd64.
flavours_of() {
	dpkg-deb -c "$1" | awk '{ print $NF }' |
		sed -n 's#^\./usr/src/linux-config-[^/]*/config\.amd64_\([^_]*\)_\(.*\)\.xz$#\1 \2 &#p' |
		awk '{ print ($1 == "none" ? $2 : $1 "-" $2), $3 }'
}

debconf=$out/config-$tag.debian
if [ "$minimal" != 1 ]; then
	cpkg=linux-config-${PIN_PACKAGE#linux-source-}
	cdeb=$(fetch_deb "$cpkg" "$version")
	member=$(flavours_of "$cdeb" | awk -v f="$flavour" '$1 == f { print $2 }')
	[ -n "$member" ] ||
		die "no flavour '$flavour' in $cpkg $version (it has: $(flavours_of "$cdeb" | cut -d' ' -f1 | paste -sd' '))"
	dpkg-deb --fsys-tarfile "$cdeb" | tar -xO "$member" | xz -dc >"$debconf" ||
		die "could not read $member from $cdeb"
	[ -s "$debconf" ] || die "$member in $cdeb is empty"
	note "config: Debian's $flavour, ${member#./} of $cpkg $version"
fi

# -- source: the base plus the product part ---------------------------------
product=()
skipped=()
for p in $(series_patches "$series" product); do
	[ -f "$KDIR/$base/$p" ] || die "kernel/$base/series lists $p, which is not in kernel/$base/"
	for x in ${EXCLUDE:-}; do
		if [ "$p" = "$x" ] || [ "${p%%-*}" = "$x" ]; then
			skipped+=("$p")
			continue 2
		fi
	done
	product+=("$p")
done
[ ${#product[@]} -gt 0 ] || die "kernel/$base/series has no [product] patches (left out: ${skipped[*]:-none})"
[ ${#skipped[@]} -eq 0 ] || note "left out (EXCLUDE): ${skipped[*]}"

base_commit=$(git -C "$tree" rev-parse base)
state=$( (echo "$base_commit" && cd "$KDIR/$base" && cat "${product[@]}") | sha1sum | cut -c1-40)

# includes_missing PATCH: "<header> (from FILE)" for every header that a
# line the patch adds includes and that the tree does not have: such a
# patch only builds on top of the test-infrastructure part.
includes_missing() {
	awk '
		/^\+\+\+ b\// { file = substr($0, 7); next }
		/^\+[ \t]*#[ \t]*include[ \t]*[<"]/ {
			line = substr($0, 2)
			sub(/^[ \t]*#[ \t]*include[ \t]*/, "", line)
			q = substr(line, 1, 1)
			end = index(substr(line, 2), q == "<" ? ">" : "\"")
			if (end) print q, substr(line, 2, end - 1), file
		}
	' "$1" | while read -r q h file; do
		case $q in
		'<')
			case $h in linux/* | uapi/* | kunit/* | trace/*) ;; *) continue ;; esac
			[ -e "$am_tree/include/$h" ] || [ -e "$am_tree/arch/x86/include/$h" ] ||
				[ -e "$am_tree/include/uapi/$h" ] || echo "<$h> (from $file)"
			;;
		*)
			[ -e "$am_tree/$(dirname "$file")/$h" ] || echo "\"$h\" (from $file)"
			;;
		esac
	done
}

# The patches are applied in a worktree of their own, and the result is
# checked out in build/deb/src-BASE from where that was: only the files
# whose content changes get a new time stamp, so a change to the series
# rebuilds what it touches, not everything that includes a patched header.
# A clone that was never checked out has no time stamps to keep: the
# patches are applied in it directly, one checkout of the tree instead of
# two (a worktree's and the clone's).
# git_am TREE ARG...: git am in TREE with an identity, which applying and
# --abort (it writes the reflog) need even where git has none configured
# (a fresh machine)
git_am() {
	git -C "$1" -c user.name=ccheap -c user.email=ccheap@invalid am "${@:2}"
}
apply_product() {
	local p miss head
	git -C "$src" fetch -q origin "+refs/heads/base:refs/remotes/origin/base" || return 1
	if [ -e "$src/.git/ccheap-deb-head" ]; then
		am_tree=$src.am
		git -C "$src" worktree remove -f "$am_tree" >/dev/null 2>&1 || rm -rf "$am_tree"
		git -C "$src" worktree prune &&
			git -C "$src" worktree add -q --detach "$am_tree" origin/base || return 1
	else
		am_tree=$src
		git_am "$src" --abort >/dev/null 2>&1 || true
		git -C "$src" checkout -q -f --detach origin/base &&
			git -C "$src" clean -q -fdx || return 1
	fi
	# Every patch is tried, and a failing one skipped, so that one run
	# names every problem.
	for p in "${product[@]}"; do
		if git_am "$am_tree" -q --committer-date-is-author-date "$KDIR/$base/$p" \
			>>"$LOGS/deb-am-$base.log" 2>&1; then
			miss=$(includes_missing "$KDIR/$base/$p" | tr '\n' ' ')
			[ -z "$miss" ] || echo "missing-include $p $miss"
		else
			git_am "$am_tree" --abort >/dev/null 2>&1 || true
			echo "does-not-apply $p"
		fi
	done
	[ "$am_tree" = "$src" ] && return 0
	head=$(git -C "$am_tree" rev-parse HEAD) &&
		git -C "$src" worktree remove -f "$am_tree" &&
		git -C "$src" checkout -q -f --detach "$head" &&
		git -C "$src" clean -q -fdx
}

if [ "$(cat "$src/.git/ccheap-deb-state" 2>/dev/null)" != "$state" ] ||
	[ "$(git -C "$src" rev-parse HEAD 2>/dev/null)" != "$(cat "$src/.git/ccheap-deb-head" 2>/dev/null)" ]; then
	# A clone of an older unpacking of the base may lack objects that
	# went with it: clone again when the base commit changed.
	if [ ! -d "$src/.git" ] ||
		[ "$(cat "$src/.git/ccheap-deb-base" 2>/dev/null)" != "$base_commit" ]; then
		rm -rf "$src"
		# --shared: the objects stay in build/src/BASE, which is only read
		step "clone build/src/$base (shared, no checkout)" "$LOGS/deb-clone-$base.log" \
			git clone -q --shared --no-checkout -b base "$tree" "$src" ||
			die "could not clone build/src/$base"
		echo "$base_commit" >"$src/.git/ccheap-deb-base"
	fi
	rm -f "$src/.git/ccheap-deb-state"
	: >"$LOGS/deb-am-$base.log"
	step "base $version + ${#product[@]} product patches" "$LOGS/deb-src-$base.log" \
		apply_product || die "could not check out the base in build/deb/src-$base"
	problem=$(grep -E '^(does-not-apply|missing-include) ' "$LOGS/deb-src-$base.log" || true)
	if [ -n "$problem" ]; then
		sed 's/^/    | /' "$LOGS/deb-am-$base.log" >&2
		while read -r kind p rest; do
			case $kind in
			does-not-apply) note "kernel/$base/$p does not apply to the base + the product patches before it (without [test-infra])" ;;
			missing-include) note "kernel/$base/$p includes $rest, which only [test-infra] adds: it would not build" ;;
			esac
		done <<<"$problem"
		die "the [product] part of kernel/$base cannot be packaged without its [test-infra] part (above); move those patches to [test-infra] (as kernel/7.3 does) or leave them out: EXCLUDE='$(awk '{ sub(/-.*/, "", $2); printf "%s%s", s, $2; s = " " }' <<<"$problem")'"
	fi
	git -C "$src" rev-parse HEAD >"$src/.git/ccheap-deb-head"
	echo "$state" >"$src/.git/ccheap-deb-state"
fi
printf '%s\n' "${product[@]}" >"$out/patches-$tag.txt"

# -- configuration ----------------------------------------------------------
jobs=$(nproc)
# KVM is ours (make test KVM=1) but also a variable of the kernel build
# (virt/kvm/Makefile.kvm): never let it through.
mk=(env -u KVM make -C "$src" O="$obj" --no-print-directory ARCH=x86_64 -j"$jobs"
	LOCALVERSION="$localversion")
if [ "${CCACHE:-0}" = 1 ] && command -v ccache >/dev/null; then
	mk+=(CC="ccache gcc" HOSTCC="ccache gcc")
	ccache_env
fi
cfg=$src/scripts/config

configure() {
	mkdir -p "$obj"
	if [ "$minimal" = 1 ]; then
		# The package's part of base.config: what comes before its
		# "# --- test kernels only" line.
		grep -q '^# --- test kernels only' "$KDIR/configs/base.config" || {
			echo "kernel/configs/base.config has no '# --- test kernels only' line"
			return 1
		}
		sed '/^# --- test kernels only/,$d' "$KDIR/configs/base.config" >"$obj/package.config" &&
			"${mk[@]}" tinyconfig &&
			"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
				"$obj/package.config" || return 1
	else
		cp "$debconf" "$obj/.config"
		"$cfg" --file "$obj/.config" \
			--set-str SYSTEM_TRUSTED_KEYS "" \
			--set-str SYSTEM_REVOCATION_KEYS "" \
			--set-str MODULE_SIG_KEY "certs/signing_key.pem"
	fi
	"$cfg" --file "$obj/.config" --enable DMABUF_HEAPS_SYSTEM_CC_SHARED &&
		"${mk[@]}" olddefconfig
}
step "configure $tag" "$LOGS/deb-config-$tag.log" configure ||
	die "configuration of $tag failed"
grep -qx 'CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED=y' "$obj/.config" ||
	die "CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED is not =y after olddefconfig (it needs DMABUF_HEAPS_SYSTEM=y and ARCH_HAS_MEM_ENCRYPT)"
# The test infrastructure's options (the last block of base.config) must
# not exist in a product-only tree.
testsyms=$(sed -n '/^# Test infrastructure/,$s/^\(CONFIG_[A-Z0-9_]*\)=.*/\1/p' "$KDIR/configs/base.config")
for s in $testsyms; do
	if grep -q "^$s=" "$obj/.config"; then
		die "$s is set in $tag: the tree has test infrastructure"
	fi
done
if [ "$minimal" != 1 ]; then
	diff=$out/config-$tag.diff
	"$src/scripts/diffconfig" "$debconf" "$obj/.config" >"$diff" || true
	note "$(grep -c . "$diff") options differ from Debian's $flavour config (ours and what this toolchain lacks): ${diff#"$CCHEAP_TOP"/}"
fi
if [ "${CONFIG_ONLY:-0}" = 1 ]; then
	echo "$obj/.config"
	exit 0
fi

# -- bindeb-pkg -------------------------------------------------------------
kver=$("${mk[@]}" -s kernelversion)
krel=$("${mk[@]}" -s kernelrelease)
pkgver=$kver-ccheap${DEB_REVISION:-1}
maint=$(deb_maintainer) || exit 1
export DEBFULLNAME=${maint% <*} DEBEMAIL=${maint##*<}
DEBEMAIL=${DEBEMAIL%>}
# One source name per flavour, so that flavours keep their own .changes
srcname=linux-ccheap-$flavour
dpkg_flags=
[ "${DBG:-0}" = 1 ] || dpkg_flags=-Ppkg.$srcname.nokerneldbg
changes=$out/${srcname}_${pkgver}_$(dpkg --print-architecture).changes
stamp=$(cat "$obj/.config" "$out/patches-$tag.txt" | sha1sum | cut -c1-16)-$(git -C "$src" rev-parse HEAD)-$pkgver-$krel-$dpkg_flags

# debs_of CHANGES: the .deb files a .changes lists, linux-image last
debs_of() {
	awk -v d="$out" '
		/^Files:/ { f = 1; next }
		/^[^ ]/ { f = 0 }
		f && $NF ~ /\.deb$/ {
			if ($NF ~ /^linux-image-/ && $NF !~ /-dbg_/)
				img = d "/" $NF
			else
				print d "/" $NF
		}
		END { if (img) print img }
	' "$1"
}

# files_of CHANGES: the names of the files a .changes lists
files_of() {
	awk '/^Files:/ { f = 1; next } /^[^ ]/ { f = 0 } f { print $NF }' "$1"
}

# The minimal packages (make check's) are kept in the kernel cache
# (kcache_* in lib.sh) by what they are made of: the stamp (configuration,
# patches, tree, versions, flags), the maintainer, and this script. A
# clean clone of a commit packaged here takes them from there.
pkey=
if [ "$minimal" = 1 ] && kcache_on && [ -z "$(git -C "$src" status --porcelain 2>/dev/null)" ]; then
	pkey=$({
		echo "ccheap package cache 1 $tag $srcname"
		echo "$stamp"
		echo "$maint"
		cat "$CCHEAP_TOP/scripts/deb.sh" "$CCHEAP_TOP/scripts/lib.sh" | sha256sum
	} | sha256sum | cut -c1-40)
fi

uptodate=0
if [ "$(cat "$out/.stamp-$tag" 2>/dev/null)" = "$stamp" ] && [ -f "$changes" ]; then
	uptodate=1
	for d in $(debs_of "$changes"); do
		[ -f "$d" ] || uptodate=0
	done
fi
if [ $uptodate = 0 ] && [ -n "$pkey" ] && kcache_restore "$pkey" "$out" && [ -f "$changes" ]; then
	note "packages of $tag from the kernel cache ($krel, $pkgver, ${pkey:0:12})"
	echo "$stamp" >"$out/.stamp-$tag"
elif [ $uptodate = 1 ]; then
	note "packages of $tag are up to date ($krel, $pkgver)"
else
	rm -f "$out/.stamp-$tag"
	step "bindeb-pkg $krel $pkgver (-j$jobs)" "$LOGS/deb-build-$tag.log" \
		"${mk[@]}" KDEB_PKGVERSION="$pkgver" KDEB_SOURCENAME="$srcname" \
		DPKG_FLAGS="$dpkg_flags" bindeb-pkg ||
		die "bindeb-pkg of $tag failed; see build/logs/deb-build-$tag.log"
	[ -f "$changes" ] || die "bindeb-pkg wrote no ${changes#"$CCHEAP_TOP"/}"
	echo "$stamp" >"$out/.stamp-$tag"
	if [ -n "$pkey" ]; then
		# shellcheck disable=SC2046 # file names without blanks
		kcache_store "$pkey" "$out" "$(basename "$changes")" $(files_of "$changes") ||
			note "could not store the packages of $tag in the kernel cache"
	fi
fi
debs_of "$changes" | tee "$out/debs-$tag.txt"
