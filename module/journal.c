// SPDX-License-Identifier: GPL-2.0
/*
 * journal.c - the capture path: per-CPU journals of GUP references,
 * absorbed lazily into the ledger's index (module/ledger.c).
 *
 * DOC: capture path
 *
 * A GUP call or an unpin costs, per folio, one store into the current
 * CPU's journal: no lock shared between CPUs, no allocation, no clock.
 * The per-page index that the ledger's readers use is brought up to date
 * from the journals by pinledger_ledger_sync() ("absorbing"): before every
 * listing, lookup, counter read, reconciliation tick and layout decision's
 * owner lookup, on unload, and from a worker when a journal is a quarter
 * full.
 *
 * Journal.  A ring of 64-bit words per CPU.  One GUP call (or one batch
 * release) is one record: four header words - type, word count and owner
 * slot; a match key (from its first and last entry words and their
 * number); jiffies; the references in it - and
 * one word per folio run, pfn << PL_JW_SHIFT | (references - 1).  The
 * shared zero page is recorded like any page and skipped when absorbed
 * (the kernel keeps no pin on it), which keeps that test off the hot path.  The writer is the CPU itself,
 * with IRQs disabled around the append (a hard IRQ's release must not
 * interleave with a task's record); it publishes the head with a release
 * store.  The absorber reads up to the head with an acquire load, may
 * rewrite the type of records it has consumed (VOID; an acquisition's
 * header by cmpxchg, see below), and publishes the tail with a release
 * store; the writer reads the tail with an acquire load before reusing
 * words.
 *
 * In-place cancellation.  The commonest pin lives between a GUP call and
 * an unpin of the same array on the same CPU with nothing journaled in
 * between (P1's loop, a synchronous O_DIRECT I/O).  The release writer
 * first looks at its CPU's last record: if it is a pending FOLL_PIN
 * acquisition of the releaser's process (any, in IRQ context) with as
 * many references, and the released pages are exactly where its runs say
 * (page pointers compared with the runs' pfns; a run starts at its
 * folio's first page), it voids that record's header by cmpxchg and
 * writes nothing.  The absorber claims an acquisition's header by
 * cmpxchg before it applies or cancels it, so exactly one of them gets
 * it; a writer that loses writes its release record as usual.  A
 * cancelled pin never reaches the index, as with the absorber's own
 * matching below.
 *
 * Owners.  A record names an owner slot of its CPU (64 slots, 2-way
 * hashed on tgid, call site, flags and stack id; the task's cgroup is
 * part of the key too), filled with the command name on first use.  A
 * slot is reused for another key only when every record naming it has
 * been absorbed (its last position is below the tail).  When both
 * candidates hold other keys' unabsorbed records, any slot will do
 * (slot_probe()): a record fails for want of a slot only when 64 keys
 * have records in the ring.
 * Start times are the record's jiffies: a pin's start is known to a tick.
 *
 * Absorbing (absorb_lock).  The heads of all CPUs are read twice, S1 then
 * S2.  Acquisitions up to S2 are applied first, then releases up to S1;
 * releases between S1 and S2 wait for the next round.  A release read in
 * the first pass was published after the acquisition it releases was
 * (the GUP call's return probe records before its caller gets the pages),
 * so that acquisition is below S2 on its CPU: a release is never applied
 * before its acquisition, and one that finds no entry is a reference the
 * ledger never saw, counted in unmatched_releases as before.
 * Before anything is applied, a release whose words equal those of a
 * pending acquisition (unpin_user_pages() on the array pin_user_pages()
 * filled) cancels it: a pin that lived and died between two absorbs never
 * touches the index.  As in the index, a release in task context only
 * cancels an acquisition of its own process (release records carry the
 * releaser's tgid), and never one that came after it on the same CPU.  Matching hashes the key word and compares the
 * words.
 *
 * Full journal.  An acquisition needs a quarter of the ring free beyond
 * its record (a reserve for releases).  When it does not fit, the writer
 * absorbs at once if it is in task context (waiting for a concurrent
 * absorber), else the references are counted as untracked: the guard and the page-cache
 * policies still see them by refcount, as they see pins taken before
 * load.  A release that does not fit and cannot absorb (hard IRQ with a
 * full journal) is counted in lost_releases; reconciliation then drops
 * pins the refcounts no longer show.
 *
 * What is not journaled.  Page-cache folios (file-backed, not DAX) take
 * the direct path (pinledger_ledger_acquire()/_release()): writeback may
 * mark them "cleaned while pinned", and their last write unpin must be
 * seen while the releaser still holds them.  While a pin_acquire or
 * pin_release event is enabled, everything takes the direct path, so
 * events are emitted when the references come and go.
 *
 * Switching paths.  A release may take the direct path only once its
 * acquisition is in the index, and a journaled acquisition is there only
 * after an absorb.  So the switch goes in two steps, each published
 * before the next and separated by an RCU grace period (every writer runs
 * with preemption or IRQs disabled, and decides its path once per call):
 * turning events on (pinledger_trace_pin_reg()) sends acquisitions direct
 * (pl_direct), waits for the journal writers under way, absorbs every
 * journal, and only then sends releases direct (pl_rel_direct); turning
 * them off takes releases back to the journals first, waits for the
 * direct releases under way, then the acquisitions.  In between, an
 * acquisition is direct and its release journaled, which the absorber
 * applies to the index as usual.  Releasing directly a pin still in a
 * journal would find no entry (unmatched_releases) and leave the pin
 * live in the index for good; tests/guest/t-ledger-events-toggle.sh
 * toggles the events under pin+unpin loops on every CPU.
 *
 * PREEMPT_RT has no direct path in probe handlers: it takes the ledger's
 * spinlock_t bucket locks and allocates, and probe handlers run with
 * preemption disabled where spinlock_t sleeps.  There page-cache folios
 * are journaled like any other (module/pagecache.c does without the
 * ledger there), and pin events come from the absorber, when the
 * references reach the index: every record queues an absorb while events
 * are on, and each pin is traced all the same, since no pin is cancelled
 * in place or matched away while events are on.
 *
 * The guard never depends on the journals: its decisions read page
 * refcounts, which GUP raises before any hook runs (module/guard.c).
 *
 * Locking: absorb_lock (spinlock_t) serializes absorbers; taken in task
 * context only (process context, or a probe handler with preemption
 * disabled whose journal is full, never on PREEMPT_RT), never from IRQ.  Under it: the ledger's bucket locks and the slab allocator
 * (GFP_NOWAIT).  Lock order: absorb_lock -> ledger bucket locks; never
 * taken under guard_lock (the guard syncs before it takes that); a layout
 * probe may hold the inode's i_rwsem and invalidate_lock around it.
 *
 * PREEMPT_RT: the writers take no lock and allocate nothing (IRQs off
 * for a bounded append), and no probe handler takes the direct path
 * (above) or absorbs (pinledger_ledger_try_sync()); absorbing runs in
 * task context (workers, syncs from process context), where absorb_lock
 * and the ledger's locks may sleep.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mm.h>
#include <linux/hash.h>
#include <linux/irq_work.h>
#include <linux/workqueue.h>
#include <linux/vmalloc.h>
#include <linux/jiffies.h>
#include <linux/rcupdate.h>
#include "pinledger.h"
#include "pinledger_journal.h"
#include "pinledger_ledger.h"
#include "pinledger_guard.h"
#include "pinledger_origin.h"
#include "compat/gup.h"

static unsigned int journal_words_log2 = 15;
module_param(journal_words_log2, uint, 0444);
MODULE_PARM_DESC(journal_words_log2,
		 "log2 of each CPU's journal in 8-byte words (10..20, default 15: 256 KiB per CPU)");

#define PL_JW_SHIFT	12			/* entry: pfn << 12 | refs - 1 */
#define PL_JW_MAXREFS	(1U << PL_JW_SHIFT)
#define J_HDR		4			/* header words of a record */
/* Max entries of one record: an eighth of the ring, at most 1024. */
#define J_CHUNK		j_chunk
static long j_chunk = 1024;

