// SPDX-License-Identifier: GPL-2.0
/*
 * shmr_fuzz: drive /dev/shmregion with random system calls from several
 * processes and check that every answer is one the ABI documents.
 *
 *	shmr_fuzz [--seed N] [--calls N] [--procs N] [--faults] [--verbose]
 *
 * Each worker process keeps a few handles (open, O_RDONLY or O_RDWR,
 * maybe O_NONBLOCK) and mappings, and calls at random: the seven ioctls
 * with good, bad and random arguments (names, sizes, modes, flags,
 * padding, pointers; LIST with random lengths and arrays), unknown
 * ioctl numbers (the old magic 0xB8 among them), mmap/munmap/mprotect/
 * mremap of data and control pages, read, poll, dup, close and fork
 * (the child fuzzes for a while, then exits or is killed with SIGKILL).  Half of
 * the workers drop to uid "nobody" so that permission checks run too.
 * A SIGALRM every few milliseconds interrupts sleeping calls.
 *
 * A call may fail; that is not a finding.  A finding is:
 *  - an errno outside the documented set for that call (docs/abi.md),
 *  - a success the ABI forbids (MAP_PRIVATE, PROT_WRITE through a
 *    read-only handle, growing the control page),
 *  - data written through one mapping and not seen through another
 *    mapping of the same region, a new region that is not zero-filled,
 *  - a sequence number that goes backwards (NOTIFY, WAIT, read, the
 *    control page, NOTIFY done on the control page as libshmregion does
 *    it), an INFO that disagrees with the handle's binding,
 *  - a crash (SIGSEGV/SIGBUS) of a worker.
 * Each worker prints its last calls when it reports a finding.
 *
 * --faults: the workers (and their children) set /proc/self/make-it-fail,
 * so that the fault injection the caller armed with task-filter
 * (failslab, fail_page_alloc; `make check-faults`) fails their
 * allocations at random; ENOMEM and EFAULT (a page fault inside a user
 * copy that could not allocate) are then documented for every call, and
 * everything else is judged as without it.  The parent, which cleans up
 * and reads the counters, is never failed.
 *
 * --calls counts system calls over all processes (memory accesses are
 * free).  The seed is printed; one seed gives the same sequence of calls
 * per worker (with --procs 1 the whole run is the same).  Prints TAP:
 *	ok 1 fuzz seed=S calls=N
 *	ok 2 fuzz cleanup: every fuzz region unlinked, counters at 0
 */
#include <inttypes.h>
#include <stdarg.h>
#include <sys/time.h>

#include "shmr_util.h"

#define NR_HANDLES	8
#define NR_MAPS		12
#define NR_SHARED	6	/* names every worker races on */
#define NR_PRIVATE	3	/* names only one process uses */
#define HISTORY		24
#define NR_ERRNO	160
#define LIST_MAX	1024	/* entries of the cleanup's LIST */

enum op {
	OP_OPEN, OP_CLOSE, OP_DUP, OP_CREATE, OP_ATTACH, OP_UNLINK, OP_INFO,
	OP_NOTIFY, OP_WAIT, OP_BADIOCTL, OP_MMAP, OP_MUNMAP, OP_MPROTECT,
	OP_MREMAP, OP_READ, OP_POLL, OP_FORK, OP_TOUCH, OP_LIST, OP_RESIZE,
	NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"open", "close", "dup", "create", "attach", "unlink", "info",
	"notify", "wait", "bad-ioctl", "mmap", "munmap", "mprotect",
	"mremap", "read", "poll", "fork", "touch", "list", "resize",
};

/* What INFO and LIST may report as the flags a region was made with. */
#define SHMR_REGION_FLAGS	(SHMR_CREATE_LAZY | SHMR_CREATE_TRANSIENT | \
				 SHMR_CREATE_HUGE)

/* What the ABI lets each call fail with (EFAULT: bad pointers), 0-ended. */
static const int allowed[NR_OPS][12] = {
	[OP_OPEN]	= { EMFILE, ENFILE, ENOMEM },
	[OP_CLOSE]	= { 0 },
	[OP_DUP]	= { EMFILE },
	/*
	 * EDQUOT: the nobody workers' max_user_*; EINTR: SIGKILLed;
	 * EOPNOTSUPP: SHMR_CREATE_HUGE on a kernel without THP
	 */
	[OP_CREATE]	= { EINVAL, EBUSY, EBADF, EEXIST, EACCES, E2BIG,
			    ENOSPC, EDQUOT, ENOMEM, EINTR, EFAULT, EOPNOTSUPP },
	[OP_ATTACH]	= { EINVAL, EBUSY, EBADF, ENOENT, EACCES, EFAULT },
	[OP_UNLINK]	= { EINVAL, ENOENT, EPERM, EFAULT, EBADFD },
	[OP_INFO]	= { EBADFD, EFAULT },
	[OP_NOTIFY]	= { EBADFD, EINVAL, EACCES, EFAULT },
	[OP_WAIT]	= { EBADFD, EINVAL, ETIMEDOUT, EINTR, EIDRM, EFAULT },
	[OP_BADIOCTL]	= { ENOTTY },
	/* EOVERFLOW, ENOMEM: offsets and lengths mm rejects before us */
	[OP_MMAP]	= { EINVAL, EACCES, EBADFD, ENOMEM, EOVERFLOW },
	[OP_MUNMAP]	= { 0 },
	[OP_MPROTECT]	= { EACCES },
	[OP_MREMAP]	= { EFAULT, ENOMEM, EINVAL },
	[OP_READ]	= { EBADFD, EINVAL, EAGAIN, EIDRM, EINTR, EFAULT },
	[OP_POLL]	= { EINTR },
	[OP_FORK]	= { EAGAIN, ENOMEM },
	[OP_TOUCH]	= { 0 },
	[OP_LIST]	= { EINVAL, ENOMEM, EFAULT },
	/* EPERM: another worker's region */
	[OP_RESIZE]	= { EBADFD, EINVAL, EACCES, EPERM, E2BIG, ENOSPC,
			    EDQUOT, ENOMEM, EINTR, EFAULT },
};

static int faults;	/* --faults */

static int documented(enum op op, int err)
{
	int i;

	if (faults && (err == ENOMEM || err == EFAULT))
		return 1;

	for (i = 0; i < 12 && allowed[op][i]; i++)
		if (allowed[op][i] == err)
			return 1;
	return 0;
}

struct handle {
	int fd;			/* -1: free slot */
	int writable;		/* opened O_RDWR */
	int nonblock;
	int nobind;		/* inherited unbound across fork: leave alone */
	int bound;		/* bound by this process (as far as it knows) */
	int rdonly;		/* bound with SHMR_ATTACH_RDONLY */
	int region;		/* this process's id for the region, or -1 */
	int priv;		/* the region's name is this process's own */
	uint64_t size;
	uint64_t seq;		/* highest sequence number seen */
	char name[SHMR_NAME_MAX];
};

struct mapping {
	char *addr;		/* NULL: free slot */
	size_t len;
	uint64_t off;
	int prot;
	int ctrl;		/* the control page */
	int region;		/* id, or -1 when unknown */
	int rdonly;		/* from a read-only handle */
	int priv;
	int inherited;		/* from the parent: do not write */
	uint64_t resizes;	/* shared.resizes when it was made */
};

