// SPDX-License-Identifier: GPL-2.0
/*
 * ledger.c - "pins" and "who": ask the module through /dev/pinledger
 * (include/uapi/linux/pinledger.h, docs/ABI/uapi-pinledger) and show the
 * answers by owner and page range.  Works with debugfs unmounted and
 * under kernel lockdown; never reads debugfs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/pinledger.h>
#include "pinledger.h"

#define BATCH	256

static void flags_str(char *buf, size_t len, unsigned int flags)
{
	static const char *const names[] = { "PIN", "GET", "LONGTERM", "WRITE" };
	size_t i, off = 0;

	buf[0] = 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & (1U << i))
			off += snprintf(buf + off, len - off, "%s%s",
					off ? "|" : "", names[i]);
	if (!off)
		snprintf(buf, len, "-");
}

/* Owner records of the device into @e->owners (allocated). */
static void take_owners(struct pl_entry *e, const struct pinledger_holder *h,
			const struct pinledger_holder_ext *x, unsigned int nr,
			unsigned int more)
{
	unsigned int i;

	e->more_owners = more;
	e->nr_owners = 0;
	e->owners = nr ? calloc(nr, sizeof(*e->owners)) : NULL;
	if (nr && !e->owners)
		pl_die(PL_EXIT_ERR, "out of memory");
	for (i = 0; i < nr && i < PINLEDGER_MAX_OWNERS; i++) {
		struct pl_owner *o = &e->owners[e->nr_owners++];

		o->tgid = h[i].tgid;
		snprintf(o->comm, sizeof(o->comm), "%.16s", h[i].comm);
		flags_str(o->flags, sizeof(o->flags), h[i].flags);
		o->pins = h[i].pins;
		o->gets = h[i].gets;
		o->age_ms = h[i].age_ns / 1000000;
		snprintf(o->callsite, sizeof(o->callsite), "%.96s", h[i].callsite);
		o->cgroup = x[i].cgroup_id;
		o->stack = x[i].stack_id;
		o->longlived = x[i].xflags & PINLEDGER_X_LONGLIVED;
	}
}

void pl_list_free(struct pl_list *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].owners);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void list_add(struct pl_list *l, struct pl_entry *e)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			pl_die(PL_EXIT_ERR, "out of memory");
	}
	l->v[l->n++] = *e;
}

/*
 * The ledger's folios into @l, PINLEDGER_IOC_PINS a batch at a time;
 * @flags and the rest: PINLEDGER_PINS_* filters.  Returns 0 or -errno.
 */
int pl_read_pins_filtered(struct pl_list *l, unsigned int flags, int tgid,
			  unsigned int maj, unsigned int min, unsigned long ino,
			  unsigned long long cgroup)
{
	struct pinledger_pin *v = calloc(BATCH, sizeof(*v));
	struct pinledger_pins req;
	unsigned int i;
	int fd = pl_device();

	memset(l, 0, sizeof(*l));
	if (!v)
		return -ENOMEM;
	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.flags = flags;
	req.rec_size = sizeof(*v);
	req.tgid = tgid;
	req.dev_major = maj;
	req.dev_minor = min;
	req.ino = ino;
	req.cgroup_id = cgroup;
	do {
		req.nr_pins = BATCH;
		req.pins = (unsigned long)v;
		if (ioctl(fd, PINLEDGER_IOC_PINS, &req)) {
			int err = -errno;

			free(v);
			pl_list_free(l);
			return err;
		}
		for (i = 0; i < req.nr_pins; i++) {
			struct pl_entry e;

			memset(&e, 0, sizeof(e));
			e.pfn = v[i].pfn;
			e.anon = !v[i].dev_major && !v[i].dev_minor;
			e.maj = v[i].dev_major;
			e.min = v[i].dev_minor;
			e.ino = v[i].ino;
			e.first = e.last = v[i].index;
			e.pins = v[i].pins;
			e.gets = v[i].gets;
			take_owners(&e, v[i].owners, v[i].owners_ext,
				    v[i].nr_owners, v[i].more_owners);
			list_add(l, &e);
		}
	} while (req.out_flags & PINLEDGER_OUT_MORE);
	free(v);
	return 0;
}

