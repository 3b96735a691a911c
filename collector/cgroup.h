/*
 * cgroup.h - a cgroup of pprobe's own for the command, and the memory
 * figures the kernel keeps for it (the `cgroup` memory backend).
 *
 * The command is put into a fresh cgroup while workload.c still holds it,
 * before it execs, so every process it ever starts is born inside. The
 * kernel then accounts the whole tree as one: memory.peak (cgroup v2, Linux
 * 5.19 and later) or memory.max_usage_in_bytes (cgroup v1) is the exact
 * peak of the tree, shared pages counted once, however short the spike.
 * That figure is not RSS: it includes the page cache the tree brought in
 * and the kernel memory it caused (page tables, stacks, slab), and page
 * cache stays charged after the process that read it has exited.
 * cgroup_mem_describe() says so.
 *
 * The cgroup is made under the one pprobe itself is in (from
 * /proc/self/cgroup, located through /proc/self/mountinfo, never at a
 * hard-coded path), so it works inside containers and delegated subtrees,
 * on cgroup v1, v2 and hybrid layouts:
 *
 *   v1      one directory in each controller's hierarchy
 *           (<memory mount>/<pprobe's cgroup>/pprobe-<pid>);
 *   v2      one directory for all controllers. Its parent must hand the
 *           controllers down (cgroup.subtree_control), which cgroup v2
 *           allows only for a cgroup with no processes of its own ("no
 *           internal processes"; the root cgroup is exempt). When pprobe is
 *           alone in its cgroup with its own children, it moves them and
 *           itself into a leaf beside the command's cgroup
 *           (pprobe-<pid>-collector), as systemd asks of delegated
 *           subtrees, and moves back when the cgroup is destroyed.
 *           Otherwise it says why it cannot.
 *
 * Two layers. struct cgroup puts a process into a set of controllers and
 * removes the cgroup again; struct cgroup_mem is the memory backend on it.
 * `record --cpus` asks for { "cpuset" } with opts.cpus, beside the
 * memory or perf_event cgroup, on v1 (on v2 a process is in one cgroup,
 * and cpuset is not one a cgroup of pprobe's can be nested with: there
 * the affinity alone pins).
 *
 * Functions return 0 or -errno. Those that can fail for a reason a user
 * must act on take a `why` buffer (may be NULL) and fill it with one
 * lowercase line without a full stop, the problem first, then what to do:
 *
 *   cannot create a cgroup under '/sys/fs/cgroup/memory/x': Permission
 *   denied (run as root, or in a cgroup delegated to you; --mem=hwm ...)
 *
 * The errno tells the kind of failure:
 *   -ENOENT      no cgroup filesystem is mounted, or pprobe's own cgroup is
 *                not visible in it (a foreign cgroup namespace)
 *   -EOPNOTSUPP  no such controller (not mounted, not in the kernel, or not
 *                delegated to pprobe's cgroup on v2)
 *   -EACCES, -EPERM  not permitted (not root, no delegation)
 *   -EROFS       the cgroup filesystem is mounted read-only (containers)
 *   -EBUSY       v2: pprobe's cgroup holds other processes, so it cannot
 *                hand a controller down
 *   other        as the kernel said (-EAGAIN: cgroup.max.descendants)
 *
 * Nothing here prints or exits; pprobe is single-threaded and so is this.
 */
#ifndef PPROBE_CGROUP_H
#define PPROBE_CGROUP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* v1 hierarchies one cgroup can span: one per controller asked for. */
#define CGROUP_MAX_DIRS 4

/* One directory pprobe made, in one hierarchy. All strings are owned. */
struct cgroup_dir {
	int version;        /* 1 or 2 */
	char *controllers;  /* the controllers it serves, space-separated */
	char *parent;       /* pprobe's own cgroup, where it was made */
	char *path;         /* the command's cgroup; NULL once removed */
	char *self;         /* v2: the leaf pprobe moved itself into so that
			     * parent could hand controllers down; or NULL */
	char *enabled;      /* v2: what pprobe enabled in parent's
			     * cgroup.subtree_control along with `self`, to
			     * be disabled again; or NULL */
};

/* The command's cgroup. Storage is the caller's; the strings are ours. */
struct cgroup {
	struct cgroup_dir dir[CGROUP_MAX_DIRS];
	size_t nr;          /* entries of dir[] in use */
};

#define CGROUP_INIT { .nr = 0 }

struct cgroup_options {
	/* controllers to enable, NULL-terminated: { "memory", NULL } */
	const char *const *controllers;
	/* start of the directory name, "<hint>-<pid>"; NULL means "pprobe" */
	const char *name_hint;
	/*
	 * What to use instead, appended to failure messages ("--mem=hwm gives
	 * an exact per-process peak without cgroups"); may be NULL.
	 */
	const char *instead;
	/*
	 * NULL: the cgroup is made under pprobe's own. Else a cgroup v2
	 * directory of pprobe's (the memory backend's) to make it inside,
	 * for implicit controllers only (perf_event): the tree then stays
	 * under the memory cgroup, whose figures include its children.
	 */
	const char *parent;
	/*
	 * With the cpuset controller: the CPUs ("0-3,8") the cgroup's tasks
	 * may run on, written to cpuset.cpus before any task is attached
	 * (on v1 cpuset.mems is copied from the parent first: a v1 cpuset
	 * takes no task until both are set). A task inside cannot widen its
	 * affinity past them, as it could a bare sched_setaffinity().
	 */
	const char *cpus;
};

/*
 * Makes the command's cgroup with every controller in opts, under pprobe's
 * own cgroup. No initialisation of cg is needed. On failure nothing is
 * left behind (no directory, pprobe back where it was) and cg may still be
 * passed to cgroup_destroy(), which does nothing.
 */
