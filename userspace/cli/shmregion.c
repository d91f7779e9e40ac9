// SPDX-License-Identifier: GPL-2.0
/*
 * shmregion: list, create, inspect, remove, read, write, wait on and
 * notify shared-memory regions from the shell, in the spirit of ipcs(1)
 * and ipcrm(1). See shmregion(1).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libshmregion.h>

#ifndef SHMR_VERSION
#define SHMR_VERSION "0"
#endif

/* exit codes (documented in usage() and shmregion(1)) */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the operation failed */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_TIMEOUT = 3,	/* wait: the timeout passed */
};

/* options, and which command takes which */
enum {
	OPT_MODE = 1 << 0,
	OPT_EXCL = 1 << 1,
	OPT_LAZY = 1 << 2,
	OPT_TRANSIENT = 1 << 3,
	OPT_TIMEOUT = 1 << 4,
	OPT_SEQ = 1 << 5,
	OPT_STRING = 1 << 6,
	OPT_HUGE = 1 << 7,
};

struct opts {
	unsigned int given;		/* OPT_* seen on the command line */
	unsigned int mode;
	int64_t timeout_ns;
	uint64_t seq;
};

static const char usage_text[] =
"Usage: shmregion COMMAND [ARGS] [OPTIONS]\n"
"Named shared-memory regions (/dev/shmregion) from the shell.\n"
"\n"
"Commands:\n"
"  list                      table of all regions\n"
"  create NAME SIZE          make a region (SIZE in bytes, or with K, M, G)\n"
"      -m, --mode MODE       permission bits, octal subset of 0666 (0600)\n"
"      -x, --excl            fail if NAME exists\n"
"      -l, --lazy            allocate pages on first touch\n"
"      -t, --transient       remove it when its last user goes\n"
"      -H, --huge            back it with transparent huge pages\n"
"  resize NAME SIZE          grow or shrink a region (its owner only)\n"
"  info NAME                 details of one region\n"
"  rm NAME...                remove regions (memory lives while mapped)\n"
"  cat NAME                  copy the region to standard output\n"
"      -s, --string          stop at the first NUL byte\n"
"  write NAME                copy standard input into the region (the rest\n"
"                            is zeroed), then notify\n"
"  wait NAME                 wait for an update, print the new sequence\n"
"      -T, --timeout SECS    give up after SECS seconds (\"ms\" suffix: ms)\n"
"      -S, --seq N           wait for a sequence other than N (default: the\n"
"                            current one)\n"
"  notify NAME               signal an update, print the new sequence\n"
"\n"
"  -h, --help                this text;  -V, --version  the version\n"
"\n"
"Exit status: 0 success, 1 the operation failed, 2 usage error,\n"
"3 wait timed out.\n";

static int usage_error(const char *fmt, const char *arg)
{
	fputs("shmregion: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (see shmregion --help)\n", stderr);
	return EXIT_USAGE;
}

/* The message for a library error, in the terms of this tool. */
static const char *message(int err)
{
	switch (err) {
	case -ENOENT:
		return "No such region";
	case -EEXIST:
		return "Region exists";
	case -ENODEV:
		return "No " "/dev/shmregion (is the shmregion module loaded?)";
	case -E2BIG:
		return "Region too large (over the module's max_region_bytes)";
	case -ENOSPC:
		return "No room (the module's max_regions or max_total_bytes reached)";
	case -EDQUOT:
		return "Over this user's share (the module's max_user_regions or max_user_bytes)";
	case -EIDRM:
		return "Region was removed";
	case -EPERM:
		return "Operation not permitted (not the owner)";
	case -ETIMEDOUT:
		return "Timed out";
	case -ENOTTY:
		return "/dev/shmregion does not know this version's requests (an older module?)";
	default:
		return strerror(-err);
	}
}

static int fail(const char *what, const char *name, int err)
{
	if (name)
		fprintf(stderr, "shmregion: %s \"%s\": %s\n", what, name,
			message(err));
	else
		fprintf(stderr, "shmregion: %s: %s\n", what, message(err));
	return err == -ETIMEDOUT ? EXIT_TIMEOUT : EXIT_FAIL;
}

/* Names are 1..63 printable bytes without '/', as the kernel wants. */
static int check_name(const char *name)
{
	size_t len = strlen(name), i;

	if (len == 0 || len >= SHMR_NAME_MAX)
		goto bad;
	for (i = 0; i < len; i++)
		if (name[i] < 0x20 || name[i] > 0x7e || name[i] == '/')
			goto bad;
	return 0;
bad:
	fprintf(stderr, "shmregion: invalid region name \"%s\": 1 to %d printable characters, no '/'\n",
		name, SHMR_NAME_MAX - 1);
	return EXIT_USAGE;
}

