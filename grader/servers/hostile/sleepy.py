"""Accepts, then sleeps 30 s before each answer: every case waits its full
timeout, and the run's budget cuts it off."""
import socket
import sys
import time

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", int(sys.argv[2])))
s.listen()
while True:
    c, _ = s.accept()
    time.sleep(30)
    c.close()
