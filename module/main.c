// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - pinledger module init and exit.
 *
 * pinledger keeps a ledger of get_user_pages()/pin_user_pages() references
 * and makes layout changes of DAX files wait for the pins in their range.
 * Init first refuses a kernel whose fsdax refcounting the guard does not
 * know (pl_fsdax_refcount_supported(): 6.15+).  Init order: ledger,
 * guard, page-cache worker, debugfs, sysfs, the device (/dev/pinledger),
 * hooks; exit undoes it in reverse, hooks first, so no callback can reach
 * state that is being torn down.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include "pinledger.h"
#include "pinledger_ledger.h"
#include "pinledger_journal.h"
#include "pinledger_guard.h"
#include "pinledger_pagecache.h"
#include "pinledger_config.h"
#include "compat/dax.h"

DEFINE_PER_CPU(struct pinledger_stats, pinledger_stats);

/**
 * pinledger_stat_sum - sum one counter of struct pinledger_stats over CPUs.
 * @offset: offsetof() the counter.
 *
 * Context: any; the sum is not atomic against concurrent increments.
 * Return: the sum.
 */
long pinledger_stat_sum(size_t offset)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *(long *)((char *)per_cpu_ptr(&pinledger_stats, cpu) +
				 offset);
	return sum;
}

/**
 * pinledger_features - the kernel features this build detected.
 *
 * Context: any.
 * Return: a space-separated list of the HAVE_* probes that passed, and
 * "ibt" when the kernel was built with indirect branch tracking.
 */
const char *pinledger_features(void)
{
	return ""
#ifdef HAVE_FTRACE_REGS_GET_ARGUMENT
		"ftrace_regs_get_argument "
#endif
#ifdef HAVE_FOLL_PIN_VISIBLE
		"foll_pin_visible "
#endif
#ifdef HAVE_GUP_VMAS_ARG
		"gup_vmas_arg "
#endif
#ifdef HAVE_MNT_IDMAP
		"mnt_idmap "
#endif
#ifdef HAVE_PUT_DEVMAP_MANAGED_FOLIO_REFS
		"put_devmap_managed_folio_refs "
#endif
#ifdef HAVE_BIO_PAGE_PINNED
		"bio_page_pinned "
#endif
#ifdef CONFIG_X86_KERNEL_IBT
		"ibt "
#endif
		;
}

static int __init pinledger_init(void)
{
	int ret;

	if (!pl_fsdax_refcount_supported()) {
		pr_err("fsdax folio refcounting of this kernel (6.15+) is not supported yet: the guard would free pinned blocks\n");
		return -EOPNOTSUPP;
	}
	ret = pinledger_ledger_init();
	if (ret)
		return ret;
	ret = pinledger_journal_init();
	if (ret)
		goto err_ledger;
	ret = pinledger_guard_init();
	if (ret)
		goto err_journal;
	ret = pinledger_pagecache_init();
	if (ret)
		goto err_guard;
	ret = pinledger_debugfs_init();
	if (ret)
		goto err_pagecache;
	ret = pinledger_sysfs_init();
	if (ret)
		goto err_debugfs;
	ret = pinledger_uapi_init();
	if (ret)
		goto err_sysfs;
	ret = pinledger_longlived_init();
	if (ret)
		goto err_uapi;
	ret = pinledger_hooks_install();
	if (ret)
		goto err_longlived;
	pr_info("version %s loaded; features: %s\n", PINLEDGER_VERSION,
		pinledger_features());
	return 0;

err_longlived:
	pinledger_longlived_exit();
err_uapi:
	pinledger_uapi_exit();
err_sysfs:
	pinledger_sysfs_exit();
err_debugfs:
	pinledger_debugfs_exit();
err_pagecache:
	pinledger_pagecache_exit();
err_guard:
	pinledger_guard_exit();
err_journal:
	pinledger_journal_exit();
err_ledger:
	pinledger_ledger_exit();
	return ret;
}

static void __exit pinledger_exit(void)
{
	pinledger_hooks_remove();
	pinledger_longlived_exit();
	pinledger_uapi_exit();
	pinledger_sysfs_exit();
	pinledger_debugfs_exit();
	pinledger_pagecache_exit();
	pinledger_guard_exit();
	pinledger_journal_exit();
	pinledger_ledger_exit();
	pr_info("unloaded\n");
}

module_init(pinledger_init);
module_exit(pinledger_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("pinledger developers");
MODULE_DESCRIPTION("Ledger of GUP/DMA pins; DAX layout changes wait for pins to drain");
MODULE_VERSION(PINLEDGER_VERSION);
