# qsock hmp against a real QEMU, both ways: through QMP's
# human-monitor-command and directly on an HMP socket.
. "$(dirname "$0")/lib.sh"
need_qemu

D=$(scratch_dir)
start_qemu "$D"

for sock in "$D/qmp.sock" "$D/hmp.sock"; do
  # Exactly QEMU's output: no echo, no prompt, no CR (prelaunch until the first cont).
  out=$("$QSOCK" hmp -s "$sock" 'info status')
  case $out in "VM status: paused (prelaunch)" | "VM status: paused") pass ;;
    *) fail "hmp on $sock: '$out'" ;; esac
  # Several words are joined, and the VM state changes through either socket.
  expect_within 2 0 "" "$QSOCK" hmp -s "$sock" cont
  expect_within 2 0 "VM status: running" "$QSOCK" hmp -s "$sock" info status
  expect_within 2 0 "" "$QSOCK" hmp -s "$sock" stop
  expect_within 2 0 "VM status: paused" "$QSOCK" hmp -s "$sock" info status
  # No escape sequence or carriage return reaches the output.
  if "$QSOCK" hmp -s "$sock" 'info version' | grep -q $'[\r\x1b]'; then
    fail "escapes in hmp output on $sock"; else pass; fi
  # A line that would inject a second command is refused (exit 1) and never sent.
  expect_within 2 1 "contains a line break at offset 11" \
    "$QSOCK" hmp -s "$sock" $'info status\nquit'
  expect_within 2 1 "control character \\x1b" "$QSOCK" hmp -s "$sock" $'info\x1b[A'
  kill -0 "$QEMU_PID" && pass || fail "QEMU quit: the refused line reached it"
  # HMP's error replies exit 4 with the reply on stderr, none on stdout.
  expect_within 2 4 "QEMU: unknown command: 'no_such_cmd'" "$QSOCK" hmp -s "$sock" no_such_cmd
  [ -z "$("$QSOCK" hmp -s "$sock" no_such_cmd 2>/dev/null)" ] && pass ||
    fail "an HMP error reply reached stdout on $sock"
  expect_within 2 4 'Try "help migrate" for more information' "$QSOCK" hmp -s "$sock" migrate
  expect_within 2 4 "no_such_param" \
    "$QSOCK" hmp -s "$sock" migrate_set_parameter no_such_param 1
  # An HMP option before -- is not qsock's: the error says where -- goes.
  expect_within 2 2 "put -- before an HMP command line that has options" \
    "$QSOCK" hmp -s "$sock" migrate -d unix:"$D/nowhere.sock"
done

expect_within 2 4 "\"error\":\"unknown command: 'no_such_cmd'\"" \
  "$QSOCK" --json hmp -s "$D/hmp.sock" no_such_cmd
expect_within 2 0 '{"output":"VM status: paused\n"}' "$QSOCK" hmp -s "$D/hmp.sock" info status --json

expect_within 2 0 '{"output":"VM status: paused\n"}' "$QSOCK" --json hmp -s "$D/hmp.sock" info status

# The HMP monitor also serves one client at a time.
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.recv(100)
open(sys.argv[2], "w").close(); time.sleep(4)' "$D/hmp.sock" "$D/holding" &
cleanup_pids+=("$!")
wait_for "$D/holding"
expect_held "$D/hmp.sock" "$QSOCK" hmp -s "$D/hmp.sock" info status

finish
