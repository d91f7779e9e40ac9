/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the shmregion selftests: thin wrappers over the raw
 * ioctls (returning 0 or -errno so that a check fits on one line),
 * unique region names, sysfs and module-parameter access, and the
 * child-process plumbing (fork under PR_SET_PDEATHSIG, a socketpair
 * handshake, reaping, waiting until a child sleeps in a system call).
 *
 * Include after kselftest_harness.h. A forked child must never use
 * ASSERT/EXPECT (its results would be lost): it reports with
 * CHILD_REQUIRE() and its exit status instead.
 */
#ifndef SHMR_SELFTEST_COMMON_H
#define SHMR_SELFTEST_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/shmregion.h>

#define SHMR_SYSFS_DIR		"/sys/class/misc/shmregion"
#define SHMR_PARAM_DIR		"/sys/module/shmregion/parameters"
#define SHMR_PROC_LIST		"/proc/driver/shmregion"
#define UID_NOBODY		65534
#define GID_NOBODY		65534

/* The ABI promises the same layout for 32- and 64-bit programs. */
_Static_assert(sizeof(struct shmr_create) == 104, "shmr_create layout");
_Static_assert(sizeof(struct shmr_attach) == 96, "shmr_attach layout");
_Static_assert(sizeof(struct shmr_unlink) == 88, "shmr_unlink layout");
_Static_assert(sizeof(struct shmr_info) == 120, "shmr_info layout");
_Static_assert(sizeof(struct shmr_notify) == 16, "shmr_notify layout");
_Static_assert(sizeof(struct shmr_wait) == 24, "shmr_wait layout");
_Static_assert(sizeof(struct shmr_ctrl) == 16, "shmr_ctrl layout");

/*
 * A test program without the device has nothing to test: report the
 * whole program as skipped, with the reason, before the harness runs.
 */
static void __attribute__((constructor)) shmr_require_device(void)
{
	if (access(SHMR_DEVICE_PATH, F_OK) == 0)
		return;
	printf("TAP version 13\n1..0 # SKIP %s: %s (is shmregion loaded?)\n",
	       SHMR_DEVICE_PATH, strerror(errno));
	exit(4);	/* KSFT_SKIP */
}

static inline size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* A region name unique to this process (every test runs in its own). */
static inline void shmr_name(char name[SHMR_NAME_MAX], const char *tag)
{
	snprintf(name, SHMR_NAME_MAX, "kst-%d-%.40s", getpid(), tag);
}

static inline int shmr_open(int flags)
{
	return open(SHMR_DEVICE_PATH, flags | O_CLOEXEC);
}

/* Copy a C string into a name field, zero-filling the rest. */
static inline void set_name(char dst[SHMR_NAME_MAX], const char *src)
{
	size_t n = strnlen(src, SHMR_NAME_MAX);

	memset(dst, 0, SHMR_NAME_MAX);
	memcpy(dst, src, n);
}

static inline int ioctl_err(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static inline int shmr_create(int fd, const char *name, uint64_t size,
			      uint32_t mode, uint32_t flags)
{
	struct shmr_create c = { .size = size, .mode = mode, .flags = flags };

	set_name(c.name, name);
	return ioctl_err(fd, SHMR_IOC_CREATE, &c);
}

static inline int shmr_attach(int fd, const char *name, uint32_t flags)
{
	struct shmr_attach a = { .flags = flags };

	set_name(a.name, name);
	return ioctl_err(fd, SHMR_IOC_ATTACH, &a);
}

static inline int shmr_unlink_fd(int fd, const char *name)
{
	struct shmr_unlink u = { 0 };

	set_name(u.name, name);
	return ioctl_err(fd, SHMR_IOC_UNLINK, &u);
}

/* Unlink through a fresh handle; -errno as the ioctl gives it. */
static inline int shmr_unlink(const char *name)
{
	int fd = shmr_open(O_RDWR), ret;

	if (fd < 0)
		return -errno;
	ret = shmr_unlink_fd(fd, name);
	close(fd);
	return ret;
}

/* A new handle bound to a new region; -errno on failure. */
static inline int shmr_new(const char *name, uint64_t size, uint32_t mode,
			   uint32_t flags)
{
	int fd = shmr_open(O_RDWR), ret;

	if (fd < 0)
		return -errno;
	ret = shmr_create(fd, name, size, mode, flags | SHMR_CREATE_EXCL);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/* A new handle attached to @name; -errno on failure. */
static inline int shmr_open_attach(const char *name, uint32_t flags)
{
	int fd = shmr_open(O_RDWR), ret;

	if (fd < 0)
		return -errno;
	ret = shmr_attach(fd, name, flags);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static inline int shmr_info(int fd, struct shmr_info *info)
{
	memset(info, 0xa5, sizeof(*info));
	return ioctl_err(fd, SHMR_IOC_INFO, info);
}

/* NOTIFY; the new sequence number in *seq. */
static inline int shmr_notify(int fd, uint64_t *seq)
{
	struct shmr_notify n = { 0 };
	int ret = ioctl_err(fd, SHMR_IOC_NOTIFY, &n);

	if (seq)
		*seq = n.seq;
	return ret;
}

/* WAIT from *seq; the sequence the kernel reports goes back in *seq. */
static inline int shmr_wait(int fd, uint64_t *seq, int64_t timeout_ns)
{
	struct shmr_wait w = { .seq = *seq, .timeout_ns = timeout_ns };
	int ret = ioctl_err(fd, SHMR_IOC_WAIT, &w);

	*seq = w.seq;
	return ret;
}

static inline void *shmr_map(int fd, size_t len, int prot, off_t off)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, off);
}

/* --- sysfs, procfs and module parameters ---------------------------- */

static inline int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* The whole of @path (a seq_file gives a page or so per read). */
static inline int read_all(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t done = 0;
	ssize_t n = 0;

	if (fd < 0)
		return -errno;
	while (done < len - 1 && (n = read(fd, buf + done, len - 1 - done)) > 0)
		done += n;
	close(fd);
	if (n < 0)
		return -errno;
	buf[done] = '\0';
	return done < len - 1 ? 0 : -EFBIG;
}

static inline int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	if (n < 0)
		return -errno;
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

/* A file holding one unsigned number; ~0 if it cannot be read. */
static inline uint64_t read_u64(const char *path)
{
	char buf[64];

	if (read_file(path, buf, sizeof(buf)))
		return ~0ULL;
	return strtoull(buf, NULL, 0);
}

static inline int write_u64(const char *path, uint64_t val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)val);
	return write_file(path, buf);
}

