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

static struct kobject *pinledger_kobj;

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
	return 0;

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
	sysfs_remove_group(pinledger_kobj, &pinledger_group);
	kobject_put(pinledger_kobj);
	pinledger_kobj = NULL;
}
