/*
 * counters.c - open, read and explain the perf counters of a process tree.
 * See counters.h for the grouping and fallback rules.
 */
#include "counters.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define GROUP_READ_FORMAT (PERF_FORMAT_GROUP | PERF_FORMAT_ID | \
			   PERF_FORMAT_TOTAL_TIME_ENABLED | \
			   PERF_FORMAT_TOTAL_TIME_RUNNING)

int counter_set_init(struct counter_set *set, const struct event_list *events)
{
	memset(set, 0, sizeof(*set));
	for (int g = 0; g < COUNTER_GROUPS; g++)
		set->leader[g] = -1;
	if (!events->nr)
		return 0;

	set->v = calloc(events->nr, sizeof(*set->v));
	/* A group read is nr, enabled, running, then a value and id each. */
	set->read_words = 3 + 2 * events->nr;
	set->read_buf = calloc(set->read_words, sizeof(*set->read_buf));
	if (!set->v || !set->read_buf) {
		counter_set_release(set);
		return -ENOMEM;
	}
	set->nr = events->nr;
	for (size_t i = 0; i < set->nr; i++) {
		struct counter *c = &set->v[i];

		c->spec = &events->v[i];
		c->id = (uint32_t)i;
		c->group = c->spec->kind == EVENT_HARDWARE ?
			COUNTER_GROUP_HARDWARE : COUNTER_GROUP_SOFTWARE;
		c->fd = -1;
		c->status = REC_EVENT_FAILED;
	}
	return 0;
}

void counter_set_release(struct counter_set *set)
{
	for (size_t i = 0; i < set->nr; i++)
		if (set->v[i].fd >= 0)
			close(set->v[i].fd);
	free(set->v);
	free(set->read_buf);
	memset(set, 0, sizeof(*set));
	for (int g = 0; g < COUNTER_GROUPS; g++)
		set->leader[g] = -1;
}

static uint32_t status_of_errno(int err)
{
	switch (err) {
	case ENOENT:
	case EOPNOTSUPP:
	case ENODEV:
		return REC_EVENT_NOT_SUPPORTED;
	case EACCES:
	case EPERM:
		return REC_EVENT_NOT_PERMITTED;
	default:
		return REC_EVENT_FAILED;
	}
}

static int open_one(struct counter *c, pid_t pid, int leader, int user_only)
{
	struct perf_event_attr attr = c->spec->attr;

	attr.size = sizeof(attr);
	attr.inherit = 1;
	attr.read_format = GROUP_READ_FORMAT;
	if (leader < 0) {
		/* Members follow their leader; the leader waits for exec. */
		attr.disabled = 1;
		attr.enable_on_exec = 1;
	}
	if (user_only) {
		attr.exclude_kernel = 1;
		attr.exclude_hv = 1;
	}
	return sys_perf_event_open(&attr, pid, -1, leader, PERF_FLAG_FD_CLOEXEC);
}

int counter_set_open(struct counter_set *set, pid_t pid)
{
	/*
	 * Once the kernel has refused kernel-side counting for one event it
	 * refuses it for all: go straight to user mode for the rest.
	 */
	int user_only = 0;
	int opened = 0;

	for (size_t i = 0; i < set->nr; i++) {
		struct counter *c = &set->v[i];
		int *leader = &set->leader[c->group];
		int asked_user_only = c->spec->attr.exclude_kernel;
		int fd;

		fd = open_one(c, pid, *leader, user_only);
		if (fd < 0 && (errno == EACCES || errno == EPERM) &&
		    !user_only && !asked_user_only &&
		    !c->spec->attr.exclude_user) {
			fd = open_one(c, pid, *leader, 1);
			if (fd >= 0)
				user_only = 1;
		}
		if (fd < 0) {
			c->error = errno;
			c->status = status_of_errno(errno);
			if (errno == EMFILE || errno == ENFILE)
				return -errno;
			continue;
		}
		if (ioctl(fd, PERF_EVENT_IOC_ID, &c->kernel_id) < 0) {
			int err = errno;

			close(fd);
			return -err;
		}
		c->fd = fd;
		c->status = REC_EVENT_OPENED;
		c->error = 0;
		if (c->spec->attr.exclude_user)
			c->flags |= REC_EVENT_F_EXCLUDE_USER;
		if (c->spec->attr.exclude_kernel || user_only)
			c->flags |= REC_EVENT_F_EXCLUDE_KERNEL;
		if (c->spec->attr.exclude_hv || user_only)
			c->flags |= REC_EVENT_F_EXCLUDE_HV;
		if (user_only && !asked_user_only)
			c->flags |= REC_EVENT_F_USER_FALLBACK;
		if (*leader < 0)
			*leader = fd;
		set->members[c->group]++;
		opened++;
	}
	return opened;
}

