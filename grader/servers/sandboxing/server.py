#!/usr/bin/env python3
"""A student's solution to "Project: A Better Web Server" (Beej's Guide to
Network Concepts), kept as a test server for the grader: faithful/webserver.py
with one difference, on purpose.

On purpose: instead of stripping the directories off the path it serves the
subdirectories of the directory it runs in, confined to it: the path (query
dropped) is joined to the root and resolved with os.path.realpath(), and it
answers 404 unless the result is the root or inside it and is a regular file.
/docs/guide.txt serves docs/guide.txt; /foo/file1.txt, /../secret.txt, / and
/docs are 404s.

    python3 server.py [port]          # default 28333
"""
import os
import socket
import sys

DEFAULT_PORT = 28333
CRLF = "\r\n"
ROOT = os.path.realpath(os.getcwd())
TYPES = {".txt": "text/plain", ".html": "text/html", ".htm": "text/html"}
NOT_FOUND = b"404 not found"


def receive_head(s):
    """recv() until the blank line that ends the head: one recv() may hold any
    part of the request, even half of that blank line."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:  # the client gave up before its head was complete
            return None
        data += chunk
    return data


def file_name(head):
    """The request line's path, without its query string."""
    request_line = head.split(b"\r\n", 1)[0].decode("iso-8859-1")
    parts = request_line.split(" ")
    path = parts[1] if len(parts) > 1 else ""
    return path.split("?")[0]


def content_type(name):
    extension = os.path.splitext(name)[1]
    return TYPES.get(extension, "application/octet-stream")


def response(status, mime, body):
    lines = [
        f"HTTP/1.1 {status}",
        f"Content-Type: {mime}",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]
    head = CRLF.join(lines) + CRLF + CRLF
    return head.encode("iso-8859-1") + body


def inside_root(real):
    return real == ROOT or real.startswith(ROOT + os.sep)


def answer(name):
    try:
        real = os.path.realpath(os.path.join(ROOT, name.lstrip("/")))
        if not inside_root(real) or not os.path.isfile(real):
            raise FileNotFoundError(name)
        with open(real, "rb") as f:
            data = f.read()
    except (OSError, ValueError):  # missing, a directory, unreadable, a NUL
        return response("404 Not Found", "text/plain", NOT_FOUND)
    return response("200 OK", content_type(real), data)


def serve(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", port))
    s.listen()
    while True:
        new_s, _ = s.accept()
        with new_s:
            head = receive_head(new_s)
            if head is not None:
                try:
                    new_s.sendall(answer(file_name(head)))
                except ConnectionError:  # the client went away mid-answer
                    pass


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PORT
    serve(port)


if __name__ == "__main__":
    main()
