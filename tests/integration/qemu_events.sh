# qsock events against a real QEMU: STOP and RESUME arrive one JSON object
# a line with their timestamps; --count ends with 0, the deadline with 5
# when --count was not reached, and with 0 when no --count was asked.
. "$(dirname "$0")/lib.sh"
need_qemu

D=$(scratch_dir)
start_qemu "$D"

"$QSOCK" events -s "$D/qmp.sock" --name RESUME --name stop --count 2 --timeout 5 \
  >"$D/events" 2>"$D/events.err" &
events_pid=$!
sleep 0.5  # let it connect and negotiate; commands go through the HMP socket
"$QSOCK" hmp -s "$D/hmp.sock" cont
"$QSOCK" hmp -s "$D/hmp.sock" 'info status' >/dev/null
"$QSOCK" hmp -s "$D/hmp.sock" stop
rc=0; wait "$events_pid" || rc=$?
[ "$rc" = 0 ] && pass || { fail "events exited $rc"; cat "$D/events.err" >&2; }
names=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    assert set(e["timestamp"]) == {"seconds", "microseconds"}, e
    print(e["event"])' "$D/events" | tr '\n' ' ')
[ "$names" = "RESUME STOP " ] && pass || fail "events: '$names'"

# Nothing happens: exit 5 at the deadline, naming what was awaited.
expect_within 2 5 "timed out after 1 s awaiting an event (0 of 1 events received)" \
  "$QSOCK" events -s "$D/qmp.sock" --count 1 --timeout 1

# --timeout alone means "listen for N seconds": its end is success.
expect_within 3 0 "" "$QSOCK" events -s "$D/qmp.sock" --timeout 1
# The events that came in that time are printed, and the exit is still 0.
"$QSOCK" events -s "$D/qmp.sock" --name STOP --timeout 2 >"$D/listen" 2>"$D/listen.err" &
listen_pid=$!
sleep 0.5
"$QSOCK" hmp -s "$D/hmp.sock" cont
"$QSOCK" hmp -s "$D/hmp.sock" stop
rc=0; wait "$listen_pid" || rc=$?
[ "$rc" = 0 ] && pass || { fail "events --timeout 2 exited $rc"; cat "$D/listen.err" >&2; }
[ "$(jq -r .event "$D/listen")" = STOP ] && pass || fail "events --timeout 2 printed: $(cat "$D/listen")"

# While one client holds the QMP monitor, another is told so at once, and
# adds nothing to the monitor's queue (a connection would wait there until
# the holder leaves).
"$QSOCK" events -s "$D/qmp.sock" --timeout 6 >/dev/null 2>&1 &
holder=$!
sleep 0.5
expect_held "$D/qmp.sock" "$QSOCK" qmp -s "$D/qmp.sock" query-status
wait "$holder" || true
# Once it left, the monitor serves the next client.
"$QSOCK" qmp -s "$D/qmp.sock" query-status >/dev/null && pass || fail "not served after the holder left"

finish
