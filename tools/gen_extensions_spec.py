#!/usr/bin/env python3
"""Writes spec/extensions/: the guide's extensions as golden cases.

Like gen_core_spec.py, the expected bytes are built here, from fixtures/ and the
rules in the README, not blessed from the server: the MIME table, the listing
page and the redirects are written out a second time, in Python, so the server
is checked against the rules rather than against itself. Rerun it after
changing a case below; as with gen_core_spec.py, it rewrites and removes only
its own cases in spec/extensions/ (`--out DIR`: DIR/extensions/), so a
hand-written case beside them stays.
"""
import html
import json
import urllib.parse

from spec_house import FIX, NOT_FOUND, description, error, head, ok, profile_dir, write_profile


BAD_REQUEST = error(400)


def ok_head(name, mime):
    """What HEAD gets: GET's head, no body."""
    return head(200, mime, (FIX / name).stat().st_size)


def no_body(response):
    return response[:response.index(b"\r\n\r\n") + 4]


def req(target, method="GET"):
    return f"{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode("latin-1")


MIME = {
    "txt": "text/plain", "html": "text/html", "htm": "text/html",
    "css": "text/css", "js": "text/javascript", "mjs": "text/javascript",
    "json": "application/json", "xml": "application/xml", "wasm": "application/wasm",
    "csv": "text/csv", "md": "text/markdown", "svg": "image/svg+xml", "png": "image/png",
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
    "avif": "image/avif", "ico": "image/vnd.microsoft.icon", "pdf": "application/pdf",
    "mp4": "video/mp4", "webm": "video/webm", "mp3": "audio/mpeg", "ogg": "audio/ogg",
    "woff": "font/woff", "woff2": "font/woff2", "ttf": "font/ttf", "zip": "application/zip",
    "gz": "application/gzip",
}


def mime(name):
    ext = name.rsplit(".", 1)[1].lower() if "." in name.lstrip(".") else ""
    return MIME.get(ext, "application/octet-stream")


def okm(name):
    """A fixture, with the type its extension gives."""
    return ok(name, mime(name))


def redirect(location):
    return error(301, f"Location: {location}\r\n")


def entries(rel, tree=True, hidden=False, extra=()):
    """The listing's entries for fixtures/REL: (name bytes, is_dir), sorted by
    bytes; the default mode lists files only; `extra` adds what a setup made."""
    found = list(extra)
    for path in (FIX / rel).iterdir():
        name = path.name.encode()
        if name.startswith(b".") and not hidden:
            continue
        if path.is_dir():
            if tree:
                found.append((name, True))
        else:
            found.append((name, False))
    return sorted(found)


def listing(url, items):
    """The listing page for the decoded URL path `url` (str), as a response."""
    title = html.escape(url, quote=True)
    lines = ["<!DOCTYPE html>", "<html>", "<head>", '<meta charset="utf-8">',
             f"<title>Index of {title}</title>", "</head>", "<body>",
             f"<h1>Index of {title}</h1>", "<ul>"]
    if url != "/":
        lines.append('<li><a href="../">../</a></li>')
    for name, is_dir in items:
        slash = "/" if is_dir else ""
        href = urllib.parse.quote(name, safe="")
        text = html.escape(name.decode("utf-8", "replace"), quote=True)
        lines.append(f'<li><a href="{href}{slash}">{text}{slash}</a></li>')
    lines += ["</ul>", "</body>", "</html>"]
    body = ("\n".join(lines) + "\n").encode("utf-8")
    return head(200, "text/html; charset=utf-8", len(body)) + body


T = ["--tree"]
TL = ["--tree", "--listing"]
L = ["--listing"]


def args(flags):
    return [f"args = {json.dumps(flags)}"]


def setup(*steps):
    return [f"setup = {json.dumps(list(steps))}"]


HOSTILE = "<img src=x onerror=alert(1)>.txt"
FILE1 = okm("file1.txt")

