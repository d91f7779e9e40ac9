// SPDX-License-Identifier: GPL-2.0
/*
 * Mapped region pages behave like any shmem mapping's (DESIGN.md,
 * "Mapping"): the kernel's reverse map finds them, so MADV_PAGEOUT swaps
 * them out and they come back intact; a read fault maps the pages around
 * it; mlock() locks them; no mapping ever maps anything past the region;
 * and the
 * file paths that now reach the shmem address space through the handle
 * (fadvise, readahead, splice, fsync) answer as documented.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <unistd.h>
#include <linux/loop.h>
#include <linux/shmregion.h>
#include "kselftest_harness.h"

#include "common.h"

#define REGION_BYTES	(16UL << 20)

/* Does the smaps entry for the mapping at @addr list VmFlags @flag? */
static int smaps_has_flag(void *addr, const char *flag)
{
	char line[512], *tok, *save;
	unsigned long start, end;
	int in = 0, found = 0;
	FILE *f;

	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = start == (unsigned long)addr;
			continue;
		}
		if (!in || strncmp(line, "VmFlags:", 8))
			continue;
		for (tok = strtok_r(line + 8, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save))
			found |= !strcmp(tok, flag);
	}
	fclose(f);
	return found;
}

/*
 * Locked, all of it: VmFlags "lo", every page resident, and Locked equal
 * to Pss (smaps counts locked pages proportionally to their sharers).
 */
static int all_locked(void *addr, size_t len)
{
	return smaps_has_flag(addr, "lo") == 1 &&
	       smaps_kb(addr, "Rss") == (long)(len >> 10) &&
	       smaps_kb(addr, "Locked") == smaps_kb(addr, "Pss");
}

static uint64_t vmstat(const char *key)
{
	char name[64];
	uint64_t val, ret = 0;
	FILE *f = fopen("/proc/vmstat", "re");

	if (!f)
		return 0;
	while (fscanf(f, "%63s %" SCNu64, name, &val) == 2)
		if (!strcmp(name, key))
			ret = val;
	fclose(f);
	return ret;
}

static uint32_t pattern(size_t i)
{
	return (uint32_t)(i * 2654435761u) ^ 0x5a5a5a5a;
}

static void fill(uint32_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len / sizeof(*p); i++)
		p[i] = pattern(i);
}

/* The index of the first word that differs from the pattern, or -1. */
static long check(const uint32_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len / sizeof(*p); i++)
		if (p[i] != pattern(i))
			return i;
	return -1;
}

FIXTURE(region) {
	char name[SHMR_NAME_MAX];
	int fd;
	uint32_t *p;
};

FIXTURE_SETUP(region)
{
	REQUIRE_DEVICE();
	test_name(self->name, "map");
	self->fd = create_region(self->name, REGION_BYTES, 0600, 0);
	ASSERT_LE(0, self->fd);
	self->p = map_region(self->fd, REGION_BYTES, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, self->p);
}

FIXTURE_TEARDOWN(region)
{
	EXPECT_EQ(0, munmap(self->p, REGION_BYTES));
	EXPECT_EQ(0, close(self->fd));
	EXPECT_EQ(0, unlink_name(self->name));
}

/* --- swap on a loop device over a tmpfs file ---------------------------- */

#define SWAP_BYTES	(64UL << 20)

static char swap_file[] = "/tmp/shmr-swap-XXXXXX";
static char swap_dev[32];

/* mkswap: a version-1 header in the first page, the signature at its end. */
static int write_swap_header(int fd)
{
	size_t ps = page_size();
	char *page = calloc(1, ps);
	uint32_t *info = (uint32_t *)(page + 1024);
	int ret = 0;

	if (!page)
		return -ENOMEM;
	info[0] = 1;				/* version */
	info[1] = SWAP_BYTES / ps - 1;		/* last_page */
	memcpy(page + ps - 10, "SWAPSPACE2", 10);
	if (pwrite(fd, page, ps, 0) != (ssize_t)ps || fsync(fd))
		ret = -errno;
	free(page);
	return ret;
}

