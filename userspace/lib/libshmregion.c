// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libshmregion: a thin layer over /dev/shmregion (include/uapi/linux/
 * shmregion.h, docs/abi.md). A struct shmr is one handle (an open file
 * bound to a region), the region's data mapped into this process and the
 * read-only control page, where the kernel publishes the sequence number
 * so that shmr_wait() needs no system call when there is news.
 *
 * Every call that can fail returns 0 or a negative errno value.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/shmregion.h>

#include "libshmregion.h"

/*
 * The library's first create flags are the kernel's bits (shmr_create()
 * passes them through, info_flags() takes them back); SHMR_HUGE came
 * after the library had given bit 3 to SHMR_RDONLY, so it is translated.
 * The library's other flags are its own and must not collide.
 */
#define SHMR_PASSED_FLAGS	(SHMR_EXCL | SHMR_LAZY | SHMR_TRANSIENT)
_Static_assert(SHMR_EXCL == SHMR_CREATE_EXCL, "EXCL bit");
_Static_assert(SHMR_LAZY == SHMR_CREATE_LAZY, "LAZY bit");
_Static_assert(SHMR_TRANSIENT == SHMR_CREATE_TRANSIENT, "TRANSIENT bit");
_Static_assert((SHMR_PASSED_FLAGS | SHMR_CREATE_HUGE) == SHMR_CREATE_FLAGS,
	       "every create flag has a library name");
_Static_assert(((SHMR_RDONLY | SHMR_UNLINKED | SHMR_CREATED | SHMR_HUGE) &
		SHMR_PASSED_FLAGS) == 0, "library-only flags are apart");
_Static_assert(sizeof(((struct shmr_region_info *)0)->name) ==
	       sizeof(((struct shmr_info *)0)->name), "name length");
_Static_assert(SHMR_FOREVER == SHMR_WAIT_FOREVER, "no time limit");

/*
 * The control page is mapped on first use (ctrl_of()), not at open: a
 * handle that never waits or notifies costs one mmap() less, and two
 * system calls less with its munmap(). @ctrl is the page's address with
 * CTRL_WRITABLE in its low bit, set once with a compare-and-swap (two
 * threads may race to map it: the loser unmaps its own); CTRL_NONE when
 * the module has no control page for us.
 */
struct shmr {
	int fd;
	unsigned int flags;		/* SHMR_RDONLY, SHMR_CREATED */
	void *addr;
	size_t size;
	uintptr_t ctrl;			/* 0: not mapped yet; see above */
};

#define CTRL_WRITABLE	((uintptr_t)1)	/* shmr_notify() without a syscall */
#define CTRL_NONE	((uintptr_t)2)	/* no control page: use the ioctls */
#define CTRL_PAGE(w)	((struct shmr_ctrl *)((w) & ~(CTRL_WRITABLE | CTRL_NONE)))

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

	if (kflags & SHMR_CREATE_HUGE)
		flags |= SHMR_HUGE;
	if (kflags & SHMR_INFO_UNLINKED)
		flags |= SHMR_UNLINKED;
	if (kflags & SHMR_INFO_RDONLY)
		flags |= SHMR_RDONLY;
	return flags;
}

/* What INFO or LIST said about a region, in the library's terms. */
static void to_region_info(const struct shmr_info *k,
			   struct shmr_region_info *info)
{
	memset(info, 0, sizeof(*info));
	memcpy(info->name, k->name, SHMR_NAME_MAX);
	info->name[SHMR_NAME_MAX - 1] = '\0';
	info->size = k->size;
	info->seq = k->seq;
	info->uid = k->uid;
	info->gid = k->gid;
	info->mode = k->mode;
	info->flags = info_flags(k->flags);
	info->handles = k->handles;
	info->mappings = k->mappings;
}

/*
 * Map the control page: writable for a read-write handle, so that
 * shmr_notify() can skip the system call (a module before 0.3.0 refuses
 * that: then read-only). Without a control page the library still works,
 * only every shmr_wait() and shmr_notify() enters the kernel.
 *
 * Return: the word for @region->ctrl (CTRL_NONE without a page).
 */
