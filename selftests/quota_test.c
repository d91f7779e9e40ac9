// SPDX-License-Identifier: GPL-2.0
/*
 * Who pays for a region, and when.
 *
 * Per-user limits: with max_user_regions or max_user_bytes lowered, an
 * unprivileged user (nobody, no CAP_SYS_RESOURCE) gets EDQUOT from the
 * CREATE that would pass its limit, while another user still can
 * create and root is not limited; unlinking (or the last close of a
 * transient region) gives the quota back, all of it.
 *
 * Racing CREATEs near the global limit: max_total_bytes is set so that
 * one more region of S bytes and one page fit. Two processes CREATE one
 * name (S bytes, no EXCL) at the same moment while a third CREATEs a
 * one-page region of another name, many times over: one of the two makes
 * the region and the other attaches, and nobody gets ENOSPC. (0.1.0
 * charged and populated both copies before the loser freed its own.)
 *
 * The module parameters are restored in each fixture's teardown.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/shmregion.h>

#include "kselftest_harness.h"
#include "common.h"

#define OTHER_UID	65533
#define NR_PARAMS	4

static const char *const param_paths[NR_PARAMS] = {
	SHMR_PARAM_DIR "/max_user_regions",
	SHMR_PARAM_DIR "/max_user_bytes",
	SHMR_PARAM_DIR "/max_total_bytes",
	SHMR_PARAM_DIR "/max_regions",
};

enum { P_USER_REGIONS, P_USER_BYTES, P_TOTAL_BYTES, P_REGIONS };

/* --- per-user limits --------------------------------------------------- */

FIXTURE(quota) {
	char saved[NR_PARAMS][64];
	int nr_names;
	char names[24][SHMR_NAME_MAX];
	uint64_t regions, bytes;
};

FIXTURE_SETUP(quota)
{
	int i;

	REQUIRE_DEVICE();
	/* a parameter the module lacks stays unset: writing it fails */
	for (i = 0; i < NR_PARAMS; i++)
		if (read_file(param_paths[i], self->saved[i],
			      sizeof(self->saved[i])))
			self->saved[i][0] = '\0';
	self->regions = nr_regions();
	self->bytes = nr_bytes();
}

FIXTURE_TEARDOWN(quota)
{
	int i;

	for (i = 0; i < self->nr_names; i++)
		unlink_name(self->names[i]);
	for (i = 0; i < NR_PARAMS; i++)
		if (self->saved[i][0])
			EXPECT_EQ(0, write_file(param_paths[i], self->saved[i]));
	EXPECT_EQ(self->regions, nr_regions());
	EXPECT_EQ(self->bytes, nr_bytes());
}

/* The name of the test's region @i (remembered for the teardown). */
static const char *qname(FIXTURE_DATA(quota) *self, int i)
{
	char tag[16];

	snprintf(tag, sizeof(tag), "quota-%d", i);
	test_name(self->names[i], tag);
	if (i >= self->nr_names)
		self->nr_names = i + 1;
	return self->names[i];
}

struct create_req {
	const char *name;
	uint64_t size;
	uint32_t flags;
};

/* In a child: CREATE and leave; 0 or the errno. */
static int create_child(void *arg)
{
	const struct create_req *r = arg;
	int fd = create_region(r->name, r->size, 0600, r->flags);

	return fd >= 0 ? 0 : -fd;
}

/* CREATE @name as @uid: 0 or -errno (-1000: the child failed). */
static int create_as(uid_t uid, const char *name, size_t pages,
		     uint32_t flags)
{
	struct create_req r = { name, pages * page_size(), flags };
	int ret = run_as(uid, uid == 0 ? 0 : GID_NOBODY, create_child, &r);

	return ret < 0 || ret >= 126 ? -1000 : -ret;
}

