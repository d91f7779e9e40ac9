// SPDX-License-Identifier: GPL-2.0
/*
 * shmregion: the update sequence number: NOTIFY, WAIT, read() and poll().
 *
 * Modelled on drivers/uio/uio.c: a per-region counter, a per-handle
 * snapshot of the last value read() consumed, and a wait queue that
 * NOTIFY and UNLINK wake after changing the state the sleepers test.
 * The counter is the control page's seq, so the page userspace reads
 * without a system call and every ioctl agree on one number.
 * wait_event_*() re-checks its condition after queueing the sleeper;
 * NOTIFY's fully ordered increment comes before its wq_has_sleeper()
 * check (see include/linux/wait.h), so a NOTIFY that lands between a
 * sleeper's check and its sleep still wakes it.
 *
 * The eventcount (since 0.3.0): a sleeper also counts itself in the
 * control page's waiters before its last look at the sequence number, so
 * a notifier in userspace can bump the number itself and enter the
 * kernel (NOTIFY with SHMR_NOTIFY_WAKE) only when someone may sleep.
 */
#include <linux/build_bug.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/spinlock.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "internal.h"

/* The kernel's struct shmr_ctrl_page is the uapi struct shmr_ctrl. */
static_assert(sizeof(struct shmr_ctrl_page) == sizeof(struct shmr_ctrl));
static_assert(offsetof(struct shmr_ctrl_page, seq) ==
	      offsetof(struct shmr_ctrl, seq));
static_assert(offsetof(struct shmr_ctrl_page, flags) ==
	      offsetof(struct shmr_ctrl, flags));
static_assert(offsetof(struct shmr_ctrl_page, waiters) ==
	      offsetof(struct shmr_ctrl, waiters));

/**
 * shmr_region_seq() - a region's current sequence number
 * @r: the region.
 *
 * The one counter, on the control page: the acquire pairs with the fully
 * ordered atomic64_inc_return() in shmr_ioctl_notify(), as userspace's
 * acquire load of shmr_ctrl.seq does, so whoever sees the new number also
 * sees what the notifier wrote to the region before NOTIFY, and no
 * reader, in the kernel or not, ever sees it go backwards.
 *
 * Return: the sequence number.
 */
u64 shmr_region_seq(struct shmr_region *r)
{
	return atomic64_read_acquire(&r->ctrl->seq);
}

static bool shmr_region_unlinked(struct shmr_region *r)
{
	return READ_ONCE(r->unlinked);
}

/*
 * Count one more task (or polled handle) that a NOTIFY must wake, before
 * it last reads the sequence number. The full barrier pairs with the
 * notifier's sequentially consistent add to shmr_ctrl.seq and load of
 * shmr_ctrl.waiters in userspace (libshmregion's shmr_notify()): either
 * the sleeper sees the new number or the notifier sees the count and
 * enters the kernel to wake it.
 */
static void shmr_waiter_enter(struct shmr_region *r)
{	/* lab: exercise 5, shmr_waiter_enter() (docs/lab/05-poll.md) */
	atomic_inc(&r->ctrl->waiters);
	/* pairs with the SC add and load in userspace's shmr_notify() */
	smp_mb__after_atomic();
}	/* lab: end of exercise 5 */

static void shmr_waiter_leave(struct shmr_region *r)
{	/* lab: exercise 5, shmr_waiter_leave() (docs/lab/05-poll.md) */
	atomic_dec(&r->ctrl->waiters);
}	/* lab: end of exercise 5 */

/* Count @h as a waiter from its first poll() until release. */
static void shmr_handle_polled(struct shmr_handle *h, struct shmr_region *r)
{
	if (!READ_ONCE(h->polled) && !xchg(&h->polled, true))
		shmr_waiter_enter(r);
}

/*
 * The relay: forwards a wake-up of the region's queue to the handle's
 * poll_wait queue, where epoll entries added before binding wait.
 * Called with @r->wait's lock held.
 */
static int shmr_relay_wake(struct wait_queue_entry *wq_entry,
			   unsigned int mode, int sync, void *key)
{
	struct shmr_handle *h = container_of(wq_entry, struct shmr_handle,
					     relay);

	__wake_up(&h->poll_wait, mode, 0, key);
	return 0;
}

/**
 * shmr_handle_bind() - bind a handle to a region and publish the binding
 * @h: the unbound handle.
 * @r: the region; the handle takes over the caller's reference.
 * @rdonly: bind read-only.
 *
 * If poll() already ran on the unbound handle, an epoll entry may sleep
 * on @h->poll_wait and nothing else would ever wake it: the relay entry
 * forwards @r's wake-ups there, and one wake-up now makes such pollers
 * look again at the bound handle.
 *
 * Context: process context; @h->bind_lock held.
 */
