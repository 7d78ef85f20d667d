#!/usr/bin/env python3
"""Prints a mutant of faithful/webserver.py (see faithful/mutants.toml), or
lists them. It lives beside the servers, not in faithful/, so that faithful/
holds one *.py file and grades as a submission folder (`grade one DIR`).

    python3 grader/servers/mutant.py                  # the mutants and what they break
    python3 grader/servers/mutant.py NAME > /tmp/m.py # one mutant's source
"""
import pathlib
import sys
import tomllib

HERE = pathlib.Path(__file__).resolve().parent / "faithful"


def main():
    mutants = tomllib.loads((HERE / "mutants.toml").read_text())["mutant"]
    if len(sys.argv) < 2:
        for m in mutants:
            print(f"{m['name']:28} breaks {m['breaks']:15} {m['why']}")
        return
    source = (HERE / "webserver.py").read_text()
    [m] = [m for m in mutants if m["name"] == sys.argv[1]] or sys.exit(f"no mutant {sys.argv[1]!r}")
    assert source.count(m["find"]) == 1, f"{m['name']}: `find` is not in webserver.py exactly once"
    sys.stdout.write(source.replace(m["find"], m["replace"]))


main()
