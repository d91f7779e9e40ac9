#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo: two processes share a region. The VM runs this with the
# module loaded, the tools on PATH; the exit status is the demo's result.
#
# The producer (examples/producer.c) turns each line on its standard input
# into one update of the region; the consumer (examples/consumer.c) sleeps
# until the region changes and prints what it read. This script paces
# them through pipes, so every update is shown as it happens.
set -u
trap '' PIPE

work=$(mktemp -d)
cpid="" ppid=""

fail() {
	echo "demo FAILED: $*"
	[ -z "$ppid" ] || kill "$ppid" 2>/dev/null
	[ -z "$cpid" ] || kill "$cpid" 2>/dev/null
	exit 1
}

# next FD WHO WORDS: print the next line a program wrote (it must come
# within 30 s and contain WORDS)
next() {
	read -r -t 30 line <&"$1" || fail "the $2 said nothing more"
	echo "    $line"
	case "$line" in
	*"$3"*) ;;
	*) fail "the $2 did not say \"$3\"" ;;
	esac
}

# run CMD...: show a command and its output, indented
run() {
	echo "  \$ $*"
	output=$("$@" 2>&1)
	[ -z "$output" ] || printf '%s\n' "$output" | sed 's/^/    /'
}

echo "shmregion demo: two processes share one region of memory."
echo
echo "1. Make a 4 KiB region called \"demo\" that everyone may read."
run shmregion create demo 4K --mode 0644
shmregion info demo >/dev/null 2>&1 || fail "the region was not created"

echo
echo "2. Start the consumer: it maps the region read-only and sleeps"
echo "   until the region's sequence number changes."
echo "  \$ consumer demo &"
mkfifo "$work/to-producer" "$work/from-producer" "$work/from-consumer"
consumer demo > "$work/from-consumer" 2>&1 &
cpid=$!
exec 4< "$work/from-consumer"
next 4 consumer "waiting"

echo
echo "3. Start the producer and feed it three messages. For each one it"
echo "   writes the text into the region and calls shmr_notify(), which"
echo "   wakes the consumer."
echo "  \$ producer demo"
producer demo < "$work/to-producer" > "$work/from-producer" 2>&1 &
ppid=$!
exec 3> "$work/to-producer" 5< "$work/from-producer"
for msg in "hello from the producer" "shared memory is just memory" \
	   "one notify, one wake-up"; do
	echo "$msg" >&3 || fail "the producer is gone"
	next 5 producer "wrote"
	next 4 consumer "read \"$msg\""
done
exec 3>&-
wait "$ppid" || fail "the producer failed"
ppid=""

echo
echo "4. Any other process can read the region too:"
run shmregion cat --string demo

echo
echo "5. The region as 'shmregion list' shows it: the consumer is still"
echo "   attached, and three updates have been made."
run shmregion list
shmregion list | grep -q '^demo ' || fail "demo is not in the list"

echo
echo "6. Remove the region: the waiting consumer wakes and stops."
run shmregion rm demo
next 4 consumer "removed"
wait "$cpid" || fail "the consumer failed"
cpid=""
exec 4<&- 5<&-
rm -rf "$work"

echo
echo "demo OK: 3 updates sent, 3 received."
