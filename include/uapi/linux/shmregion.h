/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * shmregion: named shared-memory regions with a wait-on-update signal.
 *
 * Userspace opens /dev/shmregion; the open file is a *handle*. A fresh
 * handle is unbound. SHMR_IOC_CREATE or SHMR_IOC_ATTACH binds it to one
 * region for the rest of its life; mmap() of the handle then maps the
 * region's pages, shared with every other process that maps the region.
 *
 *	int fd = open("/dev/shmregion", O_RDWR | O_CLOEXEC);
 *	struct shmr_create c = { .name = "frames", .size = 1 << 20,
 *				 .mode = 0600 };
 *	ioctl(fd, SHMR_IOC_CREATE, &c);
 *	void *p = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED,
 *		       fd, 0);
 *
 * Every struct has explicit padding, a flags word and reserved words that
 * must be zero on input; every output field is written by the kernel.
 * Errors are returned as -1/errno by ioctl(2); each ioctl below lists
 * the errno values it can give besides EFAULT (bad pointer).
 *
 * Common to every ioctl except CREATE, ATTACH, UNLINK and LIST:
 *	EBADFD	the handle is not bound to a region yet.
 * Unknown ioctl numbers give ENOTTY.
 */
#ifndef _UAPI_LINUX_SHMREGION_H
#define _UAPI_LINUX_SHMREGION_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define SHMR_DEVICE_PATH	"/dev/shmregion"

/*
 * Region names: 1..SHMR_NAME_MAX-1 bytes of printable ASCII
 * (0x20..0x7e) other than '/', NUL-terminated inside the name field.
 * Bytes after the terminating NUL are ignored.
 */
#define SHMR_NAME_MAX		64

/* Permission bits accepted in shmr_create.mode (like SysV IPC). */
#define SHMR_MODE_MASK		0666

/*
 * The control page: mapping the handle at this file offset (one page,
 * MAP_SHARED) gives a struct shmr_ctrl that the kernel keeps current, so
 * a process can see the sequence number without a system call; a
 * read-write handle may map it PROT_WRITE too and notify without one
 * (struct shmr_ctrl). Offsets below it map the region's data.
 *
 * The offset needs a 64-bit off_t. A 32-bit program built without
 * -D_FILE_OFFSET_BITS=64 would pass a truncated offset (0) to mmap() and
 * silently map the data instead, so using SHMR_CTRL_OFFSET there is a
 * compile error ("size of array is negative": rebuild with
 * -D_FILE_OFFSET_BITS=64, or call mmap64()). __SHMR_CTRL_OFFSET is the
 * bare value, for code that has no off_t.
 */
#define __SHMR_CTRL_OFFSET	(1ULL << 40)
#ifdef __KERNEL__
#define SHMR_CTRL_OFFSET	__SHMR_CTRL_OFFSET
#else
#define SHMR_CTRL_OFFSET						\
	((off_t)(__SHMR_CTRL_OFFSET +					\
		 0 * sizeof(char[sizeof(off_t) >= 8 ? 1 : -1])))
#endif

/**
 * struct shmr_ctrl - the start of the control page
 * @seq: the region's update sequence number: the one counter that NOTIFY
 *	increments and WAIT, INFO, read() and poll() read. The kernel
 *	increments it with a fully ordered atomic operation; read it with an
 *	acquire load, and whatever the notifier wrote before its NOTIFY is
 *	visible.
 * @flags: SHMR_CTRL_UNLINKED once the region's name has been removed.
 * @waiters: non-zero while a notifier must enter the kernel to wake
 *	someone: tasks sleeping in WAIT or read(), plus handles that have
 *	been polled (counted until they are closed). Kept by the kernel.
 *
 * Notifying without a system call (an eventcount): a process holding a
 * read-write handle maps the control page PROT_READ | PROT_WRITE,
 * increments @seq with a sequentially consistent atomic add, then loads
 * @waiters (sequentially consistent: ordered after the add) and only if
 * it is non-zero calls SHMR_IOC_NOTIFY with SHMR_NOTIFY_WAKE. A sleeper
 * raises @waiters before its last look at @seq, so either it sees the new
 * number or the notifier sees it waiting: no update is lost. The kernel
 * never trusts what is written here; a writer that stores anything but an
 * increment breaks the promise that @seq only grows for every reader of
 * the region, as it could break the region's data.
 */