/* "4096", "64K", "1M", "2G" (K = 1024); -1 when it is not a size. */
static int parse_size(const char *s, uint64_t *size)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)) || v > SIZE_MAX)
		return -1;
	*size = (uint64_t)v << shift;
	return 0;
}

/* "2", "0.5", "1s", "250ms" into nanoseconds; -1 when not a duration. */
static int parse_timeout(const char *s, int64_t *ns)
{
	double scale = 1e9, v;
	char *end;

	if (!isdigit((unsigned char)s[0]) && s[0] != '.')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s)
		return -1;
	if (!strcmp(end, "ms"))
		scale = 1e6;
	else if (*end && strcmp(end, "s"))
		return -1;
	v *= scale;
	if (v >= 9e18)
		return -1;
	*ns = (int64_t)v;
	return 0;
}

static const char *user_name(uint32_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		return pw->pw_name;
	snprintf(buf, len, "%" PRIu32, uid);
	return buf;
}

static const char *group_name(uint32_t gid, char *buf, size_t len)
{
	struct group *gr = getgrgid(gid);

	if (gr)
		return gr->gr_name;
	snprintf(buf, len, "%" PRIu32, gid);
	return buf;
}

static int by_name(const void *a, const void *b)
{
	const struct shmr_region_info *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int cmd_list(char **argv, const struct opts *o)
{
	int wname = 4, wsize = 4, wowner = 5, watt = 8;
	char owner[16], num[32];
	struct shmr_region_info *list;
	size_t count, i;
	int ret, n;

	(void)argv;
	(void)o;
	ret = shmr_list(&list, &count);
	if (ret)
		return fail("list", NULL, ret);
	qsort(list, count, sizeof(*list), by_name);
	for (i = 0; i < count; i++) {
		n = strlen(list[i].name);
		wname = n > wname ? n : wname;
		n = snprintf(num, sizeof(num), "%" PRIu64, list[i].size);
		wsize = n > wsize ? n : wsize;
		n = strlen(user_name(list[i].uid, owner, sizeof(owner)));
		wowner = n > wowner ? n : wowner;
		n = snprintf(num, sizeof(num), "%" PRIu32, list[i].handles);
		watt = n > watt ? n : watt;
	}
	printf("%-*s  %*s  %-*s  %-4s  %*s  %s\n", wname, "NAME", wsize,
	       "SIZE", wowner, "OWNER", "MODE", watt, "ATTACHED", "SEQUENCE");
	for (i = 0; i < count; i++)
		printf("%-*s  %*" PRIu64 "  %-*s  %04o  %*" PRIu32 "  %" PRIu64 "\n",
		       wname, list[i].name, wsize, list[i].size, wowner,
		       user_name(list[i].uid, owner, sizeof(owner)),
		       list[i].mode, watt, list[i].handles, list[i].seq);
	shmr_list_free(list);
	return EXIT_OK;
}

static int cmd_create(char **argv, const struct opts *o)
{
	unsigned int flags = 0, mode = o->given & OPT_MODE ? o->mode : 0600;
	struct shmr_region_info info;
	struct shmr *r;
	uint64_t size;
	int ret;

	if (parse_size(argv[1], &size))
		return usage_error("invalid size \"%s\": bytes, or a number with K, M or G",
				   argv[1]);
	if (size == 0)
		return usage_error("invalid size \"%s\": at least one byte", argv[1]);
	if (o->given & OPT_EXCL)
		flags |= SHMR_EXCL;
	if (o->given & OPT_LAZY)
		flags |= SHMR_LAZY;
	if (o->given & OPT_TRANSIENT)
		flags |= SHMR_TRANSIENT;
	if (o->given & OPT_HUGE)
		flags |= SHMR_HUGE;
	ret = shmr_create(&r, argv[0], size, mode, flags);
	if (ret == -EINVAL) {
		/* name, size and mode were checked: the region is too small */
		fprintf(stderr, "shmregion: create \"%s\": Region exists and is smaller than %s\n",
			argv[0], argv[1]);
		return EXIT_FAIL;
	}
	if (ret)
		return fail("create", argv[0], ret);
	ret = shmr_info(r, &info);
	if (ret) {
		shmr_close(r);
		return fail("info", argv[0], ret);
	}
	printf("%s \"%s\": %" PRIu64 " bytes, mode %04o\n",
	       info.flags & SHMR_CREATED ? "created" : "exists", info.name,
	       info.size, info.mode);
	shmr_close(r);
	return EXIT_OK;
}

/* "lazy transient huge", or "-" for none: the flags a region was made with */
static const char *flags_text(unsigned int flags, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", flags & SHMR_LAZY ? " lazy" : "",
		 flags & SHMR_TRANSIENT ? " transient" : "",
		 flags & SHMR_HUGE ? " huge" : "");
	return buf[0] ? buf + 1 : "-";
}

