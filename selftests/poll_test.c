// SPDX-License-Identifier: GPL-2.0
/*
 * Readiness without WAIT: poll and epoll report a handle readable after
 * a NOTIFY and not before; an 8-byte read returns the seq and consumes
 * it (short read EINVAL, O_NONBLOCK EAGAIN, EINTR on a signal, EIDRM
 * after unlink); EPOLLHUP after unlink, EPOLLERR on an unbound handle.
 * The control page at SHMR_CTRL_OFFSET shows the seq: a child under a
 * seccomp filter that kills on ioctl sees a newer seq there without
 * entering the kernel. Mapping the control page writable (mmap or
 * mprotect), privately or with the wrong length fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <unistd.h>

#include <linux/shmregion.h>

#include "kselftest_harness.h"
#include "common.h"

#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif

#ifdef __NR_ppoll_time64
#define NR_PPOLL __NR_ppoll_time64
#else
#define NR_PPOLL __NR_ppoll
#endif

/*
 * 0 if not ready, else the revents of a zero-timeout poll (poll reports
 * only the bits asked for, plus POLLERR and POLLHUP).
 */
static int poll_now(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLRDNORM };
	int n = poll(&pfd, 1, 0);

	return n < 0 ? -errno : n ? pfd.revents : 0;
}

static uint64_t ctrl_seq(const struct shmr_ctrl *ctrl)
{
	return __atomic_load_n(&ctrl->seq, __ATOMIC_ACQUIRE);
}

static void on_signal(int sig)
{
}

/* Kill the process on any ioctl(); 0 or -errno. */
static int forbid_ioctl(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return -errno;
	return 0;
}

/* A region, the test's handle on it, and a second handle to notify from. */
FIXTURE(region) {
	char name[SHMR_NAME_MAX];
	int fd, other;
	int unlinked;
};

FIXTURE_SETUP(region)
{
	REQUIRE_DEVICE();
	self->other = -1;
	test_name(self->name, "poll");
	self->fd = create_region(self->name, 2 * page_size(), 0644, 0);
	ASSERT_LE(0, self->fd);
	self->other = attach_region(self->name, 0);
	ASSERT_LE(0, self->other);
}

FIXTURE_TEARDOWN(region)
{
	if (!self->unlinked)
		EXPECT_EQ(0, unlink_name(self->name));
	close(self->other);
	close(self->fd);
}

TEST_F(region, poll_ready_only_after_notify)
{
	EXPECT_EQ(0, poll_now(self->fd));
	ASSERT_EQ(0, ioc_notify(self->other, NULL));
	EXPECT_EQ(POLLIN | POLLRDNORM, poll_now(self->fd));
	EXPECT_EQ(POLLIN | POLLRDNORM, poll_now(self->other));
	EXPECT_EQ(POLLIN | POLLRDNORM, poll_now(self->fd));	/* still */
}

TEST_F(region, poll_wakes_a_sleeping_poller)
{
	pid_t pid;

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct pollfd pfd = { .fd = self->fd, .events = POLLIN | POLLRDNORM };

		CHILD_REQUIRE(poll(&pfd, 1, -1) == 1);
		CHILD_REQUIRE(pfd.revents == (POLLIN | POLLRDNORM));
		_exit(0);
	}
	ASSERT_EQ(0, wait_sleeping(pid, __NR_poll, NR_PPOLL, -1));
	ASSERT_EQ(0, ioc_notify(self->other, NULL));
	EXPECT_EQ(0, reap(pid));
}

TEST_F(region, epoll_level_and_edge)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDNORM }, out;
	int lt, et;
	uint64_t seq;

	lt = epoll_create1(EPOLL_CLOEXEC);
	et = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, lt);
	ASSERT_LE(0, et);
	ASSERT_EQ(0, epoll_ctl(lt, EPOLL_CTL_ADD, self->fd, &ev));
	ev.events = EPOLLIN | EPOLLRDNORM | EPOLLET;
	ASSERT_EQ(0, epoll_ctl(et, EPOLL_CTL_ADD, self->fd, &ev));
	EXPECT_EQ(0, epoll_wait(lt, &out, 1, 0));
	EXPECT_EQ(0, epoll_wait(et, &out, 1, 0));

	ASSERT_EQ(0, ioc_notify(self->other, NULL));
	ASSERT_EQ(1, epoll_wait(lt, &out, 1, 0));
	EXPECT_EQ(EPOLLIN | EPOLLRDNORM, out.events);
	EXPECT_EQ(1, epoll_wait(lt, &out, 1, 0));	/* level: again */
	ASSERT_EQ(1, epoll_wait(et, &out, 1, 0));
	EXPECT_EQ(0, epoll_wait(et, &out, 1, 0));	/* edge: once */

	ASSERT_EQ(sizeof(seq), read(self->fd, &seq, sizeof(seq)));
	EXPECT_EQ(1, seq);
	EXPECT_EQ(0, epoll_wait(lt, &out, 1, 0));
	ASSERT_EQ(0, ioc_notify(self->other, NULL));
	EXPECT_EQ(1, epoll_wait(et, &out, 1, 0));	/* a new edge */
	close(et);
	close(lt);
}

