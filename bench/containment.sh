#!/usr/bin/env bash
# What containment costs: grades the faithful solution ROUNDS times in each
# way a grader can run it, alternating so that every way sees the same
# machine, with the release `grade` binary, and prints the median wall time
# of each, per submission and per case, and its ratio to the uncontained run:
#   root        contained, a uid of its own per sandbox (the grader is root)
#   userns      contained, a user namespace per sandbox (the grader is uid 65534)
#   uncontained GRADE_UNCONTAINED=1
# FRESH=1 grades with a fresh server per case, one case at a time
# (--fresh-servers --lanes 1), so that every case pays for one sandbox: the
# cost of isolation per case. Run on purpose, as root with bubblewrap (the
# userns runs need a repository that uid 65534 can read); it asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
cargo build --release --quiet --bin grade
grade=("$PWD/target/release/grade" one)
[ "${FRESH:-0}" = 1 ] && grade+=(--fresh-servers --lanes 1)
# Debian's interpreter by its path, in every way: root's `python3` is a pyenv
# shim (160 ms a start, which containment skips by resolving it and an
# uncontained run would pay), and uid 65534 cannot read it anyway.
grade+=(--cmd "/usr/bin/python3 $PWD/grader/servers/faithful/webserver.py {port}")
out=$(mktemp -d)
chmod 755 "$out"
trap 'rm -rf "$out"' EXIT
for i in $(seq "$rounds"); do
  for mode in root userns uncontained; do
    run=(env)
    case $mode in
      userns) run=(setpriv --reuid 65534 --regid 65534 --clear-groups -- env PATH=/usr/bin:/bin HOME="$out") ;;
      uncontained) run=(env GRADE_UNCONTAINED=1) ;;
    esac
    started=$(date +%s.%N)
    (cd "$out" && "${run[@]}" "${grade[@]}") > "$out/$mode-$i.txt" 2>&1 || true
    ended=$(date +%s.%N)
    python3 -c "print(\"$mode\", $ended - $started)" >> "$out/times"
    tail -n 1 "$out/$mode-$i.txt" | grep -o "graded in [0-9.]* s, [^;]*" >&2 || tail -n 3 "$out/$mode-$i.txt" >&2
  done
  echo "round $i of $rounds done" >&2
done
cases=$(grep -o "grading: [0-9]*/[0-9]*" "$out/root-1.txt" | tail -n 1 | cut -d/ -f2)
python3 - "$out/times" "$cases" "${FRESH:-0}" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    mode, secs = line.split()
    times.setdefault(mode, []).append(float(secs))
cases, fresh = int(sys.argv[2]), sys.argv[3] == "1"
how = "a fresh server per case, 1 at a time" if fresh else "shared servers, 6 lanes"
u = statistics.median(times["uncontained"])
print(f"| run | median wall s (of {len(times['uncontained'])}) | per case ms ({cases} cases, {how}) | / uncontained |")
print("| --- | ---: | ---: | ---: |")
for mode in ("root", "userns", "uncontained"):
    m = statistics.median(times[mode])
    print(f"| {mode} | {m:.1f} | {1000 * m / cases:.0f} | {m / u:.2f} |")
PY
