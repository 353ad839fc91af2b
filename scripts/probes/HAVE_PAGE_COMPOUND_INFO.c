// SPDX-License-Identifier: GPL-2.0
/* 7.0: page->compound_head became page->compound_info (bit 0: tail). */
#include <linux/mm.h>
unsigned long probe(struct page *p)
{
	return READ_ONCE(p->compound_info);
}
