// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libshmregion: a thin layer over /dev/shmregion (include/uapi/linux/
 * shmregion.h, docs/abi.md). A struct shmr_region is one handle (an open
 * file bound to a region), the region's data mapped into this process and
 * the read-only control page, where the kernel publishes the sequence
 * number so that shmr_wait() needs no system call when there is news.
 *
 * Every call that can fail returns 0 or a negative errno value.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/shmregion.h>

#include "libshmregion.h"

#define SHMR_PROC_LIST	"/proc/driver/shmregion"

/* The library's create flags are the kernel's bits. */
_Static_assert(SHMR_EXCL == SHMR_CREATE_EXCL, "EXCL bit");
_Static_assert(SHMR_LAZY == SHMR_CREATE_LAZY, "LAZY bit");
_Static_assert(SHMR_TRANSIENT == SHMR_CREATE_TRANSIENT, "TRANSIENT bit");

struct shmr_region {
	int fd;
	unsigned int flags;		/* SHMR_RDONLY, SHMR_CREATED */
	void *addr;
	size_t size;
	const struct shmr_ctrl *ctrl;	/* NULL: no control page mapped */
	size_t ctrl_size;
};

/* Copy a name into an ioctl's name field: -EINVAL when it cannot fit. */
static int copy_name(char dst[SHMR_NAME_MAX], const char *name)
{
	size_t len;

	if (!name)
		return -EINVAL;
	len = strnlen(name, SHMR_NAME_MAX);
	if (len == 0 || len >= SHMR_NAME_MAX)
		return -EINVAL;
	memcpy(dst, name, len + 1);
	return 0;
}