void shmr_handle_bind(struct shmr_handle *h, struct shmr_region *r,
		      bool rdonly)
{
	bool relay;

	lockdep_assert_held(&h->bind_lock);
	h->rdonly = rdonly;
	atomic64_set(&h->consumed, shmr_region_seq(r));
	atomic_inc(&r->nr_handles);

	spin_lock_irq(&h->poll_wait.lock);
	/* pairs with smp_load_acquire() in shmr_handle_region() */
	smp_store_release(&h->region, r);
	relay = h->relay_wanted;
	spin_unlock_irq(&h->poll_wait.lock);

	if (relay) {
		shmr_handle_polled(h, r);
		init_waitqueue_func_entry(&h->relay, shmr_relay_wake);
		add_wait_queue(&r->wait, &h->relay);
		wake_up_poll(&h->poll_wait, EPOLLIN | EPOLLRDNORM);
	}
}

/**
 * shmr_handle_unbind() - drop a handle's binding at release
 * @h: the handle, bound or not, that nobody else can reach any more.
 *
 * Context: process context (file release).
 */
void shmr_handle_unbind(struct shmr_handle *h)
{
	struct shmr_region *r = h->region;

	if (!r)
		return;
	/*
	 * poll() sets @relay_wanted only while @region is NULL, under the
	 * lock that shmr_handle_bind() held to publish @region and read it:
	 * set here means the relay was added.
	 */
	if (h->relay_wanted)
		remove_wait_queue(&r->wait, &h->relay);
	if (h->polled)
		shmr_waiter_leave(r);
	atomic_dec(&r->nr_handles);
	shmr_region_put(r);
}

/**
 * shmr_region_mark_unlinked() - flag a region unlinked, wake its waiters
 * @r: the region, just removed from the name table (once: UNLINK holds
 *	shmr_table_lock when it removes the name).
 *
 * The flags store comes before the wake-up, which takes the queue lock:
 * a sleeper re-checks shmr_region_unlinked() after it queued itself.
 *
 * Context: process context.
 */
void shmr_region_mark_unlinked(struct shmr_region *r)
{
	WRITE_ONCE(r->unlinked, true);
	WRITE_ONCE(r->ctrl->flags, SHMR_CTRL_UNLINKED);
	wake_up_all(&r->wait);
}

/**
 * shmr_region_update() - an update that is not a NOTIFY (RESIZE)
 * @r: the region.
 *
 * As NOTIFY: bump the sequence number (fully ordered, as explained in
 * shmr_ioctl_notify()) and wake every waiter.
 *
 * Return: the new sequence number.
 */
u64 shmr_region_update(struct shmr_region *r)
{
	u64 seq = atomic64_inc_return(&r->ctrl->seq);

	if (wq_has_sleeper(&r->wait))
		wake_up_all(&r->wait);
	return seq;
}

/**
 * shmr_ioctl_notify() - SHMR_IOC_NOTIFY: bump the sequence, wake waiters
 * @h: the handle.
 * @uarg: struct shmr_notify in userspace.
 *
 * With SHMR_NOTIFY_WAKE the caller has bumped the sequence itself on the
 * control page (the eventcount, docs/design.md): only wake the waiters.
 *
 * Context: process context.
 * Return: 0, -EBADFD, -EFAULT, -EINVAL, or -EACCES (read-only handle).
 */
