/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * shmr_ring.h: a single-producer, single-consumer byte ring in a
 * shmregion region, header only, on top of libshmregion.
 *
 *	producer				consumer
 *	shmr_create(&r, "ring", 1 << 20 ...);	shmr_attach(&r, "ring", 0);
 *	shmr_ring_init(&ring, r);		shmr_ring_init(&ring, r);
 *	shmr_ring_write_all(&ring, buf, n);	shmr_ring_read_all(&ring, buf, n);
 *
 * The region holds a header page (the two counters on their own cache
 * lines, and a futex word) and then a power-of-two data area. head and
 * tail count bytes ever written and read; head - tail bytes are in the
 * ring. The producer calls shmr_notify() only when its write made an
 * empty ring non-empty; a consumer that finds the ring empty sleeps in
 * shmr_wait() (which costs no system call when the sequence has already
 * moved). A producer that finds the ring full sleeps on the futex word,
 * which the consumer bumps only when the producer said it waits.
 *
 * No wake-up is lost. Each side stores its counter, then a full fence,
 * then loads the other's (a Dekker pair): producer "head, fence, tail"
 * against consumer "tail, fence, head", and producer "waiting, fence,
 * tail" against consumer "tail, fence, waiting". So either the consumer
 * sees the new data before it sleeps, or the producer sees that the ring
 * was empty and notifies; and the consumer reads the region's sequence
 * before it checks, so a notify after the check makes shmr_wait()
 * return at once.
 *
 * Every function returns what it says or a negative errno, as
 * libshmregion does. One producer and one consumer, in any processes.
 */
#ifndef SHMR_RING_H
#define SHMR_RING_H

#include <errno.h>
#include <linux/futex.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <libshmregion.h>

#define SHMR_RING_HEADER	4096

struct shmr_ring_header {
	_Alignas(64) uint64_t head;	/* bytes written; the producer's */
	_Alignas(64) uint64_t tail;	/* bytes read; the consumer's */
	_Alignas(64) uint32_t space;	/* futex: bumped when room is made */
	uint32_t producer_waits;	/* the producer sleeps on space */
};

struct shmr_ring {
	struct shmr *region;
	struct shmr_ring_header *hdr;
	unsigned char *data;
	uint64_t size;			/* a power of two */
	uint64_t seq;			/* the consumer's last sequence */
};

/* Lay the ring over a region of at least two pages (zeroed at CREATE). */
static inline int shmr_ring_init(struct shmr_ring *ring, struct shmr *region)
{
	size_t bytes = shmr_size(region);

	if (bytes < 2 * SHMR_RING_HEADER)
		return -EINVAL;
	ring->region = region;
	ring->hdr = (struct shmr_ring_header *)shmr_addr(region);
	ring->data = (unsigned char *)shmr_addr(region) + SHMR_RING_HEADER;
	for (ring->size = 1; ring->size * 2 <= bytes - SHMR_RING_HEADER;)
		ring->size *= 2;
	ring->seq = 0;
	return 0;
}

/* copy @len bytes at ring offset @pos (mod size), wrapping around */
static inline void shmr_ring_copy_in(struct shmr_ring *ring, uint64_t pos,
				     const void *buf, size_t len)
{
	uint64_t off = pos & (ring->size - 1), first = ring->size - off;

	if (first >= len) {
		memcpy(ring->data + off, buf, len);
	} else {
		memcpy(ring->data + off, buf, first);
		memcpy(ring->data, (const unsigned char *)buf + first, len - first);
	}
}

static inline void shmr_ring_copy_out(struct shmr_ring *ring, uint64_t pos,
				      void *buf, size_t len)
{
	uint64_t off = pos & (ring->size - 1), first = ring->size - off;

	if (first >= len) {
		memcpy(buf, ring->data + off, len);
	} else {
		memcpy(buf, ring->data + off, first);
		memcpy((unsigned char *)buf + first, ring->data, len - first);
	}
}

/*
 * Producer: write up to @len bytes, as many as there is room for; the
 * bytes written (0 when full). Notifies when the ring was empty.
 */
