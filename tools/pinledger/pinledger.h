/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinledger.h - shared declarations of the pinledger command-line tool.
 *
 * The tool reads the module's sysfs knobs (/sys/kernel/pinledger), asks
 * /dev/pinledger (include/uapi/linux/pinledger.h) who pins what, and
 * reads its tracefs events (events/pinledger/); "hist" and the rate
 * column of "top" attach BPF programs to the module's raw tracepoints
 * (pinledger.bpf.c).  It never needs debugfs: all of it works with
 * debugfs unmounted and under kernel lockdown ("integrity").
 */
#ifndef PINLEDGER_TOOL_H
#define PINLEDGER_TOOL_H

#include <stdbool.h>
#include <stdio.h>

#define PL_SYSFS	"/sys/kernel/pinledger"

/* Exit codes: 0 success, 1 runtime error, 2 bad usage. */
#define PL_EXIT_ERR	1
#define PL_EXIT_USAGE	2

/* One holder of a folio or run (struct pinledger_holder). */
struct pl_owner {
	int tgid;
	char comm[32];
	char flags[64];
	unsigned int pins;
	unsigned int gets;
	unsigned long long age_ms;
	char callsite[160];
	unsigned long long cgroup;	/* cgroup v2 id, 0 unknown */
	unsigned int stack;		/* stack id, 0 none */
	bool longlived;			/* reported long-lived */
};

/*
 * A folio of the ledger (PINLEDGER_IOC_PINS) or a run of pages of a file
 * with the same holders, @first..@last (PINLEDGER_IOC_QUERY).
 */
struct pl_entry {
	unsigned long pfn;
	bool anon;
	unsigned int maj, min;
	unsigned long ino;
	unsigned long first, last;	/* page indexes */
	unsigned int pins, gets;
	long unknown_pins, unknown_refs;
	bool unknown_owner;
	unsigned int more_owners;
	int nr_owners;
	struct pl_owner *owners;
};

struct pl_list {
	struct pl_entry *v;
	int n, cap;
};

/* A layout change waiting for pins (PINLEDGER_IOC_WAITERS). */
struct pl_waiter {
	bool deferred;			/* a deferred eviction instead */
	unsigned long long id;
	unsigned int maj, min;
	unsigned long ino;
	unsigned long first, last;
	char policy[16];
	int tgid;
	char comm[32];
	unsigned long long waited_ms;
	char owners[64];
};

/* main.c */
extern const char *pl_prog;
extern bool pl_verbose;
void pl_die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void pl_need_module(void);
void pl_need_root(const char *why);
void pl_need_device(const char *why);
int pl_device(void);
char *pl_read_fd(int fd);
char *pl_read_file(const char *path);
int pl_read_sysfs(const char *name, char *buf, size_t len);
int pl_write_file(const char *path, const char *val);
const char *pl_mount_of(unsigned int maj, unsigned int min);
int pl_parse_dev(const char *s, unsigned int *maj, unsigned int *min);
void pl_json_str(FILE *f, const char *s);
void pl_fmt_age(char *buf, size_t len, unsigned long long ms);

/* ledger.c */
void pl_list_free(struct pl_list *l);
int pl_read_pins(struct pl_list *l);
int pl_read_pins_filtered(struct pl_list *l, unsigned int flags, int tgid,
			  unsigned int maj, unsigned int min, unsigned long ino,
			  unsigned long long cgroup);
int pl_read_waiters(struct pl_waiter **out);
int cmd_pins(int argc, char **argv);
int cmd_who(int argc, char **argv);

/* cgroup.c */
const char *pl_cgroup_name(unsigned long long id, char *buf, size_t len);
int pl_cgroup_id(const char *path, unsigned long long *id);
int pl_stack_text(unsigned int id, char *buf, size_t len);
void pl_print_stack(unsigned int id, const char *indent);
void pl_json_stack(FILE *f, unsigned int id);

/* top.c, hist.c, trace.c */
int cmd_top(int argc, char **argv);
int cmd_hist(int argc, char **argv);
int cmd_trace(int argc, char **argv);

/* bpf.c: the BPF side shared by hist and top */
struct pinledger_bpf;
struct pinledger_bpf *pl_bpf_open(bool hist, bool rate, int by,
				  unsigned int unit_ns, char *err, size_t errlen);
void pl_bpf_close(struct pinledger_bpf *skel);

#endif /* PINLEDGER_TOOL_H */
