// SPDX-License-Identifier: GPL-2.0
/* 6.12: __put_devmap_managed_page_refs() became __put_devmap_managed_folio_refs(). */
#include <linux/mm.h>
void probe(struct folio *f)
{
	__put_devmap_managed_folio_refs(f, 1);
}