TEST_F(region, select_readable_after_notify)
{
	struct timeval tv = { 0, 0 };
	fd_set rd;

	FD_ZERO(&rd);
	FD_SET(self->fd, &rd);
	EXPECT_EQ(0, select(self->fd + 1, &rd, NULL, NULL, &tv));
	ASSERT_EQ(0, ioc_notify(self->other, NULL));
	FD_ZERO(&rd);
	FD_SET(self->fd, &rd);
	tv = (struct timeval){ 0, 0 };
	EXPECT_EQ(1, select(self->fd + 1, &rd, NULL, NULL, &tv));
	EXPECT_TRUE(FD_ISSET(self->fd, &rd));
}

TEST_F(region, read_returns_seq_and_consumes_it)
{
	uint64_t buf[2] = { 0, 0xdeadbeef };

	ASSERT_EQ(0, ioc_notify(self->other, NULL));
	ASSERT_EQ(0, ioc_notify(self->other, NULL));
	ASSERT_EQ(0, ioc_notify(self->other, NULL));
	EXPECT_EQ(8, read(self->fd, buf, sizeof(buf)));	/* n > 8 is fine */
	EXPECT_EQ(3, buf[0]);
	EXPECT_EQ(0xdeadbeef, buf[1]);
	EXPECT_EQ(0, poll_now(self->fd));
	/* the other handle's snapshot is its own */
	EXPECT_EQ(POLLIN | POLLRDNORM, poll_now(self->other));
	ASSERT_EQ(0, ioc_notify(self->other, NULL));
	EXPECT_EQ(POLLIN | POLLRDNORM, poll_now(self->fd));
	EXPECT_EQ(8, read(self->fd, buf, 8));
	EXPECT_EQ(4, buf[0]);
}

TEST_F(region, short_read_einval)
{
	char buf[8];

	ASSERT_EQ(0, ioc_notify(self->other, NULL));
	EXPECT_EQ(-1, read(self->fd, buf, 7));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(self->fd, buf, 1));
	EXPECT_EQ(EINVAL, errno);
	/* nothing was consumed */
	EXPECT_EQ(POLLIN | POLLRDNORM, poll_now(self->fd));
}

TEST_F(region, nonblocking_read_eagain)
{
	uint64_t seq;
	int nb;

	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(self->fd, &seq, 8));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, ioc_notify(self->other, NULL));
	EXPECT_EQ(8, read(self->fd, &seq, 8));
	EXPECT_EQ(1, seq);
	EXPECT_EQ(-1, read(self->fd, &seq, 8));
	EXPECT_EQ(EAGAIN, errno);

	/* a handle opened with O_NONBLOCK */
	nb = dev_open(O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, nb);
	ASSERT_EQ(0, ioc_attach(nb, self->name, SHMR_ATTACH_RDONLY));
	EXPECT_EQ(-1, read(nb, &seq, 8));
	EXPECT_EQ(EAGAIN, errno);
	close(nb);
}

TEST_F(region, blocking_read_waits_for_notify)
{
	pid_t pid;

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t seq = 0;

		CHILD_REQUIRE(read(self->fd, &seq, 8) == 8);
		CHILD_REQUIRE(seq == 1);
		_exit(0);
	}
	ASSERT_EQ(0, wait_sleeping_in(pid, __NR_read));
	ASSERT_EQ(0, ioc_notify(self->other, NULL));
	EXPECT_EQ(0, reap(pid));
}

