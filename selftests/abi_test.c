// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl ABI of /dev/shmregion, one errno at a time (docs/abi.md):
 * unknown ioctls, flags, pad and reserved words; names, sizes and modes;
 * unbound and doubly-bound handles; EBADF, EEXIST, ENOENT, EPERM,
 * EFAULT; CREATE attaching to an existing region; the INFO fields; the
 * /proc listing; E2BIG and ENOSPC from the module parameters (lowered
 * for the test, restored afterwards).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/shmregion.h>

#include "kselftest_harness.h"
#include "common.h"

/* The same ioctl number with another size field. */
static unsigned long resized(unsigned long cmd, unsigned int size)
{
	return _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), size);
}

static const unsigned long known_cmds[] = {
	SHMR_IOC_CREATE, SHMR_IOC_ATTACH, SHMR_IOC_UNLINK,
	SHMR_IOC_INFO, SHMR_IOC_NOTIFY, SHMR_IOC_WAIT,
};

/* Names every name-taking ioctl must refuse with EINVAL. */
static const struct {
	const char *what;
	char name[SHMR_NAME_MAX];
} bad_names[] = {
	{ "empty", "" },
	/* exactly 64 characters: C stores no NUL */
	{ "no NUL in 64 bytes", "aaaaaaaaaaaaaaaa" "aaaaaaaaaaaaaaaa"
				"aaaaaaaaaaaaaaaa" "aaaaaaaaaaaaaaaa" },
	{ "slash", "a/b" },
	{ "only a slash", "/" },
	{ "tab", "tab\there" },
	{ "newline", "nl\n" },
	{ "DEL", "del\x7f" },
	{ "8-bit", "high\x80\xff" },
};

/* A bound handle on a fresh region of @pages pages. */
static int new_region(char name[SHMR_NAME_MAX], const char *tag, int pages)
{
	shmr_name(name, tag);
	return shmr_new(name, pages * page_size(), 0600, 0);
}

TEST(unknown_ioctls_enotty)
{
	char buf[512] = { 0 }, name[SHMR_NAME_MAX];
	int fd, bound, i;

	fd = shmr_open(O_RDWR);
	ASSERT_LE(0, fd);
	bound = new_region(name, "enotty", 1);
	ASSERT_LE(0, bound);

	for (i = 0; i < 2; i++) {
		int h = i ? bound : fd;
		size_t k;

		EXPECT_EQ(-ENOTTY, ioctl_err(h, _IO(SHMR_IOC_MAGIC, 0x7f), buf));
		EXPECT_EQ(-ENOTTY, ioctl_err(h, _IOWR(SHMR_IOC_MAGIC, 0x06, __u64), buf));
		EXPECT_EQ(-ENOTTY, ioctl_err(h, _IOWR('T', 0x00, struct shmr_create), buf));
		EXPECT_EQ(-ENOTTY, ioctl_err(h, TCGETS, buf));
		for (k = 0; k < sizeof(known_cmds) / sizeof(known_cmds[0]); k++) {
			unsigned long cmd = known_cmds[k];
			unsigned int size = _IOC_SIZE(cmd);

			EXPECT_EQ(-ENOTTY, ioctl_err(h, resized(cmd, size + 8), buf));
			EXPECT_EQ(-ENOTTY, ioctl_err(h, resized(cmd, size - 8), buf));
			/* the same number and size in another direction */
			EXPECT_EQ(-ENOTTY, ioctl_err(h, _IOC(_IOC_NONE, SHMR_IOC_MAGIC,
							 _IOC_NR(cmd), size), buf));
		}
	}
	EXPECT_EQ(0, shmr_unlink(name));
	close(bound);
	close(fd);
}

TEST(create_rejects_flags_pad_reserved)
{
	struct shmr_create c;
	char name[SHMR_NAME_MAX];
	int fd, i;

	shmr_name(name, "create-bad");
	fd = shmr_open(O_RDWR);
	ASSERT_LE(0, fd);
	for (i = 0; i < 5; i++) {
		memset(&c, 0, sizeof(c));
		strcpy(c.name, name);
		c.size = page_size();
		c.mode = 0600;
		switch (i) {
		case 0: c.flags = ~SHMR_CREATE_FLAGS; break;
		case 1: c.flags = 1U << 31; break;
		case 2: c.pad = 1; break;
		case 3: c.reserved[0] = 1; break;
		case 4: c.reserved[1] = 1ULL << 63; break;
		}
		EXPECT_EQ(-EINVAL, ioctl_err(fd, SHMR_IOC_CREATE, &c)) {
			TH_LOG("case %d", i);
		}
	}
	/* nothing was made, and the handle is still unbound */
	EXPECT_EQ(-ENOENT, shmr_unlink(name));
	EXPECT_EQ(0, shmr_create(fd, name, page_size(), 0600, SHMR_CREATE_EXCL));
	EXPECT_EQ(0, shmr_unlink(name));
	close(fd);
}

