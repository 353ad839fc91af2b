// SPDX-License-Identifier: GPL-2.0
/*
 * ledger.c - the pin ledger, a hashed side table keyed by folio pfn.
 *
 * DOC: pin ledger
 *
 * Every GUP reference the hooks report lands here, by one of two paths:
 * the journals (module/journal.c), whose absorber applies acquisitions
 * batch by batch (pinledger_index_batch_start()/_add()/_end()) and
 * releases (pinledger_index_drop()) in task context, or the direct path
 * (pinledger_ledger_acquire()/_release(), for page-cache folios and
 * while pin events are traced), called from the hooks.  An entry holds
 * the exact FOLL_PIN and FOLL_GET counts of one folio and who holds them.
 * Holders are struct pinledger_owner records shared by all the pages of
 * one GUP call (one per file the call touched), so a 512-page pin costs
 * one owner record and 512 entries of 40 bytes.
 *
 * Releases do not say whose reference goes away.  They are attributed to
 * the owner of the same kind (pin/get) in the releasing process if there
 * is one, else to the oldest owner of that kind.  Page totals are exact;
 * per-owner counts follow that rule.
 *
 * FOLL_GET references are dropped with put_page(), which has no
 * hookable batch release.  On fsdax folios, whose refcount counts GUP
 * references exactly, every sync sees such a release
 * (pinledger_index_sweep()).  Elsewhere a reconciliation pass
 * (reconcile_work, every reconcile_ms) compares the FOLL_GET count of
 * each entry that has one (get_pfns) with what the page's refcount can
 * still explain and drops the excess: a stale entry disappears within
 * 2 * reconcile_ms.  The rule never drops a reference that is still held;
 * transient extra references only delay it.  A FOLL_GET whose page shows
 * no trace of it when its journal record is absorbed was released already
 * and never gets an entry.
 *
 * An entry whose folio writeback write-protected while it was pinned for
 * write carries OWNER_CLEANED (in the low bits of its owner word, so the
 * entry stays 40 bytes) until its last write pin goes; that release is
 * announced to whoever subscribed (PL_LEDGER_NOTIFY_CLEANED_UNPINNED,
 * pinledger_ledger_subscribe()).  The ledger has no policy of its own.
 *
 * Allocation never sleeps (GFP_NOWAIT).  A reference that cannot be
 * recorded is counted in "untracked"; whoever asks whether a page is
 * pinned must also look at the page's refcount (pinledger_page_busy()),
 * which covers these and references taken before the module loaded.
 *
 * Locking: ledger_locks[] (spinlock_t, IRQ-safe) protect the buckets
 * hashed to them: chains, entry counts and owner sets.  They are leaves:
 * taken from kretprobe/ftrace handlers (preemption or IRQs disabled,
 * possibly under the PTE lock or mmap_lock), from IRQ/softirq context
 * (bio completion unpinning), and from process context (listings,
 * reconciliation), always with IRQs saved; nothing else is taken under
 * them except the slab allocator.  Owner records are reference counted by
 * the references attributed to them, so an owner reachable from an entry
 * under its bucket lock is alive.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/random.h>
#include <linux/hash.h>
#include <linux/sched.h>
#include <linux/workqueue.h>
#include <linux/fs.h>
#include "pinledger.h"
#include "pinledger_ledger.h"
#include "pinledger_journal.h"
#include "pinledger_trace.h"
#include "pinledger_origin.h"
#include "compat/gup.h"

static unsigned int ledger_buckets_log2 = 19;
module_param(ledger_buckets_log2, uint, 0444);
MODULE_PARM_DESC(ledger_buckets_log2,
		 "log2 of the ledger's hash buckets (10..24, default 19: 4 MiB, chains of 2 at 1M pinned pages)");

static unsigned int reconcile_ms = 1000;

static int reconcile_ms_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < 100 || v > 60000) {
		pr_info_ratelimited("reconcile_ms: want an integer in 100..60000\n");
		return -EINVAL;
	}
	WRITE_ONCE(reconcile_ms, v);
	return 0;
}

static const struct kernel_param_ops reconcile_ms_ops = {
	.set = reconcile_ms_set,
	.get = param_get_uint,
};
module_param_cb(reconcile_ms, &reconcile_ms_ops, &reconcile_ms, 0644);
MODULE_PARM_DESC(reconcile_ms,
		 "interval of the FOLL_GET reconciliation pass in ms (100..60000); stale entries go within twice this");

#define LEDGER_LOCKS		1024
#define OWNER_SET		0x1UL	/* pl_page.owner points to a struct pl_set */
#define OWNER_CLEANED		0x2UL	/* written back while pinned for write */
#define OWNER_MASK		(~0x7UL)

/* One pinned folio.  40 bytes: keep it that way (P4: <= 48 bytes a page). */
struct pl_page {
	struct pl_page *next;
	unsigned long pfn;
	u32 pins;
	u32 gets;
	unsigned long owner;	/* struct pinledger_owner *, or pl_set * | OWNER_SET */
	pgoff_t index;
};

/* A holder; see struct pinledger_snap_owner. */
struct pinledger_owner {
	atomic_t refs;		/* references attributed to it, all pages */
	u32 flags;
	pid_t tgid;
	char comm[TASK_COMM_LEN];
	unsigned long callsite;
	u64 start_ns;
	dev_t dev;
	unsigned long ino;
	u64 cgroup;		/* cgroup v2 id of the pinning task */
	u32 stack;		/* stack id (module/stacks.c), 0 none */
	bool longlived;		/* reported as long-lived (owners_lock) */
	unsigned long pfn;	/* its first folio */
	pgoff_t index;		/* ... and that folio's index in the file */
	struct list_head node;	/* on owners (owners_lock) */
};

/* The holders of a folio held by more than one owner. */
struct pl_set {
	u32 n;
	u32 cap;
	struct pl_set_ent {
		struct pinledger_owner *o;
		u32 pins;
		u32 gets;
	} e[];
};

/*
 * Every live owner record, oldest first, for the long-lived pin scan
 * (pinledger_ledger_longlived()).  owners_lock (spinlock_t, IRQ-safe) is
 * a leaf: taken with IRQs saved when a record is created or freed, which
 * may be under a ledger bucket lock and in any context the ledger runs
 * in, and by the scan in process context.  Order: ledger bucket lock ->
 * owners_lock.
 */
static LIST_HEAD(owners);
static DEFINE_SPINLOCK(owners_lock);

