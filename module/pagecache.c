// SPDX-License-Identifier: GPL-2.0
/*
 * pagecache.c - pinned page-cache folios: reclaim unmapping them and
 * writeback cleaning them, each acted on by a policy.
 *
 * DOC: page-cache policies
 *
 * A pin holds a page, not its place in a file (background.md).  For
 * ordinary page-cache files two kernel paths act on pinned folios behind
 * the pin holder's back; hooks/pagecache.c hands both to this file:
 *
 * try_to_unmap_one() (reclaim and friends).  Every call on a page-cache
 * folio that is pinned - the ledger has FOLL_PIN references on it, or its
 * refcount shows pins taken before load (pinledger_unexplained_refs()) -
 * is counted and traced (pagecache_unmap).  Policy pagecache_unmap_policy:
 * "allow" (default) lets it run; "skip" makes the hook redirect the call to
 * a stub returning false, which stops the rmap walk and leaves the folio
 * mapped - but only where the caller handles a folio left mapped:
 *
 *   caller (6.1 / 6.12)				ttu flags	left mapped ->
 *   shrink_folio_list  vmscan.c:1887 / :1326	BATCH_FLUSH	nr_unmap_fail,
 *     (also MADV_PAGEOUT, DAMON: reclaim_pages)	[|SPLIT_HUGE_PMD]	activate_locked
 *							[|SYNC 6.12]
 *   collapse_file      khugepaged.c:1978 / :1989	IGNORE_MLOCK|	refcount check
 *							BATCH_FLUSH	fails: SCAN_PAGE_COUNT
 *   unmap_folio (THP split)  huge_memory.c:2422 / :3044  RMAP_LOCKED|...	NO: pinned
 *     folios were refused by can_split_folio() before; it expects success
 *   try_folio_split_or_unmap  truncate.c:217 / :200	SYNC|SPLIT_HUGE_PMD|	NO:
 *							IGNORE_MLOCK	WARN_ON(folio_mapped)
 *   hwpoison_user_mappings / unmap_poisoned_folio	IGNORE_MLOCK|SYNC	NO: memory
 *     memory-failure.c:1501 / :1625, vmscan.c:1091 (6.12),	[|HWPOISON]	failure must
 *     memory_hotplug.c:1662 / :1838 (poisoned pages)	[|RMAP_LOCKED]	not be blocked
 *   migration uses try_to_migrate_one(), not hooked.
 *
 * try_to_unmap() is not exported: these mm/ callers are all there is.
 * Hence the rule (unmap_skippable()): skip only when the flags include
 * TTU_BATCH_FLUSH and neither TTU_RMAP_LOCKED nor TTU_HWPOISON, and the
 * folio is not hardware-poisoned (memory-failure drops TTU_HWPOISON for
 * clean and swap-cache pages, memory-failure.c:1458,1473 / :1586,1601, so
 * the flag alone does not identify it; PG_hwpoison is set before unmapping).
 * Every other pinned unmap is traced with the reason it was not skipped.
 *
 * page_mkclean_one() (writeback write-protecting a shared mapping, from
 * folio_clear_dirty_for_io(); also pagecache_isize_extended(), 6.12's
 * ext4_truncate_folio() - write-protect only, a mark from there costs one
 * extra write-back - and memory-failure, which is ignored).  A folio the ledger has write pins on
 * is counted, traced (pagecache_mkclean) and its entry marked "cleaned
 * while pinned"; pins of unknown owners are traced too but cannot be
 * marked.  What the device writes after that is in a clean folio: reclaim
 * or drop_caches may discard it unless the releasing code dirties it.
 * Policy pagecache_clean_policy: "report" (default) stops there;
 * "redirty" makes the release of the folio's last write pin (which the
 * ledger announces to this file, subscribed from init to exit:
 * PL_LEDGER_NOTIFY_CLEANED_UNPINNED; any context up to hard IRQ) take a
 * folio reference and queue it; a worker locks the folio and marks it dirty
 * with folio_mark_dirty(), so the data reaches storage.  A folio truncated
 * meanwhile is left alone.  Module exit drains the queue.
 *
 * Limits: writeback of a pinned folio that is no longer mapped anywhere
 * (the holder unmapped it) does not pass page_mkclean_one() and is not
 * seen; FOLL_GET references are not pins and do not count.
 *
 * PREEMPT_RT: the hooks run with preemption disabled, where the ledger's
 * spinlock_t bucket locks sleep, and page-cache pins are journaled there
 * (module/journal.c), so the hooks do not read the ledger: every pin they
 * see is counted and traced as of an unknown owner (refcount), "cleaned
 * while pinned" is not marked, and "redirty" is refused (EOPNOTSUPP).
 * "skip" works as elsewhere: it decides by refcount.
 *
 * Locking: redirty_list is a lock-less llist (producers any context,
 * the worker the only consumer).  The knobs are single words read with
 * READ_ONCE().  Hooks call in with the folio locked and i_mmap_rwsem held
 * (and for the unmap, possibly in reclaim): nothing here sleeps or
 * allocates beyond GFP_NOWAIT, and the only lock taken is a ledger lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/rmap.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/llist.h>
#include <linux/workqueue.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/moduleparam.h>
#include "pinledger.h"
#include "pinledger_ledger.h"
#include "pinledger_pagecache.h"
#include "pinledger_trace.h"

static unsigned int unmap_policy = PL_UNMAP_ALLOW;
static unsigned int clean_policy = PL_CLEAN_REPORT;

/* One folio waiting for the redirty worker; holds a folio reference. */
struct redirty_req {
	struct llist_node node;
	struct folio *folio;
};

