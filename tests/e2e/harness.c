/*
 * harness.c - running commands with bounded waits and reading back their
 * output, truth files, CSV reports and recordings, for the end-to-end
 * tests. See harness.h for the contract.
 *
 * Commands get their own process group so that a timeout, or a test that
 * kills pprobe with SIGKILL, can also take down the workload pprobe left
 * behind. Output goes to scratch files rather than pipes: nothing to drain
 * while waiting, and a background pprobe can write as much as it likes.
 */
#include "harness.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- can this machine run the tests at all? ---- */

const char *h_perf_refused(void)
{
	static char why[160];
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_TASK_CLOCK,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};
	long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);

	if (fd >= 0) {
		close((int)fd);
		return NULL;
	}
	snprintf(why, sizeof(why), "perf_event_open is refused here (%s): a container without CAP_PERFMON, or perf_event_paranoid 3?",
		 strerror(errno));
	return why;
}

double h_steal_ms(void)
{
	char *s = h_read_file("/proc/stat", NULL);
	unsigned long long v[8] = { 0 };
	double ms = 0;

	if (s && sscanf(s, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
			&v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8)
		ms = (double)v[7] * 1000.0 / (double)sysconf(_SC_CLK_TCK);
	free(s);
	return ms;
}

/* ---- running as an unprivileged user ---- */

int h_become_nobody(void *arg)
{
	(void)arg;
	if (setgroups(0, NULL) || setgid(H_NOBODY) || setuid(H_NOBODY))
		return -1;
	/* Changing uid made us non-dumpable, and perf refuses such tasks. */
	return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) ? -1 : 0;
}

void h_shared_dir(const char *dir)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(mkdir(dir, 0777), 0);
	assert_int_equal(chmod(dir, 01777), 0);
}

int h_nobody_can_use(const char *exe, const char *exe2, const char *dir)
{
	int status;
	pid_t pid;

	if (geteuid() != 0)
		return 0;
	pid = fork();
	if (pid == 0) {
		if (h_become_nobody(NULL))
			_exit(2);
		_exit(access(exe, X_OK) || (exe2 && access(exe2, X_OK)) ||
		      access(dir, W_OK | X_OK) ? 1 : 0);
	}
	if (pid < 0)
		return 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* ---- paths ---- */

const char *h_pprobe(void)
{
	const char *p = getenv("PPROBE");

	return p && *p ? p : NULL;
}

const char *h_valgrind(void)
{
	const char *v = getenv("PPROBE_VALGRIND");

	return v && *v ? v : NULL;
}

const char *h_workload(const char *name)
{
	static char bufs[8][4096];
	static unsigned next;
	const char *dir = getenv("PPROBE_WORKLOADS");
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", dir && *dir ? dir : ".", name);
	return b;
}

static int mkdir_p(const char *path)
{
	char buf[4096];
	size_t i, len = strlen(path);

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] == '/' || buf[i] == '\0') {
			char c = buf[i];

			buf[i] = '\0';
			if (mkdir(buf, 0755) && errno != EEXIST)
				return -1;
			buf[i] = c;
		}
	}
	return 0;
}

const char *h_tmpdir(void)
{
	static int made;
	const char *dir = getenv("PPROBE_TMPDIR");

	if (!dir || !*dir) {
		print_error("PPROBE_TMPDIR is not set\n");
		return NULL;
	}
	if (!made) {
		if (mkdir_p(dir)) {
			print_error("cannot create '%s': %s\n", dir, strerror(errno));
			return NULL;
		}
		made = 1;
	}
	return dir;
}

char *h_tmp_path(const char *name)
{
	static unsigned counter;
	const char *dir = h_tmpdir();
	char *path;

	if (!dir)
		return NULL;
	if (asprintf(&path, "%s/%03u-%s", dir, counter++, name) < 0)
		return NULL;
	unlink(path);
	return path;
}

/* ---- running commands ---- */