enum { J_VOID, J_ACQ_PIN, J_ACQ_GET, J_REL_PIN, J_REL_GET };

#define HDR(type, n, slot)	((u64)(type) << 60 | (u64)(n) << 32 | (slot))
#define HDR_TYPE(h)		((unsigned int)((h) >> 60))
#define HDR_N(h)		((u32)((h) >> 32) & 0x0fffffff)
#define HDR_SLOT(h)		((u32)(h))

#define OWNER_SLOTS	64
/* In an acquisition's slot field: it has the zero page. */
#define J_SLOT_ZERO	(1U << 16)

/* An owner slot; see DOC.  Written by its CPU, read by the absorber. */
struct pl_slot {
	struct pinledger_owner_key key;
	u64 last_pos;		/* head after the last record naming it */
	bool used;
};

/**
 * struct pl_journal - one CPU's journal.
 * @head:	words written; the writer's (IRQs off on its CPU).
 * @tail:	words consumed; the absorber's (absorb_lock).
 * @s1:		absorber: head read in the first pass.
 * @s2:		absorber: head read in the second pass.
 * @last:	start of the last record written (the writer's).
 * @ring:	the words.
 * @slots:	owner slots.
 */
struct pl_journal {
	u64 head;
	u64 tail ____cacheline_aligned;
	u64 s1, s2;
	u64 last;
	u64 *ring;
	struct pl_slot slots[OWNER_SLOTS];
};

/*
 * Per-CPU, allocated at init: a module's static per-CPU data comes from a
 * reserve of 8 KiB that every loaded module shares (PERCPU_MODULE_RESERVE),
 * and 4 KiB of owner slots would take half of it.  Used only while
 * journal_live.
 */
static struct pl_journal __percpu *journals;
static u64 ring_mask;
static bool journal_live;		/* READ_ONCE; set/cleared under absorb_lock */
static bool pl_direct;			/* READ_ONCE: pin events are on */
static bool pl_rel_direct;		/* READ_ONCE: and the journals were absorbed */
static atomic_t pin_events;		/* enabled pin_acquire/pin_release events */

/*
 * Pin events are on and acquisitions take the direct path (not on RT).
 * Releases follow once the journals were absorbed (see DOC: Switching).
 */
static inline bool events_direct(void)
{
	return !IS_ENABLED(CONFIG_PREEMPT_RT) && READ_ONCE(pl_direct);
}

static DEFINE_SPINLOCK(absorb_lock);	/* see DOC: Locking */
static bool absorb_quiet;		/* absorb_lock: no pin_acquire events */

/* Matching table of one absorb round (absorb_lock). */
#define MATCH_SLOTS	8192
struct pl_match {
	u64 sum;
	u64 pos;
	u32 cpu;
	u32 gen;	/* valid when equal to match_gen */
};
static struct pl_match *match;
static u32 match_gen;

static void absorb_workfn(struct work_struct *work);
static DECLARE_WORK(absorb_work, absorb_workfn);

static void kick_fn(struct irq_work *iw)
{
	schedule_work(&absorb_work);
}
static struct irq_work kick_iw;

static inline u64 *word(struct pl_journal *j, u64 pos)
{
	return &j->ring[pos & ring_mask];
}

static inline u64 ring_size(void)
{
	return ring_mask + 1;
}

static inline bool slot_is(const struct pl_slot *s, pid_t tgid, u32 flags,
			   unsigned long callsite, u64 cgroup, u32 stack)
{
	return s->used && s->key.tgid == tgid && s->key.callsite == callsite &&
	       s->key.flags == flags && s->key.cgroup == cgroup &&
	       s->key.stack == stack;
}

/*
 * Both hashed candidates are taken by other keys with records still in
 * the ring: look through every slot, for the key or a reusable slot, and
 * have the journals absorbed soon so that slots come free.  Bounded
 * (OWNER_SLOTS), no lock: where the writer may not absorb (hard IRQ,
 * PREEMPT_RT probe handlers) a collision of two keys must not cost the
 * record.
 */
static struct pl_slot *slot_probe(struct pl_journal *j, pid_t tgid, u32 flags,
				  unsigned long callsite, u64 cgroup, u32 stack,
				  u64 tail)
{
	struct pl_slot *s, *free = NULL;

	irq_work_queue(&kick_iw);
	for (s = j->slots; s < j->slots + OWNER_SLOTS; s++) {
		if (slot_is(s, tgid, flags, callsite, cgroup, stack))
			return s;
		if (!free && (!s->used || s->last_pos <= tail))
			free = s;
	}
	return free;
}

