#!/bin/bash
# sample_cost.sh - what sampling (`record -F`, `-g`) costs the command,
# against perf record at the same frequency.
#
#   bench/sample_cost.sh [BUILD_DIR] [RUNS]
#
# For each workload: bare; `pprobe record` without sampling; with -F 999
# (the default frequency); with -g; `perf record -F 999` and `perf record
# -F 999 -g` on the same cpu-clock event. RUNS rounds, the order rotated
# each round so that drift in the machine's speed hits all alike. Prints
# the median wall time of each and the median of the per-round ratios
# against bare (ratios, because the machines we run on are shared and
# noisy), then the size of the recordings and pprobe's own CPU. Markdown,
# ready for docs/BENCHMARKS.md.
set -euo pipefail

build=${1:-build}
runs=${2:-11}
hz=${HZ:-999}
pprobe=$build/pprobe
wl=$build/tests/workloads
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

[ -x "$pprobe" ] || { echo "sample_cost.sh: no '$pprobe': build first (make)" >&2; exit 1; }
kinds=(bare record sample callgraph)
if command -v perf >/dev/null 2>&1 &&
   perf record -q -e cpu-clock -F "$hz" -o "$tmp/probe.data" true >/dev/null 2>&1; then
	kinds+=(perf perf-g)
fi

workloads=(
	"burn|$wl/burn 2 1"
	"pingpong|$wl/pingpong 300000"
	"forktree|$wl/forktree 200"
)

# run_one KIND CMD... : prints the wall time in ns of one run.
run_one() {
	local kind=$1; shift
	local t0 t1
	t0=$(now_ns)
	case $kind in
	bare)      "$@" >/dev/null 2>&1 ;;
	record)    "$pprobe" record -q -o "$tmp/record.data" -- "$@" >/dev/null 2>&1 ;;
	sample)    "$pprobe" record -q -F "$hz" -o "$tmp/sample.data" -- "$@" >/dev/null 2>&1 ;;
	callgraph) "$pprobe" record -q -F "$hz" -g -o "$tmp/callgraph.data" -- "$@" >/dev/null 2>&1 ;;
	perf)      perf record -q -e cpu-clock -F "$hz" -o "$tmp/perf.data" -- "$@" >/dev/null 2>&1 ;;
	perf-g)    perf record -q -e cpu-clock -F "$hz" -g -o "$tmp/perf-g.data" -- "$@" >/dev/null 2>&1 ;;
	esac
	t1=$(now_ns)
	echo $((t1 - t0))
}

header="| workload | bare (s)"
rule="|---|---"
for k in "${kinds[@]:1}"; do header+=" | $k / bare"; rule+="|---"; done
echo "$header |"
echo "$rule|"
sizes=()
for entry in "${workloads[@]}"; do
	name=${entry%%|*}
	read -r -a cmd <<<"${entry#*|}"
	rotated_rounds "$runs" "${cmd[@]}"
	row="| $name | $(median <"$tmp/t.bare" | awk '{ printf "%.3f", $1 / 1e9 }')"
	for k in "${kinds[@]:1}"; do row+=" | $(median <"$tmp/r.$k" | awk '{ printf "%.3f", $1 }')"; done
	echo "$row |"
	# The last round's files: how big a second of each is.
	sizes+=("| $name | $(stat -c %s "$tmp/record.data") | $(stat -c %s "$tmp/sample.data") | $(stat -c %s "$tmp/callgraph.data") | $(median <"$tmp/t.bare" | awk '{ printf "%.3f", $1 / 1e9 }') |")
done
echo
echo "Medians of $runs rotated rounds; ratios are medians of per-round ratios. -F $hz. $(nproc) CPUs, $(uname -r)."
echo
echo "| workload | bytes, no sampling | bytes, -F $hz | bytes, -g | bare run (s) |"
echo "|---|---|---|---|---|"
printf '%s\n' "${sizes[@]}"

# pprobe's own CPU, as it reports it in its last line.
echo
echo "| workload | pprobe's own CPU, no sampling (ms) | with -F $hz (ms) | with -g (ms) |"
echo "|---|---|---|---|"
own() { "$pprobe" record "$@" 2>&1 >/dev/null | sed -n "s/.*own CPU \([0-9.]*\) ms.*/\1/p"; }
for entry in "${workloads[@]}"; do
	name=${entry%%|*}
	read -r -a cmd <<<"${entry#*|}"
	echo "| $name | $(own -o "$tmp/o.data" -- "${cmd[@]}") | $(own -F "$hz" -o "$tmp/o.data" -- "${cmd[@]}") | $(own -F "$hz" -g -o "$tmp/o.data" -- "${cmd[@]}") |"
done
