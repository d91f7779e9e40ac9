// SPDX-License-Identifier: GPL-2.0
/*
 * shmregion: the module's limits on regions and their bytes, in all and
 * per user, and what live regions use against them.
 *
 * Every region alive in memory is charged here from CREATE (before it is
 * populated) until it is freed; RESIZE recharges its bytes. The counters
 * are shown in /sys/class/misc/shmregion/.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/device.h>
#include <linux/hashtable.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>

#include "internal.h"

#define SHMR_USER_BITS		6

u64 shmr_max_region_bytes = 256ULL << 20;
module_param_named(max_region_bytes, shmr_max_region_bytes, ullong, 0644);
MODULE_PARM_DESC(max_region_bytes,
		 "Largest region in bytes; larger CREATEs fail with E2BIG (default 256 MiB)");

u64 shmr_max_total_bytes = 1ULL << 30;
module_param_named(max_total_bytes, shmr_max_total_bytes, ullong, 0644);
MODULE_PARM_DESC(max_total_bytes,
		 "Bytes of all live regions together; beyond it CREATE fails with ENOSPC (default 1 GiB)");

unsigned int shmr_max_regions = 1024;
module_param_named(max_regions, shmr_max_regions, uint, 0644);
MODULE_PARM_DESC(max_regions,
		 "Live regions; beyond it CREATE fails with ENOSPC (default 1024)");

u64 shmr_max_user_bytes = 256ULL << 20;
module_param_named(max_user_bytes, shmr_max_user_bytes, ullong, 0644);
MODULE_PARM_DESC(max_user_bytes,
		 "Bytes of the live regions one user owns; beyond it CREATE fails with EDQUOT unless CAP_SYS_RESOURCE (default 256 MiB)");

unsigned int shmr_max_user_regions = 256;
module_param_named(max_user_regions, shmr_max_user_regions, uint, 0644);
MODULE_PARM_DESC(max_user_regions,
		 "Live regions one user owns; beyond it CREATE fails with EDQUOT unless CAP_SYS_RESOURCE (default 256)");

/*
 * Regions alive in memory and their bytes, in all and per user.
 * Protected by shmr_count_lock.
 */
static DEFINE_SPINLOCK(shmr_count_lock);
static unsigned int shmr_nr_regions;
static u64 shmr_nr_bytes;
static DEFINE_HASHTABLE(shmr_users, SHMR_USER_BITS);

/* @used + @size would pass @limit (which may have been lowered below @used). */
static bool shmr_over(u64 used, u64 size, u64 limit)
{
	return used > limit || size > limit - used;
}

static struct shmr_user *shmr_user_find_locked(kuid_t uid)
{
	struct shmr_user *u;

