/*
 * test_format.c - unit tests of the record file library (format/).
 *
 * Three kinds of test: round trips (every record type written by the
 * writer and read back, from a file and through a pipe), hand-made files
 * that break the format in one place each (the reader must name the
 * status, the offset and the problem), and the writer's own behaviour
 * (flushing, discarding, sticky write errors, records too large). Files are
 * built in memory and handed to the reader through a memfd or a pipe, so
 * the tests touch no disk.
 *
 * The hand-made files use the library's little-endian helpers (bytes.h);
 * the golden-bytes tests check those helpers against literal bytes, so a
 * mistake there cannot cancel itself out.
 *
 * The sample recording holds every record type, so the whole-file, pipe,
 * cut-off and mutation tests cover them all. The record types formats 1.1,
 * 1.3 and 1.4 added have the rest of their tests in sections of their own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "recfile.h"
#include "bytes.h"

/* ---- Bytes in memory, and building files by hand ---- */

struct bytes {
	unsigned char *p;
	size_t len, alloc;
};

/* Appends n zero bytes and returns where they start. */
static unsigned char *bytes_add(struct bytes *b, size_t n)
{
	unsigned char *p;

	if (b->len + n > b->alloc) {
		size_t alloc = b->alloc ? b->alloc : 256;

		while (alloc < b->len + n)
			alloc *= 2;
		b->p = realloc(b->p, alloc);
		assert_non_null(b->p);
		b->alloc = alloc;
	}
	p = b->p + b->len;
	memset(p, 0, n);
	b->len += n;
	return p;
}

static void bytes_release(struct bytes *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static void bytes_u32(struct bytes *b, uint32_t v)
{
	put_u32(bytes_add(b, 4), v);
}

static void bytes_u64(struct bytes *b, uint64_t v)
{
	put_u64(bytes_add(b, 8), v);
}

/* A file header; header bytes past the first 16 are zeros. */
static void bytes_header(struct bytes *b, uint16_t major, uint16_t minor,
			 uint32_t size)
{
	unsigned char *p = bytes_add(b, size > 16 ? size : 16);

	memcpy(p, REC_MAGIC, REC_MAGIC_SIZE);
	put_u16(p + 8, major);
	put_u16(p + 10, minor);
	put_u32(p + 12, size);
}

/* Just a frame, whatever its size says. Returns its offset. */
static size_t bytes_frame(struct bytes *b, uint32_t type, uint32_t size)
{
	size_t at = b->len;

	bytes_u32(b, type);
	bytes_u32(b, size);
	return at;
}

/* A whole record with a zero payload. Returns its offset. */
static size_t bytes_record(struct bytes *b, uint32_t type, uint32_t size)
{
	size_t at = bytes_frame(b, type, size);

	bytes_add(b, size - REC_FRAME_SIZE);
	return at;
}

static size_t bytes_end(struct bytes *b, uint64_t time_ns, uint64_t records)
{
	size_t at = bytes_frame(b, REC_END, REC_FRAME_SIZE + 16);

	bytes_u64(b, time_ns);
	bytes_u64(b, records);
	return at;
}

/* ---- File descriptors ---- */

static int memfd(void)
{
	int fd = memfd_create("test_format", 0);

	assert_true(fd >= 0);
	return fd;
}

static void write_all(int fd, const void *p, size_t len)
{
	const unsigned char *c = p;

	while (len) {
		ssize_t n = write(fd, c, len);

		if (n < 0 && errno == EINTR)
			continue;
		assert_true(n > 0);
		c += n;
		len -= (size_t)n;
	}
}

/* All of fd from its start into *b. */
static void slurp(int fd, struct bytes *b)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	if (st.st_size) {
		unsigned char *p = bytes_add(b, (size_t)st.st_size);

		assert_int_equal(read(fd, p, (size_t)st.st_size), st.st_size);
	}
}

static off_t fd_size(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_size;
}

/*
 * A child that writes b to fd at most `chunk` bytes per write(2), pausing
 * between them, then exits: a slow producer at the other end of a pipe.
 * A reader that stops early closes the pipe; that is not the child's
 * failure.
 */
static pid_t spawn_feeder(int fd, const struct bytes *b, size_t chunk,
			  useconds_t pause)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGPIPE, SIG_IGN);
		for (size_t at = 0; at < b->len;) {
			size_t n = b->len - at < chunk ? b->len - at : chunk;
			ssize_t done = write(fd, b->p + at, n);

			if (done < 0 && errno == EINTR)
				continue;
			if (done < 0 && errno == EPIPE)
				break;
			if (done <= 0)
				_exit(1);
			at += (size_t)done;
			if (pause)
				usleep(pause);
		}
		_exit(0);
	}
	return pid;
}

static void reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		assert_int_equal(errno, EINTR);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- Reading ---- */

struct in {
	int fd;
	pid_t feeder;          /* the child writing the pipe, or 0 */
	struct rec_reader r;
};

/* Opens a reader on b through a memfd (a plain, seekable file). */
static enum rec_status in_open(struct in *in, const struct bytes *b)
{
	in->fd = memfd();
	in->feeder = 0;
	write_all(in->fd, b->p, b->len);
	assert_int_equal(lseek(in->fd, 0, SEEK_SET), 0);
	return rec_reader_open(&in->r, in->fd);
}

/* Opens a reader on b through a pipe fed `chunk` bytes at a time. */
static enum rec_status in_open_pipe(struct in *in, const struct bytes *b,
				    size_t chunk, useconds_t pause)
{
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	in->feeder = spawn_feeder(fds[1], b, chunk, pause);
	close(fds[1]);
	in->fd = fds[0];
	assert_int_equal(lseek(in->fd, 0, SEEK_CUR), -1); /* cannot seek */
	return rec_reader_open(&in->r, in->fd);
}

static void in_close(struct in *in)
{
	rec_reader_release(&in->r);
	close(in->fd);
	if (in->feeder)
		reap(in->feeder);
}

static void next_ok(struct in *in, struct rec *rec, uint32_t type)
{
	assert_int_equal(rec_reader_next(&in->r, rec), REC_OK);
	assert_int_equal(rec->type, type);
	assert_int_equal(rec->payload_size, rec->size - REC_FRAME_SIZE);
}

static void expect_done(struct in *in, uint64_t records)
{
	struct rec rec;

	assert_int_equal(rec_reader_next(&in->r, &rec), REC_DONE);
	assert_int_equal(in->r.records, records);
	assert_int_equal(in->r.end_record.records, records);
	/* And again, without reading past END. */
	assert_int_equal(rec_reader_next(&in->r, &rec), REC_DONE);
}

static void expect_error(struct in *in, enum rec_status status,
			 uint64_t offset, const char *detail)
{
	struct rec rec;

	assert_int_equal(rec_reader_next(&in->r, &rec), status);
	assert_int_equal(in->r.offset, offset);
	assert_string_equal(in->r.detail, detail);
	/* The bad piece is not consumed: asking again says the same. */
	assert_int_equal(rec_reader_next(&in->r, &rec), status);
	assert_int_equal(in->r.offset, offset);
}

static void expect_open_error(const struct bytes *b, enum rec_status status,
			      const char *detail)
{
	struct in in;

	assert_int_equal(in_open(&in, b), status);
	assert_int_equal(in.r.offset, 0);
	assert_string_equal(in.r.detail, detail);
	in_close(&in);
}

/* A struct rec over a payload in memory, for the decoder tests. */
static struct rec rec_of(uint32_t type, const unsigned char *payload,
			 size_t size)
{
	struct rec rec = {
		.type = type,
		.size = (uint32_t)(size + REC_FRAME_SIZE),
		.payload = payload,
		.payload_size = size,
	};
	return rec;
}

/* ---- Writing ---- */

struct out {
	int fd;
	struct rec_writer w;
};

static void out_init(struct out *o)
{
	o->fd = memfd();
	assert_int_equal(rec_writer_init(&o->w, o->fd), 0);
}

/* Flushes, and hands over everything written. */
static void out_finish(struct out *o, struct bytes *file)
{
	assert_int_equal(rec_writer_flush(&o->w), 0);
	assert_int_equal(o->w.flushed, (uint64_t)fd_size(o->fd));
	rec_writer_release(&o->w);
	slurp(o->fd, file);
	close(o->fd);
}

/* ---- A sample recording: one of everything ---- */

static const struct rec_event sample_events[] = {
	{ .id = 0, .group = 0, .perf_type = 1, .status = REC_EVENT_OPENED,
	  .config = 1, .flags = 0, .error = 0,
	  .name = "task-clock", .unit = "ns" },
	{ .id = 1, .group = 1, .perf_type = 0, .status = REC_EVENT_NOT_PERMITTED,
	  .config = 0xfedcba9876543210ull,
	  .flags = REC_EVENT_F_EXCLUDE_KERNEL | REC_EVENT_F_USER_FALLBACK,
	  .error = EACCES, .name = "cycles", .unit = "" },
};

static const struct rec_run_begin sample_begin = {
	.time_ns = 1000000001, .run = 0, .pid = 4242, .flags = REC_RUN_F_WARMUP,
	.variant = 1,
};

static const struct rec_count sample_counts[] = {
	{ .event_id = 0, .value = 123456789, .enabled_ns = 2000, .running_ns = 2000 },
	{ .event_id = 7, .value = UINT64_MAX, .enabled_ns = 3000, .running_ns = 0 },
	{ .event_id = UINT32_MAX, .value = 1, .enabled_ns = 1, .running_ns = 1 },
};

static const struct rec_run_end sample_end = {
	.time_ns = 3000000003, .run = 0, .pid = 4242,
	.exit_kind = REC_EXIT_SIGNAL, .exit_code = 9,
	.rusage = { 1, 2, 3, 4, 5, 6, 7, 8, UINT64_MAX },
};

/* Format 1.1: the process tree and its memory. */

static const struct rec_mem_source sample_mem_sources[] = {
	{ .backend = REC_MEM_RSS, .status = REC_MEM_SOURCE_RECORDING,
	  .error = 0, .source = "/proc/PID/statm resident, summed", .why = "" },
	{ .backend = REC_MEM_CGROUP, .status = REC_MEM_SOURCE_UNAVAILABLE,
	  .error = EACCES, .source = "cgroup v2 memory.peak",
	  .why = "cannot create a cgroup under /sys/fs/cgroup" },
};

/* The command's exec, a child, a thread of the child that renames itself
 * (to a name of the kernel's full 15 bytes), and the child's exit. */
static const struct rec_task sample_tasks[] = {
	{ .time_ns = 1000000100, .kind = REC_TASK_EXEC, .pid = 4242,
	  .tid = 4242, .comm = "busy-tree" },
	{ .time_ns = 1000000200, .kind = REC_TASK_FORK, .pid = 4243,
	  .tid = 4243, .ppid = 4242, .ptid = 4242, .comm = "" },
	{ .time_ns = 1000000300, .kind = REC_TASK_FORK, .pid = 4243,
	  .tid = 4244, .ppid = 4243, .ptid = 4243, .comm = "" },
	{ .time_ns = 1000000400, .kind = REC_TASK_COMM, .pid = 4243,
	  .tid = 4244, .comm = "worker-01234567" },
	{ .time_ns = 2500000000, .kind = REC_TASK_EXIT, .pid = 4243,
	  .tid = 4243, .ppid = 4242, .ptid = 4242, .comm = "" },
};

static const struct rec_lost sample_lost = {
	.time_ns = 2000000500, .lost = 17, .cpu = 3,
};

#define PROC_HAVE_EVERY (REC_PROC_HAVE_CPU | REC_PROC_HAVE_FAULTS | \
			 REC_PROC_HAVE_CTXSW | REC_PROC_HAVE_RSS | \
			 REC_PROC_HAVE_HWM | REC_PROC_HAVE_THREADS | \
			 REC_PROC_HAVE_CTXSW_MAIN | REC_PROC_HAVE_MIGRATIONS)

static const struct rec_proc sample_procs[] = {
	{ .pid = 4242, .have = PROC_HAVE_EVERY & ~REC_PROC_HAVE_CTXSW_MAIN,
	  .utime_ns = 30000000, .stime_ns = 10000000, .minflt = 1500,
	  .majflt = 2, .nvcsw = 40, .nivcsw = 5, .rss_bytes = 2u << 20,
	  .hwm_bytes = 3u << 20, .threads = 1, .flags = 0 },
	{ .pid = 4243, .have = REC_PROC_HAVE_RSS | REC_PROC_HAVE_CTXSW_MAIN |
			       REC_PROC_HAVE_THREADS,
	  .nvcsw = UINT64_MAX, .nivcsw = 1, .rss_bytes = 1u << 20,
	  .threads = UINT32_MAX, .flags = REC_PROC_F_FINAL },
};

static const struct rec_proc_exit sample_proc_exit = {
	.time_ns = 2600000000, .pid = 4243, .exit_kind = REC_EXIT_NORMAL,
	.exit_code = 3, .rusage = { 11, 12, 13, 14, 15, 16, 17, 18, 19 },
};

static const struct rec_mem sample_mems[] = {
	{ .time_ns = 2000000002, .run = 0, .backend = REC_MEM_RSS,
	  .current_bytes = 3u << 20, .peak_bytes = 0, .processes = 2,
	  .flags = 0 },
	{ .time_ns = 3000000003, .run = 0, .backend = REC_MEM_RSS,
	  .current_bytes = 0, .peak_bytes = UINT64_MAX, .processes = 1,
	  .flags = REC_MEM_F_PEAK | REC_MEM_F_FINAL },
};

/* Format 1.3: what each variant ran, and the counts split by CPU. */

static const char *const sample_argv[] = { "./busy-tree", "--depth=3" };

/* The command as it is, then pinned to three CPUs: the sample's run is
 * of the second. */
static const struct rec_variant sample_variants[] = {
	{ .variant = 0, .nr_args = 2, .nr_cpus = 0, .label = "all CPUs",
	  .cpus = "" },
	{ .variant = 1, .nr_args = 2, .nr_cpus = 3, .label = "3 CPUs",
	  .cpus = "0-1,5" },
};

/* The CPU of each of sample_counts[], in CPU_COUNTS. */
static const uint32_t sample_cpus[] = { 5, 0, UINT32_MAX };

/* The load the run served (1.4): BEGIN and END, each after a reading. */
static const struct rec_load sample_loads[] = {
	{ .time_ns = 2000000002, .run = 0, .kind = REC_LOAD_BEGIN, .pid = 7001,
	  .command = "wrk -d1s http://127.0.0.1:8080/", .output = "" },
	{ .time_ns = 3000000003, .run = 0, .kind = REC_LOAD_END, .pid = 7001,
	  .flags = REC_LOAD_F_REQUESTS, .exit_kind = REC_EXIT_NORMAL,
	  .exit_code = 0, .requests = 80000,
	  .rusage = { .utime_us = 300000, .stime_us = 600000, .maxrss_kib = 4096,
		      .minflt = 500, .nvcsw = 20, .nivcsw = 3 },
	  .command = "wrk -d1s http://127.0.0.1:8080/",
	  .output = "Running 1s test\n  80000 requests in 1.00s, 10.5MB read\n" },
};

/* The types in write_sample()'s order. */
static const uint32_t sample_types[] = {
	REC_META, REC_EVENT, REC_EVENT, REC_MEM_SOURCE, REC_MEM_SOURCE,
	REC_VARIANT, REC_VARIANT,
	REC_RUN_BEGIN, REC_TASK, REC_TASK, REC_TASK, REC_TASK, REC_COUNTS,
	REC_CPU_COUNTS, REC_LOAD, REC_PROCS, REC_MEM, REC_LOST, REC_TASK,
	REC_PROC_EXIT, REC_COUNTS, REC_CPU_COUNTS, REC_LOAD, REC_MEM, REC_RUN_END,
};
#define SAMPLE_RECORDS (sizeof(sample_types) / sizeof(sample_types[0]))

/* One of everything, 1.0 to 1.4 records, in the order pprobe writes. */
static void write_sample(struct rec_writer *w)
{
	rec_meta_begin(w);
	rec_meta_str(w, "pprobe_version", "0.1.0");
	rec_meta_str(w, "argv", "./busy-tree");
	rec_meta_str(w, "argv", "--depth=3");
	rec_meta_u64(w, "cpus_online", 8);
	rec_meta_i64(w, "perf_event_paranoid", -1);
	assert_int_equal(rec_finish(w), 0);
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(rec_write_event(w, &sample_events[i]), 0);
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(rec_write_mem_source(w, &sample_mem_sources[i]), 0);
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(rec_write_variant(w, &sample_variants[i],
						   sample_argv), 0);
	assert_int_equal(rec_write_run_begin(w, &sample_begin), 0);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(rec_write_task(w, &sample_tasks[i]), 0);
	assert_int_equal(rec_write_counts(w, 2000000002, 0, 0, sample_counts, 2), 0);
	assert_int_equal(rec_write_cpu_counts(w, 2000000002, 0, 0,
					      sample_counts, sample_cpus, 2), 0);
	assert_int_equal(rec_write_load(w, &sample_loads[0]), 0);
	assert_int_equal(rec_write_procs(w, 2000000002, 0, sample_procs, 2), 0);
	assert_int_equal(rec_write_mem(w, &sample_mems[0]), 0);
	assert_int_equal(rec_write_lost(w, &sample_lost), 0);
	assert_int_equal(rec_write_task(w, &sample_tasks[4]), 0);
	assert_int_equal(rec_write_proc_exit(w, &sample_proc_exit), 0);
	assert_int_equal(rec_write_counts(w, 3000000003, 0, REC_COUNTS_F_FINAL,
					  sample_counts, 3), 0);
	assert_int_equal(rec_write_cpu_counts(w, 3000000003, 0,
					      REC_COUNTS_F_FINAL, sample_counts,
					      sample_cpus, 3), 0);
	assert_int_equal(rec_write_load(w, &sample_loads[1]), 0);
	assert_int_equal(rec_write_mem(w, &sample_mems[1]), 0);
	assert_int_equal(rec_write_run_end(w, &sample_end), 0);
	assert_int_equal(rec_write_end(w, 3000000004), 0);
}

static void sample_file(struct bytes *file)
{
	struct out o;

	out_init(&o);
	write_sample(&o.w);
	assert_int_equal(o.w.records, SAMPLE_RECORDS + 1);
	out_finish(&o, file);
}

/* ---- Comparing decoded records with what was written ---- */

static void assert_event_equal(const struct rec_event *got,
			       const struct rec_event *want)
{
	assert_int_equal(got->id, want->id);
	assert_int_equal(got->group, want->group);
	assert_int_equal(got->perf_type, want->perf_type);
	assert_int_equal(got->status, want->status);
	assert_true(got->config == want->config);
	assert_int_equal(got->flags, want->flags);
	assert_int_equal(got->error, want->error);
	assert_string_equal(got->name, want->name);
	assert_string_equal(got->unit, want->unit);
}

static void assert_count_equal(const struct rec_count *got,
			       const struct rec_count *want)
{
	assert_int_equal(got->event_id, want->event_id);
	assert_true(got->value == want->value);
	assert_true(got->enabled_ns == want->enabled_ns);
	assert_true(got->running_ns == want->running_ns);
}

/* A NULL string is written as "". */
static void assert_written_string(const char *got, const char *want)
{
	assert_non_null(got);
	assert_string_equal(got, want ? want : "");
}

static void assert_task_equal(const struct rec_task *got,
			      const struct rec_task *want)
{
	assert_true(got->time_ns == want->time_ns);
	assert_int_equal(got->kind, want->kind);
	assert_int_equal(got->pid, want->pid);
	assert_int_equal(got->tid, want->tid);
	assert_int_equal(got->ppid, want->ppid);
	assert_int_equal(got->ptid, want->ptid);
	assert_written_string(got->comm, want->comm);
}

static void assert_lost_equal(const struct rec_lost *got,
			      const struct rec_lost *want)
{
	assert_true(got->time_ns == want->time_ns);
	assert_true(got->lost == want->lost);
	assert_int_equal(got->cpu, want->cpu);
}

static void assert_proc_equal(const struct rec_proc *got,
			      const struct rec_proc *want)
{
	assert_int_equal(got->pid, want->pid);
	assert_int_equal(got->have, want->have);
	assert_true(got->utime_ns == want->utime_ns);
	assert_true(got->stime_ns == want->stime_ns);
	assert_true(got->minflt == want->minflt);
	assert_true(got->majflt == want->majflt);
	assert_true(got->nvcsw == want->nvcsw);
	assert_true(got->nivcsw == want->nivcsw);
	assert_true(got->rss_bytes == want->rss_bytes);
	assert_true(got->hwm_bytes == want->hwm_bytes);
	assert_int_equal(got->threads, want->threads);
	assert_int_equal(got->flags, want->flags);
	assert_true(got->migrations == want->migrations);
}

static void assert_rusage_equal(const struct rec_rusage *got,
				const struct rec_rusage *want)
{
	assert_true(got->utime_us == want->utime_us);
	assert_true(got->stime_us == want->stime_us);
	assert_true(got->maxrss_kib == want->maxrss_kib);
	assert_true(got->minflt == want->minflt);
	assert_true(got->majflt == want->majflt);
	assert_true(got->nvcsw == want->nvcsw);
	assert_true(got->nivcsw == want->nivcsw);
	assert_true(got->inblock == want->inblock);
	assert_true(got->oublock == want->oublock);
}

static void assert_load_equal(const struct rec_load *got,
			      const struct rec_load *want)
{
	assert_true(got->time_ns == want->time_ns);
	assert_int_equal(got->run, want->run);
	assert_int_equal(got->kind, want->kind);
	assert_int_equal(got->pid, want->pid);
	assert_int_equal(got->flags, want->flags);
	assert_int_equal(got->exit_kind, want->exit_kind);
	assert_int_equal(got->exit_code, want->exit_code);
	assert_true(got->requests == want->requests);
	assert_rusage_equal(&got->rusage, &want->rusage);
	assert_written_string(got->command, want->command);
	assert_written_string(got->output, want->output);
}

static void assert_proc_exit_equal(const struct rec_proc_exit *got,
				   const struct rec_proc_exit *want)
{
	assert_true(got->time_ns == want->time_ns);
	assert_int_equal(got->pid, want->pid);
	assert_int_equal(got->exit_kind, want->exit_kind);
	assert_int_equal(got->exit_code, want->exit_code);
	assert_rusage_equal(&got->rusage, &want->rusage);
}

static void assert_mem_source_equal(const struct rec_mem_source *got,
				    const struct rec_mem_source *want)
{
	assert_int_equal(got->backend, want->backend);
	assert_int_equal(got->status, want->status);
	assert_int_equal(got->error, want->error);
	assert_written_string(got->source, want->source);
	assert_written_string(got->why, want->why);
}

static void assert_mem_equal(const struct rec_mem *got,
			     const struct rec_mem *want)
{
	assert_true(got->time_ns == want->time_ns);
	assert_int_equal(got->run, want->run);
	assert_int_equal(got->backend, want->backend);
	assert_true(got->current_bytes == want->current_bytes);
	assert_true(got->peak_bytes == want->peak_bytes);
	assert_int_equal(got->processes, want->processes);
	assert_int_equal(got->flags, want->flags);
}

/*
 * A decoded VARIANT against the one written with argv: rec_variant_arg()
 * hands out exactly nr_args arguments, in order, then NULL, and NULL
 * again when asked once more.
 */
