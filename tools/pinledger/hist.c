// SPDX-License-Identifier: GPL-2.0
/*
 * hist.c - "pinledger hist": log2 histograms of pin lifetimes and of the
 * time layout changes waited for pins, built in BPF (pinledger.bpf.c) from
 * the module's raw tracepoints; and the BPF loader shared with "top".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "pinledger.h"
#include "pinledger_bpf.h"
#include "pinledger.skel.h"

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	(void)level;
	/* Quiet unless -v: the caller reports one line saying what to do. */
	return pl_verbose ? vfprintf(stderr, fmt, ap) : 0;
}

/*
 * Open, load and attach the programs needed (@hist: pin_release and
 * layout_end; @rate: pin_acquire).  On failure NULL, and one line saying
 * what to do in @err.
 */
struct pinledger_bpf *pl_bpf_open(bool hist, bool rate, int by,
				  unsigned int unit_ns, char *err, size_t errlen)
{
	struct pinledger_bpf *skel;
	int ret;

	libbpf_set_print(libbpf_print);
	skel = pinledger_bpf__open();
	if (!skel) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return NULL;
	}
	skel->rodata->by = by;
	skel->rodata->unit_ns = unit_ns;
	/* pin_acquire also learns comms for --by comm. */
	bpf_program__set_autoload(skel->progs.pl_pin_acquire, rate || hist);
	bpf_program__set_autoload(skel->progs.pl_pin_release, hist);
	bpf_program__set_autoload(skel->progs.pl_layout_end, hist);
	ret = pinledger_bpf__load(skel);
	if (ret) {
		ret = -ret;
		if (ret == ENOSYS)
			snprintf(err, errlen, "this kernel has no BPF (CONFIG_BPF_SYSCALL): use 'pinledger trace' or perf instead");
		else if (ret == EPERM)
			snprintf(err, errlen, "loading BPF programs was refused (%s): run as root, check kernel.unprivileged_bpf_disabled and lockdown",
				 strerror(ret));
		else if (ret == EACCES)
			snprintf(err, errlen, "the kernel's BPF verifier rejected the programs: rerun with 'pinledger -v' for its log and report it");
		else
			snprintf(err, errlen, "loading BPF programs failed: %s (rerun with -v for the verifier log)",
				 strerror(ret));
		goto fail;
	}
	ret = pinledger_bpf__attach(skel);
	if (ret) {
		ret = -ret;
		if (ret == ENOENT)
			snprintf(err, errlen, "the module's raw tracepoints were not found: load pinledger (built with CONFIG_TRACEPOINTS) and retry");
		else
			snprintf(err, errlen, "attaching to the pinledger raw tracepoints failed: %s (rerun with -v)",
				 strerror(ret));
		goto fail;
	}
	return skel;
fail:
	pinledger_bpf__destroy(skel);
	return NULL;
}

void pl_bpf_close(struct pinledger_bpf *skel)
{
	pinledger_bpf__destroy(skel);
}

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static void print_stars(unsigned long long val, unsigned long long max, int width)
{
	int n = max ? (int)(val * width / max) : 0, i;

	for (i = 0; i < width; i++)
		putchar(i < n ? '*' : ' ');
}

static void print_hist(const struct pl_hist *h, const char *unit)
{
	unsigned long long max = 0;
	int i, first = -1, last = -1;

	for (i = 0; i < PL_MAX_SLOTS; i++) {
		if (h->slots[i] > max)
			max = h->slots[i];
		if (h->slots[i] && first < 0)
			first = i;
		if (h->slots[i])
			last = i;
	}
	/* From the first non-empty slot: lifetimes span many decades. */
	printf("%*s%-7s : count    distribution\n", 10, "", unit);
	for (i = first < 0 ? 0 : first; i <= last; i++) {
		unsigned long long lo = i ? 1ULL << (i - 1) : 0;
		unsigned long long hi = i ? (1ULL << i) - 1 : 0;

		printf("%10llu -> %-10llu : %-8llu |", lo, hi,
		       (unsigned long long)h->slots[i]);
		print_stars(h->slots[i], max, 40);
		printf("|\n");
	}
}

struct ent {
	struct pl_hist_key key;
	struct pl_hist val;
};

static int ent_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;

	if (x->key.kind != y->key.kind)
		return x->key.kind < y->key.kind ? -1 : 1;
	if (x->val.count != y->val.count)
		return x->val.count > y->val.count ? -1 : 1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

static void label(char *buf, size_t len, const struct pl_hist_key *k, int by)
{
	unsigned int maj, min, f;
	const char *mnt;
	char path[64], *s;

	switch (by) {
	case PL_BY_COMM:
		if (k->comm[0]) {
			snprintf(buf, len, "comm = %.16s", k->comm);
			break;
		}
		snprintf(path, sizeof(path), "/proc/%u/comm", k->id);
		s = pl_read_file(path);
		if (s)
			s[strcspn(s, "\n")] = 0;
		snprintf(buf, len, "comm = %s (tgid %u)", s ? s : "?", k->id);
		free(s);
		break;
	case PL_BY_FLAGS:
		f = k->id;
		snprintf(buf, len, "flags = %s%s%s%s", f & 1 ? "PIN" : "",
			 f & 2 ? (f & 1 ? "|GET" : "GET") : "",
			 f & 4 ? "|LONGTERM" : "", f & 8 ? "|WRITE" : "");
		break;
	case PL_BY_FS:
		/* Kernel dev_t: major << 20 | minor. */
		maj = k->id >> 20;
		min = k->id & 0xfffff;
		mnt = pl_mount_of(maj, min);
		if (k->id)
			snprintf(buf, len, "fs = %s (%u:%u)", mnt ? mnt : "?", maj, min);
		else
			snprintf(buf, len, "fs = anonymous memory");
		break;
	default:
		buf[0] = 0;
	}
}

