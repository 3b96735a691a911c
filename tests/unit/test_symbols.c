/*
 * test_symbols.c - unit tests of report/symbols.c: instruction pointers
 * to function + offset in a shared library, a PIE and a non-PIE
 * executable and stripped copies of them; the checks that keep a changed
 * file from being resolved; kallsyms and the vDSO.
 *
 * The truth is the loader's, not our arithmetic: the library is dlopened
 * and its functions' addresses taken with dlsym, the mapping holding them
 * read from /proc/self/maps; the executables print their functions'
 * addresses and their own mappings when run. Each address is then
 * resolved as a profile's sample would be. The fixtures are built from
 * symfix.c by tests/CMakeLists.txt, which gives their paths.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scratch_dir.h"
#include "symbols.h"

/* ---- mappings, as a recording's MMAP2 records give them ---- */

struct mapping {
	uint64_t start;
	uint64_t end;
	uint64_t pgoff;
	char path[PATH_MAX];
};

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
	assert_true(len < sizeof(m->path));
	memcpy(m->path, line + n, len);
	m->path[len] = '\0';
	m->start = start;
	m->end = end;
	m->pgoff = pgoff;
	return 1;
}

/* The mapping of this process that holds addr. */
static void self_mapping(uintptr_t addr, struct mapping *m)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[PATH_MAX + 128];

	assert_non_null(maps);
	while (fgets(line, sizeof(line), maps)) {
		if (parse_mapping(line, m) && addr >= m->start && addr < m->end) {
			fclose(maps);
			return;
		}
	}
	fclose(maps);
	fail_msg("no mapping holds %#" PRIxPTR, addr);
}

/* ---- the executables' own account of themselves ---- */

#define MAX_FUNCTIONS 8
#define MAX_MAPPINGS 8

struct fixture_run {
	struct {
		char name[64];
		uint64_t addr;
	} functions[MAX_FUNCTIONS];
	size_t nr_functions;
	struct mapping mappings[MAX_MAPPINGS]; /* of the executable itself */
	size_t nr_mappings;
};

/* Runs the fixture executable at path and reads what it prints. */
static void run_fixture(const char *path, struct fixture_run *r)
{
	char line[PATH_MAX + 128], real[PATH_MAX];
	struct mapping m;
	FILE *out;

	assert_non_null(realpath(path, real));
	memset(r, 0, sizeof(*r));
	out = popen(path, "r");
	assert_non_null(out);
	while (fgets(line, sizeof(line), out)) {
		if (!strncmp(line, "fn ", 3)) {
			assert_true(r->nr_functions < MAX_FUNCTIONS);
			assert_int_equal(sscanf(line, "fn %63s %" SCNx64,
						r->functions[r->nr_functions].name,
						&r->functions[r->nr_functions].addr), 2);
			r->nr_functions++;
		} else if (parse_mapping(line, &m) && !strcmp(m.path, real)) {
			assert_true(r->nr_mappings < MAX_MAPPINGS);
			r->mappings[r->nr_mappings++] = m;
		}
	}
	assert_int_equal(pclose(out), 0);
	assert_int_equal(r->nr_functions, 4);
	assert_true(r->nr_mappings > 0);
}

static const struct mapping *run_mapping(const struct fixture_run *r,
					 uint64_t addr)
{
	for (size_t i = 0; i < r->nr_mappings; i++)
		if (addr >= r->mappings[i].start && addr < r->mappings[i].end)
			return &r->mappings[i];
	fail_msg("no mapping of the fixture holds %#" PRIx64, addr);
	return NULL;
}

/* ---- resolving ---- */

/* The file of mapping m, which must read. */
static struct sym_file *mapped_file(struct sym_cache *c,
				    const struct mapping *m)
{
	struct sym_file *f = sym_cache_file(c, m->path, NULL);

	assert_non_null(f);
	assert_int_equal(sym_file_status(f), SYM_OK);
	return f;
}