static void assert_variant_equal(const struct rec_variant *got,
				 const struct rec_variant *want,
				 const char *const *argv)
{
	const char *arg;
	size_t pos = 0;
	uint32_t n = 0;

	assert_int_equal(got->variant, want->variant);
	assert_int_equal(got->nr_args, want->nr_args);
	assert_int_equal(got->nr_cpus, want->nr_cpus);
	assert_written_string(got->label, want->label);
	assert_written_string(got->cpus, want->cpus);
	while ((arg = rec_variant_arg(got, &pos)) != NULL) {
		assert_true(n < want->nr_args);
		assert_written_string(arg, argv[n]);
		n++;
	}
	assert_int_equal(n, want->nr_args);
	assert_int_equal(pos, got->args_size);
	assert_null(rec_variant_arg(got, &pos));
}

/*
 * Decodes one record of the sample and compares it with what
 * write_sample() wrote. seen[type] counts the records of each type read
 * so far, which says which of the sample's records this one is.
 */
static void check_sample_record(const struct rec *rec, unsigned *seen)
{
	unsigned n = seen[rec->type]++;

	switch (rec->type) {
	case REC_META: {
		struct rec_meta_entry e;
		size_t pos = 0, entries = 0;

		while (rec_meta_next(rec, &pos, &e) == 1)
			entries++;
		assert_int_equal(pos, rec->payload_size);
		assert_int_equal(entries, 5);
		break;
	}
	case REC_EVENT: {
		struct rec_event e;

		assert_int_equal(rec_decode_event(rec, &e), 0);
		assert_event_equal(&e, &sample_events[n]);
		break;
	}
	case REC_RUN_BEGIN: {
		struct rec_run_begin b;

		assert_int_equal(rec_decode_run_begin(rec, &b), 0);
		assert_true(b.time_ns == sample_begin.time_ns);
		assert_int_equal(b.pid, sample_begin.pid);
		assert_int_equal(b.flags, sample_begin.flags);
		assert_int_equal(b.variant, sample_begin.variant);
		break;
	}
	case REC_COUNTS: {
		struct rec_counts c;
		struct rec_count v;

		assert_int_equal(rec_decode_counts(rec, &c), 0);
		assert_int_equal(c.time_ns, n ? 3000000003 : 2000000002);
		assert_int_equal(c.flags, n ? REC_COUNTS_F_FINAL : 0);
		assert_int_equal(c.nr, n ? 3 : 2);
		for (uint32_t i = 0; i < c.nr; i++) {
			rec_counts_get(&c, i, &v);
			assert_count_equal(&v, &sample_counts[i]);
		}
		break;
	}
	case REC_RUN_END: {
		struct rec_run_end e;

		assert_int_equal(rec_decode_run_end(rec, &e), 0);
		assert_int_equal(e.exit_code, sample_end.exit_code);
		assert_rusage_equal(&e.rusage, &sample_end.rusage);
		break;
	}
	case REC_TASK: {
		struct rec_task t;

		assert_int_equal(rec_decode_task(rec, &t), 0);
		assert_task_equal(&t, &sample_tasks[n]);
		break;
	}
	case REC_LOST: {
		struct rec_lost l;

		assert_int_equal(rec_decode_lost(rec, &l), 0);
		assert_lost_equal(&l, &sample_lost);
		break;
	}
	case REC_PROCS: {
		struct rec_procs p;
		struct rec_proc v;

		assert_int_equal(rec_decode_procs(rec, &p), 0);
		assert_int_equal(p.time_ns, 2000000002);
		assert_int_equal(p.run, 0);
		assert_int_equal(p.nr, 2);
		for (uint32_t i = 0; i < p.nr; i++) {
			rec_procs_get(&p, i, &v);
			assert_proc_equal(&v, &sample_procs[i]);
		}
		break;
	}
	case REC_PROC_EXIT: {
		struct rec_proc_exit e;

		assert_int_equal(rec_decode_proc_exit(rec, &e), 0);
		assert_proc_exit_equal(&e, &sample_proc_exit);
		break;
	}
	case REC_MEM_SOURCE: {
		struct rec_mem_source m;

		assert_int_equal(rec_decode_mem_source(rec, &m), 0);
		assert_mem_source_equal(&m, &sample_mem_sources[n]);
		break;
	}
	case REC_MEM: {
		struct rec_mem m;

		assert_int_equal(rec_decode_mem(rec, &m), 0);
		assert_mem_equal(&m, &sample_mems[n]);
		break;
	}
	case REC_CPU_COUNTS: {
		struct rec_counts c;
		struct rec_count v;

		assert_int_equal(rec_decode_cpu_counts(rec, &c), 0);
		assert_int_equal(c.time_ns, n ? 3000000003 : 2000000002);
		assert_int_equal(c.run, 0);
		assert_int_equal(c.flags, n ? REC_COUNTS_F_FINAL : 0);
		assert_int_equal(c.nr, n ? 3 : 2);
		for (uint32_t i = 0; i < c.nr; i++) {
			rec_counts_get(&c, i, &v);
			assert_count_equal(&v, &sample_counts[i]);
			assert_int_equal(rec_counts_cpu(&c, i), sample_cpus[i]);
		}
		break;
	}
	case REC_VARIANT: {
		struct rec_variant v;

		assert_int_equal(rec_decode_variant(rec, &v), 0);
		assert_variant_equal(&v, &sample_variants[n], sample_argv);
		break;
	}
	case REC_LOAD: {
		struct rec_load l;

		assert_int_equal(rec_decode_load(rec, &l), 0);
		assert_load_equal(&l, &sample_loads[n]);
		break;
	}
	default:
		fail_msg("record type %u is not in the sample", (unsigned)rec->type);
	}
}

/* Reads the sample back and checks every record, then the END. */
static void check_sample(struct in *in)
{
	struct rec rec;
	uint64_t offset = REC_HEADER_SIZE;
	unsigned seen[REC_LOAD + 1] = { 0 };

	for (size_t i = 0; i < SAMPLE_RECORDS; i++) {
		next_ok(in, &rec, sample_types[i]);
		assert_int_equal(rec.offset, offset);
		offset += rec.size;
		assert_int_equal(in->r.records, i + 1);
		check_sample_record(&rec, seen);
	}
	expect_done(in, SAMPLE_RECORDS);
	assert_int_equal(in->r.offset, offset); /* the END's frame */
	assert_int_equal(in->r.end_record.time_ns, 3000000004);
}

/* ---- Golden bytes: the helpers against the layout in recfile.h ---- */

static void test_header_bytes(void **state)
{
	static const unsigned char want[] = {
		0x89, 'P', 'P', 'R', 'O', 'B', 'E', '\n',
		1, 0,  REC_VERSION_MINOR, 0,      /* version 1.3 */
		16, 0, 0, 0,                      /* header size */
	};
	struct out o;
	struct bytes file = { 0 };

	(void)state;
	out_init(&o);
	assert_int_equal(o.w.len, REC_HEADER_SIZE);
	assert_int_equal(o.w.flushed, 0);
	assert_int_equal(fd_size(o.fd), 0); /* nothing until a flush */
	out_finish(&o, &file);
	assert_int_equal(file.len, sizeof(want));
	assert_memory_equal(file.p, want, sizeof(want));
	bytes_release(&file);
}

static void test_run_begin_bytes(void **state)
{
	static const unsigned char want[] = {
		3, 0, 0, 0,  32, 0, 0, 0,                         /* frame */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,   /* time_ns */
		2, 0, 0, 0,                                       /* run */
		0x34, 0x12, 0, 0,                                 /* pid */
		1, 0, 0, 0,                                       /* flags */
		0x0d, 0x0c, 0x0b, 0x0a,                           /* variant */
	};
	const struct rec_run_begin b = {
		.time_ns = 0x0102030405060708ull, .run = 2, .pid = 0x1234,
		.flags = REC_RUN_F_WARMUP, .variant = 0x0a0b0c0d,
	};
	struct out o;
	struct bytes file = { 0 };

	(void)state;
	out_init(&o);
	assert_int_equal(rec_write_run_begin(&o.w, &b), 0);
	out_finish(&o, &file);
	assert_int_equal(file.len, REC_HEADER_SIZE + sizeof(want));
	assert_memory_equal(file.p + REC_HEADER_SIZE, want, sizeof(want));
	bytes_release(&file);
}

static void test_meta_entry_bytes(void **state)
{
	static const unsigned char want[] = {
		1, 0, 0, 0,  39, 0, 0, 0,         /* frame: META, 39 bytes */
		3, 0,  1, 0,  'k', 0,             /* str entry, key "k" */
		3, 0, 0, 0,  'v', 'w', 0,         /* value size 3: "vw" and NUL */
		2, 0,  1, 0,  'n', 0,             /* i64 entry, key "n" */
		8, 0, 0, 0,                       /* value size 8 */
		0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* -2 */
	};
	struct out o;
	struct bytes file = { 0 };

	(void)state;
	out_init(&o);
	rec_meta_begin(&o.w);
	rec_meta_str(&o.w, "k", "vw");
	rec_meta_i64(&o.w, "n", -2);
	assert_int_equal(rec_finish(&o.w), 0);
	out_finish(&o, &file);
	assert_int_equal(file.len, REC_HEADER_SIZE + sizeof(want));
	assert_memory_equal(file.p + REC_HEADER_SIZE, want, sizeof(want));
	bytes_release(&file);
}

/* ---- Round trips ---- */

static void test_meta_round_trip(void **state)
{
	static const char *const argv[] = { "./a.out", "", "two words", "--x=1" };
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_meta_entry e;
	size_t pos = 0;

	(void)state;
	out_init(&o);
	rec_meta_begin(&o.w);
	rec_meta_u64(&o.w, "cpus_online", 64);
	rec_meta_u64(&o.w, "start_monotonic_ns", UINT64_MAX);
	rec_meta_i64(&o.w, "perf_event_paranoid", -1);
	rec_meta_i64(&o.w, "lowest", INT64_MIN);
	rec_meta_i64(&o.w, "highest", INT64_MAX);
	for (size_t i = 0; i < 4; i++)
		rec_meta_str(&o.w, "argv", argv[i]);
	rec_meta_str(&o.w, "", "empty key");
	assert_int_equal(rec_finish(&o.w), 0);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);

	assert_int_equal(in_open(&in, &file), REC_OK);
	next_ok(&in, &rec, REC_META);

	assert_int_equal(rec_meta_next(&rec, &pos, &e), 1);
	assert_int_equal(e.kind, REC_META_U64);
	assert_string_equal(e.key, "cpus_online");
	assert_int_equal(e.u64, 64);
	assert_null(e.str);
	assert_int_equal(e.i64, 0);

	assert_int_equal(rec_meta_next(&rec, &pos, &e), 1);
	assert_string_equal(e.key, "start_monotonic_ns");
	assert_true(e.u64 == UINT64_MAX);

	assert_int_equal(rec_meta_next(&rec, &pos, &e), 1);
	assert_int_equal(e.kind, REC_META_I64);
	assert_string_equal(e.key, "perf_event_paranoid");
	assert_true(e.i64 == -1);
	assert_int_equal(e.u64, 0);

	assert_int_equal(rec_meta_next(&rec, &pos, &e), 1);
	assert_true(e.i64 == INT64_MIN);
	assert_int_equal(rec_meta_next(&rec, &pos, &e), 1);
	assert_true(e.i64 == INT64_MAX);

	/* Repeated keys come back in order. */
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(rec_meta_next(&rec, &pos, &e), 1);
		assert_int_equal(e.kind, REC_META_STR);
		assert_string_equal(e.key, "argv");
		assert_string_equal(e.str, argv[i]);
		assert_int_equal(e.str_len, strlen(argv[i]));
	}
	assert_int_equal(rec_meta_next(&rec, &pos, &e), 1);
	assert_string_equal(e.key, "");
	assert_string_equal(e.str, "empty key");

	assert_int_equal(pos, rec.payload_size);
	assert_int_equal(rec_meta_next(&rec, &pos, &e), 0);
	assert_int_equal(rec_meta_next(&rec, &pos, &e), 0);
	expect_done(&in, 1);
	in_close(&in);
	bytes_release(&file);
}

static void test_empty_meta(void **state)
{
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_meta_entry e;
	size_t pos = 0;

	(void)state;
	out_init(&o);
	rec_meta_begin(&o.w);
	assert_int_equal(rec_finish(&o.w), 0);
	out_finish(&o, &file);
	assert_int_equal(in_open(&in, &file), REC_OK);
	next_ok(&in, &rec, REC_META);
	assert_int_equal(rec.size, REC_FRAME_SIZE);
	assert_int_equal(rec_meta_next(&rec, &pos, &e), 0);
	in_close(&in);
	bytes_release(&file);
}

static void test_event_round_trip(void **state)
{
	struct rec_event odd = sample_events[0];
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_event e;

	(void)state;
	odd.error = -1;  /* signed on disk, whatever errno would say */
	odd.unit = NULL; /* written as "" */
	out_init(&o);
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(rec_write_event(&o.w, &sample_events[i]), 0);
	assert_int_equal(rec_write_event(&o.w, &odd), 0);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);

	assert_int_equal(in_open(&in, &file), REC_OK);
	for (size_t i = 0; i < 2; i++) {
		const struct rec_event *want = &sample_events[i];

		next_ok(&in, &rec, REC_EVENT);
		assert_int_equal(rec_decode_event(&rec, &e), 0);
		assert_event_equal(&e, want);
	}
	next_ok(&in, &rec, REC_EVENT);
	assert_int_equal(rec_decode_event(&rec, &e), 0);
	assert_int_equal(e.error, -1);
	assert_non_null(e.unit);
	assert_string_equal(e.unit, "");
	expect_done(&in, 3);
	in_close(&in);
	bytes_release(&file);
}

static void test_run_begin_round_trip(void **state)
{
	const struct rec_run_begin last = {
		.time_ns = UINT64_MAX, .run = UINT32_MAX, .pid = UINT32_MAX,
		.flags = 0, .variant = UINT32_MAX,
	};
	const struct rec_run_begin *const begins[] = { &sample_begin, &last };
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_run_begin b;

	(void)state;
	out_init(&o);
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(rec_write_run_begin(&o.w, begins[i]), 0);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);

	assert_int_equal(in_open(&in, &file), REC_OK);
	for (size_t i = 0; i < 2; i++) {
		const struct rec_run_begin *want = begins[i];

		next_ok(&in, &rec, REC_RUN_BEGIN);
		assert_int_equal(rec.size, REC_FRAME_SIZE + 24);
		assert_int_equal(rec_decode_run_begin(&rec, &b), 0);
		assert_true(b.time_ns == want->time_ns);
		assert_int_equal(b.run, want->run);
		assert_int_equal(b.pid, want->pid);
		assert_int_equal(b.flags, want->flags);
		assert_int_equal(b.variant, want->variant);
	}
	expect_done(&in, 2);
	in_close(&in);
	bytes_release(&file);
}

/* A 1.2 file wrote 0 where the variant now is: its runs are of variant 0,
 * the one command META's argv names. */
static void test_run_begin_before_variants(void **state)
{
	struct bytes b = { 0 };
	struct in in;
	struct rec rec;
	struct rec_run_begin rb;

	(void)state;
	bytes_header(&b, 1, 2, 16);
	bytes_frame(&b, REC_RUN_BEGIN, REC_FRAME_SIZE + 24);
	bytes_u64(&b, 10);
	bytes_u32(&b, 1);                   /* run */
	bytes_u32(&b, 99);                  /* pid */
	bytes_u32(&b, REC_RUN_F_WARMUP);    /* flags */
	bytes_u32(&b, 0);                   /* reserved in 1.2 */
	bytes_end(&b, 0, 1);

	assert_int_equal(in_open(&in, &b), REC_OK);
	assert_int_equal(in.r.minor, 2);
	next_ok(&in, &rec, REC_RUN_BEGIN);
	memset(&rb, 0xee, sizeof(rb));
	assert_int_equal(rec_decode_run_begin(&rec, &rb), 0);
	assert_int_equal(rb.variant, 0);
	assert_int_equal(rb.run, 1);
	assert_int_equal(rb.pid, 99);
	assert_int_equal(rb.flags, REC_RUN_F_WARMUP);
	expect_done(&in, 1);
	in_close(&in);
	bytes_release(&b);
}

/*
 * Writes COUNTS, or CPU_COUNTS when per_cpu, with nr entries, reads it
 * back and compares. The two types share a layout but not a decoder:
 * each decoder refuses the other's record.
 */
static void counts_round_trip(uint32_t nr, int per_cpu)
{
	struct rec_count *values = calloc(nr ? nr : 1, sizeof(*values));
	uint32_t *cpus = calloc(nr ? nr : 1, sizeof(*cpus));
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_counts c;
	struct rec_count v;

	assert_non_null(values);
	assert_non_null(cpus);
	for (uint32_t i = 0; i < nr; i++) {
		values[i].event_id = i * 3;
		values[i].value = (uint64_t)i << 33 | i;
		values[i].enabled_ns = 1000 + i;
		values[i].running_ns = i % 5 ? 900 + i : 0;
		/* Every bit of the u32 used somewhere, and the largest. */
		cpus[i] = i + 1 == nr ? UINT32_MAX : i * 2654435761u;
	}
	out_init(&o);
	if (per_cpu)
		assert_int_equal(rec_write_cpu_counts(&o.w, 77, 3,
						      REC_COUNTS_F_FINAL,
						      nr ? values : NULL,
						      nr ? cpus : NULL, nr), 0);
	else
		assert_int_equal(rec_write_counts(&o.w, 77, 3, REC_COUNTS_F_FINAL,
						  nr ? values : NULL, nr), 0);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);

	assert_int_equal(in_open(&in, &file), REC_OK);
	next_ok(&in, &rec, per_cpu ? REC_CPU_COUNTS : REC_COUNTS);
	assert_int_equal(rec.size, REC_FRAME_SIZE + 24 + 32 * (size_t)nr);
	if (per_cpu) {
		assert_int_equal(rec_decode_counts(&rec, &c), -1);
		assert_int_equal(rec_decode_cpu_counts(&rec, &c), 0);
	} else {
		assert_int_equal(rec_decode_cpu_counts(&rec, &c), -1);
		assert_int_equal(rec_decode_counts(&rec, &c), 0);
	}
	assert_int_equal(c.time_ns, 77);
	assert_int_equal(c.run, 3);
	assert_int_equal(c.flags, REC_COUNTS_F_FINAL);
	assert_int_equal(c.nr, nr);
	for (uint32_t i = 0; i < nr; i++) {
		rec_counts_get(&c, i, &v);
		assert_int_equal(v.event_id, values[i].event_id);
		assert_true(v.value == values[i].value);
		assert_int_equal(v.enabled_ns, values[i].enabled_ns);
		assert_int_equal(v.running_ns, values[i].running_ns);
		if (per_cpu)
			assert_int_equal(rec_counts_cpu(&c, i), cpus[i]);
	}
	expect_done(&in, 1);
	in_close(&in);
	bytes_release(&file);
	free(cpus);
	free(values);
}

static void test_counts_round_trip_empty(void **state)
{
	(void)state;
	counts_round_trip(0, 0);
}

static void test_counts_round_trip_one(void **state)
{
	(void)state;
	counts_round_trip(1, 0);
}

static void test_counts_round_trip_many(void **state)
{
	(void)state;
	counts_round_trip(1000, 0);
}

static void test_run_end_round_trip(void **state)
{
	struct rec_run_end normal = sample_end;
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_run_end e;

	(void)state;
	normal.exit_kind = REC_EXIT_NORMAL;
	normal.exit_code = -1; /* stored as a signed 32-bit value */
	out_init(&o);
	assert_int_equal(rec_write_run_end(&o.w, &sample_end), 0);
	assert_int_equal(rec_write_run_end(&o.w, &normal), 0);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);

	assert_int_equal(in_open(&in, &file), REC_OK);
	next_ok(&in, &rec, REC_RUN_END);
	assert_int_equal(rec.size, REC_FRAME_SIZE + 96);
	assert_int_equal(rec_decode_run_end(&rec, &e), 0);
	assert_true(e.time_ns == sample_end.time_ns);
	assert_int_equal(e.run, sample_end.run);
	assert_int_equal(e.pid, sample_end.pid);
	assert_int_equal(e.exit_kind, REC_EXIT_SIGNAL);
	assert_int_equal(e.exit_code, 9);
	assert_memory_equal(&e.rusage, &sample_end.rusage, sizeof(e.rusage));
	next_ok(&in, &rec, REC_RUN_END);
	assert_int_equal(rec_decode_run_end(&rec, &e), 0);
	assert_int_equal(e.exit_kind, REC_EXIT_NORMAL);
	assert_int_equal(e.exit_code, -1);
	expect_done(&in, 2);
	in_close(&in);
	bytes_release(&file);
}

static void test_end_round_trip(void **state)
{
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_end end;

	(void)state;
	out_init(&o);
	assert_int_equal(rec_write_end(&o.w, 0x1122334455667788ull), 0);
	assert_int_equal(o.w.records, 1);
	out_finish(&o, &file);
	assert_int_equal(file.len, REC_HEADER_SIZE + REC_FRAME_SIZE + 16);

	assert_int_equal(in_open(&in, &file), REC_OK);
	expect_done(&in, 0);
	assert_true(in.r.end_record.time_ns == 0x1122334455667788ull);
	assert_int_equal(in.r.offset, REC_HEADER_SIZE);
	in_close(&in);

	/* Callers with their own loop decode END from a struct rec. */
	rec = rec_of(REC_END, file.p + REC_HEADER_SIZE + REC_FRAME_SIZE, 16);
	assert_int_equal(rec_decode_end(&rec, &end), 0);
	assert_true(end.time_ns == 0x1122334455667788ull);
	assert_int_equal(end.records, 0);
	bytes_release(&file);
}

static void test_whole_file(void **state)
{
	struct bytes file = { 0 };
	struct in in;

	(void)state;
	sample_file(&file);
	assert_int_equal(in_open(&in, &file), REC_OK);
	assert_int_equal(in.r.major, REC_VERSION_MAJOR);
	assert_int_equal(in.r.minor, REC_VERSION_MINOR);
	check_sample(&in);
	in_close(&in);
	bytes_release(&file);
}

/* ---- Pipes ---- */

static void test_read_through_pipe(void **state)
{
	struct bytes file = { 0 };
	struct in in;

	(void)state;
	sample_file(&file);
	/* One byte per write(2): every read returns a sliver. */
	assert_int_equal(in_open_pipe(&in, &file, 1, 0), REC_OK);
	check_sample(&in);
	in_close(&in);
	/* Odd-sized pieces that straddle frames and payloads. */
	assert_int_equal(in_open_pipe(&in, &file, 7, 0), REC_OK);
	check_sample(&in);
	in_close(&in);
	bytes_release(&file);
}

static void test_pipe_cut_off(void **state)
{
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;

	(void)state;
	sample_file(&file);
	file.len -= 5; /* into the END record */
	assert_int_equal(in_open_pipe(&in, &file, 3, 0), REC_OK);
	for (size_t i = 0; i < SAMPLE_RECORDS; i++)
		next_ok(&in, &rec, sample_types[i]);
	expect_error(&in, REC_ERR_TRUNCATED, file.len + 5 - 24,
		     "file ends 19 bytes into a 24-byte record");
	in_close(&in);
	bytes_release(&file);
}

/*
 * A recording still being written: the reader hands out each record as
 * soon as it is whole, and reads nothing after END even though the pipe is
 * still open. If it read ahead, this test would hang (the alarm kills it).
 */
