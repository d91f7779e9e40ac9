// SPDX-License-Identifier: GPL-2.0
/*
 * Limits and lifetime against the rest of the system. The module cannot
 * be removed while a handle or a mapping exists, even with every fd
 * closed (delete_module(2) fails and the module stays). A region bigger
 * than the creator's memory cgroup allows fails at CREATE with ENOMEM
 * and kills nobody, while SHMR_CREATE_LAZY defers that to first touch;
 * eager pages are charged to the creator's cgroup, and a RESIZE's growth
 * to the resizer's (ENOMEM past the limit). An unlinked region
 * that is still mapped keeps counting against max_total_bytes.
 *
 * The cgroup tests need cgroup2 at /sys/fs/cgroup with the memory
 * controller enabled for children; they are skipped otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/shmregion.h>

#include "kselftest_harness.h"
#include "common.h"

#define MODULE_NAME	"shmregion"
#define CGROUP_ROOT	"/sys/fs/cgroup"
#define MIB		(1024ULL * 1024)

/*
 * delete_module(2) without O_TRUNC; -errno. A module whose refcount is
 * held gives EWOULDBLOCK here (kernel/module/main.c: try_stop_module());
 * rmmod(8) reports that as "in use".
 */
static int try_rmmod(void)
{
	return syscall(__NR_delete_module, MODULE_NAME, O_NONBLOCK) ? -errno : 0;
}

static int module_loaded(void)
{
	return access("/sys/module/" MODULE_NAME, F_OK) == 0;
}

/* "memory" among the words of @path's first line. */
static int has_memory(const char *path)
{
	char buf[512], *tok, *save;

	if (read_file(path, buf, sizeof(buf)))
		return 0;
	for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, "memory"))
			return 1;
	return 0;
}

/* The value of @key in a flat-keyed cgroup file, ~0 if absent. */
static uint64_t cg_key(const char *dir, const char *file, const char *key)
{
	char path[256], buf[4096], *l, *save;
	size_t n = strlen(key);

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (read_file(path, buf, sizeof(buf)))
		return ~0ULL;
	for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (!strncmp(l, key, n) && l[n] == ' ')
			return strtoull(l + n + 1, NULL, 10);
	return ~0ULL;
}

static int cg_write(const char *dir, const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return write_file(path, val);
}

FIXTURE(cgroup) {
	char dir[128];
	char name[SHMR_NAME_MAX];
	int sk;
	pid_t pid;
};

/* The child: wait to be moved into the cgroup, then run @fn. */
static int cg_child(FIXTURE_DATA(cgroup) *self, int (*fn)(FIXTURE_DATA(cgroup) *))
{
	CHILD_REQUIRE(recv_byte(self->sk) == 'm');
	return fn(self);
}

FIXTURE_SETUP(cgroup)
{
	REQUIRE_DEVICE();
	self->pid = -1;
	self->dir[0] = '\0';
	test_name(self->name, "cgroup");
	if (!has_memory(CGROUP_ROOT "/cgroup.controllers") ||
	    !has_memory(CGROUP_ROOT "/cgroup.subtree_control"))
		return;		/* the test skips, with the reason */
	snprintf(self->dir, sizeof(self->dir), CGROUP_ROOT "/shmr-test-%d", getpid());
	ASSERT_EQ(0, mkdir(self->dir, 0755));
}

FIXTURE_TEARDOWN(cgroup)
{
	if (self->pid > 0)
		reap(self->pid);
	unlink_name(self->name);
	if (self->dir[0])
		EXPECT_EQ(0, rmdir(self->dir));
}

