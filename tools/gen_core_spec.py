#!/usr/bin/env python3
"""Writes spec/core/: the assignment's contract as golden cases.

The expected responses are built here from the assignment's text (NOTES.md) and
the fixture bytes, not blessed from the server, so the server is checked against
the contract rather than against itself. Run it again after changing a case below;
it rewrites only its own cases, those whose toml starts with its `generated`
line, and removes those it no longer makes, so a hand-written case beside them
stays. `--out DIR` writes into DIR/core/ instead, to compare with spec/.
"""

import json

from spec_house import NOT_FOUND, description, ok, profile_dir, write_profile


def guide(target):
    """The request of the guide's browser, section 9.2."""
    return f"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode("latin-1")


CHROME = (
    "GET /file2.html HTTP/1.1\r\n"
    "Host: localhost:28333\r\n"
    "Connection: keep-alive\r\n"
    'sec-ch-ua: "Chromium";v="131", "Not_A Brand";v="24"\r\n'
    "sec-ch-ua-mobile: ?0\r\n"
    'sec-ch-ua-platform: "Linux"\r\n'
    "Upgrade-Insecure-Requests: 1\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8\r\n"
    "Sec-Fetch-Site: none\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "Sec-Fetch-User: ?1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Accept-Language: en-US,en;q=0.9\r\n"
    "\r\n"
).encode("latin-1")

FILE1 = ok("file1.txt", "text/plain")
FILE2 = ok("file2.html", "text/html")
G1 = guide("/file1.txt")

