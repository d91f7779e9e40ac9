// SPDX-License-Identifier: GPL-2.0
/*
 * shmr_bench helpers: time, CPUs, processes, futexes, the raw shmregion
 * ioctls and order statistics. Every helper dies on an error: a
 * benchmark that goes on after a failed call measures nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/shmregion.h>

#include "bench.h"

void die(const char *what)
{
	fprintf(stderr, "shmr_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

void dief(const char *fmt, ...)
{
	va_list ap;

	fputs("shmr_bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000,
			       .tv_nsec = ns % 1000000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

void pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

int peer_cpu(void)
{
	return opt.cpus > 1 ? 1 : 0;
}

void *map_shared(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap shared");
	return p;
}

/* fork a child that dies with its parent */
pid_t fork_child(void)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	return pid;
}

void reap(pid_t pid, const char *what)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		dief("%s: the child process failed (status %#x)", what, status);
}

long futex_wait(uint32_t *word, uint32_t val)
{
	return syscall(SYS_futex, word, FUTEX_WAIT, val, NULL, NULL, 0);
}

long futex_wake(uint32_t *word, int n)
{
	return syscall(SYS_futex, word, FUTEX_WAKE, n, NULL, NULL, 0);
}

void futex_await(uint32_t *word, uint32_t val)
{
	uint32_t cur;

	while ((cur = __atomic_load_n(word, __ATOMIC_ACQUIRE)) != val)
		futex_wait(word, cur);
}

void futex_bump(uint32_t *word)
{
	__atomic_add_fetch(word, 1, __ATOMIC_RELEASE);
	futex_wake(word, 1);
}

/* --- the raw ioctls ------------------------------------------------------ */

int region_create(const char *name, size_t size, unsigned int flags)
{
	struct shmr_create c = { .size = size, .mode = 0600, .flags = flags };
	int fd = open(SHMR_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open " SHMR_DEVICE_PATH);
	snprintf(c.name, sizeof(c.name), "%s", name);
	if (ioctl(fd, SHMR_IOC_CREATE, &c))
		dief("SHMR_IOC_CREATE %s (%zu bytes): %s", name, size,
		     strerror(errno));
	return fd;
}

int region_attach(const char *name, unsigned int flags)
{
	struct shmr_attach a = { .flags = flags };
	int fd = open(SHMR_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open " SHMR_DEVICE_PATH);
	snprintf(a.name, sizeof(a.name), "%s", name);
	if (ioctl(fd, SHMR_IOC_ATTACH, &a))
		dief("SHMR_IOC_ATTACH %s: %s", name, strerror(errno));
	return fd;
}

void region_unlink_fd(int fd, const char *name)
{
	struct shmr_unlink u = { .flags = 0 };

	snprintf(u.name, sizeof(u.name), "%s", name);
	if (ioctl(fd, SHMR_IOC_UNLINK, &u))
		dief("SHMR_IOC_UNLINK %s: %s", name, strerror(errno));
}

void region_unlink(const char *name)
{
	int fd = open(SHMR_DEVICE_PATH, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open " SHMR_DEVICE_PATH);
	region_unlink_fd(fd, name);
	close(fd);
}

uint64_t region_notify(int fd)
{
	struct shmr_notify n = { .flags = 0 };

	if (ioctl(fd, SHMR_IOC_NOTIFY, &n))
		die("SHMR_IOC_NOTIFY");
	return n.seq;
}

uint64_t region_wait(int fd, uint64_t seq)
{
	struct shmr_wait w = { .seq = seq, .timeout_ns = SHMR_WAIT_FOREVER };

	if (ioctl(fd, SHMR_IOC_WAIT, &w))
		die("SHMR_IOC_WAIT");
	return w.seq;
}

/* a module parameter, where the guest's bench.sh could not set it */
void set_param(const char *name, unsigned long long val)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/shmregion/parameters/%s",
		 name);
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "%llu\n", val);
	fclose(f);
}

/* --- order statistics ---------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void sort_u64(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
}

/* the q-quantile of sorted samples (nearest rank) */
double quantile_u64(const uint64_t *sorted, size_t n, double q)
{
	size_t i;

	if (!n)
		return NO_VALUE;
	i = (size_t)(q * n);
	if (i >= n)
		i = n - 1;
	return sorted[i];
}

/* the median of @n values (sorts them); the mean of the middle two */
double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
