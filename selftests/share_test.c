// SPDX-License-Identifier: GPL-2.0
/*
 * Sharing memory: data written by one process is read by another (both
 * ways), fork shares a mapping, a mapping outlives close(fd), a region
 * outlives its creator, unlink + last unmap frees the memory (checked in
 * /sys/class/misc/shmregion/nr_regions and nr_bytes), a TRANSIENT region
 * vanishes with its last user; and what needs real page-cache pages: a
 * futex and a process-shared pthread mutex across processes,
 * process_vm_readv/writev, vmsplice and O_DIRECT into the mapping.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/shmregion.h>

#include "kselftest_harness.h"
#include "common.h"

#define PEER_PAGES	8

static void fill(uint8_t *p, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7 + i / 4096);
}

static int check(const uint8_t *p, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (uint8_t)(seed + i * 7 + i / 4096))
			return -1;
	return 0;
}

static int all_zero(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Map @pages pages of region @name through a new handle of our own. */
static uint8_t *attach_map(const char *name, size_t pages, off_t pgoff)
{
	int fd = attach_region(name, 0);
	void *p;

	if (fd < 0)
		return MAP_FAILED;
	p = map_region(fd, pages * page_size(), PROT_READ | PROT_WRITE,
		     pgoff * page_size());
	close(fd);
	return p;
}

/*
 * A peer process with a mapping of its own (attached by name, not
 * inherited): it obeys one-byte commands, 'w' fill with a seed, 'c'
 * check a seed, answering 'k' or 'x'; EOF ends it.
 */
FIXTURE(peer) {
	char name[SHMR_NAME_MAX];
	uint8_t *map;
	size_t len;
	int fd, sk;
	pid_t pid;
};

static int peer_main(const char *name, size_t len, int sk)
{
	uint8_t *p = attach_map(name, len / page_size(), 0);
	int cmd, seed;

	CHILD_REQUIRE(p != MAP_FAILED);
	CHILD_REQUIRE(send_byte(sk, 'r') == 0);
	while ((cmd = recv_byte(sk)) >= 0) {
		seed = recv_byte(sk);
		if (cmd == 'w')
			fill(p, len, seed);
		CHILD_REQUIRE(send_byte(sk, cmd == 'c' && check(p, len, seed) ?
					'x' : 'k') == 0);
	}
	return 0;
}

FIXTURE_SETUP(peer)
{
	REQUIRE_DEVICE();
	self->pid = -1;
	self->len = PEER_PAGES * page_size();
	snprintf(self->name, sizeof(self->name), "kst-%d-peer", getpid());
	self->fd = create_region(self->name, self->len, 0600, 0);
	ASSERT_LE(0, self->fd);
	self->map = map_region(self->fd, self->len, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	self->pid = fork_peer(&self->sk);
	ASSERT_LE(0, self->pid);
	if (self->pid == 0)
		_exit(peer_main(self->name, self->len, self->sk));
	ASSERT_EQ('r', recv_byte(self->sk));
}

FIXTURE_TEARDOWN(peer)
{
	if (self->pid > 0)
		EXPECT_EQ(0, end_peer(self->pid, self->sk));
	EXPECT_EQ(0, unlink_name(self->name));
	close(self->fd);
}

static int peer_do(int sk, char cmd, uint8_t seed)
{
	if (send_byte(sk, cmd) || send_byte(sk, (char)seed))
		return -1;
	return recv_byte(sk);
}

TEST_F(peer, peer_writes_we_read)
{
	EXPECT_TRUE(all_zero(self->map, self->len));
	ASSERT_EQ('k', peer_do(self->sk, 'w', 17));
	EXPECT_EQ(0, check(self->map, self->len, 17));
	ASSERT_EQ('k', peer_do(self->sk, 'w', 99));
	EXPECT_EQ(0, check(self->map, self->len, 99));
}

TEST_F(peer, we_write_peer_reads)
{
	fill(self->map, self->len, 42);
	EXPECT_EQ('k', peer_do(self->sk, 'c', 42));
	EXPECT_EQ('x', peer_do(self->sk, 'c', 43));	/* the check can fail */
	fill(self->map, self->len, 43);
	EXPECT_EQ('k', peer_do(self->sk, 'c', 43));
}

TEST(fork_shares_mapping)
{
	char name[SHMR_NAME_MAX];
	struct shmr_info info;
	int sk[2], fd;
	uint8_t *p;
	pid_t pid;

	REQUIRE_DEVICE();
	test_name(name, "fork");
	fd = create_region(name, 2 * page_size(), 0600, 0);
	ASSERT_LE(0, fd);
	p = map_region(fd, 2 * page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sk));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		fill(p, 2 * page_size(), 5);
		CHILD_REQUIRE(send_byte(sk[1], 'w') == 0);
		CHILD_REQUIRE(recv_byte(sk[1]) == 'w');
		CHILD_REQUIRE(check(p, 2 * page_size(), 6) == 0);
		_exit(0);
	}
	ASSERT_EQ('w', recv_byte(sk[0]));
	EXPECT_EQ(0, check(p, 2 * page_size(), 5));
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_EQ(2, info.mappings);	/* the child's copy of the VMA */
	EXPECT_EQ(1, info.handles);	/* one open file, shared by both */
	fill(p, 2 * page_size(), 6);
	ASSERT_EQ(0, send_byte(sk[0], 'w'));
	EXPECT_EQ(0, reap(pid));
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_EQ(1, info.mappings);
	EXPECT_EQ(0, unlink_name(name));
	munmap(p, 2 * page_size());
	close(fd);
	close(sk[0]);
	close(sk[1]);
}

