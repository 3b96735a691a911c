/*
 * counters.c - open, read and explain the perf counters of a process tree.
 * See counters.h for the grouping and fallback rules.
 *
 * Group ids are settled once, from the event list, so they are the same
 * on every target and whatever fails to open: COUNTER_GROUP_SOFTWARE for
 * software events and tracepoints, then 1, 2, ... for the hardware events
 * in the list's order. A target keeps a leader fd per group id.
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

/* Whether an event of this kind goes into the software group. */
static int in_software_group(enum event_kind kind)
{
	switch (kind) {
	case EVENT_SOFTWARE:
	case EVENT_TRACEPOINT:
		return 1;
	case EVENT_HARDWARE:
		break;
	}
	return 0;
}

/*
 * Whether an event may be opened again in user mode only when kernel-side
 * counting is refused. A tracepoint fires in the kernel: with
 * exclude_kernel it would open, and count 0 for ever.
 */
static int may_fall_back(const struct counter *c)
{
	return c->spec->kind != EVENT_TRACEPOINT;
}

int counter_set_init(struct counter_set *set, const struct event_list *events)
{
	uint32_t next_group = COUNTER_GROUP_SOFTWARE + 1;

	memset(set, 0, sizeof(*set));
	if (!events->nr)
		return 0;

	set->v = calloc(events->nr, sizeof(*set->v));
	set->acc = calloc(events->nr, sizeof(*set->acc));
	set->target_acc = calloc(events->nr, sizeof(*set->target_acc));
	/* A group read is nr, enabled, running, then a value and id each. */
	set->read_words = 3 + 2 * events->nr;
	set->read_buf = calloc(set->read_words, sizeof(*set->read_buf));
	if (!set->v || !set->acc || !set->target_acc || !set->read_buf) {
		counter_set_release(set);
		return -ENOMEM;
	}
	set->nr = events->nr;
	for (size_t i = 0; i < set->nr; i++) {
		struct counter *c = &set->v[i];

		c->spec = &events->v[i];
		c->id = (uint32_t)i;
		c->group = in_software_group(c->spec->kind) ?
			COUNTER_GROUP_SOFTWARE : next_group++;
		c->status = REC_EVENT_FAILED;
	}
	set->nr_groups = next_group;
	return 0;
}

static void target_close(struct counter_target *t, size_t nr)
{
	for (size_t i = 0; t->fd && i < nr; i++)
		if (t->fd[i] >= 0)
			close(t->fd[i]);
	free(t->fd);
	free(t->kernel_id);
	free(t->groups);
	memset(t, 0, sizeof(*t));
}

