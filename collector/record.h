/*
 * record.h - `pprobe record` as a function, for the commands built on it.
 *
 * A recording runs one or more variants, each -r times (after --warmup
 * runs that are marked as such), interleaved: a b a b a b rather than
 * a a a b b b, so that a machine that slows down or speeds up as the
 * recording goes (thermal limits, a noisy neighbour) shifts every
 * variant alike. A variant is a command and the CPUs it is pinned to.
 * `pprobe record -- a ::: b` makes one per command; `pprobe scale` one
 * per CPU count, all of the same command.
 */
#ifndef PPROBE_RECORD_H
#define PPROBE_RECORD_H

#include <stddef.h>
#include <stdint.h>

struct record_variant {
	const char **argv;      /* NULL-terminated: argc arguments */
	int argc;
	uint32_t *cpus;         /* owned: pinned to these, or NULL */
	size_t nr_cpus;         /* 0: not pinned */
	char *cpu_list;         /* owned: cpus as the kernel writes lists
				 * ("0-3,8"), or NULL when not pinned */
	char label[96];         /* how reports name it */
};

/*
 * The CPU sets of a scaling study: the command of `pprobe record`'s
 * command line runs once per set, pinned to it, labelled "N CPUs".
 */
struct record_cpu_sets {
	const uint32_t *const *cpus; /* nr sets of CPUs */
	const size_t *nr_cpus;
	size_t nr;
};

/*
 * `pprobe record` with argv as its command line (argv[0] is "record").
 * With sets, the command line has one command, which runs once per set.
 * Returns the exit status for pprobe.
 */
int record_main(int argc, const char **argv, const struct record_cpu_sets *sets);

/*
 * Only the first step of record_main(): the command line parsed and
 * checked as it would be, with nothing started, opened or written.
 * Returns -1 when record_main() would go on to record, else the exit
 * status it would return (0 after --help, EXIT_USAGE). For the
 * command-line fuzzer, fuzz/fuzz_options.c.
 */
int record_check_args(int argc, const char **argv, const struct record_cpu_sets *sets);

#endif /* PPROBE_RECORD_H */
