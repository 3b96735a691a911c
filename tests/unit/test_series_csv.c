/*
 * test_series_csv.c - unit tests of `pprobe report --csv DIR`
 * (report/series_csv.c): the four files appear only when complete (and
 * cpus.csv with them, only for recordings with per-CPU counts), with
 * the headers series_csv.h documents and one row per reading; unknown
 * figures are empty fields, a counter's rate is empty on its first
 * reading of a run, and names with commas are quoted. An error leaves
 * nothing behind.
 *
 * Recordings are written with the real rec_writer into a memfd and fed
 * through summary_read_with(), as `pprobe report` does. Each test writes
 * into a fresh directory under $TMPDIR (or /tmp), which its teardown
 * removes, failed or not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recfile.h"
#include "scratch_dir.h"
#include "series_csv.h"
#include "summary.h"

#define MS 1000000ull
#define T0 5000000000ull        /* RUN_BEGIN of the first run */
#define AT(ms) (T0 + (uint64_t)(ms) * MS)
#define MIB (1ull << 20)

enum {
	EV_TASK_CLOCK = 1,
	EV_RAW = 2,
};

/* A raw event as perf spells it: its name has a comma. */
#define RAW_NAME "cpu/event=0x3c,umask=0x0/"

static const char *const headers[] = {
	"file,run,time_seconds,event,value,enabled_ns,running_ns,rate_per_second\n",
	"file,run,time_seconds,pid,user_seconds,sys_seconds,minor_faults,"
	"major_faults,voluntary_switches,involuntary_switches,rss_bytes,"
	"hwm_bytes,threads\n",
	"file,run,time_seconds,backend,current_bytes,peak_bytes,processes\n",
	"file,run,time_seconds,kind,pid,tid,ppid,command\n",
};

/* ---- directories and files ---- */

