// SPDX-License-Identifier: GPL-2.0
/*
 * guard.c - no layout change of a DAX inode while a page in it is pinned.
 *
 * DOC: layout guard
 *
 * ext4 and xfs call dax_layout_busy_page_range() from their break_layouts
 * functions before every truncate, hole punch, collapse/insert/zero range
 * (and xfs reflink remap), and wait on the page it returns until its
 * refcount is back to 1.  Stock 6.1/6.12 return no page when the file is
 * not mapped, and never ask at all when an unlinked inode is evicted.
 *
 * Layout breaks.  Calls of dax_layout_busy_page_range() on DAX mappings
 * resume in a module function (hooks/layout.c) that runs
 * pinledger_guard_busy() instead, in the task's own context (preemptible,
 * i_rwsem and invalidate_lock held).  It does what the stock function
 * does - unmap the range, then scan its pages' refcounts (pins taken
 * before the module loaded count) - whether the file is mapped or not,
 * and decides by policy:
 *
 *   wait	the filesystem is handed a *ticket*: a page of ours with
 *		refcount 2, which it waits on natively (interruptibly, with
 *		its invalidate_lock dropped).  kick_work rescans the range;
 *		while it is busy, the waiter watches the first busy page's
 *		refcount wait queue, which the kernel wakes (wake_up_var())
 *		right after that page's last extra reference is dropped, in
 *		every fsdax put path; that queues kick_work again.  Releases
 *		seen by the GUP hooks queue it too.  Once the range is idle,
 *		kick_work drops the ticket to 1 and wakes the filesystem,
 *		which asks again.  A once-a-second recheck is the safety net.
 *		A timeout, if set, fails the change with ETIMEDOUT; a waiter
 *		that holds a pin in the range itself fails with EDEADLK.
 *   revoke	as wait, after signalling the owners the caller may signal
 *		(kill(2) rules) and, after the grace period, killing them.
 *   block	the change fails at once with EBUSY.
 *
 * Errors reach the filesystem through a return probe on its
 * break_layouts function (ext4_break_layouts, xfs_break_layouts),
 * which overrides the return value; the busy decision finds that probe's
 * instance on the task's return-hook list.  When none encloses the call
 * (fuse, xfs's second reflink inode), the guard never fails a change: it
 * only makes it wait.  Breaks of files that are not DAX skip that return
 * probe (pinledger_guard_watches()).
 *
 * Context.  Everything that sleeps, allocates or takes guard_lock runs in
 * task context: the busy decision (the redirected call), the kick and
 * recheck workers, the timeout timer (softirq; a thread on PREEMPT_RT).
 * The probe handlers - break_layouts' return, iput() entry, umount's
 * return - take no lock and allocate or free nothing: the break's return
 * closes its waiter and queues it for the kick worker to free, and
 * deferred evictions live in a fixed array of slots claimed with
 * cmpxchg().  That is what PREEMPT_RT requires, where spinlock_t sleeps
 * and probe handlers run with preemption disabled.
 *
 * Eviction.  An unlinked DAX inode whose pages are busy when its last
 * reference is dropped (iput) gets an extra reference from the guard
 * instead of being evicted: the task dropping it returns at once, and the
 * blocks stay allocated.  At most PL_DEFER_SLOTS inodes are deferred at
 * once; beyond that the eviction proceeds, counted in defer_failures with
 * a warning.  The deferral is completed (iput from defer_work, which
 * evicts and frees the blocks) once its pages are idle.  defer_work runs
 * at once after the deferral and after every release a hook sees; while
 * pages are busy it watches the first busy page's refcount wait queue,
 * which the kernel wakes when that page's last extra reference goes - in
 * every fsdax put path, put_page() of a FOLL_GET reference included,
 * which no hook sees - so a deferral completes within a worker's
 * wake-up of its last reference drop.  The once-a-second recheck stays
 * as a safety net.  Each deferral holds a module reference, so rmmod
 * fails with EBUSY meanwhile.
 *
 * Umount.  umount of a superblock fails with EBUSY while one of its
 * deferred inodes has busy pages, naming their first holder (from the
 * ledger, as seen by defer_work).  A deferral whose pages are idle (its
 * last reference dropped a moment ago, defer_work not done yet) does not
 * fail it: the check runs in a return probe, where nothing may sleep or
 * evict, so the eviction is finished where the umount can wait for it -
 * deactivate_super(), redirected while a superblock has deferrals
 * (hooks/layout.c), completes them synchronously before the superblock
 * is shut down (pinledger_guard_sb_shutdown()).  A deferral must not
 * outlive its superblock (its inode reference would trip the shutdown
 * and then be a dangling pointer), so a superblock shut down by a path
 * the umount check does not see (the last mount of a mount namespace
 * going away) waits there for the pins to drain.
 *
 * Ordering: why a layout decision never misses a pin.  Every decision
 * (mapping_busy(), kick_scan()) reads the refcount of each page in the
 * range, never the ledger: GUP raises a page's refcount (by
 * GUP_PIN_COUNTING_BIAS for a pin) before it returns the page and before
 * any hook of ours runs, and the decision reads it after the filesystem
 * has unmapped the range under its invalidate_lock, which new faults and
 * GUP-fast's page walk must get past to find the page (GUP-fast rechecks
 * the PTE after taking its reference and backs out if it changed).  So a
 * pin taken on any CPU before the decision is in the refcount the
 * decision reads, whether or not its journal record (module/journal.c)
 * has been absorbed; a pin taken after it cannot reach a page of the
 * unmapped range.  The ledger only names owners: a busy page's owners are
 * looked up after absorbing the journals when the caller is in task
 * context (pinledger_ledger_lookup()), and a page busy by refcount with
 * no ledger entry is reported with an unknown owner, never as idle - as
 * are pins taken before the module loaded.
 *
 * Locking: guard_lock (spinlock_t, IRQ-safe) protects the waiter list
 * and waiter state; taken in task context only - the busy decision (under
 * the inode's i_rwsem and invalidate_lock), workers, the timeout timer -
 * never from a probe handler or hard IRQ (release hooks only queue work).
 *
 * defer_mutex (struct mutex) serialises the completion of deferrals and
 * their page watches: defer_work and pinledger_guard_sb_shutdown() (the
 * redirected deactivate_super(), no fs lock held).  iput() and the
 * eviction run under it, so it is taken outside every fs lock; task
 * context only.  The hooks read the slots without it.
 * Nothing is taken under it but, to watch busy pages, the kernel's hashed
 * var wait queue locks (guard_lock -> wait_queue_head.lock; the wake
 * callback only queues work, it never takes guard_lock).  The deferral
 * slots take no lock: a slot's @inode is claimed and released with
 * cmpxchg()/store-release, its other fields published by @state.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/fs.h>
#include <linux/dax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include <linux/cred.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/wait_bit.h>
#include <linux/irq_work.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include "pinledger.h"
#include "pinledger_guard.h"
#include "pinledger_ledger.h"
#include "pinledger_trace.h"
#include "compat/gup.h"
#include "compat/dax.h"
#include "compat/timer.h"

unsigned int pinledger_policy = PL_POLICY_WAIT;
unsigned int pinledger_wait_timeout_ms;
unsigned int pinledger_revoke_signal = SIGUSR1;
unsigned int pinledger_revoke_grace_ms = 5000;

static DEFINE_SPINLOCK(guard_lock);
static LIST_HEAD(waiters);
static LLIST_HEAD(reap_list);		/* closed waiters, for kick_fn to free */
static atomic_t guard_active = ATOMIC_INIT(0);	/* waiters + deferrals */
static atomic_t defer_count = ATOMIC_INIT(0);	/* deferrals (claimed slots) */
static struct workqueue_struct *guard_wq;	/* recheck, revoke, deferrals */
/*
 * kick_work only: per-CPU and high priority, so that the rescan after a
 * release runs right away on the releasing CPU instead of waiting for a
 * busy CPU's next tick (the release -> resume latency of a blocked
 * layout change is mostly this hop).
 */
