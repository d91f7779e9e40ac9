// SPDX-License-Identifier: GPL-2.0
/*
 * shmregion: mapping a region's data and its control page.
 *
 * The VMA stays on the device file: vma->vm_file pins the file, the file
 * pins the module (fops.owner), so rmmod fails while a mapping exists and
 * no mapping can call into an unloaded module. But the file's f_mapping
 * is the region's shmem address space (shmr_handle_bind()), so the VMA
 * sits in that mapping's reverse map like any shmem mapping's: the core
 * can unmap our PTEs to reclaim, swap, migrate and compact the pages,
 * mlock() locks them, and filemap_map_pages() maps the pages around a
 * fault. Our vm_operations hand out the shmem file's page-cache pages;
 * each VMA holds a region reference through ->open and ->close.
 *
 * Replaced in 0.2.0: the VMA was in the device inode's (empty) reverse
 * map and VM_DONTEXPAND, so mapped pages could not be reclaimed or
 * migrated, each page took its own fault, and mlock() locked nothing.
 * Data VMAs are no longer "special" (VM_DONTEXPAND): mlock() locks them,
 * and mremap() may grow them, with SIGBUS past the region's end. Where
 * the kernel has .mmap_prepare and ->mapped (7.2) every mmap() is checked
 * before the core tries to merge it; before that, VM_DONTDUMP keeps a new
 * mmap() from being merged into a data VMA unchecked (shmr_mmap()).
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>

#include "compat.h"
#include "internal.h"

static void shmr_vma_open(struct vm_area_struct *vma)
{
	struct shmr_region *r = vma->vm_private_data;

	shmr_region_get(r);
	atomic_inc(&r->nr_mappings);
}

static void shmr_vma_close(struct vm_area_struct *vma)
{
	struct shmr_region *r = vma->vm_private_data;

	atomic_dec(&r->nr_mappings);
	shmr_region_put(r);
}

/*
 * Is a data mapping of @file hidden from the region's shmem reverse map
 * (its handle kept the device's address space: shmr_may_remap())? RESIZE
 * cannot see how far such a mapping reaches (region.c).
 */
static bool shmr_map_hidden(const struct file *file, struct shmr_region *r)
{
	return file->f_mapping != r->shmem->f_mapping;
}

static void shmr_data_vma_open(struct vm_area_struct *vma)
{
	struct shmr_region *r = vma->vm_private_data;

	if (shmr_map_hidden(vma->vm_file, r))
		atomic_inc(&r->nr_hidden_maps);
	shmr_vma_open(vma);
}

static void shmr_data_vma_close(struct vm_area_struct *vma)
{
	struct shmr_region *r = vma->vm_private_data;

	if (shmr_map_hidden(vma->vm_file, r))
		atomic_dec(&r->nr_hidden_maps);
	shmr_vma_close(vma);
}

/**
 * shmr_data_fault() - map one page of a region's data
 * @vmf: the fault.
 *
 * The page comes from the region's shmem page cache (allocated here for a
 * lazy region's first touch), so it has a mapping and an index: shared
 * futexes key on them. The reference taken here is the one the PTE holds.
 *
 * Context: page fault, mmap_lock (or the VMA lock) held.
 * Return: 0 with @vmf->page set, VM_FAULT_SIGBUS past the end (mmap()
 * refuses such mappings, but mremap() may grow one, and RESIZE may
 * shrink the region), or VM_FAULT_OOM.
 */
static vm_fault_t shmr_data_fault(struct vm_fault *vmf)
{	/* lab: exercise 3, shmr_data_fault() (docs/lab/03-mmap.md) */
	struct shmr_region *r = vmf->vma->vm_private_data;
	struct address_space *mapping = r->shmem->f_mapping;
	struct page *page;

	if (vmf->pgoff >= READ_ONCE(r->nr_pages))
		return VM_FAULT_SIGBUS;
	page = shmem_read_mapping_page_gfp(mapping, vmf->pgoff,
					   mapping_gfp_mask(mapping));
	if (IS_ERR(page))
		return vmf_error(PTR_ERR(page));
	vmf->page = page;
	return 0;
}	/* lab: end of exercise 3 */

/*
 * Fault-around, from the shmem page cache, up to the region's end: the
 * shmem file may be longer (shmr_shmem_cut()), and an mremap()-grown
 * mapping may reach past the end.
 */