static int cmd_resize(char **argv, const struct opts *o)
{
	uint64_t size;
	struct shmr *r;
	int ret;

	(void)o;
	if (parse_size(argv[1], &size))
		return usage_error("invalid size \"%s\": bytes, or a number with K, M or G",
				   argv[1]);
	if (size == 0)
		return usage_error("invalid size \"%s\": at least one byte", argv[1]);
	ret = shmr_attach(&r, argv[0], 0);
	if (ret)
		return fail("attach", argv[0], ret);
	ret = shmr_resize(r, size);
	if (!ret)
		printf("resized \"%s\": %zu bytes\n", argv[0], shmr_size(r));
	shmr_close(r);
	return ret ? fail("resize", argv[0], ret) : EXIT_OK;
}

static int cmd_info(char **argv, const struct opts *o)
{
	struct shmr_region_info info;
	char ubuf[16], gbuf[16], fbuf[32];
	struct shmr *r;
	int ret;

	(void)o;
	ret = shmr_attach(&r, argv[0], SHMR_RDONLY);
	if (ret)
		return fail("attach", argv[0], ret);
	ret = shmr_info(r, &info);
	shmr_close(r);
	if (ret)
		return fail("info", argv[0], ret);
	/* "attached" does not count this command's own handle */
	printf("name:      %s\n"
	       "size:      %" PRIu64 "\n"
	       "owner:     %s (uid %" PRIu32 ")\n"
	       "group:     %s (gid %" PRIu32 ")\n"
	       "mode:      %04o\n"
	       "attached:  %" PRIu32 "\n"
	       "sequence:  %" PRIu64 "\n"
	       "flags:     %s\n",
	       info.name, info.size,
	       user_name(info.uid, ubuf, sizeof(ubuf)), info.uid,
	       group_name(info.gid, gbuf, sizeof(gbuf)), info.gid,
	       info.mode, info.handles ? info.handles - 1 : 0, info.seq,
	       flags_text(info.flags, fbuf, sizeof(fbuf)));
	return EXIT_OK;
}

static int cmd_rm(char **argv, const struct opts *o)
{
	int status = EXIT_OK, ret;

	(void)o;
	for (; *argv; argv++) {
		ret = shmr_unlink(*argv);
		if (ret)
			status = fail("rm", *argv, ret);
	}
	return status;
}

