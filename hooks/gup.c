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
 * Releases are seen at batch level, one hook per call of the exported
 * unpin API, never per folio (module/journal.c records the whole batch):
 *
 *   unpin_user_page(page)				(6.1, 6.12)
 *   unpin_user_pages(pages, n)				(6.1, 6.12)
 *   unpin_user_pages_dirty_lock(pages, n, dirty)	(6.1, 6.12); with
 *	dirty false it calls unpin_user_pages(), which records: skipped here
 *   unpin_user_page_range_dirty_lock(page, n, dirty)	(6.1, 6.12)
 *   unpin_user_folio(folio, n), unpin_folio(folio),
 *   unpin_folios(folios, n)				(6.12)
 *
 * That is every FOLL_PIN release a GUP caller can make: gup_put_folio()
 * is static, and its other callers in mm/gup.c drop references inside a
 * GUP call that failed or was retried, before the pages were returned and
 * recorded (the exception, a device-coherent page converted from a pin to
 * a plain reference by a FOLL_LONGTERM call, is not seen; such pins stay
 * in the ledger).  GUP's own retries that unpin through the exported API
 * (check_and_migrate_movable_pages()) release pages the slow-path probe
 * recorded, so they balance.
 *
 * FOLL_GET references are dropped with put_page(), which is not hooked
 * (it runs per page): the ledger sees those on fsdax pages go at its next
 * sync, by their exact refcount, and reconciles the others against the
 * refcount (module/ledger.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/kprobes.h>
#include <linux/sched.h>
#include "pinledger.h"
#include "pinledger_hooks.h"
#include "pinledger_ledger.h"
#include "pinledger_journal.h"
#include "pinledger_guard.h"
#include "pinledger_origin.h"
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
	u32 stack;		/* stack id (capture_stacks), 0 for none */
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
		c->stack = fast->stack;
	} else {
		c->callsite = take_callsite(regs);
		c->stack = pinledger_stack_capture(instruction_pointer(regs));
	}
	return 0;
}

static int notrace slow_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct gup_call *c = (struct gup_call *)ri->data;
	long ret = regs_return_value(regs);

	if (ret > 0)
		pinledger_journal_acquire(c->pages, ret, c->gup_flags, c->callsite,
					  c->stack);
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
	c->stack = pinledger_stack_capture(instruction_pointer(regs));
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
	pinledger_journal_acquire(c->pages, ret, c->gup_flags, c->callsite,
				  c->stack);
	return 0;
}

/* ftrace entry of an unpin call: arguments, recursion-guarded. */
#define UNPIN_HOOK(name, body)						\
static void notrace name(unsigned long ip, unsigned long parent_ip,	\
			 struct ftrace_ops *op, struct ftrace_regs *fregs) \
{									\
	int bit = ftrace_test_recursion_trylock(ip, parent_ip);		\
									\
	if (bit < 0)							\
		return;							\
	pinledger_ftrace_hit(op);					\
	body;								\
	ftrace_test_recursion_unlock(bit);				\
}

#define ARG(i)	ftrace_regs_get_argument(fregs, i)

/* void unpin_user_page(struct page *page) */
UNPIN_HOOK(unpin_page_entry,
	pinledger_journal_release_folio(page_folio((struct page *)ARG(0)), 1, true))

/* void unpin_user_pages(struct page **pages, unsigned long npages) */
UNPIN_HOOK(unpin_pages_entry,
	pinledger_journal_release_pages((struct page **)ARG(0), (long)ARG(1), true))

/* void unpin_user_pages_dirty_lock(struct page **pages, unsigned long npages, bool make_dirty) */
UNPIN_HOOK(unpin_pages_dirty_entry,
	if ((bool)ARG(2))
		pinledger_journal_release_pages((struct page **)ARG(0),
						(long)ARG(1), true))

/* void unpin_user_page_range_dirty_lock(struct page *page, unsigned long npages, bool make_dirty) */
UNPIN_HOOK(unpin_range_entry,
	pinledger_journal_release_range((struct page *)ARG(0), (long)ARG(1)))

/* void unpin_user_folio(struct folio *folio, unsigned long npages)	6.12 */
UNPIN_HOOK(unpin_user_folio_entry,
	pinledger_journal_release_folio((struct folio *)ARG(0), (long)ARG(1), true))

/* void unpin_folio(struct folio *folio)	6.12 */
UNPIN_HOOK(unpin_folio_entry,
	pinledger_journal_release_folio((struct folio *)ARG(0), 1, true))

/* void unpin_folios(struct folio **folios, unsigned long nfolios)	6.12 */
UNPIN_HOOK(unpin_folios_entry,
	pinledger_journal_release_folios((struct folio **)ARG(0), (long)ARG(1)))

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
	pinledger_journal_acquire(&page, 1, PL_FOLL_PIN, parent_ip,
				  pinledger_stack_capture(ip));
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
	c->stack = pinledger_stack_capture(instruction_pointer(regs));
	return 0;
}

static int notrace memfd_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct gup_call *c = (struct gup_call *)ri->data;
	struct folio **folios = (struct folio **)c->pages;
	long ret = regs_return_value(regs), i;

	for (i = 0; i < ret; i++) {
		struct page *page = &folios[i]->page;

		pinledger_journal_acquire(&page, 1, PL_FOLL_PIN | PL_FOLL_LONGTERM,
					  c->callsite, c->stack);
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
	PL_FTRACE_CALL(h, unpin_page_entry, ip, parent_ip, fregs);
	PL_FTRACE_CALL(h, unpin_pages_entry, ip, parent_ip, fregs);
	PL_FTRACE_CALL(h, unpin_pages_dirty_entry, ip, parent_ip, fregs);
	PL_FTRACE_CALL(h, unpin_range_entry, ip, parent_ip, fregs);
	PL_FTRACE_CALL(h, unpin_user_folio_entry, ip, parent_ip, fregs);
	PL_FTRACE_CALL(h, unpin_folio_entry, ip, parent_ip, fregs);
	PL_FTRACE_CALL(h, unpin_folios_entry, ip, parent_ip, fregs);
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
	PINLEDGER_FTRACE_HOOK(unpin_page_entry, PL_HOOK_PLAIN, "unpin_user_page"),
	PINLEDGER_FTRACE_HOOK(unpin_pages_entry, PL_HOOK_PLAIN, "unpin_user_pages"),
	PINLEDGER_FTRACE_HOOK(unpin_pages_dirty_entry, PL_HOOK_PLAIN,
		"unpin_user_pages_dirty_lock"),
	PINLEDGER_FTRACE_HOOK(unpin_range_entry, PL_HOOK_PLAIN,
		"unpin_user_page_range_dirty_lock"),
	PINLEDGER_FTRACE_HOOK(unpin_user_folio_entry, .optional = true,
		"unpin_user_folio"),
	PINLEDGER_FTRACE_HOOK(unpin_folio_entry, .optional = true, "unpin_folio"),
	PINLEDGER_FTRACE_HOOK(unpin_folios_entry, .optional = true, "unpin_folios"),
	PINLEDGER_FTRACE_HOOK(add_pin_entry, .optional = true, "folio_add_pin"),
	PINLEDGER_ACQUIRE_HOOK(memfd_entry, memfd_return,
		sizeof(struct gup_call), .optional = true, "memfd_pin_folios"),
	{ }
};
