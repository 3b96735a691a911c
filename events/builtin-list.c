/*
 * builtin-list.c - `pprobe list`: the events -e takes, by category, each
 * marked with whether this machine lets you count it right now.
 *
 * "Right now" is found by opening each event once, disabled, on pprobe
 * itself, as the user running it: the kernel's answer is the only reliable
 * one (libpfm4 encodes cycles happily in a VM without a PMU). Where
 * kernel-side counting is refused, the event is tried again in user mode,
 * as `pprobe record` does, and marked so.
 *
 *   pprobe list [--all] [<pattern>]
 *
 * The pattern is a shell glob matched against names, without case
 * ('*cache*', 'sched:*'). Tracepoints (hundreds) and libpfm4's PMU events
 * (thousands on real hardware) are counted, not listed, unless --all or a
 * pattern asks for them.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "event.h"

#include <perfmon/pfmlib_perf_event.h>

#include "builtin.h"
#include "parse-options.h"
#include "usage.h"

static const char *const list_usage[] = {
	"pprobe list [--all] [<pattern>]",
	NULL
};

struct lister {
	const char *pattern;  /* NULL: everything of the short list */
	int all;
	int paranoid;         /* perf_event_paranoid (2 if unreadable) */
	int have_pmu;
	size_t shown;
};

static int wanted(const struct lister *l, const char *name, const char *alias)
{
	if (!l->pattern)
		return 1;
	return !fnmatch(l->pattern, name, FNM_CASEFOLD) ||
	       (alias && !fnmatch(l->pattern, alias, FNM_CASEFOLD));
}