static int cmd_cat(char **argv, const struct opts *o)
{
	struct shmr *r;
	const char *p;
	size_t len;
	int ret;

	ret = shmr_attach(&r, argv[0], SHMR_RDONLY);
	if (ret)
		return fail("attach", argv[0], ret);
	p = shmr_addr(r);
	len = shmr_size(r);
	if (o->given & OPT_STRING)
		len = strnlen(p, len);
	ret = fwrite(p, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -errno;
	shmr_close(r);
	if (ret)
		return fail("cat: standard output", NULL, ret);
	return EXIT_OK;
}

static int cmd_write(char **argv, const struct opts *o)
{
	struct shmr *r;
	size_t got = 0, size;
	ssize_t n;
	char *p, extra;
	int ret;

	(void)o;
	ret = shmr_attach(&r, argv[0], 0);
	if (ret)
		return fail("attach", argv[0], ret);
	p = shmr_addr(r);
	size = shmr_size(r);
	while (got < size) {
		n = read(STDIN_FILENO, p + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = fail("write: standard input", NULL, -errno);
			goto out;
		}
		if (n == 0)
			break;
		got += n;
	}
	if (got == size) {
		do
			n = read(STDIN_FILENO, &extra, 1);
		while (n < 0 && errno == EINTR);
		if (n != 0) {
			fprintf(stderr, "shmregion: write \"%s\": input larger than the region (%zu bytes)\n",
				argv[0], size);
			ret = EXIT_FAIL;
			goto out;
		}
	}
	memset(p + got, 0, size - got);
	ret = shmr_notify(r, NULL);
	ret = ret ? fail("notify", argv[0], ret) : EXIT_OK;
out:
	shmr_close(r);
	return ret;
}

static int cmd_wait(char **argv, const struct opts *o)
{
	int64_t timeout = o->given & OPT_TIMEOUT ? o->timeout_ns : SHMR_FOREVER;
	struct shmr *r;
	uint64_t seq;
	int ret;

	ret = shmr_attach(&r, argv[0], SHMR_RDONLY);
	if (ret)
		return fail("attach", argv[0], ret);
	seq = o->given & OPT_SEQ ? o->seq : shmr_seq(r);
	do
		ret = shmr_wait(r, &seq, timeout);
	while (ret == -EINTR);
	shmr_close(r);
	if (ret)
		return fail("wait", argv[0], ret);
	printf("%" PRIu64 "\n", seq);
	return EXIT_OK;
}

static int cmd_notify(char **argv, const struct opts *o)
{
	struct shmr *r;
	uint64_t seq;
	int ret;

	(void)o;
	ret = shmr_attach(&r, argv[0], 0);
	if (ret)
		return fail("attach", argv[0], ret);
	ret = shmr_notify(r, &seq);
	shmr_close(r);
	if (ret)
		return fail("notify", argv[0], ret);
	printf("%" PRIu64 "\n", seq);
	return EXIT_OK;
}

static const struct command {
	const char *name;
	int (*run)(char **argv, const struct opts *o);
	int min_args, max_args;		/* max -1: any number */
	unsigned int options;		/* OPT_* it accepts */
	const char *args;		/* for messages */
} commands[] = {
	{ "list", cmd_list, 0, 0, 0, "" },
	{ "create", cmd_create, 2, 2,
	  OPT_MODE | OPT_EXCL | OPT_LAZY | OPT_TRANSIENT | OPT_HUGE,
	  " NAME SIZE" },
	{ "resize", cmd_resize, 2, 2, 0, " NAME SIZE" },
	{ "info", cmd_info, 1, 1, 0, " NAME" },
	{ "rm", cmd_rm, 1, -1, 0, " NAME..." },
	{ "cat", cmd_cat, 1, 1, OPT_STRING, " NAME" },
	{ "write", cmd_write, 1, 1, 0, " NAME" },
	{ "wait", cmd_wait, 1, 1, OPT_TIMEOUT | OPT_SEQ, " NAME" },
	{ "notify", cmd_notify, 1, 1, 0, " NAME" },
};

static const struct option long_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "mode", required_argument, NULL, 'm' },
	{ "excl", no_argument, NULL, 'x' },
	{ "lazy", no_argument, NULL, 'l' },
	{ "transient", no_argument, NULL, 't' },
	{ "huge", no_argument, NULL, 'H' },
	{ "timeout", required_argument, NULL, 'T' },
	{ "seq", required_argument, NULL, 'S' },
	{ "string", no_argument, NULL, 's' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	const struct command *cmd = NULL;
	struct opts o = { 0 };
	unsigned long long v;
	char *end;
	size_t i;
	int c, nargs;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hVm:xltHT:S:s", long_options,
				NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		case 'V':
			puts("shmregion " SHMR_VERSION);
			return EXIT_OK;
		case 'm':
			errno = 0;
			v = strtoull(optarg, &end, 8);
			if (errno || !isdigit((unsigned char)optarg[0]) ||
			    *end || v & ~0666ULL)
				return usage_error("invalid mode \"%s\": octal, a subset of 0666",
						   optarg);
			o.mode = v;
			o.given |= OPT_MODE;
			break;
		case 'x':
			o.given |= OPT_EXCL;
			break;
		case 'l':
			o.given |= OPT_LAZY;
			break;
		case 't':
			o.given |= OPT_TRANSIENT;
			break;
		case 'H':
			o.given |= OPT_HUGE;
			break;
		case 'T':
			if (parse_timeout(optarg, &o.timeout_ns))
				return usage_error("invalid timeout \"%s\": seconds, or milliseconds with \"ms\"",
						   optarg);
			o.given |= OPT_TIMEOUT;
			break;
		case 'S':
			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno || !isdigit((unsigned char)optarg[0]) || *end)
				return usage_error("invalid sequence \"%s\"", optarg);
			o.seq = v;
			o.given |= OPT_SEQ;
			break;
		case 's':
			o.given |= OPT_STRING;
			break;
		case ':':
			return usage_error("option \"%s\" needs an argument",
					   argv[optind - 1]);
		default:
			if (optopt) {
				char opt[3] = { '-', (char)optopt, '\0' };

				return usage_error("unknown option \"%s\"", opt);
			}
			return usage_error("unknown option \"%s\"",
					   argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("%sno command given", "");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[optind], commands[i].name))
			cmd = &commands[i];
	if (!cmd)
		return usage_error("unknown command \"%s\"", argv[optind]);
	nargs = argc - optind - 1;
	if (nargs < cmd->min_args ||
	    (cmd->max_args >= 0 && nargs > cmd->max_args)) {
		fprintf(stderr, "shmregion: usage: shmregion %s%s (see shmregion --help)\n",
			cmd->name, cmd->args);
		return EXIT_USAGE;
	}
	if (o.given & ~cmd->options)
		return usage_error("%s: option not accepted here", cmd->name);
	/* every argument is a region name, but create's SIZE */
	for (c = 0; c < nargs; c++)
		if (!(cmd->run == cmd_create && c == 1) &&
		    check_name(argv[optind + 1 + c]))
			return EXIT_USAGE;
	return cmd->run(argv + optind + 1, &o);
}
