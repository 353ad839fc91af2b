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
#include "pinledger_ledger.h"

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


/*
 * pin_acquire / pin_release - a GUP reference on a folio was taken or
 * dropped.  Fields: pfn (folio), dev/ino/index (file page; dev 0 for
 * anonymous memory), tgid (holder; 0 unknown), flags (PL_F_*: 1 PIN,
 * 2 GET, 4 LONGTERM, 8 WRITE), callsite (caller of the GUP entry point),
 * cgroup (cgroup v2 id of the pinning task; the last argument, so that
 * raw tracepoint users keep the others' positions); release adds
 * lifetime_ns and reconciled (1 when the ledger dropped a FOLL_GET it
 * could no longer explain, instead of seeing a release).
 */
DECLARE_EVENT_CLASS(pin_class,
	TP_PROTO(unsigned long pfn, dev_t dev, unsigned long ino,
		 unsigned long index, pid_t tgid, unsigned int flags,
		 unsigned long callsite, u64 cgroup),
	TP_ARGS(pfn, dev, ino, index, tgid, flags, callsite, cgroup),
	TP_STRUCT__entry(
		__field(unsigned long, pfn)
		__field(dev_t, dev)
		__field(unsigned long, ino)
		__field(unsigned long, index)
		__field(pid_t, tgid)
		__field(unsigned int, flags)
		__field(unsigned long, callsite)
		__field(u64, cgroup)
	),
	TP_fast_assign(
		__entry->pfn = pfn;
		__entry->dev = dev;
		__entry->ino = ino;
		__entry->index = index;
		__entry->tgid = tgid;
		__entry->flags = flags;
		__entry->callsite = callsite;
		__entry->cgroup = cgroup;
	),
	TP_printk("pfn=0x%lx dev=%d:%d ino=%lu index=%lu tgid=%d flags=%s callsite=%pS cgroup=%llu",
		  __entry->pfn, MAJOR(__entry->dev), MINOR(__entry->dev),
		  __entry->ino, __entry->index, __entry->tgid,
		  __print_flags(__entry->flags, "|", { 1, "PIN" }, { 2, "GET" },
				{ 4, "LONGTERM" }, { 8, "WRITE" }),
		  (void *)__entry->callsite, __entry->cgroup)
);

/* Enabling either pin event puts the capture path on its direct path. */
int pinledger_trace_pin_reg(void);
void pinledger_trace_pin_unreg(void);

DEFINE_EVENT_FN(pin_class, pin_acquire,
	TP_PROTO(unsigned long pfn, dev_t dev, unsigned long ino,
		 unsigned long index, pid_t tgid, unsigned int flags,
		 unsigned long callsite, u64 cgroup),
	TP_ARGS(pfn, dev, ino, index, tgid, flags, callsite, cgroup),
	pinledger_trace_pin_reg, pinledger_trace_pin_unreg);

TRACE_EVENT_FN(pin_release,
	TP_PROTO(unsigned long pfn, dev_t dev, unsigned long ino,
		 unsigned long index, pid_t tgid, unsigned int flags,
		 unsigned long callsite, u64 lifetime_ns, bool reconciled,
		 u64 cgroup),
	TP_ARGS(pfn, dev, ino, index, tgid, flags, callsite, lifetime_ns,
		reconciled, cgroup),
	TP_STRUCT__entry(
		__field(unsigned long, pfn)
		__field(dev_t, dev)
		__field(unsigned long, ino)
		__field(unsigned long, index)
		__field(pid_t, tgid)
		__field(unsigned int, flags)
		__field(unsigned long, callsite)
		__field(u64, lifetime_ns)
		__field(bool, reconciled)
		__field(u64, cgroup)
	),
	TP_fast_assign(
		__entry->pfn = pfn;
		__entry->dev = dev;
		__entry->ino = ino;
		__entry->index = index;
		__entry->tgid = tgid;
		__entry->flags = flags;
		__entry->callsite = callsite;
		__entry->lifetime_ns = lifetime_ns;
		__entry->reconciled = reconciled;
		__entry->cgroup = cgroup;
	),
	TP_printk("pfn=0x%lx dev=%d:%d ino=%lu index=%lu tgid=%d flags=%s callsite=%pS cgroup=%llu lifetime_ns=%llu reconciled=%d",
		  __entry->pfn, MAJOR(__entry->dev), MINOR(__entry->dev),
		  __entry->ino, __entry->index, __entry->tgid,
		  __print_flags(__entry->flags, "|", { 1, "PIN" }, { 2, "GET" },
				{ 4, "LONGTERM" }, { 8, "WRITE" }),
		  (void *)__entry->callsite, __entry->cgroup,
		  __entry->lifetime_ns, __entry->reconciled),
	pinledger_trace_pin_reg, pinledger_trace_pin_unreg
);


