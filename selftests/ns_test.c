// SPDX-License-Identifier: GPL-2.0
/*
 * IPC namespaces: region names are per namespace.
 *
 * A region belongs to its creator's IPC namespace. A process in another
 * namespace (unshare(CLONE_NEWIPC)) cannot attach, unlink (not even
 * through a handle of it: SHMR_UNLINK_BOUND) or list it and may create
 * its own region of the same name. CAP_IPC_OWNER counts in the user
 * namespace that owns the IPC namespace, so a user-namespace root
 * gains nothing over the host's regions, and is the owner over its own
 * namespace's. When a namespace dies, its regions lose their names (as by
 * UNLINK) within a few seconds (the module looks once a second): one that
 * nobody holds is freed, one with a handle or mapping lives until they
 * go. A namespace that an nsfs file still holds is alive. Many short-lived
 * namespaces in a row, whose inode numbers the kernel may reuse, never see
 * each other's regions.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/shmregion.h>

#include "kselftest_harness.h"
#include "common.h"

/* the reaper looks once a second; allow for a slow (TCG) guest */
#define GONE_TIMEOUT_NS	(20 * 1000000000LL)

/* Wait until sysfs nr_regions is @want; 0, or -1 after GONE_TIMEOUT_NS. */
static int wait_nr_regions(uint64_t want)
{
	int64_t end = now_ns() + GONE_TIMEOUT_NS;

	while (nr_regions() != want) {
		if (now_ns() > end)
			return -1;
		usleep(20000);
	}
	return 0;
}

/* The regions LIST shows to this process (a count only). */
static int list_total(void)
{
	struct shmr_list l = { 0 };
	int fd = dev_open(O_RDONLY), ret;

	if (fd < 0)
		return -1;
	ret = ioctl(fd, SHMR_IOC_LIST, &l);
	close(fd);
	return ret ? -1 : (int)l.total;
}

/* Fill a page with @tag; check it with page_has(). */
static void page_fill(void *p, int tag)
{
	memset(p, tag, page_size());
}

static int page_has(const void *p, int tag)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < page_size(); i++)
		if (b[i] != (unsigned char)tag)
			return 0;
	return 1;
}

/* A one-page region @name (persistent), its first page filled with @tag. */
static int create_tagged(const char *name, int tag)
{
	int fd = create_region(name, page_size(), 0600, SHMR_CREATE_EXCL);
	void *p;

	if (fd < 0)
		return -1;
	p = map_region(fd, page_size(), PROT_READ | PROT_WRITE, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return -1;
	}
	page_fill(p, tag);
	munmap(p, page_size());
	return fd;
}

TEST(two_namespaces_each_have_their_own_name)
{
	char name[SHMR_NAME_MAX];
	uint64_t before = nr_regions();
	struct shmr_info info;
	int fd, sk;
	pid_t pid;
	void *p;

	REQUIRE_DEVICE();
	test_name(name, "frames");
	fd = create_tagged(name, 0x11);
	ASSERT_LE(0, fd);

	pid = fork_peer(&sk);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct shmr_unlink u = { .flags = SHMR_UNLINK_BOUND };
		int own;

		CHILD_REQUIRE(unshare(CLONE_NEWIPC) == 0);
		CHILD_REQUIRE(attach_region(name, 0) == -ENOENT);
		CHILD_REQUIRE(attach_region(name, SHMR_ATTACH_RDONLY) == -ENOENT);
		CHILD_REQUIRE(unlink_name(name) == -ENOENT);
		/* nor through the handle it inherited */
		CHILD_REQUIRE(ioctl(fd, SHMR_IOC_UNLINK, &u) == -1 &&
			      errno == ENOENT);
		CHILD_REQUIRE(list_total() == 0);
		/* the same name, a different region */
		own = create_tagged(name, 0x22);
		CHILD_REQUIRE(own >= 0);
		CHILD_REQUIRE(ioc_info(own, &info) == 0);
		CHILD_REQUIRE(info.ipc_ns == ns_inode("ipc"));
		CHILD_REQUIRE(list_total() == 1);
		CHILD_REQUIRE(send_byte(sk, 'c') == 0);
		/* the parent's checks first, then our namespace may die */
		CHILD_REQUIRE(recv_byte(sk) == 'd');
		_exit(0);
	}
	ASSERT_EQ('c', recv_byte(sk));
	EXPECT_EQ(before + 2, nr_regions());
	/* ours is untouched, and still the only one we see by that name */
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_EQ(ns_inode("ipc"), info.ipc_ns);
	p = map_region(fd, page_size(), PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(page_has(p, 0x11));
	munmap(p, page_size());
	EXPECT_EQ(-EEXIST, create_region(name, page_size(), 0600,
					 SHMR_CREATE_EXCL));
	ASSERT_EQ(0, send_byte(sk, 'd'));
	EXPECT_EQ(0, end_peer(pid, sk));

	/* the child's namespace is gone, and with it its region */
	EXPECT_EQ(0, wait_nr_regions(before + 1));
	EXPECT_EQ(0, unlink_name(name));
	close(fd);
	EXPECT_EQ(0, wait_nr_regions(before));
}

