"""Answers every request with a 64 MiB body: the grader reads no more of a
reply than the largest right answer plus a margin."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attack  # noqa: E402

BODY = b"y" * (64 << 20)
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(BODY)

attack.answer_each(lambda _: [HEAD, BODY])
