// SPDX-License-Identifier: GPL-2.0
/*
 * libshmregion: shmr_create, shmr_attach, shmr_close, shmr_addr,
 * shmr_size, shmr_info, shmr_unlink, shmr_funlink, shmr_list and
 * shmr_list_free; every success and every error the man pages list.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/shmregion.h>

#include "kselftest_harness.h"
#include "libtest.h"

FIXTURE(region) {
	char name[SHMR_NAME_MAX];
	char other[SHMR_NAME_MAX];
	long long saved_max_regions;	/* restored in teardown when >= 0 */
	long long saved_max_user_regions;	/* likewise */
	char cgroup[128];		/* removed in teardown when set */
};

FIXTURE_SETUP(region)
{
	snprintf(self->name, sizeof(self->name), "libtest-%d", getpid());
	snprintf(self->other, sizeof(self->other), "libtest-%d b", getpid());
	self->saved_max_regions = -1;
	self->saved_max_user_regions = -1;
}

FIXTURE_TEARDOWN(region)
{
	shmr_unlink(self->name);
	shmr_unlink(self->other);
	if (self->saved_max_regions >= 0)
		EXPECT_EQ(0, write_number(SHMR_PARAMS "max_regions",
					  self->saved_max_regions));
	if (self->saved_max_user_regions >= 0)
		EXPECT_EQ(0, write_number(SHMR_PARAMS "max_user_regions",
					  self->saved_max_user_regions));
	if (self->cgroup[0])
		EXPECT_EQ(0, rmdir(self->cgroup));
}

/* --- shmr_create -------------------------------------------------------- */

TEST_F(region, create_makes_a_zeroed_region)
{
	struct shmr_region_info info;
	struct shmr *r;
	const char *p;
	size_t i;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_create(&r, self->name, 100, 0640, SHMR_EXCL));
	EXPECT_EQ((size_t)getpagesize(), shmr_size(r));	/* rounded up to a page */
	p = shmr_addr(r);
	ASSERT_NE(NULL, p);
	for (i = 0; i < shmr_size(r); i++)
		if (p[i])
			break;
	EXPECT_EQ(shmr_size(r), i);
	memset(shmr_addr(r), 0xa5, shmr_size(r));	/* writable */

	ASSERT_EQ(0, shmr_info(r, &info));
	EXPECT_STREQ(self->name, info.name);
	EXPECT_EQ((size_t)getpagesize(), info.size);
	EXPECT_EQ(0, info.seq);
	EXPECT_EQ(geteuid(), info.uid);
	EXPECT_EQ(getegid(), info.gid);
	EXPECT_EQ(0640, info.mode);
	EXPECT_EQ(SHMR_CREATED, info.flags);
	EXPECT_EQ(1, info.handles);
	EXPECT_EQ(1, info.mappings);	/* the data; the control page ... */
	EXPECT_EQ(0, shmr_seq(r));
	ASSERT_EQ(0, shmr_info(r, &info));
	EXPECT_EQ(2, info.mappings);	/* ... on first use */
	shmr_close(r);
}

TEST_F(region, create_without_excl_attaches_to_existing)
{
	struct shmr *r1, *r2;
	struct shmr_region_info info;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_create(&r1, self->name, 3 * (size_t)getpagesize(), 0600, 0));
	ASSERT_EQ(0, shmr_create(&r2, self->name, 1, 0600, 0));
	EXPECT_EQ(3 * (size_t)getpagesize(), shmr_size(r2));
	ASSERT_EQ(0, shmr_info(r2, &info));
	EXPECT_EQ(0, info.flags & SHMR_CREATED);
	EXPECT_EQ(2, info.handles);
	strcpy((char *)shmr_addr(r1) + (size_t)getpagesize(), "shared");
	EXPECT_STREQ("shared", (char *)shmr_addr(r2) + (size_t)getpagesize());
	shmr_close(r2);
	shmr_close(r1);
}

TEST_F(region, create_excl_existing_is_eexist)
{
	struct shmr *r1, *r2 = NULL;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_create(&r1, self->name, 1, 0600, SHMR_EXCL));
	EXPECT_EQ(-EEXIST, shmr_create(&r2, self->name, 1, 0600, SHMR_EXCL));
	EXPECT_EQ(NULL, r2);
	shmr_close(r1);
}

