#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build (once) and locate the debug kernel that `make check-debug` boots.
#
#   scripts/debug-kernel.sh [KVER]              build it unless it is cached
#   scripts/debug-kernel.sh --print-dir [KVER]  print its directory, never build
#   scripts/debug-kernel.sh --key [KVER]        print the cache key
#
# The kernel is Debian's linux-source-KVER (default: the host
# distribution's series, 6.1 on Debian 12; KVER=7.2 is sid's), configured
# as allnoconfig + kernels/vm.config (what the VM needs) +
# scripts/debug.config (KASAN, UBSAN, lockdep, kmemleak, ...) +
# scripts/debug-KVER.config when there is one, and built
# by scripts/build-kernel.sh into
#
#   ${SHMR_CACHE:-~/.cache/shmregion}/kernels/<version>-debug-<key>/
#
# where <key> hashes both fragments, the source package's version and the
# compiler's version: editing a fragment builds a new kernel, an
# unchanged one is reused.  Environment: KVER, SHMR_CACHE, JOBS.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
opt=
case "${1:-}" in
--print-dir|--key) opt=$1; shift ;;
-*) echo "usage: $0 [--print-dir|--key] [KVER]" >&2; exit 2 ;;
esac
kver=${1:-${KVER:-}}
[ -n "$kver" ] || kver=$("$here/fetch-kernel.sh" default-kver)
# a series' own additions (scripts/debug-6.1.config), when there are any
extra=$here/debug-$kver.config
[ -f "$extra" ] || extra=
exec "$here/build-kernel.sh" $opt "$kver" debug \
	"$here/../kernels/vm.config" "$here/debug.config" $extra
