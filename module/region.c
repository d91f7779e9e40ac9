// SPDX-License-Identifier: GPL-2.0
/*
 * shmregion: the region table, region lifetime and the shmem backing.
 *
 * Each region's memory is the page cache of a shmem file, as for SysV
 * shm and memfd, so its pages have a mapping (futexes, O_DIRECT and
 * process_vm_readv work), can be swapped, and are charged to the memory
 * cgroup of the task that allocates them: the creator, since CREATE
 * populates the file in the creator's context.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/proc_fs.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/stringhash.h>
#include <linux/sysfs.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "shmregion.h"

#define SHMR_TABLE_BITS		10

/* Named regions, keyed by full_name_hash(). Protected by shmr_table_lock. */
static DEFINE_HASHTABLE(shmr_names, SHMR_TABLE_BITS);
static DEFINE_MUTEX(shmr_table_lock);

/* Regions alive in memory and their bytes. Protected by shmr_count_lock. */
static DEFINE_SPINLOCK(shmr_count_lock);
static unsigned int shmr_nr_regions;
static u64 shmr_nr_bytes;

/**
 * shmr_name_check() - validate a region name from userspace
 * @name: the SHMR_NAME_MAX bytes of a uapi name field.
 *
 * A name is 1..SHMR_NAME_MAX-1 printable ASCII bytes other than '/',
 * terminated by a NUL inside the field.
 *
 * Return: the name's length, or -EINVAL.
 */
int shmr_name_check(const char *name)
{
	size_t len = strnlen(name, SHMR_NAME_MAX);
	size_t i;

	if (!len || len == SHMR_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (name[i] < 0x20 || name[i] > 0x7e || name[i] == '/')
			return -EINVAL;
	return len;
}

static u32 shmr_name_hash(const char *name)
{
	return full_name_hash(NULL, name, strlen(name));
}

/* Reserve room for one region of @size bytes under the module's limits. */
static int shmr_charge(u64 size)
{
	int ret = 0;

	spin_lock(&shmr_count_lock);
	if (shmr_nr_regions >= READ_ONCE(shmr_max_regions) ||
	    size > READ_ONCE(shmr_max_total_bytes) - min(shmr_nr_bytes,
						READ_ONCE(shmr_max_total_bytes))) {
		ret = -ENOSPC;
	} else {
		shmr_nr_regions++;
		shmr_nr_bytes += size;
	}
	spin_unlock(&shmr_count_lock);
	return ret;
}

static void shmr_uncharge(u64 size)
{
	spin_lock(&shmr_count_lock);
	shmr_nr_regions--;
	shmr_nr_bytes -= size;
	spin_unlock(&shmr_count_lock);
}

/**
 * shmr_region_populate() - allocate every page of a region's shmem file
 * @r: the new region, not yet visible to anybody else.
 *
 * __GFP_RETRY_MAYFAIL makes a memory cgroup at its limit fail the charge
 * with -ENOMEM instead of invoking the OOM killer. Each page is marked
 * dirty so that reclaim swaps it rather than dropping it as a clean
 * page-cache page (which would let a later fault allocate, and fail,
 * again). The page cache keeps the pages; our references are dropped.
 *
 * Context: process context of the creator; may sleep.
 * Return: 0, -ENOMEM, or -EINTR when the creator was killed meanwhile.
 */
static int shmr_region_populate(struct shmr_region *r)
{
	struct address_space *mapping = r->shmem->f_mapping;
	gfp_t gfp = mapping_gfp_mask(mapping) | __GFP_RETRY_MAYFAIL;
	pgoff_t i;

	for (i = 0; i < r->nr_pages; i++) {
		struct page *page;

		if (fatal_signal_pending(current))
			return -EINTR;
		page = shmem_read_mapping_page_gfp(mapping, i, gfp);
		if (IS_ERR(page))
			return PTR_ERR(page);
		folio_mark_dirty(page_folio(page));
		put_page(page);
		cond_resched();
	}
	return 0;
}

/**
 * shmr_region_alloc() - make a region that is not in the table yet
 * @name: a valid name (see shmr_name_check()).
 * @size: size in bytes, a non-zero multiple of PAGE_SIZE.
 * @mode: permission bits.
 * @flags: SHMR_CREATE_* flags.
 *
 * Context: process context of the creator; may sleep.
 * Return: the region with one reference (the caller's), or ERR_PTR():
 * -ENOSPC when a module limit is reached, -ENOMEM when memory or the
 * creator's memory cgroup cannot back it.
 */
static struct shmr_region *shmr_region_alloc(const char *name, u64 size,
					     umode_t mode, u32 flags)
{
	struct shmr_region *r;
	int ret;

	ret = shmr_charge(size);
	if (ret)
		return ERR_PTR(ret);

	/* charged to the creator; at its memcg limit: ENOMEM, no OOM kill */
	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL);
	if (!r) {
		ret = -ENOMEM;
		goto err_uncharge;
	}
	kref_init(&r->ref);
	INIT_HLIST_NODE(&r->node);
	strscpy(r->name, name, sizeof(r->name));
	r->hash = shmr_name_hash(r->name);
	r->size = size;
	r->nr_pages = size >> PAGE_SHIFT;
	r->uid = current_euid();
	r->gid = current_egid();
	r->mode = mode;
	r->flags = flags & SHMR_REGION_FLAGS;
	spin_lock_init(&r->lock);
	atomic64_set(&r->seq, 0);
	init_waitqueue_head(&r->wait);
	atomic_set(&r->nr_handles, 0);
	atomic_set(&r->nr_mappings, 0);

	r->ctrl_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO |
				  __GFP_RETRY_MAYFAIL);
	if (!r->ctrl_page) {
		ret = -ENOMEM;
		goto err_free_region;
	}
	r->ctrl = page_address(r->ctrl_page);

	r->shmem = shmr_shmem_file_setup("shmregion", size,
					 flags & SHMR_CREATE_LAZY);
	if (IS_ERR(r->shmem)) {
		ret = PTR_ERR(r->shmem);
		goto err_free_ctrl;
	}

	if (!(flags & SHMR_CREATE_LAZY)) {
		ret = shmr_region_populate(r);
		if (ret)
			goto err_put_shmem;
	}
	return r;