static struct pl_page **ledger_table;
static unsigned long ledger_mask;
static spinlock_t ledger_locks[LEDGER_LOCKS];
static struct kmem_cache *pl_page_cache;
static struct delayed_work reconcile_work;
static bool ledger_live;
static unsigned int ledger_subscribed;	/* PL_LEDGER_NOTIFY_*, READ_ONCE */
/*
 * pfns of folios with recorded FOLL_GET references (a superset; marked
 * PL_GETS_DAX for fsdax folios), so that reconciliation and the fsdax
 * sweep visit those and not the whole table.  Written in task context
 * only, never under a ledger lock; get_pfns_incomplete says a store
 * failed and reconciliation must walk the table.
 */
static DEFINE_XARRAY(get_pfns);
#define PL_GETS_DAX	XA_MARK_0
static bool get_pfns_incomplete;

/**
 * pinledger_ledger_subscribe - turn ledger notifications on or off.
 * @notifications:	PL_LEDGER_NOTIFY_* bits.
 * @on:			subscribe (true) or unsubscribe.
 *
 * The subscriber defines the notification's function (see
 * pinledger_ledger.h); the ledger calls it only while subscribed.
 * Unsubscribing does not wait for a call already under way.
 *
 * Context: process context; module init and exit (not concurrent with
 * another subscribe).
 */
void pinledger_ledger_subscribe(unsigned int notifications, bool on)
{
	unsigned int v = READ_ONCE(ledger_subscribed);

	WRITE_ONCE(ledger_subscribed, on ? v | notifications : v & ~notifications);
}

static inline unsigned long bucket_of(unsigned long pfn)
{
	return hash_long(pfn, ledger_buckets_log2);
}

static inline spinlock_t *lock_of(unsigned long bucket)
{
	pl_rt_may_sleep("ledger bucket lock");
	return &ledger_locks[bucket & (LEDGER_LOCKS - 1)];
}

static inline struct pinledger_owner *single_owner(struct pl_page *e)
{
	return (e->owner & OWNER_SET) ? NULL :
		(struct pinledger_owner *)(e->owner & OWNER_MASK);
}

static inline struct pl_set *owner_set(struct pl_page *e)
{
	return (e->owner & OWNER_SET) ?
		(struct pl_set *)(e->owner & OWNER_MASK) : NULL;
}

static struct pl_page *find(unsigned long bucket, unsigned long pfn,
			    struct pl_page ***link)
{
	struct pl_page **p = &ledger_table[bucket], *e;

	for (e = *p; e; p = &e->next, e = *p) {
		if (e->pfn == pfn) {
			if (link)
				*link = p;
			return e;
		}
	}
	return NULL;
}

static long unexplained_refs(struct folio *folio)
{
	bool fsdax;

	return pinledger_folio_unexplained(folio, &fsdax);
}

/* Remember that @pfn has FOLL_GETs (get_pfns).  Never under a ledger lock. */
static void note_gets(unsigned long pfn, bool dax)
{
	if (!in_task() ||
	    xa_err(xa_store(&get_pfns, pfn, xa_mk_value(0),
			    GFP_NOWAIT | __GFP_NOWARN))) {
		WRITE_ONCE(get_pfns_incomplete, true);
		return;
	}
	if (dax)
		xa_set_mark(&get_pfns, pfn, PL_GETS_DAX);
}

static void owner_put(struct pinledger_owner *o, int n)
{
	unsigned long flags;

	if (atomic_sub_and_test(n, &o->refs)) {
		pl_rt_may_sleep("owners_lock");
		spin_lock_irqsave(&owners_lock, flags);
		list_del(&o->node);
		spin_unlock_irqrestore(&owners_lock, flags);
		kfree(o);
		pinledger_sub(ledger_bytes, sizeof(*o));
	}
}

/* Percentage of ledger allocations to fail (debugfs fail_alloc_percent). */
unsigned int pinledger_fail_alloc_percent;

/* Fault injection: should this ledger allocation fail?  Any context. */
static bool alloc_fails(void)
{
	unsigned int pct = READ_ONCE(pinledger_fail_alloc_percent);

	if (likely(!pct) || get_random_u32() % 100 >= pct)
		return false;
	pinledger_inc(injected_alloc_failures);
	return true;
}

/*
 * A new owner record: its GUP call's @key (tgid and comm are the
 * caller's to fill), when, and the file and first folio it holds.
 */
static struct pinledger_owner *owner_alloc(u32 flags, unsigned long callsite,
					   u64 cgroup, u32 stack, u64 start_ns,
					   dev_t dev, unsigned long ino,
					   unsigned long pfn, pgoff_t index)
{
	struct pinledger_owner *o = alloc_fails() ? NULL :
		kmalloc(sizeof(*o), GFP_NOWAIT | __GFP_NOWARN);
	unsigned long irqflags;

	if (!o)
		return NULL;
	atomic_set(&o->refs, 1);	/* the batch's own reference */
	o->flags = flags;
	o->callsite = callsite;
	o->cgroup = cgroup;
	o->stack = stack;
	o->longlived = false;
	o->start_ns = start_ns;
	o->dev = dev;
	o->ino = ino;
	o->pfn = pfn;
	o->index = index;
	pl_rt_may_sleep("owners_lock");
	spin_lock_irqsave(&owners_lock, irqflags);
	list_add_tail(&o->node, &owners);
	spin_unlock_irqrestore(&owners_lock, irqflags);
	pinledger_add(ledger_bytes, sizeof(*o));
	return o;
}

/* An owner record for the current task (direct path; RCU read side held). */
static struct pinledger_owner *owner_new(u32 flags, unsigned long callsite,
					 u32 stack, dev_t dev,
					 unsigned long ino, unsigned long pfn,
					 pgoff_t index)
{
	struct pinledger_owner *o;

	o = owner_alloc(flags, callsite, pl_current_cgroup(), stack,
			ktime_get_ns(), dev, ino, pfn, index);
	if (o) {
		o->tgid = current->tgid;
		get_task_comm(o->comm, current);
	}
	return o;
}

/**
 * pinledger_folio_file - the file a folio caches.
 * @folio:	the folio.
 * @dev:	receives its inode's superblock device.
 * @ino:	receives its inode number.
 * @index:	receives its page index in the file.
 *
 * Context: any; the caller keeps the inode from being freed (RCU read
 * side, or the folio locked / rmap locks held).
 * Return: false for anonymous, KSM and movable-ops folios and folios
 * already removed from their file.
 */
