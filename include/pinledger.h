/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinledger.h - interfaces between pinledger's parts.
 *
 * module/ owns state (ledger, policy, sysfs, debugfs, trace); hooks/ owns
 * the translation from hooked kernel functions into calls declared here.
 */
#ifndef _PINLEDGER_H
#define _PINLEDGER_H

#include <linux/kobject.h>
#include <linux/dcache.h>
#include <linux/percpu.h>

#ifndef PINLEDGER_VERSION
#define PINLEDGER_VERSION "0.1.0"
#endif

/* module/sysfs.c: /sys/kernel/pinledger */
int pinledger_sysfs_init(void);
void pinledger_sysfs_exit(void);

/* module/debugfs.c: /sys/kernel/debug/pinledger */
extern struct dentry *pinledger_debugfs_root;
int pinledger_debugfs_init(void);
void pinledger_debugfs_exit(void);

/* module/main.c */
const char *pinledger_features(void);

/* hooks/engine.c: install and remove every hook of the table */
int pinledger_hooks_install(void);
void pinledger_hooks_remove(void);
int pinledger_hooks_show(struct seq_file *m, void *unused);

/**
 * struct pinledger_stats - event counters, per CPU.
 * @dax_final_truncates: truncate_inode_pages_final() calls on DAX mappings.
 * @layout_breaks: dax_layout_busy_page_range() calls (ext4/xfs layout breaks).
 * @layout_busy: ... of those that found a busy page and made the fs wait.
 */
struct pinledger_stats {
	unsigned long dax_final_truncates;
	unsigned long layout_breaks;
	unsigned long layout_busy;
};

DECLARE_PER_CPU(struct pinledger_stats, pinledger_stats);

/**
 * pinledger_count - bump one per-CPU event counter.
 * @field: member of struct pinledger_stats.
 *
 * Context: any, including NMI-free IRQ context; does not sleep.
 */
#define pinledger_count(field)	this_cpu_inc(pinledger_stats.field)

unsigned long pinledger_stat_sum(size_t offset);
#define pinledger_stat(field) \
	pinledger_stat_sum(offsetof(struct pinledger_stats, field))

/* module/layout.c, called from hooks/layout.c */
void pinledger_dax_final_truncate(struct address_space *mapping);
void pinledger_layout_busy_result(bool busy);

#endif /* _PINLEDGER_H */
