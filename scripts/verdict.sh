#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Judge a `vm.sh check` run: count the guest's TAP stream, then fail a
# test program that died without a "not ok" of its own, a guest that did
# not finish, and a kernel log with a report. Prints the failures as TAP,
# then "N passed, N failed[, N skipped]"; exits 1 when anything failed.
#
#   scripts/verdict.sh RESULTS CONSOLE QEMU_STATUS TIMEOUT
#   scripts/verdict.sh --boot-report CONSOLE
#
# The second form exits 0 when the kernel log's first report came before
# the module was loaded: the kernel's own, at boot (vm.sh boots again).
#
# RESULTS is the guest's ttyS1 (TAP, "# shmr-run: PROG" and "# shmr-exit:
# PROG STATUS" around each test program, "shmr-done" at the end), CONSOLE
# its ttyS0 (the kernel log); QEMU_STATUS and TIMEOUT say why it ended.
set -euo pipefail

# What the kernel's checkers print: oops/BUG/WARNING, KASAN ("BUG: KASAN:"),
# UBSAN ("UBSAN: ... in"), lockdep ("WARNING: possible circular locking
# ...", "BUG: sleeping function called from invalid context"), kmemleak
# ("kmemleak: N new suspected memory leaks", or kmemleak giving up),
# BUG()/VM_BUG_ON ("kernel BUG at", "invalid opcode"), list debugging,
# hardened usercopy, FORTIFY_SOURCE, hung tasks, RCU stalls, the OOM killer.
# (Not kmemleak's "Cannot allocate a scan area, scanning the full object":
# under fault injection (make check-faults) its own allocation may fail,
# and it then scans more, never less.)
reports='Oops|BUG:|WARNING:|Kernel panic|Call Trace:|KASAN|UBSAN|kernel BUG at|invalid opcode:|kmemleak: [0-9]+ new|kmemleak: .*(disabled|[Cc]annot (insert|allocate a kmemleak)|pool empty)|possible recursive|possible circular|inconsistent lock|lockdep is turned off|turning off the locking correctness validator|INFO: task .* blocked|rcu: INFO:|detected stall|general protection|stack-protector|hung_task|list_(add|del) corruption|usercopy: |detected buffer overflow|field-spanning write|Out of memory|invoked oom-killer|page allocation failure'

if [ "${1:-}" = --boot-report ]; then
	# the module's first line ("shmregion: loading out-of-tree module")
	# ends the boot; a report before it is not ours
	awk -v re="$reports" 'done { next }
		/shmregion/ { done = 1; next }
		$0 ~ re { found = 1; done = 1 }
		END { exit !found }' "${2:?usage: verdict.sh --boot-report CONSOLE}"
	exit
fi

results=${1:?usage: verdict.sh RESULTS CONSOLE QEMU_STATUS TIMEOUT}
console=${2:?}
qemu_rc=${3:?}
timeout=${4:?}
. "$(dirname "$0")/tap.sh"

tap_count "$results"

# A test program that died or failed without a "not ok" line of its own.
while read -r _ _ prog code; do
	[ "$code" = 0 ] && continue
	awk -v p="$prog" '$0 == "# shmr-run: " p {on=1; next}
		on && /^# shmr-exit: / {exit}
		on && /^not ok / {found=1}
		END {exit !found}' "$results" ||
		tap_not_ok "$prog exited with status $code"
done < <(grep '^# shmr-exit: ' "$results" || :)
grep -q '^shmr-done' "$results" ||
	tap_not_ok "the guest did not finish (qemu status $qemu_rc; timeout ${timeout}s)"

if grep -Eq "$reports" "$console"; then
	tap_not_ok "kernel log has a report (see $console):"
	grep -E -m 20 -A 12 "$reports" "$console" | tr -d '\r' | tap_comment
fi

tap_summary
