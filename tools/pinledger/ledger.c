// SPDX-License-Identifier: GPL-2.0
/*
 * ledger.c - "pins" and "who": parse the module's debugfs listings
 * (pins, query, waiters; formats in docs/ABI/debugfs-pinledger) and show
 * them by owner and page range.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "pinledger.h"

/* Value after "key=" in @s (up to a space), or NULL. */
static const char *field(const char *s, const char *key)
{
	size_t k = strlen(key);
	const char *p = s;

	while ((p = strstr(p, key))) {
		if ((p == s || p[-1] == ' ' || p[-1] == '[') && p[k] == '=')
			return p + k + 1;
		p += k;
	}
	return NULL;
}

/* Parse one owner record starting at "[tgid=", ending before @end. */
static int parse_owner(const char *s, const char *end, struct pl_owner *o)
{
	const char *p, *q;
	size_t n;

	memset(o, 0, sizeof(*o));
	if (sscanf(s, "[tgid=%d", &o->tgid) != 1)
		return -1;
	p = strstr(s, " comm=");
	q = strstr(s, " flags=");
	if (!p || !q || q > end)
		return -1;
	p += 6;
	n = q - p < (long)sizeof(o->comm) - 1 ? (size_t)(q - p) : sizeof(o->comm) - 1;
	memcpy(o->comm, p, n);
	if (sscanf(q, " flags=%63s pins=%u gets=%u age_ms=%llu", o->flags,
		   &o->pins, &o->gets, &o->age_ms) != 4)
		return -1;
	p = strstr(q, " callsite=");
	if (!p || p > end)
		return -1;
	p += 10;
	/* The owner record closes with ']' (a module name adds " [mod]"). */
	q = end;
	while (q > p && (q[-1] == ' ' || q[-1] == '\n'))
		q--;
	if (q > p && q[-1] == ']')
		q--;
	n = q - p < (long)sizeof(o->callsite) - 1 ? (size_t)(q - p) :
		sizeof(o->callsite) - 1;
	memcpy(o->callsite, p, n);
	return 0;
}

/*
 * Parse a "pins" line or a query "range=" line into @e (owners allocated).
 * Returns 0, or -1 if the line is neither.
 */
