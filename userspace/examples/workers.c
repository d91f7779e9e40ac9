// SPDX-License-Identifier: GPL-2.0
/*
 * workers: split a long task across processes that share one region.
 *
 *	workers [-s WIDTHxHEIGHT] [-i ITERATIONS] [-r RUNS] [-o FILE.pgm]
 *		[--lines] [N]
 *	workers --join NAME	(one more worker for a job in progress)
 *
 * The task is a picture of the Mandelbrot set, one row at a time. The
 * coordinator (this program) creates a region holding the whole job: a
 * header with the picture's geometry, a shared work counter, a done
 * counter and one progress slot per worker, then the pixels. It starts
 * the workers; each attaches to the region by name, takes the next row
 * with one atomic fetch-and-add on the work counter, writes the row's
 * pixels straight into the region, counts it done and calls
 * shmr_notify(). The coordinator sleeps in shmr_wait() until a notify
 * (no polling, no sleeps), draws the progress, and when every row is
 * done writes the picture (a PGM file) and times the next run.
 *
 * It does this for 1..N workers (default: 4) and in one process without
 * any region, RUNS times each (default 3), then prints the median wall
 * times as a table and checks that every run made the same picture.
 * The progress is a bar on a terminal, else (or with --lines) a line a
 * run.
 *
 * Build: cc workers.c $(pkg-config --cflags --libs shmregion) -lm
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libshmregion.h>

#define MAX_WORKERS	64
#define MAX_RUNS	15
#define JOB_MAGIC	0x6b6f6a73	/* "sjok" */

/*
 * The region: this header, then width * height pixels. Fields that
 * several processes change are only touched with __atomic builtins.
 */
