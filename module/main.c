// SPDX-License-Identifier: GPL-2.0
/*
 * shmregion: named shared-memory regions with a wait-on-update signal.
 *
 * /dev/shmregion is a misc device; each open file is a handle that
 * SHMR_IOC_CREATE or SHMR_IOC_ATTACH binds to one region for the rest of
 * its life. The ABI is include/uapi/linux/shmregion.h and docs/abi.md.
 * This file holds the device, the handle and the ioctls that bind it,
 * describe and list regions; region.c the region table and lifetime,
 * limits.c the limits, resize.c RESIZE, mmap.c the mappings, wait.c the
 * sequence number and waiting.
 *
 *	int fd = open("/dev/shmregion", O_RDWR | O_CLOEXEC);
 *	struct shmr_attach a = { .name = "frames", .flags = SHMR_ATTACH_RDONLY };
 *	ioctl(fd, SHMR_IOC_ATTACH, &a);
 *	p = mmap(NULL, a.size, PROT_READ, MAP_SHARED, fd, 0);
 *	struct pollfd pfd = { .fd = fd, .events = POLLIN };
 *	poll(&pfd, 1, -1);		// until a SHMR_IOC_NOTIFY
 *	read(fd, &seq, sizeof(seq));	// consume it
 */
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "internal.h"

static bool shmr_reserved_zero(const __u64 *reserved, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (reserved[i])
			return false;
	return true;
}

/**
 * shmr_ioctl_create() - SHMR_IOC_CREATE: make or reuse a region, bind rw
 * @file: the handle's file.
 * @uarg: struct shmr_create in userspace.
 *
 * If the result cannot be written back (-EFAULT) the handle stays
 * unbound and a region it made is discarded, never seen by anybody:
 * it is published only once the copy succeeded (concurrent CREATEs of
 * its name wait meanwhile, killably).
 *
 * Context: process context; sleeps (allocates the region's memory).
 * Return: 0 or a negative errno from docs/abi.md.
 */
static long shmr_ioctl_create(struct file *file,
			      struct shmr_create __user *uarg)
{
	struct shmr_handle *h = file->private_data;
	struct shmr_region *r;
	struct shmr_create c;
	bool created;
	u64 size;
	long ret;

	if (copy_from_user(&c, uarg, sizeof(c)))
		return -EFAULT;
	if (c.flags & ~SHMR_CREATE_FLAGS || c.pad ||
	    !shmr_reserved_zero(c.reserved, ARRAY_SIZE(c.reserved)))
		return -EINVAL;
	if (c.mode & ~SHMR_MODE_MASK || shmr_name_check(c.name) < 0 || !c.size)
		return -EINVAL;
	/* data offsets must stay below the control page's offset */
	if (c.size > READ_ONCE(shmr_max_region_bytes) ||
	    c.size > SHMR_CTRL_OFFSET)
		return -E2BIG;
	size = PAGE_ALIGN(c.size);
	if (size > READ_ONCE(shmr_max_region_bytes))
		return -E2BIG;
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (c.flags & SHMR_CREATE_HUGE && !shmr_huge_available())
		return -EOPNOTSUPP;

	mutex_lock(&h->bind_lock);
	if (h->region) {
		ret = -EBUSY;
		goto out_unlock;
	}
	r = shmr_region_create(c.name, size, c.mode, c.flags, &created);
	if (IS_ERR(r)) {
		ret = PTR_ERR(r);
		goto out_unlock;
	}
	c.size = READ_ONCE(r->size);
	c.result = created ? SHMR_RESULT_CREATED : 0;
	if (copy_to_user(uarg, &c, sizeof(c))) {
		ret = -EFAULT;
		goto err_drop_region;
	}
	if (created)
		shmr_region_publish(r);
	shmr_handle_bind(h, r, false);
	mutex_unlock(&h->bind_lock);
	return 0;

err_drop_region:
	if (created)
		shmr_region_discard(r);
	else
		shmr_region_put(r);
out_unlock:
	mutex_unlock(&h->bind_lock);
	return ret;
}

/**
 * shmr_ioctl_attach() - SHMR_IOC_ATTACH: bind to an existing region
 * @file: the handle's file.
 * @uarg: struct shmr_attach in userspace.
 *
 * Context: process context.
 * Return: 0 or a negative errno from docs/abi.md.
 */
