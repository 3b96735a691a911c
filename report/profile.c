/*
 * profile.c - samples to functions, per command and in stacks. See
 * profile.h.
 *
 * Four tables, each an array indexed through one open-addressing hash
 * keyed by two 64-bit words:
 *   - strings:   every name, module and command, interned once, so the
 *                other keys can be pointers;
 *   - functions: (name, module) -> self and total samples;
 *   - counts:    (command, function) -> samples, for the per-command
 *                tables;
 *   - processes: pid -> its command and its mappings, sorted by start.
 */
#include "profile.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "symbols.h"

#define KERNEL_MODULE "[kernel]"
#define VDSO_MODULE "[vdso]"
#define ANON_MODULE "[anon]"
#define UNKNOWN "[unknown]"

/* ---- a hash of two words to an index ---- */

struct slot {
	uint64_t a, b;
	uint32_t value;  /* index + 1; 0: empty */
};

struct hash {
	struct slot *slots;
	size_t mask;     /* slots - 1, a power of two minus one */
	size_t used;
};

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull);

	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 29);
}

/* The slot of (a, b): its own, or the empty one where it would go. */
static struct slot *hash_slot(const struct hash *h, uint64_t a, uint64_t b)
{
	size_t i = (size_t)mix(a, b) & h->mask;

	while (h->slots[i].value &&
	       (h->slots[i].a != a || h->slots[i].b != b))
		i = (i + 1) & h->mask;
	return &h->slots[i];
}

static long hash_get(const struct hash *h, uint64_t a, uint64_t b)
{
	const struct slot *s;

	if (!h->slots)
		return -1;
	s = hash_slot(h, a, b);
	return s->value ? (long)s->value - 1 : -1;
}

static int hash_grow(struct hash *h)
{
	size_t n = h->slots ? 2 * (h->mask + 1) : 64;
	struct hash bigger = { calloc(n, sizeof(struct slot)), n - 1, 0 };

	if (!bigger.slots)
		return -ENOMEM;
	for (size_t i = 0; h->slots && i <= h->mask; i++)
		if (h->slots[i].value) {
			*hash_slot(&bigger, h->slots[i].a, h->slots[i].b) = h->slots[i];
			bigger.used++;
		}
	free(h->slots);
	*h = bigger;
	return 0;
}

/* Sets (a, b) to value; the key must not be there yet. */
static int hash_put(struct hash *h, uint64_t a, uint64_t b, uint32_t value)
{
	struct slot *s;

	/* At most half full: probes stay short. */
	if ((!h->slots || 2 * (h->used + 1) > h->mask + 1) && hash_grow(h) < 0)
		return -ENOMEM;
	s = hash_slot(h, a, b);
	s->a = a;
	s->b = b;
	s->value = value + 1;
	h->used++;
	return 0;
}

static void hash_del(struct hash *h, uint64_t a, uint64_t b)
{
	struct slot *s;
	size_t i, j;

	if (!h->slots)
		return;
	s = hash_slot(h, a, b);
	if (!s->value)
		return;
	/* Backward-shift deletion: the entries after it that probed past
	 * it move up, so no tombstones are needed. */
	i = (size_t)(s - h->slots);
	j = i;
	for (;;) {
		size_t home;

		j = (j + 1) & h->mask;
		if (!h->slots[j].value)
			break;
		home = (size_t)mix(h->slots[j].a, h->slots[j].b) & h->mask;
		/* Is home cyclically outside (i, j]? Then j may move to i. */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && home <= i && home > j)) {
			h->slots[i] = h->slots[j];
			i = j;
		}
	}
	h->slots[i].value = 0;
	h->used--;
}

/* ---- the profile ---- */

struct function {
	const char *name, *module;
	uint64_t self, total;
	uint64_t last_sample;  /* the sample that last added to total */
};

struct count {
	const char *command;
	uint32_t function;
	uint64_t samples;
};

struct map {
	uint64_t start, end, pgoff;
	struct sym_file *file;   /* a file's; NULL for the rest */
	const char *module;      /* interned */
	int vdso;
};

struct process {
	uint32_t pid;
	const char *command;     /* interned */
	struct map *maps;        /* sorted by start, not overlapping */
	size_t nr_maps, alloc_maps;
	uint32_t threads;        /* alive: its mappings go with the last */
};

