#!/bin/bash
# tree_cost.sh - what following the process tree costs pprobe itself, and
# how close each memory backend's peak comes to the truth.
#
#   bench/tree_cost.sh [BUILD_DIR] [RUNS]       (default build, 3)
#
# 1. Collector CPU as the tree grows. `sleepers N 3` keeps N idle processes
#    alive for 3 s (tests/workloads/sleepers.c). Each size is recorded with
#    `pprobe record -I 10`, counting per task (--count-by task) and per
#    cgroup (--count-by cgroup, root's default), each with --no-tree (the
#    counters only) and --tree (the default; /proc read every
#    --proc-interval, 100 ms), and per cgroup with --tree --proc-interval
#    10 (every tick reads /proc, the worst case), RUNS times each; pprobe's own CPU is what it prints on its last stderr line
#    ("pprobe's own CPU X ms": getrusage of itself, the workload not
#    included). Reported as a share of one core (CPU per second of wall)
#    and per tick (CPU / samples written), medians. For scale, the same for
#    `perf stat -I 10` where perf is installed: its own CPU, counted by an
#    outer `perf stat --no-inherit -e task-clock` (perf's own
#    process only, not the workload under it).
# 2. Peak accuracy on `spike` (32 MiB base, a 64 MiB spike of ~30-50 ms):
#    each pprobe backend's peak (`pprobe record --tree --mem=all -I 100`,
#    read from `report --csv --memory`), `/usr/bin/time -v` (Maximum
#    resident set size) and mprof (Debian's python3-memory-profiler:
#    `mprof run --include-children`, the largest MEM line of its .dat),
#    RUNS times each, against the workload's own ru_maxrss of the same run;
#    pss also at --pss-interval 100 (its default reads once a second).
#    The same on `cowtree` (64 MiB written once and shared by 4 processes),
#    against its footprint, to show which figure counts shared pages how.
#
# Results go to stdout as Markdown tables, ready for docs/BENCHMARKS.md.
# PARTS=cpu or PARTS=peaks runs one part only (default both).
set -euo pipefail

build=${1:-build}
runs=${2:-3}
parts=${PARTS:-cpu,peaks}
pprobe=$build/pprobe
wl=$build/tests/workloads
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -x "$pprobe" ] || { echo "tree_cost.sh: no '$pprobe': build first (make)" >&2; exit 1; }
[ -x "$wl/sleepers" ] || { echo "tree_cost.sh: no '$wl/sleepers': build first (make)" >&2; exit 1; }

. "$(dirname "$0")/lib.sh"
have_perf=0
have_perf_stat && have_perf=1
have_time=0
[ -x /usr/bin/time ] && have_time=1
mprof=
for m in mprof python3-mprof; do
	if command -v "$m" >/dev/null 2>&1; then mprof=$m; break; fi
done


# ---- 1. collector CPU against tree size ----

# pprobe_cost OPTS... -- N: one run; prints "own_cpu_ms samples wall_s mean_interval_ms".
pprobe_cost() {
	local n=${*: -1} t0 t1 last mean
	set -- "${@:1:$(($# - 2))}"
	t0=$(now_ns)
	last=$("$pprobe" record "$@" -I 10 -o "$tmp/cost.data" -- "$wl/sleepers" "$n" 3 2>&1 >/dev/null | tail -n 1)
	t1=$(now_ns)
	mean=$("$pprobe" report "$tmp/cost.data" | sed -n 's/.*achieved \([0-9.]*\) ms mean.*/\1/p')
	sed -n 's/.*(\([0-9]*\) samples\{0,1\},.*own CPU \([0-9.]*\) ms.*/\2 \1/p' <<<"$last" |
		awk -v w=$((t1 - t0)) -v m="${mean:-nan}" '{ print $1, $2, w / 1e9, m }'
}

# perf_cost N: perf stat -I 10's own CPU in ms, counted by an outer perf
# stat with --no-inherit (so the workload under it is not in the figure).
perf_cost() {
	perf stat -x, -e task-clock --no-inherit -o "$tmp/perf.csv" -- \
		perf stat -I 10 -o /dev/null -- "$wl/sleepers" "$1" 3 >/dev/null 2>&1
	awk -F, '$3 ~ /^task-clock/ { print $1 }' "$tmp/perf.csv"
}

