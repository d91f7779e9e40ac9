// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl ABI of /dev/shmregion, one errno at a time (docs/abi.md):
 * unknown ioctls, flags, pad and reserved words; names, sizes and modes;
 * unbound and doubly-bound handles; EBADF, EEXIST, ENOENT, EPERM,
 * EFAULT; CREATE attaching to an existing region; the INFO fields; the
 * old ioctl magic 0xB8 gone; E2BIG and ENOSPC from the module parameters
 * (lowered for the test, restored afterwards). LIST: list_test.c.
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
	SHMR_IOC_INFO, SHMR_IOC_NOTIFY, SHMR_IOC_WAIT, SHMR_IOC_LIST,
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
static int fresh_region(char name[SHMR_NAME_MAX], const char *tag, int pages)
{
	test_name(name, tag);
	return create_region(name, pages * page_size(), 0600, 0);
}

TEST(unknown_ioctls_enotty)
{
	char buf[512] = { 0 }, name[SHMR_NAME_MAX];
	int fd, bound, i;

	REQUIRE_DEVICE();
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	bound = fresh_region(name, "enotty", 1);
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
	EXPECT_EQ(0, unlink_name(name));
	close(bound);
	close(fd);
}

TEST(create_rejects_flags_pad_reserved)
{
	struct shmr_create c;
	char name[SHMR_NAME_MAX];
	int fd, i;

	REQUIRE_DEVICE();
	test_name(name, "create-bad");
	fd = dev_open(O_RDWR);
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
	EXPECT_EQ(-ENOENT, unlink_name(name));
	EXPECT_EQ(0, ioc_create(fd, name, page_size(), 0600, SHMR_CREATE_EXCL));
	EXPECT_EQ(0, unlink_name(name));
	close(fd);
}

TEST(attach_rejects_flags_pad_reserved)
{
	char name[SHMR_NAME_MAX];
	struct shmr_attach a;
	int owner, fd, i;

	REQUIRE_DEVICE();
	owner = fresh_region(name, "attach-bad", 1);
	ASSERT_LE(0, owner);
	fd = dev_open(O_RDWR);
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
	EXPECT_EQ(0, ioc_attach(fd, name, 0));
	EXPECT_EQ(0, unlink_name(name));
	close(fd);
	close(owner);
}

TEST(unlink_rejects_flags_pad_reserved)
{
	char name[SHMR_NAME_MAX];
	struct shmr_unlink u;
	int owner, i;

	REQUIRE_DEVICE();
	owner = fresh_region(name, "unlink-bad", 1);
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
	EXPECT_EQ(0, unlink_name(name));	/* still there */
	close(owner);
}

