#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check-dkms: dkms add/build/install of shmregion for KDIR's kernel,
# the module's metadata, the selftests in the VM on the DKMS-built
# module, then dkms remove. DKMS works in a tree of its own under
# BUILD/dkms (its source, dkms and install trees: --sourcetree,
# --dkmstree, --installtree), so that the host's /usr/src, /var/lib/dkms
# and /lib/modules are left alone and the kernel need not be installed.
# Needs root (dkms install refuses otherwise). Prints TAP, then "N
# passed, N failed[, N skipped]"; exits 1 when anything failed.
#
# Environment (scripts/install.mk sets it): KDIR, KERNEL, BUILD, PAYLOAD,
# SHMR_MAKE (make -C <top> with KDIR and BUILD).
set -euo pipefail

: "${KDIR:?}" "${KERNEL:?}" "${BUILD:?}" "${PAYLOAD:?}" "${SHMR_MAKE:?}"
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
MODINFO=/sbin/modinfo
DEPMOD=/sbin/depmod
version=$(cat "$here/../VERSION")
krel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$KDIR/include/generated/utsrelease.h")
[ -n "$krel" ] || { echo "check-dkms.sh: no kernel release in $KDIR" >&2; exit 1; }
kmoddir=$(dirname "$KDIR")
mv=shmregion/$version
root=$BUILD/dkms
src=$root/usr/src/shmregion-$version
moddir=$root/lib/modules/$krel
dkms() {
	command dkms --sourcetree "$root/usr/src" --dkmstree "$root/var/lib/dkms" \
		--installtree "$root/lib/modules" "$@"
}
not_in_dkms() {
	! dkms status "$mv" | grep .
}
# shmregion's file as modprobe on a machine with this tree would find it
find_module() {
	$MODINFO -b "$root" -k "$krel" -n shmregion
}

tap_header
if [ "$(id -u)" -ne 0 ]; then
	tap_not_ok "check-dkms needs root (dkms install refuses to run otherwise)"
	tap_summary
	exit
fi

# The tree: the kernel's module indexes (depmod -b builds on them).
rm -rf "$root"
mkdir -p "$root/var/lib/dkms" "$moddir"
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ ! -f "$kmoddir/$f" ] || cp "$kmoddir/$f" "$moddir/"
done

tap_check "stage the DKMS source in $src (make dkms-src)" \
	$SHMR_MAKE -s dkms-src DESTDIR="$root"
tap_check "dkms.conf there says PACKAGE_VERSION=\"$version\"" \
	grep -qx "PACKAGE_VERSION=\"$version\"" "$src/dkms.conf"
tap_check "dkms add $mv" dkms add "$mv"
tap_check "dkms build $mv -k $krel" dkms build "$mv" -k "$krel" --kernelsourcedir "$KDIR"
if [ "$tap_rc" -ne 0 ]; then
	tail -n 40 "$root/var/lib/dkms/$mv/build/make.log" 2>/dev/null | tap_comment
fi
tap_check "dkms install $mv -k $krel" \
	dkms install "$mv" -k "$krel" --kernelsourcedir "$KDIR" --no-depmod
tap_check "depmod -b (dkms install --no-depmod)" $DEPMOD -b "$root" "$krel"
status=$(dkms status "$mv" -k "$krel" 2>&1) || :
echo "# dkms status: $status"
case "$status" in
*": installed"*) tap_ok "dkms status shows $mv installed for $krel" ;;
*) tap_not_ok "dkms status does not show $mv installed for $krel" ;;
esac
ko=$(find_module 2>/dev/null) || :
case "$ko" in
"$moddir/updates/dkms/shmregion.ko"*)
	tap_ok "modprobe's index finds the DKMS module in updates/dkms/" ;;
*)
	tap_not_ok "modinfo -b -k $krel -n shmregion gives '$ko', not updates/dkms/"
	ko=$moddir/updates/dkms/shmregion.ko
	;;
esac
case "$ko" in
*.ko) ;;
*) tap_not_ok "DKMS compressed the module ($ko); the VM's insmod needs a .ko" ;;
esac
tap_fold "$BUILD/modinfo-dkms.log" "$here/check-modinfo.sh" "$ko"
if [ -f "$ko" ]; then
	# a copy: dkms remove takes the file away
	cp "$ko" "$BUILD/shmregion-dkms.ko"
	tap_fold "$BUILD/vm-dkms.log" env KERNEL="$KERNEL" MODULE="$BUILD/shmregion-dkms.ko" \
		PAYLOAD="$PAYLOAD" WORK="$BUILD/vm-dkms" KMODDIR="$kmoddir" \
		"$here/vm.sh" check
else
	tap_not_ok "no VM run: no DKMS-built module"
fi

tap_check "dkms remove $mv --all" dkms remove "$mv" --all --no-depmod
tap_check "depmod -b after dkms remove" $DEPMOD -b "$root" "$krel"
tap_check "dkms status is empty again" not_in_dkms
tap_check "the module left updates/dkms/" \
	sh -c "! ls '$moddir'/updates/dkms/shmregion.ko* 2>/dev/null"
tap_check "modprobe's index no longer has shmregion" sh -c "! $MODINFO -b '$root' -k '$krel' -n shmregion"
tap_summary