static uintptr_t ctrl_map(const struct shmr *region)
{
	size_t len = (size_t)sysconf(_SC_PAGESIZE);
	void *p = MAP_FAILED;

	if (!(region->flags & SHMR_RDONLY)) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 region->fd, SHMR_CTRL_OFFSET);
		if (p != MAP_FAILED)
			return (uintptr_t)p | CTRL_WRITABLE;
	}
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, region->fd,
		 SHMR_CTRL_OFFSET);
	return p == MAP_FAILED ? CTRL_NONE : (uintptr_t)p;
}

static void ctrl_unmap(uintptr_t word)
{
	if (word && word != CTRL_NONE)
		munmap(CTRL_PAGE(word), (size_t)sysconf(_SC_PAGESIZE));
}

/* ctrl_of() the first time: map the page and publish its word */
static __attribute__((noinline)) uintptr_t ctrl_first(struct shmr *r)
{
	uintptr_t word = ctrl_map(r), expected = 0;

	if (!__atomic_compare_exchange_n(&r->ctrl, &expected, word, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		ctrl_unmap(word);	/* another thread mapped it first */
		word = expected;
	}
	return word;
}

/*
 * The control page word of @region, mapping it on first use (out of
 * line, in ctrl_first()). Acquire: pairs with the release of the
 * compare-and-swap that published it.
 */
static inline uintptr_t ctrl_of(const struct shmr *region)
{
	struct shmr *r = (struct shmr *)region;	/* a cache, not the state */
	uintptr_t word = __atomic_load_n(&r->ctrl, __ATOMIC_ACQUIRE);

	return word ? word : ctrl_first(r);
}

/*
 * Map the data of a freshly bound handle and hand the region out.
 *
 * @populate: map every page now (MAP_POPULATE), for a region this call
 * created with its pages allocated (not SHMR_LAZY): one pass that maps
 * them all costs less than a write fault per page (docs/design.md).
 */
static int finish_open(struct shmr **regionp, int fd, uint64_t size,
		       unsigned int flags, int populate)
{
	int prot = (flags & SHMR_RDONLY) ? PROT_READ : PROT_READ | PROT_WRITE;
	struct shmr *r;
	int ret;

	if (size > SIZE_MAX)
		return -EOVERFLOW;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fd = fd;
	r->flags = flags;
	r->size = size;
	r->addr = mmap(NULL, r->size, prot,
		       MAP_SHARED | (populate ? MAP_POPULATE : 0), fd, 0);
	if (r->addr == MAP_FAILED) {
		ret = -errno;
		free(r);
		return ret;
	}
	*regionp = r;
	return 0;
}

int shmr_create(struct shmr **regionp, const char *name, size_t size,
		unsigned int mode, unsigned int flags)
{
	struct shmr_create c = { .size = size, .mode = mode };
	int fd, ret, created;

	if (!regionp || flags & ~(SHMR_PASSED_FLAGS | SHMR_HUGE))
		return -EINVAL;
	c.flags = (flags & SHMR_PASSED_FLAGS) |
		  (flags & SHMR_HUGE ? SHMR_CREATE_HUGE : 0);
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
	created = c.result & SHMR_RESULT_CREATED;
	ret = finish_open(regionp, fd, c.size, created ? SHMR_CREATED : 0,
			  created && !(flags & SHMR_LAZY));
	if (ret)
		goto err_close;
	return 0;

err_close:
	close(fd);
	return ret;
}

int shmr_attach(struct shmr **regionp, const char *name, unsigned int flags)
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
	/* not populated: the region may be lazy (reads fault around) */
	ret = finish_open(regionp, fd, a.size, flags & SHMR_RDONLY, 0);
	if (ret)
		goto err_close;
	return 0;

err_close:
	close(fd);
	return ret;
}

void shmr_close(struct shmr *region)
{
	if (!region)
		return;
	ctrl_unmap(region->ctrl);
	munmap(region->addr, region->size);
	close(region->fd);
	free(region);
}

/* Make this handle's data mapping @size bytes, keeping its data. */
static int remap_data(struct shmr *region, size_t size)
{
	void *addr;

	if (size == region->size)
		return 0;
	addr = mremap(region->addr, region->size, size, MREMAP_MAYMOVE);
	if (addr == MAP_FAILED)
		return -errno;
	region->addr = addr;
	region->size = size;
	return 0;
}