/* The owner slot for a key on @j, or NULL if every slot is in use. */
static struct pl_slot *slot_get(struct pl_journal *j, pid_t tgid, u32 flags,
				unsigned long callsite, u32 stack, u64 tail)
{
	u32 h = hash_long(callsite ^ ((unsigned long)tgid << 8) ^ flags ^ stack,
			  ilog2(OWNER_SLOTS));
	struct pl_slot *s = &j->slots[h], *t = &j->slots[h ^ 1];
	u64 cgroup = pl_current_cgroup();

	if (slot_is(s, tgid, flags, callsite, cgroup, stack))
		return s;
	if (slot_is(t, tgid, flags, callsite, cgroup, stack))
		return t;
	if (s->used && s->last_pos > tail)
		s = t;
	if (s->used && s->last_pos > tail) {
		s = slot_probe(j, tgid, flags, callsite, cgroup, stack, tail);
		if (!s || slot_is(s, tgid, flags, callsite, cgroup, stack))
			return s;
	}
	s->key.tgid = tgid;
	s->key.flags = flags;
	s->key.callsite = callsite;
	s->key.cgroup = cgroup;
	s->key.stack = stack;
	/* current->comm changes only by current or under task_lock: a copy. */
	memcpy(s->key.comm, current->comm, sizeof(s->key.comm));
	s->key.comm[TASK_COMM_LEN - 1] = 0;
	s->used = true;
	return s;
}

/* A record being written: see DOC for the layout. */
struct jw {
	struct pl_journal *j;
	unsigned long irqflags;
	u64 *ring;
	u64 pos;		/* next entry word */
	u64 refs;
	bool dax;		/* a release has an fsdax folio */
	bool zero;		/* an acquisition has the zero page */
	u32 stack;		/* an acquisition's stack id (direct path) */
};

/* A page-cache folio (file-backed, not fsdax): direct path (not on RT). */
static inline bool folio_direct(struct folio *folio)
{
	struct address_space *mapping;

	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		return false;
	mapping = READ_ONCE(folio->mapping);

	return mapping && !((unsigned long)mapping & FOLIO_MAPPING_ANON) &&
	       !pl_page_is_fsdax(&folio->page);
}

static void kick(struct pl_journal *j, u64 head, u64 tail)
{
	if (head - tail > ring_size() / 4)
		irq_work_queue(&kick_iw);
}

/*
 * Open a record of up to @nmax entries on this CPU's journal, leaving
 * @reserve words free.  Returns false (IRQs restored) if it does not fit.
 */
static bool jw_open(struct jw *w, long nmax, u64 reserve)
{
	u64 tail;

	local_irq_save(w->irqflags);
	w->j = this_cpu_ptr(journals);
	tail = smp_load_acquire(&w->j->tail);
	if (w->j->head + J_HDR + nmax + reserve - tail > ring_size()) {
		local_irq_restore(w->irqflags);
		return false;
	}
	w->ring = w->j->ring;
	w->pos = w->j->head + J_HDR;
	w->refs = 0;
	w->dax = false;
	w->zero = false;
	return true;
}

static inline void jw_add(struct jw *w, unsigned long pfn, u32 n)
{
	u64 v = (u64)pfn << PL_JW_SHIFT | (n - 1);

	w->ring[w->pos++ & ring_mask] = v;
	w->refs += n;
}

/* Publish the record (if it has entries) and restore IRQs. */
static void jw_close(struct jw *w, unsigned int type, struct pl_slot *slot)
{
	struct pl_journal *j = w->j;
	u64 head = j->head, n = w->pos - head - J_HDR;

	if (n) {
		/* Releases name the releasing process instead (0 in IRQ). */
		*word(j, head) = HDR(type, n, slot ?
				     (slot - j->slots) | (w->zero ? J_SLOT_ZERO : 0) :
				     in_task() ? current->tgid : 0);
		*word(j, head + 1) = *word(j, head + J_HDR) * 31 +
				     *word(j, w->pos - 1) + n;
		*word(j, head + 2) = jiffies;
		*word(j, head + 3) = w->refs;
		if (slot)
			slot->last_pos = w->pos;
		j->last = head;
		smp_store_release(&j->head, w->pos);
		kick(j, w->pos, READ_ONCE(j->tail));
		/* RT: pin events come from the absorber; absorb right away. */
		if (IS_ENABLED(CONFIG_PREEMPT_RT) && unlikely(READ_ONCE(pl_direct)))
			irq_work_queue(&kick_iw);
	}
	local_irq_restore(w->irqflags);
}

/*
 * Length of the run of @pages starting at @i that lies in the large folio
 * @folio, and its pfn in *@pfn.
 */
static noinline u32 large_run(struct page **pages, long i, long nr,
			      struct folio *folio, unsigned long *pfn)
{
	struct page *page = pages[i];
	long max, n = 1;

	max = min3((long)(folio_nr_pages(folio) - (page - &folio->page)),
		   nr - i, (long)PL_JW_MAXREFS);
	while (n < max && pages[i + n] == page + n)
		n++;
	*pfn = folio_pfn(folio);
	return n;
}

/*
 * The journal word for the folio run at pages[@i], its length in *@n;
 * 0 for a page-cache folio (direct path).  The hot path: a small folio
 * costs a handful of loads and tests.
 */
static __always_inline u64 run_word(struct page **pages, long i, long nr,
				    struct folio **foliop, long *n)
{
	struct page *page = pages[i];
	struct folio *folio = page_folio(page);
	struct address_space *mapping;
	unsigned long pfn;

	*foliop = folio;
	if (unlikely(folio_test_large(folio))) {
		*n = large_run(pages, i, nr, folio, &pfn);
	} else {
		*n = 1;
		pfn = page_to_pfn(page);
	}
	/* Page-cache folios: direct path (folio_direct(); not on RT). */
	mapping = READ_ONCE(folio->mapping);
	if (!IS_ENABLED(CONFIG_PREEMPT_RT) &&
	    unlikely(mapping && !((unsigned long)mapping & FOLIO_MAPPING_ANON)) &&
	    !pl_page_is_fsdax(page))
		return 0;
	return (u64)pfn << PL_JW_SHIFT | (*n - 1);
}

/*
 * Journal the release of pages[@c..@end) into the open record @w, the
 * ring state in registers (the ring stores may alias @w's fields).
 * Page-cache folios take the direct path, releasing FOLL_PIN references
 * if @pin.
 */
static __always_inline void write_rel(struct jw *w, struct page **pages,
				      long c, long end, bool pin)
{
	u64 *ring = w->ring, mask = ring_mask, pos = w->pos, refs = w->refs;
	bool dax = false;
	long i, n;

	for (i = c; i < end; i += n) {
		struct folio *folio;
		u64 v;

		n = 1;
		if (unlikely(!pages[i]))
			continue;
		v = run_word(pages, i, end, &folio, &n);
		if (unlikely(!v)) {
			pinledger_ledger_release(&folio->page, n, pin);
			continue;
		}
		/* Only fsdax folios have a pgmap: the guard wants those. */
		dax |= folio_is_zone_device(folio);
		ring[pos++ & mask] = v;
		refs += n;
	}
	w->pos = pos;
	w->refs = refs;
	w->dax |= dax;
}

