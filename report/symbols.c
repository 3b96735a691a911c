/*
 * symbols.c - instruction pointers to module + function + offset, from
 * ELF symbol tables read with libelf, /proc/kallsyms and the report's own
 * vDSO (see symbols.h for the arithmetic and for when a file is not
 * looked into).
 *
 * Everything a cache hands out (files, their segments and symbols, the
 * names) is carved from one arena that sym_cache_free() releases whole:
 * a name stays valid as long as the cache, and nothing is freed piece by
 * piece. libelf's own memory lives only while a file is read: the names
 * are copied out and the file closed, so a report over a thousand
 * libraries holds no descriptor and no mapping of them.
 *
 * Every symbol table becomes one array sorted by address with one entry
 * per address (aliases folded into the name a reader knows best) and
 * ranges [start, end) fixed once, so a lookup is a binary search for the
 * last start <= address. Known limit: a symbol that overlaps the next one
 * (a sized function with another inside it) is only found before the
 * inner one starts.
 */
#include "symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fnv.h"

/* ---- the arena ---- */

#define ARENA_CHUNK_SIZE (64 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used;
	size_t size;
	alignas(max_align_t) unsigned char data[];
};

struct arena {
	struct arena_chunk *head;  /* the chunk small allocations come from */
};

/* n bytes aligned for any type, or NULL when out of memory. */
static void *arena_alloc(struct arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	struct arena_chunk *chunk = a->head;

	if (n > SIZE_MAX - align - sizeof(*chunk))
		return NULL;
	n = (n + align - 1) & ~(align - 1);
	if (!chunk || chunk->size - chunk->used < n) {
		/*
		 * A large block gets a chunk of its own, linked behind the
		 * current one, so that what is left of the current chunk
		 * still serves the small allocations that follow.
		 */
		int own = n > ARENA_CHUNK_SIZE / 4;
		size_t size = own ? n : ARENA_CHUNK_SIZE;

		chunk = malloc(sizeof(*chunk) + size);
		if (!chunk)
			return NULL;
		chunk->used = 0;
		chunk->size = size;
		if (own && a->head) {
			chunk->next = a->head->next;
			a->head->next = chunk;
		} else {
			chunk->next = a->head;
			a->head = chunk;
		}
	}
	chunk->used += n;
	return chunk->data + chunk->used - n;
}

/* An array of nr elements of size bytes, zeroed; NULL when out of memory. */
static void *arena_calloc(struct arena *a, size_t nr, size_t size)
{
	void *p;

	if (size && nr > SIZE_MAX / size)
		return NULL;
	p = arena_alloc(a, nr * size);
	if (p)
		memset(p, 0, nr * size);
	return p;
}

static char *arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

static void arena_release(struct arena *a)
{
	while (a->head) {
		struct arena_chunk *next = a->head->next;

		free(a->head);
		a->head = next;
	}
}

/* ---- sorted symbol tables ---- */

struct sym_symbol {
	uint64_t start;
	uint64_t end;              /* exclusive */
	const char *name;          /* in the arena */
};

struct sym_table {
	struct sym_symbol *symbols; /* by start; starts distinct */
	size_t nr;
};

/* A symbol as read, before aliases are folded and ends fixed. */
struct sym_candidate {
	uint64_t start;
	uint64_t size;             /* 0: unknown, up to the next symbol */
	uint64_t limit;            /* where a size-0 symbol ends at the latest */
	const char *name;          /* in the arena */
	int rank;                  /* among aliases the highest is shown */
};

/* Global names are what callers and documentation use; local ones last. */
enum {
	RANK_LOCAL,
	RANK_WEAK,
	RANK_GLOBAL,
};

static size_t leading_underscores(const char *name)
{
	return strspn(name, "_");
}

/*
 * By address; at one address the name to show first: the higher rank,
 * then fewer leading underscores ("malloc" before "__libc_malloc"), then
 * by name so the choice never depends on the order of the file.
 */
