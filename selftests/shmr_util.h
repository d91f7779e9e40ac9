/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Plain-C helpers shared by every shmregion test program, as
 * tools/testing/selftests/memfd/common.c is for the memfd tests: the
 * selftests (through common.h), the fuzzer (shmr_fuzz.c), the race
 * stress (shmr_stress.c) and the libshmregion tests
 * (userspace/tests/libtest.h). Nothing here needs the kselftest harness.
 *
 * Thin wrappers over the raw ioctls are named ioc_*() and return 0 or
 * -errno, so that a check fits on one line; the library's public names
 * (shmr_create(), shmr_wait(), ...) are never used here.
 */
#ifndef SHMR_UTIL_H
#define SHMR_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/shmregion.h>

#define SHMR_SYSFS_DIR		"/sys/class/misc/shmregion"
#define SHMR_PARAM_DIR		"/sys/module/shmregion/parameters"
#define SHMR_DEBUGFS		"/sys/kernel/debug"
#define SHMR_DEBUGFS_LIST	SHMR_DEBUGFS "/shmregion/regions"
#define UID_NOBODY		65534
#define GID_NOBODY		65534

/* --- the device ------------------------------------------------------ */

/* 0 when the device is there, else the errno that says why not. */
static inline int device_missing(void)
{
	return access(SHMR_DEVICE_PATH, R_OK | W_OK) ? errno : 0;
}

/*
 * For the programs that print TAP themselves (fuzzer, stress): when the
 * device is missing, report each of the @plan tests as skipped, never as
 * passed or failed, and return 1.
 */
static inline int tap_skip_without_device(int plan)
{
	int err = device_missing(), i;

	if (!err)
		return 0;
	for (i = 1; i <= plan; i++)
		printf("ok %d # SKIP %s: %s (is shmregion loaded?)\n", i,
		       SHMR_DEVICE_PATH, strerror(err));
	return 1;
}

static inline int dev_open(int flags)
{
	return open(SHMR_DEVICE_PATH, flags | O_CLOEXEC);
}

static inline int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* --- random numbers ---------------------------------------------------- */

/* xorshift64*: the next number from *@state (never 0). */
static inline uint64_t xrand(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9E3779B97F4A7C15ULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* splitmix64: a well-spread, odd seed from any number (per process). */
static inline uint64_t seed_mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return (x ^ (x >> 31)) | 1;
}

/* --- ioctl wrappers ------------------------------------------------------ */

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

/* CREATE; the kernel's answer in *@out when @out is not NULL. */
static inline int ioc_create_out(int fd, const char *name, uint64_t size,
				 uint32_t mode, uint32_t flags,
				 struct shmr_create *out)
{
	struct shmr_create c = { .size = size, .mode = mode, .flags = flags };
	int ret;

	set_name(c.name, name);
	ret = ioctl_err(fd, SHMR_IOC_CREATE, &c);
	if (out)
		*out = c;
	return ret;
}

static inline int ioc_create(int fd, const char *name, uint64_t size,
			     uint32_t mode, uint32_t flags)
{
	return ioc_create_out(fd, name, size, mode, flags, NULL);
}

static inline int ioc_attach(int fd, const char *name, uint32_t flags)
{
	struct shmr_attach a = { .flags = flags };

	set_name(a.name, name);
	return ioctl_err(fd, SHMR_IOC_ATTACH, &a);
}

static inline int ioc_unlink(int fd, const char *name)
{
	struct shmr_unlink u = { .flags = 0 };

	set_name(u.name, name);
	return ioctl_err(fd, SHMR_IOC_UNLINK, &u);
}

static inline int ioc_info(int fd, struct shmr_info *info)
{
	memset(info, 0xa5, sizeof(*info));
	return ioctl_err(fd, SHMR_IOC_INFO, info);
}

/* NOTIFY; the new sequence number in *@seq (when not NULL). */
static inline int ioc_notify(int fd, uint64_t *seq)
{
	struct shmr_notify n = { .flags = 0 };
	int ret = ioctl_err(fd, SHMR_IOC_NOTIFY, &n);

	if (seq)
		*seq = n.seq;
	return ret;
}

/* WAIT from *@seq; the sequence the kernel reports goes back in *@seq. */
static inline int ioc_wait(int fd, uint64_t *seq, int64_t timeout_ns)
{
	struct shmr_wait w = { .seq = *seq, .timeout_ns = timeout_ns };
	int ret = ioctl_err(fd, SHMR_IOC_WAIT, &w);

	*seq = w.seq;
	return ret;
}