struct job {
	uint32_t magic;		/* JOB_MAGIC once the header is filled in */
	uint32_t width, height;
	uint32_t max_iter;
	double x0, y0, step;	/* the top-left pixel's point, pixel size */
	uint32_t next_row;	/* the work counter: the next row to take */
	uint32_t rows_done;	/* rows written */
	uint32_t workers;	/* workers that joined (their slot numbers) */
	uint32_t rows_by[MAX_WORKERS];	/* rows each worker wrote */
	unsigned char pixels[];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One row of the picture: grey by escape time, the set itself black. */
static void render_row(const struct job *job, uint32_t y, unsigned char *out)
{
	double ci = job->y0 + y * job->step;
	uint32_t x, i;

	for (x = 0; x < job->width; x++) {
		double cr = job->x0 + x * job->step, zr = 0, zi = 0, t;

		for (i = 0; i < job->max_iter && zr * zr + zi * zi <= 4; i++) {
			t = zr * zr - zi * zi + cr;
			zi = 2 * zr * zi + ci;
			zr = t;
		}
		/* brighter the longer a point takes to escape (log scale) */
		out[x] = i == job->max_iter ? 0 :
			 (unsigned char)(255 * log(i + 1) / log(job->max_iter + 1));
	}
}

/*
 * A worker: attach by name, then take rows until none are left. The
 * release increment of rows_done (and the notify after it) publishes the
 * row's pixels to whoever reads rows_done with acquire.
 */
static int work(const char *name)
{
	struct shmr *region;
	struct job *job;
	uint32_t slot, y;
	int ret;

	ret = shmr_attach(&region, name, 0);
	if (ret < 0) {
		fprintf(stderr, "workers: attach \"%s\": %s\n", name, strerror(-ret));
		return 1;
	}
	job = shmr_addr(region);
	if (__atomic_load_n(&job->magic, __ATOMIC_ACQUIRE) != JOB_MAGIC) {
		fprintf(stderr, "workers: \"%s\" holds no job\n", name);
		shmr_close(region);
		return 1;
	}
	slot = __atomic_fetch_add(&job->workers, 1, __ATOMIC_RELAXED);
	while ((y = __atomic_fetch_add(&job->next_row, 1, __ATOMIC_RELAXED)) <
	       job->height) {
		render_row(job, y, job->pixels + (size_t)y * job->width);
		if (slot < MAX_WORKERS)
			__atomic_fetch_add(&job->rows_by[slot], 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&job->rows_done, 1, __ATOMIC_RELEASE);
		ret = shmr_notify(region, NULL);
		if (ret < 0) {
			fprintf(stderr, "workers: notify: %s\n", strerror(-ret));
			break;
		}
	}
	shmr_close(region);
	return ret < 0;
}

/* The progress of a run: a bar on a terminal, else a line per quarter. */
static void draw(const struct job *job, unsigned int nworkers, int tty,
		 unsigned int *shown)
{
	uint32_t done = __atomic_load_n(&job->rows_done, __ATOMIC_ACQUIRE);
	unsigned int pct = 100 * done / job->height, i, bar = pct / 4;

	if (tty) {
		printf("\r  %2u worker%s [%.*s%*s] %3u%%  rows:", nworkers,
		       nworkers == 1 ? " " : "s", (int)bar,
		       "#########################", (int)(25 - bar), "", pct);
		for (i = 0; i < nworkers && i < MAX_WORKERS; i++)
			printf(" %u", __atomic_load_n(&job->rows_by[i], __ATOMIC_RELAXED));
		if (done == job->height)
			printf("\n");
	} else {
		if (*shown == 0)
			printf("  %2u worker%s:", nworkers, nworkers == 1 ? " " : "s");
		for (; *shown + 25 <= pct; *shown += 25)
			printf(" %u%%", *shown + 25);
		if (done == job->height) {
			printf("  rows:");
			for (i = 0; i < nworkers && i < MAX_WORKERS; i++)
				printf(" %u", __atomic_load_n(&job->rows_by[i],
							      __ATOMIC_RELAXED));
			printf("\n");
		}
	}
	fflush(stdout);
}

static void setup(struct job *job, uint32_t width, uint32_t height,
		  uint32_t max_iter)
{
	job->width = width;
	job->height = height;
	job->max_iter = max_iter;
	/* x from -2.2 to 0.8, y centred on the real axis */
	job->step = 3.0 / width;
	job->x0 = -2.2;
	job->y0 = -job->step * height / 2;
}

/*
 * One timed run with N workers: make the region, start the workers,
 * wait for every row, reap them. The pixels are copied to *picture.
 * Returns the wall time in seconds, or -1.
 */
static double run(unsigned int n, uint32_t width, uint32_t height,
		  uint32_t max_iter, unsigned char *picture, int tty)
{
	size_t npix = (size_t)width * height;
	unsigned int i, started = 0, shown = 0;
	int ret, status, failed = 0;
	struct shmr *region;
	char name[SHMR_NAME_MAX];
	struct job *job;
	uint64_t seq;
	double t0, t;
	pid_t pid;

	snprintf(name, sizeof(name), "workers.%d", (int)getpid());
	/* transient: the region goes with its last user, even after a crash */
	ret = shmr_create(&region, name, sizeof(*job) + npix, 0600,
			  SHMR_EXCL | SHMR_TRANSIENT);
	if (ret < 0) {
		fprintf(stderr, "workers: create \"%s\": %s\n", name, strerror(-ret));
		return -1;
	}
	job = shmr_addr(region);
	setup(job, width, height, max_iter);
	__atomic_store_n(&job->magic, JOB_MAGIC, __ATOMIC_RELEASE);
	seq = shmr_seq(region);

	t0 = now();
	for (i = 0; i < n; i++) {
		fflush(stdout);
		pid = fork();
		if (pid < 0) {
			perror("workers: fork");
			failed = 1;
			break;
		}
		if (pid == 0)
			_exit(work(name));
		started++;
	}
	/* Sleep until a worker says it finished a row; draw; again. */
	while (!failed &&
	       __atomic_load_n(&job->rows_done, __ATOMIC_ACQUIRE) < height) {
		draw(job, n, tty, &shown);
		ret = shmr_wait(region, &seq, 60 * 1000000000LL);
		if (ret < 0) {
			fprintf(stderr, "workers: no progress: %s\n", strerror(-ret));
			failed = 1;
		}
	}
	if (!failed)
		draw(job, n, tty, &shown);
	for (i = 0; i < started; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			failed = 1;
	}
	t = now() - t0;
	memcpy(picture, job->pixels, npix);
	shmr_close(region);
	return failed ? -1 : t;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of N times (the middle one; N is small). */
static double median(double *t, unsigned int n)
{
	qsort(t, n, sizeof(*t), by_value);
	return t[n / 2];
}

static int write_pgm(const char *path, const unsigned char *pixels,
		     uint32_t width, uint32_t height)
{
	FILE *f = fopen(path, "wb");

	if (!f) {
		fprintf(stderr, "workers: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "P5\n%u %u\n255\n", width, height);
	fwrite(pixels, 1, (size_t)width * height, f);
	if (fclose(f)) {
		fprintf(stderr, "workers: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: workers [-s WIDTHxHEIGHT] [-i ITERATIONS] [-r RUNS] [-o FILE.pgm]\n"
		"               [--lines] [N]\n"
		"       workers --join NAME\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "join", required_argument, NULL, 'j' },
		{ "lines", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long width = 480, height = 360, max_iter = 500, max_workers = 4;
	unsigned long runs = 3;
	const char *out = "mandelbrot.pgm";
	double t_one, t[MAX_WORKERS + 1], times[MAX_RUNS];
	int c, bad = 0, tty = isatty(STDOUT_FILENO);
	unsigned char *one, *picture;
	unsigned int n, i;
	struct job job;
	char *end;

	while ((c = getopt_long(argc, argv, "s:i:r:o:h", options, NULL)) != -1) {
		switch (c) {
		case 'j':
			return work(optarg);
		case 's':
			width = strtoul(optarg, &end, 10);
			if (*end != 'x' || width < 1 || width > 8192)
				return usage();
			height = strtoul(end + 1, &end, 10);
			if (*end || height < 1 || height > 8192)
				return usage();
			break;
		case 'i':
			max_iter = strtoul(optarg, &end, 10);
			if (*end || max_iter < 1 || max_iter > 100000)
				return usage();
			break;
		case 'r':
			runs = strtoul(optarg, &end, 10);
			if (*end || runs < 1 || runs > MAX_RUNS)
				return usage();
			break;
		case 'o':
			out = optarg;
			break;
		case 'l':
			tty = 0;
			break;
		default:
			return usage();
		}
	}
	if (optind + 1 == argc) {
		max_workers = strtoul(argv[optind], &end, 10);
		if (*end || max_workers < 1 || max_workers > MAX_WORKERS)
			return usage();
	} else if (optind != argc) {
		return usage();
	}

	one = malloc(width * height);
	picture = malloc(width * height);
	if (!one || !picture) {
		fprintf(stderr, "workers: out of memory\n");
		return 1;
	}
	printf("A %lux%lu picture, at most %lu iterations a pixel, by 1..%lu worker processes,\n"
	       "%lu runs each:\n", width, height, max_iter, max_workers, runs);

	/* The baseline: one process, no region, no notify. */
	memset(&job, 0, sizeof(job));
	setup(&job, width, height, max_iter);
	for (i = 0; i < runs; i++) {
		times[i] = now();
		for (uint32_t y = 0; y < height; y++)
			render_row(&job, y, one + y * width);
		times[i] = now() - times[i];
	}
	t_one = median(times, runs);

	for (n = 1; n <= max_workers; n++) {
		for (i = 0; i < runs; i++) {
			times[i] = run(n, width, height, max_iter, picture, tty);
			if (times[i] < 0)
				return 1;
			if (memcmp(picture, one, width * height)) {
				fprintf(stderr, "workers: %u workers made another picture than one process\n", n);
				bad = 1;
			}
		}
		t[n] = median(times, runs);
	}
	if (write_pgm(out, picture, width, height))
		return 1;

	printf("\n| workers            | wall time (ms, median) | speedup |\n");
	printf("|--------------------|------------------------|---------|\n");
	printf("| one process        | %22.0f |    1.00 |\n", t_one * 1e3);
	for (n = 1; n <= max_workers; n++)
		printf("| %2u                 | %22.0f | %7.2f |\n", n, t[n] * 1e3,
		       t_one / t[n]);
	printf("\n%s: %lux%lu; %s\n", out, width, height,
	       bad ? "the runs made DIFFERENT pictures" :
	       "every run made the same picture as one process");
	free(one);
	free(picture);
	return bad;
}
