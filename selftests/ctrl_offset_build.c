// SPDX-License-Identifier: GPL-2.0
/*
 * Compiled, never run, by ctrl_offset_build.sh: a program that maps the
 * control page. With a 32-bit off_t (-m32 without -D_FILE_OFFSET_BITS=64)
 * SHMR_CTRL_OFFSET must not compile, since mmap() would get offset 0
 * and map the data instead; with a 64-bit off_t it must.
 */
#include <stddef.h>
#include <sys/mman.h>
#include <sys/types.h>

#include <linux/shmregion.h>

void *map_ctrl(int fd);

void *map_ctrl(int fd)
{
	return mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, SHMR_CTRL_OFFSET);
}