TEST(mapping_outlives_close)
{
	char name[SHMR_NAME_MAX];
	uint8_t *p, *q;
	int fd;

	REQUIRE_DEVICE();
	test_name(name, "outlive-close");
	fd = create_region(name, 4 * page_size(), 0600, 0);
	ASSERT_LE(0, fd);
	p = map_region(fd, 4 * page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, unlink_name(name));	/* not even a name left */
	fill(p, 4 * page_size(), 11);
	EXPECT_EQ(0, check(p, 4 * page_size(), 11));

	/* a second mapping of another region does not disturb it */
	fd = create_region(name, 4 * page_size(), 0600, 0);
	ASSERT_LE(0, fd);
	q = map_region(fd, 4 * page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_TRUE(all_zero(q, 4 * page_size()));
	EXPECT_EQ(0, check(p, 4 * page_size(), 11));
	EXPECT_EQ(0, unlink_name(name));
	munmap(q, 4 * page_size());
	munmap(p, 4 * page_size());
	close(fd);
}

TEST(madvise_dontneed_keeps_data)
{
	size_t len = 4 * page_size();
	char name[SHMR_NAME_MAX];
	uint8_t *p;
	int fd;

	REQUIRE_DEVICE();
	test_name(name, "dontneed");
	fd = create_region(name, len, 0600, 0);
	ASSERT_LE(0, fd);
	p = map_region(fd, len, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill(p, len, 51);
	/* dropping our page tables must not drop the region's pages */
	ASSERT_EQ(0, madvise(p, len, MADV_DONTNEED));
	EXPECT_EQ(0, check(p, len, 51));
	EXPECT_EQ(0, unlink_name(name));
	munmap(p, len);
	close(fd);
}

TEST(unlinked_region_still_maps)
{
	char name[SHMR_NAME_MAX];
	uint8_t *p, *q;
	int fd;

	REQUIRE_DEVICE();
	test_name(name, "unlinked-map");
	fd = create_region(name, 2 * page_size(), 0600, 0);
	ASSERT_LE(0, fd);
	p = map_region(fd, 2 * page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill(p, 2 * page_size(), 41);
	ASSERT_EQ(0, unlink_name(name));
	/* the handle is still bound to the (nameless) region */
	q = map_region(fd, 2 * page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0, check(q, 2 * page_size(), 41));
	fill(q, 2 * page_size(), 42);
	EXPECT_EQ(0, check(p, 2 * page_size(), 42));
	munmap(q, 2 * page_size());
	munmap(p, 2 * page_size());
	close(fd);
}

/* Every page lands where its offset says, in every mapping. */
TEST(offset_mappings_agree)
{
	const size_t pages = 1024, skip = 5;	/* 4 MiB */
	char name[SHMR_NAME_MAX];
	size_t i, ps = page_size();
	uint8_t *p;
	pid_t pid;
	int fd;

	REQUIRE_DEVICE();
	test_name(name, "offsets");
	fd = create_region(name, pages * ps, 0600, 0);
	ASSERT_LE(0, fd);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint32_t *c = (uint32_t *)attach_map(name, pages - skip, skip);

		CHILD_REQUIRE((void *)c != MAP_FAILED);
		for (i = 0; i < pages - skip; i++)
			c[i * ps / 4] = (uint32_t)(i + skip);
		_exit(0);
	}
	ASSERT_EQ(0, reap(pid));
	p = map_region(fd, pages * ps, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < pages; i++) {
		uint32_t want = i < skip ? 0 : (uint32_t)i;

		if (*(uint32_t *)(p + i * ps) != want) {
			EXPECT_EQ(want, *(uint32_t *)(p + i * ps)) {
				TH_LOG("page %zu", i);
			}
			break;
		}
	}
	EXPECT_EQ(0, unlink_name(name));
	munmap(p, pages * ps);
	close(fd);
}

/* Create, attach, map, notify and unlink one name from many processes. */
TEST(concurrent_create_attach_unlink)
{
	const int procs = 4, rounds = 200;
	uint64_t regions = nr_regions(), bytes = nr_bytes();
	char name[SHMR_NAME_MAX];
	pid_t pids[4];
	int i;

	REQUIRE_DEVICE();
	test_name(name, "churn");
	for (i = 0; i < procs; i++) {
		pids[i] = fork_child();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			int r, fd, ret;
			uint8_t *p;

			for (r = 0; r < rounds; r++) {
				fd = dev_open(O_RDWR);
				CHILD_REQUIRE(fd >= 0);
				ret = (r + i) % 3 ?
				      ioc_create(fd, name, 2 * page_size(), 0600,
						  r % 2 ? SHMR_CREATE_TRANSIENT : 0) :
				      ioc_attach(fd, name, 0);
				CHILD_REQUIRE(ret == 0 || ret == -ENOENT);
				if (!ret) {
					p = map_region(fd, 2 * page_size(),
						     PROT_READ | PROT_WRITE, 0);
					CHILD_REQUIRE(p != MAP_FAILED);
					p[r % (2 * page_size())]++;
					CHILD_REQUIRE(ioc_notify(fd, NULL) == 0);
					munmap(p, 2 * page_size());
				}
				ret = ioc_unlink(fd, name);
				CHILD_REQUIRE(ret == 0 || ret == -ENOENT);
				close(fd);
			}
			_exit(0);
		}
	}
	for (i = 0; i < procs; i++)
		EXPECT_EQ(0, reap(pids[i]));
	EXPECT_EQ(-ENOENT, unlink_name(name));
	EXPECT_EQ(regions, nr_regions());
	EXPECT_EQ(bytes, nr_bytes());
}

TEST(region_outlives_creator)
{
	char name[SHMR_NAME_MAX];
	struct shmr_info info;
	uint8_t *p;
	pid_t pid;
	int fd;

	REQUIRE_DEVICE();
	test_name(name, "outlive-creator");
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		fd = create_region(name, 3 * page_size(), 0600, 0);
		CHILD_REQUIRE(fd >= 0);
		p = map_region(fd, 3 * page_size(), PROT_READ | PROT_WRITE, 0);
		CHILD_REQUIRE(p != MAP_FAILED);
		fill(p, 3 * page_size(), 77);
		_exit(0);
	}
	ASSERT_EQ(0, reap(pid));
	fd = attach_region(name, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_EQ(1, info.handles);
	EXPECT_EQ(0, info.mappings);
	p = map_region(fd, 3 * page_size(), PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, check(p, 3 * page_size(), 77));
	EXPECT_EQ(0, unlink_name(name));
	munmap(p, 3 * page_size());
	close(fd);
}

TEST(new_regions_are_zero_filled)
{
	static const uint32_t flags[] = { 0, SHMR_CREATE_LAZY };
	char name[SHMR_NAME_MAX];
	size_t len = 64 * page_size();
	uint8_t *p;
	int i, fd;

	REQUIRE_DEVICE();
	for (i = 0; i < 2; i++) {
		test_name(name, i ? "zero-lazy" : "zero");
		fd = create_region(name, len, 0600, flags[i]);
		ASSERT_LE(0, fd);
		p = map_region(fd, len, PROT_READ | PROT_WRITE, 0);
		ASSERT_NE(MAP_FAILED, p);
		EXPECT_TRUE(all_zero(p, len));
		fill(p, len, 1);	/* dirty pages for the next region */
		EXPECT_EQ(0, unlink_name(name));
		munmap(p, len);
		close(fd);
	}
}

TEST(unlink_and_last_unmap_free_memory)
{
	uint64_t regions = nr_regions(), bytes = nr_bytes();
	char name[SHMR_NAME_MAX];
	uint8_t *p;
	int fd;

	REQUIRE_DEVICE();
	ASSERT_NE(~0ULL, regions);
	ASSERT_NE(~0ULL, bytes);
	test_name(name, "free");
	fd = create_region(name, 5 * page_size(), 0600, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(regions + 1, nr_regions());
	EXPECT_EQ(bytes + 5 * page_size(), nr_bytes());
	p = map_region(fd, 5 * page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, unlink_name(name));
	EXPECT_EQ(regions + 1, nr_regions());
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ(regions + 1, nr_regions());	/* the mapping holds it */
	fill(p, 5 * page_size(), 3);
	ASSERT_EQ(0, munmap(p, 5 * page_size()));
	EXPECT_EQ(regions, nr_regions());
	EXPECT_EQ(bytes, nr_bytes());
}

TEST(named_region_persists_without_users)
{
	uint64_t regions = nr_regions(), bytes = nr_bytes();
	char name[SHMR_NAME_MAX];
	int fd;

	REQUIRE_DEVICE();
	test_name(name, "persist");
	fd = create_region(name, 2 * page_size(), 0600, SHMR_CREATE_LAZY);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(regions + 1, nr_regions());
	EXPECT_EQ(bytes + 2 * page_size(), nr_bytes());
	ASSERT_EQ(0, unlink_name(name));	/* no user: freed at once */
	EXPECT_EQ(regions, nr_regions());
	EXPECT_EQ(bytes, nr_bytes());
}

TEST(partial_munmap_keeps_region)
{
	uint64_t regions = nr_regions();
	char name[SHMR_NAME_MAX];
	struct shmr_info info;
	size_t ps = page_size();
	uint8_t *p, tail[2 * 4096];
	int fd;

	REQUIRE_DEVICE();
	ASSERT_GE(sizeof(tail), 2 * ps);
	test_name(name, "split");
	fd = create_region(name, 4 * ps, 0600, 0);
	ASSERT_LE(0, fd);
	p = map_region(fd, 4 * ps, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill(p, 4 * ps, 9);
	memcpy(tail, p + 2 * ps, 2 * ps);
	ASSERT_EQ(0, munmap(p + ps, ps));	/* splits the VMA in two */
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_EQ(2, info.mappings);
	ASSERT_EQ(0, unlink_name(name));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, munmap(p, ps));
	EXPECT_EQ(regions + 1, nr_regions());	/* the tail still maps it */
	EXPECT_EQ(0, memcmp(tail, p + 2 * ps, 2 * ps));
	ASSERT_EQ(0, munmap(p + 2 * ps, 2 * ps));
	EXPECT_EQ(regions, nr_regions());
}

TEST(transient_vanishes_with_last_handle)
{
	uint64_t regions = nr_regions();
	char name[SHMR_NAME_MAX];
	int fd, fd2;

	REQUIRE_DEVICE();
	test_name(name, "transient");
	fd = create_region(name, page_size(), 0600, SHMR_CREATE_TRANSIENT);
	ASSERT_LE(0, fd);
	fd2 = attach_region(name, 0);
	ASSERT_LE(0, fd2);
	close(fd);
	EXPECT_EQ(regions + 1, nr_regions());
	close(fd2);
	EXPECT_EQ(regions, nr_regions());
	EXPECT_EQ(-ENOENT, attach_region(name, 0));
	EXPECT_EQ(-ENOENT, unlink_name(name));
	/* the name is free again */
	fd = create_region(name, page_size(), 0600, 0);
	EXPECT_LE(0, fd);
	EXPECT_EQ(0, unlink_name(name));
	close(fd);
}

TEST(transient_lives_while_mapped)
{
	uint64_t regions = nr_regions(), bytes = nr_bytes();
	char name[SHMR_NAME_MAX];
	uint8_t *p, *q;
	pid_t pid;
	int fd;

	REQUIRE_DEVICE();
	test_name(name, "transient-map");
	fd = create_region(name, 2 * page_size(), 0600, SHMR_CREATE_TRANSIENT);
	ASSERT_LE(0, fd);
	p = map_region(fd, 2 * page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	fill(p, 2 * page_size(), 23);
	/* only a mapping is left, and another process can still attach */
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		q = attach_map(name, 2, 0);
		CHILD_REQUIRE(q != MAP_FAILED);
		CHILD_REQUIRE(check(q, 2 * page_size(), 23) == 0);
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(regions + 1, nr_regions());
	ASSERT_EQ(0, munmap(p, 2 * page_size()));
	EXPECT_EQ(regions, nr_regions());
	EXPECT_EQ(bytes, nr_bytes());
	EXPECT_EQ(-ENOENT, attach_region(name, 0));
}

TEST(futex_wait_wake_across_processes)
{
	char name[SHMR_NAME_MAX];
	int sk[2], fd;
	uint32_t *word;
	uint8_t *p;
	pid_t pid;

	REQUIRE_DEVICE();
	test_name(name, "futex");
	fd = create_region(name, 2 * page_size(), 0600, 0);
	ASSERT_LE(0, fd);
	p = map_region(fd, 2 * page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	word = (uint32_t *)(p + page_size() + 64);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sk));

	/*
	 * The child maps only the second page, through its own handle: the
	 * futex key must come from the page, not from the address.
	 */
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint8_t *c = attach_map(name, 1, 1);
		uint32_t *w;

		CHILD_REQUIRE(c != MAP_FAILED);
		w = (uint32_t *)(c + 64);
		CHILD_REQUIRE(send_byte(sk[1], 'r') == 0);
		while (__atomic_load_n(w, __ATOMIC_ACQUIRE) == 0)
			CHILD_REQUIRE(sys_futex(w, FUTEX_WAIT, 0) == 0 ||
				      errno == EAGAIN);
		/* now the other way round: wake the parent */
		CHILD_REQUIRE(wait_sleeping(getppid(), __NR_futex,
					    NR_FUTEX_ALT, -1) == 0);
		__atomic_store_n(w, 2, __ATOMIC_RELEASE);
		CHILD_REQUIRE(sys_futex(w, FUTEX_WAKE, 1) == 1);
		_exit(0);
	}
	ASSERT_EQ('r', recv_byte(sk[0]));
	ASSERT_EQ(0, wait_sleeping(pid, __NR_futex, NR_FUTEX_ALT, sk[0]));
	__atomic_store_n(word, 1, __ATOMIC_RELEASE);
	EXPECT_EQ(1, sys_futex(word, FUTEX_WAKE, 1)) {
		TH_LOG("FUTEX_WAKE: %s", strerror(errno));
	}
	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == 1) {
		long ret = sys_futex(word, FUTEX_WAIT, 1);

		ASSERT_TRUE(ret == 0 || errno == EAGAIN);
	}
	EXPECT_EQ(2, *word);
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, unlink_name(name));
	munmap(p, 2 * page_size());
	close(fd);
	close(sk[0]);
	close(sk[1]);
}

