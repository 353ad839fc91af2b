// SPDX-License-Identifier: GPL-2.0
/*
 * longlived.c - pins that outstay their welcome: detection and reports.
 *
 * DOC: long-lived pins
 *
 * /sys/kernel/pinledger/longlived_ms (0: off, the default) is how long
 * references may be held before pinledger reports them;
 * fs_longlived_ms overrides it per filesystem ("MAJ:MIN MS" or
 * "/path MS"; MS 0 turns reports off there; "default" removes one).
 * Anonymous memory has no filesystem and follows longlived_ms.
 *
 * Nothing on the capture path looks at ages.  While a threshold is set,
 * a delayed work item (every quarter of the smallest threshold, 100 ms
 * to 1 s) brings the ledger's index up to date and walks its owner
 * records (pinledger_ledger_longlived()): one per GUP call and file, not
 * one per page.  An owner older than its threshold is reported once in
 * its life: a pinledger:pin_longlived event, the longlived_pins counter,
 * and from then on the "longlived" mark in the listings (debugfs pins,
 * PINLEDGER_IOC_PINS, `pinledger pins --longlived`).  debugfs
 * "longlived" lists the reported owners still held, with the pinner's
 * stack when capture_stacks was on (module/stacks.c).  A report is thus
 * at most one period late.  FOLL_GET references, whose release
 * (put_page()) is not hooked and is seen by reconciliation up to twice
 * reconcile_ms late, are reported no earlier than three times
 * reconcile_ms, so that a released one is never reported.
 *
 * Locking: ll_mutex protects the per-filesystem table; process context
 * only (sysfs stores, module parameters, the work item); nothing is
 * taken under it.  The default threshold is a single word (READ_ONCE).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/kdev_t.h>
#include "pinledger.h"
#include "pinledger_ledger.h"
#include "pinledger_journal.h"
#include "pinledger_origin.h"
#include "pinledger_trace.h"

#define LL_MAX_MS	(24U * 3600 * 1000)	/* a day */
#define LL_BATCH	32			/* reports per owner walk */
#define LL_LIST		256			/* owners debugfs lists */

static unsigned int longlived_ms;		/* READ_ONCE; 0: off */
static DEFINE_MUTEX(ll_mutex);			/* see DOC: Locking */
static struct ll_fs {
	dev_t dev;		/* 0: free */
	unsigned int ms;
} ll_fs[PL_LL_FS];
static bool ll_live;				/* ll_mutex: the work may run */

static void ll_workfn(struct work_struct *work);
static DECLARE_DELAYED_WORK(ll_work, ll_workfn);

/* The thresholds now; false if none is set.  ll_mutex held. */
static bool ll_snapshot(struct pinledger_ll_thresholds *t, unsigned int *min_ms)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	*min_ms = READ_ONCE(longlived_ms);
	t->ns = (u64)*min_ms * NSEC_PER_MSEC;
	for (i = 0; i < PL_LL_FS; i++) {
		if (!ll_fs[i].dev)
			continue;
		t->fs[t->nr_fs].dev = ll_fs[i].dev;
		t->fs[t->nr_fs].ns = (u64)ll_fs[i].ms * NSEC_PER_MSEC;
		t->nr_fs++;
		if (ll_fs[i].ms && (!*min_ms || ll_fs[i].ms < *min_ms))
			*min_ms = ll_fs[i].ms;
	}
	return *min_ms != 0;
}

/* (Re)start the scan now if a threshold is set.  ll_mutex held. */
static void ll_kick(void)
{
	if (ll_live)
		mod_delayed_work(system_wq, &ll_work, 0);
}

