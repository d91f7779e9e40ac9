#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fetch a Debian kernel (image, modules, headers) or a Debian kernel
# source tarball into the cache, never installing anything into the host.
#
#   scripts/fetch-kernel.sh image KVER FLAVOUR   unpack linux-image-FLAVOUR-amd64
#                           of series KVER (6.1, 6.12, ...); print its directory
#   scripts/fetch-kernel.sh source [KVER]        print a linux-source-KVER
#                           tarball (default: the newest the machine has
#                           or its apt sources offer), downloading it if needed
#   scripts/fetch-kernel.sh source-version [KVER]  its Debian version only
#   scripts/fetch-kernel.sh default-kver         the host distribution's series
#
# Images: the metapackage (linux-image-cloud-amd64, linux-image-rt-amd64)
# (linux-image-KVER-FLAVOUR-amd64 when the suite has one) is resolved
# with apt-cache to linux-image-<release>, its headers, their
# -common and linux-kbuild-X packages, which `apt-get download` fetches
# and `dpkg-deb -x` unpacks into
#
#   $SHMR_CACHE/kernels/<release>/   boot/vmlinuz-<release>
#                                    lib/modules/<release>/{build,...}
#                                    usr/src/linux-headers-*, usr/lib/linux-kbuild-*
#
# with the headers' `include /usr/src/...` and every absolute symlink
# pointed into the cache and `depmod -b` run there.  The suites searched
# are the host's own (its apt configuration as it is), then, through a
# private apt configuration (scripts/apt-suite.sh), those that carry the
# series: 6.1 bookworm; 6.12 bookworm-backports, trixie; anything else
# sid, experimental (SHMR_SUITES overrides the list).  Offline, the newest
# release already unpacked for the series and flavour is used.
# SHMR_CACHE defaults to ${XDG_CACHE_HOME:-~/.cache}/shmregion.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=${SHMR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shmregion}
apts=$here/apt-suite.sh

say() { echo "fetch-kernel: $*" >&2; }
die() { say "$*"; exit 1; }

# the series (major.minor) of a Debian version: 6.12.95-1~bpo12+1 -> 6.12,
# 7.3~rc7-1 -> 7.3
series() { echo "$1" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/'; }

host_codename() { (. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}"); }

suites() {
	local_cn=$(host_codename)
	echo host
	if [ -n "${SHMR_SUITES:-}" ]; then
		list=$SHMR_SUITES
	else
		case "$1" in
		6.1) list="bookworm" ;;
		6.12) list="bookworm-backports trixie" ;;
		*) list="sid experimental" ;;
		esac
	fi
	for s in $list; do
		[ "$s" = "$local_cn" ] || echo "$s"
	done
}

# field F of package P's candidate in suite S (empty when there is none)
field() {
	"$apts" "$1" apt-cache show --no-all-versions "$2" 2>/dev/null |
		sed -n "s/^$3: //p" | head -n 1
}

# apt-get download PKGS... in suite S into directory D, then unpack them into U
download() {
	dl_s=$1 dl_d=$2 dl_u=$3
	shift 3
	mkdir -p "$dl_d" "$dl_u"
	say "downloading from $dl_s: $*"
	(cd "$dl_d" && "$apts" "$dl_s" apt-get -q download "$@" >&2) ||
		{ [ "$dl_s" = host ] || "$apts" "$dl_s" update; (cd "$dl_d" && "$apts" "$dl_s" apt-get -q download "$@" >&2); } ||
		die "apt-get download from $dl_s failed"
	for deb in "$dl_d"/*.deb; do
		dpkg-deb -x "$deb" "$dl_u"
	done
	rm -f "$dl_d"/*.deb
}

# --- images -------------------------------------------------------------
# "suite release" of the newest image of series KVER, flavour F
resolve_image() {
	for s in $(suites "$1"); do
		# the series' own metapackage (Debian 12 carries 6.12 as
		# linux-image-6.12-cloud-amd64), else the suite's default
		for meta in "linux-image-$1-$2-amd64" "linux-image-$2-amd64"; do
			dep=$(field "$s" "$meta" Depends)
			pkg=$(echo "$dep" | tr ',' '\n' | sed -n 's/^ *\(linux-image-[^ ]*\).*/\1/p' | head -n 1)
			[ -n "$pkg" ] || continue
			v=$(field "$s" "$pkg" Version)
			if [ "$(series "$v")" = "$1" ]; then
				echo "$s ${pkg#linux-image-}"
				return 0
			fi
		done
	done
	return 1
}