# name: (description, rubric, request, expected response or None, extra TOML lines)
CASES = {
    # The two example files, as the guide's browser asks for them.
    "file1-guide-request": ("the guide's request for file1.txt gets its 265 bytes as text/plain",
                            "read", G1, FILE1, []),
    "file2-guide-request": ("the guide's request for file2.html gets its 373 bytes as text/html",
                            "content-type", guide("/file2.html"), FILE2, []),
    # Files drawn from the run's seed (grader/src/seeded.rs): their names and
    # bytes cannot be known in advance, so the answer is built at run time.
    "seeded-text": ("a text file drawn from the run's seed is read and served as text/plain",
                    "read", guide("/{seeded}"), None, ['seeded = "txt"']),
    "seeded-html": ("an HTML file drawn from the run's seed is served as text/html",
                    "content-type", guide("/{seeded}"), None, ['seeded = "html"']),
    "file1-host-only": ("a request with only a Host header is answered the same way",
                        "header", b"GET /file1.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", FILE1, []),
    "file1-http10": ("an HTTP/1.0 request with no headers at all gets the same HTTP/1.1 answer",
                     "header", b"GET /file1.txt HTTP/1.0\r\n\r\n", FILE1, []),
    "file1-http10-host": ("an HTTP/1.0 request with a Host header",
                          "header", b"GET /file1.txt HTTP/1.0\r\nHost: localhost\r\n\r\n", FILE1, []),
    "file1-lowercase-headers": ("header names are case-insensitive: lowercase ones change nothing",
                                "header", b"GET /file1.txt HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n", FILE1, []),
    "keep-alive-still-closes": ("a client asking for keep-alive still gets Connection: close, then a close",
                                "header", b"GET /file1.txt HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n", FILE1, []),
    "chrome-request": ("a real browser's request (14 headers) for file2.html",
                       "content-type", CHROME, FILE2, []),
    "pipelined-second-ignored": ("two requests in one send: the first is answered, then the connection closes",
                                 "payload", G1 + guide("/file2.html"), FILE1, []),
    # Content-Type and Content-Length beyond the two examples.
    "empty-file": ("an empty file is Content-Length: 0 and no body", "content-length",
                   guide("/empty.txt"), ok("empty.txt", "text/plain"), []),
    # Not found: the assignment's 104 bytes, verbatim.
    "missing-file": ("a file that does not exist gets the assignment's 404 verbatim", "read",
                     guide("/nosuchfile.txt"), NOT_FOUND, []),
    "missing-html": ("a missing .html file gets the same 404", "read", guide("/missing.html"), NOT_FOUND, []),
    "names-are-case-sensitive": ("FILE1.TXT is not file1.txt", "filename", guide("/FILE1.TXT"), NOT_FOUND, []),
    "trailing-dot-name": ("file1.txt. is not file1.txt", "filename", guide("/file1.txt."), NOT_FOUND, []),
    "root-slash": ("/ names no file: 404", "read", guide("/"), NOT_FOUND, []),
    "directory-name": ("a directory is not a file: 404", "read", guide("/docs"), NOT_FOUND, []),
    "directory-trailing-slash": ("a path ending in / names no file: 404", "read", guide("/docs/"), NOT_FOUND, []),
    # Path stripping: only the last part of the path counts.
    "strip-one-directory": ("/foo/file1.txt serves file1.txt from the root", "sandbox",
                            guide("/foo/file1.txt"), FILE1, []),
    "strip-two-directories": ("/foo/bar/file1.txt serves file1.txt from the root", "sandbox",
                              guide("/foo/bar/file1.txt"), FILE1, []),
    "strip-deep-path": ("a deep path to file2.html serves the root's file2.html", "sandbox",
                        guide("/a/b/c/d/e/f/g/file2.html"), FILE2, []),
    "strip-double-slash": ("//file1.txt is file1.txt", "filename", guide("//file1.txt"), FILE1, []),
    "strip-subdirectory-file": ("docs/guide.txt exists, but stripping leaves guide.txt, which the root lacks",
                                "sandbox", guide("/docs/guide.txt"), NOT_FOUND, []),
    # Traversal: nothing above the root, however the path is spelled.
    "traversal-etc-passwd": ("/../../etc/passwd is stripped to passwd: 404", "sandbox",
                             guide("/../../etc/passwd"), NOT_FOUND, []),
    "traversal-absolute-etc-passwd": ("/etc/passwd is stripped to passwd: 404", "sandbox",
                                      guide("/etc/passwd"), NOT_FOUND, []),
    "traversal-secret-above-root": ("the canary one level above the root never comes back", "sandbox",
                                    guide("/../secret.txt"), NOT_FOUND, []),
    "traversal-encoded-slashes": ("/..%2f..%2fetc%2fpasswd: escaped slashes are still slashes", "sandbox",
                                  guide("/..%2f..%2fetc%2fpasswd"), NOT_FOUND, []),
    "traversal-encoded-secret": ("/..%2fsecret.txt does not reach the canary", "sandbox",
                                 guide("/..%2fsecret.txt"), NOT_FOUND, []),
    "traversal-encoded-dots": ("/%2e%2e/secret.txt does not reach the canary", "sandbox",
                               guide("/%2e%2e/secret.txt"), NOT_FOUND, []),
    "traversal-dotdot-name": ("/.. names the parent directory: 404", "read", guide("/.."), NOT_FOUND, []),
    "traversal-dot-name": ("/. names the root itself: 404", "read", guide("/."), NOT_FOUND, []),
    "traversal-backslashes": ("backslashes are not separators here and never climb", "sandbox",
                              guide("/..\\secret.txt"), NOT_FOUND, []),
    # The head arrives in pieces: recv() is a stream, not a message. All of these
    # are `filename`: the file name is parsed from the request header, which is
    # only there once recv() has been called until the blank line; a server that
    # assumes one recv() holds the request loses that one item (spec/README.md).
    "one-byte-at-a-time": ("the guide's request, one byte per send", "filename", G1, FILE1, ["pieces = 1"]),
    "seven-byte-pieces": ("file2.html requested in 7-byte sends", "filename", guide("/file2.html"), FILE2, ["pieces = 7"]),
    "split-inside-final-crlf": ("a pause between the two CRLFs of the blank line", "filename",
                                G1, FILE1, [f"split = [{len(G1) - 2}]", "pause_ms = 200"]),
    "split-before-final-lf": ("a pause before the very last byte of the head", "filename",
                              G1, FILE1, [f"split = [{len(G1) - 1}]", "pause_ms = 200"]),
    "split-inside-request-line": ("pauses inside the request line, even inside the path", "filename",
                                  G1, FILE1, ["split = [3, 9]", "pause_ms = 100"]),
    "split-between-headers": ("a pause after the Host header line", "filename",
                              G1, FILE1, [f"split = [{G1.index(b'Connection')}]", "pause_ms = 150"]),
    "head-without-blank-line-waits": ("no blank line yet: the server must keep reading, not answer", "filename",
                                      b"GET /file1.txt HTTP/1.1\r\nHost: localhost\r\n", None,
                                      ['expect = "waits"', "wait_ms = 400"]),
    "request-line-only-waits": ("a request line alone is not a whole request", "filename",
                                b"GET /file1.txt HTTP/1.1\r\n", None, ['expect = "waits"', "wait_ms = 400"]),
}


# The sentence of NOTES.md ("The contract, in one screen") each case checks.
# Only what it requires is scored: a .htm mapping or octet-stream for unknown
# extensions are not asked for, so those cases live in extensions/.
RECV = "1. receives until it has seen \\r\\n\\r\\n (one recv() may hold any part of the request, even half of the final blank line)"
STRIP = ("2. takes the path from the request line and strips every directory from it, keeping only the last "
         "/-separated part, so only files of the directory the server runs in can be served (rubric: "
         "'File path stripped off, or sandboxed properly')")
