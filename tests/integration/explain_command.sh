# qsock explain: the socket options an address sets and the detection times,
# from this host's sysctls, in text and --json.
. "$(dirname "$0")/lib.sh"
need python3

retries2=$(cat /proc/sys/net/ipv4/tcp_retries2)

# user-timeout bounds data in flight, whatever tcp_retries2 says.
json=$("$QSOCK" --json explain 'tcp:10.0.0.2:4444,keep-alive=on,keep-alive-idle=60,keep-alive-interval=30,keep-alive-count=5,user-timeout=30000')
python3 - "$json" <<'PY' && pass || fail "explain --json with user-timeout: $json"
import json, sys
r = json.loads(sys.argv[1])
assert r["address"]["user-timeout"] == 30000
d = r["detection"]
assert d["data_in_flight"] == {"ms": 30000, "by": "user-timeout"}, d
# tcp(7): with keep-alive, the user-timeout replaces the probe count: the first
# probe expiry at or after 30 s following the 60 s idle time.
assert d["idle"] == {"ms": 90000, "by": "user-timeout"}, d
assert "TCP_USER_TIMEOUT" in json.dumps(r["socket_options"]), r["socket_options"]
assert any("proposed" in w for w in r["warnings"]), r["warnings"]
PY

# Without it: the retries2 sum (924.6 s for 15), never on an idle link.
json=$("$QSOCK" --json explain 'tcp:10.0.0.2:4444')
python3 - "$json" "$retries2" <<'PY' && pass || fail "explain --json plain tcp: $json"
import json, sys
r = json.loads(sys.argv[1]); retries2 = int(sys.argv[2])
d = r["detection"]
assert d["data_in_flight"]["by"] == "tcp_retries2", d
if retries2 == 15:
    assert d["data_in_flight"]["ms"] == 924600, d
assert d["idle"]["ms"] is None, d
assert r["sysctls"]["tcp_retries2"] == retries2
PY

# QEMU 7.2 silently ignores keep-alive-count: explain shows what 7.2 really sets.
out=$("$QSOCK" explain --qemu-version 7.2 'tcp:10.0.0.2:4444,keep-alive=on,keep-alive-count=3')
case "$out" in *SO_KEEPALIVE*) pass ;; *) fail "7.2 keep-alive: $out" ;; esac
case "$out" in *TCP_KEEPCNT*) fail "7.2 has no keep-alive-count, explain must not claim TCP_KEEPCNT: $out" ;; *) pass ;; esac

# Other address kinds and bad input.
expect_exit 0 "$QSOCK" explain -- '-netdev stream,id=n0,addr.type=inet,addr.host=h,addr.port=1,addr.keep-alive=on'
expect_exit 1 "$QSOCK" explain 'unix:/tmp/qsock.sock'
expect_exit 1 "$QSOCK" explain 'tcp:h'
expect_exit 2 "$QSOCK" explain
expect_exit 7 "$QSOCK" explain -- '-netdev user,id=n0'

# Accepted, then silently broken: explain says what QEMU will do.
out=$("$QSOCK" explain --qemu-version 11.1 -- '-netdev stream,id=n0,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=4444,addr.ipv4=off')
case "$out" in *"address resolution failed"*"then fails to open the socket"*"only IPv6"*) pass ;;
  *) fail "explain of an IPv4 literal with ipv4=off: $out" ;; esac
out=$("$QSOCK" explain --qemu-version 12.0 'tcp:10.0.0.2:4444' 2>&1)
case "$out" in *"checking as 11.1"*) pass ;; *) fail "explain --qemu-version 12.0: $out" ;; esac

finish
