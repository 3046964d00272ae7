# Issue 18: qsock guard bounds the migration connections someone else opened.
# The guard runs (--set user-timeout=3000, keep-alive) in the host's
# namespace; two QEMUs sit in two other network namespaces; a bare QMP
# migrate (not qsock migrate) starts a single-channel migration, then, on a
# second pair, a multifd one (3 channels). Every connection of both ends must
# be bounded within 200 ms of its appearance in sock_diag (the guard's own
# measure: from its last scan without the connection to the option read
# back), with the options read back; once the path is cut, QEMU fails the
# migration within user-timeout + 1.5 s, the source running on. The metrics
# file counts what the lines say; SIGTERM stops the guard cleanly.
. "$(dirname "$0")/lib.sh"
need jq
need_qemu
[ -f "$GUEST_KERNEL" ] || skip "missing $GUEST_KERNEL"
[ "$(id -u)" = 0 ] || skip "needs root (pidfd_getfd on QEMU, network namespaces)"
UT=3000
G=$(scratch_dir)

start_guard "$G" --set "user-timeout=$UT,keep-alive=on,keep-alive-idle=1,keep-alive-interval=1,keep-alive-count=2" \
  --metrics "$G/guard.prom" && pass || { fail "the guard did not start"; finish; exit 1; }

# migrate_and_cut NAME PORT CHANNELS [CAPS]: a bare QMP migration between two new
# QEMUs in two new namespaces; every connection bounded, then the cut.
migrate_and_cut() {
  local name=$1 port=$2 channels=$3 S D src dst want
  netns_pair
  S=$(scratch_dir); D=$(scratch_dir)
  QEMU_NETNS=$NS_A start_guest "$S"; src=$QEMU_PID
  QEMU_NETNS=$NS_B start_incoming "$D" defer; dst=$QEMU_PID
  for sock in "$S/qmp.sock" "$D/qmp.sock"; do
    if [ "$channels" -gt 1 ]; then
      "$QSOCK" qmp -s "$sock" migrate-set-capabilities \
        '{"capabilities":[{"capability":"multifd","state":true}]}' >/dev/null
      "$QSOCK" qmp -s "$sock" migrate-set-parameters multifd-channels="$channels" >/dev/null
    fi
  done
  "$QSOCK" qmp -s "$D/qmp.sock" migrate-incoming uri="tcp:$ADDR_B:$port" >/dev/null
  "$QSOCK" qmp -s "$S/qmp.sock" migrate-set-parameters max-bandwidth=4M >/dev/null
  until_guard_lines ".event == \"qemu-found\" and .pid == $dst" 1 5 && pass ||
    fail "$name: the guard did not find QEMU $dst in $NS_B"
  "$QSOCK" qmp -s "$S/qmp.sock" migrate uri="tcp:$ADDR_B:$port" >/dev/null ||
    fail "$name: the bare migrate was refused"

  # The main connection and one per multifd channel, on each end.
  want=$((channels > 1 ? channels + 1 : 1))
  until_guard_lines ".event == \"bounded\" and .kind == \"migration\" and (.pid == $src or .pid == $dst)" \
    $((2 * want)) 20 && pass || fail "$name: not every connection bounded"
  sleep 1
  local bounded
  bounded=$(jq -c "select(.event == \"bounded\" and (.pid == $src or .pid == $dst))" "$GUARD_OUT")
  echo "$bounded" | jq -c '{pid, local, peer, kind, channel, latency_ms, ut: .options."user-timeout"}'
  [ "$(echo "$bounded" | jq -s "[.[] | select(.pid == $src)] | length")" -ge "$want" ] &&
    [ "$(echo "$bounded" | jq -s "[.[] | select(.pid == $dst)] | length")" -ge "$want" ] && pass ||
    fail "$name: fewer than $want bounded connections on an end"
  # Exactly one main channel an end; the rest are multifd's.
  [ "$(echo "$bounded" | jq -s "[.[] | select(.pid == $src and .channel == \"main\")] | length")" = 1 ] &&
    [ "$(echo "$bounded" | jq -s "[.[] | select(.pid == $dst and .channel == \"main\")] | length")" = 1 ] &&
    pass || fail "$name: not one main channel on each end"
  echo "$bounded" | jq -s -e "all(.[]; .options.\"user-timeout\" == $UT and .options.\"keep-alive\" == true
      and .latency_ms != null and .latency_ms <= 200)" >/dev/null && pass ||
    fail "$name: a connection not bounded within 200 ms, or read back without the options"
  [ "$(guard_lines '.event == "failed"')" = 0 ] && pass ||
    { fail "$name: the guard reported failures"; jq -c 'select(.event == "failed")' "$GUARD_OUT" >&2; }

  local t_cut elapsed status
  t_cut=$(now_ms)
  cut_path "$NS_B"
  while :; do
    status=$(migration_status "$S/qmp.sock")
    elapsed=$(($(now_ms) - t_cut))
    [ "$status" = failed ] || [ "$elapsed" -gt 30000 ] && break
    sleep 0.05
  done
  echo "$name: migration $status $elapsed ms after the cut (user-timeout $UT ms)"
  [ "$status" = failed ] && [ "$elapsed" -le $((UT + 1500)) ] && pass ||
    fail "$name: $status $elapsed ms after the cut, not failed within $((UT + 1500)) ms"
  [ "$(state_of "$S/qmp.sock")" = running ] && pass || fail "$name: source not running after the failure"
}

migrate_and_cut single 4471 1
migrate_and_cut multifd 4472 3

# The metrics file says the same: at least 1+1 and 4+4 migration connections bounded.
grep -E '^qsock_guard_connections_bounded_total\{kind="migration"\} ([0-9]+)' "$G/guard.prom" |
  awk '{ n = $2 } END { exit !(n >= 10) }' && pass || { fail "metrics do not count 10 bounded migration connections"; cat "$G/guard.prom" >&2; }
grep -q '^qsock_guard_detection_bound_seconds 0\.1' "$G/guard.prom" && pass ||
  fail "metrics: the detection bound is not 100 ms plus a scan"

stop_guard
finish
