"""UDP echo for faultline's network-fault tests.

  udp_echo.py serve PORT                 echo every datagram back to its sender
  udp_echo.py count HOST PORT N          send N numbered datagrams (2 ms apart), wait 1 s for the
                                         echoes, print how many distinct ones came back
  udp_echo.py measure HOST PORT N GAP_MS send N numbered datagrams GAP_MS apart, wait 3 s, print JSON:
                                         distinct and duplicate echoes, round trips (p50, p99 ms),
                                         echoes that came back behind a later one, the mean length
                                         of runs of lost ones, and echoes whose bytes changed
"""
import json
import socket
import sys
import time


def serve(port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("0.0.0.0", port))
    while True:
        data, sender = sock.recvfrom(2048)
        try:
            sock.sendto(data, sender)
        except OSError:  # a packet dropped in OUTPUT fails the send with EPERM: that is the fault
            pass


def count(host, port, total):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    seen = set()

    def drain():
        while True:
            try:
                data, _ = sock.recvfrom(2048)
            except BlockingIOError:
                return
            seen.add(data)

    for number in range(total):
        sock.sendto(str(number).encode(), (host, port))
        time.sleep(0.002)
        drain()
    end = time.monotonic() + 1.0
    while time.monotonic() < end:
        time.sleep(0.02)
        drain()
    print(len(seen))


def payload(number):
    """64 bytes: the number, a hash of it (a flipped bit in the number shows), and padding."""
    return b"%08d%08x" % (number, number * 2654435761 % 2**32) + b"." * 48


def measure(host, port, total, gap):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    sent_at, first_rtt, copies, order, changed = {}, {}, {}, [], 0

    def drain():
        nonlocal changed
        while True:
            try:
                data, _ = sock.recvfrom(2048)
            except BlockingIOError:
                return
            text = data.decode("utf-8", "replace")
            number = int(text[:8]) if text[:8].isdigit() else None
            if number is None or number not in sent_at or data != payload(number):
                changed += 1
                continue
            copies[number] = copies.get(number, 0) + 1
            if number not in first_rtt:
                first_rtt[number] = (time.monotonic() - sent_at[number]) * 1000
                order.append(number)

    for number in range(total):
        sent_at[number] = time.monotonic()
        sock.sendto(payload(number), (host, port))
        end = time.monotonic() + gap / 1000
        while time.monotonic() < end:
            drain()
            time.sleep(0.0005)
    end = time.monotonic() + 3.0
    while time.monotonic() < end:
        time.sleep(0.01)
        drain()
    rtts = sorted(first_rtt.values())
    highest, late = -1, 0
    for number in order:
        if number < highest:
            late += 1
        highest = max(highest, number)
    runs, run = [], 0
    for number in range(total):
        if number in first_rtt:
            if run:
                runs.append(run)
            run = 0
        else:
            run += 1
    if run:
        runs.append(run)
    pick = lambda q: rtts[min(len(rtts) - 1, int(q * len(rtts)))] if rtts else None
    print(json.dumps({"sent": total, "distinct": len(first_rtt), "duplicates": sum(c - 1 for c in copies.values()),
                      "p50_ms": pick(0.5), "p99_ms": pick(0.99), "late": late, "changed": changed,
                      "mean_lost_run": (sum(runs) / len(runs)) if runs else 0}))


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    elif sys.argv[1] == "measure":
        measure(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    else:
        count(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
