// SPDX-License-Identifier: GPL-2.0
/*
 * pinholder.c - test-only module that holds GUP references for tests.
 *
 * /dev/pinholder, one set of slots per open file.  HOLD takes references
 * on a user range with the chosen entry point and flags and keeps them;
 * WRITE fills the held pages from the kernel (a device writing by DMA);
 * RELEASE drops them, dirtying first if asked; BENCH runs a pin+release
 * loop.  Closing the file releases whatever is still held.
 *
 * Locking: struct holder.lock (mutex) protects the slots of one open file;
 * taken in ioctl and release (process context), before mmap_lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/uaccess.h>
#include <linux/ktime.h>
#include <linux/delay.h>
#include <linux/overflow.h>
#include "pinledger_config.h"
#include "pinholder_uapi.h"

/* 6.5 dropped the vmas argument of pin_user_pages()/get_user_pages(). */
#ifdef HAVE_GUP_VMAS_ARG
#define PH_VMAS		, NULL
#else
#define PH_VMAS
#endif

struct slot {
	struct page **pages;
	long nr;
	bool pin;
};

struct holder {
	struct mutex lock;
	struct slot slots[PINHOLDER_SLOTS];
};

static unsigned int gup_flags(u32 flags)
{
	unsigned int f = 0;

	if (flags & PINHOLDER_F_WRITE)
		f |= FOLL_WRITE;
	if (flags & PINHOLDER_F_LONGTERM)
		f |= FOLL_LONGTERM;
	return f;
}

/* Take references on @nr pages at @addr; returns pages taken or -errno. */
static long take(u64 addr, long nr, u32 api, u32 flags, struct page **pages)
{
	unsigned int gf = gup_flags(flags);
	bool pin = flags & PINHOLDER_F_PIN;
	struct mm_struct *mm = current->mm;
	int locked = 1;
	long ret;

	switch (api) {
	case PINHOLDER_API_FAST:
		return pin ? pin_user_pages_fast(addr, nr, gf, pages) :
			     get_user_pages_fast(addr, nr, gf, pages);
	case PINHOLDER_API_SLOW:
		mmap_read_lock(mm);
		ret = pin ? pin_user_pages(addr, nr, gf, pages PH_VMAS) :
			    get_user_pages(addr, nr, gf, pages PH_VMAS);
		mmap_read_unlock(mm);
		return ret;
	case PINHOLDER_API_UNLOCKED:
		return pin ? pin_user_pages_unlocked(addr, nr, pages, gf) :
			     get_user_pages_unlocked(addr, nr, pages, gf);
	case PINHOLDER_API_REMOTE:
		mmap_read_lock(mm);
		ret = pin ? pin_user_pages_remote(mm, addr, nr, gf, pages PH_VMAS, &locked) :
			    get_user_pages_remote(mm, addr, nr, gf, pages PH_VMAS, &locked);
		if (locked)
			mmap_read_unlock(mm);
		return ret;
	}
	return -EINVAL;
}

static void drop(struct page **pages, long nr, bool pin, bool dirty)
{
	long i;

	if (pin) {
		unpin_user_pages_dirty_lock(pages, nr, dirty);
		return;
	}
	for (i = 0; i < nr; i++) {
		if (dirty)
			set_page_dirty_lock(pages[i]);
		put_page(pages[i]);
	}
}

static void slot_release(struct slot *s, bool dirty)
{
	if (!s->pages)
		return;
	drop(s->pages, s->nr, s->pin, dirty);
	kvfree(s->pages);
	s->pages = NULL;
	s->nr = 0;
}

