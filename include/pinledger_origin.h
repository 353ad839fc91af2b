/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinledger_origin.h - where a GUP call comes from beyond its caller: the
 * pinning task's cgroup (always) and its kernel stack (capture_stacks=1).
 *
 * module/stacks.c keeps the stacks, module/cgroups.c the per-cgroup view.
 */
#ifndef _PINLEDGER_ORIGIN_H
#define _PINLEDGER_ORIGIN_H

#include <linux/types.h>
#include <linux/sched.h>
#include <linux/cgroup.h>
#include <linux/rcupdate.h>

struct seq_file;
struct dentry;

/**
 * pl_current_cgroup - the cgroup v2 id of the current task.
 *
 * The id is the kernfs node id of the cgroup's directory: st_ino of that
 * directory under a cgroup2 mount, the id bpf_get_current_cgroup_id()
 * returns.  With only cgroup v1 mounted every task is in the root (id 1).
 *
 * Context: task context, with preemption disabled (a probe handler) or
 * in an RCU read-side critical section: what keeps the task's css_set
 * and its cgroup alive for the loads (task_css_set_check() accepts
 * either).  Four loads, no call.
 * Return: the id; 0 on a kernel without cgroups.
 */
static inline u64 pl_current_cgroup(void)
{
#ifdef CONFIG_CGROUPS
	return cgroup_id(task_dfl_cgroup(current));
#else
	return 0;
#endif
}

/* module/stacks.c */
extern bool pinledger_capture_stacks;

u32 pinledger_stack_save(unsigned long ip);

/**
 * pinledger_stack_capture - the stack of the GUP call being entered.
 * @ip:	the hooked function's entry (frames above it are the hook's own).
 *
 * Context: a probe handler of a GUP entry, task context, preemption
 * disabled; does not sleep.  Costs one load while capture_stacks is 0.
 * Return: a stack id (a stack depot handle), or 0: capture off, or the
 * stack not saved (counted in stacks_dropped).
 */
static inline u32 pinledger_stack_capture(unsigned long ip)
{
	if (likely(!READ_ONCE(pinledger_capture_stacks)))
		return 0;
	return pinledger_stack_save(ip);
}

int pinledger_stack_print(u32 stack, char *buf, size_t len);
void pinledger_stack_show(struct seq_file *m, u32 stack);
long pinledger_stacks_distinct(void);
bool pinledger_stack_known(u32 stack);
extern const struct attribute_group pinledger_stacks_group;

/* module/cgroups.c */
void pinledger_cgroups_debugfs(struct dentry *dir);

#endif /* _PINLEDGER_ORIGIN_H */
