# watch --bound: a migration someone else started (here a bare QMP migrate),
# bounded by qsock after the fact. Source (the dirtying guest) and
# destination in two namespaces, 1 MiB/s (in flight for minutes), nothing
# set on its sockets. `qsock watch --bound user-timeout=2000` learns the
# port from the destination's query-migrate, sets the option on the
# connection on both sides and follows; the path is cut (a silent peer):
# QEMU must fail the migration within the bound, and watch exit 6 with both
# ends shown bounded, the source running on. A watch with --bound and no
# way to know the port is refused.
. "$(dirname "$0")/lib.sh"
need jq
need_qemu
[ -f "$GUEST_KERNEL" ] || skip "missing $GUEST_KERNEL"
PORT=4461

netns_pair
S=$(scratch_dir); D=$(scratch_dir)
QEMU_NETNS=$NS_A start_guest "$S"
QEMU_NETNS=$NS_B start_incoming "$D" "tcp:$ADDR_B:$PORT"
"$QSOCK" qmp -s "$S/qmp.sock" migrate-set-parameters max-bandwidth=1M >/dev/null
"$QSOCK" qmp -s "$S/qmp.sock" migrate uri="tcp:$ADDR_B:$PORT" >/dev/null && pass ||
  fail "the bare migrate was refused"

expect_within 10 1 "--bound needs the migration's TCP port" \
  "$QSOCK" watch -s "$S/qmp.sock" --bound user-timeout=2000 --timeout 5
expect_within 2 2 "" "$QSOCK" watch -s "$S/qmp.sock" --port 4461

"$QSOCK" --json watch -s "$S/qmp.sock" -d "$D/qmp.sock" \
  --bound user-timeout=2000,keep-alive=on,keep-alive-idle=1,keep-alive-interval=1,keep-alive-count=2 \
  >"$S/out" 2>"$S/err" &
watcher=$!
sleep 2  # a few polls, the data flowing

t_cut=$(now_ms)
cut_path "$NS_B"
expect_exit_after_cut watch "$watcher" "$t_cut" 6000 "$S/err"
report=$(tail -1 "$S/out")
echo "$report" | jq -c '{status, error, source_state, channels: [.channels[] | {side, ut: .options."user-timeout"}]}'
echo "$report" | jq -e '.status == "failed" and .source_state == "running"
  and ([.channels[] | select(.side == "source")] | length == 1)
  and ([.channels[] | select(.side == "destination")] | length == 1)
  and all(.channels[]; .options."user-timeout" == 2000 and .not_applied == [])' >/dev/null &&
  pass || { fail "the report does not show both ends bounded and the source running"; }
[ "$(state_of "$S/qmp.sock")" = running ] && pass || fail "source not running after the failure"
finish
