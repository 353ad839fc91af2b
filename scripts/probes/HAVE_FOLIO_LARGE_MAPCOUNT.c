// SPDX-License-Identifier: GPL-2.0
/* 6.10: folio_mapcount() became inline (over folio_large_mapcount()). */
#include <linux/mm.h>
int probe(struct folio *f)
{
	return folio_large_mapcount(f);
}
