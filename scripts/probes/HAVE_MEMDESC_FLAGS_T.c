// SPDX-License-Identifier: GPL-2.0
/* 6.18: page->flags is a memdesc_flags_t (the word is its member f). */
#include <linux/mm.h>
unsigned long probe(struct page *p)
{
	memdesc_flags_t f = READ_ONCE(p->flags);

	return f.f;
}