/* 0, or the errno that says why this kernel or machine cannot swap. */
static int swap_on(struct __test_metadata *_metadata)
{
	int file, ctl, dev, nr, err;

	file = mkstemp(swap_file);
	ASSERT_LE(0, file);
	ASSERT_EQ(0, ftruncate(file, SWAP_BYTES));
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return errno;
	nr = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (nr < 0)
		return errno;
	snprintf(swap_dev, sizeof(swap_dev), "/dev/loop%d", nr);
	dev = open(swap_dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, ioctl(dev, LOOP_SET_FD, file));
	close(file);
	ASSERT_EQ(0, write_swap_header(dev));
	err = swapon(swap_dev, 0) ? errno : 0;
	if (err) {
		ioctl(dev, LOOP_CLR_FD);
		swap_dev[0] = '\0';
	}
	close(dev);
	return err;
}

static void swap_off(void)
{
	int dev;

	if (swap_dev[0]) {
		swapoff(swap_dev);
		dev = open(swap_dev, O_RDWR | O_CLOEXEC);
		if (dev >= 0) {
			ioctl(dev, LOOP_CLR_FD);
			close(dev);
		}
	}
	unlink(swap_file);
}

/* The reverse map finds our PTEs: reclaim writes mapped pages to swap. */
TEST_F(region, pageout_swaps_mapped_pages)
{
	uint64_t out;
	long rss;
	int err;

	fill(self->p, REGION_BYTES);
	ASSERT_EQ(REGION_BYTES >> 10, smaps_kb(self->p, "Rss"));

	err = swap_on(_metadata);
	if (err) {
		swap_off();
		SKIP(return, "no swap here: swapon: %s", strerror(err));
	}
	out = vmstat("pswpout");
	EXPECT_EQ(0, madvise(self->p, REGION_BYTES, MADV_PAGEOUT));
	out = vmstat("pswpout") - out;
	rss = smaps_kb(self->p, "Rss");
	TH_LOG("pswpout +%" PRIu64 " pages, Rss %ld kB", out, rss);
	/* nearly all of it: reclaim may keep a few pages */
	EXPECT_LE(REGION_BYTES / page_size() * 9 / 10, out);
	EXPECT_GE((long)(REGION_BYTES >> 10) / 10, rss);
	EXPECT_EQ(-1, check(self->p, REGION_BYTES));
	swap_off();
}

/*
 * Every mapping is in the region's shmem reverse map, however its handle
 * came to be: made or attached while another thread is alive (every Go,
 * JVM or thread-pool program), received over SCM_RIGHTS, dup()ed or
 * shared by fork() before bind, or taken with pidfd_getfd(). Reclaim
 * pages each out and the data comes back.
 */
enum handle_how {
	HOW_CREATE_THREADED,
	HOW_ATTACH_THREADED,
	HOW_SCM_RIGHTS,
	HOW_DUP_BEFORE_BIND,
	HOW_FORK_BEFORE_BIND,
	HOW_PIDFD_GETFD,
};

FIXTURE(handle) {
	char name[SHMR_NAME_MAX];
	int fd;
	int extra_fd;		/* another reference the case keeps, or -1 */
	int pipefd[2];		/* the thread (and a child) wait on it */
	pthread_t thread;
	pid_t pid;		/* a child the case keeps, or 0 */
	int sk;
	uint32_t *p;
};

FIXTURE_VARIANT(handle) {
	enum handle_how how;
};

FIXTURE_VARIANT_ADD(handle, create_with_a_thread) {
	.how = HOW_CREATE_THREADED,
};
FIXTURE_VARIANT_ADD(handle, attach_with_a_thread) {
	.how = HOW_ATTACH_THREADED,
};
FIXTURE_VARIANT_ADD(handle, received_by_scm_rights) {
	.how = HOW_SCM_RIGHTS,
};
FIXTURE_VARIANT_ADD(handle, dup_before_bind) {
	.how = HOW_DUP_BEFORE_BIND,
};
FIXTURE_VARIANT_ADD(handle, fork_before_bind) {
	.how = HOW_FORK_BEFORE_BIND,
};
FIXTURE_VARIANT_ADD(handle, pidfd_getfd) {
	.how = HOW_PIDFD_GETFD,
};

static void *thread_waits(void *arg)
{
	int *pipefd = arg;
	char c;

	return read(pipefd[0], &c, 1) < 0 ? NULL : arg;
}