TEST_F(region, create_existing_too_small_is_einval)
{
	struct shmr *r1, *r2;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_create(&r1, self->name, (size_t)getpagesize(), 0600, 0));
	EXPECT_EQ(-EINVAL, shmr_create(&r2, self->name, 2 * (size_t)getpagesize(),
				       0600, 0));
	shmr_close(r1);
}

TEST_F(region, create_bad_arguments_are_einval)
{
	char longest[SHMR_NAME_MAX], too_long[SHMR_NAME_MAX + 1];
	struct shmr *r;

	REQUIRE_DEVICE();
	EXPECT_EQ(-EINVAL, shmr_create(&r, "", 1, 0600, 0));
	EXPECT_EQ(-EINVAL, shmr_create(&r, NULL, 1, 0600, 0));
	EXPECT_EQ(-EINVAL, shmr_create(&r, "a/b", 1, 0600, 0));
	EXPECT_EQ(-EINVAL, shmr_create(&r, "tab\there", 1, 0600, 0));
	EXPECT_EQ(-EINVAL, shmr_create(&r, "del\x7f", 1, 0600, 0));
	memset(too_long, 'x', SHMR_NAME_MAX);
	too_long[SHMR_NAME_MAX] = '\0';
	EXPECT_EQ(-EINVAL, shmr_create(&r, too_long, 1, 0600, 0));
	EXPECT_EQ(-EINVAL, shmr_create(NULL, self->name, 1, 0600, 0));
	EXPECT_EQ(-EINVAL, shmr_create(&r, self->name, 0, 0600, 0));
	EXPECT_EQ(-EINVAL, shmr_create(&r, self->name, 1, 0700, 0));
	EXPECT_EQ(-EINVAL, shmr_create(&r, self->name, 1, 01600, 0));
	EXPECT_EQ(-EINVAL, shmr_create(&r, self->name, 1, 0600, SHMR_RDONLY));
	EXPECT_EQ(-EINVAL, shmr_create(&r, self->name, 1, 0600, 1U << 31));
	EXPECT_EQ(-ENOENT, shmr_attach(&r, self->name, 0));	/* none made */

	/* the longest name works */
	memset(longest, 'y', SHMR_NAME_MAX - 1);
	longest[SHMR_NAME_MAX - 1] = '\0';
	ASSERT_EQ(0, shmr_create(&r, longest, 1, 0600, SHMR_TRANSIENT));
	shmr_close(r);
}

TEST_F(region, create_over_max_region_bytes_is_e2big)
{
	long long max = read_number(SHMR_PARAMS "max_region_bytes");
	struct shmr *r;

	REQUIRE_DEVICE();
	if (max < 0)
		max = 256 << 20;	/* the documented default */
	EXPECT_EQ(-E2BIG, shmr_create(&r, self->name, max + (size_t)getpagesize(), 0600,
				      SHMR_LAZY));
	EXPECT_EQ(-ENOENT, shmr_attach(&r, self->name, 0));
}

TEST_F(region, create_over_max_regions_is_enospc)
{
	long long live = read_number("/sys/class/misc/shmregion/nr_regions");
	struct shmr *r;

	REQUIRE_DEVICE();
	REQUIRE_ROOT();
	self->saved_max_regions = read_number(SHMR_PARAMS "max_regions");
	ASSERT_LE(0, self->saved_max_regions);
	ASSERT_LE(0, live);
	ASSERT_EQ(0, write_number(SHMR_PARAMS "max_regions", live));
	EXPECT_EQ(-ENOSPC, shmr_create(&r, self->name, 1, 0600, 0));
}

static int create_64m(const char *name)
{
	struct shmr *r;
	int ret = shmr_create(&r, name, 64 << 20, 0600, 0);

	if (!ret)
		shmr_close(r);
	return ret;
}

