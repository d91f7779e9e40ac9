// SPDX-License-Identifier: GPL-2.0
/*
 * Wait on update: WAIT returns on a NOTIFY from another process (both
 * ways), at once when the caller is behind, ETIMEDOUT (and timeout 0
 * checks without sleeping), EINTR on a signal even with SA_RESTART,
 * SIGKILL ends it, EIDRM on unlink; 10,000 NOTIFY/WAIT ping-pong rounds
 * between two processes lose no wake-up; NOTIFY returns the new seq and
 * wakes every waiter; a read-only handle may not NOTIFY (EACCES).
 *
 * A peer process with its own handle runs WAIT/NOTIFY on command; before
 * waking a sleeper we spin until /proc/PID/syscall shows it inside the
 * ioctl, so each test really exercises the sleeping path.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/shmregion.h>

#include "kselftest_harness.h"
#include "common.h"

#define SEC_NS		1000000000LL
#define PING_PONG_ROUNDS 10000

struct peer_cmd {
	char op;	/* 'W' wait, 'N' notify, 'n' notify once the parent
			 * sleeps, 'S' install a SIGUSR1 handler, 'P' pong */
	uint64_t seq;
	int64_t timeout_ns;
};

struct peer_reply {
	int32_t err;	/* 0 or an errno */
	uint32_t signals;
	uint64_t seq;
};

static volatile sig_atomic_t signals_seen;

static void on_signal(int sig)
{
	signals_seen++;
}

/* The peer's half of the ping-pong; 0, or the 1-based failing round. */
static int32_t pong(int fd, int rounds)
{
	uint64_t last = 0, seq;
	int i;

	for (i = 0; i < rounds; i++) {
		seq = last;
		if (ioc_wait(fd, &seq, 10 * SEC_NS) || seq != last + 1)
			return i + 1;
		if (ioc_notify(fd, &seq) || seq != last + 2)
			return i + 1;
		last = seq;
	}
	return 0;
}

static int peer_main(const char *name, int sk)
{
	struct peer_reply r;
	struct peer_cmd c;
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	int fd = attach_region(name, 0);

	CHILD_REQUIRE(fd >= 0);
	CHILD_REQUIRE(send_byte(sk, 'r') == 0);
	while (recv(sk, &c, sizeof(c), 0) == sizeof(c)) {
		memset(&r, 0, sizeof(r));
		r.seq = c.seq;
		switch (c.op) {
		case 'W':
			r.err = -ioc_wait(fd, &r.seq, c.timeout_ns);
			break;
		case 'n':
			CHILD_REQUIRE(wait_sleeping_in(getppid(), __NR_ioctl) == 0);
			/* fall through */
		case 'N':
			r.err = -ioc_notify(fd, &r.seq);
			break;
		case 'S':
			r.err = sigaction(SIGUSR1, &sa, NULL) ? errno : 0;
			break;
		case 'P':
			r.err = pong(fd, (int)c.seq);
			break;
		}
		r.signals = signals_seen;
		CHILD_REQUIRE(send(sk, &r, sizeof(r), MSG_NOSIGNAL) == sizeof(r));
	}
	return 0;
}

FIXTURE(peer) {
	char name[SHMR_NAME_MAX];
	int fd, sk;
	pid_t pid;
	int unlinked;
};

FIXTURE_SETUP(peer)
{
	REQUIRE_DEVICE();
	self->pid = -1;
	test_name(self->name, "peer");
	self->fd = create_region(self->name, page_size(), 0600, 0);
	ASSERT_LE(0, self->fd);
	self->pid = fork_peer(&self->sk);
	ASSERT_LE(0, self->pid);
	if (self->pid == 0)
		_exit(peer_main(self->name, self->sk));
	ASSERT_EQ('r', recv_byte(self->sk));
}

FIXTURE_TEARDOWN(peer)
{
	if (self->pid > 0)
		EXPECT_EQ(0, end_peer(self->pid, self->sk));
	if (!self->unlinked)
		EXPECT_EQ(0, unlink_name(self->name));
	close(self->fd);
}

static int peer_send(int sk, char op, uint64_t seq, int64_t timeout_ns)
{
	struct peer_cmd c = { .op = op, .seq = seq, .timeout_ns = timeout_ns };

	return send(sk, &c, sizeof(c), MSG_NOSIGNAL) == sizeof(c) ? 0 : -1;
}

static int peer_reply(int sk, struct peer_reply *r)
{
	return recv(sk, r, sizeof(*r), 0) == sizeof(*r) ? 0 : -1;
}