err_put_shmem:
	fput(r->shmem);
err_free_ctrl:
	put_page(r->ctrl_page);
err_free_region:
	kfree(r);
err_uncharge:
	shmr_uncharge(size);
	return ERR_PTR(ret);
}

/* Free a region that nobody references any more. */
static void shmr_region_free(struct shmr_region *r)
{
	u64 size = r->size;

	fput(r->shmem);
	put_page(r->ctrl_page);
	kfree(r);
	shmr_uncharge(size);
}

/**
 * shmr_region_release() - kref release: drop the name, free the region
 * @ref: the region's @ref, which just reached zero.
 *
 * Context: called by kref_put_mutex() with shmr_table_lock held;
 * releases it.
 */
static void shmr_region_release(struct kref *ref)
{
	struct shmr_region *r = container_of(ref, struct shmr_region, ref);

	lockdep_assert_held(&shmr_table_lock);
	if (r->named) {
		hash_del(&r->node);
		r->named = false;
	}
	mutex_unlock(&shmr_table_lock);
	shmr_region_free(r);
}

/**
 * shmr_region_get() - take a reference on a region
 * @r: a region the caller already holds a reference on.
 */
void shmr_region_get(struct shmr_region *r)
{
	kref_get(&r->ref);
}

/**
 * shmr_region_put() - drop a reference on a region
 * @r: the region.
 *
 * The last put removes a transient region's name and frees the region.
 *
 * Context: may sleep; must not hold shmr_table_lock.
 */
void shmr_region_put(struct shmr_region *r)
{
	kref_put_mutex(&r->ref, shmr_region_release, &shmr_table_lock);
}

static struct shmr_region *shmr_lookup_locked(const char *name, u32 hash)
{
	struct shmr_region *r;

	lockdep_assert_held(&shmr_table_lock);
	hash_for_each_possible(shmr_names, r, node, hash)
		if (r->hash == hash && !strcmp(r->name, name))
			return r;
	return NULL;
}

