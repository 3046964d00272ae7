# Issue 16: postcopy bounded, paused on a dead peer, and recovered. Source
# (the dirtying guest) and destination in two namespaces; the source's link
# is shaped to 8 Mbit/s (tbf) so that the postcopy phase lasts. qsock
# switches to postcopy at once, with user-timeout and keep-alive on both
# ends' sockets; the path is cut in postcopy. Both QEMUs must pause
# (postcopy-paused) and qsock exit 6 within the bound, never resuming the
# source (the guest runs on the destination). Then the path is healed and
# `qsock migrate --resume` recovers it to completion, with the new
# connection bounded too, and the guest runs on at the destination with
# every page of its working set whole.
. "$(dirname "$0")/lib.sh"
need jq
need tc
need_qemu
[ -f "$GUEST_KERNEL" ] || skip "missing $GUEST_KERNEL"
PORT=4457
RESUME_PORT=4458
opts="user-timeout=2000,keep-alive=on,keep-alive-idle=1,keep-alive-interval=1,keep-alive-count=2"

netns_pair
veth=$(ip -n "$NS_A" -o link show type veth | awk -F': ' '{print $2}' | cut -d@ -f1)
ip netns exec "$NS_A" tc qdisc add dev "$veth" root tbf rate 8mbit burst 32kbit latency 400ms
S=$(scratch_dir); D=$(scratch_dir)
QEMU_NETNS=$NS_A start_guest "$S"
QEMU_NETNS=$NS_B start_incoming "$D" defer

ip netns exec "$NS_A" "$QSOCK" --json migrate -s "$S/qmp.sock" -d "$D/qmp.sock" \
  --to "tcp:$ADDR_B:$PORT,$opts" --postcopy-after 0 >"$S/out" 2>"$S/err" &
mig=$!
for ((i = 0; i < 200; i++)); do
  grep -q '"status":"postcopy-active"' "$S/out" 2>/dev/null && break
  kill -0 "$mig" 2>/dev/null || break
  sleep 0.05
done
grep -q '"status":"postcopy-active"' "$S/out" && pass ||
  { fail "never in postcopy-active"; sed 's/^/    /' "$S/err" >&2; }
# Long enough for the destination to load the device state and run the guest (a cut
# before that kills the incoming side: not recoverable); the 8 Mbit/s link keeps the
# postcopy phase going well past it.
sleep 1.2

t_cut=$(now_ms)
cut_path "$NS_B"
expect_exit_after_cut postcopy "$mig" "$t_cut" 20000 "$S/err"
report=$(tail -1 "$S/out")
echo "$report" | jq -c '{status, postcopy, source_state, source_resumed, destination_state, fired,
  channels: [.channels[] | {side, ut: .options."user-timeout"}]}'
echo "$report" | jq -e '.status == "postcopy-paused" and .postcopy == true
  and (.postcopy_requests | type) == "number"
  and .source_resumed == false and .source_state != "running"
  and all(.channels[]; .options."user-timeout" == 2000)' >/dev/null && pass ||
  fail "the report is not a paused postcopy with the source left alone"
grep -q 'qsock migrate --resume' "$S/err" && pass || fail "no word on how to resume"
# The destination paused too: its socket was bounded.
for ((i = 0; i < 100; i++)); do
  dstatus=$("$QSOCK" qmp -s "$D/qmp.sock" query-migrate | jq -r .status)
  [ "$dstatus" = postcopy-paused ] && break
  sleep 0.1
done
[ "$dstatus" = postcopy-paused ] && pass || fail "the destination is '$dstatus', not postcopy-paused"
sstatus=$("$QSOCK" qmp -s "$S/qmp.sock" query-status | jq -r .status)
[ "$sstatus" != running ] && pass || fail "the source VM runs: split brain"


# Heal, unshape, recover.
heal_path "$NS_B"
ip netns exec "$NS_A" tc qdisc del dev "$veth" root
beat_before=$(guest_heartbeat "$D/hmp.sock")
ip netns exec "$NS_A" "$QSOCK" --json migrate --resume -s "$S/qmp.sock" -d "$D/qmp.sock" \
  --to "tcp:$ADDR_B:$RESUME_PORT,$opts" --timeout 60 >"$S/resume" 2>"$S/resume.err" ||
  { fail "--resume: exit $?"; sed 's/^/    /' "$S/resume.err" >&2; }
report=$(tail -1 "$S/resume")
echo "$report" | jq -c '{status, postcopy, source_resumed, destination_state,
  channels: [.channels[] | {side, peer, ut: .options."user-timeout"}]}'
echo "$report" | jq -e '.status == "completed" and .source_resumed == false
  and .destination_state == "running"
  and ([.channels[] | select(.side == "source")] | length >= 1)
  and all(.channels[]; .options."user-timeout" == 2000)' >/dev/null && pass ||
  fail "the recovered migration did not complete bounded"
beat1=$(guest_heartbeat "$D/hmp.sock"); sleep 0.3; beat2=$(guest_heartbeat "$D/hmp.sock")
[ "$beat2" -gt "$beat1" ] && [ "$beat1" -ge "$beat_before" ] && pass ||
  fail "the guest does not run on at the destination ($beat_before, $beat1, $beat2)"
# Every page came across: the ones sent in precopy, those pulled in postcopy
# before the cut, and those after the recovery.
guest_memory_check "$D/hmp.sock" "$D" && pass || fail "the guest's memory at the destination is not whole"
finish
