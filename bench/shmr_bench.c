// SPDX-License-Identifier: GPL-2.0
/*
 * shmr_bench: shmregion against the usual alternatives, in one run.
 *
 * Five tables, each as ratios to a baseline measured in the same run
 * (under emulation absolute times mean little; ratios are what we
 * compare):
 *
 *  1. wake-up round trip between two processes: shmregion NOTIFY/WAIT,
 *     shmregion poll+read, a futex, an eventfd pair, a pipe pair;
 *  2. "is there news?" when there is: the control page (no system call),
 *     WAIT that returns at once, FUTEX_WAIT on a moved word (EAGAIN), an
 *     eventfd write+read;
 *  3. an update nobody waits for: NOTIFY, FUTEX_WAKE with no waiter, an
 *     eventfd write, against getppid() (a bare system call);
 *  4. and 5. setting up 1 MiB and 64 MiB of shared memory and touching
 *     every page: shmregion CREATE+mmap, memfd_create+mmap, shm_open+mmap.
 *
 * Each figure is the median of several repetitions.
 *
 *	shmr_bench [-n ROUNDS] [-r REPS]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/shmregion.h>

#define REGION_BYTES	(1 << 20)
#define SETUP_MAX	(64UL << 20)

/* bytes that the setup table creates, maps and touches */
static size_t setup_bytes = REGION_BYTES;

static long rounds = 20000;
static int reps = 5;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* --- shmregion helpers ----------------------------------------------- */

