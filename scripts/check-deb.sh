#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check-deb: the .debs of make deb on a fresh Debian system (a
# chroot: Debian 12 on a Debian 12 host), the way a user installs them.
# Prints TAP, then one "N passed, N failed" line; exits 1 when anything
# failed. Needs root.
#
#   1. the five packages installed with apt-get (dkms comes as a dependency)
#      while no kernel headers are there: DKMS only registers the source;
#      the Python binding imports, linked to the packaged library;
#   2. linux-headers-cloud-amd64 installed, as a kernel upgrade would:
#      DKMS's kernel hook builds the module, `dkms status` shows it; the
#      installed header, .pc and libraries build a program;
#   3. the selftests and the userspace tests in the VM on that DKMS-built
#      module, with the packaged library and CLI, booting the kernel of
#      the same release (unpacked into the cache, fetched when missing);
#   4. apt-get purge of the five: nothing they put there is left.
#
# The bare chroot (debootstrap from the mirror the host's apt sources
# name, plus the .debs of dkms, python3 and the headers, downloaded, not
# installed) is cached as a tarball in $SHMR_CACHE/chroot/ (default
# ~/.cache/shmregion), rebuilt when the sources or $deps change or after
# SHMR_CHROOT_DAYS (7) days; a warm run needs no network.
#
# The chroot is of the host's Debian release (SHMR_DEB_SUITE overrides it):
# the packages need the C library they were built with.
#
# Environment (packaging/deb.mk sets it): DEBS (the .debs' directory),
# BUILD, PAYLOAD (make payload's VM payload), SHMR_VERSION. SHMR_KEEP_CHROOT=1
# keeps the chroot (in $BUILD/deb-chroot) for a look afterwards.
set -eu
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
: "${DEBS:?}" "${BUILD:?}" "${PAYLOAD:?}" "${SHMR_VERSION:?}"
cache=${SHMR_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/shmregion}
# The host's release (Debian 12: bookworm), whose C library the packages
# were built against; SHMR_DEB_SUITE names another.
suite=${SHMR_DEB_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}
pkgs="shmregion-dkms libshmregion0 libshmregion-dev shmregion-utils python3-shmregion"
# Installed before the packages (dkms and python3, which they pull in
# anyway, and what the build test needs); the headers come after them.
deps="dkms python3 pkgconf libc6-dev"
headers=linux-headers-cloud-amd64
root=$BUILD/deb-chroot
mv=shmregion/$SHMR_VERSION

# shellcheck source=scripts/tap.sh
. "$here/tap.sh"
finish() {
	tap_summary && exit 0
	exit 1
}

# --- the chroot -----------------------------------------------------------
in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
apt_root() {
	in_root apt-get -q -y -o Dpkg::Use-Pty=0 --no-install-recommends "$@"
}
# apt_logged ARGS...: apt_root, its output in $BUILD/deb-apt.log; shows
# what DKMS said, and the end of the log when apt failed
apt_logged() {
	local rc=0
	apt_root "$@" > "$BUILD/deb-apt.log" 2>&1 || rc=$?
	grep -iE 'dkms|module build|building|installing to|deleting' "$BUILD/deb-apt.log" |
		grep -vE '^(Get:|Selecting|Preparing|Unpacking|Setting up|Building dependency|  )' || :
	[ "$rc" -eq 0 ] || tail -n 30 "$BUILD/deb-apt.log"
	return "$rc"
}
# /proc for dkms and apt; /sys read-only. /dev is the chroot's own
# (debootstrap's device nodes): no bind mount of the host's /dev, which a
# removal of the chroot could reach.
mount_root() {
	mount -t proc proc "$root/proc"
	mount -t sysfs -o ro sysfs "$root/sys"
}
umount_root() {
	local m
	for m in "$root/sys" "$root/proc"; do
		mountpoint -q "$m" 2>/dev/null && { umount "$m" || umount -l "$m"; }
	done
	return 0
}
remove_root() {
	umount_root
	if findmnt -rn -o TARGET | grep -q "^$root/"; then
		echo "check-deb.sh: something is still mounted under $root; not removing it" >&2
		return 1
	fi
	rm -rf --one-file-system "$root"
}
cleanup() {
	umount_root
	if [ -n "${SHMR_KEEP_CHROOT:-}" ]; then
		echo "# the chroot is kept in $root" >&2
	else
		remove_root || :
	fi
}