/**
 * shmr_may_access() - SysV ipcperms()-like access check
 * @r: the region.
 * @write: write access is wanted as well as read access.
 *
 * The owner's bits apply if the caller's euid owns the region, else the
 * group bits if the caller is in the owner group, else the other bits.
 * CAP_IPC_OWNER (in the initial user namespace: regions are global)
 * bypasses the check.
 *
 * Return: true if the caller may have the access.
 */
static bool shmr_may_access(const struct shmr_region *r, bool write)
{
	umode_t want = write ? 06 : 04;
	umode_t granted = r->mode;

	if (uid_eq(current_euid(), r->uid))
		granted >>= 6;
	else if (in_group_p(r->gid))
		granted >>= 3;
	if (!(want & ~granted & 07))
		return true;
	return capable(CAP_IPC_OWNER);
}

/* Attach CREATE to an existing region @r; see shmr_region_create(). */
static struct shmr_region *shmr_region_reuse_locked(struct shmr_region *r,
						    u64 size, u32 flags)
{
	lockdep_assert_held(&shmr_table_lock);
	if (flags & SHMR_CREATE_EXCL)
		return ERR_PTR(-EEXIST);
	if (!shmr_may_access(r, true))
		return ERR_PTR(-EACCES);
	if (size > r->size)
		return ERR_PTR(-EINVAL);
	shmr_region_get(r);
	return r;
}

/**
 * shmr_region_create() - find or make a named region for CREATE
 * @name: a valid name.
 * @size: bytes, a non-zero multiple of PAGE_SIZE within the module limit.
 * @mode: permission bits for a new region.
 * @flags: SHMR_CREATE_* flags.
 * @created: set to whether a new region was made.
 *
 * The region is allocated and populated outside shmr_table_lock; if
 * another CREATE of the same name won the race meanwhile, ours is freed
 * and theirs is used as if it had existed before.
 *
 * Context: process context; may sleep.
 * Return: the region with a reference for the caller, or ERR_PTR():
 * -EEXIST, -EACCES, -EINVAL (existing region too small), -ENOSPC,
 * -ENOMEM.
 */
struct shmr_region *shmr_region_create(const char *name, u64 size,
				       umode_t mode, u32 flags, bool *created)
{
	u32 hash = shmr_name_hash(name);
	struct shmr_region *r, *new;

	*created = false;
	mutex_lock(&shmr_table_lock);
	r = shmr_lookup_locked(name, hash);
	if (r)
		r = shmr_region_reuse_locked(r, size, flags);
	mutex_unlock(&shmr_table_lock);
	if (r)
		return r;

	new = shmr_region_alloc(name, size, mode, flags);
	if (IS_ERR(new))
		return new;

	mutex_lock(&shmr_table_lock);
	r = shmr_lookup_locked(name, hash);
	if (r) {
		r = shmr_region_reuse_locked(r, size, flags);
		mutex_unlock(&shmr_table_lock);
		shmr_region_free(new);
		return r;
	}
	hash_add(shmr_names, &new->node, hash);
	new->named = true;
	/* A persistent region's name holds a reference until UNLINK. */
	if (!(flags & SHMR_CREATE_TRANSIENT))
		shmr_region_get(new);
	mutex_unlock(&shmr_table_lock);
	*created = true;
	return new;
}

/**
 * shmr_region_attach() - find a named region for ATTACH
 * @name: a valid name.
 * @rdonly: only read access is wanted.
 *
 * Context: process context; may sleep.
 * Return: the region with a reference for the caller, or ERR_PTR():
 * -ENOENT, -EACCES.
 */
struct shmr_region *shmr_region_attach(const char *name, bool rdonly)
{
	struct shmr_region *r;

	mutex_lock(&shmr_table_lock);
	r = shmr_lookup_locked(name, shmr_name_hash(name));
	if (!r)
		r = ERR_PTR(-ENOENT);
	else if (!shmr_may_access(r, !rdonly))
		r = ERR_PTR(-EACCES);
	else
		shmr_region_get(r);
	mutex_unlock(&shmr_table_lock);
	return r;
}

