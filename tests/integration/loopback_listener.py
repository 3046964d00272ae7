#!/usr/bin/env python3
"""Loopback listeners for integration tests that need a peer to connect to.

Usage: loopback_listener.py DIR
Listens on 127.0.0.1 and ::1 (kernel-chosen ports) and on the UNIX socket
DIR/listen.sock, prints "PORT4 PORT6" on one line once all three are
listening, then accepts every connection and reads (and discards) whatever
arrives until the peer closes, forever. Stop it with SIGTERM.
"""
import os
import select
import socket
import sys


def listener(family, address):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind(address)
    s.listen(128)
    return s


def main():
    directory = sys.argv[1]
    v4 = listener(socket.AF_INET, ("127.0.0.1", 0))
    v6 = listener(socket.AF_INET6, ("::1", 0))
    unix = listener(socket.AF_UNIX, os.path.join(directory, "listen.sock"))
    listeners = [v4, v6, unix]
    print(v4.getsockname()[1], v6.getsockname()[1], flush=True)
    peers = []
    while True:
        readable, _, _ = select.select(listeners + peers, [], [])
        for s in readable:
            if s in listeners:
                peer, _ = s.accept()
                peers.append(peer)
                continue
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                peers.remove(s)
                s.close()


if __name__ == "__main__":
    main()