double h_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void h_sleep(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static _Noreturn void child_exec(const char *const *argv, const char *stdin_path,
				 const char *out_path, const char *err_path,
				 h_child_fn fn, void *arg)
{
	sigset_t all;
	int fd, sig;

	setpgid(0, 0);
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);

	fd = open(stdin_path ? stdin_path : "/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, 0) < 0)
		_exit(126);
	close(fd);
	fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || dup2(fd, 1) < 0)
		_exit(126);
	close(fd);
	fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || dup2(fd, 2) < 0)
		_exit(126);
	close(fd);

	if (fn && fn(arg))
		_exit(126);
	execvp(argv[0], (char *const *)argv);
	dprintf(2, "harness: cannot run '%s': %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/*
 * argv behind the words of $PPROBE_VALGRIND and --log-file=log, in one
 * malloc'd block (the array, then the words it points to); NULL when out
 * of memory.
 */
static const char **valgrind_argv(const char *const *argv, const char *log)
{
	const char *cmd = h_valgrind();
	size_t nr_args = 0, nr_words = strlen(cmd) / 2 + 2, n = 0;
	size_t text = strlen(cmd) + strlen(log) + sizeof(" --log-file=");
	const char **v;
	char *s, *word, *save = NULL;

	while (argv[nr_args])
		nr_args++;
	v = malloc((nr_words + nr_args + 1) * sizeof(*v) + text);
	if (!v)
		return NULL;
	s = (char *)(v + nr_words + nr_args + 1);
	snprintf(s, text, "%s --log-file=%s", cmd, log);
	for (word = strtok_r(s, " ", &save); word; word = strtok_r(NULL, " ", &save))
		v[n++] = word;
	for (size_t i = 0; i < nr_args; i++)
		v[n++] = argv[i];
	v[n] = NULL;
	return v;
}

/* h_spawn(), with pprobe under valgrind only when may_wrap. */
static int spawn(struct h_proc *p, const char *const *argv, const char *stdin_path,
		 h_child_fn child_fn, void *child_arg, int may_wrap)
{
	const char **wrapped = NULL;

	memset(p, 0, sizeof(*p));
	p->out_path = h_tmp_path("stdout");
	p->err_path = h_tmp_path("stderr");
	if (!p->out_path || !p->err_path) {
		print_error("no scratch files for '%s'\n", argv[0]);
		return -1;
	}
	if (may_wrap && h_valgrind() && h_pprobe() && !strcmp(argv[0], h_pprobe())) {
		p->valgrind_log = h_tmp_path("valgrind");
		/* Writable by a child_fn that drops root (h_become_nobody). */
		if (p->valgrind_log && (h_write_file(p->valgrind_log, "", 0) ||
					chmod(p->valgrind_log, 0666))) {
			print_error("cannot make '%s' writable: %s\n", p->valgrind_log,
				    strerror(errno));
			return -1;
		}
		wrapped = p->valgrind_log ? valgrind_argv(argv, p->valgrind_log) : NULL;
		if (!wrapped) {
			print_error("cannot put '%s' under valgrind\n", argv[0]);
			return -1;
		}
		argv = wrapped;
	}
	fflush(NULL);
	p->start = h_now();
	p->pid = fork();
	if (p->pid < 0) {
		print_error("fork: %s\n", strerror(errno));
		free(wrapped);
		return -1;
	}
	if (p->pid == 0)
		child_exec(argv, stdin_path, p->out_path, p->err_path, child_fn, child_arg);
	free(wrapped);
	/* Also from this side, so a kill(-pid) right away cannot miss. */
	setpgid(p->pid, p->pid);
	return 0;
}

static void proc_forget(struct h_proc *p)
{
	if (p->out_path)
		unlink(p->out_path);
	if (p->err_path)
		unlink(p->err_path);
	if (p->valgrind_log)
		unlink(p->valgrind_log);
	free(p->out_path);
	free(p->err_path);
	free(p->valgrind_log);
	p->out_path = p->err_path = p->valgrind_log = NULL;
	p->pid = 0;
}

/*
 * 1 when valgrind found no error in a pprobe run, else 0. With -q it logs
 * only errors and leaks, on lines of "==PID==", and warnings, on lines of
 * "--PID--" (such as "unhandled syscall: 434": pidfd_open, which pprobe
 * does without); whatever it logged is printed. A process killed with
 * SIGKILL leaves no log.
 */
static int valgrind_clean(const char *log)
{
	char *text = h_read_file(log, NULL);
	int clean = !text || (strncmp(text, "==", 2) && !strstr(text, "\n=="));

	if (!clean)
		print_error("valgrind on pprobe:\n%s", text);
	else if (text && *text)
		print_message("valgrind's warnings on pprobe:\n%s", text);
	free(text);
	return clean;
}

static void fill_result(struct h_proc *p, int status, int timed_out, struct h_result *r)
{
	int clean;

	memset(r, 0, sizeof(*r));
	r->status = status;
	r->timed_out = timed_out;
	r->seconds = h_now() - p->start;
	r->exited = WIFEXITED(status);
	r->exit_code = r->exited ? WEXITSTATUS(status) : -1;
	r->signaled = WIFSIGNALED(status);
	r->term_signal = r->signaled ? WTERMSIG(status) : 0;
	r->out = h_read_file(p->out_path, &r->out_len);
	r->err = h_read_file(p->err_path, &r->err_len);
	if (!r->out)
		r->out = strdup("");
	if (!r->err)
		r->err = strdup("");
	clean = !p->valgrind_log || valgrind_clean(p->valgrind_log);
	proc_forget(p);
	if (!clean) {
		h_show("pprobe under valgrind", r);
		h_result_release(r);
		fail_msg("valgrind found errors in pprobe (its log is above)");
	}
}

int h_poll(struct h_proc *p, struct h_result *r)
{
	int status;
	pid_t got;

	do
		got = waitpid(p->pid, &status, WNOHANG);
	while (got < 0 && errno == EINTR);
	if (got == 0)
		return 0;
	if (got < 0) {
		print_error("waitpid %d: %s\n", (int)p->pid, strerror(errno));
		status = 0xff00; /* "exited 255" */
	}
	fill_result(p, status, 0, r);
	return 1;
}

int h_wait(struct h_proc *p, double timeout_s, struct h_result *r)
{
	double deadline;
	int status;

	if (p->valgrind_log)
		timeout_s *= H_VALGRIND_SLOWDOWN;
	deadline = h_now() + timeout_s;
	while (h_now() < deadline) {
		if (h_poll(p, r))
			return 0;
		h_sleep(0.005);
	}
	print_error("'%d' still running after %.1f s: killing its process group\n",
		    (int)p->pid, timeout_s);
	h_kill_group(p->pid);
	kill(p->pid, SIGKILL);
	while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
		;
	fill_result(p, status, 1, r);
	return 0;
}

void h_kill_group(pid_t group)
{
	if (group > 1)
		kill(-group, SIGKILL);
}

void h_proc_kill(struct h_proc *p)
{
	struct h_result r;

	if (p->pid <= 1)
		return;
	h_kill_group(p->pid);
	kill(p->pid, SIGKILL);
	if (h_wait(p, 10, &r) == 0)
		h_result_release(&r);
}

int h_spawn(struct h_proc *p, const char *const *argv, const char *stdin_path,
	    h_child_fn child_fn, void *child_arg)
{
	return spawn(p, argv, stdin_path, child_fn, child_arg, 1);
}

int h_run(const char *const *argv, double timeout_s, struct h_result *r)
{
	struct h_proc p;

	if (h_spawn(&p, argv, NULL, NULL, NULL))
		return -1;
	return h_wait(&p, timeout_s, r);
}

int h_run_native(const char *const *argv, double timeout_s, struct h_result *r)
{
	struct h_proc p;

	if (spawn(&p, argv, NULL, NULL, NULL, 0))
		return -1;
	return h_wait(&p, timeout_s, r);
}

void h_result_release(struct h_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

pid_t h_find_child(pid_t parent, const char *comm)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t found = 0;

	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		char path[300], buf[512], *close_paren;
		int ppid, fd;
		ssize_t n;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		/* pid (comm) state ppid ...; comm may hold spaces and parens */
		close_paren = strrchr(buf, ')');
		if (!close_paren || sscanf(close_paren + 1, " %*c %d", &ppid) != 1)
			continue;
		if (ppid != parent)
			continue;
		if (comm) {
			char *open_paren = strchr(buf, '(');

			*close_paren = '\0';
			if (!open_paren || strcmp(open_paren + 1, comm))
				continue;
		}
		found = (pid_t)atoi(de->d_name);
	}
	closedir(d);
	return found;
}

