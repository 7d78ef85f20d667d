#!/usr/bin/env python3
"""Usage: bench/body_loss.py BINARY ROOT (ROOT holds file1.txt), e.g.
    python3 bench/body_loss.py target/release/webserver fixtures

Replies destroyed by a body: GET /file1.txt with a Content-Length body, sent
(a) with the head in one write, (b) head, 20 ms pause, body, (c) head, then the
body in 4 KiB pieces 1 ms apart; then the reply is read to EOF; 30 tries per
pattern and size (16, 64, 200 KiB). A try is lost when the reply is not the whole 200 (a reset, or short)."""
import os, socket, subprocess, sys, time
binary, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
p = subprocess.Popen([binary, '--bind', '127.0.0.1', '0'], cwd=root, stdout=subprocess.PIPE, text=True)
port = int(p.stdout.readline().split(':')[2].split('/')[0])
expected = open(root + '/file1.txt', 'rb').read()
def one(size, pause):
    s = socket.create_connection(('127.0.0.1', port), timeout=5)
    head = b'GET /file1.txt HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n' % size
    body = b'x' * size
    try:
        if pause == 'pieces':
            s.sendall(head)
            for i in range(0, size, 4096):
                s.sendall(body[i:i + 4096]); time.sleep(0.001)
        elif pause:
            s.sendall(head); time.sleep(0.02); s.sendall(body)
        else:
            s.sendall(head + body)
    except OSError:
        pass
    data = b''
    try:
        while True:
            c = s.recv(65536)
            if not c: break
            data += c
    except OSError:
        pass
    s.close()
    return data.startswith(b'HTTP/1.1 200 OK\r\n') and data.endswith(expected)
for pause in (False, True, 'pieces'):
    for size in (16 << 10, 64 << 10, 200 << 10):
        lost = sum(not one(size, pause) for _ in range(30))
        print(f'{binary}: { {False: "head+body in one write", True: "head, 20 ms, body", "pieces": "head, then the body in 4 KiB pieces 1 ms apart"}[pause] }, {size >> 10} KiB: {lost} of 30 lost')
p.kill()
