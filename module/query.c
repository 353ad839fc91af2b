// SPDX-License-Identifier: GPL-2.0
/*
 * query.c - who holds the pages of a file: a walk over its mapping.
 *
 * The walk goes through the file's mapping (DAX entries, or page-cache
 * folios) and returns *runs*: consecutive pages with the same holders.
 * Each page's ledger entry is compared with its refcount; references the
 * ledger cannot account for (taken before the module loaded, untracked,
 * or still being taken) are returned as held by an unknown owner, never
 * as unpinned.  /dev/pinledger (module/uapi.c) answers PINLEDGER_IOC_QUERY
 * with it.
 *
 * The walk is an iterator, not a callback: no indirect call (IBT).  Each
 * call takes the mapping's xarray under RCU from the position it stopped
 * at, so a walk may be resumed later from pinledger_file_walk_resume().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/xarray.h>
#include <linux/dax.h>
#include "pinledger.h"
#include "pinledger_ledger.h"
#include "compat/gup.h"
#include "compat/dax.h"

static bool same_holders(const struct pinledger_run *a,
			 const struct pinledger_run *b)
{
	u32 i;

	if (a->snap.pins != b->snap.pins || a->snap.gets != b->snap.gets ||
	    a->unknown_pins != b->unknown_pins ||
	    a->unknown_gets != b->unknown_gets ||
	    a->snap.nr_owners != b->snap.nr_owners ||
	    a->snap.more_owners != b->snap.more_owners)
		return false;
	for (i = 0; i < a->snap.nr_owners; i++) {
		const struct pinledger_snap_owner *x = &a->snap.owners[i];
		const struct pinledger_snap_owner *y = &b->snap.owners[i];

		if (x->tgid != y->tgid || x->flags != y->flags ||
		    x->pins != y->pins || x->gets != y->gets ||
		    x->callsite != y->callsite)
			return false;
	}
	return true;
}

/* Fill @ps for the page at @pfn: ledger entry, then what refcount adds. */
static void page_state(unsigned long pfn, struct pinledger_run *ps)
{
	struct folio *folio = page_folio(pfn_to_page(pfn));
	long extra_pins, extra_gets;

	if (!pinledger_ledger_lookup(pfn, &ps->snap))
		memset(&ps->snap, 0, sizeof(ps->snap));
	pinledger_unexplained_refs(folio, ps->snap.pins, ps->snap.gets,
				   &extra_pins, &extra_gets);
	ps->unknown_pins = extra_pins;
	ps->unknown_gets = extra_gets;
	ps->pfn = pfn;
}

static bool page_idle(const struct pinledger_run *ps)
{
	return !ps->snap.pins && !ps->snap.gets && !ps->unknown_pins &&
	       !ps->unknown_gets;
}

/**
 * pinledger_file_walk_start - set up a walk over part of a file's mapping.
 * @w:		the walk.
 * @mapping:	the file's mapping; the caller keeps the inode alive (holds
 *		the struct file) until the walk is over.
 * @first:	first page index.
 * @last:	last page index, inclusive (less than ULONG_MAX).
 *
 * Context: any.
 */
void pinledger_file_walk_start(struct pinledger_file_walk *w,
			       struct address_space *mapping, pgoff_t first,
			       pgoff_t last)
{
	memset(w, 0, sizeof(*w));
	w->mapping = mapping;
	w->pos = first;
	w->last = last;
	w->done = first > last;
}

/*
 * Look at page @index (pfn @pfn).  Return true when a run is complete in
 * @out; the page then either closed it (idle) or opened the next one.
 */
static bool walk_page(struct pinledger_file_walk *w, pgoff_t index,
		      unsigned long pfn, struct pinledger_run *out)
{
	struct pinledger_run *ps = &w->page;
	bool complete = false;

	page_state(pfn, ps);
	w->pos = index + 1;
	if (page_idle(ps)) {
		if (w->open) {
			*out = w->run;
			w->open = false;
			complete = true;
		}
		return complete;
	}
	if (w->open && index == w->run.last + 1 && same_holders(&w->run, ps)) {
		w->run.last = index;
		return false;
	}
	if (w->open) {
		*out = w->run;
		complete = true;
	}
	w->run = *ps;
	w->run.first = w->run.last = index;
	w->open = true;
	return complete;
}

/**
 * pinledger_file_walk_next - the next run of pages with holders.
 * @w:		the walk.
 * @out:	receives the run: pages @out->first..@out->last, the pfn of
 *		the first, the ledger's view of one page (@out->snap) and the
 *		references of unknown owner per page.
 *
 * A page-cache folio counts as one page, at its first index.
 *
 * Context: process context; may sleep (cond_resched()).  Takes the
 * mapping's xarray under RCU and ledger locks briefly.
 * Return: false when the range has no further run.
 */
bool pinledger_file_walk_next(struct pinledger_file_walk *w,
			      struct pinledger_run *out)
{
	XA_STATE(xas, &w->mapping->i_pages, w->pos);
	bool dax = dax_mapping(w->mapping);
	unsigned int n = 0;
	void *entry;

	if (w->done)
		goto flush;
	rcu_read_lock();
	xas_for_each(&xas, entry, w->last) {
		unsigned long pfn, i, nr;
		pgoff_t base;

		if (xas_retry(&xas, entry))
			continue;
		if (dax) {
			if (!xa_is_value(entry) || pl_dax_is_empty(entry))
				continue;
			pfn = pl_dax_to_pfn(entry);
			nr = pl_dax_is_pmd(entry) ? PTRS_PER_PMD : 1;
			/* A PMD entry is found from any index it covers. */
			base = round_down(xas.xa_index, nr);
		} else {
			struct folio *folio = entry;

			if (xa_is_value(entry))
				continue;
			pfn = folio_pfn(folio);
			nr = 1;
			base = folio->index;
		}
		for (i = 0; i < nr && base + i <= w->last; i++) {
			if (base + i < w->pos)
				continue;
			if (walk_page(w, base + i, pfn + i, out)) {
				rcu_read_unlock();
				return true;
			}
		}
		if (++n % 256 == 0) {
			xas_pause(&xas);
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();
	w->done = true;
flush:
	if (!w->open)
		return false;
	*out = w->run;
	w->open = false;
	return true;
}

/**
 * pinledger_file_walk_resume - where a walk stopped now would go on.
 * @w:		the walk.
 * @index:	receives the first page index not yet returned in a run.
 *
 * Context: any.
 * Return: false if the walk is over (nothing left to return).
 */
bool pinledger_file_walk_resume(const struct pinledger_file_walk *w,
				pgoff_t *index)
{
	if (w->open) {
		*index = w->run.first;
		return true;
	}
	*index = w->pos;
	return !w->done;
}
