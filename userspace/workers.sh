#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo-workers: a long task split across worker processes that share
# one region, in C (examples/workers.c) and in Python (python/examples/
# workers.py). The VM runs this with the module loaded, the tools on
# PATH and the host's python3 on /usr; the exit status is the demo's.
# The C picture goes back to the host as "shmr-file" lines (scripts/vm.sh).
set -u
cd /tmp || exit 1

# bad input: a usage message and status 2; a name that is not there: 1
for bad in "-s 0x10" "-s 10x" "-i 0" "-r 99" "0" "65" "1 2"; do
	# shellcheck disable=SC2086 # the arguments, split
	workers $bad >/dev/null 2>&1
	[ $? -eq 2 ] || { echo "demo-workers FAILED: 'workers $bad' is not a usage error"; exit 1; }
done
out=$(workers --join no-such-job 2>&1)
rc=$?
case "$rc $out" in
"1 "*"No such file"*) ;;
*) echo "demo-workers FAILED: --join of a missing region said ($rc): $out"; exit 1 ;;
esac

echo "workers.c: a coordinator and 1..4 worker processes on $(nproc) vCPUs"
workers --lines -o /tmp/mandelbrot.pgm 4 || { echo "demo-workers FAILED: workers.c"; exit 1; }

echo
echo "workers.py: the same with multiprocessing and numpy views"
python3 /shmr/bin/workers.py --out /tmp/mandelbrot-py.pgm 4 ||
	{ echo "demo-workers FAILED: workers.py"; exit 1; }

echo "shmr-file: mandelbrot.pgm"
base64 /tmp/mandelbrot.pgm | sed 's/^/shmr-data: /'
echo "shmr-file-end"
shmregion list | grep -q '^workers' && { echo "demo-workers FAILED: a region was left behind"; exit 1; }
echo
echo "demo-workers OK"
