"""Answers 404 to everything: the floor that a server which implements no
HTTP of its own (replay.py, contained) must not rise above."""
import socket
import sys

NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\n404 not found"

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", int(sys.argv[2])))
s.listen()
while True:
    c, _ = s.accept()
    with c:
        c.settimeout(2)
        try:
            c.recv(65536)
            c.sendall(NOT_FOUND)
        except OSError:
            pass
