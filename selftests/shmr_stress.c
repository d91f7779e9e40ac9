// SPDX-License-Identifier: GPL-2.0
/*
 * shmr_stress: many processes racing on a few region names.
 *
 *	shmr_stress [--seconds N] [--procs N] [--names N] [--seed N]
 *
 * --procs workers (16) run for --seconds (60), each in a loop of random
 * steps on the names "st-0".."st-<names-1>" (4): CREATE (plain, EXCL,
 * LAZY, TRANSIENT), ATTACH (read-write or read-only), mmap of the data
 * and the control page, writes and reads through two mappings, munmap,
 * WAIT (short timeouts), NOTIFY, read/poll, UNLINK, close, and fork: the
 * child waits in WAIT, touches the mapping or exits, and is killed with
 * SIGKILL at a random moment.  The parent also kills random workers with
 * SIGKILL and starts new ones.
 *
 * Checked: every errno is one the ABI documents for the call (a valid
 * call can still lose a race: ENOENT, EEXIST, EIDRM, ...); a value
 * written through one mapping reads back through another mapping of
 * the same handle; sequence numbers never go backwards; no worker dies
 * of anything but our SIGKILL.  Afterwards every name is unlinked and,
 * with every process gone, /sys/class/misc/shmregion/nr_regions and
 * nr_bytes must read 0.  Prints TAP:
 *	ok 1 stress procs=16 seconds=60 steps=N kills=N
 *	ok 2 stress: every region gone (nr_regions=0 nr_bytes=0)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/shmregion.h>

#define SYSFS		"/sys/class/misc/shmregion/"
#define MAX_PROCS	64
#define SLOT		64	/* bytes of page 0 each worker writes */

struct shared {
	uint64_t steps;
	uint64_t failures;
	uint64_t kills;
	uint64_t children;
	uint64_t ok[8];		/* successful CREATE, ATTACH, ... */
};

enum { S_CREATE, S_ATTACH, S_MMAP, S_NOTIFY, S_WAIT, S_UNLINK, S_FORK,
       S_READ };

