// SPDX-License-Identifier: GPL-2.0
/*
 * SHMR_IOC_LIST and the debugfs view for people.
 *
 * LIST describes exactly the named regions, with the fields INFO gives
 * (name, size, mode, seq, owner, handles, mappings, flags); @total says
 * how many there are and @nr how many were written, so a short array is
 * truncated, never overrun, and nr = 0 only counts. Non-zero
 * flags/pad/reserved are EINVAL, a bad entries pointer EFAULT. It works
 * on an unbound O_RDONLY handle and for an unprivileged user; an
 * unlinked region is no longer listed. /sys/kernel/debug/shmregion/regions
 * shows the same names (debugfs is mounted for the test if it is not).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/shmregion.h>

#include "kselftest_harness.h"
#include "common.h"

#define MAX_LISTED	1024
#define DEBUGFS_MAGIC	0x64626720

/* A LIST of every region into a fresh array; NULL (and *nr 0) on error. */
static struct shmr_info *list_all(int fd, uint32_t *nr, uint32_t *total)
{
	struct shmr_info *v = calloc(MAX_LISTED, sizeof(*v));

	*nr = MAX_LISTED;
	if (!v || ioc_list(fd, v, nr, total)) {
		free(v);
		*nr = 0;
		return NULL;
	}
	return v;
}

/* How often @name appears in @v[@nr]; *@at is its last entry. */
static int count_name(const struct shmr_info *v, uint32_t nr, const char *name,
		      const struct shmr_info **at)
{
	uint32_t i;
	int n = 0;

	for (i = 0; i < nr; i++) {
		if (strncmp(v[i].name, name, SHMR_NAME_MAX))
			continue;
		n++;
		if (at)
			*at = &v[i];
	}
	return n;
}

FIXTURE(list) {
	char name[3][SHMR_NAME_MAX];
	int fd[3];
	void *map;
};

FIXTURE_SETUP(list)
{
	static const char *const tags[3] = { "list a", "list-b", "list c" };
	static const uint32_t modes[3] = { 0640, 0600, 0666 };
	static const uint32_t flags[3] = { 0, SHMR_CREATE_LAZY, 0 };
	int i, n;

	REQUIRE_DEVICE();
	for (i = 0; i < 3; i++) {
		test_name(self->name[i], tags[i]);
		self->fd[i] = create_region(self->name[i],
					    (i + 1) * page_size(), modes[i],
					    flags[i]);
		ASSERT_LE(0, self->fd[i]);
		/* region i has seq i */
		for (n = 0; n < i; n++)
			ASSERT_EQ(0, ioc_notify(self->fd[i], NULL));
	}
	self->map = map_region(self->fd[0], page_size(), PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, self->map);
}

FIXTURE_TEARDOWN(list)
{
	int i;

	if (self->map && self->map != MAP_FAILED)
		munmap(self->map, page_size());
	for (i = 0; i < 3; i++) {
		if (self->fd[i] > 0)
			close(self->fd[i]);
		unlink_name(self->name[i]);
	}
}

TEST_F(list, lists_exactly_the_named_regions)
{
	static const uint32_t modes[3] = { 0640, 0600, 0666 };
	const struct shmr_info *e = NULL;
	struct shmr_info *v, info;
	uint32_t nr, total, i;
	int fd = dev_open(O_RDWR), k;

	ASSERT_LE(0, fd);
	v = list_all(fd, &nr, &total);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(total, nr);
	EXPECT_LE(3, nr);
	for (k = 0; k < 3; k++) {
		ASSERT_EQ(1, count_name(v, nr, self->name[k], &e)) {
			TH_LOG("\"%s\" not listed once", self->name[k]);
		}
		EXPECT_EQ((k + 1) * page_size(), e->size);
		EXPECT_EQ(modes[k], e->mode);
		EXPECT_EQ((uint64_t)k, e->seq);
		EXPECT_EQ(geteuid(), e->uid);
		EXPECT_EQ(getegid(), e->gid);
		EXPECT_EQ(1, e->handles);
		EXPECT_EQ(k == 0 ? 1 : 0, e->mappings);
		EXPECT_EQ(k == 1 ? SHMR_CREATE_LAZY : 0, e->flags);
		EXPECT_EQ(ns_inode("ipc"), e->ipc_ns);
		EXPECT_EQ(0, e->reserved);
		/* what INFO says of the same region */
		ASSERT_EQ(0, ioc_info(self->fd[k], &info));
		EXPECT_EQ(0, memcmp(&info, e, sizeof(info)));
	}
	/* every entry is a named region with a valid, terminated name */
	for (i = 0; i < nr; i++) {
		EXPECT_NE(NULL, memchr(v[i].name, 0, SHMR_NAME_MAX));
		EXPECT_EQ(0, v[i].flags & (SHMR_INFO_UNLINKED | SHMR_INFO_RDONLY));
		EXPECT_NE(0, v[i].size);
	}
	free(v);
	close(fd);
}

