// SPDX-License-Identifier: GPL-2.0
/*
 * shmregion: the region table, region lifetime and the shmem backing.
 *
 * Each region's memory is the page cache of a shmem file, as for SysV
 * shm and memfd, so its pages have a mapping (futexes, O_DIRECT and
 * process_vm_readv work), can be swapped, and are charged to the memory
 * cgroup of the task that allocates them: the creator, since CREATE
 * populates the file in the creator's context.
 *
 * Names are per IPC namespace: a region belongs to its creator's, and
 * CREATE, ATTACH, UNLINK and LIST see only the caller's (shmr_ns_current(),
 * and docs/design.md, "IPC namespaces").
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/hashtable.h>
#include <linux/ipc_namespace.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/nsproxy.h>
#include <linux/pagemap.h>
#include <linux/proc_ns.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/stringhash.h>
#include <linux/user_namespace.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "internal.h"

#define SHMR_TABLE_BITS		10
/* how often the names of regions in dead IPC namespaces are looked for */
#define SHMR_REAP_DELAY		HZ

/* Named regions, keyed by full_name_hash(). Protected by shmr_table_lock. */
static DEFINE_HASHTABLE(shmr_names, SHMR_TABLE_BITS);
static DEFINE_MUTEX(shmr_table_lock);

/* CREATEs of a name that another CREATE is populating wait here. */
static DECLARE_WAIT_QUEUE_HEAD(shmr_ready_wait);

static struct dentry *shmr_debugfs;

/*
 * IPC namespaces. The module holds no reference on a namespace: on 6.1 it
 * could never drop one (put_ipc_ns() is not exported there), and on any
 * kernel a reference would keep a dead container's namespace, with its
 * SysV objects, alive for the module's sake. Each region pins its
 * namespace's POSIX mqueue mount (ipc_namespace.mq_mnt, made with the
 * namespace, one per namespace) instead:
 *
 *  - identity: while a region pins the mount no other namespace can have
 *    it, however the namespace's memory and inode number are reused, so
 *    "same mount" is "same namespace";
 *  - death: put_ipc_ns() clears the mount superblock's s_fs_info
 *    (mq_clear_sbinfo()) when the namespace's last reference goes, never
 *    to set it again; mqueue's own inodes tell a dead namespace so.
 *
 * The reaper (shmr_reap()) removes the names of a dead namespace's
 * regions as UNLINK would: a region nobody holds is freed, one with
 * handles or mappings lives until they go. Without CONFIG_POSIX_MQUEUE
 * no namespace has such a mount; only the initial namespace can then
 * use regions (-EOPNOTSUPP elsewhere).
 */
static void shmr_reap(struct work_struct *work);
static DECLARE_DELAYED_WORK(shmr_reap_work, shmr_reap);

/**
 * shmr_ns_current() - the caller's IPC namespace as the table knows it
 *
 * Context: process context; the caller's namespace is alive.
 * Return: its mqueue mount (NULL: the initial namespace of a kernel
 * without POSIX mqueues), or ERR_PTR(-EOPNOTSUPP).
 */
struct vfsmount *shmr_ns_current(void)
{
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;

	if (!ns->mq_mnt && ns->ns.inum != PROC_IPC_INIT_INO)
		return ERR_PTR(-EOPNOTSUPP);
	return ns->mq_mnt;
}

/* Is @r's IPC namespace gone? See above. */
static bool shmr_ns_gone(const struct shmr_region *r)
{
	return r->ns && !READ_ONCE(r->ns->mnt_sb->s_fs_info);
}

/* CAP_IPC_OWNER over the caller's IPC namespace, as ipcperms() checks. */
bool shmr_ipc_owner_capable(void)
{
	return ns_capable(current->nsproxy->ipc_ns->user_ns, CAP_IPC_OWNER);
}

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

/* Salted with the namespace: equal names of two namespaces spread out. */
static u32 shmr_name_hash(const struct vfsmount *ns, const char *name)
{
	return full_name_hash(ns, name, strlen(name));
}

/*
 * The tmpfs mount that backs SHMR_CREATE_HUGE regions, mounted with
 * huge=within_size as i915's gemfs is: shmem then allocates 2 MiB folios
 * for a file wherever its size covers them, whatever the system's
 * shmem_enabled says (short of "deny"), and a 2 MiB aligned mapping maps
 * each with one PMD. NULL on a kernel without THP.
 */