static struct workqueue_struct *kick_wq;
static struct work_struct kick_work;
static struct delayed_work recheck_work;
static struct delayed_work revoke_work;
/* Completes deferrals whose pages went idle (kick_wq: prompt). */
static struct work_struct defer_work;
static DEFINE_MUTEX(defer_mutex);	/* see "Locking" above */
static DECLARE_WAIT_QUEUE_HEAD(defer_done);	/* a deferral completed */
static bool guard_live;
static atomic64_t waiter_ids = ATOMIC64_INIT(0);

/* A deferral's @state. */
enum { DEF_FREE, DEF_LIVE, DEF_DONE };

/* Holders of a deferral's busy pages a message names. */
#define DEF_OWNERS	2

/*
 * A deferred eviction.  @inode: NULL (free) or the inode, claimed by
 * cmpxchg() in the iput() hook and cleared (store-release) by
 * defer_complete() once its iput() has returned, so that umount sees the
 * deferral until the eviction is over.  @state: DEF_LIVE once the other
 * fields are set (store-release by the claimer); DEF_DONE, set by the
 * completer before its iput(): from then on only the completer
 * dereferences @inode, which that iput() frees after a grace period
 * (lockless readers dereference it only under RCU, having read
 * DEF_LIVE).  @sb, @dev, @ino stay valid until @inode is cleared.
 * @watch: the busy page watched (defer_mutex).  @nr_owners,
 * @owners, @comm: the first holders of the first busy page, as the last
 * pass saw them (defer_mutex; read without it for messages).
 */
struct pl_deferred {
	struct inode *inode;
	int state;
	struct super_block *sb;
	dev_t dev;
	unsigned long ino;
	u64 since_ns;
	struct pl_page_watch watch;
	int nr_owners;
	pid_t owners[DEF_OWNERS];
	char comm[DEF_OWNERS][TASK_COMM_LEN];
};

/* Deferred evictions at once; about 150 bytes each, allocated at init. */
#define PL_DEFER_SLOTS	1024
static struct pl_deferred *deferrals;

/* One busy page found by a scan. */
struct busy {
	unsigned long pfn;
	unsigned long nr;		/* busy pages in the range */
	bool self;			/* current's process holds one of them */
	pid_t owners[4];		/* first owners, for events and revoke */
	int nr_owners;
};

static void busy_note_owners(struct busy *b, const struct pinledger_snap *s)
{
	u32 i;
	int j;

	for (i = 0; i < s->nr_owners; i++) {
		pid_t t = s->owners[i].tgid;

		if (t == current->tgid)
			b->self = true;
		for (j = 0; j < b->nr_owners; j++)
			if (b->owners[j] == t)
				break;
		if (j == b->nr_owners && b->nr_owners < ARRAY_SIZE(b->owners))
			b->owners[b->nr_owners++] = t;
	}
}

/* Entries a task-context scan looks at between chances to reschedule. */
#define SCAN_SCHED	4096

/*
 * Is any page of @mapping in [first, last] referenced beyond its idle
 * refcount?  Fills @b; with @task (the busy decision), also the owners,
 * and reschedules every SCAN_SCHED entries, as the stock scan does.
 * Context: any but NMI; takes the mapping's xarray under RCU.  @task:
 * task context, may sleep.
 */
