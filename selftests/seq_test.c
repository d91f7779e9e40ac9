// SPDX-License-Identifier: GPL-2.0
/*
 * The sequence number as a process sees it: one counter, never going
 * backwards, whichever way it is read.
 *
 * seq_never_goes_backwards: several processes NOTIFY in a loop while a
 * waiter does exactly what libshmregion's shmr_wait() does (an acquire
 * load of the control page's seq; when that equals the last number seen,
 * the WAIT ioctl) for a few seconds; every number it gets must be at
 * least the one before, and the final seq is the number of NOTIFYs.
 * With two counters (0.1.0: WAIT read one, the control page showed a
 * copy written after it) the waiter saw N+1 from WAIT and then N.
 *
 * read_restarted_under_sa_restart: a signal whose handler has
 * SA_RESTART interrupts a blocking read() of the handle; the read is
 * restarted (it does not fail with EINTR) and returns the sequence of
 * the NOTIFY that comes after. (WAIT is never restarted: wait_test's
 * wait_eintr_even_with_sa_restart.)
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/shmregion.h>

#include "kselftest_harness.h"
#include "common.h"

#define NOTIFIERS	3
#define RUN_NS		(5 * 1000000000LL)
#define SLICE_NS	(20 * 1000000LL)	/* one WAIT at the most */

/* Shared between the waiter and the notifiers. */
struct race {
	int stop;
	uint64_t notifies[NOTIFIERS];	/* successful NOTIFYs, each */
};

static uint64_t ctrl_seq(const struct shmr_ctrl *ctrl)
{
	return __atomic_load_n(&ctrl->seq, __ATOMIC_ACQUIRE);
}

/*
 * With two CPUs or more, the waiter runs on the first and the notifiers
 * on the second, so that a NOTIFY is always in flight beside the waiter.
 */
