// SPDX-License-Identifier: GPL-2.0
/*
 * top.c - "pinledger top": pin holders by pinned pages and pin rate,
 * refreshed like biotop.  Pages come from /dev/pinledger; the per-process
 * pin rate from a BPF counter on the pin_acquire raw tracepoint (without
 * BPF: "-", and the module-wide rate from the counters).
 *
 * Interactive on a terminal (q or Ctrl-C quits, the terminal restored);
 * -b prints frames one after another, -n N stops after N frames.
 * --by cgroup sums holders by the cgroup of the pinning task (the rate
 * by the cgroup each process is in now, from /proc/PID/cgroup).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/pinledger.h>
#include "pinledger.h"
#include "pinledger_bpf.h"
#include "pinledger.skel.h"

struct holder {
	long long key;			/* tgid, or cgroup id with --by cgroup */
	char comm[4096];		/* its comm, or the cgroup's path */
	unsigned long pages, pins, gets, files;
	unsigned long long acquired;	/* BPF total so far */
	double rate;			/* per second, -1 unknown */
};

struct sample {
	struct holder *h;
	int n;
	unsigned long long acq_total;	/* module counters */
	struct timespec at;
};

static volatile sig_atomic_t exiting;
static bool by_cgroup;
static struct termios saved_tio;
static bool tio_saved;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static void restore_tty(void)
{
	if (tio_saved) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
		tio_saved = false;
	}
}

static struct holder *find_holder(struct sample *s, long long key,
				  const char *comm)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->h[i].key == key)
			return &s->h[i];
	s->h = realloc(s->h, (s->n + 1) * sizeof(*s->h));
	if (!s->h)
		pl_die(PL_EXIT_ERR, "out of memory");
	memset(&s->h[s->n], 0, sizeof(*s->h));
	s->h[s->n].key = key;
	if (by_cgroup)
		pl_cgroup_name(key, s->h[s->n].comm, sizeof(s->h[s->n].comm));
	else
		snprintf(s->h[s->n].comm, sizeof(s->h[s->n].comm), "%s", comm);
	s->h[s->n].rate = -1;
	return &s->h[s->n++];
}

static unsigned long long counter(const char *name)
{
	char path[128], val[64];

	snprintf(path, sizeof(path), "counters/%s", name);
	if (pl_read_sysfs(path, val, sizeof(val)))
		return 0;
	return strtoull(val, NULL, 10);
}

/* The cgroup v2 id process @tgid is in now, or 0. */
static long long cgroup_of(unsigned int tgid)
{
	char path[64], *c, *line, *save;
	unsigned long long id = 0;

	snprintf(path, sizeof(path), "/proc/%u/cgroup", tgid);
	c = pl_read_file(path);
	for (line = c ? strtok_r(c, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "0::", 3) && pl_cgroup_id(line + 3, &id))
			id = 0;
	free(c);
	return id;
}

