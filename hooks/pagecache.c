// SPDX-License-Identifier: GPL-2.0
/*
 * pagecache.c - hooks on the rmap walkers that unmap and write-protect
 * page-cache folios.
 *
 * Thin translators into module/pagecache.c (see its DOC for the policies
 * and the rule for when an unmap may be skipped):
 *
 *   try_to_unmap_one	ftrace, IPMODIFY: when module/pagecache.c says
 *			skip, the call resumes in unmap_skipped() instead,
 *			which returns false like try_to_unmap_one() does
 *			for a folio it must leave mapped (mlocked VMA, a
 *			maybe-pinned anon-exclusive page): the rmap walk
 *			stops and the caller sees the folio still mapped
 *   page_mkclean_one	ftrace: observes writeback write-protecting a
 *			folio in a shared mapping
 *
 * Both are static in mm/rmap.c, out of line (their addresses are taken
 * for rwc->rmap_one), not notrace, with the same signature in 6.1 and
 * 6.12 (kernel-facts §4).  The original is never called from here: the
 * redirect goes through the ftrace trampoline's return (compat/ftrace.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include "pinledger.h"
#include "pinledger_hooks.h"
#include "pinledger_pagecache.h"

/*
 * Where a skipped try_to_unmap_one() call resumes: same signature, so the
 * argument registers the trampoline restores are its arguments, and its
 * return goes to the rmap walker.
 */
static noinline bool notrace unmap_skipped(struct folio *folio,
					   struct vm_area_struct *vma,
					   unsigned long address, void *arg)
{
	return false;
}

/*
 * static bool try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
 *				unsigned long address, void *arg)
 * arg: (void *)(enum ttu_flags)
 */
static void notrace unmap_entry(unsigned long ip, unsigned long parent_ip,
				struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct folio *folio;
	unsigned long address, ttu;
	int bit;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	pinledger_ftrace_hit(op);
	folio = (struct folio *)ftrace_regs_get_argument(fregs, 0);
	address = ftrace_regs_get_argument(fregs, 2);
	ttu = ftrace_regs_get_argument(fregs, 3);
	if (pinledger_pagecache_unmap(folio, address, ttu))
		WARN_ON_ONCE(!pl_ftrace_redirect(fregs, (unsigned long)unmap_skipped));
	ftrace_test_recursion_unlock(bit);
}

/*
 * static bool page_mkclean_one(struct folio *folio, struct vm_area_struct *vma,
 *				unsigned long address, void *arg)
 */
static void notrace mkclean_entry(unsigned long ip, unsigned long parent_ip,
				  struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	int bit = ftrace_test_recursion_trylock(ip, parent_ip);

	if (bit < 0)
		return;
	pinledger_ftrace_hit(op);
	pinledger_pagecache_mkclean((struct folio *)ftrace_regs_get_argument(fregs, 0),
				    ftrace_regs_get_argument(fregs, 2));
	ftrace_test_recursion_unlock(bit);
}

/**
 * pinledger_pagecache_ftrace - run the callback of one of this file's hooks.
 * @h:		the hook whose function was entered.
 * @ip:		the traced function's fentry site.
 * @parent_ip:	its caller.
 * @fregs:	the traced call's registers.
 *
 * Called by the engine's shared ftrace_ops (hooks/engine.c) for every
 * observing ftrace hook of this file; calls the callback by name.
 *
 * Context: ftrace callback (preemption disabled); does not sleep.
 */
void notrace pinledger_pagecache_ftrace(struct pinledger_hook *h, unsigned long ip,
					unsigned long parent_ip, struct ftrace_regs *fregs)
{
	PL_FTRACE_CALL(h, mkclean_entry, ip, parent_ip, fregs);
	WARN_ON_ONCE(1);
}

struct pinledger_hook pinledger_pagecache_hooks[] = {
	PINLEDGER_FTRACE_HOOK(unmap_entry, .ipmodify = true, "try_to_unmap_one"),
	PINLEDGER_FTRACE_HOOK(mkclean_entry, PL_HOOK_PLAIN, "page_mkclean_one"),
	{ }
};