TEST(attach_rejects_flags_pad_reserved)
{
	char name[SHMR_NAME_MAX];
	struct shmr_attach a;
	int owner, fd, i;

	owner = new_region(name, "attach-bad", 1);
	ASSERT_LE(0, owner);
	fd = shmr_open(O_RDWR);
	ASSERT_LE(0, fd);
	for (i = 0; i < 5; i++) {
		memset(&a, 0, sizeof(a));
		strcpy(a.name, name);
		switch (i) {
		case 0: a.flags = ~SHMR_ATTACH_FLAGS; break;
		case 1: a.flags = SHMR_ATTACH_RDONLY | 2; break;
		case 2: a.pad = 1; break;
		case 3: a.reserved[0] = 1; break;
		case 4: a.reserved[1] = 1; break;
		}
		EXPECT_EQ(-EINVAL, ioctl_err(fd, SHMR_IOC_ATTACH, &a)) {
			TH_LOG("case %d", i);
		}
	}
	EXPECT_EQ(0, shmr_attach(fd, name, 0));
	EXPECT_EQ(0, shmr_unlink(name));
	close(fd);
	close(owner);
}

TEST(unlink_rejects_flags_pad_reserved)
{
	char name[SHMR_NAME_MAX];
	struct shmr_unlink u;
	int owner, i;

	owner = new_region(name, "unlink-bad", 1);
	ASSERT_LE(0, owner);
	for (i = 0; i < 4; i++) {
		memset(&u, 0, sizeof(u));
		strcpy(u.name, name);
		switch (i) {
		case 0: u.flags = 1; break;
		case 1: u.pad = 1; break;
		case 2: u.reserved[0] = 1; break;
		case 3: u.reserved[1] = 1; break;
		}
		EXPECT_EQ(-EINVAL, ioctl_err(owner, SHMR_IOC_UNLINK, &u)) {
			TH_LOG("case %d", i);
		}
	}
	EXPECT_EQ(0, shmr_unlink(name));	/* still there */
	close(owner);
}

TEST(notify_wait_reject_flags_pad)
{
	char name[SHMR_NAME_MAX];
	struct shmr_notify n;
	struct shmr_wait w;
	struct shmr_info info;
	int fd;

	fd = new_region(name, "nw-bad", 1);
	ASSERT_LE(0, fd);
	n = (struct shmr_notify){ .flags = 1 };
	EXPECT_EQ(-EINVAL, ioctl_err(fd, SHMR_IOC_NOTIFY, &n));
	n = (struct shmr_notify){ .pad = 1 };
	EXPECT_EQ(-EINVAL, ioctl_err(fd, SHMR_IOC_NOTIFY, &n));
	/* seq 1 differs from the current 0: only the bad field can fail it */
	w = (struct shmr_wait){ .seq = 1, .flags = 1 };
	EXPECT_EQ(-EINVAL, ioctl_err(fd, SHMR_IOC_WAIT, &w));
	w = (struct shmr_wait){ .seq = 1, .pad = 1 };
	EXPECT_EQ(-EINVAL, ioctl_err(fd, SHMR_IOC_WAIT, &w));
	ASSERT_EQ(0, shmr_info(fd, &info));
	EXPECT_EQ(0, info.seq);		/* the rejected NOTIFYs did nothing */
	EXPECT_EQ(0, shmr_unlink(name));
	close(fd);
}

TEST(bad_names_einval)
{
	const int n = sizeof(bad_names) / sizeof(bad_names[0]);
	char good[SHMR_NAME_MAX];
	struct shmr_create c;
	struct shmr_attach a;
	struct shmr_unlink u;
	int fd, owner, i;

	owner = new_region(good, "names", 1);
	ASSERT_LE(0, owner);
	fd = shmr_open(O_RDWR);
	ASSERT_LE(0, fd);
	for (i = 0; i < n; i++) {
		memset(&c, 0, sizeof(c));
		memcpy(c.name, bad_names[i].name, SHMR_NAME_MAX);
		c.size = page_size();
		c.mode = 0600;
		EXPECT_EQ(-EINVAL, ioctl_err(fd, SHMR_IOC_CREATE, &c)) {
			TH_LOG("CREATE, name: %s", bad_names[i].what);
		}
		c.flags = SHMR_CREATE_EXCL;
		EXPECT_EQ(-EINVAL, ioctl_err(fd, SHMR_IOC_CREATE, &c)) {
			TH_LOG("CREATE|EXCL, name: %s", bad_names[i].what);
		}
		memset(&a, 0, sizeof(a));
		memcpy(a.name, bad_names[i].name, SHMR_NAME_MAX);
		EXPECT_EQ(-EINVAL, ioctl_err(fd, SHMR_IOC_ATTACH, &a)) {
			TH_LOG("ATTACH, name: %s", bad_names[i].what);
		}
		memset(&u, 0, sizeof(u));
		memcpy(u.name, bad_names[i].name, SHMR_NAME_MAX);
		EXPECT_EQ(-EINVAL, ioctl_err(fd, SHMR_IOC_UNLINK, &u)) {
			TH_LOG("UNLINK, name: %s", bad_names[i].what);
		}
	}
	EXPECT_EQ(0, shmr_unlink(good));
	close(fd);
	close(owner);
}