/* Fork @fn into the cgroup limited to @max; its exit status. */
static int run_in_cgroup(FIXTURE_DATA(cgroup) *self, const char *max,
			 int (*fn)(FIXTURE_DATA(cgroup) *))
{
	char path[256], pid_s[32];
	int sk[2], ret, moved;

	if (cg_write(self->dir, "memory.max", max))
		return -1;
	snprintf(path, sizeof(path), "%s/memory.swap.max", self->dir);
	if (!access(path, F_OK) && write_file(path, "0"))
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sk))
		return -1;
	self->pid = fork_child();
	if (self->pid < 0)
		return -1;
	if (self->pid == 0) {
		close(sk[0]);
		self->sk = sk[1];
		_exit(cg_child(self, fn));
	}
	close(sk[1]);
	snprintf(pid_s, sizeof(pid_s), "%d", self->pid);
	moved = !cg_write(self->dir, "cgroup.procs", pid_s);
	if (moved)
		send_byte(sk[0], 'm');
	close(sk[0]);		/* EOF ends a child that was not moved */
	ret = reap(self->pid);
	self->pid = -1;
	return moved ? ret : -1;
}

static int create_64m_enomem(FIXTURE_DATA(cgroup) *self)
{
	int ret;

	ret = create_region(self->name, 64 * MIB, 0600, 0);
	if (ret != -ENOMEM)
		fprintf(stderr, "# CREATE of 64 MiB in a 16 MiB cgroup gave %d, not -ENOMEM\n",
			ret);
	return ret == -ENOMEM ? 0 : 1;
}

static int create_64m_lazy(FIXTURE_DATA(cgroup) *self)
{
	uint8_t *p;
	int fd;
	size_t i;

	fd = create_region(self->name, 64 * MIB, 0600, SHMR_CREATE_LAZY);
	CHILD_REQUIRE(fd >= 0);
	p = map_region(fd, 64 * MIB, PROT_READ | PROT_WRITE, 0);
	CHILD_REQUIRE(p != MAP_FAILED);
	for (i = 0; i < 4 * MIB; i += page_size())	/* well inside 16M */
		p[i] = 1;
	CHILD_REQUIRE(unlink_name(self->name) == 0);
	return 0;
}

/*
 * Eager pages are charged to us at CREATE, and uncharged when freed
 * (memory.current; the per-CPU charge cache blurs it by well under 1 MiB).
 */
static int create_8m_charged(FIXTURE_DATA(cgroup) *self)
{
	char path[256];
	uint64_t before, created, freed;
	int fd;

	snprintf(path, sizeof(path), "%s/memory.current", self->dir);
	before = read_u64(path);
	CHILD_REQUIRE(before != ~0ULL);
	fd = create_region(self->name, 8 * MIB, 0600, 0);
	CHILD_REQUIRE(fd >= 0);
	created = read_u64(path);
	CHILD_REQUIRE(unlink_name(self->name) == 0);
	close(fd);
	freed = read_u64(path);
	if (created < before + 7 * MIB || freed > created - 7 * MIB) {
		fprintf(stderr, "# memory.current: %llu before, %llu created, %llu freed\n",
			(unsigned long long)before, (unsigned long long)created,
			(unsigned long long)freed);
		return 1;
	}
	return 0;
}

#define REQUIRE_CGROUP() do {						\
	if (!self->dir[0])						\
		SKIP(return, "no cgroup2 memory controller at " CGROUP_ROOT); \
} while (0)

TEST_F(cgroup, create_beyond_memory_max_enomem)
{
	uint64_t regions = nr_regions();

	REQUIRE_CGROUP();
	EXPECT_EQ(0, run_in_cgroup(self, "16M", create_64m_enomem)) {
		TH_LOG("the child was killed (137 = SIGKILL) or CREATE did not fail");
	}
	EXPECT_EQ(0, cg_key(self->dir, "memory.events", "oom_kill"));
	EXPECT_EQ(regions, nr_regions());
	EXPECT_EQ(-ENOENT, unlink_name(self->name));
}

TEST_F(cgroup, lazy_create_beyond_memory_max_succeeds)
{
	REQUIRE_CGROUP();
	EXPECT_EQ(0, run_in_cgroup(self, "16M", create_64m_lazy));
	EXPECT_EQ(0, cg_key(self->dir, "memory.events", "oom_kill"));
}

TEST_F(cgroup, pages_charged_to_creator)
{
	REQUIRE_CGROUP();
	EXPECT_EQ(0, run_in_cgroup(self, "64M", create_8m_charged));
	EXPECT_EQ(0, cg_key(self->dir, "memory.events", "oom_kill"));
}