/* The peer sleeps in WAIT (-1 if it answered instead). */
static int peer_sleeps(FIXTURE_DATA(peer) *self)
{
	return wait_sleeping(self->pid, __NR_ioctl, __NR_ioctl, self->sk);
}

TEST_F(peer, wait_returns_on_notify)
{
	struct peer_reply r;
	uint64_t seq;

	ASSERT_EQ(0, peer_send(self->sk, 'W', 0, SHMR_WAIT_FOREVER));
	ASSERT_EQ(0, peer_sleeps(self));
	ASSERT_EQ(0, ioc_notify(self->fd, &seq));
	EXPECT_EQ(1, seq);
	ASSERT_EQ(0, peer_reply(self->sk, &r));
	EXPECT_EQ(0, r.err);
	EXPECT_EQ(1, r.seq);
}

TEST_F(peer, huge_timeout_does_not_overflow)
{
	struct peer_reply r;

	ASSERT_EQ(0, peer_send(self->sk, 'W', 0, INT64_MAX));
	ASSERT_EQ(0, peer_sleeps(self)) {
		TH_LOG("INT64_MAX ns did not sleep");
	}
	ASSERT_EQ(0, ioc_notify(self->fd, NULL));
	ASSERT_EQ(0, peer_reply(self->sk, &r));
	EXPECT_EQ(0, r.err);
	EXPECT_EQ(1, r.seq);
}

TEST_F(peer, notify_from_peer_wakes_us)
{
	struct peer_reply r;
	uint64_t seq = 0;

	/* the peer notifies once it sees us asleep in WAIT */
	ASSERT_EQ(0, peer_send(self->sk, 'n', 0, 0));
	EXPECT_EQ(0, ioc_wait(self->fd, &seq, 30 * SEC_NS));
	EXPECT_EQ(1, seq);
	ASSERT_EQ(0, peer_reply(self->sk, &r));
	EXPECT_EQ(0, r.err);
	EXPECT_EQ(1, r.seq);
}

TEST_F(peer, signal_gives_eintr_despite_sa_restart)
{
	struct peer_reply r;

	ASSERT_EQ(0, peer_send(self->sk, 'S', 0, 0));
	ASSERT_EQ(0, peer_reply(self->sk, &r));
	ASSERT_EQ(0, r.err);
	ASSERT_EQ(0, ioc_notify(self->fd, NULL));	/* seq 1 */

	ASSERT_EQ(0, peer_send(self->sk, 'W', 1, SHMR_WAIT_FOREVER));
	ASSERT_EQ(0, peer_sleeps(self));
	ASSERT_EQ(0, kill(self->pid, SIGUSR1));
	ASSERT_EQ(0, peer_reply(self->sk, &r));
	EXPECT_EQ(EINTR, r.err);
	EXPECT_EQ(1, r.seq);		/* written back on EINTR */
	EXPECT_EQ(1, r.signals);
}