size_t counter_set_opened(const struct counter_set *set)
{
	size_t n = 0;

	for (int g = 0; g < COUNTER_GROUPS; g++)
		n += set->members[g];
	return n;
}

static struct counter *find_by_kernel_id(struct counter_set *set, uint64_t id)
{
	for (size_t i = 0; i < set->nr; i++)
		if (set->v[i].fd >= 0 && set->v[i].kernel_id == id)
			return &set->v[i];
	return NULL;
}

int counter_set_read(struct counter_set *set, struct rec_count *out)
{
	int filled = 0;

	for (int g = 0; g < COUNTER_GROUPS; g++) {
		uint64_t *buf = set->read_buf;
		size_t want = (3 + 2 * set->members[g]) * sizeof(*buf);
		ssize_t n;

		if (set->leader[g] < 0)
			continue;
		/*
		 * ECHILD (Linux 6.6+): a child being forked has its copy of
		 * the group half built at this instant. It passes at once:
		 * try again a few times.
		 */
		for (int tries = 0;; tries++) {
			n = read(set->leader[g], buf, want);
			if (n >= 0 || (errno != EINTR && (errno != ECHILD || tries >= 16)))
				break;
		}
		if (n < 0)
			return -errno;
		if ((size_t)n < 3 * sizeof(*buf) ||
		    buf[0] > set->members[g] ||
		    (size_t)n < (3 + 2 * buf[0]) * sizeof(*buf))
			return -EIO;

		for (uint64_t m = 0; m < buf[0]; m++) {
			struct counter *c = find_by_kernel_id(set, buf[4 + 2 * m]);

			if (!c)
				return -EIO;
			out[filled].event_id = c->id;
			out[filled].value = buf[3 + 2 * m];
			out[filled].enabled_ns = buf[1];
			out[filled].running_ns = buf[2];
			filled++;
		}
	}
	return filled;
}

static int have_pmu(void)
{
	/* Where the kernel has a core PMU it registers it as "cpu" (or a
	 * hybrid pair) under event_source. */
	return access("/sys/bus/event_source/devices/cpu", F_OK) == 0 ||
	       access("/sys/bus/event_source/devices/cpu_core", F_OK) == 0 ||
	       access("/sys/bus/event_source/devices/armv8_pmuv3_0", F_OK) == 0;
}

const char *counter_open_strerror(const struct counter *c, char *buf, size_t len)
{
	switch (c->status) {
	case REC_EVENT_OPENED:
		snprintf(buf, len, "counted");
		break;
	case REC_EVENT_NOT_SUPPORTED:
		if (c->group == COUNTER_GROUP_HARDWARE && !have_pmu())
			snprintf(buf, len, "not supported on this machine (no hardware PMU: a VM without PMU passthrough?)");
		else
			snprintf(buf, len, "not supported on this machine (%s)", strerror(c->error));
		break;
	case REC_EVENT_NOT_PERMITTED:
		snprintf(buf, len, "not permitted (%s): see /proc/sys/kernel/perf_event_paranoid, or grant CAP_PERFMON",
			 strerror(c->error));
		break;
	default:
		snprintf(buf, len, "cannot be opened: %s", strerror(c->error));
		break;
	}
	return buf;
}
