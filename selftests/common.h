/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the harness-based shmregion selftests share on top of
 * shmr_util.h (the plain-C helpers every test program uses): the skip
 * when the device is missing, the ABI layout checks, unique region names,
 * CHILD_REQUIRE() for forked children, and waiting until a child sleeps
 * in a system call.
 *
 * Include after kselftest_harness.h. A forked child must never use
 * ASSERT/EXPECT (its results would be lost): it reports with
 * CHILD_REQUIRE() and its exit status instead.
 */
#ifndef SHMR_SELFTEST_COMMON_H
#define SHMR_SELFTEST_COMMON_H

#include <sys/stat.h>
#include <sys/syscall.h>

#include "shmr_util.h"

/* The ABI promises the same layout for 32- and 64-bit programs. */
_Static_assert(sizeof(struct shmr_create) == 104, "shmr_create layout");
_Static_assert(sizeof(struct shmr_attach) == 96, "shmr_attach layout");
_Static_assert(sizeof(struct shmr_unlink) == 88, "shmr_unlink layout");
_Static_assert(sizeof(struct shmr_info) == 120, "shmr_info layout");
_Static_assert(sizeof(struct shmr_notify) == 16, "shmr_notify layout");
_Static_assert(sizeof(struct shmr_wait) == 24, "shmr_wait layout");
_Static_assert(sizeof(struct shmr_ctrl) == 16, "shmr_ctrl layout");
_Static_assert(sizeof(struct shmr_list) == 40, "shmr_list layout");

/*
 * First thing in every TEST() and FIXTURE_SETUP(): without the device
 * there is nothing to test, so the test is skipped (with the reason),
 * never passed or failed. The test process ends at once with the
 * harness's skip status (the 6.1 harness would run a test body after a
 * SKIP(return) in its fixture's setup).
 */
#define REQUIRE_DEVICE() do {						\
	int __err = device_missing();					\
									\
	if (__err)							\
		SKIP(_exit(255), "%s: %s (is shmregion loaded?)",	\
		     SHMR_DEVICE_PATH, strerror(__err));		\
} while (0)

static inline size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* A region name unique to this process (every test runs in its own). */
static inline void test_name(char name[SHMR_NAME_MAX], const char *tag)
{
	snprintf(name, SHMR_NAME_MAX, "kst-%d-%.40s", getpid(), tag);
}

/* In a child: report a failed check on stderr and exit 1. */
#define CHILD_REQUIRE(cond) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "# child %d %s:%d: %s failed (errno %d: %s)\n",\
			getpid(), __FILE__, __LINE__, #cond, errno,	\
			strerror(errno));				\
		_exit(1);						\
	}								\
} while (0)

/*
 * Read the byte at @addr in a forked child: 128 + the signal the child
 * died of (128 + SIGBUS past a region's end), else 0 if the byte is zero
 * and 1 if it is not.
 */
static inline int read_in_child(const volatile char *addr)
{
	pid_t pid = fork_child();

	if (pid == 0)
		_exit(*addr ? 1 : 0);
	return reap(pid);
}

#endif /* SHMR_SELFTEST_COMMON_H */
