// SPDX-License-Identifier: GPL-2.0
/*
 * shmregion: the update sequence number: NOTIFY, WAIT, read() and poll().
 *
 * Modelled on drivers/uio/uio.c: a per-region counter, a per-handle
 * snapshot of the last value read() consumed, and a wait queue that
 * NOTIFY and UNLINK wake after changing the state the sleepers test.
 * wait_event_*() re-checks its condition after queueing the sleeper, and
 * wake_up_all() takes the queue lock after the change, so a NOTIFY that
 * lands between a sleeper's check and its sleep still wakes it.
 */
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "shmregion.h"

/**
 * shmr_region_seq() - a region's current sequence number
 * @r: the region.
 *
 * The acquire pairs with the fully ordered atomic64_inc_return() in
 * shmr_ioctl_notify(): whoever sees the new number also sees what the
 * notifier wrote to the region before NOTIFY.
 *
 * Return: the sequence number.
 */
u64 shmr_region_seq(struct shmr_region *r)
{
	return atomic64_read_acquire(&r->seq);
}

static bool shmr_region_unlinked(struct shmr_region *r)
{
	return READ_ONCE(r->unlinked);
}

/**
 * shmr_region_mark_unlinked() - flag a region unlinked, wake its waiters
 * @r: the region, just removed from the name table.
 *
 * Context: process context; takes @r->lock.
 */
void shmr_region_mark_unlinked(struct shmr_region *r)
{
	spin_lock(&r->lock);
	WRITE_ONCE(r->unlinked, true);
	WRITE_ONCE(r->ctrl->flags, r->ctrl->flags | SHMR_CTRL_UNLINKED);
	spin_unlock(&r->lock);
	wake_up_all(&r->wait);
}

/**
 * shmr_ioctl_notify() - SHMR_IOC_NOTIFY: bump the sequence, wake waiters
 * @h: the handle.
 * @uarg: struct shmr_notify in userspace.
 *
 * Context: process context.
 * Return: 0, -EBADFD, -EFAULT, -EINVAL, or -EACCES (read-only handle).
 */
long shmr_ioctl_notify(struct shmr_handle *h, struct shmr_notify __user *uarg)
{
	struct shmr_region *r = shmr_handle_region(h);
	struct shmr_notify n;
	u64 seq;

	if (!r)
		return -EBADFD;
	if (copy_from_user(&n, uarg, sizeof(n)))
		return -EFAULT;
	if (n.flags || n.pad)
		return -EINVAL;
	if (h->rdonly)
		return -EACCES;

	spin_lock(&r->lock);
	seq = atomic64_inc_return(&r->seq);
	/*
	 * Pairs with the acquire load of shmr_ctrl.seq in userspace
	 * (libshmregion's wait fast path): a reader that sees @seq also
	 * sees every store the notifier made before this NOTIFY. Stored
	 * under @r->lock so that concurrent NOTIFYs never store out of order.
	 */
	smp_store_release(&r->ctrl->seq, seq);
	spin_unlock(&r->lock);
	wake_up_all(&r->wait);

	memset(&n, 0, sizeof(n));
	n.seq = seq;
	if (copy_to_user(uarg, &n, sizeof(n)))
		return -EFAULT;
	return 0;
}

/* The condition WAIT sleeps on: news, or no news will ever come. */
static bool shmr_wait_done(struct shmr_region *r, u64 seq)
{
	return shmr_region_seq(r) != seq || shmr_region_unlinked(r);
}

/*
 * Sleep until the sequence differs from @seq or the region is unlinked.
 * Return: 0, -ETIMEDOUT, -EINTR or -EIDRM (docs/abi.md, WAIT).
 */