/*
 * RESIZE's growth is charged to the caller's cgroup: past its limit the
 * growth fails with ENOMEM, nobody is OOM-killed, and nothing changed.
 */
static int resize_64m_enomem(FIXTURE_DATA(cgroup) *self)
{
	struct shmr_resize rs = { .size = 64 * MIB };
	struct shmr_info info;
	uint64_t bytes;
	int fd;

	fd = create_region(self->name, MIB, 0600, 0);
	CHILD_REQUIRE(fd >= 0);
	bytes = nr_bytes();
	CHILD_REQUIRE(ioctl(fd, SHMR_IOC_RESIZE, &rs) == -1);
	if (errno != ENOMEM)
		fprintf(stderr, "# RESIZE to 64 MiB in a 16 MiB cgroup gave %s, not ENOMEM\n",
			strerror(errno));
	CHILD_REQUIRE(errno == ENOMEM);
	CHILD_REQUIRE(ioc_info(fd, &info) == 0 && info.size == MIB);
	CHILD_REQUIRE(nr_bytes() == bytes);
	CHILD_REQUIRE(unlink_name(self->name) == 0);
	return 0;
}

TEST_F(cgroup, resize_beyond_memory_max_enomem)
{
	uint64_t regions = nr_regions();

	REQUIRE_CGROUP();
	EXPECT_EQ(0, run_in_cgroup(self, "16M", resize_64m_enomem)) {
		TH_LOG("the child was killed (137 = SIGKILL) or RESIZE did not fail");
	}
	EXPECT_EQ(0, cg_key(self->dir, "memory.events", "oom_kill"));
	EXPECT_EQ(regions, nr_regions());
}

/* --- the module stays while used ------------------------------------- */

TEST(rmmod_refused_with_open_handle)
{
	char name[SHMR_NAME_MAX];
	int fd, unbound;

	REQUIRE_DEVICE();
	test_name(name, "rmmod-fd");
	fd = create_region(name, page_size(), 0600, 0);
	ASSERT_LE(0, fd);
	unbound = dev_open(O_RDWR);
	ASSERT_LE(0, unbound);
	close(fd);
	/* even an unbound handle is a user of the module */
	EXPECT_EQ(-EWOULDBLOCK, try_rmmod());
	ASSERT_TRUE(module_loaded()) {
		TH_LOG("the module was unloaded under an open handle");
	}
	EXPECT_EQ(0, ioc_unlink(unbound, name));
	close(unbound);
}

TEST(rmmod_refused_with_mapping_only)
{
	char name[SHMR_NAME_MAX];
	uint64_t refcnt;
	char *p;
	int fd;

	REQUIRE_DEVICE();
	test_name(name, "rmmod-map");
	fd = create_region(name, 2 * page_size(), 0600, 0);
	ASSERT_LE(0, fd);
	p = map_region(fd, 2 * page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, ioc_unlink(fd, name));
	ASSERT_EQ(0, close(fd));	/* every fd closed: only the VMA is left */

	refcnt = read_u64("/sys/module/" MODULE_NAME "/refcnt");
	EXPECT_LT(0, refcnt);
	EXPECT_NE(~0ULL, refcnt);
	EXPECT_EQ(-EWOULDBLOCK, try_rmmod());
	ASSERT_TRUE(module_loaded()) {
		TH_LOG("the module was unloaded under a live mapping");
	}
	p[0] = 'x';		/* the fault path still works */
	p[page_size()] = 'y';
	EXPECT_EQ('x', p[0]);
	ASSERT_EQ(0, munmap(p, 2 * page_size()));
}

TEST(rmmod_refused_with_control_page_only)
{
	char name[SHMR_NAME_MAX];
	struct shmr_ctrl *ctrl;
	int fd;

	REQUIRE_DEVICE();
	test_name(name, "rmmod-ctrl");
	fd = create_region(name, page_size(), 0600, 0);
	ASSERT_LE(0, fd);
	ctrl = mmap(NULL, page_size(), PROT_READ, MAP_SHARED, fd, SHMR_CTRL_OFFSET);
	ASSERT_NE(MAP_FAILED, ctrl);
	ASSERT_EQ(0, ioc_notify(fd, NULL));
	ASSERT_EQ(0, ioc_unlink(fd, name));
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ(-EWOULDBLOCK, try_rmmod());
	ASSERT_TRUE(module_loaded()) {
		TH_LOG("the module was unloaded under a control-page mapping");
	}
	EXPECT_EQ(1, ctrl->seq);
	ASSERT_EQ(0, munmap(ctrl, page_size()));
}