TEST_F(region, read_interrupted_eintr)
{
	pid_t pid;

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* a handler (not SIG_IGN), without SA_RESTART */
		struct sigaction sa = { .sa_handler = on_signal };
		uint64_t seq;

		CHILD_REQUIRE(sigaction(SIGUSR1, &sa, NULL) == 0);
		CHILD_REQUIRE(read(self->fd, &seq, 8) == -1);
		CHILD_REQUIRE(errno == EINTR);
		_exit(0);
	}
	ASSERT_EQ(0, wait_sleeping_in(pid, __NR_read));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	EXPECT_EQ(0, reap(pid));
}

TEST_F(region, fresh_handle_consumed_seq_at_bind)
{
	uint64_t seq;
	int fd;

	ASSERT_EQ(0, ioc_notify(self->other, NULL));
	ASSERT_EQ(0, ioc_notify(self->other, NULL));
	fd = dev_open(O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioc_attach(fd, self->name, 0));
	EXPECT_EQ(0, poll_now(fd));
	EXPECT_EQ(-1, read(fd, &seq, 8));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, ioc_notify(self->other, NULL));
	EXPECT_EQ(8, read(fd, &seq, 8));
	EXPECT_EQ(3, seq);
	close(fd);
}

TEST_F(region, unlink_gives_epollhup)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDNORM }, out;
	uint64_t seq;
	pid_t pid;
	int ep;

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct pollfd pfd = { .fd = self->fd, .events = POLLIN | POLLRDNORM };

		CHILD_REQUIRE(poll(&pfd, 1, -1) == 1);
		CHILD_REQUIRE(pfd.revents & POLLHUP);
		_exit(0);
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	ASSERT_EQ(0, wait_sleeping(pid, __NR_poll, NR_PPOLL, -1));
	ASSERT_EQ(0, unlink_name(self->name));
	self->unlinked = 1;
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(POLLHUP, poll_now(self->fd) & (POLLHUP | POLLERR));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ(EPOLLHUP, out.events & (EPOLLHUP | EPOLLERR));
	/* nothing new to read: EIDRM, not a sleep */
	EXPECT_EQ(-1, read(self->fd, &seq, 8));
	EXPECT_EQ(EIDRM, errno);
	close(ep);
}

TEST_F(region, unlink_wakes_blocked_read_eidrm)
{
	pid_t pid;

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t seq;

		CHILD_REQUIRE(read(self->fd, &seq, 8) == -1);
		CHILD_REQUIRE(errno == EIDRM);
		_exit(0);
	}
	ASSERT_EQ(0, wait_sleeping_in(pid, __NR_read));
	ASSERT_EQ(0, unlink_name(self->name));
	self->unlinked = 1;
	EXPECT_EQ(0, reap(pid));
}

TEST(unbound_handle_epollerr)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDNORM }, out;
	int fd, ep;

	REQUIRE_DEVICE();
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(POLLERR, poll_now(fd) & (POLLERR | POLLIN));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ(EPOLLERR, out.events & (EPOLLERR | EPOLLIN));
	close(ep);
	close(fd);
}

/*
 * A handle added to an epoll set while unbound (EPOLLERR) and bound
 * afterwards, by CREATE or ATTACH: a NOTIFY from another process wakes
 * epoll_wait, level- and edge-triggered. 0.1.0 returned EPOLLERR without
 * poll_wait(), so nothing ever woke that entry after binding.
 */
FIXTURE(early_epoll) {
	char name[SHMR_NAME_MAX];
	int fd, ep, owner;
};

FIXTURE_VARIANT(early_epoll) {
	int attach;		/* bind by ATTACH (else CREATE) */
	int edge;		/* EPOLLET */
};

FIXTURE_VARIANT_ADD(early_epoll, create_level) { .attach = 0, .edge = 0 };
FIXTURE_VARIANT_ADD(early_epoll, create_edge) { .attach = 0, .edge = 1 };
FIXTURE_VARIANT_ADD(early_epoll, attach_level) { .attach = 1, .edge = 0 };
FIXTURE_VARIANT_ADD(early_epoll, attach_edge) { .attach = 1, .edge = 1 };

FIXTURE_SETUP(early_epoll)
{
	REQUIRE_DEVICE();
	self->owner = -1;
	test_name(self->name, "early-epoll");
	if (variant->attach) {
		self->owner = create_region(self->name, page_size(), 0600, 0);
		ASSERT_LE(0, self->owner);
		ASSERT_EQ(0, ioc_notify(self->owner, NULL));
	}
	self->fd = dev_open(O_RDWR);
	ASSERT_LE(0, self->fd);
	self->ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, self->ep);
}

