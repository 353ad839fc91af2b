/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat/dax.h - decoding fsdax xarray entries.
 *
 * fs/dax.c keeps its entry format private; it is the same in 6.1 and 6.12
 * (fs/dax.c:77-81 / 63-67): a value entry, pfn << DAX_SHIFT | flags.
 */
#ifndef _PINLEDGER_COMPAT_DAX_H
#define _PINLEDGER_COMPAT_DAX_H

#include <linux/xarray.h>

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

#endif /* _PINLEDGER_COMPAT_DAX_H */