TEST_F(region, create_beyond_memory_cgroup_is_enomem)
{
	char path[160];
	pid_t pid;

	REQUIRE_DEVICE();
	REQUIRE_ROOT();
	snprintf(self->cgroup, sizeof(self->cgroup),
		 "/sys/fs/cgroup/shmr-libtest-%d", getpid());
	if (mkdir(self->cgroup, 0755)) {
		self->cgroup[0] = '\0';
		SKIP(return, "no cgroup v2 here: %s", strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/memory.max", self->cgroup);
	if (access(path, W_OK))
		SKIP(return, "no memory controller: %s", strerror(errno));
	ASSERT_EQ(0, write_number(path, 8 << 20));

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", self->cgroup);
		if (write_number(path, getpid()))
			_exit(200);
		_exit(-create_64m(self->name));
	}
	EXPECT_EQ(ENOMEM, reap(pid));
}

static int attach_rw(const char *name)
{
	struct shmr *r;
	int ret = shmr_create(&r, name, 1, 0600, 0);

	if (!ret)
		shmr_close(r);
	return ret;
}

/* The per-user limit binds an ordinary user, not root (CAP_SYS_RESOURCE). */
TEST_F(region, create_over_the_users_share_is_edquot)
{
	struct shmr *r;

	REQUIRE_DEVICE();
	REQUIRE_ROOT();
	self->saved_max_user_regions = read_number(SHMR_PARAMS "max_user_regions");
	ASSERT_LE(0, self->saved_max_user_regions);
	ASSERT_EQ(0, write_number(SHMR_PARAMS "max_user_regions", 0));
	EXPECT_EQ(-EDQUOT, as_nobody(attach_rw, self->name));
	EXPECT_EQ(-ENOENT, shmr_attach(&r, self->name, 0));	/* none made */
	ASSERT_EQ(0, shmr_create(&r, self->name, 1, 0600, 0));
	shmr_close(r);
}

TEST_F(region, create_existing_without_write_access_is_eacces)
{
	struct shmr *r;

	REQUIRE_DEVICE();
	REQUIRE_ROOT();
	ASSERT_EQ(0, shmr_create(&r, self->name, 1, 0644, 0));
	EXPECT_EQ(-EACCES, as_nobody(attach_rw, self->name));
	shmr_close(r);
}

TEST_F(region, create_lazy_and_transient_flags)
{
	struct shmr_region_info info;
	struct shmr *r;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_create(&r, self->name, 1 << 20, 0600,
				 SHMR_LAZY | SHMR_TRANSIENT));
	ASSERT_EQ(0, shmr_info(r, &info));
	EXPECT_EQ(SHMR_LAZY | SHMR_TRANSIENT | SHMR_CREATED, info.flags);
	((char *)shmr_addr(r))[(1 << 20) - 1] = 1;	/* first touch */
	shmr_close(r);
	/* transient: gone with its last handle and mapping */
	EXPECT_EQ(-ENOENT, shmr_attach(&r, self->name, 0));
}

static long rss_kb(void *addr)
{
	return smaps_kb(addr, "Rss");
}

/*
 * shmr_create() maps an eager region it created all at once (its pages
 * exist already); a lazy one, and any attach, map pages as they are
 * touched, so that a lazy region's memory is allocated only when used.
 */
TEST_F(region, create_populates_only_eager_regions_it_made)
{
	struct shmr *r, *again, *a;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_create(&r, self->name, 1 << 20, 0600, 0));
	EXPECT_EQ(1 << 10, rss_kb(shmr_addr(r)));
	ASSERT_EQ(0, shmr_attach(&a, self->name, 0));
	EXPECT_EQ(0, rss_kb(shmr_addr(a)));
	shmr_close(a);
	ASSERT_EQ(0, shmr_create(&again, self->name, 1 << 20, 0600, 0));
	EXPECT_EQ(0, rss_kb(shmr_addr(again)));	/* attached, not made */
	shmr_close(again);
	shmr_close(r);
	ASSERT_EQ(0, shmr_create(&r, self->other, 1 << 20, 0600, SHMR_LAZY));
	EXPECT_EQ(0, rss_kb(shmr_addr(r)));
	shmr_close(r);
}

/* Without /dev/shmregion (a private /dev) every call that opens it says ENODEV. */
static int no_device(void)
{
	struct shmr_region_info *list;
	struct shmr *r;
	size_t n;

	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("none", "/dev", "tmpfs", 0, NULL))
		return 10;
	if (shmr_create(&r, "x", 1, 0600, 0) != -ENODEV)
		return 1;
	if (shmr_attach(&r, "x", 0) != -ENODEV)
		return 2;
	if (shmr_attach(&r, "x", SHMR_RDONLY) != -ENODEV)
		return 3;
	if (shmr_unlink("x") != -ENODEV)
		return 4;
	if (shmr_list(&list, &n) != -ENODEV)
		return 5;
	return 0;
}

