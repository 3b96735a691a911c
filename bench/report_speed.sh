#!/bin/bash
# report_speed.sh - how long `pprobe report` takes to read and chart a
# large recording.
#
#   bench/report_speed.sh [BUILD_DIR]      (default build)
#
# synth_recording (bench/synth_recording.c) writes two recordings into a
# temporary directory, as `pprobe record -I 10` writes them for a tree of
# 100 processes read every 100 ms: 10 minutes and 1 hour long (about 65
# and 410 MB). Each is then read by
#
#   pprobe report FILE >/dev/null        parse + text
#   pprobe report --png DIR FILE         parse + every chart
#
# RUNS times (default 3) after one untimed run that warms the page cache,
# so that the reader is measured, not the disk; the median wall time of
# each is reported. Parse throughput is the file size over the text
# report's time (MB of 10^6 bytes); the charts' own time is the --png
# report's time less the text report's. Peak RSS is measured on the
# warm-up run, by /usr/bin/time -f %M (scripts/install-deps --bench
# installs it), else by a getrusage() wrapper compiled on the spot, else
# not at all. The report's standard error (the charts it wrote, the
# synthetic file's spike warning) is dropped in the timed runs.
#
# Results go to stdout as a Markdown table, ready for docs/BENCHMARKS.md;
# progress goes to stderr.
set -euo pipefail

build=${1:-build}
runs=${RUNS:-3}
pprobe=$build/pprobe
synth=$build/bench/synth_recording
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

die() { echo "report_speed.sh: $*" >&2; exit 1; }

[ -x "$pprobe" ] || die "no '$pprobe': build first (make)"
[ -x "$synth" ] || die "no '$synth': build first (make)"

# Peak RSS: /usr/bin/time, else a getrusage() wrapper built here (not
# python's: a child's ru_maxrss keeps the RSS it had before its exec, a
# copy of the whole interpreter, which dwarfs pprobe's few MiB).
cat >"$tmp/maxrss.c" <<'EOF'
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* maxrss FILE CMD...: runs CMD, writes its peak RSS in KiB to FILE. */
int main(int argc, char **argv)
{
	struct rusage ru;
	int status;
	pid_t pid;
	FILE *f;

	if (argc < 3 || (pid = fork()) < 0)
		return 125;
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0 || !(f = fopen(argv[1], "w")))
		return 125;
	fprintf(f, "%ld\n", ru.ru_maxrss);
	fclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
EOF
rss_tool=none rss_how="not measured (no /usr/bin/time, no C compiler: scripts/install-deps --bench)"
if [ -x /usr/bin/time ]; then
	rss_tool="time" rss_how="by /usr/bin/time -f %M"
elif "${CC:-cc}" -O2 -o "$tmp/maxrss" "$tmp/maxrss.c" 2>/dev/null; then
	rss_tool=wrapper rss_how="by getrusage() in a wrapper"
fi

median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# stamp VAR: the wall clock in microseconds, into VAR. Bash 5's
# EPOCHREALTIME costs no fork: a report of the short file takes tens of ms.
stamp() {
	if [ -n "${EPOCHREALTIME:-}" ]; then
		local t=$EPOCHREALTIME
		printf -v "$1" '%s' "${t/[.,]/}"
	else
		printf -v "$1" '%s' $(($(date +%s%N) / 1000))
	fi
}

# peak_rss CMD...: runs CMD once, stdout to /dev/null; prints its peak
# RSS in KiB, or "nan" when there is no way to measure it.
peak_rss() {
	case $rss_tool in
	time)
		/usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>&1 || return
		tail -n 1 "$tmp/rss"
		;;
	wrapper)
		"$tmp/maxrss" "$tmp/rss" "$@" >/dev/null 2>&1 || return
		cat "$tmp/rss"
		;;
	none)
		"$@" >/dev/null 2>&1 || return
		echo nan
		;;
	esac
}

