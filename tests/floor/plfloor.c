// SPDX-License-Identifier: GPL-2.0
/*
 * plfloor.c - bench-only module: the least any exact pin capture costs.
 *
 * A module on a stock kernel learns which pages a GUP call took only
 * when the call returns (the pages array is filled in place), so it needs
 * a return probe on the call; and it learns which pages a release drops
 * from an entry hook on each release function.  put_page() is inline in
 * every caller and cannot be hooked, so a FOLL_GET reference must be
 * looked at again (its refcount) to learn whether it is still held.
 *
 * This module installs exactly that much and nothing of pinledger's:
 *  - one kretprobe on each exported GUP entry point (one return probe
 *    per call, the fewest possible: pinledger has an ftrace hook on the
 *    entry point and a kretprobe on the internal fast or slow path);
 *  - one ftrace_ops per unpin function (a dedicated trampoline each,
 *    the cheapest ftrace hook), no bio or folio hooks besides.
 * With work=0 the handlers do nothing.  With work=1 or 2 (default) they do
 * the least an exact ledger must do per page: the return handler reads
 * every page pointer the call returned, the release hook reads every
 * page pointer it is given.  A FOLL_GET page is looked at once more, as
 * pinledger's absorber must (nothing hooks its release): work=1 reads
 * its reference count only, work=2 applies pinledger's rule for "still
 * held" (pinledger_folio_unexplained(): the references neither the page
 * cache nor the page tables explain), which needs the refcount, the
 * mapcount, the mapping and the flags.  The results are summed into a
 * per-CPU counter so that the compiler keeps them.
 *
 * probe=fprobe uses an fprobe (ftrace entry, rethook or fgraph exit, no kprobe
 * layer) per entry point instead of a kretprobe: the other return hook a
 * module can register; only where CONFIG_FPROBE is set (Debian 6.12, not
 * 6.1).
 *
 * scripts/bench-guest.sh --floor loads it as the "floor" phase: if the
 * floor's ratio against stock misses a target, no design built on these
 * probes can meet it.  Never installed; not part of the product.
 *
 * Locking: none.  Every handler runs with preemption disabled (kprobe and
 * ftrace callbacks) and touches only its CPU's counter.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/fprobe.h>
#include <linux/ftrace.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include "pinledger_config.h"
#include "compat/ftrace.h"
#include "compat/fprobe.h"
#include "pinledger_ledger.h"

static int work = 2;
module_param(work, int, 0444);
MODULE_PARM_DESC(work, "0: empty handlers; 1: read every page; 2: and tell a FOLL_GET as pinledger does (default)");

static char *probe = "kretprobe";
module_param(probe, charp, 0444);
MODULE_PARM_DESC(probe, "return hook on the GUP entry points: kretprobe (default) or fprobe");

static DEFINE_PER_CPU(unsigned long, floor_sum);

/* An exported GUP entry point: which argument is its pages array. */
struct gup_fn {
	const char *name;
	unsigned int pages_arg;
	bool get;			/* FOLL_GET (get_*) rather than FOLL_PIN */
	struct kretprobe rp;
#ifdef CONFIG_FPROBE
	struct fprobe fp;
#endif
	bool fp_on;
};

/* kretprobe instance data: the call's pages array. */
struct call {
	struct page **pages;
	bool get;
};

static struct gup_fn gup_fns[] = {
	{ "get_user_pages",		3, true },
	{ "get_user_pages_remote",	4, true },
	{ "get_user_pages_unlocked",	2, true },
	{ "get_user_pages_fast",	3, true },
	{ "get_user_pages_fast_only",	3, true },
	{ "pin_user_pages",		3, false },
	{ "pin_user_pages_remote",	4, false },
	{ "pin_user_pages_unlocked",	2, false },
	{ "pin_user_pages_fast",	3, false },
	{ "pin_user_pages_fast_only",	3, false },
};

