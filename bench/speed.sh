#!/usr/bin/env bash
# How long one submission's full grading takes (every case that applies, and
# the robustness sequence, contained), now and under the previous approach
# (a fresh server for every case, one case at a time: `--fresh-servers
# --lanes 1`), side by side in one run, for the faithful solution and the
# student-like servers of grader/servers/. Prints each server's two times,
# then the median and maximum of each and their ratio. Run on purpose; it
# asserts nothing. `bash bench/speed.sh NAME...` times only those servers.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin grade
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for dir in grader/servers/*/; do
    [ -f "$dir/expect.toml" ] && names+=("$(basename "$dir")")
  done
fi
now=(); before=()
seconds() { local s; s=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; echo "$(date +%s.%N) - $s" | bc; }
echo "| server | now s | previous approach s |"
echo "| --- | ---: | ---: |"
for name in "${names[@]}"; do
  dir="grader/servers/$name"
  a=$(seconds ./target/release/grade one "$dir")
  b=$(seconds ./target/release/grade one "$dir" --fresh-servers --lanes 1)
  now+=("$a"); before+=("$b")
  printf '| %s | %.1f | %.1f |\n' "$name" "$a" "$b"
done
stats() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%.1f %.1f", m, v[NR]}'; }
read -r now_median now_max <<< "$(stats "${now[@]}")"
read -r before_median before_max <<< "$(stats "${before[@]}")"
echo
echo "now: median ${now_median} s, max ${now_max} s; previous approach: median ${before_median} s, max ${before_max} s"
echo "ratio (previous / now): median $(echo "scale=1; $before_median / $now_median" | bc)x, max $(echo "scale=1; $before_max / $now_max" | bc)x"
