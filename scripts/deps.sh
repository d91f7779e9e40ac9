#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages that building and testing shmregion needs.
# Only what is missing is installed; with nothing missing this is silent.
#
#   scripts/deps.sh [base|kbuild|debug|rt|dkms|deb|install|lint|stress|bench|gcc-N]...
#
# base (always): compilers, QEMU, busybox, cpio, kmod, and what fetching
#   a kernel into the cache needs (scripts/fetch-kernel.sh), pahole
#   (dwarves: Debian 13's 6.12 headers make BTF for modules).  No kernel
#   image, headers or source is installed into the host: test kernels and
#   the kernel source (the kselftest harness) are unpacked into
#   ~/.cache/shmregion by scripts/fetch-kernel.sh and build-kernel.sh.
# kbuild, debug: what building a kernel from source needs (KVER=7.2,
#   FLAVOUR=debug).  gcc-N: a Debian kernel's own compiler, for its headers.
# bench: gnuplot, which draws `make bench`'s latency plot on the host.
set -eu

want="gcc make gcc-multilib libc6-dev-i386 pkgconf xz-utils cpio kmod busybox-static qemu-system-x86 util-linux dwarves"


for extra in "$@"; do
	case "$extra" in
	base) ;;
	kbuild|debug) want="$want bc bison flex libelf-dev libssl-dev dwarves rsync" ;;
	gcc-[0-9]*) want="$want $extra" ;;
	rt) ;;
	dkms) want="$want dkms" ;;
	deb) want="$want dpkg-dev debhelper dh-dkms dh-python python3-dev python3-setuptools fakeroot lintian pkgconf debootstrap zstd" ;;
	install) want="$want pkg-config" ;;
	lint) want="$want sparse perl" ;;
	stress) want="$want stress-ng" ;;
	python) want="$want python3 python3-dev python3-setuptools python3-numpy python3-pytest squashfs-tools gdb strace netpbm" ;;
	bench) want="$want gnuplot-nox" ;;
	*) echo "deps.sh: unknown group '$extra'" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps.sh: missing packages:$missing (no apt-get here: install them by hand)" >&2
	exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "deps.sh: installing:$missing" >&2
# An old or empty package list makes the first install fail: refresh once.
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null ||
	{ $SUDO apt-get update -q >/dev/null &&
	  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null; }
