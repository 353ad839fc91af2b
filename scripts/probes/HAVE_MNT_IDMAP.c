// SPDX-License-Identifier: GPL-2.0
/* 6.3 replaced struct user_namespace *mnt_userns with struct mnt_idmap. */
#include <linux/fs.h>
int probe(struct mnt_idmap *idmap, struct dentry *d, struct iattr *a)
{
	return notify_change(idmap, d, a, NULL);
}
