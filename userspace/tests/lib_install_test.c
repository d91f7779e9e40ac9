// SPDX-License-Identifier: GPL-2.0
/*
 * Built at build time from a `make install DESTDIR=...` staging tree with
 * nothing but `pkg-config --cflags --libs shmregion` (and once with
 * --static against libshmregion.a): the installed header, .pc file and
 * library are enough to write a program that works.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <libshmregion.h>

#include "kselftest_harness.h"

TEST(installed_library_round_trip)
{
	struct shmr *w, *r;
	struct shmr_region_info info;
	char name[SHMR_NAME_MAX];
	uint64_t seq = 0;

	if (access("/dev/shmregion", F_OK))
		SKIP(return, "/dev/shmregion: %s (is the module loaded?)",
		     strerror(errno));
	snprintf(name, sizeof(name), "installtest-%d", getpid());
	ASSERT_EQ(0, shmr_create(&w, name, 1, 0600, SHMR_EXCL | SHMR_TRANSIENT));
	ASSERT_EQ(0, shmr_attach(&r, name, SHMR_RDONLY));
	strcpy(shmr_addr(w), "installed");
	ASSERT_EQ(0, shmr_notify(w, NULL));
	ASSERT_EQ(0, shmr_wait(r, &seq, SHMR_FOREVER));
	EXPECT_EQ(1, seq);
	EXPECT_STREQ("installed", (char *)shmr_addr(r));
	ASSERT_EQ(0, shmr_info(r, &info));
	EXPECT_STREQ(name, info.name);
	EXPECT_EQ(2, info.handles);
	EXPECT_EQ(0, shmr_unlink(name));
	EXPECT_EQ(-ENOENT, shmr_unlink(name));
	shmr_close(r);
	shmr_close(w);
}

TEST_HARNESS_MAIN
