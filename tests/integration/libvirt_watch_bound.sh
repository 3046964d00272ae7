# Issue 17: a migration of a libvirt-managed QEMU, started behind qsock's
# back, bounded by `qsock watch --domain --bound`. A private libvirtd runs in
# namespace A with a tiny domain booted into the dirtying guest; a plain
# QEMU of the same machine waits in namespace B. The migration is started
# through virsh (anything above libvirt could have) at 1 MiB/s, nothing set
# on its sockets; qsock watches the domain through libvirt, learns the port
# from the destination's monitor and bounds both ends (user-timeout=2000).
# The path is cut: the migration must fail within the bound, watch exit 6
# with both ends shown bounded, and qsock must neither cancel nor resume the
# domain (libvirt's job): it runs on, as libvirt reports it.
. "$(dirname "$0")/lib.sh"
need jq
[ -f "$GUEST_KERNEL" ] || skip "missing $GUEST_KERNEL"
"$QSOCK" qmp --domain x -c "qemu+unix:///system?socket=/nonexistent" query-status 2>&1 |
  grep -q "built without libvirt" && skip "this qsock was built without libvirt-dev"
PORT=4462

netns_pair
LIBVIRTD_NETNS=$NS_A start_libvirtd || { fail "no private libvirtd"; finish; exit 1; }
DOMAIN_KERNEL=$GUEST_KERNEL start_domain tiny || { fail "the domain did not start"; finish; exit 1; }
export LIBVIRT_DEFAULT_URI=$LV_URI
D=$(scratch_dir)
QEMU_NETNS=$NS_B run_qemu "$D" -machine "$DOMAIN_MACHINE,usb=off,memory-backend=pc.ram" \
  -accel tcg -cpu qemu64 -m 64 -object memory-backend-ram,id=pc.ram,size=67108864 -smp 1 \
  -display none -nodefaults -kernel "$GUEST_KERNEL" -incoming "tcp:$ADDR_B:$PORT"

# Cancelling behind libvirt's back is not offered.
expect_within 2 2 "" "$QSOCK" watch --domain tiny --timeout 5

"$QSOCK" qmp --domain tiny migrate-set-parameters max-bandwidth=1M >/dev/null
virsh qemu-monitor-command tiny "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"tcp:$ADDR_B:$PORT\"}}" \
  >/dev/null && pass || fail "virsh could not start the migration"

"$QSOCK" --json watch --domain tiny -d "$D/qmp.sock" \
  --bound user-timeout=2000,keep-alive=on,keep-alive-idle=1,keep-alive-interval=1,keep-alive-count=2 \
  >"$D/out" 2>"$D/err" &
watcher=$!
sleep 2

t_cut=$(now_ms)
cut_path "$NS_B"
expect_exit_after_cut "watch --domain" "$watcher" "$t_cut" 6000 "$D/err"
report=$(tail -1 "$D/out")
echo "$report" | jq -c '{status, error, source_state, source_resumed, channels: [.channels[] | {side, ut: .options."user-timeout"}]}'
echo "$report" | jq -e '.status == "failed" and .source_resumed == false
  and ([.channels[] | select(.side == "source")] | length == 1)
  and ([.channels[] | select(.side == "destination")] | length == 1)
  and all(.channels[]; .options."user-timeout" == 2000 and .not_applied == [])' >/dev/null &&
  pass || fail "the report does not show both ends bounded"
# The domain runs on, as libvirt sees it (precopy failed: the source never stopped).
[ "$(virsh domstate tiny | head -1)" = running ] && pass || fail "libvirt says tiny is $(virsh domstate tiny)"
grep -q '"cont"\|sent cont' "$D/out" && fail "qsock resumed a libvirt domain" || pass
finish