static void test_pipe_live(void **state)
{
	struct bytes file = { 0 };
	struct rec_reader r;
	struct rec rec;
	size_t meta_end;
	int fds[2];

	(void)state;
	sample_file(&file);
	meta_end = REC_HEADER_SIZE + get_u32(file.p + REC_HEADER_SIZE + 4);
	assert_int_equal(pipe(fds), 0);
	alarm(10);

	write_all(fds[1], file.p, meta_end);
	assert_int_equal(rec_reader_open(&r, fds[0]), REC_OK);
	assert_int_equal(rec_reader_next(&r, &rec), REC_OK);
	assert_int_equal(rec.type, REC_META);

	write_all(fds[1], file.p + meta_end, file.len - meta_end);
	write_all(fds[1], "trailing junk", 13);
	for (size_t i = 1; i < SAMPLE_RECORDS; i++) {
		assert_int_equal(rec_reader_next(&r, &rec), REC_OK);
		assert_int_equal(rec.type, sample_types[i]);
	}
	assert_int_equal(rec_reader_next(&r, &rec), REC_DONE);
	assert_int_equal(rec_reader_next(&r, &rec), REC_DONE);
	assert_int_equal(r.eof, 0);

	alarm(0);
	rec_reader_release(&r);
	close(fds[0]);
	close(fds[1]);
	bytes_release(&file);
}

/* Many small records: the reader's buffer must not grow with the file. */
static void test_memory_does_not_grow(void **state)
{
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_counts c;
	const uint32_t nr = 100000;

	(void)state;
	out_init(&o);
	for (uint32_t i = 0; i < nr; i++)
		assert_int_equal(rec_write_counts(&o.w, i, 0, 0, sample_counts, 3), 0);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);
	assert_true(file.len > 10u << 20);

	assert_int_equal(in_open_pipe(&in, &file, 100000, 0), REC_OK);
	for (uint32_t i = 0; i < nr; i++) {
		next_ok(&in, &rec, REC_COUNTS);
		assert_int_equal(rec_decode_counts(&rec, &c), 0);
		assert_int_equal(c.time_ns, i);
		assert_true(in.r.alloc <= 128u << 10);
	}
	expect_done(&in, nr);
	in_close(&in);
	bytes_release(&file);
}

/* ---- Large records ---- */

static void test_large_record_grows_buffers(void **state)
{
	const uint32_t nr = 40000; /* 1.25 MB: far past both buffers' start */
	struct rec_count *values = calloc(nr, sizeof(*values));
	size_t start_alloc;
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_counts c;
	struct rec_count v;

	(void)state;
	assert_non_null(values);
	for (uint32_t i = 0; i < nr; i++)
		values[i].value = i;
	out_init(&o);
	start_alloc = o.w.alloc;
	assert_int_equal(rec_write_run_begin(&o.w, &sample_begin), 0);
	assert_int_equal(rec_write_counts(&o.w, 5, 0, 0, values, nr), 0);
	assert_true(o.w.alloc > start_alloc);
	/* Past the threshold: rec_finish() flushed it all. */
	assert_int_equal(o.w.len, 0);
	assert_int_equal(rec_write_run_begin(&o.w, &sample_begin), 0);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);

	assert_int_equal(in_open_pipe(&in, &file, 4096, 0), REC_OK);
	next_ok(&in, &rec, REC_RUN_BEGIN);
	next_ok(&in, &rec, REC_COUNTS);
	assert_int_equal(rec.size, REC_FRAME_SIZE + 24 + 32 * (size_t)nr);
	assert_true(in.r.alloc >= rec.size && in.r.alloc <= REC_MAX_SIZE);
	assert_int_equal(rec_decode_counts(&rec, &c), 0);
	assert_int_equal(c.nr, nr);
	for (uint32_t i = 0; i < nr; i++) {
		rec_counts_get(&c, i, &v);
		assert_int_equal(v.value, i);
	}
	next_ok(&in, &rec, REC_RUN_BEGIN);
	expect_done(&in, 3);
	in_close(&in);
	bytes_release(&file);
	free(values);
}

/* A string that makes its META record exactly `size` bytes. */
static char *string_for_record(size_t size)
{
	/* frame, kind, reserved, key length, "k\0", str32 length, NUL */
	size_t len = size - (REC_FRAME_SIZE + 1 + 1 + 2 + 2 + 4 + 1);
	char *s = malloc(len + 1);

	assert_non_null(s);
	memset(s, 'x', len);
	s[len] = '\0';
	return s;
}

static void test_record_at_max_size(void **state)
{
	char *s = string_for_record(REC_MAX_SIZE);
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_meta_entry e;
	size_t pos = 0;

	(void)state;
	out_init(&o);
	rec_meta_begin(&o.w);
	rec_meta_str(&o.w, "k", s);
	assert_int_equal(rec_finish(&o.w), 0);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);

	assert_int_equal(in_open(&in, &file), REC_OK);
	next_ok(&in, &rec, REC_META);
	assert_int_equal(rec.size, REC_MAX_SIZE);
	assert_int_equal(in.r.alloc, REC_MAX_SIZE);
	assert_int_equal(rec_meta_next(&rec, &pos, &e), 1);
	assert_int_equal(e.str_len, strlen(s));
	assert_int_equal(rec_meta_next(&rec, &pos, &e), 0);
	expect_done(&in, 1);
	in_close(&in);
	bytes_release(&file);
	free(s);
}

/* Records that cannot be built are dropped; the writer goes on. */
static void test_record_too_large(void **state)
{
	char *one_over = string_for_record(REC_MAX_SIZE + 1);
	char *huge = malloc(REC_MAX_SIZE + 1);
	char *long16 = malloc(UINT16_MAX + 2);
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;

	(void)state;
	assert_non_null(huge);
	assert_non_null(long16);
	memset(huge, 'y', REC_MAX_SIZE);
	huge[REC_MAX_SIZE] = '\0';
	memset(long16, 'z', UINT16_MAX + 1);
	long16[UINT16_MAX + 1] = '\0';

	out_init(&o);
	assert_int_equal(rec_write_run_begin(&o.w, &sample_begin), 0);

	rec_meta_begin(&o.w);
	rec_meta_str(&o.w, "k", one_over);
	assert_int_equal(rec_finish(&o.w), -EMSGSIZE);

	rec_meta_begin(&o.w);
	rec_meta_str(&o.w, "k", huge);
	rec_meta_u64(&o.w, "after", 1); /* puts after a failure do nothing */
	assert_int_equal(rec_finish(&o.w), -EMSGSIZE);

	rec_meta_begin(&o.w);
	rec_meta_u64(&o.w, long16, 1); /* key is a str16 */
	assert_int_equal(rec_finish(&o.w), -EMSGSIZE);

	assert_int_equal(o.w.error, 0);
	assert_int_equal(o.w.records, 1);
	assert_true(o.w.alloc < REC_MAX_SIZE); /* refused before growing */
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);

	assert_int_equal(in_open(&in, &file), REC_OK);
	next_ok(&in, &rec, REC_RUN_BEGIN);
	expect_done(&in, 1);
	in_close(&in);
	bytes_release(&file);
	free(one_over);
	free(huge);
	free(long16);
}

/* ---- Header errors ---- */

static void test_bad_magic(void **state)
{
	struct bytes b = { 0 };

	(void)state;
	bytes_header(&b, 1, 0, 16);
	b.p[1] = 'Q';
	bytes_end(&b, 0, 0);
	expect_open_error(&b, REC_ERR_NOT_PPROBE,
			  "the file does not start with the pprobe magic");
	bytes_release(&b);

	/* Text-mode line-ending conversion breaks the magic too. */
	memcpy(bytes_add(&b, 9), "\x89PPROBE\r\n", 9);
	bytes_add(&b, 16);
	expect_open_error(&b, REC_ERR_NOT_PPROBE,
			  "the file does not start with the pprobe magic");
	bytes_release(&b);

	memcpy(bytes_add(&b, 3), "abc", 3); /* short, and not ours */
	expect_open_error(&b, REC_ERR_NOT_PPROBE,
			  "the file does not start with the pprobe magic");
	bytes_release(&b);

	memcpy(bytes_add(&b, 8), "PERFILE2", 8);
	bytes_add(&b, 100);
	expect_open_error(&b, REC_ERR_NOT_PPROBE,
			  "this is a perf.data file (read it with perf report)");
	bytes_release(&b);
}

static void test_newer_major(void **state)
{
	struct bytes b = { 0 };
	struct in in;

	(void)state;
	bytes_header(&b, 2, 3, 16);
	bytes_end(&b, 0, 0);
	assert_int_equal(in_open(&in, &b), REC_ERR_VERSION);
	assert_int_equal(in.r.major, 2);
	assert_int_equal(in.r.minor, 3);
	assert_string_equal(in.r.detail,
		"made by a newer pprobe (format version 2; this one reads version 1)");
	in_close(&in);

	/* Known as soon as the version field is there, cut off or not. */
	b.len = 10;
	expect_open_error(&b, REC_ERR_VERSION,
		"made by a newer pprobe (format version 2; this one reads version 1)");
	bytes_release(&b);

	bytes_header(&b, 0, 9, 16);
	expect_open_error(&b, REC_ERR_VERSION,
		"format version 0 is not supported (this pprobe reads version 1)");
	bytes_release(&b);
}

static void test_header_cut_off(void **state)
{
	struct bytes b = { 0 };

	(void)state;
	expect_open_error(&b, REC_ERR_TRUNCATED, "file is empty");
	bytes_header(&b, 1, 0, 16);
	b.len = 5;
	expect_open_error(&b, REC_ERR_TRUNCATED,
			  "file ends 5 bytes into its 16-byte header");
	b.len = 15;
	expect_open_error(&b, REC_ERR_TRUNCATED,
			  "file ends 15 bytes into its 16-byte header");
	bytes_release(&b);

	/* A longer header from a newer minor, cut off in its new part. */
	bytes_header(&b, 1, 1, 40);
	b.len = 30;
	expect_open_error(&b, REC_ERR_TRUNCATED,
			  "file ends 30 bytes into its 40-byte header");
	bytes_release(&b);
}

static void test_header_size_bad(void **state)
{
	struct bytes b = { 0 };

	(void)state;
	bytes_header(&b, 1, 0, 8);
	bytes_end(&b, 0, 0);
	expect_open_error(&b, REC_ERR_CORRUPT, "header size 8 is smaller than 16");
	bytes_release(&b);

	bytes_header(&b, 1, 0, 0);
	expect_open_error(&b, REC_ERR_CORRUPT, "header size 0 is smaller than 16");
	bytes_release(&b);

	bytes_header(&b, 1, 0, 16);
	put_u32(b.p + 12, 0xffffffffu);
	expect_open_error(&b, REC_ERR_CORRUPT,
			  "header size 4294967295 is larger than the 16777216-byte limit");
	bytes_release(&b);
}

/* A newer minor: a longer header, a field appended to every known record. */
static void test_newer_minor(void **state)
{
	struct out o;
	struct bytes b = { 0 };
	struct in in;
	struct rec rec;
	struct rec_event e;
	struct rec_run_begin rb;
	struct rec_counts c;
	struct rec_count v;
	struct rec_run_end re;
	const uint64_t extra = 0xabcdefull;

	(void)state;
	out_init(&o);
	rec_begin(&o.w, REC_EVENT);
	for (int i = 0; i < 7; i++)
		rec_put_u32(&o.w, 5);
	rec_put_u32(&o.w, 0);
	rec_put_str16(&o.w, "instructions");
	rec_put_str16(&o.w, "");
	rec_put_u64(&o.w, extra);
	assert_int_equal(rec_finish(&o.w), 0);

	rec_begin(&o.w, REC_RUN_BEGIN);
	rec_put_u64(&o.w, 10);
	rec_put_u32(&o.w, 1);
	rec_put_u32(&o.w, 99);
	rec_put_u32(&o.w, 0);
	rec_put_u32(&o.w, 0);
	rec_put_u64(&o.w, extra);
	assert_int_equal(rec_finish(&o.w), 0);

	rec_begin(&o.w, REC_COUNTS);
	rec_put_u64(&o.w, 20);
	rec_put_u32(&o.w, 1);
	rec_put_u32(&o.w, 0);
	rec_put_u32(&o.w, 1);
	rec_put_u32(&o.w, 0);
	rec_put_u32(&o.w, 5);
	rec_put_u32(&o.w, 0);
	rec_put_u64(&o.w, 1234);
	rec_put_u64(&o.w, 50);
	rec_put_u64(&o.w, 40);
	rec_put_u64(&o.w, extra);
	assert_int_equal(rec_finish(&o.w), 0);

	rec_begin(&o.w, REC_RUN_END);
	rec_put_u64(&o.w, 30);
	rec_put_u32(&o.w, 1);
	rec_put_u32(&o.w, 99);
	rec_put_u32(&o.w, REC_EXIT_NORMAL);
	rec_put_u32(&o.w, 3);
	for (int i = 0; i < 9; i++)
		rec_put_u64(&o.w, (uint64_t)i + 100);
	rec_put_u64(&o.w, extra);
	assert_int_equal(rec_finish(&o.w), 0);

	rec_begin(&o.w, REC_END);
	rec_put_u64(&o.w, 40);
	rec_put_u64(&o.w, 4);
	rec_put_u64(&o.w, extra);
	assert_int_equal(rec_finish(&o.w), 0);
	out_finish(&o, &b);

	/* Swap in a version 1.7 header of 24 bytes. */
	{
		struct bytes file = { 0 };

		bytes_header(&file, 1, 7, 24);
		memset(file.p + 16, 0xee, 8); /* what 1.7 put there */
		memcpy(bytes_add(&file, b.len - 16), b.p + 16, b.len - 16);
		bytes_release(&b);
		b = file;
	}
	assert_int_equal(get_u32(b.p + 12), 24);

	assert_int_equal(in_open(&in, &b), REC_OK);
	assert_int_equal(in.r.minor, 7);
	assert_int_equal(in.r.offset, 24);

	next_ok(&in, &rec, REC_EVENT);
	assert_int_equal(rec.offset, 24);
	assert_int_equal(rec_decode_event(&rec, &e), 0);
	assert_string_equal(e.name, "instructions");
	assert_string_equal(e.unit, "");
	assert_int_equal(e.flags, 5);

	next_ok(&in, &rec, REC_RUN_BEGIN);
	assert_int_equal(rec_decode_run_begin(&rec, &rb), 0);
	assert_int_equal(rb.pid, 99);

	next_ok(&in, &rec, REC_COUNTS);
	assert_int_equal(rec_decode_counts(&rec, &c), 0);
	assert_int_equal(c.nr, 1);
	rec_counts_get(&c, 0, &v);
	assert_int_equal(v.event_id, 5);
	assert_int_equal(v.value, 1234);
	assert_int_equal(v.running_ns, 40);

	next_ok(&in, &rec, REC_RUN_END);
	assert_int_equal(rec_decode_run_end(&rec, &re), 0);
	assert_int_equal(re.exit_code, 3);
	assert_int_equal(re.rusage.oublock, 108);

	expect_done(&in, 4);
	assert_int_equal(in.r.end_record.time_ns, 40);
	in_close(&in);
	bytes_release(&b);
}

/* ---- Record errors ---- */

static void test_record_cut_off(void **state)
{
	struct bytes b = { 0 };
	struct in in;
	struct rec rec;
	size_t at;

	(void)state;
	bytes_header(&b, 1, 0, 16);
	bytes_record(&b, REC_RUN_BEGIN, 32);
	at = bytes_record(&b, 99, 40);
	b.len = at + 12;
	assert_int_equal(in_open(&in, &b), REC_OK);
	next_ok(&in, &rec, REC_RUN_BEGIN);
	expect_error(&in, REC_ERR_TRUNCATED, at,
		     "file ends 12 bytes into a 40-byte record");
	assert_int_equal(in.r.records, 1);
	in_close(&in);

	/* Inside the frame itself. */
	b.len = at + 3;
	assert_int_equal(in_open(&in, &b), REC_OK);
	next_ok(&in, &rec, REC_RUN_BEGIN);
	expect_error(&in, REC_ERR_TRUNCATED, at,
		     "file ends 3 bytes into a record frame");
	in_close(&in);
	bytes_release(&b);
}

static void test_no_end_record(void **state)
{
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;

	(void)state;
	sample_file(&file);
	file.len -= REC_FRAME_SIZE + 16; /* drop the END */
	assert_int_equal(in_open(&in, &file), REC_OK);
	for (size_t i = 0; i < SAMPLE_RECORDS; i++)
		next_ok(&in, &rec, sample_types[i]);
	expect_error(&in, REC_ERR_TRUNCATED, file.len,
		     "file ends without an end record");
	in_close(&in);

	/* A header and nothing else: killed before the first record. */
	file.len = REC_HEADER_SIZE;
	assert_int_equal(in_open(&in, &file), REC_OK);
	expect_error(&in, REC_ERR_TRUNCATED, REC_HEADER_SIZE,
		     "file ends without an end record");
	in_close(&in);
	bytes_release(&file);
}

/*
 * The file cut at every possible length: the reader returns each record
 * that is whole, then REC_ERR_TRUNCATED at the start of the first that is
 * not. Never anything else.
 */
static void test_cut_at_every_length(void **state)
{
	struct bytes file = { 0 };
	uint64_t offsets[SAMPLE_RECORDS + 2];
	size_t full;

	(void)state;
	sample_file(&file);
	full = file.len;
	offsets[0] = REC_HEADER_SIZE;
	for (size_t i = 0; i <= SAMPLE_RECORDS; i++)
		offsets[i + 1] = offsets[i] + get_u32(file.p + offsets[i] + 4);
	assert_int_equal(offsets[SAMPLE_RECORDS + 1], full);

	for (size_t len = 0; len < full; len++) {
		struct in in;
		struct rec rec;
		enum rec_status status;
		size_t whole = 0;

		file.len = len;
		status = in_open(&in, &file);
		if (len < REC_HEADER_SIZE) {
			assert_int_equal(status, REC_ERR_TRUNCATED);
			assert_int_equal(in.r.offset, 0);
			in_close(&in);
			continue;
		}
		assert_int_equal(status, REC_OK);
		while (offsets[whole + 1] <= len)
			whole++;
		for (size_t i = 0; i < whole; i++)
			next_ok(&in, &rec, sample_types[i]);
		status = rec_reader_next(&in.r, &rec);
		assert_int_equal(status, REC_ERR_TRUNCATED);
		assert_int_equal(in.r.offset, offsets[whole]);
		in_close(&in);
	}
	file.len = full;
	bytes_release(&file);
}

/* A decoded string must end, NUL included, inside its record's payload:
 * the reader's buffer goes on past it, so ASan alone would not notice. */
static void assert_in_payload(const struct rec *rec, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	assert_true(p >= rec->payload);
	assert_true(p + strlen(s) < rec->payload + rec->payload_size);
}

/* Every decoder on one record: only the one for its type may accept it,
 * and what it decodes must stay inside the payload. */
static void decode_anything(const struct rec *rec)
{
	struct rec_event e;
	struct rec_run_begin rb;
	struct rec_counts c;
	struct rec_count cv;
	struct rec_run_end re;
	struct rec_meta_entry me;
	struct rec_task t;
	struct rec_lost l;
	struct rec_procs ps;
	struct rec_proc pv;
	struct rec_proc_exit pe;
	struct rec_mem_source ms;
	struct rec_mem m;
	struct rec_variant va;
	struct rec_load lo;
	struct rec_sampling sg;
	struct rec_mmap mm;
	struct rec_sample sa;
	size_t pos = 0;

	if (!rec_decode_event(rec, &e)) {
		assert_in_payload(rec, e.name);
		assert_in_payload(rec, e.unit);
	}
	(void)rec_decode_run_begin(rec, &rb);
	(void)rec_decode_run_end(rec, &re);
	if (!rec_decode_counts(rec, &c))
		for (uint32_t i = 0; i < c.nr; i++)
			rec_counts_get(&c, i, &cv);
	while (rec_meta_next(rec, &pos, &me) == 1)
		assert_true(pos <= rec->payload_size);
	if (!rec_decode_task(rec, &t))
		assert_in_payload(rec, t.comm);
	(void)rec_decode_lost(rec, &l);
	if (!rec_decode_procs(rec, &ps)) {
		assert_true(REC_FRAME_SIZE + 16 + (uint64_t)ps.nr * 80 <= rec->size);
		for (uint32_t i = 0; i < ps.nr; i++)
			rec_procs_get(&ps, i, &pv);
	}
	(void)rec_decode_proc_exit(rec, &pe);
	if (!rec_decode_mem_source(rec, &ms)) {
		assert_in_payload(rec, ms.source);
		assert_in_payload(rec, ms.why);
	}
	(void)rec_decode_mem(rec, &m);
	if (!rec_decode_cpu_counts(rec, &c))
		for (uint32_t i = 0; i < c.nr; i++) {
			rec_counts_get(&c, i, &cv);
			(void)rec_counts_cpu(&c, i);
		}
	if (!rec_decode_variant(rec, &va)) {
		const char *arg;
		uint32_t n = 0;

		assert_in_payload(rec, va.label);
		assert_in_payload(rec, va.cpus);
		pos = 0;
		while ((arg = rec_variant_arg(&va, &pos)) != NULL) {
			assert_in_payload(rec, arg);
			n++;
		}
		assert_int_equal(n, va.nr_args);
	}
	if (!rec_decode_load(rec, &lo)) {
		assert_in_payload(rec, lo.command);
		assert_in_payload(rec, lo.output);
	}
	if (!rec_decode_sampling(rec, &sg)) {
		assert_in_payload(rec, sg.boot_id);
		assert_in_payload(rec, sg.why);
	}
	if (!rec_decode_mmap(rec, &mm))
		assert_in_payload(rec, mm.filename);
	if (!rec_decode_sample(rec, &sa))
		for (uint16_t i = 0; i < sa.nr; i++)
			(void)rec_sample_addr(&sa, i);
}

/*
 * Every byte of the sample, in turn, set to 0x00, 0xff and 0x07: whatever
 * the reader and the decoders make of it, they must stay inside their
 * buffers (ASan and valgrind watch) and never report success for a record
 * that runs past the end.
 */
static void test_corrupt_every_byte(void **state)
{
	static const unsigned char values[] = { 0x00, 0xff, 0x07 };
	struct bytes file = { 0 };

	(void)state;
	sample_file(&file);
	for (size_t at = 0; at < file.len; at++) {
		for (size_t v = 0; v < sizeof(values); v++) {
			unsigned char saved = file.p[at];
			struct in in;
			struct rec rec;
			enum rec_status status;

			file.p[at] = values[v];
			status = in_open(&in, &file);
			while (status == REC_OK) {
				status = rec_reader_next(&in.r, &rec);
				if (status != REC_OK)
					break;
				assert_true(rec.offset + rec.size <= file.len);
				decode_anything(&rec);
			}
			assert_true(status != REC_OK);
			in_close(&in);
			file.p[at] = saved;
		}
	}
	bytes_release(&file);
}

static void test_unknown_type_skipped(void **state)
{
	struct bytes b = { 0 };
	struct in in;
	struct rec rec;
	struct rec_event e;
	size_t at;

	(void)state;
	bytes_header(&b, 1, 0, 16);
	at = bytes_frame(&b, 1000, REC_FRAME_SIZE + 5);
	memcpy(bytes_add(&b, 5), "hello", 5);
	bytes_record(&b, 0, REC_FRAME_SIZE); /* type 0: unknown too */
	bytes_record(&b, REC_RUN_BEGIN, REC_FRAME_SIZE + 24);
	bytes_end(&b, 0, 3);

	assert_int_equal(in_open(&in, &b), REC_OK);
	next_ok(&in, &rec, 1000);
	assert_int_equal(rec.offset, at);
	assert_int_equal(rec.size, 13);
	assert_memory_equal(rec.payload, "hello", 5);
	assert_int_equal(rec_decode_event(&rec, &e), -1);
	next_ok(&in, &rec, 0);
	assert_int_equal(rec.payload_size, 0);
	next_ok(&in, &rec, REC_RUN_BEGIN);
	expect_done(&in, 3);
	in_close(&in);
	bytes_release(&b);
}

