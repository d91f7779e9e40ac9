// SPDX-License-Identifier: GPL-2.0
/*
 * consumer: print what the producer puts into a shared region, each time
 * it changes.
 *
 *	consumer NAME [COUNT]	(stop after COUNT updates; default: never)
 *
 * It also stops when the region is removed ("shmregion rm NAME").
 * Build: cc consumer.c $(pkg-config --cflags --libs shmregion)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libshmregion.h>

int main(int argc, char **argv)
{
	struct shmr *region;
	long count = -1, seen = 0;
	const char *text;
	uint64_t seq;
	int ret;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: consumer NAME [COUNT]\n");
		return 2;
	}
	if (argc == 3)
		count = strtol(argv[2], NULL, 10);

	/* Read-only: we may look, but not write or notify. */
	ret = shmr_attach(&region, argv[1], SHMR_RDONLY);
	if (ret < 0) {
		fprintf(stderr, "consumer: attach \"%s\": %s\n", argv[1],
			strerror(-ret));
		return 1;
	}
	text = shmr_addr(region);

	/* Start from the current sequence number: wait for the next update. */
	seq = shmr_seq(region);
	printf("consumer: attached to \"%s\" (%zu bytes) at sequence %llu, waiting\n",
	       argv[1], shmr_size(region), (unsigned long long)seq);
	fflush(stdout);

	while (count < 0 || seen < count) {
		/*
		 * Sleep until the sequence differs from seq; shmr_wait() then
		 * stores the new one in seq. If an update already happened it
		 * returns at once, without even entering the kernel.
		 */
		ret = shmr_wait(region, &seq, SHMR_FOREVER);
		if (ret == -EIDRM) {
			printf("consumer: the region was removed, stopping\n");
			ret = 0;
			break;
		}
		if (ret < 0) {
			fprintf(stderr, "consumer: wait: %s\n", strerror(-ret));
			break;
		}
		/*
		 * A fast producer may already be writing the next message while
		 * we read this one; the demo paces it. Real programs keep two
		 * buffers, or use the sequence number as a seqlock.
		 */
		printf("consumer: woke up at sequence %llu, read \"%.*s\"\n",
		       (unsigned long long)seq, (int)shmr_size(region), text);
		fflush(stdout);
		seen++;
	}

	shmr_close(region);
	return ret < 0 ? 1 : 0;
}