static void take_sample(struct sample *s, struct pinledger_bpf *skel)
{
	struct pl_list l;
	int i, j, k, err;

	memset(s, 0, sizeof(*s));
	clock_gettime(CLOCK_MONOTONIC, &s->at);
	err = pl_read_pins(&l);
	if (err) {
		restore_tty();
		pl_die(PL_EXIT_ERR, "listing pins through %s: %s (module unloaded?)",
		       PINLEDGER_DEVICE, strerror(-err));
	}
	for (i = 0; i < l.n; i++) {
		struct pl_entry *e = &l.v[i];

		for (j = 0; j < e->nr_owners; j++) {
			struct pl_owner *o = &e->owners[j];
			long long key = by_cgroup ? (long long)o->cgroup : o->tgid;
			struct holder *h = find_holder(s, key, o->comm);
			bool seen = false;

			h->pages++;
			h->pins += o->pins;
			h->gets += o->gets;
			/* A file counts once per holder. */
			for (k = 0; k < i && !seen; k++) {
				struct pl_entry *p = &l.v[k];
				int m;

				if (p->anon != e->anon || p->maj != e->maj ||
				    p->min != e->min || p->ino != e->ino)
					continue;
				for (m = 0; m < p->nr_owners; m++)
					if (by_cgroup ? p->owners[m].cgroup == o->cgroup :
					    p->owners[m].tgid == o->tgid)
						seen = true;
			}
			if (!seen)
				h->files++;
		}
	}
	pl_list_free(&l);
	s->acq_total = counter("acquired_pins") + counter("acquired_gets");
	if (skel) {
		int fd = bpf_map__fd(skel->maps.acquired);
		__u32 key, *prev = NULL, next;
		__u64 val;

		while (!bpf_map_get_next_key(fd, prev, &next)) {
			if (!bpf_map_lookup_elem(fd, &next, &val)) {
				struct holder *h;
				char comm[32] = "?", path[64], *c;
				long long hk = by_cgroup ? cgroup_of(next) : next;

				for (k = 0; k < s->n; k++)
					if (s->h[k].key == hk)
						break;
				if (k == s->n && !by_cgroup) {
					snprintf(path, sizeof(path), "/proc/%u/comm", next);
					c = pl_read_file(path);
					if (c) {
						c[strcspn(c, "\n")] = 0;
						snprintf(comm, sizeof(comm), "%s", c);
						free(c);
					}
				}
				h = find_holder(s, hk, comm);
				h->acquired += val;
			}
			key = next;
			prev = &key;
		}
	}
}

