// SPDX-License-Identifier: GPL-2.0
/*
 * stacks.c - kernel stacks of GUP calls (capture_stacks=1).
 *
 * DOC: pinner stacks
 *
 * With /sys/kernel/pinledger/capture_stacks set to 1, the probe that sees
 * a GUP call enter saves its kernel stack (the frames from the hooked
 * function down; the hook's own frames are cut off) and the call's owner
 * record carries the stack's id.  The stack is shown with long-lived pin
 * reports (module/longlived.c), in the debugfs listings and through
 * PINLEDGER_IOC_STACK.  Off by default: a capture costs an unwind per GUP
 * call (the benchmark states how much).
 *
 * Stacks are kept in the kernel's stack depot, deduplicated, and
 * bounded: this file remembers at most MAX_STACKS distinct stacks (a
 * table of 64-bit hashes of their frames, filled lock-free by cmpxchg),
 * and a stack beyond those is not saved (counted in stacks_dropped; its
 * owner shows no stack).  A stack already in the table is found without
 * calling into the depot.  The depot never frees what it holds, so the
 * table also bounds what pinledger adds to it, for the life of the
 * kernel: MAX_STACKS stacks of at most MAX_FRAMES frames.
 *
 * The depot allocates with GFP_NOWAIT under a raw spinlock: correct in a
 * probe handler, not on PREEMPT_RT, where no allocation may happen with
 * preemption disabled; there capture_stacks cannot be turned on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/stacktrace.h>
#include <linux/stackdepot.h>
#include <linux/seq_file.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/mutex.h>
#include "pinledger.h"
#include "pinledger_origin.h"

#define MAX_STACKS	4096		/* distinct stacks kept */
#define MAX_FRAMES	24		/* frames per stack */
#define PROBES		16		/* table slots looked at per stack */

bool pinledger_capture_stacks;		/* READ_ONCE; set under stacks_mutex */
static DEFINE_MUTEX(stacks_mutex);	/* serializes capture_stacks writers */

/*
 * The distinct stacks: stack_keys[i] is a stack's hash (0: free), and
 * stack_ids[i] its depot handle once saved (0: being saved).  Slots are
 * claimed by cmpxchg on the key and never freed.
 */
static u64 stack_keys[MAX_STACKS];
static u32 stack_ids[MAX_STACKS];
static atomic_t stacks_distinct;

static u64 frames_hash(const unsigned long *e, unsigned int n)
{
	u64 h = n;
	unsigned int i;

	for (i = 0; i < n; i++) {
		h = (h ^ e[i]) * GOLDEN_RATIO_64;
		h ^= h >> 29;
	}
	return h ?: 1;
}

/**
 * pinledger_stack_save - save the current stack (see pinledger_stack_capture()).
 * @ip:	the hooked function's probe address.
 *
 * Context: a probe handler, task context, preemption disabled; does not
 * sleep (the depot allocates with GFP_NOWAIT).
 * Return: the stack's id, or 0 when it could not be kept.
 */
u32 pinledger_stack_save(unsigned long ip)
{
	unsigned long entries[MAX_FRAMES + 8];
	unsigned int n, k, i;
	u32 id, slot;
	u64 h;

	n = stack_trace_save(entries, ARRAY_SIZE(entries), 0);
	/* Cut the hook's frames: start at the return into the hooked function. */
	for (k = 0; k < n; k++)
		if (entries[k] + 16 >= ip && entries[k] <= ip + 32)
			break;
	if (k == n)
		k = 0;
	n = min_t(unsigned int, n - k, MAX_FRAMES);
	h = frames_hash(entries + k, n);
	slot = h & (MAX_STACKS - 1);
	for (i = 0; i < PROBES; i++, slot = (slot + 1) & (MAX_STACKS - 1)) {
		u64 key = READ_ONCE(stack_keys[slot]);

		if (key == h) {
			id = smp_load_acquire(&stack_ids[slot]);
			if (id) {
				pinledger_inc(stacks_saved);
				return id;
			}
			/* Being saved by another CPU: the depot deduplicates. */
			break;
		}
		if (!key && cmpxchg(&stack_keys[slot], 0, h) == 0) {
			id = stack_depot_save(entries + k, n, GFP_NOWAIT | __GFP_NOWARN);
			if (!id) {
				pinledger_inc(stacks_dropped);
				return 0;
			}
			smp_store_release(&stack_ids[slot], id);
			atomic_inc(&stacks_distinct);
			pinledger_inc(stacks_saved);
			return id;
		}
		if (key == 0)	/* lost the slot: it may be this very stack */
			i--, slot = (slot - 1) & (MAX_STACKS - 1);
	}
	if (i < PROBES) {
		id = stack_depot_save(entries + k, n, GFP_NOWAIT | __GFP_NOWARN);
		if (id) {
			pinledger_inc(stacks_saved);
			return id;
		}
	}
	pinledger_inc(stacks_dropped);
	return 0;
}