/* The whole of dir/name (which must exist), NUL-terminated; free it. */
static char *slurp(const char *dir, const char *name)
{
	char path[PATH_MAX];
	FILE *f;
	char *text;
	long len;

	scratch_join(path, sizeof(path), dir, name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open '%s': %s", path, strerror(errno));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	text = malloc((size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	text[len] = '\0';
	fclose(f);
	return text;
}

#define assert_file(dir, name, expect) \
	do { \
		char *text_ = slurp(dir, name); \
		assert_string_equal(text_, expect); \
		free(text_); \
	} while (0)

/* What series_csv_close() told of. */
static char wrote[SERIES_CSV_FILES + 1][PATH_MAX];
static int nr_wrote;

static void note_wrote(const char *path)
{
	assert_true(nr_wrote <= SERIES_CSV_FILES);
	snprintf(wrote[nr_wrote++], PATH_MAX, "%s", path);
}

/* ---- recordings ---- */

struct recording {
	int fd;
	struct rec_writer w;
};

static void recording_start(struct recording *r)
{
	r->fd = memfd_create("test_series_csv", MFD_CLOEXEC);
	assert_true(r->fd >= 0);
	assert_int_equal(rec_writer_init(&r->w, r->fd), 0);
}

/* Ends the recording and feeds it to c as the file `name`. */
static void recording_feed(struct recording *r, struct series_csv *c,
			   const char *name)
{
	struct summary sum;

	assert_int_equal(rec_write_end(&r->w, AT(100000)), 0);
	assert_int_equal(rec_writer_flush(&r->w), 0);
	rec_writer_release(&r->w);
	assert_int_equal(lseek(r->fd, 0, SEEK_SET), 0);
	assert_int_equal(summary_init(&sum, name), 0);
	series_csv_begin_file(c);
	assert_int_equal(summary_read_with(&sum, r->fd, series_csv_add, c),
			 REC_DONE);
	summary_release(&sum);
	close(r->fd);
}

static void write_event(struct rec_writer *w, uint32_t id, const char *name,
			const char *unit)
{
	struct rec_event e = { .id = id, .name = name, .unit = unit };

	assert_int_equal(rec_write_event(w, &e), 0);
}

static void write_run_begin(struct rec_writer *w, uint32_t run, uint64_t t)
{
	struct rec_run_begin b = { .time_ns = t, .run = run, .pid = 100 };

	assert_int_equal(rec_write_run_begin(w, &b), 0);
}

static void write_run_end(struct rec_writer *w, uint32_t run, uint64_t t)
{
	struct rec_run_end e = {
		.time_ns = t, .run = run, .pid = 100,
		.exit_kind = REC_EXIT_NORMAL,
	};

	assert_int_equal(rec_write_run_end(w, &e), 0);
}

/* A COUNTS of task-clock alone, counted all the time it was enabled. */
static void write_cpu(struct rec_writer *w, uint32_t run, uint64_t t,
		      uint64_t value_ms, uint64_t enabled_ms)
{
	struct rec_count c = { EV_TASK_CLOCK, value_ms * MS, enabled_ms * MS,
			       enabled_ms * MS };

	assert_int_equal(rec_write_counts(w, t, run, 0, &c, 1), 0);
}

static void write_task(struct rec_writer *w, uint64_t t, uint32_t kind,
		       uint32_t pid, uint32_t ppid, const char *comm)
{
	struct rec_task task = {
		.time_ns = t, .kind = kind, .pid = pid, .tid = pid,
		.ppid = ppid, .ptid = ppid, .comm = comm,
	};

	assert_int_equal(rec_write_task(w, &task), 0);
}

static void write_mem(struct rec_writer *w, uint64_t t, uint32_t backend,
		      uint64_t current, uint64_t peak, uint32_t flags,
		      uint32_t processes)
{
	struct rec_mem m = {
		.time_ns = t, .run = 0, .backend = backend,
		.current_bytes = current, .peak_bytes = peak,
		.processes = processes, .flags = flags,
	};

	assert_int_equal(rec_write_mem(w, &m), 0);
}

/* One run with a row of every kind (see the expected rows below). */
static void write_sample(struct rec_writer *w)
{
	struct rec_count c[2];
	struct rec_proc p[2] = {
		{ .pid = 100,
		  .have = REC_PROC_HAVE_CPU | REC_PROC_HAVE_FAULTS |
			  REC_PROC_HAVE_RSS,
		  .utime_ns = 50 * MS, .stime_ns = 10 * MS, .minflt = 7,
		  .majflt = 1, .rss_bytes = MIB },
		{ .pid = 101,
		  .have = REC_PROC_HAVE_CTXSW_MAIN | REC_PROC_HAVE_HWM |
			  REC_PROC_HAVE_THREADS,
		  .nvcsw = 5, .nivcsw = 2, .hwm_bytes = 2 * MIB, .threads = 3 },
	};

	write_event(w, EV_TASK_CLOCK, "task-clock", "ns");
	write_event(w, EV_RAW, RAW_NAME, "");
	/* Before any run: no row (no run to put it in). */
	write_task(w, AT(0) - 1, REC_TASK_FORK, 99, 1, "");
	write_run_begin(w, 0, T0);
	write_task(w, AT(0), REC_TASK_PRESENT, 100, 1, "srv");
	write_task(w, AT(50), REC_TASK_FORK, 101, 100, "");
	write_task(w, AT(60), REC_TASK_EXEC, 101, 0, "a,b");
	c[0] = (struct rec_count){ EV_TASK_CLOCK, 150 * MS, 100 * MS, 100 * MS };
	c[1] = (struct rec_count){ EV_RAW, 1000, 100 * MS, 50 * MS };
	assert_int_equal(rec_write_counts(w, AT(100), 0, 0, c, 2), 0);
	assert_int_equal(rec_write_procs(w, AT(100), 0, p, 2), 0);
	write_mem(w, AT(100), REC_MEM_RSS, MIB, 0, 0, 2);
	/* Multiplexed: 2000 counted in half of 100 ms, over 0.1 s. */
	c[0] = (struct rec_count){ EV_TASK_CLOCK, 300 * MS, 200 * MS, 200 * MS };
	c[1] = (struct rec_count){ EV_RAW, 3000, 200 * MS, 100 * MS };
	assert_int_equal(rec_write_counts(w, AT(200), 0, 0, c, 2), 0);
	write_mem(w, AT(200), REC_MEM_CGROUP, 3 * MIB, 4 * MIB, REC_MEM_F_PEAK, 0);
	write_task(w, AT(250), REC_TASK_EXIT, 101, 100, "");
	write_run_end(w, 0, AT(300));
	write_mem(w, AT(300), REC_MEM_RUSAGE, 0, 4096,
		  REC_MEM_F_PEAK | REC_MEM_F_FINAL, 0);
}

static const char sample_counters[] =
	"test.data,0,0.100000000,task-clock,150000000,100000000,100000000,\n"
	"test.data,0,0.100000000,\"" RAW_NAME "\",1000,100000000,50000000,\n"
	"test.data,0,0.200000000,task-clock,300000000,200000000,200000000,1.5e+09\n"
	"test.data,0,0.200000000,\"" RAW_NAME "\",3000,200000000,100000000,40000\n";
static const char sample_processes[] =
	"test.data,0,0.100000000,100,0.050000,0.010000,7,1,,,1048576,,\n"
	"test.data,0,0.100000000,101,,,,,5,2,,2097152,3\n";
static const char sample_memory[] =
	"test.data,0,0.100000000,rss,1048576,,2\n"
	"test.data,0,0.200000000,cgroup,3145728,4194304,\n"
	"test.data,0,0.300000000,rusage,,4096,\n";
static const char sample_tasks[] =
	"test.data,0,0.000000000,present,100,100,1,srv\n"
	"test.data,0,0.050000000,fork,101,101,100,\n"
	"test.data,0,0.060000000,exec,101,101,,\"a,b\"\n"
	"test.data,0,0.250000000,exit,101,101,100,\n";

/* header + rows, in buf. */
static const char *with_header(int file, const char *rows, char *buf,
			       size_t size)
{
	snprintf(buf, size, "%s%s", headers[file], rows);
	return buf;
}

/* ---- tests ---- */

static void test_rows(void **state)
{
	struct series_csv c;
	struct recording r;
	const char *dir = *state;
	char buf[2048];

	assert_int_equal(series_csv_open(&c, dir), 0);
	/* Only temporary names until the files are complete. */
	assert_listing(dir, "counters.csv.tmp.* memory.csv.tmp.* "
			    "processes.csv.tmp.* tasks.csv.tmp.*");
	recording_start(&r);
	write_sample(&r.w);
	recording_feed(&r, &c, "test.data");
	assert_listing(dir, "counters.csv.tmp.* memory.csv.tmp.* "
			    "processes.csv.tmp.* tasks.csv.tmp.*");

	nr_wrote = 0;
	assert_int_equal(series_csv_close(&c, note_wrote), 0);
	assert_listing(dir, "counters.csv memory.csv processes.csv tasks.csv");
	assert_file(dir, "counters.csv",
		    with_header(SERIES_CSV_COUNTERS, sample_counters, buf,
				sizeof(buf)));
	assert_file(dir, "processes.csv",
		    with_header(SERIES_CSV_PROCESSES, sample_processes, buf,
				sizeof(buf)));
	assert_file(dir, "memory.csv",
		    with_header(SERIES_CSV_MEMORY, sample_memory, buf,
				sizeof(buf)));
	assert_file(dir, "tasks.csv",
		    with_header(SERIES_CSV_TASKS, sample_tasks, buf, sizeof(buf)));
	assert_int_equal(nr_wrote, SERIES_CSV_FILES);
	/* close released c. */
	for (int i = 0; i < SERIES_CSV_FILES; i++) {
		assert_null(c.out[i]);
		assert_null(c.path[i]);
		assert_null(c.tmp[i]);
	}
	assert_null(c.previous);
}

static void test_close_empty(void **state)
{
	static const char *const names[SERIES_CSV_FILES] = {
		"counters.csv", "processes.csv", "memory.csv", "tasks.csv",
	};
	struct series_csv c;
	const char *dir = *state;
	char path[PATH_MAX];
	struct stat st;
	mode_t mask = umask(022);

	assert_int_equal(series_csv_open(&c, dir), 0);
	nr_wrote = 0;
	assert_int_equal(series_csv_close(&c, note_wrote), 0);
	umask(mask);
	/* Headers only; each file told of by its final name, and as
	 * readable as any file made under the umask. */
	assert_int_equal(nr_wrote, SERIES_CSV_FILES);
	for (int i = 0; i < SERIES_CSV_FILES; i++) {
		scratch_join(path, sizeof(path), dir, names[i]);
		assert_string_equal(wrote[i], path);
		assert_file(dir, names[i], headers[i]);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0644);
	}
	assert_listing(dir, "counters.csv memory.csv processes.csv tasks.csv");
}

