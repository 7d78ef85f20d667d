#!/usr/bin/env bash
# Grades every server of grader/servers/ (the faithful solution, the
# student-like servers, the class-only folders of grader/servers/class/) as
# one class with the release `grade class`, and prints its wall time, its
# class.csv beside each server's expected score, and where summary.md and
# failures.svg are. `JOBS=N` sets --jobs. Run on purpose; it asserts nothing
# (grader/tests/class.rs does, on a subset).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin grade
work="${OUT_DIR:-$(mktemp -d)}"
mkdir -p "$work/submissions"
for dir in grader/servers/*/ grader/servers/class/*/; do
  name=$(basename "$dir")
  [ -f "$dir/expect.toml" ] || [ "$(dirname "$dir")" = grader/servers/class ] || continue
  ln -sfn "$PWD/$dir" "$work/submissions/$name"
done
started=$(date +%s.%N)
./target/release/grade class "$work/submissions" --out "$work/out" ${JOBS:+--jobs "$JOBS"}
ended=$(date +%s.%N)
echo
echo "graded $(ls "$work/submissions" | wc -l) submissions in $(echo "$ended - $started" | bc | xargs printf '%.1f') s (jobs: ${JOBS:-default})"
echo
echo "| class.csv row | expected score |"
echo "| --- | ---: |"
tail -n +2 "$work/out/class.csv" | while IFS= read -r row; do
  name=${row%%,*}
  expect=grader/servers/$name/expect.toml
  want=$([ -f "$expect" ] && python3 -c "import sys,tomllib; print(tomllib.load(open(sys.argv[1],'rb'))['score'])" "$expect" || echo "-")
  echo "| $row | $want |"
done
echo
echo "summary: $work/out/summary.md; chart: $work/out/failures.svg"