/* ip in mapping m, resolved as a sample's: its vaddr, then its name. */
static const char *resolve(struct sym_cache *c, const struct mapping *m,
			   uint64_t ip, uint64_t *vaddr, uint64_t *offset)
{
	struct sym_file *f = mapped_file(c, m);

	assert_int_equal(sym_file_vaddr(f, m->start, m->pgoff, ip, vaddr), 0);
	*offset = UINT64_MAX;
	return sym_file_find(f, *vaddr, offset);
}

/* ip resolves to name + offset. */
static void assert_resolves(struct sym_cache *c, const struct mapping *m,
			    uint64_t ip, const char *name, uint64_t offset)
{
	uint64_t vaddr, got_offset;
	const char *got = resolve(c, m, ip, &vaddr, &got_offset);

	if (!got)
		fail_msg("%#" PRIx64 " (vaddr %#" PRIx64 ") in '%s': no symbol, "
			 "expected %s+%#" PRIx64, ip, vaddr, m->path, name,
			 offset);
	assert_string_equal(got, name);
	assert_int_equal(got_offset, offset);
}

/* The address of an exported function of the library handle. */
static uintptr_t library_function(void *handle, const char *name)
{
	void *p = dlsym(handle, name);

	if (!p)
		fail_msg("dlsym '%s': %s", name, dlerror());
	return (uintptr_t)p;
}

/* Calls the library's uintptr_t getter name. */
static uintptr_t library_call(void *handle, const char *name)
{
	uintptr_t (*getter)(void);

	*(void **)&getter = dlsym(handle, name);
	assert_non_null(getter);
	return getter();
}

static void *open_library(const char *path)
{
	void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (!handle)
		fail_msg("dlopen '%s': %s", path, dlerror());
	return handle;
}

/* ---- shared libraries ---- */

static void test_library(void **state)
{
	struct sym_cache *c = sym_cache_new();
	void *lib = open_library(SYMFIX_LIB);
	const char *names[] = { "symfix_one", "symfix_two" };
	uint64_t vaddr, offset;
	struct mapping m;
	uintptr_t hidden;
	char real[PATH_MAX];

	(void)state;
	assert_non_null(c);
	assert_non_null(realpath(SYMFIX_LIB, real));
	for (size_t i = 0; i < 2; i++) {
		uintptr_t fn = library_function(lib, names[i]);

		self_mapping(fn, &m);
		assert_string_equal(m.path, real);
		assert_resolves(c, &m, fn, names[i], 0);
		assert_resolves(c, &m, fn + 3, names[i], 3);
	}
	/* Aliases show the global name, and the name without underscores. */
	assert_int_equal(library_function(lib, "symfix_alias_weak"),
			 library_function(lib, "symfix_one"));
	assert_int_equal(library_function(lib, "__symfix_two"),
			 library_function(lib, "symfix_two"));
	/* A static function is found through .symtab. */
	hidden = library_call(lib, "symfix_hidden_addr");
	self_mapping(hidden, &m);
	assert_resolves(c, &m, hidden + 3, "symfix_hidden", 3);

	assert_string_equal(sym_file_module(mapped_file(c, &m)), "libsymfix.so");
	assert_string_equal(sym_file_path(mapped_file(c, &m)), real);
	assert_true(sym_file_nr_symbols(mapped_file(c, &m)) >= 6);
	/* Below the mapping, or at a file offset no PT_LOAD holds: no vaddr. */
	assert_int_equal(sym_file_vaddr(mapped_file(c, &m), m.start, m.pgoff,
					m.start - 1, &vaddr), -1);
	assert_int_equal(sym_file_vaddr(mapped_file(c, &m), m.start,
					UINT64_C(1) << 40, hidden, &vaddr), -1);
	assert_null(sym_file_find(mapped_file(c, &m), 0, &offset));
	dlclose(lib);
	sym_cache_free(c);
}

/*
 * Functions without a size. symfix_unsized_alias covers the size of its
 * sized alias, and no further. symfix_nosize runs up to symfix_last, and
 * symfix_last up to the end of its section, not to the next symbol after
 * it (in the fixture, _fini a few bytes of padding later).
 */