/* ---- files ---- */

char *h_read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	size_t alloc = 4096, used = 0;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = malloc(alloc);
	for (;;) {
		ssize_t n;

		if (!buf)
			break;
		if (used + 1 == alloc) {
			char *nb = realloc(buf, alloc * 2);

			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			alloc *= 2;
		}
		n = read(fd, buf + used, alloc - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0) {
				free(buf);
				buf = NULL;
			}
			break;
		}
		used += (size_t)n;
	}
	close(fd);
	if (buf) {
		buf[used] = '\0';
		if (len)
			*len = used;
	}
	return buf;
}

int h_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	const char *p = data;

	if (fd < 0) {
		print_error("cannot create '%s': %s\n", path, strerror(errno));
		return -1;
	}
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			print_error("cannot write '%s': %s\n", path, strerror(errno));
			close(fd);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return close(fd);
}

int h_copy_file(const char *from, const char *to)
{
	size_t len;
	char *data = h_read_file(from, &len);
	int ret;

	if (!data) {
		print_error("cannot read '%s': %s\n", from, strerror(errno));
		return -1;
	}
	ret = h_write_file(to, data, len);
	free(data);
	return ret;
}

int h_file_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

size_t h_count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* ---- truth files ---- */

int h_truth_load(const char *path, struct h_truth *t)
{
	char *text = h_read_file(path, NULL), *line, *save = NULL;

	memset(t, 0, sizeof(*t));
	if (!text) {
		print_error("cannot read truth file '%s': %s\n", path, strerror(errno));
		return -1;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '='), *end;

		if (!eq || eq == line || (size_t)(eq - line) >= sizeof(t->v[0].key) ||
		    t->nr == H_TRUTH_MAX) {
			print_error("bad truth line '%s' in '%s'\n", line, path);
			free(text);
			return -1;
		}
		*eq = '\0';
		strcpy(t->v[t->nr].key, line);
		t->v[t->nr].value = strtoll(eq + 1, &end, 10);
		if (*end || end == eq + 1) {
			print_error("bad truth value for '%s' in '%s'\n", line, path);
			free(text);
			return -1;
		}
		t->nr++;
	}
	free(text);
	return 0;
}