struct problem {
	const char *path;
	enum sym_status status;
};

struct profile {
	int want_stacks;
	const char *kallsyms;
	int same_boot;           /* the recording was made since this boot */
	int callchains;
	int measured;            /* the run under way is not a warm-up */
	char boot_id[64];        /* this machine's, "" when unknown */

	struct sym_cache *syms;
	struct stacks stacks;
	uint64_t samples;

	struct hash string_hash;
	char **strings;
	size_t nr_strings, alloc_strings;

	struct hash function_hash;
	struct function *functions;
	size_t nr_functions, alloc_functions;

	struct hash count_hash;
	struct count *counts;
	size_t nr_counts, alloc_counts;

	struct hash process_hash;
	struct process **processes;
	size_t nr_processes, alloc_processes;

	struct problem *problems;
	size_t nr_problems, alloc_problems;

	/* Scratch for one sample: its frames' function indexes and the
	 * stack's names, root first. */
	uint32_t frames[REC_SAMPLE_MAX_ADDRS + 1];
	const char *names[REC_SAMPLE_MAX_ADDRS + 1];
};

/* Makes room for one more element of size `size` in *array. */
static int grow(void *array, size_t *alloc, size_t nr, size_t size)
{
	void **p = array;
	size_t n;
	void *more;

	if (nr < *alloc)
		return 0;
	n = *alloc ? 2 * *alloc : 16;
	more = realloc(*p, n * size);
	if (!more)
		return -ENOMEM;
	*p = more;
	*alloc = n;
	return 0;
}

/*
 * The interned copy of s, or NULL when out of memory. Strings hash by
 * their FNV-1a value; the rare collision is told apart by a second key
 * word, the collision's rank.
 */
static const char *intern(struct profile *p, const char *s)
{
	uint64_t h = fnv1a_bytes(FNV1A_INIT, s, strlen(s));
	char *copy;

	for (uint64_t rank = 0;; rank++) {
		long i = hash_get(&p->string_hash, h, rank);

		if (i < 0)
			break;
		if (!strcmp(p->strings[i], s))
			return p->strings[i];
	}
	if (grow(&p->strings, &p->alloc_strings, p->nr_strings, sizeof(char *)) < 0)
		return NULL;
	copy = strdup(s);
	if (!copy)
		return NULL;
	for (uint64_t rank = 0;; rank++)
		if (hash_get(&p->string_hash, h, rank) < 0) {
			if (hash_put(&p->string_hash, h, rank,
				     (uint32_t)p->nr_strings) < 0) {
				free(copy);
				return NULL;
			}
			break;
		}
	p->strings[p->nr_strings++] = copy;
	return copy;
}

static const char *kallsyms_override;

void profile_set_kallsyms(const char *path)
{
	kallsyms_override = path;
}

struct profile *profile_new(int stacks, const char *kallsyms)
{
	struct profile *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->syms = sym_cache_new();
	if (!p->syms) {
		free(p);
		return NULL;
	}
	p->want_stacks = stacks;
	if (!kallsyms)
		kallsyms = kallsyms_override ? kallsyms_override : "/proc/kallsyms";
	p->kallsyms = kallsyms;
	stacks_init(&p->stacks);
	rec_boot_id(p->boot_id, sizeof(p->boot_id));
	return p;
}

static void free_process(struct process *pr)
{
	if (pr) {
		free(pr->maps);
		free(pr);
	}
}

static void forget_processes(struct profile *p)
{
	for (size_t i = 0; i < p->nr_processes; i++)
		free_process(p->processes[i]);
	p->nr_processes = 0;
	free(p->process_hash.slots);
	memset(&p->process_hash, 0, sizeof(p->process_hash));
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	forget_processes(p);
	free(p->processes);
	for (size_t i = 0; i < p->nr_strings; i++)
		free(p->strings[i]);
	free(p->strings);
	free(p->string_hash.slots);
	free(p->functions);
	free(p->function_hash.slots);
	free(p->counts);
	free(p->count_hash.slots);
	free(p->problems);
	stacks_release(&p->stacks);
	sym_cache_free(p->syms);
	free(p);
}

/* ---- processes and their mappings ---- */

static struct process *find_process(const struct profile *p, uint32_t pid)
{
	long i = hash_get(&p->process_hash, pid, 0);