void counter_set_release(struct counter_set *set)
{
	for (size_t i = 0; i < set->nr_targets; i++)
		target_close(&set->targets[i], set->nr);
	free(set->targets);
	free(set->v);
	free(set->acc);
	free(set->target_acc);
	free(set->read_buf);
	memset(set, 0, sizeof(*set));
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

enum open_mode {
	OPEN_ON_EXEC,   /* a held command: count from its exec */
	OPEN_NOW,       /* a running task: count at once */
	OPEN_CGROUP,    /* a cgroup on one CPU: from counter_set_enable() */
};

/*
 * Whether c is opened disabled, to be enabled once its filter is set: a
 * task that runs already would otherwise count unfiltered in between. A
 * held command has not exec'd yet and a cgroup's leaders wait for
 * counter_set_enable(), so only OPEN_NOW needs it.
 */
static int enable_after_filter(const struct counter *c, enum open_mode mode)
{
	return c->spec->filter[0] && mode == OPEN_NOW;
}

/* pid is a cgroup fd for OPEN_CGROUP, with cpu >= 0; else cpu is -1. */
static int open_one(const struct counter *c, pid_t pid, int cpu, int leader,
		    int user_only, enum open_mode mode)
{
	struct perf_event_attr attr = c->spec->attr;
	unsigned long flags = PERF_FLAG_FD_CLOEXEC;

	attr.size = sizeof(attr);
	attr.inherit = mode != OPEN_CGROUP;
	attr.read_format = GROUP_READ_FORMAT;
	attr.disabled = 0;
	/* Members follow their leader. */
	if (leader < 0 && mode == OPEN_ON_EXEC) {
		attr.disabled = 1;
		attr.enable_on_exec = 1;
	} else if (leader < 0 && mode == OPEN_CGROUP) {
		attr.disabled = 1;
	}
	if (enable_after_filter(c, mode))
		attr.disabled = 1;
	if (mode == OPEN_CGROUP)
		flags |= PERF_FLAG_PID_CGROUP;
	if (user_only && may_fall_back(c)) {
		attr.exclude_kernel = 1;
		attr.exclude_hv = 1;
	}
	return sys_perf_event_open(&attr, pid, cpu, leader, flags);
}

/*
 * Gives fd its event's filter, if it has one, then lets it count if it
 * was opened disabled for that. 0, or -1 with errno set and fd closed.
 * The kernel keeps the filter on this event only: the copies inherit
 * makes in children use their parent's, so once is enough.
 */
static int set_filter(const struct counter *c, int fd, enum open_mode mode)
{
	int err;

	if (!c->spec->filter[0])
		return 0;
	if (ioctl(fd, PERF_EVENT_IOC_SET_FILTER, c->spec->filter) == 0 &&
	    (!enable_after_filter(c, mode) ||
	     ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) == 0))
		return 0;
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/* A new target with nothing open, or NULL. */
static struct counter_target *new_target(struct counter_set *set)
{
	struct counter_target *t;

	if (set->nr_targets == set->alloc_targets) {
		size_t n = set->alloc_targets ? 2 * set->alloc_targets : 4;
		struct counter_target *v = realloc(set->targets, n * sizeof(*v));

		if (!v)
			return NULL;
		set->targets = v;
		set->alloc_targets = n;
	}
	t = &set->targets[set->nr_targets];
	memset(t, 0, sizeof(*t));
	t->cpu = -1;
	t->fd = malloc(set->nr * sizeof(*t->fd));
	t->kernel_id = calloc(set->nr, sizeof(*t->kernel_id));
	t->groups = malloc(set->nr_groups * sizeof(*t->groups));
	if (!t->fd || !t->kernel_id || !t->groups) {
		free(t->fd);
		free(t->kernel_id);
		free(t->groups);
		return NULL;
	}
	for (size_t i = 0; i < set->nr; i++)
		t->fd[i] = -1;
	for (size_t g = 0; g < set->nr_groups; g++)
		t->groups[g] = (struct counter_group){ .leader = -1 };
	return t;
}

/* Keeps fd as event i of t. 0, or -errno (fd is closed then). */
static int target_add(struct counter_target *t, const struct counter *c,
		      size_t i, int fd)
{
	if (ioctl(fd, PERF_EVENT_IOC_ID, &t->kernel_id[i]) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	t->fd[i] = fd;
	if (t->groups[c->group].leader < 0)
		t->groups[c->group].leader = fd;
	t->groups[c->group].members++;
	return 0;
}

/*
 * The first target: tries every event and settles its status. Once the
 * kernel has refused kernel-side counting for one event it refuses it for
 * all: go straight to user mode for the rest.
 */
static int open_first(struct counter_set *set, struct counter_target *t,
		      pid_t pid, int cpu, enum open_mode mode)
{
	int opened = 0, err;

	for (size_t i = 0; i < set->nr; i++) {
		struct counter *c = &set->v[i];
		int leader = t->groups[c->group].leader;
		int asked_user_only = c->spec->attr.exclude_kernel;
		int user_only = set->user_only && may_fall_back(c);
		int fd;

		/* Known not to open (a tracepoint tracefs hides from us). */
		if (c->spec->unavailable) {
			c->error = c->spec->unavailable;
			c->status = status_of_errno(c->error);
			continue;
		}
		fd = open_one(c, pid, cpu, leader, set->user_only, mode);
		if (fd < 0 && (errno == EACCES || errno == EPERM) &&
		    !set->user_only && !asked_user_only && may_fall_back(c) &&
		    !c->spec->attr.exclude_user && mode != OPEN_CGROUP) {
			fd = open_one(c, pid, cpu, leader, 1, mode);
			if (fd >= 0)
				set->user_only = user_only = 1;
		}
		if (fd < 0) {
			c->error = errno;
			c->status = status_of_errno(errno);
			if (errno == EMFILE || errno == ENFILE || errno == ESRCH)
				return -errno;
			continue;
		}
		if (set_filter(c, fd, mode) < 0) {
			/* Counting without it would count something else. */
			c->error = errno;
			c->status = REC_EVENT_FAILED;
			c->filter_refused = 1;
			continue;
		}
		err = target_add(t, c, i, fd);
		if (err)
			return err;
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
		opened++;
	}
	return opened;
}

/* A later target: the events the first one opened, or nothing. */
static int open_more(struct counter_set *set, struct counter_target *t,
		     pid_t tid, int cpu, enum open_mode mode)
{
	for (size_t i = 0; i < set->nr; i++) {
		const struct counter *c = &set->v[i];
		int fd, err;

		if (c->status != REC_EVENT_OPENED)
			continue;
		fd = open_one(c, tid, cpu, t->groups[c->group].leader,
			      set->user_only, mode);
		if (fd < 0)
			return errno == ESRCH ? 0 : -errno;
		if (set_filter(c, fd, mode) < 0)
			return -errno;
		err = target_add(t, c, i, fd);
		if (err)
			return err;
	}
	return 1;
}

static int open_target(struct counter_set *set, pid_t pid, int cpu,
		       enum open_mode mode)
{
	struct counter_target *t = new_target(set);
	int n;

	if (!t)
		return -ENOMEM;
	t->cpu = cpu;
	n = set->nr_targets ? open_more(set, t, pid, cpu, mode) :
			      open_first(set, t, pid, cpu, mode);
	if (n == -ESRCH && mode == OPEN_NOW && !set->nr_targets) {
		/* Gone before it was counted: the next task will be first. */
		target_close(t, set->nr);
		counter_set_close(set);
		return 0;
	}
	if (n <= 0) {
		target_close(t, set->nr);
		return n;
	}
	set->nr_targets++;
	return n;
}

int counter_set_open(struct counter_set *set, pid_t pid)
{
	return open_target(set, pid, -1, OPEN_ON_EXEC);
}

int counter_set_attach(struct counter_set *set, pid_t tid)
{
	return open_target(set, tid, -1, OPEN_NOW);
}

/* A target per CPU: every CPU or none, a CPU not counted would be a hole. */
static int open_per_cpu(struct counter_set *set, pid_t pid,
			const uint32_t *cpus, size_t nr_cpus,
			enum open_mode mode)
{
	int opened = 0;

	for (size_t i = 0; i < nr_cpus; i++) {
		int first = set->nr_targets == 0;
		int n = open_target(set, pid, (int)cpus[i], mode);

		if (n <= 0 || (!first && n != 1)) {
			counter_set_close(set);
			return n < 0 ? n : -ENODEV;
		}
		if (i == 0)
			opened = n;
	}
	return opened;
}

size_t counter_set_cpus(const struct counter_set *set, uint32_t *out)
{
	size_t n = 0;

	for (size_t k = 0; k < set->nr_targets; k++)
		if (set->targets[k].cpu >= 0) {
			if (out)
				out[n] = (uint32_t)set->targets[k].cpu;
			n++;
		}
	return n;
}

/*
 * Whether t is one CPU's share of a total counted by a target of its own
 * (counter_set_open_cpus()), rather than a part of the sum (a cgroup's
 * CPUs, an attached task).
 */
static int is_share(const struct counter_set *set, const struct counter_target *t)
{
	return t->cpu >= 0 && !set->by_cgroup;
}

int counter_set_open_cpus(struct counter_set *set, pid_t pid,
			  const uint32_t *cpus, size_t nr_cpus)
{
	int n = open_target(set, pid, -1, OPEN_ON_EXEC), more;

	if (n <= 0)
		return n;
	more = open_per_cpu(set, pid, cpus, nr_cpus, OPEN_ON_EXEC);
	if (more <= 0)
		return more < 0 ? more : -ENODEV;
	return n;
}

int counter_set_open_cgroup(struct counter_set *set, int cgroup_fd,
			    const uint32_t *cpus, size_t nr_cpus)
{
	int opened = open_per_cpu(set, cgroup_fd, cpus, nr_cpus, OPEN_CGROUP);

	if (opened > 0)
		set->by_cgroup = 1;
	return opened;
}

int counter_set_enable(struct counter_set *set)
{
	for (size_t k = 0; k < set->nr_targets; k++)
		for (size_t g = 0; g < set->nr_groups; g++) {
			int fd = set->targets[k].groups[g].leader;

			if (fd >= 0 && ioctl(fd, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP) < 0)
				return -errno;
		}
	return 0;
}

/* ---- rusage mode ---------------------------------------------------- */

/* The figures of the kernel's accounting an event can be read from. */
enum accounting_figure {
	FIGURE_NONE,
	FIGURE_CPU,        /* user + system */
	FIGURE_USER,
	FIGURE_SYSTEM,
	FIGURE_SWITCHES,   /* voluntary + involuntary */
	FIGURE_VOLUNTARY,
	FIGURE_INVOLUNTARY,
	FIGURE_FAULTS,     /* minor + major */
	FIGURE_MINFLT,
	FIGURE_MAJFLT,
};

static enum accounting_figure figure_of(const struct counter *c)
{
	const struct perf_event_attr *a = &c->spec->attr;
	int user = !a->exclude_user, kernel = !a->exclude_kernel;

	/* pprobe's own names for sched_switch with a filter (event.c) */
	if (c->spec->kind == EVENT_TRACEPOINT && user && kernel) {
		if (!strcmp(c->spec->name, "voluntary-context-switches"))
			return FIGURE_VOLUNTARY;
		if (!strcmp(c->spec->name, "involuntary-context-switches"))
			return FIGURE_INVOLUNTARY;
	}
	if (a->type != PERF_TYPE_SOFTWARE)
		return FIGURE_NONE;
	switch (a->config) {
	case PERF_COUNT_SW_TASK_CLOCK:
	case PERF_COUNT_SW_CPU_CLOCK:
		if (user && kernel)
			return FIGURE_CPU;
		if (user || kernel)
			return user ? FIGURE_USER : FIGURE_SYSTEM;
		return FIGURE_NONE;
	}
	/* Switches and faults are not split by mode in the accounting. */
	if (!user || !kernel)
		return FIGURE_NONE;
	switch (a->config) {
	case PERF_COUNT_SW_CONTEXT_SWITCHES:
		return FIGURE_SWITCHES;
	case PERF_COUNT_SW_PAGE_FAULTS:
		return FIGURE_FAULTS;
	case PERF_COUNT_SW_PAGE_FAULTS_MIN:
		return FIGURE_MINFLT;
	case PERF_COUNT_SW_PAGE_FAULTS_MAJ:
		return FIGURE_MAJFLT;
	}
	return FIGURE_NONE;
}

int counter_set_open_rusage(struct counter_set *set)
{
	int n = 0;

	counter_set_close(set);
	set->by_rusage = 1;
	for (size_t i = 0; i < set->nr; i++) {
		struct counter *c = &set->v[i];

		if (figure_of(c) == FIGURE_NONE) {
			c->status = REC_EVENT_NOT_SUPPORTED;
			c->error = EOPNOTSUPP;
			c->why = "not in the kernel's accounting, which --count-by rusage reads (it has task-clock, context-switches and page faults: count the others by task or cgroup)";
		} else {
			c->status = REC_EVENT_OPENED;
			n++;
		}
	}
	return n;
}

/* The value of figure f in a, if a has it. */
static int accounted(const struct counter_accounting *a, enum accounting_figure f,
		     uint64_t *value)
{
	unsigned need = COUNTER_HAVE_CPU;

	switch (f) {
	case FIGURE_CPU:
		*value = a->user_ns + a->system_ns;
		break;
	case FIGURE_USER:
		*value = a->user_ns;
		break;
	case FIGURE_SYSTEM:
		*value = a->system_ns;
		break;
	case FIGURE_SWITCHES:
		need = COUNTER_HAVE_SWITCHES;
		*value = a->nvcsw + a->nivcsw;
		break;
	case FIGURE_VOLUNTARY:
		need = COUNTER_HAVE_SWITCHES;
		*value = a->nvcsw;
		break;
	case FIGURE_INVOLUNTARY:
		need = COUNTER_HAVE_SWITCHES;
		*value = a->nivcsw;
		break;
	case FIGURE_FAULTS:
		need = COUNTER_HAVE_FAULTS;
		*value = a->minflt + a->majflt;
		break;
	case FIGURE_MINFLT:
		need = COUNTER_HAVE_FAULTS;
		*value = a->minflt;
		break;
	case FIGURE_MAJFLT:
		need = COUNTER_HAVE_FAULTS;
		*value = a->majflt;
		break;
	case FIGURE_NONE:
		return 0;
	}
	return (a->have & need) == need;
}

int counter_set_read_accounting(const struct counter_set *set,
				const struct counter_accounting *a,
				uint64_t elapsed_ns, struct rec_count *out)
{
	int filled = 0;

	for (size_t i = 0; i < set->nr; i++) {
		const struct counter *c = &set->v[i];
		uint64_t value = 0;

		if (c->status != REC_EVENT_OPENED || !accounted(a, figure_of(c), &value))
			continue;
		out[filled++] = (struct rec_count){
			.event_id = c->id,
			.value = value,
			.enabled_ns = elapsed_ns,
			.running_ns = elapsed_ns,
		};
	}
	return filled;
}

void counter_set_close(struct counter_set *set)
{
	for (size_t i = 0; i < set->nr_targets; i++)
		target_close(&set->targets[i], set->nr);
	set->nr_targets = 0;
	set->user_only = 0;
	set->by_cgroup = 0;
	set->by_rusage = 0;
	for (size_t i = 0; i < set->nr; i++)
		set->v[i] = (struct counter){
			.spec = set->v[i].spec, .id = set->v[i].id,
			.group = set->v[i].group, .status = REC_EVENT_FAILED,
		};
}

size_t counter_set_opened(const struct counter_set *set)
{
	size_t n = 0;

	for (size_t i = 0; i < set->nr; i++)
		n += set->v[i].status == REC_EVENT_OPENED;
	return n;
}

static long find_by_kernel_id(const struct counter_set *set,
			      const struct counter_target *t, uint64_t id)
{
	for (size_t i = 0; i < set->nr; i++)
		if (t->fd[i] >= 0 && t->kernel_id[i] == id)
			return (long)i;
	return -1;
}

/* Adds one group of one target into acc (per event). 0 or -errno. */
static int read_group(struct counter_set *set, const struct counter_target *t,
		      const struct counter_group *g, struct rec_count *acc)
{
	uint64_t *buf = set->read_buf;
	size_t want = (3 + 2 * g->members) * sizeof(*buf);
	ssize_t n;

	/*
	 * ECHILD (Linux 6.6+): a child being forked has its copy of the
	 * group half built at this instant. It passes at once: try again a
	 * few times.
	 */
	for (int tries = 0;; tries++) {
		n = read(g->leader, buf, want);
		if (n >= 0 || (errno != EINTR && (errno != ECHILD || tries >= 16)))
			break;
	}
	if (n < 0)
		return -errno;
	if ((size_t)n < 3 * sizeof(*buf) || buf[0] > g->members ||
	    (size_t)n < (3 + 2 * buf[0]) * sizeof(*buf))
		return -EIO;

	for (uint64_t m = 0; m < buf[0]; m++) {
		long i = find_by_kernel_id(set, t, buf[4 + 2 * m]);
		struct rec_count *a;

		if (i < 0)
			return -EIO;
		a = &acc[i];
		a->value += buf[3 + 2 * m];
		a->enabled_ns += buf[1];
		a->running_ns += buf[2];
	}
	return 0;
}

/* Copies the open events' entries of acc to out. Returns how many. */
static int opened_entries(const struct counter_set *set,
			  const struct rec_count *acc, struct rec_count *out)
{
	int filled = 0;

	for (size_t i = 0; i < set->nr; i++)
		if (set->v[i].status == REC_EVENT_OPENED)
			out[filled++] = acc[i];
	return filled;
}

static void clear_acc(const struct counter_set *set, struct rec_count *acc)
{
	for (size_t i = 0; i < set->nr; i++)
		acc[i] = (struct rec_count){ .event_id = set->v[i].id };
}

/* Reads every group of target t into acc. 0 or -errno. */
static int read_target(struct counter_set *set, const struct counter_target *t,
		       struct rec_count *acc)
{
	for (size_t g = 0; g < set->nr_groups; g++) {
		int err;

		if (t->groups[g].leader < 0)
			continue;
		err = read_group(set, t, &t->groups[g], acc);
		if (err)
			return err;
	}
	return 0;
}

int counter_set_read_cpus(struct counter_set *set, struct rec_count *out,
			  struct rec_count *per_cpu)
{
	size_t n = counter_set_opened(set), cpu = 0;

	clear_acc(set, set->acc);
	for (size_t k = 0; k < set->nr_targets; k++) {
		const struct counter_target *t = &set->targets[k];
		struct rec_count *acc = set->target_acc;
		int err;

		if (t->cpu < 0 || !per_cpu) {
			/* Straight into the sum; a share nobody asked
			 * for is not read at all. */
			err = is_share(set, t) ? 0 : read_target(set, t, set->acc);
			if (err)
				return err;
			continue;
		}
		clear_acc(set, acc);
		err = read_target(set, t, acc);
		if (err)
			return err;
		opened_entries(set, acc, per_cpu + cpu++ * n);
		if (is_share(set, t))
			continue;
		for (size_t i = 0; i < set->nr; i++) {
			set->acc[i].value += acc[i].value;
			set->acc[i].enabled_ns += acc[i].enabled_ns;
			set->acc[i].running_ns += acc[i].running_ns;
		}
	}
	return opened_entries(set, set->acc, out);
}

int counter_set_read(struct counter_set *set, struct rec_count *out)
{
	return counter_set_read_cpus(set, out, NULL);
}

const char *counter_open_strerror(const struct counter *c, char *buf, size_t len)
{
	if (c->why) {
		snprintf(buf, len, "%s", c->why);
		return buf;
	}
	switch (c->status) {
	case REC_EVENT_OPENED:
		snprintf(buf, len, "counted");
		break;
	case REC_EVENT_NOT_SUPPORTED:
		if (c->spec->kind == EVENT_HARDWARE && !event_have_pmu())
			snprintf(buf, len, "not supported on this machine (no hardware PMU: a VM without PMU passthrough?)");
		else
			snprintf(buf, len, "not supported on this machine (%s)", strerror(c->error));
		break;
	case REC_EVENT_NOT_PERMITTED:
		if (c->spec->unavailable)
			snprintf(buf, len, "not permitted: tracefs, where tracepoints are named, is root's here (run as root, or with CAP_PERFMON and a readable tracefs)");
		else if (c->spec->kind == EVENT_TRACEPOINT)
			snprintf(buf, len, "not permitted (%s): tracepoints count kernel work, which perf_event_paranoid >= 2 refuses without CAP_PERFMON",
				 strerror(c->error));
		else
			snprintf(buf, len, "not permitted (%s): see /proc/sys/kernel/perf_event_paranoid, or grant CAP_PERFMON",
				 strerror(c->error));
		break;
	default:
		if (c->filter_refused)
			snprintf(buf, len, "filter refused (%s)", strerror(c->error));
		else
			snprintf(buf, len, "cannot be opened: %s", strerror(c->error));
		break;
	}
	return buf;
}
