// SPDX-License-Identifier: GPL-2.0
/*
 * 6.15: fsdax folios are refcounted like other folios (idle at 0, not 1;
 * no devmap fast path; wake-ups on &folio->page at 0), and filesystems
 * wait for them with dax_break_layout() / dax_break_layout_final().
 */
#include <linux/fs.h>
#include <linux/dax.h>
void probe(struct inode *inode)
{
	dax_break_layout_final(inode);
}