/* Shared by every process of the run. */
struct shared {
	uint64_t calls;
	uint64_t target;
	uint64_t failures;
	uint64_t forks;
	uint64_t kills;
	uint64_t count[NR_OPS][NR_ERRNO + 1];	/* [op][0] = successes */
	/*
	 * Successful RESIZEs by any process: one may have cut a region
	 * under a mapping (SIGBUS past the new end) or zeroed what another
	 * process wrote past it.
	 */
	uint64_t resizes;
};

static struct shared *sh;
static struct handle hs[NR_HANDLES];
static struct mapping ms[NR_MAPS];
static uint64_t rng;
static int next_region;
static int worker;
static int is_child;
static int verbose;
static long page;
static char *guard;		/* a PROT_NONE page: a pointer that faults */
static char history[HISTORY][160];
static unsigned int hist_pos;
static uint64_t fresh_regions;	/* bit per region id < 64: not yet written */
/* The region id behind each private name, -1 when not known. */
static int priv_region[NR_PRIVATE];

/* --- helpers ----------------------------------------------------------- */

static uint64_t resizes(void)
{
	return __atomic_load_n(&sh->resizes, __ATOMIC_SEQ_CST);
}

static uint64_t rnd(void)
{
	return xrand(&rng);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static int chance(int percent)
{
	return (int)below(100) < percent;
}

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(history[hist_pos++ % HISTORY], sizeof(history[0]), fmt, ap);
	va_end(ap);
	if (verbose)
		printf("# [%d] %s\n", getpid(), history[(hist_pos - 1) % HISTORY]);
}

static void dump_history(void)
{
	unsigned int i = hist_pos > HISTORY ? hist_pos - HISTORY : 0;

	for (; i < hist_pos; i++)
		printf("#   [%d] %s\n", getpid(), history[i % HISTORY]);
	fflush(stdout);
}

static void finding(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* the first few in full, then only a count (the console is slow) */
	if (__atomic_add_fetch(&sh->failures, 1, __ATOMIC_RELAXED) > 10)
		return;
	printf("# FINDING (worker %d%s, pid %d): %s\n", worker,
	       is_child ? " child" : "", getpid(), msg);
	printf("# last calls, oldest first:\n");
	dump_history();
}

static int budget_left(void)
{
	return __atomic_load_n(&sh->calls, __ATOMIC_RELAXED) < sh->target;
}

/*
 * Account one call of @op that returned @ret (-1 with errno) and check
 * the errno.  Returns @ret.
 */
static long account(enum op op, long ret, int err)
{
	uint64_t n = __atomic_add_fetch(&sh->calls, 1, __ATOMIC_RELAXED);
	int slot = ret < 0 ? (err > 0 && err < NR_ERRNO ? err : NR_ERRNO) : 0;

	__atomic_add_fetch(&sh->count[op][slot], 1, __ATOMIC_RELAXED);
	if (ret < 0 && !documented(op, err))
		finding("%s failed with %s (errno %d), not a documented error",
			op_names[op], strerror(err), err);
	if (n % 100000 == 0) {
		printf("# fuzz: %" PRIu64 " calls\n", n);
		fflush(stdout);
	}
	errno = err;
	return ret;
}

#define CALL(op, expr) ({ long __r = (long)(expr); account(op, __r, errno); })
/* mmap and mremap: any address is a success, MAP_FAILED is not */
#define CALLP(op, expr) ({						\
	void *__p = (expr);						\
	account(op, __p == MAP_FAILED ? -1 : 0, errno);			\
	__p; })

static struct handle *pick_handle(int want_open)
{
	int i, start = (int)below(NR_HANDLES);

	for (i = 0; i < NR_HANDLES; i++) {
		struct handle *h = &hs[(start + i) % NR_HANDLES];

		if ((h->fd >= 0) == want_open)
			return h;
	}
	return NULL;
}

static struct mapping *pick_map(int want_used)
{
	int i, start = (int)below(NR_MAPS);

	for (i = 0; i < NR_MAPS; i++) {
		struct mapping *m = &ms[(start + i) % NR_MAPS];

		if ((m->addr != NULL) == want_used)
			return m;
	}
	return NULL;
}

/*
 * A name: mostly from the pools, sometimes malformed.  *@priv is 1 + the
 * index of a private name (fzp-<pid>-<index>), else 0.
 */
static void random_name(char name[SHMR_NAME_MAX], int *priv)
{
	static const char *const bad[] = {
		"", "a/b", "/", "tab\there", "del\x7f", "high\x80x", "nl\n",
	};
	unsigned int i;

	memset(name, 0, SHMR_NAME_MAX);
	*priv = 0;
	switch (below(20)) {
	case 0:
		snprintf(name, SHMR_NAME_MAX, "%s",
			 bad[below(sizeof(bad) / sizeof(bad[0]))]);
		break;
	case 1:		/* no NUL in the 64 bytes */
		memset(name, 'x', SHMR_NAME_MAX);
		break;
	case 2:		/* the longest valid name, 63 bytes */
		memset(name, 'L', SHMR_NAME_MAX - 1);
		break;
	case 3:		/* random printable bytes, maybe with '/' */
		for (i = 0; i < 1 + below(SHMR_NAME_MAX - 1); i++)
			name[i] = (char)(0x20 + below(0x5f));
		break;
	case 4:		/* junk after the NUL is ignored */
		snprintf(name, SHMR_NAME_MAX, "fz-%d", (int)below(NR_SHARED));
		for (i = 10; i < SHMR_NAME_MAX; i++)
			name[i] = (char)rnd();
		break;
	case 5 ... 11:
		snprintf(name, SHMR_NAME_MAX, "fz-%d", (int)below(NR_SHARED));
		break;
	default:
		i = (unsigned int)below(NR_PRIVATE);
		snprintf(name, SHMR_NAME_MAX, "fzp-%d-%u", getpid(), i);
		*priv = (int)i + 1;
		break;
	}
}

static uint64_t random_size(void)
{
	switch (below(24)) {
	case 0: return 0;
	case 1: return 1 + below(page - 1);
	case 2: return ~0ULL - below(page);
	case 3: return 1ULL << (32 + below(31));
	case 4: return (256ULL << 20) + 1 + below(page);	/* over the limit */
	case 5: return (1 + below(16)) << 20;
	case 6: return rnd();
	default: return (1 + below(16)) * page - below(2);
	}
}

static uint32_t random_mode(void)
{
	static const uint32_t modes[] = { 0600, 0666, 0644, 0640, 0400, 0444,
					  0660, 0606, 0 };

	if (chance(8))
		return (uint32_t)rnd() & (chance(50) ? 07777 : ~0U);
	return modes[below(sizeof(modes) / sizeof(modes[0]))];
}

static uint32_t random_flags(uint32_t valid)
{
	if (chance(8))
		return (uint32_t)rnd() & (chance(50) ? 0xff : ~0U);
	return (uint32_t)rnd() & valid;
}

/*
 * A pointer for an ioctl or read argument: usually @good, sometimes one
 * that faults (bad_ptr() says so), sometimes one that runs from the
 * scratch page into the guard page: a short copy may still succeed.
 */
static void *random_ptr(void *good, size_t len)
{
	switch (below(40)) {
	case 0: return NULL;
	case 1: return guard;
	case 2: return guard - len / 2;
	case 3: return (void *)(uintptr_t)(sizeof(long) == 8 ?
					  0xffff888000000000ULL : 0xfffff000UL);
	case 4: return (void *)(uintptr_t)1;
	default: return good;
	}
}

static int bad_ptr(const void *p)
{
	return p == NULL || p == guard || p == (void *)(uintptr_t)1 ||
	       (uintptr_t)p >= (sizeof(long) == 8 ?
				0xffff888000000000ULL : 0xfffff000UL);
}

