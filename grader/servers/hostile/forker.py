"""Forks children until it may fork no more (each sleeps), then serves
faithfully: the process cap stops it, and every child dies with the case."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attack  # noqa: E402

for _ in range(5000):
    try:
        if os.fork() == 0:
            time.sleep(600)
            os._exit(0)
    except OSError:
        break
attack.run_faithful()
