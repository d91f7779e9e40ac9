// SPDX-License-Identifier: GPL-2.0
/*
 * shmr_bench: shmregion against the usual alternatives, in one run: the
 * eight cases of issue 11 and the huge pages of issue 13, each as ratios
 * to a baseline measured in the same run (under emulation absolute times
 * mean little; ratios are what we compare). Each figure is the median of the repetitions, and every
 * repetition runs all the methods of its case in turn, so that a load
 * that comes and goes hits them alike; each case warms up first.
 *
 *  1. one-way wake latency p50/p99/p99.9, back to back and with an idle
 *     gap (wake.c)
 *  2. WAIT when already behind (calls.c)
 *  3. NOTIFY with nobody waiting (calls.c)
 *  4. fan-out to 1 ... 256 waiters (wake.c)
 *  5. make, map and write 4 KiB ... 256 MiB; a second process attaches
 *     and reads (setup.c)
 *  6. create/attach/unlink cycles (setup.c)
 *  7. ATTACH with 10, 1,000, 10,000 regions (setup.c)
 *  8. an SPSC ring in a region: GB/s and 64-byte messages/s (ring.c)
 *  9. huge pages: 256 MiB written, then read at random (huge.c)
 *
 * Markdown tables go to stdout; with -o DIR the same numbers go to
 * DIR/results.json (with the targets and whether each was met), and the
 * latency distributions to DIR/latency-busy.dat and latency-gap.dat.
 *
 *	shmr_bench [-q] [-c CASES] [-n SAMPLES] [-r REPS] [-g GAP_US]
 *		   [-S MAX_SETUP_MIB] [-o DIR]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

struct bench_opts opt = {
	.samples = 100000,
	.reps = 5,
	.gap_us = 100,
	.max_setup = 256UL << 20,
	.calls = 200000,
	.rounds = 200,
	.max_fanout = 256,
	.cycles = 2000,
	.max_regions = 10000,
	.ring_bytes = 128UL << 20,
	.ring_msgs = 200000,
};

/* -q: every case with small counts, to see that it all works */
static void quick(void)
{
	opt.quick = 1;
	opt.samples = 3000;
	opt.reps = 3;
	opt.max_setup = 64UL << 20;
	opt.calls = 20000;
	opt.rounds = 20;
	opt.cycles = 200;
	opt.ring_bytes = 16UL << 20;
	opt.ring_msgs = 20000;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-q] [-c CASES] [-n SAMPLES] [-r REPS] [-g GAP_US] [-S MAX_SETUP_MIB] [-o DIR]\n"
		"  -q  quick: small counts (check that every case runs)\n"
		"  -c  the cases to run, e.g. 1,4 (default: 1-9)\n",
		prog);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *cases = "123456789", *dir = NULL;
	int c;

	opt.cpus = sysconf(_SC_NPROCESSORS_ONLN);
	/* -q first, so that the other options override its counts */
	for (c = 1; c < argc; c++)
		if (!strcmp(argv[c], "-q"))
			quick();
	while ((c = getopt(argc, argv, "qc:n:r:g:S:o:")) != -1) {
		switch (c) {
		case 'q':
			break;
		case 'c':
			cases = optarg;
			break;
		case 'n':
			opt.samples = atol(optarg);
			break;
		case 'r':
			opt.reps = atoi(optarg);
			break;
		case 'g':
			opt.gap_us = atol(optarg);
			break;
		case 'S':
			opt.max_setup = strtoull(optarg, NULL, 0) << 20;
			break;
		case 'o':
			dir = optarg;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (optind != argc || opt.samples < 100 || opt.reps < 1 ||
	    opt.reps > 64 || opt.gap_us < 0)
		usage(argv[0]);
	if (dir && report_open(dir))
		die(dir);

	printf("shmr_bench%s: %d vCPUs; %ld wake latency samples per method, median of %d repetitions\n",
	       opt.quick ? " (quick: small counts, to check that it runs)" : "",
	       opt.cpus, opt.samples, opt.reps);
	if (opt.cpus < 2)
		printf("only one vCPU: the two sides of each case share it\n");
	bench_wake(cases);
	bench_calls(cases);
	bench_setup(cases);
	bench_ring(cases);
	bench_huge(cases);
	targets_print();
	report_close();
	return 0;
}