TEST(name_limits_accepted)
{
	char longest[SHMR_NAME_MAX], spaced[SHMR_NAME_MAX];
	struct shmr_attach a = { 0 };
	struct shmr_create c = { 0 };
	struct shmr_info info;
	int fd, fd2;

	/* 63 bytes, the longest name */
	memset(longest, 'x', sizeof(longest));
	snprintf(longest, sizeof(longest), "kst-%d-", getpid());
	longest[strlen(longest)] = 'x';
	longest[SHMR_NAME_MAX - 1] = '\0';
	ASSERT_EQ(SHMR_NAME_MAX - 1, strlen(longest));
	fd = shmr_new(longest, 1, 0600, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shmr_info(fd, &info));
	EXPECT_STREQ(longest, info.name);
	EXPECT_EQ(0, shmr_unlink(longest));
	close(fd);

	/* spaces and the ends of printable ASCII; bytes after NUL ignored */
	snprintf(spaced, sizeof(spaced), " kst %d ~!\"", getpid());
	memcpy(c.name, spaced, strlen(spaced) + 1);
	memset(c.name + strlen(spaced) + 1, 0xff, SHMR_NAME_MAX - strlen(spaced) - 1);
	c.size = page_size();
	c.mode = 0600;
	c.flags = SHMR_CREATE_EXCL;
	fd = shmr_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl_err(fd, SHMR_IOC_CREATE, &c));
	fd2 = shmr_open(O_RDWR);
	ASSERT_LE(0, fd2);
	memcpy(a.name, spaced, strlen(spaced) + 1);
	memset(a.name + strlen(spaced) + 1, '/', SHMR_NAME_MAX - strlen(spaced) - 1);
	EXPECT_EQ(0, ioctl_err(fd2, SHMR_IOC_ATTACH, &a));
	EXPECT_EQ(0, shmr_unlink(spaced));
	close(fd2);
	close(fd);
}

TEST(zero_and_huge_sizes)
{
	char name[SHMR_NAME_MAX];
	int fd;

	shmr_name(name, "sizes");
	fd = shmr_open(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, shmr_create(fd, name, 0, 0600, SHMR_CREATE_EXCL));
	EXPECT_EQ(-EINVAL, shmr_create(fd, name, 0, 0600, 0));
	/* over the default max_region_bytes (256 MiB) */
	EXPECT_EQ(-E2BIG, shmr_create(fd, name, 1ULL << 30, 0600, 0));
	EXPECT_EQ(-E2BIG, shmr_create(fd, name, 1ULL << 40, 0600, SHMR_CREATE_LAZY));
	/* rounding up to a page must not wrap around to 0 */
	EXPECT_EQ(-E2BIG, shmr_create(fd, name, ~0ULL, 0600, 0));
	EXPECT_EQ(-E2BIG, shmr_create(fd, name, ~0ULL - page_size() + 2, 0600, 0));
	EXPECT_EQ(-ENOENT, shmr_unlink(name));
	close(fd);
}

TEST(size_rounded_up_to_pages)
{
	struct shmr_create c = { .size = page_size() + 1, .mode = 0600,
				 .flags = SHMR_CREATE_EXCL };
	struct shmr_info info;
	int fd;

	shmr_name(c.name, "round");
	fd = shmr_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl_err(fd, SHMR_IOC_CREATE, &c));
	EXPECT_EQ(2 * page_size(), c.size);
	EXPECT_EQ(SHMR_RESULT_CREATED, c.result);
	ASSERT_EQ(0, shmr_info(fd, &info));
	EXPECT_EQ(2 * page_size(), info.size);
	EXPECT_EQ(0, shmr_unlink(c.name));
	close(fd);
}

