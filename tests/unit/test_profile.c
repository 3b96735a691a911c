/*
 * test_profile.c - unit tests of report/profile.c: a recording's TASK,
 * MMAP and SAMPLE records replayed into functions, per command and in
 * call stacks.
 *
 * The recordings are written with the real writer into a memfd and read
 * back through summary_read_with(), as `pprobe report` reads a file. The
 * ELF file they map is this test binary itself, so resolving is real:
 * the addresses sampled are those the loader gave fn_alpha and fn_beta
 * below, and the mapping that holds them is the one /proc/self/maps
 * shows (start, end, file offset, path). A recording is free to map that
 * file at any address in any made-up process: the profile only does the
 * arithmetic the MMAP record asks for.
 *
 * Covered: resolution; FORK copying the parent's mappings (deeply: the
 * child's later MMAP leaves the parent's alone), EXEC clearing them,
 * threads sharing their process's, COMM renaming, EXIT of the main
 * thread forgetting the process, hundreds of processes born and gone;
 * mappings laid over others (split, cut at either end, wholly covered);
 * anonymous memory, whatever the kernel calls it; warm-up runs left out and pids starting afresh each run; kernel
 * addresses with a kallsyms of our own and from another boot; the vDSO;
 * call chains (self, total, recursion, folded stacks); files that are
 * gone or changed; and the tables' order and truncation. Results are
 * compared as text: one line per row, command or stack.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile.h"
#include "recfile.h"
#include "scratch_dir.h"
#include "summary.h"
#include "symbols.h"

/*
 * The functions the recordings sample. Global, so .symtab names them,
 * and never inlined; the nops make each long enough that every offset
 * the tests use (up to 0x30) lies inside it whatever the compiler puts
 * around them.
 */
void fn_alpha(void);
void fn_beta(void);

__attribute__((noinline)) void fn_alpha(void)
{
	__asm__ volatile(".rept 64\n\tnop\n\t.endr");
}

__attribute__((noinline)) void fn_beta(void)
{
	__asm__ volatile(".rept 64\n\tnop\n\t.endr");
}

/* The module name the profile gives this binary: the CMake target's. */
#define MODULE "test_profile"

/* A boot id that is not this machine's. */
#define OTHER_BOOT "00000000-0000-0000-0000-000000000000"

struct mapping {
	uint64_t start, end, pgoff;
	char path[PATH_MAX];
};

/* What the tests know of this process, found once before them. */
static struct {
	uint64_t alpha, beta;     /* the functions' addresses */
	struct mapping text;      /* the mapping of this file holding both */
	char boot_id[64];         /* this boot's, "" when unreadable */
} self;

/* ---- this process, from /proc ---- */

/* Parses a line of /proc/PID/maps. Returns 1 when it maps a file. */
static int parse_mapping(const char *line, struct mapping *m)
{
	unsigned long long start, end, pgoff;
	size_t len;
	int n = 0;

	if (sscanf(line, "%llx-%llx %*s %llx %*x:%*x %*u %n", &start, &end,
		   &pgoff, &n) < 3 || !n || line[n] != '/')
		return 0;
	len = strcspn(line + n, "\n");
	if (len >= sizeof(m->path))
		return 0;
	memcpy(m->path, line + n, len);
	m->path[len] = '\0';
	m->start = start;
	m->end = end;
	m->pgoff = pgoff;
	return 1;
}

static int find_self(void **state)
{
	FILE *maps = fopen("/proc/self/maps", "re");
	FILE *boot = fopen("/proc/sys/kernel/random/boot_id", "re");
	char line[PATH_MAX + 128];
	const char *slash;
	int found = 0;

	(void)state;
	self.alpha = (uint64_t)(uintptr_t)fn_alpha;
	self.beta = (uint64_t)(uintptr_t)fn_beta;
	if (!maps)
		return -1;
	while (!found && fgets(line, sizeof(line), maps))
		found = parse_mapping(line, &self.text) &&
			self.alpha >= self.text.start && self.alpha < self.text.end;
	fclose(maps);
	/* Both in .text, so in one mapping; and the binary must be named as
	 * the expected rows say. */
	if (!found || self.beta < self.text.start || self.beta >= self.text.end) {
		fprintf(stderr, "fn_alpha and fn_beta are not in one file mapping\n");
		return -1;
	}
	slash = strrchr(self.text.path, '/');
	if (strcmp(slash ? slash + 1 : self.text.path, MODULE)) {
		fprintf(stderr, "this binary is '%s', not '" MODULE "'\n",
			self.text.path);
		return -1;
	}
	if (boot) {
		if (fgets(self.boot_id, sizeof(self.boot_id), boot))
			self.boot_id[strcspn(self.boot_id, "\n")] = '\0';
		fclose(boot);
	}
	return 0;
}

/* ---- recordings ---- */

struct recording {
	int fd;
	struct rec_writer w;
	uint64_t now;       /* time_ns of the next record */
	uint32_t run;       /* index of the next run */
};

static void recording_start(struct recording *r)
{
	r->fd = memfd_create("test_profile", 0);
	assert_true(r->fd >= 0);
	assert_int_equal(rec_writer_init(&r->w, r->fd), 0);
	r->now = 1000;
	r->run = 0;
}

/* A run of pid 100, sampled: RUN_BEGIN, then SAMPLING's BEGIN with
 * boot_id (which decides whether kallsyms and the vDSO are read). */