struct shared_lock {
	pthread_mutex_t mutex;
	uint64_t counter;
};

#define MUTEX_ROUNDS	20000

static void mutex_rounds(struct shared_lock *l)
{
	int i;

	for (i = 0; i < MUTEX_ROUNDS; i++) {
		pthread_mutex_lock(&l->mutex);
		l->counter++;
		pthread_mutex_unlock(&l->mutex);
	}
}

TEST(pshared_mutex_across_processes)
{
	char name[SHMR_NAME_MAX];
	pthread_mutexattr_t attr;
	struct shared_lock *l;
	int sk[2], fd;
	pid_t pid;

	REQUIRE_DEVICE();
	test_name(name, "mutex");
	fd = create_region(name, page_size(), 0600, 0);
	ASSERT_LE(0, fd);
	l = map_region(fd, page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, l);
	ASSERT_EQ(0, pthread_mutexattr_init(&attr));
	ASSERT_EQ(0, pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED));
	ASSERT_EQ(0, pthread_mutex_init(&l->mutex, &attr));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sk));

	/* first: the child blocks on the mutex we hold, and we wake it */
	ASSERT_EQ(0, pthread_mutex_lock(&l->mutex));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct shared_lock *c = (void *)attach_map(name, 1, 0);

		CHILD_REQUIRE((void *)c != MAP_FAILED);
		CHILD_REQUIRE(send_byte(sk[1], 'r') == 0);
		CHILD_REQUIRE(pthread_mutex_lock(&c->mutex) == 0);
		c->counter++;
		CHILD_REQUIRE(pthread_mutex_unlock(&c->mutex) == 0);
		CHILD_REQUIRE(recv_byte(sk[1]) == 'g');
		mutex_rounds(c);
		_exit(0);
	}
	ASSERT_EQ('r', recv_byte(sk[0]));
	ASSERT_EQ(0, wait_sleeping(pid, __NR_futex, NR_FUTEX_ALT, sk[0]));
	EXPECT_EQ(0, l->counter);
	ASSERT_EQ(0, pthread_mutex_unlock(&l->mutex));

	/* then: both hammer it */
	ASSERT_EQ(0, send_byte(sk[0], 'g'));
	mutex_rounds(l);
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(1 + 2 * MUTEX_ROUNDS, l->counter);
	EXPECT_EQ(0, unlink_name(name));
	munmap(l, page_size());
	close(fd);
	close(sk[0]);
	close(sk[1]);
}

