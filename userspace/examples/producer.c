// SPDX-License-Identifier: GPL-2.0
/*
 * producer: put each line of standard input into a shared region and
 * tell the waiting consumers about it.
 *
 *	producer NAME		(then type lines; Ctrl-D ends)
 *
 * Run "consumer NAME" in another terminal to watch the updates arrive.
 * Build: cc producer.c $(pkg-config --cflags --libs shmregion)
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libshmregion.h>

int main(int argc, char **argv)
{
	struct shmr *region;
	char line[256];
	uint64_t seq;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: producer NAME\n");
		return 2;
	}

	/*
	 * Make a 4 KiB region that everyone may read (mode 0644), or open
	 * the one that already has this name. Like every shmr_* call,
	 * shmr_create() returns 0 or a negative errno value.
	 */
	ret = shmr_create(&region, argv[1], 4096, 0644, 0);
	if (ret < 0) {
		fprintf(stderr, "producer: create \"%s\": %s\n", argv[1],
			strerror(-ret));
		return 1;
	}

	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';

		/* The region is ordinary memory: write the message into it... */
		strcpy(shmr_addr(region), line);

		/* ...then bump the sequence number, waking every waiter. */
		ret = shmr_notify(region, &seq);
		if (ret < 0) {
			fprintf(stderr, "producer: notify: %s\n", strerror(-ret));
			break;
		}
		printf("producer: wrote \"%s\", sequence is now %llu\n", line,
		       (unsigned long long)seq);
		fflush(stdout);
	}

	/* The region outlives us; "shmregion rm NAME" removes it. */
	shmr_close(region);
	return ret < 0 ? 1 : 0;
}
