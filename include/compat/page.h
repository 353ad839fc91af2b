/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat/page.h - raw struct page words, written against the 7.2 API.
 *
 * The journal's per-page loops read a page's flags, compound and mapping
 * words themselves (one load each, no call, no VM_BUG_ON), and the
 * predicates of compat/gup.h read its pgmap.  Their spelling changed:
 *  - 6.15 moved pgmap from struct page into struct folio (page_pgmap());
 *  - 6.17 renamed the mapping pointer's PAGE_MAPPING_* flags FOLIO_MAPPING_*;
 *  - 6.18 wrapped page->flags in memdesc_flags_t (the word is .f);
 *  - 7.0 renamed page->compound_head page->compound_info (bit 0 still
 *    marks a tail page; the rest may be a mask, not the head's address).
 * On 6.1 and 6.12 every helper is the plain field access it replaces.
 */
#ifndef _PINLEDGER_COMPAT_PAGE_H
#define _PINLEDGER_COMPAT_PAGE_H

#include <linux/mm.h>
#include <linux/memremap.h>
#include "pinledger_config.h"

#ifndef HAVE_FOLIO_MAPPING_ANON
/* Before 6.17 (page-flags.h): the same bits, PAGE_MAPPING_* names. */
#define FOLIO_MAPPING_ANON	PAGE_MAPPING_ANON
#define FOLIO_MAPPING_FLAGS	PAGE_MAPPING_FLAGS
#endif

/**
 * pl_page_flags_word - load a page's flags word once.
 * @page: the page.
 *
 * Context: any; racy like any lockless read of page->flags.
 * Return: the flags word (zone, section and PG_* bits).
 */
static __always_inline unsigned long pl_page_flags_word(const struct page *page)
{
#ifdef HAVE_MEMDESC_FLAGS_T
	return READ_ONCE(page->flags.f);
#else
	return READ_ONCE(page->flags);
#endif
}

/**
 * pl_page_compound_word - load a page's compound word once.
 * @page: the page.
 *
 * Only bit 0 has a meaning every kernel shares: set on a tail page.
 *
 * Context: any; racy against a folio being split or freed.
 * Return: page->compound_head (before 7.0) or page->compound_info.
 */
static __always_inline unsigned long pl_page_compound_word(const struct page *page)
{
#ifdef HAVE_PAGE_COMPOUND_INFO
	return READ_ONCE(page->compound_info);
#else
	return READ_ONCE(page->compound_head);
#endif
}

/**
 * pl_page_pgmap - the dev_pagemap of a ZONE_DEVICE page.
 * @page: a ZONE_DEVICE page.
 *
 * Context: any; @page must be a ZONE_DEVICE page.
 * Return: its dev_pagemap.
 */
static __always_inline struct dev_pagemap *pl_page_pgmap(struct page *page)
{
#ifdef HAVE_PAGE_PGMAP
	return page_pgmap(page);
#else
	return page->pgmap;
#endif
}

#endif /* _PINLEDGER_COMPAT_PAGE_H */