long long h_truth_get(const struct h_truth *t, const char *key)
{
	int i;

	for (i = 0; i < t->nr; i++)
		if (!strcmp(t->v[i].key, key))
			return t->v[i].value;
	return -1;
}

/* ---- CSV ---- */

#define H_CSV_COLUMNS 9
static const char *const csv_header[H_CSV_COLUMNS] = {
	"file", "run", "event", "value", "unit", "status",
	"percent_counted", "enabled_ns", "running_ns",
};

/*
 * Splits one CSV line (RFC 4180 quoting, "" inside quotes) into at most
 * max fields, each malloc'd. *pos is advanced past the line's newline.
 * Returns the number of fields, or -1 on an unterminated quote.
 */
static int csv_split(const char **pos, char **fields, int max)
{
	const char *s = *pos;
	int nr = 0;

	for (;;) {
		size_t cap = 64, len = 0;
		char *f = malloc(cap);

		if (!f)
			return -1;
		if (*s == '"') {
			s++;
			for (;;) {
				if (!*s) {
					free(f);
					return -1;
				}
				if (*s == '"' && s[1] == '"') {
					s++;
				} else if (*s == '"') {
					s++;
					break;
				}
				if (len + 2 > cap)
					f = realloc(f, cap *= 2);
				if (!f)
					return -1;
				f[len++] = *s++;
			}
		}
		while (*s && *s != ',' && *s != '\n' && *s != '\r') {
			if (len + 2 > cap)
				f = realloc(f, cap *= 2);
			if (!f)
				return -1;
			f[len++] = *s++;
		}
		f[len] = '\0';
		if (nr < max)
			fields[nr] = f;
		else
			free(f);
		nr++;
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '\r')
			s++;
		if (*s == '\n')
			s++;
		break;
	}
	*pos = s;
	return nr;
}