static void test_frame_size_too_small(void **state)
{
	static const uint32_t sizes[] = { 0, 4, 7 };
	static const char *const details[] = {
		"record size 0 is smaller than its 8-byte frame",
		"record size 4 is smaller than its 8-byte frame",
		"record size 7 is smaller than its 8-byte frame",
	};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct bytes b = { 0 };
		struct in in;
		struct rec rec;
		size_t at;

		bytes_header(&b, 1, 0, 16);
		bytes_record(&b, REC_RUN_BEGIN, 32);
		at = bytes_frame(&b, REC_EVENT, sizes[i]);
		bytes_end(&b, 0, 2);
		assert_int_equal(in_open(&in, &b), REC_OK);
		next_ok(&in, &rec, REC_RUN_BEGIN);
		expect_error(&in, REC_ERR_CORRUPT, at, details[i]);
		in_close(&in);
		bytes_release(&b);
	}
}

static void test_frame_size_too_large(void **state)
{
	struct bytes b = { 0 };
	struct in in;
	size_t at;

	(void)state;
	bytes_header(&b, 1, 0, 16);
	at = bytes_frame(&b, REC_META, REC_MAX_SIZE + 1);
	bytes_end(&b, 0, 1);
	assert_int_equal(in_open(&in, &b), REC_OK);
	expect_error(&in, REC_ERR_CORRUPT, at,
		     "record size 16777217 is larger than the 16777216-byte limit");
	assert_true(in.r.alloc < REC_MAX_SIZE); /* and nothing was allocated */
	in_close(&in);
	bytes_release(&b);
}

/* A plausible size the file does not have: cut off, not corrupt. */
static void test_frame_size_past_end(void **state)
{
	struct bytes b = { 0 };
	struct in in;
	size_t at;

	(void)state;
	bytes_header(&b, 1, 0, 16);
	at = bytes_frame(&b, REC_META, REC_MAX_SIZE);
	bytes_end(&b, 0, 0);
	assert_int_equal(in_open(&in, &b), REC_OK);
	expect_error(&in, REC_ERR_TRUNCATED, at,
		     "file ends 32 bytes into a 16777216-byte record");
	in_close(&in);
	bytes_release(&b);
}

static void test_end_record_too_short(void **state)
{
	struct bytes b = { 0 };
	struct in in;
	size_t at;

	(void)state;
	bytes_header(&b, 1, 0, 16);
	at = bytes_record(&b, REC_END, REC_FRAME_SIZE + 8);
	assert_int_equal(in_open(&in, &b), REC_OK);
	expect_error(&in, REC_ERR_CORRUPT, at,
		     "end record is 16 bytes, shorter than its 24-byte minimum");
	in_close(&in);
	bytes_release(&b);
}

static void test_read_error(void **state)
{
	struct rec_reader r;
	int fd = open(".", O_RDONLY | O_DIRECTORY);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(rec_reader_open(&r, fd), REC_ERR_IO);
	assert_int_equal(r.error, EISDIR);
	assert_string_equal(r.detail, "cannot read: Is a directory");
	rec_reader_release(&r);
	close(fd);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(rec_strerror(REC_OK), "ok");
	assert_string_equal(rec_strerror(REC_DONE), "end of file");
	assert_string_equal(rec_strerror(REC_ERR_IO), "read error");
	assert_string_equal(rec_strerror(REC_ERR_NOT_PPROBE), "not a pprobe file");
	assert_string_equal(rec_strerror(REC_ERR_VERSION), "unsupported format version");
	assert_string_equal(rec_strerror(REC_ERR_TRUNCATED), "file is cut off");
	assert_string_equal(rec_strerror(REC_ERR_CORRUPT), "corrupt record");
	assert_string_equal(rec_strerror((enum rec_status)99), "unknown error");
}

/* ---- Decoders on bad payloads ---- */

static void test_decode_short_payloads(void **state)
{
	unsigned char p[128] = { 0 };
	struct rec rec;
	struct rec_event e;
	struct rec_run_begin rb;
	struct rec_counts c;
	struct rec_run_end re;
	struct rec_end end;

	(void)state;
	rec = rec_of(REC_RUN_BEGIN, p, 23);
	assert_int_equal(rec_decode_run_begin(&rec, &rb), -1);
	rec = rec_of(REC_RUN_BEGIN, p, 24);
	assert_int_equal(rec_decode_run_begin(&rec, &rb), 0);

	rec = rec_of(REC_RUN_END, p, 95);
	assert_int_equal(rec_decode_run_end(&rec, &re), -1);
	rec = rec_of(REC_RUN_END, p, 96);
	assert_int_equal(rec_decode_run_end(&rec, &re), 0);

	rec = rec_of(REC_END, p, 15);
	assert_int_equal(rec_decode_end(&rec, &end), -1);
	rec = rec_of(REC_END, p, 0);
	assert_int_equal(rec_decode_end(&rec, &end), -1);

	rec = rec_of(REC_COUNTS, p, 23);
	assert_int_equal(rec_decode_counts(&rec, &c), -1);
	rec = rec_of(REC_COUNTS, p, 24);
	assert_int_equal(rec_decode_counts(&rec, &c), 0);
	assert_int_equal(c.nr, 0);

	/* An EVENT needs its fixed part and both strings. */
	rec = rec_of(REC_EVENT, p, 0);
	assert_int_equal(rec_decode_event(&rec, &e), -1);
	rec = rec_of(REC_EVENT, p, 31);
	assert_int_equal(rec_decode_event(&rec, &e), -1);
	rec = rec_of(REC_EVENT, p, 32);
	assert_int_equal(rec_decode_event(&rec, &e), -1);
	rec = rec_of(REC_EVENT, p, 35); /* name "" only */
	assert_int_equal(rec_decode_event(&rec, &e), -1);
	rec = rec_of(REC_EVENT, p, 37); /* unit's NUL missing */
	assert_int_equal(rec_decode_event(&rec, &e), -1);
	rec = rec_of(REC_EVENT, p, 38); /* "" and "" */
	assert_int_equal(rec_decode_event(&rec, &e), 0);
	assert_string_equal(e.name, "");
	assert_string_equal(e.unit, "");

	/* Each decoder refuses another type's record. */
	rec = rec_of(REC_COUNTS, p, sizeof(p));
	assert_int_equal(rec_decode_event(&rec, &e), -1);
	assert_int_equal(rec_decode_run_begin(&rec, &rb), -1);
	assert_int_equal(rec_decode_run_end(&rec, &re), -1);
	assert_int_equal(rec_decode_end(&rec, &end), -1);
	rec = rec_of(REC_EVENT, p, sizeof(p));
	assert_int_equal(rec_decode_counts(&rec, &c), -1);
}

static void test_decode_bad_strings(void **state)
{
	unsigned char p[64] = { 0 };
	struct rec rec;
	struct rec_event e;

	(void)state;
	/* name "abc", unit "" : 32 + 6 + 3 = 41 bytes */
	put_u16(p + 32, 3);
	memcpy(p + 34, "abc", 4);
	rec = rec_of(REC_EVENT, p, 41);
	assert_int_equal(rec_decode_event(&rec, &e), 0);
	assert_string_equal(e.name, "abc");

	/* Its NUL replaced: refused, not read past. */
	p[37] = 'd';
	assert_int_equal(rec_decode_event(&rec, &e), -1);
	p[37] = '\0';

	/* A length past the payload, by one and by a lot. */
	put_u16(p + 32, 7);
	assert_int_equal(rec_decode_event(&rec, &e), -1);
	put_u16(p + 32, UINT16_MAX);
	assert_int_equal(rec_decode_event(&rec, &e), -1);
	put_u16(p + 32, 3);

	/* The unit's length says 1 but only its NUL is there. */
	put_u16(p + 38, 1);
	assert_int_equal(rec_decode_event(&rec, &e), -1);
	/* Exactly fits: "x" and its NUL are the last bytes. */
	p[40] = 'x';
	rec = rec_of(REC_EVENT, p, 42);
	assert_int_equal(rec_decode_event(&rec, &e), 0);
	assert_string_equal(e.unit, "x");
}

/* COUNTS, and CPU_COUNTS (1.3) which shares its layout. */
static void test_decode_bad_counts(void **state)
{
	static const struct {
		uint32_t type;
		int (*decode)(const struct rec *rec, struct rec_counts *out);
	} kinds[] = {
		{ REC_COUNTS, rec_decode_counts },
		{ REC_CPU_COUNTS, rec_decode_cpu_counts },
	};

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		unsigned char p[24 + 64] = { 0 };
		struct rec rec;
		struct rec_counts c;

		put_u32(p + 16, 2);
		rec = rec_of(kinds[k].type, p, sizeof(p));
		assert_int_equal(kinds[k].decode(&rec, &c), 0);
		assert_int_equal(c.nr, 2);
		rec = rec_of(kinds[k].type, p, sizeof(p) - 1);
		assert_int_equal(kinds[k].decode(&rec, &c), -1);
		/* An nr whose byte count overflows 32 bits. */
		put_u32(p + 16, 0x08000001u);
		rec = rec_of(kinds[k].type, p, sizeof(p));
		assert_int_equal(kinds[k].decode(&rec, &c), -1);
		put_u32(p + 16, UINT32_MAX);
		assert_int_equal(kinds[k].decode(&rec, &c), -1);
	}
}

/*
 * One META entry by hand: kind, reserved, key (str16), value size (a u32
 * that says value_len unless size overrides it), then the value bytes.
 */
static size_t meta_raw_sized(unsigned char *p, uint8_t kind, const char *key,
			     uint32_t size, const void *value, size_t value_len)
{
	size_t key_len = strlen(key);

	p[0] = kind;
	p[1] = 0;
	put_u16(p + 2, (uint16_t)key_len);
	memcpy(p + 4, key, key_len + 1);
	put_u32(p + 5 + key_len, size);
	memcpy(p + 9 + key_len, value, value_len);
	return 9 + key_len + value_len;
}

static size_t meta_raw(unsigned char *p, uint8_t kind, const char *key,
		       const void *value, size_t value_len)
{
	return meta_raw_sized(p, kind, key, (uint32_t)value_len, value, value_len);
}

static void expect_meta_refused(const unsigned char *p, size_t n)
{
	struct rec rec = rec_of(REC_META, p, n);
	struct rec_meta_entry e;
	size_t pos = 0;

	assert_int_equal(rec_meta_next(&rec, &pos, &e), -1);
	assert_int_equal(pos, 0); /* not moved */
}

static void test_decode_bad_meta(void **state)
{
	unsigned char p[64] = { 0 };
	unsigned char eight[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct rec rec;
	struct rec_meta_entry e;
	size_t n, pos;

	(void)state;
	n = meta_raw(p, REC_META_U64, "ab", eight, 8);
	rec = rec_of(REC_META, p, n);
	pos = 0;
	assert_int_equal(rec_meta_next(&rec, &pos, &e), 1);
	assert_true(e.u64 == 0x0807060504030201ull);
	assert_int_equal(pos, n);

	expect_meta_refused(p, 1);          /* half a kind and reserved */
	expect_meta_refused(p, 3);          /* no room for the key length */
	expect_meta_refused(p, 5);          /* key cut off */
	expect_meta_refused(p, 6);          /* key's NUL cut off */
	expect_meta_refused(p, 7);          /* no value size */
	expect_meta_refused(p, 10);         /* value size cut off */
	expect_meta_refused(p, n - 1);      /* u64 cut off */
	p[6] = '!';                         /* key's NUL overwritten */
	expect_meta_refused(p, n);
	p[6] = '\0';
	put_u16(p + 2, 60);                 /* key length past the payload */
	expect_meta_refused(p, n);
	put_u16(p + 2, 2);
	put_u32(p + 7, 4);                  /* a u64 must be 8 bytes */
	expect_meta_refused(p, n);
	put_u32(p + 7, 8);

	/* A string: its value is the bytes and a NUL. */
	n = meta_raw(p, REC_META_STR, "k", "xyz", 4);
	rec = rec_of(REC_META, p, n);
	pos = 0;
	assert_int_equal(rec_meta_next(&rec, &pos, &e), 1);
	assert_string_equal(e.str, "xyz");
	assert_int_equal(e.str_len, 3);
	expect_meta_refused(p, n - 1);      /* value cut off */
	n = meta_raw_sized(p, REC_META_STR, "k", UINT32_MAX, "xyz", 4);
	expect_meta_refused(p, n);          /* size past the payload */
	n = meta_raw(p, REC_META_STR, "k", "xyzw", 4);
	expect_meta_refused(p, n);          /* NUL missing */
	n = meta_raw(p, REC_META_STR, "k", "", 0);
	expect_meta_refused(p, n);          /* not even the NUL */

	/* A kind nobody knows yet is stepped over by its size, and the
	 * entry after it is read: new kinds can come in a minor version. */
	n = meta_raw(p, 9, "new", "abc", 3);
	n += meta_raw(p + n, REC_META_U64, "b", eight, 8);
	rec = rec_of(REC_META, p, n);
	pos = 0;
	assert_int_equal(rec_meta_next(&rec, &pos, &e), 1);
	assert_int_equal(e.kind, 9);
	assert_string_equal(e.key, "new");
	assert_int_equal(e.value_size, 3);
	assert_memory_equal(e.value, "abc", 3);
	assert_null(e.str);
	assert_int_equal(rec_meta_next(&rec, &pos, &e), 1);
	assert_string_equal(e.key, "b");
	assert_int_equal(rec_meta_next(&rec, &pos, &e), 0);

	/* A good entry, then a bad one: the first is still handed out. */
	n = meta_raw(p, REC_META_I64, "a", eight, 8);
	n += meta_raw(p + n, REC_META_I64, "b", eight, 4);
	rec = rec_of(REC_META, p, n);
	pos = 0;
	assert_int_equal(rec_meta_next(&rec, &pos, &e), 1);
	assert_int_equal(rec_meta_next(&rec, &pos, &e), -1);

	/* A position past the payload, and a record that is not META. */
	pos = n + 1;
	assert_int_equal(rec_meta_next(&rec, &pos, &e), -1);
	rec.type = REC_EVENT;
	pos = 0;
	assert_int_equal(rec_meta_next(&rec, &pos, &e), -1);
}

/* ---- Format 1.1: the process tree and memory (REC_TASK to REC_MEM) ---- */

/*
 * The new records the way the 1.0 ones are tested above: golden bytes
 * written out by hand (a byte-order or offset mistake made the same way in
 * the writer and the decoder would pass a round trip, not these), round
 * trips with edge values, decoders on short and malformed payloads, and a
 * file from a newer minor. The sample recording holds them too, so the
 * whole-file, pipe, cut-off and mutation tests cover them as well.
 */

/* Flushes o and checks what it wrote after the header, byte for byte. */
static void expect_written(struct out *o, const unsigned char *want,
			   size_t size)
{
	struct bytes file = { 0 };

	out_finish(o, &file);
	assert_int_equal(file.len, REC_HEADER_SIZE + size);
	assert_memory_equal(file.p + REC_HEADER_SIZE, want, size);
	bytes_release(&file);
}

static void test_task_bytes(void **state)
{
	static const unsigned char want[] = {
		/* A new process: ppid and ptid set, no comm. */
		7, 0, 0, 0,  43, 0, 0, 0,                         /* frame */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,   /* time_ns */
		1, 0, 0, 0,                                       /* FORK */
		0x0d, 0x0c, 0x0b, 0x0a,                           /* pid */
		0x0e, 0x0c, 0x0b, 0x0a,                           /* tid */
		0x44, 0x33, 0x22, 0x11,                           /* ppid */
		0x45, 0x33, 0x22, 0x11,                           /* ptid */
		0, 0, 0, 0,                                       /* reserved */
		0, 0,  0,                                         /* comm "" */
		/* Its exec: the new name. */
		7, 0, 0, 0,  45, 0, 0, 0,
		0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11,
		2, 0, 0, 0,                                       /* EXEC */
		0x0d, 0x0c, 0x0b, 0x0a,
		0x0d, 0x0c, 0x0b, 0x0a,
		0, 0, 0, 0,
		0, 0, 0, 0,
		0, 0, 0, 0,
		2, 0,  'l', 's', 0,                               /* comm "ls" */
	};
	const struct rec_task born = {
		.time_ns = 0x0102030405060708ull, .kind = REC_TASK_FORK,
		.pid = 0x0a0b0c0d, .tid = 0x0a0b0c0e,
		.ppid = 0x11223344, .ptid = 0x11223345, .comm = NULL,
	};
	const struct rec_task execd = {
		.time_ns = 0x1112131415161718ull, .kind = REC_TASK_EXEC,
		.pid = 0x0a0b0c0d, .tid = 0x0a0b0c0d, .comm = "ls",
	};
	struct out o;

	(void)state;
	out_init(&o);
	assert_int_equal(rec_write_task(&o.w, &born), 0);
	assert_int_equal(rec_write_task(&o.w, &execd), 0);
	expect_written(&o, want, sizeof(want));
}

static void test_lost_bytes(void **state)
{
	static const unsigned char want[] = {
		8, 0, 0, 0,  32, 0, 0, 0,                         /* frame */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,   /* time_ns */
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,   /* lost */
		0x02, 0x01, 0, 0,                                 /* cpu */
		0, 0, 0, 0,                                       /* reserved */
	};
	const struct rec_lost l = {
		.time_ns = 0x0102030405060708ull, .lost = 0x1122334455667788ull,
		.cpu = 0x0102,
	};
	struct out o;

	(void)state;
	out_init(&o);
	assert_int_equal(rec_write_lost(&o.w, &l), 0);
	expect_written(&o, want, sizeof(want));
}

static void test_procs_bytes(void **state)
{
	static const unsigned char want[] = {
		9, 0, 0, 0,  120, 0, 0, 0,                        /* frame */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,   /* time_ns */
		2, 0, 0, 0,                                       /* run */
		1, 0, 0, 0,                                       /* nr */
		88, 0, 0, 0,                                      /* entry_size */
		0, 0, 0, 0,                                       /* reserved */
		0x34, 0x12, 0, 0,                                 /* pid */
		0xff, 0, 0, 0,                                    /* have */
		0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11, 0x10,   /* utime_ns */
		0x27, 0x26, 0x25, 0x24, 0x23, 0x22, 0x21, 0x20,   /* stime_ns */
		0x37, 0x36, 0x35, 0x34, 0x33, 0x32, 0x31, 0x30,   /* minflt */
		0x47, 0x46, 0x45, 0x44, 0x43, 0x42, 0x41, 0x40,   /* majflt */
		0x57, 0x56, 0x55, 0x54, 0x53, 0x52, 0x51, 0x50,   /* nvcsw */
		0x67, 0x66, 0x65, 0x64, 0x63, 0x62, 0x61, 0x60,   /* nivcsw */
		0x77, 0x76, 0x75, 0x74, 0x73, 0x72, 0x71, 0x70,   /* rss_bytes */
		0x87, 0x86, 0x85, 0x84, 0x83, 0x82, 0x81, 0x80,   /* hwm_bytes */
		0x0d, 0x0c, 0x0b, 0x0a,                           /* threads */
		1, 0, 0, 0,                                       /* flags */
		0x97, 0x96, 0x95, 0x94, 0x93, 0x92, 0x91, 0x90,   /* migrations */
	};
	const struct rec_proc p = {
		.pid = 0x1234, .have = PROC_HAVE_EVERY,
		.utime_ns = 0x1011121314151617ull,
		.stime_ns = 0x2021222324252627ull,
		.minflt = 0x3031323334353637ull,
		.majflt = 0x4041424344454647ull,
		.nvcsw = 0x5051525354555657ull,
		.nivcsw = 0x6061626364656667ull,
		.rss_bytes = 0x7071727374757677ull,
		.hwm_bytes = 0x8081828384858687ull,
		.threads = 0x0a0b0c0d, .flags = REC_PROC_F_FINAL,
		.migrations = 0x9091929394959697ull,
	};
	struct out o;

	(void)state;
	assert_int_equal(PROC_HAVE_EVERY, 0xff); /* eight distinct bits */
	out_init(&o);
	assert_int_equal(rec_write_procs(&o.w, 0x0102030405060708ull, 2, &p, 1), 0);
	expect_written(&o, want, sizeof(want));
}

static void test_proc_exit_bytes(void **state)
{
	static const unsigned char want[] = {
		10, 0, 0, 0,  104, 0, 0, 0,                       /* frame */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,   /* time_ns */
		0x34, 0x12, 0, 0,                                 /* pid */
		2, 0, 0, 0,                                       /* SIGNAL */
		0xfe, 0xff, 0xff, 0xff,                           /* exit_code -2 */
		0, 0, 0, 0,                                       /* reserved */
		1, 0, 0, 0, 0, 0, 0, 0,                           /* utime_us */
		2, 0, 0, 0, 0, 0, 0, 0,                           /* stime_us */
		3, 0, 0, 0, 0, 0, 0, 0,                           /* maxrss_kib */
		4, 0, 0, 0, 0, 0, 0, 0,                           /* minflt */
		5, 0, 0, 0, 0, 0, 0, 0,                           /* majflt */
		6, 0, 0, 0, 0, 0, 0, 0,                           /* nvcsw */
		7, 0, 0, 0, 0, 0, 0, 0,                           /* nivcsw */
		8, 0, 0, 0, 0, 0, 0, 0,                           /* inblock */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,   /* oublock */
	};
	const struct rec_proc_exit e = {
		.time_ns = 0x0102030405060708ull, .pid = 0x1234,
		.exit_kind = REC_EXIT_SIGNAL, .exit_code = -2,
		.rusage = { 1, 2, 3, 4, 5, 6, 7, 8, 0x0102030405060708ull },
	};
	struct out o;

	(void)state;
	out_init(&o);
	assert_int_equal(rec_write_proc_exit(&o.w, &e), 0);
	expect_written(&o, want, sizeof(want));
}

static void test_mem_source_bytes(void **state)
{
	static const unsigned char want[] = {
		11, 0, 0, 0,  33, 0, 0, 0,                        /* frame */
		4, 0, 0, 0,                                       /* CGROUP */
		1, 0, 0, 0,                                       /* unavailable */
		0x02, 0x01, 0, 0,                                 /* error */
		0, 0, 0, 0,                                       /* reserved */
		2, 0,  'a', 'b', 0,                               /* source "ab" */
		1, 0,  'x', 0,                                    /* why "x" */
	};
	const struct rec_mem_source m = {
		.backend = REC_MEM_CGROUP, .status = REC_MEM_SOURCE_UNAVAILABLE,
		.error = 0x0102, .source = "ab", .why = "x",
	};
	struct out o;

	(void)state;
	out_init(&o);
	assert_int_equal(rec_write_mem_source(&o.w, &m), 0);
	expect_written(&o, want, sizeof(want));
}

static void test_mem_bytes(void **state)
{
	static const unsigned char want[] = {
		12, 0, 0, 0,  48, 0, 0, 0,                        /* frame */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,   /* time_ns */
		3, 0, 0, 0,                                       /* run */
		2, 0, 0, 0,                                       /* PSS */
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,   /* current */
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,   /* peak */
		0x02, 0x01, 0, 0,                                 /* processes */
		3, 0, 0, 0,                                       /* PEAK|FINAL */
	};
	const struct rec_mem m = {
		.time_ns = 0x0102030405060708ull, .run = 3, .backend = REC_MEM_PSS,
		.current_bytes = 0x1122334455667788ull,
		.peak_bytes = 0x8877665544332211ull, .processes = 0x0102,
		.flags = REC_MEM_F_PEAK | REC_MEM_F_FINAL,
	};
	struct out o;

	(void)state;
	out_init(&o);
	assert_int_equal(rec_write_mem(&o.w, &m), 0);
	expect_written(&o, want, sizeof(want));
}

/* Every kind, each with no comm (NULL and ""), a short one and one of the
 * 15 bytes the kernel keeps; then edge values and what the format allows
 * beyond what the kernel gives (a longer name, a kind from a later minor). */
static void test_task_round_trip(void **state)
{
	static const uint32_t kinds[] = {
		REC_TASK_FORK, REC_TASK_EXEC, REC_TASK_COMM, REC_TASK_EXIT,
	};
	static const char *const comms[] = {
		NULL, "", "sh", "0123456789abcde",
	};
	static const struct rec_task odd[] = {
		{ .time_ns = UINT64_MAX, .kind = REC_TASK_EXIT,
		  .pid = UINT32_MAX, .tid = UINT32_MAX,
		  .ppid = UINT32_MAX, .ptid = UINT32_MAX, .comm = "" },
		{ .time_ns = 9, .kind = REC_TASK_EXEC, .pid = 12, .tid = 12,
		  .comm = "a name longer than the kernel keeps" },
		{ .time_ns = 10, .kind = 99, .pid = 1, .tid = 1, .comm = "x" },
	};
	struct rec_task tasks[4 * 4 + 3];
	size_t nr = 0;
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_task t;

	(void)state;
	assert_int_equal(strlen(comms[3]), 15);
	for (size_t k = 0; k < 4; k++) {
		for (size_t c = 0; c < 4; c++) {
			struct rec_task *w = &tasks[nr];

			memset(w, 0, sizeof(*w));
			w->time_ns = 1000 + nr;
			w->kind = kinds[k];
			w->pid = 40 + (uint32_t)k;
			w->tid = 50 + (uint32_t)c;
			/* FORK and EXIT name a parent; the others have 0. */
			if (kinds[k] == REC_TASK_FORK || kinds[k] == REC_TASK_EXIT) {
				w->ppid = 60 + (uint32_t)nr;
				w->ptid = 70 + (uint32_t)nr;
			}
			w->comm = comms[c];
			nr++;
		}
	}
	for (size_t i = 0; i < 3; i++)
		tasks[nr++] = odd[i];

	out_init(&o);
	for (size_t i = 0; i < nr; i++)
		assert_int_equal(rec_write_task(&o.w, &tasks[i]), 0);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);

	assert_int_equal(in_open(&in, &file), REC_OK);
	for (size_t i = 0; i < nr; i++) {
		size_t len = tasks[i].comm ? strlen(tasks[i].comm) : 0;

		next_ok(&in, &rec, REC_TASK);
		assert_int_equal(rec.size, REC_FRAME_SIZE + 32 + 2 + len + 1);
		assert_int_equal(rec_decode_task(&rec, &t), 0);
		assert_task_equal(&t, &tasks[i]);
	}
	expect_done(&in, nr);
	in_close(&in);
	bytes_release(&file);
}

