/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinledger.h - interfaces between pinledger's parts.
 *
 * module/ owns state (ledger, policy, sysfs, debugfs, trace); hooks/ owns
 * the translation from hooked kernel functions into calls declared here.
 */
#ifndef _PINLEDGER_H
#define _PINLEDGER_H

#include <linux/kobject.h>
#include <linux/dcache.h>
#include <linux/percpu.h>

#ifndef PINLEDGER_VERSION
#define PINLEDGER_VERSION "0.1.0"
#endif

/* module/sysfs.c: /sys/kernel/pinledger */
int pinledger_sysfs_init(void);
void pinledger_sysfs_exit(void);

/* module/debugfs.c: /sys/kernel/debug/pinledger */
extern struct dentry *pinledger_debugfs_root;
int pinledger_debugfs_init(void);
void pinledger_debugfs_exit(void);

struct seq_file;
struct pinledger_snap;
void pinledger_show_flags(struct seq_file *m, u32 flags);
void pinledger_show_snap(struct seq_file *m, const struct pinledger_snap *s,
			 u64 now);

/* module/counters.c: enum pinledger_counter of the UAPI */
const char *pinledger_counter_name(unsigned int id);
long pinledger_counter(unsigned int id);

/* module/uapi.c: /dev/pinledger */
int pinledger_uapi_init(void);
void pinledger_uapi_exit(void);

/* module/main.c */
const char *pinledger_features(void);

/* hooks/engine.c: install and remove every hook of the table */
int pinledger_hooks_install(void);
void pinledger_hooks_remove(void);
int pinledger_hooks_show(struct seq_file *m, void *unused);

/**
 * struct pinledger_stats - event counters and gauges, per CPU.
 *
 * Summed over CPUs on read; a gauge's per-CPU parts may be negative.
 *
 * @dax_final_truncates: truncate_inode_pages_final() calls on DAX mappings.
 * @layout_breaks: dax_layout_busy_page_range() calls (ext4/xfs layout breaks).
 * @layout_busy: ... of those that found a busy page and made the fs wait.
 * @acquired_pins: FOLL_PIN references recorded.
 * @acquired_gets: FOLL_GET references recorded.
 * @released_pins: FOLL_PIN releases matched to the ledger.
 * @released_gets: FOLL_GET releases matched to the ledger.
 * @untracked: references that could not be recorded (allocation failure
 *	or a missed kretprobe); such pages are still found by refcount.
 * @unmatched_releases: releases of references the ledger never saw
 *	(taken before load, untracked, or not taken through GUP).
 * @reconciled: FOLL_GET references dropped by reconciliation.
 * @owner_alloc_failures: references credited to another owner of the
 *	page because an owner set could not grow.
 * @live_pages: gauge: ledger entries (pinned folios).
 * @ledger_bytes: gauge: memory in entries, owners and owner sets.
 * @layout_refused: layout changes failed by the guard (EBUSY, EDEADLK,
 *	ETIMEDOUT) or interrupted while waiting.
 * @revoke_signals: signals sent to pin owners by the revoke policy.
 * @evictions_deferred: unlinked DAX inodes whose eviction was deferred.
 * @evictions_completed: ... and later evicted once idle.
 * @defer_failures: busy evictions that could not be deferred (no memory).
 * @pagecache_unmap_pinned: try_to_unmap_one() calls on pinned page-cache
 *	folios.
 * @pagecache_unmap_skipped: ... of those skipped (folio left mapped).
 * @pagecache_unmap_unskippable: ... that policy skip could not skip
 *	(memory-failure, or a caller that needs the folio unmapped).
 * @pagecache_cleaned_pinned: page_mkclean_one() calls on folios pinned for
 *	write.
 * @pagecache_write_unpinned: last write pins released of folios cleaned
 *	while pinned.
 * @pagecache_redirtied: ... of those dirtied again (policy redirty).
 * @pagecache_redirty_failed: ... that could not be (no memory, truncated).
 * @injected_alloc_failures: ledger allocations failed on purpose
 *	(debugfs fail_alloc_percent).
 * @journal_absorbs: absorb rounds that found records (module/journal.c).
 * @journal_cancelled: pins whose release cancelled their acquisition in
 *	the journal, never entering the index.
 * @journal_full: GUP calls that found their CPU's journal full and could
 *	not absorb (their references are counted in @untracked).
 * @lost_releases: released references a full journal could not take in
 *	atomic context; reconciliation drops what they leave behind.
 * @longlived_pins: owners reported long-lived (module/longlived.c).
 * @stacks_saved: GUP calls given a stack id (module/stacks.c).
 * @stacks_dropped: GUP calls whose stack could not be kept.
 */