TEST(bad_mode_bits_einval)
{
	static const uint32_t modes[] = { 0777, 0700, 0001, 0010, 0100, 01000,
					  02000, 04000, 0x80000000 };
	char name[SHMR_NAME_MAX];
	size_t i;
	int fd;

	shmr_name(name, "modes");
	fd = shmr_open(O_RDWR);
	ASSERT_LE(0, fd);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		EXPECT_EQ(-EINVAL, shmr_create(fd, name, page_size(), modes[i],
					       SHMR_CREATE_EXCL)) {
			TH_LOG("mode %o", modes[i]);
		}
	EXPECT_EQ(-ENOENT, shmr_unlink(name));
	/* every subset of 0666 is fine, 0 included */
	EXPECT_EQ(0, shmr_create(fd, name, page_size(), 0, SHMR_CREATE_EXCL));
	EXPECT_EQ(0, shmr_unlink(name));
	close(fd);
}

TEST(unbound_handle_ebadfd)
{
	struct shmr_notify n = { 0 };
	struct shmr_wait w = { .seq = 1 };
	struct shmr_info info;
	uint64_t buf[2];
	void *p;
	int fd;

	fd = shmr_open(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADFD, shmr_info(fd, &info));
	EXPECT_EQ(-EBADFD, ioctl_err(fd, SHMR_IOC_NOTIFY, &n));
	EXPECT_EQ(-EBADFD, ioctl_err(fd, SHMR_IOC_WAIT, &w));
	p = mmap(NULL, page_size(), PROT_READ, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EBADFD, errno);
	p = mmap(NULL, page_size(), PROT_READ, MAP_SHARED, fd, SHMR_CTRL_OFFSET);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EBADFD, errno);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADFD, errno);
	close(fd);
}

TEST(unlink_works_on_unbound_and_other_handles)
{
	char a[SHMR_NAME_MAX], b[SHMR_NAME_MAX];
	int fa, fb, unbound;

	fa = new_region(a, "ul-a", 1);
	ASSERT_LE(0, fa);
	fb = new_region(b, "ul-b", 1);
	ASSERT_LE(0, fb);
	unbound = shmr_open(O_RDWR);
	ASSERT_LE(0, unbound);
	EXPECT_EQ(0, shmr_unlink_fd(unbound, a));
	EXPECT_EQ(-ENOENT, shmr_unlink_fd(unbound, a));
	/* a handle bound to one region may unlink another */
	EXPECT_EQ(0, shmr_unlink_fd(fa, b));
	EXPECT_EQ(-ENOENT, shmr_attach(unbound, b, 0));
	/* unlinking did not bind the handle */
	EXPECT_EQ(0, shmr_create(unbound, a, page_size(), 0600, SHMR_CREATE_EXCL));
	EXPECT_EQ(0, shmr_unlink(a));
	close(unbound);
	close(fb);
	close(fa);
}

TEST(second_bind_ebusy)
{
	char a[SHMR_NAME_MAX], b[SHMR_NAME_MAX];
	struct shmr_info info;
	int fa, fd;

	fa = new_region(a, "busy-a", 1);
	ASSERT_LE(0, fa);
	shmr_name(b, "busy-b");
	EXPECT_EQ(-EBUSY, shmr_create(fa, b, page_size(), 0600, SHMR_CREATE_EXCL));
	EXPECT_EQ(-EBUSY, shmr_create(fa, a, page_size(), 0600, 0));
	EXPECT_EQ(-EBUSY, shmr_attach(fa, a, 0));
	EXPECT_EQ(-ENOENT, shmr_unlink(b));	/* the refused CREATE made nothing */

	fd = shmr_open_attach(a, SHMR_ATTACH_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBUSY, shmr_attach(fd, a, 0));
	EXPECT_EQ(-EBUSY, shmr_create(fd, b, page_size(), 0600, 0));
	ASSERT_EQ(0, shmr_info(fd, &info));
	EXPECT_EQ(SHMR_INFO_RDONLY, info.flags & SHMR_INFO_RDONLY);
	EXPECT_EQ(-ENOENT, shmr_unlink(b));
	EXPECT_EQ(0, shmr_unlink(a));
	close(fd);
	close(fa);
}

TEST(readonly_open_ebadf)
{
	char name[SHMR_NAME_MAX], other[SHMR_NAME_MAX];
	int owner, fd;

	owner = new_region(name, "rdonly-open", 1);
	ASSERT_LE(0, owner);
	shmr_name(other, "rdonly-open-new");
	fd = shmr_open(O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADF, shmr_create(fd, other, page_size(), 0600, SHMR_CREATE_EXCL));
	EXPECT_EQ(-EBADF, shmr_create(fd, name, page_size(), 0600, 0));
	EXPECT_EQ(-EBADF, shmr_attach(fd, name, 0));
	EXPECT_EQ(-ENOENT, shmr_unlink(other));
	EXPECT_EQ(0, shmr_attach(fd, name, SHMR_ATTACH_RDONLY));
	EXPECT_EQ(0, shmr_unlink(name));
	close(fd);
	close(owner);
}