if [[ ,$parts, == *,cpu,* ]]; then
echo "### Collector CPU as the tree grows (-I 10, sleepers N 3, median of $runs)"
echo
header="| live processes | per task, --no-tree | per task, --tree | per cgroup, --no-tree | per cgroup, --tree (root's default) | µs per tick | achieved interval (ms) | per cgroup, --tree --proc-interval 10 |"
sep="|---|---|---|---|---|---|---|---|"
if [ $have_perf = 1 ]; then
	header="$header perf stat -I 10 |"
	sep="$sep---|"
fi
echo "$header"
echo "$sep"
share() { awk '{ printf "%f\n", $1 / ($3 * 1000) * 100 }'; }
for n in 1 10 100 1000; do
	for f in task_plain task_tree cg_plain cg_tree cg_tick cg_ival cg_every perf; do : >"$tmp/$f"; done
	for ((i = 0; i < runs; i++)); do
		pprobe_cost --count-by task --no-tree -- "$n" | share >>"$tmp/task_plain"
		pprobe_cost --count-by task --tree -- "$n" | share >>"$tmp/task_tree"
		pprobe_cost --count-by cgroup --no-tree -- "$n" | share >>"$tmp/cg_plain"
		read -r ms samples wall ival < <(pprobe_cost --count-by cgroup --tree -- "$n")
		awk -v ms="$ms" -v w="$wall" 'BEGIN { printf "%f\n", ms / (w * 1000) * 100 }' >>"$tmp/cg_tree"
		awk -v ms="$ms" -v s="$samples" 'BEGIN { printf "%f\n", ms * 1000 / s }' >>"$tmp/cg_tick"
		echo "$ival" >>"$tmp/cg_ival"
		pprobe_cost --count-by cgroup --tree --proc-interval 10 -- "$n" | share >>"$tmp/cg_every"
		if [ $have_perf = 1 ]; then
			perf_cost "$n" | awk '{ printf "%f\n", $1 / 3000 * 100 }' >>"$tmp/perf"
		fi
	done
	pct() { median | awk '{ printf "%.2f%%", $1 }'; }
	num() { median | awk '{ printf "%.0f", $1 }'; }
	one() { median | awk '{ printf "%.1f", $1 }'; }
	row="| $n | $(pct <"$tmp/task_plain") | $(pct <"$tmp/task_tree") | $(pct <"$tmp/cg_plain") | $(pct <"$tmp/cg_tree") | $(num <"$tmp/cg_tick") | $(one <"$tmp/cg_ival") | $(pct <"$tmp/cg_every") |"
	if [ $have_perf = 1 ]; then
		row="$row $(pct <"$tmp/perf") |"
	fi
	echo "$row"
done
echo
echo "$(nproc) CPUs, $(uname -r). Share of a core: pprobe's own CPU / wall. Per tick: own CPU / samples written. Per cgroup needs root."
echo
fi

# ---- 2. peak accuracy per backend ----

# Each line of $tmp/<tool> is "peak_bytes truth_bytes" for one run.
backends=(rss pss hwm cgroup rusage)

peak_runs() {
	local workload=$1 truth_key=$2; shift 2
	local i b t
	for b in "${backends[@]}" pss100 time mprof; do : >"$tmp/peak_$b"; done
	for ((i = 0; i < runs; i++)); do
		# pprobe, every backend at once
		"$pprobe" record -q --tree --mem=all -I 100 -o "$tmp/peak.data" -- \
			"$wl/$workload" --truth "$tmp/truth" "$@" >/dev/null 2>&1
		t=$(truth_bytes "$truth_key")
		"$pprobe" report --csv --memory "$tmp/peak.data" >"$tmp/mem.csv"
		for b in "${backends[@]}"; do
			awk -F, -v b="$b" -v t="$t" '$3 == b && $4 == "recorded" { print $6, t }' \
				"$tmp/mem.csv" >>"$tmp/peak_$b"
		done
		# pss again, read every 100 ms instead of every second
		"$pprobe" record -q --mem=pss --pss-interval 100 -I 100 -o "$tmp/peak.data" -- \
			"$wl/$workload" --truth "$tmp/truth" "$@" >/dev/null 2>&1
		t=$(truth_bytes "$truth_key")
		"$pprobe" report --csv --memory "$tmp/peak.data" |
			awk -F, -v t="$t" '$3 == "pss" && $4 == "recorded" { print $6, t }' >>"$tmp/peak_pss100"
		# /usr/bin/time -v
		if [ $have_time = 1 ]; then
			/usr/bin/time -v -o "$tmp/time.txt" "$wl/$workload" --truth "$tmp/truth" "$@" >/dev/null 2>&1
			t=$(truth_bytes "$truth_key")
			awk -v t="$t" -F': ' '/Maximum resident set size/ { print $2 * 1024, t }' \
				"$tmp/time.txt" >>"$tmp/peak_time"
		fi
		# mprof, children included
		if [ -n "$mprof" ]; then
			rm -f "$tmp/mprof.dat"
			"$mprof" run --include-children -o "$tmp/mprof.dat" \
				"$wl/$workload" --truth "$tmp/truth" "$@" >/dev/null 2>&1 || true
			t=$(truth_bytes "$truth_key")
			awk -v t="$t" '$1 == "MEM" && $2 > m { m = $2 } END { if (NR) printf "%.0f %s\n", m * 1048576, t }' \
				"$tmp/mprof.dat" >>"$tmp/peak_mprof"
		fi
	done
}

