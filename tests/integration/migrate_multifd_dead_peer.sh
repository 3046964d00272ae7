# Issue 16: a multifd migration (4 channels) bounded on every connection.
# QEMU opens the multifd channels itself, so fd passing cannot carry them
# (preflight refuses it, before anything changes) and auto picks inject:
# qsock sweeps both QEMUs' sockets during the migration and bounds each new
# connection. Source (the dirtying guest) and destination in two namespaces,
# 8 MiB/s (never converges), user-timeout=2000; once every channel is up the
# path is cut (a silent peer). qsock must exit 6 well within the bound of
# 15 s, the report listing every connection on each side with the options
# read back, and the source running on.
. "$(dirname "$0")/lib.sh"
need jq
need_qemu
[ -f "$GUEST_KERNEL" ] || skip "missing $GUEST_KERNEL"
PORT=4456
CHANNELS=4

netns_pair
S=$(scratch_dir); D=$(scratch_dir)
QEMU_NETNS=$NS_A start_guest "$S"
QEMU_NETNS=$NS_B start_incoming "$D" defer
DST_PID=$QEMU_PID
to="tcp:$ADDR_B:$PORT,user-timeout=2000,keep-alive=on,keep-alive-idle=1"
to+=",keep-alive-interval=1,keep-alive-count=2"

# fd cannot carry several channels: refused in preflight, nothing changed.
caps_before=$("$QSOCK" --json caps -s "$S/qmp.sock" | jq -c .)
expect_within 10 1 "Migration requires multi-channel URIs" ip netns exec "$NS_A" \
  "$QSOCK" migrate -s "$S/qmp.sock" -d "$D/qmp.sock" --to "$to" --sockopts fd \
  --cap multifd=on --param multifd-channels=$CHANNELS
multifd_now=$("$QSOCK" qmp -s "$S/qmp.sock" query-migrate-capabilities |
  jq -r '.[] | select(.capability == "multifd") | .state')
[ "$multifd_now" = false ] && pass || fail "the refused migration changed multifd to $multifd_now"

ip netns exec "$NS_A" "$QSOCK" --json migrate -s "$S/qmp.sock" -d "$D/qmp.sock" --to "$to" \
  --cap multifd=on --param multifd-channels=$CHANNELS --max-bandwidth 8M >"$S/out" 2>"$S/err" &
mig=$!
# Every channel up on the source: the main connection and one per channel.
want=$((CHANNELS + 1))
for ((i = 0; i < 150; i++)); do
  n=$(ip netns exec "$NS_A" ss -Htn state established "dport = :$PORT" | wc -l)
  [ "$n" -ge "$want" ] && grep -q '"status":"active"' "$S/out" && break
  kill -0 "$mig" 2>/dev/null || break
  sleep 0.1
done
[ "$n" -ge "$want" ] && pass || { fail "only $n of $want connections up"; cat "$S/err" >&2; }
sleep 1  # a few sweeps

t_cut=$(now_ms)
cut_path "$NS_B"
expect_exit_after_cut multifd "$mig" "$t_cut" 15000 "$S/err"

report=$(tail -1 "$S/out")
echo "$report" | jq -c '{status, sockopts_via, destination_sockopts_via, error, fired,
  source_state, channels: [.channels[] | {side, local, peer, ut: .options."user-timeout"}]}'
if echo "$report" | jq -e --argjson want "$want" '
     .status == "failed" and .sockopts_via == "inject" and .source_state == "running"
     and ([.channels[] | select(.side == "source")] | length >= $want)
     and ([.channels[] | select(.side == "destination")] | length >= $want)
     and all(.channels[]; .options."user-timeout" == 2000 and .not_applied == [])' >/dev/null; then
  pass
else
  fail "the report does not show every connection on both sides bounded"
fi
status=$("$QSOCK" qmp -s "$S/qmp.sock" query-status | jq -r .status)
[ "$status" = running ] && pass || fail "source is '$status', not running"
beat1=$(guest_heartbeat "$S/hmp.sock"); sleep 0.3; beat2=$(guest_heartbeat "$S/hmp.sock")
[ "$beat2" -gt "$beat1" ] && pass || fail "guest heartbeat $beat1 then $beat2"
finish
