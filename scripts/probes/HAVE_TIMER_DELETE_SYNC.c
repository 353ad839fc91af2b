// SPDX-License-Identifier: GPL-2.0
/* 6.2 (6.1.y backport): timer_delete_sync(); del_timer_sync() later removed. */
#include <linux/timer.h>
int probe(struct timer_list *t)
{
	return timer_delete_sync(t);
}
