// SPDX-License-Identifier: GPL-2.0
/*
 * SHMR_IOC_RESIZE.
 *
 * Growing keeps every mapping and its data, makes zeroed pages that a
 * grown mremap() or a new mmap() reaches, counts in nr_bytes, and is an
 * update (waiters wake, seq moves). Shrinking frees the tail (nr_bytes)
 * and cuts every mapping of every process there (SIGBUS past the new
 * end, as for a memfd after ftruncate()), also one grown with mremap(),
 * one of a handle bound with a second thread alive or a second reference,
 * and mappings that race it in other threads. Neither is a file write:
 * RLIMIT_FSIZE does not apply. Bad input: EINVAL
 * (size 0, flags, pad, reserved), EACCES (read-only handle), EPERM (not
 * the owner), EBADFD (unbound), E2BIG (max_region_bytes), ENOSPC
 * (max_total_bytes), EDQUOT (max_user_bytes), EFAULT; a failed growth
 * changes nothing. A HUGE region shrinks inside a huge page without
 * losing a byte below the new end.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <linux/shmregion.h>

#include "kselftest_harness.h"
#include "common.h"

static int ioc_resize(int fd, uint64_t size, uint64_t *seq)
{
	struct shmr_resize rs = { .size = size };
	int ret = ioctl_err(fd, SHMR_IOC_RESIZE, &rs);

	if (!ret && seq)
		*seq = rs.seq;
	return ret;
}

static uint64_t region_size(int fd)
{
	struct shmr_info info;

	return ioc_info(fd, &info) ? 0 : info.size;
}

/* Every byte of [@p, @p + @len) is @c. */
static int all_are(const void *p, size_t len, int c)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != (unsigned char)c)
			return 0;
	return 1;
}

FIXTURE(resize) {
	char name[SHMR_NAME_MAX];
	int fd;
	size_t ps;
};