int shmr_resize(struct shmr *region, size_t size)
{
	struct shmr_resize rs = { .size = size };
	size_t old = region->size;
	long page = sysconf(_SC_PAGESIZE);
	int ret;

	if (!size)
		return -EINVAL;
	size = (size + page - 1) & ~((size_t)page - 1);
	/* our own mapping must not reach past a smaller end */
	if (size < old) {
		ret = remap_data(region, size);
		if (ret)
			return ret;
	}
	if (ioctl(region->fd, SHMR_IOC_RESIZE, &rs)) {
		ret = -errno;
		if (size < old)
			remap_data(region, old);
		return ret;
	}
	if (rs.size > SIZE_MAX)
		return -EOVERFLOW;
	return remap_data(region, rs.size);
}

int shmr_remap(struct shmr *region)
{
	struct shmr_info k;

	memset(&k, 0, sizeof(k));
	if (ioctl(region->fd, SHMR_IOC_INFO, &k))
		return -errno;
	if (k.size > SIZE_MAX)
		return -EOVERFLOW;
	return remap_data(region, k.size);
}

void *shmr_addr(const struct shmr *region)
{
	return region->addr;
}

size_t shmr_size(const struct shmr *region)
{
	return region->size;
}

int shmr_fd(const struct shmr *region)
{
	return region->fd;
}

uint64_t shmr_seq(const struct shmr *region)
{
	uintptr_t ctrl = ctrl_of(region);
	struct shmr_info info;

	/* Pairs with the kernel's store-release of seq after NOTIFY. */
	if (ctrl != CTRL_NONE)
		return __atomic_load_n(&CTRL_PAGE(ctrl)->seq, __ATOMIC_ACQUIRE);
	memset(&info, 0, sizeof(info));
	if (ioctl(region->fd, SHMR_IOC_INFO, &info))
		return 0;
	return info.seq;
}

/*
 * shmr_wait() past its fast path: map the control page if this is its
 * first use, look once more, then ask the kernel.
 */
static __attribute__((noinline)) int wait_slow(struct shmr *region,
					       uint64_t *seq,
					       int64_t timeout_ns)
{
	uintptr_t ctrl = ctrl_of(region);
	struct shmr_wait w = { .seq = *seq };
	uint64_t now;

	if (ctrl != CTRL_NONE) {
		/* Pairs with the kernel's store-release of seq after NOTIFY. */
		now = __atomic_load_n(&CTRL_PAGE(ctrl)->seq, __ATOMIC_ACQUIRE);
		if (now != *seq) {
			*seq = now;
			return 0;
		}
		if (timeout_ns == 0)
			return __atomic_load_n(&CTRL_PAGE(ctrl)->flags,
					       __ATOMIC_ACQUIRE) &
			       SHMR_CTRL_UNLINKED ? -EIDRM : -ETIMEDOUT;
	}
	w.timeout_ns = timeout_ns < 0 ? SHMR_WAIT_FOREVER : timeout_ns;
	if (ioctl(region->fd, SHMR_IOC_WAIT, &w))
		return -errno;
	*seq = w.seq;
	return 0;
}

/*
 * The fast path, news on a control page already mapped, is a few loads:
 * no stack frame, no call (case 2 of bench/).
 */
int shmr_wait(struct shmr *region, uint64_t *seq, int64_t timeout_ns)
{
	uintptr_t ctrl;
	uint64_t now;

	if (!seq)
		return -EINVAL;
	/* Pairs with the release of ctrl_first()'s compare-and-swap. */
	ctrl = __atomic_load_n(&region->ctrl, __ATOMIC_ACQUIRE);
	if (ctrl && ctrl != CTRL_NONE) {
		/* Pairs with the kernel's store-release of seq after NOTIFY. */
		now = __atomic_load_n(&CTRL_PAGE(ctrl)->seq, __ATOMIC_ACQUIRE);
		if (now != *seq) {
			*seq = now;
			return 0;
		}
	}
	return wait_slow(region, seq, timeout_ns);
}

/* NOTIFY through the kernel: @seq, if not NULL, gets the new sequence */
static __attribute__((noinline)) int notify_ioctl(struct shmr *region,
						  uint32_t flags, uint64_t *seq)
{
	struct shmr_notify n = { .flags = flags };

	if (ioctl(region->fd, SHMR_IOC_NOTIFY, &n))
		return -errno;
	if (seq)
		*seq = n.seq;
	return 0;
}

/*
 * The eventcount (struct shmr_ctrl in <linux/shmregion.h>): bump the
 * sequence number on the control page, then enter the kernel only if
 * someone may be asleep. Both operations are sequentially consistent, so
 * the load of waiters cannot pass the add; the kernel's sleeper raises
 * waiters, with a full barrier, before its last look at seq.
 *
 * @ctrl is a writable control page's word.
 */
