// SPDX-License-Identifier: GPL-2.0
/*
 * plbench - measuring helpers for pinledger's benchmarks (make bench).
 *
 * Run inside a guest by scripts/bench-guest.sh; every subcommand prints
 * "key=value" words on one line per measurement.
 *
 *   plbench truncs DIR N [--pages P]
 *	Create N files of P (4) pages in DIR, written and mapped MAP_SHARED
 *	with every page faulted in, but not pinned; then time ftruncate(0)
 *	of all N (and only that).  Prints "truncs n=N ns=T".  Removes them.
 *
 *   plbench ledger --pages N [--small S] [--samples K] [--loops L]
 *	Fault in N anonymous pages (no THP: one folio each), then
 *	P6: with S pages pinned, then N, then S again, K/2, K and K/2
 *	samples of a pin+unpin loop (L rounds of 512 other pages,
 *	pin_user_pages_fast); prints "p6 live=S|N ns_per_page=X" each.
 *	P4: what pinning all N (with the test pin holder, 64 slots) added:
 *	prints "p4 pages=N memfree=B slab=B sunreclaim=B cache_slabs=N
 *	cache_order=O ledger_bytes=B", deltas of /proc/meminfo (MemFree
 *	plus the per-CPU free lists), of the pinledger_page slab cache, and
 *	the ledger's own ledger_bytes counter (-1 without the module).
 *
 *   plbench pin TARGET [--get] [--loops L] [--samples K] [--thp]
 *	P1: K samples of a pin+unpin loop (L rounds of one 512-page batch,
 *	pin_user_pages_fast, or get_user_pages_fast with --get) in the test
 *	pin holder, on TARGET: "anon" (one folio a page, or THP with --thp)
 *	or a file (mapped MAP_SHARED, extended to 512 pages and faulted in).
 *	Prints "pin ns_per_page=X" per sample.
 *
 *   plbench wake [--samples K]
 *	P5's yardstick: how long a task blocked in read() on a pipe takes
 *	to return after another task writes to it (the guest's own wake-up
 *	latency, no pinledger involved).  Prints "wake ns=X" per sample.
 *
 *   plbench hold FILE [--pages N]
 *	P5's pin holder: map FILE (MAP_SHARED, faulted in), pin N pages
 *	with the test pin holder, print "ready pid=P"; on SIGTERM unpin
 *	them, print "released", and stay idle until the next SIGTERM (so
 *	that no exit work competes with the truncate it unblocks).
 *
 *   plbench truncwait FILE
 *	ftruncate(FILE, 0), then write "plbench truncate returned" to the
 *	trace marker (for P5's timestamps).  Prints "truncate errno=E
 *	ns=T" (T: how long ftruncate() took).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include "../pinholder/pinholder_uapi.h"

#define PG		4096UL
#define BATCH		512
#define TRACEFS		"/sys/kernel/tracing"
#define PL_DEBUGFS	"/sys/kernel/debug/pinledger"
#define SLAB_DIR	"/sys/kernel/slab/pinledger_page"

static long opt_pages = 4, opt_small = 1024, opt_samples = 10, opt_loops = 50;
static int opt_get, opt_thp;

static void die(const char *what)
{
	fprintf(stderr, "plbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + t.tv_nsec;
}

/* One number from a "name value" or "name: value kB" file; -1 if absent. */
static long long read_key(const char *path, const char *key, long long mult)
{
	char line[256];
	size_t kl = strlen(key);
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, kl) && (line[kl] == ' ' || line[kl] == ':')) {
			v = strtoll(line + kl + 1 + strspn(line + kl + 1, " :\t"),
				    NULL, 10) * mult;
			break;
		}
	}
	fclose(f);
	return v;
}

/* First number in a one-value file; -1 if absent. */
static long long read_num(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static void write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, s, strlen(s)) < 0)
		fprintf(stderr, "plbench: write %s: %s\n", path, strerror(errno));
	close(fd);
}