int cgroup_create(struct cgroup *cg, const struct cgroup_options *opts,
		  char *why, size_t whylen);

/*
 * Moves pid into the cgroup (every directory of it). Call it while the
 * command is held, before it execs, so its whole tree is born inside.
 * -ESRCH when pid is gone.
 */
int cgroup_attach(struct cgroup *cg, pid_t pid, char *why, size_t whylen);

/* The directory serving controller, or NULL. Borrowed from cg. */
const char *cgroup_path(const struct cgroup *cg, const char *controller);

/*
 * Removes the cgroup, once the whole tree has exited, and undoes what
 * create did (v2: pprobe moves back to its own cgroup). Processes still
 * inside, which there should not be, are moved out to pprobe's cgroup
 * first so that no directory is left: then -EBUSY, and why says how many
 * and where they went. Another error means a directory could not be
 * removed; why names it. Safe to call twice, after a failed create, and on
 * a CGROUP_INIT struct; frees every string.
 */
int cgroup_destroy(struct cgroup *cg, char *why, size_t whylen);

/*
 * The memory backend: the tree's current and peak memory, kept by the
 * kernel for the command's cgroup.
 */
struct cgroup_mem {
	struct cgroup cgroup;  /* the command's cgroup, with "memory" */
	int version;           /* 1 or 2; 0 before a successful create */
	int current_fd;        /* memory.current / memory.usage_in_bytes */
	int peak_fd;           /* memory.peak / memory.max_usage_in_bytes; -1
				* on v2 before Linux 5.19 (no memory.peak) */
	int stat_fd;           /* memory.stat, or -1 */
	uint64_t peak_seen;    /* largest figure read so far; the peak itself
				* when peak_fd is -1 (sampled, may miss spikes) */
};

#define CGROUP_MEM_INIT { .cgroup = CGROUP_INIT, .current_fd = -1, \
			  .peak_fd = -1, .stat_fd = -1 }

/*
 * Creates the command's memory cgroup ("<name_hint>-<pid>", name_hint NULL
 * means "pprobe") and opens its figures. No initialisation of cm is
 * needed. Failure messages name --mem=hwm as what to use instead. On
 * failure nothing is left behind and cm may be passed to
 * cgroup_mem_destroy().
 */
int cgroup_mem_create(struct cgroup_mem *cm, const char *name_hint,
		      char *why, size_t whylen);

/* Moves the held command into the cgroup: see cgroup_attach(). */
int cgroup_mem_attach(struct cgroup_mem *cm, pid_t pid, char *why, size_t whylen);

/*
 * Reads the tree's memory now and its peak so far, in bytes, with pread(2)
 * on descriptors kept open (about a microsecond; fit for every tick). The
 * peak stays readable after the tree has exited, until destroy: read the
 * final figures before it. peak_bytes is never below current_bytes.
 */
int cgroup_mem_read(struct cgroup_mem *cm, uint64_t *current_bytes,
		    uint64_t *peak_bytes);

/*
 * Splits the current figure, from memory.stat: anonymous memory, and file
 * pages (page cache, tmpfs/shmem included). v2 "anon"/"file", v1
 * "total_rss"/"total_cache". Kernel memory is in neither. memory.stat is
 * larger and slower than the other files (v2 flushes per-CPU statistics):
 * read it at the end, or seldom. -ENOENT when there is no memory.stat.
 */
int cgroup_mem_read_split(struct cgroup_mem *cm, uint64_t *anon_bytes,
			  uint64_t *file_bytes);

/*
 * What the figures are, for the report, e.g. "cgroup v1
 * memory.max_usage_in_bytes (whole tree, includes page cache and kernel
 * memory)". Static storage; never NULL.
 */
const char *cgroup_mem_describe(const struct cgroup_mem *cm);

/* Closes the figures and destroys the cgroup: see cgroup_destroy(). */
int cgroup_mem_destroy(struct cgroup_mem *cm, char *why, size_t whylen);

/*
 * The CPU time of every task the cgroup has held, those that have exited
 * included, in ns, split user and system as getrusage() splits it: cgroup
 * v2 cpu.stat (user_usec, system_usec: in every v2 cgroup, whether the cpu
 * controller is enabled or not), or v1 cpuacct.usage_user and
 * cpuacct.usage_sys (a cgroup made with "cpuacct"). The kernel keeps
 * these for every task anyway: reading them adds nothing to what the tasks
 * do. Opened and read each call (a few microseconds). -ENOENT when cg has
 * neither file.
 */
int cgroup_cpu_read(const struct cgroup *cg, uint64_t *user_ns, uint64_t *system_ns);

/*
 * Pure helpers, exposed for tests and diagnostics.
 *
 * Where controller lives for a process whose /proc/self/mountinfo and
 * /proc/self/cgroup read as given: a v1 hierarchy of its own (version 1),
 * else the v2 hierarchy (version 2; whether v2 offers the controller is
 * for the caller to check in cgroup.controllers). Mount points and roots
 * are unescaped (\040 is a space); a v1 hierarchy may be mounted more than
 * once, and the mount whose root holds the process's cgroup is taken.
 */
struct cgroup_location {
	int version;        /* 1 or 2 */
	char *mount_point;  /* where that hierarchy is mounted */
	char *dir;          /* the process's cgroup directory under it */
};

int cgroup_locate(const char *mountinfo, const char *proc_cgroup,
		  const char *controller, struct cgroup_location *loc,
		  char *why, size_t whylen);
void cgroup_location_release(struct cgroup_location *loc);

/*
 * The value of `key` in a "key value" file such as memory.stat: 0, or
 * -ENOENT when the key is absent, -EINVAL when the value is not a number.
 */
int cgroup_stat_value(const char *text, const char *key, uint64_t *value);

#endif /* PPROBE_CGROUP_H */
