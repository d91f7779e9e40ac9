// SPDX-License-Identifier: GPL-2.0
/*
 * Cases 1 and 4: how long a wake-up takes.
 *
 * 1. One-way wake latency. The waker (pinned to vCPU 0) writes a
 *    timestamp into shared memory, then signals by the method under
 *    test; the waiter (pinned to vCPU 1) takes the time as soon as it
 *    runs, stores the difference and acknowledges on a futex, the same
 *    back channel for every method, so only the forward wake differs.
 *    Back to back, the waker signals as soon as the acknowledgement
 *    comes; with the idle gap it sleeps first, so that the waiter is
 *    surely asleep and the wake-up is a cold one.
 * 4. Fan-out: N waiters sleep on one region (or one futex word); the
 *    time from the timestamp before the notify to the moment the last
 *    of them runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libshmregion.h>

#include "bench.h"

#define WAKE_REGION	"bench-wake"

/* What one method keeps; set up before fork, the waiter's half after. */
struct wake_ctx {
	struct shmr *notifier;		/* the waker's handle */
	struct shmr *waiter;		/* the waiter's handle */
	int fd[2];
	int epfd;
	uint32_t *word;			/* the futex word */
	uint32_t expect;		/* the waiter's next futex value */
	uint64_t seq;			/* the waiter's last sequence */
};

struct wake_method {
	const char *name;
	void (*setup)(struct wake_ctx *c);
	void (*waiter_init)(struct wake_ctx *c);
	void (*send)(struct wake_ctx *c);
	void (*recv)(struct wake_ctx *c);
	void (*teardown)(struct wake_ctx *c);
};

/* --- futex on a shared memfd page ---------------------------------------- */

static void futex_setup(struct wake_ctx *c)
{
	int fd = memfd_create("bench-futex", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, PAGE))
		die("memfd_create");
	c->word = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (c->word == MAP_FAILED)
		die("mmap memfd");
	close(fd);
}

static void futex_send(struct wake_ctx *c)
{
	futex_bump(c->word);
}

static void futex_recv(struct wake_ctx *c)
{
	futex_await(c->word, ++c->expect);
}

static void futex_teardown(struct wake_ctx *c)
{
	munmap(c->word, PAGE);
}

/* --- shmregion: WAIT through the library, poll+read, epoll --------------- */

static void region_setup(struct wake_ctx *c)
{
	int ret = shmr_create(&c->notifier, WAKE_REGION, PAGE, 0600,
			      SHMR_EXCL);

	if (ret)
		dief("shmr_create: %s", strerror(-ret));
}

static void region_send(struct wake_ctx *c)
{
	int ret = shmr_notify(c->notifier, NULL);

	if (ret)
		dief("shmr_notify: %s", strerror(-ret));
}

static void region_teardown(struct wake_ctx *c)
{
	shmr_close(c->notifier);
	shmr_unlink(WAKE_REGION);
}

static void wait_init(struct wake_ctx *c)
{
	int ret = shmr_attach(&c->waiter, WAKE_REGION, SHMR_RDONLY);

	if (ret)
		dief("shmr_attach: %s", strerror(-ret));
	c->seq = shmr_seq(c->waiter);
}

static void wait_recv(struct wake_ctx *c)
{
	int ret = shmr_wait(c->waiter, &c->seq, SHMR_FOREVER);

	if (ret)
		dief("shmr_wait: %s", strerror(-ret));
}

static void poll_init(struct wake_ctx *c)
{
	c->fd[0] = region_attach(WAKE_REGION, 0);
}

static void consume(int fd)
{
	uint64_t seq;

	if (read(fd, &seq, sizeof(seq)) != sizeof(seq))
		die("read region");
}

static void poll_recv(struct wake_ctx *c)
{
	struct pollfd p = { .fd = c->fd[0], .events = POLLIN };

	if (poll(&p, 1, -1) != 1)
		die("poll");
	consume(c->fd[0]);
}

static void epoll_init(struct wake_ctx *c)
{
	struct epoll_event ev = { .events = EPOLLIN };

	c->fd[0] = region_attach(WAKE_REGION, 0);
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->epfd < 0 || epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->fd[0], &ev))
		die("epoll");
}

static void epoll_recv(struct wake_ctx *c)
{
	struct epoll_event ev;

	if (epoll_wait(c->epfd, &ev, 1, -1) != 1)
		die("epoll_wait");
	consume(c->fd[0]);
}

/* --- file descriptors: eventfd, pipe, socketpair ------------------------- */

static void no_init(struct wake_ctx *c)
{
}