static void pin_to(int cpu)
{
	cpu_set_t set;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* A notifier: NOTIFY until told to stop; each answer must grow. */
static int notifier(const char *name, struct race *race, int idx)
{
	uint64_t seq, last = 0;
	int fd = attach_region(name, 0);

	CHILD_REQUIRE(fd >= 0);
	pin_to(1);
	/* more CPU for the waiter, which has the checking to do */
	CHILD_REQUIRE(nice(10) != -1);
	while (!__atomic_load_n(&race->stop, __ATOMIC_RELAXED)) {
		CHILD_REQUIRE(ioc_notify(fd, &seq) == 0);
		CHILD_REQUIRE(seq > last);
		last = seq;
		__atomic_store_n(&race->notifies[idx], race->notifies[idx] + 1,
				 __ATOMIC_RELAXED);
	}
	return 0;
}

TEST(seq_never_goes_backwards)
{
	char name[SHMR_NAME_MAX];
	const struct shmr_ctrl *ctrl;
	struct shmr_info info;
	struct race *race;
	uint64_t last = 0, now, seq, checks = 0, waits = 0, backwards = 0;
	uint64_t first_from = 0, first_to = 0, total = 0, iter = 0;
	uint64_t first_at = 0, timeouts = 0;
	int64_t first_ns = 0;
	pid_t pids[NOTIFIERS];
	int64_t end;
	int fd, i, ret;

	REQUIRE_DEVICE();
	test_name(name, "backwards");
	fd = create_region(name, page_size(), 0600, 0);
	ASSERT_LE(0, fd);
	ctrl = map_region(fd, page_size(), PROT_READ, SHMR_CTRL_OFFSET);
	ASSERT_NE(MAP_FAILED, ctrl);
	race = mmap(NULL, sizeof(*race), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, race);
	for (i = 0; i < NOTIFIERS; i++) {
		pids[i] = fork_child();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			_exit(notifier(name, race, i));
	}

	pin_to(0);
	/* libshmregion's shmr_wait(), in a loop */
	end = now_ns() + RUN_NS;
	/* (the clock is read now and then: it may be a system call) */
	while ((++iter & 1023) || now_ns() < end) {
		now = ctrl_seq(ctrl);
		if (now == last) {
			seq = last;
			ret = ioc_wait(fd, &seq, SLICE_NS);
			waits++;
			if (ret == -ETIMEDOUT) {
				timeouts++;
				continue;
			}
			ASSERT_EQ(0, ret);
			ASSERT_NE(last, seq);
			now = seq;
		}
		checks++;
		if (now < last && !backwards++) {
			first_from = last;
			first_to = now;
			first_at = checks;
			first_ns = now_ns() - (end - RUN_NS);
		}
		last = now;
	}
	__atomic_store_n(&race->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < NOTIFIERS; i++) {
		EXPECT_EQ(0, reap(pids[i]));
		total += race->notifies[i];
	}
	TH_LOG("%llu checks (%llu WAITs, %llu timed out), %llu NOTIFYs, %llu backward steps",
	       (unsigned long long)checks, (unsigned long long)waits,
	       (unsigned long long)timeouts,
	       (unsigned long long)total, (unsigned long long)backwards);
	EXPECT_EQ(0, backwards) {
		TH_LOG("first: %llu after %llu, check %llu, at %lld ms",
		       (unsigned long long)first_to,
		       (unsigned long long)first_from,
		       (unsigned long long)first_at,
		       (long long)(first_ns / 1000000));
	}
	EXPECT_LT(100, checks);	/* it did race */
	/* every NOTIFY counted once, and all three views agree */
	ASSERT_EQ(0, ioc_info(fd, &info));
	EXPECT_EQ(total, info.seq);
	EXPECT_EQ(total, ctrl_seq(ctrl));
	seq = 0;
	EXPECT_EQ(0, ioc_wait(fd, &seq, 0));
	EXPECT_EQ(total, seq);
	munmap((void *)ctrl, page_size());
	munmap(race, sizeof(*race));
	EXPECT_EQ(0, unlink_name(name));
	close(fd);
}

static volatile sig_atomic_t handled;
static int handler_sk = -1;

/* Count, and tell the helper child that the handler ran. */
static void on_usr1(int sig)
{
	char c = 'h';

	handled++;
	if (write(handler_sk, &c, 1) != 1)
		handled += 100;
}

TEST(read_restarted_under_sa_restart)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	char name[SHMR_NAME_MAX];
	pid_t pid, reader = getpid();
	uint64_t v = 0;
	int fd, sk[2];
	ssize_t n;

	REQUIRE_DEVICE();
	test_name(name, "restart");
	fd = create_region(name, page_size(), 0600, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sk));
	handler_sk = sk[0];
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int other = attach_region(name, 0);

		close(sk[0]);
		CHILD_REQUIRE(other >= 0);
		/* the reader sleeps in read(): interrupt it */
		CHILD_REQUIRE(wait_sleeping_in(reader, __NR_read) == 0);
		CHILD_REQUIRE(kill(reader, SIGUSR1) == 0);
		CHILD_REQUIRE(recv_byte(sk[1]) == 'h');
		/*
		 * After the handler it must sleep in read() again (restarted);
		 * a read that returned instead closes the socket.
		 */
		if (wait_sleeping(reader, __NR_read, __NR_read, sk[1]))
			_exit(2);
		CHILD_REQUIRE(ioc_notify(other, NULL) == 0);
		_exit(0);
	}
	close(sk[1]);
	n = read(fd, &v, sizeof(v));
	EXPECT_EQ(sizeof(v), n) {
		TH_LOG("read: %s after %d signal(s)",
		       n < 0 ? strerror(errno) : "short", (int)handled);
	}
	EXPECT_EQ(1, v);
	EXPECT_EQ(1, handled);
	shutdown(sk[0], SHUT_RDWR);
	close(sk[0]);
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, unlink_name(name));
	close(fd);
}

TEST_HARNESS_MAIN