static int region_open_size(const char *name, int create, size_t size)
{
	int fd = open(SHMR_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open " SHMR_DEVICE_PATH);
	if (create) {
		struct shmr_create c = { .size = size, .mode = 0600 };

		snprintf(c.name, sizeof(c.name), "%s", name);
		if (ioctl(fd, SHMR_IOC_CREATE, &c))
			die("SHMR_IOC_CREATE");
	} else {
		struct shmr_attach a = { 0 };

		snprintf(a.name, sizeof(a.name), "%s", name);
		if (ioctl(fd, SHMR_IOC_ATTACH, &a))
			die("SHMR_IOC_ATTACH");
	}
	return fd;
}

static int region_open(const char *name, int create)
{
	return region_open_size(name, create, REGION_BYTES);
}

static void region_unlink(const char *name)
{
	struct shmr_unlink u = { 0 };
	int fd = open(SHMR_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	snprintf(u.name, sizeof(u.name), "%s", name);
	if (fd < 0 || ioctl(fd, SHMR_IOC_UNLINK, &u))
		die("SHMR_IOC_UNLINK");
	close(fd);
}

static uint64_t notify(int fd)
{
	struct shmr_notify n = { 0 };

	if (ioctl(fd, SHMR_IOC_NOTIFY, &n))
		die("SHMR_IOC_NOTIFY");
	return n.seq;
}

static uint64_t wait_past(int fd, uint64_t seq)
{
	struct shmr_wait w = { .seq = seq, .timeout_ns = SHMR_WAIT_FOREVER };

	if (ioctl(fd, SHMR_IOC_WAIT, &w))
		die("SHMR_IOC_WAIT");
	return w.seq;
}

/* --- ping-pong: one process serves, the other times ------------------- */

/*
 * Each method keeps its state in a struct pingpong set up before fork;
 * ping() sends one wake-up and waits for the answer, serve() answers
 * @rounds wake-ups.
 */
struct pingpong {
	const char *name;
	void (*setup)(struct pingpong *pp);
	void (*ping)(struct pingpong *pp, long i);
	void (*serve)(struct pingpong *pp);
	void (*teardown)(struct pingpong *pp);
	int fd[4];
	uint64_t seq;
	uint32_t *word;		/* two futex words: [0] ping, [1] pong */
};

static void region_wait_setup(struct pingpong *pp)
{
	pp->fd[0] = region_open("bench-ioctl", 1);
	pp->seq = 0;
}

static void region_wait_ping(struct pingpong *pp, long i)
{
	pp->seq = wait_past(pp->fd[0], notify(pp->fd[0]));
}

static void region_wait_serve(struct pingpong *pp)
{
	uint64_t seq = 0;
	long i;

	for (i = 0; i < rounds; i++) {
		seq = wait_past(pp->fd[0], seq);
		seq = notify(pp->fd[0]);
	}
}

static void region_wait_teardown(struct pingpong *pp)
{
	close(pp->fd[0]);
	region_unlink("bench-ioctl");
}

/* poll+read: a handle is bound to one region, so one region per way */
static void region_poll_setup(struct pingpong *pp)
{
	pp->fd[0] = region_open("bench-ping", 1);	/* parent notifies */
	pp->fd[1] = region_open("bench-pong", 1);	/* parent polls */
	pp->fd[2] = region_open("bench-ping", 0);	/* child polls */
	pp->fd[3] = region_open("bench-pong", 0);	/* child notifies */
}

static void poll_read(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t seq;

	if (poll(&p, 1, -1) != 1)
		die("poll");
	if (read(fd, &seq, sizeof(seq)) != sizeof(seq))
		die("read");
}

static void region_poll_ping(struct pingpong *pp, long i)
{
	notify(pp->fd[0]);
	poll_read(pp->fd[1]);
}

static void region_poll_serve(struct pingpong *pp)
{
	long i;

	for (i = 0; i < rounds; i++) {
		poll_read(pp->fd[2]);
		notify(pp->fd[3]);
	}
}

static void region_poll_teardown(struct pingpong *pp)
{
	int i;

	for (i = 0; i < 4; i++)
		close(pp->fd[i]);
	region_unlink("bench-ping");
	region_unlink("bench-pong");
}

static void futex_setup(struct pingpong *pp)
{
	pp->word = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pp->word == MAP_FAILED)
		die("mmap");
	pp->word[0] = pp->word[1] = 0;
}

static void futex_post(uint32_t *w, uint32_t val)
{
	__atomic_store_n(w, val, __ATOMIC_RELEASE);
	syscall(SYS_futex, w, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static void futex_await(uint32_t *w, uint32_t val)
{
	uint32_t cur;

	while ((cur = __atomic_load_n(w, __ATOMIC_ACQUIRE)) != val)
		syscall(SYS_futex, w, FUTEX_WAIT, cur, NULL, NULL, 0);
}

static void futex_ping(struct pingpong *pp, long i)
{
	futex_post(&pp->word[0], i + 1);
	futex_await(&pp->word[1], i + 1);
}

static void futex_serve(struct pingpong *pp)
{
	long i;

	for (i = 0; i < rounds; i++) {
		futex_await(&pp->word[0], i + 1);
		futex_post(&pp->word[1], i + 1);
	}
}

static void futex_teardown(struct pingpong *pp)
{
	munmap(pp->word, 4096);
}

static void eventfd_setup(struct pingpong *pp)
{
	pp->fd[0] = eventfd(0, EFD_CLOEXEC);
	pp->fd[1] = eventfd(0, EFD_CLOEXEC);
	if (pp->fd[0] < 0 || pp->fd[1] < 0)
		die("eventfd");
}

static void fd_post(int fd, size_t len)
{
	uint64_t one = 1;

	if (write(fd, &one, len) != (ssize_t)len)
		die("write");
}

static void fd_await(int fd, size_t len)
{
	uint64_t v;

	if (read(fd, &v, len) != (ssize_t)len)
		die("read");
}

static void eventfd_ping(struct pingpong *pp, long i)
{
	fd_post(pp->fd[0], 8);
	fd_await(pp->fd[1], 8);
}

static void eventfd_serve(struct pingpong *pp)
{
	long i;

	for (i = 0; i < rounds; i++) {
		fd_await(pp->fd[0], 8);
		fd_post(pp->fd[1], 8);
	}
}

static void close_two(struct pingpong *pp)
{
	close(pp->fd[0]);
	close(pp->fd[1]);
}

/* pipes: fd[0..1] parent->child, fd[2..3] child->parent */
static void pipe_setup(struct pingpong *pp)
{
	if (pipe2(pp->fd, O_CLOEXEC) || pipe2(pp->fd + 2, O_CLOEXEC))
		die("pipe2");
}

static void pipe_ping(struct pingpong *pp, long i)
{
	fd_post(pp->fd[1], 1);
	fd_await(pp->fd[2], 1);
}

static void pipe_serve(struct pingpong *pp)
{
	long i;

	for (i = 0; i < rounds; i++) {
		fd_await(pp->fd[0], 1);
		fd_post(pp->fd[3], 1);
	}
}

static void pipe_teardown(struct pingpong *pp)
{
	int i;

	for (i = 0; i < 4; i++)
		close(pp->fd[i]);
}

#define PINGPONG(label, prefix, close_fn) {				\
	.name = label, .setup = prefix##_setup, .ping = prefix##_ping,	\
	.serve = prefix##_serve, .teardown = close_fn }

static struct pingpong pingpongs[] = {
	PINGPONG("futex (baseline)", futex, futex_teardown),
	PINGPONG("shmregion WAIT/NOTIFY", region_wait, region_wait_teardown),
	PINGPONG("shmregion poll+read", region_poll, region_poll_teardown),
	PINGPONG("eventfd", eventfd, close_two),
	PINGPONG("pipe", pipe, pipe_teardown),
};

/* one timed run of @rounds round trips, in ns per round trip */
static double pingpong_once(struct pingpong *pp)
{
	double t0, t1;
	pid_t child;
	int status;
	long i;

	pp->setup(pp);
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pp->serve(pp);
		_exit(0);
	}
	t0 = now_ns();
	for (i = 0; i < rounds; i++)
		pp->ping(pp, i);
	t1 = now_ns();
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		die("server process");
	pp->teardown(pp);
	return (t1 - t0) / rounds;
}

/* --- "is there news?" when there is ------------------------------------ */

static double news_ctrl_page(int fd, const struct shmr_ctrl *ctrl)
{
	uint64_t last = 0, hits = 0;
	double t0 = now_ns();
	long i;

	for (i = 0; i < rounds * 10; i++)
		hits += __atomic_load_n(&ctrl->seq, __ATOMIC_ACQUIRE) != last;
	if (hits != (uint64_t)rounds * 10)
		die("control page seq");
	return (now_ns() - t0) / (rounds * 10);
}

static double news_wait_ioctl(int fd, const struct shmr_ctrl *ctrl)
{
	double t0 = now_ns();
	long i;

	for (i = 0; i < rounds; i++)
		wait_past(fd, 0);
	return (now_ns() - t0) / rounds;
}

static double news_eventfd(int fd, const struct shmr_ctrl *ctrl)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint64_t v;
	double t0;
	long i;

	if (efd < 0)
		die("eventfd");
	t0 = now_ns();
	for (i = 0; i < rounds; i++) {
		fd_post(efd, 8);
		if (read(efd, &v, 8) != 8)
			die("eventfd read");
	}
	t0 = (now_ns() - t0) / rounds;
	close(efd);
	return t0;
}

/* FUTEX_WAIT on a word that already moved: the kernel says EAGAIN */
static double news_futex_eagain(int fd, const struct shmr_ctrl *ctrl)
{
	uint32_t word = 1;
	double t0 = now_ns();
	long i;

	for (i = 0; i < rounds; i++)
		if (syscall(SYS_futex, &word, FUTEX_WAIT, 0, NULL, NULL, 0) != -1 ||
		    errno != EAGAIN)
			die("FUTEX_WAIT");
	return (now_ns() - t0) / rounds;
}

static const struct {
	const char *name;
	double (*run)(int fd, const struct shmr_ctrl *ctrl);
} news[] = {
	{ "shmregion control page (baseline)", news_ctrl_page },
	{ "shmregion WAIT, already behind", news_wait_ioctl },
	{ "FUTEX_WAIT, word moved (EAGAIN)", news_futex_eagain },
	{ "eventfd write+read", news_eventfd },
};

/* --- an update nobody waits for ----------------------------------------- */

static double idle_getppid(int fd)
{
	double t0 = now_ns();
	long i;

	for (i = 0; i < rounds; i++)
		syscall(SYS_getppid);
	return (now_ns() - t0) / rounds;
}

static double idle_notify(int fd)
{
	double t0 = now_ns();
	long i;

	for (i = 0; i < rounds; i++)
		notify(fd);
	return (now_ns() - t0) / rounds;
}

static double idle_futex_wake(int fd)
{
	uint32_t word = 0;
	double t0 = now_ns();
	long i;

	for (i = 0; i < rounds; i++)
		if (syscall(SYS_futex, &word, FUTEX_WAKE, 1, NULL, NULL, 0) < 0)
			die("FUTEX_WAKE");
	return (now_ns() - t0) / rounds;
}

static double idle_eventfd(int fd)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	double t0;
	long i;

	if (efd < 0)
		die("eventfd");
	t0 = now_ns();
	for (i = 0; i < rounds; i++)
		fd_post(efd, 8);
	t0 = (now_ns() - t0) / rounds;
	close(efd);
	return t0;
}