static int parse_double(const char *s, double *out)
{
	char *end;

	if (!*s)
		return 0;
	errno = 0;
	*out = strtod(s, &end);
	return !errno && !*end;
}

int h_csv_parse(const char *text, struct h_csv *csv)
{
	const char *pos = text;
	char *fields[H_CSV_COLUMNS];
	int nr, i;

	memset(csv, 0, sizeof(*csv));
	nr = csv_split(&pos, fields, H_CSV_COLUMNS);
	if (nr != H_CSV_COLUMNS) {
		print_error("CSV header has %d columns, expected %d: '%.200s'\n",
			    nr, H_CSV_COLUMNS, text);
		for (i = 0; i < nr && i < H_CSV_COLUMNS; i++)
			free(fields[i]);
		return -1;
	}
	for (i = 0; i < H_CSV_COLUMNS; i++) {
		if (strcmp(fields[i], csv_header[i])) {
			print_error("CSV column %d is '%s', expected '%s'\n", i + 1,
				    fields[i], csv_header[i]);
			nr = -1;
		}
	}
	for (i = 0; i < H_CSV_COLUMNS; i++)
		free(fields[i]);
	if (nr < 0)
		return -1;

	while (*pos) {
		struct h_csv_row row, *rows;

		if (*pos == '\n') {
			pos++;
			continue;
		}
		nr = csv_split(&pos, fields, H_CSV_COLUMNS);
		if (nr != H_CSV_COLUMNS) {
			print_error("CSV row %zu has %d columns, expected %d\n",
				    csv->nr + 2, nr, H_CSV_COLUMNS);
			for (i = 0; i < nr && i < H_CSV_COLUMNS; i++)
				free(fields[i]);
			h_csv_release(csv);
			return -1;
		}
		memset(&row, 0, sizeof(row));
		row.file = fields[0];
		row.run = atoi(fields[1]);
		row.event = fields[2];
		row.has_value = parse_double(fields[3], &row.value);
		row.unit = fields[4];
		row.status = fields[5];
		row.has_percent = parse_double(fields[6], &row.percent_counted);
		row.enabled_ns = strtoull(fields[7], NULL, 10);
		row.running_ns = strtoull(fields[8], NULL, 10);
		free(fields[1]);
		free(fields[3]);
		free(fields[6]);
		free(fields[7]);
		free(fields[8]);
		rows = realloc(csv->rows, (csv->nr + 1) * sizeof(*rows));
		if (!rows) {
			free(row.file), free(row.event), free(row.unit), free(row.status);
			h_csv_release(csv);
			return -1;
		}
		csv->rows = rows;
		csv->rows[csv->nr++] = row;
	}
	return 0;
}

void h_csv_release(struct h_csv *csv)
{
	size_t i;

	for (i = 0; i < csv->nr; i++) {
		free(csv->rows[i].file);
		free(csv->rows[i].event);
		free(csv->rows[i].unit);
		free(csv->rows[i].status);
	}
	free(csv->rows);
	csv->rows = NULL;
	csv->nr = 0;
}

const struct h_csv_row *h_csv_find(const struct h_csv *csv, int run, const char *event)
{
	size_t i;

	for (i = 0; i < csv->nr; i++)
		if (csv->rows[i].run == run && !strcmp(csv->rows[i].event, event))
			return &csv->rows[i];
	return NULL;
}

