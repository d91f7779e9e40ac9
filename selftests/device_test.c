// SPDX-License-Identifier: GPL-2.0
/*
 * The device node: it exists, every user may open it, and an ioctl it
 * does not know gives ENOTTY.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/shmregion.h>

#include "kselftest_harness.h"
#include "common.h"

TEST(device_node_is_a_char_device)
{
	struct stat st;

	REQUIRE_DEVICE();
	ASSERT_EQ(0, stat(SHMR_DEVICE_PATH, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666U, st.st_mode & 0777);
}

TEST(unknown_ioctl_is_enotty)
{
	int fd;

	REQUIRE_DEVICE();
	fd = dev_open(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, _IO(SHMR_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	/* the right number with the wrong size is unknown too */
	EXPECT_EQ(-1, ioctl(fd, _IOWR(SHMR_IOC_MAGIC, 0x00, __u64), 0));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST_HARNESS_MAIN
