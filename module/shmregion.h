/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmregion: structures and functions shared by the module's files.
 *
 * Lifetime: a region is kref-counted. The name table holds one reference
 * while a persistent region is named; every bound handle and every VMA
 * holds one. A transient region (SHMR_CREATE_TRANSIENT) has no table
 * reference, so it loses its name when its last handle and mapping go.
 * The final put happens under shmr_table_lock (kref_put_mutex()), so a
 * lookup under that lock never finds a region whose count reached zero.
 *
 * Lock order: shmr_handle.bind_lock, then shmr_table_lock, then
 * shmr_region.lock. Nothing takes mmap_lock while holding shmr_table_lock
 * (vm_ops->close may take shmr_table_lock under mmap_lock).
 */
#ifndef _SHMR_SHMREGION_H
#define _SHMR_SHMREGION_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>

#include <linux/shmregion.h>

/* The control page's file offset in pages. */
#define SHMR_CTRL_PGOFF		(SHMR_CTRL_OFFSET >> PAGE_SHIFT)

/* The region flags that SHMR_IOC_INFO and the listing report. */
#define SHMR_REGION_FLAGS	(SHMR_CREATE_LAZY | SHMR_CREATE_TRANSIENT)

/**
 * struct shmr_region - one named shared-memory region
 * @ref: references: the name table (persistent regions while named),
 *	each bound handle, each VMA.
 * @node: entry in the name table. Protected by shmr_table_lock.
 * @named: @node is in the name table. Protected by shmr_table_lock.
 * @name: NUL-terminated name, zero-padded; constant.
 * @hash: full_name_hash() of @name; constant.
 * @size: size in bytes, a multiple of PAGE_SIZE; constant.
 * @nr_pages: @size in pages; constant.
 * @uid: owner (the creator's euid); constant.
 * @gid: owner group (the creator's egid); constant.
 * @mode: permission bits, a subset of SHMR_MODE_MASK; constant.
 * @flags: SHMR_CREATE_LAZY and SHMR_CREATE_TRANSIENT as created; constant.
 * @shmem: the shmem file whose page cache holds the region's memory.
 * @ctrl_page: the zeroed page behind the read-only control mapping.
 * @ctrl: @ctrl_page's kernel address.
 * @lock: serialises NOTIFY and UNLINK, so that @ctrl->seq is never
 *	stored out of order.
 * @seq: the update sequence number. Written under @lock, read without.
 * @unlinked: the name was removed by UNLINK. Written under @lock, read
 *	with READ_ONCE().
 * @wait: WAIT, read() and poll() sleep here; woken by NOTIFY and UNLINK.
 * @nr_handles: bound handles, for INFO and the listing.
 * @nr_mappings: live VMAs, for INFO and the listing.
 */
struct shmr_region {
	struct kref ref;
	struct hlist_node node;
	bool named;
	char name[SHMR_NAME_MAX];
	u32 hash;
	u64 size;
	pgoff_t nr_pages;
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	u32 flags;
	struct file *shmem;
	struct page *ctrl_page;
	struct shmr_ctrl *ctrl;
	spinlock_t lock;	/* NOTIFY and UNLINK; see above */
	atomic64_t seq;
	bool unlinked;
	wait_queue_head_t wait;
	atomic_t nr_handles;
	atomic_t nr_mappings;
};

/**
 * struct shmr_handle - one open file of /dev/shmregion
 * @bind_lock: serialises CREATE and ATTACH on this handle.
 * @region: the bound region, or NULL. Set once under @bind_lock with
 *	smp_store_release() and read with smp_load_acquire()
 *	(shmr_handle_region()); never changes again until release.
 * @rdonly: bound read-only; set before @region is published.
 * @consumed: the last sequence number read() consumed on this handle;
 *	starts as the sequence number seen at bind.
 */
struct shmr_handle {
	struct mutex bind_lock;	/* CREATE and ATTACH; see above */
	struct shmr_region *region;
	bool rdonly;
	atomic64_t consumed;
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

/* main.c: module parameters */
extern u64 shmr_max_region_bytes;
extern u64 shmr_max_total_bytes;
extern unsigned int shmr_max_regions;

/* region.c */
extern const struct attribute_group *shmr_attr_groups[];
int shmr_name_check(const char *name);
struct shmr_region *shmr_region_create(const char *name, u64 size,
				       umode_t mode, u32 flags, bool *created);
struct shmr_region *shmr_region_attach(const char *name, bool rdonly);
int shmr_region_unlink(const char *name);
void shmr_region_get(struct shmr_region *r);
void shmr_region_put(struct shmr_region *r);
int shmr_region_init(void);
void shmr_region_exit(void);

/* mmap.c */
int shmr_mmap(struct file *file, struct vm_area_struct *vma);

/* wait.c */
u64 shmr_region_seq(struct shmr_region *r);
void shmr_region_mark_unlinked(struct shmr_region *r);
long shmr_ioctl_notify(struct shmr_handle *h, struct shmr_notify __user *uarg);
long shmr_ioctl_wait(struct shmr_handle *h, struct shmr_wait __user *uarg);
ssize_t shmr_read(struct file *file, char __user *buf, size_t count,
		  loff_t *ppos);
__poll_t shmr_poll(struct file *file, struct poll_table_struct *wait);

#endif /* _SHMR_SHMREGION_H */
