#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# build-kernel.sh VARIANT: build the test kernel for VARIANT (DEBUG=1 for the
# debug variant) into build/obj/VARIANT[-debug], with ccache and all cores.
# Prints one line per step; full make output goes to build/logs.
# EXTRA_CONFIG=fragment adds a fragment last and OBJ=dir builds there
# instead (the harness self-test builds a broken kernel that way).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:?usage: build-kernel.sh VARIANT}
base=$(variant_base "$variant")
"$CCHEAP_TOP/scripts/prepare-tree.sh" "$variant"
src=$(variant_src "$variant")
flavour=$variant
frags=("$KDIR/configs/base.config")
if [ "${DEBUG:-0}" = 1 ]; then
	flavour=$variant-debug
	frags+=("$KDIR/configs/debug.config")
fi
# The dkms variant: configured as Debian's 7.3 is, the heap option off.
case $variant in *-dkms) frags+=("$KDIR/configs/dkms.config") ;; esac
if [ -n "${EXTRA_CONFIG:-}" ]; then
	[ -f "$EXTRA_CONFIG" ] || die "EXTRA_CONFIG=$EXTRA_CONFIG is not a file"
	frags+=("$EXTRA_CONFIG")
fi
obj=${OBJ:-$(variant_obj "$variant" "${DEBUG:-0}")}
log=$LOGS/build-$flavour
# A new dkms object tree starts as a copy of the stock one (same source,
# one option apart): kbuild then rebuilds only what that option touches.
case $variant in *-dkms)
	seed=$(variant_obj "${variant%-dkms}-stock" "${DEBUG:-0}")
	# Not from a tree the kernel cache filled: it has no objects.
	if [ ! -f "$obj/.config" ] && [ -f "$seed/arch/x86/boot/bzImage" ] &&
		[ -f "$seed/vmlinux" ]; then
		step "seed $flavour from ${seed#"$CCHEAP_TOP"/}" "$log-seed.log" \
			cp -a "$seed/." "$obj/" || die "copying $seed failed"
		# Commands that name the object tree (objtool's, which every
		# object depends on) would otherwise differ and rebuild it all.
		grep -rlZ --include='*.cmd' --include='*.d' -F "$seed/" "$obj" |
			xargs -0 -r sed -i "s|$seed/|$obj/|g"
		# The stock variant's run may be installing its headers now:
		# this tree installs its own.
		rm -rf "$obj/usr/include"
		rm -f "$obj/.ccheap-config" "$obj/.ccheap-kcache"
	fi
	;;
esac
mkdir -p "$obj"

jobs=$(nproc)
# KVM is ours (KVM=1 boots with KVM) but also a variable of the kernel
# build (virt/kvm/Makefile.kvm): never let it through.
mk=(env -u KVM make -C "$src" O="$obj" ARCH=x86_64 -j"$jobs")
if command -v ccache >/dev/null; then
	mk+=(CC="ccache gcc" HOSTCC="ccache gcc")
	ccache_env
fi

configure() {
	"${mk[@]}" tinyconfig &&
		(cd "$obj" && "$src"/scripts/kconfig/merge_config.sh -m -O "$obj" "$obj"/.config \
			"${frags[@]}") &&
		"${mk[@]}" olddefconfig
}

# Reconfigure when a fragment or the source tree's HEAD changed.
stamp=$(cat "${frags[@]}" | sha1sum | cut -c1-16)-$(git -C "$src" rev-parse HEAD)
if [ "$(cat "$obj/.ccheap-config" 2>/dev/null)" != "$stamp" ] || [ ! -f "$obj/.config" ]; then
	step "configure $flavour (tinyconfig + fragments)" "$log-config.log" \
		configure || die "configuration of $flavour failed"
	# Report fragment options that the base does not have or that
	# dependencies turned off. They are notes; the options a test kernel
	# cannot do without are config/kconfig-required, checked below.
	# A later fragment's value of an option is the one that counts.
	missing=$(grep -h '^CONFIG_' "${frags[@]}" | tac | awk -F= '!seen[$1]++' | tac |
		while IFS= read -r want; do
			sym=${want%%=*}
			val=${want#*=}
			have=$(grep -E "^$sym=|^# $sym is not set" "$obj/.config" || true)
			if [ "$val" = n ]; then
				[ -z "$have" ] || [ "$have" = "# $sym is not set" ] || echo "$sym"
			elif [ "$have" != "$want" ]; then
				echo "$sym"
			fi
		done | tr '\n' ' ')
	[ -z "$missing" ] || note "not in $flavour's config: $missing"
	echo "$missing" >"$obj/.ccheap-missing"
	echo "$stamp" >"$obj/.ccheap-config"
fi
# Every build, so that a configuration from before a change of the list
# is checked too.
require_options "$flavour" "$obj/.config"

# The kernel cache (kcache_* in lib.sh): a kernel built from exactly these
# inputs, by this clone or another, is taken from it instead of being
# built again. Only for a clean source tree and the standard object tree.
key=
if kcache_on && [ -z "${OBJ:-}" ] && [ -z "${EXTRA_CONFIG:-}" ] &&
	[ -z "$(git -C "$src" status --porcelain 2>/dev/null)" ]; then
	key=$(kcache_key "$flavour" "$variant" "$src" "$obj") || key=
fi
if [ -n "$key" ] && [ "$(cat "$obj/.ccheap-kcache" 2>/dev/null)" = "$key" ] &&
	[ -f "$obj/arch/x86/boot/bzImage" ]; then
	echo "$obj/arch/x86/boot/bzImage"
	exit 0
fi
if [ -n "$key" ] && kcache_restore "$key" "$obj"; then
	step "$flavour from the kernel cache (${key:0:12})" /dev/null true
	echo "$key" >"$obj/.ccheap-kcache"
	echo "$obj/arch/x86/boot/bzImage"
	exit 0
fi
rm -f "$obj/.ccheap-kcache"

step "build $flavour bzImage (-j$jobs)" "$log.log" "${mk[@]}" bzImage ||
	die "kernel build of $flavour failed; see ${log#"$CCHEAP_TOP"/}.log"
case $variant in *-dkms)
	# Module.symvers (modpost of vmlinux, and the few =m options), then
	# ccheap-dkms's module against this tree, as DKMS builds it against
	# a distribution's headers: $obj/ccheap-dkms/system_cc_shared.ko
	step "build $flavour modules" "$log-modules.log" "${mk[@]}" modules ||
		die "modules of $flavour failed; see ${log#"$CCHEAP_TOP"/}-modules.log"
	"$CCHEAP_TOP/scripts/dkms-source.sh" "$obj/ccheap-dkms" >/dev/null
	step "build ccheap-dkms's system_cc_shared.ko" "$log-dkms.log" \
		"${mk[@]}" M="$obj/ccheap-dkms" modules ||
		die "ccheap-dkms does not build against $flavour; see ${log#"$CCHEAP_TOP"/}-dkms.log"
	;;
esac
# The UAPI headers the guest's tests build against, here rather than in
# run-guest.sh: make check builds the next variant in the background, and
# this step (most of a minute in a new tree) goes with it.
step "headers_install $flavour" "$log-headers.log" "${mk[@]}" headers ||
	die "make headers of $flavour failed; see ${log#"$CCHEAP_TOP"/}-headers.log"
if [ -n "$key" ]; then
	kcache_store "$key" "$obj" || note "could not store $flavour in the kernel cache"
	echo "$key" >"$obj/.ccheap-kcache"
fi
echo "$obj/arch/x86/boot/bzImage"
