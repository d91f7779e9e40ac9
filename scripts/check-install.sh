#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Check shmregion installed like a driver; prints TAP, then one
# "N passed, N failed" line, and exits 1 when anything failed.
#
#   scripts/check-install.sh tree       make install DESTDIR=... checked on
#                                       the host, modprobe from that tree
#                                       (and its CLI) in the VM, then make
#                                       uninstall
#   scripts/check-install.sh dkms       dkms add/build/install for KDIR's
#                                       kernel, the selftests in the VM on
#                                       the DKMS-built module, dkms remove
#   scripts/check-install.sh modinfo KO the module's metadata
#
# Environment (scripts/install.mk sets it): KDIR, KERNEL, BUILD, PAYLOAD,
# SHMR_VERSION, SHMR_MAKE (make -C <top> with KDIR and BUILD).
set -uo pipefail

mode=${1:?usage: check-install.sh tree|dkms|modinfo KO}
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
MODINFO=/sbin/modinfo
SHMR_VERSION=${SHMR_VERSION:-$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")}

passed=0 failed=0 skipped=0
ok() {
	echo "ok - $*"
	passed=$((passed + 1))
}
not_ok() {
	echo "not ok - $*"
	failed=$((failed + 1))
}
# t NAME CMD...: run CMD (output as TAP comments) and report it
t() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/#   /'
	if [ "$rc" -eq 0 ]; then ok "$name"; else not_ok "$name (status $rc)"; fi
	return "$rc"
}
summary() {
	local line="$passed passed, $failed failed"
	[ "$skipped" -eq 0 ] || line="$line, $skipped skipped"
	echo "$line"
	[ "$failed" -eq 0 ]
	exit
}
# Run the VM on the given module and payload; fold its counts into ours.
vm_check() {
	local line p f s
	KERNEL=$KERNEL MODULE=$1 PAYLOAD=$2 WORK=$3 HOSTBINS=${4:-} \
		KMODDIR=$(dirname "$KDIR") \
		"$here/vm.sh" check 2>&1 | tee "$3.log" |
		grep -Ev '^[0-9]+ passed, [0-9]+ failed'
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$3.log" | tail -n 1)
	if [ -z "$line" ]; then
		not_ok "the VM run gave no result (see $3.log)"
		return
	fi
	p=${line%% passed*}
	f=${line#* passed, }
	f=${f%% failed*}
	s=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + ${s:-0}))
}

# --- modinfo: every field a packager and an admin look at ------------------
check_modinfo() {
	local ko=$1 field v name type
	for field in description author license version; do
		v=$($MODINFO -F "$field" "$ko" 2>/dev/null | head -n 1)
		if [ -n "$v" ]; then ok "modinfo $field: $v"; else not_ok "modinfo has no $field"; fi
	done
	v=$($MODINFO -F version "$ko" 2>/dev/null)
	if [ "$v" = "$SHMR_VERSION" ]; then
		ok "modinfo version matches dkms.conf ($SHMR_VERSION)"
	else
		not_ok "modinfo version '$v' differs from dkms.conf's '$SHMR_VERSION'"
	fi
	# parm lines are "name:description (type)", "name: (type)" when the
	# description is missing; module_param_cb() gives no type at all.
	while read -r name; do
		v=$($MODINFO -F parm "$ko" | sed -n "s/^$name://p" |
			sed -E 's/ ?\((byte|short|ushort|int|uint|long|ulong|ullong|hexint|charp|bool|invbool)\)$//')
		if [ -n "$v" ]; then
			ok "parameter $name: $v"
		else
			not_ok "parameter $name has no MODULE_PARM_DESC"
		fi
	done < <({ $MODINFO -F parm "$ko"; $MODINFO -F parmtype "$ko"; } | cut -d: -f1 | sort -u)
}

case "$mode" in
modinfo)
	ko=${2:?usage: check-install.sh modinfo KO}
	check_modinfo "$ko"
	summary
	;;
tree|dkms)
	: "${KDIR:?}" "${KERNEL:?}" "${BUILD:?}" "${PAYLOAD:?}" "${SHMR_VERSION:?}"
	krel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' \
		"$KDIR/include/generated/utsrelease.h")
	[ -n "$krel" ] || { echo "check-install.sh: no kernel release in $KDIR" >&2; exit 1; }
	;;
