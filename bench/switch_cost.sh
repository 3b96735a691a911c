#!/bin/bash
# switch_cost.sh - where the overhead on a context-switch-heavy command
# goes: pprobe's parts, one at a time, against perf stat with as many
# events, in the same rotated rounds (bench/lib.sh).
#
#   bench/switch_cost.sh [BUILD_DIR] [ROUNDS] [ROUND_TRIPS]   (build, 11, 100000)
#
# The command is tests/workloads/pingpong: two processes bouncing a byte,
# two context switches a round trip. Every perf event in the task's
# context is switched out and in at each of them, so the cost grows with
# the events counted, and with the tracker's event (the tree) too:
#   time                    /usr/bin/time: a parent that only waits, the
#                           floor of any tool that runs the command
#   perf1 / perf4 / perf7   perf stat with 1, 4 (perf's default here) and
#                           7 software events (pprobe's 6 and a dummy)
#   task, cgroup            pprobe record --count-by task / cgroup
#   task-notree, cgroup-notree   the same with --no-tree: no tracker
#   task4                   --count-by task with perf's 4 events
#   rusage                  --count-by rusage: no perf event at all
#   other                   --count-by cgroup with $OTHER/pprobe, another
#                           build (an older commit), when OTHER is set
# KINDS="bare cgroup ..." runs only those (bare first). Prints the median
# wall time and the median of the per-round ratios to the bare run. Needs
# root for the cgroup kinds (else they are left out).
set -euo pipefail

build=${1:-build}
rounds=${2:-11}
trips=${3:-100000}
pp=$build/pprobe
wl=$build/tests/workloads
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -x "$pp" ] || { echo "switch_cost.sh: no '$pp': build first (make)" >&2; exit 1; }
. "$(dirname "$0")/lib.sh"

kinds=(bare)
[ -x /usr/bin/time ] && kinds+=(time)
if have_perf_stat; then
	kinds+=(perf1 perf4 perf7)
fi
kinds+=(task task-notree task4 rusage)
[ "$(id -u)" = 0 ] && kinds+=(cgroup cgroup-notree)
[ -n "${OTHER:-}" ] && [ "$(id -u)" = 0 ] && kinds+=(other)
[ -n "${KINDS:-}" ] && read -r -a kinds <<<"$KINDS"

four=task-clock,context-switches,cpu-migrations,page-faults
run_one() {
	local k=$1 t0; shift
	local rec=("$pp" record -q -o "$tmp/x.data")
	t0=$(now_ns)
	case $k in
	bare) "$@" ;;
	time) /usr/bin/time -o /dev/null "$@" ;;
	perf1) perf stat -e task-clock -o /dev/null -- "$@" ;;
	perf4) perf stat -e "$four" -o /dev/null -- "$@" ;;
	perf7) perf stat -e "$four",minor-faults,major-faults,dummy -o /dev/null -- "$@" ;;
	task) "${rec[@]}" --count-by task -- "$@" ;;
	task-notree) "${rec[@]}" --count-by task --no-tree -- "$@" ;;
	task4) "${rec[@]}" --count-by task -e "$four" -- "$@" ;;
	cgroup) "${rec[@]}" --count-by cgroup -- "$@" ;;
	cgroup-notree) "${rec[@]}" --count-by cgroup --no-tree -- "$@" ;;
	rusage) "${rec[@]}" --count-by rusage -- "$@" ;;
	other) "$OTHER/pprobe" record -q -o "$tmp/x.data" --count-by cgroup -- "$@" ;;
	esac >/dev/null 2>&1
	echo $(($(now_ns) - t0))
}

rotated_rounds "$rounds" "$wl/pingpong" "$trips"
echo "pingpong $trips: medians of $rounds rotated rounds. $(nproc) CPUs, $(uname -r)."
echo
echo "| kind | wall s | over bare |"
echo "|---|---|---|"
for k in "${kinds[@]}"; do
	printf "| %s | %.3f | %.3f |\n" "$k" "$(median <"$tmp/t.$k" | awk '{ print $1 / 1e9 }')" \
		"$(median <"$tmp/r.$k")"
done