	return i < 0 ? NULL : p->processes[i];
}

/* Removes pid's process, if any: its slot takes the last one. */
static void drop_process(struct profile *p, uint32_t pid)
{
	long i = hash_get(&p->process_hash, pid, 0);
	struct process *last;

	if (i < 0)
		return;
	hash_del(&p->process_hash, pid, 0);
	free_process(p->processes[i]);
	last = p->processes[--p->nr_processes];
	if ((size_t)i != p->nr_processes) {
		p->processes[i] = last;
		hash_del(&p->process_hash, last->pid, 0);
		/* Cannot fail: the slot just freed is there for it. */
		(void)hash_put(&p->process_hash, last->pid, 0, (uint32_t)i);
	}
}

/* A new process for pid (an old one of that pid goes), with no
 * mappings; NULL when out of memory. */
static struct process *new_process(struct profile *p, uint32_t pid,
				   const char *command)
{
	struct process *pr;

	drop_process(p, pid);
	if (grow(&p->processes, &p->alloc_processes, p->nr_processes,
		 sizeof(*p->processes)) < 0)
		return NULL;
	pr = calloc(1, sizeof(*pr));
	if (!pr)
		return NULL;
	pr->pid = pid;
	pr->command = command;
	pr->threads = 1;
	if (hash_put(&p->process_hash, pid, 0, (uint32_t)p->nr_processes) < 0) {
		free(pr);
		return NULL;
	}
	p->processes[p->nr_processes++] = pr;
	return pr;
}

/* The mapping holding addr, or NULL. */
static const struct map *find_map(const struct process *pr, uint64_t addr)
{
	size_t lo = 0, hi = pr->nr_maps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pr->maps[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < pr->nr_maps && pr->maps[lo].start <= addr)
		return &pr->maps[lo];
	return NULL;
}

/*
 * Adds m to pr's mappings. What it covers of older ones is gone (mmap
 * over an existing mapping replaces it): those are cut, or split in two.
 */
static int add_map(struct process *pr, const struct map *m)
{
	size_t i = 0, n = 0;
	struct map *maps;

	/* At most one more than now, after a split, plus m. */
	maps = malloc((pr->nr_maps + 2) * sizeof(*maps));
	if (!maps)
		return -ENOMEM;
	for (; i < pr->nr_maps && pr->maps[i].start < m->start; i++) {
		struct map old = pr->maps[i];

		if (old.end > m->start) {
			/* It overlaps m's start: keep its part before m, and
			 * its part after m's end, if any. */
			struct map tail = old;

			old.end = m->start;
			maps[n++] = old;
			if (tail.end > m->end) {
				tail.pgoff += m->end - tail.start;
				tail.start = m->end;
				maps[n++] = *m;
				maps[n++] = tail;
				m = NULL;
			}
		} else {
			maps[n++] = old;
		}
		if (!m)
			break;
	}
	if (!m) {
		/* Split: everything after the split one stays. */
		for (i++; i < pr->nr_maps; i++)
			maps[n++] = pr->maps[i];
	} else {
		maps[n++] = *m;
		for (; i < pr->nr_maps; i++) {
			struct map old = pr->maps[i];

			if (old.end <= m->end)
				continue; /* wholly covered */
			if (old.start < m->end) {
				old.pgoff += m->end - old.start;
				old.start = m->end;
			}
			maps[n++] = old;
		}
	}
	free(pr->maps);
	pr->maps = maps;
	pr->nr_maps = n;
	pr->alloc_maps = pr->nr_maps + 2;
	return 0;
}

