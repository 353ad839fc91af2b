/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pinholder_uapi.h - private UAPI of the test-only pin holder (/dev/pinholder).
 *
 * Shared by tests/pinholder/pinholder.c and the userspace test tools.
 * Holds user pages with a chosen GUP entry point and flags, for as long as
 * a test needs (until RELEASE or until the file is closed).
 */
#ifndef _PINHOLDER_UAPI_H
#define _PINHOLDER_UAPI_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* req.api: which GUP entry point takes the references */
enum pinholder_api {
	PINHOLDER_API_FAST	= 0,	/* pin/get_user_pages_fast */
	PINHOLDER_API_SLOW	= 1,	/* pin/get_user_pages, mmap_lock held */
	PINHOLDER_API_UNLOCKED	= 2,	/* pin/get_user_pages_unlocked */
	PINHOLDER_API_REMOTE	= 3,	/* pin/get_user_pages_remote on current->mm */
};

/* req.flags */
#define PINHOLDER_F_PIN		(1u << 0)	/* FOLL_PIN (pin_*), else FOLL_GET */
#define PINHOLDER_F_WRITE	(1u << 1)	/* FOLL_WRITE */
#define PINHOLDER_F_LONGTERM	(1u << 2)	/* FOLL_LONGTERM (pins only) */
#define PINHOLDER_F_DIRTY	(1u << 3)	/* RELEASE: dirty the pages */

struct pinholder_req {
	__u64 addr;		/* in: user address, page aligned */
	__u64 nr_pages;		/* in: pages; out (HOLD): pages held */
	__u32 api;		/* in: enum pinholder_api */
	__u32 flags;		/* in: PINHOLDER_F_* */
	__u32 slot;		/* out (HOLD), in (WRITE, RELEASE) */
	__u32 hold_us;		/* in (BENCH): microseconds between pin and release */
	__u64 pattern;		/* in (WRITE): 64-bit word to fill pages with */
	__u64 loops;		/* in (BENCH): pin+release rounds */
	__u64 nsecs;		/* out (BENCH): time spent */
};

#define PINHOLDER_SLOTS		64
#define PINHOLDER_MAX_PAGES	(1u << 20)

#define PINHOLDER_IOC_HOLD	_IOWR('p', 1, struct pinholder_req)
#define PINHOLDER_IOC_WRITE	_IOW('p', 2, struct pinholder_req)
#define PINHOLDER_IOC_RELEASE	_IOW('p', 3, struct pinholder_req)
#define PINHOLDER_IOC_BENCH	_IOWR('p', 4, struct pinholder_req)

#endif /* _PINHOLDER_UAPI_H */
