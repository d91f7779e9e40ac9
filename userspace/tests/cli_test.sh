#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The shmregion CLI: output, messages and exit codes of every command,
# and "shmregion list" agreeing with "shmregion info" for every region.
# Prints TAP; exits non-zero when a test failed. Needs root (it checks
# what another user may do) and the module loaded. TAP lines come from
# scripts/tap.sh, which the VM provides as $SHMR_TAP.
set -u
set -f  # region names are data, never globs
. "${SHMR_TAP:-/shmr/tap.sh}"

crashed=0
tmp=$(mktemp -d)
A="cli-$$-a" B="cli-$$-b" C="cli-$$ with spaces" M="cli-$$-missing"
cleanup() {
	for r in "$A" "$B" "$C"; do shmregion rm "$r" >/dev/null 2>&1; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# run CMD...: sets $rc, $out (stdout) and $err (stderr)
run() {
	out=$("$@" 2>"$tmp/err")
	rc=$?
	err=$(cat "$tmp/err")
	if [ "$rc" -ge 128 ]; then
		crashed=$((crashed + 1))
		echo "# crashed ($rc): $*"
	fi
}

# is GOT WANT DESC
is() {
	if [ "$1" = "$2" ]; then
		tap_ok "$3"
	else
		tap_not_ok "$3"
		echo "#   got:  '$1'"
		echo "#   want: '$2'"
	fi
}

# has TEXT PART DESC: TEXT contains PART
has() {
	case "$1" in
	*"$2"*) tap_ok "$3" ;;
	*) tap_not_ok "$3"; echo "#   '$1' lacks '$2'" ;;
	esac
}

# field NAME: the value of "NAME: value" in $out (from shmregion info)
field() {
	echo "$out" | sed -n "s/^$1: *//p"
}

# as_nobody CMD: run a shell command line as uid 65534
as_nobody() {
	su -p -s /bin/sh nobody -c "$1"
}

if [ ! -e /dev/shmregion ]; then
	tap_skip "the CLI" "no /dev/shmregion (is the module loaded?)"
	tap_end
	exit
fi

# --- usage ------------------------------------------------------------------
run shmregion --help
is "$rc" 0 "--help exits 0"
has "$out" "Usage: shmregion COMMAND" "--help prints the usage"
has "$out" "Exit status: 0 success, 1" "--help documents the exit codes"
run shmregion -V
is "$rc/${out%%[0-9]*}" "0/shmregion " "--version"
run shmregion
is "$rc" 2 "no command: exit 2"
has "$err" "no command given" "no command: says so"
run shmregion frob
is "$rc/$err" '2/shmregion: unknown command "frob" (see shmregion --help)' \
	"unknown command: exit 2 and a message"
run shmregion list --bogus
is "$rc/$err" '2/shmregion: unknown option "--bogus" (see shmregion --help)' \
	"unknown option: exit 2"
run shmregion create "$A"
is "$rc/$err" '2/shmregion: usage: shmregion create NAME SIZE (see shmregion --help)' \
	"missing argument: exit 2 and the command's usage"
run shmregion info "$A" "$B"
is "$rc" 2 "extra argument: exit 2"
run shmregion info "$A" --lazy
is "$rc" 2 "option of another command: exit 2"
run shmregion wait "$A" --timeout
is "$rc" 2 "option without its value: exit 2"
for bad in 4Q -1 0 1.5K 99999999999G ""; do
	run shmregion create "$A" "$bad"
	is "$rc" 2 "invalid size '$bad': exit 2"
done
has "$err" 'invalid size ""' "invalid size: message names it"
run shmregion create "$A" 4K --mode 0777
is "$rc/$err" '2/shmregion: invalid mode "0777": octal, a subset of 0666 (see shmregion --help)' \
	"mode outside 0666: exit 2"
run shmregion create "$A" 4K --mode rw
is "$rc" 2 "non-octal mode: exit 2"
run shmregion wait "$A" --timeout soon
is "$rc" 2 "invalid timeout: exit 2"
for bad in "a/b" "" "$(printf 'tab\there')" \
	   "1234567890123456789012345678901234567890123456789012345678901234"; do
	run shmregion info "$bad"
	is "$rc" 2 "invalid name '$bad': exit 2"
done
has "$err" "invalid region name" "invalid name: says so"
run shmregion rm "$M" "a/b"
is "$rc" 2 "rm checks every name before removing any"