/* --- the calls ----------------------------------------------------------- */

static void do_open(void)
{
	struct handle *h = pick_handle(0);
	int flags = chance(75) ? O_RDWR : O_RDONLY;
	int nonblock = chance(40);
	int fd;

	if (!h)
		return;
	fd = CALL(OP_OPEN, dev_open(flags | (nonblock ? O_NONBLOCK : 0)));
	note("open(%s%s) = %d", flags == O_RDWR ? "rw" : "ro",
	     nonblock ? ",nonblock" : "", fd);
	if (fd < 0)
		return;
	memset(h, 0, sizeof(*h));
	h->fd = fd;
	h->writable = flags == O_RDWR;
	h->nonblock = nonblock;
	h->region = -1;
}

static void forget_handle(struct handle *h)
{
	h->fd = -1;
}

static void do_close(void)
{
	struct handle *h = pick_handle(1);
	long r;

	if (!h)
		return;
	r = CALL(OP_CLOSE, close(h->fd));
	note("close(%d) = %ld", h->fd, r);
	forget_handle(h);
}

static void do_dup(void)
{
	struct handle *h = pick_handle(1), *n = pick_handle(0);
	int fd;

	if (!h || !n)
		return;
	fd = CALL(OP_DUP, fcntl(h->fd, F_DUPFD_CLOEXEC, 0));
	note("dup(%d) = %d", h->fd, fd);
	if (fd < 0)
		return;
	*n = *h;
	n->fd = fd;
}

/*
 * The handle is bound: give it a region id.  Handles bound to one of this
 * process's private names share the id while the name names the same
 * region (nobody else uses it; an UNLINK or a new CREATE ends that).
 */
static void bound(struct handle *h, const char *name, uint64_t size,
		  int rdonly, int priv, int created)
{
	h->bound = 1;
	h->rdonly = rdonly;
	h->size = size;
	h->priv = priv;
	if (priv && !created && priv_region[priv - 1] >= 0) {
		h->region = priv_region[priv - 1];
	} else {
		h->region = next_region++;
		if (priv)
			priv_region[priv - 1] = h->region;
	}
	snprintf(h->name, sizeof(h->name), "%s", name);
}

static void do_create(void)
{
	struct handle *h = pick_handle(1);
	struct shmr_create c;
	int priv, bad = chance(10);
	uint64_t want;
	void *arg;
	long r;

	if (!h || h->nobind)
		return;
	memset(&c, 0, sizeof(c));
	random_name(c.name, &priv);
	c.size = want = random_size();
	c.mode = random_mode();
	c.flags = random_flags(SHMR_CREATE_FLAGS);
	if (is_child)	/* children leave nothing behind */
		c.flags |= SHMR_CREATE_TRANSIENT;
	if (bad) {
		switch (below(3)) {
		case 0: c.pad = (uint32_t)rnd() | 1; break;
		case 1: c.reserved[below(2)] = rnd() | 1; break;
		case 2: c.result = (uint32_t)rnd(); break;	/* output only */
		}
	}
	arg = random_ptr(&c, sizeof(c));
	r = CALL(OP_CREATE, ioctl(h->fd, SHMR_IOC_CREATE, arg));
	note("CREATE(fd %d, \"%.20s\", size %#" PRIx64 ", mode %#o, flags %#x)"
	     " = %ld %s", h->fd, c.name, want, c.mode, c.flags, r,
	     r ? strerror(errno) : "");
	if (r < 0)
		return;
	if (bad_ptr(arg))
		finding("CREATE succeeded with a bad pointer %p", arg);
	if (arg != &c)
		return;	/* it read a copy of the scratch page: forget it */
	/*
	 * An existing region was at least @want when CREATE attached to it,
	 * but another process may RESIZE it before the size is written back
	 */
	if (c.size % page ||
	    (c.size < want && c.result & SHMR_RESULT_CREATED))
		finding("CREATE size %#" PRIx64 " for %#" PRIx64, c.size, want);
	if (c.result & ~SHMR_RESULT_CREATED)
		finding("CREATE result %#x has unknown bits", c.result);
	if ((c.result & SHMR_RESULT_CREATED) &&
	    c.size != ((want + page - 1) & ~(uint64_t)(page - 1)))
		finding("new region of %#" PRIx64 " for %#" PRIx64,
			c.size, want);
	if (c.pad || c.reserved[0] || c.reserved[1])
		finding("CREATE accepted non-zero pad or reserved");
	if (c.mode & ~SHMR_MODE_MASK || c.flags & ~SHMR_CREATE_FLAGS)
		finding("CREATE accepted mode %#o flags %#x", c.mode, c.flags);
	if (h->bound)
		finding("CREATE bound a handle that was bound");
	bound(h, c.name, c.size, 0, priv, c.result & SHMR_RESULT_CREATED);
	if (priv && (c.result & SHMR_RESULT_CREATED) && h->region < 64)
		fresh_regions |= 1ULL << h->region;
}

static void do_attach(void)
{
	struct handle *h = pick_handle(1);
	struct shmr_attach a;
	int priv;
	void *arg;
	long r;

	if (!h || h->nobind)
		return;
	memset(&a, 0, sizeof(a));
	random_name(a.name, &priv);
	a.flags = random_flags(SHMR_ATTACH_FLAGS);
	if (chance(8))
		a.pad = (uint32_t)rnd() | 1;
	else if (chance(5))
		a.reserved[below(2)] = rnd() | 1;
	arg = random_ptr(&a, sizeof(a));
	r = CALL(OP_ATTACH, ioctl(h->fd, SHMR_IOC_ATTACH, arg));
	note("ATTACH(fd %d, \"%.20s\", flags %#x) = %ld %s", h->fd, a.name,
	     a.flags, r, r ? strerror(errno) : "");
	if (r < 0)
		return;
	if (bad_ptr(arg))
		finding("ATTACH succeeded with a bad pointer");
	if (arg != &a)
		return;
	if (a.flags & ~SHMR_ATTACH_FLAGS || a.pad || a.reserved[0] ||
	    a.reserved[1])
		finding("ATTACH accepted flags %#x or non-zero pad/reserved",
			a.flags);
	if (!a.size || a.size % page)
		finding("ATTACH size %#" PRIx64, a.size);
	if (!h->writable && !(a.flags & SHMR_ATTACH_RDONLY))
		finding("read-write ATTACH on a read-only open succeeded");
	bound(h, a.name, a.size, a.flags & SHMR_ATTACH_RDONLY, priv, 0);
}

/* UNLINK of the handle's own region (SHMR_UNLINK_BOUND), no name */
static void do_unlink_bound(struct handle *h, struct shmr_unlink *u)
{
	int named = chance(10), i;
	long r;

	u->flags = SHMR_UNLINK_BOUND;
	if (named)
		u->name[0] = 'x';	/* a name with it: EINVAL */
	r = CALL(OP_UNLINK, ioctl(h->fd, SHMR_IOC_UNLINK, u));
	note("UNLINK BOUND(fd %d) = %ld %s", h->fd, r, r ? strerror(errno) : "");
	if (r)
		return;
	if (named)
		finding("UNLINK BOUND accepted a name");
	if (h->bound) {
		if (h->priv && priv_region[h->priv - 1] == h->region)
			priv_region[h->priv - 1] = -1;
		return;
	}
	/*
	 * Bound though the model did not see it (through another fd of the
	 * same file, a dup, say): which private name went is not known, so
	 * forget them all.
	 */
	for (i = 0; i < NR_PRIVATE; i++)
		priv_region[i] = -1;
}