static vm_fault_t shmr_data_map_pages(struct vm_fault *vmf, pgoff_t start,
				      pgoff_t end)
{
	struct shmr_region *r = vmf->vma->vm_private_data;
	pgoff_t nr_pages = READ_ONCE(r->nr_pages);

	if (start >= nr_pages)
		return 0;
	return filemap_map_pages(vmf, start, min(end, nr_pages - 1));
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
	nr_pages = READ_ONCE(r->map_pages);
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
/*
 * 7.x: the region reference is taken once the VMA exists (->mapped); a
 * mapping that fails after .mmap_prepare, or that is merged into an
 * adjacent VMA (which holds its own reference), takes none.
 */
static int shmr_vma_mapped(unsigned long start, unsigned long end,
			   pgoff_t pgoff, const struct file *file,
			   void **vm_private_data)
{
	struct shmr_region *r = *vm_private_data;

	shmr_region_get(r);
	atomic_inc(&r->nr_mappings);
	return 0;
}

/*
 * A data VMA is linked (into the reverse map a shrink looks at) before
 * this is called: a shrink that did not see it has lowered map_pages
 * already, and the mapping fails here. The core unmaps it, and ->close
 * drops what was taken, so take it first.
 */
static int shmr_data_vma_mapped(unsigned long start, unsigned long end,
				pgoff_t pgoff, const struct file *file,
				void **vm_private_data)
{
	struct shmr_region *r = *vm_private_data;

	if (shmr_map_hidden(file, r))
		atomic_inc(&r->nr_hidden_maps);
	shmr_vma_mapped(start, end, pgoff, file, vm_private_data);
	if (pgoff + ((end - start) >> PAGE_SHIFT) > READ_ONCE(r->map_pages))
		return -EINVAL;
	return 0;
}

#define SHMR_VM_MAPPED		.mapped = shmr_vma_mapped,
#define SHMR_DATA_VM_MAPPED	.mapped = shmr_data_vma_mapped,
#else
#define SHMR_VM_MAPPED
#define SHMR_DATA_VM_MAPPED
#endif

static const struct vm_operations_struct shmr_data_vm_ops = {
	SHMR_DATA_VM_MAPPED
	.open		= shmr_data_vma_open,
	.close		= shmr_data_vma_close,
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
	struct shmr_region *r = vmf->vma->vm_private_data;

	if (vmf->pgoff != SHMR_CTRL_PGOFF)
		return VM_FAULT_SIGBUS;
	get_page(r->ctrl_page);
	vmf->page = r->ctrl_page;
	return 0;
}	/* lab: end of exercise 5 */

static const struct vm_operations_struct shmr_ctrl_vm_ops = {
	SHMR_VM_MAPPED
	.open	= shmr_vma_open,
	.close	= shmr_vma_close,
	.fault	= shmr_ctrl_fault,
};

#ifdef SHMR_HAVE_MMAP_PREPARE
/**
 * shmr_mmap_prepare() - mmap() of a handle: region data or the control page
 * @desc: the mapping about to be made.
 *
 * Called before the core tries to merge the new mapping with its
 * neighbours, so every mmap() is checked here: data mappings need no
 * special flag, and mlock() locks them. A read-only handle's mappings
 * lose VM_MAYWRITE, so that mprotect(PROT_WRITE) fails with EACCES too.
 * The control page is a kernel page, not region data: special (mlock()
 * and mremap() growth skip it).
 *
 * Context: mmap_lock held for writing.
 * Return: 0, or what shmr_map_check() returns.
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

	if (IS_ERR(r))
		return PTR_ERR(r);
	if (h->rdonly)
		vma_desc_clear_flags(desc, VMA_MAYWRITE_BIT);
	if (req.pgoff == SHMR_CTRL_PGOFF) {
		vma_desc_set_flags(desc, VMA_DONTEXPAND_BIT, VMA_DONTDUMP_BIT);
		desc->vm_ops = &shmr_ctrl_vm_ops;
	} else {
		desc->vm_ops = &shmr_data_vm_ops;
	}
	/* the reference is taken by shmr_vma_mapped() */
	desc->private_data = r;
	return 0;
}
#else
/**
 * shmr_mmap() - mmap() of a handle: region data or the control page
 * @file: the handle's file.
 * @vma: the new mapping.
 *
 * As shmr_mmap_prepare(), for kernels without .mmap_prepare and
 * ->mapped (before 7.2). Here the core may merge a new mmap() into an
 * adjacent VMA of the same file without calling us (6.12 and later; 6.1
 * never merges VMAs with ->close), which could reach past the region's
 * end: data VMAs carry VM_DONTDUMP, a flag no fresh mmap() has, so they
 * never merge with one. (Not VM_DONTEXPAND: mlock() skips such "special"
 * VMAs.) Region data is MAP_SHARED of a device file, which the default
 * coredump_filter does not dump anyway.
 *
 * Context: mmap_lock held for writing.
 * Return: 0, or what shmr_map_check() returns.
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

	if (IS_ERR(r))
		return PTR_ERR(r);
	if (h->rdonly)
		vm_flags_clear(vma, VM_MAYWRITE);
	if (req.pgoff == SHMR_CTRL_PGOFF) {
		vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
		vma->vm_ops = &shmr_ctrl_vm_ops;
	} else {
		vm_flags_set(vma, VM_DONTDUMP);
		vma->vm_ops = &shmr_data_vm_ops;
	}
	vma->vm_private_data = r;
	vma->vm_ops->open(vma);
	return 0;
}
#endif