long shmr_ioctl_notify(struct shmr_handle *h, struct shmr_notify __user *uarg)
{	/* lab: exercise 4, shmr_ioctl_notify() (docs/lab/04-wait.md) */
	struct shmr_region *r = shmr_handle_region(h);
	u32 flags, pad;
	u64 seq;

	if (!r)
		return -EBADFD;
	/*
	 * Two loads in one user access section and one store, not copies
	 * of the whole struct: under TCG those were half of what NOTIFY
	 * costs on top of an ioctl that does nothing (docs/design.md).
	 */
	if (!user_access_begin(uarg, sizeof(*uarg)))
		return -EFAULT;
	unsafe_get_user(flags, &uarg->flags, efault);
	unsafe_get_user(pad, &uarg->pad, efault);
	user_access_end();
	if (flags & ~SHMR_NOTIFY_FLAGS || pad)
		return -EINVAL;
	if (h->rdonly)
		return -EACCES;
	if (flags & SHMR_NOTIFY_WAKE) {
		/*
		 * The caller's increment of seq, then its load of waiters,
		 * came before this call; wq_has_sleeper()'s barrier orders
		 * our read of the queue after them, as below.
		 */
		seq = shmr_region_seq(r);
		goto wake;
	}

	/*
	 * Fully ordered: the notifier's earlier stores to the region are
	 * visible to whoever sees @seq (pairs with shmr_region_seq() and the
	 * acquire load in userspace), and the increment is ordered before
	 * wq_has_sleeper()'s check of the queue, which pairs with the
	 * barrier in the sleeper's prepare_to_wait()/set_current_state():
	 * either we see the sleeper queued, or it sees the new @seq.
	 */
	seq = atomic64_inc_return(&r->ctrl->seq);
wake:
	if (wq_has_sleeper(&r->wait))
		wake_up_all(&r->wait);

	if (put_user(seq, &uarg->seq))
		return -EFAULT;
	return 0;

efault:
	user_access_end();
	return -EFAULT;
}	/* lab: end of exercise 4 */

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
{	/* lab: exercise 4, shmr_wait_seq() (docs/lab/04-wait.md) */
	ktime_t timeout = ns_to_ktime(timeout_ns);
	long ret = 0;

	if (timeout_ns && !shmr_wait_done(r, seq)) {
		shmr_waiter_enter(r);
		if (timeout_ns < 0)
			ret = wait_event_interruptible(r->wait,
						       shmr_wait_done(r, seq));
		else
			ret = wait_event_interruptible_hrtimeout(r->wait,
								 shmr_wait_done(r, seq),
								 timeout);
		shmr_waiter_leave(r);
	}

	/* never restarted: the timeout is relative (docs/abi.md, WAIT) */
	if (ret == -ERESTARTSYS)
		return -EINTR;
	if (shmr_region_seq(r) != seq)
		return 0;
	if (shmr_region_unlinked(r))
		return -EIDRM;
	return -ETIMEDOUT;
}	/* lab: end of exercise 4 */

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
 * A signal ends the sleep with -ERESTARTSYS, so that read() is restarted
 * under SA_RESTART and fails with EINTR otherwise, as eventfd's and
 * uio's read() do.
 *
 * Context: process context; sleeps unless O_NONBLOCK.
 * Return: 8, or -EBADFD, -EINVAL, -EAGAIN, -EIDRM, -ERESTARTSYS, -EFAULT.
 */
ssize_t shmr_read(struct file *file, char __user *buf, size_t count,
		  loff_t *ppos)
{	/* lab: exercise 5, shmr_read() (docs/lab/05-poll.md) */
	struct shmr_handle *h = file->private_data;
	struct shmr_region *r = shmr_handle_region(h);
	u64 seen, seq;
	int ret;

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
		shmr_waiter_enter(r);
		ret = wait_event_interruptible(r->wait, shmr_wait_done(r, seen));
		shmr_waiter_leave(r);
		if (ret)
			return -ERESTARTSYS;
	}
}	/* lab: end of exercise 5 */

/**
 * shmr_poll() - poll(): readable when there is an unconsumed update
 * @file: the handle's file.
 * @wait: the poll table.
 *
 * An unbound handle reports EPOLLERR, and its pollers wait on
 * @h->poll_wait: shmr_handle_bind() relays the region's wake-ups there
 * once it is bound (epoll queues an entry only at EPOLL_CTL_ADD).
 *
 * Return: EPOLLIN | EPOLLRDNORM when the sequence differs from the last
 * one read() consumed, EPOLLHUP once unlinked, EPOLLERR when unbound.
 */
__poll_t shmr_poll(struct file *file, struct poll_table_struct *wait)
{	/* lab: exercise 5, shmr_poll() (docs/lab/05-poll.md) */
	struct shmr_handle *h = file->private_data;
	struct shmr_region *r = shmr_handle_region(h);
	__poll_t mask = 0;

	if (!r) {
		poll_wait(file, &h->poll_wait, wait);
		spin_lock_irq(&h->poll_wait.lock);
		r = h->region;
		if (!r)
			h->relay_wanted = true;
		spin_unlock_irq(&h->poll_wait.lock);
		if (!r)
			return EPOLLERR;
	}
	shmr_handle_polled(h, r);
	poll_wait(file, &r->wait, wait);
	/* pairs with wq_has_sleeper() in shmr_ioctl_notify(), as in sock_poll_wait() */
	smp_mb();
	if (shmr_region_seq(r) != (u64)atomic64_read(&h->consumed))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (shmr_region_unlinked(r))
		mask |= EPOLLHUP;
	return mask;
}	/* lab: end of exercise 5 */
