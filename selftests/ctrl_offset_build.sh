#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host-side build check: SHMR_CTRL_OFFSET is a compile error with a
# 32-bit off_t and compiles with a 64-bit one (ctrl_offset_build.c).
#
#   selftests/ctrl_offset_build.sh [UAPI_INCLUDE_DIR]
#
# Needs a compiler that can build -m32 programs (Debian: gcc-multilib).
# Prints TAP and "N passed, N failed"; exits 1 when a check failed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
uapi=${1:-$here/../include/uapi}
cc=${CC:-cc}
src=$here/ctrl_offset_build.c
passed=0
failed=0

# check WANT DESCRIPTION FLAGS...: WANT is "builds" or "fails"
check() {
	want=$1 what=$2
	shift 2
	if "$cc" -Wall -fsyntax-only -I"$uapi" "$@" "$src" >/dev/null 2>&1; then
		got=builds
	else
		got=fails
	fi
	if [ "$got" = "$want" ]; then
		echo "ok - SHMR_CTRL_OFFSET $what: $got"
		passed=$((passed + 1))
	else
		echo "not ok - SHMR_CTRL_OFFSET $what: $got, should be: $want"
		failed=$((failed + 1))
	fi
}

echo "TAP version 13"
# the -m32 compiler itself must work, or a "fails" would prove nothing
if ! echo 'int main(void) { return 0; }' |
	"$cc" -m32 -fsyntax-only -x c - >/dev/null 2>&1; then
	echo "not ok - $cc -m32 cannot compile (install gcc-multilib)"
	echo "0 passed, 1 failed"
	exit 1
fi
check fails "with -m32 and a 32-bit off_t" -m32
check fails "with -m32 -D_FILE_OFFSET_BITS=32" -m32 -D_FILE_OFFSET_BITS=32
check builds "with -m32 -D_FILE_OFFSET_BITS=64" -m32 -D_FILE_OFFSET_BITS=64
check builds "with -m32 -D_LARGEFILE64_SOURCE -D_FILE_OFFSET_BITS=64" \
	-m32 -D_LARGEFILE64_SOURCE -D_FILE_OFFSET_BITS=64
check builds "64-bit" -m64
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
