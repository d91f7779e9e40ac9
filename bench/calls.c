// SPDX-License-Identifier: GPL-2.0
/*
 * Cases 2 and 3: the calls that should cost (almost) nothing.
 *
 * 2. WAIT when the caller is already behind: the sequence has moved, so
 *    the answer is "return at once". The control page answers without a
 *    system call (what shmr_wait() does); the ioctl against a
 *    FUTEX_WAIT whose word has moved (EAGAIN), the futex's equivalent.
 * 3. NOTIFY when nobody waits: the raw ioctl and shmr_notify() against a
 *    bare system call (getppid()) and a FUTEX_WAKE with no waiter.
 *
 * Each table has a floor row too: shmr_fd(), a library call that only
 * returns, under shmr_wait(); an ioctl the module does not know (ENOTTY)
 * under the NOTIFY ioctl. What a method costs above its floor is its own.
 *
 * One process, no sleeping: each figure is the mean cost of a call over
 * opt.calls calls, median of the repetitions.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <libshmregion.h>
#include <linux/shmregion.h>

#include "bench.h"

#define CALLS_REGION	"bench-calls"

struct calls_ctx {
	struct shmr *r;
	int fd;				/* the raw handle */
	const struct shmr_ctrl *ctrl;	/* the raw handle's control page */
	int efd;
};

struct call_method {
	const char *name;
	long mult;			/* times opt.calls, for cheap ones */
	void (*run)(struct calls_ctx *c, long n);
};

/* --- 2. already behind ------------------------------------------------------- */

static void behind_futex(struct calls_ctx *c, long n)
{
	uint32_t word = 1;
	long i;

	for (i = 0; i < n; i++)
		if (futex_wait(&word, 0) != -1 || errno != EAGAIN)
			die("FUTEX_WAIT");
}

static void behind_ctrl(struct calls_ctx *c, long n)
{
	uint64_t last = 0, news = 0;
	long i;

	for (i = 0; i < n; i++)
		news += __atomic_load_n(&c->ctrl->seq, __ATOMIC_ACQUIRE) != last;
	if (news != (uint64_t)n)
		dief("the control page says no news");
}

static void behind_lib(struct calls_ctx *c, long n)
{
	uint64_t seq;
	long i;

	for (i = 0; i < n; i++) {
		seq = 0;
		if (shmr_wait(c->r, &seq, SHMR_FOREVER) || !seq)
			dief("shmr_wait, already behind");
	}
}

/* the floor under any libshmregion call: the call itself, through the PLT */
static void behind_libcall(struct calls_ctx *c, long n)
{
	long i, bad = 0;

	for (i = 0; i < n; i++)
		bad += shmr_fd(c->r) < 0;
	if (bad)
		dief("shmr_fd");
}

static void behind_ioctl(struct calls_ctx *c, long n)
{
	long i;

	for (i = 0; i < n; i++)
		region_wait(c->fd, 0);
}

static const struct call_method behind[] = {
	{ "FUTEX_WAIT, word moved: EAGAIN (baseline)", 1, behind_futex },
	{ "shmregion control page load", 10, behind_ctrl },
	{ "shmr_wait(), already behind (control page)", 10, behind_lib },
	{ "shmr_fd(): a library call that only returns", 10, behind_libcall },
	{ "SHMR_IOC_WAIT ioctl, already behind", 1, behind_ioctl },
};

/* --- 3. nobody waiting ------------------------------------------------------- */

static void alone_getppid(struct calls_ctx *c, long n)
{
	long i;

	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
}

static void alone_ioctl(struct calls_ctx *c, long n)
{
	long i;

	for (i = 0; i < n; i++)
		region_notify(c->fd);
}

/* the floor under any ioctl on a handle: one the module does not know */
static void alone_enotty(struct calls_ctx *c, long n)
{
	long i;

	for (i = 0; i < n; i++)
		if (ioctl(c->fd, _IO(SHMR_IOC_MAGIC, 0xff)) != -1 ||
		    errno != ENOTTY)
			dief("an unknown ioctl did not fail with ENOTTY");
}

static void alone_lib(struct calls_ctx *c, long n)
{
	long i;

	for (i = 0; i < n; i++)
		if (shmr_notify(c->r, NULL))
			dief("shmr_notify");
}