int pl_parse_entry(const char *line, struct pl_entry *e)
{
	const char *p, *next, *end;
	unsigned long idx;

	memset(e, 0, sizeof(*e));
	if (!strncmp(line, "range=", 6)) {
		if (sscanf(line, "range=%lu-%lu pfn=0x%lx", &e->first, &e->last,
			   &e->pfn) != 3)
			return -1;
	} else if (!strncmp(line, "pfn=", 4)) {
		if (sscanf(line, "pfn=0x%lx", &e->pfn) != 1)
			return -1;
		p = field(line, "file");
		if (!p)
			return -1;
		if (!strncmp(p, "anon", 4))
			e->anon = true;
		else if (sscanf(p, "%u:%u:%lu:%lu", &e->maj, &e->min, &e->ino,
				&idx) == 4)
			e->first = e->last = idx;
		else
			return -1;
	} else {
		return -1;
	}
	p = strstr(line, " owners:");
	if (!p)
		return -1;
	/* Scalars before "owners:" only (owners repeat pins=/gets=). */
	{
		char head[256];
		size_t n = p - line < (long)sizeof(head) - 1 ? (size_t)(p - line) :
			sizeof(head) - 1;

		memcpy(head, line, n);
		head[n] = 0;
		if (field(head, "pins"))
			e->pins = strtoul(field(head, "pins"), NULL, 10);
		if (field(head, "gets"))
			e->gets = strtoul(field(head, "gets"), NULL, 10);
		if (field(head, "unknown_pins"))
			e->unknown_pins = strtol(field(head, "unknown_pins"), NULL, 10);
		if (field(head, "unknown_refs"))
			e->unknown_refs = strtol(field(head, "unknown_refs"), NULL, 10);
	}
	e->unknown_owner = strstr(p, "[unknown owner") != NULL;
	if ((next = strstr(p, " +")) && sscanf(next, " +%u more", &e->more_owners) != 1)
		e->more_owners = 0;
	for (p = strstr(p, "[tgid="); p; p = next) {
		struct pl_owner *o;

		next = strstr(p + 1, " [tgid=");
		end = next;
		if (!end)
			end = strstr(p, " [unknown owner");
		if (!end)
			end = strstr(p, "] +");
		if (end && end[0] == ']')
			end++;
		if (!end)
			end = p + strlen(p);
		o = realloc(e->owners, (e->nr_owners + 1) * sizeof(*o));
		if (!o)
			pl_die(PL_EXIT_ERR, "out of memory");
		e->owners = o;
		if (!parse_owner(p, end, &o[e->nr_owners]))
			e->nr_owners++;
		if (next)
			next++;
	}
	return 0;
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

static void parse_lines(char *s, struct pl_list *l)
{
	char *line, *save;
	struct pl_entry e;

	for (line = strtok_r(s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!pl_parse_entry(line, &e))
			list_add(l, &e);
}

/* Read debugfs "pins" into @l.  Returns 0 or -errno. */
int pl_read_pins(struct pl_list *l)
{
	char *s = pl_read_file(PL_DEBUGFS "/pins");

	memset(l, 0, sizeof(*l));
	if (!s)
		return -errno;
	parse_lines(s, l);
	free(s);
	return 0;
}

/* Read debugfs "waiters".  Returns the count (array in *@out), or -errno. */
int pl_read_waiters(struct pl_waiter **out)
{
	char *s = pl_read_file(PL_DEBUGFS "/waiters"), *line, *save;
	struct pl_waiter *v = NULL, w;
	int n = 0;

	*out = NULL;
	if (!s)
		return -errno;
	for (line = strtok_r(s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *c;

		memset(&w, 0, sizeof(w));
		if (sscanf(line, "waiter id=%llu file=%u:%u:%lu range=%lu-%lu policy=%15s tgid=%d",
			   &w.id, &w.maj, &w.min, &w.ino, &w.first, &w.last,
			   w.policy, &w.tgid) == 8) {
			c = strstr(line, " comm=");
			const char *q = strstr(line, " waited_ms=");

			if (c && q && q > c) {
				size_t k = q - c - 6;

				if (k >= sizeof(w.comm))
					k = sizeof(w.comm) - 1;
				memcpy(w.comm, c + 6, k);
				sscanf(q, " waited_ms=%llu owners=%63s", &w.waited_ms,
				       w.owners);
			}
		} else if (sscanf(line, "deferred file=%u:%u:%lu deferred_ms=%llu",
				  &w.maj, &w.min, &w.ino, &w.waited_ms) == 4) {
			w.deferred = true;
		} else {
			continue;
		}
		v = realloc(v, (n + 1) * sizeof(*v));
		if (!v)
			pl_die(PL_EXIT_ERR, "out of memory");
		v[n++] = w;
	}
	free(s);
	*out = v;
	return n;
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
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return 0;
}

static bool row_mergeable(const struct row *a, const struct row *b)
{
	return a->tgid == b->tgid && a->anon == b->anon && a->maj == b->maj &&
	       a->min == b->min && a->ino == b->ino &&
	       !strcmp(a->flags, b->flags) && !strcmp(a->callsite, b->callsite) &&
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

static void print_rows(struct row *rows, int n, bool json, const char *path)
{
	char file[600], age[32];
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
			printf("}");
		}
		printf("]\n");
		return;
	}
	printf("%-7s %-15s %6s %-28s %-13s %6s %6s %-16s %7s %s\n", "TGID", "COMM",
	       "PAGES", "FILE", "RANGE", "PINS", "GETS", "FLAGS", "AGE",
	       "CALLSITE");
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
		printf("%-7d %-15s %6lu %-28s %-13s %6lu %6lu %-16s %7s %s\n",
		       r->tgid, r->comm, r->pages, file, range, r->pins, r->gets,
		       r->flags, age, r->callsite);
	}
}

/* Rows of @l, filtered, sorted and coalesced; returns their count. */
static int build_rows(struct pl_list *l, struct row **out, int pid,
		      bool by_file, unsigned int maj, unsigned int min,
		      unsigned long ino, bool by_dev)
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
		{ }
	};
	unsigned int maj = 0, min = 0;
	unsigned long ino = 0;
	const char *file = NULL, *dev = NULL;
	bool json = false;
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
		default:
			pl_die(PL_EXIT_USAGE, "pins: bad option (usage: pinledger pins [--pid P] [--file F] [--dev MAJ:MIN|MOUNTPOINT] [--json])");
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
	pl_need_debugfs();
	err = pl_read_pins(&l);
	if (err)
		pl_die(PL_EXIT_ERR, "reading %s/pins: %s", PL_DEBUGFS, strerror(-err));
	n = build_rows(&l, &rows, pid, file, maj, min, ino, dev && !file);
	print_rows(rows, n, json, file);
	free(rows);
	pl_list_free(&l);
	return 0;
}