/*
 * pin_longlived - references held longer than the long-lived threshold
 * (longlived_ms, or fs_longlived_ms of their filesystem), reported once
 * per owner: one GUP call's references on one file.  Fields: pfn, dev,
 * ino, index of its first folio (dev 0 for anonymous memory), tgid, comm,
 * flags (PL_F_*), callsite, age_ms, refs (references it holds, all
 * pages), cgroup (cgroup v2 id of the pinning task), stack (stack id,
 * PINLEDGER_IOC_STACK / debugfs longlived; 0 without capture_stacks).
 */
TRACE_EVENT(pin_longlived,
	TP_PROTO(const struct pinledger_ll_report *r, u64 age_ns),
	TP_ARGS(r, age_ns),
	TP_STRUCT__entry(
		__field(unsigned long, pfn)
		__field(dev_t, dev)
		__field(unsigned long, ino)
		__field(unsigned long, index)
		__field(pid_t, tgid)
		__array(char, comm, TASK_COMM_LEN)
		__field(unsigned int, flags)
		__field(unsigned long, callsite)
		__field(u64, age_ms)
		__field(u32, refs)
		__field(u64, cgroup)
		__field(u32, stack)
	),
	TP_fast_assign(
		__entry->pfn = r->pfn;
		__entry->dev = r->dev;
		__entry->ino = r->ino;
		__entry->index = r->index;
		__entry->tgid = r->tgid;
		memcpy(__entry->comm, r->comm, TASK_COMM_LEN);
		__entry->flags = r->flags;
		__entry->callsite = r->callsite;
		__entry->age_ms = div_u64(age_ns, NSEC_PER_MSEC);
		__entry->refs = r->refs;
		__entry->cgroup = r->cgroup;
		__entry->stack = r->stack;
	),
	TP_printk("pfn=0x%lx dev=%d:%d ino=%lu index=%lu tgid=%d comm=%s flags=%s callsite=%pS age_ms=%llu refs=%u cgroup=%llu stack=%u",
		  __entry->pfn, MAJOR(__entry->dev), MINOR(__entry->dev),
		  __entry->ino, __entry->index, __entry->tgid, __entry->comm,
		  __print_flags(__entry->flags, "|", { 1, "PIN" }, { 2, "GET" },
				{ 4, "LONGTERM" }, { 8, "WRITE" }),
		  (void *)__entry->callsite, __entry->age_ms, __entry->refs,
		  __entry->cgroup, __entry->stack)
);

/*
 * Layout guard events.  id ties begin/revoke/end of one layout change;
 * policy: 0 wait, 1 revoke, 2 block; outcome: 0 proceeded, 1 EBUSY,
 * 2 EDEADLK, 3 timeout, 4 interrupted (signal).
 */
TRACE_EVENT(layout_begin,
	TP_PROTO(u64 id, dev_t dev, unsigned long ino, loff_t start, loff_t end,
		 unsigned int policy, unsigned long pinned_pages, pid_t first_owner),
	TP_ARGS(id, dev, ino, start, end, policy, pinned_pages, first_owner),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(dev_t, dev)
		__field(unsigned long, ino)
		__field(loff_t, start)
		__field(loff_t, end)
		__field(unsigned int, policy)
		__field(unsigned long, pinned_pages)
		__field(pid_t, first_owner)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->dev = dev;
		__entry->ino = ino;
		__entry->start = start;
		__entry->end = end;
		__entry->policy = policy;
		__entry->pinned_pages = pinned_pages;
		__entry->first_owner = first_owner;
	),
	TP_printk("id=%llu dev=%d:%d ino=%lu range=%lld-%lld policy=%s pinned_pages=%lu first_owner=%d",
		  __entry->id, MAJOR(__entry->dev), MINOR(__entry->dev),
		  __entry->ino, __entry->start, __entry->end,
		  __print_symbolic(__entry->policy, { 0, "wait" }, { 1, "revoke" },
				   { 2, "block" }),
		  __entry->pinned_pages, __entry->first_owner)
);