TEST_F(quota, max_user_regions_edquot)
{
	int i;

	ASSERT_EQ(0, write_u64(param_paths[P_USER_REGIONS], 3));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, create_as(UID_NOBODY, qname(self, i), 1, 0));
	/* the fourth, any kind */
	EXPECT_EQ(-EDQUOT, create_as(UID_NOBODY, qname(self, 3), 1, 0));
	EXPECT_EQ(-EDQUOT, create_as(UID_NOBODY, qname(self, 3), 1,
				     SHMR_CREATE_LAZY | SHMR_CREATE_TRANSIENT));
	EXPECT_EQ(-ENOENT, unlink_name(self->names[3]));
	/* another user is not at its limit */
	EXPECT_EQ(0, create_as(OTHER_UID, qname(self, 4), 1, 0));
	/* root (CAP_SYS_RESOURCE) is not limited */
	for (i = 5; i < 10; i++)
		EXPECT_EQ(0, create_as(0, qname(self, i), 1, 0));
	/* still at the limit; one unlink gives one back */
	EXPECT_EQ(-EDQUOT, create_as(UID_NOBODY, qname(self, 3), 1, 0));
	ASSERT_EQ(0, unlink_name(self->names[0]));
	EXPECT_EQ(0, create_as(UID_NOBODY, qname(self, 3), 1, 0));
	EXPECT_EQ(-EDQUOT, create_as(UID_NOBODY, qname(self, 0), 1, 0));
	/* everything unlinked: the whole quota again */
	for (i = 0; i < 10; i++)
		unlink_name(self->names[i]);
	EXPECT_EQ(self->regions, nr_regions());
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, create_as(UID_NOBODY, qname(self, i), 1, 0));
	EXPECT_EQ(-EDQUOT, create_as(UID_NOBODY, qname(self, 3), 1, 0));
}

TEST_F(quota, transient_region_gives_its_quota_back)
{
	int i, round;

	ASSERT_EQ(0, write_u64(param_paths[P_USER_REGIONS], 2));
	ASSERT_EQ(0, write_u64(param_paths[P_USER_BYTES], 4 * page_size()));
	/* each child's transient region is gone when the child exits */
	for (round = 0; round < 4; round++)
		for (i = 0; i < 2; i++)
			EXPECT_EQ(0, create_as(UID_NOBODY, qname(self, i), 2,
					       SHMR_CREATE_TRANSIENT)) {
				TH_LOG("round %d region %d", round, i);
			}
	EXPECT_EQ(self->regions, nr_regions());
}

TEST_F(quota, max_user_bytes_edquot)
{
	int i;

	ASSERT_EQ(0, write_u64(param_paths[P_USER_BYTES], 4 * page_size()));
	ASSERT_EQ(0, create_as(UID_NOBODY, qname(self, 0), 3, 0));
	EXPECT_EQ(-EDQUOT, create_as(UID_NOBODY, qname(self, 1), 2, 0));
	EXPECT_EQ(-EDQUOT, create_as(UID_NOBODY, qname(self, 1), 2,
				     SHMR_CREATE_LAZY));
	EXPECT_EQ(0, create_as(UID_NOBODY, qname(self, 1), 1, 0));
	EXPECT_EQ(-EDQUOT, create_as(UID_NOBODY, qname(self, 2), 1, 0));
	/* a region over the whole quota fails even for a fresh user ... */
	EXPECT_EQ(-EDQUOT, create_as(OTHER_UID, qname(self, 2), 5, 0));
	/* ... which can still use all of its own */
	EXPECT_EQ(0, create_as(OTHER_UID, qname(self, 2), 4, 0));
	/* root is not limited */
	EXPECT_EQ(0, create_as(0, qname(self, 3), 16, 0));
	/* unlinked, nobody's bytes come back, all of them */
	ASSERT_EQ(0, unlink_name(self->names[0]));
	ASSERT_EQ(0, unlink_name(self->names[1]));
	EXPECT_EQ(0, create_as(UID_NOBODY, qname(self, 4), 4, 0));
	EXPECT_EQ(-EDQUOT, create_as(UID_NOBODY, qname(self, 5), 1, 0));
	for (i = 0; i < 6; i++)
		unlink_name(self->names[i]);
	EXPECT_EQ(self->bytes, nr_bytes());
}

/* --- racing CREATEs near the global limit ------------------------------ */

#define RACE_ROUNDS	30
#define RACE_PAGES	256	/* S: populated page by page, a wide window */

struct racer_report {
	int32_t err;		/* 0 or the CREATE's errno */
	uint32_t result;	/* shmr_create.result */
	uint64_t size;
};

/*
 * A racer: on each 'g' CREATE @name (+ the round) and report; on 'c'
 * close the handle and acknowledge; exit on EOF.
 */