static void run_begin(struct recording *r, uint32_t flags, const char *boot_id)
{
	assert_int_equal(rec_write_run_begin(&r->w, &(struct rec_run_begin){
		.time_ns = r->now++, .run = r->run, .pid = 100, .flags = flags,
	}), 0);
	assert_int_equal(rec_write_sampling(&r->w, &(struct rec_sampling){
		.time_ns = r->now++, .run = r->run, .kind = REC_SAMPLING_BEGIN,
		.status = REC_SAMPLING_RECORDING, .frequency = 997,
		.boot_id = boot_id,
	}), 0);
	r->run++;
}

static void task(struct recording *r, uint32_t kind, uint32_t pid,
		 uint32_t tid, uint32_t ppid, const char *comm)
{
	assert_int_equal(rec_write_task(&r->w, &(struct rec_task){
		.time_ns = r->now++, .kind = kind, .pid = pid, .tid = tid,
		.ppid = ppid, .ptid = ppid, .comm = comm,
	}), 0);
}

static void exec_task(struct recording *r, uint32_t pid, const char *comm)
{
	task(r, REC_TASK_EXEC, pid, pid, 0, comm);
}

/* A new process pid, forked by ppid. */
static void fork_task(struct recording *r, uint32_t pid, uint32_t ppid)
{
	task(r, REC_TASK_FORK, pid, pid, ppid, "");
}

/* A new thread tid of process pid: the kernel says ppid == pid. */
static void thread_task(struct recording *r, uint32_t pid, uint32_t tid)
{
	task(r, REC_TASK_FORK, pid, tid, pid, "");
}

static void exit_task(struct recording *r, uint32_t pid, uint32_t tid)
{
	task(r, REC_TASK_EXIT, pid, tid, 1, "");
}

static void mmap_record(struct recording *r, struct rec_mmap *m)
{
	m->time_ns = r->now++;
	if (!m->tid)
		m->tid = m->pid;
	m->prot = PROT_READ | PROT_EXEC;
	assert_int_equal(rec_write_mmap(&r->w, m), 0);
}

/* This binary's text mapping in pid, where the loader put it. Nothing
 * of the file's identity is given: nothing is checked. */
static void map_self(struct recording *r, uint32_t pid)
{
	mmap_record(r, &(struct rec_mmap){
		.pid = pid, .start = self.text.start,
		.len = self.text.end - self.text.start,
		.pgoff = self.text.pgoff, .filename = self.text.path,
	});
}

/* Anonymous executable memory (JIT code) over [start, end). */
static void map_anon(struct recording *r, uint32_t pid, uint64_t start,
		     uint64_t end)
{
	mmap_record(r, &(struct rec_mmap){
		.pid = pid, .start = start, .len = end - start,
		.filename = "//anon",
	});
}

/* A sample of thread tid of pid: nr addresses, leaf first, the first
 * nr_kernel of them in the kernel. */
static void sample(struct recording *r, uint32_t pid, uint32_t tid,
		   uint16_t nr_kernel, const uint64_t *addrs, uint16_t nr)
{
	assert_int_equal(rec_write_sample(&r->w, &(struct rec_sample){
		.time_ns = r->now++, .pid = pid, .tid = tid, .cpu = 0,
		.nr = nr, .nr_kernel = nr_kernel,
	}, addrs), 0);
}

#define ADDRS(...) ((const uint64_t[]){ __VA_ARGS__ })
#define NR_ADDRS(...) \
	((uint16_t)(sizeof(ADDRS(__VA_ARGS__)) / sizeof(uint64_t)))
/* A user-mode sample of pid's main thread, leaf first. */
#define SAMPLE(r, pid, ...) \
	sample(r, pid, pid, 0, ADDRS(__VA_ARGS__), NR_ADDRS(__VA_ARGS__))

/*
 * Ends the recording and replays it into a new profile (the caller frees
 * it), as the report does: the summary reads, the profile is its hook.
 */
static struct profile *recording_profile(struct recording *r, int stacks,
					 const char *kallsyms)
{
	struct profile *p = profile_new(stacks, kallsyms);
	struct summary s;

	assert_non_null(p);
	assert_int_equal(rec_write_end(&r->w, r->now++), 0);
	assert_int_equal(rec_writer_flush(&r->w), 0);
	rec_writer_release(&r->w);
	assert_int_equal(lseek(r->fd, 0, SEEK_SET), 0);
	assert_int_equal(summary_init(&s, "test.data"), 0);
	assert_int_equal(summary_read_with(&s, r->fd, profile_add, p), REC_DONE);
	summary_release(&s);
	close(r->fd);
	return p;
}

/* ---- the results, as text ---- */

/* "function module self total" per row, in the profile's order. */
static char *rows_text(const struct profile *p, const char *command,
		       size_t max)
{
	struct profile_row *rows;
	long n = profile_rows(p, command, max, &rows);
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	assert_true(n >= 0);
	assert_non_null(f);
	for (long i = 0; i < n; i++)
		fprintf(f, "%s %s %" PRIu64 " %" PRIu64 "\n", rows[i].function,
			rows[i].module, rows[i].self, rows[i].total);
	assert_int_equal(fclose(f), 0);
	free(rows);
	return text;
}