/*
 * The entry word of a small folio's @page (one reference): pfn <<
 * PL_JW_SHIFT.  With a virtually mapped memmap of 64-byte struct pages,
 * that is the page's offset in the memmap shifted once.
 */
static __always_inline u64 page_word(struct page *page)
{
#ifdef CONFIG_SPARSEMEM_VMEMMAP
	if (sizeof(struct page) == 64)
		return ((unsigned long)page - (unsigned long)vmemmap)
			<< (PL_JW_SHIFT - 6);
#endif
	return (u64)page_to_pfn(page) << PL_JW_SHIFT;
}

/* Anything but a small anonymous or device folio at pages[@i]: see write_acq(). */
static noinline long acq_slow(struct jw *w, struct page **pages, long i,
			      long nr, unsigned int gup_flags,
			      unsigned long callsite, u64 *v)
{
	struct folio *folio;
	long n = 1;

	*v = run_word(pages, i, nr, &folio, &n);
	if (!*v)
		pinledger_ledger_acquire(pages + i, n, gup_flags, callsite,
					 w->stack);
	else if (is_zero_pfn(*v >> PL_JW_SHIFT))
		w->zero = true;
	return n;
}

/* Entry @k of an acquisition: @out[k], or the ring at @pos + k (@wrap). */
static __always_inline void acq_put(u64 *out, u64 pos, long k, bool wrap, u64 v)
{
	if (wrap)
		out[(pos + k) & ring_mask] = v;
	else
		out[k] = v;
}

/*
 * The loop of write_acq(): entries go to @out[k], or to the ring at
 * @pos + k with wrap-around when @wrap.  Return: entries written; the
 * references beyond one per entry are added to *@extra.
 *
 * Two inner loops, one per kind of small folio, each with the fewest
 * tests that tell its kind: anonymous (mapping's FOLIO_MAPPING_ANON) and
 * device (one mask of the flags; fsdax among them, journaled whatever
 * their kind: no device page is page cache).  A GUP call's pages are
 * mostly of one kind; a page of the other kind switches loops, anything
 * else goes through acq_slow().
 */
static __always_inline long acq_loop(struct jw *w, struct page **pages,
				     long nr, unsigned int gup_flags,
				     unsigned long callsite, u64 *out,
				     u64 pos, bool wrap, u64 *extra)
{
	long i = 0, k = 0, n;
	/* Start with the first page's kind (a one-page DAX call is common). */
	bool dev = pl_flags_small_device(pl_page_flags_word(pages[0]));
	u64 sv;

	for (;;) {
		/* No call in these loops: their state stays in registers. */
		if (dev) {
			while (i < nr) {
				/* A GUP call fills pages[0..ret): none is NULL. */
				struct page *page = pages[i];

				if (unlikely(!pl_flags_small_device(pl_page_flags_word(page)) ||
					     (pl_page_compound_word(page) & 1)))
					break;
				acq_put(out, pos, k, wrap, page_word(page));
				k++;
				i++;
			}
		} else {
			while (i < nr) {
				struct page *page = pages[i];
				unsigned long mapping, flags;

				mapping = (unsigned long)READ_ONCE(page->mapping);
				flags = pl_page_flags_word(page);
				if (unlikely((pl_page_compound_word(page) & 1) ||
					     (flags & (1UL << PG_head)) ||
					     !(mapping & FOLIO_MAPPING_ANON)))
					break;
				acq_put(out, pos, k, wrap, page_word(page));
				k++;
				i++;
			}
		}
		if (i >= nr)
			break;
		/* A small folio of the other kind: switch loops. */
		if (!(pl_page_compound_word(pages[i]) & 1)) {
			unsigned long flags = pl_page_flags_word(pages[i]);

			if (!dev && pl_flags_small_device(flags)) {
				dev = true;
				continue;
			}
			if (dev && !(flags & (1UL << PG_head)) &&
			    ((unsigned long)READ_ONCE(pages[i]->mapping) &
			     FOLIO_MAPPING_ANON)) {
				dev = false;
				continue;
			}
		}
		n = acq_slow(w, pages, i, nr, gup_flags, callsite, &sv);
		i += n;
		if (!sv)
			continue;
		*extra += n - 1;
		acq_put(out, pos, k, wrap, sv);
		k++;
	}
	return k;
}

/*
 * Journal an acquisition's @pages into the open record @w.  The hot path
 * is a small anonymous or device (fsdax) folio: three loads from its
 * struct page (compound head, flags, mapping; two for a device page),
 * one store; large folios,
 * page-cache folios (direct path) and other pages without an anonymous
 * mapping take acq_slow().
 */
static __always_inline void write_acq(struct jw *w, struct page **pages,
				      long nr, unsigned int gup_flags,
				      unsigned long callsite)
{
	u64 pos = w->pos, extra = 0;
	long k;

	if (likely((pos & ring_mask) + nr <= ring_size()))
		k = acq_loop(w, pages, nr, gup_flags, callsite,
			     &w->ring[pos & ring_mask], pos, false, &extra);
	else
		k = acq_loop(w, pages, nr, gup_flags, callsite, w->ring, pos,
			     true, &extra);
	w->pos = pos + k;
	w->refs += k + extra;
}

/*
 * In-place cancellation (see DOC): the acquisition a release takes back,
 * if it is the last record of this CPU's journal, still pending, and its
 * owner's process is the releaser's (any in IRQ context).  IRQs off.
 * Return: its start, or U64_MAX.
 */
static u64 cancel_candidate(struct pl_journal *j, u64 refs)
{
	u64 a = j->last, h = READ_ONCE(*word(j, a));

	if (HDR_TYPE(h) != J_ACQ_PIN || a + J_HDR + HDR_N(h) != j->head ||
	    *word(j, a + 3) != refs || (HDR_SLOT(h) & J_SLOT_ZERO))
		return U64_MAX;
	if (in_task() &&
	    j->slots[HDR_SLOT(h) % OWNER_SLOTS].key.tgid != current->tgid)
		return U64_MAX;
	return a;
}

/*
 * Void the acquisition at @a (its words matched the release; it has no
 * reference on the zero page) unless the absorber took it first.
 */
static bool cancel_commit(struct pl_journal *j, u64 a)
{
	u64 h = READ_ONCE(*word(j, a)), refs = *word(j, a + 3);

	if (cmpxchg(word(j, a), h, HDR(J_VOID, HDR_N(h), 0)) != h)
		return false;
	pinledger_add(acquired_pins, refs);
	pinledger_add(released_pins, refs);
	pinledger_add(journal_cancelled, refs);
	return true;
}

