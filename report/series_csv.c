/*
 * series_csv.c - the time series as CSV (see series_csv.h).
 */
#include "series_csv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "display.h"
#include "memory_series.h"

static const char *const csv_names[SERIES_CSV_FILES] = {
	"counters.csv", "processes.csv", "memory.csv", "tasks.csv",
};

static const char *const csv_headers[SERIES_CSV_FILES] = {
	"file,run,time_seconds,event,value,enabled_ns,running_ns,rate_per_second",
	("file,run,time_seconds,pid,user_seconds,sys_seconds,minor_faults,major_faults,"
	 "voluntary_switches,involuntary_switches,rss_bytes,hwm_bytes,threads"),
	"file,run,time_seconds,backend,current_bytes,peak_bytes,processes",
	"file,run,time_seconds,kind,pid,tid,ppid,command",
};

#define CPUS_NAME "cpus.csv"
#define CPUS_HEADER "file,run,time_seconds,cpu,event,value"

void series_csv_abort(struct series_csv *c)
{
	for (int i = 0; i < SERIES_CSV_FILES; i++) {
		if (c->out[i]) {
			fclose(c->out[i]);
			unlink(c->tmp[i]);
		}
		free(c->path[i]);
		free(c->tmp[i]);
	}
	if (c->cpus) {
		fclose(c->cpus);
		unlink(c->cpus_tmp);
	}
	free(c->cpus_path);
	free(c->cpus_tmp);
	free(c->dir);
	free(c->previous);
	memset(c, 0, sizeof(*c));
}

int series_csv_open(struct series_csv *c, const char *dir)
{
	mode_t mask = umask(0);

	umask(mask);
	memset(c, 0, sizeof(*c));
	c->dir = strdup(dir);
	if (!c->dir)
		return -ENOMEM;
	for (int i = 0; i < SERIES_CSV_FILES; i++) {
		int fd, err;

		if (asprintf(&c->path[i], "%s/%s", dir, csv_names[i]) < 0 ||
		    asprintf(&c->tmp[i], "%s.tmp.XXXXXX", c->path[i]) < 0) {
			series_csv_abort(c);
			return -ENOMEM;
		}
		fd = mkostemp(c->tmp[i], O_CLOEXEC);
		if (fd < 0 || !(c->out[i] = fdopen(fd, "w"))) {
			err = errno;
			if (fd >= 0) {
				close(fd);
				unlink(c->tmp[i]);
			}
			series_csv_abort(c);
			return -err;
		}
		(void)fchmod(fd, 0666 & ~mask);
		fprintf(c->out[i], "%s\n", csv_headers[i]);
	}
	return 0;
}

void series_csv_begin_file(struct series_csv *c)
{
	c->has_run = 0;
	if (c->previous)
		memset(c->previous, 0, c->nr_previous * sizeof(*c->previous));
}

/* "file,run,time_seconds," */
static void row_start(FILE *out, const struct summary *s, uint32_t run,
		      uint64_t begin_ns, uint64_t t)
{
	display_csv_field(out, s->file);
	fprintf(out, ",%" PRIu32 ",%.9f,", run,
		((double)t - (double)begin_ns) / 1e9);
}

static int add_counts(struct series_csv *c, const struct summary *s,
		      const struct rec *rec)
{
	FILE *out = c->out[SERIES_CSV_COUNTERS];
	struct rec_counts counts;

	if (rec_decode_counts(rec, &counts) < 0 || !c->has_run)
		return 0;
	if (c->nr_previous < s->nr_events) {
		struct series_reading *p = realloc(c->previous,
						   s->nr_events * sizeof(*p));

		if (!p)
			return -ENOMEM;
		memset(p + c->nr_previous, 0,
		       (s->nr_events - c->nr_previous) * sizeof(*p));
		c->previous = p;
		c->nr_previous = s->nr_events;
	}
	for (uint32_t i = 0; i < counts.nr; i++) {
		struct rec_count e;
		struct series_reading cur;
		long idx;
		double rate;

		rec_counts_get(&counts, i, &e);
		idx = summary_event_index(s, e.event_id);
		if (idx < 0 || (size_t)idx >= c->nr_previous)
			continue;
		cur = (struct series_reading){ 1, counts.time_ns, e.value,
					       e.enabled_ns, e.running_ns };
		row_start(out, s, counts.run, c->begin_ns, counts.time_ns);
		display_csv_field(out, s->events[idx].name);
		fprintf(out, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",", e.value,
			e.enabled_ns, e.running_ns);
		if (series_counter_rate(&c->previous[idx], &cur, &rate) == 0)
			fprintf(out, "%.6g", rate);
		fputc('\n', out);
		c->previous[idx] = cur;
	}
	return 0;
}

