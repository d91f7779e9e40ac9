#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Pick the kernel that the module is built for and the VM boots, fetching
# or building it into the cache first when it is not there.
#
#   scripts/kernel.sh paths|image|kdir|moddir [KVER [FLAVOUR]]
#
# paths prints "KDIR KERNEL KMODDIR" on one line; image the kernel image,
# kdir its build tree (headers), moddir its lib/modules/<release>.
# KVER is a series: 6.1, 6.12 (Debian's images, unpacked by
# scripts/fetch-kernel.sh) or anything else, e.g. 7.2, 7.3 (built from
# Debian's linux-source-KVER by scripts/build-kernel.sh with
# kernels/vm.config); empty means the host distribution's series (6.1 on
# Debian 12, 6.12 on Debian 13).  FLAVOUR is cloud (the default), rt, or
# debug (scripts/debug-kernel.sh: KASAN, lockdep, ... on linux-source-KVER).
# Nothing is installed into the host: everything lives in
# ${SHMR_CACHE:-~/.cache/shmregion}/kernels/.  Progress goes to stderr.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
what=${1:?usage: kernel.sh paths|image|kdir|moddir [KVER [FLAVOUR]]}
kver=${2:-}
flavour=${3:-cloud}
# series that Debian ships as images this project boots; the others are
# built (sid's 7.x images need a newer C library than Debian 12 has)
images=${SHMR_IMAGE_SERIES:-6.1 6.12}

[ -n "$kver" ] || kver=$("$here/fetch-kernel.sh" default-kver)
case "$flavour" in
debug) dir=$("$here/debug-kernel.sh" "$kver" | tail -n 1) ;;
cloud|rt)
	case " $images " in
	*" $kver "*) dir=$("$here/fetch-kernel.sh" image "$kver" "$flavour") ;;
	*)
		[ "$flavour" = cloud ] ||
			{ echo "kernel.sh: KVER=$kver is built from source: no FLAVOUR=$flavour (cloud or debug)" >&2; exit 2; }
		dir=$("$here/build-kernel.sh" "$kver" vm "$here/../kernels/vm.config" | tail -n 1)
		;;
	esac
	;;
*) echo "kernel.sh: unknown FLAVOUR '$flavour' (cloud, rt, debug)" >&2; exit 2 ;;
esac

# the one release in the directory
rel=$(ls "$dir/lib/modules" 2>/dev/null | head -n 1)
if [ -z "$rel" ] || [ ! -r "$dir/boot/vmlinuz-$rel" ] || [ ! -d "$dir/lib/modules/$rel/build/" ]; then
	echo "kernel.sh: no kernel in $dir" >&2
	exit 1
fi
m=$dir/lib/modules/$rel
case "$what" in
paths) echo "$m/build $dir/boot/vmlinuz-$rel $m/" ;;
image) echo "$dir/boot/vmlinuz-$rel" ;;
kdir) echo "$m/build" ;;
moddir) echo "$m/" ;;
*) echo "kernel.sh: paths, image, kdir or moddir" >&2; exit 2 ;;
esac