static int cmd_truncs(const char *dir, long n)
{
	size_t len = opt_pages * PG;
	char path[4096], *buf = malloc(len);
	int *fds = calloc(n, sizeof(*fds));
	char **maps = calloc(n, sizeof(*maps));
	volatile char sink;
	uint64_t t0, t1;
	long i;
	size_t o;

	struct rlimit rl = { n + 64, n + 64 };

	if (!buf || !fds || !maps)
		die("malloc");
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit");
	memset(buf, 0x5a, len);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/plbench-trunc.%ld", dir, i);
		fds[i] = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fds[i] < 0)
			die(path);
		if (pwrite(fds[i], buf, len, 0) != (ssize_t)len)
			die("pwrite");
		maps[i] = mmap(NULL, len, PROT_READ, MAP_SHARED, fds[i], 0);
		if (maps[i] == MAP_FAILED)
			die("mmap");
		for (o = 0; o < len; o += PG)
			sink = maps[i][o];
	}
	(void)sink;
	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (ftruncate(fds[i], 0))
			die("ftruncate");
	t1 = now_ns();
	for (i = 0; i < n; i++) {
		munmap(maps[i], len);
		close(fds[i]);
		snprintf(path, sizeof(path), "%s/plbench-trunc.%ld", dir, i);
		unlink(path);
	}
	printf("truncs n=%ld ns=%llu\n", n, (unsigned long long)(t1 - t0));
	return 0;
}

struct mem_snap {
	long long memfree, slab, sunreclaim, cache_slabs, ledger_bytes;
};

/* Free pages parked on per-CPU lists (not in MemFree), in bytes. */
static long long pcp_bytes(void)
{
	char line[256];
	long long sum = 0;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *c = strstr(line, "count:");

		if (c && strspn(line, " ") == (size_t)(c - line))
			sum += strtoll(c + 6, NULL, 10);
	}
	fclose(f);
	return sum * PG;
}

static void mem_snap(struct mem_snap *s)
{
	/* Fold the per-CPU vmstat deltas first. */
	write_str("/proc/sys/vm/stat_refresh", "1");
	s->memfree = read_key("/proc/meminfo", "MemFree", 1024) + pcp_bytes();
	s->slab = read_key("/proc/meminfo", "Slab", 1024);
	s->sunreclaim = read_key("/proc/meminfo", "SUnreclaim", 1024);
	s->cache_slabs = read_num(SLAB_DIR "/slabs");
	s->ledger_bytes = read_key(PL_DEBUGFS "/counters", "ledger_bytes", 1);
}

/* Pin [p, p + n pages) into the holder's free slots from *slot on. */
static void hold(int fd, char *p, long n, int *slot)
{
	long left = PINHOLDER_SLOTS - *slot, per, done;
	struct pinholder_req req;

	/* As few slots as the holder's per-call limit allows. */
	per = n < PINHOLDER_MAX_PAGES / 64 ? n : PINHOLDER_MAX_PAGES / 64;
	if (left <= 0 || per * left < n)
		per = left > 0 ? (n + left - 1) / left : n;

	for (done = 0; done < n; done += req.nr_pages) {
		memset(&req, 0, sizeof(req));
		req.addr = (unsigned long)(p + done * PG);
		req.nr_pages = n - done < per ? n - done : per;
		req.api = PINHOLDER_API_FAST;
		req.flags = PINHOLDER_F_PIN | PINHOLDER_F_WRITE;
		if (ioctl(fd, PINHOLDER_IOC_HOLD, &req))
			die("PINHOLDER_IOC_HOLD");
		(*slot)++;
	}
}

static void release_from(int fd, int from, int to)
{
	struct pinholder_req req;
	int s;

	for (s = from; s < to; s++) {
		memset(&req, 0, sizeof(req));
		req.slot = s;
		if (ioctl(fd, PINHOLDER_IOC_RELEASE, &req))
			die("PINHOLDER_IOC_RELEASE");
	}
}

