// SPDX-License-Identifier: GPL-2.0
/*
 * uapi.c - /dev/pinledger: the module's interface for tools.
 *
 * A misc character device, root-only (mode 0600, and CAP_SYS_ADMIN at
 * open and at every ioctl: the answers name other users' processes and
 * physical pages).  One ioctl per question, each a versioned struct of
 * include/uapi/linux/pinledger.h (documented in docs/ABI/uapi-pinledger):
 *
 *   PINLEDGER_IOC_VERSION	ABI version, record sizes, module version
 *   PINLEDGER_IOC_QUERY	who holds pages of a file, given as an fd
 *				(module/query.c walks its mapping)
 *   PINLEDGER_IOC_PINS		the ledger, a batch of folios per call,
 *				with a cursor (pinledger_ledger_next())
 *   PINLEDGER_IOC_WAITERS	layout changes and evictions waiting for
 *				pins (pinledger_guard_waiters())
 *   PINLEDGER_IOC_COUNTERS	every counter (module/counters.c)
 *   PINLEDGER_IOC_STACK	a saved GUP call stack (module/stacks.c)
 *
 * The file is passed as a descriptor, not a path: no path lookup in the
 * kernel, no race between the caller's check and ours.  Unlike debugfs,
 * the device keeps working with debugfs unmounted and under kernel
 * lockdown.  Each request is validated completely before anything is
 * taken; nothing is kept between calls (the cursors live in user space).
 *
 * The ioctl number's size bits are not matched: a request's own @size
 * field says which version of its struct the caller has.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/capability.h>
#include <linux/uaccess.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include <linux/ktime.h>
#include "pinledger.h"
#include "pinledger_ledger.h"
#include "pinledger_guard.h"
#include "pinledger_origin.h"
#include "uapi/linux/pinledger.h"

/* Sizes of ABI version 1: a caller's struct may not be smaller. */
#define VERSION_SIZE_V1		offsetofend(struct pinledger_version, module_version)
#define QUERY_SIZE_V1		offsetofend(struct pinledger_query, unknown_pages)
#define PINS_SIZE_V1		offsetofend(struct pinledger_pins, ino)
#define WAITERS_SIZE_V1		offsetofend(struct pinledger_waiters, waiters)
#define COUNTERS_SIZE_V1	offsetofend(struct pinledger_counters, values)
#define RANGE_SIZE_V1		offsetof(struct pinledger_range, owners_ext)
#define PIN_SIZE_V1		offsetof(struct pinledger_pin, owners_ext)
#define STACK_SIZE_V2		offsetofend(struct pinledger_stack, nr_frames)
#define WAITER_SIZE_V1		sizeof(struct pinledger_wait)

/*
 * Copy in the request at @uarg: its leading u32 size, at least @min_size
 * and at most PINLEDGER_MAX_STRUCT, then the struct (zero-extended if
 * older than ours; E2BIG if newer with non-zero fields we lack).
 */
static int get_request(void __user *uarg, void *req, size_t ksize,
		       size_t min_size, u32 *usize)
{
	if (get_user(*usize, (u32 __user *)uarg))
		return -EFAULT;
	if (*usize < min_size)
		return -EINVAL;
	if (*usize > PINLEDGER_MAX_STRUCT)
		return -E2BIG;
	return copy_struct_from_user(req, ksize, uarg, *usize);
}

/* Copy the answer back: the part of the struct the caller has. */
static int put_answer(void __user *uarg, const void *req, size_t ksize,
		      u32 usize)
{
	return copy_to_user(uarg, req, min_t(size_t, ksize, usize)) ? -EFAULT : 0;
}

/*
 * Check a user array of @nr records of @rec_size bytes at @ubuf (a record
 * at least @min_rec bytes): EINVAL for a record smaller than version 1's
 * or too many records, E2BIG for a record larger than we accept, EFAULT
 * for an address range that wraps or is not user memory.
 */
static int check_records(u64 ubuf, u32 nr, u32 rec_size, size_t min_rec,
			 u32 max_nr)
{
	u64 len, end;

	if (rec_size < min_rec || nr > max_nr)
		return -EINVAL;
	if (rec_size > PINLEDGER_MAX_STRUCT)
		return -E2BIG;
	if (check_mul_overflow((u64)nr, (u64)rec_size, &len) ||
	    check_add_overflow(ubuf, len, &end))
		return -EFAULT;
	if (!access_ok(u64_to_user_ptr(ubuf), len))
		return -EFAULT;
	return 0;
}