/**
 * pinledger_stacks_distinct - distinct stacks kept so far.
 *
 * Context: any.
 * Return: the count (at most MAX_STACKS).
 */
long pinledger_stacks_distinct(void)
{
	return atomic_read(&stacks_distinct);
}

/**
 * pinledger_stack_known - whether pinledger saved a stack of this id.
 * @stack:	the id (from user space, say).
 *
 * Only such ids may be handed to the stack depot: it trusts its handles.
 *
 * Context: any.
 * Return: true for an id pinledger_stack_save() returned.
 */
bool pinledger_stack_known(u32 stack)
{
	unsigned int i;

	if (!stack)
		return false;
	for (i = 0; i < MAX_STACKS; i++)
		if (READ_ONCE(stack_ids[i]) == stack)
			return true;
	return false;
}

/**
 * pinledger_stack_print - a saved stack as text, one "symbol+off/len" per line.
 * @stack:	its id (0: none).
 * @buf:	where to write.
 * @len:	room in @buf.
 *
 * Context: any but NMI; does not sleep.
 * Return: characters written (0 for no stack).
 */
int pinledger_stack_print(u32 stack, char *buf, size_t len)
{
	unsigned long *entries;
	unsigned int n, i;
	int off = 0;

	if (len)
		buf[0] = 0;
	if (!stack || !len)
		return 0;
	n = stack_depot_fetch(stack, &entries);
	for (i = 0; i < n; i++)
		off += scnprintf(buf + off, len - off, "%pS\n", (void *)entries[i]);
	return off;
}

/**
 * pinledger_stack_show - print a saved stack into a seq_file, indented.
 * @m:		the file.
 * @stack:	its id (0: prints nothing).
 *
 * Context: process context (a seq_file show).
 */
void pinledger_stack_show(struct seq_file *m, u32 stack)
{
	unsigned long *entries;
	unsigned int n, i;

	if (!stack)
		return;
	n = stack_depot_fetch(stack, &entries);
	for (i = 0; i < n; i++)
		seq_printf(m, "    %pS\n", (void *)entries[i]);
}

static int capture_set(bool on)
{
	int ret = 0;

	mutex_lock(&stacks_mutex);
	if (on && IS_ENABLED(CONFIG_PREEMPT_RT)) {
		pr_info_ratelimited("capture_stacks: not on PREEMPT_RT (the stack depot allocates with preemption disabled)\n");
		ret = -EOPNOTSUPP;
	} else if (on && !READ_ONCE(pinledger_capture_stacks)) {
		ret = stack_depot_init();
		if (ret)
			pr_info_ratelimited("capture_stacks: the stack depot is not available (error %d)\n",
					    ret);
	}
	if (!ret)
		WRITE_ONCE(pinledger_capture_stacks, on);
	mutex_unlock(&stacks_mutex);
	return ret;
}

static int capture_parse(const char *val, bool *on)
{
	unsigned int v;

	if (kstrtouint(val, 10, &v) || v > 1) {
		pr_info_ratelimited("capture_stacks: want 0 or 1\n");
		return -EINVAL;
	}
	*on = v;
	return 0;
}

static ssize_t capture_stacks_show(struct kobject *k, struct kobj_attribute *a,
				   char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(pinledger_capture_stacks));
}

static ssize_t capture_stacks_store(struct kobject *k, struct kobj_attribute *a,
				    const char *buf, size_t count)
{
	bool on;

	return capture_parse(buf, &on) ?: capture_set(on) ?: count;
}
static struct kobj_attribute capture_stacks_attr = __ATTR_RW_MODE(capture_stacks, 0644);

static struct attribute *stacks_attrs[] = {
	&capture_stacks_attr.attr,
	NULL,
};

const struct attribute_group pinledger_stacks_group = {
	.attrs = stacks_attrs,
};

static int param_capture_set(const char *val, const struct kernel_param *kp)
{
	bool on;

	return capture_parse(val, &on) ?: capture_set(on);
}

static int param_capture_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(pinledger_capture_stacks));
}

static const struct kernel_param_ops param_capture_ops = {
	.set = param_capture_set,
	.get = param_capture_get,
};
module_param_cb(capture_stacks, &param_capture_ops, NULL, 0444);
MODULE_PARM_DESC(capture_stacks, "save the kernel stack of every GUP call (0 default, 1 on; not on PREEMPT_RT)");
