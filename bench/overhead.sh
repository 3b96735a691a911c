#!/bin/bash
# overhead.sh - what recording costs the command, against the tools people
# use today, in the same run.
#
#   bench/overhead.sh [BUILD_DIR] [ROUNDS]         (default build, 11)
#
# Each workload runs, in every round:
#   bare        the command alone
#   pprobe100   pprobe record -I 100 (the default interval)
#   pprobe10    pprobe record -I 10
#   perf100     perf stat -I 100      (the same interval, perf's default events)
#   perf10      perf stat -I 10
#   time        /usr/bin/time -v      (rusage at the end: the floor of any tool)
#   mprof       mprof run --include-children (Debian's python3-memory-profiler,
#               RSS polled every 0.1 s)
# Peers that are not installed are left out, and the table says so. The
# order rotates every round so that drift in the machine's speed hits all
# alike. Reports the median of the per-round ratios against the bare run,
# and pprobe against perf stat at the same interval: ratios, not absolute
# times, because the machines we run on are shared and noisy. Then pprobe's
# own CPU, as it prints it (getrusage of itself). Results go to stdout as
# Markdown, ready for docs/BENCHMARKS.md. PPROBE_OPTS adds options to
# pprobe record (e.g. "--count-by task"; root's default is cgroup);
# WORKLOADS=burn,forkmany picks some.
set -euo pipefail

build=${1:-build}
runs=${2:-11}
read -r -a opts <<<"${PPROBE_OPTS:-}"
pprobe=$build/pprobe
wl=$build/tests/workloads
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -x "$pprobe" ] || { echo "overhead.sh: no '$pprobe': build first (make)" >&2; exit 1; }

. "$(dirname "$0")/lib.sh"

kinds=(bare pprobe100 pprobe10)
missing=()
if have_perf_stat; then
	kinds+=(perf100 perf10)
else
	missing+=("perf stat (linux-perf)")
fi
if [ -x /usr/bin/time ]; then kinds+=(time); else missing+=("/usr/bin/time (time)"); fi
mprof=
for m in mprof python3-mprof; do
	if command -v "$m" >/dev/null 2>&1; then mprof=$m; break; fi
done
if [ -n "$mprof" ]; then kinds+=(mprof); else missing+=("mprof (python3-memory-profiler)"); fi

# Workloads: name, what it stresses, command line (bounded: a second or two).
workloads=(
	"burn|CPU-bound threads|$wl/burn 2 1"
	"pingpong|pipe ping-pong, 600,000 context switches|$wl/pingpong 300000"
	"forkmany|3,000 children of ~1 ms each|$wl/forkmany 3000"
)
if [ -n "${WORKLOADS:-}" ]; then
	picked=()
	for entry in "${workloads[@]}"; do
		[[ ",$WORKLOADS," == *",${entry%%|*},"* ]] && picked+=("$entry")
	done
	workloads=("${picked[@]}")
fi

# run_one KIND CMD... : prints the wall time in ns of one run.
run_one() {
	local kind=$1; shift
	local t0 t1
	t0=$(now_ns)
	case $kind in
	bare)      "$@" ;;
	pprobe100) "$pprobe" record -q "${opts[@]}" -I 100 -o "$tmp/b.data" -- "$@" ;;
	pprobe10)  "$pprobe" record -q "${opts[@]}" -I 10 -o "$tmp/b.data" -- "$@" ;;
	perf100)   perf stat -I 100 -o /dev/null -- "$@" ;;
	perf10)    perf stat -I 10 -o /dev/null -- "$@" ;;
	time)      /usr/bin/time -v -o /dev/null "$@" ;;
	mprof)     (cd "$tmp" && "$mprof" run --include-children -o "$tmp/m.dat" "$@") ;;
	esac >/dev/null 2>&1
	t1=$(now_ns)
	echo $((t1 - t0))
}

has() { [[ " ${kinds[*]} " == *" $1 "* ]]; }

# A column per peer that ran: "pprobe -I 100 / bare" etc.
header="| workload | bare (s) |"
rule="|---|---|"
for k in "${kinds[@]:1}"; do
	header+=" $k / bare |"
	rule+="---|"
done
has perf100 && { header+=" pprobe100 / perf100 | pprobe10 / perf10 |"; rule+="---|---|"; }
echo "$header"
echo "$rule"

for entry in "${workloads[@]}"; do
	name=${entry%%|*}
	rest=${entry#*|}
	read -r -a cmd <<<"${rest#*|}"
	rotated_rounds "$runs" "${cmd[@]}"
	row="| $name | $(median <"$tmp/t.bare" | awk '{ printf "%.3f", $1 / 1e9 }') |"
	for k in "${kinds[@]:1}"; do
		row+=" $(median <"$tmp/r.$k" | awk '{ printf "%.3f", $1 }') |"
	done
	has perf100 && row+=" $(paired_ratio pprobe100 perf100) | $(paired_ratio pprobe10 perf10) |"
	echo "$row"
done
echo
echo "Median of $runs rounds, the order rotated each round; each ratio is the median of the per-round ratios. $(nproc) CPUs, kernel $(uname -r), $(date -u +%Y-%m-%d)."
[ ${#missing[@]} -eq 0 ] || echo "Not installed, so not compared: ${missing[*]}."
for entry in "${workloads[@]}"; do
	rest=${entry#*|}
	echo "- ${entry%%|*}: ${rest%%|*} (\`${rest#*|}\`)" | sed "s|$wl/||"
done

# pprobe's own CPU, as it reports it (getrusage of itself) on its last line.
echo
echo "| workload | pprobe's own CPU at -I 100 (ms) | at -I 10 (ms) | at -I 10, share of one core |"
echo "|---|---|---|---|"
own_cpu() {  # INTERVAL CMD... : "MS NS"
	local interval=$1 t0 t1 line; shift
	t0=$(now_ns)
	line=$("$pprobe" record "${opts[@]}" -I "$interval" -o "$tmp/c.data" -- "$@" 2>&1 >/dev/null | grep "own CPU")
	t1=$(now_ns)
	echo "$(sed -n "s/.*own CPU \([0-9.]*\) ms.*/\1/p" <<<"$line") $((t1 - t0))"
}
for entry in "${workloads[@]}"; do
	rest=${entry#*|}
	read -r -a cmd <<<"${rest#*|}"
	read -r ms100 _ < <(own_cpu 100 "${cmd[@]}")
	read -r ms10 ns10 < <(own_cpu 10 "${cmd[@]}")
	awk -v a="$ms100" -v b="$ms10" -v ns="$ns10" -v n="${entry%%|*}" \
		'BEGIN { printf "| %s | %.1f | %.1f | %.2f%% |\n", n, a, b, b / (ns / 1e6) * 100 }'
done