FIXTURE_TEARDOWN(early_epoll)
{
	unlink_name(self->name);
	close(self->ep);
	close(self->fd);
	if (self->owner >= 0)
		close(self->owner);
}

/*
 * NOTIFY @name from a child once the parent sleeps in epoll_wait; the
 * child gives up when the parent closes the other end of @sk.
 */
static pid_t notify_when_epolling(const char *name, int sk[2])
{
	pid_t parent = getpid(), pid = fork_child();
	int watch_fd = sk[1];

	if (pid)
		return pid;
	close(sk[0]);
	{
		int fd = attach_region(name, 0);

		CHILD_REQUIRE(fd >= 0);
		if (wait_sleeping(parent, __NR_epoll_wait, __NR_epoll_pwait,
				  watch_fd))
			_exit(2);	/* epoll_wait returned first */
		CHILD_REQUIRE(ioc_notify(fd, NULL) == 0);
		_exit(0);
	}
}

TEST_F(early_epoll, notify_after_bind_wakes_epoll_wait)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDNORM }, out;
	uint64_t seq, want = variant->attach ? 2 : 1;
	int sk[2];
	pid_t pid;

	if (variant->edge)
		ev.events |= EPOLLET;
	ASSERT_EQ(0, epoll_ctl(self->ep, EPOLL_CTL_ADD, self->fd, &ev));
	/* unbound: EPOLLERR */
	ASSERT_EQ(1, epoll_wait(self->ep, &out, 1, 0));
	EXPECT_EQ(EPOLLERR, out.events & (EPOLLERR | EPOLLIN));

	if (variant->attach) {
		ASSERT_EQ(0, ioc_attach(self->fd, self->name, 0));
	} else {
		ASSERT_EQ(0, ioc_create(self->fd, self->name, page_size(),
					0600, SHMR_CREATE_EXCL));
	}
	/* bound, no news yet: nothing to report */
	EXPECT_EQ(0, epoll_wait(self->ep, &out, 1, 0));

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sk));
	pid = notify_when_epolling(self->name, sk);
	ASSERT_LE(0, pid);
	out.events = 0;
	EXPECT_EQ(1, epoll_wait(self->ep, &out, 1, 5000)) {
		TH_LOG("a NOTIFY after binding did not wake epoll_wait");
	}
	EXPECT_EQ(EPOLLIN | EPOLLRDNORM, out.events);
	close(sk[0]);		/* a child still spinning gives up */
	EXPECT_EQ(0, reap(pid));
	close(sk[1]);

	if (variant->edge) {
		EXPECT_EQ(0, epoll_wait(self->ep, &out, 1, 0));	/* once */
	} else {
		EXPECT_EQ(1, epoll_wait(self->ep, &out, 1, 0));	/* level */
	}
	ASSERT_EQ(sizeof(seq), read(self->fd, &seq, sizeof(seq)));
	EXPECT_EQ(want, seq);
	EXPECT_EQ(0, epoll_wait(self->ep, &out, 1, 0));

	/* and the next NOTIFY, from this process, is a new edge */
	ASSERT_EQ(0, ioc_notify(self->fd, NULL));
	EXPECT_EQ(1, epoll_wait(self->ep, &out, 1, 1000));
	EXPECT_EQ(EPOLLIN | EPOLLRDNORM, out.events);
}

TEST_F(region, control_page_shows_seq)
{
	struct shmr_info info;
	struct shmr_ctrl *ctrl;
	uint64_t seq;

	ctrl = mmap(NULL, page_size(), PROT_READ, MAP_SHARED, self->fd,
		    SHMR_CTRL_OFFSET);
	ASSERT_NE(MAP_FAILED, ctrl);
	ASSERT_EQ(0, ioc_info(self->fd, &info));
	EXPECT_EQ(1, info.mappings);	/* the control page counts */
	EXPECT_EQ(0, ctrl_seq(ctrl));
	EXPECT_EQ(0, ctrl->flags);
	EXPECT_EQ(0, ctrl->waiters);
	ASSERT_EQ(0, ioc_notify(self->other, &seq));
	EXPECT_EQ(seq, ctrl_seq(ctrl));
	ASSERT_EQ(0, ioc_notify(self->other, &seq));
	EXPECT_EQ(2, ctrl_seq(ctrl));
	/* the page outlives the handle, and shows the unlink */
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ASSERT_EQ(0, ioc_notify(self->other, NULL));
	EXPECT_EQ(3, ctrl_seq(ctrl));
	ASSERT_EQ(0, unlink_name(self->name));
	self->unlinked = 1;
	EXPECT_EQ(SHMR_CTRL_UNLINKED, ctrl->flags);
	EXPECT_EQ(0, munmap(ctrl, page_size()));
}

