// SPDX-License-Identifier: GPL-2.0
/*
 * uapibad.c - bad input on /dev/pinledger (tests/guest/t-uapi-bad-input.sh).
 *
 *   uapibad DAX_FILE OTHER_FILE DIR [REPEAT]
 *
 * DAX_FILE: a regular file on a DAX filesystem (at least one page long);
 * OTHER_FILE: a regular file that is not DAX; DIR: a directory.  Each
 * case makes one ioctl with one thing wrong and checks its errno; good
 * requests in between must still work.  REPEAT runs the whole battery
 * that many times (leak checks).  Last, without CAP_SYS_ADMIN: ioctls on
 * the open device and a new open both fail with EPERM.  Prints one line
 * per case; exits 1 at the first unexpected result.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/pinledger.h>

static int dev, quiet;
static unsigned long ncases;

static void expect(const char *what, long ret, int want)
{
	int got = ret < 0 ? errno : 0;

	ncases++;
	if (got != want) {
		printf("FAIL %s: got %s, want %s\n", what,
		       got ? strerrorname_np(got) : "success",
		       want ? strerrorname_np(want) : "success");
		exit(1);
	}
	if (!quiet)
		printf("ok %s: %s\n", what, want ? strerrorname_np(want) : "success");
}

static struct pinledger_range ranges[8];

static void query_init(struct pinledger_query *q, int fd)
{
	memset(q, 0, sizeof(*q));
	q->size = sizeof(*q);
	q->fd = fd;
	q->rec_size = sizeof(ranges[0]);
	q->last = ~0ULL;
	q->ranges = (uintptr_t)ranges;
	q->nr_ranges = 8;
}

static void battery(const char *dax, const char *other, const char *dir)
{
	struct { struct pinledger_query q; uint64_t tail; } big;
	struct pinledger_pin pins[4];
	struct pinledger_pins p;
	struct pinledger_counters c;
	struct pinledger_waiters w;
	struct pinledger_version v;
	struct pinledger_query q;
	long long values[64];
	int dfd, ofd, dirfd_, pfd[2], pathfd, nullfd;
	struct stat st;

	dfd = open(dax, O_RDONLY);
	ofd = open(other, O_RDONLY);
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY);
	pathfd = open(dax, O_PATH);
	nullfd = open("/dev/null", O_RDONLY);
	if (dfd < 0 || ofd < 0 || dirfd_ < 0 || pathfd < 0 || nullfd < 0 ||
	    pipe(pfd) || fstat(dfd, &st)) {
		perror("setup");
		exit(2);
	}

	/* Unknown ioctls. */
	expect("unknown ioctl number", ioctl(dev, _IOWR(PINLEDGER_IOC_MAGIC, 99, struct pinledger_query), &q), ENOTTY);
	expect("other ioctl type", ioctl(dev, _IOWR('x', 2, struct pinledger_query), &q), ENOTTY);
	expect("ioctl without direction", ioctl(dev, _IO(PINLEDGER_IOC_MAGIC, 2)), ENOTTY);
	expect("read-only ioctl", ioctl(dev, _IOR(PINLEDGER_IOC_MAGIC, 2, struct pinledger_query), &q), ENOTTY);
	expect("FIONREAD", ioctl(dev, FIONREAD, &q), ENOTTY);

	/* Request struct sizes. */
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	expect("version", ioctl(dev, PINLEDGER_IOC_VERSION, &v), 0);
	if (v.abi_version != PINLEDGER_ABI_VERSION || v.range_size != sizeof(struct pinledger_range) ||
	    v.nr_counters != PINLEDGER_CTR_NR || !v.module_version[0]) {
		printf("FAIL version: abi %u range_size %u counters %u\n",
		       v.abi_version, v.range_size, v.nr_counters);
		exit(1);
	}
	expect("NULL argument", ioctl(dev, PINLEDGER_IOC_VERSION, NULL), EFAULT);
	expect("kernel address argument", ioctl(dev, PINLEDGER_IOC_VERSION, (void *)0xffff888000000000UL), EFAULT);
	v.size = 0;
	expect("size 0", ioctl(dev, PINLEDGER_IOC_VERSION, &v), EINVAL);
	query_init(&q, dfd);
	q.size = 4;
	expect("short query struct", ioctl(dev, PINLEDGER_IOC_QUERY, &q), EINVAL);
	q.size = sizeof(q) - 8;
	expect("query struct one field short", ioctl(dev, PINLEDGER_IOC_QUERY, &q), EINVAL);
	query_init(&q, dfd);
	q.size = 1 << 20;
	expect("oversized query struct (1 MiB)", ioctl(dev, PINLEDGER_IOC_QUERY, &q), E2BIG);
	memset(&big, 0, sizeof(big));
	query_init(&big.q, dfd);
	big.q.size = sizeof(big);
	big.tail = 1;
	expect("larger struct, unknown field set", ioctl(dev, PINLEDGER_IOC_QUERY, &big), E2BIG);
	big.tail = 0;
	expect("larger struct, unknown field zero", ioctl(dev, PINLEDGER_IOC_QUERY, &big), 0);

	/* Record buffers. */
	/* Shorter than ABI 1's record (owners_ext came with ABI 2). */
	query_init(&q, dfd);
	q.rec_size = offsetof(struct pinledger_range, owners_ext) - 8;
	expect("short range record", ioctl(dev, PINLEDGER_IOC_QUERY, &q), EINVAL);
	query_init(&q, dfd);
	q.rec_size = offsetof(struct pinledger_range, owners_ext);
	expect("ABI 1 range record", ioctl(dev, PINLEDGER_IOC_QUERY, &q), 0);
	query_init(&q, dfd);
	q.rec_size = 8192;
	expect("oversized range record", ioctl(dev, PINLEDGER_IOC_QUERY, &q), E2BIG);
	query_init(&q, dfd);
	q.nr_ranges = 0;
	expect("no room for a range", ioctl(dev, PINLEDGER_IOC_QUERY, &q), EINVAL);
	query_init(&q, dfd);
	q.nr_ranges = PINLEDGER_MAX_RECORDS + 1;
	expect("too many ranges", ioctl(dev, PINLEDGER_IOC_QUERY, &q), EINVAL);
	query_init(&q, dfd);
	q.ranges = 0xffff888000000000UL;
	expect("range buffer in kernel space", ioctl(dev, PINLEDGER_IOC_QUERY, &q), EFAULT);
	query_init(&q, dfd);
	q.ranges = ~0ULL - 100;
	expect("range buffer wrapping around", ioctl(dev, PINLEDGER_IOC_QUERY, &q), EFAULT);

	/* The file descriptor. */
	query_init(&q, -1);
	expect("fd -1", ioctl(dev, PINLEDGER_IOC_QUERY, &q), EBADF);
	query_init(&q, 100000);
	expect("fd not open", ioctl(dev, PINLEDGER_IOC_QUERY, &q), EBADF);
	query_init(&q, pathfd);
	expect("O_PATH fd", ioctl(dev, PINLEDGER_IOC_QUERY, &q), EBADF);
	query_init(&q, dirfd_);
	expect("fd of a directory", ioctl(dev, PINLEDGER_IOC_QUERY, &q), EISDIR);
	query_init(&q, pfd[0]);
	expect("fd of a pipe", ioctl(dev, PINLEDGER_IOC_QUERY, &q), EINVAL);
	query_init(&q, nullfd);
	expect("fd of a character device", ioctl(dev, PINLEDGER_IOC_QUERY, &q), EINVAL);
	query_init(&q, dev);
	expect("fd of /dev/pinledger itself", ioctl(dev, PINLEDGER_IOC_QUERY, &q), EINVAL);
	query_init(&q, ofd);
	expect("fd of a non-DAX file", ioctl(dev, PINLEDGER_IOC_QUERY, &q), EOPNOTSUPP);
	q.flags = PINLEDGER_QUERY_PAGECACHE;
	expect("... with PINLEDGER_QUERY_PAGECACHE", ioctl(dev, PINLEDGER_IOC_QUERY, &q), 0);
	query_init(&q, dfd);
	q.flags = 0x80;
	expect("unknown query flag", ioctl(dev, PINLEDGER_IOC_QUERY, &q), EINVAL);

	/* The range. */
	query_init(&q, dfd);
	q.first = (st.st_size + 4095) / 4096;
	q.last = q.first + 10;
	expect("range starting at EOF", ioctl(dev, PINLEDGER_IOC_QUERY, &q), ENXIO);
	query_init(&q, dfd);
	q.first = 1ULL << 40;
	expect("range far past EOF", ioctl(dev, PINLEDGER_IOC_QUERY, &q), ENXIO);
	query_init(&q, dfd);
	q.first = 1;
	q.last = 0;
	expect("range ending before it starts", ioctl(dev, PINLEDGER_IOC_QUERY, &q), EINVAL);
	query_init(&q, dfd);
	expect("whole DAX file", ioctl(dev, PINLEDGER_IOC_QUERY, &q), 0);
	if (!(q.out_flags & PINLEDGER_OUT_DAX) || q.ino != st.st_ino) {
		printf("FAIL whole DAX file: out_flags %#x ino %llu\n", q.out_flags,
		       (unsigned long long)q.ino);
		exit(1);
	}

	/* Pins listing. */
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.rec_size = sizeof(pins[0]);
	p.nr_pins = 4;
	p.pins = (uintptr_t)pins;
	expect("pins", ioctl(dev, PINLEDGER_IOC_PINS, &p), 0);
	p.cursor[0] = 1ULL << 40;
	p.cursor[1] = 0;
	expect("pins, forged cursor", ioctl(dev, PINLEDGER_IOC_PINS, &p), EINVAL);
	p.cursor[0] = 0;
	p.flags = PINLEDGER_PINS_INO;
	expect("pins, ino filter without dev", ioctl(dev, PINLEDGER_IOC_PINS, &p), EINVAL);
	p.flags = 0x100;
	expect("pins, unknown flag", ioctl(dev, PINLEDGER_IOC_PINS, &p), EINVAL);
	p.flags = 0;
	p.cgroup_id = 1;
	expect("pins, cgroup_id without its flag", ioctl(dev, PINLEDGER_IOC_PINS, &p), EINVAL);
	p.flags = PINLEDGER_PINS_CGROUP;
	expect("pins, cgroup filter", ioctl(dev, PINLEDGER_IOC_PINS, &p), 0);
	p.flags = 0;
	p.cgroup_id = 0;
	p.cursor[0] = p.cursor[1] = 0;
	{
		struct pinledger_stack st = { .size = sizeof(st) };
		char text[256];

		st.buf = (uintptr_t)text;
		st.buf_len = sizeof(text);
		expect("stack, id 0", ioctl(dev, PINLEDGER_IOC_STACK, &st), ENOENT);
		st.stack_id = 0x12345678;
		expect("stack, an id never saved", ioctl(dev, PINLEDGER_IOC_STACK, &st), ENOENT);
		st.buf_len = 0;
		expect("stack, no room", ioctl(dev, PINLEDGER_IOC_STACK, &st), EINVAL);
		st.buf_len = 1 << 20;
		expect("stack, huge buffer", ioctl(dev, PINLEDGER_IOC_STACK, &st), EINVAL);
		st.size = 4;
		expect("stack, short struct", ioctl(dev, PINLEDGER_IOC_STACK, &st), EINVAL);
	}
	p.rec_size = 16;
	expect("pins, short record", ioctl(dev, PINLEDGER_IOC_PINS, &p), EINVAL);
	p.rec_size = sizeof(pins[0]);
	p.nr_pins = 0;
	expect("pins, no room", ioctl(dev, PINLEDGER_IOC_PINS, &p), EINVAL);
	p.nr_pins = 4;
	p.pins = 0xffff888000000000UL;
	expect("pins, buffer in kernel space", ioctl(dev, PINLEDGER_IOC_PINS, &p), EFAULT);

	/* Waiters and counters. */
	memset(&w, 0, sizeof(w));
	w.size = sizeof(w);
	w.rec_size = sizeof(struct pinledger_wait);
	expect("waiters, how many", ioctl(dev, PINLEDGER_IOC_WAITERS, &w), 0);
	w.rec_size = 4;
	expect("waiters, short record", ioctl(dev, PINLEDGER_IOC_WAITERS, &w), EINVAL);
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.nr = 64;
	c.values = (uintptr_t)values;
	expect("counters", ioctl(dev, PINLEDGER_IOC_COUNTERS, &c), 0);
	if (c.nr != PINLEDGER_CTR_NR || c.total != PINLEDGER_CTR_NR) {
		printf("FAIL counters: nr %u total %u\n", c.nr, c.total);
		exit(1);
	}
	c.nr = 3;
	expect("counters, short buffer: the first 3", ioctl(dev, PINLEDGER_IOC_COUNTERS, &c), 0);
	if (c.nr != 3 || c.total != PINLEDGER_CTR_NR) {
		printf("FAIL counters, short buffer: nr %u total %u\n", c.nr, c.total);
		exit(1);
	}
	c.reserved = 1;
	expect("counters, reserved field set", ioctl(dev, PINLEDGER_IOC_COUNTERS, &c), EINVAL);
	c.reserved = 0;
	c.nr = PINLEDGER_MAX_RECORDS + 1;
	expect("counters, too many", ioctl(dev, PINLEDGER_IOC_COUNTERS, &c), EINVAL);

	close(dfd);
	close(ofd);
	close(dirfd_);
	close(pathfd);
	close(nullfd);
	close(pfd[0]);
	close(pfd[1]);
}

