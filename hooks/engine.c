// SPDX-License-Identifier: GPL-2.0
/*
 * engine.c - install and remove pinledger's hooks, all or nothing.
 *
 * DOC: hook engine
 *
 * Hooks are described by the per-area arrays of struct pinledger_hook
 * (hooks/<area>.c) and listed in hook_sets[] below.  Installation walks
 * the sets in three phases (release hooks before acquiring ones, see
 * hook_phase()); the first required hook that fails makes the engine
 * remove every hook already installed and return the error.
 *
 * Observing ftrace hooks whose names resolve share one ftrace_ops
 * (shared_ops below): its callback finds the hook by the traced
 * function's fentry site and calls the hook file's dispatcher by name,
 * which calls the hook's callback by name (PL_FTRACE_CALL).  One ops
 * instead of one per hook makes loading patch all sites in one update,
 * and unloading wait for RCU-tasks once instead of once per hook (the
 * waits dominated rmmod under load).  Return probes are unregistered in
 * one batch, one RCU grace period, for the same reason.
 *
 * Hooks are observers, except those marked .ipmodify: their ftrace_ops
 * carries FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY and the callback
 * may make the call resume in a module function of the same signature
 * (pl_ftrace_redirect()).  The kernel allows one IPMODIFY ops per
 * function, so only hooks that must change an outcome of a static
 * function without calling it use this (try_to_unmap_one).
 *
 * Resolution is by name only: kretprobes use kp.symbol_name; ftrace hooks
 * resolve names with disabled kprobes (see resolve()) and fall back to
 * ftrace_set_filter() by name.  Nothing resolved here is ever called:
 * on 6.12 (CONFIG_X86_KERNEL_IBT) an indirect call to a sealed or static
 * function is fatal, and scripts/check-ibt.sh fails the build if the
 * module contains an indirect call at all.
 *
 * Unload safety.  Callbacks never sleep.  unregister_ftrace_function() of
 * a module's ops waits for RCU-tasks (ftrace_shutdown() on dynamic ops), so
 * no CPU is left in an ftrace callback when it returns.
 * unregister_kretprobe() clears the rethook handler and waits for RCU, so
 * no entry or return handler is running when it returns; instances still
 * pending on other tasks' stacks return through the kernel's trampoline
 * without calling into the module.
 *
 * Locking: pinledger_hooks_install() and pinledger_hooks_remove() run only
 * from module init and exit, which the module loader serialises; the
 * table and the resolvers need no lock.  pinledger_hooks_show() reads @installed/@name,
 * which are stable between init and exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/rethook.h>
#include "pinledger.h"
#include "pinledger_hooks.h"

enum { SET_GUP, SET_LAYOUT, SET_PAGECACHE };

static struct pinledger_hook *const hook_sets[] = {
	[SET_GUP] = pinledger_gup_hooks,
	[SET_LAYOUT] = pinledger_layout_hooks,
	[SET_PAGECACHE] = pinledger_pagecache_hooks,
};

#define for_each_hook(h, i)						\
	for ((i) = 0; (i) < ARRAY_SIZE(hook_sets); (i)++)		\
		for ((h) = hook_sets[i]; (h)->names; (h)++)

/*
 * Installation order.  A reference recorded by an acquiring hook whose
 * release no hook sees would stay in the ledger for good (a stale FOLL_PIN
 * makes every layout change of its page wait), so the release hooks go
 * live first: every ftrace hook (the shared ops is registered at the end
 * of the phase), then the return probes that record no acquisition, then
 * those that do (@acquires).  Removal runs the other way.
 */
enum { PHASE_FTRACE, PHASE_KRETPROBE, PHASE_ACQUIRE };

static int hook_phase(const struct pinledger_hook *h)
{
	if (h->kind == PINLEDGER_HOOK_FTRACE)
		return PHASE_FTRACE;
	return h->acquires ? PHASE_ACQUIRE : PHASE_KRETPROBE;
}

/*
 * Name resolution for ftrace hooks.  ftrace_set_filter() by name walks
 * every ftrace record and looks each one up in kallsyms (0.6 s per name in
 * a TCG guest); a *disabled* kprobe resolves a name with one kallsyms
 * lookup and patches no code.  The address only feeds
 * ftrace_set_filter_ip(), which accepts the symbol or its fentry site
 * (sym+4 behind ENDBR on 6.12, which is what kprobes report); it is never
 * called.  The probes are unregistered in one batch, one RCU grace period,
 * once installation is over.
 */
#define MAX_RESOLVERS	32
#define MAX_KRETPROBES	16
static struct kprobe resolvers[MAX_RESOLVERS];
static struct kprobe *resolver_ptrs[MAX_RESOLVERS];
static int nr_resolvers;