static int compare_candidates(const void *pa, const void *pb)
{
	const struct sym_candidate *a = pa, *b = pb;
	size_t ua, ub;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank > b->rank ? -1 : 1;
	ua = leading_underscores(a->name);
	ub = leading_underscores(b->name);
	if (ua != ub)
		return ua < ub ? -1 : 1;
	return strcmp(a->name, b->name);
}

/*
 * Sorts cands (reordering them) into t, one symbol per address. The
 * range of an address is its longest alias's size; when no alias has a
 * size it runs up to the next symbol's start, but not past its limit.
 * Returns 0 or -ENOMEM.
 */
static int table_build(struct arena *a, struct sym_table *t,
		       struct sym_candidate *cands, size_t nr)
{
	size_t i, n = 0;

	t->symbols = NULL;
	t->nr = 0;
	if (!nr)
		return 0;
	qsort(cands, nr, sizeof(*cands), compare_candidates);
	/* Fold each address's aliases into its first, the best name. */
	for (i = 0; i < nr; i++) {
		if (n && cands[n - 1].start == cands[i].start) {
			struct sym_candidate *best = &cands[n - 1];

			if (cands[i].size > best->size)
				best->size = cands[i].size;
			if (cands[i].limit > best->limit)
				best->limit = cands[i].limit;
			continue;
		}
		cands[n++] = cands[i];
	}
	t->symbols = arena_calloc(a, n, sizeof(*t->symbols));
	if (!t->symbols)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct sym_symbol *s = &t->symbols[i];
		uint64_t end;

		if (cands[i].size) {
			end = cands[i].start + cands[i].size;
			if (end < cands[i].start)
				end = UINT64_MAX;
		} else {
			end = i + 1 < n ? cands[i + 1].start : UINT64_MAX;
			if (end > cands[i].limit)
				end = cands[i].limit;
			if (end < cands[i].start)
				end = cands[i].start;
		}
		s->start = cands[i].start;
		s->end = end;
		s->name = cands[i].name;
	}
	t->nr = n;
	return 0;
}

