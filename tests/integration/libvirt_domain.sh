# A libvirt-managed QEMU, reached through libvirt (--domain, -c): a private
# libvirtd (tests/integration/lib.sh: start_libvirtd, no systemd, the host's
# /etc/libvirt untouched) runs a tiny TCG domain whose monitor libvirt holds.
# qmp, hmp, events, caps, check --domain, sockets --domain and getfd fd
# passing all work through libvirt; the held monitor socket itself is refused
# at once, naming --domain and the domain, its queue left as it was, and
# sockets -s still finds the QEMU behind it. It runs with the suite's QEMU
# (Debian 12's 7.2, libvirt 9.0's own pairing), not once per release.
. "$(dirname "$0")/lib.sh"
need jq
"$QSOCK" qmp --domain x -c "qemu+unix:///system?socket=/nonexistent" query-status 2>&1 |
  grep -q "built without libvirt" && skip "this qsock was built without libvirt-dev"
start_libvirtd || { fail "no private libvirtd"; finish; exit 1; }
start_domain tiny || { fail "the tiny domain did not start"; finish; exit 1; }
export LIBVIRT_DEFAULT_URI=$LV_URI  # -c is tested once, below; the rest use this
D=$(scratch_dir)

# qmp: the same reply, --json and exit codes as over a socket.
expect_within 5 0 '"status":"running"' "$QSOCK" qmp --domain tiny query-status
expect_within 5 0 '"running":true' "$QSOCK" --json qmp --domain tiny -c "$LV_URI" query-status
expect_within 5 4 "CommandNotFound" "$QSOCK" qmp --domain tiny no-such-command
expect_within 5 3 "has no domain 'nosuch'" "$QSOCK" qmp --domain nosuch query-status
expect_within 5 2 "" "$QSOCK" qmp --domain tiny -s /tmp/x.sock query-status
# key=value arguments typed by the live schema, as over a socket.
expect_within 5 0 "" "$QSOCK" qmp --domain tiny migrate-set-parameters max-bandwidth=8M
"$QSOCK" qmp --domain tiny query-migrate-parameters | jq -e '."max-bandwidth" == 8388608' >/dev/null &&
  pass || fail "max-bandwidth=8M did not arrive as 8388608"

# hmp, through libvirt's QMP (human-monitor-command).
expect_within 5 0 "VM status: running" "$QSOCK" hmp --domain tiny info status
expect_within 5 4 "" "$QSOCK" hmp --domain tiny no_such_cmd

# events: libvirt's QEMU monitor events, as QMP events a line.
"$QSOCK" events --domain tiny --name STOP --name RESUME --count 2 --timeout 10 >"$D/events" 2>"$D/events.err" &
listener=$!
sleep 1
"$QSOCK" qmp --domain tiny stop >/dev/null && "$QSOCK" qmp --domain tiny cont >/dev/null
code=0
wait "$listener" || code=$?
[ "$code" = 0 ] && pass || { fail "events --domain: exit $code"; cat "$D/events.err" >&2; }
[ "$(jq -r .event "$D/events" | tr '\n' ' ')" = "STOP RESUME " ] && pass ||
  { fail "events --domain: $(cat "$D/events")"; }
jq -e '.timestamp.seconds > 0' "$D/events" >/dev/null && pass || fail "events without timestamps"
expect_within 3 0 "" "$QSOCK" events --domain tiny --timeout 1

# caps and check --domain: the live QEMU's schema, reached through libvirt.
release=$(qemu_full_version)
expect_within 10 0 "QEMU $release" "$QSOCK" caps --domain tiny
netdev='stream,id=n0,addr.type=inet,addr.host=10.0.0.1,addr.port=4444,addr.keep-alive=on'
"$QSOCK" --json check --domain tiny --as netdev "$netdev" >"$D/live" || true
"$QSOCK" --json check --qemu-version "${release%.*}" --as netdev "$netdev" >"$D/embedded" || true
[ "$(jq -c '[.[].valid]' "$D/live")" = "$(jq -c '[.[].valid]' "$D/embedded")" ] && pass ||
  fail "check --domain and --qemu-version ${release%.*} disagree: $(cat "$D/live") vs $(cat "$D/embedded")"

# sockets --domain: the QEMU libvirt started (its pid file says which).
"$QSOCK" --json sockets --domain tiny >"$D/sockets" && pass || fail "sockets --domain: exit $?"
jq -e --argjson pid "$DOMAIN_PID" '.pid == $pid' "$D/sockets" >/dev/null && pass ||
  fail "sockets --domain found $(jq .pid "$D/sockets"), libvirt's QEMU is $DOMAIN_PID"

# fd passing through libvirt (virDomainQemuMonitorCommandWithFiles): getfd
# takes qsock's descriptor 3; closefd proves QEMU has it under that name.
expect_within 5 0 "" "$QSOCK" qmp --domain tiny --fd 3 getfd fdname=qsock-test 3<"$LV_ROOT/tiny.xml"
expect_within 5 0 "" "$QSOCK" qmp --domain tiny closefd fdname=qsock-test
expect_within 5 4 "" "$QSOCK" qmp --domain tiny closefd fdname=qsock-test

# The monitor socket itself: libvirt holds it.
QEMU_PID=$DOMAIN_PID HELD_NAME=$DOMAIN_MONITOR_NAME \
  expect_held "$DOMAIN_MONITOR" "$QSOCK" qmp -s "$DOMAIN_MONITOR" query-status
expect_within 1 3 "--domain tiny" "$QSOCK" qmp -s "$DOMAIN_MONITOR" query-status
# libvirt still has its monitor: the domain answers through it.
expect_within 5 0 '"status":"running"' "$QSOCK" qmp --domain tiny query-status
finish
