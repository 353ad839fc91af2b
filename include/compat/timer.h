/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat/timer.h - timer API names, written against the 7.2 API.
 *
 * 6.2 added timer_delete_sync() (Debian's 6.1 has it from the 6.1.y
 * backport; 6.15 removed del_timer_sync()); 6.16 renamed from_timer()
 * timer_container_of() (from_timer() is gone by 7.2).  On 6.1 and 6.12
 * the old names are the same code.
 */
#ifndef _PINLEDGER_COMPAT_TIMER_H
#define _PINLEDGER_COMPAT_TIMER_H

#include <linux/timer.h>
#include "pinledger_config.h"

#ifndef HAVE_TIMER_CONTAINER_OF
#define timer_container_of(var, callback_timer, timer_fieldname) \
	from_timer(var, callback_timer, timer_fieldname)
#endif

#ifndef HAVE_TIMER_DELETE_SYNC
#define timer_delete_sync(timer)	del_timer_sync(timer)
#endif

#endif /* _PINLEDGER_COMPAT_TIMER_H */