/* Every folio of the ledger.  Returns 0 or -errno. */
int pl_read_pins(struct pl_list *l)
{
	return pl_read_pins_filtered(l, 0, 0, 0, 0, 0, 0);
}

/* Layout changes and evictions waiting.  Count (array in *@out), or -errno. */
int pl_read_waiters(struct pl_waiter **out)
{
	struct pinledger_waiters req;
	struct pinledger_wait *v = NULL;
	struct pl_waiter *w;
	unsigned int cap = 16, i;
	int fd = pl_device(), j;

	*out = NULL;
	for (;;) {
		v = calloc(cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		memset(&req, 0, sizeof(req));
		req.size = sizeof(req);
		req.rec_size = sizeof(*v);
		req.nr = cap;
		req.waiters = (unsigned long)v;
		if (ioctl(fd, PINLEDGER_IOC_WAITERS, &req)) {
			int err = -errno;

			free(v);
			return err;
		}
		if (req.total <= cap)
			break;
		free(v);
		cap = req.total + 16;
	}
	w = calloc(req.nr ? req.nr : 1, sizeof(*w));
	if (!w)
		pl_die(PL_EXIT_ERR, "out of memory");
	for (i = 0; i < req.nr; i++) {
		size_t off = 0;

		w[i].deferred = v[i].kind == PINLEDGER_WAIT_EVICTION;
		w[i].id = v[i].id;
		w[i].maj = v[i].dev_major;
		w[i].min = v[i].dev_minor;
		w[i].ino = v[i].ino;
		w[i].first = v[i].first;
		w[i].last = v[i].last == ~0ULL ? (unsigned long)-1 : v[i].last;
		snprintf(w[i].policy, sizeof(w[i].policy), "%s",
			 v[i].policy == PINLEDGER_POLICY_WAIT ? "wait" :
			 v[i].policy == PINLEDGER_POLICY_REVOKE ? "revoke" :
			 v[i].policy == PINLEDGER_POLICY_BLOCK ? "block" : "?");
		w[i].tgid = v[i].tgid;
		snprintf(w[i].comm, sizeof(w[i].comm), "%.16s", v[i].comm);
		w[i].waited_ms = v[i].waited_ns / 1000000;
		for (j = 0; j < (int)v[i].nr_owners && j < 4; j++)
			off += snprintf(w[i].owners + off, sizeof(w[i].owners) - off,
					"%s%d", j ? "," : "", v[i].owners[j]);
	}
	free(v);
	*out = w;
	return req.nr;
}

/* ---- pins --------------------------------------------------------------- */

/* A run of pages of one file (or anonymous pfns) held by one owner record. */
struct row {
	int tgid;
	char comm[32];
	char flags[64];
	char callsite[160];
	bool anon;
	unsigned int maj, min;
	unsigned long ino;
	unsigned long first, last;	/* index, or pfn when anon */
	unsigned long pages;
	unsigned long pins, gets;
	unsigned long long age_ms;
	unsigned long long cgroup;
	unsigned int stack;
	bool longlived;
};

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->anon != y->anon)
		return x->anon - y->anon;
	if (x->maj != y->maj)
		return x->maj < y->maj ? -1 : 1;
	if (x->min != y->min)
		return x->min < y->min ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	c = strcmp(x->flags, y->flags);
	if (c)
		return c;
	c = strcmp(x->callsite, y->callsite);
	if (c)
		return c;
	if (x->cgroup != y->cgroup)
		return x->cgroup < y->cgroup ? -1 : 1;
	if (x->longlived != y->longlived)
		return x->longlived - y->longlived;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return 0;
}

static bool row_mergeable(const struct row *a, const struct row *b)
{
	return a->tgid == b->tgid && a->anon == b->anon && a->maj == b->maj &&
	       a->min == b->min && a->ino == b->ino &&
	       !strcmp(a->flags, b->flags) && !strcmp(a->callsite, b->callsite) &&
	       a->cgroup == b->cgroup && a->longlived == b->longlived &&
	       b->first == a->last + 1;
}

