#!/usr/bin/env bash
# What containment costs: grades the faithful solution ROUNDS times contained
# and ROUNDS times with GRADE_UNCONTAINED=1, alternating so that both see the
# same machine, with the release `grade` binary, and prints the median wall
# time of each, per submission and per case, and their ratio. Run on purpose
# (as root with bubblewrap, or the "contained" runs are not); it asserts
# nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
cargo build --release --quiet --bin grade
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for i in $(seq "$rounds"); do
  for mode in contained uncontained; do
    env_off=()
    [ "$mode" = uncontained ] && env_off=(GRADE_UNCONTAINED=1)
    started=$(date +%s.%N)
    env ${env_off[@]+"${env_off[@]}"} ./target/release/grade one grader/servers/faithful > "$out/$mode-$i.txt" 2>&1 || true
    ended=$(date +%s.%N)
    python3 -c "print(\"$mode\", $ended - $started)" >> "$out/times"
    grep -q "not contained" "$out/$mode-$i.txt" && echo "$mode run $i: not contained" >&2 || true
  done
  echo "round $i of $rounds done" >&2
done
cases=$(grep -o "grading: [0-9]*/[0-9]*" "$out/contained-1.txt" | tail -n 1 | cut -d/ -f2)
python3 - "$out/times" "$cases" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    mode, secs = line.split()
    times.setdefault(mode, []).append(float(secs))
cases = int(sys.argv[2])
c, u = statistics.median(times["contained"]), statistics.median(times["uncontained"])
print(f"| run | median wall s (of {len(times['contained'])}) | per case ms ({cases} cases, 4 at a time) |")
print("| --- | --- | --- |")
print(f"| contained | {c:.1f} | {1000 * c / cases:.0f} |")
print(f"| uncontained | {u:.1f} | {1000 * u / cases:.0f} |")
print(f"ratio contained/uncontained: {c / u:.2f}")
PY