static const struct {
	const char *name;
	double (*run)(int fd);
} idles[] = {
	{ "getppid() (baseline: a bare syscall)", idle_getppid },
	{ "shmregion NOTIFY", idle_notify },
	{ "FUTEX_WAKE, nobody waiting", idle_futex_wake },
	{ "eventfd write", idle_eventfd },
};

/* --- setting up 1 MiB of shared memory ---------------------------------- */

static void touch_and_unmap(int fd)
{
	char *p = mmap(NULL, setup_bytes, PROT_READ | PROT_WRITE,
		       MAP_SHARED, fd, 0);
	size_t off;

	if (p == MAP_FAILED)
		die("mmap");
	for (off = 0; off < setup_bytes; off += 4096)
		p[off] = 1;
	munmap(p, setup_bytes);
}

static void setup_shmregion(void)
{
	int fd = region_open_size("bench-setup", 1, setup_bytes);

	touch_and_unmap(fd);
	close(fd);
	region_unlink("bench-setup");
}

static void setup_memfd(void)
{
	int fd = memfd_create("bench", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, setup_bytes))
		die("memfd");
	touch_and_unmap(fd);
	close(fd);
}

static void setup_shm_open(void)
{
	int fd = shm_open("/bench", O_RDWR | O_CREAT | O_EXCL, 0600);

	if (fd < 0 || ftruncate(fd, setup_bytes))
		die("shm_open");
	touch_and_unmap(fd);
	close(fd);
	shm_unlink("/bench");
}

