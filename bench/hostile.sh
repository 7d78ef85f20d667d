#!/usr/bin/env bash
# The hostile submissions of grader/servers/hostile/, graded one after
# another by the release `grade`, as root (a uid of its own per sandbox) and
# as uid 65534 (a user namespace per sandbox), with a row each: the score,
# the wall time, the grader's peak memory, the first thing its scorecard
# notes, how many of its processes were still running after the grading,
# and how many files changed in the repository (git) or got the scribbler's
# mark in /tmp, /var/tmp or the repository. Run on purpose, as root with
# bubblewrap, from a repository that uid 65534 can read; it asserts nothing
# (grader/tests/hostile.rs does).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
servers=$top/grader/servers
cargo build --release --quiet --bin grade
out=$(mktemp -d)
chmod 755 "$out"
trap 'rm -rf "$out"' EXIT
names=$(sed -n 's/^\[\([a-z-]*\)\]$/\1/p' "$servers/hostile/verdicts.toml" | grep -v uncontained)
mark=hostile-scribble-was-here
# Every file git knows or would add, with its checksum.
snapshot() { git ls-files -c -o --exclude-standard -z | xargs -0 md5sum 2>/dev/null | sort; }
before=$(snapshot)
echo "| grader | hostile | score | wall s | grader peak KiB | first note or finding | left running | files changed |"
echo "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |"
for mode in root userns; do
  run=(env)
  [ "$mode" = userns ] && run=(setpriv --reuid 65534 --regid 65534 --clear-groups -- env PATH=/usr/bin:/bin HOME="$out")
  for name in $names; do
    cmd="python3 -B -I -S $servers/hostile/$name.py $servers/faithful/webserver.py {port}"
    started=$(date +%s.%N)
    (cd "$out" && "${run[@]}" "$top/target/release/grade" one --budget 40 --cmd "$cmd") > "$out/$name.txt" 2>&1 || true
    ended=$(date +%s.%N)
    score=$(sed -n 's/^grading result: \([0-9.]*\)\/100.*/\1/p' "$out/$name.txt")
    peak=$(sed -n "s/.*the grader's peak memory: \([0-9]*\) KiB.*/\1/p" "$out/$name.txt")
    first=$(grep -E "^NOTE: |went on past|crashed|stopped answering|left [0-9]" "$out/$name.txt" \
      | grep -v "seeded files" | head -n 1 | cut -c1-90 | tr '|' '/' || true)
    left=$(pgrep -fc "/servers/hostile/$name.py" || true)
    changed=$(diff <(echo "$before") <(snapshot) | grep -c '^>' || true)
    marks=$( (ls /tmp/$mark /var/tmp/$mark "$top/$mark" "$servers/hostile/$mark" 2>/dev/null || true) | wc -l)
    wall=$(python3 -c "print(f'{$ended - $started:.1f}')")
    echo "| $mode | $name | ${score:-?} | $wall | ${peak:-?} | ${first:-(none)} | $left | $((changed + marks)) |"
  done
done
