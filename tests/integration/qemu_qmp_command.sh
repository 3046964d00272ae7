# qsock qmp against a real QEMU: JSON and key=value arguments, a string
# member given digits (typed by the live schema), a size with a suffix (the
# live schema's int reconciled with the embedded size), --pretty, QMP errors
# (exit 4, --json), QSOCK_SOCKET.
. "$(dirname "$0")/lib.sh"
need_qemu
need jq

D=$(scratch_dir)
start_qemu "$D"
S=$D/qmp.sock

# StatusInfo lost singlestep in 10.0: the reply is compared without it.
out=$("$QSOCK" qmp -s "$S" query-status)
if [ "$(jq -c 'del(.singlestep)' <<<"$out")" = '{"status":"prelaunch","running":false}' ]
then pass; else fail "query-status: $out"; fi
expect_within 2 0 "\"major\": $(qemu_release | cut -d. -f1)" "$QSOCK" qmp -s "unix:$S" --pretty query-version
QSOCK_SOCKET=$S expect_within 2 0 '"running":false' "$QSOCK" qmp query-status

# JSON arguments, and key=value with dotted keys for the same command.
expect_within 2 0 '"VM status: paused (prelaunch)\r\n"' \
  "$QSOCK" qmp -s "$S" human-monitor-command '{"command-line": "info status"}'
expect_within 2 0 '"VM status: paused (prelaunch)\r\n"' \
  "$QSOCK" qmp -s "$S" human-monitor-command 'command-line=info status'

# A string member given digits: as JSON or bare, it is a string, because
# key=value pairs are typed by the live QEMU's schema (command-line is str);
# QEMU runs it (HMP has no command "123"). Where the schema says str, the text
# is taken as it is, double quotes included.
expect_within 2 0 "unknown command: '123'" \
  "$QSOCK" qmp -s "$S" human-monitor-command '{"command-line": "123"}'
expect_within 2 0 "unknown command: '\\\"123\\\"'" \
  "$QSOCK" qmp -s "$S" human-monitor-command 'command-line="123"'
expect_within 2 0 "unknown command: '123'" \
  "$QSOCK" qmp -s "$S" human-monitor-command command-line=123
# An int member refuses a non-number, an unknown key gets a "did you mean"
# (exit 1, nothing sent).
expect_within 2 1 "Parameter 'cpu-index' expects integer" \
  "$QSOCK" qmp -s "$S" human-monitor-command command-line=x cpu-index=one
expect_within 2 1 "Parameter 'command-lin' is unexpected" \
  "$QSOCK" qmp -s "$S" human-monitor-command command-lin=x
expect_within 2 1 "hint: did you mean 'command-line'?" \
  "$QSOCK" qmp -s "$S" human-monitor-command command-lin=x

# A size takes a suffix, though query-qmp-schema says int: 8M is sent as
# 8388608, and QEMU reports it back. A bad size and an unknown key are
# refused before anything is sent (exit 1), and the value stays.
expect_within 2 0 '{}' "$QSOCK" qmp -s "$S" migrate-set-parameters max-bandwidth=8M
expect_within 2 0 '"max-bandwidth":8388608' "$QSOCK" qmp -s "$S" query-migrate-parameters
expect_within 2 1 "Parameter 'max-bandwidth' expects size" \
  "$QSOCK" qmp -s "$S" migrate-set-parameters max-bandwidth=8X
expect_within 2 1 "did you mean 'max-bandwidth'?" \
  "$QSOCK" qmp -s "$S" migrate-set-parameters max-bandwith=1M
expect_within 2 0 '"max-bandwidth":8388608' "$QSOCK" qmp -s "$S" query-migrate-parameters
# A JSON object is sent as it is.
expect_within 2 0 '{}' "$QSOCK" qmp -s "$S" migrate-set-parameters '{"max-bandwidth": 1048576}'
expect_within 2 0 '"max-bandwidth":1048576' "$QSOCK" qmp -s "$S" query-migrate-parameters

# Nested objects from dotted keys reach QEMU as objects: a socket chardev
# with addr.* members, then gone again.
expect_within 2 0 '{}' "$QSOCK" qmp -s "$S" chardev-add id=c0 backend.type=socket \
  backend.data.addr.type=unix "backend.data.addr.data.path=$D/c0.sock" \
  backend.data.server=on backend.data.wait=off
expect_within 2 0 '"label":"c0"' "$QSOCK" qmp -s "$S" query-chardev
expect_within 2 0 '{}' "$QSOCK" qmp -s "$S" chardev-remove id=c0

# QMP errors: exit 4, class and desc on stderr; --json puts the object on stdout.
expect_within 2 4 "qsock: error: QEMU: CommandNotFound: The command no-such-command has not been found" \
  "$QSOCK" qmp -s "$S" no-such-command
out=$("$QSOCK" --json qmp -s "$S" closefd fdname=nope 2>/dev/null) || true
if [ "$out" = '{"error":{"class":"GenericError","desc":"File descriptor named '"'nope'"' not found"}}' ]
then pass; else fail "--json error object: $out"; fi

# Refused before connecting: arguments that are not key=value (exit 1).
expect_within 2 1 "argument 'oops' is not KEY=VALUE" "$QSOCK" qmp -s "$S" query-status oops
# No socket at all, or an empty QSOCK_SOCKET: a usage error naming both ways to give one.
QSOCK_SOCKET= expect_within 2 2 '-s/--socket (or $QSOCK_SOCKET) or --domain is required' \
  "$QSOCK" qmp query-status

# query-qmp-schema: a reply of ~200 KB in one message.
size=$("$QSOCK" qmp -s "$S" query-qmp-schema | wc -c)
if [ "$size" -gt 100000 ]; then pass; else fail "query-qmp-schema gave only $size bytes"; fi

finish
