#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# cross-build.sh BASE: build the objects the product series touches for
# other architectures with Debian's cross compilers (arm64, s390, riscv),
# arm64 again with 64 KiB pages (Arm CCA guests may use them: the pool's
# block order is derived from the page size), and check i386 with HIGHMEM: there the system_cc_shared heap must be
# compiled out or never registered. Prints TAP; exit 1 on any failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

base=${1:?usage: cross-build.sh BASE}
variant_base "$base" >/dev/null
src=$BUILD/src/$base
[ -d "$src/.git" ] || die "no tree build/src/$base (run: scripts/prepare-tree.sh $base)"
objs="drivers/dma-buf/heaps/system_heap.o kernel/dma/mapping.o kernel/dma/direct.o lib/test_dmabuf.o"
syms="DMA_SHARED_BUFFER DMABUF_HEAPS DMABUF_HEAPS_SYSTEM DMABUF_HEAPS_SYSTEM_CC_SHARED TEST_DMABUF DEBUG_FS"
n=0
fails=0
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2 # $3"; fails=$((fails + 1)); fi
}

# build ARCH CROSS_COMPILE [extra config symbols]: configure and build
# $objs; OBJ_SUFFIX names a second tree of the same ARCH
build() {
	local arch=$1 cross=$2 obj=$BUILD/cross/$base-$1${OBJ_SUFFIX:-}
	shift 2
	local mk=(make -C "$src" O="$obj" ARCH="$arch" CROSS_COMPILE="$cross" -j"$(nproc)")
	mkdir -p "$obj"
	local opts=() s
	# A symbol "!SYM" is disabled, any other enabled.
	for s in $syms "$@"; do
		case $s in !*) opts+=(--disable "${s#!}") ;; *) opts+=(--enable "$s") ;; esac
	done
	"${mk[@]}" tinyconfig &&
		"$src/scripts/config" --file "$obj/.config" "${opts[@]}" &&
		"${mk[@]}" olddefconfig && "${mk[@]}" prepare && "${mk[@]}" $objs || return
	# The heap's conversions and pool, where the heap is built.
	if grep -q '^CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED=y' "$obj/.config"; then
		"${mk[@]}" drivers/dma-buf/heaps/system_cc_shared.o
	fi
}

echo "TAP version 13"
echo "1..6"
for t in arm64:aarch64-linux-gnu- s390:s390x-linux-gnu- riscv:riscv64-linux-gnu-; do
	arch=${t%%:*}
	cross=${t#*:}
	log=$LOGS/cross-$base-$arch.log
	if ! command -v "${cross}gcc" >/dev/null; then
		result 1 "$arch builds $objs" "no ${cross}gcc (apt-get install gcc-${cross%-})"
		continue
	fi
	build "$arch" "$cross" >"$log" 2>&1
	rc=$?
	cc=$(grep -c '^CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED=y' "$BUILD/cross/$base-$arch/.config" 2>/dev/null)
	echo "# $arch: CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED=$([ "$cc" = 1 ] && echo y || echo n)" \
		"(needs ARCH_HAS_MEM_ENCRYPT)"
	result $rc "$arch builds $objs$([ "$cc" = 1 ] && echo " drivers/dma-buf/heaps/system_cc_shared.o")" \
		"see ${log#"$CCHEAP_TOP"/}"
done

# arm64 with 64 KiB pages: the heap's block order is derived, not 9.
log=$LOGS/cross-$base-arm64-64k.log
if command -v aarch64-linux-gnu-gcc >/dev/null; then
	OBJ_SUFFIX=-64k build arm64 aarch64-linux-gnu- ARM64_64K_PAGES '!ARM64_4K_PAGES' >"$log" 2>&1
	rc=$?
	o=$BUILD/cross/$base-arm64-64k
	grep -q '^CONFIG_ARM64_64K_PAGES=y' "$o/.config" || rc=1
	cc=$(grep -c '^CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED=y' "$o/.config")
	echo "# arm64 64K pages: CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED=$([ "$cc" = 1 ] && echo y || echo n)"
	result $rc "arm64 with 64 KiB pages builds $objs$([ "$cc" = 1 ] && echo " drivers/dma-buf/heaps/system_cc_shared.o")" \
		"see ${log#"$CCHEAP_TOP"/}"
else
	result 1 "arm64 with 64 KiB pages builds $objs" "no aarch64-linux-gnu-gcc"
fi

# i386 with HIGHMEM: the heap object must not register system_cc_shared.
log=$LOGS/cross-$base-i386.log
build i386 "" HIGHMEM4G X86_32 >"$log" 2>&1
result $? "i386 HIGHMEM builds $objs" "see ${log#"$CCHEAP_TOP"/}"
o=$BUILD/cross/$base-i386/drivers/dma-buf/heaps/system_heap.o
grep -q '^CONFIG_HIGHMEM=y' "$BUILD/cross/$base-i386/.config" && [ -f "$o" ] &&
	! strings "$o" | grep -q system_cc_shared
result $? "i386 HIGHMEM: system_cc_shared compiled out of system_heap.o" \
	"HIGHMEM not set, or the object still names system_cc_shared"
exit $((fails > 0))
