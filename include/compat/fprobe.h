/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat/fprobe.h - fprobe handler registers, written against the 7.2 API.
 *
 * 6.14 moved fprobe from rethook onto fgraph: its entry and exit handlers
 * take a struct ftrace_regs (arguments and return value through the
 * ftrace_regs accessors) instead of a struct pt_regs, and struct fprobe
 * lost nr_maxactive (fgraph needs no per-instance pool).  6.12's handlers
 * take a pt_regs; Debian's 6.1 has no CONFIG_FPROBE.
 */
#ifndef _PINLEDGER_COMPAT_FPROBE_H
#define _PINLEDGER_COMPAT_FPROBE_H

#include <linux/fprobe.h>
#include <linux/ptrace.h>
#include "pinledger_config.h"
#include "compat/ftrace.h"

#ifdef HAVE_FPROBE_FTRACE_REGS
/* The register set fprobe handlers get. */
typedef struct ftrace_regs pl_fprobe_regs_t;

static __always_inline unsigned long pl_fprobe_arg(pl_fprobe_regs_t *regs,
						   unsigned int n)
{
	return ftrace_regs_get_argument(regs, n);
}

static __always_inline unsigned long pl_fprobe_retval(pl_fprobe_regs_t *regs)
{
	return ftrace_regs_get_return_value(regs);
}

/* No instance pool to size since 6.14. */
static __always_inline void pl_fprobe_set_maxactive(struct fprobe *fp, int n)
{
}
#else
typedef struct pt_regs pl_fprobe_regs_t;

static __always_inline unsigned long pl_fprobe_arg(pl_fprobe_regs_t *regs,
						   unsigned int n)
{
	return regs_get_kernel_argument(regs, n);
}

static __always_inline unsigned long pl_fprobe_retval(pl_fprobe_regs_t *regs)
{
	return regs_return_value(regs);
}

static __always_inline void pl_fprobe_set_maxactive(struct fprobe *fp, int n)
{
	fp->nr_maxactive = n;
}
#endif

#endif /* _PINLEDGER_COMPAT_FPROBE_H */