static void ll_workfn(struct work_struct *work)
{
	static struct pinledger_ll_report reports[LL_BATCH];	/* one work item */
	static struct pinledger_ll_thresholds t;
	unsigned int min_ms;
	u64 now;
	int n, i;

	mutex_lock(&ll_mutex);
	if (!ll_live || !ll_snapshot(&t, &min_ms)) {
		mutex_unlock(&ll_mutex);
		return;
	}
	mutex_unlock(&ll_mutex);

	pinledger_ledger_sync();
	now = ktime_get_ns();
	do {
		n = pinledger_ledger_longlived(&t, now, reports, LL_BATCH, false);
		for (i = 0; i < n; i++) {
			pinledger_inc(longlived_pins);
			trace_pin_longlived(&reports[i], now - reports[i].start_ns);
		}
		cond_resched();
	} while (n == LL_BATCH);

	mutex_lock(&ll_mutex);
	if (ll_live)
		schedule_delayed_work(&ll_work,
				      msecs_to_jiffies(clamp(min_ms / 4, 100U, 1000U)));
	mutex_unlock(&ll_mutex);
}

static int ll_ms_parse(const char *knob, const char *val, unsigned int *ms)
{
	if (kstrtouint(val, 0, ms) || *ms > LL_MAX_MS) {
		pr_info_ratelimited("%s: want milliseconds in 0..%u (0: off)\n",
				    knob, LL_MAX_MS);
		return -EINVAL;
	}
	return 0;
}

static int longlived_set(const char *val)
{
	unsigned int ms;
	int err = ll_ms_parse("longlived_ms", val, &ms);

	if (err)
		return err;
	mutex_lock(&ll_mutex);
	WRITE_ONCE(longlived_ms, ms);
	ll_kick();
	mutex_unlock(&ll_mutex);
	return 0;
}

static ssize_t longlived_ms_show(struct kobject *k, struct kobj_attribute *a,
				 char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(longlived_ms));
}

static ssize_t longlived_ms_store(struct kobject *k, struct kobj_attribute *a,
				  const char *buf, size_t count)
{
	return longlived_set(buf) ?: count;
}
static struct kobj_attribute longlived_ms_attr = __ATTR_RW_MODE(longlived_ms, 0644);

static ssize_t fs_longlived_ms_show(struct kobject *k, struct kobj_attribute *a,
				    char *buf)
{
	int i, len = 0;

	mutex_lock(&ll_mutex);
	for (i = 0; i < PL_LL_FS; i++)
		if (ll_fs[i].dev)
			len += sysfs_emit_at(buf, len, "%u:%u %u\n",
					     MAJOR(ll_fs[i].dev),
					     MINOR(ll_fs[i].dev), ll_fs[i].ms);
	mutex_unlock(&ll_mutex);
	return len;
}

/* One "MAJ:MIN|/path MS|default" line (modified in place). */
static int fs_longlived_apply(char *line)
{
	int i, free = -1, err = -EINVAL;
	unsigned int ms = 0;
	bool remove = false;
	char *val;
	dev_t dev;

	line = strim(line);
	val = strrchr(line, ' ');
	if (val) {
		*val++ = '\0';
		line = strim(line);
		remove = !strcmp(val, "default");
		err = remove ? 0 : ll_ms_parse("fs_longlived_ms", val, &ms);
		err = err ?: pinledger_fs_dev(line, "fs_longlived_ms", &dev);
	}
	if (err) {
		if (err == -EINVAL)
			pr_info_ratelimited("fs_longlived_ms: want \"MAJ:MIN|/path MS|default\"\n");
		return err;
	}
	mutex_lock(&ll_mutex);
	for (i = 0; i < PL_LL_FS; i++) {
		if (ll_fs[i].dev == dev)
			break;
		if (!ll_fs[i].dev && free < 0)
			free = i;
	}
	if (i == PL_LL_FS)
		i = remove ? PL_LL_FS : free;
	if (i >= 0 && i < PL_LL_FS) {
		ll_fs[i].dev = remove ? 0 : dev;
		ll_fs[i].ms = ms;
		ll_kick();
	}
	mutex_unlock(&ll_mutex);
	if (i < 0) {
		pr_info_ratelimited("fs_longlived_ms: all %d overrides in use\n",
				    PL_LL_FS);
		return -ENOSPC;
	}
	return 0;
}

