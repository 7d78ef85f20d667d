"""Accepts, then sleeps 30 s before each answer: every case waits its full
timeout, and the run's budget cuts it off."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attack  # noqa: E402

s = attack.listening()
while True:
    c, _ = s.accept()
    time.sleep(30)
    c.close()