# --- create -------------------------------------------------------------------
run shmregion create "$A" 4K
is "$rc/$out" "0/created \"$A\": 4096 bytes, mode 0600" "create NAME 4K"
run shmregion create "$B" 1M --lazy --mode 0644
is "$rc/$out" "0/created \"$B\": 1048576 bytes, mode 0644" "create with M, --lazy, --mode"
run shmregion create "$C" 8k --transient
is "$rc/$out" "0/created \"$C\": 8192 bytes, mode 0600" "create, lower-case suffix, --transient"
run shmregion info "$C"
is "$rc/$err" "1/shmregion: attach \"$C\": No such region" "a transient region is gone with the command"
run shmregion create "$C" 100
is "$rc/$out" "0/created \"$C\": 4096 bytes, mode 0600" "a name with spaces; size rounded up to a page"
run shmregion create "$A" 1
is "$rc/$out" "0/exists \"$A\": 4096 bytes, mode 0600" "create an existing region without --excl"
run shmregion create "$A" 1 --excl
is "$rc/$err" "1/shmregion: create \"$A\": Region exists" "create --excl on an existing region: exit 1"
run shmregion create "$A" 8K
is "$rc/$err" "1/shmregion: create \"$A\": Region exists and is smaller than 8K" \
	"create bigger than the existing region: exit 1"
run shmregion create "$M" 1G --lazy
is "$rc/$err" "1/shmregion: create \"$M\": Region too large (over the module's max_region_bytes)" \
	"create over max_region_bytes: exit 1"

# --- info ---------------------------------------------------------------------
run shmregion info "$B"
is "$rc" 0 "info exits 0"
is "$(field name)|$(field size)|$(field owner)|$(field group)|$(field mode)|$(field attached)|$(field sequence)|$(field flags)" \
	"$B|1048576|root (uid 0)|root (gid 0)|0644|0|0|lazy" "info prints every field"
run shmregion info "$M"
is "$rc/$err" "1/shmregion: attach \"$M\": No such region" "info of a missing region: exit 1"

# --- notify, write, cat -----------------------------------------------------------
run shmregion notify "$A"
is "$rc/$out" "0/1" "notify prints the new sequence"
run shmregion notify "$A"
is "$rc/$out" "0/2" "notify again"
run sh -c "printf 'hello, region' | shmregion write '$A'"
is "$rc/$out/$err" "0//" "write: exit 0, quiet"
run shmregion cat --string "$A"
is "$rc/$out" "0/hello, region" "cat --string shows what was written"
run sh -c "shmregion cat '$A' | wc -c"
is "$rc/$(echo $out)" "0/4096" "cat copies the whole region"
run sh -c "printf 'hi' | shmregion write '$A' && shmregion cat '$A' | tr -d '\\000'"
is "$out" "hi" "write zeroes the rest of the region"
run shmregion info "$A"
is "$(field sequence)" 4 "write notifies"
run sh -c "head -c 4097 /dev/zero | shmregion write '$A'"
is "$rc/$err" "1/shmregion: write \"$A\": input larger than the region (4096 bytes)" \
	"write more than the region holds: exit 1"
run shmregion info "$A"
is "$(field sequence)" 4 "... and no notify"
for cmd in cat write notify wait; do
	run shmregion $cmd "$M" </dev/null
	is "$rc/$err" "1/shmregion: attach \"$M\": No such region" "$cmd of a missing region: exit 1"
done

# --- wait -------------------------------------------------------------------------
run shmregion wait "$A" --timeout 50ms
is "$rc/$err" "3/shmregion: wait \"$A\": Timed out" "wait --timeout: exit 3 when nothing happens"
run shmregion wait "$A" -T 0.05
is "$rc" 3 "wait -T in seconds"
run shmregion wait "$A" --seq 1
is "$rc/$out" "0/4" "wait --seq behind: returns the current sequence at once"
# the waiter's --seq makes the order of attach and notify irrelevant
shmregion wait "$A" --seq 4 >"$tmp/wait.out" 2>&1 &
waiter=$!
run shmregion notify "$A"
wait "$waiter"
is "$?/$(cat "$tmp/wait.out")" "0/5" "wait --seq sees a notify from another process"

# --- other users -------------------------------------------------------------------
run as_nobody "shmregion notify '$B'"
is "$rc/$err" "1/shmregion: attach \"$B\": Permission denied" "notify without write permission: exit 1"
run as_nobody "shmregion info '$A'"
is "$rc/$err" "1/shmregion: attach \"$A\": Permission denied" "info without read permission: exit 1"
run as_nobody "shmregion cat --string '$B'"
is "$rc" 0 "cat with read permission only"
run as_nobody "shmregion rm '$B'"
is "$rc/$err" "1/shmregion: rm \"$B\": Operation not permitted (not the owner)" "rm by another user: exit 1"
run as_nobody "shmregion list"
is "$rc" 0 "any user may list"
param=/sys/module/shmregion/parameters/max_user_regions
if saved=$(cat "$param") && echo 0 > "$param"; then
	run as_nobody "shmregion create '$M' 1"
	echo "$saved" > "$param"
	is "$rc/$err" "1/shmregion: create \"$M\": Over this user's share (the module's max_user_regions or max_user_bytes)" \
		"create over the user's share: exit 1"
else
	tap_not_ok "create over the user's share: cannot set $param"
fi

# --- no module ------------------------------------------------------------------
run unshare -m sh -c 'mount -t tmpfs none /dev && shmregion info x'
is "$rc/$err" '1/shmregion: attach "x": No /dev/shmregion (is the shmregion module loaded?)' \
	"without the device: exit 1 and a hint"