static LLIST_HEAD(redirty_list);
static struct work_struct redirty_work;
static bool redirty_live;

static bool folio_poisoned(struct folio *folio)
{
	return folio_test_hwpoison(folio) ||
	       (folio_test_large(folio) && folio_test_has_hwpoisoned(folio));
}

/* Does the ttu caller handle a folio left mapped?  See DOC for evidence. */
static bool unmap_skippable(struct folio *folio, unsigned long ttu)
{
	return (ttu & TTU_BATCH_FLUSH) &&
	       !(ttu & (TTU_RMAP_LOCKED | TTU_HWPOISON)) &&
	       !folio_poisoned(folio);
}

/* Pins on @folio: recorded in *@known, of unknown owners in *@unknown. */
static bool folio_pins(struct folio *folio, u32 *known, u32 *write,
		       long *unknown, bool mark_cleaned)
{
	long xgets;

	/* Cheap filter: any FOLL_PIN makes this true (mm.h). */
	if (!folio_maybe_dma_pinned(folio))
		return false;
	/*
	 * PREEMPT_RT: the ledger's bucket lock sleeps, and this is a probe
	 * handler: every pin counts as of an unknown owner (see DOC).
	 */
	if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
		*known = 0;
		if (write)
			*write = 0;
	} else {
		*known = pinledger_ledger_pins(folio, write, mark_cleaned);
	}
	pinledger_unexplained_refs(folio, *known, 0, unknown, &xgets);
	return *known || *unknown;
}

/**
 * pinledger_pagecache_unmap - try_to_unmap_one() is about to unmap a folio.
 * @folio:	the folio (locked).
 * @address:	its address in the VMA being walked.
 * @ttu:	the enum ttu_flags the caller passed to try_to_unmap().
 *
 * Counts and traces pinned page-cache folios; decides by
 * pagecache_unmap_policy and the caller rule in the DOC above.
 *
 * Context: ftrace callback (preemption disabled) in the rmap walk:
 * folio locked, i_mmap_rwsem held for read, possibly in reclaim.  Does
 * not sleep or allocate.
 * Return: true if the call must be skipped (the folio stays mapped).
 */
bool pinledger_pagecache_unmap(struct folio *folio, unsigned long address,
			       unsigned long ttu)
{
	unsigned int action = PL_UNMAP_ALLOWED;
	unsigned long ino;
	long unknown;
	pgoff_t index;
	u32 known;
	dev_t dev;

	if (!pinledger_folio_file(folio, &dev, &ino, &index))
		return false;
	if (!folio_pins(folio, &known, NULL, &unknown, false))
		return false;
	pinledger_inc(pagecache_unmap_pinned);
	if (READ_ONCE(unmap_policy) == PL_UNMAP_SKIP) {
		if (unmap_skippable(folio, ttu)) {
			action = PL_UNMAP_SKIPPED;
			pinledger_inc(pagecache_unmap_skipped);
		} else {
			action = folio_poisoned(folio) || (ttu & TTU_HWPOISON) ?
				 PL_UNMAP_HWPOISON : PL_UNMAP_REQUIRED;
			pinledger_inc(pagecache_unmap_unskippable);
		}
	}
	trace_pagecache_unmap(folio_pfn(folio), dev, ino, index, address, ttu,
			      known, unknown, action);
	return action == PL_UNMAP_SKIPPED;
}

