// SPDX-License-Identifier: GPL-2.0
/*
 * libshmregion: shmr_notify, shmr_wait, shmr_seq and shmr_fd; every
 * success and every error the man pages list. Processes synchronise
 * through pipes, never with sleeps.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libtest.h"

FIXTURE(wait) {
	char name[SHMR_NAME_MAX];
	struct shmr *r;		/* read-write, made by setup */
	int pipe[2];			/* child -> parent */
};

FIXTURE_SETUP(wait)
{
	snprintf(self->name, sizeof(self->name), "waittest-%d", getpid());
	ASSERT_EQ(0, pipe(self->pipe));
	if (access(SHMR_DEV, F_OK))
		return;		/* each test skips */
	ASSERT_EQ(0, shmr_create(&self->r, self->name, 1, 0644, SHMR_EXCL));
}

FIXTURE_TEARDOWN(wait)
{
	shmr_close(self->r);
	shmr_unlink(self->name);
	close(self->pipe[0]);
	close(self->pipe[1]);
}

/* What a child tells its parent: one 64-bit word through the pipe. */
static int tell(int fd, uint64_t v)
{
	return write(fd, &v, sizeof(v)) == sizeof(v) ? 0 : -1;
}

static uint64_t hear(int fd)
{
	uint64_t v = UINT64_MAX;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return UINT64_MAX;
	return v;
}

/* --- shmr_notify, shmr_seq ------------------------------------------------ */

TEST_F(wait, notify_bumps_the_sequence)
{
	struct shmr_region_info info;
	uint64_t seq = 99;

	REQUIRE_DEVICE();
	EXPECT_EQ(0, shmr_seq(self->r));
	ASSERT_EQ(0, shmr_notify(self->r, &seq));
	EXPECT_EQ(1, seq);
	EXPECT_EQ(1, shmr_seq(self->r));
	ASSERT_EQ(0, shmr_notify(self->r, NULL));	/* seq is optional */
	EXPECT_EQ(2, shmr_seq(self->r));
	ASSERT_EQ(0, shmr_info(self->r, &info));
	EXPECT_EQ(2, info.seq);
}

TEST_F(wait, notify_on_read_only_handle_is_eacces)
{
	struct shmr *ro;
	uint64_t seq = 7;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_attach(&ro, self->name, SHMR_RDONLY));
	EXPECT_EQ(-EACCES, shmr_notify(ro, &seq));
	EXPECT_EQ(7, seq);			/* untouched on error */
	EXPECT_EQ(0, shmr_seq(ro));
	shmr_close(ro);
}

TEST_F(wait, seq_is_shared_by_every_handle)
{
	struct shmr *ro;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_attach(&ro, self->name, SHMR_RDONLY));
	ASSERT_EQ(0, shmr_notify(self->r, NULL));
	ASSERT_EQ(0, shmr_notify(self->r, NULL));
	EXPECT_EQ(2, shmr_seq(ro));
	shmr_close(ro);
}

/* --- shmr_wait ------------------------------------------------------------- */

TEST_F(wait, wait_returns_at_once_when_behind)
{
	uint64_t seq = 0;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_notify(self->r, NULL));
	ASSERT_EQ(0, shmr_notify(self->r, NULL));
	EXPECT_EQ(0, shmr_wait(self->r, &seq, SHMR_FOREVER));
	EXPECT_EQ(2, seq);
	/* any other value than the current one counts as behind */
	seq = 12345;
	EXPECT_EQ(0, shmr_wait(self->r, &seq, 0));
	EXPECT_EQ(2, seq);
}

static int seccomp_no_ioctl(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/*
 * With every ioctl failing (ENOSYS, by seccomp), shmr_wait() still sees
 * news and timeout-0 checks, shmr_seq() still reads the sequence, and
 * shmr_notify() with nobody waiting still notifies: they use the control
 * page, no system call.
 */
static int no_syscall_child(struct shmr *r)
{
	struct shmr_region_info info;
	uint64_t seq = 0;

	if (seccomp_no_ioctl())
		return 10;
	if (shmr_info(r, &info) != -ENOSYS)
		return 11;	/* the filter works: this test can fail */
	if (shmr_wait(r, &seq, SHMR_FOREVER) || seq != 3)
		return 1;
	if (shmr_wait(r, &seq, 0) != -ETIMEDOUT || seq != 3)
		return 2;
	if (shmr_seq(r) != 3)
		return 3;
	if (shmr_notify(r, &seq) || seq != 4 || shmr_seq(r) != 4)
		return 5;
	/* a real sleep needs the kernel */
	if (shmr_wait(r, &seq, 1000) != -ENOSYS)
		return 4;
	return 0;
}

TEST_F(wait, wait_fast_path_makes_no_system_call)
{
	pid_t pid;
	int i;

	REQUIRE_DEVICE();
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, shmr_notify(self->r, NULL));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(no_syscall_child(self->r));
	EXPECT_EQ(0, reap(pid));
}