/* Write record @i of @rec_size bytes at @ubuf from @rec (@ksize bytes). */
static int put_record(u64 ubuf, u32 i, u32 rec_size, const void *rec,
		      size_t ksize)
{
	void __user *dst = u64_to_user_ptr(ubuf + (u64)i * rec_size);

	if (copy_to_user(dst, rec, min_t(size_t, ksize, rec_size)))
		return -EFAULT;
	if (rec_size > ksize && clear_user(dst + ksize, rec_size - ksize))
		return -EFAULT;
	return 0;
}

static void put_owners(struct pinledger_holder *uo,
		       struct pinledger_holder_ext *ux, u32 *nr, u32 *more,
		       const struct pinledger_snap *s, u64 now)
{
	u32 i;

	for (i = 0; i < s->nr_owners && i < PINLEDGER_MAX_OWNERS; i++) {
		const struct pinledger_snap_owner *o = &s->owners[i];

		ux[i].cgroup_id = o->cgroup;
		ux[i].stack_id = o->stack;
		ux[i].xflags = o->longlived ? PINLEDGER_X_LONGLIVED : 0;

		uo[i].tgid = o->tgid;
		uo[i].flags = o->flags;
		uo[i].pins = o->pins;
		uo[i].gets = o->gets;
		uo[i].age_ns = now > o->start_ns ? now - o->start_ns : 0;
		strscpy(uo[i].comm, o->comm, sizeof(uo[i].comm));
		snprintf(uo[i].callsite, sizeof(uo[i].callsite), "%pS",
			 (void *)o->callsite);
	}
	*nr = i;
	*more = s->more_owners + (s->nr_owners - i);
}

static long ioc_version(void __user *uarg)
{
	struct pinledger_version v;
	u32 usize;
	int ret;

	ret = get_request(uarg, &v, sizeof(v), VERSION_SIZE_V1, &usize);
	if (ret)
		return ret;
	v.abi_version = PINLEDGER_ABI_VERSION;
	v.range_size = sizeof(struct pinledger_range);
	v.pin_size = sizeof(struct pinledger_pin);
	v.waiter_size = sizeof(struct pinledger_wait);
	v.nr_counters = PINLEDGER_CTR_NR;
	v.max_owners = PINLEDGER_MAX_OWNERS;
	v.reserved = 0;
	strscpy(v.module_version, PINLEDGER_VERSION, sizeof(v.module_version));
	return put_answer(uarg, &v, sizeof(v), usize);
}

/*
 * PINLEDGER_IOC_QUERY.  Errors: EBADF (not an open fd, or O_PATH),
 * EISDIR / EINVAL (a directory / not a regular file), EOPNOTSUPP (not a
 * DAX file and no PINLEDGER_QUERY_PAGECACHE), ENXIO (@first past the end
 * of the file), EINVAL (bad flags, @last < @first, no room), EFAULT.
 */