static void do_unlink(void)
{
	struct handle *h = pick_handle(1);
	struct shmr_unlink u;
	int priv;
	long r;

	if (!h)
		return;
	memset(&u, 0, sizeof(u));
	if (chance(15)) {
		do_unlink_bound(h, &u);
		return;
	}
	random_name(u.name, &priv);
	if (chance(5))
		u.flags = (uint32_t)rnd() | 2;
	else if (chance(5))
		u.reserved[below(2)] = rnd() | 1;
	r = CALL(OP_UNLINK, ioctl(h->fd, SHMR_IOC_UNLINK,
				  random_ptr(&u, sizeof(u))));
	note("UNLINK(\"%.20s\") = %ld %s", u.name, r, r ? strerror(errno) : "");
	if (!r && (u.flags || u.pad || u.reserved[0] || u.reserved[1]))
		finding("UNLINK accepted non-zero flags/pad/reserved");
	if (!r && priv)
		priv_region[priv - 1] = -1;
}

static void do_info(void)
{
	struct handle *h = pick_handle(1);
	struct shmr_info in;
	void *arg;
	long r;

	if (!h)
		return;
	memset(&in, 0xa5, sizeof(in));
	arg = random_ptr(&in, sizeof(in));
	r = CALL(OP_INFO, ioctl(h->fd, SHMR_IOC_INFO, arg));
	note("INFO(fd %d) = %ld %s", h->fd, r, r ? strerror(errno) : "");
	if (r == 0 && bad_ptr(arg))
		finding("INFO succeeded with a bad pointer %p", arg);
	if (r < 0 || arg != &in)
		return;
	if (memchr(in.name, 0, sizeof(in.name)) == NULL)
		finding("INFO name is not NUL-terminated");
	if (in.reserved)
		finding("INFO reserved not zero (uninitialised copy-out?)");
	if (!in.ipc_ns)
		finding("INFO ipc_ns is 0");
	if (in.mode & ~SHMR_MODE_MASK)
		finding("INFO mode %#o", in.mode);
	if (in.flags & ~(SHMR_REGION_FLAGS | SHMR_INFO_UNLINKED |
			 SHMR_INFO_RDONLY))
		finding("INFO flags %#x", in.flags);
	if (!in.handles)
		finding("INFO on a bound handle says 0 handles");
	if (!h->bound)
		return;	/* bound by a fork child, say: nothing to compare */
	if (strncmp(in.name, h->name, SHMR_NAME_MAX))
		finding("INFO says \"%.20s\", bound to \"%.20s\"", in.name,
			h->name);
	/* another process may have resized it */
	h->size = in.size;
	if (!!(in.flags & SHMR_INFO_RDONLY) != h->rdonly)
		finding("INFO RDONLY flag %#x, handle rdonly %d", in.flags,
			h->rdonly);
	if (in.seq < h->seq)
		finding("INFO seq %" PRIu64 " went back from %" PRIu64,
			in.seq, h->seq);
	h->seq = in.seq;
}

/* LIST with random lengths, arrays and argument words. */
static void do_list(void)
{
	static struct shmr_info v[64];
	struct handle *h = pick_handle(1);
	struct shmr_list l;
	uint32_t want, i;
	void *arg, *entries;
	long r;

	if (!h)
		return;
	memset(&l, 0, sizeof(l));
	switch (below(8)) {
	case 0: want = 0; break;
	case 1: want = (uint32_t)rnd(); break;	/* longer than the array */
	default: want = (uint32_t)below(64 + 1); break;
	}
	entries = want <= 64 ? random_ptr(v, want * sizeof(v[0])) :
			       random_ptr(guard - page, page);
	l.entries = (uintptr_t)entries;
	l.nr = want;
	if (chance(4))
		l.flags = (uint32_t)rnd() | 1;
	else if (chance(4))
		l.pad = (uint32_t)rnd() | 1;
	else if (chance(4))
		l.reserved[below(2)] = rnd() | 1;
	arg = random_ptr(&l, sizeof(l));
	memset(v, 0xa5, sizeof(v));
	r = CALL(OP_LIST, ioctl(h->fd, SHMR_IOC_LIST, arg));
	note("LIST(fd %d, nr %u, entries %p) = %ld %s nr %u total %u", h->fd,
	     want, entries, r, r ? strerror(errno) : "", l.nr, l.total);
	if (r < 0)
		return;
	if (bad_ptr(arg))
		finding("LIST succeeded with a bad pointer %p", arg);
	if (arg != &l)
		return;
	if (l.flags || l.pad || l.reserved[0] || l.reserved[1])
		finding("LIST accepted non-zero flags/pad/reserved");
	if (l.nr != (want < l.total ? want : l.total))
		finding("LIST wrote %u of %u entries asked for, total %u",
			l.nr, want, l.total);
	if (l.nr && bad_ptr(entries))
		finding("LIST wrote %u entries to %p", l.nr, entries);
	if (entries != v)
		return;
	for (i = 0; i < l.nr; i++) {
		if (!memchr(v[i].name, 0, SHMR_NAME_MAX) || !v[i].name[0])
			finding("LIST entry %u: bad name", i);
		if (v[i].mode & ~SHMR_MODE_MASK || !v[i].size ||
		    v[i].size % page || v[i].reserved || !v[i].ipc_ns)
			finding("LIST entry \"%.20s\": mode %#o size %#" PRIx64,
				v[i].name, v[i].mode, v[i].size);
		if (v[i].flags & ~SHMR_REGION_FLAGS)
			finding("LIST entry \"%.20s\": flags %#x", v[i].name,
				v[i].flags);
	}
	/* past the entries written: untouched */
	for (i = l.nr; i < want && i < 64; i++)
		if (v[i].size != 0xa5a5a5a5a5a5a5a5ULL) {
			finding("LIST wrote past its %u entries", l.nr);
			break;
		}
}

/* A writable control page mapping of region @region, or NULL. */
static struct mapping *ctrl_map_of(int region)
{
	int i;

	for (i = 0; i < NR_MAPS; i++)
		if (ms[i].addr && ms[i].ctrl && ms[i].region == region &&
		    ms[i].prot & PROT_WRITE && !ms[i].inherited)
			return &ms[i];
	return NULL;
}

/*
 * NOTIFY as libshmregion does it without a system call (the eventcount,
 * struct shmr_ctrl): bump seq on the control page, then NOTIFY with
 * SHMR_NOTIFY_WAKE only if the page says someone waits.
 */
static void do_fast_notify(struct handle *h, struct mapping *m)
{
	struct shmr_ctrl *c = (struct shmr_ctrl *)m->addr;
	struct shmr_notify n;
	uint64_t now;
	long r;

	now = __atomic_add_fetch(&c->seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&c->waiters, __ATOMIC_SEQ_CST)) {
		memset(&n, 0, sizeof(n));
		n.flags = SHMR_NOTIFY_WAKE;
		r = CALL(OP_NOTIFY, ioctl(h->fd, SHMR_IOC_NOTIFY, &n));
		if (r < 0)
			finding("NOTIFY WAKE through a read-write handle: %s",
				strerror(errno));
		else if (n.seq < now)
			finding("NOTIFY WAKE returned seq %" PRIu64
				" after the page's %" PRIu64, n.seq, now);
	}
	note("fast NOTIFY(fd %d) seq %" PRIu64, h->fd, now);
	if (now <= h->seq)
		finding("the control page's seq %" PRIu64 " after %" PRIu64,
			now, h->seq);
	h->seq = now;
}

