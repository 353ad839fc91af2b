// SPDX-License-Identifier: GPL-2.0
/*
 * pinctl - make real GUP references for pinledger's guest tests.
 *
 * Every subcommand maps TARGET (a file, MAP_SHARED; or "anon") and makes
 * the kernel take references on those pages through a real GUP user, then
 * prints "ready pid=<pid> addr=<mapping>" on stdout and keeps the
 * references until it gets SIGTERM/SIGINT (or --hold-ms passes).
 *
 *   pinctl hold TARGET [opts]	     test pin holder (/dev/pinholder);
 *				     prints "releasing" right before the
 *				     release and "released" after it
 *   pinctl vmsplice TARGET [opts]   vmsplice() the pages into a pipe; the
 *				     pipe is drained (references dropped)
 *				     on release unless --leave-in-pipe
 *   pinctl odirect TARGET --dev D   O_DIRECT read from device D into the
 *				     mapping (in flight while D is slow)
 *   pinctl uring TARGET --dev D     the same through io_uring
 *				     (--unmap: munmap while in flight)
 *   pinctl vmwrite TARGET --pid P --addr A   process_vm_writev into P
 *   pinctl bench [opts]	     pin+unpin loop in the holder; prints ns
 *				     (--hold-us US: sleep between the two)
 *
 * Options: --pages N (1), --offset PAGES (0), --api fast|slow|unlocked|remote,
 *	    --get (FOLL_GET instead of FOLL_PIN), --write, --longterm,
 *	    --pattern HEX (holder writes it into the pages before release),
 *	    --dirty, --hold-ms MS, --loops N, --create BYTES (create/extend
 *	    the file first), --unmap (munmap right after pinning),
 *	    --unlink (then unlink TARGET), --truncate (then ftruncate it to
 *	    0 from this process; prints "truncate errno=N"), --ignore-usr1,
 *	    --no-huge (PR_SET_THP_DISABLE first: a DAX file is faulted in
 *	    one 4 KiB entry per page, never a 2 MiB one).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <liburing.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "../pinholder/pinholder_uapi.h"

static long pages = 1, offset, hold_ms = -1, hold_us, loops = 1000, create;
static unsigned int api, flags = PINHOLDER_F_PIN;
static unsigned long long pattern;
static int have_pattern, dirty, unmap_after, leave_in_pipe, unlink_after,
	   truncate_self, ignore_usr1;
static const char *dev, *target;
static pid_t rpid;
static unsigned long raddr;
static volatile sig_atomic_t stop;

static void die(const char *what)
{
	fprintf(stderr, "pinctl: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* After pinning: the layout changes the holder makes itself. */
static void after_pin(void)
{
	if (truncate_self) {
		int fd = open(target, O_RDWR);
		int err = fd < 0 || ftruncate(fd, 0) ? errno : 0;

		printf("truncate errno=%d\n", err);
		if (fd >= 0)
			close(fd);
	}
	if (unlink_after && unlink(target))
		die("unlink");
}

/* Wait until SIGTERM/SIGINT or --hold-ms. */
static void wait_release(void *addr)
{
	struct timespec t0, t;

	printf("ready pid=%d addr=%p\n", getpid(), addr);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stop) {
		if (hold_ms >= 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((t.tv_sec - t0.tv_sec) * 1000 +
			    (t.tv_nsec - t0.tv_nsec) / 1000000 >= hold_ms)
				break;
		}
		usleep(20000);
	}
}

static char *map_target(size_t len, int prot)
{
	char *p;
	int fd;

	if (!strcmp(target, "anon")) {
		p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (p == MAP_FAILED)
			die("mmap anon");
		memset(p, 0x5a, len);
		return p;
	}
	fd = open(target, O_RDWR | (create ? O_CREAT : 0), 0644);
	if (fd < 0)
		die(target);
	if (create && ftruncate(fd, create))
		die("ftruncate");
	/* Populated, so that GUP-fast finds the pages (else it falls back). */
	p = mmap(NULL, len, prot, MAP_SHARED | MAP_POPULATE, fd, offset * 4096);
	if (p == MAP_FAILED)
		die("mmap");
	close(fd);
	return p;
}

