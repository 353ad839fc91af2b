// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - pinledger(8): subcommand dispatch, common helpers, "status"
 * and "policy".
 *
 *   pinledger status [--json]
 *   pinledger pins [--pid P] [--file F] [--dev D] [--cgroup PATH]
 *		    [--longlived] [--stacks] [--json]
 *   pinledger who FILE [--json]
 *   pinledger policy [wait|revoke|block|default] [--fs FS] [--timeout MS]
 *		      [--signal N] [--grace MS] [--pagecache-unmap allow|skip]
 *		      [--pagecache-clean report|redirty]
 *   pinledger top [-b] [-n FRAMES] [-d SECS] [-k ROWS] [--by process|cgroup]
 *   pinledger hist [--by comm|flags|fs] [--interval S] [--count N] [-m]
 *   pinledger trace [--event NAME] [--count N] [--duration S]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/pinledger.h>
#include "pinledger.h"

const char *pl_prog = "pinledger";
bool pl_verbose;

void pl_die(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", pl_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

void pl_need_module(void)
{
	if (access(PL_SYSFS "/version", F_OK))
		pl_die(PL_EXIT_ERR, "module not loaded (no %s): load it with 'modprobe pinledger' or 'insmod pinledger.ko'",
		       PL_SYSFS);
}

void pl_need_root(const char *why)
{
	if (geteuid())
		pl_die(PL_EXIT_ERR, "%s needs root: run it as root (sudo %s ...)",
		       why, pl_prog);
}

static int dev_fd = -1;

/*
 * Open /dev/pinledger for @why (after the module and root checks), or
 * exit with what to do.
 */
void pl_need_device(const char *why)
{
	char what[128];

	pl_need_module();
	snprintf(what, sizeof(what), "%s (%s)", why, PINLEDGER_DEVICE);
	pl_need_root(what);
	if (dev_fd >= 0)
		return;
	dev_fd = open(PINLEDGER_DEVICE, O_RDONLY | O_CLOEXEC);
	if (dev_fd < 0 && errno == ENOENT)
		pl_die(PL_EXIT_ERR, "%s: no such device: the loaded module is older than this tool, or /dev is not devtmpfs (create it from /sys/class/misc/pinledger/dev)",
		       PINLEDGER_DEVICE);
	if (dev_fd < 0)
		pl_die(PL_EXIT_ERR, "cannot open %s: %s%s", PINLEDGER_DEVICE,
		       strerror(errno), errno == EPERM || errno == EACCES ?
		       " (it needs CAP_SYS_ADMIN)" : "");
}

/* The open /dev/pinledger (pl_need_device() first). */
int pl_device(void)
{
	return dev_fd;
}

/*
 * Everything left to read on @fd, as a NUL-terminated string (caller
 * frees); closes @fd.  NULL on error, errno set.
 */
char *pl_read_fd(int fd)
{
	size_t len = 0, cap = 8192;
	char *buf = malloc(cap);
	ssize_t n;
	int err;

	if (!buf)
		goto fail;
	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				goto fail;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (!n)
			break;
		len += n;
	}
	close(fd);
	buf[len] = 0;
	return buf;
fail:
	err = errno;
	close(fd);
	free(buf);
	errno = err;
	return NULL;
}

/* Whole file as a NUL-terminated string (caller frees), NULL on error. */
char *pl_read_file(const char *path)
{
	int fd = open(path, O_RDONLY);

	return fd < 0 ? NULL : pl_read_fd(fd);
}

/* One sysfs value, trailing newline stripped.  Returns 0 or -errno. */
int pl_read_sysfs(const char *name, char *buf, size_t len)
{
	char path[256];
	char *s;

	snprintf(path, sizeof(path), PL_SYSFS "/%s", name);
	s = pl_read_file(path);
	if (!s)
		return -errno;
	snprintf(buf, len, "%s", s);
	free(s);
	len = strlen(buf);
	while (len && buf[len - 1] == '\n')
		buf[--len] = 0;
	return 0;
}

int pl_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	return 0;
}