TEST_F(region, no_device_is_enodev)
{
	pid_t pid;

	REQUIRE_DEVICE();
	REQUIRE_ROOT();
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(no_device());
	EXPECT_EQ(0, reap(pid));
}

/* --- shmr_attach -------------------------------------------------------- */

TEST_F(region, attach_read_write_shares_memory)
{
	struct shmr *r1, *r2;
	struct shmr_region_info info;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_create(&r1, self->name, 2 * (size_t)getpagesize(), 0600, 0));
	ASSERT_EQ(0, shmr_attach(&r2, self->name, 0));
	EXPECT_EQ(2 * (size_t)getpagesize(), shmr_size(r2));
	EXPECT_NE(shmr_addr(r1), shmr_addr(r2));
	strcpy(shmr_addr(r2), "from r2");
	EXPECT_STREQ("from r2", (char *)shmr_addr(r1));
	ASSERT_EQ(0, shmr_info(r2, &info));
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(2, info.handles);
	EXPECT_EQ(2, info.mappings);	/* no control page used yet */
	shmr_close(r1);
	shmr_close(r2);
}

TEST_F(region, attach_read_only_cannot_write)
{
	struct shmr *r1, *r2;
	struct shmr_region_info info;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_create(&r1, self->name, 1, 0600, 0));
	strcpy(shmr_addr(r1), "visible");
	ASSERT_EQ(0, shmr_attach(&r2, self->name, SHMR_RDONLY));
	EXPECT_STREQ("visible", (char *)shmr_addr(r2));
	ASSERT_EQ(0, shmr_info(r2, &info));
	EXPECT_EQ(SHMR_RDONLY, info.flags);
	EXPECT_EQ(-1, mprotect(shmr_addr(r2), shmr_size(r2),
			       PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	shmr_close(r2);
	shmr_close(r1);
}

TEST_F(region, resize_remaps_and_peers_follow)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	struct shmr *r1, *r2, *ro;
	uint64_t seq = 0;
	char *p;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_create(&r1, self->name, ps, 0600, 0));
	strcpy(shmr_addr(r1), "kept");
	ASSERT_EQ(0, shmr_attach(&r2, self->name, 0));
	ASSERT_EQ(0, shmr_resize(r1, 4 * ps - 1));
	EXPECT_EQ(4 * ps, shmr_size(r1));
	p = shmr_addr(r1);
	EXPECT_STREQ("kept", p);
	EXPECT_EQ(0, p[4 * ps - 1]);
	p[4 * ps - 1] = 'z';
	EXPECT_EQ(0, shmr_wait(r2, &seq, 0));
	EXPECT_EQ(1, seq);
	/* the peer still maps one page until it remaps */
	EXPECT_EQ(ps, shmr_size(r2));
	ASSERT_EQ(0, shmr_remap(r2));
	EXPECT_EQ(4 * ps, shmr_size(r2));
	EXPECT_EQ('z', ((char *)shmr_addr(r2))[4 * ps - 1]);
	/* a shrink cuts the peer's mapping too; it remaps to the new size */
	ASSERT_EQ(0, shmr_resize(r1, ps));
	EXPECT_EQ(ps, shmr_size(r1));
	EXPECT_STREQ("kept", (char *)shmr_addr(r1));
	ASSERT_EQ(0, shmr_remap(r2));
	EXPECT_EQ(ps, shmr_size(r2));
	EXPECT_STREQ("kept", (char *)shmr_addr(r2));
	shmr_close(r2);
	EXPECT_EQ(-EINVAL, shmr_resize(r1, 0));
	ASSERT_EQ(0, shmr_attach(&ro, self->name, SHMR_RDONLY));
	EXPECT_EQ(-EACCES, shmr_resize(ro, 2 * ps));
	shmr_close(ro);
	shmr_close(r1);
}

TEST_F(region, attach_missing_is_enoent)
{
	struct shmr *r = NULL;

	REQUIRE_DEVICE();
	EXPECT_EQ(-ENOENT, shmr_attach(&r, self->name, 0));
	EXPECT_EQ(-ENOENT, shmr_attach(&r, self->name, SHMR_RDONLY));
	EXPECT_EQ(NULL, r);
}

