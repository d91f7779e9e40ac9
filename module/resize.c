// SPDX-License-Identifier: GPL-2.0
/*
 * shmregion: RESIZE, growing or shrinking a region's shmem file.
 */
#include <linux/cred.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>

#include "internal.h"

/*
 * The page after the last one that a data mapping in the region's shmem
 * reverse map reaches (0: none). The VMAs' extents only change under the
 * mapping's i_mmap lock (mremap() growth too); the control page's VMAs,
 * at SHMR_CTRL_PGOFF, do not count.
 */
static pgoff_t shmr_mapped_end(struct shmr_region *r)
{
	struct address_space *mapping = r->shmem->f_mapping;
	struct vm_area_struct *vma;
	struct rb_node *n;
	pgoff_t end = 0;

	i_mmap_lock_read(mapping);
	for (n = rb_first_cached(&mapping->i_mmap); n; n = rb_next(n)) {
		vma = rb_entry(n, struct vm_area_struct, shared.rb);
		if (vma->vm_pgoff < SHMR_CTRL_PGOFF)
			end = max(end, vma->vm_pgoff + vma_pages(vma));
	}
	i_mmap_unlock_read(mapping);
	return end;
}

/* May the caller resize @r: its owner, or CAP_IPC_OWNER in its namespace? */
static bool shmr_may_resize(const struct shmr_region *r)
{
	if (uid_eq(current_euid(), r->uid))
		return true;
	/* a handle passed out of its namespace brings no capability there */
	return shmr_ns_current() == r->ns && shmr_ipc_owner_capable();
}

/* Set the size that faults and new mappings check; under @resize_lock. */
static void shmr_region_set_size(struct shmr_region *r, u64 size)
{
	lockdep_assert_held(&r->resize_lock);
	WRITE_ONCE(r->size, size);
	WRITE_ONCE(r->nr_pages, size >> PAGE_SHIFT);
	WRITE_ONCE(r->map_pages, size >> PAGE_SHIFT);
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
 * shmr_shmem_cut() - free the region's shmem pages from @size on
 * @r: the region, its resize_lock held; nothing maps past @size.
 * @size: the region's new, smaller size (page aligned).
 *
 * The file is never truncated inside a large folio (a HUGE region's, or
 * any region's where shmem gives it mTHP folios). Since 6.15 shmem
 * splits such a folio at the new end piece by piece, and when memory
 * runs out halfway (its xarray nodes are allocated as it goes),
 * shmem_undo_range() (7.2) goes on from the folio's first piece: it
 * frees pages below the new end, and then restarts for ever on a piece
 * it cannot split, in a loop no signal ends. Fault injection found that
 * (an unkillable RESIZE). So a folio across @size first has its part
 * past @size punched out, a hole punch that ends inside the folio, which
 * shmem stops at if the split fails; once nothing crosses @size the file
 * is cut there. When the folio is still whole, the file is cut at the
 * folio's end instead (never past the file's end, which a huge folio
 * may cross): the zeroed tail between stays allocated, past the
 * region's end where no fault (shmr_data_fault()) or fault-around
 * (shmr_data_map_pages()) reaches it, and a later growth reuses it.
 *
 * Return: 0, or what vfs_truncate() returns.
 */
static int shmr_shmem_cut(struct shmr_region *r, loff_t size)
{
	struct file *shmem = r->shmem;
	loff_t end, isize = i_size_read(file_inode(shmem));

	lockdep_assert_held(&r->resize_lock);
	if (shmr_folio_straddles(shmem->f_mapping, size, &end)) {
		/* a huge folio may reach past the file's end: never grow it */
		end = min(end, isize);
		/* only fails for a sealed or busy file, which this is not */
		WARN_ON_ONCE(vfs_fallocate(shmem, FALLOC_FL_PUNCH_HOLE |
					   FALLOC_FL_KEEP_SIZE, size,
					   end - size));
		if (shmr_folio_straddles(shmem->f_mapping, size, &end))
			size = min(end, isize);
	}
	return vfs_truncate(&shmem->f_path, size);
}

static int shmr_region_grow(struct shmr_region *r, u64 size)
{
	u64 old = r->size;
	int ret;

	ret = shmr_recharge(r->uid, old, size);
	if (ret)
		return ret;
	/* a shrink may have left the file longer than the region */
	if (size > i_size_read(file_inode(r->shmem)))
		ret = vfs_truncate(&r->shmem->f_path, size);
	if (ret)
		goto err_uncharge;
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
	WARN_ON_ONCE(shmr_shmem_cut(r, old));
err_uncharge:
	shmr_recharge(r->uid, size, old);
	/* as for CREATE: a full huge tmpfs mount is memory, not our limits */
	return ret == -ENOSPC ? -ENOMEM : ret;
}

static int shmr_region_shrink(struct shmr_region *r, u64 size)
{
	u64 old = r->size;
	int ret;

	/*
	 * New mappings stop at the new end first, then the reverse map is
	 * looked at: a mapping linked after that look sees the new end in
	 * ->mapped (7.2) and fails (shmr_data_vma_mapped()). Faults keep
	 * the old end until the shrink is sure.
	 */
	WRITE_ONCE(r->map_pages, size >> PAGE_SHIFT);
	if (atomic_read(&r->nr_hidden_maps) ||
	    shmr_mapped_end(r) > size >> PAGE_SHIFT) {
		WRITE_ONCE(r->map_pages, r->nr_pages);
		return -EBUSY;
	}
	shmr_region_set_size(r, size);
	ret = shmr_shmem_cut(r, size);
	if (WARN_ON_ONCE(ret)) {
		shmr_region_set_size(r, old);
		return ret;
	}
	shmr_recharge(r->uid, old, size);
	return 0;
}

/**
 * shmr_region_resize() - RESIZE: grow or shrink a region
 * @r: the caller's bound region, through a read-write handle.
 * @size: the new size: a non-zero multiple of PAGE_SIZE within the
 *	module's limit.
 *
 * The shmem file's size changes with vfs_truncate(), so shmem keeps its
 * own accounting; growth charges the owner's limits first and allocates
 * the new pages (in the caller's memory cgroup) before any mapping can
 * reach them; a shrink sets the new end for mappings and faults before
 * shmem frees the tail. Either is an update (shmr_region_update()).
 *
 * Before 7.2 a mapping made while a shrink runs, and on any kernel one
 * merged into a neighbour or grown with mremap() meanwhile, is not seen
 * by the check: its pages past the new end then give SIGBUS, as memfd's
 * do after ftruncate() (docs/abi.md).
 *
 * Context: process context; may sleep.
 * Return: 0 (also when @size is the region's: then no update), -EPERM,
 * -ENOSPC, -EDQUOT, -ENOMEM, -EINTR or -EBUSY.
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
		ret = shmr_region_shrink(r, size);
	mutex_unlock(&r->resize_lock);
	if (!ret && changed)
		shmr_region_update(r);
	return ret;
}
