#!/usr/bin/env python3
"""A faithful solution to "Project: A Better Web Server" (Beej's Guide to
Network Concepts), used to check the grader: it must score 100/100, and each
mutant of it in grader/servers/faithful/mutants.toml must lose exactly the rubric item it breaks.

Written the way the assignment asks (NOTES.md): python3 and the standard
library only, no socket.create_server() or create_connection(), SO_REUSEADDR
before bind(), serves the directory it runs in, port from the command line.

    python3 webserver.py [port]          # default 28333
"""
import os
import socket
import sys

DEFAULT_PORT = 28333
CRLF = "\r\n"
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
    """The last /-separated part of the request line's path: directories are
    stripped, so only files of the served directory can be named."""
    request_line = head.split(b"\r\n", 1)[0].decode("iso-8859-1")
    parts = request_line.split(" ")
    path = parts[1] if len(parts) > 1 else ""
    return path.split("/")[-1]


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


def answer(name):
    try:
        with open(name, "rb") as f:
            data = f.read()
    except (OSError, ValueError):  # missing, a directory, unreadable, a NUL
        return response("404 Not Found", "text/plain", NOT_FOUND)
    return response("200 OK", content_type(name), data)


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
