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

#endif /* _PINLEDGER_COMPAT_FTRACE_H */
