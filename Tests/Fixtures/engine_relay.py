#!/usr/bin/env python3
"""A stand-in for a restarting dockerd: relays a unix socket to the real engine's socket.

  engine_relay.py LISTEN_SOCKET ENGINE_SOCKET

SIGUSR1 takes the "engine" down: the listening socket is closed and removed and every relayed
connection is cut, as when dockerd stops. SIGUSR2 brings it back on the same path. The real
engine and its containers are not touched.
"""
import os
import signal
import socket
import sys
import threading

listen_path, engine_path = sys.argv[1], sys.argv[2]
lock = threading.Lock()
connections = set()
state = {"listener": None, "up": False}


def pipe(source, target):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, target):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(listener):
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return  # closed by SIGUSR1
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            upstream.connect(engine_path)
        except OSError:
            client.close()
            continue
        with lock:
            connections.update((client, upstream))
        threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
        threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()


def up():
    if state["up"]:
        return
    try:
        os.unlink(listen_path)
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(listen_path)
    listener.listen(64)
    state.update(listener=listener, up=True)
    threading.Thread(target=serve, args=(listener,), daemon=True).start()


def down():
    if not state["up"]:
        return
    state["up"] = False
    for step in (lambda: state["listener"].shutdown(socket.SHUT_RDWR), state["listener"].close):
        try:
            step()  # shutdown wakes the accepting thread; on a listening socket it may refuse
        except OSError:
            pass
    try:
        os.unlink(listen_path)
    except FileNotFoundError:
        pass
    with lock:
        for s in connections:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        connections.clear()


# The test process may have these blocked, and a spawned child inherits its signal mask.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1, signal.SIGUSR2, signal.SIGTERM})
signal.signal(signal.SIGUSR1, lambda *_: down())
signal.signal(signal.SIGUSR2, lambda *_: up())
signal.signal(signal.SIGTERM, lambda *_: (down(), os._exit(0)))
up()
while True:
    signal.pause()