static void file_name(char *buf, size_t len, const struct row *r,
		      const char *path)
{
	const char *mnt;

	if (r->anon) {
		snprintf(buf, len, "anon");
	} else if (path) {
		snprintf(buf, len, "%s", path);
	} else {
		mnt = pl_mount_of(r->maj, r->min);
		if (mnt)
			snprintf(buf, len, "%s:ino=%lu", mnt, r->ino);
		else
			snprintf(buf, len, "%u:%u:ino=%lu", r->maj, r->min, r->ino);
	}
}

static void print_rows(struct row *rows, int n, bool json, const char *path,
		       bool stacks)
{
	char file[600], age[32], cg[4096];
	int i;

	if (json) {
		printf("[");
		for (i = 0; i < n; i++) {
			struct row *r = &rows[i];
			const char *mnt = r->anon ? NULL : pl_mount_of(r->maj, r->min);

			printf("%s{\"tgid\":%d,\"comm\":", i ? "," : "", r->tgid);
			pl_json_str(stdout, r->comm);
			if (r->anon) {
				printf(",\"anon\":true,\"pfn_first\":%lu,\"pfn_last\":%lu",
				       r->first, r->last);
			} else {
				printf(",\"dev\":\"%u:%u\",\"ino\":%lu,\"mount\":",
				       r->maj, r->min, r->ino);
				pl_json_str(stdout, mnt ? mnt : "");
				if (path) {
					printf(",\"path\":");
					pl_json_str(stdout, path);
				}
				printf(",\"first\":%lu,\"last\":%lu", r->first, r->last);
			}
			printf(",\"pages\":%lu,\"pins\":%lu,\"gets\":%lu,\"flags\":",
			       r->pages, r->pins, r->gets);
			pl_json_str(stdout, r->flags);
			printf(",\"age_ms\":%llu,\"callsite\":", r->age_ms);
			pl_json_str(stdout, r->callsite);
			printf(",\"cgroup_id\":%llu,\"cgroup\":", r->cgroup);
			pl_json_str(stdout, pl_cgroup_name(r->cgroup, cg, sizeof(cg)));
			printf(",\"longlived\":%s,\"stack\":",
			       r->longlived ? "true" : "false");
			pl_json_stack(stdout, r->stack);
			printf("}");
		}
		printf("]\n");
		return;
	}
	printf("%-7s %-15s %6s %-28s %-13s %6s %6s %-16s %7s %s  %s\n", "TGID",
	       "COMM", "PAGES", "FILE", "RANGE", "PINS", "GETS", "FLAGS", "AGE",
	       "CALLSITE", "CGROUP");
	for (i = 0; i < n; i++) {
		struct row *r = &rows[i];
		char range[64];

		file_name(file, sizeof(file), r, path);
		if (r->anon)
			snprintf(range, sizeof(range), "pfn 0x%lx+%lu", r->first,
				 r->pages);
		else
			snprintf(range, sizeof(range), "%lu-%lu", r->first, r->last);
		pl_fmt_age(age, sizeof(age), r->age_ms);
		if (r->longlived)	/* "!": reported long-lived */
			strncat(age, "!", sizeof(age) - strlen(age) - 1);
		printf("%-7d %-15s %6lu %-28s %-13s %6lu %6lu %-16s %7s %s  %s\n",
		       r->tgid, r->comm, r->pages, file, range, r->pins, r->gets,
		       r->flags, age, r->callsite,
		       pl_cgroup_name(r->cgroup, cg, sizeof(cg)));
		if (stacks)
			pl_print_stack(r->stack, "        ");
	}
}

