/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinledger_hooks.h - the hook table.
 *
 * Every hooked kernel function is described by one struct pinledger_hook,
 * resolved by *name* only: ftrace hooks through ftrace_set_filter(),
 * return probes through kretprobe.kp.symbol_name.  No address looked up
 * here is ever called (IBT on 6.12 would fault on sealed or static
 * targets); scripts/check-ibt.sh enforces that the module contains no
 * indirect call at all.
 */
#ifndef _PINLEDGER_HOOKS_H
#define _PINLEDGER_HOOKS_H

#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include "compat/ftrace.h"

enum pinledger_hook_kind {
	PINLEDGER_HOOK_FTRACE,		/* entry callback, observes arguments */
	PINLEDGER_HOOK_KRETPROBE,	/* entry + return, sees return value */
};

/**
 * struct pinledger_hook - one hooked kernel function.
 * @names:	candidate symbols, NULL-terminated; the first that resolves
 *		is used (kernels rename static functions between releases).
 * @kind:	how it is hooked.
 * @optional:	a hook whose symbol is absent on this kernel is skipped and
 *		reported instead of failing the load.
 * @all:	FTRACE: hook every name that exists with one callback (at
 *		least one must).
 * @ipmodify:	FTRACE: the callback may redirect the call with
 *		pl_ftrace_redirect() (FTRACE_OPS_FL_SAVE_REGS |
 *		FTRACE_OPS_FL_IPMODIFY).  A function takes one IPMODIFY ops
 *		only (livepatch, another module): installing then fails
 *		with -EBUSY.  Other hooks stay plain observers.
 * @acquires:	KRETPROBE: records references taken.  The engine makes
 *		these live after every other hook (the release hooks first)
 *		and removes them first, so that no reference is recorded
 *		whose release could go unseen.
 * @maxactive:	KRETPROBE: concurrent instances (0: a default); a call that
 *		finds none free is missed and counted in nmissed.
 * @func:	FTRACE: the callback, a notrace function of the hook file.
 * @entry_handler: KRETPROBE: called on entry, may store into the instance.
 * @handler:	KRETPROBE: called on return, sees the return value.
 * @data_size:	KRETPROBE: bytes of per-instance data.
 * @name:	the candidate that was installed (runtime).
 * @installed:	set while registered (runtime).
 * @hits:	per-CPU call count (runtime).
 * @shared:	FTRACE: rides the engine's shared ftrace_ops (runtime); @ops
 *		is then not registered, only passed to @func for
 *		pinledger_ftrace_hit().
 * @ops:	FTRACE registration (runtime).
 * @krp:	KRETPROBE registration (runtime).
 */
struct pinledger_hook {
	const char *const *names;
	enum pinledger_hook_kind kind;
	bool optional;
	bool all;
	bool ipmodify;
	bool acquires;
	int maxactive;
	ftrace_func_t func;
	kretprobe_handler_t entry_handler;
	kretprobe_handler_t handler;
	size_t data_size;

	const char *name;
	bool installed;
	bool shared;
	unsigned long __percpu *hits;
	struct ftrace_ops ops;
	struct kretprobe krp;
};

/*
 * Table entries.  @_opts is a designated initializer for the options
 * (".optional = true", ".all = true", ".ipmodify = true", ".maxactive = N")
 * or PL_HOOK_PLAIN.
 */
#define PL_HOOK_PLAIN	.optional = false
/* A redirecting hook the module can do without (see @optional, @ipmodify). */
#define PL_HOOK_OPTIONAL_IPMODIFY	.ipmodify = true, .optional = true

#define PINLEDGER_FTRACE_HOOK(_func, _opts, ...)			\
	{ .names = (const char *const []){ __VA_ARGS__, NULL },		\
	  .kind = PINLEDGER_HOOK_FTRACE, .func = (_func), _opts }

#define PL_KRETPROBE_HOOK(_acquires, _entry, _ret, _data, _opts, ...)	\
	{ .names = (const char *const []){ __VA_ARGS__, NULL },		\
	  .kind = PINLEDGER_HOOK_KRETPROBE, .acquires = (_acquires),	\
	  .entry_handler = (_entry), .handler = (_ret),			\
	  .data_size = (_data), _opts }

#define PINLEDGER_KRETPROBE_HOOK(...)	PL_KRETPROBE_HOOK(false, __VA_ARGS__)

/* A return probe that records acquisitions: goes live last (@acquires). */
#define PINLEDGER_ACQUIRE_HOOK(...)	PL_KRETPROBE_HOOK(true, __VA_ARGS__)

/**
 * PL_FTRACE_CALL - call an ftrace callback by name if it is @h's.
 * @h:		the hook the engine's shared ftrace_ops matched.
 * @cb:		one of the hook file's ftrace callbacks.
 * @ip:		the traced function's fentry site.
 * @parent_ip:	its caller.
 * @fregs:	the traced call's registers.
 *
 * For the hook files' pinledger_<area>_ftrace() dispatchers: the function
 * pointer is only compared, and @cb is called directly, so dispatching
 * adds no indirect call (IBT).  Returns from the dispatcher on a match.
 */
#define PL_FTRACE_CALL(h, cb, ip, parent_ip, fregs)			\
	do {								\
		if ((h)->func == (cb)) {				\
			cb(ip, parent_ip, &(h)->ops, fregs);		\
			return;						\
		}							\
	} while (0)

/**
 * pinledger_ftrace_hit - account one call of an ftrace hook.
 * @op: the ftrace_ops passed to the callback.
 *
 * Context: ftrace callback, recursion lock held (preemption disabled).
 */
static __always_inline void pinledger_ftrace_hit(struct ftrace_ops *op)
{
	struct pinledger_hook *h = container_of(op, struct pinledger_hook, ops);

	this_cpu_inc(*h->hits);
}

/**
 * pinledger_kretprobe_hit - account one call of a kretprobe hook.
 * @ri: the instance passed to the entry handler.
 *
 * Context: kprobe handler (preemption disabled).
 */
static __always_inline void pinledger_kretprobe_hit(struct kretprobe_instance *ri)
{
	struct kretprobe *rp = get_kretprobe(ri);
	struct pinledger_hook *h;

	if (!rp)
		return;
	h = container_of(rp, struct pinledger_hook, krp);
	this_cpu_inc(*h->hits);
}

/* One array per hook file, terminated by an entry with no names. */
extern struct pinledger_hook pinledger_layout_hooks[];
extern struct pinledger_hook pinledger_gup_hooks[];
extern struct pinledger_hook pinledger_pagecache_hooks[];

/*
 * Dispatchers of the engine's shared ftrace_ops, one per hook file: call
 * @h's callback (PL_FTRACE_CALL).  Context: ftrace callback.
 */
void pinledger_gup_ftrace(struct pinledger_hook *h, unsigned long ip,
			  unsigned long parent_ip, struct ftrace_regs *fregs);
void pinledger_layout_ftrace(struct pinledger_hook *h, unsigned long ip,
			     unsigned long parent_ip, struct ftrace_regs *fregs);
void pinledger_pagecache_ftrace(struct pinledger_hook *h, unsigned long ip,
				unsigned long parent_ip, struct ftrace_regs *fregs);

unsigned long pinledger_hooks_missed(struct pinledger_hook *set);
void *pinledger_hook_enclosing(struct pinledger_hook *h);

#endif /* _PINLEDGER_HOOKS_H */