/* --- what counts against the limits ----------------------------------- */

TEST(unlinked_mapped_region_still_counts)
{
	const char *param = SHMR_PARAM_DIR "/max_total_bytes";
	char saved[64], a[SHMR_NAME_MAX], b[SHMR_NAME_MAX];
	uint64_t bytes = nr_bytes();
	void *p;
	int fd;

	REQUIRE_DEVICE();
	ASSERT_NE(~0ULL, bytes);
	ASSERT_EQ(0, read_file(param, saved, sizeof(saved)));
	test_name(a, "count-a");
	test_name(b, "count-b");
	ASSERT_EQ(0, write_u64(param, bytes + 4 * page_size()));
	fd = create_region(a, 4 * page_size(), 0600, 0);
	EXPECT_LE(0, fd);
	if (fd >= 0) {
		p = map_region(fd, 4 * page_size(), PROT_READ, 0);
		EXPECT_NE(MAP_FAILED, p);
		EXPECT_EQ(0, unlink_name(a));
		close(fd);
		/* unlinked, but its memory is still there */
		EXPECT_EQ(-ENOSPC, create_region(b, page_size(), 0600, 0));
		munmap(p, 4 * page_size());
		fd = create_region(b, 4 * page_size(), 0600, 0);
		EXPECT_LE(0, fd);
		EXPECT_EQ(0, unlink_name(b));
		close(fd);
	}
	EXPECT_EQ(0, write_file(param, saved));
}

/* Hundreds of regions: LIST gives each once, in one call or in two. */
TEST(many_regions_listed)
{
	enum { N = 300, ROOM = N + 64 };
	static struct shmr_info v[ROOM];
	static int seen[N];
	uint64_t regions = nr_regions();
	char name[SHMR_NAME_MAX], prefix[SHMR_NAME_MAX], tag[32];
	uint32_t nr = ROOM, total = 0, short_nr = N / 2, short_total = 0, i;
	int k, fd, n, bad = 0;
	size_t plen;

	REQUIRE_DEVICE();
	for (k = 0; k < N; k++) {
		snprintf(tag, sizeof(tag), "many-%d", k);
		test_name(name, tag);
		fd = create_region(name, page_size(), 0600, SHMR_CREATE_LAZY);
		ASSERT_LE(0, fd) {
			TH_LOG("region %d", k);
		}
		close(fd);
	}
	EXPECT_EQ(regions + N, nr_regions());
	fd = dev_open(O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioc_list(fd, v, &nr, &total));
	EXPECT_EQ(total, nr);
	EXPECT_LE(N, total);
	test_name(prefix, "many-");
	plen = strlen(prefix);
	for (i = 0; i < nr; i++) {
		if (strncmp(v[i].name, prefix, plen))
			continue;
		n = atoi(v[i].name + plen);
		if (n < 0 || n >= N)
			bad++;
		else
			seen[n]++;
	}
	EXPECT_EQ(0, bad);
	for (k = 0; k < N; k++) {
		if (seen[k] != 1) {
			EXPECT_EQ(1, seen[k]) {
				TH_LOG("region %d listed %d times", k, seen[k]);
			}
			break;
		}
	}
	/* too short an array: half written, the total still right */
	ASSERT_EQ(0, ioc_list(fd, v, &short_nr, &short_total));
	EXPECT_EQ(N / 2, short_nr);
	EXPECT_EQ(total, short_total);
	close(fd);
	for (k = 0; k < N; k++) {
		snprintf(tag, sizeof(tag), "many-%d", k);
		test_name(name, tag);
		EXPECT_EQ(0, unlink_name(name));
	}
	EXPECT_EQ(regions, nr_regions());
}

TEST_HARNESS_MAIN
