"""Writes wherever it can before serving faithfully: over the canary one
level above its folder, beside it, in /tmp, in its own code's folder, and
into every folder a cheat could find. Contained, every write but those in its
own served folder fails, and the score is the faithful one."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attack  # noqa: E402

MARK = "hostile-scribble-was-here"


def scribble(path, text=MARK):
    try:
        with open(path, "w") as f:
            f.write(text)
    except OSError:
        pass


scribble(os.path.join("..", "secret.txt"), "overwritten by a submission\n")
scribble(os.path.join("..", MARK))
scribble(os.path.join("/tmp", MARK))
scribble(os.path.join("/var/tmp", MARK))
scribble(os.path.join(os.path.dirname(os.path.abspath(__file__)), MARK))
for place in attack.places_to_look():
    if os.path.isdir(place):
        scribble(os.path.join(place, MARK))
    if os.path.isdir(os.path.join(place, "spec", "core")):
        scribble(os.path.join(place, "spec", "core", "file1-guide-request.response"), "cheat")
scribble(MARK)  # its own served folder: allowed, and gone after the case
attack.run_faithful()
