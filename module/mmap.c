// SPDX-License-Identifier: GPL-2.0
/*
 * shmregion: mapping a region's data and its control page.
 *
 * The shape is SysV shm's (ipc/shm.c, do_shmat() and shm_mmap()): the
 * device file is never a VMA's file, and its f_mapping is never touched.
 * Each mmap() of a handle makes a mapping file: a new struct file on the
 * region's shmem inode, with our file operations, that holds a reference
 * on the region, and the VMA is moved onto it (vma_set_file() as
 * dma_buf_mmap() does; on 7.x .mmap_prepare hands it to the core in
 * desc->vm_file, as shmem_zero_setup_desc() does). So:
 *
 *  - every data VMA, whatever process made it, is in the shmem inode's
 *    reverse map: the core can unmap our PTEs to reclaim, swap, migrate
 *    and compact the pages, and truncation (RESIZE) unmaps them;
 *  - the core's notion of the VMA's file is right: it is a file on a
 *    shmem inode, so what it does with SHMEM_I() of it (smaps' swap
 *    count, THP decisions) reads a shmem inode; the device file, which
 *    is not one, never looks like one (F_GET_SEALS on it is EINVAL);
 *  - what keeps the region and the module alive is the VMA's file
 *    reference, counted by the core through every split, merge, fork,
 *    mremap() and free: the mapping file's release drops the region,
 *    and its fops.owner pins the module (as anon_inode_getfile() does).
 *    There is no ->open or ->close: nothing here depends on the core
 *    calling them in pairs (6.6 to 6.12 free a VMA whose ->mmap changed
 *    its flags without ->close when it merges on the second try).
 *
 * The data VMA's vm_operations wrap shmem's own, as shm_vm_ops do: faults
 * and fault-around are shmem's, with its locking against truncation, and
 * stop at the region's end. A fresh mapping file per mmap() can never be
 * merged with another VMA's file, so no new mapping is ever merged into
 * a neighbour unchecked. The control page is mapped the same way, on its
 * own mapping file, with vm_operations of our own (it is not shmem's).
 *
 * Replaced in 0.6.0: the handle's f_mapping became the shmem address
 * space at bind when the binder looked single-threaded, other handles'
 * mappings were "hidden" from the reverse map, and each VMA held a region
 * reference through ->open/->close (docs/design.md, "Mapping").
 */
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

#include "compat.h"
#include "internal.h"

/**
 * struct shmr_map - what a mapping file's private_data points at
 * @region: the region whose shmem inode the file is on; the file holds
 *	a reference until its release.
 * @shmem_vm_ops: shmem's vm_operations for the data VMA, which ours wrap
 *	(NULL for the control page's); set once at mmap().
 */
struct shmr_map {
	struct shmr_region *region;
	const struct vm_operations_struct *shmem_vm_ops;
};

static struct shmr_map *to_shmr_map(struct vm_area_struct *vma)
{
	return vma->vm_file->private_data;
}

/**
 * shmr_data_fault() - map one page of a region's data
 * @vmf: the fault.
 *
 * A page at or past the region's end is SIGBUS (a VMA grown with
 * mremap(), or made before a shrink, reaches there); any other is shmem's
 * fault: the page comes from the region's shmem page cache (allocated
 * now for a lazy region's first touch), locked, so that a truncation
 * racing with the fault either waits for it or is seen by it.
 *
 * Context: page fault, mmap_lock or the VMA lock held.
 * Return: what shmem's .fault returns, or VM_FAULT_SIGBUS.
 */
static vm_fault_t shmr_data_fault(struct vm_fault *vmf)
{	/* lab: exercise 3, shmr_data_fault() (docs/lab/03-mmap.md) */
	struct shmr_map *m = to_shmr_map(vmf->vma);

	if (vmf->pgoff >= READ_ONCE(m->region->nr_pages))
		return VM_FAULT_SIGBUS;
	return m->shmem_vm_ops->fault(vmf);
}	/* lab: end of exercise 3 */

/* Fault-around: shmem's (filemap_map_pages()), up to the region's end. */
static vm_fault_t shmr_data_map_pages(struct vm_fault *vmf, pgoff_t start,
				      pgoff_t end)
{
	struct shmr_map *m = to_shmr_map(vmf->vma);
	pgoff_t nr_pages = READ_ONCE(m->region->nr_pages);

	if (start >= nr_pages)
		return 0;
	return m->shmem_vm_ops->map_pages(vmf, start, min(end, nr_pages - 1));
}

static const struct vm_operations_struct shmr_data_vm_ops = {
	.fault		= shmr_data_fault,
	.map_pages	= shmr_data_map_pages,
};

/*
 * The control page: one zeroed kernel page. A read-write handle may map
 * it writable, to notify without a system call (the eventcount: struct
 * shmr_ctrl); the kernel never trusts what userspace writes there.
 */
