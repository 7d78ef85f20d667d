"""What the three spec generators share: the house style of a response, built
from the assignment's rules, `--out`, and the writer of a profile's case files.

The house style is the assignment's 404 generalised: a status line, Content-Type,
Content-Length, any extra headers, `Connection: close`, a blank line; an error's
body is "CODE reason" in lower case.
"""
import argparse
import json
import pathlib
import sys

TOP = pathlib.Path(__file__).resolve().parent.parent
FIX = TOP / "fixtures"

REASONS = {
    200: "OK",
    301: "Moved Permanently",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
    501: "Not Implemented",
    503: "Service Unavailable",
    505: "HTTP Version Not Supported",
}


def head(code, mime, length, extra=""):
    """A response head; `extra` is header lines, each ending in CRLF."""
    return (f"HTTP/1.1 {code} {REASONS[code]}\r\nContent-Type: {mime}\r\n"
            f"Content-Length: {length}\r\n{extra}Connection: close\r\n\r\n").encode("latin-1")


def error(code, extra=""):
    """An error response: the house head and its lowercase body."""
    body = f"{code} {REASONS[code]}".lower().encode("latin-1")
    if code == 405:
        extra = "Allow: GET, HEAD\r\n" + extra
    return head(code, "text/plain", len(body), extra) + body


NOT_FOUND = error(404)
assert len(NOT_FOUND) == 104, "the assignment's 404 is 104 bytes"


def ok(name, mime):
    """The 200 response for `fixtures/NAME`."""
    body = (FIX / name).read_bytes()
    return head(200, mime, len(body)) + body


def profile_dir(doc, profile):
    """The folder to write PROFILE into: DIR/PROFILE with `--out DIR` (a test
    regenerates into a temp dir and compares), else spec/PROFILE."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", metavar="DIR", type=pathlib.Path, default=TOP / "spec",
                        help=f"the spec root to write into: the cases go into DIR/{profile}/ "
                             "(default: this repository's spec/)")
    return parser.parse_args().out / profile


def shown(path):
    """PATH for a message: relative to the repository when inside it."""
    path = path.resolve()
    return path.relative_to(TOP) if path.is_relative_to(TOP) else path


def write_profile(out, cases, generator):
    """Writes into the folder `out` the cases of `generator` (its __file__):
    name -> (toml_lines, request, response or None, or {label: response} with
    "" the golden one). With no `expect` line, the case expects the exact
    response.

    Each toml starts with `generated = "tools/gen_....py"`, which tells the
    generator's cases from hand-written ones beside them: its cases it no longer
    makes are removed; a case without its marker is never touched, and if one
    has the name of a case to write, it stops before writing anything."""
    marker = f'generated = "{pathlib.Path(generator).resolve().relative_to(TOP).as_posix()}"'
    out.mkdir(parents=True, exist_ok=True)
    mine = set()
    for toml in sorted(out.glob("*.toml")):
        with open(toml, encoding="utf-8", errors="replace") as f:
            if f.readline().rstrip("\n") == marker:
                mine.add(toml.stem)
            elif toml.stem in cases:
                sys.exit(f"{shown(toml)}: a case of that name is to be generated, but this file does not "
                         f"start with {marker} (hand-written?); rename one of them. Nothing written.")
    for name in sorted(mine - cases.keys()):
        for ext in ("toml", "request"):
            (out / f"{name}.{ext}").unlink(missing_ok=True)
        for answer in out.glob(f"{name}.*response"):
            answer.unlink()
        print(f"removed {name}, no longer generated")
    for name, (lines, request, response) in cases.items():
        if not any(line.startswith("expect") for line in lines):
            # After the description and rubric, where a reader looks for it.
            at = sum(1 for line in lines if line.startswith(("description", "rubric", "checks")))
            lines = lines[:at] + ['expect = "exact"'] + lines[at:]
        (out / f"{name}.toml").write_text("\n".join([marker] + lines) + "\n")
        (out / f"{name}.request").write_bytes(request)
        # A case may have alternative answers besides its golden one:
        # NAME.LABEL.response, for `[[accept]] answer = "LABEL"`.
        answers = response if isinstance(response, dict) else {"": response}
        for old in out.glob(f"{name}.*response"):
            if old.name.removeprefix(name).removesuffix("response").strip(".") not in answers:
                old.unlink()
        for label, data in answers.items():
            if data is not None:
                (out / (f"{name}.{label}.response" if label else f"{name}.response")).write_bytes(data)
    print(f"{len(cases)} cases in {shown(out)}")


def description(text):
    """The TOML line of a case's description."""
    return f"description = {json.dumps(text)}"