# The Debian archive and its security archive, as the host's apt names
# them (deb lines, component main); never a host name of our own.
host_sources() {
	apt-get indextargets --format '$(TARGET_OF) $(REPO_URI) $(RELEASE) $(COMPONENT)' \
		'Identifier: Packages' 2>/dev/null | awk '$1 == "deb" && $4 == "main"'
}
chroot_sources() {
	local list mirror security
	list=$(host_sources)
	mirror=$(echo "$list" | awk '$3 !~ /-/ {print $2; exit}')
	security=$(echo "$list" | awk '$3 ~ /-security$/ {print $2; exit}')
	[ -n "$mirror" ] || return 1
	echo "deb $mirror $suite main"
	echo "deb $mirror $suite-updates main"
	[ -z "$security" ] || echo "deb $security $suite-security main"
}

# make_tarball TAR SOURCES: debootstrap into $root, the apt sources, the
# debs of $deps and $headers downloaded, the kernel of those headers
# unpacked into the cache; then $root is tarred and removed.
make_tarball() {
	local tar=$1 sources=$2 mirror proxy rel
	mirror=$(echo "$sources" | awk 'NR == 1 {print $2}')
	# apt's proxy, if the host has one, for debootstrap too
	proxy=$(apt-config dump --format '%v%n' Acquire::http::Proxy 2>/dev/null | head -n 1)
	remove_root
	mkdir -p "$root"
	echo "debootstrap --variant=minbase $suite from the host's mirror"
	${proxy:+env http_proxy=$proxy} debootstrap --variant=minbase "$suite" "$root" "$mirror" \
		> "$BUILD/deb-debootstrap.log" 2>&1 ||
		{ tail -n 20 "$BUILD/deb-debootstrap.log"; return 1; }
	echo "$sources" > "$root/etc/apt/sources.list"
	[ -z "$proxy" ] || echo "Acquire::http::Proxy \"$proxy\";" > "$root/etc/apt/apt.conf.d/01proxy"
	# no daemons started by maintainer scripts
	printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || :
	mount_root
	echo "apt-get update; apt-get install --download-only $deps $headers"
	{ apt_root update && apt_root install --download-only $deps $headers; } \
		> "$BUILD/deb-chroot-apt.log" 2>&1 ||
		{ umount_root; tail -n 20 "$BUILD/deb-chroot-apt.log"; return 1; }
	rel=$(cd "$root/var/cache/apt/archives" && ls linux-headers-[0-9]*-cloud-amd64_*.deb |
		sed 's/^linux-headers-\(.*\)_.*_.*\.deb$/\1/' | sort -V | tail -n 1)
	fetch_kernel "$rel" || { umount_root; return 1; }
	umount_root
	mkdir -p "$(dirname "$tar")"
	tar -C "$root" -cf - . | zstd -q -T0 -3 > "$tar.tmp"
	mv "$tar.tmp" "$tar"
	echo "$(du -h "$tar" | cut -f1) in $tar"
	remove_root
}