static void test_rate_per_run(void **state)
{
	struct series_csv c;
	struct recording r;
	const char *dir = *state;
	char buf[1024];

	/*
	 * series_csv.h: the rate is "since its previous reading in the same
	 * run". Run 1's first reading (300 ms of task-clock at 200 ms) is
	 * past run 0's last (150 ms at 100 ms), but a new run's counters
	 * start again from its exec: no rate, not one across the two runs.
	 */
	assert_int_equal(series_csv_open(&c, dir), 0);
	recording_start(&r);
	write_event(&r.w, EV_TASK_CLOCK, "task-clock", "ns");
	write_run_begin(&r.w, 0, T0);
	write_cpu(&r.w, 0, AT(100), 150, 100);
	write_run_end(&r.w, 0, AT(150));
	write_run_begin(&r.w, 1, AT(1000));
	write_cpu(&r.w, 1, AT(1200), 300, 200);
	write_cpu(&r.w, 1, AT(1300), 450, 300);
	write_run_end(&r.w, 1, AT(1350));
	recording_feed(&r, &c, "test.data");
	assert_int_equal(series_csv_close(&c, NULL), 0);

	assert_file(dir, "counters.csv",
		    with_header(SERIES_CSV_COUNTERS,
				"test.data,0,0.100000000,task-clock,150000000,100000000,100000000,\n"
				"test.data,1,0.200000000,task-clock,300000000,200000000,200000000,\n"
				"test.data,1,0.300000000,task-clock,450000000,300000000,300000000,1.5e+09\n",
				buf, sizeof(buf)));
}

