#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The module files to load for the named kernel modules, dependencies
# first, each once, as paths relative to MODDIR (one a line). Built-in
# or unknown modules give nothing.
#
#   scripts/kmod-deps.sh MODDIR MODULE...
#
# MODDIR is a kernel's /lib/modules/<release>, with its modules.dep
# ("kernel/a.ko: kernel/b.ko kernel/c.ko", the nearest dependency first).
set -eu

moddir=${1:?usage: kmod-deps.sh MODDIR MODULE...}
shift
dep=$moddir/modules.dep
[ -r "$dep" ] || { echo "kmod-deps.sh: no $dep" >&2; exit 1; }

seen=" "
# add FILE: print FILE unless printed already
add() {
	case "$seen" in
	*" $1 "*) return 0 ;;
	esac
	seen="$seen$1 "
	echo "$1"
}
for m in "$@"; do
	line=$(grep -E "(^|/)$m\.ko(\.[a-z]+)?:" "$dep") || continue
	# modules.dep lists the whole closure, nearest first: load it reversed
	for d in $(echo "${line#*:}" | tr ' ' '\n' | tac); do
		add "$d"
	done
	add "${line%%:*}"
done