# --- the kernel the VM boots: the headers' release, unpacked --------------
# fetch_kernel REL: $cache/kernels/REL/boot/vmlinuz-REL and lib/modules/REL,
# the layout of the other cached kernels. scripts/fetch-kernel.sh, where
# there is one, fetches the newest kernel of the series (image and
# headers); when that is not REL, linux-image-REL is downloaded with the
# chroot's apt and its image and modules unpacked (no headers: the
# module is built in the chroot). Called when the tarball is made, so
# that the image comes from the same package lists as the headers.
fetch_kernel() {
	local rel=$1 dir=$cache/kernels/$1 flav series got
	have_kernel() { [ -r "$dir/boot/vmlinuz-$rel" ] && [ -r "$dir/lib/modules/$rel/modules.dep" ]; }
	have_kernel && return 0
	flav=${rel%-amd64}
	flav=${flav##*-}
	series=$(echo "$rel" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
	if [ -x "$here/fetch-kernel.sh" ]; then
		got=$(SHMR_CACHE=$cache "$here/fetch-kernel.sh" image "$series" "$flav") || got=
		[ "$got" != "$dir" ] || { have_kernel && return 0; }
	fi
	echo "fetching linux-image-$rel into $dir"
	mkdir -p "$root/tmp/kernel-debs" "$cache/kernels"
	in_root sh -c "cd /tmp/kernel-debs && apt-get -q download linux-image-$rel" ||
		{ echo "no linux-image-$rel: remove $cache/chroot/ to start afresh"; return 1; }
	(
		flock 9
		have_kernel && exit 0
		rm -rf "$dir.new"
		mkdir -p "$dir.new"
		dpkg-deb -x "$root"/tmp/kernel-debs/linux-image-"$rel"_*.deb "$dir.new"
		depmod -b "$dir.new" "$rel"
		rm -rf "$dir"
		mv -T "$dir.new" "$dir"
	) 9> "$cache/kernels/.lock"
	rm -rf "$root/tmp/kernel-debs"
	have_kernel
}

# --- start ----------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
	tap_header
	tap_not_ok "check-deb needs root (debootstrap, chroot, dpkg)"
	finish
fi
"$here/deps.sh" deb >&2
tap_header
t0=$(date +%s)

sources=$(chroot_sources) || {
	tap_not_ok "no Debian archive with a main component in the host's apt sources"
	finish
}
echo "# the chroot's apt sources (from the host's):"
echo "$sources" | tap_comment
key=$( { echo "$sources"; echo "$deps $headers"; echo v1; } | sha256sum | cut -c1-12)
tar=$cache/chroot/$suite-$key.tar.zst
if [ -r "$tar" ] && [ -n "$(find "$tar" -mtime -"${SHMR_CHROOT_DAYS:-7}")" ]; then
	echo "# the bare chroot from the cache: $tar"
else
	trap cleanup EXIT
	trap 'exit 130' INT TERM HUP
	tap_check "a bare $suite chroot made and cached ($(basename "$tar"))" make_tarball "$tar" "$sources"
	[ "$tap_rc" -eq 0 ] || finish
	# older tarballs of the same suite are replaced by this one
	find "$cache/chroot" -name "$suite-*.tar.zst" ! -name "$(basename "$tar")" -delete
fi

remove_root
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
mkdir -p "$root"
tar -C "$root" -I zstd -xf "$tar"
mount_root
echo "# chroot ready in $(($(date +%s) - t0)) s"

# 1. the packages, with no kernel headers installed
debs=()
for p in $pkgs; do
	f=$(ls "$DEBS/${p}_${SHMR_VERSION}-"*.deb 2>/dev/null | head -n 1)
	[ -n "$f" ] || { tap_not_ok "no $p .deb in $DEBS"; finish; }
	debs+=("$f")
done
mkdir -p "$root/tmp/debs"
cp "${debs[@]}" "$root/tmp/debs/"
in_debs=()
for f in "${debs[@]}"; do
	in_debs+=("/tmp/debs/$(basename "$f")")
done
tap_check "apt-get install $deps (from the cache)" apt_logged install $deps
# Everything on the system but its package database, before ours.
snapshot() {
	in_root find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp \
		-o -path /run -o -path /var/cache -o -path /var/log -o -path /var/lib/apt \
		-o -path /var/lib/dpkg \) -prune -o -print | sort
}
snapshot > "$BUILD/deb-before.list"
tap_check "apt-get install the five packages: ${pkgs}" \
	apt_logged install "${in_debs[@]}"
for p in $pkgs; do
	in_root dpkg-query -L "$p" 2>/dev/null
done | sort -u > "$BUILD/deb-files.list"
tap_check "dkms knows $mv (added, no kernel yet)" \
	sh -c "chroot '$root' dkms status '$mv' | grep -E '^$mv(: |,.*: )added'"
tap_check "the library is in ld.so's cache" \
	sh -c "chroot '$root' ldconfig -p | grep -F 'libshmregion.so.0 '"
tap_check "shmregion --version says $SHMR_VERSION" \
	sh -c "chroot '$root' shmregion --version | grep -F '$SHMR_VERSION'"
tap_check "pkg-config --modversion shmregion is $SHMR_VERSION" \
	sh -c "[ \"\$(chroot '$root' pkg-config --modversion shmregion)\" = '$SHMR_VERSION' ]"
cat > "$root/tmp/pc-test.c" <<'EOF'
#include <libshmregion.h>
#include <linux/shmregion.h>
int main(void) { return shmr_unlink("pc-test") == 0; }
EOF
tap_check "a program builds with pkg-config's flags (shared and static)" \
	in_root sh -c 'cd /tmp && cc -Wall -Werror -o pc-test pc-test.c $(pkg-config --cflags --libs shmregion) &&
		ldd pc-test | grep -q libshmregion.so.0 &&
		cc -Wall -Werror -static -o pc-test-static pc-test.c $(pkg-config --cflags --libs --static shmregion)'
# The binding is Debian's python3's, linked to the packaged library (not
# built into the extension), and says what a missing module means.
tap_check "python3 imports shmregion from dist-packages, its extension linked to libshmregion.so.0" \
	in_root sh -c 'd=$(python3 -c "import os, shmregion; print(os.path.dirname(shmregion.__file__))") &&
		l=$(ldd "$d"/_shmregion.cpython-*.so) &&
		[ "$d" = /usr/lib/python3/dist-packages/shmregion ] &&
		echo "$l" | grep -Eq "libshmregion\.so\.0 => (/usr)?/lib/" ||
		{ echo "shmregion in ${d:-?}, linked to:"; echo "${l:-?}"; exit 1; }'
tap_check "shmregion.Region.attach() with no /dev/shmregion raises OSError(ENODEV)" \
	in_root python3 -c 'import errno, shmregion
try:
    shmregion.Region.attach("deb-test")
except OSError as e:
    raise SystemExit(e.errno != errno.ENODEV)
raise SystemExit(1)'

# 2. a kernel's headers arrive: DKMS builds the module for it
tap_check "apt-get install $headers (DKMS's kernel hook builds $mv)" apt_logged install $headers
krel=$(ls "$root/lib/modules" | sort -V | tail -n 1)
status=$(chroot "$root" dkms status "$mv" -k "$krel" 2>&1)
echo "# dkms status: $status"
case "$status" in
"$mv, $krel, "*": installed"*) tap_ok "dkms status: $mv installed for $krel" ;;
*) tap_not_ok "dkms status does not show $mv installed for $krel"
   tail -n 30 "$root/var/lib/dkms/$mv/build/make.log" 2>/dev/null | tap_comment ;;
