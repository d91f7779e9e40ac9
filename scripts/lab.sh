#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel course lab (docs/lab/README.md).
#
#   scripts/lab.sh prepare EX DIR    write a student tree for exercise EX
#   scripts/lab.sh check EX|all      grade this tree's module in the VM
#   scripts/lab.sh solution-check    this tree passes every exercise; each
#                                    prepared tree fails its own and
#                                    passes the earlier ones (one boot)
#
# The exercises' code is marked in module/*.c by plain comments on the
# braces of a function's body (so no line moves and the compiled module
# is the same),
#   {	/* lab: exercise N, FUNCTION() (docs/lab/0N-....md) */
#   ... the body ...
#   }	/* lab: end of exercise N */
# and `prepare` replaces the body between them with
# docs/lab/stubs/FUNCTION.stub. Grading
# runs the tests docs/lab/grading.list names, built from selftests/ with
# docs/lab/lab_filter.h so that each program runs only those tests.
#
# Environment (scripts/lab.mk sets it): KDIR, KERNEL, KMODDIR, BUILD,
# KSFT (the kselftest harness), MAKE.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
lab=$top/docs/lab
grading=$lab/grading.list
nex=$(awk '$1 == "limit" { n = $2 } END { print n }' "$grading")

die() {
	echo "lab: $*" >&2
	exit 2
}