/* Mount point of device MAJ:MIN (first in mountinfo), or NULL. */
const char *pl_mount_of(unsigned int maj, unsigned int min)
{
	static char mnt[512];
	char line[4096];
	unsigned int a, b;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... */
		if (sscanf(line, "%*u %*u %u:%u %*s %511s", &a, &b, mnt) == 3 &&
		    a == maj && b == min) {
			fclose(f);
			return mnt;
		}
	}
	fclose(f);
	return NULL;
}

/* "MAJ:MIN" or a path on the filesystem.  Returns 0 or -errno. */
int pl_parse_dev(const char *s, unsigned int *maj, unsigned int *min)
{
	struct stat st;
	char c;

	if (sscanf(s, "%u:%u%c", maj, min, &c) == 2)
		return 0;
	if (stat(s, &st))
		return -errno;
	*maj = major(st.st_dev);
	*min = minor(st.st_dev);
	return 0;
}

void pl_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void pl_fmt_age(char *buf, size_t len, unsigned long long ms)
{
	if (ms < 1000)
		snprintf(buf, len, "%llums", ms);
	else if (ms < 600000)
		snprintf(buf, len, "%.1fs", ms / 1000.0);
	else if (ms < 36000000)
		snprintf(buf, len, "%llum", ms / 60000);
	else
		snprintf(buf, len, "%lluh", ms / 3600000);
}

/* ---- status ------------------------------------------------------------ */

static const char *const knobs[] = {
	"version", "features", "policy", "wait_timeout_ms", "revoke_signal",
	"revoke_grace_ms", "pagecache_unmap_policy", "pagecache_clean_policy",
	"deferred_evictions", "longlived_ms", "capture_stacks",
};

struct kv {
	char name[64];
	char value[64];
};

static struct kv *kv_add(struct kv *v, int *n, const char *name,
			 const char *value)
{
	int i;

	for (i = 0; i < *n; i++)
		if (!strcmp(v[i].name, name))
			return v;
	v = realloc(v, (*n + 1) * sizeof(*v));
	if (!v)
		pl_die(PL_EXIT_ERR, "out of memory");
	snprintf(v[*n].name, sizeof(v[*n].name), "%s", name);
	snprintf(v[*n].value, sizeof(v[*n].value), "%s", value);
	(*n)++;
	return v;
}

