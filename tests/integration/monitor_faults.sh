# Every way a monitor can misbehave ends within --timeout + 1 s, with the
# documented exit code and a message naming what went wrong.
. "$(dirname "$0")/lib.sh"

D=$(scratch_dir)
T=2  # --timeout for every case
limit=$((T + 1))

# mode | qsock command | exit code | message
while IFS='|' read -r mode args code message; do
  [ -z "$mode" ] && continue
  mkdir -p "$D/$mode"
  start_peer "$mode" "$D/$mode/qmp.sock" "$D/$mode"
  # The flood must be read in full before the deadline: under the sanitizers
  # (QSOCK_TEST_TIME_SCALE, which expect_within applies to $limit too) that
  # takes longer. No other case's message changes.
  t=$T
  [ "$mode" = event-flood ] && t=$((T * ${QSOCK_TEST_TIME_SCALE:-1}))
  # shellcheck disable=SC2086
  expect_within "$limit" "$code" "$message" "$QSOCK" $args -s "$PEER_ADDR" --timeout "$t"
done <<'CASES'
no-greeting|qmp query-status|5|no greeting: QEMU is stopped, or another client (libvirt?) holds this monitor (timed out after 2 s awaiting the QMP greeting)
no-greeting|hmp info status|5|no greeting: QEMU is stopped, or another client (libvirt?) holds this monitor
no-greeting|events|5|no greeting: QEMU is stopped
silent|qmp query-status|5|timed out after 2 s awaiting the reply to 'qmp_capabilities'
close-mid-reply|qmp query-status|3|QEMU closed the monitor connection in the middle of a message (27 bytes received) while awaiting the reply to 'query-status'
invalid-json|qmp query-status|3|invalid JSON from the monitor: '{"return": {]}\x0d'
huge-line|qmp query-status|3|a monitor message exceeds the 64 MiB limit
unmatched-id|qmp query-status|3|a reply with unexpected id "not-yours" while awaiting the reply to 'query-status'
error-without-id|qmp query-status|4|QEMU rejected 'query-status' before reading its id: GenericError: JSON parse error, expecting value
event-flood|qmp query-status|0|{"flooded":true}
hmp-no-prompt|hmp info status|5|timed out after 2 s awaiting the HMP prompt '(qemu) ' (received 55 bytes without a prompt)
hmp-no-prompt|qmp query-status|3|this is an HMP monitor, not QMP (it greets with 'QEMU 7.2.0 monitor - type 'help' for more information'): use 'qsock hmp' on it
hmp-no-prompt|caps|3|this is an HMP monitor, not QMP
hmp-no-prompt|events|3|this is an HMP monitor, not QMP
CASES

# check --schema-from reads the schema over QMP: an HMP socket is named as one.
mkdir -p "$D/schema-from"
start_peer hmp-no-prompt "$D/schema-from/qmp.sock" "$D/schema-from"
expect_within "$limit" 3 "this is an HMP monitor, not QMP" \
  "$QSOCK" check --schema-from "$PEER_ADDR" --timeout "$T" tcp:h:1

# Nothing listening: exit 3 at once, naming the socket.
expect_within 1 3 "cannot connect to unix:$D/none.sock: No such file or directory" \
  "$QSOCK" qmp -s "$D/none.sock" query-status

# No monitor at all: a usage error (exit 2) that names both ways to give one.
for args in "qmp query-status" "hmp info status" "events" "caps" "migrate --to tcp:h:1" "watch"; do
  # shellcheck disable=SC2086
  expect_within 1 2 '-s/--socket (or $QSOCK_SOCKET) or --domain is required' \
    env -u QSOCK_SOCKET "$QSOCK" $args
done

finish