struct pinledger_stats {
	long dax_final_truncates;
	long layout_breaks;
	long layout_busy;
	long acquired_pins;
	long acquired_gets;
	long released_pins;
	long released_gets;
	long untracked;
	long unmatched_releases;
	long reconciled;
	long owner_alloc_failures;
	long live_pages;
	long ledger_bytes;
	long layout_refused;
	long revoke_signals;
	long evictions_deferred;
	long evictions_completed;
	long defer_failures;
	long pagecache_unmap_pinned;
	long pagecache_unmap_skipped;
	long pagecache_unmap_unskippable;
	long pagecache_cleaned_pinned;
	long pagecache_write_unpinned;
	long pagecache_redirtied;
	long pagecache_redirty_failed;
	long injected_alloc_failures;
	long journal_absorbs;
	long journal_cancelled;
	long journal_full;
	long lost_releases;
	long longlived_pins;
	long stacks_saved;
	long stacks_dropped;
};

DECLARE_PER_CPU(struct pinledger_stats, pinledger_stats);

/* module/ledger.c: fault injection, 0..100 (debugfs fail_alloc_percent) */
extern unsigned int pinledger_fail_alloc_percent;

/*
 * Counter updates.  Context: any, including hard IRQ; do not sleep.
 */
#define pinledger_add(field, n)	this_cpu_add(pinledger_stats.field, (n))
#define pinledger_sub(field, n)	this_cpu_sub(pinledger_stats.field, (n))
#define pinledger_inc(field)	this_cpu_inc(pinledger_stats.field)
#define pinledger_dec(field)	this_cpu_dec(pinledger_stats.field)
#define pinledger_count(field)	pinledger_inc(field)

/**
 * pl_rt_may_sleep - PREEMPT_RT: a spinlock_t is about to be taken.
 * @what:	the lock, for the warning.
 *
 * On PREEMPT_RT spinlock_t is a sleeping lock: taking one with preemption
 * or IRQs disabled (in a probe handler) is a bug, which Debian's rt
 * kernels do not report (no CONFIG_DEBUG_ATOMIC_SLEEP).  pinledger's own
 * spinlock_t locks say so here, once, as a WARNING the tests fail on.
 * Nothing on other kernels.
 *
 * Context: any.
 */
#define pl_rt_may_sleep(what)						\
	WARN_ONCE(IS_ENABLED(CONFIG_PREEMPT_RT) && !preemptible(),	\
		  KBUILD_MODNAME ": %s taken with preemption disabled on PREEMPT_RT\n", \
		  (what))

/**
 * pinledger_param_range - check a load-time size parameter.
 * @name:	its name, for the dmesg line.
 * @v:		its value.
 * @lo:		smallest allowed.
 * @hi:		largest allowed.
 *
 * Context: process context; module init.
 * Return: 0, or -EINVAL with a dmesg line naming the parameter.
 */
static inline int pinledger_param_range(const char *name, unsigned int v,
					unsigned int lo, unsigned int hi)
{
	if (v >= lo && v <= hi)
		return 0;
	printk(KERN_ERR KBUILD_MODNAME ": %s=%u is outside %u..%u\n",
	       name, v, lo, hi);
	return -EINVAL;
}

long pinledger_stat_sum(size_t offset);
#define pinledger_stat(field) \
	pinledger_stat_sum(offsetof(struct pinledger_stats, field))

/* module/policy.c: the filesystem a knob line names ("MAJ:MIN" or a path) */
int pinledger_fs_dev(const char *what, const char *knob, dev_t *dev);

/* module/longlived.c: long-lived pin reports */
extern const struct attribute_group pinledger_longlived_group;
int pinledger_longlived_init(void);
void pinledger_longlived_exit(void);
void pinledger_longlived_debugfs(struct dentry *dir);

/* module/layout.c, called from hooks/layout.c */
void pinledger_dax_final_truncate(struct address_space *mapping);

#endif /* _PINLEDGER_H */
