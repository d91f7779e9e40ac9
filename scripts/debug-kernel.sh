#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (once) and locate the debug kernel that `make check-debug` boots.
#
#   scripts/debug-kernel.sh              build it unless it is cached
#   scripts/debug-kernel.sh --print-dir  print its build tree, never build
#   scripts/debug-kernel.sh --key        print the cache key
#
# The kernel is Debian's linux-source-6.1 (KSRC_TAR), configured as
# allnoconfig + scripts/debug.config (KASAN, UBSAN, lockdep, kmemleak, ...)
# through scripts/kconfig/merge_config.sh, and built out of tree in
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/shmregion/debug-kernel/<version>-<key>
#
# where <key> hashes debug.config, the source package's version and the
# compiler's version: editing the fragment builds a new kernel, an
# unchanged one is reused.  The tree holds arch/x86/boot/bzImage and is
# ready (modules_prepare) to be KDIR for the module.  The source is
# extracted to ${XDG_CACHE_HOME:-$HOME/.cache}/shmregion/linux-source-6.1
# when absent.  Environment: KSRC_TAR, SHMR_CACHE (the cache directory),
# JOBS (parallel jobs, default: the number of CPUs).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
frag=$here/debug.config
KSRC_TAR=${KSRC_TAR:-/usr/src/linux-source-6.1.tar.xz}
cache=${SHMR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shmregion}
src=$cache/linux-source-6.1

# The source's version: the Debian package's when dpkg knows it, else
# the tarball's size and time.
src_version() {
	local v
	v=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
	[ -n "$v" ] || v=$(stat -L -c '%s-%Y' "$KSRC_TAR" 2>/dev/null || echo unknown)
	echo "$v"
}

key() {
	{
		cat "$frag"
		echo "source: $(src_version)"
		echo "compiler: $(${CC:-gcc} --version 2>/dev/null | head -n 1)"
	} | sha256sum | cut -c 1-16
}

build_dir() {
	local v
	v=$(src_version)
	echo "$cache/debug-kernel/${v%%-*}-$(key)"
}

case "${1:-}" in
--print-dir) build_dir; exit 0 ;;
--key) key; exit 0 ;;
"") ;;
*) echo "usage: $0 [--print-dir|--key]" >&2; exit 2 ;;
esac

dir=$(build_dir)
if [ -f "$dir/.shmr-built" ] && [ -r "$dir/arch/x86/boot/bzImage" ]; then
	echo "debug-kernel: cached: $dir"
	exit 0
fi

mkdir -p "$cache/debug-kernel"
# One build at a time (two `make check-debug` runs may race here).
exec 9>"$cache/debug-kernel/.lock"
flock 9
if [ -f "$dir/.shmr-built" ]; then
	echo "debug-kernel: cached: $dir"
	exit 0
fi

start=$(date +%s)

# --- source -----------------------------------------------------------
want=$(src_version)
want=${want%%-*}
if [ -d "$src" ] && [ -f "$src/Makefile" ]; then
	have=$(make -s -C "$src" kernelversion 2>/dev/null || echo none)
	if [ "$have" != "$want" ] && [ "$want" != unknown ] &&
	   [ "${want#*[!0-9.]}" = "$want" ]; then
		echo "debug-kernel: $src is $have, the package is $want: extracting again"
		rm -rf "$src"
	fi
fi
if [ ! -f "$src/Makefile" ]; then
	[ -r "$KSRC_TAR" ] || { echo "debug-kernel: no $KSRC_TAR (apt-get install linux-source-6.1)" >&2; exit 1; }
	echo "debug-kernel: extracting $KSRC_TAR to $cache"
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf "$KSRC_TAR" -C "$src.tmp" --strip-components=1
	mv "$src.tmp" "$src"
fi

# --- configuration ----------------------------------------------------
mkdir -p "$dir"
log=$dir/build.log
: > "$log"
echo "debug-kernel: building $(basename "$dir") in $dir (log: $log)"
if [ ! -f "$dir/.config" ] || ! cmp -s "$frag" "$dir/.shmr-fragment"; then
	(cd "$src" && scripts/kconfig/merge_config.sh -n -O "$dir" "$frag") >> "$log" 2>&1 ||
		{ tail -n 30 "$log"; echo "debug-kernel: configuration failed" >&2; exit 1; }
	# merge_config.sh only warns about values that did not take: fail.
	if grep -A3 '^Value requested for' "$log"; then
		echo "debug-kernel: $frag asks for values Kconfig refused (above)" >&2
		exit 1
	fi
	cp "$frag" "$dir/.shmr-fragment"
fi

# --- build, with a progress line every 100 compiled files ---------------
# (out of about as many as the last build compiled, when one did)
jobs=${JOBS:-$(nproc)}
last=$(cat "$cache/debug-kernel/.files" 2>/dev/null || echo 0)
progress() {
	local line n=0 status=1 el
	while IFS= read -r line; do
		case $line in
		"debug-kernel-status: "*) status=${line#*: } ;;
		"  CC "*|"  AS "*)
			n=$((n + 1))
			if [ $((n % 100)) -eq 0 ]; then
				el=$(( $(date +%s) - start ))
				printf 'debug-kernel: %d%s files compiled, %dm%02ds\n' \
					"$n" "$([ "$last" -gt 0 ] && echo " of ~$last")" \
					$((el / 60)) $((el % 60))
			fi
			;;
		*" error: "*|*"Error "[0-9]*) echo "$line" ;;
		esac
	done
	[ "$status" = 0 ] && echo "$n" > "$cache/debug-kernel/.files"
	[ "$status" = 0 ]
}
set +e
{
	make -C "$dir" -j"$jobs" bzImage modules 2>&1 &&
	make -C "$dir" -j"$jobs" modules_prepare 2>&1
	echo "debug-kernel-status: $?"
} | tee -a "$log" | progress
rc=$?
set -e
if [ "$rc" -ne 0 ] || [ ! -r "$dir/arch/x86/boot/bzImage" ]; then
	tail -n 40 "$log"
	echo "debug-kernel: build failed (log: $log)" >&2
	exit 1
fi
date -u +%FT%TZ > "$dir/.shmr-built"
el=$(( $(date +%s) - start ))
echo "debug-kernel: built $dir/arch/x86/boot/bzImage in $((el / 60))m$((el % 60))s"
