// SPDX-License-Identifier: GPL-2.0
/*
 * shmregion: named shared-memory regions with a wait-on-update signal.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include <linux/shmregion.h>

static long shmr_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return -ENOTTY;
}

static const struct file_operations shmr_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= shmr_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice shmr_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "shmregion",
	.fops	= &shmr_fops,
	.mode	= 0666,
};

module_misc_device(shmr_misc);

MODULE_DESCRIPTION("Named shared-memory regions with a wait-on-update signal");
MODULE_LICENSE("GPL");