struct shmr_ctrl {
	__u64 seq;
	__u32 flags;
	__u32 waiters;
};

#define SHMR_CTRL_UNLINKED	(1U << 0)

/* shmr_create.flags */
#define SHMR_CREATE_EXCL	(1U << 0) /* fail with EEXIST if it exists */
#define SHMR_CREATE_LAZY	(1U << 1) /* allocate pages on first touch */
#define SHMR_CREATE_TRANSIENT	(1U << 2) /* gone with its last user */
/* back with transparent huge pages (EOPNOTSUPP on a kernel without THP) */
#define SHMR_CREATE_HUGE	(1U << 3)
#define SHMR_CREATE_FLAGS	(SHMR_CREATE_EXCL | SHMR_CREATE_LAZY | \
				 SHMR_CREATE_TRANSIENT | SHMR_CREATE_HUGE)

/* shmr_create.result */
#define SHMR_RESULT_CREATED	(1U << 0) /* a new region was made */

/**
 * struct shmr_create - SHMR_IOC_CREATE argument
 * @name: in: the region's name.
 * @size: in: bytes wanted (rounded up to whole pages);
 *	out: the region's size.
 * @mode: in: permission bits, a subset of SHMR_MODE_MASK.
 * @flags: in: SHMR_CREATE_*.
 * @result: out: SHMR_RESULT_CREATED if a new region was made, 0 if the
 *	handle attached to an existing one (only without SHMR_CREATE_EXCL).
 * @pad: must be zero.
 * @reserved: must be zero.
 *
 * Binds the handle read-write. Without SHMR_CREATE_EXCL an existing
 * region of that name is attached instead, when @size fits in it and the
 * caller may read and write it.
 *
 * Errors: EINVAL (bad name, size 0, bad mode bits, unknown flags,
 * non-zero pad/reserved, existing region smaller than @size), EBUSY
 * (handle already bound), EBADF (handle not opened for writing), EEXIST
 * (SHMR_CREATE_EXCL and the name exists), EACCES (existing region not
 * writable by the caller), E2BIG (@size over the max_region_bytes
 * parameter), ENOSPC (max_regions or max_total_bytes reached), EDQUOT
 * (the caller's max_user_regions or max_user_bytes reached; not checked
 * for CAP_SYS_RESOURCE), ENOMEM (the memory, or the caller's memory
 * cgroup, cannot back the region), EINTR (the caller was killed while
 * it waited for a concurrent CREATE of the same name).
 *
 * Two CREATEs of one name never both allocate: the first reserves the
 * name, a concurrent CREATE without SHMR_CREATE_EXCL waits for it and
 * then attaches (or creates the region itself if the first one failed).
 * ATTACH, UNLINK and LIST do not see a region until its CREATE is done.
 */
struct shmr_create {
	char name[SHMR_NAME_MAX];
	__u64 size;
	__u32 mode;
	__u32 flags;
	__u32 result;
	__u32 pad;
	__u64 reserved[2];
};

/* shmr_attach.flags */
#define SHMR_ATTACH_RDONLY	(1U << 0) /* read-only: no PROT_WRITE, no NOTIFY */
#define SHMR_ATTACH_FLAGS	(SHMR_ATTACH_RDONLY)

/**
 * struct shmr_attach - SHMR_IOC_ATTACH argument
 * @name: in: the region's name.
 * @flags: in: SHMR_ATTACH_*.
 * @pad: must be zero.
 * @size: out: the region's size in bytes.
 * @reserved: must be zero.
 *
 * Errors: EINVAL (bad name, unknown flags, non-zero pad/reserved), EBUSY
 * (handle already bound), EBADF (read-write attach on a handle not opened
 * for writing), ENOENT (no such region), EACCES (the region's mode does
 * not grant the caller the access asked for).
 */
struct shmr_attach {
	char name[SHMR_NAME_MAX];
	__u32 flags;
	__u32 pad;
	__u64 size;
	__u64 reserved[2];
};

