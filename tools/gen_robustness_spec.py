#!/usr/bin/env python3
"""Writes spec/robustness/: malformed requests, limits, timeouts, and the
traversal corpus.

As with tools/gen_core_spec.py, every expected response is built here from the
house style (the assignment's 404, generalised: status line, Content-Type:
text/plain, Content-Length, Connection: close, body = "CODE reason" in lower
case), never blessed from the server. Rerun after editing a table below; it
rewrites and removes only its own cases in spec/robustness/ (`--out DIR`:
DIR/robustness/), so a hand-written case beside them stays.

The traversal corpus (spec/robustness/traversal/corpus.tsv) is a table, not
golden cases: tests/integration/robustness_traversal.rs sends every target to one server per
mode and asserts that none is answered with a 2xx or a byte of the canary.
"""
import itertools

from spec_house import description, error, ok, profile_dir, shown, write_profile

# Defaults of src/limits.rs, restated here on purpose: if they change, these
# cases say so.
MAX_REQUEST_LINE = 8192
MAX_HEAD = 16384


def req(line, *headers):
    """A request head: `line`, then `headers`, each CRLF-terminated, then CRLF."""
    return "".join(f"{h}\r\n" for h in (line, *headers)).encode("latin-1") + b"\r\n"


FILE1 = ok("file1.txt", "text/plain")
HOST = "Host: localhost"
SHORT = '["--head-timeout-ms", "300"]'


def line_of_length(n):
    """A request line of exactly n bytes naming a missing file."""
    fixed = len("GET / HTTP/1.1")
    return "GET /" + "a" * (n - fixed) + " HTTP/1.1"


def head_of_length(n):
    """A head of exactly n bytes, blank line included, asking for file1.txt."""
    start = f"GET /file1.txt HTTP/1.1\r\n{HOST}\r\n"
    filler_name = "X-Filler: "
    rest = n - len(start) - len(filler_name) - 2 - 2
    assert rest > 0
    return (start + filler_name + "f" * rest + "\r\n\r\n").encode("latin-1")