*)
	echo "usage: check-install.sh tree|dkms|modinfo KO" >&2
	exit 2
	;;
esac

# --- tree: make install DESTDIR=..., modprobe in the VM, make uninstall -----
if [ "$mode" = tree ]; then
	: "${SHMR_MAKE:?}"
	root=$BUILD/install-root
	prefix=/usr/local
	"$here/deps.sh" install || exit 1
	echo "TAP version 13"
	rm -rf "$root"
	t "make install DESTDIR=$root PREFIX=$prefix" \
		$SHMR_MAKE -s install DESTDIR="$root" PREFIX="$prefix"
	echo "# the installed tree:"
	(cd "$root" && find . -type f -o -type l | sort | sed 's/^\./#   /')

	ko=$root/lib/modules/$krel/extra/module/shmregion.ko
	t "module installed as lib/modules/$krel/extra/module/shmregion.ko" test -f "$ko"
	t "depmod -b lists it in modules.dep" \
		grep -q '^extra/module/shmregion.ko:' "$root/lib/modules/$krel/modules.dep"
	t "modinfo -b finds it by name" \
		$MODINFO -b "$root" -k "$krel" -n shmregion
	t "uapi header at $prefix/include/linux/shmregion.h" \
		cmp "$top/include/uapi/linux/shmregion.h" "$root$prefix/include/linux/shmregion.h"
	t "installed uapi header compiles alone (c90)" \
		sh -c "echo '#include <linux/shmregion.h>' |
			${CC:-cc} -std=c90 -Wall -Werror -fsyntax-only -I'$root$prefix/include' -x c -"
	t "udev rule at $prefix/lib/udev/rules.d/70-shmregion.rules" \
		test -f "$root$prefix/lib/udev/rules.d/70-shmregion.rules"
	t "modules-load.d snippet names shmregion" \
		grep -qx shmregion "$root$prefix/lib/modules-load.d/shmregion.conf"
	if [ -f "$top/userspace/Makefile" ]; then
		# every installed .pc gives flags that build and link a program
		pcdir=$root$prefix/lib/pkgconfig
		npc=0
		for pc in "$pcdir"/*.pc "$root$prefix"/lib/*/pkgconfig/*.pc; do
			[ -f "$pc" ] || continue
			npc=$((npc + 1))
			name=$(basename "$pc" .pc)
			# every installed header, then a program linked with --libs
			prog=$BUILD/pc-$name.c
			for h in "$root$prefix"/include/*.h; do
				[ -f "$h" ] && echo "#include <${h##*/}>"
			done > "$prog"
			echo 'int main(void) { return 0; }' >> "$prog"
			t "pkg-config $name: the installed headers compile and the library links" \
				sh -c "flags=\$(PKG_CONFIG_SYSROOT_DIR='$root' PKG_CONFIG_LIBDIR='$(dirname "$pc")' pkg-config --cflags --libs '$name') &&
					${CC:-cc} -Wall -Werror '$prog' -o '$BUILD/pc-$name' -Wl,--no-as-needed \$flags"
		done
		if [ "$npc" -gt 0 ]; then ok "a pkg-config file is installed"; else not_ok "no pkg-config file installed"; fi
		for d in bin share/man; do
			if [ -n "$(find "$root$prefix/$d" -type f 2>/dev/null)" ]; then
				ok "userspace installs into $prefix/$d"
			else
				not_ok "nothing installed into $prefix/$d"
			fi
		done
	fi

	# The VM: install_test.sh alone, on the installed module (the
	# selftests run in make check and check-dkms).
	ipayload=$BUILD/payload-install
	rm -rf "$ipayload"
	mkdir -p "$ipayload/install"
	cp -a "$root" "$ipayload/install/root"
	cp "$here/guest-install-test.sh" "$ipayload/install/install_test.sh"
	echo "install/install_test.sh" > "$ipayload/tests.list"
	if [ -f "$ko" ]; then
		vm_check "$ko" "$ipayload" "$BUILD/vm-install" "modprobe modinfo"
	else
		not_ok "no VM run: nothing installed"
	fi

	t "make uninstall DESTDIR=$root PREFIX=$prefix" \
		$SHMR_MAKE -s uninstall DESTDIR="$root" PREFIX="$prefix"
	left=$(cd "$root" && find . -type f -o -type l | grep -v "^\./lib/modules/$krel/modules\." | sort)
	if [ -z "$left" ]; then
		ok "make uninstall leaves only depmod's indexes"
	else
		not_ok "make uninstall left files behind:"
		printf '%s\n' "$left" | sed 's/^/#   /'
	fi
	t "modules.dep no longer lists shmregion" \
		sh -c "! grep -q shmregion '$root/lib/modules/$krel/modules.dep'"
	summary