/*
 * unpin_user_pages(@pages, @nr) on the array a pin_user_pages*() call of
 * this CPU just filled: cancel its record in place.  Every page must be
 * where the record's runs say (a run starts at its folio's first page),
 * so no folio is resolved here.  Return: true if cancelled.
 */
static bool cancel_pages(struct page **pages, long nr)
{
	unsigned long irqflags;
	struct pl_journal *j;
	bool ok = false;
	u64 a, e;
	long i;
	u32 k, n;

	local_irq_save(irqflags);
	j = this_cpu_ptr(journals);
	a = cancel_candidate(j, nr);
	if (a == U64_MAX)
		goto out;
	n = HDR_N(*word(j, a));
	e = a + J_HDR;
	/*
	 * Small folios, one reference each: entry k is pages[k].  (Only if
	 * the record does not wrap around the ring's end.)
	 */
	k = 0;
	if ((e & ring_mask) + n <= ring_size()) {
		const u64 *r = word(j, e);
		u32 lim = min_t(long, n, nr);

		/* Two at a time: half the loop overhead. */
		while (k + 1 < lim && r[k] == page_word(pages[k]) &&
		       r[k + 1] == page_word(pages[k + 1]))
			k += 2;
		while (k < lim && r[k] == page_word(pages[k]))
			k++;
	}
	/* From the first run or mismatch on (pages[k] may be NULL). */
	for (i = k; k < n; k++) {
		u64 v = *word(j, e + k);
		struct page *base = pfn_to_page(v >> PL_JW_SHIFT);
		long c = (v & (PL_JW_MAXREFS - 1)) + 1, m;

		if (c > nr - i)
			goto out;
		for (m = 0; m < c; m++)
			if (pages[i + m] != base + m)
				goto out;
		i += c;
	}
	ok = i == nr && cancel_commit(j, a);
out:
	local_irq_restore(irqflags);
	/* fsdax folios may be among them: a waiting layout change looks. */
	if (ok)
		pinledger_guard_released(NULL);
	return ok;
}

/* unpin_user_folio(@folio, @refs) & co on the folio just pinned. */
static bool cancel_folio(struct folio *folio, long refs)
{
	unsigned long irqflags;
	struct pl_journal *j;
	bool ok = false;
	u64 a;

	if (refs > PL_JW_MAXREFS)
		return false;
	local_irq_save(irqflags);
	j = this_cpu_ptr(journals);
	a = cancel_candidate(j, refs);
	if (a != U64_MAX && HDR_N(*word(j, a)) == 1 &&
	    *word(j, a + J_HDR) == ((u64)folio_pfn(folio) << PL_JW_SHIFT | (refs - 1)))
		ok = cancel_commit(j, a);
	local_irq_restore(irqflags);
	/* fsdax folios may be among them: a waiting layout change looks. */
	if (ok)
		pinledger_guard_released(NULL);
	return ok;
}

static void acquire_chunk(struct page **pages, long nr, unsigned int gup_flags,
			  unsigned long callsite, u32 stack, u32 flags,
			  bool retried)
{
	bool pin = gup_flags & PL_FOLL_PIN;
	struct pl_slot *slot;
	struct jw w;

	if (!jw_open(&w, nr, ring_size() / 4))
		goto full;
	slot = slot_get(w.j, current->tgid, flags, callsite, stack,
			smp_load_acquire(&w.j->tail));
	if (!slot) {
		local_irq_restore(w.irqflags);
		goto full;
	}
	w.stack = stack;
	write_acq(&w, pages, nr, gup_flags, callsite);
	jw_close(&w, pin ? J_ACQ_PIN : J_ACQ_GET, slot);
	return;
full:
	if (!retried && pinledger_ledger_try_sync()) {
		acquire_chunk(pages, nr, gup_flags, callsite, stack, flags, true);
		return;
	}
	pinledger_add(untracked, nr);
	pinledger_inc(journal_full);
}

/**
 * pinledger_journal_acquire - journal the references one GUP call took.
 * @pages:	the pages it returned.
 * @nr:		how many.
 * @gup_flags:	its FOLL_* flags; calls with neither FOLL_PIN nor FOLL_GET
 *		took no references and are ignored.
 * @callsite:	the caller of the GUP entry point.
 * @stack:	its stack id (pinledger_stack_capture()), 0 for none.
 *
 * Context: kretprobe/ftrace handler of the GUP call, task context,
 * preemption disabled; does not sleep.  Takes no lock (absorb_lock by
 * trylock when the journal is full).
 */
void pinledger_journal_acquire(struct page **pages, long nr,
			       unsigned int gup_flags, unsigned long callsite,
			       u32 stack)
{
	u32 flags;
	long i;

	if (unlikely(events_direct()) || unlikely(!READ_ONCE(journal_live))) {
		pinledger_ledger_acquire(pages, nr, gup_flags, callsite, stack);
		return;
	}
	flags = pl_owner_flags(gup_flags);
	if (!flags)
		return;
	for (i = 0; i < nr; i += J_CHUNK)
		acquire_chunk(pages + i, min_t(long, nr - i, J_CHUNK), gup_flags,
			      callsite, stack, flags, false);
}

/* Release bookkeeping shared by the pinledger_journal_release_*() writers. */
static bool rel_open(struct jw *w, long nmax)
{
	if (jw_open(w, nmax, 0))
		return true;
	if (pinledger_ledger_try_sync() && jw_open(w, nmax, 0))
		return true;
	return false;
}

static inline void rel_add(struct jw *w, struct folio *folio, u32 refs, bool pin)
{
	if (unlikely(folio_direct(folio))) {
		pinledger_ledger_release(&folio->page, refs, pin);
		return;
	}
	if (pl_page_is_fsdax(&folio->page))
		w->dax = true;
	jw_add(w, folio_pfn(folio), refs);
}

static void rel_close(struct jw *w, bool pin)
{
	bool dax = w->dax;

	jw_close(w, pin ? J_REL_PIN : J_REL_GET, NULL);
	if (dax)
		pinledger_guard_released(NULL);
}

static void rel_lost(long refs)
{
	pinledger_add(lost_releases, refs);
	pr_warn_ratelimited("journal full where it cannot absorb (IRQ context, or a probe handler on PREEMPT_RT): %ld released references not recorded (reconciliation will drop them)\n",
			    refs);
}

/*
 * Direct path for releases: while tracing, or before the journals exist.
 * Read once per call (see DOC: Switching paths).
 */
static inline bool rel_direct(void)
{
	return unlikely(!IS_ENABLED(CONFIG_PREEMPT_RT) && READ_ONCE(pl_rel_direct)) ||
	       unlikely(!READ_ONCE(journal_live));
}