run unshare -m sh -c 'mount -t tmpfs none /dev && shmregion list'
is "$rc/$err" '1/shmregion: list: No /dev/shmregion (is the shmregion module loaded?)' \
	"list without the module: exit 1 and a hint"
# /dev/null's numbers at /dev/shmregion: a device that knows no LIST
run unshare -m sh -c 'mount -t tmpfs none /dev && mknod /dev/shmregion c 1 3 && shmregion list'
is "$rc/$err" "1/shmregion: list: /dev/shmregion does not know this version's requests (an older module?)" \
	"list on another device: exit 1 and a hint"

# --- list -------------------------------------------------------------------------
# a consumer keeps B attached; it says "waiting" once it is
mkfifo "$tmp/consumer"
consumer "$B" >"$tmp/consumer" 2>&1 &
consumer_pid=$!
exec 4<"$tmp/consumer"
read -r line <&4
has "$line" "waiting" "the consumer example attaches"

run shmregion list
is "$rc" 0 "list exits 0"
echo "$out" > "$tmp/list"
header=$(head -n 1 "$tmp/list")
is "$(echo $header)" "NAME SIZE OWNER MODE ATTACHED SEQUENCE" "list has a header"
# aligned: every row's MODE column starts where the header's does
col=$(awk 'NR == 1 { print index($0, "MODE") }' "$tmp/list")
bad=$(awk -v c="$col" 'NR > 1 && substr($0, c, 4) !~ /^0[0-7][0-7][0-7]$/' "$tmp/list")
is "$bad" "" "list columns are aligned"
for r in "$A" "$B" "$C"; do
	grep -q "^$r " "$tmp/list" && tap_ok "list shows '$r'" || tap_not_ok "list shows '$r'"
done

# each row agrees with INFO (which does not count its own handle)
rows=0
while read -r line; do
	set -- $line
	[ $# -ge 6 ] || continue
	eval "seq=\${$#} attached=\${$(($# - 1))} mode=\${$(($# - 2))}"
	eval "owner=\${$(($# - 3))} size=\${$(($# - 4))}"
	name=$(echo "$line" | sed -E 's/( +[^ ]+){5}$//')
	run shmregion info "$name"
	got="$(field size) $(field owner | cut -d' ' -f1) $(field mode) $(field attached) $(field sequence)"
	is "$got" "$size $owner $mode $attached $seq" "list row '$name' matches info"
	rows=$((rows + 1))
done <<EOF
$(tail -n +2 "$tmp/list")
EOF
[ "$rows" -ge 3 ] && tap_ok "list has a row for each region ($rows)" || tap_not_ok "list has a row for each region ($rows)"
grep -q "^$B  *1048576  *root  *0644  *1  *0\$" "$tmp/list" &&
	tap_ok "list counts the attached consumer" || tap_not_ok "list counts the attached consumer"

# --- resize, create --huge ----------------------------------------------------------
R="cli-$$-r"
run shmregion create "$R" 8K
run shmregion resize "$R" 64K
is "$rc/$out/$err" "0/resized \"$R\": 65536 bytes/" "resize: grows, says the new size"
run shmregion info "$R"
is "$(field size)" 65536 "... info shows the new size"
is "$(field sequence)" 1 "... a resize is an update"
run shmregion resize "$R" 4K
is "$rc/$out" "0/resized \"$R\": 4096 bytes" "resize: shrinks"
run shmregion resize "$R" 0
is "$rc" 2 "resize to 0: usage error"
run shmregion resize "$M" 4K
is "$rc/$err" "1/shmregion: attach \"$M\": No such region" "resize of a missing region: exit 1"
run as_nobody "shmregion resize '$R' 8K"
is "$rc" 1 "resize by another user: exit 1"
run shmregion rm "$R"
if [ -d /sys/kernel/mm/transparent_hugepage ]; then
	run shmregion create "$R" 4M --huge
	is "$rc" 0 "create --huge: exit 0"
	run shmregion info "$R"
	is "$(field flags)" huge "... info shows the flag"
	run shmregion rm "$R"
else
	run shmregion create "$R" 4M --huge
	is "$rc/$err" "1/shmregion: create \"$R\": Operation not supported" "create --huge without THP: exit 1"
fi

# --- rm -------------------------------------------------------------------------------
run shmregion rm "$B"
is "$rc/$out/$err" "0//" "rm: exit 0, quiet"
read -r line <&4
has "$line" "removed" "rm wakes the waiting consumer"
wait "$consumer_pid"
is "$?" 0 "the consumer exits 0"
exec 4<&-
run shmregion rm "$A" "$M" "$C"
is "$rc/$err" "1/shmregion: rm \"$M\": No such region" "rm of a missing region: exit 1"
run shmregion info "$C"
is "$rc" 1 "... the other names are removed all the same"
run shmregion list
case "$out" in
*"cli-$$"*) tap_not_ok "list no longer shows removed regions" ;;
*) tap_ok "list no longer shows removed regions" ;;
esac

is "$crashed" 0 "no command crashed"
tap_end
