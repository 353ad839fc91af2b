// SPDX-License-Identifier: GPL-2.0
/*
 * policy.c - what a layout change does when it meets pins: sysfs knobs.
 *
 * /sys/kernel/pinledger/ (root only, docs/ABI/sysfs-kernel-pinledger):
 *   policy		wait | revoke | block (global)
 *   wait_timeout_ms	0 = wait without bound; else fail with ETIMEDOUT
 *   revoke_signal	signal sent to pin owners first (default SIGUSR1)
 *   revoke_grace_ms	then SIGKILL after this long
 *   fs_policy		per-filesystem overrides: write "MAJ:MIN POLICY" or
 *			"/path POLICY" (the filesystem holding /path);
 *			"default" removes one; read lists them as MAJ:MIN
 *
 * Locking: policy_lock (spinlock, IRQ-safe) protects the override table;
 * readers are kretprobe handlers (preemption disabled), writers sysfs
 * stores.  Global knobs are single words read with READ_ONCE().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/kdev_t.h>
#include <linux/signal.h>
#include <linux/string.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include "pinledger.h"
#include "pinledger_guard.h"

#define FS_OVERRIDES	16

static DEFINE_SPINLOCK(policy_lock);
static struct {
	dev_t dev;
	unsigned int policy;
} overrides[FS_OVERRIDES];

static const char *const policy_names[] = {
	[PL_POLICY_WAIT] = "wait",
	[PL_POLICY_REVOKE] = "revoke",
	[PL_POLICY_BLOCK] = "block",
	[PL_POLICY_DEFAULT] = "default",
};

/**
 * pinledger_policy_name - name of a policy.
 * @policy: enum pinledger_policy.
 *
 * Context: any.
 * Return: "wait", "revoke", "block" or "default".
 */
const char *pinledger_policy_name(unsigned int policy)
{
	return policy < ARRAY_SIZE(policy_names) ? policy_names[policy] : "?";
}

/**
 * pinledger_policy_parse - parse a policy name.
 * @s: the name, trailing newline allowed.
 * @policy: receives the policy.
 *
 * Context: any.
 * Return: 0, or -EINVAL for an unknown name.
 */
int pinledger_policy_parse(const char *s, unsigned int *policy)
{
	int i = sysfs_match_string(policy_names, s);

	if (i < 0)
		return -EINVAL;
	*policy = i;
	return 0;
}

/**
 * pinledger_fs_policy - the policy for a filesystem.
 * @dev: its superblock's device.
 *
 * Context: any; does not sleep.
 * Return: its override, else the global policy.
 */
unsigned int pinledger_fs_policy(dev_t dev)
{
	unsigned int p = READ_ONCE(pinledger_policy);
	unsigned long flags;
	int i;

	spin_lock_irqsave(&policy_lock, flags);
	for (i = 0; i < FS_OVERRIDES; i++)
		if (overrides[i].dev == dev && dev)
			p = overrides[i].policy;
	spin_unlock_irqrestore(&policy_lock, flags);
	return p;
}

static ssize_t policy_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%s\n", pinledger_policy_name(READ_ONCE(pinledger_policy)));
}

static ssize_t policy_store(struct kobject *k, struct kobj_attribute *a,
			    const char *buf, size_t count)
{
	unsigned int p;

	if (pinledger_policy_parse(buf, &p) || p == PL_POLICY_DEFAULT) {
		pr_info_ratelimited("policy: unknown policy (want wait, revoke or block)\n");
		return -EINVAL;
	}
	WRITE_ONCE(pinledger_policy, p);
	return count;
}
static struct kobj_attribute policy_attr = __ATTR(policy, 0644, policy_show, policy_store);

static ssize_t uint_knob_store(unsigned int *knob, const char *buf, size_t count,
			       unsigned int min, unsigned int max, const char *name)
{
	unsigned int v;

	if (kstrtouint(buf, 0, &v) || v < min || v > max) {
		pr_info_ratelimited("%s: want an integer in %u..%u\n", name, min, max);
		return -EINVAL;
	}
	WRITE_ONCE(*knob, v);
	return count;
}

static ssize_t wait_timeout_ms_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(pinledger_wait_timeout_ms));
}
static ssize_t wait_timeout_ms_store(struct kobject *k, struct kobj_attribute *a,
				     const char *buf, size_t count)
{
	return uint_knob_store(&pinledger_wait_timeout_ms, buf, count, 0,
			       24 * 3600 * 1000, "wait_timeout_ms");
}
static struct kobj_attribute wait_timeout_attr = __ATTR_RW_MODE(wait_timeout_ms, 0644);