TEST(listing_shows_only_the_callers_namespace)
{
	char name[2][SHMR_NAME_MAX];
	uint64_t before = nr_regions();
	int fd, total;
	pid_t pid;

	REQUIRE_DEVICE();
	test_name(name[0], "host");
	test_name(name[1], "guest");
	fd = create_tagged(name[0], 1);
	ASSERT_LE(0, fd);
	total = list_total();
	ASSERT_LE(1, total);

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct shmr_info v[4];
		uint32_t nr = 4, all;
		int dev, a, b;

		CHILD_REQUIRE(unshare(CLONE_NEWIPC) == 0);
		a = create_tagged(name[0], 2);
		b = create_tagged(name[1], 3);
		CHILD_REQUIRE(a >= 0 && b >= 0);
		dev = dev_open(O_RDONLY);
		CHILD_REQUIRE(dev >= 0);
		CHILD_REQUIRE(ioc_list(dev, v, &nr, &all) == 0);
		CHILD_REQUIRE(nr == 2 && all == 2);
		CHILD_REQUIRE(v[0].ipc_ns == ns_inode("ipc"));
		CHILD_REQUIRE(v[1].ipc_ns == ns_inode("ipc"));
		CHILD_REQUIRE(v[0].reserved == 0 && v[1].reserved == 0);
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
	/* the child's two regions never showed here */
	EXPECT_EQ(total, list_total());
	EXPECT_EQ(-ENOENT, attach_region(name[1], SHMR_ATTACH_RDONLY));
	EXPECT_EQ(0, wait_nr_regions(before + 1));
	EXPECT_EQ(0, unlink_name(name[0]));
	close(fd);
	EXPECT_EQ(0, wait_nr_regions(before));
}

/* Write @map into /proc/@pid/@file ("uid_map", "gid_map"); 0 or -1. */
static int write_map(pid_t pid, const char *file, const char *map)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	return write_file(path, map) ? -1 : 0;
}

/*
 * A child in a new user namespace (uids 0..65535 inside are 100000..
 * outside) and, with @new_ipc, a new IPC namespace that the user
 * namespace owns; it becomes root inside. Runs @fn(@name) there and
 * returns its exit status (as reap()), or -1.
 */