TEST_F(list, short_array_is_truncated_not_overrun)
{
	struct shmr_info v[3], all_total;
	uint32_t nr = 1, total = 0, count_nr = 0, count_total = 0;
	int fd = dev_open(O_RDWR);

	ASSERT_LE(0, fd);
	memset(v, 0x5a, sizeof(v));
	memset(&all_total, 0x5a, sizeof(all_total));
	ASSERT_EQ(0, ioc_list(fd, v, &nr, &total));
	EXPECT_EQ(1, nr);
	EXPECT_LE(3, total);
	EXPECT_NE(NULL, memchr(v[0].name, 0, SHMR_NAME_MAX));
	/* nothing past the one entry asked for was written */
	EXPECT_EQ(0, memcmp(&v[1], &all_total, sizeof(v[1])));
	EXPECT_EQ(0, memcmp(&v[2], &all_total, sizeof(v[2])));

	/* nr = 0 only counts, even without an array */
	ASSERT_EQ(0, ioc_list(fd, NULL, &count_nr, &count_total));
	EXPECT_EQ(0, count_nr);
	EXPECT_EQ(total, count_total);
	close(fd);
}

TEST_F(list, bad_arguments)
{
	struct shmr_info v[2];
	struct shmr_list l;
	char *guard;
	int fd = dev_open(O_RDWR), i;

	ASSERT_LE(0, fd);
	for (i = 0; i < 4; i++) {
		memset(&l, 0, sizeof(l));
		l.entries = (uintptr_t)v;
		l.nr = 2;
		switch (i) {
		case 0: l.flags = 1; break;
		case 1: l.pad = 1; break;
		case 2: l.reserved[0] = 1; break;
		default: l.reserved[1] = 1ULL << 63; break;
		}
		EXPECT_EQ(-EINVAL, ioctl_err(fd, SHMR_IOC_LIST, &l)) {
			TH_LOG("case %d", i);
		}
	}
	/* a bad entries pointer, an array running into a guard page */
	guard = mmap(NULL, 2 * page_size(), PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, guard);
	ASSERT_EQ(0, mprotect(guard + page_size(), page_size(), PROT_NONE));
	memset(&l, 0, sizeof(l));
	l.nr = 3;
	l.entries = (uintptr_t)(guard + page_size());
	EXPECT_EQ(-EFAULT, ioctl_err(fd, SHMR_IOC_LIST, &l));
	l.entries = (uintptr_t)(guard + page_size() - sizeof(struct shmr_info));
	EXPECT_EQ(-EFAULT, ioctl_err(fd, SHMR_IOC_LIST, &l));
	l.entries = 1;
	EXPECT_EQ(-EFAULT, ioctl_err(fd, SHMR_IOC_LIST, &l));
	/* and a bad argument pointer */
	EXPECT_EQ(-EFAULT, ioctl_err(fd, SHMR_IOC_LIST, guard + page_size()));
	munmap(guard, 2 * page_size());
	close(fd);
}