static vm_fault_t shmr_ctrl_fault(struct vm_fault *vmf)
{	/* lab: exercise 5, shmr_ctrl_fault() (docs/lab/05-poll.md) */
	struct shmr_region *r = to_shmr_map(vmf->vma)->region;

	if (vmf->pgoff != SHMR_CTRL_PGOFF)
		return VM_FAULT_SIGBUS;
	get_page(r->ctrl_page);
	vmf->page = r->ctrl_page;
	return 0;
}	/* lab: end of exercise 5 */

static const struct vm_operations_struct shmr_ctrl_vm_ops = {
	.fault	= shmr_ctrl_fault,
};

static int shmr_map_release(struct inode *inode, struct file *file)
{
	struct shmr_map *m = file->private_data;

	shmr_region_put(m->region);
	kfree(m);
	return 0;
}

/*
 * The mapping file's operations: only what the core calls through a
 * VMA's file. msync(MS_SYNC) needs .fsync (nothing to write back, as for
 * shmem); mremap() moving a VMA asks .get_unmapped_area. No .fallocate:
 * MADV_REMOVE would free an eager region's pages behind its back
 * (EOPNOTSUPP). The file is never in a file table: /proc/PID/map_files
 * opens the shmem inode anew, with shmem's own operations.
 */
static const struct file_operations shmr_map_fops = {
	.owner			= THIS_MODULE,
	.release		= shmr_map_release,
	.fsync			= noop_fsync,
	.get_unmapped_area	= thp_get_unmapped_area,
};

/**
 * shmr_map_file() - a new mapping file on a region's shmem inode
 * @r: the region; the file takes a reference on it.
 * @rdonly: open the file read-only (a read-only handle's mapping).
 *
 * Context: process context (mmap(), mmap_lock held); may sleep.
 * Return: the file, with one reference for the caller, or ERR_PTR():
 * -ENOMEM, -ENFILE.
 */
static struct file *shmr_map_file(struct shmr_region *r, bool rdonly)
{
	struct inode *inode = file_inode(r->shmem);
	struct shmr_map *m;
	struct file *file;

	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		return ERR_PTR(-ENOMEM);
	/* __fput() drops a reference on fops.owner that it did not take */
	__module_get(THIS_MODULE);
	/* the file's dentry takes this inode reference over */
	ihold(inode);
	file = alloc_file_pseudo(inode, r->shmem->f_path.mnt, "shmregion",
				 rdonly ? O_RDONLY : O_RDWR, &shmr_map_fops);
	if (IS_ERR(file))
		goto err_iput;
	shmr_region_get(r);
	m->region = r;
	file->private_data = m;
	return file;

err_iput:
	iput(inode);
	module_put(THIS_MODULE);
	kfree(m);
	return file;
}

/*
 * What a new mapping asks for, read from its VMA (.mmap) or from its VMA
 * descriptor (.mmap_prepare): the checks are the same for both.
 */
struct shmr_map_req {
	pgoff_t pgoff;
	unsigned long pages;
	bool shared;
	bool write;
};

/**
 * shmr_map_check() - may this handle map what @req asks for?
 * @h: the handle being mapped.
 * @req: the mapping's offset, length and access.
 *
 * File offset SHMR_CTRL_OFFSET maps the control page (one page); offsets
 * below it map the region's data, inside the region. Neither is writable
 * through a read-only handle.
 * Only shared mappings are allowed (VM_MAYSHARE: the core drops VM_SHARED
 * itself for a MAP_SHARED mapping of a file opened read-only).
 *
 * Return: the handle's region, or ERR_PTR(-EBADFD) (unbound), -EINVAL or
 * -EACCES (docs/abi.md, mmap).
 */
static struct shmr_region *shmr_map_check(struct shmr_handle *h,
					  const struct shmr_map_req *req)
{	/* lab: exercise 6, shmr_map_check() (docs/lab/06-perm.md) */
	struct shmr_region *r = shmr_handle_region(h);
	pgoff_t nr_pages;

	if (!r)
		return ERR_PTR(-EBADFD);
	if (!req->shared)
		return ERR_PTR(-EINVAL);
	/* RESIZE may change it: one look */
	nr_pages = READ_ONCE(r->nr_pages);
	if (req->pgoff == SHMR_CTRL_PGOFF) {
		if (req->pages != 1)
			return ERR_PTR(-EINVAL);
	} else if (req->pgoff >= nr_pages ||
		   req->pages > nr_pages - req->pgoff) {
		return ERR_PTR(-EINVAL);
	}
	if (h->rdonly && req->write)
		return ERR_PTR(-EACCES);
	return r;
}	/* lab: end of exercise 6 */

#ifdef SHMR_HAVE_MMAP_PREPARE
/**
 * shmr_mmap_prepare() - mmap() of a handle: region data or the control page
 * @desc: the mapping about to be made.
 *
 * Called before the core tries to merge the new mapping with its
 * neighbours. The mapping moves to a new mapping file, whose reference
 * the core takes over (desc->vm_file); the data's vm_operations wrap
 * those shmem's .mmap_prepare picks for the shmem file. A read-only
 * handle's mappings lose VM_MAYWRITE, so that mprotect(PROT_WRITE) fails
 * with EACCES too. The control page is a kernel page, not region data:
 * special (mlock() and mremap() growth skip it).
 *
 * Context: mmap_lock held for writing.
 * Return: 0, what shmr_map_check() returns, -ENOMEM or -ENFILE.
 */