static ssize_t revoke_signal_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(pinledger_revoke_signal));
}
static ssize_t revoke_signal_store(struct kobject *k, struct kobj_attribute *a,
				   const char *buf, size_t count)
{
	return uint_knob_store(&pinledger_revoke_signal, buf, count, 1, _NSIG - 1,
			       "revoke_signal");
}
static struct kobj_attribute revoke_signal_attr = __ATTR_RW_MODE(revoke_signal, 0644);

static ssize_t revoke_grace_ms_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(pinledger_revoke_grace_ms));
}
static ssize_t revoke_grace_ms_store(struct kobject *k, struct kobj_attribute *a,
				     const char *buf, size_t count)
{
	return uint_knob_store(&pinledger_revoke_grace_ms, buf, count, 0,
			       3600 * 1000, "revoke_grace_ms");
}
static struct kobj_attribute revoke_grace_attr = __ATTR_RW_MODE(revoke_grace_ms, 0644);

static ssize_t fs_policy_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	unsigned long flags;
	int i, len = 0;

	spin_lock_irqsave(&policy_lock, flags);
	for (i = 0; i < FS_OVERRIDES; i++)
		if (overrides[i].dev)
			len += sysfs_emit_at(buf, len, "%u:%u %s\n",
					     MAJOR(overrides[i].dev),
					     MINOR(overrides[i].dev),
					     pinledger_policy_name(overrides[i].policy));
	spin_unlock_irqrestore(&policy_lock, flags);
	return len;
}

/*
 * The filesystem a fs_policy line names: "MAJ:MIN" of its superblock or
 * an absolute path inside it (a mount point, say).  Sleeps (path lookup).
 */
static int fs_policy_dev(char *what, dev_t *dev)
{
	unsigned int maj, min;
	struct path path;
	char end;
	int err;

	if (what[0] == '/') {
		err = kern_path(what, LOOKUP_FOLLOW, &path);
		if (err) {
			pr_info_ratelimited("fs_policy: %*pE: cannot look it up (error %d)\n",
					    (int)min_t(size_t, strlen(what), 128), what, err);
			return err;
		}
		*dev = path.dentry->d_sb->s_dev;
		path_put(&path);
		return 0;
	}
	if (sscanf(what, "%u:%u%c", &maj, &min, &end) != 2 ||
	    maj >= (1U << 12) || min >= (1U << 20) || !(maj | min))
		return -EINVAL;
	*dev = MKDEV(maj, min);
	return 0;
}

static ssize_t fs_policy_store(struct kobject *k, struct kobj_attribute *a,
			       const char *buf, size_t count)
{
	unsigned int p;
	unsigned long flags;
	char *line, *name;
	dev_t dev;
	int i, free = -1, err;

	line = kstrndup(buf, count, GFP_KERNEL);
	if (!line)
		return -ENOMEM;
	strim(line);
	name = strrchr(line, ' ');
	err = -EINVAL;
	if (name) {
		*name++ = '\0';
		strim(line);
		err = pinledger_policy_parse(name, &p) ?: fs_policy_dev(line, &dev);
	}
	kfree(line);
	if (err) {
		if (err == -EINVAL)
			pr_info_ratelimited("fs_policy: want \"MAJ:MIN|/path wait|revoke|block|default\"\n");
		return err;
	}
	spin_lock_irqsave(&policy_lock, flags);
	for (i = 0; i < FS_OVERRIDES; i++) {
		if (overrides[i].dev == dev)
			break;
		if (!overrides[i].dev && free < 0)
			free = i;
	}
	if (i == FS_OVERRIDES)
		i = free;
	if (i >= 0) {
		overrides[i].dev = p == PL_POLICY_DEFAULT ? 0 : dev;
		overrides[i].policy = p;
	}
	spin_unlock_irqrestore(&policy_lock, flags);
	if (i < 0) {
		pr_info_ratelimited("fs_policy: all %d overrides in use\n", FS_OVERRIDES);
		return -ENOSPC;
	}
	return count;
}
static struct kobj_attribute fs_policy_attr = __ATTR_RW_MODE(fs_policy, 0644);

static ssize_t deferred_evictions_show(struct kobject *k, struct kobj_attribute *a,
				       char *buf)
{
	return sysfs_emit(buf, "%d\n", pinledger_guard_deferred());
}
static struct kobj_attribute deferred_attr = __ATTR_RO(deferred_evictions);

static struct attribute *policy_attrs[] = {
	&policy_attr.attr, &wait_timeout_attr.attr, &revoke_signal_attr.attr,
	&revoke_grace_attr.attr, &fs_policy_attr.attr, &deferred_attr.attr,
	NULL,
};

const struct attribute_group pinledger_policy_group = {
	.attrs = policy_attrs,
};