static long ioc_query(void __user *uarg)
{
	struct pinledger_file_walk *w = NULL;
	struct pinledger_range *rec = NULL;
	struct pinledger_run *run = NULL;
	struct pinledger_query q;
	struct file *file = NULL;
	struct inode *inode;
	u64 now, pages, last;
	pgoff_t next;
	u32 usize, n = 0;
	int ret;

	ret = get_request(uarg, &q, sizeof(q), QUERY_SIZE_V1, &usize);
	if (ret)
		return ret;
	if (q.flags & ~PINLEDGER_QUERY_PAGECACHE)
		return -EINVAL;
	if (!q.nr_ranges || q.last < q.first)
		return -EINVAL;
	ret = check_records(q.ranges, q.nr_ranges, q.rec_size, RANGE_SIZE_V1,
			    PINLEDGER_MAX_RECORDS);
	if (ret)
		return ret;

	file = fget(q.fd);
	if (!file)
		return -EBADF;
	inode = file_inode(file);
	if (S_ISDIR(inode->i_mode)) {
		ret = -EISDIR;
		goto out_file;
	}
	if (!S_ISREG(inode->i_mode)) {
		ret = -EINVAL;
		goto out_file;
	}
	if (!IS_DAX(inode) && !(q.flags & PINLEDGER_QUERY_PAGECACHE)) {
		ret = -EOPNOTSUPP;
		goto out_file;
	}
	pages = DIV_ROUND_UP_ULL((u64)i_size_read(inode), PAGE_SIZE);
	if (q.first && q.first >= pages) {
		ret = -ENXIO;
		goto out_file;
	}
	last = min_t(u64, q.last, ULONG_MAX - 1);

	ret = -ENOMEM;
	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		goto out_file;
	run = kmalloc(sizeof(*run), GFP_KERNEL);
	if (!run)
		goto out_walk;
	rec = kmalloc(sizeof(*rec), GFP_KERNEL);
	if (!rec)
		goto out_run;

	q.dev_major = MAJOR(inode->i_sb->s_dev);
	q.dev_minor = MINOR(inode->i_sb->s_dev);
	q.ino = inode->i_ino;
	q.out_flags = IS_DAX(inode) ? PINLEDGER_OUT_DAX : 0;
	q.pinned_pages = 0;
	q.unknown_pages = 0;
	q.next = 0;
	now = ktime_get_ns();
	pinledger_file_walk_start(w, file->f_mapping, q.first, last);
	ret = 0;
	while (n < q.nr_ranges && pinledger_file_walk_next(w, run)) {
		u64 len = run->last - run->first + 1;

		memset(rec, 0, sizeof(*rec));
		rec->first = run->first;
		rec->last = run->last;
		rec->pfn = run->pfn;
		rec->pins = run->snap.pins;
		rec->gets = run->snap.gets;
		rec->unknown_pins = clamp_val(run->unknown_pins, 0, U32_MAX);
		rec->unknown_refs = clamp_val(run->unknown_gets, 0, U32_MAX);
		put_owners(rec->owners, rec->owners_ext, &rec->nr_owners,
			   &rec->more_owners, &run->snap, now);
		ret = put_record(q.ranges, n, q.rec_size, rec, sizeof(*rec));
		if (ret)
			goto out_rec;
		n++;
		q.pinned_pages += len;
		if (run->unknown_pins || run->unknown_gets)
			q.unknown_pages += len;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto out_rec;
		}
	}
	if (pinledger_file_walk_resume(w, &next)) {
		q.out_flags |= PINLEDGER_OUT_MORE;
		q.next = next;
	}
	q.nr_ranges = n;
	ret = put_answer(uarg, &q, sizeof(q), usize);
out_rec:
	kfree(rec);
out_run:
	kfree(run);
out_walk:
	kfree(w);
out_file:
	fput(file);
	return ret;
}

static bool pin_wanted(const struct pinledger_pins *p,
		       const struct pinledger_snap *s)
{
	u32 i;

	if ((p->flags & PINLEDGER_PINS_DEV) &&
	    (!s->dev || MAJOR(s->dev) != p->dev_major ||
	     MINOR(s->dev) != p->dev_minor))
		return false;
	if ((p->flags & PINLEDGER_PINS_INO) && s->ino != p->ino)
		return false;
	if (!(p->flags & (PINLEDGER_PINS_TGID | PINLEDGER_PINS_CGROUP |
			  PINLEDGER_PINS_LONGLIVED)))
		return true;
	/* One owner must pass every owner filter given. */
	for (i = 0; i < s->nr_owners; i++) {
		const struct pinledger_snap_owner *o = &s->owners[i];

		if ((p->flags & PINLEDGER_PINS_TGID) && o->tgid != p->tgid)
			continue;
		if ((p->flags & PINLEDGER_PINS_CGROUP) &&
		    o->cgroup != p->cgroup_id)
			continue;
		if ((p->flags & PINLEDGER_PINS_LONGLIVED) && !o->longlived)
			continue;
		return true;
	}
	return false;
}

/*
 * PINLEDGER_IOC_PINS.  Errors: EINVAL (bad flags, PINLEDGER_PINS_INO
 * without _DEV, a cursor no walk can have, no room), EFAULT.
 */