static void check_unsized(const char *path)
{
	struct sym_cache *c = sym_cache_new();
	void *lib = open_library(path);
	uintptr_t alias = library_function(lib, "symfix_unsized_alias");
	uintptr_t nosize = library_function(lib, "symfix_nosize");
	uintptr_t last = library_function(lib, "symfix_last");
	uintptr_t end = library_call(lib, "symfix_text_end");
	uint64_t vaddr, offset;
	const char *name;
	struct mapping m;

	assert_non_null(c);
	assert_int_equal(library_function(lib, "symfix_sized"), alias);
	assert_true(alias < nosize && nosize < last && last < end);
	self_mapping(nosize, &m);
	/* symfix_sized is the first half of the way to symfix_nosize. */
	assert_resolves(c, &m, alias + 1, "symfix_unsized_alias", 1);
	assert_null(resolve(c, &m, alias + (nosize - alias) / 2, &vaddr,
			    &offset));
	assert_resolves(c, &m, nosize, "symfix_nosize", 0);
	assert_resolves(c, &m, last - 1, "symfix_nosize", last - 1 - nosize);
	assert_resolves(c, &m, last, "symfix_last", 0);
	assert_resolves(c, &m, end - 1, "symfix_last", end - 1 - last);
	name = resolve(c, &m, end, &vaddr, &offset);
	if (name && !strcmp(name, "symfix_last"))
		fail_msg("symfix_last+%#" PRIx64 " is past its section's end",
			 offset);
	dlclose(lib);
	sym_cache_free(c);
}

static void test_library_unsized(void **state)
{
	(void)state;
	check_unsized(SYMFIX_LIB);
}

/*
 * strip --strip-all keeps .dynsym: the exported functions are still
 * found, the static one is not, and its vaddr is the unstripped one's.
 */
static void test_library_stripped(void **state)
{
	struct sym_cache *c = sym_cache_new();
	void *lib = open_library(SYMFIX_LIB);
	void *stripped = open_library(SYMFIX_LIB_STRIPPED);
	uint64_t vaddr, stripped_vaddr, offset;
	uintptr_t fn, hidden;
	struct mapping m;

	(void)state;
	assert_non_null(c);
	fn = library_function(stripped, "symfix_two");
	self_mapping(fn, &m);
	assert_true(strstr(m.path, "libsymfix-stripped.so") != NULL);
	assert_resolves(c, &m, fn + 3, "symfix_two", 3);
	assert_resolves(c, &m, library_function(stripped, "symfix_alias_weak"),
			"symfix_one", 0);
	assert_true(sym_file_nr_symbols(mapped_file(c, &m)) <
		    sym_file_nr_symbols(sym_cache_file(c, SYMFIX_LIB, NULL)));

	hidden = library_call(stripped, "symfix_hidden_addr");
	self_mapping(hidden, &m);
	assert_null(resolve(c, &m, hidden + 3, &stripped_vaddr, &offset));
	hidden = library_call(lib, "symfix_hidden_addr");
	self_mapping(hidden, &m);
	assert_non_null(resolve(c, &m, hidden + 3, &vaddr, &offset));
	assert_int_equal(stripped_vaddr, vaddr);
	dlclose(stripped);
	dlclose(lib);
	sym_cache_free(c);
	/* Section headers survive strip: so do the ends of unsized ones. */
	check_unsized(SYMFIX_LIB_STRIPPED);
}

/* ---- executables ---- */

static void check_executable(const char *path, int pie)
{
	struct sym_cache *c = sym_cache_new();
	struct fixture_run run;

	assert_non_null(c);
	run_fixture(path, &run);
	for (size_t i = 0; i < run.nr_functions; i++) {
		uint64_t addr = run.functions[i].addr, vaddr, offset;
		const struct mapping *m = run_mapping(&run, addr);

		assert_resolves(c, m, addr, run.functions[i].name, 0);
		assert_resolves(c, m, addr + 3, run.functions[i].name, 3);
		resolve(c, m, addr, &vaddr, &offset);
		/* Not relocated: the link-time address is the runtime one. */
		if (!pie)
			assert_int_equal(vaddr, addr);
		else
			assert_int_not_equal(vaddr, addr);
	}
	sym_cache_free(c);
}

static void test_executable_pie(void **state)
{
	(void)state;
	check_executable(SYMFIX_PIE, 1);
}

