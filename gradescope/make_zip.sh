#!/usr/bin/env bash
# Builds the zip to upload as a Gradescope autograder ("Zip file upload"):
# setup.sh and run_autograder at its top, the release `grade` binary (built
# here: the autograder may not reach a Rust toolchain), and the golden spec
# with the fixtures beside it. Usage: bash gradescope/make_zip.sh [OUT.zip]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/gradescope-autograder.zip}"
cargo build --release --quiet --bin grade
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp gradescope/setup.sh gradescope/run_autograder target/release/grade "$stage/"
cp -r spec fixtures "$stage/"
rm -f "$out"
mkdir -p "$(dirname "$out")"
out_abs="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
(cd "$stage" && python3 -m zipfile -c "$out_abs" setup.sh run_autograder grade spec fixtures)
echo "wrote $out ($(du -h "$out" | cut -f1)); upload it as the autograder's zip file"