static void do_notify(void)
{
	struct handle *h = pick_handle(1);
	struct shmr_notify n;
	uint32_t flags, pad;
	struct mapping *m;
	void *arg;
	long r;

	if (!h)
		return;
	if (h->bound && !h->rdonly && chance(30)) {
		m = ctrl_map_of(h->region);
		if (m) {
			do_fast_notify(h, m);
			return;
		}
	}
	memset(&n, 0, sizeof(n));
	if (chance(5))
		n.flags = (uint32_t)rnd() | 2;	/* an unknown bit */
	else if (chance(5))
		n.pad = (uint32_t)rnd() | 1;
	else if (chance(10))
		n.flags = SHMR_NOTIFY_WAKE;
	/* what was asked: a successful NOTIFY writes the whole struct back */
	flags = n.flags;
	pad = n.pad;
	arg = random_ptr(&n, sizeof(n));
	r = CALL(OP_NOTIFY, ioctl(h->fd, SHMR_IOC_NOTIFY, arg));
	note("NOTIFY(fd %d) = %ld %s seq %" PRIu64, h->fd, r,
	     r ? strerror(errno) : "", n.seq);
	if (r < 0)
		return;
	if (bad_ptr(arg) ||
	    (arg == &n && (flags & ~SHMR_NOTIFY_FLAGS || pad)))
		finding("NOTIFY accepted a bad argument");
	if (arg != &n)
		return;
	if (h->bound && h->rdonly)
		finding("NOTIFY through a read-only handle succeeded");
	if (h->bound && flags & SHMR_NOTIFY_WAKE) {
		/* wakes only: the number may not have moved */
		if (n.seq < h->seq)
			finding("NOTIFY WAKE returned seq %" PRIu64
				" after %" PRIu64, n.seq, h->seq);
	} else if (h->bound && n.seq <= h->seq)
		finding("NOTIFY returned seq %" PRIu64 " after %" PRIu64,
			n.seq, h->seq);
	h->seq = n.seq;
}

/*
 * RESIZE to a random size around the handle's; a success must never have
 * shrunk the region under one of this process's own mappings of it.
 */
static void do_resize(void)
{
	struct handle *h = pick_handle(1);
	struct shmr_resize rs;
	uint64_t want, end, since;
	int i, bad = 0;
	void *arg;
	long r;

	if (!h)
		return;
	memset(&rs, 0, sizeof(rs));
	switch (below(8)) {
	case 0:
		rs.size = rnd();		/* mostly E2BIG */
		break;
	case 1:
		rs.size = 1 + below(2 * page);	/* unaligned, small */
		break;
	default:
		rs.size = page * (1 + below(2 * (h->size / page + 1)));
		break;
	}
	if (chance(3)) {
		rs.flags = (uint32_t)rnd() | 1;
		bad = 1;
	} else if (chance(3)) {
		rs.reserved[below(2)] = rnd() | 1;
		bad = 1;
	}
	want = (rs.size + page - 1) & ~((uint64_t)page - 1);
	arg = random_ptr(&rs, sizeof(rs));
	/*
	 * Any RESIZE may cut a mapping, whatever this process knows of its
	 * handle and its argument (one that fails with EFAULT writing back
	 * has resized): count it before it runs.
	 */
	__atomic_add_fetch(&sh->resizes, 1, __ATOMIC_SEQ_CST);
	r = CALL(OP_RESIZE, ioctl(h->fd, SHMR_IOC_RESIZE, arg));
	note("RESIZE(fd %d, %#" PRIx64 ") = %ld %s", h->fd, want, r,
	     r ? strerror(errno) : "");
	if (r < 0)
		return;
	since = resizes();
	if (bad_ptr(arg) || (arg == &rs && bad))
		finding("RESIZE accepted a bad argument");
	if (arg != &rs)
		return;
	if (h->bound && h->rdonly)
		finding("RESIZE through a read-only handle succeeded");
	if (rs.size != want)
		finding("RESIZE to %#" PRIx64 " reports %#" PRIx64, want,
			rs.size);
	if (h->region < 0)
		return;
	/*
	 * A shrink unmaps what lies past the new end from every mapping:
	 * a touch there is SIGBUS, unless a RESIZE of another process made
	 * the region larger again meanwhile.
	 */
	for (i = 0; i < NR_MAPS; i++) {
		struct mapping *m = &ms[i];
		uint64_t pos;
		char byte;

		if (!m->addr || m->ctrl || m->region != h->region ||
		    !(m->prot & PROT_READ))
			continue;
		end = m->off + m->len;
		if (end <= rs.size)
			continue;
		pos = rs.size > m->off ? rs.size - m->off : 0;
		if (!bus_copy(&byte, m->addr + pos, 1) && resizes() == since)
			finding("offset %#" PRIx64 " of region %d mapped past "
				"its end after RESIZE to %#" PRIx64,
				m->off + pos, m->region, rs.size);
	}
	for (i = 0; i < NR_HANDLES; i++)
		if (hs[i].fd >= 0 && hs[i].region == h->region)
			hs[i].size = rs.size;
}

static void do_wait(void)
{
	struct handle *h = pick_handle(1);
	struct shmr_wait w;
	uint64_t given;
	void *arg;
	long r;

	if (!h)
		return;
	memset(&w, 0, sizeof(w));
	w.seq = given = chance(80) ? h->seq : rnd();
	switch (below(6)) {
	case 0: w.timeout_ns = 0; break;
	case 1: w.timeout_ns = 20 * 1000 * 1000; break;	/* SIGALRM first */
	default: w.timeout_ns = (int64_t)below(2000000); break;
	}
	if (chance(4))
		w.flags = (uint32_t)rnd() | 1;
	else if (chance(4))
		w.pad = (uint32_t)rnd() | 1;
	arg = random_ptr(&w, sizeof(w));
	r = CALL(OP_WAIT, ioctl(h->fd, SHMR_IOC_WAIT, arg));
	note("WAIT(fd %d, seq %" PRIu64 ", %" PRId64 " ns) = %ld %s seq %"
	     PRIu64, h->fd, given, w.timeout_ns, r, r ? strerror(errno) : "",
	     w.seq);
	if (r == 0 && bad_ptr(arg))
		finding("WAIT succeeded with a bad pointer %p", arg);
	if (arg != &w)
		return;
	if (r == 0 && w.seq == given)
		finding("WAIT returned at once with the seq it was given");
	if (r == 0 || errno == ETIMEDOUT || errno == EINTR ||
	    errno == EIDRM) {
		if (h->bound && w.seq < h->seq)
			finding("WAIT seq %" PRIu64 " went back from %" PRIu64,
				w.seq, h->seq);
		if (h->bound && w.seq > h->seq)
			h->seq = w.seq;
	}
}

