#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deb-test-dkms.sh: ccheap-dkms on Debian's own kernel, as a user gets it.
# Builds the ccheap-dkms and ccheap packages, makes a Debian trixie root
# file system with mmdebstrap from the machine's own mirror, with
# trixie-backports' linux-image-cloud-amd64 (7.3) and its headers from
# Debian, installs both packages there with dpkg -i (DKMS builds the
# module against Debian's headers in the postinst), and boots Debian's
# kernel in QEMU (TCG; an ordinary VM, not a confidential one). At boot
# tests/deb/dkms-checks.sh checks that the unit skipped, that modprobe
# refuses with ENODEV and its one line, that ccheap info says why, and
# that the kernel log is clean, then powers off.
# Results: build/results/deb-test/dkms.tap and dkms.console.log; the last
# line is "deb-test-dkms: N passed, N failed".
#
#   SUITE=trixie     the Debian suite (its -backports has the kernel)
#   TIMEOUT=1200     seconds for the boot and the checks
set -euo pipefail
. "$(dirname "$0")/lib.sh"

suite=${SUITE:-trixie}
timeout=${TIMEOUT:-1200}
work=$BUILD/deb/test-dkms
results=$BUILD/results/deb-test
stage=$work/ccheap-test
mkdir -p "$work" "$results"
for t in mmdebstrap mkfs.ext4 qemu-system-x86_64 dpkg-deb; do
	command -v "$t" >/dev/null || die "deb-test-dkms needs $t (make deb-test-dkms installs it: scripts/deps.sh --deb-test)"
done

dkms_deb=$("$CCHEAP_TOP/scripts/deb-dkms.sh" | tail -n 1)
cli=$("$CCHEAP_TOP/scripts/deb-cli.sh" | tail -n 1)
version=$(dpkg-deb -f "$dkms_deb" Version)

rm -rf "$stage"
mkdir -p "$stage/debs"
cp "$dkms_deb" "$cli" "$stage/debs/"
cp "$CCHEAP_TOP/tests/deb/dkms-checks.sh" "$CCHEAP_TOP/tests/deb/ccheap-deb-test.service" "$stage/"
chmod 0755 "$stage/dkms-checks.sh"
sed -i 's|^ExecStart=.*|ExecStart=/opt/ccheap-test/dkms-checks.sh|' "$stage/ccheap-deb-test.service"

mirror=$(python3 "$CCHEAP_TOP/scripts/apt-sources.py" mirrors | awk '$1 == "debian" { print $2 }')
[ -n "$mirror" ] || exit 1 # apt-sources.py said why

rootfs=$work/rootfs
rm -rf "$rootfs"
# Debian's kernel and headers from backports; dpkg -i of ccheap-dkms then
# runs DKMS's postinst, which builds and installs the module for the
# kernels that have headers (dkms status and the .ko are logged and
# checked below, before the boot). The host's own kernel has no headers
# in there, so DKMS says it cannot build for it: that is not a failure.
# shellcheck disable=SC2016 # $1 is the hooks' own argument
step "mmdebstrap $suite + $suite-backports' 7.3 kernel" "$LOGS/deb-test-dkms-rootfs.log" \
	mmdebstrap --variant=minbase --format=directory \
	--include=systemd-sysv,udev,kmod,initramfs-tools,e2fsprogs,procps,dkms,openssl \
	--include="linux-image-cloud-amd64/$suite-backports,linux-headers-cloud-amd64/$suite-backports" \
	--customize-hook="copy-in $stage /opt" \
	--customize-hook='chroot "$1" sh -c "export DEBIAN_FRONTEND=noninteractive; dpkg -i /opt/ccheap-test/debs/*.deb"' \
	--customize-hook='chroot "$1" sh -c "dkms status; ls -l /lib/modules/*/updates/dkms" >"$1/opt/ccheap-test/dkms-status" 2>&1 || true' \
	--customize-hook='cp "$1/opt/ccheap-test/ccheap-deb-test.service" "$1/etc/systemd/system/"' \
	--customize-hook='chroot "$1" systemctl enable ccheap-deb-test.service' \
	--customize-hook='chroot "$1" systemctl mask serial-getty@ttyS0.service getty@tty1.service' \
	--customize-hook='echo "/dev/vda / ext4 defaults 0 1" >"$1/etc/fstab"' \
	--customize-hook='echo ccheap-deb-test >"$1/etc/hostname"' \
	"$suite" "$rootfs" "deb $mirror $suite main" "deb $mirror $suite-backports main" ||
	die "could not make the root file system (log: build/logs/deb-test-dkms-rootfs.log)"

