/*
 * memory.c - the memory backends of `pprobe record`: which ones record,
 * and their MEM_SOURCE and MEM records. See memory.h.
 */
#include "memory.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "usage.h"

static const char *const backend_names[] = {
	[REC_MEM_RSS] = "rss",
	[REC_MEM_PSS] = "pss",
	[REC_MEM_HWM] = "hwm",
	[REC_MEM_CGROUP] = "cgroup",
	[REC_MEM_RUSAGE] = "rusage",
};

#define FIRST_BACKEND REC_MEM_RSS
#define LAST_BACKEND REC_MEM_RUSAGE
#define ALL_BACKENDS (((1u << (LAST_BACKEND + 1)) - 1) & ~((1u << FIRST_BACKEND) - 1))

int mem_backends_parse(const char *list, unsigned *wanted, char *err, size_t errsz)
{
	const char *p = list;

	*wanted = 0;
	while (*p) {
		size_t len = strcspn(p, ",");
		int found = 0;

		if (len == 3 && !strncasecmp(p, "all", 3)) {
			*wanted |= ALL_BACKENDS;
			found = 1;
		}
		for (int b = FIRST_BACKEND; b <= LAST_BACKEND && !found; b++) {
			if (strlen(backend_names[b]) == len &&
			    !strncasecmp(p, backend_names[b], len)) {
				*wanted |= MEM_BACKEND_BIT(b);
				found = 1;
			}
		}
		if (!found) {
			snprintf(err, errsz, "unknown memory backend '%.*s' (use rss, pss, hwm, cgroup, rusage or all)",
				 (int)len, p);
			return -1;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	if (!*wanted) {
		snprintf(err, errsz, "no memory backend in '%s' (use rss, pss, hwm, cgroup, rusage or all)", list);
		return -1;
	}
	return 0;
}

void mem_backends_init(struct mem_backends *m, unsigned wanted,
		       uint64_t pss_interval_ns)
{
	memset(m, 0, sizeof(*m));
	m->wanted = wanted;
	m->pss_interval_ns = pss_interval_ns;
	m->cgroup = (struct cgroup_mem)CGROUP_MEM_INIT;
}

static void write_source(struct rec_writer *w, int backend, const char *source,
			 int err, const char *why)
{
	struct rec_mem_source s = {
		.backend = (uint32_t)backend,
		.status = err ? REC_MEM_SOURCE_UNAVAILABLE : REC_MEM_SOURCE_RECORDING,
		.error = err,
		.source = source,
		.why = why ? why : "",
	};

	rec_write_mem_source(w, &s);
}

void mem_backends_prepare(struct mem_backends *m, pid_t pid)
{
	int err;

	if (!(m->wanted & MEM_BACKEND_BIT(REC_MEM_CGROUP)))
		return;
	m->cgroup_why[0] = '\0';
	err = cgroup_mem_create(&m->cgroup, "pprobe", m->cgroup_why, sizeof(m->cgroup_why));
	if (!err)
		err = cgroup_mem_attach(&m->cgroup, pid, m->cgroup_why, sizeof(m->cgroup_why));
	if (err)
		cgroup_mem_destroy(&m->cgroup, NULL, 0);
	m->cgroup_err = err;
	m->prepared = 1;
}

int mem_backends_cgroup(const struct mem_backends *m)
{
	return m->prepared && !m->cgroup_err &&
	       (m->wanted & MEM_BACKEND_BIT(REC_MEM_CGROUP));
}

const char *mem_backends_cgroup_v2(const struct mem_backends *m)
{
	if (!m->prepared || m->cgroup_err || m->cgroup.version != 2)
		return NULL;
	return cgroup_path(&m->cgroup.cgroup, "memory");
}

void mem_backends_start(struct mem_backends *m, struct rec_writer *w, int quiet)
{
	static const char *const sources[] = {
		[REC_MEM_RSS] = "/proc/PID/statm resident pages, summed over the live processes",
		[REC_MEM_PSS] = "/proc/PID/smaps_rollup Pss, summed over the live processes",
		[REC_MEM_HWM] = "/proc/PID/status VmHWM, summed over the live processes; wait4() ru_maxrss of reaped ones",
		[REC_MEM_RUSAGE] = "getrusage(RUSAGE_CHILDREN) ru_maxrss after the tree ended",
	};

	for (int b = FIRST_BACKEND; b <= LAST_BACKEND; b++) {
		if (!(m->wanted & MEM_BACKEND_BIT(b)))
			continue;
		if (b != REC_MEM_CGROUP) {
			write_source(w, b, sources[b], 0, NULL);
			m->recording |= MEM_BACKEND_BIT(b);
			continue;
		}
		if (!m->prepared) {
			m->cgroup_err = -EINVAL;
			snprintf(m->cgroup_why, sizeof(m->cgroup_why),
				 "the command's cgroup was not prepared");
		}
		if (m->cgroup_err) {
			write_source(w, b, "cgroup", -m->cgroup_err, m->cgroup_why);
			if (!quiet)
				note("memory backend 'cgroup' is unavailable: %s", m->cgroup_why);
			continue;
		}
		write_source(w, b, cgroup_mem_describe(&m->cgroup), 0, NULL);
		m->recording |= MEM_BACKEND_BIT(b);
	}
}

unsigned mem_backends_reads(struct mem_backends *m, uint64_t now_ns)
{
	if (!(m->recording & MEM_BACKEND_BIT(REC_MEM_PSS)))
		return 0;
	/* PSS walks page tables (~0.5 ms per 100 MiB): rarely. */
	if (m->last_pss_ns && now_ns - m->last_pss_ns < m->pss_interval_ns)
		return 0;
	m->last_pss_ns = now_ns;
	return PROC_READ_PSS;
}

static void write_mem(struct rec_writer *w, uint64_t now_ns, uint32_t run,
		      int backend, uint64_t current, uint64_t peak,
		      uint32_t processes, uint32_t flags)
{
	struct rec_mem mem = {
		.time_ns = now_ns,
		.run = run,
		.backend = (uint32_t)backend,
		.current_bytes = current,
		.peak_bytes = peak,
		.processes = processes,
		.flags = flags,
	};

	rec_write_mem(w, &mem);
}

static void tick_cgroup(struct mem_backends *m, uint64_t now_ns, uint32_t run,
			struct rec_writer *w, uint32_t flags)
{
	uint64_t current, peak;

	if (!(m->recording & MEM_BACKEND_BIT(REC_MEM_CGROUP)) ||
	    cgroup_mem_read(&m->cgroup, &current, &peak) < 0)
		return;
	/* Without memory.peak (v2 before 5.19) the peak is only sampled. */
	if (m->cgroup.peak_fd >= 0)
		flags |= REC_MEM_F_PEAK;
	write_mem(w, now_ns, run, REC_MEM_CGROUP, current,
		  flags & REC_MEM_F_PEAK ? peak : 0, 0, flags);
}

void mem_backends_tick(struct mem_backends *m, uint64_t now_ns, uint32_t run,
		       const struct proc_tree_sums *sums, struct rec_writer *w)
{
	if (m->recording & MEM_BACKEND_BIT(REC_MEM_RSS))
		write_mem(w, now_ns, run, REC_MEM_RSS, sums->rss_bytes, 0,
			  sums->processes, 0);
	if ((m->recording & MEM_BACKEND_BIT(REC_MEM_PSS)) && sums->have_pss)
		write_mem(w, now_ns, run, REC_MEM_PSS, sums->pss_bytes, 0,
			  sums->processes, 0);
	if (m->recording & MEM_BACKEND_BIT(REC_MEM_HWM))
		write_mem(w, now_ns, run, REC_MEM_HWM, sums->hwm_bytes, 0,
			  sums->processes, 0);
	tick_cgroup(m, now_ns, run, w, 0);
}

void mem_backends_reaped(struct mem_backends *m, long maxrss_kib)
{
	uint64_t bytes = maxrss_kib > 0 ? (uint64_t)maxrss_kib * 1024 : 0;

	if (bytes > m->hwm_reaped_max)
		m->hwm_reaped_max = bytes;
}

void mem_backends_finish(struct mem_backends *m, uint64_t now_ns, uint32_t run,
			 const struct proc_tree_sums *live,
			 struct rec_writer *w, int quiet)
{
	char why[512] = "";

	/*
	 * The tree is gone: RSS and PSS are 0 now; hwm's last word is the
	 * largest exact peak wait4() reported. An attached tree that runs on
	 * ends as its last tick found it.
	 */
	if (m->recording & MEM_BACKEND_BIT(REC_MEM_RSS))
		write_mem(w, now_ns, run, REC_MEM_RSS, live ? live->rss_bytes : 0,
			  0, 0, REC_MEM_F_FINAL);
	if (m->recording & MEM_BACKEND_BIT(REC_MEM_PSS))
		write_mem(w, now_ns, run, REC_MEM_PSS,
			  live && live->have_pss ? live->pss_bytes : 0, 0, 0,
			  REC_MEM_F_FINAL);
	if (m->recording & MEM_BACKEND_BIT(REC_MEM_HWM))
		write_mem(w, now_ns, run, REC_MEM_HWM,
			  live && live->hwm_bytes > m->hwm_reaped_max ?
			  live->hwm_bytes : m->hwm_reaped_max, 0, 0,
			  REC_MEM_F_FINAL);
	/* getrusage(RUSAGE_CHILDREN)'s ru_maxrss is the largest of the
	 * ru_maxrss wait4() gave for each child: that of this run's
	 * children only, as the earlier runs' are in it too. */
	if (m->recording & MEM_BACKEND_BIT(REC_MEM_RUSAGE))
		write_mem(w, now_ns, run, REC_MEM_RUSAGE, 0, m->hwm_reaped_max,
			  0, REC_MEM_F_PEAK | REC_MEM_F_FINAL);
	tick_cgroup(m, now_ns, run, w, REC_MEM_F_FINAL);
	if ((m->recording & MEM_BACKEND_BIT(REC_MEM_CGROUP)) &&
	    cgroup_mem_destroy(&m->cgroup, why, sizeof(why)) < 0 && !quiet && why[0])
		warning("%s", why);
}

void mem_backends_new_run(struct mem_backends *m)
{
	cgroup_mem_destroy(&m->cgroup, NULL, 0);
	m->cgroup = (struct cgroup_mem)CGROUP_MEM_INIT;
	m->last_pss_ns = 0;
	m->hwm_reaped_max = 0;
}

void mem_backends_release(struct mem_backends *m)
{
	cgroup_mem_destroy(&m->cgroup, NULL, 0);
}