/* Open the device; a missing node means the module is not loaded. */
static int open_device(int oflags)
{
	int fd = open(SHMR_DEVICE_PATH, oflags | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
		return -ENODEV;
	return -errno;
}

/* The kernel's INFO flags in the library's terms. */
static unsigned int info_flags(uint32_t kflags)
{
	unsigned int flags = kflags & (SHMR_LAZY | SHMR_TRANSIENT);

	if (kflags & SHMR_INFO_UNLINKED)
		flags |= SHMR_UNLINKED;
	if (kflags & SHMR_INFO_RDONLY)
		flags |= SHMR_RDONLY;
	return flags;
}

/*
 * Map the data and the control page of a freshly bound handle and hand
 * the region out. Without a control page the library still works, only
 * every shmr_wait() enters the kernel.
 */
static int finish_open(struct shmr_region **regionp, int fd, uint64_t size,
		       unsigned int flags)
{
	int prot = (flags & SHMR_RDONLY) ? PROT_READ : PROT_READ | PROT_WRITE;
	struct shmr_region *r;
	void *ctrl;
	int ret;

	if (size > SIZE_MAX)
		return -EOVERFLOW;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fd = fd;
	r->flags = flags;
	r->size = size;
	r->addr = mmap(NULL, r->size, prot, MAP_SHARED, fd, 0);
	if (r->addr == MAP_FAILED) {
		ret = -errno;
		free(r);
		return ret;
	}
	r->ctrl_size = sysconf(_SC_PAGESIZE);
	ctrl = mmap(NULL, r->ctrl_size, PROT_READ, MAP_SHARED, fd,
		    SHMR_CTRL_OFFSET);
	r->ctrl = ctrl == MAP_FAILED ? NULL : ctrl;
	*regionp = r;
	return 0;
}

int shmr_create(struct shmr_region **regionp, const char *name, size_t size,
		unsigned int mode, unsigned int flags)
{
	struct shmr_create c = { .size = size, .mode = mode, .flags = flags };
	int fd, ret;

	if (!regionp || flags & ~(SHMR_EXCL | SHMR_LAZY | SHMR_TRANSIENT))
		return -EINVAL;
	ret = copy_name(c.name, name);
	if (ret)
		return ret;
	fd = open_device(O_RDWR);
	if (fd < 0)
		return fd;
	if (ioctl(fd, SHMR_IOC_CREATE, &c)) {
		ret = -errno;
		goto err_close;
	}
	ret = finish_open(regionp, fd, c.size,
			  c.result & SHMR_RESULT_CREATED ? SHMR_CREATED : 0);
	if (ret)
		goto err_close;
	return 0;

err_close:
	close(fd);
	return ret;
}

int shmr_attach(struct shmr_region **regionp, const char *name,
		unsigned int flags)
{
	struct shmr_attach a = { .flags = 0 };
	int fd, ret;

	if (!regionp || flags & ~SHMR_RDONLY)
		return -EINVAL;
	ret = copy_name(a.name, name);
	if (ret)
		return ret;
	if (flags & SHMR_RDONLY)
		a.flags = SHMR_ATTACH_RDONLY;
	fd = open_device(flags & SHMR_RDONLY ? O_RDONLY : O_RDWR);
	if (fd < 0)
		return fd;
	if (ioctl(fd, SHMR_IOC_ATTACH, &a)) {
		ret = -errno;
		goto err_close;
	}
	ret = finish_open(regionp, fd, a.size, flags & SHMR_RDONLY);
	if (ret)
		goto err_close;
	return 0;

err_close:
	close(fd);
	return ret;
}

void shmr_close(struct shmr_region *region)
{
	if (!region)
		return;
	if (region->ctrl)
		munmap((void *)region->ctrl, region->ctrl_size);
	munmap(region->addr, region->size);
	close(region->fd);
	free(region);
}

void *shmr_addr(const struct shmr_region *region)
{
	return region->addr;
}

size_t shmr_size(const struct shmr_region *region)
{
	return region->size;
}

int shmr_fd(const struct shmr_region *region)
{
	return region->fd;
}

uint64_t shmr_seq(const struct shmr_region *region)
{
	struct shmr_info info;

	/* Pairs with the kernel's store-release of seq after NOTIFY. */
	if (region->ctrl)
		return __atomic_load_n(&region->ctrl->seq, __ATOMIC_ACQUIRE);
	memset(&info, 0, sizeof(info));
	if (ioctl(region->fd, SHMR_IOC_INFO, &info))
		return 0;
	return info.seq;
}

int shmr_wait(struct shmr_region *region, uint64_t *seq, int64_t timeout_ns)
{
	struct shmr_wait w = { .timeout_ns = timeout_ns };
	uint64_t now;

	if (!seq)
		return -EINVAL;
	if (region->ctrl) {
		/* Pairs with the kernel's store-release of seq after NOTIFY. */
		now = __atomic_load_n(&region->ctrl->seq, __ATOMIC_ACQUIRE);
		if (now != *seq) {
			*seq = now;
			return 0;
		}
		if (timeout_ns == 0)
			return __atomic_load_n(&region->ctrl->flags,
					       __ATOMIC_ACQUIRE) &
			       SHMR_CTRL_UNLINKED ? -EIDRM : -ETIMEDOUT;
	}
	if (timeout_ns < 0)
		w.timeout_ns = SHMR_WAIT_FOREVER;
	w.seq = *seq;
	if (ioctl(region->fd, SHMR_IOC_WAIT, &w))
		return -errno;
	*seq = w.seq;
	return 0;
}

int shmr_notify(struct shmr_region *region, uint64_t *seq)
{
	struct shmr_notify n = { .flags = 0 };

	if (ioctl(region->fd, SHMR_IOC_NOTIFY, &n))
		return -errno;
	if (seq)
		*seq = n.seq;
	return 0;
}

int shmr_info(struct shmr_region *region, struct shmr_region_info *info)
{
	struct shmr_info k;

	if (!info)
		return -EINVAL;
	memset(&k, 0, sizeof(k));
	if (ioctl(region->fd, SHMR_IOC_INFO, &k))
		return -errno;
	memset(info, 0, sizeof(*info));
	memcpy(info->name, k.name, SHMR_NAME_MAX);
	info->name[SHMR_NAME_MAX - 1] = '\0';
	info->size = k.size;
	info->seq = k.seq;
	info->uid = k.uid;
	info->gid = k.gid;
	info->mode = k.mode;
	info->flags = info_flags(k.flags) | (region->flags & SHMR_CREATED);
	info->handles = k.handles;
	info->mappings = k.mappings;
	return 0;
}

int shmr_unlink(const char *name)
{
	struct shmr_unlink u = { .flags = 0 };
	int fd, ret;

	ret = copy_name(u.name, name);
	if (ret)
		return ret;
	fd = open_device(O_RDONLY);
	if (fd < 0)
		return fd;
	ret = ioctl(fd, SHMR_IOC_UNLINK, &u) ? -errno : 0;
	close(fd);
	return ret;
}

/*
 * One line of /proc/driver/shmregion:
 *	size seq uid gid mode handles mappings flags name
 * with mode in octal, flags in hex and the name running to the end of
 * the line (it may contain spaces).
 */
static int parse_line(char *line, struct shmr_region_info *info)
{
	unsigned int uid, gid, mode, handles, mappings, flags;
	uint64_t size, seq;
	size_t len;
	int pos = -1;

	if (sscanf(line, "%" SCNu64 " %" SCNu64 " %u %u %o %u %u %x%n",
		   &size, &seq, &uid, &gid, &mode, &handles, &mappings, &flags,
		   &pos) != 8 || pos < 0 || line[pos] != ' ')
		return -EPROTO;
	line += pos + 1;
	len = strcspn(line, "\n");
	if (len == 0 || len >= SHMR_NAME_MAX)
		return -EPROTO;
	memset(info, 0, sizeof(*info));
	memcpy(info->name, line, len);
	info->size = size;
	info->seq = seq;
	info->uid = uid;
	info->gid = gid;
	info->mode = mode;
	info->flags = info_flags(flags);
	info->handles = handles;
	info->mappings = mappings;
	return 0;
}

int shmr_list(struct shmr_region_info **listp, size_t *countp)
{
	struct shmr_region_info *list = NULL, *bigger;
	size_t count = 0, room = 0, linesz = 0;
	char *line = NULL;
	FILE *f;
	int ret;

	if (!listp || !countp)
		return -EINVAL;
	f = fopen(SHMR_PROC_LIST, "re");
	if (!f)
		return errno == ENOENT ? -ENODEV : -errno;
	/* the header line names the fields */
	if (getline(&line, &linesz, f) < 0 || strncmp(line, "size ", 5)) {
		ret = ferror(f) ? -EIO : -EPROTO;
		goto err_free;
	}
	while (getline(&line, &linesz, f) >= 0) {
		if (count == room) {
			room = room ? 2 * room : 16;
			bigger = realloc(list, room * sizeof(*list));
			if (!bigger) {
				ret = -ENOMEM;
				goto err_free;
			}
			list = bigger;
		}
		ret = parse_line(line, &list[count]);
		if (ret)
			goto err_free;
		count++;
	}
	if (ferror(f)) {
		ret = -EIO;
		goto err_free;
	}
	free(line);
	fclose(f);
	*listp = list;
	*countp = count;
	return 0;

err_free:
	free(list);
	free(line);
	fclose(f);
	return ret;
}

void shmr_list_free(struct shmr_region_info *list)
{
	free(list);
}
