/*
 * symbols.h - instruction pointers to module + function + offset, from
 * ELF symbol tables read with libelf.
 *
 * A sampled IP lies in a mapping of a process: [start, start + len) of a
 * file mapped from file offset pgoff. Its place in the file is
 *
 *     file offset = ip - start + pgoff
 *
 * and the PT_LOAD segment holding that file offset gives the address the
 * link editor assigned it, which is what symbol tables hold:
 *
 *     vaddr = file offset - p_offset + p_vaddr
 *
 * This works alike for PIE and non-PIE executables and for shared
 * libraries, wherever the loader put them. The vaddr is looked up in the
 * file's .symtab, or in its .dynsym when it has no .symtab (a stripped
 * library keeps .dynsym). A file with neither gives module+vaddr, which
 * `addr2line -e FILE VADDR` understands.
 *
 * Each file is opened once per cache and its function symbols sorted once
 * by address; a lookup is a binary search. Files are identified by what
 * the recording knew of them: the build-id (from the kernel's MMAP2
 * record) when there is one, else the size and modification time pprobe
 * saw when it recorded. A file that is gone, or whose build-id (or size
 * or mtime) differs, is not looked into: its status says why, and the
 * caller shows the module and the IP's offset in the mapping instead, so
 * a rebuilt binary is never resolved to the wrong names.
 *
 * Kernel addresses come from /proc/kallsyms when it is readable with real
 * addresses (root, or kptr_restrict 0 with perf_event_paranoid <= 1) and
 * the recording was made since this boot; else they are all "[kernel]".
 * [vdso] is read from the report's own vDSO when the recording was made
 * since this boot (the same kernel image), else it is [vdso]+offset.
 *
 * Memory: everything a cache returns (files, names) belongs to the cache
 * and stays valid until sym_cache_free(). A cache is not thread-safe.
 */
#ifndef PPROBE_SYMBOLS_H
#define PPROBE_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

#define SYM_BUILD_ID_MAX 20

/* What the recording knew of a file, to tell whether it is still the same. */
struct sym_identity {
	unsigned char build_id[SYM_BUILD_ID_MAX];
	uint8_t build_id_size;     /* 0: none known */
	int have_stat;             /* size and mtime_ns below are known */
	uint64_t size;
	uint64_t mtime_ns;
};

enum sym_status {
	SYM_OK = 0,         /* symbols read (possibly none: see nr_symbols) */
	SYM_MISSING,        /* the file is not there (or not readable) */
	SYM_CHANGED,        /* its build-id, or size/mtime, differ */
	SYM_NOT_ELF,        /* not an ELF file libelf can read, or not a
			     * regular file (a FIFO, a device: not opened) */
};

/* A short lowercase description, e.g. "changed since it was recorded". */
const char *sym_status_str(enum sym_status s);

struct sym_file;   /* one file: its PT_LOAD segments and sorted symbols */
struct sym_cache;  /* files opened so far, by path and identity */

/* Returns a new empty cache, or NULL when out of memory. */
struct sym_cache *sym_cache_new(void);
void sym_cache_free(struct sym_cache *c);

/*
 * The file at path as the recording knew it (id may be NULL: unknown,
 * nothing checked). Opened, checked and read on first use; later calls
 * with the same path and identity return the same object. Returns NULL
 * only when out of memory: a missing or changed file is an object with
 * that status.
 */
struct sym_file *sym_cache_file(struct sym_cache *c, const char *path,
				const struct sym_identity *id);

enum sym_status sym_file_status(const struct sym_file *f);
const char *sym_file_path(const struct sym_file *f);
/* The file name without its directory: what reports show as "module". */
const char *sym_file_module(const struct sym_file *f);
/* Function symbols read (0 for a stripped file). */
size_t sym_file_nr_symbols(const struct sym_file *f);

/*
 * The link-time address of ip in a mapping of f from start, at file
 * offset pgoff. Returns 0, or -1 when no PT_LOAD segment of f holds that
 * file offset (or f's status is not SYM_OK).
 */
int sym_file_vaddr(const struct sym_file *f, uint64_t start, uint64_t pgoff,
		   uint64_t ip, uint64_t *vaddr);

/*
 * The function holding vaddr: its name and vaddr's offset into it.
 * Returns the name (valid as long as the cache), or NULL when no symbol
 * covers vaddr (always, when f's status is not SYM_OK). A symbol covers
 * [value, value + size); one of size 0 covers up to the next symbol's
 * start, within its section. Of aliases (names at one address) the
 * global one is shown before a weak one before a local one, then the one
 * with fewer leading underscores, then the first by strcmp().
 */
const char *sym_file_find(const struct sym_file *f, uint64_t vaddr,
			  uint64_t *offset);

/*
 * The kernel's symbols, from /proc/kallsyms (path, for tests) when it is
 * readable and shows addresses, and only when `same_boot` (the recording
 * was made since this boot). Returns the name of the function holding
 * addr and sets *offset, or NULL ("[kernel]"). The file is read once, on
 * the first call with same_boot: later calls use what it gave, whatever
 * their path. Each function ends where the next begins (kallsyms has no
 * sizes); the last is given the rest of its page.
 */
const char *sym_cache_kernel(struct sym_cache *c, const char *path,
			     int same_boot, uint64_t addr, uint64_t *offset);

/*
 * The vDSO's symbols, read from this process's own [vdso] mapping when
 * same_boot. ip - start is the offset in the vDSO image. Returns the name
 * or NULL; sets *offset. Read once, on the first call with same_boot.
 * Known limit: a 32-bit process's vDSO is another image than the
 * report's, and is resolved as if it were the report's.
 */
const char *sym_cache_vdso(struct sym_cache *c, int same_boot, uint64_t start,
			   uint64_t ip, uint64_t *offset);

/*
 * Reads the GNU build-id note of the ELF file at path into build_id,
 * which has room for size bytes (SYM_BUILD_ID_MAX is what the kernel
 * records). Returns its length (> 0), 0 when the file has none, or
 * -errno: -ENOEXEC when it is not ELF, -ERANGE when the build-id is
 * longer than size.
 */
int sym_read_build_id(const char *path, unsigned char *build_id, size_t size);

#endif /* PPROBE_SYMBOLS_H */