static void test_two_files(void **state)
{
	struct series_csv c;
	struct recording r;
	const char *dir = *state;
	char buf[1024];

	/* Each file's rates start afresh (series_csv_begin_file), and
	 * its rows say which file they are from, quoted if need be. */
	assert_int_equal(series_csv_open(&c, dir), 0);
	recording_start(&r);
	write_event(&r.w, EV_TASK_CLOCK, "task-clock", "ns");
	write_run_begin(&r.w, 0, T0);
	write_cpu(&r.w, 0, AT(100), 100, 100);
	write_cpu(&r.w, 0, AT(200), 200, 200);
	recording_feed(&r, &c, "a.data");
	recording_start(&r);
	write_event(&r.w, EV_TASK_CLOCK, "task-clock", "ns");
	write_run_begin(&r.w, 0, T0);
	write_cpu(&r.w, 0, AT(300), 300, 300);
	write_cpu(&r.w, 0, AT(400), 500, 400);
	recording_feed(&r, &c, "b,c.data");
	assert_int_equal(series_csv_close(&c, NULL), 0);

	assert_file(dir, "counters.csv",
		    with_header(SERIES_CSV_COUNTERS,
				"a.data,0,0.100000000,task-clock,100000000,100000000,100000000,\n"
				"a.data,0,0.200000000,task-clock,200000000,200000000,200000000,1e+09\n"
				"\"b,c.data\",0,0.300000000,task-clock,300000000,300000000,300000000,\n"
				"\"b,c.data\",0,0.400000000,task-clock,500000000,400000000,400000000,2e+09\n",
				buf, sizeof(buf)));
}

static void test_open_missing_dir(void **state)
{
	struct series_csv c;
	const char *dir = *state;
	char missing[PATH_MAX];

	scratch_join(missing, sizeof(missing), dir, "missing");
	memset(&c, 0xAA, sizeof(c));
	assert_int_equal(series_csv_open(&c, missing), -ENOENT);
	/* Nothing made, nothing held. */
	assert_listing(dir, "");
	for (int i = 0; i < SERIES_CSV_FILES; i++) {
		assert_null(c.out[i]);
		assert_null(c.path[i]);
		assert_null(c.tmp[i]);
	}
}

static void test_abort(void **state)
{
	struct series_csv c;
	struct recording r;
	const char *dir = *state;

	assert_int_equal(series_csv_open(&c, dir), 0);
	recording_start(&r);
	write_sample(&r.w);
	recording_feed(&r, &c, "test.data");
	series_csv_abort(&c);
	assert_listing(dir, "");
	assert_null(c.previous);
}

/* A directory where one of the files should go: rename(2) fails. */
static void block_name(const char *dir, const char *name)
{
	char path[PATH_MAX];

	scratch_join(path, sizeof(path), dir, name);
	assert_int_equal(mkdir(path, 0700), 0);
}

static void test_close_rename_fails(void **state)
{
	struct series_csv c;
	const char *dir = *state;

	block_name(dir, "counters.csv");
	assert_int_equal(series_csv_open(&c, dir), 0);
	nr_wrote = 0;
	assert_int_equal(series_csv_close(&c, note_wrote), -EISDIR);
	assert_int_equal(nr_wrote, 0);
	assert_listing(dir, "counters.csv");
}

static void test_close_rename_fails_midway(void **state)
{
	struct series_csv c;
	const char *dir = *state;

	/*
	 * series_csv.h: on a failure "nothing is renamed and the temporary
	 * files are removed". The third rename fails: the two before it
	 * must not be left in place, untold of.
	 */
	block_name(dir, "memory.csv");
	assert_int_equal(series_csv_open(&c, dir), 0);
	nr_wrote = 0;
	assert_int_equal(series_csv_close(&c, note_wrote), -EISDIR);
	assert_int_equal(nr_wrote, 0);
	assert_listing(dir, "memory.csv");
}

/* ---- cpus.csv ---- */