static void test_lost_round_trip(void **state)
{
	static const struct rec_lost losts[] = {
		{ .time_ns = 0, .lost = 0, .cpu = 0 },
		{ .time_ns = 5, .lost = 1, .cpu = 1023 },
		{ .time_ns = UINT64_MAX, .lost = UINT64_MAX, .cpu = UINT32_MAX },
	};
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_lost l;

	(void)state;
	out_init(&o);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(rec_write_lost(&o.w, &losts[i]), 0);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);

	assert_int_equal(in_open(&in, &file), REC_OK);
	for (size_t i = 0; i < 3; i++) {
		next_ok(&in, &rec, REC_LOST);
		assert_int_equal(rec.size, REC_FRAME_SIZE + 24);
		assert_int_equal(rec_decode_lost(&rec, &l), 0);
		assert_lost_equal(&l, &losts[i]);
	}
	expect_done(&in, 3);
	in_close(&in);
	bytes_release(&file);
}

/*
 * Entry i of a test PROCS record: every field a different value with high
 * bytes set, every combination of the `have` bits once in 128 entries
 * (entry 0 has them all), FINAL on every third.
 */
static void proc_for(uint32_t i, struct rec_proc *p)
{
	uint64_t high = (uint64_t)i << 40;

	p->pid = 1000 + i;
	p->have = (PROC_HAVE_EVERY - i) & PROC_HAVE_EVERY;
	p->utime_ns = high | 1;
	p->stime_ns = high | 2;
	p->minflt = high | 3;
	p->majflt = high | 4;
	p->nvcsw = high | 5;
	p->nivcsw = high | 6;
	p->rss_bytes = high | 7;
	p->hwm_bytes = i ? high | 8 : UINT64_MAX;
	p->threads = i ? i : UINT32_MAX;
	p->flags = i % 3 ? 0 : REC_PROC_F_FINAL;
	p->migrations = high | 9;
}

/* Writes PROCS with nr entries, reads it back and compares. */
static void procs_round_trip(uint32_t nr)
{
	struct rec_proc *procs = calloc(nr ? nr : 1, sizeof(*procs));
	unsigned char have_seen[PROC_HAVE_EVERY + 1] = { 0 };
	size_t haves = 0;
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_procs p;
	struct rec_proc v;

	assert_non_null(procs);
	for (uint32_t i = 0; i < nr; i++)
		proc_for(i, &procs[i]);
	out_init(&o);
	assert_int_equal(rec_write_procs(&o.w, 88, 4, nr ? procs : NULL, nr), 0);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);

	assert_int_equal(in_open(&in, &file), REC_OK);
	next_ok(&in, &rec, REC_PROCS);
	assert_int_equal(rec.size, REC_FRAME_SIZE + 24 + 88 * (size_t)nr);
	assert_int_equal(rec_decode_procs(&rec, &p), 0);
	assert_int_equal(p.time_ns, 88);
	assert_int_equal(p.run, 4);
	assert_int_equal(p.nr, nr);
	for (uint32_t i = 0; i < nr; i++) {
		rec_procs_get(&p, i, &v);
		assert_proc_equal(&v, &procs[i]);
		if (!have_seen[v.have]++)
			haves++;
	}
	/* With 256 entries or more, every combination came back. */
	assert_int_equal(haves, nr < 256 ? nr : 256);
	expect_done(&in, 1);
	in_close(&in);
	bytes_release(&file);
	free(procs);
}

static void test_procs_round_trip_empty(void **state)
{
	(void)state;
	procs_round_trip(0);
}

static void test_procs_round_trip_one(void **state)
{
	(void)state;
	procs_round_trip(1);
}

static void test_procs_round_trip_many(void **state)
{
	(void)state;
	procs_round_trip(1000);
}

/* The most entries one PROCS record holds, as recfile.h says; one more is
 * refused and the writer goes on. */
static void test_procs_largest(void **state)
{
	const uint32_t most = (REC_MAX_SIZE - REC_FRAME_SIZE - 24) / 88;
	struct rec_proc *procs = calloc((size_t)most + 1, sizeof(*procs));
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_procs p;
	struct rec_proc v;

	(void)state;
	assert_int_equal(most, 190649);
	assert_non_null(procs);
	for (uint32_t i = 0; i <= most; i++)
		procs[i].pid = i;
	out_init(&o);
	assert_int_equal(rec_write_procs(&o.w, 1, 0, procs, most + 1), -EMSGSIZE);
	assert_int_equal(o.w.records, 0);
	assert_int_equal(rec_write_procs(&o.w, 2, 0, procs, most), 0);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);

	assert_int_equal(in_open(&in, &file), REC_OK);
	next_ok(&in, &rec, REC_PROCS);
	assert_int_equal(rec.size, REC_FRAME_SIZE + 24 + 88 * (size_t)most);
	assert_true(rec.size <= REC_MAX_SIZE);
	assert_int_equal(rec_decode_procs(&rec, &p), 0);
	assert_int_equal(p.time_ns, 2);
	assert_int_equal(p.nr, most);
	rec_procs_get(&p, most - 1, &v);
	assert_int_equal(v.pid, most - 1);
	expect_done(&in, 1);
	in_close(&in);
	bytes_release(&file);
	free(procs);
}

static void test_proc_exit_round_trip(void **state)
{
	static const struct rec_proc_exit exits[] = {
		{ .time_ns = 7, .pid = 100, .exit_kind = REC_EXIT_SIGNAL,
		  .exit_code = 9, .rusage = { 1, 2, 3, 4, 5, 6, 7, 8, 9 } },
		/* Signed on disk: whatever a status could be. */
		{ .time_ns = 8, .pid = 101, .exit_kind = REC_EXIT_NORMAL,
		  .exit_code = -1 },
		{ .time_ns = UINT64_MAX, .pid = UINT32_MAX,
		  .exit_kind = REC_EXIT_NORMAL, .exit_code = INT32_MIN,
		  .rusage = { UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX,
			      UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX,
			      UINT64_MAX } },
	};
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_proc_exit e;

	(void)state;
	out_init(&o);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(rec_write_proc_exit(&o.w, &exits[i]), 0);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);

	assert_int_equal(in_open(&in, &file), REC_OK);
	for (size_t i = 0; i < 3; i++) {
		next_ok(&in, &rec, REC_PROC_EXIT);
		assert_int_equal(rec.size, REC_FRAME_SIZE + 96);
		assert_int_equal(rec_decode_proc_exit(&rec, &e), 0);
		assert_proc_exit_equal(&e, &exits[i]);
	}
	expect_done(&in, 3);
	in_close(&in);
	bytes_release(&file);
}

static void test_mem_source_round_trip(void **state)
{
	static const struct rec_mem_source sources[] = {
		{ .backend = REC_MEM_PSS, .status = REC_MEM_SOURCE_RECORDING,
		  .source = "/proc/PID/smaps_rollup Pss, summed", .why = "" },
		{ .backend = REC_MEM_CGROUP, .status = REC_MEM_SOURCE_UNAVAILABLE,
		  .error = ENOENT, .source = "cgroup v1 memory.max_usage_in_bytes",
		  .why = "no memory controller mounted" },
		/* NULL strings are written as "". */
		{ .backend = REC_MEM_RUSAGE, .status = REC_MEM_SOURCE_RECORDING,
		  .source = NULL, .why = NULL },
		/* The error is signed on disk. */
		{ .backend = UINT32_MAX, .status = REC_MEM_SOURCE_UNAVAILABLE,
		  .error = -1, .source = "s", .why = "w" },
	};
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_mem_source m;

	(void)state;
	out_init(&o);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(rec_write_mem_source(&o.w, &sources[i]), 0);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);

	assert_int_equal(in_open(&in, &file), REC_OK);
	for (size_t i = 0; i < 4; i++) {
		const struct rec_mem_source *want = &sources[i];
		size_t strings = (want->source ? strlen(want->source) : 0) +
				 (want->why ? strlen(want->why) : 0);

		next_ok(&in, &rec, REC_MEM_SOURCE);
		assert_int_equal(rec.size, REC_FRAME_SIZE + 16 + 2 * 3 + strings);
		assert_int_equal(rec_decode_mem_source(&rec, &m), 0);
		assert_mem_source_equal(&m, want);
	}
	expect_done(&in, 4);
	in_close(&in);
	bytes_release(&file);
}

static void test_mem_round_trip(void **state)
{
	static const struct rec_mem mems[] = {
		/* A sum without a peak of its own: the reader takes the
		 * largest current_bytes. */
		{ .time_ns = 10, .run = 0, .backend = REC_MEM_RSS,
		  .current_bytes = 5u << 20, .peak_bytes = 0, .processes = 3,
		  .flags = 0 },
		/* A backend that keeps its own peak. */
		{ .time_ns = 11, .run = 1, .backend = REC_MEM_CGROUP,
		  .current_bytes = 4u << 20, .peak_bytes = 9u << 20,
		  .processes = 0, .flags = REC_MEM_F_PEAK },
		/* Only a peak, after the tree ended. */
		{ .time_ns = UINT64_MAX, .run = UINT32_MAX,
		  .backend = REC_MEM_RUSAGE, .current_bytes = 0,
		  .peak_bytes = UINT64_MAX, .processes = UINT32_MAX,
		  .flags = REC_MEM_F_PEAK | REC_MEM_F_FINAL },
	};
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_mem m;

	(void)state;
	out_init(&o);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(rec_write_mem(&o.w, &mems[i]), 0);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);

	assert_int_equal(in_open(&in, &file), REC_OK);
	for (size_t i = 0; i < 3; i++) {
		next_ok(&in, &rec, REC_MEM);
		assert_int_equal(rec.size, REC_FRAME_SIZE + 40);
		assert_int_equal(rec_decode_mem(&rec, &m), 0);
		assert_mem_equal(&m, &mems[i]);
	}
	expect_done(&in, 3);
	in_close(&in);
	bytes_release(&file);
}

static void test_decode_short_new_records(void **state)
{
	unsigned char p[128] = { 0 };
	struct rec rec;
	struct rec_task t;
	struct rec_lost l;
	struct rec_procs ps;
	struct rec_proc_exit pe;
	struct rec_mem_source ms;
	struct rec_mem m;

	(void)state;
	/* A TASK needs its fixed part and the whole comm. */
	rec = rec_of(REC_TASK, p, 0);
	assert_int_equal(rec_decode_task(&rec, &t), -1);
	rec = rec_of(REC_TASK, p, 31);
	assert_int_equal(rec_decode_task(&rec, &t), -1);
	rec = rec_of(REC_TASK, p, 32); /* no comm */
	assert_int_equal(rec_decode_task(&rec, &t), -1);
	rec = rec_of(REC_TASK, p, 33); /* half its length */
	assert_int_equal(rec_decode_task(&rec, &t), -1);
	rec = rec_of(REC_TASK, p, 34); /* its NUL missing */
	assert_int_equal(rec_decode_task(&rec, &t), -1);
	rec = rec_of(REC_TASK, p, 35);
	assert_int_equal(rec_decode_task(&rec, &t), 0);
	assert_string_equal(t.comm, "");

	rec = rec_of(REC_LOST, p, 23);
	assert_int_equal(rec_decode_lost(&rec, &l), -1);
	rec = rec_of(REC_LOST, p, 24);
	assert_int_equal(rec_decode_lost(&rec, &l), 0);

	put_u32(p + 16, REC_PROC_ENTRY_SIZE);
	rec = rec_of(REC_PROCS, p, 23);
	assert_int_equal(rec_decode_procs(&rec, &ps), -1);
	rec = rec_of(REC_PROCS, p, 24);
	assert_int_equal(rec_decode_procs(&rec, &ps), 0);
	assert_int_equal(ps.nr, 0);
	put_u32(p + 16, 0);

	rec = rec_of(REC_PROC_EXIT, p, 95);
	assert_int_equal(rec_decode_proc_exit(&rec, &pe), -1);
	rec = rec_of(REC_PROC_EXIT, p, 96);
	assert_int_equal(rec_decode_proc_exit(&rec, &pe), 0);

	/* A MEM_SOURCE needs its fixed part and both strings. */
	rec = rec_of(REC_MEM_SOURCE, p, 15);
	assert_int_equal(rec_decode_mem_source(&rec, &ms), -1);
	rec = rec_of(REC_MEM_SOURCE, p, 16);
	assert_int_equal(rec_decode_mem_source(&rec, &ms), -1);
	rec = rec_of(REC_MEM_SOURCE, p, 18); /* source's NUL missing */
	assert_int_equal(rec_decode_mem_source(&rec, &ms), -1);
	rec = rec_of(REC_MEM_SOURCE, p, 19); /* source "" only */
	assert_int_equal(rec_decode_mem_source(&rec, &ms), -1);
	rec = rec_of(REC_MEM_SOURCE, p, 21); /* why's NUL missing */
	assert_int_equal(rec_decode_mem_source(&rec, &ms), -1);
	rec = rec_of(REC_MEM_SOURCE, p, 22);
	assert_int_equal(rec_decode_mem_source(&rec, &ms), 0);
	assert_string_equal(ms.source, "");
	assert_string_equal(ms.why, "");

	rec = rec_of(REC_MEM, p, 39);
	assert_int_equal(rec_decode_mem(&rec, &m), -1);
	rec = rec_of(REC_MEM, p, 40);
	assert_int_equal(rec_decode_mem(&rec, &m), 0);
}

/* Each decoder behind one signature, for the table below. */
static int try_meta(const struct rec *rec)
{
	struct rec_meta_entry e;
	size_t pos = 0;

	return rec_meta_next(rec, &pos, &e) == 1 ? 0 : -1;
}

#define TRY_DECODER(name, type)						\
	static int try_##name(const struct rec *rec)			\
	{								\
		type out;						\
		return rec_decode_##name(rec, &out);			\
	}
TRY_DECODER(event, struct rec_event)
TRY_DECODER(run_begin, struct rec_run_begin)
TRY_DECODER(counts, struct rec_counts)
TRY_DECODER(run_end, struct rec_run_end)
TRY_DECODER(end, struct rec_end)
TRY_DECODER(task, struct rec_task)
TRY_DECODER(lost, struct rec_lost)
TRY_DECODER(procs, struct rec_procs)
TRY_DECODER(proc_exit, struct rec_proc_exit)
TRY_DECODER(mem_source, struct rec_mem_source)
TRY_DECODER(mem, struct rec_mem)
TRY_DECODER(cpu_counts, struct rec_counts)
TRY_DECODER(variant, struct rec_variant)
TRY_DECODER(load, struct rec_load)
#undef TRY_DECODER

/* Every decoder accepts its own type only, on a payload (all zeros) that
 * each of them would decode. Types 0 and 16 are nobody's. */
static void test_decoders_check_type(void **state)
{
	static const struct {
		uint32_t type;
		int (*decode)(const struct rec *rec);
	} decoders[] = {
		{ REC_META, try_meta },
		{ REC_EVENT, try_event },
		{ REC_RUN_BEGIN, try_run_begin },
		{ REC_COUNTS, try_counts },
		{ REC_RUN_END, try_run_end },
		{ REC_END, try_end },
		{ REC_TASK, try_task },
		{ REC_LOST, try_lost },
		{ REC_PROCS, try_procs },
		{ REC_PROC_EXIT, try_proc_exit },
		{ REC_MEM_SOURCE, try_mem_source },
		{ REC_MEM, try_mem },
		{ REC_CPU_COUNTS, try_cpu_counts },
		{ REC_VARIANT, try_variant },
		{ REC_LOAD, try_load },
	};
	unsigned char p[128] = { 0 };

	(void)state;
	for (uint32_t type = 0; type <= REC_LOAD + 1; type++) {
		struct rec rec = rec_of(type, p, sizeof(p));

		/* Zeros decode as every type but PROCS, whose entry size
		 * must be real (and is COUNTS' nr at the same offset). */
		put_u32(p + 16, type == REC_PROCS ? REC_PROC_ENTRY_SIZE : 0);
		for (size_t d = 0; d < sizeof(decoders) / sizeof(decoders[0]); d++)
			assert_int_equal(decoders[d].decode(&rec),
					 type == decoders[d].type ? 0 : -1);
	}
}

static void test_decode_bad_task_strings(void **state)
{
	unsigned char p[64] = { 0 };
	struct rec rec;
	struct rec_task t;

	(void)state;
	/* comm "sh": 32 + 2 + 2 + 1 = 37 bytes */
	put_u32(p + 8, REC_TASK_EXEC);
	put_u16(p + 32, 2);
	memcpy(p + 34, "sh", 3);
	rec = rec_of(REC_TASK, p, 37);
	assert_int_equal(rec_decode_task(&rec, &t), 0);
	assert_string_equal(t.comm, "sh");

	/* Its NUL replaced: refused, not read past. */
	p[36] = '!';
	assert_int_equal(rec_decode_task(&rec, &t), -1);
	p[36] = '\0';
	/* The NUL one byte past the payload. */
	rec = rec_of(REC_TASK, p, 36);
	assert_int_equal(rec_decode_task(&rec, &t), -1);
	rec = rec_of(REC_TASK, p, 37);
	/* A length past the payload, by one and by a lot. */
	put_u16(p + 32, 3);
	assert_int_equal(rec_decode_task(&rec, &t), -1);
	put_u16(p + 32, UINT16_MAX);
	assert_int_equal(rec_decode_task(&rec, &t), -1);
	put_u16(p + 32, 2);
	assert_int_equal(rec_decode_task(&rec, &t), 0);
}

static void test_decode_bad_mem_source_strings(void **state)
{
	unsigned char p[64] = { 0 };
	struct rec rec;
	struct rec_mem_source m;

	(void)state;
	/* source "ab" at 16, why "x" at 21: 16 + 5 + 4 = 25 bytes */
	put_u16(p + 16, 2);
	memcpy(p + 18, "ab", 3);
	put_u16(p + 21, 1);
	memcpy(p + 23, "x", 2);
	rec = rec_of(REC_MEM_SOURCE, p, 25);
	assert_int_equal(rec_decode_mem_source(&rec, &m), 0);
	assert_string_equal(m.source, "ab");
	assert_string_equal(m.why, "x");

	p[20] = '!';                        /* source's NUL */
	assert_int_equal(rec_decode_mem_source(&rec, &m), -1);
	p[20] = '\0';
	p[24] = '!';                        /* why's NUL */
	assert_int_equal(rec_decode_mem_source(&rec, &m), -1);
	p[24] = '\0';
	put_u16(p + 21, 2);                 /* why one past the payload */
	assert_int_equal(rec_decode_mem_source(&rec, &m), -1);
	put_u16(p + 21, 1);
	put_u16(p + 16, UINT16_MAX);        /* source far past it */
	assert_int_equal(rec_decode_mem_source(&rec, &m), -1);
	put_u16(p + 16, 2);
	rec = rec_of(REC_MEM_SOURCE, p, 24); /* cut before why's NUL */
	assert_int_equal(rec_decode_mem_source(&rec, &m), -1);
	rec = rec_of(REC_MEM_SOURCE, p, 25);
	assert_int_equal(rec_decode_mem_source(&rec, &m), 0);
}

static void test_decode_bad_procs(void **state)
{
	unsigned char p[24 + 2 * 96] = { 0 };
	struct rec rec;
	struct rec_procs ps;
	struct rec_proc v;

	(void)state;
	put_u32(p + 12, 2);
	put_u32(p + 16, 79);                /* smaller than any version's */
	rec = rec_of(REC_PROCS, p, sizeof(p));
	assert_int_equal(rec_decode_procs(&rec, &ps), -1);
	put_u32(p + 16, 0);
	assert_int_equal(rec_decode_procs(&rec, &ps), -1);

	/* Entries a newer minor made wider: stepped over by entry_size. */
	put_u32(p + 16, 96);
	put_u32(p + 24, 11);                /* first pid */
	put_u32(p + 24 + 96, 22);           /* second pid */
	assert_int_equal(rec_decode_procs(&rec, &ps), 0);
	assert_int_equal(ps.nr, 2);
	rec_procs_get(&ps, 1, &v);
	assert_int_equal(v.pid, 22);
	rec = rec_of(REC_PROCS, p, 24 + 2 * 96 - 1);
	assert_int_equal(rec_decode_procs(&rec, &ps), -1);

	/* 1.1's 80-byte entries: read, with no migrations, whatever the
	 * bytes after them and the have bit say. */
	memset(p, 0xee, sizeof(p));
	put_u32(p + 12, 2);
	put_u32(p + 16, 80);
	put_u32(p + 24, 11);
	put_u32(p + 24 + 4, REC_PROC_HAVE_CPU | REC_PROC_HAVE_MIGRATIONS);
	put_u32(p + 24 + 80, 22);
	rec = rec_of(REC_PROCS, p, 24 + 160);
	assert_int_equal(rec_decode_procs(&rec, &ps), 0);
	rec_procs_get(&ps, 0, &v);
	assert_int_equal(v.pid, 11);
	assert_int_equal(v.have, REC_PROC_HAVE_CPU);
	assert_true(v.migrations == 0);
	rec_procs_get(&ps, 1, &v);
	assert_int_equal(v.pid, 22);

	memset(p, 0, sizeof(p));
	put_u32(p + 12, 2);
	put_u32(p + 16, REC_PROC_ENTRY_SIZE);
	rec = rec_of(REC_PROCS, p, 24 + 2 * REC_PROC_ENTRY_SIZE);
	assert_int_equal(rec_decode_procs(&rec, &ps), 0);
	assert_int_equal(ps.nr, 2);
	rec = rec_of(REC_PROCS, p, 24 + 2 * REC_PROC_ENTRY_SIZE - 1);
	assert_int_equal(rec_decode_procs(&rec, &ps), -1);
	put_u32(p + 12, 3);
	rec = rec_of(REC_PROCS, p, 24 + 2 * REC_PROC_ENTRY_SIZE);
	assert_int_equal(rec_decode_procs(&rec, &ps), -1);
	/* An nr whose byte count overflows 32 bits: 0x03333334 * 80 is
	 * 2^32 + 64, which a 32-bit product would take for one entry. */
	put_u32(p + 12, 0x03333334u);
	assert_int_equal(rec_decode_procs(&rec, &ps), -1);
	put_u32(p + 12, UINT32_MAX);
	assert_int_equal(rec_decode_procs(&rec, &ps), -1);
}