static void eventfd_setup(struct wake_ctx *c)
{
	c->fd[0] = c->fd[1] = eventfd(0, EFD_CLOEXEC);
	if (c->fd[0] < 0)
		die("eventfd");
}

static void pipe_setup(struct wake_ctx *c)
{
	if (pipe2(c->fd, O_CLOEXEC))
		die("pipe2");
}

static void socket_setup(struct wake_ctx *c)
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c->fd))
		die("socketpair");
}

/* the waker writes fd[1], the waiter reads fd[0] */
static void eventfd_send(struct wake_ctx *c)
{
	uint64_t one = 1;

	if (write(c->fd[1], &one, 8) != 8)
		die("write eventfd");
}

static void eventfd_recv(struct wake_ctx *c)
{
	uint64_t v;

	if (read(c->fd[0], &v, 8) != 8)
		die("read eventfd");
}

static void byte_send(struct wake_ctx *c)
{
	if (write(c->fd[1], "x", 1) != 1)
		die("write");
}

static void byte_recv(struct wake_ctx *c)
{
	char b;

	if (read(c->fd[0], &b, 1) != 1)
		die("read");
}

static void fd_teardown(struct wake_ctx *c)
{
	close(c->fd[0]);
	if (c->fd[1] != c->fd[0])
		close(c->fd[1]);
}

static const struct wake_method wake_methods[] = {
	{ "futex on a shared memfd page (baseline)", futex_setup, no_init,
	  futex_send, futex_recv, futex_teardown },
	{ "shmregion WAIT (shmr_wait/shmr_notify)", region_setup, wait_init,
	  region_send, wait_recv, region_teardown },
	{ "shmregion poll+read", region_setup, poll_init, region_send,
	  poll_recv, region_teardown },
	{ "shmregion epoll+read", region_setup, epoll_init, region_send,
	  epoll_recv, region_teardown },
	{ "eventfd", eventfd_setup, no_init, eventfd_send, eventfd_recv,
	  fd_teardown },
	{ "pipe", pipe_setup, no_init, byte_send, byte_recv, fd_teardown },
	{ "UNIX socketpair", socket_setup, no_init, byte_send, byte_recv,
	  fd_teardown },
};

#define NWAKE ARRAY_SIZE(wake_methods)

struct wake_shared {
	_Alignas(CACHELINE) uint64_t t_send;
	_Alignas(CACHELINE) uint32_t ack;
	uint32_t ready;
	_Alignas(CACHELINE) uint64_t sample[];
};

/*
 * @warm + @n wake-ups by @m, @gap_ns apart; the last @n latencies (ns)
 * into @out.
 */
static void wake_once(const struct wake_method *m, uint64_t gap_ns, long warm,
		      long n, uint64_t *out)
{
	size_t bytes = sizeof(struct wake_shared) + (warm + n) * sizeof(uint64_t);
	struct wake_shared *s = map_shared(bytes);
	struct wake_ctx c = { .epfd = -1 };
	long i, total = warm + n;
	pid_t pid;

	m->setup(&c);
	pid = fork_child();
	if (pid == 0) {
		pin_cpu(peer_cpu());
		m->waiter_init(&c);
		futex_bump(&s->ready);
		for (i = 0; i < total; i++) {
			m->recv(&c);
			s->sample[i] = now_ns() -
				__atomic_load_n(&s->t_send, __ATOMIC_ACQUIRE);
			futex_bump(&s->ack);
		}
		_exit(0);
	}
	pin_cpu(0);
	futex_await(&s->ready, 1);
	for (i = 0; i < total; i++) {
		futex_await(&s->ack, i);
		if (gap_ns)
			sleep_ns(gap_ns);
		__atomic_store_n(&s->t_send, now_ns(), __ATOMIC_RELEASE);
		m->send(&c);
	}
	futex_await(&s->ack, total);
	reap(pid, m->name);
	m->teardown(&c);
	memcpy(out, s->sample + warm, n * sizeof(uint64_t));
	munmap(s, bytes);
}

