#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image
# (Ubuntu 22.04 by default). It installs what grading needs at run time: the
# isolation tools and Python for the students' servers. No Rust: the `grade`
# binary was built where the zip was made (gradescope/make_zip.sh) and ships
# in it.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# bubblewrap: each server runs contained; util-linux: prlimit and setpriv
# (the caps and the uid drop); python3: the submissions.
apt-get install -y -qq bubblewrap util-linux python3 > /dev/null
chmod +x /autograder/source/grade /autograder/source/run_autograder 2>/dev/null || true
bwrap --version
python3 --version
