#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Pick the kernel that the module is built for and the VM boots.
#
#   scripts/kernel.sh image|kdir [FLAVOUR]
#
# Prints the kernel image (bzImage) or the build directory (headers).
# FLAVOUR is empty (the running kernel when its headers are installed,
# else the newest Debian cloud kernel with headers), "cloud", "rt",
# or "debug" (built by scripts/debug-kernel.sh, cached outside the tree).
set -eu

what=$1
flavour=${2:-}

# newest release of a flavour that has both an image and headers
newest() {
	for b in $(ls -d /lib/modules/*"$1"/build 2>/dev/null | sort -V -r); do
		r=${b#/lib/modules/}
		r=${r%/build}
		if [ -r "/boot/vmlinuz-$r" ]; then
			echo "$r"
			return 0
		fi
	done
	return 1
}

case "$flavour" in
debug)
	dir=$("$(dirname "$0")/debug-kernel.sh" --print-dir)
	case "$what" in
	image) echo "$dir/arch/x86/boot/bzImage" ;;
	kdir) echo "$dir" ;;
	esac
	exit 0
	;;
cloud) rel=$(newest -cloud-amd64) ;;
rt) rel=$(newest -rt-amd64) ;;
"")
	rel=$(uname -r)
	if [ ! -d "/lib/modules/$rel/build" ] || [ ! -r "/boot/vmlinuz-$rel" ]; then
		rel=$(newest -cloud-amd64 || newest "")
	fi
	;;
*) echo "kernel.sh: unknown FLAVOUR '$flavour' (cloud, rt, debug)" >&2; exit 2 ;;
esac

if [ -z "${rel:-}" ]; then
	echo "kernel.sh: no kernel with headers for FLAVOUR='$flavour'; run scripts/deps.sh" >&2
	exit 1
fi
case "$what" in
image) echo "/boot/vmlinuz-$rel" ;;
kdir) echo "/lib/modules/$rel/build" ;;
*) echo "kernel.sh: image or kdir" >&2; exit 2 ;;
esac