static int shmr_wait_seq(struct shmr_region *r, u64 seq, s64 timeout_ns)
{
	long ret = 0;

	if (timeout_ns < 0)
		ret = wait_event_interruptible(r->wait, shmr_wait_done(r, seq));
	else if (timeout_ns > 0)
		ret = wait_event_interruptible_hrtimeout(r->wait,
							 shmr_wait_done(r, seq),
							 ns_to_ktime(timeout_ns));

	if (ret == -ERESTARTSYS)
		return -EINTR;	/* never restarted: the caller sees EINTR */
	if (shmr_region_seq(r) != seq)
		return 0;
	if (shmr_region_unlinked(r))
		return -EIDRM;
	return -ETIMEDOUT;
}

/**
 * shmr_ioctl_wait() - SHMR_IOC_WAIT: wait for a sequence number change
 * @h: the handle.
 * @uarg: struct shmr_wait in userspace; its @seq is written back with the
 *	current sequence number on success, -ETIMEDOUT, -EINTR and -EIDRM.
 *
 * Context: process context; sleeps.
 * Return: 0, -EBADFD, -EFAULT, -EINVAL, -ETIMEDOUT, -EINTR or -EIDRM.
 */
long shmr_ioctl_wait(struct shmr_handle *h, struct shmr_wait __user *uarg)
{
	struct shmr_region *r = shmr_handle_region(h);
	struct shmr_wait w;
	int ret;

	if (!r)
		return -EBADFD;
	if (copy_from_user(&w, uarg, sizeof(w)))
		return -EFAULT;
	if (w.flags || w.pad)
		return -EINVAL;

	ret = shmr_wait_seq(r, w.seq, w.timeout_ns);
	w.seq = shmr_region_seq(r);
	if (copy_to_user(uarg, &w, sizeof(w)))
		return -EFAULT;
	return ret;
}

/**
 * shmr_read() - read(): return the sequence number once it changed
 * @file: the handle's file.
 * @buf: where the __u64 goes.
 * @count: at least 8.
 * @ppos: unused (the handle is a stream).
 *
 * Consumes the current sequence number for this handle (eventfd-like).
 *
 * Context: process context; sleeps unless O_NONBLOCK.
 * Return: 8, or -EBADFD, -EINVAL, -EAGAIN, -EIDRM, -EINTR, -EFAULT.
 */
ssize_t shmr_read(struct file *file, char __user *buf, size_t count,
		  loff_t *ppos)
{
	struct shmr_handle *h = file->private_data;
	struct shmr_region *r = shmr_handle_region(h);
	u64 seen, seq;

	if (!r)
		return -EBADFD;
	if (count < sizeof(seq))
		return -EINVAL;

	for (;;) {
		seen = atomic64_read(&h->consumed);
		seq = shmr_region_seq(r);
		if (seq != seen) {
			/* a fault leaves @seq unconsumed */
			if (copy_to_user(buf, &seq, sizeof(seq)))
				return -EFAULT;
			/* another reader of this handle may consume it first */
			if (atomic64_cmpxchg(&h->consumed, seen, seq) != seen)
				continue;
			return sizeof(seq);
		}
		if (shmr_region_unlinked(r))
			return -EIDRM;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(r->wait, shmr_wait_done(r, seen)))
			return -EINTR;
	}
}

/**
 * shmr_poll() - poll(): readable when there is an unconsumed update
 * @file: the handle's file.
 * @wait: the poll table.
 *
 * Return: EPOLLIN | EPOLLRDNORM when the sequence differs from the last
 * one read() consumed, EPOLLHUP once unlinked, EPOLLERR when unbound.
 */
__poll_t shmr_poll(struct file *file, struct poll_table_struct *wait)
{
	struct shmr_handle *h = file->private_data;
	struct shmr_region *r = shmr_handle_region(h);
	__poll_t mask = 0;

	if (!r)
		return EPOLLERR;
	poll_wait(file, &r->wait, wait);
	if (shmr_region_seq(r) != (u64)atomic64_read(&h->consumed))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (shmr_region_unlinked(r))
		mask |= EPOLLHUP;
	return mask;
}
