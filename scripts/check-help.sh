#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make help` has a line for every target the Makefile and its fragments
# declare .PHONY. Prints TAP, then "N passed, N failed"; exits 1 when a
# target is missing.
#
# Environment (scripts/lint.mk sets it): SHMR_MAKE (make -C <top> with
# KDIR and BUILD).
set -euo pipefail

: "${SHMR_MAKE:?}"
. "$(dirname "$0")/tap.sh"

tap_header
# make's database (-p) without running anything (-q), no built-in rules
targets=$($SHMR_MAKE -pRrq help 2>/dev/null | sed -n 's/^\.PHONY: //p' | tr ' ' '\n' | sort -u) || :
help=$($SHMR_MAKE -s help)
tap_run "make help runs" test -n "$help"
tap_run "make's database lists .PHONY targets" test -n "$targets"
for t in $targets; do
	# a help line: two spaces, the target, then its description
	# a here-string, not a pipe: grep -q ending early would SIGPIPE printf,
	# and pipefail would call that a missing line
	if grep -qE "^  $t( |$)" <<< "$help"; then
		tap_ok "make help lists $t"
	else
		tap_not_ok "make help does not list $t"
	fi
done
tap_summary
