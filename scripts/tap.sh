# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# TAP printing for shmregion's shell scripts, sourced, never run. POSIX
# sh: the guest's scripts run under busybox sh (initramfs.sh puts this file in
# the guest as /shmr/tap.sh; guest scripts source "${SHMR_TAP:-/shmr/tap.sh}").
#
#   tap_header                "TAP version 13"
#   tap_ok NAME               "ok N - NAME", counted as passed
#   tap_not_ok NAME           "not ok N - NAME", counted as failed
#   tap_skip NAME REASON      "ok N - NAME # SKIP REASON", counted as
#                             skipped (never as passed)
#   tap_result STATUS NAME    ok when STATUS is 0, else not ok
#   tap_run NAME CMD...       run CMD, ok when it succeeds
#   tap_check NAME CMD...     the same, CMD's output shown as comments
#                             and its exit status added to a failure
#   tap_comment < FILE        lines as TAP comments ("#   ...")
#   tap_fold LOG CMD...       run CMD, which prints TAP and a summary
#                             line: pass its lines on, add its counts to
#                             ours (no summary line or a failed CMD that
#                             counted no failure is one failure); LOG
#                             keeps the output
#   tap_count FILE            add the ok/not ok/SKIP lines of a TAP
#                             stream (several programs' output) to ours
#   tap_subtotal LABEL        "LABEL: N passed, N failed[, N skipped]"
#                             for the tests since the last subtotal
#   tap_plan                  "1..N", N the tests printed here
#   tap_end                   tap_plan; its status is 0 when nothing
#                             failed (a TAP program's last line)
#   tap_summary               "N passed, N failed[, N skipped]"; its
#                             status is 0 when nothing failed
#
# The functions return 0 (safe under set -e) except tap_end and
# tap_summary;
# tap_run, tap_check and tap_fold leave the command's status in $tap_rc.

tap_n=0
tap_passed=0
tap_failed=0
tap_skipped=0
tap_rc=0
tap_mark_p=0
tap_mark_f=0
tap_mark_s=0

tap_header() {
	echo "TAP version 13"
}

tap_ok() {
	tap_n=$((tap_n + 1))
	tap_passed=$((tap_passed + 1))
	echo "ok $tap_n - $*"
}

tap_not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $*"
}

tap_skip() {
	tap_n=$((tap_n + 1))
	tap_skipped=$((tap_skipped + 1))
	echo "ok $tap_n - $1 # SKIP ${2:-}"
}

tap_result() {
	_tap_st=$1
	shift
	if [ "$_tap_st" -eq 0 ]; then
		tap_ok "$@"
	else
		tap_not_ok "$@"
	fi
}

tap_run() {
	_tap_name=$1
	shift
	tap_rc=0
	"$@" || tap_rc=$?
	tap_result "$tap_rc" "$_tap_name"
}

tap_comment() {
	sed 's/^/#   /'
}

tap_check() {
	_tap_name=$1
	shift
	tap_rc=0
	_tap_out=$("$@" 2>&1) || tap_rc=$?
	[ -z "$_tap_out" ] || printf '%s\n' "$_tap_out" | tap_comment
	if [ "$tap_rc" -eq 0 ]; then
		tap_ok "$_tap_name"
	else
		tap_not_ok "$_tap_name (status $tap_rc)"
	fi
}

# _tap_add LINE: add "N passed, N failed[, N skipped]" to the counters
_tap_add() {
	_tap_p=${1%% passed*}
	_tap_f=${1#* passed, }
	_tap_f=${_tap_f%% failed*}
	case "$1" in
	*" skipped"*) _tap_s=${1%% skipped*}; _tap_s=${_tap_s##* } ;;
	*) _tap_s=0 ;;
	esac
	tap_passed=$((tap_passed + _tap_p))
	tap_failed=$((tap_failed + _tap_f))
	tap_skipped=$((tap_skipped + _tap_s))
}

tap_fold() {
	_tap_log=$1
	shift
	{
		_tap_st=0
		"$@" 2>&1 || _tap_st=$?
		echo "$_tap_st" > "$_tap_log.rc"
	} | tee "$_tap_log" | grep -Ev '^([0-9]+ passed, [0-9]+ failed|TAP version)' || :
	tap_rc=$(cat "$_tap_log.rc")
	rm -f "$_tap_log.rc"
	_tap_line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$_tap_log" | tail -n 1)
	if [ -z "$_tap_line" ]; then
		tap_not_ok "$1 gave no result (status $tap_rc; see $_tap_log)"
		return 0
	fi
	_tap_f0=$tap_failed
	_tap_add "$_tap_line"
	if [ "$tap_rc" -ne 0 ] && [ "$tap_failed" -eq "$_tap_f0" ]; then
		tap_not_ok "$1 exited with status $tap_rc"
	fi
}

tap_count() {
	_tap_s=$(grep -Ec '^ok( .*)? # [Ss][Kk][Ii][Pp]' "$1") || :
	_tap_p=$(grep -Ec '^ok( |$)' "$1") || :
	_tap_f=$(grep -Ec '^not ok( |$)' "$1") || :
	tap_passed=$((tap_passed + _tap_p - _tap_s))
	tap_failed=$((tap_failed + _tap_f))
	tap_skipped=$((tap_skipped + _tap_s))
}

# _tap_line P F S: the summary line
_tap_line() {
	if [ "$3" -gt 0 ]; then
		echo "$1 passed, $2 failed, $3 skipped"
	else
		echo "$1 passed, $2 failed"
	fi
}

tap_subtotal() {
	echo "$1: $(_tap_line $((tap_passed - tap_mark_p)) \
		$((tap_failed - tap_mark_f)) $((tap_skipped - tap_mark_s)))"
	tap_mark_p=$tap_passed
	tap_mark_f=$tap_failed
	tap_mark_s=$tap_skipped
}

tap_plan() {
	echo "1..$tap_n"
}

tap_end() {
	tap_plan
	[ "$tap_failed" -eq 0 ]
}

tap_summary() {
	_tap_line "$tap_passed" "$tap_failed" "$tap_skipped"
	[ "$tap_failed" -eq 0 ]
}