static bool mapping_busy(struct address_space *mapping, pgoff_t first,
			 pgoff_t last, struct busy *b, bool task)
{
	XA_STATE(xas, &mapping->i_pages, first);
	struct pinledger_snap *snap = NULL;
	unsigned int scanned = 0;
	void *entry;

	memset(b, 0, sizeof(*b));
	rcu_read_lock();
	xas_for_each(&xas, entry, last) {
		unsigned long pfn, i, nr;

		if (xas_retry(&xas, entry))
			continue;
		if (task && !(++scanned % SCAN_SCHED)) {
			/* The entry is a value: it outlives the section. */
			xas_pause(&xas);
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
		if (!xa_is_value(entry) || pl_dax_is_empty(entry))
			continue;
		pfn = pl_dax_to_pfn(entry);
		nr = pl_dax_is_pmd(entry) ? PTRS_PER_PMD : 1;
		for (i = 0; i < nr; i++) {
			struct page *page = pfn_to_page(pfn + i);

			if (page_ref_count(page) <= 1)
				continue;
			if (!b->nr++)
				b->pfn = pfn + i;
			/* Owners only when something is busy: P3's path is idle. */
			if (task && !snap)
				snap = kmalloc(sizeof(*snap), GFP_NOWAIT | __GFP_NOWARN);
			if (snap && pinledger_ledger_lookup(pfn + i, snap))
				busy_note_owners(b, snap);
		}
	}
	rcu_read_unlock();
	kfree(snap);
	return b->nr != 0;
}

/* Entries a kick rescans per waiter per run, with guard_lock held. */
#define KICK_SCAN_BUDGET	1024

/*
 * Kick rescan: advance @w->scan_pos to the first busy page of its range,
 * looking at most KICK_SCAN_BUDGET entries.  Return: 1 and the busy
 * page's pfn in @pfn, 0 if the rest of the range is idle, -EAGAIN if the
 * budget ran out first.  guard_lock held (IRQs off): the budget bounds
 * the time spent so, whatever the file's size.
 */
static int kick_scan(struct pinledger_waiter *w, unsigned long *pfn)
{
	XA_STATE(xas, &w->mapping->i_pages, w->scan_pos);
	unsigned int budget = KICK_SCAN_BUDGET;
	int ret = 0;
	void *entry;

	rcu_read_lock();
	/*
	 * Its break_layouts call returned: the inode may be going.  A close
	 * not seen here happens after this RCU read section began, so the
	 * inode (freed after a grace period) outlives it.
	 */
	if (smp_load_acquire(&w->closed))
		goto out;
	xas_for_each(&xas, entry, w->last) {
		unsigned long p, i, nr;

		if (xas_retry(&xas, entry))
			continue;
		if (!budget--) {
			w->scan_pos = xas.xa_index;
			ret = -EAGAIN;
			break;
		}
		if (!xa_is_value(entry) || pl_dax_is_empty(entry))
			continue;
		p = pl_dax_to_pfn(entry);
		nr = pl_dax_is_pmd(entry) ? PTRS_PER_PMD : 1;
		for (i = 0; i < nr; i++) {
			if (page_ref_count(pfn_to_page(p + i)) > 1) {
				*pfn = p + i;
				w->scan_pos = xas.xa_index;
				ret = 1;
				goto out;
			}
		}
	}
out:
	rcu_read_unlock();
	return ret;
}

/* The policy for @inode's filesystem. */
static unsigned int policy_of(struct inode *inode)
{
	return pinledger_fs_policy(inode->i_sb);
}

/*
 * Wake callback of a page watch.  Called by wake_up_var() with the
 * queue's lock held, in any context (bio completion IRQs included): only
 * queue the watcher's work.
 */
static int page_watch_wake(struct wait_queue_entry *wq, unsigned int mode,
			   int sync, void *arg)
{
	struct pl_page_watch *pw = container_of(wq, struct pl_page_watch, entry);
	struct wait_bit_key *key = arg;

	/* The queue is hashed: other variables' wake-ups come here too. */
	if (key && key->flags != pw->var)
		return 0;
	queue_work(kick_wq, pw->work);
	return 0;
}

/* Stop watching.  The watcher's lock held (guard_lock, defer_mutex). */
static void page_unwatch(struct pl_page_watch *pw)
{
	if (pw->wq) {
		remove_wait_queue(pw->wq, &pw->entry);
		pw->wq = NULL;
		pw->var = NULL;
	}
}

/*
 * Watch busy page @pfn for its drop to idle, which queues @work.  The
 * watcher's lock held (guard_lock for a waiter, defer_mutex for a
 * deferral).  A drop that happened before the entry was queued is seen
 * by the re-read that follows (the full barrier pairs with the one in
 * the refcount drop that precedes wake_up_var()'s waitqueue_active()
 * check).
 */
static void page_watch(struct pl_page_watch *pw, unsigned long pfn,
		       struct work_struct *work)
{
	struct page *page = pfn_to_page(pfn);
	void *var = &page->_refcount;

	if (pw->var != var) {
		page_unwatch(pw);
		init_waitqueue_func_entry(&pw->entry, page_watch_wake);
		pw->work = work;
		pw->var = var;
		pw->wq = __var_waitqueue(var);
		add_wait_queue(pw->wq, &pw->entry);
	}
	smp_mb();
	if (page_ref_count(page) <= 1)
		queue_work(kick_wq, work);
}

static void ticket_kick(struct pinledger_waiter *w)
{
	page_unwatch(&w->watch);
	if (w->armed) {
		w->armed = false;
		page_ref_dec(w->ticket);
		wake_up_var(&w->ticket->_refcount);
	}
}

static void waiter_timeout(struct timer_list *t)
{
	struct pinledger_waiter *w = timer_container_of(w, t, timer);
	unsigned long flags;

	pl_rt_may_sleep("guard_lock");
	spin_lock_irqsave(&guard_lock, flags);
	w->timed_out = true;
	ticket_kick(w);
	spin_unlock_irqrestore(&guard_lock, flags);
}

/*
 * Kick waiters whose range went idle.  Releases call this through
 * kick_work at entry, before the refcount drops; a busy range is then
 * watched (page_watch()), so the drop itself queues the next rescan.
 */
/*
 * Free the waiters whose break_layouts call returned (closed by
 * pinledger_guard_break_done()).  Task context (kick_fn); the timer is
 * stopped first, since its callback takes guard_lock.
 */
static void reap_waiters(void)
{
	struct llist_node *list = llist_del_all(&reap_list);
	struct pinledger_waiter *w, *tmp;
	unsigned long flags;

	llist_for_each_entry_safe(w, tmp, list, reap) {
		if (w->timer_set)
			timer_delete_sync(&w->timer);
		if (w->listed) {
			pl_rt_may_sleep("guard_lock");
			spin_lock_irqsave(&guard_lock, flags);
			list_del(&w->node);
			page_unwatch(&w->watch);
			/* Armed still if a signal ended the filesystem's wait. */
			if (w->armed) {
				w->armed = false;
				page_ref_dec(w->ticket);
			}
			spin_unlock_irqrestore(&guard_lock, flags);
			atomic_dec(&guard_active);
		}
		if (w->ticket)
			put_page(w->ticket);
		if (w->cred)
			put_cred(w->cred);
		kfree(w);
		module_put(THIS_MODULE);
	}
}

static void kick_fn(struct work_struct *work)
{
	struct pinledger_waiter *w;
	unsigned long flags, pfn;
	bool more = false, idle = false, synced = false;

	reap_waiters();
again:
	/*
	 * References on a waited range went away: bring the ledger up to
	 * date, so that their releases (FOLL_GETs on fsdax pages are seen
	 * only by a sync) are recorded, and traced, before the layout
	 * change is let go.  A range found idle is let go only by a pass
	 * that follows a sync made after it was seen idle (never syncing
	 * under guard_lock).
	 */
	if (atomic_read(&guard_active))
		pinledger_ledger_sync();
	pl_rt_may_sleep("guard_lock");
	spin_lock_irqsave(&guard_lock, flags);
	list_for_each_entry(w, &waiters, node) {
		if (!w->armed || READ_ONCE(w->closed))
			continue;
		switch (kick_scan(w, &pfn)) {
		case 1:
			page_watch(&w->watch, pfn, &kick_work);
			break;
		case -EAGAIN:
			more = true;
			break;
		default:
			if (synced)
				ticket_kick(w);
			else
				idle = true;
		}
	}
	spin_unlock_irqrestore(&guard_lock, flags);
	if (idle && !synced) {
		synced = true;
		goto again;
	}
	/* Long ranges: go on in the next run, IRQs enabled in between. */
	if (more)
		queue_work(kick_wq, &kick_work);
}

static void recheck_fn(struct work_struct *work)
{
	kick_fn(work);
	if (atomic_read(&defer_count))
		queue_work(kick_wq, &defer_work);
	/* Safety net for references dropped where no hook sees it. */
	if (atomic_read(&guard_active) && READ_ONCE(guard_live))
		mod_delayed_work(guard_wq, &recheck_work, HZ);
}

/*
 * Refcount wake-ups asked for by probe handlers (pinledger_guard_wake_var()).
 * On PREEMPT_RT wake_up_var() takes a wait queue's spinlock_t, which a
 * probe handler may not: the pfns go to a per-CPU ring (IRQs off) that
 * an irq_work of the same CPU drains - in a thread there.  The rings
 * (4 KiB a CPU) are allocated on RT only, and dynamically: a module's
 * static per-CPU area is a few KiB for everything.
 */
#define WAKE_RING	512
struct pl_wake_ring {
	unsigned int n;
	unsigned long pfn[WAKE_RING];
};
static struct pl_wake_ring __percpu *wake_rings;
static DEFINE_PER_CPU(struct irq_work, wake_iw);

static void wake_fn(struct irq_work *iw)
{
	unsigned long pfn[32], flags;
	struct pl_wake_ring *r;
	unsigned int i, n;

	do {
		local_irq_save(flags);
		r = this_cpu_ptr(wake_rings);
		n = min_t(unsigned int, r->n, ARRAY_SIZE(pfn));
		r->n -= n;
		memcpy(pfn, r->pfn + r->n, n * sizeof(pfn[0]));
		local_irq_restore(flags);
		for (i = 0; i < n; i++)
			wake_up_var(&pfn_to_page(pfn[i])->_refcount);
	} while (n);
}

/**
 * pinledger_guard_wake_var - wake the waiters on a page's refcount.
 * @page: an fsdax page whose references were dropped without the kernel's
 *	  own wake_up_var() (6.1's bio release, folio_put_refs()).
 *
 * Context: probe handler, any context up to hard IRQ; does not sleep; on
 * PREEMPT_RT takes no lock (the wake-up runs from an irq_work).
 */
void pinledger_guard_wake_var(struct page *page)
{
	struct pl_wake_ring *r;
	unsigned long flags;
	bool full;

	if (!IS_ENABLED(CONFIG_PREEMPT_RT)) {
		wake_up_var(&page->_refcount);
		return;
	}
	local_irq_save(flags);
	r = this_cpu_ptr(wake_rings);
	full = r->n == WAKE_RING;
	if (!full)
		r->pfn[r->n++] = page_to_pfn(page);
	local_irq_restore(flags);
	irq_work_queue(this_cpu_ptr(&wake_iw));
	if (full)
		pr_warn_ratelimited("refcount wake-up of pfn %#lx dropped (%d queued on this CPU); a layout change waiting on it natively waits for the next one\n",
				    page_to_pfn(page), WAKE_RING);
}

/**
 * pinledger_guard_released - a reference on an fsdax page went away.
 * @page: the page.
 *
 * Context: any, including hard IRQ; does not sleep.
 */
void pinledger_guard_released(struct page *page)
{
	if (!atomic_read(&guard_active) || !READ_ONCE(guard_live))
		return;
	queue_work(kick_wq, &kick_work);
	/* At entry, before the drop: a busy pass watches the page. */
	if (atomic_read(&defer_count))
		queue_work(kick_wq, &defer_work);
	mod_delayed_work(guard_wq, &recheck_work, 1);
}

static int revoke_permitted(const struct cred *cred, struct task_struct *t)
{
	const struct cred *tcred;
	int ok;

	rcu_read_lock();
	tcred = __task_cred(t);
	/* kill(2): same user, or CAP_KILL (kill_ok_by_cred()). */
	ok = uid_eq(cred->euid, tcred->suid) || uid_eq(cred->euid, tcred->uid) ||
	     uid_eq(cred->uid, tcred->suid) || uid_eq(cred->uid, tcred->uid) ||
	     cap_raised(cred->cap_effective, CAP_KILL);
	rcu_read_unlock();
	return ok;
}

/* Signal (first pass) or kill (after grace) the owners of revoking waiters. */
static void revoke_fn(struct work_struct *work)
{
	struct pinledger_waiter *w;
	unsigned long flags;
	struct {
		pid_t tgid;
		int sig;
		const struct cred *cred;
		u64 id;
	} todo[8];
	int n = 0, i, j;
	u64 now = ktime_get_ns();
	bool again = false;

	pl_rt_may_sleep("guard_lock");
	spin_lock_irqsave(&guard_lock, flags);
	list_for_each_entry(w, &waiters, node) {
		int sig;

		if (!w->revoke || w->revoke_stage >= 2 || READ_ONCE(w->closed))
			continue;
		if (w->revoke_stage == 1 &&
		    now - w->revoke_ns < (u64)pinledger_revoke_grace_ms * NSEC_PER_MSEC) {
			again = true;
			continue;
		}
		sig = w->revoke_stage == 0 ? pinledger_revoke_signal : SIGKILL;
		w->revoke_stage++;
		w->revoke_ns = now;
		if (w->revoke_stage == 1)
			again = true;
		for (j = 0; j < w->nr_owners && n < ARRAY_SIZE(todo); j++)
			todo[n++] = (typeof(todo[0])){ w->owners[j], sig,
						       get_cred(w->cred), w->id };
	}
	spin_unlock_irqrestore(&guard_lock, flags);

	for (i = 0; i < n; i++) {
		struct pid *pid = find_get_pid(todo[i].tgid);
		struct task_struct *t = pid ? get_pid_task(pid, PIDTYPE_TGID) : NULL;

		if (t && !(t->flags & PF_KTHREAD) && revoke_permitted(todo[i].cred, t)) {
			kill_pid(pid, todo[i].sig, 1);
			trace_layout_revoke(todo[i].id, todo[i].tgid, todo[i].sig);
			pinledger_count(revoke_signals);
		} else if (t) {
			trace_layout_revoke(todo[i].id, todo[i].tgid, 0);
		}
		if (t)
			put_task_struct(t);
		put_pid(pid);
		put_cred(todo[i].cred);
	}
	if (again && READ_ONCE(guard_live))
		mod_delayed_work(guard_wq, &revoke_work, msecs_to_jiffies(100));
}

/**
 * pinledger_guard_watches - can a layout break of this mapping meet the guard?
 * @mapping:	the mapping (may be NULL).
 *
 * ext4 and xfs break layouts on every truncate and hole punch, DAX or
 * not; dax_layout_busy_page_range() returns at once for mappings that are
 * not DAX, and so does the guard.  The layout hooks skip their return
 * probes (the break's waiter state, the busy page decision) for those.
 *
 * (Skipping them also for DAX files with no busy page at entry was
 * measured: the whole-file refcount scan that decides it costs more than
 * the return probe it saves; docs/bench/analysis.md, P3.)
 *
 * Context: any; kretprobe entry handlers.  Does not sleep.
 * Return: true if @mapping is DAX and the guard is live.
 */
bool pinledger_guard_watches(struct address_space *mapping)
{
	return mapping && READ_ONCE(guard_live) && dax_mapping(mapping);
}

/**
 * pinledger_guard_busy - dax_layout_busy_page_range() on a DAX mapping,
 * with the guard deciding.
 * @wp:		where the enclosing break_layouts call keeps its waiter
 *		(NULL until the first busy decision allocates it), or NULL
 *		if no hooked break_layouts encloses this check.
 * @mapping:	the mapping whose layout changes.
 * @start:	first byte of the range.
 * @end:	last byte (LLONG_MAX: to the end of the file).
 *
 * Does the stock function's job in its place: unmaps the range, so that
 * no new reference can be taken to a page in it (see "Ordering" in the
 * DOC), then scans it once.  Stock skips both when nothing maps the file
 * (the hole this closes); its scan also waits out locked entries, which
 * this one reads through: a locked entry still names its pfn, and the
 * refcount, not the entry, is what the decision reads.
 *
 * Context: task context, in the redirected dax_layout_busy_page_range()
 * call of the filesystem's break_layouts, i_rwsem and invalidate_lock
 * held; may sleep (i_mmap_rwsem, GFP_NOFS allocations, the ledger's
 * sync).  Takes guard_lock.
 * Return: the page the filesystem must wait on, or NULL to go on (with
 * the waiter's verdict set when the change must fail instead).
 */
struct page *pinledger_guard_busy(struct pinledger_waiter **wp,
				  struct address_space *mapping,
				  loff_t start, loff_t end)
{
	pgoff_t first = start >> PAGE_SHIFT;
	pgoff_t last = end == LLONG_MAX ? ULONG_MAX : end >> PAGE_SHIFT;
	struct inode *inode = mapping->host;
	struct pinledger_waiter *w;
	unsigned int policy;
	unsigned long flags;
	struct busy b;

	if (IS_ENABLED(CONFIG_FS_DAX_LIMITED) || !dax_mapping(mapping))
		return NULL;	/* as stock */
	unmap_mapping_pages(mapping, first, last - first + 1, false);
	if (!mapping_busy(mapping, first, last, &b, true))
		return NULL;
	pinledger_count(layout_busy);
	w = wp ? *wp : NULL;
	if (wp && !w) {
		w = kzalloc(sizeof(*w), GFP_NOFS | __GFP_NOWARN);
		if (w) {
			/* The caller (the redirected call) holds one. */
			__module_get(THIS_MODULE);
			w->id = atomic64_inc_return(&waiter_ids);
			*wp = w;
		}
	}
	if (!w) {
		/* No way to fail this change: wait on the busy page itself. */
		return pfn_to_page(b.pfn);
	}
	policy = policy_of(inode);
	if (!w->started) {
		w->started = true;
		w->start_ns = ktime_get_ns();
		w->mapping = mapping;
		w->dev = inode->i_sb->s_dev;
		w->ino = inode->i_ino;
		w->first = first;
		w->last = last;
		w->scan_pos = first;
		w->policy = policy;
		w->tgid = current->tgid;
		get_task_comm(w->comm, current);
		w->nr_owners = b.nr_owners;
		memcpy(w->owners, b.owners, sizeof(b.owners));
		trace_layout_begin(w->id, w->dev, w->ino, start, end, policy,
				   b.nr, b.nr_owners ? b.owners[0] : 0);
	}
	if (policy == PL_POLICY_BLOCK) {
		w->verdict = -EBUSY;
		return NULL;
	}
	if (b.self) {
		w->verdict = -EDEADLK;
		return NULL;
	}
	if (w->timed_out) {
		w->verdict = -ETIMEDOUT;
		return NULL;
	}
	/* wait / revoke: hand out the ticket, armed. */
	if (!w->ticket) {
		w->ticket = alloc_page(GFP_NOFS | __GFP_NOWARN);
		if (!w->ticket)
			return pfn_to_page(b.pfn);	/* wait natively */
		pl_rt_may_sleep("guard_lock");
		spin_lock_irqsave(&guard_lock, flags);
		list_add(&w->node, &waiters);
		w->listed = true;
		if (policy == PL_POLICY_REVOKE) {
			w->revoke = true;
			w->cred = get_current_cred();
		}
		spin_unlock_irqrestore(&guard_lock, flags);
		atomic_inc(&guard_active);
		if (pinledger_wait_timeout_ms) {
			timer_setup(&w->timer, waiter_timeout, 0);
			mod_timer(&w->timer, jiffies +
				  msecs_to_jiffies(pinledger_wait_timeout_ms));
			w->timer_set = true;
		}
		if (w->revoke)
			mod_delayed_work(guard_wq, &revoke_work, 0);
		mod_delayed_work(guard_wq, &recheck_work, HZ);
	}
	pl_rt_may_sleep("guard_lock");
	spin_lock_irqsave(&guard_lock, flags);
	if (!w->armed) {
		w->armed = true;
		w->scan_pos = first;
		page_ref_inc(w->ticket);
	}
	spin_unlock_irqrestore(&guard_lock, flags);
	/* A release may have landed before the ticket was armed. */
	queue_work(kick_wq, &kick_work);
	return w->ticket;
}

/**
 * pinledger_guard_break_done - the filesystem's break_layouts returns.
 * @w:		its waiter (allocated by pinledger_guard_busy()).
 * @ret:	what it returns.
 *
 * Closes @w and hands it to the kick worker, which unlists and frees it
 * (reap_waiters()): nothing here takes a lock or frees memory.
 *
 * Context: kretprobe return handler (preemption disabled, any kernel
 * including PREEMPT_RT); does not sleep.
 * Return: the value the filesystem must return: @w->verdict if set.
 */
long pinledger_guard_break_done(struct pinledger_waiter *w, long ret)
{
	int outcome;

	if (w->verdict)
		ret = w->verdict;
	if (w->started) {
		outcome = ret == 0 ? PL_OUT_PROCEEDED :
			  ret == -EBUSY ? PL_OUT_EBUSY :
			  ret == -EDEADLK ? PL_OUT_EDEADLK :
			  ret == -ETIMEDOUT ? PL_OUT_TIMEOUT : PL_OUT_INTERRUPTED;
		trace_layout_end(w->id, w->dev, w->ino,
				 ktime_get_ns() - w->start_ns, outcome, ret);
		if (ret) {
			pinledger_count(layout_refused);
			if (w->nr_owners)
				pr_info_ratelimited("layout change of %u:%u ino %lu refused (error %ld): pages pinned, first owner tgid %d\n",
						    MAJOR(w->dev), MINOR(w->dev),
						    w->ino, ret, w->owners[0]);
			else
				pr_info_ratelimited("layout change of %u:%u ino %lu refused (error %ld): pages pinned, owner unknown (not in the ledger: pinned before pinledger loaded, untracked, or still being pinned)\n",
						    MAJOR(w->dev), MINOR(w->dev),
						    w->ino, ret);
		}
	}
	smp_store_release(&w->closed, true);
	llist_add(&w->reap, &reap_list);
	queue_work(kick_wq, &kick_work);
	return ret;
}

/**
 * pinledger_guard_iput - an inode reference is about to be dropped.
 * @inode: the inode.
 *
 * If it is an unlinked DAX inode whose pages are busy, take a reference
 * so that eviction, which would free the blocks, is deferred: a free
 * deferral slot is claimed with cmpxchg(), no lock, no allocation.
 *
 * Context: ftrace callback at iput() entry: any process context, possibly
 * reclaim; preemption disabled; does not sleep.
 */
void pinledger_guard_iput(struct inode *inode)
{
	struct pl_deferred *d;
	struct busy b;
	int i;

	if (!inode || !IS_DAX(inode) || inode->i_nlink || !READ_ONCE(guard_live))
		return;
	if (!mapping_busy(inode->i_mapping, 0, ULONG_MAX, &b, false))
		return;
	/*
	 * Deferred already: ours is not the last reference.  A slot being
	 * completed (DEF_DONE) does not count: its iput() is this one, with
	 * the pages busy again, and defers anew in another slot.
	 */
	for (i = 0; i < PL_DEFER_SLOTS; i++)
		if (READ_ONCE(deferrals[i].inode) == inode &&
		    smp_load_acquire(&deferrals[i].state) == DEF_LIVE)
			return;
	for (i = 0; i < PL_DEFER_SLOTS; i++)
		if (!READ_ONCE(deferrals[i].inode) &&
		    !cmpxchg(&deferrals[i].inode, NULL, inode))
			break;
	if (i == PL_DEFER_SLOTS || !try_module_get(THIS_MODULE)) {
		if (i < PL_DEFER_SLOTS)
			smp_store_release(&deferrals[i].inode, NULL);
		pinledger_count(defer_failures);
		pr_warn_ratelimited("cannot defer eviction of busy DAX inode %llu (%s)\n",
				    (unsigned long long)inode->i_ino,
				    i == PL_DEFER_SLOTS ?
				    "all deferral slots in use" : "module unloading");
		return;
	}
	d = &deferrals[i];
	atomic_inc(&defer_count);
	ihold(inode);
	WRITE_ONCE(d->sb, inode->i_sb);
	d->dev = inode->i_sb->s_dev;
	d->ino = inode->i_ino;
	d->since_ns = ktime_get_ns();
	d->nr_owners = 0;
	atomic_inc(&guard_active);
	smp_store_release(&d->state, DEF_LIVE);
	pinledger_count(evictions_deferred);
	trace_eviction_deferred(d->dev, d->ino, b.nr);
	/* Now: to name the holders and watch the pages. */
	queue_work(kick_wq, &defer_work);
	mod_delayed_work(guard_wq, &recheck_work, HZ);
}

/* Note the first holders of busy page @pfn in @d.  defer_mutex held. */
static void defer_note_owners(struct pl_deferred *d, unsigned long pfn,
			      struct pinledger_snap *snap)
{
	u32 i;
	int n = 0;

	if (snap && pinledger_ledger_lookup(pfn, snap))
		for (i = 0; i < snap->nr_owners && n < DEF_OWNERS; i++, n++) {
			WRITE_ONCE(d->owners[n], snap->owners[i].tgid);
			strscpy(d->comm[n], snap->owners[i].comm, TASK_COMM_LEN);
		}
	WRITE_ONCE(d->nr_owners, n);
}

/*
 * Evict @d's inode: the final iput(), then free the slot.  defer_mutex
 * held; the eviction may sleep.
 */
static void defer_complete(struct pl_deferred *d)
{
	struct inode *inode = d->inode;

	page_unwatch(&d->watch);
	trace_eviction_completed(d->dev, d->ino, ktime_get_ns() - d->since_ns);
	pinledger_count(evictions_completed);
	/* Lockless readers that saw DEF_LIVE are in RCU sections: see above. */
	smp_store_release(&d->state, DEF_DONE);
	/* Final reference: evicts, truncates, frees the blocks. */
	iput(inode);
	WRITE_ONCE(d->state, DEF_FREE);
	/* Only now: umount must not see the superblock free mid-eviction. */
	smp_store_release(&d->inode, NULL);
	atomic_dec(&defer_count);
	atomic_dec(&guard_active);
	wake_up_all(&defer_done);
	module_put(THIS_MODULE);
}

/*
 * Evict the deferred inodes (of @sb, or all with NULL) whose pages are
 * idle; watch the first busy page of the others and note its holders.
 * Task context, defer_mutex held; may sleep.
 */
static void defer_pass(struct super_block *sb)
{
	struct pinledger_snap *snap = NULL;
	struct pl_deferred *d;
	bool synced = false;
	struct busy b;
	int i;

	for (i = 0; i < PL_DEFER_SLOTS; i++) {
		d = &deferrals[i];
		if (smp_load_acquire(&d->state) != DEF_LIVE ||
		    (sb && READ_ONCE(d->sb) != sb))
			continue;
		if (!mapping_busy(d->inode->i_mapping, 0, ULONG_MAX, &b, false)) {
			defer_complete(d);
			continue;
		}
		if (!synced) {
			/* Absorb the journals: recent pins get their owners. */
			pinledger_ledger_sync();
			snap = kmalloc(sizeof(*snap), GFP_KERNEL | __GFP_NOWARN);
			synced = true;
		}
		defer_note_owners(d, b.pfn, snap);
		page_watch(&d->watch, b.pfn, &defer_work);
	}
	kfree(snap);
}

static void defer_fn(struct work_struct *work)
{
	mutex_lock(&defer_mutex);
	defer_pass(NULL);
	mutex_unlock(&defer_mutex);
}

/**
 * pinledger_guard_sb_shutdown - finish the deferred evictions of a superblock.
 * @sb:	the superblock, whose last active reference is about to go
 *	(deactivate_super()).
 *
 * Completes the deferrals of @sb whose pages are idle, and waits for those
 * defer_work is completing.  If pages are still busy (a shutdown the
 * umount check did not refuse: a mount namespace's last mount dropped),
 * waits for them to drain, with a warning: the deferral's inode
 * reference must not outlive the superblock.
 *
 * Context: process context, no fs lock held (deactivate_super() entry,
 * redirected); may sleep.  Takes defer_mutex.
 */
void pinledger_guard_sb_shutdown(struct super_block *sb)
{
	bool warned = false;

	for (;;) {
		mutex_lock(&defer_mutex);
		defer_pass(sb);
		mutex_unlock(&defer_mutex);
		if (!pinledger_guard_sb_deferred(sb))
			return;
		/* Not the last reference: the umount check had its say. */
		if (atomic_read(&sb->s_active) > 1)
			return;
		if (!warned) {
			pr_warn("shutdown of %s waits for pins on %d deferred unlinked inodes to drain\n",
				sb->s_id, pinledger_guard_sb_deferred(sb));
			warned = true;
		}
		wait_event_timeout(defer_done, !pinledger_guard_sb_deferred(sb), HZ);
	}
}

/**
 * pinledger_guard_sb_deferred - does a superblock have deferred evictions?
 * @sb: the superblock.
 *
 * Counts those being completed too, until their eviction returns.
 *
 * Context: any; takes no lock, does not sleep.
 * Return: the number of its inodes whose eviction is deferred.
 */
int pinledger_guard_sb_deferred(struct super_block *sb)
{
	int i, n = 0;

	if (!atomic_read(&defer_count))
		return 0;
	/* @sb is set before the slot is live and kept until it is free. */
	for (i = 0; i < PL_DEFER_SLOTS; i++)
		n += READ_ONCE(deferrals[i].inode) &&
		     smp_load_acquire(&deferrals[i].state) != DEF_FREE &&
		     READ_ONCE(deferrals[i].sb) == sb;
	return n;
}

/**
 * pinledger_guard_umount - may this superblock be unmounted?
 * @sb:		the superblock being unmounted.
 * @ret:	what security_sb_umount() decided.
 * @idle_completes: the caller has pinledger_guard_sb_shutdown() run before
 *		the superblock goes (deactivate_super() redirected).
 *
 * Refuses while a deferred inode of @sb has busy pages, naming the first
 * holder defer_work found.  With @idle_completes, deferrals whose pages
 * are idle do not refuse it: pinledger_guard_sb_shutdown() completes them
 * before the superblock goes.  Without (the redirect could not be
 * installed: another IPMODIFY user holds deactivate_super()), every
 * deferral on @sb refuses it, idle or not, as before that redirect
 * existed: nothing would evict an idle one in time.
 *
 * Context: process context (umount(2)), called from a kretprobe return
 * handler; does not sleep, takes no lock.
 * Return: @ret, or -EBUSY while pages of deferred inodes of @sb are busy
 * (their inodes hold references the superblock's shutdown would trip
 * over, and the shutdown would wait for the pins).
 */
long pinledger_guard_umount(struct super_block *sb, long ret, bool idle_completes)
{
	struct pl_deferred *d, *first = NULL;
	struct inode *inode;
	struct busy b;
	int i, n = 0;

	if (ret || !atomic_read(&defer_count))
		return ret;
	rcu_read_lock();
	for (i = 0; i < PL_DEFER_SLOTS; i++) {
		d = &deferrals[i];
		/* DEF_LIVE seen under RCU: the inode outlives the section. */
		if (smp_load_acquire(&d->state) != DEF_LIVE ||
		    READ_ONCE(d->sb) != sb)
			continue;
		inode = READ_ONCE(d->inode);
		if (!inode || (idle_completes &&
			       !mapping_busy(inode->i_mapping, 0, ULONG_MAX, &b, false)))
			continue;
		if (!n++ || (!READ_ONCE(first->nr_owners) && READ_ONCE(d->nr_owners)))
			first = d;
	}
	rcu_read_unlock();
	if (!n)
		return 0;
	if (READ_ONCE(first->nr_owners) > 1)
		pr_info_ratelimited("umount of %s refused (EBUSY): %d unlinked inodes wait for pins to drain before eviction; holders: tgid %d (%s), tgid %d (%s)\n",
				    sb->s_id, n, READ_ONCE(first->owners[0]),
				    first->comm[0], READ_ONCE(first->owners[1]),
				    first->comm[1]);
	else if (READ_ONCE(first->nr_owners))
		pr_info_ratelimited("umount of %s refused (EBUSY): %d unlinked inodes wait for pins to drain before eviction; holder: tgid %d (%s)\n",
				    sb->s_id, n, READ_ONCE(first->owners[0]),
				    first->comm[0]);
	else
		pr_info_ratelimited("umount of %s refused (EBUSY): %d unlinked inodes wait for pins to drain before eviction; holder unknown (not in the ledger: pinned before pinledger loaded, untracked, or not looked up yet)\n",
				    sb->s_id, n);
	return -EBUSY;
}

/**
 * pinledger_guard_deferred - deferred evictions in total.
 *
 * Context: any; takes no lock.
 * Return: how many inodes wait for their pins to drain before eviction
 * (or are being evicted).
 */
int pinledger_guard_deferred(void)
{
	int i, n = 0;

	for (i = 0; i < PL_DEFER_SLOTS; i++)
		n += smp_load_acquire(&deferrals[i].state) != DEF_FREE;
	return n;
}

/**
 * pinledger_guard_waiters - copy the waiting layout changes and deferrals.
 * @v:		receives up to @max of them: layout changes first, then
 *		deferred evictions.
 * @max:	room in @v.
 *
 * Waiters carry their inode's device and number; closed ones (their
 * break_layouts returned, not yet freed) are left out.
 *
 * Context: task context; takes guard_lock.  Does not sleep.
 * Return: how many there are (may exceed @max: then call again).
 */
int pinledger_guard_waiters(struct pinledger_wait_info *v, int max)
{
	struct pinledger_waiter *w;
	struct pl_deferred *d;
	u64 now = ktime_get_ns();
	unsigned long flags;
	int n = 0, k;

	pl_rt_may_sleep("guard_lock");
	spin_lock_irqsave(&guard_lock, flags);
	list_for_each_entry(w, &waiters, node) {
		struct pinledger_wait_info *i;

		if (READ_ONCE(w->closed))
			continue;
		if (n >= max) {
			n++;
			continue;
		}
		i = &v[n++];
		memset(i, 0, sizeof(*i));
		i->id = w->id;
		i->policy = w->policy;
		i->dev = w->dev;
		i->ino = w->ino;
		i->first = w->first;
		i->last = w->last;
		i->waited_ns = now - w->start_ns;
		i->tgid = w->tgid;
		memcpy(i->comm, w->comm, sizeof(i->comm));
		i->nr_owners = w->nr_owners;
		memcpy(i->owners, w->owners, sizeof(i->owners));
	}
	spin_unlock_irqrestore(&guard_lock, flags);
	for (k = 0; k < PL_DEFER_SLOTS; k++) {
		struct pinledger_wait_info *i;

		d = &deferrals[k];
		if (smp_load_acquire(&d->state) == DEF_FREE)
			continue;
		if (n >= max) {
			n++;
			continue;
		}
		i = &v[n++];
		memset(i, 0, sizeof(*i));
		i->deferred = true;
		i->dev = d->dev;
		i->ino = d->ino;
		i->waited_ns = now - d->since_ns;
	}
	return n;
}

/**
 * pinledger_guard_waiters_alloc - pinledger_guard_waiters() into a new array.
 * @nr:		receives how many were copied.
 *
 * Context: process context, may sleep.
 * Return: the array (kfree() it; empty but not NULL when there are none),
 * or NULL without memory.
 */
struct pinledger_wait_info *pinledger_guard_waiters_alloc(int *nr)
{
	struct pinledger_wait_info *v;
	int cap = 16, n;

	for (;;) {
		v = kmalloc_array(cap, sizeof(*v), GFP_KERNEL);
		if (!v)
			return NULL;
		n = pinledger_guard_waiters(v, cap);
		if (n <= cap)
			break;
		kfree(v);
		cap = n + 16;
	}
	*nr = n;
	return v;
}

static const char *const policy_names[] = { "wait", "revoke", "block" };

/* debugfs "waiters": the layout changes waiting now, then the deferrals. */
static int waiters_show(struct seq_file *m, void *unused)
{
	struct pinledger_wait_info *v;
	int i, j, n;

	v = pinledger_guard_waiters_alloc(&n);
	if (!v)
		return -ENOMEM;
	for (i = 0; i < n && !v[i].deferred; i++) {
		seq_printf(m, "waiter id=%llu file=%u:%u:%lu range=%lu-%lu policy=%s tgid=%d comm=%s waited_ms=%llu owners=",
			   v[i].id, MAJOR(v[i].dev), MINOR(v[i].dev), v[i].ino,
			   (unsigned long)v[i].first, (unsigned long)v[i].last,
			   v[i].policy < ARRAY_SIZE(policy_names) ?
			   policy_names[v[i].policy] : "?", v[i].tgid, v[i].comm,
			   div_u64(v[i].waited_ns, NSEC_PER_MSEC));
		for (j = 0; j < v[i].nr_owners; j++)
			seq_printf(m, "%s%d", j ? "," : "", v[i].owners[j]);
		if (!v[i].nr_owners)
			seq_puts(m, "unknown");
		seq_putc(m, '\n');
	}
	for (; i < n; i++)
		seq_printf(m, "deferred file=%u:%u:%lu deferred_ms=%llu\n",
			   MAJOR(v[i].dev), MINOR(v[i].dev), v[i].ino,
			   div_u64(v[i].waited_ns, NSEC_PER_MSEC));
	kfree(v);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(waiters);

/**
 * pinledger_guard_debugfs_init - create the debugfs "waiters" listing.
 * @dir: /sys/kernel/debug/pinledger.
 *
 * Context: process context, may sleep; module init.
 */
void pinledger_guard_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("waiters", 0400, dir, NULL, &waiters_fops);
}

/**
 * pinledger_guard_init - start the guard's workers.
 *
 * Context: process context, may sleep; module init.
 * Return: 0 or -ENOMEM.
 */
int pinledger_guard_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		init_irq_work(per_cpu_ptr(&wake_iw, cpu), wake_fn);
	if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
		wake_rings = alloc_percpu(struct pl_wake_ring);
		if (!wake_rings)
			return -ENOMEM;
	}
	deferrals = kcalloc(PL_DEFER_SLOTS, sizeof(*deferrals), GFP_KERNEL);
	if (!deferrals)
		goto err_rings;
	guard_wq = alloc_workqueue("pinledger", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!guard_wq)
		goto err;
	kick_wq = alloc_workqueue("pinledger_kick", WQ_HIGHPRI | WQ_MEM_RECLAIM, 0);
	if (!kick_wq)
		goto err_guard_wq;
	INIT_WORK(&kick_work, kick_fn);
	INIT_DELAYED_WORK(&revoke_work, revoke_fn);
	INIT_DELAYED_WORK(&recheck_work, recheck_fn);
	INIT_WORK(&defer_work, defer_fn);
	WRITE_ONCE(guard_live, true);
	return 0;

