/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat/ftrace.h - ftrace_regs access, written against the 6.12 API.
 *
 * 6.12 made struct ftrace_regs opaque and gave it accessors in
 * <linux/ftrace_regs.h>.  6.1 (x86, DYNAMIC_FTRACE_WITH_ARGS) wraps a
 * struct pt_regs whose argument registers are valid in every callback.
 */
#ifndef _PINLEDGER_COMPAT_FTRACE_H
#define _PINLEDGER_COMPAT_FTRACE_H

#include <linux/ftrace.h>
#include <linux/ptrace.h>
#include "pinledger_config.h"

#ifndef HAVE_FTRACE_REGS_GET_ARGUMENT
/* Before 6.2 (x86): arguments are in the embedded pt_regs. */
static __always_inline unsigned long
ftrace_regs_get_argument(struct ftrace_regs *fregs, unsigned int n)
{
	return regs_get_kernel_argument(&fregs->regs, n);
}
#endif

/**
 * pl_ftrace_redirect - make an IPMODIFY callback resume at another function.
 * @fregs:	the callback's ftrace_regs.
 * @ip:		where the traced call continues: a module function with the
 *		traced function's signature.
 *
 * The architectures' setters differ: 6.1 has ftrace_instruction_pointer_set(),
 * 6.12 renamed it ftrace_regs_set_instruction_pointer() and made struct
 * ftrace_regs opaque.  Both kernels give an ops with FTRACE_OPS_FL_SAVE_REGS
 * the full pt_regs through ftrace_get_regs(), whose ip ftrace_regs_caller
 * writes back as its return address (arch/x86/kernel/ftrace_64.S, same in
 * both): the trampoline reaches @ip with RET and every argument register
 * restored, so @ip runs as if called by the traced function's caller, and
 * no indirect call is made (IBT needs no ENDBR for a return).
 *
 * Context: an ftrace callback of an ops with FTRACE_OPS_FL_SAVE_REGS and
 * FTRACE_OPS_FL_IPMODIFY.
 * Return: false if @fregs carries no full pt_regs (the call is unchanged).
 */
static __always_inline bool pl_ftrace_redirect(struct ftrace_regs *fregs,
					       unsigned long ip)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);

	if (!regs)
		return false;
	instruction_pointer_set(regs, ip);
	return true;
}

#endif /* _PINLEDGER_COMPAT_FTRACE_H */
