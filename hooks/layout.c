// SPDX-License-Identifier: GPL-2.0
/*
 * layout.c - hooks on DAX layout changes: layout breaks, eviction, umount.
 *
 * Thin translators into module/guard.c (see its DOC for the design):
 *
 *   dax_layout_busy_page_range	 ftrace, IPMODIFY: calls on DAX mappings
 *				 resume in busy_page_redirected(), where the
 *				 guard does the original's job in its place
 *				 (unmap, scan) and picks, in task context,
 *				 the page the filesystem waits on, or none;
 *				 the original does not run
 *   ext4_break_layouts,	 kretprobes: carry the guard's verdict out
 *   xfs_break_layouts		 as the function's return value (optional:
 *				 the filesystem may not be loaded).  xfs
 *				 loops over xfs_break_dax_layouts() in
 *				 xfs_break_layouts(): the outer call is the
 *				 one that spans the whole wait
 *   iput			 ftrace: defer eviction of busy unlinked
 *				 DAX inodes
 *   security_sb_umount		 kretprobe: EBUSY while a deferral on the
 *				 superblock has busy pages
 *   deactivate_super		 ftrace, IPMODIFY, only while evictions are
 *				 deferred: calls for a superblock with
 *				 deferrals resume in deactivate_redirected(),
 *				 which completes them (task context, may
 *				 sleep) and then calls the original by name.
 *				 Optional: if another IPMODIFY user holds it,
 *				 umount is refused while any deferral lives
 *   truncate_inode_pages_final	 ftrace: counts DAX final truncates
 *   __bio_release_pages	 kretprobe, kernels without BIO_PAGE_PINNED
 *				 (6.1): bios drop their FOLL_GET references
 *				 with folio_put_refs(), which does not wake
 *				 fsdax waiters: the return handler does
 *
 * The busy hook does not redirect, and the break probes skip their return
 * (the entry handler returns 1), for mappings that are not DAX: ext4 and
 * xfs break layouts on every truncate, DAX or not, and the guard has
 * nothing to decide there.
 *
 * Why a redirect and not a return probe for the busy decision: the
 * decision allocates, takes the guard's and the ledger's locks and syncs
 * the ledger's journals (to name owners and see the caller's own pins),
 * none of which a probe handler may do on PREEMPT_RT, where it runs with
 * preemption disabled and spinlock_t sleeps.  The redirected call runs in
 * the filesystem's task context.  It holds a module reference from the
 * callback until it returns: the unmap and the decision may sleep,
 * which RCU-tasks (ftrace_ops removal) would take as the task having left
 * module text.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/fs.h>
#include <linux/dax.h>
#include <linux/mount.h>
#include <linux/bio.h>
#include <linux/wait_bit.h>
#include "pinledger.h"
#include "pinledger_hooks.h"
#include "pinledger_guard.h"
#include "pinledger_ledger.h"
#include "pinledger_journal.h"
#include "compat/gup.h"

enum { L_TRUNC_FINAL, L_BUSY, L_EXT4_BREAK, L_XFS_BREAK, L_IPUT, L_UMOUNT,
       L_DEACTIVATE, L_BIO };

/* void truncate_inode_pages_final(struct address_space *mapping) */
static void notrace truncate_final_entry(unsigned long ip, unsigned long parent_ip,
					 struct ftrace_ops *op,
					 struct ftrace_regs *fregs)
{
	struct address_space *mapping;
	int bit;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	pinledger_ftrace_hit(op);
	mapping = (struct address_space *)ftrace_regs_get_argument(fregs, 0);
	pinledger_dax_final_truncate(mapping);
	ftrace_test_recursion_unlock(bit);
}

/* A break_layouts call's instance data: its waiter, once pins are met. */
struct break_call {
	struct pinledger_waiter *w;
};

/* The waiter slot of the break_layouts call this check runs in, if hooked. */
static struct pinledger_waiter **enclosing_waiter(void)
{
	struct break_call *bc;

	bc = pinledger_hook_enclosing(&pinledger_layout_hooks[L_EXT4_BREAK]);
	if (!bc)
		bc = pinledger_hook_enclosing(&pinledger_layout_hooks[L_XFS_BREAK]);
	return bc ? &bc->w : NULL;
}

/*
 * Where dax_layout_busy_page_range() calls on DAX mappings resume: same
 * signature, so the trampoline's restored argument registers are its
 * arguments and its return goes to the filesystem.  Task context.  The
 * original is not called (the guard unmaps and scans in its place): one
 * scan of the range, not two, and no second pass through this hook.
 */
