// SPDX-License-Identifier: GPL-2.0
/*
 * Case 8: an SPSC byte ring in a region (shmr_ring.h), which notifies
 * only when a write makes the ring non-empty.
 *
 * Bytes: opt.ring_bytes through a 1 MiB ring in 64 KiB writes, the
 * producer on vCPU 0 and the consumer on vCPU 1, each copying through
 * its own buffer, in GB/s, against memcpy of as many bytes in one
 * process and against a pipe and a UNIX socketpair.
 * Messages: opt.ring_msgs 64-byte messages, each numbered and checked by
 * the consumer, per second, against a pipe and a UNIX socketpair.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"
#include "shmr_ring.h"

#define RING_REGION	"bench-ring"
#define RING_BYTES	(1UL << 20)
#define CHUNK		(64UL << 10)
#define MSG		64

enum transport { RING, PIPE, SOCKET };

struct stream_shared {
	_Alignas(CACHELINE) uint32_t ready;
	_Alignas(CACHELINE) uint64_t t_end;
};

struct stream {
	enum transport how;
	struct shmr *region;
	struct shmr_ring ring;
	int fd[2];			/* the consumer reads fd[0] */
};

static void put_all(struct stream *s, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;
	int ret;

	if (s->how == RING) {
		ret = shmr_ring_write_all(&s->ring, buf, len);
		if (ret)
			dief("shmr_ring_write_all: %s", strerror(-ret));
		return;
	}
	while (len) {
		n = write(s->fd[1], p, len);
		if (n <= 0)
			die("write");
		p += n;
		len -= n;
	}
}

static void get_all(struct stream *s, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;
	int ret;

	if (s->how == RING) {
		ret = shmr_ring_read_all(&s->ring, buf, len);
		if (ret)
			dief("shmr_ring_read_all: %s", strerror(-ret));
		return;
	}
	while (len) {
		n = read(s->fd[0], p, len);
		if (n <= 0)
			die("read");
		p += n;
		len -= n;
	}
}

static void stream_open(struct stream *s, enum transport how)
{
	int ret;

	s->how = how;
	switch (how) {
	case RING:
		ret = shmr_create(&s->region, RING_REGION,
				  SHMR_RING_HEADER + RING_BYTES, 0600, SHMR_EXCL);
		if (ret)
			dief("shmr_create: %s", strerror(-ret));
		break;
	case PIPE:
		if (pipe2(s->fd, O_CLOEXEC))
			die("pipe2");
		break;
	case SOCKET:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s->fd))
			die("socketpair");
		break;
	}
}

/* in each process: its own handle on the ring */
static void stream_side(struct stream *s, int consumer)
{
	int ret;

	if (s->how != RING)
		return;
	if (consumer) {
		ret = shmr_attach(&s->region, RING_REGION, 0);
		if (ret)
			dief("shmr_attach: %s", strerror(-ret));
	}
	ret = shmr_ring_init(&s->ring, s->region);
	if (ret)
		dief("shmr_ring_init: %s", strerror(-ret));
}

static void stream_close(struct stream *s)
{
	if (s->how == RING) {
		shmr_close(s->region);
		shmr_unlink(RING_REGION);
	} else {
		close(s->fd[0]);
		close(s->fd[1]);
	}
}

/*
 * @total bytes in @chunk pieces from this process (vCPU 0) to a child
 * (vCPU 1); with @check, pieces are numbered and the child checks them.
 * Seconds from both being ready to the child having all of it.
 */
static double stream_once(enum transport how, size_t chunk, size_t total,
			  int check)
{
	struct stream_shared *sh = map_shared(sizeof(*sh));
	unsigned char *buf = malloc(chunk);
	struct stream s = { .fd = { -1, -1 } };
	uint64_t t0, i, n = total / chunk;
	double secs;
	pid_t pid;

	if (!buf)
		die("malloc");
	memset(buf, 0x5a, chunk);
	stream_open(&s, how);
	pid = fork_child();
	if (pid == 0) {
		pin_cpu(peer_cpu());
		stream_side(&s, 1);
		futex_bump(&sh->ready);
		for (i = 0; i < n; i++) {
			get_all(&s, buf, chunk);
			if (check && memcmp(buf, &i, sizeof(i)))
				dief("message %llu came out of order",
				     (unsigned long long)i);
		}
		__atomic_store_n(&sh->t_end, now_ns(), __ATOMIC_RELEASE);
		_exit(0);
	}
	pin_cpu(0);
	stream_side(&s, 0);
	futex_await(&sh->ready, 1);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (check)
			memcpy(buf, &i, sizeof(i));
		put_all(&s, buf, chunk);
	}
	reap(pid, "stream consumer");
	secs = (__atomic_load_n(&sh->t_end, __ATOMIC_ACQUIRE) - t0) / 1e9;
	stream_close(&s);
	free(buf);
	munmap(sh, sizeof(*sh));
	return secs;
}

