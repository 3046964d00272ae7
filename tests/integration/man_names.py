# names.py QSOCK 7|1: prints "WHAT<TAB>NAME" for every name a reader must
# find in qsock-sockets(7) or qsock(1), each asked from qsock itself: its
# completion candidates inside each syntax (qsock __complete, what the shell
# completion asks), its schema (qsock --json schema), its --help.
import json, re, subprocess, sys

qsock, page = sys.argv[1], sys.argv[2]
BOOL = {"on", "off", "true", "false", "yes", "no", "y", "n"}


def run(*argv):
    r = subprocess.run([qsock, *argv], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"qsock {' '.join(argv)} failed ({r.returncode}): {r.stderr.strip()}")
    return r.stdout


def complete(*words):
    return [l.split("\t")[0] for l in run("__complete", "--", *words).splitlines() if l]


seen = set()


def emit(what, name):
    if name and (what, name) not in seen:
        seen.add((what, name))
        print(f"{what}\t{name}")


def options(syntax, words, text):
    """The options completed after TEXT, the last word (candidates replace
    it whole), recursing into prefixes (addr.), and the values each option
    completes to unless they are booleans."""
    for cand in complete(*words, text):
        tail = cand.rsplit(",", 1)[-1]
        if tail.endswith("."):
            if cand != text and cand.count(".") <= 3:
                options(syntax, words, cand)
        elif tail.endswith("=") and tail != "id=":
            name = tail[:-1]
            emit(syntax, name)
            values = [v.rsplit("=", 1)[-1] for v in complete(*words, cand)]
            if values and not set(values) <= BOOL:
                for v in values:
                    emit(f"{syntax} value of {name}", v)


if page == "7":
    options("legacy URI", ["check"], "tcp:h:1,")
    options("-netdev stream", ["check", "--as", "netdev"], "stream,")
    options("-netdev dgram", ["check", "--as", "netdev"], "dgram,")
    options("-incoming channel", ["check", "--as", "incoming"], "main,")
    options("-chardev socket", ["check", "--as", "chardev"], "socket,")
    # QMP JSON: the members of every type reachable from the structures QMP
    # takes a socket address in, and the values of its enumerations.
    todo, done = ["SocketAddress", "ChardevSocket", "MigrationChannel"], set()
    while todo:
        t = todo.pop()
        if t in done:
            continue
        done.add(t)
        d = json.loads(run("--json", "schema", t))
        for m in d.get("members", []):
            emit("QMP JSON", m["name"])
            todo.append(m.get("type", ""))
        for v in d.get("values", []):
            emit(f"QMP JSON value of {t}", v["name"])
        for v in d.get("branches", []):
            todo.append(v["type"])
        todo = [x for x in todo if re.fullmatch(r"[A-Z][A-Za-z0-9]*", x or "")]
else:
    def subcommands(text):
        block = re.search(r"^Subcommands:\n(.*?)(?:\n\n|\Z)", text, re.S | re.M)
        return [l.split()[0] for l in block.group(1).splitlines() if l.strip()] if block else []

    def flags(text):
        block = re.search(r"^Options:\n(.*?)(?:\n\n|\Z)", text, re.S | re.M)
        return sorted(set(re.findall(r"(?:^|[ ,])(--[a-z][a-z-]*)", block.group(1), re.M))) if block else []

    top = run("--help")
    for f in flags(top):
        emit("global option", f)
    for cmd in subcommands(top):
        emit("command", cmd)
        text = run(cmd, "--help")
        for f in flags(text):
            if f != "--help":
                emit(f"{cmd} option", f)
        # The fixed set an option takes, as CLI11 shows it: "--as TEXT:{uri,json}".
        for f, values in re.findall(r"(--[a-z][a-z-]*)[^\n{]*?:\{([^}]*)\}", text):
            for v in values.split(","):
                emit(f"{cmd} {f} value", v.strip())