/* Names of enum pinledger_counter, as in sysfs and debugfs. */
static const char *const counter_names[] = {
	[PINLEDGER_CTR_LIVE_PAGES] = "live_pages",
	[PINLEDGER_CTR_LIVE_PINS] = "live_pins",
	[PINLEDGER_CTR_LIVE_GETS] = "live_gets",
	[PINLEDGER_CTR_ACQUIRED_PINS] = "acquired_pins",
	[PINLEDGER_CTR_ACQUIRED_GETS] = "acquired_gets",
	[PINLEDGER_CTR_RELEASED_PINS] = "released_pins",
	[PINLEDGER_CTR_RELEASED_GETS] = "released_gets",
	[PINLEDGER_CTR_UNTRACKED] = "untracked",
	[PINLEDGER_CTR_MISSED_CALLS] = "missed_calls",
	[PINLEDGER_CTR_UNMATCHED_RELEASES] = "unmatched_releases",
	[PINLEDGER_CTR_RECONCILED] = "reconciled",
	[PINLEDGER_CTR_LEDGER_BYTES] = "ledger_bytes",
	[PINLEDGER_CTR_PAGECACHE_UNMAP_PINNED] = "pagecache_unmap_pinned",
	[PINLEDGER_CTR_PAGECACHE_UNMAP_SKIPPED] = "pagecache_unmap_skipped",
	[PINLEDGER_CTR_PAGECACHE_UNMAP_UNSKIPPABLE] = "pagecache_unmap_unskippable",
	[PINLEDGER_CTR_PAGECACHE_CLEANED_PINNED] = "pagecache_cleaned_pinned",
	[PINLEDGER_CTR_PAGECACHE_WRITE_UNPINNED] = "pagecache_write_unpinned",
	[PINLEDGER_CTR_PAGECACHE_REDIRTIED] = "pagecache_redirtied",
	[PINLEDGER_CTR_PAGECACHE_REDIRTY_FAILED] = "pagecache_redirty_failed",
	[PINLEDGER_CTR_DAX_FINAL_TRUNCATES] = "dax_final_truncates",
	[PINLEDGER_CTR_LAYOUT_BREAKS] = "layout_breaks",
	[PINLEDGER_CTR_LAYOUT_BUSY] = "layout_busy",
	[PINLEDGER_CTR_LAYOUT_REFUSED] = "layout_refused",
	[PINLEDGER_CTR_REVOKE_SIGNALS] = "revoke_signals",
	[PINLEDGER_CTR_EVICTIONS_DEFERRED] = "evictions_deferred",
	[PINLEDGER_CTR_EVICTIONS_COMPLETED] = "evictions_completed",
	[PINLEDGER_CTR_DEFER_FAILURES] = "defer_failures",
	[PINLEDGER_CTR_OWNER_ALLOC_FAILURES] = "owner_alloc_failures",
	[PINLEDGER_CTR_INJECTED_ALLOC_FAILURES] = "injected_alloc_failures",
	[PINLEDGER_CTR_JOURNAL_ABSORBS] = "journal_absorbs",
	[PINLEDGER_CTR_JOURNAL_CANCELLED] = "journal_cancelled",
	[PINLEDGER_CTR_JOURNAL_FULL] = "journal_full",
	[PINLEDGER_CTR_LOST_RELEASES] = "lost_releases",
	[PINLEDGER_CTR_LONGLIVED_PINS] = "longlived_pins",
	[PINLEDGER_CTR_STACKS_SAVED] = "stacks_saved",
	[PINLEDGER_CTR_STACKS_DISTINCT] = "stacks_distinct",
	[PINLEDGER_CTR_STACKS_DROPPED] = "stacks_dropped",
};
_Static_assert(sizeof(counter_names) / sizeof(counter_names[0]) == PINLEDGER_CTR_NR,
	       "a counter without a name");

/*
 * Counters: every one through /dev/pinledger for root; for anyone else
 * (or an older module), those sysfs counters/ has.
 */
static int read_counters(struct kv **out)
{
	long long values[PINLEDGER_CTR_NR];
	struct pinledger_counters req;
	char path[128], val[64];
	struct kv *v = NULL;
	size_t i;
	int n = 0;

	if (!geteuid()) {
		pl_need_device("reading counters");
		memset(&req, 0, sizeof(req));
		req.size = sizeof(req);
		req.nr = PINLEDGER_CTR_NR;
		req.values = (unsigned long)values;
		if (ioctl(pl_device(), PINLEDGER_IOC_COUNTERS, &req))
			pl_die(PL_EXIT_ERR, "reading counters through %s failed: %s",
			       PINLEDGER_DEVICE, strerror(errno));
		for (i = 0; i < req.nr; i++) {
			snprintf(val, sizeof(val), "%lld", values[i]);
			v = kv_add(v, &n, counter_names[i], val);
		}
		*out = v;
		return n;
	}
	for (i = 0; i < PINLEDGER_CTR_NR; i++) {
		snprintf(path, sizeof(path), "counters/%s", counter_names[i]);
		if (!pl_read_sysfs(path, val, sizeof(val)))
			v = kv_add(v, &n, counter_names[i], val);
	}
	*out = v;
	return n;
}

/* Pins per cgroup (root: the ledger through /dev/pinledger). */
struct cg_row {
	unsigned long long id;
	unsigned long pages, pins, gets, longlived_pages;
};