static long shmr_ioctl_attach(struct file *file,
			      struct shmr_attach __user *uarg)
{
	struct shmr_handle *h = file->private_data;
	struct shmr_region *r;
	struct shmr_attach a;
	bool rdonly;
	long ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.flags & ~SHMR_ATTACH_FLAGS || a.pad ||
	    !shmr_reserved_zero(a.reserved, ARRAY_SIZE(a.reserved)) ||
	    shmr_name_check(a.name) < 0)
		return -EINVAL;
	rdonly = a.flags & SHMR_ATTACH_RDONLY;
	if (!rdonly && !(file->f_mode & FMODE_WRITE))
		return -EBADF;

	mutex_lock(&h->bind_lock);
	if (h->region) {
		ret = -EBUSY;
		goto out_unlock;
	}
	r = shmr_region_attach(a.name, rdonly);
	if (IS_ERR(r)) {
		ret = PTR_ERR(r);
		goto out_unlock;
	}
	a.size = READ_ONCE(r->size);
	if (copy_to_user(uarg, &a, sizeof(a))) {
		ret = -EFAULT;
		goto err_put_region;
	}
	shmr_handle_bind(h, r, rdonly);
	mutex_unlock(&h->bind_lock);
	return 0;

err_put_region:
	shmr_region_put(r);
out_unlock:
	mutex_unlock(&h->bind_lock);
	return ret;
}

/*
 * SHMR_IOC_UNLINK: remove a name; works on bound and unbound handles.
 * SHMR_UNLINK_BOUND: the name of this handle's own region, if it has it.
 */
static long shmr_ioctl_unlink(struct shmr_handle *h,
			      struct shmr_unlink __user *uarg)
{
	struct shmr_region *r;
	struct shmr_unlink u;

	if (copy_from_user(&u, uarg, sizeof(u)))
		return -EFAULT;
	if (u.flags & ~SHMR_UNLINK_FLAGS || u.pad ||
	    !shmr_reserved_zero(u.reserved, ARRAY_SIZE(u.reserved)))
		return -EINVAL;
	if (!(u.flags & SHMR_UNLINK_BOUND))
		return shmr_name_check(u.name) < 0 ? -EINVAL :
			shmr_region_unlink(NULL, u.name);
	/* the handle's own region: no name to look up, so none may be given */
	if (memchr_inv(u.name, 0, sizeof(u.name)))
		return -EINVAL;
	r = shmr_handle_region(h);
	if (!r)
		return -EBADFD;
	return shmr_region_unlink(r, NULL);
}

/* SHMR_IOC_INFO: describe the bound region. */
static long shmr_ioctl_info(struct shmr_handle *h,
			    struct shmr_info __user *uarg)
{
	struct shmr_region *r = shmr_handle_region(h);
	struct shmr_info info;

	if (!r)
		return -EBADFD;
	shmr_region_info(r, current_user_ns(), &info);
	if (h->rdonly)
		info.flags |= SHMR_INFO_RDONLY;
	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

/**
 * shmr_ioctl_list() - SHMR_IOC_LIST: describe every named region
 * @uarg: struct shmr_list in userspace.
 *
 * Works on any handle, bound or not. The entries are copied out after
 * the table lock is dropped (shmr_region_list()).
 *
 * Context: process context; may sleep.
 * Return: 0, -EFAULT, -EINVAL or -ENOMEM.
 */
static long shmr_ioctl_list(struct shmr_list __user *uarg)
{
	struct shmr_info *list;
	struct shmr_list l;
	long ret = 0;

	if (copy_from_user(&l, uarg, sizeof(l)))
		return -EFAULT;
	if (l.flags || l.pad ||
	    !shmr_reserved_zero(l.reserved, ARRAY_SIZE(l.reserved)))
		return -EINVAL;

	list = shmr_region_list(current_user_ns(), l.nr, &l.nr, &l.total);
	if (IS_ERR(list))
		return PTR_ERR(list);
	if (l.nr && copy_to_user(u64_to_user_ptr(l.entries), list,
				 array_size(l.nr, sizeof(*list))))
		ret = -EFAULT;
	kvfree(list);
	if (!ret && copy_to_user(uarg, &l, sizeof(l)))
		ret = -EFAULT;
	return ret;
}

/**
 * shmr_ioctl_resize() - SHMR_IOC_RESIZE: grow or shrink the bound region
 * @h: the handle.
 * @uarg: struct shmr_resize in userspace.
 *
 * If the result cannot be written back (-EFAULT) the resize has still
 * happened, as NOTIFY's update has.
 *
 * Context: process context; may sleep (allocates the growth).
 * Return: 0 or a negative errno from docs/abi.md.
 */
static long shmr_ioctl_resize(struct shmr_handle *h,
			      struct shmr_resize __user *uarg)
{
	struct shmr_region *r = shmr_handle_region(h);
	struct shmr_resize rs;
	u64 size;
	long ret;