static long ioc_pins(void __user *uarg)
{
	struct pinledger_snap *snap = NULL;
	struct pinledger_pin *rec = NULL;
	struct pinledger_cursor cur;
	struct pinledger_pins p;
	u32 usize, n = 0, seen = 0;
	bool more = true;
	u64 now;
	int ret;

	ret = get_request(uarg, &p, sizeof(p), PINS_SIZE_V1, &usize);
	if (ret)
		return ret;
	if (p.flags & ~(PINLEDGER_PINS_TGID | PINLEDGER_PINS_DEV |
			PINLEDGER_PINS_INO | PINLEDGER_PINS_CGROUP |
			PINLEDGER_PINS_LONGLIVED))
		return -EINVAL;
	if (!(p.flags & PINLEDGER_PINS_CGROUP) && p.cgroup_id)
		return -EINVAL;
	if ((p.flags & PINLEDGER_PINS_INO) && !(p.flags & PINLEDGER_PINS_DEV))
		return -EINVAL;
	if (!p.nr_pins)
		return -EINVAL;
	cur.bucket = p.cursor[0];
	cur.skip = p.cursor[1];
	if (p.cursor[0] > ULONG_MAX || p.cursor[1] > ULONG_MAX ||
	    !pinledger_ledger_cursor_valid(&cur))
		return -EINVAL;
	ret = check_records(p.pins, p.nr_pins, p.rec_size, PIN_SIZE_V1,
			    PINLEDGER_MAX_RECORDS);
	if (ret)
		return ret;

	ret = -ENOMEM;
	snap = kmalloc(sizeof(*snap), GFP_KERNEL);
	if (!snap)
		goto out;
	rec = kmalloc(sizeof(*rec), GFP_KERNEL);
	if (!rec)
		goto out_snap;

	now = ktime_get_ns();
	ret = 0;
	while (n < p.nr_pins) {
		more = pinledger_ledger_next(&cur, snap);
		if (!more)
			break;
		if (!(++seen % 256)) {
			if (fatal_signal_pending(current)) {
				ret = -EINTR;
				goto out_rec;
			}
			cond_resched();
		}
		if (!pin_wanted(&p, snap))
			continue;
		memset(rec, 0, sizeof(*rec));
		rec->pfn = snap->pfn;
		rec->dev_major = MAJOR(snap->dev);
		rec->dev_minor = MINOR(snap->dev);
		rec->ino = snap->ino;
		rec->index = snap->dev ? snap->index : 0;
		rec->pins = snap->pins;
		rec->gets = snap->gets;
		put_owners(rec->owners, rec->owners_ext, &rec->nr_owners,
			   &rec->more_owners, snap, now);
		ret = put_record(p.pins, n, p.rec_size, rec, sizeof(*rec));
		if (ret)
			goto out_rec;
		n++;
	}
	p.out_flags = more ? PINLEDGER_OUT_MORE : 0;
	p.cursor[0] = cur.bucket;
	p.cursor[1] = cur.skip;
	p.nr_pins = n;
	ret = put_answer(uarg, &p, sizeof(p), usize);
out_rec:
	kfree(rec);
out_snap:
	kfree(snap);
out:
	return ret;
}

/* PINLEDGER_IOC_WAITERS.  Errors: EINVAL (reserved bits), EFAULT. */
static long ioc_waiters(void __user *uarg)
{
	struct pinledger_wait_info *v = NULL;
	struct pinledger_waiters q;
	struct pinledger_wait rec;
	u32 usize, i;
	int ret, nr = 0;

	ret = get_request(uarg, &q, sizeof(q), WAITERS_SIZE_V1, &usize);
	if (ret)
		return ret;
	ret = check_records(q.waiters, q.nr, q.rec_size, WAITER_SIZE_V1,
			    PINLEDGER_MAX_RECORDS);
	if (ret)
		return ret;
	v = pinledger_guard_waiters_alloc(&nr);
	if (!v)
		return -ENOMEM;
	for (i = 0; i < q.nr && i < nr; i++) {
		int j;

		memset(&rec, 0, sizeof(rec));
		rec.id = v[i].id;
		rec.kind = v[i].deferred ? PINLEDGER_WAIT_EVICTION :
			   PINLEDGER_WAIT_LAYOUT;
		rec.policy = v[i].policy;
		rec.dev_major = MAJOR(v[i].dev);
		rec.dev_minor = MINOR(v[i].dev);
		rec.ino = v[i].ino;
		rec.first = v[i].first;
		rec.last = v[i].last == ULONG_MAX ? ~0ULL : v[i].last;
		rec.waited_ns = v[i].waited_ns;
		rec.tgid = v[i].tgid;
		rec.nr_owners = min_t(int, v[i].nr_owners, ARRAY_SIZE(rec.owners));
		for (j = 0; j < rec.nr_owners; j++)
			rec.owners[j] = v[i].owners[j];
		strscpy(rec.comm, v[i].comm, sizeof(rec.comm));
		ret = put_record(q.waiters, i, q.rec_size, &rec, sizeof(rec));
		if (ret)
			goto out;
	}
	q.nr = i;
	q.total = nr;
	ret = put_answer(uarg, &q, sizeof(q), usize);
out:
	kfree(v);
	return ret;
}

