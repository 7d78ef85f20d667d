"""Leaves a daemon behind (fork, setsid, fork again: the classic escape from
a process-group kill), then serves faithfully. The daemon must not outlive
the case, and the scorecard must say it was left."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attack  # noqa: E402

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(600)
    os._exit(0)
os.wait()
attack.run_faithful()