/*
 * May a release cancel its acquisition in place?  Not while pin events
 * are on: a cancelled pin is never traced (on PREEMPT_RT, where events
 * come from the absorber, see DOC).
 */
static inline bool rel_may_cancel(bool direct)
{
	return !unlikely(READ_ONCE(pl_direct)) && !direct;
}

/**
 * pinledger_journal_release_pages - journal unpin_user_pages() & co.
 * @pages:	the pages whose references are released, one each.
 * @nr:		how many.
 * @pin:	FOLL_PIN references, else FOLL_GET.
 *
 * Context: ftrace handler of the unpin call, any context up to hard IRQ;
 * does not sleep; takes no lock.  The references are still held.
 */
void pinledger_journal_release_pages(struct page **pages, long nr, bool pin)
{
	bool direct = rel_direct();
	long i, n, c, end;
	struct jw w;

	if (pin && rel_may_cancel(direct) && cancel_pages(pages, nr))
		return;
	for (c = 0; c < nr; c += J_CHUNK) {
		end = min_t(long, nr, c + J_CHUNK);
		if (direct || !rel_open(&w, end - c)) {
			for (i = c; i < end; i += n) {
				struct folio *folio;

				n = 1;
				if (!pages[i])
					continue;
				folio = page_folio(pages[i]);
				if (folio_test_large(folio))
					n = large_run(pages, i, end, folio,
						      &(unsigned long){ 0 });
				if (direct)
					pinledger_ledger_release(&folio->page, n, pin);
				else
					rel_lost(n);
			}
			continue;
		}
		write_rel(&w, pages, c, end, pin);
		rel_close(&w, pin);
	}
}

/*
 * One folio of a FOLL_PIN release made of single folios: into the open
 * record (*@open), closed and reopened every J_CHUNK entries (*@in_rec);
 * direct (@direct: the call's rel_direct()), or lost, when no record
 * could be opened.
 */
static void rel_step(struct jw *w, bool direct, bool *open, long *in_rec,
		     struct folio *folio, long n)
{
	if (!*open) {
		if (direct)
			pinledger_ledger_release(&folio->page, n, true);
		else
			rel_lost(n);
		return;
	}
	rel_add(w, folio, n, true);
	if (++*in_rec == J_CHUNK) {
		rel_close(w, true);
		*in_rec = 0;
		*open = rel_open(w, J_CHUNK);
	}
}

/**
 * pinledger_journal_release_range - journal unpin_user_page_range_dirty_lock().
 * @page:	first page of a physically contiguous range.
 * @nr:		pages in it, one pin each.
 *
 * Context: ftrace handler, process context; does not sleep.
 */
void pinledger_journal_release_range(struct page *page, long nr)
{
	bool direct = rel_direct();
	long i, n;
	struct jw w;
	bool open = !direct && rel_open(&w, min_t(long, nr, J_CHUNK));
	long in_rec = 0;

	for (i = 0; i < nr; i += n) {
		struct folio *folio = page_folio(page + i);

		n = min_t(long, nr - i, folio_nr_pages(folio) -
				       (page + i - &folio->page));
		n = min_t(long, n, PL_JW_MAXREFS);
		rel_step(&w, direct, &open, &in_rec, folio, n);
	}
	if (open)
		rel_close(&w, true);
}

/**
 * pinledger_journal_release_folios - journal unpin_folios() (6.12).
 * @folios:	the folios; consecutive equal entries are one pin each.
 * @nr:		entries.
 *
 * Context: ftrace handler, process context; does not sleep.
 */
void pinledger_journal_release_folios(struct folio **folios, long nr)
{
	bool direct = rel_direct();
	long i, j, in_rec = 0;
	struct jw w;
	bool open = !direct && rel_open(&w, min_t(long, nr, J_CHUNK));

	for (i = 0; i < nr; i = j) {
		for (j = i + 1; j < nr && j - i < PL_JW_MAXREFS &&
		     folios[j] == folios[i]; j++)
			;
		rel_step(&w, direct, &open, &in_rec, folios[i], j - i);
	}
	if (open)
		rel_close(&w, true);
}

/**
 * pinledger_journal_release_folio - journal a release on one folio.
 * @folio:	the folio.
 * @refs:	references released.
 * @pin:	FOLL_PIN references, else FOLL_GET.
 *
 * Context: any up to hard IRQ (bio completion); does not sleep.
 */
void pinledger_journal_release_folio(struct folio *folio, long refs, bool pin)
{
	bool direct = rel_direct();
	struct jw w;

	if (refs <= 0)
		return;
	if (pin && rel_may_cancel(direct) && cancel_folio(folio, refs))
		return;
	while (refs > 0) {
		u32 n = min_t(long, refs, PL_JW_MAXREFS);

		refs -= n;
		if (direct) {
			pinledger_ledger_release(&folio->page, n, pin);
			continue;
		}
		if (!rel_open(&w, 1)) {
			rel_lost(n);
			continue;
		}
		rel_add(&w, folio, n, pin);
		rel_close(&w, pin);
	}
}

/* Absorbing: see DOC. */

/* A free (or used-up) slot of the matching table for @sum, or NULL. */
static struct pl_match *match_slot(u64 sum)
{
	u32 i = hash_64(sum, ilog2(MATCH_SLOTS)), k;

	for (k = 0; k < 16; k++, i = (i + 1) & (MATCH_SLOTS - 1)) {
		struct pl_match *m = &match[i];

		if (m->gen != match_gen || m->cpu == U32_MAX)
			return m;
	}
	return NULL;
}

/*
 * Do the @n entry words at @a (journal @ja) equal those at @b (@jb)?
 * *@zero receives the references on the shared zero page among them.
 */
static bool words_equal(struct pl_journal *ja, u64 a, struct pl_journal *jb,
			u64 b, u32 n, u64 *zero)
{
	const u64 *ra = ja->ring, *rb = jb->ring;
	u64 mask = ring_mask, z = 0;
	u32 i;

	for (i = 0; i < n; i++) {
		u64 v = ra[(a + i) & mask];

		if (v != rb[(b + i) & mask])
			return false;
		if (unlikely(is_zero_pfn(v >> PL_JW_SHIFT)))
			z += (v & (PL_JW_MAXREFS - 1)) + 1;
	}
	*zero = z;
	return true;
}