bool pinledger_folio_file(struct folio *folio, dev_t *dev, unsigned long *ino,
			  pgoff_t *index)
{
	struct address_space *mapping = READ_ONCE(folio->mapping);
	struct inode *host;

	if (!mapping || ((unsigned long)mapping & FOLIO_MAPPING_FLAGS))
		return false;
	/* Inodes are freed after an RCU grace period. */
	host = READ_ONCE(mapping->host);
	if (!host)
		return false;
	*dev = host->i_sb->s_dev;
	*ino = host->i_ino;
	*index = folio->index;
	return true;
}

/*
 * Credit @n references of kind @pin on entry @e to @o.  Lock held.
 * Returns the owner credited: @o, or, when the owner set cannot grow, an
 * owner already on the entry (the page total stays exact either way).
 */
static struct pinledger_owner *entry_add_owner(struct pl_page *e,
					       struct pinledger_owner *o,
					       bool pin, u32 n)
{
	struct pinledger_owner *one = single_owner(e);
	struct pl_set *set = owner_set(e), *grown;
	u32 i;

	if (one == o)
		return o;
	if (one) {
		set = alloc_fails() ? NULL :
			kmalloc(struct_size(set, e, 4), GFP_NOWAIT | __GFP_NOWARN);
		if (!set) {
			pinledger_inc(owner_alloc_failures);
			return one;
		}
		set->n = 1;
		set->cap = 4;
		/* The existing owner holds everything counted so far. */
		set->e[0] = (struct pl_set_ent){ one, e->pins, e->gets };
		e->owner = (unsigned long)set | OWNER_SET |
			   (e->owner & OWNER_CLEANED);
		pinledger_add(ledger_bytes, struct_size(set, e, 4));
	}
	for (i = 0; i < set->n; i++) {
		if (set->e[i].o == o)
			goto credit;
	}
	if (set->n == set->cap) {
		grown = alloc_fails() ? NULL :
			kmalloc(struct_size(set, e, set->cap * 2),
				GFP_NOWAIT | __GFP_NOWARN);
		if (!grown) {
			pinledger_inc(owner_alloc_failures);
			i = 0;
			goto credit;
		}
		memcpy(grown, set, struct_size(set, e, set->n));
		grown->cap = set->cap * 2;
		pinledger_add(ledger_bytes, struct_size(set, e, grown->cap) -
					    struct_size(set, e, set->cap));
		kfree(set);
		set = grown;
		e->owner = (unsigned long)set | OWNER_SET |
			   (e->owner & OWNER_CLEANED);
	}
	i = set->n++;
	set->e[i] = (struct pl_set_ent){ o, 0, 0 };
credit:
	if (pin)
		set->e[i].pins += n;
	else
		set->e[i].gets += n;
	return set->e[i].o;
}

/*
 * Record @n references on @folio for @o.  Returns false when they could
 * not be recorded (allocation failure); the caller counts them as
 * untracked.
 */
static bool record(unsigned long pfn, struct folio *folio, pgoff_t index,
		   struct pinledger_owner *o, bool pin, u32 n)
{
	unsigned long b = bucket_of(pfn), flags;
	struct pl_page *e;

	spin_lock_irqsave(lock_of(b), flags);
	e = find(b, pfn, NULL);
	if (!e) {
		e = alloc_fails() ? NULL :
			kmem_cache_alloc(pl_page_cache, GFP_NOWAIT | __GFP_NOWARN);
		if (!e) {
			spin_unlock_irqrestore(lock_of(b), flags);
			return false;
		}
		*e = (struct pl_page){ .next = ledger_table[b], .pfn = pfn,
				       .owner = (unsigned long)o,
				       .index = index };
		ledger_table[b] = e;
		pinledger_add(ledger_bytes, sizeof(*e));
		pinledger_inc(live_pages);
	} else {
		o = entry_add_owner(e, o, pin, n);
	}
	atomic_add(n, &o->refs);
	if (pin)
		e->pins += n;
	else
		e->gets += n;
	spin_unlock_irqrestore(lock_of(b), flags);
	/* put_page() is not hooked: reconciliation and the sweep watch gets. */
	if (!pin)
		note_gets(pfn, pl_page_is_fsdax(&folio->page));
	return true;
}

/**
 * pinledger_ledger_acquire - record the references one GUP call took.
 * @pages:	the pages it returned.
 * @nr:		how many.
 * @gup_flags:	its FOLL_* flags; calls with neither FOLL_PIN nor FOLL_GET
 *		took no references and are ignored.
 * @callsite:	the caller of the GUP entry point.
 * @stack:	its stack id (pinledger_stack_capture()), 0 for none.
 *
 * One reference per page, attributed to one owner record per file.
 * Consecutive pages of one folio (a THP, a PMD-mapped DAX extent) are
 * recorded in one step: the cost is per folio, not per page.
 *
 * Context: kretprobe/ftrace handler or process context; IRQs may be
 * disabled; does not sleep.  Takes ledger locks.
 */
void pinledger_ledger_acquire(struct page **pages, long nr,
			      unsigned int gup_flags, unsigned long callsite,
			      u32 stack)
{
	bool pin = gup_flags & PL_FOLL_PIN;
	struct pinledger_owner *o = NULL;
	u32 flags, n, k;
	long i;

	if (!READ_ONCE(ledger_live))
		return;
	flags = pl_owner_flags(gup_flags);
	if (!flags)
		return;

	rcu_read_lock();
	for (i = 0; i < nr; i += n) {
		struct page *page = pages[i];
		struct folio *folio;
		unsigned long ino = 0;
		pgoff_t index = 0;
		dev_t dev = 0;

		n = 1;
		/* The kernel keeps no pin on the shared zero page either. */
		if (!page || is_zero_page(page))
			continue;
		folio = page_folio(page);
		while (i + n < nr && pages[i + n] &&
		       page_folio(pages[i + n]) == folio)
			n++;
		pinledger_folio_file(folio, &dev, &ino, &index);
		if (!o || o->dev != dev || o->ino != ino) {
			if (o)
				owner_put(o, 1);
			o = owner_new(flags, callsite, stack, dev, ino,
				      folio_pfn(folio), index);
		}
		if (!o || !record(folio_pfn(folio), folio, index, o, pin, n)) {
			pinledger_add(untracked, n);
			continue;
		}
		if (pin)
			pinledger_add(acquired_pins, n);
		else
			pinledger_add(acquired_gets, n);
		if (trace_pin_acquire_enabled())
			for (k = 0; k < n; k++)
				trace_pin_acquire(folio_pfn(folio), dev, ino,
						  index, o->tgid, flags, callsite,
						  o->cgroup);
	}
	rcu_read_unlock();
	if (o)
		owner_put(o, 1);
}