static int on_task(struct profile *p, const struct rec *rec)
{
	struct rec_task t;
	struct process *parent, *pr;
	const char *command;

	if (rec_decode_task(rec, &t) < 0)
		return 0;
	switch (t.kind) {
	case REC_TASK_FORK:
		if (t.pid == t.ppid) {
			/* A thread: it shares its process's mappings. */
			pr = find_process(p, t.pid);
			if (pr)
				pr->threads++;
			return 0;
		}
		parent = find_process(p, t.ppid);
		pr = new_process(p, t.pid, parent ? parent->command : NULL);
		if (!pr)
			return -ENOMEM;
		/* find_process() again: new_process() may have moved it. */
		parent = find_process(p, t.ppid);
		if (parent && parent->nr_maps) {
			pr->maps = malloc(parent->nr_maps * sizeof(*pr->maps));
			if (!pr->maps)
				return -ENOMEM;
			memcpy(pr->maps, parent->maps,
			       parent->nr_maps * sizeof(*pr->maps));
			pr->nr_maps = pr->alloc_maps = parent->nr_maps;
		}
		return 0;
	case REC_TASK_EXEC:
		command = intern(p, t.comm);
		if (!command || !new_process(p, t.pid, command))
			return -ENOMEM;
		return 0;
	case REC_TASK_COMM:
		pr = find_process(p, t.pid);
		if (pr && t.tid == t.pid) {
			command = intern(p, t.comm);
			if (!command)
				return -ENOMEM;
			pr->command = command;
		}
		return 0;
	case REC_TASK_EXIT:
		/* Not at the main thread's EXIT: the others may outlive it
		 * (pthread_exit() in main) and still be sampled. */
		pr = find_process(p, t.pid);
		if (pr && !--pr->threads)
			drop_process(p, t.pid);
		return 0;
	default:
		return 0;
	}
}

/* The base name of a path, as the module. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

/*
 * Whether an MMAP's name is a file to read symbols from. The kernel
 * gives a leading '/' to some memory that is no file too: "//anon"
 * (anonymous memory), "/memfd:NAME (deleted)", and shared anonymous
 * memory as "/dev/zero (deleted)" or "/anon_hugepage (deleted)". They
 * are JIT code and the like, not files that went missing.
 */
static int is_file(const char *name)
{
	return name[0] == '/' && strcmp(name, "//anon") &&
	       strncmp(name, "/memfd:", 7) && strncmp(name, "/dev/zero", 9) &&
	       strncmp(name, "/anon_hugepage", 14);
}

static int on_mmap(struct profile *p, const struct rec *rec)
{
	struct rec_mmap m;
	struct process *pr;
	struct map map = { 0 };

	if (rec_decode_mmap(rec, &m) < 0 || !m.len || m.start + m.len < m.start)
		return 0;
	pr = find_process(p, m.pid);
	if (!pr && !(pr = new_process(p, m.pid, NULL)))
		return -ENOMEM;
	map.start = m.start;
	map.end = m.start + m.len;
	map.pgoff = m.pgoff;
	if (is_file(m.filename)) {
		struct sym_identity id = { 0 };

		if (m.flags & REC_MMAP_F_BUILD_ID) {
			id.build_id_size = m.build_id_size;
			memcpy(id.build_id, m.build_id, m.build_id_size);
		}
		if (m.flags & REC_MMAP_F_STAT) {
			id.have_stat = 1;
			id.size = m.size;
			id.mtime_ns = m.mtime_ns;
		}
		map.file = sym_cache_file(p->syms, m.filename, &id);
		if (!map.file)
			return -ENOMEM;
		map.module = intern(p, base_name(m.filename));
	} else if (!strcmp(m.filename, "[vdso]")) {
		map.vdso = 1;
		map.module = VDSO_MODULE;
	} else {
		/* //anon, [stack], [heap], memfd: JIT code and the like */
		map.module = ANON_MODULE;
	}
	if (!map.module)
		return -ENOMEM;
	return add_map(pr, &map);
}

/* ---- resolving a sample ---- */

static void note_problem(struct profile *p, struct sym_file *f)
{
	const char *path = sym_file_path(f);

	for (size_t i = 0; i < p->nr_problems; i++)
		if (!strcmp(p->problems[i].path, path))
			return;
	if (grow(&p->problems, &p->alloc_problems, p->nr_problems,
		 sizeof(*p->problems)) < 0)
		return; /* a warning the less */
	p->problems[p->nr_problems++] = (struct problem){
		path, sym_file_status(f) };
}

/*
 * The function of one address: its index in p->functions, or -ENOMEM.
 * Without a symbol, the name is the module and the address's link-time
 * offset (what addr2line takes), or for a file that changed since, its
 * file offset.
 */