/* An ioctl number the device does not know: always ENOTTY. */
static void do_badioctl(void)
{
	static const unsigned long known[] = {
		SHMR_IOC_CREATE, SHMR_IOC_ATTACH, SHMR_IOC_UNLINK,
		SHMR_IOC_INFO, SHMR_IOC_NOTIFY, SHMR_IOC_WAIT, SHMR_IOC_LIST,
	};
	const unsigned int nr_known = sizeof(known) / sizeof(known[0]);
	struct handle *h = pick_handle(1);
	char buf[512];
	unsigned long cmd;
	unsigned int i, dir, type;
	long r;

	if (!h)
		return;
	memset(buf, 0, sizeof(buf));
again:
	switch (below(5)) {
	case 0:		/* a known number with another size or direction */
		cmd = known[below(nr_known)];
		cmd = _IOC(below(4), SHMR_IOC_MAGIC, _IOC_NR(cmd),
			   chance(50) ? _IOC_SIZE(cmd) + 8 * (1 + below(4)) :
					below(_IOC_SIZEMASK + 1));
		break;
	case 1:		/* our magic, another number */
		cmd = _IOC(below(4), SHMR_IOC_MAGIC, nr_known +
			   below(256 - nr_known), below(sizeof(buf)));
		break;
	case 2:		/* a known number with the magic before 0.2.0 */
		cmd = known[below(nr_known)];
		cmd = _IOC(_IOC_DIR(cmd), 0xB8, _IOC_NR(cmd), _IOC_SIZE(cmd));
		break;
	default:	/* another driver's: not a generic VFS ioctl */
		type = (unsigned int)below(256);
		dir = (unsigned int)below(4);
		if (type == 'f' || type == 'T' || type == 'X' || type == 0x94 ||
		    type == 0 || type == 0x12 || type == 'S' ||
		    type == SHMR_IOC_MAGIC || type == 0xB8)
			goto again;
		cmd = _IOC(dir, type, below(256), below(sizeof(buf)));
		break;
	}
	for (i = 0; i < nr_known; i++)
		if (cmd == known[i])
			goto again;
	r = CALL(OP_BADIOCTL, ioctl(h->fd, cmd, chance(80) ? buf : NULL));
	note("ioctl(fd %d, %#lx) = %ld %s", h->fd, cmd, r,
	     r ? strerror(errno) : "");
	if (r >= 0)
		finding("unknown ioctl %#lx succeeded", cmd);
}

/*
 * SIGBUS from a region mapping: only past a region's end, so only once
 * some RESIZE ran after the mapping was made.
 */
static void check_bus(struct mapping *m, size_t off, const char *what)
{
	if (resizes() == m->resizes)
		finding("%s: SIGBUS at offset %#zx of region %d, never resized",
			what, off, m->region);
}

/*
 * The word at @off reads @want, unless a RESIZE since @since may have
 * cut it (SIGBUS) or zeroed it.
 */
static void check_word(struct mapping *m, size_t off, uint64_t want,
		       uint64_t since, const char *what)
{
	uint64_t got;

	if (bus_copy(&got, m->addr + off, sizeof(got))) {
		check_bus(m, off, what);
		return;
	}
	if (got != want && resizes() == since)
		finding("%s: offset %#zx of region %d reads %#" PRIx64
			", want %#" PRIx64, what, off, m->region, got, want);
}

static void do_mmap(void)
{
	static const int prots[] = {
		PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE, PROT_NONE,
		PROT_READ | PROT_EXEC,
	};
	struct handle *h = pick_handle(1);
	struct mapping *m = pick_map(0);
	int prot = prots[below(5)], flags = MAP_SHARED, ctrl = 0;
	uint64_t off = 0, len, since;
	char *p;

	if (!h || !m)
		return;
	len = h->size && chance(90) ? h->size : (1 + below(8)) * page;
	switch (below(16)) {
	case 0: flags = MAP_PRIVATE; break;
	case 1: off = below(8) * page + (chance(50) ? 1 + below(page - 1) : 0);
		break;
	case 2: len = 1 + below(len + page); break;
	case 3: len += page * (1 + below(4)); break;
	case 4: off = rnd() & ~(uint64_t)(page - 1); break;
	case 5 ... 7:
		ctrl = 1;
		off = SHMR_CTRL_OFFSET;
		len = chance(85) ? (uint64_t)page : page * (1 + below(3));
		if (chance(70))
			prot = PROT_READ;
		break;
	case 8 ... 9:
		if (h->size > (uint64_t)page) {
			off = below(h->size / page) * page;
			len = page * (1 + below((h->size - off) / page));
		}
		break;
	default:
		break;
	}
	if (sizeof(long) == 4 && len > (256U << 20))
		len = page;
	since = resizes();
	p = (char *)CALLP(OP_MMAP, mmap(NULL, len, prot, flags, h->fd,
				       (off_t)off));
	note("mmap(fd %d, len %#" PRIx64 ", prot %d, %s, off %#" PRIx64
	     ") = %p %s", h->fd, len, prot,
	     flags == MAP_SHARED ? "shared" : "private", off, p,
	     p == MAP_FAILED ? strerror(errno) : "");
	if (p == MAP_FAILED)
		return;
	if (flags != MAP_SHARED)
		finding("a MAP_PRIVATE mapping succeeded");
	if (ctrl && len != (uint64_t)page)
		finding("the control page was mapped with length %#" PRIx64, len);
	if (h->bound && h->rdonly && prot & PROT_WRITE)
		finding("PROT_WRITE mapping through a read-only handle");
	if (!h->writable && prot & PROT_WRITE)
		finding("PROT_WRITE mapping of an O_RDONLY file");
	if (h->bound && !ctrl && (off % page || off + len > h->size)) {
		struct shmr_info in;

		/* grown by another process since we learnt its size? */
		memset(&in, 0, sizeof(in));
		if (!ioctl(h->fd, SHMR_IOC_INFO, &in))
			h->size = in.size;
		if (off % page || off + len > h->size)
			finding("mapping [%#" PRIx64 ", +%#" PRIx64 ") of a %#"
				PRIx64 " region", off, len, h->size);
	}
	m->addr = p;
	m->len = (len + page - 1) & ~(uint64_t)(page - 1);
	m->off = off;
	m->prot = prot;
	m->ctrl = ctrl;
	m->region = h->bound ? h->region : -1;
	m->resizes = since;
	m->rdonly = h->rdonly || !h->writable;
	m->priv = h->priv;
	m->inherited = 0;
	if (ctrl && prot & PROT_READ) {
		struct shmr_ctrl c;

		memcpy(&c, p, sizeof(c));
		if (c.flags & ~SHMR_CTRL_UNLINKED)
			finding("control page flags %#x", c.flags);
		if (h->bound && c.seq < h->seq)
			finding("control page seq %" PRIu64 " < %" PRIu64
				" seen", c.seq, h->seq);
	}
	/* a new region's pages are zero-filled */
	if (!ctrl && prot & PROT_READ && m->region >= 0 && m->region < 64 &&
	    fresh_regions & (1ULL << m->region) && len >= sizeof(uint64_t))
		check_word(m, (below(len / 8)) * 8, 0, m->resizes,
			   "new region");
}

static void drop_map(struct mapping *m)
{
	m->addr = NULL;
}

static void do_munmap(void)
{
	struct mapping *m = pick_map(1);
	size_t cut;
	long r;

	if (!m)
		return;
	if (m->len > (size_t)page && chance(30)) {	/* drop the tail */
		cut = (1 + below(m->len / page - 1)) * page;
		r = CALL(OP_MUNMAP, munmap(m->addr + cut, m->len - cut));
		note("munmap(%p tail %#zx) = %ld", m->addr, cut, r);
		if (!r)
			m->len = cut;
		return;
	}
	r = CALL(OP_MUNMAP, munmap(m->addr, m->len));
	note("munmap(%p, %#zx) = %ld", m->addr, m->len, r);
	drop_map(m);
}