/**
 * pinledger_index_batch_start - begin applying one journaled GUP call.
 * @b:		the batch state, filled here.
 * @key:	who took the references.
 * @start_ns:	when (ktime_get_ns() clock).
 * @pin:	FOLL_PIN references, else FOLL_GET.
 * @quiet:	emit no pin_acquire events (references already reported, or
 *		absorbed because tracing is being turned on).
 *
 * Context: the absorber (module/journal.c, absorb_lock held); does not
 * sleep.
 */
void pinledger_index_batch_start(struct pinledger_index_batch *b,
				 const struct pinledger_owner_key *key,
				 u64 start_ns, bool pin, bool quiet)
{
	*b = (struct pinledger_index_batch){ .key = key, .start_ns = start_ns,
					     .pin = pin, .quiet = quiet };
}

/* References the index explains on @folio's entry (@pfn), in refcount units. */
static long index_refs(unsigned long pfn, struct folio *folio)
{
	unsigned long b = bucket_of(pfn), flags;
	struct pl_page *e;
	long refs = 0;

	spin_lock_irqsave(lock_of(b), flags);
	e = find(b, pfn, NULL);
	if (e)
		refs = e->gets + (folio_test_large(folio) ? e->pins :
				  (long)e->pins * GUP_PIN_COUNTING_BIAS);
	spin_unlock_irqrestore(lock_of(b), flags);
	return refs;
}

/* pinledger_index_add() for what is not a FOLL_GET already released. */
static noinline void index_add(struct pinledger_index_batch *b,
			       unsigned long pfn, struct folio *folio, u32 n)
{
	const struct pinledger_owner_key *k = b->key;
	struct pinledger_owner *o = b->o;
	unsigned long ino = 0;
	pgoff_t index = 0;
	dev_t dev = 0;
	bool held;
	u32 i, gone = 0;

	if (folio_test_slab(folio)) {
		held = false;
	} else if (b->pin) {
		held = folio_maybe_dma_pinned(folio);
	} else {
		/*
		 * At most as many FOLL_GETs as the refcount still shows beyond
		 * what the index has: an O_DIRECT loop on one buffer page
		 * journals thousands, of which one may be in flight.
		 */
		long can = unexplained_refs(folio);

		/* The index is only looked up while references show. */
		if (can > 0)
			can -= index_refs(pfn, folio);
		held = can > 0;
		gone = held ? n - min_t(long, n, can) : n;
	}
	if (gone) {
		pinledger_add(acquired_gets, gone);
		/* An fsdax refcount is exact: that was a release. */
		if (pl_page_is_fsdax(&folio->page))
			pinledger_add(released_gets, gone);
		else
			pinledger_add(reconciled, gone);
		n -= gone;
		if (!n)
			return;
	}
	rcu_read_lock();
	if (held)
		pinledger_folio_file(folio, &dev, &ino, &index);
	if (!o || o->dev != dev || o->ino != ino) {
		if (o)
			owner_put(o, 1);
		o = owner_alloc(k->flags, k->callsite, k->cgroup, k->stack,
				b->start_ns, dev, ino, pfn, index);
		if (o) {
			o->tgid = k->tgid;
			memcpy(o->comm, k->comm, sizeof(o->comm));
		}
		b->o = o;
	}
	/*
	 * Keyed by the pfn the writer saw: if the references are gone and
	 * the page is part of another folio now, the release still finds it.
	 */
	if (!o || !record(pfn, folio, index, o, b->pin, n)) {
		rcu_read_unlock();
		pinledger_add(untracked, n);
		return;
	}
	rcu_read_unlock();
	if (b->pin)
		pinledger_add(acquired_pins, n);
	else
		pinledger_add(acquired_gets, n);
	if (!b->quiet && trace_pin_acquire_enabled())
		for (i = 0; i < n; i++)
			trace_pin_acquire(pfn, dev, ino, index, k->tgid,
					  k->flags, k->callsite, k->cgroup);
}

/**
 * pinledger_index_add - apply @n references on one folio of a batch.
 * @b:		the batch.
 * @pfn:	the folio's first pfn when the references were taken.
 * @n:		references.
 *
 * The references may already have been released (their release record
 * not absorbed yet), so the folio is only looked at where a reference
 * still shows: a FOLL_PIN when the folio still looks pinned, a FOLL_GET
 * when its refcount has references neither the index nor anybody else
 * explains.  FOLL_GETs beyond those were released (put_page() is not
 * hooked) and are counted as acquired and released (fsdax, whose
 * refcount is exact) or reconciled, without an entry.
 *
 * Context: the absorber; does not sleep; takes a ledger lock.
 */
void pinledger_index_add(struct pinledger_index_batch *b, unsigned long pfn,
			 u32 n)
{
	struct folio *folio = pfn_folio(pfn);

	if (!READ_ONCE(ledger_live))
		return;
	if (!b->pin && pinledger_index_get_gone(b, folio, n))
		return;
	index_add(b, pfn, folio, n);
}

/**
 * pinledger_index_batch_end - finish applying one journaled GUP call.
 * @b:	the batch.
 *
 * Context: the absorber; does not sleep.
 */
void pinledger_index_batch_end(struct pinledger_index_batch *b)
{
	/* An fsdax refcount is exact: those were releases. */
	if (b->gone) {
		pinledger_add(acquired_gets, b->gone);
		pinledger_add(released_gets, b->gone_dax);
		pinledger_add(reconciled, b->gone - b->gone_dax);
	}
	if (b->o)
		owner_put(b->o, 1);
	b->o = NULL;
}

/*
 * FOLL_PIN references on @e taken with FOLL_WRITE.  Lock held; @e still
 * holds references (else its single owner may be gone).
 */
static u32 entry_write_pins(struct pl_page *e)
{
	struct pinledger_owner *one = single_owner(e);
	struct pl_set *set = owner_set(e);
	u32 i, n = 0;

	if (one)
		return (one->flags & PL_F_WRITE) ? e->pins : 0;
	for (i = 0; set && i < set->n; i++)
		if (set->e[i].o->flags & PL_F_WRITE)
			n += set->e[i].pins;
	return n;
}

