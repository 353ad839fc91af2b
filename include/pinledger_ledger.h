/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinledger_ledger.h - the pin ledger: who holds GUP references on which page.
 *
 * Keys are folio head pfns: pins are counted per folio by the kernel
 * (gup_put_folio() releases a folio), and every fsdax folio is one page.
 */
#ifndef _PINLEDGER_LEDGER_H
#define _PINLEDGER_LEDGER_H

#include <linux/types.h>
#include <linux/sched.h>
#include <linux/mm_types.h>
#include "pinledger_journal.h"
#include "compat/gup.h"

/* Owner flags, as printed and as traced. */
#define PL_F_PIN	0x1	/* FOLL_PIN: released by unpin_user_page*() */
#define PL_F_GET	0x2	/* FOLL_GET: released by put_page() */
#define PL_F_LONGTERM	0x4	/* FOLL_LONGTERM */
#define PL_F_WRITE	0x8	/* FOLL_WRITE */

/**
 * pl_owner_flags - the PL_F_* flags of a GUP call.
 * @gup_flags: its FOLL_* flags.
 *
 * Context: any.
 * Return: the flags, 0 for a call that took no references.
 */
static inline u32 pl_owner_flags(unsigned int gup_flags)
{
	u32 flags;

	if (gup_flags & PL_FOLL_PIN)
		flags = PL_F_PIN;
	else if (gup_flags & PL_FOLL_GET)
		flags = PL_F_GET;
	else
		return 0;
	if (gup_flags & PL_FOLL_LONGTERM)
		flags |= PL_F_LONGTERM;
	if (gup_flags & PL_FOLL_WRITE)
		flags |= PL_F_WRITE;
	return flags;
}

#define PL_SNAP_OWNERS	4

/**
 * struct pinledger_snap_owner - a copy of one holder of references on a page.
 * @tgid:	process that took them (references of no recorded owner
 *		have no owner record at all).
 * @comm:	its command name.
 * @flags:	PL_F_*.
 * @pins:	FOLL_PIN references on this page attributed to it.
 * @gets:	FOLL_GET references on this page attributed to it.
 * @callsite:	caller of the GUP entry point.
 * @start_ns:	ktime_get_ns() when they were taken.
 * @cgroup:	cgroup v2 id of the task that took them.
 * @stack:	stack id of the GUP call (capture_stacks), 0 for none.
 * @longlived:	reported as held longer than the long-lived threshold.
 */
struct pinledger_snap_owner {
	pid_t tgid;
	char comm[TASK_COMM_LEN];
	u32 flags;
	u32 pins;
	u32 gets;
	unsigned long callsite;
	u64 start_ns;
	u64 cgroup;
	u32 stack;
	bool longlived;
};

/**
 * struct pinledger_snap - a consistent copy of one ledger entry.
 * @pfn:	the folio's first pfn.
 * @pins:	exact FOLL_PIN references recorded.
 * @gets:	FOLL_GET references recorded.
 * @dev:	superblock device of the file, 0 for anonymous memory.
 * @ino:	inode number.
 * @index:	page index in the file.
 * @nr_owners:	owners in @owners (at most PL_SNAP_OWNERS are copied).
 * @more_owners: owners not copied.
 * @owners:	the holders.
 */
struct pinledger_snap {
	unsigned long pfn;
	u32 pins;
	u32 gets;
	dev_t dev;
	unsigned long ino;
	pgoff_t index;
	u32 nr_owners;
	u32 more_owners;
	struct pinledger_snap_owner owners[PL_SNAP_OWNERS];
};

/**
 * struct pinledger_cursor - position of a walk over the ledger.
 * @bucket:	next bucket to read.
 * @skip:	entries of @bucket already returned.
 */
struct pinledger_cursor {
	unsigned long bucket;
	unsigned long skip;
};

/**
 * struct pinledger_run - consecutive pages of a file with the same holders.
 * @first:	first page index.
 * @last:	last page index.
 * @pfn:	pfn of the first page.
 * @snap:	the ledger's entry of one page of the run (zeroed if none).
 * @unknown_pins: pins per page its refcount shows beyond the ledger's.
 * @unknown_gets: other references per page the ledger cannot account for.
 */
struct pinledger_run {
	pgoff_t first;
	pgoff_t last;
	unsigned long pfn;
	struct pinledger_snap snap;
	long unknown_pins;
	long unknown_gets;
};