static void do_mprotect(void)
{
	struct mapping *m = pick_map(1);
	int prot = (int)below(8);
	long r;

	if (!m)
		return;
	r = CALL(OP_MPROTECT, mprotect(m->addr, m->len, prot));
	note("mprotect(%p, %#zx, %d) = %ld %s", m->addr, m->len, prot, r,
	     r ? strerror(errno) : "");
	if (r < 0)
		return;
	if (prot & PROT_WRITE && m->rdonly)
		finding("mprotect made a read-only mapping writable");
	m->prot = prot;
}

static void do_mremap(void)
{
	struct mapping *m = pick_map(1);
	size_t len;
	int tries;
	char *p;

	if (!m)
		return;
	switch (below(3)) {
	case 0:
		/*
		 * grow in place or moving: never the control page; a data
		 * mapping may grow (SIGBUS past the region's end, as memfd:
		 * only the region's part of it is ever touched)
		 */
		len = m->len + page * (1 + below(4));
		p = (char *)CALLP(OP_MREMAP, mremap(m->addr, m->len, len,
						   chance(50) ? MREMAP_MAYMOVE : 0));
		note("mremap(%p, %#zx -> %#zx) = %p", m->addr, m->len, len, p);
		if (p != MAP_FAILED) {
			if (m->ctrl)
				finding("mremap grew the control page to %#zx",
					len);
			/*
			 * keep the old length: do_touch stays in the region.
			 * Unmapping the tail splits the VMA, which may fail
			 * with ENOMEM under --faults: the next try will not.
			 */
			for (tries = 0; munmap(p + m->len, len - m->len); tries++)
				if (errno != ENOMEM || tries == 100) {
					finding("munmap of the grown tail: %s",
						strerror(errno));
					break;
				}
			m->addr = p;
		}
		break;
	case 1:		/* shrink */
		if (m->len <= (size_t)page)
			return;
		len = m->len - page * (1 + below(m->len / page - 1));
		p = (char *)CALLP(OP_MREMAP, mremap(m->addr, m->len, len, 0));
		note("mremap(%p, %#zx -> %#zx) = %p", m->addr, m->len, len, p);
		if (p != MAP_FAILED)
			m->len = len;
		break;
	default:	/* move, same size */
		p = (char *)CALLP(OP_MREMAP, mremap(m->addr, m->len, m->len,
						   MREMAP_MAYMOVE));
		note("mremap(%p, %#zx move) = %p", m->addr, m->len, p);
		if (p != MAP_FAILED)
			m->addr = p;
		break;
	}
}

static void do_read(void)
{
	struct handle *h = pick_handle(1);
	uint64_t v[2] = { 0, 0 };
	size_t n = chance(85) ? 8 : (chance(50) ? below(8) : 16);
	void *buf = random_ptr(v, n);
	long r;

	if (!h || !h->nonblock)
		return;	/* a blocking read may wait for ever */
	r = CALL(OP_READ, read(h->fd, buf, n));
	note("read(fd %d, %zu) = %ld %s", h->fd, n, r,
	     r < 0 ? strerror(errno) : "");
	if (r < 0)
		return;
	if (r != 8 || n < 8 || bad_ptr(buf))
		finding("read of %zu bytes to %p returned %ld", n, buf, r);
	if (buf != v)
		return;
	if (h->bound && v[0] < h->seq)
		finding("read seq %" PRIu64 " went back from %" PRIu64,
			v[0], h->seq);
	if (h->bound)
		h->seq = v[0];
}

static void do_poll(void)
{
	struct handle *h = pick_handle(1);
	struct pollfd p;
	long r;

	if (!h)
		return;
	p.fd = h->fd;
	p.events = POLLIN | POLLRDNORM | (chance(20) ? POLLOUT : 0);
	p.revents = 0;
	r = CALL(OP_POLL, poll(&p, 1, chance(80) ? 0 : 1));
	note("poll(fd %d) = %ld revents %#x", h->fd, r, p.revents);
	if (r > 0 && h->bound && p.revents & POLLERR)
		finding("poll says POLLERR on a bound handle");
	if (r > 0 && p.revents & POLLNVAL)
		finding("poll says POLLNVAL on an open handle");
}

/* Write through one mapping, read through another of the same region. */
static void do_touch(void)
{
	struct mapping *a = pick_map(1), *b;
	uint64_t off, since, v = rnd();
	int i;

	if (!a || a->ctrl || a->inherited || !(a->prot & PROT_WRITE) ||
	    !a->priv || a->region < 0 || a->len < 8)
		return;
	off = below(a->len / 8) * 8;
	since = resizes();
	if (bus_copy(a->addr + off, &v, sizeof(v))) {
		check_bus(a, off, "write");
		return;
	}
	if (a->region < 64)
		fresh_regions &= ~(1ULL << a->region);
	check_word(a, off, v, since, "same mapping");
	for (i = 0; i < NR_MAPS; i++) {
		b = &ms[i];
		if (b == a || !b->addr || b->ctrl || b->region != a->region ||
		    !(b->prot & PROT_READ))
			continue;
		/* the same region offset, if b maps it */
		if (a->off + off < b->off || a->off + off + 8 > b->off + b->len)
			continue;
		check_word(b, a->off + off - b->off, v, since, "other mapping");
	}
	note("touch region %d off %#" PRIx64, a->region, a->off + off);
	/* a check, not a system call: counted apart from --calls */
	__atomic_add_fetch(&sh->count[OP_TOUCH][0], 1, __ATOMIC_RELAXED);
}

static void fuzz_loop(uint64_t ops);

static void do_fork(void)
{
	pid_t pid, parent = getpid();
	int st, i;

	if (is_child || below(100) >= 3)
		return;
	fflush(stdout);
	pid = CALL(OP_FORK, fork());
	note("fork() = %d", pid);
	if (pid < 0)
		return;
	if (pid == 0) {
		is_child = 1;
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(0);
		rng = seed_mix(rng ^ (uint64_t)getpid());
		/*
		 * The parent goes on using what we share: bind nothing it
		 * may bind too, write nothing it checks.
		 */
		for (i = 0; i < NR_HANDLES; i++) {
			if (hs[i].fd >= 0 && !hs[i].bound)
				hs[i].nobind = 1;
			hs[i].priv = 0;
		}
		for (i = 0; i < NR_MAPS; i++)
			ms[i].inherited = 1;
		fresh_regions = 0;
		for (i = 0; i < NR_PRIVATE; i++)
			priv_region[i] = -1;
		fuzz_loop(50 + below(400));
		fflush(stdout);
		_exit(0);
	}
	__atomic_add_fetch(&sh->forks, 1, __ATOMIC_RELAXED);
	if (chance(50)) {
		/* let both run, then kill the child wherever it is */
		fuzz_loop(below(20));
		kill(pid, SIGKILL);
		__atomic_add_fetch(&sh->kills, 1, __ATOMIC_RELAXED);
	}
	st = reap(pid);
	if (st > 128 && st != 128 + SIGKILL)
		finding("fork child died of signal %d", st - 128);
	else if (st && st != 128 + SIGKILL)
		finding("fork child exited with %d", st);
}

static void fuzz_loop(uint64_t ops)
{
	static void (*const fns[])(void) = {
		do_open, do_open, do_close, do_dup, do_create, do_create,
		do_create, do_attach, do_attach, do_unlink, do_info, do_notify,
		do_notify, do_wait, do_wait, do_badioctl, do_mmap, do_mmap,
		do_mmap, do_munmap, do_munmap, do_mprotect, do_mremap, do_read,
		do_read, do_poll, do_touch, do_touch, do_touch, do_fork,
		do_list, do_resize,
	};
	uint64_t i;

	for (i = 0; i < ops && budget_left(); i++)
		fns[below(sizeof(fns) / sizeof(fns[0]))]();
}

