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
case "$out" in *valid*"ignore"*) pass ;; *) fail "7.2 silently ignores keep-alive-count; qsock should warn: $out" ;; esac

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
big=$(head -c 1048576 /dev/zero | tr '\0' 'a')
# 1 MiB is over Linux's limit for one argv string (128 KiB): give it on stdin.
expect_exit 1 timeout 10 "$QSOCK" check - < <(printf 'tcp:%s\n' "$big")
expect_exit 1 timeout 10 "$QSOCK" check -- "-netdev stream,$(printf 'a.%.0s' $(seq 1 10000))b=1"
expect_exit 1 timeout 10 "$QSOCK" check "$(printf 'tcp:h:1,\xff\xfe=1')"
expect_exit 1 timeout 10 "$QSOCK" check ''

finish