static void assert_rows(const struct profile *p, const char *command,
			size_t max, const char *expect)
{
	char *text = rows_text(p, command, max);

	assert_string_equal(text, expect);
	free(text);
}

/* "command samples" per command, in the profile's order. */
static void assert_commands(const struct profile *p, const char *expect)
{
	const char **commands;
	uint64_t *samples;
	long n = profile_commands(p, &commands, &samples);
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	assert_true(n >= 0);
	assert_non_null(f);
	for (long i = 0; i < n; i++)
		fprintf(f, "%s %" PRIu64 "\n", commands[i], samples[i]);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text, expect);
	free(text);
	free(commands);
	free(samples);
}

static void assert_folded(const struct profile *p, const char *expect)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	assert_non_null(f);
	assert_non_null(profile_stacks(p));
	assert_int_equal(stacks_write_folded(profile_stacks(p), f), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text, expect);
	free(text);
}

static void add_problem(void *arg, const char *path, const char *why)
{
	fprintf(arg, "%s: %s\n", path, why);
}

/* "path: why" per file that could not be resolved. */
static void assert_problems(const struct profile *p, const char *expect)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	assert_non_null(f);
	profile_problems(p, add_problem, f);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text, expect);
	free(text);
}

/* "MODULE+0x<file offset>": how an address of this file is named when
 * the file cannot be trusted. */
static void file_offset_name(uint64_t addr, char *out, size_t size)
{
	snprintf(out, size, MODULE "+0x%" PRIx64,
		 addr - self.text.start + self.text.pgoff);
}

/* The name of addr in this file, found without the profile: symbols.h
 * on the mapping as /proc/self/maps gives it. */
static void name_in_file(uint64_t addr, char *out, size_t size)
{
	struct sym_cache *c = sym_cache_new();
	struct sym_file *f;
	uint64_t vaddr, offset;
	const char *name;

	assert_non_null(c);
	f = sym_cache_file(c, self.text.path, NULL);
	assert_non_null(f);
	assert_int_equal(sym_file_status(f), SYM_OK);
	assert_int_equal(sym_file_vaddr(f, self.text.start, self.text.pgoff,
					addr, &vaddr), 0);
	name = sym_file_find(f, vaddr, &offset);
	if (name)
		snprintf(out, size, "%s", name);
	else
		snprintf(out, size, MODULE "+0x%" PRIx64, vaddr);
	sym_cache_free(c);
}

/* ---- the tests ---- */

static void test_empty(void **state)
{
	struct recording r;
	struct profile *p;

	(void)state;
	recording_start(&r);
	run_begin(&r, 0, self.boot_id);
	p = recording_profile(&r, 1, NULL);
	assert_int_equal(profile_samples(p), 0);
	assert_rows(p, NULL, 0, "");
	assert_rows(p, "app", 0, "");
	assert_commands(p, "");
	assert_folded(p, "");
	assert_problems(p, "");
	assert_int_equal(profile_has_callchains(p), 0);
	profile_free(p);
}

static void test_resolution(void **state)
{
	struct recording r;
	struct profile *p;

	(void)state;
	recording_start(&r);
	run_begin(&r, 0, self.boot_id);
	exec_task(&r, 100, "app");
	map_self(&r, 100);
	SAMPLE(&r, 100, self.alpha + 4);
	SAMPLE(&r, 100, self.beta + 1);
	SAMPLE(&r, 100, self.alpha + 4);
	SAMPLE(&r, 100, self.alpha + 0x30);
	/* A process pprobe saw no EXEC of (it was there before): its
	 * mappings still resolve, under no command. */
	map_self(&r, 200);
	SAMPLE(&r, 200, self.beta + 8);
	/* An address outside every mapping. */
	SAMPLE(&r, 100, 0x1000);
	p = recording_profile(&r, 0, NULL);
	assert_int_equal(profile_samples(p), 6);
	assert_rows(p, NULL, 0,
		    "fn_alpha " MODULE " 3 3\n"
		    "fn_beta " MODULE " 2 2\n"
		    "[unknown] [unknown] 1 1\n");
	assert_rows(p, "app", 0,
		    "fn_alpha " MODULE " 3 3\n"
		    "[unknown] [unknown] 1 1\n"
		    "fn_beta " MODULE " 1 1\n");
	assert_rows(p, "[unknown]", 0, "fn_beta " MODULE " 1 1\n");
	assert_rows(p, "nothing", 0, "");
	assert_commands(p, "app 5\n[unknown] 1\n");
	/* Without -g: no stacks, no call chains. */
	assert_null(profile_stacks(p));
	assert_int_equal(profile_has_callchains(p), 0);
	assert_problems(p, "");
	profile_free(p);
}