static struct shared *sh;
static uint64_t rng;
static int nr_names = 4;
static int slot;
static long page;
static double deadline;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static uint64_t below(uint64_t n)
{
	return rnd() % n;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fail(const char *what, int err)
{
	printf("# FINDING (pid %d): %s: %s (errno %d)\n", getpid(), what,
	       strerror(err), err);
	fflush(stdout);
	__atomic_add_fetch(&sh->failures, 1, __ATOMIC_RELAXED);
}

/* errno @err after a valid @what: one of @ok (0-ended), else a finding */
static void expect(const char *what, int err, const int *ok)
{
	for (; *ok; ok++)
		if (*ok == err)
			return;
	fail(what, err);
}

static const int create_ok[] = { EEXIST, EINVAL, ENOSPC, ENOMEM, 0 };
static const int attach_ok[] = { ENOENT, 0 };
static const int unlink_ok[] = { ENOENT, 0 };
static const int mmap_ok[] = { ENOMEM, 0 };
static const int wait_ok[] = { ETIMEDOUT, EINTR, EIDRM, 0 };
static const int read_ok[] = { EAGAIN, EIDRM, EINTR, 0 };

static void name_of(char *name, int i)
{
	memset(name, 0, SHMR_NAME_MAX);
	snprintf(name, SHMR_NAME_MAX, "st-%d", i);
}

static int unlink_name(const char *name)
{
	struct shmr_unlink u;
	int fd, r;

	fd = open("/dev/shmregion", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	r = ioctl(fd, SHMR_IOC_UNLINK, &u);
	if (r)
		r = -errno;
	close(fd);
	return r;
}

/* A bound handle (or -1): CREATE or ATTACH on a random name. */
static int get_handle(uint64_t *size, int *rdonly)
{
	char name[SHMR_NAME_MAX];
	int fd;

	name_of(name, (int)below(nr_names));
	*rdonly = 0;
	fd = open("/dev/shmregion", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		fail("open", errno);
		return -1;
	}
	if (below(3)) {
		struct shmr_create c;

		memset(&c, 0, sizeof(c));
		memcpy(c.name, name, sizeof(c.name));
		c.size = (1 + below(8)) * page;
		c.mode = 0600;
		c.flags = (uint32_t)below(8) & SHMR_CREATE_FLAGS;
		if (ioctl(fd, SHMR_IOC_CREATE, &c)) {
			expect("CREATE", errno, create_ok);
			close(fd);
			return -1;
		}
		if (c.size % page || c.size < (uint64_t)page)
			fail("CREATE size", EINVAL);
		__atomic_add_fetch(&sh->ok[S_CREATE], 1, __ATOMIC_RELAXED);
		*size = c.size;
	} else {
		struct shmr_attach a;

		memset(&a, 0, sizeof(a));
		memcpy(a.name, name, sizeof(a.name));
		a.flags = below(3) ? 0 : SHMR_ATTACH_RDONLY;
		if (ioctl(fd, SHMR_IOC_ATTACH, &a)) {
			expect("ATTACH", errno, attach_ok);
			close(fd);
			return -1;
		}
		__atomic_add_fetch(&sh->ok[S_ATTACH], 1, __ATOMIC_RELAXED);
		*rdonly = a.flags != 0;
		*size = a.size;
	}
	return fd;
}

static void do_wait(int fd, uint64_t *seq, int64_t timeout)
{
	struct shmr_wait w = { .seq = *seq, .timeout_ns = timeout };

	if (ioctl(fd, SHMR_IOC_WAIT, &w)) {
		expect("WAIT", errno, wait_ok);
		if (errno != ETIMEDOUT && errno != EINTR && errno != EIDRM)
			return;
	} else {
		__atomic_add_fetch(&sh->ok[S_WAIT], 1, __ATOMIC_RELAXED);
	}
	if (w.seq < *seq)
		fail("WAIT seq went backwards", 0);
	*seq = w.seq;
}

/* A forked child: wait, touch or leave, until killed or done. */
static void child(int fd, char *data, size_t len, uint64_t seq,
		  pid_t parent)
{
	int i;

	/* never outlive the worker (it may be SIGKILLed itself) */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(0);
	rng ^= (uint64_t)getpid() * 0x9E3779B97F4A7C15ULL;
	for (i = 0; i < 20; i++) {
		switch (below(4)) {
		case 0:
			do_wait(fd, &seq, SHMR_WAIT_FOREVER);
			break;
		case 1:
			do_wait(fd, &seq, (int64_t)below(5000000));
			break;
		case 2:
			if (data)
				(void)*(volatile char *)(data + below(len));
			break;
		default:
			_exit(0);
		}
	}
	_exit(0);
}

static void step(void)
{
	uint64_t size = 0, seq = 0, v;
	int fd, rdonly, i, n;
	char *a = NULL, *b = NULL;
	struct shmr_ctrl *ctrl = NULL;
	pid_t kids[4], parent = getpid();
	int nkids = 0;

	fd = get_handle(&size, &rdonly);
	if (fd < 0) {
		if (!below(4)) {
			char name[SHMR_NAME_MAX];

			name_of(name, (int)below(nr_names));
			if (unlink_name(name) == 0)
				__atomic_add_fetch(&sh->ok[S_UNLINK], 1,
						   __ATOMIC_RELAXED);
		}
		return;
	}
	n = 1 + (int)below(12);
	for (i = 0; i < n; i++) {
		switch (below(10)) {
		case 0:		/* map data twice and the control page */
			if (a)
				break;
			a = mmap(NULL, size, PROT_READ | (rdonly ? 0 : PROT_WRITE),
				 MAP_SHARED, fd, 0);
			b = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
			ctrl = mmap(NULL, page, PROT_READ, MAP_SHARED, fd,
				    SHMR_CTRL_OFFSET);
			if (a == MAP_FAILED || b == MAP_FAILED ||
			    ctrl == MAP_FAILED) {
				expect("mmap", errno, mmap_ok);
				if (a != MAP_FAILED)
					munmap(a, size);
				if (b != MAP_FAILED)
					munmap(b, size);
				if (ctrl != MAP_FAILED)
					munmap(ctrl, page);
				a = b = NULL;
				ctrl = NULL;
				break;
			}
			__atomic_add_fetch(&sh->ok[S_MMAP], 1, __ATOMIC_RELAXED);
			break;
		case 1:		/* write through a, read through b */
			if (!a || rdonly)
				break;
			v = rnd();
			memcpy(a + slot * SLOT, &v, sizeof(v));
			if (memcmp(b + slot * SLOT, &v, sizeof(v)))
				fail("a write through one mapping is not "
				     "seen through the other", 0);
			break;
		case 2:
			if (a) {
				munmap(a, size);
				munmap(b, size);
				munmap(ctrl, page);
				a = b = NULL;
				ctrl = NULL;
			}
			break;
		case 3: {
			struct shmr_notify nt = { 0 };

			if (ioctl(fd, SHMR_IOC_NOTIFY, &nt)) {
				if (!rdonly || errno != EACCES)
					fail("NOTIFY", errno);
				break;
			}
			if (rdonly)
				fail("NOTIFY through a read-only handle", 0);
			if (nt.seq <= seq)
				fail("NOTIFY seq did not grow", 0);
			seq = nt.seq;
			__atomic_add_fetch(&sh->ok[S_NOTIFY], 1,
					   __ATOMIC_RELAXED);
			break;
		}
		case 4:
			do_wait(fd, &seq, (int64_t)below(3000000));
			break;
		case 5: {
			char name[SHMR_NAME_MAX];

			int r;

			name_of(name, (int)below(nr_names));
			r = unlink_name(name);
			if (r)
				expect("UNLINK", -r, unlink_ok);
			else
				__atomic_add_fetch(&sh->ok[S_UNLINK], 1,
						   __ATOMIC_RELAXED);
			break;
		}
		case 6: {	/* fork a child, maybe kill it later */
			pid_t pid;

			if (nkids == 4)
				break;
			fflush(stdout);
			pid = fork();
			if (pid == 0)
				child(fd, a, size, seq, parent);
			if (pid < 0)
				break;
			kids[nkids++] = pid;
			__atomic_add_fetch(&sh->children, 1, __ATOMIC_RELAXED);
			break;
		}
		case 7: {
			uint64_t r;

			if (read(fd, &r, sizeof(r)) == sizeof(r)) {
				__atomic_add_fetch(&sh->ok[S_READ], 1,
						   __ATOMIC_RELAXED);
				if (r < seq)
					fail("read seq went backwards", 0);
				seq = r;
			} else {
				expect("read", errno, read_ok);
			}
			break;
		}
		case 8: {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (poll(&p, 1, 0) < 0)
				fail("poll", errno);
			else if (p.revents & (POLLERR | POLLNVAL))
				fail("poll on a bound handle: POLLERR/NVAL", 0);
			break;
		}
		default:
			if (ctrl) {
				v = __atomic_load_n(&ctrl->seq, __ATOMIC_ACQUIRE);
				if (v < seq)
					fail("control page seq went backwards", 0);
			}
			break;
		}
	}
	/* wake the children's forever-waits (or kill them) and reap */
	for (i = 0; i < nkids; i++) {
		int st;

		if (below(2)) {
			kill(kids[i], SIGKILL);
			__atomic_add_fetch(&sh->kills, 1, __ATOMIC_RELAXED);
		} else {
			struct shmr_notify nt = { 0 };

			/* a read-only handle cannot notify: kill then */
			if (ioctl(fd, SHMR_IOC_NOTIFY, &nt))
				kill(kids[i], SIGKILL);
			else
				__atomic_add_fetch(&sh->ok[S_NOTIFY], 1,
						   __ATOMIC_RELAXED);
			/* a child may sleep again after the notify */
			kill(kids[i], SIGKILL);
		}
		while (waitpid(kids[i], &st, 0) < 0 && errno == EINTR)
			;
		if (WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL)
			fail("child died of a signal", WTERMSIG(st));
	}
	if (a && below(2)) {	/* leave the mapping past close, sometimes */
		close(fd);
		munmap(a, size);
		munmap(b, size);
		munmap(ctrl, page);
		return;
	}
	if (a) {
		munmap(a, size);
		munmap(b, size);
		munmap(ctrl, page);
	}
	close(fd);
}

static void on_crash(int sig)
{
	char msg[80];
	int n = snprintf(msg, sizeof(msg),
			 "# FINDING: stress worker %d got signal %d\n",
			 getpid(), sig);

	if (write(1, msg, n) < 0)
		_exit(3);
	_exit(3);
}

static int worker(int idx, uint64_t seed)
{
	struct sigaction sa;

	slot = idx % (4096 / SLOT);
	rng = seed * 0x9E3779B97F4A7C15ULL + (uint64_t)idx * 7919 + 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_crash;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	while (now() < deadline) {
		step();
		__atomic_add_fetch(&sh->steps, 1, __ATOMIC_RELAXED);
	}
	return 0;
}

static pid_t spawn(int idx, uint64_t seed)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(worker(idx, seed));
	return pid;
}

static long counter(const char *name)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), SYSFS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	int procs = 16, seconds = 60, i, st, bad = 0, gen = 0;
	uint64_t seed = (uint64_t)time(NULL);
	pid_t pids[MAX_PROCS];
	long regions, bytes;
	char name[SHMR_NAME_MAX];
	struct timespec pause = { 0, 0 };

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--procs") && i + 1 < argc)
			procs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--names") && i + 1 < argc)
			nr_names = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "usage: %s [--seconds N] [--procs N] "
				"[--names N] [--seed N]\n", argv[0]);
			return 2;
		}
	}
	if (procs < 1 || procs > MAX_PROCS || nr_names < 1 || seconds < 0)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..2\n");
	printf("# shmr_stress: procs=%d seconds=%d names=%d seed=%" PRIu64
	       " (%d-bit)\n", procs, seconds, nr_names, seed,
	       (int)sizeof(long) * 8);
	page = sysconf(_SC_PAGESIZE);
	if (access("/dev/shmregion", R_OK | W_OK)) {
		printf("not ok 1 stress: /dev/shmregion: %s\n", strerror(errno));
		printf("not ok 2 stress # SKIP no device\n");
		return 1;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	/* orphaned grandchildren come to us, so that we can reap them all */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	rng = seed | 1;
	deadline = now() + seconds;
	for (i = 0; i < procs; i++)
		pids[i] = spawn(i, seed + gen++);

	/*
	 * Kill a random worker now and then and start another in its
	 * place, until the deadline.  The pause only paces the killing;
	 * nothing waits on it.
	 */
	while (now() < deadline) {
		pause.tv_nsec = (long)(100 + below(400)) * 1000000;
		nanosleep(&pause, NULL);
		if (now() >= deadline)
			break;
		i = (int)below(procs);
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
			while (waitpid(pids[i], &st, 0) < 0 && errno == EINTR)
				;
			__atomic_add_fetch(&sh->kills, 1, __ATOMIC_RELAXED);
		}
		pids[i] = spawn(i, seed + gen++);
	}
	for (i = 0; i < procs; i++) {
		if (pids[i] <= 0)
			continue;
		while (waitpid(pids[i], &st, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			printf("# worker %d: %s %d\n", i,
			       WIFEXITED(st) ? "exit status" : "signal",
			       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			bad = 1;
		}
	}
	/* and every grandchild a killed worker left (PR_SET_PDEATHSIG) */
	while (wait(&st) > 0 || errno == EINTR)
		;
	printf("# steps %" PRIu64 ": create %" PRIu64 " attach %" PRIu64
	       " mmap %" PRIu64 " notify %" PRIu64 " wait %" PRIu64
	       " unlink %" PRIu64 " read %" PRIu64 "; children %" PRIu64
	       ", SIGKILLs %" PRIu64 "\n", sh->steps, sh->ok[S_CREATE],
	       sh->ok[S_ATTACH], sh->ok[S_MMAP], sh->ok[S_NOTIFY],
	       sh->ok[S_WAIT], sh->ok[S_UNLINK], sh->ok[S_READ],
	       sh->children, sh->kills);
	printf("%sok 1 stress procs=%d seconds=%d steps=%" PRIu64
	       " kills=%" PRIu64 " findings=%" PRIu64 "\n",
	       sh->failures || bad || !sh->ok[S_CREATE] ? "not " : "", procs,
	       seconds, sh->steps, sh->kills, sh->failures);

	/* Every process is gone: unlink every name, nothing may remain. */
	for (i = 0; i < nr_names; i++) {
		name_of(name, i);
		st = unlink_name(name);
		if (st && st != -ENOENT) {
			printf("# unlink %s: %s\n", name, strerror(-st));
			bad = 1;
		}
	}
	regions = counter("nr_regions");
	bytes = counter("nr_bytes");
	printf("%sok 2 stress: every region gone (nr_regions=%ld "
	       "nr_bytes=%ld)\n", regions || bytes ? "not " : "", regions,
	       bytes);
	return sh->failures || bad || !sh->ok[S_CREATE] || regions || bytes;
}
