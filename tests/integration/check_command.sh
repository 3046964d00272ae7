# qsock check and convert as a user runs them: exit codes, --json records,
# stdin input, the option word, bad input of every kind.
. "$(dirname "$0")/lib.sh"

# Valid and invalid inputs, one exit code each.
expect_exit 0 "$QSOCK" check 'tcp:127.0.0.1:4444'
expect_exit 0 "$QSOCK" check -- '-netdev stream,id=n0,addr.type=unix,addr.path=/tmp/s'
expect_exit 1 "$QSOCK" check -- '-netdev stream,id=n0,addr.type=inet,addr.host=h,addr.port=1,keep-alive=on'
expect_exit 1 "$QSOCK" check 'tcp:h:1' 'tcp:h'          # any invalid input makes it 1
expect_exit 2 "$QSOCK" check --qemu-version banana 'tcp:h:1'
expect_exit 2 "$QSOCK" check --qemu-version 6.2 'tcp:h:1'
expect_exit 2 "$QSOCK" check --as nonsense 'tcp:h:1'
expect_exit 2 "$QSOCK" check
expect_exit 2 "$QSOCK" check --schema /nonexistent 'tcp:h:1'

# The message names the problem and the hint says what QEMU does not.
out=$("$QSOCK" check -- '-netdev stream,id=n0,addr.type=inet,addr.host=h,addr.port=1,keep-alive=on' || true)
case "$out" in *"Parameter 'keep-alive' is unexpected"*"addr.keep-alive"*) pass ;; *) fail "missing addr. hint: $out" ;; esac
out=$("$QSOCK" check --qemu-version 7.2 'tcp:h:1,keep-alive-count=5' || true)
case "$out" in *invalid*"keep-alive-count needs QEMU 10.1 or newer"*) pass ;;
  *) fail "7.2 reads ,keep-alive-count as a bad keep-alive flag; qsock should say it needs 10.1: $out" ;; esac
out=$("$QSOCK" check --qemu-version 7.2 'tcp:h:1,keep-alive=on,keep-alive-count=5' || true)
case "$out" in *valid*"ignores"*"needs QEMU 10.1"*) pass ;; *) fail "7.2 silently ignores keep-alive-count; qsock should warn: $out" ;; esac

# --qemu-version: any release from 7.2; a newer one than qsock knows is checked as the newest, with a warning.
expect_exit 0 "$QSOCK" check --qemu-version 11.1 'tcp:h:1,keep-alive=on,keep-alive-idle=30'
expect_exit 1 "$QSOCK" check --qemu-version 10.0 'tcp:h:1,keep-alive-idle=30'
err=$("$QSOCK" check --qemu-version 12.0 'tcp:h:1' 2>&1 >/dev/null) && pass || fail "--qemu-version 12.0 refused: $err"
case "$err" in *"12.0"*"up to 11.1"*"checking as 11.1"*) pass ;; *) fail "no newer-release warning: $err" ;; esac
help=$("$QSOCK" check --help)
case "$help" in *"11.0, 11.1"*) pass ;; *) fail "--help does not list the known releases: $help" ;; esac

# Inputs qsock does not check: exit 7, "not checked", not "invalid"; an invalid input still wins.
expect_exit 7 "$QSOCK" check -- '-netdev user,id=n0'
expect_exit 7 "$QSOCK" check -- '-netdev {"type":"socket","id":"n0","listen":":1234"}'
expect_exit 7 "$QSOCK" check -- '-chardev pty,id=c0' 'tcp:h:1'
expect_exit 1 "$QSOCK" check -- '-chardev pty,id=c0' 'tcp:h'
out=$("$QSOCK" check -- '-netdev user,id=n0' || true)
case "$out" in *"not checked"*"not 'user'"*) pass ;; *) fail "not-checked text: $out" ;; esac