/* --- processes ------------------------------------------------------------- */

static void on_alarm(int sig)
{
	(void)sig;
}

static int run_worker(int idx, uint64_t seed)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 5000 }, { 0, 5000 } };
	int i, err;

	worker = idx;
	rng = seed_mix(seed + (uint64_t)idx);
	next_region = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;		/* no SA_RESTART: EINTR */
	/*
	 * shmr_util.h: under injection no stack growth, no rseq write, and
	 * the timer's signal frames on pages no fork shares
	 */
	if (faults) {
		grow_stack();
		err = own_signal_stack();
		if (err) {
			printf("# worker %d: sigaltstack: %s\n", idx,
			       strerror(-err));
			return 1;
		}
		sa.sa_flags = SA_ONSTACK;
	}
	sigaction(SIGALRM, &sa, NULL);
	catch_crashes(dump_history);	/* a crash is a finding */
	err = faults ? drop_rseq() : 0;
	if (err) {
		printf("# worker %d: cannot unregister rseq: %s\n", idx,
		       strerror(-err));
		return 1;
	}
	/* before dropping to nobody: make-it-fail needs CAP_SYS_RESOURCE */
	err = faults ? write_file("/proc/self/make-it-fail", "1") : 0;
	if (err) {
		printf("# worker %d: cannot set make-it-fail: %s\n", idx,
		       strerror(-err));
		return 1;
	}
	setitimer(ITIMER_REAL, &it, NULL);
	/* odd workers are "nobody": EACCES, EPERM and EDQUOT paths */
	if (idx % 2) {
		/* new credentials are allocations: injection may fail them */
		for (i = 0; (err = become(UID_NOBODY, GID_NOBODY)) &&
			    (err == -ENOMEM || err == -EAGAIN) && i < 1000; i++)
			;
		if (err) {
			printf("# worker %d: cannot become nobody: %s\n", idx,
			       strerror(-err));
			return 1;
		}
	}
	for (i = 0; i < NR_HANDLES; i++)
		hs[i].fd = -1;
	for (i = 0; i < NR_PRIVATE; i++)
		priv_region[i] = -1;
	fuzz_loop(UINT64_MAX);
	it.it_value.tv_usec = it.it_interval.tv_usec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	for (i = 0; i < NR_MAPS; i++)
		if (ms[i].addr && munmap(ms[i].addr, ms[i].len))
			finding("final munmap: %s", strerror(errno));
	for (i = 0; i < NR_HANDLES; i++)
		if (hs[i].fd >= 0)
			close(hs[i].fd);
	fflush(stdout);
	return 0;
}

/* Unlink every region a worker may have left: LIST names them. */
static int cleanup(void)
{
	static struct shmr_info v[LIST_MAX];
	uint32_t nr = LIST_MAX, total, i;
	char name[SHMR_NAME_MAX];
	int fd, ret, bad = 0;

	fd = dev_open(O_RDONLY);
	if (fd < 0 || ioc_list(fd, v, &nr, &total)) {
		printf("# LIST: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	if (total > nr)
		printf("# %u regions, %u listed\n", total, nr);
	for (i = 0; i < nr; i++) {
		memcpy(name, v[i].name, SHMR_NAME_MAX);
		name[SHMR_NAME_MAX - 1] = '\0';
		ret = unlink_name(name);
		if (ret && ret != -ENOENT) {
			printf("# cannot unlink \"%s\": %s\n", name,
			       strerror(-ret));
			bad = 1;
		}
	}
	return bad || total > nr;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--seed N] [--calls N] [--procs N] "
		"[--faults] [--verbose]\n", prog);
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t seed = 0, calls = 1000000;
	int procs = 4, i, st, bad_exit = 0, have_seed = 0;
	long regions, bytes;
	char *scratch;
	pid_t *pids;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 0);
			have_seed = 1;
		} else if (!strcmp(argv[i], "--calls") && i + 1 < argc) {
			calls = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--procs") && i + 1 < argc) {
			procs = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--faults")) {
			faults = 1;
		} else if (!strcmp(argv[i], "--verbose")) {
			verbose = 1;
		} else {
			usage(argv[0]);
		}
	}
	if (procs < 1 || procs > 64)
		usage(argv[0]);
	if (!have_seed) {
		struct timeval tv;

		gettimeofday(&tv, NULL);
		seed = (uint64_t)tv.tv_sec * 1000003 + tv.tv_usec + getpid();
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..2\n");
	printf("# shmr_fuzz: seed=%" PRIu64 " calls=%" PRIu64 " procs=%d"
	       " (%d-bit)%s\n", seed, calls, procs, (int)sizeof(long) * 8,
	       faults ? " under fault injection" : "");
	page = sysconf(_SC_PAGESIZE);
	if (tap_skip_without_device(2))
		return 0;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	/* a scratch page, then the guard page */
	scratch = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || scratch == MAP_FAILED ||
	    mprotect(scratch + page, page, PROT_NONE)) {
		printf("not ok 1 fuzz: mmap: %s\n", strerror(errno));
		return 1;
	}
	guard = scratch + page;
	sh->target = calls;
	prctl(PR_SET_CHILD_SUBREAPER, 1);	/* reap the workers' orphans */
	pids = calloc(procs, sizeof(*pids));
	for (i = 0; i < procs; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(run_worker(i, seed));
		if (pids[i] < 0) {
			printf("# fork: %s\n", strerror(errno));
			bad_exit = 1;
			break;
		}
	}
	for (i = 0; i < procs && pids[i] > 0; i++) {
		st = reap(pids[i]);
		if (st == CRASH_STATUS) {
			/* catch_crashes(): its FINDING line and history above */
			printf("# worker %d crashed (FINDING above)\n", i);
			sh->failures++;
		} else if (st) {
			printf("# worker %d: status %d (128 + signal)\n", i, st);
			bad_exit = 1;
		}
	}
	while (wait(&st) > 0 || errno == EINTR)	/* orphans, if any */
		;
	for (i = 0; i < NR_OPS; i++) {
		char line[512];
		int e, n;

		n = snprintf(line, sizeof(line), "# %-9s ok %-7" PRIu64,
			     op_names[i], sh->count[i][0]);
		for (e = 1; e <= NR_ERRNO; e++)
			if (sh->count[i][e] && n < (int)sizeof(line) - 40)
				n += snprintf(line + n, sizeof(line) - n,
					      " %s %" PRIu64,
					      e == NR_ERRNO ? "?" :
					      strerrorname_np(e),
					      sh->count[i][e]);
		printf("%s\n", line);
	}
	printf("# forks %" PRIu64 ", children killed %" PRIu64 "\n",
	       sh->forks, sh->kills);
	printf("%sok 1 fuzz seed=%" PRIu64 " calls=%" PRIu64 " procs=%d"
	       " findings=%" PRIu64 "\n",
	       sh->failures || bad_exit || sh->calls < calls ? "not " : "",
	       seed, sh->calls, procs, sh->failures);

	st = cleanup();
	regions = (long)nr_regions();
	bytes = (long)nr_bytes();
	printf("%sok 2 fuzz cleanup: fuzz regions unlinked, nr_regions=%ld "
	       "nr_bytes=%ld\n", st || regions || bytes ? "not " : "",
	       regions, bytes);
	return sh->failures || bad_exit || st || regions || bytes;
}
