/*
 * memory_series.h - one run's memory, as each backend measured it, and
 * what the report says about those figures.
 *
 * A recording has up to five memory backends (enum rec_mem_backend), each
 * with its own series of MEM readings of the whole tree. None of them is
 * "the" memory of the tree; each is a different question with its own
 * bias, and the report shows them side by side with a label saying which:
 *
 *   rss     sum of RSS at each tick: an upper bound (a page shared
 *           copy-on-write by N processes is counted N times), and
 *           sampled: a spike between two ticks is missed
 *   pss     sum of PSS: the tree's proportional share (a shared page is
 *           split between its sharers), sampled at most ~1 Hz
 *   hwm     sum of each process's own high-water mark (VmHWM): never
 *           misses a spike, but processes that peaked at different
 *           times are added as if they had peaked together, so it is an
 *           upper bound of the tree's simultaneous peak
 *   cgroup  the tree's own cgroup: exact for the tree as a whole, page
 *           cache included; the kernel keeps the peak
 *   rusage  ru_maxrss of the reaped tree: the largest single process,
 *           not the tree (what /usr/bin/time prints); one reading at the
 *           end, with no current figure
 *
 * A series is folded reading by reading (memory_series_add()), so memory
 * does not grow with the number of readings. The judgements are pure
 * functions, tested on their boundaries: the peak of a series, and whether
 * a sampled peak is so far below a true one that a spike was missed.
 */
#ifndef PPROBE_REPORT_MEMORY_SERIES_H
#define PPROBE_REPORT_MEMORY_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "recfile.h"

/* Backends this report knows: REC_MEM_RSS .. REC_MEM_RUSAGE. A MEM or
 * MEM_SOURCE record of another backend (from a newer pprobe) is skipped. */
#define MEMORY_BACKENDS 5

/*
 * The spike warning: a sampled peak (rss, pss) is "well below" a true
 * peak (hwm, cgroup) when the gap is more than MEMORY_SPIKE_MIN_BYTES
 * and more than MEMORY_SPIKE_MIN_PERCENT of the true peak. Both must hold:
 * the byte floor keeps page-sized noise on a tiny tree quiet, the percentage
 * keeps a large tree that grew a little between two ticks quiet. Exactly
 * at either limit there is no warning.
 */
#define MEMORY_SPIKE_MIN_BYTES (1ull << 20)
#define MEMORY_SPIKE_MIN_PERCENT 10

/* One backend's series in one run. */
struct memory_series {
	int declared;          /* a MEM_SOURCE named this backend */
	uint32_t status;       /* enum rec_mem_source_status, when declared */
	int32_t error;         /* errno when unavailable */
	char *source;          /* owned; NULL when not declared */
	char *why;             /* owned; NULL when not declared, "" when
				* recording */
	uint64_t readings;     /* MEM records of this backend and run */
	uint64_t initial;      /* current_bytes of the first reading */
	uint64_t final;        /* current_bytes of the last reading */
	int final_flagged;     /* the last reading was REC_MEM_F_FINAL */
	int has_own_peak;      /* some reading carried REC_MEM_F_PEAK */
	uint64_t peak;         /* largest current_bytes or own peak_bytes */
	uint64_t peak_ns;      /* time of the first reading that showed it */
	uint32_t peak_processes; /* `processes` of that reading */
};

/* "rss", "pss", "hwm", "cgroup", "rusage"; NULL for a backend this
 * report does not know. */
const char *memory_backend_name(uint32_t backend);
/* The index of a backend in a [MEMORY_BACKENDS] array, or -1. */
int memory_backend_index(uint32_t backend);
/*
 * What a backend's figure is, in two parts: what is measured ("sum of
 * RSS per tick") and what that makes the figure ("an upper bound (shared
 * pages counted once per process)"). Never NULL: a backend this report
 * does not know is "unknown backend" / "".
 */
const char *memory_backend_what(uint32_t backend);
const char *memory_backend_judgement(uint32_t backend);
/*
 * Whether a backend has a current figure: every one but rusage, whose
 * readings carry only a peak. Without one, initial and final are unknown.
 */
int memory_backend_has_current(uint32_t backend);

/* A series with nothing in it. */
void memory_series_init(struct memory_series *m);
void memory_series_release(struct memory_series *m);
/*
 * Takes a MEM_SOURCE (a later one replaces an earlier one). Copies the
 * strings. Returns 0 or -ENOMEM (the series is then unchanged).
 */
int memory_series_set_source(struct memory_series *m,
			     const struct rec_mem_source *src);
/* Copies the source of `from` into m (a run inherits the file's
 * sources). 0 or -ENOMEM. */
int memory_series_copy_source(struct memory_series *m,
			      const struct memory_series *from);
/*
 * Folds in one reading. The peak is the largest of current_bytes and, in
 * a reading flagged REC_MEM_F_PEAK, peak_bytes: a backend that keeps its
 * own peak is trusted for what happened between readings, and its
 * current figure still counts in case a reading has the flag off.
 * peak_ns is the first reading that showed the peak: for a backend with
 * its own peak, the peak happened at or before that time.
 */
void memory_series_add(struct memory_series *m, const struct rec_mem *mem);
/* Whether the series was recorded: declared recording, or has readings
 * without any declaration. An unavailable backend is not. */
int memory_series_recorded(const struct memory_series *m);

/*
 * Whether a sampled peak is well below a true peak (see
 * MEMORY_SPIKE_MIN_BYTES): 1 with *gap = true_peak - sampled_peak, or 0.
 */
int memory_missed_peak(uint64_t sampled_peak, uint64_t true_peak,
		       uint64_t *gap);

/* A sampled backend whose peak is well below a true backend's. */
struct memory_spike {
	uint32_t sampled, against;   /* enum rec_mem_backend */
	uint64_t sampled_peak, true_peak, gap;
	/* The true peak sums more than one process's own peak: processes
	 * peaking at different times may explain the gap too. */
	int summed_over_processes;
	/* The true peak includes page cache, which may explain the gap. */
	int includes_page_cache;
};

/*
 * The spike warnings of one run's series (indexed like
 * memory_backend_index()), at most one per sampled backend: rss is
 * compared with hwm (the same accounting, so only what happened between
 * ticks can open a gap), else with cgroup; pss with cgroup (both count a
 * shared page once). pss is never compared with hwm, which counts shared
 * pages once per process and so is above pss for any tree that shares
 * memory. Fills out[] (room for 2) and returns how many.
 */
size_t memory_spikes(const struct memory_series series[MEMORY_BACKENDS],
		     struct memory_spike out[2]);

/* Room for any text memory_format_bytes() writes. */
#define MEMORY_BYTES_MAX 32
/*
 * Bytes with a binary prefix, as a person reads them: "512 B", "1.0 KiB",
 * "160.4 MiB", "2.0 GiB", "3.5 TiB" (one decimal from KiB on). Returns buf.
 */
char *memory_format_bytes(char buf[MEMORY_BYTES_MAX], uint64_t bytes);

#endif /* PPROBE_REPORT_MEMORY_SERIES_H */