static void test_fork_and_exec(void **state)
{
	struct recording r;
	struct profile *p;

	(void)state;
	recording_start(&r);
	run_begin(&r, 0, self.boot_id);
	exec_task(&r, 100, "app");
	map_self(&r, 100);
	fork_task(&r, 101, 100);
	/* The child has its parent's mappings and command. */
	SAMPLE(&r, 101, self.alpha + 4);
	/* Its own mapping is its own: JIT code over fn_beta in the child
	 * leaves the parent's fn_beta where it was. */
	map_anon(&r, 101, self.beta, self.beta + 0x20);
	SAMPLE(&r, 101, self.beta + 1);
	SAMPLE(&r, 100, self.beta + 1);
	/* EXEC starts the child afresh: nothing mapped, a new command. */
	exec_task(&r, 101, "child");
	SAMPLE(&r, 101, self.alpha + 4);
	SAMPLE(&r, 101, self.beta + 1);
	/* The parent is untouched by it. */
	SAMPLE(&r, 100, self.alpha + 4);
	/* A parent the profile never heard of: no mappings, no command. */
	fork_task(&r, 102, 999);
	SAMPLE(&r, 102, self.alpha + 4);
	p = recording_profile(&r, 0, NULL);
	assert_int_equal(profile_samples(p), 7);
	assert_commands(p, "app 4\nchild 2\n[unknown] 1\n");
	assert_rows(p, "app", 0,
		    "fn_alpha " MODULE " 2 2\n"
		    "[anon] [anon] 1 1\n"
		    "fn_beta " MODULE " 1 1\n");
	assert_rows(p, "child", 0, "[unknown] [unknown] 2 2\n");
	assert_rows(p, "[unknown]", 0, "[unknown] [unknown] 1 1\n");
	profile_free(p);
}

static void test_threads(void **state)
{
	struct recording r;
	struct profile *p;

	(void)state;
	recording_start(&r);
	run_begin(&r, 0, self.boot_id);
	exec_task(&r, 100, "app");
	map_self(&r, 100);
	/* A thread is no new process: the process keeps its mappings. */
	thread_task(&r, 100, 102);
	sample(&r, 100, 102, 0, ADDRS(self.alpha + 4), 1);
	/* A thread maps for the whole process. */
	mmap_record(&r, &(struct rec_mmap){
		.pid = 100, .tid = 102, .start = self.beta, .len = 0x20,
		.filename = "//anon",
	});
	SAMPLE(&r, 100, self.beta + 1);
	/* A thread renaming itself does not rename the process... */
	task(&r, REC_TASK_COMM, 100, 102, 0, "worker");
	sample(&r, 100, 102, 0, ADDRS(self.alpha + 4), 1);
	/* ...nor does its end end the process. */
	exit_task(&r, 100, 102);
	SAMPLE(&r, 100, self.alpha + 4);
	/* The main thread renaming itself does. */
	task(&r, REC_TASK_COMM, 100, 100, 0, "renamed");
	sample(&r, 100, 103, 0, ADDRS(self.alpha + 4), 1);
	p = recording_profile(&r, 0, NULL);
	assert_int_equal(profile_samples(p), 5);
	assert_commands(p, "app 4\nrenamed 1\n");
	assert_rows(p, "app", 0,
		    "fn_alpha " MODULE " 3 3\n"
		    "[anon] [anon] 1 1\n");
	assert_rows(p, "renamed", 0, "fn_alpha " MODULE " 1 1\n");
	profile_free(p);
}

/*
 * Mappings laid over others, inside and between fn_alpha and fn_beta
 * so that every address's right name is known: the mapping split in two
 * (the part after keeps resolving only if its file offset moved with its
 * start), cut at its end and at its start, and wholly covered.
 */
static void test_overlap(void **state)
{
	const uint64_t a = self.alpha;
	const uint64_t lo = a < self.beta ? a : self.beta;
	const uint64_t hi = a < self.beta ? self.beta : a;
	struct recording r;
	struct profile *p;

	(void)state;
	recording_start(&r);
	run_begin(&r, 0, self.boot_id);
	exec_task(&r, 100, "split");
	map_self(&r, 100);
	map_anon(&r, 100, a + 0x10, a + 0x20);
	SAMPLE(&r, 100, a + 4);      /* before it */
	SAMPLE(&r, 100, a + 0x10);   /* its first byte */
	SAMPLE(&r, 100, a + 0x1f);   /* its last */
	SAMPLE(&r, 100, a + 0x20);   /* right after it, in the file */
	SAMPLE(&r, 100, a + 0x30);
	SAMPLE(&r, 100, self.beta + 1);

	/* Over the end of the first anon and the start of the file's tail,
	 * up to the later of the two functions: both cut, the tail's file
	 * offset moved on by all it lost (else the later function's
	 * address would be named as one in the earlier). */
	exec_task(&r, 101, "cut");
	map_self(&r, 101);
	map_anon(&r, 101, lo + 0x10, lo + 0x20);
	map_anon(&r, 101, lo + 0x18, hi);
	SAMPLE(&r, 101, lo + 0xc);
	SAMPLE(&r, 101, lo + 0x14);
	SAMPLE(&r, 101, lo + 0x1f);
	SAMPLE(&r, 101, hi - 1);
	SAMPLE(&r, 101, hi + 1);

	/* The file mapped again over all of it: the anons are gone. */
	exec_task(&r, 102, "covered");
	map_self(&r, 102);
	map_anon(&r, 102, a + 0x10, a + 0x20);
	map_anon(&r, 102, self.beta, self.beta + 0x10);
	map_self(&r, 102);
	SAMPLE(&r, 102, a + 0x18);
	SAMPLE(&r, 102, self.beta + 1);
	p = recording_profile(&r, 0, NULL);
	assert_rows(p, "split", 0,
		    "fn_alpha " MODULE " 3 3\n"
		    "[anon] [anon] 2 2\n"
		    "fn_beta " MODULE " 1 1\n");
	assert_rows(p, "cut", 0,
		    "[anon] [anon] 3 3\n"
		    "fn_alpha " MODULE " 1 1\n"
		    "fn_beta " MODULE " 1 1\n");
	assert_rows(p, "covered", 0,
		    "fn_alpha " MODULE " 1 1\n"
		    "fn_beta " MODULE " 1 1\n");
	profile_free(p);
}

