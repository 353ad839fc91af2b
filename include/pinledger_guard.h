/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinledger_guard.h - the DAX layout guard (module/guard.c, module/policy.c).
 */
#ifndef _PINLEDGER_GUARD_H
#define _PINLEDGER_GUARD_H

#include <linux/fs.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/timer.h>
#include <linux/cred.h>
#include <linux/sched.h>

enum pinledger_policy {
	PL_POLICY_WAIT,
	PL_POLICY_REVOKE,
	PL_POLICY_BLOCK,
	PL_POLICY_DEFAULT,	/* per-fs override: use the global policy */
};

/* layout_end outcomes, as traced */
enum pinledger_outcome {
	PL_OUT_PROCEEDED,
	PL_OUT_EBUSY,
	PL_OUT_EDEADLK,
	PL_OUT_TIMEOUT,
	PL_OUT_INTERRUPTED,
};

/**
 * struct pl_page_watch - a watch on a busy page's refcount wait queue.
 * @entry:	on the queue, woken by the wake_up_var() that follows the
 *		refcount's drop to idle (any context, bio completion IRQs
 *		included).
 * @var:	the watched refcount (NULL: no watch); changes only while
 *		@entry is on no queue.
 * @wq:		its wait queue (hashed: other variables' wake-ups come too).
 * @work:	what a wake-up queues (on the guard's kick workqueue).
 */
struct pl_page_watch {
	struct wait_queue_entry entry;
	void *var;
	struct wait_queue_head *wq;
	struct work_struct *work;
};

/**
 * struct pinledger_waiter - one layout break that met pinned pages.
 *
 * Allocated by the first busy decision of a break_layouts call (task
 * context), pointed to by the break's kretprobe instance, closed by the
 * break's return probe and freed by the guard's kick worker after that
 * (pinledger_guard_break_done()): nothing in probe context takes a lock
 * or frees memory, as PREEMPT_RT requires.  Holds a module reference.
 *
 * @node:	on the guard's waiter list while @listed.
 * @reap:	on the guard's reap list once @closed.
 * @id:		sequence number, ties trace events together.
 * @mapping:	the mapping; @first, @last: the page range.  Not to be
 *		used once @closed (the inode may be gone) but under RCU
 *		after checking @closed (inodes are freed after a grace period).
 * @dev:	the inode's superblock device.
 * @ino:	the inode number.
 * @first:	first page index of the range.
 * @last:	last page index of the range.
 * @scan_pos:	where the next kick rescan starts: pages before it were
 *		idle when last looked at (a hint; the filesystem's own
 *		re-ask rescans the whole range before anything proceeds).
 * @ticket:	page the filesystem waits on (refcount 2 while @armed).
 * @watch:	the busy page whose drop to idle queues the next rescan.
 * @timer:	wait timeout (@timer_set).
 * @start_ns:	when pins were first met.
 * @cred:	caller's credentials, for revoke permission checks.
 * @tgid:	the caller's process, for the debugfs "waiters" listing.
 * @comm:	its command name.
 * @owners:	first owners of the busy pages.
 * @nr_owners:	entries in @owners.
 * @policy:	policy decided at the start.
 * @verdict:	errno the break must return, 0 to go on.
 * @revoke_ns:	when the last revoke stage ran.
 * @revoke_stage: 0 none, 1 signalled, 2 killed.
 * @started:	pins were met.
 * @listed:	on the waiter list.
 * @armed:	the ticket holds its extra reference.
 * @timed_out:	the timeout fired.
 * @timer_set:	@timer was set up.
 * @revoke:	revoke policy applies.
 * @closed:	the break_layouts call returned (smp_store_release()).
 */
struct pinledger_waiter {
	struct list_head node;
	struct llist_node reap;
	u64 id;
	struct address_space *mapping;
	dev_t dev;
	unsigned long ino;
	pgoff_t first;
	pgoff_t last;
	pgoff_t scan_pos;
	struct page *ticket;
	struct pl_page_watch watch;
	struct timer_list timer;
	u64 start_ns;
	const struct cred *cred;
	pid_t tgid;
	char comm[TASK_COMM_LEN];
	pid_t owners[4];
	int nr_owners;
	unsigned int policy;
	int verdict;
	u64 revoke_ns;
	int revoke_stage;
	bool started;
	bool listed;
	bool armed;
	bool timed_out;
	bool timer_set;
	bool revoke;
	bool closed;
};

/**
 * struct pinledger_wait_info - a copy of one waiting layout change or
 * deferred eviction (pinledger_guard_waiters()).
 * @id:		layout change id (0 for an eviction).
 * @deferred:	a deferred eviction, not a layout change.
 * @policy:	the policy it waits under.
 * @dev:	the inode's superblock device.
 * @ino:	the inode number.
 * @first:	first page index of the changing range.
 * @last:	last page index (ULONG_MAX: to the end).
 * @waited_ns:	how long it has waited.
 * @tgid:	the process making the change.
 * @comm:	its command name.
 * @owners:	first owners of the busy pages.
 * @nr_owners:	entries in @owners; 0: none of the busy pages' owners is
 *		in the ledger (pinned before load, untracked, in flight).
 */
struct pinledger_wait_info {
	u64 id;
	bool deferred;
	unsigned int policy;
	dev_t dev;
	unsigned long ino;
	pgoff_t first;
	pgoff_t last;
	u64 waited_ns;
	pid_t tgid;
	char comm[TASK_COMM_LEN];
	pid_t owners[4];
	int nr_owners;
};

extern unsigned int pinledger_policy;
extern unsigned int pinledger_wait_timeout_ms;
extern unsigned int pinledger_revoke_signal;
extern unsigned int pinledger_revoke_grace_ms;

int pinledger_guard_init(void);
void pinledger_guard_exit(void);
struct page *pinledger_guard_busy(struct pinledger_waiter **wp,
				  struct address_space *mapping,
				  loff_t start, loff_t end);
bool pinledger_guard_watches(struct address_space *mapping);
long pinledger_guard_break_done(struct pinledger_waiter *w, long ret);
void pinledger_guard_released(struct page *page);
void pinledger_guard_wake_var(struct page *page);
void pinledger_guard_iput(struct inode *inode);
int pinledger_guard_sb_deferred(struct super_block *sb);
void pinledger_guard_sb_shutdown(struct super_block *sb);
long pinledger_guard_umount(struct super_block *sb, long ret, bool idle_completes);
int pinledger_guard_deferred(void);
void pinledger_guard_debugfs_init(struct dentry *dir);
int pinledger_guard_waiters(struct pinledger_wait_info *v, int max);
struct pinledger_wait_info *pinledger_guard_waiters_alloc(int *nr);

/* module/policy.c */
struct super_block;
unsigned int pinledger_fs_policy(const struct super_block *sb);
int pinledger_policy_parse(const char *s, unsigned int *policy);
const char *pinledger_policy_name(unsigned int policy);

#endif /* _PINLEDGER_GUARD_H */