esac
ko=$(chroot "$root" modinfo -k "$krel" -n shmregion 2>/dev/null || :)
case "$ko" in
"/lib/modules/$krel/updates/dkms/shmregion.ko"|"/lib/modules/$krel/updates/dkms/shmregion.ko."[gxz]*)
	tap_ok "modprobe's index finds $ko" ;;
*) tap_not_ok "modinfo -k $krel -n shmregion gives '$ko', not updates/dkms/shmregion.ko" ;;
esac
# A user who has headers already, installing the package: its postinst
# builds for every kernel there (prerm first removes it from DKMS).
dkms_deb=${in_debs[0]}
tap_check "apt-get install --reinstall shmregion-dkms (postinst builds for $krel)" \
	apt_logged install --reinstall "$dkms_deb"
status=$(chroot "$root" dkms status "$mv" -k "$krel" 2>&1)
echo "# dkms status: $status"
case "$status" in
"$mv, $krel, "*": installed"*) tap_ok "dkms status: $mv installed for $krel again" ;;
*) tap_not_ok "dkms status does not show $mv installed for $krel after the reinstall" ;;
esac
v=$(chroot "$root" modinfo -F version "$ko" 2>/dev/null || :)
if [ "$v" = "$SHMR_VERSION" ]; then
	tap_ok "the module's version is $SHMR_VERSION"