TEST(notify_wait_reject_flags_pad)
{
	char name[SHMR_NAME_MAX];
	struct shmr_notify n;
	struct shmr_wait w;
	struct shmr_info info;
	int fd;

	REQUIRE_DEVICE();
	fd = fresh_region(name, "nw-bad", 1);
	ASSERT_LE(0, fd);
	n = (struct shmr_notify){ .flags = 2 };		/* unknown */
	EXPECT_EQ(-EINVAL, ioctl_err(fd, SHMR_IOC_NOTIFY, &n));
	n = (struct shmr_notify){ .flags = SHMR_NOTIFY_WAKE | 2 };
	EXPECT_EQ(-EINVAL, ioctl_err(fd, SHMR_IOC_NOTIFY, &n));
	n = (struct shmr_notify){ .pad = 1 };
	EXPECT_EQ(-EINVAL, ioctl_err(fd, SHMR_IOC_NOTIFY, &n));
	/* seq 1 differs from the current 0: only the bad field can fail it */
	w = (struct shmr_wait){ .seq = 1, .flags = 1 };
	EXPECT_EQ(-EINVAL, ioctl_err(fd, SHMR_IOC_WAIT, &w));
	w = (struct shmr_wait){ .seq = 1, .pad = 1 };
	EXPECT_EQ(-EINVAL, ioctl_err(fd, SHMR_IOC_WAIT, &w));
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_EQ(0, info.seq);		/* the rejected NOTIFYs did nothing */
	EXPECT_EQ(0, unlink_name(name));
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

	REQUIRE_DEVICE();
	owner = fresh_region(good, "names", 1);
	ASSERT_LE(0, owner);
	fd = dev_open(O_RDWR);
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
	EXPECT_EQ(0, unlink_name(good));
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

	REQUIRE_DEVICE();
	/* 63 bytes, the longest name */
	memset(longest, 'x', sizeof(longest));
	snprintf(longest, sizeof(longest), "kst-%d-", getpid());
	longest[strlen(longest)] = 'x';
	longest[SHMR_NAME_MAX - 1] = '\0';
	ASSERT_EQ(SHMR_NAME_MAX - 1, strlen(longest));
	fd = create_region(longest, 1, 0600, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_STREQ(longest, info.name);
	EXPECT_EQ(0, unlink_name(longest));
	close(fd);

	/* spaces and the ends of printable ASCII; bytes after NUL ignored */
	snprintf(spaced, sizeof(spaced), " kst %d ~!\"", getpid());
	memcpy(c.name, spaced, strlen(spaced) + 1);
	memset(c.name + strlen(spaced) + 1, 0xff, SHMR_NAME_MAX - strlen(spaced) - 1);
	c.size = page_size();
	c.mode = 0600;
	c.flags = SHMR_CREATE_EXCL;
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl_err(fd, SHMR_IOC_CREATE, &c));
	fd2 = dev_open(O_RDWR);
	ASSERT_LE(0, fd2);
	memcpy(a.name, spaced, strlen(spaced) + 1);
	memset(a.name + strlen(spaced) + 1, '/', SHMR_NAME_MAX - strlen(spaced) - 1);
	EXPECT_EQ(0, ioctl_err(fd2, SHMR_IOC_ATTACH, &a));
	EXPECT_EQ(0, unlink_name(spaced));
	close(fd2);
	close(fd);
}

TEST(zero_and_huge_sizes)
{
	char name[SHMR_NAME_MAX];
	int fd;

	REQUIRE_DEVICE();
	test_name(name, "sizes");
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, ioc_create(fd, name, 0, 0600, SHMR_CREATE_EXCL));
	EXPECT_EQ(-EINVAL, ioc_create(fd, name, 0, 0600, 0));
	/* over the default max_region_bytes (256 MiB) */
	EXPECT_EQ(-E2BIG, ioc_create(fd, name, 1ULL << 30, 0600, 0));
	EXPECT_EQ(-E2BIG, ioc_create(fd, name, 1ULL << 40, 0600, SHMR_CREATE_LAZY));
	/* rounding up to a page must not wrap around to 0 */
	EXPECT_EQ(-E2BIG, ioc_create(fd, name, ~0ULL, 0600, 0));
	EXPECT_EQ(-E2BIG, ioc_create(fd, name, ~0ULL - page_size() + 2, 0600, 0));
	EXPECT_EQ(-ENOENT, unlink_name(name));
	close(fd);
}

TEST(size_rounded_up_to_pages)
{
	struct shmr_create c = { .size = page_size() + 1, .mode = 0600,
				 .flags = SHMR_CREATE_EXCL };
	struct shmr_info info;
	int fd;

	REQUIRE_DEVICE();
	test_name(c.name, "round");
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl_err(fd, SHMR_IOC_CREATE, &c));
	EXPECT_EQ(2 * page_size(), c.size);
	EXPECT_EQ(SHMR_RESULT_CREATED, c.result);
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_EQ(2 * page_size(), info.size);
	EXPECT_EQ(0, unlink_name(c.name));
	close(fd);
}