/**
 * struct shmr_unlink - SHMR_IOC_UNLINK argument
 * @name: in: the region to remove; all zero with SHMR_UNLINK_BOUND.
 * @flags: zero, or SHMR_UNLINK_BOUND.
 * @pad: must be zero.
 * @reserved: must be zero.
 *
 * Removes the name at once (works on bound and unbound handles, like
 * shm_unlink(3)); the memory lives until the last handle and mapping are
 * gone. Waiters on the region wake with EIDRM. With SHMR_UNLINK_BOUND it
 * removes the name of the region this handle is bound to, if that region
 * still has it (not a region made under the same name since).
 *
 * Errors: EINVAL (bad name, unknown flags, non-zero pad/reserved, a name
 * with SHMR_UNLINK_BOUND), ENOENT (no such region; with
 * SHMR_UNLINK_BOUND: its name is gone, or is not in the caller's IPC
 * namespace), EBADFD (SHMR_UNLINK_BOUND on an unbound handle), EPERM
 * (caller is not the owner and lacks CAP_IPC_OWNER).
 */
struct shmr_unlink {
	char name[SHMR_NAME_MAX];
	__u32 flags;
	__u32 pad;
	__u64 reserved[2];
};

/* shmr_unlink.flags */
#define SHMR_UNLINK_BOUND	(1U << 0) /* this handle's region, by handle */
#define SHMR_UNLINK_FLAGS	SHMR_UNLINK_BOUND

/* shmr_info.flags: the region's SHMR_CREATE_LAZY/TRANSIENT/HUGE flags, and: */
#define SHMR_INFO_UNLINKED	(1U << 16) /* name removed, memory alive */
#define SHMR_INFO_RDONLY	(1U << 17) /* this handle is read-only */

/**
 * struct shmr_info - SHMR_IOC_INFO result (all fields are output)
 * @name: the region's name.
 * @size: size in bytes.
 * @seq: current update sequence number.
 * @uid: owner user id.
 * @gid: owner group id.
 * @mode: permission bits.
 * @flags: SHMR_CREATE_LAZY, _TRANSIENT, _HUGE, SHMR_INFO_*.
 * @handles: handles bound to the region.
 * @mappings: live mappings (VMAs) of the region's data and control page,
 *	in every process, counted at the call (a split VMA counts twice).
 * @ipc_ns: the inode number of the region's IPC namespace, as
 *	/proc/PID/ns/ipc shows it (the caller's: names are per namespace).
 * @reserved: zero.
 *
 * Errors: EBADFD (unbound handle).
 */
struct shmr_info {
	char name[SHMR_NAME_MAX];
	__u64 size;
	__u64 seq;
	__u32 uid;
	__u32 gid;
	__u32 mode;
	__u32 flags;
	__u32 handles;
	__u32 mappings;
	__u64 ipc_ns;
	__u64 reserved;
};

/**
 * struct shmr_notify - SHMR_IOC_NOTIFY argument
 * @seq: out: the new sequence number (with SHMR_NOTIFY_WAKE: the current
 *	one).
 * @flags: zero, or SHMR_NOTIFY_WAKE.
 * @pad: must be zero.
 *
 * Bumps the sequence number and wakes every waiter. With
 * SHMR_NOTIFY_WAKE it only wakes them: for a notifier that incremented
 * shmr_ctrl.seq itself and found shmr_ctrl.waiters non-zero.
 *
 * Errors: EBADFD (unbound), EINVAL (unknown flags, non-zero pad), EACCES
 * (read-only handle).
 */
struct shmr_notify {
	__u64 seq;
	__u32 flags;
	__u32 pad;
};

/* shmr_notify.flags */
#define SHMR_NOTIFY_WAKE	(1U << 0) /* wake only: seq already bumped */
#define SHMR_NOTIFY_FLAGS	SHMR_NOTIFY_WAKE

/* shmr_wait.timeout_ns: wait without a time limit */
#define SHMR_WAIT_FOREVER	(-1LL)

/**
 * struct shmr_wait - SHMR_IOC_WAIT argument
 * @seq: in: the last sequence number the caller saw;
 *	out: the current sequence number (also on ETIMEDOUT and EINTR).
 * @timeout_ns: in: relative timeout in nanoseconds; 0 checks without
 *	sleeping; SHMR_WAIT_FOREVER (any negative value) never times out.
 * @flags: must be zero.
 * @pad: must be zero.
 *
 * Returns 0 at once if the region's sequence differs from @seq, else
 * sleeps until a NOTIFY. A NOTIFY that lands between the caller's check
 * and its sleep still wakes it.
 *
 * Errors: EBADFD (unbound), EINVAL (non-zero flags/pad), ETIMEDOUT (the
 * timeout passed), EINTR (a signal arrived), EIDRM (the region is
 * unlinked and @seq is current).
 *
 * WAIT is never restarted after a signal, not even under SA_RESTART
 * (as for select() and epoll_wait(), the timeout is relative): the
 * caller gets EINTR with @seq current and decides. read() of the handle,
 * by contrast, is restarted under SA_RESTART, as eventfd's is.
 */
