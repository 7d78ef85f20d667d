#!/usr/bin/env python3
"""Usage: bench/descriptor_flood.py BINARY ROOT (ROOT holds file1.txt), e.g.
    python3 bench/descriptor_flood.py target/release/webserver fixtures

The server runs under `prlimit --nofile=64`; 150 clients send half a head and
stall (more than it can hold); then they close, and a GET every 10 ms for 8 s
counts the answers and the time to the first 200. Needs util-linux prlimit."""
import socket, subprocess, sys, time, os
binary, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
p = subprocess.Popen(['prlimit', '--nofile=64', binary, '--head-timeout-ms', '120000', '--bind', '127.0.0.1', '0'],
                     cwd=root, stdout=subprocess.PIPE, text=True)
line = p.stdout.readline()
port = int(line.split(':')[2].split('/')[0])
def get():
    s = socket.create_connection(('127.0.0.1', port), timeout=5)
    s.sendall(b'GET /file1.txt HTTP/1.1\r\nHost: x\r\n\r\n')
    data = b''
    while True:
        try:
            c = s.recv(4096)
        except Exception:
            break
        if not c: break
        data += c
    s.close()
    return data[:12]
flood = []
for i in range(150):
    s = socket.socket(); s.settimeout(2)
    try:
        s.connect(('127.0.0.1', port)); s.sendall(b'GET /file1.txt HTTP/1.1\r\n')
        flood.append(s)
    except Exception:
        s.close()
time.sleep(1.0)
threads = [l for l in open(f'/proc/{p.pid}/status') if l.startswith('Threads')][0].strip()
for s in flood: s.close()
t0 = time.monotonic(); first = None; statuses = {}
while time.monotonic() - t0 < 8:
    st = get(); statuses[st] = statuses.get(st, 0) + 1
    if st.startswith(b'HTTP/1.1 200') and first is None:
        first = time.monotonic() - t0
    time.sleep(0.01)
print(binary, 'flood', len(flood), threads, 'first 200 after', None if first is None else f'{first*1000:.0f} ms', statuses)
p.kill()
