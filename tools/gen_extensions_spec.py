#!/usr/bin/env python3
"""Writes spec/extensions/: the guide's extensions as golden cases.

Like gen_core_spec.py, the expected bytes are built here, from fixtures/ and the
rules in the README, not blessed from the server: the MIME table, the listing
page and the redirects are written out a second time, in Python, so the server
is checked against the rules rather than against itself. Rerun it after
changing a case below; it rewrites only spec/extensions/.
"""
import html
import json
import pathlib
import shutil
import urllib.parse

TOP = pathlib.Path(__file__).resolve().parent.parent
FIX = TOP / "fixtures"
OUT = TOP / "spec" / "extensions"


def head(status, mime, length, extra=""):
    return (f"HTTP/1.1 {status}\r\nContent-Type: {mime}\r\n"
            f"Content-Length: {length}\r\n{extra}Connection: close\r\n\r\n").encode("latin-1")


def canned(status, extra=""):
    body = status.lower().encode("latin-1")
    return head(status, "text/plain", len(body), extra) + body


NOT_FOUND = canned("404 Not Found")
BAD_REQUEST = canned("400 Bad Request")
assert len(NOT_FOUND) == 104


def ok(name, mime):
    body = (FIX / name).read_bytes()
    return head("200 OK", mime, len(body)) + body


def ok_head(name, mime):
    """What HEAD gets: GET's head, no body."""
    return head("200 OK", mime, (FIX / name).stat().st_size)


def no_body(response):
    return response[:response.index(b"\r\n\r\n") + 4]


def req(target, method="GET"):
    return f"{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode("latin-1")


# name: (description, request, expected response, extra TOML lines)
CASES = {
    # HEAD: exactly GET's head, never a body.
    "head-file1": ("HEAD /file1.txt: GET's head with Content-Length 265, and no body",
                   req("/file1.txt", "HEAD"), ok_head("file1.txt", "text/plain"), []),
    "head-file2": ("HEAD /file2.html: GET's head, and no body",
                   req("/file2.html", "HEAD"), ok_head("file2.html", "text/html"), []),
    "head-image": ("HEAD /pixel.png: GET's head, and no body",
                   req("/pixel.png", "HEAD"), ok_head("pixel.png", "image/png"), []),
    "head-missing": ("HEAD of a missing file: the 404's head, and no body",
                     req("/nosuchfile.txt", "HEAD"), no_body(NOT_FOUND), []),
    "head-control-byte": ("HEAD with a decoded control byte: the 400's head, and no body",
                          req("/file1.txt%00", "HEAD"), no_body(BAD_REQUEST), []),
    # MIME types beyond the assignment's two.
    "mime-png": ("an image is image/png, its bytes untouched", req("/pixel.png"), ok("pixel.png", "image/png"), []),
}


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    for name, (description, request, response, extra) in CASES.items():
        lines = [f"description = {json.dumps(description)}"]
        if not any(line.startswith("expect") for line in extra):
            lines.append('expect = "exact"')
        lines += extra
        (OUT / f"{name}.toml").write_text("\n".join(lines) + "\n")
        (OUT / f"{name}.request").write_bytes(request)
        if response is not None:
            (OUT / f"{name}.response").write_bytes(response)
    print(f"{len(CASES)} cases in {OUT.relative_to(TOP)}")


main()
