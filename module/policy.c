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
 *			"UUID=<uuid> POLICY" (stable across boots);
 *			"default" removes one; read lists them as MAJ:MIN
 *			or UUID=
 *
 * Each knob is also a module parameter of the same name (read-only under
 * /sys/module/pinledger/parameters/), so modprobe.d options hold from the
 * first moment the module is live.  Global knobs are single words read
 * with READ_ONCE(); the override table's lock is described below.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/kdev_t.h>
#include <linux/signal.h>
#include <linux/string.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/uuid.h>
#include <linux/moduleparam.h>
#include <linux/fs.h>
#include "pinledger.h"
#include "pinledger_guard.h"

#define FS_OVERRIDES	16
#define FS_PARAM_SEPS	",;"

/*
 * policy_lock protects overrides[].  Taken by kretprobe handlers (the
 * layout decision, preemption and possibly interrupts disabled) and by
 * sysfs stores and module-parameter writes (process context), never with
 * another pinledger lock held and never around an mm/fs lock: a raw
 * spinlock with interrupts off, so it stays a spinning lock on PREEMPT_RT;
 * every critical section walks at most FS_OVERRIDES entries.
 */
static DEFINE_RAW_SPINLOCK(policy_lock);

/* One per-filesystem override: by device number or by filesystem UUID. */
struct fs_override {
	dev_t dev;		/* 0: keyed by uuid (if in_use) */
	uuid_t uuid;
	bool in_use;
	unsigned int policy;
};
static struct fs_override overrides[FS_OVERRIDES];

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

static bool override_matches(const struct fs_override *o,
			     const struct super_block *sb)
{
	if (!o->in_use)
		return false;
	if (o->dev)
		return o->dev == sb->s_dev;
	return uuid_equal(&o->uuid, &sb->s_uuid);
}

/**
 * pinledger_fs_policy - the policy for a filesystem.
 * @sb: its superblock.
 *
 * An override by device number wins over one by UUID.
 *
 * Context: any; does not sleep (takes policy_lock, a raw spinlock).
 * Return: its override, else the global policy.
 */
unsigned int pinledger_fs_policy(const struct super_block *sb)
{
	unsigned int p = READ_ONCE(pinledger_policy);
	bool by_dev = false;
	unsigned long flags;
	int i;

	raw_spin_lock_irqsave(&policy_lock, flags);
	for (i = 0; i < FS_OVERRIDES; i++) {
		if (!override_matches(&overrides[i], sb))
			continue;
		if (overrides[i].dev) {
			p = overrides[i].policy;
			by_dev = true;
		} else if (!by_dev) {
			p = overrides[i].policy;
		}
	}
	raw_spin_unlock_irqrestore(&policy_lock, flags);
	return p;
}

static int policy_set(unsigned int *knob, const char *buf, const char *name)
{
	unsigned int p;

	if (pinledger_policy_parse(buf, &p) || p == PL_POLICY_DEFAULT) {
		pr_info_ratelimited("%s: unknown policy (want wait, revoke or block)\n",
				    name);
		return -EINVAL;
	}
	WRITE_ONCE(*knob, p);
	return 0;
}

static ssize_t policy_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%s\n", pinledger_policy_name(READ_ONCE(pinledger_policy)));
}

static ssize_t policy_store(struct kobject *k, struct kobj_attribute *a,
			    const char *buf, size_t count)
{
	return policy_set(&pinledger_policy, buf, "policy") ?: count;
}
static struct kobj_attribute policy_attr = __ATTR(policy, 0644, policy_show, policy_store);

/* Bounds of the integer knobs, shared by sysfs and the module parameters. */
struct uint_knob {
	unsigned int *val;
	unsigned int min, max;
	const char *name;
};

static const struct uint_knob wait_timeout_knob = {
	&pinledger_wait_timeout_ms, 0, 24 * 3600 * 1000, "wait_timeout_ms" };
static const struct uint_knob revoke_signal_knob = {
	&pinledger_revoke_signal, 1, _NSIG - 1, "revoke_signal" };
static const struct uint_knob revoke_grace_knob = {
	&pinledger_revoke_grace_ms, 0, 3600 * 1000, "revoke_grace_ms" };

static int uint_knob_set(const struct uint_knob *k, const char *buf)
{
	unsigned int v;

	if (kstrtouint(buf, 0, &v) || v < k->min || v > k->max) {
		pr_info_ratelimited("%s: want an integer in %u..%u\n", k->name,
				    k->min, k->max);
		return -EINVAL;
	}
	WRITE_ONCE(*k->val, v);
	return 0;
}

static ssize_t wait_timeout_ms_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(pinledger_wait_timeout_ms));
}
static ssize_t wait_timeout_ms_store(struct kobject *k, struct kobj_attribute *a,
				     const char *buf, size_t count)
{
	return uint_knob_set(&wait_timeout_knob, buf) ?: count;
}
static struct kobj_attribute wait_timeout_attr = __ATTR_RW_MODE(wait_timeout_ms, 0644);

