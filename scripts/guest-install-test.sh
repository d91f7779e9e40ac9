#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM (scripts/check-install.sh puts it in the payload):
# load shmregion with modprobe from a `make install DESTDIR=` tree, as a
# machine with the module installed would, and leave it loaded. TAP.
#
# install/root next to this script is the tree; kmod's modprobe and
# modinfo come from the host (HOSTBINS), busybox's cannot take -d.
set -eu
root=$(cd "$(dirname "$0")" && pwd)/root
prefix=/usr/local	# check-install.sh installs with PREFIX=/usr/local
rel=$(uname -r)
modprobe=/shmr/bin/modprobe
modinfo=/shmr/bin/modinfo
. "${SHMR_TAP:-/shmr/tap.sh}"
mode_is() {
	[ -c /dev/shmregion ] && [ "$(stat -c %a /dev/shmregion)" = "$1" ]
}
same_module() {
	want=$($modinfo -b "$root" -F srcversion shmregion) &&
		[ -n "$want" ] &&
		[ "$(cat /sys/module/shmregion/srcversion)" = "$want" ]
}
no_such_module() {
	! $modprobe -d "$root" shmregion_no_such_module 2>/dev/null
}
# every parameter in sysfs has a description in modinfo
params_described() {
	for p in /sys/module/shmregion/parameters/*; do
		$modinfo -b "$root" -F parm shmregion | grep -q "^${p##*/}:[^ ]" ||
			{ echo "# parameter ${p##*/} has no description"; return 1; }
	done
}
# what systemd-modules-load does with the installed snippet
modules_load() {
	confs=$(find "$root" -path '*/modules-load.d/*.conf')
	[ -n "$confs" ] || return 1
	for conf in $confs; do
		sed -e 's/[#;].*//' "$conf" | while read -r m; do
			[ -z "$m" ] || $modprobe -d "$root" "$m" || exit 1
		done || return 1
	done
}

tap_header
tap_check "kmod's modprobe is in the guest" test -x $modprobe
tap_check "the tree is for the running kernel ($rel)" \
	grep -q '^extra/module/shmregion.ko:' "$root/lib/modules/$rel/modules.dep"
tap_check "rmmod the module the harness loaded" rmmod shmregion
tap_check "/dev/shmregion is gone" test ! -e /dev/shmregion
tap_check "modprobe -d <tree> shmregion" $modprobe -d "$root" shmregion
tap_check "/dev/shmregion is a character device, mode 0666" mode_is 666
tap_check "the loaded module is the installed file (srcversion)" same_module
tap_check "every parameter in sysfs is described in modinfo" params_described
tap_check "modprobe -r -d <tree> shmregion" $modprobe -r -d "$root" shmregion
tap_check "/dev/shmregion is gone again" test ! -e /dev/shmregion
tap_check "modprobe of a module not in the tree fails" no_such_module
tap_check "the modules-load.d snippet loads it (left loaded)" modules_load
tap_check "/dev/shmregion is back, mode 0666" mode_is 666

# The installed CLI and its shared library, when userspace is installed.
cli() {
	LD_LIBRARY_PATH=$root$prefix/lib "$root$prefix/bin/shmregion" "$@"
}
cli_write_cat() {
	echo installed | cli write inst-test &&
		[ "$(cli cat -s inst-test)" = installed ]
}
cli_lists() {
	cli list | grep -q inst-test
}
cli_gone() {
	! cli info inst-test 2>/dev/null
}
if [ -x "$root$prefix/bin/shmregion" ]; then
	tap_check "installed shmregion create" cli create inst-test 4096 -x
	tap_check "installed shmregion write, then cat reads it back" cli_write_cat
	tap_check "installed shmregion list shows it" cli_lists
	tap_check "installed shmregion rm" cli rm inst-test
	tap_check "installed shmregion info fails once removed" cli_gone
fi
tap_end
