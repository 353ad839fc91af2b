// SPDX-License-Identifier: GPL-2.0
/*
 * cgroups.c - pins by cgroup: names and the per-cgroup view.
 *
 * DOC: cgroup attribution
 *
 * Every owner record carries the cgroup v2 id of the task that took its
 * references (pl_current_cgroup(), read when the GUP call is journaled),
 * shown in the listings, PINLEDGER_IOC_PINS / _QUERY and the events.  The
 * module shows ids only: the id is the inode number of the cgroup's
 * directory under a cgroup2 mount, which is how `pinledger` names it by
 * path.  (Resolving ids here would mean dropping a cgroup reference, an
 * indirect call through the cgroup's release function, which
 * scripts/check-ibt.sh keeps out of the module.)  Attribution is for
 * reporting: who may be signalled under the revoke policy is decided by
 * permission checks against the pin owner's task (module/guard.c), and a
 * cgroup widens nothing.
 *
 * debugfs "cgroups" sums the ledger per cgroup: pages held (a page held
 * by two owners of one cgroup counts once), FOLL_PIN and FOLL_GET
 * references, and pages held by an owner reported long-lived.  It walks
 * the index as the pins listing does, so it is as exact as that listing:
 * a page's holders beyond the first PL_SNAP_OWNERS are not attributed
 * (counted under "unattributed_pages").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include "pinledger.h"
#include "pinledger_ledger.h"
#include "pinledger_origin.h"

#define VIEW_MAX	1024		/* cgroups the view tells apart */

struct cg_sum {
	u64 id;
	u64 pages;
	u64 pins;
	u64 gets;
	u64 longlived_pages;
};

struct cg_view {
	struct cg_sum *v;
	int n;
	u64 unattributed;
	u64 overflow;		/* pages of cgroups beyond VIEW_MAX */
};

static struct cg_sum *cg_find(struct cg_view *cv, u64 id)
{
	int i;

	for (i = 0; i < cv->n; i++)
		if (cv->v[i].id == id)
			return &cv->v[i];
	if (cv->n == VIEW_MAX)
		return NULL;
	cv->v[cv->n] = (struct cg_sum){ .id = id };
	return &cv->v[cv->n++];
}

/* Add one ledger entry to the view. */
static void cg_add(struct cg_view *cv, const struct pinledger_snap *s)
{
	u32 i, k;

	if (!s->nr_owners || s->more_owners)
		cv->unattributed++;
	for (i = 0; i < s->nr_owners; i++) {
		const struct pinledger_snap_owner *o = &s->owners[i];
		struct cg_sum *c = cg_find(cv, o->cgroup);
		bool first = true, ll = o->longlived;

		if (!c) {
			cv->overflow++;
			continue;
		}
		c->pins += o->pins;
		c->gets += o->gets;
		/* A page counts once per cgroup: at its first owner there. */
		for (k = 0; k < i; k++)
			if (s->owners[k].cgroup == o->cgroup)
				first = false;
		for (k = i + 1; k < s->nr_owners; k++)
			if (s->owners[k].cgroup == o->cgroup)
				ll |= s->owners[k].longlived;
		if (first) {
			c->pages++;
			if (ll)
				c->longlived_pages++;
		}
	}
}

static int cgroups_show(struct seq_file *m, void *unused)
{
	struct pinledger_cursor cur = { 0 };
	struct pinledger_snap *s;
	struct cg_view cv = { 0 };
	unsigned long seen = 0;
	int i, ret = -ENOMEM;

	s = kmalloc(sizeof(*s), GFP_KERNEL);
	cv.v = kvmalloc_array(VIEW_MAX, sizeof(*cv.v), GFP_KERNEL);
	if (!s || !cv.v)
		goto out;
	while (pinledger_ledger_next(&cur, s)) {
		cg_add(&cv, s);
		if (!(++seen % 256))
			cond_resched();
	}
	for (i = 0; i < cv.n; i++) {
		struct cg_sum *c = &cv.v[i];

		seq_printf(m, "cgroup=%llu pages=%llu pins=%llu gets=%llu longlived_pages=%llu\n",
			   c->id, c->pages, c->pins, c->gets, c->longlived_pages);
	}
	if (cv.unattributed)
		seq_printf(m, "unattributed_pages=%llu\n", cv.unattributed);
	if (cv.overflow)
		seq_printf(m, "beyond_%d_cgroups_pages=%llu\n", VIEW_MAX,
			   cv.overflow);
	ret = 0;
out:
	kvfree(cv.v);
	kfree(s);
	return ret;
}
DEFINE_SHOW_ATTRIBUTE(cgroups);

/**
 * pinledger_cgroups_debugfs - create debugfs "cgroups".
 * @dir: the module's debugfs directory.
 *
 * Context: process context; module init.
 */
void pinledger_cgroups_debugfs(struct dentry *dir)
{
	debugfs_create_file("cgroups", 0400, dir, NULL, &cgroups_fops);
}
