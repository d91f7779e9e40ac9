/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmregion: differences between the kernels the module builds on.
 *
 * Each shim is chosen by a feature probe in module/Kbuild (a grep of the
 * target kernel's headers), not by version number, because distribution
 * kernels backport API changes. Each names the release that changed the
 * API. Code elsewhere uses the newest API only.
 */
#ifndef _SHMR_COMPAT_H
#define _SHMR_COMPAT_H

#include <linux/mm.h>
#include <linux/shmem_fs.h>

/*
 * 6.3 made vma->vm_flags read-only and added vm_flags_set() and
 * vm_flags_clear() (which also assert the mmap_lock is held).
 */
#ifndef SHMR_HAVE_VM_FLAGS_SET
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma,
				  vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * After 6.18 ("mm: update shmem_[kernel]_file_*() functions to use
 * vma_flags_t") shmem_file_setup() takes a vma_flags_t bitmap instead of
 * unsigned long VM_* flags.
 */
#ifdef SHMR_HAVE_SHMEM_VMA_FLAGS
#define SHMR_SHMEM_NORESERVE	mk_vma_flags(VMA_NORESERVE_BIT)
#else
#define SHMR_SHMEM_NORESERVE	VM_NORESERVE
#endif

/*
 * A VM_NORESERVE shmem file on @mnt, or on the kernel's own tmpfs mount
 * when NULL.
 */
static inline struct file *shmr_shmem_file_setup(struct vfsmount *mnt,
						 const char *name,
						 loff_t size)
{
	if (mnt)
		return shmem_file_setup_with_mnt(mnt, name, size,
						 SHMR_SHMEM_NORESERVE);
	return shmem_file_setup(name, size, SHMR_SHMEM_NORESERVE);
}

/*
 * 6.18 replaced call_mmap() with vfs_mmap(), which also maps a file
 * that only has .mmap_prepare.
 */
#ifndef SHMR_HAVE_VFS_MMAP
static inline int vfs_mmap(struct file *file, struct vm_area_struct *vma)
{
	return call_mmap(file, vma);
}
#endif

#endif /* _SHMR_COMPAT_H */