static int resolve(const char *name, unsigned long *addr)
{
	struct kprobe *kp;
	int ret;

	if (nr_resolvers == MAX_RESOLVERS)
		return -ENOSPC;
	kp = &resolvers[nr_resolvers];
	memset(kp, 0, sizeof(*kp));
	kp->symbol_name = name;
	kp->flags = KPROBE_FLAG_DISABLED;
	ret = register_kprobe(kp);
	if (ret)
		return ret;
	resolver_ptrs[nr_resolvers++] = kp;
	*addr = (unsigned long)kp->addr;
	return 0;
}

static void resolvers_release(void)
{
	if (nr_resolvers)
		unregister_kprobes(resolver_ptrs, nr_resolvers);
	nr_resolvers = 0;
}

/*
 * The shared ftrace_ops.  @sites maps each fentry site to its hook; it is
 * filled before shared_ops is registered and cleared after it is
 * unregistered, so the callback reads it without a lock.
 */
#define MAX_SITES	32
/*
 * ftrace reports the fentry site: the symbol's address, or the address
 * after its ENDBR (IBT), which is what kprobes resolve; either way the
 * site lies within the first bytes of the resolved address.
 */
#define FENTRY_SLACK	8

struct shared_site {
	unsigned long addr;
	struct pinledger_hook *hook;
	int set;
};

static struct shared_site sites[MAX_SITES];
static int nr_sites;
static struct ftrace_ops shared_ops;
static bool shared_registered;

static void notrace shared_entry(unsigned long ip, unsigned long parent_ip,
				 struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct shared_site *s;
	int i;

	for (i = 0; i < nr_sites; i++)
		if (ip - sites[i].addr < FENTRY_SLACK)
			break;
	if (unlikely(i == nr_sites))
		return;
	s = &sites[i];
	switch (s->set) {
	case SET_GUP:
		pinledger_gup_ftrace(s->hook, ip, parent_ip, fregs);
		break;
	case SET_LAYOUT:
		pinledger_layout_ftrace(s->hook, ip, parent_ip, fregs);
		break;
	case SET_PAGECACHE:
		pinledger_pagecache_ftrace(s->hook, ip, parent_ip, fregs);
		break;
	}
}

/*
 * shared_add - put one function of @h on the shared ops' filter.
 * Return: 0; -ENOSPC/-EINVAL if the name does not resolve through a
 * kprobe (the caller gives @h an ops of its own); another errno.
 */
static int shared_add(struct pinledger_hook *h, int set, const char *name)
{
	unsigned long addr;
	int ret;

	if (nr_sites == MAX_SITES)
		return -ENOSPC;
	ret = resolve(name, &addr);
	if (ret)
		return ret;
	ret = ftrace_set_filter_ip(&shared_ops, addr, 0, 0);
	if (ret)
		return ret;
	sites[nr_sites++] = (struct shared_site){ addr, h, set };
	return 0;
}

/* Drop the sites shared_add() added for @h (an install that failed). */
static void shared_drop(struct pinledger_hook *h)
{
	int i, n = 0;

	for (i = 0; i < nr_sites; i++) {
		if (sites[i].hook == h)
			WARN_ON_ONCE(ftrace_set_filter_ip(&shared_ops,
							  sites[i].addr, 1, 0));
		else
			sites[n++] = sites[i];
	}
	nr_sites = n;
}

/*
 * shared_install - hook @h's function(s) through the shared ops.
 * Return: 0, -ENOENT if no name of an .all hook resolves, or what
 * shared_add() returned for the first (or only) name.
 */
static int shared_install(struct pinledger_hook *h, int set, const char *name)
{
	int i, ret, found = 0;

	if (!h->all)
		return shared_add(h, set, name);
	for (i = 0; h->names[i]; i++) {
		ret = shared_add(h, set, h->names[i]);
		if (!ret) {
			found++;
			continue;
		}
		if (ret != -ENOENT && ret != -EINVAL) {
			shared_drop(h);
			return ret;
		}
	}
	return found ? 0 : -ENOENT;
}

static void shared_remove_all(void)
{
	if (shared_registered)
		WARN_ON_ONCE(unregister_ftrace_function(&shared_ops));
	shared_registered = false;
	ftrace_free_filter(&shared_ops);
	nr_sites = 0;
}

static int ftrace_filter_add(struct pinledger_hook *h, const char *name)
{
	char buf[KSYM_NAME_LEN];
	unsigned long addr;
	int ret;

	ret = resolve(name, &addr);
	if (!ret)
		return ftrace_set_filter_ip(&h->ops, addr, 0, 0);
	if (ret != -ENOSPC && ret != -EINVAL)
		return ret;
	/* Not kprobe-able: let ftrace match the name (slow but general). */
	strscpy(buf, name, sizeof(buf));
	return ftrace_set_filter(&h->ops, buf, strlen(buf), 0);
}