static void absorb_match(void)
{
	int cpu;
	u64 p;

	if (++match_gen == 0) {
		memset(match, 0, MATCH_SLOTS * sizeof(*match));
		match_gen = 1;
	}
	for_each_possible_cpu(cpu) {
		struct pl_journal *j = per_cpu_ptr(journals, cpu);

		for (p = j->tail; p < j->s2; p += J_HDR + HDR_N(*word(j, p))) {
			u64 h = *word(j, p), sum = *word(j, p + 1), refs, zero;
			/* sum: the record's match key (see DOC). */
			u32 i = hash_64(sum, ilog2(MATCH_SLOTS)), k;
			struct pl_match *m;

			if (HDR_TYPE(h) == J_ACQ_PIN) {
				m = match_slot(sum);
				if (m)
					*m = (struct pl_match){ sum, p, cpu, match_gen };
				continue;
			}
			if (HDR_TYPE(h) != J_REL_PIN || p >= j->s1)
				continue;
			for (k = 0; k < 16; k++, i = (i + 1) & (MATCH_SLOTS - 1)) {
				struct pl_journal *ja;
				u64 ah;

				m = &match[i];
				if (m->gen != match_gen)
					break;
				if (m->cpu == U32_MAX || m->sum != sum)
					continue;
				ja = per_cpu_ptr(journals, m->cpu);
				ah = *word(ja, m->pos);
				/*
				 * As the index attributes releases: to the
				 * releasing process's own pins when it has
				 * some; never to a later pin of the same CPU.
				 */
				if ((m->cpu == cpu && m->pos > p) ||
				    (HDR_SLOT(h) && HDR_SLOT(h) !=
				     ja->slots[HDR_SLOT(ah) % OWNER_SLOTS].key.tgid))
					continue;
				if (HDR_TYPE(ah) != J_ACQ_PIN ||
				    HDR_N(ah) != HDR_N(h) ||
				    !words_equal(ja, m->pos + J_HDR, j, p + J_HDR,
						 HDR_N(h), &zero))
					continue;
				/* Its releaser may have cancelled it in place. */
				if (cmpxchg(word(ja, m->pos), ah,
					    HDR(J_VOID, HDR_N(ah), 0)) != ah)
					continue;
				/* No pin is kept on the zero page (see DOC). */
				refs = *word(j, p + 3) - zero;
				*word(j, p) = HDR(J_VOID, HDR_N(h), 0);
				m->cpu = U32_MAX;	/* used up */
				pinledger_add(acquired_pins, refs);
				pinledger_add(released_pins, refs);
				pinledger_add(journal_cancelled, refs);
				break;
			}
		}
	}
}

static void absorb_acquire(struct pl_journal *j, u64 p, u64 h)
{
	struct pl_slot *slot = &j->slots[HDR_SLOT(h) % OWNER_SLOTS];
	unsigned long then = (unsigned long)*word(j, p + 2);
	u64 now = ktime_get_ns(), age;
	struct pinledger_index_batch b;
	bool get = HDR_TYPE(h) == J_ACQ_GET;
	u32 i, n = HDR_N(h);

	age = jiffies_to_nsecs(jiffies - then);
	pinledger_index_batch_start(&b, &slot->key, now > age ? now - age : 0,
				    !get, absorb_quiet);
	for (i = 0; i < n; i++) {
		u64 v = *word(j, p + J_HDR + i);
		unsigned long pfn = v >> PL_JW_SHIFT;
		u32 refs = (v & (PL_JW_MAXREFS - 1)) + 1;

		if (is_zero_pfn(pfn))
			continue;
		/* Released FOLL_GETs, the common case: no call for those. */
		if (get && pinledger_index_get_gone(&b, pfn_folio(pfn), refs))
			continue;
		pinledger_index_add(&b, pfn, refs);
	}
	pinledger_index_batch_end(&b);
}

static void absorb_release(struct pl_journal *j, u64 p, u64 h)
{
	bool pin = HDR_TYPE(h) == J_REL_PIN;
	u32 i, n = HDR_N(h);

	for (i = 0; i < n; i++) {
		u64 v = *word(j, p + J_HDR + i);

		if (is_zero_pfn(v >> PL_JW_SHIFT))
			continue;
		pinledger_index_drop(v >> PL_JW_SHIFT,
				     (v & (PL_JW_MAXREFS - 1)) + 1, pin);
	}
}

/* Apply and void @j's acquisitions up to S2, or its releases up to S1. */
static void absorb_pass(struct pl_journal *j, bool acquisitions)
{
	u64 p, end = acquisitions ? j->s2 : j->s1;

	for (p = j->tail; p < end; p += J_HDR + HDR_N(*word(j, p))) {
		u64 h = *word(j, p);
		unsigned int t = HDR_TYPE(h);

		if (acquisitions && (t == J_ACQ_PIN || t == J_ACQ_GET)) {
			/* Claimed, unless its releaser cancelled it in place. */
			if (cmpxchg(word(j, p), h, HDR(J_VOID, HDR_N(h), 0)) != h)
				continue;
			absorb_acquire(j, p, h);
		} else if (!acquisitions && (t == J_REL_PIN || t == J_REL_GET)) {
			absorb_release(j, p, h);
			*word(j, p) = HDR(J_VOID, HDR_N(h), 0);
		}
	}
}

/* One round; absorb_lock held.  Return: whether anything was pending. */
static bool absorb(void)
{
	bool pending = false;
	int cpu;
	u64 p;

	if (!journal_live)
		return false;
	for_each_possible_cpu(cpu) {
		struct pl_journal *j = per_cpu_ptr(journals, cpu);

		j->s1 = smp_load_acquire(&j->head);
	}
	for_each_possible_cpu(cpu) {
		struct pl_journal *j = per_cpu_ptr(journals, cpu);

		j->s2 = smp_load_acquire(&j->head);
		pending |= j->s2 != j->tail;
	}
	if (!pending)
		return false;
	pinledger_inc(journal_absorbs);
	/* Matched pairs are never traced: not while events come from here. */
	if (!READ_ONCE(pl_direct))
		absorb_match();
	/* Acquisitions up to S2, then releases up to S1. */
	for_each_possible_cpu(cpu)
		absorb_pass(per_cpu_ptr(journals, cpu), true);
	for_each_possible_cpu(cpu) {
		struct pl_journal *j = per_cpu_ptr(journals, cpu);

		absorb_pass(j, false);
		for (p = j->tail; p < j->s2 && HDR_TYPE(*word(j, p)) == J_VOID;
		     p += J_HDR + HDR_N(*word(j, p)))
			;
		smp_store_release(&j->tail, p);
	}
	return true;
}

/**
 * pinledger_ledger_sync - bring the ledger's index up to date.
 *
 * Every reference whose GUP call (or release) returned before this call
 * is in the index when it returns, but releases published while it ran
 * (see DOC); FOLL_GET references on fsdax folios that their refcount no
 * longer shows are dropped (pinledger_index_sweep()).
 *
 * Context: task context; may be called with preemption or IRQs disabled
 * (not from IRQ context); does not sleep.  Takes absorb_lock.
 */