static inline uint64_t nr_regions(void)
{
	return read_u64(SHMR_SYSFS_DIR "/nr_regions");
}

static inline uint64_t nr_bytes(void)
{
	return read_u64(SHMR_SYSFS_DIR "/nr_bytes");
}

/* --- child processes ------------------------------------------------- */

/* In a child: report a failed check on stderr and exit 1. */
#define CHILD_REQUIRE(cond) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "# child %d %s:%d: %s failed (errno %d: %s)\n",\
			getpid(), __FILE__, __LINE__, #cond, errno,	\
			strerror(errno));				\
		_exit(1);						\
	}								\
} while (0)

/* fork(); the child dies with its parent (no orphans when a test fails). */
static inline pid_t fork_child(void)
{
	pid_t parent = getpid(), pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(99);
	}
	return pid;
}

/* Reap @pid: its exit code, or 128 + signal if a signal killed it. */
static inline int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

static inline int send_byte(int sk, char c)
{
	return send(sk, &c, 1, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* The next byte from @sk, or -1 on EOF or error. */
static inline int recv_byte(int sk)
{
	unsigned char c;

	return recv(sk, &c, 1, 0) == 1 ? c : -1;
}

static inline int send_u64(int sk, uint64_t v)
{
	return send(sk, &v, sizeof(v), MSG_NOSIGNAL) == sizeof(v) ? 0 : -1;
}

static inline int recv_u64(int sk, uint64_t *v)
{
	return recv(sk, v, sizeof(*v), 0) == sizeof(*v) ? 0 : -1;
}

/* The state letter of @pid from /proc/PID/stat ('R', 'S', 'Z'...), or 0. */
static inline char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_file(path, buf, sizeof(buf)))
		return 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * Spin until @pid sleeps inside system call @nr or @alt (as
 * /proc/PID/syscall shows it), so that a wake-up sent next cannot arrive
 * before the sleep. Returns 0; -1 if the process is gone or, when
 * @watch_fd >= 0, once @watch_fd is readable (the process answered
 * instead of sleeping).
 */
static inline int wait_sleeping(pid_t pid, long nr, long alt, int watch_fd)
{
	struct pollfd pfd = { .fd = watch_fd, .events = POLLIN };
	char path[64], buf[256];
	long cur;
	char st;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	for (;;) {
		st = proc_state(pid);
		if (!st || st == 'Z' || st == 'X')
			return -1;
		if (!read_file(path, buf, sizeof(buf)) &&
		    buf[0] >= '0' && buf[0] <= '9') {
			cur = strtol(buf, NULL, 10);
			if (cur == nr || cur == alt)
				return 0;
		}
		if (watch_fd >= 0 && poll(&pfd, 1, 0) > 0)
			return -1;
		sched_yield();
	}
}

static inline int wait_sleeping_in(pid_t pid, long nr)
{
	return wait_sleeping(pid, nr, nr, -1);
}

/* Switch every uid and gid (which drops all capabilities); 0 or -errno. */
static inline int become(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		return -errno;
	return 0;
}

#endif /* SHMR_SELFTEST_COMMON_H */
