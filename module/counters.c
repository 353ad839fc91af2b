// SPDX-License-Identifier: GPL-2.0
/*
 * counters.c - the module's counters by name and by UAPI index.
 *
 * One table for every interface that shows counters: sysfs counters/
 * (a subset, readable by anyone), debugfs "counters" and /dev/pinledger
 * PINLEDGER_IOC_COUNTERS (include/uapi/linux/pinledger.h: enum
 * pinledger_counter).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include "pinledger.h"
#include "pinledger_ledger.h"
#include "pinledger_hooks.h"
#include "pinledger_journal.h"
#include "pinledger_origin.h"
#include "uapi/linux/pinledger.h"

#define N(id, name) [PINLEDGER_CTR_##id] = #name
static const char *const counter_names[PINLEDGER_CTR_NR] = {
	N(LIVE_PAGES, live_pages), N(LIVE_PINS, live_pins),
	N(LIVE_GETS, live_gets), N(ACQUIRED_PINS, acquired_pins),
	N(ACQUIRED_GETS, acquired_gets), N(RELEASED_PINS, released_pins),
	N(RELEASED_GETS, released_gets), N(UNTRACKED, untracked),
	N(MISSED_CALLS, missed_calls),
	N(UNMATCHED_RELEASES, unmatched_releases),
	N(RECONCILED, reconciled), N(LEDGER_BYTES, ledger_bytes),
	N(PAGECACHE_UNMAP_PINNED, pagecache_unmap_pinned),
	N(PAGECACHE_UNMAP_SKIPPED, pagecache_unmap_skipped),
	N(PAGECACHE_UNMAP_UNSKIPPABLE, pagecache_unmap_unskippable),
	N(PAGECACHE_CLEANED_PINNED, pagecache_cleaned_pinned),
	N(PAGECACHE_WRITE_UNPINNED, pagecache_write_unpinned),
	N(PAGECACHE_REDIRTIED, pagecache_redirtied),
	N(PAGECACHE_REDIRTY_FAILED, pagecache_redirty_failed),
	N(DAX_FINAL_TRUNCATES, dax_final_truncates),
	N(LAYOUT_BREAKS, layout_breaks), N(LAYOUT_BUSY, layout_busy),
	N(LAYOUT_REFUSED, layout_refused),
	N(REVOKE_SIGNALS, revoke_signals),
	N(EVICTIONS_DEFERRED, evictions_deferred),
	N(EVICTIONS_COMPLETED, evictions_completed),
	N(DEFER_FAILURES, defer_failures),
	N(OWNER_ALLOC_FAILURES, owner_alloc_failures),
	N(INJECTED_ALLOC_FAILURES, injected_alloc_failures),
	N(JOURNAL_ABSORBS, journal_absorbs),
	N(JOURNAL_CANCELLED, journal_cancelled),
	N(JOURNAL_FULL, journal_full), N(LOST_RELEASES, lost_releases),
	N(LONGLIVED_PINS, longlived_pins), N(STACKS_SAVED, stacks_saved),
	N(STACKS_DISTINCT, stacks_distinct), N(STACKS_DROPPED, stacks_dropped),
};
#undef N

/**
 * pinledger_counter_name - the name of a counter.
 * @id: enum pinledger_counter.
 *
 * Context: any.
 * Return: its name, as in sysfs and debugfs; NULL if @id is out of range.
 */
const char *pinledger_counter_name(unsigned int id)
{
	return id < PINLEDGER_CTR_NR ? counter_names[id] : NULL;
}

/**
 * pinledger_counter - the value of a counter.
 * @id: enum pinledger_counter.
 *
 * Ledger counters are read after the journals are absorbed
 * (pinledger_ledger_sync()), so that at a quiescent point they are exact.
 *
 * Context: task context, not from IRQ; the sum over CPUs is not atomic
 * against increments.  May take absorb_lock.
 * Return: its value (0 if @id is out of range).
 */