TEST_F(region, attach_bad_arguments_are_einval)
{
	struct shmr *r1, *r2;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_create(&r1, self->name, 1, 0600, 0));
	EXPECT_EQ(-EINVAL, shmr_attach(&r2, "", 0));
	EXPECT_EQ(-EINVAL, shmr_attach(&r2, NULL, 0));
	EXPECT_EQ(-EINVAL, shmr_attach(&r2, "a/b", 0));
	EXPECT_EQ(-EINVAL, shmr_attach(NULL, self->name, 0));
	EXPECT_EQ(-EINVAL, shmr_attach(&r2, self->name, SHMR_EXCL));
	EXPECT_EQ(-EINVAL, shmr_attach(&r2, self->name, 1U << 31));
	shmr_close(r1);
}

static int attach_ro(const char *name)
{
	struct shmr *r;
	int ret = shmr_attach(&r, name, SHMR_RDONLY);

	if (!ret)
		shmr_close(r);
	return ret;
}

static int attach_rw_only(const char *name)
{
	struct shmr *r;
	int ret = shmr_attach(&r, name, 0);

	if (!ret)
		shmr_close(r);
	return ret;
}

TEST_F(region, attach_checks_permissions_like_sysv)
{
	struct shmr *r1, *r2;

	REQUIRE_DEVICE();
	REQUIRE_ROOT();
	ASSERT_EQ(0, shmr_create(&r1, self->name, 1, 0600, 0));
	ASSERT_EQ(0, shmr_create(&r2, self->other, 1, 0604, 0));
	EXPECT_EQ(-EACCES, as_nobody(attach_ro, self->name));
	EXPECT_EQ(-EACCES, as_nobody(attach_rw_only, self->name));
	EXPECT_EQ(0, as_nobody(attach_ro, self->other));
	EXPECT_EQ(-EACCES, as_nobody(attach_rw_only, self->other));
	shmr_close(r2);
	shmr_close(r1);
}

/* --- shmr_close, shmr_addr, shmr_size -------------------------------------- */

TEST(close_null_does_nothing)
{
	shmr_close(NULL);
}

TEST_F(region, close_drops_the_handle_and_mappings)
{
	struct shmr *r1, *r2;
	struct shmr_region_info info;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_create(&r1, self->name, 1, 0600, 0));
	ASSERT_EQ(0, shmr_attach(&r2, self->name, SHMR_RDONLY));
	shmr_seq(r1);		/* both map their control pages */
	shmr_seq(r2);
	ASSERT_EQ(0, shmr_info(r2, &info));
	EXPECT_EQ(2, info.handles);
	EXPECT_EQ(4, info.mappings);
	shmr_close(r1);
	ASSERT_EQ(0, shmr_info(r2, &info));
	EXPECT_EQ(1, info.handles);
	EXPECT_EQ(2, info.mappings);
	shmr_close(r2);
	/* a persistent region outlives its handles */
	EXPECT_EQ(0, attach_ro(self->name));
}

TEST_F(region, size_is_rounded_up_to_pages)
{
	struct shmr *r;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_create(&r, self->name, (size_t)getpagesize() + 1, 0600, 0));
	EXPECT_EQ(2 * (size_t)getpagesize(), shmr_size(r));
	EXPECT_EQ(0, (uintptr_t)shmr_addr(r) % (size_t)getpagesize());
	shmr_close(r);
}

/* --- shmr_unlink ---------------------------------------------------------- */

TEST_F(region, unlink_removes_the_name_not_the_memory)
{
	struct shmr *r1, *r2;
	struct shmr_region_info info;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_create(&r1, self->name, 1, 0600, 0));
	strcpy(shmr_addr(r1), "still here");
	ASSERT_EQ(0, shmr_unlink(self->name));
	EXPECT_EQ(-ENOENT, shmr_attach(&r2, self->name, 0));
	EXPECT_STREQ("still here", (char *)shmr_addr(r1));
	ASSERT_EQ(0, shmr_info(r1, &info));
	EXPECT_NE(0, info.flags & SHMR_UNLINKED);

	/* the name is free for a new, different region */
	ASSERT_EQ(0, shmr_create(&r2, self->name, 1, 0600, SHMR_EXCL));
	EXPECT_EQ(0, ((char *)shmr_addr(r2))[0]);
	shmr_close(r2);
	shmr_close(r1);
}

