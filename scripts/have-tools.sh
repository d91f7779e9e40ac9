#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Check, without installing anything, that a plain `make` can build: the
# named commands, with --m32 CC a compiler that links static -m32
# programs (the 32-bit selftests), with --kdir DIR a kernel build tree,
# with --file FILE a file the build reads (Debian's linux-source tarball).
# Names what is missing and `make deps` (scripts/deps.sh), which
# installs it; silent when all is there.
#
#   scripts/have-tools.sh [--kdir DIR] [--m32 CC] [--file FILE]... COMMAND...
set -eu

check_kdir=0 kdir="" m32="" files=""
while [ $# -gt 0 ]; do
	case "$1" in
	--kdir) check_kdir=1 kdir=$2; shift 2 ;;
	--m32) m32=$2; shift 2 ;;
	--file) files="$files $2"; shift 2 ;;
	*) break ;;
	esac
done
missing=""
for c in "$@"; do
	command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
if [ -n "$m32" ] && command -v "$m32" >/dev/null 2>&1; then
	# without multilib, gcc prints the bare name back
	libc32=$("$m32" -m32 -print-file-name=libc.a 2>/dev/null) || :
	[ -f "$libc32" ] || missing="$missing 32-bit-libc($m32 -m32)"
fi
for f in $files; do
	[ -e "$f" ] || missing="$missing $f"
done
if [ -n "$missing" ]; then
	echo "make: missing:$missing; 'make deps' installs what building and testing need" >&2
	exit 1
fi
if [ "$check_kdir" = 1 ] && [ ! -f "$kdir/Makefile" ]; then
	echo "make: no kernel build tree at KDIR='$kdir'; 'make deps' installs one, or pass KDIR=<build tree>" >&2
	exit 1
fi