READ = "3. reads that file"
TYPE = "4. picks the Content-Type from the extension: .txt is text/plain, .html is text/html"
ANSWER = "5. answers, then closes the connection: HTTP/1.1 200 OK, Content-Type, Content-Length, Connection: close, the file's bytes"
MISSING = "6. when the file cannot be opened, answers exactly these 104 bytes and closes"
REQUEST = "Request (what a browser sends for http://localhost:33490/file1.txt): GET /file1.txt HTTP/1.1, Host, Connection: close"
CHECKS = {
    "file1-guide-request": READ, "file2-guide-request": TYPE, "seeded-text": READ, "seeded-html": TYPE, "file1-host-only": REQUEST,
    "file1-http10": ANSWER, "file1-http10-host": ANSWER, "file1-lowercase-headers": REQUEST,
    "keep-alive-still-closes": ANSWER, "chrome-request": REQUEST, "pipelined-second-ignored": ANSWER,
    "empty-file": ANSWER, "missing-file": MISSING, "missing-html": MISSING,
    "names-are-case-sensitive": READ, "trailing-dot-name": READ, "root-slash": MISSING,
    "directory-name": MISSING, "directory-trailing-slash": MISSING,
    "one-byte-at-a-time": RECV, "seven-byte-pieces": RECV, "split-inside-final-crlf": RECV,
    "split-before-final-lf": RECV, "split-inside-request-line": RECV, "split-between-headers": RECV,
    "head-without-blank-line-waits": RECV, "request-line-only-waits": RECV,
}
# The assignment's own examples: a defect on one of these costs its item all
# its points (spec/README.md, "Scoring").
EXAMPLES = {"file1-guide-request", "file2-guide-request", "missing-file", "strip-two-directories",
            "split-inside-final-crlf"}

LISTING = ["[[accept]]", 'status = "200"', 'content_type = "text/html"',
           'reason = "a directory listing: the guide proposes one as an extension"']
REDIRECT = ["[[accept]]", 'status = "301"',
            'reason = "a redirect to the slashed URL, as a server that lists directories sends"']
SANDBOXED_404 = ["[[accept]]", 'answer = "sandboxed"', 'rule = "sandboxed"',
                 'reason = "the 404: a server that sandboxes has no such subdirectory"']
SANDBOXED_FILE = ["[[accept]]", 'answer = "sandboxed"', 'rule = "sandboxed"',
                  'reason = "the file of the subdirectory: a server that sandboxes serves it"']
# name: (the path rule the golden answer shows, extra TOML lines, alternative answers' bytes)
ACCEPT = {
    "strip-one-directory": ("stripped", SANDBOXED_404, {"sandboxed": NOT_FOUND}),
    "strip-two-directories": ("stripped", SANDBOXED_404, {"sandboxed": NOT_FOUND}),
    "strip-deep-path": ("stripped", SANDBOXED_404, {"sandboxed": NOT_FOUND}),
    "strip-subdirectory-file": ("stripped", SANDBOXED_FILE, {"sandboxed": ok("docs/guide.txt", "text/plain")}),
    "root-slash": (None, LISTING, {}),
    "traversal-dot-name": (None, LISTING, {}),
    "directory-name": (None, LISTING + REDIRECT, {}),
    "directory-trailing-slash": (None, LISTING, {}),
}
for name in CASES:
    if name.startswith(("strip-", "traversal-")) and name not in CHECKS:
        CHECKS[name] = STRIP


def toml_lines(name, text, rubric, extra):
    """The case's TOML: top-level keys first, then its [[accept]] tables."""
    rule, accept, _ = ACCEPT.get(name, (None, [], {}))
    lines = [description(text), f'rubric = "{rubric}"', f"checks = {json.dumps(CHECKS[name])}"]
    if name in EXAMPLES:
        lines.append("example = true")
    if rule:
        lines.append(f'rule = "{rule}"')
    return lines + extra + accept


def responses(name, response):
    """The golden answer, and the alternatives' bytes by label."""
    if response is None:
        return None
    return {"": response, **ACCEPT.get(name, (None, [], {}))[2]}


def main():
    assert CHECKS.keys() == CASES.keys(), "every core case names the sentence of NOTES.md it checks"
    write_profile(profile_dir(__doc__, "core"),
                  {name: (toml_lines(name, text, rubric, extra), request, responses(name, response))
                   for name, (text, rubric, request, response, extra) in CASES.items()},
                  __file__)


main()
