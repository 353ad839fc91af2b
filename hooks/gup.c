// SPDX-License-Identifier: GPL-2.0
/*
 * gup.c - hooks on get_user_pages()/pin_user_pages() and their releases.
 *
 * DOC: where GUP references are seen
 *
 * Acquisitions are seen per GUP call, at the two functions every entry
 * point funnels into (kernel-facts §1.3), with return probes that read the
 * pages array once the call has returned:
 *
 *   slow path	__get_user_pages()			(6.1, 6.12)
 *   fast path	internal_get_user_pages_fast()		(6.1)
 *		gup_fast_fallback()			(6.12)
 *
 * The fast path's result includes the pages its slow-path fallback took,
 * and those were already recorded by the nested __get_user_pages() probe.
 * A nested call finds the enclosing fast call's kretprobe instance on the
 * task's own return-hook list (current->rethooks) and tells it where the
 * lockless prefix ended, so the fast probe records only that prefix.
 *
 * The caller of the exported entry point (pin_user_pages_fast() & co.) is
 * handed to the per-call probes through a per-CPU slot set by a cheap
 * ftrace hook on every entry point; nothing sleeps between the two on the
 * kernels we hook, so the slot is read on the CPU that wrote it.  Calls
 * that enter GUP elsewhere are attributed to their internal caller.
 *
 * 6.12 adds two pin paths that bypass __get_user_pages():
 * folio_add_pin() (legacy direct I/O) and memfd_pin_folios().
 *
 * Releases: every FOLL_PIN release and every release of a GUP reference
 * taken through the unpin API passes gup_put_folio(); FOLL_GET references
 * on fsdax pages are dropped with put_page(), which for those pages always
 * reaches __put_devmap_managed_page_refs() (6.1) /
 * __put_devmap_managed_folio_refs() (6.12).  gup_put_folio() forwards to
 * the latter too, with pins scaled by GUP_PIN_COUNTING_BIAS: a multiple of
 * the bias there is a pin release already seen.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/kprobes.h>
#include <linux/sched.h>
#include "pinledger.h"
#include "pinledger_hooks.h"
#include "pinledger_ledger.h"
#include "pinledger_guard.h"
#include "compat/gup.h"

#ifndef CONFIG_KRETPROBE_ON_RETHOOK
#error "pinledger needs CONFIG_KRETPROBE_ON_RETHOOK (6.1+ x86 default)"
#endif

/* Caller of the last GUP entry point entered on this CPU; see DOC. */
static DEFINE_PER_CPU(unsigned long, gup_callsite);

/* kretprobe instance data of one GUP call. */
struct gup_call {
	unsigned long start;
	struct page **pages;
	unsigned int gup_flags;
	unsigned long callsite;
	long nr_fast;		/* fast path: lockless prefix, -1 if unknown */
};

enum { HOOK_ENTRY, HOOK_SLOW, HOOK_FAST };

static unsigned long take_callsite(struct pt_regs *regs)
{
	unsigned long cs = this_cpu_read(gup_callsite);

	this_cpu_write(gup_callsite, 0);
	/* Else the return address: the internal caller. */
	return cs ?: *(unsigned long *)kernel_stack_pointer(regs);
}

/* The innermost fast-path call of current, if the slow path nests in one. */
static struct gup_call *enclosing_fast_call(void)
{
	return pinledger_hook_enclosing(&pinledger_gup_hooks[HOOK_FAST]);
}

static bool takes_refs(struct page **pages, unsigned int gup_flags)
{
	return pages && (gup_flags & (PL_FOLL_PIN | PL_FOLL_GET));
}

/* Any exported GUP entry point: remember its caller. */
static void notrace gup_entry(unsigned long ip, unsigned long parent_ip,
			      struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	int bit = ftrace_test_recursion_trylock(ip, parent_ip);

	if (bit < 0)
		return;
	pinledger_ftrace_hit(op);
	this_cpu_write(gup_callsite, parent_ip);
	ftrace_test_recursion_unlock(bit);
}