/*
 * What the kernel names memory that is no file: some of those names
 * begin with '/' too, and must not be taken for files gone missing.
 */
static void test_anon_names(void **state)
{
	static const char *const names[] = {
		"//anon", "[stack]", "[heap]", "", "/memfd:jit (deleted)",
		"/dev/zero (deleted)", "/anon_hugepage (deleted)",
	};
	const size_t nr = sizeof(names) / sizeof(names[0]);
	struct recording r;
	struct profile *p;

	(void)state;
	recording_start(&r);
	run_begin(&r, 0, self.boot_id);
	exec_task(&r, 100, "jit");
	for (size_t i = 0; i < nr; i++) {
		mmap_record(&r, &(struct rec_mmap){
			.pid = 100, .start = 0x10000 * (i + 1), .len = 0x1000,
			.filename = names[i],
		});
		SAMPLE(&r, 100, 0x10000 * (i + 1) + 0x10);
	}
	p = recording_profile(&r, 0, NULL);
	assert_rows(p, NULL, 0, "[anon] [anon] 7 7\n");
	assert_problems(p, "");
	profile_free(p);
}

/*
 * The same with whole pages, as a JIT maps them: a page of the text
 * mapping (not its first or last) replaced. The addresses around it are
 * named as symbols.h names them on its own. Each sample is in a process
 * of its own command (a fork renamed: COMM keeps the mappings), so each
 * is checked alone.
 */
static void test_overlap_page(void **state)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t anon = self.text.start + page;
	char before[256], after[256], expect[600];
	struct recording r;
	struct profile *p;

	(void)state;
	if (self.text.end - self.text.start < 3 * page) {
		print_message("skipped: the text mapping has fewer than 3 pages\n");
		skip();
	}
	name_in_file(anon - 0x10, before, sizeof(before));
	name_in_file(anon + page + 0x10, after, sizeof(after));
	recording_start(&r);
	run_begin(&r, 0, self.boot_id);
	exec_task(&r, 100, "before");
	map_self(&r, 100);
	map_anon(&r, 100, anon, anon + page);
	fork_task(&r, 101, 100);
	task(&r, REC_TASK_COMM, 101, 101, 0, "inside");
	fork_task(&r, 102, 100);
	task(&r, REC_TASK_COMM, 102, 102, 0, "after");
	SAMPLE(&r, 100, anon - 0x10);
	SAMPLE(&r, 101, anon + 0x10);
	SAMPLE(&r, 102, anon + page + 0x10);
	p = recording_profile(&r, 0, NULL);
	snprintf(expect, sizeof(expect), "%s " MODULE " 1 1\n", before);
	assert_rows(p, "before", 0, expect);
	assert_rows(p, "inside", 0, "[anon] [anon] 1 1\n");
	snprintf(expect, sizeof(expect), "%s " MODULE " 1 1\n", after);
	assert_rows(p, "after", 0, expect);
	profile_free(p);
}

static void test_exit(void **state)
{
	struct recording r;
	struct profile *p;

	(void)state;
	recording_start(&r);
	run_begin(&r, 0, self.boot_id);
	exec_task(&r, 100, "app");
	map_self(&r, 100);
	SAMPLE(&r, 100, self.alpha + 4);
	/* The main thread may end first (pthread_exit() in main): its
	 * other threads are still the process, with its mappings. */
	thread_task(&r, 100, 101);
	exit_task(&r, 100, 100);
	sample(&r, 100, 101, 0, ADDRS(self.alpha + 4), 1);
	exit_task(&r, 100, 101);
	/* Gone with its last thread: a late sample of that pid has no
	 * process (and no command) to go to. */
	SAMPLE(&r, 100, self.alpha + 4);
	p = recording_profile(&r, 0, NULL);
	assert_commands(p, "app 2\n[unknown] 1\n");
	assert_rows(p, "app", 0, "fn_alpha " MODULE " 2 2\n");
	assert_rows(p, "[unknown]", 0, "[unknown] [unknown] 1 1\n");
	profile_free(p);
}

/*
 * Many processes at once, forked, exec'd and ended: the process table
 * grows, and processes leave it from the middle, so the others must
 * still be found with their own mappings afterwards.
 */
static void test_many_processes(void **state)
{
	struct recording r;
	struct profile *p;

	(void)state;
	recording_start(&r);
	run_begin(&r, 0, self.boot_id);
	exec_task(&r, 100, "app");
	map_self(&r, 100);
	for (uint32_t i = 0; i < 300; i++)
		fork_task(&r, 1000 + i, 100);
	for (uint32_t i = 0; i < 300; i++) {
		if (i % 2)
			exit_task(&r, 1000 + i, 1000 + i);
		else if (i % 3 == 0)
			exec_task(&r, 1000 + i, "child");
	}
	/* 150 ended, 50 exec'd (nothing mapped), 100 as forked. */
	for (uint32_t i = 0; i < 300; i++)
		SAMPLE(&r, 1000 + i, self.alpha + 4);
	p = recording_profile(&r, 0, NULL);
	assert_int_equal(profile_samples(p), 300);
	assert_commands(p, "[unknown] 150\napp 100\nchild 50\n");
	assert_rows(p, NULL, 0,
		    "[unknown] [unknown] 200 200\n"
		    "fn_alpha " MODULE " 100 100\n");
	assert_rows(p, "app", 0, "fn_alpha " MODULE " 100 100\n");
	profile_free(p);
}

