/*
 * cgroup.c - the command's own cgroup, and the `cgroup` memory backend.
 * See cgroup.h for what the figures mean and the layouts handled.
 *
 * Everything is found from /proc/self/mountinfo and /proc/self/cgroup, so
 * the cgroup lands under the one pprobe runs in, whatever the mount points.
 * The parsing is done by pure functions on the text of those files, tested
 * on canned layouts; the rest is mkdir, rmdir, and writes of pids and
 * "+controller" lines into cgroupfs.
 *
 * Limits, named where they live: the cgroup is found and made once; a
 * cgroup namespace whose root does not match the mount's root is refused
 * rather than guessed at; and on v2, pprobe can only hand a controller
 * down from its own cgroup when it is alone in it (see move_aside()).
 */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procfs.h"
#include "usage.h"      /* PPROBE_PRINTF only: nothing here prints */

#define DEFAULT_NAME_HINT "pprobe"
/* Another memory backend needs no cgroup at all. */
#define MEM_INSTEAD "--mem=hwm gives an exact per-process peak without cgroups"
/* Suffix of the v2 leaf pprobe moves itself into (see move_aside()). */
#define SELF_SUFFIX "-collector"
/* Rounds of moving processes out of a cgroup that will not go away. */
#define EVICT_ROUNDS 5

/* ---- messages ----------------------------------------------------- */

static PPROBE_PRINTF(4, 5)
int fail(char *why, size_t whylen, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -err;
}

/* What a user can do about err, in general. */
static const char *advice(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return "run as root, or in a cgroup delegated to you";
	case EROFS:
		return "the cgroup filesystem is mounted read-only, as in most containers";
	case EAGAIN:
		return "the cgroup tree is full: see cgroup.max.descendants and cgroup.max.depth";
	default:
		return NULL;
	}
}

/* " (hint; instead)", " (hint)", " (instead)" or "", in buf. */
static const char *tail(char *buf, size_t len, const char *hint, const char *instead)
{
	if (hint && instead)
		snprintf(buf, len, " (%s; %s)", hint, instead);
	else if (hint || instead)
		snprintf(buf, len, " (%s)", hint ? hint : instead);
	else
		buf[0] = '\0';
	return buf;
}

/* "<doing> '<path>': <strerror>" and what to do. Returns -err. */
static int explain(char *why, size_t whylen, int err, const char *doing,
		   const char *path, const char *instead)
{
	char t[512];

	return fail(why, whylen, err, "%s '%s': %s%s", doing, path, strerror(err),
		    tail(t, sizeof(t), advice(err), instead));
}

/* ---- small file helpers (reading: procfs.h) ----------------------- */

static int write_text(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	close(fd);
	return err;
}

/* dir + "/" + name, or NULL when out of memory. */
static char *join(const char *dir, const char *name)
{
	char *s;

	return asprintf(&s, "%s/%s", dir, name) < 0 ? NULL : s;
}

static int read_in(const char *dir, const char *name, char **out)
{
	char *path = join(dir, name);
	int err;

	if (!path)
		return -ENOMEM;
	err = proc_read_text(path, out);
	free(path);
	return err;
}

static int write_in(const char *dir, const char *name, const char *text)
{
	char *path = join(dir, name);
	int err;

	if (!path)
		return -ENOMEM;
	err = write_text(path, text);
	free(path);
	return err;
}

/* Is word one of the tokens of list (separated by blanks or commas)? */
static int has_word(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *p = list;

	while (p && *p) {
		size_t n;

		p += strspn(p, " \t\n,");
		n = strcspn(p, " \t\n,");
		if (n == len && !strncmp(p, word, len))
			return 1;
		p += n;
	}
	return 0;
}

/* Appends " word" (or "word") to the heap string *list. */
static int add_word(char **list, const char *word)
{
	char *s;
	int n;

	if (*list)
		n = asprintf(&s, "%s %s", *list, word);
	else
		n = asprintf(&s, "%s", word);
	if (n < 0)
		return -ENOMEM;
	free(*list);
	*list = s;
	return 0;
}

/* ---- /proc/self/mountinfo and /proc/self/cgroup ------------------- */

/*
 * mountinfo escapes space, tab, newline and backslash in paths as three
 * octal digits: "\040". Decodes in place.
 */
static char *unescape(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' &&
		    r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return s;
}

struct mount_entry {
	char *root;          /* the path of the filesystem mounted here */
	char *mount_point;
	char *fstype;
	char *super_options; /* for cgroup v1, the controllers: "rw,memory" */
};

/*
 * One line of mountinfo, split in place:
 *   36 35 98:0 /root /mnt/point rw,noatime master:1 - ext3 /dev/x rw,errors
 *   (0)(1)(2)  (3)   (4)        (5)       (optional) - (fstype)(source)(super)
 */
static int parse_mount_line(char *line, struct mount_entry *m)
{
	char *field[6], *save = NULL, *tok;
	int i;

	tok = strtok_r(line, " ", &save);
	for (i = 0; i < 6 && tok; i++) {
		field[i] = tok;
		tok = strtok_r(NULL, " ", &save);
	}
	if (i < 6)
		return -1;
	while (tok && strcmp(tok, "-"))
		tok = strtok_r(NULL, " ", &save);
	if (!tok)
		return -1;
	m->fstype = strtok_r(NULL, " ", &save);
	if (!m->fstype || !strtok_r(NULL, " ", &save))
		return -1;
	m->super_options = strtok_r(NULL, " ", &save);
	if (!m->super_options)
		return -1;
	m->root = unescape(field[3]);
	m->mount_point = unescape(field[4]);
	return 0;
}

