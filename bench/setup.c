// SPDX-License-Identifier: GPL-2.0
/*
 * Cases 5, 6 and 7: what shared memory costs to set up.
 *
 * 5. Make an object of 4 KiB ... 256 MiB, map it and write the first
 *    byte of every page, per page: shmregion CREATE (eager, LAZY, with
 *    MAP_POPULATE or MADV_POPULATE_WRITE, HUGE) against memfd_create and
 *    shm_open (with the same populate variants for memfd). Then a second
 *    process attaches to pages that already exist and reads each one.
 * 6. Whole create, attach, unlink cycles of a 4 KiB object, per second.
 * 7. ATTACH (open + ATTACH + close) with 10, 1,000 and 10,000 other
 *    regions in the table, against shm_open of a file among as many in
 *    /dev/shm; the ratio is to the same method with 10. The names
 *    attached to are spread over the whole table.
 *
 * Only the setup is timed; unmapping and unlinking happen after.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libshmregion.h>
#include <linux/shmregion.h>

#include "bench.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23	/* 5.14 */
#endif

#define SETUP_REGION	"bench-setup"
#define SETUP_SHM	"/bench-setup"

/* how an object is made and mapped */
enum setup_kind { MEMFD, SHM_OPEN, REGION, REGION_LAZY, REGION_HUGE };
#define POP_NONE	0
#define POP_MAP		1	/* MAP_POPULATE */
#define POP_MADV	2	/* MADV_POPULATE_WRITE */

struct setup_method {
	const char *name;
	enum setup_kind kind;
	int populate;
};

static const struct setup_method setups[] = {
	{ "memfd_create + ftruncate + mmap (baseline)", MEMFD, POP_NONE },
	{ "memfd, MAP_POPULATE", MEMFD, POP_MAP },
	{ "memfd, MADV_POPULATE_WRITE", MEMFD, POP_MADV },
	{ "shm_open + ftruncate + mmap", SHM_OPEN, POP_NONE },
	{ "shmregion CREATE + mmap", REGION, POP_NONE },
	{ "shmregion CREATE LAZY + mmap", REGION_LAZY, POP_NONE },
	{ "shmregion CREATE, MAP_POPULATE", REGION, POP_MAP },
	{ "shmregion CREATE, MADV_POPULATE_WRITE", REGION, POP_MADV },
	{ "shmregion CREATE LAZY, MADV_POPULATE_WRITE", REGION_LAZY, POP_MADV },
	/* transparent huge pages (0.4.0): one fault per 2 MiB */
	{ "shmregion CREATE HUGE, MAP_POPULATE", REGION_HUGE, POP_MAP },
};

#define NSETUP ARRAY_SIZE(setups)
#define FIRST_REGION 4		/* setups[] from here on are shmregion's */

static const size_t sizes[] = {
	4096, 64 << 10, 1 << 20, 16 << 20, 64 << 20, 256 << 20,
};
static const char *const size_names[] = {
	"4 KiB", "64 KiB", "1 MiB", "16 MiB", "64 MiB", "256 MiB",
};

#define NSIZES ARRAY_SIZE(sizes)
#define SIZE_64M 4

