// SPDX-License-Identifier: GPL-2.0
/* 6.16: from_timer() became timer_container_of() (from_timer() gone later). */
#include <linux/timer.h>
struct probe_s {
	int x;
	struct timer_list timer;
};
struct probe_s *probe(struct timer_list *t)
{
	struct probe_s *s = timer_container_of(s, t, timer);

	return s;
}
