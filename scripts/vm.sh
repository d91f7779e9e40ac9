#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a kernel in QEMU with the module and a payload, and report.
#
#   scripts/vm.sh check|shell|demo|bench
#
# Environment (the Makefile sets these):
#   KERNEL    kernel image to boot (bzImage)
#   MODULE    shmregion.ko built for that kernel
#   PAYLOAD   directory copied to /shmr in the guest: bin/ (on PATH),
#             lib/, tests/, tests.list (one test program a line, relative
#             to /shmr), demo.sh, bench.sh, post-tests.sh
#   HOSTBINS  host programs copied in with their shared libraries
#   KMODDIR   the booted kernel's /lib/modules/<release>: the modules in
#             GUEST_KMODS (default "loop crc32c_generic ext4", for an O_DIRECT-capable
#             filesystem) are copied in with their dependencies, if there
#   WORK      scratch directory (initramfs, logs)
#   ACCEL     tcg (default) or kvm
#   VM_MEM    guest memory in MiB (default 1024); VM_SMP vCPUs (default 2)
#   TIMEOUT   seconds before the guest is declared hung (default 900)
#
# check: prints the guest's TAP stream, then "N passed, N failed[, N
# skipped]"; exits 1 when a test failed, the guest hung or crashed, or
# the kernel log shows an oops, BUG, WARNING, sanitizer report or taint.
set -euo pipefail

mode=${1:?usage: vm.sh check|shell|demo|bench}
: "${KERNEL:?KERNEL must name a kernel image}" "${MODULE:?}" "${PAYLOAD:?}" "${WORK:?}"
ACCEL=${ACCEL:-tcg}
VM_MEM=${VM_MEM:-1024}
VM_SMP=${VM_SMP:-2}
TIMEOUT=${TIMEOUT:-900}
here=$(cd "$(dirname "$0")" && pwd)

[ -r "$KERNEL" ] || { echo "vm.sh: cannot read kernel image $KERNEL" >&2; exit 1; }
[ -r "$MODULE" ] || { echo "vm.sh: no module at $MODULE" >&2; exit 1; }

# --- initramfs --------------------------------------------------------
root=$WORK/root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,root,etc,shmr/bin,shmr/lib}
cp "$(command -v busybox)" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$here/guest-init" "$root/init"
cp -a "$PAYLOAD"/. "$root/shmr/"
cp "$MODULE" "$root/shmr/shmregion.ko"
touch "$root/shmr/tests.list"
echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
echo "nobody:x:65534:65534:nobody:/:/bin/false" >> "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"

# Copy a dynamically linked host program and the libraries it needs.
add_host_bin() {
	local bin lib
	bin=$(command -v "$1") || { echo "vm.sh: $1 not found on the host" >&2; return 1; }
	cp -L "$bin" "$root/shmr/bin/"
	for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -Ln "$lib" "$root$lib"
	done
}
for b in ${HOSTBINS:-}; do
	add_host_bin "$b"
done

# Kernel modules the guest loads before the tests, dependencies first
# (modules.dep lists them nearest first). Built-in ones need nothing.
add_kmod() {
	local m=$1 line dep
	line=$(grep -E "(^|/)$m\.ko(\.[a-z]+)?:" "$KMODDIR/modules.dep") || return 0
	for dep in $(echo "${line#*:}" | tr ' ' '\n' | tac); do
		add_kmod_file "$dep"
	done
	add_kmod_file "${line%%:*}"
}
add_kmod_file() {
	grep -qxF "$(basename "$1")" "$root/shmr/kmod/load.list" 2>/dev/null && return 0
	cp "$KMODDIR/$1" "$root/shmr/kmod/"
	basename "$1" >> "$root/shmr/kmod/load.list"
}
if [ -n "${KMODDIR:-}" ] && [ -r "$KMODDIR/modules.dep" ]; then
	mkdir -p "$root/shmr/kmod"
	for m in ${GUEST_KMODS-loop crc32c_generic ext4}; do
		add_kmod "$m"
	done