static int ftrace_hook_install(struct pinledger_hook *h, const char *name)
{
	int ret, i, found = 0;

	memset(&h->ops, 0, sizeof(h->ops));
	h->ops.func = h->func;
	/* Full pt_regs, whose ip the trampoline returns to (compat/ftrace.h). */
	if (h->ipmodify)
		h->ops.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY;
	if (!h->all) {
		ret = ftrace_filter_add(h, name);
	} else {
		for (i = 0; h->names[i]; i++)
			if (!ftrace_filter_add(h, h->names[i]))
				found++;
		ret = found ? 0 : -ENOENT;
	}
	if (ret)
		goto err_free;
	ret = register_ftrace_function(&h->ops);
	if (ret)
		goto err_free;
	return 0;

err_free:
	ftrace_free_filter(&h->ops);
	return ret;
}

static void ftrace_hook_remove(struct pinledger_hook *h)
{
	/* Unregister first: it waits until no CPU runs the callback. */
	WARN_ON_ONCE(unregister_ftrace_function(&h->ops));
	ftrace_free_filter(&h->ops);
}

static int kretprobe_hook_install(struct pinledger_hook *h, const char *name)
{
	memset(&h->krp, 0, sizeof(h->krp));
	h->krp.kp.symbol_name = name;
	h->krp.entry_handler = h->entry_handler;
	h->krp.handler = h->handler;
	h->krp.data_size = h->data_size;
	/* Enough instances for every CPU to nest a few sleeping calls. */
	h->krp.maxactive = h->maxactive ?: max_t(int, 32, 4 * num_possible_cpus());
	return register_kretprobe(&h->krp);
}

static int hook_install(struct pinledger_hook *h, int set)
{
	int i, ret = -ENOENT;

	h->hits = alloc_percpu(unsigned long);
	if (!h->hits)
		return -ENOMEM;

	for (i = 0; h->names[i]; i++) {
		h->shared = false;
		if (h->kind == PINLEDGER_HOOK_KRETPROBE) {
			ret = kretprobe_hook_install(h, h->names[i]);
		} else if (h->ipmodify) {
			ret = ftrace_hook_install(h, h->names[i]);
		} else {
			/* h->ops is passed to the callback, never registered. */
			memset(&h->ops, 0, sizeof(h->ops));
			ret = shared_install(h, set, h->names[i]);
			h->shared = !ret;
			/* Not kprobe-able: an ops of its own, matched by name. */
			if (ret == -ENOSPC || (ret == -EINVAL && !h->all))
				ret = ftrace_hook_install(h, h->names[i]);
		}
		if (!ret) {
			h->name = h->names[i];
			h->installed = true;
			return 0;
		}
		/* -EINVAL/-ENOENT: no such symbol here, try the next name. */
		if (h->all || (ret != -EINVAL && ret != -ENOENT))
			break;
	}
	free_percpu(h->hits);
	h->hits = NULL;
	return ret;
}

/* After every callback and handler of @h is gone: its per-hook state. */
static void hook_release(struct pinledger_hook *h)
{
	if (h->kind == PINLEDGER_HOOK_FTRACE && !h->shared)
		ftrace_hook_remove(h);
	h->installed = false;
	h->shared = false;
	free_percpu(h->hits);
	h->hits = NULL;
}

/**
 * pinledger_hooks_remove - remove every installed hook.
 *
 * Every return probe goes in one batch, the acquiring ones disarmed
 * first; then the shared ftrace_ops; then the hooks with an ftrace_ops of
 * their own, last first.
 *
 * Context: process context, may sleep (waits for RCU and RCU-tasks).
 * Called from module init error paths and module exit only.
 */
void pinledger_hooks_remove(void)
{
	struct kretprobe *krps[MAX_KRETPROBES];
	struct pinledger_hook *h;
	int i, phase, n = 0;

	for (phase = PHASE_ACQUIRE; phase >= PHASE_KRETPROBE; phase--)
		for_each_hook(h, i)
			if (h->installed && hook_phase(h) == phase &&
			    !WARN_ON_ONCE(n == MAX_KRETPROBES))
				krps[n++] = &h->krp;
	/* Disarms them in array order, then one RCU grace period. */
	if (n)
		unregister_kretprobes(krps, n);
	shared_remove_all();

	for (i = ARRAY_SIZE(hook_sets) - 1; i >= 0; i--) {
		int k = 0;

		h = hook_sets[i];
		while (h[k].names)
			k++;
		while (k--)
			if (h[k].installed)
				hook_release(&h[k]);
	}
}