/* Drop CAP_SYS_ADMIN from the effective, permitted and bounding sets. */
static void drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d)) {
		perror("capget");
		exit(2);
	}
	d[0].effective &= ~(1U << CAP_SYS_ADMIN);
	d[0].permitted &= ~(1U << CAP_SYS_ADMIN);
	d[0].inheritable &= ~(1U << CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &h, d) || prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN)) {
		perror("capset");
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct pinledger_version v;
	int i, repeat = argc > 4 ? atoi(argv[4]) : 1;

	if (argc < 4) {
		fprintf(stderr, "usage: uapibad DAX_FILE OTHER_FILE DIR [REPEAT]\n");
		return 2;
	}
	dev = open(PINLEDGER_DEVICE, O_RDONLY | O_CLOEXEC);
	if (dev < 0) {
		perror(PINLEDGER_DEVICE);
		return 2;
	}
	for (i = 0; i < repeat; i++) {
		battery(argv[1], argv[2], argv[3]);
		quiet = 1;
	}
	quiet = 0;
	drop_sys_admin();
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	expect("ioctl without CAP_SYS_ADMIN (device opened before)",
	       ioctl(dev, PINLEDGER_IOC_VERSION, &v), EPERM);
	expect("open without CAP_SYS_ADMIN", open(PINLEDGER_DEVICE, O_RDONLY), EPERM);
	close(dev);
	printf("%lu cases, each as expected\n", ncases);
	return 0;
}