size_t h_csv_count(const struct h_csv *csv, int run, const char *event)
{
	size_t i, n = 0;

	for (i = 0; i < csv->nr; i++)
		n += csv->rows[i].run == run && !strcmp(csv->rows[i].event, event);
	return n;
}

/* ---- recordings ---- */

int h_recording_load(const char *path, struct h_recording *rec)
{
	struct rec_reader reader;
	struct rec r;
	uint64_t next_offset = REC_HEADER_SIZE;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(rec, 0, sizeof(*rec));
	if (fd < 0) {
		print_error("cannot open recording '%s': %s\n", path, strerror(errno));
		return -1;
	}
	rec->status = rec_reader_open(&reader, fd);
	while (rec->status == REC_OK) {
		rec->status = rec_reader_next(&reader, &r);
		if (rec->status == REC_DONE) {
			/* The END record is not returned: it follows the last
			 * record that was. */
			rec->end_offset = next_offset;
			break;
		}
		if (rec->status != REC_OK)
			break;
		rec->records++;
		next_offset = r.offset + r.size;
		if (rec->nr_offsets < (int)(sizeof(rec->offsets) / sizeof(rec->offsets[0]))) {
			rec->offsets[rec->nr_offsets] = r.offset;
			rec->types[rec->nr_offsets] = r.type;
			rec->nr_offsets++;
		}
		switch (r.type) {
		case REC_EVENT: {
			struct rec_event ev;

			if (rec_decode_event(&r, &ev)) {
				rec->status = REC_ERR_CORRUPT;
				snprintf(rec->detail, sizeof(rec->detail),
					 "(harness) bad EVENT at byte %llu",
					 (unsigned long long)r.offset);
				break;
			}
			if (rec->nr_events < H_REC_MAX_EVENTS) {
				snprintf(rec->events[rec->nr_events].name,
					 sizeof(rec->events[0].name), "%s", ev.name);
				rec->events[rec->nr_events].ev = ev;
				rec->events[rec->nr_events].ev.name = NULL;
				rec->events[rec->nr_events].ev.unit = NULL;
				rec->nr_events++;
			}
			break;
		}
		case REC_RUN_BEGIN:
			if (rec->nr_run_begin++ == 0 &&
			    rec_decode_run_begin(&r, &rec->run_begin))
				rec->status = REC_ERR_CORRUPT;
			break;
		case REC_RUN_END:
			if (rec->nr_run_end++ == 0 && rec_decode_run_end(&r, &rec->run_end))
				rec->status = REC_ERR_CORRUPT;
			break;
		case REC_COUNTS: {
			struct rec_counts c;
			uint32_t i;

			if (rec_decode_counts(&r, &c)) {
				rec->status = REC_ERR_CORRUPT;
				break;
			}
			rec->nr_counts++;
			if (c.flags & REC_COUNTS_F_FINAL)
				rec->nr_counts_final++;
			rec->nr_last = 0;
			for (i = 0; i < c.nr && i < H_REC_MAX_EVENTS; i++)
				rec_counts_get(&c, i, &rec->last[rec->nr_last++]);
			rec->have_final = 1;
			break;
		}
		default:
			break;
		}
	}
	if (rec->status != REC_OK && rec->status != REC_DONE && !rec->detail[0]) {
		snprintf(rec->detail, sizeof(rec->detail), "%s", reader.detail);
		rec->error_offset = reader.offset;
	}
	rec_reader_release(&reader);
	close(fd);
	return 0;
}

const struct rec_event *h_recording_event(const struct h_recording *rec, const char *name)
{
	int i;

	for (i = 0; i < rec->nr_events; i++)
		if (!strcmp(rec->events[i].name, name))
			return &rec->events[i].ev;
	return NULL;
}