static void alone_futex(struct calls_ctx *c, long n)
{
	uint32_t *word = (uint32_t *)shmr_addr(c->r);
	long i;

	/* a shared word (the region's first), as for a process-shared futex */
	for (i = 0; i < n; i++)
		if (futex_wake(word, 1) < 0)
			die("FUTEX_WAKE");
}

static void alone_eventfd(struct calls_ctx *c, long n)
{
	uint64_t one = 1;
	long i;

	for (i = 0; i < n; i++)
		if (write(c->efd, &one, 8) != 8)
			die("write eventfd");
}

static const struct call_method alone[] = {
	{ "getppid(): a bare system call (baseline)", 1, alone_getppid },
	{ "SHMR_IOC_NOTIFY ioctl, nobody waiting", 1, alone_ioctl },
	{ "an unknown ioctl on the handle: ENOTTY", 1, alone_enotty },
	{ "shmr_notify(), nobody waiting", 1, alone_lib },
	{ "FUTEX_WAKE on a shared word, nobody waiting", 1, alone_futex },
	{ "eventfd write, nobody reading", 1, alone_eventfd },
};

/* one table: every method per repetition, warm-up first; ns per call */
static void calls_table(struct table *t, const struct call_method *m, int nm,
			struct calls_ctx *c)
{
	double v[8][64], row[1];
	int i, r;

	for (i = 0; i < nm; i++)
		m[i].run(c, opt.calls * m[i].mult / 10);
	for (r = 0; r < opt.reps; r++) {
		for (i = 0; i < nm; i++) {
			long n = opt.calls * m[i].mult;
			uint64_t t0 = now_ns();

			m[i].run(c, n);
			v[i][r] = (double)(now_ns() - t0) / n;
		}
	}
	for (i = 0; i < nm; i++) {
		row[0] = median(v[i], opt.reps);
		table_row(t, m[i].name, row);
	}
	table_print(t);
}

void bench_calls(const char *cases)
{
	struct calls_ctx c;
	struct table tb = {
		.case_no = 2, .key = "wait_behind",
		.title = "WAIT when already behind: the answer is \"return at once\"",
		.unit = "ns", .scale = 1, .prec = 1,
		.note = "ratio to the first row", .ncols = 1,
		.cols = { "ns/call" },
	}, ta = {
		.case_no = 3, .key = "notify_alone",
		.title = "NOTIFY with nobody waiting",
		.unit = "ns", .scale = 1, .prec = 1,
		.note = "ratio to the first row", .ncols = 1,
		.cols = { "ns/call" },
	};
	int ret;

	if (!strpbrk(cases, "23"))
		return;
	pin_cpu(0);
	ret = shmr_create(&c.r, CALLS_REGION, PAGE, 0600, SHMR_EXCL);
	if (ret)
		dief("shmr_create: %s", strerror(-ret));
	c.fd = region_attach(CALLS_REGION, 0);
	c.ctrl = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, c.fd, SHMR_CTRL_OFFSET);
	if (c.ctrl == MAP_FAILED)
		die("mmap control page");
	c.efd = eventfd(0, EFD_CLOEXEC);
	if (c.efd < 0)
		die("eventfd");
	region_notify(c.fd);

	if (strchr(cases, '2')) {
		calls_table(&tb, behind, ARRAY_SIZE(behind), &c);
		target(2, "already behind: control page load vs FUTEX_WAIT EAGAIN",
		       table_ratio(&tb, behind[1].name, 0), 0.01, 0);
		target(2, "already behind: shmr_wait() (control page) vs FUTEX_WAIT EAGAIN",
		       table_ratio(&tb, behind[2].name, 0), 0.01, 0);
		target(2, "already behind: WAIT ioctl vs FUTEX_WAIT EAGAIN",
		       table_ratio(&tb, behind[4].name, 0), 1.00, 0);
	}
	if (strchr(cases, '3')) {
		calls_table(&ta, alone, ARRAY_SIZE(alone), &c);
		target(3, "NOTIFY ioctl, no waiter, vs getppid()",
		       table_ratio(&ta, alone[1].name, 0), 1.50, 0);
		target(3, "shmr_notify(), no waiter, vs getppid() (eventcount path)",
		       table_ratio(&ta, alone[3].name, 0), 0.20, 0);
	}

	close(c.efd);
	munmap((void *)c.ctrl, PAGE);
	close(c.fd);
	shmr_close(c.r);
	shmr_unlink(CALLS_REGION);
}
