/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the libshmregion tests (include after
 * kselftest_harness.h).
 */
#ifndef SHMR_LIBTEST_H
#define SHMR_LIBTEST_H

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libshmregion.h>

#define SHMR_DEV	"/dev/shmregion"
#define SHMR_PARAMS	"/sys/module/shmregion/parameters/"
#define NOBODY		65534

/* Start of every test: skip (never pass) when the module is not there. */
#define REQUIRE_DEVICE() do { \
	if (access(SHMR_DEV, F_OK)) \
		SKIP(return, "%s: %s (is the module loaded?)", SHMR_DEV, \
		     strerror(errno)); \
} while (0)

#define REQUIRE_ROOT() do { \
	if (geteuid() != 0) \
		SKIP(return, "needs root to switch to uid %d", NOBODY); \
} while (0)

/* fork() for a helper child that dies with its parent. */
static inline pid_t fork_child(void)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(99);
	}
	return pid;
}

/* Wait for a child; its exit status, or 1000 + signal when killed. */
static inline int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status)
				 : 1000 + WTERMSIG(status);
}

/*
 * Run fn(name) as uid/gid 65534 with no supplementary groups (and so no
 * capabilities) in a child; return what it returned (0 or -errno), or
 * -1000 when the child could not switch or died.
 */
static inline int as_nobody(int (*fn)(const char *), const char *name)
{
	pid_t pid = fork_child();
	int status;

	if (pid < 0)
		return -1000;
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(255);
		_exit(-fn(name) & 0xff);
	}
	status = reap(pid);
	if (status < 0 || status >= 255)
		return -1000;
	return -status;
}

/* A module parameter (or any one-number sysfs file); -1 when unreadable. */
static inline long long read_number(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static inline int write_number(const char *path, long long v)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -errno;
	ok = fprintf(f, "%lld\n", v) > 0;
	return fclose(f) == 0 && ok ? 0 : -EIO;
}

#endif /* SHMR_LIBTEST_H */