/* the baseline: one process copies @total bytes into a ring-sized buffer */
static double memcpy_once(size_t total)
{
	unsigned char *src = malloc(CHUNK), *dst = malloc(RING_BYTES);
	uint64_t t0, off = 0, done;

	if (!src || !dst)
		die("malloc");
	memset(src, 0x5a, CHUNK);
	memset(dst, 0, RING_BYTES);
	t0 = now_ns();
	for (done = 0; done < total; done += CHUNK) {
		memcpy(dst + off, src, CHUNK);
		off = (off + CHUNK) & (RING_BYTES - 1);
		__asm__ volatile("" : : "r"(dst) : "memory");
	}
	t0 = now_ns() - t0;
	free(src);
	free(dst);
	return t0 / 1e9;
}

void bench_ring(const char *cases)
{
	static const char *const bnames[] = {
		"memcpy in one process (baseline)",
		"shmregion SPSC ring (shmr_ring.h)",
		"pipe", "UNIX socketpair",
	};
	static const char *const mnames[] = {
		"pipe (baseline)", "UNIX socketpair",
		"shmregion SPSC ring (shmr_ring.h)",
	};
	static const enum transport morder[] = { PIPE, SOCKET, RING };
	double gb[4][64], msg[3][64], row[1];
	struct table tb = {
		.case_no = 8, .key = "ring_bytes",
		.title = "Bytes through a 1 MiB ring in 64 KiB writes, producer and consumer on two vCPUs",
		.unit = "GB/s", .scale = 1, .prec = 2, .flags = TAB_HIGHER_BETTER,
		.note = "ratio to the first row, higher is better",
		.ncols = 1, .cols = { "GB/s" },
	}, tm = {
		.case_no = 8, .key = "ring_messages",
		.title = "64-byte messages, numbered and checked",
		.unit = "messages/s", .scale = 1e3, .prec = 1,
		.flags = TAB_HIGHER_BETTER,
		.note = "thousands; ratio to the first row, higher is better",
		.ncols = 1, .cols = { "k msgs/s" },
	};
	size_t total = opt.ring_bytes;
	double ring_vs_sock;
	int m, r;

	if (!strchr(cases, '8'))
		return;
	/* warm-up: each once, small */
	memcpy_once(total / 8);
	stream_once(RING, CHUNK, total / 8, 0);
	stream_once(RING, MSG, opt.ring_msgs / 8 * MSG, 1);
	for (r = 0; r < opt.reps; r++) {
		gb[0][r] = total / memcpy_once(total) / 1e9;
		gb[1][r] = total / stream_once(RING, CHUNK, total, 0) / 1e9;
		gb[2][r] = total / stream_once(PIPE, CHUNK, total, 0) / 1e9;
		gb[3][r] = total / stream_once(SOCKET, CHUNK, total, 0) / 1e9;
		for (m = 0; m < 3; m++)
			msg[m][r] = opt.ring_msgs /
				stream_once(morder[m], MSG, opt.ring_msgs * MSG, 1);
	}
	for (m = 0; m < 4; m++) {
		row[0] = median(gb[m], opt.reps);
		table_row(&tb, bnames[m], row);
	}
	for (m = 0; m < 3; m++) {
		row[0] = median(msg[m], opt.reps);
		table_row(&tm, mnames[m], row);
	}
	table_print(&tb);
	table_print(&tm);
	target(8, "ring GB/s vs memcpy", table_ratio(&tb, bnames[1], 0), 0.90, 1);
	target(8, "ring 64-byte messages/s vs pipe",
	       table_ratio(&tm, mnames[2], 0), 1.00, 1);
	ring_vs_sock = table_ratio(&tm, mnames[2], 0) /
		       table_ratio(&tm, mnames[1], 0);
	target(8, "ring 64-byte messages/s vs UNIX socketpair", ring_vs_sock,
	       1.00, 1);
}