# Point the headers' absolute references into the unpacked tree U (whose
# final place is K), make absolute symlinks relative, build modules.dep.
fixup() {
	u=$1 k=$2 rel=$3
	# merged /usr (Debian 13's packages): lib is usr/lib, as on the system
	[ -e "$u/lib" ] || [ ! -d "$u/usr/lib/modules" ] || ln -s usr/lib "$u/lib"
	for mk in "$u"/usr/src/linux-headers-*/Makefile; do
		sed -i "s|^include /usr/src/|include $k/usr/src/|" "$mk"
	done
	find "$u" -type l | while read -r l; do
		t=$(readlink "$l")
		case "$t" in
		/*) ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$u$t")" "$l" ;;
		esac
	done
	[ -e "$u/lib/modules/$rel/build" ] ||
		ln -sfn "../../../usr/src/linux-headers-$rel" "$u/lib/modules/$rel/build"
	# a fresh machine may lack kmod (depmod): deps.sh base installs it
	[ -x /sbin/depmod ] || command -v depmod >/dev/null 2>&1 ||
		"$here/deps.sh" >&2 || die "no depmod (Debian: kmod)"
	/sbin/depmod -b "$u" "$rel" 2>/dev/null || depmod -b "$u" "$rel"
}

fetch_image() {
	kver=$1 flav=$2
	case "$flav" in
	cloud|rt) ;;
	*) die "unknown flavour '$flav' for a Debian image (cloud, rt)" ;;
	esac
	if ! r=$(resolve_image "$kver" "$flav"); then
		# offline or gone from the archive: the newest one unpacked
		old=$(ls -d "$cache/kernels/$kver".*"-$flav-amd64/.shmr-fetched" \
			"$cache/kernels/$kver".*"+"*"-$flav-amd64/.shmr-fetched" 2>/dev/null |
			sort -V | tail -n 1)
		[ -n "$old" ] || die "no linux-image-$flav-amd64 of series $kver in the suites $(suites "$kver" | tr '\n' ' ')"
		say "no $kver $flav image in the apt sources: using the unpacked $(dirname "$old")"
		dirname "$old"
		return 0
	fi
	s=${r%% *} rel=${r#* }
	k=$cache/kernels/$rel
	if [ -f "$k/.shmr-fetched" ]; then
		echo "$k"
		return 0
	fi
	mkdir -p "$cache/kernels"
	exec 9>"$cache/kernels/.lock"
	flock 9
	if [ -f "$k/.shmr-fetched" ]; then
		echo "$k"
		return 0
	fi
	hdr=linux-headers-$rel
	pkgs="linux-image-$rel $hdr"
	for dep in $(field "$s" "$hdr" Depends | tr ',' '\n' | sed -n 's/^ *\(linux-\(headers\|kbuild\)-[^ ]*\).*/\1/p'); do
		pkgs="$pkgs $dep"
	done
	# The headers build with the kernel's own compiler (gcc-N).
	cc=$(field "$s" "$hdr" Depends | tr ',' '\n' | sed -n -E 's/^ *(linux-compiler-)?(gcc-[0-9]+)([- ].*)?$/\2/p' | head -n 1)
	if [ -n "$cc" ] && ! command -v "$cc" >/dev/null 2>&1; then
		"$here/deps.sh" "$cc" >&2 ||
			say "warning: no $cc here: modules will not build for $rel"
	fi
	# unpacked by hand (or by an older version of this script): adopt it
	if [ -r "$k/boot/vmlinuz-$rel" ] && [ -r "$k/lib/modules/$rel/build/Makefile" ] &&
	   [ -r "$k/lib/modules/$rel/modules.dep" ]; then
		echo "adopted $pkgs" > "$k/.shmr-fetched"
		echo "$k"
		return 0
	fi
	say "unpacking $rel from $s into $k (not installed)"
	rm -rf "$k.tmp" "$k"
	download "$s" "$cache/debs" "$k.tmp" $pkgs
	fixup "$k.tmp" "$k" "$rel"
	[ -r "$k.tmp/boot/vmlinuz-$rel" ] || die "no boot/vmlinuz-$rel in linux-image-$rel"
	echo "$s $pkgs" > "$k.tmp/.shmr-fetched"
	mv "$k.tmp" "$k"
	echo "$k"
}