static int cgroup_view(struct cg_row **out)
{
	struct cg_row *v = NULL;
	struct pl_list l;
	int i, j, k, n = 0;

	*out = NULL;
	if (geteuid() || pl_read_pins(&l))
		return -1;
	for (i = 0; i < l.n; i++) {
		struct pl_entry *e = &l.v[i];

		for (j = 0; j < e->nr_owners; j++) {
			struct pl_owner *o = &e->owners[j];
			bool first = true, ll = o->longlived;
			struct cg_row *c = NULL;

			for (k = 0; k < n; k++)
				if (v[k].id == o->cgroup)
					c = &v[k];
			if (!c) {
				v = realloc(v, (n + 1) * sizeof(*v));
				if (!v)
					pl_die(PL_EXIT_ERR, "out of memory");
				c = &v[n++];
				memset(c, 0, sizeof(*c));
				c->id = o->cgroup;
			}
			c->pins += o->pins;
			c->gets += o->gets;
			/* A page counts once per cgroup. */
			for (k = 0; k < j; k++)
				if (e->owners[k].cgroup == o->cgroup)
					first = false;
			for (k = j + 1; k < e->nr_owners; k++)
				if (e->owners[k].cgroup == o->cgroup)
					ll |= e->owners[k].longlived;
			if (first) {
				c->pages++;
				c->longlived_pages += ll;
			}
		}
	}
	pl_list_free(&l);
	*out = v;
	return n;
}

/*
 * A per-filesystem table of sysfs @name ("MAJ:MIN VALUE" lines): a JSON
 * array of {dev, mount, @vkey: VALUE (a number with @numeric)}, or a
 * heading and one indented line per filesystem.
 */
static void fs_table(const char *name, const char *vkey, bool numeric,
		     bool json)
{
	char path[256], *t, *line, *save;
	bool first = true;

	snprintf(path, sizeof(path), PL_SYSFS "/%s", name);
	t = pl_read_file(path);
	if (json)
		printf(",\"%s\":[", name);
	else
		printf("%-24s %s\n", name, t && *t ? "" : "(none)");
	for (line = t ? strtok_r(t, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned int maj, min;
		const char *mnt;
		char val[32];

		if (sscanf(line, "%u:%u %31s", &maj, &min, val) != 3)
			continue;
		mnt = pl_mount_of(maj, min);
		if (json) {
			printf("%s{\"dev\":\"%u:%u\",\"mount\":", first ? "" : ",",
			       maj, min);
			pl_json_str(stdout, mnt ? mnt : "");
			printf(numeric ? ",\"%s\":%s}" : ",\"%s\":\"%s\"}", vkey, val);
		} else {
			printf("  %u:%u %-20s %s\n", maj, min, mnt ? mnt : "?", val);
		}
		first = false;
	}
	if (json)
		printf("]");
	free(t);
}

static int cmd_status(int argc, char **argv)
{
	char val[256];
	bool json = false;
	struct cg_row *cg;
	struct kv *c;
	int i, n, ncg;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else
			pl_die(PL_EXIT_USAGE, "status: unknown argument '%s' (usage: pinledger status [--json])",
			       argv[i]);
	}
	pl_need_module();
	n = read_counters(&c);

	if (json)
		printf("{");
	for (i = 0; i < (int)(sizeof(knobs) / sizeof(knobs[0])); i++) {
		if (pl_read_sysfs(knobs[i], val, sizeof(val)))
			continue;
		if (json) {
			printf("%s\"%s\":", i ? "," : "", knobs[i]);
			pl_json_str(stdout, val);
		} else {
			printf("%-24s %s\n", knobs[i], val);
		}
	}
	fs_table("fs_policy", "policy", false, json);
	fs_table("fs_longlived_ms", "ms", true, json);
	ncg = cgroup_view(&cg);
	if (json)
		printf(",\"cgroups\":[");
	else if (ncg > 0)
		printf("pins by cgroup:\n  %-32s %8s %8s %8s %10s\n", "CGROUP",
		       "PAGES", "PINS", "GETS", "LONGLIVED");
	for (i = 0; i < ncg; i++) {
		char name[4096];

		pl_cgroup_name(cg[i].id, name, sizeof(name));
		if (json) {
			printf("%s{\"cgroup_id\":%llu,\"cgroup\":", i ? "," : "",
			       cg[i].id);
			pl_json_str(stdout, name);
			printf(",\"pages\":%lu,\"pins\":%lu,\"gets\":%lu,\"longlived_pages\":%lu}",
			       cg[i].pages, cg[i].pins, cg[i].gets,
			       cg[i].longlived_pages);
		} else {
			printf("  %-32s %8lu %8lu %8lu %10lu\n", name, cg[i].pages,
			       cg[i].pins, cg[i].gets, cg[i].longlived_pages);
		}
	}
	free(cg);
	if (json)
		printf("],\"counters\":{");
	else
		printf("counters%s:\n", geteuid() ? " (sysfs; root sees more)" : "");
	for (i = 0; i < n; i++) {
		if (json)
			printf("%s\"%s\":%s", i ? "," : "", c[i].name, c[i].value);
		else
			printf("  %-26s %s\n", c[i].name, c[i].value);
	}
	if (json)
		printf("}}\n");
	free(c);
	return 0;
}