static int cmd_hold(void)
{
	struct pinholder_req req = { 0 };
	size_t len = pages * 4096;
	char *p = map_target(len, PROT_READ | PROT_WRITE);
	int fd = open("/dev/pinholder", O_RDWR);

	if (fd < 0)
		die("/dev/pinholder");
	req.addr = (unsigned long)p;
	req.nr_pages = pages;
	req.api = api;
	req.flags = flags;
	if (ioctl(fd, PINHOLDER_IOC_HOLD, &req))
		die("PINHOLDER_IOC_HOLD");
	if (unmap_after && munmap(p, len))
		die("munmap");
	after_pin();
	wait_release(p);
	if (have_pattern) {
		req.pattern = pattern;
		if (ioctl(fd, PINHOLDER_IOC_WRITE, &req))
			die("PINHOLDER_IOC_WRITE");
	}
	req.flags = dirty ? PINHOLDER_F_DIRTY : 0;
	/* Said before the release: whoever sees no "releasing" saw it held. */
	printf("releasing\n");
	fflush(stdout);
	if (ioctl(fd, PINHOLDER_IOC_RELEASE, &req))
		die("PINHOLDER_IOC_RELEASE");
	close(fd);
	printf("released\n");
	return 0;
}

static int cmd_bench(void)
{
	struct pinholder_req req = { 0 };
	char *p;
	int fd = open("/dev/pinholder", O_RDWR);

	if (fd < 0)
		die("/dev/pinholder");
	p = map_target(pages * 4096, PROT_READ | PROT_WRITE);
	req.addr = (unsigned long)p;
	req.nr_pages = pages;
	req.api = api;
	req.flags = flags;
	req.loops = loops;
	req.hold_us = hold_us;
	if (ioctl(fd, PINHOLDER_IOC_BENCH, &req))
		die("PINHOLDER_IOC_BENCH");
	printf("%llu\n", (unsigned long long)req.nsecs);
	return 0;
}

static int cmd_vmsplice(void)
{
	size_t len = pages * 4096;
	char *p = map_target(len, PROT_READ | PROT_WRITE);
	struct iovec iov = { p, len };
	int pfd[2];
	ssize_t n;
	char *buf;

	if (pipe(pfd))
		die("pipe");
	if (fcntl(pfd[1], F_SETPIPE_SZ, (int)len < 65536 ? 65536 : (int)len) < 0)
		die("F_SETPIPE_SZ");
	n = vmsplice(pfd[1], &iov, 1, 0);
	if (n != (ssize_t)len)
		die("vmsplice");
	if (unmap_after && munmap(p, len))
		die("munmap");
	after_pin();
	wait_release(p);
	if (leave_in_pipe)
		return 0;
	buf = malloc(len);
	n = read(pfd[0], buf, len);
	if (n != (ssize_t)len)
		die("read pipe");
	/* What the pipe held: the first word, for leak checks. */
	printf("released first=%02x%02x%02x%02x\n", (unsigned char)buf[0],
	       (unsigned char)buf[1], (unsigned char)buf[2], (unsigned char)buf[3]);
	return 0;
}

static int open_dev(void)
{
	int fd = open(dev, O_RDONLY | O_DIRECT);

	if (fd < 0)
		die(dev);
	return fd;
}

/*
 * --unmap for the in-flight readers: the read is submitted first, the
 * mapping goes UNMAP_DELAY_MS later, while the device still holds the
 * pages (a read that had not pinned them yet fails with EFAULT, loudly).
 */
#define UNMAP_DELAY_MS 500

static void unmap_later(void *p, size_t len)
{
	usleep(UNMAP_DELAY_MS * 1000);
	if (munmap(p, len))
		die("munmap");
	printf("unmapped\n");
	fflush(stdout);
}

struct odirect_io {
	int fd;
	void *p;
	size_t len;
	ssize_t n;
	int err;
};

static void *odirect_read(void *arg)
{
	struct odirect_io *io = arg;

	io->n = pread(io->fd, io->p, io->len, 0);
	io->err = errno;
	return NULL;
}

static int cmd_odirect(void)
{
	size_t len = pages * 4096;
	struct odirect_io io = {
		.fd = open_dev(), .p = map_target(len, PROT_READ | PROT_WRITE), .len = len,
	};
	pthread_t t;

	printf("ready pid=%d\n", getpid());
	fflush(stdout);
	if (!unmap_after) {
		odirect_read(&io);
	} else {
		errno = pthread_create(&t, NULL, odirect_read, &io);
		if (errno)
			die("pthread_create");
		unmap_later(io.p, len);
		pthread_join(t, NULL);
	}
	errno = io.err;
	if (io.n != (ssize_t)len)
		die("pread O_DIRECT");
	printf("released\n");
	return 0;
}