/* Makes cpus.csv's temporary file and writes its header. Returns 0 or
 * -errno. */
static int open_cpus(struct series_csv *c)
{
	mode_t mask = umask(0);
	int fd, err;

	umask(mask);
	if (asprintf(&c->cpus_path, "%s/%s", c->dir, CPUS_NAME) < 0) {
		c->cpus_path = NULL;
		return -ENOMEM;
	}
	if (asprintf(&c->cpus_tmp, "%s.tmp.XXXXXX", c->cpus_path) < 0) {
		c->cpus_tmp = NULL;
		return -ENOMEM;
	}
	fd = mkostemp(c->cpus_tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	c->cpus = fdopen(fd, "w");
	if (!c->cpus) {
		err = errno;
		close(fd);
		unlink(c->cpus_tmp);
		return -err;
	}
	(void)fchmod(fd, 0666 & ~mask);
	fprintf(c->cpus, "%s\n", CPUS_HEADER);
	return 0;
}

/*
 * A row per CPU_COUNTS entry. A failure to make the file is kept for
 * series_csv_close() to report: the reading goes on (a hook may only
 * stop it for lack of memory).
 */
static int add_cpu_counts(struct series_csv *c, const struct summary *s,
			  const struct rec *rec)
{
	struct rec_counts counts;

	if (rec_decode_cpu_counts(rec, &counts) < 0 || !c->has_run ||
	    c->cpus_error)
		return 0;
	if (!c->cpus) {
		int ret = open_cpus(c);

		if (ret == -ENOMEM)
			return ret;
		if (ret < 0) {
			c->cpus_error = -ret;
			return 0;
		}
	}
	for (uint32_t i = 0; i < counts.nr; i++) {
		struct rec_count e;
		long idx;

		rec_counts_get(&counts, i, &e);
		idx = summary_event_index(s, e.event_id);
		if (idx < 0)
			continue;
		row_start(c->cpus, s, counts.run, c->begin_ns, counts.time_ns);
		fprintf(c->cpus, "%" PRIu32 ",", rec_counts_cpu(&counts, i));
		display_csv_field(c->cpus, s->events[idx].name);
		fprintf(c->cpus, ",%" PRIu64 "\n", e.value);
	}
	return 0;
}

static void field_u64(FILE *out, int known, uint64_t v, int last)
{
	if (known)
		fprintf(out, "%" PRIu64, v);
	fputc(last ? '\n' : ',', out);
}

static void add_procs(struct series_csv *c, const struct summary *s,
		      const struct rec *rec)
{
	FILE *out = c->out[SERIES_CSV_PROCESSES];
	struct rec_procs procs;

	if (rec_decode_procs(rec, &procs) < 0 || !c->has_run)
		return;
	for (uint32_t i = 0; i < procs.nr; i++) {
		struct rec_proc e;
		int cpu, faults, ctxsw;

		rec_procs_get(&procs, i, &e);
		cpu = !!(e.have & REC_PROC_HAVE_CPU);
		faults = !!(e.have & REC_PROC_HAVE_FAULTS);
		ctxsw = !!(e.have & (REC_PROC_HAVE_CTXSW | REC_PROC_HAVE_CTXSW_MAIN));
		row_start(out, s, procs.run, c->begin_ns, procs.time_ns);
		fprintf(out, "%" PRIu32 ",", e.pid);
		if (cpu)
			fprintf(out, "%.6f,%.6f,", (double)e.utime_ns / 1e9,
				(double)e.stime_ns / 1e9);
		else
			fputs(",,", out);
		field_u64(out, faults, e.minflt, 0);
		field_u64(out, faults, e.majflt, 0);
		field_u64(out, ctxsw, e.nvcsw, 0);
		field_u64(out, ctxsw, e.nivcsw, 0);
		field_u64(out, e.have & REC_PROC_HAVE_RSS, e.rss_bytes, 0);
		field_u64(out, e.have & REC_PROC_HAVE_HWM, e.hwm_bytes, 0);
		field_u64(out, e.have & REC_PROC_HAVE_THREADS, e.threads, 1);
	}
}

static void add_mem(struct series_csv *c, const struct summary *s,
		    const struct rec *rec)
{
	FILE *out = c->out[SERIES_CSV_MEMORY];
	const char *name;
	struct rec_mem m;

	if (rec_decode_mem(rec, &m) < 0 || !c->has_run)
		return;
	name = memory_backend_name(m.backend);
	row_start(out, s, m.run, c->begin_ns, m.time_ns);
	if (name)
		fputs(name, out);
	else
		fprintf(out, "%" PRIu32, m.backend);
	fputc(',', out);
	field_u64(out, memory_backend_has_current(m.backend), m.current_bytes, 0);
	field_u64(out, m.flags & REC_MEM_F_PEAK, m.peak_bytes, 0);
	field_u64(out, m.processes > 0, m.processes, 1);
}

static void add_task(struct series_csv *c, const struct summary *s,
		     const struct rec *rec)
{
	static const char *const kinds[] = {
		[REC_TASK_FORK] = "fork", [REC_TASK_EXEC] = "exec",
		[REC_TASK_COMM] = "comm", [REC_TASK_EXIT] = "exit",
		[REC_TASK_PRESENT] = "present",
	};
	FILE *out = c->out[SERIES_CSV_TASKS];
	struct rec_task t;

	if (rec_decode_task(rec, &t) < 0 || !c->has_run)
		return;
	row_start(out, s, c->run, c->begin_ns, t.time_ns);
	if (t.kind < sizeof(kinds) / sizeof(*kinds) && kinds[t.kind])
		fputs(kinds[t.kind], out);
	else
		fprintf(out, "%" PRIu32, t.kind);
	fprintf(out, ",%" PRIu32 ",%" PRIu32 ",", t.pid, t.tid);
	field_u64(out, t.kind == REC_TASK_FORK || t.kind == REC_TASK_EXIT ||
		       t.kind == REC_TASK_PRESENT, t.ppid, 0);
	display_csv_field(out, t.comm);
	fputc('\n', out);
}

int series_csv_add(void *arg, const struct summary *s, const struct rec *rec)
{
	struct series_csv *c = arg;
	struct rec_run_begin b;

	switch (rec->type) {
	case REC_RUN_BEGIN:
		if (rec_decode_run_begin(rec, &b) == 0) {
			c->has_run = 1;
			c->run = b.run;
			c->begin_ns = b.time_ns;
			/* Rates are within a run. */
			if (c->previous)
				memset(c->previous, 0,
				       c->nr_previous * sizeof(*c->previous));
		}
		return 0;
	case REC_COUNTS:
		return add_counts(c, s, rec);
	case REC_CPU_COUNTS:
		return add_cpu_counts(c, s, rec);
	case REC_PROCS:
		add_procs(c, s, rec);
		return 0;
	case REC_MEM:
		add_mem(c, s, rec);
		return 0;
	case REC_TASK:
		add_task(c, s, rec);
		return 0;
	default:
		return 0;
	}
}

int series_csv_close(struct series_csv *c, void (*wrote)(const char *path))
{
	/* The four files, then cpus.csv when it was made: n of them. */
	FILE *out[SERIES_CSV_FILES + 1];
	char *path[SERIES_CSV_FILES + 1], *tmp[SERIES_CSV_FILES + 1];
	int err = c->cpus_error, n = SERIES_CSV_FILES;

	for (int i = 0; i < SERIES_CSV_FILES; i++) {
		out[i] = c->out[i];
		path[i] = c->path[i];
		tmp[i] = c->tmp[i];
		c->out[i] = NULL;
	}
	if (c->cpus) {
		out[n] = c->cpus;
		path[n] = c->cpus_path;
		tmp[n++] = c->cpus_tmp;
		c->cpus = NULL;
	}
	for (int i = 0; i < n; i++) {
		if (fflush(out[i]) != 0 || ferror(out[i]))
			err = err ? err : (errno ? errno : EIO);
	}
	for (int i = 0; i < n; i++) {
		if (fclose(out[i]) != 0 && !err)
			err = errno ? errno : EIO;
	}
	/* A directory in the way fails every rename over it: found first,
	 * nothing is renamed (any other rename failure fails them all). */
	for (int i = 0; i < n && !err; i++) {
		struct stat st;

		if (lstat(path[i], &st) == 0 && S_ISDIR(st.st_mode))
			err = EISDIR;
	}
	for (int i = 0; i < n && !err; i++)
		if (rename(tmp[i], path[i]) < 0)
			err = errno;
	for (int i = 0; i < n; i++) {
		if (err)
			unlink(tmp[i]);
		else if (wrote)
			wrote(path[i]);
	}
	series_csv_abort(c);
	return err ? -err : 0;
}