static noinline struct page *notrace busy_page_redirected(struct address_space *mapping,
							  loff_t start, loff_t end)
{
	struct page *page;

	page = pinledger_guard_busy(enclosing_waiter(), mapping, start, end);
	/* Taken by busy_page_entry(); only the return is left to run. */
	module_put(THIS_MODULE);
	return page;
}

/*
 * struct page *dax_layout_busy_page_range(struct address_space *mapping,
 *					   loff_t start, loff_t end)
 */
static void notrace busy_page_entry(unsigned long ip, unsigned long parent_ip,
				    struct ftrace_ops *op,
				    struct ftrace_regs *fregs)
{
	struct address_space *mapping;
	int bit;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	pinledger_ftrace_hit(op);
	pinledger_count(layout_breaks);
	mapping = (struct address_space *)ftrace_regs_get_argument(fregs, 0);
	/* Not DAX: the stock answer (none) stands. */
	if (!pinledger_guard_watches(mapping) || !try_module_get(THIS_MODULE))
		goto out;
	if (!pl_ftrace_redirect(fregs, (unsigned long)busy_page_redirected)) {
		WARN_ON_ONCE(1);
		module_put(THIS_MODULE);
	}
out:
	ftrace_test_recursion_unlock(bit);
}

/*
 * int ext4_break_layouts(struct inode *inode)
 * int xfs_break_layouts(struct inode *inode, uint *iolock,
 *			 enum layout_break_reason reason)
 */
static int notrace break_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct break_call *bc = (struct break_call *)ri->data;
	struct inode *inode = (struct inode *)regs_get_kernel_argument(regs, 0);

	pinledger_kretprobe_hit(ri);
	/* Not DAX: the guard has nothing to decide, no return probe. */
	if (!inode || !pinledger_guard_watches(inode->i_mapping))
		return 1;
	bc->w = NULL;
	return 0;
}

static int notrace break_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct break_call *bc = (struct break_call *)ri->data;
	long ret = (int)regs_return_value(regs);

	/* Met no busy page: no waiter, the filesystem's answer stands. */
	if (!bc->w)
		return 0;
	ret = pinledger_guard_break_done(bc->w, ret);
	regs_set_return_value(regs, (unsigned long)ret);
	return 0;
}

/* void iput(struct inode *inode) */
static void notrace iput_entry(unsigned long ip, unsigned long parent_ip,
			       struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	int bit = ftrace_test_recursion_trylock(ip, parent_ip);

	if (bit < 0)
		return;
	pinledger_ftrace_hit(op);
	pinledger_guard_iput((struct inode *)ftrace_regs_get_argument(fregs, 0));
	ftrace_test_recursion_unlock(bit);
}

/* int security_sb_umount(struct vfsmount *mnt, int flags) */
static int notrace umount_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vfsmount *mnt = (struct vfsmount *)regs_get_kernel_argument(regs, 0);

	pinledger_kretprobe_hit(ri);
	*(struct super_block **)ri->data = mnt->mnt_sb;
	return 0;
}

static int notrace umount_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct super_block *sb = *(struct super_block **)ri->data;
	long ret = (int)regs_return_value(regs);

	/* Idle deferrals are completed at shutdown only if redirected there. */
	bool redirect = READ_ONCE(pinledger_layout_hooks[L_DEACTIVATE].installed);

	regs_set_return_value(regs, (unsigned long)pinledger_guard_umount(sb, ret, redirect));
	return 0;
}

/*
 * Where deactivate_super() calls for a superblock with deferred evictions
 * resume: same signature, task context, no fs lock held.  The deferrals
 * are completed before the original runs - by name, a direct call,
 * exported on every kernel; its callback finds no deferral left on @sb
 * and lets it through (a deferral made meanwhile is completed by that
 * nested call the same way).  Not a tail call: the module reference
 * taken by deactivate_entry() is dropped after it.
 */
static noinline void notrace deactivate_redirected(struct super_block *sb)
{
	pinledger_guard_sb_shutdown(sb);
	deactivate_super(sb);
	module_put(THIS_MODULE);
}