/*
 * The process's cgroup path from /proc/self/cgroup ("id:controllers:path"):
 * the v1 line listing controller, or the v2 line "0::path" when controller
 * is NULL. The path is printed raw and may hold spaces and colons. Heap
 * copy, or NULL when there is no such line (or no memory).
 */
static char *own_cgroup(const char *text, const char *controller)
{
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *c1 = memchr(line, ':', len);
		const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;

		if (c2) {
			int v2 = c1 - line == 1 && line[0] == '0' && c2 == c1 + 1;
			char *list = strndup(c1 + 1, (size_t)(c2 - c1 - 1));
			int match;

			if (!list)
				return NULL;
			match = controller ? !v2 && has_word(list, controller) : v2;
			free(list);
			if (match)
				return strndup(c2 + 1, len - (size_t)(c2 + 1 - line));
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

/*
 * Where the cgroup `path` is, in a mount of the hierarchy whose root is
 * `root`, mounted at mount_point; NULL when the mount does not show it.
 * The root must match whole path components: "/a" does not hold "/ab".
 */
static char *cgroup_dir_in_mount(const char *mount_point, const char *root,
				 const char *path)
{
	size_t len = strlen(root);
	const char *rest;
	char *s;

	if (!strcmp(root, "/")) {
		rest = path;
	} else {
		if (strncmp(path, root, len) || (path[len] != '\0' && path[len] != '/'))
			return NULL;
		rest = path + len;
	}
	if (!strcmp(rest, "/"))
		rest = "";
	return asprintf(&s, "%s%s", mount_point, rest) < 0 ? NULL : s;
}

static int locate(const char *mountinfo, const char *proc_cgroup,
		  const char *controller, struct cgroup_location *loc,
		  const char *instead, char *why, size_t whylen)
{
	char *own[2], *text, *line, *next;
	int seen[2] = { 0, 0 }, any_cgroup = 0, version = 0, err = 0;
	char *dir[2] = { NULL, NULL }, *mount[2] = { NULL, NULL };
	char t[512];

	memset(loc, 0, sizeof(*loc));
	own[0] = own_cgroup(proc_cgroup, controller);
	own[1] = own_cgroup(proc_cgroup, NULL);
	text = strdup(mountinfo);
	if (!text) {
		err = -ENOMEM;
		goto out;
	}

	for (line = text; line && *line; line = next) {
		struct mount_entry m;
		int v;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (parse_mount_line(line, &m))
			continue;
		if (!strcmp(m.fstype, "cgroup2"))
			v = 1;
		else if (!strcmp(m.fstype, "cgroup"))
			v = 0;
		else
			continue;
		any_cgroup = 1;
		if (v == 0 && !has_word(m.super_options, controller))
			continue;
		seen[v] = 1;
		if (dir[v] || !own[v])
			continue;
		dir[v] = cgroup_dir_in_mount(m.mount_point, m.root, own[v]);
		if (dir[v] && !(mount[v] = strdup(m.mount_point))) {
			err = -ENOMEM;
			goto out;
		}
	}

	/* A controller bound to a v1 hierarchy cannot be on v2 as well. */
	version = seen[0] ? 1 : seen[1] ? 2 : 0;
	if (version) {
		int v = version - 1;

		if (dir[v]) {
			loc->version = version;
			loc->mount_point = mount[v];
			loc->dir = dir[v];
			mount[v] = dir[v] = NULL;
		} else if (!own[v]) {
			err = fail(why, whylen, ENOENT,
				   "pprobe's cgroup in the cgroup v%d hierarchy of '%s' is not listed in /proc/self/cgroup%s",
				   version, controller, tail(t, sizeof(t), NULL, instead));
		} else {
			err = fail(why, whylen, ENOENT,
				   "pprobe's cgroup '%s' is not visible in any mount of the cgroup v%d hierarchy of '%s' (another cgroup namespace?)%s",
				   own[v], version, controller, tail(t, sizeof(t), NULL, instead));
		}
	} else if (any_cgroup) {
		err = fail(why, whylen, EOPNOTSUPP,
			   "no '%s' controller: no cgroup v1 hierarchy has it and cgroup v2 is not mounted%s",
			   controller, tail(t, sizeof(t), NULL, instead));
	} else {
		err = fail(why, whylen, ENOENT,
			   "no cgroup filesystem is mounted%s",
			   tail(t, sizeof(t), "/proc/self/mountinfo lists none", instead));
	}
out:
	for (int v = 0; v < 2; v++) {
		free(own[v]);
		free(dir[v]);
		free(mount[v]);
	}
	free(text);
	return err;
}

int cgroup_locate(const char *mountinfo, const char *proc_cgroup,
		  const char *controller, struct cgroup_location *loc,
		  char *why, size_t whylen)
{
	return locate(mountinfo, proc_cgroup, controller, loc, NULL, why, whylen);
}

void cgroup_location_release(struct cgroup_location *loc)
{
	free(loc->mount_point);
	free(loc->dir);
	loc->mount_point = loc->dir = NULL;
	loc->version = 0;
}

int cgroup_stat_value(const char *text, const char *key, uint64_t *value)
{
	size_t len = strlen(key);
	const char *line = text;

	while (line && *line) {
		if (!strncmp(line, key, len) && line[len] == ' ') {
			const char *p = line + len + 1;
			char *end;

			if (*p < '0' || *p > '9')
				return -EINVAL;
			errno = 0;
			*value = strtoull(p, &end, 10);
			if (errno || (*end != '\n' && *end != '\0'))
				return -EINVAL;
			return 0;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -ENOENT;
}

/* ---- processes in cgroups ----------------------------------------- */

/* The pids in dir's cgroup.procs. *pids is heap, NULL when empty. */
static int read_procs(const char *dir, pid_t **pids, size_t *nr)
{
	char *text, *p, *end;
	size_t cap = 0;
	int err;

	*pids = NULL;
	*nr = 0;
	err = read_in(dir, "cgroup.procs", &text);
	if (err)
		return err;
	for (p = text; *p; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (*nr == cap) {
			pid_t *bigger = realloc(*pids, (cap = cap ? cap * 2 : 16) * sizeof(**pids));

			if (!bigger) {
				free(*pids);
				*pids = NULL;
				*nr = 0;
				free(text);
				return -ENOMEM;
			}
			*pids = bigger;
		}
		(*pids)[(*nr)++] = (pid_t)v;
	}
	free(text);
	return 0;
}

/* Moves pid (its whole thread group) into the cgroup dir. */
static int write_pid(const char *dir, pid_t pid)
{
	char buf[32];
	int err;

	snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	err = write_in(dir, "cgroup.procs", buf);
	if (err == -ENOENT)     /* v1 before cgroup.procs: threads only */
		err = write_in(dir, "tasks", buf);
	return err;
}

/* Moves every process of from into to; *moved counts them. */
static int move_procs(const char *from, const char *to, size_t *moved)
{
	pid_t *pids;
	size_t nr;
	int err = read_procs(from, &pids, &nr);

	for (size_t i = 0; !err && i < nr; i++) {
		int e = write_pid(to, pids[i]);

		if (!e)
			(*moved)++;
		else if (e != -ESRCH)   /* gone meanwhile: nothing to move */
			err = e;
	}
	free(pids);
	return err;
}

static pid_t parent_of(pid_t pid)
{
	char path[64], *text, *p;
	int ppid = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (proc_read_text(path, &text))
		return -1;
	/* "pid (comm) S ppid ...": comm may hold anything, even ") " */
	p = strrchr(text, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		ppid = -1;
	free(text);
	return (pid_t)ppid;
}

/*
 * 1 when dir holds only pprobe and its children (the held command), 0
 * when anything else is there, or -errno.
 */
static int only_us_in(const char *dir)
{
	pid_t self = getpid(), *pids;
	size_t nr;
	int err = read_procs(dir, &pids, &nr), alone = 1;

	if (err)
		return err;
	for (size_t i = 0; alone && i < nr; i++)
		if (pids[i] != self && parent_of(pids[i]) != self)
			alone = 0;
	free(pids);
	return alone;
}

/*
 * Empties the cgroup `path` and its descendants into `to`, deepest first,
 * removing the descendants: a command may have made cgroups of its own.
 */
static int evict_tree(const char *path, const char *to, size_t *moved)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int err = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char *sub;

		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = join(path, e->d_name);
		if (!sub) {
			err = -ENOMEM;
			break;
		}
		err = evict_tree(sub, to, moved);
		if (!err && rmdir(sub) < 0 && errno != ENOENT)
			err = -errno;
		free(sub);
		if (err)
			break;
	}
	closedir(d);
	return err ? err : move_procs(path, to, moved);
}

/*
 * rmdir of a cgroup; if processes are still in it, they are moved to `to`
 * first. *moved counts them.
 */
static int remove_cgroup(const char *path, const char *to, size_t *moved)
{
	int err = 0;

	for (int round = 0; round <= EVICT_ROUNDS; round++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		err = -errno;
		if (err != -EBUSY || round == EVICT_ROUNDS)
			break;
		err = evict_tree(path, to, moved);
		if (err)
			break;
	}
	return err;
}

/* ---- making the cgroup -------------------------------------------- */

static int valid_name(const char *s)
{
	return s[0] && s[0] != '.' && !strpbrk(s, "/ \t\n") && strlen(s) < 200;
}

/* The inode of the initial pid namespace (PROC_PID_INIT_INO, Linux 3.8+). */
#define PID_NS_INIT_INO 0xEFFFFFFCu

/*
 * The pid in a name make_cgroup() or move_aside() gives,
 * "<hint>-<pid>[-<n>][SELF_SUFFIX]", or 0 for any other name.
 */
static long pid_of_name(const char *name, const char *hint)
{
	size_t hlen = strlen(hint);
	const char *p = name + hlen + 1;
	char *end;
	long pid;

	if (strncmp(name, hint, hlen) || name[hlen] != '-' || *p < '1' || *p > '9')
		return 0;
	pid = strtol(p, &end, 10);
	if (*end == '-' && end[1] >= '0' && end[1] <= '9')
		strtol(end + 1, &end, 10);
	if (!strncmp(end, SELF_SUFFIX, strlen(SELF_SUFFIX)))
		end += strlen(SELF_SUFFIX);
	return *end || pid > INT_MAX ? 0 : pid;
}

/*
 * Removes what a pprobe killed by SIGKILL left under parent: its
 * cgroups, once no process has the pid in their names. rmdir removes
 * only an empty cgroup, so one with a process still in it stays. Only
 * in the initial pid namespace: in another, a pid we do not see may be
 * a live pprobe's that shares our cgroups (unshare -p, some sandboxes).
 */
static void sweep_stale(const char *parent, const char *hint)
{
	struct stat ns;
	struct dirent *d;
	DIR *dir;

	if (stat("/proc/self/ns/pid", &ns) < 0 || ns.st_ino != PID_NS_INIT_INO)
		return;
	dir = opendir(parent);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		long pid = pid_of_name(d->d_name, hint);
		char *path;

		if (!pid || pid == getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if (asprintf(&path, "%s/%s", parent, d->d_name) >= 0) {
			rmdir(path);
			free(path);
		}
	}
	closedir(dir);
}

/*
 * mkdir of "<hint>-<pid>" under parent, or "<hint>-<pid>-<n>" when a
 * pprobe that died with our pid left one behind (never reused: it may
 * still be someone's). What dead pprobes left is removed first.
 */
static int make_cgroup(const char *parent, const char *hint, char **path,
		       const char *instead, char *why, size_t whylen)
{
	sweep_stale(parent, hint);
	for (unsigned n = 0; n < 100; n++) {
		char *s;
		int len = n ? asprintf(&s, "%s/%s-%d-%u", parent, hint, (int)getpid(), n)
			    : asprintf(&s, "%s/%s-%d", parent, hint, (int)getpid());

		if (len < 0)
			return fail(why, whylen, ENOMEM, "out of memory");
		if (mkdir(s, 0755) == 0) {
			*path = s;
			return 0;
		}
		free(s);
		if (errno != EEXIST)
			return explain(why, whylen, errno, "cannot create a cgroup under",
				       parent, instead);
	}
	return fail(why, whylen, EEXIST,
		    "cannot create a cgroup under '%s': a hundred '%s-%d' cgroups are in the way",
		    parent, hint, (int)getpid());
}

/* Moves what move_aside() moved back into parent and removes the leaf. */
static int undo_aside(struct cgroup_dir *d)
{
	size_t moved = 0;
	int err = move_procs(d->self, d->parent, &moved);

	if (!err && rmdir(d->self) < 0)
		err = -errno;
	if (!err) {
		free(d->self);
		d->self = NULL;
	}
	return err;
}

/*
 * cgroup v2 hands a domain controller (memory, io, ...) to a cgroup's
 * children only when the cgroup itself holds no process; pprobe is in it.
 * When pprobe and its own children are all it holds, they move into a leaf
 * of their own beside the command's cgroup, which empties the parent.
 * Anyone else in there (a shell, a session's other processes) is not ours
 * to move: then -EBUSY and why says what to do.
 */
static int move_aside(struct cgroup_dir *d, const char *controllers,
		      const char *instead, char *why, size_t whylen)
{
	char t[512], *self;
	size_t moved = 0;
	int alone = only_us_in(d->parent), err;

	if (alone < 0)
		return explain(why, whylen, -alone, "cannot read the processes of cgroup",
			       d->parent, instead);
	if (!alone)
		return fail(why, whylen, EBUSY,
			    "cannot hand the '%s' controller down from pprobe's cgroup '%s': other processes are in it%s",
			    controllers, d->parent,
			    tail(t, sizeof(t),
				 "cgroup v2 lets only a cgroup without processes give controllers to its children; run pprobe alone in a cgroup, e.g. under 'systemd-run --scope -p Delegate=yes', with --user when not root",
				 instead));

	if (asprintf(&self, "%s%s", d->path, SELF_SUFFIX) < 0)
		return fail(why, whylen, ENOMEM, "out of memory");
	if (mkdir(self, 0755) < 0) {
		err = explain(why, whylen, errno, "cannot create a cgroup under",
			      d->parent, instead);
		free(self);
		return err;
	}
	d->self = self;
	err = move_procs(d->parent, d->self, &moved);
	if (err) {
		explain(why, whylen, -err, "cannot move pprobe into cgroup", d->self, instead);
		undo_aside(d);
	}
	return err;
}

/* "+memory +cpuset" for the controllers in list not yet in enabled. */
static int missing_controllers(const char *list, const char *enabled,
			       char **names, char **plus)
{
	char *copy = strdup(list), *save = NULL, *c;
	int err = copy ? 0 : -ENOMEM;

	*names = *plus = NULL;
	for (c = copy ? strtok_r(copy, " ", &save) : NULL; c && !err;
	     c = strtok_r(NULL, " ", &save)) {
		char buf[64];

		if (has_word(enabled, c))
			continue;
		snprintf(buf, sizeof(buf), "+%s", c);
		err = add_word(names, c);
		if (!err)
			err = add_word(plus, buf);
	}
	free(copy);
	return err;
}

/* Every controller of d->controllers is in the file `name` of dir. */
static int check_offered(const char *dir, const char *name, const char *list,
			 const char **missing, char **text)
{
	char *copy, *save = NULL, *c;
	int err = read_in(dir, name, text);

	*missing = NULL;
	if (err)
		return err;
	copy = strdup(list);
	if (!copy)
		return -ENOMEM;
	for (c = strtok_r(copy, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
		if (!has_word(*text, c)) {
			/* points into list, which outlives the caller's use */
			*missing = list + (c - copy);
			break;
		}
	}
	free(copy);
	return 0;
}

/* The first word of s, in buf. */
static const char *first_word(const char *s, char *buf, size_t len)
{
	size_t n = strcspn(s, " ");

	snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), s);
	return buf;
}

/*
 * Controllers cgroup v2 gives every cgroup without being enabled: they are
 * in no cgroup.controllers and no cgroup.subtree_control. perf_event is
 * one (counting a cgroup's tasks per CPU needs only the directory).
 */
static int v2_implicit(const char *controller)
{
	return !strcmp(controller, "perf_event");
}

/* d->controllers without the implicit ones, in *out (NULL if none). */
static int explicit_controllers(const char *list, char **out)
{
	char *copy = strdup(list), *save = NULL, *c;
	int err = copy ? 0 : -ENOMEM;

	*out = NULL;
	for (c = copy ? strtok_r(copy, " ", &save) : NULL; c && !err;
	     c = strtok_r(NULL, " ", &save))
		if (!v2_implicit(c))
			err = add_word(out, c);
	free(copy);
	return err;
}

static int place_v2_explicit(struct cgroup_dir *d, const char *mount_point,
			     const char *hint, const char *instead, char *why,
			     size_t whylen);

/*
 * Makes d->path on cgroup v2. Implicit controllers need nothing but the
 * directory; the others are handed down to it (place_v2_explicit()).
 */
static int place_v2(struct cgroup_dir *d, const char *mount_point, const char *hint,
		    const char *instead, char *why, size_t whylen)
{
	char *all = d->controllers, *explicit;
	int err = explicit_controllers(all, &explicit);

	if (err)
		return fail(why, whylen, ENOMEM, "out of memory");
	if (!explicit)
		return make_cgroup(d->parent, hint, &d->path, instead, why, whylen);
	/* What follows checks and enables d->controllers: the explicit ones. */
	d->controllers = explicit;
	err = place_v2_explicit(d, mount_point, hint, instead, why, whylen);
	d->controllers = all;
	free(explicit);
	return err;
}

/* Makes d->path on cgroup v2, with d->controllers handed down to it. */
static int place_v2_explicit(struct cgroup_dir *d, const char *mount_point, const char *hint,
		    const char *instead, char *why, size_t whylen)
{
	char *offered = NULL, *root_offered = NULL, *enabled = NULL;
	char *names = NULL, *plus = NULL, t[512], word[64];
	const char *missing;
	int err;

	/* Is the controller offered to pprobe's cgroup at all? */
	err = check_offered(d->parent, "cgroup.controllers", d->controllers,
			    &missing, &offered);
	if (err) {
		explain(why, whylen, -err, "cannot read the controllers of cgroup",
			d->parent, instead);
		goto out;
	}
	if (missing) {
		size_t n;

		first_word(missing, word, sizeof(word));
		err = read_in(mount_point, "cgroup.controllers", &root_offered);
		if (!err && has_word(root_offered, word)) {
			err = fail(why, whylen, EOPNOTSUPP,
				   "the '%s' controller is not delegated to pprobe's cgroup '%s' (its parent's cgroup.subtree_control does not enable it%s%s)",
				   word, d->parent, instead ? "; " : "", instead ? instead : "");
			goto out;
		}
		n = root_offered ? strcspn(root_offered, "\n") : 0;
		if (n)
			err = fail(why, whylen, EOPNOTSUPP,
				   "no '%s' controller: it is in no cgroup v1 hierarchy, and cgroup v2 at '%s' offers only '%.*s'%s",
				   word, mount_point, (int)n, root_offered,
				   tail(t, sizeof(t), NULL, instead));
		else
			err = fail(why, whylen, EOPNOTSUPP,
				   "no '%s' controller: it is in no cgroup v1 hierarchy, and cgroup v2 at '%s' offers none%s",
				   word, mount_point, tail(t, sizeof(t), NULL, instead));
		goto out;
	}

	err = make_cgroup(d->parent, hint, &d->path, instead, why, whylen);
	if (err)
		goto out;

	/* Does pprobe's cgroup hand it down to its children? */
	err = read_in(d->parent, "cgroup.subtree_control", &enabled);
	if (!err)
		err = missing_controllers(d->controllers, enabled, &names, &plus);
	if (err) {
		explain(why, whylen, -err, "cannot read cgroup.subtree_control of",
			d->parent, instead);
		goto out;
	}
	if (plus) {
		/*
		 * This succeeds at once only in the root cgroup, which the rule
		 * exempts; there it stays enabled, as taking it back would take
		 * it from every other cgroup that has come to rely on it since.
		 * Elsewhere pprobe is in the way, and moves aside.
		 */
		err = write_in(d->parent, "cgroup.subtree_control", plus);
		if (err == -EBUSY) {
			err = move_aside(d, names, instead, why, whylen);
			if (err)
				goto out;
			err = write_in(d->parent, "cgroup.subtree_control", plus);
			if (err) {
				undo_aside(d);
			} else {
				d->enabled = names;
				names = NULL;
			}
		}
		if (err == -EBUSY)
			fail(why, whylen, EBUSY,
			     "cannot hand the '%s' controller down from pprobe's cgroup '%s': processes came into it%s",
			     d->controllers, d->parent, tail(t, sizeof(t), NULL, instead));
		else if (err)
			explain(why, whylen, -err, "cannot enable the controllers for the children of cgroup",
				d->parent, instead);
		if (err)
			goto out;
	}

	/* The kernel agrees: the new cgroup has them. */
	free(offered);
	offered = NULL;
	err = check_offered(d->path, "cgroup.controllers", d->controllers,
			    &missing, &offered);
	if (!err && missing)
		err = fail(why, whylen, EOPNOTSUPP,
			   "cgroup '%s' has no '%s' controller though its parent hands it down%s",
			   d->path, first_word(missing, word, sizeof(word)),
			   tail(t, sizeof(t), NULL, instead));
	else if (err)
		explain(why, whylen, -err, "cannot read the controllers of cgroup",
			d->path, instead);
out:
	free(offered);
	free(root_offered);
	free(enabled);
	free(names);
	free(plus);
	return err;
}

static int destroy_dir(struct cgroup_dir *d, char *why, size_t whylen)
{
	size_t moved = 0;
	int err;

	if (d->path) {
		/* v2: the parent may hold no process while it hands controllers down */
		const char *to = d->self ? d->self : d->parent;

		err = remove_cgroup(d->path, to, &moved);
		if (err)
			return explain(why, whylen, -err, "cannot remove cgroup", d->path,
				       err == -EBUSY ? "processes keep coming into it" : NULL);
		if (moved)
			fail(why, whylen, EBUSY,
			     "%zu process%s still in cgroup '%s' after the command's tree had ended, moved to '%s' (pprobe did not reap them: the figures may miss some of their memory)",
			     moved, moved == 1 ? " was" : "es were", d->path, d->parent);
		free(d->path);
		d->path = NULL;
	}
	if (d->self) {
		if (d->enabled) {
			char *minus = NULL, *save = NULL, *c;

			for (c = strtok_r(d->enabled, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
				char buf[64];

				snprintf(buf, sizeof(buf), "-%s", c);
				if (add_word(&minus, buf)) {
					free(minus);
					return fail(why, whylen, ENOMEM, "out of memory");
				}
			}
			err = minus ? write_in(d->parent, "cgroup.subtree_control", minus) : 0;
			free(minus);
			if (err)
				return explain(why, whylen, -err,
					       "cannot give back the controllers pprobe enabled in cgroup",
					       d->parent, "pprobe stays in its leaf cgroup beside it");
			free(d->enabled);
			d->enabled = NULL;
		}
		err = undo_aside(d);
		if (err)
			return explain(why, whylen, -err, "cannot move pprobe back from cgroup",
				       d->self, NULL);
	}
	return moved ? -EBUSY : 0;
}

static void free_dir(struct cgroup_dir *d)
{
	free(d->controllers);
	free(d->parent);
	free(d->path);
	free(d->self);
	free(d->enabled);
	memset(d, 0, sizeof(*d));
}

int cgroup_destroy(struct cgroup *cg, char *why, size_t whylen)
{
	int ret = 0, pending = 0;

	for (size_t i = cg->nr; i-- > 0;) {
		struct cgroup_dir *d = &cg->dir[i];
		char other[512];
		int err = destroy_dir(d, ret ? other : why, ret ? sizeof(other) : whylen);

		/* the first problem is the one told; -EBUSY still removed it */
		if (err && !ret)
			ret = err;
		if (d->path || d->self)
			pending = 1;
	}
	if (!pending) {
		for (size_t i = 0; i < cg->nr; i++)
			free_dir(&cg->dir[i]);
		cg->nr = 0;
	}
	return ret;
}

/*
 * cpuset.cpus of a fresh cpuset cgroup; on v1 its cpuset.mems first,
 * copied from the parent, without which it takes no task (ENOSPC).
 */
static int set_cpus(const struct cgroup_dir *d, const char *cpus,
		    char *why, size_t whylen)
{
	char *from = NULL, *to = NULL, *mems = NULL;
	int err = 0;

	if (d->version == 1) {
		from = join(d->parent, "cpuset.mems");
		to = join(d->path, "cpuset.mems");
		if (!from || !to)
			err = -ENOMEM;
		if (!err)
			err = proc_read_text(from, &mems);
		if (!err)
			err = write_text(to, mems);
		if (err) {
			explain(why, whylen, -err, "cannot set", to ? to : "cpuset.mems", NULL);
			goto out;
		}
	}
	free(to);
	to = join(d->path, "cpuset.cpus");
	if (!to)
		err = -ENOMEM;
	if (!err)
		err = write_text(to, cpus);
	if (err)
		fail(why, whylen, -err, "cannot pin the cgroup '%s' to CPUs %s: %s",
		     d->path, cpus, strerror(-err));
out:
	free(from);
	free(to);
	free(mems);
	return err;
}

int cgroup_create(struct cgroup *cg, const struct cgroup_options *opts,
		  char *why, size_t whylen)
{
	const char *hint = opts && opts->name_hint ? opts->name_hint : DEFAULT_NAME_HINT;
	const char *instead = opts ? opts->instead : NULL;
	char *mountinfo = NULL, *proc_cgroup = NULL, *mounts[CGROUP_MAX_DIRS] = { NULL };
	int err = 0;

	memset(cg, 0, sizeof(*cg));
	if (!opts || !opts->controllers || !opts->controllers[0])
		return fail(why, whylen, EINVAL, "no cgroup controller asked for");
	if (!valid_name(hint))
		return fail(why, whylen, EINVAL, "invalid cgroup name '%s'", hint);
	if (opts->parent) {
		/* Inside a cgroup of ours: implicit controllers only. */
		for (const char *const *c = opts->controllers; *c; c++)
			if (!v2_implicit(*c))
				return fail(why, whylen, EINVAL,
					    "controller '%s' cannot be nested in '%s'", *c, opts->parent);
		cg->nr = 1;
		cg->dir[0].version = 2;
		cg->dir[0].parent = strdup(opts->parent);
		for (const char *const *c = opts->controllers; *c && !err; c++)
			err = add_word(&cg->dir[0].controllers, *c);
		if (!cg->dir[0].parent || err)
			err = fail(why, whylen, ENOMEM, "out of memory");
		if (!err)
			err = make_cgroup(cg->dir[0].parent, hint, &cg->dir[0].path,
					  instead, why, whylen);
		if (err)
			cgroup_destroy(cg, NULL, 0);
		return err;
	}

	err = proc_read_text("/proc/self/mountinfo", &mountinfo);
	if (err) {
		explain(why, whylen, -err, "cannot read", "/proc/self/mountinfo", instead);
		goto out;
	}
	err = proc_read_text("/proc/self/cgroup", &proc_cgroup);
	if (err) {
		explain(why, whylen, -err, "cannot read", "/proc/self/cgroup", instead);
		goto out;
	}

	/* One directory per v1 hierarchy (co-mounted ones share it), one on v2. */
	for (const char *const *c = opts->controllers; *c; c++) {
		struct cgroup_location loc;
		struct cgroup_dir *d = NULL;

		if (!valid_name(*c) || strpbrk(*c, ",+-")) {
			err = fail(why, whylen, EINVAL, "invalid cgroup controller '%s'", *c);
			goto out;
		}
		err = locate(mountinfo, proc_cgroup, *c, &loc, instead, why, whylen);
		if (err)
			goto out;
		for (size_t i = 0; i < cg->nr && !d; i++)
			if (cg->dir[i].version == loc.version && !strcmp(cg->dir[i].parent, loc.dir))
				d = &cg->dir[i];
		if (!d && cg->nr == CGROUP_MAX_DIRS) {
			cgroup_location_release(&loc);
			err = fail(why, whylen, E2BIG, "too many cgroup hierarchies (at most %d)",
				   CGROUP_MAX_DIRS);
			goto out;
		}
		if (!d) {
			d = &cg->dir[cg->nr];
			d->version = loc.version;
			d->parent = loc.dir;
			mounts[cg->nr++] = loc.mount_point;
		} else {
			cgroup_location_release(&loc);
		}
		if (!has_word(d->controllers ? d->controllers : "", *c) &&
		    add_word(&d->controllers, *c) < 0) {
			err = fail(why, whylen, ENOMEM, "out of memory");
			goto out;
		}
	}

	for (size_t i = 0; i < cg->nr && !err; i++) {
		struct cgroup_dir *d = &cg->dir[i];

		if (d->version == 2)
			err = place_v2(d, mounts[i], hint, instead, why, whylen);
		else
			err = make_cgroup(d->parent, hint, &d->path, instead, why, whylen);
		if (!err && opts->cpus && has_word(d->controllers, "cpuset"))
			err = set_cpus(d, opts->cpus, why, whylen);
	}
out:
	if (err)
		cgroup_destroy(cg, NULL, 0);
	for (size_t i = 0; i < CGROUP_MAX_DIRS; i++)
		free(mounts[i]);
	free(mountinfo);
	free(proc_cgroup);
	return err;
}

int cgroup_attach(struct cgroup *cg, pid_t pid, char *why, size_t whylen)
{
	for (size_t i = 0; i < cg->nr; i++) {
		char doing[64];
		int err;

		if (!cg->dir[i].path)
			return fail(why, whylen, EINVAL, "the command's cgroup is not there");
		err = write_pid(cg->dir[i].path, pid);
		if (err == -ESRCH)
			return fail(why, whylen, ESRCH,
				    "cannot move process %d into cgroup '%s': it has already exited",
				    (int)pid, cg->dir[i].path);
		snprintf(doing, sizeof(doing), "cannot move process %d into cgroup", (int)pid);
		if (err)
			return explain(why, whylen, -err, doing, cg->dir[i].path, NULL);
	}
	return cg->nr ? 0 : fail(why, whylen, EINVAL, "the command's cgroup is not there");
}

const char *cgroup_path(const struct cgroup *cg, const char *controller)
{
	for (size_t i = 0; i < cg->nr; i++)
		if (cg->dir[i].controllers && has_word(cg->dir[i].controllers, controller))
			return cg->dir[i].path;
	return NULL;
}

/* ---- the memory backend ------------------------------------------- */

static const char *const mem_controllers[] = { "memory", NULL };

/* Opens dir/name for reading; -1 and errno when it cannot. */
static int open_in(const char *dir, const char *name)
{
	char *path = join(dir, name);
	int fd;

	if (!path) {
		errno = ENOMEM;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	return fd;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

int cgroup_mem_create(struct cgroup_mem *cm, const char *name_hint,
		      char *why, size_t whylen)
{
	const struct cgroup_options opts = {
		.controllers = mem_controllers,
		.name_hint = name_hint,
		.instead = MEM_INSTEAD,
	};
	const char *dir, *current, *peak;
	int err;

	*cm = (struct cgroup_mem)CGROUP_MEM_INIT;
	err = cgroup_create(&cm->cgroup, &opts, why, whylen);
	if (err)
		return err;

	dir = cgroup_path(&cm->cgroup, "memory");
	if (cm->cgroup.dir[0].version == 1) {
		current = "memory.usage_in_bytes";
		peak = "memory.max_usage_in_bytes";
	} else {
		current = "memory.current";
		peak = "memory.peak";       /* Linux 5.19 */
	}
	cm->current_fd = open_in(dir, current);
	if (cm->current_fd < 0) {
		err = -errno;
		goto err;
	}
	cm->peak_fd = open_in(dir, peak);
	if (cm->peak_fd < 0 && (errno != ENOENT || cm->cgroup.dir[0].version == 1)) {
		current = peak;
		err = -errno;
		goto err;
	}
	cm->stat_fd = open_in(dir, "memory.stat");
	cm->version = cm->cgroup.dir[0].version;
	return 0;

err:
	{
		char *path = join(dir, current);

		explain(why, whylen, -err, "cannot open", path ? path : current, MEM_INSTEAD);
		free(path);
	}
	cgroup_mem_destroy(cm, NULL, 0);
	return err;
}

int cgroup_mem_attach(struct cgroup_mem *cm, pid_t pid, char *why, size_t whylen)
{
	return cgroup_attach(&cm->cgroup, pid, why, whylen);
}

/* A decimal figure of a cgroup file, re-read from its start. */
static int pread_u64(int fd, uint64_t *value)
{
	char buf[32], *end;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	errno = 0;
	*value = strtoull(buf, &end, 10);
	if (errno || (*end != '\n' && *end != '\0'))
		return -EINVAL;
	return 0;
}

int cgroup_mem_read(struct cgroup_mem *cm, uint64_t *current_bytes,
		    uint64_t *peak_bytes)
{
	uint64_t current, peak = 0;
	int err;

	if (cm->current_fd < 0)
		return -EBADF;
	err = pread_u64(cm->current_fd, &current);
	if (!err && cm->peak_fd >= 0)
		err = pread_u64(cm->peak_fd, &peak);
	if (err)
		return err;
	/* two reads, not one: the peak read first may trail the current */
	if (peak > cm->peak_seen)
		cm->peak_seen = peak;
	if (current > cm->peak_seen)
		cm->peak_seen = current;
	*current_bytes = current;
	*peak_bytes = cm->peak_seen;
	return 0;
}

int cgroup_mem_read_split(struct cgroup_mem *cm, uint64_t *anon_bytes,
			  uint64_t *file_bytes)
{
	char *buf;
	int err;

	if (cm->stat_fd < 0)
		return -ENOENT;
	err = proc_read_fd_text(cm->stat_fd, &buf);
	if (err)
		return err;
	if (cm->version == 2) {
		err = cgroup_stat_value(buf, "anon", anon_bytes);
		if (!err)
			err = cgroup_stat_value(buf, "file", file_bytes);
	} else {
		/* the total_ figures include descendants, should there be any */
		err = cgroup_stat_value(buf, "total_rss", anon_bytes);
		if (!err)
			err = cgroup_stat_value(buf, "total_cache", file_bytes);
	}
	free(buf);
	return err;
}

const char *cgroup_mem_describe(const struct cgroup_mem *cm)
{
	switch (cm->version) {
	case 1:
		return "cgroup v1 memory.max_usage_in_bytes (whole tree, includes page cache and kernel memory)";
	case 2:
		if (cm->peak_fd >= 0)
			return "cgroup v2 memory.peak (whole tree, includes page cache and kernel memory)";
		return "cgroup v2 memory.current, peak sampled at each read (no memory.peak before Linux 5.19; whole tree, includes page cache and kernel memory)";
	default:
		return "cgroup memory (no cgroup)";
	}
}

int cgroup_mem_destroy(struct cgroup_mem *cm, char *why, size_t whylen)
{
	close_fd(&cm->current_fd);
	close_fd(&cm->peak_fd);
	close_fd(&cm->stat_fd);
	cm->version = 0;
	return cgroup_destroy(&cm->cgroup, why, whylen);
}

/* ---- the tree's CPU time ------------------------------------------- */

/* A single decimal figure of dir/name. */
static int read_u64_in(const char *dir, const char *name, uint64_t *value)
{
	int fd = open_in(dir, name), err;

	if (fd < 0)
		return -errno;
	err = pread_u64(fd, value);
	close(fd);
	return err;
}

int cgroup_cpu_read(const struct cgroup *cg, uint64_t *user_ns, uint64_t *system_ns)
{
	for (size_t i = 0; i < cg->nr; i++) {
		const struct cgroup_dir *d = &cg->dir[i];
		char *text = NULL;
		uint64_t user, sys;
		int err;

		if (!d->path)
			continue;
		if (d->version == 2) {
			err = read_in(d->path, "cpu.stat", &text);
			if (!err)
				err = cgroup_stat_value(text, "user_usec", &user);
			if (!err)
				err = cgroup_stat_value(text, "system_usec", &sys);
			free(text);
			if (err)
				return err;
			*user_ns = user * 1000;
			*system_ns = sys * 1000;
			return 0;
		}
		if (d->controllers && has_word(d->controllers, "cpuacct")) {
			err = read_u64_in(d->path, "cpuacct.usage_user", user_ns);
			return err ? err : read_u64_in(d->path, "cpuacct.usage_sys", system_ns);
		}
	}
	return -ENOENT;
}
