// SPDX-License-Identifier: GPL-2.0
/* 6.14: fprobe runs on fgraph; its handlers take struct ftrace_regs. */
#include <linux/fprobe.h>
typedef int (*probe_entry_t)(struct fprobe *, unsigned long, unsigned long,
			     struct ftrace_regs *, void *);
_Static_assert(__builtin_types_compatible_p(
		       typeof(((struct fprobe *)0)->entry_handler), probe_entry_t),
	       "fprobe handlers take struct pt_regs");
int probe;