static ssize_t fs_longlived_ms_store(struct kobject *k, struct kobj_attribute *a,
				     const char *buf, size_t count)
{
	char *line;
	int err;

	line = kstrndup(buf, count, GFP_KERNEL);
	if (!line)
		return -ENOMEM;
	err = fs_longlived_apply(line);
	kfree(line);
	return err ?: count;
}
static struct kobj_attribute fs_longlived_ms_attr = __ATTR_RW_MODE(fs_longlived_ms, 0644);

static struct attribute *longlived_attrs[] = {
	&longlived_ms_attr.attr,
	&fs_longlived_ms_attr.attr,
	NULL,
};

const struct attribute_group pinledger_longlived_group = {
	.attrs = longlived_attrs,
};

static int param_longlived_set(const char *val, const struct kernel_param *kp)
{
	return longlived_set(val);
}

static int param_longlived_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(longlived_ms));
}

static const struct kernel_param_ops param_longlived_ops = {
	.set = param_longlived_set,
	.get = param_longlived_get,
};
module_param_cb(longlived_ms, &param_longlived_ops, NULL, 0444);
MODULE_PARM_DESC(longlived_ms, "report pins held longer than this many ms (0: off, the default)");

/* debugfs longlived: the reported owners still held, with their stacks. */
static int longlived_show(struct seq_file *m, void *unused)
{
	struct pinledger_ll_report *r;
	u64 now;
	int n, i;

	r = kvmalloc_array(LL_LIST, sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	pinledger_ledger_sync();
	now = ktime_get_ns();
	n = pinledger_ledger_longlived(NULL, now, r, LL_LIST, true);
	for (i = 0; i < n; i++) {
		seq_printf(m, "tgid=%d comm=%s flags=", r[i].tgid, r[i].comm);
		pinledger_show_flags(m, r[i].flags);
		seq_printf(m, " age_ms=%llu refs=%u pfn=0x%lx ",
			   div_u64(now - r[i].start_ns, NSEC_PER_MSEC),
			   r[i].refs, r[i].pfn);
		if (r[i].dev)
			seq_printf(m, "file=%u:%u:%lu:%lu", MAJOR(r[i].dev),
				   MINOR(r[i].dev), r[i].ino,
				   (unsigned long)r[i].index);
		else
			seq_puts(m, "file=anon");
		seq_printf(m, " cgroup=%llu callsite=%pS stack=%u\n",
			   r[i].cgroup, (void *)r[i].callsite, r[i].stack);
		pinledger_stack_show(m, r[i].stack);
	}
	if (n == LL_LIST)
		seq_printf(m, "(first %d shown)\n", LL_LIST);
	kvfree(r);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(longlived);

/**
 * pinledger_longlived_debugfs - create debugfs "longlived".
 * @dir: the module's debugfs directory.
 *
 * Context: process context; module init.
 */
void pinledger_longlived_debugfs(struct dentry *dir)
{
	debugfs_create_file("longlived", 0400, dir, NULL, &longlived_fops);
}

/**
 * pinledger_longlived_init - start the scan if a threshold was given at load.
 *
 * Context: process context; module init, after the ledger and journals.
 * Return: 0.
 */
int pinledger_longlived_init(void)
{
	mutex_lock(&ll_mutex);
	ll_live = true;
	ll_kick();
	mutex_unlock(&ll_mutex);
	return 0;
}

/**
 * pinledger_longlived_exit - stop the scan.
 *
 * Context: process context; may sleep; module exit, before the ledger goes.
 */
void pinledger_longlived_exit(void)
{
	mutex_lock(&ll_mutex);
	ll_live = false;
	mutex_unlock(&ll_mutex);
	cancel_delayed_work_sync(&ll_work);
}
