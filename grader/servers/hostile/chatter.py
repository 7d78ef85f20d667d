"""Prints 100 MB to stdout and to stderr before serving faithfully: the
grader keeps only the first 64 KiB of each."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attack  # noqa: E402

line = b"x" * 1023 + b"\n"
for _ in range(50 * 1024):
    os.write(1, line)
    os.write(2, line)
attack.run_faithful()
