#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# cross-build.sh BASE: build the objects the product series touches for
# other architectures with Debian's cross compilers (arm64, s390, riscv),
# and check i386 with HIGHMEM: there the system_cc_shared heap must be
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

# build ARCH CROSS_COMPILE [extra config symbols]: configure and build $objs
build() {
	local arch=$1 cross=$2 obj=$BUILD/cross/$base-$1
	shift 2
	local mk=(make -C "$src" O="$obj" ARCH="$arch" CROSS_COMPILE="$cross" -j"$(nproc)")
	mkdir -p "$obj"
	"${mk[@]}" tinyconfig &&
		"$src/scripts/config" --file "$obj/.config" $(printf -- '--enable %s ' $syms "$@") &&
		"${mk[@]}" olddefconfig && "${mk[@]}" prepare && "${mk[@]}" $objs || return
	# The heap's conversions and pool, where the heap is built.
	if grep -q '^CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED=y' "$obj/.config"; then
		"${mk[@]}" drivers/dma-buf/heaps/system_cc_shared.o
	fi
}

echo "TAP version 13"
echo "1..5"
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