TEST(bad_mode_bits_einval)
{
	static const uint32_t modes[] = { 0777, 0700, 0001, 0010, 0100, 01000,
					  02000, 04000, 0x80000000 };
	char name[SHMR_NAME_MAX];
	size_t i;
	int fd;

	REQUIRE_DEVICE();
	test_name(name, "modes");
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		EXPECT_EQ(-EINVAL, ioc_create(fd, name, page_size(), modes[i],
					       SHMR_CREATE_EXCL)) {
			TH_LOG("mode %o", modes[i]);
		}
	EXPECT_EQ(-ENOENT, unlink_name(name));
	/* every subset of 0666 is fine, 0 included */
	EXPECT_EQ(0, ioc_create(fd, name, page_size(), 0, SHMR_CREATE_EXCL));
	EXPECT_EQ(0, unlink_name(name));
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

	REQUIRE_DEVICE();
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADFD, ioc_info(fd, &info));
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

	REQUIRE_DEVICE();
	fa = fresh_region(a, "ul-a", 1);
	ASSERT_LE(0, fa);
	fb = fresh_region(b, "ul-b", 1);
	ASSERT_LE(0, fb);
	unbound = dev_open(O_RDWR);
	ASSERT_LE(0, unbound);
	EXPECT_EQ(0, ioc_unlink(unbound, a));
	EXPECT_EQ(-ENOENT, ioc_unlink(unbound, a));
	/* a handle bound to one region may unlink another */
	EXPECT_EQ(0, ioc_unlink(fa, b));
	EXPECT_EQ(-ENOENT, ioc_attach(unbound, b, 0));
	/* unlinking did not bind the handle */
	EXPECT_EQ(0, ioc_create(unbound, a, page_size(), 0600, SHMR_CREATE_EXCL));
	EXPECT_EQ(0, unlink_name(a));
	close(unbound);
	close(fb);
	close(fa);
}

/* SHMR_IOC_UNLINK with SHMR_UNLINK_BOUND: this handle's own region. */
static int unlink_bound(int fd, const char *name, uint32_t flags)
{
	struct shmr_unlink u = { .flags = flags };

	if (name)
		snprintf(u.name, sizeof(u.name), "%s", name);
	return ioctl(fd, SHMR_IOC_UNLINK, &u) ? -errno : 0;
}

TEST(unlink_bound_removes_the_handles_own_region)
{
	char a[SHMR_NAME_MAX];
	struct shmr_info info;
	int fa, fa2, fb;

	REQUIRE_DEVICE();
	fa = fresh_region(a, "ulb-a", 1);
	ASSERT_LE(0, fa);
	EXPECT_EQ(0, unlink_bound(fa, NULL, SHMR_UNLINK_BOUND));
	EXPECT_EQ(-ENOENT, attach_region(a, 0));
	ASSERT_EQ(0, ioc_info(fa, &info));
	EXPECT_NE(0, info.flags & SHMR_INFO_UNLINKED);
	EXPECT_EQ(-ENOENT, unlink_bound(fa, NULL, SHMR_UNLINK_BOUND));
	/* a new region of that name is not the old handle's */
	fa2 = create_region(a, page_size(), 0600, SHMR_CREATE_EXCL);
	ASSERT_LE(0, fa2);
	EXPECT_EQ(-ENOENT, unlink_bound(fa, NULL, SHMR_UNLINK_BOUND));
	fb = attach_region(a, SHMR_ATTACH_RDONLY);
	ASSERT_LE(0, fb);
	/* the owner's read-only handle may */
	EXPECT_EQ(0, unlink_bound(fb, NULL, SHMR_UNLINK_BOUND));
	EXPECT_EQ(-ENOENT, unlink_name(a));
	close(fb);
	close(fa2);
	close(fa);
}

TEST(unlink_bound_errors)
{
	char a[SHMR_NAME_MAX];
	int fa, unbound;

	REQUIRE_DEVICE();
	fa = fresh_region(a, "ulb-e", 1);
	ASSERT_LE(0, fa);
	unbound = dev_open(O_RDWR);
	ASSERT_LE(0, unbound);
	EXPECT_EQ(-EBADFD, unlink_bound(unbound, NULL, SHMR_UNLINK_BOUND));
	/* no name may come with it, not even the region's own */
	EXPECT_EQ(-EINVAL, unlink_bound(fa, a, SHMR_UNLINK_BOUND));
	EXPECT_EQ(-EINVAL, unlink_bound(fa, NULL, SHMR_UNLINK_BOUND | 2));
	EXPECT_EQ(-EINVAL, unlink_bound(fa, a, 2));
	EXPECT_EQ(-EINVAL, unlink_bound(unbound, a, 1U << 31));
	/* none of it removed the name */
	EXPECT_EQ(0, unlink_name(a));
	close(unbound);
	close(fa);
}

