// SPDX-License-Identifier: GPL-2.0
/* 6.15: struct page lost pgmap (now folio->pgmap); page_pgmap() reads it. */
#include <linux/mm.h>
#include <linux/memremap.h>
struct dev_pagemap *probe(struct page *p)
{
	return page_pgmap(p);
}
