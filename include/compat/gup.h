/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat/gup.h - GUP flag values and page predicates, 6.12 API.
 *
 * 6.4 turned the FOLL_* #defines into enums and moved FOLL_PIN (with
 * FOLL_TOUCH, FOLL_REMOTE, ...) into mm/internal.h, which the headers
 * package does not ship.  The module must see the same bits the kernel
 * puts into gup_flags, so FOLL_PIN is restated here for those kernels.
 */
#ifndef _PINLEDGER_COMPAT_GUP_H
#define _PINLEDGER_COMPAT_GUP_H

#include <linux/mm.h>
#include <linux/memremap.h>
#include "pinledger_config.h"
#include "compat/page.h"

#ifdef HAVE_FOLL_PIN_VISIBLE
#define PL_FOLL_PIN		FOLL_PIN
#else
/* 6.4+: mm/internal.h "FOLL_PIN = 1 << 19" (checked for 6.12). */
#define PL_FOLL_PIN		(1U << 19)
#endif
#define PL_FOLL_GET		FOLL_GET
#define PL_FOLL_WRITE		FOLL_WRITE
#define PL_FOLL_LONGTERM	FOLL_LONGTERM

/**
 * pl_flags_zone_device - is a page with flags word @flags a ZONE_DEVICE page?
 * @flags: a page's flags, already loaded (page_zonenum() without the load).
 *
 * Context: any.
 * Return: true for ZONE_DEVICE pages.
 */
static inline bool pl_flags_zone_device(unsigned long flags)
{
#ifdef CONFIG_ZONE_DEVICE
	return ((flags >> ZONES_PGSHIFT) & ZONES_MASK) == ZONE_DEVICE;
#else
	return false;
#endif
}

/**
 * pl_flags_small_device - ZONE_DEVICE page, and not a compound head?
 * @flags: a page's flags, already loaded.
 *
 * One mask and compare: the journal's loop over device (fsdax) pages.
 * A tail page passes; the caller tests compound_head for those.
 *
 * Context: any.
 * Return: true for a ZONE_DEVICE page without PG_head.
 */
static inline bool pl_flags_small_device(unsigned long flags)
{
#ifdef CONFIG_ZONE_DEVICE
	return (flags & ((unsigned long)ZONES_MASK << ZONES_PGSHIFT |
			 1UL << PG_head)) ==
	       (unsigned long)ZONE_DEVICE << ZONES_PGSHIFT;
#else
	return false;
#endif
}

/**
 * pl_page_is_fsdax - is @page a filesystem-DAX page (refcount 1 when idle)?
 * @page: the page.
 *
 * Context: any.
 * Return: true for MEMORY_DEVICE_FS_DAX pages.
 */
static inline bool pl_page_is_fsdax(struct page *page)
{
	return is_zone_device_page(page) &&
	       pl_page_pgmap(page)->type == MEMORY_DEVICE_FS_DAX;
}

/**
 * pl_folio_mapped_refs - references @folio's page table mappings hold, at most.
 * @folio: the folio.
 *
 * 6.10 made folio_mapcount() inline; before, it was out of line and not
 * exported.  There, a small folio's mapcount is page_mapcount(); for a
 * large folio 0 is returned, so callers that subtract this from the
 * refcount err high (they never take a held reference for a stale one).
 *
 * Context: any; racy against concurrent (un)mapping, like folio_mapcount().
 * Return: the mapcount, or a lower bound of it.
 */
static inline int pl_folio_mapped_refs(struct folio *folio)
{
#ifdef HAVE_FOLIO_LARGE_MAPCOUNT
	return folio_mapcount(folio);
#else
	return folio_test_large(folio) ? 0 : page_mapcount(&folio->page);
#endif
}

#endif /* _PINLEDGER_COMPAT_GUP_H */