static int holder_cmp(const void *a, const void *b)
{
	const struct holder *x = a, *y = b;

	if (x->pages != y->pages)
		return x->pages > y->pages ? -1 : 1;
	if (x->rate != y->rate)
		return x->rate > y->rate ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static void frame(struct sample *prev, struct sample *cur, bool have_bpf,
		  int rows, bool tty)
{
	double secs = (cur->at.tv_sec - prev->at.tv_sec) +
		      (cur->at.tv_nsec - prev->at.tv_nsec) / 1e9;
	unsigned long pages = 0, pins = 0, gets = 0;
	char now[32];
	time_t t = time(NULL);
	int i, j, shown = 0;

	for (i = 0; i < cur->n; i++) {
		struct holder *h = &cur->h[i];

		if (have_bpf) {
			unsigned long long before = 0;

			for (j = 0; j < prev->n; j++)
				if (prev->h[j].key == h->key)
					before = prev->h[j].acquired;
			h->rate = secs > 0 ? (h->acquired - before) / secs : 0;
		}
		pages += h->pages;
		pins += h->pins;
		gets += h->gets;
	}
	qsort(cur->h, cur->n, sizeof(*cur->h), holder_cmp);
	strftime(now, sizeof(now), "%H:%M:%S", localtime(&t));
	if (tty)
		printf("\033[H\033[2J");
	printf("%s pinledger top: %d %s, %lu pinned pages (%lu pins, %lu gets), %.1f acquisitions/s\n",
	       now, cur->n, by_cgroup ? "cgroups" : "holders", pages, pins, gets,
	       secs > 0 ? (cur->acq_total - prev->acq_total) / secs : 0.0);
	if (by_cgroup)
		printf("%-32s %8s %8s %8s %6s %10s\n", "CGROUP", "PAGES",
		       "PINS", "GETS", "FILES", "PINS/s");
	else
		printf("%-8s %-16s %8s %8s %8s %6s %10s\n", "TGID", "COMM",
		       "PAGES", "PINS", "GETS", "FILES", "PINS/s");
	for (i = 0; i < cur->n && shown < rows; i++) {
		struct holder *h = &cur->h[i];

		if (!h->pages && h->rate <= 0)
			continue;
		if (by_cgroup)
			printf("%-32s %8lu %8lu %8lu %6lu ", h->comm, h->pages,
			       h->pins, h->gets, h->files);
		else
			printf("%-8lld %-16s %8lu %8lu %8lu %6lu ", h->key,
			       h->comm, h->pages, h->pins, h->gets, h->files);
		if (h->rate < 0)
			printf("%10s\n", "-");
		else
			printf("%10.1f\n", h->rate);
		shown++;
	}
	if (!have_bpf)
		printf("(PINS/s per process needs BPF: not available, see -v)\n");
	if (tty)
		printf("\n[q quits]\n");
	else
		printf("\n");
	fflush(stdout);
}

int cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "frames", required_argument, NULL, 'n' },
		{ "delay", required_argument, NULL, 'd' },
		{ "rows", required_argument, NULL, 'k' },
		{ "no-bpf", no_argument, NULL, 'N' },
		{ "by", required_argument, NULL, 'B' },
		{ }
	};
	struct sigaction sa = { .sa_handler = on_signal };
	struct pinledger_bpf *skel = NULL;
	struct sample prev, cur;
	bool batch = false, tty, use_bpf = true;
	int o, frames = 0, rows = 20, shown = 0;
	double delay = 2;
	char err[256], *end;

	optind = 1;
	while ((o = getopt_long(argc, argv, "bn:d:k:N", opts, NULL)) != -1) {
		switch (o) {
		case 'b': batch = true; break;
		case 'n':
			frames = strtol(optarg, &end, 10);
			if (*end || frames <= 0)
				pl_die(PL_EXIT_USAGE, "top: -n takes a number of frames > 0");
			break;
		case 'd':
			delay = strtod(optarg, &end);
			if (*end || delay <= 0)
				pl_die(PL_EXIT_USAGE, "top: -d takes seconds > 0");
			break;
		case 'k':
			rows = strtol(optarg, &end, 10);
			if (*end || rows <= 0)
				pl_die(PL_EXIT_USAGE, "top: -k takes a number of rows > 0");
			break;
		case 'N': use_bpf = false; break;
		case 'B':
			if (!strcmp(optarg, "cgroup"))
				by_cgroup = true;
			else if (strcmp(optarg, "process"))
				pl_die(PL_EXIT_USAGE, "top: --by takes process or cgroup");
			break;
		default:
			pl_die(PL_EXIT_USAGE, "top: bad option (usage: pinledger top [-b] [-n FRAMES] [-d SECS] [-k ROWS] [--by process|cgroup] [--no-bpf])");
		}
	}
	if (optind < argc)
		pl_die(PL_EXIT_USAGE, "top: unexpected argument '%s'", argv[optind]);
	pl_need_device("showing pin holders");
	if (use_bpf) {
		skel = pl_bpf_open(false, true, PL_BY_NONE, 1000, err, sizeof(err));
		if (!skel && pl_verbose)
			fprintf(stderr, "%s: %s\n", pl_prog, err);
	}
	tty = !batch && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (tty && !tcgetattr(STDIN_FILENO, &saved_tio)) {
		struct termios raw = saved_tio;

		raw.c_lflag &= ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		tio_saved = true;
		atexit(restore_tty);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	take_sample(&prev, skel);
	while (!exiting) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		int ms = (int)(delay * 1000);

		if (tty) {
			if (poll(&pfd, 1, ms) > 0) {
				char c;

				if (read(STDIN_FILENO, &c, 1) == 1 &&
				    (c == 'q' || c == 'Q'))
					break;
				continue;	/* other keys: keep waiting */
			}
		} else {
			struct timespec ts = { (time_t)delay,
					       (long)((delay - (time_t)delay) * 1e9) };

			nanosleep(&ts, NULL);
		}
		if (exiting)
			break;
		take_sample(&cur, skel);
		frame(&prev, &cur, skel != NULL, rows, tty);
		free(prev.h);
		prev = cur;
		if (frames && ++shown >= frames)
			break;
	}
	free(prev.h);
	restore_tty();
	if (skel)
		pl_bpf_close(skel);
	return 0;
}