static void test_warmup(void **state)
{
	struct recording r;
	struct profile *p;

	(void)state;
	recording_start(&r);
	run_begin(&r, REC_RUN_F_WARMUP, self.boot_id);
	exec_task(&r, 100, "warm");
	map_self(&r, 100);
	SAMPLE(&r, 100, self.alpha + 4);
	SAMPLE(&r, 100, self.beta + 1);
	/* A measured run: pids start afresh, so the warm-up's pid 100 is
	 * nobody until this run's EXEC. */
	run_begin(&r, 0, self.boot_id);
	SAMPLE(&r, 100, self.alpha + 4);
	exec_task(&r, 100, "app");
	map_self(&r, 100);
	SAMPLE(&r, 100, self.alpha + 4);
	/* Another warm-up between measured runs, then one more measured:
	 * the measured ones add up. */
	run_begin(&r, REC_RUN_F_WARMUP, self.boot_id);
	exec_task(&r, 100, "warm");
	map_self(&r, 100);
	SAMPLE(&r, 100, self.alpha + 4);
	run_begin(&r, 0, self.boot_id);
	exec_task(&r, 100, "app");
	map_self(&r, 100);
	SAMPLE(&r, 100, self.beta + 1);
	p = recording_profile(&r, 0, NULL);
	assert_int_equal(profile_samples(p), 3);
	assert_commands(p, "app 2\n[unknown] 1\n");
	assert_rows(p, NULL, 0,
		    "[unknown] [unknown] 1 1\n"
		    "fn_alpha " MODULE " 1 1\n"
		    "fn_beta " MODULE " 1 1\n");
	profile_free(p);
}

#define KERNEL_TEXT 0xffffffff81000000ull

static void test_kernel(void **state)
{
	char kallsyms[PATH_MAX];
	struct recording r;
	struct profile *p;
	FILE *f;

	scratch_join(kallsyms, sizeof(kallsyms), *state, "kallsyms");
	f = fopen(kallsyms, "w");
	assert_non_null(f);
	fputs("ffffffff81000000 T _stext\n"
	      "ffffffff81000100 T do_work\n"
	      "ffffffff81000200 T _etext\n", f);
	assert_int_equal(fclose(f), 0);

	/* Recorded before this boot: this kernel's symbols would lie, even
	 * with a kallsyms at hand. */
	recording_start(&r);
	run_begin(&r, 0, OTHER_BOOT);
	exec_task(&r, 100, "app");
	sample(&r, 100, 100, 1, ADDRS(KERNEL_TEXT + 0x110), 1);
	p = recording_profile(&r, 0, kallsyms);
	assert_rows(p, NULL, 0, "[kernel] [kernel] 1 1\n");
	profile_free(p);

	if (!self.boot_id[0]) {
		print_message("skipped: no /proc/sys/kernel/random/boot_id\n");
		skip();
	}
	/* This boot: named from the kallsyms given. */
	recording_start(&r);
	run_begin(&r, 0, self.boot_id);
	exec_task(&r, 100, "app");
	map_self(&r, 100);
	sample(&r, 100, 100, 1, ADDRS(KERNEL_TEXT + 0x10), 1);
	sample(&r, 100, 100, 1, ADDRS(KERNEL_TEXT + 0x110), 1);
	/* From a system call in fn_alpha: the kernel side first. */
	sample(&r, 100, 100, 1, ADDRS(KERNEL_TEXT + 0x120, self.alpha + 4), 2);
	/* In the kernel for a process the profile does not know. */
	sample(&r, 300, 300, 1, ADDRS(KERNEL_TEXT + 0x120), 1);
	p = recording_profile(&r, 1, kallsyms);
	assert_rows(p, NULL, 0,
		    "do_work [kernel] 3 3\n"
		    "_stext [kernel] 1 1\n");
	assert_commands(p, "app 3\n[unknown] 1\n");
	assert_folded(p, "[unknown];do_work 1\n"
			 "app;_stext 1\n"
			 "app;do_work 1\n"
			 "app;fn_alpha;do_work 1\n");
	profile_free(p);
}

/* The vDSO where this process has it: read from our own when the
 * recording is of this boot, an offset into it when not. */