TEST(create_excl_eexist)
{
	char name[SHMR_NAME_MAX];
	int owner, fd;

	owner = new_region(name, "eexist", 1);
	ASSERT_LE(0, owner);
	fd = shmr_open(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EEXIST, shmr_create(fd, name, page_size(), 0600, SHMR_CREATE_EXCL));
	EXPECT_EQ(-EEXIST, shmr_create(fd, name, 64 * page_size(), 0600,
				       SHMR_CREATE_EXCL | SHMR_CREATE_LAZY));
	/* the handle stayed unbound */
	EXPECT_EQ(0, shmr_attach(fd, name, 0));
	EXPECT_EQ(0, shmr_unlink(name));
	close(fd);
	close(owner);
}

TEST(create_without_excl_attaches_when_size_fits)
{
	struct shmr_create c = { .mode = 0644 };
	struct shmr_info info;
	char *p, *q;
	int fd, fd2, fd3;

	shmr_name(c.name, "create-attach");
	c.size = 4 * page_size();
	fd = shmr_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl_err(fd, SHMR_IOC_CREATE, &c));
	EXPECT_EQ(SHMR_RESULT_CREATED, c.result);
	p = shmr_map(fd, 4 * page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p + page_size(), "hello");

	/* smaller and equal sizes attach to the existing region */
	fd2 = shmr_open(O_RDWR);
	ASSERT_LE(0, fd2);
	c.size = 1;
	c.result = 0xdead;
	c.mode = 0600;
	ASSERT_EQ(0, ioctl_err(fd2, SHMR_IOC_CREATE, &c));
	EXPECT_EQ(0, c.result);
	EXPECT_EQ(4 * page_size(), c.size);
	q = shmr_map(fd2, 4 * page_size(), PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_STREQ("hello", q + page_size());
	/* the existing mode is kept, not the one asked for */
	ASSERT_EQ(0, shmr_info(fd2, &info));
	EXPECT_EQ(0644, info.mode);
	EXPECT_EQ(2, info.handles);

	fd3 = shmr_open(O_RDWR);
	ASSERT_LE(0, fd3);
	EXPECT_EQ(0, shmr_create(fd3, c.name, 4 * page_size(), 0600, 0));

	EXPECT_EQ(0, shmr_unlink(c.name));
	munmap(q, 4 * page_size());
	munmap(p, 4 * page_size());
	close(fd3);
	close(fd2);
	close(fd);
}

TEST(create_existing_too_small_einval)
{
	char name[SHMR_NAME_MAX];
	int owner, fd;

	owner = new_region(name, "too-small", 2);
	ASSERT_LE(0, owner);
	fd = shmr_open(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, shmr_create(fd, name, 2 * page_size() + 1, 0600, 0));
	EXPECT_EQ(-EINVAL, shmr_create(fd, name, 3 * page_size(), 0600, 0));
	/* still unbound: it may bind to something else */
	EXPECT_EQ(0, shmr_attach(fd, name, 0));
	EXPECT_EQ(0, shmr_unlink(name));
	close(fd);
	close(owner);
}

TEST(attach_reports_size)
{
	char name[SHMR_NAME_MAX];
	struct shmr_attach a = { .size = 0xdeadbeef };
	int owner, fd;

	owner = new_region(name, "attach-size", 3);
	ASSERT_LE(0, owner);
	set_name(a.name, name);
	fd = shmr_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl_err(fd, SHMR_IOC_ATTACH, &a));
	EXPECT_EQ(3 * page_size(), a.size);
	EXPECT_EQ(0, shmr_unlink(name));
	close(fd);
	close(owner);
}

TEST(absent_name_enoent)
{
	char name[SHMR_NAME_MAX];
	int fd;

	shmr_name(name, "absent");
	fd = shmr_open(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOENT, shmr_attach(fd, name, 0));
	EXPECT_EQ(-ENOENT, shmr_attach(fd, name, SHMR_ATTACH_RDONLY));
	EXPECT_EQ(-ENOENT, shmr_unlink_fd(fd, name));
	close(fd);
}