	lockdep_assert_held(&shmr_count_lock);
	hash_for_each_possible(shmr_users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

/**
 * shmr_charge() - reserve room for one region under the module's limits
 * @uid: the region's owner, charged for the per-user limits.
 * @size: the region's bytes.
 * @spare: a zeroed struct shmr_user the caller allocated; used (and then
 *	owned by the table) when @uid has no entry yet.
 * @spare_used: set when @spare was used.
 *
 * The global limits apply to everyone; the per-user ones to callers
 * without CAP_SYS_RESOURCE, as mqueue's queues_max does.
 *
 * Return: 0, -ENOSPC (max_regions, max_total_bytes) or -EDQUOT
 * (max_user_regions, max_user_bytes).
 */
int shmr_charge(kuid_t uid, u64 size, struct shmr_user *spare,
		bool *spare_used)
{
	bool limited = !capable(CAP_SYS_RESOURCE);
	struct shmr_user *u;
	int ret = 0;

	*spare_used = false;
	spin_lock(&shmr_count_lock);
	u = shmr_user_find_locked(uid);
	if (shmr_nr_regions >= READ_ONCE(shmr_max_regions) ||
	    shmr_over(shmr_nr_bytes, size, READ_ONCE(shmr_max_total_bytes))) {
		ret = -ENOSPC;
	} else if (limited && u &&
		   (u->nr_regions >= READ_ONCE(shmr_max_user_regions) ||
		    shmr_over(u->nr_bytes, size,
			      READ_ONCE(shmr_max_user_bytes)))) {
		ret = -EDQUOT;
	} else if (limited && !u &&
		   (!READ_ONCE(shmr_max_user_regions) ||
		    size > READ_ONCE(shmr_max_user_bytes))) {
		ret = -EDQUOT;
	} else {
		if (!u) {
			u = spare;
			u->uid = uid;
			hash_add(shmr_users, &u->node, __kuid_val(uid));
			*spare_used = true;
		}
		u->nr_regions++;
		u->nr_bytes += size;
		shmr_nr_regions++;
		shmr_nr_bytes += size;
	}
	spin_unlock(&shmr_count_lock);
	return ret;
}

/*
 * Charge @uid's region growing from @old to @new bytes (RESIZE): the
 * bytes alone, with shmr_charge()'s limits and errors; a shrink always
 * succeeds.
 */
int shmr_recharge(kuid_t uid, u64 old, u64 new)
{
	bool limited = !capable(CAP_SYS_RESOURCE);
	u64 more = new > old ? new - old : 0;
	struct shmr_user *u;
	int ret = 0;

	spin_lock(&shmr_count_lock);
	u = shmr_user_find_locked(uid);
	if (WARN_ON_ONCE(!u)) {
		ret = -EINVAL;
	} else if (more && shmr_over(shmr_nr_bytes, more,
				     READ_ONCE(shmr_max_total_bytes))) {
		ret = -ENOSPC;
	} else if (more && limited &&
		   shmr_over(u->nr_bytes, more, READ_ONCE(shmr_max_user_bytes))) {
		ret = -EDQUOT;
	} else {
		shmr_nr_bytes = shmr_nr_bytes - old + new;
		u->nr_bytes = u->nr_bytes - old + new;
	}
	spin_unlock(&shmr_count_lock);
	return ret;
}

/* Give back what shmr_charge() reserved for a region of @uid. */
void shmr_uncharge(kuid_t uid, u64 size)
{
	struct shmr_user *u;

	spin_lock(&shmr_count_lock);
	shmr_nr_regions--;
	shmr_nr_bytes -= size;
	u = shmr_user_find_locked(uid);
	if (!WARN_ON_ONCE(!u)) {
		u->nr_bytes -= size;
		if (!--u->nr_regions)
			hash_del(&u->node);
		else
			u = NULL;
	}
	spin_unlock(&shmr_count_lock);
	kfree(u);
}

/* /sys/class/misc/shmregion/{nr_regions,nr_bytes} */
static ssize_t nr_regions_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	unsigned int n;

	spin_lock(&shmr_count_lock);
	n = shmr_nr_regions;
	spin_unlock(&shmr_count_lock);
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(nr_regions);

static ssize_t nr_bytes_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	u64 n;

	spin_lock(&shmr_count_lock);
	n = shmr_nr_bytes;
	spin_unlock(&shmr_count_lock);
	return sysfs_emit(buf, "%llu\n", n);
}
static DEVICE_ATTR_RO(nr_bytes);

static struct attribute *shmr_attrs[] = {
	&dev_attr_nr_regions.attr,
	&dev_attr_nr_bytes.attr,
	NULL,
};

static const struct attribute_group shmr_attr_group = {
	.attrs = shmr_attrs,
};

/* The misc device's attribute groups (struct miscdevice.groups). */
const struct attribute_group *shmr_attr_groups[] = {
	&shmr_attr_group,
	NULL,
};

/**
 * shmr_limits_exit() - check that nothing is charged any more
 *
 * Context: module exit, after every region was freed.
 */
void shmr_limits_exit(void)
{
	WARN_ON_ONCE(!hash_empty(shmr_users));
}