/**
 * shmr_region_unlink() - remove a region's name
 * @name: a valid name.
 *
 * The memory lives on until the last handle and mapping go; waiters wake
 * with EIDRM.
 *
 * Context: process context; may sleep.
 * Return: 0, -ENOENT, or -EPERM when the caller is neither the owner nor
 * capable of CAP_IPC_OWNER.
 */
int shmr_region_unlink(const char *name)
{
	struct shmr_region *r;
	bool table_ref;

	mutex_lock(&shmr_table_lock);
	r = shmr_lookup_locked(name, shmr_name_hash(name));
	if (!r) {
		mutex_unlock(&shmr_table_lock);
		return -ENOENT;
	}
	if (!uid_eq(current_euid(), r->uid) && !capable(CAP_IPC_OWNER)) {
		mutex_unlock(&shmr_table_lock);
		return -EPERM;
	}
	hash_del(&r->node);
	r->named = false;
	table_ref = !(r->flags & SHMR_CREATE_TRANSIENT);
	/* keep @r alive until we are done, even if its users leave now */
	shmr_region_get(r);
	mutex_unlock(&shmr_table_lock);

	shmr_region_mark_unlinked(r);
	if (table_ref)
		shmr_region_put(r);
	shmr_region_put(r);
	return 0;
}

/* /proc/driver/shmregion: one line per named region (docs/abi.md). */
static int shmr_proc_show(struct seq_file *m, void *v)
{
	struct user_namespace *ns = seq_user_ns(m);
	struct shmr_region *r;
	int bkt;

	seq_puts(m, "size seq uid gid mode handles mappings flags name\n");
	mutex_lock(&shmr_table_lock);
	hash_for_each(shmr_names, bkt, r, node)
		seq_printf(m, "%llu %llu %u %u %04o %d %d 0x%x %s\n",
			   r->size, shmr_region_seq(r),
			   from_kuid_munged(ns, r->uid),
			   from_kgid_munged(ns, r->gid), r->mode,
			   atomic_read(&r->nr_handles),
			   atomic_read(&r->nr_mappings), r->flags, r->name);
	mutex_unlock(&shmr_table_lock);
	return 0;
}

/* /sys/class/misc/shmregion/{nr_regions,nr_bytes} */
static ssize_t nr_regions_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	unsigned int n;

	spin_lock(&shmr_count_lock);
	n = shmr_nr_regions;
	spin_unlock(&shmr_count_lock);
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(nr_regions);

static ssize_t nr_bytes_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	u64 n;

	spin_lock(&shmr_count_lock);
	n = shmr_nr_bytes;
	spin_unlock(&shmr_count_lock);
	return sysfs_emit(buf, "%llu\n", n);
}
static DEVICE_ATTR_RO(nr_bytes);

static struct attribute *shmr_attrs[] = {
	&dev_attr_nr_regions.attr,
	&dev_attr_nr_bytes.attr,
	NULL,
};

static const struct attribute_group shmr_attr_group = {
	.attrs = shmr_attrs,
};

/* The misc device's attribute groups (struct miscdevice.groups). */
const struct attribute_group *shmr_attr_groups[] = {
	&shmr_attr_group,
	NULL,
};

/**
 * shmr_region_init() - create the /proc listing
 *
 * Return: 0 or -ENOMEM.
 */
int shmr_region_init(void)
{
	if (!proc_create_single("driver/shmregion", 0444, NULL, shmr_proc_show))
		return -ENOMEM;
	return 0;
}

/**
 * shmr_region_exit() - remove the listing and free every region
 *
 * Context: module exit. No handle or mapping is left (each pins the
 * module), so every region still here is persistent, named and held only
 * by the table; the walk needs no lock because nothing else can reach the
 * table any more once the listing is gone.
 */
void shmr_region_exit(void)
{
	struct shmr_region *r;
	struct hlist_node *tmp;
	int bkt;

	remove_proc_entry("driver/shmregion", NULL);
	hash_for_each_safe(shmr_names, bkt, tmp, r, node) {
		WARN_ON_ONCE(kref_read(&r->ref) != 1);
		shmr_region_put(r);
	}
}