TEST_F(region, unlink_missing_is_enoent)
{
	REQUIRE_DEVICE();
	EXPECT_EQ(-ENOENT, shmr_unlink(self->name));
}

TEST_F(region, unlink_bad_name_is_einval)
{
	REQUIRE_DEVICE();
	EXPECT_EQ(-EINVAL, shmr_unlink(NULL));
	EXPECT_EQ(-EINVAL, shmr_unlink(""));
	EXPECT_EQ(-EINVAL, shmr_unlink("a/b"));
}

TEST_F(region, unlink_by_other_user_is_eperm)
{
	struct shmr *r;

	REQUIRE_DEVICE();
	REQUIRE_ROOT();
	ASSERT_EQ(0, shmr_create(&r, self->name, 1, 0666, 0));
	EXPECT_EQ(-EPERM, as_nobody(shmr_unlink, self->name));
	EXPECT_EQ(0, attach_ro(self->name));	/* still there */
	shmr_close(r);
}

/* --- shmr_funlink --------------------------------------------------------- */

TEST_F(region, funlink_removes_its_own_name)
{
	struct shmr *r1, *r2;
	struct shmr_region_info info;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_create(&r1, self->name, 1, 0600, 0));
	strcpy(shmr_addr(r1), "still here");
	ASSERT_EQ(0, shmr_funlink(r1));
	EXPECT_EQ(-ENOENT, shmr_attach(&r2, self->name, 0));
	EXPECT_STREQ("still here", (char *)shmr_addr(r1));
	ASSERT_EQ(0, shmr_info(r1, &info));
	EXPECT_NE(0, info.flags & SHMR_UNLINKED);
	/* once */
	EXPECT_EQ(-ENOENT, shmr_funlink(r1));
	shmr_close(r1);
}

/* A region made under the name since is not the old handle's to remove. */
TEST_F(region, funlink_leaves_a_successor_alone)
{
	struct shmr *r1, *r2, *r3;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_create(&r1, self->name, 1, 0600, 0));
	ASSERT_EQ(0, shmr_unlink(self->name));
	ASSERT_EQ(0, shmr_create(&r2, self->name, 1, 0600, SHMR_EXCL));
	EXPECT_EQ(-ENOENT, shmr_funlink(r1));
	ASSERT_EQ(0, shmr_attach(&r3, self->name, 0));
	shmr_close(r3);
	EXPECT_EQ(0, shmr_funlink(r2));
	EXPECT_EQ(-ENOENT, shmr_attach(&r3, self->name, 0));
	shmr_close(r2);
	shmr_close(r1);
}

/* The owner may remove it through a read-only handle too. */
TEST_F(region, funlink_through_a_read_only_handle)
{
	struct shmr *r1, *r2;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_create(&r1, self->name, 1, 0600, 0));
	ASSERT_EQ(0, shmr_attach(&r2, self->name, SHMR_RDONLY));
	EXPECT_EQ(0, shmr_funlink(r2));
	EXPECT_EQ(-ENOENT, shmr_funlink(r1));
	shmr_close(r2);
	shmr_close(r1);
}

/* as_nobody()'s function: attach @name read-only, shmr_funlink() it */
static int attach_and_funlink(const char *name)
{
	struct shmr *r;
	int ret = shmr_attach(&r, name, SHMR_RDONLY);

	if (ret)
		return ret == -EPERM ? -EINVAL : ret;	/* not the answer sought */
	ret = shmr_funlink(r);
	shmr_close(r);
	return ret;
}

TEST_F(region, funlink_by_other_user_is_eperm)
{
	struct shmr *r;

	REQUIRE_DEVICE();
	REQUIRE_ROOT();
	ASSERT_EQ(0, shmr_create(&r, self->name, 1, 0666, 0));
	EXPECT_EQ(-EPERM, as_nobody(attach_and_funlink, self->name));
	EXPECT_EQ(0, attach_ro(self->name));	/* still there */
	shmr_close(r);
}

/* --- shmr_info -------------------------------------------------------------- */

TEST_F(region, info_null_is_einval)
{
	struct shmr *r;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_create(&r, self->name, 1, 0600, 0));
	EXPECT_EQ(-EINVAL, shmr_info(r, NULL));
	shmr_close(r);
}

/* --- shmr_list ---------------------------------------------------------------- */

