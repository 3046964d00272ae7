# Issue 17: libvirt's own migration, bounded. Two private libvirtds, each in
# its own network and mount namespace (libvirt refuses to migrate to the
# same host UUID), joined by a veth pair. `qsock migrate --domain` starts a
# live peer-to-peer migration through libvirt's API and bounds every
# connection of it on both QEMUs as they appear.
#  1. A domain (the dirtying guest) migrates at full speed: exit 0, both
#     ends shown bounded, the domain running at the destination as libvirt
#     reports it.
#  2. Three domains that dirty their memory migrate at 1 MiB/s: one through
#     qsock (user-timeout=3000), one by virsh bounded from outside by
#     `qsock watch --domain --bound`, one by virsh alone (the control); the
#     path is cut. qsock's two must fail within 3.0-6.0 s, libvirt resuming
#     the source; the control is still migrating 30 s after the cut.
. "$(dirname "$0")/lib.sh"
need jq
[ -f "$GUEST_KERNEL" ] || skip "missing $GUEST_KERNEL"
"$QSOCK" qmp --domain x -c "qemu+unix:///system?socket=/nonexistent" query-status 2>&1 |
  grep -q "built without libvirt" && skip "this qsock was built without libvirt-dev"

netns_pair
LIBVIRTD_NETNS=$NS_B start_libvirtd || { fail "no destination libvirtd"; finish; exit 1; }
DST_URI=$LV_URI
LIBVIRTD_NETNS=$NS_A start_libvirtd || { fail "no source libvirtd"; finish; exit 1; }
SRC_URI=$LV_URI
opts="user-timeout=3000,keep-alive=on,keep-alive-idle=1,keep-alive-interval=1,keep-alive-count=2"

# 1. A migration that completes.
DOMAIN_KERNEL=$GUEST_KERNEL start_domain idle || { fail "the first domain did not start"; finish; exit 1; }
out=$LV_ROOT/idle.out
"$QSOCK" --json migrate --domain idle -c "$SRC_URI" --dest-connect "$DST_URI" \
  --to "tcp:$ADDR_B:4463,$opts" >"$out" 2>"$out.err" && pass ||
  { fail "migrate --domain: exit $?"; cat "$out.err" >&2; }
tail -1 "$out" | jq -c '{status, error, source_state, destination_state, channels: [.channels[] | {side, ut: .options."user-timeout"}]}'
tail -1 "$out" | jq -e '.status == "completed" and .destination_state == "running"
  and ([.channels[] | select(.side == "source")] | length >= 1)
  and ([.channels[] | select(.side == "destination")] | length >= 1)
  and all(.channels[]; .options."user-timeout" == 3000 and .not_applied == [])' >/dev/null &&
  pass || fail "the report does not show a completed migration bounded on both ends"
[ "$(virsh -c "$DST_URI" domstate idle | head -1)" = running ] && pass ||
  fail "libvirt at the destination says idle is $(virsh -c "$DST_URI" domstate idle)"

# 2. A dead peer: qsock's migration and the control, one cut for both.
DOMAIN_KERNEL=$GUEST_KERNEL start_domain dirty || { fail "the dirty domain did not start"; finish; exit 1; }
DOMAIN_KERNEL=$GUEST_KERNEL start_domain control || { fail "the control did not start"; finish; exit 1; }
"$QSOCK" --json migrate --domain dirty -c "$SRC_URI" --dest-connect "$DST_URI" \
  --to "tcp:$ADDR_B:4464,$opts" --max-bandwidth 1M >"$LV_ROOT/dirty.out" 2>"$LV_ROOT/dirty.err" &
mig=$!
virsh -c "$SRC_URI" migrate --live --p2p --bandwidth 1 control "$DST_URI" "tcp://$ADDR_B:4465" \
  >"$LV_ROOT/control.out" 2>&1 &
control=$!
# A third, started by virsh and bounded from outside by qsock watch.
DOMAIN_KERNEL=$GUEST_KERNEL start_domain watched || { fail "the watched domain did not start"; finish; exit 1; }
virsh -c "$SRC_URI" migrate --live --p2p --bandwidth 1 watched "$DST_URI" "tcp://$ADDR_B:4466" \
  >"$LV_ROOT/watched.virsh" 2>&1 &
for ((i = 0; i < 100; i++)); do
  [ "$(ip netns exec "$NS_A" ss -Htn state established "( dport = :4464 or dport = :4465 or dport = :4466 )" | wc -l)" -ge 3 ] && break
  sleep 0.1
done
"$QSOCK" --json watch --domain watched -c "$SRC_URI" --bound "$opts" --port 4466 \
  >"$LV_ROOT/watched.out" 2>"$LV_ROOT/watched.err" &
watcher=$!
sleep 2  # the streams flowing, qsock's connections bounded
t_cut=$(now_ms)
cut_path "$NS_B"
expect_exit_after_cut "migrate --domain" "$mig" "$t_cut" 6000 "$LV_ROOT/dirty.err"
[ "${CUT_EXIT_MS:-0}" -ge 3000 ] && pass || fail "it failed ${CUT_EXIT_MS:-?} ms after the cut, before the 3 s user-timeout could fire"
expect_exit_after_cut "watch --domain --bound" "$watcher" "$t_cut" 6000 "$LV_ROOT/watched.err"
tail -1 "$LV_ROOT/watched.out" | jq -e '.status == "failed" and .source_resumed == false
  and ([.channels[] | select(.side == "source")] | length >= 1)
  and all(.channels[]; .options."user-timeout" == 3000)' >/dev/null && pass ||
  { fail "watch's report does not show virsh's migration bounded"; tail -1 "$LV_ROOT/watched.out" >&2; }
tail -1 "$LV_ROOT/dirty.out" | jq -c '{status, error, source_state, channels: [.channels[] | {side, ut: .options."user-timeout"}]}'
tail -1 "$LV_ROOT/dirty.out" | jq -e '.status == "failed"
  and ([.channels[] | select(.side == "source")] | length >= 1)
  and all(.channels[]; .options."user-timeout" == 3000)' >/dev/null && pass ||
  fail "the failed migration's report does not show the source bounded"
until_domain_running "$SRC_URI" dirty && pass ||
  fail "libvirt did not resume the source: $(virsh -c "$SRC_URI" domstate dirty)"

# The control, unbounded, goes on for as long as the kernel retransmits.
sleep $((30 - ($(now_ms) - t_cut) / 1000))
kill -0 "$control" 2>/dev/null && pass || { fail "the control ended within 30 s"; cat "$LV_ROOT/control.out" >&2; }
virsh -c "$SRC_URI" domjobabort control >/dev/null 2>&1 || true
finish
