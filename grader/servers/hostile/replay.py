"""Implements no HTTP: finds the golden files (spec/**/*.response) through its
environment or the folders around it, and replays the answer to whichever
golden request matches. With nothing found, it answers 404 to everything, as
notfound.py does: contained, it must score no more than that."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attack  # noqa: E402

NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\n404 not found"


def goldens():
    answers = {}
    for place in attack.places_to_look():
        for spec in (os.path.join(place, "spec"), place):
            core = os.path.join(spec, "core")
            if not os.path.isdir(core):
                continue
            for root, _, names in os.walk(spec):
                for name in names:
                    if name.endswith(".request"):
                        base = os.path.join(root, name[: -len(".request")])
                        try:
                            with open(base + ".request", "rb") as f, open(base + ".response", "rb") as g:
                                answers[f.read().split(b"\r\n")[0]] = g.read()
                        except OSError:
                            pass
    return answers


def main():
    answers = goldens()
    attack.answer_each(lambda data: [answers.get(data.split(b"\r\n")[0], NOT_FOUND)])


main()