TEST(unlink_by_non_owner_eperm)
{
	char name[SHMR_NAME_MAX];
	pid_t pid;
	int owner;

	owner = shmr_open(O_RDWR);
	ASSERT_LE(0, owner);
	shmr_name(name, "eperm");
	/* even a region everyone may write belongs to its owner alone */
	ASSERT_EQ(0, shmr_create(owner, name, page_size(), 0666, SHMR_CREATE_EXCL));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		CHILD_REQUIRE(become(UID_NOBODY, GID_NOBODY) == 0);
		fd = shmr_open(O_RDWR);
		CHILD_REQUIRE(fd >= 0);
		CHILD_REQUIRE(shmr_attach(fd, name, 0) == 0);
		CHILD_REQUIRE(shmr_unlink_fd(fd, name) == -EPERM);
		CHILD_REQUIRE(shmr_unlink(name) == -EPERM);
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, shmr_unlink(name));
	close(owner);
}

TEST(cap_ipc_owner_unlinks_any_region)
{
	char name[SHMR_NAME_MAX];
	struct shmr_info info;
	int sk[2], fd;
	pid_t pid;

	shmr_name(name, "cap-owner");
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sk));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(sk[0]);
		CHILD_REQUIRE(become(UID_NOBODY, GID_NOBODY) == 0);
		fd = shmr_new(name, page_size(), 0600, 0);
		CHILD_REQUIRE(fd >= 0);
		CHILD_REQUIRE(send_byte(sk[1], 'c') == 0);
		CHILD_REQUIRE(recv_byte(sk[1]) == 'u');
		_exit(0);
	}
	close(sk[1]);
	ASSERT_EQ('c', recv_byte(sk[0]));
	fd = shmr_open_attach(name, SHMR_ATTACH_RDONLY);	/* root: allowed */
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shmr_info(fd, &info));
	EXPECT_EQ(UID_NOBODY, info.uid);
	EXPECT_EQ(GID_NOBODY, info.gid);
	EXPECT_EQ(0, shmr_unlink(name));
	EXPECT_EQ(0, send_byte(sk[0], 'u'));
	EXPECT_EQ(0, reap(pid));
	close(fd);
	close(sk[0]);
}

TEST(info_fields)
{
	struct shmr_info info;
	char name[SHMR_NAME_MAX];
	size_t i;
	void *p;
	int fd, ro;

	shmr_name(name, "info");
	fd = shmr_new(name, 3 * page_size(), 0640, SHMR_CREATE_LAZY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shmr_info(fd, &info));
	EXPECT_STREQ(name, info.name);
	for (i = strlen(name); i < SHMR_NAME_MAX; i++)
		EXPECT_EQ(0, info.name[i]);
	EXPECT_EQ(3 * page_size(), info.size);
	EXPECT_EQ(0, info.seq);
	EXPECT_EQ(geteuid(), info.uid);
	EXPECT_EQ(getegid(), info.gid);
	EXPECT_EQ(0640, info.mode);
	EXPECT_EQ(SHMR_CREATE_LAZY, info.flags);
	EXPECT_EQ(1, info.handles);
	EXPECT_EQ(0, info.mappings);
	EXPECT_EQ(0, info.reserved[0]);
	EXPECT_EQ(0, info.reserved[1]);

	/* a second, read-only handle and a mapping */
	ro = shmr_open_attach(name, SHMR_ATTACH_RDONLY);
	ASSERT_LE(0, ro);
	p = shmr_map(fd, page_size(), PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, shmr_notify(fd, NULL));
	ASSERT_EQ(0, shmr_info(ro, &info));
	EXPECT_EQ(1, info.seq);
	EXPECT_EQ(2, info.handles);
	EXPECT_EQ(1, info.mappings);
	EXPECT_EQ(SHMR_CREATE_LAZY | SHMR_INFO_RDONLY, info.flags);

	EXPECT_EQ(0, shmr_unlink(name));
	ASSERT_EQ(0, shmr_info(fd, &info));
	EXPECT_EQ(SHMR_CREATE_LAZY | SHMR_INFO_UNLINKED, info.flags);
	close(ro);
	ASSERT_EQ(0, shmr_info(fd, &info));
	EXPECT_EQ(1, info.handles);
	munmap(p, page_size());
	ASSERT_EQ(0, shmr_info(fd, &info));
	EXPECT_EQ(0, info.mappings);
	close(fd);
}

TEST(info_transient_flag)
{
	struct shmr_info info;
	char name[SHMR_NAME_MAX];
	int fd;

	shmr_name(name, "info-transient");
	fd = shmr_new(name, page_size(), 0600, SHMR_CREATE_TRANSIENT);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shmr_info(fd, &info));
	EXPECT_EQ(SHMR_CREATE_TRANSIENT, info.flags);
	close(fd);
	EXPECT_EQ(-ENOENT, shmr_unlink(name));
}