long pinledger_counter(unsigned int id)
{
	if (id <= PINLEDGER_CTR_LEDGER_BYTES || id >= PINLEDGER_CTR_JOURNAL_ABSORBS)
		pinledger_ledger_sync();
	switch (id) {
	case PINLEDGER_CTR_LIVE_PAGES:	return pinledger_stat(live_pages);
	case PINLEDGER_CTR_LIVE_PINS:	return pinledger_stat(acquired_pins) -
					       pinledger_stat(released_pins);
	case PINLEDGER_CTR_LIVE_GETS:	return pinledger_stat(acquired_gets) -
					       pinledger_stat(released_gets) -
					       pinledger_stat(reconciled);
	case PINLEDGER_CTR_ACQUIRED_PINS: return pinledger_stat(acquired_pins);
	case PINLEDGER_CTR_ACQUIRED_GETS: return pinledger_stat(acquired_gets);
	case PINLEDGER_CTR_RELEASED_PINS: return pinledger_stat(released_pins);
	case PINLEDGER_CTR_RELEASED_GETS: return pinledger_stat(released_gets);
	case PINLEDGER_CTR_UNTRACKED:	return pinledger_stat(untracked);
	case PINLEDGER_CTR_MISSED_CALLS:
		return pinledger_hooks_missed(pinledger_gup_hooks);
	case PINLEDGER_CTR_UNMATCHED_RELEASES:
		return pinledger_stat(unmatched_releases);
	case PINLEDGER_CTR_RECONCILED:	return pinledger_stat(reconciled);
	case PINLEDGER_CTR_LEDGER_BYTES: return pinledger_ledger_bytes();
	case PINLEDGER_CTR_PAGECACHE_UNMAP_PINNED:
		return pinledger_stat(pagecache_unmap_pinned);
	case PINLEDGER_CTR_PAGECACHE_UNMAP_SKIPPED:
		return pinledger_stat(pagecache_unmap_skipped);
	case PINLEDGER_CTR_PAGECACHE_UNMAP_UNSKIPPABLE:
		return pinledger_stat(pagecache_unmap_unskippable);
	case PINLEDGER_CTR_PAGECACHE_CLEANED_PINNED:
		return pinledger_stat(pagecache_cleaned_pinned);
	case PINLEDGER_CTR_PAGECACHE_WRITE_UNPINNED:
		return pinledger_stat(pagecache_write_unpinned);
	case PINLEDGER_CTR_PAGECACHE_REDIRTIED:
		return pinledger_stat(pagecache_redirtied);
	case PINLEDGER_CTR_PAGECACHE_REDIRTY_FAILED:
		return pinledger_stat(pagecache_redirty_failed);
	case PINLEDGER_CTR_DAX_FINAL_TRUNCATES:
		return pinledger_stat(dax_final_truncates);
	case PINLEDGER_CTR_LAYOUT_BREAKS: return pinledger_stat(layout_breaks);
	case PINLEDGER_CTR_LAYOUT_BUSY:	return pinledger_stat(layout_busy);
	case PINLEDGER_CTR_LAYOUT_REFUSED: return pinledger_stat(layout_refused);
	case PINLEDGER_CTR_REVOKE_SIGNALS: return pinledger_stat(revoke_signals);
	case PINLEDGER_CTR_EVICTIONS_DEFERRED:
		return pinledger_stat(evictions_deferred);
	case PINLEDGER_CTR_EVICTIONS_COMPLETED:
		return pinledger_stat(evictions_completed);
	case PINLEDGER_CTR_DEFER_FAILURES: return pinledger_stat(defer_failures);
	case PINLEDGER_CTR_OWNER_ALLOC_FAILURES:
		return pinledger_stat(owner_alloc_failures);
	case PINLEDGER_CTR_INJECTED_ALLOC_FAILURES:
		return pinledger_stat(injected_alloc_failures);
	case PINLEDGER_CTR_JOURNAL_ABSORBS: return pinledger_stat(journal_absorbs);
	case PINLEDGER_CTR_JOURNAL_CANCELLED:
		return pinledger_stat(journal_cancelled);
	case PINLEDGER_CTR_JOURNAL_FULL: return pinledger_stat(journal_full);
	case PINLEDGER_CTR_LOST_RELEASES: return pinledger_stat(lost_releases);
	case PINLEDGER_CTR_LONGLIVED_PINS: return pinledger_stat(longlived_pins);
	case PINLEDGER_CTR_STACKS_SAVED: return pinledger_stat(stacks_saved);
	case PINLEDGER_CTR_STACKS_DISTINCT: return pinledger_stacks_distinct();
	case PINLEDGER_CTR_STACKS_DROPPED: return pinledger_stat(stacks_dropped);
	}
	return 0;
}