/* The symbol covering addr, or NULL. */
static const struct sym_symbol *table_find(const struct sym_table *t,
					   uint64_t addr)
{
	size_t lo = 0, hi = t->nr;
	const struct sym_symbol *s;

	/* lo becomes the number of symbols starting at or below addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->symbols[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	s = &t->symbols[lo - 1];
	return addr < s->end ? s : NULL;
}

static const char *table_lookup(const struct sym_table *t, uint64_t addr,
				uint64_t *offset)
{
	const struct sym_symbol *s = table_find(t, addr);

	if (!s)
		return NULL;
	*offset = addr - s->start;
	return s->name;
}

/* ---- ELF files ---- */

/* A PT_LOAD segment: where its bytes are in the file and in the link. */
struct sym_segment {
	uint64_t offset;
	uint64_t filesz;
	uint64_t vaddr;
};

struct sym_file {
	struct sym_file *next;     /* in its hash bucket */
	uint64_t hash;             /* of path and id */
	const char *path;
	const char *module;        /* path's last component */
	struct sym_identity id;    /* what is checked: see identity_key() */
	enum sym_status status;
	struct sym_segment *segments;
	size_t nr_segments;
	struct sym_table table;
};

/*
 * The GNU build-id note among the notes in data: its length, with *desc
 * pointing at it, or 0.
 */
static size_t notes_build_id(Elf_Data *data, const unsigned char **desc)
{
	size_t offset = 0, next, name_offset, desc_offset;
	GElf_Nhdr note;

	while ((next = gelf_getnote(data, offset, &note, &name_offset,
				    &desc_offset)) > 0) {
		const char *name = (const char *)data->d_buf + name_offset;

		if (note.n_type == NT_GNU_BUILD_ID && note.n_descsz &&
		    note.n_namesz == sizeof(ELF_NOTE_GNU) &&
		    !memcmp(name, ELF_NOTE_GNU, sizeof(ELF_NOTE_GNU))) {
			*desc = (const unsigned char *)data->d_buf + desc_offset;
			return note.n_descsz;
		}
		offset = next;
	}
	return 0;
}

/*
 * elf's build-id: its length, with *desc pointing at it (valid until
 * elf_end), or 0 when it has none. Program headers first, because that
 * is where the kernel read the build-id it recorded, and they survive
 * when section headers are stripped; then SHT_NOTE sections.
 */
static size_t elf_build_id(Elf *elf, const unsigned char **desc)
{
	Elf_Scn *scn = NULL;
	size_t nr, i, len;

	if (!elf_getphdrnum(elf, &nr)) {
		for (i = 0; i < nr; i++) {
			GElf_Phdr phdr;
			Elf_Data *data;

			if (!gelf_getphdr(elf, (int)i, &phdr) ||
			    phdr.p_type != PT_NOTE)
				continue;
			data = elf_getdata_rawchunk(elf, (int64_t)phdr.p_offset,
						    phdr.p_filesz,
						    phdr.p_align == 8 ?
						    ELF_T_NHDR8 : ELF_T_NHDR);
			if (data && (len = notes_build_id(data, desc)))
				return len;
		}
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (data && (len = notes_build_id(data, desc)))
			return len;
	}
	return 0;
}

/* f's PT_LOAD segments. Returns 0, -ENOMEM, or -EINVAL when unreadable. */
static int read_segments(struct arena *a, struct sym_file *f, Elf *elf)
{
	size_t nr, i, n = 0;
	GElf_Phdr phdr;

	if (elf_getphdrnum(elf, &nr))
		return -EINVAL;
	f->segments = arena_calloc(a, nr, sizeof(*f->segments));
	if (!f->segments)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		if (!gelf_getphdr(elf, (int)i, &phdr))
			return -EINVAL;
		if (phdr.p_type != PT_LOAD)
			continue;
		f->segments[n].offset = phdr.p_offset;
		f->segments[n].filesz = phdr.p_filesz;
		f->segments[n].vaddr = phdr.p_vaddr;
		n++;
	}
	f->nr_segments = n;
	return 0;
}

/* The symbol table to read: .symtab, else .dynsym, else NULL. */
static Elf_Scn *symbol_section(Elf *elf, GElf_Shdr *shdr)
{
	Elf_Scn *scn = NULL, *dynsym = NULL;
	GElf_Shdr dynsym_shdr;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, shdr))
			continue;
		if (shdr->sh_type == SHT_SYMTAB)
			return scn;
		if (shdr->sh_type == SHT_DYNSYM) {
			dynsym = scn;
			dynsym_shdr = *shdr;
		}
	}
	if (dynsym)
		*shdr = dynsym_shdr;
	return dynsym;
}

/*
 * Where a size-0 symbol in section index ndx ends at the latest: its
 * section's end. A symbol outside any ordinary section (absolute, or
 * past SHN_LORESERVE) has no known extent, and covers nothing.
 */
static uint64_t section_end(Elf *elf, uint64_t start, unsigned ndx)
{
	GElf_Shdr shdr;
	Elf_Scn *scn;

	if (ndx >= SHN_LORESERVE)
		return start;
	scn = elf_getscn(elf, ndx);
	if (!scn || !gelf_getshdr(scn, &shdr))
		return start;
	return shdr.sh_addr + shdr.sh_size;
}

/*
 * f's defined functions (STT_FUNC, and STT_GNU_IFUNC whose address is
 * the resolver's), sorted. A file with no symbol table has none.
 * Returns 0, -ENOMEM, or -EINVAL when the table is unreadable.
 */
