// SPDX-License-Identifier: GPL-2.0
/*
 * The eventcount (struct shmr_ctrl, docs/design.md): a read-write handle
 * maps the control page writable and notifies by bumping seq there; it
 * enters the kernel (NOTIFY with SHMR_NOTIFY_WAKE) only when the page's
 * waiters count says someone may sleep.
 *
 * waiters counts a task sleeping in WAIT or read() and a polled handle
 * (until it is closed), and is back to 0 after every way out of a sleep
 * (wake-up, timeout, signal); NOTIFY WAKE wakes without bumping, and is
 * refused on a read-only handle and with unknown flags; 10,000 ping-pong
 * rounds between two processes notifying only this way lose no wake-up;
 * the read-only handle's control page stays unwritable; and whatever a
 * writer scribbles on the page, the kernel carries on.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/shmregion.h>

#include "kselftest_harness.h"
#include "common.h"

#define SEC_NS		1000000000LL
#define PING_PONG_ROUNDS 10000

static struct shmr_ctrl *map_ctrl(int fd, int prot)
{
	return mmap(NULL, page_size(), prot, MAP_SHARED, fd, SHMR_CTRL_OFFSET);
}

static uint32_t waiters(struct shmr_ctrl *c)
{
	return __atomic_load_n(&c->waiters, __ATOMIC_SEQ_CST);
}

/* libshmregion's shmr_notify(): 0 or -errno; *@seq is the new number. */
static int fast_notify(int fd, struct shmr_ctrl *c, uint64_t *seq)
{
	struct shmr_notify n = { .flags = SHMR_NOTIFY_WAKE };
	uint64_t now;

	now = __atomic_add_fetch(&c->seq, 1, __ATOMIC_SEQ_CST);
	if (waiters(c) && ioctl_err(fd, SHMR_IOC_NOTIFY, &n))
		return -errno;
	if (seq)
		*seq = now;
	return 0;
}

/* Spin until the page counts @want waiters; 0, or -1 after 10 s. */
static int wait_for_waiters(struct shmr_ctrl *c, uint32_t want)
{
	int64_t end = now_ns() + 10 * SEC_NS;

	while (waiters(c) != want) {
		if (now_ns() > end)
			return -1;
		sched_yield();
	}
	return 0;
}

FIXTURE(ec) {
	char name[SHMR_NAME_MAX];
	int fd;
	struct shmr_ctrl *ctrl;
};

FIXTURE_SETUP(ec)
{
	REQUIRE_DEVICE();
	test_name(self->name, "ec");
	self->fd = create_region(self->name, page_size(), 0600, 0);
	ASSERT_LE(0, self->fd);
	self->ctrl = map_ctrl(self->fd, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, self->ctrl);
	ASSERT_EQ(0, waiters(self->ctrl));
}

FIXTURE_TEARDOWN(ec)
{
	EXPECT_EQ(0, waiters(self->ctrl));
	EXPECT_EQ(0, munmap(self->ctrl, page_size()));
	EXPECT_EQ(0, close(self->fd));
	EXPECT_EQ(0, unlink_name(self->name));
}

/* A child that WAITs (or read()s) on its own handle; exits 0 on news. */
static int sleeper(const char *name, uint64_t seq, int use_read)
{
	int fd = attach_region(name, SHMR_ATTACH_RDONLY);
	uint64_t got = seq;

	if (fd < 0)
		return 1;
	if (use_read) {
		/* read() reports news after the seq seen at ATTACH */
		if (read(fd, &got, sizeof(got)) != sizeof(got))
			return 2;
	} else if (ioc_wait(fd, &got, 20 * SEC_NS)) {
		return 3;
	}
	return got == seq + 1 ? 0 : 4;
}

static void sleeper_woken_by_fast_notify(struct __test_metadata *_metadata,
					 FIXTURE_DATA(ec) *self, int use_read)
{
	uint64_t seq = __atomic_load_n(&self->ctrl->seq, __ATOMIC_ACQUIRE);
	pid_t pid = fork_child();

	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(sleeper(self->name, seq, use_read));
	ASSERT_EQ(0, wait_for_waiters(self->ctrl, 1));
	ASSERT_EQ(0, wait_sleeping_in(pid, use_read ? __NR_read : __NR_ioctl));
	EXPECT_EQ(0, fast_notify(self->fd, self->ctrl, NULL));
	EXPECT_EQ(0, reap(pid));
}

TEST_F(ec, wait_sleeper_is_counted_and_woken)
{
	sleeper_woken_by_fast_notify(_metadata, self, 0);
}