/*
 * A file from a newer minor (1.2): each 1.1 record with a field appended,
 * and a record type 1.1 does not know. The fields this reader knows
 * decode as before, and the unknown type comes back to be skipped.
 */
static void test_newer_minor_new_records(void **state)
{
	const uint64_t extra = 0xabcdefull;
	struct out o;
	struct bytes b = { 0 };
	struct in in;
	struct rec rec;
	struct rec_task t;
	struct rec_lost l;
	struct rec_procs ps;
	struct rec_proc pv;
	struct rec_proc_exit pe;
	struct rec_mem_source ms;
	struct rec_mem m;

	(void)state;
	out_init(&o);
	rec_begin(&o.w, REC_TASK);
	rec_put_u64(&o.w, 1);
	rec_put_u32(&o.w, REC_TASK_EXEC);
	rec_put_u32(&o.w, 77);
	rec_put_u32(&o.w, 77);
	rec_put_u32(&o.w, 0);
	rec_put_u32(&o.w, 0);
	rec_put_u32(&o.w, 0);
	rec_put_str16(&o.w, "sh");
	rec_put_u64(&o.w, extra);
	assert_int_equal(rec_finish(&o.w), 0);

	rec_begin(&o.w, REC_LOST);
	rec_put_u64(&o.w, 2);
	rec_put_u64(&o.w, 5);
	rec_put_u32(&o.w, 1);
	rec_put_u32(&o.w, 0);
	rec_put_u64(&o.w, extra);
	assert_int_equal(rec_finish(&o.w), 0);

	rec_begin(&o.w, REC_PROCS);
	rec_put_u64(&o.w, 3);
	rec_put_u32(&o.w, 0);
	rec_put_u32(&o.w, 1);
	rec_put_u32(&o.w, REC_PROC_ENTRY_SIZE + 8); /* entries grew too */
	rec_put_u32(&o.w, 0);
	rec_put_u32(&o.w, 77);
	rec_put_u32(&o.w, REC_PROC_HAVE_RSS);
	for (int i = 0; i < 8; i++)
		rec_put_u64(&o.w, (uint64_t)i + 200);
	rec_put_u32(&o.w, 1);
	rec_put_u32(&o.w, 0);
	rec_put_u64(&o.w, extra); /* a field appended to the entry */
	rec_put_u64(&o.w, extra); /* after the entries */
	assert_int_equal(rec_finish(&o.w), 0);

	rec_begin(&o.w, 99); /* a record type 1.1 does not know */
	rec_put_str16(&o.w, "news");
	assert_int_equal(rec_finish(&o.w), 0);

	rec_begin(&o.w, REC_PROC_EXIT);
	rec_put_u64(&o.w, 4);
	rec_put_u32(&o.w, 77);
	rec_put_u32(&o.w, REC_EXIT_SIGNAL);
	rec_put_u32(&o.w, 15);
	rec_put_u32(&o.w, 0);
	for (int i = 0; i < 9; i++)
		rec_put_u64(&o.w, (uint64_t)i + 300);
	rec_put_u64(&o.w, extra);
	assert_int_equal(rec_finish(&o.w), 0);

	rec_begin(&o.w, REC_MEM_SOURCE);
	rec_put_u32(&o.w, REC_MEM_HWM);
	rec_put_u32(&o.w, REC_MEM_SOURCE_RECORDING);
	rec_put_u32(&o.w, 0);
	rec_put_u32(&o.w, 0);
	rec_put_str16(&o.w, "VmHWM");
	rec_put_str16(&o.w, "");
	rec_put_str16(&o.w, "a string 1.2 added");
	assert_int_equal(rec_finish(&o.w), 0);

	rec_begin(&o.w, REC_MEM);
	rec_put_u64(&o.w, 5);
	rec_put_u32(&o.w, 0);
	rec_put_u32(&o.w, REC_MEM_HWM);
	rec_put_u64(&o.w, 1000);
	rec_put_u64(&o.w, 0);
	rec_put_u32(&o.w, 1);
	rec_put_u32(&o.w, 0);
	rec_put_u64(&o.w, extra);
	assert_int_equal(rec_finish(&o.w), 0);

	rec_begin(&o.w, REC_END);
	rec_put_u64(&o.w, 6);
	rec_put_u64(&o.w, 7);
	rec_put_u64(&o.w, extra);
	assert_int_equal(rec_finish(&o.w), 0);
	out_finish(&o, &b);
	put_u16(b.p + 10, 2); /* version 1.2 */

	assert_int_equal(in_open(&in, &b), REC_OK);
	assert_int_equal(in.r.minor, 2);

	next_ok(&in, &rec, REC_TASK);
	assert_int_equal(rec_decode_task(&rec, &t), 0);
	assert_int_equal(t.pid, 77);
	assert_string_equal(t.comm, "sh");

	next_ok(&in, &rec, REC_LOST);
	assert_int_equal(rec_decode_lost(&rec, &l), 0);
	assert_int_equal(l.lost, 5);
	assert_int_equal(l.cpu, 1);

	next_ok(&in, &rec, REC_PROCS);
	assert_int_equal(rec_decode_procs(&rec, &ps), 0);
	assert_int_equal(ps.nr, 1);
	rec_procs_get(&ps, 0, &pv);
	assert_int_equal(pv.pid, 77);
	assert_int_equal(pv.have, REC_PROC_HAVE_RSS);
	assert_int_equal(pv.hwm_bytes, 207);
	assert_int_equal(pv.threads, 1);

	next_ok(&in, &rec, 99);
	assert_int_equal(rec.size, REC_FRAME_SIZE + 7);

	next_ok(&in, &rec, REC_PROC_EXIT);
	assert_int_equal(rec_decode_proc_exit(&rec, &pe), 0);
	assert_int_equal(pe.exit_code, 15);
	assert_int_equal(pe.rusage.oublock, 308);

	next_ok(&in, &rec, REC_MEM_SOURCE);
	assert_int_equal(rec_decode_mem_source(&rec, &ms), 0);
	assert_string_equal(ms.source, "VmHWM");
	assert_string_equal(ms.why, "");

	next_ok(&in, &rec, REC_MEM);
	assert_int_equal(rec_decode_mem(&rec, &m), 0);
	assert_int_equal(m.current_bytes, 1000);
	assert_int_equal(m.processes, 1);

	expect_done(&in, 7);
	assert_int_equal(in.r.end_record.time_ns, 6);
	in_close(&in);
	bytes_release(&b);
}

/* ---- Format 1.3: repeated runs, CPU sets and per-CPU counts ---- */

/*
 * CPU_COUNTS and VARIANT tested as the 1.1 records are: golden bytes,
 * round trips, decoders on short and malformed payloads, and a file from
 * a newer minor. RUN_BEGIN's variant is tested with the 1.0 records; the
 * sample recording holds the new records too.
 */

/* COUNTS still writes 0 where CPU_COUNTS has each entry's CPU. */
static void test_cpu_counts_bytes(void **state)
{
	static const unsigned char want[] = {
		/* COUNTS, one entry. */
		4, 0, 0, 0,  64, 0, 0, 0,                         /* frame */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,   /* time_ns */
		2, 0, 0, 0,                                       /* run */
		1, 0, 0, 0,                                       /* FINAL */
		1, 0, 0, 0,                                       /* nr */
		0, 0, 0, 0,                                       /* reserved */
		5, 0, 0, 0,                                       /* event id */
		0, 0, 0, 0,                                       /* reserved */
		0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11, 0x10,   /* value */
		0x27, 0x26, 0x25, 0x24, 0x23, 0x22, 0x21, 0x20,   /* enabled */
		0x37, 0x36, 0x35, 0x34, 0x33, 0x32, 0x31, 0x30,   /* running */
		/* CPU_COUNTS of the same reading, two entries. */
		13, 0, 0, 0,  96, 0, 0, 0,                        /* frame */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,   /* time_ns */
		2, 0, 0, 0,                                       /* run */
		1, 0, 0, 0,                                       /* FINAL */
		2, 0, 0, 0,                                       /* nr */
		0, 0, 0, 0,                                       /* reserved */
		5, 0, 0, 0,                                       /* event id */
		0x02, 0x01, 0, 0,                                 /* cpu */
		0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11, 0x10,   /* value */
		0x27, 0x26, 0x25, 0x24, 0x23, 0x22, 0x21, 0x20,   /* enabled */
		0x37, 0x36, 0x35, 0x34, 0x33, 0x32, 0x31, 0x30,   /* running */
		6, 0, 0, 0,                                       /* event id */
		0x0d, 0x0c, 0x0b, 0x0a,                           /* cpu */
		0x47, 0x46, 0x45, 0x44, 0x43, 0x42, 0x41, 0x40,   /* value */
		0x57, 0x56, 0x55, 0x54, 0x53, 0x52, 0x51, 0x50,   /* enabled */
		0, 0, 0, 0, 0, 0, 0, 0,                           /* running */
	};
	static const struct rec_count values[] = {
		{ .event_id = 5, .value = 0x1011121314151617ull,
		  .enabled_ns = 0x2021222324252627ull,
		  .running_ns = 0x3031323334353637ull },
		{ .event_id = 6, .value = 0x4041424344454647ull,
		  .enabled_ns = 0x5051525354555657ull, .running_ns = 0 },
	};
	static const uint32_t cpus[] = { 0x0102, 0x0a0b0c0d };
	struct out o;

	(void)state;
	out_init(&o);
	assert_int_equal(rec_write_counts(&o.w, 0x0102030405060708ull, 2,
					  REC_COUNTS_F_FINAL, values, 1), 0);
	assert_int_equal(rec_write_cpu_counts(&o.w, 0x0102030405060708ull, 2,
					      REC_COUNTS_F_FINAL, values, cpus,
					      2), 0);
	expect_written(&o, want, sizeof(want));
}

static void test_variant_bytes(void **state)
{
	static const unsigned char want[] = {
		14, 0, 0, 0,  48, 0, 0, 0,                        /* frame */
		0x02, 0x01, 0, 0,                                 /* variant */
		2, 0, 0, 0,                                       /* nr_args */
		4, 0, 0, 0,                                       /* nr_cpus */
		0, 0, 0, 0,                                       /* reserved */
		3, 0,  't', 'w', 'o', 0,                          /* label */
		3, 0,  '0', '-', '3', 0,                          /* cpus */
		2, 0, 0, 0,  'l', 's', 0,                         /* argv[0] */
		0, 0, 0, 0,  0,                                   /* argv[1] */
	};
	static const char *const argv[] = { "ls", "" };
	const struct rec_variant v = {
		.variant = 0x0102, .nr_args = 2, .nr_cpus = 4,
		.label = "two", .cpus = "0-3",
	};
	struct out o;

	(void)state;
	out_init(&o);
	assert_int_equal(rec_write_variant(&o.w, &v, argv), 0);
	expect_written(&o, want, sizeof(want));
}

static void test_cpu_counts_round_trip_empty(void **state)
{
	(void)state;
	counts_round_trip(0, 1);
}

static void test_cpu_counts_round_trip_one(void **state)
{
	(void)state;
	counts_round_trip(1, 1);
}

static void test_cpu_counts_round_trip_many(void **state)
{
	(void)state;
	counts_round_trip(1000, 1);
}

/* The record size rec_write_variant() makes of v and argv. */
static size_t variant_size(const struct rec_variant *v,
			   const char *const *argv)
{
	size_t size = REC_FRAME_SIZE + 16;

	size += 2 + (v->label ? strlen(v->label) : 0) + 1;
	size += 2 + (v->cpus ? strlen(v->cpus) : 0) + 1;
	for (uint32_t i = 0; i < v->nr_args; i++)
		size += 4 + (argv[i] ? strlen(argv[i]) : 0) + 1;
	return size;
}

/* No arguments; an empty one and one too long for a str16 (the reason
 * arguments are str32); NULL strings; edge values. */
static void test_variant_round_trip(void **state)
{
	const size_t long_len = UINT16_MAX + 1000;
	char *long_arg = malloc(long_len + 1);
	const char *argv_three[3];
	static const char *const argv_null[] = { NULL };
	const struct rec_variant variants[] = {
		{ .variant = 0, .nr_args = 0, .nr_cpus = 0,
		  .label = "", .cpus = "" },
		{ .variant = 1, .nr_args = 3, .nr_cpus = 2,
		  .label = "2 CPUs", .cpus = "0,8" },
		/* NULL strings are written as "". */
		{ .variant = UINT32_MAX, .nr_args = 1, .nr_cpus = UINT32_MAX,
		  .label = NULL, .cpus = NULL },
	};
	const char *const *const argvs[] = { NULL, argv_three, argv_null };
	struct rec_variant too_long = variants[0];
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_variant v;

	(void)state;
	assert_non_null(long_arg);
	memset(long_arg, 'a', long_len);
	long_arg[long_len] = '\0';
	argv_three[0] = "./bench";
	argv_three[1] = "";
	argv_three[2] = long_arg;

	out_init(&o);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(rec_write_variant(&o.w, &variants[i],
						   argvs[i]), 0);
	/* The same string as a label does not fit its str16: that record is
	 * dropped and the writer goes on. */
	too_long.label = long_arg;
	assert_int_equal(rec_write_variant(&o.w, &too_long, NULL), -EMSGSIZE);
	assert_int_equal(o.w.error, 0);
	assert_int_equal(o.w.records, 3);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);

	assert_int_equal(in_open(&in, &file), REC_OK);
	for (size_t i = 0; i < 3; i++) {
		next_ok(&in, &rec, REC_VARIANT);
		assert_int_equal(rec.size,
				 variant_size(&variants[i], argvs[i]));
		assert_int_equal(rec_decode_variant(&rec, &v), 0);
		assert_variant_equal(&v, &variants[i], argvs[i]);
	}
	expect_done(&in, 3);
	in_close(&in);
	bytes_release(&file);
	free(long_arg);
}

static void test_decode_short_1_3_records(void **state)
{
	unsigned char p[128] = { 0 };
	struct rec rec;
	struct rec_counts c;
	struct rec_variant v;
	size_t pos = 0;

	(void)state;
	rec = rec_of(REC_CPU_COUNTS, p, 23);
	assert_int_equal(rec_decode_cpu_counts(&rec, &c), -1);
	rec = rec_of(REC_CPU_COUNTS, p, 24);
	assert_int_equal(rec_decode_cpu_counts(&rec, &c), 0);
	assert_int_equal(c.nr, 0);

	/* A VARIANT needs its fixed part, both strings and every argument. */
	rec = rec_of(REC_VARIANT, p, 0);
	assert_int_equal(rec_decode_variant(&rec, &v), -1);
	rec = rec_of(REC_VARIANT, p, 15);
	assert_int_equal(rec_decode_variant(&rec, &v), -1);
	rec = rec_of(REC_VARIANT, p, 16); /* no label */
	assert_int_equal(rec_decode_variant(&rec, &v), -1);
	rec = rec_of(REC_VARIANT, p, 17); /* half its length */
	assert_int_equal(rec_decode_variant(&rec, &v), -1);
	rec = rec_of(REC_VARIANT, p, 18); /* its NUL missing */
	assert_int_equal(rec_decode_variant(&rec, &v), -1);
	rec = rec_of(REC_VARIANT, p, 19); /* label "" only */
	assert_int_equal(rec_decode_variant(&rec, &v), -1);
	rec = rec_of(REC_VARIANT, p, 21); /* cpus' NUL missing */
	assert_int_equal(rec_decode_variant(&rec, &v), -1);
	rec = rec_of(REC_VARIANT, p, 22);
	assert_int_equal(rec_decode_variant(&rec, &v), 0);
	assert_string_equal(v.label, "");
	assert_string_equal(v.cpus, "");
	assert_int_equal(v.nr_args, 0);
	assert_null(rec_variant_arg(&v, &pos));

	put_u32(p + 4, 1); /* one argument */
	rec = rec_of(REC_VARIANT, p, 22);
	assert_int_equal(rec_decode_variant(&rec, &v), -1);
	rec = rec_of(REC_VARIANT, p, 25); /* 3 bytes of its u32 length */
	assert_int_equal(rec_decode_variant(&rec, &v), -1);
	rec = rec_of(REC_VARIANT, p, 26); /* its NUL missing */
	assert_int_equal(rec_decode_variant(&rec, &v), -1);
	rec = rec_of(REC_VARIANT, p, 27);
	assert_int_equal(rec_decode_variant(&rec, &v), 0);
	pos = 0;
	assert_string_equal(rec_variant_arg(&v, &pos), "");
	assert_null(rec_variant_arg(&v, &pos));
}

/*
 * rec_decode_variant() on a copy of p[0..size) in a buffer of exactly
 * that size, so that ASan catches a read past the payload; a VARIANT it
 * accepts is walked to the end of its arguments, which must all lie
 * inside the payload and number nr_args.
 */
static int decode_variant_exact(const unsigned char *p, size_t size)
{
	unsigned char *copy = malloc(size ? size : 1);
	struct rec rec;
	struct rec_variant v;
	const char *arg;
	size_t pos = 0;
	uint32_t n = 0;
	int ret;

	assert_non_null(copy);
	memcpy(copy, p, size);
	rec = rec_of(REC_VARIANT, copy, size);
	ret = rec_decode_variant(&rec, &v);
	if (!ret) {
		while ((arg = rec_variant_arg(&v, &pos)) != NULL) {
			assert_in_payload(&rec, arg);
			n++;
		}
		assert_int_equal(n, v.nr_args);
	}
	free(copy);
	return ret;
}

static double elapsed_s(const struct timespec *since)
{
	struct timespec now;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &now), 0);
	return (double)(now.tv_sec - since->tv_sec) +
	       (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

static void test_decode_bad_variant(void **state)
{
	const uint32_t many = 100000;
	size_t many_size = 22 + 5 * (size_t)many;
	unsigned char *zeros = calloc(many_size, 1);
	unsigned char p[64] = { 0 };
	struct rec rec;
	struct rec_variant v;
	struct timespec start;
	size_t pos = 0;

	(void)state;
	assert_non_null(zeros);
	/* label "ab" at 16, cpus "3" at 21, arguments "x" at 25 and "" at
	 * 31: 16 + 5 + 4 + 6 + 5 = 36 bytes */
	put_u32(p, 1);
	put_u32(p + 4, 2);
	put_u32(p + 8, 1);
	put_u16(p + 16, 2);
	memcpy(p + 18, "ab", 3);
	put_u16(p + 21, 1);
	memcpy(p + 23, "3", 2);
	put_u32(p + 25, 1);
	memcpy(p + 29, "x", 2);
	put_u32(p + 31, 0);
	rec = rec_of(REC_VARIANT, p, 36);
	assert_int_equal(rec_decode_variant(&rec, &v), 0);
	assert_string_equal(v.label, "ab");
	assert_string_equal(v.cpus, "3");
	assert_string_equal(rec_variant_arg(&v, &pos), "x");
	assert_string_equal(rec_variant_arg(&v, &pos), "");
	assert_null(rec_variant_arg(&v, &pos));
	assert_int_equal(decode_variant_exact(p, 36), 0);

	/* Each NUL replaced: refused, not read past. */
	p[20] = '!';                        /* label's */
	assert_int_equal(decode_variant_exact(p, 36), -1);
	p[20] = '\0';
	p[24] = '!';                        /* cpus' */
	assert_int_equal(decode_variant_exact(p, 36), -1);
	p[24] = '\0';
	p[30] = '!';                        /* the first argument's */
	assert_int_equal(decode_variant_exact(p, 36), -1);
	p[30] = '\0';
	p[35] = '!';                        /* the last byte, the last's */
	assert_int_equal(decode_variant_exact(p, 36), -1);
	p[35] = '\0';
	assert_int_equal(decode_variant_exact(p, 35), -1);

	/* Lengths past the payload, by one and by a lot. */
	put_u16(p + 16, 20);                /* label */
	assert_int_equal(decode_variant_exact(p, 36), -1);
	put_u16(p + 16, UINT16_MAX);
	assert_int_equal(decode_variant_exact(p, 36), -1);
	put_u16(p + 16, 2);
	put_u16(p + 21, 15);                /* cpus */
	assert_int_equal(decode_variant_exact(p, 36), -1);
	put_u16(p + 21, 1);
	put_u32(p + 31, 1);                 /* the last argument */
	assert_int_equal(decode_variant_exact(p, 36), -1);
	put_u32(p + 31, 0);
	/* 32-bit lengths that would wrap a position or a size. */
	put_u32(p + 25, UINT32_MAX);
	assert_int_equal(decode_variant_exact(p, 36), -1);
	put_u32(p + 25, UINT32_MAX - 5);
	assert_int_equal(decode_variant_exact(p, 36), -1);
	put_u32(p + 25, 1);
	assert_int_equal(decode_variant_exact(p, 36), 0);

	/* More arguments said than there are: refused. Fewer: bytes after
	 * them are what a newer minor appended, not arguments. */
	put_u32(p + 4, 3);
	assert_int_equal(decode_variant_exact(p, 36), -1);
	put_u32(p + 4, 1);
	rec = rec_of(REC_VARIANT, p, 36);
	assert_int_equal(rec_decode_variant(&rec, &v), 0);
	assert_int_equal(v.args_size, 6);
	pos = 0;
	assert_string_equal(rec_variant_arg(&v, &pos), "x");
	assert_null(rec_variant_arg(&v, &pos));
	put_u32(p + 4, 0);
	assert_int_equal(decode_variant_exact(p, 36), 0);

	/* nr_args from a corrupt file: the decoder stops at the end of the
	 * payload, it does not try four billion arguments. */
	put_u32(zeros + 4, UINT32_MAX);
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &start), 0);
	assert_int_equal(decode_variant_exact(zeros, 22), -1);
	assert_int_equal(decode_variant_exact(zeros, 27), -1);
	assert_true(elapsed_s(&start) < 1.0);

	/* Many empty arguments: all of them there, then one more said. */
	put_u32(zeros + 4, many);
	assert_int_equal(decode_variant_exact(zeros, many_size), 0);
	put_u32(zeros + 4, many + 1);
	assert_int_equal(decode_variant_exact(zeros, many_size), -1);
	put_u32(zeros + 4, UINT32_MAX);
	assert_int_equal(decode_variant_exact(zeros, many_size), -1);
	free(zeros);
}

