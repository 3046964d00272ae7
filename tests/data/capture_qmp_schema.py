#!/usr/bin/env python3
"""Captures a real QEMU's query-qmp-schema and version, for test fixtures.

    tests/data/capture_qmp_schema.py qemu-system-x86_64 SCHEMA.json GREETING.json

Writes the SchemaInfo list one entry per line (diffable), and the greeting
with the query-version return beside it. Produced qemu-7.2-qmp-schema.json and
qemu-7.2-greeting.json from Debian 12's QEMU 7.2.22.
"""
import json
import subprocess
import sys


def main():
    qemu, schema_path, greeting_path = sys.argv[1:4]
    p = subprocess.Popen([qemu, "-M", "none", "-nodefaults", "-display", "none", "-S",
                          "-qmp", "stdio"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def reply():
        while True:
            message = json.loads(p.stdout.readline())
            if "event" not in message:
                return message

    def execute(name):
        p.stdin.write(json.dumps({"execute": name}) + "\n")
        p.stdin.flush()
        return reply()

    greeting = reply()
    execute("qmp_capabilities")
    schema = execute("query-qmp-schema")["return"]
    version = execute("query-version")["return"]
    execute("quit")
    p.wait()
    write_schema(schema, schema_path)
    with open(greeting_path, "w") as f:
        json.dump({"greeting": greeting, "query-version": version}, f, indent=2)
        f.write("\n")


def write_schema(schema, path):
    with open(path, "w") as f:
        f.write("[\n")
        f.write(",\n".join(json.dumps(e, separators=(",", ":")) for e in schema))
        f.write("\n]\n")


if __name__ == "__main__":
    main()