fi
# Dynamically linked payload programs (the shared library's users).
for f in "$root"/shmr/bin/* "$root"/shmr/tests/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*' | grep -v "^$root"); do
		[ -e "$lib" ] || continue
		mkdir -p "$root$(dirname "$lib")"
		cp -Ln "$lib" "$root$lib"
	done
done

initrd=$WORK/initramfs.cpio.gz
(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) > "$initrd"

# --- boot ---------------------------------------------------------------
qemu=(qemu-system-x86_64 -nodefaults -no-reboot -display none
      -smp "$VM_SMP" -m "$VM_MEM" -kernel "$KERNEL" -initrd "$initrd")
case "$ACCEL" in
kvm) qemu+=(-accel kvm -cpu host) ;;
tcg) qemu+=(-accel tcg -cpu max) ;;
*) echo "vm.sh: ACCEL is tcg or kvm" >&2; exit 2 ;;
esac
append="console=ttyS0 panic=-1 loglevel=7 shmr.mode=$mode ${VM_APPEND:-}"

if [ "$mode" = shell ]; then
	exec "${qemu[@]}" -append "$append quiet" -serial mon:stdio
fi

console=$WORK/console.log
results=$WORK/results.log
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

if [ "$mode" != check ]; then
	grep -q '^shmr-done' "$results.txt" || { echo "vm.sh: the guest did not finish (rc=$rc)" >&2; exit 1; }
	exit "$(sed -n 's/^shmr-rc: //p' "$results.txt")"
fi

# --- verdict --------------------------------------------------------------
passed=$(grep -Ec '^ok [0-9 -]' "$results.txt" | tr -d ' ' || true)
skipped=$(grep -Ec '^ok .*# SKIP' "$results.txt" || true)
failed=$(grep -c '^not ok ' "$results.txt" || true)
passed=$((passed - skipped))

fail() {
	echo "not ok - $*"
	failed=$((failed + 1))
}
# A test program that died or failed without a "not ok" line of its own.
while read -r _ _ prog code; do
	[ "$code" = 0 ] && continue
	awk -v p="$prog" '$0 == "# shmr-run: " p {on=1; next}
		on && /^# shmr-exit: / {exit}
		on && /^not ok / {found=1}
		END {exit !found}' "$results.txt" ||
		fail "$prog exited with status $code"
done < <(grep '^# shmr-exit: ' "$results.txt")
grep -q '^shmr-done' "$results.txt" ||
	fail "the guest did not finish (qemu status $rc; timeout ${TIMEOUT}s)"
# What the kernel's checkers print: oops/BUG/WARNING, KASAN ("BUG: KASAN:"),
# UBSAN ("UBSAN: ... in"), lockdep ("WARNING: possible circular locking
# ...", "BUG: sleeping function called from invalid context"), kmemleak
# ("kmemleak: N new suspected memory leaks", or kmemleak giving up),
# BUG()/VM_BUG_ON ("kernel BUG at", "invalid opcode"), list debugging,
# hardened usercopy, FORTIFY_SOURCE, hung tasks, RCU stalls, the OOM killer.
reports='Oops|BUG:|WARNING:|Kernel panic|Call Trace:|KASAN|UBSAN|kernel BUG at|invalid opcode:|kmemleak: [0-9]+ new|kmemleak: .*(disabled|[Cc]annot|pool empty)|possible recursive|possible circular|inconsistent lock|lockdep is turned off|turning off the locking correctness validator|INFO: task .* blocked|rcu: INFO:|detected stall|general protection|stack-protector|hung_task|list_(add|del) corruption|usercopy: |detected buffer overflow|field-spanning write|Out of memory|invoked oom-killer|page allocation failure'
if grep -Eq "$reports" "$console"; then
	fail "kernel log has a report (see $console):"
	grep -E -m 20 -A 12 "$reports" "$console" | sed 's/^/#   /' | tr -d '\r'
fi

line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
