# lib.sh - what the bench scripts share: sourced, not run.

now_ns() { date +%s%N; }

# The median of the numbers on stdin, one per line; nan for none.
median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Whether perf stat is installed and may count here (perf_event_paranoid).
have_perf_stat() { command -v perf >/dev/null 2>&1 && perf stat -e task-clock -o /dev/null true 2>/dev/null; }

# rotated_rounds ROUNDS CMD... : runs CMD once bare to warm the caches,
# then ROUNDS rounds of every kind in the caller's array `kinds` (the
# first being bare), rotating the order each round so that drift in the
# machine's speed hits all alike. Needs the caller's run_one KIND CMD...
# (prints one run's wall time in ns) and $tmp. Leaves $tmp/t.KIND, the
# round's time of each kind, a line per round, and $tmp/r.KIND, its ratio
# to the same round's bare run.
rotated_rounds() {
	local rounds=$1 n=${#kinds[@]} i j k; shift
	for k in "${kinds[@]}"; do : >"$tmp/t.$k"; : >"$tmp/r.$k"; done
	run_one bare "$@" >/dev/null
	for ((i = 0; i < rounds; i++)); do
		declare -A t=()
		for ((j = 0; j < n; j++)); do
			k=${kinds[$(((i + j) % n))]}
			t[$k]=$(run_one "$k" "$@")
		done
		for k in "${kinds[@]}"; do
			echo "${t[$k]}" >>"$tmp/t.$k"
			awk -v a="${t[$k]}" -v b="${t[${kinds[0]}]}" 'BEGIN { print a / b }' >>"$tmp/r.$k"
		done
		unset t
	done
}

# paired_ratio A B : the median over the rounds of A's time over B's in
# the same round (from rotated_rounds' files), to three decimals.
paired_ratio() {
	paste -d ' ' "$tmp/t.$1" "$tmp/t.$2" | awk '{ print $1 / $2 }' | median | awk '{ printf "%.3f", $1 }'
}
