#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the test VM's initramfs: busybox, scripts/guest-init as /init,
# the payload in /shmr with the module and the TAP helper, host programs
# with their shared libraries, and the kernel modules the guest loads.
#
#   scripts/initramfs.sh OUT.cpio.gz
#
# Environment (scripts/vm.sh passes it on):
#   MODULE    shmregion.ko, copied to /shmr/shmregion.ko
#   PAYLOAD   directory copied to /shmr: bin/ (on PATH), lib/, tests/,
#             tests.list (one test program a line, relative to /shmr),
#             demo.sh, bench.sh, post-tests.sh, post-rmmod.sh
#   HOSTBINS  host programs copied to /shmr/bin with their libraries
#   KMODDIR   the booted kernel's /lib/modules/<release>: the modules in
#             GUEST_KMODS (default "loop crc32c_generic ext4", for an
#             O_DIRECT-capable filesystem) and their dependencies go to
#             /shmr/kmod/, listed in load order in /shmr/kmod/load.list
#   WORK      scratch directory (the tree is WORK/root)
#   GUEST_IMAGE  the guest's /usr image (scripts/guest-image.sh): when set,
#             the modules that mount it (virtio_pci, virtio_blk, squashfs)
#             join GUEST_KMODS
set -euo pipefail

out=${1:?usage: initramfs.sh OUT.cpio.gz}
: "${MODULE:?}" "${PAYLOAD:?}" "${WORK:?}"
here=$(cd "$(dirname "$0")" && pwd)
[ -r "$MODULE" ] || { echo "initramfs.sh: no module at $MODULE" >&2; exit 1; }

root=$WORK/root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,root,etc,shmr/bin,shmr/lib}
cp "$(command -v busybox)" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$here/guest-init" "$root/init"
cp -a "$PAYLOAD"/. "$root/shmr/"
cp "$here/tap.sh" "$root/shmr/tap.sh"
cp "$MODULE" "$root/shmr/shmregion.ko"
touch "$root/shmr/tests.list"
echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
echo "nobody:x:65534:65534:nobody:/:/bin/false" >> "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"

# add_libs FILE: the shared libraries FILE needs, from the host
add_libs() {
	local lib
	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*' | grep -v "^$root"); do
		[ -e "$lib" ] || continue
		mkdir -p "$root$(dirname "$lib")"
		cp -Ln "$lib" "$root$lib"
	done
}
for b in ${HOSTBINS:-}; do
	bin=$(command -v "$b") || { echo "initramfs.sh: $b not found on the host" >&2; exit 1; }
	cp -L "$bin" "$root/shmr/bin/"
	add_libs "$bin"
done
# dynamically linked payload programs (the shared library's users)
for f in "$root"/shmr/bin/* "$root"/shmr/tests/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	add_libs "$f"
done

if [ -n "${KMODDIR:-}" ] && [ -r "$KMODDIR/modules.dep" ]; then
	mkdir -p "$root/shmr/kmod"
	: > "$root/shmr/kmod/load.list"
	kmods=${GUEST_KMODS-loop crc32c_generic ext4}
	[ -z "${GUEST_IMAGE:-}" ] || kmods="$kmods virtio_pci virtio_blk squashfs"
	# shellcheck disable=SC2086 # a list of names
	"$here/kmod-deps.sh" "$KMODDIR" $kmods |
	while read -r ko; do
		cp "$KMODDIR/$ko" "$root/shmr/kmod/"
		basename "$ko" >> "$root/shmr/kmod/load.list"
	done
fi

(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) > "$out"
