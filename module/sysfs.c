// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs.c - /sys/kernel/pinledger: knobs and identity, one value per file.
 *
 * Documented in docs/ABI/sysfs-kernel-pinledger.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/sysfs.h>
#include "pinledger.h"
#include "pinledger_ledger.h"
#include "pinledger_hooks.h"
#include "pinledger_pagecache.h"
#include "pinledger_origin.h"
#include "uapi/linux/pinledger.h"

static struct kobject *pinledger_kobj;
extern const struct attribute_group pinledger_policy_group;

/*
 * /sys/kernel/pinledger/counters/<name>: one read-only value each, a
 * subset of module/counters.c's (which the debugfs listing and
 * /dev/pinledger show in full).
 */
struct counter_attr {
	struct kobj_attribute attr;
	unsigned int id;	/* enum pinledger_counter */
};

static ssize_t counter_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct counter_attr *ca = container_of(attr, struct counter_attr, attr);

	return sysfs_emit(buf, "%ld\n", pinledger_counter(ca->id));
}

#define COUNTER(_name, _id) \
	static struct counter_attr _name##_attr = { \
		.attr = __ATTR(_name, 0444, counter_show, NULL), .id = _id }
COUNTER(live_pages, PINLEDGER_CTR_LIVE_PAGES);
COUNTER(live_pins, PINLEDGER_CTR_LIVE_PINS);
COUNTER(live_gets, PINLEDGER_CTR_LIVE_GETS);
COUNTER(acquired_pins, PINLEDGER_CTR_ACQUIRED_PINS);
COUNTER(acquired_gets, PINLEDGER_CTR_ACQUIRED_GETS);
COUNTER(released_pins, PINLEDGER_CTR_RELEASED_PINS);
COUNTER(released_gets, PINLEDGER_CTR_RELEASED_GETS);
COUNTER(untracked, PINLEDGER_CTR_UNTRACKED);
COUNTER(missed_calls, PINLEDGER_CTR_MISSED_CALLS);
COUNTER(unmatched_releases, PINLEDGER_CTR_UNMATCHED_RELEASES);
COUNTER(reconciled, PINLEDGER_CTR_RECONCILED);
COUNTER(ledger_bytes, PINLEDGER_CTR_LEDGER_BYTES);
COUNTER(pagecache_unmap_pinned, PINLEDGER_CTR_PAGECACHE_UNMAP_PINNED);
COUNTER(pagecache_unmap_skipped, PINLEDGER_CTR_PAGECACHE_UNMAP_SKIPPED);
COUNTER(pagecache_unmap_unskippable, PINLEDGER_CTR_PAGECACHE_UNMAP_UNSKIPPABLE);
COUNTER(pagecache_cleaned_pinned, PINLEDGER_CTR_PAGECACHE_CLEANED_PINNED);
COUNTER(pagecache_write_unpinned, PINLEDGER_CTR_PAGECACHE_WRITE_UNPINNED);
COUNTER(pagecache_redirtied, PINLEDGER_CTR_PAGECACHE_REDIRTIED);
COUNTER(pagecache_redirty_failed, PINLEDGER_CTR_PAGECACHE_REDIRTY_FAILED);
COUNTER(journal_absorbs, PINLEDGER_CTR_JOURNAL_ABSORBS);
COUNTER(journal_cancelled, PINLEDGER_CTR_JOURNAL_CANCELLED);
COUNTER(journal_full, PINLEDGER_CTR_JOURNAL_FULL);
COUNTER(lost_releases, PINLEDGER_CTR_LOST_RELEASES);
COUNTER(longlived_pins, PINLEDGER_CTR_LONGLIVED_PINS);
COUNTER(stacks_saved, PINLEDGER_CTR_STACKS_SAVED);
COUNTER(stacks_distinct, PINLEDGER_CTR_STACKS_DISTINCT);
COUNTER(stacks_dropped, PINLEDGER_CTR_STACKS_DROPPED);