/* Rows of @l, filtered, sorted and coalesced; returns their count. */
static int build_rows(struct pl_list *l, struct row **out, int pid,
		      bool by_file, unsigned int maj, unsigned int min,
		      unsigned long ino, bool by_dev, bool by_cgroup,
		      unsigned long long cgroup, bool longlived)
{
	struct row *rows = NULL;
	int i, j, n = 0, m;

	for (i = 0; i < l->n; i++) {
		struct pl_entry *e = &l->v[i];

		if ((by_file || by_dev) && (e->anon || e->maj != maj || e->min != min))
			continue;
		if (by_file && e->ino != ino)
			continue;
		for (j = 0; j < e->nr_owners; j++) {
			struct pl_owner *o = &e->owners[j];
			struct row *r;

			if (pid && o->tgid != pid)
				continue;
			if (by_cgroup && o->cgroup != cgroup)
				continue;
			if (longlived && !o->longlived)
				continue;
			rows = realloc(rows, (n + 1) * sizeof(*rows));
			if (!rows)
				pl_die(PL_EXIT_ERR, "out of memory");
			r = &rows[n++];
			memset(r, 0, sizeof(*r));
			r->tgid = o->tgid;
			memcpy(r->comm, o->comm, sizeof(r->comm));
			memcpy(r->flags, o->flags, sizeof(r->flags));
			memcpy(r->callsite, o->callsite, sizeof(r->callsite));
			r->anon = e->anon;
			r->maj = e->maj;
			r->min = e->min;
			r->ino = e->ino;
			r->first = e->anon ? e->pfn : e->first;
			r->last = e->anon ? e->pfn : e->last;
			r->pages = r->last - r->first + 1;
			r->pins = o->pins;
			r->gets = o->gets;
			r->age_ms = o->age_ms;
			r->cgroup = o->cgroup;
			r->stack = o->stack;
			r->longlived = o->longlived;
		}
	}
	if (!n) {
		*out = rows;
		return 0;
	}
	qsort(rows, n, sizeof(*rows), row_cmp);
	for (i = 1, m = 0; i < n; i++) {
		if (row_mergeable(&rows[m], &rows[i])) {
			rows[m].last = rows[i].last;
			rows[m].pages += rows[i].pages;
			rows[m].pins += rows[i].pins;
			rows[m].gets += rows[i].gets;
			if (rows[i].age_ms > rows[m].age_ms)
				rows[m].age_ms = rows[i].age_ms;
		} else {
			rows[++m] = rows[i];
		}
	}
	*out = rows;
	return m + 1;
}

int cmd_pins(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "file", required_argument, NULL, 'f' },
		{ "dev", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "longlived", no_argument, NULL, 'l' },
		{ "stacks", no_argument, NULL, 's' },
		{ }
	};
	unsigned int maj = 0, min = 0;
	unsigned long ino = 0;
	unsigned long long cgid = 0;
	const char *file = NULL, *dev = NULL, *cgroup = NULL;
	bool json = false, longlived = false, stacks = false;
	struct pl_list l;
	struct row *rows;
	struct stat st;
	char *end;
	int o, pid = 0, n, err;

	optind = 1;
	while ((o = getopt_long(argc, argv, "p:f:d:j", opts, NULL)) != -1) {
		switch (o) {
		case 'p':
			pid = strtol(optarg, &end, 10);
			if (*end || pid <= 0)
				pl_die(PL_EXIT_USAGE, "pins: --pid takes a process id");
			break;
		case 'f': file = optarg; break;
		case 'd': dev = optarg; break;
		case 'j': json = true; break;
		case 'c': cgroup = optarg; break;
		case 'l': longlived = true; break;
		case 's': stacks = true; break;
		default:
			pl_die(PL_EXIT_USAGE, "pins: bad option (usage: pinledger pins [--pid P] [--file F] [--dev MAJ:MIN|MOUNTPOINT] [--cgroup PATH] [--longlived] [--stacks] [--json])");
		}
	}
	if (optind < argc)
		pl_die(PL_EXIT_USAGE, "pins: unexpected argument '%s'", argv[optind]);
	if (file) {
		if (stat(file, &st))
			pl_die(PL_EXIT_ERR, "pins: %s: %s", file, strerror(errno));
		maj = major(st.st_dev);
		min = minor(st.st_dev);
		ino = st.st_ino;
	} else if (dev) {
		err = pl_parse_dev(dev, &maj, &min);
		if (err)
			pl_die(PL_EXIT_ERR, "pins: --dev %s: %s (give MAJ:MIN or a mount point)",
			       dev, strerror(-err));
	}
	if (cgroup) {
		err = pl_cgroup_id(cgroup, &cgid);
		if (err)
			pl_die(PL_EXIT_ERR, "pins: --cgroup %s: %s (give a cgroup2 directory, or a path below the cgroup2 mount)",
			       cgroup, strerror(-err));
	}
	pl_need_device("listing pins");
	err = pl_read_pins_filtered(&l,
		(pid ? PINLEDGER_PINS_TGID : 0) |
		(file || dev ? PINLEDGER_PINS_DEV : 0) |
		(file ? PINLEDGER_PINS_INO : 0) |
		(cgroup ? PINLEDGER_PINS_CGROUP : 0) |
		(longlived ? PINLEDGER_PINS_LONGLIVED : 0), pid, maj, min, ino,
		cgid);
	if (err == -EINVAL && (cgroup || longlived))
		pl_die(PL_EXIT_ERR, "pins: --cgroup/--longlived need a pinledger module of ABI 2 or later");
	if (err)
		pl_die(PL_EXIT_ERR, "listing pins through %s failed: %s",
		       PINLEDGER_DEVICE, strerror(-err));
	n = build_rows(&l, &rows, pid, file, maj, min, ino, dev && !file,
		       cgroup, cgid, longlived);
	/* Long-lived reports come with the pinner's stack. */
	print_rows(rows, n, json, file, stacks || longlived);
	free(rows);
	pl_list_free(&l);
	return 0;
}