static const struct {
	const char *name;
	void (*run)(void);
} setups[] = {
	{ "memfd_create + mmap (baseline)", setup_memfd },
	{ "shmregion CREATE + mmap", setup_shmregion },
	{ "shm_open + mmap", setup_shm_open },
};

static double setup_once(void (*run)(void))
{
	long i, n = (rounds / 100) * REGION_BYTES / setup_bytes + 1;
	double t0 = now_ns();

	for (i = 0; i < n; i++)
		run();
	return (now_ns() - t0) / n;
}

/* --- report ------------------------------------------------------------- */

static void row(const char *name, double ns, double base)
{
	printf("| %-36s | %10.0f | %6.2f |\n", name, ns, ns / base);
}

static void header(const char *title, const char *unit)
{
	printf("\n%s\n\n| %-36s | %10s | %6s |\n|%s|%s|%s|\n", title,
	       "method", unit, "ratio", "--------------------------------------",
	       "------------", "--------");
}

static double median(double *v)
{
	qsort(v, reps, sizeof(*v), cmp_double);
	return v[reps / 2];
}

int main(int argc, char **argv)
{
	double v[64], base = 0, ns;
	const struct shmr_ctrl *ctrl;
	int opt, fd;
	size_t m;

	while ((opt = getopt(argc, argv, "n:r:")) != -1) {
		switch (opt) {
		case 'n':
			rounds = atol(optarg);
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-n ROUNDS] [-r REPS]\n", argv[0]);
			return 2;
		}
	}
	if (rounds < 100 || reps < 1 || reps > 64) {
		fprintf(stderr, "shmr_bench: need -n >= 100 and 1 <= -r <= 64\n");
		return 2;
	}
	printf("shmr_bench: %ld rounds, median of %d runs; ratio = time / baseline\n",
	       rounds, reps);

	header("Wake-up round trip between two processes", "ns/trip");
	for (m = 0; m < sizeof(pingpongs) / sizeof(pingpongs[0]); m++) {
		for (opt = 0; opt < reps; opt++)
			v[opt] = pingpong_once(&pingpongs[m]);
		ns = median(v);
		if (m == 0)
			base = ns;
		row(pingpongs[m].name, ns, base);
	}

	fd = region_open("bench-news", 1);
	notify(fd);
	ctrl = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, SHMR_CTRL_OFFSET);
	if (ctrl == MAP_FAILED)
		die("mmap control page");
	header("\"Is there news?\" when there is", "ns/check");
	for (m = 0; m < sizeof(news) / sizeof(news[0]); m++) {
		for (opt = 0; opt < reps; opt++)
			v[opt] = news[m].run(fd, ctrl);
		ns = median(v);
		if (m == 0)
			base = ns;
		row(news[m].name, ns, base);
	}
	munmap((void *)ctrl, 4096);

	header("An update nobody waits for", "ns/call");
	for (m = 0; m < sizeof(idles) / sizeof(idles[0]); m++) {
		for (opt = 0; opt < reps; opt++)
			v[opt] = idles[m].run(fd);
		ns = median(v);
		if (m == 0)
			base = ns;
		row(idles[m].name, ns, base);
	}
	close(fd);
	region_unlink("bench-news");

	for (setup_bytes = REGION_BYTES; setup_bytes <= SETUP_MAX;
	     setup_bytes *= 64) {
		char title[80];

		snprintf(title, sizeof(title),
			 "Set up %zu MiB of shared memory, touch every page",
			 setup_bytes >> 20);
		header(title, "ns/setup");
		for (m = 0; m < sizeof(setups) / sizeof(setups[0]); m++) {
			for (opt = 0; opt < reps; opt++)
				v[opt] = setup_once(setups[m].run);
			ns = median(v);
			if (m == 0)
				base = ns;
			row(setups[m].name, ns, base);
		}
	}
	return 0;
}