static struct attribute *counter_attrs[] = {
	&live_pages_attr.attr.attr, &live_pins_attr.attr.attr,
	&live_gets_attr.attr.attr, &acquired_pins_attr.attr.attr,
	&acquired_gets_attr.attr.attr, &released_pins_attr.attr.attr,
	&released_gets_attr.attr.attr, &untracked_attr.attr.attr,
	&missed_calls_attr.attr.attr, &unmatched_releases_attr.attr.attr,
	&reconciled_attr.attr.attr, &ledger_bytes_attr.attr.attr,
	&pagecache_unmap_pinned_attr.attr.attr,
	&pagecache_unmap_skipped_attr.attr.attr,
	&pagecache_unmap_unskippable_attr.attr.attr,
	&pagecache_cleaned_pinned_attr.attr.attr,
	&pagecache_write_unpinned_attr.attr.attr,
	&pagecache_redirtied_attr.attr.attr,
	&pagecache_redirty_failed_attr.attr.attr,
	&journal_absorbs_attr.attr.attr, &journal_cancelled_attr.attr.attr,
	&journal_full_attr.attr.attr, &lost_releases_attr.attr.attr,
	&longlived_pins_attr.attr.attr, &stacks_saved_attr.attr.attr,
	&stacks_distinct_attr.attr.attr, &stacks_dropped_attr.attr.attr,
	NULL,
};

static const struct attribute_group counter_group = {
	.name = "counters",
	.attrs = counter_attrs,
};

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", PINLEDGER_VERSION);
}
static struct kobj_attribute version_attr = __ATTR_RO(version);

static ssize_t features_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%s\n", pinledger_features());
}
static struct kobj_attribute features_attr = __ATTR_RO(features);

static struct attribute *pinledger_attrs[] = {
	&version_attr.attr,
	&features_attr.attr,
	NULL,
};

static const struct attribute_group pinledger_group = {
	.attrs = pinledger_attrs,
};

/**
 * pinledger_sysfs_init - create /sys/kernel/pinledger.
 *
 * Context: process context, may sleep; module init.
 * Return: 0 or a negative errno.
 */
int pinledger_sysfs_init(void)
{
	int ret;

	pinledger_kobj = kobject_create_and_add("pinledger", kernel_kobj);
	if (!pinledger_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(pinledger_kobj, &pinledger_group);
	if (ret)
		goto err_put;
	ret = sysfs_create_group(pinledger_kobj, &counter_group);
	if (ret)
		goto err_group;
	ret = sysfs_create_group(pinledger_kobj, &pinledger_policy_group);
	if (ret)
		goto err_counters;
	ret = sysfs_create_group(pinledger_kobj, &pinledger_pagecache_group);
	if (ret)
		goto err_policy;
	ret = sysfs_create_group(pinledger_kobj, &pinledger_longlived_group);
	if (ret)
		goto err_pagecache;
	ret = sysfs_create_group(pinledger_kobj, &pinledger_stacks_group);
	if (ret)
		goto err_longlived;
	return 0;

err_longlived:
	sysfs_remove_group(pinledger_kobj, &pinledger_longlived_group);
err_pagecache:
	sysfs_remove_group(pinledger_kobj, &pinledger_pagecache_group);
err_policy:
	sysfs_remove_group(pinledger_kobj, &pinledger_policy_group);
err_counters:
	sysfs_remove_group(pinledger_kobj, &counter_group);
err_group:
	sysfs_remove_group(pinledger_kobj, &pinledger_group);
err_put:
	kobject_put(pinledger_kobj);
	pinledger_kobj = NULL;
	return ret;
}

/**
 * pinledger_sysfs_exit - remove /sys/kernel/pinledger.
 *
 * Context: process context, may sleep; module exit or init unwind.
 */
void pinledger_sysfs_exit(void)
{
	if (!pinledger_kobj)
		return;
	sysfs_remove_group(pinledger_kobj, &pinledger_stacks_group);
	sysfs_remove_group(pinledger_kobj, &pinledger_longlived_group);
	sysfs_remove_group(pinledger_kobj, &pinledger_pagecache_group);
	sysfs_remove_group(pinledger_kobj, &pinledger_policy_group);
	sysfs_remove_group(pinledger_kobj, &counter_group);
	sysfs_remove_group(pinledger_kobj, &pinledger_group);
	kobject_put(pinledger_kobj);
	pinledger_kobj = NULL;
}
