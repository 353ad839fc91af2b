// SPDX-License-Identifier: GPL-2.0
/*
 * query.c - who pins a file, or what a process pins.
 *
 * /sys/kernel/debug/pinledger/query: write "PATH" or "pid PID" on an open
 * file descriptor, then read the answer from the same descriptor:
 *
 *   exec 3<>/sys/kernel/debug/pinledger/query
 *   echo /mnt/dax/file >&3; cat <&3
 *
 * A file answer has one "range=" line per run of consecutive pages with the
 * same holders, and a closing "total" line.  Its pages are found in the
 * file's mapping (DAX entries or page-cache folios); each page's ledger
 * entry is compared with its refcount, and references the ledger cannot
 * account for (taken before the module loaded, or untracked) are shown as
 * "unknown" holders, never as unpinned.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <linux/dax.h>
#include "pinledger.h"
#include "pinledger_ledger.h"
#include "compat/gup.h"
#include "compat/dax.h"

struct query {
	struct mutex lock;	/* serialises write and show on one fd */
	struct path path;	/* valid if has_path */
	bool has_path;
	pid_t pid;		/* > 0: a pid query */
};

/* One page's holders, to coalesce runs of equal pages. */
struct page_state {
	struct pinledger_snap snap;	/* ledger view (zeroed if absent) */
	long unknown_pins;
	long unknown_gets;
};

static bool same_holders(const struct page_state *a, const struct page_state *b)
{
	u32 i;

	if (a->snap.pins != b->snap.pins || a->snap.gets != b->snap.gets ||
	    a->unknown_pins != b->unknown_pins ||
	    a->unknown_gets != b->unknown_gets ||
	    a->snap.nr_owners != b->snap.nr_owners)
		return false;
	for (i = 0; i < a->snap.nr_owners; i++) {
		const struct pinledger_snap_owner *x = &a->snap.owners[i];
		const struct pinledger_snap_owner *y = &b->snap.owners[i];

		if (x->tgid != y->tgid || x->flags != y->flags ||
		    x->pins != y->pins || x->gets != y->gets ||
		    x->callsite != y->callsite)
			return false;
	}
	return true;
}

struct walk {
	struct seq_file *m;
	u64 now;
	bool open;		/* a run is pending */
	pgoff_t first, last;
	unsigned long pfn_first;
	struct page_state run;
	unsigned long pinned_pages;
	unsigned long unknown_pages;
};

static void flush_run(struct walk *w)
{
	const struct pinledger_snap *s = &w->run.snap;
	u32 i;

	if (!w->open)
		return;
	seq_printf(w->m, "range=%lu-%lu pfn=0x%lx pins=%u gets=%u",
		   (unsigned long)w->first, (unsigned long)w->last, w->pfn_first,
		   s->pins, s->gets);
	if (w->run.unknown_pins || w->run.unknown_gets)
		seq_printf(w->m, " unknown_pins=%ld unknown_refs=%ld",
			   w->run.unknown_pins, w->run.unknown_gets);
	seq_puts(w->m, " owners:");
	for (i = 0; i < s->nr_owners; i++) {
		const struct pinledger_snap_owner *o = &s->owners[i];

		seq_printf(w->m, " [tgid=%d comm=%s flags=", o->tgid, o->comm);
		pinledger_show_flags(w->m, o->flags);
		seq_printf(w->m, " pins=%u gets=%u age_ms=%llu callsite=%pS]",
			   o->pins, o->gets,
			   div_u64(w->now - o->start_ns, NSEC_PER_MSEC),
			   (void *)o->callsite);
	}
	if (s->more_owners)
		seq_printf(w->m, " +%u more", s->more_owners);
	if (w->run.unknown_pins || w->run.unknown_gets)
		seq_puts(w->m, " [unknown owner: not in the ledger]");
	seq_putc(w->m, '\n');
	w->open = false;
}

static void add_page(struct walk *w, pgoff_t index, unsigned long pfn,
		     struct page_state *ps)
{
	if (!ps->snap.pins && !ps->snap.gets && !ps->unknown_pins &&
	    !ps->unknown_gets) {
		flush_run(w);
		return;
	}
	w->pinned_pages++;
	if (ps->unknown_pins || ps->unknown_gets)
		w->unknown_pages++;
	if (w->open && index == w->last + 1 && same_holders(&w->run, ps)) {
		w->last = index;
		return;
	}
	flush_run(w);
	w->open = true;
	w->first = w->last = index;
	w->pfn_first = pfn;
	w->run = *ps;
}

/* Fill @ps for the folio at @pfn: ledger entry, then what refcount adds. */
static void page_state(unsigned long pfn, struct page_state *ps)
{
	struct folio *folio = page_folio(pfn_to_page(pfn));
	long extra_pins, extra_gets;

	memset(ps, 0, sizeof(*ps));
	if (!pinledger_ledger_lookup(pfn, &ps->snap))
		memset(&ps->snap, 0, sizeof(ps->snap));
	pinledger_unexplained_refs(folio, ps->snap.pins, ps->snap.gets,
				   &extra_pins, &extra_gets);
	ps->unknown_pins = extra_pins;
	ps->unknown_gets = extra_gets;
}