static int do_hold(struct holder *h, struct pinholder_req *req)
{
	struct page **pages;
	long nr = req->nr_pages, got = 0, ret;
	int i;

	if (!nr || nr > PINHOLDER_MAX_PAGES || !PAGE_ALIGNED(req->addr))
		return -EINVAL;
	if ((req->flags & PINHOLDER_F_LONGTERM) && !(req->flags & PINHOLDER_F_PIN))
		return -EINVAL;
	for (i = 0; i < PINHOLDER_SLOTS && h->slots[i].pages; i++)
		;
	if (i == PINHOLDER_SLOTS)
		return -ENOSPC;
	pages = kvcalloc(nr, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	while (got < nr) {
		ret = take(req->addr + got * PAGE_SIZE, nr - got, req->api,
			   req->flags, pages + got);
		if (ret <= 0) {
			drop(pages, got, req->flags & PINHOLDER_F_PIN, false);
			kvfree(pages);
			return ret ? ret : -EFAULT;
		}
		got += ret;
	}
	h->slots[i] = (struct slot){ .pages = pages, .nr = got,
				     .pin = req->flags & PINHOLDER_F_PIN };
	req->slot = i;
	req->nr_pages = got;
	return 0;
}

static int do_write(struct holder *h, struct pinholder_req *req)
{
	struct slot *s;
	long i;

	if (req->slot >= PINHOLDER_SLOTS || !h->slots[req->slot].pages)
		return -ENOENT;
	s = &h->slots[req->slot];
	for (i = 0; i < s->nr; i++) {
		u64 *p = kmap_local_page(s->pages[i]);
		int w;

		for (w = 0; w < PAGE_SIZE / sizeof(u64); w++)
			p[w] = req->pattern;
		kunmap_local(p);
	}
	return 0;
}

static int do_bench(struct pinholder_req *req)
{
	long nr = req->nr_pages, ret;
	struct page **pages;
	ktime_t t0;
	u64 i;

	if (!nr || nr > 4096 || !PAGE_ALIGNED(req->addr))
		return -EINVAL;
	pages = kvcalloc(nr, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	t0 = ktime_get();
	for (i = 0; i < req->loops; i++) {
		ret = take(req->addr, nr, req->api, req->flags, pages);
		if (ret < 0)
			break;
		if (req->hold_us)
			usleep_range(req->hold_us, req->hold_us + 10);
		drop(pages, ret, req->flags & PINHOLDER_F_PIN, false);
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
	req->nsecs = ktime_to_ns(ktime_sub(ktime_get(), t0));
	kvfree(pages);
	return ret < 0 ? ret : 0;
}

static long pinholder_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct holder *h = file->private_data;
	struct pinholder_req req;
	long ret;

	if (copy_from_user(&req, (void __user *)arg, sizeof(req)))
		return -EFAULT;
	mutex_lock(&h->lock);
	switch (cmd) {
	case PINHOLDER_IOC_HOLD:
		ret = do_hold(h, &req);
		break;
	case PINHOLDER_IOC_WRITE:
		ret = do_write(h, &req);
		break;
	case PINHOLDER_IOC_RELEASE:
		ret = -ENOENT;
		if (req.slot < PINHOLDER_SLOTS && h->slots[req.slot].pages) {
			slot_release(&h->slots[req.slot], req.flags & PINHOLDER_F_DIRTY);
			ret = 0;
		}
		break;
	case PINHOLDER_IOC_BENCH:
		ret = do_bench(&req);
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&h->lock);
	if (!ret && copy_to_user((void __user *)arg, &req, sizeof(req)))
		ret = -EFAULT;
	return ret;
}

static int pinholder_open(struct inode *inode, struct file *file)
{
	struct holder *h = kzalloc(sizeof(*h), GFP_KERNEL);

	if (!h)
		return -ENOMEM;
	mutex_init(&h->lock);
	file->private_data = h;
	return 0;
}

static int pinholder_release(struct inode *inode, struct file *file)
{
	struct holder *h = file->private_data;
	int i;

	for (i = 0; i < PINHOLDER_SLOTS; i++)
		slot_release(&h->slots[i], false);
	kfree(h);
	return 0;
}

static const struct file_operations pinholder_fops = {
	.owner		= THIS_MODULE,
	.open		= pinholder_open,
	.release	= pinholder_release,
	.unlocked_ioctl	= pinholder_ioctl,
};

static struct miscdevice pinholder_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "pinholder",
	.fops	= &pinholder_fops,
	.mode	= 0600,
};

module_misc_device(pinholder_dev);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pinledger test-only GUP reference holder");