static long resolve(struct profile *p, const struct process *pr,
		    uint64_t addr, int kernel)
{
	char buf[512];
	const char *name = NULL, *module = UNKNOWN, *iname;
	uint64_t off = 0;
	long i;

	if (kernel) {
		module = KERNEL_MODULE;
		name = sym_cache_kernel(p->syms, p->kallsyms, p->same_boot, addr, &off);
		if (!name)
			name = KERNEL_MODULE;
	} else {
		const struct map *m = pr ? find_map(pr, addr) : NULL;

		if (!m) {
			name = UNKNOWN;
		} else if (m->vdso) {
			module = m->module;
			name = sym_cache_vdso(p->syms, p->same_boot, m->start, addr, &off);
			if (!name) {
				snprintf(buf, sizeof(buf), "[vdso]+0x%" PRIx64, addr - m->start);
				name = buf;
			}
		} else if (!m->file) {
			module = m->module;
			name = ANON_MODULE;
		} else {
			uint64_t vaddr;

			module = m->module;
			if (sym_file_status(m->file) != SYM_OK) {
				note_problem(p, m->file);
				snprintf(buf, sizeof(buf), "%s+0x%" PRIx64, module,
					 addr - m->start + m->pgoff);
				name = buf;
			} else if (sym_file_vaddr(m->file, m->start, m->pgoff, addr, &vaddr) < 0) {
				snprintf(buf, sizeof(buf), "%s+0x%" PRIx64, module,
					 addr - m->start + m->pgoff);
				name = buf;
			} else {
				name = sym_file_find(m->file, vaddr, &off);
				if (!name) {
					snprintf(buf, sizeof(buf), "%s+0x%" PRIx64,
						 module, vaddr);
					name = buf;
				}
			}
		}
	}
	iname = intern(p, name);
	module = intern(p, module);
	if (!iname || !module)
		return -ENOMEM;
	i = hash_get(&p->function_hash, (uintptr_t)iname, (uintptr_t)module);
	if (i >= 0)
		return i;
	if (grow(&p->functions, &p->alloc_functions, p->nr_functions,
		 sizeof(*p->functions)) < 0 ||
	    hash_put(&p->function_hash, (uintptr_t)iname, (uintptr_t)module,
		     (uint32_t)p->nr_functions) < 0)
		return -ENOMEM;
	p->functions[p->nr_functions] = (struct function){ iname, module, 0, 0, 0 };
	return (long)p->nr_functions++;
}

static int count_in_command(struct profile *p, const char *command,
			    uint32_t function)
{
	long i = hash_get(&p->count_hash, (uintptr_t)command, function);

	if (i < 0) {
		if (grow(&p->counts, &p->alloc_counts, p->nr_counts,
			 sizeof(*p->counts)) < 0 ||
		    hash_put(&p->count_hash, (uintptr_t)command, function,
			     (uint32_t)p->nr_counts) < 0)
			return -ENOMEM;
		p->counts[p->nr_counts] = (struct count){ command, function, 0 };
		i = (long)p->nr_counts++;
	}
	p->counts[i].samples++;
	return 0;
}

static int on_sample(struct profile *p, const struct rec *rec)
{
	struct rec_sample sa;
	const struct process *pr;
	const char *command;
	size_t nr;

	if (!p->measured || rec_decode_sample(rec, &sa) < 0)
		return 0;
	pr = find_process(p, sa.pid);
	command = pr && pr->command ? pr->command : UNKNOWN;
	p->samples++;
	nr = sa.nr;
	if (nr > 1)
		p->callchains = 1;
	for (size_t i = 0; i < nr; i++) {
		long f = resolve(p, pr, rec_sample_addr(&sa, i), i < sa.nr_kernel);

		if (f < 0)
			return (int)f;
		p->frames[i] = (uint32_t)f;
		/* A function on the stack twice (recursion) counts once. */
		if (p->functions[f].last_sample != p->samples) {
			p->functions[f].last_sample = p->samples;
			p->functions[f].total++;
		}
	}
	p->functions[p->frames[0]].self++;
	if (count_in_command(p, command, p->frames[0]) < 0)
		return -ENOMEM;
	if (p->want_stacks) {
		/* Root first: the command, then the outermost caller. */
		p->names[0] = command;
		for (size_t i = 0; i < nr; i++)
			p->names[1 + i] = p->functions[p->frames[nr - 1 - i]].name;
		return stacks_add(&p->stacks, p->names, nr + 1, 1);
	}
	return 0;
}

