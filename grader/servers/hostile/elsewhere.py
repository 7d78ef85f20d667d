"""Listens on another port than the one it is given (that port plus one),
and serves faithfully there."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attack  # noqa: E402

sys.argv[2] = str(attack.port() + 1)
attack.run_faithful()