TEST(process_vm_readv_writev)
{
	size_t len = 3 * page_size();
	char name[SHMR_NAME_MAX];
	struct iovec local, remote;
	uint64_t addr;
	uint8_t *p, *buf;
	int sk[2], fd;
	pid_t pid;

	REQUIRE_DEVICE();
	test_name(name, "vm-readv");
	fd = create_region(name, len, 0600, SHMR_CREATE_LAZY);
	ASSERT_LE(0, fd);
	p = map_region(fd, len, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sk));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint8_t *c = attach_map(name, 3, 0);

		CHILD_REQUIRE(c != MAP_FAILED);
		fill(c, len, 31);
		CHILD_REQUIRE(send_u64(sk[1], (uintptr_t)c) == 0);
		CHILD_REQUIRE(recv_byte(sk[1]) == 'q');
		_exit(0);
	}
	ASSERT_EQ(0, recv_u64(sk[0], &addr));
	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	local = (struct iovec){ buf, len };
	remote = (struct iovec){ (void *)(uintptr_t)addr, len };
	EXPECT_EQ((ssize_t)len, process_vm_readv(pid, &local, 1, &remote, 1, 0)) {
		TH_LOG("process_vm_readv: %s", strerror(errno));
	}
	EXPECT_EQ(0, check(buf, len, 31));

	fill(buf, len, 32);
	EXPECT_EQ((ssize_t)len, process_vm_writev(pid, &local, 1, &remote, 1, 0)) {
		TH_LOG("process_vm_writev: %s", strerror(errno));
	}
	EXPECT_EQ(0, check(p, len, 32));
	EXPECT_EQ(0, send_byte(sk[0], 'q'));
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, unlink_name(name));
	free(buf);
	munmap(p, len);
	close(fd);
	close(sk[0]);
	close(sk[1]);
}