	if (!r)
		return -EBADFD;
	if (copy_from_user(&rs, uarg, sizeof(rs)))
		return -EFAULT;
	if (rs.flags || rs.pad ||
	    !shmr_reserved_zero(rs.reserved, ARRAY_SIZE(rs.reserved)) ||
	    !rs.size)
		return -EINVAL;
	if (h->rdonly)
		return -EACCES;
	if (rs.size > READ_ONCE(shmr_max_region_bytes) ||
	    rs.size > SHMR_CTRL_OFFSET)
		return -E2BIG;
	size = PAGE_ALIGN(rs.size);
	if (size > READ_ONCE(shmr_max_region_bytes))
		return -E2BIG;
	ret = shmr_region_resize(r, size);
	if (ret)
		return ret;
	/* what this RESIZE made it: another may change it again at once */
	memset(&rs, 0, sizeof(rs));
	rs.size = size;
	rs.seq = shmr_region_seq(r);
	if (copy_to_user(uarg, &rs, sizeof(rs)))
		return -EFAULT;
	return 0;
}

static long shmr_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct shmr_handle *h = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case SHMR_IOC_CREATE:
		return shmr_ioctl_create(file, argp);
	case SHMR_IOC_ATTACH:
		return shmr_ioctl_attach(file, argp);
	case SHMR_IOC_UNLINK:
		return shmr_ioctl_unlink(h, argp);
	case SHMR_IOC_INFO:
		return shmr_ioctl_info(h, argp);
	case SHMR_IOC_NOTIFY:
		return shmr_ioctl_notify(h, argp);
	case SHMR_IOC_WAIT:
		return shmr_ioctl_wait(h, argp);
	case SHMR_IOC_LIST:
		return shmr_ioctl_list(argp);
	case SHMR_IOC_RESIZE:
		return shmr_ioctl_resize(h, argp);
	default:
		return -ENOTTY;
	}
}

static int shmr_open(struct inode *inode, struct file *file)
{	/* lab: exercise 1, shmr_open() (docs/lab/01-device.md) */
	struct shmr_handle *h;

	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL);
	if (!h)
		return -ENOMEM;
	mutex_init(&h->bind_lock);
	init_waitqueue_head(&h->poll_wait);
	file->private_data = h;
	/* read() returns sequence numbers, not file data: no position */
	return stream_open(inode, file);
}	/* lab: end of exercise 1 */

static int shmr_release(struct inode *inode, struct file *file)
{	/* lab: exercise 1, shmr_release() (docs/lab/01-device.md) */
	struct shmr_handle *h = file->private_data;

	shmr_handle_unbind(h);
	mutex_destroy(&h->bind_lock);
	kfree(h);
	return 0;
}	/* lab: end of exercise 1 */

static const struct file_operations shmr_fops = {
	.owner		= THIS_MODULE,
	.open		= shmr_open,
	.release	= shmr_release,
	.read		= shmr_read,
	.poll		= shmr_poll,
	SHMR_FOP_MMAP,
	/* 2 MiB aligned addresses for mappings that can hold a huge page */
	.get_unmapped_area = thp_get_unmapped_area,
	.unlocked_ioctl	= shmr_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice shmr_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "shmregion",
	.fops	= &shmr_fops,
	.groups	= shmr_attr_groups,
	/* every user may open it; a udev rule narrows it (docs/install.md) */
	.mode	= 0666,
};

static int __init shmr_init(void)
{
	int ret;

	ret = shmr_region_init();
	if (ret)
		return ret;
	ret = misc_register(&shmr_misc);
	if (ret)
		goto err_region_exit;
	return 0;

err_region_exit:
	shmr_region_exit();
	return ret;
}

static void __exit shmr_exit(void)
{
	misc_deregister(&shmr_misc);
	shmr_region_exit();
}

module_init(shmr_init);
module_exit(shmr_exit);

MODULE_DESCRIPTION("Named shared-memory regions with a wait-on-update signal");
MODULE_AUTHOR("shmregion developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(SHMR_VERSION);
