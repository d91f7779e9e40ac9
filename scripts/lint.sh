#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make lint: the module and the uapi header under gcc's W=1, sparse (C=2),
# checkpatch.pl --strict, a modinfo audit (scripts/check-modinfo.sh) and
# `make help` against the targets (scripts/check-help.sh). Every file is
# a test in each check: TAP lines with the findings, a "CHECK: N passed,
# N failed" line per check, then the total "N passed, N failed"; exit 1
# on any finding.
#
# Environment (scripts/lint.mk sets it): KDIR, BUILD, KSRC_TAR, SHMR_MAKE.
# checkpatch.pl and its data files come from Debian's linux-source-6.1
# into $BUILD/lint at run time; they are never committed.
set -euo pipefail

: "${KDIR:?}" "${BUILD:?}" "${KSRC_TAR:?}" "${SHMR_MAKE:?}"
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
out=$BUILD/lint
src=$out/src

. "$here/tap.sh"
# findings LOG FILE: the log's diagnostics about FILE
findings() {
	grep -E "^$2:[0-9]+(:[0-9]+)?: (warning|error)" "$1"
}
# report CHECK LOG FILE...: a test per file, and one for the rest
report() {
	local check=$1 log=$2 file n rest
	shift 2
	for file in "$@"; do
		n=$(findings "$log" "$file" | wc -l) || :
		if [ "$n" -eq 0 ]; then
			tap_ok "$check $file"
		else
			tap_not_ok "$check $file: $n findings"
			findings "$log" "$file" | tap_comment
		fi
	done
	rest=$(grep -E '(warning|error|WARNING|ERROR)[: ]' "$log" | grep -vE "^($(IFS='|'; echo "$*")):") || :
	if [ -z "$rest" ]; then
		tap_ok "$check: no findings elsewhere (kernel headers, modpost)"
	else
		tap_not_ok "$check: findings elsewhere"
		printf '%s\n' "$rest" | tap_comment
	fi
}

# A fresh copy, so that every file is compiled and checked.
rm -rf "$src"
mkdir -p "$src"
tar -C "$top" -cf - --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.order' \
	--exclude='*.symvers' Kbuild VERSION module include | tar -C "$src" -xf -
cd "$top"
cfiles=(module/*.c)
files=(module/*.c)
for h in module/*.h include/uapi/linux/*.h; do
	[ -f "$h" ] && files+=("$h")
done
# Diagnostics name files by the copy's absolute path, headers through
# module/../include: make them relative to the top again.
tidy() {
	sed -e "s|$src/||g" -e 's|module/\.\./||g' "$1" > "$1.tmp" && mv "$1.tmp" "$1"
}

tap_header
# --- W=1 --------------------------------------------------------------------
log=$out/w1.log
rc=0
make -C "$KDIR" M="$src" W=1 modules > "$log" 2>&1 || rc=$?
tidy "$log"
tap_result "$rc" "W=1 build (status $rc)"
[ "$rc" -eq 0 ] || grep -E 'error|Error' "$log" | head -n 20 | tap_comment
report W=1 "$log" "${files[@]}"
if echo '#include <linux/shmregion.h>' |
	cc -std=c90 -Wall -Wextra -Werror -fsyntax-only -Iinclude/uapi -x c - > "$out/uapi.log" 2>&1; then
	tap_ok "W=1 include/uapi/linux/shmregion.h compiles alone in userspace (-std=c90 -Wall -Wextra -Werror)"
else
	tap_not_ok "W=1 include/uapi/linux/shmregion.h does not compile alone in userspace"
	tap_comment < "$out/uapi.log"
fi
tap_subtotal W=1

# --- sparse -----------------------------------------------------------------
# C=2 checks every file, compiled or not; the objects are up to date.
log=$out/sparse.log
rc=0
make -C "$KDIR" M="$src" W=1 C=2 modules > "$log" 2>&1 || rc=$?
tidy "$log"
nchk=$(grep -c '^  CHECK ' "$log") || :
if [ "$rc" -eq 0 ] && [ "$nchk" -eq "${#cfiles[@]}" ]; then
	tap_ok "sparse ran on all ${#cfiles[@]} .c files"
else
	tap_not_ok "sparse ran on $nchk of ${#cfiles[@]} .c files (make status $rc)"
fi
report sparse "$log" "${files[@]}"
tap_subtotal sparse

# --- checkpatch --strict ----------------------------------------------------
cp_dir=$out/checkpatch
if [ ! -f "$cp_dir/checkpatch.pl" ]; then
	mkdir -p "$cp_dir"
	tar -xJf "$KSRC_TAR" -C "$cp_dir" --strip-components=2 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
fi
for file in "${files[@]}" module/Kbuild; do
	if res=$(perl "$cp_dir/checkpatch.pl" --strict --no-tree --show-types \
			--no-summary -f "$file" 2>&1); then
		tap_ok "checkpatch $file"
	else
		tap_not_ok "checkpatch $file: $(printf '%s\n' "$res" | grep -cE '^(ERROR|WARNING|CHECK):' || :) findings"
		printf '%s\n' "$res" | tap_comment
	fi
done
tap_subtotal checkpatch

# --- modinfo ----------------------------------------------------------------
tap_fold "$out/modinfo.log" "$here/check-modinfo.sh" "$src/module/shmregion.ko"
tap_subtotal modinfo

# --- make help ----------------------------------------------------------------
tap_fold "$out/help.log" "$here/check-help.sh"
tap_subtotal help

tap_summary