/* void deactivate_super(struct super_block *s) */
static void notrace deactivate_entry(unsigned long ip, unsigned long parent_ip,
				     struct ftrace_ops *op,
				     struct ftrace_regs *fregs)
{
	struct super_block *sb;
	int bit;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	pinledger_ftrace_hit(op);
	sb = (struct super_block *)ftrace_regs_get_argument(fregs, 0);
	if (!pinledger_guard_sb_deferred(sb) || !try_module_get(THIS_MODULE))
		goto out;
	if (!pl_ftrace_redirect(fregs, (unsigned long)deactivate_redirected)) {
		WARN_ON_ONCE(1);
		module_put(THIS_MODULE);
	}
out:
	ftrace_test_recursion_unlock(bit);
}

#ifndef HAVE_BIO_PAGE_PINNED
/* void __bio_release_pages(struct bio *bio, bool mark_dirty)	(6.1) */
static int notrace bio_release_entry(struct kretprobe_instance *ri,
				     struct pt_regs *regs)
{
	struct bio *bio = (struct bio *)regs_get_kernel_argument(regs, 0);

	pinledger_kretprobe_hit(ri);
	*(struct bio **)ri->data = bio;
	/*
	 * The FOLL_GETs dropped here are not journaled: on fsdax folios the
	 * ledger sees them go by refcount at its next sync
	 * (pinledger_index_sweep()), and a record here would count them
	 * twice when the acquisition is absorbed after the release.
	 */
	return 0;
}

static int notrace bio_release_return(struct kretprobe_instance *ri,
				      struct pt_regs *regs)
{
	struct bio *bio = *(struct bio **)ri->data;
	struct folio_iter fi;

	bio_for_each_folio_all(fi, bio) {
		if (!pl_page_is_fsdax(&fi.folio->page))
			continue;
		/* folio_put_refs() does not wake fsdax waiters; do it. */
		if (folio_ref_count(fi.folio) == 1)
			pinledger_guard_wake_var(&fi.folio->page);
		pinledger_guard_released(&fi.folio->page);
	}
	return 0;
}
#endif

/**
 * pinledger_layout_ftrace - run the callback of one of this file's hooks.
 * @h:		the hook whose function was entered.
 * @ip:		the traced function's fentry site.
 * @parent_ip:	its caller.
 * @fregs:	the traced call's registers.
 *
 * Called by the engine's shared ftrace_ops (hooks/engine.c) for every
 * observing ftrace hook of this file; calls the callback by name.
 *
 * Context: ftrace callback (preemption disabled); does not sleep.
 */
void notrace pinledger_layout_ftrace(struct pinledger_hook *h, unsigned long ip,
				     unsigned long parent_ip, struct ftrace_regs *fregs)
{
	PL_FTRACE_CALL(h, truncate_final_entry, ip, parent_ip, fregs);
	PL_FTRACE_CALL(h, iput_entry, ip, parent_ip, fregs);
	WARN_ON_ONCE(1);
}

struct pinledger_hook pinledger_layout_hooks[] = {
	[L_TRUNC_FINAL] = PINLEDGER_FTRACE_HOOK(truncate_final_entry, PL_HOOK_PLAIN,
		"truncate_inode_pages_final"),
	[L_BUSY] = PINLEDGER_FTRACE_HOOK(busy_page_entry, .ipmodify = true,
		"dax_layout_busy_page_range"),
	[L_EXT4_BREAK] = PINLEDGER_KRETPROBE_HOOK(break_entry, break_return,
		sizeof(struct break_call), .optional = true, "ext4_break_layouts"),
	[L_XFS_BREAK] = PINLEDGER_KRETPROBE_HOOK(break_entry, break_return,
		sizeof(struct break_call), .optional = true, "xfs_break_layouts"),
	[L_IPUT] = PINLEDGER_FTRACE_HOOK(iput_entry, PL_HOOK_PLAIN, "iput"),
	[L_UMOUNT] = PINLEDGER_KRETPROBE_HOOK(umount_entry, umount_return,
		sizeof(struct super_block *), PL_HOOK_PLAIN, "security_sb_umount"),
	[L_DEACTIVATE] = PINLEDGER_FTRACE_HOOK(deactivate_entry,
		PL_HOOK_OPTIONAL_IPMODIFY, "deactivate_super"),
#ifndef HAVE_BIO_PAGE_PINNED
	[L_BIO] = PINLEDGER_KRETPROBE_HOOK(bio_release_entry, bio_release_return,
		sizeof(struct bio *), PL_HOOK_PLAIN, "__bio_release_pages"),
#endif
	{ }
};
