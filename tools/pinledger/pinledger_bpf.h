/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinledger_bpf.h - types shared by pinledger.bpf.c and the tool.
 */
#ifndef PINLEDGER_BPF_H
#define PINLEDGER_BPF_H

#define PL_MAX_SLOTS	64	/* a power of two: the BPF side masks */
#define PL_MAX_HISTS	1024

enum pl_by { PL_BY_NONE, PL_BY_COMM, PL_BY_FLAGS, PL_BY_FS };
enum pl_hist_kind { PL_HIST_LIFETIME, PL_HIST_LAYOUT_WAIT };

/* Slot 0 counts zero; slot s > 0 counts [2^(s-1), 2^s) units. */
struct pl_hist {
	__u64 slots[PL_MAX_SLOTS];
	__u64 count;
	__u64 sum_ns;
};

struct pl_hist_key {
	__u32 kind;
	__u32 id;	/* flags, dev (kernel dev_t) or tgid without comm */
	char comm[16];
};

struct pl_comm {
	char comm[16];
};

#endif /* PINLEDGER_BPF_H */
