/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat/dax.h - decoding fsdax xarray entries.
 *
 * fs/dax.c keeps its entry format private; it is the same in 6.1 and 6.12
 * (fs/dax.c:77-81 / 63-67): a value entry, pfn << DAX_SHIFT | flags.
 *
 * Also the fsdax refcount model the guard is written for: up to 6.14 an
 * idle fsdax page has refcount 1 and the last put of an extra reference
 * wakes &page->_refcount (put_devmap_managed); 6.15 made fsdax folios
 * ordinary refcounted folios (idle at 0, mappings hold references, wake-up
 * on &folio->page at 0, dax_break_layout*() in fs/dax.c).
 */
#ifndef _PINLEDGER_COMPAT_DAX_H
#define _PINLEDGER_COMPAT_DAX_H

#include <linux/xarray.h>
#include "pinledger_config.h"

#define PL_DAX_SHIFT		4
#define PL_DAX_LOCKED		(1UL << 0)
#define PL_DAX_PMD		(1UL << 1)
#define PL_DAX_ZERO_PAGE	(1UL << 2)
#define PL_DAX_EMPTY		(1UL << 3)

static inline unsigned long pl_dax_to_pfn(void *entry)
{
	return xa_to_value(entry) >> PL_DAX_SHIFT;
}

static inline bool pl_dax_is_pmd(void *entry)
{
	return xa_to_value(entry) & PL_DAX_PMD;
}

/* Zero-page and empty entries have no file block behind them. */
static inline bool pl_dax_is_empty(void *entry)
{
	return xa_to_value(entry) & (PL_DAX_ZERO_PAGE | PL_DAX_EMPTY);
}

/**
 * pl_fsdax_refcount_supported - does the guard know this fsdax refcounting?
 *
 * The guard's busy test (refcount > 1), its wait (&page->_refcount) and
 * its eviction deferral are those of the 1-based devmap model
 * (HAVE_PTE_DEVMAP).  On the 6.15+ model (HAVE_DAX_BREAK_LAYOUT_FINAL)
 * they would let the kernel free blocks that are still pinned
 * (docs/kernel-72.md).  Both probes are asked, so that a probe failing
 * for another reason refuses rather than guesses.
 *
 * Context: any.
 * Return: true only on kernels with the devmap (1-based) fsdax model.
 */
static inline bool pl_fsdax_refcount_supported(void)
{
#if defined(HAVE_PTE_DEVMAP) && !defined(HAVE_DAX_BREAK_LAYOUT_FINAL)
	return true;
#else
	return false;
#endif
}

#endif /* _PINLEDGER_COMPAT_DAX_H */
