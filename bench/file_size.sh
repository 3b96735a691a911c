#!/bin/bash
# file_size.sh - how fast a recording grows: bytes per minute of recording.
#
#   bench/file_size.sh [BUILD_DIR] [SECONDS]        (default build, 20)
#
# Records SECONDS of each case and scales the file's size to a minute
# (size / SECONDS * 60; the header and the end records, a few KiB, are
# counted in, so short recordings overstate a little). The cases:
#   - 1 and 100 idle processes (`sleepers`), at the default interval
#     (-I 100, /proc every 100 ms) and at -I 10 (/proc still every 100 ms,
#     --proc-interval's default),
#   - 100 processes at -I 10 --proc-interval 10 (every tick reads /proc),
#   - one busy thread sampled at 999 Hz (`burn 1 SECONDS`, -F 999) and with
#     call chains (-g).
# Results go to stdout as a Markdown table, ready for docs/BENCHMARKS.md.
set -euo pipefail

build=${1:-build}
seconds=${2:-20}
pprobe=$build/pprobe
wl=$build/tests/workloads
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -x "$pprobe" ] || { echo "file_size.sh: no '$pprobe': build first (make)" >&2; exit 1; }

cases=(
	"1 process, default (-I 100)||$wl/sleepers 1 $seconds"
	"1 process, -I 10|-I 10|$wl/sleepers 1 $seconds"
	"100 processes, default (-I 100)||$wl/sleepers 100 $seconds"
	"100 processes, -I 10|-I 10|$wl/sleepers 100 $seconds"
	"100 processes, -I 10 --proc-interval 10|-I 10 --proc-interval 10|$wl/sleepers 100 $seconds"
	"1 busy thread, -F 999|-F 999|$wl/burn 1 $seconds"
	"1 busy thread, -F 999 -g|-F 999 -g|$wl/burn 1 $seconds"
)

echo "| case | file after ${seconds} s (KiB) | per minute (MiB) | per hour (MiB) |"
echo "|---|---|---|---|"
for entry in "${cases[@]}"; do
	name=${entry%%|*}
	rest=${entry#*|}
	read -r -a o <<<"${rest%%|*}"
	read -r -a cmd <<<"${rest#*|}"
	"$pprobe" record -q "${o[@]}" -o "$tmp/s.data" -- "${cmd[@]}" >/dev/null 2>&1
	bytes=$(stat -c %s "$tmp/s.data")
	awk -v n="$name" -v b="$bytes" -v s="$seconds" 'BEGIN {
		printf "| %s | %.0f | %.2f | %.0f |\n", n, b / 1024, b / s * 60 / 1048576, b / s * 3600 / 1048576 }'
done
echo
echo "$(nproc) CPUs, kernel $(uname -r), $(date -u +%Y-%m-%d); events: pprobe's default set."