static void test_executable_no_pie(void **state)
{
	(void)state;
	check_executable(SYMFIX_NO_PIE, 0);
}

/*
 * An executable stripped of everything has no function symbol left: no
 * name, but each function's vaddr is the one the unstripped copy gives
 * it, which is what `addr2line -e` needs.
 */
static void test_executable_stripped(void **state)
{
	struct sym_cache *c = sym_cache_new();
	struct fixture_run run, stripped_run;
	uint64_t vaddr, stripped_vaddr, offset;

	(void)state;
	assert_non_null(c);
	run_fixture(SYMFIX_PIE, &run);
	run_fixture(SYMFIX_PIE_STRIPPED, &stripped_run);
	assert_int_equal(sym_file_nr_symbols(mapped_file(c,
				&stripped_run.mappings[0])), 0);
	for (size_t i = 0; i < run.nr_functions; i++) {
		uint64_t addr = run.functions[i].addr;
		uint64_t stripped_addr = stripped_run.functions[i].addr;

		assert_string_equal(stripped_run.functions[i].name,
				    run.functions[i].name);
		assert_non_null(resolve(c, run_mapping(&run, addr), addr,
					&vaddr, &offset));
		assert_null(resolve(c, run_mapping(&stripped_run, stripped_addr),
				    stripped_addr, &stripped_vaddr, &offset));
		assert_int_equal(stripped_vaddr, vaddr);
	}
	sym_cache_free(c);
}

/* ---- identity ---- */

struct loaded_build_id {
	const char *path;
	unsigned char id[64];
	size_t size;
};

/*
 * Reads the build-id of the loaded object s->path from its PT_NOTE in
 * memory, where the loader put it: the truth sym_read_build_id() is
 * compared with.
 */
static int find_loaded_build_id(struct dl_phdr_info *info, size_t size,
				void *data)
{
	struct loaded_build_id *s = data;

	(void)size;
	if (!info->dlpi_name || strcmp(info->dlpi_name, s->path))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const unsigned char *p, *end;
		size_t align = ph->p_align == 8 ? 8 : 4;

		if (ph->p_type != PT_NOTE)
			continue;
		p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *note = (const void *)p;
			const unsigned char *name = p + sizeof(*note);
			const unsigned char *desc = name +
				((note->n_namesz + align - 1) & ~(align - 1));

			if (note->n_type == NT_GNU_BUILD_ID &&
			    note->n_namesz == 4 && !memcmp(name, "GNU", 4)) {
				assert_true(note->n_descsz <= sizeof(s->id));
				memcpy(s->id, desc, note->n_descsz);
				s->size = note->n_descsz;
				return 1;
			}
			p = desc + ((note->n_descsz + align - 1) & ~(align - 1));
		}
	}
	return 1;
}