static inline int notify_ctrl(struct shmr *region, uintptr_t ctrl,
			      uint64_t *seq)
{
	uint64_t now;
	int ret;

	now = __atomic_add_fetch(&CTRL_PAGE(ctrl)->seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&CTRL_PAGE(ctrl)->waiters, __ATOMIC_SEQ_CST)) {
		/* the update is in: the kernel only wakes (seq not wanted) */
		ret = notify_ioctl(region, SHMR_NOTIFY_WAKE, NULL);
		if (ret)
			return ret;
	}
	if (seq)
		*seq = now;
	return 0;
}

/* shmr_notify() on a control page not yet mapped, or not writable */
static __attribute__((noinline)) int notify_slow(struct shmr *region,
						 uint64_t *seq)
{
	uintptr_t ctrl = ctrl_of(region);

	if (ctrl & CTRL_WRITABLE)
		return notify_ctrl(region, ctrl, seq);
	return notify_ioctl(region, 0, seq);
}

int shmr_notify(struct shmr *region, uint64_t *seq)
{
	/* Pairs with the release of ctrl_first()'s compare-and-swap. */
	uintptr_t ctrl = __atomic_load_n(&region->ctrl, __ATOMIC_ACQUIRE);

	if (ctrl & CTRL_WRITABLE)
		return notify_ctrl(region, ctrl, seq);
	return notify_slow(region, seq);
}

int shmr_info(struct shmr *region, struct shmr_region_info *info)
{
	struct shmr_info k;

	if (!info)
		return -EINVAL;
	memset(&k, 0, sizeof(k));
	if (ioctl(region->fd, SHMR_IOC_INFO, &k))
		return -errno;
	to_region_info(&k, info);
	info->flags |= region->flags & SHMR_CREATED;
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
 * UNLINK through the region's own handle (SHMR_UNLINK_BOUND): no device to
 * open, no name to look up, and never a region made under the same name
 * after this one lost it.
 */
int shmr_funlink(struct shmr *region)
{
	struct shmr_unlink u = { .flags = SHMR_UNLINK_BOUND };

	return ioctl(region->fd, SHMR_IOC_UNLINK, &u) ? -errno : 0;
}

/* The first guess at the number of regions, before the kernel says. */
#define SHMR_LIST_GUESS	32

/*
 * SHMR_IOC_LIST on an unbound handle: fill an array, and when the kernel
 * says there are more regions than it held (some may have been made
 * meanwhile), grow it and ask again.
 */
int shmr_list(struct shmr_region_info **listp, size_t *countp)
{
	struct shmr_info *k = NULL, *bigger;
	struct shmr_region_info *list;
	size_t room = SHMR_LIST_GUESS, i;
	struct shmr_list l;
	int fd, ret;

	if (!listp || !countp)
		return -EINVAL;
	fd = open_device(O_RDONLY);
	if (fd < 0)
		return fd;
	for (;;) {
		if (room > UINT32_MAX)
			room = UINT32_MAX;
		if (room > SIZE_MAX / sizeof(*k)) {
			ret = -ENOMEM;
			goto err_free;
		}
		bigger = realloc(k, room * sizeof(*k));
		if (!bigger) {
			ret = -ENOMEM;
			goto err_free;
		}
		k = bigger;
		memset(&l, 0, sizeof(l));
		l.entries = (uintptr_t)k;
		l.nr = room;
		if (ioctl(fd, SHMR_IOC_LIST, &l)) {
			ret = -errno;
			goto err_free;
		}
		if (l.total <= l.nr)
			break;
		/* room for the ones we missed, and some made while we ask */
		room = (size_t)l.total + l.total / 4 + SHMR_LIST_GUESS;
	}
	list = calloc(l.nr ? l.nr : 1, sizeof(*list));
	if (!list) {
		ret = -ENOMEM;
		goto err_free;
	}
	for (i = 0; i < l.nr; i++)
		to_region_info(&k[i], &list[i]);
	free(k);
	close(fd);
	*listp = list;
	*countp = l.nr;
	return 0;

err_free:
	free(k);
	close(fd);
	return ret;
}

void shmr_list_free(struct shmr_region_info *list)
{
	free(list);
}