FIXTURE_SETUP(handle)
{
	char c;
	int fd;

	REQUIRE_DEVICE();
	test_name(self->name, "how");
	self->extra_fd = -1;
	self->pid = 0;
	ASSERT_EQ(0, pipe(self->pipefd));
	ASSERT_EQ(0, pthread_create(&self->thread, NULL, thread_waits,
				    self->pipefd));
	switch (variant->how) {
	case HOW_CREATE_THREADED:
		self->fd = create_region(self->name, REGION_BYTES, 0600, 0);
		break;
	case HOW_ATTACH_THREADED:
		self->extra_fd = create_region(self->name, REGION_BYTES, 0600,
					       0);
		ASSERT_LE(0, self->extra_fd);
		self->fd = attach_region(self->name, 0);
		break;
	case HOW_SCM_RIGHTS:
	case HOW_PIDFD_GETFD:
		self->pid = fork_peer(&self->sk);
		ASSERT_LE(0, self->pid);
		if (self->pid == 0) {
			fd = create_region(self->name, REGION_BYTES, 0600, 0);
			CHILD_REQUIRE(fd >= 0);
			if (variant->how == HOW_SCM_RIGHTS)
				CHILD_REQUIRE(send_fd(self->sk, fd) == 0);
			else
				CHILD_REQUIRE(send_u64(self->sk, fd) == 0);
			/* until the parent is done */
			recv_byte(self->sk);
			_exit(0);
		}
		if (variant->how == HOW_SCM_RIGHTS) {
			self->fd = recv_fd(self->sk);
		} else {
			uint64_t child_fd;
			int pidfd;

			ASSERT_EQ(0, recv_u64(self->sk, &child_fd));
			pidfd = syscall(__NR_pidfd_open, self->pid, 0);
			ASSERT_LE(0, pidfd);
			self->fd = syscall(__NR_pidfd_getfd, pidfd,
					   (int)child_fd, 0);
			close(pidfd);
		}
		break;
	case HOW_DUP_BEFORE_BIND:
		self->fd = dev_open(O_RDWR);
		ASSERT_LE(0, self->fd);
		self->extra_fd = dup(self->fd);
		ASSERT_EQ(0, ioc_create(self->fd, self->name, REGION_BYTES,
					0600, SHMR_CREATE_EXCL));
		break;
	case HOW_FORK_BEFORE_BIND:
		self->fd = dev_open(O_RDWR);
		ASSERT_LE(0, self->fd);
		self->pid = fork_child();
		ASSERT_LE(0, self->pid);
		if (self->pid == 0) {
			/* holds the unbound file until the test is done */
			_exit(read(self->pipefd[0], &c, 1) == 1 ? 0 : 1);
		}
		ASSERT_EQ(0, ioc_create(self->fd, self->name, REGION_BYTES,
					0600, SHMR_CREATE_EXCL));
		break;
	}
	ASSERT_LE(0, self->fd);
	self->p = map_region(self->fd, REGION_BYTES, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, self->p);
}

FIXTURE_TEARDOWN(handle)
{
	EXPECT_EQ(0, munmap(self->p, REGION_BYTES));
	EXPECT_EQ(0, close(self->fd));
	if (self->extra_fd >= 0)
		close(self->extra_fd);
	EXPECT_EQ(0, unlink_name(self->name));
	/* one byte for the thread, one for a child waiting on the pipe */
	EXPECT_EQ(2, write(self->pipefd[1], "xx", 2));
	EXPECT_EQ(0, pthread_join(self->thread, NULL));
	if (self->pid > 0) {
		if (variant->how == HOW_SCM_RIGHTS ||
		    variant->how == HOW_PIDFD_GETFD)
			send_byte(self->sk, 'q');
		EXPECT_EQ(0, reap(self->pid));
	}
}

TEST_F(handle, pageout_swaps_mapped_pages)
{
	uint64_t out;
	int err;

	fill(self->p, REGION_BYTES);
	err = swap_on(_metadata);
	if (err) {
		swap_off();
		SKIP(return, "no swap here: swapon: %s", strerror(err));
	}
	out = vmstat("pswpout");
	EXPECT_EQ(0, madvise(self->p, REGION_BYTES, MADV_PAGEOUT));
	out = vmstat("pswpout") - out;
	TH_LOG("pswpout +%" PRIu64 " pages", out);
	EXPECT_LE(REGION_BYTES / page_size() * 9 / 10, out);
	EXPECT_EQ(-1, check(self->p, REGION_BYTES));
	swap_off();
}

