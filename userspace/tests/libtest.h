/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the libshmregion tests (include after
 * kselftest_harness.h). The plain-C ones (processes, uids, sysfs and
 * module parameters) are the selftests' own, from
 * selftests/shmr_util.h; what is here only adapts them to these tests.
 */
#ifndef SHMR_LIBTEST_H
#define SHMR_LIBTEST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <libshmregion.h>

#include "../../selftests/shmr_util.h"

#define SHMR_DEV	SHMR_DEVICE_PATH
#define SHMR_PARAMS	SHMR_PARAM_DIR "/"
#define NOBODY		UID_NOBODY

/* Start of every test: skip (never pass) when the module is not there. */
#define REQUIRE_DEVICE() do { \
	int __err = device_missing(); \
	\
	if (__err) \
		SKIP(return, "%s: %s (is shmregion loaded?)", \
		     SHMR_DEVICE_PATH, strerror(__err)); \
} while (0)

#define REQUIRE_ROOT() do { \
	if (geteuid() != 0) \
		SKIP(return, "needs root to switch to uid %d", NOBODY); \
} while (0)

struct as_nobody_call {
	int (*fn)(const char *);
	const char *name;
};

static inline int as_nobody_child(void *arg)
{
	const struct as_nobody_call *c = arg;

	return -c->fn(c->name);
}

/*
 * Run fn(name) as uid/gid 65534 with no supplementary groups (and so no
 * capabilities) in a child; return what it returned (0 or -errno), or
 * -1000 when the child could not switch or died.
 */
static inline int as_nobody(int (*fn)(const char *), const char *name)
{
	struct as_nobody_call c = { fn, name };
	int status = run_as(UID_NOBODY, GID_NOBODY, as_nobody_child, &c);

	if (status < 0 || status >= 126)
		return -1000;
	return -status;
}

/* A module parameter (or any one-number sysfs file); -1 when unreadable. */
static inline long long read_number(const char *path)
{
	uint64_t v = read_u64(path);

	return v == ~0ULL ? -1 : (long long)v;
}

static inline int write_number(const char *path, long long v)
{
	return write_u64(path, (uint64_t)v);
}

#endif /* SHMR_LIBTEST_H */