TEST(second_bind_ebusy)
{
	char a[SHMR_NAME_MAX], b[SHMR_NAME_MAX];
	struct shmr_info info;
	int fa, fd;

	REQUIRE_DEVICE();
	fa = fresh_region(a, "busy-a", 1);
	ASSERT_LE(0, fa);
	test_name(b, "busy-b");
	EXPECT_EQ(-EBUSY, ioc_create(fa, b, page_size(), 0600, SHMR_CREATE_EXCL));
	EXPECT_EQ(-EBUSY, ioc_create(fa, a, page_size(), 0600, 0));
	EXPECT_EQ(-EBUSY, ioc_attach(fa, a, 0));
	EXPECT_EQ(-ENOENT, unlink_name(b));	/* the refused CREATE made nothing */

	fd = attach_region(a, SHMR_ATTACH_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBUSY, ioc_attach(fd, a, 0));
	EXPECT_EQ(-EBUSY, ioc_create(fd, b, page_size(), 0600, 0));
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_EQ(SHMR_INFO_RDONLY, info.flags & SHMR_INFO_RDONLY);
	EXPECT_EQ(-ENOENT, unlink_name(b));
	EXPECT_EQ(0, unlink_name(a));
	close(fd);
	close(fa);
}

TEST(readonly_open_ebadf)
{
	char name[SHMR_NAME_MAX], other[SHMR_NAME_MAX];
	int owner, fd;

	REQUIRE_DEVICE();
	owner = fresh_region(name, "rdonly-open", 1);
	ASSERT_LE(0, owner);
	test_name(other, "rdonly-open-new");
	fd = dev_open(O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADF, ioc_create(fd, other, page_size(), 0600, SHMR_CREATE_EXCL));
	EXPECT_EQ(-EBADF, ioc_create(fd, name, page_size(), 0600, 0));
	EXPECT_EQ(-EBADF, ioc_attach(fd, name, 0));
	EXPECT_EQ(-ENOENT, unlink_name(other));
	EXPECT_EQ(0, ioc_attach(fd, name, SHMR_ATTACH_RDONLY));
	EXPECT_EQ(0, unlink_name(name));
	close(fd);
	close(owner);
}

TEST(create_excl_eexist)
{
	char name[SHMR_NAME_MAX];
	int owner, fd;

	REQUIRE_DEVICE();
	owner = fresh_region(name, "eexist", 1);
	ASSERT_LE(0, owner);
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EEXIST, ioc_create(fd, name, page_size(), 0600, SHMR_CREATE_EXCL));
	EXPECT_EQ(-EEXIST, ioc_create(fd, name, 64 * page_size(), 0600,
				       SHMR_CREATE_EXCL | SHMR_CREATE_LAZY));
	/* the handle stayed unbound */
	EXPECT_EQ(0, ioc_attach(fd, name, 0));
	EXPECT_EQ(0, unlink_name(name));
	close(fd);
	close(owner);
}

TEST(create_without_excl_attaches_when_size_fits)
{
	struct shmr_create c = { .mode = 0644 };
	struct shmr_info info;
	char *p, *q;
	int fd, fd2, fd3;

	REQUIRE_DEVICE();
	test_name(c.name, "create-attach");
	c.size = 4 * page_size();
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl_err(fd, SHMR_IOC_CREATE, &c));
	EXPECT_EQ(SHMR_RESULT_CREATED, c.result);
	p = map_region(fd, 4 * page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p + page_size(), "hello");

	/* smaller and equal sizes attach to the existing region */
	fd2 = dev_open(O_RDWR);
	ASSERT_LE(0, fd2);
	c.size = 1;
	c.result = 0xdead;
	c.mode = 0600;
	ASSERT_EQ(0, ioctl_err(fd2, SHMR_IOC_CREATE, &c));
	EXPECT_EQ(0, c.result);
	EXPECT_EQ(4 * page_size(), c.size);
	q = map_region(fd2, 4 * page_size(), PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_STREQ("hello", q + page_size());
	/* the existing mode is kept, not the one asked for */
	ASSERT_EQ(0, ioc_info(fd2, &info));
	EXPECT_EQ(0644, info.mode);
	EXPECT_EQ(2, info.handles);

	fd3 = dev_open(O_RDWR);
	ASSERT_LE(0, fd3);
	EXPECT_EQ(0, ioc_create(fd3, c.name, 4 * page_size(), 0600, 0));

	EXPECT_EQ(0, unlink_name(c.name));
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

	REQUIRE_DEVICE();
	owner = fresh_region(name, "too-small", 2);
	ASSERT_LE(0, owner);
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, ioc_create(fd, name, 2 * page_size() + 1, 0600, 0));
	EXPECT_EQ(-EINVAL, ioc_create(fd, name, 3 * page_size(), 0600, 0));
	/* still unbound: it may bind to something else */
	EXPECT_EQ(0, ioc_attach(fd, name, 0));
	EXPECT_EQ(0, unlink_name(name));
	close(fd);
	close(owner);
}

