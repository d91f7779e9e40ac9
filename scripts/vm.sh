#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a kernel in QEMU on an initramfs with the module and a payload.
#
#   scripts/vm.sh check|shell|demo|bench
#
# Environment (the Makefile sets these):
#   KERNEL    kernel image to boot (bzImage)
#   MODULE, PAYLOAD, HOSTBINS, KMODDIR, GUEST_KMODS
#             what goes into the initramfs (scripts/initramfs.sh)
#   WORK      scratch directory (initramfs, logs)
#   ACCEL     tcg (default) or kvm
#   GUEST_IMAGE  a squashfs image (scripts/guest-image.sh) that the guest
#             mounts read-only on /usr: the host's python3, gdb, strace
#   VM_MEM    guest memory in MiB (default 1024); VM_SMP vCPUs (default 2)
#   TIMEOUT   seconds before the guest is declared hung (default 900)
#
# check: prints the guest's TAP stream, then scripts/verdict.sh judges it
# with the kernel log ("N passed, N failed[, N skipped]", exit 1 on any
# failure). demo, bench: exits with the status of the guest's script.
# shell: the guest's console on this terminal.
set -euo pipefail

mode=${1:?usage: vm.sh check|shell|demo|bench}
: "${KERNEL:?KERNEL must name a kernel image}" "${WORK:?}"
ACCEL=${ACCEL:-tcg}
VM_MEM=${VM_MEM:-1024}
VM_SMP=${VM_SMP:-2}
TIMEOUT=${TIMEOUT:-900}
here=$(cd "$(dirname "$0")" && pwd)

[ -r "$KERNEL" ] || { echo "vm.sh: cannot read kernel image $KERNEL" >&2; exit 1; }
mkdir -p "$WORK"
initrd=$WORK/initramfs.cpio.gz
"$here/initramfs.sh" "$initrd"

qemu=(qemu-system-x86_64 -nodefaults -no-reboot -display none
      -smp "$VM_SMP" -m "$VM_MEM" -kernel "$KERNEL" -initrd "$initrd")
case "$ACCEL" in
kvm) qemu+=(-accel kvm -cpu host) ;;
# -cpu max offers 5-level paging; no5lvl keeps the guest at 4 levels.
# With 5 levels, two boots in a row of one clean-clone run had the 7.2
# debug kernel's KASAN call a 5-level direct-map address (ff11...) wild,
# in an interrupt that came during identify_cpu(), before the module was
# loaded: read as the moment identify_cpu() has cleared the boot CPU's
# feature words, LA57 with them, so that the kernel briefly takes itself
# for a 4-level one.
tcg) qemu+=(-accel tcg -cpu max); tcg_append=no5lvl ;;
*) echo "vm.sh: ACCEL is tcg or kvm" >&2; exit 2 ;;
esac
if [ -n "${GUEST_IMAGE:-}" ]; then
	[ -r "$GUEST_IMAGE" ] || { echo "vm.sh: cannot read guest image $GUEST_IMAGE" >&2; exit 1; }
	qemu+=(-drive "file=$GUEST_IMAGE,if=virtio,format=raw,readonly=on")
fi
append="console=ttyS0 panic=-1 loglevel=7 shmr.mode=$mode ${tcg_append:-} ${VM_APPEND:-}"

if [ "$mode" = shell ]; then
	exec "${qemu[@]}" -append "$append quiet" -serial mon:stdio
fi

# ttyS0: the kernel log; ttyS1: the guest's results, shown as they come.
console=$WORK/console.log
results=$WORK/results.log
boot() {
	: > "$console"
	: > "$results"
	rc=0
	timeout --foreground "$TIMEOUT" "${qemu[@]}" -append "$append" \
		-serial "file:$console" -serial "file:$results" </dev/null &
	qpid=$!
	tail -n +1 -s 0.2 --pid=$qpid -f "$results" | tr -d '\r' |
		grep -v '^shmr-' || true
	wait $qpid || rc=$?
	tr -d '\r' < "$results" > "$results.txt"
}
boot
# A report of the kernel's own before the module was loaded (the 7.2
# debug kernel's KASAN has, rarely, flagged identify_cpu() under TCG, and
# then turned lock debugging off for the whole run): once more, keeping
# that log. The second boot is judged whatever it says.
if [ "$mode" = check ] && "$here/verdict.sh" --boot-report "$console"; then
	mv "$console" "$WORK/console.boot-report.log"
	echo "# vm.sh: the kernel reported a problem while booting, before the module was loaded ($WORK/console.boot-report.log): booting once more"
	boot
fi

if [ "$mode" = check ]; then
	exec "$here/verdict.sh" "$results.txt" "$console" "$rc" "$TIMEOUT"
fi
# The guest's files: base64 between "shmr-file: NAME" and "shmr-file-end".
rm -rf "$WORK/files"
mkdir -p "$WORK/files"
awk -v dir="$WORK/files" '
	/^shmr-file: / { name = substr($0, 12); gsub("/", "_", name); out = dir "/" name ".b64"; next }
	/^shmr-file-end/ { close(out); out = ""; next }
	out != "" && /^shmr-data: / { print substr($0, 12) > out }' "$results.txt"
for f in "$WORK"/files/*.b64; do
	[ -e "$f" ] || continue
	base64 -d "$f" > "${f%.b64}" && rm "$f"
done
grep -q '^shmr-done' "$results.txt" || { echo "vm.sh: the guest did not finish (rc=$rc)" >&2; exit 1; }
exit "$(sed -n 's/^shmr-rc: //p' "$results.txt")"