void pinledger_ledger_sync(void)
{
	if (WARN_ON_ONCE(!in_task()))
		return;
	pl_rt_may_sleep("absorb_lock");
	spin_lock(&absorb_lock);
	/* A second round takes the releases that raced the first. */
	if (absorb())
		absorb();
	if (journal_live)
		pinledger_index_sweep();
	spin_unlock(&absorb_lock);
}

/**
 * pinledger_ledger_try_sync - pinledger_ledger_sync() where it may be done.
 *
 * One absorb round, waiting for a concurrent absorber.  Probe handlers
 * call it when their CPU's journal is full.
 *
 * Context: any; outside task context (and on PREEMPT_RT where it may not
 * sleep) it does nothing.  Takes absorb_lock.
 * Return: true if the journals were absorbed.
 */
bool pinledger_ledger_try_sync(void)
{
	/*
	 * On PREEMPT_RT absorb_lock and the ledger's locks sleep and the
	 * slab may not be entered with preemption disabled: probe handlers
	 * never absorb there (a full journal counts untracked instead).
	 */
	if (!in_task() || (IS_ENABLED(CONFIG_PREEMPT_RT) && !preemptible()))
		return false;
	/*
	 * Spinning is safe here: absorb_lock's holder runs with preemption
	 * disabled on another CPU (on this one it would have to be the
	 * caller itself) and takes nothing a task context may hold.
	 */
	pl_rt_may_sleep("absorb_lock");
	spin_lock(&absorb_lock);
	absorb();
	spin_unlock(&absorb_lock);
	return true;
}

static void absorb_workfn(struct work_struct *work)
{
	pinledger_ledger_sync();
}

/**
 * pinledger_journal_bytes - memory of the journals and the matching table.
 *
 * Context: any.
 * Return: bytes.
 */
unsigned long pinledger_journal_bytes(void)
{
	if (!match)
		return 0;
	return num_possible_cpus() * (ring_size() * sizeof(u64) +
				      sizeof(struct pl_journal)) +
	       MATCH_SLOTS * sizeof(*match);
}

/**
 * pinledger_trace_pin_reg - a pin_acquire or pin_release event is being
 * enabled: from now on every reference takes the direct path.
 *
 * Sends acquisitions direct, waits for the journal writers under way
 * (they run with preemption disabled), absorbs every journal, and only
 * then sends releases direct, so that every direct release finds its
 * acquisition in the index (DOC: Switching paths).
 *
 * Context: process context (tracepoint registration, serialized by
 * tracepoints_mutex); sleeps.
 * Return: 0.
 */
int pinledger_trace_pin_reg(void)
{
	if (atomic_inc_return(&pin_events) == 1) {
		WRITE_ONCE(pl_direct, true);
		/* Tracing is being turned on: do not keep the tool waiting. */
		synchronize_rcu_expedited();
		pl_rt_may_sleep("absorb_lock");
		spin_lock(&absorb_lock);
		absorb_quiet = true;
		while (absorb())
			;
		absorb_quiet = false;
		/*
		 * A release still being journaled (it read pl_rel_direct
		 * before this) goes to the next absorb, as usual: its
		 * acquisition is in the index or in a journal before it.
		 */
		WRITE_ONCE(pl_rel_direct, true);
		spin_unlock(&absorb_lock);
	}
	return 0;
}

/**
 * pinledger_trace_pin_unreg - a pin event was disabled.
 *
 * Takes releases back to the journals, waits for the direct releases
 * under way, then the acquisitions (DOC: Switching paths).
 *
 * Context: process context (tracepoint unregistration, serialized by
 * tracepoints_mutex); sleeps.
 */
void pinledger_trace_pin_unreg(void)
{
	if (atomic_dec_and_test(&pin_events)) {
		WRITE_ONCE(pl_rel_direct, false);
		synchronize_rcu_expedited();
		WRITE_ONCE(pl_direct, false);
	}
}

/**
 * pinledger_journal_init - allocate the journals.
 *
 * Context: process context, may sleep; module init, after the ledger.
 * Return: 0, -EINVAL for a bad journal_words_log2, or -ENOMEM.
 */
int pinledger_journal_init(void)
{
	int cpu, ret;

	ret = pinledger_param_range("journal_words_log2", journal_words_log2,
				    10, 20);
	if (ret)
		return ret;
	ring_mask = (1ULL << journal_words_log2) - 1;
	j_chunk = min_t(long, 1024, ring_size() / 8);
	init_irq_work(&kick_iw, kick_fn);
	match = vzalloc(MATCH_SLOTS * sizeof(*match));
	if (!match)
		return -ENOMEM;
	match_gen = 1;
	journals = alloc_percpu(struct pl_journal);
	if (!journals)
		goto err_match;
	for_each_possible_cpu(cpu) {
		struct pl_journal *j = per_cpu_ptr(journals, cpu);

		memset(j, 0, sizeof(*j));
		j->ring = vmalloc_node(ring_size() * sizeof(u64), cpu_to_node(cpu));
		if (!j->ring)
			goto err;
	}
	pl_rt_may_sleep("absorb_lock");
	spin_lock(&absorb_lock);
	WRITE_ONCE(journal_live, true);
	spin_unlock(&absorb_lock);
	/* The journals are empty: both steps at once. */
	WRITE_ONCE(pl_direct, atomic_read(&pin_events) > 0);
	WRITE_ONCE(pl_rel_direct, READ_ONCE(pl_direct));
	return 0;
err:
	for_each_possible_cpu(cpu)
		vfree(per_cpu_ptr(journals, cpu)->ring);
	free_percpu(journals);
	journals = NULL;
err_match:
	vfree(match);
	match = NULL;
	return -ENOMEM;
}

/**
 * pinledger_journal_exit - absorb what is left and free the journals.
 *
 * Must run after the hooks are removed and before the ledger is freed.
 *
 * Context: process context, may sleep; module exit or init unwind.
 */
void pinledger_journal_exit(void)
{
	int cpu;

	irq_work_sync(&kick_iw);
	flush_work(&absorb_work);
	pl_rt_may_sleep("absorb_lock");
	spin_lock(&absorb_lock);
	while (absorb())
		;
	WRITE_ONCE(journal_live, false);
	spin_unlock(&absorb_lock);
	cancel_work_sync(&absorb_work);
	for_each_possible_cpu(cpu)
		vfree(per_cpu_ptr(journals, cpu)->ring);
	free_percpu(journals);
	journals = NULL;
	vfree(match);
	match = NULL;
}