TEST(attach_reports_size)
{
	char name[SHMR_NAME_MAX];
	struct shmr_attach a = { .size = 0xdeadbeef };
	int owner, fd;

	REQUIRE_DEVICE();
	owner = fresh_region(name, "attach-size", 3);
	ASSERT_LE(0, owner);
	set_name(a.name, name);
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl_err(fd, SHMR_IOC_ATTACH, &a));
	EXPECT_EQ(3 * page_size(), a.size);
	EXPECT_EQ(0, unlink_name(name));
	close(fd);
	close(owner);
}

TEST(absent_name_enoent)
{
	char name[SHMR_NAME_MAX];
	int fd;

	REQUIRE_DEVICE();
	test_name(name, "absent");
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOENT, ioc_attach(fd, name, 0));
	EXPECT_EQ(-ENOENT, ioc_attach(fd, name, SHMR_ATTACH_RDONLY));
	EXPECT_EQ(-ENOENT, ioc_unlink(fd, name));
	close(fd);
}

TEST(unlink_by_non_owner_eperm)
{
	char name[SHMR_NAME_MAX];
	pid_t pid;
	int owner;

	REQUIRE_DEVICE();
	owner = dev_open(O_RDWR);
	ASSERT_LE(0, owner);
	test_name(name, "eperm");
	/* even a region everyone may write belongs to its owner alone */
	ASSERT_EQ(0, ioc_create(owner, name, page_size(), 0666, SHMR_CREATE_EXCL));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		CHILD_REQUIRE(become(UID_NOBODY, GID_NOBODY) == 0);
		fd = dev_open(O_RDWR);
		CHILD_REQUIRE(fd >= 0);
		CHILD_REQUIRE(ioc_attach(fd, name, 0) == 0);
		CHILD_REQUIRE(ioc_unlink(fd, name) == -EPERM);
		CHILD_REQUIRE(unlink_name(name) == -EPERM);
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, unlink_name(name));
	close(owner);
}

TEST(cap_ipc_owner_unlinks_any_region)
{
	char name[SHMR_NAME_MAX];
	struct shmr_info info;
	int sk[2], fd;
	pid_t pid;

	REQUIRE_DEVICE();
	test_name(name, "cap-owner");
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sk));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(sk[0]);
		CHILD_REQUIRE(become(UID_NOBODY, GID_NOBODY) == 0);
		fd = create_region(name, page_size(), 0600, 0);
		CHILD_REQUIRE(fd >= 0);
		CHILD_REQUIRE(send_byte(sk[1], 'c') == 0);
		CHILD_REQUIRE(recv_byte(sk[1]) == 'u');
		_exit(0);
	}
	close(sk[1]);
	ASSERT_EQ('c', recv_byte(sk[0]));
	fd = attach_region(name, SHMR_ATTACH_RDONLY);	/* root: allowed */
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_EQ(UID_NOBODY, info.uid);
	EXPECT_EQ(GID_NOBODY, info.gid);
	EXPECT_EQ(0, unlink_name(name));
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

	REQUIRE_DEVICE();
	test_name(name, "info");
	fd = create_region(name, 3 * page_size(), 0640, SHMR_CREATE_LAZY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioc_info(fd, &info));
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
	EXPECT_EQ(ns_inode("ipc"), info.ipc_ns);
	EXPECT_EQ(0, info.reserved);

	/* a second, read-only handle and a mapping */
	ro = attach_region(name, SHMR_ATTACH_RDONLY);
	ASSERT_LE(0, ro);
	p = map_region(fd, page_size(), PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, ioc_notify(fd, NULL));
	ASSERT_EQ(0, ioc_info(ro, &info));
	EXPECT_EQ(1, info.seq);
	EXPECT_EQ(2, info.handles);
	EXPECT_EQ(1, info.mappings);
	EXPECT_EQ(SHMR_CREATE_LAZY | SHMR_INFO_RDONLY, info.flags);

	EXPECT_EQ(0, unlink_name(name));
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_EQ(SHMR_CREATE_LAZY | SHMR_INFO_UNLINKED, info.flags);
	close(ro);
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_EQ(1, info.handles);
	munmap(p, page_size());
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_EQ(0, info.mappings);
	close(fd);
}

