// SPDX-License-Identifier: GPL-2.0
/*
 * pcpin - page-cache pin scenarios for pinledger's guest tests.
 *
 * Each subcommand maps FILE (MAP_SHARED, read-faulted so the pages start
 * clean), has the test pin holder (/dev/pinholder) pin some of its pages
 * with pin_user_pages_fast(), does one thing to the mapping, reports what
 * happened on stdout, releases the pins (never dirtying) and exits.
 *
 *   pcpin pageout FILE --pages N --pin K	pin pages 0..K-1, MADV_PAGEOUT
 *						all N; prints "present=<0|1 per
 *						page>" from /proc/self/pagemap
 *						and "lru=" (on an LRU list, from
 *						/proc/kpageflags);
 *						--go FILE: after pinning, wait
 *						until FILE exists (pins taken
 *						before pinledger loads)
 *   pcpin clean FILE --pattern HEX		pin page 0 for write, fsync (the
 *						write-back write-protects it),
 *						the holder writes HEX into it,
 *						release without dirtying
 *   pcpin hwpoison FILE --pages N		pin page 0, MADV_HWPOISON on it;
 *						prints "madvise=<errno>" and
 *						"present=..."
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "../pinholder/pinholder_uapi.h"

#define PAGE	4096UL

static long pages = 1, npin = 1;
static unsigned long long pattern;
static const char *go;

static void die(const char *what)
{
	fprintf(stderr, "pcpin: %s: %s\n", what, strerror(errno));
	exit(1);
}

/*
 * Stay on the CPU we started on.  A page read in by our faults waits in
 * this CPU's LRU-add batch, off the LRU, until the batch drains, and
 * MADV_PAGEOUT skips folios that are not on the LRU after draining only
 * the local CPU's batches (madvise_pageout(): lru_add_drain()).  Had we
 * migrated between the faults and the madvise, pages would stay mapped
 * for a reason that has nothing to do with pins.
 */
static void stay_on_this_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		die("sched_getcpu");
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

/* Map @path shared and read-fault every page (clean, PTEs read-only). */
static char *map_file(const char *path, int *fdp)
{
	volatile char sink;
	char *p;
	long i;
	int fd = open(path, O_RDWR);

	if (fd < 0)
		die(path);
	p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	for (i = 0; i < pages; i++)
		sink = p[i * PAGE];
	(void)sink;
	*fdp = fd;
	return p;
}

/* Pin @n pages at @p through the holder; returns the holder fd. */
static int pin(char *p, long n, unsigned int flags, struct pinholder_req *req)
{
	int hfd = open("/dev/pinholder", O_RDWR);

	if (hfd < 0)
		die("/dev/pinholder");
	memset(req, 0, sizeof(*req));
	req->addr = (unsigned long)p;
	req->nr_pages = n;
	req->api = PINHOLDER_API_FAST;
	req->flags = PINHOLDER_F_PIN | flags;
	if (ioctl(hfd, PINHOLDER_IOC_HOLD, req))
		die("PINHOLDER_IOC_HOLD");
	return hfd;
}

/* Release without dirtying (unpin_user_pages_dirty_lock(..., false)). */
static void release(int hfd, struct pinholder_req *req)
{
	req->flags = 0;
	if (ioctl(hfd, PINHOLDER_IOC_RELEASE, req))
		die("PINHOLDER_IOC_RELEASE");
	close(hfd);
}

/*
 * "present=" and one digit per page: bit 63 of its pagemap entry; then
 * "lru=": for each present page, whether /proc/kpageflags has it on an
 * LRU list (KPF_LRU), '-' for one not present or not readable - when a
 * page stays mapped, this tells a pin from a page MADV_PAGEOUT skipped
 * for being off the LRU.
 */
static void print_present(char *p)
{
	uint64_t e[64], f;
	long i, n = pages < 64 ? pages : 64;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	int kfd = open("/proc/kpageflags", O_RDONLY);

	if (fd < 0)
		die("/proc/self/pagemap");
	printf("present=");
	for (i = 0; i < pages; i++) {
		uint64_t v;
		off_t off = ((unsigned long)p / PAGE + i) * sizeof(v);

		if (pread(fd, &v, sizeof(v), off) != sizeof(v))
			die("pread pagemap");
		if (i < n)
			e[i] = v;
		putchar(v >> 63 ? '1' : '0');
	}
	printf("\nlru=");
	for (i = 0; i < n; i++) {
		uint64_t pfn = e[i] & ((1ULL << 55) - 1);
		char c = '-';

		if (kfd >= 0 && e[i] >> 63 && pfn &&
		    pread(kfd, &f, sizeof(f), pfn * sizeof(f)) == sizeof(f))
			c = f & (1ULL << 5) ? '1' : '0';	/* KPF_LRU */
		putchar(c);
	}
	putchar('\n');
	if (kfd >= 0)
		close(kfd);
	close(fd);
}

static int cmd_pageout(const char *path)
{
	struct pinholder_req req;
	int fd, hfd;
	char *p = map_file(path, &fd);

	hfd = npin ? pin(p, npin, 0, &req) : -1;
	printf("pinned=%ld\n", npin);
	while (go && access(go, F_OK))
		usleep(20000);
	if (madvise(p, pages * PAGE, MADV_PAGEOUT))
		die("madvise(MADV_PAGEOUT)");
	print_present(p);
	if (hfd >= 0)
		release(hfd, &req);
	return 0;
}

static int cmd_clean(const char *path)
{
	struct pinholder_req req;
	int fd, hfd;
	char *p = map_file(path, &fd);

	/* FOLL_WRITE faults the page writable and dirty. */
	hfd = pin(p, 1, PINHOLDER_F_WRITE, &req);
	if (fsync(fd))
		die("fsync");
	printf("fsynced\n");
	/* The "device" writes after writeback cleaned the page. */
	req.pattern = pattern;
	if (ioctl(hfd, PINHOLDER_IOC_WRITE, &req))
		die("PINHOLDER_IOC_WRITE");
	release(hfd, &req);
	printf("released\n");
	return 0;
}

static int cmd_hwpoison(const char *path)
{
	struct pinholder_req req;
	int fd, hfd, err;
	char *p = map_file(path, &fd);

	hfd = pin(p, 1, 0, &req);
	err = madvise(p, PAGE, MADV_HWPOISON) ? errno : 0;
	printf("madvise=%d\n", err);
	print_present(p);
	release(hfd, &req);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pages", 1, 0, 'n' }, { "pin", 1, 0, 'k' },
		{ "pattern", 1, 0, 'p' }, { "go", 1, 0, 'g' }, { 0 }
	};
	const char *cmd;
	int c;

	if (argc < 3) {
		fprintf(stderr, "usage: pcpin pageout|clean|hwpoison FILE [options]\n");
		return 2;
	}
	cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': pages = strtol(optarg, NULL, 0); break;
		case 'k': npin = strtol(optarg, NULL, 0); break;
		case 'p': pattern = strtoull(optarg, NULL, 16); break;
		case 'g': go = optarg; break;
		default: return 2;
		}
	}
	if (optind >= argc || npin < 0 || npin > pages) {
		fprintf(stderr, "pcpin: need FILE and 0 <= --pin <= --pages\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	stay_on_this_cpu();
	if (!strcmp(cmd, "pageout"))
		return cmd_pageout(argv[optind]);
	if (!strcmp(cmd, "clean"))
		return cmd_clean(argv[optind]);
	if (!strcmp(cmd, "hwpoison"))
		return cmd_hwpoison(argv[optind]);
	fprintf(stderr, "pcpin: unknown command %s\n", cmd);
	return 2;
}