# The kernel Debian installed: the newest linux-image-*-cloud-amd64
krel=$(chroot "$rootfs" dpkg-query -W -f='${Package} ${Status}\n' 'linux-image-*-cloud-amd64' 2>/dev/null |
	awk '/install ok installed/ { sub(/^linux-image-/, "", $1); print $1 }' | sort -V | tail -n 1)
[ -n "$krel" ] || die "no linux-image-*-cloud-amd64 in the root file system (log: build/logs/deb-test-dkms-rootfs.log)"
kver=$(chroot "$rootfs" dpkg-query -W -f='${Version}' "linux-image-$krel")
for f in "boot/vmlinuz-$krel" "boot/initrd.img-$krel"; do
	[ -f "$rootfs/$f" ] || die "$f is not in the root file system (log: build/logs/deb-test-dkms-rootfs.log)"
done
cp "$rootfs/boot/vmlinuz-$krel" "$rootfs/boot/initrd.img-$krel" "$work/"
cat >"$rootfs/opt/ccheap-test/expect" <<EOF
KREL='$krel'
DKMS_VERSION='$version'
EOF

# Checks on the built root, before the boot: what DKMS did at dpkg -i
tap=$results/dkms.tap
{
	echo "TAP version 13"
	cat "$rootfs/opt/ccheap-test/dkms-status" | sed 's/^/# /'
	ko=$(find "$rootfs/lib/modules/$krel/updates/dkms" -name 'system_cc_shared.ko*' 2>/dev/null | head -n 1)
	if [ -n "$ko" ]; then
		echo "ok 1 dpkg -i ccheap-dkms: DKMS built and installed system_cc_shared for Debian's $krel ($kver)"
	else
		echo "not ok 1 dpkg -i ccheap-dkms: DKMS built and installed system_cc_shared for Debian's $krel ($kver)"
	fi
	if grep -q "^ccheap/$version, $krel, x86_64: installed" "$rootfs/opt/ccheap-test/dkms-status"; then
		echo "ok 2 dkms status: ccheap/$version installed for $krel"
	else
		echo "not ok 2 dkms status: ccheap/$version installed for $krel"
	fi
} >"$tap.pre"

img=$work/rootfs.img
size=$(($(du -sm "$rootfs" | cut -f1) + 512))
# shellcheck disable=SC2016 # positional arguments of sh -c
step "ext4 image (${size} MiB)" "$LOGS/deb-test-dkms-image.log" sh -c '
	rm -f "$1" && truncate -s "$2M" "$1" && mkfs.ext4 -q -F -L root -d "$3" "$1"' \
	sh "$img" "$size" "$rootfs" || die "could not make the disk image"

accel=(-accel tcg -cpu max)
[ "${KVM:-0}" = 1 ] && accel=(-accel kvm -cpu host)
console=$results/dkms.console.log
step "boot Debian's $krel in QEMU (at most ${timeout}s)" "$console" \
	timeout "$timeout" qemu-system-x86_64 -machine q35 "${accel[@]}" -m 2048 -smp 1 \
	-nographic -no-reboot -nic none \
	-kernel "$work/vmlinuz-$krel" -initrd "$work/initrd.img-$krel" \
	-append "root=/dev/vda rw console=ttyS0 panic=-1 quiet loglevel=4 systemd.show_status=0" \
	-drive "file=$img,format=raw,if=virtio" </dev/null || true

# The boot's results are numbered after the two above.
{
	cat "$tap.pre"
	sed -n 's/^.*ccheap-deb-test| //p' "$console" | tr -d '\r' | grep -v '^done$' |
		grep -v -e '^TAP version' -e '^1\.\.[0-9]*$' | awk '
			/^(not )?ok [0-9]+/ { n = $0; sub(/^(not )?ok [0-9]+/, "", n)
				pre = ($1 == "not") ? "not ok" : "ok"; print pre " " (++i + 2) n; next }
			{ print }'
	if ! grep -q 'ccheap-deb-test| done' "$console"; then
		echo "not ok 999 the checks ran to the end (no 'done' on the console)"
		tail -n 30 "$console" | tr -d '\r' | sed 's/^/#   /'
	fi
} >"$tap.body"
{
	cat "$tap.body"
	echo "1..$(grep -cE '^(not )?ok ' "$tap.body")"
} >"$tap"
rm -f "$tap.pre" "$tap.body"
pass=$(grep -c '^ok ' "$tap" || true)
fail=$(grep -c '^not ok ' "$tap" || true)
grep '^not ok ' "$tap" >&2 || true
echo "results: ${tap#"$CCHEAP_TOP"/}, console: ${console#"$CCHEAP_TOP"/}" >&2
echo "deb-test-dkms: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
