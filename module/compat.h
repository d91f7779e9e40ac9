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

#endif /* _SHMR_COMPAT_H */
