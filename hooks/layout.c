// SPDX-License-Identifier: GPL-2.0
/*
 * layout.c - hooks on DAX layout changes: eviction and layout breaks.
 *
 * Thin translators: each callback decodes the hooked function's arguments
 * (or return value) and calls into module/.  No decisions are made here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/dax.h>
#include "pinledger.h"
#include "pinledger_hooks.h"

/* void truncate_inode_pages_final(struct address_space *mapping) */
static void notrace truncate_final_entry(unsigned long ip, unsigned long parent_ip,
					 struct ftrace_ops *op,
					 struct ftrace_regs *fregs)
{
	struct address_space *mapping;
	int bit;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	pinledger_ftrace_hit(op);
	mapping = (struct address_space *)ftrace_regs_get_argument(fregs, 0);
	pinledger_dax_final_truncate(mapping);
	ftrace_test_recursion_unlock(bit);
}

/*
 * struct page *dax_layout_busy_page_range(struct address_space *mapping,
 *					   loff_t start, loff_t end)
 * Called by ext4/xfs (and fuse) *_break_layouts() before every truncate,
 * hole punch, collapse/insert/zero range and reflink remap.
 */
static int notrace busy_page_entry(struct kretprobe_instance *ri,
				   struct pt_regs *regs)
{
	pinledger_kretprobe_hit(ri);
	return 0;
}

static int notrace busy_page_return(struct kretprobe_instance *ri,
				    struct pt_regs *regs)
{
	pinledger_layout_busy_result(regs_return_value(regs) != 0);
	return 0;
}

struct pinledger_hook pinledger_layout_hooks[] = {
	PINLEDGER_FTRACE_HOOK(truncate_final_entry, PL_HOOK_PLAIN,
			      "truncate_inode_pages_final"),
	PINLEDGER_KRETPROBE_HOOK(busy_page_entry, busy_page_return, 0,
				 PL_HOOK_PLAIN, "dax_layout_busy_page_range"),
	{ }
};