static int read_symbols(struct arena *a, struct sym_file *f, Elf *elf)
{
	struct sym_candidate *cands;
	size_t nr, i, n = 0;
	GElf_Shdr shdr;
	Elf_Data *data;
	Elf_Scn *scn;
	int ret;

	scn = symbol_section(elf, &shdr);
	if (!scn)
		return 0;
	data = elf_getdata(scn, NULL);
	if (!data || !shdr.sh_entsize)
		return -EINVAL;
	nr = shdr.sh_size / shdr.sh_entsize;
	if (!nr)
		return 0;
	if (nr > SIZE_MAX / sizeof(*cands))
		return -ENOMEM;
	cands = malloc(nr * sizeof(*cands));
	if (!cands)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		struct sym_candidate *c = &cands[n];
		int type, bind;
		const char *name;
		GElf_Sym sym;

		if (!gelf_getsym(data, (int)i, &sym))
			break;
		type = GELF_ST_TYPE(sym.st_info);
		bind = GELF_ST_BIND(sym.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) ||
		    sym.st_shndx == SHN_UNDEF)
			continue;
		name = elf_strptr(elf, shdr.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		c->name = arena_strndup(a, name, strlen(name));
		if (!c->name) {
			free(cands);
			return -ENOMEM;
		}
		c->start = sym.st_value;
		c->size = sym.st_size;
		c->limit = sym.st_size ? UINT64_MAX :
			section_end(elf, sym.st_value, sym.st_shndx);
		c->rank = bind == STB_LOCAL ? RANK_LOCAL :
			bind == STB_WEAK ? RANK_WEAK : RANK_GLOBAL;
		n++;
	}
	ret = table_build(a, &f->table, cands, n);
	free(cands);
	return ret;
}

/* f's segments and symbols from elf: SYM_OK, SYM_NOT_ELF, or -ENOMEM. */
static int read_elf(struct arena *a, struct sym_file *f, Elf *elf)
{
	int ret = read_segments(a, f, elf);

	if (!ret)
		ret = read_symbols(a, f, elf);
	if (ret == -ENOMEM)
		return ret;
	return ret ? SYM_NOT_ELF : SYM_OK;
}

static uint64_t stat_mtime_ns(const struct stat *st)
{
	return (uint64_t)st->st_mtim.tv_sec * 1000000000u +
		(uint64_t)st->st_mtim.tv_nsec;
}

/*
 * Opens f->path, checks it against f->id and reads it: a sym_status, or
 * -ENOMEM. The size and mtime are compared before the file is parsed,
 * the build-id after.
 *
 * Only a regular file is opened. The path comes from the recording,
 * which may be corrupt or crafted: a FIFO or a terminal would block the
 * report, and opening some devices does something. So stat() first,
 * and O_NONBLOCK and fstat() for a path replaced in between.
 */
static int load_file(struct arena *a, struct sym_file *f)
{
	const struct sym_identity *id = &f->id;
	const unsigned char *build_id;
	struct stat st;
	Elf *elf;
	int fd, ret;

	if (stat(f->path, &st) < 0)
		return SYM_MISSING;
	if (!S_ISREG(st.st_mode))
		return SYM_NOT_ELF;
	fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return SYM_MISSING;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return SYM_NOT_ELF;
	}
	if (id->have_stat && ((uint64_t)st.st_size != id->size ||
			      stat_mtime_ns(&st) != id->mtime_ns)) {
		close(fd);
		return SYM_CHANGED;
	}
	/*
	 * ELF_C_READ rather than a mapping: libelf reads the headers and
	 * the two sections wanted with pread, and a file truncated under
	 * the report is a read error, not a SIGBUS.
	 */
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		ret = SYM_NOT_ELF;
	} else if (id->build_id_size &&
		   (elf_build_id(elf, &build_id) != id->build_id_size ||
		    memcmp(build_id, id->build_id, id->build_id_size))) {
		ret = SYM_CHANGED;
	} else {
		ret = read_elf(a, f, elf);
	}
	elf_end(elf);
	close(fd);
	return ret;
}

/*
 * The part of an identity that is checked, as the cache's key: the
 * build-id when there is one (a recording may know the size and mtime
 * too, but they add nothing to it), else the size and mtime, else
 * nothing. A build-id is at most SYM_BUILD_ID_MAX bytes.
 */