TEST_F(ec, read_sleeper_is_counted_and_woken)
{
	sleeper_woken_by_fast_notify(_metadata, self, 1);
}

/* No sleeper: the count stays 0 and nothing enters the kernel. */
TEST_F(ec, notify_with_nobody_waiting_needs_no_syscall)
{
	uint64_t seq, ioc_seq;

	EXPECT_EQ(0, fast_notify(self->fd, self->ctrl, &seq));
	EXPECT_EQ(1, seq);
	/* WAIT behind and with timeout 0 do not count themselves */
	seq = 0;
	EXPECT_EQ(0, ioc_wait(self->fd, &seq, SHMR_WAIT_FOREVER));
	EXPECT_EQ(1, seq);
	EXPECT_EQ(ETIMEDOUT, -ioc_wait(self->fd, &seq, 0));
	EXPECT_EQ(0, waiters(self->ctrl));
	/* the ioctl and the page bump one counter */
	ASSERT_EQ(0, ioc_notify(self->fd, &ioc_seq));
	EXPECT_EQ(2, ioc_seq);
	EXPECT_EQ(0, fast_notify(self->fd, self->ctrl, &seq));
	EXPECT_EQ(3, seq);
}

static void on_usr1(int sig)
{
}

/*
 * A child sleeping in WAIT, ended by @sig (a handler is installed for
 * SIGUSR1: WAIT fails with EINTR); what it exited with.
 */
static int sleeper_ended_by(struct __test_metadata *_metadata,
			    FIXTURE_DATA(ec) *self, int sig)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	uint64_t seq = 0;
	pid_t pid;

	pid = fork_child();
	if (pid == 0) {
		sigaction(SIGUSR1, &sa, NULL);
		_exit(-ioc_wait(self->fd, &seq, SHMR_WAIT_FOREVER));
	}
	if (pid < 0 || wait_for_waiters(self->ctrl, 1) ||
	    wait_sleeping_in(pid, __NR_ioctl) || kill(pid, sig))
		return -1;
	return reap(pid);
}

/* Every way out of a sleep gives the count back. */
TEST_F(ec, count_returns_after_timeout_eintr_and_sigkill)
{
	uint64_t seq = 0;

	EXPECT_EQ(ETIMEDOUT, -ioc_wait(self->fd, &seq, 1000000));
	EXPECT_EQ(0, waiters(self->ctrl));
	EXPECT_EQ(EINTR, sleeper_ended_by(_metadata, self, SIGUSR1));
	EXPECT_EQ(0, waiters(self->ctrl));
	EXPECT_EQ(128 + SIGKILL, sleeper_ended_by(_metadata, self, SIGKILL));
	EXPECT_EQ(0, wait_for_waiters(self->ctrl, 0));
}

/* A polled handle counts until it is closed: epoll may sleep any time. */
TEST_F(ec, polled_handle_counts_until_closed)
{
	struct pollfd pfd = { .events = POLLIN };
	int fd = attach_region(self->name, SHMR_ATTACH_RDONLY);

	ASSERT_LE(0, fd);
	pfd.fd = fd;
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(1, waiters(self->ctrl));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(1, waiters(self->ctrl));
	/* so a fast notify enters the kernel and poll sees it */
	EXPECT_EQ(0, fast_notify(self->fd, self->ctrl, NULL));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, waiters(self->ctrl));
}

/* epoll added before the handle was bound: counted from the bind. */
TEST_F(ec, epoll_before_bind_counts_from_the_bind)
{
	struct epoll_event ev = { .events = EPOLLIN };
	pid_t pid;
	int fd, ep;

	fd = dev_open(O_RDONLY);
	ASSERT_LE(0, fd);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	EXPECT_EQ(0, waiters(self->ctrl));
	ASSERT_EQ(0, ioc_attach(fd, self->name, SHMR_ATTACH_RDONLY));
	EXPECT_EQ(1, waiters(self->ctrl));
	/* drain the bind's own wake-up, then a fast notify must wake us */
	epoll_wait(ep, &ev, 1, 0);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (wait_sleeping(getppid(), __NR_epoll_wait,
				  __NR_epoll_pwait, -1))
			_exit(1);
		_exit(-fast_notify(self->fd, self->ctrl, NULL));
	}
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 20000));
	EXPECT_EQ(0, reap(pid));
	close(ep);
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, waiters(self->ctrl));
}

