/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pinledger.h - user-space interface of /dev/pinledger.
 *
 * A root-only misc character device (CAP_SYS_ADMIN, checked at open and at
 * every ioctl) through which tools ask the pinledger module who pins what.
 * It works where debugfs does not: debugfs unmounted, or kernel lockdown
 * (Secure Boot) refusing debugfs files opened for writing.  Documented in
 * docs/ABI/uapi-pinledger.
 *
 * Every request is a struct whose first field, @size, says how large the
 * caller's version of it is (sizeof).  A caller built against an older
 * header passes a smaller size: fields it does not know are taken as
 * zero.  A newer, larger struct is accepted if the fields this module
 * does not know are zero (else E2BIG).  Records written to user buffers
 * (ranges, pins, waiters) are laid out @rec_size bytes apart, as the
 * caller's header knows them: the module writes the fields both know and
 * zeroes the rest.  PINLEDGER_IOC_VERSION says what the module has.
 *
 * All fields are fixed-size: the same layout for 32- and 64-bit callers.
 */
#ifndef _UAPI_LINUX_PINLEDGER_H
#define _UAPI_LINUX_PINLEDGER_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define PINLEDGER_DEVICE	"/dev/pinledger"
#define PINLEDGER_ABI_VERSION	2	/* 2: owners_ext, PINS_CGROUP/_LONGLIVED, IOC_STACK */

/* Owner flags (struct pinledger_holder.flags), as in the trace events. */
#define PINLEDGER_F_PIN		0x1	/* FOLL_PIN: unpin_user_page*() */
#define PINLEDGER_F_GET		0x2	/* FOLL_GET: put_page() */
#define PINLEDGER_F_LONGTERM	0x4	/* FOLL_LONGTERM */
#define PINLEDGER_F_WRITE	0x8	/* FOLL_WRITE */

/* Owners copied per record; more_owners counts the rest. */
#define PINLEDGER_MAX_OWNERS	4

/**
 * struct pinledger_holder - one holder of references on a page or run.
 * @tgid:	process that took them (never 0: references of no known
 *		owner are counted in the record's unknown_* fields).
 * @flags:	PINLEDGER_F_*.
 * @pins:	FOLL_PIN references attributed to it (per page).
 * @gets:	FOLL_GET references attributed to it (per page).
 * @age_ns:	how long ago the oldest of them was taken.
 * @comm:	its command name, NUL-terminated.
 * @callsite:	caller of the GUP entry point, "symbol+off/len [module]",
 *		NUL-terminated (no kernel address is exposed).
 */
struct pinledger_holder {
	__s32 tgid;
	__u32 flags;
	__u32 pins;
	__u32 gets;
	__u64 age_ns;
	char comm[16];
	char callsite[96];
};

/* struct pinledger_holder_ext.xflags */
#define PINLEDGER_X_LONGLIVED	0x1	/* reported as held too long */

/**
 * struct pinledger_holder_ext - more about one holder (ABI 2).
 * @cgroup_id:	cgroup v2 id of the task that took the references: the
 *		inode number of its directory under a cgroup2 mount (1 is
 *		the root; 0 unknown).
 * @stack_id:	id of the GUP call's kernel stack, for PINLEDGER_IOC_STACK
 *		(0: none; stacks are saved with capture_stacks=1).
 * @xflags:	PINLEDGER_X_*.
 *
 * owners_ext[i] of a record describes owners[i].
 */
struct pinledger_holder_ext {
	__u64 cgroup_id;
	__u32 stack_id;
	__u32 xflags;
};

/**
 * struct pinledger_version - PINLEDGER_IOC_VERSION.
 * @size:	in: sizeof(struct pinledger_version).
 * @abi_version: out: PINLEDGER_ABI_VERSION of the module.
 * @range_size:	out: sizeof(struct pinledger_range) in the module.
 * @pin_size:	out: sizeof(struct pinledger_pin) in the module.
 * @waiter_size: out: sizeof(struct pinledger_wait) in the module.
 * @nr_counters: out: PINLEDGER_CTR_NR in the module.
 * @max_owners:	out: PINLEDGER_MAX_OWNERS in the module.
 * @reserved:	out: 0.
 * @module_version: out: the module's version string, NUL-terminated.
 */
struct pinledger_version {
	__u32 size;
	__u32 abi_version;
	__u32 range_size;
	__u32 pin_size;
	__u32 waiter_size;
	__u32 nr_counters;
	__u32 max_owners;
	__u32 reserved;
	char module_version[32];
};