/* A read fault maps the pages around it: far fewer faults than pages. */
TEST_F(region, fault_around_on_read)
{
	struct rusage before, after;
	volatile uint32_t sum = 0;
	long faults, pages = REGION_BYTES / page_size();
	uint32_t *q;
	size_t i;

	fill(self->p, REGION_BYTES);
	q = map_region(self->fd, REGION_BYTES, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(0, getrusage(RUSAGE_SELF, &before));
	for (i = 0; i < REGION_BYTES / sizeof(*q); i += page_size() / sizeof(*q))
		sum += q[i];
	ASSERT_EQ(0, getrusage(RUSAGE_SELF, &after));
	faults = after.ru_minflt - before.ru_minflt;
	TH_LOG("%ld faults for %ld pages", faults, pages);
	EXPECT_GT(pages / 4, faults);
	EXPECT_EQ(-1, check(q, REGION_BYTES));
	EXPECT_EQ(0, munmap(q, REGION_BYTES));
}

/*
 * 128 + the signal that a child touching @addr (writing back what it
 * reads) died of, or its exit code: 0 if the access went through.
 */
static int touch_in_child(volatile char *addr)
{
	pid_t pid = fork_child();

	if (pid == 0) {
		*addr = *addr;
		_exit(0);
	}
	return reap(pid);
}

/*
 * mremap() may grow a data mapping (DESIGN.md: as memfd), but nothing is
 * ever mapped past the region's end: a touch there is SIGBUS, and the
 * data before it is intact.
 */
TEST_F(region, mremap_growth_sigbus_past_end)
{
	size_t ps = page_size();
	uint32_t *q;

	fill(self->p, REGION_BYTES);
	q = mremap(self->p, REGION_BYTES, REGION_BYTES + ps, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, q) TH_LOG("mremap: %s", strerror(errno));
	self->p = q;
	EXPECT_EQ(128 + SIGBUS, touch_in_child((char *)q + REGION_BYTES));
	EXPECT_EQ(0, touch_in_child((char *)q + REGION_BYTES - 1));
	EXPECT_EQ(-1, check(q, REGION_BYTES));
	/* the teardown unmaps the region's part, this the grown page */
	EXPECT_EQ(0, munmap((char *)q + REGION_BYTES, ps));
}

/*
 * A mapping of the whole region with an unmapped page right after it:
 * where a merge with an adjacent mmap() would happen.
 */
static void *map_before_a_hole(int fd)
{
	size_t ps = page_size();
	char *room, *p;

	room = mmap(NULL, REGION_BYTES + ps, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (room == MAP_FAILED)
		return MAP_FAILED;
	p = mmap(room, REGION_BYTES, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, 0);
	munmap(room + REGION_BYTES, ps);
	return p;
}

/* A second mmap() right after a data mapping is checked, not merged. */
TEST_F(region, adjacent_mmap_past_end_refused)
{
	size_t ps = page_size();
	char *p, *q;

	p = map_before_a_hole(self->fd);
	ASSERT_NE(MAP_FAILED, p);
	q = mmap(p + REGION_BYTES, ps, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED_NOREPLACE, self->fd, REGION_BYTES);
	EXPECT_EQ(MAP_FAILED, q);
	EXPECT_EQ(EINVAL, errno);
	if (q != MAP_FAILED)
		munmap(q, ps);
	EXPECT_EQ(0, munmap(p, REGION_BYTES));
}

/*
 * Whatever the VMA flags (MADV_DODUMP, which once let an adjacent mmap()
 * merge unchecked), every mmap() is checked: each is on a file of its own.
 */
TEST_F(region, adjacent_mmap_after_dodump_is_checked_too)
{
	size_t ps = page_size();
	char *p, *q;

	p = map_before_a_hole(self->fd);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise(p, REGION_BYTES, MADV_DODUMP));
	q = mmap(p + REGION_BYTES, ps, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED_NOREPLACE, self->fd, REGION_BYTES);
	EXPECT_EQ(MAP_FAILED, q);
	EXPECT_EQ(EINVAL, errno);
	if (q != MAP_FAILED)
		munmap(q, ps);
	EXPECT_EQ(0, munmap(p, REGION_BYTES));
}

/*
 * Map the page after a mapping of page 0, MAP_FIXED, and unmap it, 2000
 * times (where 6.6 to 6.12 merge a new VMA on a second try and free it
 * without ->close): INFO counts the one mapping left, and once it and
 * the handle are gone the region is freed.
 */
TEST(map_unmap_beside_a_mapping_frees_the_region)
{
	size_t ps = page_size();
	uint64_t regions = nr_regions();
	char name[SHMR_NAME_MAX];
	struct shmr_info info;
	char *room, *p;
	int fd, i;

	REQUIRE_DEVICE();
	test_name(name, "beside");
	fd = create_region(name, 4 * ps, 0600, 0);
	ASSERT_LE(0, fd);
	room = mmap(NULL, 2 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, room);
	p = mmap(room, ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, 0);
	ASSERT_EQ(room, p);
	for (i = 0; i < 2000; i++) {
		char *q = mmap(room + ps, ps, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_FIXED, fd, ps);

		ASSERT_EQ(room + ps, q);
		q[0] = (char)i;
		ASSERT_EQ(0, munmap(q, ps));
	}
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_EQ(1, info.mappings);
	EXPECT_EQ(0, munmap(p, ps));
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, unlink_name(name));
	EXPECT_EQ(regions, nr_regions());
}