static int try_open(const struct event_spec *spec, int user_only)
{
	struct perf_event_attr attr = spec->attr;
	int fd;

	attr.size = sizeof(attr);
	attr.disabled = 1;
	if (user_only) {
		attr.exclude_kernel = 1;
		attr.exclude_hv = 1;
	}
	fd = sys_perf_event_open(&attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd >= 0 && spec->filter[0] &&
	    ioctl(fd, PERF_EVENT_IOC_SET_FILTER, spec->filter) < 0) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* Whether spec can be counted by this user now, in a few words. */
static const char *probe(const struct lister *l, const struct event_spec *spec,
			 char *buf, size_t len)
{
	int fd, err;

	if (spec->unavailable == EACCES)
		return "no tracefs: root only";
	fd = try_open(spec, 0);
	if (fd < 0 && (errno == EACCES || errno == EPERM) && !spec->attr.exclude_kernel) {
		fd = try_open(spec, 1);
		if (fd >= 0) {
			close(fd);
			snprintf(buf, len, "user only (paranoid %d)", l->paranoid);
			return buf;
		}
	}
	if (fd >= 0) {
		close(fd);
		return "ok";
	}
	err = errno;
	switch (err) {
	case ENOENT:
	case EOPNOTSUPP:
	case ENODEV:
		if (spec->kind == EVENT_HARDWARE && !l->have_pmu)
			return "no PMU here";
		return "not supported";
	case EACCES:
	case EPERM:
		snprintf(buf, len, "not permitted (paranoid %d)", l->paranoid);
		return buf;
	default:
		snprintf(buf, len, "%s", strerror(err));
		return buf;
	}
}

static void row(struct lister *l, const char *name, const char *status,
		const char *desc)
{
	printf("  %-46s %-24s %s\n", name, status, desc ? desc : "");
	l->shown++;
}

static void list_named(struct lister *l, enum event_kind kind, int cache,
		       const char *title)
{
	const struct event_info *v;
	size_t nr = event_catalogue(&v);
	int said = 0;

	for (size_t i = 0; i < nr; i++) {
		struct event_spec spec;
		char name[EVENT_NAME_MAX * 2], buf[64];

		if (v[i].kind != kind || v[i].cache != cache ||
		    !wanted(l, v[i].name, v[i].alias))
			continue;
		if (event_resolve(v[i].name, &spec, NULL, 0))
			continue;
		if (!said++)
			printf("\n%s:\n", title);
		snprintf(name, sizeof(name), "%s%s%s", v[i].name,
			 v[i].alias ? " or " : "", v[i].alias ? v[i].alias : "");
		row(l, name, probe(l, &spec, buf, sizeof(buf)), v[i].desc);
	}
}

static void list_sets(struct lister *l)
{
	const struct event_set *sets;
	size_t nr = event_sets(&sets);
	int said = 0;

	for (size_t i = 0; i < nr; i++) {
		char name[64];

		snprintf(name, sizeof(name), "@%s", sets[i].name);
		if (!wanted(l, name, NULL))
			continue;
		if (!said++)
			printf("\nsets (-e @name; what the machine cannot count is recorded as such):\n");
		printf("  %-12s %s:\n  %-12s   %s\n", name, sets[i].desc, "", sets[i].events);
		l->shown++;
	}
}

/* Tracepoints: listed when asked for, counted otherwise. */
static void list_tracepoints(struct lister *l)
{
	const char *dir = event_tracefs();
	char path[512];
	size_t found = 0, systems = 0;
	struct dirent **sys = NULL;
	int n, said = 0, show = l->all || l->pattern;

	if (!dir) {
		if (show || !l->pattern)
			printf("\ntracepoints: tracefs is not visible (not mounted, or root only): none can be named\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/events", dir);
	n = scandir(path, &sys, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		struct dirent **ev = NULL;
		int m;

		if (sys[i]->d_type != DT_DIR || sys[i]->d_name[0] == '.') {
			free(sys[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/events/%s", dir, sys[i]->d_name);
		m = scandir(path, &ev, NULL, alphasort);
		systems++;
		for (int j = 0; j < m; j++) {
			char name[EVENT_NAME_MAX];
			struct event_spec spec;
			char buf[64];

			if (ev[j]->d_type == DT_DIR && ev[j]->d_name[0] != '.' &&
			    snprintf(name, sizeof(name), "%s:%s", sys[i]->d_name,
				     ev[j]->d_name) < (int)sizeof(name)) {
				found++;
				if (show && wanted(l, name, NULL) &&
				    !event_resolve(name, &spec, NULL, 0)) {
					if (!said++)
						printf("\ntracepoints (%s/events):\n", dir);
					row(l, name, probe(l, &spec, buf, sizeof(buf)), NULL);
				}
			}
			free(ev[j]);
		}
		free(ev);
		free(sys[i]);
	}
	free(sys);
	if (!show)
		printf("\ntracepoints: %zu in %zu subsystems ('pprobe list sched:*' shows some, --all all of them)\n",
		       found, systems);
}

/* libpfm4's events of the PMUs present, as PMU::EVENT. */
static void list_pmu_events(struct lister *l)
{
	int show = l->all || l->pattern, said = 0;
	size_t found = 0;
	char pmus[256] = "";
	pfm_pmu_t p;

	if (pfm_initialize() != PFM_SUCCESS) {
		printf("\nPMU events: libpfm4 could not start\n");
		return;
	}
	pfm_for_all_pmus(p) {
		pfm_pmu_info_t pinfo = { .size = sizeof(pinfo) };

		if (pfm_get_pmu_info(p, &pinfo) != PFM_SUCCESS || !pinfo.is_present)
			continue;
		snprintf(pmus + strlen(pmus), sizeof(pmus) - strlen(pmus), "%s%s",
			 pmus[0] ? ", " : "", pinfo.name);
		for (int i = pinfo.first_event; i != -1; i = pfm_get_event_next(i)) {
			pfm_event_info_t info = { .size = sizeof(info) };
			char name[EVENT_NAME_MAX], buf[64];
			struct event_spec spec;

			if (pfm_get_event_info(i, PFM_OS_PERF_EVENT_EXT, &info) != PFM_SUCCESS)
				continue;
			found++;
			if (!show || snprintf(name, sizeof(name), "%s::%s", pinfo.name,
					      info.name) >= (int)sizeof(name) ||
			    !wanted(l, name, info.name) ||
			    event_resolve(name, &spec, NULL, 0))
				continue;
			if (!said++)
				printf("\nPMU events (libpfm4):\n");
			row(l, name, probe(l, &spec, buf, sizeof(buf)), info.desc);
		}
	}
	if (!show)
		printf("PMU events (libpfm4): %zu for the PMUs it finds here (%s; --all lists them)\n",
		       found, pmus[0] ? pmus : "none");
}

int cmd_list(int argc, const char **argv)
{
	struct lister l = { 0 };
	const struct option options[] = {
		OPT_BOOL(0, "all", &l.all, "list every tracepoint and every libpfm4 event too"),
		OPT_END(),
	};

	argc = parse_options(argc, argv, options, list_usage, 0);
	if (argc == PARSE_OPT_HELP)
		return 0;
	if (argc < 0)
		return EXIT_USAGE;
	if (argc > 1) {
		error("one pattern at most: quote it ('sched:*')");
		return EXIT_USAGE;
	}
	l.pattern = argc ? argv[0] : NULL;
	if (event_paranoid(&l.paranoid) < 0)
		l.paranoid = 2;
	l.have_pmu = event_have_pmu();

	printf("Events for -e, and whether you can count each here now (opened once, as %s; perf_event_paranoid %d%s):\n",
	       geteuid() == 0 ? "root" : "you", l.paranoid,
	       l.have_pmu ? "" : "; no hardware PMU: a VM without PMU passthrough?");
	list_named(&l, EVENT_SOFTWARE, 0, "software");
	list_named(&l, EVENT_TRACEPOINT, 0, "context switches by kind (from the sched:sched_switch tracepoint)");
	list_named(&l, EVENT_HARDWARE, 0, "hardware");
	list_named(&l, EVENT_HARDWARE, 1, "hardware cache");
	list_sets(&l);
	list_tracepoints(&l);
	list_pmu_events(&l);
	if (l.pattern && !l.shown) {
		error("no event matches '%s'", l.pattern);
		return 1;
	}
	return 0;
}
