// SPDX-License-Identifier: GPL-2.0
/* Before 6.5 get_user_pages()/pin_user_pages() took a vmas array. */
#include <linux/mm.h>
long probe(void)
{
	return pin_user_pages(0, 1, 0, NULL, NULL);
}