/**
 * struct pinledger_range - a run of pages of a file with the same holders.
 * @first:	first page index of the run.
 * @last:	last page index of the run (inclusive).
 * @pfn:	pfn of the first page.
 * @pins:	FOLL_PIN references the ledger records, per page.
 * @gets:	FOLL_GET references the ledger records, per page.
 * @unknown_pins: pins the page's refcount shows beyond the ledger's, per
 *		page: held by an owner the ledger has not recorded (taken
 *		before the module loaded, untracked, or still being taken).
 * @unknown_refs: other references the ledger cannot account for, per page.
 * @nr_owners:	entries used in @owners.
 * @more_owners: further owners not copied.
 * @owners:	the recorded holders.
 * @owners_ext:	more about them (ABI 2).
 */
struct pinledger_range {
	__u64 first;
	__u64 last;
	__u64 pfn;
	__u32 pins;
	__u32 gets;
	__u32 unknown_pins;
	__u32 unknown_refs;
	__u32 nr_owners;
	__u32 more_owners;
	struct pinledger_holder owners[PINLEDGER_MAX_OWNERS];
	struct pinledger_holder_ext owners_ext[PINLEDGER_MAX_OWNERS];
};

/* struct pinledger_query.flags */
#define PINLEDGER_QUERY_PAGECACHE 0x1	/* accept a non-DAX file: its
					 * page-cache folios are looked at */
/* struct pinledger_query.out_flags */
#define PINLEDGER_OUT_MORE	0x1	/* stopped early: call again */
#define PINLEDGER_OUT_DAX	0x2	/* the file is a DAX file */

/**
 * struct pinledger_query - PINLEDGER_IOC_QUERY: who holds pages of a file.
 * @size:	in: sizeof(struct pinledger_query).
 * @flags:	in: PINLEDGER_QUERY_*.
 * @fd:		in: an open file descriptor of the file (any access mode;
 *		not O_PATH).
 * @rec_size:	in: sizeof(struct pinledger_range) as the caller knows it.
 * @first:	in: first page index to look at.  Beyond the end of the file
 *		(and not 0) is ENXIO.
 * @last:	in: last page index, inclusive (~0: to the end).
 * @ranges:	in: user pointer to @nr_ranges records of @rec_size bytes.
 * @nr_ranges:	in: how many records fit; out: how many were written.
 * @out_flags:	out: PINLEDGER_OUT_*.
 * @next:	out: with PINLEDGER_OUT_MORE, the @first of the next call.
 * @dev_major:	out: the file's device (st_dev), major number.
 * @dev_minor:	out: ... minor number.
 * @ino:	out: the file's inode number.
 * @pinned_pages: out: pages with references in the runs written.
 * @unknown_pages: out: ... of those, pages with references of unknown
 *		owner.
 */
struct pinledger_query {
	__u32 size;
	__u32 flags;
	__s32 fd;
	__u32 rec_size;
	__u64 first;
	__u64 last;
	__u64 ranges;
	__u32 nr_ranges;
	__u32 out_flags;
	__u64 next;
	__u32 dev_major;
	__u32 dev_minor;
	__u64 ino;
	__u64 pinned_pages;
	__u64 unknown_pages;
};

/**
 * struct pinledger_pin - one folio with recorded references.
 * @pfn:	the folio's first pfn.
 * @dev_major:	its file's device, major (0:0 for anonymous memory).
 * @dev_minor:	... minor.
 * @ino:	its file's inode number (0 for anonymous memory).
 * @index:	its page index in the file.
 * @pins:	FOLL_PIN references recorded.
 * @gets:	FOLL_GET references recorded.
 * @nr_owners:	entries used in @owners.
 * @more_owners: further owners not copied.
 * @owners:	the holders.
 * @owners_ext:	more about them (ABI 2).
 */
struct pinledger_pin {
	__u64 pfn;
	__u32 dev_major;
	__u32 dev_minor;
	__u64 ino;
	__u64 index;
	__u32 pins;
	__u32 gets;
	__u32 nr_owners;
	__u32 more_owners;
	struct pinledger_holder owners[PINLEDGER_MAX_OWNERS];
	struct pinledger_holder_ext owners_ext[PINLEDGER_MAX_OWNERS];
};

/* struct pinledger_pins.flags: filters (a folio must pass all given) */
#define PINLEDGER_PINS_TGID	0x1	/* only folios @tgid holds */
#define PINLEDGER_PINS_DEV	0x2	/* only folios of files on the device */
#define PINLEDGER_PINS_INO	0x4	/* only folios of inode @ino (with _DEV) */
#define PINLEDGER_PINS_CGROUP	0x8	/* only folios a task of cgroup
					 * @cgroup_id holds (that cgroup
					 * exactly, not its descendants; ABI 2) */