static ssize_t revoke_signal_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(pinledger_revoke_signal));
}
static ssize_t revoke_signal_store(struct kobject *k, struct kobj_attribute *a,
				   const char *buf, size_t count)
{
	return uint_knob_set(&revoke_signal_knob, buf) ?: count;
}
static struct kobj_attribute revoke_signal_attr = __ATTR_RW_MODE(revoke_signal, 0644);

static ssize_t revoke_grace_ms_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(pinledger_revoke_grace_ms));
}
static ssize_t revoke_grace_ms_store(struct kobject *k, struct kobj_attribute *a,
				     const char *buf, size_t count)
{
	return uint_knob_set(&revoke_grace_knob, buf) ?: count;
}
static struct kobj_attribute revoke_grace_attr = __ATTR_RW_MODE(revoke_grace_ms, 0644);

/*
 * fs_policy_list - the overrides, one "WHAT POLICY" per line (sysfs) or
 * separated by ',' on one line (the module parameter).  Returns the length.
 */
static int fs_policy_list(char *buf, char sep)
{
	struct fs_override *o;
	unsigned long flags;
	int i, len = 0;

	raw_spin_lock_irqsave(&policy_lock, flags);
	for (i = 0; i < FS_OVERRIDES; i++) {
		o = &overrides[i];
		if (!o->in_use)
			continue;
		if (len && sep != '\n')
			len += sysfs_emit_at(buf, len, "%c", sep);
		if (o->dev)
			len += sysfs_emit_at(buf, len, "%u:%u", MAJOR(o->dev),
					     MINOR(o->dev));
		else
			len += sysfs_emit_at(buf, len, "UUID=%pUb", &o->uuid);
		len += sysfs_emit_at(buf, len, " %s", pinledger_policy_name(o->policy));
		if (sep == '\n')
			len += sysfs_emit_at(buf, len, "\n");
	}
	raw_spin_unlock_irqrestore(&policy_lock, flags);
	if (sep != '\n')
		len += sysfs_emit_at(buf, len, "\n");
	return len;
}

static ssize_t fs_policy_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return fs_policy_list(buf, '\n');
}

/**
 * pinledger_fs_dev - the filesystem a knob line names, by device.
 * @what:	"MAJ:MIN" of its superblock, or an absolute path inside it
 *		(a mount point, say; resolved once, now).
 * @knob:	the knob's name, for the dmesg line of a failed lookup.
 * @dev:	receives the superblock's device.
 *
 * Context: process context; may sleep (path lookup).
 * Return: 0, -EINVAL for neither form, or the path lookup's error.
 */
int pinledger_fs_dev(const char *what, const char *knob, dev_t *dev)
{
	unsigned int maj, min;
	struct path path;
	char end;
	int err;

	if (what[0] == '/') {
		err = kern_path(what, LOOKUP_FOLLOW, &path);
		if (err) {
			pr_info_ratelimited("%s: %*pE: cannot look it up (error %d)\n",
					    knob, (int)min_t(size_t, strlen(what), 128),
					    what, err);
			return err;
		}
		*dev = path.dentry->d_sb->s_dev;
		path_put(&path);
		return *dev ? 0 : -EINVAL;
	}
	if (sscanf(what, "%u:%u%c", &maj, &min, &end) != 2 ||
	    maj >= (1U << 12) || min >= (1U << 20) || !(maj | min))
		return -EINVAL;
	*dev = MKDEV(maj, min);
	return 0;
}

/*
 * The filesystem a fs_policy line names: as pinledger_fs_dev(), or
 * "UUID=<uuid>" of the filesystem (as blkid prints it; stable across
 * boots, so the form for modprobe.d).  Sleeps (path lookup).
 */
static int fs_policy_key(char *what, struct fs_override *key)
{
	memset(key, 0, sizeof(*key));
	if (!strncasecmp(what, "UUID=", 5))
		return uuid_parse(what + 5, &key->uuid) ? -EINVAL : 0;
	return pinledger_fs_dev(what, "fs_policy", &key->dev);
}

static bool same_key(const struct fs_override *a, const struct fs_override *b)
{
	return a->in_use && a->dev == b->dev &&
	       (a->dev || uuid_equal(&a->uuid, &b->uuid));
}