int shmr_mmap_prepare(struct vm_area_desc *desc)
{
	const struct shmr_map_req req = {
		.pgoff	= desc->pgoff,
		.pages	= vma_desc_pages(desc),
		.shared	= vma_desc_test(desc, VMA_MAYSHARE_BIT),
		.write	= vma_desc_test(desc, VMA_WRITE_BIT),
	};
	struct shmr_handle *h = desc->file->private_data;
	struct shmr_region *r = shmr_map_check(h, &req);
	struct file *file;
	struct shmr_map *m;
	int ret;

	if (IS_ERR(r))
		return PTR_ERR(r);
	file = shmr_map_file(r, h->rdonly);
	if (IS_ERR(file))
		return PTR_ERR(file);
	m = file->private_data;
	if (req.pgoff == SHMR_CTRL_PGOFF) {
		vma_desc_set_flags(desc, VMA_DONTEXPAND_BIT, VMA_DONTDUMP_BIT);
		desc->vm_ops = &shmr_ctrl_vm_ops;
	} else {
		/* shmem's own choice of vm_operations, for its own file */
		struct vm_area_desc shmem_desc = *desc;

		shmem_desc.file = r->shmem;
		shmem_desc.vm_file = r->shmem;
		ret = vfs_mmap_prepare(r->shmem, &shmem_desc);
		if (ret)
			goto err_fput;
		desc->vma_flags = shmem_desc.vma_flags;
		m->shmem_vm_ops = shmem_desc.vm_ops;
		/* a core dump would fault in a lazy region's every hole */
		vma_desc_set_flags(desc, VMA_DONTDUMP_BIT);
		desc->vm_ops = &shmr_data_vm_ops;
	}
	if (h->rdonly)
		vma_desc_clear_flags(desc, VMA_MAYWRITE_BIT);
	/* the core owns this reference from now on, also if it fails */
	desc->vm_file = file;
	return 0;

err_fput:
	fput(file);
	return ret;
}
#else
/**
 * shmr_mmap() - mmap() of a handle: region data or the control page
 * @file: the handle's file.
 * @vma: the new mapping.
 *
 * As shmr_mmap_prepare(), for kernels without .mmap_prepare (before
 * 7.x): the VMA moves to a new mapping file with vma_set_file(), and the
 * data's vm_operations wrap those shmem's ->mmap sets on it.
 *
 * Context: mmap_lock held for writing.
 * Return: 0, what shmr_map_check() returns, -ENOMEM or -ENFILE.
 */
int shmr_mmap(struct file *file, struct vm_area_struct *vma)
{
	const struct shmr_map_req req = {
		.pgoff	= vma->vm_pgoff,
		.pages	= vma_pages(vma),
		.shared	= vma->vm_flags & VM_MAYSHARE,
		.write	= vma->vm_flags & VM_WRITE,
	};
	struct shmr_handle *h = file->private_data;
	struct shmr_region *r = shmr_map_check(h, &req);
	struct file *map_file;
	struct shmr_map *m;
	int ret = 0;

	if (IS_ERR(r))
		return PTR_ERR(r);
	map_file = shmr_map_file(r, h->rdonly);
	if (IS_ERR(map_file))
		return PTR_ERR(map_file);
	m = map_file->private_data;
	/* from here on the core puts the VMA's file, this one, on failure */
	vma_set_file(vma, map_file);
	if (req.pgoff == SHMR_CTRL_PGOFF) {
		vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
		vma->vm_ops = &shmr_ctrl_vm_ops;
	} else {
		ret = vfs_mmap(r->shmem, vma);
		if (!ret) {
			m->shmem_vm_ops = vma->vm_ops;
			vma->vm_ops = &shmr_data_vm_ops;
			/* a core dump would fault in a lazy region's every hole */
			vm_flags_set(vma, VM_DONTDUMP);
		}
	}
	if (h->rdonly)
		vm_flags_clear(vma, VM_MAYWRITE);
	fput(map_file);
	return ret;
}
#endif

/**
 * shmr_region_mappings() - how many VMAs map a region
 * @r: the region.
 *
 * Every VMA of the region, data or control page, is on one of its
 * mapping files, so in its shmem inode's reverse map: the count is exact
 * at the moment of the look, through splits (two VMAs), merges (one),
 * fork (the child's copies) and mremap(), whatever the core did without
 * telling us. It also counts a mapping of the shmem inode made through
 * /proc/PID/map_files (CAP_SYS_ADMIN), which maps the region too.
 *
 * Context: process context; takes the i_mmap lock for reading.
 * Return: the number of VMAs.
 */
unsigned int shmr_region_mappings(struct shmr_region *r)
{
	struct address_space *mapping = r->shmem->f_mapping;
	unsigned int n = 0;
	struct rb_node *node;

	i_mmap_lock_read(mapping);
	for (node = rb_first_cached(&mapping->i_mmap); node;
	     node = rb_next(node))
		n++;
	i_mmap_unlock_read(mapping);
	return n;
}
