#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest side of `make check-debug` (scripts/debug.mk puts it in the
# payload as /shmr/debug/debug-guest.sh).  It is run under other names,
# one per step, and prints TAP lines:
#
#   debug/fuzz, debug/fuzz32      shmr_fuzz (64- and 32-bit), seeded
#   debug/stress, debug/stress32  shmr_stress: create/attach/.../SIGKILL races
#   debug/stress-ng               stress-ng's device stressor on
#                                 /dev/shmregion, its mmap stressors beside
#                                 a shmr_stress run
#   debug/faults, debug/faults32  shmr_faults (64- and 32-bit): each ABI
#                                 operation failed at each of its fault
#                                 points in turn (make check-faults)
#   debug/fuzz-faults             shmr_fuzz --faults while failslab and
#                                 fail_page_alloc fail FAULTS_PERCENT % of
#                                 its processes' allocations
#   post-tests.sh                 the module's counters are back to 0
#                                 (run by the guest's init before rmmod)
#   post-rmmod.sh                 kmemleak finds nothing (after rmmod)
#
# Parameters come from debug.env next to this script (make writes it).
set -eu

here=/shmr/debug
. "$here/debug.env"
. "${SHMR_TAP:-/shmr/tap.sh}"
sysfs=/sys/class/misc/shmregion
kmemleak=/sys/kernel/debug/kmemleak
# the module's region table, for people (debugfs)
regions=/sys/kernel/debug/shmregion/regions

# the kernel's fault injection (scripts/debug.config)
faultdir=/sys/kernel/debug

# counter NAME: the module's sysfs counter, or "missing"
counter() {
	cat "$sysfs/$1" 2>/dev/null || echo missing
}

# have_faults: this kernel can inject faults; else one "not ok" (a
# fault step that cannot inject anything must not pass)
have_faults() {
	[ -w /proc/self/fail-nth ] && [ -d "$faultdir/failslab" ] &&
		[ -d "$faultdir/fail_page_alloc" ] &&
		[ -d "$faultdir/fail_usercopy" ] && return 0
	tap_not_ok "no fault injection in this kernel (scripts/debug.config; debugfs?)"
	return 1
}

# faults_arm PERCENT: failslab and fail_page_alloc fail PERCENT % of the
# allocations of the tasks that set make-it-fail, order 0 and sleeping
# ones included; quietly (a stack dump per fault would flood the
# console, and verdict.sh takes a call trace for a report). 0 disarms.
faults_arm() {
	for a in failslab fail_page_alloc; do
		d=$faultdir/$a
		echo 0 > "$d/probability"
		echo 0 > "$d/verbose"
		echo 1 > "$d/interval"
		echo 0 > "$d/space"
		# counted down at each injected fault: faults_injected reads it
		echo 1000000000 > "$d/times"
		echo Y > "$d/task-filter"
		echo N > "$d/ignore-gfp-wait"
		echo "$1" > "$d/probability"
	done
	echo N > "$faultdir/fail_page_alloc/ignore-gfp-highmem"
	echo 0 > "$faultdir/fail_page_alloc/min-order"
}

# fuzz_stacks /proc/PID: one line of state, CPU and times, then the
# kernel stack, three times. A task running on another CPU shows an
# empty stack (the unwinder will not walk it), so the stack is read from
# a process pinned to the task's own CPU, which preempts it meanwhile;
# utime and stime (clock ticks) tell a user-space loop from a kernel one.
fuzz_stacks() {
	dir=$1
	for i in 1 2 3; do
		# after the comm: state, ..., utime, stime (12, 13), ...,
		# processor (37)
		set -- $(sed 's/.*) //' "$dir/stat" 2>/dev/null)
		[ $# -ge 37 ] || return 0
		echo "# ${dir#/proc/} $1 cpu ${37} utime ${12} stime ${13}"
		taskset -c "${37}" cat "$dir/stack" 2>/dev/null | sed 's/^/#   /'
		sleep 1
	done
}

# faults_injected NAME: the faults NAME injected since faults_arm
faults_injected() {
	echo $((1000000000 - $(cat "$faultdir/$1/times")))
}

case "$(basename "$0")" in
fuzz)
	exec /shmr/tests/shmr_fuzz --seed "$FUZZ_SEED" --calls "$FUZZ_CALLS" \
		--procs "$FUZZ_PROCS" </dev/null
	;;
fuzz32)
	exec /shmr/tests32/shmr_fuzz_32 --seed "$FUZZ_SEED" \
		--calls "$FUZZ32_CALLS" --procs "$FUZZ_PROCS" </dev/null
	;;
stress)
	exec /shmr/tests/shmr_stress --seconds "$STRESS_SECONDS" \
		--procs "$STRESS_PROCS" </dev/null
	;;
stress32)
	exec /shmr/tests32/shmr_stress_32 --seconds "$STRESS32_SECONDS" \
		--procs "$STRESS_PROCS" </dev/null
	;;