FIXTURE_SETUP(resize)
{
	REQUIRE_DEVICE();
	self->ps = page_size();
	test_name(self->name, "resize");
	self->fd = create_region(self->name, 2 * self->ps, 0600, 0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(resize)
{
	unlink_name(self->name);
	close(self->fd);
}

TEST_F(resize, growth_keeps_mappings_and_wakes_waiters)
{
	size_t ps = self->ps;
	uint64_t seq = 0, bytes = nr_bytes(), got;
	char *p, *q;
	int sk, other;
	pid_t pid;

	p = map_region(self->fd, 2 * ps, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0xa5, 2 * ps);

	pid = fork_peer(&sk);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t s = 0;

		CHILD_REQUIRE(send_byte(sk, 'w') == 0);
		CHILD_REQUIRE(ioc_wait(self->fd, &s, 10000000000LL) == 0);
		CHILD_REQUIRE(send_u64(sk, s) == 0);
		_exit(0);
	}
	ASSERT_EQ('w', recv_byte(sk));
	ASSERT_EQ(0, wait_sleeping_in(pid, __NR_ioctl));
	ASSERT_EQ(0, ioc_resize(self->fd, 4 * ps, &seq));
	EXPECT_EQ(1, seq);
	ASSERT_EQ(0, recv_u64(sk, &got));
	EXPECT_EQ(1, got);
	EXPECT_EQ(0, end_peer(pid, sk));

	EXPECT_EQ(4 * ps, region_size(self->fd));
	EXPECT_EQ(bytes + 2 * ps, nr_bytes());
	/* the old mapping and its data are intact ... */
	EXPECT_TRUE(all_are(p, 2 * ps, 0xa5));
	/* ... it may grow over the new, zeroed pages ... */
	q = mremap(p, 2 * ps, 4 * ps, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_TRUE(all_are(q, 2 * ps, 0xa5));
	EXPECT_TRUE(all_are(q + 2 * ps, 2 * ps, 0));
	memset(q + 2 * ps, 0x5a, 2 * ps);
	/* ... and another process sees the whole new size */
	other = attach_region(self->name, SHMR_ATTACH_RDONLY);
	ASSERT_LE(0, other);
	p = map_region(other, 4 * ps, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(all_are(p, 2 * ps, 0xa5));
	EXPECT_TRUE(all_are(p + 2 * ps, 2 * ps, 0x5a));
	munmap(p, 4 * ps);
	munmap(q, 4 * ps);
	close(other);
}

TEST_F(resize, lazy_region_grows_too)
{
	size_t ps = self->ps;
	char name[SHMR_NAME_MAX];
	int fd;
	char *p;

	test_name(name, "lazy");
	fd = create_region(name, ps, 0600, SHMR_CREATE_LAZY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioc_resize(fd, 64 * ps, NULL));
	p = map_region(fd, 64 * ps, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(all_are(p, 64 * ps, 0));
	p[63 * ps] = 7;
	EXPECT_EQ(7, p[63 * ps]);
	munmap(p, 64 * ps);
	EXPECT_EQ(0, unlink_name(name));
	close(fd);
}

/*
 * A HUGE region shrunk inside its second 2 MiB page keeps every byte
 * below the new end and gives back the bytes past it; growing back reads
 * zero past the cut (module/resize.c, shmr_shmem_truncate(): the file is
 * never truncated inside a huge page).
 */
TEST_F(resize, huge_region_shrinks_inside_a_huge_page)
{
	const size_t mib = 1UL << 20;
	char name[SHMR_NAME_MAX];
	unsigned char *p;
	uint64_t bytes;
	int fd;

	test_name(name, "huge-cut");
	fd = create_region(name, 4 * mib, 0600, SHMR_CREATE_HUGE);
	if (fd == -EOPNOTSUPP)
		SKIP(return, "no transparent huge pages in this kernel");
	ASSERT_LE(0, fd);
	p = map_region(fd, 4 * mib, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x5a, 4 * mib);
	ASSERT_EQ(0, munmap(p + 3 * mib, mib));
	bytes = nr_bytes();
	ASSERT_EQ(0, ioc_resize(fd, 3 * mib, NULL));
	EXPECT_EQ(3 * mib, region_size(fd));
	EXPECT_EQ(bytes - mib, nr_bytes());
	EXPECT_TRUE(all_are(p, 3 * mib, 0x5a));
	ASSERT_EQ(0, munmap(p, 3 * mib));
	ASSERT_EQ(0, ioc_resize(fd, 4 * mib, NULL));
	p = map_region(fd, 4 * mib, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(all_are(p, 3 * mib, 0x5a));
	EXPECT_TRUE(all_are(p + 3 * mib, mib, 0));
	/* shrinking at a huge page's edge and below one works the same */
	ASSERT_EQ(0, munmap(p + mib, 3 * mib));
	ASSERT_EQ(0, ioc_resize(fd, mib, NULL));
	EXPECT_TRUE(all_are(p, mib, 0x5a));
	ASSERT_EQ(0, munmap(p, mib));
	ASSERT_EQ(0, ioc_resize(fd, 4 * mib, NULL));
	p = map_region(fd, 4 * mib, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(all_are(p, mib, 0x5a));
	EXPECT_TRUE(all_are(p + mib, 3 * mib, 0));
	munmap(p, 4 * mib);
	EXPECT_EQ(0, unlink_name(name));
	close(fd);
}

/*
 * A shrink is a truncation (as ftruncate() of a memfd): it succeeds
 * whatever maps the region, and every mapping of every process loses
 * the tail: a touch there is SIGBUS, the data below stays.
 */
/*
 * A HUGE region cut inside a huge page under a mapping that reaches past
 * the new end, and under a mapping grown there with mremap() afterwards:
 * past the end is SIGBUS where the huge page could be split, else (shmem
 * maps a huge page across its own end with one PMD) the zeroes the cut
 * left; never the old data.
 */
TEST_F(resize, huge_cut_under_mappings_never_shows_old_data)
{
	const size_t mib = 1UL << 20;
	char name[SHMR_NAME_MAX];
	char *p, *q, *r;
	int fd, got;

	test_name(name, "huge-mremap");
	fd = create_region(name, 4 * mib, 0600, SHMR_CREATE_HUGE);
	if (fd == -EOPNOTSUPP)
		SKIP(return, "no transparent huge pages in this kernel");
	ASSERT_LE(0, fd);
	p = map_region(fd, 4 * mib, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x5a, 4 * mib);
	ASSERT_EQ(0, ioc_resize(fd, 3 * mib, NULL));
	EXPECT_TRUE(all_are(p, 3 * mib, 0x5a));
	got = read_in_child(p + 3 * mib + 4096);
	TH_LOG("past the cut, the old mapping: %s",
	       got == 128 + SIGBUS ? "SIGBUS" : got ? "data" : "zero");
	EXPECT_NE(1, got);
	EXPECT_TRUE(got == 0 || got == 128 + SIGBUS);
	q = map_region(fd, 3 * mib, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(1, read_in_child(q + 2 * mib + 4096));
	EXPECT_EQ(0x5a, q[2 * mib + 4096]);
	r = mremap(q, 3 * mib, 4 * mib, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, r);
	got = read_in_child(r + 4 * mib - 1);
	TH_LOG("past the cut, grown with mremap: %s",
	       got == 128 + SIGBUS ? "SIGBUS" : got ? "data" : "zero");
	EXPECT_NE(1, got);
	EXPECT_TRUE(got == 0 || got == 128 + SIGBUS);
	munmap(r, 4 * mib);
	munmap(p, 4 * mib);
	EXPECT_EQ(0, unlink_name(name));
	close(fd);
}

TEST_F(resize, shrink_cuts_every_mapping)
{
	size_t ps = self->ps;
	uint64_t bytes, seq = 0;
	char *p, *q;
	int other;

	ASSERT_EQ(0, ioc_resize(self->fd, 4 * ps, NULL));
	bytes = nr_bytes();
	p = map_region(self->fd, 4 * ps, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 3, 4 * ps);
	other = attach_region(self->name, SHMR_ATTACH_RDONLY);
	ASSERT_LE(0, other);
	q = map_region(other, 4 * ps, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(1, read_in_child(q + 3 * ps));

	ASSERT_EQ(0, ioc_resize(self->fd, 2 * ps, &seq));
	EXPECT_EQ(2, seq);
	EXPECT_EQ(2 * ps, region_size(self->fd));
	EXPECT_EQ(bytes - 2 * ps, nr_bytes());
	EXPECT_TRUE(all_are(p, 2 * ps, 3));
	EXPECT_TRUE(all_are(q, 2 * ps, 3));
	EXPECT_EQ(128 + SIGBUS, read_in_child(p + 2 * ps));
	EXPECT_EQ(128 + SIGBUS, read_in_child(q + 4 * ps - 1));
	/* the end is the new one for mmap() */
	EXPECT_EQ(MAP_FAILED, map_region(self->fd, 3 * ps, PROT_READ, 0));
	EXPECT_EQ(EINVAL, errno);
	/* growing again gives the old mappings zeroed pages, not the tail */
	ASSERT_EQ(0, ioc_resize(self->fd, 4 * ps, NULL));
	EXPECT_TRUE(all_are(q, 2 * ps, 3));
	EXPECT_TRUE(all_are(q + 2 * ps, 2 * ps, 0));
	munmap(q, 4 * ps);
	munmap(p, 4 * ps);
	close(other);
}

TEST_F(resize, shrink_cuts_a_mapping_grown_with_mremap)
{
	size_t ps = self->ps;
	char *p, *q;

	ASSERT_EQ(0, ioc_resize(self->fd, 4 * ps, NULL));
	p = map_region(self->fd, ps, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	q = mremap(p, ps, 4 * ps, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, q);
	memset(q, 7, 4 * ps);
	ASSERT_EQ(0, ioc_resize(self->fd, 2 * ps, NULL));
	EXPECT_TRUE(all_are(q, 2 * ps, 7));
	EXPECT_EQ(128 + SIGBUS, read_in_child(q + 2 * ps));
	EXPECT_EQ(128 + SIGBUS, read_in_child(q + 3 * ps));
	munmap(q, 4 * ps);
}

static void *thread_sleeps(void *arg)
{
	int *pipefd = arg;
	char c;

	return read(pipefd[0], &c, 1) < 0 ? NULL : arg;
}

/*
 * Handles bound while another thread is alive, or while their file has
 * a second reference (a dup), map like any other: a shrink cuts them
 * too, and growing again shows zeroes.
 */
TEST_F(resize, shrink_cuts_mappings_of_any_handle)
{
	size_t ps = self->ps;
	char name[SHMR_NAME_MAX];
	int fd, dup_fd, pipefd[2];
	pthread_t thread;
	char *p, *q;

	ASSERT_EQ(0, pipe(pipefd));
	ASSERT_EQ(0, pthread_create(&thread, NULL, thread_sleeps, pipefd));
	test_name(name, "threads");
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	dup_fd = dup(fd);
	ASSERT_LE(0, dup_fd);
	ASSERT_EQ(0, ioc_create(fd, name, 4 * ps, 0600, SHMR_CREATE_EXCL));
	p = map_region(fd, 4 * ps, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	q = map_region(dup_fd, 4 * ps, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, q);
	memset(p, 9, 4 * ps);
	ASSERT_EQ(0, ioc_resize(fd, 2 * ps, NULL));
	EXPECT_EQ(128 + SIGBUS, read_in_child(p + 3 * ps));
	EXPECT_EQ(128 + SIGBUS, read_in_child(q + 2 * ps));
	EXPECT_TRUE(all_are(q, 2 * ps, 9));
	ASSERT_EQ(0, ioc_resize(fd, 4 * ps, NULL));
	EXPECT_TRUE(all_are(q + 2 * ps, 2 * ps, 0));
	munmap(q, 4 * ps);
	munmap(p, 4 * ps);
	ASSERT_EQ(1, write(pipefd[1], "x", 1));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(0, unlink_name(name));
	close(dup_fd);
	close(fd);
	close(pipefd[0]);
	close(pipefd[1]);
}

/*
 * RESIZE is a memory operation, not a file write: the caller's
 * RLIMIT_FSIZE does not apply (vfs_truncate() would kill it with
 * SIGXFSZ). In a child, whose limit the test process does not share.
 */
TEST_F(resize, growth_ignores_the_file_size_limit)
{
	const uint64_t mib = 1ULL << 20;
	struct rlimit rl = { .rlim_cur = mib, .rlim_max = mib };
	pid_t pid = fork_child();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		char name[SHMR_NAME_MAX];
		int fd, ret;

		CHILD_REQUIRE(setrlimit(RLIMIT_FSIZE, &rl) == 0);
		test_name(name, "fsize");
		fd = create_region(name, mib, 0600, 0);
		CHILD_REQUIRE(fd >= 0);
		ret = ioc_resize(fd, 4 * mib, NULL);
		unlink_name(name);
		CHILD_REQUIRE(ret == 0);
		CHILD_REQUIRE(region_size(fd) == 4 * mib);
		CHILD_REQUIRE(ioc_resize(fd, mib, NULL) == 0);
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
}

/* How long shrink_races_mappers_and_faulters runs: SHMR_RACE_SECONDS. */
static int race_seconds(void)
{
	const char *s = getenv("SHMR_RACE_SECONDS");

	return s && atoi(s) > 0 ? atoi(s) : 15;
}

#define RACE_PAGES	64
#define RACE_CUT	16	/* the size shrinks to this and grows back */
#define RACE_THREADS	3

struct race {
	int fd;
	size_t ps;
	char *fixed;		/* one mapping of RACE_PAGES, made at the start */
	int stop;
	/*
	 * Even while the region is cut to RACE_CUT pages (the shrink has
	 * returned, the growth not begun), odd otherwise: one more per
	 * change, by the resizer.
	 */
	uint64_t epoch;
	uint64_t seen_data;	/* reads past the cut that found data */
	uint64_t sigbus;	/* ... that got SIGBUS, as they must */
	uint64_t reads;
	uint64_t maps;
};

/*
 * Read a random page past the cut, of @base or of a fresh mapping, and
 * judge it against the epoch before and after: while the region was cut
 * the whole time, only SIGBUS is right.
 */
static void race_probe(struct race *rc, const char *base, uint64_t *rng)
{
	size_t page = RACE_CUT + xrand(rng) % (RACE_PAGES - RACE_CUT);
	uint64_t e1, e2;
	char byte;
	int v;

	e1 = __atomic_load_n(&rc->epoch, __ATOMIC_ACQUIRE);
	v = bus_copy(&byte, base + page * rc->ps + xrand(rng) % rc->ps, 1);
	e2 = __atomic_load_n(&rc->epoch, __ATOMIC_ACQUIRE);
	__atomic_add_fetch(&rc->reads, 1, __ATOMIC_RELAXED);
	if (e1 != e2 || e1 % 2)
		return;
	if (v < 0)
		__atomic_add_fetch(&rc->sigbus, 1, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&rc->seen_data, 1, __ATOMIC_RELAXED);
}

static void *race_thread(void *arg)
{
	struct race *rc = arg;
	uint64_t rng = (uint64_t)(uintptr_t)&rng ^ now_ns();

	while (!__atomic_load_n(&rc->stop, __ATOMIC_ACQUIRE)) {
		char *p;

		race_probe(rc, rc->fixed, &rng);
		/* mmap() of the whole size races the shrink: EINVAL is fine */
		p = mmap(NULL, RACE_PAGES * rc->ps, PROT_READ, MAP_SHARED,
			 rc->fd, 0);
		if (p == MAP_FAILED)
			continue;
		__atomic_add_fetch(&rc->maps, 1, __ATOMIC_RELAXED);
		race_probe(rc, p, &rng);
		munmap(p, RACE_PAGES * rc->ps);
	}
	return NULL;
}

/*
 * A shrink racing mappers and faulters in other threads: whenever the
 * region was cut for the whole of a read past the cut, the read gets
 * SIGBUS; it never sees data there (the resizer writes 0x5a into every
 * page it grows back).
 */
TEST_F_TIMEOUT(resize, shrink_races_mappers_and_faulters, 120)
{
	size_t ps = self->ps;
	pthread_t threads[RACE_THREADS];
	struct race rc = { .ps = ps };
	int64_t end = now_ns() + race_seconds() * 1000000000LL;
	uint64_t rounds = 0;
	char *w;
	int i;

	/* a SIGBUS outside bus_copy() ends the test: CRASH_STATUS */
	catch_crashes(NULL);
	ASSERT_EQ(0, ioc_resize(self->fd, RACE_PAGES * ps, NULL));
	rc.fd = self->fd;
	rc.fixed = map_region(self->fd, RACE_PAGES * ps, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, rc.fixed);
	w = map_region(self->fd, RACE_PAGES * ps, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, w);
	rc.epoch = 1;
	for (i = 0; i < RACE_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, race_thread,
					    &rc));
	while (now_ns() < end) {
		memset(w + RACE_CUT * ps, 0x5a, (RACE_PAGES - RACE_CUT) * ps);
		ASSERT_EQ(0, ioc_resize(self->fd, RACE_CUT * ps, NULL));
		__atomic_add_fetch(&rc.epoch, 1, __ATOMIC_RELEASE);
		usleep(200);
		__atomic_add_fetch(&rc.epoch, 1, __ATOMIC_RELEASE);
		ASSERT_EQ(0, ioc_resize(self->fd, RACE_PAGES * ps, NULL));
		rounds++;
	}
	__atomic_store_n(&rc.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < RACE_THREADS; i++)
		ASSERT_EQ(0, pthread_join(threads[i], NULL));
	TH_LOG("%" PRIu64 " rounds, %" PRIu64 " reads, %" PRIu64 " mmaps, %"
	       PRIu64 " SIGBUS while cut", rounds, rc.reads, rc.maps,
	       rc.sigbus);
	EXPECT_EQ(0, rc.seen_data);
	EXPECT_LT(0, rc.sigbus);
	munmap(w, RACE_PAGES * ps);
	munmap(rc.fixed, RACE_PAGES * ps);
}

TEST_F(resize, control_page_does_not_count)
{
	size_t ps = self->ps;
	struct shmr_ctrl *c;
	uint64_t seq = 0;
	char *p;

	c = map_region(self->fd, ps, PROT_READ, SHMR_CTRL_OFFSET);
	ASSERT_NE(MAP_FAILED, c);
	p = map_region(self->fd, ps, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 9;
	ASSERT_EQ(0, ioc_resize(self->fd, ps, &seq));
	EXPECT_EQ(seq, __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE));
	EXPECT_EQ(9, p[0]);
	munmap(p, ps);
	munmap(c, ps);
}

TEST_F(resize, same_size_is_not_an_update)
{
	uint64_t seq = 99;

	ASSERT_EQ(0, ioc_resize(self->fd, 2 * self->ps, &seq));
	EXPECT_EQ(0, seq);
	/* rounded up to the same whole pages */
	ASSERT_EQ(0, ioc_resize(self->fd, 2 * self->ps - 1, &seq));
	EXPECT_EQ(0, seq);
}

TEST_F(resize, bad_arguments)
{
	struct shmr_resize rs;
	size_t ps = self->ps;
	int ro, unbound, i;

	for (i = 0; i < 5; i++) {
		memset(&rs, 0, sizeof(rs));
		rs.size = 4 * ps;
		switch (i) {
		case 0: rs.size = 0; break;
		case 1: rs.flags = 1; break;
		case 2: rs.pad = 1; break;
		case 3: rs.reserved[0] = 1; break;
		case 4: rs.reserved[1] = 1ULL << 63; break;
		}
		EXPECT_EQ(-EINVAL, ioctl_err(self->fd, SHMR_IOC_RESIZE, &rs)) {
			TH_LOG("case %d", i);
		}
	}
	EXPECT_EQ(-EFAULT, ioctl_err(self->fd, SHMR_IOC_RESIZE, (void *)8));
	EXPECT_EQ(-E2BIG, ioc_resize(self->fd, SHMR_CTRL_OFFSET + ps, NULL));
	EXPECT_EQ(-E2BIG, ioc_resize(self->fd, read_u64(SHMR_PARAM_DIR
							  "/max_region_bytes") + 1,
				     NULL));
	ro = attach_region(self->name, SHMR_ATTACH_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EACCES, ioc_resize(ro, 4 * ps, NULL));
	close(ro);
	unbound = dev_open(O_RDWR);
	ASSERT_LE(0, unbound);
	EXPECT_EQ(-EBADFD, ioc_resize(unbound, 4 * ps, NULL));
	close(unbound);
	EXPECT_EQ(2 * ps, region_size(self->fd));
}

/* As uid 1000: RESIZE of root's 0666 region through a read-write handle. */
static int resize_not_owner(void *arg)
{
	int fd = attach_region(arg, 0);

	CHILD_REQUIRE(fd >= 0);
	CHILD_REQUIRE(ioc_resize(fd, 8 * page_size(), NULL) == -EPERM);
	return 0;
}

TEST_F(resize, only_the_owner)
{
	char name[SHMR_NAME_MAX];
	int fd;

	test_name(name, "shared");
	fd = create_region(name, page_size(), 0666, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, run_as(1000, 1000, resize_not_owner, name));
	EXPECT_EQ(page_size(), region_size(fd));
	EXPECT_EQ(0, unlink_name(name));
	close(fd);
}

/* As uid 1000: its own region may not grow past max_user_bytes. */
static int resize_over_user_bytes(void *arg)
{
	uint64_t max = *(uint64_t *)arg;
	char name[SHMR_NAME_MAX];
	int fd;

	test_name(name, "quota");
	fd = create_region(name, page_size(), 0600, SHMR_CREATE_LAZY);
	CHILD_REQUIRE(fd >= 0);
	CHILD_REQUIRE(ioc_resize(fd, max + page_size(), NULL) == -EDQUOT);
	CHILD_REQUIRE(ioc_resize(fd, max, NULL) == 0);
	CHILD_REQUIRE(unlink_name(name) == 0);
	return 0;
}

TEST_F(resize, limits_apply_to_growth)
{
	uint64_t total = read_u64(SHMR_PARAM_DIR "/max_total_bytes");
	uint64_t user = read_u64(SHMR_PARAM_DIR "/max_user_bytes");
	uint64_t bytes = nr_bytes(), small = 64 * self->ps;
	char val[32];

	/* ENOSPC: the module's total, for root too */
	snprintf(val, sizeof(val), "%llu", (unsigned long long)(bytes + small));
	ASSERT_EQ(0, write_file(SHMR_PARAM_DIR "/max_total_bytes", val));
	EXPECT_EQ(-ENOSPC, ioc_resize(self->fd, 2 * self->ps + 2 * small, NULL));
	EXPECT_EQ(bytes, nr_bytes());
	snprintf(val, sizeof(val), "%llu", (unsigned long long)total);
	ASSERT_EQ(0, write_file(SHMR_PARAM_DIR "/max_total_bytes", val));
	EXPECT_EQ(2 * self->ps, region_size(self->fd));

	/* EDQUOT: the owner's bytes */
	snprintf(val, sizeof(val), "%llu", (unsigned long long)small);
	ASSERT_EQ(0, write_file(SHMR_PARAM_DIR "/max_user_bytes", val));
	EXPECT_EQ(0, run_as(1000, 1000, resize_over_user_bytes, &small));
	snprintf(val, sizeof(val), "%llu", (unsigned long long)user);
	ASSERT_EQ(0, write_file(SHMR_PARAM_DIR "/max_user_bytes", val));
	EXPECT_EQ(bytes, nr_bytes());
}

TEST_HARNESS_MAIN
