#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make lint: the module and the uapi header under gcc's W=1, sparse (C=2),
# checkpatch.pl --strict and a modinfo audit. Every file is a test in each
# check: TAP lines with the findings, a "CHECK: N passed, N failed" line
# per check, then the total "N passed, N failed"; exit 1 on any finding.
#
# Environment (scripts/lint.mk sets it): KDIR, BUILD, KSRC_TAR, SHMR_VERSION.
# checkpatch.pl and its data files come from Debian's linux-source-6.1
# into $BUILD/lint at run time; they are never committed.
set -uo pipefail

: "${KDIR:?}" "${BUILD:?}" "${KSRC_TAR:?}"
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
out=$BUILD/lint
src=$out/src

"$here/deps.sh" lint || exit 1

total_p=0 total_f=0
p=0 f=0
ok() { echo "ok - $*"; p=$((p + 1)); }
not_ok() { echo "not ok - $*"; f=$((f + 1)); }
# end CHECK: the check's summary line, added to the total
end() {
	echo "$1: $p passed, $f failed"
	total_p=$((total_p + p)) total_f=$((total_f + f))
	p=0 f=0
}
# findings LOG FILE: the log's diagnostics about FILE
findings() {
	grep -E "^$2:[0-9]+(:[0-9]+)?: (warning|error)" "$1"
}
# report CHECK LOG FILE...: a test per file, and one for the rest
report() {
	local check=$1 log=$2 file n rest
	shift 2
	for file in "$@"; do
		n=$(findings "$log" "$file" | wc -l)
		if [ "$n" -eq 0 ]; then
			ok "$check $file"
		else
			not_ok "$check $file: $n findings"
			findings "$log" "$file" | sed 's/^/#   /'
		fi
	done
	rest=$(grep -E '(warning|error|WARNING|ERROR)[: ]' "$log" | grep -vE "^($(IFS='|'; echo "$*")):")
	if [ -z "$rest" ]; then
		ok "$check: no findings elsewhere (kernel headers, modpost)"
	else
		not_ok "$check: findings elsewhere"
		printf '%s\n' "$rest" | sed 's/^/#   /'
	fi
}

# A fresh copy, so that every file is compiled and checked.
rm -rf "$src"
mkdir -p "$src"
tar -C "$top" -cf - --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.order' \
	--exclude='*.symvers' Kbuild module include | tar -C "$src" -xf -
cd "$top" || exit 1
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

echo "TAP version 13"
# --- W=1 --------------------------------------------------------------------
log=$out/w1.log
make -C "$KDIR" M="$src" W=1 modules > "$log" 2>&1
rc=$?
tidy "$log"
if [ "$rc" -eq 0 ]; then ok "W=1 build"; else not_ok "W=1 build (status $rc)"; grep -E 'error|Error' "$log" | head -n 20 | sed 's/^/#   /'; fi
report W=1 "$log" "${files[@]}"
if echo '#include <linux/shmregion.h>' |
	cc -std=c90 -Wall -Wextra -Werror -fsyntax-only -Iinclude/uapi -x c - > "$out/uapi.log" 2>&1; then
	ok "W=1 include/uapi/linux/shmregion.h compiles alone in userspace (-std=c90 -Wall -Wextra -Werror)"
else
	not_ok "W=1 include/uapi/linux/shmregion.h does not compile alone in userspace"
	sed 's/^/#   /' "$out/uapi.log"
fi
end W=1

# --- sparse -----------------------------------------------------------------
# C=2 checks every file, compiled or not; the objects are up to date.
log=$out/sparse.log
make -C "$KDIR" M="$src" W=1 C=2 modules > "$log" 2>&1
rc=$?
tidy "$log"
nchk=$(grep -c '^  CHECK ' "$log")
if [ "$rc" -eq 0 ] && [ "$nchk" -eq "${#cfiles[@]}" ]; then
	ok "sparse ran on all ${#cfiles[@]} .c files"
else
	not_ok "sparse ran on $nchk of ${#cfiles[@]} .c files (make status $rc)"
fi
report sparse "$log" "${files[@]}"
end sparse

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
		ok "checkpatch $file"
	else
		not_ok "checkpatch $file: $(printf '%s\n' "$res" | grep -cE '^(ERROR|WARNING|CHECK):') findings"
		printf '%s\n' "$res" | sed 's/^/#   /'
	fi
done
end checkpatch

# --- modinfo ----------------------------------------------------------------
ko=$src/module/shmregion.ko
if [ -f "$ko" ]; then
	"$here/check-install.sh" modinfo "$ko" > "$out/modinfo.log"
	grep -E '^(not )?ok ' "$out/modinfo.log"
	p=$(grep -c '^ok ' "$out/modinfo.log")
	f=$(grep -c '^not ok ' "$out/modinfo.log")
else
	not_ok "modinfo: no module built"
fi
end modinfo

echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
