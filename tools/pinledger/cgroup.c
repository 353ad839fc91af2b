// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup.c - cgroup v2 ids as paths, and saved pinner stacks.
 *
 * The module names a cgroup by its id, the inode number of the cgroup's
 * directory in the cgroup2 filesystem; the tool finds the directory by
 * walking the first cgroup2 mount of /proc/self/mountinfo and shows its
 * path below that mount ("/" for the root).  A cgroup removed since the
 * pin was taken shows as "cgroup:ID".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/pinledger.h>
#include "pinledger.h"

struct cg_name {
	unsigned long long id;
	char *path;
};

static struct cg_name *names;
static int nr_names, cap_names;
static char cg_root[4096];
static bool walked;

/* The first cgroup2 mount point, or NULL. */
static const char *cgroup2_mount(void)
{
	char *mi = pl_read_file("/proc/self/mountinfo"), *line, *save;

	if (cg_root[0] || !mi) {
		free(mi);
		return cg_root[0] ? cg_root : NULL;
	}
	for (line = strtok_r(mi, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char mnt[4096], *dash = strstr(line, " - ");

		if (!dash || strncmp(dash, " - cgroup2 ", 11))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1) {
			snprintf(cg_root, sizeof(cg_root), "%s", mnt);
			break;
		}
	}
	free(mi);
	return cg_root[0] ? cg_root : NULL;
}

static int walk_one(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	size_t rl = strlen(cg_root);

	(void)ftw;
	if (type != FTW_D)
		return 0;
	if (nr_names == cap_names) {
		cap_names = cap_names ? cap_names * 2 : 64;
		names = realloc(names, cap_names * sizeof(*names));
		if (!names)
			pl_die(PL_EXIT_ERR, "out of memory");
	}
	names[nr_names].id = st->st_ino;
	names[nr_names].path = strdup(path[rl] ? path + rl : "/");
	if (!names[nr_names].path)
		pl_die(PL_EXIT_ERR, "out of memory");
	nr_names++;
	return 0;
}

/**
 * pl_cgroup_name - the path of a cgroup id, below the cgroup2 mount.
 * @id:		the id.
 * @buf:	receives the path ("/" for the root, id 1), or "cgroup:ID" if
 *		no such cgroup exists.
 * @len:	room in @buf.
 *
 * Return: @buf.
 */
const char *pl_cgroup_name(unsigned long long id, char *buf, size_t len)
{
	int i;

	if (!walked) {
		walked = true;
		if (cgroup2_mount())
			nftw(cg_root, walk_one, 16, FTW_PHYS | FTW_MOUNT);
	}
	for (i = 0; i < nr_names; i++)
		if (names[i].id == id) {
			snprintf(buf, len, "%s", names[i].path);
			return buf;
		}
	/* 1 is the root's id even with no cgroup2 mount to walk. */
	if (id == 1)
		snprintf(buf, len, "/");
	else
		snprintf(buf, len, id ? "cgroup:%llu" : "-", id);
	return buf;
}

/**
 * pl_cgroup_id - the id of a cgroup given by path.
 * @path:	a directory of a cgroup2 mount (/sys/fs/cgroup/a/b), or a path
 *		below the cgroup2 mount (/a/b, as pl_cgroup_name() shows).
 * @id:		receives the id.
 *
 * Return: 0 or -errno (-ENOENT: no such cgroup).
 */
int pl_cgroup_id(const char *path, unsigned long long *id)
{
	char full[8192];
	struct statfs sfs;
	struct stat st;

	if (!statfs(path, &sfs) && sfs.f_type == CGROUP2_SUPER_MAGIC &&
	    !stat(path, &st) && S_ISDIR(st.st_mode)) {
		*id = st.st_ino;
		return 0;
	}
	if (!cgroup2_mount())
		return -ENOENT;
	snprintf(full, sizeof(full), "%s/%s", cg_root, path[0] == '/' ? path + 1 : path);
	if (statfs(full, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC ||
	    stat(full, &st) || !S_ISDIR(st.st_mode))
		return -ENOENT;
	*id = st.st_ino;
	return 0;
}

/**
 * pl_stack_text - a saved pinner stack (PINLEDGER_IOC_STACK).
 * @id:		its id (0: none).
 * @buf:	receives "symbol+off/len\n" lines, NUL-terminated ("" if none).
 * @len:	room in @buf.
 *
 * Return: the number of frames, or -errno.
 */
int pl_stack_text(unsigned int id, char *buf, size_t len)
{
	struct pinledger_stack st;

	buf[0] = 0;
	if (!id)
		return 0;
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.stack_id = id;
	st.buf = (unsigned long)buf;
	st.buf_len = len;
	if (ioctl(pl_device(), PINLEDGER_IOC_STACK, &st))
		return -errno;
	return st.nr_frames;
}

/* Print a stack's frames, each line prefixed by @indent. */
void pl_print_stack(unsigned int id, const char *indent)
{
	char buf[4096], *line, *save;

	if (pl_stack_text(id, buf, sizeof(buf)) <= 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("%s%s\n", indent, line);
}

/* The stack's frames as a JSON array of strings ([] if none). */
void pl_json_stack(FILE *f, unsigned int id)
{
	char buf[4096], *line, *save;
	bool first = true;

	fputc('[', f);
	if (pl_stack_text(id, buf, sizeof(buf)) > 0)
		for (line = strtok_r(buf, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			if (!first)
				fputc(',', f);
			pl_json_str(f, line);
			first = false;
		}
	fputc(']', f);
}
