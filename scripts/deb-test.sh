#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deb-test.sh BASE: the kernel package as a user gets it. Builds the
# cloud-amd64 packages of BASE (scripts/deb.sh) and the ccheap package,
# makes a Debian root file system with mmdebstrap from the machine's own
# mirror, installs both there with dpkg -i, and boots it in QEMU (TCG;
# KVM=1 for KVM). At boot a systemd unit runs tests/deb/checks.sh (our
# kernel runs, /dev/dma_heap/system exists, system_cc_shared does not,
# ccheap info says why, upstream's dmabuf-heaps selftest passes) and
# powers off. Results: build/results/deb-test/BASE.tap and .console.log;
# the last line is "deb-test BASE: N passed, N failed".
#
#   KERNEL_DEB=FILE  boot this linux-image package instead of building one
#                    (e.g. Debian's own: shows the checks that need ours fail)
#   SUITE=trixie     the Debian suite of the root file system
#   TIMEOUT=1200     seconds for the boot and the checks
# EXCLUDE, LOCALVERSION, DEB_REVISION are passed on to deb.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base=${1:?usage: deb-test.sh BASE (6.12 or 7.3)}
case $base in
6.12 | 7.3) ;;
*) die "unknown BASE '$base' (known: 6.12 7.3)" ;;
esac
suite=${SUITE:-trixie}
timeout=${TIMEOUT:-1200}
work=$BUILD/deb/test-$base
results=$BUILD/results/deb-test
stage=$work/ccheap-test
src=$BUILD/deb/src-$base
if [ -n "${KERNEL_DEB:-}" ] && [ ! -f "$KERNEL_DEB" ]; then
	die "KERNEL_DEB=$KERNEL_DEB does not exist"
fi
mkdir -p "$work" "$results"
for t in mmdebstrap mkfs.ext4 qemu-system-x86_64 gcc; do
	command -v "$t" >/dev/null || die "deb-test needs $t (make deb-test installs it: scripts/deps.sh --deb-test)"
done
[ "$(id -u)" = 0 ] || note "not root: mmdebstrap runs in unshare mode, and dpkg -i inside it must work there"

# -- the packages -----------------------------------------------------------
if [ -n "${KERNEL_DEB:-}" ]; then
	image=$(realpath "$KERNEL_DEB")
	note "kernel: $image (KERNEL_DEB; not built from kernel/$base)"
	# The source tree is still needed for the selftest.
	CONFIG_ONLY=1 FLAVOUR=cloud-amd64 MINIMAL=0 "$CCHEAP_TOP/scripts/deb.sh" "$base" >/dev/null
else
	image=$(FLAVOUR=cloud-amd64 MINIMAL=0 "$CCHEAP_TOP/scripts/deb.sh" "$base" | tail -n 1)
fi
pkg=$(dpkg-deb -f "$image" Package)
case $pkg in
linux-image-*-dbg) die "$image is a debug symbols package, not a kernel" ;;
linux-image-*) krel=${pkg#linux-image-} ;;
*) die "$image is $pkg, not a linux-image-KERNELRELEASE package" ;;
esac
cli=$("$CCHEAP_TOP/scripts/deb-cli.sh" | tail -n 1)

# -- upstream's selftest, static, against the tree's own UAPI headers ---------
selftest() {
	make -C "$src" O="$work/hdr-obj" ARCH=x86_64 INSTALL_HDR_PATH="$work/hdr" \
		headers_install &&
		gcc -static -O3 -Wl,-no-as-needed -Wall -D_GNU_SOURCE \
			-isystem "$work/hdr/include" -I"$src/tools/testing/selftests" \
			-o "$work/dmabuf-heap" \
			"$src/tools/testing/selftests/dmabuf-heaps/dmabuf-heap.c"
}
step "dmabuf-heaps selftest (static)" "$LOGS/deb-test-selftest-$base.log" selftest ||
	die "could not build the dmabuf-heaps selftest of build/deb/src-$base"

# -- what goes into the root file system -----------------------------------
rm -rf "$stage"
mkdir -p "$stage/debs"
cp "$image" "$cli" "$stage/debs/"
cp "$work/dmabuf-heap" "$CCHEAP_TOP/tests/deb/checks.sh" \
	"$CCHEAP_TOP/tests/deb/ccheap-deb-test.service" "$stage/"
testsyms=$(sed -n '/^# Test infrastructure/,$s/^\(CONFIG_[A-Z0-9_]*\)=.*/\1/p' \
	"$KDIR/configs/base.config" | tr '\n' ' ')