static inline ssize_t shmr_ring_write(struct shmr_ring *ring, const void *buf,
				      size_t len)
{
	struct shmr_ring_header *h = ring->hdr;
	uint64_t head = h->head;	/* ours: no one else stores it */
	uint64_t tail = __atomic_load_n(&h->tail, __ATOMIC_ACQUIRE);
	uint64_t room = ring->size - (head - tail);
	int ret;

	if (len > room)
		len = room;
	if (!len)
		return 0;
	shmr_ring_copy_in(ring, head, buf, len);
	__atomic_store_n(&h->head, head + len, __ATOMIC_RELEASE);
	/* pairs with the fence in shmr_ring_wait_data() */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&h->tail, __ATOMIC_RELAXED) == head) {
		ret = shmr_notify(ring->region, NULL);
		if (ret)
			return ret;
	}
	return len;
}

/* Producer: sleep until there is room (the consumer moves tail). */
static inline void shmr_ring_wait_room(struct shmr_ring *ring)
{
	struct shmr_ring_header *h = ring->hdr;
	uint32_t space = __atomic_load_n(&h->space, __ATOMIC_ACQUIRE);

	__atomic_store_n(&h->producer_waits, 1, __ATOMIC_RELAXED);
	/* pairs with the fence in shmr_ring_read() */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (h->head - __atomic_load_n(&h->tail, __ATOMIC_ACQUIRE) < ring->size) {
		__atomic_store_n(&h->producer_waits, 0, __ATOMIC_RELAXED);
		return;
	}
	syscall(SYS_futex, &h->space, FUTEX_WAIT, space, NULL, NULL, 0);
}

/* Producer: write all @len bytes, sleeping while the ring is full. */
static inline int shmr_ring_write_all(struct shmr_ring *ring, const void *buf,
				      size_t len)
{
	const unsigned char *p = (const unsigned char *)buf;
	ssize_t n;

	while (len) {
		n = shmr_ring_write(ring, p, len);
		if (n < 0)
			return n;
		if (!n)
			shmr_ring_wait_room(ring);
		p += n;
		len -= n;
	}
	return 0;
}

/* Consumer: read up to @len bytes that are there (0 when empty). */
static inline ssize_t shmr_ring_read(struct shmr_ring *ring, void *buf,
				     size_t len)
{
	struct shmr_ring_header *h = ring->hdr;
	uint64_t tail = h->tail;	/* ours */
	uint64_t head = __atomic_load_n(&h->head, __ATOMIC_ACQUIRE);

	if (len > head - tail)
		len = head - tail;
	if (!len)
		return 0;
	shmr_ring_copy_out(ring, tail, buf, len);
	__atomic_store_n(&h->tail, tail + len, __ATOMIC_RELEASE);
	/* pairs with the fence in shmr_ring_wait_room() */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&h->producer_waits, __ATOMIC_RELAXED) &&
	    __atomic_exchange_n(&h->producer_waits, 0, __ATOMIC_SEQ_CST)) {
		__atomic_add_fetch(&h->space, 1, __ATOMIC_RELEASE);
		syscall(SYS_futex, &h->space, FUTEX_WAKE, 1, NULL, NULL, 0);
	}
	return len;
}

/* Consumer: sleep until the ring holds data; 0 or a negative errno. */
static inline int shmr_ring_wait_data(struct shmr_ring *ring)
{
	struct shmr_ring_header *h = ring->hdr;
	int ret;

	for (;;) {
		ring->seq = shmr_seq(ring->region);
		/* pairs with the fence in shmr_ring_write() */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&h->head, __ATOMIC_ACQUIRE) != h->tail)
			return 0;
		ret = shmr_wait(ring->region, &ring->seq, SHMR_FOREVER);
		if (ret)
			return ret;
	}
}

/* Consumer: read exactly @len bytes, sleeping while the ring is empty. */
static inline int shmr_ring_read_all(struct shmr_ring *ring, void *buf,
				     size_t len)
{
	unsigned char *p = (unsigned char *)buf;
	ssize_t n;
	int ret;

	while (len) {
		n = shmr_ring_read(ring, p, len);
		if (!n) {
			ret = shmr_ring_wait_data(ring);
			if (ret)
				return ret;
		}
		p += n;
		len -= n;
	}
	return 0;
}

#endif /* SHMR_RING_H */
