"""What the three spec generators share: the house style of a response, built
from the assignment's rules, and the writer of a profile's case files.

The house style is the assignment's 404 generalised: a status line, Content-Type,
Content-Length, any extra headers, `Connection: close`, a blank line; an error's
body is "CODE reason" in lower case.
"""
import json
import pathlib
import shutil

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


def write_profile(out, cases):
    """Rewrites the folder `out` with one case per entry of `cases`:
    name -> (toml_lines, request, response or None). With no `expect` line, the
    case expects the exact response."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name, (lines, request, response) in cases.items():
        if not any(line.startswith("expect") for line in lines):
            # After the description and rubric, where a reader looks for it.
            at = sum(1 for line in lines if line.startswith(("description", "rubric")))
            lines = lines[:at] + ['expect = "exact"'] + lines[at:]
        (out / f"{name}.toml").write_text("\n".join(lines) + "\n")
        (out / f"{name}.request").write_bytes(request)
        if response is not None:
            (out / f"{name}.response").write_bytes(response)
    print(f"{len(cases)} cases in {out.relative_to(TOP)}")


def description(text):
    """The TOML line of a case's description."""
    return f"description = {json.dumps(text)}"