/**
 * pinledger_hooks_install - install the whole hook table.
 *
 * Context: process context, may sleep.  Module init only.
 * Return: 0, or the errno of the first required hook that failed, after
 * every hook installed so far has been removed again.
 */
int pinledger_hooks_install(void)
{
	struct pinledger_hook *h;
	int i, phase, ret;
	u64 t0, t;

	t0 = ktime_get_ns();
	memset(&shared_ops, 0, sizeof(shared_ops));
	shared_ops.func = shared_entry;
	for (phase = PHASE_FTRACE; phase <= PHASE_ACQUIRE; phase++) {
		for_each_hook(h, i) {
			if (hook_phase(h) != phase)
				continue;
			t = ktime_get_ns();
			ret = hook_install(h, i);
			pr_debug("hook %s: %d in %llu us\n", h->names[0], ret,
				 div_u64(ktime_get_ns() - t, NSEC_PER_USEC));
			if (!ret)
				continue;
			if (h->optional) {
				pr_info("optional hook %s not installed: %d\n",
					h->names[0], ret);
				continue;
			}
			pr_err("cannot hook %s: error %d\n", h->names[0], ret);
			goto err_remove;
		}
		if (phase == PHASE_FTRACE && nr_sites) {
			ret = register_ftrace_function(&shared_ops);
			if (ret) {
				pr_err("cannot register the shared ftrace_ops: error %d\n",
				       ret);
				goto err_remove;
			}
			shared_registered = true;
		}
	}
	resolvers_release();
	pr_debug("hooks installed in %llu ms\n",
		 div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC));
	return 0;

err_remove:
	resolvers_release();
	pinledger_hooks_remove();
	return ret;
}

static unsigned long hook_hits(struct pinledger_hook *h)
{
	unsigned long sum = 0;
	int cpu;

	if (!h->hits)
		return 0;
	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(h->hits, cpu);
	return sum;
}

/**
 * pinledger_hook_enclosing - the innermost running call of a kretprobe hook.
 * @h: an installed KRETPROBE hook.
 *
 * Finds, on current's own return-hook list, the instance of @h's probe
 * for a call that encloses the caller (the probe fired on entry and has
 * not returned yet).  Only current modifies that list.
 *
 * Context: any, in the task whose calls are asked about; does not sleep.
 * Return: the instance's data area, or NULL.
 */
void *pinledger_hook_enclosing(struct pinledger_hook *h)
{
	struct rethook *rh = READ_ONCE(h->krp.rh);
	struct llist_node *n;

	if (!h->installed || !rh)
		return NULL;
	for (n = READ_ONCE(current->rethooks.first); n; n = READ_ONCE(n->next)) {
		struct rethook_node *rhn = container_of(n, struct rethook_node, llist);

		if (rhn->rethook == rh)
			return container_of(rhn, struct kretprobe_instance, node)->data;
	}
	return NULL;
}

/**
 * pinledger_hooks_missed - calls a hook set's kretprobes missed.
 * @set: a hook array, e.g. pinledger_gup_hooks.
 *
 * A kretprobe misses a call when all its instances are in use; for GUP
 * hooks each miss is a GUP call whose references went unrecorded.
 *
 * Context: any.
 * Return: the sum of nmissed over the set's installed kretprobes.
 */
unsigned long pinledger_hooks_missed(struct pinledger_hook *set)
{
	unsigned long sum = 0;

	for (; set->names; set++)
		if (set->installed && set->kind == PINLEDGER_HOOK_KRETPROBE)
			sum += set->krp.nmissed;
	return sum;
}

/**
 * pinledger_hooks_show - debugfs "hooks": one line per hook.
 * @m: seq_file to print into.
 * @unused: seq_file private data.
 *
 * Prints "<symbol> <ftrace|ftrace-ipmodify|kretprobe> <state> <hits>
 * <missed>", state
 * being installed, absent, or unavailable (an optional hook whose function
 * this kernel does not have);
 * missed counts kretprobe instances the kernel could not allocate.
 *
 * Context: process context (debugfs read).
 * Return: 0.
 */
int pinledger_hooks_show(struct seq_file *m, void *unused)
{
	struct pinledger_hook *h;
	int i;

	for_each_hook(h, i)
		seq_printf(m, "%s %s %s %lu %d\n",
			   h->installed ? h->name : h->names[0],
			   h->kind == PINLEDGER_HOOK_KRETPROBE ? "kretprobe" :
			   h->ipmodify ? "ftrace-ipmodify" : "ftrace",
			   h->installed ? "installed" :
			   h->optional ? "unavailable" : "absent", hook_hits(h),
			   h->kind == PINLEDGER_HOOK_KRETPROBE && h->installed ?
			   h->krp.nmissed : 0);
	return 0;
}