TEST_F(wait, wait_timeout_is_etimedout)
{
	struct timespec t0, t1;
	uint64_t seq = 0;
	long long ns;

	REQUIRE_DEVICE();
	EXPECT_EQ(-ETIMEDOUT, shmr_wait(self->r, &seq, 0));
	EXPECT_EQ(0, seq);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_EQ(-ETIMEDOUT, shmr_wait(self->r, &seq, 20 * 1000 * 1000));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	EXPECT_EQ(0, seq);
	ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + t1.tv_nsec - t0.tv_nsec;
	EXPECT_LE(20 * 1000 * 1000, ns);
}

/* A child attaches read-only, says "ready", waits, reports the result. */
static int waiting_child(const char *name, int fd)
{
	struct shmr *r;
	uint64_t seq;
	int ret;

	if (shmr_attach(&r, name, SHMR_RDONLY))
		return 10;
	seq = shmr_seq(r);
	if (tell(fd, seq))
		return 11;
	ret = shmr_wait(r, &seq, SHMR_FOREVER);
	if (tell(fd, ret) || tell(fd, seq))
		return 12;
	shmr_close(r);
	return 0;
}

TEST_F(wait, wait_wakes_on_notify_from_another_process)
{
	uint64_t seq;
	pid_t pid;

	REQUIRE_DEVICE();
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(waiting_child(self->name, self->pipe[1]));
	ASSERT_EQ(0, hear(self->pipe[0]));	/* the child is about to wait */
	/* if the notify lands before its sleep, it must still see it */
	ASSERT_EQ(0, shmr_notify(self->r, &seq));
	EXPECT_EQ(0, hear(self->pipe[0]));	/* shmr_wait() returned 0 */
	EXPECT_EQ(seq, hear(self->pipe[0]));
	EXPECT_EQ(0, reap(pid));
}

/*
 * With someone asleep, shmr_notify() must enter the kernel to wake it:
 * under the same filter it fails with ENOSYS (and has bumped seq, which
 * the sleeper then sees).
 */
static int notify_with_a_sleeper_child(struct shmr *r, pid_t sleeper)
{
	if (wait_sleeping_in(sleeper, __NR_ioctl))
		return 10;
	if (seccomp_no_ioctl())
		return 11;
	return shmr_notify(r, NULL) == -ENOSYS ? 0 : 1;
}

TEST_F(wait, notify_enters_the_kernel_only_for_a_sleeper)
{
	pid_t pid, notifier;

	REQUIRE_DEVICE();
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(waiting_child(self->name, self->pipe[1]));
	ASSERT_EQ(0, hear(self->pipe[0]));	/* the child is about to wait */
	notifier = fork_child();
	ASSERT_LE(0, notifier);
	if (notifier == 0)
		_exit(notify_with_a_sleeper_child(self->r, pid));
	EXPECT_EQ(0, reap(notifier));
	/* the bump alone is not a wake-up: the sleeper sleeps on */
	EXPECT_EQ(1, shmr_seq(self->r));
	ASSERT_EQ(0, shmr_notify(self->r, NULL));
	EXPECT_EQ(0, hear(self->pipe[0]));	/* shmr_wait() returned 0 */
	EXPECT_EQ(2, hear(self->pipe[0]));
	EXPECT_EQ(0, reap(pid));
}

