#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deps.sh: install what the workbench needs with apt, if anything is missing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# What `make check` needs before its packaging path (which runs --deb):
pkgs=(
	# the test kernels (tinyconfig and kernel/configs): the compiler and
	# make, Kbuild's tools, objtool's libelf, the OpenSSL headers of the
	# kernel's signing tools, headers_install's rsync; ccache for rebuilds
	build-essential bc flex bison perl python3 libelf-dev libssl-dev rsync ccache
	# the bases: Debian's source packages (.tar.xz) unpacked into git trees
	git xz-utils
	# the guests: QEMU and its firmware (qboot.rom), busybox in the initramfs
	qemu-system-x86 qemu-system-data busybox-static
	# the host tests (tests/host): deb-cli.sh's dpkg-shlibdeps and
	# dpkg-buildflags (also in build-essential), lintian on the CLI package,
	# the CLI's unit tests under valgrind, its man page through groff
	dpkg-dev lintian valgrind groff-base
	# scripts/fresh-check.sh: a new Debian root to run this script and the
	# host tests in
	mmdebstrap
)
# --series: also what the patch-queue checks need (checkpatch's SPDX
# checker, the cross compilers).
# --deb: what `make bindeb-pkg` of a Debian config needs (debhelper for
# its debian/rules, pahole for BTF, kmod for depmod, openssl for the
# module signing key, and the Build-Depends-Arch that the kernel's
# scripts/package/mkdebian writes: 7.x adds libdw-dev, without which
# dpkg-buildpackage refuses to start);
# --deb-test: also a Debian root file system and QEMU to boot it.
case "${1:-}" in
--series)
	pkgs+=(python3-ply python3-git gcc-aarch64-linux-gnu gcc-s390x-linux-gnu
		gcc-riscv64-linux-gnu)
	;;
--deb | --deb-test)
	pkgs+=(debhelper dpkg-dev dwarves kmod cpio openssl bc bison flex
		libdw-dev libelf-dev libssl-dev python3 rsync)
	if [ "$1" = --deb-test ]; then
		pkgs+=(mmdebstrap e2fsprogs)
	fi
	;;
esac
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	die "missing packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})"
fi
step "apt-get install ${#missing[@]} packages" "$LOGS/deps.log" sh -c "
	apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends ${missing[*]}" ||
	die "could not install: ${missing[*]}"
