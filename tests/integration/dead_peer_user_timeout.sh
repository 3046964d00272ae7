# A dead peer with data in flight, between two network namespaces joined by a
# veth pair; the path is cut by an nftables drop-everything table in the
# receiver's namespace (this kernel has no netem). With user-timeout=1000 the
# sender gets ETIMEDOUT 1.0-3.0 s after the cut; without it the connection is
# still alive 10 s after (tcp_retries2 governs: ~924.6 s).
. "$(dirname "$0")/lib.sh"
need jq
PEER=${QSOCK_BUILD_DIR:?}/tests/tcp_peer
netns_pair
work=$(scratch_dir)

wait_line() {
  for _ in $(seq 50); do grep -q "$2" "$1" && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1:" >&2; cat "$1" >&2; return 1
}

ip netns exec "$NS_B" "$PEER" sink "$ADDR_B" 5555 >"$work/sink.out" &
cleanup_pids+=($!)
wait_line "$work/sink.out" '^listening'


# 1. user-timeout=1000: ETIMEDOUT 1.0-3.0 s after the cut.
ip netns exec "$NS_A" "$PEER" send "$ADDR_B" 5555 '{"user-timeout":1000}' 30 >"$work/send1.out" &
sender=$!
cleanup_pids+=($sender)
wait_line "$work/send1.out" '^connected'
sleep 0.5
"$QSOCK" --json sockets --pid "$sender" --peer "$ADDR_B:5555" >"$work/sockets1.json"
if jq -e '.sockets[0].options."user-timeout" == 1000 and
          .sockets[0].detection.data_in_flight == {"ms":1000,"by":"user-timeout"}' \
     "$work/sockets1.json" >/dev/null; then pass
else fail "qsock sockets on the sender in its namespace"; cat "$work/sockets1.json" >&2; fi
t_cut=$(now_ms)
cut_path "$NS_B"
for _ in $(seq 50); do grep -q '^error' "$work/send1.out" && break; sleep 0.1; done
read -r _ err t_err < <(grep '^error' "$work/send1.out" || echo "none none 0")
elapsed=$((t_err - t_cut))
echo "user-timeout=1000: $err after ${elapsed} ms (model: 1000 ms)"
if [ "$err" = ETIMEDOUT ] && [ "$elapsed" -ge 1000 ] && [ "$elapsed" -le 3000 ]; then pass
else fail "expected ETIMEDOUT 1000-3000 ms after the cut, got '$err' after ${elapsed} ms"; fi
heal_path "$NS_B"

# 2. no user-timeout: alive 10 s after the cut, retransmitting.
ip netns exec "$NS_A" "$PEER" send "$ADDR_B" 5555 '{}' 60 >"$work/send2.out" &
sender=$!
cleanup_pids+=($sender)
wait_line "$work/send2.out" '^connected'
sleep 0.5
cut_path "$NS_B"
sleep 10
"$QSOCK" --json sockets --pid "$sender" --peer "$ADDR_B:5555" >"$work/sockets2.json"
if kill -0 "$sender" 2>/dev/null && ! grep -q '^error' "$work/send2.out"; then pass
else fail "without user-timeout the connection died within 10 s"; cat "$work/send2.out" >&2; fi
if jq -e '.sockets[0].state == "ESTABLISHED" and .sockets[0].tcp_info.retransmits > 0 and
          .sockets[0].detection.data_in_flight == {"ms":924600,"by":"tcp_retries2"}' \
     "$work/sockets2.json" >/dev/null; then pass
else fail "retransmitting, model 924.6 s"; cat "$work/sockets2.json" >&2; fi
echo "no user-timeout: alive after 10 s, $(jq -c '.sockets[0].tcp_info | {retransmits,backoff,rto_us}' "$work/sockets2.json")"

# 3. --set on the live, retransmitting socket bounds it: the socket's own
# retransmission clock started at the cut, >10 s ago, so it fails at the next
# RTO expiry.
t_set=$(now_ms)
"$QSOCK" --json sockets --pid "$sender" --peer "$ADDR_B:5555" --set user-timeout=1000 \
  >"$work/set.json" || true
for _ in $(seq 300); do grep -q '^error' "$work/send2.out" && break; sleep 0.1; done
read -r _ err t_err < <(grep '^error' "$work/send2.out" || echo "none none 0")
echo "--set user-timeout=1000 on the stalled socket: $err after $((t_err - t_set)) ms"
if [ "$err" = ETIMEDOUT ]; then pass; else fail "--set did not bound the stalled socket"; fi
finish
