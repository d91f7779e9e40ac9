/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmr_bench's private header: the options, the helpers every case uses
 * (util.c), the report (report.c: markdown tables, results.json, the
 * latency CDF data) and one entry point per file of cases.
 */
#ifndef SHMR_BENCH_H
#define SHMR_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* --- options (shmr_bench.c) -------------------------------------------- */

struct bench_opts {
	int quick;		/* -q: small counts, to check that it all runs */
	long samples;		/* -n: wake latency samples per method */
	int reps;		/* -r: repetitions; a figure is their median */
	long gap_us;		/* -g: the idle gap between samples */
	size_t max_setup;	/* -S: the largest region of the setup case */
	long calls;		/* calls per repetition of the cheap cases */
	long rounds;		/* fan-out rounds per repetition */
	int max_fanout;		/* the largest fan-out */
	long cycles;		/* create/attach/unlink cycles per repetition */
	long max_regions;	/* the largest table of the attach case */
	size_t ring_bytes;	/* bytes through the ring per repetition */
	long ring_msgs;		/* 64-byte messages per repetition */
	int cpus;		/* online vCPUs */
};

extern struct bench_opts opt;

/* --- util.c ------------------------------------------------------------ */

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define CACHELINE	64
#define PAGE		4096UL

void die(const char *what) __attribute__((noreturn));
void dief(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
uint64_t now_ns(void);
void sleep_ns(uint64_t ns);
void pin_cpu(int cpu);
/* the vCPU of the timed side (0) and of its peer (1, or 0 on one vCPU) */
int peer_cpu(void);
void *map_shared(size_t bytes);
pid_t fork_child(void);
void reap(pid_t pid, const char *what);

/* futexes on shared (not private) words */
long futex_wait(uint32_t *word, uint32_t val);
long futex_wake(uint32_t *word, int n);
/* block until *word == val (it only grows); futex_bump() adds 1 and wakes */
void futex_await(uint32_t *word, uint32_t val);
void futex_bump(uint32_t *word);

/* raw shmregion ioctls: die on error */
int region_create(const char *name, size_t size, unsigned int flags);
int region_attach(const char *name, unsigned int flags);
void region_unlink(const char *name);
/* UNLINK @name through @fd, any handle of the device */
void region_unlink_fd(int fd, const char *name);
uint64_t region_notify(int fd);
uint64_t region_wait(int fd, uint64_t seq);
void set_param(const char *name, unsigned long long val);

/* sorting and order statistics */
void sort_u64(uint64_t *v, size_t n);
double quantile_u64(const uint64_t *sorted, size_t n, double q);
double median(double *v, int n);

/* --- report.c ---------------------------------------------------------- */

#define TAB_MAX_COLS	8
#define TAB_MAX_ROWS	16

/*
 * A table: rows are methods, columns are figures. Each cell shows the
 * value and its ratio to the baseline: the first row's cell of the same
 * column, or (TAB_RATIO_FIRST_COL) the same row's first column.
 */
struct table {
	int case_no;			/* the case number, 1..9 */
	const char *key;		/* its name in results.json */
	const char *title;
	const char *unit;		/* of every value, e.g. "ns" */
	const char *note;		/* what the ratio is, printed under it */
	double scale;			/* printed value = value / scale */
	int prec;			/* decimals printed */
	unsigned int flags;
	int ratio_cols;			/* the first columns with a ratio; 0: all */
	int ncols;
	const char *cols[TAB_MAX_COLS];
	/* filled in by table_row() */
	int nrows;
	const char *rows[TAB_MAX_ROWS];
	double val[TAB_MAX_ROWS][TAB_MAX_COLS];
};

#define TAB_RATIO_FIRST_COL	(1U << 0)
#define TAB_HIGHER_BETTER	(1U << 1)

/* a value not measured (printed as "-", null in the JSON) */
#define NO_VALUE		(-1.0)

int report_open(const char *dir);
void report_close(void);
void table_row(struct table *t, const char *method, const double *vals);
void table_print(const struct table *t);
double table_ratio(const struct table *t, const char *method, int col);
/* record a target: @ratio against "<= @limit" (or ">=" if @at_least) */
void target(int case_no, const char *what, double ratio, double limit,
	    int at_least);
/* the sorted samples of one latency distribution, for the CDF plot */
void cdf_write(const char *set, const char *method, const uint64_t *sorted,
	       size_t n);
void targets_print(void);

/* --- the cases ----------------------------------------------------------- */

/* each runs those of its cases that @cases names ("1,4", "12345678") */
void bench_wake(const char *cases);	/* 1 wake latency, 4 fan-out (wake.c) */
void bench_calls(const char *cases);	/* 2 already behind, 3 no waiter (calls.c) */
void bench_setup(const char *cases);	/* 5 setup, 6 cycles, 7 attach (setup.c) */
void bench_ring(const char *cases);	/* 8 the SPSC ring (ring.c) */
void bench_huge(const char *cases);	/* 9 huge pages (huge.c) */

#endif /* SHMR_BENCH_H */
