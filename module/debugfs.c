// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs.c - /sys/kernel/debug/pinledger: listings and counters.
 *
 * hooks	one line per hook: symbol, kind, state, hits, missed
 * counters	"name value" lines of every counter
 * pins		one line per pinned folio (format in docs/ABI)
 * waiters	layout changes waiting for pins, deferred evictions (guard.c)
 *
 * fail_alloc_percent	fault injection for tests (0600)
 *
 * For people: tools use /dev/pinledger (module/uapi.c), which works with
 * debugfs unmounted and under kernel lockdown.  Every file but the test
 * knob is read-only and root-only (0400: listings name other users'
 * processes); lockdown lets such files be read.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/ktime.h>
#include "pinledger.h"
#include "pinledger_ledger.h"
#include "pinledger_hooks.h"
#include "pinledger_guard.h"
#include "pinledger_origin.h"
#include "uapi/linux/pinledger.h"

struct dentry *pinledger_debugfs_root;

static int counters_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	for (i = 0; i < PINLEDGER_CTR_NR; i++)
		seq_printf(m, "%s %ld\n", pinledger_counter_name(i),
			   pinledger_counter(i));
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
 * pinledger_show_flags - print PL_F_* flags as "PIN|LONGTERM|WRITE".
 * @m: seq_file.
 * @flags: PL_F_* bits.
 *
 * Context: process context.
 */
void pinledger_show_flags(struct seq_file *m, u32 flags)
{
	static const char *const names[] = { "PIN", "GET", "LONGTERM", "WRITE" };
	bool first = true;
	int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(flags & (1U << i)))
			continue;
		seq_printf(m, "%s%s", first ? "" : "|", names[i]);
		first = false;
	}
	if (first)
		seq_puts(m, "-");
}

/**
 * pinledger_show_snap - print one ledger entry as a "pins" line.
 * @m: seq_file.
 * @s: the entry.
 * @now: ktime_get_ns() of the listing, for ages.
 *
 * "pfn=0x.. file=DEV:INO:INDEX|anon pins=N gets=N owners: tgid=T comm=C
 *  flags=F pins=N gets=N age_ms=A callsite=SYM+off/len [...]"
 *
 * Context: process context.
 */
void pinledger_show_snap(struct seq_file *m, const struct pinledger_snap *s,
			 u64 now)
{
	u32 i;

	seq_printf(m, "pfn=0x%lx ", s->pfn);
	if (s->dev)
		seq_printf(m, "file=%u:%u:%lu:%lu", MAJOR(s->dev), MINOR(s->dev),
			   s->ino, (unsigned long)s->index);
	else
		seq_puts(m, "file=anon");
	seq_printf(m, " pins=%u gets=%u owners:", s->pins, s->gets);
	for (i = 0; i < s->nr_owners; i++) {
		const struct pinledger_snap_owner *o = &s->owners[i];

		seq_printf(m, " [tgid=%d comm=%s flags=", o->tgid, o->comm);
		pinledger_show_flags(m, o->flags);
		seq_printf(m, " pins=%u gets=%u age_ms=%llu cgroup=%llu%s callsite=%pS",
			   o->pins, o->gets, div_u64(now - o->start_ns, NSEC_PER_MSEC),
			   o->cgroup, o->longlived ? " longlived" : "",
			   (void *)o->callsite);
		if (o->stack)
			seq_printf(m, " stack=%u", o->stack);
		seq_putc(m, ']');
	}
	if (s->more_owners)
		seq_printf(m, " +%u more", s->more_owners);
	seq_putc(m, '\n');
}

/*
 * A walk of the ledger for the "pins" listing.  @snap holds the entry at
 * position @pos when @valid.  seq_file re-asks for a position whose record
 * did not fit the buffer, so start() must be able to show @snap again.
 */
struct pins_iter {
	struct pinledger_cursor cur;
	struct pinledger_snap snap;
	u64 now;
	loff_t pos;
	bool valid;
};

static void *pins_advance(struct pins_iter *it)
{
	it->valid = pinledger_ledger_next(&it->cur, &it->snap);
	return it->valid ? it : NULL;
}

static void *pins_start(struct seq_file *m, loff_t *pos)
{
	struct pins_iter *it = m->private;
	loff_t i;

	if (it->valid && *pos == it->pos)
		return it;
	if (it->valid && *pos == it->pos + 1) {
		it->pos = *pos;
		return pins_advance(it);
	}
	/* Anything else (a new read, a seek): walk again from the start. */
	memset(&it->cur, 0, sizeof(it->cur));
	it->now = ktime_get_ns();
	for (i = 0; i <= *pos; i++)
		if (!pins_advance(it))
			return NULL;
	it->pos = *pos;
	return it;
}

static void *pins_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct pins_iter *it = m->private;

	it->pos = ++*pos;
	return pins_advance(it);
}

static void pins_stop(struct seq_file *m, void *v)
{
}

static int pins_show(struct seq_file *m, void *v)
{
	struct pins_iter *it = v;

	pinledger_show_snap(m, &it->snap, it->now);
	return 0;
}

static const struct seq_operations pins_sops = {
	.start	= pins_start,
	.next	= pins_next,
	.stop	= pins_stop,
	.show	= pins_show,
};

static int pins_open(struct inode *inode, struct file *file)
{
	return seq_open_private(file, &pins_sops, sizeof(struct pins_iter));
}

static const struct file_operations pins_fops = {
	.owner		= THIS_MODULE,
	.open		= pins_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= seq_release_private,
};

/*
 * fail_alloc_percent: fault injection for the ledger's allocations, off
 * (0) by default.  Failed allocations leave the pins untracked: they
 * still count as pinned by refcount wherever the module decides.
 */
static ssize_t fail_alloc_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	char buf[16];
	int len = scnprintf(buf, sizeof(buf), "%u\n",
			    READ_ONCE(pinledger_fail_alloc_percent));

	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static ssize_t fail_alloc_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	unsigned int val;

	if (kstrtouint_from_user(ubuf, count, 0, &val) || val > 100) {
		pr_info_ratelimited("fail_alloc_percent: want an integer in 0..100\n");
		return -EINVAL;
	}
	WRITE_ONCE(pinledger_fail_alloc_percent, val);
	if (val)
		pr_info("ledger allocation failure injection at %u%%\n", val);
	return count;
}

static const struct file_operations fail_alloc_fops = {
	.owner		= THIS_MODULE,
	.read		= fail_alloc_read,
	.write		= fail_alloc_write,
	.llseek		= default_llseek,
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
	debugfs_create_file("pins", 0400, pinledger_debugfs_root, NULL,
			    &pins_fops);
	debugfs_create_file("fail_alloc_percent", 0600,
				   pinledger_debugfs_root, NULL, &fail_alloc_fops);
	pinledger_guard_debugfs_init(pinledger_debugfs_root);
	pinledger_longlived_debugfs(pinledger_debugfs_root);
	pinledger_cgroups_debugfs(pinledger_debugfs_root);
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