/* Does CREATE take SHMR_CREATE_HUGE here? Asked once. */
static int shmr_huge_available(void)
{
	static int known = -1;
	struct shmr_create c = { .size = PAGE, .mode = 0600,
				 .flags = SHMR_CREATE_HUGE |
					  SHMR_CREATE_TRANSIENT };
	int fd;

	if (known >= 0)
		return known;
	fd = open(SHMR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("open " SHMR_DEVICE_PATH);
	snprintf(c.name, sizeof(c.name), "bench-huge-probe");
	known = !ioctl(fd, SHMR_IOC_CREATE, &c);
	if (!known && errno != EOPNOTSUPP)
		die("SHMR_IOC_CREATE HUGE");
	close(fd);
	return known;
}

static int make_object(enum setup_kind kind, size_t bytes)
{
	int fd;

	switch (kind) {
	case MEMFD:
		fd = memfd_create("bench-setup", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, bytes))
			die("memfd_create");
		return fd;
	case SHM_OPEN:
		fd = shm_open(SETUP_SHM, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (fd < 0 || ftruncate(fd, bytes))
			die("shm_open");
		return fd;
	case REGION:
		return region_create(SETUP_REGION, bytes, SHMR_CREATE_EXCL);
	case REGION_LAZY:
		return region_create(SETUP_REGION, bytes,
				     SHMR_CREATE_EXCL | SHMR_CREATE_LAZY);
	case REGION_HUGE:
		/* -1: no THP in this kernel (EOPNOTSUPP): the row is "-" */
		return shmr_huge_available() ?
		       region_create(SETUP_REGION, bytes,
				     SHMR_CREATE_EXCL | SHMR_CREATE_HUGE) : -1;
	}
	return -1;
}

static void drop_object(enum setup_kind kind, int fd)
{
	close(fd);
	if (kind == SHM_OPEN)
		shm_unlink(SETUP_SHM);
	else if (kind != MEMFD)
		region_unlink(SETUP_REGION);
}

static char *map_object(int fd, size_t bytes, int prot, int populate)
{
	char *p = mmap(NULL, bytes, prot,
		       MAP_SHARED | (populate == POP_MAP ? MAP_POPULATE : 0),
		       fd, 0);

	if (p == MAP_FAILED)
		die("mmap");
	if (populate == POP_MADV && madvise(p, bytes, MADV_POPULATE_WRITE))
		die("madvise(MADV_POPULATE_WRITE)");
	return p;
}

static void write_pages(char *p, size_t bytes)
{
	size_t off;

	for (off = 0; off < bytes; off += PAGE)
		((volatile char *)p)[off] = 1;
}

static unsigned long read_pages(const char *p, size_t bytes)
{
	unsigned long sum = 0;
	size_t off;

	for (off = 0; off < bytes; off += PAGE)
		sum += ((const volatile char *)p)[off];
	return sum;
}

/*
 * Repetitions of a small setup, so that one timing is not one call: up
 * to a budget of bytes, at most SETUP_MAX_ITERS.
 */
#define SETUP_MAX_ITERS	256

static long setup_iters(size_t bytes)
{
	size_t budget = opt.quick ? 2UL << 20 : 16UL << 20;
	long n = bytes >= budget ? 1 : budget / bytes;

	if (opt.quick)
		return n > SETUP_MAX_ITERS / 8 ? SETUP_MAX_ITERS / 8 : n;
	return n > SETUP_MAX_ITERS ? SETUP_MAX_ITERS : n;
}

/* ns per page: make, map, write every page */
static double setup_once(const struct setup_method *m, size_t bytes)
{
	long i, n = setup_iters(bytes);
	uint64_t spent = 0, t0;
	char *p;
	int fd;

	for (i = 0; i < n; i++) {
		t0 = now_ns();
		fd = make_object(m->kind, bytes);
		if (fd < 0)
			return NO_VALUE;
		p = map_object(fd, bytes, PROT_READ | PROT_WRITE, m->populate);
		write_pages(p, bytes);
		spent += now_ns() - t0;
		munmap(p, bytes);
		drop_object(m->kind, fd);
	}
	return (double)spent / n / (bytes / PAGE);
}

/* --- a second process attaches and reads ----------------------------------- */

static const struct setup_method attaches[] = {
	{ "memfd, fd inherited: mmap + read (baseline)", MEMFD, POP_NONE },
	{ "shm_open + mmap + read", SHM_OPEN, POP_NONE },
	{ "shmregion ATTACH + mmap + read", REGION, POP_NONE },
	{ "shmregion ATTACH + mmap MAP_POPULATE + read", REGION, POP_MAP },
};

#define NATTACH ARRAY_SIZE(attaches)

/* in the child: open the object that exists, map it, read every page */
static uint64_t attach_read(const struct setup_method *m, int fd, size_t bytes)
{
	uint64_t t0 = now_ns();
	char *p;
	int own = -1;

	if (m->kind == SHM_OPEN) {
		own = shm_open(SETUP_SHM, O_RDONLY, 0);
		if (own < 0)
			die("shm_open");
	} else if (m->kind == REGION) {
		own = region_attach(SETUP_REGION, SHMR_ATTACH_RDONLY);
	}
	p = mmap(NULL, bytes, PROT_READ,
		 MAP_SHARED | (m->populate == POP_MAP ? MAP_POPULATE : 0),
		 own >= 0 ? own : fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	if (read_pages(p, bytes) != bytes / PAGE)
		dief("attach: the pages do not hold what was written");
	return now_ns() - t0;
}

static double attach_once(const struct setup_method *m, size_t bytes)
{
	uint64_t *spent = map_shared(PAGE), total = 0;
	long i, n = setup_iters(bytes);
	pid_t pid;
	char *p;
	int fd;

	for (i = 0; i < n; i++) {
		fd = make_object(m->kind, bytes);
		p = map_object(fd, bytes, PROT_READ | PROT_WRITE, POP_NONE);
		write_pages(p, bytes);
		pid = fork_child();
		if (pid == 0) {
			*spent = attach_read(m, fd, bytes);
			_exit(0);
		}
		reap(pid, "attach");
		total += *spent;
		munmap(p, bytes);
		drop_object(m->kind, fd);
	}
	munmap(spent, PAGE);
	return (double)total / n / (bytes / PAGE);
}

static void setup_cost(void)
{
	double v[NSETUP][NSIZES][64], a[NATTACH][NSIZES][64];
	double row[NSIZES], best[NSIZES];
	struct table t = {
		.case_no = 5, .key = "setup_write",
		.title = "Make, map and write every page of shared memory",
		.unit = "ns per page", .scale = 1, .prec = 0,
		.note = "ratio to the first row",
	}, ta = {
		.case_no = 5, .key = "setup_attach_read",
		.title = "A second process attaches and reads every existing page",
		.unit = "ns per page", .scale = 1, .prec = 0,
		.note = "ratio to the first row",
	};
	size_t m, s, ns = 0;
	int r;

	while (ns < NSIZES && sizes[ns] <= opt.max_setup) {
		t.cols[ns] = ta.cols[ns] = size_names[ns];
		ns++;
	}
	t.ncols = ta.ncols = ns;
	for (s = 0; s < ns; s++) {
		/* warm-up: every method once */
		for (m = 0; m < NSETUP; m++)
			setup_once(&setups[m], sizes[s]);
		for (r = 0; r < opt.reps; r++) {
			for (m = 0; m < NSETUP; m++)
				v[m][s][r] = setup_once(&setups[m], sizes[s]);
			for (m = 0; m < NATTACH; m++)
				a[m][s][r] = attach_once(&attaches[m], sizes[s]);
		}
	}
	for (s = 0; s < ns; s++)
		best[s] = 0;
	for (m = 0; m < NSETUP; m++) {
		for (s = 0; s < ns; s++) {
			row[s] = median(v[m][s], opt.reps);
			if (m >= FIRST_REGION && row[s] != NO_VALUE &&
			    (!best[s] || row[s] < best[s]))
				best[s] = row[s];
		}
		table_row(&t, setups[m].name, row);
	}
	table_row(&t, "shmregion, the best of its rows above", best);
	for (m = 0; m < NATTACH; m++) {
		for (s = 0; s < ns; s++)
			row[s] = median(a[m][s], opt.reps);
		table_row(&ta, attaches[m].name, row);
	}
	table_print(&t);
	table_print(&ta);
	s = ns > SIZE_64M ? SIZE_64M : ns - 1;
	{
		char what[120];

		snprintf(what, sizeof(what),
			 "CREATE + mmap + write %s vs memfd", size_names[s]);
		target(5, what, table_ratio(&t, setups[FIRST_REGION].name, s),
		       1.00, 0);
		snprintf(what, sizeof(what),
			 "best shmregion path, %s, vs memfd", size_names[s]);
		target(5, what, table_ratio(&t, "shmregion, the best of its rows above", s),
		       0.50, 0);
	}
}

/* --- 6. create/attach/unlink cycles ---------------------------------------- */

#define CYCLE_REGION	"bench-cycle"
#define CYCLE_SHM	"/bench-cycle"

static void cycle_shm(void)
{
	int fd = shm_open(CYCLE_SHM, O_RDWR | O_CREAT | O_EXCL, 0600), fd2;
	char *p, *q;

	if (fd < 0 || ftruncate(fd, PAGE))
		die("shm_open");
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	fd2 = shm_open(CYCLE_SHM, O_RDWR, 0);
	if (p == MAP_FAILED || fd2 < 0)
		die("shm_open + mmap");
	q = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
	if (q == MAP_FAILED)
		die("mmap");
	p[0] = 1;
	if (q[0] != 1)
		dief("shm_open: the second mapping differs");
	munmap(q, PAGE);
	close(fd2);
	munmap(p, PAGE);
	close(fd);
	shm_unlink(CYCLE_SHM);
}

static void cycle_ioctl(void)
{
	int fd = region_create(CYCLE_REGION, PAGE, SHMR_CREATE_EXCL), fd2;
	char *p, *q;

	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	fd2 = region_attach(CYCLE_REGION, 0);
	q = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
	if (p == MAP_FAILED || q == MAP_FAILED)
		die("mmap");
	p[0] = 1;
	if (q[0] != 1)
		dief("shmregion: the second mapping differs");
	munmap(q, PAGE);
	close(fd2);
	munmap(p, PAGE);
	/* UNLINK works through any handle: the creator's, before it goes */
	region_unlink_fd(fd, CYCLE_REGION);
	close(fd);
}

static void cycle_lib(void)
{
	struct shmr *a, *b;
	int ret;

	ret = shmr_create(&a, CYCLE_REGION, PAGE, 0600, SHMR_EXCL);
	if (!ret)
		ret = shmr_attach(&b, CYCLE_REGION, 0);
	if (ret)
		dief("shmr_create/shmr_attach: %s", strerror(-ret));
	((char *)shmr_addr(a))[0] = 1;
	if (((char *)shmr_addr(b))[0] != 1)
		dief("libshmregion: the second mapping differs");
	shmr_close(b);
	/* the creator removes the name through its own handle */
	ret = shmr_funlink(a);
	if (ret)
		dief("shmr_funlink: %s", strerror(-ret));
	shmr_close(a);
}

static const struct {
	const char *name;
	void (*run)(void);
} cycles[] = {
	{ "shm_open + ftruncate + mmap, shm_open + mmap, shm_unlink (baseline)", cycle_shm },
	{ "shmregion CREATE + mmap, ATTACH + mmap, UNLINK through the creator's fd (ioctls)", cycle_ioctl },
	{ "shmr_create(), shmr_attach(), shmr_funlink() (library)", cycle_lib },
};

#define NCYCLES ARRAY_SIZE(cycles)

static void cycle_rate(void)
{
	double v[NCYCLES][64], row[2];
	struct table t = {
		.case_no = 6, .key = "cycles",
		.title = "Create + map, attach + map, unlink: one 4 KiB object per cycle",
		.unit = "us per cycle, and cycles/s", .scale = 1, .prec = 1,
		.note = "ratio of the time to the first row", .ratio_cols = 1,
		.ncols = 2, .cols = { "us/cycle", "cycles/s" },
	};
	size_t m;
	long i;
	int r;

	for (m = 0; m < NCYCLES; m++)
		for (i = 0; i < opt.cycles / 10; i++)
			cycles[m].run();
	for (r = 0; r < opt.reps; r++) {
		for (m = 0; m < NCYCLES; m++) {
			uint64_t t0 = now_ns();

			for (i = 0; i < opt.cycles; i++)
				cycles[m].run();
			v[m][r] = (double)(now_ns() - t0) / opt.cycles / 1e3;
		}
	}
	for (m = 0; m < NCYCLES; m++) {
		row[0] = median(v[m], opt.reps);
		row[1] = 1e6 / row[0];
		table_row(&t, cycles[m].name, row);
	}
	table_print(&t);
	target(6, "shmregion create/attach/unlink cycle time vs shm_open (ioctls)",
	       table_ratio(&t, cycles[1].name, 0), 1.00, 0);
	target(6, "shmregion create/attach/unlink cycle time vs shm_open (library)",
	       table_ratio(&t, cycles[2].name, 0), 1.00, 0);
}

/* --- 7. ATTACH with many regions ------------------------------------------- */

static void fill_name(char *buf, size_t len, int shm, long i)
{
	snprintf(buf, len, "%sbench-fill-%05ld", shm ? "/" : "", i);
}

/* grow the tables of regions and of /dev/shm files to @n entries each */
static void fill_to(long have, long n)
{
	char name[SHMR_NAME_MAX];
	long i;
	int fd;

	for (i = have; i < n; i++) {
		fill_name(name, sizeof(name), 0, i);
		close(region_create(name, PAGE,
				    SHMR_CREATE_EXCL | SHMR_CREATE_LAZY));
		fill_name(name, sizeof(name), 1, i);
		fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (fd < 0 || ftruncate(fd, PAGE))
			die("shm_open");
		close(fd);
	}
}

static void unfill(long n)
{
	char name[SHMR_NAME_MAX];
	long i;

	for (i = 0; i < n; i++) {
		fill_name(name, sizeof(name), 0, i);
		region_unlink(name);
		fill_name(name, sizeof(name), 1, i);
		shm_unlink(name);
	}
}

/* ns per open + attach + close of a name among the first @n */
static double attach_scale_once(int shm, long n, long calls)
{
	char name[SHMR_NAME_MAX];
	uint64_t spent = 0, t0;
	long i;
	int fd;

	for (i = 0; i < calls; i++) {
		fill_name(name, sizeof(name), shm, (i * 7919) % n);
		t0 = now_ns();
		if (shm) {
			fd = shm_open(name, O_RDWR, 0);
			if (fd < 0)
				die("shm_open");
		} else {
			fd = region_attach(name, 0);
		}
		close(fd);
		spent += now_ns() - t0;
	}
	return (double)spent / calls;
}

/*
 * Each repetition fills the tables from empty to 10,000 entries,
 * measuring both methods at each size on the way, and empties them.
 */
static void attach_scale(void)
{
	static const long counts[] = { 10, 1000, 10000 };
	static const char *const cols[] = { "10", "1,000", "10,000" };
	static const char *const names[] = {
		"shmregion open + ATTACH + close",
		"shm_open + close (a file among as many in /dev/shm)",
	};
	double v[2][3][64], row[3];
	struct table t = {
		.case_no = 7, .key = "attach_scale",
		.title = "ATTACH with N other regions existing",
		.unit = "ns per attach", .scale = 1, .prec = 0,
		.note = "ratio to the same method with 10", .flags = TAB_RATIO_FIRST_COL,
	};
	long have, calls = opt.cycles * 2;
	int n, m, r;

	for (n = 0; n < 3 && counts[n] <= opt.max_regions; n++)
		t.cols[n] = cols[n];
	t.ncols = n;
	fill_to(0, counts[0]);
	for (m = 0; m < 2; m++)
		attach_scale_once(m, counts[0], calls);
	unfill(counts[0]);
	for (r = 0; r < opt.reps; r++) {
		for (n = 0, have = 0; n < t.ncols; n++) {
			fill_to(have, counts[n]);
			have = counts[n];
			for (m = 0; m < 2; m++)
				v[m][n][r] = attach_scale_once(m, have, calls);
		}
		unfill(have);
	}
	for (m = 0; m < 2; m++) {
		for (n = 0; n < t.ncols; n++)
			row[n] = median(v[m][n], opt.reps);
		table_row(&t, names[m], row);
	}
	table_print(&t);
	if (t.ncols == 3)
		target(7, "ATTACH with 10,000 regions vs with 10",
		       table_ratio(&t, names[0], 2), 1.30, 0);
}

void bench_setup(const char *cases)
{
	pin_cpu(0);
	if (strchr(cases, '5'))
		setup_cost();
	if (strchr(cases, '6'))
		cycle_rate();
	if (strchr(cases, '7'))
		attach_scale();
}