static void on_sampling(struct profile *p, const struct rec *rec)
{
	struct rec_sampling g;

	if (rec_decode_sampling(rec, &g) < 0 || g.kind != REC_SAMPLING_BEGIN)
		return;
	p->same_boot = p->boot_id[0] && !strcmp(g.boot_id, p->boot_id);
}

int profile_add(void *arg, const struct summary *s, const struct rec *rec)
{
	struct profile *p = arg;
	struct rec_run_begin b;

	(void)s;
	switch (rec->type) {
	case REC_RUN_BEGIN:
		/* pids may repeat across runs: each starts afresh. */
		forget_processes(p);
		p->measured = rec_decode_run_begin(rec, &b) == 0 &&
			      !(b.flags & REC_RUN_F_WARMUP);
		return 0;
	case REC_SAMPLING:
		on_sampling(p, rec);
		return 0;
	case REC_TASK:
		return on_task(p, rec);
	case REC_MMAP:
		return on_mmap(p, rec);
	case REC_SAMPLE:
		return on_sample(p, rec);
	default:
		return 0;
	}
}

/* ---- results ---- */

uint64_t profile_samples(const struct profile *p)
{
	return p->samples;
}

const struct stacks *profile_stacks(const struct profile *p)
{
	return p->want_stacks ? &p->stacks : NULL;
}

int profile_has_callchains(const struct profile *p)
{
	return p->callchains;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct profile_row *x = a, *y = b;
	int c;

	if (x->self != y->self)
		return x->self > y->self ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	c = strcmp(x->function, y->function);
	return c ? c : strcmp(x->module, y->module);
}

long profile_rows(const struct profile *p, const char *command, size_t max,
		  struct profile_row **rows)
{
	struct profile_row *r;
	size_t n = 0;

	r = malloc((command ? p->nr_counts : p->nr_functions) * sizeof(*r) + 1);
	if (!r)
		return -ENOMEM;
	if (!command) {
		for (size_t i = 0; i < p->nr_functions; i++) {
			const struct function *f = &p->functions[i];

			/* Functions that were only ever callers are in the
			 * stacks, not in a table of where samples fell. */
			if (f->self)
				r[n++] = (struct profile_row){ f->name, f->module,
							       f->self, f->total };
		}
	} else {
		for (size_t i = 0; i < p->nr_counts; i++) {
			const struct count *c = &p->counts[i];
			const struct function *f = &p->functions[c->function];

			if (!strcmp(c->command, command))
				r[n++] = (struct profile_row){ f->name, f->module,
							       c->samples, c->samples };
		}
	}
	qsort(r, n, sizeof(*r), cmp_rows);
	if (max && n > max)
		n = max;
	*rows = r;
	return (long)n;
}

struct command_total {
	const char *command;
	uint64_t samples;
};

static int cmp_commands(const void *a, const void *b)
{
	const struct command_total *x = a, *y = b;

	if (x->samples != y->samples)
		return x->samples > y->samples ? -1 : 1;
	return strcmp(x->command, y->command);
}

long profile_commands(const struct profile *p, const char ***commands,
		      uint64_t **samples)
{
	struct command_total *t = malloc(p->nr_counts * sizeof(*t) + 1);
	size_t n = 0;

	if (!t)
		return -ENOMEM;
	/* Few commands, many counts: a linear search per count is fine. */
	for (size_t i = 0; i < p->nr_counts; i++) {
		size_t j;

		for (j = 0; j < n && t[j].command != p->counts[i].command; j++)
			;
		if (j == n)
			t[n++] = (struct command_total){ p->counts[i].command, 0 };
		t[j].samples += p->counts[i].samples;
	}
	qsort(t, n, sizeof(*t), cmp_commands);
	*commands = malloc(n * sizeof(**commands) + 1);
	if (samples)
		*samples = malloc(n * sizeof(**samples) + 1);
	if (!*commands || (samples && !*samples)) {
		free(*commands);
		if (samples)
			free(*samples);
		free(t);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		(*commands)[i] = t[i].command;
		if (samples)
			(*samples)[i] = t[i].samples;
	}
	free(t);
	return (long)n;
}

void profile_problems(const struct profile *p,
		      void (*fn)(void *arg, const char *path, const char *why),
		      void *arg)
{
	for (size_t i = 0; i < p->nr_problems; i++)
		fn(arg, p->problems[i].path, sym_status_str(p->problems[i].status));
}