static void identity_key(struct sym_identity *key,
			 const struct sym_identity *id)
{
	memset(key, 0, sizeof(*key));
	if (!id)
		return;
	if (id->build_id_size) {
		key->build_id_size = id->build_id_size < SYM_BUILD_ID_MAX ?
			id->build_id_size : SYM_BUILD_ID_MAX;
		memcpy(key->build_id, id->build_id, key->build_id_size);
	} else if (id->have_stat) {
		key->have_stat = 1;
		key->size = id->size;
		key->mtime_ns = id->mtime_ns;
	}
}

static int identity_equal(const struct sym_identity *a,
			  const struct sym_identity *b)
{
	return a->build_id_size == b->build_id_size &&
		!memcmp(a->build_id, b->build_id, a->build_id_size) &&
		a->have_stat == b->have_stat &&
		a->size == b->size && a->mtime_ns == b->mtime_ns;
}

/* FNV-1a, over the path and then the key. */
static uint64_t hash_file(const char *path, const struct sym_identity *key)
{
	uint64_t h = FNV1A_INIT;

	h = fnv1a_bytes(h, path, strlen(path) + 1);
	h = fnv1a_bytes(h, key->build_id, key->build_id_size);
	h = fnv1a_bytes(h, &key->size, sizeof(key->size));
	return fnv1a_bytes(h, &key->mtime_ns, sizeof(key->mtime_ns));
}

const char *sym_status_str(enum sym_status s)
{
	switch (s) {
	case SYM_OK:
		return "symbols read";
	case SYM_MISSING:
		return "not found or not readable";
	case SYM_CHANGED:
		return "changed since it was recorded";
	case SYM_NOT_ELF:
		return "not an ELF file";
	}
	return "unknown status";
}

/* ---- the cache ---- */

#define CACHE_INITIAL_BUCKETS 64

struct sym_cache {
	struct arena arena;
	struct sym_file **buckets; /* chained by hash; a power of two */
	size_t nr_buckets;
	size_t nr_files;
	int kernel_loaded;         /* kallsyms read (or found unusable) */
	struct sym_table kernel;
	int vdso_loaded;
	struct sym_file *vdso;     /* NULL when there is none to read */
};

struct sym_cache *sym_cache_new(void)
{
	struct sym_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	/*
	 * Cannot fail: the library and its header agree on EV_CURRENT. If
	 * it did, every elf_begin() would, and files would be "not ELF".
	 */
	elf_version(EV_CURRENT);
	c->buckets = arena_calloc(&c->arena, CACHE_INITIAL_BUCKETS,
				  sizeof(*c->buckets));
	if (!c->buckets) {
		free(c);
		return NULL;
	}
	c->nr_buckets = CACHE_INITIAL_BUCKETS;
	return c;
}

void sym_cache_free(struct sym_cache *c)
{
	if (!c)
		return;
	arena_release(&c->arena);
	free(c);
}

/*
 * Doubles the buckets when there are as many files. The old array stays
 * in the arena: the arrays left behind add up to less than the last.
 */
static void cache_grow(struct sym_cache *c)
{
	size_t nr = c->nr_buckets * 2, i;
	struct sym_file **buckets;

	buckets = arena_calloc(&c->arena, nr, sizeof(*buckets));
	if (!buckets)
		return; /* longer chains, still correct */
	for (i = 0; i < c->nr_buckets; i++) {
		struct sym_file *f = c->buckets[i], *next;

		for (; f; f = next) {
			next = f->next;
			f->next = buckets[f->hash & (nr - 1)];
			buckets[f->hash & (nr - 1)] = f;
		}
	}
	c->buckets = buckets;
	c->nr_buckets = nr;
}

/* A new file object named path (not yet read), or NULL. */
static struct sym_file *file_new(struct arena *a, const char *path)
{
	struct sym_file *f = arena_calloc(a, 1, sizeof(*f));
	const char *slash;

	if (!f)
		return NULL;
	f->path = arena_strndup(a, path, strlen(path));
	if (!f->path)
		return NULL;
	slash = strrchr(f->path, '/');
	f->module = slash ? slash + 1 : f->path;
	return f;
}