else
	tap_not_ok "the module's version is '$v', not $SHMR_VERSION"
fi

# 3. the VM: the DKMS-built module, the packaged library and CLI
kmod=$BUILD/deb-shmregion.ko
vpayload=$BUILD/payload-deb
rm -rf "$vpayload"
# the VM's insmod takes a plain .ko: undo DKMS's compression, if any
unpack_ko() {
	case "$1" in
	*.xz) xz -dc "$1" ;;
	*.zst) zstd -qdc "$1" ;;
	*.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac > "$2"
}
if [ -f "$root$ko" ] && unpack_ko "$root$ko" "$kmod" && cp -a "$PAYLOAD" "$vpayload"; then
	rm -f "$vpayload"/lib/libshmregion.so*
	cp -P "$root"/usr/lib/*/libshmregion.so.0* "$vpayload/lib/"
	cp "$root/usr/bin/shmregion" "$vpayload/bin/shmregion"
	tap_check "kernel $krel unpacked in $cache/kernels/$krel" fetch_kernel "$krel"
	k=$cache/kernels/$krel
	tap_fold "$BUILD/vm-deb.log" env KERNEL="$k/boot/vmlinuz-$krel" MODULE="$kmod" \
		PAYLOAD="$vpayload" WORK="$BUILD/vm-deb" KMODDIR="$k/lib/modules/$krel" \
		"$here/vm.sh" check
else
	tap_not_ok "no VM run: no DKMS-built module"
fi

# 4. purge: nothing of ours is left
tap_check "apt-get purge the five packages" apt_logged purge $pkgs
tap_check "dpkg knows none of them any more" \
	sh -c "! chroot '$root' dpkg-query -W -f='\${db:Status-Abbrev} \${Package}\n' $pkgs 2>/dev/null | grep -v '^un '"
tap_check "dkms status has no shmregion" sh -c "! chroot '$root' dkms status shmregion | grep ."
tap_check "no /usr/src/shmregion-*, no /var/lib/dkms/shmregion" \
	sh -c "! ls -d '$root'/usr/src/shmregion-* '$root/var/lib/dkms/shmregion' 2>/dev/null"
tap_check "no shmregion.ko under /lib/modules, modprobe's index has none" \
	sh -c "! find '$root/lib/modules' -name 'shmregion.ko*' | grep . &&
		! chroot '$root' modinfo -k '$krel' -n shmregion"
left=$(while read -r f; do
	[ "$f" != /. ] || continue
	[ -e "$root$f" ] || [ -L "$root$f" ] || continue
	[ -d "$root$f" ] && [ ! -L "$root$f" ] && grep -qx -- "$f" "$BUILD/deb-before.list" && continue
	echo "$f"
done < "$BUILD/deb-files.list")
if [ -z "$left" ]; then
	tap_ok "none of the packages' $(wc -l < "$BUILD/deb-files.list") paths is left (udev rule, libraries, headers, man pages, ...)"
else
	tap_not_ok "files of the packages are left:"
	echo "$left" | tap_comment
fi
# New since before the install, belonging to no package: what a
# maintainer script made and did not take away. depmod's indexes for the
# headers' kernel and the key DKMS signs modules with are dkms's. dpkg
# names /lib, /bin, /sbin files as packaged; on disk they are in /usr.
owned=$BUILD/deb-owned.list
cat "$root"/var/lib/dpkg/info/*.list | sed -E 's#^/(lib|lib64|bin|sbin)(/|$)#/usr/\1\2#' |
	sort -u > "$owned"
new=$(snapshot | comm -13 "$BUILD/deb-before.list" - | comm -23 - "$owned" |
	grep -Ev "^/usr/lib/modules/$krel/modules\.[a-z.]+$|^/var/lib/dkms/mok\.(key|pub)$" || :)
if [ -z "$new" ]; then
	tap_ok "nothing new on the system after the purge but the headers' packages and depmod's indexes"
else
	tap_not_ok "left behind after the purge:"
	echo "$new" | tap_comment
fi
echo "# check-deb took $(($(date +%s) - t0)) s"
finish
