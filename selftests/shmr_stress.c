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
 * WAIT (short timeouts), NOTIFY, RESIZE (grow and shrink, which cuts
 * other workers' mappings: SIGBUS past the new end), read/poll, UNLINK,
 * close, and fork: the
 * child waits in WAIT, touches the mapping or exits, and is killed with
 * SIGKILL at a random moment.  The parent also kills random workers with
 * SIGKILL and starts new ones.
 *
 * Checked: every errno is one the ABI documents for the call (a valid
 * call can still lose a race: ENOENT, EEXIST, EIDRM, ...); a value
 * written through one mapping reads back through another mapping of
 * the same handle; sequence numbers never go backwards and a WAIT that
 * returns 0 reports more than it was given; no worker dies of anything
 * but our SIGKILL.
 *
 * Beside the chaos, and never killed by it, the semantic check: on one
 * region ("st-sem") SEM_WRITERS processes take turns to stamp a payload
 * (the sequence it will have, data and a checksum) into the slot of
 * that sequence, then NOTIFY, which must return exactly that sequence
 * (no lost or repeated update); SEM_OBSERVERS processes read the
 * sequence every way there is (the control page as libshmregion's
 * shmr_wait() does, WAIT with short timeouts under a SIGALRM timer,
 * non-blocking read(), INFO) and check that what each sees never
 * decreases, that a WAIT returning 0 reports more than it was given
 * (else ETIMEDOUT or EINTR, with a sequence no older), and that the
 * payload of every sequence seen is visible, whole, right after the
 * sequence is. At the end the sequence equals the number of successful
 * NOTIFYs, by INFO, WAIT and the control page alike.
 *
 * Afterwards every name is unlinked and, with every process gone,
 * /sys/class/misc/shmregion/nr_regions and nr_bytes must read 0.
 * Prints TAP:
 *	ok 1 stress procs=16 seconds=60 steps=N kills=N
 *	ok 2 stress: every region gone (nr_regions=0 nr_bytes=0)
 *	ok 3 stress semantics: ...
 * A missing device skips all three ("ok N # SKIP ...").
 */
#include <inttypes.h>
#include <sys/time.h>

#include "shmr_util.h"

#define MAX_PROCS	64
#define SLOT		64	/* bytes of page 0 each worker writes */

#define SEM_NAME	"st-sem"
#define SEM_SLOTS	256
#define SEM_WRITERS	2
#define SEM_OBSERVERS	3
#define SEM_WORDS	6

struct shared {
	uint64_t sem_stop;
	uint64_t sem_notifies[SEM_WRITERS];
	uint64_t sem_seen;		/* new sequences observers checked */
	uint64_t sem_payloads;		/* payloads verified */
	uint64_t sem_lapped;		/* slot rewritten before the check */
	uint64_t sem_waits;
	uint64_t sem_eintr;
	uint64_t sem_timeouts;
	uint64_t sem_failures;
	uint64_t steps;
	/*
	 * Successful RESIZEs: one may have cut a region under another
	 * worker's mapping (SIGBUS past the new end) or zeroed its data.
	 */
	uint64_t resizes;
	uint64_t failures;
	uint64_t kills;
	uint64_t children;
	uint64_t ok[9];		/* successful CREATE, ATTACH, ... */
};

enum { S_CREATE, S_ATTACH, S_MMAP, S_NOTIFY, S_WAIT, S_UNLINK, S_FORK,
       S_READ, S_RESIZE };

static struct shared *sh;
static uint64_t rng;
static int nr_names = 4;
static int slot;
static long page;
static double deadline;

static uint64_t rnd(void)
{
	return xrand(&rng);
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
/* EINVAL: another worker shrank the region since we learnt its size */
static const int mmap_ok[] = { ENOMEM, EINVAL, 0 };
static const int resize_ok[] = { ENOSPC, ENOMEM, 0 };
static const int wait_ok[] = { ETIMEDOUT, EINTR, EIDRM, 0 };
static const int read_ok[] = { EAGAIN, EIDRM, EINTR, 0 };

static void name_of(char *name, int i)
{
	memset(name, 0, SHMR_NAME_MAX);
	snprintf(name, SHMR_NAME_MAX, "st-%d", i);
}

/* A bound handle (or -1): CREATE or ATTACH on a random name. */
static int get_handle(uint64_t *size, int *rdonly)
{
	char name[SHMR_NAME_MAX];
	int fd;

	name_of(name, (int)below(nr_names));
	*rdonly = 0;
	fd = dev_open(O_RDWR | O_NONBLOCK);
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
		/* woken: news, so more than the newest this handle saw */
		if (w.seq <= *seq)
			fail("WAIT returned 0 without a newer seq", 0);
	}
	if (w.seq < *seq)
		fail("WAIT seq went backwards", 0);
	*seq = w.seq;
}

static uint64_t resizes(void)
{
	return __atomic_load_n(&sh->resizes, __ATOMIC_SEQ_CST);
}

/*
 * A forked child: wait, touch or leave, until killed or done. @data was
 * mapped when sh->resizes was @mapped: a SIGBUS there needs a RESIZE
 * since (one that cut the region under it).
 */
static void child(int fd, char *data, size_t len, uint64_t seq,
		  uint64_t mapped, pid_t parent)
{
	char byte;
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
			if (data && bus_copy(&byte, data + below(len), 1) &&
			    resizes() == mapped)
				fail("SIGBUS inside a region never resized", 0);
			break;
		default:
			_exit(0);
		}
	}
	_exit(0);
}