/* LIST into @entries[@nr]; written and total count back in *@nr, *@total. */
static inline int ioc_list(int fd, struct shmr_info *entries, uint32_t *nr,
			   uint32_t *total)
{
	struct shmr_list l = {
		.entries = (uintptr_t)entries,
		.nr = *nr,
	};
	int ret = ioctl_err(fd, SHMR_IOC_LIST, &l);

	*nr = l.nr;
	if (total)
		*total = l.total;
	return ret;
}

/* Unlink @name through a fresh handle; 0 or -errno. */
static inline int unlink_name(const char *name)
{
	int fd = dev_open(O_RDWR), ret;

	if (fd < 0)
		return -errno;
	ret = ioc_unlink(fd, name);
	close(fd);
	return ret;
}

/* A new handle bound to a new region (EXCL); -errno on failure. */
static inline int create_region(const char *name, uint64_t size, uint32_t mode,
			     uint32_t flags)
{
	int fd = dev_open(O_RDWR), ret;

	if (fd < 0)
		return -errno;
	ret = ioc_create(fd, name, size, mode, flags | SHMR_CREATE_EXCL);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/* A new handle attached to @name; -errno on failure. */
static inline int attach_region(const char *name, uint32_t flags)
{
	int fd = dev_open(O_RDWR), ret;

	if (fd < 0)
		return -errno;
	ret = ioc_attach(fd, name, flags);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static inline void *map_region(int fd, size_t len, int prot, off_t off)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, off);
}

/* --- sysfs, debugfs and module parameters ------------------------------ */

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

/* The module's counters next to the misc device; ~0 if unreadable. */
static inline uint64_t nr_regions(void)
{
	return read_u64(SHMR_SYSFS_DIR "/nr_regions");
}

/* The inode number of this task's namespace of @type ("ipc", "user"). */
static inline uint64_t ns_inode(const char *type)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
	return stat(path, &st) ? 0 : (uint64_t)st.st_ino;
}

static inline uint64_t nr_bytes(void)
{
	return read_u64(SHMR_SYSFS_DIR "/nr_bytes");
}

/* A field of this process's smaps entry for the mapping at @addr, in kB. */
static inline long smaps_kb(void *addr, const char *field)
{
	char line[256], want[64];
	unsigned long start, end;
	long val = -1;
	int in = 0;
	FILE *f;

	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -1;
	snprintf(want, sizeof(want), "%s:", field);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = start == (unsigned long)addr;
			continue;
		}
		if (in && !strncmp(line, want, strlen(want)))
			val = atol(line + strlen(want));
	}
	fclose(f);
	return val;
}

/* futex(2) without a timeout; the futex call a sleeper may be in (the
 * time64 one for 32-bit programs), for wait_sleeping(). */
static inline long sys_futex(uint32_t *addr, int op, uint32_t val)
{
	return syscall(__NR_futex, addr, op, val, NULL, NULL, 0);
}

#ifdef __NR_futex_time64
#define NR_FUTEX_ALT __NR_futex_time64
#else
#define NR_FUTEX_ALT __NR_futex
#endif

/* --- processes ------------------------------------------------------------- */

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

/*
 * Reap @pid (retrying on EINTR): its exit code, 128 + the signal if a
 * signal killed it (as the shell says it), or -1.
 */
static inline int reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) != pid)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
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

/*
 * Run @fn(@arg) in a child as @uid/@gid with no supplementary groups
 * (and so no capabilities); what it returned (0..125), 128 + a signal
 * that killed it, 126 when the child could not switch, or -1.
 */
static inline int run_as(uid_t uid, gid_t gid, int (*fn)(void *), void *arg)
{
	pid_t pid = fork_child();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (become(uid, gid))
			_exit(126);
		_exit(fn(arg) & 0x7f);
	}
	return reap(pid);
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

