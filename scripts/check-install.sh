#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check-install: shmregion installed like any other driver.
# `make install DESTDIR=<tree> PREFIX=/usr/local` checked on the host,
# then in the VM modprobe from that tree and the installed CLI
# (scripts/guest-install-test.sh), then `make uninstall`. Prints TAP,
# then "N passed, N failed"; exits 1 when anything failed.
#
# Environment (scripts/install.mk sets it): KDIR, KERNEL, BUILD,
# SHMR_MAKE (make -C <top> with KDIR and BUILD).
set -euo pipefail

: "${KDIR:?}" "${KERNEL:?}" "${BUILD:?}" "${SHMR_MAKE:?}"
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/tap.sh"
MODINFO=/sbin/modinfo
version=$(cat "$top/VERSION")
krel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$KDIR/include/generated/utsrelease.h")
[ -n "$krel" ] || { echo "check-install.sh: no kernel release in $KDIR" >&2; exit 1; }
root=$BUILD/install-root
prefix=/usr/local
rules=$root$prefix/lib/udev/rules.d/70-shmregion.rules

# rules_parse FILE: every rule line is KEY op "value" pairs, comma-separated
# (udev(7)); udevadm verify (systemd 254 and later) checks more, when here.
rules_parse() {
	local pair='[A-Z_]+(\{[^}]*\})? *(==|!=|\+=|-=|:=|=) *"[^"]*"'
	if grep -vE '^[[:space:]]*(#|$)' "$1" | grep -vE "^ *$pair( *, *$pair)* *,? *$"; then
		echo "not a udev rule (above)"
		return 1
	fi
	if command -v udevadm >/dev/null && udevadm verify --help >/dev/null 2>&1; then
		udevadm verify "$1"
	fi
}

tap_header
rm -rf "$root"
tap_check "make install DESTDIR=$root PREFIX=$prefix" \
	$SHMR_MAKE -s install DESTDIR="$root" PREFIX="$prefix"
echo "# the installed tree:"
(cd "$root" && find . -type f -o -type l | sort | sed 's/^\./#   /')

ko=$root/lib/modules/$krel/extra/module/shmregion.ko
tap_check "module installed as lib/modules/$krel/extra/module/shmregion.ko" test -f "$ko"
tap_check "depmod -b lists it in modules.dep" \
	grep -q '^extra/module/shmregion.ko:' "$root/lib/modules/$krel/modules.dep"
tap_check "modinfo -b finds it by name" $MODINFO -b "$root" -k "$krel" -n shmregion
tap_check "uapi header at $prefix/include/linux/shmregion.h" \
	cmp "$top/include/uapi/linux/shmregion.h" "$root$prefix/include/linux/shmregion.h"
tap_check "installed uapi header compiles alone (c90)" \
	sh -c "echo '#include <linux/shmregion.h>' |
		${CC:-cc} -std=c90 -Wall -Werror -fsyntax-only -I'$root$prefix/include' -x c -"
tap_check "udev rule at $prefix/lib/udev/rules.d/70-shmregion.rules" \
	cmp "$top/packaging/udev/70-shmregion.rules" "$rules"
tap_check "the udev rule parses" rules_parse "$rules"
tap_check "the udev rule gives /dev/shmregion mode 0666" \
	grep -qE '^[^#]*KERNEL=="shmregion".*MODE="0666"' "$rules"
tap_check "modules-load.d snippet names shmregion" \
	grep -qx shmregion "$root$prefix/lib/modules-load.d/shmregion.conf"

if [ -f "$top/userspace/Makefile" ]; then
	# every installed .pc gives flags that build and link a program
	npc=0
	for pc in "$root$prefix"/lib/pkgconfig/*.pc "$root$prefix"/lib/*/pkgconfig/*.pc; do
		[ -f "$pc" ] || continue
		npc=$((npc + 1))
		name=$(basename "$pc" .pc)
		pkgconf="env PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_LIBDIR=$(dirname "$pc") pkg-config"
		# every installed header, then a program linked with --libs
		prog=$BUILD/pc-$name.c
		for h in "$root$prefix"/include/*.h; do
			[ -f "$h" ] && echo "#include <${h##*/}>"
		done > "$prog"
		echo 'int main(void) { return 0; }' >> "$prog"
		tap_check "pkg-config $name: the installed headers compile and the library links" \
			sh -c "flags=\$($pkgconf --cflags --libs '$name') &&
				${CC:-cc} -Wall -Werror '$prog' -o '$BUILD/pc-$name' -Wl,--no-as-needed \$flags"
		v=$($pkgconf --modversion "$name" 2>&1) || :
		tap_run "pkg-config $name: version '$v' is VERSION's ($version)" \
			test "$v" = "$version"
	done
	tap_run "a pkg-config file is installed" test "$npc" -gt 0
	for d in bin share/man; do
		tap_run "userspace installs into $prefix/$d" \
			test -n "$(find "$root$prefix/$d" -type f 2>/dev/null)"
	done
fi

# The VM: guest-install-test.sh alone, on the installed module (the
# selftests run in make check and check-dkms).
ipayload=$BUILD/payload-install
rm -rf "$ipayload"
mkdir -p "$ipayload/install"
cp -a "$root" "$ipayload/install/root"
cp "$here/guest-install-test.sh" "$ipayload/install/install_test.sh"
echo "install/install_test.sh" > "$ipayload/tests.list"
if [ -f "$ko" ]; then
	tap_fold "$BUILD/vm-install.log" env KERNEL="$KERNEL" MODULE="$ko" \
		PAYLOAD="$ipayload" WORK="$BUILD/vm-install" HOSTBINS="modprobe modinfo" \
		KMODDIR="$(dirname "$KDIR")" "$here/vm.sh" check
else
	tap_not_ok "no VM run: nothing installed"
fi

tap_check "make uninstall DESTDIR=$root PREFIX=$prefix" \
	$SHMR_MAKE -s uninstall DESTDIR="$root" PREFIX="$prefix"
left=$(cd "$root" && find . -type f -o -type l | grep -v "^\./lib/modules/$krel/modules\." | sort) || :
if [ -z "$left" ]; then
	tap_ok "make uninstall leaves only depmod's indexes"
else
	tap_not_ok "make uninstall left files behind:"
	printf '%s\n' "$left" | tap_comment
fi
tap_check "modules.dep no longer lists shmregion" \
	sh -c "! grep -q shmregion '$root/lib/modules/$krel/modules.dep'"
tap_summary
