// SPDX-License-Identifier: GPL-2.0
/*
 * SHMR_CREATE_HUGE: a region backed by transparent huge pages (the
 * module's own tmpfs mount with huge=within_size). A 2 MiB aligned
 * mapping maps them with one PMD each (smaps' ShmemPmdMapped), the data
 * is shared by every process, shared futexes work on it, INFO reports
 * the flag, a lazy huge region gets a huge page at its first touch, and
 * on a kernel without THP CREATE says EOPNOTSUPP.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/futex.h>
#include <linux/shmregion.h>

#include "kselftest_harness.h"
#include "common.h"

#define HUGE_BYTES	(64UL << 20)
#define PMD_BYTES	(2UL << 20)
#define THP_SYSFS	"/sys/kernel/mm/transparent_hugepage"

static int have_thp(void)
{
	struct stat st;

	return !stat(THP_SYSFS, &st);
}

/* kB of the mapping at @addr mapped with PMDs (shmem or file THP). */
static long pmd_mapped_kb(void *addr)
{
	return smaps_kb(addr, "ShmemPmdMapped") +
	       smaps_kb(addr, "FilePmdMapped");
}

static uint32_t pattern(size_t i)
{
	return (uint32_t)(i * 2654435761u) ^ 0xa5a5a5a5;
}

/* CREATE works exactly where the kernel has THP. */
TEST(huge_create_only_with_thp)
{
	char name[SHMR_NAME_MAX];
	int fd;

	REQUIRE_DEVICE();
	test_name(name, "hugeq");
	fd = create_region(name, PMD_BYTES, 0600, SHMR_CREATE_HUGE);
	if (have_thp()) {
		ASSERT_LE(0, fd) TH_LOG("CREATE HUGE: %s", strerror(-fd));
		EXPECT_EQ(0, close(fd));
		EXPECT_EQ(0, unlink_name(name));
	} else {
		EXPECT_EQ(-EOPNOTSUPP, fd);
		EXPECT_EQ(-ENOENT, unlink_name(name));	/* nothing made */
	}
}

/*
 * Map the whole region 2 MiB aligned. A 64-bit mmap() gets such an
 * address from the module (thp_get_unmapped_area()); the kernel does not
 * align for 32-bit programs, so they pick one by hand, as users must.
 */
static void *map_huge(int fd, size_t len)
{
	uintptr_t at;
	char *room;

	if (sizeof(long) == 8)
		return map_region(fd, len, PROT_READ | PROT_WRITE, 0);
	room = mmap(NULL, len + PMD_BYTES, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (room == MAP_FAILED)
		return MAP_FAILED;
	munmap(room, len + PMD_BYTES);
	at = ((uintptr_t)room + PMD_BYTES - 1) & ~(PMD_BYTES - 1);
	return mmap((void *)at, len, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_FIXED, fd, 0);
}

FIXTURE(huge) {
	char name[SHMR_NAME_MAX];
	int fd;
	uint32_t *p;
};

FIXTURE_SETUP(huge)
{
	REQUIRE_DEVICE();
	self->p = MAP_FAILED;
	self->fd = -1;
	/* ends the test process, as REQUIRE_DEVICE() does (common.h) */
	if (!have_thp())
		SKIP(_exit(255), "no transparent huge pages in this kernel");
	test_name(self->name, "huge");
	self->fd = create_region(self->name, HUGE_BYTES, 0600,
				 SHMR_CREATE_HUGE);
	ASSERT_LE(0, self->fd);
	self->p = map_huge(self->fd, HUGE_BYTES);
	ASSERT_NE(MAP_FAILED, self->p);
}

FIXTURE_TEARDOWN(huge)
{
	if (self->p != MAP_FAILED)
		EXPECT_EQ(0, munmap(self->p, HUGE_BYTES));
	if (self->fd >= 0) {
		EXPECT_EQ(0, close(self->fd));
		EXPECT_EQ(0, unlink_name(self->name));
	}
}

/* A 2 MiB aligned address (chosen by the kernel); each huge page one PMD. */
TEST_F(huge, mapped_with_pmds)
{
	size_t i;
	long kb;

	EXPECT_EQ(0, (uintptr_t)self->p % PMD_BYTES);
	for (i = 0; i < HUGE_BYTES / sizeof(uint32_t); i += 1024)
		self->p[i] = pattern(i);
	kb = pmd_mapped_kb(self->p);
	TH_LOG("%ld of %lu kB mapped with PMDs", kb, HUGE_BYTES >> 10);
	/* nearly all: a fragmented guest may give a few small pages */
	EXPECT_LE((long)(HUGE_BYTES >> 10) / 2, kb);
}

/* Another process sees the data and its writes come back. */
TEST_F(huge, data_shared_across_processes)
{
	size_t i, n = HUGE_BYTES / sizeof(uint32_t);
	pid_t pid;

	for (i = 0; i < n; i += 512)
		self->p[i] = pattern(i);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = attach_region(self->name, 0);
		uint32_t *q;

		CHILD_REQUIRE(fd >= 0);
		q = map_region(fd, HUGE_BYTES, PROT_READ | PROT_WRITE, 0);
		CHILD_REQUIRE(q != MAP_FAILED);
		for (i = 0; i < n; i += 512)
			CHILD_REQUIRE(q[i] == pattern(i));
		q[n - 1] = 0xfeedface;
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0xfeedface, self->p[n - 1]);
}