TEST(vmsplice_from_mapping)
{
	size_t len = 2 * page_size();
	char name[SHMR_NAME_MAX];
	struct iovec iov;
	uint8_t *p, *buf;
	int fd, pfd[2];

	REQUIRE_DEVICE();
	test_name(name, "vmsplice");
	fd = create_region(name, len, 0600, 0);
	ASSERT_LE(0, fd);
	p = map_region(fd, len, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill(p, len, 61);
	ASSERT_EQ(0, pipe(pfd));
	iov = (struct iovec){ p, len };
	/* vmsplice takes the pages with get_user_pages, as O_DIRECT does */
	EXPECT_EQ((ssize_t)len, vmsplice(pfd[1], &iov, 1, 0)) {
		TH_LOG("vmsplice: %s", strerror(errno));
	}
	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	EXPECT_EQ((ssize_t)len, read(pfd[0], buf, len));
	EXPECT_EQ(0, check(buf, len, 61));
	/* and the kernel writes into the mapping (copy_to_user) */
	fill(buf, len, 62);
	EXPECT_EQ((ssize_t)len, write(pfd[1], buf, len));
	EXPECT_EQ((ssize_t)len, read(pfd[0], p, len));
	EXPECT_EQ(0, check(p, len, 62));
	EXPECT_EQ(0, unlink_name(name));
	free(buf);
	close(pfd[0]);
	close(pfd[1]);
	munmap(p, len);
	close(fd);
}

/* A file opened with O_DIRECT on a filesystem that really does it. */
static int odirect_file(char *path, size_t pathlen, const char **tried)
{
	static const char *const dirs[] = { ".", "/var/tmp", "/tmp", "/root",
					    "/mnt", "/" };
	const char *env = getenv("SHMR_ODIRECT_DIR");
	size_t i, n = sizeof(dirs) / sizeof(dirs[0]);
	void *buf;
	int fd;

	*tried = "SHMR_ODIRECT_DIR . /var/tmp /tmp /root /mnt /";
	if (posix_memalign(&buf, page_size(), page_size()))
		return -1;
	memset(buf, 0, page_size());
	for (i = 0; i <= n; i++) {
		const char *dir = i == 0 ? env : dirs[i - 1];

		if (!dir)
			continue;
		snprintf(path, pathlen, "%s/shmr-odirect-%d", dir, getpid());
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_DIRECT | O_CLOEXEC, 0600);
		if (fd < 0)
			continue;
		if (pwrite(fd, buf, page_size(), 0) == (ssize_t)page_size()) {
			free(buf);
			return fd;
		}
		close(fd);
		unlink(path);
	}
	free(buf);
	return -1;
}

