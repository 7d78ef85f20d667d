"""What the hostile submissions share: how to hand over to the faithful
solution once the attack is done, and where a cheat would look for the
grader's files."""
import os
import runpy
import socket
import sys


def run_faithful():
    """Serve as grader/servers/faithful/webserver.py does, on the port given."""
    faithful, port = sys.argv[1], sys.argv[2]
    sys.argv = [faithful, port]
    runpy.run_path(faithful, run_name="__main__")


def port():
    return int(sys.argv[2])


def listening():
    """A socket listening on the port given, as the assignment sets one up."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", port()))
    s.listen()
    return s


def answer_each(reply):
    """Accepts forever; answers each connection's first read with reply(data)."""
    s = listening()
    while True:
        c, _ = s.accept()
        with c:
            c.settimeout(5)
            try:
                data = c.recv(65536)
                for chunk in reply(data):
                    c.sendall(chunk)
            except OSError:
                pass


def places_to_look():
    """Every folder a submission could learn about: its environment, its
    parent's working directory, and the folders above its own."""
    found = []
    for value in os.environ.values():
        if value.startswith("/"):
            found.append(value)
    for pid in ("self", str(os.getppid()), "1"):
        try:
            found.append(os.readlink(f"/proc/{pid}/cwd"))
        except OSError:
            pass
    for start in (os.getcwd(), os.path.dirname(os.path.abspath(__file__))):
        path = start
        while path != "/":
            found.append(path)
            path = os.path.dirname(path)
    found += ["/work/main", "/workspace", "/root", "/home"]
    return found