/* Who a release is attributed to: copied out before the owner is put. */
struct released_from {
	u64 start_ns;
	unsigned long callsite;
	unsigned long ino;
	dev_t dev;
	pid_t tgid;
	u64 cgroup;
};

static void released_from_set(struct released_from *r,
			      const struct pinledger_owner *o)
{
	r->start_ns = o->start_ns;
	r->callsite = o->callsite;
	r->ino = o->ino;
	r->dev = o->dev;
	r->tgid = o->tgid;
	r->cgroup = o->cgroup;
}

/*
 * Take @n references of kind @pin off @e's owners; the owner the release
 * is attributed to (the first one taken from) goes to *@r.  Putting an
 * owner may free it, so *@r is filled before.  Lock held.
 * Return: false if no owner held such references.
 */
static bool entry_drop_owners(struct pl_page *e, u32 n, bool pin,
			      struct released_from *r)
{
	struct pinledger_owner *one = single_owner(e);
	struct pl_set *set = owner_set(e);
	pid_t tgid = in_task() ? current->tgid : 0;
	bool found = false;
	u32 i, take;

	if (one) {
		released_from_set(r, one);
		owner_put(one, n);
		return true;
	}
	while (n && set->n) {
		int best = -1;

		for (i = 0; i < set->n; i++) {
			u32 have = pin ? set->e[i].pins : set->e[i].gets;

			if (!have)
				continue;
			if (set->e[i].o->tgid == tgid) {
				best = i;
				break;
			}
			if (best < 0 ||
			    set->e[i].o->start_ns < set->e[best].o->start_ns)
				best = i;
		}
		if (best < 0)
			break;
		i = best;
		take = min(n, pin ? set->e[i].pins : set->e[i].gets);
		if (pin)
			set->e[i].pins -= take;
		else
			set->e[i].gets -= take;
		n -= take;
		if (!found) {
			released_from_set(r, set->e[i].o);
			found = true;
		}
		if (!set->e[i].pins && !set->e[i].gets) {
			owner_put(set->e[i].o, take);
			set->e[i] = set->e[--set->n];
		} else {
			atomic_sub(take, &set->e[i].o->refs);
		}
	}
	return found;
}

static void entry_free(struct pl_page *e, struct pl_page **link)
{
	struct pl_set *set = owner_set(e);

	*link = e->next;
	if (set) {
		u32 i;

		for (i = 0; i < set->n; i++)
			owner_put(set->e[i].o,
				  set->e[i].pins + set->e[i].gets);
		pinledger_sub(ledger_bytes, struct_size(set, e, set->cap));
		kfree(set);
	} else if (e->pins + e->gets) {
		owner_put(single_owner(e), e->pins + e->gets);
	}
	kmem_cache_free(pl_page_cache, e);
	pinledger_sub(ledger_bytes, sizeof(*e));
	pinledger_dec(live_pages);
}

/*
 * Drop @refs references of kind @pin from the entry of @pfn.  Returns
 * how many were recorded (the rest were never in the ledger).  *@cleaned
 * (if given) is set when this dropped the last write pin of an entry
 * marked "cleaned while pinned".
 */
static u32 drop(unsigned long pfn, u32 refs, bool pin, bool reconciled,
		bool *cleaned)
{
	unsigned long b = bucket_of(pfn), flags;
	struct released_from r = { 0 };
	struct pl_page *e, **link;
	u32 n = 0;
	pgoff_t index = 0;

	spin_lock_irqsave(lock_of(b), flags);
	e = find(b, pfn, &link);
	if (e) {
		n = min(refs, pin ? e->pins : e->gets);
		if (n) {
			if (entry_drop_owners(e, n, pin, &r))
				index = e->index;
			if (pin)
				e->pins -= n;
			else
				e->gets -= n;
		}
		/*
		 * With no pin left the owners need not be looked at (and a
		 * single owner whose last reference went above is freed).
		 */
		if ((e->owner & OWNER_CLEANED) &&
		    (!e->pins || !entry_write_pins(e))) {
			e->owner &= ~OWNER_CLEANED;
			if (cleaned)
				*cleaned = true;
		}
		if (!e->pins && !e->gets) {
			/* Owners were put above; only the set remains. */
			struct pl_set *set = owner_set(e);

			if (set)
				set->n = 0;
			else
				e->owner = 0;
			entry_free(e, link);
		}
	}
	spin_unlock_irqrestore(lock_of(b), flags);
	/* The lifetime costs a clock read: only when someone traces. */
	if (n && trace_pin_release_enabled())
		trace_pin_release(pfn, r.dev, r.ino, index, r.tgid,
				  (pin ? PL_F_PIN : PL_F_GET), r.callsite,
				  ktime_get_ns() - r.start_ns, reconciled, r.cgroup);
	return n;
}

/* Count a release of @refs references of which the ledger had @n. */
static void count_release(bool pin, u32 refs, u32 n)
{
	if (pin)
		pinledger_add(released_pins, n);
	else
		pinledger_add(released_gets, n);
	if (n < refs)
		pinledger_add(unmatched_releases, refs - n);
}

/**
 * pinledger_ledger_release - record the release of references on a folio.
 * @page:	any page of the folio.
 * @refs:	references released (unscaled: pins, not refcount units).
 * @pin:	FOLL_PIN references, else FOLL_GET.
 *
 * Releasing the last write pin of a folio written back while pinned
 * (pinledger_ledger_pins()) is announced to the subscriber of
 * PL_LEDGER_NOTIFY_CLEANED_UNPINNED, if any.
 *
 * Context: any but NMI, including hard IRQ (bio completion); does not
 * sleep.  Takes a ledger lock.  The references are still held.
 */
void pinledger_ledger_release(struct page *page, int refs, bool pin)
{
	bool cleaned = false;
	struct folio *folio;
	u32 n;

	if (!READ_ONCE(ledger_live) || refs <= 0 || is_zero_page(page))
		return;
	folio = page_folio(page);
	n = drop(folio_pfn(folio), refs, pin, false, &cleaned);
	/* The caller still holds the references being released. */
	if (cleaned && (READ_ONCE(ledger_subscribed) &
			PL_LEDGER_NOTIFY_CLEANED_UNPINNED))
		pinledger_notify_cleaned_unpinned(folio);
	count_release(pin, refs, n);
}