/*
 * A file from a newer minor (1.9): the 1.3 records with fields appended,
 * RUN_BEGIN's after its variant, and a record type 1.3 does not know.
 * A VARIANT's appended strings are not taken for more arguments.
 */
static void test_newer_minor_1_3_records(void **state)
{
	const uint64_t extra = 0xabcdefull;
	struct out o;
	struct bytes b = { 0 };
	struct in in;
	struct rec rec;
	struct rec_variant v;
	struct rec_run_begin rb;
	struct rec_counts c;
	struct rec_count cv;
	size_t pos = 0;

	(void)state;
	out_init(&o);
	rec_begin(&o.w, REC_VARIANT);
	rec_put_u32(&o.w, 2);
	rec_put_u32(&o.w, 1);
	rec_put_u32(&o.w, 4);
	rec_put_u32(&o.w, 0);
	rec_put_str16(&o.w, "4 CPUs");
	rec_put_str16(&o.w, "0-3");
	rec_put_str32(&o.w, "./a.out");
	rec_put_str32(&o.w, "a string 1.9 added");
	rec_put_u64(&o.w, extra);
	assert_int_equal(rec_finish(&o.w), 0);

	rec_begin(&o.w, REC_RUN_BEGIN);
	rec_put_u64(&o.w, 10);
	rec_put_u32(&o.w, 0);
	rec_put_u32(&o.w, 99);
	rec_put_u32(&o.w, 0);
	rec_put_u32(&o.w, 2);
	rec_put_u64(&o.w, extra);
	assert_int_equal(rec_finish(&o.w), 0);

	rec_begin(&o.w, REC_CPU_COUNTS);
	rec_put_u64(&o.w, 20);
	rec_put_u32(&o.w, 0);
	rec_put_u32(&o.w, 0);
	rec_put_u32(&o.w, 1);
	rec_put_u32(&o.w, 0);
	rec_put_u32(&o.w, 5);
	rec_put_u32(&o.w, 3);
	rec_put_u64(&o.w, 1234);
	rec_put_u64(&o.w, 50);
	rec_put_u64(&o.w, 40);
	rec_put_u64(&o.w, extra);
	assert_int_equal(rec_finish(&o.w), 0);

	rec_begin(&o.w, REC_VARIANT + 1); /* a type 1.3 does not know (LOAD) */
	rec_put_str16(&o.w, "news");
	assert_int_equal(rec_finish(&o.w), 0);

	rec_begin(&o.w, REC_END);
	rec_put_u64(&o.w, 30);
	rec_put_u64(&o.w, 4);
	rec_put_u64(&o.w, extra);
	assert_int_equal(rec_finish(&o.w), 0);
	out_finish(&o, &b);
	put_u16(b.p + 10, 9); /* version 1.9 */

	assert_int_equal(in_open(&in, &b), REC_OK);
	assert_int_equal(in.r.minor, 9);

	next_ok(&in, &rec, REC_VARIANT);
	assert_int_equal(rec_decode_variant(&rec, &v), 0);
	assert_int_equal(v.variant, 2);
	assert_int_equal(v.nr_args, 1);
	assert_int_equal(v.nr_cpus, 4);
	assert_string_equal(v.label, "4 CPUs");
	assert_string_equal(v.cpus, "0-3");
	assert_string_equal(rec_variant_arg(&v, &pos), "./a.out");
	assert_null(rec_variant_arg(&v, &pos));

	next_ok(&in, &rec, REC_RUN_BEGIN);
	assert_int_equal(rec_decode_run_begin(&rec, &rb), 0);
	assert_int_equal(rb.pid, 99);
	assert_int_equal(rb.variant, 2);

	next_ok(&in, &rec, REC_CPU_COUNTS);
	assert_int_equal(rec_decode_cpu_counts(&rec, &c), 0);
	assert_int_equal(c.nr, 1);
	rec_counts_get(&c, 0, &cv);
	assert_int_equal(cv.event_id, 5);
	assert_int_equal(cv.value, 1234);
	assert_int_equal(cv.running_ns, 40);
	assert_int_equal(rec_counts_cpu(&c, 0), 3);

	next_ok(&in, &rec, REC_VARIANT + 1);
	assert_int_equal(rec.size, REC_FRAME_SIZE + 7);

	expect_done(&in, 4);
	assert_int_equal(in.r.end_record.time_ns, 30);
	in_close(&in);
	bytes_release(&b);
}

/* ---- Format 1.4: a server recorded under load ---- */

/*
 * LOAD tested as the 1.3 records are: golden bytes (the layout in
 * recfile.h), round trips, decoders on short and malformed payloads, and
 * a file from a newer minor. A 1.3 reader skipping type 15 is
 * test_newer_minor_1_3_records(); the sample holds a BEGIN and an END.
 */

/* What `record --load` keeps of the load's output (collector/load.h). */
#define LOAD_OUTPUT_KEPT (64u << 10)

static void test_load_bytes(void **state)
{
	static const unsigned char want[] = {
		15, 0, 0, 0,  132, 0, 0, 0,                       /* frame */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,   /* time_ns */
		0x02, 0x01, 0, 0,                                 /* run */
		2, 0, 0, 0,                                       /* kind: END */
		0x0d, 0x0c, 0x0b, 0x0a,                           /* pid */
		3, 0, 0, 0,                                       /* flags */
		2, 0, 0, 0,                                       /* exit_kind */
		0xfe, 0xff, 0xff, 0xff,                           /* exit_code -2 */
		0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11,   /* requests */
		1, 0, 0, 0, 0, 0, 0, 0,                           /* utime_us */
		2, 0, 0, 0, 0, 0, 0, 0,                           /* stime_us */
		3, 0, 0, 0, 0, 0, 0, 0,                           /* maxrss_kib */
		4, 0, 0, 0, 0, 0, 0, 0,                           /* minflt */
		5, 0, 0, 0, 0, 0, 0, 0,                           /* majflt */
		6, 0, 0, 0, 0, 0, 0, 0,                           /* nvcsw */
		7, 0, 0, 0, 0, 0, 0, 0,                           /* nivcsw */
		8, 0, 0, 0, 0, 0, 0, 0,                           /* inblock */
		0, 0, 0, 0, 0, 0, 0, 0x09,                        /* oublock */
		2, 0, 0, 0,  'a', 'b', 0,                         /* command */
		0, 0, 0, 0,  0,                                   /* output */
	};
	const struct rec_load l = {
		.time_ns = 0x0102030405060708ull, .run = 0x0102,
		.kind = REC_LOAD_END, .pid = 0x0a0b0c0d,
		.flags = REC_LOAD_F_REQUESTS | REC_LOAD_F_STOPPED,
		.exit_kind = REC_EXIT_SIGNAL, .exit_code = -2,
		.requests = 0x1112131415161718ull,
		.rusage = { 1, 2, 3, 4, 5, 6, 7, 8, 0x0900000000000000ull },
		.command = "ab", .output = "",
	};
	struct out o;

	(void)state;
	out_init(&o);
	assert_int_equal(rec_write_load(&o.w, &l), 0);
	expect_written(&o, want, sizeof(want));
}

/* The record size rec_write_load() makes of l. */
static size_t load_size(const struct rec_load *l)
{
	return REC_FRAME_SIZE + 112 +
	       4 + (l->command ? strlen(l->command) : 0) + 1 +
	       4 + (l->output ? strlen(l->output) : 0) + 1;
}

/*
 * A BEGIN and an END with every field set (the END with the most output
 * a load keeps, every byte value but NUL, and a negative exit code), edge
 * values, NULL strings; from a file and through a pipe.
 */
static void test_load_round_trip(void **state)
{
	char *output = malloc(LOAD_OUTPUT_KEPT + 1);
	struct rec_load loads[] = {
		{ .time_ns = 1000, .run = 3, .kind = REC_LOAD_BEGIN, .pid = 4321,
		  .command = "wrk -t2 -c10 -d2s http://[::1]:8080/", .output = "" },
		{ .time_ns = 2000000, .run = 3, .kind = REC_LOAD_END, .pid = 4321,
		  .flags = REC_LOAD_F_REQUESTS | REC_LOAD_F_STOPPED,
		  .exit_kind = REC_EXIT_NORMAL, .exit_code = -1,
		  .requests = 80000,
		  .rusage = { .utime_us = 1, .stime_us = 2, .maxrss_kib = 3,
			      .minflt = 4, .majflt = 5, .nvcsw = 6, .nivcsw = 7,
			      .inblock = 8, .oublock = 9 },
		  .command = "wrk -t2 -c10 -d2s http://[::1]:8080/" },
		{ .time_ns = UINT64_MAX, .run = UINT32_MAX, .kind = UINT32_MAX,
		  .pid = UINT32_MAX, .flags = UINT32_MAX, .exit_kind = UINT32_MAX,
		  .exit_code = INT32_MIN, .requests = UINT64_MAX,
		  .rusage = { UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX,
			      UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX,
			      UINT64_MAX },
		  .command = NULL, .output = NULL },
	};
	const size_t nr = sizeof(loads) / sizeof(loads[0]);
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_load l;

	(void)state;
	assert_non_null(output);
	for (size_t i = 0; i < LOAD_OUTPUT_KEPT; i++)
		output[i] = (char)(1 + i % 255);
	output[LOAD_OUTPUT_KEPT] = '\0';
	loads[1].output = output;

	out_init(&o);
	for (size_t i = 0; i < nr; i++)
		assert_int_equal(rec_write_load(&o.w, &loads[i]), 0);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);

	for (int pipe = 0; pipe < 2; pipe++) {
		if (pipe)
			assert_int_equal(in_open_pipe(&in, &file, 4093, 0), REC_OK);
		else
			assert_int_equal(in_open(&in, &file), REC_OK);
		for (size_t i = 0; i < nr; i++) {
			next_ok(&in, &rec, REC_LOAD);
			assert_int_equal(rec.size, load_size(&loads[i]));
			memset(&l, 0xa5, sizeof(l));
			assert_int_equal(rec_decode_load(&rec, &l), 0);
			assert_load_equal(&l, &loads[i]);
			assert_in_payload(&rec, l.command);
			assert_in_payload(&rec, l.output);
		}
		expect_done(&in, nr);
		in_close(&in);
	}
	/* The 64 KiB output whole, every byte where it was. */
	assert_int_equal(in_open(&in, &file), REC_OK);
	next_ok(&in, &rec, REC_LOAD);
	next_ok(&in, &rec, REC_LOAD);
	assert_int_equal(rec_decode_load(&rec, &l), 0);
	assert_int_equal(strlen(l.output), LOAD_OUTPUT_KEPT);
	assert_memory_equal(l.output, output, LOAD_OUTPUT_KEPT + 1);
	assert_int_equal(l.exit_code, -1);
	in_close(&in);
	bytes_release(&file);
	free(output);
}

/*
 * rec_decode_load() on a copy of p[0..size) in a buffer of exactly that
 * size, so that ASan catches a read past the payload. A LOAD it accepts
 * has its strings inside the payload, and equal to command and output
 * (but for NULL); they are gone once it returns.
 */
static int decode_load_exact(const unsigned char *p, size_t size,
			     struct rec_load *out, const char *command,
			     const char *output)
{
	unsigned char *copy = malloc(size ? size : 1);
	struct rec rec;
	int ret;

	assert_non_null(copy);
	memcpy(copy, p, size);
	rec = rec_of(REC_LOAD, copy, size);
	ret = rec_decode_load(&rec, out);
	if (!ret) {
		assert_in_payload(&rec, out->command);
		assert_in_payload(&rec, out->output);
		if (command)
			assert_string_equal(out->command, command);
		if (output)
			assert_string_equal(out->output, output);
	}
	out->command = out->output = NULL;
	free(copy);
	return ret;
}

static void test_decode_bad_load(void **state)
{
	/* Lengths that run past the payload, by one and by a lot, and
	 * 32-bit lengths that would wrap a position. */
	static const uint32_t bad[] = { 3, 10, 1000, UINT32_MAX, UINT32_MAX - 3,
					UINT32_MAX - 115 };
	unsigned char p[160] = { 0 };
	struct rec_load l;
	struct rec rec;

	(void)state;
	/* The fixed part, then both strings: zeros are "" and "" at 122. */
	for (size_t size = 0; size < 122; size++)
		if (decode_load_exact(p, size, &l, NULL, NULL) != -1)
			fail_msg("a LOAD of %zu bytes decoded", size);
	assert_int_equal(decode_load_exact(p, 122, &l, "", ""), 0);

	/* command "sh" at 112, output "ok" at 119: 126 bytes. */
	put_u64(p, 77);
	put_u32(p + 12, REC_LOAD_END);
	put_u32(p + 28, (uint32_t)-3);
	put_u32(p + 112, 2);
	memcpy(p + 116, "sh", 3);
	put_u32(p + 119, 2);
	memcpy(p + 123, "ok", 3);
	assert_int_equal(decode_load_exact(p, 126, &l, "sh", "ok"), 0);
	assert_true(l.time_ns == 77);
	assert_int_equal(l.kind, REC_LOAD_END);
	assert_int_equal(l.exit_code, -3);
	/* Bytes after the output: a newer minor's fields. */
	assert_int_equal(decode_load_exact(p, 140, &l, "sh", "ok"), 0);
	/* The output cut off: its NUL, its bytes, its length. */
	for (size_t size = 112; size < 126; size++)
		assert_int_equal(decode_load_exact(p, size, &l, NULL, NULL), -1);

	/* Each NUL replaced: refused, not read past. */
	p[118] = '!';
	assert_int_equal(decode_load_exact(p, 126, &l, NULL, NULL), -1);
	p[118] = '\0';
	p[125] = '!';
	assert_int_equal(decode_load_exact(p, 126, &l, NULL, NULL), -1);
	p[125] = '\0';

	/* Each length past the payload, the command's and the output's. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_u32(p + 112, bad[i]);
		assert_int_equal(decode_load_exact(p, 126, &l, NULL, NULL), -1);
		put_u32(p + 112, 2);
		put_u32(p + 119, bad[i]);
		assert_int_equal(decode_load_exact(p, 126, &l, NULL, NULL), -1);
		put_u32(p + 119, 2);
	}
	assert_int_equal(decode_load_exact(p, 126, &l, "sh", "ok"), 0);

	/* Another type's record is not a LOAD. */
	rec = rec_of(REC_VARIANT, p, 126);
	assert_int_equal(rec_decode_load(&rec, &l), -1);
	rec = rec_of(REC_LOAD, p, 126);
	assert_int_equal(rec_decode_load(&rec, &l), 0);
}

/*
 * A file from a newer minor (1.9): a LOAD with a field appended after its
 * output decodes as before, and a type 1.4 does not know comes back to be
 * skipped.
 */
static void test_newer_minor_1_4_records(void **state)
{
	const struct rec_load want = {
		.time_ns = 10, .run = 0, .kind = REC_LOAD_END, .pid = 99,
		.flags = REC_LOAD_F_REQUESTS, .exit_kind = REC_EXIT_NORMAL,
		.exit_code = 0, .requests = 8000, .rusage = { .utime_us = 5 },
		.command = "ab -n 8000 http://127.0.0.1/", .output = "done\n",
	};
	struct out o;
	struct bytes b = { 0 };
	struct in in;
	struct rec rec;
	struct rec_load l;

	(void)state;
	out_init(&o);
	rec_begin(&o.w, REC_LOAD);
	rec_put_u64(&o.w, want.time_ns);
	rec_put_u32(&o.w, want.run);
	rec_put_u32(&o.w, want.kind);
	rec_put_u32(&o.w, want.pid);
	rec_put_u32(&o.w, want.flags);
	rec_put_u32(&o.w, want.exit_kind);
	rec_put_u32(&o.w, (uint32_t)want.exit_code);
	rec_put_u64(&o.w, want.requests);
	rec_put_u64(&o.w, want.rusage.utime_us);
	for (int i = 1; i < 9; i++)
		rec_put_u64(&o.w, 0);
	rec_put_str32(&o.w, want.command);
	rec_put_str32(&o.w, want.output);
	rec_put_str32(&o.w, "a string 1.9 added");
	assert_int_equal(rec_finish(&o.w), 0);
	rec_begin(&o.w, REC_LOAD + 1);
	rec_put_u64(&o.w, 0xabcdefull);
	assert_int_equal(rec_finish(&o.w), 0);
	assert_int_equal(rec_write_end(&o.w, 30), 0);
	out_finish(&o, &b);
	put_u16(b.p + 10, 9); /* version 1.9 */

	assert_int_equal(in_open(&in, &b), REC_OK);
	assert_int_equal(in.r.minor, 9);
	next_ok(&in, &rec, REC_LOAD);
	assert_int_equal(rec_decode_load(&rec, &l), 0);
	assert_load_equal(&l, &want);
	next_ok(&in, &rec, REC_LOAD + 1);
	assert_int_equal(rec.payload_size, 8);
	expect_done(&in, 2);
	in_close(&in);
	bytes_release(&b);
}

/* ---- Writer behaviour ---- */

/*
 * While held, nothing reaches the fd however much is buffered, so the
 * start of a file can still be dropped whole; released, it flushes.
 */
static void test_hold(void **state)
{
	struct out o;
	char big[1024];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	out_init(&o);
	o.w.hold = 1;
	for (int i = 0; i < 200; i++) {  /* 200 KiB, past the threshold */
		rec_meta_begin(&o.w);
		rec_meta_str(&o.w, "argv", big);
		assert_int_equal(rec_finish(&o.w), 0);
	}
	assert_int_equal(o.w.flushed, 0);
	assert_int_equal(lseek(o.fd, 0, SEEK_END), 0);
	rec_writer_discard(&o.w);
	assert_int_equal(o.w.records, 0);

	o.w.hold = 0;
	for (int i = 0; i < 100; i++) {
		rec_meta_begin(&o.w);
		rec_meta_str(&o.w, "argv", big);
		assert_int_equal(rec_finish(&o.w), 0);
	}
	assert_true(o.w.flushed > 0);
	rec_writer_release(&o.w);
	close(o.fd);
}

static void test_flush_threshold(void **state)
{
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	uint64_t total = REC_HEADER_SIZE;
	uint32_t written = 0;

	(void)state;
	out_init(&o);
	/* 16 bytes, so that 32-byte RUN_BEGINs end exactly on the threshold. */
	rec_begin(&o.w, 99);
	rec_put_u64(&o.w, 0);
	assert_int_equal(rec_finish(&o.w), 0);
	total += 16;
	while (total + 32 <= REC_WRITER_FLUSH_SIZE) {
		assert_int_equal(rec_write_run_begin(&o.w, &sample_begin), 0);
		total += 32;
		written++;
		assert_int_equal(o.w.flushed, 0);
		assert_int_equal(o.w.len, total);
	}
	/* Holding exactly the threshold is not more than it. */
	assert_int_equal(total, REC_WRITER_FLUSH_SIZE);
	assert_int_equal(fd_size(o.fd), 0);
	/* The record that takes the buffer past the threshold flushes it. */
	assert_int_equal(rec_write_run_begin(&o.w, &sample_begin), 0);
	total += 32;
	written++;
	assert_int_equal(o.w.flushed, total);
	assert_int_equal(o.w.len, 0);
	assert_int_equal(fd_size(o.fd), total);

	/* An explicit flush writes even one small record. */
	assert_int_equal(rec_write_run_begin(&o.w, &sample_begin), 0);
	assert_int_equal(rec_writer_flush(&o.w), 0);
	total += 32;
	written++;
	assert_int_equal(o.w.flushed, total);
	assert_int_equal(rec_writer_flush(&o.w), 0); /* nothing to do */
	assert_int_equal(o.w.flushed, total);

	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);
	assert_int_equal(in_open(&in, &file), REC_OK);
	next_ok(&in, &rec, 99);
	for (uint32_t i = 0; i < written; i++)
		next_ok(&in, &rec, REC_RUN_BEGIN);
	expect_done(&in, written + 1);
	in_close(&in);
	bytes_release(&file);
}

/* A flush in the middle of a record writes only the records before it. */
static void test_flush_keeps_open_record(void **state)
{
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;
	struct rec_meta_entry e;
	size_t pos = 0;

	(void)state;
	out_init(&o);
	assert_int_equal(rec_write_run_begin(&o.w, &sample_begin), 0);
	rec_meta_begin(&o.w);
	rec_meta_u64(&o.w, "a", 1);
	assert_int_equal(rec_writer_flush(&o.w), 0);
	assert_int_equal(o.w.flushed, REC_HEADER_SIZE + 32);
	assert_int_equal(fd_size(o.fd), REC_HEADER_SIZE + 32);
	rec_meta_u64(&o.w, "b", 2);
	assert_int_equal(rec_finish(&o.w), 0);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);

	assert_int_equal(in_open(&in, &file), REC_OK);
	next_ok(&in, &rec, REC_RUN_BEGIN);
	next_ok(&in, &rec, REC_META);
	assert_int_equal(rec_meta_next(&rec, &pos, &e), 1);
	assert_string_equal(e.key, "a");
	assert_int_equal(rec_meta_next(&rec, &pos, &e), 1);
	assert_string_equal(e.key, "b");
	assert_int_equal(rec_meta_next(&rec, &pos, &e), 0);
	expect_done(&in, 2);
	in_close(&in);
	bytes_release(&file);
}

static void test_discard(void **state)
{
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;

	(void)state;
	/* Nothing flushed: the fd never sees a byte. */
	out_init(&o);
	write_sample(&o.w);
	rec_writer_discard(&o.w);
	assert_int_equal(o.w.records, 0);
	assert_int_equal(o.w.flushed, 0);
	rec_writer_release(&o.w);
	assert_int_equal(fd_size(o.fd), 0);
	close(o.fd);

	/* A writer that goes on after a discard still makes a good file. */
	out_init(&o);
	assert_int_equal(rec_write_run_begin(&o.w, &sample_begin), 0);
	rec_writer_discard(&o.w);
	assert_int_equal(o.w.len, REC_HEADER_SIZE);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);
	assert_int_equal(in_open(&in, &file), REC_OK);
	expect_done(&in, 0);
	in_close(&in);
	bytes_release(&file);

	/* After a flush: only what followed it goes, the open record too. */
	out_init(&o);
	assert_int_equal(rec_write_event(&o.w, &sample_events[0]), 0);
	assert_int_equal(rec_writer_flush(&o.w), 0);
	assert_int_equal(rec_write_run_begin(&o.w, &sample_begin), 0);
	assert_int_equal(rec_write_run_begin(&o.w, &sample_begin), 0);
	rec_meta_begin(&o.w);
	rec_meta_u64(&o.w, "half", 1);
	rec_writer_discard(&o.w);
	assert_int_equal(o.w.records, 1);
	assert_int_equal(o.w.len, 0);
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);
	assert_int_equal(in_open(&in, &file), REC_OK);
	next_ok(&in, &rec, REC_EVENT);
	expect_done(&in, 1);
	in_close(&in);
	bytes_release(&file);
}

/* Every call after a failed write returns the same error. */
static void expect_sticky(struct rec_writer *w, int err)
{
	uint64_t flushed = w->flushed;

	assert_int_equal(w->error, err);
	assert_int_equal(rec_writer_flush(w), -err);
	assert_int_equal(rec_write_run_begin(w, &sample_begin), -err);
	assert_int_equal(rec_write_counts(w, 0, 0, 0, sample_counts, 3), -err);
	rec_meta_begin(w);
	rec_meta_str(w, "k", "v");
	assert_int_equal(rec_finish(w), -err);
	assert_int_equal(rec_write_end(w, 0), -err);
	assert_int_equal(rec_writer_flush(w), -err);
	assert_int_equal(w->flushed, flushed);
}

