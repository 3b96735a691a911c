#!/bin/bash
# repeat_cost.sh - what repeats and per-CPU counting cost, against perf stat.
#
#   bench/repeat_cost.sh [BUILD_DIR] [ROUNDS]
#
# 1. Per run: `pprobe record -r 20 -- true` against `perf stat -r 20 true`
#    and 20 bare `true`s: the wall time of each, per run, so the cost of
#    setting a run up (fork and hold, counters, tracker, the file's run
#    records) and tearing it down shows against what perf spends.
# 2. --per-cpu: every fork copies every counter once per CPU as well, so
#    a fork-heavy tree pays most. forkmany (short children) and burn
#    (two threads, no forks) under `pprobe record` with and without
#    --per-cpu, and under `perf stat` and bare.
# Each measurement is repeated ROUNDS times, the kinds interleaved so that
# a machine that drifts hits all alike; the medians and the median of the
# per-round ratios are printed as Markdown tables for docs/BENCHMARKS.md.
# PPROBE_OPTS adds options to pprobe record (e.g. "--count-by task").
set -euo pipefail

build=${1:-build}
rounds=${2:-7}
read -r -a opts <<<"${PPROBE_OPTS:-}"
pprobe=$build/pprobe
wl=$build/tests/workloads
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -x "$pprobe" ] || { echo "repeat_cost.sh: no '$pprobe': build first (make)" >&2; exit 1; }
. "$(dirname "$0")/lib.sh"
have_perf=0
have_perf_stat && have_perf=1

# time_ns CMD... : the wall time of one run of CMD, in ns.
time_ns() {
	local t0 t1
	t0=$(now_ns)
	"$@" >/dev/null 2>&1 || true
	t1=$(now_ns)
	echo $((t1 - t0))
}

echo "### Cost of a run (\`-r 20 -- true\`, per run, median of $rounds)"
echo
echo "| bare (ms) | pprobe record -r 20 (ms) | perf stat -r 20 (ms) | pprobe - bare (ms) | perf - bare (ms) |"
echo "|---|---|---|---|---|"
: >"$tmp/bare" ; : >"$tmp/pp" ; : >"$tmp/perf"
for _ in $(seq "$rounds"); do
	time_ns bash -c 'for i in $(seq 20); do /bin/true; done' >>"$tmp/bare"
	time_ns "$pprobe" record -q "${opts[@]}" -o "$tmp/r.data" -r 20 -- /bin/true >>"$tmp/pp"
	if [ $have_perf = 1 ]; then
		time_ns perf stat -r 20 -o /dev/null -- /bin/true >>"$tmp/perf"
	fi
done
b=$(median <"$tmp/bare"); p=$(median <"$tmp/pp")
f=$([ $have_perf = 1 ] && median <"$tmp/perf" || echo nan)
awk -v b="$b" -v p="$p" -v f="$f" 'BEGIN {
	printf "| %.2f | %.2f | %s | %.2f | %s |\n", b / 20e6, p / 20e6,
		(f == "nan" ? "n/a" : sprintf("%.2f", f / 20e6)), (p - b) / 20e6,
		(f == "nan" ? "n/a" : sprintf("%.2f", (f - b) / 20e6)) }'
echo

echo "### --per-cpu (median of $rounds; ratios are medians of per-round ratios)"
echo
echo "| workload | bare (s) | pprobe (s) | pprobe --per-cpu (s) | perf stat (s) | pprobe / bare | --per-cpu / bare | perf / bare |"
echo "|---|---|---|---|---|---|---|---|"
for entry in "forkmany|$wl/forkmany 2000" "burn|$wl/burn 2 0.5"; do
	name=${entry%%|*}
	read -r -a cmd <<<"${entry#*|}"
	: >"$tmp/b"; : >"$tmp/p"; : >"$tmp/c"; : >"$tmp/f"
	: >"$tmp/rp"; : >"$tmp/rc"; : >"$tmp/rf"
	for _ in $(seq "$rounds"); do
		tb=$(time_ns "${cmd[@]}")
		tp=$(time_ns "$pprobe" record -q "${opts[@]}" -o "$tmp/p.data" -- "${cmd[@]}")
		tc=$(time_ns "$pprobe" record -q "${opts[@]}" --per-cpu -o "$tmp/c.data" -- "${cmd[@]}")
		tf=nan
		if [ $have_perf = 1 ]; then
			tf=$(time_ns perf stat -o /dev/null -- "${cmd[@]}")
		fi
		echo "$tb" >>"$tmp/b"; echo "$tp" >>"$tmp/p"; echo "$tc" >>"$tmp/c"
		echo "$tf" >>"$tmp/f"
		awk -v b="$tb" -v p="$tp" -v c="$tc" -v f="$tf" -v d="$tmp" 'BEGIN {
			print p / b >> (d "/rp"); print c / b >> (d "/rc");
			if (f != "nan") print f / b >> (d "/rf") }'
	done
	awk -v n="$name" -v b="$(median <"$tmp/b")" -v p="$(median <"$tmp/p")" \
	    -v c="$(median <"$tmp/c")" -v f="$([ $have_perf = 1 ] && median <"$tmp/f" || echo nan)" \
	    -v rp="$(median <"$tmp/rp")" -v rc="$(median <"$tmp/rc")" \
	    -v rf="$([ $have_perf = 1 ] && median <"$tmp/rf" || echo nan)" 'BEGIN {
		printf "| %s | %.3f | %.3f | %.3f | %s | %.3f | %.3f | %s |\n", n, b / 1e9, p / 1e9,
			c / 1e9, (f == "nan" ? "n/a" : sprintf("%.3f", f / 1e9)), rp, rc,
			(rf == "nan" ? "n/a" : sprintf("%.3f", rf)) }'
done