/**
 * pinledger_index_sweep - see FOLL_GET releases on fsdax folios.
 *
 * put_page() is not hooked (it is per page, and hot).  An fsdax folio's
 * refcount is 1 when idle and counts exactly the references taken on it,
 * so a FOLL_GET it no longer shows was released: every sync drops those
 * as releases (released_gets, pin_release with reconciled=0), so that a
 * listing after the release no longer shows them.  Other folios' stale
 * FOLL_GETs are left to reconciliation, whose refcount rule is not exact.
 *
 * Context: the absorber (absorb_lock held); does not sleep.
 */
void pinledger_index_sweep(void)
{
	unsigned long pfn;
	void *v;

	if (!READ_ONCE(ledger_live) || xa_empty(&get_pfns))
		return;
	xa_for_each_marked(&get_pfns, pfn, v, PL_GETS_DAX) {
		unsigned long b = bucket_of(pfn), flags;
		struct folio *folio = pfn_folio(pfn);
		struct pl_page *e;
		u32 stale = 0;
		bool gone;

		spin_lock_irqsave(lock_of(b), flags);
		e = find(b, pfn, NULL);
		gone = !e || !e->gets;
		if (!gone) {
			long held = unexplained_refs(folio) -
				    (long)e->pins * GUP_PIN_COUNTING_BIAS;

			if (held < (long)e->gets)
				stale = e->gets - max(held, 0L);
			gone = stale == e->gets;
		}
		spin_unlock_irqrestore(lock_of(b), flags);
		if (stale)
			pinledger_add(released_gets, drop(pfn, stale, false, false,
							  NULL));
		if (gone)
			xa_erase(&get_pfns, pfn);
	}
}

/**
 * pinledger_index_drop - apply a journaled release.
 * @pfn:	the folio's first pfn.
 * @refs:	references released.
 * @pin:	FOLL_PIN references, else FOLL_GET.
 *
 * As pinledger_ledger_release(), for a folio its releaser may no longer
 * hold: the folio itself is not looked at, and no page-cache notification
 * is sent (page-cache folios are released on the direct path; one that
 * reaches the journal was truncated meanwhile and is left alone).
 *
 * Context: the absorber; does not sleep; takes a ledger lock.
 */
void pinledger_index_drop(unsigned long pfn, u32 refs, bool pin)
{
	u32 n;

	if (!READ_ONCE(ledger_live))
		return;
	n = drop(pfn, refs, pin, false, NULL);
	count_release(pin, refs, n);
}


/* How many FOLL_GET references can @folio's refcount still explain? */
static long explainable_gets(struct folio *folio, u32 pins)
{
	long pinned = folio_test_large(folio) ? pins :
		      (long)pins * GUP_PIN_COUNTING_BIAS;

	return max(unexplained_refs(folio) - pinned, 0L);
}

/**
 * pinledger_unexplained_refs - references on a folio the ledger lacks.
 * @folio:	the folio.
 * @pins:	FOLL_PIN references the ledger has for it.
 * @gets:	FOLL_GET references the ledger has for it.
 * @xpins:	receives pins its refcount shows beyond @pins.
 * @xgets:	receives other references beyond @gets.
 *
 * These are references taken before the module loaded, untracked ones, and
 * (for page-cache folios) transient ones: the caller must treat them as
 * pins held by an unknown owner.
 *
 * Context: any; does not sleep.
 */
void pinledger_unexplained_refs(struct folio *folio, u32 pins, u32 gets,
				long *xpins, long *xgets)
{
	long total = unexplained_refs(folio), p;

	if (!folio_test_large(folio)) {
		p = total / GUP_PIN_COUNTING_BIAS;
		*xpins = max(p - (long)pins, 0L);
		*xgets = max(total - max(p, (long)pins) * GUP_PIN_COUNTING_BIAS -
			     (long)gets, 0L);
	} else {
		*xpins = folio_maybe_dma_pinned(folio) && !pins;
		*xgets = max(total - (long)pins - (long)gets, 0L);
	}
}

/* Reconciliation also checks pins: releases were lost (reconcile_work only). */
static bool reconcile_pins;
static long reconciled_lost;

static void reconcile_bucket(unsigned long b)
{
	struct pl_page *e;
	unsigned long flags;
	unsigned long stale_pfn[8], pins_pfn[8];
	u32 stale_n[8], pins_n[8];
	int nstale = 0, npins = 0, i;

	spin_lock_irqsave(lock_of(b), flags);
	for (e = ledger_table[b]; e && nstale < 8; e = e->next) {
		long can;

		if (reconcile_pins && e->pins && pfn_valid(e->pfn)) {
			struct folio *folio = page_folio(pfn_to_page(e->pfn));
			long held = folio_test_large(folio) ?
				(folio_maybe_dma_pinned(folio) ? e->pins : 0) :
				unexplained_refs(folio) / GUP_PIN_COUNTING_BIAS;

			if (held < e->pins && npins < 8) {
				pins_pfn[npins] = e->pfn;
				pins_n[npins++] = e->pins - held;
			}
		}
		if (!e->gets || !pfn_valid(e->pfn))
			continue;
		can = explainable_gets(page_folio(pfn_to_page(e->pfn)), e->pins);
		if (can < e->gets) {
			stale_pfn[nstale] = e->pfn;
			stale_n[nstale++] = e->gets - can;
		}
	}
	spin_unlock_irqrestore(lock_of(b), flags);
	for (i = 0; i < nstale; i++)
		pinledger_add(reconciled, drop(stale_pfn[i], stale_n[i], false, true,
					       NULL));
	/* Pins whose release a full journal lost (lost_releases). */
	for (i = 0; i < npins; i++)
		pinledger_add(released_pins, drop(pins_pfn[i], pins_n[i], true,
						  true, NULL));
}

/*
 * Reconcile the FOLL_GETs of @pfn's entry (see reconcile_bucket()).
 * Return: whether the entry still has gets.
 */
static bool reconcile_pfn(unsigned long pfn)
{
	unsigned long b = bucket_of(pfn), flags;
	struct pl_page *e;
	u32 stale = 0, gets = 0;

	spin_lock_irqsave(lock_of(b), flags);
	e = find(b, pfn, NULL);
	if (e && e->gets && pfn_valid(pfn)) {
		long can = explainable_gets(page_folio(pfn_to_page(pfn)), e->pins);

		gets = e->gets;
		if (can < e->gets)
			stale = e->gets - can;
	}
	spin_unlock_irqrestore(lock_of(b), flags);
	if (stale)
		pinledger_add(reconciled, drop(pfn, stale, false, true, NULL));
	return gets > stale;
}

