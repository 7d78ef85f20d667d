#!/usr/bin/env bash
# Grades every server of grader/servers/ with the release `grade` binary, one
# after another, and prints a Markdown table: its score, the points lost per
# item, the robustness findings, the wall time and the scorecard's length,
# beside the verdict its expect.toml wrote down. Run on purpose; it asserts
# nothing (grader/tests/servers.rs does).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin grade
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "| server | expected | score | items lost | robustness findings | wall s | scorecard lines |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for dir in grader/servers/*/; do
  name=$(basename "$dir")
  [ -f "$dir/expect.toml" ] || continue
  flags=$(python3 - "$dir/expect.toml" <<'PY'
import sys, tomllib
e = tomllib.load(open(sys.argv[1], "rb"))
flags = []
if "port" in e: flags += ["--port", str(e["port"])]
if "docroot" in e: flags += ["--docroot", e["docroot"]]
print(" ".join(flags))
PY
)
  expected=$(python3 -c "import sys,tomllib; print(tomllib.load(open(sys.argv[1],'rb'))['score'])" "$dir/expect.toml")
  started=$(date +%s.%N)
  # shellcheck disable=SC2086
  ./target/release/grade one "$dir" $flags > "$out/$name.txt" 2>/dev/null || true
  ended=$(date +%s.%N)
  score=$(sed -n 's/^grading result: \([0-9.]*\)\/100.*/\1/p' "$out/$name.txt")
  lost=$(awk '$1 ~ /^[0-9.]+\/[0-9]+$/ && $2 != "total" { split($1, p, "/"); if (p[1] != p[2]) printf "%s %s/%s; ", $2, p[1], p[2] }' "$out/$name.txt")
  findings=$(sed -n '/^Robustness/,/^$/p' "$out/$name.txt" | grep -o 'crashed\|stopped answering, busy loop\|stopped answering' | sort | uniq -c | awk '{c=$1; $1=""; printf "%s x%s; ", substr($0,2), c}' || true)
  lines=$(wc -l < "$out/$name.txt")
  printf '| %s | %s | %s | %s | %s | %.1f | %s |\n' "$name" "$expected" "${score:-?}" "${lost:-none}" "${findings:-none}" \
    "$(echo "$ended - $started" | bc)" "$lines"
done