static void p6_samples(int fd, char *bench, long live, long samples)
{
	struct pinholder_req req;
	long i;

	for (i = 0; i < samples; i++) {
		memset(&req, 0, sizeof(req));
		req.addr = (unsigned long)bench;
		req.nr_pages = BATCH;
		req.api = PINHOLDER_API_FAST;
		req.flags = PINHOLDER_F_PIN | PINHOLDER_F_WRITE;
		req.loops = opt_loops;
		if (ioctl(fd, PINHOLDER_IOC_BENCH, &req))
			die("PINHOLDER_IOC_BENCH");
		printf("p6 live=%ld ns_per_page=%.1f\n", live,
		       (double)req.nsecs / (opt_loops * BATCH));
		fflush(stdout);
	}
}

static int cmd_ledger(void)
{
	long n = opt_pages, small = opt_small < n ? opt_small : n;
	size_t len = (n + BATCH) * PG;
	char *p, *bench;
	struct mem_snap a, b;
	int fd, slot = 0, small_slots;

	fd = open("/dev/pinholder", O_RDWR);
	if (fd < 0)
		die("/dev/pinholder");
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	/* One folio a page: the ledger keeps one entry per folio. */
	if (madvise(p, len, MADV_NOHUGEPAGE))
		die("madvise");
	memset(p, 0x5a, len);
	bench = p + n * PG;

	/*
	 * P6 runs small, large, small again (drift shows as a gap between
	 * the two small runs); P4 is the memory the large pin added.
	 */
	mem_snap(&a);
	hold(fd, p, small, &slot);
	small_slots = slot;
	p6_samples(fd, bench, small, opt_samples / 2);
	hold(fd, p + small * PG, n - small, &slot);
	mem_snap(&b);
	printf("p4 pages=%ld memfree=%lld slab=%lld sunreclaim=%lld cache_slabs=%lld cache_order=%lld ledger_bytes=%lld\n",
	       n, a.memfree - b.memfree, b.slab - a.slab,
	       b.sunreclaim - a.sunreclaim,
	       a.cache_slabs < 0 ? -1 : b.cache_slabs - a.cache_slabs,
	       read_num(SLAB_DIR "/order"),
	       b.ledger_bytes < 0 ? -1 : b.ledger_bytes);
	fflush(stdout);
	p6_samples(fd, bench, n, opt_samples);
	release_from(fd, small_slots, slot);
	p6_samples(fd, bench, small, opt_samples - opt_samples / 2);
	release_from(fd, 0, small_slots);
	close(fd);
	return 0;
}