struct shmr_wait {
	__u64 seq;
	__s64 timeout_ns;
	__u32 flags;
	__u32 pad;
};

/**
 * struct shmr_list - SHMR_IOC_LIST argument
 * @entries: in: userspace address of an array of @nr struct shmr_info.
 * @nr: in: the array's length (0: only count); out: entries written.
 * @total: out: the named regions there are; more than @nr means the
 *	array was too short (call again with a longer one).
 * @flags: must be zero.
 * @pad: must be zero.
 * @reserved: must be zero.
 *
 * Describes every named region, in no particular order, as SHMR_IOC_INFO
 * does (SHMR_INFO_RDONLY is never set). Works on any handle, bound or
 * not: the listing is world-readable, like /proc/sysvipc/shm.
 *
 * Errors: EINVAL (non-zero flags/pad/reserved), ENOMEM.
 */
struct shmr_list {
	__u64 entries;
	__u32 nr;
	__u32 total;
	__u32 flags;
	__u32 pad;
	__u64 reserved[2];
};

/**
 * struct shmr_resize - SHMR_IOC_RESIZE argument
 * @size: in: the new size in bytes (rounded up to whole pages);
 *	out: that size, rounded (another RESIZE may change it at once).
 * @seq: out: the sequence number after the resize.
 * @flags: must be zero.
 * @pad: must be zero.
 * @reserved: must be zero.
 *
 * Grows or shrinks the bound region; only its owner (or CAP_IPC_OWNER in
 * the region's IPC namespace) through a read-write handle. A resize is
 * an update: it bumps the sequence number and wakes every waiter.
 * Growing keeps every mapping and its data; the new pages are zero, and
 * allocated now unless the region is SHMR_CREATE_LAZY (charged to the
 * caller's memory cgroup, and to the owner's limits). Existing mappings
 * may then be extended (mremap()) or new ones made over the new pages.
 * Shrinking frees the tail whatever maps it, as ftruncate() of a memfd
 * does: every mapping of every process then gives SIGBUS past the new
 * end. Not a file write: RLIMIT_FSIZE does not apply.
 *
 * Errors: EBADFD (unbound), EINVAL (size 0, non-zero flags/pad/
 * reserved), EACCES (read-only handle), EPERM (not the owner), E2BIG
 * (over max_region_bytes), ENOSPC (max_total_bytes), EDQUOT (the owner's
 * max_user_bytes; not checked for CAP_SYS_RESOURCE), ENOMEM (the memory,
 * or the caller's memory cgroup, cannot back the growth), EINTR (killed
 * while allocating).
 */
struct shmr_resize {
	__u64 size;
	__u64 seq;
	__u32 flags;
	__u32 pad;
	__u64 reserved[2];
};

/*
 * 0xD7: free in Documentation/userspace-api/ioctl/ioctl-number.rst as of
 * 7.3 (0xB8, used before 0.2.0, is taken by mshv and mrvl_cn10k_dpi).
 */
#define SHMR_IOC_MAGIC		0xD7

#define SHMR_IOC_CREATE		_IOWR(SHMR_IOC_MAGIC, 0x00, struct shmr_create)
#define SHMR_IOC_ATTACH		_IOWR(SHMR_IOC_MAGIC, 0x01, struct shmr_attach)
#define SHMR_IOC_UNLINK		_IOW(SHMR_IOC_MAGIC, 0x02, struct shmr_unlink)
#define SHMR_IOC_INFO		_IOR(SHMR_IOC_MAGIC, 0x03, struct shmr_info)
#define SHMR_IOC_NOTIFY		_IOWR(SHMR_IOC_MAGIC, 0x04, struct shmr_notify)
#define SHMR_IOC_WAIT		_IOWR(SHMR_IOC_MAGIC, 0x05, struct shmr_wait)
#define SHMR_IOC_LIST		_IOWR(SHMR_IOC_MAGIC, 0x06, struct shmr_list)
#define SHMR_IOC_RESIZE		_IOWR(SHMR_IOC_MAGIC, 0x07, struct shmr_resize)

#endif /* _UAPI_LINUX_SHMREGION_H */