# seconds CMD...: runs CMD once, stdout to /dev/null; prints its wall
# time in seconds.
seconds() {
	local t0 t1
	stamp t0
	"$@" >/dev/null 2>&1 || return
	stamp t1
	awk -v us=$((t1 - t0)) 'BEGIN { printf "%.4f\n", us / 1e6 }'
}

# Each --png run writes into an empty directory, made outside the timing.
fresh_png_dir() {
	rm -rf "$tmp/png"
	mkdir "$tmp/png"
}

# Recordings: name and synth_recording's options.
recordings=(
	"10 min|--seconds 600"
	"1 h|--seconds 3600"
)

for entry in "${recordings[@]}"; do
	name=${entry%%|*}
	read -r -a opts <<<"${entry#*|}"
	file="$tmp/${name// /}.data"
	echo "writing the $name recording: $("$synth" -o "$file" "${opts[@]}" --interval-ms 10 --processes 100 --proc-interval-ms 100)" >&2
done

# Does this pprobe chart? An unknown option is a usage error, exit 129.
have_png=1
fresh_png_dir
rc=0
"$pprobe" report --png "$tmp/png" "$tmp/10min.data" >/dev/null 2>"$tmp/png.err" || rc=$?
if [ $rc = 129 ]; then
	have_png=0
	echo "skipped: pprobe report has no --png"
	sed -n '1s/^/  (pprobe said: /p' "$tmp/png.err" | sed 's/$/)/' >&2
elif [ $rc != 0 ]; then
	cat "$tmp/png.err" >&2
	die "pprobe report --png failed (exit $rc)"
fi

echo "| recording | size (MB) | text report (s) | parse (MB/s) | peak RSS, text (MiB) | --png report (s) | charts alone (s) | peak RSS, --png (MiB) |"
echo "|---|---|---|---|---|---|---|---|"
for entry in "${recordings[@]}"; do
	name=${entry%%|*}
	file="$tmp/${name// /}.data"
	bytes=$(stat -c %s "$file")
	echo "timing the $name recording ($bytes bytes)" >&2

	rss_text=$(peak_rss "$pprobe" report "$file") || die "pprobe report '$file' failed"
	: >"$tmp/text"
	for ((i = 0; i < runs; i++)); do
		seconds "$pprobe" report "$file" >>"$tmp/text" || die "pprobe report '$file' failed"
	done
	text=$(median <"$tmp/text")

	png="skipped: no --png" charts="-" rss_png="-"
	if [ $have_png = 1 ]; then
		fresh_png_dir
		rss_png=$(peak_rss "$pprobe" report --png "$tmp/png" "$file") ||
			die "pprobe report --png '$file' failed"
		: >"$tmp/pngs"
		for ((i = 0; i < runs; i++)); do
			fresh_png_dir
			seconds "$pprobe" report --png "$tmp/png" "$file" >>"$tmp/pngs" ||
				die "pprobe report --png '$file' failed"
		done
		png=$(median <"$tmp/pngs" | awk '{ printf "%.3f", $1 }')
		charts=$(awk -v p="$png" -v t="$text" 'BEGIN { printf "%.3f", p - t }')
		rss_png=$(awk -v k="$rss_png" 'BEGIN { if (k == "nan") print "-"; else printf "%.1f", k / 1024 }')
	fi
	awk -v n="$name" -v b="$bytes" -v t="$text" -v k="$rss_text" \
	    -v p="$png" -v c="$charts" -v kp="$rss_png" 'BEGIN {
		rss = k == "nan" ? "-" : sprintf("%.1f", k / 1024)
		printf "| %s | %.1f | %.3f | %.0f | %s | %s | %s | %s |\n",
		       n, b / 1e6, t, b / 1e6 / t, rss, p, c, kp
	}'
done
echo
echo "Medians of $runs runs each, page cache warm; 10 ms samples, 100 processes read every 100 ms. Peak RSS $rss_how. $(nproc) CPUs, $(uname -r)."
