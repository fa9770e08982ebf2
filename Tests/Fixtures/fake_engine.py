#!/usr/bin/env python3
"""A misbehaving Docker engine on a unix socket, for faultline's engine-fault tests.
usage: fake_engine.py SOCKET MODE   (silent: never answers; error: 500 with a message; garbage: 200 with non-JSON)
Serves until killed; every connection is handled in its own thread."""
import os
import socket
import sys
import threading
import time

path, mode = sys.argv[1], sys.argv[2]
if os.path.exists(path):
    os.unlink(path)
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(16)


def handle(connection):
    with connection:
        connection.recv(65536)
        if mode == "silent":
            time.sleep(3600)
            return
        body = b'{"message":"daemon on fire"}' if mode == "error" else b"<html>not an engine</html>"
        status = b"500 Internal Server Error" if mode == "error" else b"200 OK"
        connection.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\nContent-Length: "
                           + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)


while True:
    client, _ = server.accept()
    threading.Thread(target=handle, args=(client,), daemon=True).start()
