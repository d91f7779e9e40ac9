#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# After `make bench`, on the host: unpack the files the guest sent back
# on its results console ("shmr-out:NAME:LINE", bench/bench.sh) into
# OUT_DIR (results.json, latency-busy.dat, latency-gap.dat), keep the
# tables as results.md, and draw the latency CDFs into latency.png.
#
#   bench/plot.sh RESULTS_LOG OUT_DIR
set -euo pipefail

log=${1:?usage: plot.sh RESULTS_LOG OUT_DIR}
out=${2:?usage: plot.sh RESULTS_LOG OUT_DIR}
mkdir -p "$out"
rm -f "$out"/results.json "$out"/latency-*.dat "$out"/latency.png

awk -v dir="$out" '
/^shmr-out:[A-Za-z0-9._-]+:/ {
	rest = substr($0, 10)
	i = index(rest, ":")
	print substr(rest, i + 1) > (dir "/" substr(rest, 1, i - 1))
}' "$log"
grep -v '^shmr-' "$log" > "$out/results.md" || :
[ -s "$out/results.json" ] || { echo "plot.sh: the guest sent no results.json" >&2; exit 1; }

kernel=$(sed -n 's/.*"kernel": "\([^"]*\)".*/\1/p' "$out/results.json")
sets=()
for s in busy gap; do
	[ -s "$out/latency-$s.dat" ] && sets+=("$s")
done
if [ ${#sets[@]} -eq 0 ]; then
	echo "plot.sh: no latency data (case 1 not run): no plot"
	exit 0
fi
command -v gnuplot >/dev/null || { echo "plot.sh: gnuplot is missing (scripts/deps.sh bench)" >&2; exit 1; }
{
	echo "set terminal pngcairo size 1400,$((520 * ${#sets[@]})) font ',10'"
	echo "set output '$out/latency.png'"
	echo "set multiplot layout ${#sets[@]},1"
	echo "set logscale x; set grid; set key right bottom"
	echo "set xlabel 'one-way wake latency (us, log scale)'; set ylabel 'fraction of wake-ups'"
	echo "set yrange [0:1]"
	for s in "${sets[@]}"; do
		case $s in
		busy) title='back to back' ;;
		gap) title='with an idle gap between wake-ups' ;;
		esac
		# one block per method, each opened by its quoted title
		n=$(grep -c '^"' "$out/latency-$s.dat")
		echo "set title 'One-way wake latency CDF, $title (kernel $kernel)' noenhanced"
		echo "plot for [i=0:$((n - 1))] '$out/latency-$s.dat' index i using 1:2 with lines lw 2 title columnheader(1) noenhanced"
	done
	echo "unset multiplot"
} | gnuplot
echo "plot.sh: $out/results.json, $out/results.md, $out/latency.png"