/**
 * pinledger_pagecache_mkclean - page_mkclean_one() write-protects a folio.
 * @folio:	the folio (locked).
 * @address:	its address in the VMA being walked.
 *
 * A folio pinned for write is counted, traced and marked "cleaned while
 * pinned" in the ledger (see DOC).
 *
 * Context: ftrace callback (preemption disabled) in the rmap walk: folio
 * locked, i_mmap_rwsem held for read.  Does not sleep or allocate.
 */
void pinledger_pagecache_mkclean(struct folio *folio, unsigned long address)
{
	unsigned long ino;
	long unknown;
	pgoff_t index;
	u32 known, write;
	dev_t dev;

	if (!pinledger_folio_file(folio, &dev, &ino, &index) || folio_poisoned(folio))
		return;
	if (!folio_pins(folio, &known, &write, &unknown, true))
		return;
	/* Read-only pins: the device does not write, nothing can be lost. */
	if (!write && !unknown)
		return;
	pinledger_inc(pagecache_cleaned_pinned);
	trace_pagecache_mkclean(folio_pfn(folio), dev, ino, index, address,
				write, unknown, READ_ONCE(clean_policy));
}

static void trace_redirty(struct folio *folio, unsigned int action)
{
	unsigned long ino = 0;
	pgoff_t index = 0;
	dev_t dev = 0;

	if (!trace_pagecache_redirty_enabled())
		return;
	rcu_read_lock();	/* the inode, if the folio is being truncated */
	pinledger_folio_file(folio, &dev, &ino, &index);
	rcu_read_unlock();
	trace_pagecache_redirty(folio_pfn(folio), dev, ino, index, action);
}

/**
 * pinledger_notify_cleaned_unpinned - the last write pin of a folio cleaned
 * while pinned is being released (ledger notification, subscribed to by
 * pinledger_pagecache_init()).
 * @folio:	the folio; the releasing caller still holds the pin.
 *
 * With pagecache_clean_policy "redirty", queues the folio (with a
 * reference of its own) for the worker that dirties it again.
 *
 * Context: any but NMI, including hard IRQ; does not sleep; allocates
 * with GFP_NOWAIT.
 */
void pinledger_notify_cleaned_unpinned(struct folio *folio)
{
	struct redirty_req *r;

	pinledger_inc(pagecache_write_unpinned);
	if (READ_ONCE(clean_policy) != PL_CLEAN_REDIRTY ||
	    !READ_ONCE(redirty_live)) {
		trace_redirty(folio, PL_REDIRTY_REPORTED);
		return;
	}
	r = kmalloc(sizeof(*r), GFP_NOWAIT | __GFP_NOWARN);
	if (!r) {
		pinledger_inc(pagecache_redirty_failed);
		trace_redirty(folio, PL_REDIRTY_NOMEM);
		return;
	}
	folio_get(folio);
	r->folio = folio;
	trace_redirty(folio, PL_REDIRTY_QUEUED);
	if (llist_add(&r->node, &redirty_list))
		schedule_work(&redirty_work);
}

static void redirty_fn(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&redirty_list);
	struct redirty_req *r, *next;

	llist_for_each_entry_safe(r, next, list, node) {
		struct folio *folio = r->folio;
		unsigned long ino;
		pgoff_t index;
		dev_t dev;

		folio_lock(folio);
		/* Under the folio lock a page-cache folio stays in its file. */
		if (pinledger_folio_file(folio, &dev, &ino, &index)) {
			folio_mark_dirty(folio);
			pinledger_inc(pagecache_redirtied);
			trace_pagecache_redirty(folio_pfn(folio), dev, ino, index,
						PL_REDIRTY_DIRTIED);
		} else {
			pinledger_inc(pagecache_redirty_failed);
			trace_pagecache_redirty(folio_pfn(folio), 0, 0, 0,
						PL_REDIRTY_GONE);
		}
		folio_unlock(folio);
		folio_put(folio);
		kfree(r);
		cond_resched();
	}
}

static const char *const unmap_names[] = {
	[PL_UNMAP_ALLOW] = "allow",
	[PL_UNMAP_SKIP] = "skip",
};

static const char *const clean_names[] = {
	[PL_CLEAN_REPORT] = "report",
	[PL_CLEAN_REDIRTY] = "redirty",
};

/* A page-cache policy knob: its value and its names. */
struct name_knob {
	unsigned int *val;
	const char *const *names;
	size_t n;
	const char *name;
};

static const struct name_knob unmap_knob = {
	&unmap_policy, unmap_names, ARRAY_SIZE(unmap_names), "pagecache_unmap_policy" };
