#!/usr/bin/env python3
"""The baseline of bench/run's qmp_query_status row: a minimal QMP client with
the same steps as `qsock qmp -s SOCK query-status` (connect, greeting,
qmp_capabilities, query-status, print the return value)."""
import json
import socket
import sys


def main():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(sys.argv[1])
    f = s.makefile("rwb")
    json.loads(f.readline())  # greeting
    for command in ("qmp_capabilities", "query-status"):
        f.write(json.dumps({"execute": command}).encode() + b"\n")
        f.flush()
        while True:
            reply = json.loads(f.readline())
            if "event" not in reply:
                break
    print(json.dumps(reply["return"], separators=(",", ":")))


main()