struct sym_file *sym_cache_file(struct sym_cache *c, const char *path,
				const struct sym_identity *id)
{
	struct sym_identity key;
	struct sym_file *f;
	uint64_t hash;
	size_t bucket;
	int ret;

	identity_key(&key, id);
	hash = hash_file(path, &key);
	bucket = hash & (c->nr_buckets - 1);
	for (f = c->buckets[bucket]; f; f = f->next)
		if (f->hash == hash && !strcmp(f->path, path) &&
		    identity_equal(&f->id, &key))
			return f;
	f = file_new(&c->arena, path);
	if (!f)
		return NULL;
	f->hash = hash;
	f->id = key;
	ret = load_file(&c->arena, f);
	if (ret < 0)
		return NULL;
	f->status = (enum sym_status)ret;
	f->next = c->buckets[bucket];
	c->buckets[bucket] = f;
	if (++c->nr_files > c->nr_buckets)
		cache_grow(c);
	return f;
}

enum sym_status sym_file_status(const struct sym_file *f)
{
	return f->status;
}

const char *sym_file_path(const struct sym_file *f)
{
	return f->path;
}

const char *sym_file_module(const struct sym_file *f)
{
	return f->module;
}

size_t sym_file_nr_symbols(const struct sym_file *f)
{
	return f->table.nr;
}

int sym_file_vaddr(const struct sym_file *f, uint64_t start, uint64_t pgoff,
		   uint64_t ip, uint64_t *vaddr)
{
	uint64_t offset;
	size_t i;

	if (f->status != SYM_OK || ip < start)
		return -1;
	offset = ip - start + pgoff;
	for (i = 0; i < f->nr_segments; i++) {
		const struct sym_segment *s = &f->segments[i];

		if (offset >= s->offset && offset - s->offset < s->filesz) {
			*vaddr = offset - s->offset + s->vaddr;
			return 0;
		}
	}
	return -1;
}

const char *sym_file_find(const struct sym_file *f, uint64_t vaddr,
			  uint64_t *offset)
{
	return table_lookup(&f->table, vaddr, offset);
}

/* ---- the kernel ---- */

/*
 * kallsyms gives no sizes: each function runs up to the next one. The
 * last has nothing after it and is given the rest of its page, a guess
 * (the core kernel ends with _etext; this is the last module's last
 * function).
 */
#define KERNEL_PAGE_SIZE 4096u

/*
 * Reads the text symbols of a kallsyms file: "ADDR TYPE NAME", with
 * "\t[MODULE]" after a module's. Addresses of 0 are what an unprivileged
 * reader sees: such symbols are skipped, so a file of them gives none.
 * Returns 0 or -ENOMEM; an unreadable file gives no symbols.
 */
static int kernel_load(struct sym_cache *c, const char *path)
{
	struct sym_candidate *cands = NULL;
	size_t nr = 0, alloc = 0, line_size = 0;
	char *line = NULL;
	FILE *file;
	int ret = 0;

	file = fopen(path, "re");
	if (!file)
		return 0;
	while (getline(&line, &line_size, file) > 0) {
		struct sym_candidate *cand;
		char *name, *end;
		uint64_t addr;
		char type;

		addr = strtoull(line, &end, 16);
		if (end == line || end[0] != ' ' || !end[1] || end[2] != ' ')
			continue;
		type = end[1];
		if (!addr || !strchr("tTwW", type))
			continue;
		name = end + 3;
		if (nr == alloc) {
			size_t n = alloc ? alloc * 2 : 4096;
			struct sym_candidate *grown;

			grown = realloc(cands, n * sizeof(*cands));
			if (!grown) {
				ret = -ENOMEM;
				break;
			}
			cands = grown;
			alloc = n;
		}
		cand = &cands[nr];
		cand->name = arena_strndup(&c->arena, name,
					   strcspn(name, "\t\n"));
		if (!cand->name) {
			ret = -ENOMEM;
			break;
		}
		cand->start = addr;
		cand->size = 0;
		cand->limit = UINT64_MAX;
		cand->rank = type == 'T' ? RANK_GLOBAL :
			type == 't' ? RANK_LOCAL : RANK_WEAK;
		nr++;
	}
	free(line);
	fclose(file);
	if (!ret)
		ret = table_build(&c->arena, &c->kernel, cands, nr);
	free(cands);
	if (!ret && c->kernel.nr) {
		struct sym_symbol *last = &c->kernel.symbols[c->kernel.nr - 1];

		last->end = last->start | (KERNEL_PAGE_SIZE - 1);
		if (last->end < UINT64_MAX)
			last->end++;
	}
	return ret;
}