err_guard_wq:
	destroy_workqueue(guard_wq);
err:
	kfree(deferrals);
	deferrals = NULL;
err_rings:
	free_percpu(wake_rings);
	wake_rings = NULL;
	return -ENOMEM;
}

/**
 * pinledger_guard_exit - stop the guard.
 *
 * Runs after the hooks are gone.  No waiter and no deferral can exist:
 * each holds a module reference until it is freed.
 *
 * Context: process context, may sleep; module exit.
 */
void pinledger_guard_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		irq_work_sync(per_cpu_ptr(&wake_iw, cpu));
	WRITE_ONCE(guard_live, false);
	cancel_work_sync(&kick_work);
	cancel_delayed_work_sync(&revoke_work);
	cancel_delayed_work_sync(&recheck_work);
	cancel_work_sync(&kick_work);	/* recheck may have queued it */
	cancel_work_sync(&defer_work);
	destroy_workqueue(kick_wq);
	destroy_workqueue(guard_wq);
	/* Each waiter and deferral holds a module reference. */
	WARN_ON_ONCE(!list_empty(&waiters) || !llist_empty(&reap_list) ||
		     pinledger_guard_deferred());
	kfree(deferrals);
	deferrals = NULL;
	free_percpu(wake_rings);
	wake_rings = NULL;
}