static int racer(int sk, const char *base, size_t pages, uint32_t flags)
{
	struct racer_report rep;
	struct shmr_create c;
	char name[SHMR_NAME_MAX];
	int cmd, fd = -1, round = 0;

	while ((cmd = recv_byte(sk)) > 0) {
		if (cmd == 'c') {
			if (fd >= 0)
				close(fd);
			fd = -1;
			CHILD_REQUIRE(send_byte(sk, 'k') == 0);
			continue;
		}
		snprintf(name, sizeof(name), "%.48s-%d", base, round++);
		fd = dev_open(O_RDWR);
		CHILD_REQUIRE(fd >= 0);
		rep.err = -ioc_create_out(fd, name, pages * page_size(), 0600,
					  flags, &c);
		rep.result = c.result;
		rep.size = c.size;
		if (rep.err) {
			close(fd);
			fd = -1;
		}
		CHILD_REQUIRE(send(sk, &rep, sizeof(rep), MSG_NOSIGNAL) ==
			      sizeof(rep));
	}
	return 0;
}

TEST_F_TIMEOUT(quota, racing_creates_of_one_name_near_the_limit, 180)
{
	const size_t big = RACE_PAGES * page_size();
	char same[SHMR_NAME_MAX], other[SHMR_NAME_MAX], name[SHMR_NAME_MAX];
	struct timeval tmo = { .tv_sec = 10 };
	struct racer_report rep[3];
	int sk[3][2], i, k, round, created, enospc = 0, bad = 0;
	pid_t pids[3];

	test_name(same, "race-same");
	test_name(other, "race-other");
	/* exactly one more S-byte region and one page fit, and two regions */
	ASSERT_EQ(0, write_u64(param_paths[P_TOTAL_BYTES],
			       self->bytes + big + page_size()));
	ASSERT_EQ(0, write_u64(param_paths[P_REGIONS], self->regions + 2));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sk[i]));
		pids[i] = fork_child();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			/* only the parent holds the other ends: EOF ends us */
			for (k = 0; k <= i; k++)
				close(sk[k][0]);
			_exit(i < 2 ? racer(sk[i][1], same, RACE_PAGES, 0) :
			      racer(sk[i][1], other, 1, SHMR_CREATE_EXCL));
		}
		close(sk[i][1]);
		/* a racer stuck in the kernel fails the test, not the clock */
		ASSERT_EQ(0, setsockopt(sk[i][0], SOL_SOCKET, SO_RCVTIMEO,
					&tmo, sizeof(tmo)));
	}
	for (round = 0; round < RACE_ROUNDS; round++) {
		for (i = 0; i < 3; i++)
			ASSERT_EQ(0, send_byte(sk[i][0], 'g'));
		for (i = 0; i < 3; i++)
			ASSERT_EQ(sizeof(rep[i]), recv(sk[i][0], &rep[i],
						       sizeof(rep[i]), 0)) {
				TH_LOG("round %d: racer %d did not answer", round, i);
			}
		created = 0;
		for (i = 0; i < 3; i++) {
			enospc += rep[i].err == ENOSPC;
			if (rep[i].err) {
				bad++;
				if (bad <= 5)
					TH_LOG("round %d: racer %d: %s", round,
					       i, strerror(rep[i].err));
				continue;
			}
			if (i < 2) {
				created += !!(rep[i].result & SHMR_RESULT_CREATED);
				EXPECT_EQ(big, rep[i].size);
			}
		}
		if (!rep[0].err && !rep[1].err && created != 1) {
			bad++;
			TH_LOG("round %d: %d of two racers made the region",
			       round, created);
		}
		/* unlink both names and close every handle: back to the start */
		snprintf(name, sizeof(name), "%.48s-%d", same, round);
		unlink_name(name);
		snprintf(name, sizeof(name), "%.48s-%d", other, round);
		unlink_name(name);
		for (i = 0; i < 3; i++)
			ASSERT_EQ(0, send_byte(sk[i][0], 'c'));
		for (i = 0; i < 3; i++)
			ASSERT_EQ('k', recv_byte(sk[i][0])) {
				TH_LOG("round %d: racer %d did not close", round, i);
			}
		ASSERT_EQ(self->bytes, nr_bytes());
		if (bad >= 10) {
			round++;
			break;		/* proven wrong: spare the time */
		}
	}
	for (i = 0; i < 3; i++) {
		close(sk[i][0]);
		EXPECT_EQ(0, reap(pids[i]));
	}
	TH_LOG("%d rounds: %d spurious ENOSPC, %d bad answers", round,
	       enospc, bad);
	EXPECT_EQ(0, enospc);
	EXPECT_EQ(0, bad);
}

TEST_HARNESS_MAIN
