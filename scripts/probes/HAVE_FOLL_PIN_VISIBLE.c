// SPDX-License-Identifier: GPL-2.0
/* 6.1: FOLL_PIN is in include/linux/mm.h; 6.12 moved it to mm/internal.h. */
#include <linux/mm.h>
int probe = FOLL_PIN;