static void copy_file(const char *from, const char *to, size_t max)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char buf[4096];
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while (max && (n = fread(buf, 1, max < sizeof(buf) ? max : sizeof(buf),
				 in)) > 0) {
		assert_int_equal(fwrite(buf, 1, n, out), n);
		max -= n;
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static enum sym_status status_of(const char *path,
				 const struct sym_identity *id)
{
	struct sym_cache *c = sym_cache_new();
	struct sym_file *f;
	enum sym_status status;
	uint64_t vaddr, offset;

	assert_non_null(c);
	f = sym_cache_file(c, path, id);
	assert_non_null(f);
	status = sym_file_status(f);
	if (status != SYM_OK) {
		/* Nothing is read from a file that is not the recorded one. */
		assert_int_equal(sym_file_nr_symbols(f), 0);
		assert_int_equal(sym_file_vaddr(f, 0, 0, 0x1000, &vaddr), -1);
		assert_null(sym_file_find(f, 0x1000, &offset));
	}
	sym_cache_free(c);
	return status;
}

static void test_build_id(void **state)
{
	struct loaded_build_id loaded = { .path = SYMFIX_LIB };
	unsigned char id[SYM_BUILD_ID_MAX];
	void *lib = open_library(SYMFIX_LIB);
	char path[PATH_MAX];

	scratch_join(path, sizeof(path), *state, "text");
	dl_iterate_phdr(find_loaded_build_id, &loaded);
	dlclose(lib);
	assert_true(loaded.size > 0);
	assert_int_equal(sym_read_build_id(SYMFIX_LIB, id, sizeof(id)),
			 loaded.size);
	assert_memory_equal(id, loaded.id, loaded.size);
	/* Too small a buffer; a file linked without one; not ELF; gone. */
	assert_int_equal(sym_read_build_id(SYMFIX_LIB, id, loaded.size - 1),
			 -ERANGE);
	assert_int_equal(sym_read_build_id(SYMFIX_NO_PIE, id, sizeof(id)), 0);
	write_file(path, "not an ELF file\n");
	assert_int_equal(sym_read_build_id(path, id, sizeof(id)), -ENOEXEC);
	scratch_join(path, sizeof(path), *state, "gone");
	assert_int_equal(sym_read_build_id(path, id, sizeof(id)), -ENOENT);
}

static void test_identity(void **state)
{
	struct sym_identity id = { 0 };
	char path[PATH_MAX];
	struct stat st;
	int len;

	scratch_join(path, sizeof(path), *state, "libcopy.so");
	copy_file(SYMFIX_LIB, path, SIZE_MAX);
	assert_int_equal(status_of(path, NULL), SYM_OK);

	len = sym_read_build_id(path, id.build_id, sizeof(id.build_id));
	assert_true(len > 0);
	id.build_id_size = (uint8_t)len;
	assert_int_equal(status_of(path, &id), SYM_OK);
	id.build_id[len - 1] ^= 1;
	assert_int_equal(status_of(path, &id), SYM_CHANGED);
	id.build_id[len - 1] ^= 1;
	id.build_id_size--;
	assert_int_equal(status_of(path, &id), SYM_CHANGED);
	/* A build-id recorded, none in the file. */
	id.build_id_size++;
	assert_int_equal(status_of(SYMFIX_NO_PIE, &id), SYM_CHANGED);

	/* Without a build-id, the size and the mtime to the nanosecond. */
	memset(&id, 0, sizeof(id));
	assert_int_equal(stat(path, &st), 0);
	id.have_stat = 1;
	id.size = (uint64_t)st.st_size;
	id.mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000u +
		(uint64_t)st.st_mtim.tv_nsec;
	assert_int_equal(status_of(path, &id), SYM_OK);
	id.mtime_ns++;
	assert_int_equal(status_of(path, &id), SYM_CHANGED);
	id.mtime_ns--;
	id.size++;
	assert_int_equal(status_of(path, &id), SYM_CHANGED);
	id.size--;

	assert_int_equal(unlink(path), 0);
	assert_int_equal(status_of(path, &id), SYM_MISSING);
	assert_int_equal(status_of(path, NULL), SYM_MISSING);
	assert_string_equal(sym_status_str(SYM_CHANGED),
			    "changed since it was recorded");
}

/* Files that are not ELF, or not enough of one to read. */
static void test_not_elf(void **state)
{
	char path[PATH_MAX];

	scratch_join(path, sizeof(path), *state, "text");
	write_file(path, "not an ELF file\n");
	assert_int_equal(status_of(path, NULL), SYM_NOT_ELF);
	scratch_join(path, sizeof(path), *state, "empty");
	write_file(path, "");
	assert_int_equal(status_of(path, NULL), SYM_NOT_ELF);
	/* The ELF header alone: the program headers it names are not there. */
	scratch_join(path, sizeof(path), *state, "header-only.so");
	copy_file(SYMFIX_LIB, path, 64);
	assert_int_equal(status_of(path, NULL), SYM_NOT_ELF);
	assert_int_equal(status_of(*state, NULL), SYM_NOT_ELF);
	/*
	 * A recording may name anything. A FIFO with no writer would block
	 * an open(2) for reading, and a device may act on one: neither is
	 * opened (this test would hang, not fail, if the FIFO were).
	 */
	scratch_join(path, sizeof(path), *state, "fifo");
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(status_of(path, NULL), SYM_NOT_ELF);
	assert_int_equal(status_of("/dev/null", NULL), SYM_NOT_ELF);
}

/* ---- the cache ---- */

static void test_cache(void **state)
{
	struct sym_cache *c = sym_cache_new();
	struct sym_identity none = { 0 }, ids[200];
	struct sym_file *files[200], *f;
	struct stat st;

	(void)state;
	assert_non_null(c);
	f = sym_cache_file(c, SYMFIX_LIB, NULL);
	assert_non_null(f);
	assert_ptr_equal(sym_cache_file(c, SYMFIX_LIB, NULL), f);
	assert_ptr_equal(sym_cache_file(c, SYMFIX_LIB, &none), f);
	/*
	 * One path, many identities: each its own object (the recording
	 * saw that many versions), found again after the table grew.
	 */
	assert_int_equal(stat(SYMFIX_LIB, &st), 0);
	for (size_t i = 0; i < 200; i++) {
		memset(&ids[i], 0, sizeof(ids[i]));
		ids[i].have_stat = 1;
		ids[i].size = (uint64_t)st.st_size;
		ids[i].mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000u +
			(uint64_t)st.st_mtim.tv_nsec + i;
		files[i] = sym_cache_file(c, SYMFIX_LIB, &ids[i]);
		assert_non_null(files[i]);
		assert_ptr_not_equal(files[i], f);
		assert_int_equal(sym_file_status(files[i]),
				 i ? SYM_CHANGED : SYM_OK);
	}
	for (size_t i = 0; i < 200; i++)
		assert_ptr_equal(sym_cache_file(c, SYMFIX_LIB, &ids[i]),
				 files[i]);
	assert_ptr_equal(sym_cache_file(c, SYMFIX_LIB, NULL), f);
	sym_cache_free(c);
	sym_cache_free(NULL);
}

/* ---- the kernel ---- */

#define KERNEL_TEXT UINT64_C(0xffffffff81000000)
#define MODULE_TEXT UINT64_C(0xffffffffc0001000)

static void assert_kernel(struct sym_cache *c, const char *path,
			  uint64_t addr, const char *name, uint64_t offset)
{
	uint64_t got_offset = UINT64_MAX;
	const char *got = sym_cache_kernel(c, path, 1, addr, &got_offset);

	if (!name) {
		if (got)
			fail_msg("%#" PRIx64 ": %s+%#" PRIx64 ", expected none",
				 addr, got, got_offset);
		return;
	}
	if (!got)
		fail_msg("%#" PRIx64 ": no symbol, expected %s", addr, name);
	assert_string_equal(got, name);
	assert_int_equal(got_offset, offset);
}

static void test_kernel(void **state)
{
	struct sym_cache *c = sym_cache_new();
	char path[PATH_MAX];
	uint64_t offset;

	assert_non_null(c);
	scratch_join(path, sizeof(path), *state, "kallsyms");
	/* As /proc/kallsyms: aliases, data, a weak function, modules out
	 * of order. */
	write_file(path,
		   "0000000000000000 A fixed_percpu_data\n"
		   "ffffffffc0002000 t mod_two\t[mymod]\n"
		   "ffffffff81000000 t startup_64\n"
		   "ffffffff81000000 T _text\n"
		   "ffffffff81000000 T _stext\n"
		   "ffffffff81000100 T do_one\n"
		   "ffffffff81000180 D some_data\n"
		   "ffffffff81000200 W weak_one\n"
		   "ffffffff81000300 T _etext\n"
		   "ffffffffc0001000 t mod_one\t[mymod]\n");
	assert_null(sym_cache_kernel(c, path, 0, KERNEL_TEXT, &offset));
	assert_kernel(c, path, KERNEL_TEXT - 1, NULL, 0);
	assert_kernel(c, path, KERNEL_TEXT + 0x10, "_stext", 0x10);
	assert_kernel(c, path, KERNEL_TEXT + 0x150, "do_one", 0x50);
	assert_kernel(c, path, KERNEL_TEXT + 0x1a0, "do_one", 0xa0);
	assert_kernel(c, path, KERNEL_TEXT + 0x200, "weak_one", 0);
	assert_kernel(c, path, MODULE_TEXT + 0x10, "mod_one", 0x10);
	assert_kernel(c, path, MODULE_TEXT + 0x1010, "mod_two", 0x10);
	/* The last function: the rest of its page, no further. */
	assert_kernel(c, path, MODULE_TEXT + 0x1fff, "mod_two", 0xfff);
	assert_kernel(c, path, MODULE_TEXT + 0x2000, NULL, 0);
	/* Read once: a later path is not read. */
	assert_kernel(c, "/nonexistent", KERNEL_TEXT + 0x150, "do_one", 0x50);
	/* Not this boot's kernel: nothing, even with the symbols read. */
	assert_null(sym_cache_kernel(c, path, 0, KERNEL_TEXT + 0x150, &offset));
	sym_cache_free(c);
}

/* What an unprivileged reader sees, and no file at all. */
static void test_kernel_unusable(void **state)
{
	struct sym_cache *c = sym_cache_new();
	char path[PATH_MAX];

	assert_non_null(c);
	scratch_join(path, sizeof(path), *state, "kallsyms");
	write_file(path,
		   "0000000000000000 T _stext\n"
		   "0000000000000000 T do_one\n"
		   "0000000000000000 t mod_one\t[mymod]\n");
	assert_kernel(c, path, 0, NULL, 0);
	assert_kernel(c, path, KERNEL_TEXT, NULL, 0);
	sym_cache_free(c);

	c = sym_cache_new();
	assert_non_null(c);
	scratch_join(path, sizeof(path), *state, "gone");
	assert_kernel(c, path, KERNEL_TEXT, NULL, 0);
	sym_cache_free(c);
}

/* ---- the vDSO ---- */

/*
 * The dynamic linker knows our vDSO as linux-vdso.so.1: dlsym gives the
 * truth for a function in it, which sym_cache_vdso reads from a copy.
 */
static void test_vdso(void **state)
{
	struct sym_cache *c = sym_cache_new();
	uintptr_t base = (uintptr_t)getauxval(AT_SYSINFO_EHDR), fn;
	void *vdso = dlopen("linux-vdso.so.1", RTLD_LAZY | RTLD_NOLOAD);
	uint64_t offset = UINT64_MAX;
	const char *name;

	(void)state;
	assert_non_null(c);
	if (!base || !vdso) {
		sym_cache_free(c);
		print_message("skipped: this process has no vDSO\n");
		skip();
	}
	fn = (uintptr_t)dlsym(vdso, "__vdso_clock_gettime");
	assert_true(fn > base);
	/* Its weak alias is the name the C library calls. */
	assert_int_equal((uintptr_t)dlsym(vdso, "clock_gettime"), fn);
	name = sym_cache_vdso(c, 1, base, fn + 2, &offset);
	assert_non_null(name);
	assert_string_equal(name, "__vdso_clock_gettime");
	assert_int_equal(offset, 2);
	assert_null(sym_cache_vdso(c, 1, base, base - 1, &offset));
	assert_null(sym_cache_vdso(c, 0, base, fn, &offset));
	dlclose(vdso);
	sym_cache_free(c);

	/* Another recording's boot: not even read. */
	c = sym_cache_new();
	assert_non_null(c);
	assert_null(sym_cache_vdso(c, 0, base, fn, &offset));
	sym_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_library),
		cmocka_unit_test(test_library_unsized),
		cmocka_unit_test(test_library_stripped),
		cmocka_unit_test(test_executable_pie),
		cmocka_unit_test(test_executable_no_pie),
		cmocka_unit_test(test_executable_stripped),
		cmocka_unit_test_setup_teardown(test_build_id,
						scratch_dir_setup,
						scratch_dir_teardown),
		cmocka_unit_test_setup_teardown(test_identity,
						scratch_dir_setup,
						scratch_dir_teardown),
		cmocka_unit_test_setup_teardown(test_not_elf,
						scratch_dir_setup,
						scratch_dir_teardown),
		cmocka_unit_test(test_cache),
		cmocka_unit_test_setup_teardown(test_kernel, scratch_dir_setup,
						scratch_dir_teardown),
		cmocka_unit_test_setup_teardown(test_kernel_unusable,
						scratch_dir_setup,
						scratch_dir_teardown),
		cmocka_unit_test(test_vdso),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