TEST(info_transient_flag)
{
	struct shmr_info info;
	char name[SHMR_NAME_MAX];
	int fd;

	REQUIRE_DEVICE();
	test_name(name, "info-transient");
	fd = create_region(name, page_size(), 0600, SHMR_CREATE_TRANSIENT);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_EQ(SHMR_CREATE_TRANSIENT, info.flags);
	close(fd);
	EXPECT_EQ(-ENOENT, unlink_name(name));
}

TEST(bad_pointers_efault)
{
	void *bad = (void *)(uintptr_t)8;
	char name[SHMR_NAME_MAX];
	int fd, unbound;

	REQUIRE_DEVICE();
	fd = fresh_region(name, "efault", 1);
	ASSERT_LE(0, fd);
	unbound = dev_open(O_RDWR);
	ASSERT_LE(0, unbound);
	EXPECT_EQ(-EFAULT, ioctl_err(unbound, SHMR_IOC_CREATE, bad));
	EXPECT_EQ(-EFAULT, ioctl_err(unbound, SHMR_IOC_ATTACH, bad));
	EXPECT_EQ(-EFAULT, ioctl_err(unbound, SHMR_IOC_UNLINK, bad));
	EXPECT_EQ(-EFAULT, ioctl_err(fd, SHMR_IOC_INFO, bad));
	EXPECT_EQ(-EFAULT, ioctl_err(fd, SHMR_IOC_NOTIFY, bad));
	EXPECT_EQ(-EFAULT, ioctl_err(fd, SHMR_IOC_WAIT, bad));
	/* news to read, so read() copies out rather than blocking */
	ASSERT_EQ(0, ioc_notify(fd, NULL));
	EXPECT_EQ(-1, syscall(__NR_read, fd, bad, 8));
	EXPECT_EQ(EFAULT, errno);
	/* the handle is still unbound after the faulting CREATE/ATTACH */
	EXPECT_EQ(0, ioc_attach(unbound, name, 0));
	EXPECT_EQ(0, unlink_name(name));
	close(unbound);
	close(fd);
}

/*
 * NOTIFY reads its argument before the increment and writes seq back
 * after it (docs/abi.md). On a page it may read but not write, the
 * notification happens and the call still fails with EFAULT; with
 * SHMR_NOTIFY_WAKE nothing is bumped either way; an argument that runs
 * off its mapping, or is a kernel address, is never read: nothing
 * happens.
 */
TEST(notify_efault_reading_and_writing_back)
{
	void *kernel = (void *)~(uintptr_t)0xfff;
	char name[SHMR_NAME_MAX];
	struct shmr_notify *ro;
	struct shmr_info info;
	uint64_t seq;
	char *pages;
	int fd;

	REQUIRE_DEVICE();
	fd = fresh_region(name, "notify-efault", 1);
	ASSERT_LE(0, fd);
	pages = mmap(NULL, 2 * page_size(), PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, pages);
	ASSERT_EQ(0, munmap(pages + page_size(), page_size()));
	ro = (struct shmr_notify *)pages;
	ASSERT_EQ(0, ioc_info(fd, &info));
	seq = info.seq;

	ASSERT_EQ(0, mprotect(pages, page_size(), PROT_READ));
	EXPECT_EQ(-EFAULT, ioctl_err(fd, SHMR_IOC_NOTIFY, ro));
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_EQ(seq + 1, info.seq);

	ASSERT_EQ(0, mprotect(pages, page_size(), PROT_READ | PROT_WRITE));
	ro->flags = SHMR_NOTIFY_WAKE;
	ASSERT_EQ(0, mprotect(pages, page_size(), PROT_READ));
	EXPECT_EQ(-EFAULT, ioctl_err(fd, SHMR_IOC_NOTIFY, ro));
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_EQ(seq + 1, info.seq);

	/* seq is on the last 8 bytes of the page, flags past its end */
	EXPECT_EQ(-EFAULT, ioctl_err(fd, SHMR_IOC_NOTIFY,
				     pages + page_size() - 8));
	EXPECT_EQ(-EFAULT, ioctl_err(fd, SHMR_IOC_NOTIFY, kernel));
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_EQ(seq + 1, info.seq);

	/* only seq is written back: flags stay as passed */
	ASSERT_EQ(0, mprotect(pages, page_size(), PROT_READ | PROT_WRITE));
	EXPECT_EQ(0, ioctl_err(fd, SHMR_IOC_NOTIFY, ro));
	EXPECT_EQ(seq + 1, ro->seq);
	EXPECT_EQ(SHMR_NOTIFY_WAKE, ro->flags);
	EXPECT_EQ(0, ro->pad);

	munmap(pages, page_size());
	EXPECT_EQ(0, unlink_name(name));
	close(fd);
}