int h_recording_last(const struct h_recording *rec, const char *name, struct rec_count *out)
{
	const struct rec_event *ev = h_recording_event(rec, name);
	int i;

	if (!ev)
		return -1;
	for (i = 0; i < rec->nr_last; i++) {
		if (rec->last[i].event_id == ev->id) {
			*out = rec->last[i];
			return 0;
		}
	}
	return -1;
}

/* ---- helpers the e2e tests share ---- */

void h_args_push(struct h_args *a, ...)
{
	va_list ap;
	const char *s;

	va_start(ap, a);
	while ((s = va_arg(ap, const char *))) {
		assert_true(a->n < 62);
		a->v[a->n++] = s;
	}
	va_end(ap);
	a->v[a->n] = NULL;
}

const char *h_pprobe_or_skip(void)
{
	const char *p = h_pprobe();

	if (!p)
		H_SKIP("PPROBE is not set: run through ctest, or set PPROBE, PPROBE_WORKLOADS and PPROBE_TMPDIR");
	return p;
}

void h_show(const char *what, const struct h_result *r)
{
	print_message("%s: %s %d after %.2f s%s\n", what,
		      r->exited ? "exit" : "signal",
		      r->exited ? r->exit_code : r->term_signal, r->seconds,
		      r->timed_out ? " (timed out)" : "");
	if (r->out && r->out_len)
		print_message("  stdout: %.3000s%s", r->out,
			      r->out[r->out_len - 1] == '\n' ? "" : "\n");
	if (r->err && r->err_len)
		print_message("  stderr: %.2000s%s", r->err,
			      r->err[r->err_len - 1] == '\n' ? "" : "\n");
}

void h_assert_exit(const char *what, const struct h_result *r, int code)
{
	if (!r->exited || r->exit_code != code || r->timed_out) {
		h_show(what, r);
		print_error("%s: expected exit status %d\n", what, code);
		fail();
	}
}

void h_report(const char *opt, const char *opt2, const char *file,
	      double timeout_s, struct h_result *r)
{
	struct h_args a = { 0 };

	h_args_push(&a, h_pprobe_or_skip(), "report", NULL);
	if (opt)
		h_args_push(&a, opt, NULL);
	if (opt2)
		h_args_push(&a, opt2, NULL);
	h_args_push(&a, file, NULL);
	assert_int_equal(h_run(a.v, timeout_s, r), 0);
	h_assert_exit("pprobe report", r, 0);
}

int h_compare(const char *label, const char *what, double measured,
	      double expected, double below, double above, const char *how)
{
	double diff = measured - expected;
	int ok = diff >= -below && diff <= above;

	print_message("  %-16s %-24s pprobe %14.3f  truth %14.3f%s  diff %+12.3f (%+7.3f%%)  allowed [-%.3f, +%.3f]  %s\n",
		      label, what, measured, expected, how, diff,
		      expected ? 100.0 * diff / expected : 0.0, below, above,
		      ok ? "ok" : "FAIL");
	return ok;
}

int h_csv_fields(char **pos, char **fields, int max)
{
	char *p = *pos, *out;
	int n = 0;

	for (;;) {
		if (n == max)
			return -1;
		fields[n++] = out = p;
		if (*p == '"') {
			p++;
			for (;;) {
				if (!*p)
					return -1;
				if (*p == '"' && p[1] == '"') {
					*out++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*out++ = *p++;
				}
			}
		} else {
			while (*p && *p != ',' && *p != '\n')
				*out++ = *p++;
		}
		if (*p == ',') {
			*out = '\0';
			p++;
			continue;
		}
		if (*p == '\n')
			p++;
		else if (*p)
			return -1;
		*out = '\0';
		*pos = p;
		return n;
	}
}

const char *h_sample(const char *name)
{
	static char buf[4][512];
	static int next;
	const char *dir = getenv("PPROBE_SAMPLES");
	char *p = buf[next++ % 4];

	if (!dir)
		H_SKIP("PPROBE_SAMPLES is not set: where are the samples?");
	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	if (access(p, X_OK) != 0)
		H_SKIP("no sample '%s' (build the project first)", p);
	return p;
}