/* A run with per-CPU counts: task-clock and the raw event, two CPUs. */
static void write_per_cpu(struct rec_writer *w)
{
	static const uint32_t cpus[4] = { 0, 0, 1, 1 };
	struct rec_count c[4] = {
		{ EV_TASK_CLOCK, 60 * MS, 100 * MS, 60 * MS },
		{ EV_RAW, 700, 100 * MS, 50 * MS },
		{ EV_TASK_CLOCK, 40 * MS, 100 * MS, 40 * MS },
		{ EV_RAW, 300, 100 * MS, 50 * MS },
	};
	struct rec_count total[2] = {
		{ EV_TASK_CLOCK, 100 * MS, 100 * MS, 100 * MS },
		{ EV_RAW, 1000, 100 * MS, 50 * MS },
	};

	write_event(w, EV_TASK_CLOCK, "task-clock", "ns");
	write_event(w, EV_RAW, RAW_NAME, "");
	write_run_begin(w, 0, T0);
	assert_int_equal(rec_write_counts(w, AT(100), 0, 0, total, 2), 0);
	assert_int_equal(rec_write_cpu_counts(w, AT(100), 0, 0, c, cpus, 4), 0);
	write_run_end(w, 0, AT(100));
}

static void test_cpus(void **state)
{
	struct series_csv c;
	struct recording r;
	const char *dir = *state;
	char path[PATH_MAX];

	assert_int_equal(series_csv_open(&c, dir), 0);
	/* A recording without per-CPU counts makes no cpus.csv... */
	recording_start(&r);
	write_sample(&r.w);
	recording_feed(&r, &c, "plain.data");
	assert_listing(dir, "counters.csv.tmp.* memory.csv.tmp.* "
			    "processes.csv.tmp.* tasks.csv.tmp.*");
	/* ... one with them does, under a temporary name. */
	recording_start(&r);
	write_per_cpu(&r.w);
	recording_feed(&r, &c, "pc.data");
	assert_listing(dir, "counters.csv.tmp.* cpus.csv.tmp.* memory.csv.tmp.* "
			    "processes.csv.tmp.* tasks.csv.tmp.*");

	nr_wrote = 0;
	assert_int_equal(series_csv_close(&c, note_wrote), 0);
	assert_listing(dir, "counters.csv cpus.csv memory.csv processes.csv tasks.csv");
	assert_file(dir, "cpus.csv",
		    "file,run,time_seconds,cpu,event,value\n"
		    "pc.data,0,0.100000000,0,task-clock,60000000\n"
		    "pc.data,0,0.100000000,0,\"" RAW_NAME "\",700\n"
		    "pc.data,0,0.100000000,1,task-clock,40000000\n"
		    "pc.data,0,0.100000000,1,\"" RAW_NAME "\",300\n");
	/* Told of last. */
	assert_int_equal(nr_wrote, SERIES_CSV_FILES + 1);
	scratch_join(path, sizeof(path), dir, "cpus.csv");
	assert_string_equal(wrote[SERIES_CSV_FILES], path);
	assert_null(c.cpus);
	assert_null(c.cpus_path);
	assert_null(c.dir);
}

static void test_cpus_abort_and_fail(void **state)
{
	struct series_csv c;
	struct recording r;
	const char *dir = *state;

	assert_int_equal(series_csv_open(&c, dir), 0);
	recording_start(&r);
	write_per_cpu(&r.w);
	recording_feed(&r, &c, "pc.data");
	series_csv_abort(&c);
	assert_listing(dir, "");

	/* cpus.csv cannot be renamed: none of the five is. */
	block_name(dir, "cpus.csv");
	assert_int_equal(series_csv_open(&c, dir), 0);
	recording_start(&r);
	write_per_cpu(&r.w);
	recording_feed(&r, &c, "pc.data");
	nr_wrote = 0;
	assert_int_equal(series_csv_close(&c, note_wrote), -EISDIR);
	assert_int_equal(nr_wrote, 0);
	assert_listing(dir, "cpus.csv");
}

#define DIR_TEST(test) cmocka_unit_test_setup_teardown(test, scratch_dir_setup, \
							scratch_dir_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DIR_TEST(test_rows),
		DIR_TEST(test_close_empty),
		DIR_TEST(test_rate_per_run),
		DIR_TEST(test_two_files),
		DIR_TEST(test_open_missing_dir),
		DIR_TEST(test_abort),
		DIR_TEST(test_close_rename_fails),
		DIR_TEST(test_close_rename_fails_midway),
		DIR_TEST(test_cpus),
		DIR_TEST(test_cpus_abort_and_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