/* ---- who ---------------------------------------------------------------- */

static bool same_range_holders(const struct pinledger_range *a,
			       const struct pinledger_range *b)
{
	unsigned int i;

	if (a->pins != b->pins || a->gets != b->gets ||
	    a->unknown_pins != b->unknown_pins ||
	    a->unknown_refs != b->unknown_refs ||
	    a->nr_owners != b->nr_owners || a->more_owners != b->more_owners)
		return false;
	for (i = 0; i < a->nr_owners && i < PINLEDGER_MAX_OWNERS; i++)
		if (a->owners[i].tgid != b->owners[i].tgid ||
		    a->owners[i].flags != b->owners[i].flags ||
		    a->owners[i].pins != b->owners[i].pins ||
		    a->owners[i].gets != b->owners[i].gets ||
		    a->owners_ext[i].cgroup_id != b->owners_ext[i].cgroup_id ||
		    a->owners_ext[i].stack_id != b->owners_ext[i].stack_id ||
		    a->owners_ext[i].xflags != b->owners_ext[i].xflags ||
		    strncmp(a->owners[i].callsite, b->owners[i].callsite,
			    sizeof(a->owners[i].callsite)))
			return false;
	return true;
}

/*
 * PINLEDGER_IOC_QUERY on @file_fd, all of it, into @l: one entry per run
 * of pages with the same holders (runs cut by a batch boundary are joined
 * again).  Fills the file's identity and totals.  Returns 0 or -errno.
 */
static int query_fd(int file_fd, struct pl_list *l, unsigned int *maj,
		    unsigned int *min, unsigned long *ino, unsigned int *dax,
		    unsigned long *pinned, unsigned long *unknown)
{
	struct pinledger_range *v = calloc(BATCH, sizeof(*v)), prev;
	struct pinledger_query q;
	bool have_prev = false;
	unsigned int i;
	int fd = pl_device();

	memset(l, 0, sizeof(*l));
	if (!v)
		return -ENOMEM;
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.flags = PINLEDGER_QUERY_PAGECACHE;
	q.fd = file_fd;
	q.rec_size = sizeof(*v);
	q.first = 0;
	q.last = ~0ULL;
	*pinned = *unknown = 0;
	for (;;) {
		q.nr_ranges = BATCH;
		q.ranges = (unsigned long)v;
		if (ioctl(fd, PINLEDGER_IOC_QUERY, &q)) {
			int err = -errno;

			free(v);
			pl_list_free(l);
			return err;
		}
		*pinned += q.pinned_pages;
		*unknown += q.unknown_pages;
		for (i = 0; i < q.nr_ranges; i++) {
			struct pl_entry e;

			if (have_prev && v[i].first == prev.last + 1 &&
			    same_range_holders(&prev, &v[i]) && l->n) {
				l->v[l->n - 1].last = v[i].last;
				prev.last = v[i].last;
				continue;
			}
			memset(&e, 0, sizeof(e));
			e.pfn = v[i].pfn;
			e.first = v[i].first;
			e.last = v[i].last;
			e.pins = v[i].pins;
			e.gets = v[i].gets;
			e.unknown_pins = v[i].unknown_pins;
			e.unknown_refs = v[i].unknown_refs;
			e.unknown_owner = v[i].unknown_pins || v[i].unknown_refs;
			take_owners(&e, v[i].owners, v[i].owners_ext,
				    v[i].nr_owners, v[i].more_owners);
			list_add(l, &e);
			prev = v[i];
			have_prev = true;
		}
		if (!(q.out_flags & PINLEDGER_OUT_MORE))
			break;
		q.first = q.next;
	}
	*maj = q.dev_major;
	*min = q.dev_minor;
	*ino = q.ino;
	*dax = !!(q.out_flags & PINLEDGER_OUT_DAX);
	free(v);
	return 0;
}