fi

# --- dkms: add/build/install, the VM on the DKMS-built module, remove -------
if [ "$(id -u)" -ne 0 ]; then
	not_ok "check-dkms needs root (dkms writes /usr/src, /var/lib/dkms, /lib/modules)"
	summary
fi
if [ ! -d "/lib/modules/$krel" ]; then
	not_ok "check-dkms needs a kernel installed in /lib/modules ($krel is not; use FLAVOUR=cloud or rt)"
	summary
fi
"$here/deps.sh" dkms || { not_ok "scripts/deps.sh dkms"; summary; }

mv=shmregion/$SHMR_VERSION
src=/usr/src/shmregion-$SHMR_VERSION
cleanup() {
	if dkms status "$mv" 2>/dev/null | grep -q .; then
		dkms remove "$mv" --all >/dev/null 2>&1
	fi
	rm -rf "$src"
}
echo "TAP version 13"
if dkms status "$mv" | grep -q .; then
	echo "# removing an earlier $mv from DKMS:"
	dkms status "$mv" | sed 's/^/#   /'
fi
cleanup
trap cleanup EXIT

ksrc=()
[ -d "/lib/modules/$krel/build" ] || ksrc=(--kernelsourcedir "$KDIR")
t "stage the DKMS source in $src" $SHMR_MAKE -s dkms-src DESTDIR=
t "dkms add $mv" dkms add "$mv"
if ! t "dkms build $mv -k $krel" dkms build "$mv" -k "$krel" "${ksrc[@]}"; then
	sed 's/^/#   /' "/var/lib/dkms/$mv/build/make.log" 2>/dev/null | tail -n 40
fi
t "dkms install $mv -k $krel" dkms install "$mv" -k "$krel" "${ksrc[@]}"
status=$(dkms status "$mv" -k "$krel")
echo "# dkms status: $status"
case "$status" in
*": installed"*) ok "dkms status shows $mv installed for $krel" ;;
*) not_ok "dkms status does not show $mv installed for $krel" ;;
esac
ko=$($MODINFO -k "$krel" -n shmregion 2>/dev/null)
case "$ko" in
"/lib/modules/$krel/updates/dkms/shmregion.ko"*)
	ok "modprobe's index finds the DKMS module: $ko" ;;
*)
	not_ok "modinfo -k $krel -n shmregion gives '$ko', not updates/dkms/"
	ko=/lib/modules/$krel/updates/dkms/shmregion.ko
	;;
esac
case "$ko" in
*.ko) ;;
*) not_ok "DKMS compressed the module ($ko); the VM's insmod needs a .ko" ;;
esac
check_modinfo "$ko"
if [ -f "$ko" ]; then
	# keep a copy: dkms remove takes the file away before vm.sh is done
	cp "$ko" "$BUILD/shmregion-dkms.ko"
	vm_check "$BUILD/shmregion-dkms.ko" "$PAYLOAD" "$BUILD/vm-dkms"
else
	not_ok "no VM run: no DKMS-built module"
fi

t "dkms remove $mv --all" dkms remove "$mv" --all
t "dkms status is empty again" sh -c "! dkms status '$mv' | grep -q ."
t "the module left /lib/modules/$krel" \
	sh -c "! ls /lib/modules/$krel/updates/dkms/shmregion.ko* 2>/dev/null"
t "modprobe's index no longer has shmregion" \
	sh -c "! $MODINFO -k $krel -n shmregion"
rm -rf "$src"
trap - EXIT
summary