/**
 * struct pinledger_file_walk - a walk over a file's mapping (module/query.c).
 * @mapping:	the file's mapping.
 * @pos:	next page index to look at.
 * @last:	last page index of the walk.
 * @done:	the mapping has been walked to @last.
 * @open:	@run holds a run not yet returned.
 * @run:	the pending run.
 * @page:	scratch: the page being looked at.
 */
struct pinledger_file_walk {
	struct address_space *mapping;
	pgoff_t pos;
	pgoff_t last;
	bool done;
	bool open;
	struct pinledger_run run;
	struct pinledger_run page;
};

void pinledger_file_walk_start(struct pinledger_file_walk *w,
			       struct address_space *mapping, pgoff_t first,
			       pgoff_t last);
bool pinledger_file_walk_next(struct pinledger_file_walk *w,
			      struct pinledger_run *out);
bool pinledger_file_walk_resume(const struct pinledger_file_walk *w,
				pgoff_t *index);

/**
 * struct pinledger_index_batch - one journaled GUP call being applied.
 * @key:	its owner key.
 * @start_ns:	when it was taken.
 * @pin:	FOLL_PIN, else FOLL_GET.
 * @quiet:	no pin_acquire events.
 * @o:		owner record of the file being applied (internal).
 * @gone:	FOLL_GETs released before they were applied (internal).
 * @gone_dax:	those of them on fsdax folios (internal).
 */
struct pinledger_index_batch {
	const struct pinledger_owner_key *key;
	u64 start_ns;
	bool pin;
	bool quiet;
	struct pinledger_owner *o;
	u64 gone;
	u64 gone_dax;
};

/**
 * pinledger_folio_unexplained - references on @folio nobody else explains.
 * @folio:	the folio.
 * @fsdax:	set to whether it is an fsdax folio.
 *
 * The references that neither its filesystem nor its page table mappings
 * explain: GUP references (pins scaled by the bias on small folios) plus
 * transient ones.  Errs high: whatever it is unsure of, it does not
 * subtract, so a live GUP reference is never explained away.
 *
 * Context: any; racy against concurrent (un)mapping, like the refcount.
 * Return: the count, 0 or more.
 */
static __always_inline long pinledger_folio_unexplained(struct folio *folio,
							 bool *fsdax)
{
	long refs = folio_ref_count(folio), other = 0;
	struct address_space *mapping;

	*fsdax = pl_page_is_fsdax(&folio->page);
	if (refs <= 0)
		return 0;
	if (*fsdax) {
		other = 1;	/* fsdax refcounts are 1-based */
	} else {
		mapping = READ_ONCE(folio->mapping);
		if (mapping && !((unsigned long)mapping & FOLIO_MAPPING_ANON))
			other += folio_nr_pages(folio);	/* page cache */
		if (folio_test_swapcache(folio))
			other += folio_nr_pages(folio);
		if (folio_test_private(folio))
			other += 1;
		other += pl_folio_mapped_refs(folio);
	}
	return max(refs - other, 0L);
}

/**
 * pinledger_index_get_gone - count @n FOLL_GETs on @folio as released if
 * nothing in its refcount is left to explain.
 * @b:		the batch (a FOLL_GET one).
 * @folio:	the folio.
 * @n:		references.
 *
 * The common FOLL_GET: released (put_page(), not hooked) before it was
 * applied.  Counted at the batch's end (pinledger_index_batch_end()),
 * the index not touched.  Inline, so that the absorber's loop over a
 * record makes no call for those.
 *
 * Context: the absorber; does not sleep.
 * Return: true if counted; false if a reference may still be held
 * (pinledger_index_add() applies it).
 */
static __always_inline bool pinledger_index_get_gone(struct pinledger_index_batch *b,
						     struct folio *folio, u32 n)
{
	bool fsdax;

	if (folio_test_slab(folio) || pinledger_folio_unexplained(folio, &fsdax) > 0)
		return false;
	b->gone += n;
	if (fsdax)
		b->gone_dax += n;
	return true;
}

void pinledger_index_batch_start(struct pinledger_index_batch *b,
				 const struct pinledger_owner_key *key,
				 u64 start_ns, bool pin, bool quiet);
void pinledger_index_add(struct pinledger_index_batch *b, unsigned long pfn,
			 u32 n);
void pinledger_index_batch_end(struct pinledger_index_batch *b);
void pinledger_index_drop(unsigned long pfn, u32 refs, bool pin);
void pinledger_index_sweep(void);