/* At a call of @fn, whose pages array is @pages. */
static __always_inline void call_entry(struct gup_fn *fn, struct call *c,
				       unsigned long pages)
{
	c->pages = (struct page **)pages;
	c->get = fn->get;
}

/* At the return of a call, which returned @ret. */
static __always_inline void call_return(struct call *c, unsigned long ret)
{
	long i, nr = (long)ret;
	unsigned long sum = 0;

	if (!work || nr <= 0 || !c->pages)
		return;
	if (c->get && work == 2) {
		bool fsdax;

		for (i = 0; i < nr; i++) {
			struct folio *folio = page_folio(c->pages[i]);

			if (!folio_test_slab(folio))
				sum += pinledger_folio_unexplained(folio, &fsdax);
		}
	} else if (c->get) {
		for (i = 0; i < nr; i++)
			sum += page_ref_count(c->pages[i]);
	} else {
		for (i = 0; i < nr; i++)
			sum += (unsigned long)c->pages[i];
	}
	this_cpu_add(floor_sum, sum);
}

static int notrace gup_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct gup_fn *fn = container_of(get_kretprobe(ri), struct gup_fn, rp);

	call_entry(fn, (struct call *)ri->data,
		   regs_get_kernel_argument(regs, fn->pages_arg));
	return 0;
}

static int notrace gup_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	call_return((struct call *)ri->data, regs_return_value(regs));
	return 0;
}

#ifdef CONFIG_FPROBE	/* Debian 6.1 has none; registers: compat/fprobe.h */
static int notrace gup_fentry(struct fprobe *fp, unsigned long entry_ip,
			      unsigned long ret_ip, pl_fprobe_regs_t *regs,
			      void *data)
{
	struct gup_fn *fn = container_of(fp, struct gup_fn, fp);

	call_entry(fn, data, pl_fprobe_arg(regs, fn->pages_arg));
	return 0;
}

static void notrace gup_fexit(struct fprobe *fp, unsigned long entry_ip,
			      unsigned long ret_ip, pl_fprobe_regs_t *regs,
			      void *data)
{
	call_return(data, pl_fprobe_retval(regs));
}
#endif

/* Reads @nr page pointers at @pages. */
static __always_inline void read_pages(struct page **pages, unsigned long nr)
{
	unsigned long i, sum = 0;

	for (i = 0; i < nr; i++)
		sum += (unsigned long)pages[i];
	this_cpu_add(floor_sum, sum);
}

/* unpin_user_pages(pages, npages), unpin_folios(folios, nr) */
static void notrace unpin_pages_cb(unsigned long ip, unsigned long parent_ip,
				   struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	if (work)
		read_pages((struct page **)ftrace_regs_get_argument(fregs, 0),
			   ftrace_regs_get_argument(fregs, 1));
}

/* unpin_user_page(page), unpin_user_page_range_dirty_lock(page, ...), unpin_user_folio(folio, ...), unpin_folio(folio) */
static void notrace unpin_one_cb(unsigned long ip, unsigned long parent_ip,
				 struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	if (work)
		this_cpu_add(floor_sum, ftrace_regs_get_argument(fregs, 0));
}

/*
 * unpin_user_pages_dirty_lock(pages, npages, dirty): with dirty false it
 * calls unpin_user_pages(), whose hook reads the pages (as pinledger's
 * hook skips it then, hooks/gup.c).
 */
static void notrace unpin_dirty_cb(unsigned long ip, unsigned long parent_ip,
				   struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	if (work && ftrace_regs_get_argument(fregs, 2))
		read_pages((struct page **)ftrace_regs_get_argument(fregs, 0),
			   ftrace_regs_get_argument(fregs, 1));
}

struct unpin_fn {
	const char *name;
	ftrace_func_t cb;
	struct ftrace_ops ops;
	bool on;
};