static int run_in_userns(bool new_ipc, int (*fn)(const char *),
			 const char *name)
{
	pid_t pid;
	int sk;

	pid = fork_peer(&sk);
	if (pid < 0)
		return -1;
	if (pid == 0) {
		CHILD_REQUIRE(unshare(CLONE_NEWUSER |
				      (new_ipc ? CLONE_NEWIPC : 0)) == 0);
		CHILD_REQUIRE(send_byte(sk, 'u') == 0);
		CHILD_REQUIRE(recv_byte(sk) == 'm');
		CHILD_REQUIRE(setresgid(0, 0, 0) == 0);
		CHILD_REQUIRE(setresuid(0, 0, 0) == 0);
		_exit(fn(name));
	}
	if (recv_byte(sk) != 'u' ||
	    write_map(pid, "uid_map", "0 100000 65536\n") ||
	    write_map(pid, "gid_map", "0 100000 65536\n") ||
	    send_byte(sk, 'm')) {
		kill(pid, SIGKILL);
		end_peer(pid, sk);
		return -1;
	}
	return end_peer(pid, sk);
}

/* In a user namespace over the host's IPC namespace. */
static int userns_root_on_host(const char *name)
{
	/* root here is nobody there: no CAP_IPC_OWNER over the host's */
	CHILD_REQUIRE(attach_region(name, 0) == -EACCES);
	CHILD_REQUIRE(attach_region(name, SHMR_ATTACH_RDONLY) == -EACCES);
	CHILD_REQUIRE(unlink_name(name) == -EPERM);
	return 0;
}

/* A region of uid 1000 in the caller's namespace, made by a grandchild. */
static int create_as_1000(void *arg)
{
	int fd = create_region(arg, page_size(), 0600, SHMR_CREATE_EXCL);

	return fd < 0 ? 1 : 0;
}

/* In a user namespace that owns its own IPC namespace. */
static int userns_root_in_own_ipc_ns(const char *name)
{
	struct shmr_info info;
	int fd;

	/* the host's region of that name is not here */
	CHILD_REQUIRE(unlink_name(name) == -ENOENT);
	/* another user's 0600 region: root here may use and remove it */
	CHILD_REQUIRE(run_as(1000, 1000, create_as_1000, (void *)name) == 0);
	fd = attach_region(name, 0);
	CHILD_REQUIRE(fd >= 0);
	CHILD_REQUIRE(ioc_info(fd, &info) == 0);
	CHILD_REQUIRE(info.uid == 1000 && info.mode == 0600);
	CHILD_REQUIRE(unlink_name(name) == 0);
	close(fd);
	return 0;
}

TEST(capabilities_count_in_the_owning_user_namespace)
{
	char name[SHMR_NAME_MAX];
	uint64_t before = nr_regions();
	int ret;

	REQUIRE_DEVICE();
	if (access("/proc/self/ns/user", F_OK))
		SKIP(return, "no user namespaces in this kernel");
	test_name(name, "owned");
	/* the host's region, 0600, of uid 1000 */
	ASSERT_EQ(0, run_as(1000, 1000, create_as_1000, name));

	ret = run_in_userns(false, userns_root_on_host, name);
	EXPECT_EQ(0, ret);
	ret = run_in_userns(true, userns_root_in_own_ipc_ns, name);
	EXPECT_EQ(0, ret);

	/* the host's region is still there, and still uid 1000's */
	EXPECT_EQ(before + 1, nr_regions());
	EXPECT_EQ(0, unlink_name(name));
	EXPECT_EQ(0, wait_nr_regions(before));
}

TEST(short_lived_namespaces_never_see_each_other)
{
	char name[SHMR_NAME_MAX];
	uint64_t before = nr_regions();
	uint64_t inum[40];
	int i, j, reused = 0;

	REQUIRE_DEVICE();
	test_name(name, "seq");
	for (i = 0; i < 40; i++) {
		int sk;
		pid_t pid = fork_peer(&sk);

		ASSERT_LE(0, pid);
		if (pid == 0) {
			int fd;

			CHILD_REQUIRE(unshare(CLONE_NEWIPC) == 0);
			CHILD_REQUIRE(send_u64(sk, ns_inode("ipc")) == 0);
			/* nothing of an earlier namespace, dead or dying */
			CHILD_REQUIRE(attach_region(name, 0) == -ENOENT);
			CHILD_REQUIRE(list_total() == 0);
			fd = create_tagged(name, i);
			CHILD_REQUIRE(fd >= 0);
			_exit(0);
		}
		ASSERT_EQ(0, recv_u64(sk, &inum[i]));
		ASSERT_EQ(0, end_peer(pid, sk));
		for (j = 0; j < i; j++)
			reused += inum[j] == inum[i];
	}
	TH_LOG("40 namespaces: %d pairs of them had the same inode number",
	       reused);
	/* every one of those persistent regions goes with its namespace */
	EXPECT_EQ(0, wait_nr_regions(before));
}

