// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - "pinledger trace": the module's events, decoded, one a line.
 *
 * Reads a private tracefs instance (instances/pinledger-<pid>) with the
 * pinledger events enabled, so that it neither disturbs nor is disturbed
 * by other users of the top-level trace buffer; the instance is removed on
 * exit.  The kernel formats each event with its TP_printk (symbolic
 * flags, policies, outcomes); the tool adds the time and process first and
 * the mount point of each dev=.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "pinledger.h"

static volatile sig_atomic_t exiting;
static char instance[256];

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static const char *tracefs(void)
{
	if (!access("/sys/kernel/tracing/instances", F_OK))
		return "/sys/kernel/tracing";
	if (!access("/sys/kernel/debug/tracing/instances", F_OK))
		return "/sys/kernel/debug/tracing";
	return NULL;
}

static void remove_instance(void)
{
	if (instance[0]) {
		char path[300];

		snprintf(path, sizeof(path), "%s/events/pinledger/enable", instance);
		pl_write_file(path, "0");
		rmdir(instance);
		instance[0] = 0;
	}
}

/*
 * "  <comm>-<pid>  [cpu] flags  <ts>: <event>: <fields>" ->
 * "<ts> <comm>-<pid> <event> <fields> [fs=<mount>]".
 */
static void print_event(char *line)
{
	char *task, *rb, *colon, *ts, *ev, *fields, *p;
	unsigned int maj, min;
	const char *mnt = NULL;
	bool unknown;

	while (*line == ' ')
		line++;
	task = line;
	rb = strstr(line, "] ");
	colon = rb ? strstr(rb, ": ") : NULL;
	p = strstr(line, " [");
	if (!rb || !colon || !p || p > rb) {
		printf("%s\n", line);
		return;
	}
	*p = 0;
	*colon = 0;
	ts = strrchr(rb, ' ') + 1;
	ev = colon + 2;
	fields = strstr(ev, ": ");
	if (!fields) {
		printf("%-15s %-20s %s\n", ts, task, ev);
		return;
	}
	*fields = 0;
	fields += 2;
	p = strstr(fields, "dev=");
	if (p && sscanf(p, "dev=%u:%u", &maj, &min) == 2 && (maj || min))
		mnt = pl_mount_of(maj, min);
	/* first_owner=0: no owner of the busy pages is in the ledger. */
	p = strstr(fields, " first_owner=0");
	unknown = p && (p[14] == 0 || p[14] == ' ');
	printf("%-15s %-20s %-18s %s%s%s%s\n", ts, task, ev, fields,
	       unknown ? " (owner unknown: not in the ledger)" : "",
	       mnt ? " fs=" : "", mnt ? mnt : "");
}

int cmd_trace(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "event", required_argument, NULL, 'e' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'D' },
		{ }
	};
	struct sigaction sa = { .sa_handler = on_signal };
	const char *events[32], *root;
	int nev = 0, o, count = 0, seen = 0, drained = 0, fd, i;
	double duration = 0;
	struct timespec t0, now;
	char path[400], *end, buf[65536];
	size_t have = 0;

	optind = 1;
	while ((o = getopt_long(argc, argv, "e:c:D:", opts, NULL)) != -1) {
		switch (o) {
		case 'e':
			if (nev == 32)
				pl_die(PL_EXIT_USAGE, "trace: at most 32 --event");
			events[nev++] = optarg;
			break;
		case 'c':
			count = strtol(optarg, &end, 10);
			if (*end || count <= 0)
				pl_die(PL_EXIT_USAGE, "trace: --count takes a number > 0");
			break;
		case 'D':
			duration = strtod(optarg, &end);
			if (*end || duration <= 0)
				pl_die(PL_EXIT_USAGE, "trace: --duration takes seconds > 0");
			break;
		default:
			pl_die(PL_EXIT_USAGE, "trace: bad option (usage: pinledger trace [--event NAME]... [--count N] [--duration S])");
		}
	}
	if (optind < argc)
		pl_die(PL_EXIT_USAGE, "trace: unexpected argument '%s'", argv[optind]);
	pl_need_module();
	pl_need_root("trace (tracefs)");
	root = tracefs();
	if (!root)
		pl_die(PL_EXIT_ERR, "tracefs not found: mount it with 'mount -t tracefs nodev /sys/kernel/tracing'");
	snprintf(path, sizeof(path), "%s/events/pinledger", root);
	if (access(path, F_OK))
		pl_die(PL_EXIT_ERR, "no pinledger events in %s/events: the loaded module was built without tracepoints", root);
	for (i = 0; i < nev; i++) {
		snprintf(path, sizeof(path), "%s/events/pinledger/%s", root, events[i]);
		if (access(path, F_OK))
			pl_die(PL_EXIT_USAGE, "trace: no event pinledger:%s (see %s/events/pinledger/)",
			       events[i], root);
	}
	snprintf(instance, sizeof(instance), "%s/instances/pinledger-%d", root,
		 (int)getpid());
	if (mkdir(instance, 0700) && errno != EEXIST)
		pl_die(PL_EXIT_ERR, "cannot create tracefs instance %s: %s", instance,
		       strerror(errno));
	atexit(remove_instance);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!nev) {
		snprintf(path, sizeof(path), "%s/events/pinledger/enable", instance);
		if (pl_write_file(path, "1"))
			pl_die(PL_EXIT_ERR, "enabling the pinledger events failed: %s", strerror(errno));
	}
	for (i = 0; i < nev; i++) {
		snprintf(path, sizeof(path), "%s/events/pinledger/%s/enable",
			 instance, events[i]);
		if (pl_write_file(path, "1"))
			pl_die(PL_EXIT_ERR, "enabling pinledger:%s failed", events[i]);
	}
	snprintf(path, sizeof(path), "%s/trace_pipe", instance);
	fd = open(path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		pl_die(PL_EXIT_ERR, "%s: %s", path, strerror(errno));
	fprintf(stderr, "Tracing pinledger events. Ctrl-C to end.\n");
	printf("%-15s %-20s %-18s %s\n", "TIME", "TASK-PID", "EVENT", "FIELDS");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		bool drain = exiting;
		char *nl, *line;
		ssize_t n;

		if (!drain && duration) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			drain = now.tv_sec - t0.tv_sec +
				(now.tv_nsec - t0.tv_nsec) / 1e9 >= duration;
		}
		/*
		 * Ending (signal or duration): print what the buffer already
		 * holds, a bounded number of reads (events may keep coming).
		 */
		if (!drain && poll(&pfd, 1, 200) <= 0)
			continue;
		n = read(fd, buf + have, sizeof(buf) - have - 1);
		if (n <= 0 || (drain && ++drained > 256)) {
			if (drain)
				break;
			continue;
		}
		have += n;
		buf[have] = 0;
		line = buf;
		while ((nl = strchr(line, '\n'))) {
			*nl = 0;
			print_event(line);
			line = nl + 1;
			if (count && ++seen >= count)
				goto out;
		}
		have = buf + have - line;
		memmove(buf, line, have);
		if (have == sizeof(buf) - 1)
			have = 0;	/* an overlong line: drop it */
	}
out:
	close(fd);
	remove_instance();
	return 0;
}
