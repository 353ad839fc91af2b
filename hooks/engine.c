// SPDX-License-Identifier: GPL-2.0
/*
 * engine.c - install and remove pinledger's hooks, all or nothing.
 *
 * DOC: hook engine
 *
 * Hooks are described by the per-area arrays of struct pinledger_hook
 * (hooks/<area>.c) and listed in hook_sets[] below.  Installation walks
 * the sets in order; the first required hook that fails makes the engine
 * remove every hook already installed, in reverse order, and return the
 * error.
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

static struct pinledger_hook *const hook_sets[] = {
	pinledger_gup_hooks,
	pinledger_layout_hooks,
	pinledger_pagecache_hooks,
};

#define for_each_hook(h, i)						\
	for ((i) = 0; (i) < ARRAY_SIZE(hook_sets); (i)++)		\
		for ((h) = hook_sets[i]; (h)->names; (h)++)

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

static int hook_install(struct pinledger_hook *h)
{
	int i, ret = -ENOENT;

	h->hits = alloc_percpu(unsigned long);
	if (!h->hits)
		return -ENOMEM;

	for (i = 0; h->names[i]; i++) {
		if (h->kind == PINLEDGER_HOOK_FTRACE)
			ret = ftrace_hook_install(h, h->names[i]);
		else
			ret = kretprobe_hook_install(h, h->names[i]);
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

static void hook_remove(struct pinledger_hook *h)
{
	if (!h->installed)
		return;
	if (h->kind == PINLEDGER_HOOK_FTRACE)
		ftrace_hook_remove(h);
	else
		unregister_kretprobe(&h->krp);
	h->installed = false;
	free_percpu(h->hits);
	h->hits = NULL;
}

/**
 * pinledger_hooks_remove - remove every installed hook, last first.
 *
 * Context: process context, may sleep (waits for RCU and RCU-tasks).
 * Called from module init error paths and module exit only.
 */
void pinledger_hooks_remove(void)
{
	int i;

	for (i = ARRAY_SIZE(hook_sets) - 1; i >= 0; i--) {
		struct pinledger_hook *h = hook_sets[i];
		int n = 0;

		while (h[n].names)
			n++;
		while (n--)
			hook_remove(&h[n]);
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
	int i, ret;
	u64 t0, t;

	t0 = ktime_get_ns();
	for_each_hook(h, i) {
		t = ktime_get_ns();
		ret = hook_install(h);
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
		resolvers_release();
		pinledger_hooks_remove();
		return ret;
	}
	resolvers_release();
	pr_debug("hooks installed in %llu ms\n",
		 div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC));
	return 0;
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
