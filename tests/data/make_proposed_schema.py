#!/usr/bin/env python3
"""Derives proposed-qmp-schema.json from the QEMU 7.2 capture.

    tests/data/make_proposed_schema.py   (run from anywhere; rewrites the output)

Also writes proposed-qmp-schema-fds.json (the earlier v5 spelling: parameter
`fds` with FdsTarget = [virtio-net]) and proposed-qmp-schema-no-user-timeout.json
(InetSocketAddress without user-timeout), so a test can pick what a peer serves.

A synthetic query-qmp-schema for a QEMU that carries the proposed features
qsock knows (none is in a release): InetSocketAddress user-timeout and the
10.1 keep-alive-count/idle/interval, MigrationCapability netpass and
local-char-socket, the backend-transfer parameter (v6-v8 spelling), plus the
released migrate/migrate-incoming `channels`, `exit-on-error` and MigMode a
QEMU that new would also have. Only the commands qsock's tests use are kept,
with the types they reach, so the file stays small. Type names stay masked
(numbers), as a real QEMU returns them.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
KEEP_COMMANDS = [
    "qmp_capabilities", "query-version", "query-status", "query-qmp-schema",
    "migrate", "migrate-incoming", "migrate-set-capabilities", "query-migrate-capabilities",
    "migrate-set-parameters", "query-migrate-parameters", "query-migrate", "migrate_cancel",
    "netdev_add", "chardev-add", "nbd-server-start", "getfd", "closefd", "add-fd",
    "remove-fd", "query-fdsets", "human-monitor-command", "MIGRATION", "MIGRATION_PASS",
    "stop", "cont", "quit", "STOP", "RESUME", "SHUTDOWN",
]
# The variants written: file name, backend-transfer spelling, with user-timeout.
VARIANTS = [
    ("proposed-qmp-schema.json", "backend-transfer", True),
    ("proposed-qmp-schema-fds.json", "fds", True),
    ("proposed-qmp-schema-no-user-timeout.json", "backend-transfer", False),
]


def main():
    for filename, spelling, user_timeout in VARIANTS:
        write(derive(spelling, user_timeout), os.path.join(HERE, filename))


def derive(spelling, user_timeout):
    """The proposed schema; `spelling` is "backend-transfer" (v6-v8:
    BackendTransfer = [virtio-net-tap]) or "fds" (v5: FdsTarget = [virtio-net])."""
    with open(os.path.join(HERE, "qemu-7.2-qmp-schema.json")) as f:
        schema = json.load(f)
    by_name = {e["name"]: e for e in schema}
    next_id = [max(int(e["name"]) for e in schema if e["name"].isdigit()) + 1]

    def new_type(entry):
        entry["name"] = str(next_id[0])
        next_id[0] += 1
        schema.append(entry)
        by_name[entry["name"]] = entry
        return entry["name"]

    def new_enum(values):
        return new_type({"meta-type": "enum", "members": [{"name": v} for v in values],
                         "values": list(values)})

    def new_array(element):
        name = "[" + element + "]"
        if name not in by_name:
            entry = {"name": name, "element-type": element, "meta-type": "array"}
            schema.append(entry)
            by_name[name] = entry
        return name

    def arg(command):
        return by_name[by_name[command]["arg-type"]]

    def ret(command):
        t = by_name[by_name[command]["ret-type"]]
        return by_name[t["element-type"]] if t["meta-type"] == "array" else t

    def member_type(obj, name):
        return next(m["type"] for m in obj["members"] if m["name"] == name)

    def branch(obj, case):
        return by_name[next(v["type"] for v in obj["variants"] if v["case"] == case)]

    # InetSocketAddress, reached through netdev_add's stream backend.
    socket_address = by_name[member_type(branch(arg("netdev_add"), "stream"), "addr")]
    inet = branch(socket_address, "inet")
    inet_new = ["keep-alive-count", "keep-alive-idle", "keep-alive-interval"]
    for name in inet_new + (["user-timeout"] if user_timeout else []):
        inet["members"].insert(-1, {"name": name, "default": None, "type": "int"})

    # Capabilities: switchover-ack (8.1, released; its rule is tested), then the
    # proposed values last, as in the patches.
    capability = by_name[member_type(ret("query-migrate-capabilities"), "capability")]
    capability["members"] += [{"name": "switchover-ack"}, {"name": "netpass"},
                              {"name": "local-char-socket", "features": ["unstable"]}]
    capability["values"] += ["switchover-ack", "netpass", "local-char-socket"]

    # Parameters: mode (8.2) and backend-transfer (proposed v6-v8) or fds (v5).
    mig_mode = new_enum(["normal", "cpr-reboot", "cpr-transfer"])
    target = "virtio-net-tap" if spelling == "backend-transfer" else "virtio-net"
    backend_transfer = new_array(new_enum([target]))
    for params in [ret("query-migrate-parameters"), arg("migrate-set-parameters")]:
        params["members"] += [
            {"name": "mode", "default": None, "type": mig_mode},
            {"name": spelling, "default": None, "type": backend_transfer,
             "features": ["unstable"]},
        ]

    # migrate / migrate-incoming channels (8.1), exit-on-error (9.1).
    addr = new_type({"meta-type": "object", "tag": "transport",
                     "members": [{"name": "transport",
                                  "type": new_enum(["socket", "exec", "rdma", "file"])}],
                     "variants": [
                         {"case": "socket", "type": socket_address["name"]},
                         {"case": "exec", "type": new_type({
                             "meta-type": "object",
                             "members": [{"name": "args", "type": new_array("str")}]})},
                         {"case": "rdma", "type": inet["name"]},
                         {"case": "file", "type": new_type({
                             "meta-type": "object",
                             "members": [{"name": "filename", "type": "str"},
                                         {"name": "offset", "type": "int"}]})}]})
    channel = new_type({"meta-type": "object",
                        "members": [{"name": "channel-type",
                                     "type": new_enum(["main", "cpr"])},
                                    {"name": "addr", "type": addr}]})
    channels = {"name": "channels", "default": None, "type": new_array(channel)}
    migrate = arg("migrate")
    migrate["members"] = [m for m in migrate["members"] if m["name"] not in ("blk", "inc")]
    for m in migrate["members"]:
        if m["name"] == "uri":
            m["default"] = None
    migrate["members"].insert(1, dict(channels))
    # migrate-incoming's argument type is shared with nothing else in 7.2.
    incoming = arg("migrate-incoming")
    incoming["members"][0]["default"] = None
    incoming["members"] += [dict(channels),
                            {"name": "exit-on-error", "default": None, "type": "bool"}]

    return reachable(schema, by_name)


def reachable(schema, by_name):
    """The kept commands and events, and every type they reach, in schema order."""
    seen = set()
    todo = [c for c in KEEP_COMMANDS if c in by_name]
    while todo:
        name = todo.pop()
        if name in seen or name not in by_name:
            continue
        seen.add(name)
        e = by_name[name]
        refs = [e.get("arg-type"), e.get("ret-type"), e.get("element-type")]
        refs += [m.get("type") for m in e.get("members", [])]
        refs += [v["type"] for v in e.get("variants", [])]
        todo += [r for r in refs if r]
    return [e for e in schema if e["name"] in seen]


def write(schema, path):
    with open(path, "w") as f:
        f.write("[\n")
        f.write(",\n".join(json.dumps(e, separators=(",", ":")) for e in schema))
        f.write("\n]\n")


if __name__ == "__main__":
    main()