static void step(void)
{
	uint64_t size = 0, seq = 0, mapped = 0, v = 0;
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
		switch (below(11)) {
		case 0:		/* map data twice and the control page */
			if (a)
				break;
			mapped = resizes();
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
		{
			uint64_t since = resizes(), got = 0;

			v = rnd();
			if (bus_copy(a + slot * SLOT, &v, sizeof(v)) ||
			    bus_copy(&got, b + slot * SLOT, sizeof(got))) {
				if (resizes() == mapped)
					fail("SIGBUS inside a region never "
					     "resized", 0);
				break;
			}
			if (got != v && resizes() == since)
				fail("a write through one mapping is not "
				     "seen through the other", 0);
			break;
		}
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
				child(fd, a, size, seq, mapped, parent);
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
		case 9: {	/* RESIZE, while holding no mapping of it */
			struct shmr_resize rs = { .size = (1 + below(8)) * page };

			if (a || !below(2))
				goto check_ctrl;
			/* counted before it runs: it may cut mappings */
			__atomic_add_fetch(&sh->resizes, 1, __ATOMIC_SEQ_CST);
			if (ioctl(fd, SHMR_IOC_RESIZE, &rs)) {
				if (!rdonly || errno != EACCES)
					expect("RESIZE", errno, resize_ok);
				break;
			}
			if (rdonly)
				fail("RESIZE through a read-only handle", 0);
			/* a resize to the size it has is no update */
			if (rs.seq < seq)
				fail("RESIZE seq went backwards", 0);
			seq = rs.seq;
			size = rs.size;
			__atomic_add_fetch(&sh->ok[S_RESIZE], 1,
					   __ATOMIC_RELAXED);
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
check_ctrl:
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
		st = reap(kids[i]);
		if (st > 128 && st != 128 + SIGKILL)
			fail("child died of a signal", st - 128);
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

static int worker(int idx, uint64_t seed)
{
	slot = idx % (4096 / SLOT);
	rng = seed_mix(seed + (uint64_t)idx * 7919);
	catch_crashes(NULL);
	while (now() < deadline) {
		step();
		__atomic_add_fetch(&sh->steps, 1, __ATOMIC_RELAXED);
	}
	return 0;
}

/* --- the semantic check ------------------------------------------------ */

/* One payload: stamped with the sequence whose NOTIFY publishes it. */
struct sem_slot {
	uint64_t seq;			/* 0 while being rewritten */
	uint64_t data[SEM_WORDS];
	uint64_t sum;
};

struct sem_page {
	uint32_t lock;			/* writers take turns */
	uint32_t pad[15];
	struct sem_slot slot[SEM_SLOTS];
};

#define SEM_SIZE	((sizeof(struct sem_page) + 4095) & ~(size_t)4095)

static uint64_t sem_sum(uint64_t seq, const uint64_t *data)
{
	uint64_t h = seed_mix(seq);
	int i;

	for (i = 0; i < SEM_WORDS; i++)
		h = seed_mix(h ^ data[i]);
	return h;
}

static void sem_fail(const char *fmt, uint64_t a, uint64_t b)
{
	if (__atomic_add_fetch(&sh->sem_failures, 1, __ATOMIC_RELAXED) <= 10) {
		printf("# FINDING (semantics, pid %d): ", getpid());
		printf(fmt, a, b);
		printf("\n");
	}
}

static uint64_t ctrl_seq(const struct shmr_ctrl *ctrl)
{
	return __atomic_load_n(&ctrl->seq, __ATOMIC_ACQUIRE);
}

/* Map the semantic region: data (@prot) and the control page. */
static int sem_open(uint32_t flags, int prot, struct sem_page **pg,
		    const struct shmr_ctrl **ctrl)
{
	int fd = attach_region(SEM_NAME, flags);

	if (fd < 0)
		return fd;
	*pg = map_region(fd, SEM_SIZE, prot, 0);
	*ctrl = map_region(fd, page, PROT_READ, SHMR_CTRL_OFFSET);
	if (*pg == MAP_FAILED || *ctrl == MAP_FAILED)
		return -errno;
	return fd;
}

/* A writer: stamp the next sequence's payload, NOTIFY, check the answer. */
static int sem_writer(int idx)
{
	const struct shmr_ctrl *ctrl;
	struct sem_page *pg;
	struct sem_slot *sl;
	uint64_t next, got;
	int fd = sem_open(0, PROT_READ | PROT_WRITE, &pg, &ctrl), i, ret;

	if (fd < 0) {
		sem_fail("writer: attach: errno %llu",
			 (unsigned long long)-fd, 0);
		return 1;
	}
	catch_crashes(NULL);
	rng = seed_mix(idx + 1000);
	while (!__atomic_load_n(&sh->sem_stop, __ATOMIC_RELAXED)) {
		while (__atomic_exchange_n(&pg->lock, 1, __ATOMIC_ACQUIRE))
			sched_yield();
		next = ctrl_seq(ctrl) + 1;
		sl = &pg->slot[next % SEM_SLOTS];
		__atomic_store_n(&sl->seq, 0, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		for (i = 0; i < SEM_WORDS; i++)
			sl->data[i] = rnd();
		sl->sum = sem_sum(next, sl->data);
		__atomic_store_n(&sl->seq, next, __ATOMIC_RELEASE);
		ret = ioc_notify(fd, &got);
		__atomic_store_n(&pg->lock, 0, __ATOMIC_RELEASE);
		if (ret) {
			sem_fail("NOTIFY: errno %llu",
				 (unsigned long long)-ret, 0);
			continue;
		}
		if (got != next)
			sem_fail("NOTIFY gave %llu, expected %llu (a lost or "
				 "repeated update)", got, next);
		__atomic_add_fetch(&sh->sem_notifies[idx], 1, __ATOMIC_RELAXED);
	}
	return 0;
}

/* The payload of @seq, seen right after @seq was: whole and current. */
static void sem_check_payload(const struct sem_page *pg,
			      const struct shmr_ctrl *ctrl, uint64_t seq)
{
	const struct sem_slot *sl = &pg->slot[seq % SEM_SLOTS];
	uint64_t s1, s2, data[SEM_WORDS], sum;
	int i;

	if (!seq)
		return;
	s1 = __atomic_load_n(&sl->seq, __ATOMIC_ACQUIRE);
	for (i = 0; i < SEM_WORDS; i++)
		data[i] = __atomic_load_n(&sl->data[i], __ATOMIC_RELAXED);
	sum = __atomic_load_n(&sl->sum, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	s2 = __atomic_load_n(&sl->seq, __ATOMIC_RELAXED);
	if (s1 == seq && s2 == seq) {
		if (sum != sem_sum(seq, data))
			sem_fail("payload of seq %llu: bad checksum %llx", seq,
				 sum);
		else
			__atomic_add_fetch(&sh->sem_payloads, 1,
					   __ATOMIC_RELAXED);
		return;
	}
	if (s1 == s2 && s1 && s1 < seq) {
		sem_fail("seq %llu seen, its payload not (slot says %llu)",
			 seq, s1);
		return;
	}
	/* rewritten for a later lap: only once the writers got that far */
	if (ctrl_seq(ctrl) + 1 < seq + SEM_SLOTS)
		sem_fail("payload of seq %llu changing (slot says %llu) "
			 "before its slot's next turn", seq, s1);
	else
		__atomic_add_fetch(&sh->sem_lapped, 1, __ATOMIC_RELAXED);
}

static void sem_on_alarm(int sig)
{
	(void)sig;
}

/* An observer: every way of reading the sequence, checked. */
static int sem_observer(int idx)
{
	struct sigaction sa = { .sa_handler = sem_on_alarm };	/* EINTR */
	struct itimerval it = { { 0, 3000 }, { 0, 3000 } };
	const struct shmr_ctrl *ctrl;
	const struct sem_page *pg;
	struct sem_page *map;
	struct shmr_info info;
	uint64_t last = 0, now, given;
	int fd, ret;

	fd = sem_open(idx ? 0 : SHMR_ATTACH_RDONLY, PROT_READ, &map, &ctrl);
	if (fd < 0) {
		sem_fail("observer: attach: errno %llu",
			 (unsigned long long)-fd, 0);
		return 1;
	}
	pg = map;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	catch_crashes(NULL);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	rng = seed_mix(idx + 2000);
	while (!__atomic_load_n(&sh->sem_stop, __ATOMIC_RELAXED)) {
		given = last;
		switch (below(6)) {
		case 0:
		case 1:		/* libshmregion's shmr_wait() */
			now = ctrl_seq(ctrl);
			if (now != last)
				break;
			/* fall through */
		case 2:		/* WAIT, short timeouts, SIGALRM */
			now = last;
			ret = ioc_wait(fd, &now, (int64_t)below(5000000));
			__atomic_add_fetch(&sh->sem_waits, 1, __ATOMIC_RELAXED);
			if (ret == 0 && now <= given)
				sem_fail("WAIT from %llu returned 0 with %llu",
					 given, now);
			if (ret == -EINTR)
				__atomic_add_fetch(&sh->sem_eintr, 1,
						   __ATOMIC_RELAXED);
			else if (ret == -ETIMEDOUT)
				__atomic_add_fetch(&sh->sem_timeouts, 1,
						   __ATOMIC_RELAXED);
			else if (ret)
				sem_fail("WAIT: errno %llu",
					 (unsigned long long)-ret, 0);
			break;
		case 3:		/* read(), non-blocking */
			if (read(fd, &now, sizeof(now)) != sizeof(now)) {
				if (errno != EAGAIN && errno != EINTR)
					sem_fail("read: errno %llu",
						 (unsigned long long)errno, 0);
				now = last;
			}
			break;
		case 4:
			ret = ioc_info(fd, &info);
			if (ret)
				sem_fail("INFO: errno %llu",
					 (unsigned long long)-ret, 0);
			now = ret ? last : info.seq;
			break;
		default:
			now = ctrl_seq(ctrl);
			break;
		}
		if (now < last) {
			sem_fail("seq went back from %llu to %llu", last, now);
			continue;
		}
		if (now > last) {
			sem_check_payload(pg, ctrl, now);
			__atomic_add_fetch(&sh->sem_seen, 1, __ATOMIC_RELAXED);
			last = now;
		}
	}
	return 0;
}

/* Make the semantic region and start its processes; 0 or -errno. */
static int sem_start(pid_t *pids)
{
	pid_t pid;
	int fd, i;

	unlink_name(SEM_NAME);
	fd = create_region(SEM_NAME, SEM_SIZE, 0644, 0);
	if (fd < 0)
		return fd;
	close(fd);	/* the name keeps it */
	for (i = 0; i < SEM_WRITERS + SEM_OBSERVERS; i++) {
		pid = fork_child();
		if (pid < 0)
			return -errno;
		if (pid == 0)
			_exit(i < SEM_WRITERS ? sem_writer(i) :
			      sem_observer(i - SEM_WRITERS));
		pids[i] = pid;
	}
	return 0;
}

/* The verdict of the semantic check, printed after the others. */
static char sem_line[256];

/* Stop them, then: every NOTIFY counted once, by every view. */
static int sem_finish(const pid_t *pids)
{
	uint64_t total = 0, seq = 0;
	const struct shmr_ctrl *ctrl;
	struct sem_page *pg;
	struct shmr_info info;
	int i, st, bad = 0, fd;

	__atomic_store_n(&sh->sem_stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < SEM_WRITERS + SEM_OBSERVERS; i++) {
		st = reap(pids[i]);
		if (st) {
			printf("# semantic process %d: status %d\n", i, st);
			bad = 1;
		}
	}
	for (i = 0; i < SEM_WRITERS; i++)
		total += sh->sem_notifies[i];
	fd = sem_open(0, PROT_READ, &pg, &ctrl);
	if (fd < 0 || ioc_info(fd, &info) || ioc_wait(fd, &seq, 0)) {
		printf("# semantic region: %s\n", strerror(errno));
		return 1;
	}
	if (info.seq != total || seq != total || ctrl_seq(ctrl) != total) {
		sem_fail("final seq: INFO %llu, WAIT %llu", info.seq, seq);
		printf("# control page %" PRIu64 ", successful NOTIFYs %" PRIu64
		       "\n", ctrl_seq(ctrl), total);
		bad = 1;
	}
	munmap(pg, SEM_SIZE);
	munmap((void *)ctrl, page);
	close(fd);
	if (unlink_name(SEM_NAME))
		bad = 1;
	snprintf(sem_line, sizeof(sem_line),
	       "%sok 3 stress semantics: writers=%d observers=%d notifies=%"
	       PRIu64 " seen=%" PRIu64 " payloads=%" PRIu64 " lapped=%" PRIu64
	       " waits=%" PRIu64 " (eintr %" PRIu64 ", timeouts %" PRIu64
	       ") findings=%" PRIu64,
	       bad || sh->sem_failures || !sh->sem_payloads ? "not " : "",
	       SEM_WRITERS, SEM_OBSERVERS, total, sh->sem_seen,
	       sh->sem_payloads, sh->sem_lapped, sh->sem_waits, sh->sem_eintr,
	       sh->sem_timeouts, sh->sem_failures);
	return bad || sh->sem_failures || !sh->sem_payloads;
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

int main(int argc, char **argv)
{
	int procs = 16, seconds = 60, i, st, bad = 0, gen = 0, sem_bad;
	uint64_t seed = (uint64_t)time(NULL);
	pid_t pids[MAX_PROCS], sem_pids[SEM_WRITERS + SEM_OBSERVERS];
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
	printf("TAP version 13\n1..3\n");
	printf("# shmr_stress: procs=%d seconds=%d names=%d seed=%" PRIu64
	       " (%d-bit)\n", procs, seconds, nr_names, seed,
	       (int)sizeof(long) * 8);
	page = sysconf(_SC_PAGESIZE);
	if (tap_skip_without_device(3))
		return 0;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	/* orphaned grandchildren come to us, so that we can reap them all */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	rng = seed | 1;
	st = sem_start(sem_pids);
	if (st) {
		printf("not ok 1 stress: the semantic region: %s\n",
		       strerror(-st));
		return 1;
	}
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
			reap(pids[i]);
			__atomic_add_fetch(&sh->kills, 1, __ATOMIC_RELAXED);
		}
		pids[i] = spawn(i, seed + gen++);
	}
	for (i = 0; i < procs; i++) {
		if (pids[i] <= 0)
			continue;
		st = reap(pids[i]);
		if (st) {
			printf("# worker %d: status %d (128 + signal)\n", i, st);
			bad = 1;
		}
	}
	sem_bad = sem_finish(sem_pids);
	/* and every grandchild a killed worker left (PR_SET_PDEATHSIG) */
	while (wait(&st) > 0 || errno == EINTR)
		;
	printf("# steps %" PRIu64 ": create %" PRIu64 " attach %" PRIu64
	       " mmap %" PRIu64 " notify %" PRIu64 " wait %" PRIu64
	       " unlink %" PRIu64 " read %" PRIu64 " resize %" PRIu64
	       "; children %" PRIu64 ", SIGKILLs %" PRIu64 "\n", sh->steps,
	       sh->ok[S_CREATE], sh->ok[S_ATTACH], sh->ok[S_MMAP],
	       sh->ok[S_NOTIFY], sh->ok[S_WAIT], sh->ok[S_UNLINK],
	       sh->ok[S_READ], sh->ok[S_RESIZE], sh->children, sh->kills);
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
	regions = (long)nr_regions();
	bytes = (long)nr_bytes();
	printf("%sok 2 stress: every region gone (nr_regions=%ld "
	       "nr_bytes=%ld)\n", regions || bytes ? "not " : "", regions,
	       bytes);
	printf("%s\n", sem_line);
	return sh->failures || bad || !sh->ok[S_CREATE] || regions || bytes ||
	       sem_bad;
}