#define PINLEDGER_PINS_LONGLIVED 0x10	/* only folios an owner reported
					 * long-lived holds (ABI 2) */

/**
 * struct pinledger_pins - PINLEDGER_IOC_PINS: the ledger, a batch at a time.
 * @size:	in: sizeof(struct pinledger_pins).
 * @flags:	in: PINLEDGER_PINS_* filters.
 * @rec_size:	in: sizeof(struct pinledger_pin) as the caller knows it.
 * @nr_pins:	in: how many records fit; out: how many were written.
 * @cursor:	in: 0 (both) to start, else what the last call returned;
 *		out: where the next call goes on.  Opaque.
 * @pins:	in: user pointer to @nr_pins records of @rec_size bytes.
 * @tgid:	in: with PINLEDGER_PINS_TGID.
 * @out_flags:	out: PINLEDGER_OUT_MORE: the buffer filled up, call again.
 * @dev_major:	in: with PINLEDGER_PINS_DEV.
 * @dev_minor:	in: with PINLEDGER_PINS_DEV.
 * @ino:	in: with PINLEDGER_PINS_INO.
 * @cgroup_id:	in: with PINLEDGER_PINS_CGROUP (ABI 2).
 *
 * Entries added or removed during a walk may be missed or seen twice.
 */
struct pinledger_pins {
	__u32 size;
	__u32 flags;
	__u32 rec_size;
	__u32 nr_pins;
	__u64 cursor[2];
	__u64 pins;
	__s32 tgid;
	__u32 out_flags;
	__u32 dev_major;
	__u32 dev_minor;
	__u64 ino;
	__u64 cgroup_id;
};

/* struct pinledger_wait.kind */
#define PINLEDGER_WAIT_LAYOUT	1	/* a layout change waits for pins */
#define PINLEDGER_WAIT_EVICTION	2	/* a deferred eviction */

/* struct pinledger_wait.policy, as in sysfs "policy" */
#define PINLEDGER_POLICY_WAIT	0
#define PINLEDGER_POLICY_REVOKE	1
#define PINLEDGER_POLICY_BLOCK	2

/**
 * struct pinledger_wait - a layout change or eviction waiting for pins.
 * @id:		the change's id, as in the layout_* trace events (0 for
 *		an eviction).
 * @kind:	PINLEDGER_WAIT_*.
 * @policy:	PINLEDGER_POLICY_* it waits under (layout changes).
 * @dev_major:	the file's device, major.
 * @dev_minor:	... minor.
 * @ino:	the file's inode number.
 * @first:	first page index of the changing range (layout changes).
 * @last:	last page index, ~0 for "to the end" (layout changes).
 * @waited_ns:	how long it has waited.
 * @tgid:	the process making the change (layout changes).
 * @nr_owners:	entries used in @owners; 0 when no owner of the busy
 *		pages is in the ledger (pinned before load, or in flight).
 * @owners:	tgids of the first pin owners met.
 * @comm:	the command name of @tgid, NUL-terminated.
 */
struct pinledger_wait {
	__u64 id;
	__u32 kind;
	__u32 policy;
	__u32 dev_major;
	__u32 dev_minor;
	__u64 ino;
	__u64 first;
	__u64 last;
	__u64 waited_ns;
	__s32 tgid;
	__u32 nr_owners;
	__s32 owners[4];
	char comm[16];
};

/**
 * struct pinledger_waiters - PINLEDGER_IOC_WAITERS.
 * @size:	in: sizeof(struct pinledger_waiters).
 * @rec_size:	in: sizeof(struct pinledger_wait) as the caller knows it.
 * @nr:		in: how many records fit; out: how many were written.
 * @total:	out: how many there are (more than @nr: call again with a
 *		larger buffer).
 * @waiters:	in: user pointer to @nr records of @rec_size bytes.
 */
struct pinledger_waiters {
	__u32 size;
	__u32 rec_size;
	__u32 nr;
	__u32 total;
	__u64 waiters;
};