static int cmd_uring(void)
{
	size_t len = pages * 4096;
	char *p = map_target(len, PROT_READ | PROT_WRITE);
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int fd = open_dev(), ret;

	ret = io_uring_queue_init(4, &ring, 0);
	if (ret < 0) {
		errno = -ret;
		die("io_uring_queue_init");
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_read(sqe, fd, p, len, 0);
	io_uring_submit(&ring);
	printf("ready pid=%d\n", getpid());
	fflush(stdout);
	if (unmap_after)
		unmap_later(p, len);
	ret = io_uring_wait_cqe(&ring, &cqe);
	if (ret < 0 || cqe->res != (int)len) {
		errno = ret < 0 ? -ret : -cqe->res;
		die("io_uring read");
	}
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	printf("released\n");
	return 0;
}

static int cmd_vmwrite(void)
{
	size_t len = pages * 4096;
	char *buf = malloc(len);
	struct iovec l = { buf, len }, r = { (void *)raddr, len };

	memset(buf, 0xab, len);
	if (process_vm_writev(rpid, &l, 1, &r, 1, 0) != (ssize_t)len)
		die("process_vm_writev");
	printf("done\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pages", 1, 0, 'n' }, { "offset", 1, 0, 'o' },
		{ "api", 1, 0, 'a' }, { "get", 0, 0, 'g' },
		{ "write", 0, 0, 'w' }, { "longterm", 0, 0, 'l' },
		{ "pattern", 1, 0, 'p' }, { "dirty", 0, 0, 'd' },
		{ "hold-ms", 1, 0, 'h' }, { "loops", 1, 0, 'L' },
		{ "dev", 1, 0, 'D' }, { "pid", 1, 0, 'P' },
		{ "addr", 1, 0, 'A' }, { "create", 1, 0, 'c' },
		{ "unmap", 0, 0, 'u' }, { "leave-in-pipe", 0, 0, 'k' },
		{ "unlink", 0, 0, 'U' }, { "truncate", 0, 0, 'T' },
		{ "ignore-usr1", 0, 0, 'I' }, { "no-huge", 0, 0, 'H' },
		{ "hold-us", 1, 0, 'W' },
		{ 0 }
	};
	const char *cmd;
	int c;

	if (argc < 2) {
		fprintf(stderr, "usage: pinctl hold|vmsplice|odirect|uring|vmwrite|bench [TARGET] [options]\n");
		return 2;
	}
	cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': pages = strtol(optarg, NULL, 0); break;
		case 'o': offset = strtol(optarg, NULL, 0); break;
		case 'a':
			api = !strcmp(optarg, "slow") ? PINHOLDER_API_SLOW :
			      !strcmp(optarg, "unlocked") ? PINHOLDER_API_UNLOCKED :
			      !strcmp(optarg, "remote") ? PINHOLDER_API_REMOTE :
			      PINHOLDER_API_FAST;
			break;
		case 'g': flags &= ~PINHOLDER_F_PIN; break;
		case 'w': flags |= PINHOLDER_F_WRITE; break;
		case 'l': flags |= PINHOLDER_F_LONGTERM; break;
		case 'p': pattern = strtoull(optarg, NULL, 16); have_pattern = 1; break;
		case 'd': dirty = 1; break;
		case 'h': hold_ms = strtol(optarg, NULL, 0); break;
		case 'L': loops = strtol(optarg, NULL, 0); break;
		case 'W': hold_us = strtol(optarg, NULL, 0); break;
		case 'D': dev = optarg; break;
		case 'P': rpid = strtol(optarg, NULL, 0); break;
		case 'A': raddr = strtoul(optarg, NULL, 0); break;
		case 'c': create = strtol(optarg, NULL, 0); break;
		case 'u': unmap_after = 1; break;
		case 'k': leave_in_pipe = 1; break;
		case 'U': unlink_after = 1; break;
		case 'T': truncate_self = 1; break;
		case 'I': ignore_usr1 = 1; break;
		case 'H':
			if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
				die("PR_SET_THP_DISABLE");
			break;
		default: return 2;
		}
	}
	target = optind < argc ? argv[optind] : "anon";
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (ignore_usr1)
		signal(SIGUSR1, SIG_IGN);
	if (!strcmp(cmd, "hold"))
		return cmd_hold();
	if (!strcmp(cmd, "bench"))
		return cmd_bench();
	if (!strcmp(cmd, "vmsplice"))
		return cmd_vmsplice();
	if (!strcmp(cmd, "odirect"))
		return cmd_odirect();
	if (!strcmp(cmd, "uring"))
		return cmd_uring();
	if (!strcmp(cmd, "vmwrite"))
		return cmd_vmwrite();
	fprintf(stderr, "pinctl: unknown command %s\n", cmd);
	return 2;
}