/*
 * static long __get_user_pages(struct mm_struct *mm, unsigned long start,
 *	unsigned long nr_pages, unsigned int gup_flags, struct page **pages,
 *	[6.1: struct vm_area_struct **vmas,] int *locked)
 */
static int notrace slow_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct gup_call *c = (struct gup_call *)ri->data, *fast;

	c->start = regs_get_kernel_argument(regs, 1);
	c->gup_flags = regs_get_kernel_argument(regs, 3);
	c->pages = (struct page **)regs_get_kernel_argument(regs, 4);
	if (!takes_refs(c->pages, c->gup_flags))
		return 1;	/* no return probe: nothing to record */
	pinledger_kretprobe_hit(ri);
	fast = enclosing_fast_call();
	if (fast) {
		if (fast->nr_fast < 0)
			fast->nr_fast = (c->start - fast->start) >> PAGE_SHIFT;
		c->callsite = fast->callsite;
	} else {
		c->callsite = take_callsite(regs);
	}
	return 0;
}

static int notrace slow_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct gup_call *c = (struct gup_call *)ri->data;
	long ret = regs_return_value(regs);

	if (ret > 0)
		pinledger_ledger_acquire(c->pages, ret, c->gup_flags, c->callsite);
	return 0;
}

/*
 * static int internal_get_user_pages_fast / gup_fast_fallback(
 *	unsigned long start, unsigned long nr_pages, unsigned int gup_flags,
 *	struct page **pages)
 */
static int notrace fast_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct gup_call *c = (struct gup_call *)ri->data;

	c->start = regs_get_kernel_argument(regs, 0) & PAGE_MASK;
	c->gup_flags = regs_get_kernel_argument(regs, 2);
	c->pages = (struct page **)regs_get_kernel_argument(regs, 3);
	if (!takes_refs(c->pages, c->gup_flags))
		return 1;
	pinledger_kretprobe_hit(ri);
	c->nr_fast = -1;
	c->callsite = take_callsite(regs);
	return 0;
}

static int notrace fast_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct gup_call *c = (struct gup_call *)ri->data;
	long ret = regs_return_value(regs);

	if (ret <= 0)
		return 0;
	/* Pages past the lockless prefix were recorded by the slow path. */
	if (c->nr_fast >= 0)
		ret = min(ret, c->nr_fast);
	pinledger_ledger_acquire(c->pages, ret, c->gup_flags, c->callsite);
	return 0;
}

/* static void gup_put_folio(struct folio *folio, int refs, unsigned int flags) */
static void notrace put_folio_entry(unsigned long ip, unsigned long parent_ip,
				    struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct folio *folio;
	unsigned int flags;
	int bit, refs;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	pinledger_ftrace_hit(op);
	folio = (struct folio *)ftrace_regs_get_argument(fregs, 0);
	refs = (int)ftrace_regs_get_argument(fregs, 1);
	flags = (unsigned int)ftrace_regs_get_argument(fregs, 2);
	if (flags & PL_FOLL_PIN)
		pinledger_ledger_release(&folio->page, refs, true);
	else if ((flags & PL_FOLL_GET) && !pl_page_is_fsdax(&folio->page))
		pinledger_ledger_release(&folio->page, refs, false);
	/* fsdax FOLL_GET: seen by devmap_put_entry(). */
	if (pl_page_is_fsdax(&folio->page))
		pinledger_guard_released(&folio->page);
	ftrace_test_recursion_unlock(bit);
}

/*
 * bool __put_devmap_managed_page_refs(struct page *page, int refs)	6.1
 * bool __put_devmap_managed_folio_refs(struct folio *folio, int refs)	6.12
 */
static void notrace devmap_put_entry(unsigned long ip, unsigned long parent_ip,
				     struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct page *page;
	int bit, refs;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	pinledger_ftrace_hit(op);
	page = (struct page *)ftrace_regs_get_argument(fregs, 0);
	refs = (int)ftrace_regs_get_argument(fregs, 1);
	if (pl_page_is_fsdax(page)) {
		if (refs % GUP_PIN_COUNTING_BIAS)
			pinledger_ledger_release(page, refs, false);
		pinledger_guard_released(page);
	}
	ftrace_test_recursion_unlock(bit);
}