# port= alone is no address: QEMU refuses it on the command line.
expect_exit 1 "$QSOCK" check -- '-chardev socket,id=c0,port=4444,server=on,wait=off'
# Accepted, then silently broken: a warning, and a failure with --strict.
netdev_v6_only='-netdev stream,id=n0,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=1,addr.ipv4=off'
expect_exit 0 "$QSOCK" check -- "$netdev_v6_only"
expect_exit 1 "$QSOCK" check --strict -- "$netdev_v6_only"
expect_exit 1 "$QSOCK" check 'tcp://10.0.0.2:4444'
out=$("$QSOCK" check 'tcp://10.0.0.2:4444' || true)
case "$out" in *"write tcp:HOST:PORT"*) pass ;; *) fail "tcp:// hint: $out" ;; esac
out=$("$QSOCK" check -- '-chardev {"id":"c0","backend":{"type":"socket"}}' || true)
case "$out" in *invalid*"--as json"*) pass ;; *) fail "JSON -chardev hint: $out" ;; esac

# --json: one object per input line, with the documented fields.
json=$(printf 'tcp:h:1\n# a comment\n\nunix:\n' | "$QSOCK" --json check - || true)
lines=$(printf '%s\n' "$json" | wc -l)
[ "$lines" = 2 ] && pass || fail "--json with 2 inputs gave $lines lines: $json"
first=$(printf '%s\n' "$json" | head -1)
python3 - "$first" <<'PY' && pass || fail "--json record fields: $first"
import json, sys
r = json.loads(sys.argv[1])
for k in ("input", "valid", "kind", "qemu_version", "value", "errors", "warnings"):
    assert k in r, k
assert r["valid"] is True and r["kind"] == "uri"
assert r["value"] == {"type": "inet", "host": "h", "port": "1"}, r["value"]
PY
second=$(printf '%s\n' "$json" | tail -1)
python3 - "$second" <<'PY' && pass || fail "--json invalid record: $second"
import json, sys
r = json.loads(sys.argv[1])
assert r["valid"] is False and r["value"] is None
assert r["errors"][0]["message"] == "invalid Unix socket address", r["errors"]
PY

# Conversions, checked again for the target syntax.
out=$("$QSOCK" convert --to netdev 'tcp:[fe80::1]:4444,keep-alive=on')
case "$out" in *"addr.host=fe80::1"*"addr.keep-alive=on"*) pass ;; *) fail "convert to netdev: $out" ;; esac
out=$("$QSOCK" convert --to uri -- '-netdev stream,id=n0,addr.type=inet,addr.host=::1,addr.port=4444')
[ "$out" = "tcp:[::1]:4444" ] && pass || fail "convert to uri must bracket IPv6: $out"
expect_exit 1 "$QSOCK" convert --to netdev 'vsock:3:1024'     # netdev stream has no vsock
expect_exit 1 "$QSOCK" convert --to uri 'tcp:h'               # invalid input
expect_exit 2 "$QSOCK" convert --to carrier-pigeon 'tcp:h:1'

# Hostile input: no crash, no hang, a clear exit code.
# 1 MiB goes through stdin: one argv string may hold at most 128 KiB.
big_input() { printf 'tcp:'; head -c 1048576 /dev/zero | tr '\0' 'a'; printf '\n'; }
got=0; big_input | timeout 10 "$QSOCK" check - >/dev/null 2>&1 || got=$?
[ "$got" = 1 ] && pass || fail "1 MiB input: expected exit 1, got $got"
record=$(big_input | timeout 10 "$QSOCK" --json check - || true)   # exits 1: invalid
printf '%s' "$record" | python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); assert r["valid"] is False' \
  && pass || fail "1 MiB input: --json record"
expect_exit 1 timeout 10 "$QSOCK" check "tcp:$(head -c 100000 /dev/zero | tr '\0' 'a')"
expect_exit 1 timeout 10 "$QSOCK" check -- "-netdev stream,$(printf 'a.%.0s' $(seq 1 10000))b=1"
expect_exit 1 timeout 10 "$QSOCK" check "$(printf 'tcp:h:1,\xff\xfe=1')"
expect_exit 1 timeout 10 "$QSOCK" check ''
# Invalid UTF-8 in --json output becomes U+FFFD; it once aborted qsock.
expect_exit 0 timeout 10 "$QSOCK" --json check "$(printf 'tcp:h\xff:1')"   # QEMU takes any bytes as a host name
record=$("$QSOCK" --json check "$(printf 'tcp:h\xff:1')" || true)
printf '%s' "$record" | python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); assert "\ufffd" in r["input"]' \
  && pass || fail "invalid UTF-8 in a --json record: $record"

finish
