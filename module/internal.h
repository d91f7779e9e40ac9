/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmregion: structures and functions shared by the module's files.
 *
 * Lifetime: a region is kref-counted. The name table holds one reference
 * while a persistent region is named (until UNLINK, or until the reaper
 * finds its IPC namespace gone); every bound handle, every mapping file
 * (the file every VMA of the region is on: mmap.c) and every CREATE
 * waiting for the region to be ready holds one. A transient region
 * (SHMR_CREATE_TRANSIENT) has no table reference, so it loses its name
 * when its last handle and mapping go. The final put happens under
 * shmr_table_lock (kref_put_mutex()), so a lookup under that lock never
 * finds a region whose count reached zero.
 *
 * Lock order: shmr_handle.bind_lock, then shmr_table_lock, then
 * shmr_count_lock; shmr_region.resize_lock, then the shmem inode's lock
 * and what shmem truncation takes under it (resize.c), then
 * shmr_count_lock; shmr_region.wait's lock, then shmr_handle.poll_wait's
 * lock (the relay, wait.c). A mapping file's last reference is put by
 * the core with no lock of ours and no mmap_lock held (fput() defers
 * it), so its release may take shmr_table_lock.
 */
#ifndef _SHMR_INTERNAL_H
#define _SHMR_INTERNAL_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>

#include <linux/shmregion.h>

/* The control page's file offset in pages. */
#define SHMR_CTRL_PGOFF		(SHMR_CTRL_OFFSET >> PAGE_SHIFT)

/* The region flags that SHMR_IOC_INFO and the listing report. */
#define SHMR_REGION_FLAGS	(SHMR_CREATE_LAZY | SHMR_CREATE_TRANSIENT | \
				 SHMR_CREATE_HUGE)

/**
 * struct shmr_ctrl_page - the kernel's view of the control page
 * @seq: struct shmr_ctrl.seq as an atomic: the one update counter.
 * @flags: struct shmr_ctrl.flags.
 * @waiters: struct shmr_ctrl.waiters: sleepers in WAIT and read(), plus
 *	polled handles. Userspace may write the page (a read-write handle's
 *	mapping), so the kernel uses this only to publish the count, never
 *	to decide anything.
 *
 * The same layout as the uapi struct shmr_ctrl (checked in wait.c), as
 * io_uring's struct io_rings mirrors its uapi offsets.
 */
struct shmr_ctrl_page {
	atomic64_t seq;
	u32 flags;
	atomic_t waiters;
};

/* shmr_region.state */
enum shmr_region_state {
	SHMR_CREATING,	/* named, being populated: only CREATE sees it */
	SHMR_READY,	/* in use */
	SHMR_FAILED,	/* CREATE failed; gone from the table */
};

/**
 * struct shmr_region - one named shared-memory region
 * @ref: references: the name table (persistent regions while named),
 *	each bound handle, each mapping file (mmap.c: what every VMA of the
 *	region holds), each CREATE waiting for @state.
 * @node: entry in the name table. Protected by shmr_table_lock.
 * @named: @node is in the name table. Protected by shmr_table_lock.
 * @state: enum shmr_region_state. Written under shmr_table_lock, read
 *	there or with READ_ONCE() by CREATEs waiting on shmr_ready_wait.
 * @ns: the IPC namespace the name belongs to: its mqueue mount, pinned
 *	(region.c, "IPC namespaces"); constant.
 * @ns_inum: that namespace's inode number (/proc/PID/ns/ipc), to show;
 *	constant.
 * @name: NUL-terminated name, zero-padded; constant.
 * @hash: full_name_hash() of @name, salted with @ns; constant.
 * @size: size in bytes, a multiple of PAGE_SIZE. Changed only by RESIZE,
 *	under @resize_lock, with WRITE_ONCE(); read with READ_ONCE().
 * @nr_pages: @size in pages; as @size. mmap() and faults check it.
 * @resize_lock: serialises RESIZEs of the region.
 * @uid: owner (the creator's euid), also charged for the per-user
 *	limits; constant.
 * @gid: owner group (the creator's egid); constant.
 * @mode: permission bits, a subset of SHMR_MODE_MASK; constant.
 * @flags: SHMR_CREATE_LAZY and SHMR_CREATE_TRANSIENT as created; constant.
 * @shmem: the shmem file whose page cache holds the region's memory; set
 *	once before @state becomes SHMR_READY.
 * @ctrl_page: the zeroed page behind the read-only control mapping.
 * @ctrl: @ctrl_page's kernel address. @ctrl->seq is the update sequence
 *	number: incremented by NOTIFY with a fully ordered atomic, read with
 *	an acquire load by everything else (wait.c).
 * @unlinked: the name was removed by UNLINK. Set once with WRITE_ONCE(),
 *	read with READ_ONCE().
 * @wait: WAIT, read() and poll() sleep here; woken by NOTIFY and UNLINK.
 * @nr_handles: bound handles, for INFO and the listing.
 */
struct shmr_region {
	struct kref ref;
	struct hlist_node node;
	bool named;
	enum shmr_region_state state;
	struct vfsmount *ns;
	unsigned int ns_inum;
	char name[SHMR_NAME_MAX];
	u32 hash;
	u64 size;
	pgoff_t nr_pages;
	struct mutex resize_lock;	/* RESIZE; see above */
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	u32 flags;
	struct file *shmem;
	struct page *ctrl_page;
	struct shmr_ctrl_page *ctrl;
	bool unlinked;
	wait_queue_head_t wait;
	atomic_t nr_handles;
};