TEST(bad_pointers_efault)
{
	void *bad = (void *)(uintptr_t)8;
	char name[SHMR_NAME_MAX];
	int fd, unbound;

	fd = new_region(name, "efault", 1);
	ASSERT_LE(0, fd);
	unbound = shmr_open(O_RDWR);
	ASSERT_LE(0, unbound);
	EXPECT_EQ(-EFAULT, ioctl_err(unbound, SHMR_IOC_CREATE, bad));
	EXPECT_EQ(-EFAULT, ioctl_err(unbound, SHMR_IOC_ATTACH, bad));
	EXPECT_EQ(-EFAULT, ioctl_err(unbound, SHMR_IOC_UNLINK, bad));
	EXPECT_EQ(-EFAULT, ioctl_err(fd, SHMR_IOC_INFO, bad));
	EXPECT_EQ(-EFAULT, ioctl_err(fd, SHMR_IOC_NOTIFY, bad));
	EXPECT_EQ(-EFAULT, ioctl_err(fd, SHMR_IOC_WAIT, bad));
	/* news to read, so read() copies out rather than blocking */
	ASSERT_EQ(0, shmr_notify(fd, NULL));
	EXPECT_EQ(-1, syscall(__NR_read, fd, bad, 8));
	EXPECT_EQ(EFAULT, errno);
	/* the handle is still unbound after the faulting CREATE/ATTACH */
	EXPECT_EQ(0, shmr_attach(unbound, name, 0));
	EXPECT_EQ(0, shmr_unlink(name));
	close(unbound);
	close(fd);
}

TEST(create_excl_race_has_one_winner)
{
	char name[SHMR_NAME_MAX];
	int go[2], i, winners = 0, ret;
	pid_t pids[8];

	shmr_name(name, "race");
	ASSERT_EQ(0, pipe(go));
	for (i = 0; i < 8; i++) {
		pids[i] = fork_child();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			int fd = shmr_open(O_RDWR);
			char c;

			CHILD_REQUIRE(fd >= 0);
			close(go[1]);
			CHILD_REQUIRE(read(go[0], &c, 1) == 0);	/* all start at once */
			ret = shmr_create(fd, name, page_size(), 0600, SHMR_CREATE_EXCL);
			CHILD_REQUIRE(ret == 0 || ret == -EEXIST);
			_exit(ret == 0 ? 0 : 2);
		}
	}
	close(go[1]);	/* go */
	for (i = 0; i < 8; i++) {
		ret = reap(pids[i]);
		EXPECT_TRUE(ret == 0 || ret == 2);
		winners += ret == 0;
	}
	EXPECT_EQ(1, winners);
	EXPECT_EQ(0, shmr_unlink(name));
	close(go[0]);
}

TEST(unlinked_name_can_be_reused)
{
	char name[SHMR_NAME_MAX];
	char *p, *q;
	int old, new;

	old = new_region(name, "reuse", 1);
	ASSERT_LE(0, old);
	p = shmr_map(old, page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "old");
	ASSERT_EQ(0, shmr_unlink(name));
	new = shmr_new(name, page_size(), 0600, 0);
	ASSERT_LE(0, new);
	q = shmr_map(new, page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0, q[0]);		/* a new, zeroed region */
	strcpy(q, "new");
	EXPECT_STREQ("old", p);
	EXPECT_EQ(0, shmr_unlink(name));
	munmap(q, page_size());
	munmap(p, page_size());
	close(new);
	close(old);
}

TEST(proc_listing)
{
	char name[SHMR_NAME_MAX], buf[65536], line[256], *l, *save;
	unsigned long long size, seq;
	unsigned int uid, gid, mode, handles, mappings, flags;
	char mode_s[16], flags_s[16];
	struct stat st;
	int fd, found = 0, n;
	void *p;

	snprintf(name, sizeof(name), "kst %d listed name", getpid());
	fd = shmr_new(name, 3 * page_size(), 0640, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shmr_notify(fd, NULL));
	ASSERT_EQ(0, shmr_notify(fd, NULL));
	p = shmr_map(fd, page_size(), PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);

	ASSERT_EQ(0, stat(SHMR_PROC_LIST, &st));
	EXPECT_EQ(0444, st.st_mode & 07777);
	ASSERT_EQ(0, read_all(SHMR_PROC_LIST, buf, sizeof(buf)));
	l = strtok_r(buf, "\n", &save);
	ASSERT_NE(NULL, l);
	EXPECT_STREQ("size seq uid gid mode handles mappings flags name", l);
	while ((l = strtok_r(NULL, "\n", &save))) {
		if (sscanf(l, "%llu %llu %u %u %15s %u %u %15s %n", &size, &seq,
			   &uid, &gid, mode_s, &handles, &mappings, flags_s,
			   &n) != 8) {
			TH_LOG("bad line: %s", l);
			EXPECT_TRUE(0);
			continue;
		}
		snprintf(line, sizeof(line), "%s", l + n);
		if (strcmp(line, name))
			continue;
		found++;
		mode = strtoul(mode_s, NULL, 8);
		flags = strtoul(flags_s, NULL, 16);
		EXPECT_EQ(3 * page_size(), size);
		EXPECT_EQ(2, seq);
		EXPECT_EQ(geteuid(), uid);
		EXPECT_EQ(getegid(), gid);
		EXPECT_STREQ("0640", mode_s);
		EXPECT_EQ(0640, mode);
		EXPECT_EQ(1, handles);
		EXPECT_EQ(1, mappings);
		EXPECT_STREQ("0x0", flags_s);
		EXPECT_EQ(0, flags);
	}
	EXPECT_EQ(1, found);

	/* only named regions are listed */
	ASSERT_EQ(0, shmr_unlink(name));
	ASSERT_EQ(0, read_all(SHMR_PROC_LIST, buf, sizeof(buf)));
	EXPECT_EQ(NULL, strstr(buf, name));
	munmap(p, page_size());
	close(fd);
}

