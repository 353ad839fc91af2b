/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinledger_trace.h - the "pinledger" trace system.
 *
 * Fields are scalars (and fixed-size char arrays) only: they filter the
 * same way in perf, trace-cmd and bpftrace, and need no __assign_str(),
 * whose arity changed in 6.10.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pinledger

#if !defined(_PINLEDGER_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _PINLEDGER_TRACE_H

#include <linux/tracepoint.h>
#include <linux/fs.h>

/*
 * dax_final_truncate - an evicted DAX inode's pages are being truncated.
 * Fields: dev (superblock), ino, nrpages (DAX entries still mapped).
 */
TRACE_EVENT(dax_final_truncate,
	TP_PROTO(struct address_space *mapping),
	TP_ARGS(mapping),
	TP_STRUCT__entry(
		__field(dev_t, dev)
		__field(unsigned long, ino)
		__field(unsigned long, nrpages)
	),
	TP_fast_assign(
		__entry->dev = mapping->host->i_sb->s_dev;
		__entry->ino = mapping->host->i_ino;
		__entry->nrpages = mapping->nrpages;
	),
	TP_printk("dev=%d:%d ino=%lu nrpages=%lu",
		  MAJOR(__entry->dev), MINOR(__entry->dev),
		  __entry->ino, __entry->nrpages)
);

#endif /* _PINLEDGER_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE pinledger_trace
#include <trace/define_trace.h>