/* Counters, indexes into struct pinledger_counters' values. */
enum pinledger_counter {
	PINLEDGER_CTR_LIVE_PAGES,		/* gauge: pinned folios */
	PINLEDGER_CTR_LIVE_PINS,		/* gauge */
	PINLEDGER_CTR_LIVE_GETS,		/* gauge */
	PINLEDGER_CTR_ACQUIRED_PINS,
	PINLEDGER_CTR_ACQUIRED_GETS,
	PINLEDGER_CTR_RELEASED_PINS,
	PINLEDGER_CTR_RELEASED_GETS,
	PINLEDGER_CTR_UNTRACKED,
	PINLEDGER_CTR_MISSED_CALLS,
	PINLEDGER_CTR_UNMATCHED_RELEASES,
	PINLEDGER_CTR_RECONCILED,
	PINLEDGER_CTR_LEDGER_BYTES,		/* gauge */
	PINLEDGER_CTR_PAGECACHE_UNMAP_PINNED,
	PINLEDGER_CTR_PAGECACHE_UNMAP_SKIPPED,
	PINLEDGER_CTR_PAGECACHE_UNMAP_UNSKIPPABLE,
	PINLEDGER_CTR_PAGECACHE_CLEANED_PINNED,
	PINLEDGER_CTR_PAGECACHE_WRITE_UNPINNED,
	PINLEDGER_CTR_PAGECACHE_REDIRTIED,
	PINLEDGER_CTR_PAGECACHE_REDIRTY_FAILED,
	PINLEDGER_CTR_DAX_FINAL_TRUNCATES,
	PINLEDGER_CTR_LAYOUT_BREAKS,
	PINLEDGER_CTR_LAYOUT_BUSY,
	PINLEDGER_CTR_LAYOUT_REFUSED,
	PINLEDGER_CTR_REVOKE_SIGNALS,
	PINLEDGER_CTR_EVICTIONS_DEFERRED,
	PINLEDGER_CTR_EVICTIONS_COMPLETED,
	PINLEDGER_CTR_DEFER_FAILURES,
	PINLEDGER_CTR_OWNER_ALLOC_FAILURES,
	PINLEDGER_CTR_INJECTED_ALLOC_FAILURES,
	PINLEDGER_CTR_JOURNAL_ABSORBS,
	PINLEDGER_CTR_JOURNAL_CANCELLED,
	PINLEDGER_CTR_JOURNAL_FULL,
	PINLEDGER_CTR_LOST_RELEASES,
	PINLEDGER_CTR_LONGLIVED_PINS,		/* owners reported long-lived */
	PINLEDGER_CTR_STACKS_SAVED,		/* GUP calls given a stack */
	PINLEDGER_CTR_STACKS_DISTINCT,		/* gauge: distinct stacks kept */
	PINLEDGER_CTR_STACKS_DROPPED,		/* stacks not kept (bound) */
	PINLEDGER_CTR_NR
};

/**
 * struct pinledger_counters - PINLEDGER_IOC_COUNTERS.
 * @size:	in: sizeof(struct pinledger_counters).
 * @nr:		in: how many values fit; out: how many were written.
 * @total:	out: PINLEDGER_CTR_NR of the module.
 * @reserved:	must be 0.
 * @values:	in: user pointer to @nr __s64 values, by enum
 *		pinledger_counter.
 */
struct pinledger_counters {
	__u32 size;
	__u32 nr;
	__u32 total;
	__u32 reserved;
	__u64 values;
};

/**
 * struct pinledger_stack - PINLEDGER_IOC_STACK: a saved kernel stack (ABI 2).
 * @size:	in: sizeof(struct pinledger_stack).
 * @stack_id:	in: a stack id from a holder's owners_ext (ENOENT if
 *		pinledger saved no such stack).
 * @buf:	in: user pointer to @buf_len bytes.
 * @buf_len:	in: room at @buf; out: bytes written, with the final NUL.
 * @nr_frames:	out: frames, one "symbol+off/len [module]" line each (no
 *		kernel address is exposed).
 */
struct pinledger_stack {
	__u32 size;
	__u32 stack_id;
	__u64 buf;
	__u32 buf_len;
	__u32 nr_frames;
};

#define PINLEDGER_IOC_MAGIC	0xE9
#define PINLEDGER_IOC_VERSION	_IOWR(PINLEDGER_IOC_MAGIC, 1, struct pinledger_version)
#define PINLEDGER_IOC_QUERY	_IOWR(PINLEDGER_IOC_MAGIC, 2, struct pinledger_query)
#define PINLEDGER_IOC_PINS	_IOWR(PINLEDGER_IOC_MAGIC, 3, struct pinledger_pins)
#define PINLEDGER_IOC_WAITERS	_IOWR(PINLEDGER_IOC_MAGIC, 4, struct pinledger_waiters)
#define PINLEDGER_IOC_COUNTERS	_IOWR(PINLEDGER_IOC_MAGIC, 5, struct pinledger_counters)
#define PINLEDGER_IOC_STACK	_IOWR(PINLEDGER_IOC_MAGIC, 6, struct pinledger_stack)

/* Records per call the module accepts at most (larger @nr: EINVAL). */
#define PINLEDGER_MAX_RECORDS	65536
/* Largest struct or record size accepted (larger: E2BIG). */
#define PINLEDGER_MAX_STRUCT	4096

#endif /* _UAPI_LINUX_PINLEDGER_H */