const char *sym_cache_kernel(struct sym_cache *c, const char *path,
			     int same_boot, uint64_t addr, uint64_t *offset)
{
	if (!same_boot)
		return NULL;
	if (!c->kernel_loaded) {
		if (kernel_load(c, path) < 0) {
			c->kernel.nr = 0;
			return NULL; /* out of memory: tried again next time */
		}
		c->kernel_loaded = 1;
	}
	return table_lookup(&c->kernel, addr, offset);
}

/* ---- the vDSO ---- */

/* The length of this process's [vdso] mapping at base, or 0. */
static size_t vdso_length(uintptr_t base)
{
	size_t line_size = 0, len = 0;
	char *line = NULL;
	FILE *maps;

	maps = fopen("/proc/self/maps", "re");
	if (!maps)
		return 0;
	while (getline(&line, &line_size, maps) > 0) {
		unsigned long long start, end;

		if (strstr(line, "[vdso]") &&
		    sscanf(line, "%llx-%llx", &start, &end) == 2 &&
		    start == base && end > start) {
			len = (size_t)(end - start);
			break;
		}
	}
	free(line);
	fclose(maps);
	return len;
}

/*
 * Reads this process's vDSO into c->vdso. Its pages are copied first:
 * libelf is given memory it may own, not the kernel's executable
 * mapping. Returns 0 (c->vdso stays NULL when there is no vDSO or it
 * cannot be read) or -ENOMEM.
 */
static int vdso_load(struct sym_cache *c)
{
	uintptr_t base = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
	struct sym_file *f;
	size_t len;
	char *image;
	Elf *elf;
	int ret;

	if (!base || !(len = vdso_length(base)))
		return 0;
	f = file_new(&c->arena, "[vdso]");
	image = malloc(len);
	if (!f || !image) {
		free(image);
		return -ENOMEM;
	}
	memcpy(image, (const void *)base, len);
	elf = elf_memory(image, len);
	ret = elf && elf_kind(elf) == ELF_K_ELF ? read_elf(&c->arena, f, elf)
		: SYM_NOT_ELF;
	elf_end(elf);
	free(image);
	if (ret < 0)
		return ret;
	if (ret == SYM_OK)
		c->vdso = f;
	return 0;
}

const char *sym_cache_vdso(struct sym_cache *c, int same_boot, uint64_t start,
			   uint64_t ip, uint64_t *offset)
{
	uint64_t vaddr;

	if (!same_boot)
		return NULL;
	if (!c->vdso_loaded) {
		if (vdso_load(c) < 0)
			return NULL; /* out of memory: tried again next time */
		c->vdso_loaded = 1;
	}
	if (!c->vdso || sym_file_vaddr(c->vdso, start, 0, ip, &vaddr))
		return NULL;
	return sym_file_find(c->vdso, vaddr, offset);
}

/* ---- build-ids ---- */

int sym_read_build_id(const char *path, unsigned char *build_id, size_t size)
{
	const unsigned char *desc;
	size_t len;
	Elf *elf;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		ret = -ENOEXEC;
	} else if (!(len = elf_build_id(elf, &desc))) {
		ret = 0;
	} else if (len > size || len > INT_MAX) {
		ret = -ERANGE;
	} else {
		memcpy(build_id, desc, len);
		ret = (int)len;
	}
	elf_end(elf);
	close(fd);
	return ret;
}