/* Print and clear every histogram.  Returns how many were printed. */
static int dump(struct pinledger_bpf *skel, int by, const char *unit, bool ms)
{
	int fd = bpf_map__fd(skel->maps.hists), n = 0, i, printed = 0;
	struct pl_hist_key key, next, *prev = NULL;
	struct ent *v = NULL;
	char lbl[128];

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		v = realloc(v, (n + 1) * sizeof(*v));
		if (!v)
			pl_die(PL_EXIT_ERR, "out of memory");
		v[n].key = next;
		if (!bpf_map_lookup_elem(fd, &next, &v[n].val))
			n++;
		key = next;
		prev = &key;
	}
	for (i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &v[i].key);
	qsort(v, n, sizeof(*v), ent_cmp);
	for (i = 0; i < n; i++) {
		const char *what = v[i].key.kind == PL_HIST_LIFETIME ?
			"pin lifetime" : "layout change wait";

		/* Layout waits have no pin flags: one histogram. */
		label(lbl, sizeof(lbl), &v[i].key,
		      v[i].key.kind == PL_HIST_LAYOUT_WAIT && by == PL_BY_FLAGS ?
		      PL_BY_NONE : by);
		printf("\n%s%s%s: %llu, average %.1f %s\n", what,
		       lbl[0] ? ", " : "", lbl,
		       (unsigned long long)v[i].val.count,
		       v[i].val.count ? v[i].val.sum_ns / 1e3 / (ms ? 1000 : 1) /
				       v[i].val.count : 0.0, unit);
		print_hist(&v[i].val, unit);
		printed++;
	}
	free(v);
	return printed;
}

int cmd_hist(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'D' },
		{ "milliseconds", no_argument, NULL, 'm' },
		{ }
	};
	int by = PL_BY_NONE, o, count = 0, n = 0;
	double interval = 0, duration = 0;
	struct pinledger_bpf *skel;
	struct sigaction sa = { .sa_handler = on_signal };
	bool ms = false;
	char err[256], *end;
	struct timespec ts;

	optind = 1;
	while ((o = getopt_long(argc, argv, "b:i:c:D:m", opts, NULL)) != -1) {
		switch (o) {
		case 'b':
			if (!strcmp(optarg, "comm"))
				by = PL_BY_COMM;
			else if (!strcmp(optarg, "flags"))
				by = PL_BY_FLAGS;
			else if (!strcmp(optarg, "fs"))
				by = PL_BY_FS;
			else
				pl_die(PL_EXIT_USAGE, "hist: --by takes comm, flags or fs");
			break;
		case 'i':
			interval = strtod(optarg, &end);
			if (*end || interval <= 0)
				pl_die(PL_EXIT_USAGE, "hist: --interval takes seconds > 0");
			break;
		case 'c':
			count = strtol(optarg, &end, 10);
			if (*end || count <= 0)
				pl_die(PL_EXIT_USAGE, "hist: --count takes a number > 0");
			break;
		case 'D':
			duration = strtod(optarg, &end);
			if (*end || duration <= 0)
				pl_die(PL_EXIT_USAGE, "hist: --duration takes seconds > 0");
			break;
		case 'm':
			ms = true;
			break;
		default:
			pl_die(PL_EXIT_USAGE, "hist: bad option (usage: pinledger hist [--by comm|flags|fs] [--interval S [--count N]] [--duration S] [-m])");
		}
	}
	if (optind < argc)
		pl_die(PL_EXIT_USAGE, "hist: unexpected argument '%s'", argv[optind]);
	if (count && !interval)
		pl_die(PL_EXIT_USAGE, "hist: --count needs --interval");
	pl_need_module();
	pl_need_root("hist (BPF)");
	skel = pl_bpf_open(true, false, by, ms ? 1000000 : 1000, err, sizeof(err));
	if (!skel)
		pl_die(PL_EXIT_ERR, "%s", err);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (interval)
		fprintf(stderr, "Tracing pin lifetimes and layout waits; output every %g s. Ctrl-C to end.\n",
			interval);
	else
		fprintf(stderr, "Tracing pin lifetimes and layout waits%s. Ctrl-C to end.\n",
			duration ? " for a while" : "");
	if (!interval)
		interval = duration;
	for (;;) {
		if (interval) {
			ts.tv_sec = (time_t)interval;
			ts.tv_nsec = (long)((interval - ts.tv_sec) * 1e9);
			/* A signal ends the wait early (EINTR). */
			nanosleep(&ts, NULL);
		} else {
			pause();
		}
		if (!dump(skel, by, ms ? "msecs" : "usecs", ms))
			printf("\n(no pin was released and no layout change waited)\n");
		if (exiting || duration || (count && ++n >= count))
			break;
	}
	pl_bpf_close(skel);
	return 0;
}