static struct vfsmount *shmr_huge_mnt;

/* Can CREATE make a SHMR_CREATE_HUGE region here? */
bool shmr_huge_available(void)
{
	return shmr_huge_mnt;
}

static void shmr_huge_mount(void)
{
	struct file_system_type *type;
	char opts[] = "huge=within_size";
	struct vfsmount *mnt;

	if (!IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE))
		return;
	/* tmpfs is built in: get_fs_type() takes no module reference */
	type = get_fs_type("tmpfs");
	if (!type)
		return;
	mnt = vfs_kern_mount(type, SB_KERNMOUNT, type->name, opts);
	if (IS_ERR(mnt)) {
		pr_warn("no huge tmpfs mount (%pe): SHMR_CREATE_HUGE unavailable\n",
			mnt);
		return;
	}
	shmr_huge_mnt = mnt;
}

/**
 * shmr_region_populate() - allocate pages of a region's shmem file
 * @r: the region: new, not yet visible to anybody else, or growing.
 * @from: the first page.
 * @to: the page after the last.
 *
 * __GFP_RETRY_MAYFAIL makes a memory cgroup at its limit fail the charge
 * with -ENOMEM instead of invoking the OOM killer. Each page is marked
 * dirty so that reclaim swaps it rather than dropping it as a clean
 * page-cache page (which would let a later fault allocate, and fail,
 * again). The page cache keeps the pages; our references are dropped.
 *
 * Context: process context of the creator (or resizer); may sleep.
 * Return: 0, -ENOMEM, or -EINTR when the caller was killed meanwhile.
 */
