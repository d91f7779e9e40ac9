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
 * already refuses such mappings), or VM_FAULT_OOM.
 */
static vm_fault_t shmr_data_fault(struct vm_fault *vmf)
{
	struct shmr_region *r = vmf->vma->vm_private_data;
	struct address_space *mapping = r->shmem->f_mapping;
	struct page *page;

	if (vmf->pgoff >= r->nr_pages)
		return VM_FAULT_SIGBUS;
	page = shmem_read_mapping_page_gfp(mapping, vmf->pgoff,
					   mapping_gfp_mask(mapping));
	if (IS_ERR(page))
		return vmf_error(PTR_ERR(page));
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct shmr_data_vm_ops = {
	.open		= shmr_vma_open,
	.close		= shmr_vma_close,
	.fault		= shmr_data_fault,
	/* fault-around from the page cache, bounded by the shmem file's size */
	.map_pages	= filemap_map_pages,
};

/* The control page: one zeroed kernel page, mapped read-only. */
static vm_fault_t shmr_ctrl_fault(struct vm_fault *vmf)
{
	struct shmr_region *r = vmf->vma->vm_private_data;

	if (vmf->pgoff != SHMR_CTRL_PGOFF)
		return VM_FAULT_SIGBUS;
	get_page(r->ctrl_page);
	vmf->page = r->ctrl_page;
	return 0;
}

static const struct vm_operations_struct shmr_ctrl_vm_ops = {
	.open	= shmr_vma_open,
	.close	= shmr_vma_close,
	.fault	= shmr_ctrl_fault,
};

static int shmr_mmap_ctrl(struct vm_area_struct *vma)
{
	if (vma_pages(vma) != 1)
		return -EINVAL;
	if (vma->vm_flags & VM_WRITE)
		return -EACCES;
	/*
	 * The control page is a kernel page, not region data: special
	 * (mlock() and mremap() growth skip it), never written.
	 */
	vm_flags_clear(vma, VM_MAYWRITE);
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &shmr_ctrl_vm_ops;
	return 0;
}

static int shmr_mmap_data(struct shmr_handle *h, struct shmr_region *r,
			  struct vm_area_struct *vma)
{
	if (vma->vm_pgoff >= r->nr_pages ||
	    vma_pages(vma) > r->nr_pages - vma->vm_pgoff)
		return -EINVAL;
	if (h->rdonly) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		/* so that mprotect(PROT_WRITE) fails with EACCES too */
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	vma->vm_ops = &shmr_data_vm_ops;
	return 0;
}

/**
 * shmr_mmap() - mmap() of a handle: region data or the control page
 * @file: the handle's file.
 * @vma: the new mapping.
 *
 * File offset SHMR_CTRL_OFFSET maps the control page; offsets below it
 * map the region's data. Only shared mappings are allowed (VM_MAYSHARE:
 * the core drops VM_SHARED itself for a MAP_SHARED mapping of a file
 * opened read-only). VM_DONTEXPAND makes mremap() growth fail.
 *
 * Context: mmap_lock held for writing.
 * Return: 0, -EBADFD (unbound), -EINVAL or -EACCES (docs/abi.md, mmap).
 */
int shmr_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct shmr_handle *h = file->private_data;
	struct shmr_region *r = shmr_handle_region(h);
	int ret;

	if (!r)
		return -EBADFD;
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff == SHMR_CTRL_PGOFF)
		ret = shmr_mmap_ctrl(vma);
	else
		ret = shmr_mmap_data(h, r, vma);
	if (ret)
		return ret;

	/*
	 * VM_DONTEXPAND, as before 0.2.0: without it, since 6.12 a new
	 * mmap() next to an existing data VMA of this file is merged into it
	 * without calling us, past the region's end (the fuzzer found it).
	 * The price: mlock() skips the mapping (docs/design.md).
	 */
	vm_flags_set(vma, VM_DONTEXPAND);
	vma->vm_private_data = r;
	shmr_vma_open(vma);
	return 0;
}