TEST_F(list, unbound_read_only_handle_and_nobody)
{
	struct shmr_info *v;
	uint32_t nr, total;
	pid_t pid;
	int fd = dev_open(O_RDONLY);

	ASSERT_LE(0, fd);
	v = list_all(fd, &nr, &total);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(1, count_name(v, nr, self->name[1], NULL));
	free(v);
	close(fd);

	/* the listing is world-readable: nobody sees root's 0600 region */
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_REQUIRE(become(UID_NOBODY, GID_NOBODY) == 0);
		fd = dev_open(O_RDONLY);
		CHILD_REQUIRE(fd >= 0);
		v = list_all(fd, &nr, &total);
		CHILD_REQUIRE(v != NULL);
		CHILD_REQUIRE(count_name(v, nr, self->name[1], NULL) == 1);
		CHILD_REQUIRE(count_name(v, nr, self->name[2], NULL) == 1);
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
}

TEST_F(list, unlinked_region_vanishes)
{
	struct shmr_info *v;
	uint32_t nr, total, before;
	int fd = dev_open(O_RDWR);

	ASSERT_LE(0, fd);
	v = list_all(fd, &nr, &before);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(1, count_name(v, nr, self->name[0], NULL));
	free(v);
	/* unlinked while still mapped and bound: no longer listed */
	ASSERT_EQ(0, unlink_name(self->name[0]));
	v = list_all(fd, &nr, &total);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(0, count_name(v, nr, self->name[0], NULL));
	EXPECT_EQ(1, count_name(v, nr, self->name[1], NULL));
	EXPECT_EQ(before - 1, total);
	free(v);
	close(fd);
}

/* The names of the debugfs view, one per line into @names; -1 on error. */
static int debugfs_names(char *buf, size_t len, char **names, int max)
{
	unsigned long long size, seq;
	unsigned int uid, gid, handles, mappings;
	unsigned long long ipc_ns;
	char mode[16], flags[16], *l, *save;
	int n = 0, off;

	if (read_all(SHMR_DEBUGFS_LIST, buf, len))
		return -1;
	l = strtok_r(buf, "\n", &save);
	if (!l || strcmp(l, "size seq uid gid mode handles mappings flags ipc_ns name"))
		return -1;
	while ((l = strtok_r(NULL, "\n", &save)) && n < max) {
		if (sscanf(l, "%llu %llu %u %u %15s %u %u %15s %llu %n", &size,
			   &seq, &uid, &gid, mode, &handles, &mappings, flags,
			   &ipc_ns, &off) != 9)
			return -1;
		names[n++] = l + off;
	}
	return n;
}

TEST_F(list, debugfs_view_shows_the_same_names)
{
	static char buf[1 << 17];
	static char *names[MAX_LISTED];
	struct shmr_info *v;
	struct statfs sfs;
	uint32_t nr, total, i;
	int fd = dev_open(O_RDONLY), n, k, found;

	ASSERT_LE(0, fd);
	if (statfs(SHMR_DEBUGFS, &sfs) || sfs.f_type != DEBUGFS_MAGIC) {
		if (mount("debugfs", SHMR_DEBUGFS, "debugfs", 0, NULL) ||
		    statfs(SHMR_DEBUGFS, &sfs) || sfs.f_type != DEBUGFS_MAGIC)
			SKIP(return, "no debugfs at %s: %s", SHMR_DEBUGFS,
			     strerror(errno));
	}
	v = list_all(fd, &nr, &total);
	ASSERT_NE(NULL, v);
	n = debugfs_names(buf, sizeof(buf), names, MAX_LISTED);
	ASSERT_LE(0, n) {
		TH_LOG("%s: missing or not in the documented format",
		       SHMR_DEBUGFS_LIST);
	}
	EXPECT_EQ(nr, n);
	/* the same names both ways */
	for (i = 0; i < nr; i++) {
		for (found = 0, k = 0; k < n; k++)
			found += !strcmp(names[k], v[i].name);
		EXPECT_EQ(1, found) {
			TH_LOG("\"%s\" listed by LIST %d times in debugfs",
			       v[i].name, found);
		}
	}
	for (k = 0; k < n; k++)
		EXPECT_EQ(1, count_name(v, nr, names[k], NULL)) {
			TH_LOG("\"%s\" in debugfs, not listed once by LIST",
			       names[k]);
		}
	for (k = 0; k < 3; k++) {
		for (found = 0, i = 0; i < (uint32_t)n; i++)
			found += !strcmp(names[i], self->name[k]);
		EXPECT_EQ(1, found);
	}
	free(v);
	close(fd);
}

TEST_HARNESS_MAIN
