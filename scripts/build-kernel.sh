#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (once) a small kernel from Debian's linux-source-KVER for the VM.
#
#   scripts/build-kernel.sh [--print-dir|--key] KVER NAME FRAGMENT...
#
# The source package comes from scripts/fetch-kernel.sh (the installed
# linux-source-KVER, else apt-get download from the suites that carry it:
# sid for 7.2, experimental for 7.3).  The configuration is allnoconfig +
# the fragments (kernels/vm.config, and scripts/debug.config for the debug
# tier) through scripts/kconfig/merge_config.sh; a value Kconfig refuses
# fails the build.  The kernel and its modules are built in full (so that
# modpost checks modules against vmlinux's symbols), under nice -n 10,
# with a progress line every 250 compiled files, into
#
#   $SHMR_CACHE/kernels/<version>-NAME-<key>/   build/ (the O= tree)
#                                              boot/vmlinuz-<release>
#                                              lib/modules/<release>/{build,...}
#
# the same layout as a Debian image unpacked by fetch-kernel.sh; <key>
# hashes the fragments' settings (not their comments), the source
# package's version and the compiler's
# version: an edited fragment builds a new kernel, an unchanged one is
# reused.  --print-dir prints that directory and --key the key, neither
# builds.  The last line on stdout is the directory.  Environment:
# SHMR_CACHE, JOBS (default: the number of CPUs).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${SHMR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shmregion}
mode=build
case "${1:-}" in
--print-dir|--key) mode=${1#--}; shift ;;
esac
kver=${1:?usage: build-kernel.sh [--print-dir|--key] KVER NAME FRAGMENT...}
name=${2:?NAME}
shift 2
[ $# -gt 0 ] || { echo "build-kernel: no configuration fragment" >&2; exit 2; }
frags=()
for f in "$@"; do
	frags+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
done

say() { echo "build-kernel: $*" >&2; }

srcver=$("$here/fetch-kernel.sh" source-version "$kver")
# Debian's version to the kernel's: 7.2.13-1 -> 7.2.13, 7.3~rc7-1 -> 7.3.0-rc7
upver=${srcver%-*}
upver=${upver%%+*}
case "$upver" in
*~rc*) base=${upver%%~*} rc=-${upver#*~} ;;
*) base=$upver rc= ;;
esac
case "$base" in
*.*.*) ;;
*) base=$base.0 ;;
esac
upver=$base$rc

# the settings of the fragments: comments are not part of the key
settings() {
	sed -n -E '/^(CONFIG_|# CONFIG_[A-Za-z0-9_]+ is not set)/p' "${frags[@]}"
}
key=$({
	settings
	echo "source: $srcver"
	echo "compiler: $(${CC:-gcc} --version 2>/dev/null | head -n 1)"
} | sha256sum | cut -c 1-16)
dir=$cache/kernels/$upver-$name-$key
localversion=$(sed -n 's/^CONFIG_LOCALVERSION="\(.*\)"$/\1/p' "${frags[@]}" | tail -n 1)
rel=$upver$localversion

case $mode in
key) echo "$key"; exit 0 ;;
print-dir) echo "$dir"; exit 0 ;;
esac

done_ok() {
	[ -f "$dir/.shmr-built" ] && [ -r "$dir/boot/vmlinuz-$rel" ]
}
if done_ok; then
	echo "$dir"
	exit 0
fi
mkdir -p "$cache/kernels"
# One build of a kernel at a time (two `make check` runs may race here).
exec 9>"$dir.lock"
flock 9
if done_ok; then
	echo "$dir"
	exit 0
fi
start=$(date +%s)

"$here/deps.sh" kbuild >&2
# --- source -----------------------------------------------------------
tarball=$("$here/fetch-kernel.sh" source "$kver")
src=$cache/src/linux-$upver
if [ ! -f "$src/.shmr-extracted" ]; then
	say "extracting $tarball to $src"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xf "$tarball" -C "$src.tmp" --strip-components=1
	echo "$srcver" > "$src.tmp/.shmr-extracted"
	mv "$src.tmp" "$src"
