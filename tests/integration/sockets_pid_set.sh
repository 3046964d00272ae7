# qsock sockets --pid shows the options a process set on its socket, and
# --set changes them on the process's own socket (the process reads them back).
. "$(dirname "$0")/lib.sh"
need jq
PEER=${QSOCK_BUILD_DIR:?}/tests/tcp_peer
work=$(mktemp -d)
peer_pid=
cleanup() {
  if [ -n "$peer_pid" ]; then kill "$peer_pid" 2>/dev/null || true; wait "$peer_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# wait_line FILE PATTERN: waits up to 5 s for a line matching PATTERN.
wait_line() {
  for _ in $(seq 50); do grep -q "$2" "$1" && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1:" >&2; cat "$1" >&2; return 1
}

"$PEER" hold-pair '{"keep-alive":true,"keep-alive-idle":60,"user-timeout":5000}' \
  "$work/qmp.sock" >"$work/peer.out" &
peer_pid=$!
wait_line "$work/peer.out" '^ready '
port=$(awk '/^ready /{print $2}' "$work/peer.out")

# What the process set is what qsock reads.
"$QSOCK" --json sockets --pid "$peer_pid" --peer "127.0.0.1:$port" >"$work/before.json"
if jq -e '.sockets | length == 1' "$work/before.json" >/dev/null &&
   jq -e '.sockets[0].options | ."keep-alive" == true and ."keep-alive-idle" == 60
          and ."user-timeout" == 5000' "$work/before.json" >/dev/null &&
   jq -e '.sockets[0].state == "ESTABLISHED" and .sockets[0].tcp_info.state == "ESTABLISHED"' \
     "$work/before.json" >/dev/null &&
   jq -e '.sockets[0].detection.data_in_flight == {"ms":5000,"by":"user-timeout"}' \
     "$work/before.json" >/dev/null; then pass
else fail "options as set by the process"; cat "$work/before.json" >&2; fi

# All three sockets (listener, client, accepted) without --peer.
if [ "$("$QSOCK" --json sockets --pid "$peer_pid" | jq '.sockets | length')" = 3 ]; then pass
else fail "three TCP sockets"; fi

# --set acts on the process's own socket.
"$QSOCK" --json sockets --pid "$peer_pid" --peer "127.0.0.1:$port" \
  --set user-timeout=2000,keep-alive-idle=7 >"$work/set.json"
if jq -e '.sockets[0].set.ok == true and .sockets[0].options."user-timeout" == 2000
          and .sockets[0].options."keep-alive-idle" == 7' "$work/set.json" >/dev/null; then pass
else fail "--set read back"; cat "$work/set.json" >&2; fi
kill -USR1 "$peer_pid"
wait_line "$work/peer.out" '^own '
own=$(awk '/^own /{sub(/^own /, ""); print}' "$work/peer.out")
if [ "$(jq '."user-timeout"' <<<"$own")" = 2000 ] && [ "$(jq '."keep-alive-idle"' <<<"$own")" = 7 ]
then pass; else fail "the process does not see the new options: $own"; fi

# Text output, and the pid found through a UNIX socket's SO_PEERCRED.
"$QSOCK" sockets -s "$work/qmp.sock" --peer "127.0.0.1:$port" >"$work/text.out"
if grep -q "^pid $peer_pid: 1 TCP socket" "$work/text.out" &&
   grep -q "TCP_USER_TIMEOUT 2000 ms" "$work/text.out" &&
   grep -q "data in flight: 2 s, by user-timeout" "$work/text.out"; then pass
else fail "text output via -s"; cat "$work/text.out" >&2; fi

# Errors: bad --set, no such process, no permission.
expect_exit 2 "$QSOCK" sockets --pid "$peer_pid" --set user-timout=1
expect_exit 3 "$QSOCK" sockets --pid 4194303
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
  out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$QSOCK" sockets --pid "$peer_pid" 2>&1) &&
    fail "unprivileged access succeeded" ||
    { grep -q "CAP_SYS_PTRACE" <<<"$out" && pass || fail "no ptrace hint: $out"; }
fi
finish