TEST(dead_namespace_keeps_mappings_working_then_frees_all)
{
	char name[SHMR_NAME_MAX];
	uint64_t before = nr_regions(), seq = 0;
	struct shmr_info info;
	int64_t end;
	int fd, sk;
	pid_t pid;
	char *p;

	REQUIRE_DEVICE();
	test_name(name, "orphan");
	pid = fork_peer(&sk);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int own;

		CHILD_REQUIRE(unshare(CLONE_NEWIPC) == 0);
		own = create_tagged(name, 0x5a);
		CHILD_REQUIRE(own >= 0);
		CHILD_REQUIRE(send_fd(sk, own) == 0);
		CHILD_REQUIRE(recv_byte(sk) == 'm');
		_exit(0);
	}
	fd = recv_fd(sk);
	ASSERT_LE(0, fd);
	p = map_region(fd, page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, send_byte(sk, 'm'));
	ASSERT_EQ(0, end_peer(pid, sk));

	/* the namespace is gone: the name goes, the memory stays ours */
	end = now_ns() + GONE_TIMEOUT_NS;
	do {
		ASSERT_EQ(0, ioc_info(fd, &info));
		if (info.flags & SHMR_INFO_UNLINKED)
			break;
		usleep(20000);
	} while (now_ns() < end);
	ASSERT_TRUE(info.flags & SHMR_INFO_UNLINKED);
	EXPECT_TRUE(page_has(p, 0x5a));
	p[0] = 1;
	EXPECT_EQ(0, ioc_notify(fd, &seq));
	EXPECT_EQ(-EIDRM, ioc_wait(fd, &seq, 0));
	EXPECT_EQ(before + 1, nr_regions());
	munmap(p, page_size());
	close(fd);
	EXPECT_EQ(0, wait_nr_regions(before));
}

TEST(namespace_held_by_an_nsfs_file_keeps_its_regions)
{
	char name[SHMR_NAME_MAX], path[64];
	uint64_t before = nr_regions();
	int nsfd, sk;
	pid_t pid;

	REQUIRE_DEVICE();
	test_name(name, "held");
	pid = fork_peer(&sk);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_REQUIRE(unshare(CLONE_NEWIPC) == 0);
		CHILD_REQUIRE(create_tagged(name, 0x77) >= 0);
		CHILD_REQUIRE(send_byte(sk, 'c') == 0);
		CHILD_REQUIRE(recv_byte(sk) == 'o');
		_exit(0);
	}
	ASSERT_EQ('c', recv_byte(sk));
	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", pid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, nsfd);
	ASSERT_EQ(0, send_byte(sk, 'o'));
	ASSERT_EQ(0, end_peer(pid, sk));

	/* no task is in it, but it lives: several reaper passes change nothing */
	usleep(3500000);
	EXPECT_EQ(before + 1, nr_regions());
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;
		void *p;

		CHILD_REQUIRE(setns(nsfd, CLONE_NEWIPC) == 0);
		fd = attach_region(name, SHMR_ATTACH_RDONLY);
		CHILD_REQUIRE(fd >= 0);
		p = map_region(fd, page_size(), PROT_READ, 0);
		CHILD_REQUIRE(p != MAP_FAILED && page_has(p, 0x77));
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
	close(nsfd);
	EXPECT_EQ(0, wait_nr_regions(before));
}

TEST_HARNESS_MAIN