static void test_vdso(void **state)
{
	uint64_t base = (uint64_t)getauxval(AT_SYSINFO_EHDR), offset;
	char expect[256];
	struct sym_cache *c;
	struct recording r;
	struct profile *p;
	const char *name;

	(void)state;
	if (!base) {
		print_message("skipped: this process has no vDSO\n");
		skip();
	}
	recording_start(&r);
	run_begin(&r, 0, OTHER_BOOT);
	exec_task(&r, 100, "app");
	mmap_record(&r, &(struct rec_mmap){
		.pid = 100, .start = base, .len = 0x2000, .filename = "[vdso]",
	});
	SAMPLE(&r, 100, base + 0x123);
	p = recording_profile(&r, 0, NULL);
	assert_rows(p, NULL, 0, "[vdso]+0x123 [vdso] 1 1\n");
	profile_free(p);

	if (!self.boot_id[0])
		return;
	/* This boot's: whatever symbols.h finds at that offset. */
	c = sym_cache_new();
	assert_non_null(c);
	name = sym_cache_vdso(c, 1, base, base + 0x123, &offset);
	snprintf(expect, sizeof(expect), "%s [vdso] 1 1\n",
		 name ? name : "[vdso]+0x123");
	sym_cache_free(c);
	recording_start(&r);
	run_begin(&r, 0, self.boot_id);
	exec_task(&r, 100, "app");
	mmap_record(&r, &(struct rec_mmap){
		.pid = 100, .start = base, .len = 0x2000, .filename = "[vdso]",
	});
	SAMPLE(&r, 100, base + 0x123);
	p = recording_profile(&r, 0, NULL);
	assert_rows(p, NULL, 0, expect);
	profile_free(p);
}

static void test_callchains(void **state)
{
	const uint64_t a = self.alpha, b = self.beta;
	struct recording r;
	struct profile *p;

	(void)state;
	recording_start(&r);
	run_begin(&r, 0, self.boot_id);
	exec_task(&r, 100, "app");
	map_self(&r, 100);
	SAMPLE(&r, 100, b + 1, a + 4);          /* in fn_beta, called by fn_alpha */
	SAMPLE(&r, 100, a + 4);                 /* in fn_alpha, top of stack */
	SAMPLE(&r, 100, a + 4, a + 8, b + 1);   /* fn_alpha recursing */
	SAMPLE(&r, 100, b + 1, a + 4);
	p = recording_profile(&r, 1, NULL);
	assert_int_equal(profile_samples(p), 4);
	assert_int_equal(profile_has_callchains(p), 1);
	/* total: samples with it anywhere on the stack, each once. */
	assert_rows(p, NULL, 0,
		    "fn_alpha " MODULE " 2 4\n"
		    "fn_beta " MODULE " 2 3\n");
	/* Per command: where samples fell. */
	assert_rows(p, "app", 0,
		    "fn_alpha " MODULE " 2 2\n"
		    "fn_beta " MODULE " 2 2\n");
	/* Root first: the command, the outermost caller, ..., the leaf. */
	assert_folded(p, "app;fn_alpha 1\n"
			 "app;fn_alpha;fn_beta 2\n"
			 "app;fn_beta;fn_alpha;fn_alpha 1\n");
	profile_free(p);

	/* A function that only ever called is in the stacks, not the rows. */
	recording_start(&r);
	run_begin(&r, 0, self.boot_id);
	exec_task(&r, 100, "app");
	map_self(&r, 100);
	SAMPLE(&r, 100, b + 1, a + 4);
	p = recording_profile(&r, 1, NULL);
	assert_rows(p, NULL, 0, "fn_beta " MODULE " 1 1\n");
	assert_folded(p, "app;fn_alpha;fn_beta 1\n");
	profile_free(p);
}

/*
 * Files the profile must not look into: one gone, one whose build-id or
 * size differs from the recording's. Their addresses are named by file
 * offset, and each file is reported once with why.
 */
static void test_changed_files(void **state)
{
	unsigned char build_id[REC_BUILD_ID_MAX];
	char changed[256], expect[PATH_MAX + 256];
	struct rec_mmap m;
	struct recording r;
	struct profile *p;
	struct stat st;
	int n;

	(void)state;
	assert_int_equal(stat(self.text.path, &st), 0);
	n = sym_read_build_id(self.text.path, build_id, sizeof(build_id));
	assert_true(n >= 0);
	recording_start(&r);
	run_begin(&r, 0, self.boot_id);

	/* The right identity, by size and mtime, and by build-id when the
	 * binary has one: looked into. */
	exec_task(&r, 100, "same");
	m = (struct rec_mmap){
		.pid = 100, .start = self.text.start,
		.len = self.text.end - self.text.start,
		.pgoff = self.text.pgoff, .filename = self.text.path,
		.flags = REC_MMAP_F_STAT, .size = (uint64_t)st.st_size,
		.mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000u +
			    (uint64_t)st.st_mtim.tv_nsec,
	};
	if (n > 0) {
		m.flags |= REC_MMAP_F_BUILD_ID;
		m.build_id_size = (uint8_t)n;
		memcpy(m.build_id, build_id, (size_t)n);
	} else {
		print_message("note: " MODULE " has no build-id: only its "
			      "size and mtime are checked\n");
	}
	mmap_record(&r, &m);
	SAMPLE(&r, 100, self.alpha + 4);

	/* Another build-id: not this file any more. */
	exec_task(&r, 101, "rebuilt");
	m = (struct rec_mmap){
		.pid = 101, .start = self.text.start,
		.len = self.text.end - self.text.start,
		.pgoff = self.text.pgoff, .filename = self.text.path,
		.flags = REC_MMAP_F_BUILD_ID, .build_id_size = 20,
	};
	memset(m.build_id, 0xab, sizeof(m.build_id));
	mmap_record(&r, &m);
	SAMPLE(&r, 101, self.alpha + 4);
	SAMPLE(&r, 101, self.alpha + 4);

	/* Another size: likewise (the same path, reported once). */
	exec_task(&r, 102, "resized");
	m = (struct rec_mmap){
		.pid = 102, .start = self.text.start,
		.len = self.text.end - self.text.start,
		.pgoff = self.text.pgoff, .filename = self.text.path,
		.flags = REC_MMAP_F_STAT, .size = (uint64_t)st.st_size + 1,
	};
	mmap_record(&r, &m);
	SAMPLE(&r, 102, self.alpha + 4);

	/* Gone. */
	exec_task(&r, 103, "gone");
	mmap_record(&r, &(struct rec_mmap){
		.pid = 103, .start = 0x7f0000000000ull, .len = 0x3000,
		.pgoff = 0x2000, .filename = "/nonexistent/pprobe/libgone.so",
	});
	SAMPLE(&r, 103, 0x7f0000001010ull);
	p = recording_profile(&r, 0, NULL);

	file_offset_name(self.alpha + 4, changed, sizeof(changed));
	assert_rows(p, "same", 0, "fn_alpha " MODULE " 1 1\n");
	snprintf(expect, sizeof(expect), "%s " MODULE " 2 2\n", changed);
	assert_rows(p, "rebuilt", 0, expect);
	snprintf(expect, sizeof(expect), "%s " MODULE " 1 1\n", changed);
	assert_rows(p, "resized", 0, expect);
	assert_rows(p, "gone", 0, "libgone.so+0x3010 libgone.so 1 1\n");
	snprintf(expect, sizeof(expect),
		 "%s: changed since it was recorded\n"
		 "/nonexistent/pprobe/libgone.so: not found or not readable\n",
		 self.text.path);
	assert_problems(p, expect);
	profile_free(p);
}