/*
 * The device file stays a device file: it is not a shmem file, so memfd
 * seals (which the core looks up through a shmem file's inode) are
 * EINVAL on it, bound and mapped or not, and smaps, which reads the
 * mapping's shmem inode, reads a shmem inode.
 */
static int seals_are_einval(int fd)
{
	if (fcntl(fd, F_GET_SEALS) != -1 || errno != EINVAL)
		return 0;
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_GROW) != -1 || errno != EINVAL)
		return 0;
	return 1;
}

static int region_seals_check(int fd, const char *name)
{
	char *p;
	int ok;

	if (ioc_create(fd, name, REGION_BYTES, 0600, SHMR_CREATE_EXCL))
		return 0;
	p = map_region(fd, REGION_BYTES, PROT_READ | PROT_WRITE, 0);
	if (p == MAP_FAILED)
		return 0;
	memset(p, 1, REGION_BYTES);
	ok = seals_are_einval(fd) && smaps_kb(p, "Swap") == 0;
	munmap(p, REGION_BYTES);
	unlink_name(name);
	return ok;
}

TEST(device_file_is_not_a_memfd)
{
	char name[SHMR_NAME_MAX];
	int fd;

	REQUIRE_DEVICE();
	test_name(name, "seals");
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_TRUE(seals_are_einval(fd));
	EXPECT_TRUE(region_seals_check(fd, name));
	EXPECT_EQ(0, close(fd));
}

/*
 * The same through a device node on ramfs (a container image's /dev on
 * ext4 or overlay is the same), whose inode is not a shmem inode at all:
 * there, treating the device file as a shmem file read and wrote memory
 * beside the inode. In a child with a mount namespace of its own.
 */
TEST(device_node_on_ramfs_is_not_a_memfd)
{
	char dir[] = "/tmp/shmr-ramfs-XXXXXX";
	struct stat st;
	pid_t pid;
	int ret;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, stat(SHMR_DEVICE_PATH, &st));
	ASSERT_NE(NULL, mkdtemp(dir));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char node[64], name[SHMR_NAME_MAX];
		int fd;

		CHILD_REQUIRE(unshare(CLONE_NEWNS) == 0);
		CHILD_REQUIRE(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE,
				    NULL) == 0);
		if (mount("none", dir, "ramfs", 0, NULL))
			_exit(errno == ENODEV ? 4 : 1);
		snprintf(node, sizeof(node), "%s/shmregion", dir);
		CHILD_REQUIRE(mknod(node, S_IFCHR | 0666, st.st_rdev) == 0);
		fd = open(node, O_RDWR | O_CLOEXEC);
		CHILD_REQUIRE(fd >= 0);
		CHILD_REQUIRE(seals_are_einval(fd));
		test_name(name, "ramfs");
		CHILD_REQUIRE(region_seals_check(fd, name));
		_exit(0);
	}
	ret = reap(pid);
	rmdir(dir);
	if (ret == 4)
		SKIP(return, "no ramfs in this kernel");
	EXPECT_EQ(0, ret);
}

/* mlock() locks a region mapping (DESIGN.md: real-time users rely on it). */
TEST_F(region, mlock_locks_the_mapping)
{
	fill(self->p, REGION_BYTES);
	ASSERT_EQ(0, mlock(self->p, REGION_BYTES));
	EXPECT_TRUE(all_locked(self->p, REGION_BYTES));
	EXPECT_EQ(0, munlock(self->p, REGION_BYTES));
	EXPECT_EQ(0, smaps_kb(self->p, "Locked"));
	EXPECT_EQ(0, smaps_has_flag(self->p, "lo"));
}

