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
	"file,run,time_seconds,pid,user_seconds,sys_seconds,minor_faults,major_faults,"
	"voluntary_switches,involuntary_switches,rss_bytes,hwm_bytes,threads",
	"file,run,time_seconds,backend,current_bytes,peak_bytes,processes",
	"file,run,time_seconds,kind,pid,tid,ppid,command",
};

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
	free(c->previous);
	memset(c, 0, sizeof(*c));
}

int series_csv_open(struct series_csv *c, const char *dir)
{
	mode_t mask = umask(0);

	umask(mask);
	memset(c, 0, sizeof(*c));
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
	int err = 0;

	for (int i = 0; i < SERIES_CSV_FILES; i++) {
		if (fflush(c->out[i]) != 0 || ferror(c->out[i]))
			err = err ? err : (errno ? errno : EIO);
	}
	for (int i = 0; i < SERIES_CSV_FILES; i++) {
		if (fclose(c->out[i]) != 0 && !err)
			err = errno ? errno : EIO;
		c->out[i] = NULL;
	}
	/* A directory in the way fails every rename over it: found first,
	 * nothing is renamed (any other rename failure fails them all). */
	for (int i = 0; i < SERIES_CSV_FILES && !err; i++) {
		struct stat st;

		if (lstat(c->path[i], &st) == 0 && S_ISDIR(st.st_mode))
			err = EISDIR;
	}
	for (int i = 0; i < SERIES_CSV_FILES && !err; i++)
		if (rename(c->tmp[i], c->path[i]) < 0)
			err = errno;
	for (int i = 0; i < SERIES_CSV_FILES; i++) {
		if (err)
			unlink(c->tmp[i]);
		else if (wrote)
			wrote(c->path[i]);
	}
	series_csv_abort(c);
	return err ? -err : 0;
}