static void reconcile_fn(struct work_struct *work)
{
	long lost = pinledger_stat(lost_releases);
	unsigned long b;

	pinledger_ledger_sync();
	reconcile_pins = lost != reconciled_lost;
	reconciled_lost = lost;
	if (reconcile_pins || READ_ONCE(get_pfns_incomplete)) {
		/* Walk the whole table: pins too, or gets get_pfns lacks. */
		WRITE_ONCE(get_pfns_incomplete, false);
		for (b = 0; b <= ledger_mask; b++) {
			if (READ_ONCE(ledger_table[b]))
				reconcile_bucket(b);
			if (!(b & 4095))
				cond_resched();
		}
	} else if (pinledger_stat(acquired_gets) !=
		   pinledger_stat(released_gets) + pinledger_stat(reconciled)) {
		unsigned long pfn, n = 0;
		void *v;

		xa_for_each(&get_pfns, pfn, v) {
			if (!reconcile_pfn(pfn))
				xa_erase(&get_pfns, pfn);
			if (!(++n & 1023))
				cond_resched();
		}
	}
	schedule_delayed_work(&reconcile_work,
			      msecs_to_jiffies(clamp(reconcile_ms, 100U, 60000U)));
}

static void snap_owner(struct pinledger_snap *s, struct pinledger_owner *o,
		       u32 pins, u32 gets)
{
	struct pinledger_snap_owner *so;
	u32 i;

	/* Owners alike but for their GUP call are shown as one. */
	for (i = 0; i < s->nr_owners; i++) {
		so = &s->owners[i];
		if (so->tgid == o->tgid && so->flags == o->flags &&
		    so->callsite == o->callsite && so->cgroup == o->cgroup) {
			so->pins += pins;
			so->gets += gets;
			if (o->start_ns < so->start_ns) {
				so->start_ns = o->start_ns;
				so->stack = o->stack ?: so->stack;
			}
			so->longlived |= READ_ONCE(o->longlived);
			return;
		}
	}
	if (s->nr_owners == PL_SNAP_OWNERS) {
		s->more_owners++;
		return;
	}
	so = &s->owners[s->nr_owners++];
	so->tgid = o->tgid;
	memcpy(so->comm, o->comm, sizeof(so->comm));
	so->flags = o->flags;
	so->pins = pins;
	so->gets = gets;
	so->callsite = o->callsite;
	so->start_ns = o->start_ns;
	so->cgroup = o->cgroup;
	so->stack = o->stack;
	so->longlived = READ_ONCE(o->longlived);
	s->dev = o->dev;
	s->ino = o->ino;
}

static void snapshot(struct pl_page *e, struct pinledger_snap *s)
{
	struct pinledger_owner *one = single_owner(e);
	struct pl_set *set = owner_set(e);
	u32 i;

	memset(s, 0, sizeof(*s));
	s->pfn = e->pfn;
	s->pins = e->pins;
	s->gets = e->gets;
	s->index = e->index;
	if (one)
		snap_owner(s, one, e->pins, e->gets);
	else if (set)
		for (i = 0; i < set->n; i++)
			snap_owner(s, set->e[i].o, set->e[i].pins, set->e[i].gets);
	/*
	 * Oldest first: the absorber applies each CPU's journal in turn, so
	 * the set's order is not the order the references were taken in.
	 */
	for (i = 1; i < s->nr_owners; i++) {
		struct pinledger_snap_owner so = s->owners[i];
		u32 k = i;

		for (; k > 0 && s->owners[k - 1].start_ns > so.start_ns; k--)
			s->owners[k] = s->owners[k - 1];
		s->owners[k] = so;
	}
}

/**
 * pinledger_ledger_longlived - owners held past their threshold, once each.
 * @t:		the thresholds (module/longlived.c).
 * @now:	ktime_get_ns().
 * @out:	receives the reports.
 * @max:	room in @out.
 * @listing:	copy the owners reported before instead (@t unused).
 *
 * Walks every live owner record (one GUP call's references on one file)
 * and reports those older than the threshold of their filesystem that
 * were not reported before, marking them: each is reported once in its
 * life.  The caller brings the index up to date first.  The walk holds
 * owners_lock with IRQs off for a few loads and compares per owner.
 *
 * Context: process context; does not sleep.
 * Return: the number of reports in @out; @max means "call again".
 */
int pinledger_ledger_longlived(const struct pinledger_ll_thresholds *t,
			       u64 now, struct pinledger_ll_report *out,
			       int max, bool listing)
{
	struct pinledger_owner *o;
	unsigned long flags;
	int n = 0;

	pl_rt_may_sleep("owners_lock");
	spin_lock_irqsave(&owners_lock, flags);
	list_for_each_entry(o, &owners, node) {
		struct pinledger_ll_report *r;
		u64 th;

		if (listing) {
			if (!o->longlived)
				continue;
		} else {
			if (o->longlived || now <= o->start_ns)
				continue;
			th = pl_ll_threshold(t, o->dev);
			/*
			 * A FOLL_GET released by put_page() (not hooked) may
			 * stay in the index up to twice reconcile_ms: not
			 * before three times that (a pass of margin), or a
			 * released one could be reported.
			 */
			if (th && (o->flags & PL_F_GET))
				th = max_t(u64, th, 3ULL * READ_ONCE(reconcile_ms) *
					   NSEC_PER_MSEC);
			if (!th || now - o->start_ns < th)
				continue;
			o->longlived = true;
		}
		r = &out[n];
		r->pfn = o->pfn;
		r->dev = o->dev;
		r->ino = o->ino;
		r->index = o->index;
		r->tgid = o->tgid;
		memcpy(r->comm, o->comm, sizeof(r->comm));
		r->flags = o->flags;
		r->callsite = o->callsite;
		r->start_ns = o->start_ns;
		r->cgroup = o->cgroup;
		r->stack = o->stack;
		r->refs = atomic_read(&o->refs);
		if (++n == max)
			break;
	}
	spin_unlock_irqrestore(&owners_lock, flags);
	return n;
}

/**
 * pinledger_ledger_next - copy the next entry of a walk over the ledger.
 * @cur:	the walk's position; zero it to start.
 * @snap:	receives the entry.
 *
 * Entries added or removed during the walk may be missed or seen twice.
 *
 * Context: process context; takes ledger locks with IRQs disabled briefly.
 * Return: false at the end of the ledger.
 */
bool pinledger_ledger_next(struct pinledger_cursor *cur,
			   struct pinledger_snap *snap)
{
	unsigned long flags, i;
	struct pl_page *e;