fi
have=$(make -s -C "$src" kernelversion)
[ "$have" = "$upver" ] || { say "$src is $have, expected $upver"; exit 1; }

# --- configuration ----------------------------------------------------
# (kept when the fragments are unchanged: an interrupted build resumes)
obj=$dir/build
log=$dir/build.log
mkdir -p "$obj"
say "building $rel from linux-source-$kver $srcver in $dir (log: $log)"
if [ ! -f "$obj/.config" ] || ! settings | cmp -s - "$dir/.shmr-fragments"; then
	rm -rf "$obj" "$dir/boot" "$dir/lib"
	mkdir -p "$obj"
	(cd "$src" && scripts/kconfig/merge_config.sh -n -O "$obj" "${frags[@]}") > "$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; say "configuration failed"; exit 1; }
	# merge_config.sh only warns about a value that did not take ("Value
	# requested for CONFIG_X not in final .config" on 6.1, the same line
	# behind "WARNING: " on 7.x), a symbol that does not exist included:
	# both fail here.
	if grep -E -A3 '^(WARNING: )?Value requested for' "$log" >&2; then
		say "${frags[*]}: values Kconfig refused (above)"
		exit 1
	fi
	settings > "$dir/.shmr-fragments"
fi

# --- build, with a progress line every 250 compiled files -------------
# (out of about as many as the last build of this NAME compiled)
jobs=${JOBS:-$(nproc)}
count=$cache/kernels/.files-$name
last=$(cat "$count" 2>/dev/null || echo 0)
progress() {
	local line n=0 status=1 el
	while IFS= read -r line; do
		case $line in
		"build-kernel-status: "*) status=${line#*: } ;;
		"  CC "*|"  AS "*)
			n=$((n + 1))
			if [ $((n % 250)) -eq 0 ]; then
				el=$(( $(date +%s) - start ))
				printf 'build-kernel: %s: %d%s files compiled, %dm%02ds\n' "$name" \
					"$n" "$([ "$last" -gt 0 ] && echo " of ~$last")" \
					$((el / 60)) $((el % 60)) >&2
			fi
			;;
		*" error: "*|*"Error "[0-9]*|*" warning: "*) echo "$line" >&2 ;;
		esac
	done
	[ "$status" = 0 ] && echo "$n" > "$count"
	[ "$status" = 0 ]
}
set +e
{
	nice -n 10 make -C "$obj" -j"$jobs" bzImage modules 2>&1 &&
	make -C "$obj" -s INSTALL_MOD_PATH="$dir" DEPMOD=/sbin/depmod modules_install 2>&1
	echo "build-kernel-status: $?"
} | tee -a "$log" | progress
rc=$?
set -e
if [ "$rc" -ne 0 ] || [ ! -r "$obj/arch/x86/boot/bzImage" ]; then
	tail -n 40 "$log" >&2
	say "build failed (log: $log)"
	exit 1
fi
built=$(make -s -C "$obj" kernelrelease)
[ "$built" = "$rel" ] || { say "built $built, expected $rel"; exit 1; }
mkdir -p "$dir/boot" "$dir/lib/modules/$rel"
cp "$obj/arch/x86/boot/bzImage" "$dir/boot/vmlinuz-$rel"
cp "$obj/System.map" "$dir/boot/System.map-$rel"
cp "$obj/.config" "$dir/boot/config-$rel"
ln -sfn ../../../build "$dir/lib/modules/$rel/build"
[ -f "$dir/lib/modules/$rel/modules.dep" ] || /sbin/depmod -b "$dir" "$rel"
date -u +%FT%TZ > "$dir/.shmr-built"
el=$(( $(date +%s) - start ))
say "built $rel in $((el / 60))m$((el % 60))s"
echo "$dir"
