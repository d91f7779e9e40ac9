// SPDX-License-Identifier: GPL-2.0
/*
 * Case 9: huge pages (issue 13).
 *
 * A region of opt.max_setup bytes (256 MiB; 16 MiB with -q), made,
 * mapped and written page by page, then read at random 8-byte places
 * (a TLB-bound pass): shmregion's 4 KiB path (eager CREATE) as the
 * baseline, SHMR_CREATE_HUGE (transparent huge pages from the module's
 * huge=within_size tmpfs), memfd, and memfd with MFD_HUGETLB where the
 * guest has hugetlb pages reserved (bench/bench.sh reserves them; "-"
 * where it has none). The random pass touches the same addresses, from
 * the same seed, for every method.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/shmregion.h>

#include "bench.h"

#ifndef MFD_HUGETLB
#define MFD_HUGETLB	0x0004U
#endif

#define HUGE_REGION	"bench-huge"
#define HUGE_2M		(2UL << 20)

enum huge_kind { REGION_4K, REGION_HUGE, MEMFD_4K, MEMFD_HUGETLB, NHUGE };

static const char *const huge_names[NHUGE] = {
	"shmregion CREATE, 4 KiB pages (baseline)",
	"shmregion CREATE HUGE (THP)",
	"memfd_create + ftruncate",
	"memfd_create MFD_HUGETLB",
};

/* Make and map the object; NULL (the method is not here) or the mapping. */
static char *huge_make(enum huge_kind k, size_t bytes, int *fdp)
{
	int fd = -1;
	char *p;

	switch (k) {
	case REGION_4K:
		fd = region_create(HUGE_REGION, bytes, SHMR_CREATE_EXCL);
		break;
	case REGION_HUGE: {
		struct shmr_create c = { .size = bytes, .mode = 0600,
					 .flags = SHMR_CREATE_EXCL |
						  SHMR_CREATE_HUGE };

		fd = open(SHMR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		snprintf(c.name, sizeof(c.name), "%s", HUGE_REGION);
		if (fd >= 0 && ioctl(fd, SHMR_IOC_CREATE, &c)) {
			if (errno != EOPNOTSUPP)
				die("CREATE HUGE");
			close(fd);
			return NULL;
		}
		break;
	}
	case MEMFD_4K:
		fd = memfd_create("bench-huge", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, bytes))
			die("memfd_create");
		break;
	case MEMFD_HUGETLB:
		fd = memfd_create("bench-huge", MFD_CLOEXEC | MFD_HUGETLB);
		if (fd < 0)
			return NULL;
		if (ftruncate(fd, bytes)) {
			close(fd);
			return NULL;
		}
		break;
	default:
		return NULL;
	}
	if (fd < 0)
		die("open");
	/* a 2 MiB aligned address, where a huge page can be mapped whole */
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		if (k == MEMFD_HUGETLB) {	/* too few hugetlb pages */
			close(fd);
			return NULL;
		}
		die("mmap");
	}
	*fdp = fd;
	return p;
}

static void huge_drop(enum huge_kind k, char *p, size_t bytes, int fd)
{
	munmap(p, bytes);
	close(fd);
	if (k == REGION_4K || k == REGION_HUGE)
		region_unlink(HUGE_REGION);
}

/*
 * One repetition of method @k: @v[0] ns per 4 KiB page to make, map and
 * write every page; @v[1] ns per random 8-byte read. NO_VALUE for both
 * when the method is not available here.
 */
static void huge_once(enum huge_kind k, size_t bytes, long reads,
		      double *v)
{
	uint64_t t0, state = 0x9e3779b97f4a7c15ULL, sum = 0;
	size_t off;
	long i;
	char *p;
	int fd;

	t0 = now_ns();
	p = huge_make(k, bytes, &fd);
	if (!p) {
		v[0] = v[1] = NO_VALUE;
		return;
	}
	for (off = 0; off < bytes; off += PAGE)
		((volatile char *)p)[off] = 1;
	v[0] = (double)(now_ns() - t0) / (bytes / PAGE);
	t0 = now_ns();
	for (i = 0; i < reads; i++) {
		state = state * 6364136223846793005ULL + 1442695040888963407ULL;
		sum += ((volatile uint64_t *)p)[(state >> 20) % (bytes / 8)];
	}
	v[1] = (double)(now_ns() - t0) / reads;
	if (sum == 42)		/* keep the reads */
		fputc(' ', stderr);
	huge_drop(k, p, bytes, fd);
}

static void huge_cost(void)
{
	size_t bytes = opt.max_setup < (256UL << 20) ? opt.max_setup :
		       (256UL << 20);
	long reads = opt.quick ? 200000 : 2000000;
	double v[NHUGE][2][64], row[2];
	char title[96];
	struct table t = {
		.case_no = 9, .key = "huge_pages",
		.unit = "ns", .scale = 1, .prec = 1,
		.note = "ratio to the first row; per 4 KiB page written, per random 8-byte read",
		.ncols = 2,
		.cols = { "make + map + write", "random reads" },
	};
	int k, r, c, n;

	if (bytes < HUGE_2M)
		bytes = HUGE_2M;
	snprintf(title, sizeof(title),
		 "Huge pages: %zu MiB, written, then read at random",
		 bytes >> 20);
	t.title = title;
	for (k = 0; k < NHUGE; k++)	/* warm-up */
		huge_once(k, bytes, reads / 10, v[k][0]);
	for (r = 0; r < opt.reps; r++)
		for (k = 0; k < NHUGE; k++) {
			double one[2];

			huge_once(k, bytes, reads, one);
			v[k][0][r] = one[0];
			v[k][1][r] = one[1];
		}
	for (k = 0; k < NHUGE; k++) {
		for (c = 0; c < 2; c++) {
			for (n = 0, r = 0; r < opt.reps; r++)
				n += v[k][c][r] != NO_VALUE;
			row[c] = n == opt.reps ? median(v[k][c], opt.reps) :
				 NO_VALUE;
		}
		table_row(&t, huge_names[k], row);
	}
	table_print(&t);
}

void bench_huge(const char *cases)
{
	pin_cpu(0);
	if (strchr(cases, '9'))
		huge_cost();
}
