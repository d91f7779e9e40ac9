#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Audit a built shmregion.ko's metadata, the fields a packager and an
# admin look at: description, author, license, version (the top-level
# VERSION file's), and a description for every parameter. Prints TAP,
# then "N passed, N failed"; exits 1 when anything failed.
#
#   scripts/check-modinfo.sh KO
set -euo pipefail

ko=${1:?usage: check-modinfo.sh KO}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
MODINFO=/sbin/modinfo
version=$(cat "$here/../VERSION")

tap_header
if [ ! -f "$ko" ]; then
	tap_not_ok "no module at $ko"
	tap_summary
	exit
fi
for field in description author license version; do
	v=$($MODINFO -F "$field" "$ko" 2>/dev/null | head -n 1) || :
	if [ -n "$v" ]; then tap_ok "modinfo $field: $v"; else tap_not_ok "modinfo has no $field"; fi
done
v=$($MODINFO -F version "$ko" 2>/dev/null) || :
if [ "$v" = "$version" ]; then
	tap_ok "modinfo version is VERSION's ($version)"
else
	tap_not_ok "modinfo version '$v' differs from VERSION's '$version'"
fi
# parm lines are "name:description (type)", "name: (type)" when the
# description is missing; module_param_cb() gives no type at all.
while read -r name; do
	v=$($MODINFO -F parm "$ko" | sed -n "s/^$name://p" |
		sed -E 's/ ?\((byte|short|ushort|int|uint|long|ulong|ullong|hexint|charp|bool|invbool)\)$//')
	if [ -n "$v" ]; then
		tap_ok "parameter $name: $v"
	else
		tap_not_ok "parameter $name has no MODULE_PARM_DESC"
	fi
done < <({ $MODINFO -F parm "$ko"; $MODINFO -F parmtype "$ko"; } | cut -d: -f1 | sort -u)
tap_summary