TEST_F(region, control_page_seen_without_syscalls)
{
	struct shmr_ctrl *ctrl;
	uint64_t seen;
	int sk[2];
	pid_t pid;

	ctrl = mmap(NULL, page_size(), PROT_READ, MAP_SHARED, self->other,
		    SHMR_CTRL_OFFSET);
	ASSERT_NE(MAP_FAILED, ctrl);
	ASSERT_EQ(0, ioc_notify(self->other, NULL));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sk));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t start = ctrl_seq(ctrl), now;

		CHILD_REQUIRE(forbid_ioctl() == 0);
		CHILD_REQUIRE(send_byte(sk[1], 'r') == 0);
		while ((now = ctrl_seq(ctrl)) == start)
			;	/* no system call: an ioctl would kill us */
		CHILD_REQUIRE(send_u64(sk[1], now) == 0);
		_exit(0);
	}
	ASSERT_EQ('r', recv_byte(sk[0]));
	ASSERT_EQ(0, ioc_notify(self->fd, NULL));
	ASSERT_EQ(0, recv_u64(sk[0], &seen));
	EXPECT_EQ(2, seen);
	EXPECT_EQ(0, reap(pid));
	close(sk[0]);
	close(sk[1]);
	munmap(ctrl, page_size());
}

/* The filter above does kill on ioctl, so the test above can fail. */
TEST_F(region, seccomp_filter_kills_on_ioctl)
{
	pid_t pid;

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_REQUIRE(forbid_ioctl() == 0);
		ioc_notify(self->fd, NULL);
		_exit(0);
	}
	EXPECT_EQ(128 + SIGSYS, reap(pid));
}

/*
 * A read-write handle may write its control page (the eventcount:
 * eventcount_test.c; a read-only handle may not, tested there too).
 */
TEST_F(region, control_page_writable_through_read_write_handle)
{
	struct shmr_ctrl *ctrl, *ro_view;

	ctrl = mmap(NULL, page_size(), PROT_READ, MAP_SHARED, self->fd,
		    SHMR_CTRL_OFFSET);
	ASSERT_NE(MAP_FAILED, ctrl);
	EXPECT_EQ(0, mprotect(ctrl, page_size(), PROT_READ | PROT_WRITE));
	__atomic_add_fetch(&ctrl->seq, 1, __ATOMIC_SEQ_CST);
	ro_view = mmap(NULL, page_size(), PROT_READ, MAP_SHARED, self->fd,
		       SHMR_CTRL_OFFSET);
	ASSERT_NE(MAP_FAILED, ro_view);
	EXPECT_EQ(1, ctrl_seq(ro_view));
	EXPECT_EQ(0, munmap(ro_view, page_size()));
	EXPECT_EQ(0, munmap(ctrl, page_size()));
}

TEST_F(region, control_page_bad_mappings)
{
	void *p;

	p = mmap(NULL, 2 * page_size(), PROT_READ, MAP_SHARED, self->fd,
		 SHMR_CTRL_OFFSET);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, page_size(), PROT_READ, MAP_SHARED, self->fd,
		 SHMR_CTRL_OFFSET + page_size());
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, page_size(), PROT_READ, MAP_SHARED, self->fd,
		 SHMR_CTRL_OFFSET - page_size());
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, page_size(), PROT_READ, MAP_PRIVATE, self->fd,
		 SHMR_CTRL_OFFSET);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(region, control_page_on_readonly_handle)
{
	struct shmr_ctrl *ctrl;
	int ro;

	ro = attach_region(self->name, SHMR_ATTACH_RDONLY);
	ASSERT_LE(0, ro);
	ctrl = mmap(NULL, page_size(), PROT_READ, MAP_SHARED, ro,
		    SHMR_CTRL_OFFSET);
	ASSERT_NE(MAP_FAILED, ctrl);
	ASSERT_EQ(0, ioc_notify(self->fd, NULL));
	EXPECT_EQ(1, ctrl_seq(ctrl));
	munmap(ctrl, page_size());
	close(ro);
}

TEST_HARNESS_MAIN
