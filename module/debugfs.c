// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs.c - /sys/kernel/debug/pinledger: listings and counters.
 *
 * hooks	one line per hook: symbol, kind, state, hits, missed
 * counters	"name value" lines of the event counters
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include "pinledger.h"

struct dentry *pinledger_debugfs_root;

static int counters_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "dax_final_truncates %lu\n", pinledger_stat(dax_final_truncates));
	seq_printf(m, "layout_breaks %lu\n", pinledger_stat(layout_breaks));
	seq_printf(m, "layout_busy %lu\n", pinledger_stat(layout_busy));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(counters);

static int hooks_open(struct inode *inode, struct file *file)
{
	return single_open(file, pinledger_hooks_show, NULL);
}

static const struct file_operations hooks_fops = {
	.owner		= THIS_MODULE,
	.open		= hooks_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= single_release,
};

/**
 * pinledger_debugfs_init - create /sys/kernel/debug/pinledger.
 *
 * Context: process context, may sleep; module init.
 * Return: 0.  debugfs failures are not fatal (debugfs may be disabled).
 */
int pinledger_debugfs_init(void)
{
	pinledger_debugfs_root = debugfs_create_dir("pinledger", NULL);
	debugfs_create_file("counters", 0400, pinledger_debugfs_root, NULL,
			    &counters_fops);
	debugfs_create_file("hooks", 0400, pinledger_debugfs_root, NULL,
			    &hooks_fops);
	return 0;
}

/**
 * pinledger_debugfs_exit - remove /sys/kernel/debug/pinledger.
 *
 * Context: process context, may sleep.  Waits for open files' readers.
 */
void pinledger_debugfs_exit(void)
{
	debugfs_remove_recursive(pinledger_debugfs_root);
	pinledger_debugfs_root = NULL;
}
