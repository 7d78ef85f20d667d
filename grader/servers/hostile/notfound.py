"""Answers 404 to everything: the floor that a server which implements no
HTTP of its own (replay.py, contained) must not rise above."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attack  # noqa: E402

NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\n404 not found"

attack.answer_each(lambda _: [NOT_FOUND])