static struct unpin_fn unpin_fns[] = {
	{ "unpin_user_pages",			unpin_pages_cb },
	{ "unpin_user_pages_dirty_lock",	unpin_dirty_cb },
	{ "unpin_user_page",			unpin_one_cb },
	{ "unpin_user_page_range_dirty_lock",	unpin_one_cb },
	{ "unpin_user_folio",			unpin_one_cb },	/* 6.12 */
	{ "unpin_folio",			unpin_one_cb },	/* 6.12 */
	{ "unpin_folios",			unpin_pages_cb },	/* 6.12 */
};

static void floor_exit_hooks(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(unpin_fns); i++) {
		if (!unpin_fns[i].on)
			continue;
		unregister_ftrace_function(&unpin_fns[i].ops);
		ftrace_free_filter(&unpin_fns[i].ops);
		unpin_fns[i].on = false;
	}
	for (i = 0; i < ARRAY_SIZE(gup_fns); i++) {
		if (gup_fns[i].rp.kp.addr)
			unregister_kretprobe(&gup_fns[i].rp);
#ifdef CONFIG_FPROBE
		if (gup_fns[i].fp_on)
			unregister_fprobe(&gup_fns[i].fp);
#endif
		gup_fns[i].fp_on = false;
	}
}

/* An fprobe on @g: -ENOENT if the function is not in this kernel. */
static int fprobe_install(struct gup_fn *g)
{
#ifndef CONFIG_FPROBE
	return -EOPNOTSUPP;
#else
	int ret;

	g->fp.entry_handler = gup_fentry;
	g->fp.exit_handler = gup_fexit;
	g->fp.entry_data_size = sizeof(struct call);
	pl_fprobe_set_maxactive(&g->fp, 4 * num_possible_cpus());
	ret = register_fprobe_syms(&g->fp, &g->name, 1);
	if (!ret)
		g->fp_on = true;
	return ret;
#endif
}

static int __init floor_init(void)
{
	struct unpin_fn *u;
	struct gup_fn *g;
	int i, ret;

	if (strcmp(probe, "kretprobe") && strcmp(probe, "fprobe")) {
		pr_err("probe=%s: want kretprobe or fprobe\n", probe);
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(gup_fns); i++) {
		g = &gup_fns[i];
		if (!strcmp(probe, "fprobe")) {
			ret = fprobe_install(g);
			if (ret == -ENOENT)	/* not in this kernel */
				continue;
			if (ret) {
				pr_err("fprobe on %s: %d\n", g->name, ret);
				goto err;
			}
			continue;
		}
		g->rp.kp.symbol_name = g->name;
		g->rp.entry_handler = gup_entry;
		g->rp.handler = gup_return;
		g->rp.data_size = sizeof(struct call);
		g->rp.maxactive = 4 * num_possible_cpus();
		ret = register_kretprobe(&g->rp);
		if (ret)
			g->rp.kp.addr = NULL;
		if (ret == -ENOENT)		/* not in this kernel */
			continue;
		if (ret) {
			pr_err("kretprobe on %s: %d\n", g->name, ret);
			goto err;
		}
	}
	for (i = 0; i < ARRAY_SIZE(unpin_fns); i++) {
		u = &unpin_fns[i];
		u->ops.func = u->cb;
		u->ops.flags = FTRACE_OPS_FL_RECURSION;
		ret = ftrace_set_filter(&u->ops, (unsigned char *)u->name,
					strlen(u->name), 0);
		if (ret == -EINVAL) {		/* not in this kernel */
			ftrace_free_filter(&u->ops);
			continue;
		}
		if (!ret)
			ret = register_ftrace_function(&u->ops);
		if (ret) {
			pr_err("ftrace hook on %s: %d\n", u->name, ret);
			ftrace_free_filter(&u->ops);
			goto err;
		}
		u->on = true;
	}
	pr_info("loaded, work=%d\n", work);
	return 0;
err:
	floor_exit_hooks();
	return ret;
}

static void __exit floor_exit(void)
{
	floor_exit_hooks();
}

module_init(floor_init);
module_exit(floor_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pinledger bench: the probes any exact capture needs, and nothing else");