/* ---- who ---------------------------------------------------------------- */

/* Ask debugfs "query" about @path: the answer text, or NULL (errno set). */
static char *query_path(const char *path)
{
	char *abs;
	ssize_t n;
	int fd, err;

	abs = realpath(path, NULL);
	if (!abs)
		return NULL;
	fd = open(PL_DEBUGFS "/query", O_RDWR);
	if (fd < 0) {
		free(abs);
		return NULL;
	}
	n = write(fd, abs, strlen(abs));
	err = errno;
	free(abs);
	if (n < 0) {
		close(fd);
		errno = err;
		return NULL;
	}
	return pl_read_fd(fd);
}

int cmd_who(int argc, char **argv)
{
	unsigned int maj = 0, min = 0, dax = 0;
	unsigned long ino = 0, pinned = 0, unknown = 0;
	const char *path = NULL;
	struct pl_waiter *w = NULL;
	struct pl_list l = { };
	bool json = false;
	char *ans, *line, *save, age[32];
	int i, j, nw, first;

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
	if (access(path, F_OK))
		pl_die(PL_EXIT_ERR, "who: %s: %s", path, strerror(errno));
	pl_need_debugfs();
	ans = query_path(path);
	if (!ans)
		pl_die(PL_EXIT_ERR, "who: query of %s failed: %s%s", path,
		       strerror(errno), errno == EINVAL ? " (not a regular file?)" : "");
	for (line = strtok_r(ans, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct pl_entry e;

		if (sscanf(line, "file=%u:%u:%lu dax=%u", &maj, &min, &ino, &dax) == 4)
			continue;
		if (sscanf(line, "total pinned_pages=%lu unknown_owner_pages=%lu",
			   &pinned, &unknown) == 2)
			continue;
		if (!pl_parse_entry(line, &e)) {
			if (l.n == l.cap) {
				l.cap = l.cap ? l.cap * 2 : 16;
				l.v = realloc(l.v, l.cap * sizeof(*l.v));
				if (!l.v)
					pl_die(PL_EXIT_ERR, "out of memory");
			}
			l.v[l.n++] = e;
		}
	}
	free(ans);
	nw = pl_read_waiters(&w);
	if (nw < 0)
		nw = 0;	/* older module: no waiters listing */

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
				printf(",\"policy\":\"%s\",\"first\":%lu,\"last\":%lu,\"owners\":\"%s\"",
				       w[i].policy, w[i].first, w[i].last, w[i].owners);
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
		printf("  %-13s %-7s %-15s %-16s %6s %6s %7s %s\n", "PAGES", "TGID",
		       "COMM", "FLAGS", "PINS", "GETS", "AGE", "CALLSITE");
		for (i = 0; i < l.n; i++) {
			struct pl_entry *e = &l.v[i];
			char range[32];

			snprintf(range, sizeof(range), "%lu-%lu", e->first, e->last);
			for (j = 0; j < e->nr_owners; j++) {
				struct pl_owner *o = &e->owners[j];

				pl_fmt_age(age, sizeof(age), o->age_ms);
				printf("  %-13s %-7d %-15s %-16s %6u %6u %7s %s\n",
				       j ? "" : range, o->tgid, o->comm, o->flags,
				       o->pins, o->gets, age, o->callsite);
			}
			if (e->unknown_pins || e->unknown_refs)
				printf("  %-13s %-7s %-15s %-16s %6ld %6ld %7s %s\n",
				       e->nr_owners ? "" : range, "?", "(unknown)",
				       "-", e->unknown_pins, e->unknown_refs, "-",
				       "taken before load or untracked");
		}
	}
	for (i = 0, first = 1; i < nw; i++) {
		if (w[i].maj != maj || w[i].min != min || w[i].ino != ino)
			continue;
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