TEST_F(ec, notify_wake_wakes_without_bumping)
{
	struct shmr_notify n = { .flags = SHMR_NOTIFY_WAKE };

	ASSERT_EQ(0, ioc_notify(self->fd, NULL));
	ASSERT_EQ(0, ioctl_err(self->fd, SHMR_IOC_NOTIFY, &n));
	EXPECT_EQ(1, n.seq);
	EXPECT_EQ(1, __atomic_load_n(&self->ctrl->seq, __ATOMIC_ACQUIRE));
}

TEST_F(ec, notify_wake_errors)
{
	struct shmr_notify n = { .flags = SHMR_NOTIFY_WAKE };
	int ro = attach_region(self->name, SHMR_ATTACH_RDONLY);

	ASSERT_LE(0, ro);
	EXPECT_EQ(EACCES, -ioctl_err(ro, SHMR_IOC_NOTIFY, &n));
	n.flags = SHMR_NOTIFY_WAKE | 2;
	EXPECT_EQ(EINVAL, -ioctl_err(self->fd, SHMR_IOC_NOTIFY, &n));
	n.flags = SHMR_NOTIFY_WAKE;
	n.pad = 1;
	EXPECT_EQ(EINVAL, -ioctl_err(self->fd, SHMR_IOC_NOTIFY, &n));
	EXPECT_EQ(0, close(ro));
}

/* A read-only handle's control page cannot be written, now or later. */
TEST_F(ec, read_only_handle_cannot_write_the_page)
{
	struct shmr_ctrl *c;
	int ro = attach_region(self->name, SHMR_ATTACH_RDONLY);

	ASSERT_LE(0, ro);
	EXPECT_EQ(MAP_FAILED, map_ctrl(ro, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	c = map_ctrl(ro, PROT_READ);
	ASSERT_NE(MAP_FAILED, c);
	EXPECT_EQ(-1, mprotect(c, page_size(), PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	/* and it shows what the writer's page shows */
	EXPECT_EQ(0, fast_notify(self->fd, self->ctrl, NULL));
	EXPECT_EQ(1, __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE));
	EXPECT_EQ(0, munmap(c, page_size()));
	EXPECT_EQ(0, close(ro));
}

/*
 * The kernel trusts nothing on the page: with garbage in every field it
 * still counts, wakes and times out, and the fields it owns (flags) are
 * its own again at the next change.
 */
TEST_F(ec, scribbled_page_harms_nobody_but_its_readers)
{
	uint64_t seq;

	self->ctrl->waiters = 0xfffffff0;
	self->ctrl->flags = 0xffffffff;
	self->ctrl->seq = 12345;
	seq = 12345;
	EXPECT_EQ(ETIMEDOUT, -ioc_wait(self->fd, &seq, 1000000));
	EXPECT_EQ(12345, seq);
	EXPECT_EQ(0xfffffff0, waiters(self->ctrl));
	EXPECT_EQ(0, ioc_notify(self->fd, &seq));
	EXPECT_EQ(12346, seq);
	/* put the count back for the teardown */
	self->ctrl->waiters = 0;
	self->ctrl->flags = 0;
}

/* The peer's half: WAIT for each odd number, answer with the next. */
static int pong(const char *name, int rounds)
{
	int fd = attach_region(name, 0);
	struct shmr_ctrl *c;
	uint64_t seq, last = 0;
	int i;

	if (fd < 0)
		return 1;
	c = map_ctrl(fd, PROT_READ | PROT_WRITE);
	if (c == MAP_FAILED)
		return 2;
	for (i = 0; i < rounds; i++) {
		seq = last;
		if (ioc_wait(fd, &seq, 10 * SEC_NS) || seq != last + 1)
			return 3;
		if (fast_notify(fd, c, &seq) || seq != last + 2)
			return 4;
		last = seq;
	}
	return 0;
}

/* No wake-up is lost when both sides notify only through the page. */
TEST_F_TIMEOUT(ec, ping_pong_10000_rounds_through_the_page, 300)
{
	uint64_t seq, last = 0;
	pid_t pid;
	int i;

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(pong(self->name, PING_PONG_ROUNDS));
	for (i = 0; i < PING_PONG_ROUNDS; i++) {
		ASSERT_EQ(0, fast_notify(self->fd, self->ctrl, &seq));
		ASSERT_EQ(last + 1, seq);
		ASSERT_EQ(0, ioc_wait(self->fd, &seq, 10 * SEC_NS)) {
			TH_LOG("round %d: lost wake-up?", i);
		}
		ASSERT_EQ(last + 2, seq);
		last = seq;
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(2 * PING_PONG_ROUNDS, last);
}

TEST_HARNESS_MAIN