/* MAP_LOCKED populates and locks the whole mapping at mmap() time. */
TEST_F(region, map_locked_populates_and_locks)
{
	uint32_t *q;

	fill(self->p, REGION_BYTES);
	q = mmap(NULL, REGION_BYTES, PROT_READ, MAP_SHARED | MAP_LOCKED,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_TRUE(all_locked(q, REGION_BYTES));
	EXPECT_EQ(-1, check(q, REGION_BYTES));
	EXPECT_EQ(0, munmap(q, REGION_BYTES));
}

/* mlockall(MCL_CURRENT) locks it too (in a child: it locks everything). */
TEST_F(region, mlockall_locks_the_mapping)
{
	pid_t pid;

	fill(self->p, REGION_BYTES);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (mlockall(MCL_CURRENT))
			_exit(1);
		_exit(all_locked(self->p, REGION_BYTES) ? 0 : 2);
	}
	EXPECT_EQ(0, reap(pid));
}

/* The file paths that reach the shmem mapping through the handle. */
TEST_F(region, file_paths_through_the_handle)
{
	int pipefd[2];

	fill(self->p, REGION_BYTES);
	/* fadvise: tmpfs ignores advice; the pages and data stay */
	EXPECT_EQ(0, posix_fadvise(self->fd, 0, 0, POSIX_FADV_DONTNEED));
	EXPECT_EQ(0, posix_fadvise(self->fd, 0, 0, POSIX_FADV_WILLNEED));
	EXPECT_EQ(REGION_BYTES >> 10, smaps_kb(self->p, "Rss"));
	EXPECT_EQ(-1, check(self->p, REGION_BYTES));
	/* not a regular file: readahead, fsync, splice and sendfile refuse */
	EXPECT_EQ(-1, readahead(self->fd, 0, REGION_BYTES));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, fsync(self->fd));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, pipe(pipefd));
	EXPECT_EQ(-1, splice(self->fd, NULL, pipefd[1], NULL, 4096, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sendfile(pipefd[1], self->fd, NULL, 4096));
	EXPECT_EQ(EINVAL, errno);
	close(pipefd[0]);
	close(pipefd[1]);
	/* the control page still maps at its offset */
	{
		struct shmr_ctrl *ctrl = map_region(self->fd, page_size(),
						    PROT_READ,
						    SHMR_CTRL_OFFSET);
		uint64_t seq;

		ASSERT_NE(MAP_FAILED, ctrl);
		ASSERT_EQ(0, ioc_notify(self->fd, &seq));
		EXPECT_EQ(seq, __atomic_load_n(&ctrl->seq, __ATOMIC_ACQUIRE));
		EXPECT_EQ(0, munmap(ctrl, page_size()));
	}
}

/*
 * A handle bound while another reference to its file exists (here a dup;
 * as well another thread or process that might be inside mmap()) keeps
 * the device's own mapping (docs/design.md): its mappings and every other
 * handle's still work, writable ones included, and see the same data.
 */
TEST(bind_with_a_second_reference)
{
	char name[SHMR_NAME_MAX];
	uint32_t *p, *q;
	int fd, dupfd, other, i;

	REQUIRE_DEVICE();
	test_name(name, "dup");
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	dupfd = dup(fd);
	ASSERT_LE(0, dupfd);
	ASSERT_EQ(0, ioc_create(fd, name, REGION_BYTES, 0600, SHMR_CREATE_EXCL));
	for (i = 0; i < 3; i++) {
		p = map_region(dupfd, REGION_BYTES, PROT_READ | PROT_WRITE, 0);
		ASSERT_NE(MAP_FAILED, p);
		fill(p, REGION_BYTES);
		other = attach_region(name, 0);
		ASSERT_LE(0, other);
		q = map_region(other, REGION_BYTES, PROT_READ | PROT_WRITE, 0);
		ASSERT_NE(MAP_FAILED, q);
		EXPECT_EQ(-1, check(q, REGION_BYTES));
		EXPECT_EQ(0, munmap(q, REGION_BYTES));
		EXPECT_EQ(0, close(other));
		EXPECT_EQ(0, munmap(p, REGION_BYTES));
	}
	EXPECT_EQ(0, close(dupfd));
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, unlink_name(name));
}

TEST_HARNESS_MAIN