# truth_bytes KEY: maxrss_kib (in bytes) or a *_bytes fact of the last run.
truth_bytes() {
	awk -F= -v k="$1" '$1 == k { print (k == "maxrss_kib") ? $2 * 1024 : $2 }' "$tmp/truth"
}

# peak_row LABEL FILE WHAT: one table row from "peak truth" lines.
peak_row() {
	local label=$1 file=$2 what=$3
	if [ ! -s "$file" ]; then
		echo "| $label | - | - | - | - | $what |"
		return
	fi
	awk -v label="$label" -v what="$what" '
		# insertion sort of a[1..n]: mawk has no asort()
		function sort(a, n,    i, j, v) {
			for (i = 2; i <= n; i++) {
				v = a[i]
				for (j = i - 1; j >= 1 && a[j] > v; j--)
					a[j + 1] = a[j]
				a[j + 1] = v
			}
		}
		{ p[NR] = $1; t[NR] = $2; e[NR] = ($1 - $2) / $2 * 100; if ($1 >= 0.9 * $2) hit++ }
		END {
			n = NR
			# medians of peak and error, min and max of peak
			for (i = 1; i <= n; i++) { sp[i] = p[i]; se[i] = e[i] }
			sort(sp, n); sort(se, n)
			mp = n % 2 ? sp[(n + 1) / 2] : (sp[n / 2] + sp[n / 2 + 1]) / 2
			me = n % 2 ? se[(n + 1) / 2] : (se[n / 2] + se[n / 2 + 1]) / 2
			printf "| %s | %.1f | %.1f-%.1f | %+.1f%% | %d of %d | %s |\n", label,
				mp / 1048576, sp[1] / 1048576, sp[n] / 1048576, me, hit, n, what
		}' "$file"
}

peak_table() {
	local title=$1 truth_label=$2
	echo "$title"
	echo
	echo "| tool / backend | peak (MiB, median) | min-max | vs $truth_label (median) | runs at >= 90% of it | what the figure is |"
	echo "|---|---|---|---|---|---|"
	peak_row "pprobe rss (-I 100)" "$tmp/peak_rss" "sum of RSS, sampled"
	peak_row "pprobe pss" "$tmp/peak_pss" "sum of PSS, sampled at most 1 Hz"
	peak_row "pprobe pss --pss-interval 100" "$tmp/peak_pss100" "sum of PSS, sampled every 100 ms"
	peak_row "pprobe hwm" "$tmp/peak_hwm" "sum of per-process VmHWM"
	peak_row "pprobe cgroup" "$tmp/peak_cgroup" "the tree's cgroup peak (root only)"
	peak_row "pprobe rusage" "$tmp/peak_rusage" "ru_maxrss: largest single process"
	if [ $have_time = 1 ]; then
		peak_row "/usr/bin/time -v" "$tmp/peak_time" "ru_maxrss: largest single process"
	else
		echo "| /usr/bin/time -v | (not installed) | | | | |"
	fi
	if [ -n "$mprof" ]; then
		peak_row "mprof --include-children" "$tmp/peak_mprof" "RSS of the tree, sampled every 0.1 s"
	else
		echo "| mprof | (not installed: apt-get install python3-memory-profiler) | | | | |"
	fi
	echo
}

[[ ,$parts, == *,peaks,* ]] || exit 0
peak_runs spike maxrss_kib
peak_table "### Peak accuracy on spike (32 MiB base + 64 MiB spike), $runs runs" "ru_maxrss"
peak_runs cowtree footprint_bytes
peak_table "### Peak accuracy on cowtree (64 MiB shared by 4 processes), $runs runs" "footprint"