/* void folio_add_pin(struct folio *folio)	6.12 */
static void notrace add_pin_entry(unsigned long ip, unsigned long parent_ip,
				  struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct page *page;
	int bit;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	pinledger_ftrace_hit(op);
	page = &((struct folio *)ftrace_regs_get_argument(fregs, 0))->page;
	pinledger_ledger_acquire(&page, 1, PL_FOLL_PIN, parent_ip);
	ftrace_test_recursion_unlock(bit);
}

/*
 * long memfd_pin_folios(struct file *memfd, loff_t start, loff_t end,
 *	struct folio **folios, unsigned int max_folios, pgoff_t *offset)  6.12
 */
static int notrace memfd_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct gup_call *c = (struct gup_call *)ri->data;

	pinledger_kretprobe_hit(ri);
	c->pages = (struct page **)regs_get_kernel_argument(regs, 3);
	c->callsite = *(unsigned long *)kernel_stack_pointer(regs);
	return 0;
}

static int notrace memfd_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct gup_call *c = (struct gup_call *)ri->data;
	struct folio **folios = (struct folio **)c->pages;
	long ret = regs_return_value(regs), i;

	for (i = 0; i < ret; i++) {
		struct page *page = &folios[i]->page;

		pinledger_ledger_acquire(&page, 1, PL_FOLL_PIN | PL_FOLL_LONGTERM,
					 c->callsite);
	}
	return 0;
}

/* Instances: GUP calls in flight at once, sleeping ones included. */
#define GUP_MAXACTIVE	512

/**
 * pinledger_gup_ftrace - run the callback of one of this file's hooks.
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
void notrace pinledger_gup_ftrace(struct pinledger_hook *h, unsigned long ip,
				  unsigned long parent_ip, struct ftrace_regs *fregs)
{
	PL_FTRACE_CALL(h, gup_entry, ip, parent_ip, fregs);
	PL_FTRACE_CALL(h, put_folio_entry, ip, parent_ip, fregs);
	PL_FTRACE_CALL(h, devmap_put_entry, ip, parent_ip, fregs);
	PL_FTRACE_CALL(h, add_pin_entry, ip, parent_ip, fregs);
	WARN_ON_ONCE(1);
}

struct pinledger_hook pinledger_gup_hooks[] = {
	[HOOK_ENTRY] = PINLEDGER_FTRACE_HOOK(gup_entry, .all = true,
		"get_user_pages", "get_user_pages_remote",
		"get_user_pages_unlocked", "get_user_pages_fast",
		"get_user_pages_fast_only", "pin_user_pages",
		"pin_user_pages_remote", "pin_user_pages_unlocked",
		"pin_user_pages_fast", "pin_user_pages_fast_only"),
	[HOOK_SLOW] = PINLEDGER_ACQUIRE_HOOK(slow_entry, slow_return,
		sizeof(struct gup_call), .maxactive = GUP_MAXACTIVE,
		"__get_user_pages"),
	[HOOK_FAST] = PINLEDGER_ACQUIRE_HOOK(fast_entry, fast_return,
		sizeof(struct gup_call), .maxactive = GUP_MAXACTIVE,
		"gup_fast_fallback", "internal_get_user_pages_fast"),
	PINLEDGER_FTRACE_HOOK(put_folio_entry, PL_HOOK_PLAIN, "gup_put_folio"),
	PINLEDGER_FTRACE_HOOK(devmap_put_entry, PL_HOOK_PLAIN,
		"__put_devmap_managed_folio_refs",
		"__put_devmap_managed_page_refs"),
	PINLEDGER_FTRACE_HOOK(add_pin_entry, .optional = true, "folio_add_pin"),
	PINLEDGER_ACQUIRE_HOOK(memfd_entry, memfd_return,
		sizeof(struct gup_call), .optional = true, "memfd_pin_folios"),
	{ }
};