	if (!cur->bucket && !cur->skip)
		pinledger_ledger_sync();
	for (; cur->bucket <= ledger_mask; cur->bucket++, cur->skip = 0) {
		if (!READ_ONCE(ledger_table[cur->bucket]))
			continue;
		spin_lock_irqsave(lock_of(cur->bucket), flags);
		for (i = 0, e = ledger_table[cur->bucket]; e && i < cur->skip;
		     i++, e = e->next)
			;
		if (e)
			snapshot(e, snap);
		spin_unlock_irqrestore(lock_of(cur->bucket), flags);
		if (e) {
			cur->skip++;
			return true;
		}
	}
	return false;
}

/**
 * pinledger_ledger_cursor_valid - could a walk be at this position?
 * @cur:	a position from outside (user space).
 *
 * Context: any.
 * Return: true if @cur->bucket is a bucket of the table or one past the
 * last (a finished walk).
 */
bool pinledger_ledger_cursor_valid(const struct pinledger_cursor *cur)
{
	return cur->bucket <= ledger_mask + 1;
}

/**
 * pinledger_ledger_lookup - copy the ledger entry of one folio.
 * @pfn:	the folio's first pfn.
 * @snap:	receives the entry.
 *
 * Context: any but NMI; does not sleep.
 * Return: true if the folio has recorded references.
 */
bool pinledger_ledger_lookup(unsigned long pfn, struct pinledger_snap *snap)
{
	unsigned long b = bucket_of(pfn), flags;
	struct pl_page *e;

	/* Owners still in a journal: absorb (in atomic context if free). */
	if (in_task() && preemptible())
		pinledger_ledger_sync();
	else
		pinledger_ledger_try_sync();
	spin_lock_irqsave(lock_of(b), flags);
	e = find(b, pfn, NULL);
	if (e)
		snapshot(e, snap);
	spin_unlock_irqrestore(lock_of(b), flags);
	return e != NULL;
}

/**
 * pinledger_ledger_pins - FOLL_PIN references the ledger has on a folio.
 * @folio:	the folio.
 * @write_pins:	receives how many of them were taken with FOLL_WRITE
 *		(may be NULL).
 * @mark_cleaned: if the folio has write pins, mark its entry "cleaned
 *		while pinned": releasing the last write pin is then
 *		announced (PL_LEDGER_NOTIFY_CLEANED_UNPINNED).
 *
 * Context: any but NMI; does not sleep.  Takes a ledger lock (a leaf:
 * callers may hold the folio lock, i_mmap_rwsem and the PTE lock).
 * Return: recorded pins (0 if the folio has no entry).
 */
u32 pinledger_ledger_pins(struct folio *folio, u32 *write_pins,
			  bool mark_cleaned)
{
	unsigned long pfn = folio_pfn(folio), b = bucket_of(pfn), flags;
	struct pl_page *e;
	u32 pins = 0, w = 0;

	if (!READ_ONCE(ledger_live))
		goto out;
	spin_lock_irqsave(lock_of(b), flags);
	e = find(b, pfn, NULL);
	if (e) {
		pins = e->pins;
		w = entry_write_pins(e);
		if (w && mark_cleaned)
			e->owner |= OWNER_CLEANED;
	}
	spin_unlock_irqrestore(lock_of(b), flags);
out:
	if (write_pins)
		*write_pins = w;
	return pins;
}

/**
 * pinledger_ledger_entry_size - bytes of one ledger entry.
 *
 * Context: any.
 * Return: sizeof the per-folio entry.
 */
unsigned long pinledger_ledger_entry_size(void)
{
	return sizeof(struct pl_page);
}

/**
 * pinledger_ledger_bytes - memory the ledger uses now.
 *
 * Context: any.
 * Return: entries, owner records, owner sets and the bucket table, in bytes.
 */
unsigned long pinledger_ledger_bytes(void)
{
	return pinledger_stat(ledger_bytes) + pinledger_journal_bytes() +
	       (ledger_mask + 1) * sizeof(*ledger_table);
}

/**
 * pinledger_ledger_init - allocate the table and start reconciliation.
 *
 * Context: process context, may sleep; module init.
 * Return: 0, -EINVAL for a bad ledger_buckets_log2, or -ENOMEM.
 */
int pinledger_ledger_init(void)
{
	int i, ret;

	ret = pinledger_param_range("ledger_buckets_log2", ledger_buckets_log2,
				    10, 24);
	if (ret)
		return ret;
	ledger_mask = (1UL << ledger_buckets_log2) - 1;
	ledger_table = vzalloc((ledger_mask + 1) * sizeof(*ledger_table));
	if (!ledger_table)
		return -ENOMEM;
	for (i = 0; i < LEDGER_LOCKS; i++)
		spin_lock_init(&ledger_locks[i]);
	pl_page_cache = kmem_cache_create("pinledger_page", sizeof(struct pl_page),
					  0, 0, NULL);
	if (!pl_page_cache)
		goto err_table;
	INIT_DELAYED_WORK(&reconcile_work, reconcile_fn);
	schedule_delayed_work(&reconcile_work, msecs_to_jiffies(reconcile_ms));
	WRITE_ONCE(ledger_live, true);
	return 0;

err_table:
	vfree(ledger_table);
	ledger_table = NULL;
	return -ENOMEM;
}

/**
 * pinledger_ledger_exit - free every entry and owner.
 *
 * Must run after the hooks are removed: nothing may record concurrently.
 *
 * Context: process context, may sleep; module exit or init unwind.
 */
void pinledger_ledger_exit(void)
{
	unsigned long b, flags;
	struct pl_page *e;

	WRITE_ONCE(ledger_live, false);
	cancel_delayed_work_sync(&reconcile_work);
	for (b = 0; b <= ledger_mask; b++) {
		spin_lock_irqsave(lock_of(b), flags);
		while ((e = ledger_table[b]))
			entry_free(e, &ledger_table[b]);
		spin_unlock_irqrestore(lock_of(b), flags);
		if (!(b & 4095))
			cond_resched();
	}
	xa_destroy(&get_pfns);
	kmem_cache_destroy(pl_page_cache);
	vfree(ledger_table);
	ledger_table = NULL;
	/* Every entry, owner record and set is gone: a residue is a leak. */
	WARN(pinledger_stat(ledger_bytes) || pinledger_stat(live_pages),
	     "pinledger: ledger leak at unload: %ld bytes, %ld entries unaccounted for\n",
	     pinledger_stat(ledger_bytes), pinledger_stat(live_pages));
}
