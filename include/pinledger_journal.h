/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinledger_journal.h - the capture path: per-CPU journals of GUP
 * references taken and released, absorbed lazily into the ledger's index.
 *
 * The hooks (hooks/gup.c) call the pinledger_journal_*() writers; whoever
 * reads the ledger calls pinledger_ledger_sync() first (module/journal.c).
 */
#ifndef _PINLEDGER_JOURNAL_H
#define _PINLEDGER_JOURNAL_H

#include <linux/types.h>
#include <linux/mm_types.h>
#include <linux/sched.h>

/**
 * struct pinledger_owner_key - what makes an owner, as the journal knows it.
 * @tgid:	process that took the references.
 * @flags:	PL_F_* of the GUP call.
 * @callsite:	caller of the GUP entry point.
 * @cgroup:	cgroup v2 id of the task.
 * @stack:	stack id of the call (capture_stacks), 0 for none.
 * @comm:	the process's command name when the key was first used.
 */
struct pinledger_owner_key {
	pid_t tgid;
	u32 flags;
	unsigned long callsite;
	u64 cgroup;
	u32 stack;
	char comm[TASK_COMM_LEN];
};

int pinledger_journal_init(void);
void pinledger_journal_exit(void);

void pinledger_journal_acquire(struct page **pages, long nr,
			       unsigned int gup_flags, unsigned long callsite,
			       u32 stack);
void pinledger_journal_release_pages(struct page **pages, long nr, bool pin);
void pinledger_journal_release_range(struct page *page, long nr);
void pinledger_journal_release_folios(struct folio **folios, long nr);
void pinledger_journal_release_folio(struct folio *folio, long refs, bool pin);

void pinledger_ledger_sync(void);
bool pinledger_ledger_try_sync(void);
unsigned long pinledger_journal_bytes(void);

/* Trace event (un)registration: pin events want the direct path. */
int pinledger_trace_pin_reg(void);
void pinledger_trace_pin_unreg(void);

#endif /* _PINLEDGER_JOURNAL_H */