static void test_order_and_max(void **state)
{
	struct recording r;
	struct profile *p;

	(void)state;
	recording_start(&r);
	run_begin(&r, 0, self.boot_id);
	exec_task(&r, 100, "app");
	map_self(&r, 100);
	map_anon(&r, 100, 0x10000, 0x20000);
	/* Two each for fn_beta and fn_alpha (a tie, by name), three in
	 * [anon], one [unknown]; fn_beta first, so that the order is not
	 * merely the order of arrival. */
	SAMPLE(&r, 100, self.beta + 1);
	SAMPLE(&r, 100, self.beta + 1);
	SAMPLE(&r, 100, 0x1000);
	SAMPLE(&r, 100, self.alpha + 4);
	SAMPLE(&r, 100, self.alpha + 4);
	SAMPLE(&r, 100, 0x10000);
	SAMPLE(&r, 100, 0x18000);
	SAMPLE(&r, 100, 0x1ffff);
	/* Commands tied too: by name. */
	exec_task(&r, 101, "zeta");
	exec_task(&r, 102, "beta");
	SAMPLE(&r, 101, 0x1000);
	SAMPLE(&r, 102, 0x1000);
	p = recording_profile(&r, 0, NULL);
	assert_rows(p, NULL, 0,
		    "[anon] [anon] 3 3\n"
		    "[unknown] [unknown] 3 3\n"
		    "fn_alpha " MODULE " 2 2\n"
		    "fn_beta " MODULE " 2 2\n");
	assert_rows(p, NULL, 1, "[anon] [anon] 3 3\n");
	assert_rows(p, NULL, 3,
		    "[anon] [anon] 3 3\n"
		    "[unknown] [unknown] 3 3\n"
		    "fn_alpha " MODULE " 2 2\n");
	assert_rows(p, NULL, 4,
		    "[anon] [anon] 3 3\n"
		    "[unknown] [unknown] 3 3\n"
		    "fn_alpha " MODULE " 2 2\n"
		    "fn_beta " MODULE " 2 2\n");
	assert_rows(p, NULL, 100,
		    "[anon] [anon] 3 3\n"
		    "[unknown] [unknown] 3 3\n"
		    "fn_alpha " MODULE " 2 2\n"
		    "fn_beta " MODULE " 2 2\n");
	assert_rows(p, "app", 2,
		    "[anon] [anon] 3 3\n"
		    "fn_alpha " MODULE " 2 2\n");
	assert_commands(p, "app 8\nbeta 1\nzeta 1\n");
	profile_free(p);

	/* Tied self counts go by total. */
	recording_start(&r);
	run_begin(&r, 0, self.boot_id);
	exec_task(&r, 100, "app");
	map_self(&r, 100);
	SAMPLE(&r, 100, self.alpha + 4);
	SAMPLE(&r, 100, self.beta + 1);
	SAMPLE(&r, 100, 0x1000, self.beta + 1);
	p = recording_profile(&r, 1, NULL);
	assert_rows(p, NULL, 0,
		    "fn_beta " MODULE " 1 2\n"
		    "[unknown] [unknown] 1 1\n"
		    "fn_alpha " MODULE " 1 1\n");
	profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_resolution),
		cmocka_unit_test(test_fork_and_exec),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_overlap_page),
		cmocka_unit_test(test_anon_names),
		cmocka_unit_test(test_exit),
		cmocka_unit_test(test_many_processes),
		cmocka_unit_test(test_warmup),
		cmocka_unit_test_setup_teardown(test_kernel, scratch_dir_setup,
						scratch_dir_teardown),
		cmocka_unit_test(test_vdso),
		cmocka_unit_test(test_callchains),
		cmocka_unit_test(test_changed_files),
		cmocka_unit_test(test_order_and_max),
	};

	return cmocka_run_group_tests(tests, find_self, NULL);
}
