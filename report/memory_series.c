/*
 * memory_series.c - one run's memory series per backend, and the
 * report's judgements about them: the peak, the labels, the spike
 * warning, bytes as a person reads them (see memory_series.h).
 *
 * Nothing here reads a file or prints. The labels are the report's
 * honesty about each figure; change them here and the text, JSON and CSV
 * all follow.
 */
#include "memory_series.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Indexed by backend - 1. */
static const struct {
	const char *name, *what, *judgement;
} backends[MEMORY_BACKENDS] = {
	{ "rss", "sum of RSS per tick",
	  "an upper bound (a shared page is counted once per process that maps it)" },
	{ "pss", "sum of PSS, sampled at most ~1 Hz",
	  "the tree's proportional share (a shared page is split between its sharers)" },
	{ "hwm", "per-process high-water marks, summed",
	  "never misses a spike; an upper bound of the tree's peak" },
	{ "cgroup", "the tree's cgroup",
	  "exact for the whole tree, includes page cache" },
	{ "rusage", "ru_maxrss of the reaped tree",
	  "the largest single process, not the tree" },
};

int memory_backend_index(uint32_t backend)
{
	if (backend < REC_MEM_RSS || backend > REC_MEM_RUSAGE)
		return -1;
	return (int)backend - REC_MEM_RSS;
}

const char *memory_backend_name(uint32_t backend)
{
	int i = memory_backend_index(backend);

	return i < 0 ? NULL : backends[i].name;
}

const char *memory_backend_what(uint32_t backend)
{
	int i = memory_backend_index(backend);

	return i < 0 ? "unknown backend" : backends[i].what;
}

const char *memory_backend_judgement(uint32_t backend)
{
	int i = memory_backend_index(backend);

	return i < 0 ? "" : backends[i].judgement;
}

int memory_backend_has_current(uint32_t backend)
{
	return backend != REC_MEM_RUSAGE;
}

void memory_series_init(struct memory_series *m)
{
	memset(m, 0, sizeof(*m));
}

void memory_series_release(struct memory_series *m)
{
	free(m->source);
	free(m->why);
	memset(m, 0, sizeof(*m));
}

/* Replaces the declaration of m. 0 or -ENOMEM (m unchanged). */
static int set_source(struct memory_series *m, uint32_t status, int32_t error,
		      const char *source, const char *why)
{
	char *s = strdup(source ? source : "");
	char *w = strdup(why ? why : "");

	if (!s || !w) {
		free(s);
		free(w);
		return -ENOMEM;
	}
	free(m->source);
	free(m->why);
	m->source = s;
	m->why = w;
	m->declared = 1;
	m->status = status;
	m->error = error;
	return 0;
}

int memory_series_set_source(struct memory_series *m,
			     const struct rec_mem_source *src)
{
	return set_source(m, src->status, src->error, src->source, src->why);
}

int memory_series_copy_source(struct memory_series *m,
			      const struct memory_series *from)
{
	if (!from->declared)
		return 0;
	return set_source(m, from->status, from->error, from->source, from->why);
}

void memory_series_add(struct memory_series *m, const struct rec_mem *mem)
{
	uint64_t candidate = mem->current_bytes;

	if (mem->flags & REC_MEM_F_PEAK) {
		m->has_own_peak = 1;
		if (mem->peak_bytes > candidate)
			candidate = mem->peak_bytes;
	}
	if (!m->readings)
		m->initial = mem->current_bytes;
	/* Strictly larger: the first reading that showed the peak keeps it. */
	if (!m->readings || candidate > m->peak) {
		m->peak = candidate;
		m->peak_ns = mem->time_ns;
		m->peak_processes = mem->processes;
	}
	m->final = mem->current_bytes;
	m->final_flagged = !!(mem->flags & REC_MEM_F_FINAL);
	m->readings++;
}

int memory_series_recorded(const struct memory_series *m)
{
	if (m->declared)
		return m->status == REC_MEM_SOURCE_RECORDING;
	return m->readings > 0;
}

int memory_missed_peak(uint64_t sampled_peak, uint64_t true_peak,
		       uint64_t *gap)
{
	uint64_t g;

	if (true_peak <= sampled_peak)
		return 0;
	g = true_peak - sampled_peak;
	if (g <= MEMORY_SPIKE_MIN_BYTES)
		return 0;
	/* g * 100 > true_peak * percent, in integers that cannot overflow:
	 * for an integer g that is g > floor(true_peak * percent / 100). */
	if (g <= true_peak / 100 * MEMORY_SPIKE_MIN_PERCENT +
		 true_peak % 100 * MEMORY_SPIKE_MIN_PERCENT / 100)
		return 0;
	*gap = g;
	return 1;
}

/* Whether a series has a peak to compare: recorded, with a reading. */
static int has_peak(const struct memory_series *m)
{
	return m->readings > 0 && memory_series_recorded(m);
}

size_t memory_spikes(const struct memory_series series[MEMORY_BACKENDS],
		     struct memory_spike out[2])
{
	/* For each sampled backend, the true backends to compare it with,
	 * in order: the first one that has a peak is used. */
	static const struct {
		uint32_t sampled;
		uint32_t against[2];
	} pairs[] = {
		{ REC_MEM_RSS, { REC_MEM_HWM, REC_MEM_CGROUP } },
		{ REC_MEM_PSS, { REC_MEM_CGROUP, 0 } },
	};
	size_t nr = 0;

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const struct memory_series *s =
			&series[memory_backend_index(pairs[i].sampled)];

		if (!has_peak(s))
			continue;
		for (size_t k = 0; k < 2 && pairs[i].against[k]; k++) {
			uint32_t against = pairs[i].against[k];
			const struct memory_series *t =
				&series[memory_backend_index(against)];
			uint64_t gap;

			if (!has_peak(t))
				continue;
			if (memory_missed_peak(s->peak, t->peak, &gap)) {
				out[nr] = (struct memory_spike){
					.sampled = pairs[i].sampled,
					.against = against,
					.sampled_peak = s->peak,
					.true_peak = t->peak,
					.gap = gap,
					.summed_over_processes =
						against == REC_MEM_HWM &&
						t->peak_processes > 1,
					.includes_page_cache =
						against == REC_MEM_CGROUP,
				};
				nr++;
			}
			break;
		}
	}
	return nr;
}

char *memory_format_bytes(char buf[MEMORY_BYTES_MAX], uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB",
					     "PiB", "EiB" };
	double v = (double)bytes;
	size_t u = 0;

	if (bytes < 1024) {
		snprintf(buf, MEMORY_BYTES_MAX, "%u B", (unsigned)bytes);
		return buf;
	}
	v /= 1024.0;
	/* Move up a unit when the value would print as 1024.0. */
	while (v >= 1023.95 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024.0;
		u++;
	}
	snprintf(buf, MEMORY_BYTES_MAX, "%.1f %s", v, units[u]);
	return buf;
}