/* Pass the file descriptor @fd over the UNIX socket @sk (SCM_RIGHTS). */
static inline int send_fd(int sk, int fd)
{
	char byte = 'F', cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sk, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* The file descriptor send_fd() passed, or -1. */
static inline int recv_fd(int sk)
{
	char byte, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sk, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/*
 * A peer process on the other end of a SOCK_SEQPACKET socketpair: like
 * fork_child(), and *@sk is this side's end of the pair (the parent's
 * in the parent, the child's in the child); -1 on failure.
 */
static inline pid_t fork_peer(int *sk)
{
	int pair[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pair))
		return -1;
	pid = fork_child();
	if (pid < 0) {
		close(pair[0]);
		close(pair[1]);
		return -1;
	}
	close(pair[pid == 0 ? 0 : 1]);
	*sk = pair[pid == 0 ? 1 : 0];
	return pid;
}

/* Hang up on a peer and reap it: its exit code (as reap() gives it). */
static inline int end_peer(pid_t pid, int sk)
{
	close(sk);
	return reap(pid);
}

/* --- fault injection ------------------------------------------------------ */

/*
 * Grow the stack by 256 KiB now. Under fault injection a stack that has
 * to grow may fail to (the maple tree node is an allocation): the
 * process gets SIGSEGV, a failure of the test program, not of the module.
 * Volatile stores, one per 1 KiB, so that the compiler keeps them.
 */
static void __attribute__((noinline, unused)) grow_stack(void)
{
	volatile char deep[256 << 10];
	size_t i;

	for (i = 0; i < sizeof(deep); i += 1024)
		deep[i] = 0;
}

/*
 * Unregister the rseq area glibc registered for this thread. The kernel
 * writes it on the way back to user space; under fault injection that
 * write may need a page it cannot allocate (a page still shared with a
 * child after fork) and the kernel kills the process with SIGSEGV.
 * 0, or -errno. (glibc's __rseq_size may be less than the length it
 * registered, which the kernel wants back: then the struct's size.)
 */
static inline int drop_rseq(void)
{
	void *area = (char *)__builtin_thread_pointer() + __rseq_offset;

	if (!__rseq_size)
		return 0;	/* not registered */
	if (!syscall(__NR_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER,
		     RSEQ_SIG))
		return 0;
	if (!syscall(__NR_rseq, area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG))
		return 0;
	return -errno;
}

/*
 * Give this process a signal stack of its own (sigaltstack), written
 * now and kept out of children (MADV_DONTFORK); handlers installed with
 * SA_ONSTACK run on it. Under fault injection the kernel writes each
 * signal frame onto the user stack; after a fork those stack pages are
 * copy-on-write, the write needs a page it may not get, and the kernel
 * kills the process with SIGSEGV. Pages that are never shared need no
 * copy. A child inherits the setting but not the pages: it must not take
 * an SA_ONSTACK signal (no interval timer survives fork). 0, or -errno.
 */
static inline int own_signal_stack(void)
{
	size_t len = 64 << 10, i;
	stack_t ss = { .ss_size = len };
	char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	for (i = 0; i < len; i += 1024)		/* populate it */
		((volatile char *)p)[i] = 0;
	ss.ss_sp = p;
	if (madvise(p, len, MADV_DONTFORK) || sigaltstack(&ss, NULL)) {
		int err = -errno;

		munmap(p, len);
		return err;
	}
	return 0;
}

/* --- crashes ------------------------------------------------------------- */

/* Called (async-signal-safe code only) before a crashed process exits. */
static void (*crash_hook)(void);

/* what a process that catch_crashes() caught exits with */
#define CRASH_STATUS 3

/* Set while bus_copy() runs: where a SIGBUS it takes jumps back to. */
static __thread sigjmp_buf *volatile bus_jmp;

static inline void crash_handler(int sig)
{
	char msg[96];
	int n;

	if (sig == SIGBUS && bus_jmp)
		siglongjmp(*bus_jmp, 1);
	n = snprintf(msg, sizeof(msg), "# FINDING: pid %d got signal %d\n",
		     getpid(), sig);
	if (write(STDOUT_FILENO, msg, n) < 0)
		_exit(CRASH_STATUS);
	if (crash_hook)
		crash_hook();
	_exit(CRASH_STATUS);
}

/*
 * A SIGSEGV or SIGBUS is a finding: say so, run @hook, exit CRASH_STATUS
 * (but for a SIGBUS inside bus_copy()).
 */
static inline void catch_crashes(void (*hook)(void))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = crash_handler;
	crash_hook = hook;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

/*
 * Copy @len bytes of region memory, where another process's RESIZE may
 * have cut the region under the mapping: past the new end an access is
 * SIGBUS (as for a memfd after ftruncate()). Under catch_crashes(), in
 * any thread. Return: 0, or -1 when the access got SIGBUS (what was
 * copied by then is undefined).
 */
static inline int bus_copy(void *dst, const void *src, size_t len)
{
	volatile unsigned char *d = dst;
	const volatile unsigned char *s = src;
	sigjmp_buf jb;
	size_t i;

	if (sigsetjmp(jb, 1)) {
		bus_jmp = NULL;
		return -1;
	}
	bus_jmp = &jb;
	for (i = 0; i < len; i++)
		d[i] = s[i];
	bus_jmp = NULL;
	return 0;
}

#endif /* SHMR_UTIL_H */