static int cmd_pin(const char *target)
{
	size_t len = BATCH * PG;
	struct pinholder_req req;
	char *p;
	int fd, hfd;
	long i;

	hfd = open("/dev/pinholder", O_RDWR);
	if (hfd < 0)
		die("/dev/pinholder");
	if (!strcmp(target, "anon")) {
		/* 2 MiB aligned, so that --thp gets one huge folio. */
		p = mmap(NULL, len * 2, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap");
		p = (char *)(((unsigned long)p + len - 1) & ~(len - 1));
		if (madvise(p, len, opt_thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
			die("madvise");
	} else {
		fd = open(target, O_RDWR | O_CREAT, 0644);
		if (fd < 0)
			die(target);
		if (ftruncate(fd, len))
			die("ftruncate");
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			die("mmap");
		close(fd);
	}
	memset(p, 0x5a, len);
	/* Sample -1 warms caches and the ledger's slab up; not printed. */
	for (i = -1; i < opt_samples; i++) {
		memset(&req, 0, sizeof(req));
		req.addr = (unsigned long)p;
		req.nr_pages = BATCH;
		req.api = PINHOLDER_API_FAST;
		req.flags = (opt_get ? 0 : PINHOLDER_F_PIN) | PINHOLDER_F_WRITE;
		req.loops = opt_loops;
		if (ioctl(hfd, PINHOLDER_IOC_BENCH, &req))
			die("PINHOLDER_IOC_BENCH");
		if (i >= 0)
			printf("pin ns_per_page=%.2f\n",
			       (double)req.nsecs / (opt_loops * BATCH));
	}
	close(hfd);
	return 0;
}

static int cmd_wake(void)
{
	int go[2], back[2];
	uint64_t t0, t1;
	pid_t pid;
	long i;
	char c;

	if (pipe(go) || pipe(back))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		close(go[1]);
		close(back[0]);
		while (read(go[0], &c, 1) == 1) {
			t1 = now_ns();
			if (write(back[1], &t1, sizeof(t1)) != sizeof(t1))
				_exit(1);
		}
		_exit(0);
	}
	close(go[0]);
	close(back[1]);
	for (i = 0; i < opt_samples; i++) {
		/* Let the reader block first. */
		usleep(20000);
		t0 = now_ns();
		if (write(go[1], "w", 1) != 1 ||
		    read(back[0], &t1, sizeof(t1)) != sizeof(t1))
			die("pipe round trip");
		printf("wake ns=%llu\n", (unsigned long long)(t1 - t0));
	}
	close(go[1]);
	waitpid(pid, NULL, 0);
	return 0;
}

static int cmd_hold(const char *file)
{
	size_t len = opt_pages * PG;
	struct pinholder_req req = { 0 };
	sigset_t set;
	int fd, hfd, sig;
	char *p;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	hfd = open("/dev/pinholder", O_RDWR);
	fd = open(file, O_RDWR);
	if (hfd < 0 || fd < 0)
		die("open");
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	req.addr = (unsigned long)p;
	req.nr_pages = opt_pages;
	req.api = PINHOLDER_API_FAST;
	req.flags = PINHOLDER_F_PIN | PINHOLDER_F_WRITE;
	if (ioctl(hfd, PINHOLDER_IOC_HOLD, &req))
		die("PINHOLDER_IOC_HOLD");
	printf("ready pid=%d addr=%p\n", getpid(), (void *)p);
	fflush(stdout);
	sigwait(&set, &sig);
	if (ioctl(hfd, PINHOLDER_IOC_RELEASE, &req))
		die("PINHOLDER_IOC_RELEASE");
	printf("released\n");
	fflush(stdout);
	sigwait(&set, &sig);
	return 0;
}

static int cmd_truncwait(const char *file)
{
	int fd = open(file, O_RDWR), err;
	uint64_t t0, t1;

	if (fd < 0)
		die(file);
	t0 = now_ns();
	err = ftruncate(fd, 0) ? errno : 0;
	t1 = now_ns();
	write_str(TRACEFS "/trace_marker", "plbench truncate returned");
	printf("truncate errno=%d ns=%llu\n", err, (unsigned long long)(t1 - t0));
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pages", 1, 0, 'n' }, { "small", 1, 0, 's' },
		{ "samples", 1, 0, 'k' }, { "loops", 1, 0, 'L' },
		{ "get", 0, 0, 'g' }, { "thp", 0, 0, 'H' },
		{ 0 }
	};
	const char *cmd;
	int c;

	if (argc < 2) {
		fprintf(stderr, "usage: plbench truncs DIR N|ledger|pin TARGET|wake|hold FILE|truncwait FILE [options]\n");
		return 2;
	}
	cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': opt_pages = strtol(optarg, NULL, 0); break;
		case 's': opt_small = strtol(optarg, NULL, 0); break;
		case 'k': opt_samples = strtol(optarg, NULL, 0); break;
		case 'L': opt_loops = strtol(optarg, NULL, 0); break;
		case 'g': opt_get = 1; break;
		case 'H': opt_thp = 1; break;
		default: return 2;
		}
	}
	if (!strcmp(cmd, "truncs") && optind + 2 == argc)
		return cmd_truncs(argv[optind], strtol(argv[optind + 1], NULL, 0));
	if (!strcmp(cmd, "ledger") && optind == argc)
		return cmd_ledger();
	if (!strcmp(cmd, "hold") && optind + 1 == argc)
		return cmd_hold(argv[optind]);
	if (!strcmp(cmd, "wake") && optind == argc)
		return cmd_wake();
	if (!strcmp(cmd, "pin") && optind + 1 == argc)
		return cmd_pin(argv[optind]);
	if (!strcmp(cmd, "truncwait") && optind + 1 == argc)
		return cmd_truncwait(argv[optind]);
	fprintf(stderr, "plbench: bad command line\n");
	return 2;
}