static void walk_mapping(struct walk *w, struct address_space *mapping)
{
	XA_STATE(xas, &mapping->i_pages, 0);
	struct page_state *ps;
	unsigned int n = 0;
	void *entry;

	ps = kmalloc(sizeof(*ps), GFP_KERNEL);
	if (!ps)
		return;
	rcu_read_lock();
	xas_for_each(&xas, entry, ULONG_MAX) {
		if (xas_retry(&xas, entry))
			continue;
		if (dax_mapping(mapping)) {
			unsigned long pfn, i, nr;

			if (!xa_is_value(entry) || pl_dax_is_empty(entry))
				continue;
			pfn = pl_dax_to_pfn(entry);
			nr = pl_dax_is_pmd(entry) ? PTRS_PER_PMD : 1;
			for (i = 0; i < nr; i++) {
				page_state(pfn + i, ps);
				add_page(w, xas.xa_index + i, pfn + i, ps);
			}
		} else if (!xa_is_value(entry)) {
			struct folio *folio = entry;

			page_state(folio_pfn(folio), ps);
			add_page(w, folio->index, folio_pfn(folio), ps);
		}
		if (++n % 256 == 0) {
			xas_pause(&xas);
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();
	flush_run(w);
	kfree(ps);
}

static void show_file(struct seq_file *m, struct query *q)
{
	struct inode *inode = d_inode(q->path.dentry);
	struct walk w = { .m = m, .now = ktime_get_ns() };

	seq_printf(m, "file=%u:%u:%lu dax=%d\n", MAJOR(inode->i_sb->s_dev),
		   MINOR(inode->i_sb->s_dev), inode->i_ino,
		   dax_mapping(inode->i_mapping));
	walk_mapping(&w, inode->i_mapping);
	seq_printf(m, "total pinned_pages=%lu unknown_owner_pages=%lu\n",
		   w.pinned_pages, w.unknown_pages);
}

static void show_pid(struct seq_file *m, struct query *q)
{
	struct pinledger_cursor cur = { };
	struct pinledger_snap *s;
	unsigned long pages = 0;
	u64 now = ktime_get_ns();
	u32 i;

	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return;
	while (pinledger_ledger_next(&cur, s)) {
		for (i = 0; i < s->nr_owners; i++)
			if (s->owners[i].tgid == q->pid)
				break;
		if (i == s->nr_owners)
			continue;
		pinledger_show_snap(m, s, now);
		pages++;
		if (!(pages % 256))
			cond_resched();
	}
	seq_printf(m, "total pid=%d pinned_pages=%lu\n", q->pid, pages);
	kfree(s);
}

static int query_show(struct seq_file *m, void *unused)
{
	struct query *q = m->private;

	mutex_lock(&q->lock);
	if (q->has_path)
		show_file(m, q);
	else if (q->pid > 0)
		show_pid(m, q);
	else
		seq_puts(m, "write a path or \"pid PID\" first\n");
	mutex_unlock(&q->lock);
	return 0;
}

static ssize_t query_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct query *q = ((struct seq_file *)file->private_data)->private;
	struct path path;
	char *buf;
	int ret, pid;

	if (count == 0 || count >= PATH_MAX)
		return -EINVAL;
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	strim(buf);
	mutex_lock(&q->lock);
	if (q->has_path)
		path_put(&q->path);
	q->has_path = false;
	q->pid = 0;
	if (sscanf(buf, "pid %d", &pid) == 1) {
		ret = pid > 0 ? 0 : -EINVAL;
		q->pid = pid;
	} else {
		ret = kern_path(buf, LOOKUP_FOLLOW, &path);
		if (!ret && !d_is_reg(path.dentry)) {
			path_put(&path);
			ret = -EINVAL;
		}
		if (!ret) {
			q->path = path;
			q->has_path = true;
		}
	}
	mutex_unlock(&q->lock);
	if (ret)
		pr_info_ratelimited("query: cannot query \"%*pE\": error %d\n",
				    (int)min_t(size_t, strlen(buf), 128), buf, ret);
	kfree(buf);
	if (ret)
		return ret;
	/* The answer is read from the start of the same descriptor. */
	*ppos = 0;
	return count;
}

static int query_open(struct inode *inode, struct file *file)
{
	struct query *q = kzalloc(sizeof(*q), GFP_KERNEL);
	int ret;

	if (!q)
		return -ENOMEM;
	mutex_init(&q->lock);
	ret = single_open(file, query_show, q);
	if (ret)
		kfree(q);
	return ret;
}

static int query_release(struct inode *inode, struct file *file)
{
	struct query *q = ((struct seq_file *)file->private_data)->private;

	if (q->has_path)
		path_put(&q->path);
	kfree(q);
	return single_release(inode, file);
}

static const struct file_operations query_fops = {
	.owner		= THIS_MODULE,
	.open		= query_open,
	.read		= seq_read,
	.write		= query_write,
	.llseek		= seq_lseek,
	.release	= query_release,
};

/**
 * pinledger_query_init - create the debugfs "query" file.
 * @dir: pinledger's debugfs directory.
 *
 * Context: process context, may sleep; module init.
 */
void pinledger_query_init(struct dentry *dir)
{
	debugfs_create_file("query", 0600, dir, NULL, &query_fops);
}