# name: (description, request, expected response or None, extra TOML lines)
CASES = {
    # The request line: exactly three parts, a token method, a clean target.
    "request-line-two-parts": ("a request line without a version is 400",
                               req("GET /file1.txt", HOST), error(400), []),
    "request-line-four-parts": ("a fourth part on the request line is 400",
                                req("GET /file1.txt HTTP/1.1 extra", HOST), error(400), []),
    "request-line-double-space": ("two spaces between method and target is 400, not a guess",
                                  req("GET  /file1.txt HTTP/1.1", HOST), error(400), []),
    "request-line-leading-space": ("a space before the method is 400",
                                   req(" GET /file1.txt HTTP/1.1", HOST), error(400), []),
    "request-line-empty": ("an empty line where the request line belongs is 400 (no blank-line skipping)",
                           b"\r\n" + req("GET /file1.txt HTTP/1.1", HOST), error(400), []),
    "space-in-target": ("a raw space in the target makes four parts: 400",
                        req("GET /file 1.txt HTTP/1.1", HOST), error(400), []),
    "tab-in-target": ("a tab (a control byte) in the target is 400",
                      req("GET /file1\t.txt HTTP/1.1", HOST), error(400), []),
    "control-byte-in-target": ("a raw control byte in the target is 400",
                               req("GET /file1\x01.txt HTTP/1.1", HOST), error(400), []),
    "del-in-target": ("DEL (0x7f) in the target is 400",
                      req("GET /file1\x7f.txt HTTP/1.1", HOST), error(400), []),
    "nul-in-target": ("a raw NUL in the target is 400",
                      req("GET /file1.txt\x00 HTTP/1.1", HOST), error(400), []),
    "encoded-nul-in-target": ("%00 decodes to a NUL, which no file name holds: 400",
                              req("GET /file1.txt%00.html HTTP/1.1", HOST), error(400), []),
    "method-with-separator": ("a method that is not a token is 400",
                              req("G(T /file1.txt HTTP/1.1", HOST), error(400), []),
    # The version.
    "version-lowercase": ("http/1.1 is not the version syntax: 400",
                          req("GET /file1.txt http/1.1", HOST), error(400), []),
    "version-no-minor": ("HTTP/1 is not the version syntax: 400",
                         req("GET /file1.txt HTTP/1", HOST), error(400), []),
    "version-trailing-garbage": ("HTTP/1.1x is not the version syntax: 400",
                                 req("GET /file1.txt HTTP/1.1x", HOST), error(400), []),
    "version-2-0": ("HTTP/2.0 in an HTTP/1 request line is a version we do not speak: 505",
                    req("GET /file1.txt HTTP/2.0", HOST), error(505), []),
    "version-1-2": ("HTTP/1.2 is not 1.0 or 1.1: 505",
                    req("GET /file1.txt HTTP/1.2", HOST), error(505), []),
    "version-0-9": ("HTTP/0.9 is not 1.0 or 1.1: 505",
                    req("GET /file1.txt HTTP/0.9", HOST), error(505), []),
    # Header lines.
    "header-without-colon": ("a header line without a colon is 400",
                             req("GET /file1.txt HTTP/1.1", HOST, "Connection close"), error(400), []),
    "space-before-colon": ("whitespace between a header name and its colon is 400 (RFC 9112 5.1)",
                           req("GET /file1.txt HTTP/1.1", "Host : localhost"), error(400), []),
    "folded-header": ("an obs-fold continuation line is 400 (RFC 9112 5.2)",
                      req("GET /file1.txt HTTP/1.1", HOST, "X-Long: a", " b"), error(400), []),
    "empty-header-name": ("a header line that starts with a colon is 400",
                          req("GET /file1.txt HTTP/1.1", HOST, ": nameless"), error(400), []),
    # Host (RFC 9112 3.2).
    "host-missing-http11": ("an HTTP/1.1 request without Host is 400",
                            req("GET /file1.txt HTTP/1.1", "Connection: close"), error(400), []),
    "host-duplicated": ("two Host headers are 400",
                        req("GET /file1.txt HTTP/1.1", HOST, "Host: example.com"), error(400), []),
    "host-duplicated-same-value": ("two Host headers are 400 even when they agree",
                                   req("GET /file1.txt HTTP/1.1", HOST, "host: localhost"), error(400), []),
    "host-duplicated-http10": ("HTTP/1.0 may omit Host, but not send two",
                               req("GET /file1.txt HTTP/1.0", HOST, HOST), error(400), []),
    "host-empty-value": ("an empty Host on HTTP/1.1 is 400 (RFC 9112 3.2: the request has an authority)",
                         req("GET /file1.txt HTTP/1.1", "Host:"), error(400), []),
    "host-empty-value-http10": ("an empty Host on HTTP/1.0 is accepted: the file is served",
                                req("GET /file1.txt HTTP/1.0", "Host:"), FILE1, []),
    "host-with-port": ("Host with a port is a Host: the file is served",
                       req("GET /file1.txt HTTP/1.1", "Host: localhost:28333"), FILE1, []),
    "host-ipv6-literal": ("Host as an IPv6 literal with a port is served",
                          req("GET /file1.txt HTTP/1.1", "Host: [::1]:28333"), FILE1, []),
    "host-userinfo": ("userinfo in Host is 400 (RFC 9110 7.2)",
                      req("GET /file1.txt HTTP/1.1", "Host: user@localhost"), error(400), []),
    "host-with-path": ("a path in Host is 400",
                       req("GET /file1.txt HTTP/1.1", "Host: localhost/file2.html"), error(400), []),
    "host-comma-list": ("a comma list in Host is 400",
                        req("GET /file1.txt HTTP/1.1", "Host: localhost, example.com"), error(400), []),
    # Framing (RFC 9112 6.1, 6.3), judged before the method.
    "content-length-not-digits": ("Content-Length: abc is 400, even on a GET",
                                  req("GET /file1.txt HTTP/1.1", HOST, "Content-Length: abc"), error(400), []),
    "content-length-plus": ("a Content-Length with a sign is 400",
                            req("GET /file1.txt HTTP/1.1", HOST, "Content-Length: +0"), error(400), []),
    "content-length-hex": ("a Content-Length in hex is 400",
                           req("GET /file1.txt HTTP/1.1", HOST, "Content-Length: 0x0"), error(400), []),
    "content-length-overflow": ("a Content-Length past 2^64 is 400",
                                req("GET /file1.txt HTTP/1.1", HOST, "Content-Length: 18446744073709551616"), error(400), []),
    "content-length-two-values": ("two Content-Length fields that differ are 400",
                                  req("GET /file1.txt HTTP/1.1", HOST, "Content-Length: 0", "Content-Length: 1"), error(400), []),
    "content-length-repeated": ("two Content-Length fields that agree are 400 too (one framing header, once)",
                                req("GET /file1.txt HTTP/1.1", HOST, "Content-Length: 0", "Content-Length: 0"), error(400), []),
    "content-length-list": ("a Content-Length list is 400",
                            req("GET /file1.txt HTTP/1.1", HOST, "Content-Length: 0, 0"), error(400), []),
    "content-length-zero": ("Content-Length: 0 on a GET frames an empty body: the file is served",
                            req("GET /file1.txt HTTP/1.1", HOST, "Content-Length: 0"), FILE1, []),
    "post-bad-content-length": ("a POST's malformed Content-Length is 400, not 405: framing comes first",
                                req("POST /file1.txt HTTP/1.1", HOST, "Content-Length: 1x"), error(400), []),
    "transfer-encoding-gzip": ("a Transfer-Encoding whose last coding is not chunked is 400",
                               req("GET /file1.txt HTTP/1.1", HOST, "Transfer-Encoding: gzip"), error(400), []),
    "transfer-encoding-unknown": ("a transfer coding the server does not know is 501",
                                  req("GET /file1.txt HTTP/1.1", HOST, "Transfer-Encoding: br, chunked"), error(501), []),
    "transfer-encoding-unknown-wins": ("501 for an unknown coding wins over Content-Length beside it",
                                       req("GET /file1.txt HTTP/1.1", HOST, "Transfer-Encoding: identity", "Content-Length: 0"), error(501), []),
    "transfer-encoding-with-content-length": ("Transfer-Encoding beside Content-Length is 400",
                                              req("GET /file1.txt HTTP/1.1", HOST, "Transfer-Encoding: chunked", "Content-Length: 0"), error(400), []),
    "transfer-encoding-http10": ("any Transfer-Encoding in an HTTP/1.0 request is 400",
                                 req("GET /file1.txt HTTP/1.0", "Transfer-Encoding: chunked"), error(400), []),
    "transfer-encoding-chunked-twice": ("chunked applied twice is 400",
                                        req("GET /file1.txt HTTP/1.1", HOST, "Transfer-Encoding: chunked, chunked"), error(400), []),
    "transfer-encoding-chunked-get": ("a GET with a chunked body is served; the body is never decoded",
                                      req("GET /file1.txt HTTP/1.1", HOST, "Transfer-Encoding: chunked") + b"5\r\nhello\r\n0\r\n\r\n", FILE1, []),
    "get-with-body": ("a body after a GET's head does not destroy the reply",
                      req("GET /file1.txt HTTP/1.1", HOST, "Content-Length: 65536") + b"b" * 65536, FILE1, []),
    # Field values and the target.
    "field-value-bel": ("a BEL (0x07) in a field value is 400",
                        req("GET /file1.txt HTTP/1.1", HOST, "X-A: a\x07b"), error(400), []),
    "field-value-soh": ("a 0x01 in a field value is 400",
                        req("GET /file1.txt HTTP/1.1", HOST, "X-A: \x01"), error(400), []),
    "field-value-del": ("DEL in a field value is 400",
                        req("GET /file1.txt HTTP/1.1", HOST, "X-A: a\x7f"), error(400), []),
    "field-value-tab": ("a tab inside a field value is allowed: the file is served",
                        req("GET /file1.txt HTTP/1.1", HOST, "X-A: a\tb"), FILE1, []),
    "asterisk-target-get": ("GET * is 400: only OPTIONS has an asterisk form",
                            req("GET * HTTP/1.1", HOST), error(400), []),
    "tls-client-hello": ("a TLS ClientHello's first bytes are 400 at once, not at the head deadline",
                         b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", error(400), []),
    "method-too-long": ("a first word longer than any known method is 501 at once",
                        b"PROPFINDXYZ", error(501), []),
    # HEAD never gets a body, errors included.
    "head-error-400": ("HEAD refused with 400 gets the head and no body",
                       req("HEAD /file1.txt HTTP/1.1", "Host: a@b"), error(400)[:error(400).index(b"\r\n\r\n") + 4], []),
    "head-error-505": ("HEAD refused with 505 gets the head and no body",
                       req("HEAD /file1.txt HTTP/2.0", HOST), error(505)[:error(505).index(b"\r\n\r\n") + 4], []),
    "head-error-414": ("HEAD refused with 414 gets the head and no body",
                       req(line_of_length(MAX_REQUEST_LINE + 1).replace("GET /", "HEAD /", 1), HOST), error(414)[:error(414).index(b"\r\n\r\n") + 4], []),
    "host-any-case": ("HOST in capitals is the Host header",
                      req("GET /file1.txt HTTP/1.1", "HOST: localhost"), FILE1, []),
    # Line endings: CRLF only, and a defect is answered at once (the runner
    # would otherwise get a 408 after 10 s, or a timeout).
    "bare-lf-request": ("a head with bare LF line endings is 400 at once, not a hang",
                        b"GET /file1.txt HTTP/1.1\nHost: localhost\n\n", error(400), []),
    "bare-lf-partial": ("the first bare LF is enough: 400 before the head could end",
                        b"GET /file1.txt HTTP/1.1\n", error(400), []),
    "bare-lf-after-crlf-line": ("a bare LF ending a header line is 400",
                                b"GET /file1.txt HTTP/1.1\r\nHost: localhost\n\r\n", error(400), []),
    "bare-lf-blank-line": ("a blank line of a bare LF is 400",
                           b"GET /file1.txt HTTP/1.1\r\nHost: localhost\r\n\n", error(400), []),
    "bare-cr": ("a CR not followed by LF is 400",
                b"GET /file1.txt HTTP/1.1\rHost: localhost\r\n\r\n", error(400), []),
    # Methods.
    "method-unknown": ("a method the server does not know is 501",
                       req("BREW /file1.txt HTTP/1.1", HOST), error(501), []),
    "method-lowercase-get": ("methods are case-sensitive: get is unknown, 501",
                             req("get /file1.txt HTTP/1.1", HOST), error(501), []),
    "head-method": ("HEAD gets GET's head and no body",
                    req("HEAD /file1.txt HTTP/1.1", HOST), FILE1[:FILE1.index(b"\r\n\r\n") + 4], []),
    # Limits at their defaults, and set by flags.
    "request-line-at-limit": (f"a request line of exactly {MAX_REQUEST_LINE} bytes is read (404 here)",
                              req(line_of_length(MAX_REQUEST_LINE), HOST), error(404), []),
    "request-line-over-limit": (f"a request line of {MAX_REQUEST_LINE + 1} bytes is 414",
                                req(line_of_length(MAX_REQUEST_LINE + 1), HOST), error(414), []),
    "request-line-huge": ("a request line of 32 KiB is 414, answered before it all arrives",
                          req(line_of_length(32 * 1024), HOST), error(414), []),
    "head-at-limit": (f"a head of exactly {MAX_HEAD} bytes is served",
                      head_of_length(MAX_HEAD), FILE1, []),
    "head-over-limit": (f"a head of {MAX_HEAD + 1} bytes is 431",
                        head_of_length(MAX_HEAD + 1), error(431), []),
    "head-endless": ("headers that never end are 431 once the limit is reached",
                     req("GET /file1.txt HTTP/1.1", HOST)[:-2] + b"X-A: b\r\n" * 4000, error(431), []),
    "max-line-flag-refuses": ("--max-line-bytes 100: a 101-byte request line is 414",
                              req(line_of_length(101), HOST), error(414), ['args = ["--max-line-bytes", "100"]']),
    "max-line-flag-allows": ("--max-line-bytes 100: a 100-byte request line is read",
                             req(line_of_length(100), HOST), error(404), ['args = ["--max-line-bytes", "100"]']),
    "max-head-flag-refuses": ("--max-head-bytes 256: a 257-byte head is 431",
                              head_of_length(257), error(431), ['args = ["--max-head-bytes", "256"]']),
    "max-head-flag-allows": ("--max-head-bytes 256: a 256-byte head is served",
                             head_of_length(256), FILE1, ['args = ["--max-head-bytes", "256"]']),
    "max-head-flag-raises": ("--max-head-bytes 40000: a 32 KiB head is served",
                             head_of_length(32 * 1024), FILE1, ['args = ["--max-head-bytes", "40000"]']),
    # The head deadline (--head-timeout-ms 300 keeps these short).
    "timeout-silent-client-closed": ("a client that sends nothing is closed at the deadline, without a 408",
                                     b"", None, ['expect = "closed"', f"args = {SHORT}"]),
    "timeout-partial-request-line": ("part of a request line, then nothing: 408 at the deadline",
                                     b"GET /file1.t", error(408), [f"args = {SHORT}"]),
    "timeout-no-blank-line": ("a head without its blank line, then nothing: 408 at the deadline",
                              req("GET /file1.txt HTTP/1.1", HOST)[:-2], error(408), [f"args = {SHORT}"]),
    "timeout-half-blank-line": ("a head missing only the final LF: 408 at the deadline",
                                req("GET /file1.txt HTTP/1.1", HOST)[:-1], error(408), [f"args = {SHORT}"]),
    "timeout-one-byte": ("a single byte, then nothing: 408 at the deadline",
                         b"G", error(408), [f"args = {SHORT}"]),
    "timeout-not-before-deadline": ("with a 2 s deadline, a head still arriving after 400 ms is waited for",
                                    req("GET /file1.txt HTTP/1.1", HOST)[:-2], None,
                                    ['expect = "waits"', "wait_ms = 400", 'args = ["--head-timeout-ms", "2000"]']),
    "timeout-completed-in-time": ("a head completed in pieces within the deadline is served",
                                  req("GET /file1.txt HTTP/1.1", HOST), FILE1,
                                  ['split = [10, 30]', "pause_ms = 100", 'args = ["--head-timeout-ms", "5000"]']),
}

# --- The traversal corpus -------------------------------------------------

# Ways to spell "..", each decoding (once, or by a careless second pass, or by
# a lenient UTF-8 decoder) to the parent directory somewhere.
DOTDOTS = {
    "plain": "..",
    "pct-lower": "%2e%2e",
    "pct-upper": "%2E%2E",
    "dot-pct": ".%2e",
    "pct-dot": "%2e.",
    "dot-pct-upper": ".%2E",
    "double-encoded": "%252e%252e",
    "double-encoded-mixed": ".%252e",
    "overlong-2byte": "%c0%ae%c0%ae",
    "overlong-3byte": "%e0%80%ae%e0%80%ae",
    "iis-unicode": "%u002e%u002e",
    "three-dots": "...",
    "four-dots": "....",
    "nul-suffixed": "..%00",
}
# Ways to spell "/", and the Windows separator.
SEPARATORS = {
    "slash": "/",
    "pct-2f": "%2f",
    "pct-2F": "%2F",
    "double-encoded-slash": "%252f",
    "backslash": "\\",
    "pct-5c": "%5c",
    "pct-5C": "%5C",
    "double-encoded-backslash": "%255c",
    "overlong-slash": "%c0%af",
    "overlong-backslash": "%c1%9c",
    "double-slash": "//",
}
BAITS = {
    "secret": "secret.txt",            # the canary, one level above the root
    "sibling": "www2/secret.txt",      # a sibling whose name starts with the root's
}


def corpus():
    rows = []
    for (dn, dots), (sn, sep), (bn, bait) in itertools.product(
            DOTDOTS.items(), SEPARATORS.items(), BAITS.items()):
        rows.append((f"{dn}.{sn}.{bn}", "/" + (dots + sep) * 3 + bait))
    for depth in range(1, 9):
        rows.append((f"depth-{depth}.slash", "/" + "../" * depth + "secret.txt"))
        rows.append((f"depth-{depth}.pct", "/" + "%2e%2e%2f" * depth + "secret.txt"))
        rows.append((f"depth-{depth}.backslash", "/" + "..\\" * depth + "secret.txt"))
        rows.append((f"depth-{depth}.etc-passwd", "/" + "../" * depth + "etc/passwd"))
    for prefix in ["http://x/", "http://localhost/", "HTTP://localhost:28333/", "http://x"]:
        for dots in ["..", "%2e%2e", ".%2e"]:
            rows.append((f"absolute-form.{prefix}.{dots}", f"{prefix}{dots}/secret.txt"))
    for drive in ["C:", "c:", "c%3A", "C%3a", "C:%5c", "c:\\", "\\\\?\\C:", "%5c%5c.%5cC:"]:
        rows.append((f"drive.{drive}", f"/{drive}/secret.txt"))
        rows.append((f"drive-dotdot.{drive}", f"/{drive}..\\..\\secret.txt"))
    for nul in ["%00", "%00.txt", "%00/", "%2500"]:
        rows.append((f"nul.{nul}", f"/../secret.txt{nul}"))
        rows.append((f"nul-before.{nul}", f"/..{nul}/secret.txt"))
    for slashes in ["//", "///", "//..//", "/.//..//", "/./../", "/%2f%2f"]:
        rows.append((f"slashes.{slashes}", f"{slashes}secret.txt"))
        rows.append((f"slashes-up.{slashes}", f"{slashes}../secret.txt"))
    # Links the test plants inside the root: a file link and a directory link
    # leading out, and an absolute link.
    for link in ["escape.txt", "up/secret.txt", "up/up/secret.txt", "absolute.txt",
                 "up%2fsecret.txt", "up\\secret.txt", "docs/../escape.txt", "up/", "up", "up/up/", "up%2f"]:
        rows.append((f"symlink.{link}", f"/{link}"))
    # Sibling prefix: www2/ starts with www, a string prefix test lets it through.
    for path in ["../www2/secret.txt", "..%2fwww2%2fsecret.txt", "%2e%2e/www2/secret.txt",
                 "../www2/", "../www2", "./../www2/secret.txt"]:
        rows.append((f"sibling.{path}", f"/{path}"))
    # Query and fragment must not hide a traversal, nor carry one.
    for tail in ["?/../secret.txt", "#/../secret.txt", "?x=../../secret.txt"]:
        rows.append((f"query.{tail}", f"/../secret.txt{tail}"))
        rows.append((f"query-only.{tail}", f"/{tail}"))
    # Public incidents, reproduced with our canary as the bait.
    rows += [
        ("CVE-2021-41773.apache-dot-pct2e", "/cgi-bin/.%2e/.%2e/.%2e/.%2e/secret.txt"),
        ("CVE-2021-41773.apache-icons", "/icons/.%2e/%2e%2e/%2e%2e/%2e%2e/secret.txt"),
        ("CVE-2021-42013.apache-double-encoded", "/cgi-bin/%%32%65%%32%65/%%32%65%%32%65/secret.txt"),
        ("CVE-2021-42013.apache-dot-double-encoded", "/icons/.%%32%65/.%%32%65/.%%32%65/secret.txt"),
        ("CVE-2000-0884.iis-overlong-slash", "/scripts/..%c0%af../..%c0%af../secret.txt"),
        ("CVE-2000-0884.iis-overlong-backslash", "/scripts/..%c1%9c../..%c1%9c../secret.txt"),
        ("CVE-2001-0333.iis-double-decode", "/scripts/..%255c..%255c..%255csecret.txt"),
        ("CVE-2007-0450.tomcat-backslash", "/..\\..\\secret.txt"),
        ("CVE-2007-0450.tomcat-pct5c", "/..%5c..%5csecret.txt"),
        ("CVE-2007-0450.tomcat-pct2f", "/..%2F..%2Fsecret.txt"),
        ("CVE-2017-14849.node-normalize", "/static/../../../a/../../../../secret.txt"),
        ("CVE-2021-28164.jetty-pct2e-segment", "/%2e/%2e%2e/secret.txt"),
        ("CVE-2021-34429.jetty-u002e", "/%u002e/%u002e%u002e/secret.txt"),
        ("CVE-2021-34429.jetty-dot-nul", "/.%00/..%00/secret.txt"),
    ]
    names = [name for name, _ in rows]
    assert len(names) == len(set(names)), "corpus names must be unique"
    for name, target in rows:
        assert all(0x21 <= ord(c) <= 0x7e for c in target), (name, target)
        assert "\t" not in name
    return rows


def main():
    out = profile_dir(__doc__, "robustness")
    write_profile(out, {name: ([description(text)] + extra, request, response)
                        for name, (text, request, response, extra) in CASES.items()}, __file__)
    rows = corpus()
    table = out / "traversal" / "corpus.tsv"
    table.parent.mkdir(parents=True, exist_ok=True)
    with open(table, "w", encoding="ascii", newline="\n") as out:
        out.write("# Generated by tools/gen_robustness_spec.py: NAME<TAB>TARGET, the target as sent.\n")
        out.write("# Every target must get a 4xx and no byte of the canary (tests/integration/robustness_traversal.rs).\n")
        for name, target in rows:
            out.write(f"{name}\t{target}\n")
    print(f"{len(rows)} traversal targets in {shown(table)}")


main()
