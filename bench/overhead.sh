#!/bin/bash
# overhead.sh - what recording costs the command, against perf stat.
#
#   bench/overhead.sh [BUILD_DIR] [RUNS]
#
# For each workload, runs it bare, under `pprobe record -I 10` and under
# `perf stat -I 10` (same interval), RUNS times each, interleaved in a
# rotating order so that drift in the machine's speed hits all three alike.
# Reports the median wall time of each and the median of the per-round
# ratios against the bare run: ratios, not absolute times, because the
# machines we run on are shared and noisy. Results go to stdout as a
# Markdown table, ready for docs/BENCHMARKS.md. PPROBE_OPTS adds options
# to pprobe record (e.g. "--count-by task", root's default being cgroup).
set -euo pipefail

build=${1:-build}
runs=${2:-11}
interval=${INTERVAL:-10}
read -r -a opts <<<"${PPROBE_OPTS:-}"
pprobe=$build/pprobe
wl=$build/tests/workloads
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -x "$pprobe" ] || { echo "overhead.sh: no '$pprobe': build first (make)" >&2; exit 1; }
have_perf=0
if command -v perf >/dev/null 2>&1 && perf stat -e task-clock -o /dev/null true 2>/dev/null; then
	have_perf=1
fi

# Workloads: name and command line (bounded, a second or two each).
workloads=(
	"pingpong|$wl/pingpong 300000"
	"burn|$wl/burn 2 1"
	"forktree|$wl/forktree 200"
)

. "$(dirname "$0")/lib.sh"

# run_one KIND CMD... : prints the wall time in ns of one run.
run_one() {
	local kind=$1; shift
	local t0 t1
	t0=$(now_ns)
	case $kind in
	bare)   "$@" >/dev/null 2>&1 ;;
	pprobe) "$pprobe" record -q "${opts[@]}" -I "$interval" -o "$tmp/b.data" -- "$@" >/dev/null 2>&1 ;;
	perf)   perf stat -I "$interval" -o /dev/null -- "$@" >/dev/null 2>&1 ;;
	esac
	t1=$(now_ns)
	echo $((t1 - t0))
}


echo "| workload | bare (s) | pprobe -I $interval (s) | perf stat -I $interval (s) | pprobe / bare | perf / bare | pprobe / perf |"
echo "|---|---|---|---|---|---|---|"
for entry in "${workloads[@]}"; do
	name=${entry%%|*}
	read -r -a cmd <<<"${entry#*|}"
	: >"$tmp/bare" ; : >"$tmp/pprobe" ; : >"$tmp/perf"
	: >"$tmp/r_pp" ; : >"$tmp/r_perf" ; : >"$tmp/r_pp_perf"
	run_one bare "${cmd[@]}" >/dev/null   # warm caches
	for ((i = 0; i < runs; i++)); do
		kinds=(bare pprobe perf)
		[ $have_perf = 1 ] || kinds=(bare pprobe)
		# rotate the order every round
		n=${#kinds[@]}
		declare -A t=()
		for ((k = 0; k < n; k++)); do
			kind=${kinds[$(((i + k) % n))]}
			t[$kind]=$(run_one "$kind" "${cmd[@]}")
		done
		echo "${t[bare]}" >>"$tmp/bare"
		echo "${t[pprobe]}" >>"$tmp/pprobe"
		awk -v a="${t[pprobe]}" -v b="${t[bare]}" 'BEGIN { print a / b }' >>"$tmp/r_pp"
		if [ $have_perf = 1 ]; then
			echo "${t[perf]}" >>"$tmp/perf"
			awk -v a="${t[perf]}" -v b="${t[bare]}" 'BEGIN { print a / b }' >>"$tmp/r_perf"
			awk -v a="${t[pprobe]}" -v b="${t[perf]}" 'BEGIN { print a / b }' >>"$tmp/r_pp_perf"
		fi
		unset t
	done
	sec() { median | awk '{ printf "%.3f", $1 / 1e9 }'; }
	ratio() { median | awk '{ printf "%.3f", $1 }'; }
	if [ $have_perf = 1 ]; then
		echo "| $name | $(sec <"$tmp/bare") | $(sec <"$tmp/pprobe") | $(sec <"$tmp/perf") | $(ratio <"$tmp/r_pp") | $(ratio <"$tmp/r_perf") | $(ratio <"$tmp/r_pp_perf") |"
	else
		echo "| $name | $(sec <"$tmp/bare") | $(sec <"$tmp/pprobe") | (perf unavailable) | $(ratio <"$tmp/r_pp") | - | - |"
	fi
done
echo
echo "Medians of $runs interleaved rounds; ratios are medians of per-round ratios. $(nproc) CPUs, $(uname -r)."

# pprobe's own CPU, as it reports it (getrusage of itself) in its last line.
echo
echo "| workload | pprobe's own CPU at -I $interval (ms) | wall (s) | share of one core |"
echo "|---|---|---|---|"
for entry in "${workloads[@]}"; do
	name=${entry%%|*}
	read -r -a cmd <<<"${entry#*|}"
	t0=$(now_ns)
	line=$("$pprobe" record "${opts[@]}" -I "$interval" -o "$tmp/c.data" -- "${cmd[@]}" 2>&1 >/dev/null | grep "own CPU")
	t1=$(now_ns)
	ms=$(sed -n "s/.*own CPU \([0-9.]*\) ms.*/\1/p" <<<"$line")
	awk -v ms="$ms" -v ns=$((t1 - t0)) -v n="$name" \
		'BEGIN { printf "| %s | %.1f | %.3f | %.2f%% |\n", n, ms, ns / 1e9, ms / (ns / 1e6) * 100 }'
done