int shmr_region_populate(struct shmr_region *r, pgoff_t from, pgoff_t to)
{
	struct address_space *mapping = r->shmem->f_mapping;
	gfp_t gfp = mapping_gfp_mask(mapping) | __GFP_RETRY_MAYFAIL;
	pgoff_t i;

	for (i = from; i < to; i++) {
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
 * shmr_region_new() - a region struct with its control page, no memory yet
 * @ns: the creator's IPC namespace (shmr_ns_current()); pinned.
 * @name: a valid name (see shmr_name_check()).
 * @size: size in bytes, a non-zero multiple of PAGE_SIZE.
 * @mode: permission bits.
 * @flags: SHMR_CREATE_* flags.
 *
 * Allocated before the name is looked up, so that reserving the name
 * under shmr_table_lock allocates nothing. Not charged yet.
 *
 * Context: process context of the creator; may sleep.
 * Return: the region in state SHMR_CREATING with one reference (the
 * caller's), or NULL when memory or the creator's memory cgroup is out.
 */
static struct shmr_region *shmr_region_new(struct vfsmount *ns,
					   const char *name, u64 size,
					   umode_t mode, u32 flags)
{
	struct shmr_region *r;

	/* charged to the creator; at its memcg limit: NULL, no OOM kill */
	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL);
	if (!r)
		return NULL;
	r->ctrl_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO |
				  __GFP_RETRY_MAYFAIL);
	if (!r->ctrl_page) {
		kfree(r);
		return NULL;
	}
	r->ctrl = page_address(r->ctrl_page);
	kref_init(&r->ref);
	INIT_HLIST_NODE(&r->node);
	r->state = SHMR_CREATING;
	r->ns = ns ? mntget(ns) : NULL;
	r->ns_inum = current->nsproxy->ipc_ns->ns.inum;
	strscpy(r->name, name, sizeof(r->name));
	r->hash = shmr_name_hash(ns, r->name);
	r->size = size;
	r->nr_pages = size >> PAGE_SHIFT;
	mutex_init(&r->resize_lock);
	r->uid = current_euid();
	r->gid = current_egid();
	r->mode = mode;
	r->flags = flags & SHMR_REGION_FLAGS;
	init_waitqueue_head(&r->wait);
	atomic_set(&r->nr_handles, 0);
	return r;
}

/*
 * Free a region struct; @charged: shmr_charge() succeeded for it. Its
 * shmem file, if any, holds the memory and goes with it.
 */
static void shmr_region_free(struct shmr_region *r, bool charged)
{
	if (r->shmem)
		fput(r->shmem);
	put_page(r->ctrl_page);
	if (charged)
		shmr_uncharge(r->uid, r->size);
	if (r->ns)
		mntput(r->ns);
	mutex_destroy(&r->resize_lock);
	kfree(r);
}

/**
 * shmr_region_back() - give a reserved region its memory
 * @r: the region, named but SHMR_CREATING: nobody else uses it.
 *
 * Context: process context of the creator; may sleep.
 * Return: 0, -ENOMEM when memory or the creator's memory cgroup cannot
 * back it, -EINTR when the creator was killed meanwhile.
 */
static int shmr_region_back(struct shmr_region *r)
{
	struct file *shmem;

	/*
	 * VM_NORESERVE for every region: shmem charges the commit of each
	 * page as it allocates it (at CREATE for an eager region), so the
	 * file's size carries no charge and RESIZE may set it (resize.c).
	 */
	shmem = shmr_shmem_file_setup(r->flags & SHMR_CREATE_HUGE ?
				      shmr_huge_mnt : NULL,
				      "shmregion", r->size);
	/*
	 * shmem reports a failed inode allocation as -ENOSPC; for CREATE
	 * that errno means the module's limits (the internal shmem mount
	 * has none), so it is the memory it is: -ENOMEM.
	 */
	if (shmem == ERR_PTR(-ENOSPC))
		return -ENOMEM;
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);
	r->shmem = shmem;
	if (r->flags & SHMR_CREATE_LAZY)
		return 0;
	return shmr_region_populate(r, 0, r->nr_pages);
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
	/* every region that got a reference was charged (shmr_reserve()) */
	shmr_region_free(r, true);
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

static struct shmr_region *shmr_lookup_locked(const struct vfsmount *ns,
					      const char *name, u32 hash)
{	/* lab: exercise 2, shmr_lookup_locked() (docs/lab/02-names.md) */
	struct shmr_region *r;

	lockdep_assert_held(&shmr_table_lock);
	hash_for_each_possible(shmr_names, r, node, hash)
		if (r->hash == hash && r->ns == ns && !strcmp(r->name, name))
			return r;
	return NULL;
}	/* lab: end of exercise 2 */

/* Like shmr_lookup_locked(), but a region still being created is absent. */
static struct shmr_region *shmr_lookup_ready_locked(const struct vfsmount *ns,
						    const char *name)
{
	struct shmr_region *r;

	r = shmr_lookup_locked(ns, name, shmr_name_hash(ns, name));
	return r && r->state == SHMR_READY ? r : NULL;
}

/**
 * shmr_may_access() - SysV ipcperms()-like access check
 * @r: the region.
 * @write: write access is wanted as well as read access.
 *
 * The owner's bits apply if the caller's euid owns the region, else the
 * group bits if the caller is in the owner group, else the other bits.
 * CAP_IPC_OWNER in the user namespace that owns the caller's (and so the
 * region's) IPC namespace bypasses the check, as for SysV IPC.
 *
 * Return: true if the caller may have the access.
 */
static bool shmr_may_access(const struct shmr_region *r, bool write)
{	/* lab: exercise 6, shmr_may_access() (docs/lab/06-perm.md) */
	umode_t want = write ? 06 : 04;
	umode_t granted = r->mode;

	if (uid_eq(current_euid(), r->uid))
		granted >>= 6;
	else if (in_group_p(r->gid))
		granted >>= 3;
	if (!(want & ~granted & 07))
		return true;
	return shmr_ipc_owner_capable();
}	/* lab: end of exercise 6 */

/* Attach CREATE to an existing region @r; see shmr_region_create(). */
static struct shmr_region *shmr_region_reuse_locked(struct shmr_region *r,
						    u64 size, u32 flags)
{
	lockdep_assert_held(&shmr_table_lock);
	if (flags & SHMR_CREATE_EXCL)
		return ERR_PTR(-EEXIST);
	if (!shmr_may_access(r, true))
		return ERR_PTR(-EACCES);
	if (size > READ_ONCE(r->size))
		return ERR_PTR(-EINVAL);
	shmr_region_get(r);
	return r;
}

/*
 * Wait until the CREATE that is populating @r is done. Called with
 * shmr_table_lock held; returns with it dropped.
 */
static int shmr_wait_ready_unlock(struct shmr_region *r)
{
	int ret;

	lockdep_assert_held(&shmr_table_lock);
	shmr_region_get(r);
	mutex_unlock(&shmr_table_lock);
	ret = wait_event_killable(shmr_ready_wait,
				  READ_ONCE(r->state) != SHMR_CREATING);
	shmr_region_put(r);
	return ret ? -EINTR : 0;
}

/**
 * shmr_region_reserve() - put a new region's name in the table
 * @new: from shmr_region_new(); charged and named on success.
 * @flags: SHMR_CREATE_* flags.
 * @existing: set to the region already under that name, with a reference,
 *	when CREATE is to attach to it instead.
 *
 * Only the CREATE that reserves a name charges and populates a region;
 * one that finds the name being populated by another waits for it.
 *
 * Context: process context; may sleep.
 * Return: 0 (@new reserved, or *@existing set), or -EEXIST, -EACCES,
 * -EINVAL (existing region too small), -ENOSPC, -EDQUOT, -ENOMEM, -EINTR.
 */
static int shmr_region_reserve(struct shmr_region *new, u32 flags,
			       struct shmr_region **existing)
{
	struct shmr_user *spare;
	struct shmr_region *r;
	bool spare_used;
	int ret;

	*existing = NULL;
	spare = kzalloc(sizeof(*spare), GFP_KERNEL);
	if (!spare)
		return -ENOMEM;
	for (;;) {
		mutex_lock(&shmr_table_lock);
		r = shmr_lookup_locked(new->ns, new->name, new->hash);
		if (!r || r->state != SHMR_CREATING)
			break;
		if (flags & SHMR_CREATE_EXCL) {
			ret = -EEXIST;
			goto out_unlock;
		}
		ret = shmr_wait_ready_unlock(r);
		if (ret)
			goto out_free_spare;
	}
	if (r) {
		r = shmr_region_reuse_locked(r, new->size, flags);
		ret = IS_ERR(r) ? PTR_ERR(r) : 0;
		if (!ret)
			*existing = r;
		goto out_unlock;
	}
	ret = shmr_charge(new->uid, new->size, spare, &spare_used);
	if (ret)
		goto out_unlock;
	if (spare_used)
		spare = NULL;
	hash_add(shmr_names, &new->node, new->hash);
	new->named = true;

out_unlock:
	mutex_unlock(&shmr_table_lock);
out_free_spare:
	kfree(spare);
	return ret;
}

/* Make a reserved region ready, or take a failed one's name back. */
static void shmr_region_settle(struct shmr_region *r, bool ok)
{
	mutex_lock(&shmr_table_lock);
	if (ok) {
		/* A persistent region's name holds a reference until UNLINK. */
		if (!(r->flags & SHMR_CREATE_TRANSIENT))
			shmr_region_get(r);
		WRITE_ONCE(r->state, SHMR_READY);
		/* its namespace may die: look for that from now on */
		if (r->ns_inum != PROC_IPC_INIT_INO)
			schedule_delayed_work(&shmr_reap_work, SHMR_REAP_DELAY);
	} else {
		hash_del(&r->node);
		r->named = false;
		WRITE_ONCE(r->state, SHMR_FAILED);
	}
	mutex_unlock(&shmr_table_lock);
	wake_up_all(&shmr_ready_wait);
}

/**
 * shmr_region_publish() - make a region that CREATE made visible
 * @r: from shmr_region_create() with *@created set.
 *
 * From now on ATTACH, UNLINK and LIST see it, and CREATEs of its name
 * that waited attach to it.
 *
 * Context: process context; may sleep.
 */
void shmr_region_publish(struct shmr_region *r)
{
	shmr_region_settle(r, true);
}

/**
 * shmr_region_discard() - take back a region that CREATE made
 * @r: from shmr_region_create() with *@created set, not published.
 *
 * As if CREATE had failed before making it: the name is free again
 * (CREATEs that waited for it try to make it themselves), and the
 * caller's reference goes, freeing and uncharging the region.
 *
 * Context: process context; may sleep.
 */
void shmr_region_discard(struct shmr_region *r)
{
	shmr_region_settle(r, false);
	/* waiters hold references; the last put frees and uncharges */
	shmr_region_put(r);
}

/**
 * shmr_region_create() - find or make a named region for CREATE
 * @name: a valid name.
 * @size: bytes, a non-zero multiple of PAGE_SIZE within the module limit.
 * @mode: permission bits for a new region.
 * @flags: SHMR_CREATE_* flags.
 * @created: set to whether a new region was made.
 *
 * The name is reserved (and the limits charged) first; the memory is
 * allocated outside shmr_table_lock, while CREATEs of the same name wait
 * and ATTACH, UNLINK and LIST do not see the region. A new region
 * (*@created) stays so until the caller, once nothing of CREATE can fail
 * any more, passes it to shmr_region_publish() or shmr_region_discard():
 * a CREATE that fails leaves no region behind.
 *
 * Context: process context; may sleep.
 * Return: the region with a reference for the caller, or ERR_PTR():
 * -EEXIST, -EACCES, -EINVAL (existing region too small), -ENOSPC,
 * -EDQUOT, -ENOMEM, -EINTR, -EOPNOTSUPP (shmr_ns_current()).
 */
struct shmr_region *shmr_region_create(const char *name, u64 size,
				       umode_t mode, u32 flags, bool *created)
{
	struct shmr_region *new, *existing;
	struct vfsmount *ns;
	int ret;

	*created = false;
	ns = shmr_ns_current();
	if (IS_ERR(ns))
		return ERR_CAST(ns);
	new = shmr_region_new(ns, name, size, mode, flags);
	if (!new)
		return ERR_PTR(-ENOMEM);
	ret = shmr_region_reserve(new, flags, &existing);
	if (ret || existing) {
		shmr_region_free(new, false);
		return ret ? ERR_PTR(ret) : existing;
	}

	ret = shmr_region_back(new);
	if (ret) {
		shmr_region_discard(new);
		return ERR_PTR(ret);
	}
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
 * -ENOENT, -EACCES, -EOPNOTSUPP (shmr_ns_current()).
 */
struct shmr_region *shmr_region_attach(const char *name, bool rdonly)
{	/* lab: exercise 2, shmr_region_attach() (docs/lab/02-names.md) */
	struct vfsmount *ns = shmr_ns_current();
	struct shmr_region *r;

	if (IS_ERR(ns))
		return ERR_CAST(ns);
	mutex_lock(&shmr_table_lock);
	r = shmr_lookup_ready_locked(ns, name);
	if (!r)
		r = ERR_PTR(-ENOENT);
	else if (!shmr_may_access(r, !rdonly))
		r = ERR_PTR(-EACCES);
	else
		shmr_region_get(r);
	mutex_unlock(&shmr_table_lock);
	return r;
}	/* lab: end of exercise 2 */

/*
 * Take a ready region's name away, keeping @r alive (a reference) until
 * shmr_region_unnamed() is done with it, even if its users leave now.
 */
static void shmr_region_unname_locked(struct shmr_region *r)
{
	lockdep_assert_held(&shmr_table_lock);
	hash_del(&r->node);
	r->named = false;
	shmr_region_get(r);
}

/*
 * After shmr_region_unname_locked(), without shmr_table_lock: wake the
 * waiters (EIDRM), drop the name's reference and ours.
 */
static void shmr_region_unnamed(struct shmr_region *r)
{
	shmr_region_mark_unlinked(r);
	if (!(r->flags & SHMR_CREATE_TRANSIENT))
		shmr_region_put(r);
	shmr_region_put(r);
}

/**
 * shmr_region_unlink() - remove a region's name
 * @bound: the region of the caller's handle, or NULL to look up @name.
 * @name: a valid name, when @bound is NULL.
 *
 * The memory lives on until the last handle and mapping go; waiters wake
 * with EIDRM. A handle's own region (SHMR_UNLINK_BOUND) loses its name
 * only while it still has it, in the caller's IPC namespace: a region of
 * the same name made after an UNLINK is not the handle's to remove.
 *
 * Context: process context; may sleep.
 * Return: 0, -ENOENT, -EOPNOTSUPP (shmr_ns_current()), or -EPERM when the
 * caller is neither the owner nor capable of CAP_IPC_OWNER in its IPC
 * namespace's user namespace.
 */
int shmr_region_unlink(struct shmr_region *bound, const char *name)
{
	struct vfsmount *ns = shmr_ns_current();
	struct shmr_region *r;

	if (IS_ERR(ns))
		return PTR_ERR(ns);
	mutex_lock(&shmr_table_lock);
	if (bound)
		r = bound->named && bound->ns == ns ? bound : NULL;
	else
		r = shmr_lookup_ready_locked(ns, name);
	if (!r) {
		mutex_unlock(&shmr_table_lock);
		return -ENOENT;
	}
	if (!uid_eq(current_euid(), r->uid) && !shmr_ipc_owner_capable()) {
		mutex_unlock(&shmr_table_lock);
		return -EPERM;
	}
	shmr_region_unname_locked(r);
	mutex_unlock(&shmr_table_lock);
	shmr_region_unnamed(r);
	return 0;
}

/**
 * shmr_reap() - remove the names of the regions of dead IPC namespaces
 * @work: shmr_reap_work.
 *
 * Runs SHMR_REAP_DELAY after a region of a namespace other than the
 * initial one is published, and again as long as such a region is named.
 * A dead namespace's region loses its name as if UNLINKed: freed now if
 * nothing holds it, else when its last handle and mapping go. Nobody can
 * reach the name meanwhile: no live namespace has its mqueue mount.
 *
 * Context: a kworker; may sleep.
 */
static void shmr_reap(struct work_struct *work)
{
	struct shmr_region *r;
	struct hlist_node *tmp;
	HLIST_HEAD(gone);
	bool again = false;
	int bkt;

	mutex_lock(&shmr_table_lock);
	hash_for_each_safe(shmr_names, bkt, tmp, r, node) {
		if (r->ns_inum == PROC_IPC_INIT_INO)
			continue;
		if (r->state != SHMR_READY || !shmr_ns_gone(r)) {
			again = true;
			continue;
		}
		shmr_region_unname_locked(r);
		/* @node is free once the name is gone */
		hlist_add_head(&r->node, &gone);
	}
	mutex_unlock(&shmr_table_lock);
	hlist_for_each_entry_safe(r, tmp, &gone, node)
		shmr_region_unnamed(r);
	if (again)
		schedule_delayed_work(&shmr_reap_work, SHMR_REAP_DELAY);
}

/**
 * shmr_region_info() - describe a region as SHMR_IOC_INFO and LIST do
 * @r: the region.
 * @ns: the user namespace to show the owner in.
 * @info: filled in whole (what is not set is zero).
 */
void shmr_region_info(struct shmr_region *r, struct user_namespace *ns,
		      struct shmr_info *info)
{
	memset(info, 0, sizeof(*info));
	memcpy(info->name, r->name, sizeof(info->name));
	info->size = READ_ONCE(r->size);
	info->seq = shmr_region_seq(r);
	info->uid = from_kuid_munged(ns, r->uid);
	info->gid = from_kgid_munged(ns, r->gid);
	info->mode = r->mode;
	info->flags = r->flags;
	if (READ_ONCE(r->unlinked))
		info->flags |= SHMR_INFO_UNLINKED;
	info->handles = atomic_read(&r->nr_handles);
	info->mappings = shmr_region_mappings(r);
	info->ipc_ns = r->ns_inum;
}

/* Does a listing of IPC namespace @ns (or of @all) show @r? */
static bool shmr_region_listed(const struct shmr_region *r, bool all,
			       const struct vfsmount *ns)
{
	return r->state == SHMR_READY && (all || r->ns == ns);
}

/**
 * shmr_region_snapshot() - a snapshot of the named regions
 * @all: every IPC namespace's regions, not only @ns's.
 * @ns: the IPC namespace (shmr_ns_current()) whose regions to list.
 * @user_ns: the user namespace to show owners in.
 * @max: the most entries wanted (0: only count).
 * @nr: set to the entries in the snapshot.
 * @total: set to the named regions there are.
 *
 * The snapshot is taken under shmr_table_lock into kernel memory, so the
 * caller copies it out (and may fault) without the lock.
 *
 * Context: process context; may sleep.
 * Return: the entries (kvfree() them; NULL when @nr is 0), or
 * ERR_PTR(-ENOMEM).
 */
static struct shmr_info *shmr_region_snapshot(bool all,
					      const struct vfsmount *ns,
					      struct user_namespace *user_ns,
					      u32 max, u32 *nr, u32 *total)
{
	struct shmr_info *list = NULL;
	struct shmr_region *r;
	u32 n, count, cap = 0;
	int bkt;

	*nr = 0;
	for (;;) {
		count = 0;
		mutex_lock(&shmr_table_lock);
		hash_for_each(shmr_names, bkt, r, node)
			count += shmr_region_listed(r, all, ns);
		n = min(max, count);
		if (n <= cap)
			break;
		mutex_unlock(&shmr_table_lock);
		/* allocated unlocked; the table may grow meanwhile: recount */
		kvfree(list);
		/*
		 * The caller asked for it and gets -ENOMEM: no warning (a
		 * failed vmalloc() fallback would print a call trace).
		 */
		list = kvmalloc_array(n, sizeof(*list),
				      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!list)
			return ERR_PTR(-ENOMEM);
		cap = n;
	}
	hash_for_each(shmr_names, bkt, r, node) {
		if (*nr == n)
			break;
		if (shmr_region_listed(r, all, ns))
			shmr_region_info(r, user_ns, &list[(*nr)++]);
	}
	mutex_unlock(&shmr_table_lock);
	*total = count;
	if (!*nr) {
		kvfree(list);
		list = NULL;
	}
	return list;
}

/**
 * shmr_region_list() - a snapshot of the caller's IPC namespace's regions
 * @user_ns: the user namespace to show owners in.
 * @max: the most entries wanted (0: only count).
 * @nr: set to the entries in the snapshot.
 * @total: set to the named regions there are in the namespace.
 *
 * Context: process context; may sleep.
 * Return: as shmr_region_snapshot(), or ERR_PTR(-EOPNOTSUPP).
 */
struct shmr_info *shmr_region_list(struct user_namespace *user_ns, u32 max,
				   u32 *nr, u32 *total)
{
	struct vfsmount *ns = shmr_ns_current();

	*nr = 0;
	if (IS_ERR(ns))
		return ERR_CAST(ns);
	return shmr_region_snapshot(false, ns, user_ns, max, nr, total);
}

/*
 * debugfs shmregion/regions: one line per named region of every IPC
 * namespace, for the administrator (docs/abi.md).
 */
static int shmr_regions_show(struct seq_file *m, void *v)
{
	struct shmr_info *list;
	u32 i, nr, total;

	list = shmr_region_snapshot(true, NULL, seq_user_ns(m), U32_MAX, &nr,
				    &total);
	if (IS_ERR(list))
		return PTR_ERR(list);
	seq_puts(m, "size seq uid gid mode handles mappings flags ipc_ns name\n");
	for (i = 0; i < nr; i++)
		seq_printf(m, "%llu %llu %u %u %04o %u %u 0x%x %llu %s\n",
			   list[i].size, list[i].seq, list[i].uid, list[i].gid,
			   list[i].mode, list[i].handles, list[i].mappings,
			   list[i].flags, list[i].ipc_ns, list[i].name);
	kvfree(list);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(shmr_regions);

/**
 * shmr_region_init() - create the debugfs view
 *
 * debugfs failures are not errors (Documentation/filesystems/debugfs.rst).
 *
 * Return: 0.
 */
int shmr_region_init(void)
{
	shmr_huge_mount();
	shmr_debugfs = debugfs_create_dir("shmregion", NULL);
	debugfs_create_file("regions", 0444, shmr_debugfs, NULL,
			    &shmr_regions_fops);
	return 0;
}

/**
 * shmr_region_exit() - remove the debugfs view and free every region
 *
 * Context: module exit. No handle or mapping is left (each pins the
 * module), so every region still here is persistent, ready, named and
 * held only by the table; the walk needs no lock because nothing else can
 * reach the table any more once the debugfs view and the reaper are gone.
 */
void shmr_region_exit(void)
{
	struct shmr_region *r;
	struct hlist_node *tmp;
	int bkt;

	debugfs_remove_recursive(shmr_debugfs);
	cancel_delayed_work_sync(&shmr_reap_work);
	hash_for_each_safe(shmr_names, bkt, tmp, r, node) {
		WARN_ON_ONCE(kref_read(&r->ref) != 1);
		shmr_region_put(r);
	}
	shmr_limits_exit();
	if (shmr_huge_mnt)
		kern_unmount(shmr_huge_mnt);
}