/* PINLEDGER_IOC_COUNTERS.  Errors: EINVAL (reserved field), EFAULT. */
static long ioc_counters(void __user *uarg)
{
	struct pinledger_counters c;
	s64 __user *values;
	u32 usize, i;
	int ret;

	ret = get_request(uarg, &c, sizeof(c), COUNTERS_SIZE_V1, &usize);
	if (ret)
		return ret;
	if (c.reserved)
		return -EINVAL;
	ret = check_records(c.values, c.nr, sizeof(s64), sizeof(s64),
			    PINLEDGER_MAX_RECORDS);
	if (ret)
		return ret;
	values = u64_to_user_ptr(c.values);
	for (i = 0; i < c.nr && i < PINLEDGER_CTR_NR; i++)
		if (put_user((s64)pinledger_counter(i), &values[i]))
			return -EFAULT;
	c.nr = i;
	c.total = PINLEDGER_CTR_NR;
	return put_answer(uarg, &c, sizeof(c), usize);
}

/*
 * PINLEDGER_IOC_STACK.  Errors: ENOENT (no stack of that id), EINVAL (no
 * room), EFAULT.
 */
static long ioc_stack(void __user *uarg)
{
	struct pinledger_stack st;
	char *text;
	u32 usize, len;
	int ret, n, i;

	ret = get_request(uarg, &st, sizeof(st), STACK_SIZE_V2, &usize);
	if (ret)
		return ret;
	if (!st.buf_len || st.buf_len > PAGE_SIZE * 4)
		return -EINVAL;
	if (!pinledger_stack_known(st.stack_id))
		return -ENOENT;
	text = kmalloc(st.buf_len, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	n = pinledger_stack_print(st.stack_id, text, st.buf_len);
	len = min_t(u32, n + 1, st.buf_len);
	text[len - 1] = 0;
	for (st.nr_frames = 0, i = 0; i < len; i++)
		st.nr_frames += text[i] == '\n';
	ret = -EFAULT;
	if (copy_to_user(u64_to_user_ptr(st.buf), text, len))
		goto out;
	st.buf_len = len;
	ret = put_answer(uarg, &st, sizeof(st), usize);
out:
	kfree(text);
	return ret;
}

static long pl_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* The size bits are the caller's struct version: not matched. */
	if (_IOC_TYPE(cmd) != PINLEDGER_IOC_MAGIC ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE))
		return -ENOTTY;
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(PINLEDGER_IOC_VERSION):
		return ioc_version(uarg);
	case _IOC_NR(PINLEDGER_IOC_QUERY):
		return ioc_query(uarg);
	case _IOC_NR(PINLEDGER_IOC_PINS):
		return ioc_pins(uarg);
	case _IOC_NR(PINLEDGER_IOC_WAITERS):
		return ioc_waiters(uarg);
	case _IOC_NR(PINLEDGER_IOC_COUNTERS):
		return ioc_counters(uarg);
	case _IOC_NR(PINLEDGER_IOC_STACK):
		return ioc_stack(uarg);
	}
	return -ENOTTY;
}

static int pl_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return nonseekable_open(inode, file);
}

static const struct file_operations pl_fops = {
	.owner		= THIS_MODULE,
	.open		= pl_open,
	.unlocked_ioctl	= pl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice pl_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "pinledger",
	.fops	= &pl_fops,
	.mode	= 0600,
};

/**
 * pinledger_uapi_init - register /dev/pinledger.
 *
 * Context: process context, may sleep; module init, after everything the
 * ioctls read is set up.
 * Return: 0 or the error of misc_register().
 */
int pinledger_uapi_init(void)
{
	int ret = misc_register(&pl_misc);

	if (ret)
		pr_err("cannot register /dev/pinledger: error %d\n", ret);
	return ret;
}

/**
 * pinledger_uapi_exit - unregister /dev/pinledger.
 *
 * Open files keep the module (THIS_MODULE in the fops), so no ioctl runs
 * once this is called at module exit.
 *
 * Context: process context, may sleep.
 */
void pinledger_uapi_exit(void)
{
	misc_deregister(&pl_misc);
}