# name: (description, request, expected response, extra TOML lines)
CASES = {
    # More types than the assignment's two; the default mode serves them too.
    "htm-is-html": (".htm is text/html too (the assignment maps only .txt and .html)",
                    req("/page.htm"), ok("page.htm", "text/html"), []),
    "unknown-extension-octet-stream": ("an unknown extension is application/octet-stream, and binary bytes pass "
                                       "untouched (the assignment maps only .txt and .html)",
                                       req("/blob.dat"), ok("blob.dat", "application/octet-stream"), []),
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
    "head-tree-file": ("HEAD of a file in a subdirectory: GET's head, and no body",
                       req("/tree/sub/b.txt", "HEAD"), no_body(okm("tree/sub/b.txt")), args(T)),
    "head-listing": ("HEAD of a listing: GET's head (its Content-Length), and no body",
                     req("/tree/", "HEAD"), no_body(listing("/tree/", entries("tree"))), args(TL)),
    "head-redirect": ("HEAD of a directory without its slash: the 301's head, Location included, no body",
                      req("/tree", "HEAD"), no_body(redirect("/tree/")), args(TL)),
    # MIME types beyond the assignment's two.
    "mime-png": ("an image is image/png, its bytes untouched", req("/pixel.png"), okm("pixel.png"), []),
    "mime-uppercase-extension": (".PNG is matched case-insensitively: image/png",
                                 req("/types/SHOUTING.PNG"), okm("types/SHOUTING.PNG"), args(T)),
    "mime-mixed-case-extension": (".JpEg is matched case-insensitively: image/jpeg",
                                  req("/types/Photo.JpEg"), okm("types/Photo.JpEg"), args(T)),
    # Tree mode: subdirectories of the root.
    "tree-subdirectory-file": ("--tree: /tree/a.txt serves ROOT/tree/a.txt", req("/tree/a.txt"),
                               okm("tree/a.txt"), args(T)),
    "tree-deep-file": ("--tree: three levels down; .md is text/markdown", req("/tree/sub/deeper/c.md"),
                       okm("tree/sub/deeper/c.md"), args(T)),
    "tree-root-file": ("--tree: a file of the root itself", req("/file1.txt"), FILE1, args(T)),
    "tree-double-slash-and-dot": ("--tree: empty and . components are skipped",
                                  req("//tree/./sub//b.txt"), okm("tree/sub/b.txt"), args(T)),
    "tree-missing": ("--tree: a missing file is the assignment's 404", req("/tree/nosuchfile.txt"),
                     NOT_FOUND, args(T)),
    "tree-no-stripping": ("--tree: the path is not stripped: /foo/file1.txt is not /file1.txt",
                          req("/foo/file1.txt"), NOT_FOUND, args(T)),
    "tree-file-with-slash": ("--tree: a file asked for as a directory is 404", req("/tree/a.txt/"),
                             NOT_FOUND, args(T)),
    "tree-directory-no-listing": ("--tree without --listing: a directory without index.html is 404",
                                  req("/tree/"), NOT_FOUND, args(T)),
    "tree-directory-no-listing-no-redirect": (
        "--tree without --listing: no redirect to a URL that would be 404 anyway",
        req("/tree"), NOT_FOUND, args(T)),
    "tree-root-no-listing": ("--tree without --listing: / is 404 like the assignment's",
                             req("/"), NOT_FOUND, args(T)),
    # Confinement: nothing outside the real root, however it is asked for.
    "tree-dotdot-refused": ("--tree: a .. component is refused even when it would stay inside",
                            req("/tree/../file1.txt"), NOT_FOUND, args(T)),
    "tree-traversal-secret": ("--tree: /../secret.txt never reaches the canary", req("/../secret.txt"),
                              NOT_FOUND, args(T)),
    "tree-traversal-deep": ("--tree: /tree/sub/../../../secret.txt", req("/tree/sub/../../../secret.txt"),
                            NOT_FOUND, args(T)),
    "tree-traversal-encoded-slashes": ("--tree: ..%2f is decoded once, then refused",
                                       req("/tree/..%2f..%2fsecret.txt"), NOT_FOUND, args(T)),
    "tree-traversal-encoded-dots": ("--tree: %2e%2e is .. too", req("/%2e%2e/secret.txt"), NOT_FOUND, args(T)),
    "tree-traversal-double-encoded": ("--tree: %252e is decoded once only, to the name %2e",
                                      req("/%252e%252e/secret.txt"), NOT_FOUND, args(T)),
    "tree-traversal-backslashes": ("--tree: backslashes never climb", req("/tree/..\\..\\secret.txt"),
                                   NOT_FOUND, args(T)),
    "tree-symlink-out-file": ("--tree: a symlink to a file outside the root is 404",
                              req("/out.txt"), NOT_FOUND, args(T) + setup("symlink www/out.txt ../secret.txt")),
    "tree-symlink-out-dir": ("--tree: a symlink to the directory above the root is 404",
                             req("/up/secret.txt"), NOT_FOUND, args(T) + setup("symlink www/up ..")),
    "tree-symlink-absolute": ("--tree: a symlink to /etc is 404", req("/etc/passwd"), NOT_FOUND,
                              args(T) + setup("symlink www/etc /etc")),
    "tree-sibling-directory": ("--tree: a link into a sibling www2/ is out, though its path starts with the root's",
                               req("/w2/secret.txt"), NOT_FOUND,
                               args(T) + setup("canary www2/secret.txt", "symlink www/w2 ../www2")),
    "tree-sibling-file": ("--tree: a link to a file in a sibling www2/ is out",
                          req("/tree/sibling.txt"), NOT_FOUND,
                          args(T) + setup("canary www2/secret.txt", "symlink www/tree/sibling.txt ../../www2/secret.txt")),
    "tree-symlink-inside-served": ("--tree: a symlink that stays inside the root is served as its target",
                                   req("/tree/alias.txt"), okm("tree/a.txt"),
                                   args(T) + setup("symlink www/tree/alias.txt a.txt")),
    "tree-symlink-dir-inside-served": ("--tree: a symlinked directory inside the root is followed",
                                       req("/latest/b.txt"), okm("tree/sub/b.txt"),
                                       args(T) + setup("symlink www/latest tree/sub")),
    "tree-symlink-to-hidden": ("--tree: a visible name linking to a hidden file is 404",
                               req("/tree/peek.txt"), NOT_FOUND,
                               args(T) + setup("symlink www/tree/peek.txt .hidden.txt")),
    "tree-fifo": ("--tree: a FIFO is 404 and does not hang the connection", req("/tree/pipe.txt"),
                  NOT_FOUND, args(T) + setup("fifo www/tree/pipe.txt")),
    "default-fifo": ("a FIFO in the root is 404 and does not hang the connection", req("/pipe.txt"),
                     NOT_FOUND, setup("fifo www/pipe.txt")),
    "default-symlink-out": ("default mode: a symlink out of the root is 404", req("/out.txt"), NOT_FOUND,
                            setup("symlink www/out.txt ../secret.txt")),
    "default-symlink-sibling": ("default mode: a symlink into a sibling www2/ is 404", req("/sibling.txt"),
                                NOT_FOUND, setup("canary www2/secret.txt", "symlink www/sibling.txt ../www2/secret.txt")),
    # Targets as browsers send them.
    "target-space": ("--tree: %20 is a space", req("/tree/with%20space.txt"), okm("tree/with space.txt"), args(T)),
    "target-utf8": ("--tree: caf%C3%A9.txt is the UTF-8 name café.txt", req("/tree/caf%C3%A9.txt"),
                    okm("tree/café.txt"), args(T)),
    "target-utf8-raw": ("--tree: a UTF-8 name sent unescaped (bytes as ISO-8859-1) is the same file",
                        req("/tree/café.txt".encode("utf-8").decode("latin-1")), okm("tree/café.txt"), args(T)),
    "target-utf8-lowercase-hex": ("--tree: escapes are case-insensitive: caf%c3%a9.txt", req("/tree/caf%c3%a9.txt"),
                                  okm("tree/café.txt"), args(T)),
    "target-hostile-name": ("--tree: the hostile file name, percent-encoded, is an ordinary file",
                            req("/tree/" + urllib.parse.quote(HOSTILE, safe="")), okm("tree/" + HOSTILE), args(T)),
    "target-query-ignored": ("--tree: ?query is not part of the name", req("/tree/a.txt?download=1&x=/../y"),
                             okm("tree/a.txt"), args(T)),
    "target-fragment-ignored": ("--tree: #fragment is not part of the name", req("/tree/a.txt#top"),
                                okm("tree/a.txt"), args(T)),
    "target-query-ignored-default": ("default mode: ?query is not part of the name", req("/file1.txt?v=2"),
                                     FILE1, []),
    "target-absolute-form": ("--tree: GET http://host/tree/a.txt is /tree/a.txt", req("http://localhost/tree/a.txt"),
                             okm("tree/a.txt"), args(T)),
    "target-absolute-form-port-uppercase": ("--tree: HTTP://host:port/... is accepted too",
                                            req("HTTP://localhost:28333/tree/sub/b.txt"),
                                            okm("tree/sub/b.txt"), args(T)),
    "target-absolute-form-default": ("default mode: GET http://host/file1.txt HTTP/1.1",
                                     req("http://localhost/file1.txt"), FILE1, []),
    "target-absolute-form-no-path": ("--tree --listing: http://host alone is /", req("http://localhost"),
                                     listing("/", entries(".")), args(TL)),
    "target-encoded-nul": ("--tree: a decoded NUL is 400", req("/tree/a.txt%00.png"), BAD_REQUEST, args(T)),
    "target-encoded-newline": ("a decoded CR LF is 400, never a header", req("/file1.txt%0d%0aX:%20y"),
                               BAD_REQUEST, []),
    "target-encoded-escape": ("--tree: a decoded ESC is 400", req("/tree/%1b.txt"), BAD_REQUEST, args(T)),
    "target-encoded-del": ("a decoded DEL is 400", req("/file1%7f.txt"), BAD_REQUEST, []),
    # Hidden names.
    "hidden-dotfile-default": ("default mode: /.env is 404", req("/.env"), NOT_FOUND, []),
    "hidden-dotfile-tree": ("--tree: /.env is 404", req("/.env"), NOT_FOUND, args(T)),
    "hidden-file-in-subdirectory": ("--tree: /tree/.hidden.txt is 404", req("/tree/.hidden.txt"), NOT_FOUND, args(T)),
    "hidden-directory": ("--tree: a file inside a hidden directory is 404", req("/tree/.secret/key.txt"),
                         NOT_FOUND, args(TL)),
    "hidden-encoded-dot": ("--tree: %2eenv is .env", req("/%2eenv"), NOT_FOUND, args(T)),
    "hidden-allowed-default": ("--hidden: /.env is served", req("/.env"), okm(".env"), ["args = [\"--hidden\"]"]),
    "hidden-allowed-tree": ("--tree --hidden: a file in a hidden directory is served",
                            req("/tree/.secret/key.txt"), okm("tree/.secret/key.txt"), args(T + ["--hidden"])),
    # index.html and redirects.
    "index-served": ("--tree: a directory's index.html is served for its slashed URL",
                     req("/site/"), okm("site/index.html"), args(T)),
    "index-served-over-listing": ("--tree --listing: index.html wins over the listing",
                                  req("/site/"), okm("site/index.html"), args(TL)),
    "index-redirect": ("--tree: a directory with index.html, asked without its slash, is 301 to the slashed URL",
                       req("/site"), redirect("/site/"), args(T)),
    "index-redirect-drops-query": ("--tree: the redirect keeps the path only", req("/site?x=1"),
                                   redirect("/site/"), args(T)),
    "index-beside-file": ("--tree: the other files of that directory are served", req("/site/about.txt"),
                          okm("site/about.txt"), args(T)),
    "index-at-root-default": ("--listing, default mode: the root's index.html is served for /",
                              req("/"), okm("file2.html"), args(L) + setup("symlink www/index.html file2.html")),
    # Listings.
    "listing-root": ("--tree --listing: / lists the root: sorted, directories with /, no parent link, no dotfiles",
                     req("/"), listing("/", entries(".")), args(TL)),
    "listing-subdirectory": ("--tree --listing: names escaped, hrefs percent-encoded, a parent link",
                             req("/tree/"), listing("/tree/", entries("tree")), args(TL)),
    "listing-deep": ("--tree --listing: a listing three levels down", req("/tree/sub/deeper/"),
                     listing("/tree/sub/deeper/", entries("tree/sub/deeper")), args(TL)),
    "listing-encoded-url": ("--tree --listing: a directory named with a space, asked for encoded",
                            req("/tree/new%20folder/"), listing("/tree/new folder/", entries("tree/new folder")), args(TL)),
    "listing-redirect": ("--tree --listing: /tree is 301 to /tree/", req("/tree"), redirect("/tree/"), args(TL)),
    "listing-redirect-deep": ("--tree --listing: /tree/sub is 301 to /tree/sub/", req("/tree/sub"),
                              redirect("/tree/sub/"), args(TL)),
    "listing-redirect-encoded": ("--tree --listing: the Location is percent-encoded",
                                 req("/tree/new%20folder"), redirect("/tree/new%20folder/"), args(TL)),
    "listing-redirect-absolute-form": ("--tree --listing: the redirect of an absolute-form target is a path",
                                       req("http://localhost/tree/sub"), redirect("/tree/sub/"), args(TL)),
    "listing-hidden-shown": ("--tree --listing --hidden: dotfiles are listed",
                             req("/tree/"), listing("/tree/", entries("tree", hidden=True)), args(TL + ["--hidden"])),
    "listing-leaves-out-what-is-not-served": (
        "--tree --listing: links out of the root, to hidden names and FIFOs are not listed; a link inside is",
        req("/tree/"), listing("/tree/", entries("tree", extra=[(b"alias.txt", False), (b"latest", True)])),
        args(TL) + setup("symlink www/tree/out.txt ../../secret.txt", "symlink www/tree/peek.txt .hidden.txt",
                         "fifo www/tree/pipe.txt", "symlink www/tree/alias.txt a.txt",
                         "symlink www/tree/latest sub", "canary www2/secret.txt",
                         "symlink www/tree/sibling ../../www2")),
    "listing-default-mode": ("--listing, default mode: / lists the root's files only (directories cannot be served)",
                             req("/"), listing("/", entries(".", tree=False)), args(L)),
    "listing-default-mode-query": ("--listing, default mode: /?sort=name is / too", req("/?sort=name"),
                                   listing("/", entries(".", tree=False)), args(L)),
    "listing-default-mode-subdirectory": ("--listing, default mode: only / is a directory; /docs/ stays 404",
                                          req("/docs/"), NOT_FOUND, args(L)),
    "listing-default-mode-no-redirect": ("--listing, default mode: /docs stays 404", req("/docs"),
                                         NOT_FOUND, args(L)),
}

for ext in sorted({"css", "js", "mjs", "json", "xml", "svg", "jpg", "jpeg", "gif", "webp", "avif", "ico",
                   "pdf", "wasm", "mp4", "webm", "mp3", "ogg", "woff", "woff2", "ttf", "zip", "gz", "csv", "md"}):
    CASES[f"mime-{ext}"] = (f".{ext} is {MIME[ext]}", req(f"/types/sample.{ext}"), okm(f"types/sample.{ext}"), args(T))


def main():
    write_profile(profile_dir(__doc__, "extensions"),
                  {name: ([description(text)] + extra, request, response)
                   for name, (text, request, response, extra) in CASES.items()},
                  __file__)


main()
