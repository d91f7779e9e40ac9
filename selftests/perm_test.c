// SPDX-License-Identifier: GPL-2.0
/*
 * Access control and mapping rules. A read-only attach never gains
 * write access (mmap PROT_WRITE, mprotect, /proc/self/mem, NOTIFY all
 * refused). Per-region modes are checked like SysV ipcperms() for
 * processes that setuid/setgid away from root: owner, group and other
 * bits, one table of variants. mmap needs MAP_SHARED, a page-aligned
 * range inside the region; mremap may shrink or move a mapping, and a
 * mapping grown past the region's end gives SIGBUS there (as memfd).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/shmregion.h>

#include "kselftest_harness.h"
#include "common.h"

#define REGION_PAGES	4

/* A region owned by root (the test) and a read-only handle on it. */
FIXTURE(rdonly) {
	char name[SHMR_NAME_MAX];
	int fd, ro;
	uint8_t *map;
	size_t len;
};

FIXTURE_SETUP(rdonly)
{
	REQUIRE_DEVICE();
	self->ro = -1;
	self->len = REGION_PAGES * page_size();
	test_name(self->name, "rdonly");
	self->fd = create_region(self->name, self->len, 0644, 0);
	ASSERT_LE(0, self->fd);
	self->map = map_region(self->fd, self->len, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	strcpy((char *)self->map, "written by the owner");
	self->ro = attach_region(self->name, SHMR_ATTACH_RDONLY);
	ASSERT_LE(0, self->ro);
}

FIXTURE_TEARDOWN(rdonly)
{
	EXPECT_EQ(0, unlink_name(self->name));
	munmap(self->map, self->len);
	close(self->ro);
	close(self->fd);
}

TEST_F(rdonly, mmap_prot_write_eacces)
{
	void *p;

	p = map_region(self->ro, self->len, PROT_READ | PROT_WRITE, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	p = map_region(self->ro, page_size(), PROT_WRITE, page_size());
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	/* reading is what it is for */
	p = map_region(self->ro, self->len, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_STREQ("written by the owner", (char *)p);
	strcpy((char *)self->map, "and again");
	EXPECT_STREQ("and again", (char *)p);
	munmap(p, self->len);
}

TEST_F(rdonly, readonly_file_prot_write_eacces)
{
	void *p;
	int fd;

	fd = dev_open(O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioc_attach(fd, self->name, SHMR_ATTACH_RDONLY));
	p = map_region(fd, self->len, PROT_READ | PROT_WRITE, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	p = map_region(fd, self->len, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_STREQ("written by the owner", (char *)p);
	munmap(p, self->len);
	close(fd);
}

TEST_F(rdonly, mprotect_writable_eacces)
{
	uint8_t *p;

	p = map_region(self->ro, self->len, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, self->len, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(p + page_size(), page_size(), PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	/* the mapping is unchanged and still follows the region */
	strcpy((char *)self->map, "after mprotect");
	EXPECT_STREQ("after mprotect", (char *)p);
	munmap(p, self->len);
}

TEST_F(rdonly, proc_self_mem_cannot_write)
{
	char *p;
	int mem;

	p = map_region(self->ro, self->len, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, mem);
	/* FOLL_FORCE writes must not break through a read-only handle */
	EXPECT_EQ(-1, pwrite(mem, "XX", 2, (off_t)(uintptr_t)p));
	EXPECT_STREQ("written by the owner", p);
	EXPECT_STREQ("written by the owner", (char *)self->map);
	close(mem);
	munmap(p, self->len);
}

TEST_F(rdonly, notify_eacces)
{
	struct shmr_info info;

	EXPECT_EQ(-EACCES, ioc_notify(self->ro, NULL));
	ASSERT_EQ(0, ioc_info(self->ro, &info));
	EXPECT_EQ(0, info.seq);
	EXPECT_EQ(SHMR_INFO_RDONLY, info.flags & SHMR_INFO_RDONLY);
}

/*
 * ipcperms() for a process that is not root: who creates the region with
 * which mode, who attaches, and what read-write and read-only attaches
 * (and CREATE of the existing name) give.
 */
FIXTURE(access) {
	char name[SHMR_NAME_MAX];
	int fd;
};

FIXTURE_VARIANT(access) {
	uint32_t mode;
	uid_t creator_uid;	/* 0: the test (root) creates it */
	uid_t uid;		/* the attaching process */
	gid_t gid;
	int rw_err;		/* 0 or the errno of a read-write attach */
	int ro_err;		/* 0 or the errno of a read-only attach */
};

FIXTURE_VARIANT_ADD(access, other_0600) {
	.mode = 0600, .uid = UID_NOBODY, .gid = GID_NOBODY,
	.rw_err = EACCES, .ro_err = EACCES,
};

FIXTURE_VARIANT_ADD(access, other_0666) {
	.mode = 0666, .uid = UID_NOBODY, .gid = GID_NOBODY,
};

FIXTURE_VARIANT_ADD(access, other_0604) {
	.mode = 0604, .uid = UID_NOBODY, .gid = GID_NOBODY,
	.rw_err = EACCES,
};

FIXTURE_VARIANT_ADD(access, other_0602) {
	.mode = 0602, .uid = UID_NOBODY, .gid = GID_NOBODY,
	.rw_err = EACCES, .ro_err = EACCES,
};

FIXTURE_VARIANT_ADD(access, group_0660) {
	.mode = 0660, .uid = UID_NOBODY, .gid = 0,
};

FIXTURE_VARIANT_ADD(access, group_0640) {
	.mode = 0640, .uid = UID_NOBODY, .gid = 0,
	.rw_err = EACCES,
};

/* the group's bits decide for a member; "other" does not add to them */
FIXTURE_VARIANT_ADD(access, group_0606) {
	.mode = 0606, .uid = UID_NOBODY, .gid = 0,
	.rw_err = EACCES, .ro_err = EACCES,
};

/* likewise the owner's bits for the owner */
FIXTURE_VARIANT_ADD(access, owner_0066) {
	.mode = 0066, .creator_uid = UID_NOBODY,
	.uid = UID_NOBODY, .gid = GID_NOBODY,
	.rw_err = EACCES, .ro_err = EACCES,
};

FIXTURE_VARIANT_ADD(access, owner_0400) {
	.mode = 0400, .creator_uid = UID_NOBODY,
	.uid = UID_NOBODY, .gid = GID_NOBODY,
	.rw_err = EACCES,
};

FIXTURE_SETUP(access)
{
	pid_t pid;

	REQUIRE_DEVICE();
	self->fd = -1;
	test_name(self->name, "access");
	if (!variant->creator_uid) {
		self->fd = create_region(self->name, page_size(), variant->mode, 0);
		ASSERT_LE(0, self->fd);
		return;
	}
	/* the region persists after its creator is gone */
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_REQUIRE(become(variant->creator_uid, GID_NOBODY) == 0);
		CHILD_REQUIRE(create_region(self->name, page_size(), variant->mode, 0) >= 0);
		_exit(0);
	}
	ASSERT_EQ(0, reap(pid));
}

FIXTURE_TEARDOWN(access)
{
	EXPECT_EQ(0, unlink_name(self->name));	/* root: CAP_IPC_OWNER */
	close(self->fd);
}

/* Run @fn as the variant's attacher; its exit status (0 = as expected). */
static int as_attacher(const FIXTURE_VARIANT(access) *variant, const char *name,
		       int (*fn)(const FIXTURE_VARIANT(access) *, const char *))
{
	pid_t pid = fork_child();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		CHILD_REQUIRE(become(variant->uid, variant->gid) == 0);
		_exit(fn(variant, name));
	}
	return reap(pid);
}

static int try_attach(const FIXTURE_VARIANT(access) *variant, const char *name)
{
	int fd;
	void *p;

	fd = attach_region(name, 0);
	CHILD_REQUIRE(fd == -variant->rw_err || (fd >= 0 && !variant->rw_err));
	if (fd >= 0) {
		p = map_region(fd, page_size(), PROT_READ | PROT_WRITE, 0);
		CHILD_REQUIRE(p != MAP_FAILED);
		CHILD_REQUIRE(ioc_notify(fd, NULL) == 0);
		close(fd);
	}
	fd = attach_region(name, SHMR_ATTACH_RDONLY);
	CHILD_REQUIRE(fd == -variant->ro_err || (fd >= 0 && !variant->ro_err));
	if (fd >= 0) {
		p = map_region(fd, page_size(), PROT_READ, 0);
		CHILD_REQUIRE(p != MAP_FAILED);
		close(fd);
	}
	return 0;
}

static int try_create(const FIXTURE_VARIANT(access) *variant, const char *name)
{
	int fd = dev_open(O_RDWR);

	CHILD_REQUIRE(fd >= 0);
	/* CREATE of an existing name binds read-write: it needs rw */
	CHILD_REQUIRE(ioc_create(fd, name, page_size(), 0600, 0) == -variant->rw_err);
	close(fd);
	fd = dev_open(O_RDWR);
	CHILD_REQUIRE(fd >= 0);
	CHILD_REQUIRE(ioc_create(fd, name, page_size(), 0666, SHMR_CREATE_EXCL) == -EEXIST);
	/* and unlink is the owner's alone */
	CHILD_REQUIRE(ioc_unlink(fd, name) ==
		      (variant->uid == variant->creator_uid ? 0 : -EPERM));
	return 0;
}

TEST_F(access, attach)
{
	EXPECT_EQ(0, as_attacher(variant, self->name, try_attach));
}

TEST_F(access, create_existing_and_unlink)
{
	int owner = variant->uid == variant->creator_uid;

	EXPECT_EQ(0, as_attacher(variant, self->name, try_create));
	if (owner) {
		/* the owner's child unlinked it; put one back for teardown */
		close(self->fd);
		self->fd = create_region(self->name, page_size(), 0600, 0);
		ASSERT_LE(0, self->fd);
	}
}

/* --- mapping rules ---------------------------------------------------- */

FIXTURE(mapping) {
	char name[SHMR_NAME_MAX];
	int fd;
	size_t len;
};

FIXTURE_SETUP(mapping)
{
	uint8_t *p;
	size_t i;

	REQUIRE_DEVICE();
	self->len = REGION_PAGES * page_size();
	test_name(self->name, "mapping");
	self->fd = create_region(self->name, self->len, 0600, 0);
	ASSERT_LE(0, self->fd);
	p = map_region(self->fd, self->len, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < REGION_PAGES; i++)
		p[i * page_size()] = 'A' + i;	/* page i starts with 'A' + i */
	munmap(p, self->len);
}

FIXTURE_TEARDOWN(mapping)
{
	EXPECT_EQ(0, unlink_name(self->name));
	close(self->fd);
}

TEST_F(mapping, map_private_einval)
{
	void *p;

	p = mmap(NULL, self->len, PROT_READ, MAP_PRIVATE, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, page_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->fd, page_size());
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mapping, beyond_region_einval)
{
	const size_t ps = page_size();
	const struct { off_t off; size_t len; } bad[] = {
		{ 0, self->len + ps },
		{ self->len, ps },
		{ 2 * ps, 3 * ps },
		{ (REGION_PAGES - 1) * ps, 2 * ps },
		{ 1LL << 39, ps },
		{ SHMR_CTRL_OFFSET - ps, ps },
	};
	size_t i;
	void *p;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = map_region(self->fd, bad[i].len, PROT_READ, bad[i].off);
		EXPECT_EQ(MAP_FAILED, p) {
			TH_LOG("offset %lld length %zu",
			       (long long)bad[i].off, bad[i].len);
		}
		EXPECT_EQ(EINVAL, errno);
		if (p != MAP_FAILED)
			munmap(p, bad[i].len);
	}
}

TEST_F(mapping, unaligned_offset_einval)
{
	void *p;

	p = map_region(self->fd, page_size(), PROT_READ, 1);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = map_region(self->fd, page_size(), PROT_READ, page_size() + 512);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mapping, offset_maps_the_right_pages)
{
	char *p;

	p = map_region(self->fd, 2 * page_size(), PROT_READ, 2 * page_size());
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ('C', p[0]);
	EXPECT_EQ('D', p[page_size()]);
	munmap(p, 2 * page_size());
	/* a length that is not a page multiple covers the partial page */
	p = map_region(self->fd, page_size() + 1, PROT_READ, 2 * page_size());
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ('D', p[page_size()]);
	munmap(p, 2 * page_size());
}

/*
 * A mapping grown with mremap (DESIGN.md, as memfd): inside the region
 * it shows the region's pages; past the region's end it either fails or
 * gives SIGBUS, never memory of its own.
 */
TEST_F(mapping, mremap_growth_sigbus_past_end)
{
	char *p, *q;
	pid_t pid;

	/* inside the region: the next page is the region's next page */
	p = map_region(self->fd, page_size(), PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	q = mremap(p, page_size(), 2 * page_size(), MREMAP_MAYMOVE);
	if (q == MAP_FAILED) {
		EXPECT_EQ('A', p[0]);	/* the old mapping is intact */
		munmap(p, page_size());
	} else {
		EXPECT_EQ('A', q[0]);
		EXPECT_EQ('B', q[page_size()]);
		munmap(q, 2 * page_size());
	}

	/* past the end */
	p = map_region(self->fd, self->len, PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	q = mremap(p, self->len, self->len + page_size(), MREMAP_MAYMOVE);
	if (q == MAP_FAILED) {
		EXPECT_EQ('A', p[0]);
		munmap(p, self->len);
		return;
	}
	EXPECT_EQ('A', q[0]);
	EXPECT_EQ('A' + REGION_PAGES - 1, q[self->len - page_size()]);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		(void)*(volatile char *)(q + self->len);
		_exit(0);	/* it read something: wrong */
	}
	EXPECT_EQ(128 + SIGBUS, reap(pid));
	munmap(q, self->len + page_size());
}

TEST_F(mapping, mremap_shrinks_and_moves)
{
	struct shmr_info info;
	char *p, *q;

	p = map_region(self->fd, self->len, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	q = mremap(p, self->len, 2 * page_size(), 0);
	ASSERT_EQ(p, q);
	EXPECT_EQ('B', q[page_size()]);
	ASSERT_EQ(0, ioc_info(self->fd, &info));
	EXPECT_EQ(1, info.mappings);

	/* moving without growing is allowed */
	q = mremap(p, 2 * page_size(), 2 * page_size(), MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ('A', q[0]);
	EXPECT_EQ('B', q[page_size()]);
	ASSERT_EQ(0, munmap(q, 2 * page_size()));
	ASSERT_EQ(0, ioc_info(self->fd, &info));
	EXPECT_EQ(0, info.mappings);
}

TEST_HARNESS_MAIN