static void wake_latency(int gap)
{
	static const char *const set[2] = { "busy", "gap" };
	long per = (opt.samples + opt.reps - 1) / opt.reps;
	long warm = per / 10 < 1000 ? per / 10 : 1000;
	double p[NWAKE][3][64], row[3];
	uint64_t *all[NWAKE];
	char title[120];
	struct table t = {
		.case_no = 1, .unit = "us", .scale = 1e3, .prec = 1,
		.note = "ratio to the first row; median of the repetitions' percentiles",
		.ncols = 3, .cols = { "p50", "p99", "p99.9" },
	};
	size_t m, k;
	int r, q;

	t.key = gap ? "wake_latency_gap" : "wake_latency";
	if (gap)
		snprintf(title, sizeof(title),
			 "One-way wake latency, %ld us idle between wake-ups (%ld samples)",
			 opt.gap_us, per * opt.reps);
	else
		snprintf(title, sizeof(title),
			 "One-way wake latency, back to back (%ld samples)",
			 per * opt.reps);
	t.title = title;
	for (m = 0; m < NWAKE; m++) {
		all[m] = malloc(per * opt.reps * sizeof(uint64_t));
		if (!all[m])
			die("malloc");
	}
	/*
	 * Each repetition runs every method, so that drift hits them all,
	 * and starts one method later than the last, so that no method is
	 * always first (after the sorting) or always after the same one.
	 */
	for (r = 0; r < opt.reps; r++) {
		for (k = 0; k < NWAKE; k++) {
			uint64_t *v, *sorted;

			m = (k + r) % NWAKE;
			v = all[m] + (size_t)r * per;

			wake_once(&wake_methods[m], gap ? opt.gap_us * 1000 : 0,
				  warm, per, v);
			sorted = malloc(per * sizeof(uint64_t));
			if (!sorted)
				die("malloc");
			memcpy(sorted, v, per * sizeof(uint64_t));
			sort_u64(sorted, per);
			p[m][0][r] = quantile_u64(sorted, per, 0.50);
			p[m][1][r] = quantile_u64(sorted, per, 0.99);
			p[m][2][r] = quantile_u64(sorted, per, 0.999);
			free(sorted);
		}
	}
	for (m = 0; m < NWAKE; m++) {
		for (q = 0; q < 3; q++)
			row[q] = median(p[m][q], opt.reps);
		table_row(&t, wake_methods[m].name, row);
		sort_u64(all[m], per * opt.reps);
		cdf_write(set[gap], wake_methods[m].name, all[m], per * opt.reps);
		free(all[m]);
	}
	table_print(&t);
	target(1, gap ? "WAIT wake p50 vs futex, idle gap"
		      : "WAIT wake p50 vs futex, back to back",
	       table_ratio(&t, wake_methods[1].name, 0), 1.00, 0);
	target(1, gap ? "WAIT wake p99 vs futex, idle gap"
		      : "WAIT wake p99 vs futex, back to back",
	       table_ratio(&t, wake_methods[1].name, 1), 1.10, 0);
}

/* --- 4. fan-out -------------------------------------------------------------- */

#define FAN_REGION	"bench-fanout"
#define FAN_MAX		256

struct fan_shared {
	_Alignas(CACHELINE) uint64_t t_send;
	_Alignas(CACHELINE) uint64_t t_last;	/* the latest waiter's time */
	_Alignas(CACHELINE) uint32_t done;	/* wake-ups seen, all rounds */
	uint32_t ready;
	_Alignas(CACHELINE) uint32_t word;	/* the futex method's word */
};

static void fan_note(struct fan_shared *s, int nwait)
{
	uint64_t t = now_ns(), last = __atomic_load_n(&s->t_last, __ATOMIC_RELAXED);

	while (t > last && !__atomic_compare_exchange_n(&s->t_last, &last, t, 0,
							__ATOMIC_RELAXED,
							__ATOMIC_RELAXED))
		;
	if (__atomic_add_fetch(&s->done, 1, __ATOMIC_RELEASE) % nwait == 0)
		futex_wake(&s->done, 1);
}

static void fan_waiter(struct fan_shared *s, int use_region, int nwait,
		       long rounds)
{
	struct shmr *r = NULL;
	uint64_t seq = 0;
	long i;
	int ret;

	if (use_region) {
		ret = shmr_attach(&r, FAN_REGION, SHMR_RDONLY);
		if (ret)
			dief("shmr_attach: %s", strerror(-ret));
		seq = shmr_seq(r);
	}
	__atomic_add_fetch(&s->ready, 1, __ATOMIC_RELEASE);
	futex_wake(&s->ready, 1);
	for (i = 0; i < rounds; i++) {
		if (use_region) {
			ret = shmr_wait(r, &seq, SHMR_FOREVER);
			if (ret)
				dief("shmr_wait: %s", strerror(-ret));
		} else {
			while (__atomic_load_n(&s->word, __ATOMIC_ACQUIRE) == i)
				futex_wait(&s->word, i);
		}
		fan_note(s, nwait);
	}
	_exit(0);
}