# --- kernel source --------------------------------------------------------
# "suite package version" of linux-source-KVER: the installed package when
# the machine has one, else the suites for KVER; without KVER, the newest
# the machine has, else what the host's `linux-source` metapackage names.
resolve_source() {
	if [ -z "${1:-}" ]; then
		p=$(dpkg-query -W -f='${Status} ${Package}\n' 'linux-source-[0-9]*' 2>/dev/null |
			sed -n 's/^install ok installed //p' | sort -V | tail -n 1)
		if [ -z "$p" ]; then
			p=$(field host linux-source Depends | sed -n 's/^ *\(linux-source-[0-9.]*\).*/\1/p')
			[ -n "$p" ] || p=$(apt-cache pkgnames linux-source- 2>/dev/null | grep -E '^linux-source-[0-9.]+$' | sort -V | tail -n 1)
		fi
		[ -n "$p" ] || return 1
		set -- "${p#linux-source-}"
	fi
	p=linux-source-$1
	v=$(dpkg-query -W -f='${Status} ${Version}\n' "$p" 2>/dev/null | sed -n 's/^install ok installed //p')
	if [ -n "$v" ] && [ -r "/usr/src/$p.tar.xz" ]; then
		echo "installed $p $v"
		return 0
	fi
	for s in $(suites "$1"); do
		v=$(field "$s" "$p" Version)
		[ -n "$v" ] && { echo "$s $p $v"; return 0; }
	done
	return 1
}

fetch_source() {
	r=$(resolve_source "${1:-}") || die "no linux-source-${1:-*} in the suites $(suites "${1:-}" | tr '\n' ' ')"
	set -- $r
	s=$1 p=$2 v=$3
	if [ "$s" = installed ]; then
		echo "/usr/src/$p.tar.xz"
		return 0
	fi
	d=$cache/src/${p}_$v
	if [ ! -f "$d/.shmr-fetched" ]; then
		mkdir -p "$cache/src"
		exec 8>"$cache/src/.lock"
		flock 8
		if [ ! -f "$d/.shmr-fetched" ]; then
			rm -rf "$d"
			download "$s" "$cache/debs" "$d" "$p=$v"
			# the tarball is all that is kept
			find "$d" -name "$p.tar.*" -exec mv {} "$d/" \;
			rm -rf "$d/usr"
			echo "$s $p $v" > "$d/.shmr-fetched"
			# older versions of the same package are not needed
			for o in "$cache/src/${p}"_*; do
				[ "$o" = "$d" ] || rm -rf "$o"
			done
		fi
	fi
	ls "$d/$p".tar.* | head -n 1
}

case "${1:-}" in
image) fetch_image "${2:?KVER}" "${3:-cloud}" ;;
source) fetch_source "${2:-}" ;;
source-version)
	r=$(resolve_source "${2:-}") || die "no linux-source-${2:-*} in the suites"
	echo "${r##* }"
	;;
default-kver)
	v=$(field host linux-image-amd64 Version)
	[ -n "$v" ] || die "apt-cache knows no linux-image-amd64: give KVER= (or KDIR= and KERNEL=)"
	series "$v"
	;;
*) echo "usage: $0 image KVER FLAVOUR | source [KVER] | source-version [KVER] | default-kver" >&2; exit 2 ;;
esac