TRACE_EVENT(layout_end,
	TP_PROTO(u64 id, dev_t dev, unsigned long ino, u64 waited_ns,
		 unsigned int outcome, long ret),
	TP_ARGS(id, dev, ino, waited_ns, outcome, ret),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(dev_t, dev)
		__field(unsigned long, ino)
		__field(u64, waited_ns)
		__field(unsigned int, outcome)
		__field(long, ret)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->dev = dev;
		__entry->ino = ino;
		__entry->waited_ns = waited_ns;
		__entry->outcome = outcome;
		__entry->ret = ret;
	),
	TP_printk("id=%llu dev=%d:%d ino=%lu waited_ns=%llu outcome=%s ret=%ld",
		  __entry->id, MAJOR(__entry->dev), MINOR(__entry->dev),
		  __entry->ino, __entry->waited_ns,
		  __print_symbolic(__entry->outcome, { 0, "proceeded" },
				   { 1, "EBUSY" }, { 2, "EDEADLK" }, { 3, "timeout" },
				   { 4, "interrupted" }),
		  __entry->ret)
);

TRACE_EVENT(layout_revoke,
	TP_PROTO(u64 id, pid_t tgid, int sig),
	TP_ARGS(id, tgid, sig),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(pid_t, tgid)
		__field(int, sig)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->tgid = tgid;
		__entry->sig = sig;
	),
	TP_printk("id=%llu tgid=%d sig=%d%s", __entry->id, __entry->tgid,
		  __entry->sig, __entry->sig ? "" : " (not permitted: waited for)")
);

TRACE_EVENT(eviction_deferred,
	TP_PROTO(dev_t dev, unsigned long ino, unsigned long pinned_pages),
	TP_ARGS(dev, ino, pinned_pages),
	TP_STRUCT__entry(
		__field(dev_t, dev)
		__field(unsigned long, ino)
		__field(unsigned long, pinned_pages)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->ino = ino;
		__entry->pinned_pages = pinned_pages;
	),
	TP_printk("dev=%d:%d ino=%lu pinned_pages=%lu", MAJOR(__entry->dev),
		  MINOR(__entry->dev), __entry->ino, __entry->pinned_pages)
);

TRACE_EVENT(eviction_completed,
	TP_PROTO(dev_t dev, unsigned long ino, u64 deferred_ns),
	TP_ARGS(dev, ino, deferred_ns),
	TP_STRUCT__entry(
		__field(dev_t, dev)
		__field(unsigned long, ino)
		__field(u64, deferred_ns)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->ino = ino;
		__entry->deferred_ns = deferred_ns;
	),
	TP_printk("dev=%d:%d ino=%lu deferred_ns=%llu", MAJOR(__entry->dev),
		  MINOR(__entry->dev), __entry->ino, __entry->deferred_ns)
);

/*
 * Page-cache events (module/pagecache.c).
 *
 * pagecache_unmap - try_to_unmap_one() met a pinned page-cache folio.
 * Fields: pfn, dev/ino/index (file page), address (in the VMA walked),
 * ttu (enum ttu_flags of the caller), pins (recorded), unknown_pins (pins
 * of unknown owners, from the refcount), action (0 allowed, 1 skipped,
 * 2 hwpoison: memory-failure is never skipped, 3 required: the caller
 * needs the folio unmapped).
 */