TEST(odirect_io_into_mapping)
{
	size_t len = 4 * page_size();
	char name[SHMR_NAME_MAX], path[256];
	const char *tried;
	void *buf;
	uint8_t *p;
	int fd, file;

	REQUIRE_DEVICE();
	file = odirect_file(path, sizeof(path), &tried);
	if (file < 0)
		SKIP(return, "no filesystem with O_DIRECT here (tmpfs has none before 6.6); tried %s",
		     tried);
	ASSERT_EQ(0, posix_memalign(&buf, page_size(), len));
	fill(buf, len, 71);
	ASSERT_EQ((ssize_t)len, pwrite(file, buf, len, 0));

	test_name(name, "odirect");
	fd = create_region(name, len, 0600, 0);
	ASSERT_LE(0, fd);
	p = map_region(fd, len, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* the device reads into the region's pages */
	EXPECT_EQ((ssize_t)len, pread(file, p, len, 0)) {
		TH_LOG("O_DIRECT read into the mapping: %s", strerror(errno));
	}
	EXPECT_EQ(0, check(p, len, 71));
	/* and writes from them */
	fill(p, len, 72);
	EXPECT_EQ((ssize_t)len, pwrite(file, p, len, len)) {
		TH_LOG("O_DIRECT write from the mapping: %s", strerror(errno));
	}
	memset(buf, 0, len);
	EXPECT_EQ((ssize_t)len, pread(file, buf, len, len));
	EXPECT_EQ(0, check(buf, len, 72));

	EXPECT_EQ(0, unlink_name(name));
	munmap(p, len);
	close(fd);
	close(file);
	unlink(path);
	free(buf);
}

TEST_HARNESS_MAIN