static void test_write_error_full_disk(void **state)
{
	struct rec_writer w;
	int fd = open("/dev/full", O_WRONLY);

	(void)state;
	if (fd < 0) {
		print_message("skipped: cannot open /dev/full: %s\n", strerror(errno));
		skip();
	}
	assert_int_equal(rec_writer_init(&w, fd), 0);
	assert_int_equal(rec_write_run_begin(&w, &sample_begin), 0);
	assert_int_equal(rec_writer_flush(&w), -ENOSPC);
	assert_int_equal(w.flushed, 0);
	expect_sticky(&w, ENOSPC);
	rec_writer_release(&w);

	/* The same error from the flush that rec_finish() does itself. */
	assert_int_equal(rec_writer_init(&w, fd), 0);
	for (;;) {
		int err = rec_write_run_begin(&w, &sample_begin);

		if (err) {
			assert_int_equal(err, -ENOSPC);
			break;
		}
		assert_true(w.len <= REC_WRITER_FLUSH_SIZE);
	}
	expect_sticky(&w, ENOSPC);
	rec_writer_discard(&w); /* harmless after an error */
	rec_writer_release(&w);
	close(fd);
}

static void test_write_error_closed_pipe(void **state)
{
	struct rec_writer w;
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old;
	int fds[2];

	(void)state;
	assert_int_equal(sigaction(SIGPIPE, &ignore, &old), 0);
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	assert_int_equal(rec_writer_init(&w, fds[1]), 0);
	assert_int_equal(rec_write_end(&w, 0), 0);
	assert_int_equal(rec_writer_flush(&w), -EPIPE);
	expect_sticky(&w, EPIPE);
	rec_writer_release(&w);
	close(fds[1]);
	assert_int_equal(sigaction(SIGPIPE, &old, NULL), 0);
}

static void test_write_error_bad_fd(void **state)
{
	struct rec_writer w;

	(void)state;
	assert_int_equal(rec_writer_init(&w, -1), 0);
	assert_int_equal(rec_writer_flush(&w), -EBADF);
	expect_sticky(&w, EBADF);
	rec_writer_release(&w);
	rec_writer_release(&w); /* twice is harmless */
}

/* ---- Signals: EINTR, short reads and short writes ---- */

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* SIGALRM every 200 us, without SA_RESTART: read(2)/write(2) get EINTR. */
static void interrupts_start(struct sigaction *old)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = {
		.it_interval = { 0, 200 }, .it_value = { 0, 200 },
	};

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, old), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static void interrupts_stop(const struct sigaction *old)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	struct sigaction ignore = { .sa_handler = SIG_IGN };

	assert_int_equal(setitimer(ITIMER_REAL, &off, NULL), 0);
	/* Ignoring discards a SIGALRM still pending (valgrind delivers them
	 * late), which the old action, the default, would die of. */
	assert_int_equal(sigaction(SIGALRM, &ignore, NULL), 0);
	assert_int_equal(sigaction(SIGALRM, old, NULL), 0);
}

static void test_interrupted_io(void **state)
{
	const uint32_t nr = 2000; /* 64 KiB records: each fills the pipe */
	struct rec_count *values;
	struct bytes file = { 0 };
	struct sigaction old;
	struct rec_writer w;
	struct in in = { 0 };
	struct rec rec;
	struct rec_counts c;
	int fds[2], copy = memfd();
	pid_t pid;

	(void)state;

	/*
	 * Children are forked before the timer starts: the kernel restarts a
	 * fork that a signal interrupts, and under valgrind a fork takes
	 * longer than the timer's interval, so it would never finish.
	 */

	/* Writing: a slow child copies the pipe into a memfd. */
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		unsigned char buf[1000];
		ssize_t n;

		close(fds[1]);
		while ((n = read(fds[0], buf, sizeof(buf))) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 || write(copy, buf, (size_t)n) != n)
				_exit(1);
			usleep(10);
		}
		_exit(0);
	}
	close(fds[0]);
	/*
	 * Allocated after the fork: the child's branch never returns, so an
	 * optimising compiler keeps no pointer to a block allocated before
	 * it, and valgrind --leak-check would find the block lost in the
	 * child when it exits (with --error-exitcode, the child exits 1).
	 */
	values = calloc(nr, sizeof(*values));
	assert_non_null(values);
	interrupts_start(&old);
	assert_int_equal(rec_writer_init(&w, fds[1]), 0);
	for (uint32_t i = 0; i < 20; i++) {
		values[0].value = i;
		assert_int_equal(rec_write_counts(&w, i, 0, 0, values, nr), 0);
	}
	assert_int_equal(rec_write_end(&w, 0), 0);
	assert_int_equal(rec_writer_flush(&w), 0);
	interrupts_stop(&old);
	rec_writer_release(&w);
	close(fds[1]);
	reap(pid);
	slurp(copy, &file);
	close(copy);
	assert_int_equal(file.len, w.flushed);
	assert_true(alarms > 0);

	/* Reading: a slow child feeds the pipe. */
	alarms = 0;
	assert_int_equal(pipe(fds), 0);
	in.feeder = spawn_feeder(fds[1], &file, 3000, 10);
	close(fds[1]);
	in.fd = fds[0];
	interrupts_start(&old);
	assert_int_equal(rec_reader_open(&in.r, in.fd), REC_OK);
	for (uint32_t i = 0; i < 20; i++) {
		struct rec_count v;

		next_ok(&in, &rec, REC_COUNTS);
		assert_int_equal(rec_decode_counts(&rec, &c), 0);
		assert_int_equal(c.nr, nr);
		rec_counts_get(&c, 0, &v);
		assert_int_equal(v.value, i);
	}
	expect_done(&in, 20);
	interrupts_stop(&old);
	assert_true(alarms > 0);
	in_close(&in);

	bytes_release(&file);
	free(values);
}

/* ---- Format 1.5: sampled instruction pointers ---- */

static void test_mmap_bytes(void **state)
{
	static const unsigned char want[] = {
		16, 0, 0, 0,  120, 0, 0, 0,                       /* frame */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,   /* time_ns */
		0x0d, 0x0c, 0x0b, 0x0a,                           /* pid */
		0x0e, 0x0c, 0x0b, 0x0a,                           /* tid */
		0, 0x10, 0x40, 0, 0, 0, 0, 0,                     /* start */
		0, 0x20, 0, 0, 0, 0, 0, 0,                        /* len */
		0, 0x10, 0, 0, 0, 0, 0, 0,                        /* pgoff */
		5, 0, 0, 0,                                       /* prot */
		3, 0, 0, 0,                                       /* flags */
		1, 0, 0, 0, 8, 0, 0, 0,                           /* dev 8:1 */
		0x2a, 0, 0, 0, 0, 0, 0, 0,                        /* ino */
		0, 0x30, 0, 0, 0, 0, 0, 0,                        /* size */
		9, 0, 0, 0, 0, 0, 0, 0x10,                        /* mtime_ns */
		3, 0, 0, 0,                                       /* build-id size */
		0xab, 0xcd, 0xef, 0, 0, 0, 0, 0, 0, 0,            /* build-id */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		5, 0,  '/', 'b', 'i', 'n', 'x', 0,                /* filename */
	};
	const struct rec_mmap m = {
		.time_ns = 0x0102030405060708ull, .pid = 0x0a0b0c0d,
		.tid = 0x0a0b0c0e, .start = 0x401000, .len = 0x2000,
		.pgoff = 0x1000, .prot = 5,
		.flags = REC_MMAP_F_BUILD_ID | REC_MMAP_F_STAT,
		.dev = 8ull << 32 | 1, .ino = 42, .size = 0x3000,
		.mtime_ns = 0x1000000000000009ull, .build_id_size = 3,
		.build_id = { 0xab, 0xcd, 0xef }, .filename = "/binx",
	};
	struct out o;

	(void)state;
	out_init(&o);
	assert_int_equal(rec_write_mmap(&o.w, &m), 0);
	expect_written(&o, want, sizeof(want));
}

static void test_sample_bytes(void **state)
{
	static const unsigned char want[] = {
		17, 0, 0, 0,  48, 0, 0, 0,                        /* frame */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,   /* time_ns */
		0x0d, 0x0c, 0x0b, 0x0a,                           /* pid */
		0x0e, 0x0c, 0x0b, 0x0a,                           /* tid */
		1, 0, 0, 0,                                       /* cpu */
		2, 0,  1, 0,                                      /* nr, kernel */
		0x10, 0, 0, 0x81, 0xff, 0xff, 0xff, 0xff,         /* addrs */
		0x34, 0x12, 0x40, 0, 0, 0, 0, 0,
	};
	const struct rec_sample sa = {
		.time_ns = 0x0102030405060708ull, .pid = 0x0a0b0c0d,
		.tid = 0x0a0b0c0e, .cpu = 1, .nr = 2, .nr_kernel = 1,
	};
	const uint64_t addrs[] = { 0xffffffff81000010ull, 0x401234 };
	struct out o;

	(void)state;
	out_init(&o);
	assert_int_equal(rec_write_sample(&o.w, &sa, addrs), 0);
	expect_written(&o, want, sizeof(want));
}

static void assert_mmap_equal(const struct rec_mmap *got,
			      const struct rec_mmap *want)
{
	assert_true(got->time_ns == want->time_ns);
	assert_int_equal(got->pid, want->pid);
	assert_int_equal(got->tid, want->tid);
	assert_true(got->start == want->start);
	assert_true(got->len == want->len);
	assert_true(got->pgoff == want->pgoff);
	assert_int_equal(got->prot, want->prot);
	assert_int_equal(got->flags, want->flags);
	assert_true(got->dev == want->dev);
	assert_true(got->ino == want->ino);
	assert_true(got->size == want->size);
	assert_true(got->mtime_ns == want->mtime_ns);
	assert_int_equal(got->build_id_size, want->build_id_size);
	assert_memory_equal(got->build_id, want->build_id, want->build_id_size);
	assert_string_equal(got->filename, want->filename ? want->filename : "");
}

/*
 * The three records of a sampled run, with every field set, edge values
 * and NULL strings; a sample with the longest chain; from a file and
 * through a pipe.
 */
static void test_sampling_round_trip(void **state)
{
	static uint64_t chain[REC_SAMPLE_MAX_ADDRS];
	const struct rec_sampling sgs[] = {
		{ .time_ns = 10, .run = 1, .kind = REC_SAMPLING_BEGIN,
		  .frequency = 999,
		  .flags = REC_SAMPLING_F_CALLCHAIN | REC_SAMPLING_F_BUILD_ID,
		  .boot_id = "0b7e5c1a-4b1f-4c3b-9e0a-3f1f2d6c7a11", .why = "" },
		{ .time_ns = UINT64_MAX, .run = UINT32_MAX, .kind = UINT32_MAX,
		  .status = UINT32_MAX, .frequency = UINT32_MAX,
		  .flags = UINT32_MAX, .error = INT32_MIN,
		  .samples = UINT64_MAX, .lost = UINT64_MAX - 1,
		  .throttled = UINT64_MAX - 2 },
	};
	const struct rec_mmap mms[] = {
		{ .time_ns = 11, .pid = 100, .tid = 100, .start = 0x55550000,
		  .len = 0x1000, .pgoff = 0, .prot = 5,
		  .flags = REC_MMAP_F_BUILD_ID, .build_id_size = 20,
		  .build_id = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
				15, 16, 17, 18, 19, 20 },
		  .filename = "/usr/lib/x86_64-linux-gnu/libc.so.6" },
		{ .time_ns = UINT64_MAX, .pid = UINT32_MAX, .tid = UINT32_MAX,
		  .start = UINT64_MAX, .len = UINT64_MAX, .pgoff = UINT64_MAX,
		  .prot = UINT32_MAX, .flags = REC_MMAP_F_STAT,
		  .dev = UINT64_MAX, .ino = UINT64_MAX, .size = UINT64_MAX,
		  .mtime_ns = UINT64_MAX, .filename = NULL },
	};
	const struct rec_sample sas[] = {
		{ .time_ns = 12, .pid = 100, .tid = 101, .cpu = 0, .nr = 1 },
		{ .time_ns = 13, .pid = 100, .tid = 100, .cpu = UINT32_MAX,
		  .nr = REC_SAMPLE_MAX_ADDRS, .nr_kernel = 7 },
	};
	struct out o;
	struct bytes file = { 0 };
	struct in in;
	struct rec rec;

	(void)state;
	for (size_t i = 0; i < REC_SAMPLE_MAX_ADDRS; i++)
		chain[i] = 0x8000000000000000ull | (i * 0x10001);
	out_init(&o);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(rec_write_sampling(&o.w, &sgs[i]), 0);
		assert_int_equal(rec_write_mmap(&o.w, &mms[i]), 0);
		assert_int_equal(rec_write_sample(&o.w, &sas[i], chain), 0);
	}
	assert_int_equal(rec_write_end(&o.w, 0), 0);
	out_finish(&o, &file);

	for (int pipe = 0; pipe < 2; pipe++) {
		if (pipe)
			assert_int_equal(in_open_pipe(&in, &file, 4093, 0), REC_OK);
		else
			assert_int_equal(in_open(&in, &file), REC_OK);
		for (size_t i = 0; i < 2; i++) {
			struct rec_sampling sg;
			struct rec_mmap mm;
			struct rec_sample sa;

			next_ok(&in, &rec, REC_SAMPLING);
			memset(&sg, 0xa5, sizeof(sg));
			assert_int_equal(rec_decode_sampling(&rec, &sg), 0);
			assert_true(sg.time_ns == sgs[i].time_ns);
			assert_int_equal(sg.run, sgs[i].run);
			assert_int_equal(sg.kind, sgs[i].kind);
			assert_int_equal(sg.status, sgs[i].status);
			assert_int_equal(sg.frequency, sgs[i].frequency);
			assert_int_equal(sg.flags, sgs[i].flags);
			assert_int_equal(sg.error, sgs[i].error);
			assert_true(sg.samples == sgs[i].samples);
			assert_true(sg.lost == sgs[i].lost);
			assert_true(sg.throttled == sgs[i].throttled);
			assert_string_equal(sg.boot_id,
					    sgs[i].boot_id ? sgs[i].boot_id : "");
			assert_string_equal(sg.why, sgs[i].why ? sgs[i].why : "");

			next_ok(&in, &rec, REC_MMAP);
			memset(&mm, 0xa5, sizeof(mm));
			assert_int_equal(rec_decode_mmap(&rec, &mm), 0);
			assert_mmap_equal(&mm, &mms[i]);
			assert_in_payload(&rec, mm.filename);

			next_ok(&in, &rec, REC_SAMPLE);
			memset(&sa, 0xa5, sizeof(sa));
			assert_int_equal(rec_decode_sample(&rec, &sa), 0);
			assert_true(sa.time_ns == sas[i].time_ns);
			assert_int_equal(sa.pid, sas[i].pid);
			assert_int_equal(sa.tid, sas[i].tid);
			assert_int_equal(sa.cpu, sas[i].cpu);
			assert_int_equal(sa.nr, sas[i].nr);
			assert_int_equal(sa.nr_kernel, sas[i].nr_kernel);
			for (size_t k = 0; k < sa.nr; k++)
				assert_true(rec_sample_addr(&sa, k) == chain[k]);
		}
		expect_done(&in, 6);
		in_close(&in);
	}
	bytes_release(&file);
}

/* A decoder on a copy of exactly size bytes, so ASan sees overreads. */
static int decode_exact(uint32_t type, const unsigned char *p, size_t size)
{
	unsigned char *copy = malloc(size ? size : 1);
	struct rec_sampling sg;
	struct rec_mmap mm;
	struct rec_sample sa;
	struct rec rec;
	int ret = -1;

	assert_non_null(copy);
	memcpy(copy, p, size);
	rec = rec_of(type, copy, size);
	switch (type) {
	case REC_SAMPLING:
		ret = rec_decode_sampling(&rec, &sg);
		if (!ret) {
			assert_in_payload(&rec, sg.boot_id);
			assert_in_payload(&rec, sg.why);
		}
		break;
	case REC_MMAP:
		ret = rec_decode_mmap(&rec, &mm);
		if (!ret)
			assert_in_payload(&rec, mm.filename);
		break;
	case REC_SAMPLE:
		ret = rec_decode_sample(&rec, &sa);
		if (!ret)
			for (uint16_t i = 0; i < sa.nr; i++)
				(void)rec_sample_addr(&sa, i);
		break;
	}
	free(copy);
	return ret;
}

static void test_decode_bad_sampling(void **state)
{
	unsigned char p[256] = { 0 };

	(void)state;
	/* SAMPLING: the fixed part and two empty strings, 62 bytes. */
	for (size_t size = 0; size < 62; size++)
		assert_int_equal(decode_exact(REC_SAMPLING, p, size), -1);
	assert_int_equal(decode_exact(REC_SAMPLING, p, 62), 0);
	put_u32(p + 56, 1000);  /* boot_id past the end */
	assert_int_equal(decode_exact(REC_SAMPLING, p, 62), -1);
	memset(p, 0, sizeof(p));

	/* MMAP: the fixed part and an empty name, 107 bytes. */
	for (size_t size = 0; size < 107; size++)
		assert_int_equal(decode_exact(REC_MMAP, p, size), -1);
	assert_int_equal(decode_exact(REC_MMAP, p, 107), 0);
	p[80] = REC_BUILD_ID_MAX + 1;
	assert_int_equal(decode_exact(REC_MMAP, p, 107), -1);
	p[80] = REC_BUILD_ID_MAX;
	assert_int_equal(decode_exact(REC_MMAP, p, 107), 0);
	put_u32(p + 104, 0xffff);  /* str16: only the low half is the length */
	assert_int_equal(decode_exact(REC_MMAP, p, 107), -1);
	memset(p, 0, sizeof(p));

	/* SAMPLE: nr 0, nr_kernel > nr, addresses cut off. */
	assert_int_equal(decode_exact(REC_SAMPLE, p, 24), -1);
	p[20] = 2;
	for (size_t size = 0; size < 40; size++)
		assert_int_equal(decode_exact(REC_SAMPLE, p, size), -1);
	assert_int_equal(decode_exact(REC_SAMPLE, p, 40), 0);
	p[22] = 3;
	assert_int_equal(decode_exact(REC_SAMPLE, p, 40), -1);
	p[22] = 2;
	assert_int_equal(decode_exact(REC_SAMPLE, p, 40), 0);
	p[20] = 0xff;
	p[21] = 0xff;
	assert_int_equal(decode_exact(REC_SAMPLE, p, sizeof(p)), -1);
	/* Bytes after the addresses: a newer minor's fields. */
	p[20] = 1;
	p[21] = 0;
	p[22] = 0;
	assert_int_equal(decode_exact(REC_SAMPLE, p, 64), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_bytes),
		cmocka_unit_test(test_run_begin_bytes),
		cmocka_unit_test(test_meta_entry_bytes),
		cmocka_unit_test(test_meta_round_trip),
		cmocka_unit_test(test_empty_meta),
		cmocka_unit_test(test_event_round_trip),
		cmocka_unit_test(test_run_begin_round_trip),
		cmocka_unit_test(test_run_begin_before_variants),
		cmocka_unit_test(test_counts_round_trip_empty),
		cmocka_unit_test(test_counts_round_trip_one),
		cmocka_unit_test(test_counts_round_trip_many),
		cmocka_unit_test(test_run_end_round_trip),
		cmocka_unit_test(test_end_round_trip),
		cmocka_unit_test(test_whole_file),
		cmocka_unit_test(test_read_through_pipe),
		cmocka_unit_test(test_pipe_cut_off),
		cmocka_unit_test(test_pipe_live),
		cmocka_unit_test(test_memory_does_not_grow),
		cmocka_unit_test(test_large_record_grows_buffers),
		cmocka_unit_test(test_record_at_max_size),
		cmocka_unit_test(test_record_too_large),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_newer_major),
		cmocka_unit_test(test_header_cut_off),
		cmocka_unit_test(test_header_size_bad),
		cmocka_unit_test(test_newer_minor),
		cmocka_unit_test(test_record_cut_off),
		cmocka_unit_test(test_no_end_record),
		cmocka_unit_test(test_cut_at_every_length),
		cmocka_unit_test(test_corrupt_every_byte),
		cmocka_unit_test(test_unknown_type_skipped),
		cmocka_unit_test(test_frame_size_too_small),
		cmocka_unit_test(test_frame_size_too_large),
		cmocka_unit_test(test_frame_size_past_end),
		cmocka_unit_test(test_end_record_too_short),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_decode_short_payloads),
		cmocka_unit_test(test_decode_bad_strings),
		cmocka_unit_test(test_decode_bad_counts),
		cmocka_unit_test(test_decode_bad_meta),
		/* Format 1.1: the process tree and memory. */
		cmocka_unit_test(test_task_bytes),
		cmocka_unit_test(test_lost_bytes),
		cmocka_unit_test(test_procs_bytes),
		cmocka_unit_test(test_proc_exit_bytes),
		cmocka_unit_test(test_mem_source_bytes),
		cmocka_unit_test(test_mem_bytes),
		cmocka_unit_test(test_task_round_trip),
		cmocka_unit_test(test_lost_round_trip),
		cmocka_unit_test(test_procs_round_trip_empty),
		cmocka_unit_test(test_procs_round_trip_one),
		cmocka_unit_test(test_procs_round_trip_many),
		cmocka_unit_test(test_procs_largest),
		cmocka_unit_test(test_proc_exit_round_trip),
		cmocka_unit_test(test_mem_source_round_trip),
		cmocka_unit_test(test_mem_round_trip),
		cmocka_unit_test(test_decode_short_new_records),
		cmocka_unit_test(test_decoders_check_type),
		cmocka_unit_test(test_decode_bad_task_strings),
		cmocka_unit_test(test_decode_bad_mem_source_strings),
		cmocka_unit_test(test_decode_bad_procs),
		cmocka_unit_test(test_newer_minor_new_records),
		/* Format 1.3: repeated runs, CPU sets and per-CPU counts. */
		cmocka_unit_test(test_cpu_counts_bytes),
		cmocka_unit_test(test_variant_bytes),
		cmocka_unit_test(test_cpu_counts_round_trip_empty),
		cmocka_unit_test(test_cpu_counts_round_trip_one),
		cmocka_unit_test(test_cpu_counts_round_trip_many),
		cmocka_unit_test(test_variant_round_trip),
		cmocka_unit_test(test_decode_short_1_3_records),
		cmocka_unit_test(test_decode_bad_variant),
		cmocka_unit_test(test_newer_minor_1_3_records),
		/* Format 1.4: a server recorded under load. */
		cmocka_unit_test(test_load_bytes),
		cmocka_unit_test(test_load_round_trip),
		cmocka_unit_test(test_decode_bad_load),
		cmocka_unit_test(test_newer_minor_1_4_records),
		/* Writer behaviour. */
		cmocka_unit_test(test_flush_threshold),
		cmocka_unit_test(test_hold),
		cmocka_unit_test(test_flush_keeps_open_record),
		cmocka_unit_test(test_discard),
		cmocka_unit_test(test_write_error_full_disk),
		cmocka_unit_test(test_write_error_closed_pipe),
		cmocka_unit_test(test_write_error_bad_fd),
		cmocka_unit_test(test_interrupted_io),
		cmocka_unit_test(test_mmap_bytes),
		cmocka_unit_test(test_sample_bytes),
		cmocka_unit_test(test_sampling_round_trip),
		cmocka_unit_test(test_decode_bad_sampling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