int cmd_who(int argc, char **argv)
{
	unsigned int maj = 0, min = 0, dax = 0;
	unsigned long ino = 0, pinned = 0, unknown = 0;
	const char *path = NULL;
	struct pl_waiter *w = NULL;
	struct pl_list l = { };
	bool json = false;
	char age[32], cg[4096];
	struct stat st;
	int i, j, nw, first, ffd, err;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] == '-' && argv[i][1])
			pl_die(PL_EXIT_USAGE, "who: unknown option '%s' (usage: pinledger who FILE [--json])",
			       argv[i]);
		else if (path)
			pl_die(PL_EXIT_USAGE, "who: one FILE only");
		else
			path = argv[i];
	}
	if (!path)
		pl_die(PL_EXIT_USAGE, "who: which file? (usage: pinledger who FILE [--json])");
	if (stat(path, &st))
		pl_die(PL_EXIT_ERR, "who: %s: %s", path, strerror(errno));
	pl_need_device("asking who pins a file");
	if (!S_ISREG(st.st_mode))
		pl_die(PL_EXIT_ERR, "who: %s: not a regular file", path);
	/* The module gets the file itself, not its name: no lookup race. */
	ffd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (ffd < 0)
		pl_die(PL_EXIT_ERR, "who: %s: %s", path, strerror(errno));
	err = query_fd(ffd, &l, &maj, &min, &ino, &dax, &pinned, &unknown);
	close(ffd);
	if (err)
		pl_die(PL_EXIT_ERR, "who: query of %s failed: %s", path,
		       strerror(-err));
	nw = pl_read_waiters(&w);
	if (nw < 0)
		pl_die(PL_EXIT_ERR, "who: reading the waiting layout changes failed: %s",
		       strerror(-nw));

	if (json) {
		printf("{\"path\":");
		pl_json_str(stdout, path);
		printf(",\"dev\":\"%u:%u\",\"ino\":%lu,\"dax\":%u,\"pinned_pages\":%lu,\"unknown_owner_pages\":%lu,\"ranges\":[",
		       maj, min, ino, dax, pinned, unknown);
		for (i = 0; i < l.n; i++) {
			struct pl_entry *e = &l.v[i];

			printf("%s{\"first\":%lu,\"last\":%lu,\"pins\":%u,\"gets\":%u,\"unknown_pins\":%ld,\"unknown_refs\":%ld,\"owners\":[",
			       i ? "," : "", e->first, e->last, e->pins, e->gets,
			       e->unknown_pins, e->unknown_refs);
			for (j = 0; j < e->nr_owners; j++) {
				struct pl_owner *o = &e->owners[j];

				printf("%s{\"tgid\":%d,\"comm\":", j ? "," : "", o->tgid);
				pl_json_str(stdout, o->comm);
				printf(",\"flags\":");
				pl_json_str(stdout, o->flags);
				printf(",\"pins\":%u,\"gets\":%u,\"age_ms\":%llu,\"callsite\":",
				       o->pins, o->gets, o->age_ms);
				pl_json_str(stdout, o->callsite);
				printf(",\"cgroup_id\":%llu,\"cgroup\":", o->cgroup);
				pl_json_str(stdout, pl_cgroup_name(o->cgroup, cg, sizeof(cg)));
				printf(",\"longlived\":%s,\"stack\":",
				       o->longlived ? "true" : "false");
				pl_json_stack(stdout, o->stack);
				printf("}");
			}
			printf("]}");
		}
		printf("],\"waiting\":[");
		for (i = 0, first = 1; i < nw; i++) {
			if (w[i].maj != maj || w[i].min != min || w[i].ino != ino)
				continue;
			printf("%s{\"kind\":\"%s\"", first ? "" : ",",
			       w[i].deferred ? "eviction" : "layout");
			if (!w[i].deferred) {
				printf(",\"id\":%llu,\"tgid\":%d,\"comm\":", w[i].id,
				       w[i].tgid);
				pl_json_str(stdout, w[i].comm);
				printf(",\"policy\":\"%s\",\"first\":%lu,\"last\":%lu,\"owners\":\"%s\",\"owners_known\":%s",
				       w[i].policy, w[i].first, w[i].last, w[i].owners,
				       w[i].owners[0] ? "true" : "false");
			}
			printf(",\"waited_ms\":%llu}", w[i].waited_ms);
			first = 0;
		}
		printf("]}\n");
		goto out;
	}

	printf("%s: dev %u:%u ino %lu%s: %lu pinned page%s", path, maj, min,
	       ino, dax ? " (dax)" : "", pinned, pinned == 1 ? "" : "s");
	if (unknown)
		printf(", %lu with pins of unknown owner", unknown);
	printf("\n");
	if (l.n) {
		printf("  %-13s %-7s %-15s %-16s %6s %6s %7s %s  %s\n", "PAGES",
		       "TGID", "COMM", "FLAGS", "PINS", "GETS", "AGE", "CALLSITE",
		       "CGROUP");
		for (i = 0; i < l.n; i++) {
			struct pl_entry *e = &l.v[i];
			char range[32];

			snprintf(range, sizeof(range), "%lu-%lu", e->first, e->last);
			for (j = 0; j < e->nr_owners; j++) {
				struct pl_owner *o = &e->owners[j];

				pl_fmt_age(age, sizeof(age), o->age_ms);
				if (o->longlived)
					strncat(age, "!", sizeof(age) - strlen(age) - 1);
				printf("  %-13s %-7d %-15s %-16s %6u %6u %7s %s  %s\n",
				       j ? "" : range, o->tgid, o->comm, o->flags,
				       o->pins, o->gets, age, o->callsite,
				       pl_cgroup_name(o->cgroup, cg, sizeof(cg)));
				pl_print_stack(o->stack, "          ");
			}
			if (e->unknown_pins || e->unknown_refs)
				printf("  %-13s %-7s %-15s %-16s %6ld %6ld %7s %s\n",
				       e->nr_owners ? "" : range, "?", "(unknown)",
				       "-", e->unknown_pins, e->unknown_refs, "-",
				       "owner unknown: not in the ledger (pinned before load, untracked, or in flight)");
		}
	}
	for (i = 0, first = 1; i < nw; i++) {
		if (w[i].maj != maj || w[i].min != min || w[i].ino != ino)
			continue;
		if (!w[i].owners[0])
			snprintf(w[i].owners, sizeof(w[i].owners), "unknown: not in the ledger");
		if (first)
			printf("waiting on these pins:\n");
		first = 0;
		pl_fmt_age(age, sizeof(age), w[i].waited_ms);
		if (w[i].deferred)
			printf("  eviction of the unlinked inode, deferred for %s\n", age);
		else if (w[i].last == (unsigned long)-1)
			printf("  layout change id=%llu by tgid=%d comm=%s, pages %lu-end, policy %s, waiting for %s (owners %s)\n",
			       w[i].id, w[i].tgid, w[i].comm, w[i].first,
			       w[i].policy, age, w[i].owners);
		else
			printf("  layout change id=%llu by tgid=%d comm=%s, pages %lu-%lu, policy %s, waiting for %s (owners %s)\n",
			       w[i].id, w[i].tgid, w[i].comm, w[i].first, w[i].last,
			       w[i].policy, age, w[i].owners);
	}
	if (first)
		printf("no layout change is waiting on this file\n");
out:
	free(w);
	pl_list_free(&l);
	return 0;
}