static const struct shmr_region_info *find_listed(const struct shmr_region_info *l,
					   size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(l[i].name, name))
			return &l[i];
	return NULL;
}

TEST_F(region, list_agrees_with_info)
{
	struct shmr_region_info *list, info[2];
	const struct shmr_region_info *e;
	struct shmr *r[2];
	size_t n;
	int i;

	REQUIRE_DEVICE();
	/* the second name has a space in it */
	ASSERT_EQ(0, shmr_create(&r[0], self->name, 5 * (size_t)getpagesize(), 0640, 0));
	ASSERT_EQ(0, shmr_create(&r[1], self->other, 1, 0604, SHMR_LAZY));
	ASSERT_EQ(0, shmr_notify(r[1], NULL));
	ASSERT_EQ(0, shmr_notify(r[1], NULL));

	ASSERT_EQ(0, shmr_list(&list, &n));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, shmr_info(r[i], &info[i]));
		e = find_listed(list, n, info[i].name);
		ASSERT_NE(NULL, e) TH_LOG("\"%s\" not listed", info[i].name);
		EXPECT_EQ(info[i].size, e->size);
		EXPECT_EQ(info[i].seq, e->seq);
		EXPECT_EQ(info[i].uid, e->uid);
		EXPECT_EQ(info[i].gid, e->gid);
		EXPECT_EQ(info[i].mode, e->mode);
		EXPECT_EQ(info[i].flags & ~SHMR_CREATED, e->flags);
		EXPECT_EQ(info[i].handles, e->handles);
		EXPECT_EQ(info[i].mappings, e->mappings);
	}
	EXPECT_EQ(2, find_listed(list, n, self->other)->seq);
	shmr_list_free(list);

	/* an unlinked region is no longer listed */
	ASSERT_EQ(0, shmr_unlink(self->name));
	ASSERT_EQ(0, shmr_list(&list, &n));
	EXPECT_EQ(NULL, find_listed(list, n, self->name));
	EXPECT_NE(NULL, find_listed(list, n, self->other));
	shmr_list_free(list);
	shmr_close(r[0]);
	shmr_close(r[1]);
}

TEST_F(region, list_null_is_einval)
{
	struct shmr_region_info *list;
	size_t n;

	REQUIRE_DEVICE();
	EXPECT_EQ(-EINVAL, shmr_list(NULL, &n));
	EXPECT_EQ(-EINVAL, shmr_list(&list, NULL));
	shmr_list_free(NULL);
}

static int list_only(const char *unused)
{
	struct shmr_region_info *list;
	size_t n;
	int ret;

	(void)unused;
	ret = shmr_list(&list, &n);
	if (!ret)
		shmr_list_free(list);
	return ret;
}

/*
 * shmr_list()'s errors, provoked with what stands at /dev/shmregion in a
 * private mount namespace (the harness runs each test in a process of
 * its own, so the namespace ends with the test).
 */
TEST_F(region, list_says_why_the_device_is_unusable)
{
	struct stat st;

	REQUIRE_DEVICE();
	REQUIRE_ROOT();
	ASSERT_EQ(0, stat(SHMR_DEVICE_PATH, &st));
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_EQ(0, mount("none", "/dev", "tmpfs", 0, NULL));

	/* no node: the module is not loaded */
	EXPECT_EQ(-ENODEV, list_only(NULL));

	/* a node with no driver behind it: the misc minor none may have */
	ASSERT_EQ(0, mknod(SHMR_DEVICE_PATH, S_IFCHR | 0666, makedev(10, 255)));
	EXPECT_EQ(-ENODEV, list_only(NULL));
	ASSERT_EQ(0, unlink(SHMR_DEVICE_PATH));

	/* another device (/dev/null's numbers) knows no SHMR_IOC_LIST */
	ASSERT_EQ(0, mknod(SHMR_DEVICE_PATH, S_IFCHR | 0666, makedev(1, 3)));
	EXPECT_EQ(-ENOTTY, list_only(NULL));
	ASSERT_EQ(0, unlink(SHMR_DEVICE_PATH));

	/* the real device, narrowed to its owner as a udev rule might */
	ASSERT_EQ(0, mknod(SHMR_DEVICE_PATH, S_IFCHR | 0600, st.st_rdev));
	EXPECT_EQ(0, list_only(NULL));
	EXPECT_EQ(-EACCES, as_nobody(list_only, NULL));

	/* reading it is enough to list, not to create */
	ASSERT_EQ(0, chmod(SHMR_DEVICE_PATH, 0444));
	EXPECT_EQ(0, as_nobody(list_only, NULL));
	EXPECT_EQ(-EACCES, as_nobody(attach_rw, self->name));
}