TEST_F(wait, wait_on_unlinked_region_is_eidrm)
{
	uint64_t seq;
	pid_t pid;

	REQUIRE_DEVICE();
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(waiting_child(self->name, self->pipe[1]));
	seq = hear(self->pipe[0]);
	ASSERT_EQ(0, seq);
	ASSERT_EQ(0, shmr_unlink(self->name));
	EXPECT_EQ((uint64_t)-EIDRM, hear(self->pipe[0]));
	EXPECT_EQ(0, hear(self->pipe[0]));
	EXPECT_EQ(0, reap(pid));

	/* later waits say so too, with or without sleeping */
	EXPECT_EQ(-EIDRM, shmr_wait(self->r, &seq, 0));
	EXPECT_EQ(-EIDRM, shmr_wait(self->r, &seq, SHMR_FOREVER));
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * A timer signal keeps arriving, so it interrupts the wait whenever;
 * with SA_RESTART or without, the wait is not restarted.
 */
static int interrupted_child(struct shmr *r, int sa_flags)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = sa_flags };
	struct itimerval it = {
		.it_interval = { .tv_usec = 20000 },
		.it_value = { .tv_usec = 20000 },
	};
	uint64_t seq = shmr_seq(r);

	if (sigaction(SIGALRM, &sa, NULL) || setitimer(ITIMER_REAL, &it, NULL))
		return 10;
	if (shmr_wait(r, &seq, SHMR_FOREVER) != -EINTR)
		return 1;
	return seq == 0 ? 0 : 2;
}

TEST_F(wait, wait_interrupted_by_signal_is_eintr)
{
	pid_t pid;

	REQUIRE_DEVICE();
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(interrupted_child(self->r, 0));
	EXPECT_EQ(0, reap(pid));
}

TEST_F(wait, wait_is_not_restarted_under_sa_restart)
{
	pid_t pid;

	REQUIRE_DEVICE();
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(interrupted_child(self->r, SA_RESTART));
	EXPECT_EQ(0, reap(pid));
}

#define NOTIFIERS	3
#define NOTIFIES	5000	/* each */

/* A notifier: attach read-write, notify NOTIFIES times. */
static int notifying_child(const char *name)
{
	struct shmr *r;
	int i;

	if (shmr_attach(&r, name, 0))
		return 10;
	for (i = 0; i < NOTIFIES; i++)
		if (shmr_notify(r, NULL))
			return 11;
	shmr_close(r);
	return 0;
}

/*
 * Several processes notify while one waits as shmr_wait() does, from the
 * control page and then in the kernel: every number it gets is greater
 * than the one before, shmr_seq() never trails it, and the last one is
 * the number of notifies.
 */
TEST_F(wait, wait_sequence_never_goes_backwards)
{
	uint64_t seq = 0, prev = 0, now, backwards = 0, wakes = 0;
	pid_t pids[NOTIFIERS];
	struct shmr *ro;
	int i, ret;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_attach(&ro, self->name, SHMR_RDONLY));
	for (i = 0; i < NOTIFIERS; i++) {
		pids[i] = fork_child();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			_exit(notifying_child(self->name));
	}
	while (seq < NOTIFIERS * NOTIFIES) {
		ret = shmr_wait(ro, &seq, 1000 * 1000 * 1000);
		ASSERT_EQ(0, ret) TH_LOG("at %llu", (unsigned long long)seq);
		wakes++;
		if (seq <= prev)
			backwards++;
		now = shmr_seq(ro);
		if (now < seq)
			backwards++;
		prev = seq;
	}
	for (i = 0; i < NOTIFIERS; i++)
		EXPECT_EQ(0, reap(pids[i]));
	EXPECT_EQ(0, backwards) TH_LOG("%llu of %llu wake-ups went back",
				       (unsigned long long)backwards,
				       (unsigned long long)wakes);
	EXPECT_EQ(NOTIFIERS * NOTIFIES, seq);
	EXPECT_EQ(NOTIFIERS * NOTIFIES, shmr_seq(self->r));
	shmr_close(ro);
}

TEST_F(wait, wait_null_seq_is_einval)
{
	REQUIRE_DEVICE();
	EXPECT_EQ(-EINVAL, shmr_wait(self->r, NULL, 0));
}

/* --- shmr_fd ------------------------------------------------------------------ */

TEST_F(wait, fd_polls_readable_on_news)
{
	struct pollfd pfd = { .events = POLLIN };
	struct shmr *ro;
	uint64_t seq;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, shmr_attach(&ro, self->name, SHMR_RDONLY));
	pfd.fd = shmr_fd(ro);
	ASSERT_LE(0, pfd.fd);
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, shmr_notify(self->r, NULL));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_NE(0, pfd.revents & POLLIN);
	ASSERT_EQ(sizeof(seq), read(pfd.fd, &seq, sizeof(seq)));
	EXPECT_EQ(1, seq);
	EXPECT_EQ(0, poll(&pfd, 1, 0));		/* consumed */
	shmr_close(ro);
}

TEST_F(wait, fd_is_the_close_on_exec_handle)
{
	struct stat st;
	int fd;

	REQUIRE_DEVICE();
	fd = shmr_fd(self->r);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_NE(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
}

TEST_HARNESS_MAIN