TEST(create_excl_race_has_one_winner)
{
	char name[SHMR_NAME_MAX];
	int go[2], i, winners = 0, ret;
	pid_t pids[8];

	REQUIRE_DEVICE();
	test_name(name, "race");
	ASSERT_EQ(0, pipe(go));
	for (i = 0; i < 8; i++) {
		pids[i] = fork_child();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			int fd = dev_open(O_RDWR);
			char c;

			CHILD_REQUIRE(fd >= 0);
			close(go[1]);
			CHILD_REQUIRE(read(go[0], &c, 1) == 0);	/* all start at once */
			ret = ioc_create(fd, name, page_size(), 0600, SHMR_CREATE_EXCL);
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
	EXPECT_EQ(0, unlink_name(name));
	close(go[0]);
}

TEST(unlinked_name_can_be_reused)
{
	char name[SHMR_NAME_MAX];
	char *p, *q;
	int old, new;

	REQUIRE_DEVICE();
	old = fresh_region(name, "reuse", 1);
	ASSERT_LE(0, old);
	p = map_region(old, page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "old");
	ASSERT_EQ(0, unlink_name(name));
	new = create_region(name, page_size(), 0600, 0);
	ASSERT_LE(0, new);
	q = map_region(new, page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0, q[0]);		/* a new, zeroed region */
	strcpy(q, "new");
	EXPECT_STREQ("old", p);
	EXPECT_EQ(0, unlink_name(name));
	munmap(q, page_size());
	munmap(p, page_size());
	close(new);
	close(old);
}

/*
 * 0.2.0 moved the ioctls from magic 0xB8 (taken upstream) to 0xD7: the
 * old numbers are unknown (ENOTTY), the new ones work.
 */
#define OLD_MAGIC	0xB8

TEST(old_magic_enotty_new_magic_works)
{
	const unsigned long old_cmds[] = {
		_IOWR(OLD_MAGIC, 0x00, struct shmr_create),
		_IOWR(OLD_MAGIC, 0x01, struct shmr_attach),
		_IOW(OLD_MAGIC, 0x02, struct shmr_unlink),
		_IOR(OLD_MAGIC, 0x03, struct shmr_info),
		_IOWR(OLD_MAGIC, 0x04, struct shmr_notify),
		_IOWR(OLD_MAGIC, 0x05, struct shmr_wait),
	};
	char name[SHMR_NAME_MAX], missing[SHMR_NAME_MAX];
	struct shmr_create c = { .size = 4096, .mode = 0600 };
	struct shmr_attach a = { .flags = 0 };
	struct shmr_unlink u = { .flags = 0 };
	struct shmr_notify n = { .flags = 0 };
	struct shmr_wait w = { .seq = 0, .timeout_ns = 0 };
	struct shmr_list l = { .nr = 0 };
	struct shmr_info info;
	union {
		struct shmr_create c;
		struct shmr_info i;
	} buf;
	unsigned int k;
	int fd;

	REQUIRE_DEVICE();
	EXPECT_EQ(0xD7, SHMR_IOC_MAGIC);
	fd = fresh_region(name, "magic", 1);
	ASSERT_LE(0, fd);
	test_name(missing, "magic-missing");
	for (k = 0; k < sizeof(old_cmds) / sizeof(old_cmds[0]); k++) {
		/* harmless even where understood: bound, missing names */
		memset(&buf, 0, sizeof(buf));
		set_name(buf.c.name, missing);
		buf.c.size = page_size();
		buf.c.mode = 0600;
		EXPECT_EQ(-ENOTTY, ioctl_err(fd, old_cmds[k], &buf)) {
			TH_LOG("old ioctl %#lx", old_cmds[k]);
		}
	}
	/* the new numbers, on the same handle */
	set_name(c.name, missing);
	EXPECT_EQ(-EBUSY, ioctl_err(fd, SHMR_IOC_CREATE, &c));
	set_name(a.name, name);
	EXPECT_EQ(-EBUSY, ioctl_err(fd, SHMR_IOC_ATTACH, &a));
	EXPECT_EQ(0, ioctl_err(fd, SHMR_IOC_INFO, &info));
	EXPECT_EQ(0, ioctl_err(fd, SHMR_IOC_NOTIFY, &n));
	EXPECT_EQ(1, n.seq);
	EXPECT_EQ(0, ioctl_err(fd, SHMR_IOC_WAIT, &w));
	EXPECT_EQ(1, w.seq);
	EXPECT_EQ(0, ioctl_err(fd, SHMR_IOC_LIST, &l));
	EXPECT_LE(1, l.total);
	set_name(u.name, missing);
	EXPECT_EQ(-ENOENT, ioctl_err(fd, SHMR_IOC_UNLINK, &u));
	set_name(u.name, name);
	EXPECT_EQ(0, ioctl_err(fd, SHMR_IOC_UNLINK, &u));
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

	REQUIRE_DEVICE();
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, read_file(param_paths[i], self->saved[i],
				       sizeof(self->saved[i])));
	test_name(self->name[0], "param-0");
	test_name(self->name[1], "param-1");
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
		unlink_name(self->name[i]);
	}
}