cat >"$stage/expect" <<EOF
KREL='$krel'
CCHEAP_VERSION='$(dpkg-deb -f "$cli" Version)'
TESTSYMS='$testsyms'
EOF
chmod 0755 "$stage/checks.sh" "$stage/dmabuf-heap"

mirror=$(python3 "$CCHEAP_TOP/scripts/apt-sources.py" mirrors | awk '$1 == "debian" { print $2 }')
[ -n "$mirror" ] || exit 1 # apt-sources.py said why

rootfs=$work/rootfs
rm -rf "$rootfs"
# Hooks run with the root file system as $1. dpkg -i runs the kernel's
# postinst, whose initramfs-tools hook writes /boot/initrd.img-KREL. Our
# packages need nothing that is not there; apt-get -f only completes the
# dependencies of a KERNEL_DEB such as Debian's (linux-base).
# shellcheck disable=SC2016 # $1 is the hooks' own argument
step "mmdebstrap $suite from $mirror" "$LOGS/deb-test-rootfs-$base.log" \
	mmdebstrap --variant=minbase --format=directory \
	--include=systemd-sysv,udev,kmod,initramfs-tools,e2fsprogs,procps \
	--customize-hook="copy-in $stage /opt" \
	--customize-hook='chroot "$1" sh -c "export DEBIAN_FRONTEND=noninteractive; dpkg -i /opt/ccheap-test/debs/*.deb || apt-get -y -f install"' \
	--customize-hook='cp "$1/opt/ccheap-test/ccheap-deb-test.service" "$1/etc/systemd/system/"' \
	--customize-hook='chroot "$1" systemctl enable ccheap-deb-test.service' \
	--customize-hook='chroot "$1" systemctl mask serial-getty@ttyS0.service getty@tty1.service' \
	--customize-hook='echo "/dev/vda / ext4 defaults 0 1" >"$1/etc/fstab"' \
	--customize-hook='echo ccheap-deb-test >"$1/etc/hostname"' \
	"$suite" "$rootfs" "deb $mirror $suite main" ||
	die "could not make the root file system (log: build/logs/deb-test-rootfs-$base.log)"
for f in "boot/vmlinuz-$krel" "boot/initrd.img-$krel"; do
	[ -f "$rootfs/$f" ] || die "$f is not in the root file system: did the package install? (log: build/logs/deb-test-rootfs-$base.log)"
done
cp "$rootfs/boot/vmlinuz-$krel" "$rootfs/boot/initrd.img-$krel" "$work/"

img=$work/rootfs.img
size=$(($(du -sm "$rootfs" | cut -f1) + 512))
# shellcheck disable=SC2016 # positional arguments of sh -c
step "ext4 image (${size} MiB)" "$LOGS/deb-test-image-$base.log" sh -c '
	rm -f "$1" && truncate -s "$2M" "$1" && mkfs.ext4 -q -F -L root -d "$3" "$1"' \
	sh "$img" "$size" "$rootfs" || die "could not make the disk image"

# -- boot ---------------------------------------------------------------------
accel=(-accel tcg -cpu max)
[ "${KVM:-0}" = 1 ] && accel=(-accel kvm -cpu host)
console=$results/$base.console.log
step "boot $krel in QEMU (at most ${timeout}s)" "$console" \
	timeout "$timeout" qemu-system-x86_64 -machine q35 "${accel[@]}" -m 2048 -smp 1 \
	-nographic -no-reboot -nic none \
	-kernel "$work/vmlinuz-$krel" -initrd "$work/initrd.img-$krel" \
	-append "root=/dev/vda rw console=ttyS0 panic=-1 quiet loglevel=4 systemd.show_status=0" \
	-drive "file=$img,format=raw,if=virtio" </dev/null || true

tap=$results/$base.tap
sed -n 's/^.*ccheap-deb-test| //p' "$console" | tr -d '\r' | grep -v '^done$' >"$tap" || true
if ! grep -q 'ccheap-deb-test| done' "$console"; then
	{
		echo "not ok 999 the checks ran to the end (no 'done' on the console)"
		tail -n 30 "$console" | tr -d '\r' | sed 's/^/#   /'
	} >>"$tap"
fi
pass=$(grep -c '^ok ' "$tap" || true)
fail=$(grep -c '^not ok ' "$tap" || true)
grep '^not ok ' "$tap" >&2 || true
echo "results: ${tap#"$CCHEAP_TOP"/}, console: ${console#"$CCHEAP_TOP"/}" >&2
echo "deb-test $base: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
