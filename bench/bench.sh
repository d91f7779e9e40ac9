#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run in the VM by `make bench`, the module loaded: raise the module's
# limits for the benchmark (10,000 regions for case 7, a 256 MiB region
# for case 5), run shmr_bench with the Makefile's arguments
# (/shmr/bench.args), then send its files back on this console (ttyS1)
# as "shmr-out:NAME:LINE" lines, which bench/plot.sh unpacks on the host.
set -u
params=/sys/module/shmregion/parameters
out=/tmp/bench

echo 20000 > $params/max_regions
echo 20000 > $params/max_user_regions
echo $((2 << 30)) > $params/max_total_bytes
echo $((2 << 30)) > $params/max_user_bytes
echo $((256 << 20)) > $params/max_region_bytes
# case 9: hugetlb pages for memfd MFD_HUGETLB (256 MiB of 2 MiB pages),
# where the kernel has them; without them that row is "-"
[ -w /proc/sys/vm/nr_hugepages ] && echo 128 > /proc/sys/vm/nr_hugepages
echo "kernel $(uname -r), $(nproc) vCPUs, $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB"
printf 'module parameters:'
for p in "$params"/*; do
	printf ' %s=%s' "$(basename "$p")" "$(cat "$p")"
done
echo

mkdir -p $out
# shellcheck disable=SC2046 # the arguments are words
/shmr/bin/shmr_bench $(cat /shmr/bench.args 2>/dev/null) -o $out
rc=$?
for f in "$out"/*; do
	[ -f "$f" ] || continue
	sed "s|^|shmr-out:$(basename "$f"):|" "$f"
done
exit $rc