static const struct name_knob clean_knob = {
	&clean_policy, clean_names, ARRAY_SIZE(clean_names), "pagecache_clean_policy" };

static ssize_t knob_show(char *buf, const struct name_knob *k)
{
	unsigned int v = READ_ONCE(*k->val);

	return sysfs_emit(buf, "%s\n", v < k->n ? k->names[v] : "?");
}

static int knob_set(const struct name_knob *k, const char *buf)
{
	int i = __sysfs_match_string(k->names, k->n, buf);

	if (i < 0) {
		pr_info_ratelimited("%s: want %s or %s\n", k->name, k->names[0],
				    k->names[1]);
		return -EINVAL;
	}
	if (IS_ENABLED(CONFIG_PREEMPT_RT) && k->val == &clean_policy &&
	    i == PL_CLEAN_REDIRTY) {
		pr_info_ratelimited("%s: redirty is not available on PREEMPT_RT (the hooks cannot read the ledger there)\n",
				    k->name);
		return -EOPNOTSUPP;
	}
	WRITE_ONCE(*k->val, i);
	return 0;
}

static ssize_t pagecache_unmap_policy_show(struct kobject *kobj,
					   struct kobj_attribute *a, char *buf)
{
	return knob_show(buf, &unmap_knob);
}

static ssize_t pagecache_unmap_policy_store(struct kobject *kobj,
					    struct kobj_attribute *a,
					    const char *buf, size_t count)
{
	return knob_set(&unmap_knob, buf) ?: count;
}
static struct kobj_attribute unmap_policy_attr =
	__ATTR_RW_MODE(pagecache_unmap_policy, 0644);

static ssize_t pagecache_clean_policy_show(struct kobject *kobj,
					   struct kobj_attribute *a, char *buf)
{
	return knob_show(buf, &clean_knob);
}

static ssize_t pagecache_clean_policy_store(struct kobject *kobj,
					    struct kobj_attribute *a,
					    const char *buf, size_t count)
{
	return knob_set(&clean_knob, buf) ?: count;
}
static struct kobj_attribute clean_policy_attr =
	__ATTR_RW_MODE(pagecache_clean_policy, 0644);

/*
 * The same knobs as module parameters (modprobe.d), read-only under
 * /sys/module/pinledger/parameters/.  A bad value fails the load (EINVAL,
 * with a dmesg line naming the knob).
 */
static int param_knob_set(const char *val, const struct kernel_param *kp)
{
	return knob_set(kp->arg, val);
}

static int param_knob_get(char *buf, const struct kernel_param *kp)
{
	return knob_show(buf, kp->arg);
}

static const struct kernel_param_ops param_knob_ops = {
	.set = param_knob_set,
	.get = param_knob_get,
};
module_param_cb(pagecache_unmap_policy, &param_knob_ops, (void *)&unmap_knob, 0444);
MODULE_PARM_DESC(pagecache_unmap_policy, "try_to_unmap_one() on a pinned folio: allow (default) or skip");
module_param_cb(pagecache_clean_policy, &param_knob_ops, (void *)&clean_knob, 0444);
MODULE_PARM_DESC(pagecache_clean_policy, "page_mkclean_one() on a write-pinned folio: report (default) or redirty");

static struct attribute *pagecache_attrs[] = {
	&unmap_policy_attr.attr, &clean_policy_attr.attr, NULL,
};

const struct attribute_group pinledger_pagecache_group = {
	.attrs = pagecache_attrs,
};

/**
 * pinledger_pagecache_init - get the redirty worker ready and subscribe to
 * the ledger's release of last write pins.
 *
 * Context: process context; module init, after the ledger, before the hooks.
 * Return: 0.
 */
int pinledger_pagecache_init(void)
{
	INIT_WORK(&redirty_work, redirty_fn);
	WRITE_ONCE(redirty_live, true);
	pinledger_ledger_subscribe(PL_LEDGER_NOTIFY_CLEANED_UNPINNED, true);
	return 0;
}

/**
 * pinledger_pagecache_exit - dirty what is queued, drop every reference.
 *
 * Must run after the hooks are removed: nothing queues concurrently.
 *
 * Context: process context, may sleep; module exit or init unwind.
 */
void pinledger_pagecache_exit(void)
{
	pinledger_ledger_subscribe(PL_LEDGER_NOTIFY_CLEANED_UNPINNED, false);
	WRITE_ONCE(redirty_live, false);
	flush_work(&redirty_work);
	redirty_fn(&redirty_work);	/* anything queued while flushing */
}