/**
 * struct shmr_handle - one open file of /dev/shmregion
 * @bind_lock: serialises CREATE and ATTACH on this handle.
 * @region: the bound region, or NULL. Set once under @bind_lock and
 *	@poll_wait's lock with smp_store_release() and read with
 *	smp_load_acquire() (shmr_handle_region()); never changes again
 *	until release.
 * @rdonly: bound read-only; set before @region is published.
 * @consumed: the last sequence number read() consumed on this handle;
 *	starts as the sequence number seen at bind.
 * @poll_wait: where poll() of the still unbound handle waits, so that an
 *	epoll entry added before CREATE/ATTACH is woken after binding.
 * @relay_wanted: poll() ran while unbound. Protected by @poll_wait's lock.
 * @relay: on @region->wait when @relay_wanted was set at bind: forwards
 *	the region's wake-ups to @poll_wait (wait.c).
 * @polled: the handle is counted in its region's shmr_ctrl.waiters, from
 *	its first poll() (or a bind with @relay_wanted) until release: its
 *	pollers may sleep on the region's queue at any time. Set once, with
 *	xchg().
 */
struct shmr_handle {
	struct mutex bind_lock;	/* CREATE and ATTACH; see above */
	struct shmr_region *region;
	bool rdonly;
	atomic64_t consumed;
	wait_queue_head_t poll_wait;
	bool relay_wanted;
	struct wait_queue_entry relay;
	bool polled;
};

/**
 * struct shmr_user - what one user's regions use, for the per-user limits
 * @node: entry in shmr_users.
 * @uid: the user (a region's owner).
 * @nr_regions: regions alive in memory that @uid owns.
 * @nr_bytes: their bytes.
 *
 * Protected by shmr_count_lock; freed when @nr_regions drops to 0.
 */
struct shmr_user {
	struct hlist_node node;
	kuid_t uid;
	unsigned int nr_regions;
	u64 nr_bytes;
};

/**
 * shmr_handle_region() - the region a handle is bound to
 * @h: the handle.
 *
 * Pairs with the smp_store_release() in shmr_handle_bind(): a caller that
 * sees the region also sees @h->rdonly and @h->consumed.
 *
 * Return: the region, or NULL if the handle is unbound.
 */
static inline struct shmr_region *shmr_handle_region(struct shmr_handle *h)
{
	/* pairs with smp_store_release() in shmr_handle_bind() */
	return smp_load_acquire(&h->region);
}

/* limits.c */
extern u64 shmr_max_region_bytes;
extern u64 shmr_max_total_bytes;
extern unsigned int shmr_max_regions;
extern u64 shmr_max_user_bytes;
extern unsigned int shmr_max_user_regions;
extern const struct attribute_group *shmr_attr_groups[];
int shmr_charge(kuid_t uid, u64 size, struct shmr_user *spare,
		bool *spare_used);
int shmr_recharge(kuid_t uid, u64 old, u64 new);
void shmr_uncharge(kuid_t uid, u64 size);
void shmr_limits_exit(void);

/* region.c */
struct vfsmount *shmr_ns_current(void);
bool shmr_ipc_owner_capable(void);
int shmr_region_populate(struct shmr_region *r, pgoff_t from, pgoff_t to);
int shmr_name_check(const char *name);
struct shmr_region *shmr_region_create(const char *name, u64 size,
				       umode_t mode, u32 flags, bool *created);
void shmr_region_publish(struct shmr_region *r);
void shmr_region_discard(struct shmr_region *r);
struct shmr_region *shmr_region_attach(const char *name, bool rdonly);
int shmr_region_unlink(struct shmr_region *bound, const char *name);
void shmr_region_info(struct shmr_region *r, struct user_namespace *ns,
		      struct shmr_info *info);
struct shmr_info *shmr_region_list(struct user_namespace *user_ns, u32 max,
				   u32 *nr, u32 *total);
void shmr_region_get(struct shmr_region *r);
void shmr_region_put(struct shmr_region *r);
bool shmr_huge_available(void);
int shmr_region_init(void);
void shmr_region_exit(void);

/* resize.c */
int shmr_region_resize(struct shmr_region *r, u64 size);

/* mmap.c: .mmap_prepare where the kernel has it (7.2) */
unsigned int shmr_region_mappings(struct shmr_region *r);
#ifdef SHMR_HAVE_MMAP_PREPARE
int shmr_mmap_prepare(struct vm_area_desc *desc);
#define SHMR_FOP_MMAP	.mmap_prepare = shmr_mmap_prepare
#else
int shmr_mmap(struct file *file, struct vm_area_struct *vma);
#define SHMR_FOP_MMAP	.mmap = shmr_mmap
#endif

/* wait.c */
void shmr_handle_bind(struct shmr_handle *h, struct shmr_region *r,
		      bool rdonly);
void shmr_handle_unbind(struct shmr_handle *h);
u64 shmr_region_seq(struct shmr_region *r);
u64 shmr_region_update(struct shmr_region *r);
void shmr_region_mark_unlinked(struct shmr_region *r);
long shmr_ioctl_notify(struct shmr_handle *h, struct shmr_notify __user *uarg);
long shmr_ioctl_wait(struct shmr_handle *h, struct shmr_wait __user *uarg);
ssize_t shmr_read(struct file *file, char __user *buf, size_t count,
		  loff_t *ppos);
__poll_t shmr_poll(struct file *file, struct poll_table_struct *wait);

#endif /* _SHMR_INTERNAL_H */