/* ---- policy ------------------------------------------------------------ */

static void set_knob(const char *name, const char *val)
{
	char path[256];
	int err;

	snprintf(path, sizeof(path), PL_SYSFS "/%s", name);
	err = pl_write_file(path, val);
	if (err)
		pl_die(PL_EXIT_ERR, "setting %s to '%s' failed: %s (see dmesg and pinledger(8))",
		       name, val, strerror(-err));
}

static bool one_of(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(s, *set))
			return true;
	return false;
}

static int cmd_policy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fs", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ "signal", required_argument, NULL, 's' },
		{ "grace", required_argument, NULL, 'g' },
		{ "pagecache-unmap", required_argument, NULL, 'u' },
		{ "pagecache-clean", required_argument, NULL, 'c' },
		{ }
	};
	static const char *const policies[] = { "wait", "revoke", "block", NULL };
	static const char *const unmap[] = { "allow", "skip", NULL };
	static const char *const clean[] = { "report", "redirty", NULL };
	const char *fs = NULL, *timeout = NULL, *sig = NULL, *grace = NULL;
	const char *pcu = NULL, *pcc = NULL, *pol = NULL;
	char buf[600], *end;
	int o, changes = 0;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'f': fs = optarg; break;
		case 't': timeout = optarg; break;
		case 's': sig = optarg; break;
		case 'g': grace = optarg; break;
		case 'u': pcu = optarg; break;
		case 'c': pcc = optarg; break;
		default:
			pl_die(PL_EXIT_USAGE, "policy: bad option (usage: pinledger policy [wait|revoke|block|default] [--fs FS] [--timeout MS] [--signal N] [--grace MS] [--pagecache-unmap allow|skip] [--pagecache-clean report|redirty])");
		}
	}
	if (optind < argc)
		pol = argv[optind++];
	if (optind < argc)
		pl_die(PL_EXIT_USAGE, "policy: unexpected argument '%s'", argv[optind]);
	if (pol && !one_of(pol, policies) && !(fs && !strcmp(pol, "default")))
		pl_die(PL_EXIT_USAGE, "policy: unknown policy '%s': use wait, revoke or block (\"default\" with --fs)",
		       pol);
	if (fs && !pol)
		pl_die(PL_EXIT_USAGE, "policy: --fs needs a policy: pinledger policy wait|revoke|block|default --fs FS");
	if (pcu && !one_of(pcu, unmap))
		pl_die(PL_EXIT_USAGE, "policy: --pagecache-unmap takes allow or skip");
	if (pcc && !one_of(pcc, clean))
		pl_die(PL_EXIT_USAGE, "policy: --pagecache-clean takes report or redirty");
	if (timeout && (strtoul(timeout, &end, 10), *end || !*timeout))
		pl_die(PL_EXIT_USAGE, "policy: --timeout takes milliseconds (0: no bound)");
	if (grace && (strtoul(grace, &end, 10), *end || !*grace))
		pl_die(PL_EXIT_USAGE, "policy: --grace takes milliseconds");
	if (sig && (strtoul(sig, &end, 10), *end || !*sig))
		pl_die(PL_EXIT_USAGE, "policy: --signal takes a signal number (1..64)");
	pl_need_module();
	if (pol || timeout || sig || grace || pcu || pcc)
		pl_need_root("changing policies");

	if (fs) {
		unsigned int maj, min;
		int err;

		/* The module takes a path too; check it here for a clear error. */
		err = pl_parse_dev(fs, &maj, &min);
		if (err)
			pl_die(PL_EXIT_ERR, "--fs %s: %s (give a mount point or MAJ:MIN)",
			       fs, strerror(-err));
		snprintf(buf, sizeof(buf), "%s %s", fs, pol);
		set_knob("fs_policy", buf);
		changes++;
	} else if (pol) {
		set_knob("policy", pol);
		changes++;
	}
	if (timeout)
		set_knob("wait_timeout_ms", timeout), changes++;
	if (sig)
		set_knob("revoke_signal", sig), changes++;
	if (grace)
		set_knob("revoke_grace_ms", grace), changes++;
	if (pcu)
		set_knob("pagecache_unmap_policy", pcu), changes++;
	if (pcc)
		set_knob("pagecache_clean_policy", pcc), changes++;

	/* Print what is in force now. */
	{
		static const char *const show[] = {
			"policy", "wait_timeout_ms", "revoke_signal",
			"revoke_grace_ms", "pagecache_unmap_policy",
			"pagecache_clean_policy",
		};
		char val[64], *fsp, *line, *save;
		size_t i;

		for (i = 0; i < sizeof(show) / sizeof(show[0]); i++)
			if (!pl_read_sysfs(show[i], val, sizeof(val)))
				printf("%-24s %s\n", show[i], val);
		fsp = pl_read_file(PL_SYSFS "/fs_policy");
		for (line = fsp ? strtok_r(fsp, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save)) {
			unsigned int maj, min;
			char p[32];
			const char *mnt;

			if (sscanf(line, "%u:%u %31s", &maj, &min, p) != 3)
				continue;
			mnt = pl_mount_of(maj, min);
			printf("fs_policy                %u:%u %s %s\n", maj, min,
			       mnt ? mnt : "?", p);
		}
		free(fsp);
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pinledger [-v] COMMAND [ARGS]\n"
		"  status [--json]                     module version, policies, counters\n"
		"  pins [--pid P] [--file F] [--dev D] [--cgroup PATH] [--longlived]\n"
		"       [--stacks] [--json]\n"
		"                                      live pins, one line per range\n"
		"  who FILE [--json]                   who pins FILE, which layout changes wait\n"
		"  policy [wait|revoke|block|default] [--fs FS] [--timeout MS] [--signal N]\n"
		"         [--grace MS] [--pagecache-unmap allow|skip]\n"
		"         [--pagecache-clean report|redirty]   read or set policies\n"
		"  top [-b] [-n FRAMES] [-d SECS] [-k ROWS] [--by process|cgroup]\n"
		"                                      pin holders, refreshing\n"
		"  hist [--by comm|flags|fs] [--interval S] [--count N] [-m]\n"
		"                                      pin lifetime and layout wait histograms\n"
		"  trace [--event NAME] [--count N] [--duration S]\n"
		"                                      the module's events, one per line\n"
		"See pinledger(8).\n");
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "status", cmd_status }, { "pins", cmd_pins }, { "who", cmd_who },
		{ "policy", cmd_policy }, { "top", cmd_top }, { "hist", cmd_hist },
		{ "trace", cmd_trace },
	};
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--verbose")) {
			pl_verbose = true;
		} else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			usage(stdout);
			return 0;
		} else {
			pl_die(PL_EXIT_USAGE, "unknown option '%s': see 'pinledger --help'",
			       argv[1]);
		}
		argc--;
		argv++;
	}
	if (argc < 2) {
		usage(stderr);
		return PL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	pl_die(PL_EXIT_USAGE, "unknown command '%s': see 'pinledger --help'",
	       argv[1]);
}
