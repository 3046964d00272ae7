#!/usr/bin/env bash
# qsock caps against Debian's real QEMU 7.2: every answer comes from the live
# query-qmp-schema, and 7.2 has none of the proposed features nor migrate channels.
. "$(dirname "$0")/lib.sh"
need qemu-system-x86_64
need python3

qemu_version=$(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([0-9.]*\).*/\1/p')
case "$qemu_version" in
  7.2.*) ;;
  *) skip "this test describes QEMU 7.2; installed is '$qemu_version'" ;;
esac

D=$(mktemp -d)
qemu_pid=
cleanup() {
  [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null
  rm -rf "$D"
}
trap cleanup EXIT

qemu-system-x86_64 -M none -nodefaults -display none -S \
  -qmp "unix:$D/qmp.sock,server=on,wait=off" 2>"$D/qemu.err" &
qemu_pid=$!
for _ in $(seq 100); do [ -S "$D/qmp.sock" ] && break; sleep 0.05; done
[ -S "$D/qmp.sock" ] || { cat "$D/qemu.err" >&2; fail "QEMU did not create its QMP socket"; finish; }

expect_exit 0 "$QSOCK" --json caps -s "$D/qmp.sock" --timeout 10
"$QSOCK" --json caps -s "$D/qmp.sock" >"$D/caps.json"

# Each line: WHAT | PYTHON EXPRESSION on the output `j` | EXPECTED (as JSON).
# One python run checks them all (its start-up is slow on some machines).
cat >"$D/expect" <<TABLE
version | j["version"] | "$qemu_version"
top-level keys | list(j) | ["version", "features", "capabilities", "parameters"]
user-timeout | j["features"]["user-timeout"] | false
keep-alive-count | j["features"]["keep-alive-count"] | false
migrate-channels (7.2 refuses channels) | j["features"]["migrate-channels"] | false
netpass | j["features"]["netpass"] | false
local-char-socket | j["features"]["local-char-socket"] | false
backend-transfer | j["features"]["backend-transfer"] | null
keep-alive | j["features"]["keep-alive"] | true
mptcp | j["features"]["mptcp"] | true
getfd | j["features"]["getfd"] | true
capabilities | len(j["capabilities"]) | 21
return-path listed | "return-path" in j["capabilities"] | true
parameters in the schema (a running 7.2 reports 26) | len(j["parameters"]) | 27
max-bandwidth listed | "max-bandwidth" in j["parameters"] | true
TABLE
results=$(python3 - "$D/caps.json" "$D/expect" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
for line in open(sys.argv[2]):
    what, expr, want = (part.strip() for part in line.split("|"))
    got = eval(expr)
    print("ok" if got == json.loads(want) else f"FAIL {what}: expected {want}, got {json.dumps(got)}")
PY
)
while IFS= read -r line; do
  if [ "$line" = ok ]; then pass; else fail "${line#FAIL }"; fi
done <<<"$results"
[ "$(grep -c . <<<"$results")" = "$(grep -c . "$D/expect")" ] || fail "not every check ran"

# The text table, over unix:PATH and QSOCK_SOCKET; the monitor is free again
# after each run (one client at a time).
out=$(QSOCK_SOCKET="unix:$D/qmp.sock" "$QSOCK" caps)
if grep -q "^QEMU $qemu_version\$" <<<"$out"; then pass; else fail "text: no 'QEMU $qemu_version' line"; fi
if grep -Eq '^user-timeout +no$' <<<"$out"; then pass; else fail "text: user-timeout should be no"; fi
if grep -Eq '^backend-transfer +no$' <<<"$out"; then pass; else fail "text: backend-transfer should be no"; fi
if grep -Eq '^mptcp +yes$' <<<"$out"; then pass; else fail "text: mptcp should be yes"; fi

# No monitor there: exit 3 (cannot connect), naming the socket.
expect_exit 3 "$QSOCK" caps -s "$D/absent.sock" --timeout 2
err=$("$QSOCK" caps -s "$D/absent.sock" --timeout 2 2>&1 || true)
if grep -q "absent.sock" <<<"$err"; then pass; else fail "connect error does not name the socket: $err"; fi
finish