/* fs_policy_apply - apply one "WHAT POLICY" line (modified in place). */
static int fs_policy_apply(char *line)
{
	struct fs_override key;
	unsigned long flags;
	unsigned int p;
	char *name;
	int i, free = -1, err = -EINVAL;

	strim(line);
	name = strrchr(line, ' ');
	if (name) {
		*name++ = '\0';
		line = strim(line);
		err = pinledger_policy_parse(name, &p) ?: fs_policy_key(line, &key);
	}
	if (err) {
		if (err == -EINVAL)
			pr_info_ratelimited("fs_policy: want \"MAJ:MIN|UUID=<uuid>|/path wait|revoke|block|default\"\n");
		return err;
	}
	raw_spin_lock_irqsave(&policy_lock, flags);
	for (i = 0; i < FS_OVERRIDES; i++) {
		if (same_key(&overrides[i], &key))
			break;
		if (!overrides[i].in_use && free < 0)
			free = i;
	}
	if (i == FS_OVERRIDES)
		i = p == PL_POLICY_DEFAULT ? FS_OVERRIDES : free;
	if (i >= 0 && i < FS_OVERRIDES) {
		overrides[i] = key;
		overrides[i].policy = p;
		overrides[i].in_use = p != PL_POLICY_DEFAULT;
	}
	raw_spin_unlock_irqrestore(&policy_lock, flags);
	if (i < 0) {
		pr_info_ratelimited("fs_policy: all %d overrides in use\n", FS_OVERRIDES);
		return -ENOSPC;
	}
	return 0;
}

static ssize_t fs_policy_store(struct kobject *k, struct kobj_attribute *a,
			       const char *buf, size_t count)
{
	char *line;
	int err;

	line = kstrndup(buf, count, GFP_KERNEL);
	if (!line)
		return -ENOMEM;
	err = fs_policy_apply(line);
	kfree(line);
	return err ?: count;
}
static struct kobj_attribute fs_policy_attr = __ATTR_RW_MODE(fs_policy, 0644);

/*
 * Module parameters: the same knobs, so that /etc/modprobe.d holds from
 * the moment the module is live ("options pinledger policy=block
 * fs_policy=\"UUID=... wait,259:0 block\"").  Shown read-only under
 * /sys/module/pinledger/parameters/; /sys/kernel/pinledger is where root
 * changes them at run time.  A bad value fails the load with EINVAL and a
 * dmesg line naming the parameter.
 */
static int param_policy_set(const char *val, const struct kernel_param *kp)
{
	return policy_set(&pinledger_policy, val, "policy");
}

static int param_policy_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", pinledger_policy_name(READ_ONCE(pinledger_policy)));
}

static const struct kernel_param_ops param_policy_ops = {
	.set = param_policy_set,
	.get = param_policy_get,
};
module_param_cb(policy, &param_policy_ops, NULL, 0444);
MODULE_PARM_DESC(policy, "what a layout change does when it meets pins: wait (default), revoke or block");

static int param_uint_set(const char *val, const struct kernel_param *kp)
{
	return uint_knob_set(kp->arg, val);
}

static int param_uint_get(char *buf, const struct kernel_param *kp)
{
	const struct uint_knob *k = kp->arg;

	return sysfs_emit(buf, "%u\n", READ_ONCE(*k->val));
}

static const struct kernel_param_ops param_uint_ops = {
	.set = param_uint_set,
	.get = param_uint_get,
};
module_param_cb(wait_timeout_ms, &param_uint_ops, (void *)&wait_timeout_knob, 0444);
MODULE_PARM_DESC(wait_timeout_ms, "wait policy bound in ms, 0 = none (default 0)");
module_param_cb(revoke_signal, &param_uint_ops, (void *)&revoke_signal_knob, 0444);
MODULE_PARM_DESC(revoke_signal, "signal sent to pin owners first under revoke (default 10, SIGUSR1)");
module_param_cb(revoke_grace_ms, &param_uint_ops, (void *)&revoke_grace_knob, 0444);
MODULE_PARM_DESC(revoke_grace_ms, "revoke: SIGKILL after this many ms (default 5000)");

static int param_fs_policy_set(const char *val, const struct kernel_param *kp)
{
	char *list, *cur, *line;
	int err = 0;

	list = kstrdup(val, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	cur = list;
	while (!err && (line = strsep(&cur, FS_PARAM_SEPS)) != NULL) {
		if (*skip_spaces(line))
			err = fs_policy_apply(line);
	}
	kfree(list);
	if (err) {
		pr_err("fs_policy: bad module parameter entry (error %d)\n", err);
		return -EINVAL;
	}
	return 0;
}

static int param_fs_policy_get(char *buf, const struct kernel_param *kp)
{
	return fs_policy_list(buf, ',');
}

static const struct kernel_param_ops param_fs_policy_ops = {
	.set = param_fs_policy_set,
	.get = param_fs_policy_get,
};
module_param_cb(fs_policy, &param_fs_policy_ops, NULL, 0444);
MODULE_PARM_DESC(fs_policy, "per-filesystem overrides, ',' or ';' separated: \"MAJ:MIN|UUID=<uuid>|/path wait|revoke|block\"");

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
