# Reading back is the truth: QEMU ($QSOCK_TEST_QEMU) with
# -netdev stream,...,addr.keep-alive=on has SO_KEEPALIVE on its connected
# socket; with -incoming tcp:...,keep-alive=on the accepted socket has it off
# before 10.1 and on since (keep-alive on passive sockets came in 10.1).
. "$(dirname "$0")/lib.sh"
need jq
need_qemu
PEER=${QSOCK_BUILD_DIR:?}/tests/tcp_peer
work=$(mktemp -d)
pids=()
# QEMU 11.1 waiting on an incoming stream that never comes does not stop on
# SIGTERM: what is still there after 5 s gets SIGKILL.
cleanup() {
  local p i
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for i in $(seq 50); do
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && break; done
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

wait_line() {
  for _ in $(seq 50); do grep -q "$2" "$1" && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1:" >&2; cat "$1" >&2; return 1
}
# wait_socket PID JQ_FILTER OUT: polls qsock sockets until the filter holds (5 s).
wait_socket() {
  for _ in $(seq 50); do
    "$QSOCK" --json sockets --pid "$1" >"$3" 2>/dev/null && jq -e "$2" "$3" >/dev/null && return 0
    sleep 0.1
  done
  return 1
}
version=$(qemu_release)
echo "QEMU $(qemu_full_version) ($QEMU)"

# 1. -netdev stream client with addr.keep-alive=on: SO_KEEPALIVE on.
"$PEER" listen 127.0.0.1 0 >"$work/listener.out" &
pids+=($!)
wait_line "$work/listener.out" '^listening'
port=$(awk '/^listening/{print $2}' "$work/listener.out")
"$QEMU" -M none -nodefaults -display none -S \
  -netdev "stream,id=n0,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=$port,addr.keep-alive=on" \
  2>"$work/qemu1.err" &
qemu=$!
pids+=($qemu)
filter=".sockets[] | select(.remote == \"127.0.0.1:$port\" and .state == \"ESTABLISHED\")"
if wait_socket "$qemu" "$filter" "$work/netdev.json"; then
  if jq -e "$filter | .options.\"keep-alive\" == true" "$work/netdev.json" >/dev/null; then pass
  else fail "-netdev stream keep-alive=on: SO_KEEPALIVE not on"; jq . "$work/netdev.json" >&2; fi
  echo "netdev stream: $(jq -c "$filter | .options" "$work/netdev.json")"
else
  fail "QEMU's -netdev stream socket never showed up"; cat "$work/qemu1.err" >&2
fi
kill "$qemu"; wait "$qemu" 2>/dev/null || true

# 2. -incoming tcp:...,keep-alive=on with a client connected: off before 10.1.
port=$("$PEER" free-port)
"$QEMU" -M none -nodefaults -display none -S -incoming "tcp:127.0.0.1:$port,keep-alive=on" \
  2>"$work/qemu2.err" &
qemu=$!
pids+=($qemu)
if wait_socket "$qemu" ".sockets[] | select(.state == \"LISTEN\")" "$work/listen.json"; then
  "$PEER" connect 127.0.0.1 "$port" >"$work/client.out" &
  pids+=($!)
  wait_line "$work/client.out" '^connected'
  client=$(awk '/^connected/{print $2}' "$work/client.out")
  filter=".sockets[] | select(.remote == \"$client\")"
  if wait_socket "$qemu" "$filter" "$work/incoming.json"; then
    accepted=$(jq -c "$filter | .options.\"keep-alive\"" "$work/incoming.json")
    echo "incoming: accepted socket $(jq -c "$filter | .options" "$work/incoming.json")"
    if qemu_at_least 10.1; then want=true; else want=false; fi
    if [ "$accepted" = "$want" ]; then pass
    else fail "QEMU $version -incoming keep-alive=on: accepted socket keep-alive $accepted, want $want"; fi
  else
    fail "the accepted migration socket never showed up"; cat "$work/qemu2.err" >&2
  fi
else
  fail "QEMU never listened"; cat "$work/qemu2.err" >&2
fi
finish
