"""UDP echo for faultline's network-fault tests.

  udp_echo.py serve PORT                 echo every datagram back to its sender
  udp_echo.py count HOST PORT N          send N numbered datagrams (2 ms apart), wait 1 s for the
                                         echoes, print how many distinct ones came back
"""
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


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    else:
        count(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
