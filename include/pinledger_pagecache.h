/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinledger_pagecache.h - pinned page-cache folios meeting reclaim's unmap
 * and writeback's write-protect (module/pagecache.c, hooks/pagecache.c).
 */
#ifndef _PINLEDGER_PAGECACHE_H
#define _PINLEDGER_PAGECACHE_H

#include <linux/mm_types.h>
#include <linux/sysfs.h>

/* pagecache_unmap_policy */
enum pinledger_unmap_policy {
	PL_UNMAP_ALLOW,		/* stock behaviour; the event still fires */
	PL_UNMAP_SKIP,		/* leave the folio mapped where that is safe */
};

/* pagecache_clean_policy */
enum pinledger_clean_policy {
	PL_CLEAN_REPORT,	/* count and trace only */
	PL_CLEAN_REDIRTY,	/* dirty again when the last write pin goes */
};

/* pagecache_unmap event: what happened to a pinned folio's unmap */
enum pinledger_unmap_action {
	PL_UNMAP_ALLOWED,	/* policy allow: unmapped as stock */
	PL_UNMAP_SKIPPED,	/* left mapped */
	PL_UNMAP_HWPOISON,	/* policy skip, but memory-failure: unmapped */
	PL_UNMAP_REQUIRED,	/* policy skip, but the caller needs it unmapped */
};

/* pagecache_redirty event */
enum pinledger_redirty_action {
	PL_REDIRTY_REPORTED,	/* policy report: nothing done */
	PL_REDIRTY_QUEUED,	/* handed to the worker */
	PL_REDIRTY_DIRTIED,	/* the worker marked it dirty */
	PL_REDIRTY_GONE,	/* truncated meanwhile: nothing to dirty */
	PL_REDIRTY_NOMEM,	/* could not queue (GFP_NOWAIT failed) */
};

extern const struct attribute_group pinledger_pagecache_group;

int pinledger_pagecache_init(void);
void pinledger_pagecache_exit(void);
bool pinledger_pagecache_unmap(struct folio *folio, unsigned long address,
			       unsigned long ttu);
void pinledger_pagecache_mkclean(struct folio *folio, unsigned long address);

#endif /* _PINLEDGER_PAGECACHE_H */
