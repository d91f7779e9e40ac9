// SPDX-License-Identifier: GPL-2.0
/*
 * shmregion: RESIZE, a region growing or shrinking.
 *
 * A region's size is its shmem file's size: shmem's own faults,
 * fault-around and truncation check i_size, and @nr_pages mirrors it for
 * the checks of our own (mmap(), the fault wrapper, INFO). RESIZE is a
 * memory operation, not a file write. It sets i_size itself under the
 * inode lock, as shmem_setattr() does, and a shrink unmaps the tail from
 * every process (every mapping is in the shmem inode's reverse map:
 * mmap.c) and frees it with shmem_truncate_range(), so a later touch
 * there gives SIGBUS. vfs_truncate() or notify_change() would apply the
 * caller's RLIMIT_FSIZE (SIGXFSZ on growth) and the LSMs' file checks to
 * an internal inode the caller never opened. i_size carries no commit
 * charge: every region's shmem file is VM_NORESERVE (region.c), and
 * shmem charges each page as it allocates it.
 */
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>

#include "internal.h"

/* May the caller resize @r: its owner, or CAP_IPC_OWNER in its namespace? */
static bool shmr_may_resize(const struct shmr_region *r)
{
	if (uid_eq(current_euid(), r->uid))
		return true;
	/* a handle passed out of its namespace brings no capability there */
	return shmr_ns_current() == r->ns && shmr_ipc_owner_capable();
}

/* Set the size that mmap() and faults check; under @resize_lock. */
static void shmr_region_set_size(struct shmr_region *r, u64 size)
{
	lockdep_assert_held(&r->resize_lock);
	WRITE_ONCE(r->size, size);
	WRITE_ONCE(r->nr_pages, size >> PAGE_SHIFT);
}

/*
 * Does a large folio of @mapping begin before @pos and reach past it?
 * Then *@end is set to where it ends.
 */
static bool shmr_folio_straddles(struct address_space *mapping, loff_t pos,
				 loff_t *end)
{
	struct folio *folio = filemap_get_folio(mapping, pos >> PAGE_SHIFT);
	bool ret = false;

	/* NULL before 6.3, ERR_PTR(-ENOENT) since */
	if (IS_ERR_OR_NULL(folio))
		return false;
	if (folio_pos(folio) < pos) {
		*end = folio_pos(folio) + folio_size(folio);
		ret = true;
	}
	folio_put(folio);
	return ret;
}

/**
 * shmr_shmem_truncate() - cut a region's shmem file to @size
 * @r: the region, its resize_lock held; faults and mmap() already stop
 *	at @size.
 * @size: the new end (page aligned), below the file's end.
 *
 * As shmem_setattr() for ATTR_SIZE: i_size first (shmem's faults see
 * it under the folio lock), then the tail is unmapped from every
 * process, freed, and unmapped again for COW copies made meanwhile.
 *
 * The file is never cut inside a large folio (a HUGE region's, or any
 * region's where shmem gives it mTHP folios). Since 6.15 shmem splits a
 * folio across the new end piece by piece, and when memory runs out
 * halfway shmem_undo_range() (7.2) goes on from the folio's first piece:
 * it frees pages below the new end, then restarts for ever on a piece it
 * cannot split, in a loop no signal ends (fault injection found that).
 * So a folio across @size first has its part past @size punched out, a
 * range that shmem stops at cleanly when the split fails, having zeroed
 * it; the rest of the file is then freed from the first folio boundary
 * at or past @size. A folio that could not be split stays whole, zeroed
 * past @size: what shmem maps of it past i_size is zeroes (shmem maps a
 * huge folio with one PMD across its own end), never old data.
 *
 * Context: process context; takes the inode lock.
 */
static void shmr_shmem_truncate(struct shmr_region *r, loff_t size)
{
	struct inode *inode = file_inode(r->shmem);
	struct address_space *mapping = inode->i_mapping;
	loff_t from = size, end;

	lockdep_assert_held(&r->resize_lock);
	inode_lock(inode);
	if (shmr_folio_straddles(mapping, size, &end)) {
		/* a huge folio may reach past the file's end */
		end = min(end, i_size_read(inode));
		if (end > size) {
			unmap_mapping_range(mapping, size, end - size, 0);
			shmem_truncate_range(inode, size, end - 1);
		}
		if (shmr_folio_straddles(mapping, size, &end))
			from = end;
	}
	i_size_write(inode, size);
	/* data only: the control page's mappings lie at SHMR_CTRL_OFFSET */
	unmap_mapping_range(mapping, size, SHMR_CTRL_OFFSET - size, 1);
	shmem_truncate_range(inode, from, (loff_t)-1);
	unmap_mapping_range(mapping, size, SHMR_CTRL_OFFSET - size, 1);
	inode_unlock(inode);
}

static int shmr_region_grow(struct shmr_region *r, u64 size)
{
	struct inode *inode = file_inode(r->shmem);
	u64 old = r->size;
	int ret;

	ret = shmr_recharge(r->uid, old, size);
	if (ret)
		return ret;
	inode_lock(inode);
	i_size_write(inode, size);
	inode_unlock(inode);
	if (!(r->flags & SHMR_CREATE_LAZY)) {
		ret = shmr_region_populate(r, old >> PAGE_SHIFT,
					   size >> PAGE_SHIFT);
		if (ret)
			goto err_truncate;
	}
	/* only now may mappings and faults reach the new pages */
	shmr_region_set_size(r, size);
	return 0;

err_truncate:
	/* frees what was populated; nothing can map it yet */
	shmr_shmem_truncate(r, old);
	shmr_recharge(r->uid, size, old);
	/* as for CREATE: a full huge tmpfs mount is memory, not our limits */
	return ret == -ENOSPC ? -ENOMEM : ret;
}

static void shmr_region_shrink(struct shmr_region *r, u64 size)
{
	u64 old = r->size;

	/* new mappings and faults stop at the new end before it is cut */
	shmr_region_set_size(r, size);
	shmr_shmem_truncate(r, size);
	shmr_recharge(r->uid, old, size);
}

/**
 * shmr_region_resize() - RESIZE: grow or shrink a region
 * @r: the caller's bound region, through a read-write handle.
 * @size: the new size: a non-zero multiple of PAGE_SIZE within the
 *	module's limit.
 *
 * Growth charges the owner's limits first and allocates an eager
 * region's new pages (in the caller's memory cgroup) before any mapping
 * or fault can reach them. A shrink succeeds whatever maps the region:
 * as after ftruncate() of a memfd, every process's pages past the new
 * end are unmapped and a touch there gives SIGBUS. Either is an update
 * (shmr_region_update()).
 *
 * Context: process context; may sleep.
 * Return: 0 (also when @size is the region's: then no update), -EPERM,
 * -ENOSPC, -EDQUOT, -ENOMEM or -EINTR.
 */
int shmr_region_resize(struct shmr_region *r, u64 size)
{
	bool changed;
	int ret = 0;

	if (!shmr_may_resize(r))
		return -EPERM;
	if (mutex_lock_killable(&r->resize_lock))
		return -EINTR;
	changed = size != r->size;
	if (size > r->size)
		ret = shmr_region_grow(r, size);
	else if (size < r->size)
		shmr_region_shrink(r, size);
	mutex_unlock(&r->resize_lock);
	if (!ret && changed)
		shmr_region_update(r);
	return ret;
}