stress-ng)
	if ! command -v stress-ng >/dev/null; then
		tap_not_ok "stress-ng is not in the payload"
		exit 1
	fi
	cd /tmp
	rc=0
	st=0
	stress-ng --dev 4 --dev-file /dev/shmregion \
		--timeout "${STRESS_NG_SECONDS}s" --metrics-brief \
		</dev/null >/tmp/stress-ng-dev.log 2>&1 || st=$?
	tap_comment < /tmp/stress-ng-dev.log
	tap_result "$st" "stress-ng --dev 4 --dev-file /dev/shmregion (status $st)"
	[ "$st" -eq 0 ] || rc=1
	# The mmap stressors cannot map a device; they run beside shmr_stress
	# so that region faults and VMA changes race with unrelated ones.
	stress-ng --mmap 1 --mmap-bytes 32m --mmap-mprotect --mremap 1 \
		--mremap-bytes 32m --mprotect 1 \
		--timeout "${STRESS_NG_SECONDS}s" --metrics-brief \
		</dev/null >/tmp/stress-ng-mmap.log 2>&1 &
	ng=$!
	ss=0
	/shmr/tests/shmr_stress --seconds "$STRESS_NG_SECONDS" --procs 4 \
		</dev/null >/tmp/stress-beside.log 2>&1 || ss=$?
	st=0
	wait "$ng" || st=$?
	cat /tmp/stress-ng-mmap.log /tmp/stress-beside.log | tap_comment
	tap_result "$st" "stress-ng --mmap --mremap --mprotect (status $st)"
	tap_result "$ss" "shmr_stress beside stress-ng's mmap stressors (status $ss)"
	[ "$st" -eq 0 ] && [ "$ss" -eq 0 ] || rc=1
	exit $rc
	;;
faults|faults32)
	have_faults || exit 1
	prog=/shmr/tests/shmr_faults
	[ "$(basename "$0")" = faults ] || prog=/shmr/tests32/shmr_faults_32
	exec "$prog" </dev/null
	;;
fuzz-faults)
	have_faults || exit 1
	faults_arm "$FAULTS_PERCENT"
	st=0
	/shmr/tests/shmr_fuzz --seed "$FUZZ_SEED" --calls "$FAULTS_CALLS" \
		--procs "$FUZZ_PROCS" --faults </dev/null &
	fz=$!
	# A run that hangs (seen twice: one vCPU busy, nothing printed after
	# the calls ran out) fails here with the fuzzers' kernel stacks,
	# not at the guest's timeout with nothing.
	(
		n=0
		while kill -0 "$fz" 2>/dev/null; do
			sleep 1
			n=$((n + 1))
			[ "$n" -ge "$FAULTS_WATCHDOG" ] || continue
			echo "# fuzz-faults: still running after $n s; stacks:"
			for d in /proc/[0-9]*; do
				[ "$(cat "$d/comm" 2>/dev/null)" = shmr_fuzz ] ||
					continue
				fuzz_stacks "$d"
			done
			[ ! -w /proc/sysrq-trigger ] || echo l > /proc/sysrq-trigger
			for d in /proc/[0-9]*; do
				[ "$(cat "$d/comm" 2>/dev/null)" = shmr_fuzz ] &&
					kill -9 "${d#/proc/}" 2>/dev/null
			done
			exit 0
		done
	) &
	wd=$!
	wait "$fz" || st=$?
	wait "$wd" || true
	slab=$(faults_injected failslab)
	page=$(faults_injected fail_page_alloc)
	faults_arm 0
	# a pass that injected nothing proved nothing
	ok=0
	[ "$slab" -gt 0 ] && [ "$page" -gt 0 ] || ok=1
	tap_result $ok "fuzz-faults: $FAULTS_PERCENT % injected: failslab $slab, fail_page_alloc $page"
	exit $st
	;;
post-tests.sh)
	# Every test process has been reaped: nothing may be left.
	r=$(counter nr_regions)
	b=$(counter nr_bytes)
	st=0
	[ "$r" = 0 ] && [ "$b" = 0 ] || st=1
	tap_result "$st" "counters back to 0 after the tests (nr_regions=$r nr_bytes=$b)"
	if [ "$r" != 0 ] && [ -r "$regions" ]; then
		tap_comment < "$regions"
	fi
	;;
post-rmmod.sh)
	if ! [ -w "$kmemleak" ]; then
		tap_not_ok "kmemleak: no $kmemleak (debug kernel? debugfs?)"
		exit 0
	fi
	# kmemleak only reports objects older than 5 s (MSECS_MIN_AGE in
	# mm/kmemleak.c): let whatever rmmod left behind reach that age.
	# This waits on kmemleak's clock, not on another process.
	sleep 6
	ok=0
	echo scan > "$kmemleak" || ok=1
	echo scan > "$kmemleak" || ok=1
	leaks=$(cat "$kmemleak") || ok=1
	[ -z "$leaks" ] || ok=1
	n=$(printf '%s\n' "$leaks" | grep -c '^unreferenced object') || :
	tap_result $ok "kmemleak scan after rmmod ($n suspected leaks)"
	[ -z "$leaks" ] || printf '%s\n' "$leaks" | head -n 60 | tap_comment
	;;
*)
	tap_not_ok "debug-guest.sh: unknown step $(basename "$0")"
	exit 1
	;;
esac