/*
 * A shared futex inside a huge page, waited on through another process's
 * own mapping: the key comes from the page (its mapping and index).
 */
TEST_F(huge, futex_wakes_across_processes)
{
	size_t off = 3 * PMD_BYTES + 64;
	uint32_t *word = (uint32_t *)((char *)self->p + off);
	pid_t pid;

	*word = 0;
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = attach_region(self->name, 0);
		char *q;
		uint32_t *w;

		CHILD_REQUIRE(fd >= 0);
		q = map_region(fd, HUGE_BYTES, PROT_READ | PROT_WRITE, 0);
		CHILD_REQUIRE(q != MAP_FAILED);
		w = (uint32_t *)(q + off);
		while (__atomic_load_n(w, __ATOMIC_ACQUIRE) == 0)
			CHILD_REQUIRE(sys_futex(w, FUTEX_WAIT, 0) == 0 ||
				      errno == EAGAIN || errno == EINTR);
		_exit(0);
	}
	ASSERT_EQ(0, wait_sleeping(pid, __NR_futex, NR_FUTEX_ALT, -1));
	__atomic_store_n(word, 1, __ATOMIC_RELEASE);
	EXPECT_EQ(1, sys_futex(word, FUTEX_WAKE, 1));
	EXPECT_EQ(0, reap(pid));
}

TEST_F(huge, info_reports_the_flag)
{
	struct shmr_info info;

	ASSERT_EQ(0, ioc_info(self->fd, &info));
	EXPECT_EQ(SHMR_CREATE_HUGE, info.flags & SHMR_CREATE_HUGE);
}

/* A lazy huge region: the first touch allocates one whole huge page. */
TEST(lazy_huge_region_gets_a_huge_page_on_first_touch)
{
	char name[SHMR_NAME_MAX];
	char *p;
	int fd;

	REQUIRE_DEVICE();
	if (!have_thp())
		SKIP(return, "no transparent huge pages in this kernel");
	test_name(name, "hugelazy");
	fd = create_region(name, 4 * PMD_BYTES, 0600,
			   SHMR_CREATE_HUGE | SHMR_CREATE_LAZY);
	ASSERT_LE(0, fd);
	p = map_huge(fd, 4 * PMD_BYTES);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, smaps_kb(p, "Rss"));
	p[PMD_BYTES + 5] = 1;
	EXPECT_EQ((long)(PMD_BYTES >> 10), pmd_mapped_kb(p));
	EXPECT_EQ((long)(PMD_BYTES >> 10), smaps_kb(p, "Rss"));
	EXPECT_EQ(0, munmap(p, 4 * PMD_BYTES));
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, unlink_name(name));
}

TEST_HARNESS_MAIN
