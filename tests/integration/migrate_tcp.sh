# qsock migrate between two real QEMUs on loopback: native tcp, fd-passed tcp
# with user-timeout and keep-alive (-d, -incoming defer), a UNIX socket, and
# a deferred destination without socket options. The report's fields are
# present and consistent.
. "$(dirname "$0")/lib.sh"
need_qemu
need python3
need jq

CONSISTENT=('r["downtime_ms"] <= r["total_time_ms"]' 'r["setup_time_ms"] <= r["total_time_ms"]'
  'b["precopy"] + b["downtime"] + b["postcopy"] <= b["transferred"]' 'b["transferred"] > 0'
  'r["passes"] >= 1' 'r["error"] is None')

# 1. Native tcp to a destination listening with -incoming tcp:...
S=$(scratch_dir); D=$(scratch_dir)
vm "$S"; vm "$D" -incoming tcp:127.0.0.1:44502
out=$(scratch_dir)/out
"$QSOCK" --json migrate -s "$S/qmp.sock" --to tcp:127.0.0.1:44502 >"$out" 2>"$S/err" || fail "native tcp: exit $?"
check_report "$out" 'r["status"] == "completed"' 'r["sockopts_via"] is None' \
  'r["fd_passed"] is False' 'r["source_state"] == "postmigrate"' 'r["observed_downtime_ms"] is None' \
  "${CONSISTENT[@]}"
[ "$(state_of "$D/qmp.sock")" = running ] && pass || fail "destination not running after native tcp"

# 2. fd-passed tcp with user-timeout and keep-alive: no released QEMU has
# user-timeout, so auto picks fd; -d with -incoming defer: qsock listens,
# accepts, applies and passes the accepted socket too. The dirtying test guest
# at 200 KiB/s keeps the migration in flight (an idle guest does not stay on
# 10.0, whose zero pages cost nothing) until the destination's socket has been
# read from outside; then max-bandwidth is raised over HMP and it completes.
S=$(scratch_dir); D=$(scratch_dir)
vm "$S" -kernel "$GUEST_KERNEL"; vm "$D" -kernel "$GUEST_KERNEL" -incoming defer
DST_PID=$VM_PID
( for _ in $(seq 100); do
    sleep 0.2
    "$QSOCK" --json sockets --pid "$DST_PID" --no-listening >"$D/sockets" 2>&1 &&
      grep -q '"user-timeout":5000' "$D/sockets" && break
  done
  sleep 1  # total_time_ms >= 1000 below
  "$QSOCK" hmp -s "$S/hmp.sock" 'migrate_set_parameter max-bandwidth 1G' >/dev/null ) &
watcher=$!
"$QSOCK" --json migrate -s "$S/qmp.sock" -d "$D/qmp.sock" --max-bandwidth 200K \
  --to 'tcp:127.0.0.1:44503,user-timeout=5000,keep-alive=on' >"$out" 2>"$S/err" ||
  fail "fd tcp: exit $?"
wait "$watcher" || true
check_report "$out" 'r["status"] == "completed"' 'r["sockopts_via"] == "fd"' \
  'r["fd_passed"] is True' 'r["destination_sockopts_via"] == "fd"' \
  'r["socket"]["options"]["user-timeout"] == 5000' 'r["socket"]["options"]["keep-alive"] is True' \
  'r["socket"]["not_applied"] == []' \
  'r["socket"]["destination"]["options"]["user-timeout"] == 5000' \
  'r["observed_downtime_ms"] is not None' 'r["observed_downtime_ms"] <= r["total_time_ms"]' \
  'r["destination_state"] == "running"' 'r["total_time_ms"] >= 1000' "${CONSISTENT[@]}"
grep -q 'the schema lacks user-timeout' "$S/err" && pass || fail "the note does not say why fd"
# The destination QEMU's own socket has the options (read through pidfd_getfd).
if grep -q '"user-timeout":5000' "$D/sockets" && grep -q '"keep-alive":true' "$D/sockets"; then
  pass
else
  fail "destination QEMU's migration socket lacks the options"; sed 's/^/    /' "$D/sockets" >&2
fi

# 3. A UNIX socket.
S=$(scratch_dir); D=$(scratch_dir)
vm "$S"; vm "$D" -incoming "unix:$D/mig.sock"
wait_for "$D/mig.sock"
"$QSOCK" --json migrate -s "$S/qmp.sock" --to "unix:$D/mig.sock" >"$out" 2>"$S/err" ||
  fail "unix: exit $?"
check_report "$out" 'r["status"] == "completed"' 'r["fd_passed"] is False' "${CONSISTENT[@]}"

# 4. -d with -incoming defer, no socket options: qsock runs migrate-incoming.
S=$(scratch_dir); D=$(scratch_dir)
vm "$S"; vm "$D" -incoming defer
"$QSOCK" --json migrate -s "$S/qmp.sock" -d "$D/qmp.sock" --to tcp:127.0.0.1:44504 \
  --downtime-limit 400 >"$out" 2>"$S/err" || fail "defer: exit $?"
check_report "$out" 'r["status"] == "completed"' 'r["downtime_limit_ms"] == 400' \
  'r["destination_state"] == "running"' 'r["observed_downtime_ms"] is not None' "${CONSISTENT[@]}"

# 5. --sockopts inject: QEMU connects, qsock sets the options on QEMU's own
# socket through pidfd_getfd and reads them back.
S=$(scratch_dir); D=$(scratch_dir)
vm "$S"; vm "$D" -incoming tcp:127.0.0.1:44506
"$QSOCK" --json migrate -s "$S/qmp.sock" --sockopts inject --max-bandwidth 400K \
  --to 'tcp:127.0.0.1:44506,user-timeout=6000,keep-alive=on' >"$out" 2>"$S/err" ||
  { fail "inject: exit $?"; cat "$S/err" >&2; }
check_report "$out" 'r["status"] == "completed"' 'r["sockopts_via"] == "inject"' \
  'r["fd_passed"] is False' 'r["socket"]["options"]["user-timeout"] == 6000' \
  'r["socket"]["options"]["keep-alive"] is True' "${CONSISTENT[@]}"

# 6. Text output names the sources and units.
S=$(scratch_dir); D=$(scratch_dir)
vm "$S"; vm "$D" -incoming tcp:127.0.0.1:44505
expect_within 20 0 "downtime (source query-migrate):" \
  "$QSOCK" migrate -s "$S/qmp.sock" --to tcp:127.0.0.1:44505

finish