/* @rounds fan-outs to @nwait waiters; the median and p99 time (ns) */
static void fan_once(int use_region, int nwait, long rounds, double *p50,
		     double *p99)
{
	struct fan_shared *s = map_shared(sizeof(*s));
	uint64_t settle = (opt.gap_us * 1000) * (1 + nwait / 16);
	long warm = 3, total = warm + rounds, i;
	uint64_t *v = calloc(rounds, sizeof(uint64_t));
	pid_t pid[FAN_MAX];
	struct shmr *notifier = NULL;
	int w, ret;

	if (!v)
		die("calloc");
	if (use_region) {
		ret = shmr_create(&notifier, FAN_REGION, PAGE, 0644, SHMR_EXCL);
		if (ret)
			dief("shmr_create: %s", strerror(-ret));
	}
	for (w = 0; w < nwait; w++) {
		pid[w] = fork_child();
		if (pid[w] == 0)
			fan_waiter(s, use_region, nwait, total);
	}
	pin_cpu(0);
	futex_await(&s->ready, nwait);
	for (i = 0; i < total; i++) {
		sleep_ns(settle);
		__atomic_store_n(&s->t_last, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&s->t_send, now_ns(), __ATOMIC_RELEASE);
		if (use_region) {
			ret = shmr_notify(notifier, NULL);
			if (ret)
				dief("shmr_notify: %s", strerror(-ret));
		} else {
			__atomic_store_n(&s->word, i + 1, __ATOMIC_RELEASE);
			futex_wake(&s->word, INT_MAX);
		}
		futex_await(&s->done, (uint32_t)(nwait * (i + 1)));
		if (i >= warm)
			v[i - warm] = __atomic_load_n(&s->t_last, __ATOMIC_ACQUIRE) -
				      s->t_send;
	}
	for (w = 0; w < nwait; w++)
		reap(pid[w], "fan-out waiter");
	if (use_region) {
		shmr_close(notifier);
		shmr_unlink(FAN_REGION);
	}
	sort_u64(v, rounds);
	*p50 = quantile_u64(v, rounds, 0.5);
	*p99 = quantile_u64(v, rounds, 0.99);
	free(v);
	munmap(s, sizeof(*s));
}

static void fan_out(void)
{
	static const int sizes[] = { 1, 4, 16, 64, 256 };
	static const char *const names[] = {
		"FUTEX_WAKE(INT_MAX) on a shared word (baseline)",
		"shmregion NOTIFY, waiters in shmr_wait",
	};
	static const char *const cols[] = { "1", "4", "16", "64", "256" };
	struct table t50 = {
		.case_no = 4, .key = "fanout_p50", .unit = "us", .scale = 1e3,
		.prec = 1, .note = "ratio to the first row",
	}, t99;
	double v50[2][5][64], v99[2][5][64], row50[5], row99[5];
	int n, s, m, k, r;
	char title[2][120];

	for (n = 0; n < 5 && sizes[n] <= opt.max_fanout; n++)
		t50.cols[n] = cols[n];
	t50.ncols = n;
	t99 = t50;
	t99.key = "fanout_p99";
	snprintf(title[0], sizeof(title[0]),
		 "Fan-out: notify to the last of N waiters running, median of %ld rounds",
		 opt.rounds);
	snprintf(title[1], sizeof(title[1]),
		 "Fan-out: notify to the last of N waiters running, p99 of %ld rounds",
		 opt.rounds);
	t50.title = title[0];
	t99.title = title[1];
	/* the two methods take turns at going first, as in wake_latency() */
	for (r = 0; r < opt.reps; r++)
		for (s = 0; s < n; s++)
			for (k = 0; k < 2; k++) {
				m = (k + r) % 2;
				fan_once(m, sizes[s], opt.rounds, &v50[m][s][r],
					 &v99[m][s][r]);
			}
	for (m = 0; m < 2; m++) {
		for (s = 0; s < n; s++) {
			row50[s] = median(v50[m][s], opt.reps);
			row99[s] = median(v99[m][s], opt.reps);
		}
		table_row(&t50, names[m], row50);
		table_row(&t99, names[m], row99);
	}
	table_print(&t50);
	table_print(&t99);
	if (n == 5)
		target(4, "fan-out to 256 waiters p50 vs FUTEX_WAKE(INT_MAX)",
		       table_ratio(&t50, names[1], 4), 1.20, 0);
}

void bench_wake(const char *cases)
{
	if (strchr(cases, '1')) {
		wake_latency(0);
		wake_latency(1);
	}
	if (strchr(cases, '4'))
		fan_out();
}
