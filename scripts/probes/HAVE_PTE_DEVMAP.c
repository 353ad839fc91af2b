// SPDX-License-Identifier: GPL-2.0
/*
 * Up to 6.14: fsdax pages are devmap pages (pte_devmap(), the GUP devmap
 * fast path, put_devmap_managed_*), idle at refcount 1; 6.15 removed it.
 */
#include <linux/mm.h>
#include <linux/pgtable.h>
int probe(pte_t pte)
{
	return pte_devmap(pte);
}
