#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The lab grader inside the VM (/shmr/lab.sh; scripts/lab.sh puts it in
# the payload). guest-init has loaded the first tree's module; this
# script unloads it and then, for each line "TREE EXERCISE..." of
# /shmr/lab/plan, loads /shmr/lab/TREE.ko and runs the tests that grade
# each exercise (/shmr/lab/grading.list) under the exercise's time limit;
# an exercise written "Nq" runs without the tests grading.list calls slow.
# The host (scripts/lab.sh) scores the output, which it finds between
# "# lab-ex: TREE EX" and "# lab-ex-end: TREE EX".
lab=/shmr/lab
rmmod shmregion
cd "$lab/tests" || exit 1

while read -r tree exercises; do
	[ -n "$tree" ] || continue
	echo "# lab-tree: $tree"
	if ! insmod "$lab/$tree.ko" || [ ! -c /dev/shmregion ]; then
		echo "# lab-insmod-failed: $tree"
		continue
	fi
	for tok in $exercises; do
		ex=${tok%q}
		slow=
		[ "$tok" = "$ex" ] ||
			slow=" $(awk '$1 == "slow" { $1 = ""; print }' "$lab/grading.list") "
		started=$(date +%s)
		limit=$(awk -v e="$ex" '$1 == "limit" && $2 == e { print $3 }' "$lab/grading.list")
		deadline=$(($(date +%s) + ${limit:-60}))
		echo "# lab-ex: $tree $tok"
		awk -v e="$ex" '$1 == e' "$lab/grading.list" > /tmp/lab-ex.list
		while read -r _ prog tests; do
			if [ -n "$slow" ]; then
				quick=
				for t in $tests; do
					case "$slow" in
					*" $t "*) ;;
					*) quick="$quick $t" ;;
					esac
				done
				tests=${quick# }
				[ -n "$tests" ] || continue
			fi
			left=$((deadline - $(date +%s)))
			if [ "$left" -le 0 ]; then
				echo "# lab-timeout: $tree $tok ${limit}s"
				break
			fi
			echo "# lab-prog: $prog"
			SHMR_LAB_TESTS=$tests timeout -s KILL "$left" "./$prog"
			rc=$?
			if [ "$rc" -eq 137 ] && [ "$(date +%s)" -ge "$deadline" ]; then
				echo "# lab-timeout: $tree $tok ${limit}s ($prog killed)"
				break
			fi
		done < /tmp/lab-ex.list
		echo "# lab-time: $tree $tok $(($(date +%s) - started))s"
		echo "# lab-ex-end: $tree $tok"
	done
	rmmod shmregion || echo "# lab-rmmod-failed: $tree"
done < "$lab/plan"
exit 0