/* How many entries of the list have names that start with prefix. */
static size_t count_listed(const struct shmr_region_info *l, size_t n,
			   const char *prefix)
{
	size_t i, found = 0;

	for (i = 0; i < n; i++)
		if (!strncmp(l[i].name, prefix, strlen(prefix)))
			found++;
	return found;
}

/* The number of named regions, as SHMR_IOC_LIST counts them. */
static long long list_total(void)
{
	struct shmr_list l = { .nr = 0 };
	int fd = open(SHMR_DEVICE_PATH, O_RDONLY | O_CLOEXEC);
	long long total = -1;

	if (fd < 0)
		return -1;
	if (ioctl(fd, SHMR_IOC_LIST, &l) == 0)
		total = l.total;
	close(fd);
	return total;
}

/* More regions than the library's first guess (32 entries). */
#define MANY	100

TEST_F(region, list_grows_past_its_first_guess)
{
	char names[MANY][SHMR_NAME_MAX], prefix[32];
	struct shmr_region_info *list;
	struct shmr *r[MANY];
	size_t n;
	int i;

	REQUIRE_DEVICE();
	/* transient: gone with this process, whatever happens */
	snprintf(prefix, sizeof(prefix), "libtest-%d many ", getpid());
	for (i = 0; i < MANY; i++) {
		snprintf(names[i], sizeof(names[i]), "%s%d", prefix, i);
		ASSERT_EQ(0, shmr_create(&r[i], names[i], 1, 0600,
					 SHMR_EXCL | SHMR_LAZY | SHMR_TRANSIENT));
	}
	ASSERT_EQ(0, shmr_list(&list, &n));
	EXPECT_EQ(list_total(), (long long)n);
	EXPECT_EQ(MANY, count_listed(list, n, prefix));
	for (i = 0; i < MANY; i++)
		EXPECT_NE(NULL, find_listed(list, n, names[i]))
			TH_LOG("\"%s\" not listed", names[i]);
	shmr_list_free(list);

	for (i = 0; i < MANY; i++)
		shmr_close(r[i]);
	ASSERT_EQ(0, shmr_list(&list, &n));
	EXPECT_EQ(0, count_listed(list, n, prefix));
	shmr_list_free(list);
}

/* Make and drop a transient region, over and over, until killed. */
static void churn(const char prefix[32])
{
	char name[SHMR_NAME_MAX];
	struct shmr *r;
	unsigned int i;

	for (i = 0;; i++) {
		snprintf(name, sizeof(name), "%s%u", prefix, i % 64);
		if (shmr_create(&r, name, 1, 0600, SHMR_LAZY | SHMR_TRANSIENT))
			_exit(1);
		shmr_close(r);
	}
}

/*
 * While another process makes and removes regions, the number there are
 * changes between the library's questions: every answer still holds
 * every region that lives throughout, once each.
 */
TEST_F(region, list_is_whole_while_regions_come_and_go)
{
	char prefix[32], churn_prefix[32], name[SHMR_NAME_MAX];
	struct shmr_region_info *list;
	struct shmr *r[MANY];
	size_t n;
	pid_t pid;
	int i;

	REQUIRE_DEVICE();
	snprintf(prefix, sizeof(prefix), "libtest-%d stays ", getpid());
	snprintf(churn_prefix, sizeof(churn_prefix), "libtest-%d churn ",
		 getpid());
	for (i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "%s%d", prefix, i);
		ASSERT_EQ(0, shmr_create(&r[i], name, 1, 0600,
					 SHMR_EXCL | SHMR_LAZY | SHMR_TRANSIENT));
	}
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0)
		churn(churn_prefix);
	for (i = 0; i < 200; i++) {
		ASSERT_EQ(0, shmr_list(&list, &n));
		EXPECT_EQ(MANY, count_listed(list, n, prefix));
		shmr_list_free(list);
	}
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, reap(pid));	/* it never failed */
	for (i = 0; i < MANY; i++)
		shmr_close(r[i]);
}

TEST_HARNESS_MAIN
