// SPDX-License-Identifier: GPL-2.0
/* 6.17: the PAGE_MAPPING_* mapping-pointer flags became FOLIO_MAPPING_*. */
#include <linux/mm.h>
unsigned long probe = FOLIO_MAPPING_ANON | FOLIO_MAPPING_FLAGS;
