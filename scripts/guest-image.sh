#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The test VM's /usr: a read-only squashfs image of the host's own
# programs that the guest runs (python3 with numpy and pytest, gdb,
# strace, and everything they need), built once and cached. Prints the
# image's path; scripts/vm.sh attaches it as a virtio disk and
# scripts/guest-init mounts it on /usr.
#
#   scripts/guest-image.sh [PACKAGE...]
#
# What goes in: the files of the installed Debian PACKAGEs (default:
# python3 python3-numpy python3-pytest gdb strace ncurses-base) and of
# every package they depend on, recursively, as dpkg lists them, minus
# documentation, man pages and translations, plus the bytecode Python
# compiled for them at install time. A file under /lib, /bin or /sbin goes
# to its merged-/usr place. A symlink through /etc (the alternatives
# system: numpy's libblas.so.3) points to its final target instead.
#
# The image lives in ${SHMR_CACHE:-~/.cache/shmregion}/guest/, named by a
# hash of the packages' names and versions and of this script: an apt
# upgrade or a change here builds a new one; a lock serialises builders.
set -eu

cache=${SHMR_CACHE:-$HOME/.cache/shmregion}/guest
[ "$#" -gt 0 ] || set -- python3 python3-numpy python3-pytest gdb strace ncurses-base

for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		{ echo "guest-image.sh: $p is not installed (make deps: scripts/deps.sh python)" >&2; exit 1; }
done
command -v mksquashfs >/dev/null ||
	{ echo "guest-image.sh: no mksquashfs (Debian: squashfs-tools; scripts/deps.sh python)" >&2; exit 1; }

mkdir -p "$cache"
# the closure of installed packages (lines without indentation are names)
pkgs=$(apt-cache depends --recurse --installed --no-recommends --no-suggests \
	--no-conflicts --no-breaks --no-replaces --no-enhances "$@" 2>/dev/null |
	grep -v -e '^ ' -e '^<' | sort -u)
# shellcheck disable=SC2086 # a list of names
key=$({ dpkg-query -W -f='${Package} ${Version}\n' $pkgs; cat "$0"; } |
	sha256sum | cut -c1-16)
img=$cache/usr-$key.sqfs
if [ -r "$img" ]; then
	echo "$img"
	exit 0
fi

exec 9> "$cache/lock"
flock 9
if [ -r "$img" ]; then
	echo "$img"
	exit 0
fi
echo "guest-image.sh: building $img from $(echo "$pkgs" | wc -l) packages" >&2
stage=$cache/stage.$$
rm -rf "$stage"
mkdir -p "$stage"
trap 'rm -rf "$stage" "$img.tmp"' EXIT

# the paths in the image, relative to /usr, with the host file each is from
# shellcheck disable=SC2086 # a list of names
dpkg-query -L $pkgs 2>/dev/null | sort -u |
	grep -E '^/(usr|lib|lib64|bin|sbin)/' |
	grep -Ev '^/usr/share/(doc|doc-base|man|info|locale|lintian|bug)/' |
while read -r f; do
	[ -L "$f" ] || [ -f "$f" ] || continue
	rel=${f#/usr/}
	rel=${rel#/}
	# Python's bytecode, made by py3compile at install, is not in dpkg's lists
	case "$f" in
	*.py)
		pyc=$(dirname "$f")/__pycache__/$(basename "$f" .py)
		for c in "$pyc".*.pyc; do
			[ -f "$c" ] && echo "$c ${c#/usr/}"
		done
		;;
	esac
	echo "$f $rel"
done | sort -u -k2,2 | while read -r src rel; do
	mkdir -p "$stage/$(dirname "$rel")"
	case "$(readlink "$src" 2>/dev/null)" in
	/etc/*) ln -sfn "$(readlink -f "$src")" "$stage/$rel" ;;
	*) cp -P --preserve=mode,timestamps "$src" "$stage/$rel" ;;
	esac
done

# Libraries that no package lists at the name programs load them by (the
# alternatives' libblas.so.3): what ldd finds for each shared object and
# program in the image, copied to the place ldd found it.
find "$stage" -type f \( -name '*.so' -o -name '*.so.*' -o -path "$stage/bin/*" \
	-o -path "$stage/sbin/*" \) | while read -r f; do
	ldd "/usr/${f#"$stage"/}" 2>/dev/null | sed -n 's|.* => \(/[^ ]*\) .*|\1|p'
done | sort -u | while read -r lib; do
	rel=${lib#/usr/}
	rel=${rel#/}
	[ -e "$stage/$rel" ] && continue
	mkdir -p "$stage/$(dirname "$rel")"
	cp -L "$lib" "$stage/$rel"
done

# zstd: every Debian kernel's squashfs reads it; level 6 keeps the build short
mksquashfs "$stage" "$img.tmp" -quiet -no-progress -comp zstd \
	-Xcompression-level 6 -all-root -noappend >&2
mv "$img.tmp" "$img"
echo "guest-image.sh: $(du -h "$img" | cut -f1) in $img" >&2
echo "$img"
