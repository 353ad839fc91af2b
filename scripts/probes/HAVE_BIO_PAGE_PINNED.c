// SPDX-License-Identifier: GPL-2.0
/* 6.5: bios pin user pages (BIO_PAGE_PINNED) instead of taking FOLL_GET. */
#include <linux/blk_types.h>
int probe = BIO_PAGE_PINNED;
