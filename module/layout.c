// SPDX-License-Identifier: GPL-2.0
/*
 * layout.c - DAX layout changes: eviction and layout breaks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/dax.h>
#include "pinledger.h"
#include "pinledger_trace.h"

/**
 * pinledger_dax_final_truncate - an inode's mapping is truncated for eviction.
 * @mapping: the mapping passed to truncate_inode_pages_final().
 *
 * Only DAX mappings are of interest; others return at once.
 *
 * Context: process context, possibly reclaim (inode cache shrinking) or
 * umount; called from an ftrace callback, so must not sleep.
 */
void pinledger_dax_final_truncate(struct address_space *mapping)
{
	if (!mapping || !dax_mapping(mapping))
		return;
	pinledger_count(dax_final_truncates);
	trace_dax_final_truncate(mapping);
}