# exercise_ok EX: EX is a graded exercise's number
exercise_ok() {
	[[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le "$nex" ]
}

# strip EX FILE: FILE with exercise EX's marked bodies replaced by stubs
strip_file() {
	awk -v ex="$1" -v stubs="$lab/stubs" '
	/^\{\t\/\* lab: exercise [0-9]+, [a-z_0-9]+\(\) / {
		print
		if ($5 + 0 != ex)
			next
		fn = $6
		sub(/\(\)$/, "", fn)
		f = stubs "/" fn ".stub"
		if ((getline line < f) <= 0) {
			print "lab: no stub " f > "/dev/stderr"
			exit 1
		}
		do
			print line
		while ((getline line < f) > 0)
		close(f)
		skip = 1
		next
	}
	/^\}\t\/\* lab: end of exercise [0-9]+ \*\/$/ {
		skip = 0
	}
	!skip { print }' "$2"
}

cmd_prepare() {
	local ex=${1:-} dir=${2:-} f
	exercise_ok "$ex" || die "EX=1..$nex names the exercise (docs/lab/README.md)"
	[ -n "$dir" ] || die "DIR= names the student tree to write"
	[ ! -e "$dir" ] || [ -z "$(ls -A "$dir")" ] || die "$dir exists and is not empty"
	mkdir -p "$dir"
	# the tracked and new files of this tree, as they are now
	(cd "$top" && git ls-files -co --exclude-standard -z |
		xargs -0 cp --parents -P -t "$dir")
	for f in "$top"/module/*.c; do
		strip_file "$ex" "$f" > "$dir/module/$(basename "$f")"
	done
	echo "$ex" > "$dir/.lab-exercise"
	echo "lab: exercise $ex written to $dir; there: make lab-check"
}

# build_tests: the graded selftests, each with the lab's filter
build_tests() {
	local src=$BUILD/lab/src f out
	mkdir -p "$src" "$BUILD/lab/tests"
	for f in "$top"/selftests/*; do
		out=$src/$(basename "$f")
		if [[ "$f" == *_test.c ]]; then
			sed -e 's|^TEST_HARNESS_MAIN$|#define main shmr_lab_harness_main\nTEST_HARNESS_MAIN\n#undef main\n#include "lab_filter.h"|' \
				"$f" > "$out.tmp"
		else
			cp "$f" "$out.tmp"
		fi
		if cmp -s "$out.tmp" "$out"; then
			rm "$out.tmp"
		else
			mv "$out.tmp" "$out"
		fi
	done
	cmp -s "$lab/lab_filter.h" "$src/lab_filter.h" || cp "$lab/lab_filter.h" "$src/"
	$MAKE -s -C "$src" KSFT_DIR="$KSFT" SHMR_UAPI="$top/include/uapi" \
		USERLDFLAGS=-static OUTPUT="$BUILD/lab/tests" LOCAL_HDRS="common.h shmr_util.h lab_filter.h" >&2
}

# run_vm PLAN: boot once, run PLAN ("TREE KO EX..." lines); sets $results
# and $console
run_vm() {
	local plan=$1 payload=$BUILD/lab/payload tree ko exs limit=0 ex first=
	rm -rf "$payload"
	mkdir -p "$payload/lab/tests"
	while read -r p; do
		cp "$BUILD/lab/tests/$p" "$payload/lab/tests/"
	done < <(awk '$1 ~ /^[0-9]+$/ { print $2 }' "$grading" | sort -u)
	cp "$grading" "$payload/lab/grading.list"
	cp "$top/scripts/lab-guest.sh" "$payload/lab.sh"
	: > "$payload/lab/plan"
	while read -r tree ko exs; do
		cp "$ko" "$payload/lab/$tree.ko"
		first=${first:-$ko}
		echo "$tree $exs" >> "$payload/lab/plan"
		for ex in $exs; do
			limit=$((limit + $(awk -v e="${ex%q}" '$1 == "limit" && $2 == e { print $3 }' "$grading") + 10))
		done
	done <<< "$plan"
	work=$BUILD/lab/vm
	results=$work/results.log.txt
	console=$work/console.log
	rm -f "$results"
	KERNEL=$KERNEL MODULE=$first KMODDIR=$KMODDIR PAYLOAD=$payload WORK=$work \
		TIMEOUT=$((limit + 120)) "$top/scripts/vm.sh" lab > "$BUILD/lab/vm.out" 2>&1 || :
	[ -f "$results" ] || { cat "$BUILD/lab/vm.out" >&2; die "the VM did not start"; }
}

# score TREE EX: each graded test's result of exercise EX ("Nq": without
# the slow tests) in the last run, as lines "RESULT PROGRAM TEST", then
# "score PASSED GRADED"
score() {
	local tree=$1 tok=$2
	awk -v tree="$tree" -v tok="$tok" -v grading="$grading" '
	BEGIN {
		ex = tok
		quick = sub(/q$/, "", ex)
		while ((getline line < grading) > 0) {
			split(line, w, " ")
			if (w[1] == "slow")
				for (i = 2; i in w; i++)
					slow[w[i]] = 1
			delete w
		}
		close(grading)
		while ((getline line < grading) > 0) {
			split(line, w, " ")
			if (w[1] != ex)
				continue
			for (i = 3; i in w; i++) {
				if (quick && (w[i] in slow))
					continue
				want[w[2] " " w[i]] = 1
				order[++nw] = w[2] " " w[i]
			}
			delete w
		}
	}
	$0 == "# lab-ex: " tree " " tok { on = 1; next }
	$0 == "# lab-ex-end: " tree " " tok { on = 0 }
	!on { next }
	/^# lab-prog: / { prog = $3; next }
	/^# lab-timeout: / { timeout = 1; next }
	/^#[ \t]+(OK|FAIL)[ \t]+[^ ]+$/ { last = $3; next }
	/^(not )?ok [0-9]+ / {
		if ($0 ~ /^ok [0-9]+ # [Ss][Kk][Ii][Pp]/) {
			name = last
			res = "SKIP"
		} else {
			name = ($1 == "not") ? $4 : $3
			res = ($1 == "not") ? "FAIL" : "ok"
		}
		# fixture.variant.test counts as fixture.test
		n = split(name, p, ".")
		base = (n == 3) ? p[1] "." p[3] : name
		if ((prog " " base) in want) {
			got[prog " " base] = 1
			nres[prog " " base]++
			if (res == "ok")
				okc[prog " " base]++
			line = res " " prog " " name
			lines[++nl] = line
		}
	}
	END {
		for (i = 1; i <= nl; i++)
			print lines[i]
		passed = 0
		total = 0
		for (i = 1; i <= nw; i++) {
			k = order[i]
			if (!(k in got)) {
				print (timeout ? "TIMEOUT " : "MISSING ") k
				total++
				continue
			}
			total += nres[k]
			passed += okc[k]
		}
		print "score " passed " " total
	}' "$results"
}

# crash_report: the kernel reports in the last run's log, if any
crash_report() {
	local re='Oops|BUG:|WARNING:|Kernel panic|general protection|kernel BUG at|invalid opcode:|Call Trace:|INFO: task .* blocked|rcu: INFO:'
	grep -Eq "$re" "$console" || return 1
	grep -E -m 1 -A 40 "$re" "$console" | tr -d '\r'
}

module_ko() {
	echo "$(cd "$1" && pwd)/module/shmregion.ko"
}

cmd_check() {
	local want=${1:-} exs ex out s t passed=0 total=0
	case "$want" in
	all) exs=$(seq 1 "$nex") ;;
	*) exercise_ok "$want" || die "EX=1..$nex or EX=all (or run make lab-prepare first)"
	   exs=$want ;;
	esac
	build_tests
	run_vm "student $(module_ko "$top") ${exs//$'\n'/ }"
	for ex in $exs; do
		out=$(score student "$ex")
		read -r _ s t <<< "$(tail -n 1 <<< "$out")"
		echo "exercise $ex ($(sed -n '1s/^# Exercise [0-9]*: //p' "$lab/0$ex"-*.md)): $s of $t tests pass"
		sed '$d' <<< "$out" | sed 's/^/  /'
		passed=$((passed + s)) total=$((total + t))
	done
	if grep -q '^# lab-insmod-failed' "$results"; then
		echo "insmod failed: the module did not load (see $console)"
	fi
	if grep -q '^# lab-timeout' "$results"; then
		grep '^# lab-timeout' "$results" | sed 's/^# lab-timeout: [^ ]* /time limit reached: exercise /'
	fi
	if oops=$(crash_report); then
		echo "your module crashed: see the log ($console)"
		printf '%s\n' "$oops" | sed 's/^/  | /'
	fi
	echo "score: $passed/$total"
	[ "$passed" -eq "$total" ] && [ -z "${oops:-}" ]
}

cmd_solution_check() {
	local ex plan trees=$BUILD/lab/trees out s t k started vm_secs
	started=$(date +%s)
	. "$top/scripts/tap.sh"
	build_tests
	plan="full $(module_ko "$top") $(seq -s ' ' 1 "$nex")"
	rm -rf "$trees"
	for ex in $(seq 1 "$nex"); do
		cmd_prepare "$ex" "$trees/ex$ex" > /dev/null
		$MAKE -s -C "$trees/ex$ex" module KDIR="$KDIR" KERNEL="$KERNEL" \
			BUILD="$trees/ex$ex/build" > "$trees/ex$ex.build.log" 2>&1 ||
			{ cat "$trees/ex$ex.build.log" >&2; die "the exercise $ex tree does not build"; }
		# the earlier exercises without their slow tests (grading.list)
		plan+=$'\n'"ex$ex $(module_ko "$trees/ex$ex") $(seq -f '%gq' -s ' ' 1 $((ex - 1))) $ex"
	done
	vm_secs=$(date +%s)
	run_vm "$plan"
	vm_secs=$(($(date +%s) - vm_secs))
	tap_header
	for ex in $(seq 1 "$nex"); do
		out=$(score full "$ex")
		read -r _ s t <<< "$(tail -n 1 <<< "$out")"
		tap_result "$([ "$s" -eq "$t" ]; echo $?)" "complete tree passes exercise $ex ($s/$t)"
		[ "$s" -eq "$t" ] || grep -v '^ok \|^score ' <<< "$out" | tap_comment
	done
	for ex in $(seq 1 "$nex"); do
		out=$(score "ex$ex" "$ex")
		read -r _ s t <<< "$(tail -n 1 <<< "$out")"
		tap_result "$([ "$s" -lt "$t" ]; echo $?)" "exercise $ex tree fails exercise $ex ($s/$t)"
		for k in $(seq 1 $((ex - 1))); do
			out=$(score "ex$ex" "${k}q")
			read -r _ s t <<< "$(tail -n 1 <<< "$out")"
			tap_result "$([ "$s" -eq "$t" ]; echo $?)" "exercise $ex tree passes exercise $k ($s/$t)"
			[ "$s" -eq "$t" ] || grep -v '^ok \|^score ' <<< "$out" | tap_comment
		done
	done
	if oops=$(crash_report); then
		tap_not_ok "kernel log has a report (see $console)"
		printf '%s\n' "$oops" | tap_comment
	else
		tap_ok "no oops, BUG or WARNING in the kernel log"
	fi
	grep '^# lab-time: ' "$results" | sed 's/^# lab-time: /time: /' | tap_comment
	echo "# lab-solution-check took $(($(date +%s) - started))s (VM: $vm_secs s)"
	tap_summary
}

case "${1:-}" in
prepare) cmd_prepare "${2:-}" "${3:-}" ;;
check) : "${KERNEL:?}" "${BUILD:?}" "${KSFT:?}" "${MAKE:=make}"; cmd_check "${2:-}" ;;
solution-check) : "${KERNEL:?}" "${KDIR:?}" "${BUILD:?}" "${KSFT:?}" "${MAKE:=make}"; cmd_solution_check ;;
*) die "usage: lab.sh prepare EX DIR | check EX|all | solution-check" ;;
esac