TRACE_EVENT(pagecache_unmap,
	TP_PROTO(unsigned long pfn, dev_t dev, unsigned long ino,
		 unsigned long index, unsigned long address, unsigned long ttu,
		 u32 pins, long unknown_pins, unsigned int action),
	TP_ARGS(pfn, dev, ino, index, address, ttu, pins, unknown_pins, action),
	TP_STRUCT__entry(
		__field(unsigned long, pfn)
		__field(dev_t, dev)
		__field(unsigned long, ino)
		__field(unsigned long, index)
		__field(unsigned long, address)
		__field(unsigned long, ttu)
		__field(u32, pins)
		__field(long, unknown_pins)
		__field(unsigned int, action)
	),
	TP_fast_assign(
		__entry->pfn = pfn;
		__entry->dev = dev;
		__entry->ino = ino;
		__entry->index = index;
		__entry->address = address;
		__entry->ttu = ttu;
		__entry->pins = pins;
		__entry->unknown_pins = unknown_pins;
		__entry->action = action;
	),
	TP_printk("pfn=0x%lx dev=%d:%d ino=%lu index=%lu address=0x%lx ttu=0x%lx pins=%u unknown_pins=%ld action=%s",
		  __entry->pfn, MAJOR(__entry->dev), MINOR(__entry->dev),
		  __entry->ino, __entry->index, __entry->address, __entry->ttu,
		  __entry->pins, __entry->unknown_pins,
		  __print_symbolic(__entry->action, { 0, "allowed" },
				   { 1, "skipped" }, { 2, "hwpoison" },
				   { 3, "required" }))
);

/*
 * pagecache_mkclean - page_mkclean_one() write-protects a folio pinned for
 * write (or pinned by unknown owners, who may write).  Fields: pfn,
 * dev/ino/index, address, write_pins (recorded FOLL_WRITE pins),
 * unknown_pins, policy (0 report, 1 redirty).
 */
TRACE_EVENT(pagecache_mkclean,
	TP_PROTO(unsigned long pfn, dev_t dev, unsigned long ino,
		 unsigned long index, unsigned long address, u32 write_pins,
		 long unknown_pins, unsigned int policy),
	TP_ARGS(pfn, dev, ino, index, address, write_pins, unknown_pins, policy),
	TP_STRUCT__entry(
		__field(unsigned long, pfn)
		__field(dev_t, dev)
		__field(unsigned long, ino)
		__field(unsigned long, index)
		__field(unsigned long, address)
		__field(u32, write_pins)
		__field(long, unknown_pins)
		__field(unsigned int, policy)
	),
	TP_fast_assign(
		__entry->pfn = pfn;
		__entry->dev = dev;
		__entry->ino = ino;
		__entry->index = index;
		__entry->address = address;
		__entry->write_pins = write_pins;
		__entry->unknown_pins = unknown_pins;
		__entry->policy = policy;
	),
	TP_printk("pfn=0x%lx dev=%d:%d ino=%lu index=%lu address=0x%lx write_pins=%u unknown_pins=%ld policy=%s",
		  __entry->pfn, MAJOR(__entry->dev), MINOR(__entry->dev),
		  __entry->ino, __entry->index, __entry->address,
		  __entry->write_pins, __entry->unknown_pins,
		  __print_symbolic(__entry->policy, { 0, "report" },
				   { 1, "redirty" }))
);

/*
 * pagecache_redirty - the last write pin of a folio cleaned while pinned
 * went.  action: 0 reported (policy report), 1 queued, 2 dirtied (by the
 * worker), 3 gone (truncated before the worker ran), 4 nomem.
 */
TRACE_EVENT(pagecache_redirty,
	TP_PROTO(unsigned long pfn, dev_t dev, unsigned long ino,
		 unsigned long index, unsigned int action),
	TP_ARGS(pfn, dev, ino, index, action),
	TP_STRUCT__entry(
		__field(unsigned long, pfn)
		__field(dev_t, dev)
		__field(unsigned long, ino)
		__field(unsigned long, index)
		__field(unsigned int, action)
	),
	TP_fast_assign(
		__entry->pfn = pfn;
		__entry->dev = dev;
		__entry->ino = ino;
		__entry->index = index;
		__entry->action = action;
	),
	TP_printk("pfn=0x%lx dev=%d:%d ino=%lu index=%lu action=%s",
		  __entry->pfn, MAJOR(__entry->dev), MINOR(__entry->dev),
		  __entry->ino, __entry->index,
		  __print_symbolic(__entry->action, { 0, "reported" },
				   { 1, "queued" }, { 2, "dirtied" },
				   { 3, "gone" }, { 4, "nomem" }))
);

#endif /* _PINLEDGER_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE pinledger_trace
#include <trace/define_trace.h>
