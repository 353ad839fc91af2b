// SPDX-License-Identifier: GPL-2.0
/* 6.12: struct ftrace_regs is opaque; arguments via ftrace_regs_get_argument(). */
#include <linux/ftrace.h>
unsigned long probe(struct ftrace_regs *fregs)
{
	return ftrace_regs_get_argument(fregs, 0);
}
