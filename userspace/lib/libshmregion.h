/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libshmregion: named shared-memory regions with a wait-on-update signal,
 * on top of the shmregion kernel module (/dev/shmregion).
 *
 *	struct shmr *r;
 *	uint64_t seq = 0;
 *
 *	shmr_create(&r, "frames", 1 << 20, 0600, 0);	producer
 *	memcpy(shmr_addr(r), data, len);
 *	shmr_notify(r, NULL);
 *
 *	shmr_attach(&r, "frames", SHMR_RDONLY);		consumer
 *	while (shmr_wait(r, &seq, SHMR_FOREVER) == 0)
 *		use(shmr_addr(r), seq);
 *	shmr_close(r);
 *
 * Errors: every call that can fail returns 0 on success and a negative
 * errno value (-ENOENT, ...) on failure; errno itself is left alone.
 * This header stands alone: it does not need <linux/shmregion.h>.
 */
#ifndef LIBSHMREGION_H
#define LIBSHMREGION_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest name plus its NUL (names are 1..63 printable bytes, no '/'). */
#ifndef SHMR_NAME_MAX
#define SHMR_NAME_MAX		64
#endif

/* shmr_create() flags */
#define SHMR_EXCL		(1U << 0) /* fail with -EEXIST if it exists */
#define SHMR_LAZY		(1U << 1) /* allocate pages on first touch */
#define SHMR_TRANSIENT		(1U << 2) /* gone with its last handle/mapping */
/* shmr_attach() flags */
#define SHMR_RDONLY		(1U << 3) /* map read-only; no shmr_notify() */
/* further shmr_region_info.flags */
#define SHMR_UNLINKED		(1U << 4) /* the name has been removed */
#define SHMR_CREATED		(1U << 5) /* this handle made the region */
/* shmr_create() flag, also in shmr_region_info.flags */
#define SHMR_HUGE		(1U << 6) /* transparent huge pages (-EOPNOTSUPP
					   * on a kernel without them) */

/* shmr_wait() timeout: never time out */
#define SHMR_FOREVER		(-1LL)

/*
 * An open region, opaque: a handle on /dev/shmregion bound to one region
 * and its mappings, from shmr_create() or shmr_attach() to shmr_close().
 */
struct shmr;

/* What shmr_info() and shmr_list() report about a region. */
struct shmr_region_info {
	char name[SHMR_NAME_MAX];
	uint64_t size;		/* bytes, a whole number of pages */
	uint64_t seq;		/* update sequence number */
	uint32_t uid;		/* owner */
	uint32_t gid;
	uint32_t mode;		/* permission bits, a subset of 0666 */
	uint32_t flags;		/* SHMR_LAZY, SHMR_TRANSIENT, SHMR_RDONLY, ... */
	uint32_t handles;	/* open handles (attached processes) */
	uint32_t mappings;	/* live mappings */
};

int shmr_create(struct shmr **regionp, const char *name, size_t size,
		unsigned int mode, unsigned int flags);
int shmr_attach(struct shmr **regionp, const char *name, unsigned int flags);
void shmr_close(struct shmr *region);

void *shmr_addr(const struct shmr *region);
size_t shmr_size(const struct shmr *region);
int shmr_fd(const struct shmr *region);
uint64_t shmr_seq(const struct shmr *region);

int shmr_wait(struct shmr *region, uint64_t *seq, int64_t timeout_ns);
int shmr_notify(struct shmr *region, uint64_t *seq);
int shmr_info(struct shmr *region, struct shmr_region_info *info);
/* since 0.4 */
int shmr_resize(struct shmr *region, size_t size);
int shmr_remap(struct shmr *region);
int shmr_unlink(const char *name);
/* since 0.5 */
int shmr_funlink(struct shmr *region);

int shmr_list(struct shmr_region_info **listp, size_t *countp);
void shmr_list_free(struct shmr_region_info *list);

#ifdef __cplusplus
}
#endif

#endif /* LIBSHMREGION_H */
