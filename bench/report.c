// SPDX-License-Identifier: GPL-2.0
/*
 * shmr_bench's report: every table goes to stdout as markdown and to
 * results.json with the same numbers; the targets of issue 11 are
 * checked against the tables' ratios and listed at the end; the latency
 * distributions go to latency-<set>.dat, one block per method, which
 * bench/plot.sh turns into build/bench/latency.png on the host.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "bench.h"

#define MAX_TARGETS	32

static struct {
	int case_no;
	char what[120];
	double ratio, limit;
	int at_least, met;
} targets[MAX_TARGETS];
static int ntargets;

static char out_dir[256];
static FILE *json;
static int json_tables;

/* a JSON string: the names here are ASCII, only quotes need escaping */
static void json_str(const char *s)
{
	fputc('"', json);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', json);
		fputc(*s, json);
	}
	fputc('"', json);
}

static void json_num(double v)
{
	if (v < 0)
		fputs("null", json);
	else
		fprintf(json, "%.6g", v);
}

int report_open(const char *dir)
{
	char path[300];
	struct utsname u;

	snprintf(out_dir, sizeof(out_dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/results.json", dir);
	json = fopen(path, "w");
	if (!json)
		return -1;
	uname(&u);
	fputs("{\n\"meta\": {\"kernel\": ", json);
	json_str(u.release);
	fprintf(json, ", \"vcpus\": %d, \"quick\": %s, \"reps\": %d, "
		"\"latency_samples\": %ld, \"gap_us\": %ld, \"calls\": %ld, "
		"\"fanout_rounds\": %ld, \"cycles\": %ld, \"ring_bytes\": %zu, "
		"\"ring_messages\": %ld},\n\"tables\": [",
		opt.cpus, opt.quick ? "true" : "false", opt.reps, opt.samples,
		opt.gap_us, opt.calls, opt.rounds, opt.cycles, opt.ring_bytes,
		opt.ring_msgs);
	return 0;
}

void report_close(void)
{
	int i;

	if (!json)
		return;
	fputs("\n],\n\"targets\": [", json);
	for (i = 0; i < ntargets; i++) {
		fprintf(json, "%s\n  {\"case\": %d, \"what\": ", i ? "," : "",
			targets[i].case_no);
		json_str(targets[i].what);
		fputs(", \"ratio\": ", json);
		json_num(targets[i].ratio);
		fprintf(json, ", \"target\": \"%s %.2f\", \"met\": %s}",
			targets[i].at_least ? ">=" : "<=", targets[i].limit,
			targets[i].met ? "true" : "false");
	}
	fputs("\n]\n}\n", json);
	fclose(json);
	json = NULL;
}

void table_row(struct table *t, const char *method, const double *vals)
{
	int c;

	if (t->nrows >= TAB_MAX_ROWS)
		dief("table %s: too many rows", t->key);
	t->rows[t->nrows] = method;
	for (c = 0; c < t->ncols; c++)
		t->val[t->nrows][c] = vals[c];
	t->nrows++;
}

static double ratio_of(const struct table *t, int r, int c)
{
	double base = t->flags & TAB_RATIO_FIRST_COL ? t->val[r][0]
						      : t->val[0][c];

	if (t->val[r][c] < 0 || base <= 0 || (t->ratio_cols && c >= t->ratio_cols))
		return NO_VALUE;
	return t->val[r][c] / base;
}

double table_ratio(const struct table *t, const char *method, int col)
{
	int r;

	for (r = 0; r < t->nrows; r++)
		if (!strcmp(t->rows[r], method))
			return ratio_of(t, r, col);
	dief("table %s has no row '%s'", t->key, method);
}

static void json_table(const struct table *t)
{
	int r, c;

	fprintf(json, "%s\n {\"case\": %d, \"key\": ", json_tables++ ? "," : "",
		t->case_no);
	json_str(t->key);
	fputs(", \"title\": ", json);
	json_str(t->title);
	fputs(", \"unit\": ", json);
	json_str(t->unit);
	fprintf(json, ", \"ratio_to\": \"%s\", \"higher_is_better\": %s,\n  \"columns\": [",
		t->flags & TAB_RATIO_FIRST_COL ? "first column" : "first row",
		t->flags & TAB_HIGHER_BETTER ? "true" : "false");
	for (c = 0; c < t->ncols; c++) {
		fputs(c ? ", " : "", json);
		json_str(t->cols[c]);
	}
	fputs("],\n  \"rows\": [", json);
	for (r = 0; r < t->nrows; r++) {
		fprintf(json, "%s\n   {\"method\": ", r ? "," : "");
		json_str(t->rows[r]);
		fputs(", \"values\": [", json);
		for (c = 0; c < t->ncols; c++) {
			fputs(c ? ", " : "", json);
			json_num(t->val[r][c]);
		}
		fputs("], \"ratios\": [", json);
		for (c = 0; c < t->ncols; c++) {
			fputs(c ? ", " : "", json);
			json_num(ratio_of(t, r, c));
		}
		fputs("]}", json);
	}
	fputs("]}", json);
	fflush(json);
}

void table_print(const struct table *t)
{
	int r, c;

	printf("\n**%d. %s** (%s; %s)\n\n| method |", t->case_no, t->title,
	       t->unit, t->note);
	for (c = 0; c < t->ncols; c++)
		printf(" %s |", t->cols[c]);
	printf("\n|---|");
	for (c = 0; c < t->ncols; c++)
		printf("---:|");
	putchar('\n');
	for (r = 0; r < t->nrows; r++) {
		printf("| %s |", t->rows[r]);
		for (c = 0; c < t->ncols; c++) {
			double ratio = ratio_of(t, r, c);

			if (t->val[r][c] < 0)
				printf(" - |");
			else if (ratio < 0)
				printf(" %.*f |", t->prec, t->val[r][c] / t->scale);
			else
				printf(" %.*f (%.*fx) |", t->prec,
				       t->val[r][c] / t->scale,
				       ratio < 0.1 ? 3 : 2, ratio);
		}
		putchar('\n');
	}
	fflush(stdout);
	if (json)
		json_table(t);
}

void target(int case_no, const char *what, double ratio, double limit,
	    int at_least)
{
	if (ntargets >= MAX_TARGETS)
		dief("too many targets");
	targets[ntargets].case_no = case_no;
	snprintf(targets[ntargets].what, sizeof(targets[0].what), "%s", what);
	targets[ntargets].ratio = ratio;
	targets[ntargets].limit = limit;
	targets[ntargets].at_least = at_least;
	targets[ntargets].met = ratio >= 0 &&
		(at_least ? ratio >= limit : ratio <= limit);
	ntargets++;
}

void targets_print(void)
{
	int i, met = 0;

	printf("\n**Targets of issue 11**\n\n| case | what | ratio | target | met |\n|---:|---|---:|---:|---|\n");
	for (i = 0; i < ntargets; i++) {
		met += targets[i].met;
		printf("| %d | %s | %.*fx | %s %.2fx | %s |\n",
		       targets[i].case_no, targets[i].what,
		       targets[i].ratio < 0.1 ? 3 : 2, targets[i].ratio,
		       targets[i].at_least ? ">=" : "<=", targets[i].limit,
		       targets[i].met ? "yes" : "**no**");
	}
	printf("\n%d of %d targets met\n", met, ntargets);
}

/*
 * One block of latency-@set.dat: a quoted title line (gnuplot's
 * columnheader), then "microseconds fraction" pairs, up to 1000 evenly
 * spaced ranks and the tail ranks past 99 %.
 */
void cdf_write(const char *set, const char *method, const uint64_t *sorted,
	       size_t n)
{
	static const double tail[] = { 0.99, 0.995, 0.999, 0.9995, 0.9999 };
	char path[300];
	size_t i, step;
	FILE *f;

	if (!n)
		return;
	snprintf(path, sizeof(path), "%s/latency-%s.dat", out_dir, set);
	f = fopen(path, "a");
	if (!f)
		die(path);
	fprintf(f, "\"%s\"\n", method);
	step = n > 1000 ? n / 1000 : 1;
	for (i = 0; i < n; i += step) {
		if ((double)i / n > 0.99)
			break;
		fprintf(f, "%.3f %.6f\n", sorted[i] / 1e3, (double)(i + 1) / n);
	}
	for (i = 0; i < ARRAY_SIZE(tail); i++)
		if (tail[i] * n >= 1)
			fprintf(f, "%.3f %.6f\n",
				quantile_u64(sorted, n, tail[i]) / 1e3, tail[i]);
	fprintf(f, "%.3f 1\n\n\n", sorted[n - 1] / 1e3);
	fclose(f);
}