/* --- limits set through the module parameters ----------------------- */

FIXTURE(params) {
	char saved[3][64];
	char name[2][SHMR_NAME_MAX];
	int fd[2];
};

static const char *const param_paths[3] = {
	SHMR_PARAM_DIR "/max_region_bytes",
	SHMR_PARAM_DIR "/max_total_bytes",
	SHMR_PARAM_DIR "/max_regions",
};

FIXTURE_SETUP(params)
{
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, read_file(param_paths[i], self->saved[i],
				       sizeof(self->saved[i])));
	shmr_name(self->name[0], "param-0");
	shmr_name(self->name[1], "param-1");
	self->fd[0] = self->fd[1] = -1;
}

FIXTURE_TEARDOWN(params)
{
	int i;

	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, write_file(param_paths[i], self->saved[i]));
	for (i = 0; i < 2; i++) {
		if (self->fd[i] >= 0)
			close(self->fd[i]);
		shmr_unlink(self->name[i]);
	}
}

TEST_F(params, max_region_bytes_e2big)
{
	ASSERT_EQ(0, write_u64(param_paths[0], 4 * page_size()));
	self->fd[0] = shmr_open(O_RDWR);
	ASSERT_LE(0, self->fd[0]);
	EXPECT_EQ(-E2BIG, shmr_create(self->fd[0], self->name[0],
				      4 * page_size() + 1, 0600, 0));
	EXPECT_EQ(-E2BIG, shmr_create(self->fd[0], self->name[0],
				      5 * page_size(), 0600, SHMR_CREATE_LAZY));
	EXPECT_EQ(0, shmr_create(self->fd[0], self->name[0],
				 4 * page_size(), 0600, 0));
}

TEST_F(params, max_regions_enospc)
{
	uint64_t live = nr_regions();

	ASSERT_NE(~0ULL, live);
	ASSERT_EQ(0, write_u64(param_paths[2], live + 1));
	self->fd[0] = shmr_new(self->name[0], page_size(), 0600, 0);
	ASSERT_LE(0, self->fd[0]);
	EXPECT_EQ(-ENOSPC, shmr_new(self->name[1], page_size(), 0600, 0));
	EXPECT_EQ(-ENOSPC, shmr_new(self->name[1], page_size(), 0600,
				    SHMR_CREATE_LAZY | SHMR_CREATE_TRANSIENT));
	/* unlinked and unused, the first region gives its slot back */
	ASSERT_EQ(0, shmr_unlink(self->name[0]));
	close(self->fd[0]);
	self->fd[0] = -1;
	self->fd[1] = shmr_new(self->name[1], page_size(), 0600, 0);
	EXPECT_LE(0, self->fd[1]);
}

TEST_F(params, max_total_bytes_enospc)
{
	uint64_t bytes = nr_bytes();

	ASSERT_NE(~0ULL, bytes);
	ASSERT_EQ(0, write_u64(param_paths[1], bytes + 3 * page_size()));
	self->fd[0] = shmr_new(self->name[0], 2 * page_size(), 0600, 0);
	ASSERT_LE(0, self->fd[0]);
	EXPECT_EQ(-ENOSPC, shmr_new(self->name[1], 2 * page_size(), 0600, 0));
	EXPECT_EQ(-ENOSPC, shmr_new(self->name[1], 2 * page_size(), 0600,
				    SHMR_CREATE_LAZY));
	self->fd[1] = shmr_new(self->name[1], page_size(), 0600, 0);
	EXPECT_LE(0, self->fd[1]);
}

TEST_HARNESS_MAIN
