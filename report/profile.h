/*
 * profile.h - where a sampled recording's time went: each SAMPLE's
 * addresses turned into functions (symbols.h), counted per function
 * overall and per command, and with -g merged into call stacks
 * (stacks.h).
 *
 * The profile replays a file's TASK, MMAP and SAMPLE records, which the
 * collector writes in time order (recfile.h), keeping the mappings of
 * every live process: a FORK'd process starts with a copy of its
 * parent's, an EXEC with none, an MMAP adds one (over whatever it
 * covered), and a process's mappings go when its last thread exits (its
 * main thread may end first, pthread_exit() in main). A sample is then
 * resolved against the mappings its process had when it was taken. Warm-up runs are left out; the measured runs add up.
 *
 * Memory grows with the distinct functions and stacks and the live
 * processes' mappings, not with the number of samples, so the profile
 * is built while the file streams by (profile_add() is a summary_hook).
 */
#ifndef PPROBE_PROFILE_H
#define PPROBE_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "recfile.h"
#include "stacks.h"
#include "summary.h"

struct profile;

/* One function (or module+offset, or [kernel], ...) and its samples. */
struct profile_row {
	const char *function;
	const char *module;   /* file name without its directory, or
			       * "[kernel]", "[vdso]", "[anon]", "[unknown]" */
	uint64_t self;        /* samples taken in it */
	uint64_t total;       /* samples with it anywhere on the stack
			       * (with -g; else equal to self) */
};

/*
 * A new profile. stacks: merge the call stacks too (--folded, the flame
 * graph). kallsyms: the kernel's symbols, NULL for /proc/kallsyms.
 * Returns NULL when out of memory.
 */
struct profile *profile_new(int stacks, const char *kallsyms);
void profile_free(struct profile *p);

/*
 * What profiles made with kallsyms NULL read instead of /proc/kallsyms,
 * for the whole process; NULL goes back to /proc/kallsyms. For the
 * fuzzer (fuzz/fuzz_report.c), which runs the report thousands of times
 * a second and cannot afford to read the kernel's table each time.
 */
void profile_set_kallsyms(const char *path);

/* The summary_hook that feeds it: returns 0 or -ENOMEM. */
int profile_add(void *arg, const struct summary *s, const struct rec *rec);

/* Samples counted (of measured runs). */
uint64_t profile_samples(const struct profile *p);

/*
 * The functions of all commands (command NULL) or of one, the most
 * samples first (ties by name), at most max of them (0: all). *rows is
 * owned by the caller (free()); the strings are the profile's. Returns
 * the number of rows, or -ENOMEM.
 */
long profile_rows(const struct profile *p, const char *command, size_t max,
		  struct profile_row **rows);

/*
 * The commands sampled, the most samples first, in *commands (owned by
 * the caller; the strings are the profile's), with their samples in
 * *samples when not NULL (also the caller's). Returns how many, or
 * -ENOMEM.
 */
long profile_commands(const struct profile *p, const char ***commands,
		      uint64_t **samples);

/* The stacks, root first: command, outermost function, ..., leaf. NULL
 * unless asked for. */
const struct stacks *profile_stacks(const struct profile *p);

/* Whether samples carried call chains (record -g). */
int profile_has_callchains(const struct profile *p);

/*
 * Calls fn once per file whose addresses could not be resolved: missing,
 * changed since it was recorded, or not ELF (with symbols.h's status
 * text, e.g. "changed since it was recorded").
 */
void profile_problems(const struct profile *p,
		      void (*fn)(void *arg, const char *path, const char *why),
		      void *arg);

#endif /* PPROBE_PROFILE_H */