TEST_F(peer, sigkill_ends_wait)
{
	struct shmr_info info;

	ASSERT_EQ(0, peer_send(self->sk, 'W', 0, SHMR_WAIT_FOREVER));
	ASSERT_EQ(0, peer_sleeps(self));
	ASSERT_EQ(0, kill(self->pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, reap(self->pid));
	self->pid = -1;
	close(self->sk);
	ASSERT_EQ(0, ioc_info(self->fd, &info));
	EXPECT_EQ(1, info.handles);	/* the dead peer's handle is gone */
	EXPECT_EQ(0, info.seq);
}

TEST_F(peer, unlink_wakes_with_eidrm)
{
	struct peer_reply r;

	ASSERT_EQ(0, ioc_notify(self->fd, NULL));
	ASSERT_EQ(0, ioc_notify(self->fd, NULL));
	ASSERT_EQ(0, peer_send(self->sk, 'W', 2, SHMR_WAIT_FOREVER));
	ASSERT_EQ(0, peer_sleeps(self));
	ASSERT_EQ(0, unlink_name(self->name));
	self->unlinked = 1;
	ASSERT_EQ(0, peer_reply(self->sk, &r));
	EXPECT_EQ(EIDRM, r.err);
	EXPECT_EQ(2, r.seq);
	/* NOTIFY still works on the unlinked region's handles */
	ASSERT_EQ(0, peer_send(self->sk, 'N', 0, 0));
	ASSERT_EQ(0, peer_reply(self->sk, &r));
	EXPECT_EQ(0, r.err);
	EXPECT_EQ(3, r.seq);
}

TEST_F_TIMEOUT(peer, ping_pong_10000_rounds, 300)
{
	struct peer_reply r;
	uint64_t seq, last = 0;
	int i;

	ASSERT_EQ(0, peer_send(self->sk, 'P', PING_PONG_ROUNDS, 0));
	for (i = 0; i < PING_PONG_ROUNDS; i++) {
		ASSERT_EQ(0, ioc_notify(self->fd, &seq));
		ASSERT_EQ(last + 1, seq);
		ASSERT_EQ(0, ioc_wait(self->fd, &seq, 10 * SEC_NS)) {
			TH_LOG("round %d: lost wake-up?", i);
		}
		ASSERT_EQ(last + 2, seq);
		last = seq;
	}
	ASSERT_EQ(0, peer_reply(self->sk, &r));
	EXPECT_EQ(0, r.err) {
		TH_LOG("the peer failed in round %d", r.err);
	}
	EXPECT_EQ(2 * PING_PONG_ROUNDS, last);
}

TEST(wait_returns_at_once_when_behind)
{
	char name[SHMR_NAME_MAX];
	uint64_t seq = 0;
	int fd;

	REQUIRE_DEVICE();
	test_name(name, "behind");
	fd = create_region(name, page_size(), 0600, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioc_notify(fd, NULL));
	ASSERT_EQ(0, ioc_notify(fd, NULL));
	EXPECT_EQ(0, ioc_wait(fd, &seq, SHMR_WAIT_FOREVER));
	EXPECT_EQ(2, seq);
	seq = 1;
	EXPECT_EQ(0, ioc_wait(fd, &seq, SHMR_WAIT_FOREVER));
	EXPECT_EQ(2, seq);
	/* any other value, even one from the future, is "behind" too */
	seq = 100;
	EXPECT_EQ(0, ioc_wait(fd, &seq, SHMR_WAIT_FOREVER));
	EXPECT_EQ(2, seq);
	EXPECT_EQ(0, unlink_name(name));
	close(fd);
}

TEST(wait_times_out)
{
	const int64_t timeout = 50 * 1000 * 1000;
	char name[SHMR_NAME_MAX];
	int64_t start, elapsed;
	uint64_t seq;
	int fd;

	REQUIRE_DEVICE();
	test_name(name, "timeout");
	fd = create_region(name, page_size(), 0600, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioc_notify(fd, &seq));
	start = now_ns();
	EXPECT_EQ(-ETIMEDOUT, ioc_wait(fd, &seq, timeout));
	elapsed = now_ns() - start;
	EXPECT_EQ(1, seq);
	EXPECT_LE(timeout, elapsed);
	EXPECT_GT(10 * SEC_NS, elapsed);
	EXPECT_EQ(0, unlink_name(name));
	close(fd);
}

TEST(wait_timeout_zero_checks_only)
{
	char name[SHMR_NAME_MAX];
	uint64_t seq = 0;
	int fd;

	REQUIRE_DEVICE();
	test_name(name, "timeout0");
	fd = create_region(name, page_size(), 0600, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ETIMEDOUT, ioc_wait(fd, &seq, 0));
	EXPECT_EQ(0, seq);
	ASSERT_EQ(0, ioc_notify(fd, NULL));
	EXPECT_EQ(0, ioc_wait(fd, &seq, 0));
	EXPECT_EQ(1, seq);
	EXPECT_EQ(-ETIMEDOUT, ioc_wait(fd, &seq, 0));
	EXPECT_EQ(1, seq);
	EXPECT_EQ(-ETIMEDOUT, ioc_wait(fd, &seq, 1));	/* 1 ns */
	EXPECT_EQ(1, seq);
	EXPECT_EQ(0, unlink_name(name));
	close(fd);
}

TEST(wait_after_unlink_eidrm)
{
	char name[SHMR_NAME_MAX];
	uint64_t seq = 1;
	int fd;

	REQUIRE_DEVICE();
	test_name(name, "eidrm");
	fd = create_region(name, page_size(), 0600, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioc_notify(fd, NULL));
	ASSERT_EQ(0, unlink_name(name));
	EXPECT_EQ(-EIDRM, ioc_wait(fd, &seq, 0));
	EXPECT_EQ(1, seq);
	EXPECT_EQ(-EIDRM, ioc_wait(fd, &seq, SHMR_WAIT_FOREVER));
	EXPECT_EQ(1, seq);
	/* news is still news after unlink */
	seq = 0;
	EXPECT_EQ(0, ioc_wait(fd, &seq, SHMR_WAIT_FOREVER));
	EXPECT_EQ(1, seq);
	close(fd);
}

TEST(notify_returns_new_seq)
{
	char name[SHMR_NAME_MAX];
	struct shmr_info info;
	uint64_t seq, i;
	int fd, fd2;

	REQUIRE_DEVICE();
	test_name(name, "notify-seq");
	fd = create_region(name, page_size(), 0600, 0);
	ASSERT_LE(0, fd);
	fd2 = attach_region(name, 0);
	ASSERT_LE(0, fd2);
	for (i = 1; i <= 5; i++) {
		ASSERT_EQ(0, ioc_notify(i % 2 ? fd : fd2, &seq));
		EXPECT_EQ(i, seq);
	}
	ASSERT_EQ(0, ioc_info(fd2, &info));
	EXPECT_EQ(5, info.seq);
	EXPECT_EQ(0, unlink_name(name));
	close(fd2);
	close(fd);
}

TEST(readonly_handle_notify_eacces)
{
	char name[SHMR_NAME_MAX];
	struct shmr_info info;
	uint64_t seq = 0;
	int fd, ro;

	REQUIRE_DEVICE();
	test_name(name, "ro-notify");
	fd = create_region(name, page_size(), 0644, 0);
	ASSERT_LE(0, fd);
	ro = attach_region(name, SHMR_ATTACH_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EACCES, ioc_notify(ro, NULL));
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_EQ(0, info.seq);
	/* but it may wait */
	ASSERT_EQ(0, ioc_notify(fd, NULL));
	EXPECT_EQ(0, ioc_wait(ro, &seq, 0));
	EXPECT_EQ(1, seq);
	EXPECT_EQ(0, unlink_name(name));
	close(ro);
	close(fd);
}

TEST(concurrent_notifies_count_exactly)
{
	const int procs = 4, rounds = 1000;
	char name[SHMR_NAME_MAX];
	uint64_t sum = 0, part, seq, n;
	int fd, sk[2], i, r;
	pid_t pids[4];

	REQUIRE_DEVICE();
	test_name(name, "notify-race");
	fd = create_region(name, page_size(), 0600, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sk));
	for (i = 0; i < procs; i++) {
		pids[i] = fork_child();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			int h = attach_region(name, 0);

			CHILD_REQUIRE(h >= 0);
			for (part = 0, r = 0; r < rounds; r++) {
				CHILD_REQUIRE(ioc_notify(h, &seq) == 0);
				part += seq;
			}
			CHILD_REQUIRE(send_u64(sk[1], part) == 0);
			_exit(0);
		}
	}
	for (i = 0; i < procs; i++) {
		ASSERT_EQ(0, recv_u64(sk[0], &part));
		sum += part;
	}
	for (i = 0; i < procs; i++)
		EXPECT_EQ(0, reap(pids[i]));
	/* every NOTIFY returned a different number: 1..n, each once */
	n = (uint64_t)procs * rounds;
	EXPECT_EQ(n * (n + 1) / 2, sum);
	seq = 0;
	EXPECT_EQ(0, ioc_wait(fd, &seq, 0));
	EXPECT_EQ(n, seq);
	EXPECT_EQ(0, unlink_name(name));
	close(sk[0]);
	close(sk[1]);
	close(fd);
}

TEST(notify_wakes_every_waiter)
{
	REQUIRE_DEVICE();
	/* every negative timeout means "forever" */
	static const int64_t timeouts[] = { SHMR_WAIT_FOREVER, -2, INT64_MIN };
	char name[SHMR_NAME_MAX];
	pid_t pids[3];
	uint64_t seq;
	int fd, i;

	test_name(name, "wake-all");
	fd = create_region(name, page_size(), 0600, 0);
	ASSERT_LE(0, fd);
	for (i = 0; i < 3; i++) {
		pids[i] = fork_child();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			int h = attach_region(name, SHMR_ATTACH_RDONLY);

			seq = 0;
			CHILD_REQUIRE(h >= 0);
			CHILD_REQUIRE(ioc_wait(h, &seq, timeouts[i]) == 0);
			CHILD_REQUIRE(seq == 1);
			_exit(0);
		}
	}
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, wait_sleeping_in(pids[i], __NR_ioctl));
	ASSERT_EQ(0, ioc_notify(fd, &seq));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, reap(pids[i]));
	EXPECT_EQ(0, unlink_name(name));
	close(fd);
}

TEST_HARNESS_MAIN
