# A monitor over TCP (IPv4 and IPv6 in brackets): it works, and qsock warns
# once that QMP over TCP has no authentication.
. "$(dirname "$0")/lib.sh"

D=$(scratch_dir)
start_peer ok tcp:127.0.0.1:0 "$D"
expect_within 2 0 '{}' "$QSOCK" qmp -s "$PEER_ADDR" query-status
warnings=$("$QSOCK" qmp -s "$PEER_ADDR" query-status 2>&1 >/dev/null | grep -c "QMP over TCP has no authentication")
[ "$warnings" = 1 ] && pass || fail "expected one TCP warning, got $warnings"

if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
  mkdir -p "$D/v6"
  start_peer ok 'tcp:[::1]:0' "$D/v6"
  case $PEER_ADDR in 'tcp:[::1]:'*) pass ;; *) fail "peer address $PEER_ADDR" ;; esac
  expect_within 2 0 '{}' "$QSOCK" qmp -s "$PEER_ADDR" query-status
fi

# Nothing listens on the port: exit 3, naming the address.
port=${PEER_ADDR##*:}
expect_within 2 3 "cannot connect to tcp:127.0.0.1:1:" "$QSOCK" qmp -s tcp:127.0.0.1:1 query-status
# An IPv6 host without brackets is refused with the fix.
expect_within 2 1 "put an IPv6 host in brackets, tcp:[::1]:PORT" \
  "$QSOCK" qmp -s tcp:::1:4444 query-status
: "$port"

finish