int pinledger_ledger_init(void);
void pinledger_ledger_exit(void);
void pinledger_ledger_acquire(struct page **pages, long nr,
			      unsigned int gup_flags, unsigned long callsite,
			      u32 stack);
void pinledger_ledger_release(struct page *page, int refs, bool pin);
bool pinledger_ledger_next(struct pinledger_cursor *cur,
			   struct pinledger_snap *snap);
bool pinledger_ledger_cursor_valid(const struct pinledger_cursor *cur);
bool pinledger_ledger_lookup(unsigned long pfn, struct pinledger_snap *snap);
unsigned long pinledger_ledger_bytes(void);
void pinledger_unexplained_refs(struct folio *folio, u32 pins, u32 gets,
				long *xpins, long *xgets);
unsigned long pinledger_ledger_entry_size(void);
bool pinledger_folio_file(struct folio *folio, dev_t *dev, unsigned long *ino,
			  pgoff_t *index);
u32 pinledger_ledger_pins(struct folio *folio, u32 *write_pins,
			  bool mark_cleaned);

/* Long-lived pins (module/longlived.c): thresholds and reports. */
#define PL_LL_FS	16

/**
 * struct pinledger_ll_thresholds - how old a pin must be to be long-lived.
 * @ns:		the default threshold, 0 for off.
 * @nr_fs:	entries in @fs.
 * @fs:		per-filesystem thresholds (@ns 0: off on that filesystem).
 */
struct pinledger_ll_thresholds {
	u64 ns;
	u32 nr_fs;
	struct {
		dev_t dev;
		u64 ns;
	} fs[PL_LL_FS];
};

/**
 * pl_ll_threshold - the threshold for references on a filesystem.
 * @t:		the thresholds.
 * @dev:	the filesystem's device, 0 for anonymous memory.
 *
 * Context: any.
 * Return: the threshold in ns, 0 for none.
 */
static inline u64 pl_ll_threshold(const struct pinledger_ll_thresholds *t,
				  dev_t dev)
{
	u32 i;

	for (i = 0; dev && i < t->nr_fs; i++)
		if (t->fs[i].dev == dev)
			return t->fs[i].ns;
	return t->ns;
}

/**
 * struct pinledger_ll_report - one owner found long-lived.
 * @pfn:	its first folio.
 * @dev:	its file's device, 0 for anonymous memory.
 * @ino:	its file's inode number.
 * @index:	the first folio's index in the file.
 * @tgid:	the process holding the references.
 * @comm:	its command name.
 * @flags:	PL_F_* of the GUP call.
 * @callsite:	caller of the GUP entry point.
 * @start_ns:	when the references were taken.
 * @cgroup:	cgroup v2 id of the pinning task.
 * @stack:	stack id of the GUP call, 0 for none.
 * @refs:	references the owner still holds, all pages.
 */
struct pinledger_ll_report {
	unsigned long pfn;
	dev_t dev;
	unsigned long ino;
	pgoff_t index;
	pid_t tgid;
	char comm[TASK_COMM_LEN];
	u32 flags;
	unsigned long callsite;
	u64 start_ns;
	u64 cgroup;
	u32 stack;
	u32 refs;
};

int pinledger_ledger_longlived(const struct pinledger_ll_thresholds *t,
			       u64 now, struct pinledger_ll_report *out,
			       int max, bool listing);

/*
 * Ledger notifications.  The ledger announces what it sees and knows
 * nothing of who acts on it: a subscriber turns a notification on with
 * pinledger_ledger_subscribe() and defines the function the ledger then
 * calls, by name (a direct call fixed at build time, not a function
 * pointer: scripts/check-ibt.sh allows no indirect call in the module).
 * While nobody is subscribed, the ledger does not call it.
 */
#define PL_LEDGER_NOTIFY_CLEANED_UNPINNED	0x1U

void pinledger_ledger_subscribe(unsigned int notifications, bool on);

/*
 * PL_LEDGER_NOTIFY_CLEANED_UNPINNED, defined by its subscriber
 * (module/pagecache.c): the last write pin of a folio marked "cleaned
 * while pinned" is being released; the releasing caller still holds it.
 * Context: any but NMI, including hard IRQ; must not sleep.
 */
void pinledger_notify_cleaned_unpinned(struct folio *folio);

#endif /* _PINLEDGER_LEDGER_H */