TEST_F(params, max_region_bytes_e2big)
{
	ASSERT_EQ(0, write_u64(param_paths[0], 4 * page_size()));
	self->fd[0] = dev_open(O_RDWR);
	ASSERT_LE(0, self->fd[0]);
	EXPECT_EQ(-E2BIG, ioc_create(self->fd[0], self->name[0],
				      4 * page_size() + 1, 0600, 0));
	EXPECT_EQ(-E2BIG, ioc_create(self->fd[0], self->name[0],
				      5 * page_size(), 0600, SHMR_CREATE_LAZY));
	EXPECT_EQ(0, ioc_create(self->fd[0], self->name[0],
				 4 * page_size(), 0600, 0));
}

TEST_F(params, max_regions_enospc)
{
	uint64_t live = nr_regions();

	ASSERT_NE(~0ULL, live);
	ASSERT_EQ(0, write_u64(param_paths[2], live + 1));
	self->fd[0] = create_region(self->name[0], page_size(), 0600, 0);
	ASSERT_LE(0, self->fd[0]);
	EXPECT_EQ(-ENOSPC, create_region(self->name[1], page_size(), 0600, 0));
	EXPECT_EQ(-ENOSPC, create_region(self->name[1], page_size(), 0600,
				    SHMR_CREATE_LAZY | SHMR_CREATE_TRANSIENT));
	/* unlinked and unused, the first region gives its slot back */
	ASSERT_EQ(0, unlink_name(self->name[0]));
	close(self->fd[0]);
	self->fd[0] = -1;
	self->fd[1] = create_region(self->name[1], page_size(), 0600, 0);
	EXPECT_LE(0, self->fd[1]);
}

TEST_F(params, max_total_bytes_enospc)
{
	uint64_t bytes = nr_bytes();

	ASSERT_NE(~0ULL, bytes);
	ASSERT_EQ(0, write_u64(param_paths[1], bytes + 3 * page_size()));
	self->fd[0] = create_region(self->name[0], 2 * page_size(), 0600, 0);
	ASSERT_LE(0, self->fd[0]);
	EXPECT_EQ(-ENOSPC, create_region(self->name[1], 2 * page_size(), 0600, 0));
	EXPECT_EQ(-ENOSPC, create_region(self->name[1], 2 * page_size(), 0600,
				    SHMR_CREATE_LAZY));
	self->fd[1] = create_region(self->name[1], page_size(), 0600, 0);
	EXPECT_LE(0, self->fd[1]);
}

TEST_HARNESS_MAIN
